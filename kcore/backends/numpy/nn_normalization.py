"""Normalization, encoding, cross-entropy and metric ops: this backend's
implementations (the reference). Result dtypes are stated as Keras 3 gives them (see
:mod:`kcore.ops.nn_normalization`); the argument checks are the shared ones there.
"""

from __future__ import annotations

import numpy as np

from kcore import config
from kcore.backends.numpy.ops import convert_to_tensor as _tensor
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

_ndarray = np.ndarray


def _array(x):
    return x if type(x) is _ndarray else _tensor(x)


def _quiet():
    return np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore")


def _axes(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _array(x)
    params = [None if p is None else _array(p) for p in (mean, variance, offset, scale)]
    dtype = float_dtype(x.dtype.name, *(p.dtype.name for p in params if p is not None))
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
    inv = 1 / np.sqrt(variance + np.asarray(epsilon, dtype))
    if scale is not None:
        inv = inv * scale
    shift = -mean * inv
    if offset is not None:
        shift = shift + offset
    return np.asarray((x.astype(dtype) * inv + shift).astype(dtype))


def moments(x, axes, keepdims=False, synchronized=False):
    x = _array(x)
    dtype = float_dtype(x.dtype.name)
    wide = x.astype(result_type(dtype, "float32"))
    axes = _axes(axes)
    mean = np.mean(wide, axis=axes, keepdims=True)
    variance = np.mean(np.square(wide - mean), axis=axes, keepdims=keepdims)
    if not keepdims:
        mean = np.squeeze(mean, axis=axes)
    with _quiet():  # float16 overflow becomes inf, as on the other backends
        return np.asarray(mean.astype(dtype)), np.asarray(variance.astype(dtype))


def normalize(x, axis=-1, order=2, epsilon=None):
    check_order(order)
    x = _array(x)
    if x.dtype.kind not in "fc":
        x = x.astype(config.floatx())
    if epsilon is None:
        epsilon = config.epsilon()
    axis = _axes(axis)
    wide = x.astype(result_type(x.dtype.name, "float32"))
    if order == 2:
        norm = np.sqrt(np.sum(np.square(wide), axis=axis, keepdims=True))
    else:
        norm = np.sum(np.abs(wide) ** order, axis=axis, keepdims=True) ** (1.0 / order)
    return np.asarray((wide / np.maximum(norm, epsilon)).astype(x.dtype))


def _widened(x, epsilon):
    """``x`` in its compute dtype (at least float32), its own dtype, that compute
    dtype and the epsilon to use (``None``: the configured one)."""
    x = _array(x)
    if epsilon is None:
        epsilon = config.epsilon()
    compute = result_type(x.dtype.name, "float32")
    return x.astype(compute), x.dtype, compute, epsilon


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    wide, original, compute, epsilon = _widened(x, epsilon)
    mean_square = np.mean(np.square(wide), axis=_axes(axis), keepdims=True)
    out = wide / np.sqrt(mean_square + epsilon)
    if scale is not None:
        out = out * _array(scale).astype(compute)
    return np.asarray(out.astype(original))


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    rms_scaling = _rms_scaling(kwargs)
    wide, original, compute, epsilon = _widened(x, epsilon)
    ndim = wide.ndim
    axes = normalized_axes(axis, ndim)
    gamma, beta = (
        None if v is None else _on_axes(_array(v).astype(compute), axes, wide)
        for v in (gamma, beta)
    )
    mean = np.mean(wide, axis=tuple(axes), keepdims=True)
    centered = wide - mean
    inv = 1 / np.sqrt(np.mean(np.square(centered), axis=tuple(axes), keepdims=True) + epsilon)
    if rms_scaling:
        out = wide * inv
        if gamma is not None:
            out = out * gamma
        return np.asarray(out.astype(original))
    out = centered * inv
    if gamma is not None:
        out = out * gamma
    if beta is not None:
        out = out + beta
    return np.asarray(out.astype(original))


def _on_axes(value, axes, x):
    shape = _on_axes_shape(value.ndim, value.shape, axes, x.ndim)
    return value if shape is None else value.reshape(shape)


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    x = _array(x)
    check_integer_dtype(x.dtype.name)
    position = one_hot_axis(axis, x.ndim)
    hot = x[..., None] == np.arange(num_classes, dtype=x.dtype)
    return np.asarray(np.moveaxis(hot.astype(standardize_dtype(dtype)), -1, position))


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    num_classes = multi_hot_classes(num_classes, kwargs)
    inputs = _array(inputs).astype(np.int32)
    reduce_axis = 1 if inputs.ndim > 1 else 0
    hot = one_hot(inputs, num_classes, axis=axis, dtype=dtype)
    return np.asarray(np.max(hot, axis=reduce_axis))


def _pair(target, output):
    target, output = _array(target), _array(output)
    check_same_shape(target.shape, output.shape)
    dtype = float_dtype(target.dtype.name, output.dtype.name)
    return target.astype(dtype), output.astype(dtype)


def _clipped(output):
    eps = config.epsilon()
    return np.clip(output, np.asarray(eps, output.dtype), np.asarray(1 - eps, output.dtype))


def _log_softmax(x, axis):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def binary_crossentropy(target, output, from_logits=False):
    target, output = _pair(target, output)
    with _quiet():
        if from_logits:
            out = np.maximum(output, 0) - output * target + np.log1p(np.exp(-np.abs(output)))
        else:
            output = _clipped(output)
            out = -(target * np.log(output) + (1 - target) * np.log(1 - output))
    return np.asarray(out.astype(target.dtype))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _pair(target, output)
    if output.ndim == 0:
        raise ValueError("target and output must be of rank 1 or more")
    with _quiet():
        if from_logits:
            log_p = _log_softmax(output, axis)
        else:
            log_p = np.log(_clipped(output / np.sum(output, axis=axis, keepdims=True)))
        return np.asarray((-np.sum(target * log_p, axis=axis)).astype(target.dtype))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _array(target), _array(output)
    _, axis = sparse_target_shape(target.shape, output.shape, axis)
    if target.ndim == output.ndim:
        target = np.squeeze(target, axis=-1)
    dtype = float_dtype(output.dtype.name)
    output = output.astype(dtype)
    with _quiet():
        if from_logits:
            log_p = _log_softmax(output, axis)
        else:
            log_p = np.log(_clipped(output / np.sum(output, axis=axis, keepdims=True)))
    classes = np.arange(output.shape[axis])
    hot = np.moveaxis(target.astype(np.int64)[..., None] == classes, -1, axis)
    return np.asarray((-np.sum(np.where(hot, log_p, 0), axis=axis)).astype(dtype))


def psnr(x1, x2, max_val):
    x1, x2 = _array(x1), _array(x2)
    check_same_shape(x1.shape, x2.shape)
    dtype = float_dtype(x1.dtype.name, x2.dtype.name)
    wide = result_type(dtype, "float32")
    mse = np.mean(np.square(x1.astype(wide) - x2.astype(wide)))
    peak = np.asarray(max_val).astype(wide)
    with _quiet():
        out = 20 * np.log10(peak) - 10 * np.log10(mse)
    return np.asarray(np.asarray(out).astype(dtype))


def polar(abs_, angle):
    abs_, angle = _array(abs_), _array(angle)
    dtype = polar_float_dtype(abs_.dtype.name, angle.dtype.name)
    abs_, angle = abs_.astype(dtype), angle.astype(dtype)
    complex_dtype = np.complex128 if dtype == "float64" else np.complex64
    out = np.empty(np.broadcast_shapes(abs_.shape, angle.shape), complex_dtype)
    out.real = abs_ * np.cos(angle)
    out.imag = abs_ * np.sin(angle)
    return out
