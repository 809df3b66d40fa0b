"""``kcore.callbacks.SwapEMAWeights``: evaluate (and optionally checkpoint) with the
optimizer's exponential moving average of the weights.

Example::

    >>> model.compile(optimizer=kcore.optimizers.SGD(use_ema=True), loss="mse")  # doctest: +SKIP
    >>> model.fit(x, y, validation_split=0.2,
    ...           callbacks=[kcore.callbacks.SwapEMAWeights()])               # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from kcore.callbacks.callback import Callback

__all__ = ["SwapEMAWeights"]


class SwapEMAWeights(Callback):
    """Swaps model weights and EMA weights before and after evaluation.

    Use it with an optimizer made with ``use_ema=True``: before evaluation or
    prediction the model's trainable weights and the optimizer's moving averages
    (``optimizer._model_variables_moving_average``, aligned with
    ``optimizer._trainable_variables``) trade values, and trade back afterwards.
    With ``swap_on_epoch=True`` they are also swapped at each epoch's end (put
    ``ModelCheckpoint`` after this callback to save the EMA weights) and back at the
    next epoch's start.

    Args:
        swap_on_epoch: also swap at the end and start of each epoch.

    Example::

        >>> swap = kcore.callbacks.SwapEMAWeights(swap_on_epoch=True)
    """

    def __init__(self, swap_on_epoch: bool = False) -> None:
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _ema_optimizers(self) -> list[Any]:
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", None) or optimizer
        several = getattr(optimizer, "optimizers", None)
        if several:
            chosen = [opt for opt in several if getattr(opt, "use_ema", False)]
            if not chosen:
                raise ValueError(
                    "SwapEMAWeights must be used when at least one inner optimizer has "
                    "`use_ema=True` set. Received an optimizer whose inner optimizers "
                    "all have `use_ema=False`."
                )
        else:
            chosen = [optimizer]
        for opt in chosen:
            if not hasattr(opt, "_model_variables_moving_average"):
                raise ValueError(
                    "SwapEMAWeights must be used when `use_ema=True` is set on the "
                    f"optimizer. Received: use_ema={getattr(opt, 'use_ema', None)}. "
                    "Create the optimizer with `use_ema=True` (and build it by training)."
                )
        return chosen

    def _swap_variables(self) -> None:
        for optimizer in self._ema_optimizers():
            pairs = zip(optimizer._trainable_variables, optimizer._model_variables_moving_average)
            for variable, average in pairs:
                value = variable.numpy()
                variable.assign(average)
                average.assign(value)

    def _finalize_ema_values(self) -> None:
        for optimizer in self._ema_optimizers():
            pairs = zip(optimizer._trainable_variables, optimizer._model_variables_moving_average)
            for variable, average in pairs:
                average.assign(variable)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True
            # After the last epoch the trainer copies the averages into the model
            # (finalize_variable_values); the averages must hold the EMA values again.
            if self.params and epoch == self.params.get("epochs", 0) - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False
