"""Convolution layers (``kcore.layers.convolutional``) on the selected backend: the
layer test kit for every class, values against NumPy, shapes, configs and errors."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import layers, ops
from kcore.testing.layers import run_layer_test

# -- NumPy references (channels_last) -----------------------------------------------


def _np_conv(x, kernel, strides, padding, dilation, groups=1):
    """Direct N-D convolution; ``padding`` is "valid", "same" or "causal" (1D)."""
    n = x.ndim - 2
    strides = (strides,) * n if isinstance(strides, int) else tuple(strides)
    dilation = (dilation,) * n if isinstance(dilation, int) else tuple(dilation)
    window = kernel.shape[:n]
    reach = [d * (k - 1) + 1 for d, k in zip(dilation, window)]
    pads = []
    for size, r, s in zip(x.shape[1:-1], reach, strides):
        if padding == "valid":
            pads.append((0, 0))
        elif padding == "causal":
            pads.append((r - 1, 0))
        else:
            out = -(-size // s)
            total = max((out - 1) * s + r - size, 0)
            pads.append((total // 2, total - total // 2))
    x = np.pad(x, ((0, 0), *pads, (0, 0)))
    out_sizes = [(size - r) // s + 1 for size, r, s in zip(x.shape[1:-1], reach, strides)]
    cin_g = kernel.shape[-2]
    cout = kernel.shape[-1]
    cout_g = cout // groups
    out = np.zeros((x.shape[0], *out_sizes, cout), np.float64)
    for index in np.ndindex(*out_sizes):
        for offset in np.ndindex(*window):
            pos = tuple(i * s + o * d for i, s, o, d in zip(index, strides, offset, dilation))
            patch = x[(slice(None), *pos)]  # (batch, cin)
            for g in range(groups):
                cols = slice(g * cout_g, (g + 1) * cout_g)
                out[(slice(None), *index, cols)] += (
                    patch[:, g * cin_g : (g + 1) * cin_g] @ kernel[(*offset, slice(None), cols)]
                )
    return out


def _np_conv_transpose_valid(x, kernel, strides):
    """Transposed convolution, ``"valid"`` padding, no output_padding, no dilation;
    ``kernel`` is ``(*window, filters, in_channels)``."""
    n = x.ndim - 2
    strides = (strides,) * n if isinstance(strides, int) else tuple(strides)
    window = kernel.shape[:n]
    sizes = [(size - 1) * s + max(k, s) for size, s, k in zip(x.shape[1:-1], strides, window)]
    out = np.zeros((x.shape[0], *sizes, kernel.shape[-2]), np.float64)
    for index in np.ndindex(*x.shape[1:-1]):
        value = x[(slice(None), *index)]  # (batch, cin)
        for offset in np.ndindex(*window):
            pos = tuple(i * s + o for i, s, o in zip(index, strides, offset))
            out[(slice(None), *pos)] += value @ kernel[offset].T
    return out


def _np_depthwise(x, kernel, strides, padding, dilation):
    channels, multiplier = kernel.shape[-2:]
    outs = [
        _np_conv(x[..., c : c + 1], kernel[..., c : c + 1, :], strides, padding, dilation)
        for c in range(channels)
    ]
    out = np.stack(outs, axis=-2)  # (..., channels, multiplier)
    return out.reshape(*out.shape[:-2], channels * multiplier)


def _np(x):
    return np.asarray(ops.convert_to_numpy(x), dtype=np.float64)


def _set(layer, *weights):
    layer.set_weights([np.asarray(w, dtype="float32") for w in weights])


def _fixed(cls, **kwargs):
    """``cls(**kwargs)`` with constant initializers: tests that set or ignore the
    weights need no random draws (each new shape costs a compilation on jax)."""
    names = (
        ("kernel_initializer",)
        if "kernel_initializer" in cls.__init__.__code__.co_varnames
        else (
            "depthwise_initializer",
            "pointwise_initializer",
        )
    )
    defaults = {n: "ones" for n in names if n in cls.__init__.__code__.co_varnames}
    return cls(**{**defaults, **kwargs})


def _rng():
    return np.random.default_rng(0)


def _to_first(x):
    return np.moveaxis(x, -1, 1)


# -- the layer test kit, once per class ---------------------------------------------

KIT_CASES = [
    (layers.Conv1D, {"filters": 2, "kernel_size": 3}, (2, 5, 3), (2, 3, 2), 2),
    (
        layers.Conv1D,
        {"filters": 2, "kernel_size": 2, "padding": "causal", "dilation_rate": 2},
        (2, 5, 3),
        (2, 5, 2),
        2,
    ),
    (
        layers.Conv1D,
        {"filters": 2, "kernel_size": 2, "data_format": "channels_first", "use_bias": False},
        (2, 3, 5),
        (2, 2, 4),
        1,
    ),
    (
        layers.Conv2D,
        {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "groups": 2},
        (2, 5, 4, 4),
        (2, 3, 2, 4),
        2,
    ),
    (
        layers.Conv2D,
        {"filters": 2, "kernel_size": (2, 1), "data_format": "channels_first"},
        (1, 3, 4, 3),
        (1, 2, 3, 3),
        2,
    ),
    (layers.Conv3D, {"filters": 2, "kernel_size": 2}, (1, 3, 3, 3, 2), (1, 2, 2, 2, 2), 2),
    (
        layers.Conv1DTranspose,
        {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 1},
        (2, 4, 3),
        (2, 10, 2),
        2,
    ),
    (
        layers.Conv2DTranspose,
        {
            "filters": 2,
            "kernel_size": 3,
            "strides": 2,
            "padding": "same",
            "data_format": "channels_first",
        },
        (1, 3, 3, 2),
        (1, 2, 6, 4),
        2,
    ),
    (
        layers.Conv3DTranspose,
        {"filters": 2, "kernel_size": 2, "strides": 2},
        (1, 2, 2, 2, 1),
        (1, 4, 4, 4, 2),
        2,
    ),
    (
        layers.DepthwiseConv1D,
        {"kernel_size": 3, "depth_multiplier": 2},
        (2, 5, 3),
        (2, 3, 6),
        2,
    ),
    (
        layers.DepthwiseConv2D,
        {"kernel_size": 2, "padding": "same", "data_format": "channels_first"},
        (1, 3, 4, 3),
        (1, 3, 4, 3),
        2,
    ),
    (
        layers.SeparableConv1D,
        {"filters": 4, "kernel_size": 3, "depth_multiplier": 2},
        (2, 5, 3),
        (2, 3, 4),
        3,
    ),
    (
        layers.SeparableConv2D,
        {"filters": 2, "kernel_size": 2, "strides": 2, "data_format": "channels_first"},
        (1, 3, 4, 4),
        (1, 2, 2, 2),
        3,
    ),
]


def _kit_param(index, case):
    return pytest.param(*case, id=f"{case[0].__name__}-{index}")


@pytest.mark.parametrize(
    "cls, kwargs, input_shape, output_shape, n_weights",
    [_kit_param(i, c) for i, c in enumerate(KIT_CASES)],
)
def test_layer_kit(cls, kwargs, input_shape, output_shape, n_weights):
    run_layer_test(
        cls,
        kwargs,
        input_shape=input_shape,
        expected_output_shape=output_shape,
        expected_num_trainable_weights=n_weights,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        expected_num_losses=0,
        supports_masking=False,
        tolerance=1e-5,
    )


def test_layer_kit_activity_regularizer():
    run_layer_test(
        layers.Conv2D,
        {"filters": 2, "kernel_size": 2, "activation": "relu", "activity_regularizer": "l2"},
        input_shape=(1, 3, 3, 2),
        expected_output_shape=(1, 2, 2, 2),
        expected_num_trainable_weights=2,
        expected_num_losses=1,
        tolerance=1e-5,
    )


# -- values -------------------------------------------------------------------------


def test_conv1d_known_kernel():
    layer = layers.Conv1D(1, 2, kernel_initializer="ones", bias_initializer="ones")
    x = np.array([[[1.0], [2.0], [3.0], [4.0]]], "float32")
    np.testing.assert_allclose(_np(layer(x))[0, :, 0], [4.0, 6.0, 8.0])
    causal = layers.Conv1D(1, 3, padding="causal", kernel_initializer="ones", use_bias=False)
    np.testing.assert_allclose(_np(causal(x))[0, :, 0], [1.0, 3.0, 6.0, 9.0])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"strides": 2, "padding": "same"},
        {"dilation_rate": 2, "padding": "valid"},
        {"padding": "causal", "dilation_rate": 2},
        {"groups": 2, "strides": 1, "padding": "same"},
    ],
)
def test_conv1d_matches_numpy(kwargs):
    rng = _rng()
    x = rng.standard_normal((2, 7, 4)).astype("float32")
    layer = _fixed(layers.Conv1D, filters=4, kernel_size=3, activation="relu", **kwargs)
    layer.build(x.shape)
    kernel = rng.standard_normal(tuple(layer.kernel.shape))
    bias = rng.standard_normal((4,))
    _set(layer, kernel, bias)
    expected = _np_conv(
        x.astype(np.float64),
        kernel,
        kwargs.get("strides", 1),
        kwargs["padding"],
        kwargs.get("dilation_rate", 1),
        kwargs.get("groups", 1),
    )
    np.testing.assert_allclose(_np(layer(x)), np.maximum(expected + bias, 0), atol=1e-4)


def test_conv2d_matches_numpy_and_channels_first():
    rng = _rng()
    x = rng.standard_normal((1, 5, 6, 2)).astype("float32")
    kernel = rng.standard_normal((3, 2, 2, 3))
    bias = rng.standard_normal((3,))
    last = _fixed(layers.Conv2D, filters=3, kernel_size=(3, 2), strides=(2, 1), padding="same")
    last.build(x.shape)
    _set(last, kernel, bias)
    expected = _np_conv(x.astype(np.float64), kernel, (2, 1), "same", 1) + bias
    np.testing.assert_allclose(_np(last(x)), expected, atol=1e-4)
    first = _fixed(
        layers.Conv2D,
        filters=3,
        kernel_size=(3, 2),
        strides=(2, 1),
        padding="same",
        data_format="channels_first",
    )
    first.build(_to_first(x).shape)
    _set(first, kernel, bias)
    np.testing.assert_allclose(_np(first(_to_first(x))), _to_first(expected), atol=1e-4)


def test_conv3d_matches_numpy():
    rng = _rng()
    x = rng.standard_normal((1, 3, 4, 3, 2)).astype("float32")
    layer = _fixed(layers.Conv3D, filters=2, kernel_size=2, use_bias=False)
    layer.build(x.shape)
    kernel = rng.standard_normal((2, 2, 2, 2, 2))
    _set(layer, kernel)
    expected = _np_conv(x.astype(np.float64), kernel, 1, "valid", 1)
    np.testing.assert_allclose(_np(layer(x)), expected, atol=1e-4)


@pytest.mark.parametrize("cls, rank", [(layers.Conv1DTranspose, 1), (layers.Conv2DTranspose, 2)])
def test_conv_transpose_matches_numpy(cls, rank):
    rng = _rng()
    x = rng.standard_normal((2, *(3,) * rank, 2)).astype("float32")
    layer = _fixed(cls, filters=3, kernel_size=3, strides=2)
    layer.build(x.shape)
    kernel = rng.standard_normal((*(3,) * rank, 3, 2))
    bias = rng.standard_normal((3,))
    _set(layer, kernel, bias)
    expected = _np_conv_transpose_valid(x.astype(np.float64), kernel, 2) + bias
    np.testing.assert_allclose(_np(layer(x)), expected, atol=1e-4)
    first = _fixed(cls, filters=3, kernel_size=3, strides=2, data_format="channels_first")
    first.build(_to_first(x).shape)
    _set(first, kernel, bias)
    np.testing.assert_allclose(_np(first(_to_first(x))), _to_first(expected), atol=1e-4)


def test_depthwise_and_separable_match_numpy():
    rng = _rng()
    x = rng.standard_normal((2, 6, 5, 2)).astype("float32")
    depthwise = rng.standard_normal((3, 3, 2, 2))
    bias = rng.standard_normal((4,))
    layer = _fixed(
        layers.DepthwiseConv2D, kernel_size=3, depth_multiplier=2, strides=2, padding="same"
    )
    layer.build(x.shape)
    _set(layer, depthwise, bias)
    expected = _np_depthwise(x.astype(np.float64), depthwise, 2, "same", 1)
    np.testing.assert_allclose(_np(layer(x)), expected + bias, atol=1e-4)

    pointwise = rng.standard_normal((1, 1, 4, 3))
    sep_bias = rng.standard_normal((3,))
    separable = _fixed(
        layers.SeparableConv2D,
        filters=3,
        kernel_size=3,
        strides=2,
        padding="same",
        depth_multiplier=2,
    )
    separable.build(x.shape)
    _set(separable, depthwise, pointwise, sep_bias)
    np.testing.assert_allclose(_np(separable(x)), expected @ pointwise[0, 0] + sep_bias, atol=1e-4)

    x1 = x[:, :, 0, :]
    layer1 = _fixed(layers.DepthwiseConv1D, kernel_size=3, dilation_rate=2, use_bias=False)
    layer1.build(x1.shape)
    kernel1 = rng.standard_normal((3, 2, 1))
    _set(layer1, kernel1)
    np.testing.assert_allclose(
        _np(layer1(x1)), _np_depthwise(x1.astype(np.float64), kernel1, 1, "valid", 2), atol=1e-4
    )


# -- shapes -------------------------------------------------------------------------

SHAPE_CASES = [
    (layers.Conv1D, {"filters": 2, "kernel_size": 3, "strides": 2}),
    (layers.Conv1D, {"filters": 2, "kernel_size": 3, "strides": 3, "padding": "same"}),
    (layers.Conv1D, {"filters": 2, "kernel_size": 3, "dilation_rate": 3, "padding": "causal"}),
    (layers.Conv2D, {"filters": 2, "kernel_size": (3, 2), "dilation_rate": (2, 1)}),
    (layers.Conv2D, {"filters": 2, "kernel_size": 2, "strides": (3, 2), "padding": "same"}),
    (
        layers.Conv2D,
        {"filters": 2, "kernel_size": 3, "strides": 2, "data_format": "channels_first"},
    ),
    (layers.Conv1DTranspose, {"filters": 2, "kernel_size": 3, "strides": 3}),
    (layers.Conv1DTranspose, {"filters": 2, "kernel_size": 2, "strides": 3}),
    (layers.Conv1DTranspose, {"filters": 2, "kernel_size": 3, "dilation_rate": 2}),
    (layers.Conv1DTranspose, {"filters": 2, "kernel_size": 4, "strides": 2, "padding": "same"}),
    (
        layers.Conv1DTranspose,
        {"filters": 2, "kernel_size": 3, "strides": 3, "padding": "same", "output_padding": 2},
    ),
    (
        layers.Conv1DTranspose,
        {"filters": 2, "kernel_size": 4, "strides": 2, "padding": "same", "output_padding": 0},
    ),
    (
        layers.Conv2DTranspose,
        {"filters": 2, "kernel_size": (3, 2), "strides": (2, 3), "output_padding": (1, 2)},
    ),
    (
        layers.Conv2DTranspose,
        {"filters": 2, "kernel_size": 3, "strides": 2, "data_format": "channels_first"},
    ),
    (layers.DepthwiseConv1D, {"kernel_size": 3, "strides": 2, "padding": "same"}),
    (layers.DepthwiseConv2D, {"kernel_size": 2, "dilation_rate": 2, "depth_multiplier": 3}),
    (layers.SeparableConv1D, {"filters": 2, "kernel_size": 3, "strides": 2}),
    (layers.SeparableConv2D, {"filters": 2, "kernel_size": 3, "padding": "same", "strides": 2}),
]


@pytest.mark.parametrize("cls, kwargs", SHAPE_CASES)
def test_compute_output_shape_matches_eager(cls, kwargs):
    rank = int(next(c for c in cls.__name__ if c.isdigit()))
    spatial = (7, 6, 5)[:rank]
    if kwargs.get("data_format") == "channels_first":
        shape = (2, 3, *spatial)
    else:
        shape = (2, *spatial, 3)
    layer = _fixed(cls, **kwargs)
    out = layer(np.ones(shape, "float32"))
    assert tuple(out.shape) == layer.compute_output_shape(shape)
    # Unknown batch and spatial sizes stay unknown, known ones are kept.
    symbolic = layer(kcore.Input(shape[1:]))
    assert tuple(symbolic.shape) == (None, *tuple(out.shape)[1:])


def test_transpose_output_size_formula():
    # (size - 1) * stride + max(reach, stride) for valid; size * stride for same.
    layer = layers.Conv1DTranspose(1, 3, strides=2, dilation_rate=1)
    assert layer.compute_output_shape((None, 5, 2)) == (None, 11, 1)
    layer = layers.Conv1DTranspose(1, 2, strides=4)
    assert layer.compute_output_shape((None, 5, 2)) == (None, 20, 1)
    layer = layers.Conv1DTranspose(1, 3, strides=2, padding="same")
    assert layer.compute_output_shape((None, 5, 2)) == (None, 10, 1)
    layer = layers.Conv1DTranspose(1, 3, strides=2, padding="same", output_padding=1)
    assert layer.compute_output_shape((None, 5, 2)) == (None, 10, 1)
    layer = layers.Conv1DTranspose(1, 3, strides=2, output_padding=1)
    assert layer.compute_output_shape((None, None, 2)) == (None, None, 1)


def test_weight_shapes_and_names():
    conv = _fixed(layers.Conv2D, filters=6, kernel_size=(3, 2), groups=3)
    conv.build((None, 5, 5, 3))
    assert [tuple(w.shape) for w in conv.weights] == [(3, 2, 1, 6), (6,)]
    assert [w.name for w in conv.weights] == ["kernel", "bias"]
    transpose = _fixed(
        layers.Conv2DTranspose, filters=4, kernel_size=3, data_format="channels_first"
    )
    transpose.build((None, 2, 5, 5))
    assert [tuple(w.shape) for w in transpose.weights] == [(3, 3, 4, 2), (4,)]
    separable = _fixed(layers.SeparableConv1D, filters=5, kernel_size=3, depth_multiplier=2)
    separable.build((None, 7, 3))
    assert [w.name for w in separable.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert [tuple(w.shape) for w in separable.weights] == [(3, 3, 2), (1, 6, 5), (5,)]
    depthwise = _fixed(layers.DepthwiseConv1D, kernel_size=2, depth_multiplier=3, use_bias=False)
    depthwise.build((None, 7, 2))
    assert [tuple(w.shape) for w in depthwise.weights] == [(2, 2, 3)]


# -- configs ------------------------------------------------------------------------

_COMMON = ["name", "trainable", "dtype"]
_BIAS = ["bias_initializer", "bias_regularizer", "activity_regularizer", "bias_constraint"]


def test_config_keys_match_keras():
    conv = layers.Conv1D(2, 3).get_config()
    assert sorted(conv) == sorted(
        _COMMON
        + _BIAS
        + ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate"]
        + ["groups", "activation", "use_bias", "kernel_initializer", "kernel_regularizer"]
        + ["kernel_constraint"]
    )
    assert conv["kernel_size"] == (3,) and conv["strides"] == (1,)
    assert conv["activation"] == "linear" and conv["data_format"] == "channels_last"
    assert conv["kernel_initializer"]["class_name"] == "GlorotUniform"
    transpose = layers.Conv2DTranspose(2, 3).get_config()
    assert set(transpose) == (set(conv) - {"groups"}) | {"output_padding"}
    assert transpose["output_padding"] is None
    depthwise = layers.DepthwiseConv2D(3).get_config()
    assert sorted(depthwise) == sorted(
        _COMMON
        + _BIAS
        + ["depth_multiplier", "kernel_size", "strides", "padding", "data_format"]
        + ["dilation_rate", "activation", "use_bias", "depthwise_initializer"]
        + ["depthwise_regularizer", "depthwise_constraint"]
    )
    separable = layers.SeparableConv2D(2, 3).get_config()
    assert set(separable) == set(depthwise) | {
        "filters",
        "pointwise_initializer",
        "pointwise_regularizer",
        "pointwise_constraint",
    }


def test_config_round_trip_keeps_options():
    layer = layers.Conv2D(
        4,
        [3, 1],
        strides=[2, 1],
        padding="SAME",
        data_format="channels_first",
        groups=2,
        activation="relu",
        use_bias=False,
        kernel_initializer="he_normal",
        kernel_regularizer="l2",
        kernel_constraint="non_neg",
    )
    config = layer.get_config()
    assert config["padding"] == "same" and config["kernel_size"] == (3, 1)
    clone = layers.Conv2D.from_config(config)
    assert clone.get_config() == config
    assert clone.kernel_regularizer is not None and clone.kernel_constraint is not None


def test_aliases():
    assert layers.Convolution1D is layers.Conv1D
    assert layers.Convolution2D is layers.Conv2D
    assert layers.Convolution3D is layers.Conv3D
    assert layers.Convolution1DTranspose is layers.Conv1DTranspose
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.Convolution3DTranspose is layers.Conv3DTranspose
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


# -- errors -------------------------------------------------------------------------

BAD_ARGUMENTS = [
    (layers.Conv2D, {"filters": 0, "kernel_size": 3}, "filters"),
    (layers.Conv2D, {"filters": -1, "kernel_size": 3}, "filters"),
    (layers.Conv2D, {"filters": 2, "kernel_size": (3, 3, 3)}, "kernel_size"),
    (layers.Conv2D, {"filters": 2, "kernel_size": 0}, "kernel_size"),
    (layers.Conv2D, {"filters": 2, "kernel_size": "3"}, "kernel_size"),
    (layers.Conv2D, {"filters": 2, "kernel_size": 3, "strides": 0}, "strides"),
    (layers.Conv2D, {"filters": 2, "kernel_size": 3, "padding": "full"}, "padding"),
    (layers.Conv2D, {"filters": 2, "kernel_size": 3, "padding": "causal"}, "padding"),
    (layers.Conv2D, {"filters": 2, "kernel_size": 3, "data_format": "nhwc"}, "data_format"),
    (layers.Conv2D, {"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, "strides"),
    (layers.Conv2D, {"filters": 3, "kernel_size": 3, "groups": 2}, "groups"),
    (layers.Conv2D, {"filters": 2, "kernel_size": 3, "groups": 0}, "groups"),
    (layers.Conv2D, {"filters": 2, "kernel_size": 3, "activation": "nope"}, "activation"),
    (
        layers.Conv2D,
        {"filters": 2, "kernel_size": 3, "kernel_initializer": "nope"},
        "kernel_initializer",
    ),
    (layers.Conv1DTranspose, {"filters": 2, "kernel_size": 3, "padding": "causal"}, "padding"),
    (
        layers.Conv1DTranspose,
        {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 2},
        "output_padding",
    ),
    (
        layers.Conv2DTranspose,
        {"filters": 2, "kernel_size": 3, "output_padding": (0, 0, 0)},
        "output_padding",
    ),
    (layers.Conv3DTranspose, {"filters": 0, "kernel_size": 3}, "filters"),
    (layers.DepthwiseConv2D, {"kernel_size": 3, "depth_multiplier": 0}, "depth_multiplier"),
    (layers.DepthwiseConv1D, {"kernel_size": 3, "padding": "causal"}, "padding"),
    (
        layers.SeparableConv1D,
        {"filters": 2, "kernel_size": 3, "pointwise_regularizer": "nope"},
        "pointwise_regularizer",
    ),
    (layers.SeparableConv2D, {"filters": 2, "kernel_size": (3,)}, "kernel_size"),
]


@pytest.mark.parametrize("cls, kwargs, argument", BAD_ARGUMENTS)
def test_bad_arguments(cls, kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        cls(**kwargs)


@pytest.mark.parametrize(
    "layer, shape",
    [
        (layers.Conv2D(2, 3, name="my_conv"), (4, 4, 3)),
        (layers.Conv1DTranspose(2, 3, name="my_conv"), (1, 4, 4, 3)),
        (layers.DepthwiseConv1D(3, name="my_conv"), (1, 4, 4, 3)),
        (layers.SeparableConv2D(2, 3, name="my_conv"), (1, 4, 4, 4, 3)),
    ],
)
def test_wrong_input_rank_names_the_layer(layer, shape):
    with pytest.raises(ValueError, match="my_conv"):
        layer(np.ones(shape, "float32"))
    assert not layer.weights  # nothing half-built
    with pytest.raises(ValueError, match="my_conv"):
        layer(kcore.Input(shape[1:]))


def test_input_channel_errors():
    layer = layers.Conv2D(4, 3, groups=2, name="grouped")
    with pytest.raises(ValueError, match="groups"):
        layer(np.ones((1, 5, 5, 3), "float32"))
    layer = layers.Conv2D(2, 3, name="fixed")
    layer(np.ones((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match="fixed"):
        layer(np.ones((1, 5, 5, 4), "float32"))


def test_output_too_small_is_an_error():
    with pytest.raises(ValueError, match="zero or negative"):
        layers.Conv1D(2, 5)(np.ones((1, 3, 2), "float32"))


# -- LoRA (Conv1D/2D/3D) ------------------------------------------------------------


def test_layer_kit_lora():
    run_layer_test(
        layers.Conv1D,
        {"filters": 2, "kernel_size": 2, "lora_rank": 2, "lora_alpha": 3},
        input_shape=(2, 4, 3),
        expected_output_shape=(2, 3, 2),
        expected_num_trainable_weights=3,
        expected_num_non_trainable_weights=1,
        # B starts at zero, so A's first gradient is zero by design (as in Keras):
        # test_lora_merges_the_low_rank_update checks the values instead.
        run_training_check=False,
        tolerance=1e-5,
    )


def test_lora_merges_the_low_rank_update():
    rng = _rng()
    x = rng.standard_normal((1, 4, 4, 3)).astype("float32")
    layer = _fixed(layers.Conv2D, filters=2, kernel_size=2, use_bias=False)
    layer.build(x.shape)
    base = _np(layer(x))
    layer.enable_lora(2, lora_alpha=4, a_initializer="ones", b_initializer="zeros")
    assert not layer._kernel.trainable
    assert [w.name for w in layer.trainable_weights] == ["lora_kernel_a", "lora_kernel_b"]
    np.testing.assert_allclose(_np(layer(x)), base, atol=1e-5)  # B = 0: unchanged
    b = rng.standard_normal((2, 2)).astype("float32")
    layer.lora_kernel_b.assign(b)
    merged = np.ones((2, 2, 3, 2)) + 2.0 * (np.ones((2, 2, 3, 2)) @ b)
    np.testing.assert_allclose(
        _np(layer(x)), _np_conv(x.astype(np.float64), merged, 1, "valid", 1), atol=1e-4
    )
    config = layer.get_config()
    assert (config["lora_rank"], config["lora_alpha"]) == (2, 4)
    with pytest.raises(ValueError, match="already enabled"):
        layer.enable_lora(2)


def test_lora_errors():
    with pytest.raises(ValueError, match="built"):
        layers.Conv2D(2, 3).enable_lora(2)
    layer = _fixed(layers.Conv2D, filters=2, kernel_size=3, kernel_constraint="non_neg")
    layer.build((None, 4, 4, 1))
    with pytest.raises(ValueError, match="kernel_constraint"):
        layer.enable_lora(2)
    with pytest.raises(ValueError, match="lora_rank"):
        layers.Conv1D(2, 3, lora_rank=0)
    with pytest.raises(AttributeError):  # torch's Module.__getattr__ rewords it
        _ = layers.Conv1D(2, 3).kernel
