"""Python envs behind the server (scripts/serve --python-env): the toy envs of tests/python_envs served by worker
processes, checked against the same envs run in-process, with vector and async calls, failures and start-up errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import zerogym
from conftest import REPO, ServerProcess, server_command, start_server

TOY_ENVS = REPO / "tests" / "python_envs"
sys.path.insert(0, str(TOY_ENVS))
import toy_envs  # noqa: E402  (the same envs, in-process, to compare with)

PYTHON_ENVS = ["Counter-v0=toy_envs:Counter", "CounterFactory-v0=toy_envs:make_counter", "Raising-v0=toy_envs:Raising",
               "Dying-v0=toy_envs:Dying", "Hanging-v0=toy_envs:Hanging", "Structured-v0=toy_envs:Structured",
               "OddInfo-v0=toy_envs:OddInfo"]
STEP_TIMEOUT_S = 2.0


def with_toy_envs_on_path() -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TOY_ENVS), environment.get("PYTHONPATH")]))
    return environment


def start_python_server(workdir: Path, *options: str, definitions: list[str] = PYTHON_ENVS) -> ServerProcess:
    arguments = [f"--python-env={definition}" for definition in definitions]
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = with_toy_envs_on_path()["PYTHONPATH"]
    try:
        return start_server(300, workdir, *arguments, "--python-workers", "2", "--python-step-timeout", str(STEP_TIMEOUT_S), *options)
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved


@pytest.fixture(scope="module")
def python_server(tmp_path_factory: pytest.TempPathFactory):
    running = start_python_server(tmp_path_factory.mktemp("python-server"))
    yield running
    running.stop()


def trajectory(env, seed: int, actions: list[int], options=None) -> list:
    steps = [env.reset(seed=seed, options=options)]
    steps += [env.step(action) for action in actions]
    return steps


def assert_same(expected, got) -> None:
    assert type(expected) is type(got) or isinstance(expected, (np.ndarray, float, int)), (expected, got)
    if isinstance(expected, dict):
        assert expected.keys() == got.keys()
        for key in expected:
            assert_same(expected[key], got[key])
    elif isinstance(expected, (tuple, list)):
        assert len(expected) == len(got)
        for a, b in zip(expected, got):
            assert_same(a, b)
    else:
        np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))


def test_list_names_each_python_env_with_its_source(python_server):
    specs = {spec["id"]: spec for spec in zerogym.list_envs(python_server.address)}
    assert specs["Counter-v0"]["source"] == "python toy_envs:Counter"
    assert specs["CounterFactory-v0"]["source"] == "python toy_envs:make_counter"
    assert specs["Counter-v0"]["render_modes"] == ["rgb_array"]  # "human" would open a window in the worker
    assert specs["Counter-v0"]["description"].startswith("Counts steps")
    assert specs["CartPole-v1"]["source"] == "built in"


@pytest.mark.parametrize("env_id", ["Counter-v0", "CounterFactory-v0"])
def test_single_env_gives_the_trajectory_of_the_env_run_in_process(python_server, env_id):
    actions = [2, 0, 1, 2, 2, 2]  # from 1: 2, 1, 1, 2, 3, 4 = the goal
    local = toy_envs.Counter(goal=4)
    remote = zerogym.make(env_id, address=python_server.address, goal=4)
    try:
        expected = trajectory(local, 7, actions, options={"start": 1})
        got = trajectory(remote, 7, actions, options={"start": 1})
        assert_same(expected, got)
        assert got[-1][2] is True and got[-1][4]["label"] == "step 6"  # terminated, info strings travel
        assert remote.observation_space == zerogym.spaces.Box(-100.0, 100.0, shape=(2,), dtype=np.float32) \
            or remote.observation_space.shape == (2,)
    finally:
        remote.close()


def test_max_episode_steps_truncates_and_render_draws_frames(python_server):
    env = zerogym.make("Counter-v0", address=python_server.address, render_mode="rgb_array", max_episode_steps=2)
    try:
        env.reset(seed=0)
        env.step(2)
        frame = env.render()
        assert frame.shape == (4, 6, 3) and frame.dtype == np.uint8 and frame[0, 0, 0] == 1
        assert env.step(1)[3] is True  # truncated by the server's time limit
    finally:
        env.close()


def test_every_wire_space_kind_translates(python_server):
    env = zerogym.make("Structured-v0", address=python_server.address)
    local = toy_envs.Structured()
    try:
        assert set(env.observation_space.spaces) == {"pair", "bits", "dice"}
        action = (np.array([0.5, -0.25], dtype=np.float32), 1)
        assert_same(local.reset(), env.reset())
        assert_same(local.step(action), env.step(action))
    finally:
        env.close()


def test_vector_env_steps_its_sub_envs_in_two_workers_like_single_envs(python_server):
    venv = zerogym.make_vec("Counter-v0", 4, address=python_server.address, goal=100)
    try:
        line = python_server.wait_for_log("env_made", "Counter-v0", "num_envs=4", timeout=5)
        assert line is not None and len(re.search(r"worker_pids=\"?([\d,]+)", line).group(1).split(",")) == 2
        observations, _ = venv.reset(seed=20)
        locals_ = [toy_envs.Counter(goal=100) for _ in range(4)]
        expected = [env.reset(seed=20 + i)[0] for i, env in enumerate(locals_)]
        np.testing.assert_array_equal(observations, np.stack(expected))
        for t in range(5):
            actions = np.array([(t + i) % 3 for i in range(4)])
            observations, rewards, *_ = venv.step(actions)
            expected = [env.step(int(a)) for env, a in zip(locals_, actions)]
            np.testing.assert_array_equal(observations, np.stack([e[0] for e in expected]))
            np.testing.assert_array_equal(rewards, [e[1] for e in expected])
    finally:
        venv.close()


def test_async_send_and_recv_return_each_sub_envs_own_results(python_server):
    venv = zerogym.make_vec("Counter-v0", 4, address=python_server.address, batch_size=2, goal=100)
    try:
        venv.async_reset(seed=0)
        positions = {}
        for _ in range(2):
            observations, _, _, _, info = venv.recv()
            for env_id, observation in zip(info["env_id"], observations):
                positions[int(env_id)] = observation[0]
        assert positions == {0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0}
        venv.send(np.array([2, 2, 2, 2]), np.arange(4))
        seen = []
        for _ in range(2):
            observations, rewards, *_, info = venv.recv()
            seen += list(info["env_id"])
            assert all(observation[0] == 1.0 for observation in observations)
        assert sorted(seen) == [0, 1, 2, 3]
    finally:
        venv.close()


@pytest.mark.parametrize("env_id, kwargs, failure", [
    # An exception of the env is its env_failure, with the exception's type and message.
    ("Raising-v0", {"fail_at": 2}, r"ValueError: boom at step 2"),
    # A worker that dies ends only its envs.
    ("Dying-v0", {"die_at": 2}, r"worker process .* ended during 'step' with exit code 7"),
])
def test_a_failing_env_is_its_env_failure_and_other_envs_go_on(python_server, env_id, kwargs, failure):
    env = zerogym.make(env_id, address=python_server.address, **kwargs)
    other = zerogym.make("Counter-v0", address=python_server.address)
    try:
        env.reset(seed=0)
        env.step(1)
        with pytest.raises(zerogym.EnvFailureError, match=failure):
            env.step(1)
        other.reset(seed=0)
        assert other.step(2)[0][0] == 1.0
    finally:
        other.close()


def test_a_dying_sub_env_fails_alone_in_recv_and_reset_makes_it_anew(python_server):
    # Sub-envs 0-1 share worker A, 2-3 worker B; sub-env 3 (seed 13) dies at its second step, taking worker B.
    venv = zerogym.make_vec("Dying-v0", 4, address=python_server.address, batch_size=4, die_at=2, die_seeds=[13])
    try:
        venv.reset(seed=10)
        venv.step(np.array([1, 1, 1, 1]))
        venv.send(np.array([1, 1, 1, 1]), np.arange(4))
        with pytest.raises(zerogym.SubEnvError) as failure:
            venv.recv()
        failed = {int(env_id) for env_id in failure.value.errors}
        assert 3 in failed and not failed & {0, 1}, failure.value
        observations, _ = venv.reset(seed=20)  # makes the failed sub-envs anew
        assert observations.shape == (4, 2)
    finally:
        venv.close()


def test_a_hanging_worker_is_ended_after_the_step_timeout_and_others_go_on(python_server):
    env = zerogym.make("Hanging-v0", address=python_server.address, hang_at=2)
    other = zerogym.make("Counter-v0", address=python_server.address)
    try:
        env.reset(seed=0)
        env.step(1)
        started = time.monotonic()
        with pytest.raises(zerogym.EnvFailureError, match=r"did not answer 'step' within 2 s"):
            env.step(1)
        assert time.monotonic() - started < STEP_TIMEOUT_S + 5
        other.reset(seed=0)
        assert other.step(2)[0][0] == 1.0
    finally:
        other.close()


def test_an_info_that_cannot_travel_is_env_failure_answered_by_the_worker(python_server):
    env = zerogym.make("OddInfo-v0", address=python_server.address)
    env.reset(seed=0)
    # The worker's own answer (a worker that crashed would be "ended during 'step'").
    with pytest.raises(zerogym.EnvFailureError, match=r"the env's reply cannot be sent: TypeError"):
        env.step(1)


def test_an_unknown_kwarg_is_the_factorys_invalid_argument(python_server):
    with pytest.raises(zerogym.InvalidArgumentError, match=r"unexpected keyword argument 'colour'"):
        zerogym.make("Counter-v0", address=python_server.address, colour="red")


@pytest.mark.parametrize("definition, expected", [
    ("Text-v0=toy_envs:TextObservation", r"Text-v0.*Text\(1, 8\) has no ZeroGym wire form"),
    ("Broken-v0=toy_envs:broken_factory", r"Broken-v0.*RuntimeError: no simulator licence found"),
    ("Missing-v0=no_such_module:Env", r"Missing-v0.*ModuleNotFoundError: No module named 'no_such_module'"),
    ("CartPole-v1=toy_envs:Counter", r"'CartPole-v1' is already registered"),
    ("Bad-v0=toy_envs", r"takes ENV_ID=MODULE:ATTR"),
])
def test_start_up_refuses_an_env_it_cannot_serve_with_exit_2(definition, expected):
    command = server_command(300, f"--python-env={definition}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=with_toy_envs_on_path())
    assert result.returncode == 2, result.stderr
    assert re.search(expected, result.stderr), result.stderr


def worker_processes(server_pid: int) -> set[int]:
    """The server's running Python worker processes (its children that run zerogym.worker)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
                command = (entry / "cmdline").read_bytes()
            except (OSError, ValueError):
                continue  # it ended meanwhile
            if int(parent) == server_pid and state not in "ZX" and b"zerogym.worker" in command:
                found.add(int(entry.name))
    return found


def is_running(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def wait_until(condition, what: str, timeout: float = 90.0):
    """The condition's first truthy value, polled; a failure names what never came (only a failure waits this long)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.1)
    return value


def test_a_make_takes_a_worker_started_ahead_and_workers_end_with_a_killed_server(tmp_path):
    running = start_python_server(tmp_path, "--python-warm-workers", "2", definitions=["Counter-v0=toy_envs:Counter"])
    try:
        def workers(count: int) -> set[int] | None:
            found = worker_processes(running.process.pid)
            return found if len(found) == count else None

        warm = wait_until(lambda: workers(2), "two warm workers")
        env = zerogym.make("Counter-v0", address=running.address)
        env.reset(seed=0)
        made = running.wait_for_log("event=env_made", "env=Counter-v0", timeout=30)
        taken = int(re.search(r"worker_pids=(\d+)", made).group(1))
        assert taken in warm
        # The pool refills behind the make: two idle workers again beside the one serving the env.
        every = wait_until(lambda: workers(3), "the pool to refill")
    finally:
        running.process.kill()
        running.process.wait()
    # Killed, the server cannot end them: each notices its parent's end (a pidfd) and exits.
    for pid in every:
        wait_until(lambda: not is_running(pid), f"worker {pid} to exit after its server was killed")


def test_a_module_that_prints_on_import_is_served(tmp_path):
    # The worker imports the env's module before its "listening" line; what the module prints goes to the log.
    running = start_python_server(tmp_path, definitions=["Noisy-v0=noisy_env:Quiet"])
    try:
        env = zerogym.make("Noisy-v0", address=running.address)
        observation, _ = env.reset(seed=0)
        assert observation == 0
        assert running.wait_for_log("noisy_env imported", timeout=30)
    finally:
        running.stop()


@pytest.mark.parametrize("local_stream", [True, False])
def test_a_worker_serves_its_local_stream_next_to_its_ipc_socket_unless_told_not_to(tmp_path, local_stream):
    """The server's hop to a worker moves to the worker's own same-host stream (SPEC.md §1.1): the worker names it in
    its hello, beside its ipc socket (in the folder the server made private), and answers there as over ZeroMQ."""
    endpoint = f"ipc://{tmp_path / 'env.sock'}"
    command = [sys.executable, "-m", "zerogym.worker", "--bind", endpoint, "--env", "Counter-v0=toy_envs:Counter"]
    if not local_stream:
        command.append("--no-local-stream")
    environment = with_toy_envs_on_path()
    environment["PYTHONPATH"] += os.pathsep + str(REPO / "clients" / "python")
    worker = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment)
    try:
        assert worker.stdout.readline().startswith("zerogym-server listening on ")
        with zerogym.make("Counter-v0", address=endpoint, goal=100) as env:
            transport = env._remote.connection.transport
            offered = env._remote.connection.server.get("local_stream")
            steps = trajectory(env, 3, [1, 2, 0, 1])
        assert transport == ("local_stream" if local_stream else "zeromq")
        assert offered == (str(tmp_path / "stream.sock") if local_stream else None)
        assert_same(trajectory(toy_envs.Counter(goal=100), 3, [1, 2, 0, 1]), steps)
    finally:
        worker.kill()
        worker.wait()


def test_a_worker_serves_a_stream_client_and_a_zeromq_client_in_turns(tmp_path, monkeypatch):
    """The worker waits on its ROUTER's ZMQ_FD and its streams in one plain poll. That descriptor only signals once the
    ROUTER was drained, so a request missed there would leave its client waiting for the timeout."""
    endpoint = f"ipc://{tmp_path / 'env.sock'}"
    environment = with_toy_envs_on_path()
    environment["PYTHONPATH"] += os.pathsep + str(REPO / "clients" / "python")
    worker = subprocess.Popen([sys.executable, "-m", "zerogym.worker", "--bind", endpoint, "--env",
                               "Counter-v0=toy_envs:Counter"], stdout=subprocess.PIPE, text=True, env=environment)
    try:
        assert worker.stdout.readline().startswith("zerogym-server listening on ")
        streamed = zerogym.make("Counter-v0", address=endpoint, timeout=5, goal=1000)
        monkeypatch.setattr(zerogym.connection, "LOCAL_STREAM", False)
        routed = zerogym.make("Counter-v0", address=endpoint, timeout=5, goal=1000)
        assert streamed._remote.connection.transport == "local_stream"
        assert routed._remote.connection.transport == "zeromq"
        actions = [int(a) for a in np.random.default_rng(0).integers(0, 3, 200)]
        results = {streamed: [streamed.reset(seed=1)], routed: [routed.reset(seed=2)]}
        for action in actions:
            for env in (routed, streamed):
                results[env].append(env.step(action))
        assert_same(trajectory(toy_envs.Counter(goal=1000), 1, actions), results[streamed])
        assert_same(trajectory(toy_envs.Counter(goal=1000), 2, actions), results[routed])
        streamed.close()
        routed.close()
    finally:
        worker.kill()
        worker.wait()
