"""Symbolic tensors: a shape (``None`` for unknown dimensions) and a dtype.

Example::

    >>> KerasTensor((None, 3), "float32")
    <KerasTensor shape=(None, 3), dtype=float32>
"""

from __future__ import annotations

from typing import Any


class KerasTensor:
    """A placeholder with a shape and a dtype, used by the functional API and by
    ``Backend.compute_output_spec``. It holds no data."""

    __slots__ = ("shape", "dtype", "name")

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

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}>"

    def __eq__(self, other: object) -> bool:  # structural equality for tests and specs
        if not isinstance(other, KerasTensor):
            return NotImplemented
        return self.shape == other.shape and self.dtype == other.dtype

    __hash__ = object.__hash__


def is_keras_tensor(x: Any) -> bool:
    return isinstance(x, KerasTensor)
