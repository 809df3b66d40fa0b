"""``kcore.optimizers``: the algorithms that update variables from gradients (Keras 3's
``keras.optimizers``).

:func:`get` turns a name (``"adam"``, ``"SGD"``), a config dict or an optimizer into
an optimizer; ``Model.compile(optimizer=...)`` calls it.

Example::

    >>> from kcore import optimizers
    >>> opt = optimizers.get("adam")
    >>> opt.get_config()["learning_rate"]
    0.001
    >>> optimizers.deserialize(optimizers.serialize(optimizers.SGD(0.1))).momentum
    0.0
"""

from __future__ import annotations

from typing import Any

from kcore.optimizers import schedules
from kcore.optimizers.adadelta import Adadelta
from kcore.optimizers.adafactor import Adafactor
from kcore.optimizers.adagrad import Adagrad
from kcore.optimizers.adam import Adam
from kcore.optimizers.adamax import Adamax
from kcore.optimizers.adamw import AdamW
from kcore.optimizers.base_optimizer import Optimizer
from kcore.optimizers.ftrl import Ftrl
from kcore.optimizers.lamb import Lamb
from kcore.optimizers.lion import Lion
from kcore.optimizers.loss_scale_optimizer import LossScaleOptimizer
from kcore.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from kcore.optimizers.muon import Muon
from kcore.optimizers.nadam import Nadam
from kcore.optimizers.rmsprop import RMSprop
from kcore.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from kcore.optimizers.sgd import SGD

__all__ = [
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lamb",
    "Lion",
    "LossScaleOptimizer",
    "MultiOptimizer",
    "Muon",
    "Nadam",
    "Optimizer",
    "OptimizerMap",
    "RMSprop",
    "SGD",
    "ScheduleFreeAdamW",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]

_CLASSES = (
    Optimizer,
    Adam,
    SGD,
    RMSprop,
    Adadelta,
    AdamW,
    Adagrad,
    Adamax,
    Adafactor,
    Muon,
    MultiOptimizer,
    OptimizerMap,
    Nadam,
    Ftrl,
    Lion,
    Lamb,
    LossScaleOptimizer,
    ScheduleFreeAdamW,
)
#: Every optimizer by its class name and its lower-case name (``"adam"``, ``"sgd"``).
ALL_OBJECTS_DICT: dict[str, type] = {c.__name__: c for c in _CLASSES}
ALL_OBJECTS_DICT.update({c.__name__.lower(): c for c in _CLASSES})


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """The Keras 3 config of ``optimizer``.

    Example::

        >>> serialize(SGD(0.1))["class_name"]
        'SGD'
    """
    from kcore.saving.serialization import serialize_keras_object

    return serialize_keras_object(optimizer)


def deserialize(config: Any, custom_objects: dict | None = None) -> Optimizer:
    """The optimizer a :func:`serialize` config describes (class names of built-in
    optimizers match in any case).

    Example::

        >>> deserialize({"class_name": "adam", "config": {}}).name.startswith("adam")
        True
    """
    from kcore.saving.serialization import deserialize_keras_object

    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        lowered = config["class_name"].lower()
        if lowered in ALL_OBJECTS_DICT and config.get("registered_name") in (
            None,
            config["class_name"],
        ):
            config = {**config, "class_name": ALL_OBJECTS_DICT[lowered].__name__}
            config.pop("registered_name", None)
    return deserialize_keras_object(
        config, module_objects=ALL_OBJECTS_DICT, custom_objects=custom_objects
    )


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from ``identifier``: ``None`` (returns ``None``), a name
    (``"adam"``, ``"RMSprop"``), a config dict, or an optimizer (returned as is).
    Raises ``ValueError`` naming anything else.

    Example::

        >>> type(get("rmsprop")).__name__
        'RMSprop'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize({"class_name": identifier, "config": {}})
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Expected an optimizer "
        "name such as 'adam', a config dict or an Optimizer instance."
    )
