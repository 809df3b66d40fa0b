"""The jax backend's step functions (the ``kcore_trainer`` hook's object).

Steps are pure functions of the state, compiled once with ``jax.jit`` (the training
state's buffers donated): Keras 3's jax idiom, which a user's override follows::

    def train_step(self, state, data):
        trainable, non_trainable, optimizer_vars, metrics_vars = state
        x, y = data

        def loss_fn(trainable, non_trainable):
            y_pred, non_trainable = self.stateless_call(trainable, non_trainable, x,
                                                        training=True)
            return self.compute_loss(x=x, y=y, y_pred=y_pred), (y_pred, non_trainable)

        (loss, (y_pred, non_trainable)), grads = jax.value_and_grad(loss_fn, has_aux=True)(
            trainable, non_trainable)
        trainable, optimizer_vars = self.optimizer.stateless_apply(
            optimizer_vars, grads, trainable)
        ...   # metrics through metric.stateless_update_state
        return logs, (trainable, non_trainable, optimizer_vars, metrics_vars)

Between steps the new values are written back into the variables (a reference swap
per variable, no copy), so callbacks and user code always see current weights.

With ``steps_per_execution=N`` each batch of a group is still one call of the jitted
step, as in Keras 3's jax trainer: XLA's CPU backend runs a group compiled as one
program unevenly (ten LSTM steps unrolled in one jit take 1.3x as long as ten calls, in
kcore and in a hand-written jax loop alike; a ``lax.scan`` over the steps runs
convolutions 4x slower), so a group would not be a safe speed-up.
"""

from __future__ import annotations

from typing import Any

import jax

from kcore.trainers.data_adapters.data_adapter_utils import unpack_x_y_sample_weight
from kcore.trainers.steps import Steps
from kcore.variables import StatelessScope


def _values(variables: list[Any]) -> list[Any]:
    return [v._value for v in variables]


def _write(variables: list[Any], values: list[Any]) -> None:
    for variable, value in zip(variables, values):
        if value is not None:
            variable._direct_assign(value)


class JaxSteps(Steps):
    auto_jit_compile = True
    allows_no_loss = True

    def reset(self) -> None:
        super().reset()
        self._groups: dict[str, list[list[Any]]] = {}

    def convert_leaf(self, value: Any) -> Any:
        if value is None or isinstance(value, jax.Array):
            return value
        return super().convert_leaf(value)

    # ------------------------------------------------------------ step logic
    def _metrics_update(self, model, metrics_values, x, y, y_pred, sample_weight, loss):
        variables = model.metrics_variables
        with StatelessScope(list(zip(variables, metrics_values))) as scope:
            if loss is not None:
                model._loss_tracker.update_state(loss, sample_weight=self.batch_size(y_pred))
            logs = model.compute_metrics(x, y, y_pred, sample_weight)
        return logs, [scope.get_current_value(v) for v in variables]

    def _loss(self, model, trainable, non_trainable, metrics_values, x, y, sw, training):
        y_pred, non_trainable, losses = model.stateless_call(
            trainable, non_trainable, x, training=training, return_losses=True
        )
        model._losses_override = losses
        try:
            loss, (_, non_trainable, metrics_values) = model.stateless_compute_loss(
                trainable, non_trainable, metrics_values, x, y, y_pred, sw, training=training
            )
        finally:
            model._losses_override = None
        return loss, y_pred, non_trainable, metrics_values

    def train_step(self, model: Any, state: Any, data: Any) -> Any:
        trainable, non_trainable, optimizer_values, metrics_values = state
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        optimizer = model.optimizer

        def loss_and_updates(trainable, non_trainable, metrics_values):
            loss, y_pred, non_trainable, metrics_values = self._loss(
                model, trainable, non_trainable, metrics_values, x, y, sample_weight, True
            )
            unscaled = loss
            if optimizer is not None:
                mapping = list(zip(optimizer.variables, optimizer_values))
                with StatelessScope(mapping):
                    loss = optimizer.scale_loss(loss)
            return loss, (unscaled, y_pred, non_trainable, metrics_values)

        grad_fn = jax.value_and_grad(loss_and_updates, has_aux=True)
        (_, aux), grads = grad_fn(trainable, non_trainable, metrics_values)
        loss, y_pred, non_trainable, metrics_values = aux
        if trainable:
            trainable, optimizer_values = optimizer.stateless_apply(
                optimizer_values, grads, trainable
            )
        logs, metrics_values = self._metrics_update(
            model, metrics_values, x, y, y_pred, sample_weight, loss
        )
        return logs, (trainable, non_trainable, optimizer_values, metrics_values)

    def test_step(self, model: Any, state: Any, data: Any) -> Any:
        trainable, non_trainable, metrics_values = state
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        loss, y_pred, non_trainable, metrics_values = self._loss(
            model, trainable, non_trainable, metrics_values, x, y, sample_weight, False
        )
        logs, metrics_values = self._metrics_update(
            model, metrics_values, x, y, y_pred, sample_weight, loss
        )
        return logs, (trainable, non_trainable, metrics_values)

    def predict_step(self, model: Any, state: Any, data: Any) -> Any:
        trainable, non_trainable = state
        x, _, _ = unpack_x_y_sample_weight(data)
        outputs, non_trainable = model.stateless_call(trainable, non_trainable, x, training=False)
        return outputs, non_trainable

    # --------------------------------------------------------------- runners
    def compile_step(self, fn: Any, name: str) -> Any:
        if self.model.run_eagerly or not self.model.jit_compile:
            return fn
        return jax.jit(fn, donate_argnums=(0,) if name == "train_step" else ())

    def begin(self, mode: str) -> None:
        model = self.model
        groups = [model.trainable_variables, model.non_trainable_variables]
        if mode == "train":
            optimizer = model.optimizer
            groups.append(list(optimizer.variables) if optimizer is not None else [])
        if mode != "predict":
            groups.append(model.metrics_variables)
        self._groups[mode] = groups

    def _run(self, mode: str, name: str, batches: list[Any], outputs: list[Any] | None) -> Any:
        groups = self._groups.get(mode)
        if groups is None:
            self.begin(mode)
            groups = self._groups[mode]
        step = self._step(name)
        state = tuple(_values(group) for group in groups)
        result = None
        try:
            for batch in batches:
                result, new_state = step(state, self.convert(batch))
                if outputs is not None:
                    outputs.append(result)
                    state = (state[0], new_state)
                else:
                    state = new_state
        finally:
            for group, values in zip(groups, state):
                _write(group, values)
        return result

    def train_function(self, batches: list[Any]) -> Any:
        return self._run("train", "train_step", batches, None)

    def test_function(self, batches: list[Any]) -> Any:
        return self._run("test", "test_step", batches, None)

    def predict_function(self, batches: list[Any]) -> list[Any]:
        outputs: list[Any] = []
        self._run("predict", "predict_step", batches, outputs)
        return outputs


def make_trainer(backend: Any, model: Any) -> JaxSteps:
    """The descriptor's ``trainer`` factory."""
    return JaxSteps(backend, model)
