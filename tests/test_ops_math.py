"""Math ops beyond what the conformance suite can say: errors naming the op, empty
segments and inferred segment counts, ties in ``top_k``/``in_top_k``, special values of
the error functions and ``logdet``, ``rearrange`` patterns, traced calls, and every
composite fallback against the NumPy reference, on every installed backend.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from ops_helpers import (
    BACKENDS,
    TRAINABLE,
    composites_of,
    n,
    namespace,
    namespace_without,
    op_error_message,
    t,
)

import kcore
from kcore.errors import OpError
from kcore.keras_tensor import KerasTensor
from kcore.ops import contract
from kcore.ops import math as declarations
from kcore.testing import tolerances

OPS = (
    "segment_sum segment_max segment_min segment_prod top_k in_top_k logsumexp rsqrt erf "
    "erfc erfinv logdet cdist rearrange view_as_complex view_as_real"
).split()
SEGMENTS = ["segment_sum", "segment_max", "segment_min", "segment_prod"]
COMPOSITES = composites_of(declarations.__name__)


# -- errors name the op, the expectation and what came ---------------------------------------


@pytest.mark.parametrize("name", SEGMENTS)
def test_segment_ids_out_of_range(ns, name):
    data = t(ns, [1.0, 2.0, 3.0, 4.0])
    message = op_error_message(getattr(ns, name), data, t(ns, [0, 5, 1, 1], "int32"), 3)
    assert message.startswith(f"{name}: expected segment ids in [0, 3), got ids from 0 to 5;")
    assert "received data of shape (4,) and dtype float32" in message
    message = op_error_message(getattr(ns, name), data, t(ns, [0, -1, 1, 1], "int32"), 3)
    assert message.startswith(f"{name}: expected segment ids in [0, 3), got ids from -1 to 1;")
    # Without num_segments, the count is max + 1: only negative ids are out of range.
    message = op_error_message(getattr(ns, name), data, t(ns, [0, -1, 1, 1], "int32"))
    assert message.startswith(f"{name}: expected segment ids in [0, 2), got ids from -1 to 1;")


@pytest.mark.parametrize("name", SEGMENTS)
def test_segment_ids_must_match_the_rows(ns, name):
    message = op_error_message(
        getattr(ns, name), t(ns, np.ones((4, 2))), t(ns, [0, 1, 1], "int32"), 2
    )
    assert message.startswith(f"{name}: expected segment_ids with as many ids as data has rows")
    assert "segment_ids of shape (3,) and dtype int32" in message


def test_segment_count_is_required_when_jax_traces():
    if "jax" not in BACKENDS:
        pytest.skip("jax is not installed")
    import jax

    ns = namespace("jax")
    data, ids = t(ns, [1.0, 2.0, 3.0]), t(ns, [0, 1, 1], "int32")
    with pytest.raises(OpError) as info:
        jax.jit(lambda d, i: ns.segment_sum(d, i))(data, ids)
    assert str(info.value).startswith(
        "segment_sum: expected num_segments is required when segment_ids are traced;"
    )
    # With the count, the traced call works (and drops nothing here).
    out = jax.jit(lambda d, i: ns.segment_sum(d, i, num_segments=2))(data, ids)
    assert n(ns, out).tolist() == [1.0, 5.0]


def test_segment_count_is_computed_when_tensorflow_traces():
    if "tensorflow" not in BACKENDS:
        pytest.skip("tensorflow is not installed")
    import tensorflow as tf

    ns = namespace("tensorflow")
    out = tf.function(lambda d, i: ns.segment_max(d, i))(
        t(ns, [1.0, 2.0, 3.0]), t(ns, [0, 2, 2], "int32")
    )
    assert n(ns, out).tolist() == [1.0, -np.inf, 3.0]


@pytest.mark.parametrize("k", [4, -1])
def test_top_k_with_k_out_of_range(ns, k):
    message = op_error_message(ns.top_k, t(ns, [[1.0, 2.0, 3.0]]), k)
    assert message.startswith(
        f"top_k: expected k in [0, 3] (the size of x's last dimension), got {k};"
    )
    assert "received x of shape (1, 3) and dtype float32, k=" in message


def test_top_k_of_a_scalar(ns):
    assert op_error_message(ns.top_k, t(ns, 1.0), 1).startswith("top_k: expected x of rank 1")


def test_view_as_complex_needs_pairs(ns):
    message = op_error_message(ns.view_as_complex, t(ns, np.ones((2, 3))))
    assert message.startswith(
        "view_as_complex: expected x with a last dimension of size 2 (real and imaginary parts);"
    )
    assert "received x of shape (2, 3) and dtype float32" in message


def test_matrix_and_pair_shapes(ns):
    message = op_error_message(ns.logdet, t(ns, np.ones((2, 3))))
    assert message.startswith("logdet: expected x of shape (..., n, n), square matrices;")
    message = op_error_message(ns.cdist, t(ns, np.ones((2, 3))), t(ns, np.ones((4, 2))))
    assert message.startswith("cdist: expected x and y with the same last dimension d, got 3 and 2")
    message = op_error_message(ns.in_top_k, t(ns, [0, 1], "int32"), t(ns, np.ones((3, 4))), 1)
    assert message.startswith("in_top_k: expected targets and predictions with the same batch")


@pytest.mark.parametrize(
    ("pattern", "lengths", "expected"),
    [
        ("b h w", {}, "a pattern 'left -> right'"),
        ("b h w -> b h", {}, "the same axis names on both sides"),
        ("b h h -> b h", {}, "each axis name once per side"),
        ("b (h w -> b h w", {}, "balanced parentheses"),
        ("b ... -> b ...", {}, "axis names, '(' and ')' in the pattern, got '...'"),
        ("b h -> b h", {}, "a tensor of rank 2 for the pattern 'b h -> b h', got rank 3"),
    ],
)
def test_rearrange_refuses_bad_patterns(ns, pattern, lengths, expected):
    message = op_error_message(ns.rearrange, t(ns, np.zeros((2, 3, 4))), pattern, **lengths)
    assert message.startswith(f"rearrange: expected {expected}"), message


def test_rearrange_needs_lengths_to_split(ns):
    message = op_error_message(ns.rearrange, t(ns, np.zeros((2, 6))), "b (h w) -> b h w")
    assert message.startswith("rearrange: ")
    assert "lengths for all but one of the axes ['h', 'w']" in message
    message = op_error_message(ns.rearrange, t(ns, np.zeros((2, 6))), "b (h w) -> b h w", h=4)
    assert "divisible" in message


# -- segments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "empty"),
    [
        ("float32", {"segment_sum": 0, "segment_max": -np.inf, "segment_min": np.inf}),
        (
            "int32",
            {"segment_sum": 0, "segment_max": -(2**31), "segment_min": 2**31 - 1},
        ),
    ],
)
def test_empty_segments_hold_the_identity(ns, dtype, empty):
    data = t(ns, [[1, 2], [3, 4], [5, 6]], dtype)
    ids = t(ns, [0, 0, 2], "int32")
    for name, fill in {**empty, "segment_prod": 1}.items():
        out = getattr(ns, name)(data, ids, num_segments=4)
        assert ns.dtype(out) == dtype
        got = n(ns, out)
        assert got[1].tolist() == [fill, fill] and got[3].tolist() == [fill, fill], name
    assert n(ns, ns.segment_sum(data, ids, 4))[0].tolist() == [4, 6]
    assert n(ns, ns.segment_max(data, ids, 4))[0].tolist() == [3, 4]
    assert n(ns, ns.segment_min(data, ids, 4))[2].tolist() == [5, 6]
    assert n(ns, ns.segment_prod(data, ids, 4))[0].tolist() == [3, 8]


def test_segment_count_defaults_to_the_largest_id(ns):
    out = ns.segment_sum(t(ns, [1.0, 2.0, 3.0]), t(ns, [3, 0, 3], "int64"), sorted=False)
    assert n(ns, out).tolist() == [2.0, 0.0, 0.0, 4.0]
    empty = ns.segment_sum(t(ns, np.zeros((0, 2))), t(ns, np.zeros((0,)), "int32"))
    assert n(ns, empty).shape == (0, 2)


def test_segment_shapes_are_symbolic(ns):
    data, ids = KerasTensor((None, 3), "float32"), KerasTensor((None,), "int32")
    out = ns.segment_max(data, ids, num_segments=5)
    assert out.shape == (5, 3) and out.dtype == "float32"
    assert ns.segment_sum(data, ids).shape == (None, 3)


@pytest.mark.parametrize("name", SEGMENTS)
def test_segment_gradients_with_repeats_and_zeros(tns, name):
    # Rows 0 and 2 share segment 0 (with a zero for the product), row 1 is alone.
    values = np.array([[2.0, 0.0], [3.0, -1.0], [5.0, 4.0], [0.5, 0.0]], "float32")
    ids = np.array([0, 1, 0, 2], "int32")
    data = t(tns, values)
    weights = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], "float32")
    (grad,) = tns.backend.gradient(
        lambda d: tns.sum(tns.multiply(getattr(tns, name)(d, t(tns, ids, "int32"), 3), weights)),
        data,
    )
    upstream = weights[ids]
    if name == "segment_sum":
        expected = upstream
    elif name == "segment_prod":
        # Product of the others in the row's segment (segment 2's only row: 1).
        others = np.array([[5.0, 4.0], [1.0, 1.0], [2.0, 0.0], [1.0, 1.0]], "float32")
        expected = upstream * others
    else:
        pick = np.argmax if name == "segment_max" else np.argmin
        expected = np.zeros_like(values)
        for s in range(3):
            rows = np.flatnonzero(ids == s)
            for column in range(2):
                chosen = rows[pick(values[rows, column])]
                expected[chosen, column] = weights[s, column]
    np.testing.assert_allclose(n(tns, grad), expected, rtol=1e-6)


# -- ranking ---------------------------------------------------------------------------------


def test_top_k_orders_ties_by_index_and_sorts_always(ns):
    x = t(ns, [[1.0, 3.0, 1.0, 2.0, 3.0], [0.0, -1.0, 5.0, 4.0, 6.0]])
    for flag in (True, False):
        values, indices = ns.top_k(x, 3, sorted=flag)
        assert ns.dtype(indices) == "int32"
        assert n(ns, values).tolist() == [[3.0, 3.0, 2.0], [6.0, 5.0, 4.0]]
        assert n(ns, indices).tolist() == [[1, 4, 3], [4, 2, 3]]
    values, indices = ns.top_k(x, 0)
    assert n(ns, values).shape == (2, 0) and n(ns, indices).shape == (2, 0)


def test_in_top_k_counts_ties_in(ns):
    targets = t(ns, [2, 0, 1, 3], "int32")
    predictions = t(
        ns,
        [[0.1, 0.4, 0.6, 0.9], [0.5, 0.5, 0.5, 0.5], [0.9, 0.8, 0.8, 0.1], [0.1, 0.2, 0.3, 0.0]],
    )
    assert n(ns, ns.in_top_k(targets, predictions, 1)).tolist() == [False, True, False, False]
    assert n(ns, ns.in_top_k(targets, predictions, 2)).tolist() == [True, True, True, False]
    assert ns.dtype(ns.in_top_k(targets, predictions, 2)) == "bool"


# -- special values --------------------------------------------------------------------------


def test_logsumexp_special_values(ns):
    x = t(ns, [[1000.0, 1000.0], [-np.inf, -np.inf], [-np.inf, 0.0]])
    np.testing.assert_allclose(
        n(ns, ns.logsumexp(x, axis=1)), [1000.0 + np.log(2.0), -np.inf, 0.0], rtol=1e-6
    )
    out = ns.logsumexp(t(ns, [[1, 2], [3, 4]], "int32"), axis=0, keepdims=True)
    assert ns.dtype(out) == "float32" and n(ns, out).shape == (1, 2)


def test_error_functions_at_their_edges(ns):
    edges = n(ns, ns.erfinv(t(ns, [-1.0, 1.0, 0.0, 1.5, -2.0])))
    assert edges[:3].tolist() == [-np.inf, np.inf, 0.0] and np.isnan(edges[3:]).all()
    wide = "float64" if "float64" in ns.backend.capabilities.dtypes else "float32"
    np.testing.assert_allclose(
        n(ns, ns.erf(ns.erfinv(t(ns, [-0.99, -0.3, 0.2, 0.999], wide)))),
        np.array([-0.99, -0.3, 0.2, 0.999], wide),
        rtol=1e-12 if wide == "float64" else 1e-6,
    )
    # erfc keeps its precision where it is tiny (1 - erf would give 0).
    np.testing.assert_allclose(
        n(ns, ns.erfc(t(ns, [5.0, 9.0]))),
        [1.5374597944280349e-12, 4.1370317465138102e-37],
        rtol=1e-5,
    )
    assert n(ns, ns.erf(t(ns, [np.inf, -np.inf]))).tolist() == [1.0, -1.0]
    assert n(ns, ns.rsqrt(t(ns, [0.0, 4.0]))).tolist() == [np.inf, 0.5]
    assert ns.dtype(ns.erfinv(t(ns, [0], "int32"))) == "float32"


def test_logdet_of_negative_and_singular_determinants(ns):
    x = t(ns, [[[0.0, 1.0], [1.0, 0.0]], [[1.0, 2.0], [2.0, 4.0]], [[2.0, 0.0], [0.0, 3.0]]])
    out = n(ns, ns.logdet(x))
    assert np.isnan(out[0]) and out[1] == -np.inf
    np.testing.assert_allclose(out[2], np.log(6.0), rtol=1e-6)
    assert ns.dtype(ns.logdet(t(ns, np.eye(2), "int32"))) == "float32"


def test_cdist_is_euclidean_and_broadcasts_batches(ns):
    x = t(ns, [[[0.0, 0.0], [1.0, 1.0]]])
    y = t(ns, [[[1.0, 0.0], [0.0, 1.0], [3.0, 4.0]], [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]])
    out = n(ns, ns.cdist(x, y))
    assert out.shape == (2, 2, 3)
    np.testing.assert_allclose(out[0], [[1.0, 1.0, 5.0], [1.0, 1.0, np.sqrt(13.0)]], rtol=1e-6)
    np.testing.assert_allclose(
        out[1], [[0.0, np.sqrt(2.0), 0.0], [np.sqrt(2.0), 0.0, np.sqrt(2.0)]], rtol=1e-6
    )


def test_complex_views_round_trip(ns):
    pairs = t(ns, [[1.0, 2.0], [3.0, -4.0]], "float64")
    z = ns.view_as_complex(pairs)
    assert ns.dtype(z) == "complex64"  # as Keras 3, whatever the float width
    assert n(ns, z).tolist() == [1 + 2j, 3 - 4j]
    back = ns.view_as_real(z)
    assert ns.dtype(back) == "float32" and n(ns, back).tolist() == [[1.0, 2.0], [3.0, -4.0]]
    real = ns.view_as_real(t(ns, [1.5, -2.0]))
    assert n(ns, real).tolist() == [[1.5, 0.0], [-2.0, 0.0]]


# -- rearrange -------------------------------------------------------------------------------


def test_rearrange_matches_numpy(ns):
    x = np.arange(2 * 6 * 4, dtype="float32").reshape(2, 6, 4)
    cases = [
        ("b h w -> b (h w)", {}, x.reshape(2, 24)),
        ("b h w -> w b h", {}, x.transpose(2, 0, 1)),
        ("b (h h2) w -> b h h2 w", {"h2": 2}, x.reshape(2, 3, 2, 4)),
        ("b (h h2) w -> (b h) (w h2)", {"h": 3},
         x.reshape(2, 3, 2, 4).transpose(0, 1, 3, 2).reshape(6, 8)),
        ("b h w -> h (w b)", {"b": 2}, x.transpose(1, 2, 0).reshape(6, 8)),
    ]  # fmt: skip
    for pattern, lengths, expected in cases:
        got = ns.rearrange(t(ns, x), pattern, **lengths)
        np.testing.assert_array_equal(n(ns, got), expected, err_msg=pattern)


def test_rearrange_of_symbolic_tensors(ns):
    x = KerasTensor((None, 6, 4), "float32")
    assert ns.rearrange(x, "b h w -> b (h w)").shape == (None, 24)
    assert ns.rearrange(x, "b (h h2) w -> b h h2 w", h2=2).shape == (None, 3, 2, 4)
    assert ns.rearrange(x, "b h w -> w h b").shape == (4, 6, None)


# -- composites ------------------------------------------------------------------------------


def _cases_of(spec, backend_name):
    supported = frozenset(kcore.backend.get_backend(backend_name).capabilities.dtypes)
    rng = np.random.default_rng(zlib.crc32(spec.name.encode()))
    return spec.cases(spec, rng, supported)


def test_every_op_is_declared_with_keras_names():
    assert set(COMPOSITES) <= set(OPS)
    assert all(contract.SPECS[name].namespace == "math" for name in OPS)


@pytest.mark.parametrize("backend_name", BACKENDS)
def test_every_op_is_there(backend_name):
    coverage = contract.coverage(kcore.backend.get_backend(backend_name))
    assert [name for name in OPS if coverage[name] == "missing"] == []


@pytest.mark.parametrize("backend_name", BACKENDS)
@pytest.mark.parametrize("name", COMPOSITES)
def test_composite_matches_the_reference(backend_name, name):
    spec = contract.SPECS[name]
    composite = namespace_without(backend_name, COMPOSITES)
    reference = namespace("numpy")
    for case in _cases_of(spec, backend_name):
        expected = getattr(reference, name)(*case.args, **case.kwargs)
        args = [
            composite.convert_to_tensor(a) if isinstance(a, np.ndarray) else a for a in case.args
        ]
        got = getattr(composite, name)(*args, **case.kwargs)
        got_leaves = got if isinstance(got, tuple) else (got,)
        expected_leaves = expected if isinstance(expected, tuple) else (expected,)
        for g, e in zip(got_leaves, expected_leaves, strict=True):
            e = np.asarray(e)
            assert composite.dtype(g) == e.dtype.name, case.id
            rtol, atol = tolerances.forward(name, e.dtype.name)
            np.testing.assert_allclose(
                n(composite, g), e, rtol=max(rtol, 1e-6), atol=atol, equal_nan=True,
                err_msg=case.id,
            )  # fmt: skip


@pytest.mark.parametrize("backend_name", TRAINABLE)
@pytest.mark.parametrize("name", ["logsumexp", "rsqrt", "erfc", "erfinv", "cdist", "top_k"])
def test_composite_gradient_matches_the_native_one(backend_name, name):
    backend = kcore.backend.get_backend(backend_name)
    native = namespace(backend_name)
    composite = namespace_without(backend_name, COMPOSITES)
    case = next(
        c for c in _cases_of(contract.SPECS[name], backend_name) if c.grad and "float32" in c.id
    )
    tensors = [native.convert_to_tensor(a) for a in case.args if isinstance(a, np.ndarray)]
    rest = [a for a in case.args if not isinstance(a, np.ndarray)]

    def gradient(ns):
        def total(*xs):
            out = getattr(ns, name)(*xs, *rest, **case.kwargs)
            return ns.sum(out[0] if isinstance(out, tuple) else out)

        return [n(ns, g) for g in backend.gradient(total, *tensors)]

    for c, nat in zip(gradient(composite), gradient(native), strict=True):
        np.testing.assert_allclose(c, nat, rtol=1e-4, atol=1e-5)
