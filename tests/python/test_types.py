"""The client's types (PEP 561: it ships py.typed): mypy, with the settings of clients/python/pyproject.toml, finds no
error in the package, and reports a program's mistakes through the package's annotations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import CLIENT_DIR

CONFIG = CLIENT_DIR / "pyproject.toml"

A_PROGRAM = '''\
import numpy as np
import zerogym

env = zerogym.make("CartPole-v1")
obs, info = env.reset(seed="zero")
obs, reward, terminated, truncated, info = env.step(0)
reveal_type(reward)
envs = zerogym.make_vec("CartPole-v1", 4)
envs.reset(seed=[1, 2, 3, 4])
envs.send(np.zeros(4, np.int64), env_id=np.arange(4))
'''


def mypy(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "MYPYPATH": str(CLIENT_DIR)}
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(CONFIG), "--cache-dir", os.devnull,
                           *arguments], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


def test_mypy_finds_no_error_in_the_package() -> None:
    checked = mypy(cwd=CLIENT_DIR)
    assert checked.returncode == 0 and checked.stdout.startswith("Success"), checked.stdout + checked.stderr


def test_a_programs_mistake_is_reported_through_the_packages_annotations(tmp_path: Path) -> None:
    (tmp_path / "program.py").write_text(A_PROGRAM)
    checked = mypy("program.py", cwd=tmp_path)
    lines = [line for line in checked.stdout.splitlines() if line.startswith("program.py")]
    assert lines == [
        'program.py:5: error: Argument "seed" to "reset" of "ZeroGymEnv" has incompatible type "str"; expected '
        '"Optional[int]"  [arg-type]',
        'program.py:7: note: Revealed type is "builtins.float"',
    ], checked.stdout + checked.stderr
