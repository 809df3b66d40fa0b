"""CTC loss and decoding and dot-product attention beyond what the conformance suite can
say: losses computable by hand, values Keras 3 gives, both decoding strategies with
their padding and options, attention options against a plain NumPy formula and the
composite against each native version, symbolic shapes, and bad input worded the same
on every installed backend.
"""

from __future__ import annotations

import numpy as np
import pytest
from ops_helpers import n, namespace_without, op_error_message, t

from kcore.errors import OpError
from kcore.keras_tensor import KerasTensor

# -- ctc_loss ------------------------------------------------------------------------------


def _ctc(ns, target, logits, target_length, output_length, **kwargs):
    return n(
        ns,
        ns.ctc_loss(
            t(ns, target, "int32"),
            t(ns, logits),
            t(ns, target_length, "int32"),
            t(ns, output_length, "int32"),
            **kwargs,
        ),
    )


def test_ctc_loss_by_hand_with_uniform_outputs(ns):
    # Two classes, equal logits: every path of T steps has probability 2**-T.
    logits = np.zeros((3, 3, 2), "float32")
    target = [[1, 1], [1, 0], [1, 0]]
    # "1 1" in 3 steps: only 1 _ 1.  "1" in 3 steps: 11_, 1__, _1_, __1, 111, _11, 1_1
    # is not one (it reads "1 1"), so 6 paths.  "1" in 2 steps: 11, 1_, _1.
    got = _ctc(ns, target, logits, [2, 1, 1], [3, 3, 2])
    expected = [3 * np.log(2), -np.log(6 / 8), -np.log(3 / 4)]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got.dtype == np.float32


def test_ctc_loss_blank_elsewhere_by_hand(ns):
    # With mask_index=1 the blank is class 1 and label 0 must be emitted.
    logits = np.zeros((1, 2, 3), "float32")
    got = _ctc(ns, [[0]], logits, [1], [2], mask_index=1)
    # "0" in 2 steps over 3 equally likely classes: 00, 0_, _0.
    np.testing.assert_allclose(got, [-np.log(3 / 9)], rtol=1e-6)


def test_ctc_loss_keras_values(ns):
    logits = np.random.default_rng(0).normal(size=(2, 5, 4)).astype("float32")
    got = _ctc(ns, [[1, 2, 0], [3, 3, 1]], logits, [2, 3], [5, 4])
    np.testing.assert_allclose(got, [5.029121, 4.583808], rtol=1e-5)  # Keras 3.15.1


def test_ctc_loss_result_dtype(ns):
    logits = np.zeros((1, 2, 3))
    for dtype, expected in (("float16", "float32"), ("float32", "float32")):
        out = ns.ctc_loss(
            t(ns, [[1]], "int32"), t(ns, logits, dtype), t(ns, [1], "int32"), t(ns, [2], "int32")
        )
        assert ns.dtype(out) == expected


def test_ctc_loss_symbolic(ns):
    out = ns.ctc_loss(
        KerasTensor((None, 3), "int32"),
        KerasTensor((None, 5, 4), "float32"),
        KerasTensor((None,), "int32"),
        KerasTensor((None,), "int32"),
    )
    assert out.shape == (None,) and out.dtype == "float32"


def test_ctc_loss_gradient_is_softmax_minus_occupancy(tns):
    # d loss / d logits at each step sums to zero over the classes (softmax minus a
    # distribution over the classes the paths use).
    logits = np.random.default_rng(3).normal(size=(1, 4, 3)).astype("float32")
    ns = tns
    x = t(ns, logits)
    grad = n(
        ns,
        _gradient(
            ns,
            lambda o: ns.sum(
                ns.ctc_loss(t(ns, [[1, 2]], "int32"), o, t(ns, [2], "int32"), t(ns, [4], "int32"))
            ),
            x,
        ),
    )
    np.testing.assert_allclose(grad.sum(axis=-1), 0.0, atol=1e-5)


def _gradient(ns, f, x):
    name = ns.backend.name
    if name == "jax":
        import jax

        return jax.grad(f)(x)
    if name == "torch":
        x = x.detach().requires_grad_(True)
        f(x).backward()
        return x.grad
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x)


# -- ctc_decode ----------------------------------------------------------------------------

_LOGITS = np.random.default_rng(0).normal(size=(2, 5, 4)).astype("float32")


def _decode(ns, **kwargs):
    decoded, scores = ns.ctc_decode(t(ns, _LOGITS), t(ns, [5, 4], "int32"), **kwargs)
    assert ns.dtype(decoded) == "int32"
    return n(ns, decoded), n(ns, scores)


def test_ctc_decode_greedy_keras_values(ns):
    decoded, scores = _decode(ns)
    np.testing.assert_array_equal(decoded, [[[2, 3, 1, 3, -1], [1, 1, -1, -1, -1]]])
    np.testing.assert_allclose(scores, [[-2.8094704], [-3.0309744]], rtol=1e-5)


def test_ctc_decode_greedy_without_merging_and_another_blank(ns):
    decoded, scores = _decode(ns, merge_repeated=False, mask_index=2)
    np.testing.assert_array_equal(decoded, [[[3, 1, 3, -1, -1], [1, 0, 1, 1, -1]]])
    np.testing.assert_allclose(scores, [[-2.8094704], [-3.0309744]], rtol=1e-5)


def test_ctc_decode_greedy_by_hand(ns):
    # One-hot steps: 1 1 _ 1 2 2 -> merged "1 1 2"; unmerged "1 1 1 2 2".
    steps = [1, 1, 0, 1, 2, 2]
    logits = np.eye(3, dtype="float32")[steps][None] * 5.0
    decoded, scores = ns.ctc_decode(t(ns, logits), t(ns, [6], "int32"))
    np.testing.assert_array_equal(n(ns, decoded), [[[1, 1, 2, -1, -1, -1]]])
    np.testing.assert_allclose(n(ns, scores), [[-30.0]])
    decoded, _ = ns.ctc_decode(t(ns, logits), t(ns, [4], "int32"), merge_repeated=False)
    np.testing.assert_array_equal(n(ns, decoded), [[[1, 1, 1, -1, -1, -1]]])


def test_ctc_decode_beam_search_keras_values(ns):
    decoded, scores = _decode(ns, strategy="beam_search", beam_width=4, top_paths=2)
    np.testing.assert_array_equal(
        decoded,
        [
            [[2, 3, -1, -1, -1], [1, 3, -1, -1, -1]],
            [[2, 3, 1, 3, -1], [1, 1, -1, -1, -1]],
        ],
    )
    np.testing.assert_allclose(
        scores, [[-2.9098406, -2.994072], [-2.1743286, -2.3149323]], rtol=1e-5
    )


def test_ctc_decode_beam_search_sums_the_paths_of_a_prefix(ns):
    # Two steps, two classes with equal logits: "1" comes from 11, 1_, _1 (3/4) and
    # the empty sequence from __ (1/4).
    logits = np.zeros((1, 2, 2), "float32")
    decoded, scores = ns.ctc_decode(
        t(ns, logits), t(ns, [2], "int32"), strategy="beam_search", beam_width=5, top_paths=2
    )
    np.testing.assert_array_equal(n(ns, decoded), [[[1, -1]], [[-1, -1]]])
    np.testing.assert_allclose(n(ns, scores), np.log([[0.75, 0.25]]), rtol=1e-5)


def test_ctc_decode_beam_search_prunes_alike_everywhere(ns):
    # A narrow beam drops prefixes; the second path's score must not depend on how a
    # backend prunes (Keras's jax, numpy and torch backends give these; its tf backend
    # gives -3.1228 for the second).
    logits = np.eye(3, dtype="float32")[[1, 0, 1, 2, 2, 0, 2]][None] * 4.0
    decoded, scores = ns.ctc_decode(
        t(ns, logits), t(ns, [7], "int32"), strategy="beam_search", beam_width=3, top_paths=2
    )
    np.testing.assert_array_equal(
        n(ns, decoded), [[[1, 1, 2, 2, -1, -1, -1]], [[1, 2, 2, -1, -1, -1, -1]]]
    )
    np.testing.assert_allclose(n(ns, scores), [[-0.19801983, -3.110613]], rtol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "paths"), [({}, 1), ({"strategy": "beam_search", "top_paths": 3}, 3)]
)
def test_ctc_decode_symbolic(ns, kwargs, paths):
    decoded, scores = ns.ctc_decode(
        KerasTensor((None, 5, 4), "float32"), KerasTensor((None,), "int32"), **kwargs
    )
    assert decoded.shape == (paths, None, 5) and decoded.dtype == "int32"
    assert scores.shape == (None, paths) and scores.dtype == "float32"


# -- dot_product_attention -----------------------------------------------------------------


def _attention_reference(q, k, v, bias=None, mask=None, scale=None, is_causal=False):
    """Per head and query position, in float64: softmax(q.k * scale + bias) @ v."""
    q, k, v = (np.asarray(a, np.float64) for a in (q, k, v))
    batch, steps, heads, dim = q.shape
    keys, kv_heads = k.shape[1], k.shape[2]
    scale = 1 / np.sqrt(dim) if scale is None else scale
    full = (batch, heads, steps, keys)
    bias = np.zeros(full) if bias is None else np.broadcast_to(bias, full)
    mask = np.ones(full, bool) if mask is None else np.broadcast_to(mask, full)
    out = np.zeros((batch, steps, heads, v.shape[-1]))
    for b in range(batch):
        for h in range(heads):
            g = h // (heads // kv_heads)
            for i in range(steps):
                logits = k[b, :, g] @ q[b, i, h] * scale + bias[b, h, i]
                keep = mask[b, h, i] & ((np.arange(keys) <= i) if is_causal else True)
                logits = np.where(keep, logits, -np.inf)
                w = np.exp(logits - logits.max())
                out[b, i, h] = (w / w.sum()) @ v[b, :, g]
    return out


_RNG = np.random.default_rng(7)
_Q = _RNG.normal(size=(2, 4, 4, 3)).astype("float32")
_K = _RNG.normal(size=(2, 5, 2, 3)).astype("float32")  # grouped: 2 key/value heads
_V = _RNG.normal(size=(2, 5, 2, 6)).astype("float32")
_MASK = _RNG.random((2, 1, 4, 5)) < 0.6
_MASK[..., 0] = True
_BIAS = _RNG.normal(size=(4, 4, 5)).astype("float32")
_OPTIONS = {
    "plain": {},
    "causal": {"is_causal": True},
    "mask-scale": {"mask": _MASK, "scale": 0.7},
    "bias": {"bias": _BIAS},
    "bias-mask-causal": {"bias": _BIAS, "mask": _MASK[0, 0], "is_causal": True},
}


def _attend(ns, options, q=_Q, k=_K, v=_V):
    kwargs = {
        key: (t(ns, value, value.dtype.name) if isinstance(value, np.ndarray) else value)
        for key, value in options.items()
    }
    return n(ns, ns.dot_product_attention(t(ns, q), t(ns, k), t(ns, v), **kwargs))


@pytest.mark.parametrize("option", list(_OPTIONS))
def test_attention_options_against_the_formula(ns, option):
    got = _attend(ns, _OPTIONS[option])
    np.testing.assert_allclose(got, _attention_reference(_Q, _K, _V, **_OPTIONS[option]), atol=2e-5)


@pytest.mark.parametrize("option", list(_OPTIONS))
def test_attention_composite_matches_native(ns, option):
    composite = namespace_without(ns.backend.name, ["dot_product_attention"])
    np.testing.assert_allclose(
        _attend(composite, _OPTIONS[option]), _attend(ns, _OPTIONS[option]), atol=2e-5
    )


def test_attention_keeps_query_shape_and_promotes(ns):
    out = ns.dot_product_attention(t(ns, _Q), t(ns, _K, "float16"), t(ns, _V, "float16"))
    assert tuple(out.shape) == (2, 4, 4, 6) and ns.dtype(out) == "float32"
    half = ns.dot_product_attention(
        t(ns, _Q, "float16"), t(ns, _K, "float16"), t(ns, _V, "float16")
    )
    assert ns.dtype(half) == "float16"


def test_attention_symbolic(ns):
    out = ns.dot_product_attention(
        KerasTensor((None, 4, 4, 3)), KerasTensor((None, 5, 2, 3)), KerasTensor((None, 5, 2, 6))
    )
    assert out.shape == (None, 4, 4, 6) and out.dtype == "float32"


# -- bad input: the same words on every backend ---------------------------------------------


def _message(ns, call, *args, **kwargs):
    return op_error_message(call, *args, **kwargs)


def test_attention_bad_input(ns):
    q, k = t(ns, _Q), t(ns, _K)
    message = _message(ns, ns.dot_product_attention, q, t(ns, _K[..., :2]), t(ns, _V))
    assert message.startswith(
        "dot_product_attention: expected the head dimension of query (3) to equal that of "
        "key (2); received query of shape (2, 4, 4, 3) and dtype float32, key of shape "
        "(2, 5, 2, 2)"
    ), message
    message = _message(ns, ns.dot_product_attention, t(ns, _Q[0]), t(ns, _K[0]), t(ns, _V[0]))
    assert message.startswith(
        "dot_product_attention: expected query, key and value of rank 4, shaped (batch, "
        "length, heads, head_dim); received query of shape (4, 4, 3)"
    ), message
    message = _message(ns, ns.dot_product_attention, q[:, :, :3], k, t(ns, _V))
    assert message.startswith(
        "dot_product_attention: expected a number of query heads (3) that is a multiple of "
        "the number of key/value heads (2)"
    ), message
    message = _message(ns, ns.dot_product_attention, q, k, t(ns, _V[:, :4]))
    assert message.startswith(
        "dot_product_attention: expected key and value with the same length, got 5 and 4"
    ), message
    message = _message(ns, ns.dot_product_attention, q, k, t(ns, _V), attn_logits_soft_cap=5.0)
    assert message.startswith(
        "dot_product_attention: expected attn_logits_soft_cap=None (a logits soft cap is "
        "only supported by JAX on TPU)"
    ), message


def test_attention_flash_without_a_kernel_raises(ns):
    name = ns.backend.name
    if name == "torch":
        pytest.skip("torch's kernel picks its own implementation, flash or not")
    if name == "jax":
        import jax

        if jax.default_backend() != "cpu":
            pytest.skip("jax has a flash (cuDNN) kernel on GPUs")
    with pytest.raises(OpError, match="^dot_product_attention: "):
        ns.dot_product_attention(t(ns, _Q), t(ns, _K), t(ns, _K), flash_attention=True)


def test_ctc_bad_input(ns):
    logits = t(ns, _LOGITS)
    message = _message(
        ns,
        ns.ctc_loss,
        t(ns, [1, 2], "int32"),
        logits,
        t(ns, [2, 2], "int32"),
        t(ns, [5, 5], "int32"),
    )
    assert message.startswith(
        "ctc_loss: expected target of rank 2, shaped (batch, max_label_length), got rank 1;"
    ), message
    message = _message(
        ns,
        ns.ctc_loss,
        t(ns, [[1, 2]] * 3, "int32"),
        logits,
        t(ns, [2, 2, 2], "int32"),
        t(ns, [5, 5], "int32"),
    )
    assert message.startswith(
        "ctc_loss: expected target, output, target_length and output_length with the same "
        "batch size, got 3, 2, 3 and 2;"
    ), message
    message = _message(ns, ns.ctc_decode, logits, t(ns, [5, 4], "int32"), strategy="best")
    assert message.startswith(
        "ctc_decode: expected strategy 'greedy' or 'beam_search', got 'best';"
    ), message
    message = _message(
        ns,
        ns.ctc_decode,
        logits,
        t(ns, [5, 4], "int32"),
        strategy="beam_search",
        beam_width=2,
        top_paths=3,
    )
    assert message.startswith(
        "ctc_decode: expected top_paths an int in [1, beam_width=2], got 3;"
    ), message
    message = _message(ns, ns.ctc_decode, logits[0], t(ns, [5], "int32"))
    assert message.startswith(
        "ctc_decode: expected inputs of rank 3, shaped (batch, max_time, num_classes), got rank 2;"
    ), message
