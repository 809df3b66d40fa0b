"""Core ops: casts, slicing and scattering, control flow and gradients: this backend's implementations.

PyTorch runs eagerly, so control flow is Python's (the loops of
:mod:`kcore.ops._loops`, which NumPy shares; autograd records whatever runs);
``vectorized_map`` is ``torch.vmap`` and ``custom_gradient`` a
``torch.autograd.Function``.
"""

from __future__ import annotations

import operator

import torch

from kcore import _tree
from kcore.dtypes import saturation_bounds
from kcore.keras_tensor import any_symbolic
from kcore.ops import _loops
from kcore.ops.core import (
    _block_slices,
    _call_grad_fn,
    _check_indices,
    _check_unstack_num,
    _index_out_of_range,
    _unknown_reduction,
)
from kcore_torch.ops import STANDARD_NAMES, to_tensor, to_torch_dtype

_Tensor = torch.Tensor


def _tensor(x):
    if x is None or isinstance(x, _Tensor):
        return x
    return to_tensor(x)


def _tensors(structure):
    return _tree.map_structure(_tensor, structure)


# -- casts ----------------------------------------------------------------------------


def cast(x, dtype):
    x = _tensor(x)
    dtype = to_torch_dtype(dtype)
    return x if x.dtype == dtype else x.to(dtype)


def saturate_cast(x, dtype):
    x = _tensor(x)
    low, high = saturation_bounds(STANDARD_NAMES[x.dtype], dtype)
    if low is not None or high is not None:
        x = torch.clamp(x, low, high)
    return cast(x, dtype)


# -- slicing and scattering --------------------------------------------------------------


def _ints(values):
    if isinstance(values, _Tensor):
        if values.ndim != 1 or values.is_floating_point() or values.dtype == torch.bool:
            raise ValueError(
                f"start_indices must be a 1-D integer tensor, got shape {tuple(values.shape)} "
                f"and dtype {values.dtype}"
            )
        return values.tolist()
    return [int(v) if isinstance(v, _Tensor) else operator.index(v) for v in values]


def _block(shape, start_indices, sizes, what):
    return _block_slices(shape, _ints(start_indices), sizes, what)


def slice(inputs, start_indices, shape):
    inputs = _tensor(inputs)
    return inputs[_block(inputs.shape, start_indices, shape, "shape")]


def slice_update(inputs, start_indices, updates):
    inputs, updates = _tensor(inputs), _tensor(updates)
    if updates.ndim != inputs.ndim:
        raise ValueError(f"updates of rank {inputs.ndim} (that of inputs), got {updates.ndim}")
    out = inputs.clone()
    out[_block(inputs.shape, start_indices, updates.shape, "updates' shape")] = updates.to(
        inputs.dtype
    )
    return out


def _index_columns(indices, shape, device):
    """``indices`` (``(..., k)`` integers) as ``k`` index tensors, negatives wrapped,
    checked in range."""
    indices = _tensor(indices)
    integral = not (
        indices.is_floating_point() or indices.is_complex() or indices.dtype == torch.bool
    )
    _check_indices(integral, indices.dtype, tuple(indices.shape), shape)
    indices = indices.to(device=device, dtype=torch.long)
    k = indices.shape[-1]
    dims = torch.tensor(shape[:k], dtype=torch.long, device=device)
    # Checked on the device: one bool comes back, not the indices.
    if indices.numel() and bool(((indices < -dims) | (indices >= dims)).any()):
        raise _index_out_of_range(shape)
    indices = torch.where(indices < 0, indices + dims, indices)
    return indices.movedim(-1, 0).unbind(0)


def scatter(indices, values, shape):
    values = _tensor(values)
    shape = tuple(operator.index(d) for d in shape)
    zeros = torch.zeros(shape, dtype=values.dtype, device=values.device)
    key = _index_columns(indices, shape, values.device)
    return torch.index_put(zeros, key, values, accumulate=True)


_REDUCE = {"mul": "prod", "max": "amax", "min": "amin"}


def scatter_update(inputs, indices, updates, reduction=None):
    inputs = _tensor(inputs)
    updates = _tensor(updates).to(device=inputs.device, dtype=inputs.dtype)
    key = _index_columns(indices, tuple(inputs.shape), inputs.device)
    if reduction is None or reduction == "add":
        return torch.index_put(inputs, key, updates, accumulate=reduction == "add")
    reduce = _REDUCE.get(reduction)
    if reduce is None:
        raise _unknown_reduction(reduction)
    # scatter_reduce works along one dimension: flatten the k indexed dimensions.
    k = len(key)
    lead, rest = tuple(inputs.shape[:k]), tuple(inputs.shape[k:])
    linear = torch.zeros_like(key[0])
    for column, dim in zip(key, lead):
        linear = linear * dim + column
    source = updates.reshape(-1, *rest)
    linear = linear.reshape(-1, *([1] * len(rest))).expand(source.shape)
    flat = inputs.reshape(-1, *rest)
    out = flat.scatter_reduce(0, linear, source, reduce, include_self=True)
    return out.reshape(inputs.shape)


def unstack(x, num=None, axis=0):
    x = _tensor(x)
    _check_unstack_num(num, x.shape[axis], axis)
    return list(torch.unbind(x, axis))


def stop_gradient(variable):
    return _tensor(variable).detach()


class _CustomGradient(torch.autograd.Function):
    """Runs ``f`` forward and its own ``grad_fn`` backward."""

    @staticmethod
    def forward(ctx, f, kwargs, *args):
        output, grad_fn = f(*args, **kwargs)
        ctx.grad_fn, ctx.args = grad_fn, args
        return tuple(output) if isinstance(output, list) else output

    @staticmethod
    def backward(ctx, *upstream):
        grads = _call_grad_fn(ctx.grad_fn, ctx.args, upstream)
        grads = [
            _tensor(g) if isinstance(a, _Tensor) and g is not None else None
            for a, g in zip(ctx.args, grads)
        ]
        grads += [None] * (len(ctx.args) - len(grads))
        return (None, None, *grads)


def custom_gradient(f):
    def forward(*args, **kwargs):
        if any_symbolic(args, kwargs):
            return f(*args, **kwargs)[0]
        return _CustomGradient.apply(f, kwargs, *args)

    return forward


# -- control flow ------------------------------------------------------------------------


def _alternate(a, b, axis):
    return torch.stack([a, b], dim=axis + 1).flatten(axis, axis + 1)


_OPS = _loops.ArrayOps(
    tensor=_tensor,
    cast=lambda value, reference: _tensor(value).to(reference.dtype),
    item=lambda x, i: x[i],
    zeros_item=lambda x: x.new_zeros(x.shape[1:]),
    stack=torch.stack,
    empty=lambda y: y.new_zeros((0, *y.shape)),
    flip=lambda x, axis: torch.flip(x, (axis,)),
    concat=lambda tensors, axis: torch.cat(tensors, dim=axis),
    alternate=_alternate,
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
    return _loops.associative_scan(_OPS, f, elems, reverse, axis)


def map(f, xs):
    return _loops.map(_OPS, f, xs)


def vectorized_map(function, elements):
    return torch.vmap(function)(_tensors(elements))
