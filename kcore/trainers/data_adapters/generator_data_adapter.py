"""The adapter for Python generators and iterators yielding batches.

Each item must be a tuple ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``, as in
Keras. A generator runs once: the number of batches in an epoch is unknown until it
ends, and an infinite one needs ``steps_per_epoch``. The batches are passed on as the
generator yields them.

Example::

    >>> def batches():
    ...     for i in range(3):
    ...         yield np.full((2, 1), i), np.zeros(2)
    >>> adapter = GeneratorDataAdapter(batches())
    >>> len(list(adapter.get_iterator()))
    3
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kcore.trainers.data_adapters import data_adapter_utils
from kcore.trainers.data_adapters.data_adapter import DataAdapter

_EMPTY = object()


def is_python_iterator(x: Any) -> bool:
    """Whether ``x`` is a Python generator or iterator (it has ``__next__``), as
    opposed to an array or a re-iterable dataset.

    Example::

        >>> is_python_iterator(iter([1])), is_python_iterator([1])
        (True, False)
    """
    return hasattr(x, "__next__") and hasattr(x, "__iter__")


def _check_batch(batch: Any) -> Any:
    if not isinstance(batch, tuple) or not 1 <= len(batch) <= 3:
        raise ValueError(
            "Expected a Python generator passed to a model to yield tuples `(inputs,)`, "
            "`(inputs, targets)` or `(inputs, targets, sample_weights)`; received "
            f"{type(batch).__name__}: {str(batch)[:200]}. Yield a tuple, e.g. "
            "`yield (x_batch, y_batch)`."
        )
    return batch


class GeneratorDataAdapter(DataAdapter):
    """Batches from a Python generator or iterator.

    Args:
        generator: the generator or iterator. Its first batch is read now, to check
            it early (an empty generator is an error); it is replayed first.
        class_weight: dict of class index to weight, turned into sample weights for
            each ``(x, y)`` batch.

    Example::

        >>> adapter = GeneratorDataAdapter(iter([(np.zeros((2, 1)), np.ones(2))]))
        >>> adapter.num_batches is None
        True
    """

    def __init__(self, generator: Any, class_weight: dict | None = None) -> None:
        self._generator = generator
        self._class_weight = class_weight
        self._first = next(generator, _EMPTY)
        if self._first is _EMPTY:
            raise ValueError(
                "Expected the Python generator passed to a model to yield at least one "
                "batch; it yielded nothing. Check that it is not already exhausted (a "
                "generator runs once)."
            )
        _check_batch(self._first)

    def get_iterator(self) -> Iterator[Any]:
        """The batches the generator still has (the first one included on the first
        call). The user's generator is never closed here: closing this iterator only
        stops reading from it.

        Example::

            >>> batch = next(adapter.get_iterator())   # doctest: +SKIP
        """
        class_weight = self._class_weight
        if self._first is not _EMPTY:
            first, self._first = self._first, _EMPTY
            yield self._finish(first, class_weight)
        for batch in self._generator:
            yield self._finish(_check_batch(batch), class_weight)

    @staticmethod
    def _finish(batch: Any, class_weight: dict | None) -> Any:
        if class_weight is None:
            return batch
        return data_adapter_utils.add_class_weights(batch, class_weight)
