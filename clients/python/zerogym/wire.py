"""Conversion between ZeroGym's wire values (SPEC.md §2) and numpy arrays, Python values and spaces.

Arrays arriving from the server are ``np.frombuffer`` views of the reply's bytes: no copy, and **read-only**
(``array.copy()`` gives a writable one).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from zerogym.compat import spaces
from zerogym.errors import ProtocolError

if TYPE_CHECKING:  # numpy.typing takes 10 ms to import, at every worker's start
    from numpy.typing import DTypeLike

WIRE_DTYPES: tuple[str, ...] = (
    "bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64",
)
"""The element types an array may have on the wire, by numpy name."""

# Wire data is little-endian whatever the host's byte order.
_LITTLE_ENDIAN_DTYPES = {name: np.dtype(name).newbyteorder("<") for name in WIRE_DTYPES}
# numpy's dtype.name takes microseconds; a lookup by dtype (either byte order) takes nanoseconds.
_WIRE_NAMES = {variant: name
               for name, dtype in _LITTLE_ENDIAN_DTYPES.items() for variant in (dtype, dtype.newbyteorder(">"))}


def encode_array(array: np.ndarray) -> dict[str, Any]:
    """The wire form ``{dtype, shape, data}`` of a numpy array."""
    name = _WIRE_NAMES.get(array.dtype)
    if name is None:
        raise TypeError(f"arrays sent to the ZeroGym server must have one of the dtypes {', '.join(WIRE_DTYPES)}; "
                        f"got {array.dtype}")
    little_endian = _LITTLE_ENDIAN_DTYPES[name]
    if array.dtype != little_endian:
        array = array.astype(little_endian)
    return {"dtype": name, "shape": list(array.shape), "data": array.tobytes()}


def encode_default(value: Any) -> Any:
    """msgpack's fallback for what it cannot pack itself: numpy arrays and numpy scalars."""
    if isinstance(value, np.ndarray):
        return encode_array(value)
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot send a {type(value).__name__} to the ZeroGym server: expected None, bool, int, float, "
                    f"str, bytes, list, tuple, dict or a numpy array/scalar")


def is_array_map(value: Any) -> bool:
    """Whether a decoded wire value is an array ``{dtype, shape, data}``."""
    return type(value) is dict and len(value) == 3 and "dtype" in value and "shape" in value \
        and isinstance(value.get("data"), bytes)


def decode_array(value: Any) -> np.ndarray:
    """A read-only numpy view of a wire array ``{dtype, shape, data}``."""
    try:
        dtype = _LITTLE_ENDIAN_DTYPES[value["dtype"]]
        shape = tuple(value["shape"])
        array = np.frombuffer(value["data"], dtype)
        if array.size != math.prod(shape):
            raise ValueError(f"{array.size} elements in {len(value['data'])} bytes")
        return array.reshape(shape)
    except (KeyError, TypeError, ValueError) as error:
        raise ProtocolError(f"expected an array {{dtype, shape, data}} with dtype in {WIRE_DTYPES} and "
                            f"prod(shape) × itemsize bytes of data; got {describe(value)} ({error})") from None


def decode_value(value: Any) -> Any:
    """A wire value with every array in it (in maps and lists, at any depth) turned into numpy."""
    value_type = type(value)
    if value_type is dict:
        if is_array_map(value):
            return decode_array(value)
        return {key: decode_value(member) for key, member in value.items()}
    if value_type is list:
        return [decode_value(member) for member in value]
    return value


def decode_vector_info(info: dict[str, Any]) -> dict[str, Any]:
    """A vector env's info in Gymnasium's layout: arrays stay arrays, lists of per-env values become object arrays."""
    decoded = {}
    for key, value in info.items():
        # Called on every step's info: each value's type is looked at once (decode_value would look again).
        value_type = type(value)
        if value_type is dict:
            decoded[key] = decode_array(value) if is_array_map(value) else decode_vector_info(value)
        elif value_type is list:
            members = np.empty(len(value), dtype=object)
            for index, member in enumerate(value):
                members[index] = decode_value(member)
            decoded[key] = members
        else:
            decoded[key] = value
    return decoded


def decode_space(value: Any) -> spaces.Space:
    """The space a wire space map (SPEC.md §2.2) describes, as ``gymnasium.spaces`` or ``zerogym.spaces``."""
    try:
        kind = value["type"]
        if kind == "Box":
            low, high = decode_array(value["low"]), decode_array(value["high"])
            _expect_array(low, value["dtype"], value["shape"], "Box low")
            _expect_array(high, value["dtype"], value["shape"], "Box high")
            return spaces.Box(low=low, high=high, dtype=low.dtype)
        if kind == "Discrete":
            return spaces.Discrete(int(value["n"]), start=int(value["start"]))
        if kind == "MultiBinary":
            shape = [int(size) for size in value["shape"]]
            return spaces.MultiBinary(shape[0] if len(shape) == 1 else shape)
        if kind == "MultiDiscrete":
            return spaces.MultiDiscrete(decode_array(value["nvec"]), dtype=np.int64, start=decode_array(value["start"]))
        if kind == "Dict":
            # Pairs, not a dict: Gymnasium sorts a dict's keys, and the wire's order is the env's.
            return spaces.Dict([(key, decode_space(member)) for key, member in value["spaces"].items()])
        if kind == "Tuple":
            return spaces.Tuple([decode_space(member) for member in value["spaces"]])
    except (KeyError, TypeError, AttributeError) as error:
        raise ProtocolError(f"expected a space map as SPEC.md §2.2 describes; got {describe(value)} "
                            f"(missing or mistyped {error})") from None
    raise ProtocolError(f"expected a space of type Box, Discrete, MultiBinary, MultiDiscrete, Dict or Tuple; "
                        f"got {describe(value)}")


def value_decoder(space: spaces.Space) -> Callable[[Any], Any]:
    """A function turning a wire value of ``space`` into its Python value, checking its dtype and shape.

    Box, MultiBinary and MultiDiscrete values become read-only arrays, Discrete values ints, Dict values dicts and
    Tuple values tuples. Built once per space so that the per-step work is a few comparisons and a view.
    """
    if isinstance(space, spaces.Discrete):
        return _decode_int
    if isinstance(space, (spaces.Box, spaces.MultiBinary, spaces.MultiDiscrete)):
        return array_decoder(space.dtype, space.shape)
    if isinstance(space, spaces.Dict):
        members = [(key, value_decoder(member)) for key, member in space.spaces.items()]

        def decode_dict(value: Any) -> dict[str, Any]:
            try:
                return {key: decode(value[key]) for key, decode in members}
            except (KeyError, TypeError):
                raise ProtocolError(f"expected a map with keys {[key for key, _ in members]}; "
                                    f"got {describe(value)}") from None

        return decode_dict
    if isinstance(space, spaces.Tuple):
        member_decoders = [value_decoder(member) for member in space.spaces]

        def decode_tuple(value: Any) -> tuple[Any, ...]:
            if type(value) is not list or len(value) != len(member_decoders):
                raise ProtocolError(f"expected an array of {len(member_decoders)} values; got {describe(value)}")
            return tuple(decode(member) for decode, member in zip(member_decoders, value))

        return decode_tuple
    raise TypeError(f"ZeroGym cannot decode values of {space}")


def array_decoder(dtype: DTypeLike, shape: tuple[int, ...]) -> Callable[[Any], np.ndarray]:
    """A function turning a wire array into a read-only numpy array, insisting on ``dtype`` and ``shape``."""
    name = np.dtype(dtype).name
    wire_dtype = _LITTLE_ENDIAN_DTYPES[name]
    shape = tuple(shape)
    wire_shape = list(shape)

    def decode(value: Any) -> np.ndarray:
        try:
            if value["dtype"] == name and value["shape"] == wire_shape:
                return np.frombuffer(value["data"], wire_dtype).reshape(shape)
        except (KeyError, TypeError, ValueError):
            pass
        raise ProtocolError(f"expected a {name} array of shape {shape}; got {describe(value)}")

    return decode


def _decode_int(value: Any) -> int:
    if type(value) is int:
        return value
    raise ProtocolError(f"expected an integer; got {describe(value)}")


def _expect_array(array: np.ndarray, dtype: Any, shape: Any, what: str) -> None:
    if array.dtype.name != dtype or list(array.shape) != list(shape):
        raise ProtocolError(f"expected {what} of dtype {dtype} and shape {shape}; "
                            f"got {array.dtype.name} of shape {list(array.shape)}")


def describe(value: Any) -> str:
    """A short description of a wire value for error messages: maps by their keys, bytes by their length."""
    if isinstance(value, dict):
        return "a map {" + ", ".join(f"{key}: {describe(member)}" for key, member in value.items()) + "}"
    if isinstance(value, bytes):
        return f"{len(value)} bytes"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


WIRE_SPACES: tuple[str, ...] = ("Box", "Discrete", "MultiBinary", "MultiDiscrete", "Dict", "Tuple")
"""The kinds of space the wire carries (SPEC.md §2.2)."""


def _space_kind(space: Any) -> str:
    # By class name, so that Gymnasium's spaces, ZeroGym's stand-ins and look-alikes (subclasses) all translate.
    for cls in type(space).__mro__:
        if cls.__name__ in WIRE_SPACES:
            return cls.__name__
    raise TypeError(f"{space!r} has no ZeroGym wire form: spaces are {', '.join(WIRE_SPACES)} "
                    f"(Text, Graph, Sequence and others cannot be sent)")


def encode_space(space: Any) -> dict[str, Any]:
    """The wire map (SPEC.md §2.2) of a Gymnasium-style space; ``TypeError`` for a kind the wire cannot carry."""
    kind = _space_kind(space)
    if kind == "Box":
        low, high = np.asarray(space.low, space.dtype), np.asarray(space.high, space.dtype)
        return {"type": "Box", "shape": list(space.shape), "dtype": np.dtype(space.dtype).name,
                "low": encode_array(low), "high": encode_array(high)}
    if kind == "Discrete":
        return {"type": "Discrete", "n": int(space.n), "start": int(getattr(space, "start", 0))}
    if kind == "MultiBinary":
        return {"type": "MultiBinary", "shape": [int(size) for size in space.shape]}
    if kind == "MultiDiscrete":
        nvec = np.asarray(space.nvec, np.int64)
        start = np.asarray(getattr(space, "start", None) if getattr(space, "start", None) is not None
                           else np.zeros_like(nvec), np.int64)
        return {"type": "MultiDiscrete", "nvec": encode_array(nvec), "start": encode_array(start)}
    if kind == "Dict":
        return {"type": "Dict", "spaces": {str(key): encode_space(member) for key, member in space.spaces.items()}}
    return {"type": "Tuple", "spaces": [encode_space(member) for member in space.spaces]}


def value_encoder(space: Any) -> Callable[[Any], Any]:
    """A function turning a value of ``space`` into its canonical wire value (SPEC.md §2.2): Box values in the space's
    dtype and shape, Discrete values ints, MultiBinary int8 and MultiDiscrete int64 arrays. Built once per space."""
    kind = _space_kind(space)
    if kind == "Discrete":
        return int
    if kind in ("Box", "MultiBinary", "MultiDiscrete"):
        dtype = np.dtype(space.dtype) if kind == "Box" else np.dtype(np.int8 if kind == "MultiBinary" else np.int64)
        shape = tuple(space.shape)
        return lambda value: encode_array(np.asarray(value, dtype).reshape(shape))
    if kind == "Dict":
        members = [(str(key), value_encoder(member)) for key, member in space.spaces.items()]
        return lambda value: {key: encode(value[key]) for key, encode in members}
    member_encoders = [value_encoder(member) for member in space.spaces]
    return lambda value: [encode(member) for encode, member in zip(member_encoders, value)]
