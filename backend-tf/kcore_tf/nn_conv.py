"""TensorFlow implementations of the ops declared in ``kcore/ops/nn_conv.py``.

``tf.nn.convolution``, ``tf.nn.conv_transpose`` and ``tf.nn.max_pool``/``avg_pool``
(whose ``"SAME"`` split and average are Keras's) on channels_last tensors;
channels_first inputs are transposed there and back, since TensorFlow's CPU kernels
take NHWC only. Where TensorFlow refuses an option Keras allows (strides and
dilation together, grouped 3-D convolution), the same result is computed another way.
"""

from __future__ import annotations

import functools

from kcore import config
from kcore.dtypes import result_type
from kcore.ops.nn_conv import (
    conv_geometry,
    output_paddings,
    pool_geometry,
    same_pads,
    transpose_geometry,
)
from kcore_tf.ops import convert_to_tensor, tf


@functools.lru_cache(maxsize=16)
def _permutations(n: int):
    return [0, *range(2, n + 2), 1], [0, n + 1, *range(1, n + 1)]


def _agree(x, k):
    x, k = convert_to_tensor(x), convert_to_tensor(k)
    if x.dtype is not k.dtype:
        dtype = result_type(x.dtype.name, k.dtype.name)
        x, k = tf.cast(x, dtype), tf.cast(k, dtype)
    return x, k


def _to_last(x, n, last):
    return x if last else tf.transpose(x, _permutations(n)[0])


def _back(x, n, last):
    return x if last else tf.transpose(x, _permutations(n)[1])


def _block_diagonal(kernel, groups):
    """A grouped kernel ``(*w, c / g, o)`` as the equivalent dense ``(*w, c, o)``."""
    shape = kernel.shape.as_list()
    per_in, out = shape[-2], shape[-1]
    per_out = out // groups
    blocks = tf.reshape(kernel, [*shape[:-2], per_in, groups, per_out])
    eye = tf.eye(groups, dtype=kernel.dtype)
    dense = tf.einsum("...igo,gh->...higo", blocks, eye)
    return tf.reshape(dense, [*shape[:-2], groups * per_in, out])


_CHANNELS_LAST = {1: "NWC", 2: "NHWC", 3: "NDHWC"}
#: dtypes TF's CPU pooling kernels lack for 3-D windows: computed in float32.
_NO_HALF_POOL3D = (tf.float16, tf.bfloat16)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    x, k = _agree(inputs, kernel)
    n, strides, padding, last, dilation = conv_geometry(
        x.shape.rank, strides, padding, data_format, dilation_rate
    )
    if k.shape.rank != x.shape.rank:
        raise ValueError(f"kernel of rank {k.shape.rank} for inputs of rank {x.shape.rank}")
    x = _to_last(x, n, last)
    channels, k_in = x.shape[-1], k.shape[-2]
    if channels % k_in or k.shape[-1] % (channels // k_in):
        raise ValueError(f"input channels {channels} do not match the kernel's {k_in}")
    if n == 3 and k_in != channels:  # no grouped 3-D kernel on the CPU
        k = _block_diagonal(k, channels // k_in)
    if max(strides) > 1 and max(dilation) > 1:
        # tf.nn.convolution refuses both at once: pad as the strided call would,
        # convolve densely, keep every stride-th cell.
        if padding == "same":
            windows = [d * (w - 1) + 1 for d, w in zip(dilation, k.shape[:n])]
            pads = [same_pads(size, w, s) for size, w, s in zip(x.shape[1:-1], windows, strides)]
            x = tf.pad(x, [(0, 0), *pads, (0, 0)])
        out = tf.nn.convolution(x, k, 1, "VALID", dilations=dilation, data_format=_CHANNELS_LAST[n])
        out = out[(slice(None), *(slice(None, None, s) for s in strides))]
    elif n == 2:  # the common case, without tf.nn.convolution's dispatch
        out = tf.nn.conv2d(x, k, strides, padding.upper(), dilations=dilation)
    else:
        # data_format given: without it TF's eager gradient of a 3-D conv fails.
        out = tf.nn.convolution(
            x, k, strides, padding.upper(), dilations=dilation, data_format=_CHANNELS_LAST[n]
        )
    return _back(out, n, last)


def conv_transpose(
    inputs,
    kernel,
    strides=1,
    padding="valid",
    output_padding=None,
    data_format=None,
    dilation_rate=1,
):
    x, k = _agree(inputs, kernel)
    n, strides, padding, last, dilation = conv_geometry(
        x.shape.rank, strides, padding, data_format, dilation_rate
    )
    if k.shape.rank != x.shape.rank:
        raise ValueError(f"kernel of rank {k.shape.rank} for inputs of rank {x.shape.rank}")
    extra = output_paddings(output_padding, n)
    x = _to_last(x, n, last)
    if x.shape[-1] != k.shape[-1]:
        raise ValueError(f"input channels {x.shape[-1]} do not match the kernel's {k.shape[-1]}")
    sizes = x.shape[1:-1]
    geometry = [
        transpose_geometry(size, w, s, d, padding, e)
        for size, w, s, d, e in zip(sizes, k.shape[:n], strides, dilation, extra)
    ]
    batch = x.shape[0] if x.shape[0] is not None else tf.shape(x)[0]
    if output_padding is None and not (max(strides) > 1 and max(dilation) > 1):
        shape = [batch, *(length for _, length, _ in geometry), k.shape[-2]]
        out = tf.nn.conv_transpose(x, k, shape, strides, padding.upper(), dilations=dilation)
        return _back(out, n, last)
    # The full result (VALID, up to stride - 1 cells past it kept as zeros), then the
    # cut [left, left + length), zero-padded where it runs past the end.
    lengths = [
        full + min(max(left + length - full, 0), s - 1)
        for (left, length, full), s in zip(geometry, strides)
    ]
    if max(dilation) > 1 and max(strides) > 1:
        out = _dilated_transpose(x, k, strides, dilation, geometry, batch)
        lengths = [full for _, _, full in geometry]
    else:
        out = tf.nn.conv_transpose(
            x, k, [batch, *lengths, k.shape[-2]], strides, "VALID", dilations=dilation
        )
    index, pads = [slice(None)], [(0, 0)]
    for (left, length, _), have in zip(geometry, lengths):
        index.append(slice(left, min(left + length, have)))
        pads.append((0, max(left + length - have, 0)))
    out = out[tuple(index)]
    if any(after for _, after in pads):
        out = tf.pad(out, [*pads, (0, 0)])
    return _back(out, n, last)


def _dilated_transpose(x, k, strides, dilation, geometry, batch):
    """The full transposed result when TensorFlow refuses strides with dilation: the
    input spread out by the strides (zeros between), then a dilated stride-1 call."""
    spread = x
    for axis, s in enumerate(strides, start=1):
        if s == 1:
            continue
        size, shape = x.shape[axis], tf.shape(spread)
        widths = [(0, 0)] * (spread.shape.rank + 1)
        widths[axis + 1] = (0, s - 1)
        spread = tf.pad(tf.expand_dims(spread, axis + 1), widths)
        spread = tf.reshape(spread, tf.concat([shape[:axis], [size * s], shape[axis + 1 :]], 0))
        index = [slice(None)] * spread.shape.rank
        index[axis] = slice(0, (size - 1) * s + 1)
        spread = spread[tuple(index)]
    lengths = [full for _, _, full in geometry]
    return tf.nn.conv_transpose(
        spread, k, [batch, *lengths, k.shape[-2]], 1, "VALID", dilations=dilation
    )


def _pool_input(inputs, pool_size, strides, padding, data_format):
    x = convert_to_tensor(inputs)
    n, window, strides, padding, last = pool_geometry(
        x.shape.rank, pool_size, strides, padding, data_format
    )
    return _to_last(x, n, last), n, window, strides, padding.upper(), last


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x, n, window, strides, padding, last = _pool_input(
        inputs, pool_size, strides, padding, data_format
    )
    dtype = x.dtype
    if not dtype.is_floating:  # kernels for floats everywhere; float64 holds int32
        x = tf.cast(x, tf.float64)
    elif n == 3 and dtype in _NO_HALF_POOL3D:
        x = tf.cast(x, tf.float32)
    out = tf.nn.max_pool(x, window, strides, padding)
    if out.dtype is not dtype:
        out = tf.cast(out, dtype)
    return _back(out, n, last)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x, n, window, strides, padding, last = _pool_input(
        inputs, pool_size, strides, padding, data_format
    )
    if not x.dtype.is_floating:
        x = tf.cast(x, config.floatx())
    elif n == 3 and x.dtype in _NO_HALF_POOL3D:
        half = x.dtype
        out = tf.cast(tf.nn.avg_pool(tf.cast(x, tf.float32), window, strides, padding), half)
        return _back(out, n, last)
    return _back(tf.nn.avg_pool(x, window, strides, padding), n, last)
