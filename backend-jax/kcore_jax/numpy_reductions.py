"""Reductions, statistics and cumulative ops: this backend's implementations.

``jax.numpy`` already follows Keras 3's result dtypes for most of these (JAX is where
Keras takes them from); the functions below adjust the rest: ``int32`` indices and
counts, floatx for statistics of integers, float16 statistics computed in float32.
"""

from __future__ import annotations

import jax.numpy as jnp

from kcore.dtypes import result_type, standardize_dtype
from kcore_jax.ops import convert_to_tensor

# Aliased only where the positional parameters match the declared ones: the public
# function passes them positionally.
diff = jnp.diff
trace = jnp.trace


def all(x, axis=None, keepdims=False):
    return jnp.all(x, axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return jnp.any(x, axis=axis, keepdims=keepdims)


def ptp(x, axis=None, keepdims=False):
    return jnp.ptp(x, axis=axis, keepdims=keepdims)


def nansum(x, axis=None, keepdims=False):
    return jnp.nansum(x, axis=axis, keepdims=keepdims)


def nanprod(x, axis=None, keepdims=False):
    return jnp.nanprod(x, axis=axis, keepdims=keepdims)


def amax(x, axis=None, keepdims=False):
    return jnp.max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    return jnp.min(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False, initial=None):
    return jnp.min(x, axis=axis, keepdims=keepdims, initial=initial)


def argmax(x, axis=None, keepdims=False):
    return jnp.argmax(x, axis=axis, keepdims=keepdims).astype(jnp.int32)


def argmin(x, axis=None, keepdims=False):
    return jnp.argmin(x, axis=axis, keepdims=keepdims).astype(jnp.int32)


def nanargmax(x, axis=None, keepdims=False):
    return jnp.nanargmax(x, axis=axis, keepdims=keepdims).astype(jnp.int32)


def nanargmin(x, axis=None, keepdims=False):
    return jnp.nanargmin(x, axis=axis, keepdims=keepdims).astype(jnp.int32)


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


def _statistic(function):
    def apply(x, axis=None, keepdims=False):
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


def nanmax(x, axis=None, keepdims=False):
    return jnp.nanmax(x, axis=axis, keepdims=keepdims)


def nanmin(x, axis=None, keepdims=False):
    return jnp.nanmin(x, axis=axis, keepdims=keepdims)


def average(x, axis=None, weights=None):
    if weights is None:
        return mean(x, axis=axis)
    x, weights = convert_to_tensor(x), convert_to_tensor(weights)
    dtype = result_type(standardize_dtype(x.dtype), standardize_dtype(weights.dtype), float)
    compute = "float32" if dtype in ("float16", "bfloat16") else dtype
    # Not jnp.average: Keras gives nan where the weights sum to zero, with no check.
    x, weights = x.astype(compute), weights.astype(compute)
    if weights.shape != x.shape:
        if weights.ndim != 1 or not isinstance(axis, int):
            raise ValueError(
                f"average: weights of shape {weights.shape} need x's shape {x.shape}, "
                "or 1-D with an int axis"
            )
        shape = [1] * x.ndim
        shape[axis] = weights.shape[0]
        weights = jnp.broadcast_to(weights.reshape(shape), x.shape)
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
    if x.ndim != 1:
        raise ValueError(f"histogram takes a 1-D tensor, got rank {x.ndim}")
    if isinstance(bins, bool) or not isinstance(bins, int):
        raise TypeError(f"histogram: bins must be an int, got {bins!r}")
    dtype = result_type(standardize_dtype(x.dtype), float)
    compute = "float32" if dtype in ("float16", "bfloat16") else dtype
    x = x.astype(compute)
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
