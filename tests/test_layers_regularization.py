"""The regularization layers (Dropout, SpatialDropout1D/2D/3D, GaussianNoise,
GaussianDropout, AlphaDropout, ActivityRegularization) on the selected backend: the
layer kit, statistics of the random layers (rate, scaling, identity at inference,
seeded reproducibility, ``stateless_call``), Keras 3's config keys, and the errors of
bad arguments and inputs."""

from __future__ import annotations

import numpy as np
import pytest

from kcore import layers, ops
from kcore.testing.layers import run_layer_test

RNG = np.random.default_rng(0)
X = RNG.standard_normal(size=(2, 3, 4)).astype("float32")
ONES = np.ones((100, 100), "float32")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _own_config(layer):
    return {k: v for k, v in layer.get_config().items() if k not in ("name", "trainable", "dtype")}


RANDOM_KIT_CASES = [
    (layers.Dropout, {"rate": 0.5}, (2, 3, 4)),
    (layers.Dropout, {"rate": 0.3, "noise_shape": (None, 1, None), "seed": 3}, (2, 3, 4)),
    (layers.SpatialDropout1D, {"rate": 0.5}, (2, 3, 4)),
    (layers.SpatialDropout2D, {"rate": 0.5}, (2, 3, 3, 4)),
    (layers.SpatialDropout2D, {"rate": 0.5, "data_format": "channels_first"}, (2, 4, 3, 3)),
    (layers.SpatialDropout3D, {"rate": 0.5}, (1, 2, 2, 2, 3)),
    (layers.GaussianNoise, {"stddev": 0.1}, (2, 3, 4)),
    (layers.GaussianDropout, {"rate": 0.2}, (2, 3, 4)),
    (layers.AlphaDropout, {"rate": 0.2}, (2, 3, 4)),
]


@pytest.mark.parametrize("cls, kwargs, shape", RANDOM_KIT_CASES)
def test_kit(cls, kwargs, shape):
    run_layer_test(
        cls,
        kwargs,
        input_shape=shape,
        expected_output_shape=shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=1,
        expected_num_non_trainable_variables=1,
        supports_masking=True,
        assert_built_after_instantiation=True,
    )


def test_rate_zero_has_no_seed_generator():
    run_layer_test(
        layers.Dropout,
        {"rate": 0.0},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        expected_num_seed_generators=0,
    )


def test_activity_regularization_kit_and_loss():
    run_layer_test(
        layers.ActivityRegularization,
        {"l1": 0.1, "l2": 0.2},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        expected_num_losses=1,
        supports_masking=True,
    )
    layer = layers.ActivityRegularization(l1=0.1, l2=0.2)
    out = layer(X)
    np.testing.assert_array_equal(_np(out), X)
    expected = 0.1 * np.abs(X).sum() + 0.2 * np.square(X).sum()
    assert len(layer.losses) == 1
    np.testing.assert_allclose(_np(layer.losses[0]), expected, rtol=1e-5)
    assert _own_config(layer) == {"l1": 0.1, "l2": 0.2}
    assert "activity_regularizer" not in layer.get_config()


# ------------------------------------------------------------------------- Dropout
def test_dropout_statistics():
    rate = 0.3
    layer = layers.Dropout(rate, seed=1)
    out = _np(layer(ONES, training=True))
    dropped = out == 0
    assert abs(dropped.mean() - rate) < 0.03
    np.testing.assert_allclose(out[~dropped], 1.0 / (1.0 - rate), rtol=1e-6)
    # Inference (the default) returns the inputs unchanged.
    np.testing.assert_array_equal(_np(layer(ONES)), ONES)
    np.testing.assert_array_equal(_np(layer(ONES, training=False)), ONES)


def test_dropout_rate_one_drops_everything():
    np.testing.assert_array_equal(_np(layers.Dropout(1.0)(X, training=True)), np.zeros_like(X))


def test_dropout_seeded_reproducibility():
    a = layers.Dropout(0.5, seed=42)
    b = layers.Dropout(0.5, seed=42)
    first_a, first_b = _np(a(ONES, training=True)), _np(b(ONES, training=True))
    np.testing.assert_array_equal(first_a, first_b)
    # The seed generator advances: the next call draws another mask.
    assert np.any(_np(a(ONES, training=True)) != first_a)


def test_dropout_noise_shape():
    out = _np(layers.Dropout(0.5, noise_shape=(None, 1), seed=2)(ONES, training=True))
    # One decision per row, shared along axis 1.
    assert np.all(out == out[:, :1])
    assert 0 < (out[:, 0] == 0).mean() < 1


def test_dropout_stateless_call():
    layer = layers.Dropout(0.5, seed=7)
    layer(ONES)
    state = [v.value for v in layer.non_trainable_variables]
    assert len(state) == 1
    before = _np(layer.non_trainable_variables[0].value)
    out1, new_state = layer.stateless_call([], state, ONES, training=True)
    out2, _ = layer.stateless_call([], state, ONES, training=True)
    # Same state in, same mask out; the state is returned advanced, not assigned.
    np.testing.assert_array_equal(_np(out1), _np(out2))
    assert np.any(_np(new_state[0]) != _np(state[0]))
    np.testing.assert_array_equal(_np(layer.non_trainable_variables[0].value), before)
    out3, _ = layer.stateless_call([], new_state, ONES, training=True)
    assert np.any(_np(out3) != _np(out1))
    assert abs((_np(out1) == 0).mean() - 0.5) < 0.05


def test_dropout_symbolic():
    assert layers.Dropout(0.5)(layers.Input((3, 4))).shape == (None, 3, 4)


# ------------------------------------------------------------------ SpatialDropout
@pytest.mark.parametrize(
    "cls, data_format, shape, channel_axis",
    [
        (layers.SpatialDropout1D, None, (8, 5, 16), 2),
        (layers.SpatialDropout2D, "channels_last", (8, 3, 3, 16), 3),
        (layers.SpatialDropout2D, "channels_first", (8, 16, 3, 3), 1),
        (layers.SpatialDropout3D, "channels_last", (4, 2, 2, 2, 16), 4),
        (layers.SpatialDropout3D, "channels_first", (4, 16, 2, 2, 2), 1),
    ],
)
def test_spatial_dropout_drops_whole_channels(cls, data_format, shape, channel_axis):
    kwargs = {} if data_format is None else {"data_format": data_format}
    layer = cls(0.5, seed=3, **kwargs)
    out = _np(layer(np.ones(shape, "float32"), training=True))
    assert set(np.unique(out)) <= {0.0, 2.0}
    # Within one sample and channel, every position has the same value.
    moved = np.moveaxis(out, channel_axis, 1).reshape(shape[0], shape[channel_axis], -1)
    assert np.all(moved == moved[..., :1])
    assert 0 < (moved[..., 0] == 0).mean() < 1
    np.testing.assert_array_equal(_np(layer(np.ones(shape, "float32"))), np.ones(shape))


def test_spatial_dropout_config_and_rank_check():
    assert SPATIAL_CONFIG_KEYS[layers.SpatialDropout1D] == set(
        layers.SpatialDropout1D(0.5).get_config()
    )
    for cls in (layers.SpatialDropout2D, layers.SpatialDropout3D):
        config = cls(0.5).get_config()
        assert set(config) == SPATIAL_CONFIG_KEYS[cls]
        assert config["data_format"] == "channels_last" and config["dtype"] == "float32"
        again = cls.from_config(config)
        assert again.get_config() == config
    with pytest.raises(ValueError, match="sd1"):
        layers.SpatialDropout1D(0.5, name="sd1")(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="data_format"):
        layers.SpatialDropout2D(0.5, data_format="channels_middle")
    with pytest.raises(TypeError):
        layers.SpatialDropout1D(0.5, trainable=False)  # Keras's signature has no **kwargs


SPATIAL_CONFIG_KEYS = {
    layers.SpatialDropout1D: {"rate", "seed", "name", "dtype"},
    layers.SpatialDropout2D: {"rate", "seed", "name", "dtype", "data_format"},
    layers.SpatialDropout3D: {"rate", "seed", "name", "dtype", "data_format"},
}


# ------------------------------------------------------------ noise and AlphaDropout
def test_gaussian_noise_statistics():
    layer = layers.GaussianNoise(0.5, seed=1)
    noise = _np(layer(np.zeros((100, 100), "float32"), training=True))
    assert abs(noise.mean()) < 0.03 and abs(noise.std() - 0.5) < 0.03
    np.testing.assert_array_equal(_np(layer(X)), X)
    again = _np(layers.GaussianNoise(0.5, seed=1)(np.zeros((100, 100), "float32"), training=True))
    np.testing.assert_array_equal(noise, again)


def test_gaussian_dropout_statistics():
    rate = 0.2
    layer = layers.GaussianDropout(rate, seed=1)
    out = _np(layer(ONES, training=True))
    assert abs(out.mean() - 1.0) < 0.03
    assert abs(out.std() - np.sqrt(rate / (1 - rate))) < 0.03
    np.testing.assert_array_equal(_np(layer(X)), X)


def test_alpha_dropout_statistics():
    rate = 0.2
    x = RNG.standard_normal(size=(200, 100)).astype("float32")
    layer = layers.AlphaDropout(rate, seed=1)
    out = _np(layer(x, training=True))
    # Mean and variance of standard-normal inputs are kept.
    assert abs(out.mean()) < 0.05 and abs(out.var() - 1.0) < 0.1
    # Dropped entries all take one value: a*alpha_p + b.
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
    b = -a * alpha_p * rate
    dropped = np.isclose(out, a * alpha_p + b, atol=1e-5)
    assert abs(dropped.mean() - rate) < 0.03
    kept = ~dropped
    np.testing.assert_allclose(out[kept], a * x[kept] + b, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(_np(layer(x)), x)
    shared = _np(layers.AlphaDropout(0.5, noise_shape=(None, 1), seed=2)(ONES, training=True))
    assert np.all(shared == shared[:, :1])


# -------------------------------------------------------------- configs and errors
def test_configs_have_keras_keys():
    assert _own_config(layers.Dropout(0.5)) == {"rate": 0.5, "seed": None, "noise_shape": None}
    assert _own_config(layers.Dropout(0.5, noise_shape=[None, 1], seed=2)) == {
        "rate": 0.5,
        "seed": 2,
        "noise_shape": (None, 1),
    }
    assert _own_config(layers.GaussianNoise(0.1)) == {"stddev": 0.1, "seed": None}
    assert _own_config(layers.GaussianDropout(0.1, seed=4)) == {"rate": 0.1, "seed": 4}
    assert _own_config(layers.AlphaDropout(0.1)) == {"rate": 0.1, "seed": None, "noise_shape": None}


@pytest.mark.parametrize(
    "cls, kwargs, argument",
    [
        (layers.Dropout, {"rate": -0.1}, "rate"),
        (layers.Dropout, {"rate": 1.5}, "rate"),
        (layers.Dropout, {"rate": "half"}, "rate"),
        (layers.Dropout, {"rate": 0.5, "noise_shape": "batch"}, "noise_shape"),
        (layers.Dropout, {"rate": 0.5, "noise_shape": (None, 0)}, "noise_shape"),
        (layers.SpatialDropout1D, {"rate": 2.0}, "rate"),
        (layers.GaussianNoise, {"stddev": -1.0}, "stddev"),
        (layers.GaussianDropout, {"rate": 1.0}, "rate"),
        (layers.AlphaDropout, {"rate": 1.0}, "rate"),
        (layers.AlphaDropout, {"rate": -0.5}, "rate"),
        (layers.ActivityRegularization, {"l1": -0.1}, "l1"),
        (layers.ActivityRegularization, {"l2": "big"}, "l2"),
    ],
)
def test_bad_arguments(cls, kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        cls(**kwargs)
