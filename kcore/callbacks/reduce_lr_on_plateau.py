"""``kcore.callbacks.ReduceLROnPlateau``: lower the learning rate when a monitored
quantity stops improving.

Example::

    >>> reduce_lr = kcore.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2,
    ...                                               patience=5, min_lr=0.001)
    >>> model.fit(x, y, callbacks=[reduce_lr])   # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from kcore.callbacks._learning_rate import as_float, learning_rate_logs, optimizers_of
from kcore.callbacks.monitor_callback import MonitorCallback
from kcore.utils.io_utils import print_msg

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(MonitorCallback):
    """Reduce learning rate when a metric has stopped improving.

    After ``patience`` epochs without an improvement of at least ``min_delta``, the
    optimizer's learning rate becomes ``max(lr * factor, min_lr)``; then ``cooldown``
    epochs pass before the count starts again. The current learning rate is added to
    the epoch's logs as ``learning_rate``.

    Args:
        monitor: quantity to monitor.
        factor: multiplier of the learning rate, below 1.
        patience: epochs without improvement before the rate is reduced.
        verbose: 1 prints a line when the rate changes.
        mode: ``"min"``, ``"max"`` or ``"auto"``.
        min_delta: minimum change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: lower bound of the learning rate.

    Example::

        >>> class Opt: learning_rate = 1.0
        >>> model = kcore.Sequential([kcore.layers.Input((2,)), kcore.layers.Dense(1)])
        >>> model.optimizer = Opt()
        >>> reduce = kcore.callbacks.ReduceLROnPlateau("loss", factor=0.5, patience=1)
        >>> reduce.set_model(model); reduce.on_train_begin()
        >>> for epoch in range(3):
        ...     reduce.on_epoch_end(epoch, {"loss": 1.0})
        >>> model.optimizer.learning_rate
        0.25
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs: Any,
    ) -> None:
        if "epsilon" in kwargs:
            warnings.warn(
                "ReduceLROnPlateau's `epsilon` argument is deprecated; use `min_delta`.",
                stacklevel=2,
            )
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            warnings.warn(
                f"ReduceLROnPlateau ignores the unknown arguments {sorted(kwargs)}.",
                stacklevel=2,
            )
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                "ReduceLROnPlateau multiplies the learning rate by `factor`, which must "
                f"be below 1.0 to reduce it. Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._reset()

    def in_cooldown(self) -> bool:
        """Whether the callback is waiting out its cooldown after a reduction."""
        return self.cooldown_counter > 0

    def _reduce(self, optimizer: Any, epoch: int, name: str) -> bool:
        old_lr = as_float(optimizer.learning_rate)
        if old_lr <= np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            name_text = f" {name}" if name else ""
            print_msg(
                f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing{name_text} learning "
                f"rate to {new_lr}."
            )
        return True

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs.update(learning_rate_logs(optimizer))
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which "
                f"is not available. Available metrics are: {','.join(logs)}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                reduced = False
                for suffix, opt in optimizers_of(optimizer):
                    reduced = self._reduce(opt, epoch, suffix.lstrip("_")) or reduced
                if reduced:
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
