"""``Model.summary()``: Keras 3's table of layers, output shapes and parameter counts.

Example::

    >>> model = kcore.Sequential([kcore.Input((3,)), kcore.layers.Dense(2)])
    >>> model.summary()
    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ dense (Dense)                   │ (None, 2)              │             8 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 8 (32.00 B)
     Trainable params: 8 (32.00 B)
     Non-trainable params: 0 (0.00 B)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from kcore import _tree
from kcore.keras_tensor import KerasTensor

_ITEMSIZE = {
    "bool": 1,
    "int8": 1,
    "uint8": 1,
    "int16": 2,
    "uint16": 2,
    "float16": 2,
    "bfloat16": 2,
    "int32": 4,
    "uint32": 4,
    "float32": 4,
    "int64": 8,
    "uint64": 8,
    "float64": 8,
    "complex64": 8,
    "complex128": 16,
}


def _size(variable: Any) -> int:
    return math.prod(variable.shape)


def _readable_bytes(count: float) -> str:
    unit = "B"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if count < 1024 or unit == "TB":
            break
        count /= 1024
    return f"{count:.2f} {unit}"


def _weights_line(label: str, variables: list[Any]) -> str:
    count = sum(_size(v) for v in variables)
    nbytes = sum(_size(v) * _ITEMSIZE.get(v._dtype_name(), 4) for v in variables)
    return f" {label}: {count:,} ({_readable_bytes(nbytes)})"


def _shape_text(layer: Any) -> str:
    nodes = [n for n in layer._inbound_nodes if n.output_tensors]
    if not nodes:
        return "?"
    shapes = []
    for node in nodes[-1:] if len(nodes) > 1 else nodes:
        outputs = node.outputs
        if isinstance(outputs, KerasTensor):
            shapes.append(str(outputs.shape))
        else:
            shapes.append(str(_tree.map_structure(lambda t: t.shape, outputs)))
    return shapes[0]


def _params_text(layer: Any) -> str:
    if not layer.built:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _connections(layer: Any, model: Any) -> list[str]:
    graph = model.__dict__.get("_graph")
    if graph is None:
        return []
    out = []
    for node in graph.nodes:
        if node.operation is not layer:
            continue
        for tensor in node.input_tensors:
            parent, node_index, tensor_index = tensor._keras_history
            out.append(f"{parent.name}[{node_index}][{tensor_index}]")
    return out


def _is_sequential_like(model: Any) -> bool:
    graph = model.__dict__.get("_graph")
    if graph is None:
        return True
    for node in graph.nodes:
        if len(node.input_tensors) > 1 or len(node.output_tensors) > 1:
            return False
    used = [n.operation for n in graph.nodes]
    return len(used) == len({id(x) for x in used}) and len(graph.input_tensors) == 1


def _fit(text: str, width: int) -> list[str]:
    """``text`` wrapped into lines of ``width`` characters."""
    if len(text) <= width:
        return [text]
    lines = []
    while text:
        lines.append(text[:width])
        text = text[width:]
    return lines


def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: Any = None,
    print_fn: Callable[..., Any] | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
    layer_range: Any = None,
) -> None:
    """Print ``model``'s summary table (the implementation of ``Model.summary``)."""
    from kcore.models.model import Model
    from kcore.models.sequential import Sequential

    print_fn = print_fn or print
    sequential_like = isinstance(model, Sequential) or _is_sequential_like(model)
    headers = ["Layer (type)", "Output Shape", "Param #"]
    if not sequential_like:
        headers.append("Connected to")
    if show_trainable:
        headers.append("Trainable")
    if positions is None and line_length is None:
        widths = [31, 22, 13] if sequential_like else [31, 22, 11, 28]
        if show_trainable:
            widths.append(9)
    else:
        line_length = line_length or (76 if sequential_like else 104)
        if positions is None:
            positions = [0.45, 0.77, 1.0] if sequential_like else [0.30, 0.52, 0.63, 1.0]
        if positions[-1] <= 1:
            positions = [int(line_length * p) for p in positions]
        widths = []
        previous = 0
        for position in positions:
            widths.append(max(position - previous - 3, 4))
            previous = position
        while len(widths) < len(headers):
            widths.append(9)
        widths = widths[: len(headers)]
    right = {2}  # Param # is right-aligned

    def row(cells: list[str], left: str, sep: str, end: str) -> list[str]:
        wrapped = [_fit(c, w) for c, w in zip(cells, widths)]
        height = max(len(w) for w in wrapped)
        lines = []
        for i in range(height):
            parts = []
            for col, (cell, width) in enumerate(zip(wrapped, widths)):
                text = cell[i] if i < len(cell) else ""
                parts.append(text.rjust(width) if col in right else text.ljust(width))
            lines.append(f"{left} " + f" {sep} ".join(parts) + f" {end}")
        return lines

    def rule(left: str, fill: str, sep: str, end: str) -> str:
        return left + sep.join(fill * (w + 2) for w in widths) + end

    lines = [f'Model: "{model.name}"']
    lines.append(rule("┏", "━", "┳", "┓"))
    lines.extend(row(headers, "┃", "┃", "┃"))
    lines.append(rule("┡", "━", "╇", "┩"))

    layers = [
        layer
        for layer in (model.layers if isinstance(model, Model) else model._sublayers())
        if not (isinstance(model, Sequential) and type(layer).__name__ == "InputLayer")
    ]
    if layer_range is not None:
        names = [layer.name for layer in layers]
        if len(layer_range) != 2 or any(n not in names for n in layer_range):
            raise ValueError(
                f"summary: layer_range must name two layers of the model, received "
                f"{layer_range}; the layers are {names}"
            )
        layers = layers[names.index(layer_range[0]) : names.index(layer_range[1]) + 1]

    body: list[list[str]] = []

    def add(layer: Any, prefix: str, owner: Any) -> None:
        cells = [
            f"{prefix}{layer.name} ({type(layer).__name__})",
            _shape_text(layer),
            _params_text(layer),
        ]
        if not sequential_like:
            cells.append(", ".join(_connections(layer, owner)) or "-")
        if show_trainable:
            cells.append("Y" if layer.trainable else "N")
        body.append(cells)
        if expand_nested and isinstance(layer, Model):
            for inner in layer.layers:
                if type(inner).__name__ != "InputLayer":
                    add(inner, prefix + " └ ", layer)

    for layer in layers:
        add(layer, "", model)
    for index, cells in enumerate(body):
        lines.extend(row(cells, "│", "│", "│"))
        if index < len(body) - 1:
            lines.append(rule("├", "─", "┼", "┤"))
    lines.append(rule("└", "─", "┴", "┘"))
    lines.append(_weights_line("Total params", model.weights))
    lines.append(_weights_line("Trainable params", model.trainable_weights))
    lines.append(_weights_line("Non-trainable params", model.non_trainable_weights))
    for line in lines:
        print_fn(line)
