"""The activation layers (Activation, ReLU, LeakyReLU, PReLU, ELU, Softmax) on the
selected backend: the layer kit per class and option set, values against NumPy,
Softmax masks, Keras 3's config keys, and the errors of bad arguments and inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from kcore import initializers, layers, ops
from kcore.testing.layers import run_layer_test

RNG = np.random.default_rng(0)
X = RNG.standard_normal(size=(2, 3, 4)).astype("float32")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _own_config(layer):
    return {k: v for k, v in layer.get_config().items() if k not in ("name", "trainable", "dtype")}


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


KIT_CASES = [
    (layers.Activation, {"activation": "relu"}),
    (layers.Activation, {"activation": "gelu"}),
    (layers.ReLU, {}),
    (layers.ReLU, {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.2}),
    (layers.LeakyReLU, {}),
    (layers.LeakyReLU, {"negative_slope": 0.5}),
    (layers.ELU, {}),
    (layers.ELU, {"alpha": 0.5}),
    (layers.Softmax, {}),
    (layers.Softmax, {"axis": 1}),
    (layers.Softmax, {"axis": [1, 2]}),
]


@pytest.mark.parametrize("cls, kwargs", KIT_CASES)
def test_kit(cls, kwargs):
    run_layer_test(
        cls,
        kwargs,
        input_data=X,
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=0,
        supports_masking=True,
        assert_built_after_instantiation=True,
    )


@pytest.mark.parametrize(
    "kwargs, weight_shape",
    [
        ({}, (3, 4)),
        ({"shared_axes": [1]}, (1, 4)),
        ({"shared_axes": 2, "alpha_initializer": "ones"}, (3, 1)),
        ({"alpha_regularizer": "l2", "alpha_constraint": "non_neg"}, (3, 4)),
    ],
)
def test_prelu_kit(kwargs, weight_shape):
    layer = run_layer_test(
        layers.PReLU,
        kwargs,
        input_data=X,
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=1,
        expected_num_losses=1 if "alpha_regularizer" in kwargs else 0,
        supports_masking=True,
    )
    assert layer.alpha.shape == weight_shape


def test_values_match_numpy():
    np.testing.assert_allclose(_np(layers.Activation("relu")(X)), np.maximum(X, 0))
    np.testing.assert_allclose(_np(layers.Activation("tanh")(X)), np.tanh(X), rtol=1e-5, atol=1e-6)
    relu = layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2)
    expected = np.where(X >= 0.2, np.minimum(X, 1.0), 0.1 * (X - 0.2))
    np.testing.assert_allclose(_np(relu(X)), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(layers.ReLU()(X)), np.maximum(X, 0))
    leaky = layers.LeakyReLU(negative_slope=0.2)
    np.testing.assert_allclose(_np(leaky(X)), np.where(X >= 0, X, 0.2 * X), rtol=1e-6)
    elu = layers.ELU(alpha=0.5)
    np.testing.assert_allclose(
        _np(elu(X)), np.where(X > 0, X, 0.5 * (np.exp(X) - 1)), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(_np(layers.Softmax()(X)), _softmax(X), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(layers.Softmax(axis=1)(X)), _softmax(X, 1), rtol=1e-5, atol=1e-6)
    both = np.exp(X) / np.exp(X).sum(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(_np(layers.Softmax(axis=(1, 2))(X)), both, rtol=1e-5, atol=1e-6)


def test_prelu_values():
    alpha = RNG.standard_normal(size=(3, 4)).astype("float32")
    layer = layers.PReLU(alpha_initializer=initializers.Constant(0.25))
    np.testing.assert_allclose(_np(layer(X)), np.where(X >= 0, X, 0.25 * X), rtol=1e-6)
    layer.alpha.assign(alpha)
    np.testing.assert_allclose(_np(layer(X)), np.where(X >= 0, X, alpha * X), rtol=1e-5, atol=1e-6)
    shared = layers.PReLU(shared_axes=[1], alpha_initializer=initializers.Constant(0.5))
    shared(X)
    assert shared.alpha.shape == (1, 4)
    np.testing.assert_allclose(_np(shared(X)), np.where(X >= 0, X, 0.5 * X), rtol=1e-6)
    negative_axis = layers.PReLU(shared_axes=[-1])
    negative_axis(X)
    assert negative_axis.alpha.shape == (3, 1)


def test_prelu_input_checks_name_the_layer():
    layer = layers.PReLU(name="act")
    layer(X)
    with pytest.raises(ValueError, match="act"):
        layer(np.ones((2, 3, 5), "float32"))
    with pytest.raises(ValueError, match="shared axis"):
        layers.PReLU(shared_axes=[5])(X)


def test_softmax_mask():
    x = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]], "float32")
    mask = np.array([[True, False, True], [False, False, True]])
    out = _np(layers.Softmax()(x, mask=mask))
    first = _softmax(np.array([1.0, 3.0]))
    np.testing.assert_allclose(out[0], [first[0], 0.0, first[1]], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(out[1], [0.0, 0.0, 1.0], rtol=1e-6, atol=1e-7)
    # A float mask counts values above 0.5 as kept; a mask broadcasts.
    out = _np(layers.Softmax()(x, mask=mask.astype("float32")))
    np.testing.assert_allclose(out[0], [first[0], 0.0, first[1]], rtol=1e-5, atol=1e-7)
    out = _np(layers.Softmax()(x, mask=np.array([[True, True, False]])))
    np.testing.assert_allclose(out[1], [0.5, 0.5, 0.0], rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="mask"):
        layers.Softmax(name="probs")(x, mask=np.ones((2, 4), bool))


def test_configs_have_keras_keys():
    assert _own_config(layers.Activation("relu")) == {"activation": "relu"}
    assert _own_config(layers.ReLU()) == {
        "max_value": None,
        "negative_slope": 0.0,
        "threshold": 0.0,
    }
    assert _own_config(layers.LeakyReLU()) == {"negative_slope": 0.3}
    assert _own_config(layers.ELU()) == {"alpha": 1.0}
    assert _own_config(layers.Softmax()) == {"axis": -1}
    prelu = _own_config(layers.PReLU())
    assert set(prelu) == {
        "alpha_initializer",
        "alpha_regularizer",
        "alpha_constraint",
        "shared_axes",
    }
    assert prelu["alpha_initializer"]["class_name"] == "Zeros"


def test_leaky_relu_legacy_alpha():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1
    assert any("alpha" in str(w.message) for w in caught)


@pytest.mark.parametrize(
    "cls, kwargs, argument",
    [
        (layers.Activation, {"activation": "no_such_activation"}, "activation"),
        (layers.ReLU, {"max_value": -1.0}, "max_value"),
        (layers.ReLU, {"negative_slope": -0.1}, "negative_slope"),
        (layers.ReLU, {"negative_slope": None}, "negative_slope"),
        (layers.ReLU, {"threshold": -1.0}, "threshold"),
        (layers.LeakyReLU, {"negative_slope": -0.3}, "negative_slope"),
        (layers.PReLU, {"alpha_initializer": "no_such_init"}, "alpha_initializer"),
        (layers.PReLU, {"shared_axes": [0]}, "shared_axes"),
        (layers.ELU, {"alpha": "big"}, "alpha"),
        (layers.Softmax, {"axis": "last"}, "axis"),
    ],
)
def test_bad_arguments(cls, kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        cls(**kwargs)


def test_symbolic_shapes():
    inputs = layers.Input((3, 4))
    for layer in (layers.ReLU(), layers.Softmax(axis=1), layers.PReLU(shared_axes=[1])):
        assert layer(inputs).shape == (None, 3, 4)
