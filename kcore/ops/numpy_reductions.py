"""Reductions, statistics and cumulative ops (``keras.ops.numpy``).

Declarations only; see :mod:`kcore.ops.contract`.

Result dtypes follow Keras 3: ``mean``, ``var``, ``median``, ``quantile`` and friends
give the input's float dtype (floatx for integers and booleans); ``sum``-like ops
(``prod``, ``trace``, ``nansum``...) widen booleans and narrow integers to 32 bits;
``argmax``-like ops and ``count_nonzero`` give ``int32``; ``all``/``any`` give ``bool``.
"""

from __future__ import annotations

import builtins
import itertools

import numpy as np

from kcore import ops
from kcore.keras_tensor import KerasTensor
from kcore.ops import rules
from kcore.ops.cases import FLOATS, Case, array, explicit
from kcore.ops.contract import op

# -- case factories ----------------------------------------------------------------

_SHAPE = (2, 3, 4)
#: (axis, keepdims) pairs the main dtype is reduced over; axis=() reduces nothing.
_AXES = ((None, False), (1, True), ((0, 2), False), (-1, False), ((), False))
#: One (axis, keepdims) pair for each of the other dtypes, in turn.
_OTHER_AXES = ((-1, False), (None, True), (0, False))
#: argmax-like ops take one axis at most.
_ARG_PAIRS = ((None, False), (1, True), (-1, False), (0, True))


def _reduce(
    dtypes=("float32", "bool", "int8", "int32", "uint8", "float16"),
    axes=_AXES,
    keepdims=True,
    low=-3.0,
    high=3.0,
    grad=True,
    distinct=False,
):
    """The first dtype reduced over every pair of ``axes``, the others over one pair
    each. ``distinct`` gives values without ties (for argmax-like ops, whose answer
    ties would make backend-dependent; booleans are left out there);
    ``keepdims=False`` for ops without that parameter."""

    def make(spec, rng, supported):
        out = []
        usable = [d for d in dtypes if d in supported and not (distinct and d == "bool")]
        for i, dtype in enumerate(usable):
            pairs = axes if i == 0 else (_OTHER_AXES[(i - 1) % len(_OTHER_AXES)],)
            x = _distinct(rng, _SHAPE, dtype) if distinct else array(rng, _SHAPE, dtype, low, high)
            for ax, keep in pairs:
                kwargs = {"axis": ax}
                if keepdims:
                    kwargs["keepdims"] = keep
                label = f"{dtype}-axis{ax}" + (f"-keep{keep}" if keepdims else "")
                out.append(Case(label, (x,), kwargs, grad and dtype in FLOATS))
        return out

    return make


def _distinct(rng, shape, dtype):
    """Values without ties: a permutation, shifted to straddle zero for signed types."""
    n = int(np.prod(shape))
    values = rng.permutation(n).astype("float64")
    if dtype in FLOATS:
        return ((values - n / 2) / 4 + rng.uniform(-0.1, 0.1, n)).reshape(shape).astype(dtype)
    if not dtype.startswith("u"):
        values -= n // 2
    return values.reshape(shape).astype(dtype)


def _with_nans(rng, shape=_SHAPE, dtype="float32"):
    """Random floats with NaNs at a few places, never a whole slice along any axis."""
    x = rng.uniform(-3.0, 3.0, shape).astype(dtype)
    if dtype not in FLOATS:  # integers hold no NaN
        return array(rng, shape, dtype)
    for index in ((0, 0, 0), (1, 2, 3), (0, 1, 2), (1, 0, 1)):
        x[index] = np.nan
    return x


def _nan_cases(*kwargs_list, grad=False, distinct=False):
    """NaN-holding cases, one per keyword set (axis/keepdims combinations)."""

    def build(kw):
        def case(rng):
            x = _with_nans(rng)
            if distinct:
                x = np.where(np.isnan(x), x, _distinct(rng, _SHAPE, "float32"))
            return Case("nan-" + "-".join(f"{k}{v}" for k, v in kw.items()), (x,), dict(kw), grad)

        return case

    return explicit(*(build(kw) for kw in kwargs_list))


def _both(*factories):
    """Every case of several factories."""

    def make(spec, rng, supported):
        return list(itertools.chain.from_iterable(f(spec, rng, supported) for f in factories))

    return make


_NAN_AXES = ({"axis": None}, {"axis": -1, "keepdims": True}, {"axis": (0, 2)})


def _nan_reduce(grad=False, distinct=False, **reduce):
    """A NaN-ignoring reduction's cases: the plain ones over four axis pairs
    (``reduce`` as in :func:`_reduce`), then NaN-holding ones (differentiable when
    ``grad``)."""
    return _both(
        _reduce(axes=_AXES[:4], distinct=distinct, **reduce),
        _nan_cases(*_NAN_AXES, grad=grad),
    )


def _quantile_cases(scale=1.0, nans=False):
    """Scalar and vector ``q`` over axes and every interpolation method."""
    settings = (
        ({"axis": None}, 0.3),
        ({"axis": -1}, 0.5),
        ({"axis": (0, 2), "keepdims": True}, (0.1, 0.9)),
        ({"axis": 1, "method": "lower"}, (0.25, 0.7)),
        ({"axis": 1, "method": "higher"}, 0.6),
        ({"axis": -1, "method": "midpoint"}, (0.2, 0.5)),
        ({"axis": 0, "method": "nearest"}, (0.0, 0.4, 1.0)),
    )

    def build(kw, q, dtype):
        def case(rng):
            x = _with_nans(rng, dtype=dtype) if nans else _distinct(rng, _SHAPE, dtype)
            qv = np.asarray(q, "float32") * scale if isinstance(q, tuple) else q * scale
            parts = [dtype, *(f"{k}{v}" for k, v in kw.items()), f"q{q}"]
            label = "-".join(["nan", *parts] if nans else parts)
            # Vector q is a tensor argument: finite differences would move it too.
            grad = dtype in FLOATS and not nans and not isinstance(q, tuple)
            return Case(label, (x, qv), dict(kw), grad)

        return case

    builders = [build(kw, q, "float32") for kw, q in settings]
    builders += [build({"axis": -1}, 0.5, "int32"), build({"axis": None}, 0.75, "float16")]
    return explicit(*builders)


def _cumulative(dtypes=("float32", "bool", "int8", "uint8", "int32", "float16"), low=-3.0):
    def make(spec, rng, supported):
        out = []
        for i, dtype in enumerate(d for d in dtypes if d in supported):
            x = array(rng, _SHAPE, dtype, low, 3.0)
            axes = (None, 0, -1) if i == 0 else ((1,) if i % 2 else (None,))
            for ax in axes:
                out.append(Case(f"{dtype}-axis{ax}", (x,), {"axis": ax}, dtype in FLOATS))
        if "float32" in supported and "int32" in supported:
            x = array(rng, _SHAPE, "int8", low, 3.0)
            out.append(Case("int8-dtype-float32", (x,), {"axis": 1, "dtype": "float32"}))
            out.append(Case("int8-dtype-int32", (x,), {"axis": 2, "dtype": "int32"}))
        return out

    return make


# -- rules ---------------------------------------------------------------------------


def _one_dimensional(name="x"):
    def rule(values):
        shape = rules._shape(values[name])
        if shape is not None and len(shape) != 1:
            return f"a 1-D tensor {name}, got rank {len(shape)}"
        return None

    return rule


def _histogram_rule(values):
    bins = values.get("bins")
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        return f"bins to be a positive int, got {bins!r}"
    bounds = values.get("range")
    if bounds is not None and (len(bounds) != 2 or bounds[0] > bounds[1]):
        return f"range to be None or (min, max) with min <= max, got {bounds!r}"
    return _one_dimensional()(values)


def _check_histogram(rank, bins):
    """The backends' check of ``histogram``'s arguments (``rank``: ``x``'s)."""
    if rank != 1:
        raise ValueError(f"histogram takes a 1-D tensor, got rank {rank}")
    if isinstance(bins, bool) or not isinstance(bins, int):
        raise TypeError(f"histogram: bins must be an int, got {bins!r}")


#: How a quantile between two data points is taken; shared with the backends.
_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_rule(top):
    def rule(values):
        q = values.get("q")
        method = values.get("method")
        if method not in _QUANTILE_METHODS:
            return f"method in {', '.join(map(repr, _QUANTILE_METHODS))}, got {method!r}"
        try:
            qs = np.asarray(q, dtype="float64")
        except Exception:
            return rules.axis()(values)
        if qs.ndim > 1 or np.any(qs < 0) or np.any(qs > top):
            return f"q a scalar or 1-D tensor of values in [0, {top}], got {q!r}"
        return rules.axis()(values)

    return rule


# -- shape rules (ops whose results the abstract evaluation cannot size) --------------


def _histogram_shape(x, bins=10, range=None):
    from kcore.dtypes import result_type

    dtype = result_type(x.dtype, float)
    return KerasTensor((bins,), dtype), KerasTensor((bins + 1,), dtype)


def _bincount_shape(x, weights=None, minlength=0, sparse=False):
    from kcore.dtypes import result_type

    if weights is None:
        dtype = "int32"
    else:
        dtype = result_type(weights.dtype, "int32")
    return KerasTensor((None,), dtype)


# -- boolean reductions ---------------------------------------------------------------


@op("numpy", expect=rules.axis(), grad=False, cases=_reduce(grad=False))
def all(x, axis=None, keepdims=False):
    """Whether every element along ``axis`` is true (non-zero); a ``bool`` tensor.

    Example::

        >>> kcore.ops.all([[True, False], [True, True]], axis=1)   # tensor [False, True]
    """
    ...


@op("numpy", expect=rules.axis(), grad=False, cases=_reduce(grad=False))
def any(x, axis=None, keepdims=False):
    """Whether any element along ``axis`` is true (non-zero); a ``bool`` tensor.

    Example::

        >>> kcore.ops.any([[True, False], [False, False]], axis=1)   # tensor [True, False]
    """
    ...


# -- extrema --------------------------------------------------------------------------


@op("numpy", composite=True, expect=rules.axis(), cases=_reduce())
def amax(x, axis=None, keepdims=False):
    """Maximum of a tensor along ``axis`` (all axes when ``None``); same as ``max``.

    Example::

        >>> kcore.ops.amax([[1, 4], [3, 2]], axis=0)   # tensor [3, 4]
    """
    return ops.max(x, axis=axis, keepdims=keepdims)


@op("numpy", composite=True, expect=rules.axis(), cases=_reduce())
def amin(x, axis=None, keepdims=False):
    """Minimum of a tensor along ``axis`` (all axes when ``None``); same as ``min``.

    Example::

        >>> kcore.ops.amin([[1, 4], [3, 2]], axis=0)   # tensor [1, 2]
    """
    return ops.min(x, axis=axis, keepdims=keepdims)


@op("numpy", expect=rules.axis(), cases=_reduce())
def min(x, axis=None, keepdims=False, initial=None):
    """Minimum of a tensor along ``axis`` (all axes when ``None``); ``initial`` counts
    as one more element of every reduced slice.

    Example::

        >>> kcore.ops.min([[1, 4], [3, 2]], axis=1)   # tensor [1, 2]
    """
    ...


@op(
    "numpy",
    composite=True,
    expect=rules.axis(),
    cases=_reduce(dtypes=("float32", "int8", "int32", "uint8", "float16")),
)
def ptp(x, axis=None, keepdims=False):
    """Range (maximum minus minimum) of a tensor along ``axis``.

    Example::

        >>> kcore.ops.ptp([[1, 4], [3, 2]], axis=1)   # tensor [3, 1]
    """
    return ops.subtract(ops.max(x, axis=axis, keepdims=keepdims), ops.min(x, axis, keepdims))


@op(
    "numpy",
    expect=rules.axis(),
    grad=False,
    cases=_reduce(grad=False, distinct=True, axes=_ARG_PAIRS),
)
def argmax(x, axis=None, keepdims=False):
    """Index of the maximum along ``axis`` (of the flattened tensor when ``None``), as
    ``int32``; the first one where values tie.

    Example::

        >>> kcore.ops.argmax([[1, 4], [3, 2]], axis=1)   # tensor [1, 0]
    """
    ...


@op(
    "numpy",
    expect=rules.axis(),
    grad=False,
    cases=_reduce(grad=False, distinct=True, axes=_ARG_PAIRS),
)
def argmin(x, axis=None, keepdims=False):
    """Index of the minimum along ``axis`` (of the flattened tensor when ``None``), as
    ``int32``; the first one where values tie.

    Example::

        >>> kcore.ops.argmin([[1, 4], [3, 2]], axis=1)   # tensor [0, 1]
    """
    ...


# -- counting -------------------------------------------------------------------------


@op("numpy", composite=True, expect=rules.axis(), grad=False, cases=_reduce(keepdims=False))
def count_nonzero(x, axis=None):
    """Number of non-zero elements along ``axis`` (all axes when ``None``), as ``int32``.

    Example::

        >>> kcore.ops.count_nonzero([[0, 4], [3, 2]], axis=1)   # tensor [1, 2]
    """
    return ops.sum(ops.cast(ops.not_equal(x, 0), "int32"), axis=axis)


# -- sums, products, means ------------------------------------------------------------


@op("numpy", expect=rules.axis(), cases=_reduce(low=-2.0, high=2.0))
def prod(x, axis=None, keepdims=False, dtype=None):
    """Product of a tensor along ``axis``; booleans and narrow integers multiply in 32
    bits, as in ``sum``; ``dtype`` sets the result dtype.

    Example::

        >>> kcore.ops.prod([[1, 2], [3, 4]], axis=1)   # tensor [2, 12]
    """
    ...


@op("numpy", composite=True, expect=rules.axis(), cases=_reduce())
def mean(x, axis=None, keepdims=False):
    """Arithmetic mean along ``axis``; integers and booleans give floatx.

    Example::

        >>> kcore.ops.mean([[1, 2], [3, 4]], axis=1)   # tensor [1.5, 3.5]
    """
    from kcore.dtypes import result_type

    x = ops.convert_to_tensor(x)
    dtype = result_type(ops.dtype(x), float)
    x = ops.cast(x, dtype)
    total = ops.sum(x, axis=axis, keepdims=keepdims)
    return ops.divide(total, ops.cast(_count(ops.shape(x), axis), dtype))


def _count(shape, axis):
    if axis is None:
        axis = tuple(builtins.range(len(shape)))
    axes = axis if isinstance(axis, tuple | list) else (axis,)
    return int(np.prod([shape[a] for a in axes]))


@op("numpy", composite=True, expect=rules.axis(), cases=_reduce())
def var(x, axis=None, keepdims=False):
    """Variance (mean squared deviation from the mean) along ``axis``, in floats.

    Example::

        >>> kcore.ops.var([[1, 3], [2, 2]], axis=1)   # tensor [1.0, 0.0]
    """
    centred = ops.subtract(x, ops.mean(x, axis=axis, keepdims=True))
    return ops.mean(ops.multiply(centred, centred), axis=axis, keepdims=keepdims)


@op("numpy", composite=True, expect=rules.axis(), cases=_reduce(axes=_AXES[:4]))
def std(x, axis=None, keepdims=False):
    """Standard deviation (square root of ``var``) along ``axis``, in floats.

    Example::

        >>> kcore.ops.std([[1, 3], [2, 2]], axis=1)   # tensor [1.0, 0.0]
    """
    return ops.sqrt(ops.var(x, axis=axis, keepdims=keepdims))


def _weights_rule(values):
    shape, weights = rules._shape(values["x"]), values.get("weights")
    wshape = rules._shape(weights) if weights is not None else None
    if wshape is None or shape is None or wshape == shape:
        return rules.axis()(values)
    axis = values.get("axis")
    if len(wshape) != 1 or not isinstance(axis, int) or shape[axis] not in (None, wshape[0]):
        return (
            f"weights of x's shape {shape}, or 1-D of x's length along an int axis, "
            f"got weights of shape {wshape} and axis={axis!r}"
        )
    return rules.axis()(values)


def _weights_shape(shape, wshape, axis):
    """The shape ``average``'s weights are reshaped to before broadcasting against
    ``x``: ``None`` when they have ``x``'s shape already, else ones with the weights'
    length at ``axis``. Shared with the backends."""
    if wshape == shape:
        return None
    if len(wshape) != 1 or not isinstance(axis, int):
        raise ValueError(
            f"average: weights of shape {wshape} need x's shape {shape}, or 1-D with an int axis"
        )
    view = [1] * len(shape)
    view[axis] = wshape[0]
    return view


def _average_case(shape_w, axis, dtype="float32", wdtype="float32"):
    def case(rng):
        x = array(rng, _SHAPE, dtype)
        w = array(rng, shape_w, wdtype, 0.5, 2.0) if shape_w is not None else None
        kw = {"axis": axis} if w is None else {"axis": axis, "weights": w}
        label = f"{dtype}-axis{axis}-w{shape_w and 'x'.join(map(str, shape_w))}-{wdtype}"
        return Case(label, (x,), kw, dtype in FLOATS)

    return case


@op(
    "numpy",
    composite=True,
    tensors=("x", "weights"),
    expect=_weights_rule,
    cases=explicit(
        _average_case(None, None),
        _average_case(None, 1, "int32"),
        _average_case(_SHAPE, None),
        _average_case(_SHAPE, (0, 2)),
        _average_case((4,), -1),
        _average_case((4,), 2, "int8", "float16"),
        _average_case((3,), 1, "float16", "int32"),
    ),
)
def average(x, axis=None, weights=None):
    """Weighted mean along ``axis``: ``sum(x * weights) / sum(weights)``; ``weights``
    has ``x``'s shape, or is 1-D with ``x``'s length along an int ``axis``; without
    weights, the mean.

    Example::

        >>> kcore.ops.average([1.0, 2.0, 4.0], weights=[1.0, 1.0, 2.0])   # tensor 2.75
    """
    from kcore.dtypes import result_type

    if weights is None:
        return ops.mean(x, axis=axis)
    x, weights = ops.convert_to_tensor(x), ops.convert_to_tensor(weights)
    dtype = result_type(ops.dtype(x), ops.dtype(weights), float)
    x, weights = ops.cast(x, dtype), ops.cast(weights, dtype)
    if len(ops.shape(weights)) == 1 and len(ops.shape(x)) > 1:
        shape = [1] * len(ops.shape(x))
        shape[axis] = ops.shape(weights)[0]
        weights = ops.reshape(weights, shape)
        weights = ops.multiply(weights, ops.ones_like(x))
    total = ops.sum(ops.multiply(x, weights), axis=axis)
    return ops.divide(total, ops.sum(weights, axis=axis))


# -- cumulative -----------------------------------------------------------------------


@op("numpy", expect=rules.axis(), cases=_cumulative())
def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (of the flattened tensor when ``None``); booleans
    count in ``int32``; ``dtype`` sets the result dtype.

    Example::

        >>> kcore.ops.cumsum([1, 2, 3])   # tensor [1, 3, 6]
    """
    ...


@op("numpy", expect=rules.axis(), cases=_cumulative(low=-2.0))
def cumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (of the flattened tensor when ``None``);
    booleans count in ``int32``; ``dtype`` sets the result dtype.

    Example::

        >>> kcore.ops.cumprod([1, 2, 3])   # tensor [1, 2, 6]
    """
    ...


# -- order statistics ----------------------------------------------------------------


@op(
    "numpy",
    composite=True,
    expect=_quantile_rule(1),
    tensors=("x", "q"),
    cases=_quantile_cases(),
)
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantile(s) along ``axis``, ``q`` in ``[0, 1]`` (a scalar or a 1-D
    tensor, whose length leads the result's shape). ``method`` is how a quantile
    between two data points is taken: ``"linear"``, ``"lower"``, ``"higher"``,
    ``"midpoint"`` or ``"nearest"``. Integers give floatx.

    Example::

        >>> kcore.ops.quantile([1.0, 2.0, 3.0, 4.0], 0.5)   # tensor 2.5
    """
    return ops.nanquantile(x, q, axis=axis, method=method, keepdims=keepdims)


@op(
    "numpy",
    composite=True,
    expect=_quantile_rule(100),
    tensors=("x", "q"),
    cases=_quantile_cases(scale=100.0),
)
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentile(s) along ``axis``, ``q`` in ``[0, 100]``; see
    ``quantile``.

    Example::

        >>> kcore.ops.percentile([1.0, 2.0, 3.0, 4.0], 50)   # tensor 2.5
    """
    return ops.quantile(x, ops.divide(q, 100.0), axis=axis, method=method, keepdims=keepdims)


@op("numpy", composite=True, expect=rules.axis(), cases=_reduce(axes=_AXES[:4], distinct=True))
def median(x, axis=None, keepdims=False):
    """Median along ``axis`` (the mean of the two middle values for an even count);
    integers give floatx.

    Example::

        >>> kcore.ops.median([[1, 3, 2], [4, 6, 8]], axis=1)   # tensor [2.0, 6.0]
    """
    return ops.quantile(x, 0.5, axis=axis, keepdims=keepdims)


# -- NaN-ignoring ---------------------------------------------------------------------
# Their composites replace NaN with the reduction's identity; integer inputs hold no
# NaN, so they reduce as the plain ops do.


def _nan_to(ops, x, value):
    # ``ops`` passed in: a composite's ``ops`` may be another backend's namespace.
    if "float" not in ops.dtype(x):
        return x
    return ops.where(ops.isnan(x), ops.cast(value, ops.dtype(x)), x)


@op("numpy", composite=True, expect=rules.axis(), cases=_nan_reduce(grad=True))
def nansum(x, axis=None, keepdims=False):
    """Sum along ``axis``, NaNs counted as zero.

    Example::

        >>> kcore.ops.nansum([1.0, float("nan"), 2.0])   # tensor 3.0
    """
    return ops.sum(_nan_to(ops, ops.convert_to_tensor(x), 0), axis=axis, keepdims=keepdims)


@op("numpy", composite=True, expect=rules.axis(), cases=_nan_reduce(low=-2.0, high=2.0))
def nanprod(x, axis=None, keepdims=False):
    """Product along ``axis``, NaNs counted as one.

    Example::

        >>> kcore.ops.nanprod([2.0, float("nan"), 3.0])   # tensor 6.0
    """
    return ops.prod(_nan_to(ops, ops.convert_to_tensor(x), 1), axis=axis, keepdims=keepdims)


@op("numpy", composite=True, expect=rules.axis(), cases=_nan_reduce(grad=True))
def nanmean(x, axis=None, keepdims=False):
    """Mean along ``axis`` of the elements that are not NaN (NaN where all are).

    Example::

        >>> kcore.ops.nanmean([1.0, float("nan"), 2.0])   # tensor 1.5
    """
    x = ops.convert_to_tensor(x)
    if "float" not in ops.dtype(x):
        return ops.mean(x, axis=axis, keepdims=keepdims)
    valid = ops.cast(ops.logical_not(ops.isnan(x)), ops.dtype(x))
    total = ops.sum(_nan_to(ops, x, 0), axis=axis, keepdims=keepdims)
    return ops.divide(total, ops.sum(valid, axis=axis, keepdims=keepdims))


@op("numpy", composite=True, expect=rules.axis(), cases=_nan_reduce())
def nanvar(x, axis=None, keepdims=False):
    """Variance along ``axis`` of the elements that are not NaN.

    Example::

        >>> kcore.ops.nanvar([1.0, float("nan"), 3.0])   # tensor 1.0
    """
    x = ops.convert_to_tensor(x)
    if "float" not in ops.dtype(x):
        return ops.var(x, axis=axis, keepdims=keepdims)
    centred = ops.subtract(x, ops.nanmean(x, axis=axis, keepdims=True))
    return ops.nanmean(ops.multiply(centred, centred), axis=axis, keepdims=keepdims)


@op("numpy", composite=True, expect=rules.axis(), cases=_nan_reduce())
def nanstd(x, axis=None, keepdims=False):
    """Standard deviation along ``axis`` of the elements that are not NaN.

    Example::

        >>> kcore.ops.nanstd([1.0, float("nan"), 3.0])   # tensor 1.0
    """
    return ops.sqrt(ops.nanvar(x, axis=axis, keepdims=keepdims))


def _nan_extremum(ops, reduce, fill, x, axis, keepdims):
    """``reduce`` (max or min) with NaNs replaced by ``fill``; NaN where a slice is all
    NaN."""
    x = ops.convert_to_tensor(x)
    if "float" not in ops.dtype(x):
        return reduce(x, axis=axis, keepdims=keepdims)
    out = reduce(_nan_to(ops, x, fill), axis=axis, keepdims=keepdims)
    return ops.where(ops.all(ops.isnan(x), axis=axis, keepdims=keepdims), float("nan"), out)


@op("numpy", composite=True, expect=rules.axis(), cases=_nan_reduce())
def nanmax(x, axis=None, keepdims=False):
    """Maximum along ``axis`` ignoring NaNs (NaN where a slice is all NaN).

    Example::

        >>> kcore.ops.nanmax([1.0, float("nan"), 2.0])   # tensor 2.0
    """
    return _nan_extremum(ops, ops.max, float("-inf"), x, axis, keepdims)


@op("numpy", composite=True, expect=rules.axis(), cases=_nan_reduce())
def nanmin(x, axis=None, keepdims=False):
    """Minimum along ``axis`` ignoring NaNs (NaN where a slice is all NaN).

    Example::

        >>> kcore.ops.nanmin([1.0, float("nan"), 2.0])   # tensor 1.0
    """
    return _nan_extremum(ops, ops.min, float("inf"), x, axis, keepdims)


_ARG_AXES = ({"axis": None}, {"axis": -1, "keepdims": True}, {"axis": 0})
_NAN_ARG_CASES = _both(
    _reduce(grad=False, distinct=True, axes=_ARG_PAIRS),
    _nan_cases(*_ARG_AXES, distinct=True),
)


@op("numpy", composite=True, expect=rules.axis(), grad=False, cases=_NAN_ARG_CASES)
def nanargmax(x, axis=None, keepdims=False):
    """Index of the maximum along ``axis`` ignoring NaNs, as ``int32``.

    Example::

        >>> kcore.ops.nanargmax([1.0, float("nan"), 2.0])   # tensor 2
    """
    return ops.argmax(_nan_to(ops, ops.convert_to_tensor(x), float("-inf")), axis, keepdims)


@op("numpy", composite=True, expect=rules.axis(), grad=False, cases=_NAN_ARG_CASES)
def nanargmin(x, axis=None, keepdims=False):
    """Index of the minimum along ``axis`` ignoring NaNs, as ``int32``.

    Example::

        >>> kcore.ops.nanargmin([1.0, float("nan"), 2.0])   # tensor 0
    """
    return ops.argmin(_nan_to(ops, ops.convert_to_tensor(x), float("inf")), axis, keepdims)


@op(
    "numpy",
    composite=True,
    expect=rules.axis(),
    cases=_both(_cumulative(), _nan_cases({"axis": None}, {"axis": 1}, grad=True)),
)
def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis``, NaNs counted as zero.

    Example::

        >>> kcore.ops.nancumsum([1.0, float("nan"), 2.0])   # tensor [1.0, 1.0, 3.0]
    """
    return ops.cumsum(_nan_to(ops, ops.convert_to_tensor(x), 0), axis=axis, dtype=dtype)


@op(
    "numpy",
    composite=True,
    expect=rules.axis(),
    cases=_both(_cumulative(low=-2.0), _nan_cases({"axis": None}, {"axis": -1})),
)
def nancumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis``, NaNs counted as one.

    Example::

        >>> kcore.ops.nancumprod([2.0, float("nan"), 3.0])   # tensor [2.0, 2.0, 6.0]
    """
    return ops.cumprod(_nan_to(ops, ops.convert_to_tensor(x), 1), axis=axis, dtype=dtype)


@op(
    "numpy",
    expect=_quantile_rule(1),
    tensors=("x", "q"),
    cases=_quantile_cases(nans=True),
)
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantile(s) along ``axis`` of the elements that are not NaN; see
    ``quantile``.

    Example::

        >>> kcore.ops.nanquantile([1.0, float("nan"), 3.0], 0.5)   # tensor 2.0
    """
    ...


@op(
    "numpy",
    composite=True,
    expect=_quantile_rule(100),
    tensors=("x", "q"),
    cases=_quantile_cases(scale=100.0, nans=True),
)
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentile(s) along ``axis`` of the elements that are not NaN, ``q``
    in ``[0, 100]``; see ``quantile``.

    Example::

        >>> kcore.ops.nanpercentile([1.0, float("nan"), 3.0], 50)   # tensor 2.0
    """
    return ops.nanquantile(x, ops.divide(q, 100.0), axis=axis, method=method, keepdims=keepdims)


@op("numpy", composite=True, expect=rules.axis(), cases=_nan_reduce(distinct=True))
def nanmedian(x, axis=None, keepdims=False):
    """Median along ``axis`` of the elements that are not NaN.

    Example::

        >>> kcore.ops.nanmedian([1.0, float("nan"), 3.0])   # tensor 2.0
    """
    return ops.nanquantile(x, 0.5, axis=axis, keepdims=keepdims)


# -- counting into bins ---------------------------------------------------------------


def _histogram_case(dtype, bins, bounds):
    def case(rng):
        x = array(rng, (20,), dtype, -3.0, 3.0)
        return Case(f"{dtype}-bins{bins}-range{bounds}", (x,), {"bins": bins, "range": bounds})

    return case


@op(
    "numpy",
    grad=False,
    expect=_histogram_rule,
    shape_rule=_histogram_shape,
    cases=explicit(
        _histogram_case("float32", 10, None),
        _histogram_case("float32", 4, (-1.0, 2.0)),
        _histogram_case("int32", 3, None),
        _histogram_case("int8", 5, (-2, 2)),
    ),
)
def histogram(x, bins=10, range=None):
    """Histogram of a 1-D tensor: ``(counts, edges)``, ``bins`` equal bins over
    ``range`` (default: the data's minimum and maximum), the last bin closed; values
    outside the range are not counted. Both in ``x``'s float dtype (floatx for
    integers).

    Example::

        >>> kcore.ops.histogram([0.0, 1.0, 1.0, 3.0], bins=3)   # ([1, 2, 1], [0, 1, 2, 3])
    """
    ...


def _bincount_case(n, weights, minlength, values_dtype="int32"):
    def case(rng):
        x = rng.integers(0, n, size=12).astype(values_dtype)
        w = None if weights is None else array(rng, (12,), weights, 0.0, 3.0)
        kwargs = {"minlength": minlength}
        if w is not None:
            kwargs["weights"] = w
        return Case(f"{values_dtype}-n{n}-w{weights}-min{minlength}", (x,), kwargs)

    return case


@op(
    "numpy",
    grad=False,
    tensors=("x", "weights"),
    data_dependent=True,
    shape_rule=_bincount_shape,
    expect=_one_dimensional(),
    cases=explicit(
        _bincount_case(5, None, 0),
        _bincount_case(5, None, 9, "int8"),
        _bincount_case(4, "float32", 0),
        _bincount_case(4, "int32", 6),
    ),
)
def bincount(x, weights=None, minlength=0, sparse=False):
    """Count of each value in a 1-D tensor of non-negative integers: result ``[i]``
    is how often ``i`` occurs (the sum of the matching ``weights`` if given), over
    ``max(max(x) + 1, minlength)`` bins; ``int32`` without weights. ``sparse=True``
    is not supported.

    Example::

        >>> kcore.ops.bincount([0, 1, 1, 3])   # tensor [1, 2, 0, 1]
    """
    ...


# -- matrix-shaped ------------------------------------------------------------------


def _array_case(shape, dtype, **kwargs):
    """One random ``shape``/``dtype`` array and the keyword arguments ``kwargs``."""

    def case(rng):
        x = array(rng, shape, dtype)
        label = "-".join(
            [dtype, "x".join(map(str, shape)), *(f"{k}{v}" for k, v in kwargs.items())]
        )
        return Case(label, (x,), kwargs, dtype in FLOATS)

    return case


@op(
    "numpy",
    composite=True,
    expect=rules.all_of(rules.axis(name="axis1"), rules.axis(name="axis2")),
    cases=explicit(
        _array_case((3, 4), "float32"),
        _array_case((3, 4), "float32", offset=1),
        _array_case((3, 4), "float32", offset=-2),
        _array_case((2, 3, 4), "float32", axis1=1, axis2=2),
        _array_case((2, 3, 4), "float32", offset=1, axis1=2, axis2=0),
        _array_case((3, 3), "int8"),
        _array_case((3, 3), "uint8"),
        _array_case((3, 3), "bool"),
        _array_case((2, 3, 3), "int32", axis1=-1, axis2=-2),
        _array_case((3, 3), "float16"),
    ),
)
def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along the diagonal ``offset`` of the 2-D slices over ``axis1`` and
    ``axis2``; dtypes widen as in ``sum``.

    Example::

        >>> kcore.ops.trace([[1, 2], [3, 4]])   # tensor 5
    """
    return ops.sum(ops.diagonal(x, offset=offset, axis1=axis1, axis2=axis2), axis=-1)


@op(
    "numpy",
    expect=rules.axis("a"),
    tensors=("a",),
    cases=explicit(
        _array_case((2, 3, 4), "float32"),
        _array_case((2, 3, 4), "float32", n=2),
        _array_case((2, 3, 4), "float32", axis=0),
        _array_case((2, 3, 4), "float32", n=2, axis=1),
        _array_case((5,), "float32", n=0),
        _array_case((5,), "float32", n=4),
        _array_case((3, 4), "int8"),
        _array_case((3, 4), "uint8", axis=0),
        _array_case((3, 4), "bool"),
        _array_case((3, 4), "float16", n=2),
    ),
)
def diff(a, n=1, axis=-1):
    """The ``n``-th discrete difference along ``axis``: ``a[1:] - a[:-1]``, repeated
    ``n`` times (``!=`` for booleans); the axis shrinks by ``n``.

    Example::

        >>> kcore.ops.diff([1, 4, 9, 16])   # tensor [3, 5, 7]
    """
    ...
