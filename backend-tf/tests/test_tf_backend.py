"""What is specific to the TensorFlow backend: native types, tf.function, GradientTape,
tracing shape inference, devices, lazy import."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
tf = pytest.importorskip("tensorflow")

import kcore  # noqa: E402
from kcore.keras_tensor import KerasTensor  # noqa: E402


@pytest.fixture(scope="module")
def backend():
    return kcore.backend.get_backend("tensorflow")


@pytest.fixture(scope="module")
def ops(backend):
    return backend.ops


def test_backend_object_describes_tensorflow(backend):
    assert backend.name == "tensorflow"
    assert backend.distribution == "kcore-tf"
    assert backend.plugin_api_version == "1.0"
    assert backend.framework == "tensorflow"
    assert backend.framework_version == tf.__version__
    assert backend.capabilities.trainable is True
    assert backend.capabilities.devices[0] == "cpu:0"
    assert all(d == d.lower() and ":" in d for d in backend.capabilities.devices)
    assert {"float32", "bfloat16", "int64", "bool"} <= backend.capabilities.dtypes
    assert backend.is_tensor(backend.Variable([1.0]).value)


def test_tf_is_an_alias_of_tensorflow():
    assert kcore.registry.canonical_backend_name("tf") == "tensorflow"
    assert kcore.backend.get_backend("tf") is kcore.backend.get_backend("tensorflow")


def test_ops_return_tf_tensors(backend, ops):
    x = backend.convert_to_tensor([[1.0, -2.0], [3.0, 4.0]])
    assert isinstance(x, tf.Tensor) and x.dtype == tf.float32
    for name, args in {
        "add": (x, 1),
        "subtract": (1, x),
        "multiply": (x, np.float32(2.0)),
        "divide": (x, 2),
        "maximum": (x, 0.0),
        "exp": (x,),
        "max": (x,),
        "sum": (x,),
        "matmul": (x, x),
        "relu": (x,),
        "softmax": (x,),
    }.items():
        out = ops[name](*args)
        assert isinstance(out, tf.Tensor) and out.dtype == tf.float32, name
    assert backend.is_tensor(x) and not backend.is_tensor(np.ones(2))
    assert isinstance(backend.convert_to_numpy(x), np.ndarray)


def test_python_values_and_arrays_convert_with_keras_dtypes(backend):
    convert = backend.convert_to_tensor
    assert convert(1.5).dtype == tf.float32
    assert convert([1, 2]).dtype == tf.int32
    assert convert([1, 2.5]).dtype == tf.float32
    assert convert(np.arange(3, dtype=np.int64)).dtype == tf.int64
    assert convert(np.float64(1.0)).dtype == tf.float64
    assert convert([1.7, -2.5], dtype="int32").numpy().tolist() == [1, -2]
    assert convert(np.ones(2), dtype="bfloat16").dtype == tf.bfloat16
    assert convert(tf.constant([1, 2]), dtype="float32").dtype == tf.float32
    v = backend.Variable([1.0, 2.0])
    assert isinstance(convert(v), tf.Tensor)
    with pytest.raises(ValueError, match="sparse=True"):
        convert([1.0], sparse=True)
    with pytest.raises(ValueError, match="ragged=True"):
        convert([1.0], ragged=True)


def test_binary_ops_agree_on_a_dtype_like_keras(backend, ops):
    f32 = backend.convert_to_tensor([1.0, 2.0])
    i32 = backend.convert_to_tensor([1, 2])
    assert ops["add"](f32, 1).dtype == tf.float32
    assert ops["add"](1, f32).dtype == tf.float32
    assert ops["add"](i32, 1).dtype == tf.int32
    assert ops["add"](i32, 1.5).dtype == tf.float32
    assert ops["add"](i32, f32).dtype == tf.float32
    assert ops["multiply"](f32, np.array([2.0, 3.0])).dtype == tf.float64
    assert ops["divide"](i32, 2).dtype == tf.float32  # true division in floatx
    np.testing.assert_allclose(ops["divide"](i32, 2).numpy(), [0.5, 1.0])


def test_reductions_take_none_int_or_tuple_axes(ops):
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for axis in (None, 1, -1, (0, 2)):
        np.testing.assert_allclose(ops["sum"](x, axis=axis).numpy(), x.sum(axis=axis))
        np.testing.assert_allclose(ops["max"](x, axis=axis).numpy(), x.max(axis=axis))
    assert ops["sum"](x, axis=(0, 2), keepdims=True).shape == (1, 3, 1)
    assert ops["max"]([1.0, 2.0], initial=5.0).numpy() == 5.0
    assert ops["sum"]([True, True, False]).numpy() == 2
    e = np.exp(x - x.max(axis=(1, 2), keepdims=True))
    np.testing.assert_allclose(
        ops["softmax"](x, axis=(1, 2)).numpy(), e / e.sum(axis=(1, 2), keepdims=True), rtol=1e-5
    )


def test_matmul_follows_numpy_for_vectors_and_batches(ops):
    a, b = np.ones((5, 2, 3), np.float32), np.ones((3, 4), np.float32)
    assert ops["matmul"](a, b).shape == (5, 2, 4)
    assert ops["matmul"]([1.0, 2.0], [[3.0], [4.0]]).numpy().tolist() == [11.0]
    assert ops["matmul"]([1.0, 2.0], [3.0, 4.0]).numpy() == 11.0


def test_ops_run_inside_tf_function(backend, ops):
    v = backend.Variable(np.zeros((2,), np.float32), name="counter")

    @tf.function
    def step(x):
        y = ops["softmax"](ops["relu"](ops["matmul"](x, x)), axis=-1)
        v.assign(ops["add"](v.value, ops["sum"](y, axis=0)))
        # Python scalars on either side, while tracing.
        return ops["divide"](ops["max"](ops["subtract"](1, y), axis=None), 2)

    x = backend.convert_to_tensor([[1.0, -2.0], [3.0, 4.0]])
    assert isinstance(step(x), tf.Tensor)
    step(x)
    # The tf.Variable is captured by reference: both calls updated it.
    np.testing.assert_allclose(v.numpy().sum(), 4.0, rtol=1e-6)


def test_unknown_dimensions_are_tensors_inside_tf_function(ops):
    seen = {}

    @tf.function(input_signature=[tf.TensorSpec([None, 2, 3])])
    def flatten(x):
        seen["shape"], seen["size"] = ops["shape"](x), ops["size"](x)
        return ops["reshape"](x, (ops["shape"](x)[0], -1)), ops["size"](x)

    for batch in (1, 4):
        flat, size = flatten(tf.ones((batch, 2, 3)))
        assert flat.shape == (batch, 6)
        assert int(size) == batch * 6
    assert tf.is_tensor(seen["shape"][0]) and seen["shape"][1:] == (2, 3)
    assert tf.is_tensor(seen["size"])
    assert ops["shape"](tf.ones((4, 2))) == (4, 2)
    assert ops["size"](tf.ones((4, 2))) == 8
    assert ops["size"](KerasTensor((None, 3))) is None


def test_a_model_runs_in_a_tf_function_with_a_none_batch_dimension():
    from kcore import layers

    class BatchReshape(layers.Layer):
        def call(self, x):
            batch, rows, cols = kcore.ops.shape(x)
            return kcore.ops.reshape(x, (batch, rows * cols))

    model = kcore.Sequential([kcore.Input((2, 3)), BatchReshape(), layers.Dense(2)])
    serve = tf.function(model, input_signature=[tf.TensorSpec([None, 2, 3])])
    x = np.random.default_rng(0).normal(size=(5, 2, 3)).astype("float32")
    np.testing.assert_allclose(serve(x), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert serve(x[:2]).shape == (2, 2)


def test_gradients_flow_through_gradient_tape_to_the_variable(backend, ops):
    v = backend.Variable(np.array([1.0, -2.0, 3.0], np.float32), name="w")
    assert isinstance(v.value, tf.Variable) and v.value.trainable
    with tf.GradientTape() as tape:
        # kcore ops on the kcore Variable, and plain TF ops on it, both reach the tape.
        loss = ops["sum"](ops["multiply"](v, v)) + tf.reduce_sum(tf.multiply(v, 3.0))
    (grad,) = tape.gradient(loss, [v.value])
    np.testing.assert_allclose(grad.numpy(), [5.0, -1.0, 9.0])  # 2 v + 3
    v.assign(ops["subtract"](v.value, ops["multiply"](grad, 0.5)))
    np.testing.assert_allclose(v.numpy(), [-1.5, -1.5, -1.5])
    frozen = backend.Variable([1.0], trainable=False)
    assert frozen.trainable is False and frozen.value.trainable is False


def test_variable_assign_updates_the_tf_variable_in_place(backend):
    v = backend.Variable(np.zeros((2,), np.float32), name="v")
    first = v.value
    v.assign([1.0, 2.0])
    v.assign_add([1.0, 1.0])
    assert v.value is first
    np.testing.assert_array_equal(first.numpy(), [2.0, 3.0])
    assert (v.shape, v.dtype) == ((2,), "float32")
    with pytest.raises(ValueError, match=r"cannot assign a value of shape \(3,\)"):
        v.assign([1.0, 2.0, 3.0])


def test_compute_output_spec_traces_with_unknown_dimensions(backend, ops):
    out = backend.compute_output_spec(ops["sum"], KerasTensor((None, 5, 3), "float32"), axis=1)
    assert out == KerasTensor((None, 3), "float32")
    out = backend.compute_output_spec(ops["matmul"], KerasTensor((None, 3)), KerasTensor((3, 4)))
    assert out == KerasTensor((None, 4), "float32")


def test_compute_output_spec_keeps_nested_structure(backend, ops):
    out = backend.compute_output_spec(
        lambda pair, scale: (
            ops["add"](pair[0], pair[1]),
            {"total": ops["sum"](pair[0], axis=0), "scaled": ops["multiply"](pair[1], scale)},
        ),
        [KerasTensor((None, 1), "int32"), KerasTensor((4,), "int32")],
        scale=2,
    )
    assert out[0] == KerasTensor((None, 4), "int32")
    assert out[1] == {"total": KerasTensor((1,), "int32"), "scaled": KerasTensor((4,), "int32")}


def test_compute_output_spec_computes_nothing(backend, ops):
    v = backend.Variable(np.ones((2,), np.float32))
    out = backend.compute_output_spec(
        lambda x: v.assign(ops["add"](v.value, ops["sum"](x))), KerasTensor((None, 2))
    )
    assert out == KerasTensor((2,), "float32")
    np.testing.assert_array_equal(v.numpy(), [1.0, 1.0])


def test_import_quiets_tensorflow_load_time_logging():
    env = {"KCORE_BACKEND": "tensorflow", "PATH": ""}  # TF_CPP_MIN_LOG_LEVEL unset
    code = "import kcore; kcore.ops.add(1, 2)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "absl::InitializeLog" not in result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith(("I0", "W0"))]
