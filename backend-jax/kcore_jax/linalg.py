"""JAX implementations of the ops declared in ``kcore/ops/linalg.py``.

Integer input becomes floatx; float16 and bfloat16 are computed in float32 (the CPU
LAPACK kernels have no half precision) and rounded back.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np

from kcore import config
from kcore.ops.linalg import check_norm_ord, check_square

_HALF = (jnp.float16, jnp.bfloat16)


def _in(x):
    """``x`` as a float array to compute with, and the dtype of the result."""
    x = jnp.asarray(x)
    dtype = x.dtype
    if not jnp.issubdtype(dtype, jnp.floating):
        x = x.astype(config.floatx())
        return x, x.dtype
    if dtype in _HALF:
        return x.astype(jnp.float32), dtype
    return x, dtype


def _pair(a, b):
    a, b = jnp.asarray(a), jnp.asarray(b)
    dtype = jnp.result_type(a, b)
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.dtype(config.floatx())
    compute = jnp.float32 if dtype in _HALF else dtype
    return a.astype(compute), b.astype(compute), dtype


def _t(x):
    return jnp.swapaxes(x, -1, -2)


def cholesky(x, upper=False):
    x, dtype = _in(x)
    check_square("cholesky", x.shape)
    return jnp.linalg.cholesky(x, upper=upper, symmetrize_input=True).astype(dtype)


def cholesky_inverse(x, upper=False):
    x, dtype = _in(x)
    check_square("cholesky_inverse", x.shape)
    eye = jnp.broadcast_to(jnp.eye(x.shape[-1], dtype=x.dtype), x.shape)
    factor = jnp.triu(x) if upper else jnp.tril(x)
    return jsl.cho_solve((factor, not upper), eye).astype(dtype)


def det(x):
    x, dtype = _in(x)
    return jnp.linalg.det(x).astype(dtype)


def eig(x):
    x, dtype = _in(x)
    w, v = jnp.linalg.eig(x)
    complex_dtype = jnp.complex128 if dtype == jnp.float64 else jnp.complex64
    return w.astype(complex_dtype), v.astype(complex_dtype)


def eigh(x):
    x, dtype = _in(x)
    w, v = jnp.linalg.eigh(x, symmetrize_input=True)
    return w.astype(dtype), v.astype(dtype)


def inv(x):
    x, dtype = _in(x)
    return jnp.linalg.inv(x).astype(dtype)


def lu_factor(x):
    x, dtype = _in(x)
    check_square("lu_factor", x.shape)
    lu, pivots = jsl.lu_factor(x)
    return lu.astype(dtype), pivots.astype(jnp.int32)


def norm(x, ord=None, axis=None, keepdims=False):
    x, dtype = _in(x)
    check_norm_ord(x.ndim, ord, axis)
    if isinstance(axis, list):
        axis = tuple(axis)
    return jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims).astype(dtype)


def _rtol(shape, rcond, dtype):
    if rcond is None:
        eps = np.finfo(np.float32 if dtype in _HALF else dtype).eps
        return max(shape[-2:]) * eps
    return rcond


def pinv(x, rcond=None):
    x, dtype = _in(x)
    return jnp.linalg.pinv(x, rtol=_rtol(x.shape, rcond, dtype)).astype(dtype)


def lstsq(a, b, rcond=None):
    a, b, dtype = _pair(a, b)
    return jnp.linalg.lstsq(a, b, rcond=_rtol(a.shape, rcond, dtype))[0].astype(dtype)


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', got {mode!r}")
    x, dtype = _in(x)
    q, r = jnp.linalg.qr(x, mode=mode)
    return q.astype(dtype), r.astype(dtype)


def solve(a, b):
    a, b, dtype = _pair(a, b)
    check_square("solve", a.shape)
    return jnp.linalg.solve(a, b).astype(dtype)


def solve_triangular(a, b, lower=False):
    a, b, dtype = _pair(a, b)
    check_square("solve_triangular", a.shape)
    a = jnp.tril(a) if lower else jnp.triu(a)
    return jsl.solve_triangular(a, b, lower=lower).astype(dtype)


def svd(x, full_matrices=True, compute_uv=True):
    x, dtype = _in(x)
    if not compute_uv:
        return jnp.linalg.svd(x, compute_uv=False).astype(dtype)
    u, s, vh = jnp.linalg.svd(x, full_matrices=full_matrices)
    return u.astype(dtype), s.astype(dtype), vh.astype(dtype)


def jvp(fun, primals, tangents, has_aux=False):
    return jax.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)
