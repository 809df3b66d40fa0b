"""NumPy implementations of the ops declared in ``kcore/ops/image_transform.py``.

The reference: plain NumPy, written independently of the composites (fancy indexing
instead of flat gathers, ``np.linalg.solve`` for homographies). ``elastic_transform``
runs the composite (its noise comes from this backend's ``kcore.random``).
"""

from __future__ import annotations

import itertools

import numpy as np

from kcore.dtypes import standardize_dtype
from kcore.ops.image_transform import (
    _EPS32,
    INTERPOLATIONS,
    _check_affine,
    _check_map_coordinates,
    _check_perspective,
    _check_scale_and_translate,
    _compute_dtype,
    _data_format,
    _fill_for,
    _homography_np,
    _is_integer,
    _projective_map,
)


def _round_half_away(c):
    return np.sign(c) * np.floor(np.abs(c) + 0.5)


def _fold(index, size, fill_mode):
    if fill_mode in ("constant", "nearest"):
        return np.clip(index, 0, size - 1)
    if fill_mode == "wrap":
        return np.mod(index, size)
    if size == 1:
        return np.zeros_like(index)
    if fill_mode == "mirror":
        period = 2 * (size - 1)
        folded = np.mod(index, period)
        return np.where(folded >= size, period - folded, folded)
    period = 2 * size  # reflect: the edge pixel repeats
    folded = np.mod(index, period)
    return np.where(folded >= size, period - 1 - folded, folded)


def _nodes(c, order):
    if order == 0:
        return [(_round_half_away(c).astype(np.int64), None)]
    lower = np.floor(c)
    upper = c - lower
    index = lower.astype(np.int64)
    return [(index, 1.0 - upper), (index + 1, upper)]


def _interpolate(array, coordinates, order, fill_mode, fill_value, lead=()):
    """``array[*lead, c0, c1, ..., ...]`` interpolated at float coordinates (arrays of
    one shape) along the dimensions after ``lead`` (index arrays broadcasting with them)."""
    sizes = array.shape[len(lead) : len(lead) + len(coordinates)]
    total = 0.0
    for nodes in itertools.product(*(_nodes(c, order) for c in coordinates)):
        indices = tuple(_fold(i, s, fill_mode) for (i, _), s in zip(nodes, sizes))
        values = array[(*lead, *indices)]
        extra = values.ndim - np.broadcast(*lead, *indices).ndim
        if fill_mode == "constant":
            valid = np.ones((), bool)
            for (i, _), s in zip(nodes, sizes):
                valid = valid & (i >= 0) & (i < s)
            values = np.where(valid.reshape(valid.shape + (1,) * extra), values, fill_value)
        weight = 1.0
        for _, w in nodes:
            if w is not None:
                weight = weight * w
        weight = np.asarray(weight)
        total = total + values * weight.reshape(weight.shape + (1,) * extra)
    return total


def _finish(result, dtype):
    result = np.asarray(result)
    if _is_integer(dtype):
        result = _round_half_away(result)
    return result.astype(dtype)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    _check_map_coordinates(inputs, coordinates, order, fill_mode)
    inputs = np.asarray(inputs)
    dtype = standardize_dtype(inputs.dtype)
    compute = _compute_dtype(dtype)
    coords = [np.asarray(c).astype(compute) for c in coordinates]
    out = _interpolate(
        inputs.astype(compute), coords, order, fill_mode, _fill_for(dtype, fill_value)
    )
    return _finish(np.asarray(out, compute), dtype)


def _transform_images(images, transform, order, fill_mode, fill_value, data_format):
    """Sample NHWC/NCHW images (rank 3 or 4) at the projective ``transform``'s
    (``(n, 8)``) input coordinates."""
    dtype = standardize_dtype(images.dtype)
    compute = _compute_dtype(dtype)
    unbatched = images.ndim == 3
    if unbatched:
        images = images[None]
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    batch, height, width, _ = images.shape
    t = np.broadcast_to(transform.astype(compute), (batch, 8))[:, :, None, None]
    y = np.arange(height, dtype=compute)[:, None]
    x = np.arange(width, dtype=compute)[None, :]
    ys, xs = _projective_map(t, y, x)
    b = np.arange(batch)[:, None, None]
    out = _interpolate(
        images.astype(compute), [ys, xs], order, fill_mode, _fill_for(dtype, fill_value), (b,)
    )
    out = _finish(np.asarray(out, compute), dtype)
    if data_format == "channels_first":
        out = out.transpose(0, 3, 1, 2)
    return out[0] if unbatched else out


def affine_transform(
    images,
    transform,
    interpolation="bilinear",
    fill_mode="constant",
    fill_value=0,
    data_format=None,
):
    _check_affine(images, transform, interpolation, fill_mode, data_format)
    transform = np.asarray(transform).reshape(-1, 8)
    return _transform_images(
        np.asarray(images),
        transform,
        INTERPOLATIONS[interpolation],
        fill_mode,
        fill_value,
        _data_format(data_format),
    )


def perspective_transform(
    images,
    start_points,
    end_points,
    interpolation="bilinear",
    fill_value=0,
    data_format=None,
):
    _check_perspective(images, start_points, end_points, interpolation, data_format)
    start = np.asarray(start_points).reshape(-1, 4, 2)
    end = np.asarray(end_points).reshape(-1, 4, 2)
    return _transform_images(
        np.asarray(images),
        _homography_np(start, end),
        INTERPOLATIONS[interpolation],
        "constant",
        fill_value,
        _data_format(data_format),
    )


def _kernel(method, x):
    if method in ("linear", "bilinear", "trilinear"):
        return np.maximum(0.0, 1.0 - np.abs(x))
    if method in ("cubic", "bicubic", "tricubic"):
        near = ((1.5 * x - 2.5) * x) * x + 1.0
        far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
        return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, far, near))
    radius = 3 if method == "lanczos3" else 5
    y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(x > 1e-3, y / np.where(x != 0, np.pi**2 * x**2, 1.0), 1.0)
    return np.where(x > radius, 0.0, out)


def scale_and_translate(
    images, output_shape, scale, translation, spatial_dims, method, antialias=True
):
    _check_scale_and_translate(images, output_shape, scale, translation, spatial_dims, method)
    images = np.asarray(images)
    dtype = standardize_dtype(images.dtype)
    scale, translation = np.asarray(scale), np.asarray(translation)
    wide = "float64" in (dtype, scale.dtype.name, translation.dtype.name)
    compute = np.float64 if wide else np.float32
    scale, translation = scale.astype(compute), translation.astype(compute)
    out = images.astype(compute)
    for i, d in enumerate(spatial_dims):
        d = d % images.ndim
        m, n = images.shape[d], int(output_shape[d])
        inv = compute(1.0) / scale[i]
        kernel_scale = max(inv, compute(1.0)) if antialias else compute(1.0)
        sample = (np.arange(n, dtype=compute) + 0.5) * inv - translation[i] * inv - 0.5
        x = np.abs(sample[None, :] - np.arange(m, dtype=compute)[:, None]) / kernel_scale
        w = _kernel(method, x).astype(compute)
        total = w.sum(axis=0, keepdims=True)
        w = np.where(np.abs(total) > 1000.0 * _EPS32, w / np.where(total != 0, total, 1), 0.0)
        w = np.where(((sample >= -0.5) & (sample <= m - 0.5))[None, :], w, 0.0).astype(compute)
        out = np.moveaxis(np.tensordot(out, w, axes=([d], [0])), -1, d)
    if _is_integer(dtype):
        out = np.clip(np.round(out), images.min(), images.max())
    return np.asarray(out).astype(dtype)
