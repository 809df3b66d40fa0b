"""The torch backend's fused recurrent loops (``kcore_torch.rnn``): which cases they
take, that they are torch's own ``torch.lstm``/``torch.gru`` with the Keras weights
mapped (same numbers as ``torch.nn.LSTM``/``GRU`` holding those weights), and that
``fit`` with ``jit_compile=True`` still trains (dynamo traces the generic loop)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import kcore
from kcore import layers
from kcore_torch import rnn

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 9, 5)).astype("float32")


def _built(layer):
    layer.build(X.shape)
    layer.set_weights([RNG.uniform(-0.5, 0.5, w.shape).astype("float32") for w in layer.weights])
    return layer


def _loop(layer, x=X, mask=None, training=False):
    """What the layer's fused kernel returns for ``x`` (``None``: not covered)."""
    cell = layer.cell
    count = len(cell.state_size) if isinstance(cell.state_size, list) else 1
    zeros = [torch.zeros(4, cell.units) for _ in range(count)]
    return rnn.KERNELS[layer._kernel_name](
        cell, torch.as_tensor(x), zeros, mask=mask, go_backwards=False, return_sequences=True
    )


def test_kernels_are_the_backends_layer_kernels():
    assert dict(kcore.backend.current().layer_kernels) == rnn.KERNELS


@pytest.mark.parametrize(
    "layer",
    [
        layers.LSTM(3, activation="relu"),
        layers.LSTM(3, recurrent_activation="hard_sigmoid"),
        layers.GRU(3, reset_after=False),
    ],
    ids=["relu", "hard_sigmoid", "reset_before"],
)
def test_cases_torch_does_not_fuse_fall_back(layer):
    assert _loop(_built(layer)) is None
    assert layer(X).shape == (4, 3)  # and the layer runs its generic loop


def test_a_mask_falls_back():
    layer = _built(layers.LSTM(3))
    assert _loop(layer, mask=torch.ones(4, 9, dtype=torch.bool)) is None


def test_lstm_is_torch_nn_lstm_with_keras_weights():
    layer = _built(layers.LSTM(3, return_sequences=True))
    kernel, recurrent, bias = layer.get_weights()
    module = torch.nn.LSTM(5, 3, batch_first=True)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.as_tensor(kernel.T))
        module.weight_hh_l0.copy_(torch.as_tensor(recurrent.T))
        module.bias_ih_l0.copy_(torch.as_tensor(bias))
        module.bias_hh_l0.zero_()
    expected = module(torch.as_tensor(X))[0].detach().numpy()
    np.testing.assert_allclose(layer(X).detach().numpy(), expected, atol=1e-6)
    last, outputs, (h, c) = _loop(layer)
    np.testing.assert_allclose(last.detach().numpy(), expected[:, -1], atol=1e-6)


def test_gru_is_torch_nn_gru_with_keras_weights_reordered():
    layer = _built(layers.GRU(3, return_sequences=True))
    kernel, recurrent, bias = layer.get_weights()

    def torch_order(w):  # Keras z, r, h -> torch r, z, n
        return np.concatenate([w[..., 3:6], w[..., :3], w[..., 6:]], axis=-1)

    module = torch.nn.GRU(5, 3, batch_first=True)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.as_tensor(torch_order(kernel).T))
        module.weight_hh_l0.copy_(torch.as_tensor(torch_order(recurrent).T))
        module.bias_ih_l0.copy_(torch.as_tensor(torch_order(bias[0])))
        module.bias_hh_l0.copy_(torch.as_tensor(torch_order(bias[1])))
    expected = module(torch.as_tensor(X))[0].detach().numpy()
    np.testing.assert_allclose(layer(X).detach().numpy(), expected, atol=1e-6)


def test_fused_gradients_reach_the_keras_weights():
    layer = _built(layers.LSTM(3))
    layer(X).sum().backward()
    for variable in layer.trainable_variables:
        grad = variable.value.grad
        assert grad is not None and grad.shape == tuple(variable.shape)
        assert float(grad.abs().sum()) > 0


@pytest.mark.parametrize("jit_compile", [False, True])
def test_fit_an_lstm(jit_compile):
    y = RNG.integers(0, 2, size=(32,))
    x = RNG.normal(size=(32, 9, 5)).astype("float32")
    model = kcore.Sequential([kcore.Input((9, 5)), layers.LSTM(8), layers.Dense(2)])
    model.compile(
        optimizer="adam",
        loss=kcore.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=jit_compile,
    )
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0)
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]
