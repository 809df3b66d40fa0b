"""Activation functions beyond what the conformance suite can say: known values, Keras 3's
dtype rules, Python inputs, errors naming the op (worded the same on every backend),
and every composite fallback against the NumPy reference, on every installed backend.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
from ops_helpers import BACKENDS, TRAINABLE, composites_of, n, namespace, namespace_without, t

import kcore
from kcore.errors import OpError
from kcore.ops import contract
from kcore.ops import nn_activations as declarations
from kcore.testing import tolerances

OPS = (
    "relu6 sigmoid softplus softsign silu swish gelu glu elu selu leaky_relu hard_sigmoid "
    "hard_silu hard_swish celu log_sigmoid log_softmax sparsemax squareplus tanh_shrink "
    "threshold sparse_plus sparse_sigmoid soft_shrink hard_shrink hard_tanh"
).split()
COMPOSITES = composites_of(declarations.__name__)


# -- known values ------------------------------------------------------------------------


def _close(ns, got, expected, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(n(ns, got), expected, rtol=rtol, atol=atol)


def test_known_values(ns):
    x = t(ns, [-2.0, -0.5, 0.0, 0.5, 2.0])
    v = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    sig = 1 / (1 + np.exp(-v))
    erf = np.array([math.erf(a / math.sqrt(2)) for a in v])
    tanh_form = np.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3))
    expected = {
        "relu6": np.clip(v, 0, 6),
        "sigmoid": sig,
        "softplus": np.log1p(np.exp(v)),
        "softsign": v / (1 + np.abs(v)),
        "silu": v * sig,
        "swish": v * sig,
        "elu": np.where(v > 0, v, np.expm1(v)),
        "selu": declarations.SELU_SCALE * np.where(v > 0, v, declarations.SELU_ALPHA * np.expm1(v)),
        "leaky_relu": np.where(v >= 0, v, 0.2 * v),
        "hard_sigmoid": np.clip(v + 3, 0, 6) / 6,
        "hard_silu": v * np.clip(v + 3, 0, 6) / 6,
        "hard_swish": v * np.clip(v + 3, 0, 6) / 6,
        "celu": np.maximum(v, 0) + np.expm1(np.minimum(v, 0)),
        "log_sigmoid": np.log(sig),
        "squareplus": (v + np.sqrt(v * v + 4)) / 2,
        "tanh_shrink": v - np.tanh(v),
        "sparse_plus": np.where(v <= -1, 0, np.where(v >= 1, v, (v + 1) ** 2 / 4)),
        "sparse_sigmoid": np.clip((v + 1) / 2, 0, 1),
        "soft_shrink": np.where(v > 0.5, v - 0.5, np.where(v < -0.5, v + 0.5, 0)),
        "hard_shrink": np.where(np.abs(v) > 0.5, v, 0),
        "hard_tanh": np.clip(v, -1, 1),
    }
    for name, want in expected.items():
        out = getattr(ns, name)(x)
        assert ns.dtype(out) == "float32", name
        _close(ns, out, want, rtol=1e-5, atol=1e-6)
    _close(ns, ns.gelu(x), 0.5 * v * (1 + tanh_form))
    _close(ns, ns.gelu(x, approximate=False), 0.5 * v * (1 + erf))
    _close(ns, ns.elu(x, alpha=0.5), np.where(v > 0, v, 0.5 * np.expm1(v)))
    _close(ns, ns.celu(x, alpha=2.0), np.maximum(v, 0) + 2 * np.expm1(np.minimum(v, 0) / 2))
    _close(ns, ns.leaky_relu(x, negative_slope=0.1), np.where(v >= 0, v, 0.1 * v))
    _close(ns, ns.squareplus(x, b=1), (v + np.sqrt(v * v + 1)) / 2)
    _close(ns, ns.soft_shrink(x, threshold=1.0), np.where(v > 1, v - 1, np.where(v < -1, v + 1, 0)))
    _close(ns, ns.hard_shrink(x, threshold=1.0), np.where(np.abs(v) > 1, v, 0))
    _close(ns, ns.threshold(x, 0.0, -9.0), np.where(v > 0, v, -9.0))


def test_glu_log_softmax_and_sparsemax(ns):
    x = t(ns, [[1.0, 2.0, 0.0, -1.0], [0.5, -0.5, 3.0, 2.0]])
    v = n(ns, x)
    sig = 1 / (1 + np.exp(-v))
    _close(ns, ns.glu(x), v[:, :2] * sig[:, 2:])
    _close(ns, ns.glu(x, axis=0), v[:1] * sig[1:])
    for axis in (-1, 0):
        shifted = v - v.max(axis=axis, keepdims=True)
        want = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        _close(ns, ns.log_softmax(x, axis=axis), want)
    _close(
        ns,
        ns.sparsemax(t(ns, [[1.0, 2.0, 5.0], [0.2, 0.4, 0.1]])),
        [
            [0.0, 0.0, 1.0],
            [0.3, 0.5, 0.2],
        ],
    )
    # Each slice is a distribution, along any axis.
    for axis in (-1, 0):
        out = n(ns, ns.sparsemax(x, axis=axis))
        np.testing.assert_allclose(out.sum(axis=axis), 1.0, rtol=1e-6)
        assert (out >= 0).all()


# -- dtypes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["int32", "uint8", "bool"])
def test_integers_give_floatx(ns, dtype):
    x = t(ns, [0, 1, 1], dtype)
    for name in OPS:
        if name in ("glu", "threshold", "hard_tanh"):
            continue
        out = getattr(ns, name)(x)
        assert ns.dtype(out) == "float32", (name, dtype)


def test_float16_stays_float16(ns):
    x = t(ns, [-1.5, 0.25, 2.0, 3.0], "float16")
    for name in OPS:
        out = ns.threshold(x, 0.0, 0.0) if name == "threshold" else getattr(ns, name)(x)
        assert ns.dtype(out) == "float16", name


def test_hard_tanh_keeps_integers(ns):
    assert ns.dtype(ns.hard_tanh(t(ns, [-3, 0, 4], "int8"))) == "int8"
    assert n(ns, ns.hard_tanh(t(ns, [-3, 0, 4], "int8"))).tolist() == [-1, 0, 1]
    assert n(ns, ns.hard_tanh(t(ns, [0, 7], "uint8"))).tolist() == [0, 1]
    out = ns.hard_tanh(t(ns, [True, False], "bool"))
    assert ns.dtype(out) == "int32" and n(ns, out).tolist() == [1, 0]


def test_threshold_promotes_x_with_default_value(ns):
    x = t(ns, [0, 1, 2, 3], "int32")
    out = ns.threshold(x, 1, 0)
    assert ns.dtype(out) == "int32" and n(ns, out).tolist() == [0, 0, 2, 3]
    out = ns.threshold(x, 1.5, -0.5)
    assert ns.dtype(out) == "float32" and n(ns, out).tolist() == [-0.5, -0.5, 2.0, 3.0]


def test_python_inputs(ns):
    assert n(ns, ns.relu6([-1.0, 3.0, 9.0])).tolist() == [0.0, 3.0, 6.0]
    assert n(ns, ns.hard_tanh([-2.0, 0.5, 3.0])).tolist() == [-1.0, 0.5, 1.0]
    np.testing.assert_allclose(n(ns, ns.sigmoid(0.0)), 0.5)
    np.testing.assert_allclose(n(ns, ns.log_softmax([[0.0, 0.0]])), [[-math.log(2)] * 2], rtol=1e-6)


# -- errors ---------------------------------------------------------------------------------


def _message(ns, op, *args, **kwargs):
    with pytest.raises(OpError) as info:
        getattr(ns, op)(*args, **kwargs)
    return str(info.value)


@pytest.mark.parametrize(
    ("op", "kwargs", "expected"),
    [
        (
            "log_softmax",
            {"axis": 5},
            "log_softmax: expected axis in [-2, 2) for a tensor of rank 2, got 5",
        ),
        (
            "sparsemax",
            {"axis": -3},
            "sparsemax: expected axis in [-2, 2) for a tensor of rank 2, got -3",
        ),
        ("glu", {"axis": 4}, "glu: expected axis in [-2, 2) for a tensor of rank 2, got 4"),
        ("glu", {"axis": 0}, "glu: expected an even size of x along axis 0, got 3"),
    ],
)
def test_bad_axes_are_the_same_op_error_everywhere(op, kwargs, expected):
    messages = set()
    for name in BACKENDS:
        ns = namespace(name)
        x = t(ns, np.ones((3, 4)) if op == "glu" and kwargs["axis"] == 0 else np.ones((2, 4)))
        messages.add(_message(ns, op, x, **kwargs))
    assert len(messages) == 1, messages
    message = messages.pop()
    assert message.startswith(expected), message
    assert "received x of shape" in message


# -- every op on every backend ------------------------------------------------------------------


@pytest.mark.parametrize("backend_name", BACKENDS)
def test_every_op_is_declared_and_native(backend_name):
    coverage = contract.coverage(kcore.backend.get_backend(backend_name))
    assert set(COMPOSITES) <= set(OPS)
    assert {name: coverage[name] for name in OPS} == dict.fromkeys(OPS, "native")


def test_public_in_both_namespaces():
    for name in OPS:
        assert contract.SPECS[name].namespace == "nn"
        assert getattr(kcore.ops, name) is getattr(kcore.ops.nn, name)


# -- composites -------------------------------------------------------------------------------


def _cases_of(spec, backend_name):
    supported = frozenset(kcore.backend.get_backend(backend_name).capabilities.dtypes)
    rng = np.random.default_rng(zlib.crc32(spec.name.encode()))
    return spec.cases(spec, rng, supported)


def _composite_namespace(backend_name):
    return namespace_without(backend_name, COMPOSITES)


@pytest.mark.parametrize("backend_name", BACKENDS)
@pytest.mark.parametrize("name", COMPOSITES)
def test_composite_matches_the_reference(backend_name, name):
    spec = contract.SPECS[name]
    composite = _composite_namespace(backend_name)
    reference = namespace("numpy")
    for case in _cases_of(spec, backend_name):
        expected = np.asarray(getattr(reference, name)(*case.args, **case.kwargs))
        args = [
            composite.convert_to_tensor(a) if isinstance(a, np.ndarray) else a for a in case.args
        ]
        got = getattr(composite, name)(*args, **case.kwargs)
        assert composite.dtype(got) == expected.dtype.name, case.id
        rtol, atol = tolerances.forward(name, expected.dtype.name)
        np.testing.assert_allclose(
            n(composite, got), expected, rtol=max(rtol, 1e-6), atol=max(atol, 1e-7), err_msg=case.id
        )


DIFFERENTIABLE = [name for name in COMPOSITES if contract.SPECS[name].grad and name != "threshold"]


@pytest.mark.parametrize("backend_name", TRAINABLE)
@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_composite_gradient_matches_the_native_one(backend_name, name):
    backend = kcore.backend.get_backend(backend_name)
    native = namespace(backend_name)
    composite = _composite_namespace(backend_name)
    case = next(
        c for c in _cases_of(contract.SPECS[name], backend_name) if c.id.startswith("float32-2x")
    )
    x = native.convert_to_tensor(case.args[0])

    def gradient(ns):
        (g,) = backend.gradient(lambda v: ns.sum(ns.square(getattr(ns, name)(v))), x)
        return n(ns, g)

    np.testing.assert_allclose(gradient(composite), gradient(native), rtol=1e-4, atol=1e-5)
