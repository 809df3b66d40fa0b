"""The reshaping layers on the selected backend: the layer kit for each class and
option set, values against NumPy, ``compute_output_shape`` with unknown dimensions,
Keras 3's config keys, and the errors of bad arguments and inputs."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import layers, ops
from kcore.testing.layers import run_layer_test

RNG = np.random.default_rng(0)


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _data(*shape, dtype="float32"):
    return RNG.standard_normal(size=shape).astype(dtype)


def _own_config(layer):
    config = layer.get_config()
    return {k: v for k, v in config.items() if k not in ("name", "trainable", "dtype")}


# ------------------------------------------------------------------- the layer kit
KIT_CASES = [
    (layers.Flatten, {}, (2, 3, 4), (2, 12)),
    (layers.Flatten, {"data_format": "channels_first"}, (2, 3, 4, 2), (2, 24)),
    (layers.Flatten, {}, (3,), (3, 1)),
    (layers.Reshape, {"target_shape": (4, 3)}, (2, 3, 4), (2, 4, 3)),
    (layers.Reshape, {"target_shape": (-1, 2)}, (2, 3, 4), (2, 6, 2)),
    (layers.Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3)),
    (layers.Permute, {"dims": (3, 1, 2)}, (2, 3, 4, 5), (2, 5, 3, 4)),
    (layers.RepeatVector, {"n": 3}, (2, 4), (2, 3, 4)),
    (layers.Cropping1D, {}, (2, 5, 3), (2, 3, 3)),
    (layers.Cropping1D, {"cropping": (0, 2)}, (2, 5, 3), (2, 3, 3)),
    (layers.Cropping2D, {"cropping": ((1, 0), (2, 1))}, (2, 4, 5, 3), (2, 3, 2, 3)),
    (
        layers.Cropping2D,
        {"cropping": 1, "data_format": "channels_first"},
        (2, 3, 4, 5),
        (2, 3, 2, 3),
    ),
    (layers.Cropping3D, {}, (1, 4, 3, 5, 2), (1, 2, 1, 3, 2)),
    (
        layers.Cropping3D,
        {"cropping": (0, 1, (1, 0)), "data_format": "channels_first"},
        (1, 2, 3, 4, 5),
        (1, 2, 3, 2, 4),
    ),
    (layers.ZeroPadding1D, {}, (2, 3, 4), (2, 5, 4)),
    (
        layers.ZeroPadding1D,
        {"padding": (0, 2), "data_format": "channels_first"},
        (2, 3, 4),
        (2, 3, 6),
    ),
    (layers.ZeroPadding2D, {"padding": ((1, 0), (2, 3))}, (2, 3, 4, 2), (2, 4, 9, 2)),
    (
        layers.ZeroPadding2D,
        {"padding": 1, "data_format": "channels_first"},
        (2, 2, 3, 4),
        (2, 2, 5, 6),
    ),
    (layers.ZeroPadding3D, {}, (1, 2, 3, 4, 2), (1, 4, 5, 6, 2)),
    (
        layers.ZeroPadding3D,
        {"padding": (1, 0, 2), "data_format": "channels_first"},
        (1, 2, 2, 3, 4),
        (1, 2, 4, 3, 8),
    ),
    (layers.UpSampling1D, {}, (2, 3, 4), (2, 6, 4)),
    (layers.UpSampling1D, {"size": 3}, (2, 3, 4), (2, 9, 4)),
    (layers.UpSampling2D, {}, (2, 3, 4, 2), (2, 6, 8, 2)),
    (
        layers.UpSampling2D,
        {"size": (1, 3), "data_format": "channels_first"},
        (2, 2, 3, 4),
        (2, 2, 3, 12),
    ),
    (layers.UpSampling2D, {"interpolation": "bilinear"}, (2, 3, 4, 2), (2, 6, 8, 2)),
    (layers.UpSampling3D, {}, (1, 2, 3, 2, 2), (1, 4, 6, 4, 2)),
    (
        layers.UpSampling3D,
        {"size": (1, 2, 3), "data_format": "channels_first"},
        (1, 2, 2, 3, 2),
        (1, 2, 2, 6, 6),
    ),
]


@pytest.mark.parametrize(
    "cls, kwargs, input_shape, output_shape",
    KIT_CASES,
    ids=[f"{c.__name__}-{i}" for i, (c, *_rest) in enumerate(KIT_CASES)],
)
def test_layer_kit(cls, kwargs, input_shape, output_shape):
    run_layer_test(
        cls,
        kwargs,
        input_shape=input_shape,
        expected_output_shape=output_shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        expected_num_losses=0,
        supports_masking=False,
        assert_built_after_instantiation=cls is layers.Reshape,
    )


@pytest.mark.parametrize(
    "layer, shape",
    [
        (layers.Flatten(), (2, 3, 4)),
        (layers.Cropping1D(), (2, 5, 3)),
        (layers.ZeroPadding2D(), (1, 2, 2, 1)),
        (layers.UpSampling3D(), (1, 1, 2, 1, 2)),
        (layers.Permute((2, 1)), (2, 3, 4)),
    ],
)
def test_int_inputs_keep_their_dtype(layer, shape):
    x = np.arange(int(np.prod(shape)), dtype="int32").reshape(shape)
    out = layer(x)
    assert kcore.dtypes.standardize_dtype(out.dtype) == "int32"
    symbolic = layer(kcore.KerasTensor((None, *shape[1:]), "int32"))
    assert symbolic.dtype == "int32"


# ----------------------------------------------------------------------- values
def test_flatten_values():
    x = _data(2, 3, 4)
    np.testing.assert_array_equal(_np(layers.Flatten()(x)), x.reshape(2, 12))
    first = layers.Flatten(data_format="channels_first")(x)
    np.testing.assert_array_equal(_np(first), np.transpose(x, (0, 2, 1)).reshape(2, 12))


def test_reshape_and_permute_values():
    x = _data(2, 3, 4)
    np.testing.assert_array_equal(_np(layers.Reshape((2, -1))(x)), x.reshape(2, 2, 6))
    np.testing.assert_array_equal(_np(layers.Permute((2, 1))(x)), np.transpose(x, (0, 2, 1)))


def test_repeat_vector_values():
    x = _data(2, 3)
    expected = np.repeat(x[:, None, :], 4, axis=1)
    np.testing.assert_array_equal(_np(layers.RepeatVector(4)(x)), expected)


def test_cropping_values():
    x = _data(2, 6, 3)
    np.testing.assert_array_equal(_np(layers.Cropping1D((1, 2))(x)), x[:, 1:4])
    np.testing.assert_array_equal(_np(layers.Cropping1D((2, 0))(x)), x[:, 2:])
    x = _data(2, 5, 6, 3)
    out = layers.Cropping2D(((1, 2), (0, 3)))(x)
    np.testing.assert_array_equal(_np(out), x[:, 1:3, 0:3])
    xf = np.transpose(x, (0, 3, 1, 2))
    out = layers.Cropping2D(((1, 2), (0, 3)), data_format="channels_first")(xf)
    np.testing.assert_array_equal(_np(out), xf[:, :, 1:3, 0:3])
    x = _data(1, 4, 5, 6, 2)
    out = layers.Cropping3D(((1, 1), (0, 2), (3, 0)))(x)
    np.testing.assert_array_equal(_np(out), x[:, 1:3, 0:3, 3:])


def test_zero_padding_values():
    x = _data(2, 3, 4)
    out = layers.ZeroPadding1D((1, 2))(x)
    np.testing.assert_array_equal(_np(out), np.pad(x, ((0, 0), (1, 2), (0, 0))))
    out = layers.ZeroPadding1D(1, data_format="channels_first")(x)
    np.testing.assert_array_equal(_np(out), np.pad(x, ((0, 0), (0, 0), (1, 1))))
    x = _data(2, 3, 4, 2)
    out = layers.ZeroPadding2D(((1, 0), (0, 2)))(x)
    np.testing.assert_array_equal(_np(out), np.pad(x, ((0, 0), (1, 0), (0, 2), (0, 0))))
    out = layers.ZeroPadding2D((1, 2), data_format="channels_first")(x)
    np.testing.assert_array_equal(_np(out), np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2))))
    x = _data(1, 2, 3, 2, 2)
    out = layers.ZeroPadding3D((1, 0, 2))(x)
    np.testing.assert_array_equal(_np(out), np.pad(x, ((0, 0), (1, 1), (0, 0), (2, 2), (0, 0))))


def test_up_sampling_values():
    x = _data(2, 3, 4)
    np.testing.assert_array_equal(_np(layers.UpSampling1D(3)(x)), np.repeat(x, 3, axis=1))
    x = _data(2, 3, 4, 2)
    out = layers.UpSampling2D((2, 3))(x)
    np.testing.assert_array_equal(_np(out), np.repeat(np.repeat(x, 2, axis=1), 3, axis=2))
    out = layers.UpSampling2D((2, 3), data_format="channels_first")(x)
    np.testing.assert_array_equal(_np(out), np.repeat(np.repeat(x, 2, axis=2), 3, axis=3))
    x = _data(1, 2, 2, 3, 2)
    out = layers.UpSampling3D((1, 2, 3))(x)
    expected = np.repeat(np.repeat(x, 2, axis=2), 3, axis=3)
    np.testing.assert_array_equal(_np(out), expected)


def test_up_sampling_2d_bilinear_matches_image_resize():
    x = _data(1, 3, 4, 2)
    out = layers.UpSampling2D(2, interpolation="BILINEAR")(x)
    expected = ops.image.resize(x, (6, 8), interpolation="bilinear", data_format="channels_last")
    np.testing.assert_allclose(_np(out), _np(expected), atol=1e-6)
    # A constant image stays constant whatever the interpolation.
    ones = np.ones((1, 2, 2, 1), "float32")
    out = layers.UpSampling2D(2, interpolation="bicubic")(ones)
    np.testing.assert_allclose(_np(out), np.ones((1, 4, 4, 1)), atol=1e-5)


# ------------------------------------------------------------ compute_output_shape
@pytest.mark.parametrize(
    "layer, input_shape, expected",
    [
        (layers.Flatten(), (None, 3, 4), (None, 12)),
        (layers.Flatten(), (None, None, 4), (None, None)),
        (layers.Flatten(), (None,), (None, 1)),
        (layers.Reshape((-1, 2)), (None, None, 4), (None, None, 2)),
        (layers.Reshape((-1, 2)), (None, 3, 4), (None, 6, 2)),
        (layers.Reshape((3, 4)), (None, None), (None, 3, 4)),
        (layers.Permute((2, 1)), (None, None, 4), (None, 4, None)),
        (layers.RepeatVector(3), (None, None), (None, 3, None)),
        (layers.Cropping1D(1), (None, None, 3), (None, None, 3)),
        (layers.Cropping1D(1), (5, 4, None), (5, 2, None)),
        (layers.Cropping2D(((1, 1), (0, 2))), (None, 4, None, 3), (None, 2, None, 3)),
        (
            layers.Cropping2D(1, data_format="channels_first"),
            (None, 3, None, 5),
            (None, 3, None, 3),
        ),
        (layers.Cropping3D(1), (None, None, 4, 5, 2), (None, None, 2, 3, 2)),
        (layers.ZeroPadding1D(2), (None, None, 3), (None, None, 3)),
        (layers.ZeroPadding2D(1), (None, 2, None, 3), (None, 4, None, 3)),
        (
            layers.ZeroPadding3D(1, data_format="channels_first"),
            (None, 2, None, 3, 4),
            (None, 2, None, 5, 6),
        ),
        (layers.UpSampling1D(2), (None, None, 3), (None, None, 3)),
        (layers.UpSampling2D((2, 3)), (None, 2, None, 1), (None, 4, None, 1)),
        (
            layers.UpSampling3D(2, data_format="channels_first"),
            (None, 1, None, 2, 3),
            (None, 1, None, 4, 6),
        ),
    ],
)
def test_compute_output_shape_with_unknown_dims(layer, input_shape, expected):
    assert layer.compute_output_shape(input_shape) == expected
    assert layer(kcore.KerasTensor(input_shape)).shape == expected


# --------------------------------------------------------------------- config
@pytest.mark.parametrize(
    "layer, expected",
    [
        (layers.Flatten(), {"data_format": "channels_last"}),
        (layers.Reshape([-1, 2]), {"target_shape": (-1, 2)}),
        (layers.Permute([2, 1]), {"dims": (2, 1)}),
        (layers.RepeatVector(3), {"n": 3}),
        (layers.Cropping1D(), {"cropping": (1, 1)}),
        (layers.Cropping2D(), {"cropping": ((0, 0), (0, 0)), "data_format": "channels_last"}),
        (layers.Cropping2D(2), {"cropping": ((2, 2), (2, 2)), "data_format": "channels_last"}),
        (
            layers.Cropping3D((1, 2, (0, 3))),
            {"cropping": ((1, 1), (2, 2), (0, 3)), "data_format": "channels_last"},
        ),
        (layers.ZeroPadding1D(), {"padding": (1, 1), "data_format": "channels_last"}),
        (layers.ZeroPadding2D(), {"padding": ((1, 1), (1, 1)), "data_format": "channels_last"}),
        (
            layers.ZeroPadding2D((1, 2)),
            {"padding": ((1, 1), (2, 2)), "data_format": "channels_last"},
        ),
        (
            layers.ZeroPadding3D(),
            {"padding": ((1, 1), (1, 1), (1, 1)), "data_format": "channels_last"},
        ),
        (layers.UpSampling1D(), {"size": 2}),
        (
            layers.UpSampling2D(),
            {"size": (2, 2), "data_format": "channels_last", "interpolation": "nearest"},
        ),
        (layers.UpSampling3D(3), {"size": (3, 3, 3), "data_format": "channels_last"}),
    ],
)
def test_config_matches_keras(layer, expected):
    assert _own_config(layer) == expected
    config = layer.get_config()
    assert set(config) >= {"name", "trainable", "dtype"}
    assert type(layer).from_config(config).get_config() == config


def test_default_data_format_follows_config():
    previous = kcore.config.image_data_format()
    try:
        kcore.config.set_image_data_format("channels_first")
        assert layers.ZeroPadding2D().data_format == "channels_first"
        assert layers.Flatten().data_format == "channels_first"
    finally:
        kcore.config.set_image_data_format(previous)
    assert layers.UpSampling2D(data_format="Channels_First").data_format == "channels_first"


# --------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.Flatten(data_format="channels_middle"), "data_format"),
        (lambda: layers.Reshape((-1, -1)), "target_shape"),
        (lambda: layers.Reshape((2, -3)), "target_shape"),
        (lambda: layers.Reshape(3), "target_shape"),
        (lambda: layers.Permute((1, 1)), "dims"),
        (lambda: layers.Permute((0, 1)), "dims"),
        (lambda: layers.RepeatVector(0), "n"),
        (lambda: layers.Cropping1D(-1), "cropping"),
        (lambda: layers.Cropping1D((1, 2, 3)), "cropping"),
        (lambda: layers.Cropping2D(((1, 1), (1, 1), (1, 1))), "cropping"),
        (lambda: layers.Cropping2D(-2), "cropping"),
        (lambda: layers.Cropping3D("a"), "cropping"),
        (lambda: layers.ZeroPadding1D(-1), "padding"),
        (lambda: layers.ZeroPadding2D("a"), "padding"),
        (lambda: layers.ZeroPadding2D(((1, -1), (0, 0))), "padding"),
        (lambda: layers.ZeroPadding3D((1, 2)), "padding"),
        (lambda: layers.UpSampling1D(0), "size"),
        (lambda: layers.UpSampling2D((2, 0)), "size"),
        (lambda: layers.UpSampling2D(interpolation="cubic-ish"), "interpolation"),
        (lambda: layers.UpSampling3D((2, 2)), "size"),
    ],
)
def test_bad_arguments_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    "make", [lambda: layers.RepeatVector(2.0), lambda: layers.UpSampling1D("2")]
)
def test_non_int_arguments_raise_type_error_as_keras(make):
    with pytest.raises(TypeError):
        make()
    with pytest.raises(ValueError):
        make()


def test_bad_inputs():
    with pytest.raises(ValueError, match="total size"):
        layers.Reshape((3, 4))(_data(2, 5))
    with pytest.raises(ValueError, match="total size"):
        layers.Reshape((-1, 4))(kcore.KerasTensor((None, 5)))
    with pytest.raises(ValueError, match=r"cropping.*\(1, 4, 2\)"):
        layers.Cropping1D(2)(_data(1, 4, 2))
    with pytest.raises(ValueError, match="cropping"):
        layers.Cropping2D(((2, 2), (0, 0)))(kcore.KerasTensor((None, 4, 4, 1)))
    with pytest.raises(ValueError, match="ndim=3"):
        layers.UpSampling1D()(_data(2, 3))
    with pytest.raises(ValueError, match="ndim=2"):
        layers.RepeatVector(2)(_data(2, 3, 4))
    with pytest.raises(ValueError, match="ndim=3"):
        layers.Permute((2, 1))(_data(2, 3))


def test_in_a_functional_model():
    inputs = kcore.Input(shape=(4, 3))
    x = layers.ZeroPadding1D(1)(inputs)
    x = layers.Cropping1D((0, 2))(x)
    x = layers.UpSampling1D(2)(x)
    outputs = layers.Flatten()(x)
    model = kcore.Model(inputs, outputs)
    assert outputs.shape == (None, 24)
    data = _data(2, 4, 3)
    expected = np.repeat(np.pad(data, ((0, 0), (1, 1), (0, 0)))[:, :4], 2, axis=1).reshape(2, 24)
    np.testing.assert_array_equal(_np(model(data)), expected)
