"""Recurrent layers (``kcore.layers.rnn``) on the selected backend: the layer test kit
for every layer, values against NumPy recurrences, masks, directions, states,
wrappers, configs and errors."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import layers, ops
from kcore.layers import _rnn_cells
from kcore.testing.layers import run_layer_test

B, T, F, U = 2, 3, 4, 3  # batch, time steps, features, units
# The orthogonal default (a QR per new shape) costs seconds of compilation on JAX;
# the kit runs that use this are about the layer, not its initializer.
_CHEAP = {"recurrent_initializer": "glorot_uniform"}


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _data(seed=0, shape=(B, T, F)):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _random_weights(layer, seed=1):
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-0.5, 0.5, size=w.shape).astype("float32") for w in layer.weights]
    layer.set_weights(weights)
    return weights


# -- NumPy references: one step each, and the loop with Keras' mask semantics ----------


def _simple_step(x, states, w):
    kernel, recurrent, bias = w
    h = np.tanh(x @ kernel + states[0] @ recurrent + bias)
    return h, [h]


def _lstm_step(x, states, w):
    kernel, recurrent, bias = w
    h, c = states
    z = x @ kernel + h @ recurrent + bias
    i, f, g, o = np.split(z, 4, axis=-1)
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h = _sigmoid(o) * np.tanh(c)
    return h, [h, c]


def _gru_step(x, states, w, reset_after):
    kernel, recurrent, bias = w
    h = states[0]
    u = recurrent.shape[0]
    if reset_after:
        xz, xr, xh = np.split(x @ kernel + bias[0], 3, axis=-1)
        hz, hr, hh = np.split(h @ recurrent + bias[1], 3, axis=-1)
        z, r = _sigmoid(xz + hz), _sigmoid(xr + hr)
        candidate = np.tanh(xh + r * hh)
    else:
        xz, xr, xh = np.split(x @ kernel + bias, 3, axis=-1)
        z = _sigmoid(xz + h @ recurrent[:, :u])
        r = _sigmoid(xr + h @ recurrent[:, u : 2 * u])
        candidate = np.tanh(xh + (r * h) @ recurrent[:, 2 * u :])
    h = z * h + (1 - z) * candidate
    return h, [h]


def _np_rnn(step, x, states, mask=None, go_backwards=False):
    """``(outputs (batch, time, units), final states)``; masked steps keep the states
    and repeat the previous output."""
    x = x.astype("float64")
    steps = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    outputs, previous = [], np.zeros_like(states[0])
    for t in steps:
        out, new = step(x[:, t], states)
        if mask is not None:
            keep = mask[:, t][:, None]
            out = np.where(keep, out, previous)
            new = [np.where(keep, n, s) for n, s in zip(new, states)]
        outputs.append(out)
        states, previous = new, out
    return np.stack(outputs, axis=1), states


def _zeros_states(n, units=U):
    return [np.zeros((B, units)) for _ in range(n)]


CASES = {
    "simple_rnn": (lambda **kw: layers.SimpleRNN(U, **kw), _simple_step, 1),
    "lstm": (lambda **kw: layers.LSTM(U, **kw), _lstm_step, 2),
    "gru": (
        lambda **kw: layers.GRU(U, **kw),
        lambda x, s, w: _gru_step(x, s, w, True),
        1,
    ),
    "gru_reset_before": (
        lambda **kw: layers.GRU(U, reset_after=False, **kw),
        lambda x, s, w: _gru_step(x, s, w, False),
        1,
    ),
}


# -- the layer test kit -------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls, kwargs, weights",
    [
        (layers.SimpleRNN, {"units": U}, 3),
        (layers.LSTM, {"units": U, "return_sequences": True, **_CHEAP}, 3),
        (layers.GRU, {"units": U, **_CHEAP}, 3),
        (layers.GRU, {"units": U, "reset_after": False, "go_backwards": True, **_CHEAP}, 3),
        (layers.LSTM, {"units": U, "use_bias": False, "unroll": True, **_CHEAP}, 2),
    ],
)
def test_layer_kit(cls, kwargs, weights):
    run_layer_test(
        cls,
        kwargs,
        input_shape=(B, T, F),
        expected_output_shape=(B, T, U) if kwargs.get("return_sequences") else (B, U),
        expected_num_trainable_weights=weights,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=1,
        supports_masking=True,
    )


def test_layer_kit_dropout_and_state():
    run_layer_test(
        layers.LSTM,
        {"units": U, "dropout": 0.5, "recurrent_dropout": 0.5, "seed": 1, "return_state": True},
        input_shape=(B, T, F),
        expected_output_shape=((B, U), (B, U), (B, U)),
        expected_num_trainable_weights=3,
        expected_num_seed_generators=1,
    )


def test_layer_kit_rnn_with_stacked_cells():
    run_layer_test(
        layers.RNN,
        {"cell": [layers.SimpleRNNCell(2), layers.GRUCell(U)], "return_sequences": True},
        input_shape=(B, T, F),
        expected_output_shape=(B, T, U),
        expected_num_trainable_weights=6,
        run_mixed_precision_check=False,
    )


def test_layer_kit_bidirectional():
    run_layer_test(
        layers.Bidirectional,
        {"layer": layers.GRU(2, return_sequences=True)},
        input_shape=(B, T, F),
        expected_output_shape=(B, T, 4),
        expected_num_trainable_weights=6,
        run_mixed_precision_check=False,
    )


def test_layer_kit_time_distributed():
    run_layer_test(
        layers.TimeDistributed,
        {"layer": layers.Dense(2)},
        input_shape=(B, T, F),
        expected_output_shape=(B, T, 2),
        expected_num_trainable_weights=2,
        run_mixed_precision_check=False,
    )


@pytest.mark.parametrize(
    "cls, kernel, shape, expected",
    [
        (layers.ConvLSTM1D, 3, (B, T, 5, 1), (B, 3, 2)),
        (layers.ConvLSTM2D, 3, (B, T, 4, 4, 1), (B, 2, 2, 2)),
        (layers.ConvLSTM3D, 2, (B, 2, 2, 2, 2, 1), (B, 1, 1, 1, 2)),
    ],
)
def test_layer_kit_conv_lstm(cls, kernel, shape, expected):
    run_layer_test(
        cls,
        {"filters": 2, "kernel_size": kernel, **_CHEAP},
        input_shape=shape,
        expected_output_shape=expected,
        expected_num_trainable_weights=3,
        supports_masking=True,
    )


def test_conv_lstm_values_match_numpy():
    # ConvLSTM1D with a 1-wide kernel is an LSTM applied at each position.
    x = _data(4, (B, T, 5, F))
    conv = layers.ConvLSTM1D(U, 1, return_sequences=True, **_CHEAP)
    conv(x)
    w = [v.astype("float64") for v in _random_weights(conv)]
    lstm_w = [w[0][0], w[1][0], w[2]]
    out = _np(conv(x))
    for p in range(5):
        expected, _ = _np_rnn(lambda a, s: _lstm_step(a, s, lstm_w), x[:, :, p], _zeros_states(2))
        np.testing.assert_allclose(out[:, :, p], expected, atol=1e-5)
    same = layers.ConvLSTM2D(2, 3, padding="same", data_format="channels_first", **_CHEAP)
    assert tuple(same(_data(0, (B, T, 1, 4, 4))).shape) == (B, 2, 4, 4)
    dropped = layers.ConvLSTM1D(2, 3, dropout=0.5, recurrent_dropout=0.5, seed=1, **_CHEAP)
    x = _data(1, (B, T, 5, F))
    inference = _np(dropped(x))
    assert inference.shape == (B, 3, 2)
    assert not np.allclose(_np(dropped(x, training=True)), inference)


# -- values against NumPy -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("go_backwards", [False, True])
def test_values_match_numpy(name, go_backwards):
    make, step, n_states = CASES[name]
    layer = make(return_sequences=True, return_state=True, go_backwards=go_backwards)
    x = _data()
    layer(x)
    w = [v.astype("float64") for v in _random_weights(layer)]
    got = layer(x)
    expected, states = _np_rnn(
        lambda a, s: step(a, s, w), x, _zeros_states(n_states), go_backwards=go_backwards
    )
    np.testing.assert_allclose(_np(got[0]), expected, atol=1e-5)
    assert len(got) == 1 + n_states
    for g, e in zip(got[1:], states):
        np.testing.assert_allclose(_np(g), e, atol=1e-5)


@pytest.mark.parametrize("name", ["lstm", "gru_reset_before"])
def test_compiled_loop_values(name, monkeypatch):
    # Sequences longer than PYTHON_LOOP_MAX_STEPS run through ops.scan.
    monkeypatch.setattr(_rnn_cells, "PYTHON_LOOP_MAX_STEPS", 0)
    make, step, n_states = CASES[name]
    layer = make(return_sequences=True, return_state=True, go_backwards=True)
    x = _data(3)
    mask = np.array([[True, True, False], [False, True, True]])
    layer(x)
    w = [v.astype("float64") for v in _random_weights(layer)]
    got = layer(x, mask=mask)
    expected, states = _np_rnn(
        lambda a, s: step(a, s, w), x, _zeros_states(n_states), mask, go_backwards=True
    )
    np.testing.assert_allclose(_np(got[0]), expected, atol=1e-5)
    for g, e in zip(got[1:], states):
        np.testing.assert_allclose(_np(g), e, atol=1e-5)


def test_compiled_loop_layer_kit(monkeypatch):
    monkeypatch.setattr(_rnn_cells, "PYTHON_LOOP_MAX_STEPS", 0)
    run_layer_test(
        layers.LSTM,
        {"units": U, "return_sequences": True, "dropout": 0.3, "seed": 2},
        input_shape=(B, T, F),
        expected_output_shape=(B, T, U),
        expected_num_trainable_weights=3,
        run_mixed_precision_check=False,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_mask_carries_states(name):
    make, step, n_states = CASES[name]
    layer = make(return_sequences=True, return_state=True)
    x = _data(2)
    mask = np.array([[True, False, True], [True, True, False]])
    layer(x)
    w = [v.astype("float64") for v in _random_weights(layer)]
    got = layer(x, mask=ops.convert_to_tensor(mask))
    expected, states = _np_rnn(lambda a, s: step(a, s, w), x, _zeros_states(n_states), mask)
    np.testing.assert_allclose(_np(got[0]), expected, atol=1e-5)
    for g, e in zip(got[1:], states):
        np.testing.assert_allclose(_np(g), e, atol=1e-5)
    # the masked step repeats the previous output; the last output is the last kept one
    out = _np(got[0])
    np.testing.assert_allclose(out[0, 1], out[0, 0], atol=1e-6)
    last = make(return_state=False)
    last(x)
    last.set_weights([v.astype("float32") for v in w])
    np.testing.assert_allclose(_np(last(x, mask=mask)), expected[:, -1], atol=1e-5)


def test_zero_output_for_mask():
    layer = layers.RNN(layers.SimpleRNNCell(U), return_sequences=True, zero_output_for_mask=True)
    x = _data()
    mask = np.array([[True, False, True], [True, True, True]])
    out = _np(layer(x, mask=mask))
    np.testing.assert_array_equal(out[0, 1], np.zeros(U))
    assert np.all(out[1] != 0)


def test_unroll_equals_loop():
    x = _data()
    a = layers.GRU(U, return_sequences=True)
    b = layers.GRU(U, return_sequences=True, unroll=True)
    a(x)
    b(x)
    b.set_weights(a.get_weights())
    np.testing.assert_allclose(_np(a(x)), _np(b(x)), atol=1e-6)


def test_initial_state_and_state_shapes():
    layer = layers.LSTM(U, return_state=True)
    x = _data()
    h0 = np.full((B, U), 0.3, "float32")
    c0 = np.full((B, U), -0.2, "float32")
    out, h, c = layer(x, initial_state=[h0, c0])
    assert tuple(out.shape) == tuple(h.shape) == tuple(c.shape) == (B, U)
    w = [v.astype("float64") for v in layer.get_weights()]
    expected, (eh, ec) = _np_rnn(lambda a, s: _lstm_step(a, s, w), x, [h0, c0])
    np.testing.assert_allclose(_np(h), eh, atol=1e-5)
    np.testing.assert_allclose(_np(c), ec, atol=1e-5)


def test_lstm_weights_layout_and_forget_bias():
    layer = layers.LSTM(U)
    layer(_data())
    kernel, recurrent, bias = layer.get_weights()
    assert kernel.shape == (F, 4 * U) and recurrent.shape == (U, 4 * U)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(U), np.ones(U), np.zeros(2 * U)])
    assert [w.path for w in layer.weights] == [
        f"{layer.name}/lstm_cell/kernel",
        f"{layer.name}/lstm_cell/recurrent_kernel",
        f"{layer.name}/lstm_cell/bias",
    ]
    gru = layers.GRU(U)
    gru(_data())
    assert [tuple(w.shape) for w in gru.weights] == [(F, 3 * U), (U, 3 * U), (2, 3 * U)]


def test_implementation_and_dropout():
    x = _data()
    layer = layers.LSTM(U, implementation=1, dropout=0.5, seed=3)
    assert layer.cell.implementation == 1
    layer(x)
    inference = _np(layer(x, training=False))
    np.testing.assert_array_equal(inference, _np(layer(x)))
    assert not np.allclose(_np(layer(x, training=True)), inference)
    assert layers.GRU(U, recurrent_dropout=0.2).cell.implementation == 1


# -- user-defined cells, stacked cells -------------------------------------------------------


class MinimalCell(kcore.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent = self.add_weight(shape=(self.units, self.units), name="recurrent")

    def call(self, inputs, states):
        previous = states[0]
        output = ops.matmul(inputs, self.kernel) + ops.matmul(previous, self.recurrent)
        return output, [output]


def test_user_cell():
    layer = layers.RNN(MinimalCell(U), return_sequences=True)
    x = _data()
    out = layer(x)
    assert tuple(out.shape) == (B, T, U)
    kernel, recurrent = (w.astype("float64") for w in layer.get_weights())
    h = np.zeros((B, U))
    for t in range(T):
        h = x[:, t] @ kernel + h @ recurrent
    np.testing.assert_allclose(_np(out)[:, -1], h, atol=1e-5)


def test_stacked_cells_states_and_config():
    cells = [layers.LSTMCell(2), layers.GRUCell(U)]
    layer = layers.RNN(cells, return_state=True)
    out, lstm_states, gru_state = layer(_data())
    assert tuple(out.shape) == (B, U)
    assert [tuple(s.shape) for s in lstm_states] == [(B, 2), (B, 2)]
    # a cell's get_initial_state gives a list: its state comes back as a list (as in Keras)
    (gru_state,) = gru_state
    assert tuple(gru_state.shape) == (B, U)
    np.testing.assert_allclose(_np(out), _np(gru_state))
    assert layer.compute_output_shape((B, T, F)) == ((B, U), [(B, 2), (B, 2)], (B, U))
    config = layer.get_config()
    assert config["cell"]["class_name"] == "StackedRNNCells"
    assert [c["class_name"] for c in config["cell"]["config"]["cells"]] == ["LSTMCell", "GRUCell"]
    rebuilt = layers.RNN.from_config(config)
    assert isinstance(rebuilt.cell, layers.StackedRNNCells)


def test_cells_step_directly():
    x = ops.convert_to_tensor(_data()[:, 0])
    h, (h2, c) = layers.LSTMCell(U)(x, [ops.zeros((B, U)), ops.zeros((B, U))])
    assert tuple(h.shape) == tuple(c.shape) == (B, U)
    h, state = layers.GRUCell(U)(x, ops.zeros((B, U)))
    assert tuple(state.shape) == (B, U)
    h, [state] = layers.SimpleRNNCell(U)(x, [ops.zeros((B, U))])
    assert tuple(h.shape) == (B, U)


# -- stateful -----------------------------------------------------------------------


def test_stateful_continues_and_resets():
    x = _data(5, (B, 4, F))
    stateful = layers.SimpleRNN(U, stateful=True)
    plain = layers.SimpleRNN(U)
    stateful(x[:, :2])
    plain(x)
    stateful.set_weights(plain.get_weights())
    stateful.reset_state()
    stateful(x[:, :2])
    second = stateful(x[:, 2:])
    np.testing.assert_allclose(_np(second), _np(plain(x)), atol=1e-5)
    assert len(stateful.weights) == 3  # the states are not weights
    stateful.reset_state()
    np.testing.assert_allclose(_np(stateful(x[:, :2])), _np(plain(x[:, :2])), atol=1e-5)
    with pytest.raises(ValueError, match="batch size"):
        stateful(_data(0, (B + 1, 2, F)))


def test_stateful_needs_static_batch():
    with pytest.raises(ValueError, match="batch size must be static"):
        layers.LSTM(U, stateful=True).build((None, T, F))


# -- Bidirectional ----------------------------------------------------------------------------


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_merge_modes(merge_mode):
    x = _data()
    layer = layers.Bidirectional(layers.LSTM(U, return_sequences=True), merge_mode=merge_mode)
    out = layer(x)
    forward = layers.LSTM(U, return_sequences=True)
    backward = layers.LSTM(U, return_sequences=True, go_backwards=True)
    forward(x)
    backward(x)
    forward.set_weights(layer.forward_layer.get_weights())
    backward.set_weights(layer.backward_layer.get_weights())
    y, y_rev = _np(forward(x)), _np(backward(x))[:, ::-1]
    expected = {
        "concat": lambda: np.concatenate([y, y_rev], -1),
        "sum": lambda: y + y_rev,
        "mul": lambda: y * y_rev,
        "ave": lambda: (y + y_rev) / 2,
        None: lambda: [y, y_rev],
    }[merge_mode]()
    if merge_mode is None:
        assert isinstance(out, tuple) and len(out) == 2
        for g, e in zip(out, expected):
            np.testing.assert_allclose(_np(g), e, atol=1e-6)
    else:
        np.testing.assert_allclose(_np(out), expected, atol=1e-6)
    shape = layer.compute_output_shape((B, T, F))
    assert shape == (
        ((B, T, U), (B, T, U))
        if merge_mode is None
        else (B, T, 2 * U if merge_mode == "concat" else U)
    )


def test_bidirectional_states_names_and_config():
    layer = layers.Bidirectional(layers.GRU(U, return_state=True), name="bi")
    outputs = layer(_data())
    assert len(outputs) == 3 and tuple(outputs[0].shape) == (B, 2 * U)
    assert layer.forward_layer.name.startswith("forward_")
    assert layer.backward_layer.name.startswith("backward_")
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    assert all(w.path.startswith("bi/") for w in layer.weights)
    config = layer.get_config()
    assert set(config) >= {"merge_mode", "layer", "backward_layer"}
    rebuilt = layers.Bidirectional.from_config(config)
    assert rebuilt.backward_layer.go_backwards


def test_bidirectional_backward_layer_and_errors():
    forward = layers.LSTM(U)
    backward = layers.GRU(U, go_backwards=True)
    layer = layers.Bidirectional(forward, backward_layer=backward, merge_mode="sum")
    assert tuple(layer(_data()).shape) == (B, U)
    with pytest.raises(ValueError, match="merge mode"):
        layers.Bidirectional(layers.LSTM(U), merge_mode="max")
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(U), backward_layer=layers.LSTM(U))
    with pytest.raises(ValueError, match="return_sequences"):
        layers.Bidirectional(
            layers.LSTM(U), backward_layer=layers.LSTM(U, go_backwards=True, return_sequences=True)
        )
    with pytest.raises(ValueError):
        layers.Bidirectional("lstm")


# -- TimeDistributed -------------------------------------------------------------------------


def test_time_distributed_dense_values():
    x = _data()
    dense = layers.Dense(2)
    layer = layers.TimeDistributed(dense)
    out = layer(x)
    kernel, bias = dense.get_weights()
    np.testing.assert_allclose(_np(out), x @ kernel + bias, atol=1e-5)
    assert layer.compute_output_shape((None, T, F)) == (None, T, 2)
    with pytest.raises(ValueError, match="at least 3"):
        layers.TimeDistributed(layers.Dense(2)).build((B, F))


# -- functional use and bad arguments ------------------------------------------------------


def test_symbolic_call():
    inputs = kcore.Input(shape=(T, F))
    out, h, c = layers.LSTM(U, return_state=True, return_sequences=True)(inputs)
    assert tuple(out.shape) == (None, T, U)
    assert tuple(h.shape) == tuple(c.shape) == (None, U)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: layers.LSTM(0), "units"),
        (lambda: layers.GRU(-2), "units"),
        (lambda: layers.SimpleRNNCell(2.5), "units"),
        (lambda: layers.LSTM(2, activation="nope"), "activation"),
        (lambda: layers.GRU(2, use_cudnn="yes"), "use_cudnn"),
        (lambda: layers.LSTMCell(2, implementation=3), "implementation"),
        (lambda: layers.RNN(object()), "call"),
        (lambda: layers.StackedRNNCells([]), "cells"),
        (lambda: layers.ConvLSTM2D(0, 3), "filters"),
        (lambda: layers.ConvLSTM2D(2, 3, padding="full"), "padding"),
        (lambda: layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2), "dilation_rate"),
        (lambda: layers.ConvLSTM1D(2, (3, 3)), "kernel_size"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_wrong_rank_errors_before_weights():
    layer = layers.LSTM(U)
    with pytest.raises(ValueError):
        layer(_data()[:, 0])
    assert not layer.weights


def test_configs_match_keras_keys():
    assert "seed" not in layers.SimpleRNN(U).get_config()
    gru = layers.GRU(U).get_config()
    assert gru["reset_after"] is True and "cell" not in gru and "use_cudnn" not in gru
    conv = layers.ConvLSTM2D(2, 3).get_config()
    assert conv["kernel_size"] == (3, 3) and conv["data_format"] == "channels_last"
    assert layers.ConvLSTM2D(2, 3).name.startswith("conv_lstm2d")
    assert "cell" not in conv and "rank" not in conv


@pytest.mark.skipif(
    not kcore.backend.current().capabilities.trainable, reason="inference-only backend"
)
def test_stateful_gradients_over_batches():
    # Each batch starts from the previous batch's final states (assigned in place after
    # the loop): a gradient through the next batch must still see the old values.
    layer = layers.GRU(U, stateful=True)
    x = ops.convert_to_tensor(_data(6))
    grad = kcore.backend.current().gradient
    for _ in range(2):
        (g,) = grad(lambda inputs: ops.sum(layer(inputs)), x)
        assert np.all(np.isfinite(_np(g)))


# -- the backend's fused loops (Backend.layer_kernels) ----------------------------------------

FUSED_CASES = {
    "lstm": lambda **kw: layers.LSTM(U, **kw),
    "gru": lambda **kw: layers.GRU(U, **kw),
    "gru_reset_before": lambda **kw: layers.GRU(U, reset_after=False, **kw),
}
FUSED_OPTIONS = [
    {"return_sequences": True, "return_state": True},
    {"go_backwards": True, "return_sequences": True},
    {"use_bias": False},
    {"activation": "relu", "recurrent_activation": "hard_sigmoid"},
    {"dropout": 0.4, "seed": 7},
]


def _weighted_outputs(layer, x, weights):
    """``sum(output * w)`` over the layer's outputs, and its gradients with respect to
    the inputs and every trainable weight, through the backend's differentiation."""
    non_trainable = [v.value for v in layer.non_trainable_variables]
    weights = [ops.convert_to_tensor(w) for w in weights]

    def objective(inputs, *trainable):
        outputs, _ = layer.stateless_call(list(trainable), non_trainable, inputs, training=True)
        outputs = outputs if isinstance(outputs, list | tuple) else [outputs]
        return sum(ops.sum(ops.multiply(o, w)) for o, w in zip(outputs, weights))

    tensors = [ops.convert_to_tensor(x), *(v.value for v in layer.trainable_variables)]
    value = objective(*tensors)
    grad = kcore.backend.current().gradient
    if grad is None:  # inference-only backends: forward values only
        return _np(value), []
    return _np(value), [_np(g) for g in grad(objective, *tensors)]


@pytest.mark.parametrize("options", FUSED_OPTIONS, ids=lambda o: "-".join(o))
@pytest.mark.parametrize("name", sorted(FUSED_CASES))
def test_fused_loop_matches_the_generic_loop(name, options):
    # use_cudnn="auto" takes the backend's fused loop where it covers the case; False
    # always runs the cell. Same seed, same dropout mask: values and gradients agree.
    x = _data(4, shape=(B, 12, F))
    fused, generic = (FUSED_CASES[name](use_cudnn=mode, **options) for mode in ("auto", False))
    for layer in (fused, generic):
        layer.build(x.shape)
    weights = [w.astype("float32") for w in _random_weights(fused)]
    generic.set_weights(weights)
    outputs = fused(x)
    rng = np.random.default_rng(5)
    out_weights = [
        rng.standard_normal(tuple(o.shape)).astype("float32")
        for o in (outputs if isinstance(outputs, list | tuple) else [outputs])
    ]
    value, grads = _weighted_outputs(fused, x, out_weights)
    expected_value, expected_grads = _weighted_outputs(generic, x, out_weights)
    np.testing.assert_allclose(value, expected_value, rtol=1e-5, atol=1e-5)
    assert len(grads) == len(expected_grads)
    # A fused kernel (torch's oneDNN loop) sums the same terms in another order; over 12
    # steps of backpropagation that is float32 rounding of ~1e-5 relative.
    for g, e in zip(grads, expected_grads):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_use_cudnn_true_requires_the_fused_loop(name):
    # As in Keras: True insists on the fused loop, and says so when it cannot run.
    x = _data(2)
    kernels = kcore.backend.current().layer_kernels
    layer = FUSED_CASES[name](use_cudnn=True)
    reference = FUSED_CASES[name](use_cudnn=False)
    reference.build(x.shape)
    if name in kernels:
        layer.build(x.shape)
        layer.set_weights(_random_weights(reference))
        np.testing.assert_allclose(_np(layer(x)), _np(reference(x)), atol=1e-6)
        layer = FUSED_CASES[name](use_cudnn=True)  # a mask is the generic loop's
        x_mask = (x, np.array([[True, True, False], [True, False, False]]))
    else:
        x_mask = (x, None)
    with pytest.raises(ValueError, match="use_cudnn=True was given, but the .* backend has no"):
        layer(x_mask[0], mask=x_mask[1])


def test_fused_loop_under_a_mixed_precision_policy():
    x = _data(6, shape=(B, 12, F))
    fused = layers.LSTM(U, return_sequences=True, dtype="mixed_float16")
    generic = layers.LSTM(U, return_sequences=True, dtype="mixed_float16", use_cudnn=False)
    fused.build(x.shape)
    generic.build(x.shape)
    generic.set_weights(_random_weights(fused))
    got, expected = fused(x), generic(x)
    assert kcore.backend.standardize_dtype(got.dtype) == "float16"
    np.testing.assert_allclose(_np(got).astype("float32"), _np(expected), atol=5e-3)
