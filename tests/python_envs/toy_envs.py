"""Small Gymnasium-style envs for testing Python envs behind the server (``scripts/serve --python-env``).

They need numpy and the zerogym package only (no Gymnasium): the tests put this folder on ``PYTHONPATH`` and serve
e.g. ``Counter-v0=toy_envs:Counter``. Each also runs in-process, so a test can compare the server's trajectory with
the env's own.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from zerogym import spaces


class Counter:
    """Counts steps; µs-scale. Observation: [position, seeded noise] (float32), action: Discrete(3) moves -1, 0, +1.

    Terminates when the position reaches ``goal`` (kwarg) and reports the count and the last action in its info.
    """

    metadata = {"render_modes": ["human", "rgb_array"], "render_fps": 12}

    def __init__(self, goal: int = 5, render_mode: str | None = None):
        self.goal = goal
        self.render_mode = render_mode
        self.observation_space = spaces.Box(-100.0, 100.0, shape=(2,), dtype=np.float32)
        self.action_space = spaces.Discrete(3)
        self.rng = np.random.default_rng()
        self.position = 0
        self.count = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.position = int((options or {}).get("start", 0))
        self.count = 0
        return self._observation(), {"start": self.position}

    def step(self, action):
        self.position += int(action) - 1
        self.count += 1
        terminated = self.position >= self.goal
        info = {"count": self.count, "last": np.array([action], dtype=np.int64), "label": f"step {self.count}"}
        return self._observation(), float(self.position) / 10.0, terminated, False, info

    def render(self):
        frame = np.zeros((4, 6, 3), dtype=np.uint8)
        frame[:, :, 0] = np.uint8(self.position % 256)
        return frame

    def close(self):
        pass

    def _observation(self):
        return np.array([self.position, self.rng.random()], dtype=np.float32)


def make_counter(**kwargs: Any) -> Counter:
    """A factory, not a class: ``toy_envs:make_counter``."""
    return Counter(**kwargs)


class Burn(Counter):
    """Counter whose step burns ``burn_ms`` milliseconds of CPU (a simulator's work), for the parallel-workers benchmark."""

    def __init__(self, burn_ms: float = 1.0, **kwargs: Any):
        super().__init__(goal=10**9, **kwargs)
        self.burn_s = burn_ms / 1000.0

    def step(self, action):
        started = time.thread_time()
        while time.thread_time() - started < self.burn_s:
            pass
        return super().step(action)


class Sleepy(Counter):
    """Counter whose resets and steps each sleep ``delay_ms`` first: calls sure to outlast the server's grace for them."""

    def __init__(self, delay_ms: float = 50.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.delay_s = delay_ms / 1000.0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        time.sleep(self.delay_s)
        return super().reset(seed=seed, options=options)

    def step(self, action):
        time.sleep(self.delay_s)
        return super().step(action)


class Raising(Counter):
    """Counter whose ``fail_at``-th step raises ValueError."""

    def __init__(self, fail_at: int = 3, **kwargs: Any):
        super().__init__(**kwargs)
        self.fail_at = fail_at

    def step(self, action):
        if self.count + 1 == self.fail_at:
            raise ValueError(f"boom at step {self.fail_at}")
        return super().step(action)


class Dying(Counter):
    """Counter whose process exits (a crash of its native code) at its ``die_at``-th step, if it was reset with a seed
    in ``die_seeds`` (default: any), so one sub-env of a vector env can die while the others go on."""

    def __init__(self, die_at: int = 2, die_seeds: list[int] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.die_at, self.die_seeds, self.seed = die_at, die_seeds, None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self.seed = seed if seed is not None else self.seed
        return super().reset(seed=seed, options=options)

    def step(self, action):
        if self.count + 1 == self.die_at and (self.die_seeds is None or self.seed in self.die_seeds):
            os._exit(7)
        return super().step(action)


class Hanging(Counter):
    """Counter whose ``hang_at``-th step never returns."""

    def __init__(self, hang_at: int = 2, **kwargs: Any):
        super().__init__(**kwargs)
        self.hang_at = hang_at

    def step(self, action):
        if self.count + 1 == self.hang_at:
            while True:
                time.sleep(3600)
        return super().step(action)


class SlowStart(Counter):
    """Counter whose construction takes ``start_s`` seconds (a simulator loading its assets), and then waits while
    the file ``hold_file`` exists: a test holds a construction as long as it needs, with no race against a clock."""

    def __init__(self, start_s: float = 1.0, hold_file: str | None = None, **kwargs: Any):
        time.sleep(start_s)
        while hold_file is not None and os.path.exists(hold_file):
            time.sleep(0.01)
        super().__init__(**kwargs)


class SlowStartRaising(SlowStart, Raising):
    """SlowStart whose ``fail_at``-th step raises: a failed sub-env of it is slow to be made anew."""


class Structured:
    """Every space kind the wire carries: a Dict observation holding a Tuple, MultiBinary, MultiDiscrete and a
    Discrete with a start; a Tuple action of a Box and a Discrete."""

    metadata: dict[str, Any] = {}

    def __init__(self):
        self.observation_space = spaces.Dict({
            "pair": spaces.Tuple([spaces.Discrete(4, start=-2), spaces.Box(0.0, 1.0, shape=(3,), dtype=np.float64)]),
            "bits": spaces.MultiBinary(5),
            "dice": spaces.MultiDiscrete([6, 6]),
        })
        self.action_space = spaces.Tuple([spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32), spaces.Discrete(2)])
        self.t = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self.t = 0
        return self._observation(), {}

    def step(self, action):
        box, flag = action
        self.t += 1
        return self._observation(), float(np.sum(box)) + int(flag), False, self.t >= 3, {"t": self.t}

    def close(self):
        pass

    def _observation(self):
        return {
            "pair": (self.t % 4 - 2, np.full(3, self.t / 10.0)),
            "bits": np.array([self.t % 2, 1, 0, 1, self.t % 2], dtype=np.int8),
            "dice": np.array([self.t % 6, 5 - self.t % 6], dtype=np.int64),
        }


class OddInfo(Counter):
    """Counter whose step info holds an object msgpack cannot carry."""

    def step(self, action):
        observation, reward, terminated, truncated, info = super().step(action)
        return observation, reward, terminated, truncated, {**info, "odd": object()}


class Text(spaces.Space):
    """Stands in for gymnasium.spaces.Text, a space the wire cannot carry."""

    def __repr__(self) -> str:
        return "Text(1, 8)"


class TextObservation(Counter):
    """Counter whose observation space is a Text space: refused at make."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.observation_space = Text()


def broken_factory(**kwargs: Any) -> Counter:
    """A factory that cannot make its env (a missing licence, a missing file)."""
    raise RuntimeError("no simulator licence found")
