"""Turns the JSON lines of the benchmarks into the table scripts/bench prints, with the issue's targets.

    /usr/bin/python3 tests/bench/report.py results.jsonl

A benchmark that ran in several rounds shows the median of each figure; ratios are taken within a round
(the i-th result of each benchmark belongs to round i) and then the median is shown.
"""
import json
import statistics
import sys
from collections import defaultdict

# Targets the project holds itself to (issue 2): a remote step within 1.2x a bare ZeroMQ round trip, and a
# 64-env vector env through the Python client at 500,000 env-steps/s or more.
MAX_STEP_OVER_ECHO = 1.2
MIN_PYTHON_VECTOR_ENV_STEPS = 500_000
# Issue 4: HalfCheetah in-process at least 90% of MuJoCo's raw C loop, and a 16-env remote vector env at least 80%
# of the in-process rate on the same cores.
MIN_IN_PROCESS_OVER_RAW = 0.9
MIN_REMOTE_VECTOR_OVER_IN_PROCESS = 0.8
# Issue 5: the NES core at 2,500 frames/s per core or more, and the 4-frame-skip 84x84x4 env at 600 steps/s per core.
# Issue 12: the C# client's asynchronous CartPole vector env (128 envs, batches of 64) at least 1.5x its synchronous
# 64-env vector env of the same round, and HalfCheetah-v5 asynchronously (32 envs, batches of 16) at least 90% of the
# server's in-process rate for 32 envs on all cores.
MIN_ASYNC_OVER_SYNC_CARTPOLE = 1.5
MIN_ASYNC_HALFCHEETAH_OVER_IN_PROCESS = 0.9
MIN_NES_RAW_FPS = 2500
MIN_WRAPPED_NES_STEPS_PER_CORE = 600
# Issue 12, against outside anchors measured in the same run (scripts/bench-anchors): our A2C through the server at
# twice seed 000's in-process Python A2C or more. (Its target for the Python client, >= 1.0x Gymnasium's
# CartPoleVectorEnv(64), is set for the async 128-env batch-64 row; the synchronous rows show their ratio.)
MIN_A2C_OVER_SEED000 = 2.0
# Issue 12: SB3's PPO (rl-zoo3's CartPole settings) through ZeroGymVecEnv within 1.1x the wall time of the same run on
# SB3's DummyVecEnv of local Gymnasium envs (scripts/bench-sb3).
MAX_SB3_WALL_OVER_DUMMY = 1.1
# Issue 14: the built-in Acrobot, MountainCar and MountainCarContinuous in-process at 10x Gymnasium's own in-process
# step rate or more (scripts/bench-anchors; CartPole and Pendulum are shown beside them without a target).
MIN_CLASSIC_CONTROL_OVER_GYMNASIUM = 10.0
# Issue 15: every agent update at most 1.0x the same update in PyTorch on the same libtorch and thread count, measured
# in the same run. A twin is named as its C# benchmark with this prefix (its name may stop before the C# name's last
# detail, e.g. "CartPole sizes").
MAX_UPDATE_OVER_PYTORCH = 1.0
PYTORCH_TWIN_PREFIX = "pytorch "
CLASSIC_CONTROL_TARGETED = ("Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0")
CLASSIC_CONTROL_SHOWN = ("CartPole-v1", "Pendulum-v1")
SB3_PREFIX = "sb3 "
SB3_DUMMY = "sb3 PPO DummyVecEnv(8) local gymnasium"
SB3_ZEROGYM = "sb3 PPO ZeroGymVecEnv(8)"
SB3_REMOTE_SINGLES = "sb3 PPO DummyVecEnv(8) of remote envs"
GYMNASIUM_VECTOR_PREFIX = "gymnasium CartPoleVectorEnv("
GYMNASIUM_ONE_ENV = "gymnasium CartPole-v1 one env in-process"
SEED000_A2C = "seed000 A2C in-process (python)"
ZEROGYM_A2C = "zerogym A2C through the server (C#)"
ZEROGYM_A2C_OVERLAPPED = "zerogym A2C, 2 env groups overlapped (C#)"
FIGURES = ("wall_s", "mean_return", "env_step_us", "cpu_s", "server_cpu_s", "items_per_s", "items_per_cpu_s", "env_steps_per_s", "steps_per_s", "calls_per_s", "p50_us", "p90_us", "p99_us")


def rate(result):
    for key in ("items_per_s", "env_steps_per_s", "steps_per_s", "calls_per_s"):
        if key in result:
            return result[key]
    return float("nan")


def median_ratio(numerators, denominators, figure):
    """The median over rounds of figure(numerator) / figure(denominator), pairing the i-th run of each; None if none."""
    values = [figure(top) / figure(bottom) for top, bottom in zip(numerators, denominators)]
    return statistics.median(values) if values else None


def median_of(runs):
    merged = dict(runs[0])
    for key in FIGURES:
        values = [run[key] for run in runs if key in run]
        if values:
            merged[key] = statistics.median(values)
    return merged


def main(path):
    with open(path, encoding="utf-8") as lines:
        results = [json.loads(line) for line in lines if line.startswith("{")]
    rounds = defaultdict(list)
    for result in results:
        rounds[result["name"]].append(result)
    table = {name: median_of(runs) for name, runs in rounds.items()}

    header = ("benchmark", "runs", "env-steps/s", "per CPU-s", "calls/s", "p50 µs", "p90 µs", "p99 µs")
    def cell(result, key, digits=1):
        return f"{result[key]:,.{digits}f}" if key in result else ""
    rows = [(name, len(rounds[name]), f"{rate(r):,.0f}", cell(r, "items_per_cpu_s", 0), cell(r, "calls_per_s"), cell(r, "p50_us"),
             cell(r, "p90_us"), cell(r, "p99_us"))
            for name, r in table.items()]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    def show(row):
        return "  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w) for i, (v, w) in enumerate(zip(row, widths)))
    print(show(header))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(show(row))

    echoes = rounds.get("zeromq echo round trip", [])
    if echoes:
        print(f"\necho messages: {echoes[0]['request_bytes']} B request, {echoes[0]['reply_bytes']} B reply (a CartPole step's sizes)")

    def ratio(name):
        return median_ratio(rounds.get(name, []), echoes, lambda result: result["p50_us"])

    verdicts = []
    if (step_ratio := ratio("c# cartpole step")) is not None:
        verdicts.append((f"remote step p50 / echo p50 = {step_ratio:.2f} (target <= {MAX_STEP_OVER_ECHO})", step_ratio <= MAX_STEP_OVER_ECHO))
    if (python_ratio := ratio("python cartpole step")) is not None:
        print(f"python step p50 / echo p50 = {python_ratio:.2f} (the interpreter's cost included)")
    vector = next((r for name, r in table.items() if name.startswith("python cartpole vector")), None)
    if vector:
        verdicts.append((f"python 64-env vector: {rate(vector):,.0f} env-steps/s (target >= {MIN_PYTHON_VECTOR_ENV_STEPS:,})",
                         rate(vector) >= MIN_PYTHON_VECTOR_ENV_STEPS))
    raw, in_process = table.get("raw mujoco halfcheetah step (C loop)"), table.get("in-process halfcheetah step")
    if raw and in_process:
        share = rate(in_process) / rate(raw)
        verdicts.append((f"halfcheetah in-process / raw C loop = {share:.2f} (target >= {MIN_IN_PROCESS_OVER_RAW})",
                         share >= MIN_IN_PROCESS_OVER_RAW))
    remote_vector = table.get("c# halfcheetah vector 16 envs")
    if remote_vector and in_process:
        share = rate(remote_vector) / rate(in_process)
        verdicts.append((f"halfcheetah 16-env remote / in-process = {share:.2f} (target >= {MIN_REMOTE_VECTOR_OVER_IN_PROCESS})",
                         share >= MIN_REMOTE_VECTOR_OVER_IN_PROCESS))
    def round_ratio(name, baseline):
        pairs = list(zip(rounds.get(name, []), rounds.get(baseline, [])))
        return statistics.median(rate(run) / rate(base) for run, base in pairs) if pairs else None
    if (async_ratio := round_ratio("c# cartpole async vector 128/64", "c# cartpole vector 64 envs")) is not None:
        verdicts.append((f"c# async cartpole 128/64 / sync 64-env = {async_ratio:.2f} (target >= {MIN_ASYNC_OVER_SYNC_CARTPOLE})",
                         async_ratio >= MIN_ASYNC_OVER_SYNC_CARTPOLE))
    async_cheetah, all_cores = table.get("c# halfcheetah async vector 32/16"), table.get("in-process server handler halfcheetah vector 32 step")
    if async_cheetah and all_cores:
        share = rate(async_cheetah) / rate(all_cores)
        verdicts.append((f"halfcheetah async 32/16 remote / in-process 32 envs on all cores = {share:.2f} "
                         f"(target >= {MIN_ASYNC_HALFCHEETAH_OVER_IN_PROCESS})", share >= MIN_ASYNC_HALFCHEETAH_OVER_IN_PROCESS))
    def per_cpu(result):
        return f" ({result['items_per_cpu_s']:,.0f} per CPU-second)" if "items_per_cpu_s" in result else ""
    for name in ("raw nestopia frame (C loop, sound)", "raw nestopia frame (C loop, silent)"):
        if ceiling := table.get(name):
            print(f"ceiling, the core alone in C ({name.split(', ')[1][:-1]}): {rate(ceiling):,.0f} frames/s{per_cpu(ceiling)}")
    if nes_raw := table.get("nestopia raw frame"):
        verdicts.append((f"nestopia raw: {rate(nes_raw):,.0f} frames/s on one core{per_cpu(nes_raw)} (target >= {MIN_NES_RAW_FPS:,})",
                         rate(nes_raw) >= MIN_NES_RAW_FPS))
    if wrapped := table.get("in-process NES-v0 mario-wrapped step"):
        verdicts.append((f"mario-wrapped NES in-process: {rate(wrapped):,.0f} steps/s on one core{per_cpu(wrapped)} "
                         f"(target >= {MIN_WRAPPED_NES_STEPS_PER_CORE})", rate(wrapped) >= MIN_WRAPPED_NES_STEPS_PER_CORE))
    gymnasium_vector = next((name for name in rounds if name.startswith(GYMNASIUM_VECTOR_PREFIX)), None)
    for name in rounds:
        if gymnasium_vector and name.startswith("python cartpole vector"):
            print(f"{name} / {gymnasium_vector} = {median_ratio(rounds[name], rounds[gymnasium_vector], rate):.2f}")
    if GYMNASIUM_ONE_ENV in rounds and "python cartpole step" in rounds:
        print(f"python cartpole step / {GYMNASIUM_ONE_ENV} = "
              f"{median_ratio(rounds['python cartpole step'], rounds[GYMNASIUM_ONE_ENV], rate):.2f}")
    if (overlap_gain := median_ratio(rounds.get(ZEROGYM_A2C_OVERLAPPED, []), rounds.get(ZEROGYM_A2C, []), rate)) is not None:
        print(f"{ZEROGYM_A2C_OVERLAPPED} / {ZEROGYM_A2C} = {overlap_gain:.2f}")
    if (a2c_ratio := median_ratio(rounds.get(ZEROGYM_A2C, []), rounds.get(SEED000_A2C, []), rate)) is not None:
        verdicts.append((f"{ZEROGYM_A2C} / {SEED000_A2C} = {a2c_ratio:.2f} (target >= {MIN_A2C_OVER_SEED000})",
                         a2c_ratio >= MIN_A2C_OVER_SEED000))
    for name, runs in rounds.items():
        if name.startswith(SB3_PREFIX):
            walls = ", ".join(f"{run['wall_s']:.1f}" for run in runs)
            returns = ", ".join(str(run["mean_return"]) for run in runs)
            medians = table[name]
            server = f" + server {medians['server_cpu_s']:.1f}" if medians.get("server_cpu_s") else ""
            print(f"{name}: model.learn wall s by round {walls}; mean return of the last 100 episodes {returns}; "
                  f"medians: {medians['env_step_us']:.0f} µs a vector step, CPU s {medians['cpu_s']:.1f}{server}")
    def wall(result):
        return result["wall_s"]
    if (singles := median_ratio(rounds.get(SB3_REMOTE_SINGLES, []), rounds.get(SB3_DUMMY, []), wall)) is not None:
        print(f"{SB3_REMOTE_SINGLES} / {SB3_DUMMY} wall time = {singles:.2f}")
    if (sb3_ratio := median_ratio(rounds.get(SB3_ZEROGYM, []), rounds.get(SB3_DUMMY, []), wall)) is not None:
        verdicts.append((f"{SB3_ZEROGYM} / {SB3_DUMMY} wall time = {sb3_ratio:.2f} (target <= {MAX_SB3_WALL_OVER_DUMMY})",
                         sb3_ratio <= MAX_SB3_WALL_OVER_DUMMY))
    for env_id in CLASSIC_CONTROL_TARGETED + CLASSIC_CONTROL_SHOWN:
        ours, theirs = f"zerogym {env_id} one env in-process (C#)", f"gymnasium {env_id} one env in-process"
        if (speedup := median_ratio(rounds.get(ours, []), rounds.get(theirs, []), rate)) is None:
            continue
        text = f"{ours} / {theirs} = {speedup:.1f}"
        if env_id in CLASSIC_CONTROL_TARGETED:
            verdicts.append((f"{text} (target >= {MIN_CLASSIC_CONTROL_OVER_GYMNASIUM:g})", speedup >= MIN_CLASSIC_CONTROL_OVER_GYMNASIUM))
        else:
            print(text)
    for twin in [name for name in rounds if name.startswith(PYTORCH_TWIN_PREFIX)]:
        ours = twin_of(twin, rounds)
        if ours is None:
            continue
        p50 = median_ratio(rounds[ours], rounds[twin], lambda result: result["p50_us"])
        cpu = ""
        if all("cpu_us_per_call" in run for run in rounds[ours] + rounds[twin]):
            cpu = f", CPU time per call {median_ratio(rounds[ours], rounds[twin], lambda result: result['cpu_us_per_call']):.2f}x"
        verdicts.append((f"{ours} / PyTorch's: p50 {p50:.2f}x{cpu} (target <= {MAX_UPDATE_OVER_PYTORCH})", p50 <= MAX_UPDATE_OVER_PYTORCH))
    for text, ok in verdicts:
        print(f"{'PASS' if ok else 'MISS'}  {text}")


def twin_of(twin, rounds):
    """The C# benchmark whose PyTorch twin is named `twin`: the same name, or one that goes on where the twin's ends."""
    name = twin[len(PYTORCH_TWIN_PREFIX):]
    if name in rounds:
        return name
    stem = name.rstrip(")")
    return next((ours for ours in rounds if not ours.startswith(PYTORCH_TWIN_PREFIX) and ours.startswith(stem)), None)


if __name__ == "__main__":
    main(sys.argv[1])
