"""Core ops: conversion between the backend's tensors and NumPy."""

from __future__ import annotations

from kcore.dtypes import standardize_dtype
from kcore.ops.contract import op


@op("core")
def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Convert a NumPy array, Python value or tensor to the backend's tensor type.

    Python floats become ``kcore.config.floatx()`` and Python ints ``int32``, as in
    Keras 3; ``dtype`` forces a dtype.

    Example::

        >>> x = kcore.ops.convert_to_tensor([1, 2, 3])
    """
    ...


@op("core")
def convert_to_numpy(x):
    """Convert a tensor to a NumPy array.

    Example::

        >>> kcore.ops.convert_to_numpy(kcore.ops.convert_to_tensor([1.0])).tolist()
        [1.0]
    """
    ...


@op("core")
def is_tensor(x):
    """Whether ``x`` is a tensor of the selected backend.

    Example::

        >>> kcore.ops.is_tensor(kcore.ops.convert_to_tensor([1.0]))
        True
    """
    ...


@op("core", composite=True, grad=False)
def dtype(x):
    """The standard name of a tensor's dtype (``"float32"``, ``"int8"``, ...).

    Example::

        >>> kcore.ops.dtype(kcore.ops.convert_to_tensor([1, 2]))
        'int32'
    """
    return standardize_dtype(x.dtype)


@op("core", composite=True, grad=False)
def shape(x):
    """A tensor's shape as a tuple (``None`` for unknown dimensions of a KerasTensor).

    Example::

        >>> kcore.ops.shape(kcore.ops.convert_to_tensor([[1, 2, 3]]))
        (1, 3)
    """
    return tuple(None if d is None else int(d) for d in x.shape)
