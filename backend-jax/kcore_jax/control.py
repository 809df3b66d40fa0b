"""Core ops: casts, slicing and scattering, control flow and gradients: this backend's implementations.

Control flow is ``jax.lax``'s, so it compiles under ``jax.jit``. One addition: a
``while_loop`` differentiated outside ``jax.jit`` (``jax.grad`` of eager code) runs
as a Python loop, which reverse-mode differentiation can go through, where
``lax.while_loop`` cannot.
"""

from __future__ import annotations

import builtins
import operator

import jax
import jax.numpy as jnp
import numpy as np

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
from kcore_jax.ops import convert_to_tensor

_lax = jax.lax
_Array = jax.Array
_Tracer = jax.core.Tracer


def _array(x):
    if x is None or isinstance(x, _Array):
        return x
    return convert_to_tensor(x)


def _arrays(structure):
    return jax.tree.map(_array, structure, is_leaf=lambda x: x is None)


# -- casts ----------------------------------------------------------------------------


def cast(x, dtype):
    x = _array(x)
    dtype = standardize_dtype(dtype)
    return x if x.dtype == dtype else x.astype(dtype)


def saturate_cast(x, dtype):
    x = _array(x)
    low, high = saturation_bounds(standardize_dtype(x.dtype), dtype)
    if low is not None or high is not None:
        x = jnp.clip(x, low, high)
    return cast(x, dtype)


# -- slicing and scattering --------------------------------------------------------------


def _starts(start_indices, ndim):
    if isinstance(start_indices, list | tuple):
        starts = list(start_indices)
    else:
        start_indices = _array(start_indices)
        if start_indices.ndim != 1 or not jnp.issubdtype(start_indices.dtype, jnp.integer):
            raise ValueError(
                f"start_indices must be a 1-D integer tensor, got shape {start_indices.shape} "
                f"and dtype {start_indices.dtype}"
            )
        starts = [start_indices[i] for i in builtins.range(start_indices.shape[0])]
    if len(starts) != ndim:
        raise ValueError(f"start_indices needs {ndim} entries, got {len(starts)}")
    return starts


def slice(inputs, start_indices, shape):
    inputs = _array(inputs)
    sizes = tuple(operator.index(d) for d in shape)
    starts = _starts(start_indices, inputs.ndim)
    if all(type(s) is int for s in starts) and len(sizes) == inputs.ndim:
        # Known starts: a static slice (clamped as dynamic_slice would) is cheaper.
        _checked_block(inputs.shape, len(starts), sizes, "shape")
        starts = _clamped_starts(starts, inputs.shape, sizes)
        return _lax.slice(inputs, starts, [s + z for s, z in zip(starts, sizes)])
    return _lax.dynamic_slice(inputs, starts, sizes)


def slice_update(inputs, start_indices, updates):
    inputs = _array(inputs)
    updates = _array(updates).astype(inputs.dtype)
    return _lax.dynamic_update_slice(inputs, updates, _starts(start_indices, inputs.ndim))


def _index_key(indices, shape):
    """``indices`` (``(..., k)`` integers) as an index tuple; checked to be in range
    whenever the values are known (outside jax.jit)."""
    indices = _array(indices)
    integral = jnp.issubdtype(indices.dtype, jnp.integer)
    _check_indices(integral, indices.dtype, indices.shape, shape)
    if not isinstance(indices, _Tracer) and indices.size:
        _check_index_values(np.asarray(indices), shape)
    return tuple(jnp.moveaxis(indices, -1, 0))


def scatter(indices, values, shape):
    values = _array(values)
    shape = tuple(operator.index(d) for d in shape)
    return jnp.zeros(shape, values.dtype).at[_index_key(indices, shape)].add(values)


def scatter_update(inputs, indices, updates, reduction=None):
    inputs = _array(inputs)
    updates = _array(updates).astype(inputs.dtype)
    at = inputs.at[_index_key(indices, inputs.shape)]
    if reduction is None:
        return at.set(updates)
    if reduction == "add":
        return at.add(updates)
    if reduction == "mul":
        return at.multiply(updates)
    if reduction == "max":
        return at.max(updates)
    if reduction == "min":
        return at.min(updates)
    raise _unknown_reduction(reduction)


def unstack(x, num=None, axis=0):
    x = _array(x)
    size = x.shape[axis]
    _check_unstack_num(num, size, axis)
    return [jnp.squeeze(part, axis) for part in jnp.split(x, size, axis=axis)]


def stop_gradient(variable):
    return _lax.stop_gradient(_array(variable))


def custom_gradient(f):
    def forward(*args, **kwargs):
        if any_symbolic(args, kwargs):
            return f(*args, **kwargs)[0]

        @jax.custom_gradient
        def inner(*tensors):
            output, grad_fn = f(*tensors, **kwargs)

            def vjp(upstream):
                flat = tuple(jax.tree.leaves(upstream))
                return _call_grad_fn(grad_fn, tensors, flat)

            return output, vjp

        return inner(*(_array(a) for a in args))

    return forward


# -- control flow ------------------------------------------------------------------------


def cond(pred, true_fn, false_fn):
    if type(pred) is bool:  # known now: run one branch, as Python would
        return _arrays(true_fn() if pred else false_fn())
    return _lax.cond(pred, lambda: _arrays(true_fn()), lambda: _arrays(false_fn()))


def switch(index, branches, *operands):
    if type(index) is int:
        return _arrays(branches[_loops.branch_index(index, len(branches))](*operands))
    wrapped = [lambda *a, b=b: _arrays(b(*a)) for b in branches]
    return _lax.switch(index, wrapped, *operands)


def _cast_like(values, reference):
    """A loop body's ``values`` as arrays of the loop variables' (``reference``) dtypes."""
    return jax.tree.map(lambda new, old: _array(new).astype(old.dtype), values, reference)


def _differentiated(leaves):
    # Tracers of jax.grad / jax.vjp outside jax.jit still hold their values.
    return any(isinstance(x, _Tracer) for x in leaves)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    is_tuple = isinstance(loop_vars, list | tuple)
    state = _arrays(tuple(loop_vars) if is_tuple else (loop_vars,))

    def step(values):
        out = body(*values)
        return _cast_like(tuple(out) if is_tuple else (out,), values)

    if _differentiated(jax.tree.leaves(state)):
        try:
            return _python_while(cond, step, state, maximum_iterations, is_tuple)
        except jax.errors.ConcretizationTypeError:
            pass  # under jax.jit: the values are abstract, use lax.while_loop
    if maximum_iterations is None:
        state = _lax.while_loop(lambda values: cond(*values), step, state)
    else:
        limit = int(maximum_iterations)

        def bounded(carry):
            i, values = carry
            return jnp.logical_and(i < limit, cond(*values))

        _, state = _lax.while_loop(
            bounded, lambda carry: (carry[0] + 1, step(carry[1])), (jnp.int32(0), state)
        )
    return state if is_tuple else state[0]


def _python_while(cond, step, state, maximum_iterations, is_tuple):
    state = _loops.run_while(cond, step, state, maximum_iterations)
    return state if is_tuple else state[0]


def fori_loop(lower, upper, body_fun, init_val):
    init_val = _arrays(init_val)

    def step(i, value):
        return _cast_like(body_fun(i, value), value)

    return _lax.fori_loop(lower, upper, step, init_val)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    init = _arrays(init)

    def step(carry, x):
        new_carry, y = f(carry, x)
        return _cast_like(new_carry, carry), _arrays(y)

    return _lax.scan(step, init, _arrays(xs), length=length, reverse=reverse, unroll=unroll)


def associative_scan(f, elems, reverse=False, axis=0):
    elems = _arrays(elems)
    axis = axis % jax.tree.leaves(elems)[0].ndim  # lax wants it non-negative with reverse
    return _lax.associative_scan(f, elems, reverse=reverse, axis=axis)


def map(f, xs):
    return _lax.map(lambda x: _arrays(f(x)), _arrays(xs))


def vectorized_map(function, elements):
    return jax.vmap(function)(_arrays(elements))
