"""``kcore.constraints``: projections applied to weights after each optimizer step
(Keras 3's ``keras.constraints``).

Example::

    >>> from kcore import constraints
    >>> c = constraints.get("non_neg")
    >>> constraints.serialize(constraints.MaxNorm(3))["config"]
    {'max_value': 3, 'axis': 0}
"""

from __future__ import annotations

import inspect
from typing import Any

from kcore.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm

max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "deserialize",
    "get",
    "max_norm",
    "min_max_norm",
    "non_neg",
    "serialize",
    "unit_norm",
]

#: Every name a constraint is known by in configs and get().
ALL_OBJECTS_DICT: dict[str, type] = {
    "Constraint": Constraint,
    "MaxNorm": MaxNorm,
    "MinMaxNorm": MinMaxNorm,
    "NonNeg": NonNeg,
    "UnitNorm": UnitNorm,
    "constraint": Constraint,
    "max_norm": MaxNorm,
    "min_max_norm": MinMaxNorm,
    "non_neg": NonNeg,
    "unit_norm": UnitNorm,
}


def serialize(constraint: Any) -> dict[str, Any]:
    """The Keras 3 config of ``constraint``.

    Example::

        >>> serialize(UnitNorm(axis=1))["config"]
        {'axis': 1}
    """
    from kcore.saving.serialization import serialize_keras_object

    return serialize_keras_object(constraint)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """The constraint a :func:`serialize` config (or a name) describes.

    Example::

        >>> deserialize(serialize(MaxNorm(3))).max_value
        3
    """
    from kcore.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(
        config, module_objects=ALL_OBJECTS_DICT, custom_objects=custom_objects
    )


def get(identifier: Any) -> Any:
    """A constraint from ``identifier``: ``None`` (returns ``None``), a name
    (``"max_norm"``, ``"NonNeg"``...), a config dict, a constraint class or instance,
    or any callable. Raises ``ValueError`` naming anything else.

    Example::

        >>> type(get("unit_norm")).__name__
        'UnitNorm'
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
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")
