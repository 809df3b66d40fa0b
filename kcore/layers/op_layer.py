"""Ops called on KerasTensors inside a functional model become graph nodes.

``x = kcore.ops.add(a, b)`` or ``a + b`` on the KerasTensors of a functional model
records an :class:`OpLayer` node that runs the op again on real data, as Keras 3's
operations do.

Example::

    >>> a = kcore.Input((3,))
    >>> model = kcore.Model(a, kcore.ops.relu(a) * 2.0)
    >>> [type(layer).__name__ for layer in model.layers]
    ['InputLayer', 'OpLayer', 'OpLayer']
"""

from __future__ import annotations

from typing import Any

from kcore import _tree
from kcore.keras_tensor import KerasTensor
from kcore.layers.layer import Layer, _context
from kcore.layers.node import Node
from kcore.ops import contract


class OpLayer(Layer):
    """A graph node that calls one ``kcore.ops`` function (by its op name)."""

    def __init__(self, function: str, **kwargs: Any) -> None:
        if function not in contract.SPECS:
            raise ValueError(f"OpLayer: unknown op {function!r}")
        super().__init__(**kwargs)
        self.function = function
        self.built = True
        self._convert_inputs = False
        self.autocast = False

    def call(self, *args: Any, **kwargs: Any) -> Any:
        return _public_op(self.function)(*args, **kwargs)

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(*args, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "function": self.function}


def _record(spec: Any, args: tuple[Any, ...], kwargs: dict[str, Any], outputs: Any) -> None:
    inputs = [x for x in _tree.flatten((args, kwargs)) if isinstance(x, KerasTensor)]
    if not any(x._keras_history is not None for x in inputs):
        return  # symbolic shape inference outside a functional model
    if _context.depth > 0:
        return  # an op inside a layer's own call: the layer is the node
    from kcore.layers.layer import unique_name

    Node(OpLayer(spec.name, name=unique_name(spec.name)), args, kwargs, outputs)


def _public_op(name: str) -> Any:
    """The public function of op ``name`` (``kcore.ops.X``, ``kcore.ops.image.X`` or
    ``kcore.random.X``)."""
    from kcore import ops, random

    namespace = contract.SPECS[name].namespace
    if namespace == "image":
        return getattr(ops.image, name)
    if namespace == "random":
        return getattr(random, name)
    return getattr(ops, name)


contract.symbolic_recorder = _record
