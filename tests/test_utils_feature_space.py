"""kcore.utils.FeatureSpace: adapt on a small dict dataset, encode, serialize; values
checked against Keras 3.15.1's output for the same data (recorded)."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import ops, utils

FS = utils.FeatureSpace
DATA = {
    "age": np.array([30.0, 40.0, 50.0]),
    "city": np.array(["a", "b", "a"]),
    "n": np.array([1, 2, 1]),
    "x": np.array([0.0, 1.0, 2.0]),
}
QUERY = {
    "age": np.array([40.0, 30.0]),
    "city": np.array(["b", "zz"]),
    "n": np.array([2, 5]),
    "x": np.array([3.0, 4.0]),
}
#: Keras 3.15.1 (tensorflow) on the same features, data and query.
KERAS_ENCODED = np.array(
    [
        [0.0, 0, 0, 1, 0, 0, 1, 3, 0, 0, 0, 1, 0, 0, 0, 0],
        [-1.2247449, 1, 0, 0, 1, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0],
    ],
    "float32",
)


def make_space(**kwargs):
    features = {
        "age": "float_normalized",
        "city": "string_categorical",
        "n": "integer_categorical",
        "x": "float",
    }
    return FS(features, crosses=[("city", "n")], crossing_dim=8, **kwargs)


def test_adapt_and_call_match_keras():
    space = make_space()
    space.adapt(DATA)
    out = space(QUERY)
    assert ops.is_tensor(out) and tuple(out.shape) == (2, 16)
    np.testing.assert_allclose(ops.convert_to_numpy(out), KERAS_ENCODED, rtol=1e-5, atol=1e-6)
    single = space({"age": 40.0, "city": "b", "n": 2, "x": 3.0})
    np.testing.assert_allclose(ops.convert_to_numpy(single), KERAS_ENCODED[0], rtol=1e-5, atol=1e-6)


def test_dict_output_and_int_encoding():
    space = FS(
        {
            "n": FS.integer_categorical(output_mode="int"),
            "h": FS.string_hashed(num_bins=4),
            "r": FS.float_rescaled(scale=2.0, offset=1.0),
        },
        output_mode="dict",
    )
    space.adapt({"n": [5, 6, 5], "h": ["p", "q", "p"], "r": [0.0, 1.0, 2.0]})
    out = space({"n": [6, 7], "h": ["p", "q"], "r": [1.0, 3.0]})
    assert sorted(out) == ["h", "n", "r"]
    assert ops.convert_to_numpy(out["n"]).ravel().tolist() == [2, 0]  # 5 -> 1, 6 -> 2, OOV 0
    np.testing.assert_allclose(ops.convert_to_numpy(out["r"]).ravel(), [3.0, 7.0])
    hashed = ops.convert_to_numpy(out["h"])
    assert hashed.shape == (2, 4) and hashed.sum(axis=1).tolist() == [1.0, 1.0]


def test_discretized_feature_bins():
    space = FS({"v": FS.float_discretized(num_bins=2)})
    space.adapt({"v": np.arange(10.0)})
    out = ops.convert_to_numpy(space({"v": [0.0, 9.0]}))
    np.testing.assert_array_equal(out, [[1, 0], [0, 1]])


def test_adapt_accepts_an_iterable_of_dict_batches():
    space = FS({"v": "float_normalized"})
    space.adapt([{"v": np.array([0.0, 2.0])}, {"v": np.array([4.0])}])
    out = ops.convert_to_numpy(space({"v": [2.0, 4.0]}))
    np.testing.assert_allclose(out.ravel(), [0.0, 2.0 / np.sqrt(8.0 / 3.0)], rtol=1e-5)


def test_errors_are_clear():
    space = make_space()
    with pytest.raises(ValueError, match=r"call \.adapt\(dataset\)"):
        space(QUERY)
    with pytest.raises(ValueError, match="unknown type 'floaty'"):
        FS({"a": "floaty"})
    with pytest.raises(ValueError, match="names features \\['b'\\]"):
        FS({"a": "float"}, crosses=[("a", "b")])
    space.adapt(DATA)
    with pytest.raises(ValueError, match="no values for features \\['x'\\]"):
        space({k: v for k, v in QUERY.items() if k != "x"})
    with pytest.raises(ValueError, match="hold strings"):
        space.get_inputs()
    bad = FS({"n": FS.integer_categorical(output_mode="int")})
    bad.adapt({"n": [1, 2]})
    with pytest.raises(ValueError, match="cannot concatenate feature 'n'"):
        bad({"n": [1]})


def test_encoded_features_for_a_model():
    space = make_space()
    space.adapt(DATA)
    encoded = space.get_encoded_features()
    assert utils.is_keras_tensor(encoded) and encoded.shape == (None, 16)
    numeric = FS({"x": "float", "n": "integer_categorical"})
    numeric.adapt({"x": [1.0, 2.0], "n": [3, 4]})
    inputs = numeric.get_inputs()
    outputs = numeric.get_encoded_features()
    assert sorted(inputs) == ["n", "x"] and outputs.shape == (None, 4)
    model = kcore.Model(inputs, outputs)
    result = model({"x": np.array([[5.0]], "float32"), "n": np.array([[4]], "int32")})
    # Keras's vocabulary for the tie [3, 4] is [OOV, 4, 3]: 4 is index 1.
    assert numeric.preprocessors["n"].get_vocabulary() == [-1, 4, 3]
    np.testing.assert_allclose(ops.convert_to_numpy(result), [[0, 1, 0, 5.0]])


def test_config_round_trip_keeps_features():
    space = make_space(output_mode="concat")
    config = space.get_config()
    assert config["features"]["city"]["class_name"] == "Feature"
    assert list(config["crosses"][0]["config"]["feature_names"]) == ["city", "n"]
    rebuilt = FS.from_config(config)
    assert type(rebuilt.preprocessors["city"]).__name__ == "StringLookup"
    assert [c.name for c in rebuilt.crosses] == ["city_X_n"]
    rebuilt.adapt(DATA)
    np.testing.assert_allclose(
        ops.convert_to_numpy(rebuilt(QUERY)), KERAS_ENCODED, rtol=1e-5, atol=1e-6
    )
