"""Element-wise ops of two or more tensors and comparisons: this backend's implementations.

Operands are brought to Keras 3's dtypes by :func:`_pair`: two tensors of different
dtypes are cast to :func:`kcore.dtypes.result_type` of theirs (torch would let a 0-d
tensor give way, Keras does not), and a Python scalar becomes a 0-d tensor, which
torch's promotion treats weakly, as Keras treats Python scalars (``int8`` with ``2``
stays ``int8``; ``bool`` with ``2`` becomes ``int32``).
"""

from __future__ import annotations

import torch

from kcore import config
from kcore.dtypes import dtype_of, result_type
from kcore.ops.numpy_binary import _ldexp_dtype, _select_dtype
from kcore_torch import ops as _ops
from kcore_torch.ops import (
    STANDARD_NAMES,
    TORCH_DTYPES,
    _operands,
    _tensor,
    _weak_scalar_tensor,
    to_tensor,
    to_torch_dtype,
)

_Tensor = torch.Tensor
_BOOL = torch.bool
_INT32 = torch.int32


def _pair(x1, x2):
    """Two tensors in Keras's dtypes (see the module docstring)."""
    x1, x2 = _operands(x1, x2)
    if isinstance(x1, _Tensor):
        if isinstance(x2, _Tensor):
            if x1.dtype is not x2.dtype:
                dtype = TORCH_DTYPES[
                    result_type(STANDARD_NAMES[x1.dtype], STANDARD_NAMES[x2.dtype])
                ]
                x1, x2 = x1.to(dtype), x2.to(dtype)
            return x1, x2
        return x1, _weak_scalar_tensor(x2, x1)
    return _weak_scalar_tensor(x1, x2), x2


def _same(x1, x2):
    """:func:`_pair`, then one dtype for both (for kernels that refuse mixed dtypes)."""
    x1, x2 = _pair(x1, x2)
    if x1.dtype is not x2.dtype:
        dtype = torch.result_type(x1, x2)
        x1, x2 = x1.to(dtype), x2.to(dtype)
    return x1, x2


def _floats(x1, x2):
    """:func:`_same` in the promoted float dtype (floatx for integers and booleans)."""
    x1, x2 = _pair(x1, x2)
    dtype = torch.result_type(x1, x2)
    if not dtype.is_floating_point:
        dtype = TORCH_DTYPES[config.floatx()]
    return x1.to(dtype), x2.to(dtype)


def _integers(x1, x2):
    """:func:`_same`, with two booleans computed as int32 (as Keras does)."""
    x1, x2 = _same(x1, x2)
    if x1.dtype is _BOOL:
        return x1.to(_INT32), x2.to(_INT32)
    return x1, x2


# -- comparisons -----------------------------------------------------------------


def equal(x1, x2):
    return torch.eq(*_pair(x1, x2))


def not_equal(x1, x2):
    return torch.ne(*_pair(x1, x2))


def greater(x1, x2):
    return torch.gt(*_pair(x1, x2))


def greater_equal(x1, x2):
    return torch.ge(*_pair(x1, x2))


def less(x1, x2):
    return torch.lt(*_pair(x1, x2))


def less_equal(x1, x2):
    return torch.le(*_pair(x1, x2))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    x1, x2 = _same(x1, x2)
    return torch.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    # torch.allclose answers a Python bool; Keras gives a tensor.
    return torch.all(isclose(x1, x2, rtol, atol, equal_nan))


def logical_and(x1, x2):
    return torch.logical_and(*_pair(x1, x2))


def logical_or(x1, x2):
    return torch.logical_or(*_pair(x1, x2))


def logical_xor(x1, x2):
    return torch.logical_xor(*_pair(x1, x2))


# -- bitwise -----------------------------------------------------------------------


def bitwise_and(x, y):
    return torch.bitwise_and(*_same(x, y))


def bitwise_or(x, y):
    return torch.bitwise_or(*_same(x, y))


def bitwise_xor(x, y):
    return torch.bitwise_xor(*_same(x, y))


def bitwise_left_shift(x, y):
    return torch.bitwise_left_shift(*_integers(x, y))


def bitwise_right_shift(x, y):
    return torch.bitwise_right_shift(*_integers(x, y))


left_shift = bitwise_left_shift
right_shift = bitwise_right_shift


def gcd(x1, x2):
    return torch.gcd(*_same(x1, x2))


def lcm(x1, x2):
    return torch.lcm(*_same(x1, x2))


# -- arithmetic ----------------------------------------------------------------------


def minimum(x1, x2):
    return torch.minimum(*_pair(x1, x2))


def fmax(x1, x2):
    return torch.fmax(*_pair(x1, x2))


def fmin(x1, x2):
    return torch.fmin(*_pair(x1, x2))


def floor_divide(x1, x2):
    return torch.floor_divide(*_integers(x1, x2))


def mod(x1, x2):
    return torch.remainder(*_integers(x1, x2))


def fmod(x1, x2):
    return torch.fmod(*_integers(x1, x2))


def power(x1, x2):
    return torch.pow(*_integers(x1, x2))


true_divide = _ops.divide


def divide_no_nan(x1, x2):
    x1, x2 = _floats(x1, x2)
    zero = x2 == 0
    # A safe divisor keeps the gradient of the discarded branch finite.
    quotient = x1 / torch.where(zero, torch.ones_like(x2), x2)
    return torch.where(zero, torch.zeros_like(quotient), quotient)


def arctan2(x1, x2):
    return torch.atan2(*_floats(x1, x2))


def hypot(x1, x2):
    return torch.hypot(*_floats(x1, x2))


def logaddexp(x1, x2):
    return torch.logaddexp(*_floats(x1, x2))


def logaddexp2(x1, x2):
    return torch.logaddexp2(*_floats(x1, x2))


def heaviside(x1, x2):
    x1, x2 = _floats(x1, x2)
    # torch steps NaN to 0; NumPy and Keras keep it NaN.
    return torch.where(torch.isnan(x1), x1, torch.heaviside(x1, x2))


def nextafter(x1, x2):
    return torch.nextafter(*_floats(x1, x2))


def ldexp(x1, x2):
    dtype = to_torch_dtype(_ldexp_dtype(x1, x2))
    x1, x2 = _operands(x1, x2)
    if not isinstance(x2, _Tensor):
        x2 = to_tensor(x2, None, x1.device)
    if not isinstance(x1, _Tensor):
        x1 = to_tensor(x1, None, x2.device)
    # torch.ldexp warns when it broadcasts a 0-d input; scale by an exact power of 2.
    return x1.to(dtype) * torch.pow(2.0, x2.to(dtype))


# -- selection -------------------------------------------------------------------------


def clip(x, x_min, x_max):
    x = _tensor(x)
    if x.dtype is _BOOL:  # Keras clips booleans as int32
        x = x.to(_INT32)
    if x_min is not None:
        x = torch.maximum(*_pair(x, x_min))
    if x_max is not None:
        x = torch.minimum(*_pair(x, x_max))
    return x


def _condition(condition):
    condition = _tensor(condition)
    return condition if condition.dtype is _BOOL else condition != 0


def where(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        return tuple(i.to(_INT32) for i in torch.nonzero(_tensor(condition), as_tuple=True))
    if x1 is None or x2 is None:
        raise ValueError("where: x1 and x2 must both be None or both be given")
    a, b = _operands(x1, x2)
    x1, x2 = _pair(a, b)
    if x1.dtype is not x2.dtype:
        # Keras's table with the Python scalar weak: torch would rank a 0-d float16
        # below the 0-d float32 made from the scalar.
        dtype = TORCH_DTYPES[result_type(dtype_of(a), dtype_of(b))]
        x1, x2 = x1.to(dtype), x2.to(dtype)
    return torch.where(_condition(condition), x1, x2)


def select(condlist, choicelist, default=0):
    dtype = to_torch_dtype(_select_dtype(condlist, choicelist, default))
    conditions = [_condition(c) for c in condlist]
    device = conditions[0].device
    out = to_tensor(default, None, device).to(dtype)
    for condition, choice in zip(reversed(conditions), reversed(choicelist)):
        out = torch.where(condition, to_tensor(choice, None, device).to(dtype), out)
    return out
