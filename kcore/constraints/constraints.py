"""Weight constraints: projections applied to a variable after each optimizer step."""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore.config import epsilon


class Constraint:
    """Base class of constraints: ``constraint(w)`` returns the projected weight. A
    subclass implements ``__call__`` and, if it takes arguments, ``get_config``.

    Example::

        >>> class Clip(Constraint):
        ...     def __call__(self, w):
        ...         return kcore.ops.clip(w, -1.0, 1.0)
    """

    def __init__(self) -> None:
        pass

    def __call__(self, w: Any) -> Any:
        return w

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (JSON-ready)."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        """The constraint :meth:`get_config` describes."""
        return cls(**config)


def _norms(w: Any, axis: Any) -> Any:
    if isinstance(axis, list):  # Keras's docs write axis=[0, 1, 2] for conv kernels
        axis = tuple(axis)
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales the slices along ``axis`` whose L2 norm exceeds ``max_value``.

    Args:
        max_value: the largest norm allowed.
        axis: the axis (or axes) the norm is taken over; ``0`` for a ``Dense``
            kernel ``(input_dim, units)`` constrains each unit's incoming weights.

    Example::

        >>> w = MaxNorm(1.0)(kcore.ops.ones((4, 2)))   # columns of norm 1
    """

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0, self.max_value)
        return ops.cast(w, norms.dtype) * (desired / (epsilon() + norms))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero.

    Example::

        >>> w = NonNeg()(kcore.ops.convert_to_tensor([-1.0, 2.0]))   # [0, 2]
    """

    def __call__(self, w: Any) -> Any:
        return ops.maximum(ops.convert_to_tensor(w), 0)


class UnitNorm(Constraint):
    """Rescales the slices along ``axis`` to an L2 norm of 1.

    Args:
        axis: the axis (or axes) the norm is taken over.

    Example::

        >>> w = UnitNorm()(kcore.ops.ones((4, 2)))   # every entry 0.5
    """

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        return ops.cast(w, norms.dtype) / (epsilon() + norms)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves the L2 norms of the slices along ``axis`` into
    ``[min_value, max_value]``, by the fraction ``rate`` of the way per call.

    Args:
        min_value: the smallest norm allowed.
        max_value: the largest norm allowed.
        rate: ``1.0`` enforces the bounds at once; smaller values move towards them.
        axis: the axis (or axes) the norm is taken over.

    Example::

        >>> w = MinMaxNorm(0.5, 1.0)(kcore.ops.ones((4, 2)))
    """

    def __init__(
        self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0
    ) -> None:
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = (
            self.rate * ops.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        )
        return ops.cast(w, norms.dtype) * (desired / (epsilon() + norms))

    def get_config(self) -> dict[str, Any]:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }
