"""Audio preprocessing layers: MelSpectrogram and STFTSpectrogram (Keras 3's).

Example::

    >>> layer = kcore.layers.MelSpectrogram(fft_length=64, sequence_stride=32,
    ...                                     num_mel_bins=8)
    >>> tuple(layer(np.zeros((2, 256), "float32")).shape)
    (2, 8, 9)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kcore import config as _config
from kcore import initializers, ops
from kcore.layers.input_spec import InputSpec
from kcore.layers.layer import Layer

__all__ = ["MelSpectrogram", "STFTSpectrogram"]

_MEL_BREAK_HZ = 700.0
_MEL_HIGH_Q = 1127.0


def _hertz_to_mel(hz: Any) -> Any:
    return _MEL_HIGH_Q * np.log(1.0 + np.asarray(hz, dtype="float64") / _MEL_BREAK_HZ)


def linear_to_mel_weight_matrix(
    num_mel_bins: int = 20,
    num_spectrogram_bins: int = 129,
    sampling_rate: float = 8000,
    lower_edge_hertz: float = 125.0,
    upper_edge_hertz: float = 3800.0,
) -> np.ndarray:
    """The ``(num_spectrogram_bins, num_mel_bins)`` matrix of triangular HTK mel
    filters (peak 1) over the linear bins of ``[0, sampling_rate / 2]``; the DC bin
    gets no weight (as in Keras and TensorFlow).

    Example::

        >>> linear_to_mel_weight_matrix(4, 9, 8000, 100.0, 4000.0).shape
        (9, 4)
    """
    nyquist = sampling_rate / 2.0
    freqs = np.linspace(0.0, nyquist, num_spectrogram_bins)[1:]
    bins_mel = _hertz_to_mel(freqs)[:, None]
    edges = np.linspace(
        _hertz_to_mel(lower_edge_hertz), _hertz_to_mel(upper_edge_hertz), num_mel_bins + 2
    )
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.pad(weights, ((1, 0), (0, 0))).astype("float32")


def _positive(value: Any, name: str, cls: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{cls}: {name} must be a positive int, received {name}={value!r}")


class MelSpectrogram(Layer):
    """Mel spectrograms of raw audio: STFT magnitudes (``center=True``) raised to
    ``mag_exp``, mapped to ``num_mel_bins`` mel bands, and in decibels with
    ``power_to_db`` (clipped ``top_db`` below the maximum). Output shape
    ``(batch, num_mel_bins, frames)`` with ``frames = 1 + samples // sequence_stride``.

    Args:
        fft_length: the FFT size.
        sequence_stride: the hop between frames.
        sequence_length: the window length (default ``fft_length``).
        window: ``"hann"``, ``"hamming"`` or ``None``.
        sampling_rate: samples per second.
        num_mel_bins: the number of mel bands.
        min_freq: the lowest band edge in Hz.
        max_freq: the highest band edge in Hz (default ``sampling_rate / 2``).
        power_to_db: convert to decibels.
        top_db: the dynamic range kept in decibels.
        mag_exp: the exponent of the magnitudes (2: power).
        min_power: the floor of the power before the log.
        ref_power: the reference power of 0 dB.

    Example::

        >>> layer = kcore.layers.MelSpectrogram(fft_length=32, sequence_stride=16,
        ...                                     num_mel_bins=4, sampling_rate=8000)
        >>> tuple(layer(np.random.rand(1, 64).astype("float32")).shape)
        (1, 4, 5)
    """

    def __init__(
        self,
        fft_length: int = 2048,
        sequence_stride: int = 512,
        sequence_length: int | None = None,
        window: str | None = "hann",
        sampling_rate: int = 16000,
        num_mel_bins: int = 128,
        min_freq: float = 20.0,
        max_freq: float | None = None,
        power_to_db: bool = True,
        top_db: float = 80.0,
        mag_exp: float = 2.0,
        min_power: float = 1e-10,
        ref_power: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        cls = "MelSpectrogram"
        _positive(fft_length, "fft_length", cls)
        _positive(sequence_stride, "sequence_stride", cls)
        _positive(num_mel_bins, "num_mel_bins", cls)
        sequence_length = sequence_length or fft_length
        _positive(sequence_length, "sequence_length", cls)
        if fft_length < sequence_length:
            raise ValueError(
                f"{cls}: fft_length must be >= sequence_length, received "
                f"sequence_length={sequence_length}, fft_length={fft_length}"
            )
        if window not in (None, "hann", "hamming"):
            raise ValueError(
                f"{cls}: window must be 'hann', 'hamming' or None, received window={window!r}"
            )
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        self._mel_matrix = linear_to_mel_weight_matrix(
            num_mel_bins, fft_length // 2 + 1, sampling_rate, min_freq, self.max_freq
        )

    def call(self, inputs: Any) -> Any:
        compute = self.compute_dtype
        dtype = compute if compute in ("float32", "float64") else "float32"
        inputs = ops.cast(inputs, dtype)
        real, imag = ops.stft(
            inputs,
            sequence_length=self.sequence_length,
            sequence_stride=self.sequence_stride,
            fft_length=self.fft_length,
            window=self.window,
            center=True,
        )
        spec = ops.power(ops.sqrt(ops.square(real) + ops.square(imag)), self.mag_exp)
        mel = ops.tensordot(spec, ops.convert_to_tensor(self._mel_matrix, dtype=dtype), axes=1)
        if self.power_to_db:
            log_spec = 10.0 * ops.log10(ops.maximum(mel, self.min_power))
            log_spec = log_spec - 10.0 * math.log10(max(abs(self.ref_power), self.min_power))
            mel = ops.maximum(log_spec, ops.max(log_spec) - self.top_db)
        return ops.cast(ops.swapaxes(mel, -1, -2), compute)

    def compute_output_shape(self, input_shape: Any) -> Any:
        input_shape = tuple(input_shape)
        samples = input_shape[-1]
        frames = None if samples is None else 1 + samples // self.sequence_stride
        return (*input_shape[:-1], self.num_mel_bins, frames)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "fft_length": self.fft_length,
            "sequence_stride": self.sequence_stride,
            "sequence_length": self.sequence_length,
            "window": self.window,
            "sampling_rate": self.sampling_rate,
            "num_mel_bins": self.num_mel_bins,
            "min_freq": self.min_freq,
            "max_freq": self.max_freq,
            "power_to_db": self.power_to_db,
            "top_db": self.top_db,
            "mag_exp": self.mag_exp,
            "min_power": self.min_power,
            "ref_power": self.ref_power,
        }


_STFT_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


class STFTSpectrogram(Layer):
    """Spectrograms of multi-channel signals by a strided convolution with STFT
    kernels (trainable weights ``real_kernel``/``imag_kernel`` made by
    :class:`kcore.initializers.STFT`).

    Args:
        mode: ``"log"``, ``"magnitude"``, ``"psd"``, ``"real"``, ``"imag"``,
            ``"angle"`` or ``"stft"`` (real then imaginary parts).
        frame_length: the window length.
        frame_step: the hop (default ``frame_length // 2``).
        fft_length: the FFT size (default the next power of two).
        window: a window name, an array, or ``None``.
        periodic: use the periodic window.
        scaling: ``"density"``, ``"spectrum"`` or ``None``.
        padding: ``"valid"`` or ``"same"``.
        expand_dims: keep channels and frequencies on separate axes.
        data_format: ``"channels_last"`` (inputs ``(batch, time, channels)``) or
            ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.STFTSpectrogram(frame_length=16, frame_step=8)
        >>> tuple(layer(np.zeros((2, 64, 1), "float32")).shape)
        (2, 7, 9)
    """

    def __init__(
        self,
        mode: str = "log",
        frame_length: int = 256,
        frame_step: int | None = None,
        fft_length: int | None = None,
        window: Any = "hann",
        periodic: bool = False,
        scaling: str | None = "density",
        padding: str = "valid",
        expand_dims: bool = False,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        cls = "STFTSpectrogram"
        _positive(frame_length, "frame_length", cls)
        if frame_step is not None and (
            isinstance(frame_step, bool)
            or not isinstance(frame_step, int)
            or frame_step > frame_length
            or frame_step < 1
        ):
            raise ValueError(
                f"{cls}: frame_step must be a positive int not greater than frame_length, "
                f"received frame_step={frame_step}, frame_length={frame_length}"
            )
        if fft_length is not None and fft_length < frame_length:
            raise ValueError(
                f"{cls}: fft_length must be >= frame_length, received "
                f"fft_length={fft_length}, frame_length={frame_length}"
            )
        if mode not in _STFT_MODES:
            raise ValueError(
                f"{cls}: mode must be one of {', '.join(_STFT_MODES)}, received mode={mode!r}"
            )
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(
                f"{cls}: scaling must be None, 'density' or 'spectrum', received "
                f"scaling={scaling!r}"
            )
        if padding not in ("valid", "same"):
            raise ValueError(
                f"{cls}: padding must be 'valid' or 'same', received padding={padding!r}"
            )
        if isinstance(window, str):
            initializers.STFT("real", window, scaling, periodic)
        super().__init__(**kwargs)
        data_format = _config.image_data_format() if data_format is None else data_format
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                f"{cls}: data_format must be 'channels_last' or 'channels_first', "
                f"received data_format={data_format!r}"
            )
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = data_format
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape: Any) -> None:
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                name="real_kernel",
                shape=shape,
                initializer=initializers.STFT("real", self.window, self.scaling, self.periodic),
            )
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                name="imag_kernel",
                shape=shape,
                initializer=initializers.STFT("imag", self.window, self.scaling, self.periodic),
            )

    def _conv(self, inputs: Any, kernel: Any) -> Any:
        shape = tuple(inputs.shape)
        if self.data_format == "channels_last":
            time, channels = shape[1], shape[2]
            x = ops.reshape(ops.transpose(inputs, (0, 2, 1)), (-1, time, 1))
        else:
            channels, time = shape[1], shape[2]
            x = ops.reshape(inputs, (-1, 1, time))
        out = ops.conv(
            x,
            ops.cast(kernel, inputs.dtype),
            strides=self._frame_step,
            padding=self.padding,
            data_format=self.data_format,
        )
        if self.data_format == "channels_last":
            out = ops.transpose(out, (0, 2, 1))
        freq, steps = tuple(out.shape)[1], tuple(out.shape)[2]
        return ops.reshape(out, (-1, channels, freq, steps))

    def _arrange(self, x: Any) -> Any:
        _, channels, freq, steps = tuple(x.shape)
        if self.data_format == "channels_last":
            if self.expand_dims:
                return ops.transpose(x, (0, 3, 2, 1))
            return ops.transpose(ops.reshape(x, (-1, channels * freq, steps)), (0, 2, 1))
        if self.expand_dims:
            return ops.transpose(x, (0, 1, 3, 2))
        return ops.reshape(x, (-1, channels * freq, steps))

    def call(self, inputs: Any) -> Any:
        from kcore.dtypes import standardize_dtype

        if standardize_dtype(inputs.dtype) not in ("float16", "float32", "float64", "bfloat16"):
            raise TypeError(
                "STFTSpectrogram: expected float16, float32 or float64 inputs, received "
                f"{standardize_dtype(inputs.dtype)}"
            )
        real = self._conv(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._conv(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode == "real":
            return self._arrange(real)
        if self.mode == "imag":
            return self._arrange(imag)
        if self.mode == "angle":
            return self._arrange(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._arrange(ops.concatenate([real, imag], axis=2))
        power = ops.square(real) + ops.square(imag)
        if self.mode == "psd":
            inner = ops.pad(power[:, :, 1:-1, :], ((0, 0), (0, 0), (1, 1), (0, 0)))
            return self._arrange(power + inner)
        eps = _config.epsilon()
        magnitude = self._arrange(ops.sqrt(ops.maximum(power, eps)))
        if self.mode == "magnitude":
            return magnitude
        return ops.log(ops.maximum(magnitude, eps))

    def compute_output_shape(self, input_shape: Any) -> Any:
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            batch, time, channels = input_shape
        else:
            batch, channels, time = input_shape
        freq = self._fft_length // 2 + 1
        if self.mode == "stft":
            freq *= 2
        if time is None:
            steps = None
        elif self.padding == "valid":
            steps = (time - self.frame_length) // self._frame_step + 1
        else:
            steps = -(-time // self._frame_step)
        if self.expand_dims:
            if self.data_format == "channels_last":
                return (batch, steps, freq, channels)
            return (batch, channels, steps, freq)
        total = None if channels is None else channels * freq
        if self.data_format == "channels_last":
            return (batch, steps, total)
        return (batch, total, steps)

    def get_config(self) -> dict[str, Any]:
        window = self.window
        if window is not None and not isinstance(window, str):
            window = np.asarray(ops.convert_to_numpy(window)).tolist()
        return {
            **super().get_config(),
            "mode": self.mode,
            "frame_length": self.frame_length,
            "frame_step": self.frame_step,
            "fft_length": self.fft_length,
            "window": window,
            "periodic": self.periodic,
            "scaling": self.scaling,
            "padding": self.padding,
            "data_format": self.data_format,
            "expand_dims": self.expand_dims,
        }
