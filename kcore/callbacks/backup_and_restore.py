"""``kcore.callbacks.BackupAndRestore``: resume an interrupted ``fit`` where it
stopped.

Example::

    >>> backup = kcore.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
    >>> model.fit(x, y, epochs=10, callbacks=[backup])   # doctest: +SKIP
    >>> # killed during epoch 5: the same call again runs epochs 5 to 9 only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from typing import Any

from kcore.callbacks.callback import Callback

__all__ = ["BackupAndRestore"]

_METADATA = "training_metadata.json"
_KERAS_WEIGHTS = "latest.weights.h5"
_CHECKPOINT = re.compile(r"^ckpt-(\d+)\.weights\.h5$")


class BackupAndRestore(Callback):
    """Callback to back up and restore the training state.

    After every epoch (or every ``save_freq`` batches) it writes the model's weights
    (``model.save_weights``: with the optimizer's state once the model is compiled)
    and a small JSON file with the epoch and batch. At the start of ``fit`` it loads
    them back and sets ``model._initial_epoch`` so the trainer resumes from that
    epoch. When ``fit`` ends normally the backup is deleted (unless
    ``delete_checkpoint=False``); an interrupted run leaves it for the next.

    Each backup's weights go to a new file and the JSON file, replaced atomically,
    names the file to load: a run killed while saving restores the previous backup,
    never weights that do not match the recorded epoch.

    Args:
        backup_dir: directory for the backup; give each run its own.
        save_freq: ``"epoch"``, or an integer: back up every that many batches.
        double_checkpoint: keep the previous backup too, and fall back to it if the
            latest cannot be read.
        delete_checkpoint: delete the backup when training finishes.

    Example::

        >>> backup = kcore.callbacks.BackupAndRestore("/tmp/backup", save_freq=100)
    """

    def __init__(
        self,
        backup_dir: str | os.PathLike,
        save_freq: str | int = "epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError(
                "BackupAndRestore needs a directory to keep its backup in. Received an "
                f"empty backup_dir={backup_dir!r}."
            )
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)):
            raise ValueError(
                "Invalid value for argument `save_freq`. Received: "
                f"save_freq={save_freq!r}. Expected either 'epoch' or an integer value."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        self._training_metadata_path = os.path.join(self.backup_dir, _METADATA)
        self._prev_training_metadata_path = self._training_metadata_path + ".bkp"

    # Restoring.

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        model = self.model
        if not getattr(model, "built", True):
            raise ValueError(
                "To use the BackupAndRestore callback, your model must be built before "
                f"you call `fit()`. Model {model.name!r} is unbuilt. Build it first "
                "(call it on a batch of data, or give it an `Input`)."
            )
        try:
            restored = self._restore(self._training_metadata_path)
        except (OSError, ValueError):
            # A truncated or corrupted latest backup: fall back to the previous one.
            if not (self.double_checkpoint and os.path.exists(self._prev_training_metadata_path)):
                raise
            restored = self._restore(self._prev_training_metadata_path)
        if restored is not None:
            self._current_epoch = restored["epoch"]
            model._initial_epoch = restored["epoch"]

    def _restore(self, metadata_path: str) -> dict[str, Any] | None:
        if not os.path.exists(metadata_path):
            # Keras's layout: weights without metadata restore the weights only.
            weights = os.path.join(self.backup_dir, _KERAS_WEIGHTS)
            if os.path.exists(weights):
                self._load_weights(weights)
            return None
        with open(metadata_path, encoding="utf-8") as file:
            metadata = json.load(file)
        weights = os.path.join(self.backup_dir, metadata.get("weights", _KERAS_WEIGHTS))
        if os.path.exists(weights):
            self._load_weights(weights)
        elif "weights" in metadata:
            raise FileNotFoundError(
                f"BackupAndRestore: the backup in {self.backup_dir!r} names the weights "
                f"file {metadata['weights']!r}, which is missing. Delete the directory "
                "to start training from scratch."
            )
        return metadata

    def _load_weights(self, path: str) -> None:
        model = self.model
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "build") and not optimizer.built:
            # The optimizer's variables must exist to receive their saved values.
            optimizer.build(model.trainable_variables)
        model.load_weights(path)

    # Backing up.

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._current_epoch = epoch

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model()

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:
            added = batch + 1  # a new epoch: batches count from 0
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _read_metadata(self, path: str) -> dict[str, Any] | None:
        try:
            with open(path, encoding="utf-8") as file:
                return json.load(file)
        except (OSError, ValueError):
            return None

    def _save_model(self) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        previous = self._read_metadata(self._training_metadata_path)
        counter = (previous or {}).get("counter", 0) + 1
        weights_name = f"ckpt-{counter}.weights.h5"
        self.model.save_weights(os.path.join(self.backup_dir, weights_name), overwrite=True)
        if self.double_checkpoint and previous is not None:
            _write_json(self._prev_training_metadata_path, previous)
        metadata = {
            "epoch": self._current_epoch,
            "batch": self._last_batch_seen,
            "weights": weights_name,
            "counter": counter,
        }
        # The commit point: until this rename, a restore reads the previous backup.
        _write_json(self._training_metadata_path, metadata)
        keep = {weights_name}
        if self.double_checkpoint and previous is not None:
            keep.add(previous.get("weights", _KERAS_WEIGHTS))
        for name in os.listdir(self.backup_dir):
            if _CHECKPOINT.match(name) and name not in keep:
                os.remove(os.path.join(self.backup_dir, name))

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)


def _write_json(path: str, data: dict[str, Any]) -> None:
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump(data, file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
