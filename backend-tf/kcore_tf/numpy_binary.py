"""Element-wise ops of two or more tensors and comparisons: this backend's implementations.

Operands first agree on Keras 3's dtype (:func:`kcore_tf.ops._operands`); then the
kernels run through ``tf.raw_ops``. Where TensorFlow has no kernel for a dtype
(``Greater`` of booleans, ``Pow`` of ``uint8``, ``NextAfter`` of ``float16``...) or no
op at all (``gcd``, ``heaviside``, ``logaddexp``), the answer is built from kernels it
has.
"""

from __future__ import annotations

import math

from kcore import config
from kcore.ops.numpy_binary import _ldexp_dtype, _select_dtype
from kcore_tf import ops as _ops
from kcore_tf.ops import _operands, _scalar, convert_to_tensor, tf

_Tensor = tf.Tensor
_BOOL = tf.bool
_INT32 = tf.int32
_UNSIGNED = frozenset({tf.uint8, tf.uint16, tf.uint32, tf.uint64})

_Equal = tf.raw_ops.Equal
_NotEqual = tf.raw_ops.NotEqual
_Greater = tf.raw_ops.Greater
_GreaterEqual = tf.raw_ops.GreaterEqual
_Less = tf.raw_ops.Less
_LessEqual = tf.raw_ops.LessEqual
_LogicalAnd = tf.raw_ops.LogicalAnd
_LogicalOr = tf.raw_ops.LogicalOr
_LogicalNot = tf.raw_ops.LogicalNot
_Minimum = tf.raw_ops.Minimum
_Maximum = tf.raw_ops.Maximum
_FloorDiv = tf.raw_ops.FloorDiv
_FloorMod = tf.raw_ops.FloorMod
_Pow = tf.raw_ops.Pow
_Atan2 = tf.raw_ops.Atan2
_DivNoNan = tf.raw_ops.DivNoNan
_NextAfter = tf.raw_ops.NextAfter
_IsNan = tf.raw_ops.IsNan
_IsFinite = tf.raw_ops.IsFinite
_Abs = tf.raw_ops.Abs
_Sub = tf.raw_ops.Sub
_Mul = tf.raw_ops.Mul
_AddV2 = tf.raw_ops.AddV2
_Sqrt = tf.raw_ops.Sqrt
_Log1p = tf.raw_ops.Log1p
_Exp = tf.raw_ops.Exp
_SelectV2 = tf.raw_ops.SelectV2
_All = tf.raw_ops.All
_LeftShift = tf.raw_ops.LeftShift
_RightShift = tf.raw_ops.RightShift
_BitwiseAnd = tf.raw_ops.BitwiseAnd
_BitwiseOr = tf.raw_ops.BitwiseOr
_BitwiseXor = tf.raw_ops.BitwiseXor
_Bitcast = tf.raw_ops.Bitcast

_LN2 = math.log(2.0)


def _tensors(x1, x2):
    """Both operands as tensors of one dtype (Keras's promotion, scalars weakly)."""
    x1, x2 = _operands(x1, x2)
    if not isinstance(x2, _Tensor):
        x2 = tf.constant(_scalar(x2, x1.dtype), dtype=x1.dtype)
    return x1, x2


def _floats(x1, x2):
    """:func:`_tensors` in the promoted float dtype (floatx for integers and booleans)."""
    x1, x2 = _tensors(x1, x2)
    if not x1.dtype.is_floating:
        floatx = config.floatx()
        x1, x2 = tf.cast(x1, floatx), tf.cast(x2, floatx)
    return x1, x2


def _integers(name, x1, x2, allow_bool=True):
    x1, x2 = _tensors(x1, x2)
    if not (x1.dtype.is_integer or (allow_bool and x1.dtype is _BOOL)):
        kind = "integer or boolean" if allow_bool else "integer"
        raise TypeError(f"{name} takes {kind} tensors, got dtype {x1.dtype.name}")
    return x1, x2


def _bool_as_int32(x1, x2):
    # Keras computes the integer ops of two booleans in int32.
    if x1.dtype is _BOOL:
        return tf.cast(x1, _INT32), tf.cast(x2, _INT32)
    return x1, x2


def _truth(x):
    x = convert_to_tensor(x)
    return x if x.dtype is _BOOL else _NotEqual(x=x, y=tf.zeros((), x.dtype))


# -- comparisons -----------------------------------------------------------------


def equal(x1, x2):
    x1, x2 = _operands(x1, x2)
    return _Equal(x=x1, y=x2)


def not_equal(x1, x2):
    x1, x2 = _operands(x1, x2)
    return _NotEqual(x=x1, y=x2)


def _order(kernel):
    def compare(x1, x2):
        x1, x2 = _operands(x1, x2)
        if x1.dtype is _BOOL:  # no boolean kernels: compare as integers
            x1, x2 = tf.cast(x1, tf.int8), tf.cast(convert_to_tensor(x2), tf.int8)
        return kernel(x=x1, y=x2)

    return compare


greater = _order(_Greater)
greater_equal = _order(_GreaterEqual)
less = _order(_Less)
less_equal = _order(_LessEqual)


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    x1, x2 = _tensors(x1, x2)
    if not x1.dtype.is_floating:  # as NumPy: integers compare through float64
        x1, x2 = tf.cast(x1, tf.float64), tf.cast(x2, tf.float64)
    tolerance = _AddV2(
        x=tf.constant(atol, x1.dtype), y=_Mul(x=tf.constant(rtol, x1.dtype), y=_Abs(x=x2))
    )
    close = _LogicalAnd(x=_LessEqual(x=_Abs(x=_Sub(x=x1, y=x2)), y=tolerance), y=_IsFinite(x=x2))
    close = _LogicalOr(x=close, y=_Equal(x=x1, y=x2))  # equal infinities
    if equal_nan:
        close = _LogicalOr(x=close, y=_LogicalAnd(x=_IsNan(x=x1), y=_IsNan(x=x2)))
    return close


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    close = isclose(x1, x2, rtol, atol, equal_nan)
    return _All(input=close, axis=tf.range(tf.rank(close)), keep_dims=False)


def logical_and(x1, x2):
    return tf.logical_and(_truth(x1), _truth(x2))


def logical_or(x1, x2):
    return tf.logical_or(_truth(x1), _truth(x2))


def logical_xor(x1, x2):
    return tf.math.not_equal(_truth(x1), _truth(x2))


# -- bitwise -----------------------------------------------------------------------


def bitwise_and(x, y):
    x, y = _integers("bitwise_and", x, y)
    return _LogicalAnd(x=x, y=y) if x.dtype is _BOOL else _BitwiseAnd(x=x, y=y)


def bitwise_or(x, y):
    x, y = _integers("bitwise_or", x, y)
    return _LogicalOr(x=x, y=y) if x.dtype is _BOOL else _BitwiseOr(x=x, y=y)


def bitwise_xor(x, y):
    x, y = _integers("bitwise_xor", x, y)
    return _NotEqual(x=x, y=y) if x.dtype is _BOOL else _BitwiseXor(x=x, y=y)


def bitwise_left_shift(x, y):
    x, y = _bool_as_int32(*_integers("bitwise_left_shift", x, y))
    return _LeftShift(x=x, y=y)


def bitwise_right_shift(x, y):
    x, y = _bool_as_int32(*_integers("bitwise_right_shift", x, y))
    return _RightShift(x=x, y=y)


left_shift = bitwise_left_shift
right_shift = bitwise_right_shift


def _gcd_wide(a, b):
    """gcd of non-negative int32/int64 tensors of one shape (Euclid, all elements at once)."""

    def step(a, b):
        nonzero = _NotEqual(x=b, y=tf.zeros((), b.dtype))
        safe = _SelectV2(condition=nonzero, t=b, e=tf.ones((), b.dtype))
        return (
            _SelectV2(condition=nonzero, t=b, e=a),
            _SelectV2(condition=nonzero, t=_FloorMod(x=a, y=safe), e=tf.zeros((), b.dtype)),
        )

    def going(a, b):
        return tf.reduce_any(_NotEqual(x=b, y=tf.zeros((), b.dtype)))

    a, _ = tf.while_loop(going, step, (a, b))
    return a


def _abs_wide(x1, x2):
    """|x1|, |x2| broadcast together, in int32 (int64 for 64-bit inputs)."""
    wide = tf.int64 if x1.dtype in (tf.int64, tf.uint32, tf.uint64) else _INT32
    x1, x2 = tf.cast(x1, wide), tf.cast(x2, wide)
    shape = tf.broadcast_dynamic_shape(tf.shape(x1), tf.shape(x2))
    return tf.broadcast_to(_Abs(x=x1), shape), tf.broadcast_to(_Abs(x=x2), shape)


def gcd(x1, x2):
    x1, x2 = _integers("gcd", x1, x2, allow_bool=False)
    a, b = _abs_wide(x1, x2)
    return tf.cast(_gcd_wide(a, b), x1.dtype)


def lcm(x1, x2):
    x1, x2 = _integers("lcm", x1, x2, allow_bool=False)
    a, b = _abs_wide(x1, x2)
    divisor = _gcd_wide(a, b)
    zero = _Equal(x=divisor, y=tf.zeros((), divisor.dtype))
    safe = _SelectV2(condition=zero, t=tf.ones((), divisor.dtype), e=divisor)
    multiple = _Mul(x=_FloorDiv(x=a, y=safe), y=b)
    return tf.cast(_SelectV2(condition=zero, t=tf.zeros((), divisor.dtype), e=multiple), x1.dtype)


# -- arithmetic ----------------------------------------------------------------------


def minimum(x1, x2):
    x1, x2 = _operands(x1, x2)
    if x1.dtype is _BOOL:  # no bool kernel
        return tf.logical_and(x1, x2)
    return _Minimum(x=x1, y=x2)


def _nan_ignoring(kernel, boolean):
    def pick(x1, x2):
        x1, x2 = _tensors(x1, x2)
        if x1.dtype is _BOOL:
            return boolean(x1, x2)
        out = kernel(x=x1, y=x2)
        if not x1.dtype.is_floating:
            return out
        out = _SelectV2(condition=_IsNan(x=x1), t=x2, e=out)
        return _SelectV2(condition=_IsNan(x=x2), t=x1, e=out)

    return pick


fmax = _nan_ignoring(_Maximum, tf.logical_or)
fmin = _nan_ignoring(_Minimum, tf.logical_and)


def floor_divide(x1, x2):
    x1, x2 = _bool_as_int32(*_operands(x1, x2))
    return _FloorDiv(x=x1, y=x2)


def mod(x1, x2):
    x1, x2 = _bool_as_int32(*_operands(x1, x2))
    return _FloorMod(x=x1, y=x2)


def fmod(x1, x2):
    # TruncateMod lacks int8, float16 kernels and a gradient: take the floor remainder
    # and move it to the dividend's sign where the two differ.
    x1, x2 = _bool_as_int32(*_tensors(x1, x2))
    rest = _FloorMod(x=x1, y=x2)
    zero = tf.zeros((), x1.dtype)
    moved = _LogicalAnd(
        x=_NotEqual(x=rest, y=zero),
        y=_NotEqual(x=_Less(x=rest, y=zero), y=_Less(x=x1, y=zero)),
    )
    return _SelectV2(condition=moved, t=_Sub(x=rest, y=x2), e=rest)


def power(x1, x2):
    x1, x2 = _bool_as_int32(*_tensors(x1, x2))
    if x1.dtype in _UNSIGNED:  # no unsigned Pow kernel; int64 wraps the same way
        return tf.cast(_Pow(x=tf.cast(x1, tf.int64), y=tf.cast(x2, tf.int64)), x1.dtype)
    return _Pow(x=x1, y=x2)


true_divide = _ops.divide


def divide_no_nan(x1, x2):
    x1, x2 = _floats(x1, x2)
    return _DivNoNan(x=x1, y=x2)


def arctan2(x1, x2):
    x1, x2 = _floats(x1, x2)
    return _Atan2(y=x1, x=x2)


def hypot(x1, x2):
    x1, x2 = _floats(x1, x2)
    x1, x2 = _Abs(x=x1), _Abs(x=x2)
    big, small = _Maximum(x=x1, y=x2), _Minimum(x=x1, y=x2)
    ratio = _DivNoNan(x=small, y=big)  # scaled, so squares cannot overflow
    return _Mul(x=big, y=_Sqrt(x=_AddV2(x=_Mul(x=ratio, y=ratio), y=tf.ones((), big.dtype))))


def _log_add(x1, x2, base_log):
    big = _Maximum(x=x1, y=x2)
    gap = -_Abs(x=_Sub(x=x1, y=x2))
    if base_log == 1.0:
        tail = _Log1p(x=_Exp(x=gap))
    else:
        tail = _Log1p(x=_Exp(x=gap * base_log)) / base_log
    out = _AddV2(x=big, y=tail)
    # Equal infinities: big - big would be NaN.
    same = _Equal(x=x1, y=x2)
    return _SelectV2(
        condition=same, t=_AddV2(x=x1, y=tf.constant(math.log(2.0) / base_log, x1.dtype)), e=out
    )


def logaddexp(x1, x2):
    return _log_add(*_floats(x1, x2), 1.0)


def logaddexp2(x1, x2):
    return _log_add(*_floats(x1, x2), _LN2)


def heaviside(x1, x2):
    x1, x2 = _floats(x1, x2)
    zero, one = tf.zeros((), x1.dtype), tf.ones((), x1.dtype)
    step = _SelectV2(condition=_Greater(x=x1, y=zero), t=one, e=zero)
    step = _SelectV2(condition=_Equal(x=x1, y=zero), t=x2, e=step)
    return _SelectV2(condition=_IsNan(x=x1), t=x1, e=step)


_BITS = {tf.float16: tf.int16, tf.bfloat16: tf.int16}


def nextafter(x1, x2):
    x1, x2 = _floats(x1, x2)
    bits = _BITS.get(x1.dtype)
    if bits is None:
        return _NextAfter(x1=x1, x2=x2)
    # No 16-bit kernel: step the bit pattern (sign and magnitude) by one.
    shape = tf.broadcast_dynamic_shape(tf.shape(x1), tf.shape(x2))
    x1, x2 = tf.broadcast_to(x1, shape), tf.broadcast_to(x2, shape)
    zero = tf.zeros((), x1.dtype)
    pattern = _Bitcast(input=x1, type=bits)
    away = tf.math.equal(_Greater(x=x2, y=x1), _Greater(x=x1, y=zero))  # magnitude grows
    stepped = _Bitcast(
        input=pattern + tf.where(away, tf.ones((), bits), -tf.ones((), bits)), type=x1.dtype
    )
    tiny = _Bitcast(input=tf.ones((), bits), type=x1.dtype)
    from_zero = _SelectV2(condition=_Greater(x=x2, y=zero), t=tiny, e=-tiny)
    out = _SelectV2(condition=_Equal(x=x1, y=zero), t=from_zero, e=stepped)
    out = _SelectV2(condition=_Equal(x=x1, y=x2), t=x2, e=out)
    nan = _LogicalOr(x=_IsNan(x=x1), y=_IsNan(x=x2))
    return _SelectV2(condition=nan, t=x1 + x2, e=out)


def ldexp(x1, x2):
    dtype = tf.as_dtype(_ldexp_dtype(x1, x2))
    x1 = tf.cast(convert_to_tensor(x1), dtype)
    scale = _Pow(x=tf.constant(2.0, dtype), y=tf.cast(convert_to_tensor(x2), dtype))
    return _Mul(x=x1, y=scale)


# -- selection -------------------------------------------------------------------------


def clip(x, x_min, x_max):
    x = convert_to_tensor(x)
    if x.dtype is _BOOL:  # Keras clips booleans as int32
        x = tf.cast(x, _INT32)
    if x_min is not None:
        x = _ops.maximum(x, x_min)
    if x_max is not None:
        x = minimum(x, x_max)
    return x


def where(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        indices = tf.cast(tf.where(_truth(condition)), _INT32)
        return tuple(tf.unstack(indices, num=convert_to_tensor(condition).shape.rank, axis=1))
    if x1 is None or x2 is None:
        raise ValueError("where: x1 and x2 must both be None or both be given")
    x1, x2 = _tensors(x1, x2)
    return _SelectV2(condition=_truth(condition), t=x1, e=x2)


def select(condlist, choicelist, default=0):
    dtype = _select_dtype(condlist, choicelist, default)
    out = convert_to_tensor(default, dtype)
    for condition, choice in zip(reversed(condlist), reversed(choicelist)):
        out = _SelectV2(condition=_truth(condition), t=convert_to_tensor(choice, dtype), e=out)
    return out
