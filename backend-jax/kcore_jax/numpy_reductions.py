"""Reductions, statistics and cumulative ops: this backend's implementations.

``jax.numpy`` already follows Keras 3's result dtypes for most of these (JAX is where
Keras takes them from); the functions below adjust the rest: ``int32`` indices and
counts, floatx for statistics of integers, float16 statistics computed in float32.
"""

from __future__ import annotations

import jax.numpy as jnp

from kcore.dtypes import result_type, standardize_dtype
from kcore.ops.numpy_reductions import _check_histogram, _weights_shape
from kcore_jax.ops import convert_to_tensor

# Aliased only where the positional parameters match the declared ones: the public
# function passes them positionally.
diff = jnp.diff
trace = jnp.trace


def _reduction(function):
    """``function`` with the declared parameters: jnp's third positional one is ``out``,
    so the public function's positional ``keepdims`` must go by keyword."""

    def apply(x, axis=None, keepdims=False):
        return function(x, axis=axis, keepdims=keepdims)

    apply.__name__ = function.__name__
    return apply


def _index_reduction(function):
    """As :func:`_reduction`, with Keras's ``int32`` indices."""

    def apply(x, axis=None, keepdims=False):
        return function(x, axis=axis, keepdims=keepdims).astype(jnp.int32)

    apply.__name__ = function.__name__
    return apply


all = _reduction(jnp.all)
any = _reduction(jnp.any)
ptp = _reduction(jnp.ptp)
nansum = _reduction(jnp.nansum)
nanprod = _reduction(jnp.nanprod)
amax = _reduction(jnp.max)
amin = _reduction(jnp.min)
nanmax = _reduction(jnp.nanmax)
nanmin = _reduction(jnp.nanmin)
argmax = _index_reduction(jnp.argmax)
argmin = _index_reduction(jnp.argmin)
nanargmax = _index_reduction(jnp.nanargmax)
nanargmin = _index_reduction(jnp.nanargmin)


def min(x, axis=None, keepdims=False, initial=None):
    return jnp.min(x, axis=axis, keepdims=keepdims, initial=initial)


def count_nonzero(x, axis=None):
    return jnp.count_nonzero(x, axis=axis).astype(jnp.int32)


def prod(x, axis=None, keepdims=False, dtype=None):
    return jnp.prod(x, axis=axis, keepdims=keepdims, dtype=dtype)


def _float(x):
    """``x`` in the float it is reduced in, and the result dtype: floatx for integers,
    float16 and bfloat16 computed in float32 (as Keras does)."""
    x = convert_to_tensor(x)
    dtype = result_type(standardize_dtype(x.dtype), float)
    compute = "float32" if dtype in ("float16", "bfloat16") else dtype
    return x.astype(compute), dtype


#: Dtypes a statistic is computed and returned in unchanged (no casts needed).
_KEPT = frozenset({jnp.dtype("float32"), jnp.dtype("float64")})


def _statistic(function):
    def apply(x, axis=None, keepdims=False):
        if getattr(x, "dtype", None) in _KEPT:  # the common case: two casts saved (~10 us)
            return function(x, axis=axis, keepdims=keepdims)
        x, dtype = _float(x)
        return function(x, axis=axis, keepdims=keepdims).astype(dtype)

    apply.__name__ = function.__name__
    return apply


mean = _statistic(jnp.mean)
var = _statistic(jnp.var)
std = _statistic(jnp.std)
median = _statistic(jnp.median)
nanmean = _statistic(jnp.nanmean)
nanvar = _statistic(jnp.nanvar)
nanstd = _statistic(jnp.nanstd)
nanmedian = _statistic(jnp.nanmedian)


def average(x, axis=None, weights=None):
    if weights is None:
        return mean(x, axis=axis)
    x, weights = convert_to_tensor(x), convert_to_tensor(weights)
    dtype = result_type(standardize_dtype(x.dtype), standardize_dtype(weights.dtype), float)
    compute = "float32" if dtype in ("float16", "bfloat16") else dtype
    # Not jnp.average: Keras gives nan where the weights sum to zero, with no check.
    x, weights = x.astype(compute), weights.astype(compute)
    view = _weights_shape(x.shape, weights.shape, axis)
    if view is not None:
        weights = jnp.broadcast_to(weights.reshape(view), x.shape)
    out = jnp.sum(x * weights, axis=axis) / jnp.sum(weights, axis=axis)
    return out.astype(dtype)


def _cumulative(function):
    def apply(x, axis=None, dtype=None):
        x = convert_to_tensor(x)
        if dtype is None:
            dtype = jnp.int32 if x.dtype == jnp.bool_ else x.dtype
        return function(x, axis=axis, dtype=dtype)

    apply.__name__ = function.__name__
    return apply


cumsum = _cumulative(jnp.cumsum)
cumprod = _cumulative(jnp.cumprod)
nancumsum = _cumulative(jnp.nancumsum)
nancumprod = _cumulative(jnp.nancumprod)


def _quantile(function, scale=1.0):
    def apply(x, q, axis=None, method="linear", keepdims=False):
        x, dtype = _float(x)
        q = jnp.asarray(q, dtype=x.dtype)
        if scale != 1.0:
            q = q / scale
        return function(x, q, axis=axis, method=method, keepdims=keepdims).astype(dtype)

    apply.__name__ = function.__name__
    return apply


quantile = _quantile(jnp.quantile)
nanquantile = _quantile(jnp.nanquantile)
percentile = _quantile(jnp.quantile, 100.0)
nanpercentile = _quantile(jnp.nanquantile, 100.0)


def histogram(x, bins=10, range=None):
    x = convert_to_tensor(x)
    _check_histogram(x.ndim, bins)
    x, dtype = _float(x)
    compute = x.dtype
    if range is None:
        lo, hi = jnp.min(x), jnp.max(x)
    else:
        lo, hi = jnp.asarray(range[0], compute), jnp.asarray(range[1], compute)
    same = lo == hi  # NumPy widens an empty range by half a unit each way
    lo, hi = jnp.where(same, lo - 0.5, lo), jnp.where(same, hi + 0.5, hi)
    # Edges as NumPy spaces them (start + i * step; jnp.linspace rounds differently,
    # which moves values lying on an edge to the other bin).
    edges = lo + jnp.arange(bins + 1, dtype=compute) * ((hi - lo) / bins)
    edges = edges.at[-1].set(hi)
    index = jnp.searchsorted(edges, x, side="right") - 1
    index = jnp.where(x == hi, bins - 1, index)  # the last bin is closed
    index = jnp.where((x >= lo) & (x <= hi), index, bins)  # outside: dropped
    counts = jnp.zeros(bins, dtype).at[index].add(1, mode="drop")
    return counts, edges.astype(dtype)


def bincount(x, weights=None, minlength=0, sparse=False):
    if sparse:
        raise ValueError("bincount: sparse=True is not supported by the jax backend")
    if weights is None:
        return jnp.bincount(x, minlength=minlength).astype(jnp.int32)
    weights = convert_to_tensor(weights)
    dtype = result_type(standardize_dtype(weights.dtype), "int32")
    return jnp.bincount(x, weights=weights.astype(dtype), minlength=minlength)
