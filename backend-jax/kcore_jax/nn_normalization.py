"""Normalization, encoding, cross-entropy and metric ops: this backend's
implementations, in ``jax.numpy`` with ``jax.nn``'s stable pieces (``log_softmax``,
``one_hot``). Result dtypes and argument checks are those of
:mod:`kcore.ops.nn_normalization`.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

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
from kcore_jax.ops import convert_to_tensor as _tensor


def _name(x):
    return standardize_dtype(x.dtype)


def _axes(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _batch_normalization_impl(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _tensor(x)
    params = [None if p is None else _tensor(p) for p in (mean, variance, offset, scale)]
    dtype = float_dtype(_name(x), *(_name(p) for p in params if p is not None))
    ndim = x.ndim
    axis = range(max(ndim, 1))[axis]

    def prepared(p):
        if p is None:
            return None
        p = p.astype(dtype)
        if p.ndim == 1 and ndim > 1:
            shape = [1] * ndim
            shape[axis] = p.shape[0]
            p = p.reshape(shape)
        return p

    mean, variance, offset, scale = map(prepared, params)
    inv = jax.lax.rsqrt(variance + jnp.asarray(epsilon, dtype))
    if scale is not None:
        inv = inv * scale
    shift = -mean * inv
    if offset is not None:
        shift = shift + offset
    return x.astype(dtype) * inv + shift


def _moments_impl(x, axes, keepdims=False, synchronized=False):
    x = _tensor(x)
    dtype = float_dtype(_name(x))
    wide = x.astype(result_type(dtype, "float32"))
    axes = _axes(axes)
    mean = jnp.mean(wide, axis=axes, keepdims=True)
    variance = jnp.mean(
        jnp.square(wide - jax.lax.stop_gradient(mean)), axis=axes, keepdims=keepdims
    )
    if not keepdims:
        mean = jnp.squeeze(mean, axis=axes)
    return mean.astype(dtype), variance.astype(dtype)


def normalize(x, axis=-1, order=2, epsilon=None):
    check_order(order)
    if epsilon is None:
        epsilon = config.epsilon()
    return _normalize(_tensor(x), _static_axis(axis), order, epsilon)


def _normalize_impl(x, axis, order, epsilon):
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(config.floatx())
    if epsilon is None:
        epsilon = config.epsilon()
    axis = _axes(axis)
    if order == 2:
        norm = jnp.sqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    elif order == 1:
        norm = jnp.sum(jnp.abs(x), axis=axis, keepdims=True)
    else:
        norm = jnp.sum(jnp.abs(x) ** order, axis=axis, keepdims=True) ** (1.0 / order)
    return x / jnp.maximum(norm, epsilon)


def _widened(x, epsilon):
    """``x`` in its compute dtype (at least float32), its own dtype, that compute
    dtype and the epsilon to use (``None``: the configured one)."""
    x = _tensor(x)
    if epsilon is None:
        epsilon = config.epsilon()
    compute = result_type(_name(x), "float32")
    return x.astype(compute), x.dtype, compute, epsilon


def _rms_normalization_impl(x, scale, axis, epsilon):
    wide, original, compute, epsilon = _widened(x, epsilon)
    mean_square = jnp.mean(jnp.square(wide), axis=_axes(axis), keepdims=True)
    out = wide * jax.lax.rsqrt(mean_square + epsilon)
    if scale is not None:
        out = out * _tensor(scale).astype(compute)
    return out.astype(original)


def _layer_normalization_impl(x, gamma, beta, axis, epsilon, rms_scaling):
    wide, original, compute, epsilon = _widened(x, epsilon)
    ndim = wide.ndim
    axes = normalized_axes(axis, ndim)
    gamma, beta = (
        None if v is None else _on_axes(_tensor(v).astype(compute), axes, wide)
        for v in (gamma, beta)
    )
    mean = jnp.mean(wide, axis=tuple(axes), keepdims=True)
    centered = wide - mean
    variance = jnp.mean(jnp.square(centered), axis=tuple(axes), keepdims=True)
    inv = jax.lax.rsqrt(variance + epsilon)
    if rms_scaling:
        out = wide * inv
        return (out if gamma is None else out * gamma).astype(original)
    out = centered * inv
    if gamma is not None:
        out = out * gamma
    if beta is not None:
        out = out + beta
    return out.astype(original)


def _on_axes(value, axes, x):
    shape = _on_axes_shape(value.ndim, value.shape, axes, x.ndim)
    return value if shape is None else value.reshape(shape)


# jax.nn.one_hot is not jitted: ~90 us eagerly, ~8 us as one jitted call.
_one_hot = jax.jit(jax.nn.one_hot, static_argnames=("num_classes", "dtype", "axis"))


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    x = _tensor(x)
    check_integer_dtype(_name(x))
    position = one_hot_axis(axis, x.ndim)
    return _one_hot(x, num_classes=int(num_classes), dtype=standardize_dtype(dtype), axis=position)


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    num_classes = multi_hot_classes(num_classes, kwargs)
    inputs = _tensor(inputs).astype(jnp.int32)
    reduce_axis = 1 if inputs.ndim > 1 else 0
    return jnp.max(one_hot(inputs, num_classes, axis=axis, dtype=dtype), axis=reduce_axis)


def _pair(target, output):
    target, output = _tensor(target), _tensor(output)
    check_same_shape(target.shape, output.shape)
    dtype = float_dtype(_name(target), _name(output))
    return target.astype(dtype), output.astype(dtype)


def _clipped(output):
    eps = config.epsilon()
    return jnp.clip(output, eps, 1.0 - eps)


def _binary_crossentropy_impl(target, output, from_logits=False):
    target, output = _pair(target, output)
    if from_logits:
        return jnp.maximum(output, 0) - output * target + jnp.log1p(jnp.exp(-jnp.abs(output)))
    output = _clipped(output)
    return -(target * jnp.log(output) + (1 - target) * jnp.log1p(-output))


def _categorical_crossentropy_impl(target, output, from_logits=False, axis=-1):
    target, output = _pair(target, output)
    if output.ndim == 0:
        raise ValueError("target and output must be of rank 1 or more")
    if from_logits:
        log_p = jax.nn.log_softmax(output, axis=axis)
    else:
        log_p = jnp.log(_clipped(output / jnp.sum(output, axis=axis, keepdims=True)))
    return -jnp.sum(target * log_p, axis=axis)


def _sparse_categorical_crossentropy_impl(target, output, from_logits=False, axis=-1):
    target, output = _tensor(target), _tensor(output)
    _, axis = sparse_target_shape(target.shape, output.shape, axis)
    if target.ndim == output.ndim:
        target = jnp.squeeze(target, axis=-1)
    output = output.astype(float_dtype(_name(output)))
    if from_logits:
        log_p = jax.nn.log_softmax(output, axis=axis)
    else:
        log_p = jnp.log(_clipped(output / jnp.sum(output, axis=axis, keepdims=True)))
    hot = jax.nn.one_hot(target, output.shape[axis], dtype=output.dtype, axis=axis)
    return -jnp.sum(hot * log_p, axis=axis)


def _psnr_impl(x1, x2, max_val):
    x1, x2 = _tensor(x1), _tensor(x2)
    check_same_shape(x1.shape, x2.shape)
    dtype = float_dtype(_name(x1), _name(x2))
    wide = result_type(dtype, "float32")
    mse = jnp.mean(jnp.square(x1.astype(wide) - x2.astype(wide)))
    peak = jnp.asarray(max_val).astype(wide)
    return (20 * jnp.log10(peak) - 10 * jnp.log10(mse)).astype(dtype)


def polar(abs_, angle):
    abs_, angle = _tensor(abs_), _tensor(angle)
    dtype = polar_float_dtype(_name(abs_), _name(angle))
    abs_, angle = abs_.astype(dtype), angle.astype(dtype)
    real, imag = jnp.broadcast_arrays(abs_ * jnp.cos(angle), abs_ * jnp.sin(angle))
    return jax.lax.complex(real, imag)


# -- eager entry points ----------------------------------------------------------------
# Each converts its arguments and resolves defaults, then makes one call of the jitted
# formula above (options static): one dispatch instead of one per jnp op (~10x faster
# eagerly; inside a jitted caller it inlines as before).


def _per_floatx(impl, **options):
    """``jax.jit(impl, **options)``, compiled apart for each floatx and epsilon: the
    formulas read them (the dtype integers compute in, the clipping bound) while
    tracing, which a jit cache keyed on the arguments alone would not see change."""
    compiled = {}

    def call(*args):
        key = (config.floatx(), config.epsilon())
        function = compiled.get(key)
        if function is None:
            # A new function object: jax shares traces between jits of one function.
            @functools.wraps(impl)
            def fresh(*args, **kwargs):
                return impl(*args, **kwargs)

            function = compiled[key] = jax.jit(fresh, **options)
        return function(*args)

    return call


def _optional(value):
    return None if value is None else _tensor(value)


def _static_axis(axis):
    return tuple(axis) if isinstance(axis, list | tuple) else axis


_batch_normalization = _per_floatx(_batch_normalization_impl, static_argnames=("axis",))


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    return _batch_normalization(
        _tensor(x),
        _tensor(mean),
        _tensor(variance),
        axis,
        _optional(offset),
        _optional(scale),
        epsilon,
    )


_moments = _per_floatx(_moments_impl, static_argnames=("axes", "keepdims", "synchronized"))


def moments(x, axes, keepdims=False, synchronized=False):
    return _moments(_tensor(x), _static_axis(axes), bool(keepdims), False)


_rms_normalization = _per_floatx(_rms_normalization_impl, static_argnames=("axis",))


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    if epsilon is None:
        epsilon = config.epsilon()
    return _rms_normalization(_tensor(x), _optional(scale), _static_axis(axis), epsilon)


_layer_normalization = _per_floatx(
    _layer_normalization_impl, static_argnames=("axis", "rms_scaling")
)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    rms_scaling = _rms_scaling(kwargs)
    if epsilon is None:
        epsilon = config.epsilon()
    return _layer_normalization(
        _tensor(x), _optional(gamma), _optional(beta), _static_axis(axis), epsilon, rms_scaling
    )


_binary_crossentropy = _per_floatx(_binary_crossentropy_impl, static_argnames=("from_logits",))


def binary_crossentropy(target, output, from_logits=False):
    return _binary_crossentropy(_tensor(target), _tensor(output), bool(from_logits))


_categorical_crossentropy = _per_floatx(
    _categorical_crossentropy_impl, static_argnames=("from_logits", "axis")
)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return _categorical_crossentropy(_tensor(target), _tensor(output), bool(from_logits), axis)


_sparse_categorical_crossentropy = _per_floatx(
    _sparse_categorical_crossentropy_impl, static_argnames=("from_logits", "axis")
)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return _sparse_categorical_crossentropy(
        _tensor(target), _tensor(output), bool(from_logits), axis
    )


_psnr = _per_floatx(_psnr_impl)


def psnr(x1, x2, max_val):
    return _psnr(_tensor(x1), _tensor(x2), max_val)


_normalize = _per_floatx(_normalize_impl, static_argnames=("axis", "order"))
