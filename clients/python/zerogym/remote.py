"""An env handle in a ZeroGym server: making it, remaking it after the server lost it, resetting and closing it.

``ZeroGymEnv`` and ``ZeroGymVectorEnv`` share this; each adds its own decoding of observations.
"""

from __future__ import annotations

from typing import Any

from zerogym.compat import EnvSpec
from zerogym.connection import Connection
from zerogym.errors import ProtocolError, UnknownHandleError, ZeroGymError
from zerogym.security import CurveKeys, is_key_text


class RemoteEnv:
    """One handle in the server, on its own connection.

    Args:
        env_id: the server's env id, e.g. ``"CartPole-v1"``.
        address: the server's endpoint.
        timeout: seconds to wait for each reply (None: forever).
        render_mode: None or one of the env's render modes.
        kwargs: the env's keyword arguments, passed to the server's ``make``.
        num_envs: None for a single env, N for a vector env of N copies.
        curve: CURVE keys for an encrypted connection, or None.
        spin_us: microseconds to poll for each reply before blocking (None: ``ZEROGYM_SPIN_US``).
        batch_size: for a vector env whose ``recv`` answers with fewer than ``num_envs`` sub-envs (SPEC.md §3.4);
            None leaves it at the server's default, ``num_envs``, and needs no server capability.
        autoreset_mode: a vector env's autoreset mode by its wire name (SPEC.md §2.3); None for the default.
        heartbeat: seconds between ZeroMQ heartbeats on the connection (``Connection``'s), or None.
    """

    def __init__(self, env_id: str, address: str, timeout: float | None, render_mode: str | None,
                 kwargs: dict[str, Any], num_envs: int | None = None, curve: CurveKeys | None = None,
                 spin_us: int | None = None, batch_size: int | None = None, autoreset_mode: str | None = None,
                 heartbeat: float | None = None):
        self.env_id = env_id
        self.connection = Connection(address, timeout, curve, spin_us, heartbeat)
        self._make_request: dict[str, Any] = {"op": "make", "env": env_id, "kwargs": kwargs}
        if num_envs is not None:
            self._make_request["num_envs"] = num_envs
        if batch_size is not None:
            self._make_request["batch_size"] = batch_size
        if autoreset_mode is not None:
            self._make_request["autoreset_mode"] = autoreset_mode
        if render_mode is not None:
            self._make_request["render_mode"] = render_mode
        try:
            if num_envs is not None:
                self.connection.require("vector", "make_vec")
            if batch_size is not None:
                self.connection.require("async_vector", f"make_vec(batch_size={batch_size})")
            if render_mode is not None:
                self.connection.require(f"render:{render_mode}", f"render_mode={render_mode!r}")
            self.made: dict[str, Any] = self.connection.request(self._make_request)
            self.handle = field(self.made, "handle", "make")
            # A server older than autoreset modes ignores the key: it must not silently give another mode.
            if autoreset_mode is not None and self.made.get("autoreset_mode") != autoreset_mode:
                raise ZeroGymError("unsupported", f"autoreset_mode={autoreset_mode!r} needs a server that knows autoreset "
                                                  f"modes; the server at {address} made {self.made.get('autoreset_mode')!r}")
        except BaseException:
            self.connection.close()
            raise
        self.step_request: dict[str, Any] = {"op": "step", "handle": self.handle}
        """The step request, reused for every step: set its ``action`` and send it."""

    def reset(self, seed: Any, options: dict[str, Any] | None) -> dict[str, Any]:
        """Resets the env; when the server no longer has it, makes it again with the same arguments first."""
        request: dict[str, Any] = {"op": "reset", "handle": self.handle, "seed": seed}
        if options is not None:
            self.connection.require("reset_options", "reset(options=...)")
            request["options"] = options
        try:
            return self.connection.request(request)
        except UnknownHandleError:
            self._remake()
            request["handle"] = self.handle
            return self.connection.request(request)

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Sends a request about this env; the server having lost the env raises ``gone``'s error."""
        try:
            return self.connection.request(message)
        except UnknownHandleError as error:
            raise self.gone(error) from None

    def gone(self, error: UnknownHandleError) -> UnknownHandleError:
        """The error for using an env the server no longer has: it says that ``reset()`` makes a new one."""
        idle = self.connection.server.get("idle_timeout")
        idle_text = "its idle timeout" if idle is None else f"{idle} s"
        return UnknownHandleError(
            f"{self.env_id} is gone from the server at {self.connection.address}: the server restarted, or closed "
            f"it after {idle_text} without requests. Call reset() to make a new one. (server: {error.message})"
        )

    def close(self) -> None:
        """Closes the handle and the connection; closing twice is allowed."""
        if self.connection.closed:
            return
        try:
            self.connection.request({"op": "close", "handle": self.handle})
        except UnknownHandleError:
            pass  # The server already dropped it, which is what close asks for.
        finally:
            self.connection.close()

    def spec(self, render_mode: str | None) -> EnvSpec:
        """The env's spec from the make reply; ``spec.make()`` makes another env like this one on the same server."""
        remote = field(self.made, "spec", "make")
        # The kwargs in effect, with the caller's on top: the reply may leave some out (max_episode_steps).
        kwargs = {"env_id": self.env_id, "address": self.connection.address, "timeout": self.connection.timeout,
                  "spin_us": self.connection.spin_us, **(remote.get("kwargs") or {}), **self._make_request["kwargs"]}
        if render_mode is not None:
            kwargs["render_mode"] = render_mode
        return EnvSpec(
            id=remote.get("id", self.env_id),
            entry_point="zerogym:make",
            reward_threshold=remote.get("reward_threshold"),
            nondeterministic=bool(remote.get("nondeterministic", False)),
            max_episode_steps=remote.get("max_episode_steps"),
            kwargs=kwargs,
        )

    def _remake(self) -> None:
        # The server may be a new process: greet it again before making.
        self.connection.hello()
        self.made = self.connection.request(self._make_request)
        self.handle = field(self.made, "handle", "make")
        self.step_request["handle"] = self.handle


def field(reply: dict[str, Any], key: str, op: str) -> Any:
    """``reply[key]``, or a ProtocolError naming the missing key of the ``op`` reply."""
    try:
        return reply[key]
    except KeyError:
        raise ProtocolError(f"expected '{key}' in the reply to '{op}'; got keys {sorted(reply)}") from None


def reconnect_reduce(env: Any) -> tuple[Any, tuple[()]]:
    """``__reduce__`` of a remote env: how to make it again (``zerogym.make``/``make_vec`` and their arguments), not
    its state, so that ``SubprocVecEnv``, multiprocessing and Ray can ship it. Unpickling makes a new env on the
    same server, to be reset before use. CURVE keys travel as the paths they were given as, never as key text."""
    reconnect = getattr(env, "_reconnect", None)
    if reconnect is None:
        raise TypeError(f"only envs made by zerogym.make or zerogym.make_vec can be pickled; got {type(env).__name__}")
    client_key = reconnect.keywords.get("curve_client_key")
    if client_key is not None and is_key_text(client_key):
        raise TypeError("a remote env pickles its CURVE keys by path, so that no secret key ends up in the pickle: "
                        "make it with curve_client_key='NAME.key' (the file of scripts/keygen) to pickle it")
    return reconnect, ()


def drop_connection(env: Any) -> None:
    """``__del__`` of a remote env dropped without ``close()``: only its socket is closed, quietly. Garbage collection
    may run at interpreter exit, when no request can be made; the server closes the envs of a silent connection
    after its idle timeout."""
    remote = getattr(env, "_remote", None)
    if remote is not None:
        remote.connection.close()
