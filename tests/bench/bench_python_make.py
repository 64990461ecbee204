"""How long a client's make of a Python env (--python-env) takes, with the server's warm workers against without.

Two servers run side by side, one with --python-warm-workers 0 (each make starts Python, as before the pool) and one
with the default pool; makes alternate between them:

- a single env and a 4-env vector env (--python-workers 2: two workers), each make after a pause that lets the pool
  refill (--gap), alternating between the servers; then a burst of makes back to back on each server in turn, which
  empties the pool faster than it refills;
- the CPU time the idle pool's processes and the idle server use over --idle seconds (from /proc).

    /usr/bin/python3 tests/bench/bench_python_make.py [--makes N] [--gap S] [--idle S]

The table shows medians and quartiles; on a shared VM only ratios taken side by side mean anything.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_python_envs import start, stop, zerogym  # noqa: E402  (the same server start and client)

ENV = ["--python-env", "Counter-v0=toy_envs:Counter", "--python-workers", "2"]
SERVERS = {"cold (--python-warm-workers 0)": [*ENV, "--python-warm-workers", "0"], "warm (default pool)": ENV}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def timed_make(address: str, num_envs: int | None) -> float:
    started = time.perf_counter()
    env = zerogym.make("Counter-v0", address=address) if num_envs is None else zerogym.make_vec("Counter-v0", num_envs, address=address)
    elapsed = time.perf_counter() - started
    env.reset(seed=0)
    env.close()
    return elapsed


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def quartiles(values: list[float]) -> str:
    low, median, high = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else values * 3
    return f"{median * 1000:8.0f} ms  (quartiles {low * 1000:.0f}-{high * 1000:.0f}, n={len(values)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--makes", type=int, default=12, help="makes of each kind on each server")
    parser.add_argument("--gap", type=float, default=3.0, help="seconds between makes that let the pool refill")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds the idle pool's CPU time is measured over")
    arguments = parser.parse_args()

    servers = {name: start(*options) for name, options in SERVERS.items()}
    try:
        times: dict[tuple[str, str], list[float]] = {}
        kinds = (("single env, pool refilled", None, arguments.gap), ("4-env vector, pool refilled", 4, arguments.gap),
                 ("single env, back to back", None, 0.0))
        for kind, num_envs, gap in kinds:
            if gap > 0:  # alternating between the servers
                for _ in range(arguments.makes):
                    for name, (_, address, _) in servers.items():
                        time.sleep(gap)
                        times.setdefault((kind, name), []).append(timed_make(address, num_envs))
            else:  # a burst on one server, then on the other, after a pause that lets the pool refill
                for name, (_, address, _) in servers.items():
                    time.sleep(max(arguments.gap, 5.0))
                    times[(kind, name)] = [timed_make(address, num_envs) for _ in range(arguments.makes)]

        time.sleep(max(arguments.gap, 5.0))  # the pool refilled, the server idle
        process = servers["warm (default pool)"][0]
        pool = children(process.pid)
        before = {pid: cpu_seconds(pid) for pid in [process.pid, *pool]}
        time.sleep(arguments.idle)
        after = {pid: cpu_seconds(pid) for pid in before}
    finally:
        for process, _, _ in servers.values():
            stop(process)

    print(f"{'make of Counter-v0':30} {'server':32} median")
    for (kind, name), values in times.items():
        print(f"{kind:30} {name:32} {quartiles(values)}")
    for kind, _, _ in kinds:
        cold, warm = (statistics.median(times[(kind, name)]) for name in SERVERS)
        print(f"{kind}: warm / cold = {warm / cold:.2f}x")
    idle_pool = sum(after[pid] - before[pid] for pid in pool)
    print(f"idle for {arguments.idle:.0f} s: the pool's {len(pool)} workers used {idle_pool * 1000:.0f} ms of CPU, "
          f"the server {(after[process.pid] - before[process.pid]) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
