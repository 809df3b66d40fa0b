"""compile / fit / evaluate / predict and the *_on_batch methods on the selected backend.

Numbers are checked against NumPy computations of the same step (a linear model under
SGD and MSE has a closed-form update), so every backend must agree with them.
"""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import layers, ops

BACKEND = kcore.backend.current()
TRAINABLE = BACKEND.capabilities.trainable
needs_gradients = pytest.mark.skipif(not TRAINABLE, reason="inference-only backend: no fit")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 3)).astype("float32")
W_TRUE = np.array([[1.0], [-2.0], [0.5]], dtype="float32")
Y = X @ W_TRUE + 0.25


def linear_model(name: str = "linear") -> kcore.Model:
    inputs = kcore.Input((3,), name="features")
    outputs = layers.Dense(1, name="out")(inputs)
    model = kcore.Model(inputs, outputs, name=name)
    model.set_weights([np.full((3, 1), 0.1, "float32"), np.zeros((1,), "float32")])
    return model


def numpy_sgd_epoch(w, b, x, y, lr, batch_size):
    """One epoch of plain SGD on MSE in NumPy: the reference."""
    for start in range(0, len(x), batch_size):
        xb, yb = x[start : start + batch_size], y[start : start + batch_size]
        err = xb @ w + b - yb
        w = w - lr * (2.0 / err.size) * xb.T @ err
        b = b - lr * (2.0 / err.size) * err.sum(axis=0)
    return w, b


@needs_gradients
def test_fit_matches_numpy_sgd():
    model = linear_model()
    model.compile(optimizer=kcore.optimizers.SGD(0.1), loss="mse")
    history = model.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    w, b = np.full((3, 1), 0.1, "float32"), np.zeros((1,), "float32")
    for _ in range(2):
        w, b = numpy_sgd_epoch(w, b, X, Y, 0.1, 8)
    got_w, got_b = model.get_weights()
    np.testing.assert_allclose(got_w, w, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got_b, b, rtol=1e-5, atol=1e-5)
    assert sorted(history.history) == ["loss"]
    assert len(history.history["loss"]) == 2
    assert history.epoch == [0, 1]
    assert history.history["loss"][1] < history.history["loss"][0]


@needs_gradients
@pytest.mark.parametrize("options", [{"run_eagerly": True}, {"jit_compile": False}, {}])
def test_execution_modes_agree(options):
    model = linear_model()
    model.compile(optimizer=kcore.optimizers.SGD(0.1), loss="mse", **options)
    model.fit(X, Y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    w, _ = numpy_sgd_epoch(np.full((3, 1), 0.1, "float32"), np.zeros(1, "float32"), X, Y, 0.1, 16)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("options", [{}, {"run_eagerly": True}])
def test_steps_per_execution_runs_a_group_as_one_call_where_the_backend_compiles_groups(
    options, monkeypatch
):
    steps_per_execution = 3  # 8 batches of 4: groups of 3, 3 and a short 2
    model = linear_model()
    model.compile(
        optimizer=kcore.optimizers.SGD(0.1) if TRAINABLE else None,
        loss="mse",
        metrics=["mae"],
        steps_per_execution=steps_per_execution,
        **options,
    )
    reference = linear_model()
    reference.compile(loss="mse", metrics=["mae"], run_eagerly=True)
    steps, calls = model._kcore_steps, []
    step_for = steps._step

    def counting_step(name, grouped=False):
        fn = step_for(name, grouped)

        def call(*args):
            calls.append((name, grouped))
            return fn(*args)

        return call

    monkeypatch.setattr(steps, "_step", counting_step)
    # tensorflow's tf.function compiles groups (its backend test says so); jax (as Keras
    # 3), torch and eager runs call the step once per batch
    grouped = steps.compiles_groups()
    assert not (grouped and model.run_eagerly)
    np.testing.assert_allclose(
        model.predict(X, batch_size=4, verbose=0),
        reference.predict(X, verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )
    assert calls == [("predict_step", grouped)] * (3 if grouped else 8)
    calls.clear()
    assert model.evaluate(X, Y, batch_size=4, verbose=0) == pytest.approx(
        reference.evaluate(X, Y, verbose=0), rel=1e-5
    )
    assert calls == [("test_step", grouped)] * (3 if grouped else 8)
    if TRAINABLE:
        calls.clear()
        model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
        assert calls == [("train_step", grouped)] * (3 if grouped else 8)
        w, _ = numpy_sgd_epoch(
            np.full((3, 1), 0.1, "float32"), np.zeros(1, "float32"), X, Y, 0.1, 4
        )
        np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-5)


def test_evaluate_and_predict_values():
    model = linear_model()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    pred = X @ np.full((3, 1), 0.1, "float32")
    mse = float(np.mean((pred - Y) ** 2))
    mae = float(np.mean(np.abs(pred - Y)))
    loss, got_mae = model.evaluate(X, Y, batch_size=8, verbose=0)
    assert loss == pytest.approx(mse, rel=1e-5)
    assert got_mae == pytest.approx(mae, rel=1e-5)
    logs = model.evaluate(X, Y, batch_size=32, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "mae"}
    np.testing.assert_allclose(model.predict(X, batch_size=5, verbose=0), pred, rtol=1e-5)
    np.testing.assert_allclose(model.predict_on_batch(X[:4]), pred[:4], rtol=1e-5)
    assert model.test_on_batch(X, Y) == pytest.approx([mse, mae], rel=1e-5)


def test_sample_weight_in_evaluate():
    model = linear_model()
    model.compile(loss="mse")
    weights = np.zeros(32, "float32")
    weights[:8] = 1.0
    pred = X @ np.full((3, 1), 0.1, "float32")
    per_sample = np.mean((pred - Y) ** 2, axis=1)
    expected = float(np.sum(per_sample * weights) / 32)  # sum_over_batch_size
    got = model.evaluate(X, Y, sample_weight=weights, batch_size=32, verbose=0)
    assert got == pytest.approx(expected, rel=1e-5)


@needs_gradients
def test_validation_split_and_data():
    model = linear_model()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(X, Y, epochs=2, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    history = model.fit(
        X, Y, epochs=3, validation_data=(X[:8], Y[:8]), validation_freq=2, verbose=0
    )
    assert len(history.history["loss"]) == 3
    assert len(history.history["val_loss"]) == 1


@needs_gradients
def test_train_on_batch_matches_one_sgd_step():
    model = linear_model()
    model.compile(optimizer=kcore.optimizers.SGD(0.1), loss="mse")
    loss = model.train_on_batch(X[:8], Y[:8])
    pred = X[:8] @ np.full((3, 1), 0.1, "float32")
    assert loss == pytest.approx(float(np.mean((pred - Y[:8]) ** 2)), rel=1e-5)
    w, _ = numpy_sgd_epoch(
        np.full((3, 1), 0.1, "float32"), np.zeros(1, "float32"), X[:8], Y[:8], 0.1, 8
    )
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-5)
    logs = model.train_on_batch(X[:8], Y[:8], return_dict=True)
    assert set(logs) == {"loss"}


@needs_gradients
def test_classifier_learns_and_accuracy_resolves():
    kcore.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 4)).astype("float32")
    labels = (x[:, 0] + x[:, 1] > 0).astype("int32")
    model = kcore.Sequential(
        [
            kcore.Input((4,)),
            layers.Dense(16, activation="relu"),
            layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=kcore.optimizers.Adam(0.05),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(x, labels, batch_size=32, epochs=8, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    assert model.metrics_names == ["loss", "compile_metrics"]
    _, accuracy = model.evaluate(x, labels, verbose=0)
    assert accuracy > 0.9


@needs_gradients
def test_class_weight_changes_the_update():
    x = np.ones((4, 3), "float32")
    y = np.array([[0.0], [0.0], [1.0], [1.0]], "float32")
    labels = np.array([0, 0, 1, 1])
    results = []
    for class_weight in (None, {0: 1.0, 1: 3.0}):
        model = linear_model()
        model.compile(optimizer=kcore.optimizers.SGD(0.1), loss="mse")
        model.fit(
            x,
            y if class_weight is None else labels.astype("float32")[:, None],
            class_weight=class_weight,
            epochs=1,
            batch_size=4,
            verbose=0,
        )
        results.append(model.get_weights()[1])
    # Class 1 counts three times: the bias moves further towards its targets.
    assert results[1][0] > results[0][0]


@needs_gradients
def test_multi_output_losses_metrics_and_weights():
    inputs = kcore.Input((3,), name="x")
    a = layers.Dense(1, name="a")(inputs)
    b = layers.Dense(2, name="b")(inputs)
    model = kcore.Model(inputs, [a, b])
    model.compile(
        optimizer="sgd",
        loss={"a": "mse", "b": "mae"},
        loss_weights={"a": 1.0, "b": 0.5},
        metrics={"a": ["mae"]},
    )
    y_b = np.zeros((32, 2), "float32")
    logs = model.evaluate(X, {"a": Y, "b": y_b}, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "a_loss", "b_loss", "a_mae"}
    assert logs["loss"] == pytest.approx(logs["a_loss"] + 0.5 * logs["b_loss"], rel=1e-5)
    history = model.fit(X, [Y, y_b], epochs=1, verbose=0)
    assert "b_loss" in history.history


@needs_gradients
def test_add_loss_and_compute_loss_override():
    class Penalized(kcore.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1, kernel_initializer="ones")

        def call(self, x):
            y = self.dense(x)
            self.add_loss(ops.sum(ops.abs(y)) * 0.0 + 1.0)
            return y

    model = Penalized()
    model.compile(optimizer="sgd", loss="mse")
    logs = model.evaluate(X, Y, batch_size=32, verbose=0, return_dict=True)
    pred = X @ np.ones((3, 1), "float32")
    assert logs["loss"] == pytest.approx(float(np.mean((pred - Y) ** 2)) + 1.0, rel=1e-5)

    class HalfLoss(kcore.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1, kernel_initializer="ones")

        def call(self, x):
            return self.dense(x)

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return super().compute_loss(x, y, y_pred, sample_weight, training) * 0.5

    model = HalfLoss()
    model.compile(optimizer="sgd", loss="mse")
    loss = model.evaluate(X, Y, batch_size=32, verbose=0)
    assert loss == pytest.approx(0.5 * float(np.mean((pred - Y) ** 2)), rel=1e-5)
    model.fit(X, Y, epochs=1, verbose=0)


@needs_gradients
def test_generator_with_steps_per_epoch_and_initial_epoch():
    def batches():
        while True:
            for start in range(0, 32, 8):
                yield X[start : start + 8], Y[start : start + 8]

    model = linear_model()
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(batches(), steps_per_epoch=4, epochs=3, initial_epoch=1, verbose=0)
    assert history.epoch == [1, 2]


def test_wrong_input_shape_fails_before_training():
    model = linear_model()
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    with pytest.raises(ValueError) as info:
        model.fit(np.ones((8, 5), "float32"), np.ones((8, 1), "float32"), verbose=0)
    message = str(info.value)
    assert "input 'features'" in message
    assert "(None, 3)" in message and "(8, 5)" in message
    with pytest.raises(ValueError, match="dtype"):
        model.evaluate(np.array([["a", "b", "c"]]), np.ones((1, 1)), verbose=0)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_fit_needs_compile():
    with pytest.raises(ValueError, match="compile"):
        linear_model().fit(X, Y, verbose=0)


def test_compile_config_round_trip():
    model = linear_model()
    model.compile(optimizer=kcore.optimizers.SGD(0.25), loss="mse", metrics=["mae"])
    config = model.get_compile_config()
    assert config["loss"] == "mse"
    other = linear_model()
    other.compile_from_config(config)
    assert float(ops.convert_to_numpy(other.optimizer.learning_rate)) == pytest.approx(0.25)
    assert other.evaluate(X, Y, verbose=0) == pytest.approx(model.evaluate(X, Y, verbose=0))


@pytest.mark.skipif(TRAINABLE, reason="checks the inference-only message")
def test_fit_on_inference_only_backend_says_why():
    model = linear_model()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(RuntimeError, match="inference-only"):
        model.fit(X, Y, verbose=0)


@needs_gradients
def test_mixed_float16_wraps_the_optimizer_in_loss_scaling():
    model = kcore.Sequential(
        [kcore.Input((3,)), layers.Dense(4, dtype="mixed_float16"), layers.Dense(1)]
    )
    model.dtype_policy = "mixed_float16"
    model.compile(optimizer="sgd", loss="mse")
    assert isinstance(model.optimizer, kcore.optimizers.LossScaleOptimizer)
    history = model.fit(X, Y, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    model.compile(optimizer="sgd", loss="mse", auto_scale_loss=False)
    assert not isinstance(model.optimizer, kcore.optimizers.LossScaleOptimizer)


@needs_gradients
def test_progress_bar_and_one_line_per_epoch(capsys):
    model = linear_model()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, batch_size=8, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "4/4" in out and "━" in out and "loss:" in out
    model.fit(X, Y, batch_size=8, epochs=2, verbose=2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert lines[0] == "Epoch 1/2"
    assert lines[1].startswith("4/4 - ") and "loss:" in lines[1]


@needs_gradients
def test_py_dataset_with_worker_threads_and_validation_steps():
    class Batches(kcore.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return X[index * 8 : (index + 1) * 8], Y[index * 8 : (index + 1) * 8]

    model = linear_model()
    model.compile(optimizer=kcore.optimizers.SGD(0.1), loss="mse")
    history = model.fit(
        Batches(workers=2),
        epochs=2,
        shuffle=False,
        validation_data=Batches(),
        validation_steps=2,
        verbose=0,
    )
    assert len(history.history["val_loss"]) == 2
    w, _ = numpy_sgd_epoch(np.full((3, 1), 0.1, "float32"), np.zeros(1, "float32"), X, Y, 0.1, 8)
    # Two epochs of the same ordered batches: the first epoch's weights, advanced again.
    w, _ = numpy_sgd_epoch(w, _, X, Y, 0.1, 8)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-4, atol=1e-5)
