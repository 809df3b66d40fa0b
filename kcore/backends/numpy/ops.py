"""The NumPy backend's ops: plain functions over ``numpy.ndarray``.

This backend is the reference the conformance suite compares every other backend
with, so each op states Keras 3's result dtype explicitly (NumPy's own promotion
differs: ``int32 + float32`` is ``float64`` in NumPy, ``float32`` in Keras).
"""

from __future__ import annotations

import numpy as np

from kcore import config
from kcore.dtypes import dtype_of, python_scalar_dtype, result_type, standardize_dtype


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


_ndarray = np.ndarray


def _promoted(x1, x2, *extra):
    # Fast path: two arrays of one dtype need no promotion (NumPy dtypes are singletons).
    if type(x1) is _ndarray and type(x2) is _ndarray and x1.dtype is x2.dtype and not extra:
        return x1, x2
    dtype = result_type(dtype_of(x1), dtype_of(x2), *extra)
    return np.asarray(x1, dtype), np.asarray(x2, dtype)


def add(x1, x2):
    return np.asarray(np.add(*_promoted(x1, x2)))


def subtract(x1, x2):
    return np.asarray(np.subtract(*_promoted(x1, x2)))


def multiply(x1, x2):
    return np.asarray(np.multiply(*_promoted(x1, x2)))


def divide(x1, x2):
    # Integer division gives floats: promote with a weak float. x/0 is inf or nan, as
    # on every backend, without NumPy's warning.
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.true_divide(*_promoted(x1, x2, float)))


def maximum(x1, x2):
    return np.asarray(np.maximum(*_promoted(x1, x2)))


def _float(x):
    x = np.asarray(x)
    return x if x.dtype.kind in "fc" else x.astype(config.floatx())


def exp(x):
    return np.asarray(np.exp(_float(x)))


def max(x, axis=None, keepdims=False, initial=None):
    if initial is None:
        return np.asarray(np.max(x, axis=axis, keepdims=keepdims))
    return np.asarray(np.max(x, axis=axis, keepdims=keepdims, initial=initial))


#: Keras 3 widens small integer sums to 32 bits.
_SUM_DTYPES = {
    "bool": "int32",
    "int8": "int32",
    "int16": "int32",
    "uint8": "uint32",
    "uint16": "uint32",
}


def sum(x, axis=None, keepdims=False):
    x = np.asarray(x)
    dtype = _SUM_DTYPES.get(x.dtype.name, x.dtype.name)
    return np.asarray(np.sum(x, axis=axis, keepdims=keepdims, dtype=dtype))


def matmul(x1, x2):
    x1, x2 = _promoted(x1, x2)
    if x1.dtype == np.int8:  # Keras 3 accumulates int8 products in int32
        return np.asarray(np.matmul(x1, x2, dtype="int32"))
    return np.asarray(np.matmul(x1, x2))


def softmax(x, axis=-1):
    x = _float(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return np.asarray(e / np.sum(e, axis=axis, keepdims=True))


# relu is left to the core's composite (maximum(x, 0)): the reference backend keeps
# one op on the composite path so the fallback is exercised everywhere.
