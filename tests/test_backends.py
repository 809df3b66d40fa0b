"""Cross-backend suite: every installed backend hands over a complete Backend object
and runs the foundation ops end to end; ``kcore.ops`` runs on the selected one."""

from __future__ import annotations

import os

import attrs
import numpy as np
import pytest

import kcore
from kcore import registry
from kcore.backend import Backend, Capabilities
from kcore.errors import OpNotImplementedError
from kcore.keras_tensor import KerasTensor
from kcore.ops.contract import namespace_for
from kcore.variables import Variable

BACKENDS = registry.available_backends()
FOUNDATION_OPS = (
    "add",
    "matmul",
    "relu",
    "softmax",
    "sum",
    "convert_to_tensor",
    "convert_to_numpy",
)
X = np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, 0.5]], np.float32)
W = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]], np.float32)


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.fixture(params=BACKENDS)
def backend(request) -> Backend:
    return kcore.backend.get_backend(request.param)


def check_foundation_ops(o, backend):
    x = o.convert_to_tensor(X)
    assert backend.is_tensor(x)
    assert o.dtype(x) == "float32"
    cases = {
        "add": (o.add(x, 1.0), X + 1.0),
        "matmul": (o.matmul(x, o.convert_to_tensor(W)), X @ W),
        "relu": (o.relu(x), np.maximum(X, 0)),
        "softmax": (o.softmax(x), np_softmax(X)),
        "softmax axis 0": (o.softmax(x, axis=0), np_softmax(X, axis=0)),
        "sum": (o.sum(x), X.sum()),
        "sum axis": (o.sum(x, axis=1, keepdims=True), X.sum(axis=1, keepdims=True)),
    }
    for label, (got, expected) in cases.items():
        got = o.convert_to_numpy(got)
        assert isinstance(got, np.ndarray), label
        assert got.shape == expected.shape, label
        assert got.dtype == np.float32, label
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6, err_msg=label)


def test_the_environment_has_the_backends_it_should():
    """Each tox env declares its backends (KCORE_EXPECT_BACKENDS): ``core`` has no
    framework at all, a backend env exactly its own and the built-in numpy."""
    expected = os.environ.get("KCORE_EXPECT_BACKENDS", " ".join(BACKENDS)).split()
    assert "numpy" in BACKENDS
    assert BACKENDS == sorted(expected)


def test_backend_object_is_complete(backend):
    record = registry.find_backend_record(backend.name)
    assert attrs.has(Backend) and isinstance(backend, Backend)
    assert backend.distribution == record.distribution
    assert backend.version == record.version
    assert backend.plugin_api_version == kcore.hookspecs.PLUGIN_API_VERSION
    assert isinstance(backend.capabilities, Capabilities)
    assert backend.capabilities.trainable == record.info.trainable
    assert backend.capabilities.devices and all(":" in d for d in backend.capabilities.devices)
    assert {"float32", "int32", "bool"} <= backend.capabilities.dtypes
    assert issubclass(backend.Variable, Variable)
    with pytest.raises(TypeError):  # the op table is read-only
        backend.ops["add"] = None


def test_foundation_ops_on_every_backend(backend):
    check_foundation_ops(namespace_for(backend), backend)


def test_python_values_convert_with_keras_dtypes(backend):
    o = namespace_for(backend)
    assert o.convert_to_numpy(o.convert_to_tensor([1.0, 2.0])).dtype == np.float32
    assert o.convert_to_numpy(o.convert_to_tensor([1, 2])).dtype == np.int32
    assert o.convert_to_numpy(o.convert_to_tensor([1, 2], dtype="float32")).dtype == np.float32
    assert o.convert_to_numpy(o.convert_to_tensor(np.arange(3, dtype=np.int64))).tolist() == [
        0,
        1,
        2,
    ]


def test_composites_run_where_a_backend_has_only_primitives(backend):
    primitives = {k: v for k, v in backend.ops.items() if k not in ("relu", "softmax")}
    stripped = attrs.evolve(backend, ops=primitives)
    o = namespace_for(stripped)
    x = o.convert_to_tensor(X)
    np.testing.assert_allclose(o.convert_to_numpy(o.relu(x)), np.maximum(X, 0))
    np.testing.assert_allclose(o.convert_to_numpy(o.softmax(x)), np_softmax(X), rtol=1e-5)
    coverage = kcore.ops.contract.coverage(stripped)
    assert coverage["relu"] == coverage["softmax"] == "composite"


def test_missing_op_without_composite_names_op_and_backend(backend):
    stripped = attrs.evolve(backend, ops={k: v for k, v in backend.ops.items() if k != "matmul"})
    o = namespace_for(stripped)
    with pytest.raises(OpNotImplementedError) as info:
        o.matmul(o.convert_to_tensor(X), o.convert_to_tensor(W))
    assert f"op 'matmul' is not implemented by backend '{backend.name}'" in str(info.value)
    assert kcore.ops.contract.coverage(stripped)["matmul"] == "missing"


def test_compute_output_spec_keeps_unknown_dimensions(backend):
    out = backend.compute_output_spec(
        backend.ops["matmul"], KerasTensor((None, 3)), KerasTensor((3, 4))
    )
    assert out == KerasTensor((None, 4), "float32")
    nested = backend.compute_output_spec(
        lambda a: (backend.ops["add"](a, a), {"s": backend.ops["sum"](a, axis=0)}),
        KerasTensor((2, None), "float32"),
    )
    assert nested[0] == KerasTensor((2, None)) and nested[1]["s"] == KerasTensor((None,))


def test_variable_on_every_backend(backend):
    v = backend.Variable(np.array([1.0, 2.0], np.float32), name="w")
    assert backend.is_tensor(v.value)
    assert (v.name, v.shape, v.dtype, v.trainable) == ("w", (2,), "float32", True)
    v.assign([3.0, 4.0])
    v.assign_add([1.0, 1.0])
    v.assign_sub([0.5, 0.5])
    np.testing.assert_allclose(v.numpy(), [3.5, 4.5])
    with pytest.raises(ValueError, match=r"cannot assign a value of shape \(3,\)"):
        v.assign([1.0, 2.0, 3.0])
    init = backend.Variable(lambda shape, dtype: np.ones(shape, dtype), shape=(2, 2))
    np.testing.assert_array_equal(init.numpy(), np.ones((2, 2)))


def test_public_ops_run_on_the_selected_backend(kcore_backend):
    from kcore import ops

    assert ops._bound_backend is None or ops._bound_backend.name == kcore_backend.name
    check_foundation_ops(ops, kcore_backend)
    assert ops._bound_backend is kcore_backend
    assert ops.is_tensor(ops.convert_to_tensor([1.0]))
    assert kcore.ops.nn.relu is ops.relu and kcore.ops.numpy.add is ops.add
