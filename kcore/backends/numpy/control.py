"""Core ops: casts, slicing and scattering, control flow and gradients: this backend's implementations.

The NumPy backend runs control flow as plain Python loops (those of
:mod:`kcore.ops._loops`, which PyTorch shares); as the reference it states
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
from kcore.ops import _loops
from kcore.ops.core import (
    _block_slices,
    _check_index_values,
    _check_indices,
    _check_unstack_num,
    _unknown_reduction,
)
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
    return _block_slices(shape, _ints(start_indices, "start_indices"), sizes, what)


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
    _check_indices(indices.dtype.kind in "iu", indices.dtype, indices.shape, shape)
    _check_index_values(indices, shape)
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
        raise _unknown_reduction(reduction)
    ufunc.at(out, key, updates)
    return out


def unstack(x, num=None, axis=0):
    x = _array(x)
    _check_unstack_num(num, x.shape[axis], axis)
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


_OPS = _loops.ArrayOps(
    tensor=_array,
    cast=lambda value, reference: _array(value).astype(reference.dtype, copy=False),
    item=lambda x, i: x[i, ...],  # a 0-d array, where x[i] would give a NumPy scalar
    zeros_item=lambda x: np.zeros(x.shape[1:], x.dtype),
    stack=np.stack,
    empty=lambda y: np.zeros((0, *y.shape), y.dtype),
)


def cond(pred, true_fn, false_fn):
    return _loops.cond(_OPS, pred, true_fn, false_fn)


def switch(index, branches, *operands):
    return _loops.switch(_OPS, index, branches, operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    return _loops.while_loop(_OPS, cond, body, loop_vars, maximum_iterations)


def fori_loop(lower, upper, body_fun, init_val):
    return _loops.fori_loop(_OPS, lower, upper, body_fun, init_val)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    return _loops.scan(_OPS, f, init, xs, length, reverse)


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
        current = _loops.rebuild(elems, [np.take(x, [k], axis=axis) for x in flat])
        results.append(_tree.flatten(_arrays(f(_loops.rebuild(elems, results[-1]), current))))
    columns = [np.concatenate(column, axis=axis) for column in zip(*results)]
    if reverse:
        columns = [np.flip(x, axis) for x in columns]
    return _loops.rebuild(elems, columns)


def map(f, xs):
    return _loops.map(_OPS, f, xs)


def vectorized_map(function, elements):
    return map(function, elements)
