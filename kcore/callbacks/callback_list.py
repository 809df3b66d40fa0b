"""``kcore.callbacks.CallbackList``: calls a list of callbacks as one.

The trainer calls the batch hooks on every step, so they must cost nothing when no
callback listens: the list works out once, at construction and at each
``on_*_begin``, which callbacks override which batch hook, and a batch hook nobody
overrides is a bare attribute lookup and an empty-tuple test.

Example::

    >>> import kcore
    >>> callbacks = kcore.callbacks.CallbackList(
    ...     [kcore.callbacks.TerminateOnNaN()], add_history=True, epochs=2, steps=10
    ... )
    >>> callbacks.on_train_begin()
    >>> callbacks.on_epoch_end(0, {"loss": 0.5})
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kcore.callbacks.callback import Callback, is_default
from kcore.callbacks.history import History
from kcore.callbacks.progbar_logger import ProgbarLogger

__all__ = ["CallbackList", "pythonify_logs"]

# Batch hook -> the callback methods that, when overridden, mean a callback listens
# to it (the default train-batch hooks forward to the old on_batch_* aliases).
_BATCH_HOOKS = {
    "on_batch_begin": ("on_batch_begin",),
    "on_batch_end": ("on_batch_end",),
    "on_train_batch_begin": ("on_train_batch_begin", "on_batch_begin"),
    "on_train_batch_end": ("on_train_batch_end", "on_batch_end"),
    "on_test_batch_begin": ("on_test_batch_begin",),
    "on_test_batch_end": ("on_test_batch_end",),
    "on_predict_batch_begin": ("on_predict_batch_begin",),
    "on_predict_batch_end": ("on_predict_batch_end",),
}


def pythonify_logs(logs: dict[str, Any] | None) -> dict[str, Any]:
    """Logs as callbacks receive them: keys sorted, nested dicts flattened, scalars
    (Python numbers, NumPy scalars, 0-d tensors) as Python floats, other tensors as
    NumPy arrays.

    Example::

        >>> import numpy as np
        >>> pythonify_logs({"loss": np.float32(0.5), "acc": 1})
        {'acc': 1.0, 'loss': 0.5}
    """
    result: dict[str, Any] = {}
    if not logs:
        return result
    for key, value in sorted(logs.items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        if type(value) is not float:
            try:
                value = float(value)
            except (TypeError, ValueError):
                value = _tensor_to_python(value)
        result[key] = value
    return result


def _tensor_to_python(value: Any) -> Any:
    """A backend tensor as a float (0-d) or a NumPy array; anything else as it is."""
    from kcore.backend import current

    if not (current().is_tensor(value) or hasattr(value, "__array__")):
        return value
    from kcore import ops

    array = np.asarray(ops.convert_to_numpy(value))
    return float(array) if array.ndim == 0 else array


class CallbackList(Callback):
    """Container that calls every callback of a list through one set of hooks.

    Args:
        callbacks: a list (possibly nested) of :class:`Callback` instances.
        add_history: add a :class:`History` callback if the list has none.
        add_progbar: add a :class:`ProgbarLogger` callback if the list has none.
        model: the model the callbacks work on (given to each ``set_model``).
        **params: the loop's parameters (``verbose``, ``epochs``, ``steps``), given
            to each callback's ``set_params``.

    Example::

        >>> model = kcore.Sequential([kcore.layers.Input((3,)), kcore.layers.Dense(1)])
        >>> callbacks = kcore.callbacks.CallbackList(
        ...     add_history=True, model=model, verbose=0, epochs=1, steps=1
        ... )
        >>> callbacks.on_train_begin(); callbacks.on_epoch_end(0, {"loss": 1.0})
        >>> model.history.history
        {'loss': [1.0]}
    """

    def __init__(
        self,
        callbacks: Any = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model: Any = None,
        **params: Any,
    ) -> None:
        super().__init__()
        self.callbacks: list[Callback] = _flatten(callbacks)
        self._add_default_callbacks(add_history, add_progbar)
        self._refresh_dispatch()
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history: bool, add_progbar: bool) -> None:
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def _refresh_dispatch(self) -> None:
        # One tuple of bound methods per batch hook, holding only the overrides.
        for hook, names in _BATCH_HOOKS.items():
            listeners = tuple(
                getattr(callback, hook)
                for callback in self.callbacks
                if not all(is_default(getattr(callback, name)) for name in names)
            )
            setattr(self, f"_listeners_{hook}", listeners)

    def append(self, callback: Callback) -> None:
        """Add ``callback`` at the end of the list.

        Example::

            >>> callbacks = kcore.callbacks.CallbackList()
            >>> callbacks.append(kcore.callbacks.TerminateOnNaN())
            >>> len(callbacks.callbacks)
            1
        """
        self.callbacks.append(callback)
        if self.params:
            callback.set_params(self.params)
        if self._model is not None:
            callback.set_model(self._model)
        self._refresh_dispatch()

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model: Any) -> None:
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    # Batch hooks: the per-step path. No listener, no work.

    def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        listeners = self._listeners_on_batch_begin
        if listeners:
            logs = pythonify_logs(logs)
            for hook in listeners:
                hook(batch, logs=logs)

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        listeners = self._listeners_on_batch_end
        if listeners:
            logs = pythonify_logs(logs)
            for hook in listeners:
                hook(batch, logs=logs)

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        listeners = self._listeners_on_train_batch_begin
        if listeners:
            logs = pythonify_logs(logs)
            for hook in listeners:
                hook(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        listeners = self._listeners_on_train_batch_end
        if listeners:
            logs = pythonify_logs(logs)
            for hook in listeners:
                hook(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        listeners = self._listeners_on_test_batch_begin
        if listeners:
            logs = pythonify_logs(logs)
            for hook in listeners:
                hook(batch, logs=logs)

    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        listeners = self._listeners_on_test_batch_end
        if listeners:
            logs = pythonify_logs(logs)
            for hook in listeners:
                hook(batch, logs=logs)

    def on_predict_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        listeners = self._listeners_on_predict_batch_begin
        if listeners:
            logs = pythonify_logs(logs)
            for hook in listeners:
                hook(batch, logs=logs)

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        listeners = self._listeners_on_predict_batch_end
        if listeners:
            logs = pythonify_logs(logs)
            for hook in listeners:
                hook(batch, logs=logs)

    # Epoch and run hooks: once per epoch or run, every callback is called.

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._refresh_dispatch()
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._refresh_dispatch()
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_test_begin(logs)

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_test_end(logs)

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._refresh_dispatch()
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_begin(logs)

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_end(logs)


def _flatten(callbacks: Any) -> list[Callback]:
    if not callbacks:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    flat: list[Callback] = []
    for item in callbacks:
        if isinstance(item, (list, tuple)):
            flat.extend(_flatten(item))
        elif isinstance(item, Callback):
            flat.append(item)
        else:
            raise TypeError(
                "CallbackList expects `kcore.callbacks.Callback` instances. Received "
                f"{item!r} (of type {type(item).__name__}) in callbacks={callbacks!r}. "
                "Subclass `kcore.callbacks.Callback` or wrap functions in "
                "`kcore.callbacks.LambdaCallback`."
            )
    return flat
