"""Tensor creation, windows and products: this backend's implementations.

``jax.numpy`` already follows Keras 3's semantics for most of these (Keras's JAX
backend is the reference for them); what is added here is Keras's default dtypes
(``floatx()`` for fills, int32 for integer ``arange``) and int8 accumulation in einsum.
"""

from __future__ import annotations

import jax.numpy as jnp

from kcore import config
from kcore.dtypes import standardize_dtype
from kcore.ops.numpy_creation import _arange_dtype, _space_dtype


def _dtype(dtype):
    return config.floatx() if dtype is None else standardize_dtype(dtype)


def arange(start, stop=None, step=None, dtype=None):
    dtype = standardize_dtype(_arange_dtype(start, stop, step, dtype))
    return jnp.arange(start, stop, step, dtype=dtype)


def eye(N, M=None, k=0, dtype=None):
    return jnp.eye(N, M, k, dtype=_dtype(dtype))


def full(shape, fill_value, dtype=None):
    return jnp.full(shape, fill_value, dtype=_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    x = jnp.asarray(x)  # refuses KerasTensors, which jnp's *_like would take for arrays
    return jnp.full_like(x, fill_value, dtype=None if dtype is None else standardize_dtype(dtype))


def ones(shape, dtype=None):
    return jnp.ones(shape, dtype=_dtype(dtype))


def zeros(shape, dtype=None):
    return jnp.zeros(shape, dtype=_dtype(dtype))


def ones_like(x, dtype=None):
    x = jnp.asarray(x)
    return jnp.ones_like(x, dtype=None if dtype is None else standardize_dtype(dtype))


def zeros_like(x, dtype=None):
    x = jnp.asarray(x)
    return jnp.zeros_like(x, dtype=None if dtype is None else standardize_dtype(dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    return jnp.linspace(
        start,
        stop,
        num=num,
        endpoint=endpoint,
        retstep=retstep,
        dtype=_space_dtype(start, stop, dtype),
        axis=axis,
    )


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    return jnp.logspace(
        start,
        stop,
        num=num,
        endpoint=endpoint,
        base=base,
        dtype=_space_dtype(start, stop, dtype),
        axis=axis,
    )


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return jnp.geomspace(
        start, stop, num=num, endpoint=endpoint, dtype=_space_dtype(start, stop, dtype), axis=axis
    )


def tri(N, M=None, k=0, dtype=None):
    return jnp.tri(N, M, k, dtype=_dtype(dtype))


tril = jnp.tril
triu = jnp.triu
diag = jnp.diag
diagflat = jnp.diagflat
vander = jnp.vander

dot = jnp.dot
inner = jnp.inner
outer = jnp.outer
vdot = jnp.vdot
tensordot = jnp.tensordot
kron = jnp.kron
cross = jnp.cross
correlate = jnp.correlate
corrcoef = jnp.corrcoef
trapezoid = jnp.trapezoid


def einsum(subscripts, *operands, **kwargs):
    if operands and all(getattr(o, "dtype", None) == jnp.int8 for o in operands):
        # Keras 3 accumulates int8 products in int32
        kwargs.setdefault("preferred_element_type", jnp.int32)
    return jnp.einsum(subscripts, *operands, **kwargs)


def slogdet(x):
    x = jnp.asarray(x)
    if x.dtype in (jnp.float16, jnp.bfloat16):  # no half-precision LU: work in float32
        sign, logdet = jnp.linalg.slogdet(x.astype(jnp.float32))
        return sign.astype(x.dtype), logdet.astype(x.dtype)
    return tuple(jnp.linalg.slogdet(x))


def vectorize(pyfunc, *, excluded=None, signature=None):
    return jnp.vectorize(pyfunc, excluded=set(excluded or ()), signature=signature)
