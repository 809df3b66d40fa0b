"""Descriptor of the built-in NumPy backend: inference only, the reference for the
conformance suites, and the default when no framework backend is installed."""

from __future__ import annotations

from kcore.backend import BackendInfo
from kcore.hookspecs import PLUGIN_API_VERSION, hookimpl

KCORE_PLUGIN_API = PLUGIN_API_VERSION


@hookimpl
def kcore_backend_info() -> BackendInfo:
    return BackendInfo(
        name="numpy",
        distribution="kcore",
        framework="numpy",
        aliases=("np",),
        install="pip install kcore",
        trainable=False,
        dtypes={
            "bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32",
            "int64", "float16", "float32", "float64", "complex64", "complex128",
        },
        description="NumPy reference backend (inference only)",
    )


@hookimpl
def kcore_load_backend(name: str):
    if name == "numpy":
        from kcore.backends.numpy.backend import make_backend

        return make_backend()
    return None
