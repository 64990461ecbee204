#!/usr/bin/python3
"""The PyTorch twin of `ZeroGym.Bench ppo-update`: one whole PPO update as CleanRL's ppo.py (CartPole's sizes: 4 envs
x 128 steps, 4 epochs of 4 minibatches) or ppo_continuous_action.py (HalfCheetah's sizes: 1 env x 2048 steps, 10
epochs of 32 minibatches) writes it, on a random rollout, with Debian's python3-torch (the libtorch the shim links).
It prints one JSON line like the C# benchmark's.

    /usr/bin/python3 tests/bench/pytorch_ppo_update.py [--continuous] [--threads T] [--seconds S]
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn


def layer(inputs: int, outputs: int, gain: float) -> nn.Linear:
    linear = nn.Linear(inputs, outputs)
    nn.init.orthogonal_(linear.weight, gain)
    nn.init.constant_(linear.bias, 0.0)
    return linear


def mlp(inputs: int, outputs: int, output_gain: float) -> nn.Sequential:
    return nn.Sequential(layer(inputs, 64, math.sqrt(2)), nn.Tanh(), layer(64, 64, math.sqrt(2)), nn.Tanh(), layer(64, outputs, output_gain))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--continuous", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.continuous:
        obs_size, act_size, num_envs, num_steps, epochs, minibatches, lr, ent_coef = 17, 6, 1, 2048, 10, 32, 3e-4, 0.0
    else:
        obs_size, act_size, num_envs, num_steps, epochs, minibatches, lr, ent_coef = 4, 2, 4, 128, 4, 4, 2.5e-4, 0.01
    gamma, gae_lambda, clip_coef, vf_coef, max_grad_norm = 0.99, 0.95, 0.2, 0.5, 0.5
    batch_size = num_envs * num_steps
    minibatch_size = batch_size // minibatches

    critic = mlp(obs_size, 1, 1.0)
    actor = mlp(obs_size, act_size, 0.01)
    logstd = nn.Parameter(torch.zeros(1, act_size))
    parameters = list(critic.parameters()) + list(actor.parameters()) + ([logstd] if args.continuous else [])
    optimizer = torch.optim.Adam(parameters, lr=lr, eps=1e-5)

    def evaluate(x: torch.Tensor, action: torch.Tensor):
        if args.continuous:
            mean = actor(x)
            dist = torch.distributions.Normal(mean, logstd.expand_as(mean).exp())
            return dist.log_prob(action).sum(1), dist.entropy().sum(1)
        dist = torch.distributions.Categorical(logits=actor(x))
        return dist.log_prob(action), dist.entropy()

    obs = torch.randn(num_steps, num_envs, obs_size)
    next_obs = torch.randn(num_envs, obs_size)
    actions = torch.randn(num_steps, num_envs, act_size) if args.continuous else torch.randint(0, act_size, (num_steps, num_envs))
    rewards = torch.randn(num_steps, num_envs)
    dones = (torch.rand(num_steps, num_envs) < 1 / 200).float()
    next_done = torch.zeros(num_envs)

    def update() -> None:
        # The rollout's log-probabilities and values, as CleanRL computes them while stepping.
        with torch.no_grad():
            flat_obs = obs.reshape(-1, obs_size)
            flat_actions = actions.reshape((-1, act_size) if args.continuous else (-1,))
            logprobs = evaluate(flat_obs, flat_actions)[0]
            values = critic(flat_obs).reshape(num_steps, num_envs)
            next_value = critic(next_obs).reshape(1, -1)
            advantages = torch.zeros_like(rewards)
            lastgaelam = 0
            for t in reversed(range(num_steps)):
                if t == num_steps - 1:
                    nextnonterminal, nextvalues = 1.0 - next_done, next_value
                else:
                    nextnonterminal, nextvalues = 1.0 - dones[t + 1], values[t + 1]
                delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t]
                advantages[t] = lastgaelam = delta + gamma * gae_lambda * nextnonterminal * lastgaelam
            returns = advantages + values
        b_advantages, b_returns, b_values = advantages.reshape(-1), returns.reshape(-1), values.reshape(-1)
        b_inds = np.arange(batch_size)
        clipfracs = []
        for _ in range(epochs):
            np.random.shuffle(b_inds)
            for start in range(0, batch_size, minibatch_size):
                mb_inds = b_inds[start:start + minibatch_size]
                newlogprob, entropy = evaluate(flat_obs[mb_inds], flat_actions[mb_inds])
                newvalue = critic(flat_obs[mb_inds])
                logratio = newlogprob - logprobs[mb_inds]
                ratio = logratio.exp()
                with torch.no_grad():
                    old_approx_kl = (-logratio).mean()
                    approx_kl = ((ratio - 1) - logratio).mean()
                    clipfracs += [((ratio - 1.0).abs() > clip_coef).float().mean().item()]
                mb_advantages = b_advantages[mb_inds]
                mb_advantages = (mb_advantages - mb_advantages.mean()) / (mb_advantages.std() + 1e-8)
                pg_loss = torch.max(-mb_advantages * ratio, -mb_advantages * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)).mean()
                newvalue = newvalue.view(-1)
                v_loss_unclipped = (newvalue - b_returns[mb_inds]) ** 2
                v_clipped = b_values[mb_inds] + torch.clamp(newvalue - b_values[mb_inds], -clip_coef, clip_coef)
                v_loss = 0.5 * torch.max(v_loss_unclipped, (v_clipped - b_returns[mb_inds]) ** 2).mean()
                loss = pg_loss - ent_coef * entropy.mean() + v_loss * vf_coef
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(parameters, max_grad_norm)
                optimizer.step()
        # What CleanRL logs each iteration.
        _ = (v_loss.item(), pg_loss.item(), entropy.mean().item(), old_approx_kl.item(), approx_kl.item(), np.mean(clipfracs))

    for _ in range(3):
        update()
    latencies = []
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        update()
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    kind = "continuous" if args.continuous else "discrete"
    print(json.dumps({
        "name": f"pytorch ppo update ({kind}: {batch_size} steps, {epochs} epochs of {minibatches} minibatches)",
        "calls_per_s": round(len(latencies) / sum(latencies), 1),
        "p50_us": round(latencies[len(latencies) // 2] * 1e6, 2),
        "p90_us": round(latencies[min(len(latencies) - 1, int(0.9 * len(latencies)))] * 1e6, 2),
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
