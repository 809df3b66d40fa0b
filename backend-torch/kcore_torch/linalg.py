"""PyTorch implementations of the ops declared in ``kcore/ops/linalg.py``."""

from __future__ import annotations
