"""Reading and writing an optimizer's learning rate from a callback.

An optimizer may be a wrapper (``LossScaleOptimizer``: ``inner_optimizer``) or hold
several optimizers (``optimizers``); ``learning_rate`` may be a Python number, a
variable or a tensor.

Example::

    >>> from kcore.callbacks._learning_rate import learning_rate_logs
    >>> class Opt: learning_rate = 0.01
    >>> learning_rate_logs(Opt())
    {'learning_rate': 0.01}
"""

from __future__ import annotations

from typing import Any

__all__ = ["as_float", "learning_rate_logs", "optimizers_of"]


def as_float(value: Any) -> float:
    """``value`` (a number, NumPy scalar, variable or 0-d tensor) as a Python float.

    Example::

        >>> as_float(0.5)
        0.5
    """
    try:
        return float(value)
    except (TypeError, ValueError):
        from kcore import ops

        return float(ops.convert_to_numpy(value))


def optimizers_of(optimizer: Any) -> list[tuple[str, Any]]:
    """``(log-name suffix, optimizer)`` pairs: ``[("", opt)]`` for one optimizer,
    ``[("_name", inner), ...]`` for an optimizer holding several.

    Example::

        >>> class Opt: learning_rate = 0.1
        >>> optimizers_of(Opt())[0][0]
        ''
    """
    inner = getattr(optimizer, "inner_optimizer", None)
    if inner is not None:
        optimizer = inner
    several = getattr(optimizer, "optimizers", None)
    if several:
        return [(f"_{getattr(opt, 'name', index)}", opt) for index, opt in enumerate(several)]
    return [("", optimizer)]


def learning_rate_logs(optimizer: Any) -> dict[str, float]:
    """The current learning rate(s) of ``optimizer``, keyed as Keras logs them
    (``learning_rate``, or ``learning_rate_<name>`` per inner optimizer).

    Example::

        >>> class Opt: learning_rate = 0.1
        >>> learning_rate_logs(Opt())
        {'learning_rate': 0.1}
    """
    if optimizer is None:
        return {}
    return {
        f"learning_rate{suffix}": as_float(opt.learning_rate)
        for suffix, opt in optimizers_of(optimizer)
        if hasattr(opt, "learning_rate")
    }
