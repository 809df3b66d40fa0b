"""Conformance cases, declared with each op (``@op(..., cases=binary(NUMERIC))``).

A case factory receives the op's spec, a seeded ``numpy.random.Generator`` and the
dtypes the backend under test supports, and returns :class:`Case` objects whose
arguments are NumPy arrays and plain Python values. The conformance kit
(:mod:`kcore.testing.conformance`) converts the arrays to each backend's tensors, runs
the op there and on the NumPy reference, and compares.

Example::

    @op("numpy", cases=binary(NUMERIC))
    def add(x1, x2): ...
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
import numpy as np

FLOATS = ("float16", "float32", "float64")
SIGNED = ("int8", "int16", "int32", "int64")
UNSIGNED = ("uint8",)
INTS = SIGNED + UNSIGNED
NUMERIC = INTS + FLOATS
ALL = ("bool",) + NUMERIC


@attrs.frozen
class Case:
    """One call of an op: positional and keyword arguments, NumPy arrays as tensors."""

    id: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = attrs.field(factory=dict)
    #: Check gradients for this case (float inputs of a differentiable op).
    grad: bool = False


CaseFactory = Callable[[Any, np.random.Generator, frozenset], list[Case]]


def array(rng: np.random.Generator, shape: Sequence[int], dtype: str, low=-3.0, high=3.0):
    """A random array of ``dtype``: floats uniform in ``[low, high)``, integers in the
    same range clipped to the dtype, booleans fair."""
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype in INTS:
        info = np.iinfo(dtype)
        lo, hi = max(int(np.floor(low)), info.min), min(int(np.ceil(high)), info.max)
        return rng.integers(lo, hi + 1, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)


def _usable(dtypes: Iterable[str], supported: frozenset) -> list[str]:
    return [d for d in dtypes if d in supported]


def unary(
    dtypes: Sequence[str] = FLOATS,
    shapes: Sequence[tuple[int, ...]] = ((2, 3), ()),
    low: float = -3.0,
    high: float = 3.0,
    kwargs: Sequence[dict[str, Any]] = ({},),
    grad: bool = True,
) -> CaseFactory:
    """One tensor argument, over ``dtypes`` x ``shapes`` x ``kwargs``."""

    def make(spec, rng, supported):
        out = []
        for dtype, shape, kw in itertools.product(_usable(dtypes, supported), shapes, kwargs):
            x = array(rng, shape, dtype, low, high)
            label = "-".join([dtype, "x".join(map(str, shape)) or "scalar", *_kw_id(kw)])
            out.append(Case(label, (x,), dict(kw), grad and dtype in FLOATS))
        return out

    return make


def binary(
    dtypes: Sequence[str] = NUMERIC,
    shapes: Sequence[tuple[tuple[int, ...], tuple[int, ...]]] = (
        ((2, 3), (2, 3)),
        ((2, 3), (3,)),
        ((2, 1), (1, 3)),
    ),
    low: float = -3.0,
    high: float = 3.0,
    python_scalars: bool = True,
    grad: bool = True,
) -> CaseFactory:
    """Two tensors of one dtype under broadcasting, plus a tensor with a Python scalar
    on either side (weak typing) and two tensors of different dtypes (promotion)."""

    def make(spec, rng, supported):
        out = []
        usable = _usable(dtypes, supported)
        for dtype, (s1, s2) in itertools.product(usable, shapes):
            a, b = array(rng, s1, dtype, low, high), array(rng, s2, dtype, low, high)
            out.append(Case(f"{dtype}-{_sid(s1)}-{_sid(s2)}", (a, b), {}, grad and dtype in FLOATS))
        first, second = shapes[0]
        if python_scalars:
            for dtype in usable:
                a = array(rng, first, dtype, low, high)
                scalar = True if dtype == "bool" else (2 if dtype in INTS else 1.5)
                out.append(Case(f"{dtype}-scalar-right", (a, scalar), {}, False))
                out.append(Case(f"{dtype}-scalar-left", (scalar, a), {}, False))
        for d1, d2 in itertools.combinations(usable, 2):
            if {d1, d2} <= set(FLOATS) or (d1 in INTS and d2 in FLOATS):
                a, b = array(rng, first, d1, low, high), array(rng, second, d2, low, high)
                out.append(Case(f"{d1}+{d2}", (a, b), {}, False))
        return out

    return make


def reduction(
    dtypes: Sequence[str] = NUMERIC,
    shape: tuple[int, ...] = (2, 3, 4),
    axes: Sequence[Any] = (None, 0, -1, (0, 2)),
    keepdims: Sequence[bool] = (False, True),
    low: float = -3.0,
    high: float = 3.0,
    extra: Sequence[dict[str, Any]] = ({},),
    grad: bool = True,
) -> CaseFactory:
    """A tensor reduced over each of ``axes``, with and without ``keepdims``."""

    def make(spec, rng, supported):
        out = []
        for dtype in _usable(dtypes, supported):
            x = array(rng, shape, dtype, low, high)
            for ax, keep, kw in itertools.product(axes, keepdims, extra):
                kwargs = {"axis": ax, "keepdims": keep, **kw}
                label = "-".join([dtype, f"axis{ax}", f"keep{keep}", *_kw_id(kw)])
                out.append(Case(label, (x,), kwargs, grad and dtype in FLOATS))
        return out

    return make


def explicit(*builders: Callable[[np.random.Generator], Case]) -> CaseFactory:
    """Hand-written cases: each builder takes the generator and returns a Case (its
    arrays' dtypes must be among those the backend supports, or it is left out)."""

    def make(spec, rng, supported):
        out = []
        for build in builders:
            case = build(rng)
            dtypes = {
                a.dtype.name
                for a in (*case.args, *case.kwargs.values())
                if isinstance(a, np.ndarray)
            }
            if dtypes <= supported:
                out.append(case)
        return out

    return make


def _sid(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) or "scalar"


def _kw_id(kw: dict[str, Any]) -> list[str]:
    return [f"{k}{v}" for k, v in kw.items()]
