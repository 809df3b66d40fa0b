"""Shape manipulation, joining, splitting, indexing and sorting: this backend's implementations."""

from __future__ import annotations
