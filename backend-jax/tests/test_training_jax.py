"""Keras 3's jax idiom for a custom training step: a stateless ``train_step(state, data)``
with ``jax.value_and_grad`` and ``optimizer.stateless_apply``, run by ``fit``."""

from __future__ import annotations

import jax
import numpy as np

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

    def call(self, x):
        return self.dense(x)

    def compute_loss_and_updates(self, trainable, non_trainable, x, y, training=False):
        y_pred, non_trainable = self.stateless_call(trainable, non_trainable, x, training=training)
        loss = self.compute_loss(x, y, y_pred)
        return loss, (y_pred, non_trainable)

    def train_step(self, state, data):
        trainable, non_trainable, optimizer_vars, metrics_vars = state
        x, y = data
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable)), grads = grad_fn(
            trainable, non_trainable, x, y, training=True
        )
        trainable, optimizer_vars = self.optimizer.stateless_apply(optimizer_vars, grads, trainable)
        logs, new_metrics_vars, start = {}, [], 0
        for metric in self.metrics:
            count = len(metric.variables)
            these = metrics_vars[start : start + count]
            start += count
            if metric.name == "loss":
                these = metric.stateless_update_state(these, loss)
            else:
                these = metric.stateless_update_state(these, y, y_pred)
            logs[metric.name] = metric.stateless_result(these)
            new_metrics_vars += these
        return logs, (trainable, non_trainable, optimizer_vars, new_metrics_vars)


def test_custom_stateless_train_step_trains_and_tracks_metrics():
    model = CustomModel()
    model.compile(optimizer=kcore.optimizers.Adam(0.05), loss="mse")
    history = model.fit(X, Y, batch_size=16, epochs=10, verbose=0)
    assert set(history.history) == {"loss", "custom_mae"}
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    # The state written back after the jitted steps is the model's state.
    pred = model.predict(X, verbose=0)
    assert np.mean((pred - Y) ** 2) < history.history["loss"][0]


class TracedSteps(kcore.Sequential):
    """Counts the Python calls of its train_step: under jax.jit, one per trace."""

    traces = 0

    def train_step(self, state, data):
        self.traces += 1
        return super().train_step(state, data)


def test_default_step_jits_once_per_shape():
    # Counted in Python, not with the jitted function's C++ cache size, which stays 0
    # whenever jax leaves its fast path (it did after the full suite in CI).
    model = TracedSteps([kcore.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, batch_size=16, epochs=2, verbose=0)
    assert model.traces == 1  # 64 = 4 full batches of 16, two epochs: one trace
    model.fit(X[:40], Y[:40], batch_size=16, epochs=1, verbose=0)
    assert model.traces == 2  # a partial batch of 8: one more shape, one more trace
