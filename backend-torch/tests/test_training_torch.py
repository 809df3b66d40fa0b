"""Keras 3's torch idiom for a custom training step (``loss.backward()`` then
``optimizer.apply``), run by ``fit``; and the model as a torch module in training."""

from __future__ import annotations

import numpy as np
import torch

import kcore
from kcore import layers, metrics

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 3)).astype("float32")
Y = X @ np.array([[1.0], [-2.0], [0.5]], "float32")


class CustomModel(kcore.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1, kernel_initializer="zeros")
        self.mae_tracker = metrics.MeanAbsoluteError(name="custom_mae")
        self.loss_tracker = metrics.Mean(name="custom_loss")

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable = self.trainable_weights
        with torch.no_grad():
            self.optimizer.apply([v.value.grad for v in trainable], trainable)
        self.loss_tracker.update_state(loss.detach())
        self.mae_tracker.update_state(y, y_pred.detach())
        return {"custom_loss": self.loss_tracker.result(), "custom_mae": self.mae_tracker.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_tracker]


def test_custom_backward_train_step():
    model = CustomModel()
    model.compile(optimizer=kcore.optimizers.Adam(0.05), loss="mse")
    history = model.fit(X, Y, batch_size=16, epochs=10, verbose=0)
    assert set(history.history) == {"custom_loss", "custom_mae"}
    assert history.history["custom_loss"][-1] < 0.5 * history.history["custom_loss"][0]


def test_fit_switches_module_mode_and_restores_eval():
    modes = []

    class Probe(layers.Layer):
        def call(self, x):
            modes.append(self.training)
            return x

    model = kcore.Sequential([kcore.Input((3,)), Probe(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, batch_size=32, epochs=1, verbose=0)
    assert modes[-1] is True
    assert model.training is False


def test_jit_compile_runs_through_torch_compile():
    model = kcore.Sequential([kcore.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=kcore.optimizers.SGD(0.1), loss="mse", jit_compile=True)
    eager = kcore.Sequential([kcore.Input((3,)), layers.Dense(1)])
    eager.set_weights(model.get_weights())
    eager.compile(optimizer=kcore.optimizers.SGD(0.1), loss="mse")
    model.fit(X, Y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    eager.fit(X, Y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
