"""Activation functions: this backend's implementations (the reference).

Each takes a float array as it is and an integer or boolean one as floatx (Keras 3's
result dtype); ``hard_tanh`` keeps integers and ``threshold`` promotes ``x`` with
``default_value``. Arithmetic outside a function's range (``exp`` of a large number
inside a branch ``where`` discards) raises no NumPy warning.
"""

from __future__ import annotations

import math

import numpy as np

from kcore import config
from kcore.backends.numpy.ops import convert_to_tensor as _tensor
from kcore.dtypes import dtype_of, result_type
from kcore.ops.nn_activations import SELU_ALPHA, SELU_SCALE

_ndarray = np.ndarray


def _float(x):
    x = x if type(x) is _ndarray else _tensor(x)
    return x if x.dtype.kind in "fc" else x.astype(config.floatx())


def _quiet():
    return np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore")


def _like(value, x):
    """A Python number as a 0-d array of ``x``'s dtype (so float16 stays float16)."""
    return np.asarray(value, dtype=x.dtype)


def relu6(x):
    x = _float(x)
    return np.asarray(np.clip(x, _like(0, x), _like(6, x)))


def sigmoid(x):
    x = _float(x)
    with _quiet():
        # exp of -|x| only, so neither branch overflows.
        e = np.exp(-np.abs(x))
        return np.asarray(np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype))


def softplus(x):
    x = _float(x)
    with _quiet():
        return np.asarray((np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))).astype(x.dtype))


def softsign(x):
    x = _float(x)
    return np.asarray(x / (1 + np.abs(x)))


def silu(x):
    x = _float(x)
    return np.asarray((x * sigmoid(x)).astype(x.dtype))


swish = silu

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
#: math.erf element-wise: SciPy is not a dependency of the core.
_erf_objects = np.frompyfunc(math.erf, 1, 1)


def _erf(x):
    return _erf_objects(x.astype(np.float64)).astype(np.float64)


def gelu(x, approximate=True):
    x = _float(x)
    if approximate:
        wide = x.astype(np.float64)
        inner = _SQRT_2_OVER_PI * (wide + 0.044715 * wide**3)
        return np.asarray((0.5 * wide * (1 + np.tanh(inner))).astype(x.dtype))
    wide = x.astype(np.float64)
    return np.asarray((0.5 * wide * (1 + _erf(wide / math.sqrt(2.0)))).astype(x.dtype))


def glu(x, axis=-1):
    x = _float(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: the size of x along axis {axis} must be even, got {x.shape[axis]}")
    a, b = np.split(x, 2, axis=axis)
    return np.asarray((a * sigmoid(b)).astype(x.dtype))


def elu(x, alpha=1.0):
    x = _float(x)
    with _quiet():
        return np.asarray(np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype))


def selu(x):
    x = _float(x)
    return np.asarray((SELU_SCALE * elu(x, SELU_ALPHA)).astype(x.dtype))


def leaky_relu(x, negative_slope=0.2):
    x = _float(x)
    return np.asarray(np.where(x >= 0, x, negative_slope * x).astype(x.dtype))


def hard_sigmoid(x):
    x = _float(x)
    return np.asarray((np.clip(x + 3, 0, 6) / 6).astype(x.dtype))


def hard_silu(x):
    x = _float(x)
    return np.asarray((x * np.clip(x + 3, 0, 6) / 6).astype(x.dtype))


hard_swish = hard_silu


def celu(x, alpha=1.0):
    x = _float(x)
    with _quiet():
        out = np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0) / alpha)
    return np.asarray(out.astype(x.dtype))


def log_sigmoid(x):
    x = _float(x)
    with _quiet():
        return np.asarray((np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(x.dtype))


def log_softmax(x, axis=-1):
    x = _float(x)
    axis = tuple(axis) if isinstance(axis, list) else axis
    shifted = x - np.max(x, axis=axis, keepdims=True)
    with _quiet():
        total = np.sum(np.exp(shifted), axis=axis, keepdims=True)
        return np.asarray((shifted - np.log(total)).astype(x.dtype))


def sparsemax(x, axis=-1):
    x = _float(x)
    moved = np.moveaxis(x, axis, -1)
    ranked = -np.sort(-moved, axis=-1)
    cumulative = np.cumsum(ranked, axis=-1)
    k = np.arange(1, moved.shape[-1] + 1, dtype=x.dtype)
    count = np.sum(1 + k * ranked > cumulative, axis=-1, keepdims=True)
    total = np.take_along_axis(cumulative, count - 1, axis=-1)
    tau = (total - 1) / count.astype(x.dtype)
    return np.asarray(np.moveaxis(np.maximum(moved - tau, 0), -1, axis).astype(x.dtype))


def squareplus(x, b=4):
    x = _float(x)
    return np.asarray(((x + np.sqrt(x * x + b)) / 2).astype(x.dtype))


def tanh_shrink(x):
    x = _float(x)
    return np.asarray(x - np.tanh(x))


def threshold(x, threshold, default_value):
    x = x if type(x) is _ndarray else _tensor(x)
    dtype = result_type(dtype_of(x), dtype_of(default_value))
    out = np.where(x > threshold, x, np.asarray(default_value))
    return np.asarray(out.astype(dtype))


def sparse_plus(x):
    x = _float(x)
    middle = (x + 1) ** 2 / 4
    return np.asarray(np.where(x <= -1, 0, np.where(x >= 1, x, middle)).astype(x.dtype))


def sparse_sigmoid(x):
    x = _float(x)
    return np.asarray(np.clip((x + 1) * 0.5, 0, 1).astype(x.dtype))


def soft_shrink(x, threshold=0.5):
    x = _float(x)
    out = np.where(x > threshold, x - threshold, np.where(x < -threshold, x + threshold, 0))
    return np.asarray(out.astype(x.dtype))


def hard_shrink(x, threshold=0.5):
    x = _float(x)
    return np.asarray(np.where(np.abs(x) > threshold, x, 0).astype(x.dtype))


def hard_tanh(x):
    x = x if type(x) is _ndarray else _tensor(x)
    if x.dtype == np.bool_:
        x = x.astype(np.int32)
    if x.dtype.kind == "u":
        return np.asarray(np.minimum(x, _like(1, x)))
    return np.asarray(np.clip(x, _like(-1, x), _like(1, x)))
