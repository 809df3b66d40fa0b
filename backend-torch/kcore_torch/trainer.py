"""The torch backend's step functions (the ``kcore_trainer`` hook's object).

Steps run eagerly, as a torch user's own loop would: ``loss.backward()`` then
``model.optimizer.apply(grads, trainable_weights)``. ``compile(jit_compile=True)``
runs them through ``torch.compile``. A user's ``train_step(self, data)`` override
follows the same pattern (Keras 3's torch idiom)::

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        loss.backward()
        grads = [v.value.grad for v in self.trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(grads, self.trainable_weights)
        return self.compute_metrics(x, y, y_pred)
"""

from __future__ import annotations

from typing import Any

import torch

from kcore.trainers.data_adapters.data_adapter_utils import unpack_x_y_sample_weight
from kcore.trainers.steps import Steps


class TorchSteps(Steps):
    _trainable: list[Any] | None = None

    def convert_leaf(self, value: Any) -> Any:
        if value is None or isinstance(value, torch.Tensor):
            return value
        return super().convert_leaf(value)

    # ------------------------------------------------------------ step logic
    def train_step(self, model: Any, data: Any) -> Any:
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        model.zero_grad(set_to_none=True)
        y_pred = model(x, training=True)
        loss = model._compute_loss(x, y, y_pred, sample_weight, training=True)
        model._loss_tracker.update_state(loss.detach(), sample_weight=self.batch_size(y_pred))
        optimizer = model.optimizer
        if optimizer is not None:
            loss = optimizer.scale_loss(loss)
        # Walking the layers for the weights is per-step work: done once per loop.
        trainable = self._trainable
        if trainable is None or model is not self.model:
            trainable = model.trainable_weights
        if trainable and loss.requires_grad:
            loss.backward()
            grads = [variable.value.grad for variable in trainable]
            with torch.no_grad():
                optimizer.apply(grads, trainable)
        with torch.no_grad():
            return model.compute_metrics(x, y, _detached(y_pred), sample_weight=sample_weight)

    def test_step(self, model: Any, data: Any) -> Any:
        with torch.no_grad():
            return super().test_step(model, data)

    def predict_step(self, model: Any, data: Any) -> Any:
        with torch.no_grad():
            return super().predict_step(model, data)

    # --------------------------------------------------------------- runners
    def begin(self, mode: str) -> None:
        # torch modules inside the model (and user code reading self.training) see
        # the mode, as in a torch loop.
        self.model.train(mode == "train")
        self._trainable = self.model.trainable_weights

    def end(self, mode: str) -> None:
        self.model.eval()

    def compile_step(self, fn: Any, name: str) -> Any:
        if self.model.jit_compile and not self.model.run_eagerly:
            return torch.compile(fn)
        return fn


def _detached(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, dict):
        return {k: _detached(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_detached(v) for v in value)
    return value


def make_trainer(backend: Any, model: Any) -> TorchSteps:
    """The descriptor's ``trainer`` factory."""
    return TorchSteps(backend, model)
