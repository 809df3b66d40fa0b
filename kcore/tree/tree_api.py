"""The functions of :mod:`kcore.tree`, in pure Python.

A container is taken apart by :func:`_node` into its children, their path keys and
a function rebuilding a container of the same kind from new children. The semantics
follow Keras 3 on optree (``none_is_leaf=True``): dicts are visited in sorted key
order and rebuilt in their original order; container types must match exactly when
structures are compared.
"""

from __future__ import annotations

import collections
import warnings
from collections.abc import Callable
from typing import Any

__all__ = [
    "MAP_TO_NONE",
    "assert_same_paths",
    "assert_same_structure",
    "flatten",
    "flatten_with_path",
    "is_nested",
    "lists_to_tuples",
    "map_shape_structure",
    "map_structure",
    "map_structure_up_to",
    "pack_sequence_as",
    "traverse",
]

_MISMATCH = "Structures don't have the same nested structure."


class MAP_TO_NONE:  # noqa: N801  (Keras's name)
    """Returned by a :func:`traverse` function to put ``None`` in place of a
    substructure (returning ``None`` itself means "keep going").

    Example::

        >>> traverse(lambda x: MAP_TO_NONE if x == 2 else None, [1, 2])
        [1, None]
    """


def _sorted_keys(mapping: Any) -> list[Any]:
    try:
        return sorted(mapping)
    except TypeError:  # keys of mixed types: sort by type name, then key
        return sorted(mapping, key=lambda k: (type(k).__qualname__, repr(k)))


def _rebuild_dict(original_keys: list[Any], factory: Callable[[dict], Any]):
    def rebuild(keys: list[Any], children: list[Any]) -> Any:
        by_key = dict(zip(keys, children))
        return factory({k: by_key[k] for k in original_keys})

    return rebuild


#: Extra container types (private): type -> (to_children(x) -> (keys, children),
#: from_children(x, keys, children) -> container).
_CUSTOM_NODES: dict[type, tuple[Callable, Callable]] = {}


def _node(x: Any, none_is_leaf: bool = True) -> tuple[list, list, Callable] | None:
    """``(keys, children, rebuild)`` for a container, ``None`` for a leaf.

    ``rebuild(keys, children)`` makes a container of ``x``'s kind.
    """
    kind = type(x)
    if kind is list:
        return list(range(len(x))), list(x), lambda keys, c: list(c)
    if kind is tuple:
        return list(range(len(x))), list(x), lambda keys, c: tuple(c)
    if kind is dict:
        keys = _sorted_keys(x)
        return keys, [x[k] for k in keys], _rebuild_dict(list(x), dict)
    if x is None:
        if none_is_leaf:
            return None
        return [], [], lambda keys, c: None
    if isinstance(x, tuple) and hasattr(kind, "_fields"):  # a namedtuple
        return list(range(len(x))), list(x), lambda keys, c: kind(*c)
    if kind is collections.OrderedDict:
        keys = list(x)
        return keys, [x[k] for k in keys], lambda keys, c: collections.OrderedDict(zip(keys, c))
    if kind is collections.defaultdict:
        keys = _sorted_keys(x)
        factory = x.default_factory
        rebuild = _rebuild_dict(list(x), lambda d: collections.defaultdict(factory, d))
        return keys, [x[k] for k in keys], rebuild
    if kind is collections.deque:
        maxlen = x.maxlen
        return list(range(len(x))), list(x), lambda keys, c: collections.deque(c, maxlen=maxlen)
    custom = _CUSTOM_NODES.get(kind)
    if custom is not None:
        keys, children = custom[0](x)
        return list(keys), list(children), lambda keys, c, _x=x: custom[1](_x, keys, c)
    return None


def _register_node(cls: type, to_children: Callable, from_children: Callable) -> None:
    """Make ``cls`` a container (for kcore's own tracked containers)."""
    _CUSTOM_NODES[cls] = (to_children, from_children)


_DICTS = (dict, collections.OrderedDict, collections.defaultdict)


def _same_node(a: Any, b: Any, a_node: tuple, b_node: tuple | None) -> list[Any]:
    """``b``'s children matching ``a``'s (``ValueError`` when ``b`` is another kind of
    container or a leaf). The dict kinds match each other, key by key."""
    if type(a) in _DICTS and type(b) in _DICTS:
        if set(a_node[0]) != set(b_node[0]):
            raise ValueError(f"{_MISMATCH} Expected dict keys {a_node[0]}, got {_sorted_keys(b)}")
        return [b[k] for k in a_node[0]]
    if b_node is None or type(a) is not type(b):
        raise ValueError(
            f"{_MISMATCH} Expected an instance of {type(a).__name__}, got {type(b).__name__}: {b!r}"
        )
    if len(a_node[1]) != len(b_node[1]):
        raise ValueError(
            f"{_MISMATCH} Expected a {type(a).__name__} of length {len(a_node[1])}, got "
            f"length {len(b_node[1])}: {b!r}"
        )
    return b_node[1]


def _leaves(x: Any, out: list, none_is_leaf: bool = True) -> list:
    node = _node(x, none_is_leaf)
    if node is None:
        out.append(x)
    else:
        for child in node[1]:
            _leaves(child, out, none_is_leaf)
    return out


def is_nested(structure: Any) -> bool:
    """Whether ``structure`` is a container (a list, tuple, dict...), not a leaf.

    Example::

        >>> is_nested([1]), is_nested(1), is_nested(None)
        (True, False, False)
    """
    return _node(structure) is not None


def flatten(structure: Any) -> list[Any]:
    """The leaves of ``structure``, depth first, dicts in sorted key order.

    Example::

        >>> flatten({"b": 2, "a": [1, None]})
        [1, None, 2]
    """
    return _leaves(structure, [])


def flatten_with_path(structure: Any) -> list[tuple[tuple, Any]]:
    """``(path, leaf)`` pairs, a path being the tuple of keys and indices leading
    to the leaf.

    Example::

        >>> flatten_with_path({"a": [1, 2]})
        [(('a', 0), 1), (('a', 1), 2)]
    """
    out: list[tuple[tuple, Any]] = []

    def walk(x: Any, path: tuple) -> None:
        node = _node(x)
        if node is None:
            out.append((path, x))
            return
        for key, child in zip(node[0], node[1]):
            walk(child, (*path, key))

    walk(structure, ())
    return out


def _paths(structure: Any) -> set[tuple]:
    return {path for path, _ in flatten_with_path(structure)}


def _map(
    func: Callable, shallow: Any, others: tuple, none_is_leaf: bool, leaf_check: Callable | None
) -> Any:
    """Apply ``func`` at the leaves of ``shallow`` to the matching substructures of
    ``others`` (which must have ``shallow``'s containers down to those leaves)."""
    node = _node(shallow, none_is_leaf)
    if node is None:
        if leaf_check is not None:
            leaf_check(shallow, others)
        return func(shallow, *others)
    other_children = []
    for other in others:
        other_children.append(_same_node(shallow, other, node, _node(other, none_is_leaf)))
    children = [
        _map(func, child, tuple(oc[i] for oc in other_children), none_is_leaf, leaf_check)
        for i, child in enumerate(node[1])
    ]
    return node[2](node[0], children)


def map_structure(func: Callable, *structures: Any, none_is_leaf: bool = True) -> Any:
    """``func`` applied to the leaves of ``structures`` (which must all have the same
    structure), in a structure like the first.

    With ``none_is_leaf=False``, ``None`` entries are kept as they are instead of
    being passed to ``func``.

    Example::

        >>> map_structure(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)])
        [11, (22, 33)]
    """
    if not structures:
        raise ValueError("Must provide at least one structure")
    first, others = structures[0], structures[1:]

    def check(leaf: Any, other_leaves: tuple) -> None:
        for other in other_leaves:
            if _node(other, none_is_leaf) is not None:
                raise ValueError(_MISMATCH)

    return _map(func, first, others, none_is_leaf, check if others else None)


def map_structure_up_to(shallow_structure: Any, func: Callable, *structures: Any) -> Any:
    """Like :func:`map_structure`, but only down to the leaves of
    ``shallow_structure``: ``func`` receives the substructures of ``structures`` found
    there (``shallow_structure``'s leaves themselves are not passed).

    Example::

        >>> map_structure_up_to([0, 0], lambda x: len(x), [[1, 2], (3,)])
        [2, 1]
    """
    if not structures:
        raise ValueError("Must provide at least one structure")

    def call(shallow_leaf: Any, *args: Any) -> Any:
        return func(*args)

    def check(shallow_leaf: Any, others: tuple) -> None:
        if shallow_leaf is None:  # None is a container there in Keras 3 (optree's default)
            raise ValueError(_MISMATCH)

    return _map(call, shallow_structure, structures, True, check)


def assert_same_structure(a: Any, b: Any, check_types: Any = None) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same containers (same types,
    lengths and keys) and leaves in the same places.

    ``check_types`` is deprecated and ignored, as in Keras 3 (use
    :func:`assert_same_paths` for a looser check).

    Example::

        >>> assert_same_structure([1, {"a": 2}], [3, {"a": 4}])   # passes
    """
    if check_types is not None:
        warnings.warn(
            "The `check_types` argument is deprecated and no longer has any effect"
            + ("." if check_types else "; use kcore.tree.assert_same_paths() for a looser check."),
            DeprecationWarning,
            stacklevel=2,
        )

    def check(leaf: Any, others: tuple) -> None:
        if _node(others[0]) is not None:
            raise ValueError(_MISMATCH)

    _map(lambda *args: None, a, (b,), True, check)


def assert_same_paths(a: Any, b: Any) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same leaf paths (lists,
    tuples and namedtuples of one length match each other).

    Example::

        >>> assert_same_paths([1, 2], (3, 4))   # passes
    """
    a_paths, b_paths = _paths(a), _paths(b)
    if a_paths != b_paths:
        message = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            message += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
        if b_paths - a_paths:
            message += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
        raise ValueError(message)


def pack_sequence_as(structure: Any, flat_sequence: Any) -> Any:
    """A structure like ``structure`` holding the items of ``flat_sequence`` as
    leaves (the inverse of :func:`flatten`).

    Example::

        >>> pack_sequence_as({"b": 0, "a": [0, 0]}, [1, 2, 3])
        {'b': 3, 'a': [1, 2]}
    """
    flat = list(flat_sequence)
    count = len(flatten(structure))
    if count != len(flat):
        raise ValueError(
            f"pack_sequence_as: the structure has {count} leaves but flat_sequence has "
            f"{len(flat)} items"
        )
    leaves = iter(flat)
    return _map(lambda leaf: next(leaves), structure, (), True, None)


def traverse(func: Callable, structure: Any, top_down: bool = True) -> Any:
    """Call ``func`` on every substructure (containers and leaves).

    Top down, a result other than ``None`` replaces the substructure and its children
    are not visited; ``None`` means "visit the children". Bottom up, ``func`` sees
    each container already rebuilt from its traversed children. Returning
    :class:`MAP_TO_NONE` puts ``None`` in that place.

    Example::

        >>> traverse(lambda x: x * 2 if isinstance(x, int) else None, [1, (2, 3)])
        [2, (4, 6)]
    """

    def children_traversed(x: Any) -> Any:
        node = _node(x)
        if node is None:
            return x
        return node[2](node[0], [traverse(func, c, top_down=top_down) for c in node[1]])

    if top_down:
        result = func(structure)
        if result is None:
            return children_traversed(structure)
    else:
        rebuilt = children_traversed(structure)
        result = func(rebuilt)
        if result is None:
            return rebuilt
    if result is MAP_TO_NONE:
        return None
    return result


def lists_to_tuples(structure: Any) -> Any:
    """``structure`` with every list turned into a tuple, at every depth.

    Example::

        >>> lists_to_tuples([1, [2, {"a": [3]}]])
        (1, (2, {'a': (3,)}))
    """
    return traverse(lambda x: tuple(x) if isinstance(x, list) else None, structure, top_down=False)


def _is_shape(x: Any) -> bool:
    return isinstance(x, list | tuple) and all(isinstance(e, int | type(None)) for e in x)


def map_shape_structure(func: Callable, structure: Any) -> Any:
    """Like :func:`map_structure`, but a list or tuple of ints and ``None`` (a shape)
    is a leaf.

    Example::

        >>> map_shape_structure(lambda s: s[0], {"a": (2, 3), "b": [(4, None)]})
        {'a': 2, 'b': [4]}
    """
    if _is_shape(structure):
        return func(structure)
    node = _node(structure)
    if node is None:
        return func(structure)
    return node[2](node[0], [map_shape_structure(func, c) for c in node[1]])
