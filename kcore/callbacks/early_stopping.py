"""``kcore.callbacks.EarlyStopping``: stop ``fit`` when a monitored quantity stops
improving.

Example::

    >>> stop = kcore.callbacks.EarlyStopping(monitor="loss", patience=3)
    >>> model.fit(x, y, epochs=100, callbacks=[stop], verbose=0)   # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from typing import Any

from kcore.callbacks.monitor_callback import MonitorCallback
from kcore.utils.io_utils import print_msg

__all__ = ["EarlyStopping"]


class EarlyStopping(MonitorCallback):
    """Stop training when a monitored metric has stopped improving.

    At the end of each epoch the monitored value is compared with the best so far;
    after ``patience`` epochs without an improvement of at least ``min_delta``,
    ``model.stop_training`` is set and ``fit`` ends after that epoch.

    Args:
        monitor: quantity to monitor (``"val_loss"`` by default).
        min_delta: minimum change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a line when the callback acts.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (inferred from the metric).
        baseline: a value the monitored quantity must beat; until it does, the
            patience count is not reset.
        restore_best_weights: at the end of training, restore the weights from the
            epoch with the best monitored value.
        start_from_epoch: epochs of warm-up before monitoring starts.

    Example::

        >>> stop = kcore.callbacks.EarlyStopping(monitor="loss", patience=1)
        >>> model = kcore.Sequential([kcore.layers.Input((2,)), kcore.layers.Dense(1)])
        >>> callbacks = kcore.callbacks.CallbackList([stop], model=model)
        >>> callbacks.on_train_begin()
        >>> for epoch, loss in enumerate([1.0, 0.5, 0.6, 0.7]):
        ...     callbacks.on_epoch_end(epoch, {"loss": loss})
        ...     if model.stop_training:
        ...         break
        >>> stop.stopped_epoch
        2
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights: list[Any] | None = None
        self.best_epoch = 0
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        # Reset, so one instance serves several fit() calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.monitor_op is None:
            # The model's metrics exist only once training has run a step.
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Patience restarts only once the baseline is beaten too.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict[str, Any] | None) -> Any:
        """The monitored value in ``logs``, or ``None`` (with a warning) if absent."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(logs)}",
                stacklevel=2,
            )
        return value
