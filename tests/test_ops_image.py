"""Image ops (``kcore.ops.image``) beyond what the conformance suite can say: bad input
gets the same OpError on every backend, ``data_format=None`` follows the configured
format, values worked out by hand (half-pixel sampling, coverage-weighted area, HSV
primaries), integer saturation, the ``resize`` composite against each native version,
and symbolic shapes with unknown spatial dimensions.
"""

from __future__ import annotations

import numpy as np
import pytest
from ops_helpers import BACKENDS, n, namespace, namespace_without, op_error_message, t

from kcore import config
from kcore.keras_tensor import KerasTensor

IMAGE = np.arange(2 * 5 * 6 * 3, dtype="float32").reshape(2, 5, 6, 3) / 100.0
INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area")


# -- bad input ---------------------------------------------------------------------------

BAD_CALLS = {
    "unknown interpolation": (
        lambda ns, x: ns.image.resize(x, (3, 3), interpolation="cubic"),
        ["resize: expected interpolation one of", "'cubic'"],
    ),
    "unknown data_format": (
        lambda ns, x: ns.image.resize(x, (3, 3), data_format="channels_middle"),
        ["resize: expected data_format", "'channels_middle'"],
    ),
    "2D image": (
        lambda ns, x: ns.image.resize(x[0, :, :, 0], (3, 3)),
        ["resize: expected images of rank 3", "got rank 2", "shape (5, 6)"],
    ),
    "zero size": (
        lambda ns, x: ns.image.resize(x, (0, 3)),
        ["resize: expected size", "positive ints", "(0, 3)"],
    ),
    "negative size": (
        lambda ns, x: ns.image.resize(x, (3, -2)),
        ["resize: expected size", "(3, -2)"],
    ),
    "size of three": (
        lambda ns, x: ns.image.resize(x, (3, 3, 3)),
        ["resize: expected size to be a (height, width) pair"],
    ),
    "crop and pad": (
        lambda ns, x: ns.image.resize(
            x, (3, 3), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True
        ),
        ["resize: expected at most one of crop_to_aspect_ratio"],
    ),
    "fill mode": (
        lambda ns, x: ns.image.resize(x, (3, 3), fill_mode="reflect"),
        ["resize: expected fill_mode 'constant'", "'reflect'"],
    ),
    "pad three of three": (
        lambda ns, x: ns.image.pad_images(x, 1, 1, 1, 1, target_height=9),
        ["pad_images: expected exactly two of top_padding, bottom_padding, target_height"],
    ),
    "negative padding": (
        lambda ns, x: ns.image.pad_images(x, -1, 1, 1, 1),
        ["pad_images: expected top_padding to be a non-negative int", "-1"],
    ),
    "pad below the image": (
        lambda ns, x: ns.image.pad_images(x, 1, 1, target_height=3, target_width=9),
        ["pad_images: expected target_height >= 5"],
    ),
    "crop beyond the image": (
        lambda ns, x: ns.image.crop_images(x, 3, 0, 3, 0),
        ["crop_images: expected croppings that fit the image of height 5"],
    ),
    "crop data_format": (
        lambda ns, x: ns.image.crop_images(x, 1, 1, 1, 1, data_format="NHWC"),
        ["crop_images: expected data_format", "'NHWC'"],
    ),
    "grayscale of 4 channels": (
        lambda ns, x: ns.image.rgb_to_grayscale(ns.concatenate([x, x[..., :1]], axis=-1)),
        ["rgb_to_grayscale: expected images with 1 or 3 channels, got 4"],
    ),
    "hsv of integers": (
        lambda ns, x: ns.image.rgb_to_hsv(ns.cast(x, "int32")),
        ["rgb_to_hsv: expected images of a float dtype, got int32"],
    ),
    "hsv of 2 channels": (
        lambda ns, x: ns.image.hsv_to_rgb(x[..., :2]),
        ["hsv_to_rgb: expected images with 3 channels, got 2"],
    ),
    "blur kernel": (
        lambda ns, x: ns.image.gaussian_blur(x, kernel_size=(0, 3)),
        ["gaussian_blur: expected kernel_size to be positive ints"],
    ),
    "blur 2D": (
        lambda ns, x: ns.image.gaussian_blur(x[0, :, :, 0]),
        ["gaussian_blur: expected images of rank 3"],
    ),
    "sobel of one image": (
        lambda ns, x: ns.image.sobel_edges(x[0]),
        ["sobel_edges: expected images of rank 4, got rank 3"],
    ),
    "patch padding": (
        lambda ns, x: ns.image.extract_patches(x, 2, padding="full"),
        ["extract_patches: expected padding 'valid' or 'same'", "'full'"],
    ),
    "patch stride 0": (
        lambda ns, x: ns.image.extract_patches(x, 2, strides=0),
        ["extract_patches: expected strides to be a positive int"],
    ),
    "3D patches of images": (
        lambda ns, x: ns.image.extract_patches_3d(x[0], 2),
        ["extract_patches_3d: expected volumes of rank 4 (a single volume) or 5"],
    ),
    "ssim shapes": (
        lambda ns, x: ns.image.ssim(x, x[:, :4], filter_size=3),
        ["ssim: expected image1 and image2 of one shape"],
    ),
    "ssim filter too big": (
        lambda ns, x: ns.image.ssim(x, x),
        ["ssim: expected images at least filter_size=11 high and wide"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_bad_input_raises_the_same_op_error_on_every_backend(case):
    call, words = BAD_CALLS[case]
    messages = {}
    for name in BACKENDS:
        ns = namespace(name)
        messages[name] = op_error_message(call, ns, t(ns, IMAGE))
        for word in words:
            assert word in messages[name], messages[name]
        assert "; received " in messages[name], messages[name]
    assert len(set(messages.values())) == 1, messages


@pytest.mark.parametrize(
    ("shape", "kwargs", "word"),
    [
        ((2, 5, 6, 3), {"interpolation": "cubic"}, "resize: expected interpolation"),
        ((5, 6), {}, "resize: expected images of rank 3"),
        ((None, 5, 6, 3), {"size": (0, 3)}, "resize: expected size"),
    ],
)
def test_bad_symbolic_input_raises_an_op_error(ns, shape, kwargs, word):
    kwargs = {"size": (3, 3), **kwargs}
    message = op_error_message(ns.image.resize, KerasTensor(shape), **kwargs)
    assert word in message, message


# -- data_format=None --------------------------------------------------------------------


@pytest.fixture
def channels_first():
    saved = config.image_data_format()
    config.set_image_data_format("channels_first")
    yield
    config.set_image_data_format(saved)


@pytest.mark.parametrize(
    "call",
    [
        lambda ns, x: ns.image.resize(x, (3, 4)),
        lambda ns, x: ns.image.pad_images(x, 1, 2, 0, 1),
        lambda ns, x: ns.image.rgb_to_grayscale(x),
        lambda ns, x: ns.image.rgb_to_hsv(x),
        lambda ns, x: ns.image.gaussian_blur(x),
        lambda ns, x: ns.image.sobel_edges(x),
        lambda ns, x: ns.image.extract_patches(x, 2),
        lambda ns, x: ns.image.ssim(x, x * 0.9, filter_size=3),
    ],
)
def test_data_format_none_follows_the_configured_format(ns, call, channels_first):
    x = np.moveaxis(IMAGE, -1, 1).copy()  # (2, 3, 5, 6)
    implicit = n(ns, call(ns, t(ns, x)))
    config.set_image_data_format("channels_last")
    explicit_last = n(ns, call(ns, t(ns, IMAGE)))
    # The same values, laid out channels first.
    if implicit.ndim == 4 and explicit_last.ndim == 4:
        explicit_last = np.moveaxis(explicit_last, -1, 1)
    elif implicit.ndim == 5:  # sobel: (batch, channels, height, width, 2)
        explicit_last = np.moveaxis(explicit_last, 3, 1)
    np.testing.assert_allclose(implicit, explicit_last, rtol=1e-5, atol=1e-6)


# -- values worked out by hand -----------------------------------------------------------


def _row(ns, values, size, interpolation, antialias=False, dtype="float32"):
    x = t(ns, np.asarray(values, dtype=dtype).reshape(1, -1, 1))
    return n(ns, ns.image.resize(x, (1, size), interpolation=interpolation, antialias=antialias))


def test_bilinear_samples_at_half_pixel_centers(ns):
    # 2 -> 4: samples at -0.25, 0.25, 0.75, 1.25 (clamped at the edges).
    got = _row(ns, [0.0, 4.0], 4, "bilinear")
    np.testing.assert_allclose(got.ravel(), [0.0, 1.0, 3.0, 4.0], atol=1e-6)


def test_nearest_takes_floor_of_the_scaled_center(ns):
    # 5 -> 3: centers (i + 0.5) * 5 / 3 = 0.83, 2.5, 4.17.
    got = _row(ns, [10.0, 11.0, 12.0, 13.0, 14.0], 3, "nearest")
    np.testing.assert_array_equal(got.ravel(), [10.0, 12.0, 14.0])


def test_area_weights_by_covered_length(ns):
    # 3 -> 2: output 0 covers [0, 1.5): pixel 0 whole, half of pixel 1.
    got = _row(ns, [3.0, 6.0, 9.0], 2, "area")
    np.testing.assert_allclose(got.ravel(), [(3 + 3) / 1.5, (3 + 9) / 1.5], rtol=1e-6)


def test_antialias_widens_the_kernel_when_downsampling(ns):
    values = [0.0, 8.0] * 4
    # 8 -> 2 samples at 1.5 and 5.5: plainly, halfway between two pixels.
    plain = _row(ns, values, 2, "bilinear")
    np.testing.assert_allclose(plain.ravel(), [4.0, 4.0], atol=1e-5)
    # With antialias the triangle reaches 4 pixels each way: weights 1 - |j - 1.5| / 4
    # (0.625, 0.875, 0.875, 0.625, 0.375, 0.125 for j = 0..5, summing to 3.5).
    smooth = _row(ns, values, 2, "bilinear", antialias=True)
    np.testing.assert_allclose(smooth.ravel(), [8 * 1.625 / 3.5, 8 * 1.875 / 3.5], rtol=1e-5)


def test_rgb_to_hsv_of_the_primaries(ns):
    rgb = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.5], [0.5, 0.5, 0.5]]])
    hsv = n(ns, ns.image.rgb_to_hsv(t(ns, rgb)))
    expected = [[[0.0, 1.0, 1.0], [1 / 3, 1.0, 1.0], [2 / 3, 1.0, 0.5], [0.0, 0.0, 0.5]]]
    np.testing.assert_allclose(hsv, expected, atol=1e-6)
    back = n(ns, ns.image.hsv_to_rgb(t(ns, hsv)))
    np.testing.assert_allclose(back, rgb, atol=1e-6)


def test_patches_are_ordered_offset_major_then_channel(ns):
    x = np.arange(2 * 2 * 2, dtype="float32").reshape(2, 2, 2)  # (height, width, channels)
    patches = n(ns, ns.image.extract_patches(t(ns, x), 2))
    np.testing.assert_array_equal(patches.reshape(-1), x.reshape(-1))


def test_ssim_of_an_image_with_itself_is_one(ns):
    x = t(ns, IMAGE)
    np.testing.assert_allclose(n(ns, ns.image.ssim(x, x, filter_size=3)), [1.0, 1.0], atol=1e-5)


# -- integers ----------------------------------------------------------------------------


@pytest.mark.parametrize("interpolation", ["bicubic", "lanczos3"])
def test_integer_resize_rounds_and_saturates(ns, interpolation):
    # A step from 0 to 255 overshoots with these kernels; the result saturates.
    step = np.zeros((1, 6, 6, 1), dtype="uint8")
    step[:, :, 3:] = 255
    got = n(ns, ns.image.resize(t(ns, step, "uint8"), (6, 9), interpolation=interpolation))
    assert got.dtype == np.uint8
    expected = n(
        namespace("numpy"),
        namespace("numpy").image.resize(step, (6, 9), interpolation=interpolation),
    )
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1
    assert got.min() == 0 and got.max() == 255


# -- the resize composite ----------------------------------------------------------------


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"antialias": True},
        {"crop_to_aspect_ratio": True},
        {"pad_to_aspect_ratio": True, "fill_value": 2.0},
    ],
    ids=["plain", "antialias", "crop", "pad"],
)
def test_resize_composite_agrees_with_the_native_version(ns, interpolation, options):
    composite = namespace_without(ns.backend.name, ["resize"])
    x = t(ns, IMAGE)
    for size in ((3, 4), (7, 11)):
        native = n(ns, ns.image.resize(x, size, interpolation=interpolation, **options))
        fallback = n(
            composite, composite.image.resize(x, size, interpolation=interpolation, **options)
        )
        np.testing.assert_allclose(fallback, native, rtol=1e-5, atol=2e-6)


FILTER_CALLS = {
    "blur": lambda ns, x: ns.image.gaussian_blur(x),
    "blur-uneven": lambda ns, x: ns.image.gaussian_blur(x, (4, 3), (0.8, 1.6)),
    "blur-first": lambda ns, x: ns.image.gaussian_blur(
        x[0], (5, 2), 1.2, data_format="channels_first"
    ),
    "sobel": lambda ns, x: ns.image.sobel_edges(x),
    "sobel-first": lambda ns, x: ns.image.sobel_edges(x, data_format="channels_first"),
    "hsv": lambda ns, x: ns.image.hsv_to_rgb(ns.image.rgb_to_hsv(x)),
    "gray": lambda ns, x: ns.image.rgb_to_grayscale(x, data_format="channels_last"),
    "patches": lambda ns, x: ns.image.extract_patches(x, (2, 3), strides=1, padding="same"),
    "ssim": lambda ns, x: ns.image.ssim(x, ns.flip(x, axis=1), filter_size=3),
}


@pytest.mark.parametrize(
    ("call", "dtype"),
    # HSV conversions take floats only (uint8 is refused, tested with the bad inputs).
    [
        (c, d)
        for c in sorted(FILTER_CALLS)
        for d in ("float32", "uint8")
        if (c, d) != ("hsv", "uint8")
    ],
)
def test_filter_natives_agree_with_the_composites(ns, call, dtype):
    names = ["gaussian_blur", "sobel_edges", "rgb_to_hsv", "hsv_to_rgb", "rgb_to_grayscale"]
    names += ["extract_patches", "ssim"]
    composite = namespace_without(ns.backend.name, names)
    x = IMAGE * 40 if dtype == "uint8" else IMAGE / IMAGE.max()
    native = n(ns, FILTER_CALLS[call](ns, t(ns, x, dtype)))
    fallback = n(composite, FILTER_CALLS[call](composite, t(composite, x, dtype)))
    assert native.dtype == fallback.dtype
    np.testing.assert_allclose(native, fallback, rtol=1e-5, atol=1e-5)


# -- symbolic ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "shape"),
    [
        (lambda ns, x: ns.image.resize(x, (8, 9)), (8, 9, 3)),
        (lambda ns, x: ns.image.pad_images(x, 1, 1, target_height=7, target_width=9), (7, 9, 3)),
        (lambda ns, x: ns.image.crop_images(x, 1, 1, 1, 1), (None, None, 3)),
        (lambda ns, x: ns.image.rgb_to_grayscale(x), (None, None, 1)),
        (lambda ns, x: ns.image.gaussian_blur(x), (None, None, 3)),
        (lambda ns, x: ns.image.extract_patches(x, 2), (None, None, 12)),
        (lambda ns, x: ns.image.ssim(x, x, filter_size=3), ()),
    ],
)
def test_symbolic_images_of_unknown_size(ns, call, shape):
    out = call(ns, KerasTensor((None, None, 3), "float32"))
    assert isinstance(out, KerasTensor)
    assert out.shape == shape
    assert out.dtype == "float32"
