"""``kcore.activations``: activation functions (Keras 3's ``keras.activations``).

Their arguments are Keras's ``keras.activations`` ones (``relu`` takes
``negative_slope``, ``max_value`` and ``threshold``), which differ from
``kcore.ops``'. :func:`get` resolves a layer's ``activation`` argument.

Example::

    >>> from kcore import activations
    >>> activations.get("relu") is activations.relu
    True
    >>> activations.serialize(activations.relu)
    'relu'
"""

from __future__ import annotations

import types
from typing import Any

from kcore.activations.activations import (
    celu,
    elu,
    exponential,
    gelu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    leaky_relu,
    linear,
    log_sigmoid,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    swish,
    tanh,
    tanh_shrink,
    threshold,
)

__all__ = [
    "celu",
    "deserialize",
    "elu",
    "exponential",
    "gelu",
    "get",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
    "threshold",
]

_FUNCTIONS = (
    relu,
    leaky_relu,
    relu6,
    softmax,
    celu,
    elu,
    selu,
    softplus,
    softsign,
    squareplus,
    soft_shrink,
    sparse_plus,
    silu,
    gelu,
    glu,
    tanh,
    tanh_shrink,
    threshold,
    sigmoid,
    sparse_sigmoid,
    exponential,
    hard_sigmoid,
    hard_silu,
    hard_tanh,
    hard_shrink,
    linear,
    mish,
    log_softmax,
    log_sigmoid,
    sparsemax,
)
#: Every name an activation is known by in configs and get().
ALL_OBJECTS_DICT: dict[str, Any] = {fn.__name__: fn for fn in _FUNCTIONS}
ALL_OBJECTS_DICT["swish"] = silu
ALL_OBJECTS_DICT["hard_swish"] = hard_silu
_BUILTIN_NAMES = {fn: fn.__name__ for fn in _FUNCTIONS}


def serialize(activation: Any) -> Any:
    """The config of ``activation``: a built-in activation's name (``"relu"``), or for a
    registered or custom function, Keras's function config naming it.

    Example::

        >>> serialize(swish)
        'silu'
    """
    name = _BUILTIN_NAMES.get(activation) if isinstance(activation, types.FunctionType) else None
    if name is not None:
        return name
    from kcore.saving.serialization import get_registered_name, serialize_keras_object

    config = serialize_keras_object(activation)
    if not isinstance(config, dict) or "config" not in config:
        raise ValueError(
            f"Unknown activation function {activation!r} cannot be serialized: use the "
            "name of a built-in activation or register it with "
            "kcore.saving.register_keras_serializable()"
        )
    if isinstance(activation, types.FunctionType) and isinstance(config["config"], str):
        config["config"] = get_registered_name(activation)
    return config


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """The activation a :func:`serialize` config (or a name) describes.

    Example::

        >>> deserialize("relu") is relu
        True
    """
    from kcore.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(
        config, module_objects=ALL_OBJECTS_DICT, custom_objects=custom_objects
    )


def get(identifier: Any) -> Any:
    """An activation function from ``identifier``: ``None`` (:func:`linear`), a name
    (``"relu"``, ``"swish"``...), a config dict, or any callable (returned as is).
    Raises ``ValueError`` naming anything else, unknown names included.

    Example::

        >>> get(None) is linear
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
    elif isinstance(identifier, dict):
        from kcore.saving.serialization import deserialize_keras_object

        obj = deserialize_keras_object(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")
