"""NumPy implementations of the ops declared in ``kcore/ops/image.py``.

``resize`` is the reference the other backends are compared with: plain NumPy, one
separable resampling matrix per spatial axis (see :mod:`kcore.ops.image`). The other
image ops run as their composites.
"""

from __future__ import annotations

import numpy as np

from kcore.ops.image import (
    _check_resize,
    _compute_dtype,
    _crop_key,
    _data_format,
    _nearest_indices,
    _pad_widths,
    _resize_geometry,
    _resize_weights,
    _validate,
)


def _saturate(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype.kind == "f":
        return x.astype(dtype)
    if dtype.kind == "b":
        return (np.round(x) != 0).astype(dtype)
    info = np.iinfo(dtype)
    return np.clip(np.round(x), info.min, info.max).astype(dtype)


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
    _validate(_check_resize(locals()))
    images = np.asarray(images)
    data_format = _data_format(data_format)
    h_axis, w_axis, crop, pad = _resize_geometry(
        images.shape, size, data_format, crop_to_aspect_ratio, pad_to_aspect_ratio
    )
    x = images
    if crop is not None:
        x = x[_crop_key(x.ndim, h_axis, w_axis, crop)]
    if interpolation == "nearest" and pad is None:
        x = np.take(x, _nearest_indices(x.shape[h_axis], size[0]), axis=h_axis)
        return np.take(x, _nearest_indices(x.shape[w_axis], size[1]), axis=w_axis)
    compute = _compute_dtype(images.dtype.name)
    # float64 throughout: the reference rounds once, at the end.
    x = x.astype(np.float64)
    if pad is not None:
        widths = _pad_widths(x.ndim, h_axis, w_axis, pad)
        x = np.pad(x, widths, constant_values=float(np.asarray(fill_value, compute)))
    for axis, out_size in ((h_axis, size[0]), (w_axis, size[1])):
        weights = _resize_weights(x.shape[axis], out_size, interpolation, antialias)
        x = np.moveaxis(np.tensordot(weights, x, axes=([1], [axis])), 0, axis)
    return np.asarray(_saturate(x, images.dtype))
