"""Colour augmentation layers (Keras 3's names, arguments and behaviour): brightness,
contrast, hue, saturation, colour degeneration, sharpness, posterization,
solarization, inversion, grayscale, auto-contrast, equalization, CLAHE, colour jitter
and Gaussian blur.

Example::

    >>> layer = kcore.layers.RandomBrightness(factor=(0.2, 0.2))
    >>> float(layer(kcore.ops.zeros((1, 2, 2, 3)))[0, 0, 0, 0])
    51.0
"""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore import random as krandom
from kcore.layers._augment_base import (
    BaseImageAugmentationLayer,
    check_value_range,
    correlate_axis,
    gaussian_taps,
    parse_factor,
)

__all__ = [
    "AutoContrast",
    "ContrastLimitedAdaptiveHistogramEqualization",
    "Equalization",
    "RandomBrightness",
    "RandomColorDegeneration",
    "RandomColorJitter",
    "RandomContrast",
    "RandomGaussianBlur",
    "RandomGrayscale",
    "RandomHue",
    "RandomInvert",
    "RandomPosterization",
    "RandomSaturation",
    "RandomSharpness",
    "Solarization",
]


def _where_batch(mask: Any, a: Any, b: Any) -> Any:
    """``where`` with a ``(batch,)`` boolean mask broadcast over images."""
    return ops.where(ops.reshape(mask, (-1, 1, 1, 1)), a, b)


def _per_image_uniform(layer, images, low, high, seed, dtype=None):
    batch = layer._batch_size(images)
    return krandom.uniform((batch,), minval=low, maxval=high, seed=seed, dtype=dtype)


class _FactorRangeLayer(BaseImageAugmentationLayer):
    """The base of the colour layers taking ``(factor, value_range, data_format,
    seed)``: it checks and keeps them (``value_range`` sorted unless
    ``_SORT_VALUE_RANGE`` is false) and puts ``factor``, ``value_range`` and ``seed``
    in the config."""

    _SORT_VALUE_RANGE = True

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        check_value_range(value_range)
        self.value_range = sorted(value_range) if self._SORT_VALUE_RANGE else value_range
        self._make_seed_generator(seed)

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "value_range": self.value_range,
            "seed": self.seed,
        }


class RandomBrightness(BaseImageAugmentationLayer):
    """Randomly changes the brightness of images during training: adds
    ``uniform(factor) * (value_range[1] - value_range[0])`` to each image, then clips
    to ``value_range``.

    Args:
        factor: a number in ``[-1, 1]`` (range ``(-factor, factor)``) or a pair.
        value_range: the range of the input values.
        seed: an int seed.

    Example::

        >>> layer = kcore.layers.RandomBrightness(factor=(0.2, 0.2))
        >>> float(layer(kcore.ops.zeros((1, 2, 2, 3)))[0, 0, 0, 0])
        51.0
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor=factor, **kwargs)
        check_value_range(value_range)
        self.value_range = sorted(value_range)
        self._make_seed_generator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        batch = self._batch_size(images)
        if not training:
            return {"rgb_delta": ops.zeros((batch, 1, 1, 1))}
        delta = krandom.uniform(
            (batch, 1, 1, 1), minval=self.factor[0], maxval=self.factor[1], seed=self._seed(seed)
        )
        return {"rgb_delta": delta * (self.value_range[1] - self.value_range[0])}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        images = images + ops.cast(transformation["rgb_delta"], images.dtype)
        return ops.clip(images, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "value_range": self.value_range,
            "seed": self.seed,
        }


class RandomContrast(BaseImageAugmentationLayer):
    """Randomly adjusts the contrast of each image during training:
    ``(x - mean) * c + mean`` per channel, ``c`` drawn in
    ``[1 - factor[0], 1 + factor[1]]``, then clips to ``value_range``.

    Args:
        factor: a number in ``[0, 1]`` or a pair.
        value_range: the range of the input values.
        seed: an int seed.

    Example::

        >>> layer = kcore.layers.RandomContrast(factor=0.5, seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 4, 4, 3))).shape)
        (2, 4, 4, 3)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self._set_factor(factor)
        check_value_range(value_range)
        self.value_range = value_range
        self._make_seed_generator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        batch = self._batch_size(images)
        if not training:
            return {"contrast_factor": ops.zeros((batch, 1, 1, 1))}
        factor = krandom.uniform(
            (batch, 1, 1, 1),
            minval=1.0 - self.factor[0],
            maxval=1.0 + self.factor[1],
            seed=self._seed(seed),
            dtype=self.compute_dtype,
        )
        return {"contrast_factor": factor}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        factor = ops.cast(transformation["contrast_factor"], images.dtype)
        mean = ops.mean(images, axis=(self._h_axis, self._w_axis), keepdims=True)
        out = (images - mean) * factor + mean
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "value_range": self.value_range,
            "seed": self.seed,
        }


class RandomInvert(_FactorRangeLayer):
    """Inverts images (``value_range[1] - x``) with a random probability drawn in
    ``factor`` (per image) during training.

    Args:
        factor: a number in ``[0, 1]`` or a pair: the range of the probability of
            inverting (``(1.0, 1.0)``: always invert).
        value_range: the range of the input values.
        seed: an int seed.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.RandomInvert(factor=(1.0, 1.0))
        >>> float(layer(kcore.ops.zeros((1, 2, 2, 3)))[0, 0, 0, 0])
        255.0
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)
    _SORT_VALUE_RANGE = False

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(factor, value_range, data_format=data_format, seed=seed, **kwargs)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        seed = self._seed(seed)
        return {"apply_inversion": self._apply_per_image(self._batch_size(images), seed)}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        return _where_batch(transformation["apply_inversion"], self.value_range[1] - images, images)


def _unit_factor(factor: Any, name: str) -> tuple:
    """Solarization's factors: a number ``f`` gives ``(0, f)``; values in ``[0, 1]``."""
    message = (
        f"The `{name}` argument should be a number (or a list of two numbers) in the "
        f"range [0, 1]. Received: {name}={factor!r}"
    )
    values = list(factor) if isinstance(factor, tuple | list) else [factor]
    if isinstance(factor, tuple | list) and len(factor) != 2:
        raise ValueError(message)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0 or v > 1:
            raise ValueError(message)
    if isinstance(factor, tuple | list):
        lower, upper = sorted(factor)
        return (lower, upper)
    return (0, factor)


class Solarization(BaseImageAugmentationLayer):
    """Solarizes images during training: adds a random ``addition`` (drawn in
    ``[addition_factor[0], addition_factor[1] * 255]``), then inverts (``255 - x``)
    every value at or above a random threshold (drawn in
    ``[threshold_factor[0], threshold_factor[1] * 255]``), on the ``[0, 255]`` scale.

    Args:
        addition_factor: a number in ``[0, 1]`` (range ``(0, f)``) or a pair.
        threshold_factor: a number in ``[0, 1]`` (range ``(0, f)``) or a pair.
        value_range: the range of the input values.
        seed: an int seed.

    Example::

        >>> layer = kcore.layers.Solarization()   # threshold 0: inverts everything
        >>> float(layer(kcore.ops.zeros((1, 2, 2, 3)))[0, 0, 0, 0])
        255.0
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self,
        addition_factor=0.0,
        threshold_factor=0.0,
        value_range=(0, 255),
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._make_seed_generator(seed)
        self.addition_factor = _unit_factor(addition_factor, "addition_factor")
        self.threshold_factor = _unit_factor(threshold_factor, "threshold_factor")
        check_value_range(value_range)
        self.value_range = sorted(value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        shape = (self._batch_size(images), 1, 1, 1)
        seed = self._seed(seed)
        additions = krandom.uniform(
            shape,
            minval=self.addition_factor[0],
            maxval=self.addition_factor[1] * 255,
            seed=seed,
            dtype=self.compute_dtype,
        )
        thresholds = krandom.uniform(
            shape,
            minval=self.threshold_factor[0],
            maxval=self.threshold_factor[1] * 255,
            seed=seed,
            dtype=self.compute_dtype,
        )
        return {"additions": additions, "thresholds": thresholds}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        x = self._transform_value_range(images, self.value_range, (0, 255))
        x = ops.clip(x + ops.cast(transformation["additions"], x.dtype), 0, 255)
        x = ops.where(x < ops.cast(transformation["thresholds"], x.dtype), x, 255 - x)
        return self._transform_value_range(x, (0, 255), self.value_range)

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "addition_factor": self.addition_factor,
            "threshold_factor": self.threshold_factor,
            "seed": self.seed,
        }


class RandomGrayscale(BaseImageAugmentationLayer):
    """Converts each image to grayscale (kept with its channels) with probability
    ``factor`` during training.

    Args:
        factor: the probability, in ``[0, 1]``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int seed.

    Example::

        >>> layer = kcore.layers.RandomGrayscale(factor=1.0)
        >>> tuple(layer(kcore.ops.ones((2, 4, 4, 3))).shape)
        (2, 4, 4, 3)
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if (
            isinstance(factor, bool)
            or not isinstance(factor, int | float)
            or not (0 <= factor <= 1)
        ):
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor!r}")
        self.factor = factor
        self._make_seed_generator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        values = _per_image_uniform(self, images, 0.0, 1.0, self._seed(seed))
        return ops.reshape(values < self.factor, (-1, 1, 1, 1))

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        if transformation is None:
            transformation = self.get_random_transformation(images)
        gray = ops.image.rgb_to_grayscale(images, data_format=self.data_format)
        return ops.where(transformation, ops.cast(gray, images.dtype), images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _rgb_channels(images, axis):
    return [ops.take(images, i, axis=axis) for i in range(3)]


class RandomHue(_FactorRangeLayer):
    """Randomly shifts the hue of images during training by ``± uniform(factor) / 2``
    (of a full turn), in HSV space.

    Args:
        factor: a number in ``[0, 1]`` or a pair.
        value_range: the range of the input values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int seed.

    Example::

        >>> layer = kcore.layers.RandomHue(factor=0.5, value_range=(0, 1), seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 4, 4, 3)) * 0.5).shape)
        (2, 4, 4, 3)
    """

    _FACTOR_BOUNDS = (0, 1)
    _SORT_VALUE_RANGE = False

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        seed = self._seed(seed)
        invert = _per_image_uniform(self, images, 0.0, 1.0, seed)
        invert = ops.where(invert > 0.5, -ops.ones_like(invert), ops.ones_like(invert))
        factor = _per_image_uniform(self, images, self.factor[0], self.factor[1], seed)
        return {"factor": invert * factor * 0.5}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        x = self._transform_value_range(images, self.value_range, (0, 1))
        delta = ops.reshape(ops.cast(transformation["factor"], x.dtype), (-1, 1, 1))
        hsv = ops.image.rgb_to_hsv(x, data_format=self.data_format)
        axis = self._c_axis % 4
        h, s, v = _rgb_channels(hsv, axis)
        h = h + delta
        h = ops.where(h > 1.0, h - 1.0, h)
        h = ops.where(h < 0.0, h + 1.0, h)
        hsv = ops.stack([h, s, v], axis=axis)
        x = ops.clip(ops.image.hsv_to_rgb(hsv, data_format=self.data_format), 0, 1)
        return ops.cast(self._transform_value_range(x, (0, 1), self.value_range), images.dtype)


class RandomSaturation(_FactorRangeLayer):
    """Randomly scales the saturation of images during training (HSV space): the
    saturation is multiplied by ``f / (1 - f + epsilon)``, ``f`` drawn in ``factor``
    (``0.5`` keeps it, ``0`` makes the image gray, ``1`` fully saturates it).

    Args:
        factor: a number in ``[-1, 1]`` or a pair.
        value_range: the range of the input values (the saturation is clipped to it).
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int seed.

    Example::

        >>> layer = kcore.layers.RandomSaturation(factor=(0.0, 0.0), value_range=(0, 1))
        >>> out = layer(kcore.ops.ones((1, 2, 2, 3)) * 0.5)   # gray: unchanged
    """

    def get_random_transformation(self, data, training=True, seed=None):
        from kcore.config import epsilon

        images = self._images_of(data)
        factor = _per_image_uniform(self, images, self.factor[0], self.factor[1], self._seed(seed))
        return {"factor": factor / (1 - factor + epsilon())}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        factor = ops.reshape(ops.cast(transformation["factor"], images.dtype), (-1, 1, 1))
        hsv = ops.image.rgb_to_hsv(images, data_format=self.data_format)
        axis = self._c_axis % 4
        h, s, v = _rgb_channels(hsv, axis)
        s = ops.clip(s * factor, self.value_range[0], self.value_range[1])
        return ops.image.hsv_to_rgb(ops.stack([h, s, v], axis=axis), data_format=self.data_format)


class RandomColorDegeneration(_FactorRangeLayer):
    """Randomly blends images with their grayscale version during training:
    ``x + f * (gray - x)``, ``f`` drawn in ``factor`` per image, clipped to
    ``value_range``.

    Args:
        factor: a number in ``[-1, 1]`` or a pair.
        value_range: the range of the input values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int seed.

    Example::

        >>> layer = kcore.layers.RandomColorDegeneration(factor=(1.0, 1.0))
        >>> tuple(layer(kcore.ops.ones((2, 4, 4, 3))).shape)   # fully gray
        (2, 4, 4, 3)
    """

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        factor = krandom.uniform(
            (self._batch_size(images), 1, 1, 1),
            minval=self.factor[0],
            maxval=self.factor[1],
            seed=self._seed(seed),
        )
        return {"factor": factor}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        factor = ops.cast(transformation["factor"], images.dtype)
        gray = ops.cast(
            ops.image.rgb_to_grayscale(images, data_format=self.data_format), images.dtype
        )
        out = images + factor * (gray - images)
        return ops.clip(out, self.value_range[0], self.value_range[1])


class RandomSharpness(_FactorRangeLayer):
    """Randomly sharpens or blurs images during training: blends each image with a
    3x3 smoothed version (weights 1/13 around 5/13), ``x + (1 - 2f) * (smooth - x)``,
    ``f`` drawn in ``factor`` per image, clipped to ``value_range``.

    Args:
        factor: a number in ``[0, 1]`` or a pair (``0.5``: unchanged).
        value_range: the range of the input values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int seed.

    Example::

        >>> layer = kcore.layers.RandomSharpness(factor=(0.5, 0.5))
        >>> tuple(layer(kcore.ops.ones((2, 4, 4, 3))).shape)   # unchanged values
        (2, 4, 4, 3)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        factor = _per_image_uniform(self, images, self.factor[0], self.factor[1], self._seed(seed))
        return {"factor": factor}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        if self.data_format == "channels_first":
            images = ops.transpose(images, (0, 2, 3, 1))
        sharpness = ops.reshape(ops.cast(transformation["factor"] * 2, images.dtype), (-1, 1, 1, 1))
        channels = images.shape[-1]
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = ops.convert_to_tensor([[a, a, a], [a, b, a], [a, a, a]], dtype=images.dtype)
        kernel = ops.tile(ops.reshape(kernel, (3, 3, 1, 1)), [1, 1, channels, 1])
        smooth = ops.depthwise_conv(
            images, kernel, strides=1, padding="same", data_format="channels_last"
        )
        out = images + (1.0 - sharpness) * (ops.cast(smooth, images.dtype) - images)
        out = ops.clip(out, self.value_range[0], self.value_range[1])
        if self.data_format == "channels_first":
            out = ops.transpose(out, (0, 3, 1, 2))
        return out


class RandomPosterization(_FactorRangeLayer):
    """Reduces each image to ``b`` bits per channel during training, ``b`` drawn in
    ``[factor[0], factor[1])`` (or equal to it when both are the same).

    Args:
        factor: a number in ``[1, 8]`` (range ``(1, factor)``) or a pair.
        value_range: the range of the input values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int seed.

    Example::

        >>> layer = kcore.layers.RandomPosterization(factor=(1, 1))
        >>> float(layer(kcore.ops.full((1, 2, 2, 3), 200.0))[0, 0, 0, 0])
        128.0
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (1, 8)
    _MAX_FACTOR = 8

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        batch = self._batch_size(images)
        low, high = int(self.factor[0]), int(self.factor[1])
        if low != high:
            bits = krandom.randint((batch,), minval=low, maxval=high, seed=self._seed(seed))
        else:
            bits = ops.ones((batch,), dtype="int32") * low
        return {"shift_factor": self._MAX_FACTOR - ops.cast(bits, "int32")}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        shift = ops.reshape(ops.cast(transformation["shift_factor"], "int32"), (-1, 1, 1, 1))
        x = self._transform_value_range(images, self.value_range, (0, 255))
        x = ops.cast(ops.clip(x, 0, 255), "int32")
        x = ops.left_shift(ops.right_shift(x, shift), shift)
        x = ops.cast(x, images.dtype)
        return self._transform_value_range(x, (0, 255), self.value_range)


class AutoContrast(BaseImageAugmentationLayer):
    """Stretches each channel of each image to the full ``value_range`` (its minimum
    becomes ``value_range[0]``, its maximum ``value_range[1]``); constant channels are
    kept. Applied at inference too, as in Keras.

    Args:
        value_range: the range of the input values.

    Example::

        >>> layer = kcore.layers.AutoContrast()
        >>> x = kcore.ops.reshape(kcore.ops.arange(12.0), (1, 2, 2, 3)) + 10.0
        >>> float(kcore.ops.max(layer(x)))
        255.0
    """

    _USE_BASE_FACTOR = False
    _ALWAYS_APPLY = True

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        check_value_range(value_range)
        self.value_range = sorted(value_range)

    def transform_images(self, images, transformation=None, training=True):
        x = self._transform_value_range(images, self.value_range, (0, 255))
        axes = (self._h_axis, self._w_axis)
        low = ops.min(x, axis=axes, keepdims=True)
        high = ops.max(x, axis=axes, keepdims=True)
        spread = high - low
        safe = ops.where(spread > 0, spread, ops.ones_like(spread))
        out = ops.clip((x - low) * (255.0 / safe), 0.0, 255.0)
        out = self._transform_value_range(out, (0, 255), self.value_range)
        return ops.where(spread > 0, out, images)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


class Equalization(BaseImageAugmentationLayer):
    """Histogram equalization of each channel during training (as in Keras, one
    histogram per channel over the whole batch), with ``bins`` bins.

    Args:
        value_range: the range of the input values.
        bins: the number of histogram bins.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.Equalization()
        >>> x = kcore.ops.reshape(kcore.ops.arange(12.0), (1, 2, 2, 3))
        >>> float(kcore.ops.max(layer(x)))
        255.0
    """

    _USE_BASE_FACTOR = False

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
            raise ValueError(f"`bins` must be a positive int. Received: bins={bins!r}")
        self.bins = bins
        check_value_range(value_range)
        self.value_range = sorted(value_range)

    def _equalize_channel(self, channel):
        bins = self.bins
        channel = self._transform_value_range(channel, self.value_range, (0, 255))
        x = ops.cast(channel, "float32")
        indices = ops.clip(ops.cast(x * (bins - 1) / 255.0, "int32"), 0, bins - 1)
        flat = ops.sort(ops.reshape(indices, (-1,)))
        edges = ops.searchsorted(flat, ops.arange(bins + 1, dtype="int32"), side="left")
        hist = edges[1:] - edges[:-1]
        cdf = ops.cumsum(hist)
        big = ops.cast(ops.max(cdf) + 1, cdf.dtype)
        cdf_min = ops.min(ops.where(cdf > 0, cdf, big))
        denominator = cdf[-1] - cdf_min
        denominator = ops.where(denominator == 0, ops.ones_like(denominator), denominator)
        lut = ops.cast(cdf - cdf_min, "float32") * 255.0 / ops.cast(denominator, "float32")
        lut = ops.clip(ops.round(lut), 0, 255)
        lookup = ops.cast(ops.clip(x / 255.0 * (bins - 1), 0, bins - 1), "int32")
        equalized = ops.cast(ops.take(lut, lookup), channel.dtype)
        nonzero = ops.sum(ops.cast(hist > 0, "int32"))
        equalized = ops.where(nonzero <= 1, channel, equalized)
        return self._transform_value_range(equalized, (0, 255), self.value_range)

    def transform_images(self, images, transformation=None, training=True):
        if not training:
            return images
        axis = self._c_axis % 4
        channels = [
            self._equalize_channel(ops.take(images, i, axis=axis))
            for i in range(images.shape[axis])
        ]
        return ops.cast(ops.stack(channels, axis=axis), images.dtype)

    def get_config(self):
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}


class ContrastLimitedAdaptiveHistogramEqualization(BaseImageAugmentationLayer):
    """Contrast-limited adaptive histogram equalization (CLAHE): each image is cut
    into ``tile_grid_size`` tiles, each tile's histogram is clipped at
    ``clip_limit * pixels / 256`` (the excess spread evenly) and equalized, and pixels
    are mapped by bilinear interpolation between the neighbouring tiles' mappings.
    Applied at inference too, as in Keras.

    Args:
        value_range: the range of the input values.
        clip_limit: the contrast limit (``<= 0``: no clipping).
        tile_grid_size: ``(rows, columns)`` of tiles.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.ContrastLimitedAdaptiveHistogramEqualization(
        ...     tile_grid_size=(2, 2))
        >>> tuple(layer(kcore.ops.ones((1, 8, 8, 3))).shape)
        (1, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False
    _ALWAYS_APPLY = True

    def __init__(
        self,
        value_range=(0, 255),
        clip_limit=4.0,
        tile_grid_size=(8, 8),
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        check_value_range(value_range)
        if isinstance(clip_limit, bool) or not isinstance(clip_limit, int | float):
            raise ValueError(f"`clip_limit` must be a number. Received: clip_limit={clip_limit!r}")
        if (
            not isinstance(tile_grid_size, tuple | list)
            or len(tile_grid_size) != 2
            or any(isinstance(t, bool) or not isinstance(t, int) or t < 1 for t in tile_grid_size)
        ):
            raise ValueError(
                "`tile_grid_size` must be a pair of positive ints. "
                f"Received: tile_grid_size={tile_grid_size!r}"
            )
        self.value_range = value_range
        self.clip_limit = clip_limit
        self.tile_grid_size = tile_grid_size

    def transform_images(self, images, transformation=None, training=True):
        dtype = images.dtype
        if self.data_format == "channels_first":
            images = ops.transpose(images, (0, 2, 3, 1))
        x = self._transform_value_range(images, self.value_range, (0, 255), dtype="float32")
        x = self._clahe(ops.cast(x, "float32"))
        x = self._transform_value_range(x, (0, 255), self.value_range, dtype="float32")
        x = ops.cast(x, dtype)
        if self.data_format == "channels_first":
            x = ops.transpose(x, (0, 3, 1, 2))
        return x

    def _clahe(self, images):
        batch, height, width, channels = images.shape
        if batch is None:
            batch = ops.shape(images)[0]
        grid_h, grid_w = self.tile_grid_size
        tile_h = -(-height // grid_h)
        tile_w = -(-width // grid_w)
        pad_h, pad_w = tile_h * grid_h - height, tile_w * grid_w - width
        padded = images
        if pad_h or pad_w:
            padded = ops.pad(images, [[0, 0], [0, pad_h], [0, pad_w], [0, 0]], mode="symmetric")
        tiles = ops.reshape(padded, (-1, grid_h, tile_h, grid_w, tile_w, channels))
        tiles = ops.transpose(tiles, (0, 1, 3, 5, 2, 4))
        tiles = ops.reshape(tiles, (-1, grid_h, grid_w, channels, tile_h * tile_w))
        levels = ops.clip(ops.cast(tiles, "int32"), 0, 255)
        hists = ops.sum(ops.one_hot(levels, 256, dtype="float32"), axis=-2)
        if self.clip_limit > 0:
            limit = float(self.clip_limit) * (tile_h * tile_w) / 256.0
            clipped = ops.clip(hists, 0.0, limit)
            excess = ops.sum(hists - clipped, axis=-1, keepdims=True)
            hists = clipped + excess / 256.0
        cdf = ops.cumsum(hists, axis=-1)
        cdf_min = ops.min(cdf, axis=-1, keepdims=True)
        denominator = float(tile_h * tile_w) - cdf_min
        denominator = ops.where(denominator == 0, ops.ones_like(denominator), denominator)
        cdf = ops.clip((cdf - cdf_min) * 255.0 / denominator, 0.0, 255.0)
        # Edge tiles repeated so that every pixel has four neighbouring mappings.
        cdf = ops.concatenate([cdf[:, :1], cdf, cdf[:, -1:]], axis=1)
        cdf = ops.concatenate([cdf[:, :, :1], cdf, cdf[:, :, -1:]], axis=2)
        full_h, full_w = tile_h * grid_h, tile_w * grid_w
        ys = (ops.arange(full_h, dtype="float32") - tile_h / 2.0) / tile_h + 1.0
        xs = (ops.arange(full_w, dtype="float32") - tile_w / 2.0) / tile_w + 1.0
        y0f, x0f = ops.floor(ys), ops.floor(xs)
        wy = ops.reshape(ys - y0f, (1, -1, 1, 1))
        wx = ops.reshape(xs - x0f, (1, 1, -1, 1))
        y0 = ops.cast(ops.clip(y0f, 0, grid_h + 1), "int32")
        y1 = ops.cast(ops.clip(y0f + 1, 0, grid_h + 1), "int32")
        x0 = ops.cast(ops.clip(x0f, 0, grid_w + 1), "int32")
        x1 = ops.cast(ops.clip(x0f + 1, 0, grid_w + 1), "int32")
        stride_x = 256 * channels
        stride_y = stride_x * (grid_w + 2)
        stride_b = stride_y * (grid_h + 2)
        flat = ops.reshape(cdf, (-1,))
        pixels = ops.cast(ops.clip(padded, 0, 255), "int32")
        base = (
            ops.reshape(ops.arange(batch, dtype="int32"), (-1, 1, 1, 1)) * stride_b
            + ops.reshape(ops.arange(channels, dtype="int32"), (1, 1, 1, -1)) * 256
            + pixels
        )

        def lookup(yi, xi):
            index = (
                base
                + ops.reshape(yi, (1, -1, 1, 1)) * stride_y
                + ops.reshape(xi, (1, 1, -1, 1)) * stride_x
            )
            return ops.take(flat, index)

        top = lookup(y0, x0) * (1.0 - wx) + lookup(y0, x1) * wx
        bottom = lookup(y1, x0) * (1.0 - wx) + lookup(y1, x1) * wx
        out = top * (1.0 - wy) + bottom * wy
        return out[:, :height, :width, :]

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "clip_limit": self.clip_limit,
            "tile_grid_size": self.tile_grid_size,
        }


class RandomColorJitter(BaseImageAugmentationLayer):
    """Applies, in order, random brightness, contrast, saturation and hue changes
    (each only when its factor is given) during training.

    Args:
        value_range: the range of the input values.
        brightness_factor: :class:`RandomBrightness`'s ``factor`` (``None``: skipped).
        contrast_factor: :class:`RandomContrast`'s ``factor``.
        saturation_factor: :class:`RandomSaturation`'s ``factor``.
        hue_factor: :class:`RandomHue`'s ``factor``.
        seed: an int seed.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.RandomColorJitter(brightness_factor=0.2, seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 4, 4, 3))).shape)
        (2, 4, 4, 3)
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self,
        value_range=(0, 255),
        brightness_factor=None,
        contrast_factor=None,
        saturation_factor=None,
        hue_factor=None,
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        check_value_range(value_range)
        self.value_range = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        self._make_seed_generator(seed)
        common = {"value_range": value_range, "seed": seed, "data_format": self.data_format}
        self.random_brightness = (
            None if brightness_factor is None else RandomBrightness(brightness_factor, **common)
        )
        self.random_contrast = (
            None if contrast_factor is None else RandomContrast(contrast_factor, **common)
        )
        self.random_saturation = (
            None if saturation_factor is None else RandomSaturation(saturation_factor, **common)
        )
        self.random_hue = None if hue_factor is None else RandomHue(hue_factor, **common)

    def _stages(self):
        return [
            s
            for s in (
                self.random_brightness,
                self.random_contrast,
                self.random_saturation,
                self.random_hue,
            )
            if s is not None
        ]

    def build(self, input_shape):
        for stage in self._stages():
            stage.build(input_shape)
        self.built = True

    def get_random_transformation(self, data, training=True, seed=None):
        # Each stage draws from the transformed images, in transform_images.
        return None

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        for stage in self._stages():
            t = stage.get_random_transformation(images, training=True, seed=self.seed_generator)
            images = ops.cast(stage.transform_images(images, t, training=True), images.dtype)
        return images

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "brightness_factor": self.brightness_factor,
            "contrast_factor": self.contrast_factor,
            "saturation_factor": self.saturation_factor,
            "hue_factor": self.hue_factor,
            "seed": self.seed,
        }


def _kernel_pair(kernel_size: Any) -> tuple[int, int]:
    message = f"kernel_size must be an odd number. Received: kernel_size={kernel_size!r}"
    values = list(kernel_size) if isinstance(kernel_size, tuple | list) else [kernel_size]
    if isinstance(kernel_size, tuple | list) and len(kernel_size) != 2:
        raise ValueError(
            "The `kernel_size` argument should be a number (or a list of two numbers) "
            f"Received: kernel_size={kernel_size!r}"
        )
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v < 1 or v % 2 == 0:
            raise ValueError(message)
    if isinstance(kernel_size, tuple | list):
        return (kernel_size[0], kernel_size[1])
    return (kernel_size, kernel_size)


class RandomGaussianBlur(BaseImageAugmentationLayer):
    """Blurs images with a Gaussian filter during training, with a probability drawn
    in ``factor`` per image; the standard deviations (one along each axis, shared by
    the batch) are drawn in ``sigma``. Zero-padded; clipped to ``value_range``.

    Args:
        factor: a number in ``[0, 1]`` or a pair: the range of the probability.
        kernel_size: an odd int or a pair ``(width, height)`` of odd ints.
        sigma: a number in ``[0, 1]`` (range ``(0, sigma)``) or a pair.
        value_range: the range of the input values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int seed.

    Example::

        >>> layer = kcore.layers.RandomGaussianBlur(factor=(1.0, 1.0), seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
        (2, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        factor=1.0,
        kernel_size=3,
        sigma=1.0,
        value_range=(0, 255),
        data_format=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.kernel_size = _kernel_pair(kernel_size)
        self.sigma = parse_factor(sigma, self._FACTOR_BOUNDS, "sigma")
        check_value_range(value_range)
        self.value_range = value_range
        self._make_seed_generator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        seed = self._seed(seed)
        apply = self._apply_per_image(self._batch_size(images), seed)
        blur = (
            krandom.uniform(
                (2,),
                minval=self.sigma[0],
                maxval=self.sigma[1],
                seed=seed,
                dtype=self.compute_dtype,
            )
            + 1e-6
        )
        return {"should_apply_blur": apply, "blur_factor": blur}

    def transform_images(self, images, transformation=None, training=True):
        if not training or transformation is None:
            return images
        sigma = transformation["blur_factor"]
        dtype = images.dtype
        kw, kh = self.kernel_size
        blurred = correlate_axis(images, gaussian_taps(kh, sigma[1], dtype), kh, self._h_axis)
        blurred = correlate_axis(blurred, gaussian_taps(kw, sigma[0], dtype), kw, self._w_axis)
        out = _where_batch(transformation["should_apply_blur"], blurred, images)
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "kernel_size": self.kernel_size,
            "sigma": self.sigma,
            "value_range": self.value_range,
            "seed": self.seed,
        }
