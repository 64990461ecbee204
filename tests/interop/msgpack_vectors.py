"""Python side of the MessagePack cross-check with the C# codec (tests/ZeroGym.Tests/MessagePack).

Run with /usr/bin/python3, which has the msgpack module.

  msgpack_vectors.py pack     prints one line per value: NAME <tab> TREE <tab> HEX, where HEX is what
                              msgpack.packb made of the value and TREE describes the value (below).
  msgpack_vectors.py unpack   reads lines NAME <tab> HEX from stdin, unpacks each with msgpack.unpackb and
                              prints NAME <tab> TREE, or NAME <tab> {"error": MESSAGE} when unpacking failed.

TREE is JSON that keeps what plain JSON loses: null, true, false, {"int": N}, {"float64": HEX} and
{"float32": HEX} (big-endian IEEE bits, so inf, nan and -0.0 are exact), {"str": S}, {"bin": HEX},
{"array": [TREE...]}, {"map": [[TREE, TREE]...]} (in order), {"ext": [TYPE, HEX]},
{"timestamp": [SECONDS, NANOSECONDS]}.
"""

import json
import math
import struct
import sys

try:
    import msgpack
except ImportError:
    sys.exit("msgpack_vectors.py needs the Python msgpack module (Debian: apt-get install python3-msgpack)")


def describe(value, single_float=False):
    """The TREE of a value, as msgpack-python packs or unpacks it."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, float):
        if single_float:
            return {"float32": struct.pack(">f", value).hex()}
        return {"float64": struct.pack(">d", value).hex()}
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, (bytes, bytearray)):
        return {"bin": bytes(value).hex()}
    if isinstance(value, msgpack.ExtType):  # before tuple: ExtType is a namedtuple
        return {"ext": [value.code, value.data.hex()]}
    if isinstance(value, (list, tuple)):
        return {"array": [describe(item, single_float) for item in value]}
    if isinstance(value, dict):
        return {"map": [[describe(k, single_float), describe(v, single_float)] for k, v in value.items()]}
    if isinstance(value, msgpack.Timestamp):
        return {"timestamp": [value.seconds, value.nanoseconds]}
    raise TypeError(f"describe() does not know {type(value).__name__}")


def integers():
    """Both sides of every boundary between the integer formats."""
    edges = [0, 1, 127, 128, 255, 256, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 1, 2**32,
             2**63 - 1, 2**63, 2**64 - 1,
             -1, -32, -33, -128, -129, -32768, -32769, -(2**31), -(2**31) - 1, -(2**63) + 1, -(2**63)]
    return [(f"int {n}", n, False) for n in edges]


def floats():
    doubles = [0.0, -0.0, 0.5, -1.5, 1 / 3, 1e300, -1e-300, 5e-324, 2.2250738585072014e-308,
               sys.float_info.max, math.inf, -math.inf, math.nan]
    singles = [0.0, -0.0, 0.5, -1.5, 0.1, 3.4028234663852886e38, 1.401298464324817e-45,
               math.inf, -math.inf, math.nan]
    return ([(f"float64 {x!r}", x, False) for x in doubles]
            + [(f"float32 {x!r}", x, True) for x in singles]
            + [("float32 inside an array", [1.5, -2.25, math.inf], True)])


def strings():
    lengths = [0, 1, 31, 32, 255, 256, 65535, 65536]
    return ([(f"str of {n} bytes", "x" * n, False) for n in lengths]
            + [("str cyrillic", "Кириллица", False),
               ("str hiragana", "ひらがな", False),
               ("str emoji", "❤🍺", False),
               ("str with nul", "a\x00b", False),
               ("str long 2-byte text (str 32)", "é" * 40000, False),
               ("str long 4-byte text", "🍺" * 20000, False)])


def binaries():
    lengths = [0, 1, 255, 256, 65535, 65536]
    return [(f"bin of {n} bytes", bytes(i % 251 for i in range(n)), False) for n in lengths]


def containers():
    return [
        ("empty array", [], False),
        ("empty map", {}, False),
        ("fixarray of 15", list(range(15)), False),
        ("array 16 of 16", list(range(16)), False),
        ("array 16 of 65535", [None] * 65535, False),
        ("array 32 of 65536", [True] * 65536, False),
        ("array 32 of 70000 integers", list(range(70000)), False),
        ("fixmap of 15", {f"k{i}": i for i in range(15)}, False),
        ("map 16 of 16", {f"k{i}": i for i in range(16)}, False),
        ("map 32 of 70000", {f"key{i}": i * 3 for i in range(70000)}, False),
        ("map with keys of many types", {1: "one", -5: "minus five", "s": b"\x01", 2.5: None, False: [], b"k": {}}, False),
        ("nested", [1, [2, [3, [4, {}]]], {"a": [None, True, False], "b": {"c": {"d": "deep"}}}], False),
        ("request-like map", {"id": 7, "op": "step", "handle": 3,
                              "action": {"dtype": "float32", "shape": [2], "data": b"\x00\x00\x80\x3f\x00\x00\x00\x40"}}, False),
    ]


def extensions():
    # msgpack-python accepts application types (0 to 127) only.
    sizes = [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 0), (7, 3), (8, 17), (127, 255), (100, 256), (42, 65535), (0, 65536)]
    return [(f"ext {code} of {n} bytes", msgpack.ExtType(code, bytes(i % 256 for i in range(n))), False)
            for code, n in sizes]


def timestamps():
    moments = [(0, 0), (1, 0), (1514862245, 0), (2**32 - 1, 0),  # 32-bit form
               (0, 1), (1514862245, 678901234), (2**32, 0), (2**34 - 1, 999999999),  # 64-bit form
               (2**34, 0), (-1, 0), (-1, 999999999), (-62135596800, 0), (253402300799, 999999999),
               (2**63 - 1, 999999999), (-(2**63), 0)]  # 96-bit form
    return [(f"timestamp {s} {ns}", msgpack.Timestamp(s, ns), False) for s, ns in moments]


def vectors():
    return integers() + floats() + strings() + binaries() + containers() + extensions() + timestamps()


def pack():
    out = sys.stdout
    for name, value, single_float in vectors():
        data = msgpack.packb(value, use_bin_type=True, use_single_float=single_float)
        out.write(f"{name}\t{json.dumps(describe(value, single_float))}\t{data.hex()}\n")


def unpack():
    out = sys.stdout
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        name, hex_data = line.split("\t")
        try:
            value = msgpack.unpackb(bytes.fromhex(hex_data), timestamp=0, strict_map_key=False, raw=False)
            tree = describe(value)
        except Exception as error:  # reported to the C# test, which shows it
            tree = {"error": f"{type(error).__name__}: {error}"}
        out.write(f"{name}\t{json.dumps(tree)}\n")


if __name__ == "__main__":
    modes = {"pack": pack, "unpack": unpack}
    if len(sys.argv) != 2 or sys.argv[1] not in modes:
        sys.exit(f"usage: {sys.argv[0]} pack|unpack")
    modes[sys.argv[1]]()
