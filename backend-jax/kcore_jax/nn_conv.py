"""JAX implementations of the ops declared in ``kcore/ops/nn_conv.py``.

Convolutions are one ``lax.conv_general_dilated`` each (a transposed convolution is
the same call with the input dilated by the strides and the kernel flipped), pools
one ``lax.reduce_window``. XLA's ``"SAME"`` split (odd cell after) is Keras's, so
``"same"`` is passed through; the option checks are cached per distinct arguments.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from kcore import config
from kcore.dtypes import result_type
from kcore.ops.nn_conv import (
    average_counts,
    conv_geometry,
    output_paddings,
    pool_geometry,
    transpose_geometry,
)

_SPATIAL = "DHW"


@functools.lru_cache(maxsize=64)
def _dimension_numbers(n: int, channels_last: bool, transpose: bool = False):
    spatial = _SPATIAL[-n:] if n <= 3 else "".join(chr(ord("a") + i) for i in range(n))
    data = f"N{spatial}C" if channels_last else f"NC{spatial}"
    kernel = f"{spatial}OI" if transpose else f"{spatial}IO"
    return lax.conv_dimension_numbers((1,) * (n + 2), (1,) * (n + 2), (data, kernel, data))


def _agree(x, k):
    x, k = jnp.asarray(x), jnp.asarray(k)
    if x.dtype != k.dtype:
        dtype = result_type(x.dtype.name, k.dtype.name)
        x, k = x.astype(dtype), k.astype(dtype)
    return x, k


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    inputs, kernel = _agree(inputs, kernel)
    n, strides, padding, last, dilation = conv_geometry(
        inputs.ndim, strides, padding, data_format, dilation_rate
    )
    groups = inputs.shape[-1 if last else 1] // kernel.shape[-2]
    return lax.conv_general_dilated(
        inputs,
        kernel,
        strides,
        "SAME" if padding == "same" else "VALID",
        rhs_dilation=dilation,
        dimension_numbers=_dimension_numbers(n, last),
        feature_group_count=groups,
    )


def conv_transpose(
    inputs,
    kernel,
    strides=1,
    padding="valid",
    output_padding=None,
    data_format=None,
    dilation_rate=1,
):
    inputs, kernel = _agree(inputs, kernel)
    n, strides, padding, last, dilation = conv_geometry(
        inputs.ndim, strides, padding, data_format, dilation_rate
    )
    extra = output_paddings(output_padding, n)
    sizes = inputs.shape[1 : n + 1] if last else inputs.shape[2:]
    pads = []
    for size, k, s, d, e in zip(sizes, kernel.shape[:n], strides, dilation, extra):
        left, length, full = transpose_geometry(size, k, s, d, padding, e)
        reach = d * (k - 1)  # the dilated kernel's extent, minus one
        pads.append((reach - left, length + left - full + reach))
    flipped = lax.rev(kernel, tuple(range(n)))
    return lax.conv_general_dilated(
        inputs,
        flipped,
        (1,) * n,
        pads,
        lhs_dilation=strides,
        rhs_dilation=dilation,
        dimension_numbers=_dimension_numbers(n, last, transpose=True),
    )


def _window(n, last, window, strides):
    if last:
        return (1, *window, 1), (1, *strides, 1)
    return (1, 1, *window), (1, 1, *strides)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = jnp.asarray(inputs)
    n, window, strides, padding, last = pool_geometry(
        inputs.ndim, pool_size, strides, padding, data_format
    )
    dims, steps = _window(n, last, window, strides)
    # A NumPy scalar init (not a device array) lets JAX use its fused max-pool reducer.
    init = _lowest(inputs.dtype)
    return lax.reduce_window(inputs, init, lax.max, dims, steps, padding.upper())


@functools.lru_cache(maxsize=32)
def _lowest(dtype):
    if jnp.issubdtype(dtype, jnp.floating):
        return np.array(-np.inf, dtype)
    if dtype == jnp.bool_:
        return np.array(False)
    return np.array(jnp.iinfo(dtype).min, dtype)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = jnp.asarray(inputs)
    if not jnp.issubdtype(inputs.dtype, jnp.floating):
        inputs = inputs.astype(config.floatx())
    n, window, strides, padding, last = pool_geometry(
        inputs.ndim, pool_size, strides, padding, data_format
    )
    dims, steps = _window(n, last, window, strides)
    dtype = inputs.dtype
    total = lax.reduce_window(inputs, np.array(0, dtype), lax.add, dims, steps, padding.upper())
    if padding == "valid":
        return total / np.array(np.prod(window), dtype)
    sizes = inputs.shape[1 : n + 1] if last else inputs.shape[2:]
    return total / _counts(tuple(sizes), window, strides, last, dtype)


@functools.lru_cache(maxsize=256)
def _counts(sizes, window, strides, last, dtype):
    counts = average_counts(sizes, window, strides)
    counts = counts[None, ..., None] if last else counts[None, None]
    with jax.ensure_compile_time_eval():  # a constant, even when first met under jit
        return jnp.asarray(counts, dtype)
