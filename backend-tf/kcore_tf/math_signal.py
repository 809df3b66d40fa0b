"""TensorFlow implementations of the ops declared in ``kcore/ops/math_signal.py``.

The FFTs call ``tf.signal`` (half floats go through float32: its kernels refuse them),
``extract_sequences`` is ``tf.signal.frame`` and ``stft`` is ``tf.signal.stft`` with
the window padded to ``fft_length`` as the declaration says (TensorFlow's own
``hann_window`` is not periodic for odd lengths, so the windows come from the core).
``istft`` overlap-adds with ``tf.signal.overlap_and_add`` itself:
``tf.signal.inverse_stft`` divides by the squared window's steady-state sum, not by
its overlap-added value at each sample.
"""

from __future__ import annotations

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
from kcore_tf.ops import _tf_dtype, convert_to_tensor, tf

_COMPLEX = {"float32": tf.complex64, "float64": tf.complex128}


def _complex(x, min_rank=1):
    """``(real, imag)`` as one complex tensor, and the dtype to give results in."""
    _check(_pair_problem(x, min_rank))
    real, imag = convert_to_tensor(x[0]), convert_to_tensor(x[1])
    work, out = _work_dtype(_pair_dtype(real.dtype.name, imag.dtype.name))
    work = _tf_dtype(work)
    return tf.complex(tf.cast(real, work), tf.cast(imag, work)), _tf_dtype(out)


def _parts(z, dtype):
    return tf.cast(tf.math.real(z), dtype), tf.cast(tf.math.imag(z), dtype)


def extract_sequences(x, sequence_length, sequence_stride):
    x = convert_to_tensor(x)
    _check(_sequences_problem(x, sequence_length, sequence_stride))
    return tf.signal.frame(x, sequence_length, sequence_stride, pad_end=False, axis=-1)


def fft(x):
    z, dtype = _complex(x)
    return _parts(tf.signal.fft(z), dtype)


def fft2(x):
    z, dtype = _complex(x, 2)
    return _parts(tf.signal.fft2d(z), dtype)


def ifft2(x):
    z, dtype = _complex(x, 2)
    return _parts(tf.signal.ifft2d(z), dtype)


def _as_float(x):
    work, out = _work_dtype(x.dtype.name)
    return tf.cast(x, _tf_dtype(work)), _tf_dtype(out)


def rfft(x, fft_length=None):
    x = convert_to_tensor(x)
    _check(_rfft_problem(x, fft_length))
    x, out = _as_float(x)
    n = x.shape[-1] if fft_length is None else fft_length
    if n is None:
        n = tf.shape(x)[-1]
    elif x.shape[-1] is not None and n < x.shape[-1]:
        x = x[..., :n]  # cut here: the gradient of RFFT's own cropping has the wrong shape
    return _parts(tf.signal.rfft(x, fft_length=[n]), out)


def irfft(x, fft_length=None):
    _check(_irfft_problem(x, fft_length))
    z, dtype = _complex(x)
    n = fft_length
    if n is None:
        bins = z.shape[-1]
        n = 2 * (bins - 1) if bins is not None else 2 * (tf.shape(z)[-1] - 1)
    return tf.cast(tf.signal.irfft(z, fft_length=[n]), dtype)


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    x = convert_to_tensor(x)
    _check(_stft_problem(x, sequence_length, sequence_stride, fft_length, window, center))
    x, out = _as_float(x)
    if center:
        half = fft_length // 2
        x = tf.pad(x, [(0, 0)] * (x.shape.rank - 1) + [(half, half)], mode="REFLECT")
    if window is None:
        window_fn = None
    elif isinstance(window, str):
        values = tf.constant(window_array(window, sequence_length, fft_length), x.dtype)
        window_fn = lambda length, dtype: values  # noqa: E731
    else:
        values = tf.pad(
            tf.cast(convert_to_tensor(window), x.dtype),
            [window_padding(sequence_length, fft_length)],
        )
        window_fn = lambda length, dtype: values  # noqa: E731
    z = tf.signal.stft(
        x,
        frame_length=fft_length,
        frame_step=sequence_stride,
        fft_length=fft_length,
        window_fn=window_fn,
        pad_end=False,
    )
    return _parts(z, out)


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
    frames = tf.signal.irfft(z, fft_length=[fft_length])
    # The squared window of every frame, shaped (frames, fft_length) from the first
    # batch entry, so an unknown number of frames needs no shape.
    squares = tf.ones_like(frames[(0,) * (frames.shape.rank - 2)])
    if window is not None:
        if isinstance(window, str):
            win = tf.constant(window_array(window, sequence_length, fft_length), frames.dtype)
        else:
            win = tf.pad(
                tf.cast(convert_to_tensor(window), frames.dtype),
                [window_padding(sequence_length, fft_length)],
            )
        frames = frames * win
        squares = squares * (win * win)
    gap = sequence_stride - fft_length
    if gap > 0:  # overlap_and_add wants frames at least a stride long
        frames = tf.pad(frames, [(0, 0)] * (frames.shape.rank - 1) + [(0, gap)])
        squares = tf.pad(squares, [(0, 0), (0, gap)])
    signal = tf.signal.overlap_and_add(frames, sequence_stride)
    envelope = tf.signal.overlap_and_add(squares, sequence_stride)
    signal = signal / tf.where(envelope > 1e-10, envelope, tf.ones_like(envelope))
    if window is None:
        signal = signal * (fft_length / sequence_stride)
    if gap > 0:
        signal = signal[..., :-gap]
    start, end = istft_slice(sequence_stride, fft_length, length, center)
    return tf.cast(signal[..., start:end], out)
