"""``kcore.optimizers.schedules``: learning rates that change with the step (Keras 3's
``keras.optimizers.schedules``).

Example::

    >>> from kcore import optimizers
    >>> lr = optimizers.schedules.CosineDecay(0.1, decay_steps=1000)
    >>> opt = optimizers.SGD(learning_rate=lr)
"""

from kcore.optimizers.schedules.learning_rate_schedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
    deserialize,
    serialize,
)

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]
