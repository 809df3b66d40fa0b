"""Shape manipulation, joining, splitting, indexing and sorting (``keras.ops.numpy``).

Declarations only; see :mod:`kcore.ops.contract`. Index results (``argsort``,
``nonzero``, ``searchsorted``...) are ``int32``, as Keras 3 gives on JAX.
"""

from __future__ import annotations

import operator
from typing import Any

import attrs
import numpy as np

from kcore import _tree, ops
from kcore.ops import rules
from kcore.ops.cases import FLOATS, Case, array
from kcore.ops.contract import op

# -- helpers shared with the backends ---------------------------------------------------

#: The modes of :func:`pad` (``"circular"`` is ``"wrap"``).
PAD_MODES = (
    "constant",
    "edge",
    "linear_ramp",
    "maximum",
    "mean",
    "median",
    "minimum",
    "reflect",
    "symmetric",
    "wrap",
    "empty",
    "circular",
)


def _pad_widths(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    """``pad_width`` (an int, ``(n,)``, ``(before, after)`` or one pair per axis) as
    one ``(before, after)`` pair of ints per axis."""
    if hasattr(pad_width, "tolist"):
        pad_width = pad_width.tolist()
    if isinstance(pad_width, int):
        pairs = [(pad_width, pad_width)] * ndim
    else:
        pad_width = list(pad_width)
        if pad_width and not isinstance(pad_width[0], list | tuple):
            pad_width = [pad_width]
        pairs = [tuple(p) if len(p) == 2 else (p[0], p[0]) for p in pad_width]
        if len(pairs) == 1:
            pairs = pairs * ndim
    if len(pairs) != ndim:
        raise ValueError(
            f"pad_width must give one (before, after) pair per axis of the rank-{ndim} "
            f"tensor, got {len(pairs)} pairs"
        )
    out = [(operator.index(b), operator.index(a)) for b, a in pairs]
    if any(b < 0 or a < 0 for b, a in out):
        raise ValueError(f"pad_width must be non-negative, got {out}")
    return out


def _pad_mode(mode: str, constant_values: Any) -> str:
    """The canonical pad mode, after checking ``constant_values`` goes with it."""
    if mode not in PAD_MODES:
        raise ValueError(f"pad mode must be one of {', '.join(PAD_MODES)}; got {mode!r}")
    if constant_values is not None and mode != "constant":
        raise ValueError(f"constant_values is only allowed with mode='constant', got mode={mode!r}")
    return "wrap" if mode == "circular" else mode


def _pad_indices(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For the index-copying pad modes: which element of an axis of ``size`` each
    position of the padded axis copies."""
    return np.pad(np.arange(size), (before, after), mode=mode)


def _normalize_axis(axis: int, ndim: int) -> int:
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for a tensor of rank {ndim}")
    return axis % ndim if ndim else 0


def _split_indices(size: int, sections: int) -> list[int]:
    """Where ``array_split`` cuts an axis of ``size`` into ``sections`` parts."""
    if sections <= 0:
        raise ValueError(f"the number of sections must be positive, got {sections}")
    small, extra = divmod(size, sections)
    sizes = [small + 1] * extra + [small] * (sections - extra)
    cuts, total = [], 0
    for s in sizes[:-1]:
        total += s
        cuts.append(total)
    return cuts


def _unique_result(values, index, inverse, counts, flags, cast=None):
    """``unique``'s return value: ``values`` alone, or a tuple of it and the arrays
    ``flags`` (``return_index``, ``return_inverse``, ``return_counts``) ask for, each
    passed through ``cast`` (to the index dtype) when given."""
    extras = [a for a, wanted in zip((index, inverse, counts), flags, strict=True) if wanted]
    if not extras:
        return values
    return (values, *(map(cast, extras) if cast is not None else extras))


# -- symbolic shape rules ------------------------------------------------------------


def _kt(shape, dtype):
    from kcore.keras_tensor import KerasTensor

    return KerasTensor(tuple(shape), dtype)


def _reshape_rule(x, newshape):
    newshape = (newshape,) if isinstance(newshape, int) else tuple(newshape)
    shape = list(newshape)
    if -1 in shape:
        known = [d for d in newshape if d != -1]
        if None in x.shape:
            shape[shape.index(-1)] = None
        else:
            total = int(np.prod(x.shape, dtype=np.int64))
            rest = int(np.prod(known, dtype=np.int64))
            if rest == 0 or total % rest:
                raise ValueError(f"cannot reshape a tensor of shape {x.shape} to {newshape}")
            shape[shape.index(-1)] = total // rest
    elif None not in x.shape and int(np.prod(x.shape)) != int(np.prod(shape)):
        raise ValueError(f"cannot reshape a tensor of shape {x.shape} to {newshape}")
    return _kt(shape, x.dtype)


def _broadcast_to_rule(x, shape):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if len(x.shape) > len(shape):
        raise ValueError(f"cannot broadcast a tensor of shape {x.shape} to {shape}")
    for d, s in zip(reversed(x.shape), reversed(shape)):
        if d not in (None, 1, s):
            raise ValueError(f"cannot broadcast a tensor of shape {x.shape} to {shape}")
    return _kt(shape, x.dtype)


def _pad_rule(x, pad_width, mode="constant", constant_values=None):
    _pad_mode(mode, constant_values)
    pairs = _pad_widths(pad_width, len(x.shape))
    shape = [None if d is None else d + b + a for d, (b, a) in zip(x.shape, pairs)]
    return _kt(shape, x.dtype)


def _squeeze_rule(x, axis=None):
    # Frameworks tracing with unknown dimensions lose the rank here; a None is kept.
    if axis is None:
        return _kt([d for d in x.shape if d != 1], x.dtype)
    axes = {_normalize_axis(a, len(x.shape)) for a in ((axis,) if isinstance(axis, int) else axis)}
    for a in axes:
        if x.shape[a] not in (1, None):
            raise ValueError(f"cannot squeeze axis {a} of size {x.shape[a]} (not 1)")
    return _kt([d for i, d in enumerate(x.shape) if i not in axes], x.dtype)


def _nonzero_rule(x):
    return tuple(_kt((None,), "int32") for _ in x.shape)


def _unique_rule(
    x,
    sorted=True,
    return_index=False,
    return_inverse=False,
    return_counts=False,
    axis=None,
    size=None,
    fill_value=None,
):
    shape = list(x.shape)
    if axis is None:
        values_shape = (size,)
        inverse_shape = tuple(shape)
        count_shape = (size,)
    else:
        axis = _normalize_axis(axis, len(shape))
        values_shape = (*shape[:axis], size, *shape[axis + 1 :])
        inverse_shape = (shape[axis],)
        count_shape = (size,)
    outs = [_kt(values_shape, x.dtype)]
    if return_index:
        outs.append(_kt(count_shape, "int32"))
    if return_inverse:
        outs.append(_kt(inverse_shape, "int32"))
    if return_counts:
        outs.append(_kt(count_shape, "int32"))
    return outs[0] if len(outs) == 1 else tuple(outs)


# -- conformance cases -----------------------------------------------------------------


@attrs.frozen
class _A:
    """An array to generate for a case: ``distinct`` gives values without ties,
    ``sorted_`` an increasing sequence."""

    shape: tuple[int, ...]
    dtype: str = "float32"
    low: float = -3.0
    high: float = 3.0
    distinct: bool = False
    sorted_: bool = False
    values: Any = None


def _realize(a: _A, rng: np.random.Generator) -> np.ndarray:
    if a.values is not None:
        return np.asarray(a.values, dtype=a.dtype)
    if a.distinct or a.sorted_:
        n = int(np.prod(a.shape, dtype=np.int64))
        values = rng.permutation(n) if a.distinct else np.arange(n)
        if a.dtype == "bool":
            return (values % 2).astype(bool).reshape(a.shape)
        scale = 0.5 if a.dtype in FLOATS else 1
        values = values * scale - (n // 2 if a.dtype not in ("uint8",) else 0) * scale
        return np.asarray(values, dtype=a.dtype).reshape(a.shape)
    return array(rng, a.shape, a.dtype, a.low, a.high)


def _cases(*specs: tuple) -> Any:
    """Cases from ``(id, args, kwargs[, grad])`` tuples whose arrays are ``_A`` markers;
    a case is dropped when one of its dtypes is not supported. Gradients are checked
    when ``grad`` (default True) and the positional arrays are all floats."""

    def make(spec, rng, supported):
        out = []
        for item in specs:
            label, args, kwargs = item[:3]
            grad = item[3] if len(item) > 3 else True
            markers = [v for v in _tree.flatten((args, kwargs)) if isinstance(v, _A)]
            if any(m.dtype not in supported for m in markers):
                continue
            realized_args, realized_kwargs = _tree.map_structure(
                lambda v: _realize(v, rng) if isinstance(v, _A) else v, (args, kwargs)
            )
            positional = [a for a in realized_args if isinstance(a, np.ndarray)]
            grad = (
                grad
                and len(positional) == len(_tree.flatten(realized_args))
                and bool(positional)
                and all(a.dtype.name in FLOATS for a in positional)
            )
            out.append(Case(label, tuple(realized_args), dict(realized_kwargs), grad))
        return out

    return make


def _no_cases(spec, rng, supported):
    # The op returns a Python int, not a tensor; tests/test_ops_shapes.py checks it.
    return []


def _dtype_cases(shape, kwargs_list, dtypes=("float32", "int32", "bool"), **marker):
    return tuple(
        (
            "-".join(
                [dtype, "x".join(map(str, shape)) or "scalar", *(f"{k}{v}" for k, v in kw.items())]
            ),
            (_A(shape, dtype, **marker),),
            kw,
        )
        for dtype in dtypes
        for kw in kwargs_list
    )


# -- joining -------------------------------------------------------------------------


def _stack_rule(values):
    xs, axis = values.get("x"), values.get("axis", 0)
    shapes = [rules._shape(x) for x in xs] if isinstance(xs, list | tuple) else None
    if not shapes or any(s is None for s in shapes):
        return None
    if len(set(shapes)) > 1:
        return f"tensors of one shape, got shapes {', '.join(map(str, shapes))}"
    ndim = len(shapes[0]) + 1
    if not isinstance(axis, int) or not -ndim <= axis < ndim:
        return f"axis in [-{ndim}, {ndim}) for the rank-{ndim} result, got {axis!r}"
    return None


def _concatenate_rule(values):
    xs, axis = values.get("xs"), values.get("axis", 0)
    shapes = [rules._shape(x) for x in xs] if isinstance(xs, list | tuple) else None
    if not shapes or any(s is None for s in shapes):
        return None
    if len({len(s) for s in shapes}) > 1:
        return f"tensors of one rank, got shapes {', '.join(map(str, shapes))}"
    if axis is None:
        return None
    ndim = len(shapes[0])
    if not -ndim <= axis < ndim:
        return f"axis in [-{ndim}, {ndim}) for tensors of rank {ndim}, got {axis}"
    axis %= ndim
    for i in range(ndim):
        sizes = {s[i] for s in shapes if s[i] is not None}
        if i != axis and len(sizes) > 1:
            return (
                f"tensors whose shapes agree except along axis {axis}, got shapes "
                f"{', '.join(map(str, shapes))}"
            )
    return None


@op(
    "numpy",
    tensors=("xs",),
    expect=_concatenate_rule,
    cases=_cases(
        ("f32-axis0", ([_A((2, 3)), _A((1, 3))],), {"axis": 0}),
        ("f32-axis1", ([_A((2, 3)), _A((2, 2)), _A((2, 1))],), {"axis": -1}),
        ("f32-axisNone", ([_A((2, 3)), _A((4,))],), {"axis": None}),
        ("i32+f32", ([_A((2, 3), "int32"), _A((2, 3))],), {"axis": 0}),
        ("i8+u8", ([_A((2,), "int8"), _A((2,), "uint8")],), {"axis": 0}),
        ("bool", ([_A((2,), "bool"), _A((3,), "bool")],), {}),
        ("f16+f32", ([_A((2,), "float16"), _A((3,), "float32")],), {}),
    ),
)
def concatenate(xs, axis=0):
    """Join a sequence of tensors along an existing axis (all of them flattened when
    ``axis`` is ``None``); the result has the promoted dtype of the inputs.

    Example::

        >>> kcore.ops.concatenate([[[1, 2]], [[3, 4]]], axis=0)   # tensor [[1, 2], [3, 4]]
    """
    ...


@op(
    "numpy",
    tensors=("x",),
    expect=_stack_rule,
    cases=_cases(
        ("f32-axis0", ([_A((2, 3)), _A((2, 3))],), {"axis": 0}),
        ("f32-axis-1", ([_A((2, 3)), _A((2, 3)), _A((2, 3))],), {"axis": -1}),
        ("f32-axis1", ([_A((2, 3)), _A((2, 3))],), {"axis": 1}),
        ("i32+f32", ([_A((2,), "int32"), _A((2,))],), {}),
        ("bool", ([_A((2,), "bool"), _A((2,), "bool")],), {}),
        ("scalars", ([_A(()), _A(())],), {}),
    ),
)
def stack(x, axis=0):
    """Join a sequence of tensors of one shape along a new axis.

    Example::

        >>> kcore.ops.stack([[1, 2], [3, 4]], axis=1)   # tensor [[1, 3], [2, 4]]
    """
    ...


def _at_least(ops, x, rank):
    shape = ops.shape(x)
    if len(shape) >= rank:
        return x
    if rank == 2:
        return ops.reshape(x, (1, -1) if len(shape) == 1 else (1, 1))
    if len(shape) == 0:
        return ops.reshape(x, (1, 1, 1))
    if len(shape) == 1:
        return ops.reshape(x, (1, -1, 1))
    return ops.expand_dims(x, -1)


@op(
    "numpy",
    composite=True,
    tensors=("xs",),
    grad=False,
    cases=_cases(
        ("1d", ([_A((2,)), _A((3,), "int32")],), {}),
        ("2d", ([_A((2, 3)), _A((2, 1))],), {}),
        ("scalars", ([_A(()), _A(())],), {}),
    ),
)
def hstack(xs):
    """Join tensors column-wise: along the first axis for 1-D tensors, the second
    otherwise.

    Example::

        >>> kcore.ops.hstack([[1, 2], [3]])   # tensor [1, 2, 3]
    """
    xs = [ops.reshape(x, (1,)) if len(ops.shape(x)) == 0 else x for x in xs]
    axis = 0 if all(len(ops.shape(x)) == 1 for x in xs) else 1
    return ops.concatenate(xs, axis=axis)


@op(
    "numpy",
    composite=True,
    tensors=("xs",),
    grad=False,
    cases=_cases(
        ("1d", ([_A((3,)), _A((3,), "int32")],), {}),
        ("2d", ([_A((2, 3)), _A((1, 3))],), {}),
        ("mixed", ([_A((3,)), _A((2, 3))],), {}),
    ),
)
def vstack(xs):
    """Join tensors row-wise (along the first axis, 1-D tensors as rows).

    Example::

        >>> kcore.ops.vstack([[1, 2], [3, 4]])   # tensor [[1, 2], [3, 4]]
    """
    return ops.concatenate([_at_least(ops, x, 2) for x in xs], axis=0)


@op(
    "numpy",
    composite=True,
    tensors=("xs",),
    grad=False,
    cases=_cases(
        ("1d", ([_A((3,)), _A((3,), "int32")],), {}),
        ("2d", ([_A((2, 3)), _A((2, 3))],), {}),
        ("3d", ([_A((2, 3, 1)), _A((2, 3, 2))],), {}),
    ),
)
def dstack(xs):
    """Join tensors depth-wise (along the third axis, lower ranks promoted to 3-D).

    Example::

        >>> kcore.ops.dstack([[1, 2], [3, 4]])   # tensor [[[1, 3], [2, 4]]]
    """
    return ops.concatenate([_at_least(ops, x, 3) for x in xs], axis=2)


@op(
    "numpy",
    composite=True,
    tensors=("x1", "x2"),
    cases=_cases(
        ("f32-axisNone", (_A((2, 3)), _A((2,))), {}),
        ("f32-axis0", (_A((2, 3)), _A((1, 3))), {"axis": 0}),
        ("f32-axis1", (_A((2, 3)), _A((2, 2))), {"axis": 1}),
        ("i32+f32", (_A((2,), "int32"), _A((3,))), {}),
        ("bool", (_A((2,), "bool"), _A((1,), "bool")), {}),
    ),
)
def append(x1, x2, axis=None):
    """Append ``x2`` to ``x1`` along ``axis`` (both flattened when ``axis`` is None).

    Example::

        >>> kcore.ops.append([1, 2], [3])   # tensor [1, 2, 3]
    """
    if axis is None:
        return ops.concatenate([ops.ravel(x1), ops.ravel(x2)], axis=0)
    return ops.concatenate([x1, x2], axis=axis)


# -- splitting -------------------------------------------------------------------------


def _split_rule(values):
    x, sections, axis = values.get("x"), values.get("indices_or_sections"), values.get("axis", 0)
    shape = rules._shape(x)
    if shape is None:
        return None
    broken = rules.axis()({"x": x, "axis": axis})
    if broken:
        return broken
    if isinstance(sections, int) and shape[axis] is not None and shape[axis] % sections:
        return (
            f"indices_or_sections ({sections}) to divide axis {axis} of size {shape[axis]} "
            "equally (array_split allows unequal parts)"
        )
    return None


@op(
    "numpy",
    tensors=("x",),
    expect=_split_rule,
    grad=False,
    cases=_cases(
        ("f32-3-axis1", (_A((2, 6)), 3), {"axis": 1}),
        ("f32-indices-axis0", (_A((4, 3)), [1, 3]), {"axis": 0}),
        ("i32-indices-axis1", (_A((2, 5), "int32"), [2]), {"axis": -1}),
        ("bool-2-axis1", (_A((3, 4), "bool"), 2), {"axis": 1}),
        ("f32-empty-part", (_A((2, 4)), [0, 2, 2]), {"axis": 1}),
    ),
)
def split(x, indices_or_sections, axis=0):
    """Split a tensor into equal parts (an int) or at the given indices (a list) along
    ``axis``; returns a list of tensors.

    Example::

        >>> kcore.ops.split([1, 2, 3, 4], 2)   # [tensor [1, 2], tensor [3, 4]]
    """
    ...


@op(
    "numpy",
    tensors=("x",),
    composite=True,
    expect=rules.axis(),
    grad=False,
    cases=_cases(
        ("f32-5by3-axis1", (_A((2, 5)), 3), {"axis": 1}),
        ("i32-7by4-axis1", (_A((2, 7), "int32"), 4), {"axis": 1}),
        ("f32-indices", (_A((5, 2)), [2]), {"axis": 0}),
        ("f32-even", (_A((2, 4)), 2), {"axis": -1}),
    ),
)
def array_split(x, indices_or_sections, axis=0):
    """Split a tensor like :func:`split`, allowing a number of parts that does not
    divide the axis (the first parts are one longer).

    Example::

        >>> kcore.ops.array_split([1, 2, 3], 2)   # [tensor [1, 2], tensor [3]]
    """
    if isinstance(indices_or_sections, int):
        shape = ops.shape(x)
        size = shape[_normalize_axis(axis, len(shape))]
        if size is None:
            raise ValueError("array_split needs a known size along the split axis")
        indices_or_sections = _split_indices(size, indices_or_sections)
    return ops.split(x, indices_or_sections, axis=axis)


def _fixed_axis_split(axis, name, min_rank):
    def body(ops, x, indices_or_sections):
        rank = len(ops.shape(x))
        if rank < min_rank:
            raise ValueError(f"{name} needs a tensor of rank {min_rank} or more, got rank {rank}")
        return ops.split(x, indices_or_sections, axis=0 if rank == 1 and axis == 1 else axis)

    return body


@op(
    "numpy",
    tensors=("x",),
    composite=True,
    grad=False,
    cases=_cases(
        ("f32-2d", (_A((2, 4)), 2), {}),
        ("i32-1d", (_A((6,), "int32"), [2, 4]), {}),
        ("f32-indices", (_A((2, 5, 1)), [1, 4]), {}),
    ),
)
def hsplit(x, indices_or_sections):
    """Split a tensor column-wise (along axis 1; axis 0 for 1-D tensors).

    Example::

        >>> kcore.ops.hsplit([[1, 2], [3, 4]], 2)   # [tensor [[1], [3]], tensor [[2], [4]]]
    """
    return _fixed_axis_split(1, "hsplit", 1)(ops, x, indices_or_sections)


@op(
    "numpy",
    tensors=("x",),
    composite=True,
    grad=False,
    cases=_cases(
        ("f32-2d", (_A((4, 2)), [2]), {}),
        ("i32-indices", (_A((5, 2), "int32"), [1, 3]), {}),
    ),
)
def vsplit(x, indices_or_sections):
    """Split a tensor row-wise (along axis 0; rank 2 or more).

    Example::

        >>> kcore.ops.vsplit([[1, 2], [3, 4]], 2)   # [tensor [[1, 2]], tensor [[3, 4]]]
    """
    return _fixed_axis_split(0, "vsplit", 2)(ops, x, indices_or_sections)


@op(
    "numpy",
    tensors=("x",),
    composite=True,
    grad=False,
    cases=_cases(
        ("f32-3d", (_A((2, 2, 4)), 2), {}),
        ("i32-indices", (_A((2, 1, 5), "int32"), [1, 3]), {}),
    ),
)
def dsplit(x, indices_or_sections):
    """Split a tensor depth-wise (along axis 2; rank 3 or more).

    Example::

        >>> kcore.ops.dsplit(kcore.ops.ones((1, 1, 4)), 2)   # two tensors of shape (1, 1, 2)
    """
    return _fixed_axis_split(2, "dsplit", 3)(ops, x, indices_or_sections)


# -- reshaping -------------------------------------------------------------------------


def _reshape_expect(values):
    shape = rules._shape(values.get("x"))
    newshape = values.get("newshape")
    if shape is None or None in shape:
        return None
    newshape = (newshape,) if isinstance(newshape, int) else tuple(newshape)
    total = int(np.prod(shape, dtype=np.int64))
    if list(newshape).count(-1) > 1:
        return f"at most one -1 in newshape, got {newshape}"
    known = int(np.prod([d for d in newshape if d != -1], dtype=np.int64))
    if -1 in newshape and (known == 0 or total % known) or -1 not in newshape and known != total:
        return f"a newshape with {total} elements (as x has), got {newshape}"
    return None


@op(
    "numpy",
    tensors=("x",),
    expect=_reshape_expect,
    shape_rule=_reshape_rule,
    cases=_cases(
        *_dtype_cases((2, 3), [{"newshape": (3, 2)}, {"newshape": (-1,)}]),
        ("f32-infer", (_A((2, 3, 2)),), {"newshape": (2, -1, 2)}),
        ("f32-to-scalar", (_A((1,)),), {"newshape": ()}),
        ("f32-int", (_A((2, 2)),), {"newshape": 4}),
    ),
)
def reshape(x, newshape):
    """Give a tensor a new shape with the same number of elements; one dimension may
    be ``-1``, inferred from the others.

    Example::

        >>> kcore.ops.reshape([1, 2, 3, 4], (2, -1))   # tensor [[1, 2], [3, 4]]
    """
    ...


@op(
    "numpy",
    composite=True,
    cases=_cases(*_dtype_cases((2, 3), [{}]), ("f32-scalar", (_A(()),), {})),
)
def ravel(x):
    """Flatten a tensor to one dimension.

    Example::

        >>> kcore.ops.ravel([[1, 2], [3, 4]])   # tensor [1, 2, 3, 4]
    """
    return ops.reshape(x, (-1,))


@op(
    "numpy",
    tensors=("x",),
    expect=lambda values: _broadcast_expect(values),
    shape_rule=_broadcast_to_rule,
    cases=_cases(
        *_dtype_cases((3,), [{"shape": (2, 3)}]),
        ("f32-2x1", (_A((2, 1)),), {"shape": (4, 2, 3)}),
        ("f32-scalar", (_A(()),), {"shape": (2,)}),
    ),
)
def broadcast_to(x, shape):
    """Broadcast a tensor to ``shape`` (NumPy broadcasting rules).

    Example::

        >>> kcore.ops.broadcast_to([1, 2], (2, 2))   # tensor [[1, 2], [1, 2]]
    """
    ...


def _expand_dims_rule(values):
    shape, axis = rules._shape(values.get("x")), values.get("axis")
    if shape is None:
        return None
    axes = axis if isinstance(axis, list | tuple) else (axis,)
    rank = len(shape) + len(axes)
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, int):
            return f"axis to be an int or a tuple of ints, got {axis!r}"
        if not -rank <= a < rank:
            return f"axis in [-{rank}, {rank}) for a rank-{rank} result, got {axis!r}"
    if len({a % rank for a in axes}) != len(axes):
        return f"distinct axes, got {axis!r}"
    return None


def _broadcast_expect(values):
    try:
        _broadcast_to_rule(_Shaped(rules._shape(values["x"])), values["shape"])
    except (ValueError, TypeError):
        return f"a shape that x {rules._shape(values['x'])} broadcasts to, got {values['shape']}"
    return None


class _Shaped:
    def __init__(self, shape):
        self.shape = shape
        self.dtype = "float32"


@op(
    "numpy",
    tensors=("x",),
    expect=_expand_dims_rule,
    cases=_cases(
        *_dtype_cases((2, 3), [{"axis": 0}, {"axis": -1}]),
        ("f32-tuple", (_A((2, 3)),), {"axis": (0, 2)}),
        ("f32-scalar", (_A(()),), {"axis": 0}),
    ),
)
def expand_dims(x, axis):
    """Insert a dimension of size 1 at ``axis`` (or at each of a tuple of axes).

    Example::

        >>> kcore.ops.expand_dims([1, 2], 0)   # tensor [[1, 2]]
    """
    ...


@op(
    "numpy",
    expect=rules.axis(),
    shape_rule=_squeeze_rule,
    cases=_cases(
        *_dtype_cases((2, 1, 3), [{}, {"axis": 1}]),
        ("f32-tuple", (_A((2, 1, 1)),), {"axis": (1, -1)}),
        ("f32-3x1", (_A((3, 1)),), {}),
    ),
)
def squeeze(x, axis=None):
    """Remove dimensions of size 1 (those at ``axis``, or all of them).

    Example::

        >>> kcore.ops.squeeze([[1], [2]], axis=1)   # tensor [1, 2]
    """
    ...


def _axes_expect(values):
    axes = values.get("axes")
    shape = rules._shape(values.get("x"))
    if axes is None or shape is None:
        return None
    if sorted(a % len(shape) if -len(shape) <= a < len(shape) else a for a in axes) != list(
        range(len(shape))
    ):
        return f"axes to be a permutation of the {len(shape)} axes of x, got {axes!r}"
    return None


@op(
    "numpy",
    expect=_axes_expect,
    cases=_cases(
        *_dtype_cases((2, 3), [{}]),
        ("f32-3d", (_A((2, 3, 4)),), {"axes": (1, 2, 0)}),
        ("f32-3d-default", (_A((2, 3, 4)),), {}),
        ("f32-negative", (_A((2, 3, 4)),), {"axes": (0, -1, 1)}),
    ),
)
def transpose(x, axes=None):
    """Permute a tensor's axes (reverse them when ``axes`` is None).

    Example::

        >>> kcore.ops.transpose([[1, 2], [3, 4]])   # tensor [[1, 3], [2, 4]]
    """
    ...


@op(
    "numpy",
    expect=rules.all_of(rules.axis(name="axis1"), rules.axis(name="axis2")),
    tensors=("x",),
    composite=True,
    cases=_cases(
        *_dtype_cases((2, 3, 4), [{"axis1": 0, "axis2": 2}]),
        ("f32-negative", (_A((2, 3)),), {"axis1": -1, "axis2": 0}),
    ),
)
def swapaxes(x, axis1, axis2):
    """Interchange two axes of a tensor.

    Example::

        >>> kcore.ops.swapaxes([[1, 2]], 0, 1)   # tensor [[1], [2]]
    """
    ndim = len(ops.shape(x))
    axes = list(range(ndim))
    a, b = _normalize_axis(axis1, ndim), _normalize_axis(axis2, ndim)
    axes[a], axes[b] = axes[b], axes[a]
    return ops.transpose(x, axes)


@op(
    "numpy",
    expect=rules.all_of(rules.axis(name="source"), rules.axis(name="destination")),
    tensors=("x",),
    cases=_cases(
        *_dtype_cases((2, 3, 4), [{"source": 0, "destination": -1}]),
        ("f32-tuple", (_A((2, 3, 4)),), {"source": (0, 1), "destination": (2, 0)}),
    ),
)
def moveaxis(x, source, destination):
    """Move axes of a tensor to new positions; the other axes keep their order.

    Example::

        >>> kcore.ops.moveaxis(kcore.ops.zeros((2, 3, 4)), 0, -1).shape   # (3, 4, 2)
    """
    ...


@op(
    "numpy",
    expect=rules.axis(),
    cases=_cases(
        *_dtype_cases((2, 3), [{}, {"axis": 1}]),
        ("f32-tuple", (_A((2, 3, 2)),), {"axis": (0, 2)}),
    ),
)
def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None).

    Example::

        >>> kcore.ops.flip([1, 2, 3])   # tensor [3, 2, 1]
    """
    ...


@op("numpy", composite=True, cases=_cases(*_dtype_cases((2, 3), [{}])))
def fliplr(x):
    """Reverse the order of elements along axis 1 (left/right).

    Example::

        >>> kcore.ops.fliplr([[1, 2]])   # tensor [[2, 1]]
    """
    return ops.flip(x, axis=1)


@op(
    "numpy",
    composite=True,
    cases=_cases(*_dtype_cases((2, 3), [{}]), ("f32-1d", (_A((3,)),), {})),
)
def flipud(x):
    """Reverse the order of elements along axis 0 (up/down).

    Example::

        >>> kcore.ops.flipud([[1], [2]])   # tensor [[2], [1]]
    """
    return ops.flip(x, axis=0)


@op(
    "numpy",
    composite=True,
    cases=_cases(
        *_dtype_cases((2, 3), [{}]),
        ("f32-k2", (_A((2, 3)),), {"k": 2}),
        ("f32-k-1", (_A((2, 3, 2)),), {"k": -1, "axes": (1, 2)}),
        ("f32-k3", (_A((2, 3)),), {"k": 3}),
        ("f32-k4", (_A((2, 3)),), {"k": 4}),
    ),
)
def rot90(array, k=1, axes=(0, 1)):
    """Rotate a tensor by 90 degrees ``k`` times in the plane of ``axes`` (from the
    first axis towards the second).

    Example::

        >>> kcore.ops.rot90([[1, 2], [3, 4]])   # tensor [[2, 4], [1, 3]]
    """
    ndim = len(ops.shape(array))
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError(f"axes must name two axes, got {axes}")
    a, b = _normalize_axis(axes[0], ndim), _normalize_axis(axes[1], ndim)
    if a == b:
        raise ValueError(f"axes must name two different axes, got {axes}")
    k %= 4
    if k == 0:
        return array
    if k == 2:
        return ops.flip(array, axis=(a, b))
    perm = list(range(ndim))
    perm[a], perm[b] = perm[b], perm[a]
    if k == 1:
        return ops.transpose(ops.flip(array, axis=b), perm)
    return ops.flip(ops.transpose(array, perm), axis=b)


@op(
    "numpy",
    expect=rules.axis(),
    tensors=("x", "repeats"),
    cases=_cases(
        *_dtype_cases((2, 3), [{"repeats": 2}, {"repeats": 2, "axis": 1}]),
        ("f32-list", (_A((3, 3)),), {"repeats": [1, 0, 2], "axis": 1}),
        ("f32-scalar", (_A(()),), {"repeats": 3}),
    ),
)
def repeat(x, repeats, axis=None):
    """Repeat each element ``repeats`` times (an int, or one count per element) along
    ``axis`` (the flattened tensor when None).

    Example::

        >>> kcore.ops.repeat([1, 2], 2)   # tensor [1, 1, 2, 2]
    """
    ...


@op(
    "numpy",
    tensors=("x",),
    cases=_cases(
        *_dtype_cases((2, 3), [{"repeats": 2}, {"repeats": (2, 1)}]),
        ("f32-more", (_A((3,)),), {"repeats": (2, 1, 2)}),
    ),
)
def tile(x, repeats):
    """Repeat a whole tensor ``repeats`` times (per axis, leading axes added as needed).

    Example::

        >>> kcore.ops.tile([1, 2], 2)   # tensor [1, 2, 1, 2]
    """
    ...


@op(
    "numpy",
    expect=rules.axis(),
    tensors=("x",),
    cases=_cases(
        *_dtype_cases((2, 3), [{"shift": 1}, {"shift": -1, "axis": 1}]),
        ("f32-tuple", (_A((2, 3)),), {"shift": (1, 2), "axis": (0, 1)}),
        ("f32-large", (_A((4,)),), {"shift": 6}),
    ),
)
def roll(x, shift, axis=None):
    """Roll elements along ``axis`` by ``shift`` places, wrapping around (over the
    flattened tensor when ``axis`` is None).

    Example::

        >>> kcore.ops.roll([1, 2, 3], 1)   # tensor [3, 1, 2]
    """
    ...


@op(
    "numpy",
    expect=rules.all_of(rules.axis(name="axis1"), rules.axis(name="axis2")),
    cases=_cases(
        *_dtype_cases((3, 3), [{}, {"offset": 1}]),
        ("f32-3d", (_A((2, 3, 4)),), {"offset": -1, "axis1": 1, "axis2": 2}),
        ("f32-rect", (_A((2, 4)),), {"offset": 2}),
    ),
)
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal of the 2-D slices over ``axis1``/``axis2``, moved to the last axis.

    Example::

        >>> kcore.ops.diagonal([[1, 2], [3, 4]])   # tensor [1, 4]
    """
    ...


@op(
    "numpy",
    tensors=("x",),
    shape_rule=_pad_rule,
    cases=_cases(
        *_dtype_cases((2, 3), [{"pad_width": ((1, 2), (0, 1))}]),
        ("f32-int", (_A((2, 3)),), {"pad_width": 1}),
        ("f32-constant", (_A((2, 3)),), {"pad_width": ((1, 1), (2, 0)), "constant_values": 1.5}),
        ("i32-constant", (_A((3,), "int32"),), {"pad_width": (1, 2), "constant_values": 7}),
        *(
            (f"f32-{mode}", (_A((3, 4)),), {"pad_width": ((2, 1), (1, 3)), "mode": mode})
            for mode in PAD_MODES
            if mode not in ("constant", "empty", "circular")
        ),
        ("f32-reflect-wide", (_A((3,)),), {"pad_width": (5, 4), "mode": "reflect"}),
        ("i32-edge", (_A((3,), "int32"),), {"pad_width": (2, 2), "mode": "edge"}),
    ),
)
def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad a tensor: ``pad_width`` is an int, ``(before, after)`` or one such pair per
    axis; ``mode`` is one of ``"constant"`` (with ``constant_values``, default 0),
    ``"edge"``, ``"linear_ramp"``, ``"maximum"``, ``"mean"``, ``"median"``,
    ``"minimum"``, ``"reflect"``, ``"symmetric"``, ``"wrap"`` (or ``"circular"``) and
    ``"empty"`` (unspecified values), as in NumPy.

    Example::

        >>> kcore.ops.pad([1, 2], (1, 2))   # tensor [0, 1, 2, 0, 0]
    """
    ...


# -- indexing ----------------------------------------------------------------------------


@op(
    "numpy",
    tensors=("x", "key"),
    cases=_cases(
        *_dtype_cases((3, 4), [{"key": 1}, {"key": (slice(None), -1)}]),
        ("f32-slices", (_A((3, 4)),), {"key": (slice(1, None), slice(None, None, 2))}),
        ("f32-ellipsis-none", (_A((2, 3, 4)),), {"key": (Ellipsis, None, 1)}),
        ("f32-negative-step", (_A((3, 4)),), {"key": slice(None, None, -1)}),
        ("f32-int-tensor", (_A((3, 4)),), {"key": _A((2,), "int32", values=[2, 0])}),
        (
            "f32-int-tensor-axis1",
            (_A((3, 4)),),
            {"key": (slice(None), _A((2,), "int32", values=[3, 1]))},
        ),
    ),
)
def get_item(x, key):
    """``x[key]``: basic indexing (ints, slices, ``None``, ``Ellipsis``) and indexing with
    an integer or boolean tensor.

    Example::

        >>> kcore.ops.get_item([[1, 2], [3, 4]], (slice(None), 1))   # tensor [2, 4]
    """
    ...


@op("numpy", composite=True, grad=False, cases=_no_cases)
def ndim(x):
    """The number of dimensions of a tensor, as a Python int.

    Example::

        >>> kcore.ops.ndim([[1, 2, 3]])   # 2
    """
    return len(ops.shape(x))


@op("numpy", composite=True, grad=False, cases=_no_cases)
def size(x):
    """The number of elements of a tensor, as a Python int (None when a dimension of a
    KerasTensor is unknown).

    Example::

        >>> kcore.ops.size([[1, 2, 3]])   # 3
    """
    shape = ops.shape(x)
    if None in shape:
        return None
    return int(np.prod(shape, dtype=np.int64))


def _view_rule(x, dtype=None):
    from kcore.dtypes import standardize_dtype

    if dtype is None:
        return _kt(x.shape, x.dtype)
    dtype = standardize_dtype(dtype)
    old, new = np.dtype(x.dtype).itemsize, np.dtype(dtype).itemsize
    shape = list(x.shape)
    if old != new:
        if not shape:
            raise ValueError("view: a scalar can only be viewed as a dtype of the same size")
        last = shape[-1]
        if last is not None:
            if last * old % new:
                raise ValueError(f"view: the last axis ({last} x {old} bytes) does not fit {dtype}")
            shape[-1] = last * old // new
    return _kt(shape, dtype)


@op(
    "numpy",
    grad=False,
    shape_rule=_view_rule,
    cases=_cases(
        ("f32-as-i32", (_A((2, 3)),), {"dtype": "int32"}),
        ("i32-as-f32", (_A((2, 3), "int32"),), {"dtype": "float32"}),
        ("f32-as-u8", (_A((2, 3)),), {"dtype": "uint8"}),
        ("u8-as-i16", (_A((2, 4), "uint8"),), {"dtype": "int16"}),
        ("i8-as-u8", (_A((3,), "int8"),), {"dtype": "uint8"}),
        ("f32-none", (_A((3,)),), {}),
    ),
)
def view(x, dtype=None):
    """Reinterpret a tensor's bytes as ``dtype`` (the last axis scales by the ratio of
    the item sizes); ``dtype=None`` gives the tensor unchanged.

    Example::

        >>> kcore.ops.view(kcore.ops.convert_to_tensor([1.0]), "int32")   # tensor [1065353216]
    """
    ...


@op(
    "numpy",
    expect=rules.axis(),
    tensors=("x", "indices"),
    cases=_cases(
        ("f32-axisNone", (_A((2, 3)),), {"indices": _A((2,), "int32", values=[5, 0])}),
        (
            "f32-axis0",
            (_A((3, 2)),),
            {"indices": _A((2, 2), "int32", values=[[2, 0], [1, 1]]), "axis": 0},
        ),
        ("f32-axis1-neg", (_A((2, 3)),), {"indices": _A((2,), "int32", values=[-1, 0]), "axis": 1}),
        (
            "i32-axis1",
            (_A((2, 3), "int32"),),
            {"indices": _A((1,), "int32", values=[2]), "axis": -1},
        ),
        (
            "bool-axis0",
            (_A((3,), "bool"),),
            {"indices": _A((2,), "int32", values=[0, 2]), "axis": 0},
        ),
        ("f32-int-indices", (_A((3,)),), {"indices": 1, "axis": 0}),
        ("f32-list-indices", (_A((3,)),), {"indices": [2, 1]}),
    ),
)
def take(x, indices, axis=None):
    """Take elements at ``indices`` along ``axis`` (of the flattened tensor when None);
    negative indices count from the end.

    Example::

        >>> kcore.ops.take([[1, 2], [3, 4]], [1], axis=1)   # tensor [[2], [4]]
    """
    ...


@op(
    "numpy",
    expect=rules.axis(),
    tensors=("x", "indices"),
    cases=_cases(
        (
            "f32-axis1",
            (_A((2, 3)),),
            {"indices": _A((2, 2), "int32", values=[[0, 2], [1, 1]]), "axis": 1},
        ),
        (
            "f32-axis0",
            (_A((2, 3)),),
            {"indices": _A((1, 3), "int32", values=[[1, 0, 1]]), "axis": 0},
        ),
        ("f32-axisNone", (_A((2, 3)),), {"indices": _A((3,), "int32", values=[5, 0, 3])}),
        (
            "i32-neg-axis",
            (_A((2, 3), "int32"),),
            {"indices": _A((2, 1), "int32", values=[[2], [0]]), "axis": -1},
        ),
        (
            "f32-broadcast",
            (_A((2, 3)),),
            {"indices": _A((1, 2), "int32", values=[[2, 0]]), "axis": 1},
        ),
    ),
)
def take_along_axis(x, indices, axis=None):
    """Take values from ``x`` at ``indices`` matched along ``axis`` (as NumPy's
    ``take_along_axis``; the flattened tensor when ``axis`` is None).

    Example::

        >>> kcore.ops.take_along_axis([[10, 30, 20]], [[0, 2]], axis=1)   # tensor [[10, 20]]
    """
    ...


@op(
    "numpy",
    tensors=("indices",),
    grad=False,
    cases=_cases(
        ("i32", (_A((3,), "int32", values=[1, 5, 3]),), {"shape": (2, 3)}),
        ("i32-2d", (_A((2, 2), "int32", values=[[0, 7], [23, 11]]),), {"shape": (2, 3, 4)}),
        ("i32-1d-shape", (_A((2,), "int32", values=[4, 2]),), {"shape": (5,)}),
    ),
)
def unravel_index(indices, shape):
    """Convert flat indices into a tuple of coordinate tensors for ``shape``.

    Example::

        >>> kcore.ops.unravel_index([5], (2, 3))   # (tensor [1], tensor [2])
    """
    ...


@op(
    "numpy",
    grad=False,
    data_dependent=True,
    shape_rule=_nonzero_rule,
    cases=_cases(
        ("i32", (_A((2, 3), "int32", low=-1, high=1),), {}),
        ("f32-1d", (_A((4,), values=[0.0, 1.5, 0.0, -2.0]),), {}),
        ("bool-3d", (_A((2, 2, 2), "bool"),), {}),
    ),
)
def nonzero(x):
    """The indices of the non-zero elements, one ``int32`` tensor per axis.

    Example::

        >>> kcore.ops.nonzero([0, 3, 0, 1])   # (tensor [1, 3],)
    """
    ...


# -- sorting and searching -------------------------------------------------------------


@op(
    "numpy",
    expect=rules.axis(),
    cases=_cases(
        *_dtype_cases((2, 3), [{}, {"axis": 0}], dtypes=("float32", "int32"), distinct=True),
        ("f32-axisNone", (_A((2, 3), distinct=True),), {"axis": None}),
        ("u8-1d", (_A((5,), "uint8", distinct=True),), {}),
        ("f16-1d", (_A((5,), "float16", distinct=True),), {}),
        ("bool", (_A((4,), "bool", values=[True, False, True, False]),), {}),
    ),
)
def sort(x, axis=-1):
    """Sort a tensor along ``axis`` in increasing order (the flattened tensor when None).

    Example::

        >>> kcore.ops.sort([3, 1, 2])   # tensor [1, 2, 3]
    """
    ...


@op(
    "numpy",
    grad=False,
    expect=rules.axis(),
    cases=_cases(
        *_dtype_cases((2, 3), [{}, {"axis": 0}], dtypes=("float32", "int32"), distinct=True),
        ("f32-axisNone", (_A((2, 3), distinct=True),), {"axis": None}),
        ("u8-1d", (_A((5,), "uint8", distinct=True),), {}),
    ),
)
def argsort(x, axis=-1):
    """The ``int32`` indices that sort a tensor along ``axis`` (of the flattened tensor
    when None); ties keep their order.

    Example::

        >>> kcore.ops.argsort([3, 1, 2])   # tensor [1, 2, 0]
    """
    ...


@op(
    "numpy",
    tensors=("x",),
    composite=True,
    grad=False,
    expect=rules.axis(),
    cases=_cases(
        ("f32-1d", (_A((5,), distinct=True), 2), {}),
        ("i32-axis0", (_A((4, 3), "int32", distinct=True), 1), {"axis": 0}),
        ("f32-last", (_A((2, 5), distinct=True), 4), {"axis": -1}),
    ),
)
def argpartition(x, kth, axis=-1):
    """``int32`` indices that partially sort a tensor along ``axis``: the element at
    position ``kth`` is where it would be sorted, smaller ones before it, larger after.
    kcore sorts each side too (a stable full sort is a valid partition), so the result
    is the same on every backend.

    Example::

        >>> kcore.ops.argpartition([3, 1, 2], 1)[1]   # tensor 2: the index of the median
    """
    shape = ops.shape(x)
    size = shape[_normalize_axis(axis, len(shape))] if shape else 1
    if size is not None and not -size <= kth < size:
        raise ValueError(f"kth {kth} is out of range for an axis of size {size}")
    return ops.argsort(x, axis=axis)


@op(
    "numpy",
    grad=False,
    cases=_cases(
        ("f32", (_A((5,), sorted_=True), _A((2, 3))), {}),
        (
            "f32-right",
            (_A((4,), values=[0.0, 1.0, 1.0, 2.0]), _A((4,), values=[1.0, -1.0, 2.0, 0.5])),
            {"side": "right"},
        ),
        (
            "f32-left-ties",
            (_A((4,), values=[0.0, 1.0, 1.0, 2.0]), _A((4,), values=[1.0, -1.0, 2.0, 0.5])),
            {"side": "left"},
        ),
        ("i32", (_A((4,), "int32", sorted_=True), _A((3,), "int32")), {}),
        ("i32+f32", (_A((4,), "int32", sorted_=True), _A((3,))), {}),
    ),
)
def searchsorted(sorted_sequence, values, side="left"):
    """Where ``values`` would be inserted into the 1-D ``sorted_sequence`` to keep it
    sorted (``side="right"``: after equal elements); ``int32`` indices.

    Example::

        >>> kcore.ops.searchsorted([1, 2, 3], [2.5])   # tensor [2]
    """
    ...


@op(
    "numpy",
    composite=True,
    grad=False,
    cases=_cases(
        ("f32", (_A((2, 3)), _A((4,), values=[-1.0, 0.0, 1.0, 2.0])), {}),
        (
            "i32",
            (_A((5,), "int32", values=[0, 1, 2, 3, 4]), _A((3,), "int32", values=[1, 2, 4])),
            {},
        ),
        ("f32-edges", (_A((3,), values=[0.0, 1.0, 5.0]), _A((2,), values=[0.0, 1.0])), {}),
    ),
)
def digitize(x, bins):
    """The ``int32`` index of the bin each value of ``x`` falls in, for increasing
    ``bins`` (``bins[i - 1] <= x < bins[i]``).

    Example::

        >>> kcore.ops.digitize([0.5, 1.5], [0.0, 1.0])   # tensor [1, 2]
    """
    return ops.searchsorted(bins, x, side="right")


@op(
    "numpy",
    expect=rules.axis(),
    grad=False,
    data_dependent=True,
    shape_rule=_unique_rule,
    cases=_cases(
        ("i32", (_A((6,), "int32", values=[3, 1, 3, 2, 1, 5]),), {}),
        (
            "i32-all",
            (_A((2, 3), "int32", values=[[3, 1, 3], [2, 1, 5]]),),
            {"return_index": True, "return_inverse": True, "return_counts": True},
        ),
        ("f32-counts", (_A((5,), values=[0.5, -1.0, 0.5, 2.0, 0.5]),), {"return_counts": True}),
        ("bool", (_A((4,), "bool", values=[True, False, True, True]),), {}),
        ("i32-size", (_A((4,), "int32", values=[2, 2, 7, 1]),), {"size": 5, "fill_value": -1}),
        ("i32-size-small", (_A((4,), "int32", values=[2, 2, 7, 1]),), {"size": 2}),
        (
            "i32-axis0",
            (_A((3, 2), "int32", values=[[1, 2], [0, 1], [1, 2]]),),
            {"axis": 0, "return_inverse": True},
        ),
    ),
)
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
    """The unique elements of a tensor (of the flattened tensor, or unique slices along
    ``axis``), sorted; with the flags, also the ``int32`` index of each one's first
    occurrence, the inverse indices rebuilding ``x`` and the counts. ``size`` gives a
    fixed-size result: cut, or padded with ``fill_value`` (default: the smallest unique
    value; indices padded with that value's index, counts with 0). The inverse has
    ``x``'s shape when ``axis`` is None (NumPy 2).

    Example::

        >>> kcore.ops.unique([3, 1, 3])   # tensor [1, 3]
    """
    ...


@op(
    "numpy",
    grad=False,
    cases=_cases(
        ("i32", (_A((2, 3), "int32"), _A((3,), "int32", values=[0, 2, -3])), {}),
        ("i32-invert", (_A((4,), "int32"), _A((2,), "int32", values=[1, 2])), {"invert": True}),
        ("f32", (_A((3,), values=[0.5, 1.0, 2.0]), _A((2,), values=[2.0, 0.5])), {}),
        ("i32+f32", (_A((3,), "int32", values=[1, 2, 3]), _A((2,), values=[2.0, 2.5])), {}),
        (
            "unique",
            (_A((3,), "int32", values=[1, 2, 3]), _A((2,), "int32", values=[3, 4])),
            {"assume_unique": True},
        ),
    ),
)
def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of ``x1`` is in ``x2`` (boolean, the shape of ``x1``);
    ``invert=True`` gives the opposite.

    Example::

        >>> kcore.ops.isin([1, 2, 3], [2])   # tensor [False, True, False]
    """
    ...


@op(
    "numpy",
    composite=True,
    tensors=("x",),
    grad=False,
    cases=_cases(
        ("xy", (_A((2,)), _A((3,))), {}),
        ("ij", (_A((2,)), _A((3,))), {"indexing": "ij"}),
        ("three", (_A((2,), "int32"), _A((3,), "int32"), _A((1,), "int32")), {}),
        ("three-ij", (_A((2,)), _A((3,)), _A((4,))), {"indexing": "ij"}),
        ("one", (_A((3,)),), {}),
    ),
)
def meshgrid(*x, indexing="xy"):
    """Coordinate tensors from 1-D coordinate vectors: ``indexing="xy"`` (Cartesian,
    the first two axes swapped) or ``"ij"`` (matrix); returns a list.

    Example::

        >>> kcore.ops.meshgrid([1, 2], [3, 4, 5])   # two tensors of shape (3, 2)
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"indexing must be 'xy' or 'ij', got {indexing!r}")
    vectors = [ops.ravel(v) for v in x]
    n = len(vectors)
    sizes = [ops.shape(v)[0] for v in vectors]
    if indexing == "xy" and n >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, v in enumerate(vectors):
        position = i
        if indexing == "xy" and n >= 2 and i < 2:
            position = 1 - i
        shape = [1] * n
        shape[position] = -1
        grids.append(ops.broadcast_to(ops.reshape(v, shape), sizes))
    return grids
