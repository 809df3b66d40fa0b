"""NumPy implementations of the ops declared in ``kcore/ops/nn_normalization.py``."""

from __future__ import annotations
