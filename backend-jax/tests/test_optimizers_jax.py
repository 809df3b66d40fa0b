"""On jax, an optimizer runs inside ``jax.jit`` through ``stateless_apply`` (what a
jitted train step does) and agrees with the eager ``apply``, including the options that
choose a branch by a traced value: gradient accumulation, periodic EMA overwrites and
dynamic loss scaling."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import kcore
from kcore import optimizers
from kcore.optimizers import schedules

pytestmark = pytest.mark.skipif(
    kcore.config.backend() != "jax", reason="needs the jax backend selected"
)

W0 = np.array([[0.0, 0.1, 0.2], [-0.3, 0.4, -0.5]], "float32")
B0 = np.array([0.5, -0.5, 1.0], "float32")
TARGETS = (
    np.array([[1.0, -1.0, 0.5], [0.2, 0.3, -0.7]], "float32"),
    np.array([0.1, 0.2, 0.3], "float32"),
)
STEPS = 5

CASES = {
    "adam": lambda: optimizers.Adam(0.1),
    "adamw_amsgrad": lambda: optimizers.AdamW(0.1, weight_decay=0.1, amsgrad=True),
    "sgd_accumulation": lambda: optimizers.SGD(0.1, momentum=0.5, gradient_accumulation_steps=2),
    "sgd_ema_overwrite": lambda: optimizers.SGD(
        0.1, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2
    ),
    "rmsprop_clipnorm": lambda: optimizers.RMSprop(0.1, centered=True, clipnorm=0.5),
    "nadam_schedule": lambda: optimizers.Nadam(
        schedules.CosineDecay(0.0, 4, warmup_target=0.2, warmup_steps=2)
    ),
    "muon": lambda: optimizers.Muon(0.1),
    "loss_scale": lambda: optimizers.LossScaleOptimizer(
        optimizers.Adam(0.1), initial_scale=8.0, dynamic_growth_steps=2
    ),
    "multi": lambda: optimizers.MultiOptimizer(
        optimizers.OptimizerMap(optimizers.SGD(0.1), {"w": optimizers.Lion(0.1)})
    ),
}


def gradients(values, step, scale):
    grads = [np.asarray(v) - t for v, t in zip(values, TARGETS)]
    grads = [g * scale for g in grads]
    if step == 2 and scale != 1.0:  # a non-finite step for the loss-scale optimizer
        grads[0][0, 0] = np.inf
    return grads


@pytest.mark.parametrize("name", list(CASES))
def test_jitted_stateless_apply_matches_eager_apply(name):
    eager = CASES[name]()
    w, b = kcore.Variable(W0, name="w"), kcore.Variable(B0, name="b")
    scaled = isinstance(eager, optimizers.LossScaleOptimizer)
    for step in range(STEPS):
        scale = float(eager.scale_loss(1.0)) if scaled else 1.0
        eager.apply(gradients([w.numpy(), b.numpy()], step, scale), [w, b])

    traced = CASES[name]()
    w2, b2 = kcore.Variable(W0, name="w"), kcore.Variable(B0, name="b")
    traced.build([w2, b2])
    step_fn = jax.jit(traced.stateless_apply)
    trainable = [w2.value, b2.value]
    opt_values = [v.value for v in traced.variables]
    scale_index = next(
        (i for i, v in enumerate(traced.variables) if v.name == "dynamic_scale"), None
    )
    for step in range(STEPS):
        scale = float(opt_values[scale_index]) if scaled else 1.0
        grads = gradients(trainable, step, scale)
        trainable, opt_values = step_fn(opt_values, grads, trainable)

    assert all(isinstance(x, jax.Array) for x in trainable + opt_values)
    np.testing.assert_allclose(np.asarray(trainable[0]), w.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.asarray(trainable[1]), b.numpy(), rtol=1e-6, atol=1e-7)
    for value, variable in zip(opt_values, eager.variables):
        np.testing.assert_allclose(np.asarray(value), variable.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(w2.numpy(), W0)  # nothing assigned while traced


def test_jitted_train_step_with_value_and_grad():
    model = kcore.Sequential([kcore.layers.Input((3,)), kcore.layers.Dense(2)])
    optimizer = optimizers.Adam(0.05)
    optimizer.build(model.trainable_variables)
    x = np.ones((4, 3), "float32")
    y = np.zeros((4, 2), "float32")

    def loss_fn(trainable, non_trainable):
        out, non_trainable = model.stateless_call(trainable, non_trainable, x)
        return ((out - y) ** 2).mean(), non_trainable

    @jax.jit
    def train_step(state):
        trainable, non_trainable, opt_values = state
        (loss, non_trainable), grads = jax.value_and_grad(loss_fn, has_aux=True)(
            trainable, non_trainable
        )
        trainable, opt_values = optimizer.stateless_apply(opt_values, grads, trainable)
        return loss, (trainable, non_trainable, opt_values)

    state = (
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
        [v.value for v in optimizer.variables],
    )
    losses = []
    for _ in range(20):
        loss, state = train_step(state)
        losses.append(float(loss))
    assert losses[-1] < 0.2 * losses[0]
    assert int(state[2][0]) == 20  # the step counter came back incremented
