"""``kcore.utils.PyDataset`` (alias ``Sequence``): a dataset written in Python, one
batch per index, which ``fit`` can read on a pool of threads or processes.

Example::

    import math
    import numpy as np
    import kcore as keras

    class Batches(keras.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)       # workers, use_multiprocessing, max_queue_size
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):                   # number of batches
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, index):        # one complete batch
            low = index * self.batch_size
            high = min(low + self.batch_size, len(self.x))
            return self.x[low:high], self.y[low:high]

    model.fit(Batches(x, y, 32, workers=4), epochs=2)
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from typing import Any


class PyDataset:
    """Base class for a dataset that computes its batches in Python.

    Implement ``__getitem__(index)`` (a complete batch: ``x``, ``(x,)``, ``(x, y)`` or
    ``(x, y, sample_weight)``, or a dict) and ``__len__()`` (the number of batches), or
    a ``num_batches`` property returning ``None`` for an infinite dataset. Override
    ``on_epoch_begin``/``on_epoch_end`` to change the data between epochs.

    Args:
        workers: how many threads (or processes) compute batches in parallel during
            ``fit``/``evaluate``/``predict``; 1 reads them one by one in the main thread.
        use_multiprocessing: compute batches in worker processes instead of threads
            (real parallelism for CPU-bound Python code). The processes are started
            with Python's default start method (``multiprocessing.set_start_method``
            chooses another); with ``"spawn"`` or ``"forkserver"`` the dataset must be
            picklable, its class defined at module level.
        max_queue_size: at most this many batches are computed ahead of the model.

    Reading a ``PyDataset`` by hand (``for batch in dataset``) uses no parallelism.

    Example::

        >>> class Squares(PyDataset):
        ...     def __len__(self):
        ...         return 3
        ...     def __getitem__(self, index):
        ...         return np.full((2, 1), index**2), np.zeros(2)
        >>> [int(x[0, 0]) for x, y in Squares(workers=2)]
        [0, 1, 4]
    """

    def __init__(
        self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10
    ) -> None:
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self) -> None:
        missing = False
        for name, default in (
            ("_workers", 1),
            ("_use_multiprocessing", False),
            ("_max_queue_size", 10),
        ):
            if not hasattr(self, name):
                setattr(self, name, default)
                missing = True
        if missing:
            warnings.warn(
                "Your `PyDataset` class should call `super().__init__(**kwargs)` in its "
                "constructor. `**kwargs` can include `workers`, `use_multiprocessing`, "
                "`max_queue_size`. Do not pass these arguments to `fit()`, as they will "
                "be ignored.",
                stacklevel=3,
            )

    @property
    def workers(self) -> int:
        """Threads or processes computing batches (1: none, the main thread reads).

        Example::

            >>> PyDataset(workers=4).workers
            4
        """
        self._warn_if_super_not_called()
        return self._workers

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        """Whether the workers are processes rather than threads.

        Example::

            >>> PyDataset(use_multiprocessing=True).use_multiprocessing
            True
        """
        self._warn_if_super_not_called()
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        """How many batches may be computed ahead of the model.

        Example::

            >>> PyDataset().max_queue_size
            10
        """
        self._warn_if_super_not_called()
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    def __getitem__(self, index: int) -> Any:
        """The batch at position ``index``. Subclasses must implement it.

        Example::

            >>> x, y = dataset[0]   # doctest: +SKIP
        """
        raise TypeError(
            f"{type(self).__name__} must implement `__getitem__(self, index)` returning "
            "the batch at `index`, e.g. `(x_batch, y_batch)`."
        )

    def __iter__(self) -> Iterator[Any]:
        """Every batch in order (without end for an infinite dataset), read in this
        thread.

        Example::

            >>> batches = list(dataset)   # doctest: +SKIP
        """
        num_batches = self.num_batches
        indices = itertools.count() if num_batches is None else range(num_batches)
        for index in indices:
            yield self[index]

    @property
    def num_batches(self) -> int | None:
        """The number of batches, from ``__len__``; ``None`` means infinite. Override
        this property, rather than ``__len__``, for an infinite dataset.

        Example::

            >>> dataset.num_batches   # doctest: +SKIP
            3
        """
        if hasattr(self, "__len__"):
            return len(self)
        raise TypeError(
            f"{type(self).__name__} must define its size: implement `__len__(self)` "
            "returning the number of batches, or a `num_batches` property returning it "
            "(or `None` for an infinite dataset)."
        )

    def on_epoch_begin(self) -> None:
        """Called at the beginning of every epoch.

        Example::

            >>> dataset.on_epoch_begin()   # doctest: +SKIP
        """

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch (e.g. to reshuffle the data).

        Example::

            >>> dataset.on_epoch_end()   # doctest: +SKIP
        """


#: Keras's older name for :class:`PyDataset` (``keras.utils.Sequence``).
Sequence = PyDataset
