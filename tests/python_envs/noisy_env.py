"""A module that prints when imported, as some libraries do: a worker must still start (tests/python/test_python_envs.py)."""

from __future__ import annotations

from zerogym import spaces

print("noisy_env imported")


class Quiet:
    """Observation Discrete(2), always 0; never ends on its own."""

    metadata = {"render_modes": []}

    def __init__(self):
        self.observation_space = spaces.Discrete(2)
        self.action_space = spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        return 0, {}

    def step(self, action):
        return 0, 0.0, False, False, {}

    def close(self):
        pass
