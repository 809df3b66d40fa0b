"""Core ops: casts, slicing and scattering, control flow and gradients: this backend's implementations.

Control flow is TensorFlow's (``tf.cond``, ``tf.switch_case``, ``tf.while_loop``), so
it compiles inside ``tf.function``; ``scan`` and ``map`` loop in Python when running
eagerly (``tf.while_loop`` does the same there) and build a ``tf.while_loop`` over
``tf.TensorArray``s when traced.
"""

from __future__ import annotations

import builtins
import operator

import numpy as np

from kcore import _tree
from kcore.dtypes import saturation_bounds, standardize_dtype
from kcore.keras_tensor import any_symbolic
from kcore.ops.core import _call_grad_fn
from kcore_tf.ops import convert_to_tensor, tf

_range = builtins.range
_Tensor = tf.Tensor


def _tensor(x):
    if x is None or isinstance(x, _Tensor):
        return x
    return convert_to_tensor(x)


def _tensors(structure):
    return _tree.map_structure(_tensor, structure)


def _rebuild(structure, leaves):
    it = iter(leaves)
    return _tree.map_structure(lambda _: next(it), structure)


# -- casts ----------------------------------------------------------------------------


def cast(x, dtype):
    x = _tensor(x)
    dtype = tf.as_dtype(standardize_dtype(dtype))
    return x if x.dtype == dtype else tf.cast(x, dtype)


def saturate_cast(x, dtype):
    x = _tensor(x)
    low, high = saturation_bounds(standardize_dtype(x.dtype), dtype)
    if low is not None:
        x = tf.maximum(x, tf.constant(low, x.dtype))
    if high is not None:
        x = tf.minimum(x, tf.constant(high, x.dtype))
    return cast(x, dtype)


# -- slicing and scattering --------------------------------------------------------------


def _starts(start_indices, shape, sizes, what):
    """The block's start, clamped inside ``shape``: Python ints when they are known,
    else an int32 tensor."""
    sizes = [operator.index(s) for s in sizes]
    rank = len(shape)
    if isinstance(start_indices, list | tuple) and all(
        type(s) is int or isinstance(s, np.integer) for s in start_indices
    ):
        starts = [int(s) for s in start_indices]
        count = len(starts)
    else:
        starts = tf.cast(_tensor(start_indices), tf.int32)
        if starts.shape.rank != 1:
            raise ValueError(f"start_indices must be 1-D, got shape {starts.shape}")
        count = starts.shape[0]
    if count != rank or len(sizes) != rank:
        raise ValueError(
            f"start_indices and {what} need one entry per dimension of inputs ({rank}), "
            f"got {count} and {len(sizes)}"
        )
    for size, dim in zip(sizes, shape):
        if dim is not None and not 0 <= size <= dim:
            raise ValueError(f"{what} {tuple(sizes)} does not fit in inputs of shape {shape}")
    if isinstance(starts, list):
        if None not in shape:
            return [min(max(s, 0), d - z) for s, d, z in zip(starts, shape, sizes)], sizes
        starts = tf.constant(starts, tf.int32)
    return starts, sizes


def _clamped(starts, inputs, sizes):
    if isinstance(starts, list):
        return starts
    limits = tf.shape(inputs, out_type=tf.int32) - tf.constant(sizes, tf.int32)
    return tf.clip_by_value(tf.cast(starts, tf.int32), 0, limits)


def slice(inputs, start_indices, shape):
    inputs = _tensor(inputs)
    starts, sizes = _starts(start_indices, tuple(inputs.shape), shape, "shape")
    return tf.slice(inputs, _clamped(starts, inputs, sizes), sizes)


def slice_update(inputs, start_indices, updates):
    inputs, updates = _tensor(inputs), _tensor(updates)
    if updates.shape.rank != inputs.shape.rank:
        raise ValueError(
            f"updates of rank {inputs.shape.rank} (that of inputs), got {updates.shape.rank}"
        )
    updates = tf.cast(updates, inputs.dtype)
    sizes = tuple(updates.shape)
    starts, sizes = _starts(start_indices, tuple(inputs.shape), sizes, "updates' shape")
    if not sizes:
        return updates
    starts = _clamped(starts, inputs, sizes)
    # Every position of the block, as indices for tensor_scatter_nd_update.
    ranges = [starts[i] + tf.range(size, dtype=tf.int32) for i, size in enumerate(sizes)]
    grid = tf.stack(tf.meshgrid(*ranges, indexing="ij"), axis=-1)
    return tf.tensor_scatter_nd_update(inputs, grid, updates)


def _indices(indices, shape):
    """``indices`` (``(..., k)`` integers), negatives wrapped, checked in range when
    running eagerly."""
    indices = _tensor(indices)
    if not indices.dtype.is_integer:
        raise TypeError(f"indices must be integers, got dtype {indices.dtype.name}")
    rank = indices.shape.rank
    if (
        rank is None
        or rank < 1
        or (indices.shape[-1] is not None and indices.shape[-1] > len(shape))
    ):
        raise ValueError(
            f"indices of shape (N, k) with k <= {len(shape)}, got shape {indices.shape}"
        )
    indices = tf.cast(indices, tf.int64)
    k = indices.shape[-1]
    dims = tf.constant(shape[:k], tf.int64)
    if tf.executing_eagerly() and indices.shape.num_elements():
        values = indices.numpy().reshape(-1, k)
        limits = np.asarray(shape[:k])
        if (values < -limits).any() or (values >= limits).any():
            raise IndexError(f"an index in indices is out of range for shape {tuple(shape)}")
    return tf.where(indices < 0, indices + dims, indices)


def _broadcast_updates(updates, indices, shape):
    """``updates`` broadcast to ``indices.shape[:-1] + shape[k:]``, as jax and torch do."""
    k = indices.shape[-1]
    wanted = tf.concat(
        [tf.shape(indices, out_type=tf.int64)[:-1], tf.constant(shape[k:], tf.int64)], 0
    )
    return tf.broadcast_to(updates, wanted)


def scatter(indices, values, shape):
    values = _tensor(values)
    shape = tuple(operator.index(d) for d in shape)
    indices = _indices(indices, shape)
    values = _broadcast_updates(values, indices, shape)
    return tf.scatter_nd(indices, values, tf.constant(shape, tf.int64))


def scatter_update(inputs, indices, updates, reduction=None):
    inputs = _tensor(inputs)
    updates = tf.cast(_tensor(updates), inputs.dtype)
    indices = _indices(indices, tuple(inputs.shape))
    updates = _broadcast_updates(updates, indices, tuple(inputs.shape))
    if reduction is None:
        return tf.tensor_scatter_nd_update(inputs, indices, updates)
    if reduction == "add":
        return tf.tensor_scatter_nd_add(inputs, indices, updates)
    if reduction == "max":
        return tf.tensor_scatter_nd_max(inputs, indices, updates)
    if reduction == "min":
        return tf.tensor_scatter_nd_min(inputs, indices, updates)
    if reduction == "mul":
        # No tensor_scatter_nd_mul: multiply the updates per position (segments), then
        # scale those positions of inputs.
        k = indices.shape[-1]
        lead = tuple(inputs.shape[:k])
        rest = tf.shape(inputs)[k:]
        size = int(np.prod(lead))
        linear = tf.zeros_like(indices[..., 0])
        for j, dim in enumerate(lead):
            linear = linear * dim + indices[..., j]
        flat_updates = tf.reshape(updates, tf.concat([[-1], rest], 0))
        factors = tf.math.unsorted_segment_prod(flat_updates, tf.reshape(linear, [-1]), size)
        flat = tf.reshape(inputs, tf.concat([[size], rest], 0))
        return tf.reshape(flat * factors, tf.shape(inputs))
    raise ValueError(f"reduction must be None, 'add', 'mul', 'max' or 'min', got {reduction!r}")


def unstack(x, num=None, axis=0):
    x = _tensor(x)
    size = x.shape[axis]
    if num is not None and size is not None and num != size:
        raise ValueError(f"num={num} differs from the size {size} of axis {axis}")
    return tf.unstack(x, num=num, axis=axis)


def stop_gradient(variable):
    return tf.stop_gradient(_tensor(variable))


def custom_gradient(f):
    def forward(*args, **kwargs):
        if any_symbolic(args, kwargs):
            return f(*args, **kwargs)[0]

        @tf.custom_gradient
        def inner(*tensors):
            output, grad_fn = f(*tensors, **kwargs)

            def grad(*upstream):
                return list(_call_grad_fn(grad_fn, tensors, upstream))

            return output, grad

        return inner(*(_tensor(a) for a in args))

    return forward


# -- control flow ------------------------------------------------------------------------


def cond(pred, true_fn, false_fn):
    if type(pred) is bool:
        return _tensors(true_fn() if pred else false_fn())
    return tf.cond(pred, lambda: _tensors(true_fn()), lambda: _tensors(false_fn()))


def switch(index, branches, *operands):
    last = len(branches) - 1
    if type(index) is int:
        return _tensors(branches[min(max(index, 0), last)](*operands))
    index = tf.clip_by_value(tf.cast(index, tf.int32), 0, last)
    return tf.switch_case(index, [lambda b=b: _tensors(b(*operands)) for b in branches])


def _cast_like(values, reference):
    flat_values, flat_reference = _tree.flatten(values), _tree.flatten(reference)
    if len(flat_values) != len(flat_reference):
        raise ValueError(
            f"the loop body must return the structure of the loop variables, got "
            f"{len(flat_values)} values for {len(flat_reference)} variables"
        )
    return _rebuild(
        reference,
        [
            None if r is None else tf.cast(_tensor(v), r.dtype)
            for v, r in zip(flat_values, flat_reference)
        ],
    )


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    is_tuple = isinstance(loop_vars, list | tuple)
    state = _tensors(tuple(loop_vars) if is_tuple else (loop_vars,))

    def step(*values):
        out = body(*values)
        return _cast_like(tuple(out) if is_tuple else (out,), values)

    state = tf.while_loop(cond, step, state, maximum_iterations=maximum_iterations)
    return tuple(state) if is_tuple else state[0]


def fori_loop(lower, upper, body_fun, init_val):
    init_val = _tensors(init_val)

    def step(i, value):
        return i + 1, _cast_like(body_fun(i, value), value)

    start = tf.cast(_tensor(lower), tf.int32)
    _, value = tf.while_loop(lambda i, value: i < upper, step, (start, init_val))
    return value


def _leading_size(structure):
    leaves = [x for x in _tree.flatten(structure) if x is not None]
    if not leaves:
        return None
    sizes = {x.shape[0] for x in leaves}
    if len(sizes) > 1:
        raise ValueError(f"the tensors to loop over differ in their leading size: {sizes}")
    size = sizes.pop()
    return tf.shape(leaves[0])[0] if size is None else size


def _item(structure, i):
    return _tree.map_structure(lambda x: None if x is None else x[i], structure)


def _zeros_like_item(structure):
    return _tree.map_structure(
        lambda x: None if x is None else tf.zeros(tf.shape(x)[1:], x.dtype), structure
    )


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    carry = _tensors(init)
    xs = _tensors(xs)
    n = _leading_size(xs)
    if n is None:
        if length is None:
            raise ValueError("scan needs xs or length to know how many steps to run")
        n = int(length)
    elif length is not None and isinstance(n, int) and int(length) != n:
        raise ValueError(f"length={length} differs from the leading size {n} of xs")
    if tf.executing_eagerly() and isinstance(n, int):
        return _eager_scan(f, carry, xs, n, reverse)
    return _graph_scan(f, carry, xs, n, reverse)


def _eager_scan(f, carry, xs, n, reverse):
    steps = _range(n - 1, -1, -1) if reverse else _range(n)
    ys = []
    for i in steps:
        new_carry, y = f(carry, None if xs is None else _item(xs, i))
        carry = _cast_like(new_carry, carry)
        ys.append(_tensors(y))
    if reverse:
        ys.reverse()
    if not ys:
        sample = _tensors(f(carry, None if xs is None else _zeros_like_item(xs))[1])
        return carry, _tree.map_structure(
            lambda y: None if y is None else tf.zeros((0, *y.shape), y.dtype), sample
        )
    flat = [_tree.flatten(y) for y in ys]
    return carry, _rebuild(
        ys[0], [None if column[0] is None else tf.stack(column) for column in zip(*flat)]
    )


def _graph_scan(f, carry, xs, n, reverse):
    # The ys' structure and dtypes, from one traced call (its ops are never run).
    sample = _tensors(f(carry, None if xs is None else _item(xs, 0))[1])
    outputs = [y for y in _tree.flatten(sample) if y is not None]
    arrays = [
        tf.TensorArray(y.dtype, size=n, element_shape=y.shape, infer_shape=True) for y in outputs
    ]

    def body(i, carry, arrays):
        index = n - 1 - i if reverse else i
        new_carry, y = f(carry, None if xs is None else _item(xs, index))
        values = [v for v in _tree.flatten(_tensors(y)) if v is not None]
        arrays = [a.write(index, v) for a, v in zip(arrays, values)]
        return i + 1, _cast_like(new_carry, carry), arrays

    _, carry, arrays = tf.while_loop(
        lambda i, carry, arrays: i < n, body, (tf.constant(0), carry, arrays)
    )
    stacked = iter([a.stack() for a in arrays])
    return carry, _tree.map_structure(lambda y: None if y is None else next(stacked), sample)


def _along(x, axis, start, stop=None, step=1):
    index = [builtins.slice(None)] * x.shape.rank
    index[axis] = builtins.slice(start, stop, step)
    return x[tuple(index)]


def _interleave(even, odd, axis):
    """``even[0], odd[0], even[1], odd[1], ...`` along ``axis`` (``even`` may be one longer)."""
    n_even, n_odd = even.shape[axis], odd.shape[axis]
    if n_even > n_odd:
        odd = tf.concat([odd, _along(even, axis, 0, 1)], axis)  # padding, cut below
    both = tf.stack([even, odd], axis=axis + 1)
    shape = tf.shape(both)
    merged = tf.reshape(both, tf.concat([shape[:axis], [-1], shape[axis + 2 :]], 0))
    return _along(merged, axis, 0, n_even + n_odd)


def associative_scan(f, elems, reverse=False, axis=0):
    elems = _tensors(elems)
    flat = _tree.flatten(elems)
    axis = axis % flat[0].shape.rank
    if reverse:
        flat = [tf.reverse(x, [axis]) for x in flat]

    def combine(a, b):
        return [_tensor(r) for r in _tree.flatten(f(_rebuild(elems, a), _rebuild(elems, b)))]

    def parallel(xs):
        # Blelloch's scan: combine neighbours, scan the pairs, fill in the rest.
        n = xs[0].shape[axis]
        if n < 2:
            return xs
        odd = parallel(
            combine(
                [_along(x, axis, 0, -1, 2) for x in xs], [_along(x, axis, 1, None, 2) for x in xs]
            )
        )
        rest = [_along(x, axis, 2, None, 2) for x in xs]
        even = combine([_along(o, axis, 0, -1) for o in odd] if n % 2 == 0 else odd, rest)
        even = [tf.concat([_along(x, axis, 0, 1), e], axis) for x, e in zip(xs, even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    out = parallel(flat)
    if reverse:
        out = [tf.reverse(x, [axis]) for x in out]
    return _rebuild(elems, out)


def map(f, xs):
    return scan(lambda carry, x: (carry, f(x)), (), xs)[1]


def vectorized_map(function, elements):
    return tf.vectorized_map(function, _tensors(elements))
