"""JAX implementations of the ops declared in ``kcore/ops/math.py``.

Segment reductions are ``jax.ops.segment_*``; eagerly the ids are checked against
``num_segments`` (JAX itself drops ids out of range, which is what a jitted call does).
``in_top_k`` and ``rearrange`` run the core's composites.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from jax import lax

from kcore import config
from kcore.ops.math import (
    _TRACED,
    _check_complex_pair,
    _check_segment_shapes,
    _check_top_k,
    _segment_count,
)
from kcore_jax.ops import convert_to_tensor

_Tracer = jax.core.Tracer


def _float(x):
    """``x`` as an array; integers and booleans as floatx."""
    x = convert_to_tensor(x)
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return x
    return x.astype(config.floatx())


# --------------------------------------------------------------------------- segments


def _segment_reduce(reduce):
    def fn(data, segment_ids, num_segments=None, sorted=False):
        data, ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
        _check_segment_shapes(data.shape, ids.shape)
        if not jnp.issubdtype(ids.dtype, jnp.integer):
            raise TypeError(f"segment_ids of an integer dtype, got {ids.dtype}")
        if isinstance(ids, _Tracer):
            count = _segment_count(num_segments, _TRACED, None)
        elif ids.size:
            low, high = jax.device_get((ids.min(), ids.max()))  # one transfer
            count = _segment_count(num_segments, int(low), int(high))
        else:
            count = _segment_count(num_segments, None, None)
        return reduce(data, ids, count, indices_are_sorted=bool(sorted))

    return fn


segment_sum = _segment_reduce(jax.ops.segment_sum)
segment_max = _segment_reduce(jax.ops.segment_max)
segment_min = _segment_reduce(jax.ops.segment_min)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3))
def _segment_prod(data, ids, num_segments, indices_are_sorted):
    return jax.ops.segment_prod(data, ids, num_segments, indices_are_sorted=indices_are_sorted)


def _segment_prod_forward(data, ids, num_segments, indices_are_sorted):
    out = _segment_prod(data, ids, num_segments, indices_are_sorted)
    return out, (data, ids, out)


def _segment_prod_backward(num_segments, indices_are_sorted, residuals, cotangent):
    # JAX differentiates a scatter-multiply only with unique indices. The product of
    # the others in a row's segment is out / x where x != 0; where x == 0 it is the
    # product of the segment's non-zero entries if x is its only zero, else 0.
    data, ids, out = residuals
    zero = data == 0
    zeros = jax.ops.segment_sum(zero.astype(jnp.int32), ids, num_segments)[ids]
    nonzero = jax.ops.segment_prod(jnp.where(zero, jnp.ones_like(data), data), ids, num_segments)[
        ids
    ]
    safe = jnp.where(zero, jnp.ones_like(data), data)
    others = jnp.where(
        zero,
        jnp.where(zeros == 1, nonzero, jnp.zeros_like(data)),
        jnp.where(zeros == 0, out[ids] / safe, jnp.zeros_like(data)),
    )
    return cotangent[ids] * others, None


_segment_prod.defvjp(_segment_prod_forward, _segment_prod_backward)


def _segment_prod_call(data, ids, num_segments, indices_are_sorted=False):
    return _segment_prod(data, ids, num_segments, indices_are_sorted)


segment_prod = _segment_reduce(_segment_prod_call)


# --------------------------------------------------------------------------- ranking


def top_k(x, k, sorted=True):
    x = convert_to_tensor(x)
    _check_top_k(k, x.shape)
    values, indices = lax.top_k(x, int(k))
    return values, indices.astype(jnp.int32)


# --------------------------------------------------------------------------- reductions


def logsumexp(x, axis=None, keepdims=False):
    return jax.nn.logsumexp(_float(x), axis=axis, keepdims=keepdims)


# --------------------------------------------------------------------------- element-wise


def rsqrt(x):
    return lax.rsqrt(_float(x))


def erf(x):
    return lax.erf(_float(x))


def erfc(x):
    return lax.erfc(_float(x))


def erfinv(x):
    return lax.erf_inv(_float(x))


# --------------------------------------------------------------------------- matrices


def logdet(x):
    x = _float(x)
    narrow = x.dtype in (jnp.float16, jnp.bfloat16)  # no LU kernels for them
    sign, log_abs = jnp.linalg.slogdet(x.astype(jnp.float32) if narrow else x)
    out = jnp.where(sign < 0, jnp.nan, log_abs)
    return out.astype(x.dtype) if narrow else out


def cdist(x, y):
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    dtype = jnp.result_type(x.dtype, y.dtype)
    if not jnp.issubdtype(dtype, jnp.inexact):
        dtype = config.floatx()
    difference = x.astype(dtype)[..., :, None, :] - y.astype(dtype)[..., None, :, :]
    return jnp.sqrt(jnp.sum(difference * difference, axis=-1))


# --------------------------------------------------------------------------- complex views


def view_as_complex(x):
    x = convert_to_tensor(x)
    _check_complex_pair(x.shape)
    if jnp.issubdtype(x.dtype, jnp.complexfloating):
        raise TypeError(f"x of a real dtype, got {x.dtype}")
    x = x.astype(jnp.float32)
    return lax.complex(x[..., 0], x[..., 1])


def view_as_real(x):
    x = convert_to_tensor(x)
    return jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1)
