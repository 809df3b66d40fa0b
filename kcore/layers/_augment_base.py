"""The base of kcore's image-augmentation layers (Keras 3's
``BaseImagePreprocessingLayer``), and the helpers they share.

A layer draws its random parameters once per call with
:meth:`BaseImageAugmentationLayer.get_random_transformation` and applies them with
:meth:`BaseImageAugmentationLayer.transform_images` (and ``transform_labels``,
``transform_segmentation_masks``, ``transform_bounding_boxes`` for dict inputs), so a
dict ``{"images": ..., "labels": ..., "segmentation_masks": ...}`` gets one consistent
transformation. Images are batched (rank 4) or single (rank 3); a single image is
transformed as a batch of one. Everything is written on ``kcore.ops`` and
``kcore.random``.

Example::

    >>> layer = kcore.layers.RandomFlip("horizontal", seed=1)
    >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
    (2, 8, 8, 3)
"""

from __future__ import annotations

import math
from typing import Any

from kcore import ops
from kcore.layers.layer import Layer
from kcore.random import SeedGenerator, uniform

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def standardize_data_format(data_format: Any) -> str:
    """``data_format`` checked, ``None`` meaning ``kcore.config.image_data_format()``."""
    if data_format is None:
        from kcore.config import image_data_format

        return image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_first", "channels_last"):
        raise ValueError(
            "The `data_format` argument must be one of 'channels_first', "
            f"'channels_last'. Received: data_format={data_format!r}"
        )
    return value


def check_value_range(value_range: Any, name: str = "value_range") -> None:
    if not isinstance(value_range, tuple | list) or len(value_range) != 2:
        raise ValueError(
            f"The `{name}` argument should be a list of two numbers. "
            f"Received: {name}={value_range!r}"
        )
    for v in value_range:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ValueError(
                f"The `{name}` argument should be a list of two numbers. "
                f"Received: {name}={value_range!r}"
            )


def check_choice(value: Any, name: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(
            f"Unknown `{name}` {value!r}. Expected one of {tuple(allowed)}. "
            f"Received: {name}={value!r}"
        )


def parse_factor(factor: Any, bounds: tuple[float, float], name: str = "factor") -> tuple:
    """Keras's factor rule: a pair is sorted; a number ``f`` gives
    ``(max(-|f|, low), |f|)``; ``ValueError`` outside ``bounds``."""
    low, high = bounds
    message = (
        f"The `{name}` argument should be a number (or a list of two numbers) in the "
        f"range [{low}, {high}]. Received: {name}={factor!r}"
    )
    if isinstance(factor, tuple | list):
        if len(factor) != 2 or any(
            isinstance(f, bool) or not isinstance(f, int | float) for f in factor
        ):
            raise ValueError(message)
        if factor[0] > high or factor[1] < low:
            raise ValueError(message)
        lower, upper = sorted(factor)
        return (lower, upper)
    if isinstance(factor, int | float) and not isinstance(factor, bool):
        if factor < low or factor > high:
            raise ValueError(message)
        factor = abs(factor)
        return (max(-factor, low), factor)
    raise ValueError(message)


def parse_symmetric_factor(
    factor: Any, name: str, low: float = -1.0, high: float = 1.0, low_open: bool = False
) -> tuple:
    """A pair (sorted) or a number ``f`` giving ``(-|f|, |f|)``; every value checked in
    ``[low, high]`` (``(low, high]`` when ``low_open``)."""
    message = (
        f"The `{name}` argument should be a number (or a list of two numbers) in the "
        f"range [{low}, {high}]. Received: {name}={factor!r}"
    )

    def check(v: Any) -> None:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ValueError(message)
        if v > high or v < low or (low_open and v == low):
            raise ValueError(message)

    if isinstance(factor, tuple | list):
        if len(factor) != 2:
            raise ValueError(message)
        check(factor[0])
        check(factor[1])
        lower, upper = sorted(factor)
        return (lower, upper)
    check(factor)
    factor = abs(factor)
    return (-factor, factor)


class BaseImageAugmentationLayer(Layer):
    """The base of the image augmentation layers.

    Subclasses set ``_USE_BASE_FACTOR`` / ``_FACTOR_BOUNDS`` (``factor`` parsing as in
    Keras), override :meth:`get_random_transformation` (random parameters for a batch)
    and :meth:`transform_images` (applies them to a rank-4 batch). ``call(data,
    training=True)`` accepts a batch, a single image, or a dict with ``"images"`` and
    optionally ``"labels"``, ``"segmentation_masks"``, ``"bounding_boxes"``.

    Args:
        factor: the strength of the augmentation (its meaning depends on the layer).
        bounding_box_format: the format of ``"bounding_boxes"`` in dict inputs.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format).

    Example::

        >>> class AddOne(BaseImageAugmentationLayer):
        ...     def transform_images(self, images, transformation, training=True):
        ...         return images + 1.0 if training else images
        >>> float(AddOne()(kcore.ops.zeros((1, 2, 2, 3)))[0, 0, 0, 0])
        1.0
    """

    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS: tuple[float, float] = (-1, 1)
    #: Whether transform_images applies at inference too (AutoContrast, CLAHE).
    _ALWAYS_APPLY = False
    #: Whether transform_bounding_boxes is written for this layer.
    _SUPPORTS_BOXES = False

    def __init__(
        self,
        factor: Any = None,
        bounding_box_format: Any = None,
        data_format: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        check_box_format(bounding_box_format)
        self.bounding_box_format = bounding_box_format
        self.data_format = standardize_data_format(data_format)
        if self.data_format == "channels_first":
            self._h_axis, self._w_axis, self._c_axis = -2, -1, -3
        else:
            self._h_axis, self._w_axis, self._c_axis = -3, -2, -1
        if self._USE_BASE_FACTOR:
            self._set_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError(
                f"Layer {type(self).__name__} does not take a `factor` argument. "
                f"Received: factor={factor}"
            )

    # -------------------------------------------------------------- arguments
    def _set_factor(self, factor: Any) -> None:
        self.factor = parse_factor(factor, self._FACTOR_BOUNDS)

    def _make_seed_generator(self, seed: Any) -> None:
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)

    @property
    def generator(self) -> SeedGenerator:
        """The layer's :class:`kcore.random.SeedGenerator` (Keras's name)."""
        return self.seed_generator

    def _seed(self, seed: Any) -> Any:
        return self.seed_generator if seed is None else seed

    def _apply_per_image(self, batch: Any, seed: Any) -> Any:
        """``(batch,)`` booleans: each image is transformed with a probability drawn
        in ``factor`` (the layers whose ``factor`` is a probability)."""
        probability = uniform((batch,), minval=self.factor[0], maxval=self.factor[1], seed=seed)
        threshold = uniform((batch,), 0.0, 1.0, seed=seed)
        return threshold < probability

    # ------------------------------------------------------------------ shapes
    @staticmethod
    def _images_of(data: Any) -> Any:
        return data["images"] if isinstance(data, dict) else data

    @staticmethod
    def _batch_size(images: Any) -> int:
        shape = images.shape
        rank = len(shape)
        if rank == 3:
            return 1
        if rank == 4:
            return shape[0] if shape[0] is not None else ops.shape(images)[0]
        raise ValueError(
            "Expected image tensor to have rank 3 (single image) or 4 (batch of images). "
            f"Received: data.shape={tuple(shape)}"
        )

    def _height_width(self, images: Any) -> tuple[int, int]:
        shape = images.shape
        return shape[self._h_axis], shape[self._w_axis]

    # --------------------------------------------------------------- the split
    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None):
        """The random parameters for one call on ``data`` (``None``: nothing random)."""
        return None

    def transform_images(self, images: Any, transformation: Any, training: bool = True):
        """Apply ``transformation`` to a batch of images (rank 4)."""
        return images

    def transform_labels(self, labels: Any, transformation: Any, training: bool = True):
        """Apply ``transformation`` to the labels (default: unchanged)."""
        return labels

    def transform_segmentation_masks(
        self, segmentation_masks: Any, transformation: Any, training: bool = True
    ):
        """Apply ``transformation`` to segmentation masks (default: unchanged; the
        geometric layers move them like the images, with nearest interpolation)."""
        return segmentation_masks

    def transform_bounding_boxes(
        self, bounding_boxes: Any, transformation: Any, training: bool = True
    ):
        """Apply ``transformation`` to ``{"boxes", "labels"}`` (default: unchanged for
        the layers that do not move pixels)."""
        return bounding_boxes

    # --------------------------------------------------------------------- call
    def _cast(self, images: Any) -> Any:
        return ops.cast(images, self.compute_dtype)

    def _on_batch(self, fn: Any, images: Any, transformation: Any, training: Any) -> Any:
        if len(images.shape) == 3:
            out = fn(ops.expand_dims(images, 0), transformation, training=training)
            return ops.squeeze(out, 0)
        if len(images.shape) != 4:
            raise ValueError(
                "Expected image tensor to have rank 3 (single image) or 4 (batch of "
                f"images). Received: data.shape={tuple(images.shape)}"
            )
        return fn(images, transformation, training=training)

    def _images_step(self, images: Any, transformation: Any, training: Any) -> Any:
        images = self._cast(images)
        if not training and not self._ALWAYS_APPLY:
            return images
        return self._on_batch(self.transform_images, images, transformation, training)

    def call(self, data: Any, training: bool = True) -> Any:
        training = bool(training) if isinstance(training, bool | int) else training
        if not isinstance(data, dict):
            data = ops.convert_to_tensor(data)
            transformation = (
                self.get_random_transformation(data, training=training)
                if training or self._ALWAYS_APPLY
                else None
            )
            return self._images_step(data, transformation, training)
        if "images" not in data:
            raise ValueError(
                f"{type(self).__name__}: a dict input needs an 'images' key. "
                f"Received keys: {sorted(data)}"
            )
        data = dict(data)
        images = ops.convert_to_tensor(data["images"])
        data["images"] = images
        unbatched = len(images.shape) == 3
        transformation = (
            self.get_random_transformation(data, training=training)
            if training or self._ALWAYS_APPLY
            else None
        )
        data["images"] = self._images_step(images, transformation, training)
        if "labels" in data and (training or self._ALWAYS_APPLY):
            labels = ops.convert_to_tensor(data["labels"])
            if unbatched:
                labels = ops.squeeze(
                    self.transform_labels(ops.expand_dims(labels, 0), transformation, training),
                    0,
                )
            else:
                labels = self.transform_labels(labels, transformation, training)
            data["labels"] = labels
        if "segmentation_masks" in data and (training or self._ALWAYS_APPLY):
            masks = ops.convert_to_tensor(data["segmentation_masks"])
            data["segmentation_masks"] = self._on_batch(
                self.transform_segmentation_masks, masks, transformation, training
            )
        if "bounding_boxes" in data:
            if not self.bounding_box_format:
                raise ValueError(
                    "You passed an input with a 'bounding_boxes' key, but you didn't "
                    "specify a bounding box format. Pass a `bounding_box_format` "
                    f"argument to your {type(self).__name__} layer, e.g. "
                    "`bounding_box_format='xyxy'`."
                )
            if not self._SUPPORTS_BOXES:
                raise ValueError(
                    f"{type(self).__name__}: kcore does not transform 'bounding_boxes' "
                    "with this layer; pass them outside the layer's input dict"
                )
            boxes = {k: ops.convert_to_tensor(v) for k, v in data["bounding_boxes"].items()}
            if unbatched:
                boxes = {k: ops.expand_dims(v, 0) for k, v in boxes.items()}
            boxes = self.transform_bounding_boxes(boxes, transformation, training=training)
            if unbatched:
                boxes = {k: ops.squeeze(v, 0) for k, v in boxes.items()}
            data["bounding_boxes"] = boxes
        return data

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "data_format": self.data_format}
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config

    # ------------------------------------------------------------ value ranges
    def _transform_value_range(
        self, images: Any, original_range: Any, target_range: Any, dtype: Any = None
    ) -> Any:
        """``images`` mapped linearly from ``original_range`` to ``target_range``."""
        if original_range[0] == target_range[0] and original_range[1] == target_range[1]:
            return images
        images = ops.cast(images, dtype or self.compute_dtype)
        o_low, o_high = float(original_range[0]), float(original_range[1])
        t_low, t_high = float(target_range[0]), float(target_range[1])
        return (images - o_low) / (o_high - o_low) * (t_high - t_low) + t_low


def affine_matrix(angle, translate_x, translate_y, scale, shear_x, shear_y, height, width):
    """Keras's ``_compute_affine_matrix`` about the image centre: ``(batch, 8)``
    projective transforms (angles and shears in degrees) mapping output to input."""
    rad = math.pi / 180.0
    angle = angle * rad
    shear_x = ops.tan(shear_x * rad)
    shear_y = ops.tan(shear_y * rad)
    cx = 0.5 * (width - 1)
    cy = 0.5 * (height - 1)
    cos, sin = ops.cos(angle), ops.sin(angle)
    a0 = scale * (cos + shear_x * sin)
    a1 = scale * (-sin + shear_x * cos)
    a2 = translate_x + cx - cx * a0 - cy * a1
    b0 = scale * (shear_y * cos + sin)
    b1 = scale * (-shear_y * sin + cos)
    b2 = translate_y + cy - cx * b0 - cy * b1
    zeros = ops.zeros_like(a0)
    return ops.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def gaussian_taps(size: int, sigma: Any, dtype: str) -> Any:
    """The ``size`` normalized Gaussian weights of (tensor or float) ``sigma``."""
    half = (size - 1) / 2.0
    x = ops.cast(ops.arange(size), dtype) - half
    sigma = ops.cast(sigma, dtype)
    weights = ops.exp(-(x * x) / (2.0 * sigma * sigma))
    return weights / ops.sum(weights)


def correlate_axis(x: Any, taps: Any, size: int, axis: int) -> Any:
    """``x`` correlated with ``taps`` (a tensor of ``size`` weights) along ``axis``,
    zero-padded to keep its length."""
    rank = len(x.shape)
    axis = axis % rank
    half = size // 2
    pad = [[0, 0]] * rank
    pad[axis] = [half, half]
    padded = ops.pad(x, pad)
    length = x.shape[axis]
    out = None
    for i in range(size):
        index = [slice(None)] * rank
        index[axis] = slice(i, i + length)
        term = padded[tuple(index)] * taps[i]
        out = term if out is None else out + term
    return out


# ---------------------------------------------------------------- bounding boxes
BOX_FORMATS = (
    "xyxy",
    "yxyx",
    "xywh",
    "center_xywh",
    "center_yxhw",
    "rel_xyxy",
    "rel_yxyx",
    "rel_xywh",
    "rel_center_xywh",
)


def check_box_format(bounding_box_format: Any) -> None:
    if bounding_box_format is not None and str(bounding_box_format).lower() not in BOX_FORMATS:
        raise ValueError(
            f"Unknown `bounding_box_format` {bounding_box_format!r}. Expected one of "
            f"{BOX_FORMATS}. Received: bounding_box_format={bounding_box_format!r}"
        )


def _split4(boxes):
    return [boxes[..., i] for i in range(4)]


def boxes_to_xyxy(boxes: Any, fmt: str, height: Any, width: Any) -> Any:
    """``boxes`` (``(..., 4)``) in ``fmt`` as absolute ``xyxy`` float32 pixels."""
    fmt = fmt.lower()
    boxes = ops.cast(boxes, "float32")
    a, b, c, d = _split4(boxes)
    relative = fmt.startswith("rel_")
    base = fmt[4:] if relative else fmt
    if base == "xyxy":
        x1, y1, x2, y2 = a, b, c, d
    elif base == "yxyx":
        y1, x1, y2, x2 = a, b, c, d
    elif base == "xywh":
        x1, y1, x2, y2 = a, b, a + c, b + d
    elif base == "center_xywh":
        x1, y1, x2, y2 = a - c / 2, b - d / 2, a + c / 2, b + d / 2
    else:  # center_yxhw
        x1, y1, x2, y2 = b - d / 2, a - c / 2, b + d / 2, a + c / 2
    if relative:
        x1, x2, y1, y2 = x1 * width, x2 * width, y1 * height, y2 * height
    return ops.stack([x1, y1, x2, y2], axis=-1)


def boxes_from_xyxy(boxes: Any, fmt: str, height: Any, width: Any) -> Any:
    """Absolute ``xyxy`` boxes in ``fmt``."""
    fmt = fmt.lower()
    x1, y1, x2, y2 = _split4(boxes)
    if fmt.startswith("rel_"):
        x1, x2, y1, y2 = x1 / width, x2 / width, y1 / height, y2 / height
        fmt = fmt[4:]
    if fmt == "xyxy":
        parts = [x1, y1, x2, y2]
    elif fmt == "yxyx":
        parts = [y1, x1, y2, x2]
    elif fmt == "xywh":
        parts = [x1, y1, x2 - x1, y2 - y1]
    elif fmt == "center_xywh":
        parts = [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1]
    else:  # center_yxhw
        parts = [(y1 + y2) / 2, (x1 + x2) / 2, y2 - y1, x2 - x1]
    return ops.stack(parts, axis=-1)


def clip_boxes(bounding_boxes: dict, height: Any, width: Any) -> dict:
    """Absolute ``xyxy`` boxes clipped to the image; boxes left with no area get
    label ``-1`` (as Keras's ``clip_to_image_size``)."""
    out = dict(bounding_boxes)
    x1, y1, x2, y2 = _split4(out["boxes"])
    x1, x2 = ops.clip(x1, 0, width), ops.clip(x2, 0, width)
    y1, y2 = ops.clip(y1, 0, height), ops.clip(y2, 0, height)
    out["boxes"] = ops.stack([x1, y1, x2, y2], axis=-1)
    if "labels" in out:
        area = (x2 - x1) * (y2 - y1)
        labels = out["labels"]
        out["labels"] = ops.where(area > 0, labels, ops.cast(-1, labels.dtype))
    return out


def transform_boxes(
    layer: Any,
    bounding_boxes: dict,
    height: int,
    width: int,
    fn: Any,
    out_height: int | None = None,
    out_width: int | None = None,
) -> dict:
    """Convert to absolute ``xyxy``, apply ``fn(x1, y1, x2, y2) -> (x1, y1, x2, y2)``
    (each ``(batch, boxes)``), clip to the output image and convert back."""
    out_height = height if out_height is None else out_height
    out_width = width if out_width is None else out_width
    fmt = layer.bounding_box_format
    xyxy = boxes_to_xyxy(bounding_boxes["boxes"], fmt, height, width)
    x1, y1, x2, y2 = fn(*_split4(xyxy))
    result = dict(bounding_boxes)
    result["boxes"] = ops.stack([x1, y1, x2, y2], axis=-1)
    result = clip_boxes(result, out_height, out_width)
    result["boxes"] = ops.cast(
        boxes_from_xyxy(result["boxes"], fmt, out_height, out_width), "float32"
    )
    return result
