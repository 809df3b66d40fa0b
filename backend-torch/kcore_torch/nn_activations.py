"""Activation functions: this backend's implementations.

Most are ``torch.nn.functional``'s fused kernels, called on a float tensor: integers
and booleans become floatx first (Keras 3's result dtype; torch's kernels refuse
them or keep the integer dtype).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from kcore import config
from kcore.dtypes import dtype_of, result_type
from kcore_torch.ops import TORCH_DTYPES, _tensor


def _float(x):
    x = _tensor(x)
    if x.is_floating_point() or x.is_complex():
        return x
    return x.to(TORCH_DTYPES[config.floatx()])


def relu6(x):
    return F.relu6(_float(x))


def sigmoid(x):
    return torch.sigmoid(_float(x))


def softplus(x):
    return F.softplus(_float(x))


def softsign(x):
    return F.softsign(_float(x))


def silu(x):
    return F.silu(_float(x))


swish = silu


def gelu(x, approximate=True):
    return F.gelu(_float(x), approximate="tanh" if approximate else "none")


def glu(x, axis=-1):
    return F.glu(_float(x), dim=axis)


def elu(x, alpha=1.0):
    return F.elu(_float(x), alpha=alpha)


def selu(x):
    return F.selu(_float(x))


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(_float(x), negative_slope=negative_slope)


def hard_sigmoid(x):
    return F.hardsigmoid(_float(x))


def hard_silu(x):
    return F.hardswish(_float(x))


hard_swish = hard_silu


def celu(x, alpha=1.0):
    return F.celu(_float(x), alpha=alpha)


def log_sigmoid(x):
    return F.logsigmoid(_float(x))


def log_softmax(x, axis=-1):
    x = _float(x)
    if isinstance(axis, int):
        return F.log_softmax(x, dim=axis)
    axes = tuple(range(x.ndim)) if axis is None else tuple(axis)
    shifted = x - torch.amax(x, dim=axes, keepdim=True).detach()
    return shifted - torch.logsumexp(shifted, dim=axes, keepdim=True)


def sparsemax(x, axis=-1):
    x = _float(x)
    moved = torch.movedim(x, axis, -1)
    ranked = torch.sort(moved, dim=-1, descending=True).values
    cumulative = torch.cumsum(ranked, dim=-1)
    k = torch.arange(1, moved.shape[-1] + 1, dtype=x.dtype, device=x.device)
    count = torch.sum(1 + k * ranked > cumulative, dim=-1, keepdim=True)
    total = torch.gather(cumulative, -1, count - 1)
    tau = (total - 1) / count.to(x.dtype)
    return torch.movedim(torch.clamp_min(moved - tau, 0), -1, axis)


def squareplus(x, b=4):
    x = _float(x)
    return (x + torch.sqrt(x * x + b)) / 2


def tanh_shrink(x):
    return F.tanhshrink(_float(x))


def threshold(x, threshold, default_value):
    x = _tensor(x)
    dtype = TORCH_DTYPES[result_type(dtype_of(x), dtype_of(default_value))]
    if dtype == x.dtype and x.is_floating_point() and not isinstance(default_value, torch.Tensor):
        return F.threshold(x, threshold, default_value)
    return torch.where(x > threshold, x, default_value).to(dtype)


def sparse_plus(x):
    x = _float(x)
    middle = torch.square(x + 1) / 4
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x >= 1, x, middle))


def sparse_sigmoid(x):
    x = _float(x)
    return torch.clamp((x + 1) * 0.5, 0, 1)


def soft_shrink(x, threshold=0.5):
    x = _float(x)
    if threshold >= 0:
        return F.softshrink(x, threshold)
    return torch.where(
        x > threshold, x - threshold, torch.where(x < -threshold, x + threshold, 0.0)
    )


def hard_shrink(x, threshold=0.5):
    return F.hardshrink(_float(x), threshold)


def hard_tanh(x):
    x = _tensor(x)
    if x.is_floating_point():
        return F.hardtanh(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    if x.dtype in (torch.uint8, torch.uint16, torch.uint32, torch.uint64):
        return torch.clamp(x, max=1)
    return torch.clamp(x, -1, 1)
