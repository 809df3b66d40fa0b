"""Symbolic tensors: a shape (``None`` for unknown dimensions) and a dtype.

Every op accepts KerasTensors and returns KerasTensors with the inferred shape and
dtype. A KerasTensor refuses to become data (``numpy.asarray``, ``bool``, ``len``,
iteration): a backend function that receives one fails at once, and the public op
then answers symbolically (see :mod:`kcore.ops.contract`).

Example::

    >>> x = KerasTensor((None, 3), "float32")
    >>> kcore.ops.matmul(x, KerasTensor((3, 4)))
    <KerasTensor shape=(None, 4), dtype=float32>
"""

from __future__ import annotations

from typing import Any


class SymbolicValueError(TypeError):
    """Raised when a KerasTensor is used where concrete data is needed."""


def _refuse(self: KerasTensor, *args: Any, **kwargs: Any) -> Any:
    raise SymbolicValueError(
        f"{self!r} is symbolic: it has a shape and a dtype but no values; "
        "pass it to kcore.ops functions, or feed real data"
    )


class KerasTensor:
    """A placeholder with a shape and a dtype; it holds no data."""

    __slots__ = ("shape", "dtype", "name", "_keras_history", "_keras_mask", "sparse", "ragged")
    __array_priority__ = 1000  # NumPy defers binary operators to ours

    def __init__(self, shape: Any, dtype: Any = "float32", name: str | None = None) -> None:
        from kcore.dtypes import standardize_dtype

        shape = tuple(shape)
        for dim in shape:
            if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int) or dim < 0):
                raise ValueError(
                    f"KerasTensor shape must hold non-negative ints or None, got {shape}"
                )
        self.shape = shape
        self.dtype = standardize_dtype(dtype)
        self.name = name
        self.sparse = False
        self.ragged = False
        #: ``(operation, node_index, tensor_index)`` of the layer call that made it.
        self._keras_history = None
        #: The symbolic mask that travels with it in the functional API, or None.
        self._keras_mask = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        name = f", name={self.name}" if self.name else ""
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}{name}>"

    def __eq__(self, other: object) -> bool:  # structural equality for tests and specs
        if not isinstance(other, KerasTensor):
            return NotImplemented
        return self.shape == other.shape and self.dtype == other.dtype

    __hash__ = object.__hash__

    __array__ = _refuse
    __bool__ = _refuse
    __len__ = _refuse
    __iter__ = _refuse
    __float__ = _refuse
    __int__ = _refuse
    __index__ = _refuse

    # Arithmetic builds the graph through the public ops.
    def __add__(self, other: Any) -> Any:
        return _ops().add(self, other)

    def __radd__(self, other: Any) -> Any:
        return _ops().add(other, self)

    def __sub__(self, other: Any) -> Any:
        return _ops().subtract(self, other)

    def __rsub__(self, other: Any) -> Any:
        return _ops().subtract(other, self)

    def __mul__(self, other: Any) -> Any:
        return _ops().multiply(self, other)

    def __rmul__(self, other: Any) -> Any:
        return _ops().multiply(other, self)

    def __truediv__(self, other: Any) -> Any:
        return _ops().divide(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return _ops().divide(other, self)

    def __matmul__(self, other: Any) -> Any:
        return _ops().matmul(self, other)

    def __neg__(self) -> Any:
        return _ops().negative(self)

    def __pow__(self, other: Any) -> Any:
        return _ops().power(self, other)

    def __rpow__(self, other: Any) -> Any:
        return _ops().power(other, self)

    def __getitem__(self, key: Any) -> Any:
        return _ops().get_item(self, key)

    def __rmatmul__(self, other: Any) -> Any:
        return _ops().matmul(other, self)


def _ops() -> Any:
    from kcore import ops

    return ops


def is_keras_tensor(x: Any) -> bool:
    return isinstance(x, KerasTensor)


def any_symbolic(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether a KerasTensor is among the arguments (one level into lists and tuples)."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, KerasTensor):
            return True
        if isinstance(value, list | tuple) and any(isinstance(v, KerasTensor) for v in value):
            return True
    return False
