"""Benchmarks of a vector env over the nodes of a local cluster (issue 13's targets), printed as a table:

- per-step latency of a 3-node ``spread`` vector env against each node's own step of the same sub-envs (a vector env
  of that many sub-envs on that node alone), all open together and taking turns of 50 steps, after an untimed round,
  medians of p50s; target: <= 1.2x the slowest node;
- placing 1,000 CartPole sub-envs ``spread`` over 3 nodes (target <= 2 s);
- kill -9 of a node: time to ``NodeLostError`` (``raise``) and to the first step returned (``recreate``);
- with ``--pinned``: two nodes pinned with ``taskset`` to one core each, against one node on one core: throughput
  of a HalfCheetah-v5 32-env vector env (target >= 1.8x) and its per-step latency against each node's own step
  (target <= 1.2x), so that each node has a core of its own as the targets assume; the spread and the one-node vector
  envs are open together and take turns of 0.25 s, so the VM's drift falls on both alike; with each node's CPU use
  during the runs and the rate the two nodes reach when a client process of its own steps each (no fan-out);
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

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "clients" / "python"))
import zerogym  # noqa: E402

SERVER_DLL = REPO / "artifacts" / "bin" / "ZeroGym.EnvServer" / "release" / "ZeroGym.EnvServer.dll"
BENCH_DLL = REPO / "artifacts" / "bin" / "ZeroGym.Bench" / "release" / "ZeroGym.Bench.dll"
# Untimed rounds first: a node just started spends its first tens of seconds partly in .NET's tiered JIT (about 0.06
# of a core for 40 s, measured per thread), on the same core as its envs when pinned.
WARM_UP_ROUNDS = 1
# The envs compared take turns of this long (throughput) or this many steps (latency).
TURN_SECONDS = 0.25
TURN_STEPS = 50


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


def zero_actions(envs) -> np.ndarray:
    return np.zeros(envs.num_envs, np.int64) if envs.single_action_space.shape == () else \
        np.zeros((envs.num_envs, *envs.single_action_space.shape), np.float32)


def interleaved_step_p50s(envs_by_name: dict[str, object], steps: int) -> dict[str, float]:
    """Each vector env's median step time (µs) over ``steps`` synchronous steps, the envs taking turns of
    ``TURN_STEPS`` steps: a VM that slows down meanwhile slows all alike."""
    actions = {name: zero_actions(envs) for name, envs in envs_by_name.items()}
    for name, envs in envs_by_name.items():
        for _ in range(steps // 5):
            envs.step(actions[name])
    times: dict[str, list[float]] = {name: [] for name in envs_by_name}
    while len(times[next(iter(times))]) < steps:
        for name, envs in envs_by_name.items():
            for _ in range(TURN_STEPS):
                start = time.perf_counter()
                envs.step(actions[name])
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1e6 for name, values in times.items()}


def latency(cluster: LocalCluster, env_id: str, per_node: int, steps: int, rounds: int) -> None:
    names = sorted(cluster.nodes)
    first = cluster.nodes[names[0]][1]
    fanned, own = [], {name: [] for name in names}
    for _ in range(WARM_UP_ROUNDS + rounds):
        cluster.wait_active(len(names))
        # The spread env first, while every node is idle (the placement counts the envs each holds), then each node's own.
        with contextlib.ExitStack() as stack:
            spread = stack.enter_context(zerogym.make_vec(env_id, per_node * len(names), address=first, placement="spread"))
            assert sorted(spread.nodes.count(endpoint) for endpoint in set(spread.nodes)) == [per_node] * len(names), spread.nodes
            envs_by_name = {"spread": spread}
            for name in names:
                envs_by_name[name] = stack.enter_context(zerogym.make_vec(env_id, per_node, address=cluster.nodes[name][1]))
            for envs in envs_by_name.values():
                envs.reset(seed=0)
            p50s = interleaved_step_p50s(envs_by_name, steps)
        fanned.append(p50s["spread"])
        for name in names:
            own[name].append(p50s[name])
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


def interleaved_rates(cluster: LocalCluster, envs_by_name: dict[str, object], seconds: float) \
        -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Env-steps/s of each vector env stepped synchronously for ``seconds``, the envs taking turns of
    ``TURN_SECONDS`` (a VM that slows down meanwhile slows all alike), and the CPU use in cores of each node and of
    this client (all its threads) while each env was stepped."""
    actions = {name: zero_actions(envs) for name, envs in envs_by_name.items()}
    for name, envs in envs_by_name.items():
        for _ in range(10):
            envs.step(actions[name])
    steps = dict.fromkeys(envs_by_name, 0)
    elapsed = dict.fromkeys(envs_by_name, 0.0)
    busy = {name: dict.fromkeys([*cluster.nodes, "client"], 0.0) for name in envs_by_name}
    for _ in range(max(1, round(seconds / TURN_SECONDS))):
        for name, envs in envs_by_name.items():
            before = {node: process_cpu_seconds(process.pid) for node, (process, _) in cluster.nodes.items()}
            client_before = time.process_time()
            start = time.perf_counter()
            while time.perf_counter() - start < TURN_SECONDS:
                envs.step(actions[name])
                steps[name] += envs.num_envs
            elapsed[name] += time.perf_counter() - start
            busy[name]["client"] += time.process_time() - client_before
            for node, (process, _) in cluster.nodes.items():
                busy[name][node] += process_cpu_seconds(process.pid) - before[node]
    rates = {name: steps[name] / elapsed[name] for name in envs_by_name}
    return rates, {name: {node: cpu / elapsed[name] for node, cpu in use.items()} for name, use in busy.items()}


def csharp_rates(address: str, num_envs: int, seconds: float, batch_size: int = 0) -> dict[str, float]:
    """The same two vector envs through the C# client (ZeroGym.Bench mujoco-placed --beside-local, HalfCheetah-v5), in
    turns: synchronous steps, or with ``batch_size`` the asynchronous loop receiving that many at a time."""
    result = subprocess.run(["dotnet", str(BENCH_DLL), "mujoco-placed", "--server", address, "--seconds", str(seconds),
                             "--num-envs", str(num_envs), "--placement", "spread", "--batch-size", str(batch_size),
                             "--beside-local"], capture_output=True, text=True, check=True)
    rates = {}
    for line in result.stdout.strip().splitlines()[-2:]:
        figures = json.loads(line)
        rates["spread" if " spread " in figures["name"] else "local"] = float(figures["items_per_s"])
    return rates


def pinned(workdir: Path, env_id: str, num_envs: int, seconds: float, rounds: int) -> None:
    """Two nodes on a core each against one node on one core; the client (Python, then C#) runs unpinned beside them.
    In each round the spread vector env and the one-node vector env are open together and stepped in turns."""
    cluster = LocalCluster(workdir)
    try:
        cluster.start("core-0", taskset="0")
        cluster.start("core-1", taskset="1")
        cluster.wait_active(2)
        address = cluster.nodes["core-0"][1]
        figures: dict[tuple[str, str], list[float]] = {}
        busy: dict[str, list[dict[str, float]]] = {}
        apart: list[float] = []
        for _ in range(WARM_UP_ROUNDS + rounds):
            cluster.wait_active(2)
            apart.append(sum(one_client_per_node(cluster, env_id, num_envs // 2, seconds)))
            # wait_active: the node reports no longer count the envs just closed, so spread splits evenly; the spread
            # env is made before the local one, which would unbalance it.
            cluster.wait_active(2)
            with zerogym.make_vec(env_id, num_envs, address=address, placement="spread") as spread, \
                    zerogym.make_vec(env_id, num_envs, address=address, placement="local") as local:
                assert sorted(spread.nodes.count(endpoint) for endpoint in set(spread.nodes)) == [num_envs // 2] * 2, spread.nodes
                assert set(local.nodes) == {address}, local.nodes
                spread.reset(seed=0)
                local.reset(seed=0)
                rates, use = interleaved_rates(cluster, {"local": local, "spread": spread}, seconds)
            for placement, rate in rates.items():
                figures.setdefault(("Python", placement), []).append(rate)
                busy.setdefault(placement, []).append(use[placement])
            if env_id == "HalfCheetah-v5" and BENCH_DLL.exists():
                for client, batch in (("C#", 0), (f"C# asynchronous {num_envs}/{num_envs // 2}", num_envs // 2)):
                    cluster.wait_active(2)
                    for placement, rate in csharp_rates(address, num_envs, seconds, batch).items():
                        figures.setdefault((client, placement), []).append(rate)
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
            # Each round's own ratio too: the VM's speed drifts between rounds, and within one the two envs take turns.
            paired = [spread_rate / alone_rate for spread_rate, alone_rate in zip(spread, alone)]
            print(f"| ratio: two pinned nodes over one, {client} client (target >= 1.8) | {two / one:.2f}x | "
                  f"by round {', '.join(f'{v:.2f}' for v in paired)}: median {statistics.median(paired):.2f}x |")
            if client == "Python":
                # Where the time goes: a node that waits for the client is idle on its own core, and the client's own
                # CPU comes off the nodes' two cores.
                for placement, uses in busy.items():
                    shares = ", ".join(f"{name} {statistics.median(use[name] for use in uses):.2f}" for name in uses[0])
                    print(f"| CPU use of each node and of the Python client while it steps the {placement} vector env "
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
