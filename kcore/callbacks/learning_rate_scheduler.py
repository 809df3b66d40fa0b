"""``kcore.callbacks.LearningRateScheduler``: set the learning rate at the start of
every epoch from a function of the epoch.

Example::

    >>> def schedule(epoch, lr):
    ...     return lr if epoch < 10 else lr * 0.9
    >>> model.fit(x, y, callbacks=[kcore.callbacks.LearningRateScheduler(schedule)])  # doctest: +SKIP
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from kcore.callbacks._learning_rate import as_float, learning_rate_logs, optimizers_of
from kcore.callbacks.callback import Callback
from kcore.utils.io_utils import print_msg

__all__ = ["LearningRateScheduler"]


class LearningRateScheduler(Callback):
    """Learning rate scheduler.

    At the start of every epoch, ``schedule(epoch, lr)`` (``epoch`` counts from 0,
    ``lr`` is the current rate as a float) gives the new learning rate; a schedule
    taking only ``epoch`` works too. The rate in use is added to the epoch's logs as
    ``learning_rate``.

    Args:
        schedule: a function ``(epoch, lr) -> float``.
        verbose: 1 prints the rate set at each epoch.

    Example::

        >>> class Opt: learning_rate = 0.1
        >>> model = kcore.Sequential([kcore.layers.Input((2,)), kcore.layers.Dense(1)])
        >>> model.optimizer = Opt()
        >>> scheduler = kcore.callbacks.LearningRateScheduler(lambda epoch, lr: lr / 2)
        >>> scheduler.set_model(model)
        >>> scheduler.on_epoch_begin(0); scheduler.on_epoch_begin(1)
        >>> model.optimizer.learning_rate
        0.025
    """

    def __init__(self, schedule: Callable[..., Any], verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _update(self, optimizer: Any, epoch: int) -> float:
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError(
                "LearningRateScheduler sets `optimizer.learning_rate`, but the model's "
                f"optimizer {optimizer!r} has no `learning_rate` attribute. Compile the "
                "model with a kcore optimizer."
            )
        try:
            learning_rate = self.schedule(epoch, as_float(optimizer.learning_rate))
        except TypeError:
            # The older one-argument form: schedule(epoch).
            learning_rate = self.schedule(epoch)
        if isinstance(learning_rate, bool) or not (
            isinstance(learning_rate, numbers.Real) or getattr(learning_rate, "shape", None) == ()
        ):
            raise ValueError(
                "The output of the `schedule` function should be a float (the new "
                f"learning rate). Got: {learning_rate!r}"
            )
        learning_rate = as_float(learning_rate)
        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        for suffix, optimizer in optimizers_of(self.model.optimizer):
            learning_rate = self._update(optimizer, epoch)
            if self.verbose > 0:
                name = f"{suffix.lstrip('_')} " if suffix else ""
                print_msg(
                    f"\nEpoch {epoch + 1}: LearningRateScheduler setting {name}learning "
                    f"rate to {learning_rate}."
                )

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs is not None:
            logs.update(learning_rate_logs(self.model.optimizer))
