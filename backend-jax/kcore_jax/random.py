"""Random sampling: this backend's implementations."""

from __future__ import annotations
