"""Tensor creation, windows and products: this backend's implementations."""

from __future__ import annotations
