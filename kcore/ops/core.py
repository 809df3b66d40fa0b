"""Core ops: conversion between the backend's tensors and NumPy."""

from __future__ import annotations

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
