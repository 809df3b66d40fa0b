"""The tensorflow backend's step functions (the ``kcore_trainer`` hook's object).

Each step is a ``tf.function`` (with XLA when ``compile(jit_compile=True)``; eager
with ``run_eagerly=True``) around the model's ``train_step``, whose default records
the forward pass on a ``tf.GradientTape`` — Keras 3's tensorflow idiom, which a
user's override follows::

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply(grads, self.trainable_weights)
        return self.compute_metrics(x, y, y_pred)

With ``steps_per_execution=N`` a group of N batches is one ``tf.function`` call, the
steps unrolled in its graph (as Keras 3's tensorflow trainer runs them).
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from kcore import _tree
from kcore.trainers.data_adapters.data_adapter_utils import unpack_x_y_sample_weight
from kcore.trainers.steps import Steps


class TensorFlowSteps(Steps):
    def convert_leaf(self, value: Any) -> Any:
        if value is None or isinstance(value, tf.Tensor):
            return value
        return super().convert_leaf(value)

    def batch_size(self, x: Any) -> Any:
        return tf.shape(_tree.flatten(x)[0])[0]

    def train_step(self, model: Any, data: Any) -> Any:
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        optimizer = model.optimizer
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            loss = model._compute_loss(x, y, y_pred, sample_weight, training=True)
            model._loss_tracker.update_state(loss, sample_weight=self.batch_size(y_pred))
            if optimizer is not None:
                loss = optimizer.scale_loss(loss)
        trainable = model.trainable_weights
        if trainable:
            grads = tape.gradient(loss, trainable)
            optimizer.apply(grads, trainable)
        return model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def compiles_groups(self) -> bool:
        return not self.model.run_eagerly

    def compile_step(self, fn: Any, name: str) -> Any:
        if self.model.run_eagerly:
            return fn
        return _ByInputSignature(tf.function(fn, jit_compile=self.model.jit_compile))


def _signature(value: Any) -> Any:
    """A hashable key of a batch's structure, dtypes and shapes."""
    if isinstance(value, tf.Tensor):
        return value.dtype, tuple(value.shape)
    if isinstance(value, tuple | list):
        return type(value), tuple(_signature(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _signature(v)) for k, v in value.items())
    return type(value), value


class _ByInputSignature:
    """A ``tf.function`` called through its concrete function for each batch signature.

    ``tf.function.__call__`` canonicalizes and hashes its arguments' trace types on
    every call (~0.2 ms on a 2-core CPU, a tenth of a small model's step); a batch of
    the signature seen before goes straight to the concrete function traced for it.
    Each new signature traces once, as ``tf.function`` itself would.
    """

    def __init__(self, function: Any) -> None:
        self.function = function
        self.concrete: dict[Any, Any] = {}

    def __call__(self, data: Any) -> Any:
        key = _signature(data)
        concrete = self.concrete.get(key)
        if concrete is None:
            try:
                hash(key)
            except TypeError:  # an unhashable Python value in the batch
                return self.function(data)
            concrete = self.concrete[key] = self.function.get_concrete_function(data)
        return concrete(data)


def make_trainer(backend: Any, model: Any) -> TensorFlowSteps:
    """The descriptor's ``trainer`` factory."""
    return TensorFlowSteps(backend, model)
