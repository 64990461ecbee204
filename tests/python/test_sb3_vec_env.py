"""``zerogym.sb3.ZeroGymVecEnv`` against what Stable-Baselines3's ``VecEnv`` base and ``DummyVecEnv`` do, without SB3.

These run on the stand-in base when SB3 is not importable (CI) and on SB3's own ``VecEnv`` when it is, with the same
expectations: those of SB3's ``DummyVecEnv`` over single envs (writable observations, ``terminal_observation``,
``TimeLimit.truncated``, ``reset_infos``, seeds and options for the next reset, sub-env attributes).
"""

from __future__ import annotations

from contextlib import closing

import numpy as np
import pytest

import zerogym
from zerogym.sb3 import ZeroGymVecEnv


def single_run(address: str, env_id: str, seed: int, actions: list) -> tuple[list[np.ndarray], list[dict], dict]:
    """A single env's observations and infos over ``actions`` from ``seed`` (stopping where the episode ends), and
    the info of the reset after it."""
    with zerogym.make(env_id, address=address, max_episode_steps=len(actions)) as env:
        env.reset(seed=seed)
        observations, infos = [], []
        for action in actions:
            obs, _, terminated, truncated, info = env.step(action)
            observations.append(obs.copy())
            infos.append(info)
            if terminated or truncated:
                break
        return observations, infos, env.reset()[1]


def test_observations_are_writable_arrays_of_their_own(address: str) -> None:
    """DummyVecEnv returns copies; a read-only view of the message made torch warn in every PPO run."""
    with closing(ZeroGymVecEnv("CartPole-v1", 2, address=address, max_episode_steps=2)) as envs:
        observations = [envs.reset()]
        observations.append(envs.step(np.array([0, 1]))[0])
        obs, _, dones, infos = envs.step(np.array([0, 1]))
        observations += [obs, infos[0]["terminal_observation"], infos[1]["terminal_observation"]]
    assert dones.all()
    for array in observations:
        assert array.flags.writeable and array.flags.owndata
    observations[0][:] = 0  # the caller's to change


def test_a_terminated_episode_ends_with_its_last_observation_and_is_not_marked_truncated(address: str) -> None:
    seed, push = 4, [1] * 500  # pushing right tips the pole over within a few dozen steps
    expected, _, _ = single_run(address, "CartPole-v1", seed, push)
    with closing(ZeroGymVecEnv("CartPole-v1", 1, address=address)) as envs:
        envs.seed(seed)
        envs.reset()
        for step in range(len(expected)):
            _, rewards, dones, infos = envs.step(np.array([1]))
            assert dones[0] == (step == len(expected) - 1)
    assert infos[0]["TimeLimit.truncated"] is False
    np.testing.assert_array_equal(infos[0]["terminal_observation"], expected[-1])


def test_infos_of_an_ended_step_are_its_final_ones_and_reset_infos_the_next_episodes(address: str) -> None:
    """HalfCheetah reports x_position on reset and more on each step: SB3 keeps the two apart as DummyVecEnv does."""
    actions = [np.full(6, 0.5, np.float32)] * 2
    with closing(ZeroGymVecEnv("HalfCheetah-v5", 2, address=address, max_episode_steps=2)) as envs:
        envs.seed(30)
        envs.reset()
        first_reset_infos = [dict(info) for info in envs.reset_infos]
        for action in actions:
            _, _, dones, infos = envs.step(np.stack([action, action]))
    assert dones.all()
    with zerogym.make("HalfCheetah-v5", address=address) as single:
        assert first_reset_infos[1] == pytest.approx(single.reset(seed=31)[1])
    for i in range(2):
        _, expected_infos, next_reset_info = single_run(address, "HalfCheetah-v5", 30 + i, actions)
        last = dict(infos[i])
        assert last.pop("TimeLimit.truncated") is True
        last.pop("terminal_observation")
        assert last == pytest.approx(expected_infos[-1])
        assert envs.reset_infos[i] == pytest.approx(next_reset_info)


def test_seed_applies_to_the_next_reset_only(address: str) -> None:
    with closing(ZeroGymVecEnv("CartPole-v1", 2, address=address)) as envs:
        assert envs.seed(5) == [5, 6]
        seeded = envs.reset()
        with zerogym.make("CartPole-v1", address=address) as single:
            np.testing.assert_array_equal(seeded[1], single.reset(seed=6)[0])
        assert not np.array_equal(envs.reset(), seeded)  # the generators went on; nothing seeded them again
        drawn = envs.seed()
        assert len(drawn) == 2 and drawn[1] == drawn[0] + 1


def test_options_apply_to_the_next_reset_and_must_be_the_same_for_every_sub_env(address: str) -> None:
    options = {"low": -0.001, "high": 0.001}
    with closing(ZeroGymVecEnv("CartPole-v1", 2, address=address)) as envs:
        envs.set_options(options)
        envs.seed(8)
        obs = envs.reset()
        with zerogym.make("CartPole-v1", address=address) as single:
            np.testing.assert_array_equal(obs[0], single.reset(seed=8, options=options)[0])
        assert np.abs(obs).max() <= 0.001
        assert np.abs(envs.reset()).max() > 0.001  # used once, as DummyVecEnv uses them
        envs.set_options([options, {}])
        with pytest.raises(ValueError, match="same options"):
            envs.reset()


def test_get_attr_answers_for_the_sub_envs(address: str) -> None:
    with closing(ZeroGymVecEnv("CartPole-v1", 3, address=address)) as envs:
        assert envs.observation_space.shape == (4,) and envs.action_space.n == 2
        assert [space.shape for space in envs.get_attr("observation_space")] == [(4,)] * 3
        assert [space.n for space in envs.get_attr("action_space", indices=[0, 2])] == [2, 2]
        metadata = envs.get_attr("metadata", indices=1)
        assert len(metadata) == 1 and metadata[0]["render_fps"] == 50 and "autoreset_mode" not in metadata[0]
        assert envs.metadata == metadata[0]  # SB3's VecVideoRecorder reads render_fps from it
        assert envs.get_attr("spec")[0].id == "CartPole-v1"
        assert envs.get_attr("render_mode") == [None, None, None]
        with pytest.raises(IndexError, match="index 3 .* 3 sub-envs"):
            envs.get_attr("render_mode", indices=[0, 3])
        with pytest.raises(AttributeError):
            envs.get_attr("no_such_attribute")
        assert envs.env_is_wrapped(object, indices=[1]) == [False]


def test_set_attr_and_env_method_say_the_sub_envs_are_remote(address: str) -> None:
    with closing(ZeroGymVecEnv("CartPole-v1", 2, address=address)) as envs:
        with pytest.raises(AttributeError, match="'gravity' cannot be set"):
            envs.set_attr("gravity", 1.0)
        with pytest.raises(AttributeError, match="'compute_reward' cannot be called"):
            envs.env_method("compute_reward", indices=[0])


def test_step_wait_without_step_async_is_refused(address: str) -> None:
    with closing(ZeroGymVecEnv("CartPole-v1", 2, address=address)) as envs:
        envs.reset()
        with pytest.raises(RuntimeError, match="step_async"):
            envs.step_wait()


def test_get_images_gives_one_frame_per_sub_env(address: str) -> None:
    with closing(ZeroGymVecEnv("CartPole-v1", 2, address=address, render_mode="rgb_array")) as envs:
        envs.reset()
        frames = envs.get_images()
    assert len(frames) == 2 and all(frame.ndim == 3 and frame.shape[2] == 3 for frame in frames)


def test_each_step_of_every_sub_env_is_one_request_even_when_episodes_end(address: str) -> None:
    """The point of ZeroGymVecEnv: one round trip a step (DummyVecEnv over remote envs makes one per sub-env, and
    one more per reset)."""
    with closing(ZeroGymVecEnv("CartPole-v1", 4, address=address, max_episode_steps=2)) as envs:
        connection = envs.venv._connection
        sent_before = connection.last_request_id
        envs.reset()
        assert connection.last_request_id == sent_before + 1
        for step in range(4):
            sent_before = connection.last_request_id
            _, _, dones, _ = envs.step(np.zeros(4, np.int64))
            assert dones.all() == (step % 2 == 1)  # every sub-env ends and resets on steps 1 and 3
            assert connection.last_request_id == sent_before + 1
