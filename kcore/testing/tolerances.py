"""How close a backend's answer must be to the NumPy reference: the one table.

``forward(op, dtype)`` and ``gradient(op, dtype)`` return ``(rtol, atol)``. Integer
and boolean results must be exact. An op that needs more slack than its dtype's
default gets an entry in ``FORWARD_OVERRIDES``/``GRADIENT_OVERRIDES`` with a reason.
"""

from __future__ import annotations

FORWARD = {
    "float16": (5e-3, 5e-3),
    "bfloat16": (3e-2, 3e-2),
    "float32": (1e-5, 1e-6),
    "float64": (1e-10, 1e-12),
    "complex64": (1e-5, 1e-6),
    "complex128": (1e-10, 1e-12),
}

#: Analytic gradients against central finite differences taken in float64.
GRADIENT = {
    "float16": (5e-2, 5e-2),
    "bfloat16": (1e-1, 1e-1),
    "float32": (2e-3, 2e-3),
    "float64": (1e-5, 1e-6),
}

# op -> dtype -> (rtol, atol), each with the reason in a comment.
FORWARD_OVERRIDES: dict[str, dict[str, tuple[float, float]]] = {}
GRADIENT_OVERRIDES: dict[str, dict[str, tuple[float, float]]] = {}


def forward(op: str, dtype: str) -> tuple[float, float]:
    return FORWARD_OVERRIDES.get(op, {}).get(dtype) or FORWARD.get(dtype, (0.0, 0.0))


def gradient(op: str, dtype: str) -> tuple[float, float]:
    return GRADIENT_OVERRIDES.get(op, {}).get(dtype) or GRADIENT.get(dtype, (1e-3, 1e-3))
