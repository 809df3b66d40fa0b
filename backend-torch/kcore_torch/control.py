"""Core ops: casts, slicing and scattering, control flow and gradients: this backend's implementations.

PyTorch runs eagerly, so control flow is Python's (autograd records whatever runs);
``vectorized_map`` is ``torch.vmap`` and ``custom_gradient`` a
``torch.autograd.Function``.
"""

from __future__ import annotations

import builtins
import operator

import torch

from kcore import _tree
from kcore.dtypes import saturation_bounds
from kcore.keras_tensor import any_symbolic
from kcore.ops.core import _call_grad_fn
from kcore_torch.ops import STANDARD_NAMES, to_tensor, to_torch_dtype

_range = builtins.range
_Tensor = torch.Tensor


def _tensor(x):
    if x is None or isinstance(x, _Tensor):
        return x
    return to_tensor(x)


def _tensors(structure):
    return _tree.map_structure(_tensor, structure)


def _rebuild(structure, leaves):
    it = iter(leaves)
    return _tree.map_structure(lambda _: next(it), structure)


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
    starts = _ints(start_indices)
    sizes = [operator.index(s) for s in sizes]
    if len(starts) != len(shape) or len(sizes) != len(shape):
        raise ValueError(
            f"start_indices and {what} need one entry per dimension of inputs ({len(shape)}), "
            f"got {len(starts)} and {len(sizes)}"
        )
    slices = []
    for start, size, dim in zip(starts, sizes, shape):
        if not 0 <= size <= dim:
            raise ValueError(
                f"{what} {tuple(sizes)} does not fit in inputs of shape {tuple(shape)}"
            )
        start = min(max(start, 0), dim - size)
        slices.append(builtins.slice(start, start + size))
    return tuple(slices)


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
    if indices.is_floating_point() or indices.is_complex() or indices.dtype == torch.bool:
        raise TypeError(f"indices must be integers, got dtype {indices.dtype}")
    if indices.ndim < 1 or indices.shape[-1] > len(shape):
        raise ValueError(
            f"indices of shape (N, k) with k <= {len(shape)}, got shape {tuple(indices.shape)}"
        )
    indices = indices.to(device=device, dtype=torch.long)
    k = indices.shape[-1]
    dims = torch.tensor(shape[:k], dtype=torch.long, device=device)
    if indices.numel() and bool(((indices < -dims) | (indices >= dims)).any()):
        raise IndexError(f"an index in indices is out of range for shape {tuple(shape)}")
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
        raise ValueError(f"reduction must be None, 'add', 'mul', 'max' or 'min', got {reduction!r}")
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
    size = x.shape[axis]
    if num is not None and num != size:
        raise ValueError(f"num={num} differs from the size {size} of axis {axis}")
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


def cond(pred, true_fn, false_fn):
    return _tensors(true_fn() if bool(pred) else false_fn())


def switch(index, branches, *operands):
    index = min(max(int(index), 0), len(branches) - 1)
    return _tensors(branches[index](*operands))


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
            None if r is None else _tensor(v).to(r.dtype)
            for v, r in zip(flat_values, flat_reference)
        ],
    )


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    is_tuple = isinstance(loop_vars, list | tuple)
    state = _tensors(tuple(loop_vars) if is_tuple else (loop_vars,))
    iteration = 0
    while (maximum_iterations is None or iteration < maximum_iterations) and bool(cond(*state)):
        out = body(*state)
        state = _cast_like(tuple(out) if is_tuple else (out,), state)
        iteration += 1
    return state if is_tuple else state[0]


def fori_loop(lower, upper, body_fun, init_val):
    value = _tensors(init_val)
    for i in _range(int(lower), int(upper)):
        value = _cast_like(body_fun(i, value), value)
    return value


def _leading_size(structure):
    sizes = {x.shape[0] for x in _tree.flatten(structure) if x is not None}
    if len(sizes) > 1:
        raise ValueError(f"the tensors to loop over differ in their leading size: {sorted(sizes)}")
    return sizes.pop() if sizes else None


def _item(structure, i):
    return _tree.map_structure(lambda x: None if x is None else x[i], structure)


def _stacked(results, placeholder):
    if not results:
        sample = _tensors(placeholder())
        return _tree.map_structure(
            lambda y: None if y is None else y.new_zeros((0, *y.shape)), sample
        )
    flat = [_tree.flatten(_tensors(r)) for r in results]
    return _rebuild(
        results[0], [None if column[0] is None else torch.stack(column) for column in zip(*flat)]
    )


def _zeros_like_item(structure):
    return _tree.map_structure(lambda x: None if x is None else x.new_zeros(x.shape[1:]), structure)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    carry = _tensors(init)
    xs = _tensors(xs)
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


def _along(x, axis, start, stop=None, step=1):
    index = [builtins.slice(None)] * x.ndim
    index[axis] = builtins.slice(start, stop, step)
    return x[tuple(index)]


def associative_scan(f, elems, reverse=False, axis=0):
    elems = _tensors(elems)
    flat = _tree.flatten(elems)
    axis = axis % flat[0].ndim
    if reverse:
        flat = [torch.flip(x, (axis,)) for x in flat]

    def combine(a, b):
        return [_tensor(r) for r in _tree.flatten(f(_rebuild(elems, a), _rebuild(elems, b)))]

    def parallel(xs):
        # Blelloch's scan: combine neighbours, scan the pairs, fill in the rest.
        n = xs[0].shape[axis]
        if n < 2:
            return xs
        pairs = combine(
            [_along(x, axis, 0, -1, 2) for x in xs], [_along(x, axis, 1, None, 2) for x in xs]
        )
        odd = parallel(pairs)
        if n % 2 == 0:
            even = combine(
                [_along(o, axis, 0, -1) for o in odd], [_along(x, axis, 2, None, 2) for x in xs]
            )
        else:
            even = combine(odd, [_along(x, axis, 2, None, 2) for x in xs])
        even = [torch.cat([_along(x, axis, 0, 1), e], dim=axis) for x, e in zip(xs, even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    out = parallel(flat)
    if reverse:
        out = [torch.flip(x, (axis,)) for x in out]
    return _rebuild(elems, out)


def _interleave(even, odd, axis):
    """``even[0], odd[0], even[1], odd[1], ...`` along ``axis`` (``even`` may be one longer)."""
    n_even, n_odd = even.shape[axis], odd.shape[axis]
    if n_even > n_odd:
        odd = torch.cat([odd, _along(even, axis, 0, 1)], dim=axis)  # padding, cut below
    both = torch.stack([even, odd], dim=axis + 1)
    merged = both.flatten(axis, axis + 1)
    return _along(merged, axis, 0, n_even + n_odd)


def map(f, xs):
    xs = _tensors(xs)
    n = _leading_size(xs)
    return _stacked([f(_item(xs, i)) for i in _range(n)], lambda: f(_zeros_like_item(xs)))


def vectorized_map(function, elements):
    return torch.vmap(function)(_tensors(elements))
