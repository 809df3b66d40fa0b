"""Shape, joining, splitting, indexing and sorting ops beyond what the conformance
suite can say: errors naming the op, every pad mode, ``get_item`` keys, the ops
returning Python ints, and symbolic results of the data-dependent ops, on every
installed backend (against NumPy itself where NumPy defines the answer).
"""

from __future__ import annotations

import numpy as np
import pytest
from ops_helpers import TRAINABLE, n, namespace, op_error_message, t

import kcore
from kcore.keras_tensor import KerasTensor

# -- errors name the op ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda ns: ns.reshape(t(ns, np.ones((2, 3))), (4, 2)), ["reshape:", "6 elements"]),
        (lambda ns: ns.reshape(t(ns, np.ones((2, 3))), (4, -1)), ["reshape:", "6 elements"]),
        (
            lambda ns: ns.concatenate([t(ns, np.ones((2, 3))), t(ns, np.ones((2, 2)))], axis=0),
            ["concatenate:", "agree except along axis 0"],
        ),
        (
            lambda ns: ns.concatenate([t(ns, np.ones((2, 3))), t(ns, np.ones(3))]),
            ["concatenate:", "tensors of one rank"],
        ),
        (
            lambda ns: ns.concatenate([t(ns, np.ones((2, 3))), t(ns, np.ones((2, 3)))], axis=2),
            ["concatenate:", "axis in [-2, 2)"],
        ),
        (
            lambda ns: ns.stack([t(ns, np.ones((2, 3))), t(ns, np.ones((3, 2)))]),
            ["stack:", "tensors of one shape"],
        ),
        (
            lambda ns: ns.stack([t(ns, np.ones(2)), t(ns, np.ones(2))], axis=3),
            ["stack:", "axis in [-2, 2)"],
        ),
        (
            lambda ns: ns.take(t(ns, np.ones((2, 3))), t(ns, [0], "int32"), axis=2),
            ["take:", "[-2, 2)"],
        ),
        (lambda ns: ns.expand_dims(t(ns, np.ones((2, 3))), 3), ["expand_dims:", "[-3, 3)"]),
        (lambda ns: ns.flip(t(ns, np.ones((2, 3))), axis=2), ["flip:", "axis in [-2, 2)"]),
        (lambda ns: ns.squeeze(t(ns, np.ones((2, 3))), axis=0), ["squeeze:"]),
        (lambda ns: ns.sort(t(ns, np.ones((2, 3))), axis=-3), ["sort:", "axis in [-2, 2)"]),
        (lambda ns: ns.argsort(t(ns, np.ones((2, 3))), axis=5), ["argsort:", "axis in [-2, 2)"]),
        (lambda ns: ns.transpose(t(ns, np.ones((2, 3))), (0, 2)), ["transpose:", "permutation"]),
        (lambda ns: ns.split(t(ns, np.ones((2, 5))), 2, axis=1), ["split:", "divide axis 1"]),
        (lambda ns: ns.split(t(ns, np.ones((2, 4))), 2, axis=2), ["split:", "axis in [-2, 2)"]),
        (lambda ns: ns.broadcast_to(t(ns, np.ones(3)), (2, 2)), ["broadcast_to:", "(2, 2)"]),
        (lambda ns: ns.pad(t(ns, np.ones(3)), 1, mode="bogus"), ["pad:", "mode"]),
        (
            lambda ns: ns.pad(t(ns, np.ones(3)), 1, mode="edge", constant_values=1),
            ["pad:", "constant_values"],
        ),
        (lambda ns: ns.pad(t(ns, np.ones((2, 2))), ((1, 1),) * 3), ["pad:", "pair per axis"]),
        (lambda ns: ns.diagonal(t(ns, np.ones((2, 2))), axis1=3), ["diagonal:"]),
        (lambda ns: ns.searchsorted(t(ns, np.ones((2, 2))), t(ns, [1.0])), ["searchsorted:"]),
    ],
)
def test_bad_input_raises_an_op_error_naming_the_op(ns, call, words):
    message = op_error_message(call, ns)
    for word in words:
        assert word in message, message


# -- pad -------------------------------------------------------------------------------

PAD_MODES = "constant edge linear_ramp maximum mean median minimum reflect symmetric wrap".split()


@pytest.mark.parametrize("mode", PAD_MODES)
@pytest.mark.parametrize(
    "pad_width",
    [2, (1, 3), ((2, 1), (0, 2)), ((4, 5), (3, 1))],
    ids=["int", "pair", "axes", "wide"],
)
def test_pad_modes_match_numpy(ns, mode, pad_width):
    x = np.arange(12, dtype="float32").reshape(3, 4) * 0.5 - 1.0
    expected = np.pad(x, pad_width, mode=mode)
    got = n(ns, ns.pad(t(ns, x), pad_width, mode=mode))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode", ["edge", "maximum", "minimum", "reflect", "wrap", "constant"])
def test_pad_keeps_integer_dtypes(ns, mode):
    x = np.array([[1, 5, 2], [7, 3, 4]], dtype="int32")
    got = ns.pad(t(ns, x, "int32"), ((1, 1), (2, 1)), mode=mode)
    assert ns.dtype(got) == "int32"
    np.testing.assert_array_equal(n(ns, got), np.pad(x, ((1, 1), (2, 1)), mode=mode))


def test_pad_constant_values_and_circular(ns):
    x = np.array([1.0, 2.0, 3.0], dtype="float32")
    got = n(ns, ns.pad(t(ns, x), (2, 1), constant_values=-1.5))
    np.testing.assert_array_equal(got, [-1.5, -1.5, 1.0, 2.0, 3.0, -1.5])
    got = n(ns, ns.pad(t(ns, x), (2, 1), mode="circular"))
    np.testing.assert_array_equal(got, np.pad(x, (2, 1), mode="wrap"))
    assert n(ns, ns.pad(t(ns, x), 2, mode="empty")).shape == (7,)
    flags = np.array([True, False])
    got = n(ns, ns.pad(t(ns, flags, "bool"), 1, constant_values=True))
    np.testing.assert_array_equal(got, [True, True, False, True])


def test_pad_symbolic():
    out = kcore.ops.pad(KerasTensor((None, 3)), ((1, 2), (0, 1)), mode="reflect")
    assert out == KerasTensor((None, 4))


# -- get_item ----------------------------------------------------------------------------

_X = np.arange(24, dtype="float32").reshape(2, 3, 4)


@pytest.mark.parametrize(
    "key",
    [
        1,
        -1,
        slice(None),
        slice(None, None, -1),
        (slice(None), slice(2, 0, -1)),
        (0, slice(1, None), slice(None, None, 2)),
        (Ellipsis, 1),
        (Ellipsis, None, slice(1, 3)),
        (None, 1, Ellipsis),
        (slice(None), None, -1, 0),
        np.array([1, 0, 1], dtype="int32"),
        (slice(None), np.array([2, -1], dtype="int32")),
        (Ellipsis, np.array([[3], [0]], dtype="int32")),
        np.array([True, False]),
        (slice(None), np.array([True, False, True])),
    ],
    ids=lambda k: repr(k).replace(" ", ""),
)
def test_get_item_keys_match_numpy(ns, key):
    def convert(part):
        if isinstance(part, np.ndarray):
            return ns.convert_to_tensor(part)
        return part

    backend_key = tuple(convert(p) for p in key) if isinstance(key, tuple) else convert(key)
    got = ns.get_item(t(ns, _X), backend_key)
    np.testing.assert_array_equal(n(ns, got), _X[key])


# -- ops answering with Python ints, and data-dependent results ------------------------


def test_ndim_and_size_are_python_ints(ns):
    x = t(ns, np.ones((2, 3, 4)))
    assert ns.ndim(x) == 3 and type(ns.ndim(x)) is int
    assert ns.size(x) == 24 and type(ns.size(x)) is int
    assert ns.size(t(ns, 1.0)) == 1


def test_ndim_and_size_symbolic():
    assert kcore.ops.ndim(KerasTensor((None, 3))) == 2
    assert kcore.ops.size(KerasTensor((2, 3))) == 6
    assert kcore.ops.size(KerasTensor((None, 3))) is None


def test_data_dependent_ops_are_unknown_symbolically():
    x = KerasTensor((None, 3), "int32")
    rows, cols = kcore.ops.nonzero(x)
    assert rows == KerasTensor((None,), "int32") and cols == KerasTensor((None,), "int32")
    values, inverse, counts = kcore.ops.unique(x, return_inverse=True, return_counts=True)
    assert values == KerasTensor((None,), "int32")
    assert inverse == KerasTensor((None, 3), "int32")
    assert counts == KerasTensor((None,), "int32")
    assert kcore.ops.unique(x, size=4) == KerasTensor((4,), "int32")


def test_unique_with_size_pads_like_jax(ns):
    x = t(ns, [2, 2, 7, 1], "int32")
    values, index, counts = ns.unique(
        x, return_index=True, return_counts=True, size=5, fill_value=-1
    )
    np.testing.assert_array_equal(n(ns, values), [1, 2, 7, -1, -1])
    np.testing.assert_array_equal(n(ns, index), [3, 0, 2, 3, 3])
    np.testing.assert_array_equal(n(ns, counts), [1, 2, 1, 0, 0])
    np.testing.assert_array_equal(n(ns, ns.unique(x, size=5)), [1, 2, 7, 1, 1])


def test_argpartition_partitions(ns):
    x = np.array([[5.0, 1.0, 4.0, 2.0, 3.0], [0.5, 0.1, 0.3, 0.2, 0.4]], dtype="float32")
    index = n(ns, ns.argpartition(t(ns, x), 2, axis=-1))
    parted = np.take_along_axis(x, index, axis=-1)
    assert (parted[:, :2] <= parted[:, 2:3]).all() and (parted[:, 3:] >= parted[:, 2:3]).all()
    np.testing.assert_array_equal(parted[:, 2], np.sort(x, axis=-1)[:, 2])


def test_split_family_and_meshgrid_return_lists(ns):
    x = t(ns, np.arange(12.0).reshape(2, 6))
    for parts in (ns.split(x, 3, axis=1), ns.array_split(x, 4, axis=1), ns.hsplit(x, [1])):
        assert isinstance(parts, list)
    assert [tuple(p.shape) for p in ns.array_split(x, 4, axis=1)] == [
        (2, 2),
        (2, 2),
        (2, 1),
        (2, 1),
    ]
    grids = ns.meshgrid(t(ns, [1.0, 2.0]), t(ns, [3.0, 4.0, 5.0]))
    assert isinstance(grids, list) and [tuple(g.shape) for g in grids] == [(3, 2), (3, 2)]


def test_lists_of_python_numbers_are_taken(ns):
    np.testing.assert_array_equal(n(ns, ns.take(t(ns, [1.0, 2.0, 3.0]), [2, 0])), [3.0, 1.0])
    np.testing.assert_array_equal(n(ns, ns.concatenate([[1, 2], [3]])), [1, 2, 3])
    np.testing.assert_array_equal(n(ns, ns.repeat(t(ns, [1.0, 2.0]), [2, 1])), [1.0, 1.0, 2.0])


# -- gradients the conformance suite cannot take (lists in or out) ---------------------


@pytest.mark.parametrize("name", TRAINABLE)
def test_gradients_through_lists_of_tensors(name):
    ns = namespace(name)
    a, b = np.arange(6.0).reshape(2, 3), np.arange(4.0).reshape(2, 2) + 10
    w = np.random.default_rng(0).uniform(0.5, 1.5, (2, 5))

    def joined(x1, x2):
        parts = ns.split(ns.concatenate([x1, x2], axis=1), [3], axis=1)
        stacked = ns.stack([parts[0][:, :2], parts[1]], axis=0)  # (2, 2, 2)
        return ns.sum(ns.multiply(ns.hstack([x1, ns.reshape(stacked[1], (2, 2))]), t(ns, w)))

    g1, g2 = ns.backend.gradient(joined, t(ns, a), t(ns, b))
    np.testing.assert_allclose(n(ns, g1), w[:, :3], rtol=1e-6)
    np.testing.assert_allclose(n(ns, g2), w[:, 3:], rtol=1e-6)
