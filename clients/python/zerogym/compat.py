"""The one place that imports Gymnasium.

With Gymnasium installed, ZeroGym's envs are real ``gymnasium.Env``/``gymnasium.vector.VectorEnv`` subclasses with
``gymnasium.spaces``; without it they use the small stand-ins of ``zerogym.spaces`` and ``zerogym.core``.
``USING_GYMNASIUM`` says which. Setting ``ZEROGYM_DISABLE_GYMNASIUM=1`` forces the stand-ins (to test them where
Gymnasium is installed).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType


def _import_gymnasium() -> ModuleType | None:
    if os.environ.get("ZEROGYM_DISABLE_GYMNASIUM", "") not in ("", "0"):
        return None
    try:
        return importlib.import_module("gymnasium")
    except ImportError:
        return None


gymnasium = _import_gymnasium()

USING_GYMNASIUM: bool = gymnasium is not None
"""True when ZeroGym's envs are built on Gymnasium's classes, False when on ZeroGym's stand-ins."""

if gymnasium is not None:
    from gymnasium import Env, spaces
    from gymnasium.envs.registration import EnvSpec
    from gymnasium.vector import AutoresetMode, VectorEnv
    from gymnasium.vector.utils import batch_space
else:
    from zerogym import spaces
    from zerogym.core import AutoresetMode, Env, EnvSpec, VectorEnv
    from zerogym.spaces import batch_space

__all__ = ["USING_GYMNASIUM", "Env", "EnvSpec", "VectorEnv", "AutoresetMode", "spaces", "batch_space"]
