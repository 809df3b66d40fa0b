"""Tensor creation, windows and products: this backend's implementations.

New tensors go to :func:`kcore_torch.ops.creation_device`. torch's contractions
refuse mixed dtypes and have no bool kernels, so the products first bring their
operands to Keras 3's result dtype, and multiply booleans as int32 counts (a
positive count is True).
"""

from __future__ import annotations

import functools
import math

import torch

from kcore import config
from kcore.dtypes import dtype_of, result_type
from kcore.ops.numpy_creation import Vectorized, _arange_dtype, _cross_components
from kcore_torch.ops import (
    STANDARD_NAMES,
    TORCH_DTYPES,
    _tensor,
    creation_device,
    to_tensor,
    to_torch_dtype,
)


def _dtype(dtype) -> torch.dtype:
    return TORCH_DTYPES[config.floatx()] if dtype is None else to_torch_dtype(dtype)


def _shape(shape):
    return (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)


# -- creation --------------------------------------------------------------------


def arange(start, stop=None, step=None, dtype=None):
    dtype = to_torch_dtype(_arange_dtype(start, stop, step, dtype))
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    compute = torch.float64 if dtype.is_floating_point else torch.int64
    if compute is torch.int64 and any(isinstance(v, float) for v in (start, stop, step)):
        compute = torch.float64
    out = torch.arange(start, stop, step, dtype=compute, device=creation_device())
    return out.to(dtype)


def _band(N, M, k, dtype, keep):
    M = N if M is None else M
    device = creation_device()
    rows = torch.arange(N, device=device).unsqueeze(-1)
    cols = torch.arange(M, device=device).unsqueeze(0)
    return keep(cols - rows, k).to(_dtype(dtype))


def eye(N, M=None, k=0, dtype=None):
    return _band(N, M, k, dtype, torch.eq)


def tri(N, M=None, k=0, dtype=None):
    return _band(N, M, k, dtype, torch.le)


def _filled(shape, fill_value, dtype, device):
    value = to_tensor(fill_value, None, device)
    if value.dtype.is_floating_point and not (dtype.is_floating_point or dtype.is_complex):
        value = value.trunc()  # NumPy casts floats to integers toward zero
    return value.to(dtype).expand(shape).clone()


def full(shape, fill_value, dtype=None):
    return _filled(_shape(shape), fill_value, _dtype(dtype), creation_device())


def full_like(x, fill_value, dtype=None):
    x = _tensor(x)
    dtype = x.dtype if dtype is None else to_torch_dtype(dtype)
    return _filled(x.shape, fill_value, dtype, x.device)


def ones(shape, dtype=None):
    return torch.ones(_shape(shape), dtype=_dtype(dtype), device=creation_device())


def zeros(shape, dtype=None):
    return torch.zeros(_shape(shape), dtype=_dtype(dtype), device=creation_device())


def ones_like(x, dtype=None):
    x = _tensor(x)
    return torch.ones_like(x, dtype=None if dtype is None else to_torch_dtype(dtype))


def zeros_like(x, dtype=None):
    x = _tensor(x)
    return torch.zeros_like(x, dtype=None if dtype is None else to_torch_dtype(dtype))


def _space_dtype(start, stop, dtype) -> torch.dtype:
    if dtype is not None:
        return to_torch_dtype(dtype)
    return TORCH_DTYPES[result_type(dtype_of(start), dtype_of(stop), float)]


def _as64(value):
    return to_tensor(value).to(torch.float64)


def _samples(start, stop, num, endpoint, axis):
    """float64 samples along a new leading axis (moved to ``axis``), and the step."""
    start, stop = torch.broadcast_tensors(_as64(start), _as64(stop))
    divisions = (num - 1) if endpoint else num
    index = torch.arange(num, dtype=torch.float64, device=start.device)
    index = index.reshape((num,) + (1,) * start.ndim)
    if divisions > 0:
        step = (stop - start) / divisions
        values = start + index * step
    else:
        step = torch.full_like(start, math.nan)
        values = start + index * 0.0
    if endpoint and num > 1:
        values = torch.cat([values[:-1], stop.unsqueeze(0)])
    return torch.movedim(values, 0, axis), step


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    out_dtype = _space_dtype(start, stop, dtype)
    values, step = _samples(start, stop, num, endpoint, axis)
    if not (out_dtype.is_floating_point or out_dtype.is_complex):
        values = torch.floor(values)
    values = values.to(out_dtype)
    if retstep:
        step_dtype = out_dtype if out_dtype.is_floating_point else TORCH_DTYPES[config.floatx()]
        return values, step.to(step_dtype)
    return values


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    out_dtype = _space_dtype(start, stop, dtype)
    values, _ = _samples(start, stop, num, endpoint, axis)
    return torch.pow(_as64(base), values).to(out_dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    out_dtype = _space_dtype(start, stop, dtype)
    start, stop = torch.broadcast_tensors(_as64(start), _as64(stop))
    if bool(torch.any(start == 0)) or bool(torch.any(stop == 0)):
        raise ValueError("geomspace: a geometric sequence cannot include zero")
    sign = torch.where(start < 0, -1.0, 1.0).to(torch.float64)
    logs, _ = _samples(torch.log10(start * sign), torch.log10(stop * sign), num, endpoint, 0)
    values = sign * torch.pow(torch.tensor(10.0, dtype=torch.float64, device=logs.device), logs)
    if num > 1 and endpoint:  # the ends exactly, as NumPy gives them
        values = torch.cat([start.unsqueeze(0), values[1:-1], stop.unsqueeze(0)])
    elif num >= 1:
        values = torch.cat([start.unsqueeze(0), values[1:]])
    return torch.movedim(values, 0, axis).to(out_dtype)


def tril(x, k=0):
    return torch.tril(_tensor(x), k)


def triu(x, k=0):
    return torch.triu(_tensor(x), k)


def diag(x, k=0):
    return torch.diag(_tensor(x), k)


def diagflat(x, k=0):
    return torch.diagflat(_tensor(x), k)


def vander(x, N=None, increasing=False):
    # Built from products rather than torch.vander, whose backward fails (an in-place
    # cumulative product) and which widens integers to int64.
    x = _tensor(x)
    if x.ndim != 1:
        raise ValueError(f"vander: expected a 1-D tensor, got shape {tuple(x.shape)}")
    N = x.shape[0] if N is None else N
    columns, power = [], torch.ones_like(x)
    for _ in range(N):
        columns.append(power)
        power = power * x
    out = torch.stack(columns, 1) if columns else x.new_zeros((x.shape[0], 0))
    return out if increasing else torch.flip(out, (1,))


# -- products ----------------------------------------------------------------------


def _promoted(*values):
    tensors = [_tensor(v) for v in values]
    dtype = TORCH_DTYPES[result_type(*(STANDARD_NAMES[t.dtype] for t in tensors))]
    device = next((t.device for t in tensors if t.device.type != "cpu"), tensors[0].device)
    return [t.to(device=device, dtype=dtype) for t in tensors], dtype


def _contracted(fn, tensors, dtype):
    """``fn(*tensors)`` for contractions, which lack bool (and, off the CPU, integer)
    kernels: booleans are counted in int32; integers on an accelerator go through
    float64 (exact below 2**53) and wrap back through int64."""
    if dtype is torch.bool:
        return fn(*(t.to(torch.int32) for t in tensors)) != 0
    if not (dtype.is_floating_point or dtype.is_complex) and tensors[0].device.type not in (
        "cpu",
        "meta",
    ):
        out = fn(*(t.to(torch.float64) for t in tensors))
        return out.to(torch.int64).to(dtype)
    return fn(*tensors)


def _dot(a, b):
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim == 1:
        return torch.tensordot(a, b, dims=([-1], [0]))
    return torch.tensordot(a, b, dims=([-1], [-2]))


def dot(x1, x2):
    tensors, dtype = _promoted(x1, x2)
    return _contracted(_dot, tensors, dtype)


def _inner(a, b):
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return torch.tensordot(a, b, dims=([-1], [-1]))


def inner(x1, x2):
    tensors, dtype = _promoted(x1, x2)
    return _contracted(_inner, tensors, dtype)


def outer(x1, x2):
    (a, b), dtype = _promoted(x1, x2)
    a, b = a.reshape(-1, 1), b.reshape(1, -1)
    if dtype is torch.bool:
        return a & b
    return a * b


def vdot(x1, x2):
    (a, b), dtype = _promoted(x1, x2)
    a, b = a.reshape(-1), b.reshape(-1)
    if dtype.is_complex:
        a = a.conj()
    return _contracted(lambda p, q: torch.tensordot(p, q, dims=1), [a, b], dtype)


def _tensordot_dims(axes):
    if isinstance(axes, int):
        return axes
    first, second = axes
    first = [first] if isinstance(first, int) else [int(a) for a in first]
    second = [second] if isinstance(second, int) else [int(a) for a in second]
    return first, second


def tensordot(x1, x2, axes=2):
    tensors, dtype = _promoted(x1, x2)
    dims = _tensordot_dims(axes)
    return _contracted(lambda a, b: torch.tensordot(a, b, dims=dims), tensors, dtype)


def einsum(subscripts, *operands, **kwargs):
    tensors, dtype = _promoted(*operands)
    if all(STANDARD_NAMES[_tensor(o).dtype] == "int8" for o in operands):
        # Keras 3 accumulates int8 products in int32
        tensors, dtype = [t.to(torch.int32) for t in tensors], torch.int32
    return _contracted(functools.partial(torch.einsum, subscripts), tensors, dtype)


def kron(x1, x2):
    (a, b), dtype = _promoted(x1, x2)
    return torch.kron(a, b)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    (a, b), dtype = _promoted(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = torch.movedim(a, axisa, -1), torch.movedim(b, axisb, -1)
    components = _cross_components(a, b, torch.zeros_like)
    if len(components) == 1:
        return components[0]
    components = torch.broadcast_tensors(*components)
    return torch.movedim(torch.stack(components, -1), -1, axisc)


def _float_dtype(*values) -> torch.dtype:
    return TORCH_DTYPES[result_type(*(dtype_of(_tensor(v)) for v in values), float)]


def _compute(dtype: torch.dtype) -> torch.dtype:
    # Half-precision kernels are missing or inexact on the CPU: work in float32.
    return torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype


def correlate(x1, x2, mode="valid"):
    dtype = _float_dtype(x1, x2)
    a, b = _tensor(x1).to(_compute(dtype)), _tensor(x2).to(_compute(dtype))
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"correlate: expected 1-D tensors, got shapes {a.shape} and {b.shape}")
    n, m = a.shape[0], b.shape[0]
    padded = torch.nn.functional.pad(a, (m - 1, m - 1)).reshape(1, 1, -1)
    full = torch.nn.functional.conv1d(padded, b.to(a.device).reshape(1, 1, -1)).reshape(-1)
    short, long = min(n, m), max(n, m)
    if mode == "full":
        out = full
    elif mode == "valid":
        out = full[short - 1 : short - 1 + long - short + 1]
    elif mode == "same":
        start = (short - 1) // 2
        out = full[start : start + long]
    else:
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full', got {mode!r}")
    return out.to(dtype)


def corrcoef(x):
    dtype = _float_dtype(x)
    x = _tensor(x).to(_compute(dtype))
    single = x.ndim == 1
    if single:
        x = x.unsqueeze(0)
    centered = x - x.mean(dim=1, keepdim=True)
    cov = centered @ centered.T.conj()
    d = torch.sqrt(torch.diagonal(cov).real)
    out = cov / d.unsqueeze(1) / d.unsqueeze(0)
    out = torch.clamp(out, -1, 1) if not out.is_complex() else out
    return (out[0, 0] if single else out).to(dtype)


def slogdet(x):
    dtype = _float_dtype(x)
    sign, logdet = torch.linalg.slogdet(_tensor(x).to(_compute(dtype)))
    return sign.to(dtype), logdet.to(dtype)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    dtype = _float_dtype(y) if x is None else _float_dtype(y, x)
    y = torch.movedim(_tensor(y).to(dtype), axis, -1)
    if x is None:
        d = dx
    else:
        x = _tensor(x).to(dtype)
        x = x if x.ndim == 1 else torch.movedim(x, axis, -1)
        d = x[..., 1:] - x[..., :-1]
    return torch.sum(d * (y[..., 1:] + y[..., :-1]) / 2, dim=-1)


def _to_tensor(value):
    return to_tensor(value)


def _stack(values, axis=0):
    return torch.stack(values, axis)


def vectorize(pyfunc, *, excluded=None, signature=None):
    return Vectorized(
        pyfunc,
        excluded,
        signature,
        (_to_tensor, lambda x, shape: x.broadcast_to(shape), torch.reshape, _stack),
    )
