"""Callbacks driven by a real ``fit``: TerminateOnNaN, EarlyStopping, ModelCheckpoint
(files reloaded) and BackupAndRestore with a training process killed mid-epoch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import kcore
from kcore import callbacks, layers

BACKEND = kcore.backend.current()
pytestmark = pytest.mark.skipif(
    not BACKEND.capabilities.trainable, reason="inference-only backend: no fit"
)

RNG = np.random.default_rng(3)
X = RNG.normal(size=(64, 4)).astype("float32")
Y = (X @ np.array([[1.0], [-1.0], [0.5], [2.0]], "float32")).astype("float32")


def small_model() -> kcore.Model:
    model = kcore.Sequential(
        [kcore.Input((4,), name="x"), layers.Dense(8, activation="relu"), layers.Dense(1)]
    )
    model.compile(optimizer=kcore.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    return model


def test_terminate_on_nan_stops_at_the_first_nan_batch():
    y = Y.copy()
    y[16:24] = np.nan  # the third batch of 8
    seen = []
    model = small_model()
    history = model.fit(
        X,
        y,
        batch_size=8,
        epochs=5,
        shuffle=False,
        verbose=0,
        callbacks=[
            callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch)),
            callbacks.TerminateOnNaN(),
        ],
    )
    assert model.stop_training
    assert seen == [0, 1, 2]
    assert len(history.epoch) <= 1


def test_early_stopping_restores_best_weights():
    model = small_model()
    best = {}

    def remember(epoch, logs):
        if not best or logs["val_loss"] < best["loss"]:
            best.update(loss=logs["val_loss"], weights=model.get_weights())

    # Validation targets that the model can only get worse at after a few epochs.
    stop = callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(
        X,
        Y,
        validation_data=(X[:16], -Y[:16]),
        epochs=30,
        verbose=0,
        callbacks=[callbacks.LambdaCallback(on_epoch_end=remember), stop],
    )
    assert len(history.epoch) < 30
    for got, want in zip(model.get_weights(), best["weights"]):
        np.testing.assert_allclose(got, want)


def test_model_checkpoint_files_reload(tmp_path):
    model = small_model()
    weights_path = str(tmp_path / "ckpt-{epoch:02d}.weights.h5")
    archive_path = str(tmp_path / "best.keras")
    model.fit(
        X,
        Y,
        epochs=2,
        validation_split=0.25,
        verbose=0,
        callbacks=[
            callbacks.ModelCheckpoint(weights_path, save_weights_only=True),
            callbacks.ModelCheckpoint(archive_path, save_best_only=True),
        ],
    )
    assert sorted(os.listdir(tmp_path)) == [
        "best.keras",
        "ckpt-01.weights.h5",
        "ckpt-02.weights.h5",
    ]
    other = small_model()
    other.load_weights(str(tmp_path / "ckpt-02.weights.h5"))
    np.testing.assert_allclose(other.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-5)
    reloaded = kcore.saving.load_model(archive_path)
    assert reloaded.predict(X, verbose=0).shape == (64, 1)


#: Trains 4 epochs with BackupAndRestore; with KILL_AT=<epoch> the process kills itself
#: (SIGKILL) in the middle of that epoch, as a crash would.
SCRIPT = textwrap.dedent(
    """
    import json, os, signal, sys
    import numpy as np
    import kcore
    from kcore import callbacks, layers

    backup, out = sys.argv[1], sys.argv[2]
    kill_at = int(os.environ.get("KILL_AT", "-1"))
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-1.0], [0.5], [2.0]], "float32")).astype("float32")
    model = kcore.Sequential(
        [kcore.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(1)]
    )
    model.set_weights([np.full(w.shape, 0.1, "float32") for w in model.get_weights()])
    model.compile(optimizer=kcore.optimizers.Adam(0.01), loss="mse")

    class Crash(callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if self.epoch == kill_at and batch == 3:
                os.kill(os.getpid(), signal.SIGKILL)

    history = model.fit(
        x, y, batch_size=8, epochs=4, shuffle=False, verbose=0,
        callbacks=[callbacks.BackupAndRestore(backup), Crash()],
    )
    np.savez(out, *model.get_weights())
    with open(out + ".json", "w") as f:
        json.dump(history.epoch, f)
    """
)


def test_backup_and_restore_resumes_a_killed_run(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, KCORE_BACKEND=BACKEND.name)

    def run(backup: str, out: str, kill_at: int) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(script), str(tmp_path / backup), str(tmp_path / out)],
            env=dict(env, KILL_AT=str(kill_at)),
            capture_output=True,
            text=True,
            timeout=300,
        )

    killed = run("backup", "resumed.npz", kill_at=2)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert os.listdir(tmp_path / "backup"), "the killed run left no backup"
    resumed = run("backup", "resumed.npz", kill_at=-1)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    # The resumed run starts at the epoch the crash interrupted.
    assert json.loads((tmp_path / "resumed.npz.json").read_text()) == [2, 3]
    straight = run("backup-straight", "straight.npz", kill_at=-1)
    assert straight.returncode == 0, straight.stderr[-2000:]
    got, want = np.load(tmp_path / "resumed.npz"), np.load(tmp_path / "straight.npz")
    for key in want.files:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, atol=1e-6)
    # A finished run deletes its backup.
    assert not (tmp_path / "backup").exists() or not os.listdir(tmp_path / "backup")
