"""The control-flow ops as Python loops, written once for the backends that run them so.

The NumPy and PyTorch backends run ``cond``, ``switch``, ``while_loop``, ``fori_loop``,
``scan`` and ``map`` as plain Python (PyTorch's autograd records whatever runs), TensorFlow runs
``scan`` so outside ``tf.function``, and PyTorch and TensorFlow share one parallel
``associative_scan``. A backend hands over the few array operations the loops need as
an :class:`ArrayOps`; the loops, their argument checks and their error messages live
here, and nothing here imports a framework.

Example (a backend's ``control.py``)::

    _OPS = _loops.ArrayOps(tensor=_array, cast=..., item=..., zeros_item=..., stack=...,
                           empty=...)

    def fori_loop(lower, upper, body_fun, init_val):
        return _loops.fori_loop(_OPS, lower, upper, body_fun, init_val)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from kcore import _tree


class ArrayOps(NamedTuple):
    """The backend's array operations that the loops run on."""

    #: ``tensor(x)``: a leaf (a tensor, array or Python value) as the backend's tensor;
    #: ``None`` stays ``None``.
    tensor: Callable[[Any], Any]
    #: ``cast(value, reference)``: ``value`` as a tensor of ``reference``'s dtype.
    cast: Callable[[Any, Any], Any]
    #: ``item(x, i)``: slice ``i`` of ``x`` along its leading axis.
    item: Callable[[Any, int], Any]
    #: ``zeros_item(x)``: zeros shaped and typed as one leading slice of ``x``.
    zeros_item: Callable[[Any], Any]
    #: ``stack(tensors)``: the tensors stacked along a new leading axis.
    stack: Callable[[Any], Any]
    #: ``empty(y)``: the stack of no tensors like ``y``, zeros of shape ``(0, *y.shape)``.
    empty: Callable[[Any], Any]
    #: For :func:`associative_scan` only: ``flip(x, axis)``, ``concat(tensors, axis)``
    #: and ``alternate(a, b, axis)``, ``a`` and ``b`` (of one shape) interleaved along
    #: ``axis``: ``a[0], b[0], a[1], b[1], ...``.
    flip: Callable[[Any, int], Any] | None = None
    concat: Callable[[Any, int], Any] | None = None
    alternate: Callable[[Any, Any, int], Any] | None = None


def tensors(ops: ArrayOps, structure: Any) -> Any:
    return _tree.map_structure(ops.tensor, structure)


def rebuild(structure: Any, leaves: Any) -> Any:
    """``structure`` with its leaves replaced, in order, by ``leaves``."""
    it = iter(leaves)
    return _tree.map_structure(lambda _: next(it), structure)


def cast_like(ops: ArrayOps, values: Any, reference: Any) -> Any:
    """A loop body's ``values`` as tensors with the structure and dtypes of the loop
    variables ``reference``."""
    flat_values, flat_reference = _tree.flatten(values), _tree.flatten(reference)
    if len(flat_values) != len(flat_reference):
        raise ValueError(
            f"the loop body must return the structure of the loop variables, got "
            f"{len(flat_values)} values for {len(flat_reference)} variables"
        )
    return rebuild(
        reference,
        [None if r is None else ops.cast(v, r) for v, r in zip(flat_values, flat_reference)],
    )


# -- cond and switch --------------------------------------------------------------------


def cond(ops: ArrayOps, pred: Any, true_fn: Callable, false_fn: Callable) -> Any:
    return tensors(ops, true_fn() if bool(pred) else false_fn())


def branch_index(index: Any, count: int) -> int:
    """``switch``'s ``index`` (a Python or a concrete integer) clamped to the ``count``
    branches."""
    return min(max(int(index), 0), count - 1)


def switch(ops: ArrayOps, index: Any, branches: Any, operands: tuple) -> Any:
    return tensors(ops, branches[branch_index(index, len(branches))](*operands))


# -- while_loop and fori_loop -----------------------------------------------------------


def run_while(cond: Callable, step: Callable, state: tuple, maximum_iterations: Any) -> tuple:
    """``state = step(state)`` while ``cond(*state)`` holds, at most
    ``maximum_iterations`` times (``None``: no bound)."""
    iteration = 0
    while (maximum_iterations is None or iteration < maximum_iterations) and bool(cond(*state)):
        state = step(state)
        iteration += 1
    return state


def while_loop(
    ops: ArrayOps, cond: Callable, body: Callable, loop_vars: Any, maximum_iterations: Any
) -> Any:
    is_tuple = isinstance(loop_vars, list | tuple)
    state = tensors(ops, tuple(loop_vars) if is_tuple else (loop_vars,))

    def step(values):
        out = body(*values)
        return cast_like(ops, tuple(out) if is_tuple else (out,), values)

    state = run_while(cond, step, state, maximum_iterations)
    return state if is_tuple else state[0]


def fori_loop(ops: ArrayOps, lower: Any, upper: Any, body_fun: Callable, init_val: Any) -> Any:
    value = tensors(ops, init_val)
    for i in range(int(lower), int(upper)):
        value = cast_like(ops, body_fun(i, value), value)
    return value


# -- scan and map -----------------------------------------------------------------------


def leading_size(structure: Any) -> Any:
    """The leading size that the tensors of ``structure`` share (``None`` where there
    are none; a tensor's unknown size, ``None``, counts as a size)."""
    sizes = {x.shape[0] for x in _tree.flatten(structure) if x is not None}
    if len(sizes) > 1:
        shown = sorted(sizes, key=lambda size: -1 if size is None else size)
        raise ValueError(f"the tensors to loop over differ in their leading size: {shown}")
    return sizes.pop() if sizes else None


def scan_steps(n: int | None, length: Any) -> int:
    """How many steps ``scan`` runs: ``n``, the leading size of ``xs`` (``None``: no
    ``xs``), else ``length``; the two must agree when both are given."""
    if n is None:
        if length is None:
            raise ValueError("scan needs xs or length to know how many steps to run")
        return int(length)
    if length is not None and int(length) != n:
        raise ValueError(f"length={length} differs from the leading size {n} of xs")
    return n


def item(ops: ArrayOps, structure: Any, i: int) -> Any:
    """Slice ``i`` along the leading axis of every tensor of ``structure``."""
    return _tree.map_structure(lambda x: None if x is None else ops.item(x, i), structure)


def _zeros_like_item(ops: ArrayOps, structure: Any) -> Any:
    return _tree.map_structure(lambda x: None if x is None else ops.zeros_item(x), structure)


def stacked(ops: ArrayOps, results: list, placeholder: Callable[[], Any]) -> Any:
    """Stack a list of result structures leaf by leaf; with none, stack zero copies of
    ``placeholder()`` (a call on zero inputs that gives the result's structure)."""
    if not results:
        sample = tensors(ops, placeholder())
        return _tree.map_structure(lambda y: None if y is None else ops.empty(y), sample)
    flat = [_tree.flatten(tensors(ops, r)) for r in results]
    return rebuild(
        results[0], [None if column[0] is None else ops.stack(column) for column in zip(*flat)]
    )


def run_scan(ops: ArrayOps, f: Callable, carry: Any, xs: Any, n: int, reverse: bool) -> Any:
    """``scan`` over ``n`` steps, ``carry`` and ``xs`` already tensors."""
    steps = range(n - 1, -1, -1) if reverse else range(n)
    ys = []
    for i in steps:
        new_carry, y = f(carry, None if xs is None else item(ops, xs, i))
        carry = cast_like(ops, new_carry, carry)
        ys.append(y)
    if reverse:
        ys.reverse()

    def placeholder():
        return f(carry, None if xs is None else _zeros_like_item(ops, xs))[1]

    return carry, stacked(ops, ys, placeholder)


def scan(
    ops: ArrayOps, f: Callable, init: Any, xs: Any, length: Any, reverse: bool
) -> tuple[Any, Any]:
    carry = tensors(ops, init)
    xs = tensors(ops, xs)
    return run_scan(ops, f, carry, xs, scan_steps(leading_size(xs), length), reverse)


def map(ops: ArrayOps, f: Callable, xs: Any) -> Any:  # noqa: A001 - the op's name
    xs = tensors(ops, xs)
    n = leading_size(xs)
    return stacked(
        ops, [f(item(ops, xs, i)) for i in range(n)], lambda: f(_zeros_like_item(ops, xs))
    )


# -- associative_scan -------------------------------------------------------------------


def _along(x: Any, axis: int, start: Any, stop: Any = None, step: int = 1) -> Any:
    index = [slice(None)] * len(x.shape)
    index[axis] = slice(start, stop, step)
    return x[tuple(index)]


def _interleave(ops: ArrayOps, even: Any, odd: Any, axis: int) -> Any:
    """``even[0], odd[0], even[1], odd[1], ...`` along ``axis`` (``even`` may be one longer)."""
    n_even, n_odd = even.shape[axis], odd.shape[axis]
    if n_even > n_odd:
        odd = ops.concat([odd, _along(even, axis, 0, 1)], axis)  # padding, cut below
    return _along(ops.alternate(even, odd, axis), axis, 0, n_even + n_odd)


def associative_scan(ops: ArrayOps, f: Callable, elems: Any, reverse: bool, axis: int) -> Any:
    """``associative_scan`` as Blelloch's parallel scan: about ``2 log2(n)`` calls of
    ``f``, each on whole tensors."""
    elems = tensors(ops, elems)
    flat = _tree.flatten(elems)
    axis = axis % len(flat[0].shape)
    if reverse:
        flat = [ops.flip(x, axis) for x in flat]

    def combine(a, b):
        return [ops.tensor(r) for r in _tree.flatten(f(rebuild(elems, a), rebuild(elems, b)))]

    def parallel(xs):
        # Combine neighbours, scan the pairs, fill in the rest.
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
        even = [ops.concat([_along(x, axis, 0, 1), e], axis) for x, e in zip(xs, even)]
        return [_interleave(ops, e, o, axis) for e, o in zip(even, odd)]

    out = parallel(flat)
    if reverse:
        out = [ops.flip(x, axis) for x in out]
    return rebuild(elems, out)
