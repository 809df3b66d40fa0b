"""Shape manipulation, joining, splitting, indexing and sorting: this backend's implementations.

Where torch's own function differs from NumPy's (``squeeze`` ignoring axes that are not
of size 1, no negative slice steps, no index results in ``int32``), the function here
gives the NumPy (Keras 3) behaviour.
"""

from __future__ import annotations

import operator

import numpy as np
import torch
import torch.nn.functional as F

from kcore.dtypes import result_type
from kcore.ops.numpy_shapes import _pad_indices, _pad_mode, _pad_widths, _unique_result
from kcore_torch.ops import STANDARD_NAMES, TORCH_DTYPES, _tensor, to_tensor, to_torch_dtype

_INDEX = torch.int32


def _as_index(a):
    return a.to(_INDEX)


def _promoted(tensors):
    """The tensors cast to their common dtype (Keras 3's promotion)."""
    tensors = [_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("need at least one tensor")
    first = tensors[0].dtype
    if all(t.dtype is first for t in tensors):
        return tensors
    dtype = TORCH_DTYPES[result_type(*(STANDARD_NAMES[t.dtype] for t in tensors))]
    device = tensors[0].device
    return [t.to(device=device, dtype=dtype) for t in tensors]


def _axis(axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < max(ndim, 1):
        raise IndexError(f"axis {axis} is out of range for a tensor of rank {ndim}")
    return axis % ndim if ndim else 0


def _same_dtype(tensors):
    first = tensors[0]
    if type(first) is not torch.Tensor:
        return False
    dtype = first.dtype
    return all(type(t) is torch.Tensor and t.dtype is dtype for t in tensors)


def concatenate(xs, axis=0):
    if axis is not None and xs and _same_dtype(xs):  # the common case: nothing to promote
        return torch.cat(xs, dim=axis)
    xs = _promoted(xs)
    if axis is None:
        return torch.cat([x.reshape(-1) for x in xs])
    return torch.cat(xs, dim=axis)


def stack(x, axis=0):
    if x and _same_dtype(x):
        return torch.stack(x, dim=axis)
    return torch.stack(_promoted(x), dim=axis)


def split(x, indices_or_sections, axis=0):
    x = _tensor(x)
    if isinstance(indices_or_sections, int):
        size = x.shape[_axis(axis, x.ndim)]
        if indices_or_sections <= 0 or size % indices_or_sections:
            raise ValueError(
                f"array split does not result in an equal division: axis of size {size} "
                f"into {indices_or_sections} parts"
            )
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    indices = [int(i) for i in indices_or_sections]
    return list(torch.tensor_split(x, indices, dim=axis))


def reshape(x, newshape):
    return _tensor(x).reshape(newshape)


def broadcast_to(x, shape):
    return torch.broadcast_to(_tensor(x), (shape,) if isinstance(shape, int) else tuple(shape))


def expand_dims(x, axis):
    x = _tensor(x)
    if isinstance(axis, int):
        return torch.unsqueeze(x, axis)
    ndim = x.ndim + len(axis)
    for a in sorted(_axis(a, ndim) for a in axis):
        x = torch.unsqueeze(x, a)
    return x


def squeeze(x, axis=None):
    x = _tensor(x)
    if axis is None:
        return torch.squeeze(x)
    axes = tuple(_axis(a, x.ndim) for a in ((axis,) if isinstance(axis, int) else axis))
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"cannot squeeze axis {a} of size {x.shape[a]} (not 1)")
    return torch.squeeze(x, axes) if axes else x


def transpose(x, axes=None):
    x = _tensor(x)
    if axes is None:
        return x.permute(tuple(range(x.ndim - 1, -1, -1)))
    if len(axes) != x.ndim:
        raise ValueError(f"axes {axes} do not match a tensor of rank {x.ndim}")
    return x.permute(*axes)


def moveaxis(x, source, destination):
    return torch.movedim(_tensor(x), source, destination)


def flip(x, axis=None):
    x = _tensor(x)
    if axis is None:
        dims = tuple(range(x.ndim))
    else:
        dims = (axis,) if isinstance(axis, int) else tuple(axis)
    return torch.flip(x, dims)


def repeat(x, repeats, axis=None):
    x = _tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if isinstance(repeats, int):
        return torch.repeat_interleave(x, repeats, dim=axis)
    if isinstance(repeats, list | tuple | np.ndarray):
        counts = [int(r) for r in np.asarray(repeats).reshape(-1)]
        if len(counts) == 1:
            return torch.repeat_interleave(x, counts[0], dim=axis)
        counts_tensor = torch.tensor(counts, device=x.device)
        return torch.repeat_interleave(x, counts_tensor, dim=axis, output_size=sum(counts))
    return torch.repeat_interleave(x, _tensor(repeats).to(x.device), dim=axis)


def tile(x, repeats):
    repeats = (repeats,) if isinstance(repeats, int) else tuple(int(r) for r in repeats)
    return torch.tile(_tensor(x), repeats)


def roll(x, shift, axis=None):
    x = _tensor(x)
    if axis is None:
        return torch.roll(x, shift)
    return torch.roll(x, shift, dims=axis)


def diagonal(x, offset=0, axis1=0, axis2=1):
    return torch.diagonal(_tensor(x), offset=offset, dim1=axis1, dim2=axis2)


# -- pad -----------------------------------------------------------------------------

_STATS = {
    "maximum": lambda t, axis: torch.amax(t, dim=axis, keepdim=True),
    "minimum": lambda t, axis: torch.amin(t, dim=axis, keepdim=True),
    "mean": lambda t, axis: torch.mean(t, dim=axis, keepdim=True),
    "median": lambda t, axis: torch.quantile(t, 0.5, dim=axis, keepdim=True),
}


def _repeated(t, axis, count):
    shape = list(t.shape)
    shape[axis] = count
    return t.expand(shape)


def _pad_axis(x, axis, before, after, mode):
    size = x.shape[axis]
    if mode in ("edge", "reflect", "symmetric", "wrap"):
        index = torch.as_tensor(_pad_indices(size, before, after, mode), device=x.device)
        return torch.index_select(x, axis, index)
    floating = x.is_floating_point()
    # Half precisions have no quantile kernel, and integer stats are taken in floats.
    if x.dtype in (torch.float32, torch.float64):
        work = x
    else:
        work = x.to(torch.float32 if floating else torch.float64)
    if mode in _STATS:
        if mode in ("maximum", "minimum"):
            stat = _STATS[mode](x, axis)
        else:
            stat = _STATS[mode](work, axis)
            stat = stat.to(x.dtype) if floating else torch.round(stat).to(x.dtype)
        pieces = [_repeated(stat, axis, before), x, _repeated(stat, axis, after)]
        return torch.cat(pieces, dim=axis)
    # linear_ramp: from 0 at the outer edge to the edge value (not included).
    first, last = work.narrow(axis, 0, 1), work.narrow(axis, size - 1, 1)
    view = [1] * x.ndim
    pieces = []
    if before:
        view[axis] = before
        ramp = torch.arange(before, device=x.device, dtype=work.dtype).reshape(view) / before
        pieces.append(first * ramp)
    pieces.append(work)
    if after:
        view[axis] = after
        ramp = torch.arange(after - 1, -1, -1, device=x.device, dtype=work.dtype)
        pieces.append(last * (ramp.reshape(view) / after))
    out = torch.cat(pieces, dim=axis)
    return out.to(x.dtype) if floating else torch.round(out).to(x.dtype)


def pad(x, pad_width, mode="constant", constant_values=None):
    x = _tensor(x)
    mode = _pad_mode(mode, constant_values)
    pairs = _pad_widths(pad_width, x.ndim)
    if mode in ("constant", "empty"):
        value = 0 if constant_values is None else constant_values
        if x.dtype == torch.bool:
            value = bool(value)
        elif not (x.is_floating_point() or x.is_complex()):
            value = int(value)
        flat = [w for before, after in reversed(pairs) for w in (before, after)]
        return F.pad(x, flat, mode="constant", value=value)
    out = x
    for axis, (before, after) in enumerate(pairs):
        if before or after:
            out = _pad_axis(out, axis, before, after, mode)
    return out


# -- indexing ------------------------------------------------------------------------


def _index_part(part, device):
    if isinstance(part, np.ndarray):
        return torch.as_tensor(part, device=device)
    if isinstance(part, list):
        return torch.as_tensor(np.asarray(part), device=device)
    return part


def get_item(x, key):
    x = _tensor(x)
    parts = key if isinstance(key, tuple) else (key,)
    for p in parts:
        if isinstance(p, np.ndarray | list) or (
            isinstance(p, slice) and p.step is not None and p.step < 0
        ):
            break
    else:  # nothing torch indexes differently from NumPy
        return x[key]
    parts = list(parts)
    parts = [_index_part(p, x.device) for p in parts]

    def consumed(p):
        if p is None:
            return 0
        if isinstance(p, torch.Tensor) and p.dtype == torch.bool:
            return max(p.ndim, 1)
        return 1

    if any(p is Ellipsis for p in parts):
        at = next(i for i, p in enumerate(parts) if p is Ellipsis)
        used = sum(consumed(p) for p in parts if p is not Ellipsis)
        parts[at : at + 1] = [slice(None)] * (x.ndim - used)
    # torch slices take only positive steps: flip the axis and slice it forwards.
    dim, flips = 0, []
    for i, p in enumerate(parts):
        if isinstance(p, slice) and p.step is not None and p.step < 0:
            size = x.shape[dim]
            start, stop, step = p.indices(size)
            flips.append(dim)
            parts[i] = slice(size - 1 - start, size - 1 - stop, -step)
        dim += consumed(p)
    if flips:
        x = torch.flip(x, flips)
    return x[tuple(parts)]


def view(x, dtype=None):
    x = _tensor(x)
    if dtype is None:
        return x
    return x.contiguous().view(to_torch_dtype(dtype))


def _indices(indices, device, size):
    """``indices`` as an int64 tensor, negative ones counted from the end."""
    if isinstance(indices, int):
        indices = torch.tensor(indices, device=device)
    else:
        indices = to_tensor(indices, None, device)
    indices = indices.to(torch.int64)
    return torch.where(indices < 0, indices + size, indices)


def take(x, indices, axis=None):
    x = _tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if isinstance(indices, int):
        return torch.select(x, axis, indices)  # counts negative indices from the end
    if not isinstance(indices, torch.Tensor):
        indices = to_tensor(np.asarray(indices) if isinstance(indices, list) else indices)
    # Indexing with a tensor (unlike index_select) takes negative indices and any shape.
    return x[(slice(None),) * _axis(axis, x.ndim) + (indices.to(x.device),)]


def take_along_axis(x, indices, axis=None):
    x = _tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
        index = _indices(indices, x.device, x.shape[0]).reshape(-1)
    else:
        axis = _axis(axis, x.ndim)
        index = _indices(indices, x.device, x.shape[axis])
    return torch.take_along_dim(x, index, dim=axis)


def unravel_index(indices, shape):
    indices = _tensor(indices)
    coords = []
    for size in reversed(tuple(shape)):
        coords.append(torch.remainder(indices, size).to(_INDEX))
        indices = torch.div(indices, size, rounding_mode="floor")
    return tuple(reversed(coords))


def nonzero(x):
    return tuple(i.to(_INDEX) for i in torch.nonzero(_tensor(x), as_tuple=True))


def sort(x, axis=-1):
    x = _tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis, stable=True).values


def argsort(x, axis=-1):
    x = _tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if x.ndim == 0:
        return torch.zeros((), dtype=_INDEX, device=x.device)
    return torch.argsort(x, dim=axis, stable=True).to(_INDEX)


def searchsorted(sorted_sequence, values, side="left"):
    sorted_sequence = _tensor(sorted_sequence)
    if sorted_sequence.ndim != 1:
        raise ValueError(f"sorted_sequence must be 1-D, got shape {tuple(sorted_sequence.shape)}")
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    sorted_sequence, values = _promoted([sorted_sequence, to_tensor(values)])
    if sorted_sequence.dtype == torch.bool:
        sorted_sequence, values = sorted_sequence.to(torch.uint8), values.to(torch.uint8)
    return torch.searchsorted(sorted_sequence, values, right=side == "right", out_int32=True)


def unique(
    x,
    sorted=True,
    return_index=False,
    return_inverse=False,
    return_counts=False,
    axis=None,
    size=None,
    fill_value=None,
):
    x = _tensor(x)
    if axis is None:
        flat, axis_ = x.reshape(-1), 0
    else:
        flat, axis_ = x, _axis(axis, x.ndim)
    values, inverse, counts = torch.unique(
        flat, sorted=True, return_inverse=True, return_counts=True, dim=axis_
    )
    inverse = inverse.reshape(x.shape) if axis is None else inverse.reshape(-1)
    found = counts.shape[0]
    index = torch.full((found,), flat.shape[axis_], dtype=torch.int64, device=x.device)
    positions = torch.arange(flat.shape[axis_], device=x.device)
    index = index.scatter_reduce(0, inverse.reshape(-1), positions, reduce="amin")
    if size is not None:
        if found >= size:
            values = values.narrow(axis_, 0, size)
            index, counts = index[:size], counts[:size]
        else:
            extra = size - found
            if fill_value is None:
                filler = _repeated(values.narrow(axis_, 0, 1), axis_, extra)
            else:
                shape = list(values.shape)
                shape[axis_] = extra
                filler = torch.full(shape, fill_value, dtype=values.dtype, device=x.device)
            values = torch.cat([values, filler], dim=axis_)
            first = index[:1] if found else torch.zeros(1, dtype=index.dtype, device=x.device)
            index = torch.cat([index, first.expand(extra)])
            counts = torch.cat([counts, torch.zeros(extra, dtype=counts.dtype, device=x.device)])
    flags = (return_index, return_inverse, return_counts)
    return _unique_result(values, index, inverse, counts, flags, _as_index)


def isin(x1, x2, assume_unique=False, invert=False):
    x1, x2 = _promoted([x1, x2])
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)


# Native versions of composites, one framework call instead of several.
def ravel(x):
    return _tensor(x).reshape(-1)


def swapaxes(x, axis1, axis2):
    return torch.swapaxes(_tensor(x), axis1, axis2)
