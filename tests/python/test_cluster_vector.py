"""make_vec over the nodes of a real cluster (a private Redis and three node processes, SPEC.md §3.5): placement,
per-sub-env results identical to single envs whichever node runs them, the asynchronous calls across nodes, a node
joining later, kill -9 of a node mid-run with both ``on_node_lost`` modes, and a node that freezes. The nodes run on
this host, so the client reaches each through its Unix stream (SPEC.md §1.1), as it would a single server here."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import zerogym
from conftest import ServerProcess, start_server
from test_cluster import _free_port, _wait_for_active
from zerogym.batches import joined_step_reply
from zerogym.wire import decode_array, encode_array

SEED = 40
EPISODE_STEPS = 7  # short episodes: autoresets happen within a few steps


class Cluster:
    """A Redis and the node processes started on it, by name; killed nodes are not stopped again."""

    def __init__(self, workdir, redis_port: int):
        self.workdir = workdir
        self.redis = f"redis://127.0.0.1:{redis_port}"
        self.nodes: dict[str, ServerProcess] = {}

    def start(self, *names: str, options: tuple[str, ...] = ()) -> list[ServerProcess]:
        started = []
        for name in names:
            directory = self.workdir / name
            directory.mkdir()
            self.nodes[name] = start_server(300, directory, "--cluster", self.redis, "--node-name", name, *options)
            started.append(self.nodes[name])
        return started

    def kill(self, endpoint: str) -> float:
        """kill -9 of the node at ``endpoint``; returns when it was killed (time.monotonic)."""
        name = next(name for name, node in self.nodes.items() if node.address == endpoint)
        node = self.nodes.pop(name)
        node.process.kill()
        killed = time.monotonic()
        node.process.wait()
        return killed

    @property
    def first(self) -> str:
        return self.nodes["node-1"].address


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: scripts/setup installs it", pytrace=False)
    workdir = tmp_path_factory.mktemp("cluster-vector")
    port = _free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                              "no", "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running = Cluster(workdir, port)
    try:
        running.start("node-1", "node-2", "node-3")
        _wait_for_active(running.first, 3)
        yield running
    finally:
        for node in running.nodes.values():
            node.stop()
        redis.terminate()
        redis.wait()


def _wait_idle(cluster: Cluster, active: int) -> None:
    """Until ``active`` nodes are active and hold no envs (spread counts the envs nodes hold)."""
    nodes = _wait_for_active(cluster.first, active, idle=True)
    assert sum(node.status == "active" for node in nodes) == active, nodes


class Reference:
    """One single env per sub-env, seeded ``SEED + i``, stepped as a sub-env is (next-step autoreset)."""

    def __init__(self, address: str, count: int):
        self.envs = [zerogym.make("CartPole-v1", address=address, max_episode_steps=EPISODE_STEPS) for _ in range(count)]
        self.ended = [False] * count
        self.reseed: dict[int, int] = {}  # the seed of a sub-env's next autoreset (remade after a node's loss)

    def reset(self, i: int, seed: int | None = None) -> np.ndarray:
        self.ended[i] = False
        return self.envs[i].reset(seed=SEED + i if seed is None else seed)[0]

    def step(self, i: int, action: int) -> tuple:
        if self.ended[i]:
            self.ended[i] = False
            return self.envs[i].reset(seed=self.reseed.pop(i, None))[0], 0.0, False, False
        obs, reward, terminated, truncated, _ = self.envs[i].step(action)
        self.ended[i] = terminated or truncated
        return obs, reward, terminated, truncated

    def close(self) -> None:
        for env in self.envs:
            env.close()


def _check_step(reference: Reference, results: tuple, actions: np.ndarray, ids: list[int]) -> None:
    obs, rewards, terminations, truncations, _ = results
    for k, i in enumerate(ids):
        want = reference.step(i, int(actions[k]))
        np.testing.assert_array_equal(obs[k], want[0], err_msg=f"sub-env {i}")
        assert (rewards[k], terminations[k], truncations[k]) == want[1:], i


def test_without_a_cluster_make_vec_is_todays_vector_env_and_spread_is_a_clear_error(address: str) -> None:
    with zerogym.make_vec("CartPole-v1", 3, address=address) as envs:
        assert type(envs) is zerogym.ZeroGymVectorEnv and envs.nodes == [address] * 3
    for placement in ("spread", "pack"):
        with pytest.raises(zerogym.ZeroGymError, match="capability 'cluster'") as raised:
            zerogym.make_vec("CartPole-v1", 3, address=address, placement=placement)
        assert raised.value.code == "unsupported"
    with pytest.raises(zerogym.InvalidArgumentError, match="placement"):
        zerogym.make_vec("CartPole-v1", 3, address=address, placement="random")


def test_placement_spread_pack_and_local_through_make_vec(cluster: Cluster) -> None:
    _wait_idle(cluster, 3)
    endpoints = sorted(node.address for node in cluster.nodes.values())
    with zerogym.make_vec("CartPole-v1", 9, address=cluster.first, placement="spread", timeout=10) as envs:
        assert type(envs) is zerogym.ClusterVectorEnv
        assert sorted(set(envs.nodes)) == endpoints and all(envs.nodes.count(e) == 3 for e in endpoints)
        by_name = [cluster.nodes[name].address for name in ("node-1", "node-2", "node-3")]
        assert envs.nodes == sorted(envs.nodes, key=by_name.index)  # each node's sub-envs consecutive, name order
    _wait_idle(cluster, 3)
    with zerogym.make_vec("CartPole-v1", 5, address=cluster.nodes["node-2"].address, placement="pack",
                          timeout=10) as envs:
        assert envs.nodes == [cluster.nodes["node-2"].address] * 5
    with zerogym.make_vec("CartPole-v1", 4, address=cluster.first, placement="local") as envs:
        assert type(envs) is zerogym.ZeroGymVectorEnv and envs.nodes == [cluster.first] * 4


def test_spread_over_three_nodes_gives_each_sub_env_a_single_envs_results(cluster: Cluster) -> None:
    _wait_idle(cluster, 3)
    rng = np.random.default_rng(3)
    reference = Reference(cluster.first, 6)
    with zerogym.make_vec("CartPole-v1", 6, address=cluster.first, placement="spread", timeout=10,
                          max_episode_steps=EPISODE_STEPS) as envs:
        assert len(set(envs.nodes)) == 3
        assert {part.connection.transport for part in envs._parts} == {"local_stream"}
        obs, infos = envs.reset(seed=SEED)
        for i in range(6):
            np.testing.assert_array_equal(obs[i], reference.reset(i))
        ended = 0
        sent_before = [part.connection.last_request_id for part in envs._parts]
        for _ in range(25):
            actions = rng.integers(0, 2, 6)
            results = envs.step(actions)
            _check_step(reference, results, actions, list(range(6)))
            ended += int(results[2].sum() + results[3].sum())
        assert ended >= 6, "the run must cover autoresets"
        # The hot path: one step request to each node per step, and nothing else (no nodes, no place).
        assert [part.connection.last_request_id - before for part, before in zip(envs._parts, sent_before)] == [25] * 3
        # step_async/step_wait are the same step
        actions = rng.integers(0, 2, 6)
        envs.step_async(actions)
        _check_step(reference, envs.step_wait(), actions, list(range(6)))
    reference.close()


def test_spread_steps_give_one_nodes_vector_env_results_infos_included(cluster: Cluster) -> None:
    # The nodes' step replies are joined before decoding (one decode, not one per node and a merge): every array, info
    # arrays and their masks included, must come out as a vector env on one node gives them.
    _wait_idle(cluster, 3)
    rng = np.random.default_rng(5)
    with zerogym.make_vec("HalfCheetah-v5", 6, address=cluster.first, placement="spread", timeout=10,
                          max_episode_steps=4) as spread, \
            zerogym.make_vec("HalfCheetah-v5", 6, address=cluster.first, max_episode_steps=4) as alone:
        assert len(set(spread.nodes)) == 3 and len(set(alone.nodes)) == 1
        for obs, want in zip(spread.reset(seed=SEED), alone.reset(seed=SEED)):
            _assert_same(obs, want)
        keys = set()
        for _ in range(9):  # two autoresets, whose infos are the reset's
            actions = rng.uniform(-1, 1, (6, 6)).astype(np.float32)
            got, want = spread.step(actions), alone.step(actions)
            for member, expected in zip(got, want):
                _assert_same(member, expected)
            keys |= set(got[4])
        assert {"x_velocity", "_x_velocity", "reward_ctrl"} <= keys


def _assert_same(value, expected) -> None:
    if isinstance(expected, dict):
        assert sorted(value) == sorted(expected)
        for key in expected:
            _assert_same(value[key], expected[key])
    else:
        np.testing.assert_array_equal(value, expected)
        assert np.asarray(value).dtype == np.asarray(expected).dtype


def test_async_recv_with_batch_size_below_num_envs_returns_the_first_ready_across_nodes(cluster: Cluster) -> None:
    _wait_idle(cluster, 3)
    rng = np.random.default_rng(4)
    reference = Reference(cluster.first, 6)
    with zerogym.make_vec("CartPole-v1", 6, address=cluster.first, placement="spread", batch_size=4, timeout=10,
                          max_episode_steps=EPISODE_STEPS) as envs:
        assert len(set(envs.nodes)) == 3
        envs.async_reset(seed=SEED)
        expected: dict[int, tuple] = {i: (reference.reset(i), 0.0, False, False) for i in range(6)}
        idle: set[int] = set()
        with pytest.raises(zerogym.InvalidArgumentError, match="in flight"):
            envs.send(np.zeros(1, np.int64), [0])
        for _ in range(40):
            obs, rewards, terminations, truncations, infos = envs.recv()
            env_id = infos["env_id"].tolist()
            assert len(env_id) == 4 and len(set(env_id)) == 4 and not idle & set(env_id)
            for k, i in enumerate(env_id):
                want = expected.pop(i)
                np.testing.assert_array_equal(obs[k], want[0], err_msg=f"sub-env {i}")
                assert (rewards[k], terminations[k], truncations[k]) == want[1:], i
            idle |= set(env_id)
            chosen = sorted(idle)[:int(rng.integers(max(1, 4 - len(expected)), len(idle) + 1))]
            actions = rng.integers(0, 2, len(chosen))
            envs.send(actions, chosen)
            for i, action in zip(chosen, actions.tolist()):
                expected[i] = reference.step(i, action)
            idle -= set(chosen)
    reference.close()


def test_async_recv_with_min_batch_answers_once_that_many_finished_with_at_most_a_batch(cluster: Cluster) -> None:
    _wait_idle(cluster, 3)
    rng = np.random.default_rng(5)
    reference = Reference(cluster.first, 6)
    with zerogym.make_vec("CartPole-v1", 6, address=cluster.first, placement="spread", batch_size=4, timeout=10,
                          max_episode_steps=EPISODE_STEPS) as envs:
        envs.async_reset(seed=SEED)
        expected: dict[int, tuple] = {i: (reference.reset(i), 0.0, False, False) for i in range(6)}
        for bad in (0, 5, 1.0):
            with pytest.raises(zerogym.InvalidArgumentError, match="min_batch"):
                envs.recv(min_batch=bad)
        for step in range(40):
            obs, rewards, terminations, truncations, infos = envs.recv(min_batch=1)
            env_id = infos["env_id"].tolist()
            assert 1 <= len(env_id) <= 4 and len(set(env_id)) == len(env_id)
            assert not infos["env_id"].flags.writeable  # sent back as it is, it is not checked again
            for k, i in enumerate(env_id):
                want = expected.pop(i)
                np.testing.assert_array_equal(obs[k], want[0], err_msg=f"sub-env {i}")
                assert (rewards[k], terminations[k], truncations[k]) == want[1:], i
            actions = rng.integers(0, 2, len(env_id))
            # EnvPool's loop passes infos["env_id"] back; a list of the same sub-envs is checked and goes the same way.
            envs.send(actions, infos["env_id"] if step % 2 else env_id)
            for i, action in zip(env_id, actions.tolist()):
                expected[i] = reference.step(i, action)
        # The six in flight come out whole: four at once, then the last two.
        assert len(envs.recv(min_batch=4)[4]["env_id"]) == 4
        rest = len(envs.recv(min_batch=1)[4]["env_id"])
        if rest == 1:
            assert len(envs.recv(min_batch=1)[4]["env_id"]) == 1
        with pytest.raises(zerogym.InvalidArgumentError, match="in flight"):
            envs.recv(min_batch=1)
    reference.close()


def test_a_node_joining_later_receives_envs_with_spread(cluster: Cluster) -> None:
    late = cluster.start("node-4")[0]
    _wait_idle(cluster, 4)
    with zerogym.make_vec("CartPole-v1", 8, address=cluster.first, placement="spread", timeout=10) as envs:
        assert envs.nodes.count(late.address) == 2
        envs.reset(seed=SEED)
        envs.step(np.zeros(8, np.int64))


def _run_until_killed(cluster: Cluster, on_node_lost: str, steps_before: int, victim_name: str):
    """A spread vector env of 8 over the 4 nodes, stepped ``steps_before`` times against references, then node
    ``victim_name`` killed with -9; returns what the caller needs to go on."""
    _wait_idle(cluster, 4)
    rng = np.random.default_rng(5)
    reference = Reference(cluster.first, 8)
    envs = zerogym.make_vec("CartPole-v1", 8, address=cluster.first, placement="spread", timeout=10,
                            on_node_lost=on_node_lost, max_episode_steps=EPISODE_STEPS)
    obs, _ = envs.reset(seed=SEED)
    for i in range(8):
        np.testing.assert_array_equal(obs[i], reference.reset(i))
    for _ in range(steps_before):
        actions = rng.integers(0, 2, 8)
        _check_step(reference, envs.step(actions), actions, list(range(8)))
    victim = cluster.nodes[victim_name].address
    lost = [i for i, node in enumerate(envs.nodes) if node == victim]
    assert lost, envs.nodes
    killed = cluster.kill(victim)
    return envs, reference, rng, victim, lost, killed


def test_kill_9_of_a_node_with_raise_names_the_lost_sub_envs_within_2_s_and_the_others_go_on(
        cluster: Cluster) -> None:
    envs, reference, rng, victim, lost, killed = _run_until_killed(cluster, "raise", 5, "node-4")
    survivors = [i for i in range(8) if i not in lost]
    actions = rng.integers(0, 2, 8)
    with pytest.raises(zerogym.NodeLostError) as raised:
        envs.step(actions)
    waited = time.monotonic() - killed
    assert waited <= 2.0, f"NodeLostError came {waited:.2f} s after the kill"
    assert raised.value.node == victim and raised.value.env_ids == lost
    assert isinstance(raised.value, zerogym.ZeroGymError)
    obs, rewards, terminations, truncations, infos = raised.value.results
    assert infos["node_lost"].tolist() == [i in lost for i in range(8)]
    assert truncations[lost].all() and not rewards[lost].any()
    # The survivors stepped exactly once, and go on with their own sequences.
    _check_step(reference, tuple(value[survivors] for value in (obs, rewards, terminations, truncations)) + (None,),
                actions[survivors], survivors)
    with pytest.raises(zerogym.NodeLostError):
        envs.step(actions)  # the lost sub-envs take nothing until a reset
    obs, _ = envs.reset(seed=SEED)
    assert victim not in envs.nodes and len(envs.nodes) == 8
    for i in range(8):
        np.testing.assert_array_equal(obs[i], reference.reset(i))
    actions = rng.integers(0, 2, 8)
    _check_step(reference, envs.step(actions), actions, list(range(8)))
    envs.close()
    reference.close()
    cluster.start("node-5")  # for the next test, which waits until the membership has node-4 dead


def test_kill_9_of_a_node_with_recreate_steps_again_within_3_s_and_autoresets_the_lost_sub_envs(
        cluster: Cluster) -> None:
    envs, reference, rng, victim, lost, killed = _run_until_killed(cluster, "recreate", 4, "node-5")
    last_obs = envs._last_obs[lost].copy()
    actions = rng.integers(0, 2, 8)
    obs, rewards, terminations, truncations, infos = envs.step(actions)
    waited = time.monotonic() - killed
    assert waited <= 3.0, f"the vector env stepped again {waited:.2f} s after the kill"
    assert infos["node_lost"].tolist() == [i in lost for i in range(8)]
    np.testing.assert_array_equal(obs[lost], last_obs)
    assert truncations[lost].all() and not terminations[lost].any() and not rewards[lost].any()
    survivors = [i for i in range(8) if i not in lost]
    _check_step(reference, tuple(value[survivors] for value in (obs, rewards, terminations, truncations)) + (None,),
                actions[survivors], survivors)
    assert victim not in envs.nodes
    # The next step autoresets the lost sub-envs on their new nodes, seeded seed + i again.
    actions = rng.integers(0, 2, 8)
    obs, rewards, terminations, truncations, infos = envs.step(actions)
    assert "node_lost" not in infos
    for i in lost:
        np.testing.assert_array_equal(obs[i], reference.reset(i))
        assert (rewards[i], terminations[i], truncations[i]) == (0.0, False, False)
    _check_step(reference, tuple(value[survivors] for value in (obs, rewards, terminations, truncations)) + (None,),
                actions[survivors], survivors)
    actions = rng.integers(0, 2, 8)
    _check_step(reference, envs.step(actions), actions, list(range(8)))
    envs.close()
    reference.close()


def test_kill_9_during_asynchronous_steps_with_recreate_truncates_the_lost_in_flight_and_the_rest_go_on(
        cluster: Cluster) -> None:
    cluster.start("node-6")
    _wait_idle(cluster, 4)  # node-5, killed before, is dead by now
    rng = np.random.default_rng(6)
    reference = Reference(cluster.first, 8)
    with zerogym.make_vec("CartPole-v1", 8, address=cluster.first, placement="spread", batch_size=4, timeout=10,
                          on_node_lost="recreate", max_episode_steps=EPISODE_STEPS) as envs:
        victim = cluster.nodes["node-6"].address
        lost = {i for i, node in enumerate(envs.nodes) if node == victim}
        assert lost
        envs.async_reset(seed=SEED)
        expected: dict[int, tuple] = {i: (reference.reset(i), 0.0, False, False) for i in range(8)}
        last_obs: dict[int, np.ndarray] = {}
        truncated_by_loss: set[int] = set()
        for round_ in range(30):
            if round_ == 10:
                cluster.kill(victim)
            obs, rewards, terminations, truncations, infos = envs.recv()
            env_id = infos["env_id"].tolist()
            assert len(env_id) == 4 and len(set(env_id)) == 4
            flagged = infos.get("node_lost", np.zeros(4, bool))
            for k, i in enumerate(env_id):
                if flagged[k]:
                    # In flight on the lost node: truncated at its last observation, then reset on its new node.
                    assert i in lost and i not in truncated_by_loss
                    truncated_by_loss.add(i)
                    # Only a sub-env whose observation arrived is truncated: one whose reset was still on its way
                    # gets its reset on the new node instead (below, as expected).
                    assert i in last_obs, f"sub-env {i} was truncated before any observation of it arrived"
                    np.testing.assert_array_equal(obs[k], last_obs[i])
                    assert (rewards[k], terminations[k], truncations[k]) == (0.0, False, True)
                    expected.pop(i, None)
                    reference.ended[i] = True  # its next step gives its reset on its new node, seeded seed + i
                    reference.reseed[i] = SEED + i
                    continue
                want = expected.pop(i)
                np.testing.assert_array_equal(obs[k], want[0], err_msg=f"sub-env {i}")
                assert (rewards[k], terminations[k], truncations[k]) == want[1:], i
                last_obs[i] = obs[k].copy()
            actions = rng.integers(0, 2, 4)
            envs.send(actions, env_id)
            for i, action in zip(env_id, actions.tolist()):
                expected[i] = reference.step(i, action)
        assert victim not in envs.nodes and lost <= set(last_obs)
    reference.close()


def test_kill_9_before_a_sub_envs_reset_arrived_with_recreate_gives_its_reset_from_its_new_node(
        cluster: Cluster) -> None:
    # node-7 holds every reset up to 3 s, so it dies with its sub-envs' resets unanswered: they have no last
    # observation to be truncated at, and their reset on the new node is the result they were waiting for.
    cluster.start("node-7", options=("--inject-delay-us", "3000000"))
    _wait_idle(cluster, 4)  # node-6, killed before, is dead by now
    reference = Reference(cluster.first, 8)
    with zerogym.make_vec("CartPole-v1", 8, address=cluster.first, placement="spread", batch_size=4, timeout=10,
                          on_node_lost="recreate", max_episode_steps=EPISODE_STEPS) as envs:
        victim = cluster.nodes["node-7"].address
        lost = {i for i, node in enumerate(envs.nodes) if node == victim}
        assert lost
        envs.async_reset(seed=SEED)
        cluster.kill(victim)
        received = set()
        for _ in range(2):
            obs, rewards, terminations, truncations, infos = envs.recv()
            assert "node_lost" not in infos or not infos["node_lost"].any(), infos
            for k, i in enumerate(infos["env_id"].tolist()):
                np.testing.assert_array_equal(obs[k], reference.reset(i), err_msg=f"sub-env {i}")
                assert (rewards[k], terminations[k], truncations[k]) == (0.0, False, False), i
                received.add(i)
        assert received == set(range(8)) and victim not in envs.nodes
    reference.close()


def test_a_frozen_node_is_lost_within_seconds_through_the_heartbeats_kept_beside_its_stream(cluster: Cluster) -> None:
    # The stream has no heartbeats, but the client keeps the node's ZeroMQ connection beside it for them: a node that
    # stops answering (SIGSTOP, as a hung host would) is lost in about 2 s, not after the 10 s timeout.
    frozen = cluster.start("node-8")[0]
    _wait_idle(cluster, 4)
    with zerogym.make_vec("CartPole-v1", 8, address=cluster.first, placement="spread", timeout=10) as envs:
        assert {part.connection.transport for part in envs._parts} == {"local_stream"}
        lost = [i for i, node in enumerate(envs.nodes) if node == frozen.address]
        assert lost, envs.nodes
        envs.reset(seed=SEED)
        envs.step(np.zeros(8, np.int64))
        frozen.process.send_signal(signal.SIGSTOP)
        stopped = time.monotonic()
        try:
            with pytest.raises(zerogym.NodeLostError) as raised:
                envs.step(np.zeros(8, np.int64))
            waited = time.monotonic() - stopped
        finally:
            frozen.process.send_signal(signal.SIGCONT)
        assert raised.value.node == frozen.address and raised.value.env_ids == lost
        assert waited <= 4.0, f"NodeLostError came {waited:.2f} s after the node froze"
    cluster.kill(frozen.address)


# In a child process: were the monitor still sending, its I/O thread would block, and this session's with it.
DROPPED_PART = """
import sys, time
import numpy as np, zmq
sys.path.insert(0, sys.argv[2])
from conftest import zeromq_loopback_problem
from zerogym.fanout import _Part
from zerogym.vector import ZeroGymVectorEnv

part = _Part(ZeroGymVectorEnv("CartPole-v1", 2, address=sys.argv[1], timeout=10, heartbeat=0.4), np.arange(2), 2)
part.stop_monitor()  # as when its node is dropped, before its connection is closed
print("stopped", flush=True)
sys.stdin.readline()  # the node is killed meanwhile: the connection watched resets, a disconnection event is due
time.sleep(0.5)
print(zeromq_loopback_problem(zmq.Context.instance(), timeout=5), flush=True)
"""


def test_a_stopped_loss_monitor_never_blocks_zeromq_when_its_connection_resets_afterwards(tmp_path, client_env) -> None:
    # libzmq's I/O thread sends each monitor event with a blocking send: with only the reading end closed, the reset
    # of the watched connection would block that thread, and every ZeroMQ connection of the process with it (in 1 of
    # ~10 runs of this suite, after a node was killed). A part stops the monitor at the watched socket first.
    node = start_server(300, tmp_path)
    child = subprocess.Popen([sys.executable, "-c", DROPPED_PART, node.address, str(Path(__file__).parent)],
                             env=client_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout.readline().strip() == "stopped", child.stderr.read()
        node.process.kill()
        node.process.wait()
        out, err = child.communicate("\n", timeout=30)
        assert child.returncode == 0 and out.strip() == "None", out + err
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_step_replies_join_only_when_every_node_sent_the_same_layout() -> None:
    # Joined: arrays stacked in node order, per-env lists extended. Not joined (each reply is decoded against its own
    # sub-envs and the results merged, a missing info key zero there): an info key one node lacks, an error reply,
    # arrays whose rows differ, a reply with more or fewer rows than the node has sub-envs.
    def reply(rows: list[float], **info) -> dict:
        n = len(rows)
        return {"obs": encode_array(np.array(rows, np.float32).reshape(n, 1)), "reward": encode_array(np.ones(n)),
                "terminated": encode_array(np.zeros(n, bool)), "truncated": encode_array(np.zeros(n, bool)),
                "info": info}

    first = reply([1.0, 2.0], label=["a", "b"], stats={"x": encode_array(np.array([10, 20]))})
    second = reply([3.0], label=["c"], stats={"x": encode_array(np.array([30]))})
    joined = joined_step_reply([first, second], [2, 1])
    assert decode_array(joined["obs"]).tolist() == [[1.0], [2.0], [3.0]]
    assert joined["info"]["label"] == ["a", "b", "c"]
    assert decode_array(joined["info"]["stats"]["x"]).tolist() == [10, 20, 30]
    assert joined_step_reply([first, second], [1, 2]) is None
    assert joined_step_reply([first, reply([3.0], label=["c"])], [2, 1]) is None
    assert joined_step_reply([first, {"error": {"code": "env_failure", "message": "boom"}}], [2, 1]) is None
    wider = reply([3.0], label=["c"], stats={"x": encode_array(np.array([30]))})
    wider["obs"] = encode_array(np.zeros((1, 2), np.float32))
    assert joined_step_reply([first, wider], [2, 1]) is None
