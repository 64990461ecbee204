"""A random policy on CartPole-v1 through a ZeroGym server, printing each episode's return.

    scripts/serve &                                   # the server, on tcp://127.0.0.1:5555
    PYTHONPATH=clients/python /usr/bin/python3 clients/python/examples/random_agent.py [--episodes 5]

Works the same with or without Gymnasium installed.
"""

from __future__ import annotations

import argparse

import zerogym


def main() -> None:
    parser = argparse.ArgumentParser(description="A random policy on CartPole-v1 through a ZeroGym server")
    parser.add_argument("--address", default=zerogym.DEFAULT_ADDRESS, help="the server's endpoint")
    parser.add_argument("--episodes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with zerogym.make("CartPole-v1", address=args.address) as env:
        env.action_space.seed(args.seed)
        obs, info = env.reset(seed=args.seed)
        for episode in range(args.episodes):
            episode_return, done = 0.0, False
            while not done:
                obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
                episode_return += reward
                done = terminated or truncated
            print(f"episode {episode}: return {episode_return:.0f}")
            obs, info = env.reset()


if __name__ == "__main__":
    main()
