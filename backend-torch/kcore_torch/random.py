"""Random sampling: this backend's implementations.

Each call draws from its own ``torch.Generator``, seeded from the call's seed pair
(mixed into one 64-bit seed, whose low 32 bits alone already differ between seeds:
the CPU generator uses only those), so the same seed gives the same numbers on the
same device. Samples are drawn in float32 (float64 when asked for) and cast. In a
symbolic scope (meta tensors) no generator is made and no seed is read.
"""

from __future__ import annotations

import torch

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
from kcore_torch.ops import creation_device, to_tensor, to_torch_dtype

_MASK64 = (1 << 64) - 1


def _mixed(high: int, low: int) -> int:
    """splitmix64 of the pair, folded so the low 32 bits depend on all 64."""
    z = (((high & 0xFFFFFFFF) << 32) | (low & 0xFFFFFFFF)) + 0x9E3779B97F4A7C15
    z &= _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    z ^= z >> 31
    return z ^ (z >> 32)


def _generator(seed, device: torch.device) -> torch.Generator | None:
    if device.type == "meta":
        return None
    drawn = _draw_seed(seed)
    if isinstance(drawn, tuple):
        high, low = drawn
    elif getattr(getattr(drawn, "device", None), "type", None) == "meta":
        return None
    else:
        high, low = (int(v) for v in to_tensor(drawn).reshape(-1).tolist())
    generator = torch.Generator(device=device)
    generator.manual_seed(_mixed(high, low))
    return generator


def _compute_dtype(dtype: str) -> torch.dtype:
    return torch.float64 if dtype == "float64" else torch.float32


def _param(value, dtype: torch.dtype, device: torch.device):
    """A Python number as is (weak), anything else as a tensor of ``dtype``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return to_tensor(value, None, device).to(dtype)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    device, work = creation_device(), _compute_dtype(dtype)
    sample = torch.randn(
        _shape(shape), generator=_generator(seed, device), dtype=work, device=device
    )
    sample = sample * _param(stddev, work, device) + _param(mean, work, device)
    return sample.to(to_torch_dtype(dtype))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    _check_range(minval, maxval, strict=False)
    device, work = creation_device(), _compute_dtype(dtype)
    low, high = _param(minval, work, device), _param(maxval, work, device)
    sample = torch.rand(
        _shape(shape), generator=_generator(seed, device), dtype=work, device=device
    )
    return (sample * (high - low) + low).to(to_torch_dtype(dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    device, work = creation_device(), _compute_dtype(dtype)
    sample = torch.empty(_shape(shape), dtype=work, device=device)
    generator = _generator(seed, device)
    if device.type != "meta":
        torch.nn.init.trunc_normal_(sample, 0.0, 1.0, -2.0, 2.0, generator=generator)
    sample = sample * _param(stddev, work, device) + _param(mean, work, device)
    return sample.to(to_torch_dtype(dtype))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    dtype = _int_dtype(dtype)
    _check_range(minval, maxval, strict=True)
    device = creation_device()
    low = int(minval.item() if isinstance(minval, torch.Tensor) else minval)
    high = int(maxval.item() if isinstance(maxval, torch.Tensor) else maxval)
    sample = torch.randint(
        low,
        high,
        _shape(shape),
        generator=_generator(seed, device),
        dtype=torch.int64,
        device=device,
    )
    return sample.to(to_torch_dtype(dtype))


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = to_tensor(logits)
    _check_logits(logits)
    work = torch.float64 if logits.dtype == torch.float64 else torch.float32
    probabilities = torch.softmax(logits.to(work), dim=-1)
    if logits.device.type == "meta":
        draws = torch.empty((logits.shape[0], int(num_samples)), device=logits.device)
    else:
        draws = torch.multinomial(
            probabilities,
            int(num_samples),
            replacement=True,
            generator=_generator(seed, logits.device),
        )
    return draws.to(to_torch_dtype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None):
    scale = _dropout_scale(rate)
    x = to_tensor(inputs)
    if not x.is_floating_point():
        x = x.to(to_torch_dtype(floatx()))
    shape = _noise_shape(noise_shape, tuple(x.shape))
    noise = torch.rand(shape, generator=_generator(seed, x.device), device=x.device)
    if scale is None:
        rate = to_tensor(rate, None, x.device).to(torch.float32)
        scale = torch.where(rate < 1, 1.0 / (1.0 - rate), 0.0).to(x.dtype)
    keep = noise >= rate
    return torch.where(keep, x * scale, torch.zeros((), dtype=x.dtype, device=x.device))


def shuffle(x, axis=0, seed=None):
    x = to_tensor(x)
    axis = _shuffle_axis(axis, x.ndim)
    order = torch.randperm(x.shape[axis], generator=_generator(seed, x.device), device=x.device)
    return x.index_select(axis, order)


def _standard_gamma(shape, alpha, work, device, generator):
    alpha = torch.broadcast_to(to_tensor(alpha, None, device).to(work), shape)
    if device.type == "meta":
        return torch.empty(shape, dtype=work, device=device)
    return torch._standard_gamma(alpha.contiguous(), generator=generator)


def gamma(shape, alpha, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    device, work = creation_device(), _compute_dtype(dtype)
    shape = _shape(shape)
    sample = _standard_gamma(shape, alpha, work, device, _generator(seed, device))
    return sample.to(to_torch_dtype(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    device, work = creation_device(), _compute_dtype(dtype)
    shape = _shape(shape)
    counts = torch.broadcast_to(to_tensor(counts, None, device).to(work), shape).contiguous()
    probs = torch.broadcast_to(to_tensor(probabilities, None, device).to(work), shape)
    if device.type == "meta":
        return torch.empty(shape, dtype=to_torch_dtype(dtype), device=device)
    sample = torch.binomial(counts, probs.contiguous(), generator=_generator(seed, device))
    return sample.to(to_torch_dtype(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    device, work = creation_device(), _compute_dtype(dtype)
    shape = _shape(shape)
    generator = _generator(seed, device)  # one generator: the two draws differ
    a = _standard_gamma(shape, alpha, work, device, generator)
    b = _standard_gamma(shape, beta, work, device, generator)
    return (a / (a + b)).to(to_torch_dtype(dtype))
