"""numpy side of the NumpyRandom normal-draw cross-check (tests/ZeroGym.Tests/Envs/NumpyNormalTests.cs).

Run with /usr/bin/python3, which has numpy. Every double is printed as the 16 hex digits of its IEEE bits, so the
comparison is exact.

  numpy_normal.py draws COUNT SEED...
      For each seed, np.random.default_rng(seed).standard_normal(COUNT), one line per draw:
      SEED INDEX BITS OUTPUTS, where OUTPUTS is how many 64-bit PCG64 outputs that draw consumed (1 for the
      ziggurat's fast path, more when it went through a wedge test, a rejection or the tail).
  numpy_normal.py interleaved SEED ROUNDS
      One generator; each round draws uniform(-0.1, 0.1, size=9), standard_normal(9) (HalfCheetah's reset),
      normal(0.5, 2.0, size=3) and random(), and prints one line per round: KIND:BITS,BITS,... for each of the
      four draws, separated by spaces.
"""

import sys

try:
    import numpy as np
except ImportError:
    sys.exit("numpy_normal.py needs numpy (Debian: apt-get install python3-numpy)")


def bits(values):
    return [f"{int(b):016x}" for b in np.asarray(values, dtype=np.float64).reshape(-1).view(np.uint64)]


def outputs_per_draw(seed, count):
    """The first COUNT standard_normal() draws of the seed's generator, one call each, and how many PCG64 outputs
    each consumed: a second, raw generator of the same seed is stepped one output at a time until it catches up."""
    drawing = np.random.default_rng(seed)
    stepping = np.random.default_rng(seed).bit_generator
    drawn, consumed = [], []
    for _ in range(count):
        drawn.append(drawing.standard_normal())
        target = drawing.bit_generator.state["state"]["state"]
        steps = 0
        while stepping.state["state"]["state"] != target:
            stepping.random_raw()
            steps += 1
            if steps > 1000:
                sys.exit(f"seed {seed}: lost track of the generator's state after draw {len(consumed)}")
        consumed.append(steps)
    return drawn, consumed


def draws(count, seeds):
    for seed in seeds:
        values = np.random.default_rng(seed).standard_normal(count)
        one_by_one, consumed = outputs_per_draw(seed, count)
        if bits(values) != bits(one_by_one):
            sys.exit(f"seed {seed}: standard_normal(size={count}) differs from {count} single draws")
        for index, (value, outputs) in enumerate(zip(bits(values), consumed)):
            print(f"{seed} {index} {value} {outputs}")


def interleaved(seed, rounds):
    generator = np.random.default_rng(seed)
    for _ in range(rounds):
        parts = [
            ("uniform", generator.uniform(-0.1, 0.1, size=9)),
            ("standard_normal", generator.standard_normal(9)),
            ("normal", generator.normal(0.5, 2.0, size=3)),
            ("random", generator.random()),
        ]
        print(" ".join(f"{kind}:{','.join(bits(values))}" for kind, values in parts))


def main(arguments):
    if len(arguments) >= 3 and arguments[0] == "draws":
        draws(int(arguments[1]), [int(seed) for seed in arguments[2:]])
    elif len(arguments) == 3 and arguments[0] == "interleaved":
        interleaved(int(arguments[1]), int(arguments[2]))
    else:
        sys.exit(f"usage: numpy_normal.py draws COUNT SEED... | interleaved SEED ROUNDS; got {arguments}")


if __name__ == "__main__":
    main(sys.argv[1:])
