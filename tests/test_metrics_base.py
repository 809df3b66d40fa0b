"""kcore.metrics: the Metric base (variables, tracking, the stateless API, config), the
reduction metrics (Mean, Sum, MeanMetricWrapper with masks), get/serialize/deserialize
and the public surface. Expected numbers were computed once with Keras 3.15.1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kcore
from kcore import metrics, ops
from kcore.losses.loss import set_mask

R1 = [
    [0.41, 1.04, -0.13],
    [1.37, -0.67, 0.35],
    [0.9, 0.09, -0.74],
    [-0.92, -0.46, 0.22],
    [-1.01, -0.21, -0.16],
    [0.54, 0.21, 0.36],
]
W = [1.0, 0.5, 2.0, 0.0, 1.0, 1.5]


def numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


class BinaryTruePositives(metrics.Metric):
    """The subclass Keras's documentation writes."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros", name="tp")

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = ops.cast(
            ops.logical_and(ops.cast(y_true, "bool"), ops.cast(y_pred, "bool")), self.dtype
        )
        if sample_weight is not None:
            values = values * ops.cast(sample_weight, self.dtype)
        self.true_positives.assign(self.true_positives + ops.sum(values))

    def result(self):
        return self.true_positives.value


class Pair(metrics.Metric):
    """A metric holding two others: their variables are its variables."""

    def __init__(self, name="pair"):
        super().__init__(name=name)
        self.first = metrics.Mean(name="first")
        self.others = [metrics.Sum(name="second")]

    def update_state(self, values):
        self.first.update_state(values)
        self.others[0].update_state(values)

    def result(self):
        return self.first.result() + self.others[0].result()


def test_surface_has_every_keras_metrics_name():
    surface = Path(__file__).with_name("keras-3.15.1-surface.json")
    names = json.loads(surface.read_text())["metrics"]
    missing = [name for name in names if not hasattr(metrics, name)]
    assert missing == []
    assert sorted(metrics.__all__) == sorted(names)
    assert kcore.Metric is metrics.Metric


def test_custom_metric_variables_call_and_reset():
    m = BinaryTruePositives()
    assert [v.path for v in m.variables] == ["binary_true_positives/tp"]
    assert not m.variables[0].trainable
    assert m.dtype == "float32"
    assert float(numpy(m([1, 1, 0, 1], [1, 0, 1, 1]))) == 2.0
    m.update_state([1, 1], [1, 1], sample_weight=[0.5, 2.0])
    assert float(numpy(m.result())) == 4.5
    m.reset_state()
    assert float(numpy(m.result())) == 0.0


def test_default_names_are_unique_snake_case():
    first, second = metrics.AUC(), metrics.AUC()
    assert first.name.startswith("auc") and second.name.startswith("auc")
    assert first.name != second.name
    assert metrics.Mean().name == "mean"
    assert metrics.IoU(2, [0]).name.startswith("io_u")


def test_nested_metrics_are_tracked():
    m = Pair()
    assert [v.path for v in m.variables] == ["first/total", "first/count", "second/total"]
    m.update_state([1.0, 3.0])
    assert float(numpy(m.result())) == 6.0
    m.reset_state()
    assert [float(v.numpy()) for v in m.variables] == [0.0, 0.0, 0.0]


def test_missing_super_init_is_a_clear_error():
    class Broken(metrics.Metric):
        def __init__(self):
            self.total = self.add_variable((), "zeros")

    with pytest.raises(RuntimeError, match="super\\(\\).__init__\\(\\)"):
        Broken()


def test_base_update_state_and_result_must_be_implemented():
    m = metrics.Metric(name="bare")
    with pytest.raises(NotImplementedError, match="update_state"):
        m.update_state(1.0)
    with pytest.raises(NotImplementedError, match="result"):
        m.result()


def test_mean_and_sum_weighted():
    mean, total = metrics.Mean(), metrics.Sum()
    for values, weights in ((R1, None), (R1, W), ([1.0, 3.0, 5.0, 7.0], [1, 1, 0, 0])):
        mean.update_state(values, sample_weight=weights)
        total.update_state(values, sample_weight=weights)
    np.testing.assert_allclose(numpy(mean.result()), 0.3766667, rtol=1e-5)
    np.testing.assert_allclose(numpy(total.result()), 7.8199997, rtol=1e-5)


def test_mean_of_scalars_counts_one_each():
    m = metrics.Mean()
    m.update_state(2.0)
    m.update_state(4.0)
    assert float(numpy(m.result())) == 3.0


def test_mean_per_entry_weights():
    # A (batch, steps) weight weighs each entry; the mean is sum(v * w) / sum(w).
    m = metrics.Mean()
    m.update_state([[1.0, 2.0], [3.0, 4.0]], sample_weight=[[1.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(numpy(m.result()), 8.0 / 3.0, rtol=1e-6)


def test_mean_metric_wrapper_with_function_kwargs_and_config():
    def scaled_error(y_true, y_pred, scale=1.0):
        return scale * ops.mean(ops.abs(ops.subtract(y_true, y_pred)), axis=-1)

    m = metrics.MeanMetricWrapper(scaled_error, name="scaled", scale=2.0)
    m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]])
    assert float(numpy(m.result())) == 0.5
    config = m.get_config()
    assert config["scale"] == 2.0 and config["name"] == "scaled"
    restored = metrics.MeanMetricWrapper.from_config(
        {**config, "fn": scaled_error}  # a local function: passed back as an object
    )
    restored.update_state([[0.0, 1.0]], [[1.0, 1.0]])
    assert float(numpy(restored.result())) == 1.0


def test_mean_metric_wrapper_of_a_loss_function_round_trips():
    m = metrics.MeanMetricWrapper(metrics.mean_squared_error, name="w")
    assert m._direction == "down"
    restored = metrics.deserialize(metrics.serialize(m))
    assert restored._fn is metrics.mean_squared_error
    restored.update_state([[0.0, 2.0]], [[1.0, 1.0]])
    assert float(numpy(restored.result())) == 1.0


def test_mask_on_predictions_weights_the_mean():
    # Per-step squared errors [[1, 4], [9, 16]]; the mask drops the 4.
    y_pred = ops.convert_to_tensor([[[1.0], [2.0]], [[3.0], [4.0]]])
    set_mask(y_pred, ops.convert_to_tensor([[True, False], [True, True]]))
    m = metrics.MeanSquaredError()
    m.update_state(ops.zeros((2, 2, 1)), y_pred)
    np.testing.assert_allclose(numpy(m.result()), 26.0 / 3.0, rtol=1e-6)


def test_stateless_api_round_trip_leaves_variables_alone():
    m = metrics.Mean()
    values = m.stateless_reset_state()
    assert len(values) == 2
    values = m.stateless_update_state(values, [1.0, 2.0, 3.0])
    values = m.stateless_update_state(values, [5.0], sample_weight=[3.0])
    assert float(numpy(m.stateless_result(values))) == 3.5
    assert [float(v.numpy()) for v in m.variables] == [0.0, 0.0]
    m.update_state([1.0, 2.0, 3.0])
    m.update_state([5.0], sample_weight=[3.0])
    assert float(numpy(m.result())) == 3.5


def test_stateless_reset_state_gives_zeros_without_resetting():
    m = metrics.Sum()
    m.update_state([2.0, 3.0])
    (zero,) = m.stateless_reset_state()
    assert float(numpy(zero)) == 0.0
    assert float(numpy(m.result())) == 5.0


def test_stateless_api_checks_the_number_of_values():
    m = metrics.Mean()
    with pytest.raises(ValueError, match="expected metric_variables to hold 2 values.*received 1"):
        m.stateless_update_state([ops.zeros(())], [1.0])
    with pytest.raises(ValueError, match="received 3"):
        m.stateless_result([ops.zeros(())] * 3)


def test_get_resolves_names_as_keras():
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert isinstance(metrics.get("MAE"), metrics.MeanAbsoluteError)
    assert isinstance(metrics.get("accuracy"), metrics.Accuracy)
    assert isinstance(metrics.get("categorical_crossentropy"), metrics.CategoricalCrossentropy)
    assert isinstance(metrics.get("auc"), metrics.AUC)
    with pytest.raises(TypeError, match="num_classes"):
        metrics.get("io_u")  # the class needs arguments
    assert isinstance(metrics.get(metrics.Precision), metrics.Precision)
    m = metrics.Recall()
    assert metrics.get(m) is m
    assert metrics.get(metrics.binary_accuracy) is metrics.binary_accuracy
    assert metrics.get(None) is None
    config = {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}
    assert metrics.get(config).from_logits is True


@pytest.mark.parametrize("identifier", ["acc", "huber", "no_such_metric", 3])
def test_get_refuses_unknown_identifiers(identifier):
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get(identifier)


def test_serialize_writes_keras_layout():
    config = metrics.serialize(metrics.AUC(name="auc_x", num_thresholds=10))
    assert config["module"] == "keras.metrics"
    assert config["class_name"] == "AUC"
    assert config["registered_name"] is None
    assert config["config"] == {
        "name": "auc_x",
        "dtype": "float32",
        "num_thresholds": 10,
        "curve": "ROC",
        "summation_method": "interpolation",
        "multi_label": False,
        "num_labels": None,
        "label_weights": None,
        "from_logits": False,
    }
    restored = metrics.deserialize(config)
    assert isinstance(restored, metrics.AUC) and restored.num_thresholds == 10


def test_deserialize_reads_a_keras_tensor_config():
    # Keras 3 writes label_weights as a "__tensor__" config.
    config = {
        "module": "keras.metrics",
        "class_name": "AUC",
        "config": {
            "name": "auc",
            "dtype": "float32",
            "label_weights": {
                "class_name": "__tensor__",
                "config": {"dtype": "float32", "value": [0.5, 1.0]},
            },
        },
        "registered_name": None,
    }
    m = metrics.deserialize(config)
    assert numpy(m.label_weights).tolist() == [0.5, 1.0]
