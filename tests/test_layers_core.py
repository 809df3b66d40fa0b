"""The core layers (Dense, EinsumDense, Embedding, ReversibleEmbedding, Identity, Lambda,
Masking, Wrapper) on the selected backend: the layer kit per class and option set,
values against NumPy, LoRA, masks, Keras 3's config keys, Lambda's safe mode, and the
errors of bad arguments and inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import kcore
from kcore import backend, layers, ops
from kcore.saving import (
    deserialize_keras_object,
    register_keras_serializable,
    serialize_keras_object,
)
from kcore.testing.layers import run_layer_test

RNG = np.random.default_rng(0)
TRAINS = backend.current().capabilities.trainable


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _data(*shape, dtype="float32"):
    return RNG.standard_normal(size=shape).astype(dtype)


def _own_keys(layer):
    return set(layer.get_config()) - {"name", "trainable", "dtype"}


@register_keras_serializable(package="kcore_tests")
def double(x):
    return x * 2


@register_keras_serializable(package="kcore_tests")
def add_offset(x, offset=0.0):
    return x + offset


@register_keras_serializable(package="kcore_tests")
def halve_last(shape):
    return (*shape[:-1], shape[-1] // 2)


# --------------------------------------------------------------------------- Dense
@pytest.mark.parametrize(
    "kwargs, input_shape, output_shape, losses",
    [
        ({"units": 3}, (2, 4), (2, 3), 0),
        # Fixed weights: with random ones every relu unit can be off for both samples
        # (a zero gradient, by chance of the global seed).
        (
            {"units": 3, "activation": "relu", "use_bias": False, "kernel_initializer": "ones"},
            (2, 4),
            (2, 3),
            0,
        ),
        ({"units": 2}, (2, 3, 4), (2, 3, 2), 0),
        (
            {
                "units": 3,
                "kernel_regularizer": "l2",
                "bias_regularizer": "l1",
                "activity_regularizer": "l2",
                "kernel_constraint": "non_neg",
                "bias_constraint": "max_norm",
            },
            (2, 4),
            (2, 3),
            3,
        ),
    ],
)
def test_dense_kit(kwargs, input_shape, output_shape, losses):
    run_layer_test(
        layers.Dense,
        kwargs,
        input_shape=input_shape,
        expected_output_shape=output_shape,
        expected_num_trainable_weights=2 if kwargs.get("use_bias", True) else 1,
        expected_num_non_trainable_weights=0,
        expected_num_losses=losses,
        supports_masking=True,
    )


def test_dense_values_match_numpy():
    x = _data(3, 4)
    layer = layers.Dense(5, activation="tanh", bias_initializer="random_normal")
    y = _np(layer(x))
    expected = np.tanh(x @ layer.kernel.numpy() + layer.bias.numpy())
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    assert layer.kernel.shape == (4, 5) and layer.bias.shape == (5,)
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]


def test_dense_config_has_keras_keys_and_round_trips():
    layer = layers.Dense(3, activation="relu", kernel_regularizer="l2")
    assert _own_keys(layer) == {
        "units",
        "activation",
        "use_bias",
        "kernel_initializer",
        "bias_initializer",
        "kernel_regularizer",
        "bias_regularizer",
        "kernel_constraint",
        "bias_constraint",
        "quantization_config",
    }
    config = layer.get_config()
    assert config["activation"] == "relu"
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert config["kernel_regularizer"]["class_name"] == "L2"
    again = layers.Dense.from_config(config)
    assert again.get_config() == config


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"units": 0}, "units"),
        ({"units": -3}, "units"),
        ({"units": 2.5}, "units"),
        ({"units": True}, "units"),
        ({"units": 2, "activation": "no_such_activation"}, "activation"),
        ({"units": 2, "kernel_initializer": "no_such_init"}, "kernel_initializer"),
        ({"units": 2, "bias_regularizer": "no_such_reg"}, "bias_regularizer"),
        ({"units": 2, "kernel_constraint": "no_such_constraint"}, "kernel_constraint"),
        ({"units": 2, "lora_rank": 0}, "lora_rank"),
        ({"units": 2, "quantization_config": {"mode": "int8"}}, "quantization_config"),
    ],
)
def test_dense_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        layers.Dense(**kwargs)


def test_dense_bad_inputs_name_the_layer():
    layer = layers.Dense(3, name="head")
    with pytest.raises(ValueError, match="head"):
        layer(np.ones((4,), "float32"))  # rank 1: refused before any weight is made
    assert not layer.weights
    layer(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match=r"head.*\(2, 5\)"):
        layer(np.ones((2, 5), "float32"))


def test_dense_lora():
    x = _data(2, 4)
    layer = layers.Dense(3, lora_rank=2, lora_alpha=4)
    base = _np(layer(x))
    assert layer.lora_enabled and layer.lora_rank == 2 and layer.lora_alpha == 4
    names = sorted(w.name for w in layer.trainable_weights)
    assert names == ["bias", "lora_kernel_a", "lora_kernel_b"]
    assert [w.name for w in layer.non_trainable_weights] == ["kernel"]
    # B starts at zero: the output is the plain kernel's.
    kernel = layer._kernel.numpy()
    np.testing.assert_allclose(base, x @ kernel + layer.bias.numpy(), rtol=1e-5, atol=1e-5)
    layer.lora_kernel_b.assign(np.ones((2, 3), "float32"))
    merged = kernel + 2.0 * layer.lora_kernel_a.numpy() @ np.ones((2, 3), "float32")
    np.testing.assert_allclose(_np(layer.kernel), merged, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(layer(x)), x @ merged + layer.bias.numpy(), rtol=1e-4, atol=1e-4)
    config = layer.get_config()
    assert config["lora_rank"] == 2 and config["lora_alpha"] == 4
    with pytest.raises(ValueError, match="already enabled"):
        layer.enable_lora(2)


def test_dense_enable_lora_errors():
    with pytest.raises(ValueError, match="built"):
        layers.Dense(2).enable_lora(2)
    constrained = layers.Dense(2, kernel_constraint="non_neg")
    constrained.build((None, 3))
    with pytest.raises(ValueError, match="kernel_constraint"):
        constrained.enable_lora(2)


def test_dense_lora_kit():
    run_layer_test(
        layers.Dense,
        {"units": 3, "lora_rank": 2},
        input_shape=(2, 4),
        expected_output_shape=(2, 3),
        expected_num_trainable_weights=3,
        expected_num_non_trainable_weights=1,
        run_training_check=False,  # B starts at zero, so A's gradient is zero at first
    )


def test_dense_symbolic_and_mask_passthrough():
    inputs = layers.Input((5, 4))
    outputs = layers.Dense(2)(inputs)
    assert outputs.shape == (None, 5, 2)
    assert layers.Dense(2).compute_output_shape((None, 5, 4)) == (None, 5, 2)


# --------------------------------------------------------------------- EinsumDense
EINSUM_CASES = [
    ("ab,bc->ac", 3, "c", (2, 4), (2, 3), (4, 3), (3,)),
    ("ab,bc->ac", 3, None, (2, 4), (2, 3), (4, 3), None),
    ("abc,cd->abd", (None, 3), "d", (2, 5, 4), (2, 5, 3), (4, 3), (3,)),
    ("abc,cde->abde", (None, 2, 3), "e", (2, 5, 4), (2, 5, 2, 3), (4, 2, 3), (3,)),
    ("abc,cde->abde", (None, 2, 3), "de", (2, 5, 4), (2, 5, 2, 3), (4, 2, 3), (2, 3)),
    ("...b,bc->...c", 3, "c", (2, 5, 4), (2, 5, 3), (4, 3), (3,)),
    ("ab...,bc->ac...", (3,), "c", (2, 4, 5, 6), (2, 3, 5, 6), (4, 3), (3, 1, 1)),
]


@pytest.mark.parametrize(
    "equation, output_shape, bias_axes, input_shape, out, kernel_shape, bias_shape",
    EINSUM_CASES,
)
def test_einsum_dense_kit_and_values(
    equation, output_shape, bias_axes, input_shape, out, kernel_shape, bias_shape
):
    kwargs = {"equation": equation, "output_shape": output_shape, "bias_axes": bias_axes}
    layer = run_layer_test(
        layers.EinsumDense,
        kwargs,
        input_shape=input_shape,
        expected_output_shape=out,
        expected_num_trainable_weights=1 if bias_axes is None else 2,
    )
    assert layer.kernel.shape == kernel_shape
    assert (layer.bias is None) if bias_shape is None else (layer.bias.shape == bias_shape)
    x = _data(*input_shape)
    expected = np.einsum(equation, x, layer.kernel.numpy())
    if layer.bias is not None:
        expected = expected + layer.bias.numpy()
    np.testing.assert_allclose(_np(layer(x)), expected, rtol=1e-5, atol=1e-5)


def test_einsum_dense_symbolic_shapes_and_config():
    layer = layers.EinsumDense("abc,cd->abd", (None, 6), bias_axes="d", activation="relu")
    assert layer(layers.Input((5, 4))).shape == (None, 5, 6)
    assert layer.compute_output_shape((None, 5, 4)) == (None, 5, 6)
    assert _own_keys(layer) == {
        "output_shape",
        "equation",
        "activation",
        "bias_axes",
        "kernel_initializer",
        "bias_initializer",
        "kernel_regularizer",
        "bias_regularizer",
        "activity_regularizer",
        "kernel_constraint",
        "bias_constraint",
        "quantization_config",
    }
    assert layer.get_config()["output_shape"] == [None, 6]


def test_einsum_dense_errors():
    with pytest.raises(ValueError, match="equation"):
        layers.EinsumDense("ab->ac", 3)
    with pytest.raises(ValueError, match="bias_axes"):
        layers.EinsumDense("ab,bc->ac", 3, bias_axes="x")
    with pytest.raises(ValueError, match="output_shape"):
        layers.EinsumDense("ab,bc->ac", -3)
    with pytest.raises(ValueError, match="output_shape"):
        layers.EinsumDense("ab,bc->ac", (3, 4)).build((2, 4))
    with pytest.raises(ValueError, match="shared dimension"):
        layers.EinsumDense("abc,cd->abd", (7, 3)).build((2, 5, 4))
    layer = layers.EinsumDense("ab,bc->ac", 3, name="proj")
    layer(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match="proj"):
        layer(np.ones((2, 5), "float32"))


def test_einsum_dense_lora():
    layer = layers.EinsumDense("abc,cde->abde", (None, 2, 3), lora_rank=2)
    layer.build((None, 5, 4))
    assert layer.lora_kernel_a.shape == (4, 2, 2) and layer.lora_kernel_b.shape == (2, 3)
    assert not layer._kernel.trainable
    layer.lora_kernel_b.assign(np.ones((2, 3), "float32"))
    merged = layer._kernel.numpy() + layer.lora_kernel_a.numpy() @ np.ones((2, 3), "float32")
    np.testing.assert_allclose(_np(layer.kernel), merged, rtol=1e-5, atol=1e-5)
    assert layer.get_config()["lora_rank"] == 2


# ----------------------------------------------------------------------- Embedding
def test_embedding_kit():
    run_layer_test(
        layers.Embedding,
        {"input_dim": 6, "output_dim": 3},
        input_shape=(2, 4),
        input_dtype="int32",
        expected_output_shape=(2, 4, 3),
        expected_output_dtype="float32",
        expected_num_trainable_weights=1,
        supports_masking=False,
    )


def test_embedding_mask_zero_kit():
    run_layer_test(
        layers.Embedding,
        {"input_dim": 6, "output_dim": 3, "mask_zero": True},
        input_shape=(2, 4),
        input_dtype="int32",
        expected_output_shape=(2, 4, 3),
        expected_mask_shape=(2, 4),
        supports_masking=True,
    )


def test_embedding_values_mask_and_weights_argument():
    table = _data(5, 2)
    layer = layers.Embedding(5, 2, mask_zero=True, weights=table)
    assert layer.built
    ids = np.array([[0, 3, 4], [1, 0, 2]], "int32")
    np.testing.assert_allclose(_np(layer(ids)), table[ids], rtol=1e-6)
    np.testing.assert_array_equal(_np(layer.compute_mask(ids)), ids != 0)
    # Float indices are cast to int.
    np.testing.assert_allclose(_np(layer(ids.astype("float32"))), table[ids], rtol=1e-6)


def test_embedding_mask_propagates_symbolically():
    inputs = layers.Input((4,), dtype="int32")
    outputs = layers.Embedding(5, 2, mask_zero=True)(inputs)
    assert outputs.shape == (None, 4, 2)
    assert outputs._keras_mask.shape == (None, 4)


def test_embedding_config_keys_and_errors():
    layer = layers.Embedding(5, 2)
    assert _own_keys(layer) == {
        "input_dim",
        "output_dim",
        "embeddings_initializer",
        "embeddings_regularizer",
        "activity_regularizer",
        "embeddings_constraint",
        "mask_zero",
        "quantization_config",
    }
    assert layer.get_config()["embeddings_initializer"]["class_name"] == "RandomUniform"
    for kwargs, argument in (
        ({"input_dim": 0, "output_dim": 2}, "input_dim"),
        ({"input_dim": 3, "output_dim": -1}, "output_dim"),
        ({"input_dim": 3.0, "output_dim": 2}, "input_dim"),
        (
            {"input_dim": 3, "output_dim": 2, "embeddings_initializer": "nope"},
            "embeddings_initializer",
        ),
    ):
        with pytest.raises(ValueError, match=argument):
            layers.Embedding(**kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = layers.Embedding(5, 2, input_length=4)
    assert any("input_length" in str(w.message) for w in caught)
    assert "input_length" not in layer.get_config()


def test_embedding_lora_and_mixed_precision():
    layer = layers.Embedding(5, 2, lora_rank=1)
    ids = np.array([[1, 2]], "int32")
    layer(ids)
    assert sorted(w.name for w in layer.trainable_weights) == [
        "lora_embeddings_a",
        "lora_embeddings_b",
    ]
    layer.lora_embeddings_b.assign(np.ones((1, 2), "float32"))
    merged = layer._embeddings.numpy() + layer.lora_embeddings_a.numpy() @ np.ones((1, 2))
    np.testing.assert_allclose(_np(layer(ids)), merged[ids], rtol=1e-5, atol=1e-5)
    mixed = layers.Embedding(5, 2, dtype="mixed_float16")
    out = mixed(ids)
    assert kcore.dtypes.standardize_dtype(out.dtype) == "float16"
    assert mixed.embeddings.dtype == "float32"


# ------------------------------------------------------------- ReversibleEmbedding
@pytest.mark.parametrize("tie_weights", [True, False])
def test_reversible_embedding_kit(tie_weights):
    kwargs = {"input_dim": 7, "output_dim": 3, "tie_weights": tie_weights}
    run_layer_test(
        layers.ReversibleEmbedding,
        kwargs,
        input_shape=(2, 4),
        input_dtype="int32",
        expected_output_shape=(2, 4, 3),
        expected_num_trainable_weights=1 if tie_weights else 2,
        # the forward call leaves reverse_embeddings unused (zero gradient)
        run_training_check=tie_weights,
    )
    # reverse=True: the kit calls compute_output_shape without call arguments, so
    # the reverse path is checked here.
    layer = layers.ReversibleEmbedding(**kwargs)
    h = _data(2, 4, 3)
    assert tuple(layer(h, reverse=True).shape) == (2, 4, 7)
    assert layer.compute_output_shape((2, 4, 3), reverse=True) == (2, 4, 7)
    symbolic = layers.ReversibleEmbedding(**kwargs)(layers.Input((4, 3)), reverse=True)
    assert symbolic.shape == (None, 4, 7) and symbolic.dtype == "float32"
    mixed = layers.ReversibleEmbedding(**kwargs, dtype="mixed_float16")
    logits = mixed(h, reverse=True)
    assert kcore.dtypes.standardize_dtype(logits.dtype) == "float16"


def test_reversible_embedding_values():
    layer = layers.ReversibleEmbedding(6, 3, logit_soft_cap=2.0)
    ids = np.array([[1, 5]], "int32")
    hidden = layer(ids)
    table = layer.embeddings.numpy()
    np.testing.assert_allclose(_np(hidden), table[ids], rtol=1e-6)
    h = _data(1, 2, 3)
    expected = np.tanh((h @ table.T) / 2.0) * 2.0
    np.testing.assert_allclose(_np(layer(h, reverse=True)), expected, rtol=1e-5, atol=1e-5)
    untied = layers.ReversibleEmbedding(6, 3, tie_weights=False)
    untied(ids)
    assert untied.reverse_embeddings.shape == (3, 6)
    np.testing.assert_allclose(
        _np(untied(h, reverse=True)), h @ untied.reverse_embeddings.numpy(), rtol=1e-5, atol=1e-5
    )
    symbolic = layers.ReversibleEmbedding(6, 3)
    assert symbolic(layers.Input((4, 3)), reverse=True).shape == (None, 4, 6)
    config = layer.get_config()
    assert config["tie_weights"] is True and config["logit_soft_cap"] == 2.0
    assert "reverse_dtype" in config
    with pytest.raises(ValueError, match="logit_soft_cap"):
        layers.ReversibleEmbedding(6, 3, logit_soft_cap=-1.0)


# ------------------------------------------------------------------------ Identity
def test_identity():
    run_layer_test(
        layers.Identity,
        {},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        supports_masking=True,
        assert_built_after_instantiation=True,
    )
    x = ops.ones((2, 3))
    assert layers.Identity()(x) is x
    ids = layers.Input((3,), dtype="int32")
    assert layers.Identity()(ids).dtype == "int32"


# -------------------------------------------------------------------------- Lambda
def test_lambda_kit_with_registered_functions():
    run_layer_test(
        layers.Lambda,
        {"function": double},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
    )
    run_layer_test(
        layers.Lambda,
        {"function": add_offset, "arguments": {"offset": 1.5}, "output_shape": (3,)},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
    )


def test_lambda_values_output_shape_mask_and_training():
    x = _data(2, 4)
    np.testing.assert_allclose(_np(layers.Lambda(double)(x)), 2 * x, rtol=1e-6)
    layer = layers.Lambda(add_offset, arguments={"offset": 1.0})
    np.testing.assert_allclose(_np(layer(x)), x + 1.0, rtol=1e-6)
    assert layers.Lambda(double, output_shape=(4,)).compute_output_shape((None, 4)) == (None, 4)
    shaped = layers.Lambda(lambda t: t[:, :2], output_shape=halve_last)
    assert shaped.compute_output_shape((None, 4)) == (None, 2)
    inferred = layers.Lambda(lambda t: ops.concatenate([t, t], axis=-1))
    assert inferred(layers.Input((3,))).shape == (None, 6)
    assert inferred.compute_output_shape((None, 3)) == (None, 6)
    masked = layers.Lambda(double, mask=lambda inputs, mask: ops.greater(inputs, 0))
    assert masked.supports_masking
    np.testing.assert_array_equal(_np(masked.compute_mask(x, None)), x > 0)
    seen = {}

    def record(inputs, training=None):
        seen["training"] = training
        return inputs

    layers.Lambda(record)(x, training=True)
    assert seen["training"] is True


def test_lambda_config_and_safe_mode():
    layer = layers.Lambda(double, output_shape=(3,), arguments={})
    config = layer.get_config()
    assert config["function"]["registered_name"] == "kcore_tests>double"
    assert config["output_shape"] == [3]
    rebuilt = layers.Lambda.from_config(config)
    assert rebuilt.function is double
    x = _data(2, 3)
    # A Python lambda is written as Keras writes it (bytecode) ...
    anonymous = layers.Lambda(lambda t: t + 1.0)
    lambda_config = anonymous.get_config()
    assert lambda_config["function"]["class_name"] == "__lambda__"
    assert "code" in lambda_config["function"]["config"]
    # ... and loading it is refused in safe mode, whichever way it is loaded.
    with pytest.raises(ValueError, match="safe_mode=False"):
        layers.Lambda.from_config(lambda_config)
    with pytest.raises(ValueError, match="enable_unsafe_deserialization"):
        deserialize_keras_object(serialize_keras_object(anonymous))
    loaded = layers.Lambda.from_config(lambda_config, safe_mode=False)
    np.testing.assert_allclose(_np(loaded(x)), x + 1.0, rtol=1e-6)
    try:
        kcore.config.enable_unsafe_deserialization()
        loaded = deserialize_keras_object(serialize_keras_object(anonymous))
        np.testing.assert_allclose(_np(loaded(x)), x + 1.0, rtol=1e-6)
    finally:
        kcore.config._state.overrides.pop("safe_mode", None)
    with pytest.raises(ValueError, match="safe_mode"):
        layers.Lambda.from_config(lambda_config)


def test_lambda_bad_arguments():
    with pytest.raises(ValueError, match="function"):
        layers.Lambda(3)
    with pytest.raises(ValueError, match="arguments"):
        layers.Lambda(double, arguments=[1])


# ------------------------------------------------------------------------- Masking
def test_masking_kit_and_values():
    run_layer_test(
        layers.Masking,
        {"mask_value": 0.0},
        input_shape=(2, 3, 2),
        expected_output_shape=(2, 3, 2),
        expected_mask_shape=(2, 3),
        supports_masking=True,
        assert_built_after_instantiation=True,
    )
    x = np.array([[[1.0, 2.0], [-1.0, -1.0], [0.0, -1.0]]], "float32")
    layer = layers.Masking(mask_value=-1.0)
    out = layer(x)
    np.testing.assert_array_equal(_np(out), [[[1.0, 2.0], [0.0, 0.0], [0.0, -1.0]]])
    np.testing.assert_array_equal(_np(layer.compute_mask(x)), [[True, False, True]])
    assert layer.get_config()["mask_value"] == -1.0
    symbolic = layers.Masking()(layers.Input((3, 2)))
    assert symbolic._keras_mask.shape == (None, 3)


# ------------------------------------------------------------------------- Wrapper
class _Doubled(layers.Wrapper):
    def call(self, inputs):
        return self.layer(inputs) * 2


def test_wrapper():
    wrapped = layers.Wrapper(layers.Dense(3))
    x = _data(2, 4)
    y = wrapped(x)
    assert tuple(y.shape) == (2, 3)
    assert len(wrapped.trainable_weights) == 2
    config = wrapped.get_config()
    assert config["layer"]["class_name"] == "Dense"
    again = layers.Wrapper.from_config(config)
    assert isinstance(again.layer, layers.Dense) and again.layer.units == 3
    doubled = _Doubled(layers.Dense(2, kernel_initializer="ones"))
    np.testing.assert_allclose(_np(doubled(np.ones((1, 3), "float32"))), [[6.0, 6.0]])
    built = layers.Wrapper(layers.Dense(2))
    built.build((None, 5))
    assert built.layer.built and built.layer.kernel.shape == (5, 2)
    with pytest.raises(ValueError, match="layer"):
        layers.Wrapper("not a layer")


# ------------------------------------------------------------ training on backends
@pytest.mark.skipif(not TRAINS, reason="inference-only backend")
def test_dense_stateless_gradient_matches_numpy():
    layer = layers.Dense(2, kernel_initializer="ones")
    x = _data(3, 4)
    layer(x)

    def loss(kernel, bias):
        y, _ = layer.stateless_call([kernel, bias], [], x)
        return ops.sum(y)

    grads = backend.current().gradient(loss, layer.kernel.value, layer.bias.value)
    np.testing.assert_allclose(_np(grads[0]), np.tile(x.sum(0)[:, None], (1, 2)), rtol=1e-5)
    np.testing.assert_allclose(_np(grads[1]), [3.0, 3.0], rtol=1e-6)
