"""Element-wise ops of one tensor (``keras.ops.numpy``: ``abs`` ... ``trunc``).

Declarations only; see :mod:`kcore.ops.contract`.

Result dtypes follow Keras 3: float functions (``sin``, ``log``, ``sqrt``...) of an
integer or boolean tensor give ``floatx()`` (``cbrt``, ``deg2rad``, ``rad2deg`` and
``i0`` give ``float64`` for ``int64``), floats keep their dtype; ``abs``,
``negative``, ``sign``, ``round``, ``trunc`` and ``square`` keep integer dtypes
(``square`` of booleans is ``int32``); predicates (``isnan``...) give ``bool``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from kcore import config, ops
from kcore.dtypes import standardize_dtype
from kcore.ops.cases import FLOATS, Case, array
from kcore.ops.contract import op

#: The largest finite bfloat16 (NumPy has no bfloat16 finfo without ml_dtypes).
_BFLOAT16_MAX = 3.3895313892515355e38

# --------------------------------------------------------------------------- cases

#: Inputs of float functions: floats (also as 0-d tensors), and integers and
#: booleans, which become floatx (or float64 for int64 where Keras says so).
_FLOAT_FN = ("float16", "float32", "float64", "int32", "int64", "uint8", "bool")
#: Inputs of dtype-keeping arithmetic.
_ARITH = ("float16", "float32", "float64", "int8", "int32", "int64", "uint8")
#: Inputs of predicates: the float cases that matter are the special values below.
_PREDICATE = ("float16", "float32", "float64", "int32", "bool")
#: The values predicates are about, for float inputs.
_SPECIAL = [np.nan, np.inf, -np.inf, -0.0, 0.0, 1.5, -2.5, 3.0]
#: The same without nan, whose sign bit frameworks set differently (torch makes the
#: bfloat16 of nan a negative nan).
_SIGNED_SPECIAL = [-1.0, np.inf, -np.inf, -0.0, 0.0, 1.5, -2.5, 3.0]


def _cases(
    dtypes=_FLOAT_FN,
    low=-3.0,
    high=3.0,
    signed=False,
    complex_=False,
    special=False,
    kwargs=({},),
    special_kwargs=({},),
):
    """Cases for one tensor argument, the ``kwargs`` options on each.

    Floats come as a (2, 3) tensor and a 0-d tensor (with the first options only),
    other dtypes as a (2, 3) tensor. ``signed`` draws magnitudes in ``[low, high)``
    with random signs (to keep away from a singularity or kink at 0); ``complex_``
    adds a complex64 case; ``special`` adds, per float dtype and each of
    ``special_kwargs``, a tensor holding nan, +-inf and +-0 (or the values
    ``special`` lists).
    """

    def values(rng, shape, dtype):
        x = array(rng, shape, dtype, low, high)
        if signed and dtype in FLOATS:
            x = np.where(rng.random(shape) < 0.5, -x, x).astype(dtype)
        return x

    def make(spec, rng, supported):
        out = []
        for dtype in [d for d in dtypes if d in supported]:
            is_float = dtype in FLOATS
            shapes = ((2, 3), ()) if is_float else ((2, 3),)
            for shape, kw in itertools.product(shapes, kwargs):
                if shape == () and kw is not kwargs[0]:
                    continue
                label = "-".join([dtype, "x".join(map(str, shape)) or "scalar", *_kw_id(kw)])
                out.append(Case(label, (values(rng, shape, dtype),), dict(kw), is_float))
            if special and is_float:
                chosen = _SPECIAL if special is True else special
                x = np.array(chosen, dtype=dtype).reshape(2, 4)
                for kw in special_kwargs:
                    out.append(Case("-".join([dtype, "special", *_kw_id(kw)]), (x,), dict(kw)))
        if complex_ and "complex64" in supported:
            real = rng.uniform(low, high, (2, 3))
            imag = rng.uniform(low, high, (2, 3))
            x = (real + 1j * imag).astype("complex64")
            x[0, 0] = complex(real[0, 0], 0.0)  # a real value among them
            out.append(Case("complex64-2x3", (x,), {}))
        return out

    return make


def _kw_id(kw):
    return [f"{k}{v}" for k, v in kw.items()]


# --------------------------------------------------------------------------- errors


def _dtype_rule(expected, refused):
    """An ``expect=`` rule: ``x`` has a dtype for which ``refused(name)`` is false."""

    def rule(values):
        dtype = getattr(values.get("x"), "dtype", None)
        if dtype is None:
            return None
        name = standardize_dtype(dtype)
        return f"x of {expected}, got {name}" if refused(name) else None

    return rule


_NUMERIC = _dtype_rule("a numeric dtype (not bool)", lambda name: name == "bool")
_INTEGRAL = _dtype_rule(
    "an integer or bool dtype", lambda name: "float" in name or "complex" in name
)
_REAL = _dtype_rule("a real dtype (not complex)", lambda name: "complex" in name)


# --------------------------------------------------------------------------- helpers
# For the composites, which pass the ``ops`` they run with (a composite may run with
# another namespace than ``kcore.ops``, see ``contract.namespace_for``).


def _floating(ops, x, int64_to_float64=False):
    """``x`` in the dtype Keras gives a float function of it: integers and booleans as
    floatx (int64 as float64 with ``int64_to_float64``), floats unchanged."""
    x = ops.convert_to_tensor(x)
    dtype = ops.dtype(x)
    if "float" in dtype or "complex" in dtype:
        return x
    if int64_to_float64 and dtype == "int64":
        return ops.cast(x, "float64")
    return ops.cast(x, config.floatx())


def _is_integral(ops, x):
    dtype = ops.dtype(x)
    return dtype == "bool" or "int" in dtype


# --------------------------------------------------------------------------- absolute
# values, signs and rounding


@op("numpy", cases=_cases(_ARITH + ("bool",), signed=True, low=0.2, complex_=True))
def abs(x):
    """Absolute value, element-wise; integers keep their dtype, complex numbers give
    their magnitude.

    Example::

        >>> kcore.ops.abs([-1.5, 2.0])   # tensor [1.5, 2.0]
    """
    ...


@op("numpy", composite=True, cases=_cases(_ARITH, signed=True, low=0.2))
def absolute(x):
    """Absolute value, element-wise: the same as :func:`abs`.

    Example::

        >>> kcore.ops.absolute([-1, 2])   # tensor [1, 2]
    """
    return ops.abs(x)


@op("numpy", composite=True, expect=_REAL, cases=_cases(signed=True, low=0.2))
def fabs(x):
    """Absolute value, element-wise, as a float (integers give floatx).

    Example::

        >>> kcore.ops.fabs([-1, 2])   # tensor [1.0, 2.0]
    """
    return ops.abs(_floating(ops, x))


@op("numpy", composite=True, expect=_NUMERIC, cases=_cases(_ARITH, signed=True, low=0.2))
def negative(x):
    """Numerical negative, element-wise (unsigned integers wrap around).

    Example::

        >>> kcore.ops.negative([1, -2])   # tensor [-1, 2]
    """
    return ops.subtract(0, x)


@op(
    "numpy",
    grad=False,
    expect=_NUMERIC,
    cases=_cases(("float16", "float32", "float64", "int8", "int32", "uint8"), special=True),
)
def sign(x):
    """The sign of each element: -1, 0 or 1 (nan for nan), in the input's dtype.

    Example::

        >>> kcore.ops.sign([-2.0, 0.0, 3.0])   # tensor [-1.0, 0.0, 1.0]
    """
    ...


@op(
    "numpy",
    grad=False,
    expect=_REAL,
    cases=_cases(_PREDICATE + ("int8", "uint8"), special=_SIGNED_SPECIAL),
)
def signbit(x):
    """Whether the sign bit is set, element-wise (true for -0.0 and negative nan).

    Example::

        >>> kcore.ops.signbit([-1.0, -0.0, 2.0])   # tensor [True, True, False]
    """
    ...


@op("numpy", grad=False, cases=_cases(_FLOAT_FN))
def ceil(x):
    """Ceiling of each element, as a float (integers give floatx).

    Example::

        >>> kcore.ops.ceil([1.2, -1.5])   # tensor [2.0, -1.0]
    """
    ...


@op("numpy", grad=False, cases=_cases(_FLOAT_FN))
def floor(x):
    """Floor of each element, as a float (integers give floatx).

    Example::

        >>> kcore.ops.floor([1.7, -1.5])   # tensor [1.0, -2.0]
    """
    ...


@op("numpy", composite=True, grad=False, cases=_cases(_ARITH + ("bool",)))
def trunc(x):
    """Each element rounded towards zero; integers and booleans keep their dtype.

    Example::

        >>> kcore.ops.trunc([1.7, -1.7])   # tensor [1.0, -1.0]
    """
    if _is_integral(ops, x):
        return ops.copy(x)
    return ops.where(ops.less(x, 0), ops.ceil(x), ops.floor(x))


@op(
    "numpy",
    grad=False,
    expect=_NUMERIC,
    cases=_cases(
        ("float16", "float32", "float64", "int32", "uint8"),
        low=-200.0,
        high=200.0,
        kwargs=({}, {"decimals": 1}, {"decimals": -1}),
    ),
)
def round(x, decimals=0):
    """Round to ``decimals`` decimal places, halves to even; integers keep their
    dtype (a negative ``decimals`` rounds them to tens, hundreds...).

    Example::

        >>> kcore.ops.round([1.25, 2.5, 17.0], decimals=1)   # tensor [1.2, 2.5, 17.0]
    """
    ...


@op(
    "numpy",
    composite=True,
    cases=_cases(
        ("float16", "float32", "float64", "int32", "bool"),
        special=True,
        special_kwargs=({}, {"nan": 1.5, "posinf": 9.0, "neginf": -9.0}),
    ),
)
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replace nan with ``nan``, +inf with ``posinf`` and -inf with ``neginf``
    (default: the dtype's largest and smallest finite values); other dtypes pass.

    Example::

        >>> kcore.ops.nan_to_num([float("nan"), 1.0], nan=-1.0)   # tensor [-1.0, 1.0]
    """
    x = ops.convert_to_tensor(x)
    if _is_integral(ops, x):
        return x
    dtype = ops.dtype(x)
    # NumPy knows no bfloat16 (without ml_dtypes): its largest finite value, written out.
    largest = _BFLOAT16_MAX if dtype == "bfloat16" else float(np.finfo(dtype).max)
    high = largest if posinf is None else posinf
    low = -largest if neginf is None else neginf
    x = ops.where(ops.isnan(x), ops.convert_to_tensor(nan, dtype), x)
    x = ops.where(ops.isposinf(x), ops.convert_to_tensor(high, dtype), x)
    return ops.where(ops.isneginf(x), ops.convert_to_tensor(low, dtype), x)


# --------------------------------------------------------------------------- predicates


@op("numpy", grad=False, cases=_cases(_PREDICATE, special=True))
def isnan(x):
    """Whether each element is nan (``bool``).

    Example::

        >>> kcore.ops.isnan([float("nan"), 1.0])   # tensor [True, False]
    """
    ...


@op("numpy", grad=False, cases=_cases(_PREDICATE, special=True))
def isinf(x):
    """Whether each element is +inf or -inf (``bool``).

    Example::

        >>> kcore.ops.isinf([float("inf"), 1.0])   # tensor [True, False]
    """
    ...


@op("numpy", composite=True, grad=False, cases=_cases(_PREDICATE, special=True))
def isfinite(x):
    """Whether each element is finite: neither inf nor nan (``bool``).

    Example::

        >>> kcore.ops.isfinite([float("inf"), 1.0])   # tensor [False, True]
    """
    return ops.logical_not(ops.logical_or(ops.isnan(x), ops.isinf(x)))


@op("numpy", composite=True, grad=False, cases=_cases(_PREDICATE, special=True))
def isneginf(x):
    """Whether each element is -inf (``bool``).

    Example::

        >>> kcore.ops.isneginf([float("-inf"), float("inf")])   # tensor [True, False]
    """
    return ops.logical_and(ops.isinf(x), ops.signbit(x))


@op("numpy", composite=True, grad=False, cases=_cases(_PREDICATE, special=True))
def isposinf(x):
    """Whether each element is +inf (``bool``).

    Example::

        >>> kcore.ops.isposinf([float("-inf"), float("inf")])   # tensor [False, True]
    """
    return ops.logical_and(ops.isinf(x), ops.logical_not(ops.signbit(x)))


@op("numpy", composite=True, grad=False, cases=_cases(_FLOAT_FN, complex_=True))
def isreal(x):
    """Whether each element has a zero imaginary part (``bool``; true for real dtypes).

    Example::

        >>> kcore.ops.isreal([1.0, 2.0])   # tensor [True, True]
    """
    return ops.equal(ops.imag(x), 0)


@op("numpy", grad=False, cases=_cases(_FLOAT_FN + ("int8",), low=-1.0, high=1.0))
def logical_not(x):
    """Logical NOT, element-wise: true where ``x`` is zero or false (``bool``).

    Example::

        >>> kcore.ops.logical_not([True, False])   # tensor [False, True]
    """
    ...


@op(
    "numpy",
    grad=False,
    expect=_INTEGRAL,
    cases=_cases(("bool", "int8", "int16", "int32", "int64", "uint8")),
)
def bitwise_not(x):
    """Bitwise NOT of integers (logical NOT of booleans), element-wise.

    Example::

        >>> kcore.ops.bitwise_not([0, 1])   # tensor [-1, -2]
    """
    ...


@op(
    "numpy",
    composite=True,
    grad=False,
    expect=_INTEGRAL,
    cases=_cases(("bool", "int8", "int32", "uint8")),
)
def bitwise_invert(x):
    """Bitwise NOT, element-wise: the same as :func:`bitwise_not`.

    Example::

        >>> kcore.ops.bitwise_invert([0, 1])   # tensor [-1, -2]
    """
    return ops.bitwise_not(x)


# --------------------------------------------------------------------------- complex
# parts


@op("numpy", grad=False, composite=True, cases=_cases(_FLOAT_FN, complex_=True))
def angle(x):
    """The counterclockwise angle from the positive real axis, element-wise (a float;
    pi for negative reals).

    Example::

        >>> kcore.ops.angle([1.0, -1.0])   # tensor [0.0, 3.1415927]
    """
    return ops.arctan2(ops.imag(x), ops.real(x))


@op("numpy", cases=_cases(_ARITH + ("bool",), complex_=True))
def real(x):
    """The real part of each element; real tensors are returned unchanged.

    Example::

        >>> kcore.ops.real([1.0, 2.0])   # tensor [1.0, 2.0]
    """
    ...


@op("numpy", grad=False, cases=_cases(_ARITH + ("bool",), complex_=True))
def imag(x):
    """The imaginary part of each element; zeros of the same dtype for real tensors.

    Example::

        >>> kcore.ops.imag([1.0, 2.0])   # tensor [0.0, 0.0]
    """
    ...


@op("numpy", cases=_cases(_ARITH + ("bool",), complex_=True))
def conj(x):
    """The complex conjugate of each element; real tensors are returned unchanged.

    Example::

        >>> kcore.ops.conj([1.0, 2.0])   # tensor [1.0, 2.0]
    """
    ...


@op("numpy", composite=True, cases=_cases(("float32", "int32", "bool"), complex_=True))
def conjugate(x):
    """The complex conjugate of each element: the same as :func:`conj`.

    Example::

        >>> kcore.ops.conjugate([1.0, 2.0])   # tensor [1.0, 2.0]
    """
    return ops.conj(x)


@op("numpy", cases=_cases(_ARITH + ("bool",), complex_=True))
def copy(x):
    """A copy of ``x``, with the same dtype and values.

    Example::

        >>> kcore.ops.copy([1, 2])   # tensor [1, 2]
    """
    ...


# --------------------------------------------------------------------------- powers,
# exponentials and logarithms


@op("numpy", composite=True, cases=_cases(_ARITH + ("bool",)))
def square(x):
    """The square of each element; integers keep their dtype, booleans give int32.

    Example::

        >>> kcore.ops.square([2, -3])   # tensor [4, 9]
    """
    x = ops.convert_to_tensor(x)
    if ops.dtype(x) == "bool":
        x = ops.cast(x, "int32")
    return ops.multiply(x, x)


@op("numpy", cases=_cases(low=0.5))
def sqrt(x):
    """Non-negative square root, element-wise, as a float (integers give floatx).

    Example::

        >>> kcore.ops.sqrt([4.0, 9.0])   # tensor [2.0, 3.0]
    """
    ...


@op("numpy", cases=_cases(signed=True, low=0.5))
def cbrt(x):
    """Cube root, element-wise, as a float (real for negative inputs; int64 gives
    float64, other integers floatx).

    Example::

        >>> kcore.ops.cbrt([8.0, -27.0])   # tensor [2.0, -3.0]
    """
    ...


@op("numpy", composite=True, cases=_cases(signed=True, low=0.5))
def reciprocal(x):
    """``1 / x``, element-wise, as a float (integers give floatx).

    Example::

        >>> kcore.ops.reciprocal([2.0, 4.0])   # tensor [0.5, 0.25]
    """
    return ops.divide(1, x)


@op("numpy", composite=True, cases=_cases(low=-2.0, high=2.0))
def exp2(x):
    """``2 ** x``, element-wise, as a float (integers give floatx).

    Example::

        >>> kcore.ops.exp2([3.0])   # tensor [8.0]
    """
    return ops.exp(ops.multiply(_floating(ops, x), math.log(2.0)))


@op("numpy", cases=_cases(low=-2.0, high=2.0))
def expm1(x):
    """``exp(x) - 1``, element-wise, accurate for small ``x``.

    Example::

        >>> kcore.ops.expm1([0.0])   # tensor [0.0]
    """
    ...


@op("numpy", cases=_cases(low=0.5))
def log(x):
    """Natural logarithm, element-wise, as a float (integers give floatx).

    Example::

        >>> kcore.ops.log([1.0])   # tensor [0.0]
    """
    ...


@op("numpy", composite=True, cases=_cases(low=0.5))
def log10(x):
    """Base-10 logarithm, element-wise, as a float.

    Example::

        >>> kcore.ops.log10([100.0])   # tensor [2.0]
    """
    return ops.divide(ops.log(x), math.log(10.0))


@op("numpy", composite=True, cases=_cases(low=0.5))
def log2(x):
    """Base-2 logarithm, element-wise, as a float.

    Example::

        >>> kcore.ops.log2([8.0])   # tensor [3.0]
    """
    return ops.divide(ops.log(x), math.log(2.0))


@op("numpy", cases=_cases(low=-0.5))
def log1p(x):
    """``log(1 + x)``, element-wise, accurate for small ``x``.

    Example::

        >>> kcore.ops.log1p([0.0])   # tensor [0.0]
    """
    ...


@op("numpy", cases=_cases())
def i0(x):
    """Modified Bessel function of the first kind, order 0, element-wise (int64
    gives float64, other integers floatx).

    Example::

        >>> kcore.ops.i0([0.0])   # tensor [1.0]
    """
    ...


# --------------------------------------------------------------------------- angles and
# trigonometry


@op("numpy", composite=True, cases=_cases(low=-200.0, high=200.0))
def deg2rad(x):
    """Convert angles from degrees to radians (int64 gives float64, other integers
    floatx).

    Example::

        >>> kcore.ops.deg2rad([180.0])   # tensor [3.1415927]
    """
    return ops.multiply(_floating(ops, x, int64_to_float64=True), math.pi / 180.0)


@op("numpy", composite=True, cases=_cases())
def rad2deg(x):
    """Convert angles from radians to degrees (int64 gives float64, other integers
    floatx).

    Example::

        >>> kcore.ops.rad2deg([3.1415927])   # tensor [180.0]
    """
    return ops.multiply(_floating(ops, x, int64_to_float64=True), 180.0 / math.pi)


@op("numpy", cases=_cases())
def sin(x):
    """Trigonometric sine, element-wise (radians).

    Example::

        >>> kcore.ops.sin([0.0])   # tensor [0.0]
    """
    ...


@op("numpy", cases=_cases())
def cos(x):
    """Trigonometric cosine, element-wise (radians).

    Example::

        >>> kcore.ops.cos([0.0])   # tensor [1.0]
    """
    ...


@op("numpy", cases=_cases(low=-1.2, high=1.2))
def tan(x):
    """Trigonometric tangent, element-wise (radians).

    Example::

        >>> kcore.ops.tan([0.0])   # tensor [0.0]
    """
    ...


@op("numpy", cases=_cases(low=-0.9, high=0.9))
def arcsin(x):
    """Inverse sine, element-wise, in ``[-pi/2, pi/2]`` (nan outside ``[-1, 1]``).

    Example::

        >>> kcore.ops.arcsin([1.0])   # tensor [1.5707964]
    """
    ...


@op("numpy", cases=_cases(low=-0.9, high=0.9))
def arccos(x):
    """Inverse cosine, element-wise, in ``[0, pi]`` (nan outside ``[-1, 1]``).

    Example::

        >>> kcore.ops.arccos([1.0])   # tensor [0.0]
    """
    ...


@op("numpy", cases=_cases())
def arctan(x):
    """Inverse tangent, element-wise, in ``(-pi/2, pi/2)``.

    Example::

        >>> kcore.ops.arctan([1.0])   # tensor [0.7853982]
    """
    ...


@op("numpy", composite=True, cases=_cases(low=-2.0, high=2.0))
def sinh(x):
    """Hyperbolic sine, element-wise.

    Example::

        >>> kcore.ops.sinh([0.0])   # tensor [0.0]
    """
    x = _floating(ops, x)
    return ops.divide(ops.subtract(ops.exp(x), ops.exp(ops.negative(x))), 2.0)


@op("numpy", composite=True, cases=_cases(low=-2.0, high=2.0))
def cosh(x):
    """Hyperbolic cosine, element-wise.

    Example::

        >>> kcore.ops.cosh([0.0])   # tensor [1.0]
    """
    x = _floating(ops, x)
    return ops.divide(ops.add(ops.exp(x), ops.exp(ops.negative(x))), 2.0)


@op("numpy", cases=_cases())
def tanh(x):
    """Hyperbolic tangent, element-wise.

    Example::

        >>> kcore.ops.tanh([0.0])   # tensor [0.0]
    """
    ...


@op("numpy", cases=_cases())
def arcsinh(x):
    """Inverse hyperbolic sine, element-wise.

    Example::

        >>> kcore.ops.arcsinh([0.0])   # tensor [0.0]
    """
    ...


@op("numpy", cases=_cases(low=1.2, high=3.0))
def arccosh(x):
    """Inverse hyperbolic cosine, element-wise (nan below 1).

    Example::

        >>> kcore.ops.arccosh([1.0])   # tensor [0.0]
    """
    ...


@op("numpy", cases=_cases(low=-0.9, high=0.9))
def arctanh(x):
    """Inverse hyperbolic tangent, element-wise (+-inf at +-1, nan beyond).

    Example::

        >>> kcore.ops.arctanh([0.0])   # tensor [0.0]
    """
    ...


@op("numpy", composite=True, cases=_cases(signed=True, low=0.1))
def sinc(x):
    """Normalized sinc, element-wise: ``sin(pi * x) / (pi * x)``, and 1 at 0.

    Example::

        >>> kcore.ops.sinc([0.0, 0.5])   # tensor [1.0, 0.63661975]
    """
    x = _floating(ops, x)
    zero = ops.equal(x, 0)
    one = ops.convert_to_tensor(1, ops.dtype(x))
    # 1 where x is 0 in both branches, so that neither value nor gradient is nan there.
    y = ops.multiply(ops.where(zero, one, x), math.pi)
    return ops.where(zero, one, ops.divide(ops.sin(y), y))
