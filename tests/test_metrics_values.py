"""kcore.metrics against Keras 3: every metric class on the same small batches, with
and without sample weights. For each case: the result equals the number Keras 3.15.1
gave (computed once, hard-coded here); reset_state zeroes the state; the stateless API
(stateless_reset_state, stateless_update_state, stateless_result) gives the same
result and leaves the metric's variables alone; get_config/from_config and
serialize/deserialize round-trip."""

from __future__ import annotations

import numpy as np
import pytest

from kcore import metrics, ops

P = np.array(
    [
        [0.64, 0.27, 0.04],
        [0.02, 0.81, 0.91],
        [0.61, 0.73, 0.54],
        [0.94, 0.82, 0.0],
        [0.86, 0.03, 0.73],
        [0.18, 0.86, 0.54],
    ],
    "float32",
)
Yb = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0], [1, 0, 0], [0, 1, 1]], "float32")
Yoh = np.eye(3, dtype="float32")[[0, 2, 1, 1, 0, 2]]
Ysp = np.array([0, 2, 1, 1, 0, 2], "int32")
W = np.array([1.0, 0.5, 2.0, 0.0, 1.0, 1.5], "float32")
R1 = np.array(
    [
        [0.41, 1.04, -0.13],
        [1.37, -0.67, 0.35],
        [0.9, 0.09, -0.74],
        [-0.92, -0.46, 0.22],
        [-1.01, -0.21, -0.16],
        [0.54, 0.21, 0.36],
    ],
    "float32",
)
R2 = np.array(
    [
        [0.08, 0.98, 0.26],
        [2.12, -1.3, 1.11],
        [1.57, 0.48, -0.61],
        [-1.08, 0.27, 1.2],
        [-0.11, 0.45, 0.02],
        [-0.06, 0.21, 0.69],
    ],
    "float32",
)
Pb = np.array([0.34, 0.15, 0.45, 0.8, 0.23, 0.05, 0.4, 0.2], "float32")
Yb1 = np.array([0, 1, 1, 0, 1, 0, 0, 1], "float32")
W8 = np.array([1, 2, 1, 0.5, 1, 1, 3, 1], "float32")
logits = np.array(
    [
        [1.74, -0.5, 0.33],
        [-0.26, 1.58, 1.32],
        [0.63, -2.2, 0.05],
        [0.68, 1.0, -0.62],
        [1.82, -1.32, -0.66],
        [0.94, 0.05, 2.0],
    ],
    "float32",
)
seg_t = np.array([0, 1, 2, 2, 1, 0, 3, 2], "int32")
seg_p = np.array([0, 2, 2, 1, 1, 0, 2, 3], "int32")

# (id, class, constructor arguments, batches (y_true, y_pred, sample_weight), Keras's result)
CASES = [
    ("acc", "Accuracy", {}, [(Ysp, np.array([0, 2, 2, 1, 0, 1]), None), (Ysp, Ysp, W)], 0.8333333),
    ("binacc", "BinaryAccuracy", {}, [(Yb, P, None), (Yb, P, W)], 0.7361112),
    ("binacc_t", "BinaryAccuracy", {"threshold": 0.3}, [(Yb, P, None)], 0.7222223),
    ("catacc", "CategoricalAccuracy", {}, [(Yoh, P, None), (Yoh, P, W)], 0.7083333),
    (
        "spcatacc",
        "SparseCategoricalAccuracy",
        {},
        [(Ysp, P, None), (Ysp[:, None], P, W)],
        0.7083333,
    ),
    ("topk", "TopKCategoricalAccuracy", {"k": 2}, [(Yoh, P, None), (Yoh, P, W)], 1.0),
    ("topk1", "TopKCategoricalAccuracy", {"k": 1}, [(Yoh, P, W)], 0.75),
    ("sptopk1", "SparseTopKCategoricalAccuracy", {"k": 1}, [(Ysp, P, None)], 0.6666667),
    ("sptopk", "SparseTopKCategoricalAccuracy", {"k": 2}, [(Ysp, P, None), (Ysp, P, W)], 1.0),
    (
        "sptopk_ids",
        "SparseTopKCategoricalAccuracy",
        {"k": 2, "from_sorted_ids": True},
        [(Ysp, np.argsort(-P, axis=1), None)],
        1.0,
    ),
    ("tp", "TruePositives", {}, [(Yb, P, None), (Yb, P, W)], 17.5),
    (
        "fp_multi",
        "FalsePositives",
        {"thresholds": [0.15, 0.5, 0.85]},
        [(Yb, P, None), (Yb, P, W)],
        [12.0, 7.5, 1.0],
    ),
    ("tn_even", "TrueNegatives", {"thresholds": [0.0, 0.5, 1.0]}, [(Yb, P, W)], [0.0, 4.0, 7.5]),
    ("fn", "FalseNegatives", {}, [(Yb1, Pb, W8)], 5.0),
    ("prec", "Precision", {}, [(Yb, P, None), (Yb, P, W)], 0.7),
    ("prec_topk", "Precision", {"top_k": 2}, [(Yb, P, None)], 0.6666667),
    (
        "prec_cls",
        "Precision",
        {"class_id": 1, "thresholds": [0.3, 0.6]},
        [(Yb, P, W)],
        [0.875, 0.875],
    ),
    (
        "rec",
        "Recall",
        {"thresholds": [0.2, 0.4, 0.7]},
        [(Yb, P, None), (Yb, P, W)],
        [0.8974359, 0.8974359, 0.5128205],
    ),
    ("rec_topk_cls", "Recall", {"top_k": 1, "class_id": 2}, [(Yb, P, None)], 0.3333333),
    (
        "sens_at_spec",
        "SensitivityAtSpecificity",
        {"specificity": 0.6},
        [(Yb1, Pb, None), (Yb1, Pb, W8)],
        0.2222222,
    ),
    (
        "spec_at_sens",
        "SpecificityAtSensitivity",
        {"sensitivity": 0.5, "num_thresholds": 7},
        [(Yb1, Pb, W8)],
        0.1818182,
    ),
    (
        "prec_at_rec",
        "PrecisionAtRecall",
        {"recall": 0.5, "num_thresholds": 1},
        [(Yb1, Pb, None)],
        0.0,
    ),
    ("rec_at_prec", "RecallAtPrecision", {"precision": 0.6, "class_id": 0}, [(Yb, P, W)], 1.0),
    ("auc", "AUC", {}, [(Yb1, Pb, None), (Yb, P, W)], 0.6686656),
    ("auc_pr", "AUC", {"curve": "PR", "num_thresholds": 7}, [(Yb1, Pb, W8)], 0.3282097),
    (
        "auc_pr_maj",
        "AUC",
        {"curve": "PR", "summation_method": "majoring"},
        [(Yb1, Pb, None)],
        0.4928572,
    ),
    (
        "auc_roc_min",
        "AUC",
        {"summation_method": "minoring", "num_thresholds": 7},
        [(Yb1, Pb, None)],
        0.1875,
    ),
    ("auc_prgain", "AUC", {"curve": "PRGAIN"}, [(Yb1, Pb, W8)], -0.3326446),
    ("auc_thr", "AUC", {"thresholds": [0.3, 0.5, 0.6]}, [(Yb1, Pb, None)], 0.21875),
    (
        "auc_multi",
        "AUC",
        {"multi_label": True, "num_labels": 3},
        [(Yb, P, None), (Yb, P, W)],
        0.7177642,
    ),
    (
        "auc_multi_lw",
        "AUC",
        {"multi_label": True, "label_weights": [0.2, 0.5, 1.0]},
        [(Yb, P, None)],
        0.6993463,
    ),
    ("auc_lw", "AUC", {"label_weights": [0.2, 0.5, 1.0]}, [(Yb, P, None)], 0.7185697),
    ("auc_logits", "AUC", {"from_logits": True}, [(Yb, logits, None)], 0.7469136),
    ("f1", "F1Score", {}, [(Yb, P, None), (Yb, P, W)], [0.6666666, 0.9166666, 0.3999999]),
    ("f1_micro", "F1Score", {"average": "micro", "threshold": 0.5}, [(Yb, P, W)], 0.8085105),
    ("f1_macro", "F1Score", {"average": "macro", "threshold": 0.4}, [(Yb, P, None)], 0.7619047),
    (
        "fbeta_w",
        "FBetaScore",
        {"average": "weighted", "beta": 2.0, "threshold": 0.5},
        [(Yb, P, None)],
        0.8333334,
    ),
    ("iou", "IoU", {"num_classes": 4, "target_class_ids": [0, 2]}, [(seg_t, seg_p, None)], 0.6),
    (
        "meaniou",
        "MeanIoU",
        {"num_classes": 4},
        [(seg_t, seg_p, None), (seg_t, seg_p, np.array([1, 2, 1, 0, 1, 1, 3, 1]))],
        0.375,
    ),
    (
        "meaniou_ign",
        "MeanIoU",
        {"num_classes": 4, "ignore_class": 2},
        [(seg_t, seg_p, None)],
        0.375,
    ),
    ("biniou", "BinaryIoU", {"threshold": 0.4}, [(Yb1, Pb, None)], 0.2261905),
    (
        "onehotiou",
        "OneHotIoU",
        {"num_classes": 3, "target_class_ids": [0, 1]},
        [(Yoh, P, None)],
        0.5,
    ),
    ("onehotmeaniou", "OneHotMeanIoU", {"num_classes": 3}, [(Yoh, P, None)], 0.5),
    ("mse", "MeanSquaredError", {}, [(R1, R2, None), (R1, R2, W)], 0.2759875),
    ("mae", "MeanAbsoluteError", {}, [(R1, R2, W)], 0.4091667),
    ("mape", "MeanAbsolutePercentageError", {}, [(R1, R2, None)], 145.4296417),
    ("msle", "MeanSquaredLogarithmicError", {}, [(np.abs(R1), np.abs(R2), W)], 0.0742295),
    ("rmse", "RootMeanSquaredError", {}, [(R1, R2, None), (R1, R2, W)], 0.5253451),
    ("cos", "CosineSimilarity", {}, [(R1, R2, W)], 0.6766888),
    ("logcosh", "LogCoshError", {}, [(R1, R2, None)], 0.1450698),
    ("r2", "R2Score", {}, [(R1, R2, None), (R1, R2, W)], 0.1464476),
    (
        "r2_vw",
        "R2Score",
        {"class_aggregation": "variance_weighted_average"},
        [(R1, R2, None)],
        0.2382104,
    ),
    (
        "r2_none",
        "R2Score",
        {"class_aggregation": None},
        [(R1, R2, W)],
        [0.1128603, 0.2578892, 0.444921],
    ),
    ("r2_adj", "R2Score", {"num_regressors": 2}, [(R1[:, :1], R2[:, :1], None)], 0.1849585),
    ("pearson", "PearsonCorrelation", {}, [(R1, R2, None), (R1, R2, W)], 0.606289),
    ("ccc", "ConcordanceCorrelation", {}, [(R1, R2, W)], 0.4479556),
    ("bce", "BinaryCrossentropy", {}, [(Yb, P, None), (Yb, P, W)], 0.6607212),
    (
        "bce_logits",
        "BinaryCrossentropy",
        {"from_logits": True, "label_smoothing": 0.1},
        [(Yb, logits, None)],
        0.6803271,
    ),
    ("cce", "CategoricalCrossentropy", {}, [(Yoh, P, W)], 0.8091204),
    (
        "cce_logits",
        "CategoricalCrossentropy",
        {"from_logits": True, "label_smoothing": 0.2},
        [(Yoh, logits, None)],
        1.0665044,
    ),
    ("scce", "SparseCategoricalCrossentropy", {}, [(Ysp, P, None), (Ysp, P, W)], 0.7762099),
    (
        "scce_logits",
        "SparseCategoricalCrossentropy",
        {"from_logits": True},
        [(Ysp, logits, W)],
        1.3498751,
    ),
    ("kld", "KLDivergence", {}, [(Yoh, P, W)], 0.3663247),
    ("poisson", "Poisson", {}, [(np.abs(R1), np.abs(R2), None)], 1.0061494),
    ("hinge", "Hinge", {}, [(Yb, R2, None)], 0.9011111),
    ("sqhinge", "SquaredHinge", {}, [(Yb, R2, W)], 0.9892945),
    ("cathinge", "CategoricalHinge", {}, [(Yoh, R2, None)], 1.6683334),
]


def numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


def assert_close(actual, expected):
    np.testing.assert_allclose(numpy(actual), np.asarray(expected), rtol=1e-4, atol=1e-5)


def assert_zero_state(metric):
    for variable in metric.variables:
        assert not np.any(variable.numpy()), variable.path


@pytest.mark.parametrize(
    "cls_name, kwargs, batches, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_metric_matches_keras(cls_name, kwargs, batches, expected):
    metric = getattr(metrics, cls_name)(**kwargs)
    for y_true, y_pred, sample_weight in batches:
        metric.update_state(y_true, y_pred, sample_weight=sample_weight)
    assert_close(metric.result(), expected)

    metric.reset_state()
    assert_zero_state(metric)

    fresh = getattr(metrics, cls_name)(**kwargs)
    values = fresh.stateless_reset_state()
    for y_true, y_pred, sample_weight in batches:
        values = fresh.stateless_update_state(values, y_true, y_pred, sample_weight=sample_weight)
    assert_close(fresh.stateless_result(values), expected)
    assert_zero_state(fresh)

    config = metric.get_config()
    assert type(metric).from_config(config).get_config() == config
    restored = metrics.deserialize(metrics.serialize(metric))
    assert type(restored) is type(metric)
    assert restored.get_config() == config
