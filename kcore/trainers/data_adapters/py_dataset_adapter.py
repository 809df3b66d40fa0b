"""The adapter for :class:`kcore.utils.PyDataset`.

With ``workers > 1`` (threads) or ``use_multiprocessing=True`` (processes), batches are
computed ahead on a pool (:mod:`ordered_pool`) while the model trains; otherwise they are
read in the main thread. ``shuffle=True`` visits a finite dataset's indices in a new
random order each epoch. An infinite dataset (``num_batches`` is ``None``) resumes at
the next index from one epoch to the next.

Example::

    >>> adapter = PyDatasetAdapter(my_py_dataset, shuffle=True)   # doctest: +SKIP
    >>> adapter.num_batches                                        # doctest: +SKIP
    3
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np

from kcore.trainers.data_adapters import data_adapter_utils, ordered_pool
from kcore.trainers.data_adapters.data_adapter import DataAdapter


def standardize_batch(batch: Any, class_weight: dict | None = None) -> Any:
    """A ``PyDataset`` batch in the tuple format ``fit`` uses: a dict stays a dict, a
    single array becomes ``(x,)``, a list becomes a tuple; ``class_weight`` adds sample
    weights to ``(x, y)``.

    Example::

        >>> standardize_batch([np.zeros(2), np.ones(2)])[1].tolist()
        [1.0, 1.0]
    """
    if isinstance(batch, dict):
        return batch
    if isinstance(batch, list):
        batch = tuple(batch)
    elif not isinstance(batch, tuple) and hasattr(batch, "shape"):
        batch = (batch,)
    if not isinstance(batch, tuple) or not 1 <= len(batch) <= 3:
        raise ValueError(
            "Expected PyDataset.__getitem__() to return a tuple `(inputs,)`, "
            "`(inputs, targets)` or `(inputs, targets, sample_weights)`, or a dict; "
            f"received {type(batch).__name__}: {str(batch)[:200]}."
        )
    if class_weight is not None:
        batch = data_adapter_utils.add_class_weights(batch, class_weight)
    return batch


class PyDatasetAdapter(DataAdapter):
    """Batches from a :class:`kcore.utils.PyDataset`.

    Args:
        x: the PyDataset.
        class_weight: dict of class index to weight, turned into sample weights for
            each ``(x, y)`` batch.
        shuffle: visit a finite dataset's batches in a random order each epoch.

    Example::

        >>> batches = list(PyDatasetAdapter(my_py_dataset).get_iterator())   # doctest: +SKIP
    """

    def __init__(
        self, x: Any, class_weight: dict | None = None, shuffle: bool | str = False
    ) -> None:
        self.py_dataset = x
        self.class_weight = class_weight
        self.shuffle = shuffle
        workers = x.workers
        self._parallel = workers > 1 or (workers > 0 and x.use_multiprocessing)
        self._next_infinite_index = 0

    def _indices(self) -> Iterator[int]:
        num_batches = self.py_dataset.num_batches
        if num_batches is None:
            return itertools.count(self._next_infinite_index)
        if self.shuffle:
            return iter(np.random.permutation(num_batches).tolist())
        return iter(range(num_batches))

    def get_iterator(self) -> Iterator[Any]:
        """One epoch of batches (an infinite dataset: batches without end, from where
        the previous iterator stopped).

        Example::

            >>> x, y = next(iter(adapter.get_iterator()))   # doctest: +SKIP
        """
        dataset = self.py_dataset
        infinite = dataset.num_batches is None
        indices = self._indices()
        if self._parallel:
            source = ordered_pool.ordered_map(
                dataset,
                indices,
                workers=dataset.workers,
                use_multiprocessing=dataset.use_multiprocessing,
                max_queue_size=dataset.max_queue_size,
            )
        else:
            source = (dataset[i] for i in indices)
        try:
            for batch in source:
                if infinite:
                    self._next_infinite_index += 1
                yield standardize_batch(batch, self.class_weight)
        finally:
            source.close()  # shuts the worker pool down when the epoch is cut short

    def on_epoch_begin(self) -> None:
        self.py_dataset.on_epoch_begin()

    def on_epoch_end(self) -> None:
        self.py_dataset.on_epoch_end()

    @property
    def num_batches(self) -> int | None:
        return self.py_dataset.num_batches
