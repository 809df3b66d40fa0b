"""``kcore.models``: ``Model``, ``Sequential``, the functional API and model utilities.

Example::

    >>> model = kcore.models.Sequential([kcore.Input((3,)), kcore.layers.Dense(2)])
    >>> clone = kcore.models.clone_model(model)
"""

from kcore.models.cloning import clone_model
from kcore.models.functional import Functional
from kcore.models.model import Model
from kcore.models.sequential import Sequential
from kcore.saving.saving_api import load_model, save_model


def model_from_json(json_string, custom_objects=None):
    """The model a ``model.to_json()`` string describes (new, untrained weights).

    Example::

        >>> clone = kcore.models.model_from_json(model.to_json())
    """
    import json

    from kcore.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(json.loads(json_string), custom_objects=custom_objects)


__all__ = [
    "Functional",
    "Model",
    "Sequential",
    "clone_model",
    "load_model",
    "model_from_json",
    "save_model",
]
