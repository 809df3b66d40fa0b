"""JAX implementations of the ops declared in ``kcore/ops/image_transform.py``.

Sampling is ``jax.scipy.ndimage.map_coordinates`` (vmapped over batch and channels
for the image transforms) and resampling ``jax.image.scale_and_translate``;
``elastic_transform`` draws its noise with kcore's jax ``random.normal``, as the
composite does, so both give the same result for a seed.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy.ndimage import map_coordinates as _jax_map_coordinates

from kcore.dtypes import standardize_dtype
from kcore.ops.image_transform import (
    INTERPOLATIONS,
    _check_affine,
    _check_elastic,
    _check_map_coordinates,
    _check_perspective,
    _check_scale_and_translate,
    _compute_dtype,
    _data_format,
    _fill_for,
    _gaussian_blur_matrix,
    _image_hw,
    _is_integer,
    _projective_map,
)
from kcore_jax.random import normal as _random_normal


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    _check_map_coordinates(inputs, coordinates, order, fill_mode)
    inputs = jnp.asarray(inputs)
    dtype = standardize_dtype(inputs.dtype)
    compute = _compute_dtype(dtype)
    coordinates = jnp.asarray(coordinates, dtype=compute)
    return _jax_map_coordinates(
        inputs, list(coordinates), order, fill_mode, _fill_for(dtype, fill_value)
    )


def _sample(images, ys, xs, order, fill_mode, fill_value, data_format):
    """Sample every channel of images (rank 3 or 4) at float coordinates ``ys``/``xs``
    of shape ``(batch or 1, height, width)``."""
    dtype = standardize_dtype(images.dtype)
    unbatched = images.ndim == 3
    if unbatched:
        images = images[None]
    if data_format == "channels_first":
        images = jnp.transpose(images, (0, 2, 3, 1))
    shape = (images.shape[0], *ys.shape[1:])
    ys, xs = jnp.broadcast_to(ys, shape), jnp.broadcast_to(xs, shape)
    cval = _fill_for(dtype, fill_value)

    def one_channel(channel, ys, xs):
        return _jax_map_coordinates(channel, [ys, xs], order, fill_mode, cval)

    per_image = jax.vmap(one_channel, in_axes=(-1, None, None), out_axes=-1)
    out = jax.vmap(per_image)(images, ys, xs)
    if data_format == "channels_first":
        out = jnp.transpose(out, (0, 3, 1, 2))
    return out[0] if unbatched else out


def _transform_images(images, transform, order, fill_mode, fill_value, data_format):
    """Sample images at the projective ``transform``'s ``(n, 8)`` input coordinates."""
    compute = _compute_dtype(images.dtype)
    height, width = _image_hw(images, data_format)
    t = jax.lax.stop_gradient(jnp.asarray(transform, dtype=compute))[:, :, None, None]
    y = jnp.arange(height, dtype=compute)[:, None]
    x = jnp.arange(width, dtype=compute)[None, :]
    ys, xs = _projective_map(t, y, x)
    return _sample(images, ys, xs, order, fill_mode, fill_value, data_format)


def elastic_transform(
    images,
    alpha=20.0,
    sigma=5.0,
    interpolation="bilinear",
    fill_mode="reflect",
    fill_value=0.0,
    seed=None,
    data_format=None,
):
    _check_elastic(images, interpolation, fill_mode, data_format)
    data_format = _data_format(data_format)
    images = jnp.asarray(images)
    compute = _compute_dtype(images.dtype)
    height, width = _image_hw(images, data_format)
    batch = images.shape[0] if images.ndim == 4 else 1
    # The composite's noise, drawn the same way: the same seed gives the same result.
    noise = _random_normal((2, batch, height, width), dtype=compute, seed=seed) * float(sigma)
    blur_y = jnp.asarray(_gaussian_blur_matrix(height, float(sigma)), compute)
    blur_x = jnp.asarray(_gaussian_blur_matrix(width, float(sigma)), compute)
    field = jnp.einsum("ij,dbjk,lk->dbil", blur_y, noise, blur_x) * float(alpha)
    ys = jnp.arange(height, dtype=compute)[:, None] + field[0]
    xs = jnp.arange(width, dtype=compute)[None, :] + field[1]
    order = INTERPOLATIONS[interpolation]
    return _sample(images, ys, xs, order, fill_mode, fill_value, data_format)


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
        jnp.asarray(images),
        jnp.reshape(jnp.asarray(transform), (-1, 8)),
        INTERPOLATIONS[interpolation],
        fill_mode,
        fill_value,
        _data_format(data_format),
    )


def _homography(start, end):
    """``(n, 8)`` coefficients taking end points onto start points (8x8 solve)."""
    sx, sy, ex, ey = start[..., 0], start[..., 1], end[..., 0], end[..., 1]
    zeros, ones = jnp.zeros_like(ex), jnp.ones_like(ex)
    x_rows = jnp.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], axis=-1)
    y_rows = jnp.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], axis=-1)
    matrix = jnp.concatenate([x_rows, y_rows], axis=-2)
    target = jnp.concatenate([sx, sy], axis=-1)[..., None]
    return jnp.linalg.solve(matrix, target)[..., 0]


def perspective_transform(
    images,
    start_points,
    end_points,
    interpolation="bilinear",
    fill_value=0,
    data_format=None,
):
    _check_perspective(images, start_points, end_points, interpolation, data_format)
    images = jnp.asarray(images)
    compute = _compute_dtype(images.dtype)
    start = jax.lax.stop_gradient(jnp.reshape(jnp.asarray(start_points, compute), (-1, 4, 2)))
    end = jax.lax.stop_gradient(jnp.reshape(jnp.asarray(end_points, compute), (-1, 4, 2)))
    return _transform_images(
        images,
        _homography(start, end),
        INTERPOLATIONS[interpolation],
        "constant",
        fill_value,
        _data_format(data_format),
    )


def scale_and_translate(
    images, output_shape, scale, translation, spatial_dims, method, antialias=True
):
    _check_scale_and_translate(images, output_shape, scale, translation, spatial_dims, method)
    images = jnp.asarray(images)
    dtype = standardize_dtype(images.dtype)
    scale, translation = jnp.asarray(scale), jnp.asarray(translation)
    wide = "float64" in (
        dtype,
        standardize_dtype(scale.dtype),
        standardize_dtype(translation.dtype),
    )
    compute = "float64" if wide else "float32"
    out = jax.image.scale_and_translate(
        images.astype(compute),
        tuple(int(d) for d in output_shape),
        tuple(spatial_dims),
        scale.astype(compute),
        translation.astype(compute),
        method,
        antialias,
    )
    if _is_integer(dtype):
        out = jnp.clip(jnp.round(out), jnp.min(images), jnp.max(images))
    return out.astype(dtype)
