"""The torch shim tunes glibc's malloc when it is loaded (agents/ZeroGym.Torch/Interop/Native/allocator.cpp).

A training step's large buffers must come back from the heap instead of being mapped and faulted in afresh at every
step (a third of ddqn-mario's update went to page faults before). Each case loads the shim in a fresh Python process
whose environment is exactly the one given, then asks glibc whether a 30 MiB block came from mmap: glibc marks such a
block in the size word just before it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO

SHIM = REPO / "artifacts" / "native" / "libzerogym_torch.so"

CHECK = f"""
import ctypes
ctypes.CDLL({str(SHIM)!r})
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
block = libc.malloc(30 << 20)
assert block, "malloc of 30 MiB failed"
size_word = ctypes.c_size_t.from_address(block - ctypes.sizeof(ctypes.c_size_t)).value
libc.free(ctypes.c_void_p(block))
print("mmap" if size_word & 2 else "heap")
"""


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "heap"),
        # Containers set unrelated tunables; the tuning stays on (a CI machine with this kind of setting failed).
        ({"GLIBC_TUNABLES": "glibc.pthread.rseq=0"}, "heap"),
        # A threshold the user chose wins, in either spelling.
        ({"GLIBC_TUNABLES": "glibc.pthread.rseq=0:glibc.malloc.mmap_threshold=1048576"}, "mmap"),
        ({"MALLOC_MMAP_THRESHOLD_": "1048576"}, "mmap"),
    ],
    ids=["no-settings", "unrelated-tunable", "user-tunable", "user-variable"],
)
def test_a_30_mib_block_comes_from_the_heap_unless_the_user_chose_a_threshold(environment, expected):
    if not SHIM.exists():
        pytest.fail(f"expected the torch shim at {SHIM} (scripts/setup builds it), found nothing")
    result = subprocess.run(
        [sys.executable, "-c", CHECK], env={"PATH": "/usr/bin:/bin", **environment}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
