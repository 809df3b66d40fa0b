"""What is specific to the OpenVINO backend: native types, float32 precision on CPU,
the compiled-model cache, OpenVINO shape inference, variables, lazy import."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

ov = pytest.importorskip("openvino")

import kcore  # noqa: E402
from kcore.keras_tensor import KerasTensor  # noqa: E402


@pytest.fixture(scope="module")
def backend():
    return kcore.backend.get_backend("openvino")


@pytest.fixture(scope="module")
def ov_ops(backend):
    from kcore_openvino import ops

    return ops


def numpy_of(backend, x):
    assert isinstance(x, ov.Tensor), f"expected an openvino.Tensor, got {type(x).__name__}"
    return backend.convert_to_numpy(x)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {"KCORE_BACKEND": "openvino", "PATH": "", **env}
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True
    )


def test_backend_object_describes_openvino(backend):
    assert backend.name == "openvino"
    assert backend.distribution == "kcore-openvino"
    assert backend.plugin_api_version == "1.0"
    assert backend.framework == "openvino"
    assert backend.framework_version == ov.__version__
    assert backend.capabilities.trainable is False
    assert "cpu:0" in backend.capabilities.devices
    assert {"float32", "int32", "bool", "bfloat16"} <= backend.capabilities.dtypes
    assert not {"complex64", "complex128"} & backend.capabilities.dtypes
    assert isinstance(backend.Variable([1.0]).value, ov.Tensor)


def _float32(*shape, low=-2.0, high=2.0, seed=0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(np.float32)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# Positive data where the op accumulates, so the relative tolerance measures precision
# rather than cancellation.
A = _float32(3, 4, seed=1)
B = _float32(3, 4, seed=2)
P = _float32(3, 4, low=0.5, high=1.5, seed=3)
Q = _float32(4, 5, low=0.5, high=1.5, seed=4)
FLOAT32_CASES = {
    "add": ((A, B), {}, np.add(A, B)),
    "subtract": ((A, B), {}, np.subtract(A, B)),
    "multiply": ((A, B), {}, np.multiply(A, B)),
    "divide": ((A, P), {}, np.divide(A, P)),
    "maximum": ((A, B), {}, np.maximum(A, B)),
    "exp": ((A,), {}, np.exp(A)),
    "max": ((A,), {"axis": 1, "keepdims": True}, np.max(A, axis=1, keepdims=True)),
    "sum": ((P,), {"axis": (0, 1)}, np.sum(P, axis=(0, 1))),
    "matmul": ((P, Q), {}, np.matmul(P, Q)),
    "relu": ((A,), {}, np.maximum(A, 0)),
    "softmax": ((A,), {"axis": -1}, _softmax(A, axis=-1)),
}


@pytest.mark.parametrize("name", sorted(FLOAT32_CASES))
def test_ops_match_numpy_in_float32(backend, name):
    args, kwargs, expected = FLOAT32_CASES[name]
    tensors = [backend.convert_to_tensor(a) for a in args]
    out = backend.ops[name](*tensors, **kwargs)
    result = numpy_of(backend, out)
    assert result.dtype == np.float32
    # bfloat16 compute would be off by ~1e-3: this tolerance proves the f32 hint.
    np.testing.assert_allclose(result, expected.astype(np.float32), rtol=1e-6, atol=0)


def test_public_ops_run_on_openvino(backend):
    # The op functions bound to this backend, without changing the process's selection.
    o = kcore.ops.contract.namespace_for(backend)
    x = o.convert_to_tensor([[1.0, 2.0], [3.0, -4.0]])
    assert isinstance(x, ov.Tensor) and o.is_tensor(x)
    assert o.convert_to_numpy(o.relu(x)).tolist() == [[1.0, 2.0], [3.0, 0.0]]
    assert o.convert_to_numpy(o.matmul(x, x)).tolist() == [[7, -6], [-9, 22]]


def test_compiled_models_use_float32_precision(backend, ov_ops):
    if os.environ.get(ov_ops.PRECISION_ENV):
        pytest.skip(f"{ov_ops.PRECISION_ENV} is set")
    backend.ops["exp"](backend.convert_to_tensor(A))
    models = ov_ops.compiled_models().values()
    assert {m.get_property("INFERENCE_PRECISION_HINT") for m in models} == {ov.Type.f32}


def test_conversions_and_dtypes(backend):
    to_tensor = backend.convert_to_tensor
    assert to_tensor(1.0).element_type == ov.Type.f32
    assert to_tensor(1).element_type == ov.Type.i32
    assert to_tensor([True]).element_type == ov.Type.boolean
    assert to_tensor(np.zeros(2, np.float64)).element_type == ov.Type.f64
    assert to_tensor(np.zeros(2, np.int8)).element_type == ov.Type.i8
    assert to_tensor([1, 2], dtype="float16").element_type == ov.Type.f16
    v = backend.Variable([1.0, 2.0])
    assert numpy_of(backend, to_tensor(v)).tolist() == [1.0, 2.0]
    x = to_tensor(np.arange(3, dtype=np.float32))
    copy = backend.convert_to_numpy(x)
    copy[0] = 7
    assert backend.convert_to_numpy(x)[0] == 0  # convert_to_numpy copies
    with pytest.raises(ValueError, match="sparse"):
        to_tensor([1.0], sparse=True)
    with pytest.raises(ValueError, match="ragged"):
        to_tensor([1.0], ragged=True)
    with pytest.raises(ValueError, match="complex"):
        to_tensor(np.ones(2, np.complex64))


def test_bfloat16_is_rounded_by_openvino_and_widened_for_numpy(backend):
    x = backend.convert_to_tensor([1.0, 3.14159, 1e-3], dtype="bfloat16")
    assert x.element_type == ov.Type.bf16
    back = backend.convert_to_numpy(x)
    assert back.dtype == np.float32
    # bfloat16 keeps 8 significant bits: round to nearest, then widen exactly.
    np.testing.assert_array_equal(back, np.array([1.0, 3.140625, 2**-10 * 1.0234375], np.float32))
    assert backend.ops["add"](x, 1).element_type == ov.Type.bf16


def test_python_scalars_take_the_other_operands_dtype(backend):
    ops = backend.ops
    f32 = backend.convert_to_tensor([1.0, 2.0])
    i32 = backend.convert_to_tensor([1, 2])
    assert ops["add"](f32, 1).element_type == ov.Type.f32
    assert ops["multiply"](2.5, f32).element_type == ov.Type.f32
    assert ops["add"](i32, 1).element_type == ov.Type.i32
    assert ops["add"](i32, 1.5).element_type == ov.Type.f32  # a float scalar wins over ints
    assert ops["add"](i32, f32).element_type == ov.Type.f32
    assert ops["add"]([1, 2], [0.5, 0.5]).element_type == ov.Type.f32
    half = ops["divide"](i32, 2)  # true division, as in Keras
    assert half.element_type == ov.Type.f32
    assert numpy_of(backend, half).tolist() == [0.5, 1.0]
    assert numpy_of(backend, ops["sum"]([True, False, True])).item() == 2
    assert numpy_of(backend, ops["maximum"]([True, False], False)).tolist() == [True, False]


def test_reductions_take_axis_none_int_or_tuple(backend):
    ops = backend.ops
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    assert numpy_of(backend, ops["sum"](x)).item() == x.sum()
    np.testing.assert_array_equal(numpy_of(backend, ops["max"](x, axis=-1)), x.max(-1))
    np.testing.assert_array_equal(
        numpy_of(backend, ops["sum"](x, axis=(0, 2), keepdims=True)),
        x.sum(axis=(0, 2), keepdims=True),
    )
    np.testing.assert_array_equal(numpy_of(backend, ops["sum"](x, axis=())), x)
    assert numpy_of(backend, ops["max"](x, initial=100.0)).item() == 100.0
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        ops["sum"](x, axis=3)


def test_bad_inputs_get_errors_naming_the_op_and_shapes(backend):
    with pytest.raises(ValueError, match=r"add: .*shapes \[2,3\], \[4\]"):
        backend.ops["add"](np.ones((2, 3), np.float32), np.ones(4, np.float32))
    with pytest.raises(ValueError, match="matmul"):
        backend.ops["matmul"](np.ones((2, 3), np.float32), np.ones((4, 2), np.float32))


def test_the_cache_reuses_compiled_models_for_the_same_shapes(backend, ov_ops):
    exp = backend.ops["exp"]
    x = backend.convert_to_tensor(_float32(3, 7))
    before = ov_ops.cache_info()
    exp(x)
    after_first = ov_ops.cache_info()
    assert after_first.misses == before.misses + 1
    key = next(k for k in ov_ops.compiled_models() if k[0] == "exp" and k[2][0] == (3, 7))
    model = ov_ops.compiled_models()[key]
    exp(backend.convert_to_tensor(_float32(3, 7, seed=9)))
    after_second = ov_ops.cache_info()
    assert after_second.misses == after_first.misses
    assert after_second.hits == after_first.hits + 1
    assert ov_ops.compiled_models()[key] is model
    exp(backend.convert_to_tensor(_float32(4, 7)))  # a new shape compiles a new model
    assert ov_ops.cache_info().misses == after_second.misses + 1


def test_results_do_not_alias_each_other(backend):
    add = backend.ops["add"]
    first = add(np.ones(3, np.float32), 1.0)
    add(np.zeros(3, np.float32), 5.0)  # same compiled model, same infer request
    assert numpy_of(backend, first).tolist() == [2.0, 2.0, 2.0]


def test_compute_output_spec_uses_openvino_shape_inference(backend, ov_ops):
    spec = backend.compute_output_spec
    before = ov_ops.cache_info().misses
    out = spec(backend.ops["sum"], KerasTensor((None, 5, 3), "float32"), axis=1)
    assert out == KerasTensor((None, 3), "float32")
    weights = backend.Variable(np.ones((4, 2), np.float32))

    def model(x, y):
        hidden = backend.ops["matmul"](x, weights)
        return {
            "logits": [hidden, backend.ops["softmax"](y, axis=-1)],
            "stats": (backend.ops["max"](x, axis=(0, 1), keepdims=True), "label"),
        }

    out = spec(model, KerasTensor((None, 4), "int32"), y=KerasTensor((2, None), "float16"))
    assert out == {
        "logits": [KerasTensor((None, 2), "float32"), KerasTensor((2, None), "float16")],
        "stats": (KerasTensor((1, 1), "int32"), "label"),
    }
    assert ov_ops.cache_info().misses == before  # nothing was compiled or run


def test_ops_build_nodes_on_openvino_outputs(backend, ov_ops):
    x = ov_ops.opset.parameter(ov.PartialShape([-1, 3]), ov.Type.i32).output(0)
    y = backend.ops["divide"](x, 2)
    assert isinstance(y, ov.Output) and backend.is_tensor(y)
    assert y.get_element_type() == ov.Type.f32
    assert str(y.get_partial_shape()) == "[?,3]"
    with pytest.raises(ValueError, match="symbolic"):
        backend.convert_to_numpy(y)


def test_variable_assign_and_assign_add(backend):
    v = backend.Variable(np.zeros((2,), np.float32), name="v")
    assert v.shape == (2,) and v.dtype == "float32"
    v.assign([1.0, 2.0])
    assert isinstance(v.value, ov.Tensor)
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(v.numpy(), [2.0, 3.0])
    v.assign_sub(0.5)
    np.testing.assert_array_equal(v.numpy(), [1.5, 2.5])
    assert numpy_of(backend, v + 1).tolist() == [2.5, 3.5]
    assert numpy_of(backend, 2 * v).tolist() == [3.0, 5.0]
    source = backend.convert_to_tensor([7.0, 8.0])
    v.assign(source)
    source.data[0] = 0.0  # the variable holds its own copy
    assert v.numpy().tolist() == [7.0, 8.0]
    with pytest.raises(ValueError, match="shape"):
        v.assign([1.0, 2.0, 3.0])


@pytest.mark.xfail(
    strict=True,
    reason="OpenVINO's CPU plugin computes int64 in int32 (values beyond 2**31 wrap)",
)
def test_int64_arithmetic_beyond_the_int32_range(backend):
    big = np.array([2**40 + 1], np.int64)
    assert numpy_of(backend, backend.ops["add"](big, big)).tolist() == [2**41 + 2]


def test_precision_can_be_overridden_by_the_environment(ov_ops):
    result = run_python("import kcore; kcore.ops.exp(1.0)", KCORE_OPENVINO_PRECISION="fast")
    assert result.returncode != 0
    assert "KCORE_OPENVINO_PRECISION='fast'" in result.stderr
    if "BF16" not in ov_ops.core().get_property("CPU", "OPTIMIZATION_CAPABILITIES"):
        pytest.skip("this CPU has no bfloat16 units")
    code = (
        "import kcore; from kcore_openvino import ops; kcore.ops.exp(1.0); "
        "[model] = ops.compiled_models().values(); "
        "print(model.get_property('INFERENCE_PRECISION_HINT'))"
    )
    result = run_python(code, KCORE_OPENVINO_PRECISION="bf16")
    assert result.returncode == 0, result.stderr
    assert "bfloat16" in result.stdout
