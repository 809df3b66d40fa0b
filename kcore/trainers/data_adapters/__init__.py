"""Data adapters: one per kind of input ``fit``/``evaluate``/``predict`` accept.

:func:`get_data_adapter` picks the adapter for ``x``: a :class:`DataAdapter` instance is
used as it is; then the adapters of installed plugins (the ``kcore_data_adapters`` hook)
are asked, in registration order; then the built-in ones: arrays (NumPy, lists of
numbers, pandas, framework tensors, nested in lists/tuples/dicts), ``tf.data.Dataset``,
:class:`kcore.utils.PyDataset`, ``torch.utils.data.DataLoader`` and Python generators or
iterators.

Example::

    >>> from kcore.trainers.data_adapters import get_data_adapter
    >>> adapter = get_data_adapter(np.zeros((10, 3)), np.ones(10), batch_size=4)
    >>> adapter.num_batches, adapter.batch_size, adapter.partial_batch_size
    (3, 4, 2)
"""

from __future__ import annotations

import warnings
from typing import Any

from kcore.trainers.data_adapters import array_conversion
from kcore.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
from kcore.trainers.data_adapters.data_adapter import DataAdapter, KerasStyleAdapter
from kcore.trainers.data_adapters.generator_data_adapter import (
    GeneratorDataAdapter,
    is_python_iterator,
)
from kcore.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter
from kcore.trainers.data_adapters.tf_dataset_adapter import TFDatasetAdapter, is_tf_dataset
from kcore.trainers.data_adapters.torch_data_loader_adapter import (
    TorchDataLoaderAdapter,
    is_torch_dataloader,
)

__all__ = [
    "ArrayDataAdapter",
    "DataAdapter",
    "GeneratorDataAdapter",
    "PyDatasetAdapter",
    "TFDatasetAdapter",
    "TorchDataLoaderAdapter",
    "get_data_adapter",
    "is_tf_dataset",
    "is_torch_dataloader",
]

ACCEPTED_INPUTS = (
    "NumPy arrays, lists of numbers, pandas DataFrames/Series and jax/torch/TensorFlow "
    "tensors (alone or in lists, tuples and dicts), a tf.data.Dataset, a "
    "kcore.utils.PyDataset, a torch.utils.data.DataLoader, or a Python generator or "
    "iterator yielding tuples (x,), (x, y) or (x, y, sample_weight)"
)


def _plugin_adapter(x: Any, y: Any, kwargs: dict[str, Any]) -> DataAdapter | None:
    from kcore import registry

    for cls in registry.data_adapters():
        if cls.can_handle(x, y):
            adapter = cls(x=x, y=y, **kwargs)
            if not hasattr(adapter, "get_iterator") and hasattr(adapter, "get_numpy_iterator"):
                adapter = KerasStyleAdapter(adapter)
            return adapter
    return None


def _plugin_names() -> list[str]:
    from kcore import registry

    return [cls.__name__ for cls in registry.data_adapters()]


def _is_py_dataset(x: Any) -> bool:
    # Imported here: kcore.utils's package imports the models, which import the trainer.
    from kcore.utils.py_dataset import PyDataset

    return isinstance(x, PyDataset)


def _dataset_kind(x: Any) -> str | None:
    """The name of the non-array input kind ``x`` is, or ``None``."""
    if is_tf_dataset(x):
        return "tf.data.Dataset"
    if _is_py_dataset(x):
        return "PyDataset"
    if is_torch_dataloader(x):
        return "torch DataLoader"
    if is_python_iterator(x):
        return "Python generator"
    return None


def _refuse(argument: str, description: str, input_type: str) -> None:
    raise ValueError(
        f"When `x` is a {input_type}, `{argument}` should not be passed: {description} "
        f"should be part of the {input_type}'s batches instead, e.g. (x, y)."
    )


def _warn_shuffle_ignored(input_type: str) -> None:
    warnings.warn(
        f"`shuffle=True` was passed, but will be ignored since the data `x` was provided "
        f"as a {input_type}. The {input_type} is expected to yield already-shuffled data.",
        stacklevel=3,
    )


def get_data_adapter(
    x: Any,
    y: Any = None,
    sample_weight: Any = None,
    batch_size: int | None = None,
    steps_per_epoch: int | None = None,
    shuffle: bool | str = False,
    class_weight: dict | None = None,
) -> DataAdapter:
    """The data adapter for ``x`` (and ``y``, ``sample_weight``...).

    ``y`` and ``sample_weight`` go with arrays only: a dataset, a ``PyDataset``, a
    ``DataLoader`` or a generator carries them in its batches. ``batch_size`` applies to
    arrays (default 32, or ``ceil(samples / steps_per_epoch)`` when that is given);
    ``shuffle`` to arrays and to a finite ``PyDataset`` (other sources are expected to
    shuffle themselves: a warning says it is ignored). ``class_weight`` works with every
    source whose batches are ``(x, y)`` with a single output.

    Example::

        >>> adapter = get_data_adapter([1.0, 2.0, 3.0], [0, 1, 0], batch_size=2)
        >>> [batch[0].tolist() for batch in adapter.get_iterator()]
        [[1.0, 2.0], [3.0]]
    """
    if isinstance(x, DataAdapter):
        return x
    plugin = _plugin_adapter(
        x,
        y,
        dict(
            sample_weight=sample_weight,
            batch_size=batch_size,
            steps_per_epoch=steps_per_epoch,
            shuffle=shuffle,
            class_weight=class_weight,
        ),
    )
    if plugin is not None:
        return plugin

    if array_conversion.can_convert_arrays(x):
        return ArrayDataAdapter(
            x,
            y,
            sample_weight=sample_weight,
            batch_size=batch_size,
            steps=steps_per_epoch,
            shuffle=shuffle,
            class_weight=class_weight,
        )

    input_type = _dataset_kind(x)
    if input_type is None:
        plugins = _plugin_names()
        extra = f", or an input handled by an installed adapter plugin ({', '.join(plugins)})"
        raise ValueError(
            f"Unrecognized data type: x={str(x)[:200]} (of type {type(x).__name__}). "
            f"Expected {ACCEPTED_INPUTS}{extra if plugins else ''}."
        )

    if y is not None:
        _refuse("y", "the targets", input_type)
    if sample_weight is not None:
        _refuse("sample_weight", "the sample weights", input_type)
    if input_type == "PyDataset":
        if shuffle and x.num_batches is None:
            _warn_shuffle_ignored("infinite PyDataset")
        return PyDatasetAdapter(x, class_weight=class_weight, shuffle=shuffle)
    if shuffle:
        _warn_shuffle_ignored(input_type)
    if input_type == "tf.data.Dataset":
        return TFDatasetAdapter(x, class_weight=class_weight)
    if input_type == "torch DataLoader":
        return TorchDataLoaderAdapter(x, class_weight=class_weight)
    return GeneratorDataAdapter(x, class_weight=class_weight)
