"""kcore.utils: numerical and sequence helpers, Config, seeding, clear_session, the
functional-graph helpers, image conversion and get_file (local file:// and HTTP only)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import json
import os
import random
import tarfile
import threading
import urllib.error
import zipfile

import numpy as np
import pytest

import kcore
from kcore import ops, utils
from kcore.utils import file_utils

TRAINABLE = kcore.backend.current().capabilities.trainable
SURFACE = json.loads(
    open(os.path.join(os.path.dirname(__file__), "keras-3.15.1-surface.json")).read()
)


def test_every_keras_utils_name_is_there():
    missing = [name for name in SURFACE["utils"] if not hasattr(utils, name)]
    assert missing == []


def test_every_dataset_module_is_there():
    for name in (
        "mnist",
        "fashion_mnist",
        "cifar10",
        "cifar100",
        "imdb",
        "reuters",
        "boston_housing",
        "california_housing",
        "digits",
    ):
        assert callable(getattr(kcore.datasets, name).load_data)


# --------------------------------------------------------------------- numerical
def test_to_categorical_numpy():
    out = utils.to_categorical([0, 2, 1])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert utils.to_categorical(np.array([[1], [0]]), num_classes=4).shape == (2, 4)
    assert utils.to_categorical(np.zeros((2, 3), "int32"), 5).shape == (2, 3, 5)


def test_to_categorical_refuses_bad_labels():
    with pytest.raises(ValueError, match=r"labels in \[0, 2\)"):
        utils.to_categorical([0, 3], num_classes=2)
    with pytest.raises(ValueError, match="integer class labels"):
        utils.to_categorical([0.5, 1.0])


def test_to_categorical_backend_tensor():
    out = utils.to_categorical(ops.convert_to_tensor(np.array([[2], [0]], "int32")), 3)
    assert ops.is_tensor(out)
    np.testing.assert_array_equal(ops.convert_to_numpy(out), [[0, 0, 1], [1, 0, 0]])


def test_normalize():
    np.testing.assert_allclose(
        utils.normalize(np.array([[3.0, 4.0], [0, 0]])), [[0.6, 0.8], [0, 0]]
    )
    np.testing.assert_allclose(
        utils.normalize(np.array([[3, 4], [1, 1]]), order=1), [[3 / 7, 4 / 7], [0.5, 0.5]]
    )
    np.testing.assert_allclose(utils.normalize(np.array([[3.0], [4.0]]), axis=0), [[0.6], [0.8]])
    tensor = utils.normalize(ops.convert_to_tensor(np.array([[3.0, 4.0]], "float32")))
    np.testing.assert_allclose(ops.convert_to_numpy(tensor), [[0.6, 0.8]], rtol=1e-6)


# ---------------------------------------------------------------------- sequences
def test_pad_sequences_defaults_pre():
    out = utils.pad_sequences([[1, 2, 3], [4]])
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [[1, 2, 3], [0, 0, 4]])


def test_pad_sequences_options():
    np.testing.assert_array_equal(utils.pad_sequences([[1, 2, 3], [4]], maxlen=2), [[2, 3], [0, 4]])
    np.testing.assert_array_equal(
        utils.pad_sequences(
            [[1, 2, 3], [4]], maxlen=2, truncating="post", padding="post", value=-1
        ),
        [[1, 2], [4, -1]],
    )
    out = utils.pad_sequences([[0.5, 1.5], [2.5]], dtype="float32", value=9.0)
    np.testing.assert_array_equal(out, np.array([[0.5, 1.5], [9.0, 2.5]], "float32"))
    np.testing.assert_array_equal(utils.pad_sequences([[], [1]]), [[0], [1]])
    words = utils.pad_sequences([["a", "bb"], ["c"]], dtype=object, value="z")
    assert words.tolist() == [["a", "bb"], ["z", "c"]]
    vectors = utils.pad_sequences([[[1, 2], [3, 4]], [[5, 6]]])
    assert vectors.shape == (2, 2, 2) and vectors[1].tolist() == [[0, 0], [5, 6]]


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post'"):
        utils.pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="item 1 is 5"):
        utils.pad_sequences([[1], 5])


# ------------------------------------------------------------------------ Config
def test_config_attributes_items_and_freeze():
    config = utils.Config(learning_rate=0.1)
    config.seed = 3
    config["momentum"] = 0.9
    assert (config.learning_rate, config["seed"], len(config)) == (0.1, 3, 3)
    assert list(config) == ["learning_rate", "momentum", "seed"]
    assert json.loads(config.to_json()) == {"learning_rate": 0.1, "seed": 3, "momentum": 0.9}
    with pytest.raises(AttributeError, match="Did you mean 'seed'"):
        config.seeed  # noqa: B018
    config.freeze()
    assert config.frozen
    with pytest.raises(ValueError, match="frozen"):
        config.seed = 4
    with pytest.raises(ValueError, match="frozen"):
        config.update(seed=4)
    config.unfreeze()
    del config["seed"]
    assert "seed" not in config and config.as_dict() == {"learning_rate": 0.1, "momentum": 0.9}


# ------------------------------------------------------------------ seeds, session
def test_set_random_seed_repeats_every_generator():
    def draw():
        return (random.random(), np.random.rand(), ops.convert_to_numpy(kcore.random.uniform((3,))))

    utils.set_random_seed(1234)
    first = draw()
    utils.set_random_seed(1234)
    second = draw()
    assert first[0] == second[0] and first[1] == second[1]
    np.testing.assert_array_equal(first[2], second[2])
    utils.set_random_seed(99)
    assert draw()[0] != first[0]
    with pytest.raises(ValueError, match="int seed"):
        utils.set_random_seed(1.5)


def test_clear_session_restarts_layer_names():
    utils.clear_session(free_memory=False)
    assert kcore.layers.Dense(2).name == "dense"
    assert kcore.layers.Dense(2).name == "dense_1"
    utils.clear_session()
    assert kcore.layers.Dense(2).name == "dense"


def test_interactive_logging_switch(capsys):
    from kcore.utils.io_utils import print_msg

    utils.disable_interactive_logging()
    try:
        assert utils.is_interactive_logging_enabled() is False
        print_msg("hidden")
        assert capsys.readouterr().out == ""
    finally:
        utils.enable_interactive_logging()
    print_msg("shown")
    assert capsys.readouterr().out == "shown\n"


# ----------------------------------------------------------- functional helpers
def test_is_keras_tensor_and_get_source_inputs():
    a, b = kcore.Input((3,)), kcore.Input((3,))
    hidden = kcore.layers.Dense(2)(kcore.layers.Add()([a, b]))
    assert utils.is_keras_tensor(hidden) and not utils.is_keras_tensor(np.zeros(3))
    sources = utils.get_source_inputs(hidden)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert utils.get_source_inputs(a)[0] is a
    assert utils.standardize_dtype("float") == "float32"


# ------------------------------------------------------------------------ images
def test_array_image_round_trip(tmp_path):
    pytest.importorskip("PIL")
    x = np.arange(4 * 5 * 3, dtype="float32").reshape(4, 5, 3)
    img = utils.array_to_img(x, scale=False)
    assert img.size == (5, 4) and img.mode == "RGB"
    np.testing.assert_array_equal(utils.img_to_array(img), x)
    assert utils.img_to_array(img, data_format="channels_first").shape == (3, 4, 5)
    scaled = utils.img_to_array(utils.array_to_img(np.array([[[0.0], [0.5]], [[1.0], [0.25]]])))
    np.testing.assert_array_equal(scaled[..., 0], [[0, 127], [255, 63]])
    path = tmp_path / "x.png"
    utils.save_img(path, x, scale=False)
    np.testing.assert_array_equal(utils.img_to_array(utils.load_img(path)), x)
    gray = utils.load_img(path, color_mode="grayscale", target_size=(2, 3))
    assert gray.mode == "L" and utils.img_to_array(gray).shape == (2, 3, 1)
    with open(path, "rb") as handle:
        assert utils.load_img(io.BytesIO(handle.read())).size == (5, 4)


def test_load_img_keep_aspect_ratio_crops_center(tmp_path):
    pytest.importorskip("PIL")
    x = np.zeros((4, 8, 3), "float32")
    x[:, 2:6] = 255  # a white center square 4x4 in a black 4x8 image
    utils.save_img(tmp_path / "wide.png", x, scale=False)
    img = utils.load_img(tmp_path / "wide.png", target_size=(4, 4), keep_aspect_ratio=True)
    assert utils.img_to_array(img).min() == 255


def test_image_errors(tmp_path):
    pytest.importorskip("PIL")
    with pytest.raises(ValueError, match="3D array"):
        utils.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="color_mode must be"):
        utils.load_img(tmp_path / "none.png", color_mode="cmyk")


def test_missing_pillow_message(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pil(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("No module named 'PIL'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pil)
    with pytest.raises(ImportError, match="pip install pillow"):
        utils.array_to_img(np.zeros((2, 2, 3)))


# ---------------------------------------------------------------------- get_file
def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def served(tmp_path):
    """A folder served over HTTP on localhost, with a request counter."""
    folder = tmp_path / "served"
    folder.mkdir()
    hits = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 - the stdlib's name
            hits.append(self.path)
            super().do_GET()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_get_file_http_download_checksum_and_cache_hit(served, tmp_path):
    folder, url, hits = served
    (folder / "data.bin").write_bytes(b"kcore" * 1000)
    digest = _sha256(folder / "data.bin")
    cache = tmp_path / "cache"
    path = utils.get_file(origin=f"{url}/data.bin", file_hash=digest, cache_dir=cache)
    assert path == str(cache / "datasets" / "data.bin")
    assert open(path, "rb").read() == b"kcore" * 1000
    again = utils.get_file("data.bin", origin=f"{url}/data.bin", file_hash=digest, cache_dir=cache)
    assert again == path and hits == ["/data.bin"]  # the second call used the cache
    md5 = hashlib.md5(b"kcore" * 1000).hexdigest()
    assert (
        utils.get_file("data.bin", origin=f"{url}/data.bin", md5_hash=md5, cache_dir=cache) == path
    )
    utils.get_file("data.bin", origin=f"{url}/data.bin", cache_dir=cache, force_download=True)
    assert len(hits) == 2


def test_get_file_checksum_mismatch_deletes_the_download(served, tmp_path):
    folder, url, _ = served
    (folder / "data.bin").write_bytes(b"payload")
    with pytest.raises(ValueError, match="incomplete or corrupted.*expected 0{64}"):
        utils.get_file(origin=f"{url}/data.bin", file_hash="0" * 64, cache_dir=tmp_path)
    assert not (tmp_path / "datasets" / "data.bin").exists()


def test_get_file_redownloads_a_stale_cached_file(served, tmp_path):
    folder, url, hits = served
    (folder / "data.bin").write_bytes(b"fresh")
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "data.bin").write_bytes(b"stale")
    path = utils.get_file(
        origin=f"{url}/data.bin", file_hash=_sha256(folder / "data.bin"), cache_dir=tmp_path
    )
    assert open(path, "rb").read() == b"fresh" and len(hits) == 1


def test_get_file_extracts_tar_and_zip_from_file_url(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.txt").write_text("alpha")
    tar_path = tmp_path / "bundle.tar.gz"
    with tarfile.open(tar_path, "w:gz") as archive:
        archive.add(source / "a.txt", arcname="inner/a.txt")
    zip_path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("inner/b.txt", "beta")
    cache = tmp_path / "cache"
    out = utils.get_file(
        "bundle",
        origin=tar_path.as_uri(),
        extract=True,
        cache_dir=cache,
        file_hash=_sha256(tar_path),
    )
    assert out == str(cache / "datasets" / "bundle")
    assert open(os.path.join(out, "inner", "a.txt")).read() == "alpha"
    assert os.path.exists(str(cache / "datasets" / "bundle_archive"))
    out = utils.get_file(
        "b.zip", origin=zip_path.as_uri(), extract=True, cache_dir=cache, cache_subdir="zips"
    )
    assert out == str(cache / "zips" / "b_extracted")
    assert open(os.path.join(out, "inner", "b.txt")).read() == "beta"
    out = utils.get_file(origin=tar_path.as_uri(), untar=True, cache_dir=cache)
    assert open(os.path.join(out, "inner", "a.txt")).read() == "alpha"


def test_tar_members_leaving_the_folder_are_skipped(tmp_path):
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as archive:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 3
        archive.addfile(info, io.BytesIO(b"bad"))
        info = tarfile.TarInfo("ok.txt")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"ok"))
    with pytest.warns(UserWarning, match="leaves the archive"):
        assert file_utils.extract_archive(evil, tmp_path / "out")
    assert (tmp_path / "out" / "ok.txt").exists() and not (tmp_path / "escaped.txt").exists()


def test_get_file_offline_names_the_url_and_the_cache_path(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError(OSError(101, "Network is unreachable"))

    monkeypatch.setattr(file_utils.urllib.request, "urlopen", offline)
    origin = "https://example.invalid/files/weights.h5"
    with pytest.raises(file_utils.DownloadError) as info:
        utils.get_file(origin=origin, cache_dir=tmp_path)
    message = str(info.value)
    assert origin in message and str(tmp_path / "datasets" / "weights.h5") in message
    assert "place it at" in message and not list((tmp_path / "datasets").iterdir())


def test_get_file_unreachable_local_port(tmp_path):
    with pytest.raises(file_utils.DownloadError, match="Could not download http://127.0.0.1:9/x"):
        utils.get_file(origin="http://127.0.0.1:9/x", cache_dir=tmp_path)


def test_get_file_default_cache_is_kcore_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KCORE_HOME", str(tmp_path / "home"))
    (tmp_path / "f.txt").write_text("x")
    path = utils.get_file(origin=(tmp_path / "f.txt").as_uri())
    assert path == str(tmp_path / "home" / "datasets" / "f.txt")


def test_get_file_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="needs origin"):
        utils.get_file("x")
    with pytest.raises(ValueError, match="must be a file name"):
        utils.get_file("a/b.txt", origin="file:///x", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="hash_algorithm must be"):
        utils.get_file(
            origin="file:///x", file_hash="ab", hash_algorithm="sha1", cache_dir=tmp_path
        )
