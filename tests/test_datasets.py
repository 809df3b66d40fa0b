"""kcore.datasets: the shipped 8x8 digits, and the download loaders' offline message and
parsing (no network: downloads are replaced by local files or a refused connection)."""

from __future__ import annotations

import urllib.error

import numpy as np
import pytest

from kcore import datasets
from kcore.utils import file_utils


def test_digits_shapes_dtypes_and_split():
    (x_train, y_train), (x_test, y_test) = datasets.digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    x = np.concatenate([x_train, x_test])
    y = np.concatenate([y_train, y_test])
    assert int(x.min()) == 0 and int(x.max()) == 16
    counts = np.bincount(y, minlength=10)
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert np.bincount(y_test, minlength=10).min() >= 20  # every class is in the test set


def test_digits_split_is_seeded():
    (a, _), _ = datasets.digits.load_data(seed=1)
    (b, _), _ = datasets.digits.load_data(seed=1)
    (c, _), (d, _) = datasets.digits.load_data(test_split=0.5, seed=2)
    np.testing.assert_array_equal(a, b)
    assert len(c) == 898 and len(d) == 899 and not np.array_equal(a[:10], c[:10])
    with pytest.raises(ValueError, match=r"test_split must be a fraction in \[0, 1\)"):
        datasets.digits.load_data(test_split=1.0)


def test_digits_first_image_is_a_zero():
    # The data file keeps the source's order; the first sample is a 0 (sklearn's digits[0]).
    with np.load(datasets.digits.DATA_FILE) as f:
        assert int(f["y"][0]) == 0
        assert f["x"][0, 0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


@pytest.mark.parametrize(
    "module, origin",
    [
        (datasets.mnist, "tf-keras-datasets/mnist.npz"),
        (datasets.fashion_mnist, "tf-keras-datasets/train-labels-idx1-ubyte.gz"),
        (datasets.cifar10, "cifar-10-python.tar.gz"),
        (datasets.cifar100, "cifar-100-python.tar.gz"),
        (datasets.imdb, "tf-keras-datasets/imdb.npz"),
        (datasets.reuters, "tf-keras-datasets/reuters.npz"),
        (datasets.boston_housing, "tf-keras-datasets/boston_housing.npz"),
        (datasets.california_housing, "tf-keras-datasets/california_housing.npz"),
    ],
)
def test_offline_loaders_name_the_url_and_the_cache(module, origin, tmp_path, monkeypatch):
    monkeypatch.setenv("KCORE_HOME", str(tmp_path))

    def offline(*args, **kwargs):
        raise urllib.error.URLError(OSError(101, "Network is unreachable"))

    monkeypatch.setattr(file_utils.urllib.request, "urlopen", offline)
    with pytest.raises(file_utils.DownloadError) as info:
        module.load_data()
    message = str(info.value)
    assert origin in message and str(tmp_path / "datasets") in message
    assert "Network is unreachable" in message and "place it at" in message


def _serve_file(monkeypatch, module, path):
    """Make ``module``'s get_file return ``path`` (what a cache hit returns)."""
    monkeypatch.setattr(module, "get_file", lambda *args, **kwargs: str(path))


def test_boston_housing_split_matches_keras_algorithm(tmp_path, monkeypatch):
    x = np.arange(50.0).reshape(10, 5)
    y = np.arange(10.0)
    np.savez(tmp_path / "boston.npz", x=x, y=y)
    _serve_file(monkeypatch, datasets.boston_housing, tmp_path / "boston.npz")
    (x_train, y_train), (x_test, y_test) = datasets.boston_housing.load_data(
        test_split=0.2, seed=113
    )
    order = np.arange(10)
    np.random.RandomState(113).shuffle(order)
    assert y_train.tolist() == order[:8].tolist() and y_test.tolist() == order[8:].tolist()
    np.testing.assert_array_equal(x_test, x[order[8:]])


def test_imdb_reindexes_and_limits_the_vocabulary(tmp_path, monkeypatch):
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = [1, 5, 9], [2]
    np.savez(
        tmp_path / "imdb.npz",
        x_train=ragged,
        y_train=np.array([1, 0]),
        x_test=ragged.copy(),
        y_test=np.array([0, 1]),
    )
    _serve_file(monkeypatch, datasets.imdb, tmp_path / "imdb.npz")
    (x_train, y_train), (x_test, _) = datasets.imdb.load_data(num_words=10, seed=0)
    assert x_train.dtype == object and len(x_train) == 2 and len(x_test) == 2
    by_length = sorted(x_train.tolist(), key=len)
    # start_char 1, words shifted by index_from 3, words >= num_words become oov_char 2
    assert by_length == [[1, 5], [1, 4, 8, 2]]
    assert sorted(y_train.tolist()) == [0, 1]


def test_dataset_pickles_refuse_code(tmp_path):
    import pickle

    from kcore.datasets._safe_pickle import load_pickle

    payload = pickle.dumps({"data": np.zeros(3)})
    with open(tmp_path / "ok.pkl", "wb") as handle:
        handle.write(payload)
    with open(tmp_path / "ok.pkl", "rb") as handle:
        assert load_pickle(handle)["data"].tolist() == [0.0, 0.0, 0.0]

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    with open(tmp_path / "evil.pkl", "wb") as handle:
        pickle.dump(Evil(), handle)
    with (
        open(tmp_path / "evil.pkl", "rb") as handle,
        pytest.raises(pickle.UnpicklingError, match="refusing to load builtins.print"),
    ):
        load_pickle(handle)


def test_reuters_label_names():
    names = datasets.reuters.get_label_names()
    assert len(names) == 46 and names[3] == "earn" and names[-1] == "lead"
