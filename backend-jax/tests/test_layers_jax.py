"""On jax a kcore Layer works under jax.jit and jax.grad through the stateless API."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kcore
from kcore import ops

pytestmark = pytest.mark.skipif(
    kcore.config.backend() != "jax", reason="needs the jax backend selected"
)


class NoisyLinear(kcore.layers.Layer):
    """A linear map with dropout-like noise in training and a call counter."""

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 2), name="kernel")
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False, name="calls")
        self.seed_generator = kcore.random.SeedGenerator(1)

    def call(self, x, training=None):
        y = ops.matmul(x, self.kernel)
        if training:
            self.calls.assign_add(1.0)
            y = kcore.random.dropout(y, 0.5, seed=self.seed_generator)
        return y


def test_jit_stateless_call_matches_eager():
    layer = NoisyLinear()
    x = jnp.ones((3, 4))
    eager = layer(x)
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]

    @jax.jit
    def forward(trainable, non_trainable, x):
        return layer.stateless_call(trainable, non_trainable, x)

    out, new_non_trainable = forward(trainable, non_trainable, x)
    np.testing.assert_allclose(np.asarray(out), np.asarray(eager), rtol=1e-6)
    assert len(new_non_trainable) == 2


def test_jit_training_step_updates_state_and_weights():
    layer = NoisyLinear()
    x = jnp.ones((3, 4))
    layer(x)
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]

    def loss_fn(trainable, non_trainable, x):
        out, non_trainable = layer.stateless_call(trainable, non_trainable, x, training=True)
        return jnp.sum(out**2), non_trainable

    @jax.jit
    def step(trainable, non_trainable, x):
        (loss, non_trainable), grads = jax.value_and_grad(loss_fn, has_aux=True)(
            trainable, non_trainable, x
        )
        trainable = [w - 0.1 * g for w, g in zip(trainable, grads)]
        return loss, trainable, non_trainable

    loss1, trainable, non_trainable = step(trainable, non_trainable, x)
    loss2, trainable, non_trainable2 = step(trainable, non_trainable, x)
    calls = [v.path for v in layer.non_trainable_variables].index(layer.calls.path)
    assert float(non_trainable2[calls]) == 2.0
    assert float(layer.calls.numpy()) == 0.0  # the layer itself is untouched
    seed_index = 1 - calls
    assert not np.array_equal(
        np.asarray(non_trainable[seed_index]), np.asarray(non_trainable2[seed_index])
    )
    for variable, value in zip(layer.trainable_variables, trainable):
        variable.assign(value)
    assert np.isfinite(float(loss2))


def test_functional_model_under_jit():
    inputs = kcore.Input((4,))
    outputs = NoisyLinear()(inputs)
    model = kcore.Model(inputs, outputs)
    x = jnp.ones((2, 4))
    expected = model(x)
    fn = jax.jit(lambda t, n, x: model.stateless_call(t, n, x)[0])
    got = fn(
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
        x,
    )
    np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-6)
