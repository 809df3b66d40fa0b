"""Preprocessing layers: values vs NumPy / hand-computed / Keras 3.15.1 constants,
options, configs and bad arguments, on the selected backend."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import ops
from kcore.layers import _hashing
from kcore.testing.layers import run_layer_test

L = kcore.layers


def npy(x):
    return np.asarray(ops.convert_to_numpy(x))


def roundtrip(layer):
    config = layer.get_config()
    rebuilt = type(layer).from_config(config)
    assert rebuilt.get_config() == config
    serialized = L.serialize(layer)
    again = L.deserialize(serialized)
    assert type(again) is type(layer)
    return rebuilt


# --------------------------------------------------------------------- hashes
def test_fingerprint64_and_siphash_known_values():
    # TensorFlow's to_hash_bucket_fast / _strong with num_buckets=2**63-1 (computed once
    # with tensorflow 2.21): FarmHash Fingerprint64 and SipHash-2-4 modulo 2**63-1.
    mod = 2**63 - 1
    strings = ["a", "abcd", "abcdefgh", "x" * 20, "y" * 40, "z" * 100]
    assert [_hashing.fingerprint64(s.encode()) % mod for s in strings] == [
        3694432073954588132,
        1897425971756105985,
        9145071594317031690,
        8233088228747857348,
        276292113409495006,
        9220849947163966073,
    ]
    assert _hashing.fingerprint64(b"") == 0x9AE16A3B2F90404F
    assert _hashing.siphash64((1, 2), b"hello") % mod == 2957200328589801622


def test_hashing_matches_keras():
    # Constants computed once with keras 3.15.1 (TensorFlow's FarmHash/SipHash).
    def run(layer, data):
        return npy(layer(data)).ravel().tolist()

    letters = [["A"], ["B"], ["C"], ["D"], ["E"]]
    assert run(L.Hashing(num_bins=3), letters) == [1, 0, 1, 1, 2]
    assert run(L.Hashing(num_bins=3, mask_value=""), [["A"], ["B"], [""], ["C"], ["D"]]) == [
        1,
        1,
        0,
        2,
        2,
    ]
    assert run(L.Hashing(num_bins=3, salt=133), letters) == [0, 0, 2, 1, 0]
    assert run(L.Hashing(num_bins=7, salt=[1, 2]), ["hello", "world", "x" * 70]) == [6, 4, 1]
    ints = np.array([0, 1, -5, 123456789, 2**40])
    assert run(L.Hashing(num_bins=1000), ints) == [735, 849, 816, 306, 378]
    assert run(L.Hashing(num_bins=10, mask_value=0), np.array([[0, 1, 2, 3]])) == [0, 1, 5, 4]
    long = ["a" * 17, "b" * 33, "c" * 65, "d" * 130, "é"]
    assert run(L.Hashing(num_bins=10**9), long) == [
        221272131,
        208992806,
        469176993,
        931933414,
        273849025,
    ]


def test_hashing_modes_and_determinism():
    layer = L.Hashing(num_bins=4, output_mode="multi_hot")
    out = npy(layer([["A", "B"], ["C", "C"]]))
    assert out.shape == (2, 4) and out.dtype == np.float32
    assert np.array_equal(
        out, npy(L.Hashing(num_bins=4, output_mode="multi_hot")(np.array([["A", "B"], ["C", "C"]])))
    )
    one_hot = npy(L.Hashing(num_bins=3, output_mode="one_hot")([["A"], ["B"]]))
    assert one_hot.shape == (2, 3)
    assert npy(L.Hashing(num_bins=3, output_mode="count")(["A", "A", "B"])).sum() == 3
    # bytes and str hash the same; floats are truncated to ints first
    assert npy(L.Hashing(5)([b"x", "x"])).tolist()[0] == npy(L.Hashing(5)(["x"])).tolist()[0]
    assert (
        npy(L.Hashing(50)(np.array([3.7]))).tolist() == npy(L.Hashing(50)(np.array([3]))).tolist()
    )


def test_hashing_layer_test():
    run_layer_test(
        L.Hashing,
        {"num_bins": 5},
        input_data=np.array([[1, 2], [3, 4]]),
        expected_output_shape=(2, 2),
        run_training_check=False,
        run_mixed_precision_check=False,
    )
    run_layer_test(
        L.Hashing,
        {"num_bins": 5, "output_mode": "one_hot"},
        input_data=np.array([[1], [3]]),
        expected_output_shape=(2, 5),
        run_training_check=False,
        run_mixed_precision_check=False,
    )


def test_hashing_config_and_errors():
    layer = L.Hashing(num_bins=3, salt=5, mask_value="")
    config = roundtrip(layer).get_config()
    assert config["salt"] == [5, 5] and config["mask_value"] == ""
    assert config["dtype"]["config"]["name"] == "int64"
    for kwargs, word in [
        ({"num_bins": 0}, "num_bins"),
        ({"num_bins": 3, "output_mode": "bad"}, "output_mode"),
        ({"num_bins": 3, "salt": "x"}, "salt"),
        ({"num_bins": 3, "dtype": "float32"}, "dtype"),
    ]:
        with pytest.raises(ValueError, match=word):
            L.Hashing(**kwargs)


def test_hashed_crossing_matches_keras():
    layer = L.HashedCrossing(num_bins=5)
    out = layer((np.array([1, 2, 3]), np.array(["a", "b", "c"])))
    assert npy(out).tolist() == [0, 4, 3]
    out = L.HashedCrossing(num_bins=100)((np.array([[1], [2]]), np.array([[4], [5]])))
    assert npy(out).ravel().tolist() == [25, 38]
    oh = L.HashedCrossing(num_bins=5, output_mode="one_hot")(
        (np.array([1, 2, 3]), np.array(["a", "b", "c"]))
    )
    assert npy(oh).argmax(-1).tolist() == [0, 4, 3]
    assert roundtrip(L.HashedCrossing(num_bins=7)).get_config()["num_bins"] == 7
    with pytest.raises(ValueError, match="num_bins"):
        L.HashedCrossing(num_bins=-1)
    with pytest.raises(ValueError, match="output_mode"):
        L.HashedCrossing(num_bins=3, output_mode="count")
    with pytest.raises(ValueError, match="at least two"):
        L.HashedCrossing(num_bins=3)((np.array([1]),))


# ------------------------------------------------------------- Normalization
def test_normalization_adapt_matches_numpy():
    data = np.random.default_rng(0).normal(3.0, 2.0, size=(20, 3)).astype("float32")
    layer = L.Normalization()
    layer.adapt(data)
    np.testing.assert_allclose(npy(layer.adapt_mean), data.mean(0), rtol=1e-5)
    np.testing.assert_allclose(npy(layer.adapt_variance), data.var(0), rtol=1e-5)
    assert int(npy(layer.count)) == 20
    expected = (data - data.mean(0)) / np.sqrt(data.var(0))
    np.testing.assert_allclose(npy(layer(data)), expected, atol=1e-4)
    # batches merge to the same statistics
    batched = L.Normalization()
    batched.adapt([data[:7], data[7:15], data[15:]])
    np.testing.assert_allclose(npy(batched.adapt_mean), data.mean(0), rtol=1e-5)
    np.testing.assert_allclose(npy(batched.adapt_variance), data.var(0), rtol=1e-4)
    inverse = L.Normalization(invert=True)
    inverse.adapt(data)
    np.testing.assert_allclose(npy(inverse(npy(layer(data)))), data, atol=1e-4)


def test_normalization_keras_example_and_axes():
    adapt = np.array([[0.0, 7.0, 4.0], [2.0, 9.0, 6.0], [0.0, 7.0, 4.0], [2.0, 9.0, 6.0]])
    layer = L.Normalization(axis=-1)
    layer.adapt(adapt)
    np.testing.assert_allclose(npy(layer(np.array([[1.0, 2.0, 3.0]]))), [[0.0, -6.0, -2.0]])
    assert [w.path.split("/")[-1] for w in layer.weights] == ["mean", "variance", "count"]
    scalar = L.Normalization(axis=None)
    scalar.adapt(np.array([[0.0, 7.0], [2.0, 9.0]]))
    np.testing.assert_allclose(npy(scalar(np.array([[1.0, 2.0]]))), [[-0.9615, -0.6868]], atol=1e-4)
    two = L.Normalization(axis=(1, 2))
    two.adapt(np.random.default_rng(1).random((4, 2, 3)))
    assert [tuple(w.shape) for w in two.weights] == [(2, 3), (2, 3), ()]
    fixed = L.Normalization(mean=2.0, variance=4.0)
    np.testing.assert_allclose(npy(fixed(np.array([[1.0, 2.0]]))), [[-0.5, 0.0]])
    assert fixed.weights == []


def test_normalization_layer_test_and_config():
    run_layer_test(
        L.Normalization,
        {"mean": [1.0, 2.0], "variance": [1.0, 4.0]},
        input_shape=(2, 2),
        expected_output_shape=(2, 2),
        run_training_check=False,
        supports_masking=True,
    )
    run_layer_test(
        L.Normalization,
        {"axis": -1},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        expected_num_non_trainable_weights=3,
        run_training_check=False,
    )
    config = roundtrip(L.Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0])).get_config()
    assert config["axis"] == (-1,) and config["mean"] == [1.0, 2.0]
    assert L.Normalization().get_config()["mean"] is None
    with pytest.raises(ValueError, match="mean"):
        L.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        L.Normalization(mean=[1.0], variance=[1.0, 2.0])


# ---------------------------------------------------------- Rescaling, resizing
def test_rescaling():
    out = L.Rescaling(0.5, 1)(np.array([[1, 2]], "int32"))
    assert npy(out).dtype == np.float32 and npy(out).tolist() == [[1.5, 2.0]]
    run_layer_test(
        L.Rescaling,
        {"scale": 2.0, "offset": -1.0},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        run_training_check=False,
        supports_masking=True,
    )
    config = roundtrip(L.Rescaling(0.5)).get_config()
    assert config["scale"] == 0.5 and config["offset"] == 0.0


def test_resizing_and_center_crop():
    x = np.arange(2 * 5 * 7 * 3, dtype="float32").reshape(2, 5, 7, 3)
    out = npy(L.Resizing(3, 4)(x))[0, :, :, 0]
    np.testing.assert_allclose(
        out,
        [
            [8.125, 13.375, 18.625, 23.875],
            [43.125, 48.375, 53.625, 58.875],
            [78.125, 83.375, 88.625, 93.875],
        ],
        atol=1e-4,
    )
    cropped = npy(L.Resizing(3, 3, crop_to_aspect_ratio=True)(x))[0, :, :, 0]
    np.testing.assert_allclose(cropped, [[11, 16, 21], [46, 51, 56], [81, 86, 91]], atol=1e-4)
    cc = npy(L.CenterCrop(3, 4)(x))
    np.testing.assert_array_equal(cc, x[:, 1:4, 1:5, :])
    np.testing.assert_array_equal(npy(L.CenterCrop(3, 4)(x[0])), x[0, 1:4, 1:5, :])
    first = npy(L.CenterCrop(3, 4, data_format="channels_first")(x.transpose(0, 3, 1, 2)))
    np.testing.assert_array_equal(first, x[:, 1:4, 1:5, :].transpose(0, 3, 1, 2))
    assert npy(L.CenterCrop(6, 9)(x)).shape == (2, 6, 9, 3)
    run_layer_test(
        L.Resizing,
        {"height": 4, "width": 2, "interpolation": "nearest"},
        input_shape=(2, 6, 6, 1),
        expected_output_shape=(2, 4, 2, 1),
        run_training_check=False,
    )
    run_layer_test(
        L.CenterCrop,
        {"height": 2, "width": 3},
        input_shape=(2, 4, 5, 1),
        expected_output_shape=(2, 2, 3, 1),
        run_training_check=False,
    )
    config = roundtrip(L.Resizing(4, 5)).get_config()
    assert config["interpolation"] == "bilinear" and config["data_format"] == "channels_last"
    with pytest.raises(ValueError, match="height"):
        L.Resizing(0, 3)
    with pytest.raises(ValueError, match="interpolation"):
        L.Resizing(3, 3, interpolation="cubic")
    with pytest.raises(ValueError, match="width"):
        L.CenterCrop(3, -1)


# --------------------------------------------------------------- Discretization
def test_discretization():
    out = L.Discretization(bin_boundaries=[0.0, 1.0])(np.array([[-1.0, 0.0, 0.5, 1.0, 2.0]]))
    assert npy(out).tolist() == [[0, 1, 1, 2, 2]] and npy(out).dtype == np.int32
    oh = npy(
        L.Discretization(bin_boundaries=[0.0, 1.0], output_mode="one_hot")(
            np.array([-1.0, 0.5, 2.0])
        )
    )
    np.testing.assert_array_equal(oh, np.eye(3, dtype="float32"))
    mh = npy(
        L.Discretization(bin_boundaries=[0.0, 1.0], output_mode="multi_hot")(
            np.array([[-1.0, 0.5], [2.0, 2.0]])
        )
    )
    assert mh.tolist() == [[1, 1, 0], [0, 0, 1]]
    # adapt: the quantile sketch, values from keras 3.15.1
    layer = L.Discretization(num_bins=4)
    layer.adapt(np.array([[1.0, 2.0, 5.0, 7.0, 7.0, 3.0, 9.0, -1.0, 4.0, 0.5]]))
    np.testing.assert_allclose(layer.bin_boundaries, [0.75, 3.0, 6.0], rtol=1e-6)
    layer = L.Discretization(num_bins=3, epsilon=0.1)
    layer.adapt([np.arange(30.0), np.arange(50.0, 80.0)])
    np.testing.assert_allclose(layer.bin_boundaries, [19.0, 59.0], rtol=1e-6)
    adapted = L.Discretization(num_bins=4, epsilon=0.01)
    adapted.adapt(np.arange(100.0).reshape(-1, 1))
    np.testing.assert_allclose(adapted.bin_boundaries, [24.0, 49.0, 74.0], atol=1e-4)
    rebuilt = roundtrip(adapted)
    assert rebuilt.bin_boundaries == adapted.bin_boundaries
    run_layer_test(
        L.Discretization,
        {"bin_boundaries": [0.0, 0.5]},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        expected_output_dtype="int32",
        run_training_check=False,
        run_mixed_precision_check=False,
    )
    with pytest.raises(ValueError, match="num_bins"):
        L.Discretization(bin_boundaries=[1.0], num_bins=3)
    with pytest.raises(ValueError, match="num_bins or bin_boundaries"):
        L.Discretization()
    with pytest.raises(ValueError, match="output_mode"):
        L.Discretization(num_bins=3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="adapt"):
        L.Discretization(num_bins=3)(np.array([1.0]))


# ------------------------------------------------------------- CategoryEncoding
def test_category_encoding():
    layer = L.CategoryEncoding(4)
    assert npy(layer(np.array([0, 1, 1]))).tolist() == [1, 1, 0, 0]
    assert npy(layer(np.array([[0, 1], [3, 3]]))).tolist() == [[1, 1, 0, 0], [0, 0, 0, 1]]
    oh = L.CategoryEncoding(4, output_mode="one_hot")
    assert npy(oh(np.array([0, 1, 3]))).tolist() == np.eye(4)[[0, 1, 3]].tolist()
    assert npy(oh(np.array([[0], [1]]))).tolist() == np.eye(4)[[0, 1]].tolist()
    count = L.CategoryEncoding(4, output_mode="count")
    out = count(np.array([[0, 1, 1]]), count_weights=np.array([[1.0, 2.0, 3.0]]))
    assert npy(out).tolist() == [[1.0, 5.0, 0.0, 0.0]]
    run_layer_test(
        L.CategoryEncoding,
        {"num_tokens": 5, "output_mode": "count"},
        input_data=np.array([[0, 1, 4], [2, 2, 2]]),
        expected_output_shape=(2, 5),
        expected_output=np.array([[1, 1, 0, 0, 1], [0, 0, 3, 0, 0]], "float32"),
        run_training_check=False,
    )
    assert roundtrip(L.CategoryEncoding(3)).get_config()["output_mode"] == "multi_hot"
    with pytest.raises(ValueError, match="num_tokens"):
        L.CategoryEncoding()
    with pytest.raises(ValueError, match="output_mode"):
        L.CategoryEncoding(3, output_mode="int")


# ------------------------------------------------------------------ lookups
def test_string_lookup_int_mode_matches_keras():
    layer = L.StringLookup(vocabulary=["a", "b", "c"], mask_token="", num_oov_indices=2)
    out = layer([["a", "", "z", "c"], ["b", "q", "a", "x"]])
    assert npy(out).tolist() == [[3, 0, 2, 5], [4, 2, 3, 1]]
    assert layer.get_vocabulary() == ["", "[UNK]", "[UNK]", "a", "b", "c"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["a", "b", "c"]
    assert layer.vocabulary_size() == 6
    oov = L.StringLookup(num_oov_indices=3, vocabulary=["a"])
    assert npy(oov(np.array(["zz", "q", "r", "s", "a"]))).tolist() == [1, 2, 1, 1, 3]
    assert npy(L.StringLookup(vocabulary=["a"])(np.array([b"a", b"b"]))).tolist() == [1, 0]


def test_string_lookup_encodings():
    mh = L.StringLookup(vocabulary=["a", "b", "c"], mask_token="", output_mode="multi_hot")
    out = mh([["a", "", "z", "c"], ["b", "b", "a", "x"]])
    assert npy(out).tolist() == [[1, 1, 0, 1], [1, 1, 1, 0]]
    assert mh.get_vocabulary() == ["[UNK]", "a", "b", "c"]
    oh = L.StringLookup(vocabulary=["a", "b", "c"], output_mode="one_hot")
    assert npy(oh(["a", "z", "c"])).tolist() == [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]
    count = L.StringLookup(vocabulary=["a", "b", "c"], output_mode="count")
    assert npy(count([["a", "z", "c", "c"]])).tolist() == [[1, 1, 0, 2]]
    assert npy(count(["a", "z", "c", "c"])).tolist() == [1, 1, 0, 2]
    tfidf = L.StringLookup(
        vocabulary=["a", "b", "c"], output_mode="tf_idf", idf_weights=[0.5, 1.0, 2.0]
    )
    np.testing.assert_allclose(
        npy(tfidf([["a", "z", "c", "c"]])), [[7 / 6, 0.5, 0.0, 4.0]], rtol=1e-6
    )
    padded = L.StringLookup(
        vocabulary=["a"], output_mode="multi_hot", pad_to_max_tokens=True, max_tokens=5
    )
    assert tuple(padded(["a"]).shape) == (5,)


def test_string_lookup_invert_and_adapt():
    inv = L.StringLookup(vocabulary=["a", "b", "c"], mask_token="", invert=True)
    out = inv(np.array([[0, 1, 2, 3, 4, 7]]))
    assert np.asarray(out).tolist() == [["", "[UNK]", "a", "b", "c", "[UNK]"]]
    layer = L.StringLookup()
    layer.adapt(["b", "c", "c", "a", "d", "d", "b", "e", "e", "c"])
    assert layer.get_vocabulary() == ["[UNK]", "c", "e", "d", "b", "a"]
    limited = L.StringLookup(max_tokens=3)
    limited.adapt(np.array([["b", "c"], ["c", "a"]]))
    assert limited.get_vocabulary() == ["[UNK]", "c", "b"]
    tfidf = L.StringLookup(output_mode="tf_idf")
    tfidf.adapt([["a", "b"], ["a", "a"], ["c", "a"]])
    assert tfidf.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    np.testing.assert_allclose(
        tfidf.idf_weights, [0.7973991, 0.5596158, 0.91629076, 0.91629076], rtol=1e-6
    )
    np.testing.assert_allclose(
        npy(tfidf([["a", "b", "z", "z"]])), [[1.5947982, 0.5596158, 0.0, 0.91629076]], rtol=1e-6
    )
    batches = L.StringLookup()
    batches.adapt(iter([np.array(["x", "y"]), np.array(["y"])]))
    assert batches.get_vocabulary() == ["[UNK]", "y", "x"]


def test_string_lookup_config_and_errors(tmp_path):
    layer = L.StringLookup(vocabulary=["a", "b"], mask_token="")
    config = layer.get_config()
    assert config["vocabulary"] == ["a", "b"] and config["vocabulary_size"] == 4
    assert "vocabulary_dtype" not in config and config["encoding"] == "utf-8"
    rebuilt = roundtrip(layer)
    assert rebuilt.get_vocabulary() == layer.get_vocabulary()
    path = tmp_path / "vocab.txt"
    path.write_text("x\ny\n")
    assert L.StringLookup(vocabulary=str(path)).get_vocabulary() == ["[UNK]", "x", "y"]
    with pytest.raises(ValueError, match="repeated"):
        L.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="max_tokens"):
        L.StringLookup(max_tokens=1)
    with pytest.raises(ValueError, match="num_oov_indices"):
        L.StringLookup(num_oov_indices=-1)
    with pytest.raises(ValueError, match="output_mode"):
        L.StringLookup(output_mode="bad")
    with pytest.raises(ValueError, match="invert"):
        L.StringLookup(invert=True, output_mode="count")
    with pytest.raises(ValueError, match="idf_weights"):
        L.StringLookup(vocabulary=["a"], output_mode="tf_idf")
    with pytest.raises(ValueError, match="OOV"):
        L.StringLookup(vocabulary=["a"], num_oov_indices=0)(["b"])
    with pytest.raises(ValueError, match="adapt"):
        L.StringLookup(vocabulary=["a"]).adapt(["b"])


def test_integer_lookup():
    layer = L.IntegerLookup(vocabulary=[10, 20, 30], num_oov_indices=3)
    assert npy(layer(np.array([10, 4, 5, 6, 7, -1, 30]))).tolist() == [3, 1, 2, 0, 1, 2, 5]
    masked = L.IntegerLookup(vocabulary=[10, 20, 30], mask_token=0)
    assert npy(masked(np.array([[10, 0, 30, 5]]))).tolist() == [[2, 0, 4, 1]]
    assert masked.get_vocabulary() == [0, -1, 10, 20, 30]
    adapted = L.IntegerLookup()
    adapted.adapt(np.array([3, 3, 1, 2, 2, 2, 7]))
    assert adapted.get_vocabulary() == [-1, 2, 3, 7, 1]
    farm = L.IntegerLookup(num_oov_indices=3, vocabulary=[10], oov_method="farmhash")
    assert npy(farm(np.array([1, 2, 3, 4, 10]))).tolist() == [0, 1, 0, 2, 3]
    salted = L.IntegerLookup(num_oov_indices=3, vocabulary=[10], oov_method="farmhash", salt=7)
    assert npy(salted(np.array([1, 2, 3, 4, 10]))).tolist() == [0, 0, 0, 0, 3]
    inverse = L.IntegerLookup(vocabulary=[10, 20], invert=True)
    assert npy(inverse(np.array([0, 1, 2, 5]))).tolist() == [-1, 10, 20, -1]
    # backend tensors in, backend tensors out
    tensor = ops.convert_to_tensor(np.array([[10, 20]], "int32"))
    assert npy(L.IntegerLookup(vocabulary=[10, 20])(tensor)).tolist() == [[1, 2]]
    run_layer_test(
        L.IntegerLookup,
        {"vocabulary": [1, 2, 3]},
        input_data=np.array([[1, 2], [3, 9]]),
        expected_output_shape=(2, 2),
        expected_output=np.array([[1, 2], [3, 0]]),
        run_training_check=False,
        run_mixed_precision_check=False,
    )
    run_layer_test(
        L.IntegerLookup,
        {"vocabulary": [1, 2, 3], "output_mode": "multi_hot"},
        input_data=np.array([[1, 2], [3, 9]]),
        expected_output_shape=(2, 4),
        run_training_check=False,
        run_mixed_precision_check=False,
    )
    config = roundtrip(L.IntegerLookup(vocabulary=np.array([5, 6]), mask_token=0)).get_config()
    assert config["vocabulary"] == [5, 6] and config["mask_token"] == 0
    assert config["vocabulary_dtype"] == "int64" and config["oov_method"] == "floormod"
    with pytest.raises(ValueError, match="salt"):
        L.IntegerLookup(salt=3)
    with pytest.raises(ValueError, match="oov_method"):
        L.IntegerLookup(oov_method="mod")
    with pytest.raises(ValueError, match="vocabulary_dtype"):
        L.IntegerLookup(vocabulary_dtype="int32")


# --------------------------------------------------------------- TextVectorization
CORPUS = ["The cat sat.", "The dog, the CAT!", "a  bird"]


def test_text_vectorization_int_matches_keras():
    layer = L.TextVectorization()
    layer.adapt(CORPUS)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat", "dog", "bird", "a"]
    assert layer.vocabulary_size() == 8
    assert npy(layer(["the cat", "bird dog zebra the"])).tolist() == [[2, 3, 0, 0], [6, 5, 1, 2]]
    fixed = L.TextVectorization(output_sequence_length=3)
    fixed.adapt(CORPUS)
    assert npy(fixed(["the cat", "bird dog zebra the"])).tolist() == [[2, 3, 0], [6, 5, 1]]
    assert npy(fixed(np.array([["the cat"], ["bird dog zebra the"]]))).tolist() == [
        [2, 3, 0],
        [6, 5, 1],
    ]
    grams = L.TextVectorization(ngrams=2, max_tokens=8)
    grams.adapt(CORPUS)
    assert grams.get_vocabulary() == [
        "",
        "[UNK]",
        "the",
        "the cat",
        "cat",
        "the dog",
        "sat",
        "dog the",
    ]
    assert npy(grams(["the cat sat"])).tolist() == [[2, 4, 6, 3, 1]]
    whole = L.TextVectorization(vocabulary=["x", "y"], standardize=None, split=None)
    assert npy(whole(["x", "y", "x y"])).tolist() == [2, 3, 1]
    strip = L.TextVectorization(standardize="strip_punctuation")
    strip.adapt(["Hello, World! it's"])
    assert strip.get_vocabulary() == ["", "[UNK]", "its", "World", "Hello"]


def test_text_vectorization_encodings():
    mh = L.TextVectorization(output_mode="multi_hot")
    mh.adapt(CORPUS)
    assert mh.get_vocabulary() == ["[UNK]", "the", "cat", "sat", "dog", "bird", "a"]
    assert npy(mh(["the cat", "zzz"])).tolist() == [[0, 1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0]]
    chars = L.TextVectorization(output_mode="count", split="character", standardize="lower")
    chars.adapt(["abca", "Bd"])
    assert chars.get_vocabulary() == ["[UNK]", "b", "a", "d", "c"]
    assert npy(chars(["aab", "x"])).tolist() == [[0, 1, 2, 0, 0], [1, 0, 0, 0, 0]]
    tfidf = L.TextVectorization(output_mode="tf_idf")
    tfidf.adapt(CORPUS)
    np.testing.assert_allclose(
        npy(tfidf(["the cat the", "zzz"])),
        [[0.0, 1.3862944, 0.6931472, 0, 0, 0, 0], [0.8419096, 0, 0, 0, 0, 0, 0]],
        rtol=1e-6,
    )
    padded = L.TextVectorization(output_mode="multi_hot", max_tokens=10, pad_to_max_tokens=True)
    padded.adapt(CORPUS)
    assert npy(padded(["the cat"])).tolist() == [[0, 1, 1, 0, 0, 0, 0, 0, 0, 0]]
    custom = L.TextVectorization(
        standardize=lambda s: s.upper(), split=lambda s: s.split("-"), vocabulary=["A", "B"]
    )
    assert npy(custom(["a-b-c"])).tolist() == [[2, 3, 1]]


def test_text_vectorization_config_and_errors():
    layer = L.TextVectorization(vocabulary=["a", "b"], output_sequence_length=4)
    config = layer.get_config()
    assert config["vocabulary"] == ["a", "b"] and config["vocabulary_size"] == 4
    assert config["standardize"] == "lower_and_strip_punctuation"
    rebuilt = roundtrip(layer)
    assert npy(rebuilt(["a b c"])).tolist() == [[2, 3, 1, 0]]
    unadapted = L.TextVectorization(max_tokens=5).get_config()
    assert unadapted["vocabulary"] is None and unadapted["vocabulary_size"] == 2
    with pytest.raises(ValueError, match="output_mode"):
        L.TextVectorization(output_mode="one_hot")
    with pytest.raises(ValueError, match="output_sequence_length"):
        L.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="standardize"):
        L.TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="split"):
        L.TextVectorization(split="comma")
    with pytest.raises(ValueError, match="ngrams"):
        L.TextVectorization(ngrams=0)


# ------------------------------------------------------------------- Pipeline
def test_pipeline():
    pipeline = L.Pipeline([L.Rescaling(2.0), L.Rescaling(1.0, offset=1.0)])
    assert npy(pipeline(np.array([1.0, 2.0]))).tolist() == [3.0, 5.0]
    assert len(pipeline.layers) == 2
    config = pipeline.get_config()
    assert set(config) == {"layers", "name"}
    rebuilt = L.Pipeline.from_config(config)
    assert npy(rebuilt(np.array([1.0]))).tolist() == [3.0]
    text = L.Pipeline([L.StringLookup(vocabulary=["a", "b"]), L.CategoryEncoding(3)])
    assert npy(text(["a", "b", "b"])).tolist() == [0.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="layers"):
        L.Pipeline("not layers")


def test_public_names():
    from kcore.layers import preprocessing

    for name in preprocessing.__all__:
        assert getattr(kcore.layers, name) is getattr(preprocessing, name)
        assert "Example::" in getattr(preprocessing, name).__doc__


def test_text_vectorization_ascii_rules_like_tensorflow():
    # TensorFlow (hence Keras) lowercases ASCII only and splits on ASCII whitespace.
    layer = L.TextVectorization()
    layer.adapt(["héllo wörld", "Ünïcode  tabs\tand\nnewlines"])
    assert layer.get_vocabulary() == [
        "",
        "[UNK]",
        "Ünïcode",
        "wörld",
        "tabs",
        "newlines",
        "héllo",
        "and",
    ]
    chars = L.TextVectorization(split="character", standardize=None, vocabulary=["é", "e"])
    assert npy(chars(["éeÉ"])).tolist() == [[2, 3, 1]]


def test_adapt_from_backend_tensors_and_functional_use():
    data = ops.convert_to_tensor(np.array([[1.0, 2.0], [3.0, 6.0]], "float32"))
    norm = L.Normalization()
    norm.adapt(data)
    np.testing.assert_allclose(npy(norm.adapt_mean), [2.0, 4.0])
    inputs = L.Input((2,))
    model = kcore.Model(inputs, L.Rescaling(2.0)(norm(inputs)))
    np.testing.assert_allclose(npy(model(np.array([[3.0, 6.0]], "float32"))), [[2.0, 2.0]])
    ids = L.Input((3,), dtype="int32")
    lookup = L.IntegerLookup(vocabulary=[7, 8], output_mode="multi_hot")
    encoded = lookup(ids)
    assert tuple(encoded.shape) == (None, 3)
    model = kcore.Model(ids, encoded)
    assert npy(model(np.array([[7, 9, 7]], "int32"))).tolist() == [[1, 1, 0]]
    disc = L.Discretization(num_bins=2)
    disc.adapt(ops.convert_to_tensor(np.arange(10.0, dtype="float32")))
    np.testing.assert_allclose(disc.bin_boundaries, [4.5], atol=0.6)


def test_adapted_vocabulary_assets_round_trip(tmp_path):
    layer = L.TextVectorization(output_mode="tf_idf")
    layer.adapt(CORPUS)
    store = {}
    layer.save_own_variables(store)
    layer.save_assets(str(tmp_path))
    assert (tmp_path / "vocabulary.txt").read_text().split("\n")[:3] == ["[UNK]", "the", "cat"]
    rebuilt = L.TextVectorization.from_config(layer.get_config())
    rebuilt.load_own_variables(store)
    rebuilt.load_assets(str(tmp_path))
    assert rebuilt.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_allclose(npy(rebuilt(["the cat zz"])), npy(layer(["the cat zz"])))
    ints = L.IntegerLookup()
    ints.adapt(np.array([5, 5, 6]))
    ints.save_assets(str(tmp_path))
    again = L.IntegerLookup.from_config(ints.get_config())
    again.load_assets(str(tmp_path))
    assert again.get_vocabulary() == [-1, 5, 6]
