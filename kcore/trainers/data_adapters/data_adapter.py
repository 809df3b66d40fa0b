"""The interface every data adapter implements: one adapter per kind of input (arrays,
generators, ``PyDataset``, ``tf.data.Dataset``, torch ``DataLoader``, or a plugin's).

An adapter turns the user's ``x`` (with ``y``, ``sample_weight``, ``class_weight``...)
into epochs of batches. A batch is what ``Model.train_step`` receives as ``data``: ``x``,
``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``, each part keeping the user's structure
(arrays, dicts, lists); its leaves are NumPy arrays or the tensors the source yields (a
``DataLoader`` yields torch tensors, a ``tf.data.Dataset`` TensorFlow tensors). The
trainer converts leaves to the backend's tensors.

A plugin adapter (returned by the ``kcore_data_adapters`` hook) is a class with a
``can_handle(x, y=None)`` class method, built with the keyword arguments of
:func:`kcore.trainers.data_adapters.get_data_adapter` (``x``, ``y``, ``sample_weight``,
``batch_size``, ``steps_per_epoch``, ``shuffle``, ``class_weight``). Subclassing
:class:`DataAdapter` gives it the defaults below.

Example, an adapter for a toy container of ``(x, y)`` pairs::

    class PairsAdapter(DataAdapter):
        @classmethod
        def can_handle(cls, x, y=None):
            return isinstance(x, Pairs)

        def __init__(self, x, **kwargs):
            self.pairs = x

        def get_iterator(self):
            return iter(self.pairs)

        @property
        def num_batches(self):
            return len(self.pairs)
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import Any


class DataAdapter(abc.ABC):
    """Base class of the data adapters: turns one kind of input into epochs of batches.

    Subclasses implement :meth:`get_iterator`; the properties default to "unknown"
    (``None``) and the epoch hooks do nothing.

    Example::

        >>> adapter = get_data_adapter(np.zeros((10, 2)), batch_size=4)   # doctest: +SKIP
        >>> adapter.num_batches, adapter.partial_batch_size                # doctest: +SKIP
        (3, 2)
    """

    @classmethod
    def can_handle(cls, x: Any, y: Any = None) -> bool:
        """Whether this adapter takes ``x`` (and ``y``). Plugin adapters override it.

        Example::

            >>> DataAdapter.can_handle(object())
            False
        """
        return False

    @abc.abstractmethod
    def get_iterator(self) -> Iterator[Any]:
        """A fresh iterator over one epoch's batches (for an infinite source, over
        batches without end).

        Example::

            >>> next(iter(adapter.get_iterator()))   # doctest: +SKIP
            (array(...), array(...))
        """

    @property
    def num_batches(self) -> int | None:
        """Batches in one epoch, or ``None`` when unknown (generators, infinite data).

        Example::

            >>> adapter.num_batches   # doctest: +SKIP
            3
        """
        return None

    @property
    def batch_size(self) -> int | None:
        """Samples per batch, or ``None`` when unknown.

        Example::

            >>> adapter.batch_size   # doctest: +SKIP
            32
        """
        return None

    @property
    def has_partial_batch(self) -> bool | None:
        """Whether the last batch of an epoch is smaller than the others (``None``:
        unknown).

        Example::

            >>> adapter.has_partial_batch   # doctest: +SKIP
            True
        """
        return None

    @property
    def partial_batch_size(self) -> int | None:
        """Samples in the last, smaller batch; ``None`` when there is none or it is
        unknown.

        Example::

            >>> adapter.partial_batch_size   # doctest: +SKIP
            2
        """
        return None

    def on_epoch_begin(self) -> None:
        """Called before each epoch's first batch.

        Example::

            >>> adapter.on_epoch_begin()   # doctest: +SKIP
        """
        return None

    def on_epoch_end(self) -> None:
        """Called after each epoch's last batch.

        Example::

            >>> adapter.on_epoch_end()   # doctest: +SKIP
        """
        return None


class KerasStyleAdapter(DataAdapter):
    """Wraps a plugin adapter written to Keras 3's interface (``get_numpy_iterator``
    instead of ``get_iterator``), forwarding everything else.

    Example::

        >>> adapter = KerasStyleAdapter(plugin_adapter)   # doctest: +SKIP
        >>> batches = list(adapter.get_iterator())         # doctest: +SKIP
    """

    def __init__(self, adapter: Any) -> None:
        self.adapter = adapter

    def get_iterator(self) -> Iterator[Any]:
        return self.adapter.get_numpy_iterator()

    @property
    def num_batches(self) -> int | None:
        return getattr(self.adapter, "num_batches", None)

    @property
    def batch_size(self) -> int | None:
        return getattr(self.adapter, "batch_size", None)

    @property
    def has_partial_batch(self) -> bool | None:
        return getattr(self.adapter, "has_partial_batch", None)

    @property
    def partial_batch_size(self) -> int | None:
        return getattr(self.adapter, "partial_batch_size", None)

    def on_epoch_begin(self) -> None:
        if hasattr(self.adapter, "on_epoch_begin"):
            self.adapter.on_epoch_begin()

    def on_epoch_end(self) -> None:
        if hasattr(self.adapter, "on_epoch_end"):
            self.adapter.on_epoch_end()
