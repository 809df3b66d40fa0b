"""Element-wise ops of two or more tensors and comparisons: this backend's implementations.

``jax.numpy`` already follows Keras 3's dtype rules here (Keras's promotion is JAX's,
Python scalars are weak, integer ops on booleans give ``int32``), so most ops are the
``jnp`` functions themselves.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from kcore_jax.ops import convert_to_tensor

equal = jnp.equal
not_equal = jnp.not_equal
greater = jnp.greater
greater_equal = jnp.greater_equal
less = jnp.less
less_equal = jnp.less_equal
isclose = jnp.isclose
allclose = jnp.allclose
logical_and = jnp.logical_and
logical_or = jnp.logical_or
logical_xor = jnp.logical_xor

bitwise_and = jnp.bitwise_and
bitwise_or = jnp.bitwise_or
bitwise_xor = jnp.bitwise_xor
bitwise_left_shift = jnp.left_shift
bitwise_right_shift = jnp.right_shift
left_shift = jnp.left_shift
right_shift = jnp.right_shift
gcd = jnp.gcd
lcm = jnp.lcm

minimum = jnp.minimum
fmax = jnp.fmax
fmin = jnp.fmin
floor_divide = jnp.floor_divide
mod = jnp.remainder
fmod = jnp.fmod
power = jnp.power
true_divide = jnp.true_divide
arctan2 = jnp.arctan2
hypot = jnp.hypot
logaddexp = jnp.logaddexp
logaddexp2 = jnp.logaddexp2
heaviside = jnp.heaviside
nextafter = jnp.nextafter


def divide_no_nan(x1, x2):
    x1, x2 = _operand(x1), _operand(x2)
    zero = x2 == 0
    # A safe divisor keeps the gradient of the discarded branch finite.
    quotient = jnp.true_divide(x1, jnp.where(zero, jnp.ones_like(x2), x2))
    return jnp.where(zero, jnp.zeros_like(quotient), quotient)


def _operand(x):
    # Python scalars stay weak (jnp promotes them like Keras); the rest become arrays.
    return x if type(x) in (int, float, bool) else convert_to_tensor(x)


def ldexp(x1, x2):
    # jnp.ldexp also takes booleans as exponents; Keras refuses everything but integers.
    if type(x2) is not int:
        x2 = convert_to_tensor(x2)
        if not jnp.issubdtype(x2.dtype, jnp.integer):
            raise TypeError(f"ldexp takes an integer exponent x2, got dtype {x2.dtype}")
    return jnp.ldexp(x1, x2)


def clip(x, x_min, x_max):
    x = convert_to_tensor(x)
    if x.dtype == np.bool_:  # Keras clips booleans as int32
        x = x.astype(jnp.int32)
    # maximum/minimum (rather than jnp.clip) promote with the bounds, as Keras does.
    if x_min is not None:
        x = jnp.maximum(x, x_min)
    if x_max is not None:
        x = jnp.minimum(x, x_max)
    return x


def where(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        return jnp.nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError("where: x1 and x2 must both be None or both be given")
    return jnp.where(condition, x1, x2)


def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"select: condlist and choicelist must have the same length, got "
            f"{len(condlist)} and {len(choicelist)}"
        )
    conditions = [jnp.asarray(c).astype(bool) for c in condlist]
    return jnp.select(conditions, [_operand(c) for c in choicelist], _operand(default))
