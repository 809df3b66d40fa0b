"""Geometric augmentation layers (Keras 3's names, arguments and behaviour): flip,
crop, rotation, translation, zoom, shear, perspective, elastic deformation and
random erasing.

Example::

    >>> layer = kcore.layers.RandomRotation(0.1, seed=1)
    >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
    (2, 8, 8, 3)
"""

from __future__ import annotations

import random as _python_random
from typing import Any

from kcore import ops
from kcore import random as krandom
from kcore.layers._augment_base import (
    FILL_MODES,
    INTERPOLATIONS,
    BaseImageAugmentationLayer,
    affine_matrix,
    check_choice,
    check_value_range,
    correlate_axis,
    gaussian_taps,
    parse_factor,
    parse_symmetric_factor,
    transform_boxes,
)

__all__ = [
    "RandomCrop",
    "RandomElasticTransform",
    "RandomErasing",
    "RandomFlip",
    "RandomPerspective",
    "RandomRotation",
    "RandomShear",
    "RandomTranslation",
    "RandomZoom",
]

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


def _where_batch(mask: Any, a: Any, b: Any) -> Any:
    return ops.where(ops.reshape(mask, (-1, 1, 1, 1)), a, b)


class _AffineLayer(BaseImageAugmentationLayer):
    """Shared by the layers that resample through a projective transform."""

    _SUPPORTS_BOXES = False

    def _set_resampling(
        self, fill_mode: Any, interpolation: Any, fill_value: Any, seed: Any
    ) -> None:
        """Check and keep the resampling arguments; make the seed generator."""
        check_choice(fill_mode, "fill_mode", FILL_MODES)
        check_choice(interpolation, "interpolation", INTERPOLATIONS)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self._make_seed_generator(seed)

    def _matrix(self, transformation: Any, images: Any) -> Any:
        raise ValueError(f"{type(self).__name__} does not define its transform")

    def _warp(self, images, transformation, interpolation):
        if transformation is None:
            return images
        return ops.image.affine_transform(
            images,
            transform=ops.cast(self._matrix(transformation, images), "float32"),
            interpolation=interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        return ops.cast(self._warp(images, transformation, self.interpolation), images.dtype)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        if not training:
            return segmentation_masks
        return self._warp(segmentation_masks, transformation, "nearest")

    def _move_boxes(self, transformation, height, width):
        """``fn(x1, y1, x2, y2)`` moving boxes like the pixels (layers with boxes)."""
        raise ValueError(f"{type(self).__name__} does not transform bounding boxes")

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        if not training or transformation is None:
            return bounding_boxes
        if "input_shape" in transformation:
            shape = transformation["input_shape"]
            height, width = shape[self._h_axis], shape[self._w_axis]
        else:
            height, width = transformation["image_height"], transformation["image_width"]
        fn = self._move_boxes(transformation, height, width)
        return transform_boxes(self, bounding_boxes, height, width, fn)


class RandomFlip(BaseImageAugmentationLayer):
    """Randomly flips images horizontally and/or vertically during training (each
    image with probability 1/2; in ``"horizontal_and_vertical"`` mode one draw decides
    both flips, as in Keras).

    Args:
        mode: ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"``.
        seed: an int seed.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.RandomFlip("horizontal", seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
        (2, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False
    _SUPPORTS_BOXES = True

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        check_choice(mode, "mode", (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL))
        self.mode = mode
        self._make_seed_generator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        batch = self._batch_size(images)
        draws = krandom.uniform((batch, 1, 1, 1), seed=self._seed(seed))
        return {"flips": ops.less_equal(draws, 0.5), "input_shape": tuple(images.shape)}

    def _flip(self, images, transformation):
        if transformation is None:
            return images
        flips = ops.reshape(transformation["flips"], (-1, 1, 1, 1))
        out = images
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            out = ops.where(flips, ops.flip(out, axis=self._w_axis), out)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            out = ops.where(flips, ops.flip(out, axis=self._h_axis), out)
        return out

    def transform_images(self, images, transformation, training=True):
        return self._flip(images, transformation) if training else images

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return self._flip(segmentation_masks, transformation) if training else segmentation_masks

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        if not training or transformation is None:
            return bounding_boxes
        shape = transformation["input_shape"]
        height, width = shape[self._h_axis], shape[self._w_axis]
        flips = ops.reshape(transformation["flips"], (-1, 1))

        def flip(x1, y1, x2, y2):
            if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
                x1, x2 = ops.where(flips, width - x2, x1), ops.where(flips, width - x1, x2)
            if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
                y1, y2 = ops.where(flips, height - y2, y1), ops.where(flips, height - y1, y2)
            return x1, y1, x2, y2

        return transform_boxes(self, bounding_boxes, height, width, flip)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}


class RandomCrop(BaseImageAugmentationLayer):
    """Crops images to ``(height, width)``: at a random position (the same for the
    batch) during training when the images are larger; otherwise (inference, or
    images not larger) a centred crop of the target aspect ratio resized to
    ``(height, width)``.

    Args:
        height: the output height.
        width: the output width.
        seed: an int seed (default: a random one, saved in the config).
        data_format: ``"channels_last"`` or ``"channels_first"``.
        name: the layer's name.

    Example::

        >>> layer = kcore.layers.RandomCrop(4, 4, seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
        (2, 4, 4, 3)
    """

    _USE_BASE_FACTOR = False
    _SUPPORTS_BOXES = True
    #: Crops at inference too (a centred crop), so the output size never changes.
    _ALWAYS_APPLY = True

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(data_format=data_format, name=name, **kwargs)
        for arg, value in (("height", height), ("width", width)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"RandomCrop: `{arg}` must be a positive int. Received: {arg}={value!r}"
                )
        self.height = height
        self.width = width
        if seed is None:
            seed = _python_random.randrange(2**31)
        self._make_seed_generator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        in_h, in_w = self._height_width(images)
        if in_h is None or in_w is None:
            raise ValueError(
                "RandomCrop requires the input to have a fully defined height and width. "
                f"Received: images.shape={tuple(images.shape)}"
            )
        if training and in_h > self.height and in_w > self.width:
            seed = self._seed(seed)
            h_start = ops.cast(
                krandom.uniform((), 0, float(in_h - self.height + 1), seed=seed), "int32"
            )
            w_start = ops.cast(
                krandom.uniform((), 0, float(in_w - self.width + 1), seed=seed), "int32"
            )
            return (h_start, w_start, self.height, self.width, in_h, in_w)
        crop_h = max(min(in_h, int(float(in_w * self.height) / self.width)), 1)
        crop_w = max(min(in_w, int(float(in_h * self.width) / self.height)), 1)
        return (int((in_h - crop_h) / 2), int((in_w - crop_w) / 2), crop_h, crop_w, in_h, in_w)

    def _crop(self, images, transformation, interpolation="bilinear"):
        if transformation is None:
            transformation = self.get_random_transformation(images, training=False)
        h_start, w_start, crop_h, crop_w = transformation[:4]
        batch = images.shape[0] if images.shape[0] is not None else ops.shape(images)[0]
        if self.data_format == "channels_last":
            starts = [0, h_start, w_start, 0]
            size = [batch, crop_h, crop_w, images.shape[3]]
        else:
            starts = [0, 0, h_start, w_start]
            size = [batch, images.shape[1], crop_h, crop_w]
        if all(isinstance(s, int) for s in starts):
            index = tuple(slice(s, s + n) for s, n in zip(starts, size))
            out = images[index]
        else:
            starts = ops.stack([ops.cast(s, "int32") for s in starts])
            out = ops.slice(images, starts, size)
        if (crop_h, crop_w) != (self.height, self.width):
            out = ops.image.resize(
                out,
                (self.height, self.width),
                interpolation=interpolation,
                data_format=self.data_format,
            )
        return out

    def transform_images(self, images, transformation, training=True):
        return ops.cast(self._crop(images, transformation), images.dtype)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return self._crop(segmentation_masks, transformation, "nearest")

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        h_start, w_start, crop_h, crop_w, in_h, in_w = transformation
        h_start = ops.cast(h_start, "float32")
        w_start = ops.cast(w_start, "float32")
        sy, sx = self.height / crop_h, self.width / crop_w

        def crop(x1, y1, x2, y2):
            return (
                (x1 - w_start) * sx,
                (y1 - h_start) * sy,
                (x2 - w_start) * sx,
                (y2 - h_start) * sy,
            )

        return transform_boxes(
            self, bounding_boxes, in_h, in_w, crop, out_height=self.height, out_width=self.width
        )

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict):
            out = dict(input_shape)
            for key in ("images", "segmentation_masks"):
                if key in out:
                    out[key] = self.compute_output_shape(out[key])
            return out
        shape = list(input_shape)
        shape[self._h_axis] = self.height
        shape[self._w_axis] = self.width
        return tuple(shape)

    def get_config(self):
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "seed": self.seed,
        }


class RandomRotation(_AffineLayer):
    """Rotates images by a random angle during training: ``factor`` is a fraction of
    a full turn (``0.1``: up to ±36°), drawn per image; rotation about the centre.

    Args:
        factor: a number in ``[-1, 1]`` (range ``(-factor, factor)``) or a pair.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: an int seed.
        fill_value: the value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.RandomRotation(0.1, seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
        (2, 8, 8, 3)
    """

    _SUPPORTS_BOXES = True

    def __init__(
        self,
        factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self._set_resampling(fill_mode, interpolation, fill_value, seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        batch = self._batch_size(images)
        height, width = self._height_width(images)
        angle = krandom.uniform(
            (batch,),
            minval=self.factor[0] * 360.0,
            maxval=self.factor[1] * 360.0,
            seed=self._seed(seed),
        )
        zeros = ops.zeros_like(angle)
        matrix = affine_matrix(
            angle, zeros, zeros, ops.ones_like(angle), zeros, zeros, height, width
        )
        return {
            "angle": angle,
            "rotation_matrix": matrix,
            "image_height": height,
            "image_width": width,
            "batch_size": batch,
        }

    def _matrix(self, transformation, images):
        return transformation["rotation_matrix"]

    def _move_boxes(self, transformation, height, width):
        m = ops.cast(transformation["rotation_matrix"], "float32")
        a0, a1, a2, b0, b1, b2 = (ops.reshape(m[:, i], (-1, 1)) for i in range(6))
        det = a0 * b1 - a1 * b0

        def forward(x, y):  # input pixel -> output pixel (the matrix's inverse)
            return (b1 * (x - a2) - a1 * (y - b2)) / det, (a0 * (y - b2) - b0 * (x - a2)) / det

        def rotate(x1, y1, x2, y2):
            corners = [forward(x, y) for x in (x1, x2) for y in (y1, y2)]
            xs = ops.stack([c[0] for c in corners], axis=-1)
            ys = ops.stack([c[1] for c in corners], axis=-1)
            return ops.min(xs, -1), ops.min(ys, -1), ops.max(xs, -1), ops.max(ys, -1)

        return rotate

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "interpolation": self.interpolation,
            "seed": self.seed,
        }


class RandomTranslation(_AffineLayer):
    """Translates images by a random offset during training: ``height_factor`` and
    ``width_factor`` are fractions of the height and width (positive: down / right),
    drawn per image.

    Args:
        height_factor: a number in ``[-1, 1]`` (range ``(-f, f)``) or a pair.
        width_factor: a number in ``[-1, 1]`` or a pair.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: an int seed.
        fill_value: the value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.RandomTranslation(0.2, 0.2, seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
        (2, 8, 8, 3)
    """

    _SUPPORTS_BOXES = True
    _USE_BASE_FACTOR = False

    def __init__(
        self,
        height_factor,
        width_factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = parse_symmetric_factor(
            height_factor, "height_factor"
        )
        self.width_factor = width_factor
        self.width_lower, self.width_upper = parse_symmetric_factor(width_factor, "width_factor")
        self._set_resampling(fill_mode, interpolation, fill_value, seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        batch = self._batch_size(images)
        height, width = self._height_width(images)
        seed = self._seed(seed)
        dy = (
            krandom.uniform(
                (batch, 1), minval=self.height_lower, maxval=self.height_upper, seed=seed
            )
            * height
        )
        dx = (
            krandom.uniform((batch, 1), minval=self.width_lower, maxval=self.width_upper, seed=seed)
            * width
        )
        translations = ops.cast(ops.concatenate([dx, dy], axis=1), "float32")
        return {"translations": translations, "input_shape": tuple(images.shape)}

    def _move_boxes(self, transformation, height, width):
        t = ops.cast(transformation["translations"], "float32")
        dx, dy = ops.reshape(t[:, 0], (-1, 1)), ops.reshape(t[:, 1], (-1, 1))
        return lambda x1, y1, x2, y2: (x1 + dx, y1 + dy, x2 + dx, y2 + dy)

    def _matrix(self, transformation, images):
        t = transformation["translations"]
        ones = ops.ones_like(t[:, 0])
        zeros = ops.zeros_like(ones)
        return ops.stack([ones, zeros, -t[:, 0], zeros, ones, -t[:, 1], zeros, zeros], axis=1)

    def get_config(self):
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "seed": self.seed,
            "fill_value": self.fill_value,
        }


class RandomZoom(_AffineLayer):
    """Zooms images by a random factor during training (about the centre): positive
    factors zoom out, negative ones zoom in; ``width_factor=None`` keeps the aspect
    ratio (the height's zoom is used for both).

    Args:
        height_factor: a number in ``(-1, 1]`` (range ``(-f, f)``) or a pair.
        width_factor: the same for the width, or ``None``.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: an int seed.
        fill_value: the value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.RandomZoom(0.2, seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
        (2, 8, 8, 3)
    """

    _SUPPORTS_BOXES = True
    _USE_BASE_FACTOR = False

    def __init__(
        self,
        height_factor,
        width_factor=None,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = parse_symmetric_factor(
            height_factor, "height_factor", low_open=True
        )
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = parse_symmetric_factor(
                width_factor, "width_factor", low_open=True
            )
        self._set_resampling(fill_mode, interpolation, fill_value, seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        shape = (self._batch_size(images), 1)
        seed = self._seed(seed)
        height_zoom = krandom.uniform(
            shape, minval=1.0 + self.height_lower, maxval=1.0 + self.height_upper, seed=seed
        )
        if self.width_factor is not None:
            width_zoom = krandom.uniform(
                shape, minval=1.0 + self.width_lower, maxval=1.0 + self.width_upper, seed=seed
            )
        else:
            width_zoom = height_zoom
        return {
            "height_zoom": height_zoom,
            "width_zoom": width_zoom,
            "input_shape": tuple(images.shape),
        }

    def _move_boxes(self, transformation, height, width):
        zx = ops.cast(transformation["width_zoom"], "float32")
        zy = ops.cast(transformation["height_zoom"], "float32")
        x_off = (width - 1.0) / 2.0 * (1.0 - zx)
        y_off = (height - 1.0) / 2.0 * (1.0 - zy)
        return lambda x1, y1, x2, y2: (
            (x1 - x_off) / zx,
            (y1 - y_off) / zy,
            (x2 - x_off) / zx,
            (y2 - y_off) / zy,
        )

    def _matrix(self, transformation, images):
        height, width = self._height_width(images)
        zx = ops.cast(transformation["width_zoom"][:, 0], "float32")
        zy = ops.cast(transformation["height_zoom"][:, 0], "float32")
        zeros = ops.zeros_like(zx)
        x_offset = (width - 1.0) / 2.0 * (1.0 - zx)
        y_offset = (height - 1.0) / 2.0 * (1.0 - zy)
        return ops.stack([zx, zeros, x_offset, zeros, zy, y_offset, zeros, zeros], axis=1)

    def get_config(self):
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "seed": self.seed,
            "fill_value": self.fill_value,
        }


class RandomShear(_AffineLayer):
    """Shears images by random amounts along x and y during training (drawn per
    image in ``x_factor`` / ``y_factor``, with a random sign).

    Args:
        x_factor: a number in ``[0, 1]`` (range ``(-f, f)``) or a pair.
        y_factor: a number in ``[0, 1]`` or a pair.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"`` or ``"nearest"``.
        fill_value: the value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int seed.

    Example::

        >>> layer = kcore.layers.RandomShear(x_factor=0.2, seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
        (2, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self,
        x_factor=0.0,
        y_factor=0.0,
        interpolation="bilinear",
        fill_mode="reflect",
        fill_value=0.0,
        data_format=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        # A number is in [0, 1]; a pair (as get_config writes it) in [-1, 1].
        self.x_factor = parse_symmetric_factor(
            x_factor, "x_factor", low=-1.0 if isinstance(x_factor, tuple | list) else 0.0
        )
        self.y_factor = parse_symmetric_factor(
            y_factor, "y_factor", low=-1.0 if isinstance(y_factor, tuple | list) else 0.0
        )
        self._set_resampling(fill_mode, interpolation, fill_value, seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        shape = (self._batch_size(images), 1)
        seed = self._seed(seed)
        dtype = self.compute_dtype
        invert = krandom.uniform(shape, 0, 1, seed=seed, dtype=dtype)
        invert = ops.where(invert > 0.5, -ops.ones_like(invert), ops.ones_like(invert))
        shear_y = krandom.uniform(
            shape, minval=self.y_factor[0], maxval=self.y_factor[1], seed=seed, dtype=dtype
        )
        shear_x = krandom.uniform(
            shape, minval=self.x_factor[0], maxval=self.x_factor[1], seed=seed, dtype=dtype
        )
        factor = ops.concatenate([shear_x, shear_y], axis=1) * invert
        return {"shear_factor": factor, "input_shape": tuple(images.shape)}

    def _matrix(self, transformation, images):
        s = ops.cast(transformation["shear_factor"], "float32")
        ones = ops.ones_like(s[:, 0])
        zeros = ops.zeros_like(ones)
        return ops.stack([ones, s[:, 0], zeros, s[:, 1], ones, zeros, zeros, zeros], axis=1)

    def get_config(self):
        return {
            **super().get_config(),
            "x_factor": self.x_factor,
            "y_factor": self.y_factor,
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "seed": self.seed,
            "fill_value": self.fill_value,
        }


class RandomPerspective(_AffineLayer):
    """Applies a random perspective warp during training, with a probability drawn
    in ``factor`` per image: the corners move by up to ``scale / 2`` of their
    coordinates.

    Args:
        factor: a number in ``[0, 1]`` or a pair: the range of the probability.
        scale: the strength of the warp, in ``[0, 1]``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_value: the value outside the image.
        seed: an int seed.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.RandomPerspective(scale=0.2, seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
        (2, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        factor=1.0,
        scale=1.0,
        interpolation="bilinear",
        fill_value=0.0,
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        if (
            isinstance(scale, bool)
            or not isinstance(scale, int | float)
            or not (0.0 <= scale <= 1.0)
        ):
            raise ValueError(
                "The `scale` argument should be a number in the range [0,1]. "
                f"Received: scale={scale!r}"
            )
        check_choice(interpolation, "interpolation", INTERPOLATIONS)
        self.scale = scale
        self.fill_value = fill_value
        self.interpolation = interpolation
        self._make_seed_generator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        batch = self._batch_size(images)
        height, width = self._height_width(images)
        seed = self._seed(seed)
        apply = self._apply_per_image(batch, seed)
        perturb = krandom.uniform(
            (batch, 4, 2),
            minval=-0.5 * self.scale,
            maxval=0.5 * self.scale,
            seed=seed,
            dtype=self.compute_dtype,
        )
        start = ops.convert_to_tensor(
            [[[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]]],
            dtype=self.compute_dtype,
        )
        start = ops.repeat(start, batch, axis=0)
        return {
            "apply_perspective": apply,
            "start_points": start,
            "end_points": start + start * perturb,
            "input_shape": tuple(images.shape),
        }

    def _warp(self, images, transformation, interpolation):
        if transformation is None:
            return images
        out = ops.image.perspective_transform(
            images,
            transformation["start_points"],
            transformation["end_points"],
            interpolation=interpolation,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )
        return _where_batch(
            transformation["apply_perspective"], ops.cast(out, images.dtype), images
        )

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "interpolation": self.interpolation,
            "fill_value": self.fill_value,
            "seed": self.seed,
        }


_ELASTIC_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


class RandomElasticTransform(_AffineLayer):
    """Elastic deformation during training, with a probability drawn in ``factor``
    per image: every pixel moves by ``alpha`` times a Gaussian-smoothed random field
    (``alpha = 0.1 * s * max(height, width)``, ``sigma = 0.05 * s * min(height,
    width)``, ``s`` drawn in ``scale``); clipped to ``value_range``.

    Args:
        factor: a number in ``[0, 1]`` or a pair: the range of the probability.
        scale: a number in ``[0, 1]`` (range ``(0, scale)``) or a pair.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"``, ``"nearest"`` or
            ``"mirror"``.
        fill_value: the value outside the image with ``fill_mode="constant"``.
        value_range: the range of the input values.
        seed: an int seed.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.RandomElasticTransform(seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
        (2, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        factor=1.0,
        scale=1.0,
        interpolation="bilinear",
        fill_mode="reflect",
        fill_value=0.0,
        value_range=(0, 255),
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = parse_factor(scale, self._FACTOR_BOUNDS, "scale")
        check_choice(interpolation, "interpolation", INTERPOLATIONS)
        check_choice(fill_mode, "fill_mode", _ELASTIC_FILL_MODES)
        check_value_range(value_range)
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range
        self._make_seed_generator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training or self.scale[1] == 0 or self.factor[1] == 0:
            return None
        images = self._images_of(data)
        batch = self._batch_size(images)
        height, width = self._height_width(images)
        seed = self._seed(seed)
        apply = self._apply_per_image(batch, seed)
        distortion = krandom.uniform(
            (), minval=self.scale[0], maxval=self.scale[1], seed=seed, dtype="float32"
        )
        noise = krandom.normal((batch, height, width, 2), seed=seed, dtype="float32")
        return {
            "apply_transform": apply,
            "distortion_factor": distortion,
            "noise": noise,
        }

    def _warp(self, images, transformation, interpolation):
        if transformation is None:
            return images
        height, width = self._height_width(images)
        s = transformation["distortion_factor"]
        alpha = max(height, width) * 0.1 * s
        sigma = min(height, width) * 0.05 * s + 1e-6
        # A kernel wide enough for the largest sigma; smaller sigmas have tiny tails.
        size = int(6 * min(height, width) * 0.05 * self.scale[1]) | 1
        taps = gaussian_taps(size, sigma, "float32")
        field = transformation["noise"] * sigma
        field = correlate_axis(field, taps, size, 1)
        field = correlate_axis(field, taps, size, 2) * alpha
        batch = images.shape[0] if images.shape[0] is not None else ops.shape(images)[0]
        x = ops.cast(images, "float32")
        if self.data_format == "channels_first":
            x = ops.transpose(x, (0, 2, 3, 1))
        channels = x.shape[-1]
        grid_b, grid_y, grid_x, grid_c = ops.meshgrid(
            ops.arange(batch, dtype="float32"),
            ops.arange(height, dtype="float32"),
            ops.arange(width, dtype="float32"),
            ops.arange(channels, dtype="float32"),
            indexing="ij",
        )
        ys = grid_y + ops.expand_dims(field[..., 0], -1)
        xs = grid_x + ops.expand_dims(field[..., 1], -1)
        coordinates = ops.stack([grid_b, ys, xs, grid_c], axis=0)
        out = ops.image.map_coordinates(
            x,
            coordinates,
            order=1 if interpolation == "bilinear" else 0,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
        )
        if self.data_format == "channels_first":
            out = ops.transpose(out, (0, 3, 1, 2))
        out = _where_batch(transformation["apply_transform"], ops.cast(out, images.dtype), images)
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "interpolation": self.interpolation,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "value_range": self.value_range,
            "seed": self.seed,
        }


class RandomErasing(BaseImageAugmentationLayer):
    """Erases a random rectangle of each image during training, with a probability
    drawn in ``factor``: its sides are ``sqrt(s)`` of the image's (``s`` drawn in
    ``scale`` per side) and it is filled with ``fill_value`` (``None``: Gaussian noise
    times ``value_range[1]``), clipped to ``value_range``.

    Args:
        factor: a number in ``[0, 1]`` or a pair: the range of the probability.
        scale: a number in ``[0, 1]`` or a pair: the range of the erased area.
        fill_value: a number, three numbers (one per channel), or ``None``.
        value_range: the range of the input values.
        seed: an int seed.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.RandomErasing(factor=(1.0, 1.0), fill_value=0, seed=1)
        >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
        (2, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        factor=1.0,
        scale=(0.02, 0.33),
        fill_value=None,
        value_range=(0, 255),
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = parse_factor(scale, self._FACTOR_BOUNDS, "scale")
        if fill_value is not None:
            ok = (isinstance(fill_value, int | float) and not isinstance(fill_value, bool)) or (
                isinstance(fill_value, tuple | list) and len(fill_value) == 3
            )
            if not ok:
                raise ValueError(
                    "The `fill_value` argument should be a number (or a list of three "
                    f"numbers). Received: fill_value={fill_value!r}"
                )
        check_value_range(value_range)
        self.fill_value = fill_value
        self.value_range = value_range
        self._make_seed_generator(seed)

    def _fill(self, images, seed):
        shape = tuple(images.shape)
        if self.fill_value is None:
            fill = krandom.normal(shape, seed=seed, dtype=self.compute_dtype) * self.value_range[1]
        elif isinstance(self.fill_value, tuple | list):
            values = ops.convert_to_tensor(list(self.fill_value), dtype=self.compute_dtype)
            values = ops.reshape(
                values, (3, 1, 1) if self.data_format == "channels_first" else (3,)
            )
            fill = ops.zeros(shape, dtype=self.compute_dtype) + values
        else:
            fill = ops.ones(shape, dtype=self.compute_dtype) * self.fill_value
        return ops.clip(fill, self.value_range[0], self.value_range[1])

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        batch = self._batch_size(images)
        height, width = self._height_width(images)
        seed = self._seed(seed)
        dtype = self.compute_dtype
        sides = ops.sqrt(
            krandom.uniform((batch, 2), self.scale[0], self.scale[1], seed=seed, dtype=dtype)
        )
        crop_w = sides[:, 0] * width
        x0 = krandom.uniform((batch,), 0, 1, seed=seed, dtype=dtype) * (width - crop_w)
        crop_h = sides[:, 1] * height
        y0 = krandom.uniform((batch,), 0, 1, seed=seed, dtype=dtype) * (height - crop_h)
        masks = _box_masks(x0, x0 + crop_w, y0, y0 + crop_h, height, width, self.data_format, dtype)
        apply = self._apply_per_image(batch, seed)
        if len(images.shape) == 3:
            fill_images = ops.expand_dims(images, 0)
        else:
            fill_images = images
        return {
            "apply_erasing": apply,
            "batch_masks": masks,
            "fill_value": self._fill(fill_images, seed),
        }

    def transform_images(self, images, transformation=None, training=True):
        if not training or transformation is None:
            return images
        fill = ops.cast(transformation["fill_value"], images.dtype)
        erased = ops.where(transformation["batch_masks"], fill, images)
        return _where_batch(transformation["apply_erasing"], erased, images)

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "fill_value": self.fill_value,
            "value_range": self.value_range,
            "seed": self.seed,
        }


def _box_masks(x0, x1, y0, y1, height, width, data_format, dtype):
    """``(batch, H, W, 1)`` (or ``(batch, 1, H, W)``) booleans: inside each box."""
    ys = ops.arange(height, dtype=dtype)
    xs = ops.arange(width, dtype=dtype)
    if data_format == "channels_last":
        gy, gx = ops.reshape(ys, (1, -1, 1, 1)), ops.reshape(xs, (1, 1, -1, 1))
    else:
        gy, gx = ops.reshape(ys, (1, 1, -1, 1)), ops.reshape(xs, (1, 1, 1, -1))

    def col(v):
        return ops.reshape(v, (-1, 1, 1, 1))

    return ops.logical_and(
        ops.logical_and(gx >= col(x0), gx < col(x1)),
        ops.logical_and(gy >= col(y0), gy < col(y1)),
    )
