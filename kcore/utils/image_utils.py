"""Images as arrays and back: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``.

These need Pillow (``pip install pillow``); the error says so when it is missing.

Example::

    >>> img = kcore.utils.load_img("cat.png", target_size=(64, 64))   # doctest: +SKIP
    >>> kcore.utils.img_to_array(img).shape                            # doctest: +SKIP
    (64, 64, 3)
"""

from __future__ import annotations

import io
import os
import warnings
from typing import Any

import numpy as np

_MISSING_PILLOW = (
    "{what} needs Pillow to read and write images: install it with `pip install pillow`"
)
_COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil_image(what: str) -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(_MISSING_PILLOW.format(what=what)) from None
    return Image


def _data_format(data_format: str | None) -> str:
    from kcore import config

    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"data_format must be 'channels_last' or 'channels_first', received {data_format!r}"
        )
    return data_format


def _resample(Image: Any, interpolation: str) -> Any:  # noqa: N803 - PIL's module name
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"interpolation must be one of {', '.join(_INTERPOLATIONS)}, received {interpolation!r}"
        )
    return getattr(Image.Resampling, interpolation.upper())


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A 3D array (height, width, channels) as a PIL image.

    One channel gives a grayscale image (32-bit ``"I"`` mode when values exceed 255),
    3 an RGB and 4 an RGBA image.

    Args:
        x: the array (NumPy or a backend tensor).
        data_format: ``"channels_last"`` or ``"channels_first"``; default
            ``kcore.config.image_data_format()``.
        scale: rescale the values to ``[0, 255]`` first (min to 0, max to 255).
        dtype: the dtype the values are read as; default ``kcore.config.floatx()``.

    Example::

        >>> img = array_to_img(np.random.rand(8, 8, 3))
        >>> img.size
        (8, 8)
    """
    from kcore import config

    Image = _pil_image("array_to_img")  # noqa: N806
    data_format = _data_format(data_format)
    if not isinstance(x, np.ndarray | list | tuple):
        from kcore import ops

        x = ops.convert_to_numpy(x)
    x = np.asarray(x, dtype=dtype or config.floatx())
    if x.ndim != 3:
        raise ValueError(
            f"array_to_img expects a 3D array (height, width, channels), received shape {x.shape}"
        )
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x = x / peak
        x = x * 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(
        f"array_to_img expects 1, 3 or 4 channels, received {channels} (shape {x.shape})"
    )


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image as a 3D NumPy array: (height, width, channels) for channels_last.

    Args:
        img: a PIL image.
        data_format: ``"channels_last"`` or ``"channels_first"``; default
            ``kcore.config.image_data_format()``.
        dtype: the array's dtype; default ``kcore.config.floatx()``.

    Example::

        >>> img_to_array(array_to_img(np.zeros((4, 5, 1)))).shape
        (4, 5, 1)
    """
    from kcore import config

    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or config.floatx())
    if x.ndim == 2:
        x = x[:, :, np.newaxis]
    elif x.ndim != 3:
        raise ValueError(f"img_to_array: unsupported image shape {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(2, 0, 1)
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Save a 3D array as an image file (format from ``file_format`` or the extension).

    An RGBA array saved as JPEG is converted to RGB (JPEG has no alpha channel).
    Extra keyword arguments go to PIL's ``Image.save``.

    Example::

        >>> save_img("out.png", np.random.rand(8, 8, 3))   # doctest: +SKIP
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpg" or file_format == "jpeg"):
        warnings.warn("save_img: JPEG has no alpha channel; saving as RGB", stacklevel=2)
        img = img.convert("RGB")
    if isinstance(path, str | os.PathLike):
        extension = os.path.splitext(os.fspath(path))[1].lower()
        if img.mode == "RGBA" and file_format is None and extension in (".jpg", ".jpeg"):
            warnings.warn("save_img: JPEG has no alpha channel; saving as RGB", stacklevel=2)
            img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def _center_crop_box(width: int, height: int, target_w: int, target_h: int) -> tuple:
    crop_w = min(width, int(round(height * target_w / target_h)))
    crop_h = min(height, int(round(width * target_h / target_w)))
    left = (width - crop_w) // 2
    top = (height - crop_h) // 2
    return (left, top, left + crop_w, top + crop_h)


def load_img(
    path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False
):
    """Load an image file as a PIL image.

    Args:
        path: a path, or a binary file object (``io.BytesIO``).
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        target_size: ``(height, width)`` to resize to, or ``None`` to keep the size.
        interpolation: ``"nearest"``, ``"bilinear"``, ``"bicubic"``, ``"hamming"``,
            ``"box"`` or ``"lanczos"``.
        keep_aspect_ratio: crop the center to the target's aspect ratio before
            resizing, instead of stretching.

    Example::

        >>> img = load_img("cat.png", "grayscale", target_size=(28, 28))  # doctest: +SKIP
    """
    Image = _pil_image("load_img")  # noqa: N806
    if color_mode not in _COLOR_MODES:
        raise ValueError(
            f"color_mode must be 'grayscale', 'rgb' or 'rgba', received {color_mode!r}"
        )
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, str | bytes | os.PathLike):
        with open(os.fspath(path) if not isinstance(path, bytes) else path, "rb") as handle:
            img = Image.open(io.BytesIO(handle.read()))
    else:
        raise TypeError(f"load_img expects a path or an io.BytesIO, received {type(path).__name__}")
    mode = _COLOR_MODES[color_mode]
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif img.mode != mode:
        img = img.convert(mode)
    if target_size is not None:
        height, width = (int(v) for v in target_size)
        if img.size != (width, height):
            resample = _resample(Image, interpolation)
            box = None
            if keep_aspect_ratio:
                box = _center_crop_box(img.size[0], img.size[1], width, height)
            img = img.resize((width, height), resample=resample, box=box)
    return img
