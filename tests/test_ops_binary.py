"""Element-wise ops of two or more tensors beyond what the conformance suite can say:
errors, options, special values and sign conventions, on every installed backend.

Also checks that each composite of :mod:`kcore.ops.numpy_binary` (the fallback a
backend without a native version runs) agrees with the native reference.
"""

from __future__ import annotations

import numpy as np
import pytest
from ops_helpers import (
    TRAINABLE,
    composites_of,
    n,
    namespace,
    namespace_without,
    op_error_message,
    t,
)

import kcore
from kcore.errors import OpError
from kcore.keras_tensor import KerasTensor
from kcore.ops import contract

# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", "equal greater power arctan2 bitwise_and minimum isclose logical_or mod".split()
)
def test_mismatched_shapes_name_the_op(ns, name):
    # The bitwise ops take integers, named x and y as in Keras.
    dtype, first, second = (
        ("int32", "x", "y") if name.startswith("bitwise") else ("float32", "x1", "x2")
    )
    message = op_error_message(
        getattr(ns, name), t(ns, np.ones((2, 3)), dtype), t(ns, np.ones((2,)), dtype)
    )
    assert message.startswith(
        f"{name}: expected shapes that broadcast together, but {first} (2, 3) and "
        f"{second} (2,) differ at axis -1; received"
    )


def test_where_and_clip_shape_errors_name_the_op(ns):
    with pytest.raises(OpError, match=r"^where: expected shapes that broadcast together"):
        ns.where(t(ns, [True, False], "bool"), t(ns, np.ones(3)), t(ns, np.ones(3)))
    with pytest.raises(OpError, match=r"^clip: expected shapes that broadcast together"):
        ns.clip(t(ns, np.ones((2, 3))), t(ns, np.zeros(2)), 1.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda ns: ns.bitwise_and(t(ns, [1.5]), t(ns, [2.5])), "bitwise_and: "),
        (lambda ns: ns.left_shift(t(ns, [1.5]), 1), "left_shift: "),
        (lambda ns: ns.gcd(t(ns, [4.0]), t(ns, [6.0])), "gcd: "),
        (lambda ns: ns.lcm(t(ns, [4.0]), 2), "lcm: "),
        (lambda ns: ns.ldexp(t(ns, [1.0]), t(ns, [2.0])), "ldexp: "),
        (lambda ns: ns.ldexp(t(ns, [1.0]), 1.5), "ldexp: "),
        (lambda ns: ns.ldexp(t(ns, [1.0]), t(ns, [True], "bool")), "ldexp: "),
        (lambda ns: ns.where(t(ns, [True], "bool"), t(ns, [1.0])), "where: expected x1 and x2"),
        (lambda ns: ns.select([t(ns, [True], "bool")], []), "select: "),
    ],
)
def test_wrong_dtypes_and_arguments_raise_op_errors(ns, call, message):
    assert op_error_message(call, ns).startswith(message)


# -- dtypes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "dtype"),
    [
        (lambda ns: ns.equal(t(ns, [1, 2], "int8"), 2.5), "bool"),
        (lambda ns: ns.less(2, t(ns, [1, 3], "uint8")), "bool"),
        (lambda ns: ns.power(t(ns, [1, 2], "int8"), 2), "int8"),
        (lambda ns: ns.power(2, t(ns, [1, 2], "uint8")), "uint8"),
        (lambda ns: ns.power(t(ns, [1, 2], "int8"), 0.5), "float32"),
        (lambda ns: ns.power(t(ns, [1, 2], "float16"), t(ns, [1, 2], "int32")), "float16"),
        (lambda ns: ns.left_shift(t(ns, [True], "bool"), t(ns, [True], "bool")), "int32"),
        (lambda ns: ns.bitwise_and(t(ns, [True], "bool"), 1), "int32"),
        (lambda ns: ns.bitwise_or(t(ns, [3], "uint8"), t(ns, [3], "int8")), "int16"),
        (lambda ns: ns.mod(t(ns, [True], "bool"), t(ns, [True], "bool")), "int32"),
        (lambda ns: ns.floor_divide(t(ns, [5], "int8"), 2), "int8"),
        (lambda ns: ns.floor_divide(t(ns, [5], "int8"), 2.0), "float32"),
        (lambda ns: ns.arctan2(t(ns, [1], "int8"), 2), "float32"),
        (lambda ns: ns.hypot(t(ns, [1], "float16"), 2.0), "float16"),
        (lambda ns: ns.minimum(t(ns, [True], "bool"), True), "bool"),
        (lambda ns: ns.minimum(t(ns, [True], "bool"), 2), "int32"),
        (lambda ns: ns.ldexp(2, t(ns, [1], "int8")), "float32"),
        (lambda ns: ns.where(t(ns, [True], "bool"), 1, 2), "int32"),
        (lambda ns: ns.where(t(ns, [True], "bool"), t(ns, [1], "int8"), 2.5), "float32"),
        (lambda ns: ns.clip(t(ns, [True, False], "bool"), 0, 1), "int32"),
        (lambda ns: ns.clip(t(ns, [1, 5], "int8"), 0.5, 3), "float32"),
        (lambda ns: ns.select([t(ns, [True], "bool")], [t(ns, [1], "int8")], 1.5), "float32"),
    ],
)
def test_result_dtypes_follow_keras(ns, call, dtype):
    assert ns.dtype(call(ns)) == dtype


# -- options and special values ----------------------------------------------------------


def test_where_with_only_a_condition_gives_the_nonzero_indices(ns):
    condition = np.array([[1, 0, 2], [0, 3, 0]], "int32")
    rows, cols = ns.where(t(ns, condition, "int32"))
    assert ns.dtype(rows) == ns.dtype(cols) == "int32"
    expected = np.nonzero(condition)
    np.testing.assert_array_equal(n(ns, rows), expected[0])
    np.testing.assert_array_equal(n(ns, cols), expected[1])


def test_where_with_only_a_condition_is_symbolic_with_unknown_length(ns):
    rows, cols = ns.where(KerasTensor((2, 3), "bool"))
    assert rows == KerasTensor((None,), "int32") and cols == KerasTensor((None,), "int32")


def test_where_converts_non_boolean_conditions(ns):
    out = ns.where(t(ns, [0.0, -0.5, np.nan]), 1.0, 2.0)
    np.testing.assert_array_equal(n(ns, out), [2.0, 1.0, 1.0])


def test_where_keeps_a_scalar_tensors_dtype_beside_a_python_scalar(ns):
    # A Python scalar is weak even beside a 0-d tensor (torch alone would pick float32).
    half = t(ns, 2.0, "float16")
    assert ns.dtype(ns.where(True, 1.0, half)) == "float16"
    assert ns.dtype(ns.where(t(ns, [True, False], "bool"), half, 3)) == "float16"


def test_clip_with_none_bounds(ns):
    x = t(ns, [-2.0, 0.5, 3.0])
    np.testing.assert_array_equal(n(ns, ns.clip(x, None, 1.0)), [-2.0, 0.5, 1.0])
    np.testing.assert_array_equal(n(ns, ns.clip(x, 0.0, None)), [0.0, 0.5, 3.0])
    both = ns.clip(x, None, None)
    assert ns.dtype(both) == "float32"
    np.testing.assert_array_equal(n(ns, both), [-2.0, 0.5, 3.0])


def test_clip_with_crossed_bounds_gives_the_upper_one(ns):
    np.testing.assert_array_equal(n(ns, ns.clip(t(ns, [-1, 5], "int32"), 3, 1)), [1, 1])


def test_isclose_options_and_special_values(ns):
    x = t(ns, [1.0, 1.0, np.nan, np.inf, -np.inf, np.inf, 1.0])
    y = t(ns, [1.0 + 1e-6, 1.001, np.nan, np.inf, np.inf, 1.0, np.inf])
    np.testing.assert_array_equal(
        n(ns, ns.isclose(x, y)), [True, False, False, True, False, False, False]
    )
    np.testing.assert_array_equal(
        n(ns, ns.isclose(x, y, equal_nan=True)), [True, False, True, True, False, False, False]
    )
    np.testing.assert_array_equal(
        n(ns, ns.isclose(x, y, rtol=1e-2)), [True, True, False, True, False, False, False]
    )
    a, b = t(ns, [0.0, 100.0]), t(ns, [1e-3, 100.5])
    np.testing.assert_array_equal(n(ns, ns.isclose(a, b, rtol=0.0, atol=1e-2)), [True, False])
    np.testing.assert_array_equal(n(ns, ns.isclose(a, b, rtol=1e-2, atol=0.0)), [False, True])


def test_allclose_is_a_scalar_boolean_tensor(ns):
    out = ns.allclose(t(ns, [1.0, 2.0]), t(ns, [1.0, 2.0 + 1e-7]))
    assert ns.backend.is_tensor(out) and ns.dtype(out) == "bool" and n(ns, out).shape == ()
    assert bool(n(ns, out))
    assert not bool(n(ns, ns.allclose(t(ns, [np.nan]), t(ns, [np.nan]))))
    assert bool(n(ns, ns.allclose(t(ns, [np.nan]), t(ns, [np.nan]), equal_nan=True)))


def test_select_takes_the_first_true_condition_and_the_default(ns):
    x = t(ns, [-2, 0, 3, 7], "int32")
    out = ns.select([ns.less(x, 0), ns.greater(x, 2), ns.greater(x, 5)], [x, x * 10, x * 100])
    np.testing.assert_array_equal(n(ns, out), [-2, 0, 30, 70])
    out = ns.select([ns.less(x, 0)], [x], default=9)
    np.testing.assert_array_equal(n(ns, out), [-2, 9, 9, 9])


def test_divide_no_nan_gives_zero_where_the_divisor_is_zero(ns):
    out = ns.divide_no_nan(t(ns, [1.0, 0.0, -1.0, 3.0]), t(ns, [0.0, 0.0, 0.0, 2.0]))
    np.testing.assert_array_equal(n(ns, out), [0.0, 0.0, 0.0, 1.5])
    out = ns.divide_no_nan(t(ns, [1, 3], "int32"), t(ns, [0, 2], "int32"))
    assert ns.dtype(out) == "float32"
    np.testing.assert_array_equal(n(ns, out), [0.0, 1.5])


@pytest.mark.parametrize("name", TRAINABLE)
def test_divide_no_nan_gradient_is_finite_at_zero_divisors(name):
    ns = namespace(name)
    x, y = t(ns, [1.0, 2.0]), t(ns, [0.0, 4.0])
    gx, gy = ns.backend.gradient(lambda a, b: ns.sum(ns.divide_no_nan(a, b)), x, y)
    np.testing.assert_allclose(n(ns, gx), [0.0, 0.25])
    np.testing.assert_allclose(n(ns, gy), [0.0, -2.0 / 16.0])


@pytest.mark.parametrize("dtype", ["int32", "float32"])
def test_floor_divide_mod_and_fmod_sign_conventions(ns, dtype):
    a = t(ns, [7, -7, 7, -7, 6, -6], dtype)
    b = t(ns, [2, 2, -2, -2, 3, -3], dtype)
    np.testing.assert_array_equal(n(ns, ns.floor_divide(a, b)), [3, -4, -4, 3, 2, 2])
    np.testing.assert_array_equal(n(ns, ns.mod(a, b)), [1, 1, -1, -1, 0, 0])
    np.testing.assert_array_equal(n(ns, ns.fmod(a, b)), [1, -1, 1, -1, 0, 0])


def test_float_floor_divide_and_mod_by_zero(ns):
    a, zero = t(ns, [1.0, -1.0]), t(ns, [0.0, 0.0])
    np.testing.assert_array_equal(n(ns, ns.floor_divide(a, zero)), [np.inf, -np.inf])
    assert np.isnan(n(ns, ns.mod(a, zero))).all()


def test_fmax_fmin_ignore_one_nan_and_minimum_keeps_it(ns):
    x, y = t(ns, [np.nan, 1.0, np.nan]), t(ns, [0.0, np.nan, np.nan])
    np.testing.assert_array_equal(n(ns, ns.fmax(x, y)), [0.0, 1.0, np.nan])
    np.testing.assert_array_equal(n(ns, ns.fmin(x, y)), [0.0, 1.0, np.nan])
    assert np.isnan(n(ns, ns.minimum(x, y))).all()


def test_heaviside_nextafter_gcd_lcm_special_values(ns):
    out = ns.heaviside(t(ns, [-1.0, 0.0, 2.0, np.nan]), 0.5)
    np.testing.assert_array_equal(n(ns, out), [0.0, 0.5, 1.0, np.nan])
    for dtype in ("float16", "float32"):
        x = t(ns, [1.0, 1.0, 0.0, -1.0, 2.0], dtype)
        y = t(ns, [2.0, 0.0, -1.0, -2.0, 2.0], dtype)
        out = n(ns, ns.nextafter(x, y))
        np.testing.assert_array_equal(out, np.nextafter(n(ns, x), n(ns, y)))
    a, b = t(ns, [12, -18, 0, 0, 7], "int32"), t(ns, [8, 12, 5, 0, -3], "int32")
    np.testing.assert_array_equal(n(ns, ns.gcd(a, b)), [4, 6, 5, 0, 1])
    np.testing.assert_array_equal(n(ns, ns.lcm(a, b)), [24, 36, 0, 0, 21])


def test_shifts_and_logical_ops(ns):
    x = t(ns, [1, -8, 5], "int32")
    np.testing.assert_array_equal(n(ns, ns.left_shift(x, 2)), [4, -32, 20])
    np.testing.assert_array_equal(n(ns, ns.right_shift(x, 1)), [0, -4, 2])
    np.testing.assert_array_equal(
        n(ns, ns.bitwise_right_shift(x, t(ns, [0, 2, 1], "int32"))), [1, -2, 2]
    )
    out = ns.logical_xor(t(ns, [0.0, 2.0, np.nan]), t(ns, [0, 0, 1], "int32"))
    np.testing.assert_array_equal(n(ns, out), [False, True, False])


def test_ldexp_scales_by_powers_of_two(ns):
    out = ns.ldexp(t(ns, [1.0, 3.0, -0.5]), t(ns, [2, -1, 3], "int32"))
    np.testing.assert_array_equal(n(ns, out), [4.0, 1.5, -4.0])


# -- composites ----------------------------------------------------------------------------

_COMPOSITES = composites_of("kcore.ops.numpy_binary")


@pytest.mark.parametrize("name", _COMPOSITES)
def test_composites_agree_with_the_reference(name):
    spec = contract.SPECS[name]
    composite = namespace_without("numpy", _COMPOSITES)
    reference = namespace("numpy")
    rng = np.random.default_rng(0)
    cases = spec.cases(spec, rng, frozenset(kcore.backend.get_backend("numpy").capabilities.dtypes))
    assert cases
    for case in cases:
        expected = getattr(reference, name)(*case.args, **case.kwargs)
        got = getattr(composite, name)(*case.args, **case.kwargs)
        assert np.asarray(got).dtype == np.asarray(expected).dtype, case.id
        np.testing.assert_allclose(
            np.asarray(got, dtype=np.float64),
            np.asarray(expected, dtype=np.float64),
            rtol=1e-2 if np.asarray(expected).dtype == np.float16 else 1e-5,
            atol=1e-6,
            equal_nan=True,
            err_msg=case.id,
        )
