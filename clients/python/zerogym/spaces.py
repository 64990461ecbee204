"""Small stand-ins for ``gymnasium.spaces``, used when Gymnasium is not installed.

They have Gymnasium's constructors, attributes (``shape``, ``dtype``, ``low``/``high``, ``n``/``start``, ``nvec``),
``sample()``, ``seed()``, ``contains()``/``in``, equality and ``repr``, so code written against
``gymnasium.spaces`` runs unchanged on them. ``batch_space`` mirrors ``gymnasium.vector.utils.batch_space``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

import numpy as np

__all__ = ["Space", "Box", "Discrete", "MultiBinary", "MultiDiscrete", "Dict", "Tuple", "batch_space"]


def _seeded_generator(seed: int | None) -> tuple[np.random.Generator, int]:
    """``np.random.default_rng(seed)`` and the seed it used (drawn from entropy when ``seed`` is None)."""
    if seed is not None and not (isinstance(seed, (int, np.integer)) and seed >= 0):
        raise ValueError(f"a seed must be a non-negative integer or None; got {seed!r}")
    sequence = np.random.SeedSequence(None if seed is None else int(seed))
    return np.random.Generator(np.random.PCG64(sequence)), int(cast(int, sequence.entropy))


class Space:
    """The set of values an observation or action can take."""

    def __init__(self, shape: Sequence[int] | None = None, dtype: Any = None, seed: int | None = None):
        self._shape = None if shape is None else tuple(int(size) for size in shape)
        self.dtype = None if dtype is None else np.dtype(dtype)
        self._np_random: np.random.Generator | None = None
        if seed is not None:
            self.seed(seed)

    @property
    def shape(self) -> tuple[int, ...] | None:
        """The shape of one value, or None for composite spaces."""
        return self._shape

    @property
    def np_random(self) -> np.random.Generator:
        """The generator behind ``sample()``, seeded from entropy on first use unless ``seed()`` came first."""
        if self._np_random is None:
            self.seed()
        return cast(np.random.Generator, self._np_random)

    def seed(self, seed: int | None = None) -> Any:
        """Seeds the generator behind ``sample()``; returns the seed used."""
        self._np_random, used = _seeded_generator(seed)
        return used

    def sample(self) -> Any:
        """A random value of the space."""
        raise NotImplementedError

    def contains(self, x: Any) -> bool:
        """Whether ``x`` is a value of the space."""
        raise NotImplementedError

    def __contains__(self, x: Any) -> bool:
        return self.contains(x)


def _short_bound_repr(bound: np.ndarray) -> str:
    # Gymnasium shows a bound as one number when every element has it.
    if bound.size and np.min(bound) == np.max(bound):
        return str(np.min(bound))
    return str(bound)


def _bound_array(bound: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    values = np.broadcast_to(np.asarray(bound), shape)
    if dtype.kind in "iu" and values.dtype.kind == "f":
        # ±inf means "no bound": the integer dtype's own limits stand in for it.
        info = np.iinfo(dtype)
        bounded = np.where(np.isinf(values), 0, values).astype(dtype)
        bounded[np.isposinf(values)] = info.max
        bounded[np.isneginf(values)] = info.min
        return bounded
    return np.array(values, dtype=dtype)


class Box(Space):
    """Arrays whose elements lie in ``[low, high]``; bounds may be ±inf.

    Example: ``Box(-1.0, 1.0, (3,), np.float32)`` or ``Box(low=np.zeros(2), high=np.ones(2))``.
    """

    dtype: np.dtype

    def __init__(self, low: Any, high: Any, shape: Sequence[int] | None = None, dtype: Any = np.float32,
                 seed: int | None = None):
        dtype = np.dtype(dtype)
        if shape is None:
            shape = np.shape(low) if np.ndim(low) > 0 else np.shape(high)
        shape = tuple(int(size) for size in shape)
        for name, bound in (("low", low), ("high", high)):
            if np.ndim(bound) > 0 and np.shape(bound) != shape:
                raise ValueError(f"Box {name} must be a scalar or have shape {shape}; got shape {np.shape(bound)}")
        super().__init__(shape, dtype, seed)
        self.low = _bound_array(low, shape, dtype)
        self.high = _bound_array(high, shape, dtype)
        if np.any(self.low > self.high):
            raise ValueError(f"Box low must not exceed high; got low {self.low} and high {self.high}")

    def sample(self) -> np.ndarray:
        """Uniform in bounded dimensions, exponential with one bound, normal with none; integers for integer boxes."""
        rng = self.np_random
        low = self.low.astype(np.float64)
        high = self.high.astype(np.float64) + (1.0 if self.dtype.kind in "iu" else 0.0)
        above, below = np.isfinite(low), np.isfinite(high)
        sample = np.empty(low.shape, dtype=np.float64)
        both, only_low, only_high, neither = above & below, above & ~below, ~above & below, ~above & ~below
        sample[both] = rng.uniform(low[both], high[both])
        sample[only_low] = low[only_low] + rng.exponential(size=only_low.sum())
        sample[only_high] = high[only_high] - rng.exponential(size=only_high.sum())
        sample[neither] = rng.normal(size=neither.sum())
        if self.dtype.kind in "iu":
            sample = np.clip(np.floor(sample), self.low, self.high)
        return sample.astype(self.dtype)

    def contains(self, x: Any) -> bool:
        if not isinstance(x, np.ndarray):
            try:
                x = np.asarray(x, dtype=self.dtype)
            except (ValueError, TypeError):
                return False
        return bool(
            np.can_cast(x.dtype, self.dtype)
            and x.shape == self.shape
            and np.all(x >= self.low)
            and np.all(x <= self.high)
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Box)
            and self.shape == other.shape
            and self.dtype == other.dtype
            and np.array_equal(self.low, other.low)
            and np.array_equal(self.high, other.high)
        )

    def __repr__(self) -> str:
        return f"Box({_short_bound_repr(self.low)}, {_short_bound_repr(self.high)}, {self.shape}, {self.dtype})"


class Discrete(Space):
    """The integers ``start, start + 1, ..., start + n - 1``; values are ints (``np.int64`` from ``sample()``)."""

    def __init__(self, n: int, seed: int | None = None, start: int = 0):
        if int(n) <= 0:
            raise ValueError(f"Discrete needs n > 0; got {n}")
        super().__init__((), np.int64, seed)
        self.n = np.int64(n)
        self.start = np.int64(start)

    def sample(self) -> np.int64:
        return np.int64(self.start + self.np_random.integers(self.n))

    def contains(self, x: Any) -> bool:
        if isinstance(x, np.ndarray) and x.shape == () and x.dtype.kind in "iu":
            x = x.item()
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
            return False
        return bool(self.start <= x < self.start + self.n)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Discrete) and self.n == other.n and self.start == other.start

    def __repr__(self) -> str:
        return f"Discrete({self.n})" if self.start == 0 else f"Discrete({self.n}, start={self.start})"


class MultiBinary(Space):
    """int8 arrays of 0s and 1s; ``n`` is the number of elements or the shape."""

    def __init__(self, n: int | Sequence[int] | np.ndarray, seed: int | None = None):
        if isinstance(n, (Sequence, np.ndarray)):
            shape = tuple(int(size) for size in n)
            self.n: int | tuple[int, ...] = shape
        else:
            self.n = int(n)
            shape = (int(n),)
        if any(size <= 0 for size in shape):
            raise ValueError(f"MultiBinary needs positive sizes; got {n}")
        super().__init__(shape, np.int8, seed)

    def sample(self) -> np.ndarray:
        return self.np_random.integers(0, 2, size=self.shape, dtype=self.dtype)

    def contains(self, x: Any) -> bool:
        if isinstance(x, Sequence):
            x = np.asarray(x)
        return bool(
            isinstance(x, np.ndarray)
            and x.shape == self.shape
            and x.dtype.kind in "biu"
            and np.all((x == 0) | (x == 1))
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MultiBinary) and self.shape == other.shape

    def __repr__(self) -> str:
        return f"MultiBinary({self.n})"


class MultiDiscrete(Space):
    """Integer arrays whose element ``i`` lies in ``[start[i], start[i] + nvec[i])``."""

    def __init__(self, nvec: Any, dtype: Any = np.int64, seed: int | None = None, start: Any = None):
        self.nvec = np.array(nvec, dtype=dtype, copy=True)
        self.start = np.zeros_like(self.nvec) if start is None else np.array(start, dtype=dtype, copy=True)
        if self.start.shape != self.nvec.shape:
            raise ValueError(f"MultiDiscrete start must have nvec's shape {self.nvec.shape}; got {self.start.shape}")
        if np.any(self.nvec <= 0):
            raise ValueError(f"MultiDiscrete needs every nvec element > 0; got {self.nvec}")
        super().__init__(self.nvec.shape, dtype, seed)

    def sample(self) -> np.ndarray:
        return (self.np_random.random(self.shape) * self.nvec).astype(self.dtype) + self.start

    def contains(self, x: Any) -> bool:
        if isinstance(x, Sequence):
            x = np.array(x)
        return bool(
            isinstance(x, np.ndarray)
            and x.shape == self.shape
            and x.dtype.kind in "iu"
            and np.all(self.start <= x)
            and np.all(x - self.start < self.nvec)
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, MultiDiscrete)
            and self.dtype == other.dtype
            and np.array_equal(self.nvec, other.nvec)
            and np.array_equal(self.start, other.start)
        )

    def __repr__(self) -> str:
        if np.any(self.start != 0):
            return f"MultiDiscrete({self.nvec}, start={self.start})"
        return f"MultiDiscrete({self.nvec})"


class Dict(Space):
    """Dicts of named subspace values.

    As in Gymnasium, a mapping is stored with its keys sorted; a sequence of ``(name, space)`` pairs keeps its order.
    """

    def __init__(self, spaces: Mapping[str, Space] | Sequence[tuple[str, Space]] | None = None,
                 seed: int | None = None, **spaces_kwargs: Space):
        if isinstance(spaces, Mapping):
            try:
                spaces = dict(sorted(spaces.items()))
            except TypeError:
                spaces = dict(spaces.items())
        else:
            spaces = dict(spaces or ())
        spaces.update(spaces_kwargs)
        for key, space in spaces.items():
            if not isinstance(space, Space):
                raise TypeError(f"Dict member {key!r} must be a Space; got {type(space).__name__}")
        self.spaces: dict[str, Space] = spaces
        super().__init__(None, None, seed)

    def seed(self, seed: int | None = None) -> dict[str, Any]:
        """Seeds every member: from seeds drawn from ``seed`` when it is an int, from entropy when None."""
        if seed is None:
            return {key: space.seed(None) for key, space in self.spaces.items()}
        super().seed(seed)
        member_seeds = self.np_random.integers(np.iinfo(np.int32).max, size=len(self.spaces))
        return {key: space.seed(int(s)) for (key, space), s in zip(self.spaces.items(), member_seeds)}

    def sample(self) -> dict[str, Any]:
        return {key: space.sample() for key, space in self.spaces.items()}

    def contains(self, x: Any) -> bool:
        return (
            isinstance(x, dict)
            and x.keys() == self.spaces.keys()
            and all(x[key] in space for key, space in self.spaces.items())
        )

    def __getitem__(self, key: str) -> Space:
        return self.spaces[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.spaces)

    def __len__(self) -> int:
        return len(self.spaces)

    def keys(self):
        return self.spaces.keys()

    def values(self):
        return self.spaces.values()

    def items(self):
        return self.spaces.items()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dict) and self.spaces == other.spaces

    def __repr__(self) -> str:
        return "Dict(" + ", ".join(f"{key!r}: {space}" for key, space in self.spaces.items()) + ")"


class Tuple(Space):
    """Tuples of subspace values."""

    def __init__(self, spaces: Sequence[Space], seed: int | None = None):
        self.spaces: tuple[Space, ...] = tuple(spaces)
        for index, space in enumerate(self.spaces):
            if not isinstance(space, Space):
                raise TypeError(f"Tuple member {index} must be a Space; got {type(space).__name__}")
        super().__init__(None, None, seed)

    def seed(self, seed: int | None = None) -> tuple[Any, ...]:
        """Seeds every member: from seeds drawn from ``seed`` when it is an int, from entropy when None."""
        if seed is None:
            return tuple(space.seed(None) for space in self.spaces)
        super().seed(seed)
        member_seeds = self.np_random.integers(np.iinfo(np.int32).max, size=len(self.spaces))
        return tuple(space.seed(int(s)) for space, s in zip(self.spaces, member_seeds))

    def sample(self) -> tuple[Any, ...]:
        return tuple(space.sample() for space in self.spaces)

    def contains(self, x: Any) -> bool:
        if isinstance(x, (list, np.ndarray)):
            x = tuple(x)
        return (
            isinstance(x, tuple)
            and len(x) == len(self.spaces)
            and all(value in space for value, space in zip(x, self.spaces))
        )

    def __getitem__(self, index: int) -> Space:
        return self.spaces[index]

    def __len__(self) -> int:
        return len(self.spaces)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tuple) and self.spaces == other.spaces

    def __repr__(self) -> str:
        return "Tuple(" + ", ".join(str(space) for space in self.spaces) + ")"


def batch_space(space: Space, n: int = 1) -> Space:
    """The space of ``n`` stacked values of ``space``, as ``gymnasium.vector.utils.batch_space`` builds it."""
    if isinstance(space, Box):
        repeats = (n,) + (1,) * space.low.ndim
        return Box(np.tile(space.low, repeats), np.tile(space.high, repeats), dtype=space.dtype)
    if isinstance(space, Discrete):
        return MultiDiscrete(np.full(n, space.n), dtype=space.dtype, start=np.full(n, space.start))
    if isinstance(space, MultiDiscrete):
        repeats = (n,) + (1,) * space.nvec.ndim
        low = np.tile(space.start, repeats)
        return Box(low, low + np.tile(space.nvec, repeats) - 1, dtype=space.dtype)
    if isinstance(space, MultiBinary):
        return Box(0, 1, (n, *cast("tuple[int, ...]", space.shape)), space.dtype)
    if isinstance(space, Tuple):
        return Tuple([batch_space(member, n) for member in space.spaces])
    if isinstance(space, Dict):
        return Dict([(key, batch_space(member, n)) for key, member in space.items()])
    raise TypeError(f"batch_space expects a zerogym space; got {type(space).__name__}")
