"""The adapter for in-memory arrays: NumPy arrays, lists of numbers, pandas objects and
framework tensors, alone or in nested lists, tuples and dicts.

Everything is converted to NumPy once (floats to ``floatx``, as in Keras), then sliced
into batches: plain slices (views, no copy) in order, or gathered through a fresh
permutation each epoch when shuffling.

Example::

    >>> adapter = ArrayDataAdapter(np.zeros((10, 3)), np.ones(10), batch_size=4)
    >>> adapter.num_batches, adapter.partial_batch_size
    (3, 2)
    >>> [x.shape for x, y in adapter.get_iterator()]
    [(4, 3), (4, 3), (2, 3)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from kcore import tree
from kcore.trainers.data_adapters import array_conversion, data_adapter_utils
from kcore.trainers.data_adapters.data_adapter import DataAdapter

DEFAULT_BATCH_SIZE = 32


def _replicate_sample_weight(y: Any, sample_weight: Any) -> Any:
    """One sample-weight array per output of a multi-output ``y``."""
    if isinstance(sample_weight, (list, tuple, dict)):
        try:
            tree.assert_same_structure(y, sample_weight)
        except ValueError as error:
            raise ValueError(
                "Expected one `sample_weight` array per output in `y`, with the same "
                f"structure; received y={tree.map_structure(_describe, y)} and "
                f"sample_weight={tree.map_structure(_describe, sample_weight)}."
            ) from error
        return sample_weight
    shape = np.shape(sample_weight)
    if not (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)):
        raise ValueError(
            "For a model with several outputs, a single `sample_weight` array must hold "
            f"one weight per sample, shape (num_samples,); received shape {shape}. Pass "
            "one array per output to weigh outputs differently."
        )
    return tree.map_structure(lambda _: sample_weight, y)


def _slicer(structure: Any) -> Callable[[Any], Any]:
    """A function taking an index (slice or index array) to ``structure`` with every
    array indexed by it. Built once: per batch it costs a call per array, where a
    generic tree walk costs ten times more."""
    kind = type(structure)
    if structure is None:
        return lambda index: None
    if kind in (tuple, list):
        parts = [_slicer(s) for s in structure]
        return lambda index: kind([part(index) for part in parts])
    if kind is dict:
        items = [(key, _slicer(value)) for key, value in structure.items()]
        return lambda index: {key: part(index) for key, part in items}
    if tree.is_nested(structure):  # namedtuples, OrderedDicts...: the generic walk
        return lambda index: tree.map_structure(lambda a: a[index], structure, none_is_leaf=False)
    return structure.__getitem__


def _describe(leaf: Any) -> str:
    return "None" if leaf is None else f"array{tuple(np.shape(leaf))}"


class ArrayDataAdapter(DataAdapter):
    """Batches of in-memory arrays.

    Args:
        x: input arrays (a structure of them).
        y: target arrays, or ``None``.
        sample_weight: per-sample weights: one array, or one per output of ``y``.
        batch_size: samples per batch; default ``ceil(samples / steps)`` when ``steps``
            is given, else 32.
        steps: the ``steps_per_epoch`` asked for (only used to infer ``batch_size``).
        shuffle: ``False``, ``True`` (a new permutation each epoch) or ``"batch"``
            (the full batches in a random order, each shuffled inside; the partial
            batch stays last).
        class_weight: dict of class index to weight, turned into sample weights.

    Example::

        >>> adapter = ArrayDataAdapter({"a": np.arange(6)}, batch_size=3, shuffle=True)
        >>> sorted(np.concatenate([b["a"] for b in adapter.get_iterator()]).tolist())
        [0, 1, 2, 3, 4, 5]
    """

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        batch_size: int | None = None,
        steps: int | None = None,
        shuffle: bool | str = False,
        class_weight: dict | None = None,
    ) -> None:
        if shuffle not in (True, False, "batch"):
            raise ValueError(
                f'Expected `shuffle` to be True, False or "batch"; received {shuffle!r}.'
            )
        for name, value in (("x", x), ("y", y), ("sample_weight", sample_weight)):
            if not array_conversion.can_convert_arrays(value):
                bad = sorted(
                    {
                        type(leaf).__name__
                        for leaf in tree.flatten(array_conversion.numbers_to_arrays(value))
                        if leaf is not None and not array_conversion.is_array_like(leaf)
                    }
                )
                raise ValueError(
                    f"Expected `{name}` to hold arrays (NumPy arrays, lists of numbers, "
                    "pandas objects or tensors) like `x`; received elements of type "
                    f"{', '.join(bad)}. Pass arrays, or pass a dataset or generator as `x` "
                    "alone."
                )
        x, y, sample_weight = array_conversion.standardize_arrays((x, y, sample_weight))
        if sample_weight is not None:
            if class_weight is not None:
                raise ValueError(
                    "You cannot use `class_weight` and `sample_weight` at the same time. "
                    "Drop one of them."
                )
            if tree.is_nested(y):
                sample_weight = _replicate_sample_weight(y, sample_weight)
        if class_weight is not None:
            if y is None:
                raise ValueError(
                    "`class_weight` needs targets: pass `y` along with `x`, or drop `class_weight`."
                )
            if tree.is_nested(y):
                raise ValueError(
                    "`class_weight` is only supported for models with a single output; "
                    f"received `y` with {len(tree.flatten(y))} arrays. Pass one "
                    "`sample_weight` array per output instead."
                )
            sample_weight = data_adapter_utils.class_weight_to_sample_weights(y, class_weight)

        num_samples = array_conversion.check_data_cardinality((x, y, sample_weight))
        if batch_size is not None and (
            isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
        ):
            raise ValueError(
                f"Expected `batch_size` to be a positive integer or None, received {batch_size!r}."
            )
        if not batch_size:
            batch_size = math.ceil(num_samples / steps) if steps else DEFAULT_BATCH_SIZE
        if batch_size < 1:
            raise ValueError(
                f"Expected `batch_size` to be a positive integer or None, received {batch_size!r}."
            )
        self._data = data_adapter_utils.pack_x_y_sample_weight(x, y, sample_weight)
        self._slice = _slicer(self._data)
        self._num_samples = num_samples
        self._batch_size = int(batch_size)
        self._num_batches = math.ceil(num_samples / self._batch_size)
        self._partial_batch_size = num_samples % self._batch_size
        self._shuffle = shuffle

    def _batch(self, index: Any) -> Any:
        return self._slice(index)

    def get_iterator(self) -> Iterator[Any]:
        """One epoch of batches (a new order for each call when shuffling).

        Example::

            >>> next(ArrayDataAdapter(np.arange(4), batch_size=2).get_iterator()).tolist()
            [0, 1]
        """
        n, size = self._num_samples, self._batch_size
        if self._shuffle == "batch":
            full = n // size
            order = np.random.permutation(full).tolist()
            if self._partial_batch_size:
                order.append(full)
            for i in order:
                start, stop = i * size, min((i + 1) * size, n)
                yield self._batch(start + np.random.permutation(stop - start))
        elif self._shuffle:
            permutation = np.random.permutation(n)
            for start in range(0, n, size):
                yield self._batch(permutation[start : start + size])
        else:
            for start in range(0, n, size):
                yield self._batch(slice(start, start + size))

    @property
    def num_batches(self) -> int:
        return self._num_batches

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @property
    def has_partial_batch(self) -> bool:
        return self._partial_batch_size > 0

    @property
    def partial_batch_size(self) -> int | None:
        return self._partial_batch_size or None
