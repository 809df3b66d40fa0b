"""Damaged and hostile files get clear errors and change nothing (on disk, or in the
model a load was meant for); an interrupted save keeps the previous file."""

from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np
import pytest

import kcore
from kcore import layers, saving

h5py = pytest.importorskip("h5py")

X = np.linspace(-1.0, 1.0, 6, dtype="float32").reshape(2, 3)


def _model():
    return kcore.Sequential([kcore.Input((3,)), layers.Dense(4), layers.Dense(2)])


@pytest.fixture(scope="module")
def good_archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("good") / "model.keras"
    _model().save(path)
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _write_archive(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _edit_weights(data, edit):
    buffer = io.BytesIO(data)
    with h5py.File(buffer, "a") as f:
        edit(f)
    return buffer.getvalue()


def _snapshot(directory):
    return {p: open(os.path.join(directory, p), "rb").read() for p in sorted(os.listdir(directory))}


def _replace(group, key, value):
    del group[key]
    group[key] = value


CORPUS = {
    "truncated zip": (
        lambda m: None,
        r"not a readable \.keras archive \(truncated or damaged zip\?\)",
    ),
    "invalid json": (
        lambda m: {**m, "config.json": b'{"class_name": "Sequential", '},
        r"config\.json is not valid JSON",
    ),
    "unknown class": (
        lambda m: {
            **m,
            "config.json": m["config.json"].replace(
                b'"class_name": "Dense"', b'"class_name": "Dense9"', 1
            ),
        },
        r"could not rebuild the model: could not find class or function 'Dense9'",
    ),
    "missing weights file": (
        lambda m: {k: v for k, v in m.items() if k != "model.weights.h5"},
        r"the archive has no model\.weights\.h5",
    ),
    "missing layer weights": (
        lambda m: {
            **m,
            "model.weights.h5": _edit_weights(
                m["model.weights.h5"], lambda f: f.__delitem__("layers/dense_1/vars/1")
            ),
        },
        r"Layer 'dense_\d+' \(Dense\) expected 2 weights \['kernel', 'bias'\], but the file holds 1",
    ),
    "mismatched shape": (
        lambda m: {
            **m,
            "model.weights.h5": _edit_weights(
                m["model.weights.h5"],
                lambda f: _replace(f["layers/dense/vars"], "0", np.zeros((3, 5), "float32")),
            ),
        },
        r"weight 0 \(kernel\) expects shape \(3, 4\), the file holds shape \(3, 5\)",
    ),
    "wrong dtype": (
        lambda m: {
            **m,
            "model.weights.h5": _edit_weights(
                m["model.weights.h5"],
                lambda f: _replace(f["layers/dense/vars"], "1", np.array([b"a", b"b", b"c", b"d"])),
            ),
        },
        r"weight 1 \(bias\) has dtype float32, the file holds dtype \|S1",
    ),
    "not hdf5 weights": (
        lambda m: {**m, "model.weights.h5": b"not an hdf5 file at all"},
        r"not a valid HDF5 file",
    ),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_damaged_archive_is_refused_clearly(tmp_path, good_archive, case):
    make, message = CORPUS[case]
    path = tmp_path / "damaged.keras"
    members = make(good_archive)
    if members is None:  # truncated: the first half of a good file
        _write_archive(path, good_archive)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        _write_archive(path, members)
    before = _snapshot(tmp_path)
    with pytest.raises(ValueError, match=message):
        saving.load_model(path)
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("case", ["missing layer weights", "mismatched shape", "wrong dtype"])
def test_damaged_weights_leave_the_model_unchanged(tmp_path, good_archive, case):
    make, message = CORPUS[case]
    path = tmp_path / "damaged.weights.h5"
    path.write_bytes(make(good_archive)["model.weights.h5"])
    model = _model()
    before = [w.numpy() for w in model.weights]
    with pytest.raises(ValueError, match=message):
        model.load_weights(path)
    for weight, value in zip(model.weights, before):
        np.testing.assert_array_equal(weight.numpy(), value)


@pytest.mark.parametrize(
    "name", ["../outside.txt", "/etc/absolute.txt", "assets\\..\\x.txt", "assets/../../x.txt"]
)
def test_members_outside_the_root_are_refused(tmp_path, good_archive, name):
    path = _write_archive(tmp_path / "hostile.keras", {**good_archive, name: b"payload"})
    with pytest.raises(ValueError, match="outside the archive root"):
        saving.load_model(path)
    assert not (tmp_path.parent / "outside.txt").exists()


def test_oversized_members_are_refused(tmp_path, good_archive, monkeypatch):
    from kcore.saving import archive

    monkeypatch.setattr(archive, "BOMB_FLOOR_BYTES", 1 << 16)
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in good_archive.items():
            zf.writestr(name, data)
        zf.writestr("assets/zeros.bin", bytes(1 << 20))  # 1 MiB stored in ~1 KiB
    with pytest.raises(ValueError, match=r"declares 1048576 bytes but stores \d+"):
        saving.load_model(path)
    monkeypatch.setattr(archive, "MAX_JSON_BYTES", 64)
    with pytest.raises(ValueError, match="config.json is .* bytes, over the 64-byte limit"):
        saving.load_model(_write_archive(tmp_path / "big.keras", good_archive))


def test_links_in_weights_are_refused(tmp_path, good_archive):
    external = tmp_path / "other.h5"
    with h5py.File(external, "w") as f:
        f["x"] = np.zeros((3, 4), "float32")

    def link(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink(str(external), "/x")

    path = tmp_path / "linked.weights.h5"
    path.write_bytes(_edit_weights(good_archive["model.weights.h5"], link))
    with pytest.raises(ValueError, match="ExternalLink, which would read data from outside"):
        _model().load_weights(path)

    def soft(f):
        f.move("layers/dense_1/vars/0", "elsewhere")
        f["layers/dense_1/vars/0"] = h5py.SoftLink("/elsewhere")

    path.write_bytes(_edit_weights(good_archive["model.weights.h5"], soft))
    with pytest.raises(ValueError, match="SoftLink"):
        _model().load_weights(path)


def test_keras_archive_holds_no_pickle(tmp_path, good_archive):
    for name, data in good_archive.items():
        assert b"\x80\x04\x95" not in data and b"\x80\x05\x95" not in data, name
    assert json.loads(good_archive["config.json"])["class_name"] == "Sequential"


class _FailingLayer(layers.Layer):
    """Fails half-way through writing its state, like an interrupted save."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.w

    def save_own_variables(self, store):
        store["0"] = self.w.numpy()
        raise OSError("disk full (simulated)")


@pytest.mark.parametrize("filename", ["model.keras", "model.weights.h5"])
def test_interrupted_save_keeps_the_previous_file(tmp_path, filename):
    path = tmp_path / filename
    good = _model()
    good.save(path) if filename.endswith(".keras") else good.save_weights(path)
    previous = path.read_bytes()
    failing = kcore.Sequential([kcore.Input((3,)), _FailingLayer()])
    with pytest.raises(OSError, match="disk full"):
        failing.save(path) if filename.endswith(".keras") else failing.save_weights(path)
    assert path.read_bytes() == previous
    assert os.listdir(tmp_path) == [filename]  # no temporary file left behind
    restored = kcore.Sequential([kcore.Input((3,)), layers.Dense(4), layers.Dense(2)])
    restored.load_weights(path)
    np.testing.assert_array_equal(restored.weights[0].numpy(), good.weights[0].numpy())


def test_interrupted_write_of_the_archive_keeps_the_previous_file(tmp_path, monkeypatch):
    from kcore.saving.h5_store import WeightsWriter

    path = tmp_path / "model.keras"
    _model().save(path)
    previous = path.read_bytes()

    def broken(self, target):
        target.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(WeightsWriter, "write_h5", broken)
    with pytest.raises(KeyboardInterrupt):
        _model().save(path)
    assert path.read_bytes() == previous and os.listdir(tmp_path) == ["model.keras"]
