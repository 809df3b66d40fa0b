"""``kcore.tree``: nested-structure utilities (Keras 3's ``keras.tree``).

A structure is a leaf or a container of structures. Containers are ``list``,
``tuple``, namedtuples, ``dict`` (visited in sorted key order; rebuilt with the
original key order), ``collections.OrderedDict`` (insertion order),
``collections.defaultdict`` (sorted) and ``collections.deque``. Everything else,
``None`` included, is a leaf, as in Keras 3 (optree with ``none_is_leaf=True``).

Pure Python: no framework is imported.

Example::

    >>> from kcore import tree
    >>> tree.flatten({"b": [1, 2], "a": (3, None)})
    [3, None, 1, 2]
    >>> tree.map_structure(lambda x: x * 10, {"a": 1, "b": [2, 3]})
    {'a': 10, 'b': [20, 30]}
"""

from kcore.tree.tree_api import (
    MAP_TO_NONE,
    assert_same_paths,
    assert_same_structure,
    flatten,
    flatten_with_path,
    is_nested,
    lists_to_tuples,
    map_shape_structure,
    map_structure,
    map_structure_up_to,
    pack_sequence_as,
    traverse,
)

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
