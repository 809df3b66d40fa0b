"""Reductions, statistics and cumulative ops: this backend's implementations.

torch differs from Keras 3 (which follows NumPy/JAX) in ways these functions undo:
``axis=()`` reduces nothing in NumPy but everything in torch; ``prod``, ``quantile``
and ``argmax`` take one dimension at most; integer sums and products go to ``int64``
(Keras widens only booleans and narrow integers, to 32 bits); ``quantile`` and ``mean``
refuse integers; ``median`` gives the lower middle value; torch has no ``uint32``
arithmetic.
"""

from __future__ import annotations

import builtins

import torch

from kcore import config
from kcore.dtypes import result_type
from kcore.ops.numpy_reductions import _check_histogram, _weights_shape
from kcore_torch.ops import (
    _SUM_WIDENED,
    STANDARD_NAMES,
    TORCH_DTYPES,
    _axes,
    _tensor,
    to_torch_dtype,
)
from kcore_torch.ops import sum as _sum

_NARROW_FLOATS = (torch.float16, torch.bfloat16)


def _dims(x: torch.Tensor, axis) -> tuple[int, ...]:
    """``axis`` as non-negative dims, checked against ``x``'s rank."""
    ndim = x.ndim
    dims = []
    for a in _axes(axis, ndim):
        if not -ndim <= a < max(ndim, 1):
            raise IndexError(f"axis {a} is out of bounds for a tensor of rank {ndim}")
        dims.append(a % ndim if ndim else 0)
    if len(set(dims)) != len(dims):
        raise ValueError(f"repeated axis in {axis!r}")
    return tuple(dims)


def _float(x):
    """``x`` in the float it is reduced in (narrow floats in float32, integers in
    floatx), and the torch dtype of the result."""
    x = _tensor(x)
    if x.is_floating_point():
        dtype = x.dtype
        return (x.float() if dtype in _NARROW_FLOATS else x), dtype
    dtype = TORCH_DTYPES[config.floatx()]
    return x.to(torch.float32 if dtype in _NARROW_FLOATS else dtype), dtype


# -- boolean reductions and extrema ----------------------------------------------------


def _reduce(function, x, axis, keepdims):
    dims = _dims(x, axis)
    if not dims:  # axis=() reduces nothing in NumPy (torch would reduce everything)
        return None
    return function(x, dim=dims, keepdim=keepdims)


def all(x, axis=None, keepdims=False):
    x = _tensor(x)
    out = _reduce(torch.all, x, axis, keepdims)
    return x != 0 if out is None else out.to(torch.bool)


def any(x, axis=None, keepdims=False):
    x = _tensor(x)
    out = _reduce(torch.any, x, axis, keepdims)
    return x != 0 if out is None else out.to(torch.bool)


def amax(x, axis=None, keepdims=False):
    x = _tensor(x)
    out = _reduce(torch.amax, x, axis, keepdims)
    return x.clone() if out is None else out


def amin(x, axis=None, keepdims=False):
    x = _tensor(x)
    out = _reduce(torch.amin, x, axis, keepdims)
    return x.clone() if out is None else out


def min(x, axis=None, keepdims=False, initial=None):
    x = _tensor(x)
    dims = _dims(x, axis)
    if initial is not None and dims and builtins.any(x.shape[d] == 0 for d in dims):
        # torch refuses an empty reduction; NumPy gives `initial` there.
        shape = [1 if i in dims else n for i, n in enumerate(x.shape) if keepdims or i not in dims]
        return torch.full(shape, initial, dtype=x.dtype, device=x.device)
    out = amin(x, axis, keepdims)
    if initial is not None:
        out = torch.minimum(out, torch.tensor(initial, dtype=out.dtype, device=out.device))
    return out


def ptp(x, axis=None, keepdims=False):
    x = _tensor(x)
    if x.dtype == torch.bool:
        raise TypeError("ptp: booleans have no difference; cast to an integer dtype first")
    return amax(x, axis, keepdims) - amin(x, axis, keepdims)


def _arg(function, x, axis, keepdims):
    x = _tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None:
        out = function(x.reshape(-1))
        if keepdims:
            out = out.reshape([1] * x.ndim)
    else:
        if isinstance(axis, list | tuple):
            raise TypeError(f"axis must be an int or None, got {axis!r}")
        out = function(x, dim=axis, keepdim=keepdims)
    return out.to(torch.int32)


def argmax(x, axis=None, keepdims=False):
    return _arg(torch.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return _arg(torch.argmin, x, axis, keepdims)


def count_nonzero(x, axis=None):
    x = _tensor(x)
    dims = _dims(x, axis)
    if not dims:
        return (x != 0).to(torch.int32)
    return torch.count_nonzero(x, dim=dims).to(torch.int32)


# -- products and moments ----------------------------------------------------------


def prod(x, axis=None, keepdims=False, dtype=None):
    x = _tensor(x)
    target = _SUM_WIDENED.get(x.dtype, x.dtype) if dtype is None else to_torch_dtype(dtype)
    dims = _dims(x, axis)
    if not dims:
        return x.to(dtype=target, copy=True)
    # No uint32 arithmetic in torch: multiply in int64, which wraps modulo 2**64 and so
    # agrees with uint32 arithmetic in the low 32 bits.
    accumulate = torch.int64 if target == torch.uint32 else target
    if axis is None and not keepdims:
        out = torch.prod(x, dtype=accumulate)
    else:
        out = x.to(accumulate)
        for d in sorted(dims, reverse=True):  # torch.prod takes one dim
            out = torch.prod(out, dim=d, keepdim=keepdims, dtype=accumulate)
    return out if accumulate == target else out.to(target)


_WIDE_FLOATS = (torch.float32, torch.float64)


def _float_mean(function):
    """``function`` (torch's mean or nanmean) in :func:`_float`'s dtypes; reducing no
    axis leaves ``x`` as it is, as NumPy does."""

    def apply(x, axis=None, keepdims=False):
        if type(x) is torch.Tensor and x.dtype in _WIDE_FLOATS:  # no casts to make
            if type(axis) is int:
                return function(x, dim=axis, keepdim=keepdims)
            if axis is None and not keepdims:
                return function(x)
        x, dtype = _float(x)
        dims = _dims(x, axis)
        out = x if not dims else function(x, dim=dims, keepdim=keepdims)
        return out.to(dtype)

    apply.__name__ = function.__name__
    return apply


mean = _float_mean(torch.mean)
nanmean = _float_mean(torch.nanmean)


def _float_spread(function):
    """``function`` (torch's var or std) of the population (no correction), in
    :func:`_float`'s dtypes."""

    def apply(x, axis=None, keepdims=False):
        x, dtype = _float(x)
        dims = _dims(x, axis)
        if not dims:
            return (x - x).to(dtype)  # zeros that keep the graph (and NaN where x is)
        return function(x, dim=dims, correction=0, keepdim=keepdims).to(dtype)

    apply.__name__ = function.__name__
    return apply


var = _float_spread(torch.var)
std = _float_spread(torch.std)


def average(x, axis=None, weights=None):
    if weights is None:
        return mean(x, axis=axis)
    x, weights = _tensor(x), _tensor(weights)
    name = result_type(STANDARD_NAMES[x.dtype], STANDARD_NAMES[weights.dtype], float)
    dtype = TORCH_DTYPES[name]
    compute = torch.float32 if dtype in _NARROW_FLOATS else dtype
    x, weights = x.to(compute), weights.to(device=x.device, dtype=compute)
    view = _weights_shape(tuple(x.shape), tuple(weights.shape), axis)
    if view is not None:
        weights = weights.reshape(view).expand(x.shape)
    dims = _dims(x, axis)
    out = torch.sum(x * weights, dim=dims) / torch.sum(weights, dim=dims)
    return out.to(dtype)


# -- cumulative --------------------------------------------------------------------


def _cumulative(function, x, axis, dtype):
    x = _tensor(x)
    if dtype is not None:
        target = to_torch_dtype(dtype)
    else:
        target = torch.int32 if x.dtype == torch.bool else x.dtype
    if axis is None:
        x, axis = x.reshape(-1), 0
    return function(x, dim=axis, dtype=target)


def cumsum(x, axis=None, dtype=None):
    return _cumulative(torch.cumsum, x, axis, dtype)


def cumprod(x, axis=None, dtype=None):
    return _cumulative(torch.cumprod, x, axis, dtype)


# -- order statistics ---------------------------------------------------------------


def _quantile(x, q, axis, method, keepdims, nan=False, scale=1.0):
    x, dtype = _float(x)
    q = torch.as_tensor(q, dtype=x.dtype, device=x.device) if not isinstance(q, float) else q
    if scale != 1.0:
        q = q / scale
    if isinstance(q, torch.Tensor) and q.ndim > 1:
        raise ValueError(f"q must be a scalar or 1-D, got shape {tuple(q.shape)}")
    dims = _dims(x, axis) if axis is not None else tuple(range(x.ndim))
    kept = [d for d in range(x.ndim) if d not in dims]
    # torch reduces one dim: bring the reduced ones to the end, as one.
    flat = x.permute(*kept, *dims).reshape(*(x.shape[d] for d in kept), -1)
    function = torch.nanquantile if nan else torch.quantile
    out = function(flat, q, dim=-1, interpolation=method)
    if keepdims:
        lead = list(out.shape[: out.ndim - len(kept)])
        out = out.reshape(*lead, *(1 if d in dims else n for d, n in enumerate(x.shape)))
    return out.to(dtype)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims, scale=100.0)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims, nan=True)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims, nan=True, scale=100.0)


def median(x, axis=None, keepdims=False):
    return _quantile(x, 0.5, axis, "linear", keepdims)


def nanmedian(x, axis=None, keepdims=False):
    return _quantile(x, 0.5, axis, "linear", keepdims, nan=True)


# -- NaN-ignoring -------------------------------------------------------------------


def _nan_to(x, value):
    return torch.where(torch.isnan(x), torch.tensor(value, dtype=x.dtype, device=x.device), x)


def _nan_filled(x, value):
    """``x`` as a tensor, its NaNs replaced by ``value`` (integers hold none)."""
    x = _tensor(x)
    return _nan_to(x, value) if x.is_floating_point() else x


def nansum(x, axis=None, keepdims=False):
    return _sum(_nan_filled(x, 0.0), axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    return prod(_nan_filled(x, 1.0), axis, keepdims)


def nanvar(x, axis=None, keepdims=False):
    x, dtype = _float(x)
    dims = _dims(x, axis)
    if not dims:
        return torch.where(torch.isnan(x), x, torch.zeros_like(x)).to(dtype)
    valid = ~torch.isnan(x)
    count = valid.sum(dim=dims, keepdim=True).to(x.dtype)
    centred = torch.where(valid, x - torch.nansum(x, dim=dims, keepdim=True) / count, 0.0)
    out = torch.sum(centred * centred, dim=dims, keepdim=True) / count
    return (out if keepdims else out.squeeze(dims)).to(dtype)


def nanstd(x, axis=None, keepdims=False):
    out = nanvar(x, axis, keepdims)
    return torch.sqrt(out.float() if out.dtype in _NARROW_FLOATS else out).to(out.dtype)


def _nan_extremum(reduce, fill, x, axis, keepdims):
    x = _tensor(x)
    if not x.is_floating_point():
        return reduce(x, axis, keepdims)
    nan = torch.isnan(x)
    out = reduce(_nan_to(x, fill), axis, keepdims)
    return torch.where(all(nan, axis, keepdims), torch.nan, out)


def nanmax(x, axis=None, keepdims=False):
    return _nan_extremum(amax, float("-inf"), x, axis, keepdims)


def nanmin(x, axis=None, keepdims=False):
    return _nan_extremum(amin, float("inf"), x, axis, keepdims)


def nanargmax(x, axis=None, keepdims=False):
    return argmax(_nan_filled(x, float("-inf")), axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    return argmin(_nan_filled(x, float("inf")), axis, keepdims)


def nancumsum(x, axis=None, dtype=None):
    return cumsum(_nan_filled(x, 0.0), axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    return cumprod(_nan_filled(x, 1.0), axis, dtype)


# -- counting into bins -------------------------------------------------------------


def histogram(x, bins=10, range=None):
    x = _tensor(x)
    _check_histogram(x.ndim, bins)
    x, dtype = _float(x)
    if range is None:
        lo, hi = torch.min(x), torch.max(x)
    else:
        lo = torch.tensor(range[0], dtype=x.dtype, device=x.device)
        hi = torch.tensor(range[1], dtype=x.dtype, device=x.device)
    same = lo == hi  # NumPy widens an empty range by half a unit each way
    lo, hi = torch.where(same, lo - 0.5, lo), torch.where(same, hi + 0.5, hi)
    # Edges as NumPy spaces them: start + i * step, the last one exactly the end.
    edges = lo + torch.arange(bins + 1, dtype=x.dtype, device=x.device) * ((hi - lo) / bins)
    edges[-1] = hi
    index = torch.searchsorted(edges, x, right=True) - 1
    index = torch.where(x == hi, bins - 1, index)  # the last bin is closed
    inside = (x >= lo) & (x <= hi)
    counts = torch.bincount(index[inside], minlength=bins)
    return counts.to(dtype), edges.to(dtype)


def bincount(x, weights=None, minlength=0, sparse=False):
    if sparse:
        raise ValueError("bincount: sparse=True is not supported by the torch backend")
    x = _tensor(x)
    if x.is_floating_point() or x.dtype == torch.bool:
        raise TypeError(f"bincount takes integers, got {STANDARD_NAMES[x.dtype]}")
    x = x.to(torch.int64)
    if weights is None:
        return torch.bincount(x, minlength=minlength).to(torch.int32)
    weights = _tensor(weights)
    dtype = TORCH_DTYPES[result_type(STANDARD_NAMES[weights.dtype], "int32")]
    if not weights.is_floating_point():
        weights = weights.to(torch.float64)  # exact for integer counts below 2**53
    return torch.bincount(x, weights=weights, minlength=minlength).to(dtype)


# -- matrix-shaped ------------------------------------------------------------------


def trace(x, offset=0, axis1=0, axis2=1):
    x = _tensor(x)
    dtype = _SUM_WIDENED.get(x.dtype, x.dtype)
    accumulate = torch.int64 if dtype == torch.uint32 else dtype
    out = torch.diagonal(x, offset=offset, dim1=axis1, dim2=axis2).sum(-1, dtype=accumulate)
    return out if accumulate == dtype else out.to(dtype)


def diff(a, n=1, axis=-1):
    a = _tensor(a)
    if n == 0:
        return a.clone()
    return torch.diff(a, n=n, dim=axis)
