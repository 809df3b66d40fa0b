"""Creation, window and product ops: Keras 3's default dtypes, errors that name the
op, and ``vectorize`` (which returns a function, so the conformance kit has no cases
for it), on every installed backend."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore.errors import OpError
from kcore.ops.contract import namespace_for

BACKENDS = ("numpy", "jax", "torch", "tensorflow")


@pytest.fixture(scope="module", params=BACKENDS)
def o(request):
    try:
        backend = kcore.backend.get_backend(request.param)
    except Exception as exc:  # not installed here
        pytest.skip(f"backend {request.param} unavailable: {exc}")
    return namespace_for(backend)


def dtype(o, x):
    return o.dtype(x)


def t(o, value, dtype="float32"):
    return o.convert_to_tensor(np.asarray(value, dtype=dtype))


def test_creation_default_dtypes(o):
    assert dtype(o, o.arange(5)) == "int32"
    assert dtype(o, o.arange(0, 1, 0.5)) == "float32"
    assert dtype(o, o.arange(1.0, 4)) == "float32"
    assert dtype(o, o.arange(3, dtype="int8")) == "int8"
    for made in (
        o.full((2,), 1),
        o.full((2,), True),
        o.ones((2,)),
        o.zeros(2),
        o.eye(2),
        o.tri(2),
        o.identity(2),
        o.empty((2, 2)),
        o.linspace(0, 1, 3),
        o.logspace(0, 1, 3),
        o.geomspace(1, 4, 3),
        o.bartlett(4),
        o.hanning(4),
        o.kaiser(4, 1.0),
    ):
        assert dtype(o, made) == "float32"
    assert dtype(o, o.linspace(0, 8, 3, dtype="int32")) == "int32"
    assert dtype(o, o.full_like(t(o, [1, 2], "int8"), 2.5)) == "int8"
    assert o.convert_to_numpy(o.full_like(t(o, [1, 2], "int8"), 2.5)).tolist() == [2, 2]


def test_empty_is_zero_filled(o):
    assert not np.any(o.convert_to_numpy(o.empty((2, 3))))
    like = o.empty_like(t(o, [[1, 2]], "int8"))
    assert dtype(o, like) == "int8" and not np.any(o.convert_to_numpy(like))


def test_linspace_retstep_and_axis(o):
    values, step = o.linspace(0, 1, 5, retstep=True)
    np.testing.assert_allclose(o.convert_to_numpy(values), np.linspace(0, 1, 5), rtol=1e-6)
    assert float(o.convert_to_numpy(step)) == pytest.approx(0.25)
    stacked = o.linspace(t(o, [0.0, 1.0]), t(o, [1.0, 3.0]), 3, axis=-1)
    np.testing.assert_allclose(o.convert_to_numpy(stacked), [[0, 0.5, 1], [1, 2, 3]], rtol=1e-6)


def test_product_dtypes(o):
    a = t(o, [[1, 2], [3, 4]], "int8")
    assert dtype(o, o.einsum("ij,jk->ik", a, a)) == "int32"  # Keras: int8 -> int32
    assert dtype(o, o.dot(a, a)) == "int8"
    assert dtype(o, o.tensordot(a, a, 1)) == "int8"
    b = t(o, [True, False, True], "bool")
    assert dtype(o, o.dot(b, b)) == "bool" and bool(o.convert_to_numpy(o.dot(b, b)))
    assert dtype(o, o.correlate(t(o, [1, 2, 3], "int32"), t(o, [1, 1], "int32"))) == "float32"
    assert dtype(o, o.trapezoid(t(o, [1, 2, 3], "int32"))) == "float32"
    sign, logdet = o.slogdet(t(o, [[2, 0], [0, 3]], "int32"))
    assert dtype(o, sign) == dtype(o, logdet) == "float32"
    assert float(o.convert_to_numpy(logdet)) == pytest.approx(np.log(6.0), rel=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda o: o.dot(t(o, np.ones((2, 3))), t(o, np.ones((2, 2)))),
            "dot: expected the last dimension of x1 (3) to equal the second-to-last dimension "
            "of x2 (2); received x1 of shape (2, 3)",
        ),
        (
            lambda o: o.tensordot(t(o, np.ones((2, 3))), t(o, np.ones((2, 3))), axes=1),
            "tensordot: expected contracted dimensions to agree, but x1 axis 1 has 3 and x2 "
            "axis 0 has 2; received",
        ),
        (
            lambda o: o.tensordot(t(o, np.ones((2, 3))), t(o, np.ones((3, 2))), axes=([0], [1, 0])),
            "tensordot: expected as many axes of x1 as of x2",
        ),
        (
            lambda o: o.inner(t(o, np.ones((2, 3))), t(o, np.ones((2, 2)))),
            "inner: expected x1 and x2 with equal last dimensions, got 3 and 2",
        ),
        (
            lambda o: o.einsum("ij,jk->iq", t(o, np.ones((2, 3))), t(o, np.ones((3, 2)))),
            "einsum: expected output subscripts that appear in the inputs, got 'ij,jk->iq'",
        ),
        (
            lambda o: o.einsum("ij->i", t(o, np.ones((2, 3))), t(o, np.ones((3, 2)))),
            "einsum: expected one subscript term per operand: 1 terms for 2 operands",
        ),
        (
            lambda o: o.einsum("ijk->i", t(o, np.ones((2, 3)))),
            "einsum: expected term 'ijk' to name each of the 2 axes of its operand",
        ),
        (
            lambda o: o.cross(t(o, np.ones(4)), t(o, np.ones(4))),
            "cross: expected vectors of 2 or 3 components, got 4 and 4",
        ),
        (
            lambda o: o.slogdet(t(o, np.ones((2, 3)))),
            "slogdet: expected square matrices in the last two dimensions, got shape (2, 3)",
        ),
        (
            lambda o: o.correlate(t(o, np.ones((2, 3))), t(o, np.ones(2))),
            "correlate: expected x1 of rank 1, got shape (2, 3)",
        ),
    ],
)
def test_bad_input_names_the_op(o, call, message):
    with pytest.raises(OpError) as info:
        call(o)
    assert str(info.value).startswith(message), str(info.value)


def test_vectorize_elementwise(o):
    f = o.vectorize(lambda a, b: o.add(o.multiply(a, 2.0), b))
    out = f(t(o, [[1.0, 2.0], [3.0, 4.0]]), t(o, [10.0, 20.0]))
    np.testing.assert_allclose(o.convert_to_numpy(out), [[12, 24], [16, 28]])


def test_vectorize_with_signature(o):
    f = o.vectorize(lambda a, b: o.dot(a, b), signature="(n),(n)->()")
    out = f(t(o, np.arange(12.0).reshape(4, 3)), t(o, [1.0, 0.0, 1.0]))
    assert tuple(o.shape(out)) == (4,)
    np.testing.assert_allclose(o.convert_to_numpy(out), [2, 8, 14, 20])
    g = o.vectorize(lambda m: o.matmul(m, m), signature="(n,n)->(n,n)")
    batch = np.arange(8.0).reshape(2, 2, 2)
    np.testing.assert_allclose(o.convert_to_numpy(g(t(o, batch))), batch @ batch)


def test_vectorize_excluded_and_several_outputs(o):
    f = o.vectorize(lambda a, scale: (o.multiply(a, scale), o.add(a, scale)), excluded={1})
    doubled, shifted = f(t(o, [1.0, 2.0]), 2.0)
    np.testing.assert_allclose(o.convert_to_numpy(doubled), [2, 4])
    np.testing.assert_allclose(o.convert_to_numpy(shifted), [3, 4])


COMPOSITES = (
    "ones zeros ones_like zeros_like eye tri tril triu diagflat outer vdot inner dot identity "
    "empty empty_like array bartlett kaiser"
).split()


@pytest.mark.parametrize("name", COMPOSITES)
def test_composites_match_the_native_ops(o, name):
    """The fallbacks (what a backend without these ops runs) on every case of the op."""
    import zlib

    import attrs

    from kcore import _tree
    from kcore.ops import contract

    backend = o.backend
    stripped = namespace_for(
        attrs.evolve(backend, ops={k: v for k, v in backend.ops.items() if k not in COMPOSITES})
    )
    spec = contract.SPECS[name]
    assert spec.composite is not None
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    cases = spec.cases(spec, rng, frozenset(backend.capabilities.dtypes) - {"float64", "int64"})
    assert cases
    for case in cases:
        args, kwargs = _tree.map_structure(
            lambda v: o.convert_to_tensor(v) if isinstance(v, np.ndarray) else v,
            (case.args, case.kwargs),
        )
        native = getattr(o, name)(*args, **kwargs)
        fallback = getattr(stripped, name)(*args, **kwargs)
        assert o.dtype(fallback) == o.dtype(native), case.id
        np.testing.assert_allclose(
            o.convert_to_numpy(fallback).astype("float64"),
            o.convert_to_numpy(native).astype("float64"),
            rtol=1e-5,
            err_msg=case.id,
        )
