"""``clone_model``: the same architecture with new layers (and new weights).

Example::

    >>> model = kcore.Sequential([kcore.Input((3,)), kcore.layers.Dense(2)])
    >>> clone = kcore.models.clone_model(model)
    >>> clone.layers[0] is model.layers[0]
    False
"""

from __future__ import annotations

from typing import Any

from kcore import _tree
from kcore.keras_tensor import KerasTensor


def _default_clone(layer: Any) -> Any:
    return type(layer).from_config(layer.get_config())


def clone_model(
    model: Any,
    input_tensors: Any = None,
    clone_function: Any = None,
    call_function: Any = None,
    recursive: bool = False,
    **kwargs: Any,
) -> Any:
    """A new model with the architecture of ``model`` and freshly initialized weights.

    Args:
        model: a Sequential, functional or subclassed model (a subclassed model is
            rebuilt from its config, so it needs ``get_config``).
        input_tensors: KerasTensors to build the clone on (functional and
            Sequential models), instead of new ``Input``s.
        clone_function: ``layer -> new layer`` (default: ``from_config(get_config())``).
        call_function: ``(layer, *args, **kwargs) -> outputs``, to change how each
            layer is called in the clone (functional and Sequential models).
        recursive: also clone the layers of nested models with the same functions
            (otherwise a nested model is handed to ``clone_function`` as a whole).
    """
    from kcore.layers.input_layer import Input, InputLayer
    from kcore.models.functional import Functional
    from kcore.models.sequential import Sequential

    if kwargs:
        raise ValueError(f"clone_model: unexpected keyword arguments {sorted(kwargs)}")
    clone_function = clone_function or _default_clone
    cache: dict[int, Any] = {}

    def clone_layer(layer: Any) -> Any:
        if id(layer) not in cache:
            if recursive and (isinstance(layer, Sequential) or isinstance(layer, Functional)):
                cache[id(layer)] = clone_model(
                    layer,
                    clone_function=clone_function,
                    call_function=call_function,
                    recursive=True,
                )
            else:
                cache[id(layer)] = clone_function(layer)
        return cache[id(layer)]

    def call(layer: Any, *args: Any, **kw: Any) -> Any:
        if call_function is not None:
            return call_function(layer, *args, **kw)
        return layer(*args, **kw)

    if isinstance(model, Sequential):
        layers = [clone_layer(layer) for layer in model.layers]
        if input_tensors is not None:
            tensor = _tree.flatten(input_tensors)[0]
            x = tensor
            for layer in layers:
                x = call(layer, x)
            return Functional(tensor, x, name=model.name)
        clone = Sequential(name=model.name, trainable=model.trainable)
        input_layer = model._input_layer()
        if input_layer is not None:
            clone.add(
                Input(
                    batch_shape=input_layer.batch_shape,
                    dtype=input_layer.dtype,
                    name=input_layer.name,
                ),
                rebuild=False,
            )
        for layer in layers:
            clone.add(layer, rebuild=False)
        if call_function is not None and model._graph_inputs is not None:
            spec = model._graph_inputs
            inputs = Input(batch_shape=spec.shape, dtype=spec.dtype)
            x = inputs
            for layer in layers:
                x = call(layer, x)
            return Functional(inputs, x, name=model.name)
        clone._rebuild()
        if not clone.built and model.built and model._graph_inputs is not None:
            clone.build(model._graph_inputs.shape)
        return clone

    graph = model.__dict__.get("_graph")
    if graph is None:
        if clone_function is not _default_clone or call_function is not None:
            raise ValueError(
                f"clone_model: '{model.name}' is a subclassed model; it can only be cloned "
                "from its config (clone_function and call_function need a functional or "
                "Sequential model)"
            )
        return type(model).from_config(model.get_config())

    # Functional: replay the graph on new inputs with the cloned layers.
    values: dict[int, Any] = {}
    if input_tensors is not None:
        given = _tree.flatten(input_tensors)
        if len(given) != len(graph.input_tensors):
            raise ValueError(
                f"clone_model: the model has {len(graph.input_tensors)} inputs, "
                f"input_tensors has {len(given)}"
            )
        for old, new in zip(graph.input_tensors, given):
            values[id(old)] = new
    else:
        for old in graph.input_tensors:
            layer = old._keras_history[0]
            name = layer.name if isinstance(layer, InputLayer) else None
            values[id(old)] = Input(batch_shape=old.shape, dtype=old.dtype, name=name)

    def fetch(x: Any) -> Any:
        return values[id(x)] if isinstance(x, KerasTensor) else x

    for node in graph.nodes:
        layer = node.operation
        new_layer = layer if isinstance(layer, InputLayer) else clone_layer(layer)
        args, kw = _tree.map_structure(fetch, (node.call_args, node.call_kwargs))
        outputs = call(new_layer, *args, **kw)
        for old, new in zip(node.output_tensors, _tree.flatten(outputs)):
            values[id(old)] = new
    inputs = _tree.map_structure(fetch, graph.inputs)
    outputs = _tree.map_structure(fetch, graph.outputs)
    return Functional(inputs, outputs, name=model.name, trainable=model.trainable)
