"""kcore's main job: train, evaluate, save, reload and predict, on the selected backend.

A small convnet learns the 8x8 handwritten digits shipped inside kcore
(``kcore.datasets.digits``: no download), with Keras's progress bar; it is evaluated
on the held-out images, saved as a ``.keras`` archive, reloaded, and the reloaded
model's predictions must equal the trained model's. Finally the same archive is loaded
on the NumPy reference backend in a fresh process, which must predict the same.

    python examples/quickstart.py            # the default backend (jax)
    KCORE_BACKEND=torch python examples/quickstart.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import kcore
from kcore import layers

#: Run in the reference process: load the archive on the NumPy backend and predict.
REFERENCE = """
import sys
import numpy as np
import kcore
model = kcore.saving.load_model(sys.argv[1])
np.save(sys.argv[3], model.predict(np.load(sys.argv[2]), verbose=0))
"""


def build_model() -> kcore.Model:
    inputs = kcore.Input(shape=(8, 8, 1), name="image")
    x = layers.Conv2D(32, 3, activation="relu", padding="same")(inputs)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return kcore.Model(inputs, outputs, name="convnet")


def main() -> None:
    start = time.perf_counter()
    kcore.utils.set_random_seed(1)
    backend = kcore.backend.current()
    print(f"kcore {kcore.__version__} on {backend.name} {backend.framework_version or ''}")

    (x_train, y_train), (x_test, y_test) = kcore.datasets.digits.load_data()
    x_train = (x_train[..., None] / 16.0).astype("float32")
    x_test = (x_test[..., None] / 16.0).astype("float32")

    model = build_model()
    model.compile(
        optimizer=kcore.optimizers.Adam(2e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.summary()
    model.fit(x_train, y_train, batch_size=32, epochs=15, validation_split=0.1)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f}")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "convnet.keras"
        model.save(path)
        reloaded = kcore.saving.load_model(path)
        expected = model.predict(x_test, verbose=0)
        got = reloaded.predict(x_test, verbose=0)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
        print(f"saved {path.name} ({path.stat().st_size // 1024} KiB), reloaded: same predictions")

        np.save(Path(folder) / "images.npy", x_test)
        env = dict(os.environ, KCORE_BACKEND="numpy")
        subprocess.run(
            [
                sys.executable,
                "-c",
                REFERENCE,
                str(path),
                f"{folder}/images.npy",
                f"{folder}/reference.npy",
            ],
            env=env,
            check=True,
        )
        reference = np.load(Path(folder) / "reference.npy")
        np.testing.assert_allclose(reference, expected, rtol=1e-4, atol=1e-4)
        print("reloaded on the numpy backend in a fresh process: same predictions")

    if accuracy < 0.95:
        raise SystemExit(f"test accuracy {accuracy:.4f} is below 0.95")
    print(f"ok ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
