"""A functional model's config, in the layout Keras 3 writes, and the model rebuilt
from it.

Each layer entry is the layer's serialized config plus ``name`` and
``inbound_nodes``: one ``{"args": [...], "kwargs": {...}}`` per call of the layer
inside this model, where KerasTensor arguments are written as::

    {"class_name": "__keras_tensor__",
     "config": {"shape": [...], "dtype": "float32",
                "keras_history": [layer_name, node_index, tensor_index]}}

``input_layers`` and ``output_layers`` name ``[layer_name, node_index, tensor_index]``
in the model's input and output structure.
"""

from __future__ import annotations

from typing import Any

from kcore import _tree
from kcore.keras_tensor import KerasTensor


def _node_indices(model: Any) -> dict[int, tuple[str, int]]:
    """Per node of the model: (layer name, index among that layer's nodes in the model)."""
    graph = model._graph
    indices: dict[int, tuple[str, int]] = {}
    counts: dict[int, int] = {}
    for tensor in graph.input_tensors:
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) not in indices:
            indices[id(node)] = (layer.name, counts.get(id(layer), 0))
            counts[id(layer)] = counts.get(id(layer), 0) + 1
    for node in graph.nodes:
        layer = node.operation
        indices[id(node)] = (layer.name, counts.get(id(layer), 0))
        counts[id(layer)] = counts.get(id(layer), 0) + 1
    return indices


def _reference(tensor: KerasTensor, indices: dict[int, tuple[str, int]]) -> list[Any]:
    layer, node_index, tensor_index = tensor._keras_history
    node = layer._inbound_nodes[node_index]
    name, index = indices[id(node)]
    return [name, index, tensor_index]


def functional_config(model: Any) -> dict[str, Any]:
    """The Keras 3 config of a functional model (see the module docstring)."""
    from kcore.saving.serialization import serialize_keras_object

    graph = model._graph
    indices = _node_indices(model)

    def argument(value: Any) -> Any:
        if isinstance(value, KerasTensor):
            return {
                "class_name": "__keras_tensor__",
                "config": {
                    "shape": list(value.shape),
                    "dtype": value.dtype,
                    "keras_history": _reference(value, indices),
                },
            }
        if isinstance(value, list | tuple):
            return [argument(v) for v in value]
        if isinstance(value, dict):
            return {k: argument(v) for k, v in value.items()}
        return serialize_keras_object(value)

    layers = []
    for layer in graph.layers:
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        nodes = [n for n in graph.nodes if n.operation is layer]
        entry["inbound_nodes"] = [
            {"args": argument(list(n.call_args)), "kwargs": argument(n.call_kwargs)} for n in nodes
        ]
        layers.append(entry)

    def references(structure: Any) -> Any:
        if isinstance(structure, KerasTensor):
            return _reference(structure, indices)
        if isinstance(structure, dict):
            return {k: references(v) for k, v in structure.items()}
        return [references(v) for v in structure]

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": references(graph.inputs),
        "output_layers": references(graph.outputs),
    }


def functional_from_config(cls: type, config: dict[str, Any], custom_objects: Any = None) -> Any:
    """Rebuild a functional model: make each layer, then replay the calls in order."""
    from kcore.layers.input_layer import InputLayer
    from kcore.saving.serialization import deserialize_keras_object

    layers: dict[str, Any] = {}
    pending: list[tuple[Any, int, dict[str, Any]]] = []
    for entry in config["layers"]:
        layer_config = {k: v for k, v in entry.items() if k not in ("inbound_nodes", "name")}
        layer_config.pop("build_config", None)  # replaying the calls builds the layer
        layer = deserialize_keras_object(layer_config, custom_objects=custom_objects)
        name = entry.get("name", layer.name)
        layers[name] = layer
        for index, node in enumerate(entry.get("inbound_nodes", [])):
            pending.append((layer, index, node))
    outputs: dict[tuple[str, int], list[Any]] = {}
    for name, layer in layers.items():
        if isinstance(layer, InputLayer):
            outputs[(name, 0)] = [layer._input_tensor]
    done_nodes: dict[str, int] = {}
    names = {id(layer): name for name, layer in layers.items()}

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            name, node_index, tensor_index = value["config"]["keras_history"]
            found = outputs.get((name, node_index))
            if found is None:
                raise LookupError
            return found[tensor_index]
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict) and "class_name" not in value:
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, dict):
            return deserialize_keras_object(value, custom_objects=custom_objects)
        return value

    while pending:
        progressed = False
        for item in list(pending):
            layer, index, node = item
            name = names[id(layer)]
            if done_nodes.get(name, 0) != index:
                continue
            try:
                args = resolve(node.get("args", []))
                kwargs = resolve(node.get("kwargs", {}))
            except LookupError:
                continue
            result = layer(*args, **kwargs)
            outputs[(name, index)] = [t for t in _tree.flatten(result)]
            done_nodes[name] = index + 1
            pending.remove(item)
            progressed = True
        if not progressed:
            raise ValueError(
                f"cannot rebuild model '{config.get('name')}': the calls of "
                f"{sorted({names[id(p[0])] for p in pending})} need tensors no layer makes"
            )

    def lookup(reference: Any) -> Any:
        if isinstance(reference, dict):
            return {k: lookup(v) for k, v in reference.items()}
        if (
            isinstance(reference, list)
            and len(reference) == 3
            and isinstance(reference[0], str)
            and isinstance(reference[1], int)
        ):
            name, node_index, tensor_index = reference
            return outputs[(name, node_index)][tensor_index]
        return [lookup(r) for r in reference]

    inputs = lookup(config["input_layers"])
    model_outputs = lookup(config["output_layers"])
    return cls(
        inputs, model_outputs, name=config.get("name"), trainable=config.get("trainable", True)
    )
