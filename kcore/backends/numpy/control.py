"""Core ops: casts, slicing and scattering, control flow and gradients: this backend's implementations."""

from __future__ import annotations
