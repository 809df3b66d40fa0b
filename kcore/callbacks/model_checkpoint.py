"""``kcore.callbacks.ModelCheckpoint``: save the model or its weights during ``fit``.

Example::

    >>> checkpoint = kcore.callbacks.ModelCheckpoint(
    ...     "ckpt/{epoch:02d}-{val_loss:.2f}.keras", save_best_only=True)
    >>> model.fit(x, y, validation_split=0.2, callbacks=[checkpoint])   # doctest: +SKIP
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from kcore.callbacks.monitor_callback import MonitorCallback
from kcore.utils.io_utils import print_msg

__all__ = ["ModelCheckpoint"]


class ModelCheckpoint(MonitorCallback):
    """Callback to save the Keras model or model weights at some frequency.

    ``filepath`` may hold format fields filled from the epoch (counted from 1), the
    batch (with an integer ``save_freq``) and the logs: ``"{epoch:02d}-{val_loss:.2f}
    .keras"``. The model is written with ``model.save(path)`` (a ``.keras`` archive)
    or, with ``save_weights_only=True``, ``model.save_weights(path)`` (a
    ``.weights.h5`` file).

    Args:
        filepath: where to save; ``.keras`` (or ``.h5``) for the model,
            ``.weights.h5`` with ``save_weights_only=True``.
        monitor: the quantity ``save_best_only`` compares.
        verbose: 1 prints a line for every save decision.
        save_best_only: save only when the monitored quantity improves on the best
            seen (or on ``initial_value_threshold``).
        save_weights_only: save only the weights.
        mode: ``"min"``, ``"max"`` or ``"auto"``.
        save_freq: ``"epoch"`` (after every epoch) or an integer: after that many
            training batches.
        initial_value_threshold: the best value to beat before the first save, with
            ``save_best_only``.

    Example::

        >>> checkpoint = kcore.callbacks.ModelCheckpoint("best.weights.h5",
        ...     monitor="val_loss", save_best_only=True, save_weights_only=True)
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen: int | None = None
        self._current_epoch = 0
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)):
            raise ValueError(
                f"Unrecognized save_freq: {save_freq!r}. Expected save_freq are 'epoch' "
                "or integer values (a number of training batches)."
            )
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the "
                    "filepath provided must end in `.weights.h5` (Keras weights format). "
                    f"Received: filepath={self.filepath}"
                )
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format), or "
                "in `.weights.h5` with `save_weights_only=True`. Received: "
                f"filepath={self.filepath}"
            )

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1  # a new epoch: batches count from 0
        else:
            # With steps_per_execution the hook sees every N-th batch only.
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save_model(self, epoch: int, logs: dict[str, Any], filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        if len(getattr(current, "shape", ())) > 0:
            warnings.warn(
                f"Can save best model only when `monitor` is a scalar value. Received: "
                f"{current}. Falling back to `save_best_only=False`.",
                stacklevel=3,
            )
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        best_text = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_text} to "
                    f"{current:.5f}, saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_text}")
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: dict[str, Any] | None) -> None:
        logs = logs or {}
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IsADirectoryError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath "
                f"used is an existing directory: {filepath}"
            )
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _get_file_path(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> str:
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as error:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: '
                f"{error}. The fields it can use are epoch, batch (with an integer "
                f"save_freq) and the logged names: {sorted(logs)}."
            ) from None
