"""``kcore.callbacks.ProgbarLogger``: prints the progress bar and metrics of ``fit``,
``evaluate`` and ``predict``.

Example::

    >>> model.fit(x, y, epochs=2)   # doctest: +SKIP
    Epoch 1/2
    4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.4821
    Epoch 2/2
    4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 1ms/step - loss: 0.3710
"""

from __future__ import annotations

from typing import Any

from kcore.callbacks.callback import Callback
from kcore.utils.io_utils import print_msg
from kcore.utils.progbar import Progbar

__all__ = ["ProgbarLogger"]


class ProgbarLogger(Callback):
    """Callback that prints metrics to stdout.

    It reads ``verbose`` (1: a live bar; 2: one line per epoch; ``"auto"`` means 1),
    ``epochs`` and ``steps`` from the loop's parameters; with more than one epoch it
    prints ``Epoch i/n`` first. Validation inside ``fit`` is silent. The trainer adds
    one when ``verbose`` is not 0.

    Example::

        >>> logger = kcore.callbacks.ProgbarLogger()
        >>> logger.set_params({"verbose": 2, "epochs": 1, "steps": 2})
        >>> logger.on_epoch_begin(0)
        >>> logger.on_train_batch_end(0, {"loss": 1.0})
        >>> logger.on_train_batch_end(1, {"loss": 0.5})
        >>> logger.on_epoch_end(0, {"loss": 0.5})   # doctest: +SKIP
        2/2 - 0s - 1ms/step - loss: 0.5000
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target: int | None = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        # Validation runs inside fit reuse this list; their bar stays hidden.
        self._called_in_fit = True

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        # Predictions are not metrics: the bar shows progress only.
        self._update_progbar(batch, None)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._finalize_progbar(logs)

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        self._finalize_progbar(logs)

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self) -> None:
        if self.progbar is None:
            # The trainer's logs are already running averages: shown as given.
            self.progbar = Progbar(
                target=self.target, verbose=self.verbose, unit_name="step", stateless_metrics=set()
            )

    def _update_progbar(self, batch: int, logs: dict[str, Any] | None) -> None:
        self._maybe_init_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finalize_progbar(self, logs: dict[str, Any] | None) -> None:
        self._maybe_init_progbar()
        if self.target is None:
            # Unknown length (a generator): the first epoch's count becomes the target.
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)
