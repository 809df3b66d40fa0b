"""Convolution, pooling and attention through ``kcore.ops`` against the framework's own
fused call.

For each installed backend, in a fresh process with that backend selected, times
``kcore.ops.conv`` (2-D, ``(8, 32, 32, 16)`` by a ``(3, 3, 16, 32)`` kernel, "same"),
``conv_transpose`` (stride 2), ``max_pool`` and ``average_pool`` (2x2, stride 2, "same")
and causal ``dot_product_attention`` (q, k, v of ``(4, 128, 8, 32)``) against the direct
native call on the same tensors (``lax.conv_general_dilated``, ``F.conv2d``,
``tf.nn.conv2d``, ``jax.nn.dot_product_attention`` compiled,
``F.scaled_dot_product_attention``; TensorFlow, which has no fused attention, against
einsum and softmax). Candidates are interleaved; the figure is the median
over rounds of each round's mean, in microseconds, with kcore's overhead beside it.

    python bench/nn_kernels.py [--json bench/results/nn_kernels.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

# Run inside the child process: {native} defines n_conv, n_conv_t, n_max, n_avg, n_attn
# (causal attention over (batch, seq, heads, dim) tensors) and `block(result)` (waits
# for asynchronous backends).
CHILD = r"""
import json, statistics, time
import numpy as np
import kcore
ops = kcore.ops
rng = np.random.default_rng(0)
x_np = rng.standard_normal((8, 32, 32, 16)).astype("float32")
k_np = rng.standard_normal((3, 3, 16, 32)).astype("float32")
kt_np = rng.standard_normal((3, 3, 8, 16)).astype("float32")
x, k, kt = (ops.convert_to_tensor(a) for a in (x_np, k_np, kt_np))
q, kk, v = (
    ops.convert_to_tensor(rng.standard_normal((4, 128, 8, 32)).astype("float32"))
    for _ in range(3)
)
{native}
cases = {{
    "conv": (lambda: ops.conv(x, k, 1, "same"), lambda: n_conv(x, k)),
    "conv_transpose": (lambda: ops.conv_transpose(x, kt, 2, "same"), lambda: n_conv_t(x, kt)),
    "max_pool": (lambda: ops.max_pool(x, 2, 2, "same"), lambda: n_max(x)),
    "average_pool": (lambda: ops.average_pool(x, 2, 2, "same"), lambda: n_avg(x)),
    "dot_product_attention": (
        lambda: ops.dot_product_attention(q, kk, v, is_causal=True),
        lambda: n_attn(q, kk, v),
    ),
}}
results = {{}}
for name, (ours, native) in cases.items():
    fns = {{"kcore": ours, "native": native}}
    got = np.asarray(ops.convert_to_numpy(block(ours())))
    want = np.asarray(block(native()))
    assert got.shape == want.shape, (name, got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3)
    for fn in fns.values():  # warm up (compilation, caches)
        for _ in range(3):
            block(fn())
    rounds = {{label: [] for label in fns}}
    for _ in range({rounds}):
        for label, fn in fns.items():
            start = time.perf_counter()
            for _ in range({repeats}):
                out = fn()
            block(out)
            rounds[label].append((time.perf_counter() - start) / {repeats})
    results[name] = {{k: statistics.median(v) * 1e6 for k, v in rounds.items()}}
print(json.dumps(results))
"""

NATIVE = {
    "numpy": (
        "from kcore.backends.numpy import nn_conv as _n\n"
        "block = lambda r: r\n"
        "n_conv = lambda a, b: _n.conv(a, b, 1, 'same', 'channels_last')\n"
        "n_conv_t = lambda a, b: _n.conv_transpose(a, b, 2, 'same', None, 'channels_last')\n"
        "n_max = lambda a: _n.max_pool(a, 2, 2, 'same', 'channels_last')\n"
        "n_avg = lambda a: _n.average_pool(a, 2, 2, 'same', 'channels_last')\n"
        "from kcore.backends.numpy import nn_sequence as _s\n"
        "n_attn = lambda a, b, c: _s.dot_product_attention(a, b, c, is_causal=True)"
    ),
    "jax": (
        "import jax, jax.numpy as jnp\nfrom jax import lax\n"
        "block = lambda r: r.block_until_ready()\n"
        "dn = lax.conv_dimension_numbers(x.shape, k.shape, ('NHWC', 'HWIO', 'NHWC'))\n"
        "dnt = lax.conv_dimension_numbers(x.shape, kt.shape, ('NHWC', 'HWIO', 'NHWC'))\n"
        "n_conv = lambda a, b: lax.conv_general_dilated(a, b, (1, 1), 'SAME', "
        "dimension_numbers=dn)\n"
        "n_conv_t = lambda a, b: lax.conv_transpose(a, b, (2, 2), 'SAME', "
        "dimension_numbers=dnt, transpose_kernel=True)\n"
        "n_max = lambda a: lax.reduce_window(a, -jnp.inf, lax.max, (1, 2, 2, 1), "
        "(1, 2, 2, 1), 'SAME')\n"
        "n_avg = lambda a: lax.reduce_window(a, 0.0, lax.add, (1, 2, 2, 1), (1, 2, 2, 1), "
        "'SAME') / 4.0\n"
        # The fused call as a JAX user runs it: compiled once (eagerly it is ~100x slower).
        "import functools\n"
        "n_attn = jax.jit(functools.partial(jax.nn.dot_product_attention, is_causal=True))"
    ),
    "torch": (
        "import torch, torch.nn.functional as F\n"
        "block = lambda r: r\n"
        "w = k.permute(3, 2, 0, 1)\nwt = kt.permute(3, 2, 0, 1)\n"
        "n_conv = lambda a, b: F.conv2d(a.permute(0, 3, 1, 2), w, None, 1, 1)"
        ".permute(0, 2, 3, 1)\n"
        # Keras's "same" keeps the first 64 of the 65 cells (torch crops symmetrically).
        "n_conv_t = lambda a, b: F.conv_transpose2d(a.permute(0, 3, 1, 2), wt, None, 2)"
        "[:, :, :64, :64].permute(0, 2, 3, 1)\n"
        "n_max = lambda a: F.max_pool2d(a.permute(0, 3, 1, 2), 2, 2).permute(0, 2, 3, 1)\n"
        "n_avg = lambda a: F.avg_pool2d(a.permute(0, 3, 1, 2), 2, 2).permute(0, 2, 3, 1)\n"
        "n_attn = lambda a, b, c: F.scaled_dot_product_attention(a.transpose(1, 2), "
        "b.transpose(1, 2), c.transpose(1, 2), is_causal=True).transpose(1, 2)"
    ),
    "tensorflow": (
        "import tensorflow as tf\n"
        "block = lambda r: r\n"
        "n_conv = lambda a, b: tf.nn.conv2d(a, b, 1, 'SAME')\n"
        "n_conv_t = lambda a, b: tf.nn.conv2d_transpose(a, b, (8, 64, 64, 8), 2, 'SAME')\n"
        "n_max = lambda a: tf.nn.max_pool2d(a, 2, 2, 'SAME')\n"
        "n_avg = lambda a: tf.nn.avg_pool2d(a, 2, 2, 'SAME')\n"
        # TensorFlow has no fused attention: the einsum/softmax a user writes.
        "causal = tf.linalg.band_part(tf.ones((128, 128), tf.bool), -1, 0)\n"
        "def n_attn(a, b, c):\n"
        "    s = tf.einsum('bqhd,bkhd->bhqk', a, b) / tf.sqrt(32.0)\n"
        "    s = tf.where(causal, s, tf.constant(-1e9, s.dtype))\n"
        "    return tf.einsum('bhqk,bkhd->bqhd', tf.nn.softmax(s, -1), c)"
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    from kcore import registry

    table = {}
    for name in registry.available_backends():
        if name not in NATIVE:
            continue
        # NumPy's loops are slow; a few repeats say enough about its overhead.
        reps = 1 if name == "numpy" else args.repeats
        rounds = 3 if name == "numpy" else args.rounds
        code = CHILD.format(native=NATIVE[name], rounds=rounds, repeats=reps)
        env = {**os.environ, "KCORE_BACKEND": name, "TF_CPP_MIN_LOG_LEVEL": "3"}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
        )
        if out.returncode:
            print(f"{name}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
            continue
        table[name] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{'backend':<11} {'op':<22} {'native us':>10} {'kcore us':>10} {'overhead us':>12}")
    for name, cases in table.items():
        for op, t in cases.items():
            print(
                f"{name:<11} {op:<22} {t['native']:10.1f} {t['kcore']:10.1f} "
                f"{t['kcore'] - t['native']:12.1f}"
            )
    if args.json:
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(
                {
                    "date": time.strftime("%Y-%m-%d"),
                    "machine": platform.platform(),
                    "python": platform.python_version(),
                    "shapes": "x (8, 32, 32, 16) float32 NHWC; conv kernel (3, 3, 16, 32); "
                    "conv_transpose kernel (3, 3, 8, 16), stride 2; pools 2x2 stride 2; "
                    "all 'same'; causal attention q, k, v (4, 128, 8, 32)",
                    "results": table,
                },
                f,
                indent=2,
            )


if __name__ == "__main__":
    main()
