"""TensorFlow implementations of the ops declared in ``kcore/ops/image.py``.

``resize`` calls ``tf.image.resize`` (the reference's half-pixel kernels) for float32
and narrower floats. It applies the reference's resampling matrices instead where TF
would differ: float64 (``tf.image.resize`` answers in float32), ``"bicubic"`` without
antialiasing (``ResizeBicubic`` reads its kernel from a 1024-entry table, about 1e-3
off), and ``"area"`` (``ResizeArea`` has no gradient). ``"nearest"`` gathers the
reference's indices. ``gaussian_blur`` and ``sobel_edges`` are one
``tf.nn.depthwise_conv2d``; the other image ops run as their composites.
"""

from __future__ import annotations

from kcore.dtypes import standardize_dtype
from kcore.ops.image import (
    _SOBEL_KERNELS,
    _check_blur,
    _check_resize,
    _compute_dtype,
    _data_format,
    _formats_and_rank,
    _gaussian_2d,
    _nearest_indices,
    _pad_widths,
    _resize_geometry,
    _resize_weights,
    _same_padding,
    _validate,
)
from kcore_tf.ops import convert_to_tensor, tf


def _back_to(x, dtype):
    if x.dtype == dtype:
        return x
    if dtype.is_floating:
        return tf.cast(x, dtype)
    if dtype == tf.bool:
        return tf.not_equal(tf.round(x), 0)
    return tf.cast(tf.clip_by_value(tf.round(x), dtype.min, dtype.max), dtype)


def _native(x, h_axis, w_axis, size, interpolation, antialias):
    """``tf.image.resize``, which wants channels last."""
    channels_first = w_axis == x.shape.rank - 1
    if channels_first:
        order = list(range(x.shape.rank - 3)) + [h_axis, w_axis, h_axis - 1]
        x = tf.transpose(x, order)
    x = tf.image.resize(x, size, method=interpolation, antialias=antialias)
    if channels_first:
        rank = x.shape.rank
        order = list(range(rank - 3)) + [rank - 1, rank - 3, rank - 2]
        x = tf.transpose(x, order)
    return x


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
    images = convert_to_tensor(images)
    dtype = images.dtype
    size = (int(size[0]), int(size[1]))
    h_axis, w_axis, crop, pad = _resize_geometry(
        tuple(images.shape),
        size,
        _data_format(data_format),
        crop_to_aspect_ratio,
        pad_to_aspect_ratio,
    )
    x = images
    if crop is not None:
        begin = [0] * x.shape.rank
        sizes = [-1] * x.shape.rank
        begin[h_axis], sizes[h_axis] = crop[0], crop[1]
        begin[w_axis], sizes[w_axis] = crop[2], crop[3]
        x = tf.slice(x, begin, sizes)
    if interpolation == "nearest" and pad is None:
        for axis, out_size in ((h_axis, size[0]), (w_axis, size[1])):
            x = tf.gather(x, _nearest_indices(x.shape[axis], out_size), axis=axis)
        return x
    compute = _compute_dtype(standardize_dtype(dtype))
    x = tf.cast(x, compute)
    if pad is not None:
        widths = _pad_widths(x.shape.rank, h_axis, w_axis, pad)
        x = tf.pad(x, widths, constant_values=tf.cast(fill_value, compute))
    use_matrices = (
        compute == "float64"
        or interpolation == "area"
        or (interpolation == "bicubic" and not antialias)
    )
    if use_matrices:
        for axis, out_size in ((h_axis, size[0]), (w_axis, size[1])):
            weights = _resize_weights(x.shape[axis], out_size, interpolation, antialias)
            moved = tf.tensordot(tf.constant(weights, dtype=compute), x, axes=[[1], [axis]])
            x = tf.experimental.numpy.moveaxis(moved, 0, axis)
    else:
        x = _native(x, h_axis, w_axis, size, interpolation, bool(antialias))
    return _back_to(x, dtype)


# -- filters: one depthwise convolution ---------------------------------------------------

_CHECK_SOBEL = _formats_and_rank((4,))


def _depthwise(images, kernels, data_format):
    """``images`` correlated with each (kh, kw) kernel of ``kernels`` per channel, zero
    padded to keep the size: (N, H, W, C, K) in float32/float64, and the input dtype."""
    x = convert_to_tensor(images)
    dtype = x.dtype
    compute = dtype if dtype in (tf.float32, tf.float64) else tf.float32
    x = tf.cast(x, compute)
    batched = x.shape.rank == 4
    if not batched:
        x = x[None]
    if data_format == "channels_first":
        x = tf.transpose(x, (0, 2, 3, 1))
    count, kh, kw = kernels.shape
    channels = x.shape[-1]
    x = tf.pad(x, [[0, 0], list(_same_padding(kh)), list(_same_padding(kw)), [0, 0]])
    # (kh, kw, C, K): each channel gets every kernel (depthwise channel multiplier K).
    weight = tf.constant(kernels.transpose(1, 2, 0)[:, :, None, :], dtype=compute)
    weight = tf.tile(weight, [1, 1, channels, 1])
    out = tf.nn.depthwise_conv2d(x, weight, strides=[1, 1, 1, 1], padding="VALID")
    shape = tf.concat([tf.shape(out)[:3], [channels, count]], axis=0)
    return tf.reshape(out, shape), dtype, batched


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    _validate(
        _check_blur(
            {
                "images": images,
                "kernel_size": kernel_size,
                "sigma": sigma,
                "data_format": data_format,
            }
        )
    )
    data_format = _data_format(data_format)
    out, dtype, batched = _depthwise(images, _gaussian_2d(kernel_size, sigma)[None], data_format)
    out = out[..., 0]
    if data_format == "channels_first":
        out = tf.transpose(out, (0, 3, 1, 2))
    return _back_to(out if batched else out[0], dtype)


def sobel_edges(images, data_format=None):
    _validate(_CHECK_SOBEL({"images": images, "data_format": data_format}))
    data_format = _data_format(data_format)
    out, dtype, _ = _depthwise(images, _SOBEL_KERNELS, data_format)
    if data_format == "channels_first":  # (N, H, W, C, 2) to (N, C, H, W, 2)
        out = tf.transpose(out, (0, 3, 1, 2, 4))
    if dtype.is_floating:
        return tf.cast(out, dtype)
    # Integer edges are exact; wrap into the dtype as integer arithmetic would.
    wide = tf.int64 if dtype in (tf.int64, tf.uint64) else tf.int32
    return tf.cast(tf.cast(out, wide), dtype)
