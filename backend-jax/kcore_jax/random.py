"""Random sampling: this backend's implementations, on ``jax.random``.

A call's seed becomes a threefry key: a seed pair of Python ints is wrapped as key
data, and a seed tensor (a SeedGenerator's state, or a traced seed inside
``jax.jit``) is wrapped without leaving the trace, so the functions jit with the seed
passed as an argument.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from kcore.config import floatx
from kcore.random import (
    _check_logits,
    _check_range,
    _draw_seed,
    _dropout_scale,
    _float_dtype,
    _int_dtype,
    _noise_shape,
    _shape,
)
from kcore.variables import Variable


def _key(seed) -> jax.Array:
    drawn = _draw_seed(seed)
    if isinstance(drawn, tuple):
        data = np.asarray(drawn, dtype=np.uint32)
    elif jax.dtypes.issubdtype(drawn.dtype, jax.dtypes.prng_key):
        return drawn
    else:
        data = jnp.asarray(drawn).astype(jnp.uint32)
    return jax.random.wrap_key_data(data, impl="threefry2x32")


def _value(x):
    return x.value if isinstance(x, Variable) else x


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    sample = jax.random.normal(_key(seed), _shape(shape), dtype)
    return (sample * _value(stddev) + _value(mean)).astype(dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    _check_range(minval, maxval, strict=False)
    return jax.random.uniform(
        _key(seed), _shape(shape), dtype, minval=_value(minval), maxval=_value(maxval)
    )


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    sample = jax.random.truncated_normal(_key(seed), -2.0, 2.0, _shape(shape), dtype)
    return (sample * _value(stddev) + _value(mean)).astype(dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    dtype = _int_dtype(dtype)
    _check_range(minval, maxval, strict=True)
    return jax.random.randint(_key(seed), _shape(shape), _value(minval), _value(maxval), dtype)


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = jnp.asarray(_value(logits))
    _check_logits(logits)
    if not jnp.issubdtype(logits.dtype, jnp.floating):
        logits = logits.astype(floatx())
    draws = jax.random.categorical(
        _key(seed), logits, axis=-1, shape=(int(num_samples), logits.shape[0])
    )
    return draws.T.astype(dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    scale = _dropout_scale(rate)
    x = jnp.asarray(_value(inputs))
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(floatx())
    rate = _value(rate)
    keep = jax.random.uniform(_key(seed), _noise_shape(noise_shape, x.shape)) >= rate
    if scale is None:
        scale = jnp.where(rate < 1, 1.0 / (1.0 - rate), 0.0)
    return jnp.where(keep, x * scale, jnp.zeros((), x.dtype)).astype(x.dtype)


def shuffle(x, axis=0, seed=None):
    return jax.random.permutation(_key(seed), _value(x), axis=axis, independent=False)


def gamma(shape, alpha, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    return jax.random.gamma(_key(seed), _value(alpha), _shape(shape), dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    return jax.random.binomial(
        _key(seed), _value(counts), _value(probabilities), _shape(shape), dtype
    )


def beta(shape, alpha, beta, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    return jax.random.beta(_key(seed), _value(alpha), _value(beta), _shape(shape), dtype)
