"""Normalization, encoding, cross-entropy and metric ops of ``keras.ops.nn``.

Declarations only; see :mod:`kcore.ops.contract`. The ``check_*`` functions here are
the argument checks every backend runs (a few comparisons, raising ``ValueError``)
where a framework would silently accept bad input, e.g. broadcast a target of the
wrong shape against the output.

Result dtypes follow Keras 3 (JAX's rules): statistics and normalizations of integers
give ``floatx()``; ``layer_normalization`` and ``rms_normalization`` compute in at
least float32 and give ``x``'s dtype; ``batch_normalization`` promotes all its
tensors; ``binary_crossentropy``, ``categorical_crossentropy`` and ``psnr`` promote
their two tensors to a float dtype, ``sparse_categorical_crossentropy`` gives
``output``'s float dtype; ``one_hot`` and ``multi_hot`` give ``dtype`` (default
floatx); ``polar`` gives complex64 (complex128 from float64).
"""

from __future__ import annotations

import math

import numpy as np

from kcore import config, ops
from kcore.dtypes import is_float_dtype, is_int_dtype, result_type, standardize_dtype
from kcore.ops import rules
from kcore.ops.cases import Case, array, explicit
from kcore.ops.contract import op

# --------------------------------------------------------------------------- checks


def _known(shape) -> tuple:
    return tuple(None if d is None else int(d) for d in shape)


def _differ(a, b) -> bool:
    """Whether two shapes differ (unknown dimensions match anything)."""
    return len(a) != len(b) or any(x is not None and y is not None and x != y for x, y in zip(a, b))


def check_same_shape(target_shape, output_shape) -> None:
    """``target`` and ``output`` of a cross-entropy must have one shape."""
    t, o = _known(target_shape), _known(output_shape)
    if _differ(t, o):
        raise ValueError(f"target and output must have the same shape, got {t} and {o}")


def sparse_target_shape(target_shape, output_shape, axis) -> tuple[tuple, int]:
    """The shape ``target`` must have (``output``'s without ``axis``), and ``axis``
    in ``[0, rank)``; a target with a trailing 1 (``(batch, 1)``) is accepted: the
    caller squeezes it when ``len(target_shape) == len(output_shape)``."""
    t, o = _known(target_shape), _known(output_shape)
    if not o:
        raise ValueError("output must be of rank 1 or more")
    if not -len(o) <= axis < len(o):
        raise ValueError(f"axis {axis} is out of range for output of rank {len(o)}")
    axis %= len(o)
    expected = o[:axis] + o[axis + 1 :]
    if len(t) == len(o) and t[-1] == 1:
        t = t[:-1]
    if _differ(t, expected):
        raise ValueError(f"target of shape {expected}, got {_known(target_shape)}")
    return expected, axis


def check_integer_dtype(dtype) -> None:
    """``one_hot`` takes integer class indices only."""
    name = standardize_dtype(dtype)
    if not is_int_dtype(name) or name == "bool":
        raise TypeError(f"x must be of an integer dtype, got {name}")


def check_order(order) -> None:
    """``normalize``'s ``order`` is an int >= 1."""
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"order must be an int >= 1, got {order!r}")


def one_hot_axis(axis, ndim: int) -> int:
    """The position of the new class axis in a result of rank ``ndim + 1``."""
    if isinstance(axis, bool) or not isinstance(axis, int) or not -ndim - 1 <= axis <= ndim:
        raise ValueError(f"axis must be in [-{ndim + 1}, {ndim}], got {axis!r}")
    return axis % (ndim + 1)


def normalized_axes(axis, ndim: int) -> list[int]:
    """``axis`` (an int or a sequence of ints) as sorted axes in ``[0, ndim)``."""
    axes = list(axis) if isinstance(axis, list | tuple) else [axis]
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, int) or not -ndim <= a < ndim:
            raise ValueError(f"axis {axis!r} is out of range for a tensor of rank {ndim}")
    return sorted(a % ndim for a in axes)


def float_dtype(*dtypes) -> str:
    """The float dtype several operands compute in: promoted, integers as floatx."""
    return result_type(*dtypes, float)


# --------------------------------------------------------------------------- rules


def _same_shape_rule(values):
    t, o = rules._shape(values["target"]), rules._shape(values["output"])
    if t is not None and o is not None and _differ(t, o):
        return "target and output of the same shape"
    return None


def _sparse_rule(values):
    t, o = rules._shape(values["target"]), rules._shape(values["output"])
    axis = values["axis"]
    if t is None or o is None:
        return None
    if not o:
        return "output of rank 1 or more"
    if isinstance(axis, bool) or not isinstance(axis, int) or not -len(o) <= axis < len(o):
        return f"axis in [-{len(o)}, {len(o)}) for output of rank {len(o)}, got {axis!r}"
    try:
        sparse_target_shape(t, o, axis)
    except ValueError as error:
        return str(error)
    return None


def _dtype_name(value):
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return None
    try:
        return standardize_dtype(dtype)
    except (ValueError, TypeError):
        return None


def _one_hot_rule(values):
    name = _dtype_name(values["x"])
    if name is not None and (not is_int_dtype(name) or name == "bool"):
        return "x of an integer dtype (class indices)"
    return _new_axis_problem(values, "x")


def _multi_hot_rule(values):
    return _new_axis_problem(values, "inputs")


def _new_axis_problem(values, name):
    """What is wrong with ``axis`` as the position of a new axis of ``values[name]``."""
    shape = rules._shape(values[name])
    axis = values["axis"]
    if shape is not None:
        ndim = len(shape)
        if isinstance(axis, bool) or not isinstance(axis, int) or not -ndim - 1 <= axis <= ndim:
            return f"axis in [-{ndim + 1}, {ndim}] for {name} of rank {ndim}, got {axis!r}"
    return None


def _batch_norm_rule(values):
    axis_problem = rules.axis()(values)
    if axis_problem:
        return axis_problem
    shape = rules._shape(values["x"])
    axis = values["axis"]
    if shape is None or not isinstance(axis, int):
        return None
    size = shape[axis]
    for name in ("mean", "variance", "offset", "scale"):
        param = rules._shape(values[name]) if values[name] is not None else None
        if param is not None and len(param) == 1 and None not in (size, param[0]):
            if param[0] != size:
                return f"{name} of shape ({size},) (x.shape[{axis}]), got {param}"
    return None


def _normalize_rule(values):
    order = values["order"]
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        return f"order to be an int >= 1, got {order!r}"
    return rules.axis()(values)


def _psnr_rule(values):
    a, b = rules._shape(values["x1"]), rules._shape(values["x2"])
    if a is not None and b is not None and _differ(a, b):
        return "x1 and x2 of the same shape"
    return None


def _moments_rule(values):
    return rules.axis("x", "axes")(values)


# --------------------------------------------------------------------------- cases


def _probabilities(rng, shape, dtype="float32", axis=-1):
    """Positive values that sum to 1 along ``axis``."""
    p = rng.uniform(0.1, 1.0, shape)
    return (p / p.sum(axis=axis, keepdims=True)).astype(dtype)


def _positive(rng, shape, dtype="float32"):
    return array(rng, shape, dtype, 0.5, 2.0)


_BATCH_NORM = explicit(
    lambda rng: Case(
        "float32-last",
        (array(rng, (2, 3), "float32"), array(rng, (3,), "float32"), _positive(rng, (3,)), -1),
        {},
        True,
    ),
    lambda rng: Case(
        "float32-axis1-offset-scale",
        (
            array(rng, (2, 3, 2), "float32"),
            array(rng, (3,), "float32"),
            _positive(rng, (3,)),
            1,
            array(rng, (3,), "float32"),
            array(rng, (3,), "float32"),
            0.01,
        ),
        {},
        True,
    ),
    lambda rng: Case(
        "float16",
        (
            array(rng, (2, 3), "float16"),
            array(rng, (3,), "float16"),
            _positive(rng, (3,), "float16"),
            -1,
        ),
        {"offset": array(rng, (3,), "float16")},
        True,
    ),
    lambda rng: Case(
        "int32-float32-params",
        (array(rng, (2, 3), "int32"), array(rng, (3,), "float32"), _positive(rng, (3,)), 1),
        {"scale": _positive(rng, (3,))},
        False,
    ),
)


def _moments_cases(spec, rng, supported):
    x = array(rng, (2, 3, 2), "float32")
    out = [
        Case("float32-axes02", (x, [0, 2]), {}, True),
        Case("float32-axes1-keep", (x, [1]), {"keepdims": True}, True),
        Case("float32-all", (x, (0, 1, 2)), {}, False),
        Case("int32", (array(rng, (2, 3), "int32"), [0]), {}, False),
    ]
    if "float16" in supported:
        out.append(Case("float16", (array(rng, (2, 3), "float16"), [1]), {}, True))
    if "float64" in supported:
        out.append(Case("float64", (array(rng, (2, 3), "float64"), [0, 1]), {}, True))
    return out


_NORMALIZE = explicit(
    lambda rng: Case("float32", (array(rng, (2, 3), "float32"),), {}, True),
    lambda rng: Case(
        "float32-order1-axis0", (array(rng, (2, 3), "float32"),), {"axis": 0, "order": 1}, False
    ),
    lambda rng: Case(
        "float32-order3", (array(rng, (2, 3), "float32", 0.5, 2.0),), {"order": 3}, True
    ),
    lambda rng: Case(
        "float32-axisNone-eps",
        (array(rng, (2, 3), "float32"),),
        {"axis": None, "epsilon": 1e-3},
        True,
    ),
    lambda rng: Case("float16", (array(rng, (2, 3), "float16"),), {}, True),
    lambda rng: Case("int32", (array(rng, (2, 3), "int32"),), {}, False),
)

_RMS = explicit(
    lambda rng: Case("float32", (array(rng, (2, 3), "float32"),), {}, True),
    lambda rng: Case(
        "float32-scale", (array(rng, (2, 3), "float32"), array(rng, (3,), "float32")), {}, True
    ),
    lambda rng: Case(
        "float32-axis0-eps", (array(rng, (2, 3), "float32"),), {"axis": 0, "epsilon": 0.1}, True
    ),
    lambda rng: Case(
        "float32-axes12", (array(rng, (2, 3, 2), "float32"),), {"axis": (1, 2)}, False
    ),
    lambda rng: Case("float16", (array(rng, (2, 3), "float16"),), {}, True),
)

_LAYER_NORM = explicit(
    lambda rng: Case("float32", (array(rng, (2, 3), "float32"),), {}, True),
    lambda rng: Case(
        "float32-gamma-beta",
        (array(rng, (2, 3), "float32"), array(rng, (3,), "float32"), array(rng, (3,), "float32")),
        {},
        True,
    ),
    lambda rng: Case(
        "float32-axis1-of-3",
        (
            array(rng, (2, 3, 2), "float32"),
            array(rng, (3,), "float32"),
            array(rng, (3,), "float32"),
        ),
        {"axis": 1, "epsilon": 0.1},
        True,
    ),
    lambda rng: Case(
        "float32-axes12",
        (array(rng, (2, 3, 2), "float32"), array(rng, (3, 2), "float32")),
        {"axis": (1, 2)},
        False,
    ),
    lambda rng: Case("float16", (array(rng, (2, 3), "float16"),), {}, True),
)


def _labels(rng, shape, n, dtype="int32"):
    return rng.integers(0, n, size=shape).astype(dtype)


_ONE_HOT = explicit(
    lambda rng: Case("int32", (_labels(rng, (2, 3), 4), 4)),
    lambda rng: Case("int32-axis0", (_labels(rng, (2, 3), 4), 4), {"axis": 0}),
    lambda rng: Case(
        "int32-axis1-int8", (_labels(rng, (2, 3), 4), 4), {"axis": 1, "dtype": "int8"}
    ),
    lambda rng: Case("int64-out-of-range", (np.array([0, -1, 3, 5], "int64"), 4)),
    lambda rng: Case("uint8-float16", (_labels(rng, (3,), 3, "uint8"), 3), {"dtype": "float16"}),
)

_MULTI_HOT = explicit(
    lambda rng: Case("int32-rank1", (_labels(rng, (4,), 5),), {"num_classes": 5}),
    lambda rng: Case("int32-rank2", (_labels(rng, (2, 3), 5), 5)),
    lambda rng: Case("int32-rank2-axis0", (_labels(rng, (2, 3), 5), 5), {"axis": 0}),
    lambda rng: Case("int32-rank3-int32", (_labels(rng, (2, 2, 3), 4), 4), {"dtype": "int32"}),
)


def _binary_targets(rng, shape, dtype="float32"):
    return rng.uniform(0.0, 1.0, shape).astype(dtype)


_BCE = explicit(
    lambda rng: Case(
        "float32",
        (_binary_targets(rng, (2, 3)), array(rng, (2, 3), "float32", 0.05, 0.95)),
        {},
        True,
    ),
    lambda rng: Case(
        "float32-logits",
        (_binary_targets(rng, (2, 3)), array(rng, (2, 3), "float32")),
        {"from_logits": True},
        True,
    ),
    lambda rng: Case(
        "float16",
        (_binary_targets(rng, (3,), "float16"), array(rng, (3,), "float16", 0.05, 0.95)),
        {},
        True,
    ),
    lambda rng: Case(
        "int32-target",
        (_labels(rng, (2, 3), 2), array(rng, (2, 3), "float32", 0.05, 0.95)),
        {},
        False,
    ),
)

_CCE = explicit(
    lambda rng: Case(
        "float32", (_probabilities(rng, (2, 3)), _probabilities(rng, (2, 3))), {}, True
    ),
    lambda rng: Case(
        "float32-unnormalized",
        (_probabilities(rng, (2, 3)), array(rng, (2, 3), "float32", 0.2, 2.0)),
        {},
        True,
    ),
    lambda rng: Case(
        "float32-logits",
        (_probabilities(rng, (2, 3)), array(rng, (2, 3), "float32")),
        {"from_logits": True},
        True,
    ),
    lambda rng: Case(
        "float32-axis0-logits",
        (_probabilities(rng, (3, 2), axis=0), array(rng, (3, 2), "float32")),
        {"axis": 0, "from_logits": True},
        True,
    ),
    lambda rng: Case(
        "float16",
        (_probabilities(rng, (2, 3), "float16"), _probabilities(rng, (2, 3), "float16")),
        {},
        True,
    ),
)

_SCCE = explicit(
    lambda rng: Case("float32", (_labels(rng, (2,), 3), _probabilities(rng, (2, 3))), {}, True),
    lambda rng: Case(
        "float32-logits",
        (_labels(rng, (2,), 3), array(rng, (2, 3), "float32")),
        {"from_logits": True},
        True,
    ),
    lambda rng: Case(
        "float32-target-column",
        (_labels(rng, (2, 1), 3), array(rng, (2, 3), "float32", 0.2, 2.0)),
        {},
        True,
    ),
    lambda rng: Case(
        "float32-axis0-logits",
        (_labels(rng, (2,), 3), array(rng, (3, 2), "float32")),
        {"axis": 0, "from_logits": True},
        True,
    ),
    lambda rng: Case(
        "float16-int64",
        (_labels(rng, (2,), 3, "int64"), _probabilities(rng, (2, 3), "float16")),
        {},
        True,
    ),
)

_PSNR = explicit(
    lambda rng: Case(
        "float32",
        (array(rng, (2, 3), "float32", 0, 1), array(rng, (2, 3), "float32", 0, 1), 1.0),
        {},
        True,
    ),
    lambda rng: Case(
        "float16",
        (array(rng, (2, 3), "float16", 0, 1), array(rng, (2, 3), "float16", 0, 1), 1.0),
        {},
        True,
    ),
    lambda rng: Case(
        "int32-float32",
        (np.array([[0, 50], [200, 255]], "int32"), array(rng, (2, 2), "float32", 0, 255), 255.0),
        {},
        False,
    ),
)

_POLAR = explicit(
    lambda rng: Case("float32", (_positive(rng, (2, 3)), array(rng, (2, 3), "float32"))),
    lambda rng: Case("float64", (_positive(rng, (2, 3), "float64"), array(rng, (2, 3), "float64"))),
    lambda rng: Case("float32-broadcast", (_positive(rng, (2, 1)), array(rng, (3,), "float32"))),
    lambda rng: Case("int32", (np.array([1, 2, 3], "int32"), np.array([0, 1, -1], "int32"))),
)


# --------------------------------------------------------------------------- ops


@op(
    "nn",
    composite=True,
    tensors=("x", "mean", "variance", "offset", "scale"),
    expect=_batch_norm_rule,
    cases=_BATCH_NORM,
)
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """Normalize ``x`` with given statistics: ``(x - mean) / sqrt(variance +
    epsilon) * scale + offset``, where ``mean``, ``variance``, ``offset`` and
    ``scale`` are vectors of length ``x.shape[axis]`` (``offset``/``scale`` optional).

    Example::

        >>> kcore.ops.batch_normalization([[1.0, 3.0]], [1.0, 1.0], [1.0, 4.0], axis=-1,
        ...                               epsilon=0.0)   # tensor [[0.0, 1.0]]
    """
    x = ops.convert_to_tensor(x)
    given = [ops.convert_to_tensor(t) for t in (x, mean, variance, offset, scale) if t is not None]
    dtype = float_dtype(*(ops.dtype(t) for t in given))
    ndim = len(ops.shape(x))
    axis = range(max(ndim, 1))[axis]  # IndexError out of range

    def prepared(value):
        if value is None:
            return None
        value = ops.cast(ops.convert_to_tensor(value), dtype)
        if len(ops.shape(value)) == 1 and ndim > 1:
            shape = [1] * ndim
            shape[axis] = ops.shape(value)[0]
            value = ops.reshape(value, shape)
        return value

    mean, variance, offset, scale = map(prepared, (mean, variance, offset, scale))
    inv = ops.divide(1.0, ops.sqrt(ops.add(variance, epsilon)))
    if scale is not None:
        inv = ops.multiply(inv, scale)
    shift = ops.negative(ops.multiply(mean, inv))
    if offset is not None:
        shift = ops.add(shift, offset)
    return ops.add(ops.multiply(ops.cast(x, dtype), inv), shift)


@op("nn", composite=True, tensors=("x",), expect=_moments_rule, cases=_moments_cases)
def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and variance of ``x`` over ``axes``, as a tuple. Half-precision inputs are
    reduced in float32; integers give floatx. ``synchronized=True`` reduces across
    the replicas of a TensorFlow distribution strategy (elsewhere it changes nothing).

    Example::

        >>> kcore.ops.moments([0.0, 1.0, 2.0, 3.0, 100.0], axes=[0])   # (21.2, 1553.36)
    """
    x = ops.convert_to_tensor(x)
    dtype = float_dtype(ops.dtype(x))
    compute = result_type(dtype, "float32")
    x = ops.cast(x, compute)
    axes = tuple(axes) if isinstance(axes, list | tuple) else axes
    mean = ops.mean(x, axis=axes, keepdims=True)
    variance = ops.mean(
        ops.square(ops.subtract(x, ops.stop_gradient(mean))), axis=axes, keepdims=keepdims
    )
    if not keepdims:
        mean = ops.squeeze(mean, axis=axes)
    return ops.cast(mean, dtype), ops.cast(variance, dtype)


@op("nn", composite=True, expect=_normalize_rule, cases=_NORMALIZE)
def normalize(x, axis=-1, order=2, epsilon=None):
    """``x`` divided by its ``order``-norm along ``axis`` (all axes when ``None``):
    ``x / max(norm(x), epsilon)``, ``epsilon`` defaulting to ``kcore.config.epsilon()``.

    Example::

        >>> kcore.ops.normalize([[3.0, 4.0]])   # tensor [[0.6, 0.8]]
    """
    check_order(order)
    x = ops.convert_to_tensor(x)
    if not is_float_dtype(ops.dtype(x)):
        x = ops.cast(x, config.floatx())
    if epsilon is None:
        epsilon = config.epsilon()
    axis = tuple(axis) if isinstance(axis, list) else axis
    if order == 2:
        norm = ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
    elif order == 1:
        norm = ops.sum(ops.abs(x), axis=axis, keepdims=True)
    else:
        powered = ops.sum(ops.power(ops.abs(x), float(order)), axis=axis, keepdims=True)
        norm = ops.power(powered, 1.0 / order)
    return ops.divide(x, ops.maximum(norm, epsilon))


def _compute_dtype(ops, x):
    return result_type(ops.dtype(x), "float32")


@op("nn", composite=True, tensors=("x", "scale"), expect=rules.axis(), cases=_RMS)
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """Root-mean-square normalization (Zhang & Sennrich, 2019):
    ``x / sqrt(mean(x**2, axis) + epsilon) * scale``, computed in at least float32
    and returned in ``x``'s dtype; ``epsilon`` defaults to ``kcore.config.epsilon()``.

    Example::

        >>> kcore.ops.rms_normalization([[3.0, 4.0]], epsilon=0.0)
        ... # tensor [[0.8485281, 1.1313709]]
    """
    x = ops.convert_to_tensor(x)
    original = ops.dtype(x)
    if epsilon is None:
        epsilon = config.epsilon()
    compute = _compute_dtype(ops, x)
    x = ops.cast(x, compute)
    axis = tuple(axis) if isinstance(axis, list) else axis
    mean_square = ops.mean(ops.square(x), axis=axis, keepdims=True)
    out = ops.multiply(x, ops.divide(1.0, ops.sqrt(ops.add(mean_square, epsilon))))
    if scale is not None:
        out = ops.multiply(out, ops.cast(ops.convert_to_tensor(scale), compute))
    return ops.cast(out, original)


@op("nn", composite=True, tensors=("x", "gamma", "beta"), expect=rules.axis(), cases=_LAYER_NORM)
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Layer normalization (Ba et al., 2016): ``(x - mean) / sqrt(variance + epsilon)
    * gamma + beta`` with the statistics over ``axis``, computed in at least float32
    and returned in ``x``'s dtype; ``epsilon`` defaults to ``kcore.config.epsilon()``.
    ``gamma``/``beta`` of the normalized axes' shape are placed on those axes.
    The deprecated ``rms_scaling=True`` is accepted, as in Keras (with a warning).

    Example::

        >>> kcore.ops.layer_normalization([[1.0, 3.0]], epsilon=0.0)   # tensor [[-1.0, 1.0]]
    """
    rms_scaling = _rms_scaling(kwargs)
    x = ops.convert_to_tensor(x)
    original = ops.dtype(x)
    if epsilon is None:
        epsilon = config.epsilon()
    compute = _compute_dtype(ops, x)
    x = ops.cast(x, compute)
    ndim = len(ops.shape(x))
    axes = normalized_axes(axis, ndim)
    gamma, beta = (
        None if v is None else _on_axes(ops, ops.cast(ops.convert_to_tensor(v), compute), axes, x)
        for v in (gamma, beta)
    )
    mean = ops.mean(x, axis=tuple(axes), keepdims=True)
    centered = ops.subtract(x, mean)
    variance = ops.mean(ops.square(centered), axis=tuple(axes), keepdims=True)
    inv = ops.divide(1.0, ops.sqrt(ops.add(variance, epsilon)))
    if rms_scaling:
        out = ops.multiply(x, inv)
        if gamma is not None:
            out = ops.multiply(out, gamma)
        return ops.cast(out, original)
    out = ops.multiply(centered, inv)
    if gamma is not None:
        out = ops.multiply(out, gamma)
    if beta is not None:
        out = ops.add(out, beta)
    return ops.cast(out, original)


def _rms_scaling(kwargs) -> bool:
    """Keras's deprecated ``layer_normalization(rms_scaling=True)``: scales by the
    variance, not the root mean square."""
    rms_scaling = bool(kwargs.pop("rms_scaling", False))
    if rms_scaling:
        import warnings

        warnings.warn(
            "layer_normalization(rms_scaling=True) is deprecated: it scales by the "
            "variance, not the root mean square; use kcore.ops.rms_normalization",
            stacklevel=3,
        )
    return rms_scaling


def _on_axes(ops, value, axes, x):
    """``gamma``/``beta`` of the normalized axes' shape, reshaped to broadcast there."""
    own = ops.shape(value)
    target = _on_axes_shape(len(own), own, axes, len(ops.shape(x)))
    return value if target is None else ops.reshape(value, target)


def _on_axes_shape(rank, shape, axes, ndim):
    """The shape that makes a value of rank ``rank`` and shape ``shape`` (read only
    when ``rank == len(axes)``) broadcast on ``axes`` of a rank-``ndim`` tensor, or
    ``None`` when it already does. Shared by the backends' ``layer_normalization``."""
    if rank == ndim or axes == [ndim - 1]:
        return None
    # Sizes from the value itself, so unknown (symbolic) sizes of x do not matter.
    target = [1] * ndim
    sizes = shape if rank == len(axes) else (-1,) * len(axes)
    for a, size in zip(axes, sizes):
        target[a] = size
    return target


@op("nn", composite=True, tensors=("x",), grad=False, expect=_one_hot_rule, cases=_ONE_HOT)
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encoding of the integer class indices ``x``: a new axis of size
    ``num_classes`` at ``axis`` holding 1 at each index and 0 elsewhere (all 0 for an
    index outside ``[0, num_classes)``), of ``dtype`` (default floatx). ``sparse=True``
    gives a dense tensor except on torch, which refuses it, as Keras does there.

    Example::

        >>> kcore.ops.one_hot([1, 0], 3)   # tensor [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    """
    x = ops.convert_to_tensor(x)
    check_integer_dtype(ops.dtype(x))
    ndim = len(ops.shape(x))
    position = one_hot_axis(axis, ndim)
    classes = ops.arange(num_classes, dtype=ops.dtype(x))
    hot = ops.equal(ops.expand_dims(x, -1), classes)
    return ops.moveaxis(ops.cast(hot, standardize_dtype(dtype)), -1, position)


@op("nn", composite=True, tensors=("inputs",), grad=False, expect=_multi_hot_rule, cases=_MULTI_HOT)
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encoding: ``one_hot(inputs, num_classes, axis)`` reduced with ``max``
    over the label axis (axis 1; axis 0 for rank-1 ``inputs``), so each row marks
    every class it holds. ``inputs`` are cast to int32; ``num_tokens=`` is accepted
    for ``num_classes``, as in Keras.

    Example::

        >>> kcore.ops.multi_hot([0, 4], num_classes=5)   # tensor [1.0, 0.0, 0.0, 0.0, 1.0]
    """
    num_classes = multi_hot_classes(num_classes, kwargs)
    inputs = ops.cast(ops.convert_to_tensor(inputs), "int32")
    reduce_axis = 1 if len(ops.shape(inputs)) > 1 else 0
    hot = ops.one_hot(inputs, num_classes, axis=axis, dtype=dtype)
    return ops.max(hot, axis=reduce_axis)


def multi_hot_classes(num_classes, kwargs) -> int:
    """``num_classes``, or Keras's older ``num_tokens=``; one of them is required."""
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("num_classes must be given")
    return num_classes


def _clipped(ops, output):
    eps = config.epsilon()
    return ops.clip(output, eps, 1.0 - eps)


@op("nn", composite=True, expect=_same_shape_rule, cases=_BCE)
def binary_crossentropy(target, output, from_logits=False):
    """Binary cross-entropy, element-wise: ``-(target * log(output) + (1 - target) *
    log(1 - output))``, ``output`` clipped to ``[epsilon, 1 - epsilon]``; with
    ``from_logits=True``, ``output`` holds logits (computed stably). ``target`` and
    ``output`` must have one shape.

    Example::

        >>> kcore.ops.binary_crossentropy([0.0, 1.0], [0.1, 0.9])   # tensor [0.1053605, 0.1053605]
    """
    target, output = ops.convert_to_tensor(target), ops.convert_to_tensor(output)
    check_same_shape(ops.shape(target), ops.shape(output))
    dtype = float_dtype(ops.dtype(target), ops.dtype(output))
    target, output = ops.cast(target, dtype), ops.cast(output, dtype)
    if from_logits:
        # max(z, 0) - z * t + log(1 + exp(-|z|))
        linear = ops.subtract(ops.maximum(output, 0.0), ops.multiply(output, target))
        return ops.add(linear, ops.log1p(ops.exp(ops.negative(ops.abs(output)))))
    output = _clipped(ops, output)
    positive = ops.multiply(target, ops.log(output))
    negative = ops.multiply(ops.subtract(1.0, target), ops.log(ops.subtract(1.0, output)))
    return ops.negative(ops.add(positive, negative))


@op("nn", composite=True, expect=_same_shape_rule, cases=_CCE)
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical cross-entropy along ``axis``: ``-sum(target * log(output))``, where
    ``output`` is first normalized to sum to 1 and clipped to ``[epsilon, 1 -
    epsilon]``, or, with ``from_logits=True``, is ``log_softmax`` of logits. ``target``
    and ``output`` must have one shape; the result drops ``axis``.

    Example::

        >>> kcore.ops.categorical_crossentropy([[0.0, 1.0]], [[0.2, 0.8]])   # tensor [0.2231436]
    """
    target, output = ops.convert_to_tensor(target), ops.convert_to_tensor(output)
    check_same_shape(ops.shape(target), ops.shape(output))
    if not ops.shape(output):
        raise ValueError("target and output must be of rank 1 or more")
    dtype = float_dtype(ops.dtype(target), ops.dtype(output))
    target, output = ops.cast(target, dtype), ops.cast(output, dtype)
    if from_logits:
        log_p = ops.log_softmax(output, axis=axis)
    else:
        output = ops.divide(output, ops.sum(output, axis=axis, keepdims=True))
        log_p = ops.log(_clipped(ops, output))
    return ops.negative(ops.sum(ops.multiply(target, log_p), axis=axis))


@op("nn", composite=True, expect=_sparse_rule, cases=_SCCE)
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical cross-entropy with integer class indices as ``target``:
    ``-log(output[target])`` along ``axis``, ``output`` normalized and clipped as in
    :func:`categorical_crossentropy` (or logits with ``from_logits=True``). ``target``
    has ``output``'s shape without ``axis`` (a trailing 1 is accepted); an index
    outside ``[0, classes)`` gives 0.

    Example::

        >>> kcore.ops.sparse_categorical_crossentropy([1], [[0.2, 0.8]])   # tensor [0.2231436]
    """
    target, output = ops.convert_to_tensor(target), ops.convert_to_tensor(output)
    shape, axis = sparse_target_shape(ops.shape(target), ops.shape(output), axis)
    if len(ops.shape(target)) == len(ops.shape(output)):
        target = ops.squeeze(target, axis=-1)
    dtype = float_dtype(ops.dtype(output))
    output = ops.cast(output, dtype)
    if from_logits:
        log_p = ops.log_softmax(output, axis=axis)
    else:
        output = ops.divide(output, ops.sum(output, axis=axis, keepdims=True))
        log_p = ops.log(_clipped(ops, output))
    classes = ops.shape(output)[axis]
    hot = ops.one_hot(ops.cast(target, "int32"), classes, axis=axis, dtype=dtype)
    return ops.negative(ops.sum(ops.multiply(hot, log_p), axis=axis))


@op("nn", composite=True, tensors=("x1", "x2"), expect=_psnr_rule, cases=_PSNR)
def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio of ``x2`` against ``x1`` (of one shape), in dB:
    ``20 * log10(max_val) - 10 * log10(mean((x1 - x2)**2))``; a 0-d tensor.

    Example::

        >>> kcore.ops.psnr([0.0, 1.0], [0.0, 0.9], 1.0)   # tensor 23.01
    """
    x1, x2 = ops.convert_to_tensor(x1), ops.convert_to_tensor(x2)
    check_same_shape(ops.shape(x1), ops.shape(x2))
    dtype = float_dtype(ops.dtype(x1), ops.dtype(x2))
    diff = ops.subtract(ops.cast(x1, dtype), ops.cast(x2, dtype))
    mse = ops.mean(ops.square(diff))
    peak = ops.cast(ops.convert_to_tensor(max_val), dtype)
    log10 = 1.0 / math.log(10.0)  # a Python float: weakly typed
    return ops.subtract(
        ops.multiply(ops.log(peak), 20.0 * log10), ops.multiply(ops.log(mse), 10.0 * log10)
    )


@op("nn", composite=True, grad=False, expect=rules.broadcast("abs_", "angle"), cases=_POLAR)
def polar(abs_, angle):
    """The complex numbers of magnitude ``abs_`` and angle ``angle`` (radians):
    ``abs_ * (cos(angle) + 1j * sin(angle))``, with broadcasting; complex64, or
    complex128 from float64.

    Example::

        >>> kcore.ops.polar([2.0], [0.0])   # tensor [2.0+0.0j]
    """
    abs_, angle = ops.convert_to_tensor(abs_), ops.convert_to_tensor(angle)
    dtype = polar_float_dtype(ops.dtype(abs_), ops.dtype(angle))
    abs_, angle = ops.cast(abs_, dtype), ops.cast(angle, dtype)
    real = ops.multiply(abs_, ops.cos(angle))
    imag = ops.multiply(abs_, ops.sin(angle))
    complex_dtype = "complex128" if dtype == "float64" else "complex64"
    unit = ops.convert_to_tensor(np.asarray(1j, complex_dtype))
    return ops.add(ops.cast(real, complex_dtype), ops.multiply(ops.cast(imag, complex_dtype), unit))


def polar_float_dtype(*dtypes) -> str:
    """The real dtype ``polar`` computes in: float64 stays, anything else float32."""
    return "float64" if float_dtype(*dtypes) == "float64" else "float32"
