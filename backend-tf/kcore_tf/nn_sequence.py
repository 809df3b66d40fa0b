"""TensorFlow implementations of the ops declared in ``kcore/ops/nn_sequence.py``."""

from __future__ import annotations

import functools

import numpy as np

from kcore.backends.numpy import nn_sequence as _reference
from kcore.dtypes import result_type, standardize_dtype
from kcore.ops.nn_sequence import (
    _blank_index,
    _check_attention,
    _check_ctc,
    _check_decode,
    _flash_unsupported,
    _masked_logit,
)
from kcore_tf.ops import tf


def _dtype(x):
    return standardize_dtype(x.dtype)


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    _check_ctc(target, output, target_length, output_length)
    output = tf.convert_to_tensor(output)
    dtype = result_type(_dtype(output), "float32")
    if dtype == "float64":  # tf.nn.ctc_loss refuses float64
        return _ctc_loss_float64(target, output, target_length, output_length, mask_index)
    loss = tf.nn.ctc_loss(
        labels=tf.cast(target, tf.int32),
        logits=tf.cast(output, tf.float32),
        label_length=tf.cast(target_length, tf.int32),
        logit_length=tf.cast(output_length, tf.int32),
        logits_time_major=False,
        blank_index=mask_index,
    )
    return tf.cast(loss, dtype)


def _ctc_loss_float64(target, output, target_length, output_length, mask_index):
    """The forward algorithm in log space, over labels with blanks around and between."""
    impossible = tf.constant(-1e300, tf.float64)  # finite: gradients stay finite
    log_probs = tf.nn.log_softmax(output, axis=-1)
    target = tf.cast(target, tf.int32)
    target_length = tf.cast(target_length, tf.int32)
    output_length = tf.cast(output_length, tf.int32)
    batch, labels = tf.shape(target)[0], target.shape[1]
    blanks = tf.fill((batch, labels + 1), mask_index)
    interleaved = tf.reshape(tf.stack([blanks[:, :-1], target], axis=2), (batch, 2 * labels))
    extended = tf.concat([interleaved, blanks[:, -1:]], axis=1)
    skip = tf.concat(
        [
            tf.zeros((batch, 2), tf.bool),
            (extended[:, 2:] != mask_index) & (extended[:, 2:] != extended[:, :-2]),
        ],
        axis=1,
    )
    emitted = tf.gather(log_probs, extended, axis=2, batch_dims=1)  # (B, T, L)
    states = tf.range(2 * labels + 1)
    alpha = tf.where(states[None, :] < 2, emitted[:, 0], impossible)

    def step(alpha, inputs):
        emit, t = inputs
        one = tf.pad(alpha[:, :-1], ((0, 0), (1, 0)), constant_values=-1e300)
        two = tf.pad(alpha[:, :-2], ((0, 0), (2, 0)), constant_values=-1e300)
        two = tf.where(skip, two, impossible)
        new = tf.reduce_logsumexp(tf.stack([alpha, one, two]), axis=0) + emit
        return tf.where((t < output_length)[:, None], new, alpha)

    steps = tf.range(1, tf.shape(output)[1])
    alpha = tf.foldl(step, (tf.transpose(emitted[:, 1:], (1, 0, 2)), steps), alpha)
    end = 2 * target_length
    last = tf.gather(alpha, end, axis=1, batch_dims=1)
    before = tf.gather(alpha, tf.maximum(end - 1, 0), axis=1, batch_dims=1)
    before = tf.where(end > 0, before, impossible)
    return -tf.reduce_logsumexp(tf.stack([last, before]), axis=0)


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
    inputs = tf.convert_to_tensor(inputs)
    dtype = result_type(_dtype(inputs), "float32")
    shape = tf.shape(inputs)
    batch, steps, classes = shape[0], shape[1], inputs.shape[-1]
    mask_index = _blank_index(mask_index, classes)
    lengths = tf.cast(sequence_lengths, tf.int32)
    if strategy == "greedy":
        time_major = tf.transpose(tf.cast(inputs, dtype), (1, 0, 2))
        (decoded,), scores = tf.nn.ctc_greedy_decoder(
            time_major, lengths, merge_repeated=merge_repeated, blank_index=mask_index
        )
        sparse = tf.SparseTensor(decoded.indices, decoded.values, tf.cast((batch, steps), tf.int64))
        labels = tf.sparse.to_dense(sparse, default_value=-1)
        return tf.cast(labels, tf.int32)[None], tf.cast(scores, dtype)
    # tf.nn.ctc_beam_search_decoder prunes differently (its second-best scores differ
    # from the other backends'), so every backend runs the one prefix beam search, on
    # the host.

    def host(x, n):
        return _reference._beam_search_decode(x, n, beam_width, top_paths, mask_index, dtype)

    decoded, scores = tf.numpy_function(
        host, [tf.cast(inputs, dtype), lengths], [tf.int32, tf.as_dtype(dtype)], stateful=False
    )
    decoded.set_shape((top_paths, inputs.shape[0], inputs.shape[1]))
    scores.set_shape((inputs.shape[0], top_paths))
    return decoded, scores


@functools.lru_cache(maxsize=32)
def _causal_mask(steps, keys):
    """Query step ``t`` sees keys ``0..t``: a lower-triangular boolean array."""
    return np.tril(np.ones((steps, keys), dtype=bool))


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
    if flash_attention:
        raise _flash_unsupported()
    query, key, value = (tf.convert_to_tensor(x) for x in (query, key, value))
    dtype = result_type(_dtype(query), _dtype(key), _dtype(value))
    query, key, value = (tf.cast(x, dtype) for x in (query, key, value))
    groups = query.shape[2] // key.shape[2]
    if groups > 1:
        key, value = tf.repeat(key, groups, axis=2), tf.repeat(value, groups, axis=2)
    if scale is None:
        scale = 1.0 / np.sqrt(query.shape[-1])
    logits = tf.einsum("btnh,bsnh->bnts", query, key) * tf.cast(scale, dtype)
    if bias is not None:
        logits = logits + tf.cast(bias, dtype)
    keep = None if mask is None else tf.cast(mask, tf.bool)
    if is_causal:
        steps, keys = query.shape[1], key.shape[1]
        if steps is None or keys is None:  # traced with unknown lengths
            steps, keys = tf.shape(query)[1], tf.shape(key)[1]
            causal = tf.linalg.band_part(tf.ones((steps, keys), tf.bool), -1, 0)
        else:  # building it with TF ops costs ~0.4 ms per call; NumPy's is cached
            causal = _causal_mask(steps, keys)
        keep = causal if keep is None else tf.logical_and(keep, causal)
    if keep is not None:
        logits = tf.where(keep, logits, tf.cast(_masked_logit(dtype), dtype))
    weights = tf.nn.softmax(logits, axis=-1)
    return tf.einsum("bnts,bsnh->btnh", weights, value)
