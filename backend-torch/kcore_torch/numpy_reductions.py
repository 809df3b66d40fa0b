"""Reductions, statistics and cumulative ops: this backend's implementations."""

from __future__ import annotations
