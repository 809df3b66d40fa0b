"""``kcore.Sequential``: a plain stack of layers, each with one input and one output.

Example::

    >>> model = kcore.Sequential([
    ...     kcore.Input((4,)),
    ...     kcore.layers.Dense(8, activation="relu"),
    ...     kcore.layers.Dense(1),
    ... ])
    >>> model.add(kcore.layers.Activation("sigmoid"))
    >>> tuple(model(kcore.ops.ones((2, 4))).shape)
    (2, 1)
"""

from __future__ import annotations

from typing import Any

from kcore.keras_tensor import KerasTensor
from kcore.layers.input_layer import InputLayer
from kcore.layers.layer import Layer, _shape_of
from kcore.models.model import Model


class Sequential(Model):
    """A model that runs its layers one after the other.

    Args:
        layers: the layers, in order (an ``Input(...)`` or ``InputLayer`` first fixes
            the input shape and builds the model at once; otherwise the model is built
            on its first call).
        trainable: whether its weights are trained.
        name: the model's name.
    """

    def __init__(self, layers: Any = None, trainable: bool = True, name: str | None = None) -> None:
        super().__init__(trainable=trainable, name=name)
        self._stack: list[Layer] = []
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._rebuild()

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append ``layer`` (an ``Input(...)`` tensor adds its InputLayer)."""
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Sequential '{self.name}': only layers can be added, received "
                f"{layer!r} of type {type(layer).__name__}"
            )
        if isinstance(layer, InputLayer) and self._stack:
            raise ValueError(
                f"Sequential '{self.name}': an InputLayer can only be the first layer "
                f"(the model already has {len(self._stack)} layers)"
            )
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError(
                f"Sequential '{self.name}': every layer must have a unique name; "
                f"'{layer.name}' is already in the model"
            )
        self._stack.append(layer)
        if rebuild:
            self._rebuild()
        else:
            self.built = False

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self.layers:
            raise TypeError(f"Sequential '{self.name}': there are no layers to pop")
        layer = self._stack.pop()
        if rebuild:
            self._rebuild()
        return layer

    @property
    def layers(self) -> list[Layer]:
        return [layer for layer in self._stack if not isinstance(layer, InputLayer)]

    def _input_layer(self) -> InputLayer | None:
        first = self._stack[0] if self._stack else None
        return first if isinstance(first, InputLayer) else None

    def _rebuild(self) -> None:
        self.built = False
        self._graph_inputs = None
        self._graph_outputs = None
        input_layer = self._input_layer()
        if input_layer is not None:
            self._build_from(input_layer._input_tensor)
        elif self._stack and self._stack[0]._input_shape_arg is not None:
            self._stack.insert(0, InputLayer(batch_shape=self._stack[0]._input_shape_arg))
            self._build_from(self._stack[0]._input_tensor)

    def _build_from(self, inputs: KerasTensor) -> None:
        x = inputs
        for layer in self.layers:
            x = layer(x)
        self._graph_inputs = inputs
        self._graph_outputs = x
        self._build_shapes = {"input_shape": inputs.shape}
        self.built = True
        self._post_build()

    def build(self, input_shape: Any = None) -> None:
        input_layer = self._input_layer()
        if input_layer is not None:
            self._build_from(input_layer._input_tensor)
            return
        if input_shape is None:
            raise ValueError(
                f"Sequential '{self.name}' needs an input shape to build: pass "
                "input_shape, start with kcore.Input(shape), or call it on data"
            )
        self._stack.insert(0, InputLayer(batch_shape=tuple(input_shape)))
        self._build_from(self._stack[0]._input_tensor)

    def _maybe_build(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if self.built:
            return
        first = args[0] if args else next(iter(kwargs.values()))
        shape = _shape_of(first)
        from kcore.dtypes import standardize_dtype

        dtype = getattr(first, "dtype", None)
        dtype = standardize_dtype(dtype) if dtype is not None else None
        # As in Keras, the input becomes the first layer: later add()/pop() rebuild.
        self._stack.insert(0, InputLayer(batch_shape=(None, *shape[1:]), dtype=dtype))
        self._build_from(self._stack[0]._input_tensor)

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        x = inputs
        for layer in self.layers:
            kwargs = {}
            if mask is not None and layer._call_info.mask:
                kwargs["mask"] = mask
            outputs = layer(x, **kwargs)
            if layer.supports_masking or type(layer).compute_mask is not Layer.compute_mask:
                mask = layer.compute_mask(x, mask)
            else:
                mask = None
            x = outputs
        return x

    @property
    def inputs(self) -> Any:
        return None if self._graph_inputs is None else [self._graph_inputs]

    @property
    def outputs(self) -> Any:
        return None if self._graph_outputs is None else [self._graph_outputs]

    @property
    def input_shape(self) -> Any:
        return None if self._graph_inputs is None else self._graph_inputs.shape

    @property
    def output_shape(self) -> Any:
        return None if self._graph_outputs is None else self._graph_outputs.shape

    def get_config(self) -> dict[str, Any]:
        from kcore.saving.serialization import serialize_keras_object

        layers = [serialize_keras_object(layer) for layer in self._stack]
        config: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": serialize_keras_object(self.dtype_policy),
            "layers": layers,
        }
        if self._build_shapes:
            config["build_input_shape"] = [
                None if d is None else d for d in self._build_shapes["input_shape"]
            ]
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Sequential:
        from kcore.saving.serialization import deserialize_keras_object

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config.get("layers", []):
            layer = deserialize_keras_object(layer_config, custom_objects=custom_objects)
            model.add(layer, rebuild=False)
        model._rebuild()
        if not model.built and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model
