"""One framework's data pipeline training a model on another backend: a torch
``DataLoader`` feeding jax and tensorflow, a ``tf.data`` pipeline feeding torch and jax.

Each pair runs ``fit``/``evaluate`` in a subprocess with that backend selected; it needs
both frameworks and the backend's distribution (the ``cross`` tox env has them all).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap

import pytest

from kcore import registry

SCRIPT = textwrap.dedent(
    """
    import numpy as np
    import kcore
    from kcore import layers

    source = {source!r}
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = (x[:, :1] * 2.0 - x[:, 1:2]).astype("float32")
    if source == "torch":
        import torch
        data = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
            batch_size=16,
        )
    else:
        import tensorflow as tf
        data = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    model = kcore.Sequential([kcore.Input((4,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=kcore.optimizers.SGD(0.1), loss="mse")
    history = model.fit(data, epochs=5, verbose=0)
    loss = model.evaluate(data, verbose=0)
    assert kcore.backend.current().name == {backend!r}
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0], history.history
    print("loss", loss)
    """
)

FRAMEWORK = {"jax": "jax", "torch": "torch", "tensorflow": "tensorflow"}
PAIRS = [("jax", "torch"), ("tensorflow", "torch"), ("torch", "tensorflow"), ("jax", "tensorflow")]


def _available(backend: str, source: str) -> bool:
    frameworks = (FRAMEWORK[backend], source)
    return backend in registry.available_backends() and all(
        importlib.util.find_spec(name) is not None for name in frameworks
    )


@pytest.mark.parametrize(("backend", "source"), PAIRS, ids=[f"{s}-feeds-{b}" for b, s in PAIRS])
def test_other_frameworks_pipeline_trains(backend, source, tmp_path):
    if not _available(backend, source):
        pytest.skip(f"needs {source} and the {backend} backend (the cross env has both)")
    from conftest import clean_env

    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(source=source, backend=backend)],
        env=clean_env(tmp_path, KCORE_BACKEND=backend),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "loss" in result.stdout
