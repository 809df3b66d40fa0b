"""Sequence ops of ``keras.ops.nn``: CTC loss and decoding, dot-product attention."""

from __future__ import annotations

import numpy as np

from kcore import ops
from kcore.dtypes import result_type
from kcore.ops.cases import Case, explicit
from kcore.ops.contract import op

# ---------------------------------------------------------------------------------------
# Shared checks (backends import these): cheap comparisons that raise ValueError where a
# framework would silently accept bad input; the ``expect=`` rules word the OpError.


def _shape(value):
    shape = getattr(value, "shape", None)
    if shape is None:
        return None
    return tuple(None if d is None else int(d) for d in shape)


def _attention_problem(query, key, value, flash_attention=None, attn_logits_soft_cap=None):
    """What is wrong with the attention arguments, or None."""
    if attn_logits_soft_cap is not None:
        return "attn_logits_soft_cap=None (a logits soft cap is only supported by JAX on TPU)"
    q, k, v = _shape(query), _shape(key), _shape(value)
    if q is None or k is None or v is None:
        return None
    if not len(q) == len(k) == len(v) == 4:
        return "query, key and value of rank 4, shaped (batch, length, heads, head_dim)"
    if None not in (q[3], k[3]) and q[3] != k[3]:
        return f"the head dimension of query ({q[3]}) to equal that of key ({k[3]})"
    for axis, what in ((0, "batch size"), (1, "length"), (2, "number of heads")):
        if None not in (k[axis], v[axis]) and k[axis] != v[axis]:
            return f"key and value with the same {what}, got {k[axis]} and {v[axis]}"
    if None not in (q[0], k[0]) and q[0] != k[0]:
        return f"query and key with the same batch size, got {q[0]} and {k[0]}"
    if None not in (q[2], k[2]) and q[2] % k[2]:
        return (
            f"a number of query heads ({q[2]}) that is a multiple of the number of "
            f"key/value heads ({k[2]})"
        )
    return None


def _check_attention(query, key, value, flash_attention=None, attn_logits_soft_cap=None):
    # The common case in a few comparisons (this runs on every eager call); anything
    # else (unknown dimensions included) goes through the full, worded check.
    try:
        q, k, v = query.shape, key.shape, value.shape
        if (
            attn_logits_soft_cap is None
            and len(q) == len(k) == len(v) == 4
            and q[3] == k[3]
            and q[0] == k[0] == v[0]
            and k[1] == v[1]
            and q[2] % k[2] == 0
            and k[2] == v[2]
        ):
            return
    except Exception:  # noqa: S110 - the full check below words the problem
        pass
    _raise(_attention_problem(query, key, value, flash_attention, attn_logits_soft_cap))


def _blank_index(mask_index, classes):
    """``ctc_decode``'s blank class as an index in ``[0, classes)``: ``None`` is the
    last class, a negative index counts from the end."""
    if mask_index is None:
        return classes - 1
    if mask_index < 0:
        return mask_index + classes
    return mask_index


def _raise(problem):
    """Raise ``problem`` (what was expected, worded) as a ``ValueError``, if any."""
    if problem:
        raise ValueError(problem)


def _rule(problem, *names):
    """The ``expect=`` rule that words ``problem`` of the op's arguments ``names``."""

    def rule(values):
        return problem(*(values.get(name) for name in names))

    return rule


_attention_rule = _rule(
    _attention_problem, "query", "key", "value", "flash_attention", "attn_logits_soft_cap"
)


def _flash_unsupported():
    return ValueError("flash_attention=None or False: this backend has no flash attention kernel")


def _ctc_problem(target, output, target_length, output_length):
    t, o = _shape(target), _shape(output)
    tl, ol = _shape(target_length), _shape(output_length)
    if None in (t, o, tl, ol):
        return None
    if len(t) != 2:
        return f"target of rank 2, shaped (batch, max_label_length), got rank {len(t)}"
    if len(o) != 3:
        return f"output of rank 3, shaped (batch, max_time, num_classes), got rank {len(o)}"
    if len(tl) != 1 or len(ol) != 1:
        return "target_length and output_length of rank 1, shaped (batch,)"
    sizes = {d for d in (t[0], o[0], tl[0], ol[0]) if d is not None}
    if len(sizes) > 1:
        return (
            "target, output, target_length and output_length with the same batch size, "
            f"got {t[0]}, {o[0]}, {tl[0]} and {ol[0]}"
        )
    return None


def _check_ctc(target, output, target_length, output_length):
    _raise(_ctc_problem(target, output, target_length, output_length))


_ctc_rule = _rule(_ctc_problem, "target", "output", "target_length", "output_length")


def _decode_problem(inputs, sequence_lengths, strategy, beam_width, top_paths):
    if strategy not in ("greedy", "beam_search"):
        return f"strategy 'greedy' or 'beam_search', got {strategy!r}"
    i, s = _shape(inputs), _shape(sequence_lengths)
    if i is not None and len(i) != 3:
        return f"inputs of rank 3, shaped (batch, max_time, num_classes), got rank {len(i)}"
    if s is not None and len(s) != 1:
        return f"sequence_lengths of rank 1, shaped (batch,), got rank {len(s)}"
    if strategy == "beam_search":
        if not isinstance(beam_width, int) or beam_width < 1:
            return f"beam_width a positive int, got {beam_width!r}"
        if not isinstance(top_paths, int) or not 1 <= top_paths <= beam_width:
            return f"top_paths an int in [1, beam_width={beam_width}], got {top_paths!r}"
    return None


def _check_decode(inputs, sequence_lengths, strategy, beam_width, top_paths):
    _raise(_decode_problem(inputs, sequence_lengths, strategy, beam_width, top_paths))


_decode_rule = _rule(
    _decode_problem, "inputs", "sequence_lengths", "strategy", "beam_width", "top_paths"
)


# ---------------------------------------------------------------------------------------
# Shape rules.


def _dtype_name(x):
    from kcore.dtypes import standardize_dtype

    return standardize_dtype(x.dtype)


def _ctc_loss_spec(target, output, target_length, output_length, mask_index=0):
    from kcore.keras_tensor import KerasTensor

    _check_ctc(target, output, target_length, output_length)
    return KerasTensor((_shape(target)[0],), result_type(_dtype_name(output), "float32"))


def _ctc_decode_spec(
    inputs,
    sequence_lengths,
    strategy="greedy",
    beam_width=100,
    top_paths=1,
    merge_repeated=True,
    mask_index=0,
):
    from kcore.keras_tensor import KerasTensor

    _check_decode(inputs, sequence_lengths, strategy, beam_width, top_paths)
    batch, steps = _shape(inputs)[:2]
    paths = 1 if strategy == "greedy" else top_paths
    dtype = result_type(_dtype_name(inputs), "float32")
    return KerasTensor((paths, batch, steps), "int32"), KerasTensor((batch, paths), dtype)


def _attention_spec(
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
    from kcore.keras_tensor import KerasTensor

    _check_attention(query, key, value, flash_attention, attn_logits_soft_cap)
    dtype = result_type(_dtype_name(query), _dtype_name(key), _dtype_name(value))
    return KerasTensor(_shape(query)[:-1] + _shape(value)[-1:], dtype)


# ---------------------------------------------------------------------------------------
# Conformance cases.


def _ctc_case(rng, label, target, target_length, output_length, steps, classes, **kwargs):
    dtype = kwargs.pop("dtype", "float32")
    output = rng.normal(size=(len(target), steps, classes)).astype(dtype)
    return Case(
        label,
        (
            np.asarray(target, "int32"),
            output,
            np.asarray(target_length, "int32"),
            np.asarray(output_length, "int32"),
        ),
        kwargs,
        grad=dtype == "float32",
    )


_CTC_LOSS_CASES = explicit(
    lambda rng: _ctc_case(rng, "basic", [[1, 2, 0], [3, 3, 1]], [2, 3], [5, 4], 5, 4),
    lambda rng: _ctc_case(
        rng, "mask_index2", [[1, 0, 3], [3, 1, 1]], [3, 3], [5, 5], 5, 4, mask_index=2
    ),
    lambda rng: _ctc_case(rng, "repeats", [[2, 2, 2]], [3], [6], 6, 3, mask_index=0),
    lambda rng: _ctc_case(rng, "float64", [[1, 2], [2, 1]], [2, 1], [4, 3], 4, 3, dtype="float64"),
)


def _decode_case(rng, label, steps=6, classes=4, lengths=(6, 4), **kwargs):
    inputs = rng.normal(size=(len(lengths), steps, classes)).astype("float32")
    return Case(label, (inputs, np.asarray(lengths, "int32")), kwargs)


_CTC_DECODE_CASES = explicit(
    lambda rng: _decode_case(rng, "greedy"),
    lambda rng: _decode_case(
        rng, "greedy-nomerge-mask2", merge_repeated=False, mask_index=2, lengths=(5, 6)
    ),
    lambda rng: _decode_case(rng, "beam", strategy="beam_search", beam_width=4, top_paths=2),
    lambda rng: _decode_case(
        rng,
        "beam-mask1",
        strategy="beam_search",
        beam_width=8,
        top_paths=3,
        mask_index=1,
        steps=5,
        classes=3,
        lengths=(5, 3, 4),
    ),
)


def _attention_case(rng, label, q, kv, value_dim=None, dtype="float32", grad=False, **kw):
    query = rng.normal(size=q).astype(dtype)
    key = rng.normal(size=kv).astype(dtype)
    value_shape = kv if value_dim is None else (*kv[:-1], value_dim)
    value = rng.normal(size=value_shape).astype(dtype)
    return Case(label, (query, key, value), kw, grad=grad)


def _attention_mask(rng, shape):
    mask = rng.random(shape) < 0.6
    mask[..., 0] = True  # no fully masked row: its softmax is a matter of convention
    return mask


_ATTENTION_CASES = explicit(
    lambda rng: _attention_case(rng, "basic", (2, 3, 2, 4), (2, 4, 2, 4)),
    lambda rng: _attention_case(rng, "small", (1, 3, 2, 2), (1, 4, 2, 2), grad=True),
    lambda rng: _attention_case(
        rng, "causal", (1, 3, 2, 2), (1, 3, 2, 2), grad=True, is_causal=True
    ),
    lambda rng: _attention_case(
        rng,
        "mask-scale",
        (1, 3, 2, 2),
        (1, 4, 2, 2),
        grad=True,
        mask=_attention_mask(rng, (1, 2, 3, 4)),
        scale=0.3,
    ),
    lambda rng: _attention_case(rng, "gqa", (1, 3, 4, 2), (1, 4, 2, 2), grad=True),
    lambda rng: _attention_case(
        rng,
        "bias",
        (2, 3, 2, 4),
        (2, 4, 2, 4),
        bias=rng.normal(size=(2, 3, 4)).astype("float32"),
    ),
    lambda rng: _attention_case(
        rng,
        "bias-mask-causal",
        (2, 4, 2, 4),
        (2, 4, 2, 4),
        bias=rng.normal(size=(1, 2, 4, 4)).astype("float32"),
        mask=_attention_mask(rng, (4, 4)),
        is_causal=True,
    ),
    lambda rng: _attention_case(rng, "value-dim", (2, 3, 2, 4), (2, 5, 2, 4), value_dim=3),
    lambda rng: _attention_case(rng, "f16", (2, 3, 2, 4), (2, 4, 2, 4), dtype="float16"),
)


# ---------------------------------------------------------------------------------------
# Declarations.


@op(
    "nn",
    tensors=("target", "output", "target_length", "output_length"),
    cases=_CTC_LOSS_CASES,
    expect=_ctc_rule,
    shape_rule=_ctc_loss_spec,
)
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Connectionist temporal classification loss, one value per sequence of the batch.

    ``output`` holds logits shaped ``(batch, max_time, num_classes)`` (a log-softmax is
    applied over the classes); ``target`` holds integer labels shaped ``(batch,
    max_label_length)``, of which the first ``target_length[b]`` count; the first
    ``output_length[b]`` time steps count; class ``mask_index`` is the blank. The result
    is ``-log p(target | output)``, of dtype ``result_type(output.dtype, "float32")``.

    Example::

        >>> logits = kcore.random.normal((2, 5, 4))
        >>> kcore.ops.ctc_loss([[1, 2], [3, 3]], logits, [2, 2], [5, 5]).shape
        (2,)
    """
    ...


@op(
    "nn",
    tensors=("inputs", "sequence_lengths"),
    cases=_CTC_DECODE_CASES,
    grad=False,
    expect=_decode_rule,
    shape_rule=_ctc_decode_spec,
)
def ctc_decode(
    inputs,
    sequence_lengths,
    strategy="greedy",
    beam_width=100,
    top_paths=1,
    merge_repeated=True,
    mask_index=0,
):
    """Decode CTC outputs ``(batch, max_time, num_classes)`` into label sequences.

    ``strategy="greedy"`` takes the best class at each step, merges repeats (with
    ``merge_repeated``) and drops the blank ``mask_index``; its score is minus the sum
    of the chosen inputs. ``"beam_search"`` runs a prefix beam search of ``beam_width``
    over the log-softmax of ``inputs`` and keeps the ``top_paths`` best sequences with
    their log-probabilities. Returns ``(decoded, log_probs)``: ``decoded`` int32 shaped
    ``(top_paths, batch, max_time)`` padded with ``-1`` (``top_paths`` is 1 for greedy),
    ``log_probs`` shaped ``(batch, top_paths)``.

    Example::

        >>> decoded, scores = kcore.ops.ctc_decode(kcore.random.normal((2, 6, 4)), [6, 4])
        >>> decoded.shape, scores.shape
        ((1, 2, 6), (2, 1))
    """
    ...


@op(
    "nn",
    composite=True,
    tensors=("query", "key", "value"),
    cases=_ATTENTION_CASES,
    expect=_attention_rule,
    shape_rule=_attention_spec,
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
    """Scaled dot-product attention: ``softmax(Q K^T * scale + bias) V`` per head.

    ``query`` is ``(batch, T, heads, head_dim)``, ``key`` and ``value`` are ``(batch,
    S, kv_heads, head_dim)`` with ``heads`` a multiple of ``kv_heads`` (grouped-query
    attention). ``bias`` is added to the logits and ``mask`` (boolean, ``True`` takes
    part) filters them, both broadcast to ``(batch, heads, T, S)``; ``scale`` defaults
    to ``1 / sqrt(head_dim)``; ``is_causal`` lets query ``i`` see keys ``j <= i``.
    ``flash_attention=True`` raises where no flash kernel exists; a soft cap is only
    supported by JAX on TPU (elsewhere it raises). Returns ``(batch, T, heads,
    value_dim)``.

    Example::

        >>> q = kcore.random.normal((2, 4, 8, 16))
        >>> kv = kcore.random.normal((2, 6, 2, 16))
        >>> kcore.ops.dot_product_attention(q, kv, kv, is_causal=True).shape
        (2, 4, 8, 16)
    """
    _check_attention(query, key, value, None, attn_logits_soft_cap)
    if flash_attention:
        raise _flash_unsupported()
    dtype = result_type(ops.dtype(query), ops.dtype(key), ops.dtype(value))
    query, key, value = ops.cast(query, dtype), ops.cast(key, dtype), ops.cast(value, dtype)
    heads, kv_heads, head_dim = query.shape[2], key.shape[2], query.shape[3]
    if heads != kv_heads:
        key = ops.repeat(key, heads // kv_heads, axis=2)
        value = ops.repeat(value, heads // kv_heads, axis=2)
    if scale is None:
        scale = 1.0 / float(np.sqrt(head_dim))
    logits = ops.multiply(ops.einsum("btnh,bsnh->bnts", query, key), scale)
    if bias is not None:
        logits = ops.add(logits, ops.cast(bias, dtype))
    keep = None if mask is None else ops.cast(mask, "bool")
    if is_causal:
        causal = ops.cast(ops.tril(ops.ones((query.shape[1], key.shape[1]), dtype="int32")), "bool")
        keep = causal if keep is None else ops.logical_and(keep, causal)
    if keep is not None:
        logits = ops.where(keep, logits, _masked_logit(dtype))
    weights = ops.softmax(logits, axis=-1)
    return ops.einsum("bnts,bsnh->btnh", weights, value)


def _masked_logit(dtype):
    """A large finite negative logit for masked positions, so that a fully masked row
    averages instead of giving NaN: -1e9, or -0.7 times the dtype's largest value where
    that is smaller (float16). Not the dtype's extreme: TensorFlow's CPU softmax runs
    twice as slowly on logits near the float32 limit, and exp(-1e9) is already 0."""
    limit = -0.7 * float(np.finfo(dtype if dtype != "bfloat16" else "float32").max)
    return max(limit, -1e9)
