"""Entry point of the JAX backend: describes it without importing JAX."""

from __future__ import annotations

from kcore.backend import BackendInfo
from kcore.hookspecs import hookimpl

KCORE_PLUGIN_API = "1.0"


@hookimpl
def kcore_backend_info() -> BackendInfo:
    return BackendInfo(
        name="jax",
        distribution="kcore-jax",
        framework="jax",
        install="pip install 'kcore[jax]'",
        trainable=True,
        description="JAX and XLA (jax.jit, jax.grad)",
    )


@hookimpl
def kcore_load_backend(name: str):
    if name != "jax":
        return None
    from kcore_jax.backend import make_backend

    return make_backend()
