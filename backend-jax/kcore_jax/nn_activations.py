"""Activation functions: this backend's implementations.

Most are ``jax.nn``'s own, called on a float array: integers and booleans become
floatx first (``jax.nn.sigmoid`` refuses them; others would give float32 whatever
floatx says). ``jax.nn.relu``, ``relu6`` and ``gelu`` are left out: their
``custom_jvp`` costs ~200 us per eager call, against ~5 us for a jitted formula;
formulas of several ops are jitted too, so an eager call is one dispatch.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from kcore import config
from kcore_jax.ops import convert_to_tensor as _tensor

_nn = jax.nn
_INEXACT = frozenset(
    np.dtype(name) for name in ("float16", "float32", "float64", "complex64", "complex128")
) | {jnp.dtype(jnp.bfloat16)}


def _float(x):
    try:
        if x.dtype in _INEXACT:  # the common case: one set lookup
            return x
    except AttributeError:  # Python scalars and lists
        x = _tensor(x)
        if x.dtype in _INEXACT:
            return x
    return jnp.asarray(x, dtype=config.floatx())


relu = jax.jit(lambda x: jnp.maximum(x, 0))
_relu6 = jax.jit(lambda x: jnp.clip(x, 0, 6))


def relu6(x):
    return _relu6(_float(x))


def sigmoid(x):
    return _nn.sigmoid(_float(x))


def softplus(x):
    return _nn.softplus(_float(x))


def softsign(x):
    return _nn.soft_sign(_float(x))


def silu(x):
    return _nn.silu(_float(x))


swish = silu


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


@functools.partial(jax.jit, static_argnames=("approximate",))
def _gelu(x, approximate):
    if approximate:
        return 0.5 * x * (1 + jnp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))
    return 0.5 * x * (1 + jax.lax.erf(x / math.sqrt(2.0)))


def gelu(x, approximate=True):
    return _gelu(_float(x), approximate=bool(approximate))


def glu(x, axis=-1):
    return _nn.glu(_float(x), axis=axis)


def elu(x, alpha=1.0):
    return _nn.elu(_float(x), alpha)


def selu(x):
    return _nn.selu(_float(x))


def leaky_relu(x, negative_slope=0.2):
    return _nn.leaky_relu(_float(x), negative_slope)


def hard_sigmoid(x):
    return _nn.hard_sigmoid(_float(x))


def hard_silu(x):
    return _nn.hard_silu(_float(x))


hard_swish = hard_silu


def celu(x, alpha=1.0):
    return _nn.celu(_float(x), alpha)


def log_sigmoid(x):
    return _nn.log_sigmoid(_float(x))


def log_softmax(x, axis=-1):
    return _nn.log_softmax(_float(x), axis=tuple(axis) if isinstance(axis, list) else axis)


@jax.jit
def _sparsemax_last(x):
    ranked = -jnp.sort(-x, axis=-1)
    cumulative = jnp.cumsum(ranked, axis=-1)
    k = jnp.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    count = jnp.sum(1 + k * ranked > cumulative, axis=-1, keepdims=True)
    total = jnp.take_along_axis(cumulative, count - 1, axis=-1)
    tau = (total - 1) / count.astype(x.dtype)
    return jnp.maximum(x - tau, 0)


def sparsemax(x, axis=-1):
    x = _float(x)
    return jnp.moveaxis(_sparsemax_last(jnp.moveaxis(x, axis, -1)), -1, axis)


def squareplus(x, b=4):
    return _nn.squareplus(_float(x), b)


_tanh_shrink = jax.jit(lambda x: x - jnp.tanh(x))


def tanh_shrink(x):
    return _tanh_shrink(_float(x))


def threshold(x, threshold, default_value):
    return jnp.where(x > threshold, x, default_value)


def sparse_plus(x):
    return _nn.sparse_plus(_float(x))


def sparse_sigmoid(x):
    return _nn.sparse_sigmoid(_float(x))


@jax.jit
def _soft_shrink(x, threshold):
    return jnp.where(x > threshold, x - threshold, jnp.where(x < -threshold, x + threshold, 0))


def soft_shrink(x, threshold=0.5):
    return _soft_shrink(_float(x), threshold)


@jax.jit
def _hard_shrink(x, threshold):
    return jnp.where(jnp.abs(x) > threshold, x, 0)


def hard_shrink(x, threshold=0.5):
    return _hard_shrink(_float(x), threshold)


def hard_tanh(x):
    x = _tensor(x)
    if x.dtype == jnp.bool_:
        x = x.astype(jnp.int32)
    if jnp.issubdtype(x.dtype, jnp.unsignedinteger):
        return jnp.minimum(x, 1)
    return jnp.clip(x, -1, 1)
