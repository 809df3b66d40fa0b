"""Backends embedded in the core (only the NumPy reference backend)."""
