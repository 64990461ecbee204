"""SPEC.md §1.1 (protocol 1.4): a client on the server's host moves to the server's Unix stream socket after hello,
gets exactly what ZeroMQ would give, and stays on ZeroMQ when told to or when the server offers none."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import numpy as np
import pytest

import zerogym
from conftest import start_server
from zerogym.connection import Connection


def trajectory(address: str, local_stream: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[np.ndarray]]:
    """A vector env's observations, rewards and flags over 40 steps, and the transport the connection used."""
    monkeypatch.setattr("zerogym.connection.LOCAL_STREAM", local_stream)
    with zerogym.make_vec("CartPole-v1", 6, address=address) as envs:
        obs, _ = envs.reset(seed=11)
        seen = [obs.copy()]
        for t in range(40):
            obs, rewards, terminations, truncations, _ = envs.step(np.arange(6) % 2 ^ (t % 2))
            seen += [obs.copy(), rewards.copy(), terminations.copy(), truncations.copy()]
        return envs._connection.transport, seen


def test_a_local_client_moves_to_the_stream_and_gets_what_zeromq_gives(address, monkeypatch):
    zeromq, over_zeromq = trajectory(address, False, monkeypatch)
    stream, over_stream = trajectory(address, True, monkeypatch)
    assert (zeromq, stream) == ("zeromq", "local_stream")
    assert len(over_stream) == len(over_zeromq)
    for ours, theirs in zip(over_stream, over_zeromq):
        np.testing.assert_array_equal(ours, theirs)


def test_the_hello_reply_names_the_stream_and_the_capability(address):
    connection = Connection(address, 10.0, local_stream=False)
    try:
        reply = connection.hello()
        assert "local_stream" in reply["capabilities"]
        assert Path(reply["local_stream"]).is_socket()
        assert connection.transport == "zeromq"
    finally:
        connection.close()


def test_async_calls_on_the_stream_keep_their_semantics(address):
    with zerogym.make_vec("CartPole-v1", 8, batch_size=4, address=address) as envs:
        assert envs._connection.transport == "local_stream"
        envs.async_reset(seed=0)
        received = 0
        for _ in range(50):
            obs, _, _, _, infos = envs.recv()
            assert obs.shape == (4, 4) and len(set(infos["env_id"].tolist())) == 4
            envs.send(np.zeros(4, dtype=np.int64), infos["env_id"])
            received += 4
        assert received == 200
        with pytest.raises(zerogym.InvalidArgumentError, match="in flight"):
            envs.send(np.zeros(4, dtype=np.int64), infos["env_id"])


def test_a_server_without_the_stream_keeps_the_client_on_zeromq(tmp_path):
    server = start_server(60, tmp_path, "--no-local-stream")
    try:
        with zerogym.make("CartPole-v1", address=server.address) as env:
            env.reset(seed=1)
            env.step(0)
            assert env._remote.connection.transport == "zeromq"
            assert "local_stream" not in env._remote.connection.server["capabilities"]
    finally:
        server.stop()


def test_a_server_that_stops_fails_the_next_request_at_once_naming_the_endpoint(tmp_path):
    server = start_server(60, tmp_path)
    env = zerogym.make("CartPole-v1", address=server.address, timeout=8.0)
    try:
        assert env._remote.connection.transport == "local_stream"
        env.reset(seed=1)
        server.stop()
        started = time.monotonic()
        with pytest.raises(zerogym.ServerTimeoutError, match=server.address.replace(".", r"\.")) as failed:
            env.step(0)
        assert time.monotonic() - started < 4.0, "expected the ended stream to fail the request without the timeout"
        # The message says what happened, not a wait that did not take place.
        assert failed.value.closed_by_server
        assert "closed the connection before answering 'step' (it stopped or restarted)" in str(failed.value)
        assert "within" not in str(failed.value)
    finally:
        with contextlib.suppress(zerogym.ServerTimeoutError):
            env.close()  # asks the stopped server on ZeroMQ again, which times out
