"""PyTorch implementations of the ops declared in ``kcore/ops/math.py``.

Segment reductions scatter into a tensor filled with the reduction's identity
(``index_add`` for sums, ``scatter_reduce`` with ``include_self=False`` otherwise), after
checking the ids against ``num_segments``: torch would raise for ids past the end but
wrap negative ones. ``top_k``'s indices become int32, as on the other backends.
``in_top_k`` and ``rearrange`` run the core's composites.
"""

from __future__ import annotations

import torch

from kcore import config
from kcore.dtypes import result_type, standardize_dtype
from kcore.ops.math import _check_complex_pair, _check_segment_shapes, _check_top_k, _segment_count
from kcore_torch.ops import TORCH_DTYPES, _tensor


def _float(x):
    """``x`` as a tensor; integers and booleans as floatx."""
    x = _tensor(x)
    if x.is_floating_point() or x.is_complex():
        return x
    return x.to(TORCH_DTYPES[config.floatx()])


# --------------------------------------------------------------------------- segments


def _segments(data, segment_ids, num_segments):
    data, ids = _tensor(data), _tensor(segment_ids)
    _check_segment_shapes(tuple(data.shape), tuple(ids.shape))
    if ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
        raise TypeError(f"segment_ids of an integer dtype, got {standardize_dtype(ids.dtype)}")
    if ids.numel():
        low, high = torch.stack(torch.aminmax(ids)).tolist()  # one transfer
        count = _segment_count(num_segments, low, high)
    else:
        count = _segment_count(num_segments, None, None)
    return data, ids.to(device=data.device, dtype=torch.int64), count


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    data, ids, count = _segments(data, segment_ids, num_segments)
    out = torch.zeros((count, *data.shape[1:]), dtype=data.dtype, device=data.device)
    return out.index_add(0, ids, data)


def _extreme(dtype, largest):
    if dtype.is_floating_point:
        return float("inf") if largest else float("-inf")
    if dtype == torch.bool:
        return largest
    info = torch.iinfo(dtype)
    return info.max if largest else info.min


def _scatter(reduce, fill):
    def fn(data, segment_ids, num_segments=None, sorted=False):
        data, ids, count = _segments(data, segment_ids, num_segments)
        out = torch.full(
            (count, *data.shape[1:]), fill(data.dtype), dtype=data.dtype, device=data.device
        )
        index = ids.reshape((-1,) + (1,) * (data.ndim - 1)).expand_as(data)
        return out.scatter_reduce(0, index, data, reduce, include_self=False)

    return fn


segment_max = _scatter("amax", lambda dtype: _extreme(dtype, largest=False))
segment_min = _scatter("amin", lambda dtype: _extreme(dtype, largest=True))
segment_prod = _scatter("prod", lambda dtype: 1)


# --------------------------------------------------------------------------- ranking


def top_k(x, k, sorted=True):
    x = _tensor(x)
    _check_top_k(k, tuple(x.shape))
    values, indices = torch.topk(x, int(k), dim=-1, largest=True, sorted=True)
    return values, indices.to(torch.int32)


# --------------------------------------------------------------------------- reductions


def logsumexp(x, axis=None, keepdims=False):
    x = _float(x)
    if axis is None:
        axis = tuple(range(x.ndim))
    elif isinstance(axis, int):
        axis = (axis,)
    if x.ndim == 0:  # torch reduces a 0-d tensor over dim () to itself
        return x.clone()
    return torch.logsumexp(x, dim=tuple(axis), keepdim=keepdims)


# --------------------------------------------------------------------------- element-wise


def rsqrt(x):
    return torch.rsqrt(_float(x))


def erf(x):
    return torch.erf(_float(x))


def erfc(x):
    return torch.erfc(_float(x))


def erfinv(x):
    return torch.erfinv(_float(x))


# --------------------------------------------------------------------------- matrices


def logdet(x):
    x = _float(x)
    narrow = x.dtype in (torch.float16, torch.bfloat16)  # no LU kernels for them
    sign, log_abs = torch.linalg.slogdet(x.float() if narrow else x)
    out = torch.where(sign < 0, torch.nan, log_abs)
    return out.to(x.dtype) if narrow else out


def cdist(x, y):
    x, y = _tensor(x), _tensor(y)
    dtype = result_type(standardize_dtype(x.dtype), standardize_dtype(y.dtype), float)
    dtype = TORCH_DTYPES[dtype]
    x, y = x.to(dtype), y.to(dtype)
    if dtype in (torch.float16, torch.bfloat16) and x.device.type == "cpu":
        difference = x.unsqueeze(-2) - y.unsqueeze(-3)  # torch.cdist lacks CPU half kernels
        return torch.sqrt(torch.sum(difference * difference, dim=-1))
    # Not the matrix-product formula torch picks for larger inputs: it loses precision.
    return torch.cdist(x, y, p=2.0, compute_mode="donot_use_mm_for_euclid_dist")


# --------------------------------------------------------------------------- complex views


def view_as_complex(x):
    x = _tensor(x)
    _check_complex_pair(tuple(x.shape))
    if x.is_complex():
        raise TypeError(f"x of a real dtype, got {standardize_dtype(x.dtype)}")
    return torch.view_as_complex(x.to(torch.float32).contiguous())


def view_as_real(x):
    x = _tensor(x)
    if not x.is_complex():
        return torch.stack([x, torch.zeros_like(x)], dim=-1)
    return torch.view_as_real(x.resolve_conj())
