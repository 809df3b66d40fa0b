"""NumPy implementations of the ops declared in ``kcore/ops/linalg.py``.

The reference computes in float64 (``numpy.linalg`` has no half-precision kernels)
and returns Keras 3's dtype: floatx for integer input, else the input's float dtype.
``jvp`` needs automatic differentiation, which this backend lacks.
"""

from __future__ import annotations

import numpy as np

from kcore import config
from kcore.ops.linalg import check_norm_ord, check_square


def _float_dtype(*xs):
    dtypes = [np.asarray(x).dtype for x in xs]
    floats = [d for d in dtypes if d.kind == "f"]
    if not floats:
        return np.dtype(config.floatx())
    return max(floats, key=lambda d: d.itemsize)


def _in(x):
    """``x`` in float64 and the dtype the result goes back to."""
    x = np.asarray(x)
    return x.astype(np.float64, copy=False), _float_dtype(x)


def _t(x):
    return np.swapaxes(x, -1, -2)


def _symmetric(x):
    return (x + _t(x)) / 2


def cholesky(x, upper=False):
    x, dtype = _in(x)
    check_square("cholesky", x.shape)
    out = np.linalg.cholesky(_symmetric(x))
    return np.asarray((_t(out) if upper else out).astype(dtype))


def cholesky_inverse(x, upper=False):
    x, dtype = _in(x)
    check_square("cholesky_inverse", x.shape)
    factor = np.triu(x) if upper else np.tril(x)
    full = _t(factor) @ factor if upper else factor @ _t(factor)
    return np.asarray(np.linalg.inv(full).astype(dtype))


def det(x):
    x, dtype = _in(x)
    return np.asarray(np.linalg.det(x)).astype(dtype)


def eig(x):
    x, dtype = _in(x)
    w, v = np.linalg.eig(x)
    complex_dtype = np.complex128 if dtype == np.float64 else np.complex64
    return np.asarray(w).astype(complex_dtype), np.asarray(v).astype(complex_dtype)


def eigh(x):
    x, dtype = _in(x)
    w, v = np.linalg.eigh(_symmetric(x))
    return np.asarray(w.astype(dtype)), np.asarray(v.astype(dtype))


def inv(x):
    x, dtype = _in(x)
    return np.asarray(np.linalg.inv(x).astype(dtype))


def lstsq(a, b, rcond=None):
    dtype = _float_dtype(a, b)
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if rcond is None:  # a cutoff in the result's precision, not float64's
        rcond = max(a.shape[-2:]) * np.finfo(np.float32 if dtype.itemsize < 8 else dtype).eps
    return np.asarray(np.linalg.lstsq(a, b, rcond=rcond)[0].astype(dtype))


def lu_factor(x):
    x, dtype = _in(x)
    check_square("lu_factor", x.shape)
    n = x.shape[-1]
    lu = x.copy().reshape((-1, n, n))
    pivots = np.zeros(lu.shape[:-1], np.int32)
    for b, m in enumerate(lu):
        for k in range(n):
            p = k + int(np.argmax(np.abs(m[k:, k])))
            pivots[b, k] = p
            if p != k:
                m[[k, p]] = m[[p, k]]
            if m[k, k] != 0:
                m[k + 1 :, k] /= m[k, k]
                m[k + 1 :, k + 1 :] -= np.outer(m[k + 1 :, k], m[k, k + 1 :])
    return (
        np.asarray(lu.reshape(x.shape).astype(dtype)),
        np.asarray(pivots.reshape(x.shape[:-1])),
    )


def matrix_rank(x, tol=None):
    x = np.asarray(x)
    dtype = _float_dtype(x)
    s = np.linalg.svd(x.astype(np.float64), compute_uv=False)
    if tol is None:
        eps = np.finfo(np.float32 if dtype.itemsize < 8 else dtype).eps
        tol = s.max(axis=-1, keepdims=True) * max(x.shape[-2:]) * eps
    return np.asarray(np.sum(s > tol, axis=-1), np.int32)


def norm(x, ord=None, axis=None, keepdims=False):
    x, dtype = _in(x)
    check_norm_ord(x.ndim, ord, axis)
    if isinstance(axis, list):
        axis = tuple(axis)
    return np.asarray(np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)).astype(dtype)


def pinv(x, rcond=None):
    x, dtype = _in(x)
    if rcond is None:
        rcond = max(x.shape[-2:]) * np.finfo(np.float32 if dtype.itemsize < 8 else dtype).eps
    return np.asarray(np.linalg.pinv(x, rtol=rcond).astype(dtype))


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', got {mode!r}")
    x, dtype = _in(x)
    q, r = np.linalg.qr(x, mode=mode)
    return np.asarray(q.astype(dtype)), np.asarray(r.astype(dtype))


def _system(a, b):
    dtype = _float_dtype(a, b)
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    check_square("solve", a.shape)
    return a, b, dtype


def solve(a, b):
    a, b, dtype = _system(a, b)
    if b.ndim == 1:
        return np.asarray(np.linalg.solve(a, b[:, None])[..., 0].astype(dtype))
    return np.asarray(np.linalg.solve(a, b).astype(dtype))


def solve_triangular(a, b, lower=False):
    a, b, dtype = _system(a, b)
    a = np.tril(a) if lower else np.triu(a)
    return solve(a, b).astype(dtype)


def svd(x, full_matrices=True, compute_uv=True):
    x, dtype = _in(x)
    if not compute_uv:
        return np.asarray(np.linalg.svd(x, compute_uv=False).astype(dtype))
    u, s, vh = np.linalg.svd(x, full_matrices=full_matrices)
    return np.asarray(u.astype(dtype)), np.asarray(s.astype(dtype)), np.asarray(vh.astype(dtype))
