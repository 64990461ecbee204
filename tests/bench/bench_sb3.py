"""Stable-Baselines3's PPO on CartPole-v1 with rl-zoo3's settings, on local and on remote envs: one JSON line per run.

    /usr/bin/python3 tests/bench/bench_sb3.py {dummy,zerogym,remote-singles} [--address ipc://...] [--steps 100000]
                                              [--seed 1] [--threads 1] [--server-pid PID] [--spin-us N]
    /usr/bin/python3 tests/bench/bench_sb3.py warm-up --address ipc://... [--steps 3000]

dummy           SB3's ``make_vec_env``: a ``DummyVecEnv`` of 8 local Gymnasium CartPole-v1, each in SB3's ``Monitor``
                (what rl-zoo3 builds).
zerogym         ``zerogym.sb3.ZeroGymVecEnv("CartPole-v1", 8)`` on the server at ``--address`` (one vector env, one round
                trip per step of all 8), in SB3's ``VecMonitor``.
remote-singles  ``make_vec_env`` over 8 single remote envs (``zerogym.make``): ``DummyVecEnv`` steps them one after
                another, one round trip per sub-env, as a user gets without ``ZeroGymVecEnv``.
warm-up         Steps both remote kinds with random actions and prints nothing: a fresh server compiles its code on
                first use, which would otherwise land in the first remote run (a server in use is warm). Needs no SB3.

Each run times ``model.learn(steps)`` alone (imports, connecting and building the network are left out) and reports
the mean return of the last 100 episodes (SB3's ``rollout/ep_rew_mean``), the wall time PPO spent in the vector env's
``step`` (``env_step_us``, per call of 8 sub-envs; the rest is PPO's own work), this process's CPU seconds and, given
``--server-pid``, the env server's CPU seconds over the same time (a busy machine stretches wall times; CPU time shows
what each side costs). The same seed gives the same env seeds
(seed + i for sub-env i) and the same network in every mode. ``--threads`` sets torch's threads for every mode alike
(default 1: the networks are tiny, and the second core stays free for the env server of the remote modes; 0 leaves
torch's default, one thread per core).
Stable-Baselines3 (its source), Gymnasium and torch must be importable (scripts/bench-sb3 arranges it).
"""

from __future__ import annotations

import argparse
import json
import os
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


def make_envs(mode: str, address: str, seed: int, spin_us: int | None = None):
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import VecMonitor

    if mode == "dummy":
        return make_vec_env(ENV_ID, n_envs=NUM_ENVS, seed=seed)
    if mode == "zerogym":
        from zerogym.sb3 import ZeroGymVecEnv

        return VecMonitor(ZeroGymVecEnv(ENV_ID, NUM_ENVS, address=address, spin_us=spin_us))
    return make_vec_env(lambda: zerogym.make(ENV_ID, address=address, spin_us=spin_us), n_envs=NUM_ENVS, seed=seed)


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_steps(envs) -> list[int]:
    """Makes ``envs.step`` add the wall time of each call to the list returned (in ns)."""
    spent = [0, 0]
    step = envs.step
    clock = time.perf_counter_ns

    def timed_step(actions):
        before = clock()
        result = step(actions)
        spent[0] += clock() - before
        spent[1] += 1
        return result

    envs.step = timed_step
    return spent


def run(mode: str, address: str, steps: int, seed: int, threads: int, server_pid: int | None,
        spin_us: int | None) -> dict[str, object]:
    import gymnasium
    import stable_baselines3
    import torch
    from stable_baselines3 import PPO

    if threads > 0:
        torch.set_num_threads(threads)
    envs = make_envs(mode, address, seed, spin_us)
    model = PPO("MlpPolicy", envs, seed=seed, verbose=0, **RL_ZOO_PPO_CARTPOLE)
    step_ns = time_steps(envs)
    server_start = process_cpu_seconds(server_pid) if server_pid else None
    start, cpu_start = time.perf_counter_ns(), time.process_time_ns()
    model.learn(steps)
    wall_ns, cpu_ns = time.perf_counter_ns() - start, time.process_time_ns() - cpu_start
    server = {} if server_start is None else {"server_cpu_s": round(process_cpu_seconds(server_pid) - server_start, 3)}
    returns = [episode["r"] for episode in model.ep_info_buffer]
    envs.close()
    return {"name": ROWS[mode], "wall_s": round(wall_ns / 1e9, 3), "env_steps": model.num_timesteps,
            "env_steps_per_s": round(model.num_timesteps / (wall_ns / 1e9), 1),
            "items_per_cpu_s": round(model.num_timesteps / (cpu_ns / 1e9), 1),
            "cpu_s": round(cpu_ns / 1e9, 3), **server, "env_step_us": round(step_ns[0] / step_ns[1] / 1000, 1),
            "mean_return": round(float(np.mean(returns)), 2) if returns else None, "episodes_averaged": len(returns),
            "seed": seed, "threads": torch.get_num_threads(), "spin_us": spin_us, "sb3": stable_baselines3.__version__, "gymnasium": gymnasium.__version__,
            "torch": torch.__version__}


def warm_up(address: str, steps: int) -> None:
    from zerogym.sb3 import ZeroGymVecEnv

    rng = np.random.default_rng(0)
    vector = ZeroGymVecEnv(ENV_ID, NUM_ENVS, address=address)
    singles = [zerogym.make(ENV_ID, address=address) for _ in range(NUM_ENVS)]
    try:
        vector.reset()
        for env in singles:
            env.reset()
        for _ in range(steps // NUM_ENVS):
            vector.step(rng.integers(0, 2, NUM_ENVS))
            for env in singles:
                if any(env.step(int(rng.integers(0, 2)))[2:4]):
                    env.reset()
    finally:
        vector.close()
        for env in singles:
            env.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=[*sorted(ROWS), "warm-up"], help="which vector env PPO trains on")
    parser.add_argument("--address", default=zerogym.DEFAULT_ADDRESS, help="the server's endpoint (remote modes)")
    parser.add_argument("--steps", type=int, default=100_000, help="env steps of model.learn (rl-zoo3: 1e5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's default)")
    parser.add_argument("--server-pid", type=int, default=None, help="the env server's pid, to report its CPU time")
    parser.add_argument("--spin-us", type=int, default=None,
                        help="microseconds the remote envs poll for each reply before blocking (default: ZEROGYM_SPIN_US)")
    args = parser.parse_args()
    if args.mode == "warm-up":
        warm_up(args.address, args.steps)
        return
    print(json.dumps(run(args.mode, args.address, args.steps, args.seed, args.threads, args.server_pid, args.spin_us)),
          flush=True)


if __name__ == "__main__":
    main()
