"""``zerogym.make_vec`` against the real server: batched spaces and values, seeding, next-step autoreset."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import zerogym
from conftest import SERVER_DLL, start_server
from zerogym.compat import AutoresetMode, batch_space, spaces

NUM_ENVS = 4


@pytest.fixture
def envs(address: str):
    with zerogym.make_vec("CartPole-v1", NUM_ENVS, address=address) as made:
        yield made


def single_reset(address: str, seed: int) -> np.ndarray:
    with zerogym.make("CartPole-v1", address=address) as env:
        return env.reset(seed=seed)[0]


def test_spaces_are_the_single_env_spaces_batched(envs) -> None:
    assert envs.num_envs == NUM_ENVS
    assert envs.single_action_space == spaces.Discrete(2)
    assert envs.observation_space == batch_space(envs.single_observation_space, NUM_ENVS)
    assert envs.observation_space.shape == (NUM_ENVS, 4)
    assert envs.action_space == spaces.MultiDiscrete(np.full(NUM_ENVS, 2))


def test_metadata_declares_next_step_autoreset(envs) -> None:
    assert envs.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    assert "rgb_array" in envs.metadata["render_modes"]
    assert envs.spec.id == "CartPole-v1"
    assert repr(envs) == f"ZeroGymVectorEnv(CartPole-v1, num_envs={NUM_ENVS})"


def test_step_returns_batched_numpy_arrays(envs) -> None:
    obs, infos = envs.reset(seed=0)
    assert obs.dtype == np.float32 and obs.shape == (NUM_ENVS, 4)
    assert isinstance(infos, dict)
    obs, rewards, terminations, truncations, infos = envs.step(np.array([0, 1, 0, 1]))
    assert obs.dtype == np.float32 and obs.shape == (NUM_ENVS, 4)
    assert rewards.dtype == np.float64 and rewards.shape == (NUM_ENVS,)
    assert terminations.dtype == np.bool_ and terminations.shape == (NUM_ENVS,)
    assert truncations.dtype == np.bool_ and truncations.shape == (NUM_ENVS,)
    assert isinstance(infos, dict)
    np.testing.assert_array_equal(rewards, np.ones(NUM_ENVS))
    assert obs in envs.observation_space


def test_a_list_of_actions_works_like_an_array(envs) -> None:
    envs.reset(seed=0)
    from_list = envs.step([0, 1, 1, 0])[0]
    envs.reset(seed=0)
    from_array = envs.step(np.array([0, 1, 1, 0]))[0]
    np.testing.assert_array_equal(from_list, from_array)


def test_an_integer_seed_s_seeds_sub_env_i_with_s_plus_i(envs, address: str) -> None:
    obs, _ = envs.reset(seed=7)
    for index in range(NUM_ENVS):
        np.testing.assert_array_equal(obs[index], single_reset(address, 7 + index))


def test_a_list_of_seeds_seeds_each_sub_env(envs, address: str) -> None:
    obs, _ = envs.reset(seed=[3, None, 30, 300])
    np.testing.assert_array_equal(obs[0], single_reset(address, 3))
    np.testing.assert_array_equal(obs[2], single_reset(address, 30))
    np.testing.assert_array_equal(obs[3], single_reset(address, 300))


def test_step_before_the_first_reset_raises_reset_needed(envs) -> None:
    with pytest.raises(zerogym.ResetNeededError):
        envs.step(np.zeros(NUM_ENVS, np.int64))


def test_invalid_actions_raise_invalid_action(envs) -> None:
    envs.reset(seed=0)
    for actions in (np.array([0, 1, 2, 0]), np.array([0.5, 1, 0, 0]), np.zeros(NUM_ENVS + 1, np.int64)):
        with pytest.raises(zerogym.InvalidActionError):
            envs.step(actions)
    envs.step(np.zeros(NUM_ENVS, np.int64))


def test_a_finished_sub_env_resets_on_the_next_step_as_a_single_env_would(envs, address: str) -> None:
    """Next-step autoreset: the step after the end returns the reset observation, reward 0 and no flags."""
    actions = np.array([1, 0, 1, 0])
    obs, _ = envs.reset(seed=20)
    with zerogym.make("CartPole-v1", address=address) as single:
        single.reset(seed=20)  # sub-env 0 is seeded with 20 + 0
        for step in range(100):
            obs, rewards, terminations, truncations, _ = envs.step(actions)
            expected_obs, _, expected_terminated, _, _ = single.step(1)
            np.testing.assert_array_equal(obs[0], expected_obs)
            assert terminations[0] == expected_terminated
            if expected_terminated:
                break
        assert terminations[0], "sub-env 0 always pushes right and must fall within 100 steps"

        obs, rewards, terminations, truncations, _ = envs.step(actions)
        expected_reset, _ = single.reset()  # the sub-env's generator continues, as a single env's does
        np.testing.assert_array_equal(obs[0], expected_reset)
        assert rewards[0] == 0.0 and not terminations[0] and not truncations[0]

        obs, rewards, *_ = envs.step(actions)
        np.testing.assert_array_equal(obs[0], single.step(1)[0])
        assert rewards[0] == 1.0


def test_a_vector_env_of_one_sub_env_keeps_its_leading_dimension(address: str) -> None:
    with zerogym.make_vec("CartPole-v1", 1, address=address) as envs:
        obs, _ = envs.reset(seed=5)
        obs, rewards, terminations, truncations, _ = envs.step(np.array([1]))
    assert obs.shape == (1, 4) and rewards.shape == terminations.shape == truncations.shape == (1,)
    np.testing.assert_array_equal(rewards, [1.0])


def test_render_gives_one_frame_per_sub_env(address: str) -> None:
    with zerogym.make_vec("CartPole-v1", 2, address=address, render_mode="rgb_array") as envs:
        envs.reset(seed=0)
        frames = envs.render()
    assert isinstance(frames, tuple) and len(frames) == 2
    for frame in frames:
        assert frame.dtype == np.uint8 and frame.shape == (400, 600, 3)


def test_num_envs_out_of_range_raises_invalid_argument(address: str) -> None:
    with pytest.raises(zerogym.InvalidArgumentError):
        zerogym.make_vec("CartPole-v1", 0, address=address)


def test_close_is_idempotent_and_marks_the_env_closed(address: str) -> None:
    envs = zerogym.make_vec("CartPole-v1", 2, address=address)
    envs.close()
    envs.close()
    assert envs.closed


def test_envs_left_open_at_exit_end_the_process_quietly(address: str, client_env: dict[str, str]) -> None:
    script = ("import sys, zerogym\n"
              "envs = zerogym.make_vec('CartPole-v1', 2, address=sys.argv[1])\n"
              "env = zerogym.make('CartPole-v1', address=sys.argv[1])\n"
              "envs.reset(seed=0); env.reset(seed=0)\n")
    result = subprocess.run([sys.executable, "-c", script, address], env=client_env, capture_output=True, text=True,
                            timeout=60)
    assert (result.returncode, result.stderr) == (0, "")


def test_a_spinning_server_and_client_give_the_same_steps_as_blocking_ones(address: str, tmp_path: Path) -> None:
    spinning = start_server(300, tmp_path, "--spin-us", "500")
    try:
        runs = []
        for server_address, spin_us in ((address, 0), (spinning.address, 500)):
            with zerogym.make_vec("CartPole-v1", 4, address=server_address, spin_us=spin_us) as envs:
                assert envs._remote.connection.spin_us == spin_us
                assert envs.spec.kwargs["spin_us"] == spin_us  # spec.make() polls the same way
                steps = [envs.reset(seed=3)[0].copy()]
                for t in range(40):
                    obs, rewards, terminations, truncations, _ = envs.step(np.array([(t + i) % 2 for i in range(4)]))
                    steps += [obs.copy(), rewards.copy(), terminations.copy(), truncations.copy()]
            runs.append(steps)
    finally:
        spinning.stop()
    for blocking, spun in zip(*runs):
        np.testing.assert_array_equal(blocking, spun)


def test_spin_us_must_be_a_non_negative_int(address: str) -> None:
    for wrong in (-1, 2.5):
        with pytest.raises(ValueError, match="spin_us must be a non-negative int"):
            zerogym.make_vec("CartPole-v1", 2, address=address, spin_us=wrong)


def test_the_server_refuses_a_negative_spin() -> None:
    refused = subprocess.run(["dotnet", str(SERVER_DLL), "--bind", "tcp://127.0.0.1:*", "--spin-us", "-1"],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "--spin-us between 0 and 1000000" in refused.stderr
