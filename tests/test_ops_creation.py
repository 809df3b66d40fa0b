"""Creation, window and product ops: Keras 3's default dtypes, errors that name the
op, and ``vectorize`` (which returns a function, so the conformance kit has no cases
for it), on every installed backend."""

from __future__ import annotations

import numpy as np
import pytest
from ops_helpers import namespace_without, op_error_message, t


def test_creation_default_dtypes(ns):
    assert ns.dtype(ns.arange(5)) == "int32"
    assert ns.dtype(ns.arange(0, 1, 0.5)) == "float32"
    assert ns.dtype(ns.arange(1.0, 4)) == "float32"
    assert ns.dtype(ns.arange(3, dtype="int8")) == "int8"
    for made in (
        ns.full((2,), 1),
        ns.full((2,), True),
        ns.ones((2,)),
        ns.zeros(2),
        ns.eye(2),
        ns.tri(2),
        ns.identity(2),
        ns.empty((2, 2)),
        ns.linspace(0, 1, 3),
        ns.logspace(0, 1, 3),
        ns.geomspace(1, 4, 3),
        ns.bartlett(4),
        ns.hanning(4),
        ns.kaiser(4, 1.0),
    ):
        assert ns.dtype(made) == "float32"
    assert ns.dtype(ns.linspace(0, 8, 3, dtype="int32")) == "int32"
    assert ns.dtype(ns.full_like(t(ns, [1, 2], "int8"), 2.5)) == "int8"
    assert ns.convert_to_numpy(ns.full_like(t(ns, [1, 2], "int8"), 2.5)).tolist() == [2, 2]


def test_empty_is_zero_filled(ns):
    assert not np.any(ns.convert_to_numpy(ns.empty((2, 3))))
    like = ns.empty_like(t(ns, [[1, 2]], "int8"))
    assert ns.dtype(like) == "int8" and not np.any(ns.convert_to_numpy(like))


def test_linspace_retstep_and_axis(ns):
    values, step = ns.linspace(0, 1, 5, retstep=True)
    np.testing.assert_allclose(ns.convert_to_numpy(values), np.linspace(0, 1, 5), rtol=1e-6)
    assert float(ns.convert_to_numpy(step)) == pytest.approx(0.25)
    stacked = ns.linspace(t(ns, [0.0, 1.0]), t(ns, [1.0, 3.0]), 3, axis=-1)
    np.testing.assert_allclose(ns.convert_to_numpy(stacked), [[0, 0.5, 1], [1, 2, 3]], rtol=1e-6)


def test_product_dtypes(ns):
    a = t(ns, [[1, 2], [3, 4]], "int8")
    assert ns.dtype(ns.einsum("ij,jk->ik", a, a)) == "int32"  # Keras: int8 -> int32
    assert ns.dtype(ns.dot(a, a)) == "int8"
    assert ns.dtype(ns.tensordot(a, a, 1)) == "int8"
    b = t(ns, [True, False, True], "bool")
    assert ns.dtype(ns.dot(b, b)) == "bool" and bool(ns.convert_to_numpy(ns.dot(b, b)))
    assert ns.dtype(ns.correlate(t(ns, [1, 2, 3], "int32"), t(ns, [1, 1], "int32"))) == "float32"
    assert ns.dtype(ns.trapezoid(t(ns, [1, 2, 3], "int32"))) == "float32"
    sign, logdet = ns.slogdet(t(ns, [[2, 0], [0, 3]], "int32"))
    assert ns.dtype(sign) == ns.dtype(logdet) == "float32"
    assert float(ns.convert_to_numpy(logdet)) == pytest.approx(np.log(6.0), rel=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda ns: ns.dot(t(ns, np.ones((2, 3))), t(ns, np.ones((2, 2)))),
            "dot: expected the last dimension of x1 (3) to equal the second-to-last dimension "
            "of x2 (2); received x1 of shape (2, 3)",
        ),
        (
            lambda ns: ns.tensordot(t(ns, np.ones((2, 3))), t(ns, np.ones((2, 3))), axes=1),
            "tensordot: expected contracted dimensions to agree, but x1 axis 1 has 3 and x2 "
            "axis 0 has 2; received",
        ),
        (
            lambda ns: ns.tensordot(
                t(ns, np.ones((2, 3))), t(ns, np.ones((3, 2))), axes=([0], [1, 0])
            ),
            "tensordot: expected as many axes of x1 as of x2",
        ),
        (
            lambda ns: ns.inner(t(ns, np.ones((2, 3))), t(ns, np.ones((2, 2)))),
            "inner: expected x1 and x2 with equal last dimensions, got 3 and 2",
        ),
        (
            lambda ns: ns.einsum("ij,jk->iq", t(ns, np.ones((2, 3))), t(ns, np.ones((3, 2)))),
            "einsum: expected output subscripts that appear in the inputs, got 'ij,jk->iq'",
        ),
        (
            lambda ns: ns.einsum("ij->i", t(ns, np.ones((2, 3))), t(ns, np.ones((3, 2)))),
            "einsum: expected one subscript term per operand: 1 terms for 2 operands",
        ),
        (
            lambda ns: ns.einsum("ijk->i", t(ns, np.ones((2, 3)))),
            "einsum: expected term 'ijk' to name each of the 2 axes of its operand",
        ),
        (
            lambda ns: ns.cross(t(ns, np.ones(4)), t(ns, np.ones(4))),
            "cross: expected vectors of 2 or 3 components, got 4 and 4",
        ),
        (
            lambda ns: ns.slogdet(t(ns, np.ones((2, 3)))),
            "slogdet: expected square matrices in the last two dimensions, got shape (2, 3)",
        ),
        (
            lambda ns: ns.correlate(t(ns, np.ones((2, 3))), t(ns, np.ones(2))),
            "correlate: expected x1 of rank 1, got shape (2, 3)",
        ),
    ],
)
def test_bad_input_names_the_op(ns, call, message):
    got = op_error_message(call, ns)
    assert got.startswith(message), got


def test_vectorize_elementwise(ns):
    f = ns.vectorize(lambda a, b: ns.add(ns.multiply(a, 2.0), b))
    out = f(t(ns, [[1.0, 2.0], [3.0, 4.0]]), t(ns, [10.0, 20.0]))
    np.testing.assert_allclose(ns.convert_to_numpy(out), [[12, 24], [16, 28]])


def test_vectorize_with_signature(ns):
    f = ns.vectorize(lambda a, b: ns.dot(a, b), signature="(n),(n)->()")
    out = f(t(ns, np.arange(12.0).reshape(4, 3)), t(ns, [1.0, 0.0, 1.0]))
    assert tuple(ns.shape(out)) == (4,)
    np.testing.assert_allclose(ns.convert_to_numpy(out), [2, 8, 14, 20])
    g = ns.vectorize(lambda m: ns.matmul(m, m), signature="(n,n)->(n,n)")
    batch = np.arange(8.0).reshape(2, 2, 2)
    np.testing.assert_allclose(ns.convert_to_numpy(g(t(ns, batch))), batch @ batch)


def test_vectorize_excluded_and_several_outputs(ns):
    f = ns.vectorize(lambda a, scale: (ns.multiply(a, scale), ns.add(a, scale)), excluded={1})
    doubled, shifted = f(t(ns, [1.0, 2.0]), 2.0)
    np.testing.assert_allclose(ns.convert_to_numpy(doubled), [2, 4])
    np.testing.assert_allclose(ns.convert_to_numpy(shifted), [3, 4])


COMPOSITES = (
    "ones zeros ones_like zeros_like eye tri tril triu diagflat outer vdot inner dot identity "
    "empty empty_like array bartlett kaiser"
).split()


@pytest.mark.parametrize("name", COMPOSITES)
def test_composites_match_the_native_ops(ns, name):
    """The fallbacks (what a backend without these ops runs) on every case of the op."""
    import zlib

    from kcore import _tree
    from kcore.ops import contract

    backend = ns.backend
    stripped = namespace_without(backend.name, COMPOSITES)
    spec = contract.SPECS[name]
    assert spec.composite is not None
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    cases = spec.cases(spec, rng, frozenset(backend.capabilities.dtypes) - {"float64", "int64"})
    assert cases
    for case in cases:
        args, kwargs = _tree.map_structure(
            lambda v: ns.convert_to_tensor(v) if isinstance(v, np.ndarray) else v,
            (case.args, case.kwargs),
        )
        native = getattr(ns, name)(*args, **kwargs)
        fallback = getattr(stripped, name)(*args, **kwargs)
        assert ns.dtype(fallback) == ns.dtype(native), case.id
        np.testing.assert_allclose(
            ns.convert_to_numpy(fallback).astype("float64"),
            ns.convert_to_numpy(native).astype("float64"),
            rtol=1e-5,
            err_msg=case.id,
        )
