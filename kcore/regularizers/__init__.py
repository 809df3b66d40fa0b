"""``kcore.regularizers``: penalties on weights added to the loss (Keras 3's
``keras.regularizers``).

Example::

    >>> from kcore import regularizers
    >>> reg = regularizers.get("l2")
    >>> regularizers.serialize(regularizers.L1(0.1))["config"]
    {'l1': 0.1}
"""

from __future__ import annotations

import inspect
from typing import Any

from kcore.regularizers.regularizers import L1, L1L2, L2, OrthogonalRegularizer, Regularizer

l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

__all__ = [
    "L1",
    "L1L2",
    "L2",
    "OrthogonalRegularizer",
    "Regularizer",
    "deserialize",
    "get",
    "l1",
    "l1_l2",
    "l2",
    "orthogonal_regularizer",
    "serialize",
]

#: Every name a regularizer is known by in configs and get().
ALL_OBJECTS_DICT: dict[str, type] = {
    "Regularizer": Regularizer,
    "L1": L1,
    "L2": L2,
    "L1L2": L1L2,
    "OrthogonalRegularizer": OrthogonalRegularizer,
    "regularizer": Regularizer,
    "l1": L1,
    "l2": L2,
    "l1l2": L1L2,
    "orthogonal_regularizer": OrthogonalRegularizer,
}


def serialize(regularizer: Any) -> dict[str, Any]:
    """The Keras 3 config of ``regularizer``.

    Example::

        >>> serialize(L2(0.5))["class_name"]
        'L2'
    """
    from kcore.saving.serialization import serialize_keras_object

    return serialize_keras_object(regularizer)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """The regularizer a :func:`serialize` config (or a name) describes.

    Example::

        >>> deserialize(serialize(L2(0.5))).l2
        0.5
    """
    from kcore.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(
        config, module_objects=ALL_OBJECTS_DICT, custom_objects=custom_objects
    )


def get(identifier: Any) -> Any:
    """A regularizer from ``identifier``: ``None`` (returns ``None``), a name (``"l1"``,
    ``"L2"``...), a config dict, a regularizer class or instance, or any callable.
    Raises ``ValueError`` naming anything else.

    Example::

        >>> get("l1").l1
        0.01
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
