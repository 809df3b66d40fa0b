"""NumPy implementations of the ops declared in ``kcore/ops/nn_sequence.py``."""

from __future__ import annotations

import numpy as np

from kcore.dtypes import result_type, standardize_dtype
from kcore.ops.nn_sequence import (
    _blank_index,
    _check_attention,
    _check_ctc,
    _check_decode,
    _flash_unsupported,
    _masked_logit,
)


def _log_softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _logsumexp(*terms):
    stacked = np.stack(terms)
    top = np.max(stacked, axis=0)
    finite = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):  # log(0) is -inf: an unreachable state
        return finite + np.log(np.sum(np.exp(stacked - finite), axis=0))


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    _check_ctc(target, output, target_length, output_length)
    dtype = result_type(standardize_dtype(np.asarray(output).dtype), "float32")
    log_probs = _log_softmax(np.asarray(output, dtype=np.float64))
    target = np.asarray(target).astype(np.int64)
    target_length = np.asarray(target_length).astype(np.int64)
    output_length = np.asarray(output_length).astype(np.int64)
    losses = np.empty(target.shape[0])
    for b in range(target.shape[0]):
        # The forward algorithm over the labels with blanks around and between them.
        labels = target[b, : target_length[b]]
        extended = np.full(2 * len(labels) + 1, mask_index, dtype=np.int64)
        extended[1::2] = labels
        skip = np.zeros(len(extended), dtype=bool)
        skip[2:] = (extended[2:] != mask_index) & (extended[2:] != extended[:-2])
        lp = log_probs[b]
        alpha = np.full(len(extended), -np.inf)
        alpha[:2] = lp[0, extended[:2]]
        for t in range(1, int(output_length[b])):
            one = np.concatenate([[-np.inf], alpha[:-1]])
            two = np.where(skip, np.concatenate([[-np.inf, -np.inf], alpha[:-2]]), -np.inf)
            alpha = _logsumexp(alpha, one, two) + lp[t, extended]
        last = alpha[-1] if len(extended) == 1 else _logsumexp(alpha[-1:], alpha[-2:-1])[0]
        losses[b] = -last
    return losses.astype(dtype)


def _greedy_decode(inputs, lengths, merge_repeated, mask_index, dtype):
    batch, steps, _ = inputs.shape
    best = np.argmax(inputs, axis=-1)
    scores = np.max(inputs, axis=-1)
    outside = np.arange(steps)[None, :] >= lengths[:, None]
    best = np.where(outside, mask_index, best)
    scores = np.where(outside, 0.0, scores)
    if merge_repeated:
        repeated = np.zeros_like(outside)
        repeated[:, 1:] = best[:, 1:] == best[:, :-1]
        best = np.where(repeated, mask_index, best)
    decoded = np.full((1, batch, steps), -1, dtype=np.int32)
    for b in range(batch):
        kept = best[b][best[b] != mask_index]
        decoded[0, b, : len(kept)] = kept
    return decoded, (-np.sum(scores, axis=1, keepdims=True)).astype(dtype)


def _beam_search_decode(inputs, lengths, beam_width, top_paths, mask_index, dtype):
    """Prefix beam search: each prefix carries the log-probabilities of the paths that
    produce it ending in a blank and ending in its last label."""
    batch, steps, classes = inputs.shape
    log_probs = _log_softmax(inputs.astype(np.float64))
    decoded = np.full((top_paths, batch, steps), -1, dtype=np.int32)
    scores = np.full((batch, top_paths), -np.inf)
    for b in range(batch):
        length = int(lengths[b])
        if length <= 0:
            continue
        beams = {}
        for c in range(classes):
            key = () if c == mask_index else (c,)
            blank, label = beams.get(key, (-np.inf, -np.inf))
            if c == mask_index:
                beams[key] = (np.logaddexp(blank, log_probs[b, 0, c]), label)
            else:
                beams[key] = (blank, np.logaddexp(label, log_probs[b, 0, c]))
        beams = _pruned(beams, beam_width)
        for t in range(1, length):
            lp = log_probs[b, t]
            extended = {}

            def add(key, blank=-np.inf, label=-np.inf, _into=extended):
                old_blank, old_label = _into.get(key, (-np.inf, -np.inf))
                _into[key] = (np.logaddexp(old_blank, blank), np.logaddexp(old_label, label))

            for prefix, (blank, label) in beams.items():
                total = np.logaddexp(blank, label)
                for c in range(classes):
                    if c == mask_index:
                        add(prefix, blank=total + lp[c])
                    elif prefix and prefix[-1] == c:
                        add(prefix, label=label + lp[c])  # the repeat collapses
                        add(prefix + (c,), label=blank + lp[c])  # a blank between
                    else:
                        add(prefix + (c,), label=total + lp[c])
            beams = _pruned(extended, beam_width)
        best = sorted(beams.items(), key=lambda item: -np.logaddexp(*item[1]))[:top_paths]
        for p, (prefix, (blank, label)) in enumerate(best):
            decoded[p, b, : len(prefix)] = prefix
            scores[b, p] = np.logaddexp(blank, label)
    return decoded, scores.astype(dtype)


def _pruned(beams, width):
    ranked = sorted(beams.items(), key=lambda item: -np.logaddexp(*item[1]))
    return dict(ranked[:width])


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
    inputs = np.asarray(inputs)
    dtype = result_type(standardize_dtype(inputs.dtype), "float32")
    inputs = inputs.astype(dtype)
    lengths = np.asarray(sequence_lengths).astype(np.int64)
    mask_index = _blank_index(mask_index, inputs.shape[-1])
    if strategy == "greedy":
        return _greedy_decode(inputs, lengths, merge_repeated, mask_index, dtype)
    return _beam_search_decode(inputs, lengths, beam_width, top_paths, mask_index, dtype)


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
    query, key, value = np.asarray(query), np.asarray(key), np.asarray(value)
    dtype = result_type(
        standardize_dtype(query.dtype), standardize_dtype(key.dtype), standardize_dtype(value.dtype)
    )
    compute = np.float64 if dtype == "float64" else np.float32
    q, k, v = query.astype(compute), key.astype(compute), value.astype(compute)
    groups = q.shape[2] // k.shape[2]
    if groups > 1:
        k, v = np.repeat(k, groups, axis=2), np.repeat(v, groups, axis=2)
    if scale is None:
        scale = 1.0 / np.sqrt(q.shape[-1])
    logits = np.einsum("btnh,bsnh->bnts", q, k) * np.asarray(scale, compute)
    if bias is not None:
        logits = logits + np.asarray(bias).astype(compute)
    keep = None if mask is None else np.asarray(mask).astype(bool)
    if is_causal:
        causal = np.tril(np.ones((q.shape[1], k.shape[1]), dtype=bool))
        keep = causal if keep is None else keep & causal
    if keep is not None:
        logits = np.where(keep, logits, np.asarray(_masked_logit(dtype), compute))
    weights = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
    weights /= np.sum(weights, axis=-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", weights, v).astype(dtype)
