"""Tensor creation, windows and products (``keras.ops.numpy``).

Declarations only; see :mod:`kcore.ops.contract`."""

from __future__ import annotations
