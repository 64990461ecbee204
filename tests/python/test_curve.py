"""CURVE from Python: keys from scripts/keygen, an authorized client steps, strangers get nothing (SPEC.md §6)."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

import zerogym
from conftest import SERVER_DLL, ServerProcess, start_server
from zerogym.security import read_key_pair, read_public_key


def keygen(name: Path) -> None:
    subprocess.run(["dotnet", str(SERVER_DLL), "keygen", str(name)], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """server.key/.pub, alice.key/.pub and an authorized-keys file that lists alice only."""
    directory = tmp_path_factory.mktemp("keys")
    keygen(directory / "server")
    keygen(directory / "alice")
    (directory / "authorized").write_text(f"# who may connect\n{(directory / 'alice.pub').read_text().strip()} alice\n")
    return directory


@pytest.fixture(scope="module")
def curve_server(keys: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    running = start_server(300, tmp_path_factory.mktemp("curve-server"), "--curve-secret-key", str(keys / "server.key"),
                           "--authorized-keys", str(keys / "authorized"))
    yield running
    running.stop()


def test_keygen_files_are_read_as_paths_or_as_z85_text(keys: Path) -> None:
    public, secret = read_key_pair(keys / "alice.key")
    assert read_public_key(keys / "alice.pub") == public
    assert read_public_key(str(keys / "alice.key")) == public
    assert read_key_pair(secret) == (public, secret)
    assert zmq.curve_public(secret.encode()).decode() == public
    assert (keys / "alice.key").stat().st_mode & 0o077 == 0, "the key pair must be readable by its owner only"
    with pytest.raises(ValueError, match="not NAME.pub"):
        read_key_pair(keys / "alice.pub", "curve_client_key")


def test_an_authorized_client_steps_an_encrypted_env(curve_server: ServerProcess, keys: Path) -> None:
    with zerogym.make("CartPole-v1", address=curve_server.address, timeout=10,
                      curve_server_key=str(keys / "server.pub"), curve_client_key=str(keys / "alice.key")) as env:
        env.reset(seed=0)
        assert env.step(1)[1] == 1.0
    assert curve_server.wait_for_log("event=client_authenticated", "key=alice", timeout=5)


def test_keys_given_as_z85_text_work_too(curve_server: ServerProcess, keys: Path) -> None:
    server_public = read_public_key(keys / "server.pub")
    _, secret = read_key_pair(keys / "alice.key")
    envs = zerogym.list_envs(curve_server.address, timeout=10, curve_server_key=server_public, curve_client_key=secret)
    assert "CartPole-v1" in [spec["id"] for spec in envs]


def test_an_unknown_key_gets_no_reply_and_is_logged(curve_server: ServerProcess, keys: Path) -> None:
    stranger_public, stranger_secret = (key.decode() for key in zmq.curve_keypair())
    with pytest.raises(zerogym.ServerTimeoutError, match="--authorized-keys"):
        zerogym.make("CartPole-v1", address=curve_server.address, timeout=1,
                     curve_server_key=str(keys / "server.pub"), curve_client_key=stranger_secret)
    assert curve_server.wait_for_log("event=client_refused", "reason=unknown_key", stranger_public, timeout=5)


def test_a_plain_text_client_gets_no_reply_and_is_logged(keys: Path, tmp_path: Path) -> None:
    # A server of its own: refusals are logged once per 10 s per reason, and other tests' clients may abort too.
    curve_server = start_server(300, tmp_path, "--curve-secret-key", str(keys / "server.key"),
                                "--authorized-keys", str(keys / "authorized"))
    try:
        assert_plain_text_refused(curve_server)
    finally:
        curve_server.stop()


def assert_plain_text_refused(curve_server: ServerProcess) -> None:
    logged_before = len(curve_server.log())
    with pytest.raises(zerogym.ServerTimeoutError, match="--curve-secret-key"):
        zerogym.make("CartPole-v1", address=curve_server.address, timeout=1)
    # Both ends see the mechanism mismatch; when the client hangs up first the server sees an aborted handshake.
    deadline = time.monotonic() + 5
    while not re.search(r"event=client_refused reason=(not_curve|handshake_aborted)", curve_server.log()[logged_before:]):
        assert time.monotonic() < deadline, f"no refusal logged:\n{curve_server.log()[logged_before:]}"
        time.sleep(0.05)


def test_only_one_of_the_two_keys_is_an_error_before_connecting(keys: Path) -> None:
    with pytest.raises(ValueError, match="go together"):
        zerogym.make("CartPole-v1", curve_server_key=str(keys / "server.pub"))


def test_the_server_refuses_plain_text_on_a_reachable_endpoint() -> None:
    refused = subprocess.run(["dotnet", str(SERVER_DLL), "--bind", "tcp://0.0.0.0:*"], capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode == 2
    assert "refusing to serve plain text on tcp://0.0.0.0:*" in refused.stderr
    assert "--insecure" in refused.stderr


def test_the_server_needs_both_curve_options(keys: Path) -> None:
    refused = subprocess.run(["dotnet", str(SERVER_DLL), "--bind", "tcp://127.0.0.1:*", "--curve-secret-key",
                              str(keys / "server.key")], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "go together" in refused.stderr
