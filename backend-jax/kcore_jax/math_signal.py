"""JAX implementations of the ops declared in ``kcore/ops/math_signal.py``.

The FFTs call ``jnp.fft``; ``extract_sequences`` is one gather of all frames.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from kcore.dtypes import standardize_dtype
from kcore.ops.math_signal import (
    _check,
    _irfft_problem,
    _istft_problem,
    _pair_dtype,
    _pair_problem,
    _rfft_problem,
    _sequences_problem,
    _stft_problem,
    _work_dtype,
    istft_slice,
    window_array,
)


def _complex(x, min_rank=1):
    """``(real, imag)`` as one complex array, and the dtype to give results back in."""
    _check(_pair_problem(x, min_rank))
    real, imag = jnp.asarray(x[0]), jnp.asarray(x[1])
    work, out = _work_dtype(
        _pair_dtype(standardize_dtype(real.dtype), standardize_dtype(imag.dtype))
    )
    return jax.lax.complex(real.astype(work), imag.astype(work)), out


def _parts(z, dtype):
    return jnp.real(z).astype(dtype), jnp.imag(z).astype(dtype)


def extract_sequences(x, sequence_length, sequence_stride):
    x = jnp.asarray(x)
    _check(_sequences_problem(x, sequence_length, sequence_stride))
    count = (x.shape[-1] - sequence_length) // sequence_stride + 1
    index = np.arange(count)[:, None] * sequence_stride + np.arange(sequence_length)
    return jnp.take(x, index, axis=-1)


def fft(x):
    z, dtype = _complex(x)
    return _parts(jnp.fft.fft(z, axis=-1), dtype)


def fft2(x):
    z, dtype = _complex(x, 2)
    return _parts(jnp.fft.fft2(z, axes=(-2, -1)), dtype)


def ifft2(x):
    z, dtype = _complex(x, 2)
    return _parts(jnp.fft.ifft2(z, axes=(-2, -1)), dtype)


def rfft(x, fft_length=None):
    x = jnp.asarray(x)
    _check(_rfft_problem(x, fft_length))
    work, out = _work_dtype(standardize_dtype(x.dtype))
    return _parts(jnp.fft.rfft(x.astype(work), n=fft_length, axis=-1), out)


def irfft(x, fft_length=None):
    _check(_irfft_problem(x, fft_length))
    z, dtype = _complex(x)
    return jnp.fft.irfft(z, n=fft_length, axis=-1).astype(dtype)


# stft and istft run as one compiled function per shape and arguments: eagerly, the
# dozen small ops of the composites would each be compiled on first use.


def _window(window, sequence_length, fft_length, dtype):
    if window is None:
        return None
    if isinstance(window, str):
        return jnp.asarray(window_array(window, sequence_length, fft_length), dtype)
    left = (fft_length - sequence_length) // 2
    return jnp.pad(jnp.asarray(window, dtype), (left, fft_length - sequence_length - left))


@functools.partial(jax.jit, static_argnums=(2, 3, 4, 5))
def _stft(x, win, sequence_stride, fft_length, center, out):
    if center:
        half = fft_length // 2
        x = jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(half, half)], mode="reflect")
    frames = extract_sequences(x, fft_length, sequence_stride)
    if win is not None:
        frames = frames * win
    return _parts(jnp.fft.rfft(frames, n=fft_length, axis=-1), out)


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    x = jnp.asarray(x)
    _check(_stft_problem(x, sequence_length, sequence_stride, fft_length, window, center))
    work, out = _work_dtype(standardize_dtype(x.dtype))
    win = _window(window, sequence_length, fft_length, work)
    return _stft(x.astype(work), win, sequence_stride, fft_length, bool(center), out)


@functools.partial(jax.jit, static_argnums=(2, 3, 4, 5))
def _istft(z, win, sequence_stride, fft_length, bounds, out):
    frames = jnp.fft.irfft(z, n=fft_length, axis=-1)
    count = frames.shape[-2]
    index = np.arange(count)[:, None] * sequence_stride + np.arange(fft_length)
    total = fft_length + sequence_stride * (count - 1)
    squares = jnp.ones((count, fft_length), frames.dtype)
    if win is not None:
        frames = frames * win
        squares = squares * (win * win)
    signal = jnp.zeros((*frames.shape[:-2], total), frames.dtype).at[..., index].add(frames)
    envelope = jnp.zeros((total,), frames.dtype).at[index].add(squares)
    signal = signal / jnp.where(envelope > 1e-10, envelope, 1.0)
    if win is None:
        signal = signal * (fft_length / sequence_stride)
    return signal[..., bounds[0] : bounds[1]].astype(out)


def istft(
    x,
    sequence_length,
    sequence_stride,
    fft_length,
    length=None,
    window="hann",
    center=True,
):
    _check(_istft_problem(x, sequence_length, sequence_stride, fft_length, window))
    z, out = _complex(x, 2)
    work = jnp.real(z).dtype
    win = _window(window, sequence_length, fft_length, work)
    bounds = istft_slice(sequence_stride, fft_length, length, center)
    return _istft(z, win, sequence_stride, fft_length, bounds, out)
