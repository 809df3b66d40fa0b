"""Core ops: casts, slicing and scattering, control flow and gradients: this backend's implementations.

The NumPy backend runs control flow as plain Python loops; as the reference it states
Keras 3's dtypes: values a callable returns come back as arrays (NumPy hands back
scalars for 0-d results), Python numbers among loop variables become ``int32`` or
floatx arrays.
"""

from __future__ import annotations

import builtins
import operator

import numpy as np

from kcore import _tree
from kcore.backends.numpy.ops import convert_to_tensor
from kcore.dtypes import saturation_bounds, standardize_dtype
from kcore.keras_tensor import any_symbolic
from kcore.variables import Variable

_range = builtins.range


def _array(x):
    """An op argument or a callable's result as an ndarray (None stays None)."""
    if x is None or type(x) is np.ndarray:
        return x
    if isinstance(x, Variable):
        x = x.value
    return convert_to_tensor(x)


def _arrays(structure):
    return _tree.map_structure(_array, structure)


def _ints(values, what):
    if isinstance(values, np.ndarray | Variable) or hasattr(values, "__array__"):
        values = np.asarray(values)
        if values.ndim != 1:
            raise ValueError(f"{what} must be 1-D, got shape {values.shape}")
        if values.dtype.kind not in "iu":
            raise TypeError(f"{what} must hold integers, got dtype {values.dtype}")
        return [int(v) for v in values]
    return [operator.index(v) for v in values]


# -- casts ----------------------------------------------------------------------------


def cast(x, dtype):
    x = _array(x)
    dtype = standardize_dtype(dtype)
    if x.dtype.name == dtype:
        return x
    with np.errstate(invalid="ignore", over="ignore"):  # out of range: backend-defined
        return x.astype(dtype)


def saturate_cast(x, dtype):
    x = _array(x)
    low, high = saturation_bounds(x.dtype.name, dtype)
    if low is not None or high is not None:
        x = np.clip(x, low, high)
    return cast(x, dtype)


# -- slicing and scattering --------------------------------------------------------------


def _block(shape, start_indices, sizes, what):
    """Slices for the block of ``sizes`` at ``start_indices``, clamped inside ``shape``."""
    starts = _ints(start_indices, "start_indices")
    sizes = [operator.index(s) for s in sizes]
    if len(starts) != len(shape) or len(sizes) != len(shape):
        raise ValueError(
            f"start_indices and {what} need one entry per dimension of inputs ({len(shape)}), "
            f"got {len(starts)} and {len(sizes)}"
        )
    slices = []
    for start, size, dim in zip(starts, sizes, shape):
        if not 0 <= size <= dim:
            raise ValueError(f"{what} {tuple(sizes)} does not fit in inputs of shape {shape}")
        start = min(max(start, 0), dim - size)
        slices.append(builtins.slice(start, start + size))
    return tuple(slices)


def slice(inputs, start_indices, shape):
    inputs = _array(inputs)
    return inputs[_block(inputs.shape, start_indices, shape, "shape")].copy()


def slice_update(inputs, start_indices, updates):
    inputs, updates = _array(inputs), _array(updates)
    if updates.ndim != inputs.ndim:
        raise ValueError(f"updates of rank {inputs.ndim} (that of inputs), got {updates.ndim}")
    out = inputs.copy()
    out[_block(inputs.shape, start_indices, updates.shape, "updates' shape")] = updates
    return out


def _index_key(indices, shape):
    """``indices`` (``(..., k)`` integers) as a NumPy index tuple, checked in range."""
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"indices must be integers, got dtype {indices.dtype}")
    if indices.ndim < 1 or indices.shape[-1] > len(shape):
        raise ValueError(
            f"indices of shape (N, k) with k <= {len(shape)}, got shape {indices.shape}"
        )
    for j in _range(indices.shape[-1]):
        column, dim = indices[..., j], shape[j]
        if column.size and (column.min() < -dim or column.max() >= dim):
            raise IndexError(f"an index in indices is out of range for shape {tuple(shape)}")
    return tuple(np.moveaxis(indices, -1, 0))


def scatter(indices, values, shape):
    values = _array(values)
    shape = tuple(operator.index(d) for d in shape)
    out = np.zeros(shape, dtype=values.dtype)
    np.add.at(out, _index_key(indices, shape), values)
    return out


_REDUCTIONS = {
    "add": np.add,
    "mul": np.multiply,
    "max": np.maximum,
    "min": np.minimum,
}


def scatter_update(inputs, indices, updates, reduction=None):
    inputs = _array(inputs)
    updates = _array(updates).astype(inputs.dtype, copy=False)
    key = _index_key(indices, inputs.shape)
    out = inputs.copy()
    if reduction is None:
        out[key] = updates
        return out
    ufunc = _REDUCTIONS.get(reduction)
    if ufunc is None:
        raise ValueError(f"reduction must be None, 'add', 'mul', 'max' or 'min', got {reduction!r}")
    ufunc.at(out, key, updates)
    return out


def unstack(x, num=None, axis=0):
    x = _array(x)
    size = x.shape[axis]
    if num is not None and num != size:
        raise ValueError(f"num={num} differs from the size {size} of axis {axis}")
    return [np.array(part) for part in np.moveaxis(x, axis, 0)]


def stop_gradient(variable):
    return _array(variable)


def custom_gradient(f):
    # No gradients on this backend: the forward value only.
    def forward(*args, **kwargs):
        output = f(*args, **kwargs)[0]
        return output if any_symbolic(args, kwargs) else _arrays(output)

    return forward


# -- control flow ------------------------------------------------------------------------


def cond(pred, true_fn, false_fn):
    return _arrays(true_fn() if bool(pred) else false_fn())


def switch(index, branches, *operands):
    index = min(max(int(index), 0), len(branches) - 1)
    return _arrays(branches[index](*operands))


def _rebuild(structure, leaves):
    """``structure`` with its leaves replaced, in order, by ``leaves``."""
    it = iter(leaves)
    return _tree.map_structure(lambda _: next(it), structure)


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
            None if r is None else _array(v).astype(r.dtype, copy=False)
            for v, r in zip(flat_values, flat_reference)
        ],
    )


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    is_tuple = isinstance(loop_vars, list | tuple)
    state = _arrays(tuple(loop_vars) if is_tuple else (loop_vars,))
    iteration = 0
    while (maximum_iterations is None or iteration < maximum_iterations) and bool(cond(*state)):
        out = body(*state)
        state = _cast_like(tuple(out) if is_tuple else (out,), state)
        iteration += 1
    return state if is_tuple else state[0]


def fori_loop(lower, upper, body_fun, init_val):
    value = _arrays(init_val)
    for i in _range(int(lower), int(upper)):
        value = _cast_like(body_fun(i, value), value)
    return value


def _leading_size(structure):
    sizes = {x.shape[0] for x in _tree.flatten(structure) if x is not None}
    if len(sizes) > 1:
        raise ValueError(f"the arrays to loop over differ in their leading size: {sorted(sizes)}")
    return sizes.pop() if sizes else None


def _item(structure, i):
    return _tree.map_structure(lambda x: None if x is None else x[i, ...], structure)


def _stacked(results, placeholder):
    """Stack a list of result structures leaf by leaf; with none, stack zero copies of
    ``placeholder()`` (a call on zero inputs that gives the result's structure)."""
    if not results:
        sample = _arrays(placeholder())
        return _tree.map_structure(
            lambda y: None if y is None else np.zeros((0, *y.shape), y.dtype), sample
        )
    flat = [_tree.flatten(_arrays(r)) for r in results]
    return _rebuild(
        results[0], [None if column[0] is None else np.stack(column) for column in zip(*flat)]
    )


def _zeros_like_item(structure):
    return _tree.map_structure(
        lambda x: None if x is None else np.zeros(x.shape[1:], x.dtype), structure
    )


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    carry = _arrays(init)
    xs = _arrays(xs)
    n = _leading_size(xs)
    if n is None:
        if length is None:
            raise ValueError("scan needs xs or length to know how many steps to run")
        n = int(length)
    elif length is not None and int(length) != n:
        raise ValueError(f"length={length} differs from the leading size {n} of xs")
    steps = _range(n - 1, -1, -1) if reverse else _range(n)
    ys = []
    for i in steps:
        new_carry, y = f(carry, None if xs is None else _item(xs, i))
        carry = _cast_like(new_carry, carry)
        ys.append(y)
    if reverse:
        ys.reverse()
    return carry, _stacked(ys, lambda: f(carry, None if xs is None else _zeros_like_item(xs))[1])


def associative_scan(f, elems, reverse=False, axis=0):
    elems = _arrays(elems)
    flat = _tree.flatten(elems)
    axis = axis % flat[0].ndim
    if reverse:
        flat = [np.flip(x, axis) for x in flat]
    n = flat[0].shape[axis]

    if n == 0:
        return elems
    results = [[np.take(x, [0], axis=axis) for x in flat]]
    for k in _range(1, n):
        current = _rebuild(elems, [np.take(x, [k], axis=axis) for x in flat])
        results.append(_tree.flatten(_arrays(f(_rebuild(elems, results[-1]), current))))
    columns = [np.concatenate(column, axis=axis) for column in zip(*results)]
    if reverse:
        columns = [np.flip(x, axis) for x in columns]
    return _rebuild(elems, columns)


def map(f, xs):
    xs = _arrays(xs)
    n = _leading_size(xs)
    return _stacked([f(_item(xs, i)) for i in _range(n)], lambda: f(_zeros_like_item(xs)))


def vectorized_map(function, elements):
    return map(function, elements)
