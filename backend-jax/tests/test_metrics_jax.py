"""On jax, metrics update inside jax.jit through the stateless API, as a jitted train
step does, and agree with the eager stateful metric."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import kcore
from kcore import metrics

pytestmark = pytest.mark.skipif(
    kcore.config.backend() != "jax", reason="needs the jax backend selected"
)

Y_TRUE = np.array([[0, 1, 1], [1, 0, 1]], "float32")
Y_PRED = np.array([[0.2, 0.7, 0.4], [0.9, 0.6, 0.1]], "float32")


@pytest.mark.parametrize(
    "make",
    [
        lambda: metrics.AUC(num_thresholds=5),
        lambda: metrics.Precision(thresholds=[0.3, 0.5]),
        lambda: metrics.BinaryAccuracy(),
        lambda: metrics.MeanSquaredError(),
        lambda: metrics.MeanIoU(3, sparse_y_true=False, sparse_y_pred=False),
    ],
    ids=["auc", "precision", "binary_accuracy", "mse", "mean_iou"],
)
def test_jitted_stateless_update_matches_eager(make):
    metric = make()
    values = metric.stateless_reset_state()

    @jax.jit
    def step(values, y_true, y_pred):
        return metric.stateless_update_state(values, y_true, y_pred)

    values = step(values, Y_TRUE, Y_PRED)
    values = step(values, Y_TRUE[::-1], Y_PRED)
    jitted = jax.jit(metric.stateless_result)(values)
    for variable in metric.variables:  # untouched: the state lives in `values`
        assert not np.any(variable.numpy())

    metric.update_state(Y_TRUE, Y_PRED)
    metric.update_state(Y_TRUE[::-1], Y_PRED)
    np.testing.assert_allclose(np.asarray(jitted), np.asarray(metric.result()), rtol=1e-6)
