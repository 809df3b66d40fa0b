"""kcore.metrics accuracy family: the per-sample functions (values and shapes, checked by
hand) and what the classes add (direction, config)."""

from __future__ import annotations

import numpy as np

from kcore import metrics, ops

SCORES = np.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0.0], [0.5, 0.2, 0.3]], "float32")


def numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


def test_accuracy_functions_per_sample():
    one_hot = np.eye(3, dtype="float32")[[2, 1, 0]]
    assert numpy(metrics.categorical_accuracy(one_hot, SCORES)).tolist() == [0.0, 1.0, 1.0]
    assert numpy(metrics.sparse_categorical_accuracy([2, 1, 0], SCORES)).tolist() == [
        0.0,
        1.0,
        1.0,
    ]
    # Top 2 of [0.1, 0.6, 0.3] holds class 2; of [0.5, 0.2, 0.3] class 0.
    assert numpy(metrics.top_k_categorical_accuracy(one_hot, SCORES, k=2)).tolist() == [
        1.0,
        1.0,
        1.0,
    ]
    assert numpy(metrics.sparse_top_k_categorical_accuracy([1, 2, 1], SCORES, k=1)).tolist() == [
        1.0,
        0.0,
        0.0,
    ]


def test_sparse_labels_with_a_trailing_axis_give_one_value_per_sample():
    matches = numpy(metrics.sparse_categorical_accuracy([[2], [1], [0]], SCORES))
    assert matches.shape == (3,)
    assert matches.tolist() == [0.0, 1.0, 1.0]


def test_sparse_accuracy_over_time_steps_keeps_the_steps():
    # (batch=1, steps=3, classes=3): labels (1, 3).
    matches = numpy(metrics.sparse_categorical_accuracy([[1, 1, 0]], SCORES[None]))
    assert matches.shape == (1, 3)
    assert matches.tolist() == [[1.0, 1.0, 1.0]]
    top = numpy(metrics.sparse_top_k_categorical_accuracy([[2, 2, 1]], SCORES[None], k=1))
    assert top.shape == (1, 3) and top.tolist() == [[0.0, 0.0, 0.0]]


def test_binary_accuracy_threshold():
    y_true = [[1.0], [0.0], [1.0]]
    y_pred = [[0.7], [0.6], [0.2]]
    assert numpy(metrics.binary_accuracy(y_true, y_pred)).ravel().tolist() == [1.0, 0.0, 0.0]
    loose = metrics.binary_accuracy(y_true, y_pred, threshold=0.1)
    assert numpy(loose).ravel().tolist() == [1.0, 0.0, 1.0]


def test_sorted_ids_count_a_repeated_label_once():
    ids = [[1, 1, 0], [2, 0, 1]]
    hits = numpy(metrics.sparse_top_k_categorical_accuracy([1, 1], ids, k=2, from_sorted_ids=True))
    assert hits.tolist() == [1.0, 0.0]


def test_accuracy_classes_are_maximized_and_configured_as_keras():
    m = metrics.SparseTopKCategoricalAccuracy(k=3, name="top3", from_sorted_ids=True)
    assert m._direction == "up"
    assert m.get_config() == {"name": "top3", "dtype": "float32", "k": 3, "from_sorted_ids": True}
    assert "from_sorted_ids" not in metrics.SparseTopKCategoricalAccuracy().get_config()
    assert metrics.BinaryAccuracy(threshold=0.7).get_config()["threshold"] == 0.7


def test_accuracy_over_batches_is_a_running_mean():
    m = metrics.Accuracy()
    m.update_state([1, 2, 3, 4], [1, 2, 0, 0])  # 2 of 4
    m.update_state([5, 6], [5, 6], sample_weight=[1.0, 1.0])  # 2 of 2
    np.testing.assert_allclose(numpy(m.result()), 4.0 / 6.0, rtol=1e-6)
