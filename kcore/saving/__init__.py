"""``kcore.saving``: the ``.keras`` format, ``.weights.h5`` files and Keras 3's
serialization API.

Example::

    >>> kcore.saving.save_model(model, "model.keras")
    >>> model = kcore.saving.load_model("model.keras")
    >>> @kcore.saving.register_keras_serializable(package="demo")
    ... def scaled_relu(x):
    ...     return kcore.ops.relu(x) * 2
"""

from kcore.saving.file_editor import KerasFileEditor
from kcore.saving.saving_api import load_model, load_weights, save_model, save_weights
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
    "KerasFileEditor",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]
