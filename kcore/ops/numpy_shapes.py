"""Shape manipulation, joining, splitting, indexing and sorting (``keras.ops.numpy``).

Declarations only; see :mod:`kcore.ops.contract`."""

from __future__ import annotations
