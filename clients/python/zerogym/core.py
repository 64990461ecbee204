"""Small stand-ins for ``gymnasium.Env``, ``gymnasium.vector.VectorEnv`` and ``EnvSpec``, used without Gymnasium.

They carry the parts of Gymnasium's contract that ZeroGym's envs rely on: spaces, ``metadata``, ``render_mode``,
``spec``, ``np_random`` seeded by ``reset(seed=...)``, ``unwrapped``, ``close`` and the context manager.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
from typing import Any, Callable

import numpy as np

from zerogym.spaces import Space, _seeded_generator


@dataclasses.dataclass
class EnvSpec:
    """How an env was made, as ``gymnasium.envs.registration.EnvSpec``: ``make()`` builds another one like it."""

    id: str
    entry_point: str | Callable[..., Any] | None = None
    reward_threshold: float | None = None
    nondeterministic: bool = False
    max_episode_steps: int | None = None
    kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)

    def make(self, **kwargs: Any) -> Any:
        """Calls the entry point with this spec's kwargs updated by ``kwargs``."""
        creator: Callable[..., Any] | None
        if isinstance(self.entry_point, str):
            module, _, name = self.entry_point.partition(":")
            creator = getattr(importlib.import_module(module), name)
        else:
            creator = self.entry_point
        if creator is None:
            raise ValueError(f"{self.id} has no entry_point to make it with")
        return creator(**{**self.kwargs, **kwargs})


class _Seeded:
    """``np_random`` as Gymnasium's envs have it: seeded by ``reset(seed=...)``, else from entropy on first use."""

    _np_random: np.random.Generator | None = None
    _np_random_seed: int | None = None

    def _seed(self, seed: int | None) -> None:
        if seed is not None:
            self._np_random, self._np_random_seed = _seeded_generator(seed)

    @property
    def np_random(self) -> np.random.Generator:
        """The env's random generator (``np.random.default_rng``)."""
        if self._np_random is None:
            self._np_random, self._np_random_seed = _seeded_generator(None)
        return self._np_random

    @np_random.setter
    def np_random(self, value: np.random.Generator) -> None:
        self._np_random, self._np_random_seed = value, -1

    @property
    def np_random_seed(self) -> int:
        """The seed of ``np_random``, or -1 when the generator was set directly."""
        if self._np_random_seed is None:
            self._np_random, self._np_random_seed = _seeded_generator(None)
        return self._np_random_seed


class Env(_Seeded):
    """The Gymnasium env contract: ``reset``, ``step``, ``render``, ``close`` and the spaces."""

    metadata: dict[str, Any] = {"render_modes": []}
    render_mode: str | None = None
    spec: EnvSpec | None = None
    observation_space: Space
    action_space: Space

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        """Reseeds ``np_random`` when ``seed`` is given; subclasses start the episode."""
        self._seed(seed)

    def step(self, action: Any) -> Any:
        raise NotImplementedError

    def render(self) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        """Releases the env's resources; closing twice is allowed."""

    @property
    def unwrapped(self) -> Env:
        return self

    def __enter__(self) -> Env:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def __str__(self) -> str:
        return f"<{type(self).__name__} instance>" if self.spec is None else f"<{type(self).__name__}<{self.spec.id}>>"


class AutoresetMode(enum.Enum):
    """When a vector env resets a finished sub-env, as ``gymnasium.vector.AutoresetMode``."""

    NEXT_STEP = "NextStep"
    SAME_STEP = "SameStep"
    DISABLED = "Disabled"


class VectorEnv(_Seeded):
    """The Gymnasium vector env contract: ``num_envs`` copies stepped together with batched values."""

    metadata: dict[str, Any] = {}
    spec: EnvSpec | None = None
    render_mode: str | None = None
    closed: bool = False
    num_envs: int
    observation_space: Space
    action_space: Space
    single_observation_space: Space
    single_action_space: Space

    def reset(self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None) -> Any:
        """Reseeds ``np_random`` when ``seed`` is an int; subclasses reset the sub-envs."""
        if isinstance(seed, (int, np.integer)):
            self._seed(seed)

    def step(self, actions: Any) -> Any:
        raise NotImplementedError

    def render(self) -> Any:
        raise NotImplementedError

    def close(self, **kwargs: Any) -> None:
        """Closes the sub-envs through ``close_extras``; closing twice is allowed."""
        if self.closed:
            return
        self.close_extras(**kwargs)
        self.closed = True

    def close_extras(self, **kwargs: Any) -> None:
        """Releases what the subclass holds."""

    @property
    def unwrapped(self) -> VectorEnv:
        return self

    def __repr__(self) -> str:
        if self.spec is None:
            return f"{type(self).__name__}(num_envs={self.num_envs})"
        return f"{type(self).__name__}({self.spec.id}, num_envs={self.num_envs})"
