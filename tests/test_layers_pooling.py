"""Pooling layers (``kcore.layers.pooling``) on the selected backend: the layer test
kit for every class, values against NumPy, shapes, masks, configs and errors."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import layers, ops
from kcore.testing.layers import run_layer_test


def _np(x):
    return np.asarray(ops.convert_to_numpy(x), dtype=np.float64)


def _to_first(x):
    return np.moveaxis(x, -1, 1)


def _np_pool(x, window, strides, padding, mode):
    """Max or average pooling of a channels_last array; "same" padding averages
    only the cells inside the input."""
    n = x.ndim - 2
    starts, ends = [], []
    for size, w, s in zip(x.shape[1:-1], window, strides):
        if padding == "valid":
            first = np.arange((size - w) // s + 1) * s
        else:
            out = -(-size // s)
            before = max((out - 1) * s + w - size, 0) // 2
            first = np.arange(out) * s - before
        starts.append(np.maximum(first, 0))
        ends.append(np.minimum(first + w, size))
    out = np.zeros((x.shape[0], *[len(s) for s in starts], x.shape[-1]))
    for index in np.ndindex(*[len(s) for s in starts]):
        region = x[(slice(None), *(slice(st[i], en[i]) for st, en, i in zip(starts, ends, index)))]
        axes = tuple(range(1, n + 1))
        out[(slice(None), *index)] = region.max(axes) if mode == "max" else region.mean(axes)
    return out


def _np_adaptive(x, output_size, mode):
    n = x.ndim - 2
    bounds = [
        [(i * size // o, -(-(i + 1) * size // o)) for i in range(o)]
        for size, o in zip(x.shape[1:-1], output_size)
    ]
    out = np.zeros((x.shape[0], *output_size, x.shape[-1]))
    for index in np.ndindex(*output_size):
        region = x[(slice(None), *(slice(*b[i]) for b, i in zip(bounds, index)))]
        axes = tuple(range(1, n + 1))
        out[(slice(None), *index)] = region.max(axes) if mode == "max" else region.mean(axes)
    return out


# -- the layer test kit, once per class ---------------------------------------------

KIT_CASES = [
    (layers.MaxPooling1D, {}, (2, 5, 3), (2, 2, 3)),
    (layers.MaxPooling1D, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 5, 3), (2, 3, 3)),
    (
        layers.MaxPooling2D,
        {"pool_size": (2, 1), "data_format": "channels_first"},
        (1, 2, 4, 3),
        (1, 2, 2, 3),
    ),
    (layers.MaxPooling3D, {"padding": "same"}, (1, 3, 2, 3, 2), (1, 2, 1, 2, 2)),
    (layers.AveragePooling1D, {"pool_size": 2, "strides": 1}, (2, 4, 3), (2, 3, 3)),
    (
        layers.AveragePooling2D,
        {"pool_size": 2, "padding": "same", "data_format": "channels_first"},
        (1, 2, 3, 5),
        (1, 2, 2, 3),
    ),
    (layers.AveragePooling3D, {"pool_size": (1, 2, 2)}, (1, 2, 4, 4, 2), (1, 2, 2, 2, 2)),
    (layers.GlobalMaxPooling1D, {}, (2, 4, 3), (2, 3)),
    (layers.GlobalMaxPooling2D, {"keepdims": True}, (2, 3, 4, 3), (2, 1, 1, 3)),
    (layers.GlobalMaxPooling3D, {"data_format": "channels_first"}, (1, 2, 2, 3, 2), (1, 2)),
    (
        layers.GlobalAveragePooling1D,
        {"data_format": "channels_first", "keepdims": True},
        (2, 3, 4),
        (2, 3, 1),
    ),
    (layers.GlobalAveragePooling2D, {}, (2, 3, 4, 3), (2, 3)),
    (layers.GlobalAveragePooling3D, {"keepdims": True}, (1, 2, 2, 3, 2), (1, 1, 1, 1, 2)),
    (layers.AdaptiveAveragePooling1D, {"output_size": 3}, (2, 7, 3), (2, 3, 3)),
    (
        layers.AdaptiveAveragePooling2D,
        {"output_size": (2, 3), "data_format": "channels_first"},
        (1, 2, 5, 7),
        (1, 2, 2, 3),
    ),
    (layers.AdaptiveAveragePooling3D, {"output_size": 2}, (1, 3, 4, 5, 2), (1, 2, 2, 2, 2)),
    (layers.AdaptiveMaxPooling1D, {"output_size": 2}, (2, 5, 3), (2, 2, 3)),
    (layers.AdaptiveMaxPooling2D, {"output_size": (3, 2)}, (1, 5, 4, 2), (1, 3, 2, 2)),
    (
        layers.AdaptiveMaxPooling3D,
        {"output_size": (1, 2, 2), "data_format": "channels_first"},
        (1, 2, 3, 4, 3),
        (1, 2, 1, 2, 2),
    ),
]


@pytest.mark.parametrize(
    "cls, kwargs, input_shape, output_shape",
    [pytest.param(*c, id=f"{c[0].__name__}-{i}") for i, c in enumerate(KIT_CASES)],
)
def test_layer_kit(cls, kwargs, input_shape, output_shape):
    built_at_init = not cls.__name__.startswith("Adaptive")  # as in Keras 3
    run_layer_test(
        cls,
        kwargs,
        input_shape=input_shape,
        expected_output_shape=output_shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        expected_num_losses=0,
        supports_masking=cls is layers.GlobalAveragePooling1D,
        assert_built_after_instantiation=built_at_init,
        run_training_check=False,
    )


_POOL3D = (layers.MaxPooling3D, layers.AveragePooling3D)


@pytest.mark.parametrize("cls", _POOL3D)
def test_float16_pool3d(cls):
    x = np.arange(16, dtype="float16").reshape(1, 2, 2, 4, 1)
    out = cls(pool_size=2, dtype="float16")(x)
    assert kcore.dtypes.standardize_dtype(out.dtype) == "float16"
    expected = [[13.0, 15.0]] if cls is layers.MaxPooling3D else [[6.5, 8.5]]
    np.testing.assert_allclose(_np(out).reshape(1, 2), expected)


# -- values -------------------------------------------------------------------------

POOL_VALUE_CASES = [
    (layers.MaxPooling1D, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 3)),
    (layers.MaxPooling1D, {"pool_size": 2, "strides": 1}, (2, 5, 2)),
    (layers.AveragePooling1D, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 6, 2)),
    (layers.MaxPooling2D, {"pool_size": (3, 2), "strides": (2, 1)}, (1, 6, 5, 2)),
    (layers.AveragePooling2D, {"pool_size": 3, "padding": "same", "strides": 2}, (1, 5, 4, 2)),
    (layers.MaxPooling3D, {"pool_size": 2, "padding": "same"}, (1, 3, 3, 2, 2)),
    (layers.AveragePooling3D, {"pool_size": (2, 1, 2), "strides": 1}, (1, 3, 2, 3, 2)),
]


@pytest.mark.parametrize("cls, kwargs, shape", POOL_VALUE_CASES)
def test_pooling_matches_numpy(cls, kwargs, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    layer = cls(**kwargs)
    mode = "max" if cls.__name__.startswith("Max") else "average"
    expected = _np_pool(x, layer.pool_size, layer.strides, layer.padding, mode)
    np.testing.assert_allclose(_np(layer(x)), expected, atol=1e-5)
    first = cls(**kwargs, data_format="channels_first")
    np.testing.assert_allclose(_np(first(_to_first(x))), _to_first(expected), atol=1e-5)


def test_pooling_known_values():
    x = np.array([[[1.0], [3.0], [2.0], [0.0], [5.0]]], "float32")
    np.testing.assert_allclose(_np(layers.MaxPooling1D()(x)).ravel(), [3.0, 2.0])
    np.testing.assert_allclose(_np(layers.MaxPooling1D(padding="same")(x)).ravel(), [3.0, 2.0, 5.0])
    np.testing.assert_allclose(
        _np(layers.AveragePooling1D(2, padding="same")(x)).ravel(), [2.0, 1.0, 5.0]
    )
    np.testing.assert_allclose(
        _np(layers.AveragePooling1D(3, strides=1)(x)).ravel(), [2.0, 5 / 3, 7 / 3]
    )


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_global_pooling_values(rank, data_format):
    shape = (2, *(3, 4, 2)[:rank], 3)
    x = np.random.default_rng(1).standard_normal(shape).astype("float32")
    axes = tuple(range(1, rank + 1))
    data = x if data_format == "channels_last" else _to_first(x)
    for cls, reduce in (
        (getattr(layers, f"GlobalMaxPooling{rank}D"), np.max),
        (getattr(layers, f"GlobalAveragePooling{rank}D"), np.mean),
    ):
        out = cls(data_format=data_format)(data)
        np.testing.assert_allclose(_np(out), reduce(x, axis=axes), atol=1e-5)
        kept = _np(cls(data_format=data_format, keepdims=True)(data))
        expected = reduce(x, axis=axes, keepdims=True)
        if data_format == "channels_first":
            expected = _to_first(expected)
        np.testing.assert_allclose(kept, expected, atol=1e-5)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_adaptive_pooling_values(rank):
    shape = (2, *(7, 5, 4)[:rank], 2)
    output_size = (3, 2, 3)[:rank]
    x = np.random.default_rng(2).standard_normal(shape).astype("float32")
    for mode in ("max", "average"):
        prefix = "AdaptiveMaxPooling" if mode == "max" else "AdaptiveAveragePooling"
        cls = getattr(layers, f"{prefix}{rank}D")
        expected = _np_adaptive(x, output_size, mode)
        np.testing.assert_allclose(_np(cls(output_size)(x)), expected, atol=1e-5)
        first = cls(output_size, data_format="channels_first")
        np.testing.assert_allclose(_np(first(_to_first(x))), _to_first(expected), atol=1e-5)


def test_global_average_pooling1d_mask():
    x = np.arange(12, dtype="float32").reshape(2, 3, 2)
    x[1, 2] = np.inf  # a masked-out step may hold anything
    mask = np.array([[True, True, False], [True, False, False]])
    layer = layers.GlobalAveragePooling1D()
    assert layer.supports_masking
    out = _np(layer(x, mask=ops.convert_to_tensor(mask)))
    np.testing.assert_allclose(out, [[1.0, 2.0], [6.0, 7.0]])
    kept = layers.GlobalAveragePooling1D(keepdims=True)(x, mask=ops.convert_to_tensor(mask))
    np.testing.assert_allclose(_np(kept), [[[1.0, 2.0]], [[6.0, 7.0]]])
    first = layers.GlobalAveragePooling1D(data_format="channels_first")
    out = first(_to_first(x), mask=ops.convert_to_tensor(mask))
    np.testing.assert_allclose(_np(out), [[1.0, 2.0], [6.0, 7.0]])
    assert layer.compute_mask(x, mask) is None


class _ZeroMasker(kcore.layers.Layer):
    """Masks the steps whose features are all zero (as Masking(0.0) does)."""

    def call(self, inputs):
        return inputs

    def compute_mask(self, inputs, previous_mask):
        return ops.any(ops.not_equal(inputs, 0), axis=-1)


def test_global_average_pooling1d_mask_from_functional_graph():
    inputs = kcore.Input((3, 2))
    pooled = layers.GlobalAveragePooling1D()(_ZeroMasker()(inputs))
    assert getattr(pooled, "_keras_mask", None) is None
    model = kcore.Model(inputs, pooled)
    x = np.array([[[1, 2], [3, 4], [0, 0]], [[5, 6], [0, 0], [0, 0]]], "float32")
    np.testing.assert_allclose(_np(model(x)), [[2.0, 3.0], [5.0, 6.0]], atol=1e-6)


def test_integer_inputs():
    x = np.array([[[1], [4], [2], [3]]], "int32")
    max_out = layers.MaxPooling1D()(x)
    assert kcore.dtypes.standardize_dtype(max_out.dtype) == "int32"
    np.testing.assert_allclose(_np(max_out).ravel(), [4, 3])
    mean = layers.GlobalAveragePooling1D()(x)
    np.testing.assert_allclose(_np(mean).ravel(), [2.5])


# -- shapes -------------------------------------------------------------------------

SHAPE_CASES = [
    (layers.MaxPooling1D, {"pool_size": 3, "strides": 2}, 1),
    (layers.MaxPooling1D, {"pool_size": 3, "strides": 4, "padding": "same"}, 1),
    (layers.AveragePooling2D, {"pool_size": (3, 2), "strides": (1, 3)}, 2),
    (layers.AveragePooling2D, {"pool_size": 2, "padding": "same", "strides": 3}, 2),
    (layers.MaxPooling2D, {"pool_size": 2, "data_format": "channels_first"}, 2),
    (layers.MaxPooling3D, {"pool_size": (2, 3, 1), "padding": "same"}, 3),
    (layers.AveragePooling3D, {"pool_size": 2, "strides": (1, 2, 3)}, 3),
    (layers.GlobalMaxPooling2D, {"data_format": "channels_first", "keepdims": True}, 2),
    (layers.GlobalAveragePooling3D, {}, 3),
    (layers.AdaptiveMaxPooling2D, {"output_size": (4, 1)}, 2),
    (layers.AdaptiveAveragePooling1D, {"output_size": 2, "data_format": "channels_first"}, 1),
]


@pytest.mark.parametrize("cls, kwargs, rank", SHAPE_CASES)
def test_compute_output_shape_matches_eager(cls, kwargs, rank):
    spatial = (7, 6, 5)[:rank]
    first = kwargs.get("data_format") == "channels_first"
    shape = (2, 3, *spatial) if first else (2, *spatial, 3)
    layer = cls(**kwargs)
    out = layer(np.ones(shape, "float32"))
    assert tuple(out.shape) == layer.compute_output_shape(shape)
    symbolic = layer(kcore.Input(shape[1:]))
    assert tuple(symbolic.shape) == (None, *tuple(out.shape)[1:])


def test_unknown_spatial_sizes():
    assert layers.MaxPooling2D().compute_output_shape((None, None, 4, 3)) == (None, None, 2, 3)
    assert layers.GlobalAveragePooling1D().compute_output_shape((None, None, 3)) == (None, 3)
    layer = layers.AdaptiveMaxPooling1D(2)
    assert layer.compute_output_shape((None, None, 3)) == (None, 2, 3)


# -- configs ------------------------------------------------------------------------


def test_configs_match_keras():
    base = {"name", "trainable", "dtype"}
    config = layers.MaxPooling2D().get_config()
    assert set(config) == base | {"pool_size", "padding", "strides", "data_format"}
    assert config["pool_size"] == (2, 2) and config["strides"] == (2, 2)
    assert config["padding"] == "valid" and config["data_format"] == "channels_last"
    config = layers.AveragePooling1D(3, strides=1).get_config()
    assert config["pool_size"] == (3,) and config["strides"] == (1,)
    config = layers.GlobalAveragePooling1D().get_config()
    assert set(config) == base | {"data_format", "keepdims"} and config["keepdims"] is False
    config = layers.AdaptiveAveragePooling2D(3).get_config()
    assert set(config) == base | {"output_size", "data_format"}
    assert config["output_size"] == (3, 3)


@pytest.mark.parametrize(
    "layer",
    [
        layers.MaxPooling3D((1, 2, 3), strides=1, padding="same", data_format="channels_first"),
        layers.AveragePooling2D(3, name="avg"),
        layers.GlobalMaxPooling1D(keepdims=True),
        layers.AdaptiveMaxPooling3D((1, 2, 3)),
    ],
)
def test_config_round_trip(layer):
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config


def test_aliases():
    pairs = {
        "MaxPool": "MaxPooling",
        "AvgPool": "AveragePooling",
        "GlobalMaxPool": "GlobalMaxPooling",
        "GlobalAvgPool": "GlobalAveragePooling",
    }
    for short, long in pairs.items():
        for rank in (1, 2, 3):
            assert getattr(layers, f"{short}{rank}D") is getattr(layers, f"{long}{rank}D")


# -- errors -------------------------------------------------------------------------

BAD_ARGUMENTS = [
    (layers.MaxPooling2D, {"pool_size": 0}, "pool_size"),
    (layers.MaxPooling2D, {"pool_size": (2, 2, 2)}, "pool_size"),
    (layers.MaxPooling1D, {"strides": 0}, "strides"),
    (layers.MaxPooling1D, {"strides": (1, 1)}, "strides"),
    (layers.AveragePooling2D, {"pool_size": 2, "padding": "causal"}, "padding"),
    (layers.AveragePooling3D, {"pool_size": 2, "data_format": "nchw"}, "data_format"),
    (layers.GlobalMaxPooling2D, {"data_format": "nhwc"}, "data_format"),
    (layers.AdaptiveAveragePooling1D, {"output_size": (2, 2)}, "output_size"),
    (layers.AdaptiveAveragePooling2D, {"output_size": (2, 2, 2)}, "output_size"),
    (layers.AdaptiveMaxPooling3D, {"output_size": 0}, "output_size"),
    (layers.AdaptiveMaxPooling2D, {"output_size": "2"}, "output_size"),
    (layers.AdaptiveMaxPooling2D, {"output_size": 2, "data_format": "x"}, "data_format"),
]


@pytest.mark.parametrize("cls, kwargs, argument", BAD_ARGUMENTS)
def test_bad_arguments(cls, kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        cls(**kwargs)


@pytest.mark.parametrize(
    "layer, shape",
    [
        (layers.MaxPooling2D(name="my_pool"), (2, 4, 3)),
        (layers.AveragePooling1D(2, name="my_pool"), (1, 2, 4, 3)),
        (layers.GlobalAveragePooling3D(name="my_pool"), (1, 4, 4, 3)),
        (layers.AdaptiveMaxPooling1D(2, name="my_pool"), (1, 4, 4, 3)),
    ],
)
def test_wrong_input_rank_names_the_layer(layer, shape):
    with pytest.raises(ValueError, match="my_pool"):
        layer(np.ones(shape, "float32"))
    with pytest.raises(ValueError, match="my_pool"):
        layer(kcore.Input(shape[1:]))


def test_output_too_small_is_an_error():
    with pytest.raises(ValueError, match="zero or negative"):
        layers.MaxPooling1D(4).compute_output_shape((1, 3, 2))
