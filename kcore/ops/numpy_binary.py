"""Element-wise ops of two or more tensors and comparisons (``keras.ops.numpy``).

Declarations only; see :mod:`kcore.ops.contract`."""

from __future__ import annotations
