"""``kcore.random`` beyond the shared suite (``kcore/testing/suite/test_random.py``):
SeedGenerator state on every installed backend, the global unseeded stream, and seed
tensors inside compiled functions (``jax.jit``, ``tf.function``)."""

from __future__ import annotations

import numpy as np
import pytest
from ops_helpers import BACKENDS, n, namespace, op_error_message

import kcore
from kcore import random as krandom
from kcore.errors import OpError
from kcore.keras_tensor import KerasTensor


@pytest.fixture(params=BACKENDS)
def name(request):
    return request.param


def test_seed_generator_state_and_draws(name):
    backend = kcore.backend.get_backend(name)
    gen = krandom.SeedGenerator(9, name="noise", backend=name)
    assert isinstance(gen.state, backend.Variable)
    expected_dtype = "uint32" if "uint32" in backend.capabilities.dtypes else "int64"
    assert gen.state.dtype == expected_dtype
    assert gen.state.shape == (2,)
    assert not gen.state.trainable
    first = gen.next()
    second = gen.next()
    # The returned seed is a copy: advancing the state (in place on torch) keeps it.
    assert backend.convert_to_numpy(first).tolist() == [9, 0]
    assert backend.convert_to_numpy(second).tolist() == [9, 1]
    assert gen.state.numpy().tolist() == [9, 2]
    assert gen.get_config() == {"seed": 9, "name": "noise"}


def test_seed_generator_defaults_and_bad_arguments():
    gen = krandom.SeedGenerator()
    assert 0 <= gen.get_config()["seed"] < 2**32
    assert gen.name == "seed_generator"
    restored = krandom.SeedGenerator.from_config({"seed": 4, "name": "g"})
    assert restored.state.numpy().tolist() == [4, 0]
    assert krandom.SeedGenerator(np.int64(4)).state.numpy().tolist() == [4, 0]
    with pytest.raises(TypeError, match="unexpected keyword"):
        krandom.SeedGenerator(1, dtype="int32")
    with pytest.raises(ValueError, match=r"SeedGenerator: expected an int seed in \[0, 2\*\*32\)"):
        krandom.SeedGenerator(True)


def test_seed_generator_stream_on_every_backend(name):
    ns = namespace(name)
    a = krandom.SeedGenerator(21, backend=name)
    b = krandom.SeedGenerator(21, backend=name)
    draws_a = [n(ns, ns.uniform((6,), seed=a)) for _ in range(3)]
    draws_b = [n(ns, ns.uniform((6,), seed=b)) for _ in range(3)]
    np.testing.assert_array_equal(np.stack(draws_a), np.stack(draws_b))
    assert len({d.tobytes() for d in draws_a}) == 3
    np.testing.assert_array_equal(draws_a[0], n(ns, ns.uniform((6,), seed=21)))


def test_global_stream_restarts_from_a_seed(name):
    ns = namespace(name)
    try:
        krandom._reset_global_seed(123)
        first = [n(ns, ns.normal((4,))) for _ in range(2)]
        krandom._reset_global_seed(123)
        again = [n(ns, ns.normal((4,))) for _ in range(2)]
    finally:
        krandom._reset_global_seed(None)
    np.testing.assert_array_equal(np.stack(first), np.stack(again))
    assert not np.array_equal(first[0], first[1])


def test_error_message_names_the_op():
    ns = namespace("numpy")
    assert op_error_message(ns.uniform, (2,), dtype="int32") == (
        "uniform: expected a floating-point dtype (float16, bfloat16, float32 or float64); "
        "received shape=(2,), dtype='int32'"
    )
    with pytest.raises(OpError, match="^dropout: expected a dropout rate in"):
        ns.dropout(ns.convert_to_tensor([1.0]), -0.5)


def test_symbolic_dropout_with_seed_generator_keeps_state():
    gen = krandom.SeedGenerator(3)
    out = krandom.dropout(KerasTensor((None, 8), "float32"), 0.5, seed=gen)
    assert out == KerasTensor((None, 8), "float32")
    assert gen.state.numpy().tolist() == [3, 0]  # a shape rule: nothing drawn


@pytest.mark.skipif("jax" not in BACKENDS, reason="kcore-jax not installed")
def test_jax_jit_with_a_seed_tensor():
    import jax
    import jax.numpy as jnp

    ns = namespace("jax")
    seed = jnp.array([7, 3], dtype="uint32")

    @jax.jit
    def draw(x, seed):
        return (
            ns.normal((3,), seed=seed),
            ns.dropout(x, 0.5, seed=seed),
            ns.shuffle(x, seed=seed),
            ns.categorical(jnp.zeros((2, 3)), 4, seed=seed),
            ns.gamma((2,), 2.0, seed=seed),
        )

    x = jnp.arange(1.0, 9.0)
    compiled, eager = draw(x, seed), draw.__wrapped__(x, seed)
    for c, e in zip(compiled, eager):
        np.testing.assert_allclose(np.asarray(c), np.asarray(e), rtol=1e-6)
    gen = krandom.SeedGenerator(7, backend="jax")
    gen.next()
    np.testing.assert_allclose(
        np.asarray(draw(x, gen.state.value)[0]),
        np.asarray(ns.normal((3,), seed=jnp.array([7, 1], "uint32"))),
    )


@pytest.mark.skipif("tensorflow" not in BACKENDS, reason="kcore-tf not installed")
def test_tf_function_with_a_seed_generator():
    import tensorflow as tf

    ns = namespace("tensorflow")
    gen = krandom.SeedGenerator(5, backend="tensorflow")

    @tf.function
    def draw():
        return ns.normal((4,), seed=gen)

    first, second = draw().numpy(), draw().numpy()
    assert not np.array_equal(first, second)  # the variable advances on every run
    assert gen.state.numpy().tolist() == [5, 2]
    np.testing.assert_array_equal(first, ns.normal((4,), seed=5).numpy())
    seed = tf.constant([5, 1], tf.int32)
    np.testing.assert_array_equal(
        second, tf.function(lambda s: ns.normal((4,), seed=s))(seed).numpy()
    )
