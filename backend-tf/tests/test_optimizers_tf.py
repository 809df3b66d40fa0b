"""On tensorflow, ``optimizer.apply`` runs inside ``tf.function`` (with or without XLA)
and assigns the ``tf.Variable``\\ s as the eager call does, also when the optimizer is
first built while the function is traced; gradients come from ``tf.GradientTape``. The
fused kernels (``kcore_tf.optimizers``: TensorFlow's ``ResourceApply*`` ops) serve Adam
and SGD there too, and hand sparse gradients to the per-variable update."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import optimizers

tf = pytest.importorskip("tensorflow")

pytestmark = pytest.mark.skipif(
    kcore.config.backend() != "tensorflow", reason="needs the tensorflow backend selected"
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
    "sgd": lambda: optimizers.SGD(0.1),
    "sgd_nesterov": lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "sgd_accumulation": lambda: optimizers.SGD(0.1, momentum=0.5, gradient_accumulation_steps=2),
    "sgd_ema_overwrite": lambda: optimizers.SGD(
        0.1, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2
    ),
    "schedule_free_adamw": lambda: optimizers.ScheduleFreeAdamW(0.1),
    "adafactor": lambda: optimizers.Adafactor(0.1),
    "loss_scale": lambda: optimizers.LossScaleOptimizer(
        optimizers.SGD(0.1, momentum=0.5), initial_scale=8.0, dynamic_growth_steps=2
    ),
}


def run(optimizer, step_fn):
    w, b = kcore.Variable(W0, name="w"), kcore.Variable(B0, name="b")
    scaled = isinstance(optimizer, optimizers.LossScaleOptimizer)
    for step in range(STEPS):
        scale = float(optimizer.scale_loss(1.0)) if scaled else 1.0
        grads = [(v.numpy() - t) * scale for v, t in zip((w, b), TARGETS)]
        if scaled and step == 2:
            grads[0][0, 0] = np.inf
        step_fn(optimizer, [tf.constant(g) for g in grads], [w, b])
    return w.numpy(), b.numpy(), [v.numpy() for v in optimizer.variables]


def eager(optimizer, grads, variables):
    optimizer.apply(grads, variables)


@pytest.mark.parametrize("jit_compile", [False, True], ids=["graph", "xla"])
@pytest.mark.parametrize("name", list(CASES))
def test_tf_function_apply_matches_eager(name, jit_compile):
    functions = {}

    def traced(optimizer, grads, variables):
        if "fn" not in functions:  # one function: the optimizer is built while tracing

            @tf.function(jit_compile=jit_compile)
            def fn(gw, gb):
                optimizer.apply([gw, gb], variables)

            functions["fn"] = fn
        functions["fn"](*grads)

    expected = run(CASES[name](), eager)
    received = run(CASES[name](), traced)
    for got, want in zip([*received[:2], *received[2]], [*expected[:2], *expected[2]]):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    # tf.function traces twice when the first trace creates variables, then never again.
    assert functions["fn"].experimental_get_tracing_count() <= 2


def test_gradient_tape_training_loop():
    model = kcore.Sequential([kcore.layers.Input((3,)), kcore.layers.Dense(2)])
    optimizer = optimizers.RMSprop(0.05)
    x, y = tf.ones((4, 3)), tf.zeros((4, 2))

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x) - y) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        return loss

    losses = [float(train_step()) for _ in range(20)]
    assert losses[-1] < 0.2 * losses[0]
    assert int(optimizer.iterations.numpy()) == 20
    assert optimizer.iterations.dtype == "int64"


@pytest.mark.parametrize("make", [lambda: optimizers.Adam(0.1), lambda: optimizers.SGD(0.1, 0.5)])
def test_sparse_gradients_take_the_per_variable_update(make):
    # An Embedding's gradient is a tf.IndexedSlices: the kernels leave it to update_step.
    def train(fused):
        model = kcore.Sequential(
            [
                kcore.layers.Input((2,), dtype="int32"),
                kcore.layers.Embedding(5, 3),
                kcore.layers.Dense(1),
            ]
        )
        model.set_weights(
            [
                np.arange(15, dtype="float32").reshape(5, 3) / 10,
                np.ones((3, 1), "float32"),
                np.zeros((1,), "float32"),
            ]
        )
        optimizer = make()
        optimizer.build(model.trainable_variables)
        if not fused:
            optimizer._kernel = None
        x = tf.constant([[0, 3], [3, 4]])

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(model(x) ** 2)
            grads = tape.gradient(loss, model.trainable_variables)
            assert isinstance(grads[0], tf.IndexedSlices)
            optimizer.apply(grads, model.trainable_variables)

        for _ in range(3):
            step()
        return optimizer, model.get_weights()

    fused, got = train(True)
    assert fused._kernel is not None
    _, expected = train(False)
    rtol, atol = getattr(fused._kernel, "tolerance", (1e-6, 1e-7))
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)
