"""Tensor creation, windows and products (``keras.ops.numpy``).

Declarations only; see :mod:`kcore.ops.contract`. Creation ops take shapes and Python
values, not tensors (``tensors=()``); their ``dtype=None`` is Keras 3's default:
``floatx()`` for fills, windows and ``eye``, the Python arguments' type for ``arange``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from kcore import config, ops
from kcore.dtypes import dtype_of, result_type, standardize_dtype
from kcore.ops import rules
from kcore.ops.cases import FLOATS, Case, explicit
from kcore.ops.cases import array as _random_array
from kcore.ops.contract import op

# -- case factories ------------------------------------------------------------------


def _call(label: str, *args: Any, **kwargs: Any) -> Callable[[np.random.Generator], Case]:
    """A case with plain Python arguments (creation ops)."""
    return lambda rng: Case(label, args, kwargs, False)


def _tensors(
    dtypes: Sequence[str],
    shapes: Sequence[tuple[tuple[int, ...], ...]],
    kwargs: Sequence[dict[str, Any]] = ({},),
    low: float = -3.0,
    high: float = 3.0,
    prefix: tuple[Any, ...] = (),
    grad: bool = True,
):
    """Tensors of one dtype for each ``shapes`` entry (one shape per tensor argument),
    after the plain ``prefix`` arguments, with each of ``kwargs``."""

    def make(spec, rng, supported):
        out = []
        for dtype, group, kw in itertools.product(dtypes, shapes, kwargs):
            if dtype not in supported:
                continue
            arrays = tuple(_random_array(rng, s, dtype, low, high) for s in group)
            label = "-".join(
                [dtype, *("x".join(map(str, s)) or "scalar" for s in group)]
                + [f"{k}{v}" for k, v in kw.items()]
            )
            out.append(Case(label, (*prefix, *arrays), dict(kw), grad and dtype in FLOATS))
        return out

    return make


def _joined(*factories):
    def make(spec, rng, supported):
        return [case for f in factories for case in f(spec, rng, supported)]

    return make


def _mixed(pairs: Sequence[tuple[str, str, tuple[int, ...], tuple[int, ...]]]):
    """Two tensors of different dtypes (promotion)."""

    def make(spec, rng, supported):
        out = []
        for d1, d2, s1, s2 in pairs:
            if {d1, d2} <= supported:
                a, b = _random_array(rng, s1, d1), _random_array(rng, s2, d2)
                out.append(Case(f"{d1}+{d2}", (a, b), {}, False))
        return out

    return make


def _shape_of(value: Any) -> tuple[Any, ...] | None:
    return rules._shape(value)


# -- expectation rules --------------------------------------------------------------


def _dot_rule(values: dict[str, Any]) -> str | None:
    a, b = _shape_of(values["x1"]), _shape_of(values["x2"])
    if a is None or b is None or not a or not b:
        return None
    k2 = b[-2] if len(b) >= 2 else b[0]
    if None not in (a[-1], k2) and a[-1] != k2:
        where = "second-to-last" if len(b) >= 2 else "only"
        return f"the last dimension of x1 ({a[-1]}) to equal the {where} dimension of x2 ({k2})"
    return None


def _inner_rule(values: dict[str, Any]) -> str | None:
    a, b = _shape_of(values["x1"]), _shape_of(values["x2"])
    if a and b and None not in (a[-1], b[-1]) and a[-1] != b[-1]:
        return f"x1 and x2 with equal last dimensions, got {a[-1]} and {b[-1]}"
    return None


def _tensordot_axes(axes: Any, rank1: int) -> tuple[list[int], list[int]]:
    if isinstance(axes, int):
        return list(range(rank1 - axes, rank1)), list(range(axes))
    first, second = axes
    first = [first] if isinstance(first, int) else list(first)
    second = [second] if isinstance(second, int) else list(second)
    return first, second


def _tensordot_rule(values: dict[str, Any]) -> str | None:
    a, b = _shape_of(values["x1"]), _shape_of(values["x2"])
    if a is None or b is None:
        return None
    axes = values["axes"]
    first, second = _tensordot_axes(axes, len(a))
    if isinstance(axes, int) and (axes < 0 or axes > min(len(a), len(b))):
        return f"axes between 0 and {min(len(a), len(b))} for ranks {len(a)} and {len(b)}"
    if len(first) != len(second):
        return f"as many axes of x1 as of x2, got {first} and {second}"
    for i, j in zip(first, second):
        if not (-len(a) <= i < len(a) and -len(b) <= j < len(b)):
            return f"axes within the ranks of x1 ({len(a)}) and x2 ({len(b)}), got {axes!r}"
        if None not in (a[i], b[j]) and a[i] != b[j]:
            return (
                f"contracted dimensions to agree, but x1 axis {i} has {a[i]} and "
                f"x2 axis {j} has {b[j]}"
            )
    return None


_EINSUM_TERM = re.compile(r"^[A-Za-z.]*$")


def _einsum_rule(values: dict[str, Any]) -> str | None:
    subscripts, operands = values["subscripts"], values["operands"]
    if not isinstance(subscripts, str):
        return f"subscripts to be a string, got {type(subscripts).__name__}"
    text = subscripts.replace(" ", "")
    inputs, arrow, output = text.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(operands):
        return f"one subscript term per operand: {len(terms)} terms for {len(operands)} operands"
    for term, operand in zip(terms, operands):
        if not _EINSUM_TERM.match(term):
            return f"subscripts made of letters, got {subscripts!r}"
        shape = _shape_of(operand)
        if shape is not None and "..." not in term and len(term) != len(shape):
            return f"term {term!r} to name each of the {len(shape)} axes of its operand"
    if arrow and any(c.isalpha() and c not in inputs for c in output):
        return f"output subscripts that appear in the inputs, got {subscripts!r}"
    return None


def _cross_rule(values: dict[str, Any]) -> str | None:
    a, b = _shape_of(values["x1"]), _shape_of(values["x2"])
    if a is None or b is None:
        return None
    axisa, axisb = values["axisa"], values["axisb"]
    if values["axis"] is not None:
        axisa = axisb = values["axis"]
    try:
        na, nb = a[axisa], b[axisb]
    except IndexError:
        return f"axisa and axisb within the ranks of x1 ({len(a)}) and x2 ({len(b)})"
    if na not in (2, 3, None) or nb not in (2, 3, None):
        return f"vectors of 2 or 3 components, got {na} and {nb}"
    return None


def _arange_dtype(start: Any, stop: Any, step: Any, dtype: Any) -> Any:
    """The dtype ``arange`` gives: ``dtype`` when given, else its arguments' promoted
    (``int32`` for Python ints, floatx as soon as one is a float). Shared with the
    backends."""
    if dtype is not None:
        return dtype
    return result_type(*(dtype_of(a) for a in (start, stop, step) if a is not None))


def _space_dtype(start: Any, stop: Any, dtype: Any) -> str:
    """The standard dtype name ``linspace``, ``logspace`` and ``geomspace`` give:
    ``dtype`` when given, else the ends' promoted float. Shared with the backends."""
    if dtype is not None:
        return standardize_dtype(dtype)
    return result_type(dtype_of(start), dtype_of(stop), float)


def _cross_components(a: Any, b: Any, zeros_like: Callable[[Any], Any]) -> tuple[Any, ...]:
    """The cross product of ``a`` and ``b``, vectors of 2 or 3 components along their
    last axes, as its components: ``(z,)`` where both have 2, else ``(x, y, z)``, not
    yet broadcast to one shape. Indexing and arithmetic operators only, so any
    backend's tensors do; shared with the backends."""
    na, nb = a.shape[-1], b.shape[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError(f"cross: vectors must have 2 or 3 components, got {na} and {nb}")
    a0, a1, b0, b1 = a[..., 0], a[..., 1], b[..., 0], b[..., 1]
    z = a0 * b1 - a1 * b0
    if na == nb == 2:
        return (z,)
    a2 = a[..., 2] if na == 3 else zeros_like(a0)
    b2 = b[..., 2] if nb == 3 else zeros_like(b0)
    return a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, z


def _square_rule(values: dict[str, Any]) -> str | None:
    shape = _shape_of(values["x"])
    if shape is not None and (len(shape) < 2 or shape[-1] != shape[-2]):
        return f"square matrices in the last two dimensions, got shape {shape}"
    return None


def _rank1_rule(*names: str):
    def rule(values: dict[str, Any]) -> str | None:
        for name in names:
            shape = _shape_of(values[name])
            if shape is not None and len(shape) != 1:
                return f"{name} of rank 1, got shape {shape}"
        return None

    return rule


# -- shape rules (the probing answer is wrong where a size is a min of sizes) -------


def _diag_shape(x, k=0):
    from kcore.dtypes import standardize_dtype
    from kcore.keras_tensor import KerasTensor

    shape = tuple(x.shape)
    dtype = standardize_dtype(x.dtype)
    if len(shape) == 1:
        n = None if shape[0] is None else shape[0] + abs(k)
        return KerasTensor((n, n), dtype)
    if len(shape) != 2:
        raise ValueError(f"diag: expected a tensor of rank 1 or 2, got shape {shape}")
    rows, cols = shape
    if rows is None or cols is None:
        return KerasTensor((None,), dtype)
    size = min(rows, cols - k) if k >= 0 else min(rows + k, cols)
    return KerasTensor((max(size, 0),), dtype)


def _vdot_shape(x1, x2):
    from kcore.dtypes import dtype_of, result_type
    from kcore.keras_tensor import KerasTensor

    return KerasTensor((), result_type(dtype_of(x1), dtype_of(x2)))


def _tensordot_shape(x1, x2, axes=2):
    from kcore.dtypes import dtype_of, result_type
    from kcore.keras_tensor import KerasTensor

    a, b = tuple(x1.shape), tuple(x2.shape)
    first, second = _tensordot_axes(axes, len(a))
    first = {i % len(a) for i in first}
    second = {j % len(b) for j in second}
    shape = [d for i, d in enumerate(a) if i not in first]
    shape += [d for j, d in enumerate(b) if j not in second]
    return KerasTensor(tuple(shape), result_type(dtype_of(x1), dtype_of(x2)))


def _known(*sizes):
    return None not in sizes


def _vander_shape(x, N=None, increasing=False):
    from kcore.dtypes import standardize_dtype
    from kcore.keras_tensor import KerasTensor

    (n,) = tuple(x.shape)
    return KerasTensor((n, n if N is None else N), standardize_dtype(x.dtype))


def _diagflat_shape(x, k=0):
    from kcore.dtypes import standardize_dtype
    from kcore.keras_tensor import KerasTensor

    shape = tuple(x.shape)
    n = math.prod(shape) + abs(k) if _known(*shape) else None
    return KerasTensor((n, n), standardize_dtype(x.dtype))


def _kron_shape(x1, x2):
    from kcore.dtypes import dtype_of, result_type
    from kcore.keras_tensor import KerasTensor

    a, b = tuple(x1.shape), tuple(x2.shape)
    rank = max(len(a), len(b))
    a, b = (1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b
    shape = tuple(m * n if _known(m, n) else None for m, n in zip(a, b))
    return KerasTensor(shape, result_type(dtype_of(x1), dtype_of(x2)))


def _broadcast_dims(a, b):
    rank = max(len(a), len(b))
    a, b = (1,) * (rank - len(a)) + tuple(a), (1,) * (rank - len(b)) + tuple(b)
    out = []
    for m, n in zip(a, b):
        if m == 1:
            out.append(n)
        elif n == 1 or n is None:
            out.append(m)
        else:
            out.append(n)
    return tuple(out)


def _cross_shape(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    from kcore.dtypes import dtype_of, result_type
    from kcore.keras_tensor import KerasTensor

    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = list(x1.shape), list(x2.shape)
    na, nb = a.pop(axisa), b.pop(axisb)
    batch = _broadcast_dims(a, b)
    dtype = result_type(dtype_of(x1), dtype_of(x2))
    if na == nb == 2:
        return KerasTensor(batch, dtype)
    shape = list(batch)
    shape.insert(axisc % (len(batch) + 1), 3)
    return KerasTensor(tuple(shape), dtype)


def _correlate_shape(x1, x2, mode="valid"):
    from kcore.dtypes import dtype_of, result_type
    from kcore.keras_tensor import KerasTensor

    (n,), (m,) = tuple(x1.shape), tuple(x2.shape)
    dtype = result_type(dtype_of(x1), dtype_of(x2), float)
    if not _known(n, m):
        return KerasTensor((None,), dtype)
    size = {"full": n + m - 1, "same": max(n, m), "valid": max(n, m) - min(n, m) + 1}[mode]
    return KerasTensor((size,), dtype)


def _space_shape(start, stop, num, dtype, axis, retstep=False):
    """The samples (and step) of linspace/logspace/geomspace: ``num`` values laid along
    ``axis`` of the broadcast ``start``/``stop`` shape."""
    from kcore.dtypes import dtype_of, result_type, standardize_dtype
    from kcore.keras_tensor import KerasTensor

    batch = _broadcast_dims(tuple(getattr(start, "shape", ())), tuple(getattr(stop, "shape", ())))
    shape = list(batch)
    shape.insert(axis % (len(batch) + 1), num)
    if dtype is None:
        dtype = result_type(dtype_of(start), dtype_of(stop), float)
    dtype = standardize_dtype(dtype)
    samples = KerasTensor(tuple(shape), dtype)
    if retstep:
        step_dtype = dtype if "float" in dtype else config.floatx()
        return samples, KerasTensor(batch, step_dtype)
    return samples


def _linspace_shape(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    return _space_shape(start, stop, num, dtype, axis, retstep)


def _geomspace_shape(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return _space_shape(start, stop, num, dtype, axis)


def _logspace_shape(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    return _space_shape(start, stop, num, dtype, axis)


def _rank(x: Any) -> int:
    shape = getattr(x, "shape", None)
    return len(shape) if shape is not None else np.ndim(x)


def _offsets(ops, N, M):
    """``column - row`` for every cell of an ``N`` x ``M`` matrix (eye, tri).

    Takes ``ops`` from its caller: a composite's ``ops`` may be another backend's.
    """
    M = N if M is None else M
    return ops.subtract(ops.expand_dims(ops.arange(M), 0), ops.expand_dims(ops.arange(N), 1))


# -- creation ----------------------------------------------------------------------

_CREATION = dict(tensors=(), grad=False)


@op(
    "numpy",
    **_CREATION,
    cases=explicit(
        _call("stop", 5),
        _call("start-stop", 2, 7),
        _call("float-step", 0, 3, 0.5),
        _call("negative-step", 5, 0, -2),
        _call("float-start", 1.0, 4),
        _call("dtype", 0, 6, 2, dtype="int8"),
        _call("float16", 0, 2, 0.25, dtype="float16"),
    ),
)
def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in ``[start, stop)`` (``[0, start)`` with one argument).

    The default dtype follows the arguments: ``int32`` for Python ints, ``floatx()``
    as soon as one is a float.

    Example::

        >>> kcore.ops.arange(0, 2, 0.5)   # tensor [0.0, 0.5, 1.0, 1.5]
    """
    ...


@op(
    "numpy",
    composite=True,
    tensors=("x",),
    grad=False,
    cases=explicit(
        _call("int-list", [1, 2, 3]),
        _call("float-list", [[1.0, 2.0], [3.0, 4.0]]),
        _call("dtype", [1, 2], dtype="float16"),
        lambda rng: Case("float32-array", (_random_array(rng, (2, 3), "float32"),)),
        lambda rng: Case("int8-array", (_random_array(rng, (3,), "int8"),)),
    ),
)
def array(x, dtype=None):
    """A tensor from a Python value, NumPy array or tensor (as ``convert_to_tensor``).

    Example::

        >>> kcore.ops.array([[1, 2], [3, 4]])   # int32 tensor of shape (2, 2)
    """
    return ops.convert_to_tensor(x, dtype=dtype)


@op(
    "numpy",
    composite=True,
    **_CREATION,
    cases=explicit(_call("shape", (2, 3)), _call("int", 4, dtype="int32")),
)
def empty(shape, dtype=None):
    """A tensor of ``shape``; kcore fills it with zeros, as Keras 3 does on JAX and
    TensorFlow, so its content is defined.

    Example::

        >>> kcore.ops.empty((2, 3))   # float32 tensor of shape (2, 3)
    """
    return ops.zeros(shape, dtype=dtype)


@op(
    "numpy",
    composite=True,
    tensors=("x",),
    grad=False,
    cases=explicit(
        lambda rng: Case("int8", (_random_array(rng, (2, 3), "int8"),)),
        lambda rng: Case("dtype", (_random_array(rng, (3,), "float32"),), {"dtype": "int32"}),
    ),
)
def empty_like(x, dtype=None):
    """A tensor shaped like ``x`` (of its dtype unless ``dtype``), filled with zeros.

    Example::

        >>> kcore.ops.empty_like(kcore.ops.ones((2,)))   # tensor [0.0, 0.0]
    """
    return ops.zeros_like(x, dtype=dtype)


@op(
    "numpy",
    composite=True,
    **_CREATION,
    cases=explicit(
        _call("square", 3),
        _call("wide", 2, 4),
        _call("k1", 3, 4, 1),
        _call("k-neg", 4, 3, -2),
        _call("dtype", 3, dtype="int8"),
        _call("bool", 2, dtype="bool"),
    ),
)
def eye(N, M=None, k=0, dtype=None):
    """A 2-D tensor with ones on the ``k``-th diagonal and zeros elsewhere.

    Example::

        >>> kcore.ops.eye(2)   # tensor [[1.0, 0.0], [0.0, 1.0]]
    """
    return ops.cast(ops.equal(_offsets(ops, N, M), k), dtype or config.floatx())


@op(
    "numpy",
    **_CREATION,
    cases=explicit(
        _call("int", (2, 3), 7),
        _call("float", (3,), 1.5),
        _call("scalar-shape", 4, 2.0),
        _call("dtype", (2, 2), 3, dtype="int8"),
        _call("truncate", (2,), 2.7, dtype="int32"),
        _call("bool", (2,), True, dtype="bool"),
    ),
)
def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` filled with ``fill_value`` (``floatx()`` unless ``dtype``).

    Example::

        >>> kcore.ops.full((2,), 7)   # tensor [7.0, 7.0]
    """
    ...


@op(
    "numpy",
    tensors=("x",),
    grad=False,
    cases=explicit(
        lambda rng: Case("int8-float", (_random_array(rng, (2, 3), "int8"), 2.5)),
        lambda rng: Case("float32", (_random_array(rng, (3,), "float32"), -1.0)),
        lambda rng: Case("dtype", (_random_array(rng, (2,), "int32"), 4), {"dtype": "float16"}),
        lambda rng: Case("bool", (_random_array(rng, (2, 2), "bool"), 1)),
    ),
)
def full_like(x, fill_value, dtype=None):
    """A tensor shaped like ``x`` (of its dtype unless ``dtype``) filled with
    ``fill_value``.

    Example::

        >>> kcore.ops.full_like(kcore.ops.ones((2,), dtype="int32"), 3)   # [3, 3]
    """
    ...


@op(
    "numpy",
    composite=True,
    **_CREATION,
    cases=explicit(_call("n3", 3), _call("dtype", 2, dtype="int32")),
)
def identity(n, dtype=None):
    """The ``n`` x ``n`` identity matrix.

    Example::

        >>> kcore.ops.identity(2)   # tensor [[1.0, 0.0], [0.0, 1.0]]
    """
    return ops.eye(n, dtype=dtype)


def _space_cases(extra, low=0.0):
    return explicit(
        *extra,
        lambda rng: Case(
            "arrays-axis1",
            (np.array([low, 1.0], "float32"), np.array([1.0, 3.0], "float32")),
            {"num": 4, "axis": 1},
        ),
        lambda rng: Case(
            "float16-arrays",
            (np.array([1.0, 2.0], "float16"), np.array([2.0, 4.0], "float16")),
            {"num": 3},
        ),
        lambda rng: Case(
            "int-arrays",
            (np.array([1, 2], "int32"), np.array([4, 8], "int32")),
            {"num": 3, "axis": -1},
        ),
    )


@op(
    "numpy",
    shape_rule=_linspace_shape,
    **_CREATION,
    cases=_space_cases(
        (
            _call("default", 0, 1),
            _call("num", 2.0, 3.0, num=5),
            _call("no-endpoint", 0, 1, num=4, endpoint=False),
            _call("retstep", 1, 2, num=5, retstep=True),
            _call("int-dtype", 0, 12, num=4, dtype="int32"),
            _call("num1", 3.0, 5.0, num=1),
        )
    ),
)
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (excluded unless
    ``endpoint``); with ``retstep``, also the spacing. Array ``start``/``stop`` give
    one sequence per element, laid along ``axis``.

    Example::

        >>> kcore.ops.linspace(0, 1, num=3)   # tensor [0.0, 0.5, 1.0]
    """
    ...


@op(
    "numpy",
    shape_rule=_geomspace_shape,
    **_CREATION,
    cases=_space_cases(
        (
            _call("default", 1, 1000, num=4),
            _call("no-endpoint", 2.0, 32.0, num=4, endpoint=False),
            _call("decreasing", 100.0, 1.0, num=3),
        ),
        low=0.5,
    ),
)
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` values spaced evenly on a log scale from ``start`` to ``stop``.

    Example::

        >>> kcore.ops.geomspace(1, 100, num=3)   # tensor [1.0, 10.0, 100.0]
    """
    ...


@op(
    "numpy",
    shape_rule=_logspace_shape,
    **_CREATION,
    cases=_space_cases(
        (
            _call("default", 0, 2, num=3),
            _call("base2", 0.0, 3.0, num=4, base=2),
            _call("no-endpoint", 1, 2, num=4, endpoint=False),
        )
    ),
)
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``base ** linspace(start, stop, num)``: values spaced evenly on a log scale.

    Example::

        >>> kcore.ops.logspace(0, 2, num=3)   # tensor [1.0, 10.0, 100.0]
    """
    ...


_FILLED_CASES = explicit(
    _call("shape", (2, 3)), _call("int", 3, dtype="int8"), _call("bool", (2,), dtype="bool")
)


@op(
    "numpy",
    composite=True,
    **_CREATION,
    cases=_FILLED_CASES,
)
def ones(shape, dtype=None):
    """A tensor of ``shape`` filled with ones (``floatx()`` unless ``dtype``).

    Example::

        >>> kcore.ops.ones((2,))   # tensor [1.0, 1.0]
    """
    return ops.full(shape, 1, dtype=dtype)


@op(
    "numpy",
    composite=True,
    **_CREATION,
    cases=_FILLED_CASES,
)
def zeros(shape, dtype=None):
    """A tensor of ``shape`` filled with zeros (``floatx()`` unless ``dtype``).

    Example::

        >>> kcore.ops.zeros((2,))   # tensor [0.0, 0.0]
    """
    return ops.full(shape, 0, dtype=dtype)


def _like_cases():
    return explicit(
        lambda rng: Case("int8", (_random_array(rng, (2, 3), "int8"),)),
        lambda rng: Case("float16", (_random_array(rng, (3,), "float16"),)),
        lambda rng: Case("bool", (_random_array(rng, (2,), "bool"),)),
        lambda rng: Case("dtype", (_random_array(rng, (2, 2), "float32"),), {"dtype": "int32"}),
    )


@op("numpy", composite=True, tensors=("x",), grad=False, cases=_like_cases())
def ones_like(x, dtype=None):
    """A tensor shaped like ``x`` (of its dtype unless ``dtype``) filled with ones.

    Example::

        >>> kcore.ops.ones_like(kcore.ops.zeros((2,)))   # tensor [1.0, 1.0]
    """
    return ops.full_like(x, 1, dtype=dtype)


@op("numpy", composite=True, tensors=("x",), grad=False, cases=_like_cases())
def zeros_like(x, dtype=None):
    """A tensor shaped like ``x`` (of its dtype unless ``dtype``) filled with zeros.

    Example::

        >>> kcore.ops.zeros_like(kcore.ops.ones((2,)))   # tensor [0.0, 0.0]
    """
    return ops.full_like(x, 0, dtype=dtype)


@op(
    "numpy",
    composite=True,
    **_CREATION,
    cases=explicit(
        _call("square", 3),
        _call("wide-k", 3, 5, 1),
        _call("k-neg", 4, 3, -1),
        _call("dtype", 3, dtype="int32"),
    ),
)
def tri(N, M=None, k=0, dtype=None):
    """An ``N`` x ``M`` tensor with ones at and below the ``k``-th diagonal.

    Example::

        >>> kcore.ops.tri(2)   # tensor [[1.0, 0.0], [1.0, 1.0]]
    """
    return ops.cast(ops.less_equal(_offsets(ops, N, M), k), dtype or config.floatx())


_TRIANGLE_CASES = _joined(
    _tensors(("bool", "int32", "float32"), (((3, 4),),), ({}, {"k": 1}, {"k": -2})),
    _tensors(("float32",), (((2, 3, 3),),), ({"k": 0},)),
)


@op("numpy", composite=True, cases=_TRIANGLE_CASES)
def tril(x, k=0):
    """The lower triangle of ``x`` (of its last two dimensions): entries above the
    ``k``-th diagonal become zero.

    Example::

        >>> kcore.ops.tril([[1, 2], [3, 4]])   # tensor [[1, 0], [3, 4]]
    """
    rows, cols = ops.shape(x)[-2:]
    return ops.where(ops.tri(rows, cols, k, dtype="bool"), x, ops.zeros_like(x))


@op("numpy", composite=True, cases=_TRIANGLE_CASES)
def triu(x, k=0):
    """The upper triangle of ``x`` (of its last two dimensions): entries below the
    ``k``-th diagonal become zero.

    Example::

        >>> kcore.ops.triu([[1, 2], [3, 4]])   # tensor [[1, 2], [0, 4]]
    """
    rows, cols = ops.shape(x)[-2:]
    return ops.where(ops.tri(rows, cols, k - 1, dtype="bool"), ops.zeros_like(x), x)


@op(
    "numpy",
    shape_rule=_diag_shape,
    cases=_joined(
        _tensors(("bool", "int32", "float32"), (((3,),), ((3, 4),))),
        _tensors(("float32",), (((3,),), ((3, 4),)), ({"k": 1}, {"k": -2})),
    ),
)
def diag(x, k=0):
    """The ``k``-th diagonal of a 2-D ``x``, or a 2-D tensor with a 1-D ``x`` on its
    ``k``-th diagonal.

    Example::

        >>> kcore.ops.diag([1, 2])   # tensor [[1, 0], [0, 2]]
    """
    ...


@op(
    "numpy",
    composite=True,
    shape_rule=_diagflat_shape,
    cases=_joined(
        _tensors(("bool", "int8", "float32"), (((3,),), ((2, 2),))),
        _tensors(("float32",), (((3,),),), ({"k": 1}, {"k": -1})),
    ),
)
def diagflat(x, k=0):
    """A 2-D tensor with the flattened ``x`` on its ``k``-th diagonal.

    Example::

        >>> kcore.ops.diagflat([[1, 2]])   # tensor [[1, 0], [0, 2]]
    """
    return ops.diag(ops.reshape(x, (-1,)), k)


# -- windows -----------------------------------------------------------------------
# Window lengths are Python ints: the windows are computed once in float64 with NumPy
# and handed over as floatx tensors, which every backend takes as a constant.


def _window_cases():
    return explicit(_call("m1", 1), _call("m5", 5), _call("m8", 8), _call("m0", 0))


def _window(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=config.floatx())


@op("numpy", composite=True, **_CREATION, cases=_window_cases())
def bartlett(x):
    """The Bartlett (triangular) window of ``x`` points, as ``floatx()``.

    Example::

        >>> kcore.ops.bartlett(5)   # tensor [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    return ops.convert_to_tensor(_window(np.bartlett(int(x))))


@op("numpy", composite=True, **_CREATION, cases=_window_cases())
def blackman(x):
    """The Blackman window of ``x`` points, as ``floatx()``.

    Example::

        >>> kcore.ops.blackman(3)   # tensor [~0.0, 1.0, ~0.0]
    """
    return ops.convert_to_tensor(_window(np.blackman(int(x))))


@op("numpy", composite=True, **_CREATION, cases=_window_cases())
def hamming(x):
    """The Hamming window of ``x`` points, as ``floatx()``.

    Example::

        >>> kcore.ops.hamming(3)   # tensor [0.08, 1.0, 0.08]
    """
    return ops.convert_to_tensor(_window(np.hamming(int(x))))


@op("numpy", composite=True, **_CREATION, cases=_window_cases())
def hanning(x):
    """The Hann window of ``x`` points, as ``floatx()``.

    Example::

        >>> kcore.ops.hanning(3)   # tensor [0.0, 1.0, 0.0]
    """
    return ops.convert_to_tensor(_window(np.hanning(int(x))))


@op(
    "numpy",
    composite=True,
    **_CREATION,
    cases=explicit(_call("m5", 5, 0.5), _call("m8", 8, 14.0), _call("m1", 1, 2.0)),
)
def kaiser(x, beta):
    """The Kaiser window of ``x`` points with shape parameter ``beta``, as ``floatx()``.

    Example::

        >>> kcore.ops.kaiser(3, 0.0)   # tensor [1.0, 1.0, 1.0]
    """
    return ops.convert_to_tensor(_window(np.kaiser(int(x), float(beta))))


@op(
    "numpy",
    shape_rule=_vander_shape,
    expect=_rank1_rule("x"),
    cases=_joined(
        _tensors(("int32", "float32"), (((3,),),), ({}, {"N": 2}, {"increasing": True})),
        _tensors(("int8", "float16"), (((4,),),), ({"N": 3, "increasing": True},), low=-2, high=2),
    ),
)
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D ``x``: columns are powers of ``x``, decreasing
    from ``N - 1`` unless ``increasing``.

    Example::

        >>> kcore.ops.vander([1, 2], N=3)   # tensor [[1, 1, 1], [4, 2, 1]]
    """
    ...


# -- products ----------------------------------------------------------------------

_PRODUCT_DTYPES = ("bool", "int8", "uint8", "int32", "float16", "float32")


@op(
    "numpy",
    composite=True,
    expect=_dot_rule,
    cases=_joined(
        _tensors(_PRODUCT_DTYPES, (((2, 3), (3, 4)),)),
        _tensors(
            ("float32",),
            (((3,), (3,)), ((2, 3), (3,)), ((4,), (4, 2)), ((2, 2, 3), (2, 3, 2)), ((), (2, 3))),
        ),
        _mixed((("int8", "float16", (2, 3), (3,)), ("int32", "float32", (3,), (3, 2)))),
    ),
)
def dot(x1, x2):
    """Dot product: matrix product for 2-D tensors, inner product for vectors, a
    product with a scalar, else a sum over the last axis of ``x1`` and the
    second-to-last of ``x2``.

    Example::

        >>> kcore.ops.dot([1.0, 2.0], [3.0, 4.0])   # tensor 11.0
    """
    rank2 = _rank(x2)
    if _rank(x1) == 0 or rank2 == 0:
        return ops.multiply(x1, x2)
    return ops.tensordot(x1, x2, axes=([-1], [0 if rank2 == 1 else -2]))


@op(
    "numpy",
    composite=True,
    expect=_inner_rule,
    cases=_joined(
        _tensors(_PRODUCT_DTYPES, (((2, 3), (4, 3)),)),
        _tensors(("float32",), (((3,), (3,)), ((2, 2, 3), (3,)), ((), (2, 3)))),
    ),
)
def inner(x1, x2):
    """Inner product over the last axes of ``x1`` and ``x2`` (a product with a scalar).

    Example::

        >>> kcore.ops.inner([1.0, 2.0], [3.0, 4.0])   # tensor 11.0
    """
    if _rank(x1) == 0 or _rank(x2) == 0:
        return ops.multiply(x1, x2)
    return ops.tensordot(x1, x2, axes=([-1], [-1]))


@op(
    "numpy",
    composite=True,
    cases=_joined(
        _tensors(_PRODUCT_DTYPES, (((3,), (4,)),)),
        _tensors(("float32",), (((2, 2), (3,)), ((), (2,)))),
        _mixed((("int8", "float32", (2,), (3,)),)),
    ),
)
def outer(x1, x2):
    """Outer product of the flattened ``x1`` and ``x2``.

    Example::

        >>> kcore.ops.outer([1, 2], [3, 4])   # tensor [[3, 4], [6, 8]]
    """
    return ops.multiply(ops.reshape(x1, (-1, 1)), ops.reshape(x2, (1, -1)))


@op(
    "numpy",
    composite=True,
    shape_rule=_vdot_shape,
    cases=_joined(
        _tensors(_PRODUCT_DTYPES, (((3,), (3,)),)),
        _tensors(("float32",), (((2, 3), (3, 2)),)),
    ),
)
def vdot(x1, x2):
    """Dot product of the flattened ``x1`` and ``x2`` (``x1`` conjugated).

    Example::

        >>> kcore.ops.vdot([[1.0, 2.0]], [3.0, 4.0])   # tensor 11.0
    """
    x1, x2 = ops.convert_to_tensor(x1), ops.convert_to_tensor(x2)
    if "complex" in ops.dtype(x1):
        x1 = ops.conj(x1)
    return ops.dot(ops.reshape(x1, (-1,)), ops.reshape(x2, (-1,)))


@op(
    "numpy",
    expect=_tensordot_rule,
    shape_rule=_tensordot_shape,
    cases=_joined(
        _tensors(_PRODUCT_DTYPES, (((2, 3, 4), (3, 4, 2)),)),
        _tensors(
            ("float32",),
            (((2, 3), (3, 4)),),
            ({"axes": 1}, {"axes": 0}),
        ),
        _tensors(("float32",), (((2, 3), (4, 3)),), ({"axes": (1, 1)},)),
        _tensors(("float32",), (((3, 4), (2, 3)),), ({"axes": ([0], [1])},)),
        _tensors(("float32",), (((2, 3), (3, 2)),), ({"axes": ((1, 0), (0, 1))},)),
    ),
)
def tensordot(x1, x2, axes=2):
    """Sum of products over ``axes``: the last ``axes`` dimensions of ``x1`` with the
    first of ``x2`` for an int, or the listed pairs ``(axes_of_x1, axes_of_x2)``.

    Example::

        >>> kcore.ops.tensordot(kcore.ops.ones((2, 3)), kcore.ops.ones((3, 4)), axes=1)
    """
    ...


@op(
    "numpy",
    tensors=("operands",),
    expect=_einsum_rule,
    cases=_joined(
        _tensors(_PRODUCT_DTYPES, (((2, 3), (3, 4)),), prefix=("ij,jk->ik",)),
        _tensors(("float32",), (((2, 3),),), prefix=("ij->ji",)),
        _tensors(("float32",), (((2, 3, 3),),), prefix=("bii->b",)),
        _tensors(("float32",), (((2, 3, 4), (2, 4, 5)),), prefix=("bij,bjk->bik",)),
        _tensors(("float32",), (((2, 3), (3,), (3,)),), prefix=("ij,j,j->",)),
        _tensors(("float32",), (((2, 2, 3), (3, 4)),), prefix=("...j,jk->...k",)),
        _tensors(("float32",), (((2, 3), (4, 3)),), prefix=("ij,kj",)),
    ),
)
def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over ``operands`` as ``subscripts`` says
    (``"ij,jk->ik"`` is a matrix product). Int8 operands accumulate in int32.

    Example::

        >>> kcore.ops.einsum("ij,jk->ik", kcore.ops.ones((2, 3)), kcore.ops.ones((3, 4)))
    """
    ...


@op(
    "numpy",
    shape_rule=_kron_shape,
    cases=_joined(
        _tensors(("int8", "uint8", "int32", "float16", "float32"), (((2, 3), (2, 2)),)),
        _tensors(("float32",), (((3,), (2,)), ((2, 2), (3,)))),
    ),
)
def kron(x1, x2):
    """Kronecker product of ``x1`` and ``x2``: blocks of ``x2`` scaled by each
    element of ``x1``.

    Example::

        >>> kcore.ops.kron([1, 2], [1, 10])   # tensor [1, 10, 2, 20]
    """
    ...


@op(
    "numpy",
    shape_rule=_cross_shape,
    expect=_cross_rule,
    cases=_joined(
        _tensors(("int8", "int32", "float16", "float32"), (((2, 3), (2, 3)),)),
        _tensors(("float32",), (((4, 3), (3,)), ((4, 2), (4, 2)), ((4, 2), (4, 3)))),
        _tensors(("float32",), (((4, 3, 2), (4, 2, 3)),), ({"axisa": 1, "axisb": 2, "axisc": 1},)),
        _tensors(("float32",), (((4, 3, 2), (4, 3, 2)),), ({"axis": 1},)),
    ),
)
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of vectors of 2 or 3 components, along ``axisa`` of ``x1`` and
    ``axisb`` of ``x2`` (both ``axis`` when given), laid along ``axisc``.

    Example::

        >>> kcore.ops.cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0])   # tensor [0.0, 0.0, 1.0]
    """
    ...


@op(
    "numpy",
    shape_rule=_correlate_shape,
    expect=_rank1_rule("x1", "x2"),
    cases=_joined(
        _tensors(("bool", "int8", "int32", "float16", "float32"), (((5,), (3,)),)),
        _tensors(
            ("float32",),
            (((5,), (3,)), ((3,), (5,)), ((4,), (2,))),
            ({"mode": "same"}, {"mode": "full"}),
        ),
    ),
)
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D tensors; ``mode`` is ``"valid"``, ``"same"`` or
    ``"full"``. Integer inputs give ``floatx()``.

    Example::

        >>> kcore.ops.correlate([1.0, 2.0, 3.0], [0.0, 1.0])   # tensor [2.0, 3.0]
    """
    ...


@op(
    "numpy",
    cases=_joined(
        _tensors(("int32", "float32"), (((3, 5),),)),
        _tensors(("float32",), (((5,),), ((2, 6),))),
    ),
)
def corrcoef(x):
    """Pearson correlation coefficients of the rows of ``x`` (variables in rows,
    observations in columns).

    Example::

        >>> kcore.ops.corrcoef([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])   # [[1, -1], [-1, 1]]
    """
    ...


def _slogdet_cases(spec, rng, supported):
    out = []
    for dtype, shape in (("float32", (2, 3, 3)), ("float32", (2, 2, 2)), ("float64", (2, 3, 3))):
        if dtype in supported:
            x = _random_array(rng, shape, dtype) + 3 * np.eye(shape[-1], dtype=dtype)
            out.append(Case(f"{dtype}-{'x'.join(map(str, shape))}", (x,), {}, False))
    if "int32" in supported:
        x = np.array([[[2, 1], [1, 3]], [[1, 2], [3, 4]]], dtype="int32")
        out.append(Case("int32-2x2x2", (x,), {}, False))
    return out


@op("numpy", expect=_square_rule, cases=_slogdet_cases)
def slogdet(x):
    """Sign and natural log of the absolute determinant of square matrices ``x``
    (batched over leading dimensions), as a pair ``(sign, logabsdet)``.

    Example::

        >>> sign, logdet = kcore.ops.slogdet([[2.0, 0.0], [0.0, 3.0]])   # 1.0, log(6)
    """
    ...


def _trapezoid_cases(spec, rng, supported):
    out = _joined(
        _tensors(("int32", "float16", "float32"), (((2, 4),),)),
        _tensors(("float32",), (((3, 4),),), ({"axis": 0}, {"dx": 0.5})),
    )(spec, rng, supported)
    x = np.sort(_random_array(rng, (4,), "float32"))
    out.append(Case("float32-x", (_random_array(rng, (2, 4), "float32"), x), {}, True))
    out.append(
        Case(
            "float32-x-2d",
            (_random_array(rng, (4, 2), "float32"), x.reshape(4, 1)),
            {"axis": 0},
            True,
        )
    )
    return out


@op("numpy", expect=rules.axis("y"), cases=_trapezoid_cases)
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of ``y`` along ``axis`` by the trapezoidal rule, with sample points
    ``x`` or spacing ``dx``. Integer inputs give ``floatx()``.

    Example::

        >>> kcore.ops.trapezoid([1.0, 2.0, 3.0])   # tensor 4.0
    """
    ...


# -- vectorize ---------------------------------------------------------------------

_CORE = r"\((\w*(?:,\w+)*)\)"
_SIGNATURE = re.compile(rf"^{_CORE}(?:,{_CORE})*->{_CORE}(?:,{_CORE})*$")


def _parse_signature(signature: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    text = signature.replace(" ", "")
    if not _SIGNATURE.match(text):
        raise ValueError(f"vectorize: not a valid gufunc signature: {signature!r}")
    inputs, outputs = text.split("->")

    def groups(part: str) -> list[tuple[str, ...]]:
        return [tuple(g.split(",")) if g else () for g in re.findall(_CORE, part)]

    return groups(inputs), groups(outputs)


class Vectorized:
    """What :func:`vectorize` returns: ``pyfunc`` mapped over the leading (loop)
    dimensions of its tensor arguments, by a loop over the broadcast loop shape whose
    results are stacked. ``primitives`` is ``(asarray, broadcast_to, reshape, stack)``
    or an op namespace holding ``convert_to_tensor``, ``broadcast_to``, ``reshape``
    and ``stack`` (default: :mod:`kcore.ops`).
    """

    def __init__(self, pyfunc, excluded=None, signature=None, primitives=None) -> None:
        self.pyfunc = pyfunc
        self.excluded = set(excluded or ())
        self.signature = signature
        self.core = _parse_signature(signature) if signature is not None else None
        self.primitives = primitives
        self.__doc__ = getattr(pyfunc, "__doc__", None)
        self.__name__ = getattr(pyfunc, "__name__", "vectorized")

    def _prims(self):
        found = ops if self.primitives is None else self.primitives
        if isinstance(found, tuple):
            return found
        # An op namespace: looked up at call time, so binding order does not matter.
        return found.convert_to_tensor, found.broadcast_to, found.reshape, found.stack

    def __call__(self, *args, **kwargs):
        asarray, broadcast_to, reshape, stack = self._prims()
        mapped = [i for i in range(len(args)) if i not in self.excluded]
        keys = [k for k in kwargs if k not in self.excluded]
        values = [asarray(args[i]) for i in mapped] + [asarray(kwargs[k]) for k in keys]
        if self.core is None:
            in_core: list[tuple[str, ...]] = [()] * len(values)
            out_core = None
        else:
            in_core, out_core = self.core
            if keys:
                raise TypeError("vectorize: keyword arguments are not mapped with a signature")
            if len(in_core) != len(values):
                raise TypeError(
                    f"vectorize: the signature {self.signature!r} names {len(in_core)} "
                    f"inputs, got {len(values)}"
                )
        sizes: dict[str, int] = {}
        loops, cores = [], []
        for value, names in zip(values, in_core):
            shape = tuple(int(d) for d in value.shape)
            if len(shape) < len(names):
                raise ValueError(
                    f"vectorize: input of shape {shape} has fewer dimensions than its core "
                    f"dimensions {names} in signature {self.signature!r}"
                )
            core_shape = shape[len(shape) - len(names) :]
            for name, size in zip(names, core_shape):
                if sizes.setdefault(name, size) != size:
                    raise ValueError(
                        f"vectorize: core dimension {name!r} is {sizes[name]} and {size}"
                    )
            loops.append(shape[: len(shape) - len(names)])
            cores.append(core_shape)
        loop = tuple(np.broadcast_shapes(*loops)) if loops else ()
        count = math.prod(loop)
        flat = [reshape(broadcast_to(v, loop + c), (count, *c)) for v, c in zip(values, cores)]
        results = []
        for n in range(count):
            call_args = list(args)
            call_kwargs = dict(kwargs)
            for i, f in zip(mapped, flat):
                call_args[i] = f[n]
            for k, f in zip(keys, flat[len(mapped) :]):
                call_kwargs[k] = f[n]
            results.append(self.pyfunc(*call_args, **call_kwargs))
        if count == 0:
            raise ValueError("vectorize: cannot map over an empty loop dimension")
        single = not isinstance(results[0], tuple | list)
        columns = [[r] for r in results] if single else [list(r) for r in results]
        outs = []
        for j in range(len(columns[0])):
            stacked = stack([asarray(c[j]) for c in columns], 0)
            inner = tuple(int(d) for d in stacked.shape[1:])
            outs.append(reshape(stacked, loop + inner))
        if single:
            return outs[0]
        return tuple(outs)


@op("numpy", composite=True, **_CREATION, cases=lambda spec, rng, supported: [])
def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` made to map over the leading dimensions of its tensor arguments
    (broadcast together); ``signature`` (``"(n),(n)->()"``) names the core dimensions
    each call receives, ``excluded`` the positions or names passed through as they are.
    It returns a function, so the conformance kit has no cases for it; see
    ``tests/test_ops_creation.py``.

    Example::

        >>> f = kcore.ops.vectorize(lambda a, b: kcore.ops.dot(a, b), signature="(n),(n)->()")
        >>> f(kcore.ops.ones((4, 3)), kcore.ops.ones((3,)))   # tensor [3.0, 3.0, 3.0, 3.0]
    """
    return Vectorized(pyfunc, excluded=excluded, signature=signature, primitives=ops)
