"""Shape manipulation, joining, splitting, indexing and sorting: this backend's implementations.

TensorFlow's own functions differ from NumPy's in places (``tf.unique`` keeps the order
of first appearance, ``tf.bitcast`` adds or removes an axis, ``tf.gather`` refuses
negative indices, ``__getitem__`` takes no index tensors); the functions here give the
NumPy (Keras 3) behaviour, with dynamic shapes where a dimension may be unknown.
"""

from __future__ import annotations

import operator

import numpy as np

from kcore.dtypes import result_type
from kcore.ops.numpy_shapes import _pad_indices, _pad_mode, _pad_widths, _unique_result
from kcore_tf.ops import _tf_dtype, convert_to_tensor, tf

_INDEX = tf.int32


def _promoted(tensors):
    """The tensors cast to their common dtype (Keras 3's promotion)."""
    tensors = [convert_to_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("need at least one tensor")
    first = tensors[0].dtype
    if all(t.dtype is first for t in tensors):
        return tensors
    dtype = tf.as_dtype(result_type(*(t.dtype.name for t in tensors)))
    return [t if t.dtype is dtype else tf.cast(t, dtype) for t in tensors]


def _rank(x):
    rank = x.shape.rank
    if rank is None:
        raise ValueError("this op needs a tensor of known rank")
    return rank


def _axis(axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"axis {axis} is out of range for a tensor of rank {ndim}")
    return axis % ndim if ndim else 0


def _dim(x, axis):
    """The size of ``axis``: an int when known, else a scalar tensor."""
    size = x.shape[axis]
    return size if size is not None else tf.shape(x)[axis]


def _flat(x):
    return tf.reshape(x, [-1])


def concatenate(xs, axis=0):
    xs = _promoted(xs)
    if axis is None:
        return tf.concat([_flat(x) for x in xs], axis=0)
    return tf.concat(xs, axis=axis)


def stack(x, axis=0):
    return tf.stack(_promoted(x), axis=axis)


def split(x, indices_or_sections, axis=0):
    x = convert_to_tensor(x)
    axis = _axis(axis, _rank(x))
    if isinstance(indices_or_sections, int):
        size = x.shape[axis]
        if size is not None and (indices_or_sections <= 0 or size % indices_or_sections):
            raise ValueError(
                f"array split does not result in an equal division: axis of size {size} "
                f"into {indices_or_sections} parts"
            )
        return tf.split(x, indices_or_sections, axis=axis)
    bounds = [None, *(int(i) for i in indices_or_sections), None]
    lead = (slice(None),) * axis
    return [x[(*lead, slice(start, stop))] for start, stop in zip(bounds[:-1], bounds[1:])]


def size(x):
    """An int; a scalar int32 tensor where a dimension is unknown while tracing (a
    KerasTensor's unknown size stays ``None``, as the declaration says)."""
    if tf.is_tensor(x) and not x.shape.is_fully_defined():
        return tf.size(x)
    if None in x.shape:
        return None
    return int(np.prod(x.shape, dtype=np.int64))


def reshape(x, newshape):
    newshape = [newshape] if isinstance(newshape, int) else list(newshape)
    return tf.reshape(x, newshape)


def broadcast_to(x, shape):
    return tf.broadcast_to(x, [shape] if isinstance(shape, int) else list(shape))


def expand_dims(x, axis):
    x = convert_to_tensor(x)
    if isinstance(axis, int):
        return tf.expand_dims(x, axis)
    ndim = _rank(x) + len(axis)
    for a in sorted(_axis(a, ndim) for a in axis):
        x = tf.expand_dims(x, a)
    return x


def squeeze(x, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        return tf.squeeze(x)
    axes = [_axis(a, _rank(x)) for a in ((axis,) if isinstance(axis, int) else axis)]
    for a in axes:
        if x.shape[a] is not None and x.shape[a] != 1:
            raise ValueError(f"cannot squeeze axis {a} of size {x.shape[a]} (not 1)")
    return tf.squeeze(x, axes) if axes else x


def transpose(x, axes=None):
    x = convert_to_tensor(x)
    if axes is None:
        return tf.transpose(x)
    ndim = _rank(x)
    perm = [_axis(a, ndim) for a in axes]
    if sorted(perm) != list(range(ndim)):
        raise ValueError(f"axes {axes} are not a permutation of the axes of a rank-{ndim} tensor")
    return tf.transpose(x, perm)


def moveaxis(x, source, destination):
    x = convert_to_tensor(x)
    ndim = _rank(x)
    source = [_axis(a, ndim) for a in ((source,) if isinstance(source, int) else source)]
    destination = [
        _axis(a, ndim) for a in ((destination,) if isinstance(destination, int) else destination)
    ]
    if len(source) != len(destination):
        raise ValueError("source and destination must name the same number of axes")
    rest = [a for a in range(ndim) if a not in source]
    perm = [None] * ndim
    for s, d in zip(source, destination):
        perm[d] = s
    it = iter(rest)
    perm = [next(it) if p is None else p for p in perm]
    return tf.transpose(x, perm)


def flip(x, axis=None):
    x = convert_to_tensor(x)
    ndim = _rank(x)
    if axis is None:
        axes = list(range(ndim))
    else:
        axes = [_axis(a, ndim) for a in ((axis,) if isinstance(axis, int) else axis)]
    return tf.reverse(x, axes) if axes else x


def repeat(x, repeats, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = _flat(x), 0
    if isinstance(repeats, list | tuple):
        repeats = np.asarray(repeats, dtype=np.int64)
    return tf.repeat(x, repeats, axis=axis)


def tile(x, repeats):
    x = convert_to_tensor(x)
    repeats = [repeats] if isinstance(repeats, int) else [int(r) for r in repeats]
    ndim = _rank(x)
    if len(repeats) < ndim:
        repeats = [1] * (ndim - len(repeats)) + repeats
    elif len(repeats) > ndim:
        x = tf.reshape(x, [1] * (len(repeats) - ndim) + tf.unstack(tf.shape(x), num=ndim))
    return tf.tile(x, repeats)


def roll(x, shift, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        return tf.reshape(tf.roll(_flat(x), shift, axis=0), tf.shape(x))
    return tf.roll(x, shift, axis=axis)


def diagonal(x, offset=0, axis1=0, axis2=1):
    x = convert_to_tensor(x)
    ndim = _rank(x)
    axis1, axis2 = _axis(axis1, ndim), _axis(axis2, ndim)
    if axis1 == axis2:
        raise ValueError("axis1 and axis2 must be different")
    perm = [a for a in range(ndim) if a not in (axis1, axis2)] + [axis1, axis2]
    x = tf.transpose(x, perm)
    rows, cols = x.shape[-2], x.shape[-1]
    if rows is not None and cols is not None and not -rows < offset < cols:
        return tf.zeros(x.shape[:-2] + (0,), x.dtype)  # NumPy: an empty diagonal
    return tf.linalg.diag_part(x, k=offset)


# -- pad -----------------------------------------------------------------------------


def _median(x, axis):
    size = x.shape[axis]
    ordered = tf.sort(x, axis=axis)
    low = tf.gather(ordered, [(size - 1) // 2], axis=axis)
    high = tf.gather(ordered, [size // 2], axis=axis)
    return (low + high) / 2


_STATS = {
    "maximum": lambda t, axis: tf.reduce_max(t, axis=axis, keepdims=True),
    "minimum": lambda t, axis: tf.reduce_min(t, axis=axis, keepdims=True),
    "mean": lambda t, axis: tf.reduce_mean(t, axis=axis, keepdims=True),
    "median": _median,
}


def _repeated(t, axis, count):
    multiples = [1] * _rank(t)
    multiples[axis] = count
    return tf.tile(t, multiples)


def _pad_axis(x, axis, before, after, mode):
    size = x.shape[axis]
    if size is None:
        raise ValueError(f"pad mode {mode!r} needs a known size along axis {axis}")
    if mode in ("edge", "reflect", "symmetric", "wrap"):
        return tf.gather(x, _pad_indices(size, before, after, mode), axis=axis)
    floating = x.dtype.is_floating
    work = x if x.dtype in (tf.float32, tf.float64) else tf.cast(x, tf.float64)
    if mode in _STATS:
        if mode in ("maximum", "minimum"):
            stat = _STATS[mode](x, axis)
        else:
            stat = _STATS[mode](work, axis)
            stat = tf.cast(stat if floating else tf.round(stat), x.dtype)
        return tf.concat([_repeated(stat, axis, before), x, _repeated(stat, axis, after)], axis)
    # linear_ramp: from 0 at the outer edge to the edge value (not included).
    shape = [1] * _rank(x)
    pieces = []
    if before:
        shape[axis] = before
        ramp = tf.reshape(tf.range(before, dtype=work.dtype) / before, shape)
        pieces.append(tf.gather(work, [0], axis=axis) * ramp)
    pieces.append(work)
    if after:
        shape[axis] = after
        ramp = tf.reshape(tf.range(after - 1, -1, -1, dtype=work.dtype) / after, shape)
        pieces.append(tf.gather(work, [size - 1], axis=axis) * ramp)
    out = tf.concat(pieces, axis)
    return tf.cast(out if floating else tf.round(out), x.dtype)


def pad(x, pad_width, mode="constant", constant_values=None):
    x = convert_to_tensor(x)
    mode = _pad_mode(mode, constant_values)
    pairs = _pad_widths(pad_width, _rank(x))
    if mode in ("constant", "empty"):
        value = 0 if constant_values is None else constant_values
        if x.dtype is tf.bool:
            value = bool(value)
        return tf.pad(x, pairs, constant_values=tf.cast(value, x.dtype))
    out = x
    for axis, (before, after) in enumerate(pairs):
        if before or after:
            out = _pad_axis(out, axis, before, after, mode)
    return out


# -- indexing ------------------------------------------------------------------------


def _is_index_array(part):
    return isinstance(part, np.ndarray | list) or tf.is_tensor(part)


def _index_tensor(part):
    if isinstance(part, list):
        part = np.asarray(part)
    return convert_to_tensor(part)


def get_item(x, key):
    x = convert_to_tensor(x)
    parts = list(key) if isinstance(key, tuple) else [key]
    advanced = [i for i, p in enumerate(parts) if _is_index_array(p)]
    if not advanced:
        return x[tuple(parts)]
    if len(advanced) > 1:
        raise ValueError("the tensorflow backend takes one index tensor per key")
    at = advanced[0]
    index = _index_tensor(parts[at])
    consumed = index.shape.rank if index.dtype is tf.bool else 1
    # Index everything else first, the index tensor's axes kept whole.
    ndim = _rank(x)
    used = sum(0 if p is None or p is Ellipsis else 1 for p in parts) - 1 + consumed
    position = 0
    for p in parts[:at]:
        if p is Ellipsis:
            position += ndim - used
        elif p is None or isinstance(p, slice):
            position += 1
    parts[at : at + 1] = [slice(None)] * consumed
    x = x[tuple(parts)]
    if index.dtype is tf.bool:
        return tf.boolean_mask(x, index, axis=position)
    index = tf.cast(index, tf.int64) if index.dtype not in (tf.int32, tf.int64) else index
    size = tf.cast(_dim(x, position), index.dtype)
    index = tf.where(index < 0, index + size, index)
    return tf.gather(x, index, axis=position)


def view(x, dtype=None):
    x = convert_to_tensor(x)
    if dtype is None:
        return x
    target = _tf_dtype(dtype)
    if x.dtype is tf.bool:
        x = tf.cast(x, tf.uint8)
    to_bool = target is tf.bool
    if to_bool:
        target = tf.uint8
    old, new = x.dtype.size, target.size
    if old == new:
        out = tf.bitcast(x, target)
    elif old > new:  # each element becomes several: bitcast adds an axis, merge it
        out = tf.bitcast(x, target)
        shape = tf.shape(out)
        out = tf.reshape(out, tf.concat([shape[:-2], [shape[-2] * shape[-1]]], 0))
    else:
        if _rank(x) == 0:
            raise ValueError("a scalar can only be viewed as a dtype of the same size")
        ratio = new // old
        last = x.shape[-1]
        if last is not None and last % ratio:
            raise ValueError(f"the last axis ({last} x {old} bytes) does not fit {target.name}")
        shape = tf.shape(x)
        x = tf.reshape(x, tf.concat([shape[:-1], [shape[-1] // ratio, ratio]], 0))
        out = tf.bitcast(x, target)
    return tf.cast(out, tf.bool) if to_bool else out


def _indices(indices, size):
    """``indices`` as an int tensor, negative ones counted from the end."""
    if isinstance(indices, list | tuple):
        indices = np.asarray(indices)
    indices = convert_to_tensor(indices)
    if indices.dtype not in (tf.int32, tf.int64):
        indices = tf.cast(indices, tf.int64)
    size = tf.cast(size, indices.dtype)
    return tf.where(indices < 0, indices + size, indices)


def take(x, indices, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = _flat(x), 0
    axis = _axis(axis, _rank(x))
    if isinstance(indices, int) and indices < 0:  # gather takes no negative indices
        size = x.shape[axis]
        indices = indices + size if size is not None else indices + tf.shape(x)[axis]
    elif not isinstance(indices, int):
        indices = _indices(indices, _dim(x, axis))
    return tf.gather(x, indices, axis=axis)


def take_along_axis(x, indices, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = _flat(x), 0
        indices = tf.reshape(convert_to_tensor(indices), [-1])
    ndim = _rank(x)
    axis = _axis(axis, ndim)
    indices = _indices(indices, _dim(x, axis))
    if _rank(indices) != ndim:
        raise ValueError("indices must have the rank of x")
    # Move the axis last, broadcast the other axes together, gather per batch.
    perm = [a for a in range(ndim) if a != axis] + [axis]
    x, indices = tf.transpose(x, perm), tf.transpose(indices, perm)
    batch = tf.broadcast_dynamic_shape(tf.shape(x)[:-1], tf.shape(indices)[:-1])
    x = tf.broadcast_to(x, tf.concat([batch, tf.shape(x)[-1:]], 0))
    indices = tf.broadcast_to(indices, tf.concat([batch, tf.shape(indices)[-1:]], 0))
    out = tf.gather(x, indices, axis=ndim - 1, batch_dims=ndim - 1)
    inverse = [perm.index(a) for a in range(ndim)]
    return tf.transpose(out, inverse)


def unravel_index(indices, shape):
    indices = convert_to_tensor(indices)
    coords = []
    for size in reversed(tuple(shape)):
        coords.append(tf.cast(tf.math.floormod(indices, size), _INDEX))
        indices = tf.math.floordiv(indices, size)
    return tuple(reversed(coords))


def nonzero(x):
    x = convert_to_tensor(x)
    mask = x if x.dtype is tf.bool else tf.not_equal(x, tf.zeros((), x.dtype))
    where = tf.cast(tf.where(mask), _INDEX)
    return tuple(where[:, i] for i in range(_rank(x)))


_SORTABLE = {tf.bool: tf.uint8}


def _sortable(x):
    """``x`` in a dtype the sort kernels take, and the dtype to come back to."""
    x = convert_to_tensor(x)
    wider = _SORTABLE.get(x.dtype)
    return (x, None) if wider is None else (tf.cast(x, wider), x.dtype)


def sort(x, axis=-1):
    x, back = _sortable(x)
    if axis is None:
        x, axis = _flat(x), 0
    out = x if _rank(x) == 0 else tf.sort(x, axis=axis)
    return out if back is None else tf.cast(out, back)


def argsort(x, axis=-1):
    x, _ = _sortable(x)
    if axis is None:
        x, axis = _flat(x), 0
    if _rank(x) == 0:
        return tf.zeros((), _INDEX)
    return tf.cast(tf.argsort(x, axis=axis, stable=True), _INDEX)


def searchsorted(sorted_sequence, values, side="left"):
    sorted_sequence = convert_to_tensor(sorted_sequence)
    if _rank(sorted_sequence) != 1:
        raise ValueError(f"sorted_sequence must be 1-D, got shape {sorted_sequence.shape}")
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    sorted_sequence, values = _promoted([sorted_sequence, values])
    if sorted_sequence.dtype is tf.bool:
        sorted_sequence, values = tf.cast(sorted_sequence, tf.uint8), tf.cast(values, tf.uint8)
    out = tf.searchsorted(
        sorted_sequence[None, :], tf.reshape(values, [1, -1]), side=side, out_type=_INDEX
    )
    return tf.reshape(out, tf.shape(values))


def _lexsort_rows(rows):
    """The permutation sorting the rows of a 2-D tensor lexicographically."""
    order = tf.range(tf.shape(rows)[0])
    for column in reversed(range(rows.shape[1])):
        keys = tf.gather(rows[:, column], order)
        order = tf.gather(order, tf.argsort(keys, stable=True))
    return order


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
    x, back = _sortable(x)
    if axis is None:
        flat = _flat(x)
        found_values, first_seen = tf.unique(flat, out_idx=tf.int32)
        order = tf.argsort(found_values, stable=True)
        values = tf.gather(found_values, order)
        moved = flat
        axis_ = 0
    else:
        axis_ = _axis(axis, _rank(x))
        perm = [axis_] + [a for a in range(_rank(x)) if a != axis_]
        moved = tf.transpose(x, perm)
        rows = tf.reshape(moved, [tf.shape(moved)[0], -1])
        found_rows, first_seen = tf.raw_ops.UniqueV2(x=rows, axis=[0], out_idx=tf.int32)
        order = _lexsort_rows(found_rows)
        values = tf.gather(tf.reshape(found_rows, tf.concat([[-1], tf.shape(moved)[1:]], 0)), order)
        inverse_perm = [perm.index(a) for a in range(len(perm))]
        values = tf.transpose(values, inverse_perm)
    found = tf.shape(order)[0]
    rank_of = tf.math.invert_permutation(order)  # position of each found value in sorted
    inverse = tf.gather(rank_of, first_seen)
    n = tf.shape(moved)[0]
    counts = tf.math.unsorted_segment_sum(tf.ones([n], _INDEX), inverse, found)
    index = tf.math.unsorted_segment_min(tf.range(n), inverse, found)
    if axis is None:
        inverse = tf.reshape(inverse, tf.shape(x))
    if size is not None:
        values, index, counts = _fixed_size(values, index, counts, size, fill_value, axis_)
    if back is not None:
        values = tf.cast(values, back)
    flags = (return_index, return_inverse, return_counts)
    return _unique_result(values, index, inverse, counts, flags)


def _fixed_size(values, index, counts, size, fill_value, axis):
    found = tf.shape(index)[0]
    extra = tf.maximum(size - found, 0)
    if fill_value is None:
        filler = tf.gather(values, tf.zeros([extra], tf.int32), axis=axis)
    else:
        shape = tf.tensor_scatter_nd_update(tf.shape(values), [[axis]], [extra])
        filler = tf.fill(shape, tf.cast(fill_value, values.dtype))
    values = tf.concat([values, filler], axis)
    values = tf.gather(values, tf.range(size), axis=axis)
    first = tf.gather(tf.concat([index, [0]], 0), tf.zeros([extra], tf.int32))
    index = tf.concat([index, first], 0)[:size]
    counts = tf.concat([counts, tf.zeros([extra], counts.dtype)], 0)[:size]
    return values, index, counts


def isin(x1, x2, assume_unique=False, invert=False):
    x1, x2 = _promoted([x1, x2])
    found = tf.reduce_any(tf.equal(tf.expand_dims(x1, -1), tf.reshape(x2, [-1])), axis=-1)
    return tf.logical_not(found) if invert else found


# Native versions of composites, one framework call instead of several.
def ravel(x):
    return tf.reshape(x, [-1])
