"""The client's protocol behaviour (SPEC.md §1, §3, §5) against a scriptable fake server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import msgpack
import numpy as np
import pytest
import zmq

import zerogym

HIGH = np.array([4.8, np.inf, 0.41887903, np.inf], np.float32)

# The fake server shows on demand what the real one cannot: restarts, missing or stale replies, other versions.
Handler = Callable[[dict[str, Any], bytes], "list[dict[str, Any]] | dict[str, Any] | None"]


@dataclass
class FakeServer:
    """A ROUTER socket on a thread; ``handler(request, identity)`` returns the reply (its ``id`` is filled in), a
    list of replies to send in order, or None for no reply. Requests are recorded with the identity that sent them."""

    address: str
    requests: list[tuple[bytes, dict[str, Any]]] = field(default_factory=list)

    def ops(self) -> list[str]:
        return [request["op"] for _, request in self.requests]


def hello_reply(protocol: int = 1, capabilities: tuple[str, ...] = ("vector", "render:rgb_array", "reset_options"),
                idle_timeout: float = 300.0) -> dict[str, Any]:
    return {"protocol": protocol, "server": "zerogym-server", "version": "test", "capabilities": list(capabilities),
            "max_message_bytes": 1 << 20, "idle_timeout": idle_timeout}


@pytest.fixture
def fake_server() -> Iterator[Callable[[Handler], FakeServer]]:
    """Starts a fake server with the given handler; stops it after the test."""
    context = zmq.Context.instance()
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def start(handler: Handler) -> FakeServer:
        router = context.socket(zmq.ROUTER)
        router.setsockopt(zmq.LINGER, 0)
        port = router.bind_to_random_port("tcp://127.0.0.1")
        fake = FakeServer(f"tcp://127.0.0.1:{port}")

        def serve() -> None:
            poller = zmq.Poller()
            poller.register(router, zmq.POLLIN)
            while not stop.is_set():
                if not poller.poll(20):
                    continue
                identity, payload = router.recv_multipart()
                request = msgpack.unpackb(payload)
                fake.requests.append((identity, request))
                replies = handler(request, identity)
                if replies is None:
                    continue
                for reply in replies if isinstance(replies, list) else [replies]:
                    router.send_multipart([identity, msgpack.packb({"id": request["id"], **reply})])
            router.close(linger=0)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        threads.append(thread)
        return fake

    yield start
    stop.set()
    for thread in threads:
        thread.join(5)


def wire_array(values, dtype: str) -> dict[str, Any]:
    array = np.asarray(values, dtype=dtype)
    return {"dtype": dtype, "shape": list(array.shape), "data": array.tobytes()}


class FakeCartPole:
    """Answers like a server with one env, ``CartPole-v1``, whose handles belong to the connection that made them;
    ``forget()`` drops every handle as a restart would."""

    def __init__(self, **hello: Any):
        self.hello = hello_reply(**hello)
        self.handles: set[tuple[bytes, int]] = set()
        self.next_handle = 1
        self.obs_dtype = "float32"
        self.silent_ops: set[str] = set()

    def forget(self) -> None:
        self.handles.clear()

    def __call__(self, request: dict[str, Any], identity: bytes) -> Any:
        op = request["op"]
        if op in self.silent_ops:
            return None
        if op == "hello":
            return self.hello
        if op == "list":
            return {"envs": [{"id": "CartPole-v1", "max_episode_steps": 500}]}
        if op == "make":
            handle, self.next_handle = self.next_handle, self.next_handle + 1
            self.handles.add((identity, handle))
            reply = {"handle": handle, "env": "CartPole-v1", "render_mode": request.get("render_mode"),
                     "observation_space": {"type": "Box", "shape": [4], "dtype": "float32",
                                           "low": wire_array(-HIGH, "float32"), "high": wire_array(HIGH, "float32")},
                     "action_space": {"type": "Discrete", "n": 2, "start": 0},
                     "spec": {"id": "CartPole-v1", "max_episode_steps": 500, "reward_threshold": 475.0,
                              "nondeterministic": False, "kwargs": {"max_episode_steps": 500},
                              "render_modes": ["rgb_array"]},
                     "metadata": {"render_modes": ["rgb_array"], "render_fps": 50}}
            if "num_envs" in request:
                reply["num_envs"] = request["num_envs"]
            return reply
        if (identity, request.get("handle")) not in self.handles:
            return {"error": {"code": "unknown_handle", "message": f"no handle {request.get('handle')}"}}
        if op == "close":
            self.handles.discard((identity, request["handle"]))
            return {}
        obs = wire_array([0.01, 0.02, 0.03, 0.04], self.obs_dtype)
        if op == "reset":
            return {"obs": obs, "info": {}}
        if op == "step":
            return {"obs": obs, "reward": 1.0, "terminated": False, "truncated": False, "info": {}}
        return {"error": {"code": "unknown_op", "message": op}}


def test_hello_comes_first_and_make_carries_the_env_its_kwargs_and_render_mode(fake_server) -> None:
    server = fake_server(FakeCartPole())
    with zerogym.make("CartPole-v1", address=server.address, render_mode="rgb_array", max_episode_steps=100):
        pass
    (_, hello), (_, make) = server.requests[:2]
    assert hello["op"] == "hello" and hello["protocol"] == 1 and hello["client"].startswith("zerogym-python/")
    assert make["op"] == "make" and make["env"] == "CartPole-v1"
    assert make["kwargs"] == {"max_episode_steps": 100} and make["render_mode"] == "rgb_array"
    assert "num_envs" not in make


def test_every_request_has_a_new_id(fake_server) -> None:
    server = fake_server(FakeCartPole())
    env = zerogym.make("CartPole-v1", address=server.address)
    env.reset()
    env.step(0)
    env.close()
    ids = [request["id"] for _, request in server.requests]
    assert len(set(ids)) == len(ids) == 5


def test_a_version_mismatch_reply_to_hello_is_raised(fake_server) -> None:
    def handler(request, identity):
        return {"error": {"code": "version_mismatch", "message": "this server speaks protocol 2; got 1"}}

    server = fake_server(handler)
    with pytest.raises(zerogym.VersionMismatchError, match="protocol 2"):
        zerogym.make("CartPole-v1", address=server.address)
    assert server.ops() == ["hello"]


def test_a_hello_reply_with_another_protocol_version_is_refused(fake_server) -> None:
    server = fake_server(FakeCartPole(protocol=2))
    with pytest.raises(zerogym.VersionMismatchError, match="protocol 1.*protocol 2"):
        zerogym.make("CartPole-v1", address=server.address)


def test_stale_replies_to_earlier_requests_are_discarded(fake_server) -> None:
    fake = FakeCartPole()

    def handler(request, identity):
        reply = fake(request, identity)
        if request["op"] == "step":
            stale = {"id": request["id"] - 1, "obs": "stale", "reward": -1.0}
            return [stale, reply]
        return reply

    server = fake_server(handler)
    env = zerogym.make("CartPole-v1", address=server.address)
    env.reset()
    _, reward, *_ = env.step(1)
    assert reward == 1.0


def test_an_error_reply_without_id_is_the_error_of_the_pending_request(fake_server) -> None:
    fake = FakeCartPole()

    def handler(request, identity):
        if request["op"] == "step":
            return {"id": None, "error": {"code": "malformed", "message": "action missing"}}
        return fake(request, identity)

    server = fake_server(handler)
    env = zerogym.make("CartPole-v1", address=server.address)
    env.reset()
    with pytest.raises(zerogym.MalformedRequestError, match="action missing"):
        env.step(1)


def test_a_timeout_names_endpoint_and_request_and_reopens_the_socket(fake_server) -> None:
    fake = FakeCartPole()
    server = fake_server(fake)
    env = zerogym.make("CartPole-v1", address=server.address, timeout=0.3)
    env.reset(seed=1)
    fake.silent_ops.add("step")
    with pytest.raises(zerogym.ServerTimeoutError) as caught:
        env.step(0)
    message = str(caught.value)
    assert server.address in message and "'step'" in message and "0.3 s" in message
    assert "running" in message and "port" in message and "firewall" in message
    assert isinstance(caught.value, TimeoutError)

    fake.silent_ops.clear()
    obs, _ = env.reset()  # the new socket is a new connection, which has no env: reset makes it again
    first_identity = server.requests[0][0]
    after_timeout = server.requests[-5:]
    assert [request["op"] for _, request in after_timeout] == ["hello", "reset", "hello", "make", "reset"]
    assert all(identity != first_identity for identity, _ in after_timeout)
    assert obs.shape == (4,)


def test_nothing_listening_gives_a_timeout_error_naming_the_address() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    with pytest.raises(zerogym.ServerTimeoutError, match=f"{address}.*'hello'"):
        zerogym.make("CartPole-v1", address=address, timeout=0.2)


def test_step_after_the_server_lost_the_env_says_reset_makes_a_new_one(fake_server) -> None:
    fake = FakeCartPole(idle_timeout=7.0)
    server = fake_server(fake)
    env = zerogym.make("CartPole-v1", address=server.address)
    env.reset()
    fake.forget()
    with pytest.raises(zerogym.UnknownHandleError, match=r"gone.*7.0 s.*reset\(\) to make a new one"):
        env.step(0)


def test_reset_after_the_server_lost_the_env_makes_it_again_with_the_same_arguments(fake_server) -> None:
    fake = FakeCartPole()
    server = fake_server(fake)
    env = zerogym.make("CartPole-v1", address=server.address, render_mode="rgb_array", max_episode_steps=100)
    env.reset(seed=3)
    fake.forget()
    obs, _ = env.reset(seed=4)
    env.step(1)

    assert server.ops()[-5:] == ["reset", "hello", "make", "reset", "step"]
    makes = [request for _, request in server.requests if request["op"] == "make"]
    assert [{k: v for k, v in make.items() if k != "id"} for make in makes] == [
        {"op": "make", "env": "CartPole-v1", "kwargs": {"max_episode_steps": 100}, "render_mode": "rgb_array"}] * 2
    last_reset, last_step = (request for _, request in server.requests[-2:])
    assert last_reset["seed"] == 4 and last_reset["handle"] == last_step["handle"] == 2
    assert obs.dtype == np.float32


def test_an_observation_of_another_dtype_than_the_space_is_a_protocol_error(fake_server) -> None:
    fake = FakeCartPole()
    fake.obs_dtype = "float64"
    server = fake_server(fake)
    env = zerogym.make("CartPole-v1", address=server.address)
    with pytest.raises(zerogym.ProtocolError, match=r"expected a float32 array of shape \(4,\)"):
        env.reset()


def test_make_vec_needs_the_vector_capability(fake_server) -> None:
    server = fake_server(FakeCartPole(capabilities=("render:rgb_array",)))
    with pytest.raises(zerogym.ZeroGymError, match="'vector'") as caught:
        zerogym.make_vec("CartPole-v1", 2, address=server.address)
    assert caught.value.code == "unsupported"
    assert "make" not in server.ops()


def test_closing_twice_is_allowed_and_using_a_closed_env_raises(fake_server) -> None:
    server = fake_server(FakeCartPole())
    env = zerogym.make("CartPole-v1", address=server.address)
    env.close()
    env.close()
    assert server.ops().count("close") == 1
    with pytest.raises(zerogym.ZeroGymError, match="closed") as caught:
        env.step(0)
    assert caught.value.code == "closed"


def test_actions_of_numpy_types_are_sent_as_plain_values(fake_server) -> None:
    server = fake_server(FakeCartPole())
    env = zerogym.make("CartPole-v1", address=server.address)
    env.reset(seed=np.int64(5))
    env.step(np.int64(1))
    _, reset = server.requests[-2]
    _, step = server.requests[-1]
    assert reset["seed"] == 5 and step["action"] == 1 and type(step["action"]) is int


def test_list_envs_returns_the_server_specs(fake_server) -> None:
    server = fake_server(FakeCartPole())
    assert zerogym.list_envs(address=server.address) == [{"id": "CartPole-v1", "max_episode_steps": 500}]
    assert server.ops() == ["hello", "list"]


def test_a_garbage_collected_vector_env_drops_its_connection_without_requests(fake_server) -> None:
    server = fake_server(FakeCartPole())
    envs = zerogym.make_vec("CartPole-v1", 2, address=server.address)
    connection = envs._remote.connection
    envs.__del__()  # as garbage collection at interpreter exit would
    assert connection.closed
    assert "close" not in server.ops()


def test_replies_are_read_the_same_when_polling_before_blocking(fake_server, monkeypatch) -> None:
    monkeypatch.setattr("zerogym.connection.SPIN_MICROSECONDS", 2000)
    fake = FakeCartPole()
    server = fake_server(fake)
    env = zerogym.make("CartPole-v1", address=server.address, timeout=0.3)
    obs, _ = env.reset(seed=0)
    assert env.step(1)[1] == 1.0 and obs.shape == (4,)
    fake.silent_ops.add("step")
    with pytest.raises(zerogym.ServerTimeoutError):
        env.step(0)
