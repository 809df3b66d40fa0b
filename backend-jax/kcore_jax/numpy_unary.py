"""Element-wise ops of one tensor: this backend's implementations."""

from __future__ import annotations
