"""CartPole-v1 through ``zerogym.make`` against the real server: Gymnasium's behaviour, end to end."""

from __future__ import annotations

import math

import numpy as np
import pytest

import zerogym
from zerogym.compat import spaces

# Gymnasium's CartPole-v1 constants: x threshold 2.4, angle threshold 12 degrees; the box is twice each.
CARTPOLE_HIGH = np.array([2.4 * 2, np.inf, 12 * 2 * math.pi / 360 * 2, np.inf], dtype=np.float32)


@pytest.fixture
def env(address: str):
    with zerogym.make("CartPole-v1", address=address) as made:
        yield made


def test_spaces_are_gymnasium_cartpole_spaces_with_exact_float32_bounds(env) -> None:
    assert env.observation_space == spaces.Box(-CARTPOLE_HIGH, CARTPOLE_HIGH, (4,), np.float32)
    assert env.observation_space.low.tobytes() == (-CARTPOLE_HIGH).tobytes()
    assert env.observation_space.high.tobytes() == CARTPOLE_HIGH.tobytes()
    assert env.action_space == spaces.Discrete(2)


def test_spec_has_gymnasium_cartpole_limits(env, address: str) -> None:
    assert env.spec.id == "CartPole-v1"
    assert env.spec.max_episode_steps == 500
    assert env.spec.reward_threshold == 475
    assert env.spec.nondeterministic is False
    assert env.spec.kwargs["address"] == address
    assert env.unwrapped is env
    assert "rgb_array" in env.metadata["render_modes"] and env.metadata["render_fps"] > 0
    assert env.render_mode is None


def test_observations_have_the_space_dtype_and_shape(env) -> None:
    obs, info = env.reset(seed=0)
    assert isinstance(info, dict)
    assert obs.dtype == np.float32 and obs.shape == (4,)
    assert obs in env.observation_space
    obs, reward, terminated, truncated, info = env.step(0)
    assert obs.dtype == np.float32 and obs.shape == (4,)
    assert type(reward) is float and type(terminated) is bool and type(truncated) is bool
    assert isinstance(info, dict)


def test_observations_are_read_only(env) -> None:
    obs, _ = env.reset(seed=0)
    assert not obs.flags.writeable
    assert obs.copy().flags.writeable


def test_reset_with_seed_42_starts_where_gymnasium_does(env) -> None:
    first, _ = env.reset(seed=42)
    env.step(1)
    second, _ = env.reset(seed=42)
    np.testing.assert_array_equal(first, second)
    expected = np.random.default_rng(42).uniform(-0.05, 0.05, 4).astype(np.float32)
    np.testing.assert_array_equal(first, expected)


def test_reset_seeds_the_local_np_random_as_gymnasium_does(env) -> None:
    env.reset(seed=42)
    assert env.np_random.bit_generator.state == np.random.default_rng(42).bit_generator.state


def test_reset_without_seed_continues_the_generator(env) -> None:
    first, _ = env.reset(seed=5)
    second, _ = env.reset()
    assert not np.array_equal(first, second)
    rng = np.random.default_rng(5)
    rng.uniform(-0.05, 0.05, 4)
    np.testing.assert_array_equal(second, rng.uniform(-0.05, 0.05, 4).astype(np.float32))


def test_reset_option_state_sets_the_start_state(env) -> None:
    state = [0.1, -0.2, 0.03, 0.4]
    obs, _ = env.reset(seed=1, options={"state": state})
    np.testing.assert_array_equal(obs, np.array(state, np.float32))
    obs, _ = env.reset(options={"state": np.array(state, np.float32)})
    np.testing.assert_array_equal(obs, np.array(state, np.float32))


def test_a_bad_reset_option_raises_invalid_argument(env) -> None:
    with pytest.raises(zerogym.InvalidArgumentError, match="state"):
        env.reset(options={"state": [0.1, 0.2]})


def test_an_episode_runs_to_termination(env) -> None:
    env.reset(seed=3)
    steps, total = 0, 0.0
    terminated = truncated = False
    while not (terminated or truncated):
        obs, reward, terminated, truncated, _ = env.step(1)  # always push right: the pole falls
        steps += 1
        total += reward
        assert steps < 100
    assert terminated and not truncated
    assert total == steps
    assert abs(obs[2]) > 12 * 2 * math.pi / 360 or abs(obs[0]) > 2.4


def test_step_after_termination_raises_reset_needed_until_reset(env) -> None:
    env.reset(seed=3)
    while not env.step(1)[2]:
        pass
    with pytest.raises(zerogym.ResetNeededError):
        env.step(0)
    env.reset()
    env.step(0)


def test_step_before_the_first_reset_raises_reset_needed(env) -> None:
    with pytest.raises(zerogym.ResetNeededError):
        env.step(0)


def test_max_episode_steps_kwarg_truncates_the_episode(address: str) -> None:
    with zerogym.make("CartPole-v1", address=address, max_episode_steps=3) as env:
        assert env.spec.max_episode_steps == 3
        env.reset(seed=0)
        flags = [env.step(step % 2)[2:4] for step in range(3)]
    assert flags == [(False, False), (False, False), (False, True)]


def test_spec_make_keeps_the_kwargs_the_env_was_made_with(address: str) -> None:
    with zerogym.make("CartPole-v1", address=address, max_episode_steps=3) as env:
        again = env.spec.make()
    try:
        again.reset(seed=0)
        flags = [again.step(step % 2)[2:4] for step in range(3)]
    finally:
        again.close()
    assert flags[-1] == (False, True)


@pytest.mark.parametrize("action", [2, -1, 1.5, "x", float("nan"), [0, 1], None])
def test_an_invalid_action_raises_and_leaves_the_env_as_it_was(env, address: str, action) -> None:
    env.reset(seed=11)
    with pytest.raises(zerogym.InvalidActionError) as caught:
        env.step(action)
    assert isinstance(caught.value, ValueError)
    obs_after, *_ = env.step(0)
    with zerogym.make("CartPole-v1", address=address) as twin:
        twin.reset(seed=11)
        expected, *_ = twin.step(0)
    np.testing.assert_array_equal(obs_after, expected)


def test_numpy_actions_are_accepted(env) -> None:
    env.reset(seed=0)
    env.step(np.int64(1))
    env.step(np.array(0))
    env.step(env.action_space.sample())


def test_an_unknown_env_raises_and_names_the_envs_the_server_has(address: str) -> None:
    with pytest.raises(zerogym.UnknownEnvError, match="CartPole-v1"):
        zerogym.make("NoSuchEnv-v0", address=address)


@pytest.mark.parametrize("kwargs", [{"no_such_kwarg": 1}, {"max_episode_steps": "ten"}, {"max_episode_steps": -5}])
def test_bad_kwargs_raise_invalid_argument(address: str, kwargs) -> None:
    with pytest.raises(zerogym.InvalidArgumentError):
        zerogym.make("CartPole-v1", address=address, **kwargs)


def test_an_unknown_render_mode_raises_invalid_argument(address: str) -> None:
    with pytest.raises(zerogym.ZeroGymError) as caught:
        zerogym.make("CartPole-v1", address=address, render_mode="human")
    assert caught.value.code in ("invalid_argument", "unsupported")


def test_render_gives_a_600_by_400_rgb_frame(address: str) -> None:
    with zerogym.make("CartPole-v1", address=address, render_mode="rgb_array") as env:
        assert env.render_mode == "rgb_array"
        env.reset(seed=0)
        frame = env.render()
        assert frame.dtype == np.uint8 and frame.shape == (400, 600, 3)
        assert len(np.unique(frame.reshape(-1, 3), axis=0)) > 1  # not a blank canvas


def test_render_without_render_mode_raises_not_rendering(env) -> None:
    env.reset(seed=0)
    with pytest.raises(zerogym.NotRenderingError):
        env.render()


def test_the_context_manager_closes_the_env(address: str) -> None:
    with zerogym.make("CartPole-v1", address=address) as env:
        env.reset(seed=0)
    with pytest.raises(zerogym.ZeroGymError, match="closed"):
        env.step(0)


def test_spec_make_makes_another_env_like_it(env) -> None:
    other = env.spec.make()
    try:
        first, _ = env.reset(seed=9)
        second, _ = other.reset(seed=9)
        np.testing.assert_array_equal(first, second)
    finally:
        other.close()


def test_list_envs_includes_cartpole(address: str) -> None:
    specs = {spec["id"]: spec for spec in zerogym.list_envs(address=address)}
    assert specs["CartPole-v1"]["max_episode_steps"] == 500
    assert specs["CartPole-v1"]["reward_threshold"] == 475
    assert "rgb_array" in specs["CartPole-v1"]["render_modes"]
    assert specs["CartPole-v1"]["source"] == "built in"
