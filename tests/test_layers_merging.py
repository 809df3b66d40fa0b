"""The merging layers on the selected backend: the layer kit with list inputs, values
against NumPy, broadcasting and ``compute_output_shape`` with unknown dimensions, the
functional forms, masks, Keras 3's config keys, and the errors."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import kcore
from kcore import layers, ops
from kcore.dtypes import standardize_dtype
from kcore.testing.layers import run_layer_test

RNG = np.random.default_rng(0)


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _data(*shape, dtype="float32"):
    return RNG.standard_normal(size=shape).astype(dtype)


def _l2(x, axis):
    return x / np.sqrt(np.sum(x * x, axis=axis, keepdims=True))


# ------------------------------------------------------------------- the layer kit
KIT_CASES = [
    (layers.Add, {}, [(2, 3), (2, 3)], (2, 3)),
    (layers.Add, {}, [(2, 3, 4), (2, 4), (2, 1, 4)], (2, 3, 4)),
    (layers.Subtract, {}, [(2, 3, 4), (2, 3, 4)], (2, 3, 4)),
    (layers.Multiply, {}, [(2, 3), (2, 1), (2, 3)], (2, 3)),
    (layers.Average, {}, [(2, 3), (2, 3)], (2, 3)),
    (layers.Maximum, {}, [(2, 4, 3), (2, 4, 3)], (2, 4, 3)),
    (layers.Minimum, {}, [(2, 3), (2, 3), (2, 3)], (2, 3)),
    (layers.Concatenate, {}, [(2, 3, 2), (2, 3, 4)], (2, 3, 6)),
    (layers.Concatenate, {"axis": 1}, [(2, 1, 4), (2, 3, 4)], (2, 4, 4)),
    (layers.Dot, {"axes": 1}, [(2, 4), (2, 4)], (2, 1)),
    (layers.Dot, {"axes": (1, 2), "normalize": True}, [(2, 4, 3), (2, 5, 4)], (2, 3, 5)),
    (layers.Dot, {"axes": -1}, [(2, 3, 4), (2, 4)], (2, 3)),
]


@pytest.mark.parametrize(
    "cls, kwargs, input_shape, output_shape",
    KIT_CASES,
    ids=[f"{c.__name__}-{i}" for i, (c, *_rest) in enumerate(KIT_CASES)],
)
def test_layer_kit(cls, kwargs, input_shape, output_shape):
    run_layer_test(
        cls,
        kwargs,
        input_shape=input_shape,
        expected_output_shape=output_shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        expected_num_losses=0,
        supports_masking=True,
        tolerance=1e-5,
    )


def test_layer_kit_with_input_data():
    a, b = _data(2, 3), _data(2, 3)
    run_layer_test(
        layers.Add, {}, input_data=[a, b], expected_output=a + b, expected_output_shape=(2, 3)
    )


def test_int_inputs():
    a = np.arange(6, dtype="int32").reshape(2, 3)
    for cls, expected in (
        (layers.Add, "int32"),
        (layers.Maximum, "int32"),
        (layers.Concatenate, "int32"),
        (layers.Average, "float32"),
    ):
        out = cls()([a, a])
        assert standardize_dtype(out.dtype) == expected, cls.__name__
        symbolic = cls()([kcore.KerasTensor((None, 3), "int32")] * 2)
        assert symbolic.dtype == expected, cls.__name__
    np.testing.assert_array_equal(_np(layers.Add()([a, a])), a + a)


# ----------------------------------------------------------------------- values
def test_elementwise_values():
    a, b, c = _data(2, 3, 4), _data(2, 3, 4), _data(2, 3, 4)
    np.testing.assert_allclose(_np(layers.Add()([a, b, c])), a + b + c, rtol=1e-6)
    np.testing.assert_allclose(_np(layers.Subtract()([a, b])), a - b, rtol=1e-6)
    np.testing.assert_allclose(_np(layers.Multiply()([a, b, c])), a * b * c, rtol=1e-6)
    np.testing.assert_allclose(_np(layers.Average()([a, b, c])), (a + b + c) / 3, rtol=1e-6)
    np.testing.assert_array_equal(_np(layers.Maximum()([a, b, c])), np.maximum(np.maximum(a, b), c))
    np.testing.assert_array_equal(_np(layers.Minimum()([a, b, c])), np.minimum(np.minimum(a, b), c))


def test_lower_rank_inputs_broadcast_after_the_batch_axis():
    a, b = _data(2, 3, 4), _data(2, 4)
    np.testing.assert_allclose(_np(layers.Add()([a, b])), a + b[:, None, :], rtol=1e-6)
    np.testing.assert_allclose(_np(layers.Add()([b, a])), a + b[:, None, :], rtol=1e-6)
    c = _data(2, 3, 1)
    np.testing.assert_allclose(_np(layers.Multiply()([a, c])), a * c, rtol=1e-6)


def test_concatenate_values():
    a, b = _data(2, 3, 2), _data(2, 3, 4)
    np.testing.assert_array_equal(_np(layers.Concatenate()([a, b])), np.concatenate([a, b], -1))
    c = _data(2, 1, 2)
    out = layers.Concatenate(axis=1)([a, c])
    np.testing.assert_array_equal(_np(out), np.concatenate([a, c], 1))
    out = layers.Concatenate(axis=0)([a, a])
    np.testing.assert_array_equal(_np(out), np.concatenate([a, a], 0))


@pytest.mark.parametrize(
    "shapes, axes, subscripts",
    [
        ([(2, 4), (2, 4)], 1, None),
        ([(2, 5, 3), (2, 3, 4)], (2, 1), "bik,bkj->bij"),
        ([(2, 5, 3), (2, 5, 4)], 1, "bki,bkj->bij"),
        ([(2, 3, 4), (2, 4)], -1, "bik,bk->bi"),
        ([(2, 4), (2, 4, 3)], (1, 1), "bk,bkj->bj"),
        ([(2, 5, 3, 6), (2, 4, 3)], (2, 2), "bikm,bjk->bimj"),
        ([(2, 3, 2, 5), (2, 2, 4, 6)], (2, 1), "bikm,bkjn->bimjn"),
    ],
)
def test_dot_values(shapes, axes, subscripts):
    x1, x2 = _data(*shapes[0]), _data(*shapes[1])
    out = _np(layers.Dot(axes=axes)([x1, x2]))
    if subscripts is None:
        expected = np.sum(x1 * x2, axis=1, keepdims=True)
    else:
        expected = np.einsum(subscripts, x1, x2)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    assert layers.Dot(axes=axes).compute_output_shape(shapes) == expected.shape


def test_dot_normalize_is_cosine_similarity():
    x1, x2 = _data(3, 5), _data(3, 5)
    out = _np(layers.Dot(axes=1, normalize=True)([x1, x2]))
    expected = np.sum(_l2(x1, 1) * _l2(x2, 1), axis=1, keepdims=True)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    x1, x2 = _data(2, 4, 3), _data(2, 4, 5)
    out = _np(layers.Dot(axes=1, normalize=True)([x1, x2]))
    expected = np.einsum("bki,bkj->bij", _l2(x1, 1), _l2(x2, 1))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------ compute_output_shape
@pytest.mark.parametrize(
    "layer, shapes, expected",
    [
        (layers.Add(), [(None, 3), (None, 3)], (None, 3)),
        (layers.Add(), [(None, 3, 4), (None, 4)], (None, 3, 4)),
        (layers.Add(), [(None, 3, 4), (5, None, 4)], (5, None, 4)),
        (layers.Multiply(), [(None, 1, 4), (None, 3, 1)], (None, 3, 4)),
        (layers.Maximum(), [(None, None, 4), (None, 3, 4)], (None, None, 4)),
        (layers.Subtract(), [(2, 3), (2, 1)], (2, 3)),
        (layers.Concatenate(), [(None, 3, 4), (None, 3, None)], (None, 3, None)),
        (layers.Concatenate(axis=1), [(None, 3, 4), (None, 2, 4)], (None, 5, 4)),
        (layers.Concatenate(axis=1), [(None, None, 4), (None, 2, 4)], (None, None, 4)),
        (layers.Dot(axes=1), [(None, 3), (None, 3)], (None, 1)),
        (layers.Dot(axes=(2, 1)), [(None, 5, 3), (None, 3, None)], (None, 5, None)),
        (layers.Dot(axes=-1), [(None, None, 4), (None, 4)], (None, None)),
    ],
)
def test_compute_output_shape_with_unknown_dims(layer, shapes, expected):
    assert layer.compute_output_shape(shapes) == expected
    out = layer([kcore.KerasTensor(s) for s in shapes])
    assert out.shape == expected


# ---------------------------------------------------------------- functional forms
@pytest.mark.parametrize(
    "function, cls, reference",
    [
        (layers.add, layers.Add, lambda a, b: a + b),
        (layers.subtract, layers.Subtract, lambda a, b: a - b),
        (layers.multiply, layers.Multiply, lambda a, b: a * b),
        (layers.average, layers.Average, lambda a, b: (a + b) / 2),
        (layers.maximum, layers.Maximum, np.maximum),
        (layers.minimum, layers.Minimum, np.minimum),
        (layers.concatenate, layers.Concatenate, lambda a, b: np.concatenate([a, b], -1)),
        (layers.dot, layers.Dot, lambda a, b: np.sum(a * b, -1, keepdims=True)),
    ],
)
def test_functional_forms(function, cls, reference):
    a, b = _data(2, 3), _data(2, 3)
    np.testing.assert_allclose(_np(function([a, b])), reference(a, b), rtol=1e-5, atol=1e-6)
    x1, x2 = kcore.Input(shape=(3,)), kcore.Input(shape=(3,))
    out = function([x1, x2], name=f"merged_{cls.__name__.lower()}")
    layer = out._keras_history[0]
    assert type(layer) is cls and layer.name == f"merged_{cls.__name__.lower()}"
    assert out.shape == (None, *reference(a, b).shape[1:])


def _params(function):
    return [
        (p.name, p.default, p.kind.name) for p in inspect.signature(function).parameters.values()
    ]


def test_functional_signatures_match_keras():
    empty = inspect.Parameter.empty
    inputs, kwargs = ("inputs", empty, "POSITIONAL_OR_KEYWORD"), ("kwargs", empty, "VAR_KEYWORD")
    for name in ("add", "subtract", "multiply", "average", "maximum", "minimum"):
        assert _params(getattr(layers, name)) == [inputs, kwargs]
    assert _params(layers.concatenate) == [inputs, ("axis", -1, "POSITIONAL_OR_KEYWORD"), kwargs]
    assert _params(layers.dot) == [inputs, ("axes", -1, "POSITIONAL_OR_KEYWORD"), kwargs]
    assert layers.concatenate([_data(2, 3, 2), _data(2, 1, 2)], axis=1).shape[1] == 4
    assert tuple(layers.dot([_data(2, 3, 4), _data(2, 3, 5)], axes=1).shape) == (2, 4, 5)


def test_merge_in_a_functional_model():
    x1, x2 = kcore.Input(shape=(3,)), kcore.Input(shape=(3,))
    outputs = layers.concatenate([layers.add([x1, x2]), layers.multiply([x1, x2])])
    model = kcore.Model([x1, x2], outputs)
    a, b = _data(2, 3), _data(2, 3)
    np.testing.assert_allclose(_np(model([a, b])), np.concatenate([a + b, a * b], -1), rtol=1e-6)


# ---------------------------------------------------------------------- masks
MASK1 = np.array([[True, False, True, False]])
MASK2 = np.array([[False, False, True, True]])


def _masked_pair():
    x = np.arange(8, dtype="float32").reshape(1, 4, 2)
    y = np.full((1, 4, 2), 10.0, "float32")
    return x, y


@pytest.mark.parametrize(
    "cls",
    [layers.Add, layers.Subtract, layers.Multiply, layers.Average, layers.Maximum, layers.Minimum],
)
def test_compute_mask_is_the_or_of_the_masks(cls):
    x, y = _masked_pair()
    mask = cls().compute_mask([x, y], [MASK1, MASK2])
    np.testing.assert_array_equal(_np(mask), MASK1 | MASK2)
    assert cls().compute_mask([x, y], [MASK1, None]) is None
    assert cls().compute_mask([x, y], None) is None


def test_masked_values_as_keras():
    x, y = _masked_pair()
    masks = [ops.convert_to_tensor(MASK1), ops.convert_to_tensor(MASK2)]
    # Masked-out entries never win a maximum or a minimum.
    out = _np(layers.Maximum()([x, y], mask=masks))
    np.testing.assert_array_equal(out[0], [[0, 1], [2, 3], [10, 10], [10, 10]])
    out = _np(layers.Minimum()([x, y], mask=masks))
    np.testing.assert_array_equal(out[0], [[0, 1], [2, 3], [4, 5], [10, 10]])
    # In a product they count as 1; the output is 0 where every input is masked out.
    out = _np(layers.Multiply()([x, y], mask=masks))
    np.testing.assert_array_equal(out[0], [[0, 1], [0, 0], [40, 50], [10, 10]])
    # Add and Average ignore the masks for the values.
    np.testing.assert_array_equal(_np(layers.Add()([x, y], mask=masks)), x + y)
    # With a mask on one input only.
    out = _np(layers.Maximum()([x, y], mask=[masks[0], None]))
    np.testing.assert_array_equal(out, np.full((1, 4, 2), 10.0))
    out = _np(layers.Multiply()([x, y], mask=[masks[0], None]))
    np.testing.assert_array_equal(out[0], [[0, 10], [10, 10], [40, 50], [10, 10]])


def test_concatenate_mask():
    x, y = _masked_pair()
    layer = layers.Concatenate(axis=1)
    mask = _np(layer.compute_mask([x, y], [MASK1, None]))
    np.testing.assert_array_equal(mask, np.concatenate([MASK1, np.ones((1, 4), bool)], 1))
    mask = _np(layers.Concatenate().compute_mask([x, y], [MASK1, MASK2]))
    np.testing.assert_array_equal(mask, MASK1 | MASK2)
    assert layer.compute_mask([x, y], [None, None]) is None
    assert layers.Dot(axes=1).compute_mask([x, y], [MASK1, MASK2]) is None


class _MaskNonZero(kcore.layers.Layer):
    """Masks the steps whose features are all 0 (a minimal ``Masking``)."""

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_mask(self, inputs, previous_mask):
        return ops.any(ops.not_equal(inputs, 0), axis=-1)


def test_masks_flow_through_the_functional_api():
    x1, x2 = kcore.Input(shape=(4, 2)), kcore.Input(shape=(4, 2))
    m1, m2 = _MaskNonZero()(x1), _MaskNonZero()(x2)
    assert m1._keras_mask.shape == (None, 4)
    assert layers.Add()([m1, m2])._keras_mask.shape == (None, 4)
    assert layers.Concatenate(axis=1)([m1, m2])._keras_mask.shape == (None, 8)
    assert layers.Concatenate()([m1, m2])._keras_mask.shape == (None, 4)
    assert getattr(layers.Dot(axes=2)([m1, m2]), "_keras_mask", None) is None
    model = kcore.Model([x1, x2], layers.Maximum()([m1, m2]))
    x = np.array([[[1, 2], [0, 0], [5, 6], [0, 0]]], "float32")
    y = np.array([[[0, 0], [0, 0], [1, 1], [-1, -2]]], "float32")
    # Masked-out steps of x (1, 3) and y (0, 1) never win the maximum.
    expected = [[1, 2], [0, 0], [5, 6], [-1, -2]]
    np.testing.assert_array_equal(_np(model([x, y]))[0], expected)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: layers.Add().compute_mask([1, 2], m),
        lambda m: layers.Concatenate().compute_mask([1, 2], m),
    ],
)
def test_mask_list_errors(make):
    with pytest.raises(ValueError, match="mask"):
        make(MASK1)
    with pytest.raises(ValueError, match="same length"):
        make([MASK1])


# --------------------------------------------------------------------- config
@pytest.mark.parametrize(
    "layer, expected",
    [
        (layers.Add(), {}),
        (layers.Subtract(), {}),
        (layers.Multiply(), {}),
        (layers.Average(), {}),
        (layers.Maximum(), {}),
        (layers.Minimum(), {}),
        (layers.Concatenate(), {"axis": -1}),
        (layers.Concatenate(axis=1), {"axis": 1}),
        (layers.Dot(axes=1), {"axes": 1, "normalize": False}),
        (layers.Dot(axes=(1, 2), normalize=True), {"axes": (1, 2), "normalize": True}),
    ],
)
def test_config_matches_keras(layer, expected):
    config = layer.get_config()
    assert set(config) - {"name", "trainable", "dtype"} == set(expected)
    assert {k: config[k] for k in expected} == expected
    assert type(layer).from_config(config).get_config() == config


# --------------------------------------------------------------------- errors
def test_incompatible_shapes_name_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match=r"'my_add'.*\(3,\) and \(4,\)"):
        layers.Add(name="my_add")([_data(2, 3), _data(2, 4)])
    with pytest.raises(ValueError, match=r"Maximum.*\(3,\) and \(4,\)"):
        layers.Maximum()([kcore.KerasTensor((None, 3)), kcore.KerasTensor((None, 4))])
    with pytest.raises(ValueError, match="incompatible shapes"):
        layers.Multiply().compute_output_shape([(None, 2, 3), (None, 3, 3)])
    with pytest.raises(ValueError, match="different batch sizes"):
        layers.Add()([_data(2, 3), _data(3, 3)])


def test_not_a_list():
    with pytest.raises(ValueError, match=r"'add_single'.*list"):
        layers.Add(name="add_single")(_data(2, 3))
    with pytest.raises(ValueError, match="list"):
        layers.Add()([])
    with pytest.raises(ValueError, match="list"):
        layers.Concatenate()(_data(2, 3))


def test_single_input_is_returned_as_keras():
    # Keras 3 merges a list of one input (a list of at least 1 input is required).
    a = _data(2, 3)
    np.testing.assert_array_equal(_np(layers.Add()([a])), a)


def test_subtract_needs_exactly_two_inputs():
    with pytest.raises(ValueError, match=r"'sub'.*exactly 2 inputs.*\(2, 3\)"):
        layers.Subtract(name="sub")([_data(2, 3)] * 3)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([kcore.KerasTensor((None, 3))])


def test_concatenate_errors():
    with pytest.raises(ValueError, match=r"matching shapes.*\(2, 3, 5\)"):
        layers.Concatenate(axis=1)([_data(2, 3, 5), _data(2, 4, 6)])
    with pytest.raises(ValueError, match="matching shapes"):
        layers.Concatenate()([_data(2, 3), _data(2, 3, 1)])
    with pytest.raises(ValueError, match="out of range"):
        layers.Concatenate(axis=3)([_data(2, 3), _data(2, 3)])
    with pytest.raises(ValueError, match="axis"):
        layers.Concatenate(axis="last")


def test_dot_errors():
    with pytest.raises(ValueError, match=r"'d'.*3 \(at axis 1\) != 4"):
        layers.Dot(axes=1, name="d")([_data(2, 3), _data(2, 4)])
    with pytest.raises(ValueError, match="2 inputs"):
        layers.Dot(axes=1)([_data(2, 3)] * 3)
    with pytest.raises(ValueError, match="batch axis"):
        layers.Dot(axes=0)([_data(2, 3), _data(2, 3)])
    with pytest.raises(ValueError, match="two elements"):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="integers"):
        layers.Dot(axes=(1, "a"))
    with pytest.raises(TypeError, match="axes"):
        layers.Dot(axes="a")
    with pytest.raises(ValueError, match="axes"):
        layers.Dot(axes=None)
