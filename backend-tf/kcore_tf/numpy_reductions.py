"""Reductions, statistics and cumulative ops: this backend's implementations.

TensorFlow has no kernels for several of these (quantiles, ``diff``, ``ptp``,
histograms with NumPy's edges) and none for booleans or narrow integers in others,
so they are built here from its reductions, ``sort`` and ``gather``; results take
Keras 3's dtypes: floats for statistics (floatx for integers, float16 computed in
float32), ``int32`` indices and counts, 32-bit widening for products and traces.
"""

from __future__ import annotations

import builtins

from kcore import config
from kcore.dtypes import result_type
from kcore.ops.numpy_reductions import _QUANTILE_METHODS as _METHODS
from kcore.ops.numpy_reductions import _check_histogram
from kcore_tf.numpy_shapes import _rank
from kcore_tf.ops import _axes, _cast, convert_to_tensor, tf
from kcore_tf.ops import max as _max
from kcore_tf.ops import sum as _sum

_All = tf.raw_ops.All
_Any = tf.raw_ops.Any
_Min = tf.raw_ops.Min
_Prod = tf.raw_ops.Prod
_Mean = tf.raw_ops.Mean
_NARROW_FLOATS = (tf.float16, tf.bfloat16)
# Keras 3 multiplies booleans and narrow integers in 32 bits, as it sums them.
_WIDENED = {
    tf.bool: tf.int32,
    tf.int8: tf.int32,
    tf.int16: tf.int32,
    tf.uint8: tf.uint32,
    tf.uint16: tf.uint32,
}


def _truth(x):
    return x if x.dtype == tf.bool else tf.not_equal(x, tf.zeros((), x.dtype))


def _float(x):
    """``x`` in the float it is reduced in (narrow floats in float32, integers in
    floatx), and the result dtype."""
    x = convert_to_tensor(x)
    dtype = x.dtype if x.dtype.is_floating else tf.as_dtype(config.floatx())
    return _cast(x, tf.float32 if dtype in _NARROW_FLOATS else dtype), dtype


def _dims(x, axis):
    """``axis`` as a sorted tuple of non-negative dims (all of them for None)."""
    rank = _rank(x)
    if axis is None:
        return tuple(range(rank))
    dims = []
    for a in axis if isinstance(axis, list | tuple) else (axis,):
        if not -rank <= a < builtins.max(rank, 1):
            raise ValueError(f"axis {a} is out of bounds for a tensor of rank {rank}")
        dims.append(a % rank if rank else 0)
    if len(set(dims)) != len(dims):
        raise ValueError(f"repeated axis in {axis!r}")
    return tuple(sorted(dims))


# -- boolean reductions and extrema ----------------------------------------------------


def all(x, axis=None, keepdims=False):
    x = _truth(convert_to_tensor(x))
    return _All(input=x, axis=_axes(x, axis), keep_dims=keepdims)


def any(x, axis=None, keepdims=False):
    x = _truth(convert_to_tensor(x))
    return _Any(input=x, axis=_axes(x, axis), keep_dims=keepdims)


def amax(x, axis=None, keepdims=False):
    return _max(x, axis, keepdims)


def amin(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    reduce = _All if x.dtype == tf.bool else _Min  # no bool kernel for Min
    return reduce(input=x, axis=_axes(x, axis), keep_dims=keepdims)


def min(x, axis=None, keepdims=False, initial=None):
    out = amin(x, axis, keepdims)
    if initial is not None:
        # NumPy counts ``initial`` as one more element of every reduced slice.
        out = tf.minimum(out, tf.constant(initial, out.dtype))
    return out


def ptp(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    if x.dtype == tf.bool:
        raise TypeError("ptp: booleans have no difference; cast to an integer dtype first")
    return amax(x, axis, keepdims) - amin(x, axis, keepdims)


def _arg(function, x, axis, keepdims):
    x = convert_to_tensor(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, tf.int32)
    if axis is None:
        out = function(tf.reshape(x, [-1]), axis=0, output_type=tf.int32)
        return tf.reshape(out, [1] * _rank(x)) if keepdims else out
    if not isinstance(axis, int):
        raise TypeError(f"axis must be an int or None, got {axis!r}")
    out = function(x, axis=axis, output_type=tf.int32)
    return tf.expand_dims(out, axis) if keepdims else out


def argmax(x, axis=None, keepdims=False):
    return _arg(tf.math.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return _arg(tf.math.argmin, x, axis, keepdims)


def count_nonzero(x, axis=None):
    x = _truth(convert_to_tensor(x))
    return _sum(tf.cast(x, tf.int32), axis)


# -- products and moments ----------------------------------------------------------


def prod(x, axis=None, keepdims=False, dtype=None):
    x = convert_to_tensor(x)
    target = _WIDENED.get(x.dtype, x.dtype) if dtype is None else tf.as_dtype(dtype)
    # No uint32 product kernel: multiply in int64, whose low 32 bits wrap as uint32's.
    accumulate = tf.int64 if target in (tf.uint32, tf.uint16) else target
    if accumulate == tf.bool:
        return all(x, axis, keepdims)
    out = _Prod(input=tf.cast(x, accumulate), axis=_axes(x, axis), keep_dims=keepdims)
    return _cast(out, target)


def mean(x, axis=None, keepdims=False):
    x, dtype = _float(x)
    return _cast(_Mean(input=x, axis=_axes(x, axis), keep_dims=keepdims), dtype)


def _variance(x, axis, keepdims):
    axes = _axes(x, axis)
    centred = x - _Mean(input=x, axis=axes, keep_dims=True)
    return _Mean(input=centred * centred, axis=axes, keep_dims=keepdims)


def var(x, axis=None, keepdims=False):
    x, dtype = _float(x)
    return _cast(_variance(x, axis, keepdims), dtype)


def std(x, axis=None, keepdims=False):
    x, dtype = _float(x)
    return _cast(tf.sqrt(_variance(x, axis, keepdims)), dtype)


def average(x, axis=None, weights=None):
    if weights is None:
        return mean(x, axis=axis)
    x, weights = convert_to_tensor(x), convert_to_tensor(weights)
    dtype = tf.as_dtype(result_type(x.dtype.name, weights.dtype.name, float))
    compute = tf.float32 if dtype in _NARROW_FLOATS else dtype
    x, weights = _cast(x, compute), _cast(weights, compute)
    if weights.shape.rank != x.shape.rank:
        if weights.shape.rank != 1 or not isinstance(axis, int):
            raise ValueError(
                f"average: weights of shape {weights.shape} need x's shape {x.shape}, "
                "or 1-D with an int axis"
            )
        shape = [1] * _rank(x)
        shape[axis] = -1
        weights = tf.reshape(weights, shape)
    weights = tf.broadcast_to(weights, tf.shape(x))
    axes = _axes(x, axis)
    out = tf.reduce_sum(x * weights, axes) / tf.reduce_sum(weights, axes)
    return _cast(out, dtype)


# -- cumulative --------------------------------------------------------------------


def _cumulative(function, x, axis, dtype):
    x = convert_to_tensor(x)
    if dtype is not None:
        x = _cast(x, tf.as_dtype(dtype))
    elif x.dtype == tf.bool:
        x = tf.cast(x, tf.int32)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    return function(x, axis=axis)


def cumsum(x, axis=None, dtype=None):
    return _cumulative(tf.math.cumsum, x, axis, dtype)


def cumprod(x, axis=None, dtype=None):
    return _cumulative(tf.math.cumprod, x, axis, dtype)


# -- order statistics ---------------------------------------------------------------


def _quantile(x, q, axis, method, keepdims, nan=False, scale=1.0):
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    x, dtype = _float(x)
    q = _cast(convert_to_tensor(q), x.dtype)
    if scale != 1.0:
        q = q / scale
    if q.shape.rank not in (0, 1):
        raise ValueError(f"q must be a scalar or 1-D, got shape {q.shape}")
    dims = _dims(x, axis)
    rank = _rank(x)
    kept = [d for d in range(rank) if d not in dims]
    shape = tf.shape(x)
    # Bring the reduced dims to the end, as one, and sort along it.
    flat = tf.transpose(x, kept + list(dims)) if rank else x
    lead = tf.gather(shape, tf.constant(kept, tf.int32))
    flat = tf.reshape(flat, tf.concat([lead, [-1]], 0))
    if nan:
        missing = tf.math.is_nan(flat)
        count = tf.reduce_sum(tf.cast(~missing, x.dtype), -1, keepdims=True)
        flat = tf.where(missing, tf.constant(float("inf"), x.dtype), flat)
    else:
        count = tf.cast(tf.shape(flat)[-1:], x.dtype)
    ordered = tf.sort(flat, axis=-1)
    # (..., len(q)); an all-NaN slice (count 0) reads index 0, replaced by NaN below.
    position = tf.reshape(q, [-1]) * tf.maximum(count - 1, 0)
    position = tf.broadcast_to(
        position, tf.concat([tf.shape(flat)[:-1], tf.shape(position)[-1:]], 0)
    )
    below, above = tf.floor(position), tf.math.ceil(position)

    def at(index):
        return tf.gather(ordered, tf.cast(index, tf.int32), axis=-1, batch_dims=len(kept))

    if method == "lower":
        out = at(below)
    elif method == "higher":
        out = at(above)
    elif method == "nearest":
        out = at(tf.round(position))  # halves to even, as NumPy
    elif method == "midpoint":
        out = (at(below) + at(above)) / 2
    else:
        low = at(below)
        out = low + (at(above) - low) * (position - below)
    if nan:  # an all-NaN slice has no quantile
        out = tf.where(count > 0, out, tf.constant(float("nan"), x.dtype))
    # (..., len(q)) -> (len(q), ...), or (...) for a scalar q.
    if q.shape.rank == 0:
        out = out[..., 0]
    else:
        out = tf.transpose(out, [len(kept)] + list(range(len(kept))))
    if keepdims:
        lead = tf.shape(q)[:1] if q.shape.rank else tf.zeros([0], tf.int32)
        ones = tf.where([d in dims for d in range(rank)], 1, shape) if rank else shape
        out = tf.reshape(out, tf.concat([lead, ones], 0))
    return _cast(out, dtype)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims, scale=100.0)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims, nan=True)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims, nan=True, scale=100.0)


def median(x, axis=None, keepdims=False):
    return _quantile(x, 0.5, axis, "linear", keepdims)


def nanmedian(x, axis=None, keepdims=False):
    return _quantile(x, 0.5, axis, "linear", keepdims, nan=True)


# -- NaN-ignoring -------------------------------------------------------------------


def _nan_to(x, value):
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return x
    return tf.where(tf.math.is_nan(x), tf.constant(value, x.dtype), x)


def nansum(x, axis=None, keepdims=False):
    return _sum(_nan_to(x, 0.0), axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    return prod(_nan_to(x, 1.0), axis, keepdims)


def _nan_moments(x, axis, keepdims):
    """The float ``x``, its count of non-NaN values and their mean (kept dims)."""
    x, dtype = _float(x)
    axes = _axes(x, axis)
    valid = ~tf.math.is_nan(x)
    count = tf.reduce_sum(tf.cast(valid, x.dtype), axes, keepdims=True)
    total = tf.reduce_sum(tf.where(valid, x, tf.zeros((), x.dtype)), axes, keepdims=True)
    return x, dtype, axes, valid, count, total / count


def nanmean(x, axis=None, keepdims=False):
    x, dtype, axes, _, _, average_ = _nan_moments(x, axis, keepdims)
    return _cast(average_ if keepdims else tf.squeeze(average_, _dims(x, axis)), dtype)


def _nanvar(x, axis, keepdims):
    x, dtype, axes, valid, count, centre = _nan_moments(x, axis, keepdims)
    centred = tf.where(valid, x - centre, tf.zeros((), x.dtype))
    out = tf.reduce_sum(centred * centred, axes, keepdims=True) / count
    return (out if keepdims else tf.squeeze(out, _dims(x, axis))), dtype


def nanvar(x, axis=None, keepdims=False):
    out, dtype = _nanvar(x, axis, keepdims)
    return _cast(out, dtype)


def nanstd(x, axis=None, keepdims=False):
    out, dtype = _nanvar(x, axis, keepdims)
    return _cast(tf.sqrt(out), dtype)


def _nan_extremum(reduce, fill, x, axis, keepdims):
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return reduce(x, axis, keepdims)
    out = reduce(_nan_to(x, fill), axis, keepdims)
    empty = all(tf.math.is_nan(x), axis, keepdims)
    return tf.where(empty, tf.constant(float("nan"), x.dtype), out)


def nanmax(x, axis=None, keepdims=False):
    return _nan_extremum(amax, float("-inf"), x, axis, keepdims)


def nanmin(x, axis=None, keepdims=False):
    return _nan_extremum(amin, float("inf"), x, axis, keepdims)


def nanargmax(x, axis=None, keepdims=False):
    return argmax(_nan_to(x, float("-inf")), axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    return argmin(_nan_to(x, float("inf")), axis, keepdims)


def nancumsum(x, axis=None, dtype=None):
    return cumsum(_nan_to(x, 0.0), axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    return cumprod(_nan_to(x, 1.0), axis, dtype)


# -- counting into bins -------------------------------------------------------------


def histogram(x, bins=10, range=None):
    x = convert_to_tensor(x)
    _check_histogram(x.shape.rank, bins)
    x, dtype = _float(x)
    if range is None:
        lo, hi = tf.reduce_min(x), tf.reduce_max(x)
    else:
        lo, hi = tf.constant(range[0], x.dtype), tf.constant(range[1], x.dtype)
    same = tf.equal(lo, hi)  # NumPy widens an empty range by half a unit each way
    lo, hi = tf.where(same, lo - 0.5, lo), tf.where(same, hi + 0.5, hi)
    # Edges as NumPy spaces them: start + i * step, the last one exactly the end.
    steps = tf.range(bins, dtype=x.dtype) * ((hi - lo) / bins)
    edges = tf.concat([lo + steps, tf.reshape(hi, [1])], 0)
    index = tf.searchsorted(edges, x, side="right", out_type=tf.int32) - 1
    index = tf.where(tf.equal(x, hi), bins - 1, index)  # the last bin is closed
    index = tf.where((x >= lo) & (x <= hi), index, bins)  # outside: an extra bin, dropped
    counts = tf.math.unsorted_segment_sum(tf.ones_like(x), index, bins + 1)[:bins]
    return _cast(counts, dtype), _cast(edges, dtype)


_BINCOUNT_WEIGHTS = (tf.int32, tf.int64, tf.float32, tf.float64)


def bincount(x, weights=None, minlength=0, sparse=False):
    if sparse:
        raise ValueError("bincount: sparse=True is not supported by the tensorflow backend")
    x = convert_to_tensor(x)
    if not x.dtype.is_integer or x.shape.rank != 1:
        raise TypeError(f"bincount takes a 1-D tensor of integers, got {x.dtype.name} {x.shape}")
    x = _cast(x, tf.int32)
    if weights is None:
        return tf.math.bincount(x, minlength=minlength, dtype=tf.int32)
    weights = convert_to_tensor(weights)
    dtype = tf.as_dtype(result_type(weights.dtype.name, "int32"))
    compute = weights.dtype
    if compute not in _BINCOUNT_WEIGHTS:
        compute = tf.float32 if compute.is_floating else tf.int64
    out = tf.math.bincount(x, weights=_cast(weights, compute), minlength=minlength, dtype=compute)
    return _cast(out, dtype)


# -- matrix-shaped ------------------------------------------------------------------


def trace(x, offset=0, axis1=0, axis2=1):
    x = convert_to_tensor(x)
    rank = _rank(x)
    axis1, axis2 = _dims(x, axis1)[0], _dims(x, axis2)[0]
    if axis1 == axis2:
        raise ValueError(f"axis1 and axis2 must differ, got {axis1} and {axis2}")
    target = _WIDENED.get(x.dtype, x.dtype)
    # diag_part has no kernels for booleans and unsigned types: take it in 64 bits.
    compute = tf.int64 if target.is_unsigned or target == tf.bool else target
    others = [d for d in range(rank) if d not in (axis1, axis2)]
    x = tf.transpose(_cast(x, compute), others + [axis1, axis2])
    rows, cols = x.shape[-2], x.shape[-1]
    if (rows is not None and -offset >= rows) or (cols is not None and offset >= cols):
        # No element on that diagonal (NumPy sums nothing; diag_part refuses).
        return tf.zeros(tf.shape(x)[:-2], target)
    diagonal = tf.linalg.diag_part(x, k=offset)
    return _cast(tf.reduce_sum(diagonal, -1), target)


def diff(a, n=1, axis=-1):
    a = convert_to_tensor(a)
    rank = _rank(a)
    axis = _dims(a, axis)[0]
    if n < 0:
        raise ValueError(f"diff: n must be >= 0, got {n}")
    head = tuple(slice(None) if d != axis else slice(1, None) for d in range(rank))
    tail = tuple(slice(None) if d != axis else slice(None, -1) for d in range(rank))
    for _ in range(n):
        if a.dtype == tf.bool:
            a = tf.not_equal(a[head], a[tail])
        else:
            a = a[head] - a[tail]
    return a
