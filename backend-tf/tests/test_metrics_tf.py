"""On tensorflow, metrics update inside tf.function (their tf.Variables assigned in the
graph), including with an unknown batch size and a metric that makes its variables on
its first update, and agree with eager updates."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import metrics

pytestmark = pytest.mark.skipif(
    kcore.config.backend() != "tensorflow", reason="needs the tensorflow backend selected"
)

Y_TRUE = np.array([[0, 1, 1], [1, 0, 1]], "float32")
Y_PRED = np.array([[0.2, 0.7, 0.4], [0.9, 0.6, 0.1]], "float32")


@pytest.mark.parametrize(
    "make",
    [
        lambda: metrics.AUC(num_thresholds=5),
        lambda: metrics.Recall(thresholds=[0.3, 0.5]),
        lambda: metrics.Mean(),
        lambda: metrics.F1Score(),  # makes its variables on the first update
        lambda: metrics.R2Score(),
    ],
    ids=["auc", "recall", "mean", "f1", "r2"],
)
def test_update_state_in_tf_function_with_unknown_batch(make):
    import tensorflow as tf

    compiled, eager = make(), make()
    spec = tf.TensorSpec((None, 3), tf.float32)

    def update(y_true, y_pred):
        if isinstance(compiled, metrics.Mean):
            compiled.update_state(y_pred)
        else:
            compiled.update_state(y_true, y_pred)

    update = tf.function(update, input_signature=[spec, spec])
    update(Y_TRUE, Y_PRED)
    update(Y_TRUE[::-1], Y_PRED)

    for y_true in (Y_TRUE, Y_TRUE[::-1]):
        if isinstance(eager, metrics.Mean):
            eager.update_state(Y_PRED)
        else:
            eager.update_state(y_true, Y_PRED)
    np.testing.assert_allclose(np.asarray(compiled.result()), np.asarray(eager.result()), rtol=1e-6)
