"""TensorFlow implementations of the ops declared in ``kcore/ops/linalg.py``.

Integer input becomes floatx; float16 and bfloat16 are computed in float32 (TF's
linear-algebra kernels mostly lack half precision) and rounded back. ``norm``,
``lstsq``, ``pinv`` and ``matrix_rank`` run the core's composites (SVD-based).
"""

from __future__ import annotations

import numpy as np

from kcore import config
from kcore.dtypes import result_type as _result_type
from kcore.ops.linalg import check_square
from kcore_tf.ops import _as_float, tf
from kcore_tf.ops import convert_to_tensor as _convert

_HALF = (tf.float16, tf.bfloat16)


def _in(x):
    """``x`` as a float tensor to compute with, and the dtype of the result."""
    x = _as_float(x)
    dtype = x.dtype
    if dtype in _HALF:
        return tf.cast(x, tf.float32), dtype
    return x, dtype


def _pair(a, b):
    a, b = _convert(a), _convert(b)
    dtype = tf.as_dtype(_result_type(a.dtype.name, b.dtype.name))
    if not dtype.is_floating:
        dtype = tf.as_dtype(config.floatx())
    compute = tf.float32 if dtype in _HALF else dtype
    return tf.cast(a, compute), tf.cast(b, compute), dtype


def _out(x, dtype):
    return x if x.dtype == dtype else tf.cast(x, dtype)


def _t(x):
    return tf.linalg.matrix_transpose(x)


def _square(name, x):
    if x.shape.rank is not None and None not in x.shape[-2:]:
        check_square(name, x.shape)


def cholesky(x, upper=False):
    x, dtype = _in(x)
    _square("cholesky", x)
    out = tf.linalg.cholesky((x + _t(x)) / 2)
    return _out(_t(out) if upper else out, dtype)


def cholesky_inverse(x, upper=False):
    x, dtype = _in(x)
    _square("cholesky_inverse", x)
    lower = _t(tf.linalg.band_part(x, 0, -1)) if upper else tf.linalg.band_part(x, -1, 0)
    eye = tf.eye(tf.shape(x)[-1], batch_shape=tf.shape(x)[:-2], dtype=x.dtype)
    return _out(tf.linalg.cholesky_solve(lower, eye), dtype)


def det(x):
    x, dtype = _in(x)
    return _out(tf.linalg.det(x), dtype)


def eig(x):
    x, dtype = _in(x)
    w, v = tf.linalg.eig(x)
    complex_dtype = tf.complex128 if dtype == tf.float64 else tf.complex64
    return _out(w, complex_dtype), _out(v, complex_dtype)


def eigh(x):
    x, dtype = _in(x)
    w, v = tf.linalg.eigh((x + _t(x)) / 2)
    return _out(w, dtype), _out(v, dtype)


def inv(x):
    x, dtype = _in(x)
    return _out(tf.linalg.inv(x), dtype)


def lu_factor(x):
    x, dtype = _in(x)
    _square("lu_factor", x)
    lu, permutation = _lu(x)
    return _out(lu, dtype), _interchanges(permutation, x.shape[-1])


@tf.custom_gradient
def _lu(x):
    # TF registers no gradient for its Lu op. With P x = L U (L unit lower, U upper,
    # both packed in lu), the gradient of lu's lower part dL and upper part dU is
    # x_bar = P^T L^-T (tril(L^T dL, -1) + triu(dU U^T)) U^-T.
    lu, permutation = tf.linalg.lu(x, output_idx_type=tf.int32)

    def grad(d_lu, d_permutation=None):
        n = tf.shape(lu)[-1]
        eye = tf.eye(n, dtype=lu.dtype)
        lower = tf.linalg.band_part(lu, -1, 0) - tf.linalg.band_part(lu, 0, 0) + eye
        upper = tf.linalg.band_part(lu, 0, -1)
        d_lower = tf.linalg.band_part(d_lu, -1, 0) - tf.linalg.band_part(d_lu, 0, 0)
        d_upper = tf.linalg.band_part(d_lu, 0, -1)
        phi = tf.linalg.band_part(tf.matmul(lower, d_lower, adjoint_a=True), -1, 0)
        phi = phi - tf.linalg.band_part(phi, 0, 0)
        phi = phi + tf.linalg.band_part(tf.matmul(d_upper, upper, adjoint_b=True), 0, -1)
        left = tf.linalg.triangular_solve(_t(lower), phi, lower=False)  # L^-T phi
        permuted = _t(tf.linalg.triangular_solve(upper, _t(left), lower=False))  # L^-T phi U^-T
        inverse = tf.argsort(permutation, axis=-1)
        return tf.gather(permuted, inverse, axis=-2, batch_dims=len(permutation.shape) - 1)

    return (lu, permutation), grad


def _interchanges(permutation, n):
    """LAPACK's row interchanges (row ``k`` swapped with row ``pivots[k]``, in order)
    from TF's permutation (row ``k`` of the result is row ``permutation[k]``)."""
    if tf.executing_eagerly():  # n small NumPy steps instead of n rounds of TF ops
        return tf.constant(_interchanges_numpy(permutation.numpy()))
    positions = tf.range(n, dtype=tf.int32)
    current = tf.broadcast_to(positions, tf.shape(permutation))
    pivots = []
    for k in range(n):
        target = permutation[..., k : k + 1]
        j = tf.argmax(tf.cast(tf.equal(current, target), tf.int32), axis=-1, output_type=tf.int32)
        pivots.append(j)
        at_k = current[..., k : k + 1]
        current = tf.where(
            positions == j[..., None], at_k, tf.where(positions == k, target, current)
        )
    return tf.stack(pivots, axis=-1)


def _interchanges_numpy(permutation):
    n = permutation.shape[-1]
    current = np.broadcast_to(np.arange(n, dtype=np.int32), permutation.shape).copy()
    pivots = np.empty_like(current)
    for k in range(n):
        target = permutation[..., k : k + 1]
        j = np.argmax(current == target, axis=-1)
        pivots[..., k] = j
        at_k = current[..., k].copy()
        np.put_along_axis(current, j[..., None], at_k[..., None], axis=-1)
        current[..., k] = target[..., 0]
    return pivots


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', got {mode!r}")
    x, dtype = _in(x)
    q, r = tf.linalg.qr(x, full_matrices=mode == "complete")
    return _out(q, dtype), _out(r, dtype)


def solve(a, b):
    a, b, dtype = _pair(a, b)
    _square("solve", a)
    if b.shape.rank == 1:
        return _out(tf.linalg.solve(a, b[:, None])[..., 0], dtype)
    return _out(tf.linalg.solve(a, b), dtype)


def solve_triangular(a, b, lower=False):
    a, b, dtype = _pair(a, b)
    _square("solve_triangular", a)
    vector = b.shape.rank == 1
    if vector:
        b = b[:, None]
    a = tf.linalg.band_part(a, -1, 0) if lower else tf.linalg.band_part(a, 0, -1)
    out = tf.linalg.triangular_solve(a, b, lower=lower)
    return _out(out[..., 0] if vector else out, dtype)


def svd(x, full_matrices=True, compute_uv=True):
    x, dtype = _in(x)
    if not compute_uv:
        return _out(tf.linalg.svd(x, compute_uv=False), dtype)
    s, u, v = tf.linalg.svd(x, full_matrices=full_matrices)
    return _out(u, dtype), _out(s, dtype), _out(_t(v), dtype)


def jvp(fun, primals, tangents, has_aux=False):
    primals = [_convert(p) for p in primals]
    tangents = [_convert(t) for t in tangents]
    with tf.autodiff.ForwardAccumulator(primals, tangents) as accumulator:
        result = fun(*primals)
    out, aux = result if has_aux else (result, None)
    jvp_out = tf.nest.map_structure(lambda o: _zero_if_none(accumulator.jvp(o), o), out)
    return (out, jvp_out, aux) if has_aux else (out, jvp_out)


def _zero_if_none(tangent, value):
    return tf.zeros_like(value) if tangent is None else tangent
