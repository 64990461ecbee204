"""Records Gymnasium's Acrobot-v1, MountainCar-v0 and MountainCarContinuous-v0 trajectories as test data.

The C# tests (tests/ZeroGym.Tests/Envs/ClassicControl/GymnasiumTrajectoryTests.cs) replay the recorded actions on
the built-in envs and compare every observation, reward, flag and float64 state bit for bit.

    PYTHONPATH=/tmp/gymnasium-src /usr/bin/python3 tests/interop/record_classic_control.py OUT_DIR

Gymnasium's source is not part of this project: fetch it under /tmp (the README's bench-anchors section says how).
Two numpy settings are fixed here, before numpy is imported, so the recording does not depend on the machine:

- NPY_DISABLE_CPU_FEATURES turns off numpy's AVX-512 float64 sin/cos (Intel SVML), which differ from the C
  library's in the last bit on machines that have AVX-512 (numpy issue 23523). Without AVX-512, numpy's float64
  sin/cos are the C library's, as everywhere else.
- NPY_PROMOTION_STATE=weak gives numpy 2's promotion rules (NEP 50) on numpy 1.24: a Python float meeting a float32
  scalar stays float32. It changes MountainCarContinuous only (its state is float32 between steps); Acrobot and
  MountainCar compute in float64 either way.

Each env gets one JSON file: the versions used, then episodes of {seed, options, kwargs, reset, steps}. Floats are
written as the hex digits of their IEEE bits (8 for float32, 16 for float64), so nothing is lost in printing.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL")
os.environ.setdefault("NPY_PROMOTION_STATE", "weak")

import numpy as np  # noqa: E402

try:
    import gymnasium  # noqa: E402
except ImportError:
    sys.exit("record_classic_control.py needs Gymnasium's source on PYTHONPATH (e.g. /tmp/gymnasium-src)")


def f32(values) -> list[str]:
    return [f"{int(b):08x}" for b in np.asarray(values, dtype=np.float32).reshape(-1).view(np.uint32)]


def f64(values) -> list[str]:
    return [f"{int(b):016x}" for b in np.asarray(values, dtype=np.float64).reshape(-1).view(np.uint64)]


def state_of(env) -> list[str]:
    # Acrobot's state is float32 right after a reset and float64 after a step; MountainCarContinuous's the other way
    # round. Widening to float64 is exact, so one format serves all.
    return f64(np.asarray(env.unwrapped.state, dtype=np.float64))


def record(env_id: str, episodes: list[dict], policy) -> dict:
    """Runs each episode on one env made with its kwargs, to its end or its step budget."""
    recorded = []
    envs: dict[str, gymnasium.Env] = {}
    for episode in episodes:
        kwargs = episode.get("kwargs", {})
        key = json.dumps(kwargs, sort_keys=True)
        env = envs.setdefault(key, gymnasium.make(env_id, **kwargs))
        rng = np.random.default_rng(episode["action_seed"])
        obs, info = env.reset(seed=episode["seed"], options=episode.get("options"))
        entry = {
            "seed": episode["seed"],
            "options": episode.get("options"),
            "kwargs": kwargs,
            "reset": {"obs": f32(obs), "state": state_of(env)},
            "steps": [],
        }
        for step in range(episode["max_steps"]):
            action = policy(obs, rng, step)
            obs, reward, terminated, truncated, info = env.step(action)
            entry["steps"].append({
                "action": f32(action) if isinstance(action, np.ndarray) else int(action),
                "obs": f32(obs),
                "reward": f64(reward)[0],
                "terminated": bool(terminated),
                "truncated": bool(truncated),
                "state": state_of(env),
            })
            if terminated or truncated:
                break
        recorded.append(entry)
    return {
        "env": env_id,
        "gymnasium": gymnasium.__version__,
        "numpy": np.__version__,
        "numpy_settings": {name: os.environ[name] for name in ("NPY_DISABLE_CPU_FEATURES", "NPY_PROMOTION_STATE")},
        "episodes": recorded,
    }


def acrobot_policy(obs, rng, step):
    # Random for a while, then pump energy (torque along the second link's swing) so that the episode terminates.
    if step < 40:
        return int(rng.integers(3))
    return 2 if obs[5] > 0 else 0


def mountain_car_policy(obs, rng, step):
    # Pushed against the left wall first (position clipped, velocity zeroed), then with the swing, with some noise.
    if step < 25:
        return 0
    if rng.random() < 0.15:
        return int(rng.integers(3))
    return 2 if obs[1] > 0 else 0


def continuous_policy(obs, rng, step):
    # Pumps energy but turns back on the right slope for 250 steps, so the car hits the left wall, then climbs out.
    direction = 1.0 if obs[1] > 0 else -1.0
    if step < 250 and obs[0] > -0.3 and direction > 0:
        direction = -1.0
    return np.array([direction * rng.uniform(0.6, 1.0)], dtype=np.float32)


def random_discrete(obs, rng, step):
    return int(rng.integers(3))


def random_continuous(obs, rng, step):
    return rng.uniform(-1.0, 1.0, size=(1,)).astype(np.float32)


def main(out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    plans = {
        "Acrobot-v1": [
            (acrobot_policy, [
                {"seed": 0, "action_seed": 10, "max_steps": 500},
                {"seed": 123, "options": {"low": -0.2, "high": 0.2}, "action_seed": 11, "max_steps": 500},
                {"seed": None, "action_seed": 12, "max_steps": 500},
            ]),
            (random_discrete, [{"seed": 7, "action_seed": 13, "max_steps": 150}]),
        ],
        "MountainCar-v0": [
            (mountain_car_policy, [
                {"seed": 0, "action_seed": 20, "max_steps": 200},
                {"seed": None, "action_seed": 21, "max_steps": 200},
                {"seed": 123, "options": {"low": -0.5, "high": -0.45}, "action_seed": 22, "max_steps": 200},
                {"seed": 3, "kwargs": {"goal_velocity": 0.02}, "action_seed": 23, "max_steps": 200},
            ]),
            (random_discrete, [{"seed": 42, "action_seed": 24, "max_steps": 200}]),
        ],
        "MountainCarContinuous-v0": [
            (continuous_policy, [
                {"seed": 0, "action_seed": 30, "max_steps": 999},
                {"seed": None, "action_seed": 31, "max_steps": 999},
                {"seed": 123, "options": {"low": -0.7, "high": -0.5}, "action_seed": 32, "max_steps": 999},
                {"seed": 4, "kwargs": {"goal_velocity": 0.01}, "action_seed": 33, "max_steps": 999},
            ]),
            (random_continuous, [{"seed": 42, "action_seed": 34, "max_steps": 300}]),
        ],
    }
    for env_id, groups in plans.items():
        episodes = []
        for policy, group in groups:
            episodes.extend(record(env_id, group, policy)["episodes"])
        data = record(env_id, [], None)
        data["episodes"] = episodes
        path = os.path.join(out_dir, f"{env_id}.json")
        with open(path, "w", encoding="utf-8") as file:
            json.dump(data, file, separators=(",", ":"))
            file.write("\n")
        lengths = [len(episode["steps"]) for episode in episodes]
        print(f"{path}: {len(episodes)} episodes, steps {lengths}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
