"""HalfCheetah-v5 (MuJoCo) through ``zerogym.make`` against the real server: Box spaces of Gymnasium's dtypes."""

from __future__ import annotations

import numpy as np
import pytest

import zerogym
from zerogym.compat import spaces


@pytest.fixture
def env(address: str):
    with zerogym.make("HalfCheetah-v5", address=address) as made:
        yield made


def test_spaces_are_boxes_with_float64_observations_and_float32_actions(env) -> None:
    assert isinstance(env.observation_space, spaces.Box)
    assert env.observation_space.dtype == np.float64
    assert env.observation_space.shape == (17,)
    assert np.all(np.isinf(env.observation_space.low)) and np.all(np.isinf(env.observation_space.high))
    assert isinstance(env.action_space, spaces.Box)
    assert env.action_space.dtype == np.float32
    assert env.action_space == spaces.Box(-1.0, 1.0, (6,), np.float32)
    assert env.spec.max_episode_steps == 1000
    assert env.spec.reward_threshold == 4800.0


def test_reset_with_a_seed_starts_from_numpys_draws(env) -> None:
    observation, info = env.reset(seed=123)
    rng = np.random.default_rng(123)
    qpos = np.zeros(9) + rng.uniform(low=-0.1, high=0.1, size=9)
    qvel = np.zeros(9) + 0.1 * rng.standard_normal(9)
    assert observation.dtype == np.float64
    np.testing.assert_array_equal(observation, np.concatenate([qpos[1:], qvel]))
    assert info["x_position"] == qpos[0]


def test_steps_return_float64_observations_and_gymnasiums_reward_terms(env) -> None:
    env.reset(seed=0)
    env.action_space.seed(0)
    for _ in range(20):
        action = env.action_space.sample()
        observation, reward, terminated, truncated, info = env.step(action)
        assert observation.dtype == np.float64 and observation.shape == (17,)
        assert env.observation_space.contains(observation)
        assert not terminated and not truncated
        assert info["reward_forward"] == pytest.approx(info["x_velocity"])
        assert info["reward_ctrl"] == pytest.approx(-0.1 * float(np.sum(np.square(action))))
        assert reward == pytest.approx(info["reward_forward"] + info["reward_ctrl"])


def test_reset_options_qpos_and_qvel_set_the_exact_start(env) -> None:
    qpos = np.linspace(-0.1, 0.1, 9)
    qvel = np.linspace(1.0, -1.0, 9)
    observation, info = env.reset(options={"qpos": qpos, "qvel": qvel.tolist()})
    np.testing.assert_array_equal(observation, np.concatenate([qpos[1:], qvel]))
    assert info["x_position"] == qpos[0]


def test_rgb_array_frames_are_480_by_480(address: str) -> None:
    with zerogym.make("HalfCheetah-v5", address=address, render_mode="rgb_array") as env:
        env.reset(seed=0)
        frame = env.render()
        assert frame.dtype == np.uint8 and frame.shape == (480, 480, 3)
        assert frame.std() > 10
