"""The adapter for ``torch.utils.data.DataLoader``, on any backend.

Batches are the DataLoader's own (torch tensors; a list from the default collate
becomes a tuple ``(x, y)``); the trainer converts them. torch is never imported here:
the DataLoader brings it, and it is recognised by its class's module.

Example::

    >>> loader = DataLoader(TensorDataset(torch.zeros(5, 2), torch.ones(5)), batch_size=2)
    >>> adapter = TorchDataLoaderAdapter(loader)   # doctest: +SKIP
    >>> adapter.num_batches, adapter.partial_batch_size   # doctest: +SKIP
    (3, 1)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kcore.trainers.data_adapters import data_adapter_utils
from kcore.trainers.data_adapters.data_adapter import DataAdapter


def is_torch_dataloader(x: Any) -> bool:
    """Whether ``x`` is a ``torch.utils.data.DataLoader``, judged by its class's module.

    Example::

        >>> is_torch_dataloader([1, 2])
        False
    """
    return any(
        c.__name__ == "DataLoader" and str(c.__module__).startswith("torch.utils.data")
        for c in type(x).__mro__
    )


class TorchDataLoaderAdapter(DataAdapter):
    """Batches from a torch ``DataLoader``.

    Args:
        dataloader: the DataLoader; each batch is ``x``, ``(x,)``, ``(x, y)`` or
            ``(x, y, sample_weight)`` (lists are read as tuples).
        class_weight: dict of class index to weight, turned into sample weights for
            each ``(x, y)`` batch (the weights are NumPy arrays).

    Example::

        >>> x, y = next(iter(TorchDataLoaderAdapter(loader).get_iterator()))   # doctest: +SKIP
    """

    def __init__(self, dataloader: Any, class_weight: dict | None = None) -> None:
        if not is_torch_dataloader(dataloader):
            raise ValueError(
                "Expected a torch.utils.data.DataLoader, received "
                f"{type(dataloader).__name__}: {dataloader!r}."
            )
        self._dataloader = dataloader
        self._class_weight = class_weight
        self._batch_size = dataloader.batch_size
        try:
            self._num_batches = len(dataloader)
            num_samples = len(dataloader.dataset)
        except TypeError:  # an IterableDataset without __len__
            self._num_batches = None
            num_samples = None
        self._partial_batch_size = None
        if num_samples is not None and self._batch_size and not dataloader.drop_last:
            self._partial_batch_size = num_samples % self._batch_size or None

    def get_iterator(self) -> Iterator[Any]:
        """A new pass over the DataLoader (a new shuffle when its sampler shuffles).

        Example::

            >>> batches = list(adapter.get_iterator())   # doctest: +SKIP
        """
        class_weight = self._class_weight
        for batch in self._dataloader:
            if isinstance(batch, list):
                batch = tuple(batch)
            if class_weight is not None:
                batch = data_adapter_utils.add_class_weights(batch, class_weight)
            yield batch

    @property
    def num_batches(self) -> int | None:
        return self._num_batches

    @property
    def batch_size(self) -> int | None:
        return self._batch_size

    @property
    def has_partial_batch(self) -> bool | None:
        if self._num_batches is None or not self._batch_size:
            return None
        return self._partial_batch_size is not None

    @property
    def partial_batch_size(self) -> int | None:
        return self._partial_batch_size
