"""kcore.initializers on the selected backend: value statistics, seeds, shapes and
dtypes, errors, and config round trips in Keras 3's format."""

from __future__ import annotations

import math

import numpy as np
import pytest

import kcore
from kcore import initializers, ops
from kcore import random as krandom
from kcore.dtypes import standardize_dtype


def n(x):
    return np.asarray(ops.convert_to_numpy(x), dtype="float64")


# -- VarianceScaling and its presets: standard deviation per mode and distribution ----

SHAPE = (200, 100)  # fan_in 200, fan_out 100, fan_avg 150
FANS = {"fan_in": 200, "fan_out": 100, "fan_avg": 150}


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_statistics(mode, distribution):
    scale = 2.0
    init = initializers.VarianceScaling(scale, mode, distribution, seed=3)
    values = n(init(SHAPE))
    assert values.shape == SHAPE
    std = math.sqrt(scale / FANS[mode])
    assert abs(values.mean()) < 0.05 * std
    assert values.std() == pytest.approx(std, rel=0.05)
    if distribution == "uniform":
        assert np.abs(values).max() <= math.sqrt(3) * std + 1e-6
    if distribution == "truncated_normal":
        # truncated at two standard deviations of the untruncated normal
        assert np.abs(values).max() <= 2 * std / 0.87962566103423978 + 1e-6


@pytest.mark.parametrize(
    ("cls", "scale", "fan", "uniform"),
    [
        (initializers.GlorotUniform, 1.0, 150, True),
        (initializers.GlorotNormal, 1.0, 150, False),
        (initializers.HeUniform, 2.0, 200, True),
        (initializers.HeNormal, 2.0, 200, False),
        (initializers.LecunUniform, 1.0, 200, True),
        (initializers.LecunNormal, 1.0, 200, False),
    ],
)
def test_presets(cls, scale, fan, uniform):
    values = n(cls(seed=1)(SHAPE))
    std = math.sqrt(scale / fan)
    assert values.std() == pytest.approx(std, rel=0.05)
    if uniform:
        assert np.abs(values).max() <= math.sqrt(3) * std + 1e-6
    assert cls(seed=1).get_config() == {"seed": 1, "input_axes": None, "output_axes": None}


def test_variance_scaling_fans_of_conv_kernel_and_axes():
    # (3, 3, 8, 16): fan_in = 3*3*8 = 72
    values = n(initializers.VarianceScaling(1.0, "fan_in", "uniform", seed=0)((3, 3, 8, 16)))
    assert np.abs(values).max() <= math.sqrt(3 / 72) + 1e-6
    assert np.abs(values).max() > 0.9 * math.sqrt(3 / 72)
    # explicit axes: fan_in = shape[1] = 100
    init = initializers.VarianceScaling(
        1.0, "fan_in", "uniform", 0, input_axes=[1], output_axes=[0]
    )
    assert n(init(SHAPE)).std() == pytest.approx(math.sqrt(1 / 100), rel=0.05)


def test_variance_scaling_normal_means_truncated():
    assert initializers.VarianceScaling(distribution="Normal").distribution == "truncated_normal"


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [({"scale": 0.0}, "scale"), ({"mode": "fan"}, "mode"), ({"distribution": "x"}, "distribution")],
)
def test_variance_scaling_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        initializers.VarianceScaling(**kwargs)


# -- the plain random initializers ------------------------------------------------------


def test_random_normal_uniform_truncated_statistics():
    values = n(initializers.RandomNormal(mean=1.0, stddev=0.5, seed=2)(SHAPE))
    assert values.mean() == pytest.approx(1.0, abs=0.02)
    assert values.std() == pytest.approx(0.5, rel=0.05)
    values = n(initializers.RandomUniform(minval=-2.0, maxval=1.0, seed=2)(SHAPE))
    assert values.min() >= -2.0 and values.max() < 1.0
    assert values.mean() == pytest.approx(-0.5, abs=0.05)
    values = n(initializers.TruncatedNormal(mean=0.0, stddev=1.0, seed=2)(SHAPE))
    assert np.abs(values).max() <= 2.0 + 1e-6
    assert values.std() == pytest.approx(0.8796, rel=0.05)


def test_default_dtype_is_floatx_and_dtype_argument():
    assert standardize_dtype(initializers.RandomNormal(seed=1)((2,)).dtype) == "float32"
    out = initializers.GlorotUniform(seed=1)((2, 2), dtype="float16")
    assert standardize_dtype(out.dtype) == "float16"
    assert standardize_dtype(initializers.Zeros()((2,), dtype="int32").dtype) == "int32"
    assert ops.is_tensor(initializers.Ones()((2,)))


# -- seeds --------------------------------------------------------------------------------


def test_int_seed_gives_the_same_values_every_call_and_instance():
    a = initializers.RandomNormal(seed=7)
    first = n(a((4,)))
    np.testing.assert_array_equal(first, n(a((4,))))
    np.testing.assert_array_equal(first, n(initializers.RandomNormal(seed=7)((4,))))
    assert not np.array_equal(first, n(initializers.RandomNormal(seed=8)((4,))))


def test_unseeded_initializer_repeats_itself_as_in_keras():
    init = initializers.HeUniform()
    np.testing.assert_array_equal(n(init((3, 3))), n(init((3, 3))))
    assert init.get_config()["seed"] is None


def test_seed_generator_gives_new_values_and_clone_restarts():
    init = initializers.RandomUniform(seed=krandom.SeedGenerator(5))
    first, second = n(init((4,))), n(init((4,)))
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(n(init.clone()((4,))), first)
    config = initializers.serialize(init)
    assert config["config"]["seed"]["class_name"] == "SeedGenerator"
    np.testing.assert_array_equal(n(initializers.deserialize(config)((4,))), first)


@pytest.mark.parametrize("seed", ["1", 1.5, True, [1]])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed=seed)


# -- Orthogonal, Identity, Constant -------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 5), (2, 3, 4)])
def test_orthogonal_is_orthogonal(shape):
    q = n(initializers.Orthogonal(gain=2.0, seed=1)(shape))
    assert q.shape == shape
    flat = q.reshape(-1, shape[-1])
    small = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(small, 4.0 * np.eye(small.shape[0]), atol=1e-4)


def test_orthogonal_needs_two_dimensions():
    with pytest.raises(ValueError, match="two-dimensional"):
        initializers.Orthogonal()((3,))


def test_identity():
    np.testing.assert_array_equal(n(initializers.Identity(gain=3.0)((2, 3))), 3 * np.eye(2, 3))
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


def test_constant_zeros_ones():
    np.testing.assert_array_equal(n(initializers.Constant(2.5)((2, 3))), np.full((2, 3), 2.5))
    np.testing.assert_array_equal(n(initializers.Constant([1.0, 2.0])((2, 2))), [[1, 2], [1, 2]])
    np.testing.assert_array_equal(n(initializers.Zeros()((3,))), np.zeros(3))
    np.testing.assert_array_equal(n(initializers.Ones()((3,))), np.ones(3))
    config = initializers.serialize(initializers.Constant(np.array([1.0, 2.0])))
    np.testing.assert_array_equal(initializers.deserialize(config).value, [1.0, 2.0])


# -- STFT -----------------------------------------------------------------------------------


def _dft_kernel(frame, bins, side):
    t = np.arange(frame).reshape(frame, 1, 1)
    f = np.arange(bins).reshape(1, 1, bins) / ((bins - 1) * 2)
    angles = -2 * np.pi * t * f
    return np.cos(angles) if side == "real" else np.sin(angles)


@pytest.mark.parametrize("side", ["real", "imag"])
def test_stft_without_window_is_the_dft_basis(side):
    values = n(initializers.STFT(side=side, window=None)((8, 1, 5)))
    np.testing.assert_allclose(values, _dft_kernel(8, 5, side), atol=1e-6)


@pytest.mark.parametrize(
    ("window", "periodic", "scaling", "expected"),
    [
        ("hann", False, "density", np.hanning(8)),
        ("hann", True, "spectrum", np.hanning(9)[:-1]),
        ("hamming", False, None, np.hamming(8)),
        ("blackman", False, "density", np.blackman(8)),
        ("bartlett", True, None, np.bartlett(9)[:-1]),
        ([1.0, 2.0, 3.0, 4.0, 4.0, 3.0, 2.0, 1.0], False, "spectrum", None),
    ],
)
def test_stft_windows_and_scaling(window, periodic, scaling, expected):
    if expected is None:
        expected = np.asarray(window)
    init = initializers.STFT(window=window, periodic=periodic, scaling=scaling)
    divisor = {
        "density": np.sqrt(np.sum(expected**2)),
        "spectrum": np.sum(np.abs(expected)),
        None: 1.0,
    }[scaling]
    want = _dft_kernel(8, 5, "real") * expected.reshape(8, 1, 1) / divisor
    np.testing.assert_allclose(n(init((8, 1, 5))), want, atol=1e-6)


def test_stft_bad_arguments():
    with pytest.raises(ValueError, match="side"):
        initializers.STFT(side="both")
    with pytest.raises(ValueError, match="window"):
        initializers.STFT(window="nope")
    with pytest.raises(ValueError, match="caling"):
        initializers.STFT(scaling="power")
    with pytest.raises(ValueError, match="frame_length"):
        initializers.STFT(window=[1.0, 2.0])((8, 1, 5))


# -- get, serialize, deserialize -------------------------------------------------------------

CASES = [
    initializers.Constant(1.5),
    initializers.Zeros(),
    initializers.Ones(),
    initializers.Identity(gain=2.0),
    initializers.STFT(side="imag", window="hamming", scaling="spectrum", periodic=True),
    initializers.RandomNormal(mean=1.0, stddev=2.0, seed=3),
    initializers.RandomUniform(minval=-1.0, maxval=2.0, seed=3),
    initializers.TruncatedNormal(stddev=0.1, seed=None),
    initializers.VarianceScaling(
        3.0, "fan_avg", "uniform", seed=4, input_axes=[0], output_axes=[1]
    ),
    initializers.GlorotNormal(seed=5),
    initializers.GlorotUniform(),
    initializers.HeNormal(seed=1),
    initializers.HeUniform(seed=1),
    initializers.LecunNormal(seed=1),
    initializers.LecunUniform(seed=1),
    initializers.Orthogonal(gain=0.5, seed=6),
]


@pytest.mark.parametrize("init", CASES, ids=lambda i: type(i).__name__)
def test_config_round_trip(init):
    config = initializers.serialize(init)
    assert config["module"] == "keras.initializers"
    assert config["class_name"] == type(init).__name__
    assert config["registered_name"] is None
    again = initializers.deserialize(config)
    assert type(again) is type(init)
    assert again.get_config() == init.get_config()
    assert type(initializers.get(config)) is type(init)
    assert type(init.clone()) is type(init) and init.clone().get_config() == init.get_config()


def test_keras_written_config_loads():
    config = {
        "module": "keras.initializers",
        "class_name": "VarianceScaling",
        "config": {
            "seed": 3,
            "scale": 2.0,
            "mode": "fan_out",
            "distribution": "uniform",
            "input_axes": None,
            "output_axes": None,
        },
        "registered_name": None,
    }
    init = initializers.deserialize(config)
    assert (init.scale, init.mode, init.distribution, init.seed) == (2.0, "fan_out", "uniform", 3)


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("glorot_uniform", initializers.GlorotUniform),
        ("GlorotUniform", initializers.GlorotUniform),
        ("he_normal", initializers.HeNormal),
        ("zeros", initializers.Zeros),
        ("zero", initializers.Zeros),
        ("one", initializers.Ones),
        ("normal", initializers.RandomNormal),
        ("uniform", initializers.RandomUniform),
        ("orthogonal", initializers.Orthogonal),
        ("OrthogonalInitializer", initializers.Orthogonal),
        ("IdentityInitializer", initializers.Identity),
        ("stft", initializers.STFT),
        ("variance_scaling", initializers.VarianceScaling),
    ],
)
def test_get_by_name(name, cls):
    assert type(initializers.get(name)) is cls


def test_get_other_identifiers():
    assert initializers.get(None) is None
    init = initializers.Ones()
    assert initializers.get(init) is init
    assert type(initializers.get(initializers.HeNormal)) is initializers.HeNormal

    def fn(shape, dtype=None):
        return ops.zeros(shape, dtype=dtype)

    assert initializers.get(fn) is fn
    from_array = initializers.get(np.arange(4.0).reshape(2, 2))
    np.testing.assert_array_equal(n(from_array((2, 2))), [[0, 1], [2, 3]])
    with pytest.raises(ValueError, match="shape"):
        from_array((4,))


@pytest.mark.parametrize("bad", ["glorot_unifrom", 3])
def test_get_unknown(bad):
    with pytest.raises(ValueError, match=f"initializer identifier: {bad}"):
        initializers.get(bad)


def test_aliases_and_lazy_import():
    assert kcore.initializers is initializers
    assert initializers.glorot_uniform is initializers.GlorotUniform
    assert initializers.STFTInitializer is initializers.STFT
    assert initializers.Initializer().get_config() == {}
    assert kcore.Initializer is initializers.Initializer
    assert initializers.serialize(initializers.Initializer())["module"] == "keras"
    with pytest.raises(NotImplementedError):
        initializers.Initializer()((2,))
