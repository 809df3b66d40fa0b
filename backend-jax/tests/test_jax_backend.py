"""What is specific to the JAX backend: native types, jit, devices, lazy import."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")

import kcore  # noqa: E402
from kcore.keras_tensor import KerasTensor  # noqa: E402


@pytest.fixture(scope="module")
def backend():
    return kcore.backend.get_backend("jax")


def test_backend_object_describes_jax(backend):
    assert backend.name == "jax"
    assert backend.distribution == "kcore-jax"
    assert backend.framework_version == jax.__version__
    assert backend.capabilities.trainable is True
    assert backend.capabilities.devices[0].startswith("cpu")
    assert isinstance(backend.Variable([1.0]).value, jax.Array)


def test_ops_return_jax_arrays_and_work_under_jit(backend):
    x = backend.convert_to_tensor([[1.0, -2.0], [3.0, 4.0]])
    assert isinstance(x, jax.Array) and x.dtype == np.float32
    jitted = jax.jit(lambda a: backend.ops["softmax"](backend.ops["relu"](a)))
    np.testing.assert_allclose(
        np.asarray(jitted(x)).sum(axis=-1), np.ones(2, np.float32), rtol=1e-6
    )


def test_compute_output_spec_uses_eval_shape(backend):
    out = backend.compute_output_spec(
        backend.ops["sum"], KerasTensor((None, 5, 3), "float32"), axis=1
    )
    assert out == KerasTensor((None, 3), "float32")


def test_variable_assignment_replaces_the_array(backend):
    v = backend.Variable(np.zeros((2,), np.float32), name="v")
    first = v.value
    v.assign([1.0, 2.0])
    assert first is not v.value
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    assert jax.numpy.add(v.value, 1.0).tolist() == [2.0, 3.0]
