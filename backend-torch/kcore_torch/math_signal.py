"""PyTorch implementations of the ops declared in ``kcore/ops/math_signal.py``.

The FFTs call ``torch.fft`` (half floats go through float32: torch's CPU FFTs refuse
them); ``extract_sequences`` is ``Tensor.unfold``; ``stft`` is ``torch.stft`` with the
window padded to ``fft_length`` as the declaration says; ``istft`` is the core's
composite (``torch.istft`` refuses windows whose overlap-added square vanishes at the
edges, which ``center=False`` with ``"hann"`` gives).
"""

from __future__ import annotations

import torch

from kcore.ops.math_signal import (
    _check,
    _irfft_problem,
    _pair_dtype,
    _pair_problem,
    _rfft_problem,
    _sequences_problem,
    _stft_problem,
    _work_dtype,
    window_array,
    window_padding,
)
from kcore_torch.ops import STANDARD_NAMES, _tensor, to_torch_dtype


def _name(x):
    return STANDARD_NAMES[x.dtype]


def _complex(x, min_rank=1):
    """``(real, imag)`` as one complex tensor, and the torch dtype to give results in."""
    _check(_pair_problem(x, min_rank))
    real, imag = _tensor(x[0]), _tensor(x[1])
    work, out = _work_dtype(_pair_dtype(_name(real), _name(imag)))
    work = to_torch_dtype(work)
    if imag.device != real.device:
        imag = imag.to(real.device)
    return torch.complex(real.to(work), imag.to(work)), to_torch_dtype(out)


def _parts(z, dtype):
    return z.real.to(dtype), z.imag.to(dtype)


def extract_sequences(x, sequence_length, sequence_stride):
    x = _tensor(x)
    _check(_sequences_problem(x, sequence_length, sequence_stride))
    return x.unfold(-1, sequence_length, sequence_stride).contiguous()


def fft(x):
    z, dtype = _complex(x)
    return _parts(torch.fft.fft(z, dim=-1), dtype)


def fft2(x):
    z, dtype = _complex(x, 2)
    return _parts(torch.fft.fft2(z, dim=(-2, -1)), dtype)


def ifft2(x):
    z, dtype = _complex(x, 2)
    return _parts(torch.fft.ifft2(z, dim=(-2, -1)), dtype)


def rfft(x, fft_length=None):
    x = _tensor(x)
    _check(_rfft_problem(x, fft_length))
    work, out = _work_dtype(_name(x))
    z = torch.fft.rfft(x.to(to_torch_dtype(work)), n=fft_length, dim=-1)
    return _parts(z, to_torch_dtype(out))


def irfft(x, fft_length=None):
    _check(_irfft_problem(x, fft_length))
    z, dtype = _complex(x)
    return torch.fft.irfft(z, n=fft_length, dim=-1).to(dtype)


def _window(window, sequence_length, fft_length, like):
    if window is None:  # given, or torch warns about spectral leakage
        return torch.ones(fft_length, dtype=like.dtype, device=like.device)
    if isinstance(window, str):
        values = window_array(window, sequence_length, fft_length)
        return torch.as_tensor(values, dtype=like.dtype, device=like.device)
    window = _tensor(window).to(dtype=like.dtype, device=like.device)
    return torch.nn.functional.pad(window, window_padding(sequence_length, fft_length))


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    x = _tensor(x)
    _check(_stft_problem(x, sequence_length, sequence_stride, fft_length, window, center))
    work, out = _work_dtype(_name(x))
    x = x.to(to_torch_dtype(work))
    *batch, samples = x.shape
    z = torch.stft(
        x.reshape(-1, samples),
        n_fft=fft_length,
        hop_length=sequence_stride,
        win_length=fft_length,
        window=_window(window, sequence_length, fft_length, x),
        center=center,
        pad_mode="reflect",
        normalized=False,
        onesided=True,
        return_complex=True,
    )
    z = z.transpose(-2, -1).reshape(*batch, z.shape[-1], z.shape[-2])
    return _parts(z, to_torch_dtype(out))
