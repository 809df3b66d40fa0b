"""kcore.metrics confusion family: thresholds, top_k and class_id, AUC options, the
bucketed counting path against the direct one, and the errors Keras gives."""

from __future__ import annotations

import numpy as np
import pytest

from kcore import metrics, ops
from kcore.metrics import metrics_utils

Y_TRUE = np.array([0, 1, 1, 0, 1, 0, 0, 1], "float32")
Y_PRED = np.array([0.0, 0.15, 0.5, 0.8, 1.0, 0.05, 0.5, 0.2], "float32")


def numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


def test_counts_at_several_thresholds_by_hand():
    tp = metrics.TruePositives(thresholds=[0.0, 0.5, 0.9])
    tp.update_state(Y_TRUE, Y_PRED)
    # Above 0: 0.15, 0.5, 1.0, 0.2 (labels 1); above 0.5: 1.0; above 0.9: 1.0.
    assert numpy(tp.result()).tolist() == [4.0, 1.0, 1.0]
    fp = metrics.FalsePositives(thresholds=[0.0, 0.5, 0.9])
    fp.update_state(Y_TRUE, Y_PRED, sample_weight=[1, 1, 1, 2, 1, 3, 1, 1])
    # Above 0 among label 0: 0.8 (w 2), 0.05 (w 3), 0.5 (w 1); above 0.5: 0.8.
    assert numpy(fp.result()).tolist() == [6.0, 2.0, 0.0]


@pytest.mark.parametrize("cls", [metrics.TrueNegatives, metrics.FalseNegatives])
def test_bucketed_and_direct_counting_agree(cls):
    # [0, 0.5, 1] is evenly spaced (bucketed path); [0, 0.5, 1, 0.75] is not.
    even, uneven = cls(thresholds=[0.0, 0.5, 1.0]), cls(thresholds=[0.0, 0.5, 1.0, 0.75])
    for m in (even, uneven):
        m.update_state(Y_TRUE, Y_PRED, sample_weight=[1, 2, 1, 1, 3, 1, 1, 1])
    assert even._thresholds_distributed_evenly and not uneven._thresholds_distributed_evenly
    np.testing.assert_allclose(numpy(even.result()), numpy(uneven.result())[:3])


def test_precision_top_k_keeps_the_highest_predictions():
    # Per sample, only the top 2 scores count as positives.
    m = metrics.Precision(top_k=2)
    m.update_state([[0, 0, 1, 1]], [[1.0, 0.9, 0.8, 0.1]])
    assert float(numpy(m.result())) == 0.0
    m.update_state([[0, 1, 1, 0]], [[0.2, 0.9, 0.8, 0.1]])
    assert float(numpy(m.result())) == 0.5


def test_recall_of_one_class():
    m = metrics.Recall(class_id=1)
    m.update_state([[0, 1], [0, 1], [1, 0]], [[0.9, 0.8], [0.6, 0.3], [0.4, 0.2]])
    assert float(numpy(m.result())) == 0.5


def test_class_id_needs_two_dimensional_predictions():
    with pytest.raises(ValueError, match="class_id is provided, y_pred must be a 2D array"):
        metrics.Precision(class_id=0).update_state([0, 1], [0.2, 0.7])


@pytest.mark.parametrize("thresholds", [1.5, [0.2, -0.1], [None]])
def test_thresholds_out_of_range_are_refused(thresholds):
    with pytest.raises(ValueError, match="Threshold values must be in \\[0, 1\\]"):
        metrics.Precision(thresholds=thresholds)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: metrics.SensitivityAtSpecificity(1.5), "specificity"),
        (lambda: metrics.SpecificityAtSensitivity(-0.1), "sensitivity"),
        (lambda: metrics.PrecisionAtRecall(2.0), "recall"),
        (lambda: metrics.RecallAtPrecision(0.5, num_thresholds=0), "num_thresholds"),
        (lambda: metrics.AUC(num_thresholds=1), "num_thresholds"),
        (lambda: metrics.AUC(curve="XY"), "Invalid AUC curve"),
        (lambda: metrics.AUC(summation_method="upper"), "Invalid AUC summation method"),
        (lambda: metrics.AUC(num_labels=3), "num_labels"),
    ],
)
def test_bad_arguments_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_auc_thresholds_and_config():
    m = metrics.AUC(thresholds=[0.7, 0.3], name="auc_t")
    assert m.num_thresholds == 4
    thresholds = m.thresholds
    assert thresholds[1:3] == pytest.approx([0.3, 0.7])
    assert thresholds[0] < 0.0 and thresholds[-1] > 1.0
    assert m.get_config()["thresholds"] == pytest.approx([0.3, 0.7])
    assert "thresholds" not in metrics.AUC().get_config()


def test_auc_perfect_and_inverted_rankings():
    perfect, inverted = metrics.AUC(), metrics.AUC()
    perfect.update_state([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    inverted.update_state([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])
    np.testing.assert_allclose(numpy(perfect.result()), 1.0, atol=1e-6)
    np.testing.assert_allclose(numpy(inverted.result()), 0.0, atol=1e-6)


def test_multi_label_auc_builds_on_first_update():
    m = metrics.AUC(multi_label=True, num_thresholds=3)
    assert m.variables == []
    m.update_state([[0, 1], [1, 0]], [[0.2, 0.9], [0.8, 0.1]])
    assert [tuple(v.shape) for v in m.variables] == [(3, 2)] * 4
    np.testing.assert_allclose(numpy(m.result()), 1.0, atol=1e-6)
    with pytest.raises(ValueError, match="rank 2 when `multi_label=True`"):
        metrics.AUC(multi_label=True).update_state([0, 1], [0.2, 0.8])


def test_sensitivity_at_specificity_by_hand():
    # Specificity >= 0.75 first holds above 0.5 (only label-0 score 0.8 above it):
    # then recall is 1 of 4 (the 1.0).
    m = metrics.SensitivityAtSpecificity(0.75, num_thresholds=3)
    m.update_state(Y_TRUE, Y_PRED)
    assert float(numpy(m.result())) == 0.25


def test_enums_parse_keras_spellings():
    assert metrics_utils.AUCCurve.from_str("pr") is metrics_utils.AUCCurve.PR
    assert metrics_utils.AUCCurve.from_str("PRGAIN") is metrics_utils.AUCCurve.PRGAIN
    method = metrics_utils.AUCSummationMethod.from_str("Minoring")
    assert method is metrics_utils.AUCSummationMethod.MINORING
