"""Element-wise ops of one tensor: this backend's implementations.

Most are ``jax.numpy``'s own functions, whose result dtypes already are Keras 3's
(``jnp.sin`` of int32 is float32). The others fix what differs: ``ceil`` and
``floor`` of integers give floats, and booleans are refused where NumPy refuses them.
"""

from __future__ import annotations

import jax.numpy as jnp

from kcore import config

sin = jnp.sin
cos = jnp.cos
tan = jnp.tan
arcsin = jnp.arcsin
arccos = jnp.arccos
arctan = jnp.arctan
sinh = jnp.sinh
cosh = jnp.cosh
tanh = jnp.tanh
arcsinh = jnp.arcsinh
arccosh = jnp.arccosh
arctanh = jnp.arctanh
sqrt = jnp.sqrt
cbrt = jnp.cbrt
exp2 = jnp.exp2
expm1 = jnp.expm1
log = jnp.log
log10 = jnp.log10
log2 = jnp.log2
log1p = jnp.log1p
reciprocal = jnp.reciprocal
fabs = jnp.fabs
sinc = jnp.sinc
i0 = jnp.i0
deg2rad = jnp.deg2rad
rad2deg = jnp.rad2deg

abs = jnp.abs
absolute = jnp.abs
negative = jnp.negative
sign = jnp.sign
signbit = jnp.signbit
trunc = jnp.trunc
square = jnp.square
isnan = jnp.isnan
isinf = jnp.isinf
isfinite = jnp.isfinite
isneginf = jnp.isneginf
isposinf = jnp.isposinf
isreal = jnp.isreal
logical_not = jnp.logical_not
bitwise_not = jnp.bitwise_not
bitwise_invert = jnp.bitwise_not
real = jnp.real
imag = jnp.imag
conj = jnp.conj
conjugate = jnp.conj


def _float(x):
    x = jnp.asarray(x)
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return x
    return x.astype(config.floatx())


def ceil(x):
    return jnp.ceil(_float(x))


def floor(x):
    return jnp.floor(_float(x))


def angle(x):
    # jnp.angle of a 0-d float16 gives float32; arctan2 keeps the dtype (and gives pi
    # for -0.0, as NumPy's angle does).
    x = _float(x)
    return jnp.arctan2(jnp.imag(x), jnp.real(x))


def round(x, decimals=0):
    x = jnp.asarray(x)
    if decimals < 0 and jnp.issubdtype(x.dtype, jnp.integer):
        return _round_integers(x, decimals)
    return jnp.round(x, decimals)


def _round_integers(x, decimals):
    # jnp.round refuses integers with decimals < 0. Exact integer arithmetic, halves
    # to even as NumPy does (25 -> 20, 35 -> 40).
    scale = 10**-decimals
    if scale > jnp.iinfo(x.dtype).max:
        return jnp.zeros_like(x)
    scale = jnp.asarray(scale, x.dtype)
    quotient = jnp.floor_divide(x, scale)
    rest = x - quotient * scale
    other = scale - rest  # compared with rest without doubling it (no overflow)
    up = (rest > other) | ((rest == other) & (quotient % 2 == 1))
    return ((quotient + up.astype(x.dtype)) * scale).astype(x.dtype)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    return jnp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def copy(x):
    return jnp.array(x, copy=True)
