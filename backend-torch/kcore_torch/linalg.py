"""PyTorch implementations of the ops declared in ``kcore/ops/linalg.py``.

Integer input becomes floatx; float16 and bfloat16 are computed in float32 (torch's
CPU linear algebra has no half precision) and rounded back.
"""

from __future__ import annotations

import numpy as np
import torch

from kcore import config
from kcore.dtypes import result_type as _result_type
from kcore.ops.linalg import check_norm_ord, check_square
from kcore_torch.ops import STANDARD_NAMES, _tensor, to_torch_dtype

_HALF = (torch.float16, torch.bfloat16)


def _in(x):
    """``x`` as a float tensor to compute with, and the dtype of the result."""
    x = _tensor(x)
    dtype = x.dtype
    if not dtype.is_floating_point:
        x = x.to(to_torch_dtype(config.floatx()))
        return x, x.dtype
    if dtype in _HALF:
        return x.float(), dtype
    return x, dtype


def _pair(a, b):
    a, b = _tensor(a), _tensor(b)
    name = _result_type(STANDARD_NAMES[a.dtype], STANDARD_NAMES[b.dtype])
    dtype = to_torch_dtype(name)
    if not dtype.is_floating_point:
        dtype = to_torch_dtype(config.floatx())
    compute = torch.float32 if dtype in _HALF else dtype
    return a.to(compute), b.to(compute), dtype


def _t(x):
    return x.transpose(-1, -2)


def cholesky(x, upper=False):
    x, dtype = _in(x)
    check_square("cholesky", x.shape)
    return torch.linalg.cholesky((x + _t(x)) / 2, upper=upper).to(dtype)


def cholesky_inverse(x, upper=False):
    x, dtype = _in(x)
    check_square("cholesky_inverse", x.shape)
    factor = torch.triu(x) if upper else torch.tril(x)
    return torch.cholesky_inverse(factor, upper=upper).to(dtype)


def det(x):
    x, dtype = _in(x)
    return torch.linalg.det(x).to(dtype)


def eig(x):
    x, dtype = _in(x)
    w, v = torch.linalg.eig(x)
    complex_dtype = torch.complex128 if dtype == torch.float64 else torch.complex64
    return w.to(complex_dtype), v.to(complex_dtype)


def eigh(x):
    x, dtype = _in(x)
    w, v = torch.linalg.eigh((x + _t(x)) / 2)
    return w.to(dtype), v.to(dtype)


def inv(x):
    x, dtype = _in(x)
    return torch.linalg.inv(x).to(dtype)


def lu_factor(x):
    x, dtype = _in(x)
    check_square("lu_factor", x.shape)
    lu, pivots = torch.linalg.lu_factor(x)
    return lu.to(dtype), (pivots - 1).to(torch.int32)  # LAPACK's pivots are 1-based


def norm(x, ord=None, axis=None, keepdims=False):
    x, dtype = _in(x)
    matrix = check_norm_ord(x.ndim, ord, axis)
    if isinstance(axis, list):
        axis = tuple(axis)
    if matrix:
        dims = axis if axis is not None else (0, 1)
        return torch.linalg.matrix_norm(
            x, ord="fro" if ord is None else ord, dim=dims, keepdim=keepdims
        ).to(dtype)
    if ord is None:
        ord = 2
    if axis is None and x.ndim > 1:
        out = torch.linalg.vector_norm(x, ord)
        return (out.reshape((1,) * x.ndim) if keepdims else out).to(dtype)
    return torch.linalg.vector_norm(x, ord, dim=axis, keepdim=keepdims).to(dtype)


def _rtol(shape, rcond, dtype):
    if rcond is None:
        eps = np.finfo(np.float32 if dtype in _HALF else str(dtype).split(".")[-1]).eps
        return max(shape[-2:]) * float(eps)
    return rcond


def pinv(x, rcond=None):
    x, dtype = _in(x)
    return torch.linalg.pinv(x, rtol=_rtol(x.shape, rcond, dtype)).to(dtype)


def matrix_rank(x, tol=None):
    x, dtype = _in(x)
    if tol is None:
        return torch.linalg.matrix_rank(x, rtol=_rtol(x.shape, None, dtype)).to(torch.int32)
    return torch.linalg.matrix_rank(x, atol=tol, rtol=0.0).to(torch.int32)


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', got {mode!r}")
    x, dtype = _in(x)
    q, r = torch.linalg.qr(x, mode=mode)
    return q.to(dtype), r.to(dtype)


def solve(a, b):
    a, b, dtype = _pair(a, b)
    check_square("solve", a.shape)
    if b.ndim == 1:
        return torch.linalg.solve(a, b.unsqueeze(-1)).squeeze(-1).to(dtype)
    return torch.linalg.solve(a, b).to(dtype)


def solve_triangular(a, b, lower=False):
    a, b, dtype = _pair(a, b)
    check_square("solve_triangular", a.shape)
    vector = b.ndim == 1
    if vector:
        b = b.unsqueeze(-1)
    a = torch.tril(a) if lower else torch.triu(a)
    out = torch.linalg.solve_triangular(a, b, upper=not lower)
    return (out.squeeze(-1) if vector else out).to(dtype)


def svd(x, full_matrices=True, compute_uv=True):
    x, dtype = _in(x)
    if not compute_uv:
        return torch.linalg.svdvals(x).to(dtype)
    u, s, vh = torch.linalg.svd(x, full_matrices=full_matrices)
    return u.to(dtype), s.to(dtype), vh.to(dtype)


def jvp(fun, primals, tangents, has_aux=False):
    return torch.func.jvp(fun, _tensors(primals), _tensors(tangents), has_aux=has_aux)


def _tensors(values):
    """Arrays and scalars (also inside lists, tuples and dicts) as tensors."""
    if isinstance(values, list | tuple):
        return tuple(_tensors(v) for v in values)
    if isinstance(values, dict):
        return {k: _tensors(v) for k, v in values.items()}
    return _tensor(values)
