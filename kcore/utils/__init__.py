"""``kcore.utils``: Keras 3's utilities — data (``to_categorical``, ``pad_sequences``,
``timeseries_dataset_from_array``, ``image/text/audio_dataset_from_directory``,
``split_dataset``, ``PyDataset``), files (``get_file``), images, seeding, model plotting,
serialization helpers and ``FeatureSpace``.

The parts that need models or layers (``FeatureSpace``, ``plot_model``,
``model_to_dot``, ``print_summary``), ``PyDataset``, ``Progbar`` and the data-adapter
helpers are imported on first use, so ``kcore.utils`` and ``kcore.datasets`` load no
backend framework.

Example::

    >>> kcore.utils.to_categorical([0, 2], num_classes=3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

import importlib
from typing import Any

from kcore.dtypes import standardize_dtype
from kcore.keras_tensor import KerasTensor as _KerasTensor
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
from kcore.utils.audio_dataset_utils import audio_dataset_from_directory
from kcore.utils.config import Config
from kcore.utils.dataset_utils import split_dataset
from kcore.utils.file_utils import get_file
from kcore.utils.image_dataset_utils import image_dataset_from_directory
from kcore.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from kcore.utils.io_utils import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from kcore.utils.numerical_utils import normalize, to_categorical
from kcore.utils.rng_utils import set_random_seed
from kcore.utils.sequence_utils import pad_sequences
from kcore.utils.session import clear_session
from kcore.utils.text_dataset_utils import text_dataset_from_directory
from kcore.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = [
    "Config",
    "CustomObjectScope",
    "FeatureSpace",
    "Progbar",
    "PyDataset",
    "Sequence",
    "array_to_img",
    "audio_dataset_from_directory",
    "clear_session",
    "custom_object_scope",
    "deserialize_keras_object",
    "disable_interactive_logging",
    "enable_interactive_logging",
    "get_custom_objects",
    "get_file",
    "get_registered_name",
    "get_registered_object",
    "get_source_inputs",
    "image_dataset_from_directory",
    "img_to_array",
    "is_interactive_logging_enabled",
    "is_keras_tensor",
    "load_img",
    "model_to_dot",
    "normalize",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "plot_model",
    "print_summary",
    "register_keras_serializable",
    "save_img",
    "serialize_keras_object",
    "set_random_seed",
    "split_dataset",
    "standardize_dtype",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "to_categorical",
    "unpack_x_y_sample_weight",
]

#: Names served from the module that defines them, imported on first use.
_LAZY = {
    "FeatureSpace": "kcore.utils.feature_space",
    "model_to_dot": "kcore.utils.model_visualization",
    "plot_model": "kcore.utils.model_visualization",
    "print_summary": "kcore.models.summary",
    "Progbar": "kcore.utils.progbar",
    "PyDataset": "kcore.utils.py_dataset",
    "Sequence": "kcore.utils.py_dataset",
    "pack_x_y_sample_weight": "kcore.trainers.data_adapters.data_adapter_utils",
    "unpack_x_y_sample_weight": "kcore.trainers.data_adapters.data_adapter_utils",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'kcore.utils' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def is_keras_tensor(x):
    """Whether ``x`` is a symbolic tensor (a :class:`kcore.KerasTensor`) of the
    functional API.

    Example::

        >>> is_keras_tensor(kcore.Input((3,)))
        True
        >>> is_keras_tensor(np.zeros(3))
        False
    """
    return isinstance(x, _KerasTensor)


def get_source_inputs(tensor):
    """The input tensors (``kcore.Input`` results) that ``tensor`` was computed from.

    Walks the functional graph back from ``tensor`` through the layer calls that
    made it. A tensor made by no layer call is its own source.

    Example::

        >>> a, b = kcore.Input((3,)), kcore.Input((3,))
        >>> out = kcore.layers.Add()([a, b])
        >>> get_source_inputs(out) == [a, b]
        True
    """
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return [tensor]
    operation, node_index, _ = history
    node = operation._inbound_nodes[node_index]
    if node.is_input:
        return [tensor]
    sources: list[Any] = []
    for upstream in node.input_tensors:
        for found in get_source_inputs(upstream):
            if not any(found is seen for seen in sources):
                sources.append(found)
    return sources
