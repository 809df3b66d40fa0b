"""JAX implementations of the ops declared in ``kcore/ops/image_transform.py``."""

from __future__ import annotations
