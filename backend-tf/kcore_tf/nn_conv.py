"""TensorFlow implementations of the ops declared in ``kcore/ops/nn_conv.py``."""

from __future__ import annotations
