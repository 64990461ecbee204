"""Python envs behind the server (--python-env), measured against built-in envs in the same run (issue 14's targets):

- one remote step of a µs-scale Python env (tests/python_envs Counter) against one of built-in CartPole-v1;
- an 8-env vector of a Python env whose step burns 1 ms of CPU (Burn) against one such env, in env-steps per second;
- two clients each stepping a single Burn env at the same time against one client alone (the server calls single
  envs in worker processes off its loop thread, so the two run side by side);
- the server's start-up (spawn to "listening") with one --python-env against without.

    /usr/bin/python3 tests/bench/bench_python_envs.py [--seconds S] [--rounds R] [--compare-zeromq]

``--compare-zeromq`` also measures both single steps on a server started with ``--no-local-stream``, in the same
rounds: the client's hop to the server and the server's hop to the worker then both stay on ZeroMQ, as before the
same-host stream (SPEC.md §1.1).

Rounds are interleaved and the table shows medians: on a shared VM only ratios taken side by side mean anything.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "clients" / "python"))
import zerogym  # noqa: E402

SERVER = ["dotnet", str(REPO / "artifacts" / "bin" / "ZeroGym.EnvServer" / "release" / "ZeroGym.EnvServer.dll")]
PYTHON_ENVS = ["--python-env", "Counter-v0=toy_envs:Counter", "--python-env", "Burn-v0=toy_envs:Burn"]
ENVIRONMENT = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "tests" / "python_envs"), os.environ.get("PYTHONPATH")])))


def start(*options: str) -> tuple[subprocess.Popen, str, float]:
    """A server; its address and the seconds from spawn to its "listening" line."""
    started = time.perf_counter()
    process = subprocess.Popen([*SERVER, "--bind", "tcp://127.0.0.1:*", *options], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=ENVIRONMENT)
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    if not line.startswith("zerogym-server listening on "):
        raise SystemExit(f"the server did not start: {line!r}")
    return process, line.split()[-1], elapsed


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(30)


def steps_per_second(env, seconds: float, action) -> float:
    env.reset(seed=0)
    count, deadline = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        for _ in range(20):
            _, _, terminated, truncated, _ = env.step(action)
            if not np.ndim(terminated) and (terminated or truncated):
                env.reset()
        count += 20
    return count / (time.perf_counter() - started)


def steps_per_second_together(envs, seconds: float, action) -> float:
    """The env-steps per second of ``envs`` stepped at the same time, one client thread each (the client waits on its
    socket without the GIL)."""
    rates = [0.0] * len(envs)

    def run(i: int) -> None:
        rates[i] = steps_per_second(envs[i], seconds, action)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(envs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(rates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare-zeromq", action="store_true",
                        help="also the single steps on a server with --no-local-stream, in the same rounds")
    arguments = parser.parse_args()

    startup = {"plain": [], "one --python-env": []}
    for _ in range(arguments.rounds):
        for name, options in (("plain", []), ("one --python-env", ["--python-env", "Counter-v0=toy_envs:Counter"])):
            process, _, elapsed = start(*options)
            startup[name].append(elapsed)
            stop(process)

    process, address, _ = start(*PYTHON_ENVS)
    zeromq_process = None
    try:
        cartpole = zerogym.make("CartPole-v1", address=address)
        counter = zerogym.make("Counter-v0", address=address, goal=10**9)
        burn = zerogym.make("Burn-v0", address=address)
        other_burn = zerogym.make("Burn-v0", address=address)
        burn8 = zerogym.make_vec("Burn-v0", 8, address=address)
        envs = [cartpole, counter, burn, other_burn, burn8]
        rates: dict[str, list[float]] = {"CartPole-v1 step": [], "Counter-v0 step": [], "Burn-v0 x1": [], "Burn-v0 x1, two clients": [],
                                         "Burn-v0 x8": []}
        if arguments.compare_zeromq:
            zeromq_process, zeromq_address, _ = start(*PYTHON_ENVS, "--no-local-stream")
            zeromq_cartpole = zerogym.make("CartPole-v1", address=zeromq_address)
            zeromq_counter = zerogym.make("Counter-v0", address=zeromq_address, goal=10**9)
            envs += [zeromq_cartpole, zeromq_counter]
            rates.update({"CartPole-v1 step, ZeroMQ": [], "Counter-v0 step, ZeroMQ": []})
        for _ in range(arguments.rounds):
            rates["CartPole-v1 step"].append(steps_per_second(cartpole, arguments.seconds, 1))
            rates["Counter-v0 step"].append(steps_per_second(counter, arguments.seconds, 1))
            if arguments.compare_zeromq:
                rates["CartPole-v1 step, ZeroMQ"].append(steps_per_second(zeromq_cartpole, arguments.seconds, 1))
                rates["Counter-v0 step, ZeroMQ"].append(steps_per_second(zeromq_counter, arguments.seconds, 1))
            rates["Burn-v0 x1"].append(steps_per_second(burn, arguments.seconds, 1))
            rates["Burn-v0 x1, two clients"].append(steps_per_second_together([burn, other_burn], arguments.seconds, 1))
            rates["Burn-v0 x8"].append(8 * steps_per_second(burn8, arguments.seconds, np.ones(8, dtype=np.int64)))
        for env in envs:
            env.close()
    finally:
        stop(process)
        if zeromq_process is not None:
            stop(zeromq_process)

    median = {name: statistics.median(values) for name, values in rates.items()}
    print(f"{'benchmark':34} {'median':>14}   rounds")
    for name, values in rates.items():
        unit = "µs/step" if "step" in name else "env-steps/s"
        shown = (lambda v: 1e6 / v) if unit == "µs/step" else (lambda v: v)
        print(f"{name:34} {shown(median[name]):10.1f} {unit:11} {' '.join(f'{shown(v):.1f}' for v in values)}")
    for name, values in startup.items():
        print(f"{'start-up, ' + name:34} {statistics.median(values) * 1000:10.0f} ms          {' '.join(f'{v * 1000:.0f}' for v in values)}")
    print(f"Python step / CartPole step: {median['CartPole-v1 step'] / median['Counter-v0 step']:.2f}x (target <= 1.5x)")
    if arguments.compare_zeromq:
        print(f"  the same on ZeroMQ only:    "
              f"{median['CartPole-v1 step, ZeroMQ'] / median['Counter-v0 step, ZeroMQ']:.2f}x; a Python step on ZeroMQ "
              f"takes {median['Counter-v0 step'] / median['Counter-v0 step, ZeroMQ']:.2f}x its time on the stream")
    print(f"8-env Burn / 1-env Burn:     {median['Burn-v0 x8'] / median['Burn-v0 x1']:.2f}x (target >= 1.8x)")
    print(f"two clients' Burn / one's:   {median['Burn-v0 x1, two clients'] / median['Burn-v0 x1']:.2f}x (side by side on two cores: ~2x)")
    print(f"start-up added:              {(statistics.median(startup['one --python-env']) - statistics.median(startup['plain'])) * 1000:.0f} ms (target <= 1000 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
