"""Benchmarks of a vector env over the nodes of a local cluster (issue 13's targets), printed as a table:

- per-step latency of a 3-node ``spread`` vector env against each node's own step of the same sub-envs (a vector env
  of that many sub-envs on that node alone), measured interleaved after an untimed round, medians of p50s; target:
  <= 1.2x the slowest node;
- placing 1,000 CartPole sub-envs ``spread`` over 3 nodes (target <= 2 s);
- kill -9 of a node: time to ``NodeLostError`` (``raise``) and to the first step returned (``recreate``);
- with ``--pinned``: two nodes pinned with ``taskset`` to one core each, against one node on one core: throughput
  of a HalfCheetah-v5 32-env vector env (target >= 1.8x) and its per-step latency against each node's own step
  (target <= 1.2x), so that each node has a core of its own as the targets assume; with each node's CPU use during
  the runs and the rate the two nodes reach when a client process of its own steps each (no fan-out);
- requests per step on the hot path: the fan-out sends one ``step`` per node and nothing else (no cluster op), and
  the node's handler never uses the cluster view for a step (tests/ZeroGym.Tests/Server/RequestHandlerTests.Cluster.cs).

Run by scripts/bench-cluster, which starts nothing itself: this script starts a private Redis and the nodes.
"""

from __future__ import annotations

import argparse
import contextlib
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
from typing import Iterator

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "clients" / "python"))
import zerogym  # noqa: E402

SERVER_DLL = REPO / "artifacts" / "bin" / "ZeroGym.EnvServer" / "release" / "ZeroGym.EnvServer.dll"
BENCH_DLL = REPO / "artifacts" / "bin" / "ZeroGym.Bench" / "release" / "ZeroGym.Bench.dll"
# Untimed rounds first: a node just started spends its first tens of seconds partly in .NET's tiered JIT (about 0.06
# of a core for 40 s, measured per thread), on the same core as its envs when pinned.
WARM_UP_ROUNDS = 1


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

    @contextlib.contextmanager
    def cpu_use(self) -> Iterator[dict[str, float]]:
        """Each node's CPU time over the block, in cores (1.0: a core busy throughout), filled in when it ends."""
        use: dict[str, float] = {}
        before = {name: process_cpu_seconds(process.pid) for name, (process, _) in self.nodes.items()}
        started = time.monotonic()
        yield use
        elapsed = time.monotonic() - started
        for name, (process, _) in self.nodes.items():
            use[name] = (process_cpu_seconds(process.pid) - before[name]) / elapsed

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


def process_cpu_seconds(pid: int) -> float:
    """User plus system time of a process so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


ONE_NODE_CLIENT = """
import sys, time
import numpy as np
import zerogym
address, env_id, count, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
with zerogym.make_vec(env_id, count, address=address) as envs:
    envs.reset(seed=0)
    actions = np.zeros((count, *envs.single_action_space.shape), np.float32)
    for _ in range(10):
        envs.step(actions)
    sys.stdout.write("ready\\n")
    sys.stdout.flush()
    sys.stdin.readline()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        envs.step(actions)
        steps += count
    print(steps / (time.perf_counter() - start))
"""


def one_client_per_node(cluster: LocalCluster, env_id: str, per_node: int, seconds: float) -> list[float]:
    """What the nodes reach without a fan-out: a client process of its own steps each node's sub-envs, all at once."""
    clients = [subprocess.Popen([sys.executable, "-c", ONE_NODE_CLIENT, endpoint, env_id, str(per_node), str(seconds)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(REPO / "clients" / "python")})
               for _, endpoint in cluster.nodes.values()]
    for client in clients:
        assert client.stdout.readline().strip() == "ready"
    for client in clients:
        client.stdin.write("go\n")
        client.stdin.flush()
    return [float(client.communicate()[0]) for client in clients]


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
    for _ in range(WARM_UP_ROUNDS + rounds):
        cluster.wait_active(len(names))
        with zerogym.make_vec(env_id, per_node * len(names), address=first, placement="spread") as envs:
            assert len(set(envs.nodes)) == len(names), envs.nodes
            envs.reset(seed=0)
            fanned.append(step_p50(envs, steps))
        for name in names:
            with zerogym.make_vec(env_id, per_node, address=cluster.nodes[name][1]) as envs:
                envs.reset(seed=0)
                own[name].append(step_p50(envs, steps))
    # The warm-up rounds' figures are dropped.
    fanned = fanned[WARM_UP_ROUNDS:]
    own = {name: values[WARM_UP_ROUNDS:] for name, values in own.items()}
    fan = statistics.median(fanned)
    slowest = max(statistics.median(values) for values in own.values())
    print(f"| {env_id} step p50, {len(names)}-node spread vector env of {per_node * len(names)} | {fan:.0f} µs | "
          f"rounds {', '.join(f'{v:.0f}' for v in fanned)} |")
    for name in names:
        print(f"| {env_id} step p50, {per_node} sub-envs on {name} alone | {statistics.median(own[name]):.0f} µs | "
              f"rounds {', '.join(f'{v:.0f}' for v in own[name])} |")
    paired = [value / max(own[name][k] for name in names) for k, value in enumerate(fanned)]
    print(f"| ratio: spread over the slowest node's own step (target <= 1.2) | {fan / slowest:.2f}x | "
          f"by round {', '.join(f'{v:.2f}' for v in paired)}: median {statistics.median(paired):.2f}x |")


def steps_per_second(envs, seconds: float) -> float:
    actions = np.zeros((envs.num_envs, *envs.single_action_space.shape), np.float32)
    for _ in range(10):
        envs.step(actions)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        envs.step(actions)
        steps += envs.num_envs
    return steps / (time.perf_counter() - start)


def csharp_steps_per_second(address: str, num_envs: int, placement: str, seconds: float, batch_size: int = 0) -> float:
    """The same vector env through the C# client (ZeroGym.Bench mujoco-placed, HalfCheetah-v5): synchronous steps, or
    with ``batch_size`` the asynchronous loop receiving that many at a time."""
    result = subprocess.run(["dotnet", str(BENCH_DLL), "mujoco-placed", "--server", address, "--seconds", str(seconds),
                             "--num-envs", str(num_envs), "--placement", placement, "--batch-size", str(batch_size)],
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
        busy: dict[str, list[dict[str, float]]] = {}
        apart: list[float] = []
        for _ in range(WARM_UP_ROUNDS + rounds):
            cluster.wait_active(2)
            apart.append(sum(one_client_per_node(cluster, env_id, num_envs // 2, seconds)))
            for placement in ("local", "spread"):
                # wait_active: the node reports no longer count the envs just closed, so spread splits evenly.
                cluster.wait_active(2)
                with zerogym.make_vec(env_id, num_envs, address=cluster.nodes["core-0"][1], placement=placement) as envs:
                    assert len(set(envs.nodes)) == (2 if placement == "spread" else 1), envs.nodes
                    envs.reset(seed=0)
                    with cluster.cpu_use() as use:
                        figures.setdefault(("Python", placement), []).append(steps_per_second(envs, seconds))
                    busy.setdefault(placement, []).append(use)
                if env_id == "HalfCheetah-v5" and BENCH_DLL.exists():
                    for client, batch in (("C#", 0), (f"C# asynchronous {num_envs}/{num_envs // 2}", num_envs // 2)):
                        cluster.wait_active(2)
                        figures.setdefault((client, placement), []).append(
                            csharp_steps_per_second(cluster.nodes["core-0"][1], num_envs, placement, seconds, batch))
        # The warm-up rounds' figures are dropped.
        apart = apart[WARM_UP_ROUNDS:]
        figures = {key: values[WARM_UP_ROUNDS:] for key, values in figures.items()}
        busy = {key: values[WARM_UP_ROUNDS:] for key, values in busy.items()}
        for client in ("Python", "C#", f"C# asynchronous {num_envs}/{num_envs // 2}"):
            if (client, "local") not in figures:
                continue
            alone, spread = figures[(client, "local")], figures[(client, "spread")]
            one, two = statistics.median(alone), statistics.median(spread)
            print(f"| {env_id} {num_envs} envs on one node pinned to one core, {client} client | {one:,.0f} steps/s | "
                  f"rounds {', '.join(f'{v:,.0f}' for v in alone)} |")
            print(f"| {env_id} {num_envs} envs spread over two nodes pinned to a core each, {client} client | "
                  f"{two:,.0f} steps/s | rounds {', '.join(f'{v:,.0f}' for v in spread)} |")
            # Each round's own ratio too: the VM's speed drifts between rounds, and a round's two runs see the same.
            paired = [spread_rate / alone_rate for spread_rate, alone_rate in zip(spread, alone)]
            print(f"| ratio: two pinned nodes over one, {client} client (target >= 1.8) | {two / one:.2f}x | "
                  f"by round {', '.join(f'{v:.2f}' for v in paired)}: median {statistics.median(paired):.2f}x |")
            if client == "Python":
                # Where the time goes: a node that waits for the client is idle on its own core.
                for placement, uses in busy.items():
                    shares = ", ".join(f"{name} {statistics.median(use[name] for use in uses):.2f}" for name in uses[0])
                    print(f"| each node's CPU use while the Python client steps the {placement} vector env "
                          f"(cores; medians) | {shares} | |")
                print(f"| the same two nodes, each stepped by a Python client process of its own ({num_envs // 2} "
                      f"envs each) | {statistics.median(apart):,.0f} steps/s | rounds "
                      f"{', '.join(f'{v:,.0f}' for v in apart)}; {statistics.median(apart) / one:.2f}x one node |")
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
