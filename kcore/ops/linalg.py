"""Linear-algebra ops (``keras.ops.linalg``, also public as ``kcore.ops.<name>``).

Result dtypes follow Keras 3: integer and boolean matrices become ``floatx()``, floats
keep their dtype (backends compute float16 and bfloat16 in float32 and round the
result back, since LAPACK has no half-precision kernels); ``eig`` gives complex
results (``complex64``, ``complex128`` for float64), ``lu_factor``'s pivots and
``matrix_rank`` are ``int32``.

Conventions every backend shares, where the frameworks differ among themselves:
``cholesky`` and ``eigh`` read the symmetric part ``(x + x^T) / 2`` of their input
(so their gradients are symmetric everywhere), ``cholesky_inverse`` and
``solve_triangular`` read only the triangle they are told to, and ``lu_factor``'s
pivots are LAPACK's row interchanges, 0-based (``x``'s row ``i`` was swapped with
row ``pivots[i]``), as in SciPy.
"""

from __future__ import annotations

import numpy as np

from kcore import ops
from kcore.ops import rules
from kcore.ops.cases import Case
from kcore.ops.contract import op

# --------------------------------------------------------------------------- checks


def _shape(value):
    return rules._shape(value)


def _square(name: str = "x") -> rules.Rule:
    """``values[name]`` is a (batch of) square matrices: shape ``(..., M, M)``."""

    def rule(values):
        shape = _shape(values[name])
        if shape is None:
            return None
        if len(shape) < 2:
            return f"{name} of shape (..., M, M) (square matrices), of rank 2 or more"
        if None not in shape[-2:] and shape[-1] != shape[-2]:
            return f"{name} of shape (..., M, M) (square matrices), got {shape[-2]}x{shape[-1]}"
        return None

    return rule


def _matrix(name: str = "x") -> rules.Rule:
    """``values[name]`` is a (batch of) matrices: rank 2 or more."""

    def rule(values):
        shape = _shape(values[name])
        if shape is not None and len(shape) < 2:
            return f"{name} of shape (..., M, N) (matrices), of rank 2 or more"
        return None

    return rule


def _system(a: str = "a", b: str = "b") -> rules.Rule:
    """``a`` is ``(..., M, M)`` and ``b`` ``(..., M)`` or ``(..., M, K)``."""
    square = _square(a)

    def rule(values):
        broken = square(values)
        if broken:
            return broken
        sa, sb = _shape(values[a]), _shape(values[b])
        if sa is None or sb is None:
            return None
        if len(sb) == 0:
            return f"{b} of shape (..., M) or (..., M, K), of rank 1 or more"
        m = sa[-1]
        rows = sb[-2] if len(sb) >= 2 and len(sb) == len(sa) else sb[-1]
        if None not in (m, rows) and m != rows:
            return f"{b} with {m} rows to match {a} of shape (..., {m}, {m}), got {rows}"
        return None

    return rule


def _lstsq_expect(values):
    sa, sb = _shape(values["a"]), _shape(values["b"])
    if sa is None or sb is None:
        return None
    if len(sa) != 2:
        return "a of shape (M, N)"
    if len(sb) not in (1, 2):
        return "b of shape (M,) or (M, K)"
    if None not in (sa[0], sb[0]) and sa[0] != sb[0]:
        return f"b with {sa[0]} rows to match a of shape {sa}, got {sb[0]}"
    return None


_NORM_ORDS = "None, 'fro', 'nuc', inf, -inf, 1, -1, 2 or -2 for matrix norms"


def _norm_expect(values):
    shape, ord_, axis = _shape(values["x"]), values["ord"], values["axis"]
    if shape is None:
        return None
    broken = rules.axis()(values)
    if broken:
        return broken
    matrix = (isinstance(axis, list | tuple) and len(axis) == 2) or (
        axis is None and len(shape) == 2 and ord_ is not None
    )
    if axis is None and ord_ is not None and len(shape) not in (1, 2):
        return f"axis for ord={ord_!r} on a tensor of rank {len(shape)} (rank 1 or 2 without)"
    if isinstance(axis, list | tuple) and len(axis) not in (1, 2):
        return f"axis to be an int or a 2-tuple, got {axis!r}"
    if matrix and ord_ not in (None, "fro", "nuc", np.inf, -np.inf, 1, -1, 2, -2):
        return f"ord in {_NORM_ORDS}, got {ord_!r}"
    if not matrix and isinstance(ord_, str):
        return f"a numeric ord for vector norms, got {ord_!r}"
    return None


def _qr_expect(values):
    if values["mode"] not in ("reduced", "complete"):
        return f"mode 'reduced' or 'complete', got {values['mode']!r}"
    return _matrix()(values)


def check_norm_ord(x_ndim: int, ord, axis) -> bool:
    """Whether ``norm`` computes a matrix norm for these arguments; raises ValueError
    for an ``ord`` that fits neither (for backends whose kernel would accept it)."""
    matrix = (isinstance(axis, list | tuple) and len(axis) == 2) or (
        axis is None and x_ndim == 2 and ord is not None
    )
    if matrix and ord not in (None, "fro", "nuc", np.inf, -np.inf, 1, -1, 2, -2):
        raise ValueError(f"norm: invalid ord {ord!r} for matrix norms")
    if not matrix and isinstance(ord, str):
        raise ValueError(f"norm: invalid ord {ord!r} for vector norms")
    return matrix


def check_square(op_name: str, shape) -> None:
    """Raise ValueError unless ``shape`` is ``(..., M, M)`` (for backends that would
    silently accept a non-square matrix)."""
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"{op_name}: expected square matrices, got shape {tuple(shape)}")


# --------------------------------------------------------------------------- shape rules
# Shapes and dtypes for KerasTensor arguments, computed here rather than by probing the
# backend with placeholder values (zeros are singular, and an unknown dimension's
# stand-in would make a square matrix non-square).


def _float_of(*values):
    from kcore import config
    from kcore.dtypes import result_type, standardize_dtype

    dtype = result_type(*(standardize_dtype(v.dtype) for v in values if hasattr(v, "dtype")))
    return dtype if dtype in ("float16", "bfloat16", "float32", "float64") else config.floatx()


def _spec(shape, dtype):
    from kcore.keras_tensor import KerasTensor

    return KerasTensor(tuple(shape), dtype)


def _same_rule(x, *args, **kwargs):
    return _spec(_shape(x), _float_of(x))


def _det_rule(x):
    return _spec(_shape(x)[:-2], _float_of(x))


def _eig_rule(x):
    shape, dtype = _shape(x), "complex128" if _float_of(x) == "float64" else "complex64"
    return _spec(shape[:-1], dtype), _spec(shape, dtype)


def _eigh_rule(x):
    shape, dtype = _shape(x), _float_of(x)
    return _spec(shape[:-1], dtype), _spec(shape, dtype)


def _lu_rule(x):
    shape = _shape(x)
    return _spec(shape, _float_of(x)), _spec(shape[:-1], "int32")


def _smaller(m, n):
    return None if m is None or n is None else min(m, n)


def _qr_shape_rule(x, mode="reduced"):
    shape, dtype = _shape(x), _float_of(x)
    batch, (m, n) = shape[:-2], shape[-2:]
    k = m if mode == "complete" else _smaller(m, n)
    return _spec((*batch, m, k), dtype), _spec((*batch, k, n), dtype)


def _svd_rule(x, full_matrices=True, compute_uv=True):
    shape, dtype = _shape(x), _float_of(x)
    batch, (m, n) = shape[:-2], shape[-2:]
    k = _smaller(m, n)
    s = _spec((*batch, k), dtype)
    if not compute_uv:
        return s
    if full_matrices:
        return _spec((*batch, m, m), dtype), s, _spec((*batch, n, n), dtype)
    return _spec((*batch, m, k), dtype), s, _spec((*batch, k, n), dtype)


def _system_rule(a, b, *args, **kwargs):
    return _spec(_shape(b), _float_of(a, b))


def _lstsq_shape_rule(a, b, rcond=None):
    return _spec((_shape(a)[-1], *_shape(b)[1:]), _float_of(a, b))


# --------------------------------------------------------------------------- cases

_INT_SPD = np.array([[4, 1, 0], [1, 3, 1], [0, 1, 2]], "int32")


def _spd(rng, shape, dtype):
    """Symmetric positive-definite matrices: ``m m^T + n I``."""
    n = shape[-1]
    m = rng.uniform(-1.0, 1.0, shape)
    return (m @ np.swapaxes(m, -1, -2) + n * np.eye(n)).astype(dtype)


def _dominant(rng, shape, dtype, distinct=True):
    """Diagonally dominant (well-conditioned) matrices with diagonal entries
    of distinct magnitudes (so pivoting never meets a tie)."""
    rows, cols = shape[-2:]
    k = min(rows, cols)
    m = rng.uniform(-1.0, 1.0, shape)
    diag = np.arange(k, 2 * k) + 1.5 if distinct else np.full(k, float(k))
    m[..., np.arange(k), np.arange(k)] += diag
    return m.astype(dtype)


def _factor(rng, shape, dtype, upper=False):
    """Triangular factors with a positive diagonal (Cholesky factors)."""
    n = shape[-1]
    m = rng.uniform(-1.0, 1.0, shape)
    m = np.triu(m) if upper else np.tril(m)
    return (m + 2.0 * np.eye(n)).astype(dtype)


def _diagonal(rng, shape, dtype):
    """Diagonal matrices with distinct entries (unique eigenvalues and, up to
    ordering, unique eigenvectors)."""
    n = shape[-1]
    values = rng.permutation(np.arange(1, n + 1) * 1.5 - 2.0)
    out = np.zeros(shape)
    out[..., np.arange(n), np.arange(n)] = values
    return out.astype(dtype)


def _cases(*rows):
    """Cases from ``(id, builder(rng) -> args tuple, kwargs, grad)`` rows."""

    def make(spec, rng, supported):
        out = []
        for label, build, kwargs, grad in rows:
            args = build(rng)
            dtypes = {a.dtype.name for a in args if isinstance(a, np.ndarray)}
            if dtypes <= supported:
                out.append(Case(label, args, dict(kwargs), grad))
        return out

    return make


def _invertible_cases():
    """The cases of ``det`` and ``inv``: diagonally dominant (invertible) matrices."""
    return _cases(
        ("float32-3x3", lambda r: (_dominant(r, (3, 3), "float32"),), {}, True),
        ("float64-2x3x3", lambda r: (_dominant(r, (2, 3, 3), "float64"),), {}, True),
        ("int32-3x3", lambda r: (_INT_SPD,), {}, False),
    )


# --------------------------------------------------------------------------- ops


@op(
    "linalg",
    shape_rule=_same_rule,
    expect=_square(),
    cases=_cases(
        ("float32-3x3", lambda r: (_spd(r, (3, 3), "float32"),), {}, True),
        ("float32-3x3-upper", lambda r: (_spd(r, (3, 3), "float32"),), {"upper": True}, True),
        ("float64-2x3x3", lambda r: (_spd(r, (2, 3, 3), "float64"),), {}, True),
        ("int32-3x3", lambda r: (_INT_SPD,), {}, False),
    ),
)
def cholesky(x, upper=False):
    """Cholesky factor of symmetric positive-definite matrices ``x`` (batched over
    leading dimensions): lower-triangular ``l`` with ``x = l @ l^T``, or with
    ``upper=True`` upper-triangular ``u`` with ``x = u^T @ u``.

    Example::

        >>> kcore.ops.cholesky([[4.0, 2.0], [2.0, 5.0]])   # tensor [[2., 0.], [1., 2.]]
    """
    ...


@op(
    "linalg",
    shape_rule=_same_rule,
    composite=True,
    expect=_square(),
    cases=_cases(
        ("float32-3x3", lambda r: (_factor(r, (3, 3), "float32"),), {}, True),
        (
            "float32-3x3-upper",
            lambda r: (_factor(r, (3, 3), "float32", upper=True),),
            {"upper": True},
            True,
        ),
        ("float64-2x3x3", lambda r: (_factor(r, (2, 3, 3), "float64"),), {}, False),
        ("int32-3x3", lambda r: (np.tril(_INT_SPD) + np.eye(3, dtype="int32"),), {}, False),
    ),
)
def cholesky_inverse(x, upper=False):
    """Inverse of the symmetric positive-definite matrix whose Cholesky factor is
    ``x``: ``inv(x @ x^T)`` for a lower-triangular factor, ``inv(x^T @ x)`` with
    ``upper=True``. Only that triangle of ``x`` is read.

    Example::

        >>> kcore.ops.cholesky_inverse([[2.0, 0.0], [1.0, 2.0]])   # inv([[4, 2], [2, 5]])
    """
    n = ops.shape(x)[-1]
    eye = ops.eye(n, dtype=ops.dtype(ops.multiply(x, 1.0)))
    factor = ops.triu(x) if upper else ops.tril(x)
    inverse = ops.solve_triangular(
        factor, ops.broadcast_to(eye, ops.shape(factor)), lower=not upper
    )
    transposed = ops.swapaxes(inverse, -1, -2)
    if upper:  # x = u^T u: inv(x) = inv(u) inv(u)^T
        return ops.matmul(inverse, transposed)
    return ops.matmul(transposed, inverse)  # x = l l^T: inv(x) = inv(l)^T inv(l)


@op(
    "linalg",
    shape_rule=_det_rule,
    expect=_square(),
    cases=_invertible_cases(),
)
def det(x):
    """Determinant of square matrices ``x`` (batched over leading dimensions).

    Example::

        >>> kcore.ops.det([[1.0, 2.0], [3.0, 4.0]])   # tensor -2.0
    """
    ...


@op(
    "linalg",
    shape_rule=_eig_rule,
    grad=False,
    expect=_square(),
    cases=_cases(
        ("float32-2x3x3", lambda r: (_diagonal(r, (2, 3, 3), "float32"),), {}, False),
        ("float64-3x3", lambda r: (_diagonal(r, (3, 3), "float64"),), {}, False),
        ("int32-3x3", lambda r: (np.diag([3, 1, 2]).astype("int32"),), {}, False),
    ),
)
def eig(x):
    """Eigenvalues and right eigenvectors of general square matrices ``x``, as a pair
    ``(w, v)`` of complex tensors (``complex64``; ``complex128`` for float64) with
    ``x @ v[..., :, i] = w[..., i] * v[..., :, i]``, each vector of unit norm. Their
    order is the solver's and not sorted.

    Example::

        >>> w, v = kcore.ops.eig([[2.0, 0.0], [0.0, 3.0]])   # w: [2+0j, 3+0j]
    """
    ...


# Eigenvector signs are the solver's choice and flip under finite differences: the
# suite checks values and vectors on diagonal matrices (unique up to nothing), without
# gradients; tests/test_ops_linalg.py checks eigenvalue gradients.
@op(
    "linalg",
    shape_rule=_eigh_rule,
    expect=_square(),
    cases=_cases(
        ("float32-3x3", lambda r: (_diagonal(r, (3, 3), "float32"),), {}, False),
        ("float64-2x3x3", lambda r: (_diagonal(r, (2, 3, 3), "float64"),), {}, False),
        ("int32-3x3", lambda r: (np.diag([3, 1, 2]).astype("int32"),), {}, False),
    ),
)
def eigh(x):
    """Eigenvalues (ascending) and orthonormal eigenvectors of symmetric matrices
    ``x``, as a pair ``(w, v)`` with ``x @ v[..., :, i] = w[..., i] * v[..., :, i]``.
    The symmetric part ``(x + x^T) / 2`` is what is decomposed.

    Example::

        >>> w, v = kcore.ops.eigh([[2.0, 1.0], [1.0, 2.0]])   # w: [1.0, 3.0]
    """
    ...


@op(
    "linalg",
    shape_rule=_same_rule,
    expect=_square(),
    cases=_invertible_cases(),
)
def inv(x):
    """Inverse of square matrices ``x`` (batched over leading dimensions).

    Example::

        >>> kcore.ops.inv([[2.0, 0.0], [0.0, 4.0]])   # tensor [[0.5, 0.], [0., 0.25]]
    """
    ...


@op(
    "linalg",
    shape_rule=_lstsq_shape_rule,
    composite=True,
    expect=_lstsq_expect,
    cases=_cases(
        (
            "float32-4x3-4x2",
            lambda r: (_dominant(r, (4, 3), "float32"), r.uniform(-1, 1, (4, 2)).astype("float32")),
            {},
            True,
        ),
        (
            "float64-4x3-4",
            lambda r: (_dominant(r, (4, 3), "float64"), r.uniform(-1, 1, (4,))),
            {},
            True,
        ),
        (
            "float32-3x3-rcond",
            lambda r: (_dominant(r, (3, 3), "float32"), r.uniform(-1, 1, (3, 2)).astype("float32")),
            {"rcond": 1e-3},
            False,
        ),
        ("int32-3x3", lambda r: (_INT_SPD, np.array([[1], [2], [3]], "int32")), {}, False),
    ),
)
def lstsq(a, b, rcond=None):
    """Least-squares solution ``x`` of ``a @ x = b`` for ``a`` of shape ``(M, N)`` and
    ``b`` of shape ``(M,)`` or ``(M, K)``: the ``x`` of smallest norm among those that
    minimise ``|b - a @ x|``. Singular values of ``a`` at most ``rcond`` times the
    largest count as zero (default: ``max(M, N)`` times the dtype's epsilon).

    Example::

        >>> kcore.ops.lstsq([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], [1.0, 2.0, 3.0])   # [1., 2.]
    """
    dtype = ops.dtype(ops.multiply(a, 1.0))
    a = ops.convert_to_tensor(a, dtype)
    b = ops.convert_to_tensor(b, dtype)
    vector = len(b.shape) == 1
    if vector:
        b = ops.expand_dims(b, -1)
    u, inverse_s, vt = _inverted_svd(ops, a, rcond, dtype)
    ub = ops.matmul(ops.transpose(u), b)
    x = ops.matmul(ops.transpose(vt), ops.multiply(ops.expand_dims(inverse_s, -1), ub))
    return ops.squeeze(x, -1) if vector else x


def _inverted_svd(ops, x, rcond, dtype):
    """``(u, 1 / s, vt)`` of the reduced SVD of ``x``, the reciprocal set to 0 where
    ``s`` is at or below the :func:`_cutoff`. ``ops`` is the caller's."""
    u, s, vt = ops.svd(x, full_matrices=False)
    cutoff = _cutoff(ops, s, x.shape, rcond, dtype)
    inverse_s = ops.where(ops.greater(s, cutoff), ops.divide(1.0, ops.maximum(s, cutoff)), 0.0)
    return u, inverse_s, vt


def _cutoff(ops, s, shape, rcond, dtype):
    """The singular value at or below which ``s`` counts as zero: ``rcond`` times the
    largest (per matrix), ``rcond`` defaulting to ``max(M, N)`` epsilons. ``ops`` is
    the caller's (a composite's ``ops`` may be another backend's namespace)."""
    if rcond is None:
        # An unknown (symbolic) dimension only changes the value, not the shape.
        size = max(shape[-2] or 1, shape[-1] or 1)
        rcond = size * float(np.finfo(_numpy_dtype(dtype)).eps)
    return ops.multiply(ops.max(s, axis=-1, keepdims=True), rcond)


def _numpy_dtype(dtype):
    # Half precision is computed in float32, so its cutoff is float32's.
    return np.float32 if dtype in ("float16", "bfloat16") else np.dtype(dtype)


@op(
    "linalg",
    shape_rule=_lu_rule,
    expect=_square(),
    cases=_cases(
        ("float32-3x3", lambda r: (_dominant(r, (3, 3), "float32"),), {}, True),
        ("float64-2x3x3", lambda r: (_dominant(r, (2, 3, 3), "float64"),), {}, False),
        (
            "float32-pivoting",
            lambda r: (np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 10]], "float32"),),
            {},
            False,
        ),
        ("int32-3x3", lambda r: (_INT_SPD,), {}, False),
    ),
)
def lu_factor(x):
    """LU factorisation with partial pivoting of square matrices ``x``, as a pair
    ``(lu, pivots)``: ``lu`` holds ``u`` in its upper triangle and ``l`` (unit
    diagonal left out) below it, and ``pivots`` (``int32``) says that row ``i`` was
    swapped with row ``pivots[..., i]`` (0-based, in order), as SciPy's ``lu_factor``.

    Example::

        >>> lu, pivots = kcore.ops.lu_factor([[1.0, 2.0], [3.0, 4.0]])   # pivots [1, 1]
    """
    ...


def _rank_deficient(rng):
    m = rng.uniform(-1.0, 1.0, (3, 2))
    return (m @ np.array([[1.0, 0.5, 2.0], [0.0, 1.0, -1.0]]),)


@op(
    "linalg",
    composite=True,
    grad=False,
    expect=_matrix(),
    cases=_cases(
        ("float32-3x3", lambda r: (_dominant(r, (3, 3), "float32"),), {}, False),
        ("float64-rank2", _rank_deficient, {}, False),
        ("float32-2x3x2", lambda r: (r.uniform(-1, 1, (2, 3, 2)).astype("float32"),), {}, False),
        (
            "float32-tol",
            lambda r: (np.diag([3.0, 1.0, 0.01]).astype("float32"),),
            {"tol": 0.1},
            False,
        ),
        ("int32-3x3", lambda r: (_INT_SPD,), {}, False),
    ),
)
def matrix_rank(x, tol=None):
    """Rank of matrices ``x`` (``int32``, batched over leading dimensions): the number
    of singular values above ``tol`` (default: the largest singular value times
    ``max(M, N)`` times the dtype's epsilon).

    Example::

        >>> kcore.ops.matrix_rank([[1.0, 2.0], [2.0, 4.0]])   # tensor 1
    """
    dtype = ops.dtype(ops.multiply(x, 1.0))
    x = ops.convert_to_tensor(x, dtype)
    s = ops.svd(x, compute_uv=False)
    cutoff = _cutoff(ops, s, x.shape, None, dtype) if tol is None else tol
    return ops.sum(ops.cast(ops.greater(s, cutoff), "int32"), axis=-1)


def _norm_cases(spec, rng, supported):
    def a(shape, dtype="float32", low=0.5):
        magnitude = rng.uniform(low, 2.0, shape)
        return (magnitude * rng.choice([-1.0, 1.0], shape)).astype(dtype)

    square = a((3, 3))
    rows = [
        Case("float32-5", (a((5,)),), {}, True),
        Case("float32-2x3-axis-1-keep", (a((2, 3)),), {"axis": -1, "keepdims": True}, False),
        Case("float32-2x3-ord3-axis0", (a((2, 3)),), {"ord": 3, "axis": 0}, True),
        Case(
            "float32-2x4-ord0",
            (a((2, 4)) * (rng.random((2, 4)) < 0.5),),
            {"ord": 0, "axis": 1},
            False,
        ),
        Case("float32-5-inf", (a((5,)),), {"ord": np.inf}, False),
        Case(
            "float64-2x3x3-fro-keep",
            (a((2, 3, 3), "float64"),),
            {"ord": "fro", "axis": (1, 2), "keepdims": True},
            True,
        ),
        Case("float64-3x3-nuc", (square.astype("float64"),), {"ord": "nuc"}, True),
    ]
    for o in (np.inf, -1, 2, -2):  # (-inf and 1 mirror these; tests/test_ops_linalg.py)
        rows.append(Case(f"float32-3x3-ord{o}", (square,), {"ord": o}, False))
    rows.append(
        Case("float32-2x3x3-ord2-axis20", (a((2, 3, 3)),), {"ord": 2, "axis": (2, 0)}, False)
    )
    rows.append(Case("int32-2x3", (np.array([[1, -2, 3], [0, 4, -1]], "int32"),), {}, False))
    return [c for c in rows if c.args[0].dtype.name in supported]


@op("linalg", composite=True, expect=_norm_expect, cases=_norm_cases)
def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm of ``x``, as NumPy's ``linalg.norm``: over all elements
    (2-norm of the flattened tensor) when ``ord`` and ``axis`` are None; a vector
    norm along an int ``axis`` (``ord``: None or 2, inf, -inf, 0 counting non-zeros,
    or any p: ``sum(|x|^p)^(1/p)``); a matrix norm over a 2-tuple ``axis`` or a rank-2
    ``x`` with ``ord`` given (``'fro'``, ``'nuc'``, inf, -inf, 1, -1, 2, -2).

    Example::

        >>> kcore.ops.norm([3.0, 4.0])   # tensor 5.0
    """
    x = ops.convert_to_tensor(x)
    if ops.dtype(x) not in ("float16", "bfloat16", "float32", "float64"):
        x = ops.cast(x, ops.dtype(ops.multiply(x, 1.0)))
    ndim = len(x.shape)
    matrix = check_norm_ord(ndim, ord, axis)
    if axis is None and ord is None:
        out = ops.sqrt(ops.sum(ops.square(x)))
        return ops.reshape(out, (1,) * ndim) if keepdims else out
    if axis is None:
        axis = (0, 1) if matrix else 0
    if isinstance(axis, list | tuple) and len(axis) == 1:
        axis = axis[0]
    if not matrix:
        magnitude = ops.abs(x)
        if ord is None or ord == 2:
            return ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=keepdims))
        if ord == np.inf:
            return ops.max(magnitude, axis=axis, keepdims=keepdims)
        if ord == -np.inf:
            return ops.min(magnitude, axis=axis, keepdims=keepdims)
        if ord == 0:
            nonzero = ops.cast(ops.not_equal(x, 0), x.dtype)
            return ops.sum(nonzero, axis=axis, keepdims=keepdims)
        if ord == 1:
            return ops.sum(magnitude, axis=axis, keepdims=keepdims)
        powered = ops.sum(ops.power(magnitude, float(ord)), axis=axis, keepdims=keepdims)
        return ops.power(powered, 1.0 / float(ord))
    rows, cols = (a % ndim for a in axis)
    if ord in (None, "fro"):
        return ops.sqrt(ops.sum(ops.square(x), axis=(rows, cols), keepdims=keepdims))
    if ord in (np.inf, -np.inf, 1, -1):
        summed_axis, reduced_axis = (cols, rows) if ord in (np.inf, -np.inf) else (rows, cols)
        sums = ops.sum(ops.abs(x), axis=summed_axis, keepdims=True)
        pick = ops.max if ord in (np.inf, 1) else ops.min
        out = pick(sums, axis=reduced_axis, keepdims=True)
    else:  # 2, -2, 'nuc': singular values of the matrices moved to the last two axes
        moved = ops.moveaxis(x, (rows, cols), (-2, -1))
        s = ops.svd(moved, compute_uv=False)
        if ord == "nuc":
            out = ops.sum(s, axis=-1)
        else:
            out = ops.max(s, axis=-1) if ord == 2 else ops.min(s, axis=-1)
        out = ops.expand_dims(ops.expand_dims(out, min(rows, cols)), max(rows, cols))
    return out if keepdims else ops.squeeze(out, axis=(rows, cols))


@op(
    "linalg",
    composite=True,
    expect=_matrix(),
    cases=_cases(
        ("float32-3x2", lambda r: (_dominant(r, (3, 2), "float32"),), {}, True),
        ("float64-2x3x3", lambda r: (_dominant(r, (2, 3, 3), "float64"),), {}, False),
        (
            "float32-rcond",
            lambda r: (np.diag([3.0, 1.0, 0.01]).astype("float32"),),
            {"rcond": 0.1},
            False,
        ),
        ("int32-3x3", lambda r: (_INT_SPD,), {}, False),
    ),
)
def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse of matrices ``x`` (shape ``(..., M, N)`` to
    ``(..., N, M)``), from the singular value decomposition; singular values at most
    ``rcond`` times the largest count as zero (default: ``max(M, N)`` epsilons).

    Example::

        >>> kcore.ops.pinv([[2.0, 0.0], [0.0, 4.0]])   # tensor [[0.5, 0.], [0., 0.25]]
    """
    dtype = ops.dtype(ops.multiply(x, 1.0))
    x = ops.convert_to_tensor(x, dtype)
    u, inverse_s, vt = _inverted_svd(ops, x, rcond, dtype)
    scaled = ops.multiply(ops.swapaxes(vt, -1, -2), ops.expand_dims(inverse_s, -2))
    return ops.matmul(scaled, ops.swapaxes(u, -1, -2))


@op(
    "linalg",
    shape_rule=_qr_shape_rule,
    expect=_qr_expect,
    cases=_cases(
        ("float32-3x2", lambda r: (_dominant(r, (3, 2), "float32"),), {}, True),
        (
            "float32-3x2-complete",
            lambda r: (_dominant(r, (3, 2), "float32"),),
            {"mode": "complete"},
            False,
        ),
        ("float64-2x3x3", lambda r: (_dominant(r, (2, 3, 3), "float64"),), {}, False),
        ("float32-2x3", lambda r: (_dominant(r, (2, 3), "float32"),), {}, False),
        ("int32-3x3", lambda r: (_INT_SPD,), {}, False),
    ),
)
def qr(x, mode="reduced"):
    """QR decomposition of matrices ``x`` of shape ``(..., M, N)``: a pair ``(q, r)``
    with orthonormal columns in ``q`` and upper-triangular ``r``, ``x = q @ r``. With
    ``mode="reduced"`` ``q`` is ``(..., M, K)`` and ``r`` ``(..., K, N)``, ``K = min(M, N)``;
    with ``mode="complete"`` ``q`` is ``(..., M, M)`` and ``r`` ``(..., M, N)``.

    Example::

        >>> q, r = kcore.ops.qr([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])   # q (3, 2), r (2, 2)
    """
    ...


@op(
    "linalg",
    shape_rule=_system_rule,
    expect=_system(),
    cases=_cases(
        (
            "float32-3x3-3x2",
            lambda r: (_dominant(r, (3, 3), "float32"), r.uniform(-1, 1, (3, 2)).astype("float32")),
            {},
            True,
        ),
        (
            "float32-3x3-3",
            lambda r: (_dominant(r, (3, 3), "float32"), r.uniform(-1, 1, (3,)).astype("float32")),
            {},
            True,
        ),
        (
            "float64-2x3x3-2x3x1",
            lambda r: (_dominant(r, (2, 3, 3), "float64"), r.uniform(-1, 1, (2, 3, 1))),
            {},
            False,
        ),
        ("int32-3x3", lambda r: (_INT_SPD, np.array([[1], [2], [3]], "int32")), {}, False),
    ),
)
def solve(a, b):
    """Solution ``x`` of ``a @ x = b`` for square ``a`` of shape ``(..., M, M)`` and ``b``
    of shape ``(..., M, K)`` (or ``(M,)``).

    Example::

        >>> kcore.ops.solve([[2.0, 0.0], [0.0, 4.0]], [[2.0], [2.0]])   # [[1.], [0.5]]
    """
    ...


@op(
    "linalg",
    shape_rule=_system_rule,
    expect=_system(),
    cases=_cases(
        (
            "float32-3x3-3x2",
            lambda r: (
                _factor(r, (3, 3), "float32", upper=True),
                r.uniform(-1, 1, (3, 2)).astype("float32"),
            ),
            {},
            True,
        ),
        (
            "float32-3x3-3x2-lower",
            lambda r: (_factor(r, (3, 3), "float32"), r.uniform(-1, 1, (3, 2)).astype("float32")),
            {"lower": True},
            True,
        ),
        (
            "float64-2x3x3-2x3x1",
            lambda r: (_factor(r, (2, 3, 3), "float64", upper=True), r.uniform(-1, 1, (2, 3, 1))),
            {},
            False,
        ),
        (
            "int32-3x3-3",
            lambda r: (np.triu(_INT_SPD) + np.eye(3, dtype="int32"), np.array([1, 2, 3], "int32")),
            {},
            False,
        ),
    ),
)
def solve_triangular(a, b, lower=False):
    """Solution ``x`` of ``a @ x = b`` for triangular ``a`` of shape ``(..., M, M)``
    (upper, or lower with ``lower=True``; only that triangle is read) and ``b`` of
    shape ``(..., M, K)`` (or ``(M,)``).

    Example::

        >>> kcore.ops.solve_triangular([[2.0, 1.0], [0.0, 4.0]], [[3.0], [4.0]])   # [[1.], [1.]]
    """
    ...


@op(
    "linalg",
    shape_rule=_svd_rule,
    expect=_matrix(),
    cases=_cases(
        ("float32-3x2", lambda r: (_dominant(r, (3, 2), "float32"),), {"compute_uv": False}, True),
        (
            "float64-2x3x3",
            lambda r: (_dominant(r, (2, 3, 3), "float64"),),
            {"compute_uv": False},
            True,
        ),
        ("int32-3x3", lambda r: (_INT_SPD,), {"compute_uv": False}, False),
    ),
)
def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition of matrices ``x`` of shape ``(..., M, N)``: a triple
    ``(u, s, vh)`` with ``x = u @ diag(s) @ vh`` and ``s`` descending; with
    ``full_matrices=False`` ``u`` is ``(..., M, K)`` and ``vh`` ``(..., K, N)``,
    ``K = min(M, N)`` (else square). With ``compute_uv=False`` only ``s``.

    Example::

        >>> kcore.ops.svd([[3.0, 0.0], [0.0, 4.0]], compute_uv=False)   # tensor [4., 3.]
    """
    ...


def _jvp_shape_rule(fun, primals, tangents, has_aux=False):
    from kcore.ops.contract import rule_backend

    def run(*values):
        primals_, tangents_ = values[: len(values) // 2], values[len(values) // 2 :]
        return rule_backend().ops["jvp"](fun, primals_, tangents_, has_aux=has_aux)

    return rule_backend().compute_output_spec(run, *primals, *tangents)


# No cases: the NumPy reference has no autodiff; the conformance kit checks jvp against
# finite differences (test_conformance.py::test_jvp), as does tests/test_ops_linalg.py.
@op("linalg", tensors=("primals", "tangents"), shape_rule=_jvp_shape_rule)
def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode Jacobian-vector product: ``(fun(*primals), J @ tangents)``, or
    ``(out, jvp_out, aux)`` with ``has_aux=True`` where ``fun`` returns ``(out, aux)``.
    ``primals`` and ``tangents`` are tuples or lists of the same structure and shapes.
    Needs automatic differentiation (not on the NumPy backend).

    Example::

        >>> out, t = kcore.ops.jvp(kcore.ops.sin, (x,), (ones,))   # sin(x), cos(x)
    """
    ...
