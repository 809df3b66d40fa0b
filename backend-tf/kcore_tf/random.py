"""Random sampling: this backend's implementations, on TF's stateless random ops.

A call's seed becomes the ``(2,)`` int64 seed of ``tf.random.stateless_*``: the same
seed gives the same numbers, eagerly and inside ``tf.function`` (where a
SeedGenerator's ``tf.Variable`` state advances on every run of the graph).
"""

from __future__ import annotations

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
    _shuffle_axis,
)
from kcore_tf.ops import convert_to_tensor, tf


def _seed(seed):
    drawn = _draw_seed(seed)
    if isinstance(drawn, tuple):
        return tf.constant(drawn, dtype=tf.int64)
    return tf.cast(convert_to_tensor(drawn), tf.int64)


def _param(value, dtype: str):
    """A Python number as is, anything else as a tensor of ``dtype``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return tf.cast(convert_to_tensor(value), dtype)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    sample = tf.random.stateless_normal(_shape(shape), _seed(seed), dtype=dtype)
    return sample * _param(stddev, dtype) + _param(mean, dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    _check_range(minval, maxval, strict=False)
    return tf.random.stateless_uniform(
        _shape(shape),
        _seed(seed),
        minval=_param(minval, dtype),
        maxval=_param(maxval, dtype),
        dtype=dtype,
    )


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    sample = tf.random.stateless_truncated_normal(_shape(shape), _seed(seed), dtype=dtype)
    return sample * _param(stddev, dtype) + _param(mean, dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    dtype = _int_dtype(dtype)
    _check_range(minval, maxval, strict=True)
    # TF draws bounded integers in int32 and int64 only: draw int64, then cast.
    sample = tf.random.stateless_uniform(
        _shape(shape),
        _seed(seed),
        minval=_param(minval, "int64"),
        maxval=_param(maxval, "int64"),
        dtype=tf.int64,
    )
    return tf.cast(sample, dtype)


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = convert_to_tensor(logits)
    _check_logits(logits)
    if not logits.dtype.is_floating:
        logits = tf.cast(logits, floatx())
    draws = tf.random.stateless_categorical(logits, int(num_samples), _seed(seed), dtype=tf.int64)
    return tf.cast(draws, dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    scale = _dropout_scale(rate)
    x = convert_to_tensor(inputs)
    if not x.dtype.is_floating:
        x = tf.cast(x, floatx())
    shape = _noise_shape(noise_shape, tuple(x.shape))
    noise = tf.random.stateless_uniform(shape, _seed(seed))
    if scale is None:
        rate = tf.cast(convert_to_tensor(rate), tf.float32)
        scale = tf.cast(tf.where(rate < 1, 1.0 / (1.0 - rate), 0.0), x.dtype)
    keep = noise >= rate
    return tf.where(keep, x * scale, tf.zeros((), x.dtype))


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    axis = _shuffle_axis(axis, x.shape.rank)
    size = tf.shape(x, out_type=tf.int64)[axis : axis + 1]
    order = tf.argsort(tf.random.stateless_uniform(size, _seed(seed)))
    return tf.gather(x, order, axis=axis)


def _work(dtype: str) -> str:
    """The dtype TF's gamma and binomial samplers draw in (no bfloat16 kernels)."""
    return "float64" if dtype == "float64" else "float32"


def gamma(shape, alpha, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    work = _work(dtype)
    sample = tf.random.stateless_gamma(
        _shape(shape), _seed(seed), alpha=_param(alpha, work), dtype=work
    )
    return tf.cast(sample, dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    work = _work(dtype)
    sample = tf.random.stateless_binomial(
        _shape(shape),
        _seed(seed),
        counts=tf.cast(convert_to_tensor(counts), work),
        probs=tf.cast(convert_to_tensor(probabilities), work),
        output_dtype=work,
    )
    return tf.cast(sample, dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    shape = _shape(shape)
    work = _work(dtype)
    seeds = tf.random.experimental.stateless_split(_seed(seed), 2)
    a = tf.random.stateless_gamma(shape, seeds[0], alpha=_param(alpha, work), dtype=work)
    b = tf.random.stateless_gamma(shape, seeds[1], alpha=_param(beta, work), dtype=work)
    return tf.cast(a / (a + b), dtype)
