"""The JAX backend's ops: plain functions over ``jax.Array``."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from kcore import config
from kcore.dtypes import python_scalar_dtype, standardize_dtype


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    if sparse:
        raise ValueError("convert_to_tensor: sparse=True is not supported by the jax backend yet")
    if ragged:
        raise ValueError("convert_to_tensor: the jax backend has no ragged tensors (ragged=True)")
    if dtype is not None:
        return jnp.asarray(x, dtype=standardize_dtype(dtype))
    if isinstance(x, jax.Array):
        return x
    if hasattr(x, "value") and hasattr(x, "assign"):  # a kcore Variable
        return x.value
    inferred = python_scalar_dtype(x)
    return jnp.asarray(x, dtype=inferred) if inferred else jnp.asarray(x)


def convert_to_numpy(x):
    return np.array(x)


def is_tensor(x):
    return isinstance(x, jax.Array)


add = jnp.add
subtract = jnp.subtract
multiply = jnp.multiply
divide = jnp.true_divide
maximum = jnp.maximum
exp = jnp.exp


_INT8 = np.dtype("int8")


def matmul(x1, x2):
    try:  # arrays (the common case) skip conversion; isinstance(jax.Array) is slow
        int8 = x1.dtype == _INT8 and x2.dtype == _INT8
    except AttributeError:  # Python lists and scalars
        x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
        int8 = x1.dtype == _INT8 and x2.dtype == _INT8
    if int8:  # Keras 3 accumulates int8 products in int32
        return jnp.matmul(x1, x2, preferred_element_type=jnp.int32)
    return jnp.matmul(x1, x2)


def max(x, axis=None, keepdims=False, initial=None):
    return jnp.max(x, axis=axis, keepdims=keepdims, initial=initial)


def sum(x, axis=None, keepdims=False):
    return jnp.sum(x, axis=axis, keepdims=keepdims)


relu = jax.nn.relu


def softmax(x, axis=-1):
    x = convert_to_tensor(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):  # unsigned x - max(x) would wrap
        x = x.astype(config.floatx())
    return jax.nn.softmax(x, axis=axis)
