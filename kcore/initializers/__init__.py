"""``kcore.initializers``: the initial values of variables (Keras 3's
``keras.initializers``).

An initializer is called with a shape and an optional dtype (default
:func:`kcore.config.floatx`) and returns a tensor of the selected backend.
:func:`get` turns a name (``"glorot_uniform"``), a config dict, an initializer or a
tensor into an initializer; layers call it on their ``*_initializer`` arguments.

Example::

    >>> from kcore import initializers
    >>> init = initializers.get("he_normal")
    >>> kernel = init((64, 32))                       # doctest: +SKIP
    >>> initializers.serialize(initializers.Constant(2.0))["config"]
    {'value': 2.0}
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from kcore.initializers.constant_initializers import STFT, Constant, Identity, Ones, Zeros
from kcore.initializers.initializer import Initializer
from kcore.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
)

# Keras's other names of the same classes.
IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
STFTInitializer = STFT
constant = Constant
zeros = Zeros
ones = Ones
identity = Identity
stft = STFT
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal

__all__ = [
    "STFT",
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "IdentityInitializer",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "OrthogonalInitializer",
    "RandomNormal",
    "RandomUniform",
    "STFTInitializer",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "constant",
    "deserialize",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "serialize",
    "stft",
    "truncated_normal",
    "variance_scaling",
    "zeros",
]

_CLASSES = (
    Initializer,
    Constant,
    Identity,
    Ones,
    STFT,
    Zeros,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
)
_SNAKE = {
    Initializer: "initializer",
    STFT: "stft",
    GlorotNormal: "glorot_normal",
    GlorotUniform: "glorot_uniform",
    HeNormal: "he_normal",
    HeUniform: "he_uniform",
    LecunNormal: "lecun_normal",
    LecunUniform: "lecun_uniform",
    RandomNormal: "random_normal",
    RandomUniform: "random_uniform",
    TruncatedNormal: "truncated_normal",
    VarianceScaling: "variance_scaling",
}
#: Every name an initializer is known by in configs and get().
ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({_SNAKE.get(cls, cls.__name__.lower()): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update(
    {
        "IdentityInitializer": Identity,
        "OrthogonalInitializer": Orthogonal,
        "STFTInitializer": STFT,
        "normal": RandomNormal,
        "uniform": RandomUniform,
        "one": Ones,
        "zero": Zeros,
    }
)


def serialize(initializer: Any) -> dict[str, Any]:
    """The Keras 3 config of ``initializer``.

    Example::

        >>> serialize(RandomNormal(seed=1))["class_name"]
        'RandomNormal'
    """
    from kcore.saving.serialization import serialize_keras_object

    return serialize_keras_object(initializer)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """The initializer a :func:`serialize` config (or a name) describes.

    Example::

        >>> deserialize(serialize(Constant(2.0))).value
        2.0
    """
    from kcore.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(
        config, module_objects=ALL_OBJECTS_DICT, custom_objects=custom_objects
    )


def _from_tensor(value: Any) -> Any:
    """An initializer returning ``value`` (cast), for shapes equal to its own."""
    expected = tuple(value.shape)

    def initialize_fn(shape: Any, dtype: Any = None) -> Any:
        from kcore import ops
        from kcore.dtypes import standardize_dtype

        if tuple(shape) != expected:
            raise ValueError(
                f"Expected `shape` to be {expected} for direct tensor as initializer. "
                f"Received shape={tuple(shape)}"
            )
        return ops.cast(value, standardize_dtype(dtype))

    return initialize_fn


def get(identifier: Any) -> Any:
    """An initializer from ``identifier``: ``None`` (returns ``None``), a name
    (``"glorot_uniform"``, ``"GlorotUniform"``, ``"zeros"``...), a config dict, an
    initializer class or instance, any callable, or a tensor or NumPy array (its value,
    for variables of its shape). Raises ``ValueError`` naming anything else.

    Example::

        >>> type(get("glorot_uniform")).__name__
        'GlorotUniform'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        from kcore.saving.serialization import get_registered_object

        obj = get_registered_object(identifier, None, ALL_OBJECTS_DICT)
    elif isinstance(identifier, np.ndarray | np.generic) or _is_tensor(identifier):
        obj = _from_tensor(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")


def _is_tensor(value: Any) -> bool:
    if not (hasattr(value, "shape") and hasattr(value, "dtype")) or callable(value):
        return False
    from kcore import ops

    return bool(ops.is_tensor(value))
