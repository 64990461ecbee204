"""Serves Gymnasium's own envs through the server (--python-env ENV_ID) and checks that their trajectories are
identical to local Gymnasium's for the same seeds and actions; skips when Gymnasium is not importable.

    PYTHONPATH=/tmp/gymnasium-src /usr/bin/python3 tests/interop/compare_gymnasium_envs.py [--steps N] [--seeds K]

Gymnasium is never committed: put its public source under /tmp. The server (artifacts/bin/ZeroGym.EnvServer) is
started with this PYTHONPATH, so its workers import the same Gymnasium as this script.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "clients" / "python"))
SERVER_DLL = REPO / "artifacts" / "bin" / "ZeroGym.EnvServer" / "release" / "ZeroGym.EnvServer.dll"
ENV_IDS = ["FrozenLake-v1", "Taxi-v4", "Blackjack-v1"]
# Built in under their own ids: Gymnasium's code is served under another id, made by gymnasium_twins.py.
TWINS = {"Acrobot-v1": "Gym-Acrobot-v1=gymnasium_twins:acrobot",
         "MountainCarContinuous-v0": "Gym-MountainCarContinuous-v0=gymnasium_twins:mountain_car_continuous"}


def same(a, b) -> bool:
    """Exact equality of observations, rewards and infos: arrays by dtype-free value (NaN equal), tuples and dicts member by member."""
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))


def compare(gymnasium, zerogym, env_id: str, served_as: str, address: str, seeds: int, steps: int) -> int:
    """Steps compared; raises AssertionError at the first difference."""
    local = gymnasium.make(env_id)
    remote = zerogym.make(served_as, address=address)
    compared = 0
    try:
        for seed in range(seeds):
            actions = local.action_space
            actions.seed(seed)
            local_reset, remote_reset = local.reset(seed=seed), remote.reset(seed=seed)
            assert same(local_reset, remote_reset), f"{env_id} seed {seed}: reset {local_reset} != {remote_reset}"
            for t in range(steps):
                action = actions.sample()
                expected, got = local.step(action), remote.step(action)
                assert same(expected, got), f"{env_id} seed {seed} step {t} action {action}: {expected} != {got}"
                compared += 1
                if expected[2] or expected[3]:
                    expected, got = local.reset(), remote.reset()
                    assert same(expected, got), f"{env_id} seed {seed} reset after step {t}: {expected} != {got}"
    finally:
        local.close()
        remote.close()
    return compared


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="steps per seed")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..K-1")
    arguments = parser.parse_args()
    try:
        import gymnasium
    except ImportError:
        print("skipped: Gymnasium is not importable (put its source on PYTHONPATH)")
        return 0
    import zerogym

    env_ids = [env_id if env_id in gymnasium.registry else env_id.replace("Taxi-v4", "Taxi-v3") for env_id in ENV_IDS]
    served = {env_id: env_id for env_id in env_ids} | {env_id: twin.split("=")[0] for env_id, twin in TWINS.items()}
    command = ["dotnet", str(SERVER_DLL), "--bind", "tcp://127.0.0.1:*",
               *[f"--python-env={env_id}" for env_id in env_ids], *[f"--python-env={twin}" for twin in TWINS.values()]]
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent), environment.get("PYTHONPATH")]))
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment)
    try:
        line = server.stdout.readline()
        if not line.startswith("zerogym-server listening on "):
            print(f"the server did not start: {line!r}", file=sys.stderr)
            return 1
        address = line.split()[-1]
        sources = {spec["id"]: spec.get("source") for spec in zerogym.list_envs(address)}
        for env_id, served_as in served.items():
            count = compare(gymnasium, zerogym, env_id, served_as, address, arguments.seeds, arguments.steps)
            print(f"{env_id:26} as {served_as} ({sources[served_as]}): {arguments.seeds} seeds, {count} steps identical "
                  f"to local Gymnasium {gymnasium.__version__}", flush=True)
    finally:
        server.terminate()
        server.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
