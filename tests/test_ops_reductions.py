"""Reductions, statistics and cumulative ops beyond what the conformance suite can
say: errors naming the op, every quantile method, the nan* ops with NaNs present
(all-NaN slices included), ``bincount`` weights and ``minlength``, ``histogram``
bins and ranges, ``argmax`` keepdims, weighted ``average``, ``diff`` and ``trace``
options, and Keras 3's result dtypes, on every installed backend (against NumPy
itself where NumPy defines the answer).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from ops_helpers import n, op_error_message, t

from kcore.errors import OpError
from kcore.keras_tensor import KerasTensor


def close(got, expected, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


# -- errors name the op ----------------------------------------------------------------

_AXIS_OPS = (
    "all any amax amin argmax argmin count_nonzero cumsum cumprod mean median min prod "
    "ptp std var nanargmax nanargmin nancumprod nancumsum nanmax nanmean nanmedian nanmin "
    "nanprod nanstd nansum nanvar average"
).split()


@pytest.mark.parametrize("name", _AXIS_OPS)
def test_out_of_range_axis_names_the_op(ns, name):
    x = t(ns, np.arange(6).reshape(2, 3))
    message = op_error_message(getattr(ns, name), x, axis=3)
    assert message.startswith(f"{name}: expected axis in [-2, 2)"), message


@pytest.mark.parametrize("name", ["quantile", "percentile", "nanquantile", "nanpercentile"])
def test_quantile_out_of_range_axis_names_the_op(ns, name):
    x = t(ns, np.arange(6).reshape(2, 3))
    with pytest.raises(OpError, match=rf"^{name}: expected axis in \[-2, 2\)"):
        getattr(ns, name)(x, 0.5, axis=-3)


def test_trace_and_diff_bad_axes_name_the_op(ns):
    x = t(ns, np.ones((2, 3)))
    with pytest.raises(OpError, match=r"^trace: expected axis2 in \[-2, 2\)"):
        ns.trace(x, axis1=0, axis2=2)
    with pytest.raises(OpError, match=r"^diff: expected axis in \[-2, 2\)"):
        ns.diff(x, axis=2)


def test_histogram_and_bincount_refuse_matrices(ns):
    with pytest.raises(OpError, match="^histogram: expected a 1-D tensor x, got rank 2"):
        ns.histogram(t(ns, np.ones((2, 3))))
    with pytest.raises(OpError, match="^histogram: expected bins to be a positive int"):
        ns.histogram(t(ns, np.ones(3)), bins=2.5)
    with pytest.raises(OpError, match="^bincount:"):
        ns.bincount(t(ns, np.ones((2, 3)), "int32"))
    with pytest.raises(OpError, match="^bincount:"):
        ns.bincount(t(ns, [0, 1], "int32"), sparse=True)


def test_average_with_misshapen_weights_names_the_op(ns):
    x = t(ns, np.ones((2, 3)))
    with pytest.raises(OpError, match="^average: expected weights of x's shape"):
        ns.average(x, axis=1, weights=t(ns, np.ones(2)))


# -- quantiles -------------------------------------------------------------------------

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")
_DATA = np.array([[4.0, 1.0, 3.0, 2.0, 9.0, 7.0], [0.5, 0.5, -1.0, 6.0, 2.0, 2.0]], "float32")


@pytest.mark.parametrize("method", _METHODS)
# For "nearest", no q * (n - 1) lands near a half: float32 and float64 round it apart.
@pytest.mark.parametrize("q", [0.0, 0.32, 0.5, 0.66, 1.0, (0.12, 0.45, 0.94)])
def test_quantile_methods_match_numpy(ns, method, q):
    qv = np.asarray(q, "float32")
    got = ns.quantile(t(ns, _DATA), t(ns, qv), axis=1, method=method)
    expected = np.quantile(_DATA.astype("float64"), qv.astype("float64"), axis=1, method=method)
    close(n(ns, got), expected)
    got = ns.percentile(t(ns, _DATA), t(ns, qv * 100), axis=None, method=method, keepdims=True)
    expected = np.percentile(_DATA, qv * 100, axis=None, method=method, keepdims=True)
    close(n(ns, got), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("method", _METHODS)
def test_nanquantile_methods_skip_nans(ns, method):
    x = _DATA.copy()
    x[0, 1] = x[1, 4] = x[1, 5] = np.nan
    for q in (0.25, 0.5, (0.0, 0.6, 1.0)):
        qv = np.asarray(q, "float32")
        got = ns.nanquantile(t(ns, x), t(ns, qv), axis=-1, method=method)
        close(n(ns, got), np.nanquantile(x, qv, axis=-1, method=method))


def test_median_of_even_and_odd_counts(ns):
    close(n(ns, ns.median(t(ns, [3, 1, 2, 10], "int32"))), 2.5)
    close(n(ns, ns.median(t(ns, [[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]), axis=1)), [2.0, 4.0])
    assert ns.dtype(ns.median(t(ns, [3, 1, 2], "int32"))) == "float32"


# -- NaNs present --------------------------------------------------------------------

_NANS = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan], [-2.0, 5.0, np.nan]], "float32")


@pytest.mark.parametrize(
    "name", ["nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin", "nanmedian"]
)
def test_nan_reductions_with_an_all_nan_row(ns, name):
    for kwargs in ({"axis": 1}, {"axis": 0, "keepdims": True}):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NumPy warns about the all-NaN row
            expected = getattr(np, name)(_NANS.astype("float64"), **kwargs)
        close(n(ns, getattr(ns, name)(t(ns, _NANS), **kwargs)), expected)


def test_nan_cumulative_and_arg_ops(ns):
    x = np.array([[1.0, np.nan, 3.0], [np.nan, 2.0, -1.0]], "float32")
    close(n(ns, ns.nancumsum(t(ns, x), axis=1)), np.nancumsum(x, axis=1))
    close(n(ns, ns.nancumprod(t(ns, x))), np.nancumprod(x))
    assert n(ns, ns.nanargmax(t(ns, x), axis=1)).tolist() == [2, 1]
    assert n(ns, ns.nanargmin(t(ns, x), axis=1)).tolist() == [0, 2]
    assert n(ns, ns.nanargmax(t(ns, x))).tolist() == 2
    assert ns.dtype(ns.nanargmax(t(ns, x))) == "int32"


def test_nan_ops_on_integers_reduce_as_the_plain_ops(ns):
    x = t(ns, [[1, 2, 3], [4, 5, 6]], "int32")
    assert n(ns, ns.nansum(x, axis=1)).tolist() == [6, 15]
    assert n(ns, ns.nanmax(x)).tolist() == 6
    assert ns.dtype(ns.nanmean(x)) == "float32"


# -- bincount and histogram ------------------------------------------------------------


def test_bincount_weights_and_minlength(ns):
    x = np.array([0, 1, 1, 3, 1, 0], "int32")
    w = np.array([0.5, 1.0, 2.0, 0.25, 1.5, 1.0], "float32")
    got = ns.bincount(t(ns, x, "int32"))
    assert ns.dtype(got) == "int32" and n(ns, got).tolist() == [2, 3, 0, 1]
    got = ns.bincount(t(ns, x, "int32"), minlength=7)
    assert n(ns, got).tolist() == np.bincount(x, minlength=7).tolist()
    got = ns.bincount(t(ns, x, "int32"), weights=t(ns, w), minlength=2)
    assert ns.dtype(got) == "float32"
    close(n(ns, got), np.bincount(x, weights=w))
    got = ns.bincount(t(ns, x, "int32"), weights=t(ns, [1, 2, 3, 4, 5, 6], "int32"))
    assert ns.dtype(got) == "int32" and n(ns, got).tolist() == [7, 10, 0, 4]


def test_bincount_is_sized_by_the_data_symbolically(ns):
    out = ns.bincount(KerasTensor((None,), "int32"))
    assert out.shape == (None,) and out.dtype == "int32"


@pytest.mark.parametrize(
    ("bins", "bounds"), [(10, None), (3, None), (4, (-1.0, 2.0)), (2, (0.0, 0.0)), (5, (-4, 4))]
)
def test_histogram_bins_and_range_match_numpy(ns, bins, bounds):
    x = np.array([-3.0, -1.0, 0.0, 0.0, 0.5, 1.0, 1.0, 2.0, 2.5, 3.0], "float32")
    counts, edges = ns.histogram(t(ns, x), bins=bins, range=bounds)
    expected_counts, expected_edges = np.histogram(x, bins=bins, range=bounds)
    assert n(ns, counts).tolist() == expected_counts.tolist()
    close(n(ns, edges), expected_edges)
    assert ns.dtype(counts) == ns.dtype(edges) == "float32"


def test_histogram_of_integers_and_symbolic(ns):
    counts, edges = ns.histogram(t(ns, [1, 2, 2, 3, 3, 3], "int32"), bins=3)
    assert n(ns, counts).tolist() == [1.0, 2.0, 3.0]
    assert ns.dtype(edges) == "float32"
    counts, edges = ns.histogram(KerasTensor((None,), "float16"), bins=4)
    assert (counts.shape, edges.shape, counts.dtype) == ((4,), (5,), "float16")


# -- options ---------------------------------------------------------------------------


def test_argmax_keepdims(ns):
    x = t(ns, [[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    assert n(ns, ns.argmax(x, axis=1, keepdims=True)).tolist() == [[1], [0]]
    assert n(ns, ns.argmin(x, axis=0, keepdims=True)).tolist() == [[0, 1, 0]]
    out = ns.argmax(x, keepdims=True)
    assert n(ns, out).shape == (1, 1) and n(ns, out).tolist() == [[3]]
    assert ns.dtype(out) == "int32"


def test_average_with_weights(ns):
    x = np.arange(12, dtype="float32").reshape(3, 4)
    w = np.array([1.0, 2.0, 0.5, 4.0], "float32")
    close(n(ns, ns.average(t(ns, x), axis=1, weights=t(ns, w))), np.average(x, 1, w))
    w2 = np.linspace(0.5, 2.0, 12, dtype="float32").reshape(3, 4)
    close(n(ns, ns.average(t(ns, x), weights=t(ns, w2))), np.average(x, weights=w2))
    close(n(ns, ns.average(t(ns, x), axis=0)), np.mean(x, axis=0))
    zero = ns.average(t(ns, x), axis=1, weights=t(ns, np.zeros(4)))
    assert np.isnan(n(ns, zero)).all()  # Keras divides 0 by 0 rather than raising
    assert ns.dtype(ns.average(t(ns, x, "int32"), axis=1, weights=t(ns, w, "float16"))) == (
        "float16"
    )


@pytest.mark.parametrize(("count", "axis"), [(0, -1), (1, 0), (2, 1), (3, -1), (4, 1)])
def test_diff_n_and_axis(ns, count, axis):
    x = np.array([[1, 4, 9, 16, 25], [2, 3, 5, 7, 11]], "int32")
    got = ns.diff(t(ns, x, "int32"), n=count, axis=axis)
    assert n(ns, got).tolist() == np.diff(x, n=count, axis=axis).tolist()
    flags = np.array([True, True, False, True])
    assert n(ns, ns.diff(t(ns, flags, "bool"))).tolist() == np.diff(flags).tolist()


@pytest.mark.parametrize(
    ("offset", "axis1", "axis2"),
    [(0, 0, 1), (1, 0, 1), (-1, 0, 1), (2, 1, 0), (1, 1, 2), (0, -1, 0), (5, 0, 1), (-3, 1, 2)],
)
def test_trace_offset_and_axes(ns, offset, axis1, axis2):
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    got = ns.trace(t(ns, x), offset=offset, axis1=axis1, axis2=axis2)
    close(n(ns, got), np.trace(x, offset=offset, axis1=axis1, axis2=axis2))


def test_empty_axis_tuple_reduces_nothing(ns):
    x = np.array([[1.0, -2.0], [0.0, 4.0]], "float32")
    for name in ("mean", "amax", "min", "prod", "all", "any", "var"):
        expected = getattr(np, {"min": "amin"}.get(name, name))(x, axis=())
        close(n(ns, getattr(ns, name)(t(ns, x), axis=())), expected)


# -- Keras 3 result dtypes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "dtype", "expected"),
    [
        (lambda ns, x: ns.mean(x), "int32", "float32"),
        (lambda ns, x: ns.mean(x), "float16", "float16"),
        (lambda ns, x: ns.var(x, axis=0), "uint8", "float32"),
        (lambda ns, x: ns.std(x), "bool", "float32"),
        (lambda ns, x: ns.argmax(x), "float32", "int32"),
        (lambda ns, x: ns.argmin(x, axis=1), "uint8", "int32"),
        (lambda ns, x: ns.count_nonzero(x, axis=0), "float32", "int32"),
        (lambda ns, x: ns.all(x), "int32", "bool"),
        (lambda ns, x: ns.any(x, axis=1), "float32", "bool"),
        (lambda ns, x: ns.cumsum(x), "int8", "int8"),
        (lambda ns, x: ns.cumsum(x), "bool", "int32"),
        (lambda ns, x: ns.cumprod(x, axis=0), "uint8", "uint8"),
        (lambda ns, x: ns.cumsum(x, dtype="float32"), "int8", "float32"),
        (lambda ns, x: ns.prod(x), "int8", "int32"),
        (lambda ns, x: ns.prod(x, axis=1), "uint8", "uint32"),
        (lambda ns, x: ns.prod(x), "bool", "int32"),
        (lambda ns, x: ns.prod(x, dtype="float32"), "int32", "float32"),
        (lambda ns, x: ns.nansum(x), "int16", "int32"),
        (lambda ns, x: ns.trace(x), "uint8", "uint32"),
        (lambda ns, x: ns.trace(x), "bool", "int32"),
        (lambda ns, x: ns.diff(x), "bool", "bool"),
        (lambda ns, x: ns.quantile(x, 0.5), "int32", "float32"),
        (lambda ns, x: ns.median(x), "float16", "float16"),
        (lambda ns, x: ns.ptp(x), "uint8", "uint8"),
        (lambda ns, x: ns.amax(x, axis=0), "int16", "int16"),
    ],
)
def test_result_dtypes_are_keras(ns, call, dtype, expected):
    x = t(ns, [[1, 0, 2], [3, 1, 1]], dtype)
    assert ns.dtype(call(ns, x)) == expected
