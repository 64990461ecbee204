"""The soak test behind scripts/soak: many client processes doing random work against one server for a long time.

Phases, against the server at ADDRESS whose process is SERVER_PID:
  1. quiet: one client steps CartPole every few milliseconds alone; its latencies are the unloaded baseline.
  2. flood: a second process pipelines vector-env steps as fast as the server takes them while the quiet client
     goes on; the quiet client's latencies show whether the flood starves it.
  3. soak: CLIENTS worker processes make, step, reset, render and close envs at random for the given minutes
     (some leave without closing, some send invalid actions on purpose); the quiet client keeps measuring and the
     server's resident memory is sampled every few seconds. The first 20% of the time is warm-up.
Memory is compared where the server holds the same: no envs but the quiet client's. After the warm-up and again at
the end the workers stop, the envs of those that vanished are closed by the server's idle timeout, and the server's
resident memory is read; a leak shows as growth between the two.
Prints steps served, errors (deliberate ones apart), memory, latency percentiles, and exits 1 when a target is
missed: an unexplained error, memory at the end more than 10% above its level after warm-up, or the quiet
client's p99 under flooding above 5x its unloaded p99.

    /usr/bin/python3 tests/soak/soak.py ADDRESS SERVER_PID --idle-timeout S [--minutes M] [--clients N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "clients" / "python"))

import zerogym  # noqa: E402
from zerogym.connection import Connection  # noqa: E402

QUIET_INTERVAL_S = 0.002
MEMORY_TOLERANCE = 0.10
LATENCY_TOLERANCE = 5.0


def server_rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def quiet_client(address: str, stop, phase, samples) -> None:
    """Steps CartPole every QUIET_INTERVAL_S and records each step's latency (µs) under the current phase's name."""
    env = zerogym.make("CartPole-v1", address=address, timeout=30)
    env.reset(seed=0)
    try:
        while not stop.is_set():
            started = time.perf_counter_ns()
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            samples.put((phase.value.decode(), (time.perf_counter_ns() - started) / 1000))
            if terminated or truncated:
                env.reset()
            time.sleep(QUIET_INTERVAL_S)
    finally:
        env.close()


def flooding_client(address: str, stop, counts) -> None:
    """Keeps up to 500 64-env steps in flight on one connection, reading replies only to make room for more."""
    import msgpack
    import zmq

    connection = Connection(address, 30)
    handle = connection.request({"op": "make", "env": "CartPole-v1", "num_envs": 64, "kwargs": {}})["handle"]
    connection.request({"op": "reset", "handle": handle, "seed": 0})
    raw = connection._socket  # the protocol allows pipelining; the Python client does not offer it
    action = {"dtype": "int64", "shape": [64], "data": bytes(8 * 64)}
    in_flight = sent = answered = 0
    while not stop.is_set():
        while in_flight < 500:
            raw.send(msgpack.packb({"id": 1_000_000 + sent, "op": "step", "handle": handle, "action": action}))
            sent += 1
            in_flight += 1
        while in_flight > 250 or raw.poll(0, zmq.POLLIN):
            raw.recv()
            in_flight -= 1
            answered += 1
    counts.put(("flood_requests", answered))
    connection.close()


def random_worker(address: str, seed: int, deadline: float, results) -> None:
    """Random sessions until the deadline; puts its tallies on ``results``."""
    rng = random.Random(seed)
    tally = {"steps": 0, "requests": 0, "deliberate_errors": 0, "unexplained": []}
    env_ids = [spec["id"] for spec in zerogym.list_envs(address)]
    while time.monotonic() < deadline:
        try:
            session(address, rng, env_ids, deadline, tally)
        except Exception:  # noqa: BLE001 - every failure is reported, none is expected
            tally["unexplained"].append(traceback.format_exc(limit=3))
            time.sleep(0.5)
    results.put(tally)


def session(address: str, rng: random.Random, env_ids: list[str], deadline: float, tally: dict) -> None:
    """One env's life: make, a few episodes of random length, maybe a render or a bad action, then close or vanish."""
    env_id = "HalfCheetah-v5" if "HalfCheetah-v5" in env_ids and rng.random() < 0.15 else "CartPole-v1"
    vector = rng.random() < 0.4
    # HalfCheetah's mjData alone is 2.4 MB (Gymnasium's nstack): vectors of 16 at most, as a real user would run.
    num_envs = rng.choice([2, 4, 16, 64] if env_id == "CartPole-v1" else [2, 4, 16]) if vector else 1
    render = not vector and rng.random() < 0.1
    kwargs = {"render_mode": "rgb_array"} if render else {}
    if vector:
        env = zerogym.make_vec(env_id, num_envs, address=address, timeout=60, **kwargs)
    else:
        env = zerogym.make(env_id, address=address, timeout=60, **kwargs)
    tally["requests"] += 1
    for _ in range(rng.randint(1, 4)):
        env.reset(seed=rng.randrange(2**31) if rng.random() < 0.5 else None)
        tally["requests"] += 1
        if rng.random() < 0.2:  # an invalid action on purpose, while the episode runs: refused, nothing changes
            try:
                env.step(np.full(env.action_space.shape, 7, dtype=np.int64) if env_id == "CartPole-v1"
                         else np.full(env.action_space.shape, np.nan, dtype=np.float32))
                tally["unexplained"].append("an invalid action was accepted")
            except zerogym.InvalidActionError:
                tally["deliberate_errors"] += 1
            tally["requests"] += 1
        for _ in range(rng.randint(1, 300)):
            if time.monotonic() > deadline:
                break
            result = env.step(env.action_space.sample())
            tally["requests"] += 1
            tally["steps"] += num_envs
            if not vector and (result[2] or result[3]):
                break
        if render:
            assert env.render().ndim == 3
            tally["requests"] += 1
    if rng.random() < 0.2:
        env._remote.connection.close()  # vanish without closing: the server's idle timeout must clean up
    else:
        env.close()
        tally["requests"] += 1


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("address")
    parser.add_argument("server_pid", type=int)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--phase-seconds", type=float, default=15.0, help="length of the quiet and flood phases")
    parser.add_argument("--idle-timeout", type=float, required=True, help="the server's --idle-timeout in seconds")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    stop_quiet, stop_flood = context.Event(), context.Event()
    phase = context.Array("c", 16)
    samples, results = context.Queue(), context.Queue()
    latencies: dict[str, list[float]] = {"unloaded": [], "flooded": [], "soak": []}

    def drain() -> None:
        while not samples.empty():
            name, micros = samples.get()
            latencies[name].append(micros)

    def wait(seconds: float, memory: list[tuple[float, int]] | None = None) -> None:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            time.sleep(min(2.0, max(0.0, until - time.monotonic())))
            drain()
            if memory is not None:
                memory.append((time.monotonic(), server_rss_bytes(args.server_pid)))

    memory_at_start = server_rss_bytes(args.server_pid)
    phase.value = b"unloaded"
    quiet = context.Process(target=quiet_client, args=(args.address, stop_quiet, phase, samples), daemon=True)
    quiet.start()
    print(f"soak: quiet client alone for {args.phase_seconds:.0f} s", file=sys.stderr)
    wait(args.phase_seconds)

    phase.value = b"flooded"
    flood_counts = context.Queue()
    flooder = context.Process(target=flooding_client, args=(args.address, stop_flood, flood_counts), daemon=True)
    flooder.start()
    print(f"soak: one client flooding for {args.phase_seconds:.0f} s", file=sys.stderr)
    wait(args.phase_seconds)
    stop_flood.set()
    flooder.join(30)
    flood_requests = flood_counts.get(timeout=10)[1] if not flood_counts.empty() else 0

    phase.value = b"soak"
    seconds = args.minutes * 60
    memory: list[tuple[float, int]] = []
    tallies: list[dict] = []

    def run_workers(duration: float, first_seed: int) -> None:
        deadline = time.monotonic() + duration
        workers = [context.Process(target=random_worker, args=(args.address, first_seed + i, deadline, results),
                                   daemon=True) for i in range(args.clients)]
        for worker in workers:
            worker.start()
        wait(duration, memory)
        tallies.extend(results.get(timeout=120) for _ in workers)
        for worker in workers:
            worker.join(30)

    def quiescent_rss() -> int:
        # The envs of workers that vanished are closed once they have been idle for the timeout (swept each second).
        wait(args.idle_timeout + 3)
        return server_rss_bytes(args.server_pid)

    warm_up = max(30.0, 0.2 * seconds)
    print(f"soak: {args.clients} random clients, warm-up {warm_up:.0f} s", file=sys.stderr)
    run_workers(warm_up, 0)
    warm = quiescent_rss()
    print(f"soak: {args.clients} random clients for {seconds - warm_up:.0f} s more", file=sys.stderr)
    run_workers(seconds - warm_up, 1000)
    end = quiescent_rss()
    stop_quiet.set()
    quiet.join(30)
    drain()
    peak = max(rss for _, rss in memory)

    unexplained = [failure for tally in tallies for failure in tally["unexplained"]]
    figures = {
        "minutes": args.minutes,
        "clients": args.clients,
        "steps_served": sum(tally["steps"] for tally in tallies),
        "requests": sum(tally["requests"] for tally in tallies),
        "deliberate_errors": sum(tally["deliberate_errors"] for tally in tallies),
        "unexplained_errors": len(unexplained),
        "memory_mib": {"start": memory_at_start / 2**20, "after_warm_up": warm / 2**20, "end": end / 2**20,
                       "peak_under_load": peak / 2**20},
        "flood_requests": flood_requests,
        "quiet_latency_us": {name: {"n": len(values), "p50": percentile(values, 50), "p99": percentile(values, 99)}
                             for name, values in latencies.items()},
    }
    growth = end / warm - 1
    ratio = figures["quiet_latency_us"]["flooded"]["p99"] / figures["quiet_latency_us"]["unloaded"]["p99"]
    checks = [
        (f"unexplained errors: {len(unexplained)}", not unexplained),
        (f"server memory end vs after warm-up: {growth:+.1%} (limit +{MEMORY_TOLERANCE:.0%})", growth <= MEMORY_TOLERANCE),
        (f"quiet p99 flooded / unloaded: {ratio:.2f}x (limit {LATENCY_TOLERANCE:g}x)", ratio <= LATENCY_TOLERANCE),
    ]

    latency = figures["quiet_latency_us"]
    print(f"steps served        {figures['steps_served']:,} env-steps in {figures['requests']:,} requests "
          f"({figures['steps_served'] / seconds:,.0f} env-steps/s)")
    print(f"errors              {figures['unexplained_errors']} unexplained, "
          f"{figures['deliberate_errors']} deliberate (invalid actions, all refused)")
    mem = figures["memory_mib"]
    print(f"server memory (RSS) start {mem['start']:.1f} MiB; with no envs open: after warm-up "
          f"{mem['after_warm_up']:.1f} MiB, end {mem['end']:.1f} MiB; peak under load {mem['peak_under_load']:.1f} MiB")
    for name in ("unloaded", "flooded", "soak"):
        print(f"quiet client {name:9s} p50 {latency[name]['p50']:8.0f} µs  p99 {latency[name]['p99']:8.0f} µs  "
              f"({latency[name]['n']} steps)")
    print(f"flooder             {flood_requests:,} 64-env steps in {args.phase_seconds:.0f} s")
    for text, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    for failure in unexplained[:5]:
        print(f"unexplained error:\n{failure}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(figures | {"checks": [[text, passed] for text, passed in checks]}, indent=2))
    return 0 if all(passed for _, passed in checks) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
