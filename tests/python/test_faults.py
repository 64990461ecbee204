"""Faults with real processes: a client killed with requests in flight, a server killed under a waiting client."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

import zerogym
from conftest import READY_PREFIX, SERVER_DLL, ServerProcess, assemble_rom, kill_when_ready, start_server

# Pipelines 2,000 64-env steps without reading a reply, says so, then waits to be killed.
FLOODING_CLIENT = """
import sys, msgpack, zmq, zerogym
from zerogym.connection import Connection
connection = Connection(sys.argv[1], 10)
made = connection.request({"op": "make", "env": "CartPole-v1", "num_envs": 64, "kwargs": {}})
connection.request({"op": "reset", "handle": made["handle"], "seed": 0})
raw = connection._socket
for i in range(2000):
    raw.send(msgpack.packb({"id": 10_000 + i, "op": "step", "handle": made["handle"], "action": {
        "dtype": "int64", "shape": [64], "data": bytes(8 * 64)}}))
print("flooding", flush=True)
sys.stdin.read()
"""


def test_a_client_killed_with_requests_in_flight_disturbs_no_one(server: ServerProcess, client_env) -> None:
    with zerogym.make("CartPole-v1", address=server.address) as survivor:
        survivor.reset(seed=0)
        kill_when_ready(FLOODING_CLIENT, server.address, client_env, "flooding")
        for _ in range(200):
            _, reward, terminated, truncated, _ = survivor.step(survivor.action_space.sample())
            assert reward == 1.0
            if terminated or truncated:
                survivor.reset()
        assert zerogym.list_envs(server.address)  # the server still answers newcomers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_on(address: str, workdir: Path) -> subprocess.Popen:
    workdir.mkdir(exist_ok=True)
    stdout = open(workdir / "stdout", "w+")
    process = subprocess.Popen(["dotnet", str(SERVER_DLL), "--bind", address], stdout=stdout,
                               stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    for _ in range(600):
        stdout.seek(0)
        if READY_PREFIX in stdout.read():
            return process
        assert process.poll() is None, "the server exited before listening"
        time.sleep(0.05)
    process.kill()
    pytest.fail("the server did not start")


def test_a_server_killed_under_a_waiting_client_times_out_then_the_env_is_gone_until_reset(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    first = start_on(address, tmp_path / "first")
    second = None
    try:
        env = zerogym.make("CartPole-v1", address=address, timeout=1.0)
        start, _ = env.reset(seed=5)
        first.send_signal(signal.SIGKILL)
        first.wait(10)

        with pytest.raises(zerogym.ServerTimeoutError) as timed_out:
            env.step(0)
        assert address in str(timed_out.value) and "server is running" in str(timed_out.value)

        second = start_on(address, tmp_path / "second")
        with pytest.raises(zerogym.UnknownHandleError, match=r"reset\(\)"):
            env.step(0)
        again, _ = env.reset(seed=5)
        np.testing.assert_array_equal(again, start)
        assert env.step(0)[1] == 1.0
        env.close()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()


def test_a_killed_server_takes_its_emulator_worker_processes_with_it(tmp_path: Path) -> None:
    """NES envs run in worker processes of the server; a server killed without cleanup must leave none behind."""
    rom = assemble_rom("joypad", tmp_path)
    server = start_server(30, tmp_path)
    try:
        envs = zerogym.make_vec("NES-v0", 2, address=server.address, rom=str(rom))
        envs.reset(seed=0)
        line = server.wait_for_log("event=env_made", "worker_pids=", timeout=5)
        assert line is not None, server.log()
        workers = [int(pid) for pid in line.split("worker_pids=")[1].split()[0].split(",")]
        assert len(workers) == 2
    finally:
        server.process.kill()
        server.process.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), f"workers {workers} outlived their server"
