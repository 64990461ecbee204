"""``ZeroGymVectorEnv``: N copies of an env stepped together in a ZeroGym server, behind Gymnasium's vector API."""

from __future__ import annotations

from typing import Any

import numpy as np

from zerogym.compat import AutoresetMode, VectorEnv, batch_space, spaces
from zerogym.connection import DEFAULT_ADDRESS
from zerogym.errors import ProtocolError, UnknownHandleError
from zerogym.remote import RemoteEnv, field
from zerogym.security import CurveKeys
from zerogym.wire import array_decoder, decode_array, decode_space, decode_vector_info, value_decoder


class ZeroGymVectorEnv(VectorEnv):
    """``num_envs`` copies of an env in a ZeroGym server, stepped with one message; made by ``zerogym.make_vec``.

    It has the API of ``gymnasium.vector.VectorEnv`` (a subclass of it when Gymnasium is installed): batched
    ``observation_space``/``action_space`` as ``batch_space`` builds them, ``reset(seed=int | list | None)``,
    ``step(actions)`` returning numpy arrays (rewards float64, flags bool, all of shape ``(num_envs,)``) and infos in
    Gymnasium's vector layout. Sub-envs reset themselves on the step after they end (next-step autoreset,
    ``metadata["autoreset_mode"]``). Arrays are read-only views of the received message.
    """

    def __init__(self, env_id: str, num_envs: int, *, address: str = DEFAULT_ADDRESS, timeout: float | None = 30.0,
                 render_mode: str | None = None, kwargs: dict[str, Any] | None = None, curve: CurveKeys | None = None,
                 spin_us: int | None = None):
        self.closed = True  # Until the server made it: nothing for close() to free.
        self._remote = RemoteEnv(env_id, address, timeout, render_mode, dict(kwargs or {}), num_envs, curve, spin_us)
        self.closed = False
        try:
            made = self._remote.made
            if made.get("num_envs") != num_envs:
                raise ProtocolError(f"asked for {num_envs} copies of {env_id}; the server made {made.get('num_envs')}")
            self.num_envs = num_envs
            self.single_observation_space = decode_space(field(made, "observation_space", "make"))
            self.single_action_space = decode_space(field(made, "action_space", "make"))
            self.observation_space = batch_space(self.single_observation_space, num_envs)
            self.action_space = batch_space(self.single_action_space, num_envs)
            self.metadata = {"render_modes": [], **(made.get("metadata") or {}),
                             "autoreset_mode": AutoresetMode.NEXT_STEP}
            self.render_mode = made.get("render_mode")
            self.spec = self._remote.spec(render_mode)
        except BaseException:
            self.close()
            raise
        self._decode_obs = value_decoder(self.observation_space)
        self._decode_rewards = array_decoder(np.float64, (num_envs,))
        self._decode_flags = array_decoder(np.bool_, (num_envs,))
        # Batched values of these spaces are single arrays: lists of actions are sent as one array.
        self._actions_are_array = isinstance(
            self.single_action_space, (spaces.Box, spaces.Discrete, spaces.MultiBinary, spaces.MultiDiscrete))
        self._step_request = self._remote.step_request
        self._request = self._remote.connection.request

    def reset(self, *, seed: int | list[int | None] | None = None,
              options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Resets every sub-env: an int ``seed`` s seeds sub-env i with s + i, a list seeds each with its own."""
        if isinstance(seed, np.integer):
            seed = int(seed)
        super().reset(seed=seed if isinstance(seed, int) else None)
        reply = self._remote.reset(list(seed) if isinstance(seed, (tuple, np.ndarray)) else seed, options)
        try:
            return self._decode_obs(reply["obs"]), decode_vector_info(reply["info"])
        except KeyError as missing:
            raise ProtocolError(f"expected {missing} in the reply to 'reset'; got keys {sorted(reply)}") from None

    def step(self, actions: Any) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Runs one timestep of every sub-env. Returns ``(obs, rewards, terminations, truncations, infos)``."""
        if self._actions_are_array and type(actions) is not np.ndarray:
            actions = np.asarray(actions)
        request = self._step_request
        request["action"] = actions
        try:
            reply = self._request(request)
        except UnknownHandleError as error:
            raise self._remote.gone(error) from None
        try:
            info = reply["info"]
            return (self._decode_obs(reply["obs"]), self._decode_rewards(reply["reward"]),
                    self._decode_flags(reply["terminated"]), self._decode_flags(reply["truncated"]),
                    decode_vector_info(info) if info else info)
        except KeyError as missing:
            raise ProtocolError(f"expected {missing} in the reply to 'step'; got keys {sorted(reply)}") from None

    def render(self) -> tuple[np.ndarray, ...]:
        """One read-only uint8 frame (H, W, 3) per sub-env."""
        reply = self._remote.request({"op": "render", "handle": self._remote.handle})
        return tuple(decode_array(frame) for frame in field(reply, "frames", "render"))

    def close_extras(self, **kwargs: Any) -> None:
        """Frees the sub-envs in the server and closes the connection."""
        self._remote.close()

    def __del__(self) -> None:
        # Garbage collection may run at interpreter exit, when no request can be made: only drop the connection.
        # The server closes the envs of a silent connection after its idle timeout.
        remote = getattr(self, "_remote", None)
        if remote is not None:
            remote.connection.close()

    def __enter__(self) -> ZeroGymVectorEnv:
        return self

    def __exit__(self, *args: Any) -> bool:
        self.close()
        return False
