"""Fused optimizer updates for PyTorch: one ``torch._foreach_*`` call per operation over
all variables, instead of a Python loop of small ops per variable.

The core's optimizers look these up by their ``_kernel_name`` in
``Backend.optimizer_kernels`` and call them for an eager update (never inside a
``StatelessScope``); each computes what the optimizer's ``update_step`` computes, in
the same order of operations where ``_foreach`` allows, so the numbers agree to
float rounding. A kernel signature is ``(optimizer, grads, variables, learning_rate)``;
``"weight_decay"`` is ``(optimizer, variables, learning_rate, weight_decay)``.

Example::

    >>> from kcore_torch.optimizers import KERNELS
    >>> sorted(KERNELS)
    ['adam', 'rmsprop', 'sgd', 'weight_decay']
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from kcore.variables import Variable
from kcore_torch import ops as torch_ops

_NUMPY_FLOATS = {torch.float32: np.float32, torch.float64: np.float64, torch.float16: np.float16}
#: Per optimizer: the variables' ids of the last call and the Parameters it resolved.
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _scalar(value: Any) -> float:
    """A Python float from a number, a tensor or a variable (one read, no NumPy)."""
    if isinstance(value, Variable):
        value = value.value
    if isinstance(value, torch.Tensor):
        return value.item()
    return float(value)


def _parameters(optimizer: Any, variables: Sequence[Any], slot_names: tuple[str, ...]) -> tuple:
    """The variables' Parameters and, per slot list attribute of ``optimizer``, the slots'
    Parameters in the same order; cached while the same variables come in."""
    key = (tuple(map(id, variables)), slot_names)
    cached = _cache.get(optimizer)
    if cached is not None and cached[0] == key:
        return cached[1]
    indices = [optimizer._get_variable_index(v) for v in variables]
    resolved = (
        [v.value for v in variables],
        *([getattr(optimizer, name)[i].value for i in indices] for name in slot_names),
    )
    _cache[optimizer] = (key, resolved)
    return resolved


def _gradients(grads: Sequence[Any], params: list[torch.Tensor]) -> list[torch.Tensor]:
    out = []
    for g, p in zip(grads, params):
        if not isinstance(g, torch.Tensor):
            g = torch_ops.convert_to_tensor(g)
        if g.dtype != p.dtype or g.device != p.device:
            g = g.to(device=p.device, dtype=p.dtype)
        out.append(g)
    return out


@torch.no_grad()
def sgd(optimizer: Any, grads: Sequence[Any], variables: Sequence[Any], learning_rate: Any):
    """SGD, with momentum and Nesterov momentum."""
    lr = _scalar(learning_rate)
    if optimizer.momentum == 0:
        (params,) = _parameters(optimizer, variables, ())
        torch._foreach_add_(params, _gradients(grads, params), alpha=-lr)
        return
    params, momentums = _parameters(optimizer, variables, ("momentums",))
    grads = _gradients(grads, params)
    momentum = optimizer.momentum
    torch._foreach_mul_(momentums, momentum)  # m = momentum * m - lr * g
    torch._foreach_add_(momentums, grads, alpha=-lr)
    if optimizer.nesterov:  # w += momentum * m - lr * g
        torch._foreach_add_(params, momentums, alpha=momentum)
        torch._foreach_add_(params, grads, alpha=-lr)
    else:
        torch._foreach_add_(params, momentums)


@torch.no_grad()
def adam(optimizer: Any, grads: Sequence[Any], variables: Sequence[Any], learning_rate: Any):
    """Adam (and AdamW, whose decay runs before): Keras's bias correction folded into
    the step size ``alpha``."""
    params, momentums, velocities = _parameters(optimizer, variables, ("_momentums", "_velocities"))
    grads = _gradients(grads, params)
    beta_1, beta_2 = optimizer.beta_1, optimizer.beta_2
    # In the variables' precision, as update_step computes it: 1 - beta_2**t loses most
    # of its digits in float32, and the generic path's numbers are the reference.
    real = _NUMPY_FLOATS.get(params[0].dtype, np.float64) if params else np.float64
    step = real(_scalar(optimizer.iterations) + 1)
    one = real(1)
    beta_1_power, beta_2_power = real(beta_1) ** step, real(beta_2) ** step
    alpha = float(real(_scalar(learning_rate)) * np.sqrt(one - beta_2_power) / (one - beta_1_power))
    torch._foreach_lerp_(momentums, grads, 1 - beta_1)  # m += (g - m) * (1 - beta_1)
    squares = torch._foreach_mul(grads, grads)
    torch._foreach_lerp_(velocities, squares, 1 - beta_2)  # v += (g^2 - v) * (1 - beta_2)
    denominators = torch._foreach_sqrt(velocities)
    torch._foreach_add_(denominators, optimizer.epsilon)
    torch._foreach_addcdiv_(params, momentums, denominators, value=-alpha)


@torch.no_grad()
def rmsprop(optimizer: Any, grads: Sequence[Any], variables: Sequence[Any], learning_rate: Any):
    """RMSprop, plain, centered and with momentum."""
    slots = ["_velocities"]
    if optimizer.centered:
        slots.append("_average_gradients")
    if optimizer.momentum > 0:
        slots.append("_momentums")
    params, velocities, *rest = _parameters(optimizer, variables, tuple(slots))
    grads = _gradients(grads, params)
    lr, rho = _scalar(learning_rate), optimizer.rho
    torch._foreach_mul_(velocities, rho)  # v = rho * v + (1 - rho) * g^2
    torch._foreach_addcmul_(velocities, grads, grads, value=1 - rho)
    if optimizer.centered:
        averages = rest.pop(0)
        torch._foreach_mul_(averages, rho)  # a = rho * a + (1 - rho) * g
        torch._foreach_add_(averages, grads, alpha=1 - rho)
        denominators = torch._foreach_addcmul(velocities, averages, averages, value=-1)
        torch._foreach_add_(denominators, optimizer.epsilon)
    else:
        denominators = torch._foreach_add(velocities, optimizer.epsilon)
    torch._foreach_sqrt_(denominators)
    if optimizer.momentum > 0:
        (momentums,) = rest
        torch._foreach_mul_(momentums, optimizer.momentum)  # m = momentum * m + step
        torch._foreach_addcdiv_(momentums, grads, denominators, value=lr)
        torch._foreach_sub_(params, momentums)
    else:
        torch._foreach_addcdiv_(params, grads, denominators, value=-lr)


@torch.no_grad()
def weight_decay(optimizer: Any, variables: Sequence[Any], learning_rate: Any, rate: float):
    """Decoupled weight decay: ``w -= w * rate * learning_rate`` for every variable."""
    if not variables:
        return
    params = [v.value for v in variables]
    torch._foreach_mul_(params, 1 - rate * _scalar(learning_rate))


#: What ``make_backend`` hands the core as ``optimizer_kernels``.
KERNELS: dict[str, Callable[..., None]] = {
    "sgd": sgd,
    "adam": adam,
    "rmsprop": rmsprop,
    "weight_decay": weight_decay,
}
