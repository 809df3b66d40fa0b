"""A node of the functional graph: one call of a layer on symbolic inputs."""

from __future__ import annotations

from typing import Any

from kcore import _tree
from kcore.keras_tensor import KerasTensor


class Node:
    """Records ``operation(*call_args, **call_kwargs) -> outputs`` for KerasTensors.

    Each output KerasTensor gets ``_keras_history = (operation, node_index,
    tensor_index)``, which is how the functional API walks back from outputs to inputs.
    """

    def __init__(
        self, operation: Any, call_args: tuple[Any, ...], call_kwargs: dict[str, Any], outputs: Any
    ) -> None:
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs)
        self.outputs = outputs
        self.output_tensors = [x for x in _tree.flatten(outputs) if isinstance(x, KerasTensor)]
        self.input_tensors = [
            x
            for x in _tree.flatten((self.call_args, self.call_kwargs))
            if isinstance(x, KerasTensor)
        ]
        index = len(operation._inbound_nodes)
        operation._inbound_nodes.append(self)
        for position, tensor in enumerate(self.output_tensors):
            tensor._keras_history = (operation, index, position)

    @property
    def is_input(self) -> bool:
        return not self.input_tensors and not self.call_args

    def __repr__(self) -> str:
        return f"<Node {self.operation.name}>"
