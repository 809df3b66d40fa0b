"""``plot_model`` and ``model_to_dot``: a model's graph drawn with Graphviz (via pydot).

Example::

    >>> kcore.utils.plot_model(model, "model.png", show_shapes=True)   # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any

_MISSING_PYDOT = (
    "You must install pydot (`pip install pydot`) for plot_model and model_to_dot to work"
)
_MISSING_GRAPHVIZ = (
    "plot_model needs the Graphviz `dot` program to render {suffix} files: install "
    "Graphviz (https://graphviz.gitlab.io/download/, e.g. `apt install graphviz`), or "
    "save to a `.dot` file, which needs only pydot"
)


def _import_pydot() -> Any:
    try:
        import pydot
    except ImportError:
        raise ImportError(_MISSING_PYDOT) from None
    return pydot


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _shapes(layer: Any, attribute: str) -> str:
    nodes = layer._inbound_nodes
    if not nodes:
        return "?"
    tensors = getattr(nodes[-1], attribute)
    if not tensors:
        return "?"
    shapes = [str(t.shape) for t in tensors]
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _label(
    layer: Any,
    show_shapes: bool,
    show_dtype: bool,
    show_layer_names: bool,
    show_layer_activations: bool,
    show_trainable: bool,
) -> str:
    title = f"{layer.name} ({type(layer).__name__})" if show_layer_names else type(layer).__name__
    lines = [title]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        lines.append(f"activation: {getattr(activation, '__name__', str(activation))}")
    if show_dtype:
        lines.append(f"dtype: {layer.dtype}")
    if show_shapes:
        lines.append(f"input: {_shapes(layer, 'input_tensors')}")
        lines.append(f"output: {_shapes(layer, 'output_tensors')}")
    if show_trainable:
        lines.append(f"trainable: {'Y' if layer.trainable else 'N'}")
    return "\\n".join(lines)


def model_to_dot_source(
    model: Any,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
) -> str:
    """The DOT text of the model's graph (no pydot needed)."""
    from kcore.models.model import Model
    from kcore.models.sequential import Sequential

    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' or 'LR', received {rankdir!r}")
    lines = [
        "digraph G {",
        f"  graph [rankdir={rankdir}, dpi={int(dpi)}, splines={splines}];",
        "  node [shape=record];",
    ]
    edges: list[tuple[int, int]] = []
    options = (show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable)

    def add_model(owner: Any, prefix: str) -> None:
        graph = owner.__dict__.get("_graph")
        if isinstance(owner, Sequential):
            layers = owner.layers
            for a, b in zip(layers, layers[1:]):
                edges.append((id(a), id(b)))
        elif graph is not None:
            layers = graph.layers
            for node in graph.nodes:
                for tensor in node.input_tensors:
                    edges.append((id(tensor._keras_history[0]), id(node.operation)))
        else:
            layers = owner.layers
        for layer in layers:
            if expand_nested and isinstance(layer, Model):
                lines.append(f"  subgraph cluster_{id(layer)} {{")
                lines.append(f"    label={_quote(layer.name)};")
                add_model(layer, prefix + "  ")
                lines.append("  }")
            lines.append(f"{prefix}  {id(layer)} [label={_quote(_label(layer, *options))}];")

    add_model(model, "")
    for a, b in edges:
        lines.append(f"  {a} -> {b};")
    lines.append("}")
    return "\n".join(lines)


def model_to_dot(
    model: Any,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    subgraph: bool = False,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
    **kwargs: Any,
) -> Any:
    """The model's graph as a ``pydot.Dot`` (needs pydot).

    Example::

        >>> dot = kcore.utils.model_to_dot(model, show_shapes=True)   # doctest: +SKIP
    """
    pydot = _import_pydot()
    source = model_to_dot_source(
        model,
        show_shapes,
        show_dtype,
        show_layer_names,
        rankdir,
        expand_nested,
        dpi,
        show_layer_activations,
        show_trainable,
        splines,
    )
    graphs = pydot.graph_from_dot_data(source)
    return graphs[0]


def plot_model(
    model: Any,
    to_file: str = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = False,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
    **kwargs: Any,
) -> Any:
    """Draw ``model``'s graph into ``to_file`` (format from its suffix: ``.png``,
    ``.svg``, ``.pdf`` need Graphviz; ``.dot`` needs only pydot).

    Raises ``ImportError`` with the install command when pydot is missing, and
    ``OSError`` naming Graphviz when the ``dot`` program is.

    Example::

        >>> kcore.utils.plot_model(model, "model.dot", show_shapes=True)   # doctest: +SKIP
    """
    dot = model_to_dot(
        model,
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        dpi=dpi,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
        splines=splines,
    )
    suffix = os.path.splitext(to_file)[1].lstrip(".").lower() or "png"
    if suffix in ("dot", "gv"):
        dot.write(to_file, format="raw")
        return None
    try:
        dot.write(to_file, format=suffix)
    except (FileNotFoundError, OSError) as error:
        raise OSError(_MISSING_GRAPHVIZ.format(suffix=f".{suffix}") + f" ({error})") from None
    return None
