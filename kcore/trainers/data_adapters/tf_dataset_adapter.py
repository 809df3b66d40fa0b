"""The adapter for ``tf.data.Dataset``, on any backend.

The dataset is iterated as it is: batches hold TensorFlow tensors, which the trainer
converts (on the TensorFlow backend they are already native; elsewhere ``numpy.asarray``
on a CPU tensor shares its memory). TensorFlow is never imported here: the dataset
brings it, and it is recognised by its class's module.

Example::

    >>> ds = tf.data.Dataset.from_tensor_slices((np.zeros((5, 2)), np.ones(5))).batch(2)
    >>> adapter = TFDatasetAdapter(ds)      # doctest: +SKIP
    >>> adapter.num_batches                 # doctest: +SKIP
    3
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kcore import tree
from kcore.trainers.data_adapters import data_adapter_utils
from kcore.trainers.data_adapters.data_adapter import DataAdapter

_DATASET_CLASSES = ("DatasetV2", "DistributedDataset", "DistributedDatasetsFromFunction")


def is_tf_dataset(x: Any) -> bool:
    """Whether ``x`` is a ``tf.data.Dataset`` (or a distributed one), judged by its
    class's module, so TensorFlow is not imported.

    Example::

        >>> is_tf_dataset([1, 2])
        False
    """
    return any(
        c.__name__ in _DATASET_CLASSES and "tensorflow.python." in str(c.__module__)
        for c in type(x).__mro__
    )


class TFDatasetAdapter(DataAdapter):
    """Batches from a ``tf.data.Dataset`` (already batched by the user).

    Args:
        dataset: the dataset; each element is a batch ``x``, ``(x,)``, ``(x, y)`` or
            ``(x, y, sample_weight)``.
        class_weight: dict of class index to weight, turned into sample weights for
            each ``(x, y)`` batch (the weights are NumPy arrays).

    Example::

        >>> adapter = TFDatasetAdapter(ds)             # doctest: +SKIP
        >>> x, y = next(iter(adapter.get_iterator()))  # doctest: +SKIP
    """

    def __init__(self, dataset: Any, class_weight: dict | None = None) -> None:
        if not is_tf_dataset(dataset):
            raise ValueError(
                f"Expected a tf.data.Dataset, received {type(dataset).__name__}: {dataset!r}."
            )
        self._dataset = dataset
        self._class_weight = class_weight

    def get_iterator(self) -> Iterator[Any]:
        """A new pass over the dataset.

        Example::

            >>> batches = list(adapter.get_iterator())   # doctest: +SKIP
        """
        class_weight = self._class_weight
        for batch in self._dataset:
            if class_weight is not None:
                batch = data_adapter_utils.add_class_weights(batch, class_weight)
            yield batch

    @property
    def num_batches(self) -> int | None:
        cardinality = self._dataset.cardinality
        cardinality = int(cardinality() if callable(cardinality) else cardinality)
        return cardinality if cardinality >= 0 else None  # -1 infinite, -2 unknown

    @property
    def batch_size(self) -> int | None:
        spec = tree.flatten(self._dataset.element_spec)[0]
        shape = getattr(spec, "shape", None)
        if shape is None or len(shape) == 0:
            return None
        return shape[0]
