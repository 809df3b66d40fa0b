"""The image augmentation layers (``kcore/layers/augmentation.py``) on the selected
backend: shapes and dtypes, inference behaviour, seeded reproducibility, values
against NumPy (or Keras 3.15.1 values recorded here), configs and argument errors."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import layers as L
from kcore import ops
from kcore.layers import augmentation
from kcore.testing.layers import run_layer_test

RNG = np.random.RandomState(0)
X = RNG.uniform(0, 255, (2, 8, 8, 3)).astype("float32")
GRAY_WEIGHTS = np.array([0.2989, 0.587, 0.114], "float32")


def np_(x):
    return np.asarray(ops.convert_to_numpy(x))


def call(layer, x, **kwargs):
    return np_(layer(ops.convert_to_tensor(x), **kwargs))


#: name -> (init kwargs, whether a training call is random, whether inference is identity)
LAYERS = {
    "AugMix": ({"num_chains": 2, "chain_depth": 1, "all_ops": False, "seed": 1}, True, True),
    "AutoContrast": ({}, False, False),
    "ContrastLimitedAdaptiveHistogramEqualization": ({"tile_grid_size": (2, 2)}, False, False),
    "CutMix": ({"seed": 1}, True, True),
    "Equalization": ({}, False, True),
    "MaxNumBoundingBoxes": ({"max_number": 3}, False, True),
    "MixUp": ({"seed": 1}, True, True),
    "RandAugment": ({"num_ops": 1, "seed": 1}, True, True),
    "RandomBrightness": ({"factor": 0.2, "seed": 1}, True, True),
    "RandomColorDegeneration": ({"factor": 0.5, "seed": 1}, True, True),
    "RandomColorJitter": (
        {
            "brightness_factor": 0.2,
            "contrast_factor": 0.2,
            "saturation_factor": 0.5,
            "hue_factor": 0.2,
            "seed": 1,
        },
        True,
        True,
    ),
    "RandomContrast": ({"factor": 0.5, "seed": 1}, True, True),
    "RandomCrop": ({"height": 4, "width": 5, "seed": 1}, True, False),
    "RandomElasticTransform": ({"seed": 1}, True, True),
    "RandomErasing": ({"fill_value": 0.0, "seed": 1}, True, True),
    "RandomFlip": ({"seed": 1}, True, True),
    "RandomGaussianBlur": ({"seed": 1}, True, True),
    "RandomGrayscale": ({"seed": 1}, True, True),
    "RandomHue": ({"factor": 0.5, "seed": 1}, True, True),
    "RandomInvert": ({"seed": 1}, True, True),
    "RandomPerspective": ({"seed": 1}, True, True),
    "RandomPosterization": ({"factor": (1, 8), "seed": 1}, True, True),
    "RandomRotation": ({"factor": 0.2, "seed": 1}, True, True),
    "RandomSaturation": ({"factor": 0.5, "value_range": (0, 1), "seed": 1}, True, True),
    "RandomSharpness": ({"factor": 0.5, "seed": 1}, True, True),
    "RandomShear": ({"x_factor": 0.3, "y_factor": 0.3, "seed": 1}, True, True),
    "RandomTranslation": ({"height_factor": 0.2, "width_factor": 0.2, "seed": 1}, True, True),
    "RandomZoom": ({"height_factor": 0.3, "seed": 1}, True, True),
    "Solarization": (
        {"addition_factor": 0.2, "threshold_factor": 0.5, "seed": 1},
        True,
        True,
    ),
}


def _out_shape(name, shape, data_format="channels_last"):
    if name != "RandomCrop":
        return tuple(shape)
    shape = list(shape)
    if data_format == "channels_last":
        shape[-3], shape[-2] = 4, 5
    else:
        shape[-2], shape[-1] = 4, 5
    return tuple(shape)


def _input(name):
    return X / 255.0 if name == "RandomSaturation" else X


def test_public_names():
    assert sorted(augmentation.__all__) == sorted(LAYERS)
    for name in LAYERS:
        assert getattr(kcore.layers, name) is getattr(augmentation, name)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_kit(name):
    kwargs, _, _ = LAYERS[name]
    run_layer_test(
        getattr(L, name),
        kwargs,
        input_data=_input(name),
        expected_output_shape=_out_shape(name, X.shape),
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        run_training_check=False,
        run_mixed_precision_check=False,
    )


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_shapes_dtypes_and_inference(name):
    kwargs, random, identity = LAYERS[name]
    x = _input(name)
    layer = getattr(L, name)(**kwargs)
    out = layer(ops.convert_to_tensor(x))
    assert tuple(out.shape) == _out_shape(name, x.shape)
    assert kcore.dtypes.standardize_dtype(out.dtype) == "float32"
    single = layer(ops.convert_to_tensor(x[0]))
    assert tuple(single.shape) == _out_shape(name, x.shape[1:])
    inference = call(layer, x, training=False)
    assert inference.shape == _out_shape(name, x.shape)
    if identity:
        np.testing.assert_allclose(inference, x, rtol=0, atol=1e-5)
    if random:
        again = getattr(L, name)(**kwargs)
        np.testing.assert_allclose(call(again, x), np_(out), atol=1e-4)
    # Integer images come out in the compute dtype.
    as_uint8 = layer(ops.convert_to_tensor(X.astype("uint8")))
    assert kcore.dtypes.standardize_dtype(as_uint8.dtype) == "float32"


@pytest.mark.parametrize(
    "name",
    [
        "RandomFlip",
        "RandomRotation",
        "RandomContrast",
        "RandomHue",
        "Equalization",
        "RandomCrop",
        "RandomErasing",
        "RandomSharpness",
        "AutoContrast",
        "RandAugment",
    ],
)
def test_channels_first_matches_channels_last(name):
    kwargs, _, _ = LAYERS[name]
    last = getattr(L, name)(**kwargs, data_format="channels_last")
    first = getattr(L, name)(**kwargs, data_format="channels_first")
    expected = call(last, X)
    got = call(first, np.transpose(X, (0, 3, 1, 2)))
    assert got.shape == _out_shape(name, (2, 3, 8, 8), "channels_first")
    if name not in ("RandomErasing", "RandAugment"):  # their draws depend on the layout
        np.testing.assert_allclose(np.transpose(got, (0, 2, 3, 1)), expected, atol=1e-3)


@pytest.mark.parametrize("name", sorted(n for n, (_, random, _) in LAYERS.items() if random))
def test_seeded_calls_change_between_calls(name):
    kwargs, _, _ = LAYERS[name]
    layer = getattr(L, name)(**kwargs)
    x = _input(name)
    first = call(layer, x)
    others = [call(layer, x) for _ in range(3)]
    assert any(np.max(np.abs(o - first)) > 1e-6 for o in others)


# ------------------------------------------------------------------ values vs NumPy
def test_random_flip_values():
    layer = L.RandomFlip("horizontal")
    flips = ops.convert_to_tensor(np.array([True, False]).reshape(2, 1, 1, 1))
    out = np_(layer.transform_images(ops.convert_to_tensor(X), {"flips": flips}))
    np.testing.assert_array_equal(out[0], X[0, :, ::-1])
    np.testing.assert_array_equal(out[1], X[1])
    both = L.RandomFlip()
    out = np_(both.transform_images(ops.convert_to_tensor(X), {"flips": flips}))
    np.testing.assert_array_equal(out[0], X[0, ::-1, ::-1])
    # A random call flips each image or leaves it.
    vertical = L.RandomFlip("vertical", seed=3)
    seen = set()
    for _ in range(6):
        out = call(vertical, X)
        for i in range(2):
            if np.array_equal(out[i], X[i]):
                seen.add("kept")
            else:
                np.testing.assert_array_equal(out[i], X[i, ::-1])
                seen.add("flipped")
    assert seen == {"kept", "flipped"}


def test_random_flip_dict_moves_masks_with_images():
    masks = (X[..., :1] > 128).astype("float32")
    out = L.RandomFlip("horizontal", seed=5)(
        {"images": X, "segmentation_masks": masks, "labels": np.eye(2, dtype="float32")}
    )
    images, got_masks = np_(out["images"]), np_(out["segmentation_masks"])
    for i in range(2):
        flipped = not np.array_equal(images[i], X[i])
        np.testing.assert_array_equal(got_masks[i], masks[i, :, ::-1] if flipped else masks[i])
    np.testing.assert_array_equal(np_(out["labels"]), np.eye(2))


def test_random_brightness_values():
    out = call(L.RandomBrightness(factor=(0.2, 0.2)), X)
    np.testing.assert_allclose(out, np.clip(X + 0.2 * 255, 0, 255), atol=1e-4)
    out = call(L.RandomBrightness(factor=(-0.5, -0.5), value_range=(0, 1)), X / 255.0)
    np.testing.assert_allclose(out, np.clip(X / 255.0 - 0.5, 0, 1), atol=1e-6)


def test_random_contrast_values():
    layer = L.RandomContrast(factor=0.5)
    factor = ops.convert_to_tensor(np.array([1.5, 0.5], "float32").reshape(2, 1, 1, 1))
    out = np_(layer.transform_images(ops.convert_to_tensor(X), {"contrast_factor": factor}))
    mean = X.mean(axis=(1, 2), keepdims=True)
    expected = np.clip((X - mean) * np.array([1.5, 0.5]).reshape(2, 1, 1, 1) + mean, 0, 255)
    np.testing.assert_allclose(out, expected, atol=1e-3)
    np.testing.assert_allclose(call(L.RandomContrast(factor=0.0), X), X, atol=1e-4)


def test_solarization_values():
    np.testing.assert_allclose(call(L.Solarization(), X), 255 - X, atol=1e-4)
    layer = L.Solarization(value_range=(0, 1))
    t = {
        "additions": ops.zeros((2, 1, 1, 1)),
        "thresholds": ops.full((2, 1, 1, 1), 128.0),
    }
    out = np_(layer.transform_images(ops.convert_to_tensor(X / 255.0), t))
    expected = np.where(X < 128, X, 255 - X) / 255.0
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_random_invert_values():
    np.testing.assert_allclose(call(L.RandomInvert(factor=(1.0, 1.0)), X), 255 - X)
    np.testing.assert_allclose(call(L.RandomInvert(factor=(0.0, 0.0)), X), X)


def test_random_grayscale_values():
    out = call(L.RandomGrayscale(factor=1.0), X)
    gray = (X * GRAY_WEIGHTS).sum(-1, keepdims=True)
    np.testing.assert_allclose(out, np.broadcast_to(gray, X.shape), rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(call(L.RandomGrayscale(factor=0.0), X), X)


def test_color_degeneration_and_saturation_to_gray():
    out = call(L.RandomColorDegeneration(factor=(1.0, 1.0)), X)
    gray = (X * GRAY_WEIGHTS).sum(-1, keepdims=True)
    np.testing.assert_allclose(out, np.broadcast_to(gray, X.shape), rtol=1e-5, atol=1e-3)
    # Saturation factor 0: every pixel becomes gray at its HSV value (max channel).
    out = call(L.RandomSaturation(factor=(0.0, 0.0), value_range=(0, 1)), X / 255.0)
    value = (X / 255.0).max(-1, keepdims=True)
    np.testing.assert_allclose(out, np.broadcast_to(value, X.shape), atol=1e-5)


def test_hue_sharpness_blur_perspective_elastic_neutral_factors():
    np.testing.assert_allclose(call(L.RandomHue(factor=(0.0, 0.0)), X), X, atol=1e-2)
    np.testing.assert_allclose(call(L.RandomSharpness(factor=(0.5, 0.5)), X), X, atol=1e-3)
    np.testing.assert_allclose(call(L.RandomGaussianBlur(factor=(0.0, 0.0)), X), X)
    np.testing.assert_allclose(call(L.RandomPerspective(scale=0.0), X), X, atol=1e-3)
    np.testing.assert_allclose(call(L.RandomElasticTransform(scale=0.0), X), X)
    np.testing.assert_allclose(call(L.RandomZoom(height_factor=(0.0, 0.0)), X), X, atol=1e-3)
    np.testing.assert_allclose(call(L.RandomShear(), X), X, atol=1e-3)


def test_hue_half_turn():
    # A shift of 0.5 of a turn: (r, g, b) = (1, 0, 0) (hue 0) becomes cyan.
    red = np.zeros((1, 2, 2, 3), "float32")
    red[..., 0] = 1.0
    layer = L.RandomHue(factor=1.0, value_range=(0, 1))
    t = {"factor": ops.convert_to_tensor(np.array([0.5], "float32"))}
    out = np_(layer.transform_images(ops.convert_to_tensor(red), t))
    np.testing.assert_allclose(out[0, 0, 0], [0.0, 1.0, 1.0], atol=1e-5)


def test_gaussian_blur_values():
    layer = L.RandomGaussianBlur(factor=(1.0, 1.0), kernel_size=3)
    sigma = 1.0
    t = {
        "should_apply_blur": ops.convert_to_tensor(np.array([True, False])),
        "blur_factor": ops.convert_to_tensor(np.array([sigma, sigma], "float32")),
    }
    out = np_(layer.transform_images(ops.convert_to_tensor(X), t))
    taps = np.exp(-np.array([1.0, 0.0, 1.0]) / (2 * sigma**2))
    taps /= taps.sum()
    padded = np.pad(X, [[0, 0], [1, 1], [1, 1], [0, 0]])
    expected = sum(
        taps[i] * taps[j] * padded[:, i : i + 8, j : j + 8] for i in range(3) for j in range(3)
    )
    np.testing.assert_allclose(out[0], expected[0], atol=1e-3)
    np.testing.assert_allclose(out[1], X[1])


def test_sharpness_values():
    layer = L.RandomSharpness(factor=0.5)
    t = {"factor": ops.convert_to_tensor(np.array([0.0, 1.0], "float32"))}
    out = np_(layer.transform_images(ops.convert_to_tensor(X), t))
    kernel = np.full((3, 3), 1 / 13.0)
    kernel[1, 1] = 5 / 13.0
    padded = np.pad(X, [[0, 0], [1, 1], [1, 1], [0, 0]])
    smooth = sum(kernel[i, j] * padded[:, i : i + 8, j : j + 8] for i in range(3) for j in range(3))
    np.testing.assert_allclose(out[0], np.clip(smooth[0], 0, 255), atol=1e-3)
    np.testing.assert_allclose(out[1], np.clip(2 * X[1] - smooth[1], 0, 255), atol=1e-3)


def test_posterization_values():
    out = call(L.RandomPosterization(factor=(1, 1)), X)
    np.testing.assert_array_equal(out, np.where(X >= 128, 128.0, 0.0))
    out = call(L.RandomPosterization(factor=(3, 3)), X)
    np.testing.assert_array_equal(out, (X.astype("int32") >> 5 << 5).astype("float32"))


def test_auto_contrast_values():
    x = X * 0.5 + 20
    out = call(L.AutoContrast(), x)
    low = x.min(axis=(1, 2), keepdims=True)
    high = x.max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out, (x - low) * 255.0 / (high - low), atol=1e-3)
    # Applied at inference too; constant channels are kept.
    np.testing.assert_allclose(call(L.AutoContrast(), x, training=False), out, atol=1e-3)
    flat = np.full((1, 4, 4, 3), 7.0, "float32")
    np.testing.assert_allclose(call(L.AutoContrast(), flat), flat)


def _np_equalize(channel, bins=256):
    indices = np.clip((channel * (bins - 1) / 255.0).astype("int32"), 0, bins - 1)
    hist = np.bincount(indices.ravel(), minlength=bins)
    if np.count_nonzero(hist) <= 1:
        return channel
    cdf = np.cumsum(hist)
    cdf_min = cdf[np.nonzero(cdf)[0][0]]
    lut = np.clip(np.round((cdf - cdf_min) * 255.0 / (cdf[-1] - cdf_min)), 0, 255)
    lookup = np.clip(channel / 255.0 * (bins - 1), 0, bins - 1).astype("int32")
    return lut[lookup]


def test_equalization_values():
    x = np.round(X * 0.3 + 40)
    out = call(L.Equalization(), x)
    expected = np.stack([_np_equalize(x[..., c]) for c in range(3)], axis=-1)
    np.testing.assert_allclose(out, expected, atol=1e-3)
    # Keras 3.15.1 on a ramp.
    ramp = (np.arange(32, dtype="float32").reshape(1, 4, 8, 1) * 7) % 256
    keras_row0 = [0.0, 8.0, 16.0, 25.0, 33.0, 41.0, 49.0, 58.0]
    np.testing.assert_allclose(call(L.Equalization(), ramp)[0, 0, :, 0], keras_row0)
    np.testing.assert_allclose(call(L.Equalization(), x, training=False), x)


def test_clahe_matches_keras():
    ramp = (np.arange(32, dtype="float32").reshape(1, 4, 8, 1) * 7) % 256
    layer = L.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2), clip_limit=2.0)
    out = call(layer, ramp)[0, ..., 0]
    keras_rows = [
        [0.0, 8.628, 17.256, 24.334, 30.37, 37.38, 45.364, 53.924],
        [167.459, 176.019, 184.58, 191.141, 196.702, 203.263, 210.823, 219.384],
    ]
    np.testing.assert_allclose(out[0], keras_rows[0], atol=2e-3)
    np.testing.assert_allclose(out[3], keras_rows[1], atol=2e-3)


def test_rotation_half_turn_and_translation():
    out = call(L.RandomRotation(factor=(0.5, 0.5)), X)
    np.testing.assert_allclose(out, X[:, ::-1, ::-1], atol=1e-2)
    layer = L.RandomTranslation(
        height_factor=(0.0, 0.0),
        width_factor=(0.25, 0.25),
        fill_mode="constant",
        fill_value=-1.0,
    )
    out = call(layer, X)
    np.testing.assert_allclose(out[:, :, 2:], X[:, :, :6], atol=1e-4)
    np.testing.assert_allclose(out[:, :, :2], -1.0)


def test_zoom_values():
    # Zoom factor 1 + (-0.5): the central half, magnified twice (nearest).
    layer = L.RandomZoom(height_factor=(-0.5, -0.5), interpolation="nearest")
    x = np.arange(64, dtype="float32").reshape(1, 8, 8, 1)
    out = call(layer, x)[0, ..., 0]
    centre = 3.5 + (np.arange(8) - 3.5) * 0.5
    idx = np.floor(centre + 0.5).astype(int)  # round half up, as the nearest sampler
    np.testing.assert_allclose(out, x[0, idx][:, idx, 0])


def test_random_crop_values():
    layer = L.RandomCrop(4, 5, seed=2)
    out = call(layer, X)
    found = any(np.array_equal(out, X[:, i : i + 4, j : j + 5]) for i in range(5) for j in range(4))
    assert found
    # Inference: a centred crop of the target aspect ratio, resized.
    square = L.RandomCrop(4, 4)
    expected = np_(ops.image.resize(ops.convert_to_tensor(X), (4, 4)))
    np.testing.assert_allclose(call(square, X, training=False), expected, atol=1e-3)
    crop = L.RandomCrop(2, 4)
    out = call(crop, X, training=False)
    assert out.shape == (2, 2, 4, 3)
    expected = np_(ops.image.resize(ops.convert_to_tensor(X[:, 2:6]), (2, 4)))
    np.testing.assert_allclose(out, expected, atol=1e-3)
    spec = L.RandomCrop(4, 5).compute_output_shape((None, 8, 8, 3))
    assert tuple(spec) == (None, 4, 5, 3)


def test_random_erasing_values():
    layer = L.RandomErasing(factor=(1.0, 1.0), scale=(0.25, 0.25), fill_value=0, seed=3)
    out = call(layer, X + 1.0)
    for i in range(2):
        erased = np.all(out[i] == 0, axis=-1)
        assert 4 <= erased.sum() <= 16
        np.testing.assert_allclose(out[i][~erased], X[i][~erased] + 1.0)
    # fill_value=None: Gaussian noise times value_range[1], clipped.
    out = call(L.RandomErasing(factor=(1.0, 1.0), seed=3), X)
    assert out.shape == X.shape and out.min() >= 0 and out.max() <= 255
    layer = L.RandomErasing(factor=(1.0, 1.0), fill_value=(1, 2, 3), seed=3)
    out = call(layer, X + 10.0)
    erased = out[..., 0] == 1
    assert erased.any()
    np.testing.assert_allclose(out[erased], np.tile([1.0, 2.0, 3.0], (erased.sum(), 1)))


def test_mixup_and_cutmix_labels():
    x = np.stack([np.zeros((8, 8, 3)), np.full((8, 8, 3), 100.0)]).astype("float32")
    labels = np.eye(2, dtype="float32")
    for layer in (L.MixUp(alpha=0.5, seed=4), L.CutMix(seed=4)):
        out = layer({"images": x, "labels": labels})
        images, mixed = np_(out["images"]), np_(out["labels"])
        np.testing.assert_allclose(mixed.sum(-1), 1.0, atol=1e-5)
        assert np.all(images >= -1e-4) and np.all(images <= 100 + 1e-4)
    # MixUp with a known transformation.
    layer = L.MixUp()
    t = {
        "mix_weight": ops.convert_to_tensor(np.array([0.25, 1.0], "float32")),
        "permutation_order": ops.convert_to_tensor(np.array([1, 0], "int32")),
    }
    out = np_(layer.transform_images(ops.convert_to_tensor(x), t))
    np.testing.assert_allclose(out[0], 75.0)
    np.testing.assert_allclose(out[1], 100.0)
    np.testing.assert_allclose(
        np_(layer.transform_labels(ops.convert_to_tensor(labels), t)), [[0.25, 0.75], [0, 1]]
    )
    # CutMix leaves single images unchanged.
    np.testing.assert_allclose(call(L.CutMix(seed=1), X[0]), X[0])


def test_max_num_bounding_boxes():
    layer = L.MaxNumBoundingBoxes(max_number=4, fill_value=-1, bounding_box_format="xyxy")
    boxes = {"boxes": np.ones((1, 2, 4), "float32"), "labels": np.ones((1, 2), "float32")}
    out = layer({"images": X[:1], "bounding_boxes": boxes})
    got = np_(out["bounding_boxes"]["boxes"])
    assert got.shape == (1, 4, 4)
    np.testing.assert_allclose(got[0, 2:], -1)
    np.testing.assert_allclose(np_(out["bounding_boxes"]["labels"]), [[1, 1, -1, -1]])
    short = L.MaxNumBoundingBoxes(max_number=1, bounding_box_format="xyxy")
    out = short({"images": X[:1], "bounding_boxes": boxes})
    assert tuple(out["bounding_boxes"]["boxes"].shape) == (1, 1, 4)
    np.testing.assert_allclose(np_(out["images"]), X[:1])
    with pytest.raises(ValueError, match="bounding_box_format"):
        L.MaxNumBoundingBoxes(max_number=1)({"images": X[:1], "bounding_boxes": boxes})


def test_composites_and_jitter_values():
    # Jitter with only a brightness of exactly +0.1 is RandomBrightness.
    layer = L.RandomColorJitter(brightness_factor=(0.1, 0.1))
    np.testing.assert_allclose(call(layer, X), np.clip(X + 25.5, 0, 255), atol=1e-4)
    for layer in (L.RandAugment(num_ops=3, seed=2), L.AugMix(all_ops=False, seed=2)):
        out = call(layer, X)
        assert out.min() >= 0 and out.max() <= 255


def test_config_round_trips():
    for name, (kwargs, _, _) in LAYERS.items():
        layer = getattr(L, name)(**kwargs)
        config = layer.get_config()
        assert "data_format" in config
        rebuilt = type(layer).from_config(config)
        assert rebuilt.get_config() == config
    assert L.RandomBrightness(0.2).get_config()["factor"] == (-0.2, 0.2)
    assert L.RandomContrast(0.2).get_config()["factor"] == (0, 0.2)
    assert L.RandomCrop(3, 3).get_config()["seed"] is not None
    assert "seed" not in L.RandomGrayscale().get_config()
    assert L.RandomShear(x_factor=0.3).get_config()["x_factor"] == (-0.3, 0.3)
    assert L.RandomGaussianBlur(kernel_size=5).get_config()["kernel_size"] == (5, 5)
    assert L.Solarization(addition_factor=0.4).get_config()["addition_factor"] == (0, 0.4)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: L.RandomFlip(mode="diagonal"), "mode"),
        (lambda: L.RandomBrightness(factor=1.5), "factor"),
        (lambda: L.RandomBrightness(factor=0.2, value_range=(0, 1, 2)), "value_range"),
        (lambda: L.RandomContrast(factor=-0.2), "factor"),
        (lambda: L.RandomContrast(factor=(0.1, 0.2, 0.3)), "factor"),
        (lambda: L.RandomRotation(0.1, fill_mode="mirror"), "fill_mode"),
        (lambda: L.RandomRotation(0.1, interpolation="cubic"), "interpolation"),
        (lambda: L.RandomTranslation(1.5, 0.1), "height_factor"),
        (lambda: L.RandomZoom(-1.0), "height_factor"),
        (lambda: L.RandomZoom(0.1, width_factor=2.0), "width_factor"),
        (lambda: L.RandomShear(x_factor=-0.5), "x_factor"),
        (lambda: L.RandomGaussianBlur(kernel_size=4), "kernel_size"),
        (lambda: L.RandomGaussianBlur(sigma=2.0), "sigma"),
        (lambda: L.RandomPerspective(scale=2.0), "scale"),
        (lambda: L.RandomElasticTransform(fill_mode="edge"), "fill_mode"),
        (lambda: L.RandomGrayscale(factor=1.5), "factor"),
        (lambda: L.RandomCrop(0, 4), "height"),
        (lambda: L.Solarization(addition_factor=2.0), "addition_factor"),
        (lambda: L.RandomPosterization(factor=9), "factor"),
        (lambda: L.RandomInvert(factor=-0.5), "factor"),
        (lambda: L.RandomErasing(fill_value=(1, 2)), "fill_value"),
        (lambda: L.MixUp(alpha=0), "alpha"),
        (lambda: L.RandAugment(num_ops=0), "num_ops"),
        (lambda: L.AugMix(chain_depth=0), "chain_depth"),
        (lambda: L.Equalization(bins=0), "bins"),
        (lambda: L.RandomFlip(data_format="channels_middle"), "data_format"),
        (lambda: L.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2,)), "tile"),
        (lambda: L.AutoContrast(factor=0.5), "factor"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_inputs():
    with pytest.raises(ValueError, match="rank"):
        L.RandomFlip()(np.ones((2, 2, 8, 8, 3), "float32"))
    with pytest.raises(ValueError, match="images"):
        L.RandomFlip()({"pixels": X})
    with pytest.raises(ValueError, match="bounding_box_format"):
        L.RandomFlip()({"images": X, "bounding_boxes": {"boxes": np.ones((2, 1, 4))}})


def test_symbolic_call_in_a_model():
    inputs = kcore.layers.Input((8, 8, 3))
    x = L.RandomFlip(seed=1)(inputs)
    x = L.RandomCrop(4, 4, seed=1)(x)
    assert tuple(x.shape) == (None, 4, 4, 3)


# ------------------------------------------------------------------ bounding boxes
BOXES = {
    "boxes": np.array([[[1, 2, 4, 6]], [[0, 0, 5, 3]]], "float32"),
    "labels": np.array([[1], [2]], "float32"),
}
WIDE = np.zeros((2, 8, 10, 3), "float32")  # height 8, width 10


def _boxes(out):
    return np_(out["bounding_boxes"]["boxes"]), np_(out["bounding_boxes"]["labels"])


def test_flip_bounding_boxes():
    layer = L.RandomFlip(bounding_box_format="xyxy")
    t = {
        "flips": ops.convert_to_tensor(np.array([True, False]).reshape(2, 1, 1, 1)),
        "input_shape": WIDE.shape,
    }
    boxes = {k: ops.convert_to_tensor(v) for k, v in BOXES.items()}
    out = layer.transform_bounding_boxes(boxes, t)
    np.testing.assert_allclose(np_(out["boxes"]), [[[6, 2, 9, 6]], [[0, 0, 5, 3]]])
    # Relative formats round trip through pixels.
    rel = L.RandomFlip("horizontal", bounding_box_format="rel_xyxy")
    scale = np.array([10, 8, 10, 8], "float32")
    out = rel.transform_bounding_boxes(
        {"boxes": ops.convert_to_tensor(BOXES["boxes"] / scale), "labels": boxes["labels"]}, t
    )
    np.testing.assert_allclose(np_(out["boxes"])[0, 0], [0.6, 0.25, 0.9, 0.75], atol=1e-6)
    # At inference boxes are unchanged.
    out = layer({"images": WIDE, "bounding_boxes": BOXES}, training=False)
    np.testing.assert_allclose(_boxes(out)[0], BOXES["boxes"])


def test_translation_zoom_rotation_crop_bounding_boxes():
    out = L.RandomTranslation((0.25, 0.25), (0.1, 0.1), bounding_box_format="xyxy")(
        {"images": WIDE, "bounding_boxes": BOXES}
    )
    np.testing.assert_allclose(_boxes(out)[0], [[[2, 4, 5, 8]], [[1, 2, 6, 5]]], atol=1e-5)
    out = L.RandomZoom((-0.5, -0.5), bounding_box_format="xyxy")(
        {"images": WIDE, "bounding_boxes": BOXES}
    )
    np.testing.assert_allclose(_boxes(out)[0][0], [[0, 0.5, 3.5, 8]], atol=1e-5)
    out = L.RandomRotation((0.5, 0.5), bounding_box_format="xyxy")(
        {"images": WIDE, "bounding_boxes": BOXES}
    )
    np.testing.assert_allclose(_boxes(out)[0][0], [[5, 1, 8, 5]], atol=1e-4)
    # RandomCrop at inference: centred crop (8, 10) -> (4, 5) is the whole image
    # resized by one half; a box left with no area gets label -1.
    crop = L.RandomCrop(4, 5, bounding_box_format="xywh")
    boxes = {
        "boxes": np.array([[[2, 2, 4, 4], [20, 20, 2, 2]]], "float32"),
        "labels": np.array([[3, 4]], "float32"),
    }
    out = crop({"images": WIDE[:1], "bounding_boxes": boxes}, training=False)
    got, labels = _boxes(out)
    np.testing.assert_allclose(got[0, 0], [1, 1, 2, 2], atol=1e-5)
    np.testing.assert_allclose(labels, [[3, -1]])
    # Single images with their boxes.
    out = crop({"images": WIDE[0], "bounding_boxes": {k: v[0] for k, v in boxes.items()}})
    assert _boxes(out)[0].shape == (2, 4)


def test_unsupported_bounding_boxes_and_formats():
    with pytest.raises(ValueError, match="bounding_box_format"):
        L.RandomFlip(bounding_box_format="xyz")
    with pytest.raises(ValueError, match="bounding_boxes"):
        L.RandomShear(x_factor=0.1, bounding_box_format="xyxy")(
            {"images": WIDE, "bounding_boxes": BOXES}
        )
