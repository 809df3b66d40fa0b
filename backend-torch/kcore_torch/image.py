"""PyTorch implementations of the ops declared in ``kcore/ops/image.py``.

``resize`` uses ``F.interpolate`` for ``"bilinear"`` (its ``align_corners=False`` grid
and its antialiasing are the reference's half-pixel triangle kernel). Its other modes do
not match JAX's and TensorFlow's, so they apply the reference's resampling matrices
instead: torch's ``"bicubic"`` uses ``a = -0.75`` and clamps at the edges where the
reference (Keys, ``a = -0.5``) renormalises, it has no Lanczos, and its ``"area"``
is an adaptive average pool (whole pixels) rather than a coverage-weighted average;
the matrices run as two batched matmuls, at ``F.interpolate``'s speed.
``"nearest"`` gathers the reference's indices (the same as ``"nearest-exact"``).
The other image ops run as their composites (for ``gaussian_blur`` and
``sobel_edges``, a few shifted slices run several times faster on the CPU than torch's
depthwise ``F.conv2d``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from kcore.ops.image import (
    _check_resize,
    _compute_dtype,
    _data_format,
    _nearest_indices,
    _resize_geometry,
    _resize_weights,
    _validate,
)
from kcore_torch.ops import TORCH_DTYPES, _tensor


def _back_to(x, dtype):
    if x.dtype == dtype:
        return x
    if dtype.is_floating_point:
        return x.to(dtype)
    if dtype == torch.bool:
        return torch.round(x) != 0
    info = torch.iinfo(dtype)
    return torch.clamp(torch.round(x), info.min, info.max).to(dtype)


def _channels_first(x, w_axis):
    """``x`` as (N, C, H, W), and how to undo that."""
    batched, channels_last = x.ndim == 4, w_axis == x.ndim - 2
    if not batched:
        x = x.unsqueeze(0)
    if channels_last:
        x = x.permute(0, 3, 1, 2)

    def undo(y):
        if channels_last:
            y = y.permute(0, 2, 3, 1)
        return y if batched else y.squeeze(0)

    return x, undo


def _resampled(x, size, interpolation, antialias):
    """(N, C, H, W) resampled to ``size``: ``F.interpolate`` for bilinear, else the
    reference's matrices as two batched matmuls (W_h @ x @ W_w^T)."""
    if interpolation == "bilinear":
        return F.interpolate(
            x, size=size, mode="bilinear", align_corners=False, antialias=antialias
        )
    rows = _resize_weights(x.shape[2], size[0], interpolation, antialias)
    columns = _resize_weights(x.shape[3], size[1], interpolation, antialias)
    rows = torch.as_tensor(rows, dtype=x.dtype, device=x.device)
    columns = torch.as_tensor(columns.T, dtype=x.dtype, device=x.device)
    return torch.matmul(torch.matmul(rows, x), columns)


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
    images = _tensor(images)
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
        x = x.narrow(h_axis, crop[0], crop[1]).narrow(w_axis, crop[2], crop[3])
    if interpolation == "nearest" and pad is None:
        for axis, out_size in ((h_axis, size[0]), (w_axis, size[1])):
            indices = torch.as_tensor(_nearest_indices(x.shape[axis], out_size), device=x.device)
            x = torch.index_select(x, axis, indices)
        return x
    x = x.to(TORCH_DTYPES[_compute_dtype(str(dtype).removeprefix("torch."))])
    if pad is not None:
        widths = [0] * (2 * x.ndim)  # F.pad lists the last axis first
        widths[2 * (x.ndim - 1 - h_axis)] = widths[2 * (x.ndim - 1 - h_axis) + 1] = pad[0]
        widths[2 * (x.ndim - 1 - w_axis)] = widths[2 * (x.ndim - 1 - w_axis) + 1] = pad[1]
        x = F.pad(x, widths, value=float(fill_value))
    x, undo = _channels_first(x, w_axis)
    x = undo(_resampled(x, size, interpolation, bool(antialias)))
    return _back_to(x, dtype)
