"""kcore.callbacks driven by hand: a real small kcore model and the hook sequence the
trainer runs, with synthetic logs. (End-to-end fit() tests live with the trainer.)"""

from __future__ import annotations

import csv
import json
import os
import sys
import warnings

import numpy as np
import pytest
from conftest import StandInOptimizer, needs_variables

import kcore
from kcore import callbacks as cbks
from kcore.callbacks.callback_list import pythonify_logs
from kcore.utils import progbar as progbar_module


def make_model():
    # Constant initializers: inference-only backends (openvino) may lack random ops.
    model = kcore.Sequential(
        [kcore.layers.Input((3,)), kcore.layers.Dense(2, kernel_initializer="ones")]
    )
    model.optimizer = StandInOptimizer()
    model.stop_training = False
    return model


def set_epoch_weights(model, epoch):
    """Weights that say which epoch produced them."""
    model.set_weights([np.full(w.shape, float(epoch), w.dtype) for w in model.get_weights()])


def run_epochs(callbacks, model, losses, key="loss", batches=0):
    """The trainer's hook sequence; returns the epochs that ran."""
    ran = []
    callbacks.on_train_begin()
    for epoch, loss in enumerate(losses):
        callbacks.on_epoch_begin(epoch)
        for batch in range(batches):
            callbacks.on_train_batch_begin(batch)
            callbacks.on_train_batch_end(batch, {key: loss})
        set_epoch_weights(model, epoch)
        callbacks.on_epoch_end(epoch, {key: loss})
        ran.append(epoch)
        if model.stop_training:
            break
    callbacks.on_train_end({key: losses[ran[-1]]})
    return ran


# Surface and CallbackList.


def test_every_keras_callback_exists():
    surface = json.loads(
        open(os.path.join(os.path.dirname(__file__), "keras-3.15.1-surface.json")).read()
    )
    missing = [name for name in surface["callbacks"] if not hasattr(kcore.callbacks, name)]
    assert missing == []


@needs_variables
def test_callback_list_adds_defaults_and_passes_params_and_model():
    model = make_model()
    stop = cbks.EarlyStopping()
    callbacks = cbks.CallbackList(
        [[stop]], add_history=True, add_progbar=True, model=model, verbose=0, epochs=3, steps=4
    )
    kinds = [type(c).__name__ for c in callbacks.callbacks]
    assert kinds == ["EarlyStopping", "History", "ProgbarLogger"]
    assert stop.params == {"verbose": 0, "epochs": 3, "steps": 4}
    assert stop.model is model
    assert model.history is callbacks.callbacks[1]
    # An existing History is reused, not doubled.
    history = cbks.History()
    assert cbks.CallbackList([history], add_history=True).callbacks == [history]


def test_callback_list_skips_batch_hooks_nobody_overrides():
    callbacks = cbks.CallbackList([cbks.History(), cbks.CSVLogger("unused.csv")])
    assert callbacks._listeners_on_train_batch_begin == ()
    assert callbacks._listeners_on_train_batch_end == ()
    assert callbacks._listeners_on_test_batch_end == ()
    # TerminateOnNaN overrides the old on_batch_end alias: it listens to train batches.
    guard = cbks.TerminateOnNaN()
    callbacks.append(guard)
    assert len(callbacks._listeners_on_train_batch_end) == 1
    assert callbacks._listeners_on_train_batch_begin == ()


def test_callback_list_dispatches_batch_hooks_with_python_logs():
    seen = []
    lam = cbks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append((batch, logs)),
        on_test_batch_end=lambda batch, logs: seen.append(("test", batch, logs)),
    )
    callbacks = cbks.CallbackList([lam])
    callbacks.on_train_begin()
    callbacks.on_train_batch_end(
        0, {"loss": np.float32(0.5), "acc": kcore.ops.convert_to_tensor(1.0)}
    )
    callbacks.on_test_batch_end(1, {"loss": 2})
    assert seen == [(0, {"acc": 1.0, "loss": 0.5}), ("test", 1, {"loss": 2.0})]
    assert all(type(v) is float for v in seen[0][1].values())


def test_callbacks_added_to_the_list_later_are_picked_up_at_train_begin():
    seen = []
    callbacks = cbks.CallbackList()
    callbacks.callbacks.append(
        cbks.LambdaCallback(on_train_batch_begin=lambda b, logs: seen.append(b))
    )
    callbacks.on_train_begin()
    callbacks.on_train_batch_begin(3)
    assert seen == [3]


def test_pythonify_logs_sorts_flattens_and_converts():
    logs = {"b": np.float64(2.0), "a": {"c": 1}, "v": np.arange(3)}
    result = pythonify_logs(logs)
    assert list(result) == ["c", "b", "v"]
    assert result["c"] == 1.0 and result["b"] == 2.0
    np.testing.assert_array_equal(result["v"], [0, 1, 2])
    assert pythonify_logs(None) == {}


def test_callback_list_rejects_non_callbacks():
    with pytest.raises(TypeError, match="expects `kcore.callbacks.Callback` instances"):
        cbks.CallbackList([print])


@needs_variables
def test_history_records_epochs():
    model = make_model()
    callbacks = cbks.CallbackList(add_history=True, model=model)
    run_epochs(callbacks, model, [0.5, 0.25])
    assert model.history.history == {"loss": [0.5, 0.25]}
    assert model.history.epoch == [0, 1]


# EarlyStopping.


@needs_variables
def test_early_stopping_stops_and_restores_best_weights():
    model = make_model()
    stop = cbks.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True, verbose=1)
    callbacks = cbks.CallbackList([stop], model=model)
    ran = run_epochs(callbacks, model, [1.0, 0.5, 0.6, 0.7, 0.8, 0.9])
    # Best at epoch 1; epochs 2 and 3 don't improve: patience 2 runs out at epoch 3.
    assert ran == [0, 1, 2, 3]
    assert stop.stopped_epoch == 3 and stop.best == 0.5 and stop.best_epoch == 1
    assert all(np.all(w == 1.0) for w in model.get_weights())


@needs_variables
def test_early_stopping_min_delta_baseline_and_warmup():
    model = make_model()
    stop = cbks.EarlyStopping(monitor="val_loss", min_delta=0.1, patience=1)
    ran = run_epochs(cbks.CallbackList([stop], model=model), model, [1.0, 0.95, 0.9], "val_loss")
    assert ran == [0, 1]  # 0.95 is not 0.1 better than 1.0

    model = make_model()
    stop = cbks.EarlyStopping(monitor="loss", patience=2, baseline=0.1)
    ran = run_epochs(cbks.CallbackList([stop], model=model), model, [1.0, 0.5, 0.6, 0.7, 0.8])
    # Improvements that miss the baseline don't restart the patience count (Keras stops
    # at epoch 2 here, and at epoch 3 without a baseline).
    assert ran == [0, 1, 2]

    model = make_model()
    stop = cbks.EarlyStopping(monitor="loss", patience=0, start_from_epoch=3)
    ran = run_epochs(cbks.CallbackList([stop], model=model), model, [1.0, 2.0, 3.0, 4.0, 5.0])
    assert ran == [0, 1, 2, 3, 4]  # epochs 0-2 ignored; epoch 3 sets the best


@needs_variables
def test_early_stopping_max_mode_and_missing_metric():
    model = make_model()
    stop = cbks.EarlyStopping(monitor="acc", mode="max", patience=0)
    ran = run_epochs(cbks.CallbackList([stop], model=model), model, [0.5, 0.6, 0.55], "acc")
    assert ran == [0, 1, 2] and stop.stopped_epoch == 2
    stop = cbks.EarlyStopping(monitor="val_acc", mode="max")
    stop.set_model(model)
    with pytest.warns(UserWarning, match="`val_acc` which is not available"):
        stop.on_epoch_end(0, {"loss": 1.0})


@needs_variables
def test_auto_mode_needs_a_known_direction():
    stop = cbks.EarlyStopping(monitor="val_auc_custom")
    stop.set_model(make_model())
    with pytest.raises(ValueError, match="Pass `mode='max'`"):
        stop.on_epoch_end(0, {"val_auc_custom": 0.5})


# Learning-rate callbacks.


@needs_variables
def test_reduce_lr_on_plateau_changes_the_learning_rate():
    model = make_model()
    model.optimizer.learning_rate = 1.0
    reduce = cbks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    history = cbks.History()
    callbacks = cbks.CallbackList([reduce, history], model=model)
    run_epochs(callbacks, model, [1.0] * 8)
    # The logs carry the rate the epoch ran with. Reduced at the end of epochs 2, 4
    # (patience 2, counted again after 1 epoch of cooldown) and 6, there clipped to
    # min_lr (Keras 3.15.1 gives the same sequence).
    assert history.history["learning_rate"] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.2]
    assert model.optimizer.learning_rate == 0.2


def test_reduce_lr_on_plateau_rejects_factor_above_one():
    with pytest.raises(ValueError, match="must be below 1.0"):
        cbks.ReduceLROnPlateau(factor=1.5)


@needs_variables
def test_learning_rate_scheduler_sets_the_rate_each_epoch():
    model = make_model()
    scheduler = cbks.LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch else lr)
    history = cbks.History()
    run_epochs(cbks.CallbackList([scheduler, history], model=model), model, [1.0, 1.0, 1.0])
    assert history.history["learning_rate"] == [0.1, 0.05, 0.025]
    scheduler = cbks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))  # old form
    scheduler.set_model(model)
    scheduler.on_epoch_begin(4)
    assert model.optimizer.learning_rate == pytest.approx(0.05)
    scheduler = cbks.LearningRateScheduler(lambda epoch, lr: "fast")
    scheduler.set_model(model)
    with pytest.raises(ValueError, match="should be a float"):
        scheduler.on_epoch_begin(0)


# Logging callbacks.


@needs_variables
def test_csv_logger_writes_rows_and_appends(tmp_path):
    path = tmp_path / "log.csv"
    model = make_model()
    logger = cbks.CSVLogger(path)
    run_epochs(cbks.CallbackList([logger], model=model), model, [0.5, 0.25])
    assert path.read_text().splitlines() == ["epoch,loss,val_loss", "0,0.5,NA", "1,0.25,NA"]

    logger = cbks.CSVLogger(path, separator=";", append=True)
    callbacks = cbks.CallbackList([logger], model=model)
    callbacks.on_train_begin()
    callbacks.on_epoch_end(2, {"loss": 0.125, "val_loss": 0.5, "per_class": np.array([1, 2])})
    callbacks.on_train_end()
    rows = list(csv.reader(path.open(), delimiter=";"))
    # Appending writes no second header.
    assert rows[-1] == ["2", "0.125", '"[1, 2]"', "0.5"]
    assert len(rows) == 4


@needs_variables
def test_terminate_on_nan_stops_or_raises(capsys):
    model = make_model()
    callbacks = cbks.CallbackList([cbks.TerminateOnNaN()], model=model)
    callbacks.on_train_begin()
    callbacks.on_train_batch_end(0, {"loss": 1.0})
    assert model.stop_training is False
    callbacks.on_train_batch_end(1, {"loss": float("inf")})
    assert model.stop_training is True
    assert capsys.readouterr().out == "Batch 1: Invalid loss, terminating training\n"

    callbacks = cbks.CallbackList([cbks.TerminateOnNaN(raise_error=True)], model=make_model())
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 4"):
        callbacks.on_train_batch_end(4, {"loss": np.float32("nan")})


@needs_variables
def test_lambda_callback_calls_its_functions():
    calls = []
    lam = cbks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, logs["loss"])),
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_train_end=lambda logs: calls.append("train_end"),
        on_train_batch_begin=lambda batch, logs: calls.append(("batch", batch)),
        on_test_end=lambda logs: calls.append("test_end"),
    )
    model = make_model()
    callbacks = cbks.CallbackList([lam], model=model)
    run_epochs(callbacks, model, [0.5], batches=2)
    callbacks.on_test_begin()
    callbacks.on_test_end()
    assert calls == [
        "train_begin",
        ("epoch_begin", 0),
        ("batch", 0),
        ("batch", 1),
        ("epoch_end", 0, 0.5),
        "train_end",
        "test_end",
    ]


def test_remote_monitor_posts_epoch_logs(monkeypatch):
    requests = pytest.importorskip("requests")  # installed in the core, jax, torch, tf envs

    posts = []
    monkeypatch.setattr(requests, "post", lambda url, *a, **k: posts.append((url, a, k)))
    monitor = cbks.RemoteMonitor(root="http://example.invalid", headers={"X": "1"})
    monitor.on_epoch_end(2, {"loss": np.float32(0.5)})
    url, args, kwargs = posts[0]
    assert url == "http://example.invalid/publish/epoch/end/"
    assert json.loads(args[0]["data"]) == {"epoch": 2, "loss": 0.5}
    assert kwargs["headers"] == {"X": "1"}
    cbks.RemoteMonitor(send_as_json=True).on_epoch_end(0, {"loss": 1.0})
    assert posts[1][2]["json"] == {"epoch": 0, "loss": 1.0}


def test_remote_monitor_without_requests(monkeypatch):
    monkeypatch.setitem(sys.modules, "requests", None)
    with pytest.raises(ImportError, match="pip install requests"):
        cbks.RemoteMonitor()


@needs_variables
def test_progbar_logger_prints_epochs(monkeypatch, capsys):
    now = {"t": 0.0}
    monkeypatch.setattr(progbar_module, "_clock", lambda: now["t"])
    model = make_model()
    callbacks = cbks.CallbackList(add_progbar=True, model=model, verbose=2, epochs=2, steps=3)
    callbacks.on_train_begin()
    for epoch in range(2):
        callbacks.on_epoch_begin(epoch)
        for step in range(3):
            now["t"] += 0.004
            callbacks.on_train_batch_end(step, {"loss": 1.0 / (step + 1)})
        callbacks.on_epoch_end(epoch, {"loss": 0.25, "val_loss": 0.5})
    callbacks.on_train_end()
    line = "3/3 - 0s - 4ms/step - loss: 0.2500 - val_loss: 0.5000\n"
    assert capsys.readouterr().out == f"Epoch 1/2\n{line}Epoch 2/2\n{line}"


@needs_variables
def test_progbar_logger_live_bar_and_silent_validation(monkeypatch, capsys):
    now = {"t": 0.0}
    monkeypatch.setattr(progbar_module, "_clock", lambda: now["t"])
    monkeypatch.setattr(progbar_module, "_dynamic_display", lambda: True)
    callbacks = cbks.CallbackList(
        add_progbar=True, model=make_model(), verbose=1, epochs=1, steps=2
    )
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    for step in range(2):
        now["t"] += 0.5
        callbacks.on_train_batch_end(step, {"loss": 0.5})
    callbacks.on_test_begin()
    callbacks.on_test_batch_end(0, {"loss": 9.0})  # validation inside fit: not shown
    callbacks.on_test_end({"loss": 9.0})
    callbacks.on_epoch_end(0, {"loss": 0.5, "val_loss": 9.0})
    out = capsys.readouterr().out
    assert "Epoch" not in out  # a single epoch has no "Epoch 1/1" line
    assert out.endswith(
        "\r\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m1s\x1b[0m "
        "500ms/step - loss: 0.5000 - val_loss: 9.0000\n"
    )
    assert "9.0000" not in out.split("\r")[-2]


# Swapping EMA weights.


class EMAOptimizer(StandInOptimizer):
    def __init__(self, model):
        super().__init__()
        self.use_ema = True
        self._trainable_variables = model.trainable_variables
        self._model_variables_moving_average = [
            kcore.Variable(np.full(v.shape, 5.0, "float32"), trainable=False)
            for v in model.trainable_variables
        ]


@needs_variables
def test_swap_ema_weights_around_evaluation():
    model = make_model()
    set_epoch_weights(model, 1)
    model.optimizer = EMAOptimizer(model)
    callbacks = cbks.CallbackList([cbks.SwapEMAWeights()], model=model)
    callbacks.on_test_begin()
    assert all(np.all(w == 5.0) for w in model.get_weights())
    assert np.all(model.optimizer._model_variables_moving_average[0].numpy() == 1.0)
    callbacks.on_test_end()
    assert all(np.all(w == 1.0) for w in model.get_weights())
    callbacks.on_predict_begin()
    callbacks.on_predict_end()
    assert all(np.all(w == 1.0) for w in model.get_weights())


@needs_variables
def test_swap_ema_weights_needs_an_ema_optimizer():
    model = make_model()
    swap = cbks.SwapEMAWeights()
    swap.set_model(model)
    with pytest.raises(ValueError, match="`use_ema=True`"):
        swap.on_test_begin()


# Checkpoints.


def test_model_checkpoint_validates_its_arguments():
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        cbks.ModelCheckpoint("model.keras", save_weights_only=True)
    with pytest.raises(ValueError, match="must end in `.keras`"):
        cbks.ModelCheckpoint("model.ckpt")
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        cbks.ModelCheckpoint("model.keras", save_freq="often")


class RecordingModel:
    """Records save calls; the callback logic is what is under test here."""

    def __init__(self):
        self.saved = []
        self.stop_training = False

    def save(self, path, overwrite=False):
        self.saved.append(("model", os.path.basename(path)))

    def save_weights(self, path, overwrite=False):
        self.saved.append(("weights", os.path.basename(path)))


def test_model_checkpoint_formats_paths_and_saves_only_the_best(tmp_path):
    model = RecordingModel()
    checkpoint = cbks.ModelCheckpoint(
        str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.2f}.keras"), save_best_only=True
    )
    checkpoint.set_model(model)
    for epoch, val_loss in enumerate([0.9, 0.8, 0.85, 0.5]):
        checkpoint.on_epoch_begin(epoch)
        checkpoint.on_epoch_end(epoch, {"val_loss": val_loss})
    assert model.saved == [
        ("model", "ckpt-01-0.90.keras"),
        ("model", "ckpt-02-0.80.keras"),
        ("model", "ckpt-04-0.50.keras"),
    ]
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        checkpoint.on_epoch_end(4, {"loss": 1.0})


def test_model_checkpoint_every_n_batches_and_threshold(tmp_path):
    model = RecordingModel()
    checkpoint = cbks.ModelCheckpoint(
        str(tmp_path / "w-{epoch}-{batch}.weights.h5"), save_weights_only=True, save_freq=3
    )
    checkpoint.set_model(model)
    for epoch in range(2):
        checkpoint.on_epoch_begin(epoch)
        for batch in range(4):
            checkpoint.on_train_batch_end(batch, {"loss": 1.0})
        checkpoint.on_epoch_end(epoch, {"loss": 1.0})
    # 8 batches in all: saved after the 3rd and the 6th.
    assert model.saved == [("weights", "w-1-3.weights.h5"), ("weights", "w-2-2.weights.h5")]

    model = RecordingModel()
    checkpoint = cbks.ModelCheckpoint(
        str(tmp_path / "best.keras"),
        monitor="loss",
        save_best_only=True,
        initial_value_threshold=0.5,
    )
    checkpoint.set_model(model)
    checkpoint.on_epoch_end(0, {"loss": 0.6})
    checkpoint.on_epoch_end(1, {"loss": 0.4})
    assert model.saved == [("model", "best.keras")]


@needs_variables
def test_model_checkpoint_writes_real_weights(tmp_path):
    model = make_model()
    checkpoint = cbks.ModelCheckpoint(
        str(tmp_path / "sub" / "e{epoch}.weights.h5"), monitor="loss", save_weights_only=True
    )
    run_epochs(cbks.CallbackList([checkpoint], model=model), model, [1.0, 0.5])
    assert sorted(os.listdir(tmp_path / "sub")) == ["e1.weights.h5", "e2.weights.h5"]
    model.load_weights(str(tmp_path / "sub" / "e1.weights.h5"))
    assert all(np.all(w == 0.0) for w in model.get_weights())


class FakeWeightsModel:
    """A model whose save_weights/load_weights write NumPy archives."""

    def __init__(self, value=0.0):
        self.weights = [np.full((2,), value)]
        self.built = True
        self.optimizer = None
        self.stop_training = False
        self._initial_epoch = None

    def save_weights(self, path, overwrite=False):
        with open(path, "wb") as file:
            np.save(file, self.weights[0])

    def load_weights(self, path):
        with open(path, "rb") as file:
            self.weights = [np.load(file)]


def train_with_backup(model, backup, epochs, crash_at=None):
    callbacks = cbks.CallbackList([backup], model=model, epochs=epochs)
    callbacks.on_train_begin()
    for epoch in range(model._initial_epoch or 0, epochs):
        callbacks.on_epoch_begin(epoch)
        if epoch == crash_at:
            return "crashed"
        model.weights = [model.weights[0] + 1.0]
        callbacks.on_epoch_end(epoch, {"loss": 1.0})
    callbacks.on_train_end()
    return "finished"


def test_backup_and_restore_resumes_from_the_saved_epoch(tmp_path):
    backup_dir = tmp_path / "backup"
    model = FakeWeightsModel()
    assert train_with_backup(model, cbks.BackupAndRestore(backup_dir), 5, crash_at=3) == "crashed"
    metadata = json.loads((backup_dir / "training_metadata.json").read_text())
    assert metadata["epoch"] == 3
    assert sorted(os.listdir(backup_dir)) == [metadata["weights"], "training_metadata.json"]

    resumed = FakeWeightsModel()
    backup = cbks.BackupAndRestore(backup_dir)
    assert train_with_backup(resumed, backup, 5) == "finished"
    assert resumed._initial_epoch == 3
    assert resumed.weights[0].tolist() == [5.0, 5.0]  # 3 epochs restored + 2 resumed
    assert not backup_dir.exists()  # deleted once training finished


def test_backup_and_restore_double_checkpoint_falls_back(tmp_path):
    backup_dir = tmp_path / "backup"
    backup = cbks.BackupAndRestore(backup_dir, double_checkpoint=True)
    train_with_backup(FakeWeightsModel(), backup, 5, crash_at=3)
    latest = json.loads((backup_dir / "training_metadata.json").read_text())
    (backup_dir / latest["weights"]).write_bytes(b"truncated")  # corrupt the latest
    resumed = FakeWeightsModel()
    callbacks = cbks.CallbackList([cbks.BackupAndRestore(backup_dir, double_checkpoint=True)])
    callbacks.set_model(resumed)
    callbacks.on_train_begin()
    assert resumed._initial_epoch == 2
    assert resumed.weights[0].tolist() == [2.0, 2.0]


def test_backup_and_restore_every_n_batches_and_keep(tmp_path):
    backup_dir = tmp_path / "backup"
    model = FakeWeightsModel()
    backup = cbks.BackupAndRestore(backup_dir, save_freq=2, delete_checkpoint=False)
    callbacks = cbks.CallbackList([backup], model=model)
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    for batch in range(3):
        callbacks.on_train_batch_end(batch, {"loss": 1.0})
    metadata = json.loads((backup_dir / "training_metadata.json").read_text())
    assert (metadata["epoch"], metadata["batch"]) == (0, 1)
    callbacks.on_train_end()
    assert backup_dir.exists()
    with pytest.raises(ValueError, match="Expected either 'epoch' or an integer"):
        cbks.BackupAndRestore(backup_dir, save_freq="sometimes")
    with pytest.raises(ValueError, match="empty backup_dir"):
        cbks.BackupAndRestore("")


@needs_variables
def test_backup_and_restore_with_real_weights(tmp_path):
    backup_dir = tmp_path / "backup"
    model = make_model()
    callbacks = cbks.CallbackList([cbks.BackupAndRestore(backup_dir)], model=model)
    callbacks.on_train_begin()
    for epoch in range(2):
        callbacks.on_epoch_begin(epoch)
        set_epoch_weights(model, epoch + 10)
        callbacks.on_epoch_end(epoch, {"loss": 1.0})
    resumed = make_model()
    resumed._initial_epoch = None
    cbks.CallbackList([cbks.BackupAndRestore(backup_dir)], model=resumed).on_train_begin()
    assert resumed._initial_epoch == 2
    assert all(np.all(w == 11.0) for w in resumed.get_weights())


def test_orbax_checkpoint_without_orbax(monkeypatch):
    monkeypatch.setitem(sys.modules, "orbax", None)
    monkeypatch.setitem(sys.modules, "orbax.checkpoint", None)
    with pytest.raises(ImportError, match="pip install orbax-checkpoint"):
        cbks.OrbaxCheckpoint("unused")


@needs_variables
def test_orbax_checkpoint_saves_the_state(tmp_path):
    ocp = pytest.importorskip("orbax.checkpoint")
    model = make_model()
    checkpoint = cbks.OrbaxCheckpoint(tmp_path / "orbax", monitor="loss", save_best_only=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_epochs(cbks.CallbackList([checkpoint], model=model), model, [1.0, 0.5, 0.7])
    assert checkpoint.all_steps() == [1]  # max_to_keep=1; epoch 2 did not improve
    manager = ocp.CheckpointManager(str(tmp_path / "orbax"))
    restored = manager.restore(1, args=ocp.args.Composite(state=ocp.args.StandardRestore()))
    kernel = restored["state"]["trainable_variables"][model.layers[0].name]["kernel"]
    np.testing.assert_array_equal(kernel, np.ones((3, 2)))
    manager.close()
