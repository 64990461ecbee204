"""The outside anchors of issue 12's targets, one JSON object per line (tests/bench/report.py tabulates them).

    /usr/bin/python3 tests/bench/bench_anchors.py gymnasium [--seconds 3] [--num-envs 64]
    /usr/bin/python3 tests/bench/bench_anchors.py classic-control [--seconds 3]
    /usr/bin/python3 tests/bench/bench_anchors.py seed000 --script ../shared/anchors/seed000_a2c.py [--seed 0]
    /usr/bin/python3 tests/bench/bench_anchors.py zerogym-a2c --agents-dll artifacts/bin/.../ZeroGym.Agents.dll
                                                  [--steps 200000] [--seed 1]

gymnasium    Gymnasium's CartPole in this process, random actions drawn ahead of time: its numpy-vectorised
             ``CartPoleVectorEnv`` (``make_vec(..., vectorization_mode="vector_entry_point")``), ``SyncVectorEnv``
             over as many single envs, and one env (resetting when an episode ends). Vector rows count
             env-steps = num_envs x calls. Gymnasium must be importable (scripts/bench-anchors puts its source on
             PYTHONPATH).
classic-control  Gymnasium's Acrobot-v1, MountainCar-v0, MountainCarContinuous-v0, CartPole-v1 and Pendulum-v1, one
             env each made with ``gymnasium.make`` in this process, random actions drawn ahead of time, a reset when an
             episode ends (ZeroGym.Bench classic-control times ours the same way).
seed000      Seed 000's A2C ported to Gymnasium 1.x (the shared anchor script), run as it runs: 32 envs stepped one
             after another in one process, until its 'success'. Its own clock starts once the envs and the network
             exist and stops at success; the row gives env-steps (updates x 5 x 32) per second of that clock.
zerogym-a2c  Our A2C (scripts/train a2c: a local server of its own, 32 envs, seed 000's settings) for a fixed step
             budget with evaluation off; with --overlap, the same run with two env groups overlapping step and compute. The rate runs from the first progress line (printed after the first
             vector step, so connecting, making the envs and loading libtorch are left out, as seed000's clock
             leaves them out) to the final line (the final checkpoint and curve included); the whole run's rate,
             as train prints it, is given too.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

from bench_python import latency_percentiles, timed_single_steps, timed_vector_steps

ENV_ID = "CartPole-v1"
SEED000_ROW = "seed000 A2C in-process (python)"
ZEROGYM_A2C_ROW = "zerogym A2C through the server (C#)"
ZEROGYM_A2C_OVERLAPPED_ROW = "zerogym A2C, 2 env groups overlapped (C#)"
# scripts/train's progress line ("step 32/200,000 (0.0%) | 31 steps/s | ...") and its final line
# ("train: finished a2c on CartPole-v1 at step 200,000 of 200,000 in 00:00:04 (43,190 steps/s), ...").
PROGRESS_LINE = re.compile(r"^step ([\d,]+)/")
FINISHED_LINE = re.compile(r"^train: finished \S+ on \S+ at step ([\d,]+) of [\d,]+ in \S+ \(([\d,]+) steps/s\)")


def emit(row: dict[str, object]) -> None:
    print(json.dumps(row), flush=True)


def rates(steps: int, wall_ns: int, cpu_ns: int, calls: int | None = None) -> dict[str, float]:
    """Env-steps per second of wall time and of this process's CPU time (the rate per core on a busy machine)."""
    row = {"env_steps_per_s": round(steps / (wall_ns / 1e9), 1), "items_per_cpu_s": round(steps / (cpu_ns / 1e9), 1)}
    if calls is not None:
        row["calls_per_s"] = round(calls / (wall_ns / 1e9), 1)
    return row


def time_vector(envs, name: str, seconds: float, rng: np.random.Generator) -> dict[str, object]:
    """Random actions through a Gymnasium vector env for ``seconds``; its autoreset needs no reset calls."""
    calls, wall, cpu, latencies = timed_vector_steps(envs, seconds, rng)
    envs.close()
    return {"name": name, "num_envs": envs.num_envs, **rates(calls * envs.num_envs, wall, cpu, calls),
            **latency_percentiles(latencies)}


def time_single(env, name: str, seconds: float, rng: np.random.Generator) -> dict[str, object]:
    """Random actions through one Gymnasium env for ``seconds``, resetting when an episode ends (resets counted in)."""
    steps, wall, cpu, latencies = timed_single_steps(env, seconds, rng)
    env.close()
    return {"name": name, **rates(steps, wall, cpu), **latency_percentiles(latencies)}


def bench_gymnasium(args: argparse.Namespace) -> None:
    import gymnasium

    if int(gymnasium.__version__.split(".")[0]) < 1:
        raise SystemExit(f"bench_anchors: expected Gymnasium 1.x (make_vec with vector_entry_point); found "
                         f"{gymnasium.__version__} at {gymnasium.__file__}")
    version = {"gymnasium": gymnasium.__version__}
    rng = np.random.default_rng(0)
    n = args.num_envs
    vector = gymnasium.make_vec(ENV_ID, n, vectorization_mode="vector_entry_point")
    emit({**time_vector(vector, f"gymnasium CartPoleVectorEnv({n}) in-process", args.seconds, rng), **version})
    sync = gymnasium.make_vec(ENV_ID, n, vectorization_mode="sync")
    emit({**time_vector(sync, f"gymnasium SyncVectorEnv({n}) in-process", args.seconds, rng), **version})
    emit({**time_single(gymnasium.make(ENV_ID), "gymnasium CartPole-v1 one env in-process", args.seconds, rng), **version})


# Issue 14: the built-in classic-control envs against Gymnasium's own, one env each in-process (the C# rows come from
# ZeroGym.Bench classic-control, named "zerogym <id> one env in-process (C#)").
CLASSIC_CONTROL_IDS = ("Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "CartPole-v1", "Pendulum-v1")


def time_env_steps(env, seconds: float, seed: int) -> tuple[int, int, int]:
    """Random actions (drawn ahead of time from the action space) through one env for ``seconds``, resetting when an
    episode ends, without per-step clocks, as ZeroGym.Bench's in-process rows. Returns (steps, wall ns, CPU ns)."""
    env.action_space.seed(seed)
    actions = [env.action_space.sample() for _ in range(4096)]
    env.reset(seed=seed)
    steps, clock = 0, time.perf_counter_ns
    start, cpu_start = clock(), time.process_time_ns()
    deadline = start + int(seconds * 1e9)
    while clock() < deadline:
        for action in actions:
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                env.reset()
        steps += len(actions)
    return steps, clock() - start, time.process_time_ns() - cpu_start


def bench_classic_control(args: argparse.Namespace) -> None:
    import gymnasium

    for env_id in CLASSIC_CONTROL_IDS:
        env = gymnasium.make(env_id)
        steps, wall, cpu = time_env_steps(env, args.seconds, 0)
        env.close()
        emit({"name": f"gymnasium {env_id} one env in-process", **rates(steps, wall, cpu), "gymnasium": gymnasium.__version__})


def bench_seed000(args: argparse.Namespace) -> None:
    # The script reads GYMNASIUM_PATH itself; its evaluation after the timed run is cut to one episode each way.
    command = [sys.executable, args.script, "--seed", str(args.seed), "--threads", str(args.threads), "--eval-episodes", "1"]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    summary = next((line for line in finished.stdout.splitlines() if line.startswith("SUMMARY ")), None)
    if finished.returncode != 0 or summary is None:
        raise SystemExit(f"bench_anchors: expected a SUMMARY line from {' '.join(command)}; it exited with "
                         f"{finished.returncode}:\n{finished.stdout[-2000:]}{finished.stderr[-2000:]}")
    result = json.loads(summary[len("SUMMARY "):])
    emit({"name": SEED000_ROW, "env_steps_per_s": round(result["env_steps_per_s"], 1), "env_steps": result["env_steps"],
          "updates": result["updates"], "us_per_update": round(result["us_per_update"], 1), "success": result["success"],
          "seed": args.seed, "threads": args.threads, "torch": result["versions"]["torch"],
          "gymnasium": result["versions"]["gymnasium"]})


def bench_zerogym_a2c(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-anchors-a2c-") as directory:
        command = ["dotnet", args.agents_dll, "train", "a2c", "--env", ENV_ID, "--seed", str(args.seed),
                   "--total-steps", str(args.steps), "--eval-every", "0", "--run-dir", os.path.join(directory, "run")]
        if args.overlap:
            command += ["--set", "env_groups=2"]
        first = finished = None
        output: list[str] = []
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as train:
            assert train.stdout is not None
            for line in train.stdout:
                output.append(line)
                if first is None and (progress := PROGRESS_LINE.match(line)):
                    first = (time.perf_counter_ns(), int(progress.group(1).replace(",", "")))
                elif match := FINISHED_LINE.match(line):
                    finished = (time.perf_counter_ns(), int(match.group(1).replace(",", "")), int(match.group(2).replace(",", "")))
        if train.returncode != 0 or first is None or finished is None:
            raise SystemExit(f"bench_anchors: expected a progress line and a 'train: finished' line from {' '.join(command)}; "
                             f"it exited with {train.returncode}:\n{''.join(output[-40:])}")
    (first_ns, first_step), (end_ns, last_step, whole_run_rate) = first, finished
    emit({"name": ZEROGYM_A2C_OVERLAPPED_ROW if args.overlap else ZEROGYM_A2C_ROW, "env_steps_per_s": round((last_step - first_step) / ((end_ns - first_ns) / 1e9), 1),
          "whole_run_env_steps_per_s": whole_run_rate, "env_steps": last_step, "seed": args.seed})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    gym_command = commands.add_parser("gymnasium", help="Gymnasium's CartPole in-process: numpy vector, SyncVectorEnv, one env")
    gym_command.add_argument("--seconds", type=float, default=3.0, help="duration of each measurement")
    gym_command.add_argument("--num-envs", type=int, default=64, help="copies in the vector envs")
    gym_command.set_defaults(run=bench_gymnasium)
    classic = commands.add_parser("classic-control", help="Gymnasium's classic-control envs in-process, one env each")
    classic.add_argument("--seconds", type=float, default=3.0, help="duration of each measurement")
    classic.set_defaults(run=bench_classic_control)
    seed000 = commands.add_parser("seed000", help="seed 000's A2C in-process until its success")
    seed000.add_argument("--script", required=True, help="the anchor script (../shared/anchors/seed000_a2c.py)")
    seed000.add_argument("--seed", type=int, default=0)
    seed000.add_argument("--threads", type=int, default=1, help="torch threads (the anchor's documented setting: 1)")
    seed000.set_defaults(run=bench_seed000)
    a2c = commands.add_parser("zerogym-a2c", help="our A2C through a local server for a fixed step budget")
    a2c.add_argument("--agents-dll", required=True, help="artifacts/bin/ZeroGym.Agents/release/ZeroGym.Agents.dll")
    a2c.add_argument("--steps", type=int, default=200_000, help="env-step budget (all 32 sub-envs)")
    a2c.add_argument("--seed", type=int, default=1)
    a2c.add_argument("--overlap", action="store_true",
                     help="two groups of 16 envs, each stepping while the other's actions are drawn (--set env_groups=2)")
    a2c.set_defaults(run=bench_zerogym_a2c)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
