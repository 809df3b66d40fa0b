"""Math ops (Keras's ``keras.ops.math``, public as ``kcore.ops.<name>``).

Segment reductions, ``top_k``/``in_top_k``, ``logsumexp``, the error function family,
``rsqrt``, ``logdet``, ``cdist``, complex views and einops-style ``rearrange``.

Result dtypes follow Keras 3: float functions of integers give ``floatx()``;
``top_k``'s indices are int32 on every backend; ``view_as_complex`` gives complex64.
Empty segments hold the reduction's identity (``-inf``/``+inf`` for float
``segment_max``/``segment_min``, the integer dtype's extreme for integers, 1 for
``segment_prod``), as in JAX. ``top_k`` always returns its values sorted (``sorted=False``
allows any order, and the sorted one is the same on every backend); equal values keep
the lower index first. ``in_top_k`` counts a target whose prediction ties the k-th
largest as in the top k.
"""

from __future__ import annotations

import re

import numpy as np

from kcore import config, ops
from kcore.keras_tensor import KerasTensor
from kcore.ops import rules
from kcore.ops.cases import Case, array, reduction, unary
from kcore.ops.contract import op

# --------------------------------------------------------------------------- checks
# Shared by the backends (which import them) so that every backend refuses the same
# arguments with the same words; each is a few comparisons on Python ints.


def _segment_count(num_segments, low, high):
    """``num_segments`` checked against the segment ids' range ``[low, high]`` (Python
    ints, ``None`` when there are no ids or their values are unknown while tracing).

    Returns the number of segments, ``high + 1`` when ``num_segments`` is None. Raises
    ``ValueError`` for an id outside ``[0, num_segments)`` or, when the ids' values are
    unknown, a missing ``num_segments``.
    """
    if num_segments is None:
        if high is None and low is not None:
            raise ValueError("num_segments is required when segment_ids are traced")
        num_segments = 0 if high is None else high + 1
    elif isinstance(num_segments, bool) or not isinstance(num_segments, int | np.integer):
        raise ValueError(f"num_segments must be an int, got {num_segments!r}")
    if low is not None and high is not None and (low < 0 or high >= num_segments):
        raise ValueError(f"segment ids in [0, {num_segments}), got ids from {low} to {high}")
    return int(num_segments)


#: ``low`` for :func:`_segment_count` when the ids' values are unknown (traced).
_TRACED = object()


def _check_segment_shapes(data_shape, ids_shape):
    """``segment_ids`` is 1-D with ``data``'s leading size (``None`` matches anything)."""
    if len(ids_shape) != 1 or len(data_shape) < 1:
        raise ValueError("segment_ids of rank 1 and data of rank 1 or more")
    if None not in (ids_shape[0], data_shape[0]) and ids_shape[0] != data_shape[0]:
        raise ValueError("segment_ids with as many ids as data has rows")


def _check_top_k(k, shape):
    """``k`` an int in ``[0, shape[-1]]`` for an ``x`` of rank 1 or more."""
    if len(shape) == 0:
        raise ValueError("x of rank 1 or more")
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise ValueError(f"k must be an int, got {k!r}")
    if k < 0 or (shape[-1] is not None and k > shape[-1]):
        raise ValueError(f"k in [0, {shape[-1]}] (the size of x's last dimension), got {k}")


def _check_complex_pair(shape):
    """A real tensor whose last dimension (real and imaginary parts) has size 2."""
    if len(shape) == 0 or (shape[-1] is not None and shape[-1] != 2):
        raise ValueError("a last dimension of size 2 (real and imaginary parts)")


def _check_in_top_k(targets, predictions):
    """``targets`` of shape (batch,), ``predictions`` of shape (batch, classes)."""
    if len(predictions) != 2 or len(targets) != 1:
        raise ValueError("targets of shape (batch,) and predictions of shape (batch, classes)")
    if None not in (targets[0], predictions[0]) and targets[0] != predictions[0]:
        raise ValueError("targets and predictions with the same batch size")


def _check_cdist(x, y):
    """``x`` (..., m, d) and ``y`` (..., n, d) with batch dimensions that broadcast."""
    if len(x) < 2 or len(y) < 2:
        raise ValueError("x of shape (..., m, d) and y of shape (..., n, d), of rank 2 or more")
    if None not in (x[-1], y[-1]) and x[-1] != y[-1]:
        raise ValueError(f"x and y with the same last dimension d, got {x[-1]} and {y[-1]}")
    batch = rules.broadcast("x", "y")({"x": _Shaped(x[:-2]), "y": _Shaped(y[:-2])})
    if batch:
        raise ValueError(f"batch dimensions of {batch}")


def _check_square(shape):
    """Square matrices (..., n, n)."""
    if len(shape) < 2 or (None not in shape[-2:] and shape[-1] != shape[-2]):
        raise ValueError("x of shape (..., n, n), square matrices")


class _Shaped:
    def __init__(self, shape):
        self.shape = shape


# --------------------------------------------------------------------------- rules


def _shape_of(value):
    shape = getattr(value, "shape", None)
    if shape is None:
        try:
            shape = np.shape(value)
        except Exception:
            return None
    return tuple(None if d is None else int(d) for d in shape)


def _ids_range(ids):
    """``(low, high)`` of concrete segment ids, ``(None, None)`` when empty, or None when
    their values can't be read (symbolic or traced)."""
    if isinstance(ids, KerasTensor):
        return None
    try:
        values = np.asarray(_to_numpy(ids))
    except Exception:
        return None
    if values.size == 0:
        return None, None
    return int(values.min()), int(values.max())


def _to_numpy(x):
    """A NumPy copy of ``x``, whichever backend's tensor it is (for error rules only)."""
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        try:
            return x.detach().cpu().numpy() if hasattr(x, "detach") else x.numpy()
        except Exception:
            pass
    return np.asarray(x)


def _segment_rule(values):
    data, ids = _shape_of(values["data"]), _shape_of(values["segment_ids"])
    if data is not None and ids is not None:
        try:
            _check_segment_shapes(data, ids)
        except ValueError as error:
            return f"{error}: segment_ids of shape ({data[0] if data else '?'},)"
    num_segments = values.get("num_segments")
    found = _ids_range(values["segment_ids"])
    try:
        if found is None:
            _segment_count(num_segments, _TRACED, None)
        else:
            _segment_count(num_segments, *found)
    except ValueError as error:
        return str(error)
    return None


def _top_k_rule(values):
    shape = _shape_of(values["x"])
    return None if shape is None else _broken(_check_top_k, values["k"], shape)


def _in_top_k_rule(values):
    targets, predictions = _shape_of(values["targets"]), _shape_of(values["predictions"])
    if targets is None or predictions is None:
        return None
    return _broken(_check_in_top_k, targets, predictions)


def _broken(check, *args):
    """The expectation ``check(*args)`` reports broken, or None."""
    try:
        check(*args)
    except ValueError as error:
        return str(error)
    return None


def _pair_rule(values):
    shape = _shape_of(values["x"])
    broken = None if shape is None else _broken(_check_complex_pair, shape)
    return f"x with {broken}" if broken else None


def _cdist_rule(values):
    x, y = _shape_of(values["x"]), _shape_of(values["y"])
    if x is None or y is None:
        return None
    return _broken(_check_cdist, x, y)


def _square_rule(values):
    shape = _shape_of(values["x"])
    return None if shape is None else _broken(_check_square, shape)


# --------------------------------------------------------------------------- shape rules


def _segment_shape(data, segment_ids, num_segments=None, sorted=False):
    _check_segment_shapes(_shape_of(data), _shape_of(segment_ids))
    if num_segments is not None:
        _segment_count(num_segments, None, None)
    return KerasTensor((num_segments, *data.shape[1:]), data.dtype)


def _logdet_shape(x):
    # Not the backend's abstract evaluation: with an unknown leading size it may not
    # see (None, n) as square.
    shape = _shape_of(x)
    _check_square(shape)
    dtype = x.dtype if "float" in str(x.dtype) else config.floatx()
    return KerasTensor(shape[:-2], dtype)


# --------------------------------------------------------------------------- cases


def _each(*factories, grad=None):
    """The cases of every factory in turn (``grad=False`` turns their gradients off)."""

    def make(spec, rng, supported):
        out = []
        for factory in factories:
            for case in factory(spec, rng, supported):
                out.append(case if grad is None else Case(case.id, case.args, case.kwargs, False))
        return out

    return make


def _explicit(*builders):
    """Hand-written cases, each ``rng -> Case``; left out when a dtype is unsupported."""

    def make(spec, rng, supported):
        out = []
        for build in builders:
            case = build(rng)
            dtypes = {
                a.dtype.name for a in (*case.args, *case.kwargs.values()) if hasattr(a, "dtype")
            }
            if dtypes <= supported:
                out.append(case)
        return out

    return make


def _segment_cases(low=-3.0, high=3.0):
    def sorted_ids(rng):
        data = array(rng, (6, 2), "float32", low, high)
        ids = np.array([0, 0, 1, 1, 1, 2], "int32")
        return Case("float32-6x2-sorted", (data, ids), {"num_segments": 3, "sorted": True}, True)

    def unsorted_ids(rng):
        data = array(rng, (5,), "float32", low, high)
        ids = np.array([2, 0, 1, 0, 2], "int32")
        return Case("float32-5-unsorted", (data, ids), {"num_segments": 3}, True)

    def inferred(rng):
        data = array(rng, (4, 3), "float64", low, high)
        ids = np.array([1, 0, 1, 1], "int32")
        return Case("float64-4x3-inferred", (data, ids), {}, True)

    def integers(rng):
        data = array(rng, (5, 2), "int32", -5, 5)
        ids = np.array([0, 2, 2, 1, 0], "int64")
        return Case("int32-5x2", (data, ids), {"num_segments": 4}, False)

    def half(rng):
        data = array(rng, (4,), "float16", low, high)
        ids = np.array([1, 1, 0, 3], "int32")  # segment 2 is empty
        return Case("float16-4-empty", (data, ids), {"num_segments": 4}, False)

    return _explicit(sorted_ids, unsorted_ids, inferred, integers, half)


def _top_k_cases():
    def floats(rng):
        return Case("float32-2x5-k3", (array(rng, (2, 5), "float32"), 3), {}, True)

    def unsorted(rng):
        return Case(
            "float32-6-k2-unsorted", (array(rng, (6,), "float32"), 2), {"sorted": False}, True
        )

    def wide(rng):
        return Case("float64-2x2x4-k4", (array(rng, (2, 2, 4), "float64"), 4), {}, True)

    def integers(rng):
        x = np.stack([rng.permutation(6) for _ in range(2)]).astype("int32") - 2
        return Case("int32-2x6-k2", (x, 2), {}, False)

    def half(rng):
        return Case("float16-3x4-k1", (array(rng, (3, 4), "float16"), 1), {}, False)

    def ties(rng):
        x = np.array([[1.0, 3.0, 1.0, 2.0, 3.0]], "float32")
        return Case("float32-ties-k3", (x, 3), {}, False)

    return _explicit(floats, unsorted, wide, integers, half, ties)


def _in_top_k_cases():
    def random_k(k, dtype):
        def build(rng):
            targets = rng.integers(0, 5, size=(4,)).astype("int32")
            predictions = array(rng, (4, 5), dtype)
            return Case(f"{dtype}-4x5-k{k}", (targets, predictions, k), {}, False)

        return build

    def ties(rng):
        targets = np.array([0, 1, 2], "int64")
        predictions = np.array([[1.0, 1.0, 1.0], [0.0, 2.0, 2.0], [3.0, 2.0, 1.0]], "float32")
        return Case("float32-ties-k1", (targets, predictions, 1), {}, False)

    return _explicit(random_k(1, "float32"), random_k(3, "float32"), random_k(2, "float64"), ties)


def _logsumexp_cases():
    return _each(
        reduction(("float32",), axes=(None, -1, (0, 2)), keepdims=(False, True), grad=False),
        reduction(("float16", "float64", "int32"), axes=(-1,), keepdims=(False,), grad=False),
        reduction(("float32", "float64"), shape=(2, 3), axes=(0,), keepdims=(True,)),
    )


def _spd(rng, shape, dtype):
    """Symmetric positive definite matrices of ``shape`` (..., n, n)."""
    a = rng.uniform(-1.0, 1.0, shape)
    n = shape[-1]
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dtype)


def _logdet_cases():
    def single(rng):
        return Case("float32-3x3", (_spd(rng, (3, 3), "float32"),), {}, True)

    def batch(rng):
        return Case("float64-2x3x3", (_spd(rng, (2, 3, 3), "float64"),), {}, True)

    def general(rng):
        # Not symmetric, positive determinant.
        x = np.array([[2.0, 1.0], [-1.0, 3.0]], "float32") + rng.uniform(-0.1, 0.1, (2, 2))
        return Case("float32-2x2-general", (x.astype("float32"),), {}, True)

    return _explicit(single, batch, general)


def _cdist_cases():
    def pair(xs, ys, dtype, grad):
        def build(rng):
            x, y = array(rng, xs, dtype), array(rng, ys, dtype)
            label = f"{dtype}-{'x'.join(map(str, xs))}-{'x'.join(map(str, ys))}"
            return Case(label, (x, y), {}, grad)

        return build

    return _explicit(
        pair((3, 2), (4, 2), "float32", True),
        pair((2, 3, 2), (2, 2, 2), "float64", True),
        pair((2, 3), (3, 3), "int32", False),
        pair((3, 2), (2, 2), "float16", False),
        pair((2, 3, 2), (1, 2, 2), "float32", False),
    )


def _rearrange_cases():
    def case(shape, dtype, pattern, grad=False, **lengths):
        def build(rng):
            label = f"{dtype}-{pattern.replace(' ', '_')}"
            return Case(label, (array(rng, shape, dtype), pattern), dict(lengths), grad)

        return build

    return _explicit(
        case((2, 3, 2), "float32", "b h w -> b (h w)", grad=True),
        case((2, 6), "float32", "b (h w) -> b h w", h=3),
        case((2, 3, 4, 2), "float32", "b h w c -> b (h w) c"),
        case((2, 3, 4), "int32", "b h w -> w b h"),
        case((2, 4, 3), "float64", "b (h h2) w -> (b h) h2 w", h2=2),
        case((2, 3, 4), "float32", "b h w -> h (b w)"),
    )


def _view_as_complex_cases():
    return _explicit(
        lambda rng: Case("float32-3x2", (array(rng, (3, 2), "float32"),), {}, False),
        lambda rng: Case("float64-2x3x2", (array(rng, (2, 3, 2), "float64"),), {}, False),
    )


def _complex(rng, shape, dtype):
    return (rng.uniform(-3, 3, shape) + 1j * rng.uniform(-3, 3, shape)).astype(dtype)


def _view_as_real_cases():
    return _explicit(
        lambda rng: Case("complex64-2x3", (_complex(rng, (2, 3), "complex64"),), {}, False),
        lambda rng: Case("complex128-4", (_complex(rng, (4,), "complex128"),), {}, False),
    )


def _float_unary(low=-3.0, high=3.0, ints=True):
    """Float functions of one tensor: (2, 3) floats with gradients, a 0-d float32 and,
    with ``ints``, an int32 (which gives floatx)."""
    return _each(
        unary(("float16", "float32", "float64"), shapes=((2, 3),), low=low, high=high),
        unary(
            ("float32",) + (("int32",) if ints else ()),
            shapes=((),) if not ints else ((), (3,)),
            low=low,
            high=high,
            grad=False,
        ),
    )


# --------------------------------------------------------------------------- helpers


def _floating(ops, x):
    """``x`` as a float tensor: integers and booleans as floatx, floats unchanged."""
    x = ops.convert_to_tensor(x)
    dtype = ops.dtype(x)
    if "float" in dtype or "complex" in dtype:
        return x
    return ops.cast(x, config.floatx())


def _segment_masks(ops, data, segment_ids, num_segments):
    """``(mask, data)`` for the composites: ``mask[s, i]`` says whether row ``i`` is in
    segment ``s``, shaped to broadcast against ``data[None]``."""
    data = ops.convert_to_tensor(data)
    segment_ids = ops.convert_to_tensor(segment_ids)
    _check_segment_shapes(tuple(data.shape), tuple(segment_ids.shape))
    # The composite needs the ids' values (for the count and the check): eager only.
    ids = ops.convert_to_numpy(segment_ids)
    found = (int(ids.min()), int(ids.max())) if ids.size else (None, None)
    num_segments = _segment_count(num_segments, *found)
    segments = ops.arange(num_segments, dtype=ops.dtype(segment_ids))
    mask = ops.equal(ops.expand_dims(segments, 1), ops.expand_dims(segment_ids, 0))
    mask = ops.reshape(mask, (num_segments, len(ids)) + (1,) * (len(data.shape) - 1))
    return mask, data


def _segment_spread(ops, data, segment_ids, num_segments, fill):
    """``(values, dtype)``: ``values[s, i]`` is row ``i`` of ``data`` where it is in
    segment ``s``, else ``fill(dtype)`` (``dtype`` is ``data``'s), for the composites
    to reduce over axis 1."""
    mask, data = _segment_masks(ops, data, segment_ids, num_segments)
    dtype = ops.dtype(data)
    return ops.where(mask, ops.expand_dims(data, 0), ops.full((), fill(dtype), dtype)), dtype


def _segment_extreme(ops, data, segment_ids, num_segments, largest):
    """``segment_max`` (``largest``) or ``segment_min``: an empty segment holds the
    other extreme of ``data``'s dtype."""
    fill = lambda dtype: _extreme(dtype, largest=not largest)  # noqa: E731
    values, _ = _segment_spread(ops, data, segment_ids, num_segments, fill)
    return ops.max(values, axis=1) if largest else ops.min(values, axis=1)


def _extreme(dtype, largest):
    if "float" in dtype:
        return float("inf") if largest else float("-inf")
    info = np.iinfo(dtype)
    return int(info.max if largest else info.min)


# --------------------------------------------------------------------------- segments


def _segment_op(**case_options):
    """The ``@op`` of the segment reductions (``case_options`` go to the cases)."""
    return op(
        "math",
        composite=True,
        tensors=("data", "segment_ids"),
        cases=_segment_cases(**case_options),
        expect=_segment_rule,
        shape_rule=_segment_shape,
        data_dependent=True,
    )


_SEGMENT_DOC_TAIL = """

    ``segment_ids`` (integers, one per row of ``data``) must lie in
    ``[0, num_segments)``; ``num_segments=None`` takes ``max(segment_ids) + 1`` (the
    ids' values must then be known: not while tracing). ``sorted=True`` says the ids
    are sorted, a hint some backends use."""


@_segment_op()
def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum of the rows of ``data`` in each segment: ``out[s] = sum(data[i] for i with
    segment_ids[i] == s)``, 0 for an empty segment; the result has ``data``'s dtype.

    Example::

        >>> kcore.ops.segment_sum([1.0, 2.0, 3.0], [0, 0, 1], num_segments=2)
        ... # tensor [3.0, 3.0]
    """
    values, _ = _segment_spread(ops, data, segment_ids, num_segments, lambda dtype: 0)
    return ops.sum(values, axis=1)


@_segment_op()
def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maximum of the rows of ``data`` in each segment; an empty segment holds ``-inf``
    (the smallest integer for integer data).

    Example::

        >>> kcore.ops.segment_max([1.0, 5.0, 3.0], [0, 0, 1], num_segments=2)
        ... # tensor [5.0, 3.0]
    """
    return _segment_extreme(ops, data, segment_ids, num_segments, largest=True)


@_segment_op()
def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Minimum of the rows of ``data`` in each segment; an empty segment holds ``+inf``
    (the largest integer for integer data).

    Example::

        >>> kcore.ops.segment_min([1.0, 5.0, 3.0], [0, 0, 1], num_segments=2)
        ... # tensor [1.0, 3.0]
    """
    return _segment_extreme(ops, data, segment_ids, num_segments, largest=False)


@_segment_op(low=0.5, high=1.5)
def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Product of the rows of ``data`` in each segment; an empty segment holds 1.

    Example::

        >>> kcore.ops.segment_prod([2.0, 3.0, 4.0], [0, 0, 1], num_segments=2)
        ... # tensor [6.0, 4.0]
    """
    values, dtype = _segment_spread(ops, data, segment_ids, num_segments, lambda dtype: 1)
    return ops.prod(values, axis=1, dtype=dtype)


for _function in (segment_sum, segment_max, segment_min, segment_prod):
    _function.__doc__ += _SEGMENT_DOC_TAIL
del _function


# --------------------------------------------------------------------------- ranking


@op("math", composite=True, tensors=("x",), cases=_top_k_cases(), expect=_top_k_rule)
def top_k(x, k, sorted=True):
    """The ``k`` largest entries along the last axis and their indices (int32), as a
    tuple ``(values, indices)``, largest first; of equal values the lower index comes
    first. ``sorted=False`` allows any order (kcore returns the sorted one).

    Example::

        >>> values, indices = kcore.ops.top_k([1.0, 4.0, 2.0], 2)
        ... # values [4.0, 2.0], indices [1, 2]
    """
    x = ops.convert_to_tensor(x)
    _check_top_k(k, tuple(x.shape))
    # Descending with the lower index first among ties: a stable ascending sort of the
    # reversed row, read backwards.
    n = x.shape[-1]
    reversed_x = ops.flip(x, axis=-1)
    order = ops.flip(ops.argsort(reversed_x, axis=-1), axis=-1)
    indices = ops.subtract(n - 1, ops.cast(order[..., :k], "int32"))
    return ops.take_along_axis(x, indices, axis=-1), indices


@op("math", composite=True, cases=_in_top_k_cases(), grad=False, expect=_in_top_k_rule)
def in_top_k(targets, predictions, k):
    """Whether each target class is among the ``k`` highest predictions of its row
    (a bool tensor of ``targets``' shape). A target whose prediction ties the k-th
    largest counts as in the top k.

    Example::

        >>> kcore.ops.in_top_k([1, 0], [[0.1, 0.9, 0.0], [0.2, 0.3, 0.5]], 2)
        ... # tensor [True, False]
    """
    targets = ops.convert_to_tensor(targets)
    predictions = ops.convert_to_tensor(predictions)
    _check_in_top_k(tuple(targets.shape), tuple(predictions.shape))
    index = ops.expand_dims(ops.cast(targets, "int32"), -1)
    target_prediction = ops.take_along_axis(predictions, index, axis=-1)
    above = ops.sum(ops.cast(ops.greater(predictions, target_prediction), "int32"), axis=-1)
    return ops.less(above, k)


# --------------------------------------------------------------------------- reductions


@op("math", composite=True, expect=rules.axis(), cases=_logsumexp_cases())
def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` along ``axis`` (all axes when ``None``), computed without
    overflow; integers give floatx.

    Example::

        >>> kcore.ops.logsumexp([0.0, 0.0])   # tensor 0.6931472 (log 2)
    """
    x = _floating(ops, x)
    peak = ops.stop_gradient(ops.max(x, axis=axis, keepdims=True))
    peak = ops.where(ops.isfinite(peak), peak, ops.zeros_like(peak))
    total = ops.sum(ops.exp(ops.subtract(x, peak)), axis=axis, keepdims=True)
    out = ops.add(ops.log(total), peak)
    if keepdims:
        return out
    if axis is None:
        return ops.reshape(out, ())
    return ops.squeeze(out, axis=axis)


# --------------------------------------------------------------------------- element-wise


@op("math", composite=True, cases=_float_unary(low=0.5, high=3.0))
def rsqrt(x):
    """Reciprocal square root ``1 / sqrt(x)``, element-wise; integers give floatx.

    Example::

        >>> kcore.ops.rsqrt([4.0, 0.25])   # tensor [0.5, 2.0]
    """
    return ops.divide(1, ops.sqrt(_floating(ops, x)))


@op("math", cases=_float_unary())
def erf(x):
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t**2) dt``, element-wise;
    integers give floatx.

    Example::

        >>> kcore.ops.erf([0.0, 1.0])   # tensor [0.0, 0.8427008]
    """
    ...


@op("math", composite=True, cases=_float_unary())
def erfc(x):
    """The complementary error function ``1 - erf(x)``, element-wise (native versions
    keep its precision where it is tiny); integers give floatx.

    Example::

        >>> kcore.ops.erfc([0.0, 1.0])   # tensor [1.0, 0.1572992]
    """
    return ops.subtract(1, ops.erf(_floating(ops, x)))


_TWO_OVER_ROOT_PI = float(2.0 / np.sqrt(np.pi))  # a Python float: weakly typed


def _erfinv_guess(ops, y):
    """Giles' single-precision approximation of ``erfinv(y)`` ("Approximating the
    erfinv function", GPU Computing Gems, 2011), written in ``ops``."""
    w = ops.negative(ops.log(ops.multiply(ops.subtract(1, y), ops.add(1, y))))
    central = ops.subtract(w, 2.5)
    p = 2.81022636e-08
    for c in (
        3.43273939e-07,
        -3.5233877e-06,
        -4.39150654e-06,
        0.00021858087,
        -0.00125372503,
        -0.00417768164,
        0.246640727,
        1.50140941,
    ):
        p = ops.add(ops.multiply(p, central), c)
    tail = ops.subtract(ops.sqrt(w), 3.0)
    q = -0.000200214257
    for c in (
        0.000100950558,
        0.00134934322,
        -0.00367342844,
        0.00573950773,
        -0.0076224613,
        0.00943887047,
        1.00167406,
        2.83297682,
    ):
        q = ops.add(ops.multiply(q, tail), c)
    return ops.multiply(ops.where(ops.less(w, 5.0), p, q), y)


@op(
    "math",
    composite=True,
    cases=_each(
        _float_unary(low=-0.9, high=0.9, ints=False),
        _explicit(
            lambda rng: Case(
                "float32-special",
                (np.array([-1.0, 1.0, 0.0, 1.5, -0.999, 0.9999], "float32"),),
                {},
                False,
            )
        ),
    ),
)
def erfinv(x):
    """The inverse error function, element-wise: ``erf(erfinv(x)) == x`` for ``x`` in
    ``(-1, 1)``; ``+-inf`` at ``+-1`` and nan outside ``[-1, 1]``. Integers give floatx.

    Example::

        >>> kcore.ops.erfinv([0.0, 0.5])   # tensor [0.0, 0.4769363]
    """
    y = _floating(ops, x)
    inside = ops.less(ops.abs(y), 1)
    # The approximation sees only |y| < 1 (0 elsewhere), so no inf or nan arises in
    # it, nor in its gradient; the edges are constants chosen below.
    safe = ops.where(inside, y, ops.zeros_like(y))
    guess = _erfinv_guess(ops, safe)
    # One Newton step on erf where its slope is large enough for float32 to gain.
    slope = ops.multiply(_TWO_OVER_ROOT_PI, ops.exp(ops.negative(ops.square(guess))))
    step = ops.divide(ops.subtract(ops.erf(guess), safe), slope)
    out = ops.where(ops.less(ops.abs(guess), 2.0), ops.subtract(guess, step), guess)
    edge = ops.where(ops.equal(ops.abs(y), 1), float("inf"), float("nan"))
    edge = ops.stop_gradient(ops.cast(edge, ops.dtype(y)))
    return ops.where(inside, out, ops.where(ops.greater(y, 0), edge, ops.negative(edge)))


# --------------------------------------------------------------------------- matrices


@op(
    "math",
    composite=True,
    cases=_logdet_cases(),
    expect=_square_rule,
    shape_rule=_logdet_shape,
)
def logdet(x):
    """Natural log of the determinant of square matrices ``x`` (..., n, n), meant for
    Hermitian positive definite ones; nan where the determinant is negative, ``-inf``
    where it is 0. Integers give floatx.

    Example::

        >>> kcore.ops.logdet([[2.0, 0.0], [0.0, 3.0]])   # tensor 1.7917595 (log 6)
    """
    x = _floating(ops, x)
    _check_square(tuple(x.shape))
    sign, log_abs = ops.slogdet(x)
    return ops.where(ops.less(sign, 0), float("nan"), log_abs)


@op("math", composite=True, cases=_cdist_cases(), expect=_cdist_rule)
def cdist(x, y):
    """Euclidean distances between the rows of ``x`` (..., m, d) and of ``y``
    (..., n, d), as a tensor (..., m, n) (batch dimensions broadcast); integers give
    floatx.

    Example::

        >>> kcore.ops.cdist([[0.0, 0.0], [1.0, 1.0]], [[1.0, 0.0]])   # [[1.0], [1.0]]
    """
    x, y = _floating(ops, x), _floating(ops, y)
    _check_cdist(tuple(x.shape), tuple(y.shape))
    difference = ops.subtract(ops.expand_dims(x, -2), ops.expand_dims(y, -3))
    return ops.sqrt(ops.sum(ops.square(difference), axis=-1))


# --------------------------------------------------------------------------- complex views


@op("math", composite=True, cases=_view_as_complex_cases(), grad=False, expect=_pair_rule)
def view_as_complex(x):
    """A complex64 tensor from a real one whose last dimension (of size 2) holds the real
    and imaginary parts: shape ``x.shape[:-1]``.

    Example::

        >>> kcore.ops.view_as_complex([[1.0, 2.0], [3.0, 4.0]])   # tensor [1+2j, 3+4j]
    """
    x = ops.convert_to_tensor(x)
    _check_complex_pair(tuple(x.shape))
    real = ops.cast(ops.take(x, 0, axis=-1), "complex64")
    imag = ops.cast(ops.take(x, 1, axis=-1), "complex64")
    return ops.add(real, ops.multiply(imag, 1j))


@op("math", composite=True, cases=_view_as_real_cases(), grad=False)
def view_as_real(x):
    """A real tensor of shape ``(*x.shape, 2)`` holding the real and imaginary parts
    of the complex tensor ``x`` (float32 for complex64, float64 for complex128).

    Example::

        >>> kcore.ops.view_as_real([1 + 2j])   # tensor [[1.0, 2.0]]
    """
    x = ops.convert_to_tensor(x)
    return ops.stack([ops.real(x), ops.imag(x)], axis=-1)


# --------------------------------------------------------------------------- rearrange

_TOKEN = re.compile(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*|[^\s()]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _parse_rearrange(pattern):
    """``(left, right)``: each side of an einops pattern as a list of groups (lists of
    axis names), e.g. ``"b (h w) -> b h w"`` -> ``([["b"], ["h", "w"]], [["b"], ["h"],
    ["w"]])``. Raises ``ValueError`` for a pattern it cannot read."""
    if not isinstance(pattern, str) or pattern.count("->") != 1:
        raise ValueError(f"a pattern 'left -> right' such as 'b h w -> b (h w)', got {pattern!r}")
    sides = []
    for text in pattern.split("->"):
        groups, current = [], None
        for token in _TOKEN.findall(text):
            if token == "(":
                if current is not None:
                    raise ValueError(f"no nested parentheses in the pattern, got {pattern!r}")
                current = []
            elif token == ")":
                if current is None:
                    raise ValueError(f"balanced parentheses in the pattern, got {pattern!r}")
                groups.append(current)
                current = None
            elif _NAME.fullmatch(token):
                if current is not None:
                    current.append(token)
                else:
                    groups.append([token])
            else:
                raise ValueError(
                    f"axis names, '(' and ')' in the pattern, got {token!r} in {pattern!r}"
                )
        if current is not None:
            raise ValueError(f"balanced parentheses in the pattern, got {pattern!r}")
        sides.append(groups)
    left, right = sides
    left_names = [n for g in left for n in g]
    right_names = [n for g in right for n in g]
    for names in (left_names, right_names):
        if len(set(names)) != len(names):
            raise ValueError(f"each axis name once per side, got {pattern!r}")
    if set(left_names) != set(right_names):
        raise ValueError(f"the same axis names on both sides, got {pattern!r}")
    return left, right


def _rearrange_rule(values):
    try:
        left, _ = _parse_rearrange(values["pattern"])
    except ValueError as error:
        return str(error)
    shape = _shape_of(values["tensor"])
    if shape is not None and len(shape) != len(left):
        return f"a tensor of rank {len(left)} for the pattern {values['pattern']!r}, got rank {len(shape)}"
    return None


@op("math", composite=True, tensors=("tensor",), cases=_rearrange_cases(), expect=_rearrange_rule)
def rearrange(tensor, pattern, **axes_lengths):
    """Reorder, merge and split axes with an einops pattern: ``"b h w c -> b (h w) c"``
    merges ``h`` and ``w``; ``"b (h w) -> b h w"`` splits (give ``h=`` or ``w=`` as a
    keyword); ``"b h w -> w b h"`` transposes.

    Example::

        >>> kcore.ops.rearrange(kcore.ops.zeros((2, 3, 4)), "b h w -> b (h w)").shape
        (2, 12)
    """
    left, right = _parse_rearrange(pattern)
    tensor = ops.convert_to_tensor(tensor)
    shape = tuple(tensor.shape)
    if len(shape) != len(left):
        raise ValueError(f"a tensor of rank {len(left)} for {pattern!r}, got rank {len(shape)}")
    sizes = {}
    for group, size in zip(left, shape):
        known = 1
        unknown = []
        for name in group:
            if name in axes_lengths:
                sizes[name] = int(axes_lengths[name])
                known *= sizes[name]
            else:
                unknown.append(name)
        if len(group) == 1 and not unknown:
            if size is not None and size != known:
                raise ValueError(f"axis {group[0]} of length {known}, got {size}")
        elif len(unknown) > 1:
            raise ValueError(f"lengths for all but one of the axes {group} of {pattern!r}")
        elif unknown:
            if size is None:
                sizes[unknown[0]] = None
            elif size % known:
                raise ValueError(f"axis of length {size} divisible into {group} ({known})")
            else:
                sizes[unknown[0]] = size // known
        elif size is not None and size != known:
            raise ValueError(f"axes {group} of total length {size}, got {known}")
    left_names = [n for g in left for n in g]
    right_names = [n for g in right for n in g]

    def dims(groups):
        out = []
        for group in groups:
            total = 1
            for name in group:
                total = None if total is None or sizes[name] is None else total * sizes[name]
            out.append(total)
        return out

    def reshape(x, target):
        if target == list(x.shape):
            return x
        if target.count(None) > 1:
            raise ValueError(f"at most one axis of unknown length in {pattern!r}")
        return ops.reshape(x, tuple(-1 if d is None else d for d in target))

    x = reshape(tensor, [sizes[n] for n in left_names])
    permutation = [left_names.index(n) for n in right_names]
    if permutation != list(range(len(permutation))):
        x = ops.transpose(x, permutation)
    return reshape(x, dims(right))


# Signal processing, declared in its own module; its ops are ``math`` ops too.
from kcore.ops import math_signal as math_signal  # noqa: E402, F401
