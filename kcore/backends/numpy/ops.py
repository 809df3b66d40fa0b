"""The NumPy backend's ops: plain functions over ``numpy.ndarray``."""

from __future__ import annotations

import numpy as np

from kcore.dtypes import python_scalar_dtype, standardize_dtype


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    if sparse:
        raise ValueError("convert_to_tensor: the numpy backend has no sparse tensors (sparse=True)")
    if ragged:
        raise ValueError("convert_to_tensor: the numpy backend has no ragged tensors (ragged=True)")
    if dtype is not None:
        return np.asarray(x, dtype=standardize_dtype(dtype))
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "__array__") or isinstance(x, np.generic):
        return np.asarray(x)
    inferred = python_scalar_dtype(x)
    return np.asarray(x, dtype=inferred) if inferred else np.asarray(x)


def convert_to_numpy(x):
    return np.array(x)


def is_tensor(x):
    return isinstance(x, np.ndarray)


add = np.add
subtract = np.subtract
multiply = np.multiply
maximum = np.maximum
exp = np.exp


def divide(x1, x2):
    return np.true_divide(x1, x2)


def max(x, axis=None, keepdims=False, initial=None):
    if initial is None:
        return np.max(x, axis=axis, keepdims=keepdims)
    return np.max(x, axis=axis, keepdims=keepdims, initial=initial)


def sum(x, axis=None, keepdims=False):
    return np.sum(x, axis=axis, keepdims=keepdims)


def matmul(x1, x2):
    return np.matmul(x1, x2)


def softmax(x, axis=-1):
    x = np.asarray(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


# relu is left to the core's composite (maximum(x, 0)): the reference backend keeps
# one op on the composite path so the fallback is exercised everywhere.
