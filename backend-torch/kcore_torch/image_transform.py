"""PyTorch implementations of the ops declared in ``kcore/ops/image_transform.py``.

Gather-based sampling (advanced indexing, differentiable in the images), as the
reference computes it; ``grid_sample`` is not used: it has no ``"wrap"``/``"mirror"``
modes and its ``"reflection"`` padding folds about pixel edges differently.
``elastic_transform`` runs the composite (its noise comes from kcore's torch random).
"""

from __future__ import annotations

import itertools
import math

import torch

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
from kcore_torch.ops import _tensor, to_torch_dtype


def _round_half_away(c):
    return torch.sign(c) * torch.floor(c.abs() + 0.5)


def _fold(index, size, fill_mode):
    if fill_mode in ("constant", "nearest"):
        return index.clamp(0, size - 1)
    if fill_mode == "wrap":
        return torch.remainder(index, size)
    if size == 1:
        return torch.zeros_like(index)
    if fill_mode == "mirror":
        period = 2 * (size - 1)
        folded = torch.remainder(index, period)
        return torch.where(folded >= size, period - folded, folded)
    period = 2 * size
    folded = torch.remainder(index, period)
    return torch.where(folded >= size, period - 1 - folded, folded)


def _nodes(c, order):
    if order == 0:
        return [(_round_half_away(c).long(), None)]
    lower = torch.floor(c)
    upper = c - lower
    index = lower.long()
    return [(index, 1.0 - upper), (index + 1, upper)]


def _interpolate(array, coordinates, order, fill_mode, fill_value, lead=()):
    """``array`` interpolated at float ``coordinates`` along the dimensions after the
    ``lead`` index tensors (see the NumPy reference)."""
    sizes = array.shape[len(lead) : len(lead) + len(coordinates)]
    total = None
    for nodes in itertools.product(*(_nodes(c, order) for c in coordinates)):
        indices = tuple(_fold(i, s, fill_mode) for (i, _), s in zip(nodes, sizes))
        values = array[(*lead, *indices)]
        point_rank = torch.broadcast_shapes(*(x.shape for x in (*lead, *indices)))
        extra = values.ndim - len(point_rank)
        if fill_mode == "constant":
            valid = None
            for (i, _), s in zip(nodes, sizes):
                inside = (i >= 0) & (i < s)
                valid = inside if valid is None else valid & inside
            valid = valid.reshape(valid.shape + (1,) * extra)
            values = torch.where(
                valid, values, torch.full((), fill_value, dtype=values.dtype, device=values.device)
            )
        weight = None
        for _, w in nodes:
            if w is not None:
                weight = w if weight is None else weight * w
        if weight is not None:
            values = values * weight.reshape(weight.shape + (1,) * extra)
        total = values if total is None else total + values
    return total


def _finish(result, dtype):
    if _is_integer(dtype):
        result = _round_half_away(result)
    return result.to(to_torch_dtype(dtype))


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    _check_map_coordinates(inputs, coordinates, order, fill_mode)
    inputs = _tensor(inputs)
    dtype = standardize_dtype(inputs.dtype)
    compute = to_torch_dtype(_compute_dtype(dtype))
    coordinates = _tensor(coordinates).to(device=inputs.device, dtype=compute)
    coords = [coordinates[i] for i in range(inputs.ndim)]
    out = _interpolate(inputs.to(compute), coords, order, fill_mode, _fill_for(dtype, fill_value))
    return _finish(out, dtype)


def _transform_images(images, transform, order, fill_mode, fill_value, data_format):
    dtype = standardize_dtype(images.dtype)
    compute = to_torch_dtype(_compute_dtype(dtype))
    unbatched = images.ndim == 3
    if unbatched:
        images = images[None]
    if data_format == "channels_first":
        images = images.permute(0, 2, 3, 1)
    batch, height, width, _ = images.shape
    device = images.device
    t = transform.detach().to(device=device, dtype=compute).reshape(-1, 8)
    t = t.expand(batch, 8)[:, :, None, None]
    y = torch.arange(height, dtype=compute, device=device)[:, None]
    x = torch.arange(width, dtype=compute, device=device)[None, :]
    ys, xs = _projective_map(t, y, x)
    b = torch.arange(batch, device=device)[:, None, None]
    out = _interpolate(
        images.to(compute), [ys, xs], order, fill_mode, _fill_for(dtype, fill_value), (b,)
    )
    out = _finish(out, dtype)
    if data_format == "channels_first":
        out = out.permute(0, 3, 1, 2)
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
        _tensor(images),
        _tensor(transform),
        INTERPOLATIONS[interpolation],
        fill_mode,
        fill_value,
        _data_format(data_format),
    )


def _homography(start, end):
    sx, sy, ex, ey = start[..., 0], start[..., 1], end[..., 0], end[..., 1]
    zeros, ones = torch.zeros_like(ex), torch.ones_like(ex)
    x_rows = torch.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], dim=-1)
    y_rows = torch.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], dim=-1)
    matrix = torch.cat([x_rows, y_rows], dim=-2)
    target = torch.cat([sx, sy], dim=-1)[..., None]
    return torch.linalg.solve(matrix, target)[..., 0]


def perspective_transform(
    images,
    start_points,
    end_points,
    interpolation="bilinear",
    fill_value=0,
    data_format=None,
):
    _check_perspective(images, start_points, end_points, interpolation, data_format)
    images = _tensor(images)
    compute = to_torch_dtype(_compute_dtype(images.dtype))
    start = _tensor(start_points).detach().to(device=images.device, dtype=compute)
    end = _tensor(end_points).detach().to(device=images.device, dtype=compute)
    return _transform_images(
        images,
        _homography(start.reshape(-1, 4, 2), end.reshape(-1, 4, 2)),
        INTERPOLATIONS[interpolation],
        "constant",
        fill_value,
        _data_format(data_format),
    )


def _kernel(method, x):
    if method in ("linear", "bilinear", "trilinear"):
        return torch.clamp(1.0 - x.abs(), min=0.0)
    if method in ("cubic", "bicubic", "tricubic"):
        near = ((1.5 * x - 2.5) * x) * x + 1.0
        far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
        return torch.where(x >= 2.0, 0.0, torch.where(x >= 1.0, far, near))
    radius = 3 if method == "lanczos3" else 5
    y = radius * torch.sin(math.pi * x) * torch.sin(math.pi * x / radius)
    safe = torch.where(x != 0, math.pi**2 * x * x, torch.ones_like(x))
    out = torch.where(x > 1e-3, y / safe, torch.ones_like(x))
    return torch.where(x > radius, 0.0, out)


def scale_and_translate(
    images, output_shape, scale, translation, spatial_dims, method, antialias=True
):
    _check_scale_and_translate(images, output_shape, scale, translation, spatial_dims, method)
    images = _tensor(images)
    dtype = standardize_dtype(images.dtype)
    scale, translation = _tensor(scale), _tensor(translation)
    wide = torch.float64 in (images.dtype, scale.dtype, translation.dtype)
    compute = torch.float64 if wide else torch.float32
    device = images.device
    scale = scale.to(device=device, dtype=compute)
    translation = translation.to(device=device, dtype=compute)
    out = images.to(compute)
    for i, d in enumerate(spatial_dims):
        d = d % images.ndim
        m, n = images.shape[d], int(output_shape[d])
        inv = 1.0 / scale[i]
        kernel_scale = torch.clamp(inv, min=1.0) if antialias else 1.0
        sample = (torch.arange(n, dtype=compute, device=device) + 0.5) * inv
        sample = sample - translation[i] * inv - 0.5
        x = (sample[None, :] - torch.arange(m, dtype=compute, device=device)[:, None]).abs()
        w = _kernel(method, x / kernel_scale)
        total = w.sum(dim=0, keepdim=True)
        w = torch.where(
            total.abs() > 1000.0 * _EPS32,
            w / torch.where(total != 0, total, torch.ones_like(total)),
            0.0,
        )
        w = torch.where(((sample >= -0.5) & (sample <= m - 0.5))[None, :], w, 0.0)
        out = torch.movedim(torch.tensordot(out, w, dims=([d], [0])), -1, d)
    if _is_integer(dtype):
        out = torch.clamp(torch.round(out), images.min().to(compute), images.max().to(compute))
    return out.to(to_torch_dtype(dtype))
