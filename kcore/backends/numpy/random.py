"""Random sampling: this backend's implementations.

Each call seeds a ``numpy.random.Generator`` from the call's seed pair, so the same
seed gives the same numbers. Samples are drawn in float64 and cast to the dtype asked.
"""

from __future__ import annotations

import numpy as np

from kcore.config import floatx
from kcore.random import (
    _check_logits,
    _check_range,
    _check_rate,
    _draw_seed,
    _float_dtype,
    _int_dtype,
    _noise_shape,
    _shape,
)
from kcore.variables import Variable


def _rng(seed) -> np.random.Generator:
    pair = _draw_seed(seed)
    if not isinstance(pair, tuple):
        pair = tuple(int(v) & 0xFFFFFFFF for v in np.asarray(pair).reshape(-1).tolist())
    return np.random.default_rng(pair)


def _array(x) -> np.ndarray:
    return np.asarray(x.value if isinstance(x, Variable) else x)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    sample = _rng(seed).standard_normal(_shape(shape))
    return np.asarray(sample * _array(stddev) + _array(mean)).astype(dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    _check_range(minval, maxval, strict=False)
    low, high = _array(minval), _array(maxval)
    sample = _rng(seed).random(_shape(shape))
    return np.asarray(sample * (high - low) + low).astype(dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    rng = _rng(seed)
    sample = rng.standard_normal(_shape(shape))
    outside = np.abs(sample) > 2.0
    while outside.any():  # redraw the ~4.6% beyond two standard deviations
        sample[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(sample) > 2.0
    return np.asarray(sample * _array(stddev) + _array(mean)).astype(dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    dtype = _int_dtype(dtype)
    _check_range(minval, maxval, strict=True)
    sample = _rng(seed).integers(_array(minval), _array(maxval), size=_shape(shape))
    return sample.astype(dtype)


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = _array(logits).astype(np.float64)
    _check_logits(logits)
    batch, classes = logits.shape
    # Gumbel-max: argmax(logits + Gumbel noise) is a draw from softmax(logits).
    noise = _rng(seed).gumbel(size=(batch, int(num_samples), classes))
    return np.argmax(logits[:, None, :] + noise, axis=-1).astype(dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    _check_rate(rate)
    x = _array(inputs)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(floatx())
    keep = _rng(seed).random(_noise_shape(noise_shape, x.shape)) >= _array(rate)
    scale = 1.0 / (1.0 - _array(rate)) if np.all(_array(rate) < 1) else 0.0
    return np.where(keep, x * scale, 0).astype(x.dtype)


def shuffle(x, axis=0, seed=None):
    return _rng(seed).permutation(_array(x), axis=axis)


def gamma(shape, alpha, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    return np.asarray(_rng(seed).standard_gamma(_array(alpha), size=_shape(shape))).astype(dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    counts = np.rint(_array(counts)).astype(np.int64)  # NumPy counts whole trials only
    sample = _rng(seed).binomial(counts, _array(probabilities), size=_shape(shape))
    return np.asarray(sample).astype(dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    return np.asarray(_rng(seed).beta(_array(alpha), _array(beta), size=_shape(shape))).astype(
        dtype
    )
