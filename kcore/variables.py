"""``kcore.Variable``: a named, mutable tensor stored in the backend's own type.

Each backend subclasses :class:`Variable` and sets how values are stored
(``_convert``, ``_to_numpy``, ``_initialize``, ``_direct_assign``): a ``jax.Array``
replaced on assignment, a ``torch.nn.Parameter`` updated in place, a
``tf.Variable``. The Layer system builds on this (a later issue adds constraints,
regularizers, aggregation and paths).

Example::

    >>> v = kcore.backend.get_backend("numpy").Variable([1.0, 2.0], name="w")
    >>> v.assign_add([1.0, 1.0]).tolist()
    [2.0, 3.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kcore.dtypes import standardize_dtype


class Variable:
    """A backend-native variable.

    Args:
        initializer: an array-like value, or a callable ``(shape, dtype) -> value``
            (then ``shape`` is required).
        shape: the shape, checked against the initial value when both are given.
        dtype: a dtype name; default: the value's own, floats becoming ``floatx()``.
        trainable: whether optimizers update it.
        name: a name for display and saving.
    """

    def __init__(
        self,
        initializer: Any,
        shape: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        name: str | None = None,
    ) -> None:
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Variable name must be a string without '/', got {name!r}")
        self.name = name or "variable"
        self.trainable = bool(trainable)
        if callable(initializer):
            if shape is None:
                raise ValueError(f"Variable '{self.name}': a callable initializer needs a shape")
            value = initializer(tuple(shape), standardize_dtype(dtype))
        else:
            value = initializer
        value = self._convert(value, None if dtype is None else standardize_dtype(dtype))
        if shape is not None and tuple(shape) != tuple(value.shape):
            raise ValueError(
                f"Variable '{self.name}': expected shape {tuple(shape)}, "
                f"received an initial value of shape {tuple(value.shape)}"
            )
        self._initialize(value)

    # -- what a backend subclass provides ------------------------------------
    def _convert(self, value: Any, dtype: str | None) -> Any:
        """Turn ``value`` into the backend's tensor type (floats default to floatx)."""
        raise NotImplementedError(f"{type(self).__name__} must define _convert")

    def _to_numpy(self, value: Any) -> np.ndarray:
        return np.asarray(value)

    def _initialize(self, value: Any) -> None:
        self._value = value

    def _direct_assign(self, value: Any) -> None:
        self._value = value

    # -- the public API ------------------------------------------------------
    @property
    def value(self) -> Any:
        """The current value, as the backend's tensor type."""
        return self._value

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self._value.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def dtype(self) -> str:
        return standardize_dtype(self._value.dtype)

    def numpy(self) -> np.ndarray:
        """A NumPy copy of the value."""
        return self._to_numpy(self._value)

    def assign(self, value: Any) -> Any:
        """Replace the value; shape must match. Returns the new value."""
        new = self._convert(value, self.dtype)
        if tuple(new.shape) != self.shape:
            raise ValueError(
                f"Variable '{self.name}': cannot assign a value of shape "
                f"{tuple(new.shape)} to a variable of shape {self.shape}"
            )
        self._direct_assign(new)
        return self._value

    def assign_add(self, value: Any) -> Any:
        return self.assign(self._value + self._convert(value, self.dtype))

    def assign_sub(self, value: Any) -> Any:
        return self.assign(self._value - self._convert(value, self.dtype))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __repr__(self) -> str:
        return (
            f"<Variable name={self.name}, shape={self.shape}, dtype={self.dtype}, "
            f"value={self.numpy()!r}>"
        )

    def _operand(self, other: Any) -> Any:
        if isinstance(other, Variable):
            return other.value
        if isinstance(other, list | tuple):  # frameworks don't broadcast Python lists
            return self._convert(other, None)
        return other

    # Arithmetic reads the value; the result is a plain tensor, as in Keras.
    def __add__(self, other: Any) -> Any:
        return self._value + self._operand(other)

    def __radd__(self, other: Any) -> Any:
        return self._operand(other) + self._value

    def __sub__(self, other: Any) -> Any:
        return self._value - self._operand(other)

    def __rsub__(self, other: Any) -> Any:
        return self._operand(other) - self._value

    def __mul__(self, other: Any) -> Any:
        return self._value * self._operand(other)

    def __rmul__(self, other: Any) -> Any:
        return self._operand(other) * self._value

    def __truediv__(self, other: Any) -> Any:
        return self._value / self._operand(other)

    def __rtruediv__(self, other: Any) -> Any:
        return self._operand(other) / self._value

    def __matmul__(self, other: Any) -> Any:
        return self._value @ self._operand(other)

    def __rmatmul__(self, other: Any) -> Any:
        return self._operand(other) @ self._value

    def __neg__(self) -> Any:
        return -self._value

    def __getitem__(self, index: Any) -> Any:
        return self._value[index]
