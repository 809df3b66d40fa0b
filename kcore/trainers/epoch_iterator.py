"""Epochs of batches for the training loops, grouped by ``steps_per_execution``.

:class:`EpochIterator` wraps the data adapter for the user's input and yields, for one
epoch, ``(first_step, last_step, batches)`` where ``batches`` is a list of 1 to
``steps_per_execution`` batches. It counts the steps of an epoch:

* ``steps_per_epoch`` given: exactly that many batches per epoch. The source is *not*
  restarted between epochs (as in Keras): the next epoch goes on where the last one
  stopped, and a finite source starts over once it has been read to its end.
* otherwise: the whole source, once (``num_batches`` becomes known after the first epoch
  of a source of unknown length).

When the source ends before an epoch has its ``steps_per_epoch`` batches, or has no
batch at all, Keras's "Your input ran out of data" warning is issued and
:attr:`EpochIterator.ran_out_of_data` is set, so the trainer can stop training.

Example::

    >>> it = EpochIterator(np.zeros((10, 2)), np.ones(10), batch_size=4, steps_per_execution=2)
    >>> [(first, last, len(batches)) for first, last, batches in it.enumerate_epoch()]
    [(0, 1, 2), (2, 2, 1)]
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from kcore import config
from kcore.trainers.data_adapters import get_data_adapter

RAN_OUT_OF_DATA = (
    "Your input ran out of data; interrupting training. Make sure that your dataset or "
    "generator can generate at least `steps_per_epoch * epochs` batches. You may need to "
    "use the `.repeat()` function when building your dataset."
)


def _check_count(name: str, value: Any, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        expected = "a positive integer or None" if allow_none else "a positive integer"
        raise ValueError(f"Expected `{name}` to be {expected}, received {value!r}.")


class EpochIterator:
    """Iterates over the user's data one epoch at a time.

    Args:
        x, y, sample_weight, batch_size, shuffle, class_weight: as in ``Model.fit``
            (see :func:`kcore.trainers.data_adapters.get_data_adapter`).
        steps_per_epoch: batches per epoch, or ``None`` for the whole source (capped
            by ``kcore.config.max_steps_per_epoch()`` when that is set).
        steps_per_execution: how many batches each item groups (the last group of an
            epoch may hold fewer).

    Example::

        >>> it = EpochIterator([[1.0], [2.0], [3.0]], batch_size=2)
        >>> it.num_batches
        2
        >>> [batches[0].tolist() for _, _, batches in it.enumerate_epoch()]
        [[[1.0], [2.0]], [[3.0]]]
    """

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        batch_size: int | None = None,
        steps_per_epoch: int | None = None,
        shuffle: bool | str = False,
        class_weight: dict | None = None,
        steps_per_execution: int = 1,
    ) -> None:
        _check_count("steps_per_epoch", steps_per_epoch, allow_none=True)
        _check_count("steps_per_execution", steps_per_execution, allow_none=False)
        cap = config.max_steps_per_epoch()
        if cap and (not steps_per_epoch or cap < steps_per_epoch):
            warnings.warn(f"Limiting steps_per_epoch to {cap}", stacklevel=2)
            steps_per_epoch = cap
        self.steps_per_epoch = steps_per_epoch
        self.steps_per_execution = int(steps_per_execution)
        self.data_adapter = get_data_adapter(
            x,
            y=y,
            sample_weight=sample_weight,
            batch_size=batch_size,
            steps_per_epoch=steps_per_epoch,
            shuffle=shuffle,
            class_weight=class_weight,
        )
        self._num_batches = self.data_adapter.num_batches
        self._iterator: Iterator[Any] | None = None
        self._batches_drawn = 0  # from the current source iterator
        #: True once the source ran out before an epoch had its batches (see the module).
        self.ran_out_of_data = False

    @property
    def num_batches(self) -> int | None:
        """Steps in one epoch: ``steps_per_epoch`` when given, else the source's batch
        count (``None`` until known).

        Example::

            >>> EpochIterator(np.zeros(5), batch_size=2).num_batches
            3
        """
        if self.steps_per_epoch:
            return self.steps_per_epoch
        return self._num_batches

    def _close_iterator(self) -> None:
        iterator, self._iterator = self._iterator, None
        self._batches_drawn = 0
        close = getattr(iterator, "close", None)
        if close is not None:
            close()

    def reset(self) -> None:
        """Forget the position in the source: the next epoch starts from a fresh pass
        (call it at the start of each ``fit``/``evaluate``/``predict``).

        Example::

            >>> it.reset()   # doctest: +SKIP
        """
        self._close_iterator()
        self._num_batches = self.data_adapter.num_batches
        self.ran_out_of_data = False

    def close(self) -> None:
        """Release the source's iterator (and a ``PyDataset``'s worker pool) now rather
        than when this object is garbage-collected.

        Example::

            >>> it.close()   # doctest: +SKIP
        """
        self._close_iterator()

    def __iter__(self) -> Iterator[tuple[int, int, list[Any]]]:
        return self.enumerate_epoch()

    def enumerate_epoch(self) -> Iterator[tuple[int, int, list[Any]]]:
        """One epoch: ``(first_step, last_step, batches)`` for each group of up to
        ``steps_per_execution`` batches; the data adapter's ``on_epoch_begin`` and
        ``on_epoch_end`` around it.

        Example::

            >>> for first_step, last_step, batches in it.enumerate_epoch():   # doctest: +SKIP
            ...     logs = train_function(batches)
        """
        self.data_adapter.on_epoch_begin()
        try:
            yield from self._epoch()
        finally:
            self.data_adapter.on_epoch_end()

    def _epoch(self) -> Iterator[tuple[int, int, list[Any]]]:
        per_call = self.steps_per_execution
        steps = self.steps_per_epoch
        if self._iterator is None or steps is None:
            self._close_iterator()
            self._iterator = iter(self.data_adapter.get_iterator())
        limit = steps or self._num_batches
        step = 0
        exhausted = False
        while limit is None or step < limit:
            wanted = per_call if limit is None else min(per_call, limit - step)
            batches = []
            for _ in range(wanted):
                try:
                    batches.append(next(self._iterator))
                except StopIteration:
                    exhausted = True
                    break
            self._batches_drawn += len(batches)
            if batches:
                yield step, step + len(batches) - 1, batches
                step += len(batches)
            if exhausted:
                break
        if exhausted:
            if steps is None and self._num_batches is None:
                self._num_batches = self._batches_drawn
            self._close_iterator()
            if step == 0 or (limit is not None and step < limit):
                self.ran_out_of_data = True
                warnings.warn(RAN_OUT_OF_DATA, stacklevel=3)
        elif steps is None or (
            self._num_batches is not None and self._batches_drawn >= self._num_batches
        ):
            # The epoch read the whole source: release it now (a PyDataset's pool).
            self._close_iterator()
