"""JAX implementations of the ops declared in ``kcore/ops/nn_sequence.py``."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from kcore.backends.numpy import nn_sequence as _reference
from kcore.dtypes import result_type, standardize_dtype
from kcore.ops.nn_sequence import (
    _blank_index,
    _check_attention,
    _check_ctc,
    _check_decode,
    _masked_logit,
)

#: An unreachable state's log-probability: finite, so that gradients stay finite.
_IMPOSSIBLE = -1e30


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    _check_ctc(target, output, target_length, output_length)
    return _ctc_loss(target, output, target_length, output_length, mask_index)


# Compiled once per shape: run eagerly, lax.scan would trace and compile on every call.
@functools.partial(jax.jit, static_argnames=("mask_index",))
def _ctc_loss(target, output, target_length, output_length, mask_index):
    output = jnp.asarray(output)
    dtype = result_type(standardize_dtype(output.dtype), "float32")
    log_probs = jax.nn.log_softmax(output.astype(dtype), axis=-1)
    target = jnp.asarray(target).astype(jnp.int32)
    target_length = jnp.asarray(target_length).astype(jnp.int32)
    output_length = jnp.asarray(output_length).astype(jnp.int32)
    batch, labels = target.shape
    # Labels with blanks around and between them: blank, l1, blank, l2, ..., blank.
    extended = jnp.full((batch, 2 * labels + 1), mask_index, jnp.int32)
    extended = extended.at[:, 1::2].set(target)
    skip = jnp.zeros(extended.shape, bool)
    skip = skip.at[:, 2:].set(
        (extended[:, 2:] != mask_index) & (extended[:, 2:] != extended[:, :-2])
    )
    emitted = jnp.take_along_axis(log_probs, extended[:, None, :], axis=2)  # (B, T, L)
    impossible = jnp.asarray(_IMPOSSIBLE, dtype)
    states = jnp.arange(extended.shape[1])
    alpha = jnp.where(states < 2, emitted[:, 0], impossible)

    def step(alpha, inputs):
        emit, t = inputs
        one = jnp.pad(alpha[:, :-1], ((0, 0), (1, 0)), constant_values=_IMPOSSIBLE)
        two = jnp.pad(alpha[:, :-2], ((0, 0), (2, 0)), constant_values=_IMPOSSIBLE)
        two = jnp.where(skip, two, impossible)
        new = jax.nn.logsumexp(jnp.stack([alpha, one, two]), axis=0) + emit
        return jnp.where((t < output_length)[:, None], new, alpha), None

    steps = jnp.arange(1, output.shape[1])
    alpha, _ = lax.scan(step, alpha, (jnp.swapaxes(emitted[:, 1:], 0, 1), steps))
    end = 2 * target_length
    last = jnp.take_along_axis(alpha, end[:, None], axis=1)[:, 0]
    before = jnp.take_along_axis(alpha, jnp.maximum(end - 1, 0)[:, None], axis=1)[:, 0]
    before = jnp.where(end > 0, before, impossible)
    return -jnp.logaddexp(last, before)


@functools.partial(jax.jit, static_argnames=("merge_repeated", "mask_index"))
def _greedy_decode(inputs, lengths, merge_repeated, mask_index):
    steps = inputs.shape[1]
    best = jnp.argmax(inputs, axis=-1).astype(jnp.int32)
    scores = jnp.max(inputs, axis=-1)
    outside = jnp.arange(steps)[None, :] >= lengths[:, None]
    best = jnp.where(outside, mask_index, best)
    scores = jnp.where(outside, jnp.zeros((), inputs.dtype), scores)
    if merge_repeated:
        repeated = jnp.pad(best[:, 1:] == best[:, :-1], ((0, 0), (1, 0)))
        best = jnp.where(repeated, mask_index, best)
    dropped = best == mask_index
    # A stable sort of the kept labels to the front, the dropped ones (-1) behind.
    order = jnp.argsort(dropped, axis=1, stable=True)
    decoded = jnp.take_along_axis(jnp.where(dropped, -1, best), order, axis=1)
    return decoded[None], -jnp.sum(scores, axis=1, keepdims=True)


def ctc_decode(
    inputs,
    sequence_lengths,
    strategy="greedy",
    beam_width=100,
    top_paths=1,
    merge_repeated=True,
    mask_index=0,
):
    _check_decode(inputs, sequence_lengths, strategy, beam_width, top_paths)
    inputs = jnp.asarray(inputs)
    dtype = result_type(standardize_dtype(inputs.dtype), "float32")
    inputs = inputs.astype(dtype)
    lengths = jnp.asarray(sequence_lengths).astype(jnp.int32)
    mask_index = _blank_index(mask_index, inputs.shape[-1])
    if strategy == "greedy":
        return _greedy_decode(inputs, lengths, merge_repeated, mask_index)
    # The beam search is sequential bookkeeping over a few prefixes: it runs on the
    # host, also under jit (a callback with a known result shape).
    batch, steps = inputs.shape[:2]
    shapes = (
        jax.ShapeDtypeStruct((top_paths, batch, steps), jnp.int32),
        jax.ShapeDtypeStruct((batch, top_paths), dtype),
    )

    def host(x, n):
        return _reference._beam_search_decode(
            np.asarray(x), np.asarray(n), beam_width, top_paths, mask_index, dtype
        )

    return jax.pure_callback(host, shapes, inputs, lengths)


def dot_product_attention(
    query,
    key,
    value,
    bias=None,
    mask=None,
    scale=None,
    is_causal=False,
    flash_attention=None,
    attn_logits_soft_cap=None,
):
    _check_attention(query, key, value, flash_attention, attn_logits_soft_cap)
    if scale is None or isinstance(scale, int | float):
        # Compiled: eager jax.nn.dot_product_attention dispatches op by op (~100x slower).
        return _attention_jit(
            query, key, value, bias, mask, scale, is_causal, bool(flash_attention)
        )
    return _attention(query, key, value, bias, mask, scale, is_causal, bool(flash_attention))


def _attention(query, key, value, bias, mask, scale, is_causal, flash_attention):
    query, key, value = jnp.asarray(query), jnp.asarray(key), jnp.asarray(value)
    dtype = result_type(
        standardize_dtype(query.dtype), standardize_dtype(key.dtype), standardize_dtype(value.dtype)
    )
    query, key, value = query.astype(dtype), key.astype(dtype), value.astype(dtype)
    if bias is not None:
        bias = _four_d(jnp.asarray(bias).astype(dtype))
    if mask is not None:
        mask = _four_d(jnp.asarray(mask).astype(bool))
    half_on_cpu = dtype in ("float16", "bfloat16") and jax.default_backend() == "cpu"
    if value.shape[-1] == key.shape[-1] and not half_on_cpu:
        return jax.nn.dot_product_attention(
            query,
            key,
            value,
            bias=bias,
            mask=mask,
            scale=scale,
            is_causal=is_causal,
            implementation="cudnn" if flash_attention else None,
        )
    # jax.nn wants values shaped like the keys, and its 16-bit products accumulating in
    # float32 do not compile for the CPU: those take the plain path, in float32.
    if half_on_cpu:
        query, key, value = (x.astype(jnp.float32) for x in (query, key, value))
        if bias is not None:
            bias = bias.astype(jnp.float32)
    groups = query.shape[2] // key.shape[2]
    if groups > 1:
        key, value = jnp.repeat(key, groups, axis=2), jnp.repeat(value, groups, axis=2)
    if scale is None:
        scale = 1.0 / np.sqrt(query.shape[-1])
    logits = jnp.einsum("btnh,bsnh->bnts", query, key) * jnp.asarray(scale, query.dtype)
    if bias is not None:
        logits = logits + bias
    if is_causal:
        causal = jnp.tril(jnp.ones((query.shape[1], key.shape[1]), bool))
        mask = causal if mask is None else mask & causal
    if mask is not None:
        logits = jnp.where(mask, logits, jnp.asarray(_masked_logit(dtype), logits.dtype))
    weights = jax.nn.softmax(logits.astype(jnp.float32), axis=-1).astype(value.dtype)
    return jnp.einsum("bnts,bsnh->btnh", weights, value).astype(dtype)


_attention_jit = jax.jit(_attention, static_argnames=("scale", "is_causal", "flash_attention"))


def _four_d(x):
    return x.reshape((1,) * (4 - x.ndim) + x.shape) if x.ndim < 4 else x
