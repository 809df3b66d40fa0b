"""``kcore.saving``: Keras 3's serialization API (the ``.keras`` archive comes later).

Example::

    >>> from kcore import saving
    >>> @saving.register_keras_serializable(package="demo")
    ... def scaled_relu(x):
    ...     return kcore.ops.relu(x) * 2
"""

from kcore.saving.serialization import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)

__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "register_keras_serializable",
    "serialize_keras_object",
]
