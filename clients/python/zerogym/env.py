"""``ZeroGymEnv``: one env running in a ZeroGym server, behind Gymnasium's ``Env`` API."""

from __future__ import annotations

from typing import Any

import numpy as np

from zerogym.compat import Env
from zerogym.connection import DEFAULT_ADDRESS
from zerogym.errors import ProtocolError, UnknownHandleError
from zerogym.remote import RemoteEnv, drop_connection, field, reconnect_reduce
from zerogym.security import CurveKeys
from zerogym.wire import decode_array, decode_space, decode_value, value_decoder


class ZeroGymEnv(Env):
    """An env whose dynamics run in a ZeroGym server; made by ``zerogym.make``.

    It has Gymnasium's API: ``reset(seed=, options=)`` returns ``(obs, info)``, ``step(action)`` returns
    ``(obs, reward, terminated, truncated, info)``, ``render()`` returns an RGB frame, ``close()`` frees the env in
    the server. It is a ``gymnasium.Env`` when Gymnasium is installed (``zerogym.USING_GYMNASIUM``).

    Observations have the dtype and shape of ``observation_space``. Arrays (observations, frames, arrays in infos)
    are read-only views of the received message, so no step copies them; ``obs.copy()`` gives a writable array.

    When the server no longer has the env (it restarted, or closed the env after its idle timeout), ``step()``
    raises ``UnknownHandleError`` and ``reset()`` makes the env again with the same arguments.

    One env uses one connection and is not thread-safe.
    """

    def __init__(self, env_id: str, *, address: str = DEFAULT_ADDRESS, timeout: float | None = 30.0,
                 render_mode: str | None = None, kwargs: dict[str, Any] | None = None, curve: CurveKeys | None = None,
                 spin_us: int | None = None):
        self._remote = RemoteEnv(env_id, address, timeout, render_mode, dict(kwargs or {}), curve=curve,
                                 spin_us=spin_us)
        try:
            made = self._remote.made
            self.observation_space = decode_space(field(made, "observation_space", "make"))
            self.action_space = decode_space(field(made, "action_space", "make"))
            self.metadata: dict[str, Any] = {"render_modes": [], **(made.get("metadata") or {})}
            self.render_mode = made.get("render_mode")
            self.spec = self._remote.spec(render_mode)
        except BaseException:
            self._remote.close()
            raise
        self._decode_obs = value_decoder(self.observation_space)
        self._step_request = self._remote.step_request
        self._request = self._remote.connection.request

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Starts an episode; the same ``seed`` gives the same start. Returns ``(obs, info)``."""
        if isinstance(seed, np.integer):
            seed = int(seed)
        super().reset(seed=seed)
        reply = self._remote.reset(seed, options)
        try:
            return self._decode_obs(reply["obs"]), decode_value(reply["info"])
        except KeyError as missing:
            raise ProtocolError(f"expected {missing} in the reply to 'reset'; got keys {sorted(reply)}") from None

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Runs one timestep. Returns ``(obs, reward, terminated, truncated, info)``."""
        request = self._step_request
        request["action"] = action
        try:
            reply = self._request(request)
        except UnknownHandleError as error:
            raise self._remote.gone(error) from None
        try:
            info = reply["info"]
            return (self._decode_obs(reply["obs"]), reply["reward"], reply["terminated"], reply["truncated"],
                    decode_value(info) if info else info)
        except KeyError as missing:
            raise ProtocolError(f"expected {missing} in the reply to 'step'; got keys {sorted(reply)}") from None

    def render(self) -> Any:
        """The current frame, a read-only uint8 array (H, W, 3) when ``render_mode`` is ``"rgb_array"``."""
        reply = self._remote.request({"op": "render", "handle": self._remote.handle})
        return decode_array(field(reply, "frame", "render"))

    def close(self) -> None:
        """Frees the env in the server and closes the connection; closing twice is allowed."""
        self._remote.close()

    def __reduce__(self):
        return reconnect_reduce(self)

    def __del__(self) -> None:
        drop_connection(self)
