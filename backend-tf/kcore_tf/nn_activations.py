"""Activation functions: this backend's implementations.

``tf.nn``'s kernels where TensorFlow has one (``relu6``, ``sigmoid``, ``softplus``,
``elu``, ``selu``, ``gelu``, ``leaky_relu``, ``log_softmax``...), plain ops for the
rest. TF's float kernels refuse integers, so integers and booleans become floatx
first (Keras 3's result dtype).
"""

from __future__ import annotations

import math

from kcore.dtypes import dtype_of, result_type
from kcore_tf.ops import _as_float, convert_to_tensor, tf

_nn = tf.nn
# Raw kernels: tf.sigmoid, tf.nn.silu and tf.nn.gelu add Python dispatch layers (and
# silu a custom gradient) that cost 5-20x the kernels themselves in eager mode.
_Sigmoid = tf.raw_ops.Sigmoid
_Mul = tf.raw_ops.Mul
_AddV2 = tf.raw_ops.AddV2
_Tanh = tf.raw_ops.Tanh
_Erf = tf.raw_ops.Erf


def _const(value, x):
    return tf.constant(value, dtype=x.dtype)


def relu6(x):
    return _nn.relu6(_as_float(x))


def sigmoid(x):
    return _Sigmoid(x=_as_float(x))


def softplus(x):
    return _nn.softplus(_as_float(x))


def softsign(x):
    return _nn.softsign(_as_float(x))


def silu(x):
    x = _as_float(x)
    return _Mul(x=x, y=_Sigmoid(x=x))


swish = silu


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SQRT_HALF = math.sqrt(0.5)


def gelu(x, approximate=True):
    # Python scalars in second place take x's dtype in the kernel (float64 included).
    x = _as_float(x)
    half = _Mul(x=x, y=0.5)
    if approximate:
        cube = _Mul(x=_Mul(x=x, y=x), y=x)
        inner = _Mul(x=_AddV2(x=x, y=_Mul(x=cube, y=0.044715)), y=_SQRT_2_OVER_PI)
        return _Mul(x=half, y=_AddV2(x=_Tanh(x=inner), y=1.0))
    return _Mul(x=half, y=_AddV2(x=_Erf(x=_Mul(x=x, y=_SQRT_HALF)), y=1.0))


def glu(x, axis=-1):
    x = _as_float(x)
    size = x.shape[axis]
    if size is not None and size % 2:
        raise ValueError(f"glu: the size of x along axis {axis} must be even, got {size}")
    a, b = tf.split(x, 2, axis=axis)
    return a * tf.sigmoid(b)


def elu(x, alpha=1.0):
    x = _as_float(x)
    if alpha == 1.0:
        return _nn.elu(x)
    return tf.where(x > 0, x, alpha * tf.math.expm1(tf.minimum(x, 0)))


def selu(x):
    return _nn.selu(_as_float(x))


def leaky_relu(x, negative_slope=0.2):
    x = _as_float(x)
    if x.dtype != tf.float64:
        return _nn.leaky_relu(x, alpha=negative_slope)
    # The kernel's alpha is a float32 attribute: 0.2 would become 0.20000000298.
    return tf.where(x >= 0, x, x * negative_slope)


def hard_sigmoid(x):
    x = _as_float(x)
    return _nn.relu6(x + 3) / 6


def hard_silu(x):
    x = _as_float(x)
    return x * (_nn.relu6(x + 3) / 6)


hard_swish = hard_silu


def celu(x, alpha=1.0):
    x = _as_float(x)
    return tf.maximum(x, 0) + alpha * tf.math.expm1(tf.minimum(x, 0) / alpha)


def log_sigmoid(x):
    return tf.math.log_sigmoid(_as_float(x))


def log_softmax(x, axis=-1):
    x = _as_float(x)
    if isinstance(axis, int):
        return _nn.log_softmax(x, axis=axis)
    axes = None if axis is None else list(axis)
    shifted = x - tf.stop_gradient(tf.reduce_max(x, axis=axes, keepdims=True))
    return shifted - tf.math.log(tf.reduce_sum(tf.exp(shifted), axis=axes, keepdims=True))


def sparsemax(x, axis=-1):
    x = _as_float(x)
    rank = x.shape.rank
    if not -rank <= axis < rank:
        raise ValueError(f"sparsemax: axis {axis} is out of range for rank {rank}")
    axis %= rank
    perm = None
    if axis != rank - 1:
        perm = [i for i in range(rank) if i != axis] + [axis]
        x = tf.transpose(x, perm)
    ranked = -tf.sort(-x, axis=-1)
    cumulative = tf.cumsum(ranked, axis=-1)
    k = tf.cast(tf.range(1, tf.shape(x)[-1] + 1), x.dtype)
    count = tf.reduce_sum(tf.cast(1 + k * ranked > cumulative, tf.int32), axis=-1, keepdims=True)
    total = tf.gather(cumulative, count - 1, axis=-1, batch_dims=rank - 1)
    tau = (total - 1) / tf.cast(count, x.dtype)
    out = tf.maximum(x - tau, 0)
    if perm is not None:
        out = tf.transpose(out, tf.math.invert_permutation(perm))
    return out


def squareplus(x, b=4):
    x = _as_float(x)
    return (x + tf.sqrt(x * x + b)) / 2


def tanh_shrink(x):
    x = _as_float(x)
    return x - tf.tanh(x)


def threshold(x, threshold, default_value):
    x = convert_to_tensor(x)
    dtype = tf.as_dtype(result_type(dtype_of(x), dtype_of(default_value)))
    if isinstance(threshold, tf.Tensor | tf.Variable):
        above = x > tf.cast(threshold, x.dtype)
    elif x.dtype.is_floating or float(threshold).is_integer():
        above = x > tf.constant(threshold, dtype=x.dtype)
    else:  # an integer x against a fractional threshold
        above = tf.cast(x, tf.float64) > threshold
    x = x if x.dtype == dtype else tf.cast(x, dtype)
    return tf.where(above, x, convert_to_tensor(default_value, dtype=dtype))


def sparse_plus(x):
    x = _as_float(x)
    middle = tf.square(x + 1) / 4
    return tf.where(x <= -1, tf.zeros_like(x), tf.where(x >= 1, x, middle))


def sparse_sigmoid(x):
    x = _as_float(x)
    return tf.clip_by_value((x + 1) * 0.5, _const(0, x), _const(1, x))


def soft_shrink(x, threshold=0.5):
    x = _as_float(x)
    zeros = tf.zeros_like(x)
    return tf.where(x > threshold, x - threshold, tf.where(x < -threshold, x + threshold, zeros))


def hard_shrink(x, threshold=0.5):
    x = _as_float(x)
    return tf.where(tf.abs(x) > threshold, x, tf.zeros_like(x))


def hard_tanh(x):
    x = convert_to_tensor(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, tf.int32)
    if x.dtype.is_unsigned:
        return tf.minimum(x, _const(1, x))
    return tf.clip_by_value(x, _const(-1, x), _const(1, x))
