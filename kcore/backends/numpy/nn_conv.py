"""NumPy implementations of the ops declared in ``kcore/ops/nn_conv.py``.

Plain NumPy: a loop over the kernel's (or window's) offsets, each step one strided
slice of the padded input and one ``einsum`` over channels. Work is done in
channels_last; float16 accumulates in float32, as the other backends' kernels do.
"""

from __future__ import annotations

import itertools

import numpy as np

from kcore import config
from kcore.dtypes import result_type
from kcore.ops.nn_conv import (
    average_counts,
    conv_geometry,
    output_paddings,
    pool_geometry,
    same_pads,
    transpose_geometry,
)

_WIDER = {"float16": np.float32, "bfloat16": np.float32}


def _last(x, channels_last):
    return x if channels_last else np.moveaxis(x, 1, -1)


def _back(x, channels_last):
    return x if channels_last else np.moveaxis(x, -1, 1)


def _pads(sizes, windows, strides, padding):
    if padding == "valid":
        return [(0, 0)] * len(sizes)
    return [same_pads(n, w, s) for n, w, s in zip(sizes, windows, strides)]


def _window_slices(offset, dilation, outs, strides):
    """The slice of the padded input that window cell ``offset`` reads for every output."""
    return (slice(None),) + tuple(
        slice(o * d, o * d + (m - 1) * s + 1, s)
        for o, d, m, s in zip(offset, dilation, outs, strides)
    )


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    x, k = np.asarray(inputs), np.asarray(kernel)
    n, strides, padding, last, dilation = conv_geometry(
        x.ndim, strides, padding, data_format, dilation_rate
    )
    if k.ndim != x.ndim:
        raise ValueError(f"kernel of rank {k.ndim} for inputs of rank {x.ndim}")
    x = _last(x, last)
    channels, (k_in, k_out) = x.shape[-1], k.shape[-2:]
    if k_in == 0 or channels % k_in or k_out % (channels // k_in):
        raise ValueError(f"input channels {channels} do not match the kernel's {k_in}")
    groups = channels // k_in
    dtype = result_type(x.dtype.name, k.dtype.name)
    work = _WIDER.get(dtype, dtype)
    x, k = x.astype(work, copy=False), k.astype(work, copy=False)
    windows = k.shape[:n]
    effective = [d * (w - 1) + 1 for d, w in zip(dilation, windows)]
    pads = _pads(x.shape[1:-1], effective, strides, padding)
    x = np.pad(x, [(0, 0), *pads, (0, 0)])
    outs = [max((size - e) // s + 1, 0) for size, e, s in zip(x.shape[1:-1], effective, strides)]
    out = np.zeros((x.shape[0], *outs, groups, k_out // groups), work)
    k = k.reshape(*windows, k_in, groups, k_out // groups)
    if all(outs):
        for offset in itertools.product(*map(range, windows)):
            patch = x[_window_slices(offset, dilation, outs, strides)]
            patch = patch.reshape(*patch.shape[:-1], groups, k_in)
            out += np.einsum("...gc,cgo->...go", patch, k[offset])
    out = out.reshape(*out.shape[:-2], k_out)
    return _back(out.astype(dtype, copy=False), last)


def conv_transpose(
    inputs,
    kernel,
    strides=1,
    padding="valid",
    output_padding=None,
    data_format=None,
    dilation_rate=1,
):
    x, k = np.asarray(inputs), np.asarray(kernel)
    n, strides, padding, last, dilation = conv_geometry(
        x.ndim, strides, padding, data_format, dilation_rate
    )
    extra = output_paddings(output_padding, n)
    if k.ndim != x.ndim:
        raise ValueError(f"kernel of rank {k.ndim} for inputs of rank {x.ndim}")
    x = _last(x, last)
    if k.shape[-1] != x.shape[-1]:
        raise ValueError(f"input channels {x.shape[-1]} do not match the kernel's {k.shape[-1]}")
    dtype = result_type(x.dtype.name, k.dtype.name)
    work = _WIDER.get(dtype, dtype)
    x, k = x.astype(work, copy=False), k.astype(work, copy=False)
    windows, sizes = k.shape[:n], x.shape[1:-1]
    geometry = [
        transpose_geometry(*args, padding, e)
        for args, e in zip(zip(sizes, windows, strides, dilation), extra)
    ]
    full = np.zeros((x.shape[0], *(f for _, _, f in geometry), k.shape[-2]), work)
    for offset in itertools.product(*map(range, windows)):
        full[_window_slices(offset, dilation, sizes, strides)] += np.einsum(
            "...c,oc->...o", x, k[offset]
        )
    # Cut [left, left + length) out of the full result, zeros past its end.
    out = full
    for axis, (left, length, size) in enumerate(geometry, start=1):
        end = left + length
        if end > size:
            widths = [(0, 0)] * out.ndim
            widths[axis] = (0, end - size)
            out = np.pad(out, widths)
        out = np.take(out, np.arange(left, end), axis=axis)
    return _back(out.astype(dtype, copy=False), last)


def _pool(x, pool_size, strides, padding, data_format, fill, combine):
    n, window, strides, padding, last = pool_geometry(
        x.ndim, pool_size, strides, padding, data_format
    )
    x = _last(x, last)
    sizes = x.shape[1:-1]
    pads = _pads(sizes, window, strides, padding)
    x = np.pad(x, [(0, 0), *pads, (0, 0)], constant_values=fill)
    outs = [max((size - w) // s + 1, 0) for size, w, s in zip(x.shape[1:-1], window, strides)]
    out = None
    for offset in itertools.product(*map(range, window)):
        patch = x[_window_slices(offset, (1,) * n, outs, strides)]
        out = patch.copy() if out is None else combine(out, patch)
    return out, last, (tuple(sizes), window, strides, padding)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x = np.asarray(inputs)
    if x.dtype.kind == "f":
        fill = -np.inf
    elif x.dtype.kind == "b":
        fill = False
    else:
        fill = np.iinfo(x.dtype).min
    out, last, _ = _pool(x, pool_size, strides, padding, data_format, fill, np.maximum)
    return _back(out, last)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x = np.asarray(inputs)
    dtype = x.dtype.name if x.dtype.kind == "f" else config.floatx()
    work = _WIDER.get(dtype, dtype)
    out, last, (sizes, window, strides, padding) = _pool(
        x.astype(work), pool_size, strides, padding, data_format, 0, np.add
    )
    if padding == "same":
        counts = average_counts(sizes, window, strides)
        out = out / counts[None, ..., None].astype(work)
    else:
        out = out / np.prod(window)
    return _back(out.astype(dtype, copy=False), last)
