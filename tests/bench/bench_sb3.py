"""Stable-Baselines3's PPO on CartPole-v1 with rl-zoo3's settings, on local and on remote envs: one JSON line per run.

    /usr/bin/python3 tests/bench/bench_sb3.py {dummy,zerogym,remote-singles} [--address ipc://...] [--steps 100000]
                                              [--seed 1] [--threads 1]

dummy           SB3's ``make_vec_env``: a ``DummyVecEnv`` of 8 local Gymnasium CartPole-v1, each in SB3's ``Monitor``
                (what rl-zoo3 builds).
zerogym         ``zerogym.sb3.ZeroGymVecEnv("CartPole-v1", 8)`` on the server at ``--address`` (one vector env, one round
                trip per step of all 8), in SB3's ``VecMonitor``.
remote-singles  ``make_vec_env`` over 8 single remote envs (``zerogym.make``): ``DummyVecEnv`` steps them one after
                another, one round trip per sub-env, as a user gets without ``ZeroGymVecEnv``.

Each run times ``model.learn(steps)`` alone (imports, connecting and building the network are left out) and reports
the mean return of the last 100 episodes (SB3's ``rollout/ep_rew_mean``). The same seed gives the same env seeds
(seed + i for sub-env i) and the same network in every mode. ``--threads`` sets torch's threads for every mode alike
(default 1: the networks are tiny, and the second core stays free for the env server of the remote modes).
Stable-Baselines3 (its source), Gymnasium and torch must be importable (scripts/bench-sb3 arranges it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

try:
    import zerogym
except ImportError:  # Run from a checkout: use the client next to these tests.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "clients" / "python"))
    import zerogym

ENV_ID = "CartPole-v1"
NUM_ENVS = 8
ROWS = {
    "dummy": f"sb3 PPO DummyVecEnv({NUM_ENVS}) local gymnasium",
    "zerogym": f"sb3 PPO ZeroGymVecEnv({NUM_ENVS})",
    "remote-singles": f"sb3 PPO DummyVecEnv({NUM_ENVS}) of remote envs",
}


def linear(initial: float) -> Callable[[float], float]:
    """rl-zoo3's ``lin_<value>``: the value scaled by the remaining progress (1 at the start, 0 at the end)."""
    return lambda progress_remaining: progress_remaining * initial


# rl-baselines3-zoo's hyperparams/ppo.yml, CartPole-v1 (n_envs 8 and n_timesteps 1e5 are NUM_ENVS and --steps).
RL_ZOO_PPO_CARTPOLE = {
    "n_steps": 32,
    "batch_size": 256,
    "gae_lambda": 0.8,
    "gamma": 0.98,
    "n_epochs": 20,
    "ent_coef": 0.0,
    "learning_rate": linear(0.001),
    "clip_range": linear(0.2),
}


def make_envs(mode: str, address: str, seed: int):
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import VecMonitor

    if mode == "dummy":
        return make_vec_env(ENV_ID, n_envs=NUM_ENVS, seed=seed)
    if mode == "zerogym":
        from zerogym.sb3 import ZeroGymVecEnv

        return VecMonitor(ZeroGymVecEnv(ENV_ID, NUM_ENVS, address=address))
    return make_vec_env(lambda: zerogym.make(ENV_ID, address=address), n_envs=NUM_ENVS, seed=seed)


def run(mode: str, address: str, steps: int, seed: int, threads: int) -> dict[str, object]:
    import gymnasium
    import stable_baselines3
    import torch
    from stable_baselines3 import PPO

    torch.set_num_threads(threads)
    envs = make_envs(mode, address, seed)
    model = PPO("MlpPolicy", envs, seed=seed, verbose=0, **RL_ZOO_PPO_CARTPOLE)
    start, cpu_start = time.perf_counter_ns(), time.process_time_ns()
    model.learn(steps)
    wall_ns, cpu_ns = time.perf_counter_ns() - start, time.process_time_ns() - cpu_start
    returns = [episode["r"] for episode in model.ep_info_buffer]
    envs.close()
    return {"name": ROWS[mode], "wall_s": round(wall_ns / 1e9, 3), "env_steps": model.num_timesteps,
            "env_steps_per_s": round(model.num_timesteps / (wall_ns / 1e9), 1),
            "items_per_cpu_s": round(model.num_timesteps / (cpu_ns / 1e9), 1),
            "mean_return": round(float(np.mean(returns)), 2) if returns else None, "episodes_averaged": len(returns),
            "seed": seed, "threads": threads, "sb3": stable_baselines3.__version__, "gymnasium": gymnasium.__version__,
            "torch": torch.__version__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=sorted(ROWS), help="which vector env PPO trains on")
    parser.add_argument("--address", default=zerogym.DEFAULT_ADDRESS, help="the server's endpoint (remote modes)")
    parser.add_argument("--steps", type=int, default=100_000, help="env steps of model.learn (rl-zoo3: 1e5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args()
    print(json.dumps(run(args.mode, args.address, args.steps, args.seed, args.threads)), flush=True)


if __name__ == "__main__":
    main()
