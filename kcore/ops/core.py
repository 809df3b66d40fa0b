"""Core ops: conversion between the backend's tensors and NumPy; casts, slicing and
scattering, control flow and gradients."""

from __future__ import annotations

import builtins
import operator

import numpy as np

from kcore import ops
from kcore.dtypes import standardize_dtype
from kcore.ops import cases, rules
from kcore.ops.contract import op


@op("core")
def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Convert a NumPy array, Python value or tensor to the backend's tensor type.

    Python floats become ``kcore.config.floatx()`` and Python ints ``int32``, as in
    Keras 3; ``dtype`` forces a dtype.

    Example::

        >>> x = kcore.ops.convert_to_tensor([1, 2, 3])
    """
    ...


@op("core")
def convert_to_numpy(x):
    """Convert a tensor to a NumPy array.

    Example::

        >>> kcore.ops.convert_to_numpy(kcore.ops.convert_to_tensor([1.0])).tolist()
        [1.0]
    """
    ...


@op("core")
def is_tensor(x):
    """Whether ``x`` is a tensor of the selected backend.

    Example::

        >>> kcore.ops.is_tensor(kcore.ops.convert_to_tensor([1.0]))
        True
    """
    ...


@op("core", composite=True, grad=False)
def dtype(x):
    """The standard name of a tensor's dtype (``"float32"``, ``"int8"``, ...).

    Example::

        >>> kcore.ops.dtype(kcore.ops.convert_to_tensor([1, 2]))
        'int32'
    """
    return standardize_dtype(x.dtype)


@op("core", composite=True, grad=False)
def shape(x):
    """A tensor's shape as a tuple (``None`` for unknown dimensions of a KerasTensor).

    On tensorflow, a dimension that is unknown inside a compiled function (a
    ``tf.function`` traced with ``None`` in its input signature) is a scalar tensor,
    as in Keras 3, so ``ops.reshape(x, (ops.shape(x)[0], -1))`` works for any size.

    Example::

        >>> kcore.ops.shape(kcore.ops.convert_to_tensor([[1, 2, 3]]))
        (1, 3)
    """
    return tuple(None if d is None else int(d) for d in x.shape)


# --------------------------------------------------------------------------- casts,
# slicing and scattering, control flow and gradients.
#
# The control-flow ops take Python callables. Their symbolic answers (``shape_rule``)
# trace the callables on KerasTensors, as Keras 3 does, so callables that close over
# KerasTensors work; where a callable needs something KerasTensors cannot do, the
# selected backend's abstract evaluation answers instead.


def _spec_of(x):
    """A KerasTensor with the shape and dtype of a KerasTensor, array or Python value."""
    from kcore.dtypes import python_scalar_dtype
    from kcore.keras_tensor import KerasTensor

    if isinstance(x, KerasTensor) or x is None:
        return x
    kind = python_scalar_dtype(x) if not hasattr(x, "shape") else None
    if kind is not None:
        return KerasTensor(np.shape(x), kind)
    return KerasTensor(tuple(x.shape), standardize_dtype(x.dtype))


def _specs(structure):
    from kcore import _tree

    return _tree.map_structure(_spec_of, structure)


class _MismatchedBranches(ValueError):
    """Branches of ``cond`` that return different structures, shapes or dtypes."""


def _traced_or_probed(name, trace, *args, **kwargs):
    """``trace()`` (the callables run on KerasTensors) as KerasTensors; if a callable
    cannot run on KerasTensors, the selected backend's abstract evaluation of the op."""
    try:
        return _specs(trace())
    except _MismatchedBranches:
        raise
    except Exception:
        from kcore.ops import contract

        backend = contract.rule_backend()
        _, impl = contract.resolve(contract.SPECS[name], backend.ops)
        return backend.compute_output_spec(impl, *args, **kwargs)


def _with_leading(spec, size):
    from kcore.keras_tensor import KerasTensor

    return KerasTensor((size, *spec.shape), spec.dtype)


def _without_axis(spec, axis=0):
    from kcore.keras_tensor import KerasTensor

    shape = list(spec.shape)
    del shape[axis]
    return KerasTensor(tuple(shape), spec.dtype)


def _leading_size(structure):
    from kcore import _tree

    sizes = [s.shape[0] for s in _tree.flatten(_specs(structure)) if s is not None]
    return sizes[0] if sizes else None


# The checks every backend's implementation of these ops makes, written once so that
# every backend refuses the same arguments in the same words. Framework-free: a backend
# hands over Python ints, shapes as tuples and NumPy arrays.


def _checked_block(shape, count, sizes, what):
    """``sizes`` (the shape of a block of ``slice`` or ``slice_update``) as ints, checked:
    ``count`` start indices and ``sizes`` have one entry per dimension of ``shape``, and
    the block fits in ``shape`` (a ``None`` dimension, unknown until run, is not checked).
    ``what`` names ``sizes`` in the error."""
    sizes = [operator.index(s) for s in sizes]
    rank = len(shape)
    if count != rank or len(sizes) != rank:
        raise ValueError(
            f"start_indices and {what} need one entry per dimension of inputs ({rank}), "
            f"got {count} and {len(sizes)}"
        )
    for size, dim in zip(sizes, shape):
        if dim is not None and not 0 <= size <= dim:
            raise ValueError(
                f"{what} {tuple(sizes)} does not fit in inputs of shape {tuple(shape)}"
            )
    return sizes


def _clamped_starts(starts, shape, sizes):
    """Start indices (ints) moved, as XLA's dynamic slice moves them, so that the block
    of ``sizes`` lies inside ``shape``."""
    return [min(max(s, 0), d - z) for s, d, z in zip(starts, shape, sizes)]


def _block_slices(shape, starts, sizes, what):
    """The Python slices of the block of ``sizes`` at ``starts`` (ints) inside ``shape``
    (known): checked as by :func:`_checked_block`, clamped as by :func:`_clamped_starts`.
    """
    # One pass for both, on the eager hot path of slice and slice_update; a block that
    # fails is handed to _checked_block, which raises and says why.
    sizes = [operator.index(s) for s in sizes]
    if len(starts) == len(sizes) == len(shape):
        slices = []
        for start, size, dim in zip(starts, sizes, shape):
            if not 0 <= size <= dim:
                break
            start = min(max(start, 0), dim - size)
            slices.append(_slice(start, start + size))
        else:
            return tuple(slices)
    _checked_block(shape, len(starts), sizes, what)
    raise AssertionError("unreachable: _checked_block refuses what fails here")


_slice = builtins.slice  # this module's slice is the op


def _check_indices(integral, dtype, indices_shape, shape):
    """Raise unless ``indices`` index the leading dimensions of a tensor of ``shape`` as
    ``scatter``'s rows do: integers (``integral``; ``dtype`` is shown otherwise) of shape
    ``(..., k)`` with ``k <= len(shape)``. ``indices_shape`` is a tuple (``None`` for an
    unknown rank, ``None`` entries for unknown sizes)."""
    if not integral:
        raise TypeError(f"indices must be integers, got dtype {dtype}")
    if (
        indices_shape is None
        or len(indices_shape) < 1
        or (indices_shape[-1] is not None and indices_shape[-1] > len(shape))
    ):
        shown = "<unknown>" if indices_shape is None else indices_shape
        raise ValueError(f"indices of shape (N, k) with k <= {len(shape)}, got shape {shown}")


def _check_index_values(values, shape):
    """Raise ``IndexError`` unless every row of ``values`` (the indices' values, a NumPy
    integer array of shape ``(..., k)``) lies inside ``shape``; negative indices count
    from the end."""
    if values.size:
        k = values.shape[-1]
        rows, dims = values.reshape(-1, k), np.asarray(shape[:k])
        if (rows < -dims).any() or (rows >= dims).any():
            raise _index_out_of_range(shape)


def _index_out_of_range(shape):
    return IndexError(f"an index in indices is out of range for shape {tuple(shape)}")


_SCATTER_REDUCTIONS = (None, "add", "mul", "max", "min")


def _unknown_reduction(reduction):
    """The error for a ``reduction`` of ``scatter_update`` not in :data:`_SCATTER_REDUCTIONS`."""
    return ValueError(f"reduction must be None, 'add', 'mul', 'max' or 'min', got {reduction!r}")


def _check_unstack_num(num, size, axis):
    """Raise unless ``num`` (``unstack``'s) is ``None`` or the ``size`` of ``axis``
    (``None``: unknown until run, not checked)."""
    if num is not None and size is not None and num != size:
        raise ValueError(f"num={num} differs from the size {size} of axis {axis}")


def _rank_rule(tensor, indices, block=None):
    """``values[indices]`` holds one start index per dimension of ``values[tensor]``,
    and the block (``values[block]``: a shape, or a tensor whose shape it is) fits."""

    def rule(values):
        x, start = values[tensor], values[indices]
        ndim = len(getattr(x, "shape", ()))
        if block is not None:
            sizes = values[block]
            sizes = tuple(getattr(sizes, "shape", sizes))
            dims = tuple(getattr(x, "shape", ()))
            if len(sizes) != ndim or any(
                d is not None and s is not None and not 0 <= s <= d for s, d in zip(sizes, dims)
            ):
                what = f"{block} of a shape" if hasattr(values[block], "shape") else f"a {block}"
                return f"{what} that fits in {tensor} of shape {dims}, got {sizes}"
        n = len(start) if isinstance(start, list | tuple) else None
        if n is None and hasattr(start, "shape"):
            shape = tuple(start.shape)
            if len(shape) != 1:
                return f"{indices} of shape ({ndim},), got shape {shape}"
            n = shape[0]
        if n is not None and n != ndim:
            return f"{indices} with one entry per dimension of {tensor} ({ndim}), got {n}"
        return None

    return rule


def _cast_cases(spec, rng, supported):
    pairs = (
        ("float32", "int32"),
        ("float32", "float16"),
        ("float32", "bool"),
        ("float32", "uint8"),
        ("float32", "float32"),
        ("int32", "float32"),
        ("int32", "int8"),
        ("int8", "float16"),
        ("bool", "float32"),
        ("bool", "int32"),
        ("uint8", "int32"),
        ("float64", "float32"),
        ("int64", "int32"),
    )
    out = []
    for source, target in pairs:
        if source in supported and target in supported:
            low = 0.0 if target == "uint8" else -3.0
            x = cases.array(rng, (2, 3), source, low=low, high=5.0)
            out.append(cases.Case(f"{source}-to-{target}", (x, target)))
    return out


def _saturate_cast_cases(spec, rng, supported):
    f32 = np.array([[-1e4, -300.5, -1.5], [0.0, 3.7, 1e4]], dtype="float32")
    rows = (
        (f32, "uint8"),
        (f32, "int8"),
        (f32, "int16"),
        (np.array([-3e9, -1.0, 3e9], dtype="float32"), "int32"),
        (np.array([-1e6, 2.5, 1e6], dtype="float32"), "float16"),
        (np.array([-1e300, 1.5, 1e300], dtype="float64"), "float32"),
        (np.array([-300, -1, 0, 7, 300], dtype="int32"), "uint8"),
        (np.array([-300, -1, 0, 7, 300], dtype="int32"), "int8"),
        (np.array([0, 7, 255], dtype="uint8"), "int8"),
        (np.array([-5, 0, 100], dtype="int16"), "float32"),
    )
    out = []
    for x, target in rows:
        if x.dtype.name in supported and target in supported:
            out.append(cases.Case(f"{x.dtype.name}-to-{target}-{x.size}", (x, target)))
    return out


def _slice_cases(spec, rng, supported):
    x = cases.array(rng, (4, 5), "float32")
    y = cases.array(rng, (3, 4, 2), "int32")
    return [
        cases.Case("float32-2d", (x, (1, 2), (2, 3)), grad=True),
        cases.Case("float32-clamped", (x, [3, 4], [2, 3]), grad=True),
        cases.Case("float32-full", (x, (0, 0), (4, 5)), grad=True),
        cases.Case("int32-3d", (y, (1, 0, 1), (2, 4, 1))),
        cases.Case("float32-tensor-start", (x, np.array([2, 1], dtype="int32"), (2, 2))),
    ]


def _slice_update_cases(spec, rng, supported):
    x = cases.array(rng, (4, 5), "float32")
    u = cases.array(rng, (2, 3), "float32")
    y = cases.array(rng, (3, 4, 2), "int32")
    v = cases.array(rng, (1, 2, 2), "int32")
    return [
        cases.Case("float32-2d", (x, (1, 2), u), grad=True),
        cases.Case("float32-clamped", (x, [3, 4], u), grad=True),
        cases.Case("int32-3d", (y, (2, 1, 0), v)),
        cases.Case("float32-tensor-start", (x, np.array([0, 1], dtype="int32"), u)),
    ]


def _scatter_cases(spec, rng, supported):
    idx = np.array([[0, 1], [2, 0], [0, 1]], dtype="int32")  # (0, 1) twice: summed
    rows = np.array([[1], [3], [1]], dtype="int32")
    return [
        cases.Case("float32-points", (idx, cases.array(rng, (3,), "float32"), (3, 2))),
        cases.Case("int32-points", (idx, np.array([5, -2, 7], dtype="int32"), (3, 2))),
        cases.Case("float32-rows", (rows, cases.array(rng, (3, 3), "float32"), (4, 3))),
        cases.Case("float16-points-3d", (idx, cases.array(rng, (3, 2), "float16"), (3, 2, 2))),
    ]


def _scatter_update_cases(spec, rng, supported):
    x = cases.array(rng, (3, 4), "float32")
    idx = np.array([[0, 1], [2, 3]], dtype="int32")
    dup = np.array([[0, 1], [2, 3], [0, 1]], dtype="int32")
    rows = np.array([[2], [0]], dtype="int32")
    u = cases.array(rng, (2,), "float32")
    u3 = cases.array(rng, (3,), "float32")
    out = [
        cases.Case("float32-points", (x, idx, u)),
        cases.Case("float32-rows", (x, rows, cases.array(rng, (2, 4), "float32"))),
        cases.Case("int32-points", (x.astype("int32"), idx, np.array([7, -7], dtype="int32"))),
    ]
    for reduction in ("add", "max", "min", "mul"):
        out.append(cases.Case(f"float32-dup-{reduction}", (x, dup, u3), {"reduction": reduction}))
    return out


def _unstack_cases(spec, rng, supported):
    x = cases.array(rng, (2, 3, 4), "float32")
    return [
        cases.Case("float32-axis0-num", (x,), {"num": 2}),
        cases.Case("float32-axis1-num", (x,), {"num": 3, "axis": 1}),
        cases.Case("float32-axis-1", (x,), {"axis": -1}),
        cases.Case("int32-axis1", (cases.array(rng, (3, 2), "int32"),), {"axis": 1}),
    ]


def _call_cases(*rows):
    """Cases for ops taking callables: ``(id, args, kwargs, grad)`` rows, the arrays
    made from the seeded generator by ``args(rng)``."""

    def make(spec, rng, supported):
        out = []
        for case_id, build, kwargs, grad in rows:
            args = build(rng)
            used = {a.dtype.name for a in args if isinstance(a, np.ndarray)}
            if used <= supported:
                out.append(cases.Case(case_id, tuple(args), dict(kwargs), grad))
        return out

    return make


def _f32(rng, *shape, low=-2.0, high=2.0):
    return cases.array(rng, shape, "float32", low=low, high=high)


def _add(a, b):
    return a + b


def _mul(a, b):
    return a * b


@op("core", cases=_cast_cases, shape_rule=lambda x, dtype: _cast_spec(x, dtype))
def cast(x, dtype):
    """Cast a tensor to ``dtype``; a tensor already of that dtype comes back as is.

    Floats become integers by truncation toward zero; any non-zero value becomes
    ``True``. Values outside the target's range give backend-defined results (use
    :func:`saturate_cast` to clip them first).

    Example::

        >>> kcore.ops.cast(kcore.ops.convert_to_tensor([1.7, -2.2]), "int32")
        [1, -2]
    """
    ...


def _cast_spec(x, dtype):
    from kcore.keras_tensor import KerasTensor

    return KerasTensor(_spec_of(x).shape, standardize_dtype(dtype))


@op("core", composite=True, grad=False, cases=_saturate_cast_cases)
def saturate_cast(x, dtype):
    """Cast to ``dtype`` after clipping ``x`` to the range ``dtype`` can hold, so values
    out of range saturate at its ends instead of wrapping around.

    Example::

        >>> kcore.ops.saturate_cast(kcore.ops.convert_to_tensor([-1.0, 300.0]), "uint8")
        [0, 255]
    """
    from kcore.dtypes import saturation_bounds

    low, high = saturation_bounds(ops.dtype(x), dtype)
    if low is not None:
        x = ops.maximum(x, low)
    if high is not None:
        x = ops.minimum(x, high)
    return ops.cast(x, dtype)


def _slice_spec(inputs, start_indices, shape):
    from kcore.keras_tensor import KerasTensor

    spec = _spec_of(inputs)
    problem = _rank_rule("inputs", "start_indices")(
        {"inputs": spec, "start_indices": start_indices}
    )
    if problem or len(shape) != len(spec.shape):
        raise ValueError(problem or f"shape with {len(spec.shape)} entries, got {shape!r}")
    return KerasTensor(tuple(int(d) for d in shape), spec.dtype)


@op(
    "core",
    tensors=("inputs", "start_indices"),
    cases=_slice_cases,
    expect=_rank_rule("inputs", "start_indices", "shape"),
    shape_rule=_slice_spec,
)
def slice(inputs, start_indices, shape):
    """The block of ``shape`` that starts at ``start_indices`` (a list, tuple or tensor
    with one index per dimension; tensors allow indices computed by other ops).

    As in XLA's dynamic slice, start indices are clamped so that the block lies inside
    ``inputs``: the result always has ``shape``.

    Example::

        >>> x = kcore.ops.convert_to_tensor([[1, 2, 3], [4, 5, 6]])
        >>> kcore.ops.slice(x, (0, 1), (2, 2))
        [[2, 3], [5, 6]]
    """
    ...


def _slice_update_spec(inputs, start_indices, updates):
    spec = _spec_of(inputs)
    problem = _rank_rule("inputs", "start_indices")(
        {"inputs": spec, "start_indices": start_indices}
    )
    if problem or len(_spec_of(updates).shape) != len(spec.shape):
        raise ValueError(problem or "updates of the same rank as inputs")
    return spec


@op(
    "core",
    tensors=("inputs", "start_indices", "updates"),
    cases=_slice_update_cases,
    expect=_rank_rule("inputs", "start_indices", "updates"),
    shape_rule=_slice_update_spec,
)
def slice_update(inputs, start_indices, updates):
    """A copy of ``inputs`` with the block that starts at ``start_indices`` replaced by
    ``updates`` (cast to ``inputs``' dtype); ``inputs`` itself is left unchanged.

    Start indices are clamped so that the block lies inside ``inputs``, as in XLA's
    dynamic update slice.

    Example::

        >>> x = kcore.ops.zeros((2, 3))
        >>> kcore.ops.slice_update(x, (1, 1), kcore.ops.ones((1, 2)))
        [[0., 0., 0.], [0., 1., 1.]]
    """
    ...


def _scatter_expect(indices_name, target, values_name):
    """``indices`` of integers shaped ``(N, k)``, ``k`` at most the target's rank,
    values shaped ``(N, *target_shape[k:])``, and every index in range."""

    def rule(values):
        reduction = values.get("reduction")
        if reduction not in _SCATTER_REDUCTIONS:
            return f"reduction None, 'add', 'mul', 'max' or 'min', got {reduction!r}"
        indices, updates = values[indices_name], values[values_name]
        shape = getattr(indices, "shape", None)
        if shape is None:
            try:
                indices = np.asarray(indices)
            except ValueError:
                return None
            shape = indices.shape
        shape = tuple(shape)
        kind = str(getattr(indices, "dtype", "int32"))
        target_shape = values[target]
        target_shape = tuple(getattr(target_shape, "shape", target_shape))
        if "int" not in kind:
            return f"integer {indices_name}, got dtype {kind}"
        if len(shape) < 1 or (shape[-1] is not None and shape[-1] > len(target_shape)):
            return (
                f"{indices_name} of shape (N, k) with k <= {len(target_shape)}, the rank of "
                f"{target}"
            )
        update_shape = getattr(updates, "shape", None)
        if update_shape is not None and shape[-1] is not None:
            wanted = (*shape[:-1], *target_shape[shape[-1] :])
            if rules.broadcast(values_name, "wanted")(
                {values_name: updates, "wanted": rules._Shaped(wanted)}
            ) or len(update_shape) > len(wanted):
                return (
                    f"{values_name} of shape {wanted} (or one that broadcasts to it), "
                    f"got {tuple(update_shape)}"
                )
        return f"every index in {indices_name} within {target}'s shape {target_shape}"

    return rule


def _scatter_spec(indices, values, shape):
    from kcore.keras_tensor import KerasTensor

    return KerasTensor(tuple(int(d) for d in shape), _spec_of(values).dtype)


@op(
    "core",
    tensors=("indices", "values"),
    cases=_scatter_cases,
    expect=_scatter_expect("indices", "shape", "values"),
    shape_rule=_scatter_spec,
)
def scatter(indices, values, shape):
    """A tensor of ``shape``, zero except at ``indices``, where ``values`` are added
    (values at repeated indices are summed).

    ``indices`` has shape ``(N, k)``: each row indexes the first ``k`` dimensions, and
    ``values`` has shape ``(N, *shape[k:])`` (or broadcasts to it). The result has
    ``values``' dtype.

    Example::

        >>> kcore.ops.scatter([[0, 1], [0, 1], [2, 0]], [1.0, 2.0, 5.0], (3, 2))
        [[0., 3.], [0., 0.], [5., 0.]]
    """
    ...


def _scatter_update_spec(inputs, indices, updates, reduction=None):
    return _spec_of(inputs)


@op(
    "core",
    tensors=("inputs", "indices", "updates"),
    cases=_scatter_update_cases,
    expect=_scatter_expect("indices", "inputs", "updates"),
    shape_rule=_scatter_update_spec,
)
def scatter_update(inputs, indices, updates, reduction=None):
    """A copy of ``inputs`` with ``updates`` written at ``indices`` (``inputs`` itself
    is left unchanged); ``indices`` and ``updates`` are laid out as in :func:`scatter`.

    ``reduction`` says how an update meets the value already there: ``None`` replaces
    it (for repeated indices, one of the updates wins), ``"add"``, ``"mul"``, ``"max"``
    and ``"min"`` combine them. The result has ``inputs``' dtype.

    Example::

        >>> x = kcore.ops.zeros((2, 2))
        >>> kcore.ops.scatter_update(x, [[0, 1]], [5.0])
        [[0., 5.], [0., 0.]]
    """
    ...


def _unstack_spec(x, num=None, axis=0):
    spec = _spec_of(x)
    axis = axis % len(spec.shape)
    size = spec.shape[axis] if num is None else num
    if size is None:
        raise ValueError("unstack: the size of the unstacked axis must be known (or num given)")
    return [_without_axis(spec, axis) for _ in range(size)]


@op(
    "core",
    composite=True,
    cases=_unstack_cases,
    expect=rules.axis(),
    shape_rule=_unstack_spec,
)
def unstack(x, num=None, axis=0):
    """The slices of ``x`` along ``axis``, as a list of tensors of one rank less.

    ``num``, when given, must equal the size of that axis.

    Example::

        >>> a, b = kcore.ops.unstack(kcore.ops.convert_to_tensor([[1, 2], [3, 4]]))
        >>> a
        [1, 2]
    """
    size = ops.shape(x)[axis]
    _check_unstack_num(num, size, axis)
    return [ops.take(x, i, axis=axis) for i in range(size)]


@op("core", grad=False, cases=cases.unary(cases.FLOATS + ("int32",), grad=False))
def stop_gradient(variable):
    """``variable``'s value, through which no gradient flows (its gradient is zero).

    Example::

        >>> y = kcore.ops.stop_gradient(x) * x    # d/dx is x, not 2 * x
    """
    ...


def _call_grad_fn(grad_fn, args, upstream):
    """Call a :func:`custom_gradient` ``grad_fn`` the same way on every backend.

    ``upstream`` holds one gradient per output. ``grad_fn(*upstream)`` is Keras 3's
    call on JAX and TensorFlow; a ``grad_fn`` with a keyword-only ``upstream`` that has
    no default is written for Keras 3's PyTorch call, ``grad_fn(*args, upstream=...)``,
    and gets that one. Returns the gradients as a tuple, one per argument.
    """
    import inspect

    try:
        parameter = inspect.signature(grad_fn).parameters.get("upstream")
    except (TypeError, ValueError):
        parameter = None
    if (
        parameter is not None
        and parameter.kind is parameter.KEYWORD_ONLY
        and parameter.default is parameter.empty
    ):
        grads = grad_fn(*args, upstream=upstream[0] if len(upstream) == 1 else tuple(upstream))
    else:
        grads = grad_fn(*upstream)
    return tuple(grads) if isinstance(grads, list | tuple) else (grads,)


@op("core", tensors=())
def custom_gradient(f):
    """Decorate ``f`` so that its gradient is the one it defines itself.

    ``f(*args)`` returns ``(output, grad_fn)``; ``grad_fn(upstream)`` receives the
    gradient flowing into ``output`` (one argument per output) and returns the
    gradients with respect to ``args`` (one per argument, a single tensor for one). The
    decorated function returns ``output``. ``grad_fn(*args, upstream=None)`` (Keras 3's
    portable form) works too: on every backend ``upstream`` then arrives positionally;
    ``grad_fn(*args, upstream)`` with a required keyword-only ``upstream`` (Keras 3's
    PyTorch form) receives ``f``'s arguments first.

    Example::

        >>> @kcore.ops.custom_gradient
        ... def clip_gradient(x):
        ...     def grad(upstream):
        ...         return kcore.ops.clip(upstream, -1.0, 1.0)
        ...     return x, grad
    """
    ...


def _cond_spec(pred, true_fn, false_fn):
    from kcore import _tree

    def trace():
        first, second = _specs(true_fn()), _specs(false_fn())
        a, b = _tree.flatten(first), _tree.flatten(second)
        if len(a) != len(b) or any(
            (x is None) != (y is None) or (x is not None and x != y) for x, y in zip(a, b)
        ):
            raise _MismatchedBranches(
                f"true_fn and false_fn must return the same structure, shapes and dtypes; "
                f"got {first} and {second}"
            )
        return first

    return _traced_or_probed("cond", trace, pred, true_fn, false_fn)


@op(
    "core",
    tensors=("pred",),
    shape_rule=_cond_spec,
    cases=_call_cases(
        ("true", lambda rng: (np.array(True), lambda: 1.0, lambda: 2.0), {}, False),
        ("false", lambda rng: (np.array(False), lambda: 1.0, lambda: 2.0), {}, False),
    ),
)
def cond(pred, true_fn, false_fn):
    """``true_fn()`` if the boolean scalar ``pred`` is true, else ``false_fn()``.

    Under compilation (``jax.jit``, ``tf.function``) only the branch taken runs, and
    both must return the same structure of tensors with the same shapes and dtypes.
    Python values the branches return come back as tensors.

    Example::

        >>> kcore.ops.cond(x > 0, lambda: x * 2, lambda: -x)
    """
    ...


def _switch_spec(index, branches, *operands):
    def trace():
        operand_specs = _specs(operands)
        results = [_specs(branch(*operand_specs)) for branch in branches]
        return results[0]

    return _traced_or_probed("switch", trace, index, branches, *operands)


def _operator_branches():
    return [lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y]


@op(
    "core",
    tensors=("index",),
    shape_rule=_switch_spec,
    cases=_call_cases(
        (
            "index0",
            lambda rng: (0, _operator_branches(), _f32(rng, 2, 3), _f32(rng, 2, 3)),
            {},
            True,
        ),
        ("index2", lambda rng: (2, _operator_branches(), _f32(rng, 2, 3), _f32(rng, 3)), {}, True),
        (
            "clamped-high",
            lambda rng: (7, _operator_branches(), _f32(rng, 3), _f32(rng, 3)),
            {},
            True,
        ),
        (
            "clamped-low",
            lambda rng: (-2, _operator_branches(), _f32(rng, 3), _f32(rng, 3)),
            {},
            True,
        ),
        (
            "tensor-index",
            lambda rng: (np.array(1, "int32"), _operator_branches(), _f32(rng, 3), _f32(rng, 3)),
            {},
            False,
        ),
    ),
)
def switch(index, branches, *operands):
    """``branches[index](*operands)``, with ``index`` (an integer scalar) clamped to
    ``[0, len(branches) - 1]``.

    Under compilation only the branch taken runs; every branch must return the same
    structure, shapes and dtypes.

    Example::

        >>> kcore.ops.switch(1, [lambda x: x + 1, lambda x: x * 2], x)   # x * 2
    """
    ...


def _while_loop_spec(cond, body, loop_vars, maximum_iterations=None):
    if isinstance(loop_vars, list | tuple):
        return type(loop_vars)(_specs(v) for v in loop_vars)
    return _specs(loop_vars)


def _doubling(x):
    return x * 2.0


def _first_below_ten(x):
    return x[0] < 10.0


@op(
    "core",
    tensors=(),
    shape_rule=_while_loop_spec,
    cases=_call_cases(
        (
            "float32",
            lambda rng: (_first_below_ten, _doubling, np.array([1.5, 0.5, -1.0], "float32")),
            {},
            True,
        ),
        (
            "float32-max-iterations",
            lambda rng: (_first_below_ten, _doubling, _f32(rng, 3, low=0.5, high=1.0)),
            {"maximum_iterations": 2},
            True,
        ),
        (
            "int32-tuple",
            lambda rng: (
                lambda i, x: i < 4,
                lambda i, x: (i + 1, x * 3),
                (0, np.array([1, -2], "int32")),
            ),
            {},
            False,
        ),
    ),
)
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Run ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` is true, and
    return the final ``loop_vars`` (a tuple or list of tensors, or one tensor).

    ``maximum_iterations`` bounds the number of iterations. ``body`` must return values
    with the shapes and dtypes of ``loop_vars``; Python numbers among ``loop_vars``
    become tensors.

    Example::

        >>> i, total = kcore.ops.while_loop(
        ...     lambda i, t: i < 10, lambda i, t: (i + 1, t + i), (0, 0))
    """
    ...


def _fori_loop_spec(lower, upper, body_fun, init_val):
    return _specs(init_val)


@op(
    "core",
    composite=True,
    tensors=(),
    shape_rule=_fori_loop_spec,
    cases=_call_cases(
        ("float32", lambda rng: (0, 3, lambda i, x: x * 1.5 + 0.25, _f32(rng, 2, 3)), {}, True),
        (
            "int32-uses-index",
            lambda rng: (2, 6, lambda i, x: x + i, np.array([1, 2], "int32")),
            {},
            False,
        ),
        ("empty-range", lambda rng: (3, 1, lambda i, x: x * 2.0, _f32(rng, 3)), {}, True),
    ),
)
def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` from ``lower`` up to ``upper`` (excluded),
    starting from ``init_val``; returns the final ``val``.

    Example::

        >>> kcore.ops.fori_loop(0, 5, lambda i, total: total + i, 0)   # 10
    """

    def step(i, value):
        return i + 1, body_fun(i, value)

    return ops.while_loop(lambda i, value: i < upper, step, (lower, init_val))[1]


def _scan_spec(f, init, xs=None, length=None, reverse=False, unroll=1):
    from kcore import _tree

    def trace():
        x_specs = None if xs is None else _tree.map_structure(_without_axis, _specs(xs))
        carry, y = f(_specs(init), x_specs)
        n = length if xs is None else _leading_size(xs)
        ys = _tree.map_structure(lambda s: None if s is None else _with_leading(s, n), _specs(y))
        return _specs(carry), ys

    return _traced_or_probed("scan", trace, f, init, xs, length, reverse, unroll)


def _cumulative(c, x):
    return c + x, c * x


def _tuple_carry(c, x):
    total, count = c
    return (total + x, count + 1.0), total * x


@op(
    "core",
    tensors=(),
    shape_rule=_scan_spec,
    # No gradient checks here: the suite weights one output tensor and scan returns a
    # (carry, ys) pair; tests/test_ops_control.py checks scan's gradients.
    cases=_call_cases(
        ("float32", lambda rng: (_cumulative, _f32(rng, 3), _f32(rng, 4, 3)), {}, False),
        (
            "float32-reverse",
            lambda rng: (_cumulative, _f32(rng, 2), _f32(rng, 3, 2)),
            {"reverse": True},
            False,
        ),
        (
            "float32-unroll",
            lambda rng: (_cumulative, _f32(rng, 2), _f32(rng, 5, 2)),
            {"unroll": 2},
            False,
        ),
        (
            "length-no-xs",
            lambda rng: (lambda c, _: (c * 2.0, c + 1.0), _f32(rng, 2), None),
            {"length": 3},
            False,
        ),
        (
            "int32",
            lambda rng: (
                _cumulative,
                np.array([1, 2], "int32"),
                np.array([[1, 2], [3, -1]], "int32"),
            ),
            {},
            False,
        ),
        (
            "tuple-carry",
            lambda rng: (
                _tuple_carry,
                (np.array(0.5, "float32"), np.array(0.0, "float32")),
                _f32(rng, 3),
            ),
            {},
            False,
        ),
    ),
)
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs`` (any nested
    structure of tensors), starting from ``carry = init``; returns the last ``carry``
    and the ``y``'s stacked along a new leading axis.

    Without ``xs``, ``f`` receives ``None`` as ``x`` and runs ``length`` times;
    ``reverse=True`` runs from the last slice to the first (``ys`` stay in the order of
    ``xs``); ``unroll`` is a hint for compiled loops.

    Example::

        >>> total, partial = kcore.ops.scan(lambda c, x: (c + x, c + x), 0.0, xs)
    """
    ...


def _associative_scan_spec(f, elems, reverse=False, axis=0):
    def trace():
        specs = _specs(elems)
        return f(specs, specs)

    return _traced_or_probed("associative_scan", trace, f, elems, reverse, axis)


@op(
    "core",
    tensors=(),
    shape_rule=_associative_scan_spec,
    cases=_call_cases(
        ("float32-add", lambda rng: (_add, _f32(rng, 5)), {}, True),
        (
            "float32-mul-axis1",
            lambda rng: (_mul, _f32(rng, 2, 4, low=0.5, high=1.5)),
            {"axis": 1},
            True,
        ),
        ("float32-add-reverse", lambda rng: (_add, _f32(rng, 4, 3)), {"reverse": True}, True),
        (
            "int32-add-axis-1",
            lambda rng: (_add, np.arange(12, dtype="int32").reshape(3, 4)),
            {"axis": -1},
            False,
        ),
        (
            "pair",
            lambda rng: (lambda a, b: (a[0] + b[0], a[1] * b[1]), (_f32(rng, 6), _f32(rng, 6))),
            {},
            False,
        ),
    ),
)
def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of ``elems`` along ``axis`` with the associative binary ``f``:
    the ``k``-th result combines the first ``k + 1`` elements, ``[a, f(a, b),
    f(f(a, b), c), ...]``, computed in parallel where the backend can.

    ``f`` must be associative and apply element-wise to slices (nested structures of
    tensors follow ``elems``' structure); ``reverse=True`` scans from the end.

    Example::

        >>> kcore.ops.associative_scan(lambda a, b: a + b, kcore.ops.arange(5))
        [0, 1, 3, 6, 10]
    """
    ...


def _mapped_spec(name, f, xs):
    """The symbolic answer of ``map`` and ``vectorized_map`` (op ``name``): ``f`` traced
    on one slice of ``xs``, its results given ``xs``' leading size."""
    from kcore import _tree

    def trace():
        n = _leading_size(xs)
        y = f(_tree.map_structure(_without_axis, _specs(xs)))
        return _tree.map_structure(lambda s: _with_leading(s, n), _specs(y))

    return _traced_or_probed(name, trace, f, xs)


def _map_spec(f, xs):
    return _mapped_spec("map", f, xs)


@op(
    "core",
    composite=True,
    tensors=(),
    shape_rule=_map_spec,
    cases=_call_cases(
        ("float32", lambda rng: (lambda x: x * 2.0 + 1.0, _f32(rng, 3, 2)), {}, True),
        ("float32-matmul", lambda rng: (lambda x: x @ x, _f32(rng, 2, 3, 3)), {}, True),
        ("int32", lambda rng: (lambda x: x * x, np.array([[1, 2], [3, 4]], "int32")), {}, False),
        ("pair", lambda rng: (lambda p: p[0] * p[1], (_f32(rng, 4), _f32(rng, 4))), {}, False),
    ),
)
def map(f, xs):
    """``f`` applied to each slice of ``xs`` along its leading axis (``xs`` may be a
    nested structure), the results stacked along a new leading axis.

    Example::

        >>> kcore.ops.map(lambda row: row * 2, kcore.ops.convert_to_tensor([[1, 2], [3, 4]]))
        [[2, 4], [6, 8]]
    """
    return ops.scan(lambda carry, x: (carry, f(x)), (), xs)[1]


def _vectorized_map_spec(function, elements):
    return _mapped_spec("vectorized_map", function, elements)


@op(
    "core",
    composite=True,
    tensors=(),
    shape_rule=_vectorized_map_spec,
    cases=_call_cases(
        ("float32", lambda rng: (lambda x: x * x - 1.0, _f32(rng, 4, 2)), {}, True),
        ("float32-matmul", lambda rng: (lambda x: x @ x, _f32(rng, 3, 2, 2)), {}, True),
        (
            "pair",
            lambda rng: (lambda p: p[0] + p[1], [_f32(rng, 3, 2), _f32(rng, 3, 2)]),
            {},
            False,
        ),
    ),
)
def vectorized_map(function, elements):
    """``function`` applied to each slice of ``elements`` along the leading axis, the
    results stacked; vectorized where the backend can (``jax.vmap``, ``torch.vmap``,
    ``tf.vectorized_map``). A structure of tensors is sliced together, and ``function``
    receives the same structure.

    Example::

        >>> kcore.ops.vectorized_map(lambda row: row * 2, x)
    """
    return ops.map(function, elements)
