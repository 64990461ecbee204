"""numpy side of the float32 sin/cos cross-check (tests/ZeroGym.Tests/Envs/ClassicControl/NumpyFloat32TrigTests.cs).

Run with /usr/bin/python3, which has numpy. numpy computes np.cos and np.sin of float32 arrays in float32 with its own
SIMD algorithm, not as the correctly rounded result; the C# port must give the same bits.

  numpy_float32_trig.py COUNT SEED
      COUNT float32 arguments per range (near 0 as Acrobot's starts, a few turns, far out, and past the range where
      numpy hands over to the C library), then a few special values; one line per argument:
      ARGUMENT_BITS COS_BITS SIN_BITS, each the 8 hex digits of a float32.
"""

import sys

try:
    import numpy as np
except ImportError:
    sys.exit("numpy_float32_trig.py needs numpy (Debian: apt-get install python3-numpy)")


def main(count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ranges = [0.2, 4.0, 300.0, 1e5, 3e5]
    arguments = np.concatenate([rng.uniform(-bound, bound, count).astype(np.float32) for bound in ranges] + [
        np.array([0.0, -0.0, 1e-30, -1e-30, np.pi / 4, np.pi / 2, np.pi, 71476.0625, 71476.07, 117435.992, 117436.0],
                 dtype=np.float32)])
    cos, sin = np.cos(arguments), np.sin(arguments)
    for values in zip(arguments.view(np.uint32), cos.view(np.uint32), sin.view(np.uint32)):
        print(" ".join(f"{int(value):08x}" for value in values))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(int(sys.argv[1]), int(sys.argv[2]))
