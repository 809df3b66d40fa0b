"""The base of callbacks that watch one logged quantity for improvement
(``EarlyStopping``, ``ModelCheckpoint``, ``ReduceLROnPlateau``, ``OrbaxCheckpoint``).

Example::

    >>> from kcore.callbacks.monitor_callback import MonitorCallback
    >>> watcher = MonitorCallback(monitor="val_loss", mode="min", min_delta=0.1)
    >>> watcher._set_monitor_op()
    >>> watcher._is_improvement(0.85, 1.0), watcher._is_improvement(0.95, 1.0)
    (True, False)
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable
from typing import Any

from kcore.callbacks.callback import Callback

__all__ = ["MonitorCallback"]


def _named_metrics(metrics: Any) -> list[Any]:
    # Compiled-metric containers hold their metrics in `.metrics`; walk them all.
    found: list[Any] = []
    seen: set[int] = set()
    stack = list(metrics or ())
    while stack:
        metric = stack.pop(0)
        if id(metric) in seen:
            continue
        seen.add(id(metric))
        found.append(metric)
        inner = getattr(metric, "metrics", None)
        if isinstance(inner, (list, tuple)):
            stack.extend(inner)
    return found


class MonitorCallback(Callback):
    """Base class for callbacks that compare a monitored quantity with its best.

    Args:
        monitor: the logged quantity to watch (``"val_loss"`` by default).
        mode: ``"min"``, ``"max"`` or ``"auto"``. ``"auto"`` minimises ``loss`` and
            ``val_loss``; for a metric it asks the model's metric of that name,
            whose ``_direction`` is ``"up"`` or ``"down"``.
        baseline: the initial best value; ``None`` takes the first value seen.
        min_delta: how much better than the best a value must be to count.

    Example::

        >>> class Watch(MonitorCallback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         if self.monitor_op is None:
        ...             self._set_monitor_op()
        ...         if self._is_improvement(logs[self.monitor], self.best):
        ...             self.best = logs[self.monitor]
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        mode: str = "auto",
        baseline: float | None = None,
        min_delta: float = 0,
    ) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode {mode!r} is unknown (expected 'auto', 'min' "
                "or 'max'); falling back to 'auto'.",
                stacklevel=2,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Callable[[Any, Any], bool] | None = None

    def _set_monitor_op(self) -> None:
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = operator.lt
            model = self._model
            for metric in _named_metrics(getattr(model, "metrics", None)):
                if getattr(metric, "name", None) == name and hasattr(metric, "_direction"):
                    self.monitor_op = operator.gt if metric._direction == "up" else operator.lt
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor!r}, "
                    "but cannot tell whether that metric should be maximized or "
                    "minimized. Pass `mode='max'` to keep the highest value, or "
                    "`mode='min'` to keep the lowest."
                )
        if self.monitor_op is operator.lt:
            self.min_delta = -abs(self.min_delta)
        else:
            self.min_delta = abs(self.min_delta)

    def _is_improvement(self, monitor_value: Any, reference_value: Any) -> bool:
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))
