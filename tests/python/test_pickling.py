"""Remote envs pickle as how to reconnect, so SubprocVecEnv, multiprocessing and Ray can ship them."""

from __future__ import annotations

import pickle
import subprocess
import sys
from functools import partial

import numpy as np
import pytest

import zerogym
from zerogym.remote import reconnect_reduce


def test_an_unpickled_env_is_a_new_env_like_the_original_on_the_same_server(address: str) -> None:
    with zerogym.make("CartPole-v1", address=address, max_episode_steps=7) as env:
        env.reset(seed=1)
        env.step(0)
        with pickle.loads(pickle.dumps(env)) as copy:
            assert copy is not env and copy.spec.max_episode_steps == 7
            np.testing.assert_array_equal(copy.reset(seed=1)[0], env.reset(seed=1)[0])
            assert copy.step(1)[1] == 1.0


def test_an_unpickled_vector_env_keeps_its_batch_size_and_autoreset_mode(address: str) -> None:
    with zerogym.make_vec("CartPole-v1", 4, batch_size=2, autoreset_mode="same_step", address=address) as envs:
        with pickle.loads(pickle.dumps(envs)) as copy:
            assert (copy.num_envs, copy.batch_size) == (4, 2)
            assert copy.metadata["autoreset_mode"] == envs.metadata["autoreset_mode"]
            copy.async_reset(seed=0)
            assert len(copy.recv()[4]["env_id"]) == 2


def test_a_secret_key_given_as_text_is_never_pickled() -> None:
    class Env:
        _reconnect = partial(zerogym.make, "CartPole-v1", curve_client_key="x" * 40)

    with pytest.raises(TypeError, match="by path"):
        reconnect_reduce(Env())
    Env._reconnect = partial(zerogym.make, "CartPole-v1", curve_client_key="/keys/client.key")
    assert reconnect_reduce(Env())[0].keywords["curve_client_key"] == "/keys/client.key"


def test_a_single_env_dropped_without_close_closes_its_socket_quietly(address: str, client_env: dict[str, str]) -> None:
    script = ("import sys, gc, zerogym\n"
              "env = zerogym.make('CartPole-v1', address=sys.argv[1])\n"
              "env.reset(seed=0)\n"
              "del env\n"
              "gc.collect()\n")
    done = subprocess.run([sys.executable, "-W", "error::ResourceWarning", "-c", script, address],
                          env=client_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
