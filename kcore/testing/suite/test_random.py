"""``kcore.random`` on the selected backend.

Random draws cannot be compared value for value with the NumPy reference (every
backend draws its own numbers, as in Keras), so this suite checks what holds on every
backend: shapes and dtypes, reproducibility from an int seed, a seed tensor and a
:class:`~kcore.random.SeedGenerator`, fresh numbers without a seed, the statistics of
~10k samples within loose bounds, symbolic results for KerasTensor inputs, and
errors for bad arguments.

Ops the backend lacks (no native version, no composite) are strict xfails that must
raise :class:`~kcore.errors.OpNotImplementedError`, as in the conformance suite.
"""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore.config import floatx
from kcore.errors import OpError, OpNotImplementedError
from kcore.keras_tensor import KerasTensor
from kcore.ops import contract
from kcore.random import SeedGenerator

BACKEND = kcore.backend.current()
MISSING = {name for name, kind in contract.coverage(BACKEND).items() if kind == "missing"}
DTYPES = BACKEND.capabilities.dtypes
#: Samples for the statistics, drawn in the one SHAPE used throughout: on JAX each new
#: shape and dtype of gamma, beta and binomial compiles for seconds.
SHAPE = (100, 100)
N = SHAPE[0] * SHAPE[1]

# One call per op: (op name, positional args, keyword args).
CALLS = {
    "normal": (SHAPE, {}),
    "uniform": (SHAPE, {}),
    "truncated_normal": (SHAPE, {}),
    "randint": ((3, 4), {"minval": 0, "maxval": 10}),
    "categorical": ((np.zeros((3, 5), "float32"), 4), {}),
    "dropout": ((np.ones((3, 4), "float32"), 0.5), {}),
    "shuffle": ((np.arange(12, dtype="float32").reshape(3, 4),), {}),
    "gamma": (SHAPE, {"alpha": 2.0}),
    "binomial": (SHAPE, {"counts": 5.0, "probabilities": 0.5}),
    "beta": (SHAPE, {"alpha": 2.0, "beta": 3.0}),
}
for _name in CALLS:  # shape arguments as tuples
    _args, _kwargs = CALLS[_name]
    if isinstance(_args[0], int):
        CALLS[_name] = ((_args[:2],), _kwargs)


def _param(*values, ops, id=None):
    """A parameter that is a strict xfail when one of ``ops`` is missing here."""
    missing = sorted(set(ops) & MISSING)
    marks = []
    if missing:
        marks = [
            pytest.mark.xfail(
                reason=f"{', '.join(missing)} missing on {BACKEND.name} (kcore ops matrix)",
                raises=OpNotImplementedError,
                strict=True,
            )
        ]
    return pytest.param(*values, marks=marks, id=id)


def _needs(*ops):
    """A strict-xfail mark for a test that calls ``ops``, when one is missing here."""
    missing = sorted(set(ops) & MISSING)
    if not missing:
        return lambda test: test
    return pytest.mark.xfail(
        reason=f"{', '.join(missing)} missing on {BACKEND.name} (kcore ops matrix)",
        raises=OpNotImplementedError,
        strict=True,
    )


def _tensor(value):
    return kcore.ops.convert_to_tensor(value) if isinstance(value, np.ndarray) else value


def _call(name, seed=None, **overrides):
    args, kwargs = CALLS[name]
    args = tuple(_tensor(a) for a in args)
    kwargs = {**kwargs, **overrides}
    return getattr(kcore.random, name)(*args, seed=seed, **kwargs)


def _np(x):
    return kcore.ops.convert_to_numpy(x)


def _dtype(x):
    return kcore.ops.dtype(x)


# -- shapes and dtypes -------------------------------------------------------------

FLOAT_OPS = ("normal", "uniform", "truncated_normal", "gamma", "binomial", "beta")
FLOATS = [d for d in ("float16", "bfloat16", "float32", "float64") if d in DTYPES]
#: gamma, beta and binomial are slow to compile on JAX: fewer dtypes for them.
SLOW = ("gamma", "binomial", "beta")


def _float_dtypes(name):
    return [None, "float16"] if name in SLOW else [None, *FLOATS]


INTS = [d for d in ("int8", "uint8", "int16", "int32", "int64") if d in DTYPES]


@pytest.mark.parametrize(
    ("name", "dtype"),
    [_param(n, d, ops=[n], id=f"{n}-{d}") for n in FLOAT_OPS for d in _float_dtypes(n)],
)
def test_float_ops_shape_and_dtype(name, dtype):
    out = _call(name, seed=1, dtype=dtype)
    assert BACKEND.is_tensor(out)
    assert tuple(out.shape) == SHAPE
    assert _dtype(out) == (dtype or floatx())
    assert np.isfinite(_np(out).astype("float64")).all()


@pytest.mark.parametrize("dtype", [_param(d, ops=["randint"], id=d) for d in INTS])
def test_randint_dtype(dtype):
    out = kcore.random.randint((3, 4), 0, 10, dtype=dtype, seed=1)
    assert _dtype(out) == dtype
    assert tuple(out.shape) == (3, 4)


@_needs("randint", "categorical")
def test_integer_ops_default_to_int32():
    assert _dtype(kcore.random.randint((2,), 0, 5)) == "int32"
    assert _dtype(_call("categorical")) == "int32"
    out = _call("categorical", dtype="float32")
    assert _dtype(out) == "float32"
    assert tuple(out.shape) == (3, 4)


@pytest.mark.parametrize(
    "shape",
    [_param(s, ops=["normal"], id=repr(s)) for s in [(), (0,), 5, [2, 3], (2, 1, 3)]],
)
def test_shape_forms(shape):
    out = kcore.random.normal(shape, seed=0)
    expected = (shape,) if isinstance(shape, int) else tuple(shape)
    assert tuple(out.shape) == expected


@pytest.mark.parametrize(
    ("name", "dtype"),
    [_param("dropout", d, ops=["dropout"], id=f"dropout-{d}") for d in FLOATS]
    + [_param("shuffle", d, ops=["shuffle"], id=f"shuffle-{d}") for d in ("float32", "int32")],
)
def test_tensor_ops_keep_shape_and_dtype(name, dtype):
    x = kcore.ops.convert_to_tensor(np.arange(12).reshape(3, 4), dtype=dtype)
    if name == "dropout":
        out = kcore.random.dropout(x, 0.5, seed=3)
    else:
        out = kcore.random.shuffle(x, seed=3)
    assert tuple(out.shape) == (3, 4)
    assert _dtype(out) == dtype


@_needs("dropout")
def test_dropout_of_integers_gives_floatx():
    out = kcore.random.dropout(kcore.ops.convert_to_tensor(np.ones((4,), "int32")), 0.5, seed=1)
    assert _dtype(out) == floatx()


def test_symbolic_inputs():  # shape rules: no backend op runs
    x = KerasTensor((None, 4), "float32")
    assert kcore.random.dropout(x, 0.3) == KerasTensor((None, 4), "float32")
    assert kcore.random.dropout(KerasTensor((2, 4), "int32"), 0.3) == KerasTensor((2, 4), floatx())
    assert kcore.random.shuffle(x, axis=1) == KerasTensor((None, 4), "float32")
    assert kcore.random.categorical(x, 7) == KerasTensor((None, 7), "int32")
    assert kcore.random.categorical(x, 2, dtype="int64") == KerasTensor((None, 2), "int64")


# -- reproducibility ---------------------------------------------------------------


@pytest.mark.parametrize("name", [_param(n, ops=[n], id=n) for n in CALLS])
def test_same_int_seed_same_numbers(name):
    first, again = _np(_call(name, seed=1234)), _np(_call(name, seed=1234))
    np.testing.assert_array_equal(first, again)
    if name not in ("dropout", "categorical", "shuffle"):  # few distinct outcomes
        assert not np.array_equal(first, _np(_call(name, seed=1235)))


@pytest.mark.parametrize("name", [_param(n, ops=[n], id=n) for n in FLOAT_OPS])
def test_seed_generator_streams(name):
    a, b = SeedGenerator(77), SeedGenerator(77)
    stream_a = [_np(_call(name, seed=a)) for _ in range(3)]
    stream_b = [_np(_call(name, seed=b)) for _ in range(3)]
    for x, y in zip(stream_a, stream_b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(stream_a[0], stream_a[1])
    assert not np.array_equal(stream_a[1], stream_a[2])
    # A generator's first draw is the int seed's draw.
    np.testing.assert_array_equal(stream_a[0], _np(_call(name, seed=77)))


@_needs("normal")
def test_seed_tensor_is_the_seed_pair():
    seed = kcore.ops.convert_to_tensor(np.array([5, 0], "int32"))
    np.testing.assert_array_equal(
        _np(kcore.random.normal((8,), seed=seed)), _np(kcore.random.normal((8,), seed=5))
    )
    other = kcore.ops.convert_to_tensor(np.array([5, 1], "int32"))
    assert not np.array_equal(
        _np(kcore.random.normal((8,), seed=other)), _np(kcore.random.normal((8,), seed=5))
    )


@pytest.mark.parametrize("name", [_param(n, ops=[n], id=n) for n in FLOAT_OPS])
def test_unseeded_draws_differ(name):
    assert not np.array_equal(_np(_call(name)), _np(_call(name)))


def test_seed_generator_state():
    gen = SeedGenerator(3)
    assert gen.state.shape == (2,)
    assert gen.state.dtype in ("uint32", "int64")
    assert not gen.state.trainable
    first = _np(gen.next()).tolist()
    second = _np(gen.next()).tolist()
    assert first == [3, 0]
    assert second == [3, 1]
    assert _np(gen.state.value).tolist() == [3, 2]
    assert SeedGenerator.from_config(gen.get_config()).get_config() == gen.get_config()


# -- statistics (about 10k samples, loose bounds) -----------------------------------


@_needs("normal")
def test_normal_statistics():
    x = _np(kcore.random.normal(SHAPE, mean=2.0, stddev=3.0, seed=11)).astype("float64")
    assert abs(x.mean() - 2.0) < 0.15
    assert abs(x.std() - 3.0) < 0.15


@_needs("uniform")
def test_uniform_statistics():
    x = _np(kcore.random.uniform(SHAPE, minval=-2.0, maxval=6.0, seed=12)).astype("float64")
    assert x.min() >= -2.0 and x.max() < 6.0
    assert abs(x.mean() - 2.0) < 0.15
    assert abs(x.std() - 8 / np.sqrt(12)) < 0.1


@_needs("truncated_normal")
def test_truncated_normal_statistics():
    x = _np(kcore.random.truncated_normal(SHAPE, mean=1.0, stddev=0.5, seed=13))
    x = x.astype("float64")
    assert x.min() >= 1.0 - 2 * 0.5 - 1e-6 and x.max() <= 1.0 + 2 * 0.5 + 1e-6
    assert abs(x.mean() - 1.0) < 0.03
    assert abs(x.std() - 0.88 * 0.5) < 0.03  # the std of N(0, 1) cut at ±2 is 0.8796


@_needs("randint")
def test_randint_statistics():
    x = _np(kcore.random.randint((N,), -3, 4, seed=14))
    assert set(np.unique(x).tolist()) == set(range(-3, 4))
    counts = np.bincount(x + 3)
    assert np.all(np.abs(counts / N - 1 / 7) < 0.02)


@_needs("categorical")
def test_categorical_frequencies():
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
    with np.errstate(divide="ignore"):
        logits = kcore.ops.convert_to_tensor(np.log(p).astype("float32"))
    x = _np(kcore.random.categorical(logits, N, seed=15))
    assert x.shape == (2, N)
    for row, probabilities in zip(x, p):
        frequencies = np.bincount(row, minlength=3) / N
        np.testing.assert_allclose(frequencies, probabilities, atol=0.02)
    assert not np.any(x[1] == 2)  # zero probability is never drawn


@_needs("dropout")
def test_dropout_keeps_and_scales():
    x = kcore.ops.convert_to_tensor(np.full((N,), 2.0, "float32"))
    y = _np(kcore.random.dropout(x, 0.3, seed=16))
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y[kept], 2.0 / 0.7, rtol=1e-6)


@_needs("dropout")
def test_dropout_noise_shape_and_edge_rates():
    x = kcore.ops.convert_to_tensor(np.ones((50, 8), "float32"))
    y = _np(kcore.random.dropout(x, 0.5, noise_shape=(None, 1), seed=17))
    assert np.all(y == y[:, :1])  # one decision per row
    assert 0 < (y[:, 0] != 0).sum() < 50
    np.testing.assert_array_equal(_np(kcore.random.dropout(x, 0.0, seed=1)), np.ones((50, 8)))
    np.testing.assert_array_equal(_np(kcore.random.dropout(x, 1.0, seed=1)), np.zeros((50, 8)))


@_needs("shuffle")
def test_shuffle_is_a_permutation():
    x = np.arange(60, dtype="float32").reshape(3, 20)
    y = _np(kcore.random.shuffle(kcore.ops.convert_to_tensor(x), axis=1, seed=18))
    assert y.shape == x.shape
    # Columns move together: every row is permuted the same way.
    order = (y[0] - x[0, 0]).astype(int)
    np.testing.assert_array_equal(y, x[:, order])
    assert sorted(order.tolist()) == list(range(20))
    assert order.tolist() != list(range(20))
    z = _np(kcore.random.shuffle(kcore.ops.convert_to_tensor(x), seed=18))  # axis 0
    assert sorted(z[:, 0].tolist()) == [0.0, 20.0, 40.0]


@_needs("gamma")
def test_gamma_statistics():
    for alpha in (0.5, 3.0):
        x = _np(kcore.random.gamma(SHAPE, alpha, seed=19)).astype("float64")
        assert x.min() >= 0
        assert abs(x.mean() - alpha) < 0.1 * max(alpha, 1)
        assert abs(x.var() - alpha) < 0.15 * max(alpha, 1)


@_needs("binomial")
def test_binomial_statistics():
    x = _np(kcore.random.binomial(SHAPE, 10.0, 0.3, seed=20)).astype("float64")
    assert np.all(x == np.round(x)) and x.min() >= 0 and x.max() <= 10
    assert abs(x.mean() - 3.0) < 0.1
    assert abs(x.var() - 2.1) < 0.2


@_needs("beta")
def test_beta_statistics():
    x = _np(kcore.random.beta(SHAPE, 2.0, 5.0, seed=21)).astype("float64")
    assert x.min() >= 0 and x.max() <= 1
    assert abs(x.mean() - 2 / 7) < 0.02
    assert abs(x.var() - 10 / (49 * 8)) < 0.005


# -- bad input ---------------------------------------------------------------------

BAD = [
    ("normal", lambda: kcore.random.normal((2,), dtype="int32")),
    ("uniform", lambda: kcore.random.uniform((2,), dtype="int32")),
    ("uniform", lambda: kcore.random.uniform((2,), minval=2.0, maxval=1.0)),
    ("truncated_normal", lambda: kcore.random.truncated_normal((2,), dtype="int32")),
    ("gamma", lambda: kcore.random.gamma((2,), 1.0, dtype="int32")),
    ("binomial", lambda: kcore.random.binomial((2,), 5, 0.5, dtype="int32")),
    ("beta", lambda: kcore.random.beta((2,), 1.0, 1.0, dtype="int32")),
    ("randint", lambda: kcore.random.randint((2,), 0, 5, dtype="float32")),
    ("randint", lambda: kcore.random.randint((2,), 5, 5)),
    ("randint", lambda: kcore.random.randint((2,), 5, 3)),
    ("dropout", lambda: kcore.random.dropout(np.ones(3, "float32"), -0.1)),
    ("dropout", lambda: kcore.random.dropout(np.ones(3, "float32"), 1.5)),
    ("categorical", lambda: kcore.random.categorical(np.zeros(3, "float32"), 2)),
    ("shuffle", lambda: kcore.random.shuffle(kcore.ops.convert_to_tensor([1, 2, 3]), axis=1)),
    ("normal", lambda: kcore.random.normal((None, 2))),
    ("normal", lambda: kcore.random.normal((2, -1))),
    ("normal", lambda: kcore.random.normal((2,), seed="abc")),
    ("normal", lambda: kcore.random.normal((2,), seed=1.5)),
    ("normal", lambda: kcore.random.normal((2,), seed=-1)),
    ("normal", lambda: kcore.random.normal((2,), seed=2**32)),
]


@pytest.mark.parametrize(
    ("name", "call"), [_param(n, c, ops=[n], id=f"{n}-{i}") for i, (n, c) in enumerate(BAD)]
)
def test_bad_input_raises_op_error(name, call):
    with pytest.raises(OpError, match=f"^{name}: expected "):
        call()


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "x"])
def test_seed_generator_refuses_bad_seeds(seed):
    with pytest.raises(ValueError, match="expected an int seed"):
        SeedGenerator(seed)
