"""Shape manipulation, joining, splitting, indexing and sorting: this backend's implementations."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from kcore.dtypes import standardize_dtype
from kcore.ops.numpy_shapes import _pad_indices, _pad_mode, _pad_widths, _unique_result

_INDEX = jnp.int32


def _as_index(a):
    return a.astype(_INDEX)


def _arrays(xs):
    # Python lists among the tensors (jnp refuses them), each converted on its own.
    return [jnp.asarray(x) if isinstance(x, list | tuple) else x for x in xs]


def concatenate(xs, axis=0):
    try:
        return jnp.concatenate(xs, axis=axis)
    except TypeError:
        return jnp.concatenate(_arrays(xs), axis=axis)


def stack(x, axis=0):
    try:
        return jnp.stack(x, axis=axis)
    except TypeError:
        return jnp.stack(_arrays(x), axis=axis)


def split(x, indices_or_sections, axis=0):
    return jnp.split(x, indices_or_sections, axis=axis)


reshape = jnp.reshape
broadcast_to = jnp.broadcast_to
expand_dims = jnp.expand_dims
squeeze = jnp.squeeze
transpose = jnp.transpose
moveaxis = jnp.moveaxis
flip = jnp.flip
tile = jnp.tile
roll = jnp.roll
diagonal = jnp.diagonal


def pad(x, pad_width, mode="constant", constant_values=None):
    x = jnp.asarray(x)
    mode = _pad_mode(mode, constant_values)
    pairs = _pad_widths(pad_width, x.ndim)
    if mode == "constant":
        value = 0 if constant_values is None else constant_values
        return jnp.pad(x, pairs, constant_values=value)
    if mode == "empty":  # unspecified values: zeros, as on the other backends
        return jnp.pad(x, pairs)
    if mode in ("edge", "reflect", "symmetric", "wrap"):
        out = x
        for axis, (before, after) in enumerate(pairs):
            if before or after:
                out = jnp.take(out, _pad_indices(out.shape[axis], before, after, mode), axis=axis)
        return out
    return jnp.pad(x, pairs, mode=mode).astype(x.dtype)


def get_item(x, key):
    return jnp.asarray(x)[key]


def view(x, dtype=None):
    x = jnp.asarray(x)
    if dtype is None:
        return x
    return x.view(standardize_dtype(dtype))


def take(x, indices, axis=None):
    if isinstance(indices, list | tuple):  # jnp.take refuses Python sequences
        indices = np.asarray(indices)
    return jnp.take(x, indices, axis=axis)


def repeat(x, repeats, axis=None):
    if isinstance(repeats, list | tuple):  # concrete counts keep the result shape static
        repeats = np.asarray(repeats)
    return jnp.repeat(x, repeats, axis=axis)


def take_along_axis(x, indices, axis=None):
    x, indices = jnp.asarray(x), jnp.asarray(indices)
    if axis is None:
        return jnp.take_along_axis(x.reshape(-1), indices.reshape(-1), axis=0)
    return jnp.take_along_axis(x, indices, axis=axis)


def unravel_index(indices, shape):
    return tuple(a.astype(_INDEX) for a in jnp.unravel_index(jnp.asarray(indices), shape))


def nonzero(x):
    return tuple(a.astype(_INDEX) for a in jnp.nonzero(x))


def sort(x, axis=-1):
    return jnp.sort(x, axis=axis, stable=True)


def argsort(x, axis=-1):
    return jnp.argsort(x, axis=axis, stable=True).astype(_INDEX)


def searchsorted(sorted_sequence, values, side="left"):
    sorted_sequence = jnp.asarray(sorted_sequence)
    if sorted_sequence.ndim != 1:
        raise ValueError(f"sorted_sequence must be 1-D, got shape {sorted_sequence.shape}")
    return jnp.searchsorted(sorted_sequence, values, side=side).astype(_INDEX)


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
    x = jnp.asarray(x)
    if size is None:
        values, index, inverse, counts = jnp.unique(
            x, return_index=True, return_inverse=True, return_counts=True, axis=axis
        )
    else:
        values, index, inverse, counts = jnp.unique(
            x,
            return_index=True,
            return_inverse=True,
            return_counts=True,
            axis=axis,
            size=size,
            fill_value=fill_value,
        )
    inverse = inverse.reshape(x.shape if axis is None else (-1,))
    flags = (return_index, return_inverse, return_counts)
    return _unique_result(values, index, inverse, counts, flags, _as_index)


def isin(x1, x2, assume_unique=False, invert=False):
    return jnp.isin(x1, x2, assume_unique=assume_unique, invert=invert)


# Native versions of composites, one framework call instead of several.
ravel = jnp.ravel
swapaxes = jnp.swapaxes
