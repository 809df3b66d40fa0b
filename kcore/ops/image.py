"""Image ops (``keras.ops.image``; only there, not in ``kcore.ops``).

Declarations only; see :mod:`kcore.ops.contract`. Images are 3D ``(height, width,
channels)`` or 4D ``(batch, height, width, channels)`` tensors, or channels first with
``data_format="channels_first"``; ``data_format=None`` means
:func:`kcore.config.image_data_format`.

Resampling (:func:`resize`) follows JAX's and TensorFlow's half-pixel conventions:
output pixel ``i`` samples the input at ``(i + 0.5) * in / out - 0.5`` with a separable
kernel (triangle for ``"bilinear"``, Keys cubic with ``a = -0.5`` for ``"bicubic"``,
Lanczos for ``"lanczos3"``/``"lanczos5"``), whose weights are renormalised where the
kernel reaches past the image edge; with ``antialias=True`` the kernel is widened by
the downsampling factor. ``"nearest"`` takes input pixel ``floor((i + 0.5) * in /
out)`` and ``"area"`` averages the input pixels an output pixel covers, weighted by
the covered length. The weights are computed once, in NumPy, by the helpers below,
which every backend shares.
"""

from __future__ import annotations

import functools
import math
import operator
from typing import Any

import numpy as np

from kcore import config, ops
from kcore.dtypes import result_type, standardize_dtype
from kcore.ops.cases import Case, array
from kcore.ops.contract import op

# --------------------------------------------------------------------------- checks
# Each ``_check_*`` returns the broken expectation as text, or None. The ops use them as
# ``expect=`` rules, and the backends call :func:`_validate` first, because several
# frameworks would silently accept what Keras refuses (an unknown data format, a zero
# size).

DATA_FORMATS = ("channels_last", "channels_first")
RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


def _validate(problem: str | None) -> None:
    if problem:
        raise ValueError(f"expected {problem}")


def _shape(x: Any) -> tuple | None:
    shape = getattr(x, "shape", None)
    if shape is None:
        if isinstance(x, list | tuple):
            return np.shape(x)
        return None
    return tuple(None if d is None else int(d) for d in shape)


def _check_format(data_format: Any) -> str | None:
    if data_format is not None and data_format not in DATA_FORMATS:
        return f"data_format 'channels_last' or 'channels_first', got {data_format!r}"
    return None


def _check_rank(x: Any, name: str = "images", ranks: tuple[int, ...] = (3, 4)) -> str | None:
    shape = _shape(x)
    if shape is not None and len(shape) not in ranks:
        wanted = " or ".join(str(r) for r in ranks)
        kinds = {3: "a single image", 4: "a batch of images", 5: "a batch of volumes"}
        if ranks == (4, 5):
            kinds = {4: "a single volume", 5: "a batch of volumes"}
        what = " or ".join(f"{r} ({kinds[r]})" for r in ranks) if len(ranks) > 1 else wanted
        return f"{name} of rank {what}, got rank {len(shape)} (shape {shape})"
    return None


def _formats_and_rank(ranks: tuple[int, ...] = (3, 4), name: str = "images"):
    def rule(values: dict[str, Any]) -> str | None:
        return _check_format(values.get("data_format")) or _check_rank(values[name], name, ranks)

    return rule


def _channels(x: Any, data_format: str, spatial: int = 2) -> int | None:
    shape = _shape(x)
    return shape[-1] if data_format == "channels_last" else shape[-(spatial + 1)]


def _check_size(size: Any) -> str | None:
    try:
        pair = tuple(operator.index(s) for s in size)
    except TypeError:
        return f"size to be a (height, width) pair of positive ints, got {size!r}"
    if len(pair) != 2 or min(pair) <= 0:
        return f"size to be a (height, width) pair of positive ints, got {size!r}"
    return None


def _check_resize(values: dict[str, Any]) -> str | None:
    interpolation = values.get("interpolation")
    if interpolation not in RESIZE_INTERPOLATIONS:
        return f"interpolation one of {RESIZE_INTERPOLATIONS}, got {interpolation!r}"
    if values.get("fill_mode") != "constant":
        return f"fill_mode 'constant' (the only one), got {values.get('fill_mode')!r}"
    if values.get("crop_to_aspect_ratio") and values.get("pad_to_aspect_ratio"):
        return "at most one of crop_to_aspect_ratio and pad_to_aspect_ratio to be True"
    return (
        _check_size(values["size"])
        or _check_format(values.get("data_format"))
        or _check_rank(values["images"])
    )


def _data_format(data_format: Any) -> str:
    return config.image_data_format() if data_format is None else data_format


def _spatial_axes(ndim: int, data_format: str, spatial: int = 2) -> tuple[int, ...]:
    first = ndim - spatial - 1 if data_format == "channels_last" else ndim - spatial
    return tuple(range(first, first + spatial))


def _compute_dtype(dtype: str) -> str:
    """The float dtype resampling runs in: float64 stays, all else runs in float32."""
    return "float64" if dtype == "float64" else "float32"


# --------------------------------------------------------------------------- resampling
# The weights are (out, in) matrices in float64, computed on the host from static sizes.


def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, 1.0 - x)


def _keys_cubic(x: np.ndarray) -> np.ndarray:
    # Keys (1981) cubic convolution with a = -0.5 (Catmull-Rom), as JAX and TF use.
    near = (1.5 * x - 2.5) * x * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, far, near))


def _lanczos(radius: int):
    def kernel(x: np.ndarray) -> np.ndarray:
        return np.where(x < radius, np.sinc(x) * np.sinc(x / radius), 0.0)

    return kernel


_KERNELS = {
    "bilinear": _triangle,
    "bicubic": _keys_cubic,
    "lanczos3": _lanczos(3),
    "lanczos5": _lanczos(5),
}


@functools.lru_cache(maxsize=256)
def _nearest_indices(in_size: int, out_size: int) -> np.ndarray:
    """The input pixel each output pixel copies: ``floor((i + 0.5) * in / out)``,
    computed in float32 as JAX, TF and torch's ``nearest-exact`` do."""
    scale = np.float32(in_size) / np.float32(out_size)
    centers = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale
    return np.minimum(np.floor(centers).astype(np.int64), in_size - 1)


def _area_weights(in_size: int, out_size: int) -> np.ndarray:
    # Output pixel i covers [i, i + 1) * scale of the input; each input pixel j
    # ([j, j + 1)) counts with the length it shares with that interval.
    scale = in_size / out_size
    start = np.arange(out_size)[:, None] * scale
    stop = start + scale
    j = np.arange(in_size)[None, :]
    overlap = np.clip(np.minimum(stop, j + 1) - np.maximum(start, j), 0.0, None)
    return overlap / scale


@functools.lru_cache(maxsize=256)
def _resize_weights(in_size: int, out_size: int, interpolation: str, antialias: bool):
    """The ``(out_size, in_size)`` float64 matrix that resamples one axis (cached: the
    callers only read it)."""
    if interpolation == "nearest":
        weights = np.zeros((out_size, in_size))
        weights[np.arange(out_size), _nearest_indices(in_size, out_size)] = 1.0
        return weights
    if interpolation == "area":
        return _area_weights(in_size, out_size)
    scale = out_size / in_size
    kernel_scale = max(1.0 / scale, 1.0) if antialias else 1.0
    samples = (np.arange(out_size) + 0.5) / scale - 0.5
    distance = np.abs(samples[:, None] - np.arange(in_size)[None, :]) / kernel_scale
    weights = _KERNELS[interpolation](distance)
    total = weights.sum(axis=1, keepdims=True)
    return np.where(np.abs(total) > 1e-12, weights / np.where(total == 0, 1.0, total), 0.0)


def _resize_geometry(shape, size, data_format, crop_to_aspect_ratio, pad_to_aspect_ratio):
    """What happens before resampling, from static sizes: ``(h_axis, w_axis, crop,
    pad)``, where ``crop`` is ``(top, height, left, width)`` or None and ``pad`` is
    ``(rows, columns)`` added on both sides, or None."""
    h_axis, w_axis = _spatial_axes(len(shape), data_format)
    height, width = shape[h_axis], shape[w_axis]
    target_h, target_w = size
    crop = pad = None
    if crop_to_aspect_ratio:
        crop_h = max(min(height, int(width * target_h / target_w)), 1)
        crop_w = max(min(width, int(height * target_w / target_h)), 1)
        crop = (int((height - crop_h) / 2), crop_h, int((width - crop_w) / 2), crop_w)
    elif pad_to_aspect_ratio:
        pad_h = max(height, int(width * target_h / target_w))
        pad_w = max(width, int(height * target_w / target_h))
        rows, columns = int((pad_h - height) / 2), int((pad_w - width) / 2)
        if rows > 0:
            pad = (rows, 0)
        elif columns > 0:
            pad = (0, columns)
    return h_axis, w_axis, crop, pad


def _crop_key(ndim, h_axis, w_axis, crop):
    """The index that takes :func:`_resize_geometry`'s ``crop`` window."""
    key = [slice(None)] * ndim
    key[h_axis] = slice(crop[0], crop[0] + crop[1])
    key[w_axis] = slice(crop[2], crop[2] + crop[3])
    return tuple(key)


def _pad_widths(ndim, h_axis, w_axis, pad):
    """Per-axis ``(before, after)`` widths adding :func:`_resize_geometry`'s ``pad``."""
    widths = [(0, 0)] * ndim
    widths[h_axis] = (pad[0], pad[0])
    widths[w_axis] = (pad[1], pad[1])
    return widths


# --------------------------------------------------------------------------- shape rules
# Results of symbolic images, from the arguments alone (TensorFlow traces unknown
# dimensions as unknown, and the filters need the static sizes they act on).


def _symbolic(shape, dtype):
    from kcore.keras_tensor import KerasTensor

    return KerasTensor(tuple(shape), standardize_dtype(dtype))


def _resize_shape(
    images,
    size,
    interpolation="bilinear",
    antialias=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    fill_mode="constant",
    fill_value=0.0,
    data_format=None,
):
    _validate(_check_resize(locals()))
    shape = list(images.shape)
    h_axis, w_axis = _spatial_axes(len(shape), _data_format(data_format))
    shape[h_axis], shape[w_axis] = int(size[0]), int(size[1])
    return _symbolic(shape, images.dtype)


def _shape_rule(name, check, shape_of):
    """A shape rule for op ``name``: validate with ``check`` (on the arguments by name),
    then ``shape_of(arguments)`` gives the result's shape (dtype: the first tensor's)."""

    def rule(*args, **kwargs):
        from kcore.ops.contract import SPECS

        bound = SPECS[name].signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = dict(bound.arguments)
        _validate(check(values))
        first = values[SPECS[name].tensors[0]]
        return _symbolic(shape_of(values), first.dtype)

    return rule


def _unchanged(values):
    return values["images"].shape


def _resize_cases(spec, rng, supported):
    def image(shape, dtype="float32", low=-2.0, high=2.0):
        return array(rng, shape, dtype, low, high)

    specs = [
        ("bilinear", (1, 4, 5, 2), "float32", (3, 7), {}, True),
        ("bicubic", (1, 4, 5, 2), "float32", (6, 3), {}, True),
        ("area", (1, 6, 5, 2), "float32", (4, 3), {}, True),
        ("lanczos3", (1, 2, 5, 4), "float32", (3, 7), {"data_format": "channels_first"}, True),
        ("lanczos5", (5, 6, 2), "float32", (4, 9), {}, False),
        ("nearest", (2, 5, 4, 3), "float32", (3, 6), {}, False),
        ("nearest", (2, 5, 6, 3), "uint8", (7, 4), {}, False),
        # An exact 2x upsampling: its weights (1/4, 3/4) keep integer results exact.
        ("bilinear", (1, 4, 4, 3), "uint8", (8, 8), {}, False),
        ("bilinear", (1, 8, 6, 1), "float32", (3, 4), {"antialias": True}, False),
        (
            "bicubic",
            (1, 2, 8, 7),
            "float32",
            (3, 2),
            {"antialias": True, "data_format": "channels_first"},
            False,
        ),
        ("bilinear", (1, 6, 4, 2), "float32", (3, 5), {"crop_to_aspect_ratio": True}, False),
        (
            "bicubic",
            (1, 4, 6, 2),
            "float64",
            (5, 5),
            {"pad_to_aspect_ratio": True, "fill_value": 0.5},
            False,
        ),
        ("lanczos3", (4, 5, 2), "float16", (3, 3), {"antialias": True}, False),
    ]
    out = []
    for method, shape, dtype, size, kwargs, grad in specs:
        if dtype not in supported:
            continue
        x = image(shape, dtype, 0, 255) if dtype == "uint8" else image(shape, dtype)
        label = "-".join([method, dtype, "x".join(map(str, shape)), *kwargs])
        kw = {"interpolation": method, **kwargs}
        out.append(Case(label, (x, size), kw, grad))
    return out


@op(
    "image",
    composite=True,
    tensors=("images",),
    expect=_check_resize,
    shape_rule=_resize_shape,
    cases=_resize_cases,
)
def resize(
    images,
    size,
    interpolation="bilinear",
    antialias=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    fill_mode="constant",
    fill_value=0.0,
    data_format=None,
):
    """Resize images to ``size = (height, width)`` with ``interpolation`` (one of
    ``"bilinear"``, ``"nearest"``, ``"bicubic"``, ``"lanczos3"``, ``"lanczos5"``,
    ``"area"``), sampling at half-pixel centers; ``antialias`` widens the kernel when
    downsampling. ``crop_to_aspect_ratio`` first crops the largest centred window of the
    target aspect ratio, ``pad_to_aspect_ratio`` first pads the short side evenly with
    ``fill_value`` (``fill_mode`` must be ``"constant"``). The result keeps the input's
    dtype (integers are rounded and saturated).

    Example::

        >>> x = kcore.ops.ones((2, 4, 4, 3))
        >>> kcore.ops.image.resize(x, (2, 2)).shape
        (2, 2, 2, 3)
    """
    _validate(_check_resize(locals()))
    data_format = _data_format(data_format)
    images = ops.convert_to_tensor(images)
    dtype = ops.dtype(images)
    h_axis, w_axis, crop, pad = _resize_geometry(
        images.shape, size, data_format, crop_to_aspect_ratio, pad_to_aspect_ratio
    )
    if crop is not None:
        images = ops.get_item(images, _crop_key(len(images.shape), h_axis, w_axis, crop))
    if interpolation == "nearest" and pad is None:
        x = images
        for axis, out_size in ((h_axis, size[0]), (w_axis, size[1])):
            indices = _nearest_indices(x.shape[axis], out_size).astype("int32")
            x = ops.take(x, ops.convert_to_tensor(indices), axis=axis)
        return x
    compute = _compute_dtype(dtype)
    x = ops.cast(images, compute)
    if pad is not None:
        x = ops.pad(x, _pad_widths(len(x.shape), h_axis, w_axis, pad), constant_values=fill_value)
    for axis, out_size in ((h_axis, size[0]), (w_axis, size[1])):
        weights = _resize_weights(x.shape[axis], out_size, interpolation, antialias)
        x = _apply_matrix(ops, x, weights, axis)
    return _back_to(ops, x, dtype)


def _constant(ops, array, dtype):
    """A host array as a tensor of ``dtype`` (through float32/float64: NumPy may lack
    bfloat16)."""
    host = array.astype("float64" if dtype == "float64" else "float32")
    return ops.cast(ops.convert_to_tensor(host), dtype)


def _apply_matrix(ops, x, matrix, axis):
    """The host ``matrix`` (out, in) applied along ``axis`` of ``x``, in its dtype."""
    matrix = _constant(ops, matrix, ops.dtype(x))
    moved = ops.tensordot(matrix, x, axes=([1], [axis]))
    return ops.moveaxis(moved, 0, axis)


def _back_to(ops, x, dtype):
    """A float result back in the input's ``dtype``: integers rounded and saturated."""
    if ops.dtype(x) == dtype:
        return x
    if "float" in dtype:
        return ops.cast(x, dtype)
    return ops.saturate_cast(ops.round(x), dtype)


# --------------------------------------------------------------------------- padding and
# cropping


#: The (top, bottom, left, right) argument names of pad_images and crop_images.
_SIDES = {
    "pad": ("top_padding", "bottom_padding", "left_padding", "right_padding"),
    "crop": ("top_cropping", "bottom_cropping", "left_cropping", "right_cropping"),
}


def _check_pad_crop(kind: str):
    first, second, third, fourth = _SIDES[kind]

    def rule(values: dict[str, Any]) -> str | None:
        problem = _check_format(values.get("data_format")) or _check_rank(values["images"])
        if problem:
            return problem
        for names in ((first, second, "target_height"), (third, fourth, "target_width")):
            given = [values.get(n) for n in names]
            if given.count(None) != 1:
                listed = ", ".join(f"{n}={v!r}" for n, v in zip(names, given))
                return f"exactly two of {', '.join(names)}, got {listed}"
            for name, value in zip(names, given):
                if value is not None and (isinstance(value, bool) or value < 0):
                    return f"{name} to be a non-negative int, got {value!r}"
        return None

    return rule


_check_pad = _check_pad_crop("pad")
_check_crop = _check_pad_crop("crop")


def _pad_crop_cases(kind):
    top, bottom, left, right = _SIDES[kind]
    # Targets beyond the image for padding, within it for cropping.
    grow = 4 if kind == "pad" else 0

    def make(spec, rng, supported):
        options = [
            ((2, 3, 4, 2), "float32", {top: 1, left: 2, bottom: 0, right: 1}, True),
            (
                (2, 5, 6, 2),
                "float32",
                {top: 1, left: 1, "target_height": 3 + grow, "target_width": 4 + grow},
                False,
            ),
            (
                (1, 2, 5, 6),
                "float32",
                {
                    bottom: 1,
                    right: 2,
                    "target_height": 3 + grow,
                    "target_width": 3 + 2 * grow,
                    "data_format": "channels_first",
                },
                False,
            ),
            ((5, 6, 3), "int32", {top: 0, left: 1, bottom: 2, right: 0}, False),
            ((5, 6, 3), "float16", {top: 1, right: 1, "target_height": 3 + grow, left: 2}, False),
        ]
        out = []
        for shape, dtype, kwargs, grad in options:
            if dtype in supported:
                label = "-".join([dtype, "x".join(map(str, shape)), *_short(kwargs)])
                out.append(Case(label, (array(rng, shape, dtype),), kwargs, grad))
        return out

    return make


def _short(kwargs):
    """Case id parts: ``top1``, ``target_height3`` ... (names shortened)."""
    return [f"{k.split('_')[0]}{v}" for k, v in kwargs.items()]


def _resolve(before, after, target, size, kind):
    """``(before, after)`` amounts from the two of three given."""
    if kind == "pad":
        if before is None:
            before = target - after - size
        if after is None:
            after = target - before - size
    else:
        if before is None:
            before = size - target - after
        if after is None:
            after = size - target - before
    return before, after


def _pad_crop_plan(ops, kind, values):
    """What :func:`pad_images` and :func:`crop_images` share, from their arguments
    ``values`` (checked): ``images`` as a tensor, its spatial axes, its ``(height,
    width)``, and the ``(before, after)`` rows and columns, resolved from the two of
    three given."""
    _validate((_check_pad if kind == "pad" else _check_crop)(values))
    top, bottom, left, right = (values[name] for name in _SIDES[kind])
    images = ops.convert_to_tensor(values["images"])
    axes = _spatial_axes(len(images.shape), _data_format(values["data_format"]))
    height, width = images.shape[axes[0]], images.shape[axes[1]]
    rows = _resolve(top, bottom, values["target_height"], height, kind)
    columns = _resolve(left, right, values["target_width"], width, kind)
    return images, axes, (height, width), rows, columns


def _pad_crop_shape(kind):
    names = _SIDES[kind]

    def shape_of(values):
        shape = list(values["images"].shape)
        axes = _spatial_axes(len(shape), _data_format(values.get("data_format")))
        for axis, (before, after), target in zip(
            axes, (names[:2], names[2:]), ("target_height", "target_width")
        ):
            if values.get(target) is not None:
                shape[axis] = values[target]
            elif shape[axis] is not None:
                sign = 1 if kind == "pad" else -1
                shape[axis] += sign * (values[before] + values[after])
        return shape

    return shape_of


@op(
    "image",
    composite=True,
    tensors=("images",),
    expect=_check_pad,
    shape_rule=_shape_rule("pad_images", _check_pad, _pad_crop_shape("pad")),
    cases=_pad_crop_cases("pad"),
)
def pad_images(
    images,
    top_padding=None,
    left_padding=None,
    bottom_padding=None,
    right_padding=None,
    target_height=None,
    target_width=None,
    data_format=None,
):
    """Pad images with zeros: give two of ``top_padding``, ``bottom_padding`` and
    ``target_height``, and two of ``left_padding``, ``right_padding`` and
    ``target_width``.

    Example::

        >>> x = kcore.ops.ones((2, 4, 4, 3))
        >>> kcore.ops.image.pad_images(x, 1, 1, target_height=8, target_width=8).shape
        (2, 8, 8, 3)
    """
    plan = _pad_crop_plan(ops, "pad", locals())
    images, (h_axis, w_axis), (height, width), rows, columns = plan
    if min(rows + columns) < 0:
        raise ValueError(
            f"expected target_height >= {height} and target_width >= {width} (the image "
            f"with its padding), got paddings (top, bottom)={rows}, (left, right)={columns}"
        )
    widths = [(0, 0)] * len(images.shape)
    widths[h_axis], widths[w_axis] = rows, columns
    return ops.pad(images, widths)


@op(
    "image",
    composite=True,
    tensors=("images",),
    expect=_check_crop,
    shape_rule=_shape_rule("crop_images", _check_crop, _pad_crop_shape("crop")),
    cases=_pad_crop_cases("crop"),
)
def crop_images(
    images,
    top_cropping=None,
    left_cropping=None,
    bottom_cropping=None,
    right_cropping=None,
    target_height=None,
    target_width=None,
    data_format=None,
):
    """Crop images: give two of ``top_cropping``, ``bottom_cropping`` and
    ``target_height``, and two of ``left_cropping``, ``right_cropping`` and
    ``target_width``.

    Example::

        >>> x = kcore.ops.ones((2, 8, 8, 3))
        >>> kcore.ops.image.crop_images(x, 1, 1, target_height=4, target_width=4).shape
        (2, 4, 4, 3)
    """
    plan = _pad_crop_plan(ops, "crop", locals())
    images, (h_axis, w_axis), (height, width), rows, columns = plan
    if min(rows + columns) < 0 or height - sum(rows) < 0 or width - sum(columns) < 0:
        raise ValueError(
            f"expected croppings that fit the image of height {height} and width {width}, "
            f"got (top, bottom)={rows}, (left, right)={columns}"
        )
    key = [slice(None)] * len(images.shape)
    key[h_axis] = slice(rows[0], height - rows[1])
    key[w_axis] = slice(columns[0], width - columns[1])
    return ops.get_item(images, tuple(key))


# --------------------------------------------------------------------------- colour


def _color_cases(low=0.0, high=1.0, dtypes=("float32",), extra=()):
    def make(spec, rng, supported):
        options = [
            ((1, 2, 2, 3), "float32", {}, True),
            ((2, 3, 4, 3), "float32", {}, False),
            ((1, 3, 2, 4), "float32", {"data_format": "channels_first"}, False),
            ((3, 2, 3), "float64", {}, False),
            ((2, 3, 3), "float16", {}, False),
            *extra,
        ]
        out = []
        for shape, dtype, kwargs, grad in options:
            if dtype in supported:
                label = "-".join([dtype, "x".join(map(str, shape)), *kwargs])
                x = array(rng, shape, dtype, low, high)
                out.append(Case(label, (x,), kwargs, grad))
        return out

    return make


def _check_rgb(allowed=(3,), floats_only=False):
    def rule(values: dict[str, Any]) -> str | None:
        problem = _formats_and_rank()(values)
        if problem:
            return problem
        images = values["images"]
        if floats_only:
            dtype = getattr(images, "dtype", None)
            if dtype is not None and "float" not in standardize_dtype(dtype):
                return f"images of a float dtype, got {standardize_dtype(dtype)}"
        channels = _channels(images, _data_format(values.get("data_format")))
        if channels is not None and channels not in allowed:
            wanted = " or ".join(map(str, allowed))
            return f"images with {wanted} channels, got {channels}"
        return None

    return rule


_GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)  # ITU-R 601 luma, as tf.image uses


def _gray_shape(values):
    shape = list(values["images"].shape)
    shape[-1 if _data_format(values.get("data_format")) == "channels_last" else -3] = 1
    return shape


@op(
    "image",
    composite=True,
    expect=_check_rgb((1, 3)),
    shape_rule=_shape_rule("rgb_to_grayscale", _check_rgb((1, 3)), _gray_shape),
    cases=_color_cases(
        0.0,
        255.0,
        extra=[((2, 2, 3, 3), "uint8", {}, False), ((2, 3, 2, 1), "float32", {}, False)],
    ),
)
def rgb_to_grayscale(images, data_format=None):
    """Convert RGB images to grayscale (luma weights 0.2989, 0.5870, 0.1140), keeping one
    channel; single-channel images come back unchanged. The result keeps the input's
    dtype (integers are truncated).

    Example::

        >>> kcore.ops.image.rgb_to_grayscale(kcore.ops.ones((4, 4, 3))).shape
        (4, 4, 1)
    """
    _validate(_check_rgb((1, 3))(locals()))
    data_format = _data_format(data_format)
    images = ops.convert_to_tensor(images)
    axis = -1 if data_format == "channels_last" else -3
    if images.shape[axis] == 1:
        return images
    dtype = ops.dtype(images)
    compute = result_type(dtype, float)
    weights = _constant(ops, np.asarray(_GRAY_WEIGHTS), compute)
    gray = ops.tensordot(ops.cast(images, compute), weights, axes=([len(images.shape) + axis], [0]))
    return ops.cast(ops.expand_dims(gray, axis), dtype)


def _split_channels(ops, images, axis):
    tail = (slice(None),) * (-1 - axis)
    return [ops.get_item(images, (Ellipsis, i, *tail)) for i in range(3)]


@op(
    "image",
    composite=True,
    expect=_check_rgb(floats_only=True),
    shape_rule=_shape_rule("rgb_to_hsv", _check_rgb(floats_only=True), _unchanged),
    cases=_color_cases(),
)
def rgb_to_hsv(images, data_format=None):
    """Convert RGB images (floats in ``[0, 1]``) to HSV, each channel in ``[0, 1]``: a
    hue of 0 is red, 1/3 green, 2/3 blue.

    Example::

        >>> kcore.ops.image.rgb_to_hsv(kcore.ops.ones((4, 4, 3))).shape
        (4, 4, 3)
    """
    _validate(_check_rgb(floats_only=True)(locals()))
    data_format = _data_format(data_format)
    images = ops.convert_to_tensor(images)
    dtype = ops.dtype(images)
    axis = -1 if data_format == "channels_last" else -3
    eps = float(np.finfo(np.float16 if dtype == "bfloat16" else dtype).eps)
    if dtype == "bfloat16":
        eps = 2.0**-7
    images = ops.where(ops.less(ops.abs(images), eps), ops.zeros_like(images), images)
    red, green, blue = _split_channels(ops, images, axis)
    value = ops.maximum(ops.maximum(red, green), blue)
    spread = ops.subtract(value, ops.minimum(ops.minimum(red, green), blue))
    positive_value = ops.greater(value, 0)
    positive_spread = ops.greater(spread, 0)
    one = ops.ones_like(value)
    zero = ops.zeros_like(value)
    saturation = ops.where(
        positive_value, ops.divide(spread, ops.where(positive_value, value, one)), zero
    )
    norm = ops.divide(1.0, ops.multiply(6.0, ops.where(positive_spread, spread, one)))
    hue = ops.where(
        ops.equal(value, green),
        ops.add(ops.multiply(norm, ops.subtract(blue, red)), 2.0 / 6.0),
        ops.add(ops.multiply(norm, ops.subtract(red, green)), 4.0 / 6.0),
    )
    hue = ops.where(ops.equal(value, red), ops.multiply(norm, ops.subtract(green, blue)), hue)
    hue = ops.add(ops.where(positive_spread, hue, zero), ops.cast(ops.less(hue, 0), dtype))
    return ops.stack([hue, saturation, value], axis=axis)


@op(
    "image",
    composite=True,
    expect=_check_rgb(floats_only=True),
    shape_rule=_shape_rule("hsv_to_rgb", _check_rgb(floats_only=True), _unchanged),
    cases=_color_cases(),
)
def hsv_to_rgb(images, data_format=None):
    """Convert HSV images (floats in ``[0, 1]``) to RGB.

    Example::

        >>> kcore.ops.image.hsv_to_rgb(kcore.ops.ones((4, 4, 3))).shape
        (4, 4, 3)
    """
    _validate(_check_rgb(floats_only=True)(locals()))
    data_format = _data_format(data_format)
    images = ops.convert_to_tensor(images)
    axis = -1 if data_format == "channels_last" else -3
    hue, saturation, value = _split_channels(ops, images, axis)
    sector = ops.multiply(ops.mod(hue, 1.0), 6.0)
    red = ops.clip(ops.subtract(ops.abs(ops.subtract(sector, 3.0)), 1.0), 0.0, 1.0)
    green = ops.clip(ops.subtract(2.0, ops.abs(ops.subtract(sector, 2.0))), 0.0, 1.0)
    blue = ops.clip(ops.subtract(2.0, ops.abs(ops.subtract(sector, 4.0))), 0.0, 1.0)
    grey = ops.subtract(1.0, saturation)
    planes = [
        ops.multiply(value, ops.add(grey, ops.multiply(saturation, c))) for c in (red, green, blue)
    ]
    return ops.stack(planes, axis=axis)


# --------------------------------------------------------------------------- filters
# The filters are separable: blur and Sobel sum one shifted slice per tap along each
# spatial axis; SSIM's windows contract each axis with a banded matrix built on the host.


def _gaussian_1d(size: int, sigma: float) -> np.ndarray:
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    return kernel / kernel.sum()


def _valid_band(in_size: int, taps: np.ndarray) -> np.ndarray:
    """The (out, in) matrix of an unpadded stride-1 cross-correlation with ``taps``."""
    k = len(taps)
    matrix = np.zeros((in_size - k + 1, in_size))
    for t in range(k):
        matrix[np.arange(in_size - k + 1), np.arange(in_size - k + 1) + t] = taps[t]
    return matrix


def _correlate(ops, x, taps: np.ndarray, axis: int):
    """A stride-1 cross-correlation of ``x`` with ``taps`` along ``axis``, zero-padded to
    keep its size ("same", the smaller half of the padding before): one shifted slice
    per tap, so the cost is linear in the image size."""
    k = len(taps)
    n = x.shape[axis]
    before = (k - 1) // 2
    widths = [(0, 0)] * len(x.shape)
    widths[axis] = (before, k - 1 - before)
    padded = ops.pad(x, widths) if k > 1 else x
    total = None
    for offset, weight in enumerate(taps):
        if weight == 0:
            continue
        key = [slice(None)] * len(x.shape)
        key[axis] = slice(offset, offset + n)
        term = ops.multiply(ops.get_item(padded, tuple(key)), float(weight))
        total = term if total is None else ops.add(total, term)
    return total


def _pair(value: Any, name: str) -> tuple:
    if isinstance(value, int | float):
        return (value, value)
    value = tuple(value)
    if len(value) != 2:
        raise ValueError(f"expected {name} to be a number or a pair, got {value!r}")
    return value


def _check_blur(values: dict[str, Any]) -> str | None:
    problem = _formats_and_rank()(values)
    if problem:
        return problem
    try:
        sizes = _pair(values.get("kernel_size"), "kernel_size")
        sigmas = _pair(values.get("sigma"), "sigma")
    except (TypeError, ValueError):
        return (
            "kernel_size and sigma to be pairs of positive numbers, got "
            f"kernel_size={values.get('kernel_size')!r}, sigma={values.get('sigma')!r}"
        )
    if any(isinstance(s, bool) or not isinstance(s, int) or s <= 0 for s in sizes) or any(
        s <= 0 for s in sigmas
    ):
        return (
            "kernel_size to be positive ints and sigma positive, got "
            f"kernel_size={values.get('kernel_size')!r}, sigma={values.get('sigma')!r}"
        )
    return None


def _blur_cases(spec, rng, supported):
    options = [
        ((1, 4, 5, 2), "float32", {}, True),
        ((2, 5, 6, 3), "float32", {"kernel_size": (3, 5), "sigma": (1.0, 2.0)}, False),
        ((1, 2, 5, 4), "float32", {"kernel_size": (4, 2), "data_format": "channels_first"}, True),
        ((5, 6, 2), "float64", {"kernel_size": (5, 5), "sigma": (1.5, 0.7)}, False),
        ((1, 5, 6, 3), "uint8", {}, False),
    ]
    out = []
    for shape, dtype, kwargs, grad in options:
        if dtype in supported:
            label = "-".join([dtype, "x".join(map(str, shape)), *kwargs])
            x = array(rng, shape, dtype, 0, 255) if dtype == "uint8" else array(rng, shape, dtype)
            out.append(Case(label, (x,), kwargs, grad))
    return out


@op(
    "image",
    composite=True,
    expect=_check_blur,
    shape_rule=_shape_rule("gaussian_blur", _check_blur, _unchanged),
    cases=_blur_cases,
)
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur images with a Gaussian filter, zero-padded to keep their size. As in Keras,
    the filter's width (along image width) is ``kernel_size[0]`` with ``sigma[0]`` and its
    height ``kernel_size[1]`` with ``sigma[1]``. Integer images are blurred in float32
    and rounded back to their dtype.

    Example::

        >>> kcore.ops.image.gaussian_blur(kcore.ops.ones((2, 8, 8, 3)), (3, 3)).shape
        (2, 8, 8, 3)
    """
    _validate(_check_blur(locals()))
    data_format = _data_format(data_format)
    images = ops.convert_to_tensor(images)
    dtype = ops.dtype(images)
    compute = dtype if dtype in ("float32", "float64") else "float32"
    sizes, sigmas = _pair(kernel_size, "kernel_size"), _pair(sigma, "sigma")
    h_axis, w_axis = _spatial_axes(len(images.shape), data_format)
    x = ops.cast(images, compute)
    for axis, size, s in ((h_axis, sizes[1], sigmas[1]), (w_axis, sizes[0], sigmas[0])):
        x = _correlate(ops, x, _gaussian_1d(int(size), float(s)), axis)
    return _back_to(ops, x, dtype)


_SOBEL_DERIVATIVE = np.array([-1.0, 0.0, 1.0])
_SOBEL_SMOOTHING = np.array([1.0, 2.0, 1.0])
#: The (2, 3, 3) kernels of ``[dy, dx]``, for backends that convolve in one step (tf).
_SOBEL_KERNELS = np.stack(
    [
        np.outer(_SOBEL_DERIVATIVE, _SOBEL_SMOOTHING),
        np.outer(_SOBEL_SMOOTHING, _SOBEL_DERIVATIVE),
    ]
)


def _gaussian_2d(kernel_size, sigma) -> np.ndarray:
    """The (height, width) Gaussian kernel of :func:`gaussian_blur` (width from
    ``kernel_size[0]``/``sigma[0]``, height from ``[1]``, as Keras orders them)."""
    sizes, sigmas = _pair(kernel_size, "kernel_size"), _pair(sigma, "sigma")
    return np.outer(
        _gaussian_1d(int(sizes[1]), float(sigmas[1])),
        _gaussian_1d(int(sizes[0]), float(sigmas[0])),
    )


def _same_padding(k: int) -> tuple[int, int]:
    """Zero padding that keeps the size under a k-tap filter: the smaller half before."""
    return (k - 1) // 2, k - 1 - (k - 1) // 2


def _sobel_cases(spec, rng, supported):
    options = [
        ((1, 3, 4, 2), "float32", {}, True),
        ((2, 4, 5, 3), "float32", {}, False),
        ((1, 2, 5, 4), "float32", {"data_format": "channels_first"}, False),
        ((1, 4, 3, 2), "float64", {}, False),
        ((1, 4, 5, 2), "int32", {}, False),
    ]
    out = []
    for shape, dtype, kwargs, grad in options:
        if dtype in supported:
            label = "-".join([dtype, "x".join(map(str, shape)), *kwargs])
            out.append(Case(label, (array(rng, shape, dtype),), kwargs, grad))
    return out


@op(
    "image",
    composite=True,
    expect=_formats_and_rank((4,)),
    shape_rule=_shape_rule(
        "sobel_edges", _formats_and_rank((4,)), lambda v: (*v["images"].shape, 2)
    ),
    cases=_sobel_cases,
)
def sobel_edges(images, data_format=None):
    """Sobel edge maps of a batch of images, zero-padded: the result adds a last axis of
    2 holding ``[dy, dx]``, shape ``(batch, height, width, channels, 2)`` (or ``(batch,
    channels, height, width, 2)`` channels first), in the input's dtype.

    Example::

        >>> kcore.ops.image.sobel_edges(kcore.ops.ones((1, 8, 8, 1))).shape
        (1, 8, 8, 1, 2)
    """
    _validate(_formats_and_rank((4,))(locals()))
    data_format = _data_format(data_format)
    images = ops.convert_to_tensor(images)
    dtype = ops.dtype(images)
    compute = dtype if dtype in ("float32", "float64") else "float32"
    h_axis, w_axis = _spatial_axes(4, data_format)
    x = ops.cast(images, compute)
    edges = []
    for along_h, along_w in (
        (_SOBEL_DERIVATIVE, _SOBEL_SMOOTHING),
        (_SOBEL_SMOOTHING, _SOBEL_DERIVATIVE),
    ):
        edge = _correlate(ops, _correlate(ops, x, along_h, h_axis), along_w, w_axis)
        edges.append(edge)
    out = ops.stack(edges, axis=-1)
    if "float" in dtype:
        return ops.cast(out, dtype)
    # Integer edges are exact; wrap into the dtype as integer arithmetic would.
    return ops.cast(ops.cast(out, "int64" if dtype in ("int64", "uint64") else "int32"), dtype)


# --------------------------------------------------------------------------- patches


def _tuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    value = tuple(value)
    if len(value) != n or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        raise ValueError(f"expected {name} to be an int or {n} ints, got {value!r}")
    return value


def _check_patches(spatial: int | None, name: str = "images"):
    def rule(values: dict[str, Any]) -> str | None:
        size = values.get("size")
        n = spatial
        if n is None:
            n = 3 if isinstance(size, list | tuple) and len(size) == 3 else 2
        problem = _check_format(values.get("data_format")) or _check_rank(
            values[name], name, (n + 1, n + 2)
        )
        if problem:
            return problem
        padding = values.get("padding")
        if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
            return f"padding 'valid' or 'same', got {padding!r}"
        strides = values.get("strides")
        for key, value in (
            ("size", size),
            ("strides", strides),
            ("dilation_rate", values.get("dilation_rate")),
        ):
            if key == "strides" and value is None:
                continue
            try:
                numbers = _tuple(value, n, key)
            except (TypeError, ValueError):
                return f"{key} to be a positive int or {n} positive ints, got {value!r}"
            if min(numbers) <= 0:
                return f"{key} to be a positive int or {n} positive ints, got {value!r}"
        return None

    return rule


def _patches(ops, images, size, strides, dilation_rate, padding, data_format, spatial):
    """The patches of ``spatial`` dimensions, as strided slices stacked along the
    channels: patch offset major, then channel, as Keras's identity-kernel convolution
    orders them."""
    data_format = _data_format(data_format)
    images = ops.convert_to_tensor(images)
    size = _tuple(size, spatial, "size")
    strides = size if strides is None else _tuple(strides, spatial, "strides")
    dilation = _tuple(dilation_rate, spatial, "dilation_rate")
    batched = len(images.shape) == spatial + 2
    if not batched:
        images = ops.expand_dims(images, 0)
    axes = _spatial_axes(spatial + 2, data_format, spatial)
    extents = [(k - 1) * d + 1 for k, d in zip(size, dilation)]
    if padding.lower() == "same":
        widths = [(0, 0)] * (spatial + 2)
        for i, axis in enumerate(axes):
            n = images.shape[axis]
            out = -(-n // strides[i])
            total = max((out - 1) * strides[i] + extents[i] - n, 0)
            widths[axis] = (total // 2, total - total // 2)
        images = ops.pad(images, widths)
    outs = [(images.shape[a] - e) // s + 1 for a, e, s in zip(axes, extents, strides)]
    pieces = []
    for offsets in np.ndindex(*size):
        key = [slice(None)] * (spatial + 2)
        for i, axis in enumerate(axes):
            start = offsets[i] * dilation[i]
            key[axis] = slice(start, start + (outs[i] - 1) * strides[i] + 1, strides[i])
        pieces.append(ops.get_item(images, tuple(key)))
    channel_axis = spatial + 1 if data_format == "channels_last" else 1
    # (batch, *outs, patch, channels) or (batch, patch, channels, *outs).
    stacked = ops.stack(pieces, axis=channel_axis)
    channels = images.shape[channel_axis]
    depth = len(pieces) * channels
    if data_format == "channels_last":
        shape = (-1, *outs, depth)
    else:
        shape = (-1, depth, *outs)
    result = ops.reshape(stacked, shape)
    return result if batched else ops.squeeze(result, 0)


def _patches_shape(spatial, name="images"):
    def shape_of(values):
        size = values["size"]
        n = spatial or (3 if isinstance(size, list | tuple) and len(size) == 3 else 2)
        shape = list(values[name].shape)
        data_format = _data_format(values.get("data_format"))
        size = _tuple(size, n, "size")
        strides = size if values["strides"] is None else _tuple(values["strides"], n, "strides")
        dilation = _tuple(values["dilation_rate"], n, "dilation_rate")
        axes = _spatial_axes(len(shape), data_format, n)
        for i, axis in enumerate(axes):
            if shape[axis] is None:
                continue
            if values["padding"].lower() == "same":
                shape[axis] = -(-shape[axis] // strides[i])
            else:
                extent = (size[i] - 1) * dilation[i] + 1
                shape[axis] = (shape[axis] - extent) // strides[i] + 1
        channel = -1 if data_format == "channels_last" else -(n + 1)
        if shape[channel] is not None:
            shape[channel] *= math.prod(size)
        return shape

    return shape_of


def _patches_cases(spatial):
    def make(spec, rng, supported):
        if spatial == 2:
            options = [
                ((1, 4, 5, 2), "float32", (2, 2), {}, True),
                ((2, 5, 6, 3), "float32", (2, 3), {"strides": (1, 2), "padding": "same"}, False),
                ((1, 6, 7, 2), "float32", 2, {"strides": 1, "dilation_rate": 2}, False),
                ((1, 2, 5, 6), "float32", (3, 2), {"data_format": "channels_first"}, False),
                ((5, 6, 2), "int32", 3, {"strides": (2, 1), "padding": "same"}, False),
                ((4, 5, 4, 2), "float32", (2, 2, 2), {}, False),
            ]
        else:
            options = [
                ((1, 3, 4, 3, 2), "float32", (2, 2, 2), {}, True),
                ((1, 4, 5, 4, 2), "float32", 2, {"strides": 1, "padding": "same"}, False),
                ((1, 2, 4, 5, 4), "float32", (2, 3, 2), {"data_format": "channels_first"}, False),
                ((5, 4, 6, 1), "float64", 3, {"strides": (1, 2, 2), "dilation_rate": 1}, False),
            ]
        out = []
        for shape, dtype, size, kwargs, grad in options:
            if dtype in supported:
                label = "-".join([dtype, "x".join(map(str, shape)), f"size{size}", *kwargs])
                out.append(Case(label, (array(rng, shape, dtype), size), kwargs, grad))
        return out

    return make


@op(
    "image",
    composite=True,
    tensors=("images",),
    expect=_check_patches(None),
    shape_rule=_shape_rule("extract_patches", _check_patches(None), _patches_shape(None)),
    cases=_patches_cases(2),
)
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Extract patches of ``size`` (an int or ``(height, width)``; three numbers extract
    3D patches from volumes, as :func:`extract_patches_3d`) every ``strides`` (default:
    ``size``), each flattened into the channel axis (offset major, then channel).

    Example::

        >>> kcore.ops.image.extract_patches(kcore.ops.ones((2, 20, 20, 3)), 5).shape
        (2, 4, 4, 75)
    """
    spatial = 3 if isinstance(size, list | tuple) and len(size) == 3 else 2
    _validate(_check_patches(None)(locals()))
    return _patches(ops, images, size, strides, dilation_rate, padding, data_format, spatial)


@op(
    "image",
    composite=True,
    tensors=("volumes",),
    expect=_check_patches(3, "volumes"),
    shape_rule=_shape_rule(
        "extract_patches_3d", _check_patches(3, "volumes"), _patches_shape(3, "volumes")
    ),
    cases=_patches_cases(3),
)
def extract_patches_3d(
    volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None
):
    """Extract 3D patches of ``size`` (an int or ``(depth, height, width)``) from volumes
    every ``strides`` (default: ``size``), each flattened into the channel axis.

    Example::

        >>> kcore.ops.image.extract_patches_3d(kcore.ops.ones((2, 10, 10, 10, 3)), 3).shape
        (2, 3, 3, 3, 81)
    """
    _validate(_check_patches(3, "volumes")(locals()))
    return _patches(ops, volumes, size, strides, dilation_rate, padding, data_format, 3)


# --------------------------------------------------------------------------- ssim


def _check_ssim(values: dict[str, Any]) -> str | None:
    problem = (
        _check_format(values.get("data_format"))
        or _check_rank(values["image1"], "image1")
        or _check_rank(values["image2"], "image2")
    )
    if problem:
        return problem
    s1, s2 = _shape(values["image1"]), _shape(values["image2"])
    if s1 is not None and s2 is not None and s1 != s2:
        return f"image1 and image2 of one shape, got {s1} and {s2}"
    size = values.get("filter_size")
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        return f"filter_size to be a positive int, got {size!r}"
    if s1 is not None:
        h_axis, w_axis = _spatial_axes(len(s1), _data_format(values.get("data_format")))
        if any(d is not None and d < size for d in (s1[h_axis], s1[w_axis])):
            return f"images at least filter_size={size} high and wide, got shape {s1}"
    return None


def _ssim_cases(spec, rng, supported):
    options = [
        ((1, 4, 5, 1), "float32", {"filter_size": 3}, True),
        ((2, 6, 7, 3), "float32", {"filter_size": 3}, False),
        ((2, 3, 5, 6), "float32", {"filter_size": 4, "data_format": "channels_first"}, False),
        ((12, 11, 2), "float64", {}, False),
        (
            (1, 5, 5, 2),
            "float32",
            {"max_val": 2.0, "filter_size": 5, "filter_sigma": 1.0, "k1": 0.02, "k2": 0.05},
            False,
        ),
    ]
    out = []
    for shape, dtype, kwargs, grad in options:
        if dtype in supported:
            label = "-".join([dtype, "x".join(map(str, shape)), *kwargs])
            a = array(rng, shape, dtype, 0.0, 1.0)
            b = np.clip(a + array(rng, shape, dtype, -0.2, 0.2), 0, 1).astype(dtype)
            out.append(Case(label, (a, b), kwargs, grad))
    return out


@op(
    "image",
    composite=True,
    expect=_check_ssim,
    shape_rule=_shape_rule("ssim", _check_ssim, lambda v: v["image1"].shape[:-3]),
    cases=_ssim_cases,
)
def ssim(
    image1,
    image2,
    max_val=1.0,
    filter_size=11,
    filter_sigma=1.5,
    k1=0.01,
    k2=0.03,
    data_format=None,
):
    """Structural similarity of two images (or batches): local means, variances and
    covariance under a ``filter_size`` Gaussian window (``filter_sigma``, no padding),
    averaged over positions and channels; one value per image, in the input's dtype.

    Example::

        >>> x = kcore.ops.ones((2, 16, 16, 3))
        >>> kcore.ops.image.ssim(x, x).shape   # tensor [1.0, 1.0]
        (2,)
    """
    _validate(_check_ssim(locals()))
    data_format = _data_format(data_format)
    image1, image2 = ops.convert_to_tensor(image1), ops.convert_to_tensor(image2)
    dtype = ops.dtype(image1)
    compute = result_type(dtype, float)
    x, y = ops.cast(image1, compute), ops.cast(image2, compute)
    h_axis, w_axis = _spatial_axes(len(x.shape), data_format)
    taps = _gaussian_1d(filter_size, float(filter_sigma))
    along_h = _constant(ops, _valid_band(x.shape[h_axis], taps), compute)
    along_w = _constant(ops, _valid_band(x.shape[w_axis], taps), compute)

    def window(z):
        z = ops.moveaxis(ops.tensordot(along_h, z, axes=([1], [h_axis])), 0, h_axis)
        return ops.moveaxis(ops.tensordot(along_w, z, axes=([1], [w_axis])), 0, w_axis)

    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    mu_x, mu_y = window(x), window(y)
    mu_xx, mu_yy, mu_xy = (
        ops.multiply(mu_x, mu_x),
        ops.multiply(mu_y, mu_y),
        ops.multiply(mu_x, mu_y),
    )
    var_x = ops.subtract(window(ops.multiply(x, x)), mu_xx)
    var_y = ops.subtract(window(ops.multiply(y, y)), mu_yy)
    cov = ops.subtract(window(ops.multiply(x, y)), mu_xy)
    numerator = ops.multiply(
        ops.add(ops.multiply(2.0, mu_xy), c1), ops.add(ops.multiply(2.0, cov), c2)
    )
    denominator = ops.multiply(
        ops.add(ops.add(mu_xx, mu_yy), c1), ops.add(ops.add(var_x, var_y), c2)
    )
    ssim_map = ops.divide(numerator, denominator)
    ndim = len(x.shape)
    result = ops.mean(ssim_map, axis=tuple(range(ndim - 3, ndim)))
    return ops.cast(result, dtype)


# Geometric transforms, declared in their own module; they are ``image`` ops too.
from kcore.ops import image_transform as image_transform  # noqa: E402, F401
