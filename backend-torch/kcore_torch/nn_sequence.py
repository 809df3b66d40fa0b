"""PyTorch implementations of the ops declared in ``kcore/ops/nn_sequence.py``."""

from __future__ import annotations
