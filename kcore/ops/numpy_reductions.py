"""Reductions, statistics and cumulative ops (``keras.ops.numpy``).

Declarations only; see :mod:`kcore.ops.contract`."""

from __future__ import annotations
