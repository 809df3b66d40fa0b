"""``compile``, ``fit``, ``evaluate``, ``predict`` and the ``*_on_batch`` methods: the
loops, callbacks and logs, written once for every backend.

The backend's part is an object handed over by the ``kcore_trainer`` hook once per
``compile()`` (see :class:`kcore.trainers.steps.Steps`): the default ``train_step``,
``test_step`` and ``predict_step`` in that backend's idiom (jax: stateless, returning
``(logs, state)``; torch: ``loss.backward()``; tensorflow: ``tf.GradientTape``) and the
compiled functions that run a group of batches through ``model.train_step`` (the
default or the user's override). The loops below call those functions directly.

Example::

    >>> model = kcore.Sequential([kcore.Input((4,)), kcore.layers.Dense(1)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> history = model.fit(x, y, epochs=2, verbose=0)     # doctest: +SKIP
    >>> sorted(history.history)                            # doctest: +SKIP
    ['loss']
"""

from __future__ import annotations

import inspect
import itertools
import warnings
from typing import Any

import numpy as np

from kcore import _tree, tree
from kcore import backend as _backend_module
from kcore.layers import layer as _layer_module


def _steps_for(model: Any) -> Any:
    """The backend's step functions for ``model`` (the ``kcore_trainer`` hook), or the
    core's eager steps when the backend trains nothing (numpy, openvino)."""
    from kcore import registry
    from kcore.trainers.steps import Steps

    backend = _backend_module.current()
    steps = registry.plugin_manager().hook.kcore_trainer(backend=backend, model=model)
    return steps if steps is not None else Steps(backend, model)


class Trainer:
    """The training API of :class:`kcore.Model` (Keras 3's ``Trainer``)."""

    compiled = False
    optimizer: Any = None
    loss: Any = None
    stop_training = False
    history: Any = None
    _compile_loss: Any = None
    _compile_metrics: Any = None
    _loss_tracker: Any = None
    _kcore_steps: Any = None
    _losses_override: Any = None
    _metrics_cache: Any = None
    _initial_epoch: Any = None
    _run_eagerly = False
    _jit_compile: Any = None
    steps_per_execution = 1

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Configure the model for training.

        Args as Keras 3's ``Model.compile``: an optimizer (name or object), a loss (name,
        function, Loss object, or a list/dict per output), ``loss_weights``,
        ``metrics``/``weighted_metrics`` (lists, or dicts by output name),
        ``run_eagerly``, ``steps_per_execution``, ``jit_compile`` (``"auto"``: the
        backend's default) and ``auto_scale_loss`` (wrap the optimizer in a
        ``LossScaleOptimizer`` under ``mixed_float16``).

        Example::

            >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
            ...               metrics=["accuracy"])     # doctest: +SKIP
        """
        from kcore import metrics as metrics_module
        from kcore import optimizers
        from kcore.trainers.compile_utils import CompileLoss, CompileMetrics, output_names_of

        if not isinstance(steps_per_execution, int) or steps_per_execution < 1:
            raise ValueError(
                "compile: steps_per_execution must be a positive integer, received "
                f"{steps_per_execution!r}"
            )
        optimizer_object = optimizers.get(optimizer)
        if (
            auto_scale_loss
            and self.dtype_policy.name == "mixed_float16"
            and optimizer_object is not None
            and not isinstance(optimizer_object, optimizers.LossScaleOptimizer)
        ):
            optimizer_object = optimizers.LossScaleOptimizer(
                optimizer_object, name="loss_scale_optimizer"
            )
        self.optimizer = optimizer_object
        output_names = output_names_of(self)
        self._compile_loss = None
        if loss is not None:
            self._compile_loss = CompileLoss(loss, loss_weights, output_names=output_names)
            self.loss = loss
        self._compile_metrics = None
        if metrics is not None or weighted_metrics is not None:
            self._compile_metrics = CompileMetrics(
                metrics, weighted_metrics, output_names=output_names
            )
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._metrics_cache = None
        self._kcore_steps = _steps_for(self)
        if jit_compile == "auto":
            jit_compile = False if run_eagerly else self._kcore_steps.auto_jit_compile
        if jit_compile and run_eagerly:
            warnings.warn(
                "compile: run_eagerly=True turns jit_compile off", UserWarning, stacklevel=2
            )
            jit_compile = False
        self._jit_compile = bool(jit_compile)
        self._run_eagerly = bool(run_eagerly)
        self.steps_per_execution = steps_per_execution
        self.stop_training = False
        self.compiled = True
        self._compiled_trainable_state = {
            id(layer): layer.trainable for layer in self._flatten_layers()
        }
        self._compile_config = {
            "optimizer": optimizer_object,
            "loss": loss,
            "loss_weights": loss_weights,
            "metrics": metrics,
            "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile,
        }

    @property
    def run_eagerly(self) -> bool:
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        self._run_eagerly = bool(value)
        if self._kcore_steps is not None:
            self._kcore_steps.reset()

    @property
    def jit_compile(self) -> bool:
        if self._jit_compile is None:
            return False
        return self._jit_compile

    @jit_compile.setter
    def jit_compile(self, value: bool) -> None:
        self._jit_compile = bool(value)
        if self._kcore_steps is not None:
            self._kcore_steps.reset()

    def get_compile_config(self) -> dict[str, Any]:
        """The arguments of the last ``compile()``, serialized (``{}`` if not compiled)."""
        from kcore.saving.serialization import serialize_keras_object

        if not self.compiled or not hasattr(self, "_compile_config"):
            return {}
        return {key: serialize_keras_object(value) for key, value in self._compile_config.items()}

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Compile with a config from :meth:`get_compile_config` (used when loading)."""
        from kcore.saving.serialization import deserialize_keras_object

        if type(self).compile is not Trainer.compile:
            warnings.warn(
                f"Model '{self.name}' overrides compile(): it was not compiled while "
                "loading; override get_compile_config()/compile_from_config(), or call "
                "compile() after loading",
                UserWarning,
                stacklevel=2,
            )
            return

        def revive(value: Any) -> Any:
            # Names ("mse", "adam") stay names: compile() resolves them as it always does.
            if isinstance(value, dict) and "class_name" in value:
                return deserialize_keras_object(value)
            if isinstance(value, dict):
                return {k: revive(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [revive(v) for v in value]
            return value

        self.compile(**{key: revive(value) for key, value in config.items()})
        if self.optimizer is not None and self.built:
            self.optimizer.build(self.trainable_variables)

    # ------------------------------------------------------------------ metrics
    @property
    def metrics(self) -> list[Any]:
        """The loss tracker, the compiled metrics, per-output loss trackers, metrics held
        in attributes, and the sublayers' metrics, in Keras's order."""
        cached = self._metrics_cache
        if cached is not None:
            return list(cached)
        found: list[Any] = []
        if self.compiled:
            if self._loss_tracker is not None:
                found.append(self._loss_tracker)
            if self._compile_metrics is not None:
                found.append(self._compile_metrics)
            if self._compile_loss is not None:
                found.extend(self._compile_loss.metrics)
        own = super().metrics  # type: ignore[misc]
        skip = (self._loss_tracker, self._compile_metrics)
        found.extend(m for m in own if not any(m is s for s in skip))
        for layer in self._flatten_layers(include_self=False):
            if isinstance(layer, Trainer):
                continue
            found.extend(layer.metrics)
        return found

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    @property
    def metrics_variables(self) -> list[Any]:
        return [v for m in self.metrics for v in m.variables]

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self) -> dict[str, Any]:
        """The metrics' current results as a dict (a dict result is merged in)."""
        results: dict[str, Any] = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                results.update(value)
            else:
                results[metric.name] = value
        return results

    # ------------------------------------------------------------------- losses
    @property
    def losses(self) -> list[Any]:
        override = self._losses_override
        if override is not None:
            return list(override)
        return super().losses  # type: ignore[misc]

    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Any:
        """The total loss: the compiled loss plus :attr:`losses` (``add_loss``, weight
        regularizers). Override to customize; ``train_step`` calls it."""
        from kcore import ops

        del x, training
        total = None
        if self._compile_loss is not None:
            total = self._compile_loss(y, y_pred, sample_weight)
        for extra in self._extra_losses():
            extra = ops.sum(extra)
            if not str(ops.dtype(extra)).startswith(("float", "bfloat")):
                extra = ops.cast(extra, "float32")
            total = extra if total is None else total + extra
        if total is None:
            if self._kcore_steps is not None and self._kcore_steps.allows_no_loss:
                return ops.zeros(())
            raise ValueError(
                f"Model '{self.name}': no loss to compute. Pass loss= to compile(), or "
                "add losses with add_loss()"
            )
        return total

    def _extra_losses(self) -> list[Any]:
        """:attr:`losses`, without walking the layers when none can have any (the
        common case; this runs every eager step)."""
        if self._losses_override is None and not _layer_module._layers_with_losses:
            regularized = self.__dict__.get("_kcore_regularized")
            if regularized is None:
                regularized = self._kcore_regularized = any(
                    v.regularizer is not None for v in self.weights
                )
            if not regularized:
                return []
        return self.losses

    def _compute_loss(self, x, y, y_pred, sample_weight=None, training=True) -> Any:
        """``compute_loss``, also for overrides written without ``training``."""
        takes_training = _TAKES_TRAINING.get(type(self))
        if takes_training is None:
            parameters = inspect.signature(self.compute_loss).parameters
            takes_training = _TAKES_TRAINING[type(self)] = "training" in parameters
        if takes_training:
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def stateless_compute_loss(
        self,
        trainable_variables: list[Any],
        non_trainable_variables: list[Any],
        metrics_variables: list[Any],
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> tuple[Any, tuple[list[Any], list[Any], list[Any]]]:
        """``compute_loss`` with the given variable values; returns ``(loss,
        (trainable, non_trainable, metrics_variables))`` with the updated values."""
        from kcore.variables import StatelessScope

        mapping = list(zip(self.trainable_variables, trainable_variables))
        mapping += list(zip(self.non_trainable_variables, non_trainable_variables))
        mapping += list(zip(self.metrics_variables, metrics_variables))
        with StatelessScope(mapping) as scope:
            loss = self._compute_loss(x, y, y_pred, sample_weight, training=training)
        non_trainable = [scope.get_current_value(v) for v in self.non_trainable_variables]
        metrics_values = [scope.get_current_value(v) for v in self.metrics_variables]
        return loss, (trainable_variables, non_trainable, metrics_values)

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """Update the compiled metrics and return every metric's result (a dict)."""
        del x
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    # ------------------------------------------------------------ step methods
    def train_step(self, *args: Any) -> Any:
        """One training step on a batch: the backend's default, in its idiom (jax:
        ``train_step(state, data) -> (logs, state)``; torch and tensorflow:
        ``train_step(data) -> logs``). Override it to customize training."""
        return self._steps().train_step(self, *args)

    def test_step(self, *args: Any) -> Any:
        """One evaluation step (jax: ``test_step(state, data) -> (logs, state)``)."""
        return self._steps().test_step(self, *args)

    def predict_step(self, *args: Any) -> Any:
        """One inference step (jax: ``predict_step(state, data) -> (outputs,
        non_trainable_variables)``)."""
        return self._steps().predict_step(self, *args)

    def _steps(self) -> Any:
        steps = self._kcore_steps
        if steps is None:
            steps = self._kcore_steps = _steps_for(self)
        return steps

    # --------------------------------------------------------------------- fit
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Any = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: Any = True,
        class_weight: Any = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: Any = 1,
    ) -> Any:
        """Train for ``epochs`` epochs; returns the ``History`` callback.

        Arguments as Keras 3's ``Model.fit``. Data: arrays (or dicts/lists of arrays),
        pandas objects, generators, ``kcore.utils.PyDataset``, ``tf.data.Dataset``,
        ``torch.utils.data.DataLoader`` (and types plugins add).

        Example::

            >>> history = model.fit(x, y, epochs=3, batch_size=32,
            ...                     validation_split=0.2, verbose=0)   # doctest: +SKIP
        """
        from kcore import config
        from kcore.callbacks import CallbackList
        from kcore.trainers.data_adapters.data_adapter_utils import (
            train_validation_split,
            unpack_x_y_sample_weight,
        )
        from kcore.trainers.epoch_iterator import EpochIterator

        self._assert_compiled("fit")
        max_epochs = config.max_epochs()
        if max_epochs and max_epochs < epochs:
            warnings.warn(f"Limiting epochs to {max_epochs}", UserWarning, stacklevel=2)
            epochs = max_epochs
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = train_validation_split(
                (x, y, sample_weight), validation_split=validation_split
            )
        if validation_data is not None:
            val_x, val_y, val_sample_weight = unpack_x_y_sample_weight(validation_data)
        iterator = EpochIterator(
            x=x,
            y=y,
            sample_weight=sample_weight,
            batch_size=batch_size,
            steps_per_epoch=steps_per_epoch,
            shuffle=shuffle,
            class_weight=class_weight,
            steps_per_execution=self.steps_per_execution,
        )
        first_epoch = self._build_from_first_batch(iterator, "fit")
        steps = self._steps()
        verbose = _resolve_verbose(verbose)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(
                callbacks,
                add_history=True,
                add_progbar=verbose != 0,
                verbose=verbose,
                epochs=epochs,
                steps=iterator.num_batches,
                model=self,
            )
        self.stop_training = False
        steps.begin("train")
        self._eval_iterator = None
        self._initial_epoch = None  # BackupAndRestore sets it in on_train_begin
        callbacks.on_train_begin()
        training_logs: dict[str, Any] = {}
        initial_epoch = self._initial_epoch or initial_epoch
        train_function = steps.train_function
        try:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                callbacks.on_epoch_begin(epoch)
                logs: Any = {}
                # The first epoch goes on from the batch the build looked at.
                batches_of_epoch = first_epoch or iterator.enumerate_epoch()
                first_epoch = None
                for begin_step, end_step, batches in batches_of_epoch:
                    callbacks.on_train_batch_begin(begin_step)
                    logs = train_function(batches)
                    callbacks.on_train_batch_end(end_step, logs)
                    if self.stop_training:
                        break
                if iterator.ran_out_of_data:
                    self.stop_training = True
                steps.sync()
                epoch_logs = _pythonify(self._metrics_result_or_logs(logs))
                if validation_data is not None and _should_eval(epoch, validation_freq):
                    if self._eval_iterator is None:
                        self._eval_iterator = EpochIterator(
                            x=val_x,
                            y=val_y,
                            sample_weight=val_sample_weight,
                            batch_size=validation_batch_size or batch_size,
                            steps_per_epoch=validation_steps,
                            shuffle=False,
                            steps_per_execution=self.steps_per_execution,
                        )
                    else:
                        self._eval_iterator.reset()
                    val_logs = self._evaluate_loop(self._eval_iterator, callbacks)
                    epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
                    steps.begin("train")
                callbacks.on_epoch_end(epoch, epoch_logs)
                training_logs = epoch_logs
                if self.stop_training:
                    break
        finally:
            steps.sync()
            steps.end("train")
        if (
            self.optimizer is not None
            and epochs > 0
            and hasattr(self.optimizer, "finalize_variable_values")
        ):
            self.optimizer.finalize_variable_values(self.trainable_weights)
        self._eval_iterator = None
        callbacks.on_train_end(logs=training_logs)
        return self.history

    # ---------------------------------------------------------------- evaluate
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: Any = None,
        return_dict: bool = False,
        **kwargs: Any,
    ) -> Any:
        """The loss and metrics on the data (a list, a scalar, or a dict with
        ``return_dict=True``), as Keras 3's ``Model.evaluate``."""
        from kcore.callbacks import CallbackList
        from kcore.trainers.epoch_iterator import EpochIterator

        if kwargs:
            raise ValueError(f"evaluate: unknown arguments {sorted(kwargs)}")
        self._assert_compiled("evaluate")
        iterator = EpochIterator(
            x=x,
            y=y,
            sample_weight=sample_weight,
            batch_size=batch_size,
            steps_per_epoch=steps,
            shuffle=False,
            steps_per_execution=self.steps_per_execution,
        )
        first = self._build_from_first_batch(iterator, "evaluate")
        verbose = _resolve_verbose(verbose)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(
                callbacks,
                add_progbar=verbose != 0,
                verbose=verbose,
                epochs=1,
                steps=iterator.num_batches,
                model=self,
            )
        try:
            logs = self._evaluate_loop(iterator, callbacks, first)
        finally:
            iterator.close()
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def _evaluate_loop(self, iterator: Any, callbacks: Any, first: Any = None) -> dict:
        steps = self._steps()
        steps.begin("test")
        self.stop_evaluating = False
        callbacks.on_test_begin()
        self.reset_metrics()
        logs: Any = {}
        test_function = steps.test_function
        try:
            for begin_step, end_step, batches in first or iterator.enumerate_epoch():
                callbacks.on_test_batch_begin(begin_step)
                logs = test_function(batches)
                callbacks.on_test_batch_end(end_step, logs)
                if self.stop_evaluating:
                    break
        finally:
            steps.sync()
            steps.end("test")
        logs = _pythonify(self._metrics_result_or_logs(logs))
        callbacks.on_test_end(logs)
        return logs

    # ----------------------------------------------------------------- predict
    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps: int | None = None,
        callbacks: Any = None,
    ) -> Any:
        """The model's outputs on ``x`` as NumPy arrays (concatenated over batches)."""
        from kcore.callbacks import CallbackList
        from kcore.trainers.epoch_iterator import EpochIterator

        iterator = EpochIterator(
            x=x,
            batch_size=batch_size,
            steps_per_epoch=steps,
            shuffle=False,
            steps_per_execution=self.steps_per_execution,
        )
        first = self._build_from_first_batch(iterator, "predict")
        verbose = _resolve_verbose(verbose)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(
                callbacks,
                add_progbar=verbose != 0,
                verbose=verbose,
                epochs=1,
                steps=iterator.num_batches,
                model=self,
            )
        runner = self._steps()
        runner.begin("predict")
        self.stop_predicting = False
        callbacks.on_predict_begin()
        collected: list[Any] = []
        try:
            for begin_step, end_step, batches in first or iterator.enumerate_epoch():
                callbacks.on_predict_batch_begin(begin_step)
                outputs = runner.predict_function(batches)
                collected.extend(outputs)
                callbacks.on_predict_batch_end(end_step, {"outputs": outputs[-1]})
                if self.stop_predicting:
                    break
        finally:
            runner.sync()
            runner.end("predict")
            iterator.close()
        if not collected:
            raise ValueError(
                "predict: the data yielded no batch; check that x is not empty and that "
                "steps is positive"
            )
        to_numpy = _backend_module.current().convert_to_numpy
        numpy_batches = [_tree.map_structure(to_numpy, out) for out in collected]
        result = tree.map_structure(lambda *parts: np.concatenate(parts, axis=0), *numpy_batches)
        callbacks.on_predict_end()
        return result

    # -------------------------------------------------------------- on_batch
    def train_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        class_weight: Any = None,
        return_dict: bool = False,
    ) -> Any:
        """One gradient update on one batch; returns the loss and metrics."""
        from kcore.trainers.data_adapters.data_adapter_utils import (
            class_weight_to_sample_weights,
        )

        self._assert_compiled("train_on_batch")
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("train_on_batch: pass sample_weight or class_weight, not both")
            sample_weight = class_weight_to_sample_weights(y, class_weight)
        batch = (x, y, sample_weight)
        self._build_from_batch(batch, "train_on_batch")
        steps = self._steps()
        steps.begin("train")
        try:
            logs = steps.train_function([batch])
        finally:
            steps.sync()
            steps.end("train")
        logs = _pythonify(logs)
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def test_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False
    ) -> Any:
        """The loss and metrics on one batch (metrics reset first)."""
        self._assert_compiled("test_on_batch")
        batch = (x, y, sample_weight)
        self._build_from_batch(batch, "test_on_batch")
        steps = self._steps()
        self.reset_metrics()
        steps.begin("test")
        try:
            logs = steps.test_function([batch])
        finally:
            steps.sync()
            steps.end("test")
        logs = _pythonify(logs)
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict_on_batch(self, x: Any) -> Any:
        """The model's outputs on one batch, as NumPy arrays."""
        batch = (x,)
        self._build_from_batch(batch, "predict_on_batch")
        steps = self._steps()
        steps.begin("predict")
        try:
            outputs = steps.predict_function([batch])[0]
        finally:
            steps.sync()
            steps.end("predict")
        return _tree.map_structure(_backend_module.current().convert_to_numpy, outputs)

    # ----------------------------------------------------------------- helpers
    def _assert_compiled(self, method: str) -> None:
        if not self.compiled:
            raise ValueError(
                f"Model '{self.name}': call compile() before {method}() "
                "(for example model.compile(optimizer='adam', loss='mse'))"
            )
        previous = getattr(self, "_compiled_trainable_state", None)
        if previous is not None:
            current = {id(layer): layer.trainable for layer in self._flatten_layers()}
            if current != previous:
                warnings.warn(
                    "A layer's trainable state changed since compile(); recompile the "
                    "model for the change to take effect in fit()",
                    UserWarning,
                    stacklevel=3,
                )
                self._compiled_trainable_state = current

    def _build_from_first_batch(self, iterator: Any, method: str) -> Any:
        """Build the model and its compiled containers from the first batch, checking
        it against the model's inputs; returns the first epoch's batches (the first
        one included, so generators lose nothing)."""
        epoch = iterator.enumerate_epoch()
        try:
            first = next(epoch)
        except StopIteration:
            raise ValueError(
                f"{method}: the data yielded no batch; check that x is not empty and "
                "that steps_per_epoch/steps is positive"
            ) from None
        self._build_from_batch(first[2][0], method)
        return itertools.chain([first], epoch)

    def _build_from_batch(self, batch: Any, method: str) -> None:
        from kcore.trainers.symbolic import build_for_batch

        build_for_batch(self, batch, method)
        self._kcore_regularized = None
        self._metrics_cache = None
        self._metrics_cache = self.metrics

    def _metrics_result_or_logs(self, logs: Any) -> Any:
        results = self.get_metrics_result()
        if isinstance(logs, dict) and set(logs) == set(results):
            return results
        return logs

    def _flatten_metrics_in_order(self, logs: dict[str, Any]) -> Any:
        from kcore.trainers.compile_utils import CompileMetrics

        names: list[str] = []
        for metric in self.metrics:
            if isinstance(metric, CompileMetrics):
                names.extend(name for name, _ in getattr(metric, "_names", []))
            else:
                names.append(metric.name)
        results = [logs[name] for name in names if name in logs]
        results += [logs[key] for key in sorted(logs) if key not in names]
        return results[0] if len(results) == 1 else results


#: Model class -> whether its compute_loss takes ``training`` (Keras 3.3 added it).
_TAKES_TRAINING: dict[type, bool] = {}


def _resolve_verbose(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, received {verbose!r}")
    return int(verbose)


def _should_eval(epoch: int, validation_freq: Any) -> bool:
    epoch += 1
    if isinstance(validation_freq, int):
        return epoch % validation_freq == 0
    if isinstance(validation_freq, list | tuple):
        return epoch in validation_freq
    raise ValueError(
        f"validation_freq must be an int or a list of epochs, received {validation_freq!r}"
    )


def _pythonify(logs: Any) -> Any:
    """Logs with Python floats for scalars and NumPy arrays for the rest (a custom step
    may return something other than a dict: it is passed on as is)."""
    from kcore.callbacks.callback_list import pythonify_logs

    return pythonify_logs(logs) if isinstance(logs, dict) else logs
