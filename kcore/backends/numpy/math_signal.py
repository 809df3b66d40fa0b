"""NumPy implementations of the ops declared in ``kcore/ops/math_signal.py``.

The reference: ``np.fft`` and plain NumPy framing, each result cast to the dtype the
declaration module states (NumPy's FFTs may compute in double precision).
"""

from __future__ import annotations

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
    window_padding,
)


def _complex(x, min_rank=1):
    """``(real, imag)`` as one complex array, and the dtype to give results back in."""
    _check(_pair_problem(x, min_rank))
    real, imag = np.asarray(x[0]), np.asarray(x[1])
    work, out = _work_dtype(
        _pair_dtype(standardize_dtype(real.dtype), standardize_dtype(imag.dtype))
    )
    complex_dtype = np.complex128 if work == "float64" else np.complex64
    return real.astype(complex_dtype) + 1j * imag.astype(complex_dtype), out


def _parts(z, dtype):
    return np.asarray(z.real, dtype=dtype), np.asarray(z.imag, dtype=dtype)


def extract_sequences(x, sequence_length, sequence_stride):
    x = np.asarray(x)
    _check(_sequences_problem(x, sequence_length, sequence_stride))
    windows = np.lib.stride_tricks.sliding_window_view(x, sequence_length, axis=-1)
    return np.ascontiguousarray(windows[..., ::sequence_stride, :])


def fft(x):
    z, dtype = _complex(x)
    return _parts(np.fft.fft(z, axis=-1), dtype)


def fft2(x):
    z, dtype = _complex(x, 2)
    return _parts(np.fft.fft2(z, axes=(-2, -1)), dtype)


def ifft2(x):
    z, dtype = _complex(x, 2)
    return _parts(np.fft.ifft2(z, axes=(-2, -1)), dtype)


def rfft(x, fft_length=None):
    x = np.asarray(x)
    _check(_rfft_problem(x, fft_length))
    work, out = _work_dtype(standardize_dtype(x.dtype))
    return _parts(np.fft.rfft(x.astype(work), n=fft_length, axis=-1), out)


def irfft(x, fft_length=None):
    _check(_irfft_problem(x, fft_length))
    z, dtype = _complex(x)
    return np.asarray(np.fft.irfft(z, n=fft_length, axis=-1), dtype=dtype)


def _window(window, sequence_length, fft_length, dtype):
    if window is None:
        return None
    if isinstance(window, str):
        return window_array(window, sequence_length, fft_length).astype(dtype)
    return np.pad(np.asarray(window, dtype=dtype), window_padding(sequence_length, fft_length))


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    x = np.asarray(x)
    _check(_stft_problem(x, sequence_length, sequence_stride, fft_length, window, center))
    work, out = _work_dtype(standardize_dtype(x.dtype))
    x = x.astype(work)
    if center:
        half = fft_length // 2
        x = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(half, half)], mode="reflect")
    frames = extract_sequences(x, fft_length, sequence_stride)
    win = _window(window, sequence_length, fft_length, work)
    if win is not None:
        frames = frames * win
    return _parts(np.fft.rfft(frames, n=fft_length, axis=-1), out)


def _overlap_add(frames, sequence_stride):
    *batch, count, length = frames.shape
    out = np.zeros((*batch, length + sequence_stride * (count - 1)), frames.dtype)
    for i in range(count):
        out[..., i * sequence_stride : i * sequence_stride + length] += frames[..., i, :]
    return out


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
    z, dtype = _complex(x, 2)
    work = np.float64 if z.dtype == np.complex128 else np.float32
    frames = np.fft.irfft(z, n=fft_length, axis=-1).astype(work)
    count = frames.shape[-2]
    win = _window(window, sequence_length, fft_length, work)
    squares = np.ones((count, fft_length), work) if win is None else np.tile(win * win, (count, 1))
    if win is not None:
        frames = frames * win
    signal = _overlap_add(frames, sequence_stride)
    envelope = _overlap_add(squares, sequence_stride)
    signal = signal / np.where(envelope > 1e-10, envelope, 1.0).astype(work)
    if win is None:
        signal = signal * (fft_length / sequence_stride)
    start, end = istft_slice(sequence_stride, fft_length, length, center)
    return np.asarray(signal[..., start:end], dtype=dtype)
