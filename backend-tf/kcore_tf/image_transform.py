"""TensorFlow implementations of the ops declared in ``kcore/ops/image_transform.py``.

Gather-based sampling (``tf.gather_nd``), as the reference computes it.
``tf.raw_ops.ImageProjectiveTransformV3`` is not used: its registered gradient maps
the output gradient back through the inverse transform, which is not the adjoint of
bilinear sampling (gradients off by the Jacobian and at the borders); it truncates
integer results instead of rounding, computes coordinates in float32 only, and its
``"wrap"`` mode folds the coordinate before interpolating (a pixel left of column 0
reads the last column alone, where ``map_coordinates`` mixes it with column 0), and
it has no ``"mirror"``. ``elastic_transform`` runs the composite (its noise comes
from kcore's tf random).
"""

from __future__ import annotations

import itertools
import math

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
    _is_integer,
    _projective_map,
)
from kcore_tf.ops import tf


def _round_half_away(c):
    return tf.sign(c) * tf.floor(tf.abs(c) + 0.5)


def _fold(index, size, fill_mode):
    if fill_mode in ("constant", "nearest"):
        return tf.clip_by_value(index, 0, size - 1)
    if fill_mode == "wrap":
        return tf.math.floormod(index, size)
    if size == 1:
        return tf.zeros_like(index)
    if fill_mode == "mirror":
        period = 2 * (size - 1)
        folded = tf.math.floormod(index, period)
        return tf.where(folded >= size, period - folded, folded)
    period = 2 * size
    folded = tf.math.floormod(index, period)
    return tf.where(folded >= size, period - 1 - folded, folded)


def _nodes(c, order):
    if order == 0:
        return [(tf.cast(_round_half_away(c), tf.int32), None)]
    lower = tf.floor(c)
    upper = c - lower
    index = tf.cast(lower, tf.int32)
    return [(index, 1.0 - upper), (index + 1, upper)]


def _interpolate(array, coordinates, order, fill_mode, fill_value, lead=()):
    """``array`` interpolated at float ``coordinates`` along the dimensions after the
    ``lead`` index tensors (see the NumPy reference)."""
    sizes = array.shape[len(lead) : len(lead) + len(coordinates)]
    total = None
    for nodes in itertools.product(*(_nodes(c, order) for c in coordinates)):
        parts = [*lead, *(_fold(i, s, fill_mode) for (i, _), s in zip(nodes, sizes))]
        shape = parts[0].shape
        for p in parts[1:]:
            shape = tf.broadcast_static_shape(shape, p.shape)
        parts = [tf.broadcast_to(p, shape) for p in parts]
        values = tf.gather_nd(array, tf.stack(parts, axis=-1))
        extra = len(values.shape) - len(shape)
        if fill_mode == "constant":
            valid = None
            for (i, _), s in zip(nodes, sizes):
                inside = tf.logical_and(i >= 0, i < s)
                valid = inside if valid is None else tf.logical_and(valid, inside)
            valid = tf.reshape(valid, tf.concat([tf.shape(valid), [1] * extra], 0))
            values = tf.where(valid, values, tf.constant(fill_value, values.dtype))
        weight = None
        for _, w in nodes:
            if w is not None:
                weight = w if weight is None else weight * w
        if weight is not None:
            values = values * tf.reshape(weight, tf.concat([tf.shape(weight), [1] * extra], 0))
        total = values if total is None else total + values
    return total


def _finish(result, dtype):
    if _is_integer(dtype):
        result = _round_half_away(result)
    return tf.cast(result, dtype)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    _check_map_coordinates(inputs, coordinates, order, fill_mode)
    inputs = tf.convert_to_tensor(inputs)
    dtype = standardize_dtype(inputs.dtype)
    compute = _compute_dtype(dtype)
    coordinates = tf.cast(tf.convert_to_tensor(coordinates), compute)
    coords = [coordinates[i] for i in range(len(inputs.shape))]
    out = _interpolate(
        tf.cast(inputs, compute), coords, order, fill_mode, _fill_for(dtype, fill_value)
    )
    return _finish(out, dtype)


def _transform_images(images, transform, order, fill_mode, fill_value, data_format):
    dtype = standardize_dtype(images.dtype)
    compute = _compute_dtype(dtype)
    unbatched = len(images.shape) == 3
    if unbatched:
        images = images[None]
    if data_format == "channels_first":
        images = tf.transpose(images, (0, 2, 3, 1))
    batch, height, width, _ = images.shape
    t = tf.stop_gradient(tf.reshape(tf.cast(transform, compute), (-1, 8)))
    t = tf.broadcast_to(t, (batch, 8))[:, :, None, None]
    y = tf.range(height, dtype=compute)[:, None]
    x = tf.range(width, dtype=compute)[None, :]
    ys, xs = _projective_map(t, y, x)
    b = tf.range(batch)[:, None, None]
    out = _interpolate(
        tf.cast(images, compute), [ys, xs], order, fill_mode, _fill_for(dtype, fill_value), (b,)
    )
    out = _finish(out, dtype)
    if data_format == "channels_first":
        out = tf.transpose(out, (0, 3, 1, 2))
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
    return _transform_images(
        tf.convert_to_tensor(images),
        tf.convert_to_tensor(transform),
        INTERPOLATIONS[interpolation],
        fill_mode,
        fill_value,
        _data_format(data_format),
    )


def _homography(start, end):
    sx, sy, ex, ey = start[..., 0], start[..., 1], end[..., 0], end[..., 1]
    zeros, ones = tf.zeros_like(ex), tf.ones_like(ex)
    x_rows = tf.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], axis=-1)
    y_rows = tf.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], axis=-1)
    matrix = tf.concat([x_rows, y_rows], axis=-2)
    target = tf.concat([sx, sy], axis=-1)[..., None]
    return tf.linalg.solve(matrix, target)[..., 0]


def perspective_transform(
    images,
    start_points,
    end_points,
    interpolation="bilinear",
    fill_value=0,
    data_format=None,
):
    _check_perspective(images, start_points, end_points, interpolation, data_format)
    images = tf.convert_to_tensor(images)
    compute = _compute_dtype(images.dtype)
    start = tf.stop_gradient(tf.cast(tf.convert_to_tensor(start_points), compute))
    end = tf.stop_gradient(tf.cast(tf.convert_to_tensor(end_points), compute))
    return _transform_images(
        images,
        _homography(tf.reshape(start, (-1, 4, 2)), tf.reshape(end, (-1, 4, 2))),
        INTERPOLATIONS[interpolation],
        "constant",
        fill_value,
        _data_format(data_format),
    )


def _kernel(method, x):
    if method in ("linear", "bilinear", "trilinear"):
        return tf.maximum(0.0 * x, 1.0 - tf.abs(x))
    zero = tf.zeros_like(x)
    if method in ("cubic", "bicubic", "tricubic"):
        near = ((1.5 * x - 2.5) * x) * x + 1.0
        far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
        return tf.where(x >= 2.0, zero, tf.where(x >= 1.0, far, near))
    radius = 3 if method == "lanczos3" else 5
    y = radius * tf.sin(math.pi * x) * tf.sin(math.pi * x / radius)
    one = tf.ones_like(x)
    safe = tf.where(x != 0, math.pi**2 * x * x, one)
    out = tf.where(x > 1e-3, y / safe, one)
    return tf.where(x > radius, zero, out)


def scale_and_translate(
    images, output_shape, scale, translation, spatial_dims, method, antialias=True
):
    _check_scale_and_translate(images, output_shape, scale, translation, spatial_dims, method)
    images = tf.convert_to_tensor(images)
    dtype = standardize_dtype(images.dtype)
    scale, translation = tf.convert_to_tensor(scale), tf.convert_to_tensor(translation)
    wide = tf.float64 in (images.dtype, scale.dtype, translation.dtype)
    compute = tf.float64 if wide else tf.float32
    scale, translation = tf.cast(scale, compute), tf.cast(translation, compute)
    out = tf.cast(images, compute)
    rank = len(images.shape)
    for i, d in enumerate(spatial_dims):
        d = d % rank
        m, n = images.shape[d], int(output_shape[d])
        inv = 1.0 / scale[i]
        kernel_scale = tf.maximum(inv, 1.0) if antialias else tf.constant(1.0, compute)
        sample = (tf.range(n, dtype=compute) + 0.5) * inv - translation[i] * inv - 0.5
        x = tf.abs(sample[None, :] - tf.range(m, dtype=compute)[:, None])
        w = _kernel(method, x / kernel_scale)
        total = tf.reduce_sum(w, axis=0, keepdims=True)
        zero = tf.zeros_like(w)
        w = tf.where(
            tf.abs(total) > 1000.0 * _EPS32,
            w / tf.where(total != 0, total, tf.ones_like(total)),
            zero,
        )
        inside = tf.logical_and(sample >= -0.5, sample <= m - 0.5)[None, :]
        w = tf.where(inside, w, zero)
        out = tf.tensordot(out, w, axes=[[d], [0]])
        perm = list(range(rank - 1))
        perm.insert(d, rank - 1)
        out = tf.transpose(out, perm)
    if _is_integer(dtype):
        low = tf.cast(tf.reduce_min(images), compute)
        high = tf.cast(tf.reduce_max(images), compute)
        out = tf.clip_by_value(tf.round(out), low, high)
    return tf.cast(out, dtype)
