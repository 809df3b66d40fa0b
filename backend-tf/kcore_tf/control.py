"""Core ops: casts, slicing and scattering, control flow and gradients: this backend's implementations.

Control flow is TensorFlow's (``tf.cond``, ``tf.switch_case``, ``tf.while_loop``), so
it compiles inside ``tf.function``; ``scan`` and ``map`` loop in Python when running
eagerly (with :mod:`kcore.ops._loops`; ``tf.while_loop`` does the same there) and
build a ``tf.while_loop`` over ``tf.TensorArray``s when traced.
"""

from __future__ import annotations

import operator

import numpy as np

from kcore import _tree
from kcore.dtypes import saturation_bounds, standardize_dtype
from kcore.keras_tensor import any_symbolic
from kcore.ops import _loops
from kcore.ops.core import (
    _call_grad_fn,
    _check_index_values,
    _check_indices,
    _check_unstack_num,
    _checked_block,
    _clamped_starts,
    _unknown_reduction,
)
from kcore_tf.ops import convert_to_tensor, tf

_Tensor = tf.Tensor


def _tensor(x):
    if x is None or isinstance(x, _Tensor):
        return x
    return convert_to_tensor(x)


def _tensors(structure):
    return _tree.map_structure(_tensor, structure)


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
    sizes = _checked_block(shape, count, sizes, what)
    if isinstance(starts, list):
        if None not in shape:
            return _clamped_starts(starts, shape, sizes), sizes
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
    known_rank = indices.shape.rank is not None
    _check_indices(
        indices.dtype.is_integer,
        indices.dtype.name,
        tuple(indices.shape) if known_rank else None,
        shape,
    )
    indices = tf.cast(indices, tf.int64)
    k = indices.shape[-1]
    dims = tf.constant(shape[:k], tf.int64)
    if tf.executing_eagerly():
        _check_index_values(indices.numpy(), shape)
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
    raise _unknown_reduction(reduction)


def unstack(x, num=None, axis=0):
    x = _tensor(x)
    _check_unstack_num(num, x.shape[axis], axis)
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
    if type(index) is int:
        return _tensors(branches[_loops.branch_index(index, len(branches))](*operands))
    index = tf.clip_by_value(tf.cast(index, tf.int32), 0, len(branches) - 1)
    return tf.switch_case(index, [lambda b=b: _tensors(b(*operands)) for b in branches])


def _alternate(a, b, axis):
    both = tf.stack([a, b], axis=axis + 1)
    shape = tf.shape(both)
    return tf.reshape(both, tf.concat([shape[:axis], [-1], shape[axis + 2 :]], 0))


_OPS = _loops.ArrayOps(
    tensor=_tensor,
    cast=lambda value, reference: tf.cast(_tensor(value), reference.dtype),
    item=lambda x, i: x[i],
    zeros_item=lambda x: tf.zeros(tf.shape(x)[1:], x.dtype),
    stack=tf.stack,
    empty=lambda y: tf.zeros((0, *y.shape), y.dtype),
    flip=lambda x, axis: tf.reverse(x, [axis]),
    concat=tf.concat,
    alternate=_alternate,
)


def _cast_like(values, reference):
    return _loops.cast_like(_OPS, values, reference)


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


def _leading_size(leaves):
    """The leading size of the tensors ``leaves``: an int, a scalar tensor when it is
    known only when run, ``None`` when there are no tensors."""
    size = _loops.leading_size(leaves)
    return tf.shape(leaves[0])[0] if size is None and leaves else size


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    carry = _tensors(init)
    xs = _tensors(xs)
    n = _leading_size([x for x in _tree.flatten(xs) if x is not None])
    if not tf.is_tensor(n):  # a size known only when run is not checked against length
        n = _loops.scan_steps(n, length)
    if tf.executing_eagerly() and isinstance(n, int):
        return _loops.run_scan(_OPS, f, carry, xs, n, reverse)
    return _graph_scan(f, carry, xs, n, reverse)


def _graph_scan(f, carry, xs, n, reverse):
    # The ys' structure and dtypes, from one traced call (its ops are never run).
    sample = _tensors(f(carry, None if xs is None else _loops.item(_OPS, xs, 0))[1])
    outputs = [y for y in _tree.flatten(sample) if y is not None]
    arrays = [
        tf.TensorArray(y.dtype, size=n, element_shape=y.shape, infer_shape=True) for y in outputs
    ]

    def body(i, carry, arrays):
        index = n - 1 - i if reverse else i
        new_carry, y = f(carry, None if xs is None else _loops.item(_OPS, xs, index))
        values = [v for v in _tree.flatten(_tensors(y)) if v is not None]
        arrays = [a.write(index, v) for a, v in zip(arrays, values)]
        return i + 1, _cast_like(new_carry, carry), arrays

    _, carry, arrays = tf.while_loop(
        lambda i, carry, arrays: i < n, body, (tf.constant(0), carry, arrays)
    )
    stacked = iter([a.stack() for a in arrays])
    return carry, _tree.map_structure(lambda y: None if y is None else next(stacked), sample)


def associative_scan(f, elems, reverse=False, axis=0):
    return _loops.associative_scan(_OPS, f, elems, reverse, axis)


def map(f, xs):
    return scan(lambda carry, x: (carry, f(x)), (), xs)[1]


def vectorized_map(function, elements):
    return tf.vectorized_map(function, _tensors(elements))
