"""kcore.losses: values, reductions, weights, masks, configs and errors on the current backend.

Expected numbers were computed once with Keras 3.15.1 (TensorFlow backend) on the same
inputs and are written out here; this file does not import keras.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import kcore
from kcore import losses, ops
from kcore.losses.loss import get_mask, set_mask
from kcore.losses.losses import LossFunctionWrapper
from kcore.saving.serialization import (
    deserialize_keras_object,
    register_keras_serializable,
    serialize_keras_object,
)

TRAINABLE = kcore.backend.current().capabilities.trainable

SURFACE = (
    "BinaryCrossentropy BinaryFocalCrossentropy CTC CategoricalCrossentropy "
    "CategoricalFocalCrossentropy CategoricalGeneralizedCrossEntropy CategoricalHinge Circle "
    "CosineSimilarity Dice Hinge Huber KLDivergence LogCosh Loss MeanAbsoluteError "
    "MeanAbsolutePercentageError MeanSquaredError MeanSquaredLogarithmicError Poisson "
    "SparseCategoricalCrossentropy SquaredHinge Tversky binary_crossentropy "
    "binary_focal_crossentropy categorical_crossentropy categorical_focal_crossentropy "
    "categorical_generalized_cross_entropy categorical_hinge circle cosine_similarity ctc "
    "deserialize dice get hinge huber kl_divergence log_cosh mean_absolute_error "
    "mean_absolute_percentage_error mean_squared_error mean_squared_logarithmic_error poisson "
    "serialize sparse_categorical_crossentropy squared_hinge tversky"
).split()

YT2 = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
YP2 = [[0.3, 0.7], [0.6, 0.4], [0.2, 0.9]]
LOGITS = [[0.5, -1.0], [2.0, 0.1], [-0.3, 1.2]]
ONEHOT = [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
PROBS3 = [[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6]]
LOGITS3 = [[1.0, 2.0, 0.5], [0.3, -1.0, 0.2], [0.0, 0.5, 2.0]]
SPARSE = [1, 0, 2]
REG_T = [[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]]
REG_P = [[1.5, 1.0], [0.0, -2.5], [3.2, 0.1]]
POS_T = [[1.0, 2.0], [0.5, 1.0], [3.0, 0.0]]
POS_P = [[1.5, 1.0], [0.2, 2.5], [3.2, 0.1]]
EMBED = [[0.6, 0.8], [0.8, 0.6], [1.0, 0.0]]
CTC_TRUE = [[1, 2, 0], [3, 3, 1]]
CTC_LOGITS = np.linspace(-1.0, 1.5, 40).reshape(2, 5, 4).tolist()
SW = [1.0, 0.5, 2.0]

# (class, arguments, y_true, y_pred, default reduction, with SW, reduction=None)
CASES = [
    ("MeanSquaredError", {}, REG_T, REG_P, 0.6333333, 0.4333334, [0.625, 1.25, 0.025]),
    ("MeanAbsoluteError", {}, REG_T, REG_P, 0.6333333, 0.5166667, [0.75, 1.0, 0.15]),
    (
        "MeanAbsolutePercentageError",
        {},
        REG_T,
        REG_P,
        16666730.0,
        33333370.0,
        [50.0, 125.0, 50000000.0],
    ),
    (
        "MeanSquaredLogarithmicError",
        {},
        POS_T,
        POS_P,
        0.09810372,
        0.06976757,
        [0.1070975, 0.1814814, 0.005732243],
    ),
    (
        "CosineSimilarity",
        {},
        REG_T,
        REG_P,
        -0.9207275,
        -1.104827,
        [-0.8682431, -0.8944272, -0.9995121],
    ),
    ("CosineSimilarity", {"axis": 0}, REG_T, REG_P, -0.8639594, None, [-0.9810244, -0.7468944]),
    ("Huber", {}, REG_T, REG_P, 0.2958333, 0.20625, [0.3125, 0.5625, 0.0125]),
    ("Huber", {"delta": 0.4}, REG_T, REG_P, 0.1841667, 0.135, [0.22, 0.32, 0.0125]),
    ("LogCosh", {}, REG_T, REG_P, 0.2590516, 0.1818987, [0.2769477, 0.4877773, 0.01242989]),
    ("KLDivergence", {}, YT2, YP2, 0.8607653, 1.347227, [0.3566735, 0.510824, 1.714798]),
    ("Poisson", {}, POS_T, POS_P, 0.7489184, 0.5016407, [1.047267, 1.294214, -0.09472616]),
    ("Hinge", {}, YT2, REG_P, 0.7333333, 0.8, [1.25, 0.5, 0.45]),
    ("Hinge", {}, [[-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]], REG_P, 0.7333333, 0.8, [1.25, 0.5, 0.45]),
    ("SquaredHinge", {}, YT2, REG_P, 1.343333, 1.395, [3.125, 0.5, 0.405]),
    ("CategoricalHinge", {}, ONEHOT, PROBS3, 0.6333333, 0.7, [0.5, 0.8, 0.6]),
    ("BinaryCrossentropy", {}, YT2, YP2, 0.5749666, 0.7756287, [0.356675, 0.5108256, 0.8573992]),
    (
        "BinaryCrossentropy",
        {"from_logits": True},
        YT2,
        LOGITS,
        0.7127168,
        0.8263795,
        [1.143669, 0.4356623, 0.5588189],
    ),
    (
        "BinaryCrossentropy",
        {"label_smoothing": 0.2},
        YT2,
        YP2,
        0.6302409,
        0.8376607,
        [0.4414048, 0.5513721, 0.8979457],
    ),
    (
        "BinaryFocalCrossentropy",
        {},
        YT2,
        YP2,
        0.2097933,
        0.3680203,
        [0.03210075, 0.08173208, 0.515547],
    ),
    (
        "BinaryFocalCrossentropy",
        {
            "apply_class_balancing": True,
            "alpha": 0.3,
            "gamma": 1.5,
            "from_logits": True,
            "label_smoothing": 0.1,
        },
        YT2,
        LOGITS,
        0.1451837,
        0.1503587,
        [0.2742146, 0.09720769, 0.06412883],
    ),
    (
        "CategoricalCrossentropy",
        {},
        ONEHOT,
        PROBS3,
        0.5202159,
        0.5749666,
        [0.356675, 0.6931472, 0.5108256],
    ),
    (
        "CategoricalCrossentropy",
        {"from_logits": True},
        ONEHOT,
        LOGITS3,
        0.5162806,
        0.4887129,
        [0.4643688, 0.7781173, 0.3063557],
    ),
    (
        "CategoricalCrossentropy",
        {"label_smoothing": 0.3},
        ONEHOT,
        PROBS3,
        0.7476497,
        0.8518559,
        [0.6765423, 0.8358588, 0.730548],
    ),
    (
        "CategoricalFocalCrossentropy",
        {},
        ONEHOT,
        PROBS3,
        0.02392664,
        0.02351736,
        [0.008025188, 0.0433217, 0.02043302],
    ),
    (
        "CategoricalFocalCrossentropy",
        {"alpha": 0.5, "gamma": 1.0, "from_logits": True, "label_smoothing": 0.1},
        ONEHOT,
        LOGITS3,
        0.1533701,
        0.146668,
        [0.12741, 0.2352042, 0.09749597],
    ),
    (
        "SparseCategoricalCrossentropy",
        {},
        SPARSE,
        PROBS3,
        0.5202158,
        0.5749665,
        [0.3566749, 0.6931471, 0.5108256],
    ),
    (
        "SparseCategoricalCrossentropy",
        {"from_logits": True},
        SPARSE,
        LOGITS3,
        0.5162806,
        0.4887129,
        [0.4643688, 0.7781173, 0.3063557],
    ),
    (
        "SparseCategoricalCrossentropy",
        {"ignore_class": 0},
        SPARSE,
        PROBS3,
        0.4337502,
        0.689163,
        [0.3566749, 0.0, 0.5108256],
    ),
    (
        "SparseCategoricalCrossentropy",
        {"from_logits": True, "ignore_class": 2},
        [[1], [0], [2]],
        LOGITS3,
        0.6212431,
        0.4267137,
        [0.4643688, 0.7781173, 0.0],
    ),
    (
        "CategoricalGeneralizedCrossEntropy",
        {},
        SPARSE,
        PROBS3,
        0.4544244,
        0.5070621,
        [0.3266799, 0.5857865, 0.4508066],
    ),
    (
        "CategoricalGeneralizedCrossEntropy",
        {"q": 0.2},
        SPARSE,
        PROBS3,
        0.4923652,
        0.5463566,
        [0.3442505, 0.6472471, 0.4855978],
    ),
    ("Dice", {}, YT2, YP2, 0.3239436, 0.3779342, 0.3239436),
    ("Dice", {"axis": 1}, YT2, YP2, 0.3301075, 0.360215, [0.3, 0.4, 0.2903225]),
    ("Tversky", {}, YT2, YP2, 0.3239437, 0.3779343, 0.3239437),
    (
        "Tversky",
        {"alpha": 0.7, "beta": 0.3, "axis": 1},
        YT2,
        YP2,
        0.3547207,
        0.4094413,
        [0.3, 0.4, 0.3641619],
    ),
    ("Circle", {}, [0, 0, 1], EMBED, 14.54562, 8.11362, [3.36324, 25.728, 0.0]),
    (
        "Circle",
        {"gamma": 10.0, "margin": 0.25, "remove_diagonal": False},
        [0, 1, 1],
        EMBED,
        6.716569,
        6.336901,
        [7.969979, 8.879155, 3.300574],
    ),
    ("CTC", {}, CTC_TRUE, CTC_LOGITS, 4.259704, 3.019016, [3.556657, 4.962749]),
]


def _f32(x):
    return np.asarray(x, dtype="float32")


def _labels(cls, y_true):
    return np.asarray(y_true, dtype="int32") if cls == "CTC" else _f32(y_true)


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _close(got, expected, rtol=1e-4, atol=1e-5):
    np.testing.assert_allclose(_np(got), np.asarray(expected, dtype="float64"), rtol, atol)


def _case_id(case):
    return case[0] + ("-" + "-".join(f"{k}={v}" for k, v in case[1].items()) if case[1] else "")


# --------------------------------------------------------------------------- surface
def test_every_keras_loss_name_is_there():
    missing = [name for name in SURFACE if not hasattr(losses, name)]
    assert missing == []
    assert kcore.Loss is losses.Loss


# ---------------------------------------------------------------------- class values
@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_class_matches_keras(case):
    cls, kwargs, y_true, y_pred, plain, weighted, unreduced = case
    loss = getattr(losses, cls)(**kwargs)
    y_true, y_pred = _labels(cls, y_true), _f32(y_pred)
    _close(loss(y_true, y_pred), plain)
    if weighted is not None:
        _close(loss(y_true, y_pred, sample_weight=_f32(SW[: len(y_true)])), weighted)
    values = getattr(losses, cls)(reduction=None, **kwargs)(y_true, y_pred)
    assert tuple(values.shape) == np.shape(unreduced)
    _close(values, unreduced)


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_function_gives_the_unreduced_values(case):
    cls, kwargs, y_true, y_pred, _, _, unreduced = case
    loss = getattr(losses, cls)(**kwargs)
    values = loss.fn(_labels(cls, y_true), _f32(y_pred), **loss._fn_kwargs)
    _close(values, unreduced)


def test_functions_by_keras_name():
    # The names the metrics import from kcore.losses.losses, against NumPy formulas.
    from kcore.losses import losses as module

    t, p = np.asarray(REG_T, "float64"), np.asarray(REG_P, "float64")
    yt, yp = np.asarray(YT2, "float64"), np.asarray(YP2, "float64")
    signs = 2 * yt - 1
    error = p - t
    expected = {
        "mean_squared_error": (REG_T, REG_P, (error**2).mean(-1)),
        "mean_absolute_error": (REG_T, REG_P, np.abs(error).mean(-1)),
        "log_cosh": (REG_T, REG_P, np.log(np.cosh(error)).mean(-1)),
        "cosine_similarity": (
            REG_T,
            REG_P,
            -(t * p).sum(-1) / np.linalg.norm(t, axis=-1) / np.linalg.norm(p, axis=-1),
        ),
        "poisson": (POS_T, POS_P, (np.asarray(POS_P) - POS_T * np.log(POS_P)).mean(-1)),
        "hinge": (YT2, REG_P, np.maximum(1 - signs * p, 0).mean(-1)),
        "squared_hinge": (YT2, REG_P, (np.maximum(1 - signs * p, 0) ** 2).mean(-1)),
        "binary_crossentropy": (
            YT2,
            YP2,
            -(yt * np.log(yp) + (1 - yt) * np.log(1 - yp)).mean(-1),
        ),
    }
    for name, (y_true, y_pred, values) in expected.items():
        _close(getattr(module, name)(_f32(y_true), _f32(y_pred)), values)
    other = np.asarray([[0.5, 0.5], [0.9, 0.1], [0.25, 0.75]])
    _close(module.kl_divergence(_f32(YP2), _f32(other)), (yp * np.log(yp / other)).sum(-1))
    _close(module.huber(_f32(REG_T), _f32(REG_P), delta=0.4), [0.22, 0.32, 0.0125])
    _close(module.categorical_hinge(_f32(ONEHOT), _f32(PROBS3)), [0.5, 0.8, 0.6])
    true_p = np.asarray(PROBS3)[np.arange(3), SPARSE]
    _close(module.categorical_crossentropy(_f32(ONEHOT), _f32(PROBS3)), -np.log(true_p))
    _close(module.sparse_categorical_crossentropy(SPARSE, _f32(PROBS3)), -np.log(true_p))
    _close(
        module.categorical_generalized_cross_entropy(SPARSE, _f32(PROBS3), q=0.5),
        (1 - true_p**0.5) / 0.5,
    )
    _close(
        module.mean_absolute_percentage_error(_f32(POS_P), _f32(REG_P)),
        100 * (np.abs(np.asarray(POS_P) - p) / np.abs(POS_P)).mean(-1),
    )
    _close(
        module.mean_squared_logarithmic_error(_f32(POS_T), _f32(POS_P)),
        ((np.log1p(POS_P) - np.log1p(np.maximum(POS_T, 1e-7))) ** 2).mean(-1),
    )
    _close(module.dice(_f32(YT2), _f32(YP2)), 1 - 2 * (yt * yp).sum() / (yt.sum() + yp.sum()))
    _close(
        module.tversky(_f32(YT2), _f32(YP2), alpha=1.0, beta=0.0), 1 - (yt * yp).sum() / yt.sum()
    )


# ------------------------------------------------------------------------ reductions
REDUCED = {
    "sum": (1.9, 1.3),
    "sum_over_batch_size": (0.6333333, 0.4333334),
    "mean": (0.6333333, 0.4333334),
    "mean_with_sample_weight": (0.6333333, 0.3714286),
    "none": ([0.625, 1.25, 0.025], [0.625, 0.625, 0.05]),
    None: ([0.625, 1.25, 0.025], [0.625, 0.625, 0.05]),
}


@pytest.mark.parametrize("reduction", list(REDUCED), ids=str)
def test_reductions(reduction):
    loss = losses.MeanSquaredError(reduction=reduction)
    plain, weighted = REDUCED[reduction]
    _close(loss(_f32(REG_T), _f32(REG_P)), plain)
    _close(loss(_f32(REG_T), _f32(REG_P), sample_weight=_f32(SW)), weighted)


def test_bad_reduction_is_a_clear_error():
    with pytest.raises(ValueError, match=r"reduction.*Received: reduction='avg'"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        losses.Loss(reduction="batch")


def test_zero_weights_give_zero_not_nan():
    loss = losses.MeanSquaredError(reduction="mean_with_sample_weight")
    _close(loss(_f32(REG_T), _f32(REG_P), sample_weight=_f32([0.0, 0.0, 0.0])), 0.0)


# -------------------------------------------------------------------- sample weights
def test_sample_weight_shapes_broadcast():
    loss = losses.MeanSquaredError()
    y_true, y_pred = _f32(REG_T), _f32(REG_P)
    _close(loss(y_true, y_pred, sample_weight=_f32([[1.0], [0.5], [2.0]])), 0.4333334)
    _close(loss(y_true, y_pred, sample_weight=2.0), 2 * 0.6333333)
    # Per-timestep weights: values (2, 2) from (2, 2, 1) inputs, weights (2, 2).
    y_true3 = _f32([[[1.0], [2.0]], [[0.0], [1.0]]])
    y_pred3 = _f32([[[2.0], [2.0]], [[2.0], [0.0]]])
    weights = _f32([[1.0, 0.0], [0.5, 2.0]])
    _close(loss(y_true3, y_pred3, sample_weight=weights), (1.0 + 0.5 * 4 + 2.0) / 4)


def test_rank_of_labels_is_matched():
    loss = losses.MeanAbsoluteError(reduction=None)
    _close(loss(_f32([1.0, 2.0, 3.0]), _f32([[1.5], [2.0], [1.0]])), [0.5, 0.0, 2.0])
    sparse = losses.SparseCategoricalCrossentropy(reduction=None)
    _close(sparse(np.asarray([[1], [0], [2]]), _f32(PROBS3)), [0.3566749, 0.6931471, 0.5108256])


def test_python_lists_are_array_values():
    _close(losses.MeanSquaredError()(REG_T, REG_P), 0.6333333)
    _close(losses.SparseCategoricalCrossentropy()(SPARSE, PROBS3), 0.5202158)
    _close(losses.MeanAbsoluteError(reduction="sum")([1.0, 2.0], [[1.5], [2.0]]), 0.5)


# --------------------------------------------------------------------------- masks
def _masked_prediction(mask):
    y_pred = ops.convert_to_tensor(_f32(REG_P))
    set_mask(y_pred, ops.convert_to_tensor(np.asarray(mask)))
    return y_pred


@pytest.mark.parametrize(
    ("reduction", "expected", "weighted"),
    [
        ("sum_over_batch_size", 0.325, (0.625 * 1.5 + 0.025 * 2 * 1.5) / 3),
        ("sum", 0.65, 0.625 + 0.05),
        ("mean_with_sample_weight", 0.325, (0.625 + 0.05) / 3.0),
        (None, [0.625, 0.0, 0.025], [0.625, 0.0, 0.05]),
    ],
    ids=str,
)
def test_mask_on_predictions_is_applied(reduction, expected, weighted):
    loss = losses.MeanSquaredError(reduction=reduction)
    y_pred = _masked_prediction([True, False, True])
    assert get_mask(y_pred) is not None
    _close(loss(_f32(REG_T), y_pred), expected)
    _close(loss(_f32(REG_T), y_pred, sample_weight=_f32(SW)), weighted)


def test_everything_masked_gives_zero():
    loss = losses.MeanSquaredError()
    _close(loss(_f32(REG_T), _masked_prediction([False, False, False])), 0.0)
    ignore_all = losses.SparseCategoricalCrossentropy(ignore_class=7)
    _close(ignore_all(np.asarray([7, 7, 7]), _f32(PROBS3)), 0.0)


def test_ignore_class_sets_the_mask_of_the_values():
    values = losses.sparse_categorical_crossentropy(
        np.asarray([1, 0, 2]), _f32(PROBS3), ignore_class=0
    )
    _close(values, [0.3566749, 0.0, 0.5108256])
    assert _np(get_mask(values)).tolist() == [True, False, True]


# ------------------------------------------------------------------------- dtypes
def test_dtype_default_and_policy():
    assert losses.MeanSquaredError().dtype == kcore.config.floatx()
    loss = losses.MeanSquaredError(dtype="float16")
    assert loss.dtype == "float16"
    result = loss(_f32(REG_T), _f32(REG_P))
    assert str(_np(result).dtype) == "float16"
    _close(result, 0.6333333, rtol=2e-3)
    mixed = kcore.dtype_policies.DTypePolicy("mixed_float16")
    assert losses.MeanSquaredError(dtype=mixed).dtype == "float16"


def test_integer_labels_are_cast():
    loss = losses.BinaryCrossentropy(reduction=None)
    _close(loss(np.asarray(YT2, dtype="int32"), _f32(YP2)), [0.356675, 0.5108256, 0.8573992])


# ------------------------------------------------------------------- bad arguments
def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match=r"q must be .*\(0, 1\).*q=1.5"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(ValueError, match="axis.*must be an int"):
        losses.categorical_crossentropy(ONEHOT, PROBS3, axis=True)
    with pytest.raises(ValueError, match=r"y_true.*\(batch_size, max_length\).*\(2,\)"):
        losses.ctc(np.asarray([1, 2]), _f32(CTC_LOGITS))
    with pytest.raises(ValueError, match=r"y_pred.*num_classes.*\(2, 20\)"):
        losses.ctc(np.asarray(CTC_TRUE), _f32(np.zeros((2, 20))))
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 42"):
        losses.get(42)
    with pytest.raises(ValueError, match="no_such_loss"):
        losses.get({"class_name": "no_such_loss", "config": {}})
    with pytest.raises(TypeError, match="callable"):
        LossFunctionWrapper("mse")
    with pytest.raises(NotImplementedError, match="must implement call"):
        losses.Loss()(_f32(REG_T), _f32(REG_P))


def test_single_class_categorical_warns():
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy([[1.0], [0.0]], [[0.9], [0.2]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses.categorical_crossentropy(ONEHOT, PROBS3)


# ------------------------------------------------------------------------- configs
CONFIG_KEYS = {
    "BinaryCrossentropy": {"from_logits", "label_smoothing", "axis"},
    "BinaryFocalCrossentropy": {
        "from_logits",
        "label_smoothing",
        "axis",
        "apply_class_balancing",
        "alpha",
        "gamma",
    },
    "CategoricalCrossentropy": {"from_logits", "label_smoothing", "axis"},
    "CategoricalFocalCrossentropy": {"from_logits", "label_smoothing", "axis", "alpha", "gamma"},
    "CategoricalGeneralizedCrossEntropy": {"q"},
    "SparseCategoricalCrossentropy": {"from_logits", "ignore_class", "axis"},
    "Circle": {"gamma", "margin", "remove_diagonal"},
    "Dice": {"axis"},
    "Tversky": {"alpha", "beta", "axis"},
    "Huber": {"delta"},
    "CosineSimilarity": {"axis"},
}
CLASSES = sorted(name for name in SURFACE if name[0].isupper() and name != "Loss")


@pytest.mark.parametrize("name", CLASSES)
def test_config_round_trip(name):
    cls = getattr(losses, name)
    loss = cls(reduction="sum", name="my_" + name.lower())
    config = loss.get_config()
    assert set(config) == {"name", "reduction"} | CONFIG_KEYS.get(name, set())
    assert config["name"] == "my_" + name.lower() and config["reduction"] == "sum"
    again = cls.from_config(config)
    assert type(again) is cls and again.get_config() == config
    serialized = losses.serialize(loss)
    assert serialized == {
        "module": "keras.losses",
        "class_name": name,
        "config": config,
        "registered_name": None,
    }
    restored = losses.deserialize(serialized)
    assert type(restored) is cls and restored.get_config() == config
    assert type(deserialize_keras_object(serialized)) is cls


def test_config_keeps_arguments():
    loss = losses.deserialize(losses.serialize(losses.Huber(delta=0.4, reduction=None)))
    _close(loss(_f32(REG_T), _f32(REG_P)), [0.22, 0.32, 0.0125])
    scce = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)
    again = losses.deserialize(losses.serialize(scce))
    assert (again.from_logits, again.ignore_class) == (True, 2)


def test_function_and_wrapper_serialization():
    assert losses.serialize(losses.mean_squared_error) == {
        "module": "keras.losses",
        "class_name": "function",
        "config": "mean_squared_error",
        "registered_name": "mean_squared_error",
    }
    assert losses.deserialize(losses.serialize(losses.huber)) is losses.huber
    # What Keras 3 writes for its functions.
    keras_written = {
        "module": "builtins",
        "class_name": "function",
        "config": "mean_squared_error",
        "registered_name": "function",
    }
    assert losses.deserialize(keras_written) is losses.mean_squared_error
    wrapper = LossFunctionWrapper(losses.huber, delta=2.0, reduction="sum", name="w")
    config = losses.serialize(wrapper)
    assert config["module"] == "keras.src.losses.losses"
    assert config["config"]["delta"] == 2.0 and config["config"]["fn"]["config"] == "huber"
    restored = losses.deserialize(config)
    assert restored.fn is losses.huber and restored._fn_kwargs == {"delta": 2.0}
    _close(restored(_f32([[0.0]]), _f32([[3.0]])), 4.0)


def test_keras_style_config_without_module():
    loss = losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert isinstance(loss, losses.CategoricalCrossentropy) and loss.from_logits is True


# ----------------------------------------------------------------------------- get
@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("mse", "mean_squared_error"),
        ("MSE", "mean_squared_error"),
        ("mae", "mean_absolute_error"),
        ("mape", "mean_absolute_percentage_error"),
        ("msle", "mean_squared_logarithmic_error"),
        ("kld", "kl_divergence"),
        ("bce", "binary_crossentropy"),
        ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"),
        ("binary_crossentropy", "binary_crossentropy"),
        ("categorical_crossentropy", "categorical_crossentropy"),
        ("huber", "huber"),
    ],
)
def test_get_names_give_functions(identifier, expected):
    assert losses.get(identifier) is getattr(losses, expected)


def test_get_other_identifiers():
    assert losses.get(None) is None
    instance = losses.get("CategoricalCrossentropy")
    assert isinstance(instance, losses.CategoricalCrossentropy)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    existing = losses.Hinge()
    assert losses.get(existing) is existing

    def custom(y_true, y_pred):
        return y_pred

    assert losses.get(custom) is custom
    assert losses.deserialize("mse") is losses.mean_squared_error


# -------------------------------------------------------------------- custom losses
@register_keras_serializable(package="test_losses")
class ScaledAbsolute(losses.Loss):
    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, y_true, y_pred):
        return self.scale * ops.mean(ops.abs(y_pred - y_true), axis=-1)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def test_custom_loss_subclass():
    loss = ScaledAbsolute(scale=2.0)
    assert loss.name.startswith("scaled_absolute")
    _close(loss(_f32(REG_T), _f32(REG_P)), 2 * 0.6333333)
    config = serialize_keras_object(loss)
    assert config["registered_name"] == "test_losses>ScaledAbsolute"
    restored = losses.deserialize(config)
    assert isinstance(restored, ScaledAbsolute) and restored.scale == 2.0
    assert losses.Loss().name != losses.Loss().name  # auto names are unique


def test_wrapper_with_nested_structures():
    def total_squared_error(y_true, y_pred):
        return sum(ops.mean(ops.square(y_true[k] - y_pred[k]), axis=-1) for k in y_true)

    loss = LossFunctionWrapper(total_squared_error, reduction="sum")
    y_true = {"a": _f32([[1.0], [2.0]]), "b": _f32([[0.0], [0.0]])}
    y_pred = {"a": _f32([[0.0], [2.0]]), "b": _f32([[1.0], [3.0]])}
    _close(loss(y_true, y_pred), 1.0 + 1.0 + 9.0)


# ------------------------------------------------------------------------ gradients
def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.skipif(not TRAINABLE, reason="inference-only backend: no gradients")
def test_crossentropy_from_logits_gradients():
    backend = kcore.backend.current()
    logits = np.asarray([[100.0, -100.0, 0.0], [0.3, -1.0, 0.2], [0.0, 0.5, 2.0]], "float32")
    onehot = _f32(ONEHOT)
    cce = losses.CategoricalCrossentropy(from_logits=True)
    (grad,) = backend.gradient(lambda x: cce(onehot, x), backend.convert_to_tensor(logits))
    assert np.all(np.isfinite(_np(grad)))
    _close(grad, (_softmax(logits.astype("float64")) - ONEHOT) / 3, atol=1e-6)

    scce = losses.SparseCategoricalCrossentropy(from_logits=True)
    labels = backend.convert_to_tensor(np.asarray(SPARSE, dtype="int32"))
    (grad,) = backend.gradient(lambda x: scce(labels, x), backend.convert_to_tensor(logits))
    _close(grad, (_softmax(logits.astype("float64")) - ONEHOT) / 3, atol=1e-6)

    bce = losses.BinaryCrossentropy(from_logits=True)
    x = np.asarray([[50.0, -50.0], [0.5, -1.0], [-0.3, 1.2]], "float32")
    (grad,) = backend.gradient(lambda t: bce(_f32(YT2), t), backend.convert_to_tensor(x))
    expected = (1 / (1 + np.exp(-x.astype("float64"))) - np.asarray(YT2)) / 6
    assert np.all(np.isfinite(_np(grad)))
    _close(grad, expected, atol=1e-6)
