"""``kcore.layers``: Keras 3's layers, written once on ``kcore.ops``.

Each family lives in its own module (``core``, ``convolutional``, ``pooling``, ...);
this package re-exports every public name of them.

Example::

    >>> dense = kcore.layers.Dense(4, activation="relu")
    >>> tuple(dense(kcore.ops.ones((2, 3))).shape)
    (2, 4)
"""

import importlib as _importlib

from kcore.layers.input_layer import Input as Input
from kcore.layers.input_layer import InputLayer as InputLayer
from kcore.layers.input_spec import InputSpec as InputSpec
from kcore.layers.layer import Layer as Layer
from kcore.layers.op_layer import OpLayer as OpLayer

#: The layer families, one module each; every name in a module's ``__all__`` is public here.
_FAMILIES = (
    "core",
    "activations",
    "regularization",
    "reshaping",
    "merging",
    "convolutional",
    "pooling",
    "normalization",
    "attention",
    "rnn",
    "preprocessing",
    "augmentation",
    "audio",
)

_BASE_NAMES = ["Input", "InputLayer", "InputSpec", "Layer", "OpLayer", "serialize", "deserialize"]
_loaded: dict[str, object] = {}


def _family(name: str) -> object:
    module = _loaded.get(name)
    if module is None:
        try:
            module = _importlib.import_module(f"kcore.layers.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"kcore.layers.{name}":
                raise
            module = False
        _loaded[name] = module
    return module


def __getattr__(name: str) -> object:
    # Families are imported on first use, so `import kcore.layers` stays light and a
    # layer costs only its own family's import.
    if name == "__all__":
        names = list(_BASE_NAMES)
        for family in _FAMILIES:
            module = _family(family)
            if module:
                names.extend(module.__all__)
        return names
    for family in _FAMILIES:
        module = _family(family)
        if module and name in module.__all__:
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module 'kcore.layers' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__getattr__("__all__")))


def serialize(layer):
    """A layer's Keras config (``{"module", "class_name", "config", ...}``)."""
    from kcore.saving.serialization import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """The layer a :func:`serialize` config describes."""
    from kcore.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects=custom_objects)
