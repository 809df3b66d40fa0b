"""Cost of ``Layer.__call__``: a small ``Dense`` and a small ``Conv2D`` call in kcore,
against the ops the layer runs, the framework's native call, and Keras 3's layer.

For each of jax, torch and tensorflow, in a fresh process with that backend selected
(and Keras 3 on the same framework), times with the same weights and input:

* ``native``: the framework's own calls (``x @ W + b``; a conv on channels-last data);
* ``ops``: ``layer.call(x)``, the kcore ops inside the layer;
* ``kcore``: ``layer(x)``, so ``kcore - ops`` is what ``Layer.__call__`` adds;
* ``keras``: ``keras.layers.Dense``/``Conv2D`` called the same way.

Candidates are interleaved over rounds; each figure is the best round's mean.

    python bench/layer_call.py [--json bench/results/layer_call.json]
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

CHILD = r"""
import json, timeit
import numpy as np
import kcore
rng = np.random.default_rng(0)
x_dense = rng.standard_normal((32, 64)).astype("float32")
x_conv = rng.standard_normal((4, 16, 16, 3)).astype("float32")
dense = kcore.layers.Dense(32)
conv = kcore.layers.Conv2D(8, 3, padding="same")
xd, xc = kcore.ops.convert_to_tensor(x_dense), kcore.ops.convert_to_tensor(x_conv)
dense(xd), conv(xc)
W, b = dense.kernel.numpy(), dense.bias.numpy()
K, c = conv.kernel.numpy(), conv.bias.numpy()
{native}
cases = {{
    "Dense": {{"native": lambda: n_dense(nd_x), "ops": lambda: dense.call(xd),
               "kcore": lambda: dense(xd)}},
    "Conv2D": {{"native": lambda: n_conv(nc_x), "ops": lambda: conv.call(xc),
                "kcore": lambda: conv(xc)}},
}}
if {with_keras}:
    import keras
    kd = keras.layers.Dense(32); kc = keras.layers.Conv2D(8, 3, padding="same")
    kxd, kxc = keras.ops.convert_to_tensor(x_dense), keras.ops.convert_to_tensor(x_conv)
    kd(kxd), kc(kxc)
    kd.set_weights([W, b]); kc.set_weights([K, c])
    cases["Dense"]["keras"] = lambda: kd(kxd)
    cases["Conv2D"]["keras"] = lambda: kc(kxc)
results = {{}}
for name, fns in cases.items():
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
    "jax": (
        "import jax, jax.numpy as jnp\n"
        "Wj, bj, Kj, cj = map(jnp.asarray, (W, b, K, c))\n"
        "nd_x, nc_x = jnp.asarray(x_dense), jnp.asarray(x_conv)\n"
        "n_dense = lambda t: jnp.dot(t, Wj) + bj\n"
        "n_conv = lambda t: jax.lax.conv_general_dilated(t, Kj, (1, 1), 'SAME', "
        "dimension_numbers=('NHWC', 'HWIO', 'NHWC')) + cj"
    ),
    "torch": (
        "import torch, torch.nn.functional as F\n"
        "Wt, bt = torch.from_numpy(W.T.copy()), torch.from_numpy(b)\n"
        "Kt, ct = torch.from_numpy(K.transpose(3, 2, 0, 1).copy()), torch.from_numpy(c)\n"
        "nd_x, nc_x = torch.from_numpy(x_dense), torch.from_numpy(x_conv)\n"
        "n_dense = lambda t: F.linear(t, Wt, bt)\n"
        "n_conv = lambda t: F.conv2d(t.permute(0, 3, 1, 2), Kt, ct, padding='same')"
        ".permute(0, 2, 3, 1)"
    ),
    "tensorflow": (
        "import tensorflow as tf\n"
        "Wf, bf, Kf, cf = map(tf.constant, (W, b, K, c))\n"
        "nd_x, nc_x = tf.constant(x_dense), tf.constant(x_conv)\n"
        "n_dense = lambda t: tf.matmul(t, Wf) + bf\n"
        "n_conv = lambda t: tf.nn.conv2d(t, Kf, 1, 'SAME') + cf"
    ),
}


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
        code = CHILD.format(native=NATIVE[name], with_keras=has_keras)
        env = {**os.environ, "KCORE_BACKEND": name, "TF_CPP_MIN_LOG_LEVEL": "3"}
        env["KERAS_BACKEND"] = name
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        table[name] = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"{'backend':<11} {'layer':<7} {'native us':>9} {'ops us':>8} {'kcore us':>9} "
        f"{'__call__ us':>11} {'keras us':>9}"
    )
    for name, cases in table.items():
        for layer, t in cases.items():
            keras = f"{t['keras']:9.1f}" if "keras" in t else f"{'-':>9}"
            print(
                f"{name:<11} {layer:<7} {t['native']:9.1f} {t['ops']:8.1f} {t['kcore']:9.1f} "
                f"{t['kcore'] - t['ops']:11.1f} {keras}"
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
