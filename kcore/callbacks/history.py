"""``kcore.callbacks.History``: records each epoch's logs; ``fit`` returns it.

Example::

    >>> history = model.fit(x, y, epochs=3, verbose=0)   # doctest: +SKIP
    >>> sorted(history.history)                          # doctest: +SKIP
    ['loss']
"""

from __future__ import annotations

from typing import Any

from kcore.callbacks.callback import Callback

__all__ = ["History"]


class History(Callback):
    """Callback that records events into a ``History`` object.

    Every ``fit`` adds one. ``history.history`` maps each log name to its list of
    per-epoch values, ``history.epoch`` lists the epochs run and ``history.params``
    holds the loop's parameters.

    Example::

        >>> history = kcore.callbacks.History()
        >>> history.on_train_begin()
        >>> history.on_epoch_end(0, {"loss": 0.5})
        >>> history.history, history.epoch
        ({'loss': [0.5]}, [0])
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        # The model's history is the latest one even if the run is cut short.
        if self._model is not None:
            self._model.history = self
