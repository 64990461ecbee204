"""zerogym.list_nodes and zerogym.place against a small real cluster: a private Redis and two nodes (SPEC.md §3.5)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import zerogym
from conftest import ServerProcess, start_server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServerProcess]]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: scripts/setup installs it", pytrace=False)
    workdir = tmp_path_factory.mktemp("cluster")
    port = _free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                              "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    nodes: list[ServerProcess] = []
    try:
        for name in ("node-1", "node-2"):
            directory = workdir / name
            directory.mkdir()
            nodes.append(start_server(300, directory, "--cluster", f"redis://127.0.0.1:{port}", "--node-name", name))
        yield nodes
    finally:
        for node in nodes:
            node.stop()
        redis.terminate()
        redis.wait()


VIEW_LAG_S = 2.5
"""How long a node's view may lag the nodes: each reports once a second, and the node asked refreshes its copy of the
view once a second, plus the round trips."""


def _wait_for_active(address: str, count: int, idle: bool = False) -> list[zerogym.NodeInfo]:
    """The nodes once ``count`` are active (and, with ``idle``, have held no envs for ``VIEW_LAG_S``: a view refreshed
    before an earlier test made its envs shows them idle, and may still show them held after that test closed them),
    or as they are after 15 s."""
    deadline = time.monotonic() + 15
    idle_since = None
    while True:
        nodes = zerogym.list_nodes(address=address, timeout=10)
        active = [node for node in nodes if node.status == "active"]
        ready = len(active) == count
        if idle:
            idle_since = (idle_since or time.monotonic()) if ready and not any(node.envs for node in active) else None
            ready = idle_since is not None and time.monotonic() - idle_since >= VIEW_LAG_S
        if ready or time.monotonic() > deadline:
            return nodes
        time.sleep(0.1)


def test_list_nodes_lists_both_nodes_from_either(cluster: list[ServerProcess]) -> None:
    for node in cluster:
        nodes = _wait_for_active(node.address, 2)
        assert [info.name for info in nodes] == ["node-1", "node-2"]
        assert [info.endpoint for info in nodes] == [server.address for server in cluster]
        assert all(info.status == "active" and info.envs == 0 and info.cores >= 1 for info in nodes)
        assert all(isinstance(info.steps_per_s, float) for info in nodes)


def test_list_nodes_counts_the_envs_a_node_holds(cluster: list[ServerProcess]) -> None:
    _wait_for_active(cluster[0].address, 2)
    envs = zerogym.make_vec("CartPole-v1", 3, address=cluster[1].address)
    try:
        deadline = time.monotonic() + 15
        while (held := {info.name: info.envs for info in zerogym.list_nodes(address=cluster[0].address)}) != \
                {"node-1": 0, "node-2": 3} and time.monotonic() < deadline:
            time.sleep(0.2)
        assert held == {"node-1": 0, "node-2": 3}
    finally:
        envs.close()


def test_place_spreads_over_both_nodes(cluster: list[ServerProcess]) -> None:
    _wait_for_active(cluster[0].address, 2, idle=True)  # spread counts the envs nodes hold: start from none
    endpoints = zerogym.place("CartPole-v1", 10, "spread", address=cluster[0].address)
    assert sorted(endpoints) == sorted([cluster[0].address] * 5 + [cluster[1].address] * 5)
    assert zerogym.place("CartPole-v1", 4, "local", address=cluster[1].address) == [cluster[1].address] * 4


def test_list_nodes_on_a_single_server_says_it_needs_a_cluster(address: str) -> None:
    with pytest.raises(zerogym.ZeroGymError, match="capability 'cluster'") as raised:
        zerogym.list_nodes(address=address)
    assert raised.value.code == "unsupported"
    assert "--cluster" in str(raised.value)


def test_scripts_cluster_up_starts_a_working_cluster_and_down_stops_it(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "cluster"
    environment = {**os.environ, "ZEROGYM_CLUSTER_DIR": str(tmp_path / "state")}
    try:
        up = subprocess.run([str(script), "up", "--nodes", "2"], env=environment, capture_output=True, text=True, timeout=240)
        assert up.returncode == 0, up.stderr[-2000:]
        endpoints = [line.removeprefix("zerogym-server listening on ") for line in up.stdout.splitlines()]
        assert len(endpoints) == 2 and all(endpoint.startswith("tcp://127.0.0.1:") for endpoint in endpoints), up.stdout
        # up returns once every node lists every node: a learner placing envs at once sees them all.
        for endpoint in endpoints:
            assert [(node.name, node.endpoint, node.status) for node in zerogym.list_nodes(address=endpoint)] == \
                [("node-1", endpoints[0], "active"), ("node-2", endpoints[1], "active")], endpoint
        pids = [int((tmp_path / "state" / name).read_text()) for name in ("redis.pid", "node-1.pid", "node-2.pid")]
    finally:
        down = subprocess.run([str(script), "down"], env=environment, capture_output=True, text=True, timeout=60)
    assert down.returncode == 0, down.stderr
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text(), f"pid {pid} still runs"
