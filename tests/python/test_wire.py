"""The wire encoding of arrays, values, spaces and errors (SPEC.md §2, §3.2), without a server."""

from __future__ import annotations

import pickle
import struct

import msgpack
import numpy as np
import pytest

import zerogym
from zerogym.compat import spaces
from zerogym.errors import error_from_reply
from zerogym.wire import (
    WIRE_DTYPES,
    array_decoder,
    decode_array,
    decode_space,
    decode_value,
    decode_vector_info,
    encode_array,
    encode_default,
    value_decoder,
)


def wire_array(values, dtype: str) -> dict:
    array = np.asarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": dtype, "shape": list(array.shape), "data": array.tobytes()}


def packed_round_trip(value):
    return msgpack.unpackb(msgpack.packb(value, default=encode_default))


@pytest.mark.parametrize("dtype", WIRE_DTYPES)
def test_decode_array_reads_every_wire_dtype_little_endian(dtype: str) -> None:
    values = np.arange(6).reshape(2, 3).astype(dtype)
    decoded = decode_array(wire_array(values, dtype))
    assert decoded.dtype.name == dtype
    assert decoded.shape == (2, 3)
    np.testing.assert_array_equal(decoded, values)


def test_decode_array_reads_bytes_in_little_endian_order() -> None:
    decoded = decode_array({"dtype": "int32", "shape": [2], "data": struct.pack("<ii", 1, -2)})
    assert decoded.tolist() == [1, -2]


def test_decode_array_gives_a_read_only_view_without_copy() -> None:
    data = np.array([1.5, 2.5], np.float32).tobytes()
    decoded = decode_array({"dtype": "float32", "shape": [2], "data": data})
    assert not decoded.flags.writeable
    with pytest.raises(ValueError):
        decoded[0] = 0
    assert decoded.base is not None  # a view of the message's bytes, not a copy


def test_decode_array_of_empty_shape_is_a_scalar_array() -> None:
    decoded = decode_array(wire_array(3.25, "float64"))
    assert decoded.shape == ()
    assert decoded.item() == 3.25


def test_decode_array_keeps_infinities_and_nan_exactly() -> None:
    decoded = decode_array(wire_array([np.inf, -np.inf, np.nan, -0.0], "float32"))
    assert decoded[0] == np.inf and decoded[1] == -np.inf and np.isnan(decoded[2])
    assert np.signbit(decoded[3])


@pytest.mark.parametrize("bad", [
    {"dtype": "float16", "shape": [1], "data": b"\0\0"},
    {"dtype": "float32", "shape": [3], "data": b"\0" * 8},
    {"dtype": "float32", "shape": [2], "data": b"\0" * 7},
    {"dtype": "int8", "shape": [1]},
    [1, 2, 3],
])
def test_decode_array_rejects_what_is_not_an_array_with_a_protocol_error(bad) -> None:
    with pytest.raises(zerogym.ProtocolError, match="expected an array"):
        decode_array(bad)


@pytest.mark.parametrize("dtype", WIRE_DTYPES)
def test_encode_array_gives_dtype_shape_and_little_endian_c_order_bytes(dtype: str) -> None:
    array = np.arange(6).reshape(3, 2).astype(dtype).T  # not C-contiguous
    encoded = encode_array(array)
    assert encoded["dtype"] == dtype
    assert encoded["shape"] == [2, 3]
    assert encoded["data"] == np.ascontiguousarray(array).astype(np.dtype(dtype).newbyteorder("<")).tobytes()


def test_encode_array_converts_big_endian_data_to_little_endian() -> None:
    encoded = encode_array(np.array([1, 2], dtype=">i4"))
    assert encoded == {"dtype": "int32", "shape": [2], "data": struct.pack("<ii", 1, 2)}


def test_encode_array_rejects_dtypes_the_wire_lacks() -> None:
    with pytest.raises(TypeError, match="float16"):
        encode_array(np.zeros(2, np.float16))


def test_numpy_scalars_are_sent_as_python_numbers() -> None:
    sent = packed_round_trip({"i": np.int64(3), "u": np.uint8(7), "f": np.float32(0.5), "b": np.bool_(True)})
    assert sent == {"i": 3, "u": 7, "f": 0.5, "b": True}
    assert type(sent["b"]) is bool and type(sent["i"]) is int


def test_numpy_arrays_inside_values_are_sent_as_array_maps() -> None:
    sent = packed_round_trip({"state": [np.array([1, 2], np.int8)]})
    assert sent == {"state": [{"dtype": "int8", "shape": [2], "data": b"\x01\x02"}]}


def test_unsendable_values_raise_a_type_error_naming_the_type() -> None:
    with pytest.raises(TypeError, match="set"):
        msgpack.packb({"x": {1, 2}}, default=encode_default)


def test_decode_value_turns_arrays_into_numpy_at_any_depth() -> None:
    decoded = decode_value({"a": wire_array([1, 2], "int64"), "b": [{"c": wire_array(True, "bool")}], "d": "text"})
    np.testing.assert_array_equal(decoded["a"], [1, 2])
    assert decoded["b"][0]["c"].dtype == np.bool_ and decoded["b"][0]["c"].item() is True
    assert decoded["d"] == "text"


def test_decode_value_leaves_maps_that_only_resemble_arrays_alone() -> None:
    lookalike = {"dtype": "int8", "shape": [1], "data": "not bytes"}
    assert decode_value(lookalike) == lookalike


def test_decode_vector_info_keeps_numeric_arrays_and_turns_lists_into_object_arrays() -> None:
    info = decode_vector_info({
        "lives": wire_array([3, 2, 0], "int64"),
        "_lives": wire_array([True, True, False], "bool"),
        "name": ["a", None, "c"],
        "_name": wire_array([True, False, True], "bool"),
        "nested": {"x": wire_array([1.0, 2.0, 3.0], "float64")},
    })
    np.testing.assert_array_equal(info["lives"], [3, 2, 0])
    assert info["_lives"].dtype == np.bool_
    assert info["name"].dtype == object and info["name"].tolist() == ["a", None, "c"]
    np.testing.assert_array_equal(info["nested"]["x"], [1.0, 2.0, 3.0])


def cartpole_box_wire() -> tuple[dict, np.ndarray]:
    high = np.array([4.8, np.inf, 0.41887903, np.inf], np.float32)
    return ({"type": "Box", "shape": [4], "dtype": "float32",
             "low": wire_array(-high, "float32"), "high": wire_array(high, "float32")}, high)


def test_decode_space_box_has_exact_float32_bounds_including_infinity() -> None:
    wire, high = cartpole_box_wire()
    box = decode_space(wire)
    assert isinstance(box, spaces.Box)
    assert box == spaces.Box(-high, high, (4,), np.float32)
    assert box.dtype == np.float32 and box.shape == (4,)
    assert box.low.tobytes() == (-high).tobytes() and box.high.tobytes() == high.tobytes()


def test_decode_space_discrete_keeps_start() -> None:
    assert decode_space({"type": "Discrete", "n": 3, "start": -1}) == spaces.Discrete(3, start=-1)


def test_decode_space_multibinary_and_multidiscrete() -> None:
    assert decode_space({"type": "MultiBinary", "shape": [2, 3]}) == spaces.MultiBinary([2, 3])
    decoded = decode_space({"type": "MultiDiscrete", "nvec": wire_array([2, 5], "int64"),
                            "start": wire_array([0, 1], "int64")})
    assert decoded == spaces.MultiDiscrete([2, 5], start=[0, 1])


def test_decode_space_dict_keeps_the_wire_order_and_tuple_its_members() -> None:
    wire, _ = cartpole_box_wire()
    decoded = decode_space({"type": "Dict", "spaces": {"z": {"type": "Discrete", "n": 2, "start": 0},
                                                       "a": {"type": "Tuple", "spaces": [wire]}}})
    assert list(decoded.spaces) == ["z", "a"]
    assert decoded["z"] == spaces.Discrete(2)
    assert isinstance(decoded["a"], spaces.Tuple) and decoded["a"][0] == decode_space(wire)


@pytest.mark.parametrize("bad", [
    {"type": "Sphere"},
    {"type": "Discrete", "start": 0},
    {"type": "Box", "shape": [2], "dtype": "float32", "low": wire_array([0, 0], "float32"),
     "high": wire_array([1, 1, 1], "float32")},
    "Box",
])
def test_decode_space_rejects_unknown_or_incomplete_spaces(bad) -> None:
    with pytest.raises(zerogym.ProtocolError):
        decode_space(bad)


def test_value_decoder_gives_observations_of_the_space_dtype_and_shape() -> None:
    decode = value_decoder(spaces.Dict([("pos", spaces.Box(-1, 1, (2,), np.float32)),
                                        ("mode", spaces.Discrete(3)),
                                        ("bits", spaces.Tuple([spaces.MultiBinary(3)]))]))
    obs = decode({"pos": wire_array([0.5, -0.5], "float32"), "mode": 2, "bits": [wire_array([1, 0, 1], "int8")]})
    assert obs["pos"].dtype == np.float32 and obs["pos"].shape == (2,)
    assert obs["mode"] == 2
    assert isinstance(obs["bits"], tuple) and obs["bits"][0].dtype == np.int8


@pytest.mark.parametrize("bad", [
    wire_array([0.5, 0.5], "float64"),
    wire_array([0.5, 0.5, 0.5], "float32"),
    {"dtype": "float32", "shape": [2], "data": b"\0" * 4},
    [0.5, 0.5],
])
def test_array_decoder_refuses_a_dtype_or_shape_other_than_the_space_one(bad) -> None:
    with pytest.raises(zerogym.ProtocolError, match=r"expected a float32 array of shape \(2,\)"):
        array_decoder(np.float32, (2,))(bad)


def test_discrete_observations_must_be_integers() -> None:
    decode = value_decoder(spaces.Discrete(2))
    assert decode(1) == 1
    for bad in (1.0, True, "1"):
        with pytest.raises(zerogym.ProtocolError):
            decode(bad)


@pytest.mark.parametrize(("code", "cls"), [
    ("malformed", zerogym.MalformedRequestError),
    ("too_large", zerogym.MessageTooLargeError),
    ("version_mismatch", zerogym.VersionMismatchError),
    ("unknown_op", zerogym.UnknownOpError),
    ("unknown_env", zerogym.UnknownEnvError),
    ("invalid_argument", zerogym.InvalidArgumentError),
    ("unknown_handle", zerogym.UnknownHandleError),
    ("invalid_action", zerogym.InvalidActionError),
    ("reset_needed", zerogym.ResetNeededError),
    ("not_rendering", zerogym.NotRenderingError),
    ("limit_exceeded", zerogym.LimitExceededError),
    ("env_failure", zerogym.EnvFailureError),
    ("internal", zerogym.InternalServerError),
])
def test_each_error_code_maps_to_its_own_class(code: str, cls: type) -> None:
    error = error_from_reply({"code": code, "message": "what was expected and found"})
    assert type(error) is cls
    assert isinstance(error, zerogym.ZeroGymError)
    assert error.code == code and str(error) == "what was expected and found"


def test_value_errors_are_also_value_errors() -> None:
    assert isinstance(error_from_reply({"code": "invalid_action", "message": ""}), ValueError)
    assert isinstance(error_from_reply({"code": "invalid_argument", "message": ""}), ValueError)


def test_an_unknown_error_code_gives_the_base_class_with_that_code() -> None:
    error = error_from_reply({"code": "from_the_future", "message": "m"})
    assert type(error) is zerogym.ZeroGymError and error.code == "from_the_future"


def test_errors_survive_pickling_for_worker_processes() -> None:
    for error in (zerogym.InvalidActionError("bad action"), zerogym.ZeroGymError("custom", "text"),
                  zerogym.ServerTimeoutError("tcp://127.0.0.1:1", "step", 0.5),
                  zerogym.ServerTimeoutError("tcp://127.0.0.1:1", "step", 0.5, closed_by_server=True)):
        restored = pickle.loads(pickle.dumps(error))
        assert type(restored) is type(error) and str(restored) == str(error)
    assert pickle.loads(pickle.dumps(zerogym.ZeroGymError("custom", "text"))).code == "custom"
