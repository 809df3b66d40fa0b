"""Keras 3's tensorflow idiom for a custom training step (``tf.GradientTape``), run by
``fit`` inside ``tf.function``; XLA with ``jit_compile=True``."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

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

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply(grads, self.trainable_weights)
        self._loss_tracker.update_state(loss)
        self.mae_tracker.update_state(y, y_pred)
        return {"loss": self._loss_tracker.result(), "custom_mae": self.mae_tracker.result()}


def test_custom_gradient_tape_train_step():
    model = CustomModel()
    model.compile(optimizer=kcore.optimizers.Adam(0.05), loss="mse")
    history = model.fit(X, Y, batch_size=16, epochs=10, verbose=0)
    assert set(history.history) == {"loss", "custom_mae"}
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    step = model._kcore_steps._compiled["train_step"]
    assert isinstance(step.function, tf.types.experimental.PolymorphicFunction)
    assert len(step.concrete) == 1  # 64 samples in batches of 16: one signature, one trace


def test_xla_matches_plain_tf_function():
    results = []
    for jit in (True, False):
        model = kcore.Sequential([kcore.Input((3,)), layers.Dense(1, kernel_initializer="ones")])
        model.compile(optimizer=kcore.optimizers.SGD(0.1), loss="mse", jit_compile=jit)
        model.fit(X, Y, batch_size=32, epochs=2, shuffle=False, verbose=0)
        results.append(model.get_weights()[0])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)


def test_steps_per_execution_groups_are_one_tf_function():
    model = kcore.Sequential([kcore.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=4)
    assert model._kcore_steps.compiles_groups()
    model.fit(X, Y, batch_size=16, epochs=2, verbose=0)  # 64 samples: one group of 4
    group = model._kcore_steps._compiled["train_step:group"]
    assert len(group.concrete) == 1
    assert "train_step" not in model._kcore_steps._compiled
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=4, run_eagerly=True)
    assert not model._kcore_steps.compiles_groups()
