"""TensorFlow implementations of the ops declared in ``kcore/ops/math.py``."""

from __future__ import annotations
