"""kcore.tree: Keras 3's nested-structure semantics (optree with ``none_is_leaf=True``),
in pure Python; the expected values were checked against Keras 3.15.1."""

from __future__ import annotations

import collections

import pytest

import kcore
from kcore import tree

Point = collections.namedtuple("Point", "x y")


@pytest.mark.parametrize(
    ("structure", "leaves"),
    [
        (1, [1]),
        (None, [None]),
        ("abc", ["abc"]),
        ([], []),
        ({}, []),
        ([1, None], [1, None]),
        ({"b": 1, "a": [2, 3]}, [2, 3, 1]),
        (Point(1, [2]), [1, 2]),
        (collections.OrderedDict([("b", 1), ("a", 2)]), [1, 2]),
        (collections.defaultdict(list, {"b": 1, "a": 2}), [2, 1]),
        (collections.deque([1, 2]), [1, 2]),
        (([1], {"z": None, "y": (4,)}), [1, 4, None]),
    ],
)
def test_flatten_and_pack_round_trip(structure, leaves):
    assert tree.flatten(structure) == leaves
    packed = tree.pack_sequence_as(structure, leaves)
    assert type(packed) is type(structure)
    assert packed == structure


def test_is_nested():
    assert tree.is_nested([1]) and tree.is_nested(()) and tree.is_nested({"a": 1})
    assert tree.is_nested(Point(1, 2))
    assert not tree.is_nested(1) and not tree.is_nested(None) and not tree.is_nested("ab")


def test_flatten_with_path():
    assert tree.flatten_with_path({"b": 1, "a": [2, Point(3, 4)]}) == [
        (("a", 0), 2),
        (("a", 1, 0), 3),
        (("a", 1, 1), 4),
        (("b",), 1),
    ]
    assert tree.flatten_with_path(5) == [((), 5)]


def test_dicts_rebuilt_in_their_own_order():
    out = tree.map_structure(str, {"b": 1, "a": 2})
    assert list(out) == ["b", "a"] and out == {"b": "1", "a": "2"}
    assert tree.pack_sequence_as({"b": 0, "a": [0, 0]}, [1, 2, 3]) == {"b": 3, "a": [1, 2]}
    assert tree.flatten({1: "a", "b": 2}) == ["a", 2]  # mixed key types still sort


def test_map_structure():
    assert tree.map_structure(lambda x: x * 10, [1, (2, {"k": 3})]) == [10, (20, {"k": 30})]
    assert tree.map_structure(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)]) == [11, (22, 33)]
    assert tree.map_structure(lambda x: (x,), [None]) == [(None,)]
    assert tree.map_structure(lambda x: (x,), [None, 1], none_is_leaf=False) == [None, (1,)]
    assert tree.map_structure(lambda x: x, None, none_is_leaf=False) is None
    assert tree.map_structure(lambda x: x + 1, Point(1, 2)) == Point(2, 3)
    assert tree.map_structure(lambda a, b: (a, b), {"a": 1}, collections.OrderedDict(a=2)) == {
        "a": (1, 2)
    }
    with pytest.raises(ValueError, match="at least one structure"):
        tree.map_structure(lambda x: x)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([1, 2], (1, 2)),
        ([1, 2], [1, 2, 3]),
        ({"a": 1}, {"b": 1}),
        (Point(1, 2), (1, 2)),
        ([1, [2]], [1, 2]),
        ([1, 2], [1, [2]]),
        ([1], 1),
        (1, [1]),
    ],
)
def test_mismatched_structures(a, b):
    with pytest.raises(ValueError):
        tree.assert_same_structure(a, b)
    with pytest.raises(ValueError):
        tree.map_structure(lambda x, y: x, a, b)


def test_assert_same_structure_and_paths():
    tree.assert_same_structure([1, {"a": (2, None)}], [3, {"a": (4, 5)}])
    tree.assert_same_structure({"a": 1}, collections.defaultdict(int, a=1))
    with pytest.warns(DeprecationWarning, match="check_types"):
        tree.assert_same_structure([1], [2], check_types=False)
    tree.assert_same_paths([1, 2], (3, 4))
    tree.assert_same_paths(Point(1, 2), [3, 4])
    with pytest.raises(ValueError, match="don't have the same paths"):
        tree.assert_same_paths({"a": 1}, {"b": 1})


def test_map_structure_up_to():
    assert tree.map_structure_up_to([0, 0], len, [[1, 2], (3,)]) == [2, 1]
    out = tree.map_structure_up_to([0, 0], lambda x, y: (x, y), [[1, 2], (3,)], [4, 5])
    assert out == [([1, 2], 4), ((3,), 5)]
    assert tree.map_structure_up_to({"a": 0}, lambda x: x, {"a": [1, 2]}) == {"a": [1, 2]}
    with pytest.raises(ValueError):
        tree.map_structure_up_to([0, 0], lambda x: x, [1])


def test_pack_sequence_as_errors_and_leaves():
    assert tree.pack_sequence_as(1, [5]) == 5
    assert tree.pack_sequence_as(None, [5]) == 5
    with pytest.raises(ValueError):
        tree.pack_sequence_as([1, 2], [1])
    with pytest.raises(ValueError):
        tree.pack_sequence_as([1], [1, 2])


def test_traverse():
    double = tree.traverse(lambda x: x * 2 if isinstance(x, int) else None, [1, (2, 3)])
    assert double == [2, (4, 6)]
    assert tree.traverse(lambda x: tree.MAP_TO_NONE if x == 2 else None, [1, 2]) == [1, None]
    assert tree.traverse(lambda x: "x", [1]) == "x"
    lengths = tree.traverse(
        lambda x: len(x) if isinstance(x, tuple) else None, [(1,), [(2, 3)]], top_down=False
    )
    assert lengths == [1, [2]]
    seen = []
    tree.traverse(lambda x: seen.append(x), {"a": [1]}, top_down=False)
    assert seen == [1, [1], {"a": [1]}]


def test_lists_to_tuples():
    assert tree.lists_to_tuples([1, [2, {"a": [3]}]]) == (1, (2, {"a": (3,)}))
    assert tree.lists_to_tuples(Point([1], 2)) == Point((1,), 2)


def test_map_shape_structure():
    shapes = [(1, 2), [None, 3], (), {"a": [4]}, 5]
    assert tree.map_shape_structure(lambda s: ("S", s), shapes) == [
        ("S", (1, 2)),
        ("S", [None, 3]),
        ("S", ()),
        {"a": ("S", [4])},
        ("S", 5),
    ]


def test_namespace():
    assert kcore.tree is tree
    assert isinstance(tree.MAP_TO_NONE, type)
