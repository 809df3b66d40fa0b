"""kcore's main job, for now: the selected backend computes with ``kcore.ops``.

A two-layer network's forward pass over a batch of inputs, on whichever backend is
selected, checked against the built-in NumPy reference backend. (Training, saving and
reloading arrive with the layers and training work; this script grows with them.)

    python examples/quickstart.py
"""

from __future__ import annotations

import time

import numpy as np

import kcore
from kcore.ops.contract import namespace_for


def forward(o, x, w1, b1, w2, b2):
    """Class probabilities of a ReLU MLP, written once against ``kcore.ops``."""
    hidden = o.relu(o.add(o.matmul(x, w1), b1))
    return o.softmax(o.add(o.matmul(hidden, w2), b2), axis=-1)


def main() -> None:
    rng = np.random.default_rng(0)
    data = [
        rng.standard_normal(s).astype("float32")
        for s in [(256, 64), (64, 32), (32,), (32, 10), (10,)]
    ]
    backend = kcore.backend.current()
    print(
        f"kcore {kcore.__version__}: backend {backend.name} "
        f"({backend.framework} {backend.framework_version}, from "
        f"{kcore.config.backend_source()}), devices {', '.join(backend.capabilities.devices)}"
    )

    ops = kcore.ops
    tensors = [ops.convert_to_tensor(a) for a in data]
    start = time.perf_counter()
    probs = forward(ops, *tensors)
    result = ops.convert_to_numpy(probs)
    elapsed = time.perf_counter() - start

    reference = namespace_for(kcore.backend.get_backend("numpy"))
    expected = reference.convert_to_numpy(forward(reference, *data))
    error = float(np.max(np.abs(result - expected)))
    row_sums = ops.convert_to_numpy(ops.sum(probs, axis=-1))
    print(
        f"forward pass: {result.shape[0]} samples -> {result.shape[1]} classes "
        f"in {elapsed * 1e3:.1f} ms; rows sum to 1 within "
        f"{float(np.max(np.abs(row_sums - 1))):.1e}"
    )
    print(f"max difference from the NumPy reference backend: {error:.1e}")
    if error > 1e-4:
        raise SystemExit(f"mismatch with the reference backend: {error}")
    print("ok")


if __name__ == "__main__":
    main()
