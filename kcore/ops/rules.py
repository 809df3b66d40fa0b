"""Expectation rules: how an op words the error for arguments it cannot take.

A rule receives the call's arguments by name and returns the broken expectation as
text (``"x1 and x2 shapes that broadcast together"``), or ``None`` when the rule
holds. Rules run only after the backend has raised, so they cost nothing on the
eager path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Rule = Callable[[dict[str, Any]], "str | None"]


def _shape(value: Any) -> tuple[int | None, ...] | None:
    shape = getattr(value, "shape", None)
    if shape is None:
        if isinstance(value, int | float | complex | bool):
            return ()
        if isinstance(value, list | tuple):
            try:
                return np.shape(value)
            except ValueError:  # ragged
                return None
        return None
    return tuple(None if d is None else int(d) for d in shape)


def broadcast(*names: str) -> Rule:
    """The named tensors' shapes broadcast together (NumPy rules)."""

    def rule(values: dict[str, Any]) -> str | None:
        shapes = [_shape(values[n]) for n in names]
        if any(s is None for s in shapes):
            return None
        ndim = max(len(s) for s in shapes)
        for axis in range(1, ndim + 1):
            sizes = {s[-axis] for s in shapes if len(s) >= axis and s[-axis] not in (1, None)}
            if len(sizes) > 1:
                listed = " and ".join(f"{n} {s}" for n, s in zip(names, shapes))
                return f"shapes that broadcast together, but {listed} differ at axis -{axis}"
        return None

    return rule


def axis(tensor: str = "x", name: str = "axis") -> Rule:
    """``values[name]`` is None, an int or a tuple of ints in ``[-ndim, ndim)``."""

    def rule(values: dict[str, Any]) -> str | None:
        shape = _shape(values[tensor])
        value = values.get(name)
        if shape is None or value is None:
            return None
        axes = value if isinstance(value, list | tuple) else (value,)
        ndim = len(shape)
        for a in axes:
            if isinstance(a, bool) or not isinstance(a, int):
                return f"{name} to be an int or a tuple of ints, got {value!r}"
            if not -ndim <= a < ndim or (ndim == 0 and a not in (0, -1)):
                return f"{name} in [-{ndim}, {ndim}) for a tensor of rank {ndim}, got {value!r}"
        return None

    return rule


def matmul(first: str = "x1", second: str = "x2") -> Rule:
    """The contracted dimensions agree: ``first[..., k] @ second[..., k, m]``."""

    def rule(values: dict[str, Any]) -> str | None:
        a, b = _shape(values[first]), _shape(values[second])
        if a is None or b is None:
            return None
        if len(a) == 0 or len(b) == 0:
            return f"{first} and {second} of rank 1 or more"
        k1 = a[-1]
        k2 = b[-2] if len(b) >= 2 else b[0]
        if None not in (k1, k2) and k1 != k2:
            return (
                f"the last dimension of {first} ({k1}) to equal the "
                f"{'second-to-last' if len(b) >= 2 else 'only'} dimension of {second} ({k2})"
            )
        batch = broadcast(first, second)({first: _Shaped(a[:-2]), second: _Shaped(b[:-2])})
        return f"batch dimensions of {batch}" if batch and len(a) > 2 and len(b) > 2 else None

    return rule


class _Shaped:
    def __init__(self, shape: tuple[int | None, ...]) -> None:
        self.shape = shape


def all_of(*rules: Rule) -> Rule:
    """The first broken expectation among ``rules``."""

    def rule(values: dict[str, Any]) -> str | None:
        for r in rules:
            broken = r(values)
            if broken:
                return broken
        return None

    return rule
