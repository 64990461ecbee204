"""Gymnasium's three autoreset modes and per-sub-env reset on a remote vector env, and the SB3 VecEnv built on them."""

from __future__ import annotations

import numpy as np
import pytest

import zerogym
from zerogym.compat import AutoresetMode
from zerogym.errors import InvalidArgumentError, ResetNeededError
from zerogym.sb3 import ZeroGymVecEnv

EPISODE = 3


def single_episode(address: str, seed: int, actions: list[int]) -> tuple[list[np.ndarray], np.ndarray]:
    """A single env's observations over ``actions`` from ``seed``, and its reset observation after that episode."""
    with zerogym.make("CartPole-v1", address=address, max_episode_steps=EPISODE) as env:
        env.reset(seed=seed)
        observations = [env.step(action)[0].copy() for action in actions]
        return observations, env.reset()[0].copy()


def test_same_step_resets_in_the_ending_step_and_keeps_the_final_observation(address: str) -> None:
    with zerogym.make_vec("CartPole-v1", 2, address=address, autoreset_mode="same_step", max_episode_steps=EPISODE) as envs:
        assert envs.metadata["autoreset_mode"] is AutoresetMode.SAME_STEP
        envs.reset(seed=7)
        for _ in range(EPISODE - 1):
            _, _, _, truncations, infos = envs.step(np.array([1, 0]))
            assert not truncations.any() and "final_obs" not in infos
        obs, rewards, terminations, truncations, infos = envs.step(np.array([1, 0]))

    for i, action in enumerate([1, 0]):
        episode, next_reset = single_episode(address, 7 + i, [action] * EPISODE)
        assert truncations[i] and not terminations[i] and rewards[i] == 1.0
        np.testing.assert_array_equal(obs[i], next_reset)  # already the next episode's start
        assert infos["_final_obs"][i]
        np.testing.assert_array_equal(infos["final_obs"][i], episode[-1])
    assert infos["final_obs"].dtype == object


def test_disabled_never_resets_and_a_reset_mask_resets_only_what_it_marks(address: str) -> None:
    with zerogym.make_vec("CartPole-v1", 2, address=address, autoreset_mode="disabled", max_episode_steps=1) as envs:
        first, _ = envs.reset(seed=3)
        ended, _, _, truncations, _ = envs.step(np.array([0, 0]))
        assert truncations.all()
        with pytest.raises(ResetNeededError, match="reset_mask"):
            envs.step(np.array([0, 0]))

        obs, _ = envs.reset(seed=20, options={"reset_mask": np.array([False, True])})
        np.testing.assert_array_equal(obs[0], ended[0])  # kept as it was
        with zerogym.make("CartPole-v1", address=address) as single:
            np.testing.assert_array_equal(obs[1], single.reset(seed=21)[0])
        with pytest.raises(ResetNeededError, match="sub-env 0"):
            envs.step(np.array([0, 0]))  # sub-env 0 still ended


def test_an_unknown_autoreset_mode_is_refused_before_connecting() -> None:
    with pytest.raises(InvalidArgumentError, match="same_step"):
        zerogym.make_vec("CartPole-v1", 2, address="tcp://127.0.0.1:1", autoreset_mode="sometimes")


def test_sb3_vec_env_follows_dummy_vec_envs_conventions(address: str) -> None:
    envs = ZeroGymVecEnv("CartPole-v1", 2, address=address, max_episode_steps=EPISODE)
    try:
        assert envs.num_envs == 2 and envs.get_attr("render_mode") == [None, None]
        assert envs.env_is_wrapped(object) == [False, False]
        envs.seed(11)
        obs = envs.reset()
        for i in range(2):
            with zerogym.make("CartPole-v1", address=address) as single:
                np.testing.assert_array_equal(obs[i], single.reset(seed=11 + i)[0])
        for _ in range(EPISODE - 1):
            _, rewards, dones, infos = envs.step(np.array([0, 1]))
            assert not dones.any() and infos == [{"TimeLimit.truncated": False}] * 2
        obs, rewards, dones, infos = envs.step(np.array([0, 1]))
    finally:
        envs.close()

    assert rewards.dtype == np.float32 and dones.tolist() == [True, True]
    for i, action in enumerate([0, 1]):
        episode, next_reset = single_episode(address, 11 + i, [action] * EPISODE)
        assert infos[i]["TimeLimit.truncated"] is True
        np.testing.assert_array_equal(infos[i]["terminal_observation"], episode[-1])
        np.testing.assert_array_equal(obs[i], next_reset)
    with pytest.raises(ValueError, match="autoreset_mode"):
        ZeroGymVecEnv("CartPole-v1", 2, address=address, autoreset_mode="next_step")
