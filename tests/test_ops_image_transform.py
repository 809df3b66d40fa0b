"""Geometric image transforms (``kcore.ops.image``: ``affine_transform``,
``map_coordinates``, ``elastic_transform``, ``perspective_transform``,
``scale_and_translate``) beyond what the conformance suite can say: errors worded the
same on every backend, ``elastic_transform``'s randomness, ``data_format=None``,
values known by hand, and the composites against the native versions.
"""

from __future__ import annotations

import numpy as np
import pytest
from ops_helpers import BACKENDS, composites_of, n, namespace, namespace_without, t

import kcore
from kcore import config
from kcore.errors import OpError
from kcore.keras_tensor import KerasTensor

OPS = (
    "affine_transform",
    "map_coordinates",
    "elastic_transform",
    "perspective_transform",
    "scale_and_translate",
)
RNG = np.random.default_rng(7)
IMAGES = RNG.uniform(0, 4, (2, 4, 5, 3)).astype("float32")
ROTATE = np.array([0.93, -0.31, 0.77, 0.36, 0.94, -0.41, 0.0, 0.0], "float32")
SQUARE = np.array([[0, 0], [5, 0], [5, 4], [0, 4]], "float32")
QUAD = np.array([[0.3, -0.2], [4.6, 0.4], [5.2, 3.7], [-0.1, 4.3]], "float32")


def test_ops_are_image_ops_only():
    kcore.ops.add  # noqa: B018 - binds kcore.ops (kcore.ops.image is filled on binding)
    for name in OPS:
        assert callable(getattr(kcore.ops.image, name))
        assert not hasattr(kcore.ops, name)


# -- bad input: one OpError, worded the same on every backend ----------------------------

BAD = {
    "interpolation": (
        lambda ns: ns.image.affine_transform(t(ns, IMAGES), t(ns, ROTATE), interpolation="cubic"),
        ["affine_transform: expected interpolation in ('nearest', 'bilinear')", "'cubic'"],
    ),
    "fill_mode": (
        lambda ns: ns.image.affine_transform(t(ns, IMAGES), t(ns, ROTATE), fill_mode="edge"),
        ["affine_transform: expected fill_mode in ('constant', 'nearest', 'wrap'", "'edge'"],
    ),
    "transform-shape": (
        lambda ns: ns.image.affine_transform(t(ns, IMAGES), t(ns, np.ones((2, 6)))),
        ["affine_transform: expected transform of shape (8,) or (batch, 8)", "(2, 6)"],
    ),
    "transform-rank": (
        lambda ns: ns.image.affine_transform(t(ns, IMAGES), t(ns, np.ones((1, 2, 8)))),
        ["affine_transform: expected transform of shape (8,) or (batch, 8)", "(1, 2, 8)"],
    ),
    "transform-batch": (
        lambda ns: ns.image.affine_transform(t(ns, IMAGES), t(ns, np.ones((3, 8)))),
        ["affine_transform: expected a transform batch of 1 or the images' batch size"],
    ),
    "data_format": (
        lambda ns: ns.image.affine_transform(t(ns, IMAGES), t(ns, ROTATE), data_format="NHWC"),
        ["affine_transform: expected data_format in", "'NHWC'"],
    ),
    "images-rank": (
        lambda ns: ns.image.affine_transform(t(ns, IMAGES[0, 0]), t(ns, ROTATE)),
        ["affine_transform: expected images of rank 3", "(5, 3)"],
    ),
    "map-order": (
        lambda ns: ns.image.map_coordinates(t(ns, IMAGES[0, ..., 0]), t(ns, np.ones((2, 3))), 3),
        ["map_coordinates: expected order 0 or 1", "order=3"],
    ),
    "map-fill_mode": (
        lambda ns: ns.image.map_coordinates(
            t(ns, IMAGES[0, ..., 0]), t(ns, np.ones((2, 3))), 1, fill_mode="bogus"
        ),
        ["map_coordinates: expected fill_mode in", "'bogus'"],
    ),
    "map-coordinates": (
        lambda ns: ns.image.map_coordinates(t(ns, IMAGES[0, ..., 0]), t(ns, np.ones((3, 3))), 1),
        ["map_coordinates: expected coordinates of shape (rank of inputs, ...)", "(3, 3)"],
    ),
    "perspective-interpolation": (
        lambda ns: ns.image.perspective_transform(
            t(ns, IMAGES), t(ns, SQUARE), t(ns, QUAD), interpolation="area"
        ),
        ["perspective_transform: expected interpolation in", "'area'"],
    ),
    "perspective-points": (
        lambda ns: ns.image.perspective_transform(
            t(ns, IMAGES), t(ns, SQUARE[:3]), t(ns, QUAD[:3])
        ),
        ["perspective_transform: expected start_points and end_points of shape (4, 2)"],
    ),
    "perspective-batch": (
        lambda ns: ns.image.perspective_transform(
            t(ns, IMAGES), t(ns, np.stack([SQUARE] * 3)), t(ns, np.stack([QUAD] * 3))
        ),
        ["perspective_transform: expected a batch of points of 1 or the images' batch size"],
    ),
    "perspective-data_format": (
        lambda ns: ns.image.perspective_transform(
            t(ns, IMAGES), t(ns, SQUARE), t(ns, QUAD), data_format="channels_middle"
        ),
        ["perspective_transform: expected data_format in"],
    ),
    "elastic-interpolation": (
        lambda ns: ns.image.elastic_transform(t(ns, IMAGES), interpolation="bicubic", seed=1),
        ["elastic_transform: expected interpolation in", "'bicubic'"],
    ),
    "elastic-fill_mode": (
        lambda ns: ns.image.elastic_transform(t(ns, IMAGES), fill_mode="zeros", seed=1),
        ["elastic_transform: expected fill_mode in", "'zeros'"],
    ),
    "elastic-data_format": (
        lambda ns: ns.image.elastic_transform(t(ns, IMAGES), data_format="nchw", seed=1),
        ["elastic_transform: expected data_format in"],
    ),
    "scale-method": (
        lambda ns: ns.image.scale_and_translate(
            t(ns, IMAGES), (2, 6, 6, 3), t(ns, [1.5, 1.5]), t(ns, [0.0, 0.0]), (1, 2), "nearest"
        ),
        ["scale_and_translate: expected method in", "'nearest'"],
    ),
    "scale-shape": (
        lambda ns: ns.image.scale_and_translate(
            t(ns, IMAGES), (2, 6, 6, 3), t(ns, [1.5]), t(ns, [0.0]), (1, 2), "linear"
        ),
        ["scale_and_translate: expected scale and translation of shape (2,)"],
    ),
    "scale-output_shape": (
        lambda ns: ns.image.scale_and_translate(
            t(ns, IMAGES), (6, 6), t(ns, [1.5, 1.5]), t(ns, [0.0, 0.0]), (1, 2), "linear"
        ),
        ["scale_and_translate: expected output_shape of length 4"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_same_error_everywhere(case):
    call, words = BAD[case]
    messages = {}
    for name in BACKENDS:
        with pytest.raises(OpError) as info:
            call(namespace(name))
        messages[name] = str(info.value)
    for message in messages.values():
        for word in words:
            assert word in message, message
    assert len(set(messages.values())) == 1, messages


@pytest.mark.parametrize("case", ["interpolation", "transform-shape", "map-order"])
def test_bad_input_symbolic(case):
    symbolic = {
        "interpolation": lambda: kcore.ops.image.affine_transform(
            KerasTensor((None, 4, 5, 3)), KerasTensor((8,)), interpolation="cubic"
        ),
        "transform-shape": lambda: kcore.ops.image.affine_transform(
            KerasTensor((None, 4, 5, 3)), KerasTensor((None, 6))
        ),
        "map-order": lambda: kcore.ops.image.map_coordinates(
            KerasTensor((4, 5)), KerasTensor((2, 3)), 2
        ),
    }
    with pytest.raises(OpError) as info:
        symbolic[case]()
    assert BAD[case][1][0] in str(info.value)


# -- values known by hand ---------------------------------------------------------------


def test_map_coordinates_by_hand(ns):
    x = np.arange(12.0, dtype="float32").reshape(3, 4)
    out = ns.image.map_coordinates(t(ns, x), t(ns, [[0.5, 2.0, -1.0], [0.5, 3.0, 1.0]]), order=1)
    np.testing.assert_allclose(n(ns, out), [2.5, 11.0, 0.0], atol=1e-6)
    coords = t(ns, [[0.0, 0.0, 0.0, 0.0], [-1.0, -2.0, 4.0, 5.0]])
    row = t(ns, [[1.0, 2.0, 3.0, 4.0]])  # a b c d = 1 2 3 4
    expected = {
        "nearest": [1, 1, 4, 4],
        "wrap": [4, 3, 1, 2],
        "mirror": [2, 3, 3, 2],
        "reflect": [1, 2, 4, 3],
        "constant": [7, 7, 7, 7],
    }
    for mode, values in expected.items():
        got = ns.image.map_coordinates(row, coords, 0, fill_mode=mode, fill_value=7)
        np.testing.assert_array_equal(n(ns, got), np.asarray(values, "float32"), err_msg=mode)
    # Nearest rounds halves away from zero; integer inputs round their result.
    got = ns.image.map_coordinates(row, t(ns, [[0.0, 0.0], [0.5, 1.5]]), 0)
    np.testing.assert_array_equal(n(ns, got), [2.0, 3.0])
    ints = t(ns, [[0, 3]], "int32")
    got = ns.image.map_coordinates(ints, t(ns, [[0.0], [0.5]]), 1)
    assert ns.dtype(got) == "int32" and n(ns, got).tolist() == [2]


def test_affine_identity_shift_and_projective(ns):
    x = t(ns, IMAGES)
    identity = np.array([1, 0, 0, 0, 1, 0, 0, 0], "float32")
    np.testing.assert_allclose(n(ns, ns.image.affine_transform(x, t(ns, identity))), IMAGES)
    # Output (x, y) reads input (x + 1, y): a shift left with the last column filled.
    shift = np.array([1, 0, 1, 0, 1, 0, 0, 0], "float32")
    got = n(ns, ns.image.affine_transform(x, t(ns, shift), fill_value=-1))
    np.testing.assert_allclose(got[:, :, :-1], IMAGES[:, :, 1:])
    np.testing.assert_allclose(got[:, :, -1], -1.0)
    # c0 and c1 divide (TensorFlow's and the docstring's formula) on every backend.
    proj = np.array([2, 0, 0, 0, 2, 0, 0.5, 0.5], "float32")  # (2x, 2y) / (x/2 + y/2 + 1)
    got = n(ns, ns.image.affine_transform(x, t(ns, proj), interpolation="nearest"))
    k = 0.5 * 2 + 0.5 * 1 + 1  # output pixel x=2, y=1 reads (x, y) = (1.6, 0.8) -> (2, 1)
    assert (2 * 2 / k, 2 * 1 / k) == (1.6, 0.8)
    np.testing.assert_array_equal(got[:, 1, 2], IMAGES[:, 1, 2])


def test_transform_batch_of_one_broadcasts(ns):
    batched = ns.image.affine_transform(t(ns, IMAGES), t(ns, np.stack([ROTATE, ROTATE])))
    shared = ns.image.affine_transform(t(ns, IMAGES), t(ns, ROTATE[None]))
    single = ns.image.affine_transform(t(ns, IMAGES), t(ns, ROTATE))
    np.testing.assert_allclose(n(ns, shared), n(ns, batched), atol=1e-6)
    np.testing.assert_allclose(n(ns, single), n(ns, batched), atol=1e-6)


def test_perspective_is_affine_of_its_homography(ns):
    # Corners mapped onto themselves: the identity.
    got = ns.image.perspective_transform(t(ns, IMAGES), t(ns, SQUARE), t(ns, SQUARE))
    np.testing.assert_allclose(n(ns, got), IMAGES, atol=1e-5)
    # A pure translation by (1, 0) of every corner reads the input one column right.
    moved = SQUARE - np.array([1.0, 0.0], "float32")
    got = n(ns, ns.image.perspective_transform(t(ns, IMAGES), t(ns, SQUARE), t(ns, moved)))
    np.testing.assert_allclose(got[:, :, :-1], IMAGES[:, :, 1:], atol=1e-5)


def test_scale_and_translate_keras_example(ns):
    images = np.arange(9, dtype="float32").reshape((3, 3))
    scale = np.array([2.0, 2.0], "float32")
    got = ns.image.scale_and_translate(
        t(ns, images), (5, 5), t(ns, scale), t(ns, -(scale / 2.0 - 0.5)), (0, 1), "linear"
    )
    expected = np.array(
        [
            [0.0, 0.5, 1.0, 1.5, 2.0],
            [1.5, 2.0, 2.5, 3.0, 3.5],
            [3.0, 3.5, 4.0, 4.5, 5.0],
            [4.5, 5.0, 5.5, 6.0, 6.5],
            [6.0, 6.5, 7.0, 7.5, 8.0],
        ]
    )
    np.testing.assert_allclose(n(ns, got), expected, atol=1e-5)


# -- data_format=None is image_data_format() -------------------------------------------


@pytest.fixture
def channels_first():
    before = config.image_data_format()
    config.set_image_data_format("channels_first")
    yield
    config.set_image_data_format(before)


def test_data_format_none_follows_config(ns, channels_first):
    images = IMAGES.transpose(0, 3, 1, 2)
    got = ns.image.affine_transform(t(ns, images), t(ns, ROTATE))
    expected = ns.image.affine_transform(t(ns, images), t(ns, ROTATE), data_format="channels_first")
    np.testing.assert_array_equal(n(ns, got), n(ns, expected))
    got = ns.image.perspective_transform(t(ns, images), t(ns, SQUARE), t(ns, QUAD))
    last = ns.image.perspective_transform(
        t(ns, IMAGES), t(ns, SQUARE), t(ns, QUAD), data_format="channels_last"
    )
    np.testing.assert_allclose(n(ns, got), n(ns, last).transpose(0, 3, 1, 2), atol=1e-6)


# -- elastic_transform: random, so checked here ------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float16", "uint8"])
def test_elastic_shape_dtype_and_seed(ns, dtype):
    images = (IMAGES * 50).astype(dtype)
    x = t(ns, images, dtype)
    a = ns.image.elastic_transform(x, alpha=3.0, sigma=1.0, seed=3)
    b = ns.image.elastic_transform(x, alpha=3.0, sigma=1.0, seed=3)
    c = ns.image.elastic_transform(x, alpha=3.0, sigma=1.0, seed=4)
    assert ns.dtype(a) == dtype and tuple(a.shape) == images.shape
    np.testing.assert_array_equal(n(ns, a), n(ns, b))
    assert not np.array_equal(n(ns, a), n(ns, c))
    unbatched = ns.image.elastic_transform(t(ns, images[0], dtype), sigma=1.0, seed=3)
    assert tuple(unbatched.shape) == images.shape[1:] and ns.dtype(unbatched) == dtype


def test_elastic_identity_and_formats(ns):
    x = t(ns, IMAGES)
    same = ns.image.elastic_transform(x, alpha=0.0, sigma=2.0, seed=9)
    np.testing.assert_array_equal(n(ns, same), IMAGES)
    last = ns.image.elastic_transform(x, alpha=2.0, sigma=1.5, fill_mode="constant", seed=5)
    first = ns.image.elastic_transform(
        t(ns, IMAGES.transpose(0, 3, 1, 2)),
        alpha=2.0,
        sigma=1.5,
        fill_mode="constant",
        seed=5,
        data_format="channels_first",
    )
    np.testing.assert_allclose(n(ns, first), n(ns, last).transpose(0, 3, 1, 2), atol=1e-6)
    assert not np.allclose(n(ns, last), IMAGES)
    gen = kcore.random.SeedGenerator(1, backend=ns.backend)
    one = n(ns, ns.image.elastic_transform(x, sigma=1.0, seed=gen))
    two = n(ns, ns.image.elastic_transform(x, sigma=1.0, seed=gen))
    assert not np.array_equal(one, two)


def test_elastic_symbolic():
    out = kcore.ops.image.elastic_transform(KerasTensor((None, 8, 8, 3), "float16"), seed=1)
    assert out.shape == (None, 8, 8, 3) and out.dtype == "float16"


# -- composites against the native versions ----------------------------------------------

NATIVE = [
    name
    for name in BACKENDS
    if set(composites_of("kcore.ops.image_transform")) & set(kcore.backend.get_backend(name).ops)
]


@pytest.mark.parametrize("name", NATIVE)
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_composites_match_natives(name, dtype):
    native = namespace(name)
    composite = namespace_without(name, composites_of("kcore.ops.image_transform"))
    images = (IMAGES * 10).astype(dtype)
    coords = RNG.uniform(-3, 7, (2, 3, 4)).astype("float32")
    calls = [
        lambda ns: ns.image.map_coordinates(
            t(ns, images[0, ..., 0], dtype), t(ns, coords), 1, "mirror"
        ),
        lambda ns: ns.image.map_coordinates(
            t(ns, images[0, ..., 0], dtype), t(ns, coords), 0, "wrap"
        ),
        lambda ns: ns.image.map_coordinates(
            t(ns, images[0, ..., 0], dtype), t(ns, coords), 1, "constant", 2.0
        ),
    ]
    for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
        calls.append(
            lambda ns, mode=mode: ns.image.affine_transform(
                t(ns, images, dtype), t(ns, ROTATE), fill_mode=mode, fill_value=1.0
            )
        )
    calls.append(
        lambda ns: ns.image.affine_transform(
            t(ns, images, dtype), t(ns, ROTATE), interpolation="nearest", fill_mode="reflect"
        )
    )
    calls.append(
        lambda ns: ns.image.perspective_transform(
            t(ns, images, dtype), t(ns, SQUARE), t(ns, QUAD), fill_value=3.0
        )
    )
    for method in ("linear", "cubic", "lanczos5"):
        calls.append(
            lambda ns, method=method: ns.image.scale_and_translate(
                t(ns, images, dtype),
                (2, 3, 7, 3),
                t(ns, [0.7, 1.4]),
                t(ns, [0.2, -0.3]),
                (1, 2),
                method,
            )
        )
    for mode in ("reflect", "constant"):  # the same noise for a seed, native or not
        calls.append(
            lambda ns, mode=mode: ns.image.elastic_transform(
                t(ns, images, dtype), alpha=3.0, sigma=1.0, fill_mode=mode, seed=11
            )
        )
    atol = 1e-4 if dtype == "float32" else 1
    for i, call in enumerate(calls):
        got, want = call(composite), call(native)
        assert composite.dtype(got) == native.dtype(want) == dtype
        np.testing.assert_allclose(n(composite, got), n(native, want), atol=atol, err_msg=str(i))
