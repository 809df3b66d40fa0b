"""What is specific to the PyTorch backend: native types, autograd, in-place
variables, meta-tensor shape inference, devices, lazy import."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import kcore  # noqa: E402
from kcore.keras_tensor import KerasTensor  # noqa: E402


@pytest.fixture(scope="module")
def backend():
    return kcore.backend.get_backend("torch")


@pytest.fixture(scope="module")
def ops(backend):
    return backend.ops


def test_backend_object_describes_torch(backend):
    assert backend.name == "torch"
    assert backend.distribution == "kcore-torch"
    assert backend.framework == "torch"
    assert backend.framework_version == torch.__version__
    assert backend.capabilities.trainable is True
    assert backend.capabilities.devices[0] == "cpu:0"
    cuda = [d for d in backend.capabilities.devices if d.startswith("cuda:")]
    assert len(cuda) == torch.cuda.device_count()
    assert {"float32", "bfloat16", "int64", "bool"} <= backend.capabilities.dtypes
    # Stored by torch 2.13 but without arithmetic: not offered.
    assert not {"uint16", "uint32", "uint64"} & backend.capabilities.dtypes
    assert isinstance(backend.Variable([1.0]).value, torch.nn.Parameter)
    primitives = {n for n, spec in kcore.ops.contract.SPECS.items() if spec.is_primitive}
    assert primitives <= set(backend.ops)  # every primitive op is native


def test_convert_to_tensor_follows_keras_dtypes(backend):
    convert = backend.convert_to_tensor
    assert convert(1.5).dtype == torch.float32
    assert convert(2).dtype == torch.int32
    assert convert([True, False]).dtype == torch.bool
    assert convert([[1, 2.5]]).dtype == torch.float32
    assert convert(np.zeros(2, np.float64)).dtype == torch.float64
    assert convert(np.float64(1.0)).dtype == torch.float64  # a NumPy scalar keeps its dtype
    assert convert([1, 2], dtype="float16").dtype == torch.float16
    assert convert(np.ones(2), dtype=np.int8).dtype == torch.int8
    x = convert([1.0])
    assert convert(x) is x
    assert convert([convert([1.0, 2.0]), convert([3, 4])]).tolist() == [[1, 2], [3, 4]]
    with pytest.raises(ValueError, match="sparse"):
        convert([1.0], sparse=True)
    with pytest.raises(ValueError, match="ragged"):
        convert([1.0], ragged=True)


def test_awkward_numpy_arrays_convert_without_warnings(backend):
    array = np.arange(6.0).reshape(2, 3)
    readonly = array.copy()
    readonly.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for value in (readonly, array[:, ::-1], array.astype(">f8")):
            np.testing.assert_array_equal(
                backend.convert_to_numpy(backend.convert_to_tensor(value)), value
            )


def test_ops_return_tensors_and_accept_python_values(ops):
    x = ops["convert_to_tensor"]([[1.0, -2.0], [3.0, 4.0]])
    assert isinstance(x, torch.Tensor) and x.dtype == torch.float32
    out = ops["softmax"](ops["relu"](x))
    assert isinstance(out, torch.Tensor)
    np.testing.assert_allclose(ops["sum"](out, axis=-1).numpy(), [1.0, 1.0], rtol=1e-6)
    assert ops["add"]([1, 2], 3).tolist() == [4, 5]
    assert ops["subtract"](10, [1, 2]).tolist() == [9, 8]
    assert ops["multiply"](np.float32(2), [1.0]).dtype == torch.float32
    assert ops["divide"]([1, 2], 2).tolist() == [0.5, 1.0]
    assert ops["maximum"]([1, 5], 3).tolist() == [3, 5]
    assert ops["matmul"]([[1.0, 2.0]], [[3.0], [4.0]]).tolist() == [[11.0]]
    assert ops["exp"](0.0).item() == 1.0
    assert ops["max"]([[1, 4], [3, 2]], axis=1).tolist() == [4, 3]


def test_python_scalars_do_not_widen_dtypes(backend, ops):
    half = ops["convert_to_tensor"]([1.0, -2.0], dtype="float16")
    for name in ("add", "subtract", "multiply", "divide", "maximum"):
        assert ops[name](half, 1.0).dtype == torch.float16, name
        assert ops[name](2.0, half).dtype == torch.float16, name
    assert ops["relu"](half).dtype == torch.float16
    assert ops["add"](ops["convert_to_tensor"]([1], dtype="int8"), 1).dtype == torch.int8
    assert ops["multiply"](backend.Variable(half), 0.5).dtype == torch.float16


def test_reductions_take_none_int_tuple_and_empty_axes(ops):
    x = ops["convert_to_tensor"](np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    assert ops["sum"](x).item() == 276.0
    assert ops["sum"](x, axis=(0, 2)).tolist() == [60.0, 92.0, 124.0]
    assert tuple(ops["sum"](x, axis=None, keepdims=True).shape) == (1, 1, 1)
    assert ops["max"](x, axis=(0, -1)).tolist() == [15.0, 19.0, 23.0]
    assert tuple(ops["max"](x, axis=1, keepdims=True).shape) == (2, 1, 4)
    # axis=() reduces nothing, as in NumPy (torch alone would reduce everything).
    assert ops["sum"](x, axis=()).tolist() == x.tolist()
    assert ops["max"](x, axis=()).tolist() == x.tolist()
    assert ops["max"]([1.0, 5.0], initial=3.0).item() == 5.0
    assert ops["max"]([1.0, 2.0], initial=3.0).item() == 3.0
    assert ops["max"](np.zeros((0, 2), np.float32), axis=0, initial=-1.0).tolist() == [-1.0, -1.0]
    np.testing.assert_allclose(
        ops["softmax"](x, axis=(1, 2)).sum(dim=(1, 2)).numpy(), [1.0, 1.0], rtol=1e-6
    )
    np.testing.assert_allclose(ops["softmax"](x, axis=None).sum().item(), 1.0, rtol=1e-6)


def test_integer_dtypes_follow_keras(ops):
    ints = ops["convert_to_tensor"]([[1, 2], [3, 4]])
    assert ops["sum"](ints).dtype == torch.int32  # torch alone gives int64
    assert ops["sum"]([True, True, False]).dtype == torch.int32
    assert ops["sum"](ops["convert_to_tensor"]([100, 100], dtype="int8")).item() == 200
    assert ops["divide"](ints, 2).dtype == torch.float32
    assert ops["softmax"](ints).dtype == torch.float32
    assert ops["matmul"](ints, ops["convert_to_tensor"]([[1.0], [1.0]])).tolist() == [[3.0], [7.0]]
    boolean = ops["convert_to_tensor"]([[True, False], [False, False]])
    assert ops["matmul"](boolean, boolean).tolist() == [[True, False], [False, False]]


def test_gradients_flow_through_ops_to_a_variable(backend, ops):
    v = backend.Variable([[1.0, -2.0], [3.0, 0.5]], name="w")
    x = ops["convert_to_tensor"]([[1.0, 2.0]])
    hidden = ops["relu"](ops["matmul"](x, v))
    loss = ops["sum"](ops["softmax"](ops["multiply"](hidden, ops["exp"](hidden))), axis=None)
    loss = ops["add"](loss, ops["sum"](ops["maximum"](ops["divide"](v, 2.0), 0.0)))
    loss = ops["subtract"](loss, ops["max"](v))
    loss.backward()
    grad = v.value.grad
    assert grad is not None and tuple(grad.shape) == (2, 2)
    reference = torch.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    h = torch.relu(torch.tensor([[1.0, 2.0]]) @ reference)
    ref_loss = torch.softmax(h * torch.exp(h), -1).sum() + torch.clamp_min(reference / 2, 0).sum()
    (ref_loss - reference.max()).backward()
    torch.testing.assert_close(grad, reference.grad)


def test_variable_requires_grad_follows_trainable_and_dtype(backend):
    assert backend.Variable([1.0]).value.requires_grad
    assert not backend.Variable([1.0], trainable=False).value.requires_grad
    ints = backend.Variable([1, 2])
    assert ints.dtype == "int32" and not ints.value.requires_grad
    v = backend.Variable([1.0])
    v.trainable = False
    assert not v.value.requires_grad


def test_variable_assignment_is_in_place(backend):
    v = backend.Variable(np.zeros((2,), np.float32), name="v")
    parameter = v.value
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    assert v.assign([1.0, 2.0]) is parameter
    v.assign_add([1.0, 1.0])
    v.assign_sub(0.5)
    assert v.value is parameter
    np.testing.assert_array_equal(v.numpy(), [1.5, 2.5])
    parameter.grad = torch.ones(2)
    optimizer.step()  # the optimizer's reference still updates the variable
    np.testing.assert_allclose(v.numpy(), [1.4, 2.4])
    with pytest.raises(ValueError, match="shape"):
        v.assign_add([1.0, 2.0, 3.0])
    assert torch.matmul(v, torch.ones(2)).item() == pytest.approx(3.8)


def test_variable_does_not_alias_its_initial_value(backend):
    array = np.zeros(2, np.float32)
    v = backend.Variable(array)
    v.assign([1.0, 1.0])
    assert array.tolist() == [0.0, 0.0]
    snapshot = v.numpy()
    v.assign([2.0, 2.0])
    assert snapshot.tolist() == [1.0, 1.0]


def test_compute_output_spec_uses_meta_tensors(backend):
    out = backend.compute_output_spec(
        backend.ops["sum"], KerasTensor((None, 5, 3), "float32"), axis=1
    )
    assert out == KerasTensor((None, 3), "float32")
    out = backend.compute_output_spec(
        backend.ops["matmul"], KerasTensor((None, 4), "float16"), KerasTensor((4, 2), "float16")
    )
    assert out == KerasTensor((None, 2), "float16")


def test_compute_output_spec_reads_variables_without_touching_them(backend, ops):
    kernel = backend.Variable(np.ones((3, 2), np.float32), name="kernel")

    def layer(x):
        kernel.assign_add(1.0)  # ignored while tracing
        return ops["relu"](ops["add"](ops["matmul"](x, kernel), [1.0, 2.0]))

    out = backend.compute_output_spec(layer, KerasTensor((None, 3), "float32"))
    assert out == KerasTensor((None, 2), "float32")
    assert kernel.value.device.type != "meta"
    np.testing.assert_array_equal(kernel.numpy(), np.ones((3, 2)))


def test_bfloat16_converts_to_numpy_as_float32(backend):
    x = backend.convert_to_tensor([1.5, -2.0], dtype="bfloat16")
    array = backend.convert_to_numpy(x)
    assert array.dtype == np.float32 and array.tolist() == [1.5, -2.0]
