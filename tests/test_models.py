"""Models on the selected backend: Input/InputLayer, Sequential, the functional API
(multiple and nested inputs/outputs, shared layers, ops on KerasTensors, nesting,
masks), subclassed models, summary, configs, clone_model, plot_model."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import kcore
from kcore import ops
from kcore.layers import Layer


def n(x):
    return np.asarray(ops.convert_to_numpy(x))


@kcore.saving.register_keras_serializable(package="tests")
class Affine(Layer):
    """x @ W + b with W = ones * scale (deterministic, so outputs are checkable)."""

    def __init__(self, units, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.scale = scale

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer=kcore.initializers.Constant(self.scale),
            name="kernel",
        )
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, x):
        return ops.matmul(x, self.kernel) + self.bias

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)


@kcore.saving.register_keras_serializable(package="tests")
class Join(Layer):
    def call(self, inputs):
        return ops.concatenate(inputs, axis=-1)


def test_input_and_input_layer():
    x = kcore.Input(shape=(3,), batch_size=4, dtype="int32", name="ids")
    assert (x.shape, x.dtype, x.name) == ((4, 3), "int32", "ids")
    layer = x._keras_history[0]
    assert isinstance(layer, kcore.layers.InputLayer) and layer.batch_shape == (4, 3)
    assert kcore.Input(batch_shape=(None, 2, 2)).shape == (None, 2, 2)
    with pytest.raises(ValueError, match="pass shape .* or batch_shape"):
        kcore.layers.InputLayer()
    config = layer.get_config()
    assert config["batch_shape"] == [4, 3] and config["dtype"] == "int32"


def test_sequential_add_pop_and_deferred_build():
    model = kcore.Sequential([Affine(4), Affine(2)])
    assert not model.built
    out = model(np.ones((3, 5), "float32"))
    assert model.built and tuple(out.shape) == (3, 2)
    np.testing.assert_allclose(n(out), np.full((3, 2), 20.0))
    assert model.output_shape == (None, 2) and len(model.weights) == 4
    model.add(Affine(1))
    assert model.output_shape == (None, 1)
    popped = model.pop()
    assert popped.units == 1 and model.output_shape == (None, 2)
    with pytest.raises(ValueError, match="only layers can be added"):
        model.add("dense")


def test_sequential_with_input_builds_at_once():
    model = kcore.Sequential([kcore.Input((5,)), Affine(4)])
    assert model.built and model.layers[0].kernel.shape == (5, 4)
    with pytest.raises(ValueError, match="InputLayer can only be the first layer"):
        model.add(kcore.layers.InputLayer(shape=(5,)))
    legacy = kcore.Sequential([Affine(2, input_shape=(7,))])
    assert legacy.built and legacy.input_shape == (None, 7)


def test_functional_multiple_inputs_outputs_and_shared_layer():
    a = kcore.Input((3,), name="a")
    b = kcore.Input((3,), name="b")
    shared = Affine(2, name="shared")
    ya, yb = shared(a), shared(b)
    joined = Join()([ya, yb])
    model = kcore.Model(inputs={"a": a, "b": b}, outputs={"joined": joined, "sum": ya + yb})
    out = model({"a": np.ones((2, 3), "float32"), "b": 2 * np.ones((2, 3), "float32")})
    np.testing.assert_allclose(n(out["joined"]), [[3, 3, 6, 6]] * 2)
    np.testing.assert_allclose(n(out["sum"]), [[9, 9]] * 2)
    assert len(shared._inbound_nodes) == 2 and len(model.weights) == 2
    assert model.get_layer("shared") is shared
    assert model.get_layer(index=0).name == "a"
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        model.get_layer("nope")


def test_functional_list_inputs_and_wrong_input():
    a, b = kcore.Input((2,)), kcore.Input((4,))
    model = kcore.Model([a, b], Join()([a, b]))
    out = model([np.ones((1, 2), "float32"), np.zeros((1, 4), "float32")])
    assert tuple(out.shape) == (1, 6)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 2\), received shape=\(1, 3\)"):
        model([np.ones((1, 3), "float32"), np.zeros((1, 4), "float32")])
    with pytest.raises(ValueError, match="expects 2 input"):
        model([np.ones((1, 2), "float32")])


def test_graph_disconnected():
    a, b = kcore.Input((2,)), kcore.Input((2,))
    with pytest.raises(ValueError, match="graph disconnected"):
        kcore.Model(a, Join()([a, b]))


def test_models_nest_as_layers():
    inner_in = kcore.Input((3,))
    inner = kcore.Model(inner_in, Affine(2)(inner_in), name="inner")
    x = kcore.Input((3,))
    outer = kcore.Model(x, Affine(1)(inner(x)), name="outer")
    out = outer(np.ones((2, 3), "float32"))
    np.testing.assert_allclose(n(out), [[6.0], [6.0]])
    assert len(outer.weights) == 4 and outer.layers[1] is inner


def test_subclassed_model():
    class TwoLayer(kcore.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.first = Affine(3)
            self.second = Affine(1)

        def call(self, x):
            return self.second(ops.relu(self.first(x)))

    model = TwoLayer()
    out = model(np.ones((2, 4), "float32"))
    np.testing.assert_allclose(n(out), [[12.0], [12.0]])
    assert [layer.name for layer in model.layers] == [model.first.name, model.second.name]
    model.summary(print_fn=lambda line: None)


def test_subclass_with_functional_init():
    class Wrapped(kcore.Model):
        def __init__(self):
            inputs = kcore.Input((2,))
            super().__init__(inputs, Affine(1)(inputs), name="wrapped")

    model = Wrapped()
    np.testing.assert_allclose(n(model(np.ones((1, 2), "float32"))), [[2.0]])


def test_ops_on_keras_tensors_become_nodes():
    x = kcore.Input((3,))
    y = ops.relu(x) * 2.0 + ops.sum(x, axis=-1, keepdims=True)
    model = kcore.Model(x, y)
    out = model(np.array([[-1.0, 0.5, 2.0]], "float32"))
    np.testing.assert_allclose(n(out), [[1.5, 2.5, 5.5]])
    clone = kcore.models.Functional.from_config(model.get_config())
    np.testing.assert_allclose(n(clone(np.array([[-1.0, 0.5, 2.0]], "float32"))), n(out))


def test_mask_propagation_in_sequential():
    class MaskZeros(Layer):
        def call(self, x):
            return x

        def compute_mask(self, inputs, previous_mask):
            return ops.any(ops.not_equal(inputs, 0), axis=-1)

    class Passthrough(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, x):
            return x

    class MaskedMean(Layer):
        def call(self, x, mask=None):
            weights = ops.expand_dims(ops.cast(mask, x.dtype), -1)
            return ops.sum(x * weights, axis=1) / ops.sum(weights, axis=1)

    model = kcore.Sequential([MaskZeros(), Passthrough(), MaskedMean()])
    x = np.array([[[1.0, 1.0], [3.0, 3.0], [0.0, 0.0]]], "float32")
    np.testing.assert_allclose(n(model(x)), [[2.0, 2.0]])
    inputs = kcore.Input((3, 2))
    functional = kcore.Model(inputs, MaskedMean()(Passthrough()(MaskZeros()(inputs))))
    np.testing.assert_allclose(n(functional(x)), [[2.0, 2.0]])


def test_summary_table():
    model = kcore.Sequential(
        [kcore.Input((3,)), Affine(4, name="hidden"), Affine(1, name="out")], name="mlp"
    )
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert lines[0] == 'Model: "mlp"'
    assert "hidden (Affine)" in text and "(None, 4)" in text
    assert "│            16 │" in text and "│             5 │" in text
    assert " Total params: 21 (84.00 B)" in lines
    assert " Non-trainable params: 0 (0.00 B)" in lines
    outer_in = kcore.Input((3,))
    outer = kcore.Model(outer_in, model(outer_in))
    nested = []
    outer.summary(print_fn=nested.append, expand_nested=True, show_trainable=True)
    assert any(" └ hidden (Affine)" in line for line in nested)
    assert any("Trainable" in line for line in nested)


def test_functional_config_round_trip_through_json():
    a = kcore.Input((3,), name="a")
    b = kcore.Input((3,), name="b")
    shared = Affine(2, scale=0.5)
    out = Join()([shared(a), shared(b)])
    model = kcore.Model([a, b], out, name="pair")
    config = json.loads(model.to_json())
    assert config["class_name"] == "Functional"
    assert [layer["class_name"] for layer in config["config"]["layers"]] == [
        "InputLayer",
        "InputLayer",
        "Affine",
        "Join",
    ]
    assert config["config"]["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    rebuilt = kcore.models.model_from_json(model.to_json())
    data = [np.ones((1, 3), "float32"), np.ones((1, 3), "float32")]
    np.testing.assert_allclose(n(rebuilt(data)), n(model(data)))
    assert rebuilt.name == "pair" and len(rebuilt.weights) == 2


def test_sequential_config_round_trip():
    model = kcore.Sequential([kcore.Input((3,)), Affine(2), Affine(1)], name="seq")
    config = model.get_config()
    assert [layer["class_name"] for layer in config["layers"]] == ["InputLayer", "Affine", "Affine"]
    rebuilt = kcore.Sequential.from_config(json.loads(json.dumps(config)))
    assert rebuilt.built and rebuilt.output_shape == (None, 1)


def test_clone_model_makes_new_layers():
    x = kcore.Input((3,))
    model = kcore.Model(x, Affine(2)(Affine(4)(x)))
    clone = kcore.models.clone_model(model)
    assert all(a is not b for a, b in zip(model.layers[1:], clone.layers[1:]))
    data = np.ones((1, 3), "float32")
    np.testing.assert_allclose(n(clone(data)), n(model(data)))  # same constant init
    seq = kcore.Sequential([kcore.Input((3,)), Affine(2)])
    seq_clone = kcore.models.clone_model(
        seq, clone_function=lambda layer: Affine(layer.units, scale=2.0)
    )
    np.testing.assert_allclose(n(seq_clone(data)), [[6.0, 6.0]])
    calls = []
    kcore.models.clone_model(
        model, call_function=lambda layer, *a, **k: calls.append(layer.name) or layer(*a, **k)
    )
    assert len(calls) == 2


def test_plot_model_writes_dot(tmp_path):
    pytest.importorskip("pydot")
    x = kcore.Input((3,))
    model = kcore.Model(x, Affine(1, name="head")(x))
    target = tmp_path / "model.dot"
    kcore.utils.plot_model(model, str(target), show_shapes=True, show_layer_names=True)
    text = target.read_text()
    assert "digraph" in text and "head (Affine)" in text and "(None, 1)" in text


def test_plot_model_without_pydot_says_what_to_install(tmp_path):
    code = (
        "import sys; sys.modules['pydot'] = None\n"
        "import kcore\n"
        "x = kcore.Input((3,)); m = kcore.Model(x, x)\n"
        "try:\n"
        "    kcore.utils.plot_model(m, 'm.png')\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert "pip install pydot" in done.stdout, done.stderr


def test_embedding_mask_reaches_attention_in_a_functional_model():
    ids = kcore.Input((4,), dtype="int32")
    embedded = kcore.layers.Embedding(
        10, 8, mask_zero=True, embeddings_initializer=kcore.initializers.RandomNormal(0, 3, seed=1)
    )(ids)
    attention = kcore.layers.MultiHeadAttention(2, 4)
    model = kcore.Model(ids, attention(embedded, embedded))
    x = np.array([[1, 2, 0, 0]], "int32")
    embedded_value = model.layers[1](x)
    mask = ops.not_equal(x, 0)
    expected = attention(embedded_value, embedded_value, query_mask=mask, value_mask=mask)
    plain = ops.convert_to_tensor(n(embedded_value))  # a fresh tensor: no mask attached
    unmasked = attention(plain, plain)
    np.testing.assert_allclose(n(model(x)), n(expected), atol=1e-6)
    assert np.abs(n(model(x)) - n(unmasked)).max() > 1e-3
