"""``SampleDataset``: the :class:`~kcore.utils.PyDataset` that kcore's dataset utilities
return when they do not return a ``tf.data.Dataset``.

Keras's ``image_dataset_from_directory``, ``timeseries_dataset_from_array``,
``split_dataset``... return ``tf.data.Dataset`` objects. kcore runs without
TensorFlow, so these utilities return a ``SampleDataset`` instead when TensorFlow is
not installed or when ``format="pydataset"`` is asked: a ``PyDataset`` whose item
``i`` is batch ``i`` (a tuple of NumPy arrays), which ``Model.fit`` takes directly,
and which has the same ``class_names`` and ``file_paths`` attributes.

Example::

    >>> ds = kcore.utils.timeseries_dataset_from_array(
    ...     np.arange(10), None, sequence_length=3, batch_size=4, format="pydataset")
    >>> len(ds), ds[0].shape
    (2, (4, 3))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from kcore.utils.py_dataset import PyDataset


def stack_samples(samples: list[Any]) -> Any:
    """One batch from a list of samples of the same structure (tuples, dicts, arrays).

    Example::

        >>> stack_samples([(np.zeros(2), 0), (np.ones(2), 1)])[1]
        array([0, 1])
    """
    first = samples[0]
    if isinstance(first, tuple):
        return tuple(stack_samples([s[i] for s in samples]) for i in range(len(first)))
    if isinstance(first, dict):
        return {key: stack_samples([s[key] for s in samples]) for key in first}
    return np.stack([np.asarray(s) for s in samples])


class SampleDataset(PyDataset):
    """A dataset of ``num_samples`` samples, served one batch per item.

    Args:
        get_sample: ``index -> sample`` (an array, or a tuple or dict of arrays).
        num_samples: how many samples there are.
        batch_size: samples per batch; ``None`` serves single samples (no batch axis),
            like an unbatched ``tf.data.Dataset``.
        shuffle: serve the samples in a random order, drawn again after each epoch.
        seed: the shuffling seed.
        collate: ``list of samples -> batch``; default :func:`stack_samples`.

    Example::

        >>> data = np.arange(6.0)
        >>> ds = SampleDataset(lambda i: data[i], 6, batch_size=4)
        >>> [b.tolist() for b in ds]
        [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0]]
    """

    def __init__(
        self,
        get_sample: Callable[[int], Any],
        num_samples: int,
        batch_size: int | None = None,
        shuffle: bool = False,
        seed: int | None = None,
        collate: Callable[[list[Any]], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if batch_size is not None and (isinstance(batch_size, bool) or batch_size < 1):
            raise ValueError(f"batch_size must be a positive int or None, received {batch_size!r}")
        self._get_sample = get_sample
        self.num_samples = int(num_samples)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self._collate = collate or stack_samples
        self._rng = np.random.RandomState(seed)
        self._order = np.arange(self.num_samples)
        if shuffle:
            self._rng.shuffle(self._order)
        self.class_names = None
        self.file_paths = None
        #: True when the samples' second axis varies between batches (audio).
        self.variable_length = False

    def __len__(self) -> int:
        if self.batch_size is None:
            return self.num_samples
        return math.ceil(self.num_samples / self.batch_size)

    def __getitem__(self, index: int) -> Any:
        count = len(self)
        if isinstance(index, slice) or not -count <= index < count:
            raise IndexError(f"batch index {index!r} out of range for {count} batches")
        index %= count
        if self.batch_size is None:
            return self._get_sample(int(self._order[index]))
        chosen = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        return self._collate([self._get_sample(int(i)) for i in chosen])

    def on_epoch_end(self) -> None:
        """Draw a new sample order (when shuffling)."""
        if self.shuffle:
            self._rng.shuffle(self._order)

    def batch(self, batch_size: int) -> SampleDataset:
        """The same samples served ``batch_size`` at a time (as ``tf.data``'s ``batch``).

        Example::

            >>> left, right = kcore.utils.split_dataset(np.arange(10.0), left_size=0.8,
            ...                                         preferred_backend="kcore")
            >>> len(left.batch(4))
            2
        """
        batched = SampleDataset(
            self._get_sample,
            self.num_samples,
            batch_size=batch_size,
            shuffle=self.shuffle,
            seed=self.seed,
            collate=self._collate,
        )
        batched._order = self._order.copy()
        batched.class_names = self.class_names
        batched.file_paths = self.file_paths
        batched.variable_length = self.variable_length
        return batched

    def __repr__(self) -> str:
        size = "unbatched" if self.batch_size is None else f"batch_size={self.batch_size}"
        return f"<SampleDataset {self.num_samples} samples, {size}, {len(self)} items>"


def _tf_spec(tf: Any, value: Any, batched: bool, variable_length: bool) -> Any:
    if isinstance(value, tuple):
        return tuple(_tf_spec(tf, v, batched, variable_length) for v in value)
    if isinstance(value, dict):
        return {k: _tf_spec(tf, v, batched, variable_length) for k, v in value.items()}
    if isinstance(value, list):  # a ragged batch: a list of arrays of different lengths
        inner = np.asarray(value[0])
        return tf.RaggedTensorSpec(
            shape=(None, None) + inner.shape[1:], dtype=tf.as_dtype(inner.dtype), ragged_rank=1
        )
    value = np.asarray(value)
    dtype = tf.string if value.dtype.kind in "US" else tf.as_dtype(value.dtype)
    shape = ((None,) + value.shape[1:]) if batched else value.shape
    if variable_length and len(shape) >= 3:  # (batch, time, channels): time varies
        shape = shape[:1] + (None,) + shape[2:]
    return tf.TensorSpec(shape=shape, dtype=dtype)


def _to_tf_value(tf: Any, value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_to_tf_value(tf, v) for v in value)
    if isinstance(value, dict):
        return {k: _to_tf_value(tf, v) for k, v in value.items()}
    if isinstance(value, list):
        return tf.ragged.constant([np.asarray(v).tolist() for v in value], ragged_rank=1)
    return value


def to_tf_dataset(dataset: SampleDataset) -> Any:
    """The same batches as a ``tf.data.Dataset`` (with ``class_names``, ``file_paths``
    and a known cardinality), for the ``format="tf"`` results.

    Example::

        >>> ds = SampleDataset(lambda i: np.float32(i), 5, batch_size=2)
        >>> tf_ds = to_tf_dataset(ds)  # doctest: +SKIP
    """
    import tensorflow as tf

    if len(dataset) == 0:
        raise ValueError("cannot build a tf.data.Dataset from an empty dataset (no samples)")
    batched = dataset.batch_size is not None
    signature = _tf_spec(tf, dataset[0], batched, dataset.variable_length)

    def generate() -> Any:
        for index in range(len(dataset)):
            yield _to_tf_value(tf, dataset[index])
        dataset.on_epoch_end()

    result = tf.data.Dataset.from_generator(generate, output_signature=signature)
    result = result.apply(tf.data.experimental.assert_cardinality(len(dataset)))
    result.class_names = dataset.class_names
    result.file_paths = dataset.file_paths
    return result
