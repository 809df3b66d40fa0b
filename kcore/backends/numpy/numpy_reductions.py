"""Reductions, statistics and cumulative ops: this backend's implementations.

As the reference, each op states Keras 3's result dtype explicitly: floats for means,
variances and quantiles (floatx for integers), 32-bit widening of booleans and narrow
integers for sums and products, ``int32`` indices and counts.
"""

from __future__ import annotations

import numpy as np

from kcore.backends.numpy.ops import _SUM_DTYPES
from kcore.dtypes import result_type

_array = np.asarray


def _float_dtype(x):
    """The float dtype a statistic of ``x`` is computed and returned in."""
    return result_type(x.dtype.name, float)


def _compute(x):
    """``x`` as the float it is reduced in: narrow floats in float32 (as Keras does)."""
    dtype = _float_dtype(x)
    return x.astype("float32" if dtype in ("float16", "bfloat16") else dtype), dtype


def all(x, axis=None, keepdims=False):
    return _array(np.all(x, axis=axis, keepdims=keepdims))


def any(x, axis=None, keepdims=False):
    return _array(np.any(x, axis=axis, keepdims=keepdims))


def amax(x, axis=None, keepdims=False):
    return _array(np.max(x, axis=axis, keepdims=keepdims))


def amin(x, axis=None, keepdims=False):
    return _array(np.min(x, axis=axis, keepdims=keepdims))


def min(x, axis=None, keepdims=False, initial=None):
    if initial is None:
        return _array(np.min(x, axis=axis, keepdims=keepdims))
    return _array(np.min(x, axis=axis, keepdims=keepdims, initial=initial))


def ptp(x, axis=None, keepdims=False):
    return _array(np.ptp(x, axis=axis, keepdims=keepdims))


def argmax(x, axis=None, keepdims=False):
    return _array(np.argmax(x, axis=axis, keepdims=keepdims).astype("int32"))


def argmin(x, axis=None, keepdims=False):
    return _array(np.argmin(x, axis=axis, keepdims=keepdims).astype("int32"))


def count_nonzero(x, axis=None):
    return _array(np.count_nonzero(x, axis=axis), dtype="int32")


def prod(x, axis=None, keepdims=False, dtype=None):
    x = _array(x)
    if dtype is None:
        dtype = _SUM_DTYPES.get(x.dtype.name, x.dtype.name)
    return _array(np.prod(x, axis=axis, keepdims=keepdims, dtype=dtype))


def mean(x, axis=None, keepdims=False):
    x, dtype = _compute(_array(x))
    return _array(np.mean(x, axis=axis, keepdims=keepdims), dtype=dtype)


def var(x, axis=None, keepdims=False):
    x, dtype = _compute(_array(x))
    return _array(np.var(x, axis=axis, keepdims=keepdims), dtype=dtype)


def std(x, axis=None, keepdims=False):
    x, dtype = _compute(_array(x))
    return _array(np.std(x, axis=axis, keepdims=keepdims), dtype=dtype)


def average(x, axis=None, weights=None):
    x = _array(x)
    if weights is None:
        return mean(x, axis=axis)
    weights = _array(weights)
    dtype = result_type(x.dtype.name, weights.dtype.name, float)
    compute = "float32" if dtype in ("float16", "bfloat16") else dtype
    x, weights = x.astype(compute), weights.astype(compute)
    if weights.shape != x.shape:
        if weights.ndim != 1 or not isinstance(axis, int):
            raise ValueError(
                f"average: weights of shape {weights.shape} need x's shape {x.shape}, "
                "or 1-D with an int axis"
            )
        shape = [1] * x.ndim
        shape[axis] = weights.shape[0]
        weights = np.broadcast_to(weights.reshape(shape), x.shape)
    # Not np.average: it refuses weights summing to zero, where Keras gives nan.
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.sum(x * weights, axis=axis) / np.sum(weights, axis=axis)
    return _array(out, dtype=dtype)


def _cumulative_dtype(x, dtype):
    if dtype is not None:
        return dtype
    return "int32" if x.dtype == np.bool_ else x.dtype.name


def cumsum(x, axis=None, dtype=None):
    x = _array(x)
    return _array(np.cumsum(x, axis=axis, dtype=_cumulative_dtype(x, dtype)))


def cumprod(x, axis=None, dtype=None):
    x = _array(x)
    return _array(np.cumprod(x, axis=axis, dtype=_cumulative_dtype(x, dtype)))


def _quantile(function, x, q, axis, method, keepdims):
    x, dtype = _compute(_array(x))
    q = _array(q, dtype="float64")
    with np.errstate(invalid="ignore"):
        out = function(x, q, axis=axis, method=method, keepdims=keepdims)
    return _array(out, dtype=dtype)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(np.quantile, x, q, axis, method, keepdims)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(np.percentile, x, q, axis, method, keepdims)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(np.nanquantile, x, q, axis, method, keepdims)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(np.nanpercentile, x, q, axis, method, keepdims)


def median(x, axis=None, keepdims=False):
    x, dtype = _compute(_array(x))
    return _array(np.median(x, axis=axis, keepdims=keepdims), dtype=dtype)


def nanmedian(x, axis=None, keepdims=False):
    x, dtype = _compute(_array(x))
    return _array(np.nanmedian(x, axis=axis, keepdims=keepdims), dtype=dtype)


def nansum(x, axis=None, keepdims=False):
    x = _array(x)
    dtype = _SUM_DTYPES.get(x.dtype.name, x.dtype.name)
    return _array(np.nansum(x, axis=axis, keepdims=keepdims, dtype=dtype))


def nanprod(x, axis=None, keepdims=False):
    x = _array(x)
    dtype = _SUM_DTYPES.get(x.dtype.name, x.dtype.name)
    return _array(np.nanprod(x, axis=axis, keepdims=keepdims, dtype=dtype))


def nanmean(x, axis=None, keepdims=False):
    x, dtype = _compute(_array(x))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _array(np.nanmean(x, axis=axis, keepdims=keepdims), dtype=dtype)


def nanvar(x, axis=None, keepdims=False):
    x, dtype = _compute(_array(x))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _array(np.nanvar(x, axis=axis, keepdims=keepdims), dtype=dtype)


def nanstd(x, axis=None, keepdims=False):
    x, dtype = _compute(_array(x))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _array(np.nanstd(x, axis=axis, keepdims=keepdims), dtype=dtype)


def nanmax(x, axis=None, keepdims=False):
    x = _array(x)
    if x.dtype.kind != "f":
        return amax(x, axis, keepdims)
    with np.errstate(invalid="ignore"):
        return _array(np.fmax.reduce(x, axis=axis, keepdims=keepdims))


def nanmin(x, axis=None, keepdims=False):
    x = _array(x)
    if x.dtype.kind != "f":
        return amin(x, axis, keepdims)
    return _array(np.fmin.reduce(x, axis=axis, keepdims=keepdims))


def nanargmax(x, axis=None, keepdims=False):
    x = _array(x)
    if x.dtype.kind == "f":
        x = np.where(np.isnan(x), -np.inf, x)
    return argmax(x, axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    x = _array(x)
    if x.dtype.kind == "f":
        x = np.where(np.isnan(x), np.inf, x)
    return argmin(x, axis, keepdims)


def nancumsum(x, axis=None, dtype=None):
    x = _array(x)
    return _array(np.nancumsum(x, axis=axis, dtype=_cumulative_dtype(x, dtype)))


def nancumprod(x, axis=None, dtype=None):
    x = _array(x)
    return _array(np.nancumprod(x, axis=axis, dtype=_cumulative_dtype(x, dtype)))


def histogram(x, bins=10, range=None):
    x = _array(x)
    if x.ndim != 1:
        raise ValueError(f"histogram takes a 1-D tensor, got rank {x.ndim}")
    if isinstance(bins, bool) or not isinstance(bins, int):
        raise TypeError(f"histogram: bins must be an int, got {bins!r}")
    dtype = _float_dtype(x)
    counts, edges = np.histogram(x.astype("float64"), bins=bins, range=range)
    return _array(counts, dtype=dtype), _array(edges, dtype=dtype)


def bincount(x, weights=None, minlength=0, sparse=False):
    if sparse:
        raise ValueError("bincount: sparse=True is not supported by the numpy backend")
    x = _array(x)
    if weights is None:
        return _array(np.bincount(x, minlength=minlength), dtype="int32")
    weights = _array(weights)
    dtype = result_type(weights.dtype.name, "int32")
    return _array(np.bincount(x, weights=weights, minlength=minlength), dtype=dtype)


def trace(x, offset=0, axis1=0, axis2=1):
    x = _array(x)
    dtype = _SUM_DTYPES.get(x.dtype.name, x.dtype.name)
    return _array(np.trace(x, offset=offset, axis1=axis1, axis2=axis2, dtype=dtype))


def diff(a, n=1, axis=-1):
    return _array(np.diff(a, n=n, axis=axis))
