"""Per-call cost of ``kcore.ops`` against the framework's own call and Keras 3.

For each installed backend, in a fresh process with that backend selected, times
``kcore.ops.add(x, y)``, ``matmul``, ``relu``, ``sin`` and ``mean(x, axis=0)`` on small float32
tensors against the native call (``jnp.add``, ``torch.add``, ...) and, where the
``keras`` package and its backend are installed, ``keras.ops`` on the same backend.
Candidates are interleaved over several rounds; the figure is the best round's mean.

    python bench/op_overhead.py [--json bench/results/op_overhead.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time

# Run inside the child process: {native} is filled per backend.
CHILD = r"""
import json, sys, timeit
import numpy as np
import kcore
ops = kcore.ops
backend = kcore.backend.current()
a = np.ones((8, 8), np.float32)
x, y = ops.convert_to_tensor(a), ops.convert_to_tensor(a)
{native}
cases = {{
    "add": (lambda: ops.add(x, y), lambda: n_add(x, y)),
    "matmul": (lambda: ops.matmul(x, y), lambda: n_matmul(x, y)),
    "relu": (lambda: ops.relu(x), lambda: n_relu(x)),
}}
if "n_sin" in globals():  # ops the backend has natively (openvino: the first three)
    cases["sin"] = (lambda: ops.sin(x), lambda: n_sin(x))
    cases["mean"] = (lambda: ops.mean(x, axis=0), lambda: n_mean(x))
keras_cases = {{}}
if {with_keras}:
    import keras
    kx, ky = keras.ops.convert_to_tensor(a), keras.ops.convert_to_tensor(a)
    keras_cases = {{
        "add": lambda: keras.ops.add(kx, ky),
        "matmul": lambda: keras.ops.matmul(kx, ky),
        "relu": lambda: keras.ops.relu(kx),
        "sin": lambda: keras.ops.sin(kx),
        "mean": lambda: keras.ops.mean(kx, axis=0),
    }}
results = {{}}
for name, (ours, native) in cases.items():
    fns = {{"kcore": ours, "native": native}}
    if name in keras_cases:
        fns["keras"] = keras_cases[name]
    best = {{k: float("inf") for k in fns}}
    for _ in range(7):
        for label, fn in fns.items():
            timer = timeit.Timer(fn)
            n, _ = timer.autorange()
            best[label] = min(best[label], timer.timeit(n) / n)
    results[name] = {{k: v * 1e6 for k, v in best.items()}}
print(json.dumps(results))
"""

NATIVE = {
    "numpy": (
        "n_add, n_matmul, n_sin = np.add, np.matmul, np.sin\n"
        "n_relu = lambda t: np.maximum(t, 0)\nn_mean = lambda t: np.mean(t, axis=0)"
    ),
    "jax": (
        "import jax, jax.numpy as jnp\n"
        "n_add, n_matmul, n_relu, n_sin = jnp.add, jnp.matmul, jax.nn.relu, jnp.sin\n"
        "n_mean = lambda t: jnp.mean(t, axis=0)"
    ),
    "torch": (
        "import torch\nn_add, n_matmul, n_relu, n_sin = torch.add, torch.matmul, torch.relu, "
        "torch.sin\nn_mean = lambda t: torch.mean(t, dim=0)"
    ),
    "tensorflow": (
        "import tensorflow as tf\nn_add, n_matmul, n_relu, n_sin = tf.add, tf.matmul, "
        "tf.nn.relu, tf.sin\nn_mean = lambda t: tf.reduce_mean(t, axis=0)"
    ),
    "openvino": (
        "import kcore_openvino.ops as o\n"
        "n_add, n_matmul, n_relu = o.add, o.matmul, o.relu  # no public eager API to compare"
    ),
}
KERAS_BACKENDS = {"jax": "jax", "torch": "torch", "tensorflow": "tensorflow", "numpy": "numpy"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    from kcore import registry

    has_keras = importlib.util.find_spec("keras") is not None
    table = {}
    for name in registry.available_backends():
        if name not in NATIVE:
            continue
        with_keras = has_keras and name in KERAS_BACKENDS
        code = CHILD.format(native=NATIVE[name], with_keras=with_keras)
        env = {**os.environ, "KCORE_BACKEND": name, "TF_CPP_MIN_LOG_LEVEL": "3"}
        if with_keras:
            env["KERAS_BACKEND"] = KERAS_BACKENDS[name]
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        table[name] = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"{'backend':<11} {'op':<7} {'native us':>9} {'kcore us':>9} {'overhead us':>11} "
        f"{'keras us':>9}"
    )
    for name, cases in table.items():
        for op, t in cases.items():
            keras = f"{t['keras']:9.2f}" if "keras" in t else f"{'-':>9}"
            print(
                f"{name:<11} {op:<7} {t['native']:9.2f} {t['kcore']:9.2f} "
                f"{t['kcore'] - t['native']:11.2f} {keras}"
            )
    if args.json:
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(
                {
                    "date": time.strftime("%Y-%m-%d"),
                    "machine": platform.platform(),
                    "python": platform.python_version(),
                    "results": table,
                },
                f,
                indent=2,
            )


if __name__ == "__main__":
    main()
