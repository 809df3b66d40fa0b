"""TensorFlow implementations of the ops declared in ``kcore/ops/math.py``.

Segment reductions are ``tf.math.unsorted_segment_*``: eagerly the ids are checked
against ``num_segments`` first (TF would drop negative ids); an empty segment of a
float ``segment_max``/``segment_min`` becomes ``-inf``/``+inf`` (TF gives the dtype's
largest finite value). ``in_top_k`` and ``rearrange`` run the core's composites.
"""

from __future__ import annotations

from kcore.dtypes import result_type
from kcore.ops.math import (
    _TRACED,
    _check_complex_pair,
    _check_segment_shapes,
    _check_top_k,
    _segment_count,
)
from kcore_tf.ops import _as_float, convert_to_tensor, tf


def _shape(x):
    return tuple(x.shape.as_list()) if x.shape.rank is not None else ()


# --------------------------------------------------------------------------- segments


def _segments(data, segment_ids, num_segments):
    data, ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    _check_segment_shapes(_shape(data), _shape(ids))
    if not ids.dtype.is_integer:
        raise TypeError(f"segment_ids of an integer dtype, got {ids.dtype.name}")
    if not tf.executing_eagerly():
        if num_segments is None:  # traced: the count is computed in the graph
            return data, ids, tf.reduce_max(ids) + 1
        return data, ids, _segment_count(num_segments, _TRACED, None)
    if ids.shape[0]:
        low, high = int(tf.reduce_min(ids)), int(tf.reduce_max(ids))
        count = _segment_count(num_segments, low, high)
    else:
        count = _segment_count(num_segments, None, None)
    return data, ids, count


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    return tf.math.unsorted_segment_sum(*_segments(data, segment_ids, num_segments))


def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    return tf.math.unsorted_segment_prod(*_segments(data, segment_ids, num_segments))


def _extreme(reduce, infinity):
    def fn(data, segment_ids, num_segments=None, sorted=False):
        data, ids, count = _segments(data, segment_ids, num_segments)
        out = reduce(data, ids, count)
        if not data.dtype.is_floating:
            return out  # TF's fill for integers already is the dtype's extreme
        present = tf.math.unsorted_segment_max(tf.ones_like(ids, tf.int32), ids, count)
        present = tf.reshape(
            present > 0, tf.concat([[-1], tf.ones([tf.rank(data) - 1], tf.int32)], 0)
        )
        return tf.where(present, out, tf.constant(infinity, data.dtype))

    return fn


segment_max = _extreme(tf.math.unsorted_segment_max, float("-inf"))
segment_min = _extreme(tf.math.unsorted_segment_min, float("inf"))


# --------------------------------------------------------------------------- ranking


def top_k(x, k, sorted=True):
    x = convert_to_tensor(x)
    _check_top_k(k, _shape(x))
    values, indices = tf.math.top_k(x, int(k), sorted=True)
    return values, indices


# --------------------------------------------------------------------------- reductions


def logsumexp(x, axis=None, keepdims=False):
    return tf.reduce_logsumexp(_as_float(x), axis=axis, keepdims=keepdims)


# --------------------------------------------------------------------------- element-wise


def rsqrt(x):
    return tf.math.rsqrt(_as_float(x))


def erf(x):
    return tf.math.erf(_as_float(x))


def erfc(x):
    return tf.math.erfc(_as_float(x))


def erfinv(x):
    x = _as_float(x)
    if x.dtype in (tf.float16, tf.bfloat16):  # TF's CPU kernel is float32/float64 only
        return tf.cast(tf.math.erfinv(tf.cast(x, tf.float32)), x.dtype)
    return tf.math.erfinv(x)


# --------------------------------------------------------------------------- matrices


def logdet(x):
    x = _as_float(x)
    narrow = x.dtype in (tf.float16, tf.bfloat16)  # no LU kernels for them
    sign, log_abs = tf.linalg.slogdet(tf.cast(x, tf.float32) if narrow else x)
    out = tf.where(sign < 0, tf.constant(float("nan"), log_abs.dtype), log_abs)
    return tf.cast(out, x.dtype) if narrow else out


def cdist(x, y):
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    dtype = result_type(x.dtype.name, y.dtype.name, float)
    x, y = tf.cast(x, dtype), tf.cast(y, dtype)
    difference = tf.expand_dims(x, -2) - tf.expand_dims(y, -3)
    return tf.sqrt(tf.reduce_sum(difference * difference, axis=-1))


# --------------------------------------------------------------------------- complex views


def view_as_complex(x):
    x = convert_to_tensor(x)
    _check_complex_pair(_shape(x))
    if x.dtype.is_complex:
        raise TypeError(f"x of a real dtype, got {x.dtype.name}")
    x = tf.cast(x, tf.float32)
    return tf.complex(x[..., 0], x[..., 1])


def view_as_real(x):
    x = convert_to_tensor(x)
    if not x.dtype.is_complex:
        return tf.stack([x, tf.zeros_like(x)], axis=-1)
    return tf.stack([tf.math.real(x), tf.math.imag(x)], axis=-1)
