"""Element-wise ops of one tensor (``keras.ops.numpy``: ``abs`` ... ``trunc``).

Declarations only; see :mod:`kcore.ops.contract`."""

from __future__ import annotations
