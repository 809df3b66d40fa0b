"""Initializers that draw no random numbers: Constant, Zeros, Ones, Identity, STFT."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kcore import ops
from kcore.dtypes import standardize_dtype
from kcore.initializers.initializer import Initializer


class Constant(Initializer):
    """Fills the tensor with ``value`` (a scalar, or an array broadcastable to the
    shape).

    Args:
        value: the value.

    Example::

        >>> Constant(3.0)((2, 2))   # doctest: +SKIP
    """

    def __init__(self, value: Any = 0.0) -> None:
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        dtype = standardize_dtype(dtype)
        return ops.cast(self.value, dtype=dtype) * ops.ones(shape, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        from kcore.saving.serialization import serialize_keras_object

        return {"value": serialize_keras_object(self.value)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constant:
        from kcore.saving.serialization import deserialize_keras_object

        return cls(deserialize_keras_object(config["value"]))


class Zeros(Initializer):
    """Fills the tensor with 0.

    Example::

        >>> Zeros()((2, 3), dtype="int32")   # doctest: +SKIP
    """

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return ops.zeros(shape, dtype=standardize_dtype(dtype))


class Ones(Initializer):
    """Fills the tensor with 1.

    Example::

        >>> Ones()((3,))   # doctest: +SKIP
    """

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return ops.ones(shape, dtype=standardize_dtype(dtype))


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; a non-square shape gets
    ones on the main diagonal).

    Args:
        gain: the multiplier.

    Example::

        >>> Identity(gain=2.0)((3, 3))   # doctest: +SKIP
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        dtype = standardize_dtype(dtype)
        return self.gain * ops.eye(*shape, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


def _cosine_window(coefficients: tuple[float, ...]) -> Any:
    def window(length: int, symmetric: bool) -> np.ndarray:
        if length == 1:
            return np.ones(1)
        n = np.arange(length)
        denominator = length - 1 if symmetric else length
        w = np.zeros(length)
        for k, a in enumerate(coefficients):
            w += (-1) ** k * a * np.cos(2 * math.pi * k * n / denominator)
        return w

    return window


def _bartlett(length: int, symmetric: bool) -> np.ndarray:
    if symmetric:
        return np.bartlett(length)
    return np.bartlett(length + 1)[:-1]


def _boxcar(length: int, symmetric: bool) -> np.ndarray:
    return np.ones(length)


#: Window names (SciPy's spellings) -> window(length, symmetric).
_WINDOWS = {
    "hann": _cosine_window((0.5, 0.5)),
    "hamming": _cosine_window((0.54, 0.46)),
    "blackman": _cosine_window((0.42, 0.5, 0.08)),
    "bartlett": _bartlett,
    "boxcar": _boxcar,
}
_WINDOW_ALIASES = {
    "hanning": "hann",
    "han": "hann",
    "hamm": "hamming",
    "ham": "hamming",
    "black": "blackman",
    "blk": "blackman",
    "bart": "bartlett",
    "brt": "bartlett",
    "box": "boxcar",
    "ones": "boxcar",
    "rect": "boxcar",
    "rectangular": "boxcar",
}


def _window_function(name: str) -> Any:
    """``window(length, symmetric)`` for a SciPy window name; SciPy's other windows
    are used when SciPy is installed."""
    key = _WINDOW_ALIASES.get(name, name)
    if key in _WINDOWS:
        return _WINDOWS[key]
    try:
        from scipy import signal
    except ImportError:
        signal = None
    if signal is not None:
        signal.get_window(name, 1)  # raises ValueError for an unknown name

        def from_scipy(length: int, symmetric: bool) -> np.ndarray:
            return signal.get_window(name, length, fftbins=not symmetric)

        return from_scipy
    raise ValueError(
        f"Invalid window name {name!r} in parameter window={name!r}: expected one of "
        f"{', '.join(sorted(_WINDOWS))} (install SciPy for its other windows)"
    )


class STFT(Initializer):
    """The kernel of a short-time Fourier transform done as a convolution
    (``keras.layers.STFTSpectrogram`` uses it): for shape
    ``(frame_length, input_channels, fft_length)``, the real (cosine) or imaginary
    (sine) parts of the DFT basis, windowed and scaled.

    Args:
        side: ``"real"`` or ``"imag"``.
        window: a window name (``"hann"``, ``"hamming"``, ``"blackman"``,
            ``"bartlett"``, ``"boxcar"``; SciPy's others with SciPy installed), an array
            of length ``frame_length``, or ``None`` (no window).
        scaling: ``"density"`` (divide by the window's L2 norm), ``"spectrum"``
            (by its sum) or ``None``.
        periodic: use the periodic window (for spectral analysis) rather than the
            symmetric one.

    Example::

        >>> kernel = STFT(side="imag", window="hamming")((16, 1, 9))   # doctest: +SKIP
    """

    def __init__(
        self,
        side: str = "real",
        window: Any = "hann",
        scaling: str | None = "density",
        periodic: bool = False,
    ) -> None:
        if side not in ("real", "imag"):
            raise ValueError(f"side should be 'real' or 'imag', not {side!r}")
        if isinstance(window, str):
            _window_function(window)
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(
                "Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                f"Received scaling={scaling!r}"
            )
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        dtype = standardize_dtype(dtype)
        frame_length, _, fft_length = shape
        # The kernel is a constant: built in float64 NumPy, then converted once.
        period = (fft_length - 1) * 2
        freq = np.arange(fft_length, dtype="float64").reshape(1, 1, fft_length) / period
        time = np.arange(frame_length, dtype="float64").reshape(frame_length, 1, 1)
        angles = -2.0 * math.pi * time * freq
        kernel = np.cos(angles) if self.side == "real" else np.sin(angles)
        if self.window is not None:
            if isinstance(self.window, str):
                win = _window_function(self.window)(frame_length, not self.periodic)
            else:
                win = self.window
                if not isinstance(win, list | tuple | np.ndarray):
                    win = ops.convert_to_numpy(win)
                win = np.asarray(win, dtype="float64")
            if win.ndim != 1 or win.shape[-1] != frame_length:
                raise ValueError(
                    "The shape of `window` must be equal to [frame_length]. "
                    f"Received: window shape={win.shape}"
                )
            win = win.reshape(frame_length, 1, 1)
            scale = 1.0
            if self.scaling == "density":
                scale = np.sqrt(np.sum(np.square(win)))
            elif self.scaling == "spectrum":
                scale = np.sum(np.abs(win))
            kernel = kernel * win / scale
        return ops.convert_to_tensor(kernel, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "window": self.window,
            "periodic": self.periodic,
            "scaling": self.scaling,
        }
