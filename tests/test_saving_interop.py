"""``.keras`` files move between kcore and real Keras 3, and between kcore backends.

The same model definitions (Sequential, functional, and a subclassed model with a
registered custom layer holding layers in attributes, a list and a private attribute)
run under the real ``keras`` in a subprocess (KERAS_BACKEND set, more than one backend
where installed) and under kcore on other backends in subprocesses (KCORE_BACKEND
set). Each side saves files and predictions and loads the other's: predictions must
agree, and the optimizer variables of a trained, compiled model must come through.

Which tests run where: the Keras tests need the ``keras`` package and one of its
frameworks; the cross-backend tests need the other backend's framework and kcore
distribution (numpy is always there), so a per-backend env runs them against numpy
and the ``cross`` env against every backend.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import kcore

pytest.importorskip("h5py")

CURRENT = kcore.backend.current().name
TRAINABLE = kcore.backend.current().capabilities.trainable
KINDS = ("sequential", "functional", "subclassed")
#: kcore backend -> (framework module, kcore distribution module)
_BACKEND_MODULES = {
    "jax": ("jax", "kcore_jax"),
    "torch": ("torch", "kcore_torch"),
    "tensorflow": ("tensorflow", "kcore_tf"),
    "numpy": (None, None),
}

#: Model definitions run as they are under kcore (``keras`` = kcore) and under Keras.
DEFS = """
import numpy as np

@keras.saving.register_keras_serializable(package="kcore_interop")
class Block(keras.layers.Layer):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = keras.layers.Dense(units, activation="relu")
        self.norm = keras.layers.BatchNormalization()
        self.items = [keras.layers.Dense(units), keras.layers.Dense(units)]
        self._extra = keras.layers.Dense(units)

    def call(self, x, training=None):
        x = self.norm(self.dense(x), training=training)
        return self._extra(self.items[1](self.items[0](x)))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="kcore_interop")
class Sub(keras.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.zeta = keras.layers.Dense(units)
        self.alpha = Block(4)

    def call(self, x):
        return self.zeta(self.alpha(x))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


X = np.linspace(-1.0, 1.0, 12, dtype="float32").reshape(4, 3)
Y = np.ones((4, 2), "float32")


def make(kind):
    if kind == "sequential":
        return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                                 keras.layers.BatchNormalization(), keras.layers.Dropout(0.1),
                                 keras.layers.Dense(2)])
    if kind == "functional":
        inputs = keras.Input((3,))
        a = keras.layers.Dense(5, activation="relu")(inputs)
        b = keras.layers.Dense(5)(inputs)
        return keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Concatenate()([a, b])))
    model = Sub()
    model(X)
    return model


def randomized(kind, seed):
    model = make(kind)
    rng = np.random.RandomState(seed)
    for w in model.weights:
        w.assign((rng.rand(*w.shape) * 0.5 + 0.25).astype("float32"))
    return model


def predict(model):
    return np.asarray(keras.ops.convert_to_numpy(model(X, training=False)))


def optimizer_values(model):
    return [np.asarray(keras.ops.convert_to_numpy(v)) for v in model.optimizer.variables]


KINDS = ("sequential", "functional", "subclassed")


def save_all(directory, prefix, seed, trainable):
    for kind in KINDS:
        model = randomized(kind, seed)
        model.save(f"{directory}/{prefix}_{kind}.keras")
        np.save(f"{directory}/{prefix}_{kind}.npy", predict(model))
    if trainable:
        model = randomized("functional", seed)
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        model.fit(X, Y, epochs=2, batch_size=4, verbose=0)
        model.save(f"{directory}/{prefix}_trained.keras")
        np.savez(f"{directory}/{prefix}_trained_optimizer.npz", *optimizer_values(model))


def load_all(directory, prefix, suffix):
    import os
    for kind in KINDS:
        path = f"{directory}/{prefix}_{kind}.keras"
        if os.path.exists(path):
            model = keras.saving.load_model(path)
            np.save(f"{directory}/{prefix}_{kind}.{suffix}.npy", predict(model))
    path = f"{directory}/{prefix}_trained.keras"
    if os.path.exists(path):
        model = keras.saving.load_model(path)
        np.savez(f"{directory}/{prefix}_trained.{suffix}.npz", *optimizer_values(model))
"""

#: Run in a subprocess: argv = directory, "keras" or "kcore", prefix to save, seed,
#: trainable (0/1), prefix to load, suffix for what it loads.
SCRIPT = """
import sys
directory, library, prefix, seed, trainable, load_prefix, suffix = sys.argv[1:8]
if library == "keras":
    import keras
else:
    import kcore as keras
exec(compile(open(directory + "/defs.py").read(), "defs.py", "exec"))
save_all(directory, prefix, int(seed), trainable == "1")
load_all(directory, load_prefix, suffix)
"""

namespace = {"keras": kcore}
exec(compile(DEFS, "defs.py", "exec"), namespace)


def _available(module):
    try:
        return module is None or importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _env(tmp_path, **settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KCORE_", "KERAS_"))}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", KERAS_HOME=str(tmp_path / "keras-home"))
    env["KCORE_HOME"] = str(tmp_path / "kcore-home")
    env.update(settings)
    return env


def _run(directory, env, *args):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(directory), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]


@pytest.fixture(scope="module")
def here_files(tmp_path_factory):
    """The files and predictions of the models saved on this backend (made once)."""
    directory = tmp_path_factory.mktemp("here")
    namespace["save_all"](str(directory), "here", 1, TRAINABLE)
    return directory


def _shared_dir(tmp_path_factory, here_files, name):
    directory = tmp_path_factory.mktemp(name)
    (directory / "defs.py").write_text(DEFS)
    for path in here_files.iterdir():
        shutil.copy(path, directory / path.name)
    return directory


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def _assert_optimizer_matches(expected_npz, model):
    expected = np.load(expected_npz)
    values = namespace["optimizer_values"](model)
    assert len(values) == len(expected.files) > 2
    for index, value in enumerate(values):
        _close(value, expected[f"arr_{index}"])


# ------------------------------------------------------------------------- Keras 3
def _keras_backends():
    if not _available("keras"):
        return []
    frameworks = [f for f in ("tensorflow", "jax", "torch") if _available(f)]
    chosen = [CURRENT] if CURRENT in frameworks else []
    chosen += [f for f in frameworks if f not in chosen][: 2 - len(chosen)]
    return chosen


KERAS_BACKENDS = _keras_backends()
needs_keras = pytest.mark.skipif(
    not KERAS_BACKENDS, reason="needs the keras package and one of its frameworks"
)


@pytest.fixture(scope="module", params=KERAS_BACKENDS or ["none"])
def keras_dir(request, tmp_path_factory, here_files):
    if request.param == "none":
        pytest.skip("needs the keras package and one of its frameworks")
    directory = _shared_dir(tmp_path_factory, here_files, f"keras-{request.param}")
    env = _env(directory, KERAS_BACKEND=request.param)
    _run(directory, env, "keras", "keras", "2", "1", "here", "in_keras")
    return directory


@needs_keras
@pytest.mark.parametrize("kind", KINDS)
def test_keras_file_loads_in_kcore(keras_dir, kind):
    model = kcore.saving.load_model(keras_dir / f"keras_{kind}.keras")
    _close(namespace["predict"](model), np.load(keras_dir / f"keras_{kind}.npy"))


@needs_keras
@pytest.mark.parametrize("kind", KINDS)
def test_kcore_file_loads_in_keras(keras_dir, kind):
    _close(
        np.load(keras_dir / f"here_{kind}.in_keras.npy"), np.load(keras_dir / f"here_{kind}.npy")
    )


@needs_keras
def test_compile_state_and_optimizer_from_keras(keras_dir):
    model = kcore.saving.load_model(keras_dir / "keras_trained.keras", compile=TRAINABLE)
    if not TRAINABLE:
        assert not getattr(model, "compiled", False)
        return
    assert model.compiled and type(model.optimizer).__name__ == "Adam"
    _assert_optimizer_matches(keras_dir / "keras_trained_optimizer.npz", model)


@needs_keras
@pytest.mark.skipif(not TRAINABLE, reason="inference-only backend: trains nothing to save")
def test_compile_state_and_optimizer_into_keras(keras_dir):
    expected = np.load(keras_dir / "here_trained_optimizer.npz")
    loaded = np.load(keras_dir / "here_trained.in_keras.npz")
    assert len(loaded.files) == len(expected.files) > 2
    for name in expected.files:
        _close(loaded[name], expected[name])


# ------------------------------------------------------------------- kcore backends
OTHER_BACKENDS = [
    name
    for name, (framework, distribution) in _BACKEND_MODULES.items()
    if name != CURRENT and _available(framework) and _available(distribution)
]


@pytest.fixture(scope="module", params=OTHER_BACKENDS or ["none"])
def backend_dir(request, tmp_path_factory, here_files):
    if request.param == "none":
        pytest.skip("no other kcore backend is installed here")
    directory = _shared_dir(tmp_path_factory, here_files, f"kcore-{request.param}")
    trainable = "0" if request.param == "numpy" else "1"
    env = _env(directory, KCORE_BACKEND=request.param)
    _run(directory, env, "kcore", "there", "3", trainable, "here", "there")
    return request.param, directory


@pytest.mark.parametrize("kind", KINDS)
def test_file_from_another_backend_loads_here(backend_dir, kind):
    _, directory = backend_dir
    model = kcore.saving.load_model(directory / f"there_{kind}.keras")
    _close(namespace["predict"](model), np.load(directory / f"there_{kind}.npy"))


@pytest.mark.parametrize("kind", KINDS)
def test_file_from_here_loads_on_another_backend(backend_dir, kind):
    _, directory = backend_dir
    _close(np.load(directory / f"here_{kind}.there.npy"), np.load(directory / f"here_{kind}.npy"))


def test_optimizer_state_moves_between_backends(backend_dir):
    name, directory = backend_dir
    if TRAINABLE and name != "numpy":
        model = kcore.saving.load_model(directory / "there_trained.keras")
        _assert_optimizer_matches(directory / "there_trained_optimizer.npz", model)
    elif TRAINABLE:  # numpy loaded this backend's trained model, optimizer included
        loaded = np.load(directory / "here_trained.there.npz")
        expected = np.load(directory / "here_trained_optimizer.npz")
        assert len(loaded.files) == len(expected.files) > 2
        for key in expected.files:
            _close(loaded[key], expected[key])
    else:
        pytest.skip("numpy neither trains nor (here) loads another backend's optimizer")
