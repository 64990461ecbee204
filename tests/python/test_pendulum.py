"""Pendulum-v1 through ``zerogym.make``: a continuous action sent as a float32 array (or a list), end to end.

The dynamics are checked bit for bit by the C# tests; here the client's view: Box spaces of the right dtype,
numpy's seeding, the reward of Gymnasium's equation and the 200-step truncation.
"""

from __future__ import annotations

import numpy as np
import pytest

import zerogym
from zerogym.compat import spaces


@pytest.fixture
def env(address: str):
    with zerogym.make("Pendulum-v1", address=address) as made:
        yield made


def angle_normalize(x: float) -> float:
    return ((x + np.pi) % (2 * np.pi)) - np.pi


def test_spaces_are_float32_boxes_with_gymnasiums_bounds(env) -> None:
    high = np.array([1.0, 1.0, 8.0], dtype=np.float32)
    assert env.observation_space == spaces.Box(-high, high, (3,), np.float32)
    assert env.action_space == spaces.Box(-2.0, 2.0, (1,), np.float32)
    assert env.spec.max_episode_steps == 200


def test_reset_with_a_seed_starts_where_numpy_draws(env) -> None:
    observation, info = env.reset(seed=3)

    theta, theta_dot = np.random.default_rng(3).uniform(low=-np.array([np.pi, 1.0]), high=np.array([np.pi, 1.0]))
    np.testing.assert_array_equal(observation, np.array([np.cos(theta), np.sin(theta), theta_dot], dtype=np.float32))
    assert info == {}


def test_step_pays_gymnasiums_reward_for_array_and_list_actions(env) -> None:
    observation, _ = env.reset(seed=4)
    theta, theta_dot = np.random.default_rng(4).uniform(low=-np.array([np.pi, 1.0]), high=np.array([np.pi, 1.0]))

    _, reward, terminated, truncated, _ = env.step(np.array([1.5], dtype=np.float32))
    next_observation, list_reward, _, _, _ = env.step([-2.0])

    # numpy 1 and 2 round the float32 torque terms differently, well within this tolerance.
    assert reward == pytest.approx(-(angle_normalize(theta) ** 2 + 0.1 * theta_dot**2 + 0.001 * 1.5**2), abs=1e-9)
    assert observation.dtype == next_observation.dtype == np.float32
    assert not terminated and not truncated
    assert -16.2736044 <= list_reward <= 0


def test_the_episode_is_truncated_after_200_steps_and_never_terminates(env) -> None:
    env.reset(seed=0)
    ends = [env.step(np.zeros(1, dtype=np.float32))[2:4] for _ in range(200)]

    assert not any(terminated for terminated, _ in ends)
    assert [truncated for _, truncated in ends] == [False] * 199 + [True]


def test_reset_options_set_the_bounds_of_the_start(env) -> None:
    observation, _ = env.reset(seed=1, options={"x_init": 0.0, "y_init": 0.0})

    np.testing.assert_array_equal(observation, np.array([1.0, 0.0, 0.0], dtype=np.float32))
