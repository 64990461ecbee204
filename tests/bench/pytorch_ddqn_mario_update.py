#!/usr/bin/python3
"""The PyTorch twin of `ZeroGym.Bench ddqn-mario-update`: one Double DQN gradient step of seed 002's Mario agent (the
Nature CNN on a batch of 32 stacks of 4x84x84 uint8 frames, smooth L1, Adam 2.5e-4, gamma 0.9) with the sampling from
a uint8 replay buffer and the conversion to float32 in [0, 1] included, as CleanRL's dqn_atari.py does them; then one
greedy action (the forward pass of one observation). Debian's python3-torch: the libtorch the shim links. It prints
one JSON line per benchmark, named as the C# benchmark's with "pytorch " in front.

    /usr/bin/python3 tests/bench/pytorch_ddqn_mario_update.py [--threads T] [--seconds S]
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn

STACK, SIDE, ACTIONS, BATCH, BUFFER = 4, 84, 2, 32, 2_000
GAMMA, LEARNING_RATE = 0.9, 2.5e-4


def nature_cnn() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(STACK, 32, 8, 4), nn.ReLU(), nn.Conv2d(32, 64, 4, 2), nn.ReLU(), nn.Conv2d(64, 64, 3, 1), nn.ReLU(),
        nn.Flatten(), nn.Linear(3136, 512), nn.ReLU(), nn.Linear(512, ACTIONS))


def timed(name: str, seconds: float, operation) -> dict:
    """Warms up for 3 s as the C# benchmarks do, then times each call for `seconds`."""
    warm_up_end = time.perf_counter() + 3.0
    while time.perf_counter() < warm_up_end:
        operation()
    latencies = []
    cpu = time.process_time()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        operation()
        latencies.append(time.perf_counter() - started)
    cpu_per_call = (time.process_time() - cpu) / len(latencies)
    latencies.sort()
    return {
        "name": name,
        "calls_per_s": round(len(latencies) / sum(latencies), 1),
        "p50_us": round(latencies[len(latencies) // 2] * 1e6, 2),
        "p90_us": round(latencies[min(len(latencies) - 1, int(0.9 * len(latencies)))] * 1e6, 2),
        "cpu_us_per_call": round(cpu_per_call * 1e6, 1),
        "threads": torch.get_num_threads(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    q, target = nature_cnn(), nature_cnn()
    target.load_state_dict(q.state_dict())
    optimizer = torch.optim.Adam(q.parameters(), lr=LEARNING_RATE)
    observations = rng.integers(0, 256, (BUFFER, STACK, SIDE, SIDE), dtype=np.uint8)
    next_observations = rng.integers(0, 256, (BUFFER, STACK, SIDE, SIDE), dtype=np.uint8)
    actions = rng.integers(0, ACTIONS, BUFFER)
    rewards = np.ones(BUFFER, dtype=np.float32)
    terminated = (rng.integers(0, 100, BUFFER) == 0).astype(np.float32)

    def update() -> None:
        indices = rng.integers(0, BUFFER, BATCH)
        states = torch.from_numpy(observations[indices]).float() / 255.0
        next_states = torch.from_numpy(next_observations[indices]).float() / 255.0
        taken_actions = torch.from_numpy(actions[indices]).unsqueeze(1)
        with torch.no_grad():
            best = q(next_states).argmax(1, keepdim=True)
            next_values = target(next_states).gather(1, best).squeeze(1)
            td_target = torch.from_numpy(rewards[indices]) + GAMMA * next_values * (1.0 - torch.from_numpy(terminated[indices]))
        taken = q(states).gather(1, taken_actions).squeeze(1)
        loss = nn.functional.smooth_l1_loss(taken, td_target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        _ = (loss.item(), taken.mean().item())

    frames = observations[0]

    def greedy_action() -> None:
        with torch.no_grad():
            _ = q(torch.from_numpy(frames).unsqueeze(0).float() / 255.0).argmax(1).item()

    name = f"ddqn-mario update (batch {BATCH} of {STACK}x{SIDE}x{SIDE})"
    print(json.dumps(timed(f"pytorch {name}", args.seconds, update)), flush=True)
    print(json.dumps(timed(f"pytorch ddqn-mario greedy action (one {STACK}x{SIDE}x{SIDE} observation)", args.seconds, greedy_action)),
          flush=True)


if __name__ == "__main__":
    main()
