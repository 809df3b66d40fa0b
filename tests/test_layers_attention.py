"""Attention layers (``kcore.layers.attention``) on the selected backend: the layer
test kit for every class, values against a NumPy softmax(QK^T)V with masks and causal
masks, shapes with ``attention_axes``, configs and errors."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import layers, ops
from kcore.testing.layers import run_layer_test

RNG = np.random.default_rng(0)
Q = RNG.normal(size=(2, 3, 4)).astype("float32")
V = RNG.normal(size=(2, 5, 4)).astype("float32")
K = RNG.normal(size=(2, 5, 4)).astype("float32")
Q_MASK = np.array([[1, 1, 0], [1, 1, 1]], bool)
V_MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], bool)


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _softmax(x, keep=None, axes=(-1,)):
    x = x.astype("float64")
    if keep is not None:
        x = np.where(keep, x, -1e9)
    e = np.exp(x - x.max(axis=axes, keepdims=True))
    out = e / e.sum(axis=axes, keepdims=True)
    return out if keep is None else np.where(keep, out, 0.0)


def _causal(t, s):
    return np.tril(np.ones((t, s), bool))


# -- the layer test kit ------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"use_scale": True}, {"score_mode": "concat", "use_scale": True, "dropout": 0.5}],
)
def test_attention_kit(kwargs):
    trainable = int(bool(kwargs.get("use_scale"))) + int(kwargs.get("score_mode") == "concat")
    run_layer_test(
        layers.Attention,
        kwargs,
        input_data=[Q, V],
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=trainable,
        expected_num_seed_generators=1 if kwargs.get("dropout") else 0,
        tolerance=1e-5,
    )


def test_attention_symbolic_scores_and_key():
    layer = layers.Attention()
    q, v, k = layers.Input((3, 4)), layers.Input((5, 4)), layers.Input((5, 4))
    out, scores = layer([q, v, k], return_attention_scores=True, use_causal_mask=True)
    assert tuple(out.shape) == (None, 3, 4) and tuple(scores.shape) == (None, 3, 5)
    eager_out, eager_scores = layer([Q, V, K], return_attention_scores=True)
    assert tuple(eager_out.shape) == (2, 3, 4) and tuple(eager_scores.shape) == (2, 3, 5)


def test_additive_attention_kit():
    run_layer_test(
        layers.AdditiveAttention,
        {},
        input_data=[Q, V],
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=1,
        tolerance=1e-5,
    )


@pytest.fixture
def query_only_output_shape(monkeypatch):
    """The kit calls ``compute_output_shape(input_shape)`` with the first input's
    shape only; for these tests the value (and key) default to the query's shape."""
    for cls in (layers.MultiHeadAttention, layers.GroupedQueryAttention):
        original = cls.compute_output_shape

        def patched(self, query_shape, value_shape=None, key_shape=None, _original=original):
            value_shape = query_shape if value_shape is None else value_shape
            return _original(self, query_shape, value_shape, key_shape)

        monkeypatch.setattr(cls, "compute_output_shape", patched)


@pytest.mark.usefixtures("query_only_output_shape")
@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_heads": 2, "key_dim": 2},
        {"num_heads": 2, "key_dim": 2, "output_shape": (2, 2), "use_bias": False},
        {"num_heads": 2, "key_dim": 2, "use_gate": True, "sliding_window": 2, "dropout": 0.5},
    ],
)
def test_multi_head_attention_kit(kwargs):
    out_shape = (2, 3, *kwargs["output_shape"]) if "output_shape" in kwargs else (2, 3, 4)
    n_weights = (5 if kwargs.get("use_gate") else 4) * (1 if kwargs.get("use_bias") is False else 2)
    run_layer_test(
        layers.MultiHeadAttention,
        kwargs,
        input_data=Q,
        call_kwargs={"value": V, "key": K} if kwargs.get("dropout") else {"value": V},
        expected_output_shape=out_shape,
        expected_num_trainable_weights=n_weights,
        expected_num_seed_generators=1 if kwargs.get("dropout") else 0,
        supports_masking=True,
        tolerance=1e-5,
    )


@pytest.mark.usefixtures("query_only_output_shape")
def test_grouped_query_attention_kit():
    run_layer_test(
        layers.GroupedQueryAttention,
        {"head_dim": 2, "num_query_heads": 2, "num_key_value_heads": 1},
        input_data=Q,
        call_kwargs={"value": V, "use_causal_mask": True},
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=8,  # query, key, value, output: kernel and bias
        supports_masking=True,
        tolerance=1e-5,
    )
    assert layers.GroupQueryAttention is layers.GroupedQueryAttention


# -- Attention values ---------------------------------------------------------------


@pytest.mark.parametrize("causal", [False, True])
def test_attention_values_with_masks(causal):
    layer = layers.Attention()
    out, scores = layer(
        [Q, V, K], mask=[Q_MASK, V_MASK], return_attention_scores=True, use_causal_mask=causal
    )
    keep = V_MASK[:, None, :]
    if causal:
        keep = keep & _causal(3, 5)
    weights = _softmax(Q @ K.transpose(0, 2, 1), keep)
    expected = np.where(Q_MASK[..., None], weights @ V, 0.0)
    # Masked positions get a tiny (e^-1e9) weight in Keras too: compare loosely there.
    np.testing.assert_allclose(_np(scores), weights, atol=1e-6)
    np.testing.assert_allclose(_np(out), expected, atol=1e-5)


def test_attention_scale_and_concat_values():
    layer = layers.Attention(use_scale=True, score_mode="concat")
    layer([Q, V])
    layer.scale.assign(0.5)
    layer.concat_score_weight.assign(2.0)
    out = layer([Q, V])
    scores = 2.0 * np.tanh(0.5 * (Q[:, :, None, :] + V[:, None, :, :])).sum(-1)
    np.testing.assert_allclose(_np(out), _softmax(scores) @ V, atol=1e-5)


def test_additive_attention_values():
    layer = layers.AdditiveAttention()
    out, scores = layer([Q, V], mask=[None, V_MASK], return_attention_scores=True)
    scale = layer.scale.numpy()
    logits = (scale * np.tanh(Q[:, :, None, :] + V[:, None, :, :])).sum(-1)
    weights = _softmax(logits, V_MASK[:, None, :])
    np.testing.assert_allclose(_np(scores), weights, atol=1e-6)
    np.testing.assert_allclose(_np(out), weights @ V, atol=1e-5)
    assert "score_mode" not in layer.get_config()


def test_attention_compute_mask_and_dropout():
    layer = layers.Attention(dropout=0.5, seed=1)
    mask = layer.compute_mask([Q, V], [Q_MASK, V_MASK])
    np.testing.assert_array_equal(_np(mask), Q_MASK)
    assert layer.compute_mask([Q, V], None) is None
    inference = _np(layer([Q, V], training=False))
    np.testing.assert_allclose(inference, _softmax(Q @ V.transpose(0, 2, 1)) @ V, atol=1e-5)
    if kcore.backend.current().capabilities.trainable:
        assert not np.allclose(_np(layer([Q, V], training=True)), inference)


# -- MultiHeadAttention values ----------------------------------------------------------


def _weights(layer):
    return {w.path.split("/", 1)[1]: w.numpy() for w in layer.weights}


def _np_mha(layer, q, v, k=None, keep=None):
    """softmax(QK^T / sqrt(d)) V per head with the layer's weights, in NumPy."""
    w = _weights(layer)
    k = v if k is None else k
    qp = np.einsum("btd,dnh->btnh", q, w["query/kernel"]) + w["query/bias"]
    kp = np.einsum("bsd,dnh->bsnh", k, w["key/kernel"]) + w["key/bias"]
    vp = np.einsum("bsd,dnh->bsnh", v, w["value/kernel"]) + w["value/bias"]
    logits = np.einsum("btnh,bsnh->bnts", qp, kp) / np.sqrt(qp.shape[-1])
    if keep is not None:
        keep = keep[:, None] if keep.ndim == 3 else keep
    scores = _softmax(logits, keep)
    heads = np.einsum("bnts,bsnh->btnh", scores, vp)
    out = np.einsum("btnh,nhd->btd", heads, w["attention_output/kernel"])
    return out + w["attention_output/bias"], scores


@pytest.mark.parametrize("return_scores", [False, True])
@pytest.mark.parametrize("causal", [False, True])
def test_multi_head_attention_values(causal, return_scores):
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2, bias_initializer="random_normal")
    attention_mask = RNG.random((2, 3, 5)) > 0.3
    attention_mask[:, :, 0] = True
    result = layer(
        Q,
        V,
        K,
        attention_mask=attention_mask,
        use_causal_mask=causal,
        return_attention_scores=return_scores,
    )
    keep = attention_mask & _causal(3, 5) if causal else attention_mask
    expected, scores = _np_mha(layer, Q, V, K, keep)
    out = result[0] if return_scores else result
    np.testing.assert_allclose(_np(out), expected, rtol=1e-4, atol=1e-5)
    if return_scores:
        np.testing.assert_allclose(_np(result[1]), scores, atol=1e-5)


def test_multi_head_attention_causal_only_and_keras_masks():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    x = RNG.normal(size=(2, 4, 4)).astype("float32")
    out = layer(x, x, use_causal_mask=True)
    expected, _ = _np_mha(layer, x, x, keep=np.broadcast_to(_causal(4, 4), (2, 4, 4)))
    np.testing.assert_allclose(_np(out), expected, rtol=1e-4, atol=1e-5)
    # query/value masks combine as [B, T, 1] & [B, 1, S].
    out = layer(Q, V, query_mask=Q_MASK, value_mask=V_MASK)
    keep = Q_MASK[:, :, None] & V_MASK[:, None, :]
    expected, _ = _np_mha(layer, Q, V, keep=keep)
    np.testing.assert_allclose(_np(out)[Q_MASK], expected[Q_MASK], rtol=1e-4, atol=1e-5)


def test_multi_head_attention_sliding_window_and_gate():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2, sliding_window=2, use_gate=True)
    x = RNG.normal(size=(1, 4, 4)).astype("float32")
    _, scores = layer(x, x, return_attention_scores=True)
    band = np.abs(np.arange(4)[:, None] - np.arange(4)[None]) < 2
    assert np.all(_np(scores)[0, 0][~band] == 0)
    assert [w.path.split("/")[1] for w in layer.weights[::2]] == [
        "query",
        "key",
        "gate",
        "value",
        "attention_output",
    ]


@pytest.mark.parametrize(
    "shape, axes, scores_shape",
    [
        ((2, 3, 2, 4), (2,), (2, 3, 2, 2, 2)),
        ((2, 3, 2, 4), (1, 2), (2, 2, 3, 2, 3, 2)),
        ((2, 3, 2, 4), None, (2, 2, 3, 2, 3, 2)),
        ((2, 3, 2, 4), -2, (2, 3, 2, 2, 2)),
    ],
)
def test_multi_head_attention_axes(shape, axes, scores_shape):
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=axes)
    x = RNG.normal(size=shape).astype("float32")
    out, scores = layer(x, x, return_attention_scores=True)
    assert tuple(out.shape) == shape
    assert tuple(scores.shape) == scores_shape
    n_axes = len(layer.attention_axes)
    total = _np(scores).sum(axis=tuple(range(-n_axes, 0)))
    np.testing.assert_allclose(total, np.ones_like(total), rtol=1e-5)
    # The fused-free path and the plain call agree.
    np.testing.assert_allclose(_np(layer(x, x)), _np(out), rtol=1e-5, atol=1e-6)
    symbolic = layer(layers.Input(shape[1:]), layers.Input(shape[1:]), return_attention_scores=True)
    assert tuple(symbolic[1].shape) == (None, *scores_shape[1:])


def test_multi_head_attention_config_and_symbolic():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2, output_shape=4, attention_axes=1)
    config = layer.get_config()
    assert config["value_dim"] == 2 and config["output_shape"] == (4,)
    assert layers.MultiHeadAttention(2, 2, value_dim=3).get_config()["value_dim"] == 3
    assert config["attention_axes"] == (1,)
    for key in ("use_gate", "sliding_window", "activity_regularizer", "seed"):
        assert key in config
    rebuilt = layers.MultiHeadAttention.from_config(config)
    assert rebuilt.get_config() == config
    q, v = layers.Input((3, 4)), layers.Input((5, 4))
    out = layer(q, v)
    assert tuple(out.shape) == (None, 3, 4)
    model = kcore.Model([q, v], out)
    assert tuple(model([Q, V]).shape) == (2, 3, 4)


# -- GroupedQueryAttention values -------------------------------------------------------


def test_grouped_query_attention_values():
    layer = layers.GroupedQueryAttention(
        head_dim=2, num_query_heads=2, num_key_value_heads=1, bias_initializer="random_normal"
    )
    attention_mask = RNG.random((2, 3, 5)) > 0.3
    attention_mask[:, :, 0] = True
    out, scores = layer(Q, V, attention_mask=attention_mask, return_attention_scores=True)
    w = _weights(layer)
    qp = np.einsum("btd,dnh->btnh", Q, w["query/kernel"]) + w["query/bias"]
    kp = np.einsum("bsd,dnh->bsnh", V, w["key/kernel"]) + w["key/bias"]
    vp = np.einsum("bsd,dnh->bsnh", V, w["value/kernel"]) + w["value/bias"]
    kp, vp = np.repeat(kp, 2, axis=2), np.repeat(vp, 2, axis=2)
    logits = np.einsum("btnh,bsnh->bnts", qp, kp) / np.sqrt(2)
    expected_scores = _softmax(logits, attention_mask[:, None])
    heads = np.einsum("bnts,bsnh->btnh", expected_scores, vp)
    expected = np.einsum("btnh,nhd->btd", heads, w["attention_output/kernel"])
    expected += w["attention_output/bias"]
    np.testing.assert_allclose(_np(scores), expected_scores, atol=1e-5)
    np.testing.assert_allclose(_np(out), expected, rtol=1e-4, atol=1e-5)
    fused = layer(Q, V, attention_mask=attention_mask)
    np.testing.assert_allclose(_np(fused), expected, rtol=1e-4, atol=1e-5)


# -- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls, kwargs, match",
    [
        (layers.Attention, {"score_mode": "cosine"}, "score_mode"),
        (layers.Attention, {"dropout": 2.0}, "dropout"),
        (layers.MultiHeadAttention, {"num_heads": 0, "key_dim": 2}, "num_heads"),
        (layers.MultiHeadAttention, {"num_heads": 2, "key_dim": -1}, "key_dim"),
        (layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 2, "value_dim": 0}, "value_dim"),
        (layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 2, "sliding_window": 0}, "sliding"),
        (layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 2, "attention_axes": "x"}, "axes"),
        (
            layers.MultiHeadAttention,
            {"num_heads": 2, "key_dim": 2, "kernel_initializer": "nope"},
            "nope",
        ),
        (
            layers.GroupedQueryAttention,
            {"head_dim": 2, "num_query_heads": 3, "num_key_value_heads": 2},
            "divisible",
        ),
        (
            layers.GroupedQueryAttention,
            {"head_dim": 0, "num_query_heads": 2, "num_key_value_heads": 2},
            "head_dim",
        ),
    ],
)
def test_bad_arguments(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def test_bad_inputs_name_the_layer():
    layer = layers.Attention(name="att")
    with pytest.raises(ValueError, match="att.*list"):
        layer(Q)
    with pytest.raises(ValueError, match="length 2 or 3"):
        layer([Q])
    with pytest.raises(ValueError, match="mask"):
        layer([Q, V], mask=Q_MASK)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=2, name="mha")
    with pytest.raises(ValueError, match="mha"):
        mha(Q, V, RNG.normal(size=(2, 4, 4)).astype("float32"))
    with pytest.raises(ValueError, match="mha_rank"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, name="mha_rank")(Q[0], V[0])
    with pytest.raises(ValueError, match="mha_axes.*attention_axes"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=2, name="mha_axes")(Q, V)
    gqa = layers.GroupedQueryAttention(2, 2, 1, name="gqa")
    with pytest.raises(ValueError, match="gqa.*last dimension"):
        gqa(Q, RNG.normal(size=(2, 5, 3)).astype("float32"))
