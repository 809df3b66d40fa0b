"""``kcore.callbacks.LambdaCallback``: a callback made of plain functions.

Example::

    >>> log = kcore.callbacks.LambdaCallback(
    ...     on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kcore.callbacks.callback import Callback

__all__ = ["LambdaCallback"]


class LambdaCallback(Callback):
    """Callback for creating simple, custom callbacks on-the-fly.

    Each function is called with the hook's arguments, positionally:
    ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``,
    ``on_train_begin(logs)``, ``on_train_end(logs)``,
    ``on_train_batch_begin(batch, logs)``, ``on_train_batch_end(batch, logs)``. Any
    other hook of :class:`Callback` can be given by name as a keyword argument
    (``on_test_end=...``).

    Example::

        >>> seen = []
        >>> callback = kcore.callbacks.LambdaCallback(
        ...     on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])))
        >>> callback.on_epoch_end(0, {"loss": 0.5})
        >>> seen
        [(0, 0.5)]
    """

    def __init__(
        self,
        on_epoch_begin: Callable[..., Any] | None = None,
        on_epoch_end: Callable[..., Any] | None = None,
        on_train_begin: Callable[..., Any] | None = None,
        on_train_end: Callable[..., Any] | None = None,
        on_train_batch_begin: Callable[..., Any] | None = None,
        on_train_batch_end: Callable[..., Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for name, function in hooks.items():
            if function is not None:
                setattr(self, name, function)
