"""Entry point of the jax backend: describes it without importing JAX.

The entry point ``jax = kcore_jax.descriptor:descriptor`` names :data:`descriptor`;
only its factory, :func:`kcore_jax.backend.make_backend`, imports the framework.
"""

from __future__ import annotations

from kcore.backend import BackendDescriptor, BackendInfo

descriptor = BackendDescriptor(
    BackendInfo(
        name="jax",
        distribution="kcore-jax",
        framework="jax",
        install="pip install 'kcore[jax]'",
        trainable=True,
        description="JAX and XLA (jax.jit, jax.grad)",
    ),
    factory="kcore_jax.backend:make_backend",
    trainer="kcore_jax.trainer:make_trainer",
    plugin_api="1.0",
)
