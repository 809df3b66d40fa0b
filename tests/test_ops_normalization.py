"""Normalization, encoding, cross-entropy and metric ops beyond what the conformance suite
can say: Keras 3's documented values, options (``sparse``, ``num_tokens``,
``rms_scaling``, ``synchronized``), bad input as the same OpError on every backend, and
every composite fallback against the NumPy reference, on every installed backend.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from ops_helpers import BACKENDS, TRAINABLE, composites_of, n, namespace, namespace_without, t

import kcore
from kcore.errors import OpError
from kcore.keras_tensor import KerasTensor
from kcore.ops import contract
from kcore.ops import nn_normalization as declarations
from kcore.testing import tolerances

OPS = (
    "batch_normalization moments normalize rms_normalization layer_normalization one_hot "
    "multi_hot binary_crossentropy categorical_crossentropy sparse_categorical_crossentropy "
    "psnr polar"
).split()
COMPOSITES = composites_of(declarations.__name__)


def _close(ns, got, expected, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(n(ns, got), expected, rtol=rtol, atol=atol)


# -- values (Keras 3's documented examples and hand-computed ones) -------------------------


def test_crossentropies(ns):
    target = t(ns, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    output = t(ns, [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5]])
    expected = [0.10536054, 0.22314355, 0.6931472]
    _close(ns, ns.categorical_crossentropy(target, output), expected)
    _close(ns, ns.sparse_categorical_crossentropy(t(ns, [0, 1, 2], "int32"), output), expected)
    _close(
        ns, ns.sparse_categorical_crossentropy(t(ns, [[0], [1], [2]], "int32"), output), expected
    )
    _close(
        ns,
        ns.binary_crossentropy(t(ns, [0, 1, 1, 0]), t(ns, [0.1, 0.9, 0.8, 0.2])),
        [0.10536054, 0.10536054, 0.22314355, 0.22314355],
    )
    logits = t(ns, [[1.0, 2.0, 3.0], [0.0, 5.0, 1.0]])
    v = n(ns, logits)
    log_p = v - v.max(-1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(-1, keepdims=True))
    _close(
        ns,
        ns.sparse_categorical_crossentropy(t(ns, [0, 1], "int32"), logits, from_logits=True),
        [-log_p[0, 0], -log_p[1, 1]],
    )
    _close(
        ns,
        ns.categorical_crossentropy(t(ns, [[0, 0, 1], [1, 0, 0]]), logits, from_logits=True),
        [-log_p[0, 2], -log_p[1, 0]],
    )
    z, y = np.array([-2.0, 1.0, 30.0]), np.array([0.0, 1.0, 0.3])
    _close(
        ns,
        ns.binary_crossentropy(t(ns, y), t(ns, z), from_logits=True),
        np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))),
    )
    # Probabilities of exactly 0 and 1 are clipped to [epsilon, 1 - epsilon].
    out = n(ns, ns.binary_crossentropy(t(ns, [0.0, 1.0]), t(ns, [1.0, 0.0])))
    assert np.isfinite(out).all() and (out > 15).all()
    # A class index outside [0, classes) contributes nothing.
    out = ns.sparse_categorical_crossentropy(t(ns, [5, -1], "int32"), output[:2])
    assert n(ns, out).tolist() == [0.0, 0.0]


def test_statistics_and_normalizations(ns):
    mean, variance = ns.moments(t(ns, [0, 1, 2, 3, 100]), axes=[0])
    _close(ns, mean, 21.2)
    _close(ns, variance, 1553.36, rtol=1e-5)
    mean, variance = ns.moments(t(ns, [[1, 2], [3, 6]], "int32"), axes=1, keepdims=True)
    assert ns.dtype(mean) == ns.dtype(variance) == "float32"
    assert n(ns, mean).tolist() == [[1.5], [4.5]] and n(ns, variance).tolist() == [[0.25], [2.25]]
    x = t(ns, [[1, 2, 3], [4, 5, 6]], "int32")
    v = np.array([[1, 2, 3], [4, 5, 6]], "float64")
    _close(ns, ns.normalize(x), v / np.linalg.norm(v, axis=-1, keepdims=True))
    _close(ns, ns.normalize(x, axis=0, order=1), v / np.abs(v).sum(0, keepdims=True))
    _close(ns, ns.normalize(t(ns, [[0.0, 0.0], [3.0, 4.0]]), epsilon=1.0), [[0, 0], [0.6, 0.8]])
    _close(ns, ns.rms_normalization(t(ns, [[3.0, 4.0]]), epsilon=0.0), [[3, 4] / np.sqrt(12.5)])
    _close(
        ns,
        ns.layer_normalization(t(ns, [0.0, 1.0, 2.0, 3.0, 4.0]), epsilon=0.0),
        (np.arange(5) - 2) / np.sqrt(2),
    )
    out = ns.batch_normalization(
        t(ns, [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]),
        t(ns, [0.4, 0.5, 0.6]),
        t(ns, [0.67, 0.67, 0.67]),
        axis=-1,
    )
    _close(
        ns,
        out,
        [[-0.36624, -0.36624, -0.36624], [0, 0, 0], [0.36624, 0.36624, 0.36624]],
        rtol=1e-4,
        atol=1e-5,
    )
    _close(
        ns, ns.psnr(t(ns, [0.0, 1.0]), t(ns, [0.0, 0.9]), 1.0), 10 * np.log10(1 / 0.005), rtol=1e-5
    )


def test_half_precision_statistics_keep_their_dtype(ns):
    x = t(ns, [[1.0, -2.0, 0.5], [3.0, 4.0, 1.0]], "float16")
    for out in (
        *ns.moments(x, [1]),
        ns.layer_normalization(x),
        ns.rms_normalization(x),
        ns.normalize(x),
    ):
        assert ns.dtype(out) == "float16"


def test_one_hot_and_multi_hot(ns):
    out = ns.one_hot(t(ns, [1, 3, -1, 7], "int32"), 4)
    assert ns.dtype(out) == "float32"
    assert n(ns, out).tolist() == [[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]]
    out = ns.one_hot(t(ns, [[0, 2]], "int64"), 3, axis=0, dtype="int8")
    assert ns.dtype(out) == "int8" and n(ns, out).shape == (3, 1, 2)
    assert n(ns, out)[:, 0, :].T.tolist() == [[1, 0, 0], [0, 0, 1]]
    assert n(ns, ns.one_hot(t(ns, [2], "int32"), 3, axis=-2)).tolist() == [[0], [0], [1]]
    assert n(ns, ns.multi_hot(t(ns, [0, 4], "int32"), num_classes=5)).tolist() == [1, 0, 0, 0, 1]
    assert n(ns, ns.multi_hot(t(ns, [0, 4], "int32"), num_tokens=5)).tolist() == [1, 0, 0, 0, 1]
    rows = ns.multi_hot(t(ns, [[0, 2, 2], [1, 1, 3]], "int32"), 4, dtype="int32")
    assert ns.dtype(rows) == "int32" and n(ns, rows).tolist() == [[1, 0, 1, 0], [0, 1, 0, 1]]


def test_sparse_one_hot_is_dense_or_refused_as_in_keras(ns):
    x = t(ns, [0, 2], "int32")
    if ns.backend.name == "torch":  # Keras refuses sparse=True on torch too
        with pytest.raises(OpError, match="sparse=True is not supported by the torch backend"):
            ns.one_hot(x, 3, sparse=True)
        with pytest.raises(OpError, match="sparse=True is not supported by the torch backend"):
            ns.multi_hot(x, 3, sparse=True)
    else:
        assert n(ns, ns.one_hot(x, 3, sparse=True)).tolist() == [[1, 0, 0], [0, 0, 1]]
        assert n(ns, ns.multi_hot(x, 3, sparse=True)).tolist() == [1, 0, 1]


def test_layer_normalization_options(ns):
    x = t(ns, [[1.0, -2.0, 0.0], [3.0, 4.0, 1.0]])
    gamma = t(ns, [2.0, 3.0, 1.0])
    v = n(ns, x)
    with pytest.warns(UserWarning, match="rms_scaling=True"):
        out = ns.layer_normalization(x, gamma, rms_scaling=True)
    _close(ns, out, v / np.sqrt(v.var(-1, keepdims=True) + 1e-7) * [2, 3, 1])
    # moments' synchronized only matters inside a TF distribution strategy.
    a, b = ns.moments(x, [0], synchronized=True)
    _close(ns, a, v.mean(0))
    _close(ns, b, v.var(0))


def test_polar_gives_complex(ns):
    out = ns.polar(t(ns, [2.0, 1.0]), t(ns, [0.0, np.pi / 2]))
    assert ns.dtype(out) == "complex64"
    np.testing.assert_allclose(n(ns, out), [2, 1j], atol=1e-6)
    if "float64" in ns.backend.capabilities.dtypes:
        assert ns.dtype(ns.polar(t(ns, [1.0], "float64"), t(ns, [0.0], "float64"))) == "complex128"


def test_symbolic_results(ns):
    x = KerasTensor((None, 3), "float32")
    mean, variance = ns.moments(x, axes=[1])
    assert mean.shape == variance.shape == (None,) and mean.dtype == "float32"
    hot = ns.one_hot(KerasTensor((None, 2), "int32"), 5, axis=1)
    assert hot.shape == (None, 5, 2) and hot.dtype == "float32"
    loss = ns.sparse_categorical_crossentropy(KerasTensor((None,), "int32"), x)
    assert loss.shape == (None,) and loss.dtype == "float32"
    assert ns.psnr(x, x, 1.0).shape == ()


# -- bad input: one OpError, worded the same on every backend ---------------------------------

_F = np.ones((2, 3), "float32")

BAD = [
    ("moments", (_F, [5]), {}, "moments: expected axes in [-2, 2) for a tensor of rank 2, got [5]"),
    (
        "normalize",
        (_F,),
        {"axis": 2},
        "normalize: expected axis in [-2, 2) for a tensor of rank 2, got 2",
    ),
    ("normalize", (_F,), {"order": 0}, "normalize: expected order to be an int >= 1, got 0"),
    ("rms_normalization", (_F,), {"axis": -3}, "rms_normalization: expected axis in [-2, 2)"),
    ("layer_normalization", (_F,), {"axis": 4}, "layer_normalization: expected axis in [-2, 2)"),
    (
        "batch_normalization",
        (_F, np.zeros(3, "float32"), np.ones(3, "float32"), 3),
        {},
        "batch_normalization: expected axis in [-2, 2)",
    ),
    (
        "batch_normalization",
        (_F, np.zeros(2, "float32"), np.ones(2, "float32"), -1),
        {},
        "batch_normalization: expected mean of shape (3,) (x.shape[-1]), got (2,)",
    ),
    ("one_hot", (_F, 4), {}, "one_hot: expected x of an integer dtype (class indices)"),
    (
        "one_hot",
        (np.zeros((2, 3), "int32"), 4),
        {"axis": 3},
        "one_hot: expected axis in [-3, 2] for x of rank 2, got 3",
    ),
    (
        "binary_crossentropy",
        (np.ones((2, 3), "float32"), np.full((1, 3), 0.5, "float32")),
        {},
        "binary_crossentropy: expected target and output of the same shape",
    ),
    (
        "categorical_crossentropy",
        (np.ones((2, 3), "float32"), np.full((2, 4), 0.5, "float32")),
        {},
        "categorical_crossentropy: expected target and output of the same shape",
    ),
    (
        "sparse_categorical_crossentropy",
        (np.zeros((3,), "int32"), np.full((2, 4), 0.25, "float32")),
        {},
        "sparse_categorical_crossentropy: expected target of shape (2,), got (3,)",
    ),
    (
        "sparse_categorical_crossentropy",
        (np.zeros((2,), "int32"), np.full((2, 4), 0.25, "float32")),
        {"axis": 2},
        "sparse_categorical_crossentropy: expected axis in [-2, 2) for output of rank 2, got 2",
    ),
    ("psnr", (_F, np.ones(3, "float32"), 1.0), {}, "psnr: expected x1 and x2 of the same shape"),
]


@pytest.mark.parametrize(
    ("op", "args", "kwargs", "expected"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)]
)
def test_bad_input_is_the_same_op_error_everywhere(op, args, kwargs, expected):
    messages = set()
    for name in BACKENDS:
        ns = namespace(name)
        converted = [ns.convert_to_tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        with pytest.raises(OpError) as info:
            getattr(ns, op)(*converted, **kwargs)
        messages.add(str(info.value))
    assert len(messages) == 1, messages
    message = messages.pop()
    assert message.startswith(expected), message
    assert "; received " in message


# -- every op on every backend ------------------------------------------------------------------


@pytest.mark.parametrize("backend_name", BACKENDS)
def test_every_op_is_declared_and_native(backend_name):
    coverage = contract.coverage(kcore.backend.get_backend(backend_name))
    assert set(COMPOSITES) == set(OPS)
    assert {name: coverage[name] for name in OPS} == dict.fromkeys(OPS, "native")


# -- composites -------------------------------------------------------------------------------


def _cases_of(spec, backend_name):
    supported = frozenset(kcore.backend.get_backend(backend_name).capabilities.dtypes)
    rng = np.random.default_rng(zlib.crc32(spec.name.encode()))
    return spec.cases(spec, rng, supported)


@pytest.mark.parametrize("backend_name", BACKENDS)
@pytest.mark.parametrize("name", COMPOSITES)
def test_composite_matches_the_reference(backend_name, name):
    spec = contract.SPECS[name]
    composite = namespace_without(backend_name, COMPOSITES)
    reference = namespace("numpy")

    def convert(value):
        return composite.convert_to_tensor(value) if isinstance(value, np.ndarray) else value

    for case in _cases_of(spec, backend_name):
        expected = getattr(reference, name)(*case.args, **case.kwargs)
        got = getattr(composite, name)(
            *map(convert, case.args), **{k: convert(v) for k, v in case.kwargs.items()}
        )
        pairs = (
            zip(got, expected, strict=True) if isinstance(expected, tuple) else [(got, expected)]
        )
        for g, e in pairs:
            e = np.asarray(e)
            assert composite.dtype(g) == e.dtype.name, case.id
            rtol, atol = tolerances.forward(name, e.dtype.name)
            np.testing.assert_allclose(
                n(composite, g), e, rtol=max(rtol, 1e-6), atol=max(atol, 1e-6), err_msg=case.id
            )


DIFFERENTIABLE = [name for name in COMPOSITES if contract.SPECS[name].grad]


@pytest.mark.parametrize("backend_name", TRAINABLE)
@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_composite_gradient_matches_the_native_one(backend_name, name):
    backend = kcore.backend.get_backend(backend_name)
    native = namespace(backend_name)
    composite = namespace_without(backend_name, COMPOSITES)
    case = next(c for c in _cases_of(contract.SPECS[name], backend_name) if c.grad)
    positions = [
        i for i, a in enumerate(case.args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
    ]
    tensors = [native.convert_to_tensor(case.args[i]) for i in positions]

    def gradient(ns):
        def loss(*xs):
            args = list(case.args)
            for i, x in zip(positions, xs):
                args[i] = x
            out = getattr(ns, name)(*args, **case.kwargs)
            outs = out if isinstance(out, tuple) else (out,)
            total = ns.sum(ns.square(outs[0]))
            for o in outs[1:]:
                total = ns.add(total, ns.sum(ns.square(o)))
            return total

        return [n(ns, g) for g in backend.gradient(loss, *tensors)]

    for c, g in zip(gradient(composite), gradient(native), strict=True):
        np.testing.assert_allclose(c, g, rtol=1e-4, atol=1e-5)


def test_integer_inputs_follow_floatx_when_it_changes(ns):
    # Compiled formulas (jax) must not keep the floatx of their first call.
    x = t(ns, [[1, 2], [3, 4]], "int32")
    assert ns.dtype(ns.moments(x, [0])[0]) == "float32"
    try:
        kcore.config.set_floatx("float16")
        for out in (
            *ns.moments(x, [0]),
            ns.normalize(x),
            ns.binary_crossentropy(x, x),
            ns.psnr(x, x, 1.0),
        ):
            assert ns.dtype(out) == "float16"
        assert ns.dtype(ns.sigmoid(x)) == "float16"
    finally:
        kcore.config.set_floatx("float32")
