"""``kcore.layers``' image augmentation layers (Keras 3's names, arguments, defaults,
configs and behaviour), written once on ``kcore.ops`` and ``kcore.random``.

The layers live in private modules by family: colour (``_augment_color``), geometry
(``_augment_geometric``), mixing and composites (``_augment_mix``); their common base
is in ``_augment_base``. They augment only in training (``training=True``, the
default of a direct call) except ``AutoContrast`` and
``ContrastLimitedAdaptiveHistogramEqualization`` (deterministic, always applied) and
``RandomCrop`` (a centred crop at inference), as in Keras.

Example::

    >>> augment = kcore.Sequential([
    ...     kcore.layers.RandomFlip("horizontal", seed=1),
    ...     kcore.layers.RandomRotation(0.1, seed=2),
    ... ])
    >>> tuple(augment(kcore.ops.ones((2, 8, 8, 3))).shape)
    (2, 8, 8, 3)
"""

from kcore.layers._augment_base import BaseImageAugmentationLayer
from kcore.layers._augment_color import (
    AutoContrast,
    ContrastLimitedAdaptiveHistogramEqualization,
    Equalization,
    RandomBrightness,
    RandomColorDegeneration,
    RandomColorJitter,
    RandomContrast,
    RandomGaussianBlur,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPosterization,
    RandomSaturation,
    RandomSharpness,
    Solarization,
)
from kcore.layers._augment_geometric import (
    RandomCrop,
    RandomElasticTransform,
    RandomErasing,
    RandomFlip,
    RandomPerspective,
    RandomRotation,
    RandomShear,
    RandomTranslation,
    RandomZoom,
)
from kcore.layers._augment_mix import AugMix, CutMix, MaxNumBoundingBoxes, MixUp, RandAugment

__all__ = [
    "AugMix",
    "AutoContrast",
    "ContrastLimitedAdaptiveHistogramEqualization",
    "CutMix",
    "Equalization",
    "MaxNumBoundingBoxes",
    "MixUp",
    "RandAugment",
    "RandomBrightness",
    "RandomColorDegeneration",
    "RandomColorJitter",
    "RandomContrast",
    "RandomCrop",
    "RandomElasticTransform",
    "RandomErasing",
    "RandomFlip",
    "RandomGaussianBlur",
    "RandomGrayscale",
    "RandomHue",
    "RandomInvert",
    "RandomPerspective",
    "RandomPosterization",
    "RandomRotation",
    "RandomSaturation",
    "RandomSharpness",
    "RandomShear",
    "RandomTranslation",
    "RandomZoom",
    "Solarization",
]

# Not public (Keras does not export its base either); importable for subclassing.
del BaseImageAugmentationLayer
