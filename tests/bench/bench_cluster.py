"""Benchmarks of a vector env over the nodes of a local cluster (issue 13's targets), printed as a table:

- per-step latency of a 3-node ``spread`` vector env against each node's own step of the same sub-envs (a vector env
  of that many sub-envs on that node alone), measured interleaved, medians of p50s; target: <= 1.2x the slowest node;
- placing 1,000 CartPole sub-envs ``spread`` over 3 nodes (target <= 2 s);
- kill -9 of a node: time to ``NodeLostError`` (``raise``) and to the first step returned (``recreate``);
- with ``--pinned``: two nodes pinned with ``taskset`` to one core each, against one node on one core: throughput
  of a HalfCheetah-v5 32-env vector env (target >= 1.8x) and its per-step latency against each node's own step
  (target <= 1.2x), so that each node has a core of its own as the targets assume;
- requests per step on the hot path: the fan-out sends one ``step`` per node and nothing else (no cluster op), and
  the node's handler never uses the cluster view for a step (tests/ZeroGym.Tests/Server/RequestHandlerTests.Cluster.cs).

Run by scripts/bench-cluster, which starts nothing itself: this script starts a private Redis and the nodes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "clients" / "python"))
import zerogym  # noqa: E402

SERVER_DLL = REPO / "artifacts" / "bin" / "ZeroGym.EnvServer" / "release" / "ZeroGym.EnvServer.dll"
BENCH_DLL = REPO / "artifacts" / "bin" / "ZeroGym.Bench" / "release" / "ZeroGym.Bench.dll"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalCluster:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        port = free_port()
        self.redis_url = f"redis://127.0.0.1:{port}"
        self.redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                       "--appendonly", "no", "--dir", str(workdir)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.nodes: dict[str, tuple[subprocess.Popen, str]] = {}

    def start(self, name: str, taskset: str | None = None) -> str:
        log = open(self.workdir / f"{name}.log", "w")
        prefix = ["taskset", "-c", taskset] if taskset else []
        process = subprocess.Popen([*prefix, "dotnet", str(SERVER_DLL), "--bind", "tcp://127.0.0.1:*", "--cluster",
                                    self.redis_url, "--node-name", name], stdout=subprocess.PIPE, stderr=log, text=True)
        line = process.stdout.readline().strip()
        if not line.startswith("zerogym-server listening on "):
            raise RuntimeError(f"node {name} did not start: {line!r}")
        endpoint = line.removeprefix("zerogym-server listening on ")
        self.nodes[name] = (process, endpoint)
        return endpoint

    def kill(self, name: str) -> float:
        process, _ = self.nodes.pop(name)
        process.kill()
        killed = time.monotonic()
        process.wait()
        return killed

    def wait_active(self, count: int, idle: bool = True) -> None:
        address = next(iter(self.nodes.values()))[1]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            active = [node for node in zerogym.list_nodes(address=address) if node.status == "active"]
            if len(active) == count and not (idle and any(node.envs for node in active)):
                return
            time.sleep(0.2)
        raise RuntimeError(f"expected {count} active nodes; got {zerogym.list_nodes(address=address)}")

    def stop(self) -> None:
        for process, _ in self.nodes.values():
            process.terminate()
        for process, _ in self.nodes.values():
            process.wait()
        self.redis.terminate()
        self.redis.wait()


def step_p50(envs, steps: int) -> float:
    actions = np.zeros(envs.num_envs, np.int64) if envs.single_action_space.shape == () else \
        np.zeros((envs.num_envs, *envs.single_action_space.shape), np.float32)
    for _ in range(steps // 5):
        envs.step(actions)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        envs.step(actions)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def latency(cluster: LocalCluster, env_id: str, per_node: int, steps: int, rounds: int) -> None:
    names = sorted(cluster.nodes)
    first = cluster.nodes[names[0]][1]
    fanned, own = [], {name: [] for name in names}
    for _ in range(rounds):
        cluster.wait_active(len(names))
        with zerogym.make_vec(env_id, per_node * len(names), address=first, placement="spread") as envs:
            assert len(set(envs.nodes)) == len(names), envs.nodes
            envs.reset(seed=0)
            fanned.append(step_p50(envs, steps))
        for name in names:
            with zerogym.make_vec(env_id, per_node, address=cluster.nodes[name][1]) as envs:
                envs.reset(seed=0)
                own[name].append(step_p50(envs, steps))
    fan = statistics.median(fanned)
    slowest = max(statistics.median(values) for values in own.values())
    print(f"| {env_id} step p50, {len(names)}-node spread vector env of {per_node * len(names)} | {fan:.0f} µs | "
          f"rounds {', '.join(f'{v:.0f}' for v in fanned)} |")
    for name in names:
        print(f"| {env_id} step p50, {per_node} sub-envs on {name} alone | {statistics.median(own[name]):.0f} µs | "
              f"rounds {', '.join(f'{v:.0f}' for v in own[name])} |")
    print(f"| ratio: spread over the slowest node's own step (target <= 1.2) | {fan / slowest:.2f}x | |")


def steps_per_second(envs, seconds: float) -> float:
    actions = np.zeros((envs.num_envs, *envs.single_action_space.shape), np.float32)
    for _ in range(10):
        envs.step(actions)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        envs.step(actions)
        steps += envs.num_envs
    return steps / (time.perf_counter() - start)


def csharp_steps_per_second(address: str, num_envs: int, placement: str, seconds: float) -> float:
    """The same vector env through the C# client (ZeroGym.Bench mujoco-placed, HalfCheetah-v5, synchronous steps)."""
    result = subprocess.run(["dotnet", str(BENCH_DLL), "mujoco-placed", "--server", address, "--seconds", str(seconds),
                             "--num-envs", str(num_envs), "--placement", placement],
                            capture_output=True, text=True, check=True)
    return float(json.loads(result.stdout.strip().splitlines()[-1])["items_per_s"])


def pinned(workdir: Path, env_id: str, num_envs: int, seconds: float, rounds: int) -> None:
    """Two nodes on a core each against one node on one core; the client (Python, then C#) runs unpinned beside them."""
    cluster = LocalCluster(workdir)
    try:
        cluster.start("core-0", taskset="0")
        cluster.start("core-1", taskset="1")
        cluster.wait_active(2)
        figures: dict[tuple[str, str], list[float]] = {}
        for _ in range(rounds):
            for placement in ("local", "spread"):
                # wait_active: the node reports no longer count the envs just closed, so spread splits evenly.
                cluster.wait_active(2)
                with zerogym.make_vec(env_id, num_envs, address=cluster.nodes["core-0"][1], placement=placement) as envs:
                    assert len(set(envs.nodes)) == (2 if placement == "spread" else 1), envs.nodes
                    envs.reset(seed=0)
                    figures.setdefault(("Python", placement), []).append(steps_per_second(envs, seconds))
                if env_id == "HalfCheetah-v5" and BENCH_DLL.exists():
                    cluster.wait_active(2)
                    figures.setdefault(("C#", placement), []).append(
                        csharp_steps_per_second(cluster.nodes["core-0"][1], num_envs, placement, seconds))
        for client in ("Python", "C#"):
            if (client, "local") not in figures:
                continue
            alone, spread = figures[(client, "local")], figures[(client, "spread")]
            one, two = statistics.median(alone), statistics.median(spread)
            print(f"| {env_id} {num_envs} envs on one node pinned to one core, {client} client | {one:,.0f} steps/s | "
                  f"rounds {', '.join(f'{v:,.0f}' for v in alone)} |")
            print(f"| {env_id} {num_envs} envs spread over two nodes pinned to a core each, {client} client | "
                  f"{two:,.0f} steps/s | rounds {', '.join(f'{v:,.0f}' for v in spread)} |")
            print(f"| ratio: two pinned nodes over one, {client} client (target >= 1.8) | {two / one:.2f}x | |")
        latency(cluster, env_id, num_envs // 2, 400, rounds)
    finally:
        cluster.stop()


def node_loss(cluster: LocalCluster, mode: str, victim: str, active: int) -> None:
    cluster.start(victim)
    cluster.wait_active(active)
    first = cluster.nodes[sorted(cluster.nodes)[0]][1]
    envs = zerogym.make_vec("CartPole-v1", 4 * active, address=first, placement="spread", on_node_lost=mode)
    envs.reset(seed=0)
    actions = np.zeros(envs.num_envs, np.int64)
    for _ in range(50):
        envs.step(actions)
    killed = cluster.kill(victim)
    try:
        envs.step(actions)
        what = "first step returned after the kill (recreate, target <= 3 s)"
    except zerogym.NodeLostError:
        what = "NodeLostError after the kill (raise, target <= 2 s)"
    waited = time.monotonic() - killed
    envs.step(actions) if mode == "recreate" else envs.reset(seed=0)
    print(f"| kill -9 of a node holding 4 of {envs.num_envs} sub-envs: {what} | {waited * 1000:.0f} ms | |")
    envs.close()


def placement(cluster: LocalCluster, num_envs: int, rounds: int) -> None:
    names = sorted(cluster.nodes)
    cluster.wait_active(len(names))
    times = []
    for _ in range(rounds):
        started = time.monotonic()
        endpoints = zerogym.place("CartPole-v1", num_envs, "spread", address=cluster.nodes[names[0]][1])
        times.append(time.monotonic() - started)
        assert len(endpoints) == num_envs
    print(f"| placing {num_envs:,} CartPole sub-envs spread over {len(names)} nodes (target <= 2 s) | "
          f"{statistics.median(times) * 1000:.0f} ms | median of {rounds}, max {max(times) * 1000:.0f} ms |")


def hot_path_requests(cluster: LocalCluster, steps: int) -> None:
    names = sorted(cluster.nodes)
    cluster.wait_active(len(names))
    with zerogym.make_vec("CartPole-v1", 12, address=cluster.nodes[names[0]][1], placement="spread") as envs:
        envs.reset(seed=0)
        before = [part.connection.last_request_id for part in envs._parts]
        for _ in range(steps):
            envs.step(np.zeros(12, np.int64))
        sent = sum(part.connection.last_request_id - b for part, b in zip(envs._parts, before))
    print(f"| requests per step to the nodes of a {len(before)}-node vector env (all 'step'; cluster ops: 0) | "
          f"{sent / steps:.2f} | {steps} steps |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-node", type=int, default=16)
    parser.add_argument("--halfcheetah", action="store_true", help="also time HalfCheetah-v5 (8 sub-envs per node)")
    parser.add_argument("--pinned", action="store_true",
                        help="only the taskset benchmark: HalfCheetah-v5 32 envs over two nodes on a core each vs one")
    args = parser.parse_args()
    if shutil.which("redis-server") is None or not SERVER_DLL.exists():
        sys.exit("needs redis-server and a built server: run scripts/setup")
    if args.pinned:
        if shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
            sys.exit("--pinned needs taskset and at least 2 cores")
        with tempfile.TemporaryDirectory(prefix="bench-cluster-") as workdir:
            print("| what | figure | detail |\n| --- | --- | --- |")
            pinned(Path(workdir), "HalfCheetah-v5", 32, 3.0, args.rounds)
        return
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as workdir:
        cluster = LocalCluster(Path(workdir))
        try:
            for name in ("node-1", "node-2", "node-3"):
                cluster.start(name)
            cluster.wait_active(3)
            print("| what | figure | detail |\n| --- | --- | --- |")
            latency(cluster, "CartPole-v1", args.per_node, args.steps, args.rounds)
            if args.halfcheetah:
                latency(cluster, "HalfCheetah-v5", 8, args.steps // 4, args.rounds)
            placement(cluster, 1000, args.rounds)
            hot_path_requests(cluster, 500)
            node_loss(cluster, "raise", "node-4", 4)
            cluster.wait_active(3, idle=False)
            node_loss(cluster, "recreate", "node-5", 4)
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
