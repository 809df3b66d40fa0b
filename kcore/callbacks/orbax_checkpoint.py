"""``kcore.callbacks.OrbaxCheckpoint``: checkpoint the model's state with Orbax,
asynchronously, during ``fit``.

Works where the ``orbax-checkpoint`` package is installed (it runs on JAX, whatever
backend trains the model); without it, constructing the callback raises an
``ImportError`` saying how to install it.

Example::

    >>> checkpoint = kcore.callbacks.OrbaxCheckpoint("/tmp/ckpt", save_freq=100)  # doctest: +SKIP
    >>> model.fit(x, y, epochs=10, callbacks=[checkpoint])                       # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any

import numpy as np

from kcore.callbacks.monitor_callback import MonitorCallback

__all__ = ["OrbaxCheckpoint"]


def _orbax() -> Any:
    try:
        import orbax.checkpoint as ocp
    except ImportError:
        raise ImportError(
            "OrbaxCheckpoint requires the 'orbax-checkpoint' package, which is not "
            "installed. Install it with `pip install orbax-checkpoint`, or use "
            "`kcore.callbacks.ModelCheckpoint` instead."
        ) from None
    return ocp


def _variables_tree(variables: Any) -> dict[str, Any]:
    """Variables as a nested dict following their paths (``dense/kernel``)."""
    tree: dict[str, Any] = {}
    for index, variable in enumerate(variables):
        path = getattr(variable, "path", None) or getattr(variable, "name", f"variable_{index}")
        *parents, leaf = path.split("/")
        node = tree
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # a variable named like a scope
                child = node[part] = {"_value": child}
            node = child
        if leaf in node:
            leaf = f"{leaf}_{index}"
        node[leaf] = np.asarray(variable.numpy())
    return tree


def model_state_tree(model: Any, weights_only: bool = False) -> dict[str, Any]:
    """The model's state as a tree of NumPy arrays: ``trainable_variables``,
    ``non_trainable_variables`` and, unless ``weights_only``, ``optimizer_variables``
    and ``metrics_variables``.

    Example::

        >>> model = kcore.Sequential([kcore.layers.Input((2,)), kcore.layers.Dense(1)])
        >>> sorted(model_state_tree(model)["trainable_variables"]["dense"])
        ['bias', 'kernel']
    """
    state = {
        "trainable_variables": _variables_tree(model.trainable_variables),
        "non_trainable_variables": _variables_tree(model.non_trainable_variables),
    }
    if not weights_only:
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and getattr(optimizer, "variables", None):
            state["optimizer_variables"] = _variables_tree(optimizer.variables)
        metrics_variables = getattr(model, "metrics_variables", None)
        if metrics_variables:
            state["metrics_variables"] = _variables_tree(metrics_variables)
    return state


class OrbaxCheckpoint(MonitorCallback):
    """Callback to save and load model state using Orbax with an API like
    :class:`ModelCheckpoint`.

    Each checkpoint is an Orbax step directory under ``directory`` holding the
    state tree (see :func:`model_state_tree`) and, unless ``save_weights_only``, the
    model's config as JSON (``model_config``). The step is the epoch (counted from 0)
    or, with an integer ``save_freq``, the number of batches seen. Saves run in the
    background unless ``save_on_background=False``; :meth:`wait_until_finished`
    blocks until they are written, and ``on_train_end`` does so too.

    Read a checkpoint back with Orbax::

        import orbax.checkpoint as ocp
        manager = ocp.CheckpointManager(directory)
        restored = manager.restore(manager.latest_step(), args=ocp.args.Composite(
            state=ocp.args.StandardRestore()))

    Args:
        directory: where the checkpoints go.
        monitor: quantity compared by ``save_best_only``.
        verbose: 1 prints a line per save.
        save_best_only: save only when the monitored quantity improves.
        mode: ``"min"``, ``"max"`` or ``"auto"``.
        save_freq: ``"epoch"`` or a number of batches.
        initial_value_threshold: the best value to beat before the first save.
        max_to_keep: how many recent checkpoints to keep (``None``: all).
        save_on_background: save asynchronously.
        save_weights_only: save only the model's weights (no optimizer state, no
            config).

    Example::

        >>> checkpoint = kcore.callbacks.OrbaxCheckpoint("/tmp/ckpt")  # doctest: +SKIP
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
        max_to_keep: int | None = 1,
        save_on_background: bool = True,
        save_weights_only: bool = False,
    ) -> None:
        ocp = _orbax()
        super().__init__(monitor, mode, initial_value_threshold)
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)):
            raise ValueError(
                f"Unrecognized save_freq: {save_freq!r}. Expected save_freq are 'epoch' "
                "or integer values (a number of training batches)."
            )
        self.directory = os.path.abspath(os.fspath(directory))
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_freq = save_freq
        self.max_to_keep = max_to_keep
        self.save_on_background = save_on_background
        self.save_weights_only = save_weights_only
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen: int | None = None
        self._total_batches_seen = 0
        self._ocp = ocp
        self._manager = ocp.CheckpointManager(
            self.directory,
            options=ocp.CheckpointManagerOptions(
                max_to_keep=max_to_keep,
                enable_async_checkpointing=save_on_background,
                create=True,
            ),
        )

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        iterations = getattr(getattr(model, "optimizer", None), "iterations", None)
        if iterations is not None:
            # A reloaded model continues the batch count where it stopped.
            self._total_batches_seen = int(np.asarray(iterations))

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        self._total_batches_seen += added
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _improved(self, logs: dict[str, Any] | None, where: str) -> bool:
        if not self.save_best_only:
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(
                f"Can save best model only with {self.monitor} available, skipping save "
                f"at {where}.",
                stacklevel=3,
            )
            return False
        if self.monitor_op is None:
            self._set_monitor_op()
        if not self._is_improvement(current, self.best):
            return False
        self.best = current
        return True

    def _save_checkpoint(self, step: int) -> None:
        ocp = self._ocp
        model = self.model
        items = {"state": ocp.args.StandardSave(model_state_tree(model, self.save_weights_only))}
        if not self.save_weights_only and hasattr(model, "to_json"):
            items["model_config"] = ocp.args.JsonSave(json.loads(model.to_json()))
        self._manager.save(step, args=ocp.args.Composite(**items), force=True)
        if not self.save_on_background:
            self._manager.wait_until_finished()
        if self.verbose > 0:
            from kcore.utils.io_utils import print_msg

            print_msg(f"\nOrbaxCheckpoint: saving step {step} to {self.directory}")

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._should_save_on_batch(batch) and self._improved(logs, f"batch {batch}"):
            self._save_checkpoint(self._total_batches_seen)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.save_freq == "epoch" and self._improved(logs, f"epoch {epoch}"):
            self._save_checkpoint(epoch)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self.wait_until_finished()

    def wait_until_finished(self) -> None:
        """Block until every checkpoint started so far is written.

        Example::

            >>> checkpoint.wait_until_finished()   # doctest: +SKIP
        """
        self._manager.wait_until_finished()

    def all_steps(self) -> list[int]:
        """The steps of the checkpoints kept in ``directory``, oldest first.

        Example::

            >>> checkpoint.all_steps()   # doctest: +SKIP
            [4]
        """
        return sorted(self._manager.all_steps())
