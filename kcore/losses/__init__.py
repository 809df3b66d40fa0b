"""``kcore.losses``: Keras 3's losses (``keras.losses``), classes and functions, with
``get``, ``serialize`` and ``deserialize``.

Example::

    >>> from kcore import losses
    >>> loss = losses.get("mse")
    >>> losses.serialize(losses.MeanSquaredError())["class_name"]
    'MeanSquaredError'
    >>> float(losses.MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 1.0]]))
    0.5
"""

from __future__ import annotations

import inspect
from typing import Any

from kcore.losses.loss import Loss
from kcore.losses.losses import (
    CTC,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    CategoricalHinge,
    Circle,
    CosineSimilarity,
    Dice,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    Tversky,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    categorical_hinge,
    circle,
    cosine_similarity,
    ctc,
    dice,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
    tversky,
)

__all__ = [
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CTC",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy",
    "CategoricalHinge",
    "Circle",
    "CosineSimilarity",
    "Dice",
    "Hinge",
    "Huber",
    "KLDivergence",
    "LogCosh",
    "Loss",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "Tversky",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy",
    "categorical_hinge",
    "circle",
    "cosine_similarity",
    "ctc",
    "deserialize",
    "dice",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "serialize",
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "tversky",
]

_CLASSES = (
    Loss,
    LossFunctionWrapper,
    KLDivergence,
    Poisson,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    SparseCategoricalCrossentropy,
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    CosineSimilarity,
    LogCosh,
    Huber,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    Dice,
    Tversky,
    Circle,
    CTC,
)
_FUNCTIONS = (
    kl_divergence,
    poisson,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    sparse_categorical_crossentropy,
    mean_squared_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    cosine_similarity,
    log_cosh,
    huber,
    hinge,
    squared_hinge,
    categorical_hinge,
    dice,
    tversky,
    circle,
    ctc,
)

#: Every name a loss is known by in configs and :func:`get`: class and function names
#: plus Keras's short aliases.
ALL_OBJECTS_DICT: dict[str, Any] = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
ALL_OBJECTS_DICT.update(
    {
        "bce": binary_crossentropy,
        "BCE": binary_crossentropy,
        "kld": kl_divergence,
        "KLD": kl_divergence,
        "mae": mean_absolute_error,
        "MAE": mean_absolute_error,
        "mse": mean_squared_error,
        "MSE": mean_squared_error,
        "mape": mean_absolute_percentage_error,
        "MAPE": mean_absolute_percentage_error,
        "msle": mean_squared_logarithmic_error,
        "MSLE": mean_squared_logarithmic_error,
    }
)


def serialize(loss: Any) -> Any:
    """The Keras 3 config of a :class:`Loss` or a loss function.

    Example::

        >>> serialize(MeanSquaredError())["config"]
        {'name': 'mean_squared_error', 'reduction': 'sum_over_batch_size'}
        >>> serialize(mean_squared_error)["config"]
        'mean_squared_error'
    """
    from kcore.saving.serialization import serialize_keras_object

    return serialize_keras_object(loss)


def deserialize(name: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The loss (instance or function) a :func:`serialize` config, or a name, describes.

    Example::

        >>> deserialize(serialize(Huber(delta=2.0))).delta
        2.0
        >>> deserialize("mse") is mean_squared_error
        True
    """
    from kcore.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(
        name, module_objects=ALL_OBJECTS_DICT, custom_objects=custom_objects
    )


def get(identifier: Any) -> Any:
    """A loss from ``identifier``: ``None`` (returns ``None``), a name of a function or
    class (``"mse"``, ``"categorical_crossentropy"``, ``"CategoricalCrossentropy"``: a
    class name gives an instance with default arguments), a config dict, a loss instance
    or any callable. Raises ``ValueError`` for anything else.

    Example::

        >>> get("sparse_categorical_crossentropy") is sparse_categorical_crossentropy
        True
        >>> get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
        <CategoricalCrossentropy name='categorical_crossentropy' ...>
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            from kcore.saving.serialization import get_registered_object

            obj = get_registered_object(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(
        f"Could not interpret loss identifier: {identifier!r}. Expected None, the name of "
        "a loss (such as 'mse' or 'categorical_crossentropy'), a config dict, a Loss "
        "instance or a callable `fn(y_true, y_pred)`."
    )
