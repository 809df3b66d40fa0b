"""Element-wise ops of two or more tensors and comparisons: this backend's implementations.

The reference states Keras 3's result dtypes explicitly: both operands are first brought
to :func:`kcore.dtypes.result_type` of their dtypes (Python scalars weakly), then NumPy
computes in that dtype.
"""

from __future__ import annotations

import numpy as np

from kcore.backends.numpy.ops import _promoted, convert_to_tensor
from kcore.dtypes import dtype_of, result_type
from kcore.ops.numpy_binary import _ldexp_dtype, _select_dtype

_INT_KINDS = "iu"


def _float_promoted(x1, x2):
    # Float-valued math: integers and booleans become floatx (a weak float joins in).
    return _promoted(x1, x2, float)


def _ints_promoted(name, x1, x2, allow_bool=True):
    x1, x2 = _promoted(x1, x2)
    kinds = _INT_KINDS + ("b" if allow_bool else "")
    if x1.dtype.kind not in kinds:
        what = "integer or boolean" if allow_bool else "integer"
        raise TypeError(f"{name} takes {what} tensors, got dtype {x1.dtype.name}")
    return x1, x2


def _bool_to_int32(x1, x2):
    # Keras computes the integer ops of two booleans in int32.
    if x1.dtype == np.bool_:
        return x1.astype(np.int32), x2.astype(np.int32)
    return x1, x2


# -- comparisons -----------------------------------------------------------------


def _compare(ufunc):
    def compare(x1, x2):
        return np.asarray(ufunc(*_promoted(x1, x2)))

    return compare


equal = _compare(np.equal)
not_equal = _compare(np.not_equal)
greater = _compare(np.greater)
greater_equal = _compare(np.greater_equal)
less = _compare(np.less)
less_equal = _compare(np.less_equal)


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    x1, x2 = _promoted(x1, x2)
    return np.asarray(np.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return np.asarray(np.all(isclose(x1, x2, rtol, atol, equal_nan)))


def logical_and(x1, x2):
    return np.asarray(np.logical_and(x1, x2))


def logical_or(x1, x2):
    return np.asarray(np.logical_or(x1, x2))


def logical_xor(x1, x2):
    return np.asarray(np.logical_xor(x1, x2))


# -- bitwise -----------------------------------------------------------------------


def bitwise_and(x, y):
    return np.asarray(np.bitwise_and(*_ints_promoted("bitwise_and", x, y)))


def bitwise_or(x, y):
    return np.asarray(np.bitwise_or(*_ints_promoted("bitwise_or", x, y)))


def bitwise_xor(x, y):
    return np.asarray(np.bitwise_xor(*_ints_promoted("bitwise_xor", x, y)))


def bitwise_left_shift(x, y):
    x, y = _bool_to_int32(*_ints_promoted("bitwise_left_shift", x, y))
    return np.asarray(np.left_shift(x, y))


def bitwise_right_shift(x, y):
    x, y = _bool_to_int32(*_ints_promoted("bitwise_right_shift", x, y))
    return np.asarray(np.right_shift(x, y))


left_shift = bitwise_left_shift
right_shift = bitwise_right_shift


def gcd(x1, x2):
    return np.asarray(np.gcd(*_ints_promoted("gcd", x1, x2, allow_bool=False)))


def lcm(x1, x2):
    return np.asarray(np.lcm(*_ints_promoted("lcm", x1, x2, allow_bool=False)))


# -- arithmetic ----------------------------------------------------------------------


def minimum(x1, x2):
    return np.asarray(np.minimum(*_promoted(x1, x2)))


def fmax(x1, x2):
    return np.asarray(np.fmax(*_promoted(x1, x2)))


def fmin(x1, x2):
    return np.asarray(np.fmin(*_promoted(x1, x2)))


def floor_divide(x1, x2):
    x1, x2 = _bool_to_int32(*_promoted(x1, x2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.floor_divide(x1, x2))


def mod(x1, x2):
    x1, x2 = _bool_to_int32(*_promoted(x1, x2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.mod(x1, x2))


def fmod(x1, x2):
    x1, x2 = _bool_to_int32(*_promoted(x1, x2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.fmod(x1, x2))


def power(x1, x2):
    x1, x2 = _bool_to_int32(*_promoted(x1, x2))
    if x1.dtype.kind in _INT_KINDS and np.any(x2 < 0):
        # NumPy refuses negative integer powers; the frameworks truncate 1/x**n.
        with np.errstate(divide="ignore", invalid="ignore"):
            exact = np.power(x1.astype(np.float64), x2.astype(np.float64))
        return np.asarray(np.trunc(np.nan_to_num(exact, posinf=0, neginf=0)).astype(x1.dtype))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.asarray(np.power(x1, x2))


def true_divide(x1, x2):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.true_divide(*_float_promoted(x1, x2)))


def divide_no_nan(x1, x2):
    x1, x2 = _float_promoted(x1, x2)
    zero = x2 == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = np.true_divide(x1, np.where(zero, np.ones_like(x2), x2))
    return np.asarray(np.where(zero, np.zeros_like(quotient), quotient))


def arctan2(x1, x2):
    return np.asarray(np.arctan2(*_float_promoted(x1, x2)))


def hypot(x1, x2):
    return np.asarray(np.hypot(*_float_promoted(x1, x2)))


def logaddexp(x1, x2):
    return np.asarray(np.logaddexp(*_float_promoted(x1, x2)))


def logaddexp2(x1, x2):
    return np.asarray(np.logaddexp2(*_float_promoted(x1, x2)))


def heaviside(x1, x2):
    return np.asarray(np.heaviside(*_float_promoted(x1, x2)))


def nextafter(x1, x2):
    return np.asarray(np.nextafter(*_float_promoted(x1, x2)))


def ldexp(x1, x2):
    dtype = _ldexp_dtype(x1, x2)
    with np.errstate(over="ignore"):
        out = np.ldexp(np.asarray(x1, dtype), np.asarray(x2).astype(np.int32))
    return np.asarray(out.astype(dtype))


# -- selection -------------------------------------------------------------------------


def clip(x, x_min, x_max):
    x = convert_to_tensor(x)
    if x.dtype == np.bool_:
        x = x.astype(np.int32)
    dtypes = [dtype_of(x)] + [dtype_of(b) for b in (x_min, x_max) if b is not None]
    dtype = result_type(*dtypes)
    x = x.astype(dtype, copy=False)
    if x_min is not None:
        x = np.maximum(x, np.asarray(x_min, dtype))
    if x_max is not None:
        x = np.minimum(x, np.asarray(x_max, dtype))
    return np.asarray(x)


def where(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        return tuple(np.asarray(i, dtype=np.int32) for i in np.nonzero(condition))
    if x1 is None or x2 is None:
        raise ValueError("where: x1 and x2 must both be None or both be given")
    x1, x2 = _promoted(x1, x2)
    return np.asarray(np.where(np.asarray(condition).astype(bool), x1, x2))


def select(condlist, choicelist, default=0):
    dtype = _select_dtype(condlist, choicelist, default)
    choices = [np.asarray(c, dtype) for c in choicelist]
    conditions = [np.asarray(c).astype(bool) for c in condlist]
    return np.asarray(np.select(conditions, choices, np.asarray(default, dtype)))
