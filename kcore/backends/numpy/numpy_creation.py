"""Tensor creation, windows and products: this backend's implementations.

Each function states Keras 3's result dtype explicitly (NumPy's own defaults are
float64 and int64 where Keras gives ``floatx()`` and int32).
"""

from __future__ import annotations

import numpy as np

from kcore import config
from kcore.backends.numpy.ops import _promoted, convert_to_tensor
from kcore.dtypes import dtype_of, result_type, standardize_dtype
from kcore.ops.numpy_creation import Vectorized, _arange_dtype, _space_dtype

# -- creation --------------------------------------------------------------------


def _dtype(dtype):
    return config.floatx() if dtype is None else standardize_dtype(dtype)


def arange(start, stop=None, step=None, dtype=None):
    dtype = standardize_dtype(_arange_dtype(start, stop, step, dtype))
    step = 1 if step is None else step
    if stop is None:
        start, stop = 0, start
    return np.arange(start, stop, step, dtype=dtype)


def eye(N, M=None, k=0, dtype=None):
    return np.eye(N, M, k, dtype=_dtype(dtype))


def full(shape, fill_value, dtype=None):
    return np.full(shape, fill_value, dtype=_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    x = np.asarray(x)
    return np.full(
        x.shape, fill_value, dtype=x.dtype if dtype is None else standardize_dtype(dtype)
    )


def ones(shape, dtype=None):
    return np.ones(shape, dtype=_dtype(dtype))


def zeros(shape, dtype=None):
    return np.zeros(shape, dtype=_dtype(dtype))


def ones_like(x, dtype=None):
    x = np.asarray(x)
    return np.ones(x.shape, dtype=x.dtype if dtype is None else standardize_dtype(dtype))


def zeros_like(x, dtype=None):
    x = np.asarray(x)
    return np.zeros(x.shape, dtype=x.dtype if dtype is None else standardize_dtype(dtype))


def _samples(start, stop, num, endpoint, axis):
    """float64 samples along a new leading axis, and the step."""
    start = np.asarray(start, np.float64)
    stop = np.asarray(stop, np.float64)
    start, stop = np.broadcast_arrays(start, stop)
    divisions = (num - 1) if endpoint else num
    with np.errstate(divide="ignore", invalid="ignore"):
        step = (stop - start) / divisions if divisions > 0 else np.full(start.shape, np.nan)
    index = np.arange(num, dtype=np.float64).reshape((num,) + (1,) * start.ndim)
    values = start + index * (step if divisions > 0 else 0.0)
    if endpoint and num > 1:
        values[-1] = stop
    return np.moveaxis(values, 0, axis), step


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    out_dtype = _space_dtype(start, stop, dtype)
    values, step = _samples(start, stop, num, endpoint, axis)
    if np.dtype(out_dtype).kind in "iub":
        values = np.floor(values)
    values = np.asarray(values.astype(out_dtype))
    if retstep:
        step_dtype = out_dtype if np.dtype(out_dtype).kind in "fc" else config.floatx()
        return values, np.asarray(step, dtype=step_dtype)
    return values


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    out_dtype = _space_dtype(start, stop, dtype)
    values, _ = _samples(start, stop, num, endpoint, axis)
    return np.asarray(np.power(np.float64(base), values).astype(out_dtype))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    out_dtype = _space_dtype(start, stop, dtype)
    values = np.geomspace(
        np.asarray(start, np.float64), np.asarray(stop, np.float64), num, endpoint, axis=axis
    )
    return np.asarray(values.astype(out_dtype))


def tri(N, M=None, k=0, dtype=None):
    return np.tri(N, M, k, dtype=_dtype(dtype))


def tril(x, k=0):
    return np.tril(x, k)


def triu(x, k=0):
    return np.triu(x, k)


def diag(x, k=0):
    return np.diag(x, k)


def diagflat(x, k=0):
    return np.diagflat(x, k)


def vander(x, N=None, increasing=False):
    x = np.asarray(x)
    return np.vander(x, N, increasing).astype(x.dtype)


# -- products ----------------------------------------------------------------------


def dot(x1, x2):
    return np.asarray(np.dot(*_promoted(x1, x2)))


def inner(x1, x2):
    return np.asarray(np.inner(*_promoted(x1, x2)))


def outer(x1, x2):
    return np.asarray(np.outer(*_promoted(x1, x2)))


def vdot(x1, x2):
    return np.asarray(np.vdot(*_promoted(x1, x2)))


def tensordot(x1, x2, axes=2):
    return np.asarray(np.tensordot(*_promoted(x1, x2), axes=axes))


def einsum(subscripts, *operands, **kwargs):
    arrays = [np.asarray(o) for o in operands]
    dtype = result_type(*(a.dtype.name for a in arrays))
    if all(a.dtype == np.int8 for a in arrays):  # Keras 3 accumulates int8 in int32
        dtype = "int32"
    return np.asarray(np.einsum(subscripts, *(a.astype(dtype) for a in arrays), **kwargs))


def kron(x1, x2):
    return np.asarray(np.kron(*_promoted(x1, x2)))


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    x1, x2 = _promoted(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = np.moveaxis(x1, axisa, -1)
    b = np.moveaxis(x2, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError(
            f"cross: vectors must have 2 or 3 components, got {a.shape[-1]} and {b.shape[-1]}"
        )
    a0, a1 = a[..., 0], a[..., 1]
    b0, b1 = b[..., 0], b[..., 1]
    a2 = a[..., 2] if a.shape[-1] == 3 else None
    b2 = b[..., 2] if b.shape[-1] == 3 else None
    z = a0 * b1 - a1 * b0
    if a2 is None and b2 is None:
        return np.asarray(z)  # the z component only, a scalar per pair
    zero = np.zeros((), a.dtype)
    a2 = zero if a2 is None else a2
    b2 = zero if b2 is None else b2
    x = a1 * b2 - a2 * b1
    y = a2 * b0 - a0 * b2
    out = np.stack(np.broadcast_arrays(x, y, z), axis=-1)
    return np.asarray(np.moveaxis(out, -1, axisc))


def _float_result(*arrays):
    return result_type(*(dtype_of(a) for a in arrays), float)


def correlate(x1, x2, mode="valid"):
    dtype = _float_result(x1, x2)
    a, b = np.asarray(x1, np.float64), np.asarray(x2, np.float64)
    return np.asarray(np.correlate(a, b, mode).astype(dtype))


def corrcoef(x):
    dtype = _float_result(x)
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant row gives nan
        return np.asarray(np.corrcoef(np.asarray(x, np.float64)).astype(dtype))


def slogdet(x):
    dtype = _float_result(x)
    sign, logdet = np.linalg.slogdet(np.asarray(x, np.float64))
    return np.asarray(sign, dtype), np.asarray(logdet, dtype)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    dtype = _float_result(y) if x is None else _float_result(y, x)
    y64 = np.asarray(y, np.float64)
    x64 = None if x is None else np.asarray(x, np.float64)
    return np.asarray(np.asarray(np.trapezoid(y64, x64, dx=float(dx), axis=axis)).astype(dtype))


def _stack(values, axis=0):
    return np.stack(values, axis)


def vectorize(pyfunc, *, excluded=None, signature=None):
    return Vectorized(
        pyfunc, excluded, signature, (convert_to_tensor, np.broadcast_to, np.reshape, _stack)
    )
