"""Element-wise ops of one tensor: this backend's implementations.

TensorFlow's float kernels refuse integers, so integers and booleans are cast to
floatx first (float64 for int64 in ``cbrt``, ``deg2rad``, ``rad2deg`` and ``i0``, as
Keras 3 says). Where TF has no kernel for a dtype (``abs``, ``negative`` and ``sign``
of unsigned integers, ``isnan`` of integers...), the answer is built from the ones it
has. The simple kernels are called through ``tf.raw_ops``, skipping ``tf.math``'s
conversion and dispatch layers.
"""

from __future__ import annotations

import math

from kcore import config
from kcore_tf.ops import _as_float, convert_to_tensor, tf

_BOOL = tf.bool
_UNSIGNED = frozenset({tf.uint8, tf.uint16, tf.uint32, tf.uint64})


def _float_wide(x):
    """``x`` as a float tensor: int64 as float64, other integers and booleans floatx."""
    x = convert_to_tensor(x)
    if x.dtype.is_floating or x.dtype.is_complex:
        return x
    return tf.cast(x, tf.float64 if x.dtype is tf.int64 else config.floatx())


def _no_bool(name, x):
    if x.dtype is _BOOL:
        raise TypeError(f"{name} is not defined for booleans; cast x to an integer or float dtype")


def _float_fn(kernel, name):
    def fn(x):
        # The kernel takes float and complex tensors as they are; its op definition
        # admits no integer or bool (eager and traced), so those raise and go to floatx.
        # Checking the dtype first would cost more (~1 us) than the kernel's overhead.
        try:
            return kernel(x=x)
        except Exception:
            return kernel(x=_as_float(x))

    fn.__name__ = fn.__qualname__ = name
    return fn


sin = _float_fn(tf.raw_ops.Sin, "sin")
cos = _float_fn(tf.raw_ops.Cos, "cos")
tan = _float_fn(tf.raw_ops.Tan, "tan")
arcsin = _float_fn(tf.raw_ops.Asin, "arcsin")
arccos = _float_fn(tf.raw_ops.Acos, "arccos")
arctan = _float_fn(tf.raw_ops.Atan, "arctan")
sinh = _float_fn(tf.raw_ops.Sinh, "sinh")
cosh = _float_fn(tf.raw_ops.Cosh, "cosh")
tanh = _float_fn(tf.raw_ops.Tanh, "tanh")
arcsinh = _float_fn(tf.raw_ops.Asinh, "arcsinh")
arccosh = _float_fn(tf.raw_ops.Acosh, "arccosh")
arctanh = _float_fn(tf.raw_ops.Atanh, "arctanh")
sqrt = _float_fn(tf.raw_ops.Sqrt, "sqrt")
expm1 = _float_fn(tf.raw_ops.Expm1, "expm1")
log = _float_fn(tf.raw_ops.Log, "log")
log1p = _float_fn(tf.raw_ops.Log1p, "log1p")


def reciprocal(x):
    # Not _float_fn: Reciprocal's op definition admits integers, so a traced graph
    # would build an integer reciprocal instead of refusing; convert first.
    return tf.raw_ops.Reciprocal(x=_as_float(x))


ceil = _float_fn(tf.raw_ops.Ceil, "ceil")
floor = _float_fn(tf.raw_ops.Floor, "floor")

_Log = tf.raw_ops.Log
_Mul = tf.raw_ops.Mul
_Abs = tf.raw_ops.Abs
_Equal = tf.raw_ops.Equal
_IsNan = tf.raw_ops.IsNan
_IsInf = tf.raw_ops.IsInf
_IsFinite = tf.raw_ops.IsFinite
_LogicalNot = tf.raw_ops.LogicalNot


def log10(x):
    return _Mul(x=_Log(x=_as_float(x)), y=1.0 / math.log(10.0))


def log2(x):
    return _Mul(x=_Log(x=_as_float(x)), y=1.0 / math.log(2.0))


def exp2(x):
    x = _as_float(x)
    return tf.pow(tf.constant(2.0, x.dtype), x)


def cbrt(x):
    x = _float_wide(x)
    # |x| ** (1/3) with x's sign: real cube roots of negative numbers.
    return tf.sign(x) * tf.pow(_Abs(x=x), 1.0 / 3.0)


def deg2rad(x):
    return _Mul(x=_float_wide(x), y=math.pi / 180.0)


def rad2deg(x):
    return _Mul(x=_float_wide(x), y=180.0 / math.pi)


def i0(x):
    x = _float_wide(x)
    if x.dtype is tf.bfloat16:  # no bfloat16 kernel
        return tf.cast(tf.math.bessel_i0(tf.cast(x, tf.float32)), tf.bfloat16)
    return tf.math.bessel_i0(x)


def sinc(x):
    x = _as_float(x)
    zero = _Equal(x=x, y=tf.zeros_like(x))
    one = tf.ones_like(x)
    # 1 where x is 0, in both branches, so that neither value nor gradient is nan there.
    y = _Mul(x=tf.where(zero, one, x), y=math.pi)
    return tf.where(zero, one, tf.sin(y) / y)


def fabs(x):
    x = _as_float(x)
    if x.dtype.is_complex:
        raise TypeError("fabs is not defined for complex numbers; use abs")
    return _Abs(x=x)


def abs(x):
    x = convert_to_tensor(x)
    if x.dtype is _BOOL or x.dtype in _UNSIGNED:  # no kernel, and |x| is x
        return x
    if x.dtype.is_complex:
        return tf.abs(x)
    return _Abs(x=x)


absolute = abs


def negative(x):
    x = convert_to_tensor(x)
    _no_bool("negative", x)
    if x.dtype in _UNSIGNED:  # no Neg kernel: 0 - x wraps around as NumPy's does
        return tf.raw_ops.Sub(x=tf.zeros_like(x), y=x)
    return tf.raw_ops.Neg(x=x)


def sign(x):
    x = convert_to_tensor(x)
    _no_bool("sign", x)
    if x.dtype in _UNSIGNED:  # no Sign kernel: 1 where positive
        return tf.cast(x > 0, x.dtype)
    return tf.raw_ops.Sign(x=x)


# Same-width integer views of the float dtypes, to read the sign bit.
_BITS = {tf.float16: tf.int16, tf.bfloat16: tf.int16, tf.float32: tf.int32, tf.float64: tf.int64}


def signbit(x):
    x = convert_to_tensor(x)
    if x.dtype.is_floating:  # the bit itself: set for -0.0, unlike x < 0
        return tf.bitcast(x, _BITS[x.dtype]) < 0
    if x.dtype.is_complex:
        raise TypeError("signbit is not defined for complex numbers")
    if x.dtype is _BOOL or x.dtype in _UNSIGNED:
        return tf.zeros_like(x, dtype=_BOOL)
    return x < 0


def trunc(x):
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return x  # integers are their own truncation
    return tf.where(x < 0, tf.math.ceil(x), tf.math.floor(x))


def round(x, decimals=0):
    x = convert_to_tensor(x)
    _no_bool("round", x)
    if x.dtype.is_complex:  # each part, as NumPy does
        return tf.complex(round(tf.math.real(x), decimals), round(tf.math.imag(x), decimals))
    if not x.dtype.is_floating:
        if decimals >= 0:
            return x
        # Through float64, as NumPy does: halves round to even (25 -> 20).
        scale = 10.0**-decimals
        return tf.cast(tf.round(tf.cast(x, tf.float64) / scale) * scale, x.dtype)
    if decimals == 0:
        return tf.round(x)  # halves to even
    scale = tf.constant(10.0 ** (decimals if decimals > 0 else -decimals), x.dtype)
    if decimals > 0:
        return tf.round(x * scale) / scale
    return tf.round(x / scale) * scale


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    x = convert_to_tensor(x)
    if x.dtype.is_complex:
        parts = (tf.math.real(x), tf.math.imag(x))
        return tf.complex(*(nan_to_num(p, nan, posinf, neginf) for p in parts))
    if not x.dtype.is_floating:
        return x  # no nan or inf to replace
    dtype = x.dtype
    high = dtype.max if posinf is None else posinf
    low = dtype.min if neginf is None else neginf
    x = tf.where(_IsNan(x=x), tf.constant(nan, dtype), x)
    x = tf.where(_Equal(x=x, y=math.inf), tf.constant(high, dtype), x)
    return tf.where(_Equal(x=x, y=-math.inf), tf.constant(low, dtype), x)


def _predicate(kernel, on_integers):
    def fn(x):
        x = convert_to_tensor(x)
        if x.dtype.is_floating:
            return kernel(x)
        if x.dtype.is_complex:
            real, imag = tf.math.real(x), tf.math.imag(x)
            if kernel is _finite:
                return tf.logical_and(kernel(real), kernel(imag))
            return tf.logical_or(kernel(real), kernel(imag))
        return tf.fill(tf.shape(x), on_integers)

    return fn


def _nan(x):
    return _IsNan(x=x)


def _inf(x):
    return _IsInf(x=x)


def _finite(x):
    return _IsFinite(x=x)


isnan = _predicate(_nan, False)
isinf = _predicate(_inf, False)
isfinite = _predicate(_finite, True)


def isneginf(x):
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return tf.zeros_like(x, dtype=_BOOL)
    return _Equal(x=x, y=-math.inf)


def isposinf(x):
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return tf.zeros_like(x, dtype=_BOOL)
    return _Equal(x=x, y=math.inf)


def isreal(x):
    x = convert_to_tensor(x)
    if x.dtype.is_complex:
        return _Equal(x=tf.math.imag(x), y=0.0)
    return tf.ones_like(x, dtype=_BOOL)


def logical_not(x):
    x = convert_to_tensor(x)
    if x.dtype is _BOOL:
        return _LogicalNot(x=x)
    return _Equal(x=x, y=tf.zeros_like(x))


def bitwise_not(x):
    x = convert_to_tensor(x)
    if x.dtype is _BOOL:
        return _LogicalNot(x=x)
    return tf.bitwise.invert(x)


bitwise_invert = bitwise_not


def angle(x):
    x = _as_float(x)
    if x.dtype.is_complex:
        return tf.math.angle(x)
    # atan2(0, x): pi for negative numbers and -0.0, as NumPy's angle.
    return tf.math.atan2(tf.zeros_like(x), x)


def real(x):
    x = convert_to_tensor(x)
    return tf.math.real(x) if x.dtype.is_complex else x


def imag(x):
    x = convert_to_tensor(x)
    return tf.math.imag(x) if x.dtype.is_complex else tf.zeros_like(x)


def conj(x):
    x = convert_to_tensor(x)
    return tf.math.conj(x) if x.dtype.is_complex else x


conjugate = conj


def copy(x):
    return tf.identity(convert_to_tensor(x))


def square(x):
    x = convert_to_tensor(x)
    if x.dtype is _BOOL:
        x = tf.cast(x, tf.int32)
    return tf.raw_ops.Square(x=x)
