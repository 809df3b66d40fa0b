"""kcore.activations on the selected backend: values against NumPy, Keras's relu
options, symbolic inputs, get/serialize/deserialize."""

from __future__ import annotations

import math

import numpy as np
import pytest

import kcore
from kcore import activations, ops, saving

X = np.array([[-3.0, -1.0, -0.25, 0.0], [0.25, 1.0, 2.0, 7.0]], dtype="float32")
E = np.asarray(X, dtype="float64")


def n(x):
    return np.asarray(ops.convert_to_numpy(x), dtype="float64")


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(x))


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _erf(x):
    return np.vectorize(math.erf)(x)


def _sparsemax(row):
    z = np.sort(row)[::-1]
    cumulative = np.cumsum(z)
    k = np.arange(1, len(z) + 1)
    support = k[1 + k * z > cumulative].max()
    tau = (cumulative[support - 1] - 1) / support
    return np.maximum(row - tau, 0)


ALPHA, SCALE = 1.6732632423543772, 1.0507009873554805
EXPECTED = {
    "relu": np.maximum(E, 0),
    "relu6": np.clip(E, 0, 6),
    "leaky_relu": np.where(E >= 0, E, 0.2 * E),
    "elu": np.where(E > 0, E, np.expm1(E)),
    "selu": SCALE * np.where(E > 0, E, ALPHA * np.expm1(E)),
    "celu": np.maximum(E, 0) + np.minimum(0, np.expm1(E)),
    "softplus": _softplus(E),
    "softsign": E / (1 + np.abs(E)),
    "soft_shrink": np.where(E > 0.5, E - 0.5, np.where(E < -0.5, E + 0.5, 0)),
    "hard_shrink": np.where(np.abs(E) > 0.5, E, 0),
    "sparse_plus": np.where(E <= -1, 0, np.where(E >= 1, E, (E + 1) ** 2 / 4)),
    "silu": E * _sigmoid(E),
    "swish": E * _sigmoid(E),
    "squareplus": (E + np.sqrt(E**2 + 4)) / 2,
    "gelu": 0.5 * E * (1 + _erf(E / np.sqrt(2))),
    "glu": E[:, :2] * _sigmoid(E[:, 2:]),
    "tanh": np.tanh(E),
    "tanh_shrink": E - np.tanh(E),
    "hard_tanh": np.clip(E, -1, 1),
    "sigmoid": _sigmoid(E),
    "sparse_sigmoid": np.clip((E + 1) / 2, 0, 1),
    "exponential": np.exp(E),
    "hard_sigmoid": np.clip(E / 6 + 0.5, 0, 1),
    "hard_silu": E * np.clip(E / 6 + 0.5, 0, 1),
    "hard_swish": E * np.clip(E / 6 + 0.5, 0, 1),
    "linear": E,
    "mish": E * np.tanh(_softplus(E)),
    "log_sigmoid": -_softplus(-E),
    "softmax": _softmax(E),
    "log_softmax": np.log(_softmax(E)),
    "sparsemax": np.stack([_sparsemax(row) for row in E]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_values(name):
    out = activations.get(name)(ops.convert_to_tensor(X))
    np.testing.assert_allclose(n(out), EXPECTED[name], rtol=1e-5, atol=1e-6)


def test_threshold():
    out = activations.threshold(ops.convert_to_tensor(X), 0.5, -1.0)
    np.testing.assert_allclose(n(out), np.where(E > 0.5, E, -1.0))


def _keras_relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    y = np.where(x > threshold, x, 0.0) if threshold else np.maximum(x, 0)
    if max_value is not None:
        y = np.clip(y, 0, max_value)
    if negative_slope:
        y = y - negative_slope * np.maximum(threshold - x, 0)
    return y


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_value": 6},
        {"max_value": 1.5},
        {"negative_slope": 0.1},
        {"threshold": 0.5},
        {"negative_slope": 0.1, "max_value": 6},
        {"negative_slope": 0.2, "threshold": -0.5, "max_value": 1.0},
    ],
    ids=str,
)
def test_relu_options(kwargs):
    out = activations.relu(ops.convert_to_tensor(X), **kwargs)
    np.testing.assert_allclose(n(out), _keras_relu(E, **kwargs), rtol=1e-6, atol=1e-7)


def test_arguments_and_axes():
    x = ops.convert_to_tensor(X)
    np.testing.assert_allclose(n(activations.softmax(x, axis=0)), _softmax(E, 0), rtol=1e-5)
    np.testing.assert_allclose(
        n(activations.elu(x, alpha=0.5)), np.where(E > 0, E, 0.5 * np.expm1(E)), rtol=1e-5
    )
    np.testing.assert_allclose(
        n(activations.leaky_relu(x, negative_slope=0.5)), np.where(E > 0, E, 0.5 * E)
    )
    np.testing.assert_allclose(n(activations.glu(x, axis=0)), E[:1] * _sigmoid(E[1:]), rtol=1e-5)
    tanh_gelu = 0.5 * E * (1 + np.tanh(np.sqrt(2 / np.pi) * (E + 0.044715 * E**3)))
    np.testing.assert_allclose(
        n(activations.gelu(x, approximate=True)), tanh_gelu, rtol=1e-5, atol=1e-6
    )


def test_symbolic_inputs_keep_shape_and_dtype():
    kt = kcore.KerasTensor((None, 4), "float32")
    for name in ("relu", "mish", "softmax", "hard_silu", "sparsemax", "gelu"):
        out = activations.get(name)(kt)
        assert tuple(out.shape) == (None, 4) and out.dtype == "float32", name
    out = activations.relu(kt, negative_slope=0.1, max_value=2.0, threshold=0.5)
    assert tuple(out.shape) == (None, 4)


def test_get():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu

    def custom(x):
        return x

    assert activations.get(custom) is custom
    assert (
        activations.get(
            {
                "module": "keras.activations",
                "class_name": "function",
                "config": "tanh",
                "registered_name": "tanh",
            }
        )
        is activations.tanh
    )


@pytest.mark.parametrize("bad", ["rellu", 3, "Relu"])
def test_get_unknown(bad):
    with pytest.raises(ValueError, match=f"activation function identifier: {bad}"):
        activations.get(bad)


def test_serialize_builtins_as_names():
    assert activations.serialize(activations.relu) == "relu"
    assert activations.serialize(activations.swish) == "silu"
    assert activations.serialize(activations.hard_swish) == "hard_silu"
    for name in sorted(EXPECTED):
        fn = activations.get(name)
        assert activations.deserialize(activations.serialize(fn)) is fn


def test_serialize_registered_function():
    @saving.register_keras_serializable(package="test_activations")
    def doubled(x):
        return x * 2

    config = activations.serialize(doubled)
    assert config["class_name"] == "function"
    assert config["config"] == "test_activations>doubled"
    assert activations.deserialize(config) is doubled


def test_deserialize_unknown_name():
    with pytest.raises(ValueError, match="nope"):
        activations.deserialize("nope")


def test_namespace():
    assert kcore.activations is activations
    assert sorted(
        n for n in activations.__all__ if n not in ("get", "serialize", "deserialize", "threshold")
    ) == sorted(EXPECTED)
