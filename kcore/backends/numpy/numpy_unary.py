"""Element-wise ops of one tensor: this backend's implementations.

As everywhere in the reference backend, each op states Keras 3's result dtype: NumPy
computes ``sin`` of an int32 array in float64, Keras in floatx. Arguments outside a
function's domain (``log`` of a negative number, ``arctanh(1)``) give nan or inf
without NumPy's warning, as on the other backends.
"""

from __future__ import annotations

import numpy as np

from kcore import config
from kcore.backends.numpy.ops import convert_to_tensor as _tensor

_ndarray = np.ndarray


def _float(x):
    """``x`` as an array; integers and booleans as floatx."""
    x = x if type(x) is _ndarray else _tensor(x)
    return x if x.dtype.kind in "fc" else x.astype(config.floatx())


def _float_wide(x):
    """:func:`_float`, except int64 as float64 (``cbrt``, ``deg2rad``, ``i0``...)."""
    x = x if type(x) is _ndarray else _tensor(x)
    if x.dtype.kind in "fc":
        return x
    return x.astype("float64" if x.dtype == np.int64 else config.floatx())


def _array(x):
    return x if type(x) is _ndarray else _tensor(x)


def _no_bool(name, x):
    if x.dtype == np.bool_:
        raise TypeError(f"{name} is not defined for booleans; cast x to an integer or float dtype")


def _float_fn(ufunc):
    def fn(x):
        return np.asarray(ufunc(_float(x)))

    fn.__name__ = ufunc.__name__
    return fn


def _quiet_float_fn(ufunc):
    """:func:`_float_fn` for functions with a domain: no warning outside it."""

    def fn(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(ufunc(_float(x)))

    fn.__name__ = ufunc.__name__
    return fn


sin = _float_fn(np.sin)
cos = _float_fn(np.cos)
tan = _float_fn(np.tan)
arctan = _float_fn(np.arctan)
sinh = _float_fn(np.sinh)
cosh = _float_fn(np.cosh)
tanh = _float_fn(np.tanh)
arcsinh = _float_fn(np.arcsinh)
exp2 = _float_fn(np.exp2)
expm1 = _float_fn(np.expm1)
ceil = _float_fn(np.ceil)
floor = _float_fn(np.floor)
fabs = _float_fn(np.fabs)
sinc = _float_fn(np.sinc)
arcsin = _quiet_float_fn(np.arcsin)
arccos = _quiet_float_fn(np.arccos)
arccosh = _quiet_float_fn(np.arccosh)
arctanh = _quiet_float_fn(np.arctanh)
sqrt = _quiet_float_fn(np.sqrt)
log = _quiet_float_fn(np.log)
log10 = _quiet_float_fn(np.log10)
log2 = _quiet_float_fn(np.log2)
log1p = _quiet_float_fn(np.log1p)
reciprocal = _quiet_float_fn(np.reciprocal)


def cbrt(x):
    return np.asarray(np.cbrt(_float_wide(x)))


def deg2rad(x):
    return np.asarray(np.deg2rad(_float_wide(x)))


def rad2deg(x):
    return np.asarray(np.rad2deg(_float_wide(x)))


def i0(x):
    return np.asarray(np.i0(_float_wide(x)))


def abs(x):
    return np.asarray(np.abs(_array(x)))


def absolute(x):
    return np.asarray(np.abs(_array(x)))


def negative(x):
    x = _array(x)
    _no_bool("negative", x)
    return np.asarray(np.negative(x))


def sign(x):
    x = _array(x)
    _no_bool("sign", x)
    return np.asarray(np.sign(x))


def signbit(x):
    x = _array(x)
    if x.dtype.kind == "c":
        raise TypeError("signbit is not defined for complex numbers")
    return np.asarray(np.signbit(x))


def trunc(x):
    x = _array(x)
    if x.dtype.kind in "biu":
        return x.copy()
    return np.asarray(np.trunc(x))


def round(x, decimals=0):
    x = _array(x)
    _no_bool("round", x)
    if x.dtype.kind in "iu":
        if decimals >= 0:
            return x.copy()
        # Through float64, as NumPy does: halves round to even (25 -> 20).
        scale = 10.0**-decimals
        return np.asarray(np.rint(x / scale) * scale).astype(x.dtype)
    return np.asarray(np.round(x, decimals))


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    x = _array(x)
    if x.dtype.kind not in "fc":
        return x.copy()
    return np.asarray(np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf))


def isnan(x):
    return np.asarray(np.isnan(_array(x)))


def isinf(x):
    return np.asarray(np.isinf(_array(x)))


def isfinite(x):
    return np.asarray(np.isfinite(_array(x)))


def isneginf(x):
    return np.asarray(np.isneginf(_array(x)))


def isposinf(x):
    return np.asarray(np.isposinf(_array(x)))


def isreal(x):
    return np.asarray(np.isreal(_array(x)))


def logical_not(x):
    return np.asarray(np.logical_not(_array(x)))


def bitwise_not(x):
    return np.asarray(np.bitwise_not(_array(x)))


def bitwise_invert(x):
    return np.asarray(np.bitwise_not(_array(x)))


def angle(x):
    x = _float(x)
    dtype = x.real.dtype  # complex64 -> float32
    return np.asarray(np.angle(x)).astype(dtype, copy=False)


def real(x):
    return np.array(np.real(_array(x)))


def imag(x):
    return np.array(np.imag(_array(x)))


def conj(x):
    x = _array(x)
    if x.dtype == np.bool_:  # NumPy's conjugate of booleans gives int8
        return x.copy()
    return np.asarray(np.conj(x))


conjugate = conj


def copy(x):
    return np.array(_array(x))


def square(x):
    x = _array(x)
    if x.dtype == np.bool_:
        x = x.astype("int32")
    return np.asarray(np.square(x))
