"""With Gymnasium installed, ZeroGym's envs are real Gymnasium envs: ``check_env`` passes and wrappers work."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import zerogym

gymnasium = pytest.importorskip("gymnasium")
from gymnasium.envs.registration import EnvSpec  # noqa: E402
from gymnasium.utils.env_checker import check_env  # noqa: E402
from gymnasium.vector.utils import batch_space  # noqa: E402

pytestmark = pytest.mark.skipif(not zerogym.USING_GYMNASIUM, reason="ZEROGYM_DISABLE_GYMNASIUM is set")

# check_env warns about CartPole's own infinite velocity bounds, as it does for Gymnasium's CartPole.
EXPECTED_WARNING = "infinity"


def unexpected_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(warning.message) for warning in caught if EXPECTED_WARNING not in str(warning.message)]


def test_the_env_is_a_gymnasium_env_with_gymnasium_spaces_and_spec(address: str) -> None:
    with zerogym.make("CartPole-v1", address=address) as env:
        assert isinstance(env, gymnasium.Env)
        assert isinstance(env.observation_space, gymnasium.spaces.Box)
        assert isinstance(env.action_space, gymnasium.spaces.Discrete)
        assert isinstance(env.spec, EnvSpec)
        assert str(env) == "<ZeroGymEnv<CartPole-v1>>"


@pytest.mark.parametrize("render_mode", [None, "rgb_array"])
def test_check_env_passes(address: str, render_mode: str | None) -> None:
    with zerogym.make("CartPole-v1", address=address, render_mode=render_mode) as env:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            check_env(env)
    assert unexpected_warnings(caught) == []


def test_gymnasium_make_from_the_spec_wraps_and_runs_it(address: str) -> None:
    with zerogym.make("CartPole-v1", address=address) as env:
        wrapped = gymnasium.make(env.spec)
    try:
        assert isinstance(wrapped.unwrapped, zerogym.ZeroGymEnv)
        wrapped = gymnasium.wrappers.RecordEpisodeStatistics(wrapped)
        wrapped.reset(seed=0)
        info = {}
        for _ in range(600):
            _, _, terminated, truncated, info = wrapped.step(1)
            if terminated or truncated:
                break
        assert "episode" in info and info["episode"]["r"] == info["episode"]["l"]
    finally:
        wrapped.close()


def test_the_vector_env_is_a_gymnasium_vector_env(address: str) -> None:
    with zerogym.make_vec("CartPole-v1", 3, address=address) as envs:
        assert isinstance(envs, gymnasium.vector.VectorEnv)
        assert envs.metadata["autoreset_mode"] is gymnasium.vector.AutoresetMode.NEXT_STEP
        assert envs.observation_space == batch_space(envs.single_observation_space, 3)
        assert envs.action_space == batch_space(envs.single_action_space, 3)
        envs.action_space.seed(0)
        obs, _ = envs.reset(seed=0)
        assert obs in envs.observation_space
        obs, rewards, *_ = envs.step(envs.action_space.sample())
        assert obs in envs.observation_space and rewards.shape == (3,)


def test_gymnasium_vector_wrappers_run_on_it(address: str) -> None:
    with zerogym.make_vec("CartPole-v1", 2, address=address) as envs:
        wrapped = gymnasium.wrappers.vector.RecordEpisodeStatistics(envs)
        wrapped.reset(seed=0)
        episodes = 0
        for _ in range(200):
            *_, infos = wrapped.step(np.ones(2, np.int64))
            episodes += int(np.sum(infos.get("_episode", np.zeros(2, bool))))
        assert episodes > 0


def test_the_stand_ins_can_be_forced_where_gymnasium_is_installed(client_env: dict[str, str]) -> None:
    client_env["ZEROGYM_DISABLE_GYMNASIUM"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", "import zerogym, zerogym.env as e; print(zerogym.USING_GYMNASIUM, e.Env.__module__)"],
        env=client_env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "zerogym.core"]
