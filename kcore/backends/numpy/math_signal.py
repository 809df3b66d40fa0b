"""NumPy implementations of the ops declared in ``kcore/ops/math_signal.py``."""

from __future__ import annotations
