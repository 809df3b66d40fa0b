"""Normalization, encoding, cross-entropy and metric ops: this backend's
implementations. ``moments`` is one ``torch.var_mean``; ``layer_normalization`` and
``rms_normalization`` use ``F.layer_norm``/``F.rms_norm`` when the normalized axes
are the trailing ones (else the same formula in plain ops). Result dtypes and argument
checks are those of :mod:`kcore.ops.nn_normalization`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

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
from kcore_torch.ops import STANDARD_NAMES, TORCH_DTYPES, _tensor, to_tensor


def _name(x):
    return STANDARD_NAMES[x.dtype]


def _dims(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, list | tuple):
        return tuple(axis)
    return axis


def _like(value, x):
    """``value`` as a tensor on ``x``'s device (tensors stay where they are)."""
    return value if isinstance(value, torch.Tensor) else to_tensor(value, None, x.device)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _tensor(x)
    params = [None if p is None else _like(p, x) for p in (mean, variance, offset, scale)]
    dtype = TORCH_DTYPES[float_dtype(_name(x), *(_name(p) for p in params if p is not None))]
    ndim = x.ndim
    axis = range(max(ndim, 1))[axis]

    def prepared(p):
        if p is None:
            return None
        p = p.to(dtype)
        if p.ndim == 1 and ndim > 1:
            shape = [1] * ndim
            shape[axis] = p.shape[0]
            p = p.reshape(shape)
        return p

    mean, variance, offset, scale = map(prepared, params)
    inv = torch.rsqrt(variance + epsilon)
    if scale is not None:
        inv = inv * scale
    shift = -mean * inv
    if offset is not None:
        shift = shift + offset
    return x.to(dtype) * inv + shift


def moments(x, axes, keepdims=False, synchronized=False):
    x = _tensor(x)
    dtype = TORCH_DTYPES[float_dtype(_name(x))]
    wide = x.to(TORCH_DTYPES[result_type(STANDARD_NAMES[dtype], "float32")])
    dims = tuple(normalized_axes(axes, x.ndim))
    variance, mean = torch.var_mean(wide, dim=dims, correction=0, keepdim=keepdims)
    return mean.to(dtype), variance.to(dtype)


def normalize(x, axis=-1, order=2, epsilon=None):
    check_order(order)
    x = _tensor(x)
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(TORCH_DTYPES[config.floatx()])
    if epsilon is None:
        epsilon = config.epsilon()
    dims = _dims(axis, x.ndim)
    norm = torch.linalg.vector_norm(x, ord=order, dim=dims, keepdim=True)
    return x / torch.clamp_min(norm, epsilon)


def _trailing(axes, ndim):
    return list(axes) == list(range(ndim - len(axes), ndim))


def _widened(x, axis, epsilon):
    """``x`` in its compute dtype (at least float32), its own dtype, that compute
    dtype, its rank, the normalized ``axis`` as a list, and the epsilon to use
    (``None``: the configured one)."""
    x = _tensor(x)
    if epsilon is None:
        epsilon = config.epsilon()
    compute = TORCH_DTYPES[result_type(_name(x), "float32")]
    wide = x.to(compute)
    return wide, x.dtype, compute, wide.ndim, normalized_axes(axis, wide.ndim), epsilon


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    wide, original, compute, ndim, axes, epsilon = _widened(x, axis, epsilon)
    if scale is not None:
        scale = _like(scale, wide).to(compute)
    shape = tuple(wide.shape[a] for a in axes)
    if ndim and _trailing(axes, ndim) and (scale is None or tuple(scale.shape) == shape):
        return F.rms_norm(wide, shape, scale, epsilon).to(original)
    mean_square = torch.mean(torch.square(wide), dim=tuple(axes), keepdim=True)
    out = wide * torch.rsqrt(mean_square + epsilon)
    if scale is not None:
        out = out * scale
    return out.to(original)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    rms_scaling = _rms_scaling(kwargs)
    wide, original, compute, ndim, axes, epsilon = _widened(x, axis, epsilon)
    gamma, beta = (None if v is None else _like(v, wide).to(compute) for v in (gamma, beta))
    shape = tuple(wide.shape[a] for a in axes)
    if (
        not rms_scaling
        and _trailing(axes, ndim)
        and all(v is None or tuple(v.shape) == shape for v in (gamma, beta))
    ):
        return F.layer_norm(wide, shape, gamma, beta, epsilon).to(original)
    gamma, beta = (None if v is None else _on_axes(v, axes, wide) for v in (gamma, beta))
    variance, mean = torch.var_mean(wide, dim=tuple(axes), correction=0, keepdim=True)
    inv = torch.rsqrt(variance + epsilon)
    if rms_scaling:
        out = wide * inv
        return (out if gamma is None else out * gamma).to(original)
    out = (wide - mean) * inv
    if gamma is not None:
        out = out * gamma
    if beta is not None:
        out = out + beta
    return out.to(original)


def _on_axes(value, axes, x):
    shape = _on_axes_shape(value.ndim, value.shape, axes, x.ndim)
    return value if shape is None else value.reshape(shape)


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    if sparse:
        raise ValueError(
            "one_hot: sparse=True is not supported by the torch backend (as in Keras); "
            "pass sparse=False"
        )
    x = _tensor(x)
    check_integer_dtype(_name(x))
    position = one_hot_axis(axis, x.ndim)
    classes = torch.arange(num_classes, device=x.device, dtype=x.dtype)
    hot = (x.unsqueeze(-1) == classes).to(TORCH_DTYPES[standardize_dtype(dtype)])
    return torch.movedim(hot, -1, position) if position != x.ndim else hot


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    if sparse:
        raise ValueError(
            "multi_hot: sparse=True is not supported by the torch backend (as in Keras); "
            "pass sparse=False"
        )
    num_classes = multi_hot_classes(num_classes, kwargs)
    inputs = _tensor(inputs).to(torch.int32)
    reduce_axis = 1 if inputs.ndim > 1 else 0
    return torch.amax(one_hot(inputs, num_classes, axis=axis, dtype=dtype), dim=reduce_axis)


def _pair(target, output):
    target, output = _tensor(target), _tensor(output)
    check_same_shape(target.shape, output.shape)
    dtype = TORCH_DTYPES[float_dtype(_name(target), _name(output))]
    return target.to(dtype), output.to(dtype)


def _clipped(output):
    eps = config.epsilon()
    return torch.clamp(output, eps, 1.0 - eps)


def binary_crossentropy(target, output, from_logits=False):
    target, output = _pair(target, output)
    if from_logits:
        return (
            torch.clamp_min(output, 0)
            - output * target
            + torch.log1p(torch.exp(-torch.abs(output)))
        )
    output = _clipped(output)
    return -(target * torch.log(output) + (1 - target) * torch.log1p(-output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _pair(target, output)
    if output.ndim == 0:
        raise ValueError("target and output must be of rank 1 or more")
    if from_logits:
        log_p = F.log_softmax(output, dim=axis)
    else:
        log_p = torch.log(_clipped(output / torch.sum(output, dim=axis, keepdim=True)))
    return -torch.sum(target * log_p, dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _tensor(target), _tensor(output)
    _, axis = sparse_target_shape(target.shape, output.shape, axis)
    if target.ndim == output.ndim:
        target = target.squeeze(-1)
    output = output.to(TORCH_DTYPES[float_dtype(_name(output))])
    if from_logits:
        log_p = F.log_softmax(output, dim=axis)
    else:
        log_p = torch.log(_clipped(output / torch.sum(output, dim=axis, keepdim=True)))
    classes = torch.arange(output.shape[axis], device=output.device)
    hot = torch.movedim(target.to(torch.int64).unsqueeze(-1) == classes, -1, axis)
    return -torch.sum(torch.where(hot, log_p, 0.0), dim=axis)


def psnr(x1, x2, max_val):
    x1, x2 = _tensor(x1), _tensor(x2)
    check_same_shape(x1.shape, x2.shape)
    name = float_dtype(_name(x1), _name(x2))
    wide = TORCH_DTYPES[result_type(name, "float32")]
    mse = torch.mean(torch.square(x1.to(wide) - x2.to(wide)))
    peak = _like(max_val, mse).to(wide)
    return (20 * torch.log10(peak) - 10 * torch.log10(mse)).to(TORCH_DTYPES[name])


def polar(abs_, angle):
    abs_, angle = _tensor(abs_), _like(angle, _tensor(abs_))
    dtype = TORCH_DTYPES[polar_float_dtype(_name(abs_), _name(angle))]
    abs_, angle = torch.broadcast_tensors(abs_.to(dtype), angle.to(dtype))
    return torch.polar(abs_, angle)
