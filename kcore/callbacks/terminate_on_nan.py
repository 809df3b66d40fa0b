"""``kcore.callbacks.TerminateOnNaN``: stop training when the loss becomes NaN or
infinite.

Example::

    >>> model.fit(x, y, callbacks=[kcore.callbacks.TerminateOnNaN()])   # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any

from kcore.callbacks.callback import Callback
from kcore.utils.io_utils import print_msg

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """Callback that terminates training when a NaN loss is encountered.

    It checks ``loss`` after every training batch. By default it sets
    ``model.stop_training`` (training ends after that batch and every callback's
    ``on_train_end`` runs); with ``raise_error=True`` it raises ``RuntimeError`` at
    once, so no cleanup hook runs (a backup is kept).

    Args:
        raise_error: raise instead of stopping gracefully.

    Example::

        >>> model = kcore.Sequential([kcore.layers.Input((2,)), kcore.layers.Dense(1)])
        >>> guard = kcore.callbacks.TerminateOnNaN()
        >>> guard.set_model(model)
        >>> guard.on_train_batch_end(3, {"loss": float("nan")})
        Batch 3: Invalid loss, terminating training
        >>> model.stop_training
        True
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                    "Terminating training immediately."
                )
            print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
