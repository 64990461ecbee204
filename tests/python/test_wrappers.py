"""The ``wrappers`` make kwarg through ``zerogym.make``: the list and its parameters reach the server untouched."""

from __future__ import annotations

import math

import numpy as np
import pytest

import zerogym
from zerogym.compat import spaces

# CartPole-v1's observation bound (x 4.8, angle 24 degrees, velocities unbounded), stacked three times.
STACKED_HIGH = np.tile(np.array([4.8, np.inf, 24 * math.pi / 180, np.inf], dtype=np.float32), (3, 1))


def test_make_with_wrappers_applies_them_on_the_server(address: str) -> None:
    wrappers = [{"name": "skip_frames", "n": 3}, {"name": "frame_stack", "n": 2}]
    with zerogym.make("CartPole-v1", address=address, wrappers=wrappers) as env:
        assert env.observation_space.shape == (2, 4) and env.observation_space.dtype == np.float32
        obs, _ = env.reset(seed=0)
        assert obs.shape == (2, 4) and np.array_equal(obs[0], obs[1])
        obs, reward, terminated, truncated, _ = env.step(1)
        assert reward == 3.0 and not terminated and not truncated
        assert obs.shape == (2, 4) and not np.array_equal(obs[0], obs[1])

    with zerogym.make("CartPole-v1", address=address) as plain:
        plain.reset(seed=0)
        for _ in range(3):
            last, *_ = plain.step(1)
    np.testing.assert_array_equal(obs[1], last)


def test_make_with_a_wrapper_that_does_not_fit_is_invalid_argument(address: str) -> None:
    with pytest.raises(zerogym.InvalidArgumentError, match=r"grayscale needs a uint8 Box of shape \(H, W, 3\)"):
        zerogym.make("CartPole-v1", address=address, wrappers=["grayscale"])
    with pytest.raises(zerogym.InvalidArgumentError, match="unknown wrappers preset 'pixels'"):
        zerogym.make("CartPole-v1", address=address, wrappers="pixels")


def test_vector_env_with_wrappers_wraps_each_copy(address: str) -> None:
    with zerogym.make_vec("CartPole-v1", 2, address=address, wrappers=[{"name": "frame_stack", "n": 3}]) as envs:
        assert envs.single_observation_space == spaces.Box(-STACKED_HIGH, STACKED_HIGH, (3, 4), np.float32)
        obs, _ = envs.reset(seed=0)
        assert obs.shape == (2, 3, 4)
