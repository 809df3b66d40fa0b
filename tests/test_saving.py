"""Saving on the selected backend: ``.keras`` archives and ``.weights.h5`` files round
trip Sequential, functional and subclassed models (with registered custom objects),
compile state and optimizer variables; ``skip_mismatch``, sharded weights, unzipped
directories, assets, safe mode and ``KerasFileEditor``."""

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

TRAINABLE = kcore.backend.current().capabilities.trainable
needs_training = pytest.mark.skipif(not TRAINABLE, reason="inference-only backend: no compile/fit")
X = np.linspace(-1.0, 1.0, 12, dtype="float32").reshape(4, 3)


@saving.register_keras_serializable(package="kcore_saving_test")
class Block(layers.Layer):
    """A layer holding layers in attributes, a list and a private attribute."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(units, activation="relu")
        self.norm = layers.BatchNormalization()
        self.items = [layers.Dense(units), layers.Dense(units)]
        self._extra = layers.Dense(units)

    def call(self, x, training=None):
        x = self.norm(self.dense(x), training=training)
        return self._extra(self.items[1](self.items[0](x)))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@saving.register_keras_serializable(package="kcore_saving_test")
class Sub(kcore.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.zeta = layers.Dense(units)
        self.alpha = Block(4)

    def call(self, x):
        return self.zeta(self.alpha(x))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _randomize(model, seed=0):
    rng = np.random.RandomState(seed)
    for weight in model.weights:
        weight.assign((rng.rand(*weight.shape) * 0.5 + 0.25).astype(weight.dtype))
    return model


def _sequential():
    return kcore.Sequential(
        [
            kcore.Input((3,)),
            layers.Dense(4, activation="tanh"),
            layers.BatchNormalization(),
            layers.Dropout(0.1),
            layers.Dense(2),
        ]
    )


def _functional():
    inputs = kcore.Input((3,))
    a = layers.Dense(5, activation="relu")(inputs)
    b = layers.Dense(5)(inputs)
    return kcore.Model(inputs, layers.Dense(2)(layers.Concatenate()([a, b])))


def _subclassed():
    model = Sub()
    model(X)
    return model


MAKERS = {"sequential": _sequential, "functional": _functional, "subclassed": _subclassed}


def _predict(model):
    return kcore.ops.convert_to_numpy(model(X, training=False))


def _h5_paths(data):
    paths = []
    with h5py.File(io.BytesIO(data) if isinstance(data, bytes) else data, "r") as f:
        f.visit(paths.append)
    return sorted(paths)


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_keras_archive_round_trip(tmp_path, kind):
    model = _randomize(MAKERS[kind]())
    path = tmp_path / "model.keras"
    saving.save_model(model, path)
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        metadata = json.loads(zf.read("metadata.json"))
        config = json.loads(zf.read("config.json"))
    assert metadata["keras_version"] == "3.15.1"
    assert config["class_name"] == {"sequential": "Sequential", "functional": "Functional"}.get(
        kind, "Sub"
    )
    restored = saving.load_model(path)
    assert type(restored) is type(model)
    np.testing.assert_allclose(_predict(restored), _predict(model), rtol=1e-5, atol=1e-6)
    for a, b in zip(model.weights, restored.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_weights_layout_is_keras(tmp_path):
    path = tmp_path / "m.weights.h5"
    saving.save_weights(_subclassed(), path)
    paths = _h5_paths(str(path))
    # Attributes sorted (private last); Model.layers reaches zeta before its own name.
    assert "layers/dense/vars/1" in paths  # zeta, reached through Model.layers
    assert "alpha/dense/vars/0" in paths
    assert "alpha/norm/vars/3" in paths  # gamma, beta, moving mean, moving variance
    assert "alpha/items/dense_1/vars/1" in paths
    assert "alpha/_extra/vars/0" in paths
    with h5py.File(path, "r") as f:
        assert f["alpha/vars"].attrs["name"] == "block" or f["alpha/vars"].attrs["name"].startswith(
            "block"
        )
        assert f["alpha/norm/vars/0"].shape == (4,)
    seq_path = tmp_path / "s.weights.h5"
    saving.save_weights(_sequential(), seq_path)
    assert [p for p in _h5_paths(str(seq_path)) if p.endswith("vars")] == [
        "layers/batch_normalization/vars",
        "layers/dense/vars",
        "layers/dense_1/vars",
        "layers/dropout/vars",
        "vars",
    ]


def test_save_load_weights_and_model_methods(tmp_path):
    model = _randomize(_functional(), seed=1)
    model.save_weights(tmp_path / "a.weights.h5")
    other = _randomize(_functional(), seed=2)
    other.load_weights(tmp_path / "a.weights.h5")
    np.testing.assert_array_equal(_predict(other), _predict(model))
    model.save(tmp_path / "a.keras")
    third = _randomize(_functional(), seed=3)
    saving.load_weights(third, tmp_path / "a.keras")  # weights straight from an archive
    np.testing.assert_array_equal(_predict(third), _predict(model))


def test_weights_filename_must_say_what_it_is(tmp_path):
    with pytest.raises(ValueError, match=r"must end in \.weights\.h5"):
        saving.save_weights(_sequential(), tmp_path / "model.h5")
    with pytest.raises(ValueError, match=r"expected a filepath ending in \.keras"):
        saving.save_model(_sequential(), tmp_path / "model.zip")
    with pytest.raises(ValueError, match="not built"):
        saving.save_weights(kcore.Sequential([layers.Dense(2)]), tmp_path / "x.weights.h5")


def test_skip_mismatch(tmp_path):
    source = _randomize(kcore.Sequential([kcore.Input((3,)), layers.Dense(4), layers.Dense(2)]))
    source.save_weights(tmp_path / "s.weights.h5")
    target = kcore.Sequential([kcore.Input((3,)), layers.Dense(4), layers.Dense(5)])
    before = [w.numpy() for w in target.weights]
    with pytest.raises(ValueError, match=r"expects shape \(4, 5\), the file holds shape \(4, 2\)"):
        target.load_weights(tmp_path / "s.weights.h5")
    for w, b in zip(target.weights, before):  # nothing was assigned
        np.testing.assert_array_equal(w.numpy(), b)
    with pytest.warns(UserWarning, match="skip_mismatch"):
        target.load_weights(tmp_path / "s.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(target.weights[0].numpy(), source.weights[0].numpy())
    np.testing.assert_array_equal(target.weights[2].numpy(), before[2])


def test_sharded_weights(tmp_path):
    model = _randomize(_sequential())
    index = tmp_path / "model.weights.json"
    saving.save_weights(model, index, max_shard_size=64 / 1024**3)  # 64 bytes a shard
    # 64-byte shards: dense (48 + 16 bytes), batch norm (4 x 16), dense_1 (32 + 8).
    shards = sorted(p.name for p in tmp_path.glob("model_*.weights.h5"))
    assert shards == [f"model_0000{i}.weights.h5" for i in range(3)]
    weight_map = json.loads(index.read_text())["weight_map"]
    assert weight_map["/layers/dense/vars"] == "model_00000.weights.h5"
    assert weight_map["/layers/dense_1/vars"] == "model_00002.weights.h5"
    other = _randomize(_sequential(), seed=5)
    other.load_weights(index)
    for a, b in zip(model.weights, other.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_unzipped_directory(tmp_path):
    model = _randomize(_functional())
    target = tmp_path / "saved_model"
    saving.save_model(model, target, zipped=False)
    assert sorted(os.listdir(target)) == ["config.json", "metadata.json", "model.weights.h5"]
    np.testing.assert_allclose(_predict(saving.load_model(target)), _predict(model), rtol=1e-6)


def test_custom_objects_argument(tmp_path):
    class Scale(layers.Layer):  # not registered
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

        def call(self, x):
            return x * self.w * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = kcore.Sequential([kcore.Input((3,)), Scale(3.0)])
    model.layers[0].w.assign(np.array([1.0, 2.0, 3.0], "float32"))
    model.save(tmp_path / "s.keras")
    with pytest.raises(ValueError, match="could not find class or function 'Scale'"):
        saving.load_model(tmp_path / "s.keras")
    restored = saving.load_model(tmp_path / "s.keras", custom_objects={"Scale": Scale})
    np.testing.assert_allclose(_predict(restored), X * np.array([3.0, 6.0, 9.0]), rtol=1e-6)


def test_lambda_needs_safe_mode_off(tmp_path):
    model = kcore.Sequential([kcore.Input((3,)), layers.Lambda(lambda x: x * 2.0 + 1.0)])
    model.save(tmp_path / "l.keras")
    with pytest.raises(ValueError, match="safe mode"):
        saving.load_model(tmp_path / "l.keras")
    restored = saving.load_model(tmp_path / "l.keras", safe_mode=False)
    np.testing.assert_allclose(_predict(restored), X * 2.0 + 1.0, rtol=1e-6)


def test_assets_round_trip(tmp_path):
    lookup = layers.IntegerLookup()
    lookup.adapt(np.array([7, 3, 7, 9, 7, 3]))
    inputs = kcore.Input((2,), dtype="int32")
    model = kcore.Model(inputs, lookup(inputs))
    model.save(tmp_path / "lookup.keras")
    with zipfile.ZipFile(tmp_path / "lookup.keras") as zf:
        vocabulary = zf.read("assets/layers/integer_lookup/vocabulary.txt").decode()
    assert vocabulary.splitlines() == ["-1", "7", "3", "9"]  # the layer writes its OOV token too
    restored = saving.load_model(tmp_path / "lookup.keras")
    assert restored.layers[1].get_vocabulary() == [-1, 7, 3, 9]
    codes = restored(np.array([[9, 7], [3, 5]], "int32"))
    np.testing.assert_array_equal(kcore.ops.convert_to_numpy(codes), [[3, 1], [2, 0]])


def test_overwrite_false_keeps_the_file(tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(b"previous")
    saving.save_model(_sequential(), path, overwrite=False)  # no terminal: not replaced
    assert path.read_bytes() == b"previous"


def test_file_editor(tmp_path, capsys):
    model = _randomize(_sequential())
    model.save(tmp_path / "m.keras")
    editor = saving.KerasFileEditor(str(tmp_path / "m.keras"))
    assert sorted(editor.weights_dict["layers"]) == ["batch_normalization", "dense", "dense_1"]
    editor.summary()
    out = capsys.readouterr().out
    assert "└─ dense_1 ('dense" in out and "0: shape=(4, 2), dtype=float32" in out
    assert editor.compare(model) == {"status": "success", "error_count": 0, "match_count": 8}
    kernel = editor.weights_dict["layers"]["dense_1"]["0"]
    editor.rename_object("dense_1", "renamed")
    editor.delete_object("layers/batch_normalization")
    editor.add_object("layers/extra", {"0": np.zeros((2,), "float32")})
    editor.add_weights("renamed", {"9": np.ones((1,), "float32")})
    editor.delete_weight("renamed", "9")
    result = editor.compare(model)
    assert result["status"] == "error" and result["error_count"] == 4
    with pytest.raises(ValueError, match="does not appear"):
        editor.delete_object("nothing_here")
    editor.rename_object("layers/renamed", "dense_1")
    editor.delete_object("extra")
    editor.add_object(
        "layers/batch_normalization",
        {str(i): w.numpy() for i, w in enumerate(model.layers[1].weights)},
    )
    editor.save(tmp_path / "edited.weights.h5")
    other = _randomize(_sequential(), seed=9)
    other.load_weights(tmp_path / "edited.weights.h5")
    np.testing.assert_array_equal(other.layers[3].weights[0].numpy(), kernel)
    np.testing.assert_allclose(_predict(other), _predict(model), rtol=1e-6)


@needs_training
def test_compile_state_and_optimizer_resume(tmp_path):
    y = np.ones((4, 2), "float32")
    model = _randomize(_functional())  # no dropout: seed states are not saved (as in Keras)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(X, y, epochs=1, batch_size=4, verbose=0)
    model.save(tmp_path / "trained.keras")
    restored = saving.load_model(tmp_path / "trained.keras")
    assert restored.compiled and type(restored.optimizer).__name__ == "Adam"
    assert len(restored.optimizer.variables) == len(model.optimizer.variables)
    for a, b in zip(model.optimizer.variables, restored.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))
    # Training goes on where it left off: one more step on each gives the same weights.
    model.fit(X, y, epochs=1, batch_size=4, verbose=0)
    restored.fit(X, y, epochs=1, batch_size=4, verbose=0)
    for a, b in zip(model.weights, restored.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
    uncompiled = saving.load_model(tmp_path / "trained.keras", compile=False)
    assert not uncompiled.compiled
