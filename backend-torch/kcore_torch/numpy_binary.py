"""Element-wise ops of two or more tensors and comparisons: this backend's implementations."""

from __future__ import annotations
