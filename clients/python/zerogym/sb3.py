"""``ZeroGymVecEnv``: one remote vector env as a Stable-Baselines3 ``VecEnv``.

SB3's ``DummyVecEnv``/``SubprocVecEnv`` step their envs one by one, so over remote single envs every sub-env costs a
round trip. ``ZeroGymVecEnv`` makes all of them one vector env on the server (same-step autoreset, as SB3 expects) and
steps them with one message. Importing this module imports Stable-Baselines3 when it is installed and subclasses its
``VecEnv``; without it the class works the same on a small stand-in base (enough for tests and plain loops).

Example:
    >>> from stable_baselines3 import PPO
    >>> from stable_baselines3.common.vec_env import VecMonitor
    >>> envs = VecMonitor(zerogym.sb3.ZeroGymVecEnv("CartPole-v1", 8, address="tcp://sim-host:5555"))
    >>> PPO("MlpPolicy", envs).learn(100_000)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from copy import deepcopy
from typing import Any

import numpy as np

from zerogym.api import make_vec
from zerogym.connection import DEFAULT_ADDRESS

try:
    from stable_baselines3.common.vec_env.base_vec_env import VecEnv as _VecEnvBase
except ImportError:
    _VecEnvBase = None


class _StandInVecEnv:
    """What ``ZeroGymVecEnv`` uses of SB3's ``VecEnv`` base, for when Stable-Baselines3 is not installed."""

    def __init__(self, num_envs: int, observation_space: Any, action_space: Any):
        self.num_envs = num_envs
        self.observation_space = observation_space
        self.action_space = action_space
        self.reset_infos: list[dict[str, Any]] = [{} for _ in range(num_envs)]
        self._seeds: list[int | None] = [None] * num_envs
        self._options: list[dict[str, Any]] = [{} for _ in range(num_envs)]
        self.render_mode = self.get_attr("render_mode")[0]
        self.metadata = {"render_modes": [] if self.render_mode is None else [self.render_mode]}

    def step(self, actions: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        self.step_async(actions)
        return self.step_wait()

    # What a VecEnv implements (abstract in SB3's base).
    def step_async(self, actions: np.ndarray) -> None:
        raise NotImplementedError

    def step_wait(self) -> tuple[Any, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        raise NotImplementedError

    def get_attr(self, attr_name: str, indices: Any = None) -> list[Any]:
        raise NotImplementedError

    def seed(self, seed: int | None = None) -> Sequence[int | None]:
        if seed is None:
            seed = int(np.random.randint(0, np.iinfo(np.uint32).max, dtype=np.uint32))
        self._seeds = [seed + i for i in range(self.num_envs)]
        return self._seeds

    def set_options(self, options: list[dict[str, Any]] | dict[str, Any] | None = None) -> None:
        options = options or {}
        self._options = deepcopy([options] * self.num_envs if isinstance(options, dict) else options)

    def _reset_seeds(self) -> None:
        self._seeds = [None] * self.num_envs

    def _reset_options(self) -> None:
        self._options = [{} for _ in range(self.num_envs)]

    def _get_indices(self, indices: None | int | Iterable[int]) -> Iterable[int]:
        if indices is None:
            return range(self.num_envs)
        return [indices] if isinstance(indices, int) else indices


class ZeroGymVecEnv(_VecEnvBase or _StandInVecEnv):  # type: ignore[misc]
    """``num_envs`` copies of ``env_id`` on the ZeroGym server at ``address``, as one SB3 ``VecEnv``.

    Follows ``DummyVecEnv``'s conventions: ``step_wait`` returns ``(obs, rewards, dones, infos)`` with float32
    rewards and one info dict per sub-env; a sub-env that ended is reset in the same step, its last observation in
    its info's ``"terminal_observation"`` and ``"TimeLimit.truncated"`` saying whether the time limit cut it; reset
    infos go to ``reset_infos``. Observations are writable arrays of their own, as ``DummyVecEnv``'s copies are.
    ``seed()`` and ``set_options()`` apply at the next ``reset()``. ``metadata`` is a sub-env's (``render_fps``
    included). Sub-envs live on the server: ``get_attr`` answers for them from the remote vector env
    (``render_mode``, ``spec``, ``metadata``; ``observation_space``/``action_space`` are a sub-env's), and
    ``env_method``/``set_attr`` are refused. Wrap it in SB3's ``VecMonitor`` for episode statistics.

    Args:
        env_id: the server's env id.
        num_envs: the number of sub-envs.
        address: the server's endpoint.
        **make_kwargs: the rest of ``zerogym.make_vec``'s arguments (``timeout``, ``render_mode``, CURVE keys, env
            kwargs...); ``autoreset_mode`` is ``"same_step"``, SB3's.
    """

    def __init__(self, env_id: str, num_envs: int, address: str = DEFAULT_ADDRESS, **make_kwargs: Any):
        if "autoreset_mode" in make_kwargs:
            raise ValueError("ZeroGymVecEnv resets sub-envs in the step that ends them, as SB3 expects; "
                             "do not pass autoreset_mode")
        self.venv = make_vec(env_id, num_envs, address=address, autoreset_mode="same_step", **make_kwargs)
        self._actions: np.ndarray | None = None
        # A sub-env's metadata (DummyVecEnv's is its first env's): the vector env's, less its autoreset mode.
        self._sub_env_metadata = {key: value for key, value in self.venv.metadata.items() if key != "autoreset_mode"}
        try:
            super().__init__(num_envs, self.venv.single_observation_space, self.venv.single_action_space)
        except BaseException:
            self.venv.close()
            raise
        self.metadata = dict(self._sub_env_metadata)

    def reset(self) -> Any:
        seeds = None if all(seed is None for seed in self._seeds) else list(self._seeds)
        options = self._options[0]
        if any(other != options for other in self._options[1:]):
            raise ValueError("a ZeroGym vector env resets every sub-env with the same options; "
                             f"set_options gave different ones per sub-env: {self._options}")
        obs, infos = self.venv.reset(seed=seeds, options=options or None)
        self.reset_infos = [sub_env_info(infos, i) for i in range(self.num_envs)]
        self._reset_seeds()
        self._reset_options()
        return writable_copy(obs)

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self) -> tuple[Any, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        if self._actions is None:
            raise RuntimeError("step_wait() needs step_async(actions) first")
        actions, self._actions = self._actions, None
        obs, rewards, terminations, truncations, infos = self.venv.step(actions)
        dones = terminations | truncations
        final_obs: Any = infos.get("final_obs")
        final_info = infos.get("final_info", {})
        step_infos = []
        for i in range(self.num_envs):
            if dones[i]:
                info = sub_env_info(final_info, i)
                info["terminal_observation"] = writable_copy(final_obs[i])
                self.reset_infos[i] = sub_env_info(infos, i, leave_out=_FINAL_KEYS)
            else:
                info = sub_env_info(infos, i)
            info["TimeLimit.truncated"] = bool(truncations[i] and not terminations[i])
            step_infos.append(info)
        return writable_copy(obs), rewards.astype(np.float32), dones, step_infos

    def close(self) -> None:
        self.venv.close()

    def get_images(self) -> Sequence[np.ndarray | None]:
        if self.render_mode != "rgb_array":
            return [None] * self.num_envs
        return list(self.venv.render())

    def get_attr(self, attr_name: str, indices: Any = None) -> list[Any]:
        """A sub-env's attribute, once per sub-env asked for (they are copies of one env): the remote vector env's,
        but a sub-env's own ``observation_space``, ``action_space`` and ``metadata``. ``AttributeError`` when it has
        none, ``IndexError`` for an index outside ``0..num_envs-1``."""
        if attr_name == "metadata":
            value: Any = self._sub_env_metadata
        else:
            value = getattr(self.venv, _SUB_ENV_ATTRIBUTES.get(attr_name, attr_name))
        return [value for _ in self._checked_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: Any = None) -> None:
        raise AttributeError(f"the sub-envs of {self.venv.spec.id} live on the ZeroGym server at "
                             f"{self.venv.spec.kwargs.get('address')}: their attribute '{attr_name}' cannot be set")

    def env_method(self, method_name: str, *method_args: Any, indices: Any = None, **method_kwargs: Any) -> list[Any]:
        raise AttributeError(f"the sub-envs of {self.venv.spec.id} live on the ZeroGym server: "
                             f"their method '{method_name}' cannot be called from here")

    def env_is_wrapped(self, wrapper_class: type, indices: Any = None) -> list[bool]:
        # No client-side wrapper can wrap a sub-env: server-side ones are make kwargs (wrappers=...).
        return [False for _ in self._checked_indices(indices)]

    def _checked_indices(self, indices: Any) -> list[int]:
        """``_get_indices``, with an index outside the sub-envs refused as ``DummyVecEnv``'s list lookup refuses it."""
        checked = list(self._get_indices(indices))
        for index in checked:
            if not -self.num_envs <= index < self.num_envs:
                raise IndexError(f"sub-env index {index} is out of range: this vector env has {self.num_envs} "
                                 f"sub-envs (0..{self.num_envs - 1})")
        return checked


_FINAL_KEYS = ("final_obs", "final_info")
"""The keys same-step autoreset adds beside the reset info: not part of the reset info itself."""

_SUB_ENV_ATTRIBUTES = {"observation_space": "single_observation_space", "action_space": "single_action_space"}
"""The vector env's names of what a sub-env calls these."""


def writable_copy(obs: Any) -> Any:
    """``obs`` with every array copied: received arrays are read-only views of the message, SB3's are the caller's
    to keep and change (torch warns about read-only arrays, and ``DummyVecEnv`` returns copies)."""
    if isinstance(obs, np.ndarray):
        return obs.copy()
    if isinstance(obs, dict):
        return {key: writable_copy(value) for key, value in obs.items()}
    if isinstance(obs, tuple):
        return tuple(writable_copy(value) for value in obs)
    return obs


def sub_env_info(infos: dict[str, Any], i: int, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """Sub-env ``i``'s own info out of Gymnasium's vector layout (``key`` with its ``_key`` mask), recursively."""
    info = {}
    for key, value in infos.items():
        mask = infos.get(f"_{key}")
        if mask is None or not mask[i] or key in leave_out:
            continue  # absent for sub-env i, or a mask itself
        info[key] = sub_env_info(value, i) if isinstance(value, dict) else value[i]
    return info
