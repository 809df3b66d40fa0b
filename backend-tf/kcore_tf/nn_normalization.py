"""Normalization, encoding, cross-entropy and metric ops: this backend's
implementations, on ``tf.nn.moments``, ``tf.one_hot`` and ``tf.nn.log_softmax``.
``moments(synchronized=True)`` inside a replica context of a distribution strategy
sums across the replicas, as Keras does. Result dtypes and argument checks are those
of :mod:`kcore.ops.nn_normalization`.
"""

from __future__ import annotations

import functools

from kcore import config
from kcore.dtypes import result_type, standardize_dtype
from kcore.ops.nn_normalization import (
    _on_axes_shape,
    _rms_scaling,
    check_integer_dtype,
    check_order,
    check_same_shape,
    float_dtype,
    multi_hot_classes,
    normalized_axes,
    one_hot_axis,
    polar_float_dtype,
    sparse_target_shape,
)
from kcore_tf.ops import convert_to_tensor, tf


def _name(x):
    return standardize_dtype(x.dtype)


def _cast(x, dtype):
    dtype = tf.as_dtype(dtype)
    return x if x.dtype == dtype else tf.cast(x, dtype)


def _axes(axis, rank):
    if axis is None:
        return None
    if isinstance(axis, list | tuple):
        return list(axis)
    return axis


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = convert_to_tensor(x)
    params = [None if p is None else convert_to_tensor(p) for p in (mean, variance, offset, scale)]
    dtype = float_dtype(_name(x), *(_name(p) for p in params if p is not None))
    ndim = x.shape.rank
    axis = range(max(ndim, 1))[axis]

    def prepared(p):
        if p is None:
            return None
        p = _cast(p, dtype)
        if p.shape.rank == 1 and ndim > 1:
            shape = [1] * ndim
            shape[axis] = -1
            p = tf.reshape(p, shape)
        return p

    mean, variance, offset, scale = map(prepared, params)
    inv = tf.math.rsqrt(variance + tf.constant(epsilon, dtype))
    if scale is not None:
        inv = inv * scale
    shift = -mean * inv
    if offset is not None:
        shift = shift + offset
    return _cast(x, dtype) * inv + shift


def moments(x, axes, keepdims=False, synchronized=False):
    x = convert_to_tensor(x)
    dtype = float_dtype(_name(x))
    wide = _cast(x, result_type(dtype, "float32"))
    axes = normalized_axes(axes, x.shape.rank)
    if synchronized:
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            return _synchronized_moments(context, wide, axes, keepdims, dtype)
    mean, variance = tf.nn.moments(wide, axes=axes, keepdims=keepdims)
    return _cast(mean, dtype), _cast(variance, dtype)


def _synchronized_moments(context, x, axes, keepdims, dtype):
    local_sum = tf.reduce_sum(x, axis=axes, keepdims=True)
    local_squares = tf.reduce_sum(tf.square(x), axis=axes, keepdims=True)
    count = tf.cast(tf.reduce_prod(tf.gather(tf.shape(x), axes)), x.dtype)
    total, squares, n = context.all_reduce(
        tf.distribute.ReduceOp.SUM, [local_sum, local_squares, count]
    )
    mean = total / n
    variance = tf.maximum(squares / n - tf.square(mean), 0)
    if not keepdims:
        mean, variance = tf.squeeze(mean, axes), tf.squeeze(variance, axes)
    return _cast(mean, dtype), _cast(variance, dtype)


def normalize(x, axis=-1, order=2, epsilon=None):
    check_order(order)
    x = convert_to_tensor(x)
    if not (x.dtype.is_floating or x.dtype.is_complex):
        x = tf.cast(x, config.floatx())
    if epsilon is None:
        epsilon = config.epsilon()
    axes = _axes(axis, x.shape.rank)
    if order == 2:
        norm = tf.sqrt(tf.reduce_sum(tf.square(x), axis=axes, keepdims=True))
    elif order == 1:
        norm = tf.reduce_sum(tf.abs(x), axis=axes, keepdims=True)
    else:
        norm = tf.reduce_sum(tf.abs(x) ** order, axis=axes, keepdims=True) ** (1.0 / order)
    return x / tf.maximum(norm, tf.constant(epsilon, x.dtype))


def _widened(x, epsilon):
    """``x`` in its compute dtype (at least float32), its own dtype, that compute
    dtype and the epsilon to use (``None``: the configured one)."""
    x = convert_to_tensor(x)
    if epsilon is None:
        epsilon = config.epsilon()
    compute = result_type(_name(x), "float32")
    return _cast(x, compute), x.dtype, compute, epsilon


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    wide, original, compute, epsilon = _widened(x, epsilon)
    mean_square = tf.reduce_mean(tf.square(wide), axis=_axes(axis, wide.shape.rank), keepdims=True)
    out = wide * tf.math.rsqrt(mean_square + epsilon)
    if scale is not None:
        out = out * _cast(convert_to_tensor(scale), compute)
    return _cast(out, original)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    rms_scaling = _rms_scaling(kwargs)
    wide, original, compute, epsilon = _widened(x, epsilon)
    ndim = wide.shape.rank
    axes = normalized_axes(axis, ndim)
    gamma, beta = (
        None if v is None else _on_axes(_cast(convert_to_tensor(v), compute), axes, ndim)
        for v in (gamma, beta)
    )
    mean, variance = tf.nn.moments(wide, axes=axes, keepdims=True)
    inv = tf.math.rsqrt(variance + epsilon)
    if rms_scaling:
        out = wide * inv
        return _cast(out if gamma is None else out * gamma, original)
    out = (wide - mean) * inv
    if gamma is not None:
        out = out * gamma
    if beta is not None:
        out = out + beta
    return _cast(out, original)


def _on_axes(value, axes, ndim):
    shape = _on_axes_shape(value.shape.rank, value.shape, axes, ndim)
    return value if shape is None else tf.reshape(value, shape)


#: Index dtypes tf.one_hot takes.
_INDICES = frozenset({tf.uint8, tf.int8, tf.int32, tf.int64})


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    x = convert_to_tensor(x)
    check_integer_dtype(_name(x))
    position = one_hot_axis(axis, x.shape.rank)
    if x.dtype not in _INDICES:
        x = tf.cast(x, tf.int64)
    on, off = _on_off(standardize_dtype(dtype))
    return _OneHot(indices=x, depth=num_classes, on_value=on, off_value=off, axis=position)


# The kernel itself: tf.one_hot's Python layers cost ~10x the kernel in eager mode.
_OneHot = tf.raw_ops.OneHot


@functools.lru_cache(maxsize=64)
def _on_off(dtype: str):
    # Made once, eagerly (init_scope also inside tf.function, so no graph tensor is cached).
    with tf.init_scope():
        return tf.constant(1, dtype), tf.constant(0, dtype)


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    num_classes = multi_hot_classes(num_classes, kwargs)
    inputs = _cast(convert_to_tensor(inputs), tf.int32)
    reduce_axis = 1 if inputs.shape.rank > 1 else 0
    return tf.reduce_max(one_hot(inputs, num_classes, axis=axis, dtype=dtype), axis=reduce_axis)


def _pair(target, output):
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    check_same_shape(target.shape.as_list(), output.shape.as_list())
    dtype = float_dtype(_name(target), _name(output))
    return _cast(target, dtype), _cast(output, dtype)


def _clipped(output):
    eps = config.epsilon()
    return tf.clip_by_value(
        output, tf.constant(eps, output.dtype), tf.constant(1 - eps, output.dtype)
    )


def binary_crossentropy(target, output, from_logits=False):
    target, output = _pair(target, output)
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    output = _clipped(output)
    return -(target * tf.math.log(output) + (1 - target) * tf.math.log1p(-output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _pair(target, output)
    if output.shape.rank == 0:
        raise ValueError("target and output must be of rank 1 or more")
    if from_logits:
        log_p = tf.nn.log_softmax(output, axis=axis)
    else:
        log_p = tf.math.log(_clipped(output / tf.reduce_sum(output, axis=axis, keepdims=True)))
    return -tf.reduce_sum(target * log_p, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    _, axis = sparse_target_shape(target.shape.as_list(), output.shape.as_list(), axis)
    if target.shape.rank == output.shape.rank:
        target = tf.squeeze(target, axis=-1)
    output = _cast(output, float_dtype(_name(output)))
    if from_logits:
        log_p = tf.nn.log_softmax(output, axis=axis)
    else:
        log_p = tf.math.log(_clipped(output / tf.reduce_sum(output, axis=axis, keepdims=True)))
    if target.dtype not in _INDICES:
        target = tf.cast(target, tf.int64)
    hot = tf.one_hot(target, tf.shape(output)[axis], axis=axis, dtype=output.dtype)
    return -tf.reduce_sum(hot * log_p, axis=axis)


def psnr(x1, x2, max_val):
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    check_same_shape(x1.shape.as_list(), x2.shape.as_list())
    dtype = float_dtype(_name(x1), _name(x2))
    wide = result_type(dtype, "float32")
    mse = tf.reduce_mean(tf.square(_cast(x1, wide) - _cast(x2, wide)))
    peak = _cast(convert_to_tensor(max_val), wide)
    ten = tf.math.log(tf.constant(10.0, wide))
    out = 20 * tf.math.log(peak) / ten - 10 * tf.math.log(mse) / ten
    return _cast(out, dtype)


def polar(abs_, angle):
    abs_, angle = convert_to_tensor(abs_), convert_to_tensor(angle)
    dtype = polar_float_dtype(_name(abs_), _name(angle))
    abs_, angle = _cast(abs_, dtype), _cast(angle, dtype)
    real, imag = abs_ * tf.cos(angle), abs_ * tf.sin(angle)
    shape = tf.broadcast_dynamic_shape(tf.shape(real), tf.shape(imag))
    return tf.complex(tf.broadcast_to(real, shape), tf.broadcast_to(imag, shape))
