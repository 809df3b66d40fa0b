"""The linear-algebra ops (``kcore.ops.linalg``) where the conformance suite cannot look:
decompositions whose factors are unique only up to signs and order (checked by
reconstruction), ``jvp`` (which the NumPy reference lacks), gradients through
pivoting and eigenvalues, the composites against native versions, and bad input,
worded the same on every backend."""

from __future__ import annotations

import numpy as np
import pytest
from ops_helpers import BACKENDS, n, namespace, namespace_without, op_error_message, t

RNG = np.random.default_rng(7)
#: A general (non-symmetric) well-conditioned matrix and a symmetric one.
GENERAL = (RNG.uniform(-1, 1, (3, 3)) + np.diag([3.0, -2.0, 4.5])).astype("float32")
SYMMETRIC = ((GENERAL + GENERAL.T) / 2).astype("float32")
#: A matrix whose LU factorisation swaps rows.
PIVOTING = np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 10]], "float32")


def _close(actual, expected, tol=1e-4):
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


# ------------------------------------------------------------- decompositions


@pytest.mark.parametrize("mode", ["reduced", "complete"])
@pytest.mark.parametrize("shape", [(4, 2), (2, 4), (2, 3, 3)])
def test_qr_reconstructs_with_orthonormal_q_and_upper_r(ns, mode, shape):
    x = RNG.uniform(-1, 1, shape).astype("float32")
    q, r = (n(ns, v) for v in ns.qr(t(ns, x), mode=mode))
    m, k = shape[-2], min(shape[-2:])
    assert q.shape == (*shape[:-2], m, m if mode == "complete" else k)
    assert r.shape == (*shape[:-2], m if mode == "complete" else k, shape[-1])
    _close(q @ r, x)
    _close(
        np.swapaxes(q, -1, -2) @ q,
        np.broadcast_to(np.eye(q.shape[-1]), q.shape[:-2] + (q.shape[-1],) * 2),
    )
    _close(r, np.triu(r))


@pytest.mark.parametrize("full_matrices", [True, False])
@pytest.mark.parametrize("shape", [(4, 2), (2, 3, 3)])
def test_svd_reconstructs(ns, full_matrices, shape):
    x = RNG.uniform(-1, 1, shape).astype("float32")
    u, s, vh = (n(ns, v) for v in ns.svd(t(ns, x), full_matrices=full_matrices))
    m, k, c = shape[-2], min(shape[-2:]), shape[-1]
    assert u.shape[-2:] == ((m, m) if full_matrices else (m, k))
    assert vh.shape[-2:] == ((c, c) if full_matrices else (k, c))
    assert np.all(np.diff(s, axis=-1) <= 0), "singular values descend"
    _close(u[..., :k] * s[..., None, :] @ vh[..., :k, :], x)
    _close(s, n(ns, ns.svd(t(ns, x), compute_uv=False)))


def test_eig_reconstructs_with_complex_results(ns):
    w, v = ns.eig(t(ns, GENERAL))
    assert ns.dtype(w) == ns.dtype(v) == "complex64"
    w, v = n(ns, w), n(ns, v)
    _close(GENERAL @ v, v * w[None, :])
    _close(np.linalg.norm(v, axis=0), np.ones(3))
    _close(np.sort_complex(w), np.sort_complex(np.linalg.eigvals(GENERAL.astype("float64"))))
    w64, _ = ns.eig(t(ns, GENERAL, "float64" if ns.backend.name != "jax" else "float32"))
    assert ns.dtype(w64) == ("complex128" if ns.backend.name != "jax" else "complex64")


def test_eigh_reconstructs_with_ascending_values(ns):
    w, v = (n(ns, a) for a in ns.eigh(t(ns, SYMMETRIC)))
    assert np.all(np.diff(w) > 0)
    _close(SYMMETRIC @ v, v * w[None, :])
    _close(v.T @ v, np.eye(3))


def _apply_pivots(x, pivots):
    x = x.copy()
    for i, p in enumerate(pivots):
        x[[i, p]] = x[[p, i]]
    return x


@pytest.mark.parametrize("x", [PIVOTING, GENERAL], ids=["pivoting", "general"])
def test_lu_factor_reconstructs_with_scipy_pivots(ns, x):
    lu, pivots = ns.lu_factor(t(ns, x))
    assert ns.dtype(pivots) == "int32"
    lu, pivots = n(ns, lu), n(ns, pivots)
    lower, upper = np.tril(lu, -1) + np.eye(3), np.triu(lu)
    _close(lower @ upper, _apply_pivots(x, pivots))
    if x is PIVOTING:
        np.testing.assert_array_equal(pivots, [2, 2, 2])


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_reconstructs_and_cholesky_inverse_inverts(ns, upper):
    spd = (SYMMETRIC @ SYMMETRIC.T + np.eye(3)).astype("float32")
    factor = n(ns, ns.cholesky(t(ns, spd), upper=upper))
    _close(factor, np.triu(factor) if upper else np.tril(factor))
    _close(factor.T @ factor if upper else factor @ factor.T, spd, 1e-3)
    _close(n(ns, ns.cholesky_inverse(t(ns, factor), upper=upper)) @ spd, np.eye(3), 1e-3)


def test_half_precision_and_integer_dtypes(ns):
    assert ns.dtype(ns.det(t(ns, SYMMETRIC, "float16"))) == "float16"
    assert ns.dtype(ns.inv(t(ns, [[2, 0], [0, 4]], "int32"))) == "float32"
    assert ns.dtype(ns.matrix_rank(t(ns, SYMMETRIC))) == "int32"
    _close(n(ns, ns.inv(t(ns, [[2, 0], [0, 4]], "int32"))), [[0.5, 0], [0, 0.25]])


# ------------------------------------------------------------------ options


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"keepdims": True}, {"ord": 1}, {"ord": -np.inf}, {"ord": 0.5, "axis": 1}, {"ord": "nuc"}],
)
def test_norm_options_match_numpy(ns, kwargs):
    x = SYMMETRIC
    _close(n(ns, ns.norm(t(ns, x), **kwargs)), np.linalg.norm(x.astype("float64"), **kwargs))


def test_rank_and_pseudo_inverse_cutoffs(ns):
    x = np.diag([3.0, 1.0, 1e-3]).astype("float32")
    assert int(n(ns, ns.matrix_rank(t(ns, x)))) == 3
    assert int(n(ns, ns.matrix_rank(t(ns, x), tol=0.01))) == 2
    _close(n(ns, ns.pinv(t(ns, x), rcond=0.01)), np.diag([1 / 3, 1.0, 0.0]))
    _close(n(ns, ns.lstsq(t(ns, x), t(ns, [3.0, 1.0, 1.0]), rcond=0.01)), [1.0, 1.0, 0.0])


# --------------------------------------------------------------- composites

COMPOSITES = ["cholesky_inverse", "lstsq", "matrix_rank", "norm", "pinv"]


@pytest.mark.parametrize("name", BACKENDS)
def test_composites_match_native_versions(name):
    native, composite = namespace(name), namespace_without(name, COMPOSITES)
    factor = np.tril(GENERAL) + 3 * np.eye(3, dtype="float32")
    b = RNG.uniform(-1, 1, (3, 2)).astype("float32")
    tall = RNG.uniform(-1, 1, (4, 3)).astype("float32")
    calls = [
        ("cholesky_inverse", (factor,), {}),
        ("cholesky_inverse", (factor.T,), {"upper": True}),
        ("lstsq", (GENERAL, b), {}),
        ("lstsq", (tall, tall[:, 0]), {}),
        ("matrix_rank", (np.outer(b[:, 0], b[:, 1]).astype("float32"),), {}),
        ("pinv", (tall,), {}),
        ("norm", (tall,), {}),
        ("norm", (tall,), {"ord": 3, "axis": 0, "keepdims": True}),
        ("norm", (tall,), {"ord": 0, "axis": 1}),
        ("norm", (GENERAL,), {"ord": -2}),
        ("norm", (GENERAL,), {"ord": np.inf, "axis": (1, 0)}),
        ("norm", (GENERAL[None],), {"ord": "nuc", "axis": (1, 2), "keepdims": True}),
    ]
    for op, args, kwargs in calls:
        expected = getattr(native, op)(*(t(native, a) for a in args), **kwargs)
        got = getattr(composite, op)(*(t(composite, a) for a in args), **kwargs)
        assert native.dtype(got) == native.dtype(expected), op
        _close(n(native, got), n(native, expected))


# ---------------------------------------------------------------------- jvp


def test_jvp_is_the_forward_derivative(tns):
    x = t(tns, [0.5, 1.0, 2.0])
    out, tangent = tns.jvp(tns.sin, (x,), (tns.ones_like(x),))
    _close(n(tns, out), np.sin([0.5, 1.0, 2.0]))
    _close(n(tns, tangent), np.cos([0.5, 1.0, 2.0]))


def test_jvp_with_two_primals_and_aux(tns):
    x, y = t(tns, [1.0, 2.0]), t(tns, [3.0, 4.0])

    def fun(a, b):
        product = tns.multiply(a, b)
        return product, tns.sum(product)

    out, tangent, aux = tns.jvp(fun, (x, y), (t(tns, [1.0, 0.0]), t(tns, [0.0, 1.0])), has_aux=True)
    _close(n(tns, out), [3.0, 8.0])
    _close(n(tns, tangent), [3.0, 2.0])  # b * da + a * db
    _close(n(tns, aux), 11.0)


def test_jvp_is_missing_only_on_numpy():
    from kcore.errors import OpNotImplementedError

    with pytest.raises(OpNotImplementedError, match="jvp"):
        namespace("numpy").jvp(lambda a: a, (np.ones(2),), (np.ones(2),))


# ---------------------------------------------------------------- gradients


def _numeric_gradient(f, x, eps=1e-6):
    x = x.astype(np.float64)
    g = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        g[index] = (f(plus) - f(minus)) / (2 * eps)
    return g


def test_eigenvalue_gradient(tns):
    weights = np.array([0.5, 1.0, 1.5], "float32")

    def f(x):
        return np.sum(np.linalg.eigvalsh((x + x.T) / 2) * weights)

    (grad,) = tns.backend.gradient(
        lambda x: tns.sum(tns.multiply(tns.eigh(x)[0], t(tns, weights))), t(tns, SYMMETRIC)
    )
    _close(n(tns, grad), _numeric_gradient(f, SYMMETRIC), 2e-3)


def test_lu_factor_gradient_through_row_swaps(tns):
    reference = namespace("numpy")
    weights = RNG.uniform(0.5, 1.5, (3, 3)).astype("float32")

    def f(x):
        return float(np.sum(reference.lu_factor(x)[0] * weights))

    (grad,) = tns.backend.gradient(
        lambda x: tns.sum(tns.multiply(tns.lu_factor(x)[0], t(tns, weights))), t(tns, PIVOTING)
    )
    _close(n(tns, grad), _numeric_gradient(f, PIVOTING), 5e-3)


# ---------------------------------------------------------------- bad input


def _same_everywhere(call):
    messages = {name: call(namespace(name)) for name in BACKENDS}
    assert len(set(messages.values())) == 1, messages
    return next(iter(messages.values()))


@pytest.mark.parametrize("op", ["inv", "det", "cholesky", "eig", "eigh", "lu_factor"])
def test_non_square_matrix_is_refused_alike(op):
    message = _same_everywhere(lambda ns: op_error_message(getattr(ns, op), t(ns, np.ones((2, 3)))))
    assert message == (
        f"{op}: expected x of shape (..., M, M) (square matrices), got 2x3; "
        "received x of shape (2, 3) and dtype float32"
    )


def test_solve_with_mismatched_rows_is_refused_alike():
    message = _same_everywhere(
        lambda ns: op_error_message(ns.solve, t(ns, GENERAL), t(ns, np.ones((2, 1))))
    )
    assert message.startswith(
        "solve: expected b with 3 rows to match a of shape (..., 3, 3), got 2"
    )
    assert message.endswith(
        "received a of shape (3, 3) and dtype float32, b of shape (2, 1) and dtype float32"
    )


def test_vector_to_inv_and_bad_options_are_refused_alike():
    message = _same_everywhere(lambda ns: op_error_message(ns.inv, t(ns, np.ones(3))))
    assert message.startswith("inv: expected x of shape (..., M, M) (square matrices), of rank 2")
    message = _same_everywhere(lambda ns: op_error_message(ns.qr, t(ns, GENERAL), mode="full"))
    assert message.startswith("qr: expected mode 'reduced' or 'complete', got 'full'")
    message = _same_everywhere(lambda ns: op_error_message(ns.norm, t(ns, GENERAL), ord=3))
    assert message.startswith("norm: expected ord in None, 'fro', 'nuc'")
    message = _same_everywhere(
        lambda ns: op_error_message(ns.norm, t(ns, GENERAL), ord="fro", axis=0)
    )
    assert message.startswith("norm: expected a numeric ord for vector norms, got 'fro'")
