"""kcore.regularizers and kcore.constraints on the selected backend: values against
NumPy, argument checks, get/serialize/deserialize in Keras 3's format."""

from __future__ import annotations

import numpy as np
import pytest

from kcore import config, constraints, ops, regularizers

W = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]], dtype="float32")


def n(x):
    return np.asarray(ops.convert_to_numpy(x), dtype="float64")


def w():
    return ops.convert_to_tensor(W)


# -- regularizers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reg", "expected"),
    [
        (regularizers.L1(0.1), 0.1 * np.abs(W).sum()),
        (regularizers.L2(0.2), 0.2 * np.square(W).sum()),
        (regularizers.L1L2(0.1, 0.2), 0.1 * np.abs(W).sum() + 0.2 * np.square(W).sum()),
        (regularizers.L1L2(l2=0.3), 0.3 * np.square(W).sum()),
        (regularizers.L1L2(), 0.0),
    ],
    ids=["l1", "l2", "l1l2", "l2-only", "zero"],
)
def test_penalties(reg, expected):
    value = reg(w())
    assert tuple(value.shape) == ()
    assert n(value) == pytest.approx(expected, rel=1e-6)


def _orthogonal_penalty(x, factor, mode):
    x = x if mode == "rows" else x.T
    unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    product = unit @ unit.T
    size = product.shape[0]
    off = np.abs(product * (1 - np.eye(size))).sum()
    return factor * 0.5 * off / (size * (size - 1) / 2)


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_orthogonal_regularizer(mode):
    reg = regularizers.OrthogonalRegularizer(factor=0.3, mode=mode)
    assert n(reg(w())) == pytest.approx(_orthogonal_penalty(W.astype("float64"), 0.3, mode), 1e-5)
    assert n(reg(ops.eye(3))) == pytest.approx(0.0, abs=1e-7)
    with pytest.raises(ValueError, match="rank 2"):
        reg(ops.ones((2, 2, 2)))


@pytest.mark.parametrize(
    ("make", "word"),
    [
        (lambda: regularizers.L1(-1.0), "l1"),
        (lambda: regularizers.L2("x"), "l2"),
        (lambda: regularizers.L1L2(l2=float("nan")), "l2"),
        (lambda: regularizers.OrthogonalRegularizer(factor=-0.1), "factor"),
        (lambda: regularizers.OrthogonalRegularizer(mode="diagonal"), "mode"),
    ],
)
def test_bad_regularizer_arguments(make, word):
    with pytest.raises(ValueError, match=word):
        make()


def test_none_factors_take_defaults():
    assert regularizers.L1(None).l1 == 0.01
    assert regularizers.L2(None).l2 == 0.01
    assert regularizers.L1L2(None, None).get_config() == {"l1": 0.0, "l2": 0.0}


REGULARIZERS = [
    regularizers.L1(0.3),
    regularizers.L2(0.25),
    regularizers.L1L2(0.5, 0.125),
    regularizers.OrthogonalRegularizer(0.5, "columns"),
]


@pytest.mark.parametrize("reg", REGULARIZERS, ids=lambda r: type(r).__name__)
def test_regularizer_config_round_trip(reg):
    config_ = regularizers.serialize(reg)
    assert config_["module"] == "keras.regularizers"
    assert config_["class_name"] == type(reg).__name__
    again = regularizers.deserialize(config_)
    assert type(again) is type(reg) and again.get_config() == reg.get_config()
    assert regularizers.get(config_).get_config() == reg.get_config()


def test_regularizer_get():
    assert regularizers.get(None) is None
    assert type(regularizers.get("l1")) is regularizers.L1
    assert type(regularizers.get("L2")) is regularizers.L2
    assert type(regularizers.get("l1l2")) is regularizers.L1L2
    assert type(regularizers.get("orthogonal_regularizer")) is regularizers.OrthogonalRegularizer
    reg = regularizers.L2(0.5)
    assert regularizers.get(reg) is reg
    assert type(regularizers.get(regularizers.L1)) is regularizers.L1
    with pytest.raises(ValueError, match="regularizer identifier: l3"):
        regularizers.get("l3")
    assert regularizers.l1_l2 is regularizers.L1L2


def test_base_regularizer():
    import kcore

    assert kcore.Regularizer is regularizers.Regularizer
    assert regularizers.Regularizer()(w()) == 0.0
    with pytest.raises(NotImplementedError):
        regularizers.Regularizer().get_config()


# -- constraints --------------------------------------------------------------------------


def _norms(x, axis):
    return np.sqrt(np.sum(x**2, axis=axis, keepdims=True))


def test_max_norm():
    eps = config.epsilon()
    for axis in (0, 1):
        norms = _norms(W, axis)
        expected = W * (np.clip(norms, 0, 2.0) / (eps + norms))
        np.testing.assert_allclose(n(constraints.MaxNorm(2.0, axis=axis)(w())), expected, 1e-5)


def test_unit_norm_and_list_axis():
    eps = config.epsilon()
    np.testing.assert_allclose(n(constraints.UnitNorm()(w())), W / (eps + _norms(W, 0)), rtol=1e-5)
    out = n(constraints.UnitNorm(axis=[0, 1])(w()))
    np.testing.assert_allclose(np.sqrt((out**2).sum()), 1.0, rtol=1e-5)


def test_min_max_norm():
    eps = config.epsilon()
    norms = _norms(W, 0)
    desired = 0.5 * np.clip(norms, 1.0, 2.0) + 0.5 * norms
    np.testing.assert_allclose(
        n(constraints.MinMaxNorm(1.0, 2.0, rate=0.5)(w())),
        W * desired / (eps + norms),
        rtol=1e-5,
    )


def test_non_neg_and_base():
    np.testing.assert_array_equal(n(constraints.NonNeg()(w())), np.maximum(W, 0))
    np.testing.assert_array_equal(n(constraints.Constraint()(w())), W)
    assert constraints.Constraint().get_config() == {}


CONSTRAINTS = [
    constraints.MaxNorm(3, axis=1),
    constraints.MinMaxNorm(0.5, 1.5, 0.25, axis=[0, 1]),
    constraints.NonNeg(),
    constraints.UnitNorm(axis=1),
]


@pytest.mark.parametrize("constraint", CONSTRAINTS, ids=lambda c: type(c).__name__)
def test_constraint_config_round_trip(constraint):
    config_ = constraints.serialize(constraint)
    assert config_["module"] == "keras.constraints"
    assert config_["registered_name"] is None
    again = constraints.deserialize(config_)
    assert type(again) is type(constraint) and again.get_config() == constraint.get_config()


def test_constraint_get():
    assert constraints.get(None) is None
    assert type(constraints.get("max_norm")) is constraints.MaxNorm
    assert type(constraints.get("NonNeg")) is constraints.NonNeg
    assert type(constraints.get("unit_norm")) is constraints.UnitNorm
    assert type(constraints.get("min_max_norm")) is constraints.MinMaxNorm
    assert constraints.get(constraints.NonNeg) is not constraints.NonNeg
    assert constraints.get({"class_name": "MaxNorm", "config": {"max_value": 4}}).max_value == 4
    with pytest.raises(ValueError, match="constraint identifier: positive"):
        constraints.get("positive")
    assert constraints.max_norm is constraints.MaxNorm
