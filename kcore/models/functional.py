"""The functional API: a model defined by the graph from its inputs to its outputs.

Calling layers on :class:`~kcore.KerasTensor` inputs records nodes; ``Model(inputs,
outputs)`` walks back from the outputs, orders the nodes, and runs them in that order
on real data. Inputs and outputs may be single tensors, lists or dicts (nested too);
layers may be shared (called several times), and models nest as layers.

Example::

    >>> a = kcore.Input((4,), name="a")
    >>> b = kcore.Input((2,), name="b")
    >>> x = kcore.layers.Concatenate()([a, kcore.layers.Dense(4)(b)])
    >>> model = kcore.Model({"a": a, "b": b}, [kcore.layers.Dense(1)(x), x])
"""

from __future__ import annotations

from typing import Any

from kcore import _tree
from kcore import backend as _backend_module
from kcore.keras_tensor import KerasTensor
from kcore.layers.input_layer import InputLayer
from kcore.layers.layer import Layer, _fill_argument_masks, _mask_of
from kcore.models.model import Model


class Graph:
    """The ordered nodes between a model's input and output KerasTensors."""

    def __init__(self, owner: Layer, inputs: Any, outputs: Any) -> None:
        self.owner = owner
        self.inputs = _standardize_structure(inputs)
        self.outputs = _standardize_structure(outputs)
        self.input_tensors = _keras_tensors(self.inputs, "inputs", owner)
        self.output_tensors = _keras_tensors(self.outputs, "outputs", owner)
        self.nodes = self._order_nodes()
        layers: list[Layer] = []
        for tensor in self.input_tensors:
            history = tensor._keras_history
            if history is not None and isinstance(history[0], InputLayer):
                if all(history[0] is not x for x in layers):
                    layers.append(history[0])
        for node in self.nodes:
            if all(node.operation is not x for x in layers):
                layers.append(node.operation)
        self.layers = layers

    def _order_nodes(self) -> list[Any]:
        input_ids = {id(t) for t in self.input_tensors}
        ordered: list[Any] = []
        done: set[int] = set()

        def visit(tensor: KerasTensor) -> None:
            if id(tensor) in input_ids:
                return
            history = tensor._keras_history
            if history is None:
                raise ValueError(
                    f"Model '{self.owner.name}': graph disconnected: {tensor!r} was not made "
                    "by a layer call from the model's inputs"
                )
            layer, node_index, _ = history
            node = layer._inbound_nodes[node_index]
            if id(node) in done:
                return
            if node.is_input:
                raise ValueError(
                    f"Model '{self.owner.name}': graph disconnected: cannot obtain the value "
                    f"of {tensor!r} (the input '{layer.name}'), which is not among the "
                    f"model's inputs {[t.name for t in self.input_tensors]}"
                )
            # A node's inputs exist before it (KerasTensors cannot form a cycle).
            for parent in node.input_tensors:
                visit(parent)
            done.add(id(node))
            ordered.append(node)

        for tensor in self.output_tensors:
            visit(tensor)
        return ordered

    # ------------------------------------------------------------------- run
    def run(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        flat = self._flat_inputs(inputs)
        backend = _backend_module.current()
        values: dict[int, Any] = {}
        masks: dict[int, Any] = {}
        flat_masks = _flatten_masks(mask, len(flat))
        for tensor, value, m in zip(self.input_tensors, flat, flat_masks):
            if value is not None and not backend.is_tensor(value):
                value = backend.convert_to_tensor(value, dtype=tensor.dtype)
            values[id(tensor)] = value
            if m is None:
                m = _mask_of(value)
            if m is not None:
                masks[id(tensor)] = m

        def fetch(x: Any) -> Any:
            return values[id(x)] if isinstance(x, KerasTensor) else x

        for node in self.nodes:
            layer = node.operation
            args, kwargs = _tree.map_structure(fetch, (node.call_args, node.call_kwargs))
            previous = None
            if args:
                first = node.call_args[0]
                if isinstance(first, KerasTensor):
                    previous = masks.get(id(first))
                elif isinstance(first, list | tuple):
                    found = [
                        masks.get(id(t)) if isinstance(t, KerasTensor) else None for t in first
                    ]
                    previous = None if all(m is None for m in found) else found
            if previous is not None and layer._call_info.mask and kwargs.get("mask") is None:
                kwargs["mask"] = previous
            if layer._call_info.masks_of:
                # query_mask, value_mask...: the masks of the tensors given as query, value.
                value_masks = {
                    id(values[id(t)]): masks[id(t)] for t in node.input_tensors if id(t) in masks
                }
                _fill_argument_masks(
                    layer._call_info,
                    args,
                    kwargs,
                    lambda value, found=value_masks: found.get(id(value)),
                )
            outputs = layer(*args, **kwargs)
            flat_out = _tree.flatten(outputs)
            for tensor, value in zip(node.output_tensors, flat_out):
                values[id(tensor)] = value
            if layer.supports_masking or type(layer).compute_mask is not Layer.compute_mask:
                out_mask = layer.compute_mask(args[0] if args else None, previous)
                if out_mask is not None:
                    out_masks = (
                        out_mask
                        if isinstance(out_mask, list | tuple) and len(node.output_tensors) > 1
                        else [out_mask] * len(node.output_tensors)
                    )
                    for tensor, m in zip(node.output_tensors, out_masks):
                        if m is not None:
                            masks[id(tensor)] = m
        return _tree.map_structure(fetch, self.outputs)

    def _flat_inputs(self, inputs: Any) -> list[Any]:
        structure = self.inputs
        if isinstance(structure, dict):
            if isinstance(inputs, dict):
                missing = [k for k in structure if k not in inputs]
                if missing:
                    raise ValueError(
                        f"Model '{self.owner.name}': missing inputs {missing}; expected "
                        f"the keys {sorted(structure)}, received {sorted(inputs)}"
                    )
                return _tree.flatten({k: inputs[k] for k in structure})
            flat = _tree.flatten(inputs) if isinstance(inputs, list | tuple) else [inputs]
        elif isinstance(inputs, dict):
            names = [t.name for t in self.input_tensors]
            if all(n in inputs for n in names):
                flat = [inputs[n] for n in names]
            else:
                flat = list(inputs.values())
        elif isinstance(structure, KerasTensor):
            if isinstance(inputs, list | tuple) and len(inputs) == 1:
                inputs = inputs[0]
            flat = [inputs]
        else:
            flat = _tree.flatten(inputs) if isinstance(inputs, list | tuple) else [inputs]
        if len(flat) != len(self.input_tensors):
            raise ValueError(
                f"Model '{self.owner.name}' expects {len(self.input_tensors)} input(s) "
                f"{[t.shape for t in self.input_tensors]}, but it received {len(flat)} "
                f"input tensor(s)"
            )
        for index, (tensor, value) in enumerate(zip(self.input_tensors, flat)):
            shape = getattr(value, "shape", None)
            if shape is None:
                continue
            shape = tuple(shape)
            expected = tensor.shape
            if len(shape) != len(expected) or any(
                e is not None and s is not None and int(s) != e for e, s in zip(expected, shape)
            ):
                raise ValueError(
                    f"Input {index} of model '{self.owner.name}' is incompatible with the "
                    f"model: expected shape={expected}, received shape={shape}"
                )
        return flat


def init_graph(model: Model, inputs: Any, outputs: Any = None, **kwargs: Any) -> None:
    """Make ``model`` a functional model from ``inputs`` to ``outputs``."""
    Layer.__init__(model, **kwargs)
    graph = Graph(model, inputs, outputs)
    model._graph = graph
    model._graph_layers = graph.layers
    model.built = True
    if isinstance(graph.inputs, KerasTensor):
        model._build_shapes = {"input_shape": graph.inputs.shape}
    model.supports_masking = False
    model._post_build()


class Functional(Model):
    """A model made from a graph of layers (see the module docstring)."""

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None, **kwargs: Any) -> None:
        init_graph(self, inputs, outputs, name=name, **kwargs)

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        return self._graph.run(inputs, training=training, mask=mask)

    def get_config(self) -> dict[str, Any]:
        from kcore.models.functional_config import functional_config

        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Functional:
        from kcore.models.functional_config import functional_from_config

        return functional_from_config(cls, config, custom_objects)


def _standardize_structure(structure: Any) -> Any:
    if isinstance(structure, tuple) and not hasattr(structure, "_fields"):
        structure = list(structure)
    if (
        isinstance(structure, list)
        and len(structure) == 1
        and isinstance(structure[0], KerasTensor)
    ):
        return structure[0]
    return structure


def _keras_tensors(structure: Any, what: str, owner: Layer) -> list[KerasTensor]:
    flat = _tree.flatten(structure)
    for x in flat:
        if not isinstance(x, KerasTensor):
            raise ValueError(
                f"Model '{owner.name}': all {what} must be KerasTensors (from kcore.Input "
                f"or layer calls on them), received {type(x).__name__}: {x!r}"
            )
    return flat


def _flatten_masks(mask: Any, count: int) -> list[Any]:
    if mask is None:
        return [None] * count
    if isinstance(mask, list | tuple) and count > 1:
        return list(mask) + [None] * (count - len(mask))
    return [mask] + [None] * (count - 1)
