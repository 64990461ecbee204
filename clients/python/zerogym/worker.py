"""A ZeroGym server of one Python env id, run by the env server as a worker process (``scripts/serve --python-env``).

    python -m zerogym.worker --bind ipc://PATH --env ENV_ID=MODULE:ATTR [--parent-pid PID] [--no-local-stream]
    python -m zerogym.worker --bind ipc://PATH --env ENV_ID            # gymnasium.make(ENV_ID, **kwargs)

It speaks the ZeroGym protocol (SPEC.md) for single envs: ``hello``, ``ping``, ``make``, ``reset``, ``step``,
``render`` and ``close``, one request at a time, so the env server drives it with its own client as it drives its
other worker processes. ``make`` calls ``MODULE.ATTR(**kwargs)`` (a class or a factory returning a Gymnasium-style
env), passing ``render_mode`` when one is asked for. An exception of the env is answered as ``env_failure`` with its
type and message, and that env is closed; the worker and its other envs go on. It imports the env's factory first,
then prints ``zerogym-server listening on ADDRESS`` (so a worker started ahead makes its env at once), and exits
when its parent does.

Like the env server it also serves the same-host stream (SPEC.md §1.1): a Unix stream socket next to its ``ipc://``
socket (or in a private folder of its own), named in its ``hello`` reply, to which the env server's client moves. The
hop from the server to a worker then wakes the server's calling thread and this loop only, not ZeroMQ's I/O threads
on both sides, which cost as much as the client's own round trip to the server.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import os
import select
import shutil
import socket
import sys
import tempfile
import threading
import time
from typing import Any, Callable, cast

import msgpack
import numpy as np
import zmq

from zerogym.version import __version__
from zerogym.wire import decode_space, decode_value, encode_default, encode_space, value_decoder, value_encoder

PROTOCOL_VERSION = 1
GYMNASIUM_SOURCE = "gymnasium"
STREAM_HEADER_BYTES = 4  # SPEC.md §1.1: each message on the stream is its length, little-endian, then the payload
STREAM_READ_BYTES = 1 << 16


class RequestFailed(Exception):
    """A request answered with an error: ``code`` (SPEC.md §3.2) and a message for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class EnvDefinition:
    """``ENV_ID=MODULE:ATTR`` or ``ENV_ID`` (Gymnasium's own registry): how this worker makes its env."""

    def __init__(self, text: str):
        self.env_id, _, target = text.partition("=")
        self.module, _, self.attribute = target.partition(":")
        if not self.env_id or (target and (not self.module or not self.attribute)):
            raise ValueError(f"--env takes ENV_ID=MODULE:ATTR or ENV_ID; got {text!r}")
        self._factory: Callable[..., Any] | None = None
        self._import_error: Exception | None = None

    def preload(self) -> None:
        """Imports the factory ahead of the first ``make`` (the slow part of a cold worker); ``make`` then answers an
        import error as it would have without this."""
        try:
            # Standard output is the server's "listening" line: what a module prints on import goes to the log.
            with contextlib.redirect_stdout(sys.stderr):
                self.factory()
        except Exception as error:  # kept for make, which reports it like any import error
            self._import_error = error

    def factory(self) -> Callable[..., Any]:
        """``MODULE.ATTR``, or ``gymnasium.make`` bound to the id; imported on first use."""
        if self._import_error is not None:
            raise self._import_error
        if self._factory is None:
            if not self.module:
                gymnasium = importlib.import_module(GYMNASIUM_SOURCE)
                self._factory = lambda **kwargs: gymnasium.make(self.env_id, **kwargs)
            else:
                factory = getattr(importlib.import_module(self.module), self.attribute)
                if not callable(factory):
                    raise TypeError(f"{self.module}:{self.attribute} is a {type(factory).__name__}, "
                                    f"expected a class or a function returning an env")
                self._factory = factory
        return self._factory


def describe_exception(error: BaseException) -> str:
    """``TypeName: message``, as a Python traceback's last line says it."""
    name = type(error).__qualname__
    module = type(error).__module__
    if module not in ("builtins", "__main__"):
        name = f"{module}.{name}"
    text = str(error)
    return f"{name}: {text}" if text else name


class HostedEnv:
    """One env made by ``make`` and the conversions of its values to and from the wire."""

    def __init__(self, env: Any):
        self.env = env
        self.observation_space = self._wire_space(env, "observation_space")
        self.action_space = self._wire_space(env, "action_space")
        self.encode_observation = value_encoder(env.observation_space)
        self.decode_action = value_decoder(decode_space(self.action_space))

    @staticmethod
    def _wire_space(env: Any, name: str) -> dict[str, Any]:
        try:
            return encode_space(getattr(env, name))
        except (TypeError, AttributeError) as error:
            raise RequestFailed("invalid_argument", f"its {name}: {error}") from None

    def observation(self, value: Any) -> Any:
        try:
            return self.encode_observation(value)
        except (TypeError, ValueError, KeyError, IndexError) as error:
            raise RequestFailed("env_failure", f"the observation {value!r} does not fit the env's observation_space "
                                f"{self.env.observation_space}: {describe_exception(error)}") from None

    def action(self, value: Any) -> Any:
        action = self.decode_action(value)
        # Wire arrays are read-only views; an env may write to its action.
        return action.copy() if isinstance(action, np.ndarray) else action


class StreamConnection:
    """One client on the worker's local stream (SPEC.md §1.1): its socket, the bytes read and not yet served, and the
    identity its envs are filed under (never a ROUTER's: those are 5 bytes starting with a zero byte)."""

    def __init__(self, connected: socket.socket, number: int):
        self.socket = connected
        self.identity = b"stream-%d" % number
        self.received = bytearray()

    def frames(self) -> list[bytes]:
        """Every whole message received so far, taken off the buffer."""
        frames = []
        received, start = self.received, 0
        while len(received) - start >= STREAM_HEADER_BYTES:
            length = int.from_bytes(received[start:start + STREAM_HEADER_BYTES], "little")
            end = start + STREAM_HEADER_BYTES + length
            if len(received) < end:
                break
            frames.append(bytes(received[start + STREAM_HEADER_BYTES:end]))
            start = end
        if start:
            del received[:start]
        return frames


class Worker:
    """The request loop: one ROUTER socket and, unless told otherwise, a local stream socket (SPEC.md §1.1), polled
    together; one request at a time."""

    def __init__(self, definition: EnvDefinition, address: str, local_stream: bool = True):
        self.definition = definition
        self.context = zmq.Context(1)
        self.socket = self.context.socket(zmq.ROUTER)
        self.socket.linger = 0
        self.socket.bind(address)
        self.address = self.socket.getsockopt_string(zmq.LAST_ENDPOINT)
        self.envs: dict[tuple[bytes, Any], HostedEnv] = {}  # by (client identity, handle)
        self.next_handle = 1
        self.packer = msgpack.Packer(default=encode_default)
        # One plain poll over the ROUTER's ZMQ_FD and the stream descriptors: zmq.Poller also asks the ROUTER for its
        # events on every wait, so a request on the stream took 5 system calls instead of 3.
        self.router_descriptor = cast(int, self.socket.getsockopt(zmq.FD))
        self.poller = select.poll()
        self.poller.register(self.router_descriptor, select.POLLIN)
        self.streams: dict[int, StreamConnection] = {}
        self.accepted = 0
        self.listener: socket.socket | None = None
        self.stream_path: str | None = None
        if local_stream:
            self._listen_locally()

    def _listen_locally(self) -> None:
        """The stream socket: in the folder of an ``ipc://`` endpoint (the server made it private and removes it), else
        in a private folder of its own, removed at exit."""
        if self.address.startswith("ipc://"):
            folder = os.path.dirname(self.address[len("ipc://"):])
        else:
            folder = tempfile.mkdtemp(prefix="zerogym-worker-stream-")
            atexit.register(shutil.rmtree, folder, True)
        self.stream_path = os.path.join(folder, "stream.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.stream_path)
        self.listener.listen(16)
        self.listener.setblocking(False)
        self.poller.register(self.listener.fileno(), select.POLLIN)

    def serve_forever(self) -> None:
        listener_fd = -1 if self.listener is None else self.listener.fileno()
        router_may_have_requests = True
        while True:
            # ZMQ_FD is edge-triggered: once it has signalled, the ROUTER is drained before the next wait.
            if router_may_have_requests:
                self._serve_router()
                router_may_have_requests = False
            for descriptor, _ in self.poller.poll():
                if descriptor == self.router_descriptor:
                    router_may_have_requests = True
                elif descriptor == listener_fd:
                    self._accept()
                elif descriptor in self.streams:
                    self._serve_stream(self.streams[descriptor])

    def _serve_router(self) -> None:
        """Serves every request waiting on the ROUTER; it ends on a receive that found nothing (after any reply
        sent), which leaves the ROUTER's descriptor ready to signal the next one."""
        while True:
            try:
                frames = self.socket.recv_multipart(zmq.NOBLOCK, copy=True)
            except zmq.Again:
                return
            if len(frames) != 2:
                continue
            identity, payload = frames
            self.socket.send_multipart([identity, self.reply(identity, payload)], copy=False)

    def _accept(self) -> None:
        listener = self.listener
        assert listener is not None, "a stream connection came without a listening socket"
        while True:
            try:
                connected, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            # Replies go out whole before the next request is read: the server's client reads them as they come.
            connected.setblocking(True)
            self.accepted += 1
            stream = StreamConnection(connected, self.accepted)
            self.streams[connected.fileno()] = stream
            self.poller.register(connected.fileno(), select.POLLIN)

    def _serve_stream(self, stream: StreamConnection) -> None:
        try:
            chunk = stream.socket.recv(STREAM_READ_BYTES)
        except OSError:
            chunk = b""
        if not chunk:
            self._close_stream(stream)
            return
        stream.received += chunk
        for payload in stream.frames():
            packed = self.reply(stream.identity, payload)
            try:
                stream.socket.sendall(len(packed).to_bytes(STREAM_HEADER_BYTES, "little") + packed)
            except OSError:
                self._close_stream(stream)
                return

    def _close_stream(self, stream: StreamConnection) -> None:
        """A client gone from the stream cannot come back under the same identity: its envs are closed with it."""
        self.poller.unregister(stream.socket.fileno())
        del self.streams[stream.socket.fileno()]
        stream.socket.close()
        for key in [key for key in self.envs if key[0] == stream.identity]:
            close_quietly(self.envs.pop(key).env)

    def reply(self, identity: bytes, payload: bytes) -> bytes:
        """The packed answer to one request."""
        reply = self.answer(identity, payload)
        try:
            return self.packer.pack(reply)
        except (TypeError, ValueError, OverflowError) as error:
            # An info value msgpack cannot carry (an object, a dtype the wire lacks): that reply's failure only.
            return self.packer.pack({"id": reply.get("id"), "error": {
                "code": "env_failure", "message": f"the env's reply cannot be sent: {describe_exception(error)} "
                                                  f"(infos hold None, bool, int, float, str, bytes, lists, dicts "
                                                  f"and numpy arrays of the wire's dtypes)"}})

    def answer(self, identity: bytes, payload: bytes) -> dict[str, Any]:
        request_id = None
        try:
            request = msgpack.unpackb(payload, raw=False)
            request_id = request.get("id")
            handler = getattr(self, "op_" + str(request.get("op")), None)
            if handler is None:
                raise RequestFailed("unknown_op", f"a Python env worker answers hello, ping, make, reset, step, "
                                                  f"render and close; got op {request.get('op')!r}")
            return {"id": request_id, **handler(identity, request)}
        except RequestFailed as failure:
            return {"id": request_id, "error": {"code": failure.code, "message": str(failure)}}
        except Exception as error:  # a bug of this worker: say what and keep serving
            return {"id": request_id, "error": {"code": "internal", "message": describe_exception(error)}}

    def op_hello(self, identity: bytes, request: dict[str, Any]) -> dict[str, Any]:
        reply: dict[str, Any] = {"protocol": PROTOCOL_VERSION, "server": "zerogym-server", "version": __version__,
                 "capabilities": ["render:rgb_array", "reset_options"], "max_message_bytes": 1 << 30,
                 "idle_timeout": 1e9}
        if self.stream_path is not None:
            reply["capabilities"].append("local_stream")
            reply["local_stream"] = self.stream_path
        return reply

    def op_ping(self, identity: bytes, request: dict[str, Any]) -> dict[str, Any]:
        return {"time": time.time()}

    def op_make(self, identity: bytes, request: dict[str, Any]) -> dict[str, Any]:
        env_id = request.get("env")
        if env_id != self.definition.env_id:
            raise RequestFailed("unknown_env", f"no env {env_id!r}; this worker has {self.definition.env_id}")
        kwargs = decode_value(request.get("kwargs") or {})
        render_mode = request.get("render_mode")
        if render_mode is not None:
            kwargs["render_mode"] = render_mode
        try:
            factory = self.definition.factory()
        except Exception as error:
            raise RequestFailed("env_failure", f"cannot import the env's factory: {describe_exception(error)}") from None
        try:
            env = factory(**kwargs)
        except (TypeError, ValueError) as error:
            raise RequestFailed("invalid_argument", f"{env_id} cannot be made with kwargs {kwargs}: "
                                                    f"{describe_exception(error)}") from None
        except Exception as error:
            raise RequestFailed("env_failure", f"{env_id} cannot be made: {describe_exception(error)}") from None
        try:
            hosted = HostedEnv(env)
        except RequestFailed as refused:
            close_quietly(env)
            raise RequestFailed(refused.code, f"{env_id}: {refused}") from None
        handle = self.next_handle
        self.next_handle += 1
        self.envs[(identity, handle)] = hosted
        metadata = getattr(env, "metadata", None) or {}
        spec = getattr(env, "spec", None)
        return {
            "handle": handle, "env": env_id,
            "observation_space": hosted.observation_space, "action_space": hosted.action_space,
            "spec": {"id": env_id, "max_episode_steps": getattr(spec, "max_episode_steps", None),
                     "reward_threshold": float_or_none(getattr(spec, "reward_threshold", None)),
                     "nondeterministic": bool(getattr(spec, "nondeterministic", False)),
                     "kwargs": request.get("kwargs") or {}, "render_modes": render_modes(metadata),
                     "description": description(env)},
            "render_mode": render_mode,
            "metadata": {"render_modes": render_modes(metadata), "render_fps": int(metadata.get("render_fps") or 30)},
        }

    def op_reset(self, identity: bytes, request: dict[str, Any]) -> dict[str, Any]:
        hosted = self.find(identity, request)
        options = request.get("options")
        seed = request.get("seed")
        observation, info = self.call(identity, request, "reset", lambda: hosted.env.reset(
            seed=seed, options=None if options is None else decode_value(options)))
        return {"obs": hosted.observation(observation), "info": info}

    def op_step(self, identity: bytes, request: dict[str, Any]) -> dict[str, Any]:
        hosted = self.find(identity, request)
        action = hosted.action(request.get("action"))
        observation, reward, terminated, truncated, info = self.call(identity, request, "step",
                                                                     lambda: hosted.env.step(action))
        return {"obs": hosted.observation(observation), "reward": float(reward), "terminated": bool(terminated),
                "truncated": bool(truncated), "info": info}

    def op_render(self, identity: bytes, request: dict[str, Any]) -> dict[str, Any]:
        hosted = self.find(identity, request)
        frame = self.call(identity, request, "render", hosted.env.render)
        frame = np.asarray(frame)
        if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
            raise RequestFailed("env_failure", f"render must return a uint8 array of shape (H, W, 3); "
                                               f"got {frame.dtype} of shape {frame.shape}")
        return {"frame": frame}

    def op_close(self, identity: bytes, request: dict[str, Any]) -> dict[str, Any]:
        hosted = self.find(identity, request)
        del self.envs[(identity, request["handle"])]
        close_quietly(hosted.env)
        return {}

    def find(self, identity: bytes, request: dict[str, Any]) -> HostedEnv:
        hosted = self.envs.get((identity, request.get("handle")))
        if hosted is None:
            raise RequestFailed("unknown_handle", f"no env {request.get('handle')!r} on this connection")
        return hosted

    def call(self, identity: bytes, request: dict[str, Any], what: str, call: Callable[[], Any]) -> Any:
        """Runs the env's ``what``; its exception closes it and is answered as ``env_failure``."""
        try:
            return call()
        except Exception as error:
            hosted = self.envs.pop((identity, request.get("handle")))
            close_quietly(hosted.env)
            raise RequestFailed("env_failure", f"{describe_exception(error)} (raised by the Python env "
                                               f"{self.definition.env_id} in {what})") from None


def render_modes(metadata: dict[str, Any]) -> list[str]:
    # Only frames travel: "human" would open a window in the worker, "ansi" has no wire form.
    return [mode for mode in metadata.get("render_modes") or [] if mode == "rgb_array"]


def description(env: Any) -> str:
    doc = (type(getattr(env, "unwrapped", env)).__doc__ or "").strip()
    return doc.splitlines()[0].strip() if doc else ""


def float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def close_quietly(env: Any) -> None:
    try:
        env.close()
    except Exception:
        pass  # the env is given up either way


def exit_with_parent(parent_pid: int) -> None:
    """A worker must not outlive the server that started it (killed, it cannot end its workers).

    It waits on a pidfd of the parent where Linux has them, so an idle worker (one of the server's warm pool) never
    wakes; elsewhere it looks once a second."""
    def wait_for_exit(descriptor: int) -> None:
        select.select([descriptor], [], [])
        os._exit(0)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            if os.getppid() != parent_pid:
                os._exit(0)
    try:
        descriptor = os.pidfd_open(parent_pid)
    except (AttributeError, OSError):  # before Python 3.9 or Linux 5.3
        threading.Thread(target=watch, daemon=True, name="parent watch").start()
        return
    if os.getppid() != parent_pid:  # the parent ended before the pidfd was opened
        os._exit(0)
    threading.Thread(target=wait_for_exit, args=(descriptor,), daemon=True, name="parent watch").start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zerogym.worker", description=__doc__.splitlines()[0])
    parser.add_argument("--bind", required=True, help="endpoint to listen on, ipc://PATH or tcp://HOST:PORT")
    parser.add_argument("--env", required=True, help="ENV_ID=MODULE:ATTR, or ENV_ID for gymnasium.make(ENV_ID)")
    parser.add_argument("--parent-pid", type=int, help="exit when this process ends")
    parser.add_argument("--no-local-stream", action="store_true",
                        help="serve ZeroMQ only, without the same-host stream socket (SPEC.md §1.1)")
    arguments = parser.parse_args(argv)
    try:
        definition = EnvDefinition(arguments.env)
    except ValueError as error:
        parser.error(str(error))
    if arguments.parent_pid is not None:
        exit_with_parent(arguments.parent_pid)
    worker = Worker(definition, arguments.bind, local_stream=not arguments.no_local_stream)
    # Before saying it listens: a worker the server starts ahead (its warm pool) is then ready to make its env at once.
    definition.preload()
    print(f"zerogym-server listening on {worker.address}", flush=True)
    worker.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
