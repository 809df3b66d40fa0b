"""``Input`` and ``InputLayer``: the symbolic entry points of a functional model.

Example::

    >>> x = kcore.Input(shape=(3,), name="features")
    >>> x
    <KerasTensor shape=(None, 3), dtype=float32, name=features>
"""

from __future__ import annotations

from typing import Any

from kcore.keras_tensor import KerasTensor
from kcore.layers.layer import Layer
from kcore.layers.node import Node


class InputLayer(Layer):
    """The layer behind :func:`Input`: it holds one KerasTensor and has no weights.

    Args:
        shape: the shape without the batch dimension.
        batch_size: the fixed batch size, or None.
        dtype: the input's dtype (default: floatx).
        sparse, ragged: accepted for Keras compatibility (must be false).
        batch_shape: the full shape, batch dimension included (instead of ``shape``).
        input_tensor: an existing KerasTensor to use as the input.
        optional: whether the input may be ``None``.
        name: the layer's (and the input's) name.
    """

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: Any = None,
        sparse: bool | None = None,
        ragged: bool | None = None,
        batch_shape: Any = None,
        input_tensor: Any = None,
        optional: bool = False,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        from kcore import config
        from kcore.dtypes import standardize_dtype

        if "input_shape" in kwargs:  # Keras 2 spelling
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, **kwargs)
        if sparse or ragged:
            raise ValueError(
                f"InputLayer '{self.name}': sparse and ragged inputs are not supported, "
                f"received sparse={sparse}, ragged={ragged}"
            )
        if shape is not None and batch_shape is not None:
            raise ValueError(
                f"InputLayer '{self.name}': pass shape or batch_shape, not both "
                f"(received shape={shape}, batch_shape={batch_shape})"
            )
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ValueError(
                    f"InputLayer '{self.name}': input_tensor must be a KerasTensor, "
                    f"received {type(input_tensor).__name__}"
                )
            batch_shape = input_tensor.shape
            dtype = dtype or input_tensor.dtype
        elif batch_shape is None:
            if shape is None:
                raise ValueError(
                    f"InputLayer '{self.name}': pass shape (without the batch dimension) "
                    "or batch_shape"
                )
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size, *tuple(shape))
        batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        for dim in batch_shape:
            if dim is not None and dim < 0:
                raise ValueError(
                    f"InputLayer '{self.name}': expected non-negative dimensions, received "
                    f"shape {batch_shape}"
                )
        self._batch_shape = batch_shape
        self._input_dtype = standardize_dtype(dtype or config.floatx())
        self.optional = optional
        self.sparse = False
        self.ragged = False
        tensor = KerasTensor(batch_shape, self._input_dtype, name=self.name)
        self.built = True
        Node(self, (), {}, tensor)
        self._input_tensor = tensor

    @property
    def batch_shape(self) -> tuple[Any, ...]:
        return self._batch_shape

    @property
    def dtype(self) -> str:
        return self._input_dtype

    def call(self, inputs: Any = None) -> Any:
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {
            "batch_shape": list(self._batch_shape),
            "dtype": self._input_dtype,
            "sparse": False,
            "ragged": False,
            "name": self.name,
            "optional": self.optional,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputLayer:
        return cls(**config)


def Input(  # noqa: N802 - Keras's name
    shape: Any = None,
    batch_size: int | None = None,
    dtype: Any = None,
    sparse: bool | None = None,
    ragged: bool | None = None,
    batch_shape: Any = None,
    name: str | None = None,
    tensor: Any = None,
    optional: bool = False,
) -> KerasTensor:
    """A symbolic input of ``shape`` (batch dimension excluded) for the functional API.

    Example::

        >>> inputs = kcore.Input(shape=(28, 28, 1))
        >>> outputs = kcore.layers.Flatten()(inputs)
        >>> model = kcore.Model(inputs, outputs)
    """
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        ragged=ragged,
        batch_shape=batch_shape,
        input_tensor=tensor,
        optional=optional,
        name=name,
    )
    return layer._input_tensor
