"""kcore.metrics regression, correlation, probabilistic and hinge metrics: the metric
functions (by hand), R2Score's options and errors, and the loss functions the namespace
re-exports."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kcore import losses, metrics, ops


def numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


def test_loss_functions_are_shared_with_losses():
    for name in (
        "mean_squared_error",
        "binary_crossentropy",
        "categorical_focal_crossentropy",
        "huber",
        "log_cosh",
        "poisson",
        "squared_hinge",
    ):
        assert getattr(metrics, name) is getattr(losses, name)


def test_error_metrics_by_hand():
    y_true, y_pred = [[1.0, 2.0], [3.0, 4.0]], [[1.0, 4.0], [2.0, 4.0]]
    cases = {
        metrics.MeanSquaredError: (0 + 4 + 1 + 0) / 4,
        metrics.MeanAbsoluteError: (0 + 2 + 1 + 0) / 4,
        metrics.RootMeanSquaredError: math.sqrt(5 / 4),
        metrics.MeanAbsolutePercentageError: 100 * (0 + 1 + 1 / 3 + 0) / 4,
        metrics.LogCoshError: (math.log(math.cosh(2.0)) + math.log(math.cosh(1.0))) / 4,
    }
    for cls, expected in cases.items():
        m = cls()
        m.update_state(y_true, y_pred)
        np.testing.assert_allclose(numpy(m.result()), expected, rtol=1e-5, err_msg=cls.__name__)
        assert m._direction == "down"


def test_cosine_similarity_metric_is_positive_for_aligned_vectors():
    m = metrics.CosineSimilarity()
    m.update_state([[0.0, 1.0], [1.0, 0.0]], [[0.0, 3.0], [-2.0, 0.0]])
    np.testing.assert_allclose(numpy(m.result()), 0.0, atol=1e-6)  # (1 + -1) / 2
    assert m._direction == "up"


def test_correlation_functions_by_hand():
    y_true = [[1.0, 2.0, 3.0, 4.0]]
    np.testing.assert_allclose(
        numpy(metrics.pearson_correlation(y_true, [[2.0, 4.0, 6.0, 8.0]])), [1.0], rtol=1e-5
    )
    np.testing.assert_allclose(
        numpy(metrics.pearson_correlation(y_true, [[4.0, 3.0, 2.0, 1.0]])), [-1.0], rtol=1e-5
    )
    # Identical values agree fully: var + var + 0 = 2 var, covariance var.
    np.testing.assert_allclose(
        numpy(metrics.concordance_correlation(y_true, y_true)), [1.0], rtol=1e-5
    )


def test_r2_score_by_hand():
    # y = [1, 4, 3], mean 8/3, SS_tot = 14/3; residuals 1, 0, 1 -> 1 - 2 / (14/3) = 4/7.
    m = metrics.R2Score()
    m.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
    np.testing.assert_allclose(numpy(m.result()), 4 / 7, rtol=1e-5)


def test_r2_adjusted_falls_back_with_too_few_samples():
    m = metrics.R2Score(num_regressors=2)
    m.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
    with pytest.warns(UserWarning, match="Division by zero in Adjusted R2"):
        value = m.result()
    np.testing.assert_allclose(numpy(value), 4 / 7, rtol=1e-5)
    # y = [1, 4, 3, 2]: SS_tot 5, residuals 2 -> R2 0.6; n 4, p 2: 1 - 0.4 * 3 / 1.
    m.update_state([[2.0]], [[2.0]])
    np.testing.assert_allclose(numpy(m.result()), -0.2, rtol=1e-5)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"class_aggregation": "median"}, "class_aggregation"), ({"num_regressors": -1}, ">= 0")],
)
def test_r2_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        metrics.R2Score(**kwargs)


def test_r2_needs_two_dimensional_inputs():
    with pytest.raises(ValueError, match="R2Score expects 2D inputs"):
        metrics.R2Score().update_state(np.ones((2, 2, 2)), np.ones((2, 2, 2)))


def test_probabilistic_and_hinge_configs_match_keras():
    bce = metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    assert bce.get_config() == {
        "name": "binary_crossentropy",
        "dtype": "float32",
        "from_logits": True,
        "label_smoothing": 0.1,
    }
    scce = metrics.SparseCategoricalCrossentropy(ignore_class=0)
    assert scce.get_config()["ignore_class"] == 0
    assert metrics.Hinge().get_config() == {"name": "hinge", "dtype": "float32"}
    assert metrics.LogCoshError().name == "logcosh"


def test_sparse_crossentropy_ignore_class_as_keras():
    # The ignored sample's value is 0; as in Keras, its mask removes it from the count
    # only when sample weights are given (Keras 3.15.1: 0.3466 and 0.6931).
    y_true, y_pred = [0, 1], [[0.5, 0.5], [0.5, 0.5]]
    m = metrics.SparseCategoricalCrossentropy(ignore_class=0)
    m.update_state(y_true, y_pred)
    np.testing.assert_allclose(numpy(m.result()), math.log(2.0) / 2, rtol=1e-5)
    weighted = metrics.SparseCategoricalCrossentropy(ignore_class=0)
    weighted.update_state(y_true, y_pred, sample_weight=[1.0, 1.0])
    np.testing.assert_allclose(numpy(weighted.result()), math.log(2.0), rtol=1e-5)
