"""Reductions, statistics and cumulative ops: this backend's implementations.

As the reference, each op states Keras 3's result dtype explicitly: floats for means,
variances and quantiles (floatx for integers), 32-bit widening of booleans and narrow
integers for sums and products, ``int32`` indices and counts.
"""

from __future__ import annotations

import numpy as np

from kcore.backends.numpy.ops import _SUM_DTYPES
from kcore.dtypes import result_type
from kcore.ops.numpy_reductions import _check_histogram, _weights_shape

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


#: Dtypes a statistic is computed and returned in unchanged.
_KEPT = frozenset({np.dtype("float32"), np.dtype("float64")})


def _statistic(function, quiet=False):
    """The statistic ``function`` in floats: narrow floats computed in float32, the
    result in :func:`_float_dtype`; ``quiet`` silences NumPy's warnings for empty or
    all-NaN slices (their answer, NaN, is the expected one)."""
    if quiet:

        def apply(x, axis=None, keepdims=False):
            x, dtype = _compute(_array(x))
            with np.errstate(invalid="ignore", divide="ignore"):
                return _array(function(x, axis=axis, keepdims=keepdims), dtype=dtype)

    else:

        def apply(x, axis=None, keepdims=False):
            if type(x) is np.ndarray and x.dtype in _KEPT:  # no casts to make
                return np.asarray(function(x, axis=axis, keepdims=keepdims))
            x, dtype = _compute(_array(x))
            return _array(function(x, axis=axis, keepdims=keepdims), dtype=dtype)

    apply.__name__ = function.__name__
    return apply


mean = _statistic(np.mean)
var = _statistic(np.var)
std = _statistic(np.std)
median = _statistic(np.median)
nanmedian = _statistic(np.nanmedian)
nanmean = _statistic(np.nanmean, quiet=True)
nanvar = _statistic(np.nanvar, quiet=True)
nanstd = _statistic(np.nanstd, quiet=True)


def average(x, axis=None, weights=None):
    x = _array(x)
    if weights is None:
        return mean(x, axis=axis)
    weights = _array(weights)
    dtype = result_type(x.dtype.name, weights.dtype.name, float)
    compute = "float32" if dtype in ("float16", "bfloat16") else dtype
    x, weights = x.astype(compute), weights.astype(compute)
    view = _weights_shape(x.shape, weights.shape, axis)
    if view is not None:
        weights = np.broadcast_to(weights.reshape(view), x.shape)
    # Not np.average: it refuses weights summing to zero, where Keras gives nan.
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.sum(x * weights, axis=axis) / np.sum(weights, axis=axis)
    return _array(out, dtype=dtype)


def _cumulative_dtype(x, dtype):
    if dtype is not None:
        return dtype
    return "int32" if x.dtype == np.bool_ else x.dtype.name


def _cumulative(function):
    def apply(x, axis=None, dtype=None):
        x = _array(x)
        return _array(function(x, axis=axis, dtype=_cumulative_dtype(x, dtype)))

    apply.__name__ = function.__name__
    return apply


cumsum = _cumulative(np.cumsum)
cumprod = _cumulative(np.cumprod)
nancumsum = _cumulative(np.nancumsum)
nancumprod = _cumulative(np.nancumprod)


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


def nansum(x, axis=None, keepdims=False):
    x = _array(x)
    dtype = _SUM_DTYPES.get(x.dtype.name, x.dtype.name)
    return _array(np.nansum(x, axis=axis, keepdims=keepdims, dtype=dtype))


def nanprod(x, axis=None, keepdims=False):
    x = _array(x)
    dtype = _SUM_DTYPES.get(x.dtype.name, x.dtype.name)
    return _array(np.nanprod(x, axis=axis, keepdims=keepdims, dtype=dtype))


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


def histogram(x, bins=10, range=None):
    x = _array(x)
    _check_histogram(x.ndim, bins)
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
