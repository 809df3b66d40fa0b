"""kcore.metrics F-scores and IoU family: averages, thresholds, ignored and out-of-range
classes, and the errors Keras gives (values checked by hand)."""

from __future__ import annotations

import numpy as np
import pytest

from kcore import metrics, ops


def numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


Y_TRUE = np.array([[1, 0], [0, 1], [1, 1]], "float32")
Y_PRED = np.array([[0.9, 0.2], [0.6, 0.7], [0.8, 0.1]], "float32")


def test_f1_per_class_and_averages_by_hand():
    # threshold 0.5 -> predictions [[1, 0], [1, 1], [1, 0]].
    # class 0: tp 2, fp 1, fn 0 -> P 2/3, R 1 -> F1 0.8; class 1: tp 1, fp 0, fn 1 -> 2/3.
    per_class = metrics.F1Score(threshold=0.5)
    per_class.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(numpy(per_class.result()), [0.8, 2 / 3], rtol=1e-5)
    macro = metrics.F1Score(average="macro", threshold=0.5)
    macro.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(numpy(macro.result()), (0.8 + 2 / 3) / 2, rtol=1e-5)
    # micro: tp 3, fp 1, fn 1 -> 0.75.
    micro = metrics.F1Score(average="micro", threshold=0.5)
    micro.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(numpy(micro.result()), 0.75, rtol=1e-5)
    # weighted by support (2 and 2 true labels): the macro value here.
    weighted = metrics.F1Score(average="weighted", threshold=0.5)
    weighted.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(numpy(weighted.result()), (0.8 + 2 / 3) / 2, rtol=1e-5)


def test_f1_without_threshold_takes_the_top_prediction():
    # top predictions: class 0, class 1, class 0 -> class 0: tp 2; class 1: tp 1, fn 1.
    m = metrics.F1Score()
    m.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(numpy(m.result()), [1.0, 2 / 3], rtol=1e-5)


def test_fbeta_weights_recall():
    # class 1 of the case above: P 1, R 1/2 -> F2 = 5 * 0.5 / (4 + 0.5).
    m = metrics.FBetaScore(beta=2.0, threshold=0.5)
    m.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(numpy(m.result())[1], 2.5 / 4.5, rtol=1e-5)
    assert "beta" not in metrics.F1Score().get_config()
    assert metrics.FBetaScore(beta=0.5).get_config()["beta"] == 0.5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"average": "median"}, "average"),
        ({"beta": 1}, "beta"),
        ({"beta": -1.0}, "beta"),
        ({"threshold": 1}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
    ],
)
def test_fbeta_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        metrics.FBetaScore(**kwargs)


def test_f1_needs_two_dimensional_inputs():
    with pytest.raises(ValueError, match="expects 2D inputs"):
        metrics.F1Score().update_state([1.0, 0.0], [0.3, 0.6])


def test_iou_by_hand_with_weights():
    # Confusion matrix (rows labels): [[1, 1], [1, 1]] -> each class 1 / 3.
    m = metrics.MeanIoU(num_classes=2)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    np.testing.assert_allclose(numpy(m.result()), 1 / 3, rtol=1e-5)
    # Integer weights [2, 1, 1, 3]: [[2, 1], [1, 3]] -> 2/4 and 3/5.
    w = metrics.MeanIoU(num_classes=2)
    w.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[2, 1, 1, 3])
    np.testing.assert_allclose(numpy(w.result()), (0.5 + 0.6) / 2, rtol=1e-5)
    assert w.dtype == "int32"


def test_iou_leaves_out_ignored_and_out_of_range_labels():
    m = metrics.IoU(num_classes=3, target_class_ids=[0, 1], ignore_class=2)
    # (2, x) ignored; (5, 0) and (0, -1) out of range; left: (0, 0), (1, 1), (1, 0).
    m.update_state([0, 1, 1, 2, 5, 0], [0, 1, 0, 1, 0, -1])
    cm = numpy(m.total_cm.value)
    assert cm.tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 0]]
    # class 0: 1 / 2, class 1: 1 / 2.
    np.testing.assert_allclose(numpy(m.result()), 0.5, rtol=1e-5)


def test_iou_averages_only_classes_that_occur():
    m = metrics.MeanIoU(num_classes=4)
    m.update_state([0, 1], [0, 1])
    np.testing.assert_allclose(numpy(m.result()), 1.0, rtol=1e-5)


def test_target_class_out_of_range():
    with pytest.raises(ValueError, match="Target class id 3 is out of range"):
        metrics.IoU(num_classes=3, target_class_ids=[0, 3])


def test_binary_iou_threshold_and_one_hot_inputs():
    m = metrics.BinaryIoU(target_class_ids=[1], threshold=0.3)
    m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])  # class 1: 1 / 3
    np.testing.assert_allclose(numpy(m.result()), 1 / 3, rtol=1e-5)
    one_hot = metrics.OneHotMeanIoU(num_classes=3)
    one_hot.update_state([[0, 0, 1], [1, 0, 0]], [[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]])
    np.testing.assert_allclose(numpy(one_hot.result()), 1.0, rtol=1e-5)
