"""PyTorch implementations of the ops declared in ``kcore/ops/nn_conv.py``.

``torch.nn.functional`` works channels_first with symmetric padding: channels_last
inputs are permuted (a view), Keras kernels permuted to torch's weight layout (a
view), and an asymmetric ``"same"`` padding is applied with ``F.pad`` first. The
option checks are cached per distinct arguments.
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from kcore import config
from kcore.dtypes import result_type
from kcore.ops.nn_conv import (
    average_counts,
    channels_last,
    conv_geometry,
    output_paddings,
    pool_geometry,
    same_pads,
    transpose_geometry,
)
from kcore_torch.ops import STANDARD_NAMES, TORCH_DTYPES, _tensor

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
_MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
_HALVES = (torch.float16, torch.bfloat16)
_ADAPTIVE_AVG = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}
_ADAPTIVE_MAX = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}


@functools.lru_cache(maxsize=16)
def _permutations(n: int) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """(channels_last -> first, back, Keras kernel -> torch weight)."""
    to_first = (0, n + 1, *range(1, n + 1))
    to_last = (0, *range(2, n + 2), 1)
    weight = (n + 1, n, *range(n))
    return to_first, to_last, weight


def _agree(x, k):
    x, k = _tensor(x), _tensor(k)
    if x.dtype != k.dtype:
        dtype = TORCH_DTYPES[result_type(STANDARD_NAMES[x.dtype], STANDARD_NAMES[k.dtype])]
        x, k = x.to(dtype), k.to(dtype)
    return x, k


def _spatial(x, n, last):
    return x.shape[1 : n + 1] if last else x.shape[2:]


def _same(x, n, windows, strides, fill=0.0):
    """``x`` (channels first) with "same" padding: the symmetric part to hand to
    torch, after padding the odd cells explicitly when the split is uneven."""
    pads = [same_pads(size, w, s) for size, w, s in zip(x.shape[2:], windows, strides)]
    if all(b == a for b, a in pads):
        return x, tuple(b for b, _ in pads)
    flat = [p for pair in reversed(pads) for p in pair]  # F.pad: last axis first
    return F.pad(x, flat, value=fill), (0,) * n


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    x, k = _agree(inputs, kernel)
    n, strides, padding, last, dilation = conv_geometry(
        x.ndim, strides, padding, data_format, dilation_rate
    )
    if k.ndim != x.ndim:
        raise ValueError(f"kernel of rank {k.ndim} for inputs of rank {x.ndim}")
    to_first, to_last, weight = _permutations(n)
    if last:
        x = x.permute(to_first)
    pad = 0
    if padding == "same":
        windows = [d * (w - 1) + 1 for d, w in zip(dilation, k.shape[:n])]
        x, pad = _same(x, n, windows, strides)
    groups = x.shape[1] // k.shape[-2]
    out = _CONV[n](x, k.permute(weight), None, strides, pad, dilation, groups)
    return out.permute(to_last) if last else out


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
        x.ndim, strides, padding, data_format, dilation_rate
    )
    if k.ndim != x.ndim:
        raise ValueError(f"kernel of rank {k.ndim} for inputs of rank {x.ndim}")
    extra = output_paddings(output_padding, n)
    to_first, to_last, weight = _permutations(n)
    if last:
        x = x.permute(to_first)
    geometry = [
        transpose_geometry(size, w, s, d, padding, e)
        for size, w, s, d, e in zip(x.shape[2:], k.shape[:n], strides, dilation, extra)
    ]
    # torch crops `pad` cells from both ends and then adds `output_padding` cells
    # (fewer than the stride or dilation) at the end; other cuts go through the full
    # result, sliced and zero-padded.
    pads = tuple(left for left, _, _ in geometry)
    ends = tuple(length - (full - 2 * left) for left, length, full in geometry)
    direct = all(0 <= e < max(s, d) for e, s, d in zip(ends, strides, dilation))
    if direct:
        return _back(
            _CONV_T[n](x, k.permute(weight), None, strides, pads, ends, 1, dilation), last, to_last
        )
    out = _CONV_T[n](x, k.permute(weight), None, strides, 0, 0, 1, dilation)
    if all(left + length <= full for left, length, full in geometry):
        # Only cuts (Keras's uneven "same" split): a view, no copy.
        index = (slice(None), slice(None), *(slice(a, a + b) for a, b, _ in geometry))
        return _back(out[index], last, to_last)
    flat = []
    for left, length, full in reversed(geometry):
        flat += [-left, left + length - full]
    return _back(F.pad(out, flat), last, to_last)


def _back(out, last, to_last):
    return out.permute(to_last) if last else out


def _pool_input(inputs, pool_size, strides, padding, data_format):
    x = _tensor(inputs)
    n, window, strides, padding, last = pool_geometry(
        x.ndim, pool_size, strides, padding, data_format
    )
    to_first, to_last, _ = _permutations(n)
    return (x.permute(to_first) if last else x), n, window, strides, padding, last, to_last


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x, n, window, strides, padding, last, to_last = _pool_input(
        inputs, pool_size, strides, padding, data_format
    )
    dtype = x.dtype
    if not dtype.is_floating_point:  # torch pools floats only; float64 holds int32 exactly
        x = x.to(torch.float64)
    pad = 0
    if padding == "same":
        x, pad = _same(x, n, window, strides, float("-inf"))
    out = _MAX[n](x, window, strides, pad)
    if out.dtype != dtype:
        out = out.to(dtype)
    return _back(out, last, to_last)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x, n, window, strides, padding, last, to_last = _pool_input(
        inputs, pool_size, strides, padding, data_format
    )
    if not x.dtype.is_floating_point:
        x = x.to(TORCH_DTYPES[config.floatx()])
    elif n == 3 and x.dtype in _HALVES and x.device.type == "cpu":
        # avg_pool3d has no half-precision CPU kernel: average in float32.
        out = average_pool(x.float(), window, strides, padding, "channels_first")
        return _back(out.to(x.dtype), last, to_last)
    if padding == "valid":
        return _back(_AVG[n](x, window, strides), last, to_last)
    sizes = tuple(x.shape[2:])
    padded, pad = _same(x, n, window, strides)
    if padded is x:  # symmetric: torch leaves the padding out of the average itself
        out = _AVG[n](x, window, strides, pad, count_include_pad=False)
        return _back(out, last, to_last)
    total = (
        _AVG[n](padded, window, strides, divisor_override=1)
        if n > 1
        else (_AVG[n](padded, window, strides) * window[0])
    )
    counts = torch.from_numpy(average_counts(sizes, window, strides)).to(x.device, x.dtype)
    return _back(total / counts, last, to_last)


def _adaptive(table, inputs, output_size, data_format, floats_only):
    x = _tensor(inputs)
    n = x.ndim - 2
    last = channels_last(data_format)
    to_first, to_last, _ = _permutations(n)
    if last:
        x = x.permute(to_first)
    dtype = x.dtype
    if not dtype.is_floating_point:
        x = x.to(TORCH_DTYPES[config.floatx()] if floats_only else torch.float64)
    out = table[n](x, output_size)
    if not floats_only and out.dtype != dtype:
        out = out.to(dtype)
    return _back(out, last, to_last)


def adaptive_average_pool(inputs, output_size, data_format=None):
    return _adaptive(_ADAPTIVE_AVG, inputs, output_size, data_format, True)


def adaptive_max_pool(inputs, output_size, data_format=None):
    return _adaptive(_ADAPTIVE_MAX, inputs, output_size, data_format, False)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    x = _tensor(x)
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (batch, channels, height, width), got {tuple(x.shape)}")
    return F.unfold(x, kernel_size, dilation, padding, stride)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    x = _tensor(x)
    if x.ndim != 3:
        raise ValueError(f"x must be 3-D (batch, channels * kh * kw, blocks), got {x.shape}")
    return F.fold(x, output_size, kernel_size, dilation, padding, stride)
