"""Several clients and their lifetimes against the real server: isolation, killed clients, idle timeouts."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

import zerogym
from conftest import kill_when_ready
from zerogym.connection import Connection

# A client that makes CartPole, steps it forever (resetting when an episode ends) and says when it is running.
STEPPING_CLIENT = """
import sys, zerogym
env = zerogym.make("CartPole-v1", address=sys.argv[1], timeout=10)
env.reset(seed=0)
for _ in range(5):
    env.step(0)
print("stepping", flush=True)
while True:
    if any(env.step(env.action_space.sample())[2:4]):
        env.reset()
"""


def made_env_clients(log: str) -> list[str]:
    """The client ids of the server's ``env_made`` log lines, in order."""
    return re.findall(r"event=env_made client=(\S+)", log)


def trajectory(env, seed: int, actions: list[int]) -> list[np.ndarray]:
    observations = [env.reset(seed=seed)[0]]
    observations += [env.step(action)[0] for action in actions]
    return observations


def test_two_clients_stepping_at_once_do_not_disturb_each_other(address: str) -> None:
    actions = [0, 1, 1, 0, 1, 0, 0, 1]
    with zerogym.make("CartPole-v1", address=address) as alone:
        expected_a = trajectory(alone, 1, actions)
        expected_b = trajectory(alone, 2, actions[::-1])
    with zerogym.make("CartPole-v1", address=address) as a, zerogym.make("CartPole-v1", address=address) as b:
        got_a, got_b = [a.reset(seed=1)[0]], [b.reset(seed=2)[0]]
        for action_a, action_b in zip(actions, actions[::-1]):
            got_a.append(a.step(action_a)[0])
            got_b.append(b.step(action_b)[0])
    np.testing.assert_array_equal(got_a, expected_a)
    np.testing.assert_array_equal(got_b, expected_b)


def test_a_connection_cannot_use_the_env_of_another(address: str) -> None:
    with zerogym.make("CartPole-v1", address=address) as env:
        env.reset(seed=0)
        intruder = Connection(address, 10)
        try:
            with pytest.raises(zerogym.UnknownHandleError):
                intruder.request({"op": "step", "handle": env._remote.handle, "action": 0})
        finally:
            intruder.close()
        env.step(0)


def test_a_killed_client_mid_episode_does_not_disturb_others_and_its_env_is_closed_when_idle(
        short_idle_server, client_env) -> None:
    address = short_idle_server.address
    with zerogym.make("CartPole-v1", address=address) as survivor:
        survivor.reset(seed=0)
        kill_when_ready(STEPPING_CLIENT, address, client_env, "stepping")
        survivor_client, victim_client = made_env_clients(short_idle_server.log())

        # Keep stepping (well inside the 1 s idle timeout) until the server reports the victim's env closed.
        closed_line = None
        deadline = time.monotonic() + 15
        while closed_line is None and time.monotonic() < deadline:
            for _ in range(100):
                if any(survivor.step(survivor.action_space.sample())[2:4]):
                    survivor.reset()
            closed_line = short_idle_server.wait_for_log("event=env_closed", f"client={victim_client}", timeout=0)
        assert closed_line is not None, f"the victim's env was never closed:\n{short_idle_server.log()[-3000:]}"
        assert "reason=idle" in closed_line
        survivor_closes = [line for line in short_idle_server.log().splitlines()
                           if "event=env_closed" in line and f"client={survivor_client}" in line]
        assert survivor_closes == []
        obs, _ = survivor.reset(seed=1)
        assert survivor.step(0)[0].shape == obs.shape == (4,)


def test_after_the_idle_timeout_step_says_the_env_is_gone_and_reset_makes_it_again(short_idle_server) -> None:
    with zerogym.make("CartPole-v1", address=short_idle_server.address) as env:
        first, _ = env.reset(seed=8)
        line = short_idle_server.wait_for_log("event=env_closed", "reason=idle", timeout=15)
        assert line is not None, f"the server never closed the idle env:\n{short_idle_server.log()[-3000:]}"
        with pytest.raises(zerogym.UnknownHandleError, match=r"reset\(\)"):
            env.step(0)
        again, _ = env.reset(seed=8)
        np.testing.assert_array_equal(again, first)
        env.step(0)
