"""TensorFlow implementations of the ops declared in ``kcore/ops/nn_activations.py``."""

from __future__ import annotations
