"""kcore's main job, for now: a Keras model built, run and moved between backends.

A small convnet is built with ``kcore.layers`` (the functional API) on whichever backend
is selected, summarized, and run on a batch of images. Its config (JSON) and weights
(NumPy arrays) are then written to a temporary folder and rebuilt in a fresh process
on the built-in NumPy reference backend, whose predictions must match. (Training and
the ``.keras`` format arrive with the training and saving work; this script grows with
them.)

    python examples/quickstart.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import kcore
from kcore import layers

# Run in the reference process: rebuild the model from its config and weights.
REFERENCE = """
import json, sys
from pathlib import Path
import numpy as np
import kcore
folder = Path(sys.argv[1])
model = kcore.models.model_from_json((folder / "model.json").read_text())
weights = np.load(folder / "weights.npz")
model.set_weights([weights[f"w{i}"] for i in range(len(weights.files))])
probs = kcore.ops.convert_to_numpy(model(np.load(folder / "images.npy")))
np.save(folder / "reference.npy", probs)
"""


def build_model() -> kcore.Model:
    inputs = kcore.Input(shape=(8, 8, 1), name="image")
    x = layers.Conv2D(8, 3, activation="relu", padding="same")(inputs)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(32, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return kcore.Model(inputs, outputs, name="convnet")


def main() -> None:
    backend = kcore.backend.current()
    print(
        f"kcore {kcore.__version__}: backend {backend.name} "
        f"({backend.framework} {backend.framework_version}, from "
        f"{kcore.config.backend_source()}), devices {', '.join(backend.capabilities.devices)}"
    )
    model = build_model()
    model.summary()

    images = np.random.default_rng(0).random((64, 8, 8, 1), dtype=np.float32)
    start = time.perf_counter()
    probs = kcore.ops.convert_to_numpy(model(images))
    elapsed = time.perf_counter() - start
    print(
        f"forward pass: {probs.shape[0]} images -> {probs.shape[1]} classes in "
        f"{elapsed * 1e3:.1f} ms; rows sum to 1 within {np.max(np.abs(probs.sum(-1) - 1)):.1e}"
    )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        (path / "model.json").write_text(model.to_json())
        np.savez(path / "weights.npz", **{f"w{i}": w for i, w in enumerate(model.get_weights())})
        np.save(path / "images.npy", images)
        env = {**os.environ, "KCORE_BACKEND": "numpy"}
        subprocess.run([sys.executable, "-c", REFERENCE, folder], env=env, check=True)
        reference = np.load(path / "reference.npy")
    error = float(np.max(np.abs(probs - reference)))
    print(
        f"rebuilt from {len(json.loads(model.to_json())['config']['layers'])} layer configs "
        f"and {len(model.get_weights())} weight arrays on the NumPy reference backend: "
        f"max difference {error:.1e}"
    )
    if error > 1e-4:
        raise SystemExit(f"mismatch with the reference backend: {error}")
    print("ok")


if __name__ == "__main__":
    main()
