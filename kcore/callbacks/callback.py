"""``kcore.callbacks.Callback``: the base class of everything ``fit``, ``evaluate`` and
``predict`` call back into.

Every hook is a no-op here. A hook left as inherited is marked (``_kcore_default``),
so :class:`~kcore.callbacks.CallbackList` can skip, at no cost per step, the batch
hooks no callback overrides.

Example::

    >>> import kcore
    >>> class Stopper(kcore.callbacks.Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         if logs["loss"] < 0.1:
    ...             self.model.stop_training = True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["Callback", "is_default"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _default(method: _F) -> _F:
    method._kcore_default = True  # type: ignore[attr-defined]
    return method


def is_default(method: Any) -> bool:
    """Whether ``method`` (a bound or plain hook) is the inherited no-op.

    Example::

        >>> from kcore.callbacks.callback import Callback, is_default
        >>> is_default(Callback().on_epoch_end)
        True
    """
    return getattr(method, "_kcore_default", False)


class Callback:
    """Base class used to build new callbacks.

    Pass callbacks to ``fit``, ``evaluate`` or ``predict``; override the hooks for the
    stages you care about. ``self.model`` is the model being trained and
    ``self.params`` the loop's parameters (``verbose``, ``epochs``, ``steps``).

    In a custom training loop, gather the callbacks in a
    :class:`~kcore.callbacks.CallbackList` and call its hooks yourself::

        callbacks = kcore.callbacks.CallbackList([MyCallback()], model=model)
        callbacks.on_train_begin()
        for epoch in range(epochs):
            callbacks.on_epoch_begin(epoch)
            for step, batch in enumerate(dataset):
                callbacks.on_train_batch_begin(step)
                logs = train_step(batch)
                callbacks.on_train_batch_end(step, logs)
            callbacks.on_epoch_end(epoch, logs)
        callbacks.on_train_end(logs)

    Example::

        >>> class Record(kcore.callbacks.Callback):
        ...     def on_train_end(self, logs=None):
        ...         self.finished = True
    """

    def __init__(self) -> None:
        self.params: dict[str, Any] | None = None
        self._model: Any = None

    def set_params(self, params: dict[str, Any]) -> None:
        """Receive the loop's parameters (``verbose``, ``epochs``, ``steps``)."""
        self.params = params

    def set_model(self, model: Any) -> None:
        """Receive the model the callback works on."""
        self._model = model

    @property
    def model(self) -> Any:
        """The model being trained, evaluated or run.

        A trainer that keeps the model's state off its variables during an epoch
        (Keras's JAX trainer does) defines ``jax_state_sync()``; reading ``model``
        calls it, so a callback always sees current weights. A
        ``torch.nn.parallel.DistributedDataParallel`` wrapper is unwrapped.
        """
        model = self._model
        if model is None:
            return None
        sync = getattr(model, "jax_state_sync", None)
        if sync is not None:
            sync()
        if type(model).__name__ == "DistributedDataParallel" and hasattr(model, "module"):
            return model.module
        return model

    @_default
    def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """A backwards-compatible alias of :meth:`on_train_batch_begin`."""

    @_default
    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """A backwards-compatible alias of :meth:`on_train_batch_end`."""

    @_default
    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the start of an epoch of ``fit`` (``epoch`` counts from 0)."""

    @_default
    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of an epoch of ``fit``.

        ``logs`` holds the epoch's metric results (``{"loss": 0.2, "accuracy": 0.7}``)
        and the validation results, prefixed ``val_``, when validation ran.
        """

    @_default
    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before a training batch (``batch`` is its index in the epoch).

        With ``steps_per_execution=N`` it is called every N batches.
        """
        self.on_batch_begin(batch, logs=logs)

    @_default
    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after a training batch; ``logs`` holds the running metric results."""
        self.on_batch_end(batch, logs=logs)

    @_default
    def on_test_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before a batch of ``evaluate`` (or of validation in ``fit``)."""

    @_default
    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after a batch of ``evaluate``; ``logs`` holds the running results."""

    @_default
    def on_predict_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before a batch of ``predict``."""

    @_default
    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after a batch of ``predict``; ``logs`` holds ``{"outputs": ...}``."""

    @_default
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the start of ``fit``."""

    @_default
    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of ``fit``; ``logs`` holds the last epoch's results."""

    @_default
    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the start of ``evaluate`` or of validation."""

    @_default
    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of ``evaluate`` or of validation, with its results."""

    @_default
    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the start of ``predict``."""

    @_default
    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of ``predict``."""
