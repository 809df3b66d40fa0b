"""``kcore.Model``: a layer with training and saving APIs; also the functional API's
entry point (``Model(inputs, outputs)`` builds a :class:`~kcore.models.Functional`).

Example (subclassing)::

    >>> class MLP(kcore.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = kcore.layers.Dense(8, activation="relu")
    ...         self.out = kcore.layers.Dense(1)
    ...     def call(self, x):
    ...         return self.out(self.hidden(x))
    >>> model = MLP()
    >>> tuple(model(kcore.ops.ones((2, 3))).shape)
    (2, 1)
"""

from __future__ import annotations

from typing import Any

from kcore.layers.layer import Layer, _shapes_to_specs
from kcore.trainers.trainer import Trainer


class Model(Trainer, Layer):
    """A layer that groups layers into an object with training and inference features.

    ``Model(inputs, outputs, name=None)`` makes a functional model; subclassing
    ``Model`` and defining ``call`` makes a subclassed model (layers assigned in
    ``__init__`` are tracked). ``Model(inputs, outputs)`` from a subclass's
    ``__init__`` also works: the subclass then runs the graph unless it overrides
    ``call``.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and _functional_arguments(args, kwargs):
            from kcore.models.functional import Functional

            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if _functional_arguments(args, kwargs):
            from kcore.models.functional import init_graph

            init_graph(self, *args, **kwargs)
            return
        super().__init__(**kwargs)

    def call(self, *args: Any, **kwargs: Any) -> Any:
        graph = self.__dict__.get("_graph")
        if graph is not None:
            return graph.run(*args, **kwargs)
        return super().call(*args, **kwargs)

    def build(self, input_shape: Any = None) -> None:
        """Build by calling the model once on symbolic inputs of ``input_shape``."""
        if self.__dict__.get("_graph") is not None or input_shape is None:
            self.built = True
            return
        try:
            specs = _shapes_to_specs(_shape_structure(input_shape), self.compute_dtype)
            self._build_shapes = {"input_shape": input_shape}
            self.built = True
            self.compute_output_spec(specs)
        except Exception as error:
            self.built = False
            raise ValueError(
                f"Model '{self.name}' could not be built for input_shape={input_shape}: "
                f"{error}. Call the model on real data, or override build()"
            ) from error

    def _maybe_build(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if type(self).build is Model.build:
            # A subclassed model called on data: its layers build as the call reaches them.
            self.built = True
            first = args[0] if args else next(iter(kwargs.values()), None)
            if first is not None and not isinstance(first, dict | list | tuple):
                self._build_shapes = {"input_shape": tuple(first.shape)}
            self._post_build()
            return
        super()._maybe_build(args, kwargs)

    # ----------------------------------------------------------------- layers
    @property
    def layers(self) -> list[Layer]:
        """The model's layers (for functional models, in graph order)."""
        graph = self.__dict__.get("_graph")
        if graph is not None:
            return list(graph.layers)
        return self._sublayers()

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name``, or at position ``index`` of :attr:`layers`."""
        if index is not None and name is not None:
            raise ValueError("get_layer: pass name or index, not both")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"get_layer: index {index} is out of range for a model with "
                    f"{len(layers)} layers"
                )
            return layers[index]
        if name is None:
            raise ValueError("get_layer: pass a layer name or an index")
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"get_layer: no layer named {name!r} in model '{self.name}'; its layers are "
            f"{[layer.name for layer in layers]}"
        )

    def summary(
        self,
        line_length: int | None = None,
        positions: Any = None,
        print_fn: Any = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Any = None,
    ) -> None:
        """Print a table of the layers, their output shapes and parameter counts."""
        from kcore.models.summary import print_summary

        print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )

    # -------------------------------------------------------------- functional
    @property
    def input(self) -> Any:
        graph = self.__dict__.get("_graph")
        if graph is None:
            return super().input
        return graph.inputs

    @property
    def output(self) -> Any:
        graph = self.__dict__.get("_graph")
        if graph is None:
            return super().output
        return graph.outputs

    @property
    def inputs(self) -> Any:
        graph = self.__dict__.get("_graph")
        return None if graph is None else graph.input_tensors

    @property
    def outputs(self) -> Any:
        graph = self.__dict__.get("_graph")
        return None if graph is None else graph.output_tensors

    # ------------------------------------------------------------------ saving
    def save(
        self, filepath: Any, overwrite: bool = True, zipped: Any = None, **kwargs: Any
    ) -> None:
        """Save the model as a ``.keras`` archive (config, weights, compile state and
        optimizer variables), readable by Keras 3. See ``kcore.saving.save_model``."""
        from kcore.saving import saving_api

        saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(
        self, filepath: Any, overwrite: bool = True, max_shard_size: Any = None
    ) -> None:
        """Save the weights (and optimizer variables) to a ``.weights.h5`` file."""
        from kcore.saving import saving_api

        saving_api.save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False, **kwargs: Any) -> None:
        """Load weights from a ``.weights.h5`` file or a ``.keras`` archive."""
        from kcore.saving import saving_api

        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def to_json(self, **kwargs: Any) -> str:
        """The model's config as JSON (see ``kcore.models.model_from_json``)."""
        import json

        from kcore.saving.serialization import serialize_keras_object

        return json.dumps(serialize_keras_object(self), **kwargs)


def _functional_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    if "inputs" in kwargs and "outputs" in kwargs:
        return True
    if len(args) >= 2:
        return True
    return len(args) == 1 and "outputs" in kwargs


def _shape_structure(shape: Any) -> Any:
    """A shape, or a structure of shapes, with tuples for shapes."""
    if isinstance(shape, dict):
        return {k: _shape_structure(v) for k, v in shape.items()}
    if (
        isinstance(shape, list | tuple)
        and shape
        and all(isinstance(s, list | tuple) for s in shape)
    ):
        return [_shape_structure(s) for s in shape]
    return tuple(shape)
