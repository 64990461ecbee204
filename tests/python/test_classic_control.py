"""Acrobot-v1, MountainCar-v0 and MountainCarContinuous-v0 through ``zerogym.make``: Gymnasium's spaces, limits, numpy
seeding, reset options and frames, end to end. The dynamics are checked bit for bit by the C# tests against
trajectories recorded from Gymnasium (tests/ZeroGym.Tests/Envs/ClassicControl/Trajectories)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import zerogym
from zerogym.compat import spaces

# (id, time limit, reward threshold, frame shape) as Gymnasium registers and draws them.
ENVS = [
    ("Acrobot-v1", 500, -100.0, (500, 500, 3)),
    ("MountainCar-v0", 200, -110.0, (400, 600, 3)),
    ("MountainCarContinuous-v0", 999, 90.0, (400, 600, 3)),
]


def mountain_car_box():
    return spaces.Box(np.array([-1.2, -0.07], np.float32), np.array([0.6, 0.07], np.float32), (2,), np.float32)


def test_the_spaces_are_gymnasiums(address: str) -> None:
    high = np.array([1.0, 1.0, 1.0, 1.0, 4 * math.pi, 9 * math.pi], dtype=np.float32)
    with zerogym.make("Acrobot-v1", address=address) as env:
        assert env.observation_space == spaces.Box(-high, high, (6,), np.float32)
        assert env.action_space == spaces.Discrete(3)
    with zerogym.make("MountainCar-v0", address=address) as env:
        assert env.observation_space == mountain_car_box()
        assert env.action_space == spaces.Discrete(3)
    with zerogym.make("MountainCarContinuous-v0", address=address) as env:
        assert env.observation_space == mountain_car_box()
        assert env.action_space == spaces.Box(-1.0, 1.0, (1,), np.float32)


@pytest.mark.parametrize("env_id, limit, threshold, frame_shape", ENVS)
def test_list_and_spec_give_gymnasiums_limits(address: str, env_id: str, limit: int, threshold: float, frame_shape) -> None:
    listed = {spec["id"]: spec for spec in zerogym.list_envs(address=address)}[env_id]
    assert listed["max_episode_steps"] == limit and listed["reward_threshold"] == threshold
    assert listed["render_modes"] == ["rgb_array"]
    with zerogym.make(env_id, address=address) as env:
        assert env.spec.max_episode_steps == limit and env.spec.reward_threshold == threshold


def test_acrobot_starts_where_gymnasium_does(address: str) -> None:
    with zerogym.make("Acrobot-v1", address=address) as env:
        obs, info = env.reset(seed=123, options={"low": -0.2, "high": 0.2})
    # Gymnasium's docstring example; the state is numpy's draw rounded to float32, as Gymnasium stores it.
    state = np.random.default_rng(123).uniform(-0.2, 0.2, 4).astype(np.float32)
    np.testing.assert_allclose(obs, [0.997341, 0.07287608, 0.9841162, -0.17752565, -0.11185605, -0.12625128], atol=5e-8)
    np.testing.assert_array_equal(obs[4:], state[2:])
    assert info == {}


@pytest.mark.parametrize("env_id", ["MountainCar-v0", "MountainCarContinuous-v0"])
def test_mountain_car_starts_where_numpy_draws(address: str, env_id: str) -> None:
    with zerogym.make(env_id, address=address) as env:
        obs, _ = env.reset(seed=7)
        np.testing.assert_array_equal(obs, np.array([np.random.default_rng(7).uniform(-0.6, -0.4), 0], np.float32))
        obs, _ = env.reset(seed=123, options={"low": -0.7, "high": -0.5})
        np.testing.assert_array_equal(obs, np.array([-0.5635296, 0.0], np.float32))


@pytest.mark.parametrize("env_id", [env_id for env_id, *_ in ENVS])
def test_a_bad_reset_option_raises_invalid_argument(address: str, env_id: str) -> None:
    with zerogym.make(env_id, address=address) as env:
        with pytest.raises(zerogym.InvalidArgumentError, match="must not exceed"):
            env.reset(options={"low": 1.0, "high": 0.0})
        with pytest.raises(zerogym.InvalidArgumentError, match="unknown option 'x_init'"):
            env.reset(options={"x_init": 1.0})


def test_mountain_car_is_truncated_at_200_steps_without_reaching_the_flag(address: str) -> None:
    with zerogym.make("MountainCar-v0", address=address) as env:
        env.reset(seed=0)
        ends = [env.step(1)[1:4] for _ in range(200)]
    assert all(reward == -1.0 for reward, _, _ in ends)
    assert [truncated for _, _, truncated in ends] == [False] * 199 + [True]
    assert not any(terminated for _, terminated, _ in ends)


def test_mountain_car_continuous_pays_for_force_and_reaches_the_flag_by_pumping(address: str) -> None:
    with zerogym.make("MountainCarContinuous-v0", address=address) as env:
        obs, _ = env.reset(seed=0)
        total, terminated, steps = 0.0, False, 0
        while not terminated and steps < 999:
            obs, reward, terminated, truncated, _ = env.step(np.array([1.0 if obs[1] >= 0 else -1.0], np.float32))
            total += reward
            steps += 1
    assert terminated and steps < 300
    assert total == pytest.approx(100 - 0.1 * steps)


def test_acrobot_pays_minus_one_until_the_end_is_up(address: str) -> None:
    with zerogym.make("Acrobot-v1", address=address) as env:
        obs, _ = env.reset(seed=0)
        rewards = []
        terminated = False
        while not terminated:
            obs, reward, terminated, truncated, _ = env.step(2 if obs[5] > 0 else 0)
            rewards.append(reward)
            assert not truncated
    assert rewards == [-1.0] * (len(rewards) - 1) + [0.0]
    assert len(rewards) == 122  # Gymnasium's own episode for this seed and policy


@pytest.mark.parametrize("env_id, limit, threshold, frame_shape", ENVS)
def test_render_gives_gymnasiums_frame_size(address: str, env_id: str, limit: int, threshold: float, frame_shape) -> None:
    with zerogym.make(env_id, address=address, render_mode="rgb_array") as env:
        env.reset(seed=0)
        frame = env.render()
    assert frame.dtype == np.uint8 and frame.shape == frame_shape
    assert len(np.unique(frame.reshape(-1, 3), axis=0)) > 2


def test_a_vector_of_acrobots_steps_each_like_a_single_env(address: str) -> None:
    with zerogym.make_vec("Acrobot-v1", num_envs=4, address=address) as envs, \
            zerogym.make("Acrobot-v1", address=address) as single:
        obs, _ = envs.reset(seed=10)
        expected, _ = single.reset(seed=12)
        np.testing.assert_array_equal(obs[2], expected)
        for action in [0, 2, 1, 2]:
            obs, *_ = envs.step(np.full(4, action))
            expected, *_ = single.step(action)
        np.testing.assert_array_equal(obs[2], expected)
