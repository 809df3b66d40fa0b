"""kcore's JAX backend. Importing this package imports no JAX: the descriptor is
light and :mod:`kcore_jax.backend` is loaded only when the backend is selected."""

__version__ = "0.1.0"
