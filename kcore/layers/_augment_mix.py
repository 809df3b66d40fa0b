"""Mixing and composite augmentation layers (Keras 3's names, arguments and
behaviour): CutMix, MixUp, RandAugment, AugMix, and MaxNumBoundingBoxes.

Example::

    >>> layer = kcore.layers.MixUp(alpha=0.2, seed=1)
    >>> out = layer({"images": kcore.ops.ones((4, 8, 8, 3)),
    ...              "labels": kcore.ops.eye(4)})
    >>> tuple(out["labels"].shape)
    (4, 4)
"""

from __future__ import annotations

import random as _python_random
from typing import Any

from kcore import ops
from kcore import random as krandom
from kcore.layers._augment_base import (
    INTERPOLATIONS,
    BaseImageAugmentationLayer,
    check_choice,
    check_value_range,
)
from kcore.layers._augment_color import (
    AutoContrast,
    Equalization,
    RandomBrightness,
    RandomColorDegeneration,
    RandomContrast,
    RandomPosterization,
    RandomSharpness,
    Solarization,
)
from kcore.layers._augment_geometric import (
    RandomRotation,
    RandomShear,
    RandomTranslation,
    _box_masks,
)

__all__ = ["AugMix", "CutMix", "MaxNumBoundingBoxes", "MixUp", "RandAugment"]


def _mix_labels(labels, transformation):
    weight = ops.reshape(ops.cast(transformation["mix_weight"], labels.dtype), (-1, 1))
    other = ops.take(labels, transformation["permutation_order"], axis=0)
    return weight * labels + (1.0 - weight) * other


class CutMix(BaseImageAugmentationLayer):
    """CutMix during training: pastes a random rectangle of another image of the batch
    into each image (the batch order shuffled), and mixes the labels in proportion to
    the areas. The rectangle's area fraction is ``1 - w``, ``w`` drawn from
    ``Beta(a, a)`` with ``a`` drawn in ``factor``. Single images are unchanged.

    Args:
        factor: a number in ``[0, 1]`` or a pair: the range of ``a``.
        seed: an int seed.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.CutMix(seed=1)
        >>> out = layer({"images": kcore.ops.ones((4, 8, 8, 3)),
        ...              "labels": kcore.ops.eye(4)})
        >>> tuple(out["images"].shape)
        (4, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._make_seed_generator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        if len(images.shape) == 3:
            return None
        batch = self._batch_size(images)
        height, width = self._height_width(images)
        seed = self._seed(seed)
        dtype = self.compute_dtype
        alpha = (
            krandom.uniform(
                (), minval=self.factor[0], maxval=self.factor[1], dtype=dtype, seed=seed
            )
            + 1e-6
        )
        weight = krandom.beta((batch,), alpha, alpha, seed=seed, dtype=dtype)
        ratio = ops.sqrt(1.0 - weight)
        crop_w = ratio * width
        x0 = krandom.uniform((batch,), 0, 1, dtype=dtype, seed=seed) * (width - crop_w)
        crop_h = ratio * height
        y0 = krandom.uniform((batch,), 0, 1, dtype=dtype, seed=seed) * (height - crop_h)
        masks = _box_masks(x0, x0 + crop_w, y0, y0 + crop_h, height, width, self.data_format, dtype)
        mix_weight = 1.0 - crop_w * crop_h / (width * height)
        order = krandom.shuffle(ops.arange(batch, dtype="int32"), seed=seed)
        return {"permutation_order": order, "batch_masks": masks, "mix_weight": mix_weight}

    def transform_images(self, images, transformation=None, training=True):
        if not training or transformation is None:
            return images
        other = ops.take(images, transformation["permutation_order"], axis=0)
        return ops.where(transformation["batch_masks"], other, images)

    def transform_labels(self, labels, transformation, training=True):
        if not training or transformation is None:
            return labels
        return _mix_labels(labels, transformation)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        if not training or transformation is None:
            return segmentation_masks
        other = ops.take(segmentation_masks, transformation["permutation_order"], axis=0)
        return ops.where(transformation["batch_masks"], other, segmentation_masks)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}


class MixUp(BaseImageAugmentationLayer):
    """MixUp during training: each image (and label) becomes ``w * x + (1 - w) * x'``
    with ``x'`` another element of the batch (shuffled order) and ``w`` drawn from
    ``Beta(alpha, alpha)`` per element.

    Args:
        alpha: the Beta distribution's parameter.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int seed.

    Example::

        >>> layer = kcore.layers.MixUp(alpha=0.2, seed=1)
        >>> tuple(layer(kcore.ops.ones((4, 8, 8, 3))).shape)
        (4, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, int | float) or alpha <= 0:
            raise ValueError(f"`alpha` must be a positive number. Received: alpha={alpha!r}")
        self.alpha = alpha
        self._make_seed_generator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        batch = self._batch_size(images)
        seed = self._seed(seed)
        order = krandom.shuffle(ops.arange(batch, dtype="int32"), seed=seed)
        weight = krandom.beta((batch,), self.alpha, self.alpha, seed=seed)
        return {"mix_weight": weight, "permutation_order": order}

    def transform_images(self, images, transformation=None, training=True):
        if not training:
            return images
        weight = ops.reshape(ops.cast(transformation["mix_weight"], images.dtype), (-1, 1, 1, 1))
        other = ops.take(images, transformation["permutation_order"], axis=0)
        return weight * images + (1.0 - weight) * other

    def transform_labels(self, labels, transformation, training=True):
        if not training:
            return labels
        return _mix_labels(labels, transformation)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        if not training:
            return segmentation_masks
        masks = ops.cast(segmentation_masks, self.compute_dtype)
        weight = ops.reshape(ops.cast(transformation["mix_weight"], masks.dtype), (-1, 1, 1, 1))
        other = ops.take(masks, transformation["permutation_order"], axis=0)
        return weight * masks + (1.0 - weight) * other

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "seed": self.seed}


def _make_sublayers(owner, names, seed):
    """The augmentation layers RandAugment and AugMix choose from, made once (with the
    owner's ``factor``, ``value_range``, ``interpolation`` and ``data_format``)."""
    factor, value_range = owner.factor, owner.value_range
    interpolation, data_format = owner.interpolation, owner.data_format
    makers = {
        "random_shear": lambda: RandomShear(
            x_factor=factor,
            y_factor=factor,
            interpolation=interpolation,
            seed=seed,
            data_format=data_format,
        ),
        "random_translation": lambda: RandomTranslation(
            height_factor=factor,
            width_factor=factor,
            interpolation=interpolation,
            seed=seed,
            data_format=data_format,
        ),
        "random_rotation": lambda: RandomRotation(
            factor=factor, interpolation=interpolation, seed=seed, data_format=data_format
        ),
        "random_brightness": lambda: RandomBrightness(
            factor=factor, value_range=value_range, seed=seed, data_format=data_format
        ),
        "random_color_degeneration": lambda: RandomColorDegeneration(
            factor=factor, value_range=value_range, seed=seed, data_format=data_format
        ),
        "random_contrast": lambda: RandomContrast(
            factor=factor, value_range=value_range, seed=seed, data_format=data_format
        ),
        "random_sharpness": lambda: RandomSharpness(
            factor=factor, value_range=value_range, seed=seed, data_format=data_format
        ),
        "random_posterization": lambda: RandomPosterization(
            factor=max(1, int(8 * factor[1])),
            value_range=value_range,
            seed=seed,
            data_format=data_format,
        ),
        "solarization": lambda: Solarization(
            addition_factor=factor,
            threshold_factor=factor,
            value_range=value_range,
            seed=seed,
            data_format=data_format,
        ),
        "auto_contrast": lambda: AutoContrast(value_range=value_range, data_format=data_format),
        "equalization": lambda: Equalization(value_range=value_range, data_format=data_format),
    }
    for name in names:
        setattr(owner, name, makers[name]())


def _build_sublayers(owner, names, input_shape):
    for name in names:
        getattr(owner, name).build(input_shape)
    owner.built = True


_RAND_AUGMENT_LAYERS = (
    "random_shear",
    "random_translation",
    "random_rotation",
    "random_brightness",
    "random_color_degeneration",
    "random_contrast",
    "random_sharpness",
    "random_posterization",
    "solarization",
    "auto_contrast",
    "equalization",
)


def _check_positive_int(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"`{name}` must be a positive int. Received: {name}={value!r}")


class RandAugment(BaseImageAugmentationLayer):
    """RandAugment during training: ``num_ops`` times, one of eleven augmentations
    (shear, translation, rotation, brightness, colour degeneration, contrast,
    sharpness, posterization, solarization, auto-contrast, equalization) chosen at
    random is applied to the batch, each with strength ``factor``.

    Args:
        value_range: the range of the input values.
        num_ops: the number of augmentations applied.
        factor: a number in ``[0, 1]`` or a pair: the strength.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: an int seed.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.RandAugment(seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
        (2, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)
    _AUGMENT_LAYERS = list(_RAND_AUGMENT_LAYERS)

    def __init__(
        self,
        value_range=(0, 255),
        num_ops=2,
        factor=0.5,
        interpolation="bilinear",
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        check_value_range(value_range)
        _check_positive_int(num_ops, "num_ops")
        check_choice(interpolation, "interpolation", INTERPOLATIONS)
        self.value_range = value_range
        self.num_ops = num_ops
        self._set_factor(factor)
        self.interpolation = interpolation
        self._make_seed_generator(seed)
        _make_sublayers(self, self._AUGMENT_LAYERS, seed)

    def build(self, input_shape):
        _build_sublayers(self, self._AUGMENT_LAYERS, input_shape)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        seed = self._seed(seed)
        indices = krandom.randint((self.num_ops,), 0, len(self._AUGMENT_LAYERS), seed=seed)
        transforms = {
            name: getattr(self, name).get_random_transformation(data, training=True, seed=seed)
            for name in self._AUGMENT_LAYERS
        }
        return {"transforms": transforms, "layer_idxes": indices}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        indices = transformation["layer_idxes"]
        for i in range(self.num_ops):
            for index, name in enumerate(self._AUGMENT_LAYERS):
                layer = getattr(self, name)
                out = ops.cast(
                    layer.transform_images(images, transformation["transforms"][name]),
                    images.dtype,
                )
                images = ops.where(indices[i] == index, out, images)
        return images

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "num_ops": self.num_ops,
            "factor": self.factor,
            "interpolation": self.interpolation,
            "seed": self.seed,
        }


_AUGMIX_ALL = (
    "random_shear",
    "random_translation",
    "random_rotation",
    "random_posterization",
    "solarization",
    "auto_contrast",
    "equalization",
    "random_brightness",
    "random_color_degeneration",
    "random_contrast",
    "random_sharpness",
)


class AugMix(BaseImageAugmentationLayer):
    """AugMix during training: ``num_chains`` chains of up to ``chain_depth`` random
    augmentations are mixed with Dirichlet(``alpha``) weights, and the mix is blended
    with the original with a Beta(``alpha``, ``alpha``) weight.

    Args:
        value_range: the range of the input values.
        num_chains: the number of augmentation chains.
        chain_depth: the most augmentations in a chain (each step may be skipped).
        factor: a number in ``[0, 1]`` or a pair: the strength.
        alpha: the Dirichlet and Beta parameter.
        all_ops: whether brightness, colour degeneration, contrast and sharpness are
            among the augmentations too.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: an int seed (it also fixes the choice of augmentations).
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.AugMix(seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
        (2, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        value_range=(0, 255),
        num_chains=3,
        chain_depth=3,
        factor=0.3,
        alpha=1.0,
        all_ops=True,
        interpolation="bilinear",
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        check_value_range(value_range)
        _check_positive_int(num_chains, "num_chains")
        _check_positive_int(chain_depth, "chain_depth")
        if isinstance(alpha, bool) or not isinstance(alpha, int | float) or alpha <= 0:
            raise ValueError(f"`alpha` must be a positive number. Received: alpha={alpha!r}")
        check_choice(interpolation, "interpolation", INTERPOLATIONS)
        self.value_range = value_range
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self._set_factor(factor)
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = interpolation
        self._make_seed_generator(seed)
        self._augment_layers = list(_AUGMIX_ALL if all_ops else _AUGMIX_ALL[:7])
        self._choices = _python_random.Random(seed)
        _make_sublayers(self, self._augment_layers, seed)

    def build(self, input_shape):
        _build_sublayers(self, self._augment_layers, input_shape)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        seed = self._seed(seed)
        gamma = krandom.gamma((self.num_chains,), alpha=self.alpha, seed=seed)
        chain_weights = gamma / ops.sum(gamma, axis=-1, keepdims=True)
        weight = krandom.beta((), self.alpha, self.alpha, seed=seed)
        chains = []
        for _ in range(self.num_chains):
            steps = []
            for _ in range(self.chain_depth):
                name = self._choices.choice([*self._augment_layers, None])
                if name is None:
                    continue
                layer = getattr(self, name)
                steps.append(
                    {
                        "layer_name": name,
                        "transformation": layer.get_random_transformation(
                            data, training=True, seed=seed
                        ),
                    }
                )
            chains.append(steps)
        return {
            "chain_mixing_weights": chain_weights,
            "weight_sample": weight,
            "chain_transforms": chains,
        }

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        dtype = images.dtype
        chain_weights = ops.cast(transformation["chain_mixing_weights"], dtype)
        weight = ops.cast(transformation["weight_sample"], dtype)
        mixed = ops.zeros_like(images)
        for index, chain in enumerate(transformation["chain_transforms"]):
            x = images
            for step in chain:
                layer = getattr(self, step["layer_name"])
                x = ops.cast(layer.transform_images(x, step["transformation"]), dtype)
            mixed = mixed + x * chain_weights[index]
        out = weight * images + (1 - weight) * mixed
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "num_chains": self.num_chains,
            "chain_depth": self.chain_depth,
            "factor": self.factor,
            "alpha": self.alpha,
            "all_ops": self.all_ops,
            "interpolation": self.interpolation,
            "seed": self.seed,
        }


class MaxNumBoundingBoxes(BaseImageAugmentationLayer):
    """Pads (with ``fill_value``) or truncates the ``"boxes"`` and ``"labels"`` of the
    ``"bounding_boxes"`` of a dict input to exactly ``max_number`` boxes; images are
    unchanged.

    Args:
        max_number: the number of boxes of the output.
        fill_value: the value of padded boxes and labels.

    Example::

        >>> layer = kcore.layers.MaxNumBoundingBoxes(max_number=4, bounding_box_format="xyxy")
        >>> out = layer({"images": kcore.ops.ones((1, 8, 8, 3)),
        ...              "bounding_boxes": {"boxes": kcore.ops.ones((1, 2, 4)),
        ...                                 "labels": kcore.ops.ones((1, 2))}})
        >>> tuple(out["bounding_boxes"]["boxes"].shape)
        (1, 4, 4)
    """

    _USE_BASE_FACTOR = False
    _ALWAYS_APPLY = True
    _SUPPORTS_BOXES = True

    def __init__(self, max_number, fill_value=-1, **kwargs):
        super().__init__(**kwargs)
        try:
            self.max_number = int(max_number)
            self.fill_value = int(fill_value)
        except (TypeError, ValueError):
            raise ValueError(
                "`max_number` and `fill_value` must be ints. Received: "
                f"max_number={max_number!r}, fill_value={fill_value!r}"
            ) from None
        if self.max_number < 1:
            raise ValueError(
                f"`max_number` must be a positive int. Received: max_number={max_number!r}"
            )

    def transform_images(self, images, transformation=None, training=True):
        return images

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        boxes = bounding_boxes["boxes"]
        labels = bounding_boxes["labels"]
        n = self.max_number
        count = boxes.shape[1]
        pad = max(n - count, 0)
        boxes = boxes[:, :n, ...]
        labels = labels[:, :n]
        if pad:
            boxes = ops.pad(boxes, [[0, 0], [0, pad], [0, 0]], constant_values=self.fill_value)
            labels = ops.pad(labels, [[0, 0], [0, pad]], constant_values=self.fill_value)
        out = dict(bounding_boxes)
        out["boxes"] = boxes
        out["labels"] = labels
        return out

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            out = dict(input_shape)
            boxes = dict(out["bounding_boxes"])
            boxes["boxes"] = (boxes["boxes"][0], self.max_number, 4)
            boxes["labels"] = (boxes["labels"][0], self.max_number)
            out["bounding_boxes"] = boxes
            return out
        return input_shape

    def get_config(self):
        return {**super().get_config(), "max_number": self.max_number}
