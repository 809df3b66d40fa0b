"""PyTorch implementations of the ops declared in ``kcore/ops/nn_sequence.py``."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from kcore.backends.numpy import nn_sequence as _reference
from kcore.dtypes import result_type, standardize_dtype
from kcore.ops.nn_sequence import (
    _blank_index,
    _check_attention,
    _check_ctc,
    _check_decode,
    _masked_logit,
)
from kcore_torch.ops import to_tensor, to_torch_dtype


def _dtype(x):
    return standardize_dtype(x.dtype)


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    _check_ctc(target, output, target_length, output_length)
    output = to_tensor(output)
    dtype = to_torch_dtype(result_type(_dtype(output), "float32"))
    # torch's CTC kernels take float32 and float64 log-probabilities, time major.
    log_probs = F.log_softmax(output.to(dtype), dim=-1).transpose(0, 1)
    device = output.device
    return F.ctc_loss(
        log_probs,
        to_tensor(target, None, device).long(),
        to_tensor(output_length, None, device).long(),
        to_tensor(target_length, None, device).long(),
        blank=mask_index,
        reduction="none",
        zero_infinity=False,
    )


def _greedy_decode(inputs, lengths, merge_repeated, mask_index):
    steps = inputs.shape[1]
    scores, best = torch.max(inputs, dim=-1)
    outside = torch.arange(steps, device=inputs.device)[None, :] >= lengths[:, None]
    best = torch.where(outside, mask_index, best)
    scores = torch.where(outside, 0.0, scores)
    if merge_repeated:
        repeated = F.pad(best[:, 1:] == best[:, :-1], (1, 0))
        best = torch.where(repeated, mask_index, best)
    dropped = best == mask_index
    # A stable sort of the kept labels to the front, the dropped ones (-1) behind.
    order = torch.sort(dropped.to(torch.uint8), dim=1, stable=True).indices
    decoded = torch.take_along_dim(torch.where(dropped, -1, best), order, dim=1)
    return decoded.to(torch.int32)[None], -torch.sum(scores, dim=1, keepdim=True)


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
    inputs = to_tensor(inputs)
    dtype = result_type(_dtype(inputs), "float32")
    inputs = inputs.to(to_torch_dtype(dtype))
    lengths = to_tensor(sequence_lengths, None, inputs.device).long()
    mask_index = _blank_index(mask_index, inputs.shape[-1])
    if strategy == "greedy":
        return _greedy_decode(inputs, lengths, merge_repeated, mask_index)
    # The beam search is sequential bookkeeping over a few prefixes: on the host.
    decoded, scores = _reference._beam_search_decode(
        inputs.detach().cpu().numpy(),
        lengths.cpu().numpy(),
        beam_width,
        top_paths,
        mask_index,
        dtype,
    )
    return (
        torch.from_numpy(decoded).to(inputs.device),
        torch.from_numpy(scores).to(inputs.device),
    )


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
    query, key, value = to_tensor(query), to_tensor(key), to_tensor(value)
    dtype = to_torch_dtype(result_type(_dtype(query), _dtype(key), _dtype(value)))
    device = query.device
    # Keras's layout is (batch, length, heads, dim); torch's kernel wants heads first.
    q = query.to(dtype).transpose(1, 2)
    k = key.to(dtype).transpose(1, 2)
    v = value.to(dtype).transpose(1, 2)
    attn_mask = None
    causal = is_causal
    if mask is not None or bias is not None:
        keep = None if mask is None else to_tensor(mask, None, device).to(torch.bool)
        if is_causal:
            tril = torch.ones(q.shape[2], k.shape[2], dtype=torch.bool, device=device).tril()
            keep = tril if keep is None else keep & tril
            causal = False  # the kernel takes a mask or is_causal, not both
        if bias is None:
            attn_mask = keep
        else:
            attn_mask = to_tensor(bias, None, device).to(dtype)
            if keep is not None:
                attn_mask = torch.where(keep, attn_mask, _masked_logit(standardize_dtype(dtype)))
    return F.scaled_dot_product_attention(
        q,
        k,
        v,
        attn_mask=attn_mask,
        is_causal=causal,
        scale=scale,
        enable_gqa=q.shape[1] != k.shape[1],
    ).transpose(1, 2)
