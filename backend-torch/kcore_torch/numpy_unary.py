"""Element-wise ops of one tensor: this backend's implementations.

torch computes float functions of integers in its default dtype; Keras 3 says floatx
(float64 for int64 in ``cbrt``, ``deg2rad``, ``rad2deg`` and ``i0``), so integers are
cast first. torch has no ``cbrt``, refuses ``abs`` of booleans, ``imag`` of real
tensors and ``round(decimals=)`` of integers, and accepts ``sign`` of booleans, which
NumPy refuses: those are handled here.
"""

from __future__ import annotations

import math

import torch

from kcore import config
from kcore_torch.ops import TORCH_DTYPES, _tensor


def _float(x):
    """``x`` as a tensor; integers and booleans as floatx."""
    x = _tensor(x)
    if x.is_floating_point() or x.is_complex():
        return x
    return x.to(TORCH_DTYPES[config.floatx()])


def _float_wide(x):
    """:func:`_float`, except int64 as float64."""
    x = _tensor(x)
    if x.is_floating_point() or x.is_complex():
        return x
    return x.to(torch.float64 if x.dtype == torch.int64 else TORCH_DTYPES[config.floatx()])


def _no_bool(name, x):
    if x.dtype == torch.bool:
        raise TypeError(f"{name} is not defined for booleans; cast x to an integer or float dtype")


def _float_fn(function, name):
    def fn(x):
        return function(_float(x))

    fn.__name__ = fn.__qualname__ = name
    return fn


sin = _float_fn(torch.sin, "sin")
cos = _float_fn(torch.cos, "cos")
tan = _float_fn(torch.tan, "tan")
arcsin = _float_fn(torch.asin, "arcsin")
arccos = _float_fn(torch.acos, "arccos")
arctan = _float_fn(torch.atan, "arctan")
sinh = _float_fn(torch.sinh, "sinh")
cosh = _float_fn(torch.cosh, "cosh")
tanh = _float_fn(torch.tanh, "tanh")
arcsinh = _float_fn(torch.asinh, "arcsinh")
arccosh = _float_fn(torch.acosh, "arccosh")
arctanh = _float_fn(torch.atanh, "arctanh")
sqrt = _float_fn(torch.sqrt, "sqrt")
exp2 = _float_fn(torch.exp2, "exp2")
expm1 = _float_fn(torch.expm1, "expm1")
log = _float_fn(torch.log, "log")
log10 = _float_fn(torch.log10, "log10")
log2 = _float_fn(torch.log2, "log2")
log1p = _float_fn(torch.log1p, "log1p")
reciprocal = _float_fn(torch.reciprocal, "reciprocal")
ceil = _float_fn(torch.ceil, "ceil")
floor = _float_fn(torch.floor, "floor")
sinc = _float_fn(torch.sinc, "sinc")


def fabs(x):
    x = _float(x)
    if x.is_complex():
        raise TypeError("fabs is not defined for complex numbers; use abs")
    return torch.abs(x)


def cbrt(x):
    x = _float_wide(x)
    # |x| ** (1/3) with x's sign: real cube roots of negative numbers (and -0.0 for -0.0).
    return torch.copysign(torch.pow(torch.abs(x), 1.0 / 3.0), x)


def deg2rad(x):
    return torch.mul(_float_wide(x), math.pi / 180.0)


def rad2deg(x):
    return torch.mul(_float_wide(x), 180.0 / math.pi)


def i0(x):
    return torch.special.i0(_float_wide(x))


def abs(x):
    x = _tensor(x)
    if x.dtype == torch.bool:  # no bool kernel; |b| is b
        return x
    return torch.abs(x)


absolute = abs


def negative(x):
    return torch.neg(_tensor(x))  # refuses booleans itself


def sign(x):
    x = _tensor(x)
    _no_bool("sign", x)
    if x.is_complex():
        return torch.sgn(x)  # x / |x|, as NumPy's sign of complex numbers
    if x.is_floating_point():
        return torch.where(torch.isnan(x), x, torch.sign(x))  # torch says 0 for nan
    return torch.sign(x)


def signbit(x):
    return torch.signbit(_tensor(x))


def trunc(x):
    x = _tensor(x)
    if not x.is_floating_point():
        return x  # integers are their own truncation
    return torch.trunc(x)


def round(x, decimals=0):
    x = _tensor(x)
    _no_bool("round", x)
    if x.is_complex():  # each part, as NumPy does
        return torch.complex(round(x.real, decimals), round(x.imag, decimals))
    if x.is_floating_point():
        return torch.round(x, decimals=decimals) if decimals else torch.round(x)
    if decimals >= 0:
        return x
    # Through float64, as NumPy does: halves round to even (25 -> 20).
    scale = 10.0**-decimals
    return torch.round(x.to(torch.float64) / scale).mul_(scale).to(x.dtype)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    x = _tensor(x)
    if not (x.is_floating_point() or x.is_complex()):
        return x  # no nan or inf to replace
    return torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def isnan(x):
    return torch.isnan(_tensor(x))


def isinf(x):
    return torch.isinf(_tensor(x))


def isfinite(x):
    return torch.isfinite(_tensor(x))


def isneginf(x):
    return torch.isneginf(_tensor(x))


def isposinf(x):
    return torch.isposinf(_tensor(x))


def isreal(x):
    return torch.isreal(_tensor(x))


def logical_not(x):
    return torch.logical_not(_tensor(x))


def bitwise_not(x):
    return torch.bitwise_not(_tensor(x))


bitwise_invert = bitwise_not


def angle(x):
    return torch.angle(_float(x))


def real(x):
    x = _tensor(x)
    return torch.real(x).clone() if x.is_complex() else x


def imag(x):
    x = _tensor(x)
    return torch.imag(x).clone() if x.is_complex() else torch.zeros_like(x)


def conj(x):
    x = _tensor(x)
    return torch.conj_physical(x) if x.is_complex() else x


conjugate = conj


def copy(x):
    return _tensor(x).clone()


def square(x):
    x = _tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    return torch.square(x)
