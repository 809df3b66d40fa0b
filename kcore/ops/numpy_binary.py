"""Element-wise ops of two or more tensors and comparisons (``keras.ops.numpy``).

Declarations only; see :mod:`kcore.ops.contract`.

Dtype rules (Keras 3's, the same on every backend): mixed operands promote with
:func:`kcore.dtypes.result_type`, Python scalars weakly; comparisons, logical ops and
``isclose`` give ``bool``; float-valued math (``arctan2``, ``hypot``, ``logaddexp``...)
gives the promoted float, ``floatx()`` for integers and booleans; the integer ops
(``floor_divide``, ``mod``, ``fmod``, ``power``, shifts) turn a ``bool`` result into
``int32``; bitwise ops and ``gcd``/``lcm`` refuse floats.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from kcore import ops
from kcore.dtypes import dtype_of, result_type
from kcore.ops import rules
from kcore.ops.cases import FLOATS, Case, array
from kcore.ops.contract import op

# --------------------------------------------------------------------------- cases

_SHAPES = (((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)))
_SCALARS = {"bool": True, "int": 2, "float": 1.5}


def _kind(dtype: str) -> str:
    return "bool" if dtype == "bool" else "float" if dtype in FLOATS else "int"


def _values(rng, shape, dtype, low, high, integral):
    x = array(rng, shape, dtype, low, high)
    if integral and dtype in FLOATS:  # whole numbers: ties and zeros happen
        x = np.round(x).astype(dtype)
    return x


def _pairs(
    dtypes: Sequence[str | tuple[str, str]],
    *,
    low: float = -3.0,
    high: float = 3.0,
    low2: float | None = None,
    high2: float | None = None,
    mixed: Sequence[tuple[str, str]] = (),
    scalar_values: dict[str, Any] | None = None,
    integral: bool = False,
    grad: bool = True,
) -> Callable[..., list[Case]]:
    """Like :func:`kcore.ops.cases.binary`, with fewer cases and more control.

    Every broadcasting shape pair for the first dtype, one shape pair for the others;
    ``x2`` may get its own range (``low2``/``high2``: positive divisors, small shift
    counts); an entry of ``dtypes`` may be a ``(dtype1, dtype2)`` pair; a weak Python
    scalar on either side for the first dtype of each kind (``scalar_values`` by kind,
    ``None`` for none; ``integral`` rounds floats to whole numbers, so that ties and
    zeros occur); ``mixed`` dtype pairs test promotion.
    """
    low2 = low if low2 is None else low2
    high2 = high if high2 is None else high2
    values = {**_SCALARS, **(scalar_values or {})}

    def make(spec, rng, supported):
        out: list[Case] = []

        def pair(d1, d2, s1, s2, label, use_grad=True):
            if d1 not in supported or d2 not in supported:
                return
            a = _values(rng, s1, d1, low, high, integral)
            b = _values(rng, s2, d2, low2, high2, integral)
            g = grad and use_grad and d1 in FLOATS and d2 in FLOATS
            out.append(Case(label, (a, b), {}, g))

        usable = [d for d in dtypes if all(x in supported for x in _both(d))]
        for i, entry in enumerate(usable):
            d1, d2 = _both(entry)
            name = d1 if d1 == d2 else f"{d1}-{d2}"
            for s1, s2 in _SHAPES if i == 0 else _SHAPES[:1]:
                pair(d1, d2, s1, s2, f"{name}-{_sid(s1)}-{_sid(s2)}")
        seen = set()
        for entry in usable:
            d1, d2 = _both(entry)
            for side in ("right", "left"):
                dtype = d1 if side == "right" else d2
                key = (_kind(dtype), side)
                if key in seen or values.get(_kind(dtype)) is None:
                    continue
                seen.add(key)
                if side == "right":
                    a = _values(rng, _SHAPES[0][0], d1, low, high, integral)
                    args = (a, values[_kind(dtype)])
                else:
                    b = _values(rng, _SHAPES[0][0], d2, low2, high2, integral)
                    args = (values[_kind(dtype)], b)
                out.append(Case(f"{dtype}-scalar-{side}", args, {}, False))
        for d1, d2 in mixed:
            pair(d1, d2, *_SHAPES[0], f"{d1}+{d2}", use_grad=False)
        return out

    return make


def _both(entry: str | tuple[str, str]) -> tuple[str, str]:
    return (entry, entry) if isinstance(entry, str) else entry


def _sid(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) or "scalar"


def _explicit(*builders: Callable[[np.random.Generator], Case]) -> Callable[..., list[Case]]:
    """Hand-written cases whose arrays (also inside lists) all have supported dtypes."""

    def make(spec, rng, supported):
        out = []
        for build in builders:
            case = build(rng)
            leaves = [*case.args, *case.kwargs.values()]
            flat = list(
                itertools.chain.from_iterable(v if isinstance(v, list) else [v] for v in leaves)
            )
            if {a.dtype.name for a in flat if isinstance(a, np.ndarray)} <= supported:
                out.append(case)
        return out

    return make


_NUMERIC_MIX = (("int8", "float16"), ("float16", "float32"), ("uint8", "int8"))
_INT_MIX = (("uint8", "int8"), ("bool", "int16"), ("int8", "int32"))


def _select_dtype(condlist, choicelist, default):
    """The dtype name ``select``'s result takes (the choices' and ``default``'s,
    promoted), after checking the lists pair up. Shared with the backends."""
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"select: condlist and choicelist must have the same length, got "
            f"{len(condlist)} and {len(choicelist)}"
        )
    if not condlist:
        raise ValueError("select: condlist must hold at least one condition")
    return result_type(*(dtype_of(c) for c in choicelist), dtype_of(default))


def _ldexp_dtype(x1, x2):
    """The dtype name ``ldexp``'s result takes (``x1``'s and ``x2``'s promoted float),
    after checking the exponent ``x2`` is an integer. Shared with the backends."""
    exponent = dtype_of(x2)
    if not (
        exponent is int or (isinstance(exponent, str) and exponent.startswith(("int", "uint")))
    ):
        name = getattr(exponent, "__name__", exponent)
        raise TypeError(f"ldexp takes an integer exponent x2, got dtype {name}")
    return result_type(dtype_of(x1), exponent, float)


# --------------------------------------------------------------------------- comparisons


_COMPARE = _pairs(
    ("float32", "int32", "bool"),
    low=-2,
    high=2,
    integral=True,
    mixed=(("int8", "float16"), ("uint8", "int8")),
    grad=False,
)


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=_COMPARE, grad=False)
def equal(x1, x2):
    """Whether ``x1 == x2``, element-wise, with broadcasting; the result is ``bool``.

    Example::

        >>> kcore.ops.equal([1, 2, 3], 2)   # tensor [False, True, False]
    """
    ...


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=_COMPARE, grad=False)
def not_equal(x1, x2):
    """Whether ``x1 != x2``, element-wise, with broadcasting; the result is ``bool``.

    Example::

        >>> kcore.ops.not_equal([1, 2, 3], 2)   # tensor [True, False, True]
    """
    ...


_ORDER = _pairs(
    ("float32", "int32", "uint8"),
    low=-2,
    high=2,
    integral=True,
    mixed=(("int8", "float16"), ("uint8", "int8")),
    grad=False,
)


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=_ORDER, grad=False)
def greater(x1, x2):
    """Whether ``x1 > x2``, element-wise, with broadcasting; the result is ``bool``.

    Example::

        >>> kcore.ops.greater([1, 2, 3], 2)   # tensor [False, False, True]
    """
    ...


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=_ORDER, grad=False)
def greater_equal(x1, x2):
    """Whether ``x1 >= x2``, element-wise, with broadcasting; the result is ``bool``.

    Example::

        >>> kcore.ops.greater_equal([1, 2, 3], 2)   # tensor [False, True, True]
    """
    ...


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=_ORDER, grad=False)
def less(x1, x2):
    """Whether ``x1 < x2``, element-wise, with broadcasting; the result is ``bool``.

    Example::

        >>> kcore.ops.less([1, 2, 3], 2)   # tensor [True, False, False]
    """
    ...


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=_ORDER, grad=False)
def less_equal(x1, x2):
    """Whether ``x1 <= x2``, element-wise, with broadcasting; the result is ``bool``.

    Example::

        >>> kcore.ops.less_equal([1, 2, 3], 2)   # tensor [True, True, False]
    """
    ...


def _close_case(dtype, kw, *, nan=False, scale=1e-6, label=None):
    def build(rng):
        a = array(rng, (2, 3), dtype, -3.0, 3.0)
        b = (a + rng.normal(0.0, scale, a.shape)).astype(dtype)
        b[0, 0] = a[0, 0] + 1.0  # one pair far apart
        if nan:
            a[0, 1] = b[0, 1] = np.nan
            a[1, 2] = np.nan
        return Case(label or "-".join([dtype, *(f"{k}{v}" for k, v in kw.items())]), (a, b), kw)

    return build


_CLOSE = _explicit(
    _close_case("float32", {}),
    _close_case("float32", {"rtol": 0.0, "atol": 1e-7}, scale=1e-5),
    _close_case("float32", {"rtol": 1e-2, "atol": 0.0}, scale=1e-3),
    _close_case("float32", {}, nan=True, label="float32-nan"),
    _close_case("float32", {"equal_nan": True}, nan=True),
    _close_case("float64", {"atol": 1e-9}, scale=1e-9),
    lambda rng: Case(
        "int32", (array(rng, (2, 3), "int32", -2, 2), array(rng, (3,), "int32", -2, 2))
    ),
    lambda rng: Case(
        "int32+float32",
        (
            np.arange(6, dtype="int32").reshape(2, 3),
            np.arange(6, dtype="float32").reshape(2, 3) + 1e-6,
        ),
    ),
    lambda rng: Case("float16-scalar", (np.array([1.0, 1.0001, 1.5], "float16"), 1.0)),
)


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=_CLOSE, grad=False)
def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether ``|x1 - x2| <= atol + rtol * |x2|``, element-wise; the result is ``bool``.

    Equal infinities are close; NaNs are close to each other only with
    ``equal_nan=True``. Example::

        >>> kcore.ops.isclose([1.0, 2.0], [1.0 + 1e-9, 2.1])   # tensor [True, False]
    """
    ...


def _allclose_case(dtype, kw, a_shape=(2, 3), *, nan=False, far=False, label=None):
    def build(rng):
        a = array(rng, a_shape, dtype, -3.0, 3.0)
        b = (a + rng.normal(0.0, 1e-7, a.shape)).astype(dtype)
        if far:
            b.flat[-1] += 1.0
        if nan:
            a.flat[0] = b.flat[0] = np.nan
        return Case(label or "-".join([dtype, *(f"{k}{v}" for k, v in kw.items())]), (a, b), kw)

    return build


@op(
    "numpy",
    composite=True,
    expect=rules.broadcast("x1", "x2"),
    grad=False,
    cases=_explicit(
        _allclose_case("float32", {}),
        _allclose_case("float32", {}, far=True, label="float32-far"),
        _allclose_case("float32", {"rtol": 1.0}, far=True),
        _allclose_case("float32", {}, nan=True, label="float32-nan"),
        _allclose_case("float32", {"equal_nan": True}, nan=True),
        lambda rng: Case("int32-broadcast", (np.ones((2, 3), "int32"), np.ones((3,), "int32"))),
    ),
)
def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether every element of ``x1`` is close to ``x2``'s (see :func:`isclose`): a
    scalar ``bool`` tensor.

    Example::

        >>> kcore.ops.allclose([1.0, 2.0], [1.0, 2.0 + 1e-9])   # tensor True
    """
    return ops.all(ops.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


# --------------------------------------------------------------------------- logical


_LOGICAL = _pairs(
    ("bool", "float32", "int32"),
    low=-1,
    high=1,
    integral=True,
    mixed=(("bool", "float32"), ("uint8", "int8")),
    grad=False,
)


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=_LOGICAL, grad=False)
def logical_and(x1, x2):
    """Truth of ``x1 and x2`` element-wise (non-zero is true); the result is ``bool``.

    Example::

        >>> kcore.ops.logical_and([True, False], True)   # tensor [True, False]
    """
    ...


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=_LOGICAL, grad=False)
def logical_or(x1, x2):
    """Truth of ``x1 or x2`` element-wise (non-zero is true); the result is ``bool``.

    Example::

        >>> kcore.ops.logical_or([True, False], False)   # tensor [True, False]
    """
    ...


@op("numpy", composite=True, expect=rules.broadcast("x1", "x2"), cases=_LOGICAL, grad=False)
def logical_xor(x1, x2):
    """Truth of ``x1 xor x2`` element-wise (non-zero is true); the result is ``bool``.

    Example::

        >>> kcore.ops.logical_xor([True, False], True)   # tensor [False, True]
    """
    return ops.not_equal(ops.cast(x1, "bool"), ops.cast(x2, "bool"))


# --------------------------------------------------------------------------- bitwise

_BITWISE = _pairs(("int32", "uint8", "bool", "int8"), low=-8, high=8, mixed=_INT_MIX, grad=False)


@op("numpy", expect=rules.broadcast("x", "y"), cases=_BITWISE, grad=False)
def bitwise_and(x, y):
    """Bitwise AND of integers or booleans, element-wise, with broadcasting.

    Example::

        >>> kcore.ops.bitwise_and([12, 10], 6)   # tensor [4, 2]
    """
    ...


@op("numpy", expect=rules.broadcast("x", "y"), cases=_BITWISE, grad=False)
def bitwise_or(x, y):
    """Bitwise OR of integers or booleans, element-wise, with broadcasting.

    Example::

        >>> kcore.ops.bitwise_or([12, 10], 1)   # tensor [13, 11]
    """
    ...


@op("numpy", expect=rules.broadcast("x", "y"), cases=_BITWISE, grad=False)
def bitwise_xor(x, y):
    """Bitwise XOR of integers or booleans, element-wise, with broadcasting.

    Example::

        >>> kcore.ops.bitwise_xor([12, 10], 6)   # tensor [10, 12]
    """
    ...


# Shift counts stay below every integer width, where all frameworks agree.
_SHIFTS = _pairs(
    ("int32", "uint8", "int8", "bool"),
    low=-8,
    high=8,
    low2=0,
    high2=3,
    mixed=(("uint8", "int8"), ("int8", "int32"), ("bool", "int8")),
    grad=False,
)


@op("numpy", expect=rules.broadcast("x", "y"), cases=_SHIFTS, grad=False)
def bitwise_left_shift(x, y):
    """Shift the bits of integers ``x`` left by ``y``, element-wise (booleans count as
    ``int32``).

    Example::

        >>> kcore.ops.bitwise_left_shift([1, 3], 2)   # tensor [4, 12]
    """
    ...


@op("numpy", expect=rules.broadcast("x", "y"), cases=_SHIFTS, grad=False)
def bitwise_right_shift(x, y):
    """Shift the bits of integers ``x`` right by ``y`` (arithmetically for signed
    types), element-wise; booleans count as ``int32``.

    Example::

        >>> kcore.ops.bitwise_right_shift([8, -8], 2)   # tensor [2, -2]
    """
    ...


@op("numpy", composite=True, expect=rules.broadcast("x", "y"), cases=_SHIFTS, grad=False)
def left_shift(x, y):
    """Shift the bits of integers ``x`` left by ``y``: :func:`bitwise_left_shift`.

    Example::

        >>> kcore.ops.left_shift([1, 3], 2)   # tensor [4, 12]
    """
    return ops.bitwise_left_shift(x, y)


@op("numpy", composite=True, expect=rules.broadcast("x", "y"), cases=_SHIFTS, grad=False)
def right_shift(x, y):
    """Shift the bits of integers ``x`` right by ``y``: :func:`bitwise_right_shift`.

    Example::

        >>> kcore.ops.right_shift([8, -8], 2)   # tensor [2, -2]
    """
    return ops.bitwise_right_shift(x, y)


_GCD = _pairs(
    ("int32", "int8", "uint8"),
    low=-6,
    high=6,
    mixed=(("uint8", "int8"), ("int8", "int32")),
    grad=False,
)


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=_GCD, grad=False)
def gcd(x1, x2):
    """Greatest common divisor of integers, element-wise (non-negative; ``gcd(0, 0)``
    is 0).

    Example::

        >>> kcore.ops.gcd([12, -18], 8)   # tensor [4, 2]
    """
    ...


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=_GCD, grad=False)
def lcm(x1, x2):
    """Least common multiple of integers, element-wise (non-negative; 0 when either is
    0).

    Example::

        >>> kcore.ops.lcm([4, -6], 6)   # tensor [12, 6]
    """
    ...


# --------------------------------------------------------------------------- arithmetic


@op(
    "numpy",
    expect=rules.broadcast("x1", "x2"),
    cases=_pairs(("float32", "int32", "bool", "float16"), mixed=_NUMERIC_MIX),
)
def minimum(x1, x2):
    """Element-wise minimum, with broadcasting (NaN if either is NaN).

    Example::

        >>> kcore.ops.minimum([1, 5], 3)   # tensor [1, 3]
    """
    ...


def _with_nans(dtype, shapes=((2, 3), (2, 3))):
    def build(rng):
        a = array(rng, shapes[0], dtype)
        b = array(rng, shapes[1], dtype)
        a[0, 0] = np.nan
        b[0, 1] = np.nan
        a[1, 2] = b[1, 2] = np.nan
        return Case(f"{dtype}-nan", (a, b))

    return build


def _and(*factories):
    def make(spec, rng, supported):
        return [c for f in factories for c in f(spec, rng, supported)]

    return make


_FMINMAX = _and(
    _pairs(("float32", "int32", "float16"), mixed=_NUMERIC_MIX),
    _explicit(_with_nans("float32")),
)


@op("numpy", composite=True, expect=rules.broadcast("x1", "x2"), cases=_FMINMAX)
def fmax(x1, x2):
    """Element-wise maximum that ignores NaNs: NaN only where both are NaN.

    Example::

        >>> kcore.ops.fmax([1.0, float("nan")], 0.5)   # tensor [1.0, 0.5]
    """
    x1, x2 = ops.convert_to_tensor(x1), ops.convert_to_tensor(x2)
    big = ops.maximum(x1, x2)
    return ops.where(ops.isnan(x1), x2, ops.where(ops.isnan(x2), x1, big))


@op("numpy", composite=True, expect=rules.broadcast("x1", "x2"), cases=_FMINMAX)
def fmin(x1, x2):
    """Element-wise minimum that ignores NaNs: NaN only where both are NaN.

    Example::

        >>> kcore.ops.fmin([1.0, float("nan")], 0.5)   # tensor [0.5, 0.5]
    """
    x1, x2 = ops.convert_to_tensor(x1), ops.convert_to_tensor(x2)
    small = ops.minimum(x1, x2)
    return ops.where(ops.isnan(x1), x2, ops.where(ops.isnan(x2), x1, small))


# Divisors stay positive (floats away from zero); dividends take both signs.
_DIVISION = dict(low=-5, high=5, low2=1, high2=3, mixed=_NUMERIC_MIX, scalar_values={"bool": None})


@op(
    "numpy",
    expect=rules.broadcast("x1", "x2"),
    cases=_pairs(("int32", "float32", "int8", "float16"), grad=False, **_DIVISION),
    grad=False,
)
def floor_divide(x1, x2):
    """``floor(x1 / x2)`` element-wise, in the promoted dtype (integers stay integers;
    the quotient rounds toward minus infinity, as in Python).

    Example::

        >>> kcore.ops.floor_divide([7, -7], 2)   # tensor [3, -4]
    """
    ...


@op(
    "numpy",
    expect=rules.broadcast("x1", "x2"),
    cases=_pairs(("int32", "float32", "int8", "float16"), **_DIVISION),
)
def mod(x1, x2):
    """Remainder of the floor division, element-wise: it has the sign of ``x2``, as in
    Python (``mod(-7, 2) == 1``).

    Example::

        >>> kcore.ops.mod([7, -7], 2)   # tensor [1, 1]
    """
    ...


@op(
    "numpy",
    expect=rules.broadcast("x1", "x2"),
    cases=_pairs(("int32", "float32", "int8", "float16"), **_DIVISION),
)
def fmod(x1, x2):
    """Remainder of the truncated division, element-wise: it has the sign of ``x1``,
    as in C (``fmod(-7, 2) == -1``).

    Example::

        >>> kcore.ops.fmod([7, -7], 2)   # tensor [1, -1]
    """
    ...


_POWER = _and(
    # Integer exponents stay non-negative (negative ones have no integer result).
    _pairs(
        ("int32", "int8", "uint8"), low=-3, high=3, low2=0, high2=3, scalar_values={"bool": None}
    ),
    _pairs(
        ("float32", "float16", ("float32", "int32")),
        low=0.5,
        high=2.5,
        low2=-2,
        high2=2,
        mixed=(("int8", "float16"), ("float16", "float32")),
        scalar_values={"bool": None, "int": None},
    ),
)


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=_POWER)
def power(x1, x2):
    """``x1`` raised to the power ``x2``, element-wise, in the promoted dtype
    (integers stay integers).

    Example::

        >>> kcore.ops.power([2, 3], 2)   # tensor [4, 9]
    """
    ...


_FLOAT_MATH = dict(mixed=(("int8", "float16"), ("float16", "float32"), ("int32", "float32")))


@op(
    "numpy",
    composite=True,
    expect=rules.broadcast("x1", "x2"),
    cases=_pairs(("float32", "int32", "float16"), low2=1, high2=3, **_FLOAT_MATH),
)
def true_divide(x1, x2):
    """Divide ``x1`` by ``x2`` element-wise: :func:`divide`.

    Example::

        >>> kcore.ops.true_divide([1, 2], 4)   # tensor [0.25, 0.5]
    """
    return ops.divide(x1, x2)


def _zero_divisors(dtype):
    def build(rng):
        a = array(rng, (2, 3), dtype)
        a[0, 0] = 0
        b = array(rng, (2, 3), dtype, 0.5, 3.0)
        b[0, :] = 0
        return Case(f"{dtype}-zeros", (a, b))

    return build


@op(
    "numpy",
    composite=True,
    expect=rules.broadcast("x1", "x2"),
    cases=_and(
        _pairs(("float32", "int32", "float16"), low2=1, high2=3, **_FLOAT_MATH),
        _explicit(_zero_divisors("float32"), _zero_divisors("int32")),
    ),
)
def divide_no_nan(x1, x2):
    """``x1 / x2`` element-wise, with 0 wherever ``x2`` is 0 (no inf, no NaN).

    Example::

        >>> kcore.ops.divide_no_nan([1.0, 2.0], [0.0, 4.0])   # tensor [0.0, 0.5]
    """
    x1, x2 = ops.convert_to_tensor(x1), ops.convert_to_tensor(x2)
    zero = ops.equal(x2, 0)
    quotient = ops.divide(x1, ops.where(zero, ops.ones_like(x2), x2))
    return ops.where(zero, ops.zeros_like(quotient), quotient)


@op(
    "numpy",
    expect=rules.broadcast("x1", "x2"),
    cases=_pairs(("float32", "int32", "float16", "bool"), **_FLOAT_MATH),
)
def arctan2(x1, x2):
    """Angle of the point ``(x2, x1)`` in radians, in ``[-pi, pi]``, element-wise;
    integers give ``floatx()``.

    Example::

        >>> kcore.ops.arctan2([1.0, -1.0], [1.0, 1.0])   # tensor [0.785, -0.785]
    """
    ...


@op(
    "numpy",
    composite=True,
    expect=rules.broadcast("x1", "x2"),
    cases=_pairs(("float32", "int32", "float16"), **_FLOAT_MATH),
)
def hypot(x1, x2):
    """``sqrt(x1**2 + x2**2)`` element-wise, without needless overflow; integers give
    ``floatx()``.

    Example::

        >>> kcore.ops.hypot([3.0], [4.0])   # tensor [5.0]
    """
    x1, x2 = ops.abs(x1), ops.abs(x2)
    big, small = ops.maximum(x1, x2), ops.minimum(x1, x2)
    ratio = ops.divide_no_nan(small, big)
    return ops.multiply(big, ops.sqrt(ops.add(ops.multiply(ratio, ratio), 1)))


@op(
    "numpy",
    composite=True,
    expect=rules.broadcast("x1", "x2"),
    cases=_pairs(("float32", "int32", "float16"), **_FLOAT_MATH),
)
def logaddexp(x1, x2):
    """``log(exp(x1) + exp(x2))`` element-wise, computed stably; integers give
    ``floatx()``.

    Example::

        >>> kcore.ops.logaddexp([0.0], [0.0])   # tensor [0.693]
    """
    x1, x2 = ops.convert_to_tensor(x1), ops.convert_to_tensor(x2)
    big = ops.maximum(x1, x2)
    return ops.add(big, ops.log1p(ops.exp(ops.negative(ops.abs(ops.subtract(x1, x2))))))


@op(
    "numpy",
    composite=True,
    expect=rules.broadcast("x1", "x2"),
    cases=_pairs(("float32", "int32", "float16"), **_FLOAT_MATH),
)
def logaddexp2(x1, x2):
    """``log2(2**x1 + 2**x2)`` element-wise, computed stably; integers give
    ``floatx()``.

    Example::

        >>> kcore.ops.logaddexp2([1.0], [1.0])   # tensor [2.0]
    """
    x1, x2 = ops.convert_to_tensor(x1), ops.convert_to_tensor(x2)
    big = ops.maximum(x1, x2)
    gap = ops.negative(ops.abs(ops.subtract(x1, x2)))
    return ops.add(big, ops.divide(ops.log1p(ops.exp2(gap)), math.log(2.0)))


@op(
    "numpy",
    expect=rules.broadcast("x1", "x2"),
    cases=_pairs(("float32", "int32", "float16"), low=-2, high=2, integral=True, **_FLOAT_MATH),
    grad=False,
)
def heaviside(x1, x2):
    """Heaviside step: 0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``;
    integers give ``floatx()``.

    Example::

        >>> kcore.ops.heaviside([-1.0, 0.0, 2.0], 0.5)   # tensor [0.0, 0.5, 1.0]
    """
    ...


@op(
    "numpy",
    expect=rules.broadcast("x1", "x2"),
    cases=_pairs(("float32", "int32", "float16"), **_FLOAT_MATH),
    grad=False,
)
def nextafter(x1, x2):
    """The next representable number after ``x1`` in the direction of ``x2``,
    element-wise, in the promoted float dtype (``floatx()`` for integers).

    Example::

        >>> kcore.ops.nextafter([1.0], [2.0])   # tensor [1.0000001]
    """
    ...


@op(
    "numpy",
    expect=rules.broadcast("x1", "x2"),
    cases=_and(
        _pairs(
            (("float32", "int32"), ("float16", "int8"), ("int32", "int32"), ("float64", "int32")),
            low2=-3,
            high2=3,
            scalar_values={"bool": None, "float": None},
        ),
        _explicit(
            lambda rng: Case("float32-int-exponent", (array(rng, (2, 3), "float32"), 3)),
            lambda rng: Case("float16-int-exponent", (array(rng, (2, 3), "float16"), -2)),
        ),
    ),
    grad=False,
)
def ldexp(x1, x2):
    """``x1 * 2**x2`` element-wise, for integer exponents ``x2``; the result is the
    promoted float dtype (``floatx()`` for integer ``x1``).

    Example::

        >>> kcore.ops.ldexp([1.0, 3.0], 2)   # tensor [4.0, 12.0]
    """
    ...


# --------------------------------------------------------------------------- selection


def _clip_case(label, dtype, lo, hi, shape=(2, 3)):
    def build(rng):
        x = array(rng, shape, dtype, -3.0, 3.0)
        bounds = [b(rng) if callable(b) else b for b in (lo, hi)]
        return Case(label, (x, *bounds), {}, dtype in FLOATS)

    return build


@op(
    "numpy",
    composite=True,
    expect=rules.broadcast("x", "x_min", "x_max"),
    cases=_explicit(
        _clip_case("float32", "float32", -1.0, 1.5),
        _clip_case("float16", "float16", -1.0, 1.5),
        _clip_case("int32", "int32", -1, 2),
        _clip_case("uint8", "uint8", 1, 2),
        _clip_case("float32-no-min", "float32", None, 0.5),
        _clip_case("float32-no-max", "float32", -0.5, None),
        _clip_case("int8-float-bounds", "int8", 0.5, 2),
        _clip_case("bool", "bool", 0, 1),
        _clip_case(
            "float32-tensor-bounds",
            "float32",
            lambda rng: array(rng, (3,), "float32", -2.0, -1.0),
            lambda rng: array(rng, (2, 3), "float32", 1.0, 2.0),
        ),
        _clip_case("int8-int32-bounds", "int8", lambda rng: np.array([-1, 0, 1], "int32"), 2),
    ),
)
def clip(x, x_min, x_max):
    """Clip ``x`` to ``[x_min, x_max]`` element-wise: ``minimum(maximum(x, x_min),
    x_max)``; a ``None`` bound is no bound. The dtype is ``x``'s promoted with the
    bounds'; booleans become ``int32``.

    Example::

        >>> kcore.ops.clip([-2, 0, 5], 0, 3)   # tensor [0, 0, 3]
    """
    x = ops.convert_to_tensor(x)
    if ops.dtype(x) == "bool":
        x = ops.cast(x, "int32")
    if x_min is not None:
        x = ops.maximum(x, x_min)
    if x_max is not None:
        x = ops.minimum(x, x_max)
    return x


def _where_rule(values):
    if (values["x1"] is None) != (values["x2"] is None):
        return "x1 and x2 both None (the indices of non-zero elements) or both given"
    return rules.broadcast("condition", "x1", "x2")(values)


def _broadcast_shapes(*shapes):
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for axis in range(-ndim, 0):
        sizes = [s[axis] for s in shapes if len(s) >= -axis]
        known = {d for d in sizes if d not in (1, None)}
        if len(known) > 1:
            raise ValueError(f"shapes {', '.join(map(str, shapes))} do not broadcast together")
        if known:
            out.append(known.pop())
        elif None in sizes:
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def _shape_of(value):
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None else np.shape(value)


def _where_shape(condition, x1=None, x2=None):
    from kcore.keras_tensor import KerasTensor

    if x1 is None and x2 is None:
        rank = len(_shape_of(condition))
        return tuple(KerasTensor((None,), "int32") for _ in range(rank))
    if x1 is None or x2 is None:
        raise ValueError("x1 and x2 must both be None or both be given")
    shape = _broadcast_shapes(_shape_of(condition), _shape_of(x1), _shape_of(x2))
    return KerasTensor(shape, result_type(dtype_of(x1), dtype_of(x2)))


def _where_case(label, cond, x1, x2, grad=False):
    def build(rng):
        c = rng.random(cond[1]) < 0.5 if cond[0] == "bool" else array(rng, cond[1], cond[0], -1, 1)
        a = array(rng, x1[1], x1[0]) if isinstance(x1, tuple) else x1
        b = array(rng, x2[1], x2[0]) if isinstance(x2, tuple) else x2
        return Case(label, (c, a, b), {}, grad)

    return build


@op(
    "numpy",
    tensors=("condition", "x1", "x2"),
    expect=_where_rule,
    shape_rule=_where_shape,
    grad=False,
    cases=_explicit(
        _where_case("float32", ("bool", (2, 3)), ("float32", (2, 3)), ("float32", (2, 3))),
        _where_case("float32-broadcast", ("bool", (2, 1)), ("float32", (3,)), ("float32", (2, 3))),
        _where_case("int32-cond", ("int32", (2, 3)), ("int32", (2, 3)), ("int32", (3,))),
        _where_case("int8+float16", ("bool", (2, 3)), ("int8", (2, 3)), ("float16", (2, 3))),
        _where_case("uint8+int8", ("float32", (2, 3)), ("uint8", (2, 3)), ("int8", (2, 3))),
        _where_case("float16-scalar-right", ("bool", (2, 3)), ("float16", (2, 3)), 1.5),
        _where_case("int8-scalar-left", ("bool", (2, 3)), 2, ("int8", (2, 3))),
        _where_case("scalars", ("bool", (2, 3)), 1, 2.5),
        _where_case("bool", ("bool", (2, 3)), ("bool", (2, 3)), ("bool", (2, 3))),
    ),
)
def where(condition, x1=None, x2=None):
    """Elements of ``x1`` where ``condition`` is true (non-zero), else of ``x2``, with
    broadcasting; the dtype is ``x1``'s and ``x2``'s promoted. With neither ``x1`` nor
    ``x2``, the indices of the non-zero elements of ``condition`` (see
    :func:`nonzero`).

    Example::

        >>> kcore.ops.where([True, False], [1, 2], [10, 20])   # tensor [1, 20]
    """
    ...


def _select_case(label, n, choice_dtypes, default=0, shape=(2, 3), cond="bool"):
    def build(rng):
        if cond == "bool":
            conds = [rng.random(shape) < 0.4 for _ in range(n)]
        else:
            conds = [array(rng, shape, cond, -1, 1) for _ in range(n)]
        choices = [array(rng, shape, d) for d in choice_dtypes]
        d = default(rng) if callable(default) else default
        return Case(label, (conds, choices), {"default": d})

    return build


@op(
    "numpy",
    composite=True,
    tensors=("condlist", "choicelist", "default"),
    grad=False,
    cases=_explicit(
        _select_case("float32", 2, ("float32", "float32")),
        _select_case("int32-three", 3, ("int32",) * 3),
        _select_case("int8+float16", 2, ("int8", "float16")),
        _select_case("uint8+int8", 2, ("uint8", "int8")),
        _select_case("float16-default-scalar", 2, ("float16", "float16"), default=7.5),
        _select_case("int32-default-float", 2, ("int32", "int32"), default=1.5),
        _select_case(
            "float32-default-tensor",
            2,
            ("float32", "float32"),
            default=lambda rng: array(rng, (), "float32"),
        ),
        _select_case("int32-cond", 2, ("float32", "float32"), cond="int32"),
    ),
)
def select(condlist, choicelist, default=0):
    """Element-wise choice among ``choicelist``: where ``condlist[i]`` is the first true
    condition, the result is ``choicelist[i]``; where none is true, ``default``. The
    dtype is the choices' (and ``default``'s) promoted.

    Example::

        >>> x = kcore.ops.convert_to_tensor([-1, 0, 3])
        >>> kcore.ops.select([x < 0, x > 0], [-x, x * 10], default=5)   # tensor [1, 5, 30]
    """
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"condlist and choicelist of the same length, got {len(condlist)} and {len(choicelist)}"
        )
    if not condlist:
        raise ValueError("at least one condition and choice")
    result = default
    for condition, choice in reversed(list(zip(condlist, choicelist))):
        result = ops.where(ops.cast(condition, "bool"), choice, result)
    return result
