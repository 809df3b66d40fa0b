"""NumPy implementations of the ops declared in ``kcore/ops/image.py``."""

from __future__ import annotations
