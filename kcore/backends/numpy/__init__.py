"""Descriptor of the built-in NumPy backend: inference only, the reference for the
conformance suites, and the default when no framework backend is installed."""

from __future__ import annotations

from kcore.backend import BackendDescriptor, BackendInfo
from kcore.hookspecs import PLUGIN_API_VERSION

descriptor = BackendDescriptor(
    BackendInfo(
        name="numpy",
        distribution="kcore",
        framework="numpy",
        aliases=("np",),
        install="pip install kcore",
        trainable=False,
        # NumPy has no bfloat16.
        dtypes={
            "bool",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "int8",
            "int16",
            "int32",
            "int64",
            "float16",
            "float32",
            "float64",
            "complex64",
            "complex128",
        },
        description="NumPy reference backend (inference only)",
    ),
    factory="kcore.backends.numpy.backend:make_backend",
    plugin_api=PLUGIN_API_VERSION,
)
