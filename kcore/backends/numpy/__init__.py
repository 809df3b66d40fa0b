"""Descriptor of the built-in NumPy backend: inference only, the reference for the
conformance suites, and the default when no framework backend is installed."""

from __future__ import annotations

from kcore.backend import STANDARD_DTYPES, BackendDescriptor, BackendInfo
from kcore.hookspecs import PLUGIN_API_VERSION

descriptor = BackendDescriptor(
    BackendInfo(
        name="numpy",
        distribution="kcore",
        framework="numpy",
        aliases=("np",),
        install="pip install kcore",
        trainable=False,
        dtypes=STANDARD_DTYPES - {"bfloat16"},  # NumPy has no bfloat16
        description="NumPy reference backend (inference only)",
    ),
    factory="kcore.backends.numpy.backend:make_backend",
    plugin_api=PLUGIN_API_VERSION,
)
