"""Element-wise ops of one tensor beyond what the conformance suite can say: errors
naming the op, ``round``'s ``decimals`` and ``nan_to_num``'s replacements, complex
inputs, Python scalars, Keras 3's dtype rules, and every composite fallback against
the NumPy reference, on every installed backend.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from ops_helpers import (
    BACKENDS,
    TRAINABLE,
    composites_of,
    n,
    namespace,
    namespace_without,
    op_error_message,
    t,
)

import kcore
from kcore.ops import contract
from kcore.ops import numpy_unary as declarations
from kcore.testing import tolerances

OPS = (
    "abs absolute angle arccos arccosh arcsin arcsinh arctan arctanh bitwise_invert "
    "bitwise_not cbrt ceil conj conjugate cos cosh deg2rad exp2 expm1 fabs floor i0 imag "
    "isfinite isinf isnan isneginf isposinf isreal log log10 log1p log2 logical_not "
    "nan_to_num negative rad2deg real reciprocal round sign signbit sin sinc sinh sqrt "
    "square tan tanh trunc copy"
).split()
COMPOSITES = composites_of(declarations.__name__)


def _supports(ns, dtype):
    return dtype in ns.backend.capabilities.dtypes


# -- errors name the op ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "dtype"),
    [
        ("negative", "bool"),
        ("sign", "bool"),
        ("round", "bool"),
        ("bitwise_not", "float32"),
        ("bitwise_invert", "float32"),
        ("fabs", "complex64"),
        ("signbit", "complex64"),
    ],
)
def test_unsupported_dtypes_are_op_errors(ns, op, dtype):
    x = t(ns, [1, 0], dtype)
    message = op_error_message(getattr(ns, op), x)
    assert f"{op}:" in message and "expected x of" in message
    assert f"received x of shape (2,) and dtype {dtype}" in message


# -- options -------------------------------------------------------------------------------


def test_round_halves_to_even_with_decimals(ns):
    x = t(ns, [1.25, 2.5, -0.5, 1.555, -3.45, 0.35])
    assert n(ns, ns.round(x)).tolist() == [1.0, 2.0, -0.0, 2.0, -3.0, 0.0]
    # 0.35 is 0.34999999 in float32, but 3.5 once multiplied by 10 there, as in NumPy.
    np.testing.assert_allclose(n(ns, ns.round(x, 1)), [1.2, 2.5, -0.5, 1.6, -3.4, 0.4], rtol=1e-6)
    y = t(ns, [15.0, 25.0, -15.0, 149.0])
    assert n(ns, ns.round(y, decimals=-1)).tolist() == [20.0, 20.0, -20.0, 150.0]
    assert n(ns, ns.round(y, decimals=-2)).tolist() == [0.0, 0.0, -0.0, 100.0]


@pytest.mark.parametrize("dtype", ["int8", "int32", "uint8", "int64"])
def test_round_integers_with_negative_decimals(ns, dtype):
    if not _supports(ns, dtype):
        pytest.skip(f"{ns.backend.name} has no {dtype}")
    values = [15, 25, 35, 7, 120] if dtype == "uint8" else [15, 25, -15, -34, 7, 120]
    x = t(ns, values, dtype)
    out = ns.round(x, decimals=-1)
    assert ns.dtype(out) == dtype
    assert n(ns, out).tolist() == np.round(np.array(values, dtype), -1).tolist()
    assert n(ns, ns.round(x, decimals=2)).tolist() == values  # integers already are
    assert n(ns, ns.round(x, decimals=-3)).tolist() == [0] * len(values)


def test_nan_to_num_replacements(ns):
    x = t(ns, [np.nan, np.inf, -np.inf, 1.5])
    info = np.finfo(np.float32)
    assert n(ns, ns.nan_to_num(x)).tolist() == [0.0, info.max, info.min, 1.5]
    out = ns.nan_to_num(x, nan=-1.0, posinf=9.0, neginf=-9.0)
    assert n(ns, out).tolist() == [-1.0, 9.0, -9.0, 1.5]
    assert n(ns, ns.nan_to_num(x, posinf=5.0)).tolist() == [0.0, 5.0, info.min, 1.5]
    half = ns.nan_to_num(t(ns, [np.inf, -np.inf, np.nan], "float16"))
    assert ns.dtype(half) == "float16"
    assert n(ns, half).tolist() == [65504.0, -65504.0, 0.0]
    ints = ns.nan_to_num(t(ns, [1, 2], "int32"), nan=1.5)
    assert ns.dtype(ints) == "int32" and n(ns, ints).tolist() == [1, 2]


def test_nan_to_num_of_complex_numbers(ns):
    x = t(ns, [complex(np.nan, np.inf), complex(1, -np.inf)], "complex64")
    out = n(ns, ns.nan_to_num(x, nan=2.0, posinf=3.0, neginf=-3.0))
    assert out.dtype == np.complex64
    assert out.tolist() == [complex(2, 3), complex(1, -3)]


# -- complex numbers --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_parts(ns, dtype):
    if not _supports(ns, dtype):
        pytest.skip(f"{ns.backend.name} has no {dtype}")
    values = np.array([1 + 2j, -1 - 0.5j, -3 + 0j], dtype=dtype)
    real_dtype = "float32" if dtype == "complex64" else "float64"
    x = t(ns, values, dtype)
    for op, expected in [
        ("real", values.real),
        ("imag", values.imag),
        ("angle", np.angle(values)),
        ("abs", np.abs(values)),
        ("absolute", np.abs(values)),
    ]:
        out = getattr(ns, op)(x)
        assert ns.dtype(out) == real_dtype, op
        np.testing.assert_allclose(n(ns, out), expected, rtol=1e-6, err_msg=op)
    for op, expected in [
        ("conj", np.conj(values)),
        ("conjugate", np.conj(values)),
        ("negative", -values),
        ("square", values * values),
        ("sign", values / np.abs(values)),
        ("copy", values),
    ]:
        out = getattr(ns, op)(x)
        assert ns.dtype(out) == dtype, op
        np.testing.assert_allclose(n(ns, out), expected, rtol=1e-6, err_msg=op)
    assert n(ns, ns.isreal(x)).tolist() == [False, False, True]
    special = t(ns, [complex(np.nan, 0), complex(0, np.inf), 1 + 1j], dtype)
    assert n(ns, ns.isnan(special)).tolist() == [True, False, False]
    assert n(ns, ns.isinf(special)).tolist() == [False, True, False]
    assert n(ns, ns.isfinite(special)).tolist() == [False, False, True]


def test_angle_of_reals_is_pi_for_negatives(ns):
    out = ns.angle(t(ns, [2, -3, 0], "int32"))
    assert ns.dtype(out) == "float32"
    np.testing.assert_allclose(n(ns, out), [0.0, np.pi, 0.0], rtol=1e-6)


# -- dtype rules and Python values ------------------------------------------------------------


def test_python_scalars_and_lists(ns):
    assert ns.dtype(ns.abs(-2)) == "int32" and n(ns, ns.abs(-2)) == 2
    assert ns.dtype(ns.sin(2)) == "float32"
    assert ns.dtype(ns.sqrt([4.0, 9.0])) == "float32"
    assert n(ns, ns.sqrt([4.0, 9.0])).tolist() == [2.0, 3.0]
    assert ns.dtype(ns.copy([1, 2])) == "int32"
    assert n(ns, ns.negative([1, -2])).tolist() == [-1, 2]


@pytest.mark.parametrize(
    ("op", "dtype", "expected"),
    [
        ("sin", "int64", "float32"),
        ("ceil", "int32", "float32"),
        ("cbrt", "int64", "float64"),
        ("deg2rad", "int64", "float64"),
        ("rad2deg", "int64", "float64"),
        ("i0", "int64", "float64"),
        ("cbrt", "uint8", "float32"),
        ("square", "bool", "int32"),
        ("abs", "uint8", "uint8"),
        ("trunc", "int8", "int8"),
        ("trunc", "bool", "bool"),
        ("reciprocal", "int32", "float32"),
        ("fabs", "int8", "float32"),
        ("conj", "bool", "bool"),
        ("logical_not", "float16", "bool"),
        ("signbit", "uint8", "bool"),
    ],
)
def test_result_dtypes_follow_keras(ns, op, dtype, expected):
    if not (_supports(ns, dtype) and _supports(ns, expected)):
        pytest.skip(f"{ns.backend.name} lacks {dtype} or {expected}")
    assert ns.dtype(getattr(ns, op)(t(ns, [1, 0], dtype))) == expected


def test_special_values(ns):
    x = t(ns, [-0.0, 0.0, -1.0, np.inf, -np.inf, np.nan])
    assert n(ns, ns.signbit(x)).tolist()[:5] == [True, False, True, False, True]
    assert n(ns, ns.isneginf(x)).tolist() == [False, False, False, False, True, False]
    assert n(ns, ns.isposinf(x)).tolist() == [False, False, False, True, False, False]
    assert np.isnan(n(ns, ns.sign(x))[5])
    np.testing.assert_allclose(
        n(ns, ns.sinc(t(ns, [0.0, 1.0, -0.5]))), [1.0, 0.0, 2 / np.pi], rtol=1e-6, atol=1e-7
    )
    np.testing.assert_allclose(n(ns, ns.cbrt(t(ns, [-27.0, 8.0]))), [-3.0, 2.0], rtol=1e-6)
    assert n(ns, ns.negative(t(ns, [1, 2], "uint8"))).tolist() == [255, 254]
    assert n(ns, ns.bitwise_not(t(ns, [0, 5], "uint8"))).tolist() == [255, 250]
    assert n(ns, ns.bitwise_not(t(ns, [True, False], "bool"))).tolist() == [False, True]
    assert n(ns, ns.abs(t(ns, [-128, 5], "int8"))).tolist() == [-128, 5]  # wraps, as NumPy


def test_copy_is_a_new_tensor(ns):
    x = t(ns, [1.0, 2.0])
    y = ns.copy(x)
    assert y is not x
    assert n(ns, y).tolist() == [1.0, 2.0]


# -- composites -------------------------------------------------------------------------------


def _cases_of(spec, backend_name):
    supported = frozenset(kcore.backend.get_backend(backend_name).capabilities.dtypes)
    rng = np.random.default_rng(zlib.crc32(spec.name.encode()))
    return spec.cases(spec, rng, supported)


@pytest.mark.parametrize("backend_name", BACKENDS)
@pytest.mark.parametrize("name", COMPOSITES)
def test_composite_matches_the_reference(backend_name, name):
    spec = contract.SPECS[name]
    composite = namespace_without(backend_name, COMPOSITES)
    reference = namespace("numpy")
    for case in _cases_of(spec, backend_name):
        expected = np.asarray(getattr(reference, name)(*case.args, **case.kwargs))
        args = [
            composite.convert_to_tensor(a) if isinstance(a, np.ndarray) else a for a in case.args
        ]
        got = getattr(composite, name)(*args, **case.kwargs)
        assert composite.dtype(got) == expected.dtype.name, case.id
        rtol, atol = tolerances.forward(name, expected.dtype.name)
        np.testing.assert_allclose(
            n(composite, got),
            expected,
            rtol=max(rtol, 1e-6),
            atol=atol,
            equal_nan=True,
            err_msg=case.id,
        )


@pytest.mark.parametrize("backend_name", BACKENDS)
def test_every_op_is_declared_and_native(backend_name):
    coverage = contract.coverage(kcore.backend.get_backend(backend_name))
    assert set(COMPOSITES) <= set(OPS)
    assert {name: coverage[name] for name in OPS} == dict.fromkeys(OPS, "native")


DIFFERENTIABLE = [name for name in COMPOSITES if contract.SPECS[name].grad]


@pytest.mark.parametrize("backend_name", TRAINABLE)
@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_composite_gradient_matches_the_native_one(backend_name, name):
    backend = kcore.backend.get_backend(backend_name)
    native = namespace(backend_name)
    composite = namespace_without(backend_name, COMPOSITES)
    case = next(c for c in _cases_of(contract.SPECS[name], backend_name) if c.id == "float32-2x3")
    x = native.convert_to_tensor(case.args[0])

    def gradient(ns):
        (g,) = backend.gradient(lambda v: ns.sum(getattr(ns, name)(v)), x)
        return n(ns, g)

    np.testing.assert_allclose(gradient(composite), gradient(native), rtol=1e-4, atol=1e-5)


def test_round_of_complex_numbers_rounds_each_part(ns):
    out = ns.round(t(ns, [1.26 - 2.5j, -0.5 + 3.14j], "complex64"), 1)
    assert ns.dtype(out) == "complex64"
    np.testing.assert_allclose(n(ns, out), [1.3 - 2.5j, -0.5 + 3.1j], rtol=1e-6)
