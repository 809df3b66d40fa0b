"""Activation functions (``keras.ops.nn``): the ones beyond ``relu`` and ``softmax``.

Declarations only; see :mod:`kcore.ops.contract`.

Result dtypes follow Keras 3 (JAX's rules): a float input keeps its dtype, an integer
or boolean input gives ``floatx()``; ``hard_tanh`` keeps integer dtypes (booleans
become ``int32``) and ``threshold`` promotes ``x`` with ``default_value``.
"""

from __future__ import annotations

import itertools
import math

from kcore import config, ops
from kcore.dtypes import is_float_dtype
from kcore.ops import rules
from kcore.ops.cases import FLOATS, Case, array
from kcore.ops.contract import op

#: SELU's constants (Klambauer et al., 2017).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# --------------------------------------------------------------------------- cases

#: Floats as a (2, 3) tensor (float32 also 0-d), integers as a (2, 3) tensor.
_DTYPES = ("float32", "float16", "float64", "int32")


def _cases(dtypes=_DTYPES, shape=(2, 3), low=-3.0, high=3.0, kwargs=({},), scalar=True):
    """One tensor argument per dtype with each of ``kwargs``; float32 also 0-d (with
    the first options only). Float cases are gradient-checked."""

    def make(spec, rng, supported):
        out = []
        for dtype, kw in itertools.product([d for d in dtypes if d in supported], kwargs):
            label = "-".join(
                [dtype, "x".join(map(str, shape)), *(f"{k}{v}" for k, v in kw.items())]
            )
            x = array(rng, shape, dtype, low, high)
            out.append(Case(label, (x,), dict(kw), dtype in FLOATS))
        if scalar and "float32" in supported:
            out.append(Case("float32-scalar", (array(rng, (), "float32", low, high),), {}, True))
        return out

    return make


def _float(ops, x):
    """``x`` as a tensor of a float dtype: integers and booleans become floatx. (The
    caller passes its ``ops``: composites may run on another backend's namespace.)"""
    x = ops.convert_to_tensor(x)
    return x if is_float_dtype(ops.dtype(x)) else ops.cast(x, config.floatx())


# --------------------------------------------------------------------------- ops


@op("nn", composite=True, cases=_cases(low=-2.0, high=8.0))
def relu6(x):
    """Rectified linear unit capped at 6: ``min(max(x, 0), 6)`` element-wise.

    Example::

        >>> kcore.ops.relu6([-1.0, 3.0, 9.0])   # tensor [0.0, 3.0, 6.0]
    """
    return ops.clip(_float(ops, x), 0.0, 6.0)


@op("nn", composite=True, cases=_cases())
def sigmoid(x):
    """Logistic sigmoid: ``1 / (1 + exp(-x))`` element-wise.

    Example::

        >>> kcore.ops.sigmoid([0.0])   # tensor [0.5]
    """
    x = _float(ops, x)
    return ops.divide(1.0, ops.add(ops.exp(ops.negative(x)), 1.0))


@op("nn", composite=True, cases=_cases())
def softplus(x):
    """Softplus: ``log(1 + exp(x))`` element-wise, computed stably.

    Example::

        >>> kcore.ops.softplus([0.0])   # tensor [0.6931472]
    """
    x = _float(ops, x)
    return ops.add(ops.maximum(x, 0.0), ops.log1p(ops.exp(ops.negative(ops.abs(x)))))


@op("nn", composite=True, cases=_cases())
def softsign(x):
    """Softsign: ``x / (1 + |x|)`` element-wise.

    Example::

        >>> kcore.ops.softsign([1.0, -3.0])   # tensor [0.5, -0.75]
    """
    x = _float(ops, x)
    return ops.divide(x, ops.add(ops.abs(x), 1.0))


@op("nn", composite=True, cases=_cases())
def silu(x):
    """Sigmoid linear unit (swish): ``x * sigmoid(x)`` element-wise.

    Example::

        >>> kcore.ops.silu([0.0, 1.0])   # tensor [0.0, 0.7310586]
    """
    x = _float(ops, x)
    return ops.multiply(x, ops.sigmoid(x))


@op("nn", composite=True, cases=_cases())
def swish(x):
    """Swish, Keras's other name for :func:`silu`: ``x * sigmoid(x)`` element-wise.

    Example::

        >>> kcore.ops.swish([0.0, 1.0])   # tensor [0.0, 0.7310586]
    """
    return ops.silu(x)


@op(
    "nn",
    composite=True,
    cases=_cases(kwargs=({}, {"approximate": False})),
)
def gelu(x, approximate=True):
    """Gaussian error linear unit: ``x * P(X <= x)`` for a standard normal ``X``;
    with ``approximate=True`` (the default) its tanh approximation
    ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))``, else the exact
    ``0.5 * x * (1 + erf(x / sqrt(2)))``.

    Example::

        >>> kcore.ops.gelu([1.0], approximate=False)   # tensor [0.8413447]
    """
    x = _float(ops, x)
    if approximate:
        cube = ops.multiply(ops.multiply(x, x), x)
        inner = ops.multiply(ops.add(x, ops.multiply(cube, 0.044715)), math.sqrt(2.0 / math.pi))
        return ops.multiply(ops.multiply(x, 0.5), ops.add(ops.tanh(inner), 1.0))
    return ops.multiply(ops.multiply(x, 0.5), ops.add(ops.erf(ops.divide(x, math.sqrt(2.0))), 1.0))


def _glu_expect(values):
    axis_problem = rules.axis()(values)
    if axis_problem:
        return axis_problem
    shape = rules._shape(values["x"])
    axis = values["axis"]
    if shape and isinstance(axis, int) and shape[axis] is not None and shape[axis] % 2:
        return f"an even size of x along axis {axis}, got {shape[axis]}"
    return None


def _glu_shape(x, axis=-1):
    from kcore.keras_tensor import KerasTensor

    shape = list(x.shape)
    if not -len(shape) <= axis < len(shape):
        raise ValueError(f"axis {axis} is out of range for x of rank {len(shape)}")
    size = shape[axis]
    if size is not None and size % 2:
        raise ValueError(f"the size of x along axis {axis} must be even, got {size}")
    shape[axis] = None if size is None else size // 2
    dtype = x.dtype if is_float_dtype(x.dtype) else config.floatx()
    return KerasTensor(tuple(shape), dtype)


@op(
    "nn",
    composite=True,
    expect=_glu_expect,
    shape_rule=_glu_shape,
    cases=_cases(shape=(2, 4), kwargs=({}, {"axis": 0}), scalar=False),
)
def glu(x, axis=-1):
    """Gated linear unit: ``x`` split in halves ``a, b`` along ``axis`` (whose size
    must be even), then ``a * sigmoid(b)``.

    Example::

        >>> kcore.ops.glu([[1.0, 2.0, 0.0, 0.0]])   # tensor [[0.5, 1.0]]
    """
    x = _float(ops, x)
    a, b = ops.split(x, 2, axis=axis)
    return ops.multiply(a, ops.sigmoid(b))


@op("nn", composite=True, cases=_cases(kwargs=({}, {"alpha": 0.5})))
def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere.

    Example::

        >>> kcore.ops.elu([1.0, -1.0])   # tensor [1.0, -0.6321206]
    """
    x = _float(ops, x)
    negative = ops.multiply(ops.expm1(ops.minimum(x, 0.0)), alpha)
    return ops.where(ops.greater(x, 0.0), x, negative)


@op("nn", composite=True, cases=_cases())
def selu(x):
    """Scaled exponential linear unit: ``scale * elu(x, alpha)`` with SELU's fixed
    ``alpha`` (1.67326...) and ``scale`` (1.05070...).

    Example::

        >>> kcore.ops.selu([1.0])   # tensor [1.050701]
    """
    return ops.multiply(ops.elu(_float(ops, x), SELU_ALPHA), SELU_SCALE)


@op("nn", composite=True, cases=_cases(kwargs=({}, {"negative_slope": 0.01})))
def leaky_relu(x, negative_slope=0.2):
    """Leaky rectified linear unit: ``x`` where ``x >= 0``, ``negative_slope * x``
    elsewhere.

    Example::

        >>> kcore.ops.leaky_relu([2.0, -1.0])   # tensor [2.0, -0.2]
    """
    x = _float(ops, x)
    return ops.where(ops.greater_equal(x, 0.0), x, ops.multiply(x, negative_slope))


@op("nn", composite=True, cases=_cases(low=-4.0, high=4.0))
def hard_sigmoid(x):
    """Hard sigmoid: ``relu6(x + 3) / 6``, a piecewise-linear sigmoid.

    Example::

        >>> kcore.ops.hard_sigmoid([-4.0, 0.0, 1.5])   # tensor [0.0, 0.5, 0.75]
    """
    x = _float(ops, x)
    return ops.divide(ops.clip(ops.add(x, 3.0), 0.0, 6.0), 6.0)


@op("nn", composite=True, cases=_cases(low=-4.0, high=4.0))
def hard_silu(x):
    """Hard SiLU (hard swish): ``x * relu6(x + 3) / 6``.

    Example::

        >>> kcore.ops.hard_silu([1.0])   # tensor [0.6666667]
    """
    x = _float(ops, x)
    return ops.multiply(x, ops.hard_sigmoid(x))


@op("nn", composite=True, cases=_cases(low=-4.0, high=4.0))
def hard_swish(x):
    """Hard swish, Keras's other name for :func:`hard_silu`: ``x * relu6(x + 3) / 6``.

    Example::

        >>> kcore.ops.hard_swish([1.0])   # tensor [0.6666667]
    """
    return ops.hard_silu(x)


@op("nn", composite=True, cases=_cases(kwargs=({}, {"alpha": 2.0})))
def celu(x, alpha=1.0):
    """Continuously differentiable ELU:
    ``max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)``.

    Example::

        >>> kcore.ops.celu([1.0, -1.0])   # tensor [1.0, -0.6321206]
    """
    x = _float(ops, x)
    negative = ops.multiply(ops.expm1(ops.divide(ops.minimum(x, 0.0), alpha)), alpha)
    return ops.add(ops.maximum(x, 0.0), negative)


@op("nn", composite=True, cases=_cases())
def log_sigmoid(x):
    """Logarithm of the sigmoid, ``-softplus(-x)``, computed stably.

    Example::

        >>> kcore.ops.log_sigmoid([0.0])   # tensor [-0.6931472]
    """
    return ops.negative(ops.softplus(ops.negative(_float(ops, x))))


@op(
    "nn",
    composite=True,
    expect=rules.axis(),
    cases=_cases(kwargs=({}, {"axis": 0}), scalar=False),
)
def log_softmax(x, axis=-1):
    """Logarithm of the softmax along ``axis``: ``x - logsumexp(x)``, computed stably.

    Example::

        >>> kcore.ops.log_softmax([[0.0, 0.0]])   # tensor [[-0.6931472, -0.6931472]]
    """
    x = _float(ops, x)
    shifted = ops.subtract(x, ops.stop_gradient(ops.max(x, axis=axis, keepdims=True)))
    return ops.subtract(shifted, ops.log(ops.sum(ops.exp(shifted), axis=axis, keepdims=True)))


@op(
    "nn",
    composite=True,
    expect=rules.axis(),
    cases=_cases(shape=(2, 4), kwargs=({}, {"axis": 0}), scalar=False),
)
def sparsemax(x, axis=-1):
    """Sparsemax along ``axis`` (Martins & Astudillo, 2016): the Euclidean projection
    of ``x`` onto the probability simplex, ``max(x - tau, 0)`` with the threshold
    ``tau`` making each slice sum to 1; small entries become exactly 0.

    Example::

        >>> kcore.ops.sparsemax([[1.0, 2.0, 5.0]])   # tensor [[0.0, 0.0, 1.0]]
    """
    x = _float(ops, x)
    moved = ops.moveaxis(x, axis, -1)
    size = ops.shape(moved)[-1]
    ranked = ops.flip(ops.sort(moved, axis=-1), axis=-1)  # descending
    cumulative = ops.cumsum(ranked, axis=-1)
    k = ops.cast(ops.arange(1, size + 1), ops.dtype(x))
    in_support = ops.greater(ops.add(ops.multiply(k, ranked), 1.0), cumulative)
    count = ops.sum(ops.cast(in_support, "int32"), axis=-1, keepdims=True)
    total = ops.take_along_axis(cumulative, ops.subtract(count, 1), axis=-1)
    tau = ops.divide(ops.subtract(total, 1.0), ops.cast(count, ops.dtype(x)))
    return ops.moveaxis(ops.maximum(ops.subtract(moved, tau), 0.0), -1, axis)


@op("nn", composite=True, cases=_cases(kwargs=({}, {"b": 1.0})))
def squareplus(x, b=4):
    """Squareplus (Barron, 2021): ``(x + sqrt(x**2 + b)) / 2``, a softplus-like
    activation made of algebraic functions.

    Example::

        >>> kcore.ops.squareplus([0.0])   # tensor [1.0]
    """
    x = _float(ops, x)
    return ops.divide(ops.add(x, ops.sqrt(ops.add(ops.multiply(x, x), b))), 2.0)


@op("nn", composite=True, cases=_cases())
def tanh_shrink(x):
    """Tanh shrink: ``x - tanh(x)`` element-wise.

    Example::

        >>> kcore.ops.tanh_shrink([1.0])   # tensor [0.23840582]
    """
    x = _float(ops, x)
    return ops.subtract(x, ops.tanh(x))


def _threshold_cases(spec, rng, supported):
    out = [
        Case("float32", (array(rng, (2, 3), "float32"), 0.5, -1.0), {}, True),
        Case("float16", (array(rng, (2, 3), "float16"), -1.0, 0.0), {}, True),
        Case("int32-int", (array(rng, (2, 3), "int32"), 1, 0), {}, False),
        Case("int32-float-default", (array(rng, (2, 3), "int32"), 0, 0.5), {}, False),
    ]
    return [c for c in out if c.args[0].dtype.name in supported]


@op("nn", composite=True, tensors=("x",), cases=_threshold_cases)
def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, ``default_value`` elsewhere; the result dtype
    promotes ``x`` with ``default_value`` (a Python scalar is weakly typed).

    Example::

        >>> kcore.ops.threshold([0.5, 2.0], 1.0, 0.0)   # tensor [0.0, 2.0]
    """
    return ops.where(ops.greater(x, threshold), x, default_value)


@op("nn", composite=True, cases=_cases())
def sparse_plus(x):
    """SparsePlus: ``0`` for ``x <= -1``, ``x`` for ``x >= 1``, ``(x + 1)**2 / 4``
    between (a piecewise-quadratic softplus).

    Example::

        >>> kcore.ops.sparse_plus([-2.0, 0.0, 2.0])   # tensor [0.0, 0.25, 2.0]
    """
    x = _float(ops, x)
    middle = ops.divide(ops.square(ops.add(x, 1.0)), 4.0)
    return ops.where(
        ops.less_equal(x, -1.0), ops.zeros_like(x), ops.where(ops.greater_equal(x, 1.0), x, middle)
    )


@op("nn", composite=True, cases=_cases())
def sparse_sigmoid(x):
    """Sparse sigmoid: ``0`` for ``x <= -1``, ``1`` for ``x >= 1``, ``(x + 1) / 2``
    between (a piecewise-linear sigmoid).

    Example::

        >>> kcore.ops.sparse_sigmoid([-2.0, 0.0, 2.0])   # tensor [0.0, 0.5, 1.0]
    """
    x = _float(ops, x)
    return ops.clip(ops.multiply(ops.add(x, 1.0), 0.5), 0.0, 1.0)


@op("nn", composite=True, cases=_cases(kwargs=({}, {"threshold": 1.5})))
def soft_shrink(x, threshold=0.5):
    """Soft shrinkage: ``x - threshold`` above ``threshold``, ``x + threshold`` below
    ``-threshold``, ``0`` between.

    Example::

        >>> kcore.ops.soft_shrink([-1.0, 0.2, 2.0])   # tensor [-0.5, 0.0, 1.5]
    """
    x = _float(ops, x)
    return ops.where(
        ops.greater(x, threshold),
        ops.subtract(x, threshold),
        ops.where(ops.less(x, -threshold), ops.add(x, threshold), ops.zeros_like(x)),
    )


@op("nn", composite=True, cases=_cases(kwargs=({}, {"threshold": 1.5})))
def hard_shrink(x, threshold=0.5):
    """Hard shrinkage: ``x`` where ``|x| > threshold``, ``0`` elsewhere.

    Example::

        >>> kcore.ops.hard_shrink([-1.0, 0.2, 2.0])   # tensor [-1.0, 0.0, 2.0]
    """
    x = _float(ops, x)
    return ops.where(ops.greater(ops.abs(x), threshold), x, ops.zeros_like(x))


@op("nn", composite=True, cases=_cases(dtypes=(*_DTYPES, "int8")))
def hard_tanh(x):
    """Hard tanh: ``x`` clipped to ``[-1, 1]``. Integer inputs keep their dtype
    (booleans become ``int32``).

    Example::

        >>> kcore.ops.hard_tanh([-2.0, 0.5, 3.0])   # tensor [-1.0, 0.5, 1.0]
    """
    x = ops.convert_to_tensor(x)
    if ops.dtype(x) == "bool":
        x = ops.cast(x, "int32")
    return ops.clip(x, -1, 1)
