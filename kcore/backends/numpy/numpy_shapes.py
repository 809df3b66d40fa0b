"""Shape manipulation, joining, splitting, indexing and sorting: this backend's implementations.

As the reference, each op states Keras 3's result dtype: joined tensors take the
promoted dtype (NumPy's own promotion differs), index results are ``int32``.
"""

from __future__ import annotations

import numpy as np

from kcore.dtypes import dtype_of, result_type, standardize_dtype
from kcore.ops.numpy_shapes import _pad_indices, _pad_mode, _pad_widths, _unique_result

_INDEX = np.int32


def _as_index(a):
    return a.astype(_INDEX)


def _joined(xs):
    xs = [np.asarray(x) if not isinstance(x, np.ndarray) else x for x in xs]
    if not xs:
        raise ValueError("need at least one tensor to join")
    dtype = result_type(*(dtype_of(x) for x in xs))
    return [x.astype(dtype, copy=False) for x in xs]


def concatenate(xs, axis=0):
    return np.concatenate(_joined(xs), axis=axis)


def stack(x, axis=0):
    return np.stack(_joined(x), axis=axis)


def split(x, indices_or_sections, axis=0):
    return list(np.split(np.asarray(x), indices_or_sections, axis=axis))


def reshape(x, newshape):
    return np.reshape(x, newshape)


def broadcast_to(x, shape):
    return np.array(np.broadcast_to(x, shape))


def expand_dims(x, axis):
    return np.expand_dims(x, axis)


def squeeze(x, axis=None):
    return np.squeeze(x, axis=axis)


def transpose(x, axes=None):
    return np.transpose(x, axes)


def moveaxis(x, source, destination):
    return np.moveaxis(x, source, destination)


def flip(x, axis=None):
    return np.array(np.flip(x, axis=axis))


def repeat(x, repeats, axis=None):
    return np.repeat(x, repeats, axis=axis)


def tile(x, repeats):
    return np.tile(x, repeats)


def roll(x, shift, axis=None):
    return np.roll(x, shift, axis=axis)


def diagonal(x, offset=0, axis1=0, axis2=1):
    return np.array(np.diagonal(x, offset=offset, axis1=axis1, axis2=axis2))


def pad(x, pad_width, mode="constant", constant_values=None):
    x = np.asarray(x)
    mode = _pad_mode(mode, constant_values)
    pairs = _pad_widths(pad_width, x.ndim)
    if mode == "constant":
        return np.pad(x, pairs, constant_values=0 if constant_values is None else constant_values)
    if mode == "empty":  # unspecified values: zeros, as on the other backends
        return np.pad(x, pairs)
    if mode in ("edge", "reflect", "symmetric", "wrap"):
        out = x
        for axis, (before, after) in enumerate(pairs):
            if before or after:
                out = np.take(out, _pad_indices(out.shape[axis], before, after, mode), axis=axis)
        return out
    return np.asarray(np.pad(x, pairs, mode=mode), dtype=x.dtype)


def get_item(x, key):
    return np.asarray(np.asarray(x)[key])


def view(x, dtype=None):
    x = np.asarray(x)
    if dtype is None:
        return x
    return x.view(standardize_dtype(dtype))


def take(x, indices, axis=None):
    return np.asarray(np.take(x, indices, axis=axis))


def take_along_axis(x, indices, axis=None):
    x, indices = np.asarray(x), np.asarray(indices)
    if axis is None:
        return np.take_along_axis(x.reshape(-1), indices.reshape(-1), axis=0)
    axis %= max(x.ndim, 1)
    shape = np.broadcast_shapes(
        x.shape[:axis] + (1,) + x.shape[axis + 1 :],
        indices.shape[:axis] + (1,) + indices.shape[axis + 1 :],
    )
    x = np.broadcast_to(x, shape[:axis] + (x.shape[axis],) + shape[axis + 1 :])
    indices = np.broadcast_to(indices, shape[:axis] + (indices.shape[axis],) + shape[axis + 1 :])
    return np.take_along_axis(x, indices, axis=axis)


def unravel_index(indices, shape):
    return tuple(a.astype(_INDEX) for a in np.unravel_index(indices, shape))


def nonzero(x):
    return tuple(a.astype(_INDEX) for a in np.nonzero(x))


def sort(x, axis=-1):
    x = np.asarray(x)
    if axis is None:
        return np.sort(x.reshape(-1))
    return np.sort(x, axis=axis, kind="stable")


def argsort(x, axis=-1):
    x = np.asarray(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return np.argsort(x, axis=axis, kind="stable").astype(_INDEX)


def searchsorted(sorted_sequence, values, side="left"):
    sorted_sequence, values = np.asarray(sorted_sequence), np.asarray(values)
    if sorted_sequence.ndim != 1:
        raise ValueError(f"sorted_sequence must be 1-D, got shape {sorted_sequence.shape}")
    dtype = result_type(dtype_of(sorted_sequence), dtype_of(values))
    out = np.searchsorted(sorted_sequence.astype(dtype), values.astype(dtype), side=side)
    return np.asarray(out, dtype=_INDEX)


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
    x = np.asarray(x)
    values, index, inverse, counts = np.unique(
        x, return_index=True, return_inverse=True, return_counts=True, axis=axis
    )
    if axis is None:
        inverse = inverse.reshape(x.shape)
    else:
        inverse = inverse.reshape(-1)
    if size is not None:
        values, index, counts = _fixed_size(values, index, counts, size, fill_value, axis)
    flags = (return_index, return_inverse, return_counts)
    return _unique_result(values, index, inverse, counts, flags, _as_index)


def _fixed_size(values, index, counts, size, fill_value, axis):
    found = index.shape[0]
    if found >= size:
        keep = slice(0, size)
        cut = values[keep] if axis is None else np.take(values, np.arange(size), axis=axis)
        return cut, index[keep], counts[keep]
    extra = size - found
    axis_ = 0 if axis is None else axis
    if fill_value is None:
        filler = np.take(values, [0] * extra, axis=axis_)
    else:
        shape = list(values.shape)
        shape[axis_] = extra
        filler = np.full(shape, fill_value, dtype=values.dtype)
    values = np.concatenate([values, filler], axis=axis_)
    index = np.concatenate([index, np.full(extra, index[0] if found else 0, index.dtype)])
    counts = np.concatenate([counts, np.zeros(extra, counts.dtype)])
    return values, index, counts


def isin(x1, x2, assume_unique=False, invert=False):
    x1, x2 = np.asarray(x1), np.asarray(x2)
    dtype = result_type(dtype_of(x1), dtype_of(x2))
    return np.isin(x1.astype(dtype), x2.astype(dtype), assume_unique=assume_unique, invert=invert)
