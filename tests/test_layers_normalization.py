"""Normalization layers (``kcore.layers.normalization``) on the selected backend: the
layer test kit for every class, values against NumPy, moving statistics, configs and
errors."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import layers, ops
from kcore.testing.layers import run_layer_test

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3, 6)).astype("float32") * 2.0 + 1.0


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _trainable_backend():
    return kcore.backend.current().capabilities.trainable


# -- the layer test kit ------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"axis": 1, "momentum": 0.5}, {"center": False, "scale": False}, {"renorm": True}],
)
def test_batch_normalization_kit(kwargs):
    n_train = 0 if kwargs.get("center") is False else 2
    run_layer_test(
        layers.BatchNormalization,
        kwargs,
        input_shape=(4, 3, 6),
        expected_output_shape=(4, 3, 6),
        expected_num_trainable_weights=n_train,
        expected_num_non_trainable_weights=5 if kwargs.get("renorm") else 2,
        supports_masking=True,
        tolerance=1e-5,
    )


@pytest.mark.filterwarnings("ignore:.*rms_scaling")
@pytest.mark.parametrize(
    "kwargs", [{}, {"axis": [1, 2]}, {"center": False}, {"rms_scaling": True, "epsilon": 1e-5}]
)
def test_layer_normalization_kit(kwargs):
    expected = 1 if kwargs.get("center") is False or kwargs.get("rms_scaling") else 2
    run_layer_test(
        layers.LayerNormalization,
        kwargs,
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=expected,
        supports_masking=True,
        tolerance=1e-5,
    )


@pytest.mark.parametrize("kwargs", [{"groups": 2}, {"groups": -1, "axis": 1}])
def test_group_normalization_kit(kwargs):
    run_layer_test(
        layers.GroupNormalization,
        kwargs,
        input_shape=(2, 4, 6),
        expected_output_shape=(2, 4, 6),
        expected_num_trainable_weights=2,
        supports_masking=True,
        tolerance=1e-5,
    )


def test_rms_and_unit_normalization_kit():
    run_layer_test(
        layers.RMSNormalization,
        {},
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=1,
        tolerance=1e-5,
    )
    run_layer_test(
        layers.UnitNormalization,
        {"axis": [1, 2]},
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=0,
        supports_masking=True,
        assert_built_after_instantiation=True,
        tolerance=1e-5,
    )


def test_spectral_normalization_kit():
    run_layer_test(
        layers.SpectralNormalization,
        {"layer": layers.Dense(3), "power_iterations": 2},
        input_shape=(2, 4),
        expected_output_shape=(2, 3),
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=1,
        run_mixed_precision_check=False,
        tolerance=1e-5,
    )


# -- BatchNormalization values ---------------------------------------------------------


def _np_bn(x, mean, var, gamma, beta, eps):
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def test_batch_normalization_training_and_moving_stats():
    bn = layers.BatchNormalization(momentum=0.8, epsilon=1e-3)
    bn.build(X.shape)
    bn.gamma.assign(np.linspace(0.5, 1.5, 6).astype("float32"))
    bn.beta.assign(np.linspace(-1, 1, 6).astype("float32"))
    gamma, beta = bn.gamma.numpy(), bn.beta.numpy()
    mean, var = X.mean(axis=(0, 1)), X.var(axis=(0, 1))
    out = _np(bn(X, training=True))
    np.testing.assert_allclose(out, _np_bn(X, mean, var, gamma, beta, 1e-3), atol=1e-5)
    moving_mean = 0.2 * mean
    moving_var = 0.8 + 0.2 * var
    np.testing.assert_allclose(bn.moving_mean.numpy(), moving_mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), moving_var, rtol=1e-5)
    # A second step folds in again with the momentum.
    bn(X, training=True)
    np.testing.assert_allclose(
        bn.moving_mean.numpy(), 0.8 * moving_mean + 0.2 * mean, rtol=1e-5, atol=1e-6
    )
    # Inference uses the moving statistics and changes nothing.
    before = bn.moving_mean.numpy()
    out = _np(bn(X, training=False))
    expected = _np_bn(X, before, bn.moving_variance.numpy(), gamma, beta, 1e-3)
    np.testing.assert_allclose(out, expected, atol=1e-5)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)
    # No training argument: inference.
    np.testing.assert_allclose(_np(bn(X)), expected, atol=1e-5)


def test_batch_normalization_axis_and_frozen_layer():
    bn = layers.BatchNormalization(axis=1, momentum=0.0)
    out = _np(bn(X, training=True))
    mean = X.mean(axis=(0, 2), keepdims=True)
    var = X.var(axis=(0, 2), keepdims=True)
    np.testing.assert_allclose(out, (X - mean) / np.sqrt(var + 1e-3), atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean.reshape(-1), rtol=1e-5)
    # trainable=False: inference mode even with training=True (as in Keras 3).
    frozen = layers.BatchNormalization(trainable=False)
    out = _np(frozen(X, training=True))
    np.testing.assert_allclose(out, X / np.sqrt(1 + 1e-3), atol=1e-5)
    np.testing.assert_array_equal(frozen.moving_mean.numpy(), np.zeros(6))
    assert len(frozen.non_trainable_weights) == 4 and not frozen.trainable_weights


def test_batch_normalization_mask():
    x = RNG.normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 0, 0, 0]], bool)
    bn = layers.BatchNormalization(momentum=0.0)
    out = _np(bn(x, training=True, mask=mask))
    picked = x[mask]
    mean, var = picked.mean(axis=0), picked.var(axis=0)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, rtol=1e-4)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="mask"):
        bn(x, training=True, mask=np.ones((2,), bool))


def test_batch_normalization_stateless_call_returns_new_moving_stats():
    bn = layers.BatchNormalization(momentum=0.5)
    bn.build(X.shape)
    trainable = [v.value for v in bn.trainable_variables]
    non_trainable = [v.value for v in bn.non_trainable_variables]
    out, new = bn.stateless_call(trainable, non_trainable, X, training=True)
    assert len(new) == 2
    np.testing.assert_allclose(_np(new[0]), 0.5 * X.mean(axis=(0, 1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(new[1]), 0.5 + 0.5 * X.var(axis=(0, 1)), rtol=1e-5)
    # The layer's own variables are untouched.
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(6))
    np.testing.assert_array_equal(bn.moving_variance.numpy(), np.ones(6))
    _, same = bn.stateless_call(trainable, non_trainable, X, training=False)
    np.testing.assert_array_equal(_np(same[0]), np.zeros(6))


def test_batch_normalization_renorm_updates():
    bn = layers.BatchNormalization(renorm=True, momentum=0.5, renorm_momentum=0.5)
    out = _np(bn(X, training=True))
    mean, var = X.mean(axis=(0, 1)), X.var(axis=(0, 1))
    std = np.sqrt(var + 1e-3)
    # r = std / renorm_stddev (1 at first), d = mean / renorm_stddev.
    np.testing.assert_allclose(out, (X - mean) / std * std + mean, atol=1e-4)
    np.testing.assert_allclose(bn.renorm_mean.numpy(), 0.5 * mean, rtol=1e-5, atol=1e-6)
    moving_std = 0.5 * np.sqrt(1.0) + 0.5 * std
    np.testing.assert_allclose(bn.moving_stddev.numpy(), moving_std, rtol=1e-5)
    np.testing.assert_allclose(
        bn.moving_variance.numpy(), np.maximum(moving_std**2 - 1e-3, 0), rtol=1e-5
    )


def test_batch_normalization_mixed_precision():
    bn = layers.BatchNormalization(dtype="mixed_float16")
    out = bn(X, training=True)
    assert kcore.dtypes.standardize_dtype(out.dtype) == "float16"
    assert bn.moving_mean.dtype == "float32"
    mean = X.mean(axis=(0, 1))
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * mean, rtol=1e-2, atol=1e-3)


def test_batch_normalization_config_keys():
    config = layers.BatchNormalization().get_config()
    assert list(config)[3:] == [
        "axis",
        "momentum",
        "epsilon",
        "center",
        "scale",
        "beta_initializer",
        "gamma_initializer",
        "moving_mean_initializer",
        "moving_variance_initializer",
        "beta_regularizer",
        "gamma_regularizer",
        "beta_constraint",
        "gamma_constraint",
        "synchronized",
        "renorm",
        "renorm_clipping",
        "renorm_momentum",
    ]
    assert config["gamma_initializer"]["class_name"] == "Ones"
    layer = layers.BatchNormalization(gamma_regularizer="l2", beta_constraint="non_neg")
    rebuilt = layers.BatchNormalization.from_config(layer.get_config())
    assert rebuilt.get_config() == layer.get_config()


# -- other normalizations: values ---------------------------------------------------


def test_layer_normalization_values():
    ln = layers.LayerNormalization(epsilon=1e-3)
    ln.build(X.shape)
    ln.gamma.assign(np.linspace(0.5, 1.5, 6).astype("float32"))
    ln.beta.assign(np.full(6, 0.25, "float32"))
    mean = X.mean(axis=-1, keepdims=True)
    var = X.var(axis=-1, keepdims=True)
    expected = (X - mean) / np.sqrt(var + 1e-3) * ln.gamma.numpy() + 0.25
    np.testing.assert_allclose(_np(ln(X)), expected, atol=1e-5)
    multi = layers.LayerNormalization(axis=[2, 1], center=False, scale=False)
    mean = X.mean(axis=(1, 2), keepdims=True)
    var = X.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(_np(multi(X)), (X - mean) / np.sqrt(var + 1e-3), atol=1e-5)
    assert multi.axis == [1, 2]


def test_group_normalization_values():
    x = RNG.normal(size=(2, 5, 4)).astype("float32")
    gn = layers.GroupNormalization(groups=2, epsilon=1e-3)
    grouped = x.reshape(2, 5, 2, 2)
    mean = grouped.mean(axis=(1, 3), keepdims=True)
    var = grouped.var(axis=(1, 3), keepdims=True)
    expected = ((grouped - mean) / np.sqrt(var + 1e-3)).reshape(x.shape)
    np.testing.assert_allclose(_np(gn(x)), expected, atol=1e-5)
    instance = layers.GroupNormalization(groups=-1)
    out = _np(instance(x))
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3), atol=1e-5)
    assert instance.groups == 4


def test_rms_and_unit_normalization_values():
    rms = layers.RMSNormalization(epsilon=1e-6)
    expected = X / np.sqrt(np.mean(X**2, axis=-1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(_np(rms(X)), expected, rtol=1e-5, atol=1e-5)
    unit = layers.UnitNormalization()
    expected = X / np.linalg.norm(X, axis=-1, keepdims=True)
    np.testing.assert_allclose(_np(unit(X)), expected, rtol=1e-5, atol=1e-6)


def test_spectral_normalization_values():
    x = RNG.normal(size=(3, 4)).astype("float32")
    sn = layers.SpectralNormalization(layers.Dense(5, use_bias=False), power_iterations=50)
    sn(x)
    kernel = sn.layer.kernel.numpy()
    out = _np(sn(x, training=False))
    np.testing.assert_allclose(out, x @ kernel, rtol=1e-5, atol=1e-5)
    out = _np(sn(x, training=True))
    sigma = np.linalg.svd(kernel, compute_uv=False)[0]
    np.testing.assert_allclose(sn.layer.kernel.numpy(), kernel / sigma, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(out, x @ (kernel / sigma), rtol=1e-3, atol=1e-4)
    assert [w.name for w in sn.non_trainable_weights] == ["vector_u"]
    assert sn.get_config()["power_iterations"] == 50
    assert sn.get_config()["layer"]["class_name"] == "Dense"


# -- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls, kwargs, match",
    [
        (layers.BatchNormalization, {"axis": "x"}, "axis"),
        (layers.BatchNormalization, {"epsilon": -1.0}, "epsilon"),
        (layers.BatchNormalization, {"momentum": "fast"}, "momentum"),
        (layers.BatchNormalization, {"renorm": True, "renorm_clipping": {"x": 1}}, "renorm"),
        (layers.BatchNormalization, {"renorm": True, "renorm_clipping": {"dmax": -1}}, "dmax"),
        (layers.BatchNormalization, {"gamma_initializer": "nope"}, "nope"),
        (layers.LayerNormalization, {"axis": 1.5}, "axis"),
        (layers.GroupNormalization, {"groups": 0}, "groups"),
        (layers.RMSNormalization, {"epsilon": "small"}, "epsilon"),
        (layers.UnitNormalization, {"axis": None}, "axis"),
        (layers.SpectralNormalization, {"layer": "dense"}, "layer"),
    ],
)
def test_bad_arguments(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def test_spectral_normalization_bad_arguments():
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="kernel"):
        layers.SpectralNormalization(layers.ReLU() if hasattr(layers, "ReLU") else layers.Layer())(
            np.ones((2, 3), "float32")
        )


def test_wrong_input_shapes_name_the_layer():
    bn = layers.BatchNormalization(name="bn")
    bn(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="bn"):
        bn(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match="out of bounds"):
        layers.BatchNormalization(axis=3, name="bn_axis")(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="gn"):
        layers.GroupNormalization(groups=4, name="gn")(np.ones((2, 6), "float32"))
    with pytest.raises(ValueError, match="gn_more"):
        layers.GroupNormalization(groups=8, name="gn_more")(np.ones((2, 6), "float32"))
    with pytest.raises(ValueError, match="ln"):
        layers.LayerNormalization(axis=4, name="ln")(np.ones((2, 6), "float32"))


def test_symbolic_call_in_a_model():
    inputs = layers.Input((5, 4))
    x = layers.BatchNormalization()(inputs)
    x = layers.LayerNormalization()(x)
    x = layers.GroupNormalization(groups=2)(x)
    outputs = layers.RMSNormalization()(x)
    assert tuple(outputs.shape) == (None, 5, 4)
    model = kcore.Model(inputs, outputs)
    assert tuple(model(np.ones((2, 5, 4), "float32")).shape) == (2, 5, 4)


@pytest.mark.skipif("not _trainable_backend()")
def test_batch_normalization_gradients_through_stateless_call():
    bn = layers.BatchNormalization()
    bn.build(X.shape)
    backend = kcore.backend.current()
    non_trainable = [v.value for v in bn.non_trainable_variables]

    def loss(gamma, beta):
        out, _ = bn.stateless_call([gamma, beta], non_trainable, X, training=True)
        return ops.sum(out * ops.convert_to_tensor(X))

    grads = backend.gradient(loss, *[v.value for v in bn.trainable_variables])
    assert all(np.all(np.isfinite(_np(g))) for g in grads)
    normalized = (X - X.mean(axis=(0, 1))) / np.sqrt(X.var(axis=(0, 1)) + 1e-3)
    np.testing.assert_allclose(_np(grads[1]), X.sum(axis=(0, 1)), rtol=1e-4)
    np.testing.assert_allclose(_np(grads[0]), (normalized * X).sum(axis=(0, 1)), rtol=1e-3)
