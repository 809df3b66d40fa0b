"""On tensorflow a kcore Layer runs inside tf.function and tf.GradientTape."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import kcore
from kcore import ops

pytestmark = pytest.mark.skipif(
    kcore.config.backend() != "tensorflow", reason="needs the tensorflow backend selected"
)


class Linear(kcore.layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 1), name="kernel")
        self.bias = self.add_weight(shape=(1,), initializer="zeros", name="bias")

    def call(self, x):
        return ops.matmul(x, self.kernel) + self.bias


def test_gradient_tape_over_trainable_variables():
    layer = Linear()
    x = tf.ones((4, 3))
    layer(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    grads = tape.gradient(loss, layer.trainable_variables)
    np.testing.assert_allclose(grads[0].numpy(), np.full((3, 1), 4.0))
    np.testing.assert_allclose(grads[1].numpy(), [4.0])


def test_training_loop_in_tf_function_learns():
    tf.random.set_seed(0)
    layer = Linear()
    x = tf.random.normal((64, 3))
    y = tf.reduce_sum(x, axis=1, keepdims=True)
    layer(x)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((layer(x) - y) ** 2)
        grads = tape.gradient(loss, layer.trainable_variables)
        for variable, grad in zip(layer.trainable_variables, grads):
            variable.assign_sub(0.1 * grad)
        return loss

    first = float(step(x, y))
    for _ in range(50):
        last = float(step(x, y))
    assert last < 0.01 * first


def test_functional_model_in_tf_function():
    inputs = kcore.Input((3,))
    model = kcore.Model(inputs, Linear()(inputs))
    x = tf.ones((2, 3))
    eager = model(x)
    compiled = tf.function(lambda x: model(x))
    np.testing.assert_allclose(compiled(x).numpy(), eager.numpy(), rtol=1e-6)
