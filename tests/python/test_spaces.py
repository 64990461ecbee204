"""ZeroGym's built-in stand-ins for ``gymnasium.spaces`` (used when Gymnasium is not installed)."""

from __future__ import annotations

import numpy as np
import pytest

from zerogym.spaces import Box, Dict, Discrete, MultiBinary, MultiDiscrete, Tuple, batch_space

CARTPOLE_HIGH = np.array([4.8, np.inf, 0.41887903, np.inf], np.float32)


def all_spaces():
    return [
        Box(-1.0, 1.0, (3,), np.float32),
        Box(-CARTPOLE_HIGH, CARTPOLE_HIGH),
        Box(0, 255, (2, 2), np.uint8),
        Discrete(4),
        Discrete(3, start=-1),
        MultiBinary(5),
        MultiBinary([2, 3]),
        MultiDiscrete([2, 3, 4]),
        MultiDiscrete([2, 3], start=[1, -1]),
        Dict({"position": Box(-1.0, 1.0, (2,)), "mode": Discrete(2)}),
        Tuple([Discrete(2), Box(0.0, 1.0, ())]),
    ]


@pytest.mark.parametrize("space", all_spaces(), ids=repr)
def test_samples_are_contained_in_their_space(space) -> None:
    space.seed(0)
    for _ in range(50):
        assert space.sample() in space


@pytest.mark.parametrize("space", all_spaces(), ids=repr)
def test_the_same_seed_gives_the_same_samples(space) -> None:
    space.seed(7)
    first = [space.sample() for _ in range(5)]
    space.seed(7)
    second = [space.sample() for _ in range(5)]
    assert repr(first) == repr(second)


def test_different_seeds_give_different_samples() -> None:
    space = Box(0.0, 1.0, (8,))
    space.seed(1)
    first = space.sample()
    space.seed(2)
    assert not np.array_equal(first, space.sample())


def test_seed_returns_the_seed_and_draws_one_when_none_is_given() -> None:
    assert Discrete(2).seed(123) == 123
    assert isinstance(Discrete(2).seed(), int)
    with pytest.raises(ValueError, match="non-negative"):
        Discrete(2).seed(-1)


def test_box_samples_have_its_dtype_and_shape_and_respect_bounds() -> None:
    space = Box(np.array([0.0, -np.inf, -np.inf, 1.0]), np.array([1.0, np.inf, 0.0, np.inf]), dtype=np.float32)
    space.seed(3)
    samples = np.stack([space.sample() for _ in range(200)])
    assert samples.dtype == np.float32 and samples.shape == (200, 4)
    assert np.all((samples[:, 0] >= 0) & (samples[:, 0] <= 1))
    assert np.all(samples[:, 2] <= 0) and np.all(samples[:, 3] >= 1)


def test_integer_box_samples_every_integer_of_its_range() -> None:
    space = Box(0, 2, (1000,), np.int64)
    space.seed(0)
    assert set(space.sample().tolist()) == {0, 1, 2}


def test_integer_box_with_infinite_bounds_uses_the_dtype_limits() -> None:
    space = Box(-np.inf, np.inf, (2,), np.int32)
    assert space.low.tolist() == [np.iinfo(np.int32).min] * 2
    assert space.high.tolist() == [np.iinfo(np.int32).max] * 2


def test_box_contains_checks_shape_bounds_nan_and_dtype() -> None:
    space = Box(-1.0, 1.0, (2,), np.float32)
    assert np.array([0.5, -1.0], np.float32) in space
    assert [0.5, -1.0] in space
    assert np.array([0.5, 1.5], np.float32) not in space
    assert np.array([0.5, np.nan], np.float32) not in space
    assert np.array([0.5], np.float32) not in space
    assert np.array([0.5, 0.5], np.float64) not in space  # float64 cannot be cast to float32 safely
    assert "text" not in space


def test_box_rejects_low_above_high_and_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="low must not exceed high"):
        Box(1.0, 0.0, (2,))
    with pytest.raises(ValueError, match="shape"):
        Box(np.zeros(2), np.ones(3))


def test_discrete_contains_integers_in_range_only() -> None:
    space = Discrete(3, start=-1)
    assert -1 in space and 1 in space and np.int64(0) in space and np.array(0) in space
    assert 2 not in space and -2 not in space
    assert 0.0 not in space and True not in space and "0" not in space


def test_multibinary_and_multidiscrete_contain_only_their_values() -> None:
    assert np.array([0, 1, 1], np.int8) in MultiBinary(3)
    assert np.array([0, 2, 1], np.int8) not in MultiBinary(3)
    assert np.array([0, 1], np.int8) not in MultiBinary(3)
    space = MultiDiscrete([2, 3], start=[1, -1])
    assert np.array([1, 1]) in space and [2, -1] in space
    assert np.array([0, 0]) not in space and np.array([1, 2]) not in space
    assert np.array([1.0, 0.0]) not in space


def test_dict_and_tuple_contain_values_member_by_member() -> None:
    space = Dict({"a": Discrete(2), "b": Box(0.0, 1.0, (1,))})
    assert {"a": 1, "b": np.array([0.5], np.float32)} in space
    assert {"a": 2, "b": np.array([0.5], np.float32)} not in space
    assert {"a": 1} not in space
    pair = Tuple([Discrete(2), Discrete(3)])
    assert (1, 2) in pair and [1, 2] in pair
    assert (1, 3) not in pair and (1,) not in pair


def test_equality_compares_type_and_parameters() -> None:
    assert Box(-1.0, 1.0, (2,)) == Box(np.array([-1, -1]), np.array([1, 1]), dtype=np.float32)
    assert Box(-1.0, 1.0, (2,)) != Box(-1.0, 1.0, (2,), np.float64)
    assert Box(-1.0, 1.0, (2,)) != Box(-1.0, 2.0, (2,))
    assert Discrete(2) == Discrete(2) and Discrete(2) != Discrete(2, start=1) and Discrete(2) != Discrete(3)
    assert MultiBinary(2) == MultiBinary([2]) and MultiBinary(2) != MultiBinary(3)
    assert MultiDiscrete([2, 3]) != MultiDiscrete([2, 3], start=[1, 0])
    assert Dict({"a": Discrete(2)}) == Dict({"a": Discrete(2)}) != Dict({"a": Discrete(3)})
    assert Tuple([Discrete(2)]) != Tuple([Discrete(2), Discrete(2)])
    assert Discrete(2) != MultiBinary(2)


@pytest.mark.parametrize(("space", "text"), [
    (Box(-1.0, 1.0, (3,), np.float32), "Box(-1.0, 1.0, (3,), float32)"),
    (Box(-CARTPOLE_HIGH, CARTPOLE_HIGH),
     "Box([-4.8               -inf -0.41887903        -inf], [4.8               inf 0.41887903        inf], "
     "(4,), float32)"),
    (Box(0, 255, (84, 84, 3), np.uint8), "Box(0, 255, (84, 84, 3), uint8)"),
    (Discrete(2), "Discrete(2)"),
    (Discrete(3, start=-1), "Discrete(3, start=-1)"),
    (MultiBinary(4), "MultiBinary(4)"),
    (MultiDiscrete([2, 3]), "MultiDiscrete([2 3])"),
    (MultiDiscrete([2, 3], start=[1, 0]), "MultiDiscrete([2 3], start=[1 0])"),
    (Dict({"b": Discrete(2), "a": MultiBinary(1)}), "Dict('a': MultiBinary(1), 'b': Discrete(2))"),
    (Tuple([Discrete(2), MultiBinary(1)]), "Tuple(Discrete(2), MultiBinary(1))"),
])
def test_repr_reads_like_gymnasium(space, text: str) -> None:
    assert repr(space) == text


def test_dict_sorts_a_mapping_but_keeps_the_order_of_pairs() -> None:
    assert list(Dict({"b": Discrete(2), "a": Discrete(2)}).keys()) == ["a", "b"]
    assert list(Dict([("b", Discrete(2)), ("a", Discrete(2))]).keys()) == ["b", "a"]


def test_batch_space_stacks_values_as_gymnasium_does() -> None:
    assert batch_space(Box(-1.0, 1.0, (2,)), 3) == Box(-1.0, 1.0, (3, 2))
    assert batch_space(Discrete(2, start=1), 3) == MultiDiscrete([2, 2, 2], start=[1, 1, 1])
    assert batch_space(MultiDiscrete([2, 3]), 2) == Box(np.array([[0, 0], [0, 0]]), np.array([[1, 2], [1, 2]]),
                                                        dtype=np.int64)
    assert batch_space(MultiBinary(2), 3) == Box(0, 1, (3, 2), np.int8)
    batched = batch_space(Dict({"t": Tuple([Discrete(2)])}), 4)
    assert batched == Dict({"t": Tuple([MultiDiscrete([2, 2, 2, 2])])})


@pytest.mark.parametrize("index", range(len(all_spaces())))
def test_repr_and_batching_match_gymnasium_when_it_is_installed(index: int) -> None:
    gymnasium = pytest.importorskip("gymnasium")
    from gymnasium.vector.utils import batch_space as gymnasium_batch_space

    ours = all_spaces()[index]
    theirs = _to_gymnasium(ours, gymnasium)
    assert repr(ours) == repr(theirs)
    assert repr(batch_space(ours, 3)) == repr(gymnasium_batch_space(theirs, 3))


def _to_gymnasium(space, gymnasium):
    gs = gymnasium.spaces
    if isinstance(space, Box):
        return gs.Box(space.low, space.high, dtype=space.dtype)
    if isinstance(space, Discrete):
        return gs.Discrete(int(space.n), start=int(space.start))
    if isinstance(space, MultiBinary):
        return gs.MultiBinary(space.n)
    if isinstance(space, MultiDiscrete):
        return gs.MultiDiscrete(space.nvec, start=space.start)
    if isinstance(space, Dict):
        return gs.Dict({key: _to_gymnasium(member, gymnasium) for key, member in space.items()})
    return gs.Tuple([_to_gymnasium(member, gymnasium) for member in space.spaces])
