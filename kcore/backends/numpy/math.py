"""NumPy implementations of the ops declared in ``kcore/ops/math.py``.

The error functions come from Python's ``math`` module, element by element (kcore's
core does not depend on SciPy); ``erfinv`` refines an approximation with Newton steps
on ``erf``/``erfc`` in float64.
"""

from __future__ import annotations

import math as _math

import numpy as np

from kcore import config
from kcore.backends.numpy.ops import convert_to_tensor as _tensor
from kcore.ops.math import _check_complex_pair, _check_segment_shapes, _check_top_k, _segment_count

_ndarray = np.ndarray


def _array(x):
    return x if type(x) is _ndarray else _tensor(x)


def _float(x):
    """``x`` as an array; integers and booleans as floatx."""
    x = _array(x)
    return x if x.dtype.kind in "fc" else x.astype(config.floatx())


# --------------------------------------------------------------------------- segments


def _segments(data, segment_ids, num_segments):
    data, ids = _array(data), _array(segment_ids)
    _check_segment_shapes(data.shape, ids.shape)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"segment_ids of an integer dtype, got {ids.dtype.name}")
    found = (int(ids.min()), int(ids.max())) if ids.size else (None, None)
    return data, ids, _segment_count(num_segments, *found)


def _segment_reduce(ufunc, fill):
    def reduce(data, segment_ids, num_segments=None, sorted=False):
        data, ids, count = _segments(data, segment_ids, num_segments)
        start = fill(data.dtype)
        out = np.full((count, *data.shape[1:]), start, dtype=data.dtype)
        ufunc.at(out, ids, data)
        return out

    return reduce


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype):
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max


segment_sum = _segment_reduce(np.add, lambda dtype: 0)
segment_max = _segment_reduce(np.maximum, _lowest)
segment_min = _segment_reduce(np.minimum, _highest)
segment_prod = _segment_reduce(np.multiply, lambda dtype: 1)


# --------------------------------------------------------------------------- ranking


def top_k(x, k, sorted=True):
    x = _array(x)
    _check_top_k(k, x.shape)
    n = x.shape[-1]
    # Largest first, the lower index first among equals: a stable ascending sort of
    # the reversed row, read backwards.
    order = np.argsort(x[..., ::-1], axis=-1, kind="stable")[..., ::-1][..., :k]
    indices = (n - 1 - order).astype(np.int32)
    return np.take_along_axis(x, indices, axis=-1), indices


# --------------------------------------------------------------------------- reductions


def logsumexp(x, axis=None, keepdims=False):
    x = _float(x)
    work = x.astype(np.float32) if x.dtype == np.float16 else x
    peak = np.max(work, axis=axis, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(work - peak), axis=axis, keepdims=True)) + peak
    if not keepdims:
        out = out.reshape(()) if axis is None else np.squeeze(out, axis=axis)
    return np.asarray(out, dtype=x.dtype)


# --------------------------------------------------------------------------- element-wise


def rsqrt(x):
    x = _float(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(1 / np.sqrt(x), dtype=x.dtype)


_erf64 = np.frompyfunc(_math.erf, 1, 1)
_erfc64 = np.frompyfunc(_math.erfc, 1, 1)


def _python_fn(fn, x):
    x = _float(x)
    out = fn(x.astype(np.float64)) if x.size else x.astype(np.float64)
    return np.asarray(out, dtype=np.float64).astype(x.dtype)


def erf(x):
    return _python_fn(_erf64, x)


def erfc(x):
    return _python_fn(_erfc64, x)


def _erfinv64(y):
    """``erfinv`` of a float64 array: Giles' approximation, then Newton steps on
    ``erf`` near 0 and on ``erfc`` towards +-1 (where ``1 - |y|`` is exact)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        w = -np.log((1.0 - y) * (1.0 + y))
        central = w - 2.5
        p = np.full_like(y, 2.81022636e-08)
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):  # fmt: skip
            p = p * central + c
        tail = np.sqrt(w) - 3.0
        q = np.full_like(y, -0.000200214257)
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                  -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):  # fmt: skip
            q = q * tail + c
        x = np.where(w < 5.0, p, q) * y
        inside = np.abs(y) < 1
        magnitude, target = np.abs(x), np.abs(y)
        near = target <= 0.5
        rest = np.where(near, 0.5, 1.0 - target)  # exact for target >= 0.5
        for _ in range(4):
            m = np.where(inside, magnitude, 0.0)
            slope = 2.0 / np.sqrt(np.pi) * np.exp(-m * m)
            # Near 0: Newton on erf(m) = target. Towards 1: Newton on
            # log(erfc(m)) = log(1 - target), which stays well-conditioned in the tail.
            upper = np.asarray(_erfc64(m), np.float64)
            step = np.where(
                near,
                (np.asarray(_erf64(m), np.float64) - target) / slope,
                (np.log(rest) - np.log(upper)) * upper / slope,
            )
            magnitude = np.where(inside & (slope > 0), m - step, magnitude)
        x = np.copysign(magnitude, y)
        x = np.where(np.abs(y) == 1, np.copysign(np.inf, y), x)
        return np.where(np.abs(y) > 1, np.nan, x)


def erfinv(x):
    x = _float(x)
    return np.asarray(_erfinv64(x.astype(np.float64)), dtype=x.dtype)


# --------------------------------------------------------------------------- matrices


def logdet(x):
    x = _float(x)
    work = x.astype(np.float32) if x.dtype == np.float16 else x
    sign, log_abs = np.linalg.slogdet(work)
    return np.asarray(np.where(sign < 0, np.nan, log_abs), dtype=x.dtype)


def cdist(x, y):
    x, y = _array(x), _array(y)
    from kcore.dtypes import result_type

    dtype = result_type(x.dtype.name, y.dtype.name, float)
    x, y = x.astype(dtype), y.astype(dtype)
    work = np.float32 if dtype == "float16" else dtype
    difference = x[..., :, None, :].astype(work) - y[..., None, :, :].astype(work)
    return np.asarray(np.sqrt(np.sum(difference * difference, axis=-1)), dtype=dtype)


# --------------------------------------------------------------------------- complex views


def view_as_complex(x):
    x = _array(x)
    _check_complex_pair(x.shape)
    if x.dtype.kind not in "fiub":
        raise TypeError(f"x of a real dtype, got {x.dtype.name}")
    pair = np.ascontiguousarray(x, dtype=np.float32)
    return pair.view(np.complex64)[..., 0]


def view_as_real(x):
    x = _array(x)
    if x.dtype.kind != "c":
        return np.stack([x, np.zeros_like(x)], axis=-1)
    return np.stack([x.real, x.imag], axis=-1)
