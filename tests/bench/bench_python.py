"""Throughput and latency of CartPole through the Python client, one JSON object per line.

    /usr/bin/python3 tests/bench/bench_python.py --address tcp://127.0.0.1:5555 [--seconds 5] [--num-envs 64] [--spin-us N]
        [--async-envs 128] [--batch-size 64]

(a) one CartPole env: reset, then random actions, resetting when an episode ends. ``steps_per_s`` counts steps over
    the whole loop (resets included); the latencies are those of ``step`` calls alone, in microseconds.
(b) a vector env of ``--num-envs`` CartPoles (next-step autoreset): ``env_steps_per_s`` is num_envs × calls/s; the
    latencies are those of one batched ``step`` call.
(c) the asynchronous vector env, ``--async-envs`` CartPoles answering ``--batch-size`` at a time, in EnvPool's loop
    (``recv``, then ``send`` random actions to the batch's sub-envs): ``env_steps_per_s`` is batch_size × loops/s; the
    latencies are those of one ``recv`` + ``send``.
(d) only when ``gymnasium`` is importable: Gymnasium's numpy-vectorised ``CartPoleVectorEnv`` of ``--num-envs``
    in-process, the figure the asynchronous env is held to (issue 12).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

try:
    import zerogym
except ImportError:  # Run from a checkout: use the client next to these tests.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "clients" / "python"))
    import zerogym

ENV_ID = "CartPole-v1"
# Actions are drawn ahead of time in blocks so that drawing them costs nothing inside the timed loop.
ACTION_BLOCK = 4096


def latency_percentiles(latencies_ns: list[int]) -> dict[str, float]:
    p50, p90, p99 = np.percentile(np.asarray(latencies_ns, dtype=np.float64) / 1000.0, [50, 90, 99])
    return {"p50_us": round(p50, 2), "p90_us": round(p90, 2), "p99_us": round(p99, 2)}


def timed_single_steps(env, seconds: float, rng: np.random.Generator) -> tuple[int, int, int, list[int]]:
    """Random actions through one env for ``seconds``, resetting when an episode ends (resets counted in).

    Returns (steps, wall ns, CPU ns of this process, per-step latencies in ns)."""
    latencies: list[int] = []
    env.reset(seed=0)
    steps = 0
    clock = time.perf_counter_ns
    start, cpu_start = clock(), time.process_time_ns()
    deadline = start + int(seconds * 1e9)
    while clock() < deadline:
        for action in rng.integers(0, 2, ACTION_BLOCK).tolist():
            before = clock()
            _, _, terminated, truncated, _ = env.step(action)
            latencies.append(clock() - before)
            if terminated or truncated:
                env.reset()
        steps += ACTION_BLOCK
    return steps, clock() - start, time.process_time_ns() - cpu_start, latencies


def timed_vector_steps(envs, seconds: float, rng: np.random.Generator) -> tuple[int, int, int, list[int]]:
    """Random actions through a vector env for ``seconds`` (it autoresets by itself).

    Returns (calls, wall ns, CPU ns of this process, per-call latencies in ns)."""
    num_envs = envs.num_envs
    latencies: list[int] = []
    envs.reset(seed=0)
    calls = 0
    clock = time.perf_counter_ns
    start, cpu_start = clock(), time.process_time_ns()
    deadline = start + int(seconds * 1e9)
    while clock() < deadline:
        block = rng.integers(0, 2, (256, num_envs))
        for actions in block:
            before = clock()
            envs.step(actions)
            latencies.append(clock() - before)
        calls += len(block)
    return calls, clock() - start, time.process_time_ns() - cpu_start, latencies


def bench_single(address: str, seconds: float, rng: np.random.Generator, spin_us: int | None) -> dict[str, object]:
    with zerogym.make(ENV_ID, address=address, spin_us=spin_us) as env:
        steps, wall_ns, _, latencies = timed_single_steps(env, seconds, rng)
    return {"name": "python cartpole step", "steps_per_s": round(steps / (wall_ns / 1e9), 1),
            **latency_percentiles(latencies)}


def bench_vector(address: str, seconds: float, num_envs: int, rng: np.random.Generator,
                 spin_us: int | None) -> dict[str, object]:
    with zerogym.make_vec(ENV_ID, num_envs, address=address, spin_us=spin_us) as envs:
        calls, wall_ns, _, latencies = timed_vector_steps(envs, seconds, rng)
    elapsed = wall_ns / 1e9
    return {"name": f"python cartpole vector{num_envs} step", "num_envs": num_envs,
            "env_steps_per_s": round(calls * num_envs / elapsed, 1), "calls_per_s": round(calls / elapsed, 1),
            **latency_percentiles(latencies)}


def bench_async_vector(address: str, seconds: float, num_envs: int, batch_size: int, rng: np.random.Generator,
                       spin_us: int | None) -> dict[str, object]:
    latencies: list[int] = []
    with zerogym.make_vec(ENV_ID, num_envs, batch_size=batch_size, address=address, spin_us=spin_us) as envs:
        envs.async_reset(seed=0)
        loops = 0
        clock = time.perf_counter_ns
        start = clock()
        deadline = start + int(seconds * 1e9)
        while clock() < deadline:
            block = rng.integers(0, 2, (256, batch_size))
            for actions in block:
                before = clock()
                env_id = envs.recv()[4]["env_id"]
                envs.send(actions, env_id)
                latencies.append(clock() - before)
            loops += len(block)
        elapsed = (clock() - start) / 1e9
    return {"name": f"python async vector {num_envs}/{batch_size}", "num_envs": num_envs, "batch_size": batch_size,
            "env_steps_per_s": round(loops * batch_size / elapsed, 1), "calls_per_s": round(loops / elapsed, 1),
            **latency_percentiles(latencies)}


def bench_gymnasium_vector(seconds: float, num_envs: int, rng: np.random.Generator) -> dict[str, object] | None:
    try:
        import gymnasium
    except ImportError:
        return None
    envs = gymnasium.make_vec(ENV_ID, num_envs, vectorization_mode="vector_entry_point")
    calls, wall_ns, _, _ = timed_vector_steps(envs, seconds, rng)
    elapsed = wall_ns / 1e9
    envs.close()
    return {"name": f"gymnasium in-process CartPoleVectorEnv {num_envs}", "num_envs": num_envs,
            "env_steps_per_s": round(calls * num_envs / elapsed, 1), "calls_per_s": round(calls / elapsed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=zerogym.DEFAULT_ADDRESS, help="the server's endpoint")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each measurement")
    parser.add_argument("--num-envs", type=int, default=64, help="copies in the vector env")
    parser.add_argument("--spin-us", type=int, default=None,
                        help="microseconds the client polls for each reply before blocking (default: ZEROGYM_SPIN_US)")
    parser.add_argument("--async-envs", type=int, default=128, help="copies in the asynchronous vector env")
    parser.add_argument("--batch-size", type=int, default=64, help="sub-envs each recv of the asynchronous env answers")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(json.dumps(bench_single(args.address, args.seconds, rng, args.spin_us)), flush=True)
    print(json.dumps(bench_vector(args.address, args.seconds, args.num_envs, rng, args.spin_us)), flush=True)
    print(json.dumps(bench_async_vector(args.address, args.seconds, args.async_envs, args.batch_size, rng,
                                        args.spin_us)), flush=True)
    if (in_process := bench_gymnasium_vector(args.seconds, args.num_envs, rng)) is not None:
        print(json.dumps(in_process), flush=True)


if __name__ == "__main__":
    main()
