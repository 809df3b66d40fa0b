"""Cost of one ``fit`` step: kcore against a hand-written native training loop and Keras 3.

Four models (an MLP 784-256-256-10; a CNN on 28x28x1 with two 3x3 convolutions, 2x2 max
pooling and a dense head; a one-block post-norm transformer encoder with sequence 32,
width 64, 2 heads and a 128-wide feed-forward; an LSTM of 64 units over 32 steps of 16
features with a dense head) are trained with Adam (lr 1e-3, epsilon 1e-7) on sparse
categorical cross-entropy from logits, batch 64, on jax, torch and tensorflow by three
runners:

* ``native``: the framework alone, written by hand as its users write it: on jax a
  ``jax.jit`` of ``value_and_grad`` plus a hand-written Adam on pytrees, parameters and
  optimizer state donated; on torch ``torch.nn`` modules (``TransformerEncoderLayer``,
  ``LSTM``; the CNN in channels-last memory, PyTorch's advice for CPUs) and
  ``torch.optim.Adam(foreach=True)``, eager; on tensorflow ``tf.Variable``s,
  ``tf.GradientTape`` and the fused ``ResourceApplyAdam`` kernel in one ``tf.function``
  (no XLA, as Keras 3 and kcore default to on a CPU-only machine). Each "epoch" shuffles
  the NumPy data, slices batches and converts them, and reads the last loss back, as a
  hand-written loop does;
* ``keras``: Keras 3 (``KERAS_BACKEND`` set to the backend), the same model through the
  functional API, ``compile`` with its defaults, ``fit(x, y, batch_size=64, epochs=1,
  verbose=0)``;
* ``kcore``: the same code with ``import kcore as keras`` (``KCORE_BACKEND`` set), or
  "not available" while ``kcore.Model`` has no ``fit``.

All runners start from the same NumPy weights (Glorot uniform, orthogonal recurrent
kernel, zero biases, unit forget bias; Keras and kcore get them through ``set_weights``)
and the same data. ``--check`` proves the models are the same: it runs one-step epochs and
compares every runner's loss before and after one Adam step.

Every (backend, runner) pair runs in its own process, pinned to the same cores and
intra-op thread count; it builds and warms up its models (one full epoch each, which
compiles), then times one epoch of ``--steps`` steps per request. The driver interleaves
requests over ``--rounds`` rounds, rotating the runner order, and reports the median
milliseconds per step (the whole ``fit`` call divided by the number of steps, so the
per-epoch cost of ``fit`` is spread over the steps) and the ratios.
``--steps-per-execution N`` compiles the kcore and keras models with
``steps_per_execution=N`` (the native loops stay one call per batch).

    python bench/fit_step.py [--quick | --check] [--json bench/results/fit_step.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

BACKENDS = ("jax", "torch", "tensorflow")
MODELS = ("mlp", "cnn", "transformer", "lstm")
RUNNERS = ("native", "keras", "kcore")
BATCH = 64
CLASSES = 10
INPUT_SHAPES = {"mlp": (784,), "cnn": (28, 28, 1), "transformer": (32, 64), "lstm": (32, 16)}
LR, BETA_1, BETA_2, EPSILON = 1e-3, 0.9, 0.999, 1e-7
LN_EPSILON = 1e-3  # Keras's LayerNormalization default
HEADS, HEAD_DIM, FF = 2, 32, 128
UNITS = 64
SETTLE_S = 0.05  # pause before each timed request: the last runner's idle threads stop spinning
PROTOCOL = "@@fit_step "  # prefix of the worker's answers; frameworks may print other lines


# --------------------------------------------------------------------------- weights


def initial_weights(model: str, seed: int = 0) -> dict[str, list]:
    """NumPy weights in Keras's layout (kernels ``(in, out)``, convolutions ``HWIO``).

    Example::

        w = initial_weights("mlp")
        w["d1"][0].shape  # (784, 256)
    """
    import numpy as np

    rng = np.random.default_rng(seed)

    def glorot(shape, fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, shape).astype("float32")

    def dense(n_in, n_out):
        return [glorot((n_in, n_out), n_in, n_out), np.zeros(n_out, "float32")]

    def conv(k, c_in, c_out):
        kernel = glorot((k, k, c_in, c_out), k * k * c_in, k * k * c_out)
        return [kernel, np.zeros(c_out, "float32")]

    def orthogonal(rows, cols):
        q, r = np.linalg.qr(rng.standard_normal((cols, rows)))
        return (q * np.sign(np.diag(r))).T.astype("float32")

    def layer_norm(width):
        return [np.ones(width, "float32"), np.zeros(width, "float32")]

    if model == "mlp":
        return {"d1": dense(784, 256), "d2": dense(256, 256), "d3": dense(256, CLASSES)}
    if model == "cnn":
        return {"c1": conv(3, 1, 32), "c2": conv(3, 32, 64), "d": dense(5 * 5 * 64, CLASSES)}
    if model == "transformer":
        d = HEADS * HEAD_DIM

        def projection():
            return [glorot((d, HEADS, HEAD_DIM), d, d), np.zeros((HEADS, HEAD_DIM), "float32")]

        return {
            "q": projection(),
            "k": projection(),
            "v": projection(),
            "o": [glorot((HEADS, HEAD_DIM, d), d, d), np.zeros(d, "float32")],
            "ln1": layer_norm(d),
            "f1": dense(d, FF),
            "f2": dense(FF, d),
            "ln2": layer_norm(d),
            "d": dense(d, CLASSES),
        }
    if model == "lstm":
        features = INPUT_SHAPES["lstm"][1]
        bias = np.zeros(4 * UNITS, "float32")
        bias[UNITS : 2 * UNITS] = 1.0  # unit forget bias; gate order i, f, c, o
        kernel = glorot((features, 4 * UNITS), features, 4 * UNITS)
        return {"lstm": [kernel, orthogonal(UNITS, 4 * UNITS), bias], "d": dense(UNITS, CLASSES)}
    raise ValueError(f"Unknown model {model!r}; expected one of {MODELS}.")


def make_data(model: str, steps: int):
    """``steps`` batches of random inputs and integer labels for ``model``, as NumPy."""
    import numpy as np

    rng = np.random.default_rng(1)
    n = steps * BATCH
    x = rng.standard_normal((n, *INPUT_SHAPES[model])).astype("float32")
    y = rng.integers(0, CLASSES, n).astype("int32")
    return x, y


def _epoch(step, x, y, steps, rng, convert):
    """One hand-written epoch: shuffle, slice, convert, step; the last loss as a float."""
    order = rng.permutation(len(x))
    loss = None
    for i in range(steps):
        idx = order[i * BATCH : (i + 1) * BATCH]
        loss = step(convert(x[idx]), convert(y[idx]))
    return float(loss)


# --------------------------------------------------------------------------- native jax


def native_jax(model: str, steps: int):
    """A jitted value-and-grad step with a hand-written Adam; returns ``run() -> loss``."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    from jax import lax

    def dense(p, x):
        return x @ p[0] + p[1]

    def layer_norm(p, x):
        mean = x.mean(-1, keepdims=True)
        var = jnp.square(x - mean).mean(-1, keepdims=True)
        return (x - mean) * lax.rsqrt(var + LN_EPSILON) * p[0] + p[1]

    def conv_relu_pool(p, x):
        x = lax.conv_general_dilated(
            x, p[0], (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC")
        )
        x = jax.nn.relu(x + p[1])
        return lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")

    def mlp(w, x):
        x = jax.nn.relu(dense(w["d1"], x))
        return dense(w["d3"], jax.nn.relu(dense(w["d2"], x)))

    def cnn(w, x):
        x = conv_relu_pool(w["c2"], conv_relu_pool(w["c1"], x))
        return dense(w["d"], x.reshape(x.shape[0], -1))

    def transformer(w, x):
        q, k, v = (jnp.einsum("btd,dhk->bthk", x, w[n][0]) + w[n][1] for n in "qkv")
        scores = jnp.einsum("bthk,bshk->bhts", q, k) / np.sqrt(HEAD_DIM).astype("float32")
        attended = jnp.einsum("bhts,bshk->bthk", jax.nn.softmax(scores, axis=-1), v)
        x = layer_norm(w["ln1"], x + jnp.einsum("bthk,hkd->btd", attended, w["o"][0]) + w["o"][1])
        x = layer_norm(w["ln2"], x + dense(w["f2"], jax.nn.relu(dense(w["f1"], x))))
        return dense(w["d"], x.mean(axis=1))

    def lstm(w, x):
        kernel, recurrent, bias = w["lstm"]

        # the input projection inside the scan: on XLA's CPU backend ~1.5x faster than one
        # projection of the whole sequence before it (whose gradient the scan accumulates)
        def cell(carry, x_t):
            h, c = carry
            i, f, g, o = jnp.split(x_t @ kernel + bias + h @ recurrent, 4, axis=-1)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), None

        zeros = jnp.zeros((x.shape[0], UNITS), x.dtype)
        (h, _), _ = lax.scan(cell, (zeros, zeros), jnp.swapaxes(x, 0, 1))
        return dense(w["d"], h)

    forward = {"mlp": mlp, "cnn": cnn, "transformer": transformer, "lstm": lstm}[model]

    def loss_fn(w, x, y):
        log_probs = jax.nn.log_softmax(forward(w, x))
        return -jnp.take_along_axis(log_probs, y[:, None], axis=-1).mean()

    def train_step(w, opt, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(w, x, y)
        m, v, t = opt
        t = t + 1
        m = jax.tree.map(lambda m, g: BETA_1 * m + (1 - BETA_1) * g, m, grads)
        v = jax.tree.map(lambda v, g: BETA_2 * v + (1 - BETA_2) * g * g, v, grads)
        alpha = LR * jnp.sqrt(1 - BETA_2**t) / (1 - BETA_1**t)
        w = jax.tree.map(lambda p, m, v: p - alpha * m / (jnp.sqrt(v) + EPSILON), w, m, v)
        return w, (m, v, t), loss

    step_fn = jax.jit(train_step, donate_argnums=(0, 1))
    weights = jax.tree.map(jnp.asarray, initial_weights(model))
    moments = (jax.tree.map(jnp.zeros_like, weights), jax.tree.map(jnp.zeros_like, weights))
    state = {"w": weights, "opt": (*moments, jnp.float32(0))}
    x, y = make_data(model, steps)
    rng = np.random.default_rng(2)

    def step(xb, yb):
        state["w"], state["opt"], loss = step_fn(state["w"], state["opt"], xb, yb)
        return loss

    return lambda: _epoch(step, x, y, steps, rng, jnp.asarray)


# --------------------------------------------------------------------------- native torch


def native_torch(model: str, steps: int):
    """``torch.nn`` modules and ``torch.optim.Adam(foreach=True)``, eager."""
    import numpy as np
    import torch
    from torch import nn

    w = initial_weights(model)

    def t(a):
        return torch.from_numpy(np.ascontiguousarray(a))

    def load_linear(layer, p):
        layer.weight.copy_(t(p[0].T))
        layer.bias.copy_(t(p[1]))

    def load_conv(layer, p):
        layer.weight.copy_(t(p[0].transpose(3, 2, 0, 1)))
        layer.bias.copy_(t(p[1]))

    class Transformer(nn.Module):
        def __init__(self):
            super().__init__()
            d = HEADS * HEAD_DIM
            self.block = nn.TransformerEncoderLayer(
                d, HEADS, FF, dropout=0.0, layer_norm_eps=LN_EPSILON, batch_first=True
            )
            self.head = nn.Linear(d, CLASSES)

        def forward(self, x):
            return self.head(self.block(x).mean(dim=1))

    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(INPUT_SHAPES["lstm"][1], UNITS, batch_first=True)
            self.head = nn.Linear(UNITS, CLASSES)

        def forward(self, x):
            return self.head(self.lstm(x)[0][:, -1])

    with torch.no_grad():
        if model == "mlp":
            net = nn.Sequential(
                nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
            )
            for layer, name in zip(net[::2], ("d1", "d2", "d3")):
                load_linear(layer, w[name])
        elif model == "cnn":
            net = nn.Sequential(
                nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                nn.Flatten(), nn.Linear(5 * 5 * 64, CLASSES),
            )  # fmt: skip
            load_conv(net[0], w["c1"])
            load_conv(net[3], w["c2"])
            # Keras flattens (h, w, c); torch flattens (c, h, w): reorder the head's rows
            kernel = w["d"][0].reshape(5, 5, 64, CLASSES).transpose(2, 0, 1, 3)
            load_linear(net[7], [kernel.reshape(-1, CLASSES), w["d"][1]])
        elif model == "transformer":
            net = Transformer()
            d = HEADS * HEAD_DIM
            attention = net.block.self_attn
            attention.in_proj_weight.copy_(
                t(np.concatenate([w[n][0].reshape(d, d).T for n in "qkv"]))
            )
            attention.in_proj_bias.copy_(t(np.concatenate([w[n][1].reshape(d) for n in "qkv"])))
            attention.out_proj.weight.copy_(t(w["o"][0].reshape(d, d).T))
            attention.out_proj.bias.copy_(t(w["o"][1]))
            load_linear(net.block.linear1, w["f1"])
            load_linear(net.block.linear2, w["f2"])
            for norm, name in ((net.block.norm1, "ln1"), (net.block.norm2, "ln2")):
                norm.weight.copy_(t(w[name][0]))
                norm.bias.copy_(t(w[name][1]))
            load_linear(net.head, w["d"])
        else:
            net = Recurrent()
            kernel, recurrent, bias = w["lstm"]
            net.lstm.weight_ih_l0.copy_(t(kernel.T))
            net.lstm.weight_hh_l0.copy_(t(recurrent.T))
            net.lstm.bias_ih_l0.copy_(t(bias))
            net.lstm.bias_hh_l0.zero_()
            net.lstm.bias_hh_l0.requires_grad_(False)  # Keras's LSTM has one bias, not two
            load_linear(net.head, w["d"])
    if model == "cnn":
        # PyTorch's advice for CNNs on CPU: channels-last memory (its NCHW max pool is slow)
        net = net.to(memory_format=torch.channels_last)
    net.train()
    optimizer = torch.optim.Adam(
        net.parameters(), lr=LR, betas=(BETA_1, BETA_2), eps=EPSILON, foreach=True
    )
    loss_fn = nn.CrossEntropyLoss()
    x, y = make_data(model, steps)
    y = y.astype("int64")
    rng = np.random.default_rng(2)

    def convert(a):
        tensor = torch.from_numpy(a)
        # NHWC data seen as NCHW: a channels-last tensor, no copy
        return tensor.permute(0, 3, 1, 2) if tensor.ndim == 4 else tensor

    def step(xb, yb):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(net(xb), yb)
        loss.backward()
        optimizer.step()
        return loss.detach()

    return lambda: _epoch(step, x, y, steps, rng, convert)


# --------------------------------------------------------------------------- native tf


def native_tensorflow(model: str, steps: int):
    """``tf.Variable``s, ``tf.GradientTape`` and ``ResourceApplyAdam`` in a ``tf.function``."""
    import numpy as np
    import tensorflow as tf

    weights = {k: [tf.Variable(a) for a in v] for k, v in initial_weights(model).items()}
    variables = [v for group in weights.values() for v in group]
    slots = [(tf.Variable(tf.zeros_like(v)), tf.Variable(tf.zeros_like(v))) for v in variables]
    beta_1_power = tf.Variable(BETA_1, dtype=tf.float32)
    beta_2_power = tf.Variable(BETA_2, dtype=tf.float32)
    w = weights

    def dense(p, x):
        return tf.matmul(x, p[0]) + p[1]

    def layer_norm(p, x):
        mean, var = tf.nn.moments(x, axes=[-1], keepdims=True)
        return (x - mean) * tf.math.rsqrt(var + LN_EPSILON) * p[0] + p[1]

    def conv_relu_pool(p, x):
        x = tf.nn.relu(tf.nn.conv2d(x, p[0], 1, "VALID") + p[1])
        return tf.nn.max_pool2d(x, 2, 2, "VALID")

    def mlp(x):
        x = tf.nn.relu(dense(w["d1"], x))
        return dense(w["d3"], tf.nn.relu(dense(w["d2"], x)))

    def cnn(x):
        x = conv_relu_pool(w["c2"], conv_relu_pool(w["c1"], x))
        return dense(w["d"], tf.reshape(x, (-1, 5 * 5 * 64)))

    def transformer(x):
        q, k, v = (tf.einsum("btd,dhk->bthk", x, w[n][0]) + w[n][1] for n in "qkv")
        scores = tf.einsum("bthk,bshk->bhts", q, k) / float(np.sqrt(HEAD_DIM))
        attended = tf.einsum("bhts,bshk->bthk", tf.nn.softmax(scores, axis=-1), v)
        x = layer_norm(w["ln1"], x + tf.einsum("bthk,hkd->btd", attended, w["o"][0]) + w["o"][1])
        x = layer_norm(w["ln2"], x + dense(w["f2"], tf.nn.relu(dense(w["f1"], x))))
        return dense(w["d"], tf.reduce_mean(x, axis=1))

    def lstm(x):
        kernel, recurrent, bias = w["lstm"]
        projected = tf.transpose(tf.einsum("btf,fu->btu", x, kernel) + bias, (1, 0, 2))
        steps_in = INPUT_SHAPES["lstm"][0]
        # a TensorArray, not projected[t]: a slice's gradient in a loop is a full-size tensor
        per_step = tf.TensorArray(tf.float32, size=steps_in).unstack(projected)
        zeros = tf.zeros((tf.shape(x)[0], UNITS))

        def cell(t, h, c):
            i, f, g, o = tf.split(per_step.read(t) + tf.matmul(h, recurrent), 4, axis=-1)
            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
            return t + 1, tf.sigmoid(o) * tf.tanh(c), c

        _, h, _ = tf.while_loop(lambda t, h, c: t < steps_in, cell, (0, zeros, zeros))
        return dense(w["d"], h)

    forward = {"mlp": mlp, "cnn": cnn, "transformer": transformer, "lstm": lstm}[model]

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            logits = forward(x)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
            )
        grads = tape.gradient(loss, variables)
        for var, (m, v), grad in zip(variables, slots, grads):
            tf.raw_ops.ResourceApplyAdam(
                var=var.handle, m=m.handle, v=v.handle,
                beta1_power=beta_1_power, beta2_power=beta_2_power,
                lr=LR, beta1=BETA_1, beta2=BETA_2, epsilon=EPSILON, grad=grad,
            )  # fmt: skip
        beta_1_power.assign(beta_1_power * BETA_1)
        beta_2_power.assign(beta_2_power * BETA_2)
        return loss

    x, y = make_data(model, steps)
    rng = np.random.default_rng(2)
    return lambda: _epoch(step, x, y, steps, rng, tf.convert_to_tensor)


NATIVE = {"jax": native_jax, "torch": native_torch, "tensorflow": native_tensorflow}


# --------------------------------------------------------------------------- keras / kcore


def build_model(keras, model: str):
    """The benchmark's model through Keras 3's functional API; ``keras`` may be kcore.

    Example::

        import kcore as keras
        build_model(keras, "mlp").count_params()  # 269322
    """
    layers = keras.layers
    inputs = keras.Input(INPUT_SHAPES[model])
    if model == "mlp":
        x = layers.Dense(256, activation="relu")(inputs)
        x = layers.Dense(256, activation="relu")(x)
    elif model == "cnn":
        x = layers.Conv2D(32, 3, activation="relu")(inputs)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Conv2D(64, 3, activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Flatten()(x)
    elif model == "transformer":
        attended = layers.MultiHeadAttention(HEADS, HEAD_DIM)(inputs, inputs)
        x = layers.LayerNormalization()(layers.Add()([inputs, attended]))
        ff = layers.Dense(FF, activation="relu")(x)
        ff = layers.Dense(HEADS * HEAD_DIM)(ff)
        x = layers.LayerNormalization()(layers.Add()([x, ff]))
        x = layers.GlobalAveragePooling1D()(x)
    elif model == "lstm":
        x = layers.LSTM(UNITS)(inputs)
    else:
        raise ValueError(f"Unknown model {model!r}; expected one of {MODELS}.")
    outputs = layers.Dense(CLASSES)(x)
    return keras.Model(inputs, outputs, name=model)


def keras_like(keras, model: str, steps: int, steps_per_execution: int = 1):
    """``compile`` + ``fit`` over one epoch of ``steps`` batches; returns ``run() -> loss``."""
    net = build_model(keras, model)
    net.compile(
        optimizer=keras.optimizers.Adam(
            learning_rate=LR, beta_1=BETA_1, beta_2=BETA_2, epsilon=EPSILON
        ),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        steps_per_execution=steps_per_execution,
    )
    net.set_weights([a for group in initial_weights(model).values() for a in group])
    x, y = make_data(model, steps)

    def run():
        history = net.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        return history.history["loss"][-1]

    # what compile's jit_compile="auto" chose, for the report
    run.jit_compile = getattr(net, "jit_compile", None)
    return run


# --------------------------------------------------------------------------- worker


def _emit(payload) -> None:
    sys.stdout.write(PROTOCOL + json.dumps(payload) + "\n")
    sys.stdout.flush()


def _versions(backend: str, runner: str) -> dict:
    from importlib.metadata import version

    dist = {"jax": "jax", "torch": "torch", "tensorflow": "tensorflow"}[backend]
    found = {dist: version(dist)}
    if runner in ("keras", "kcore"):
        found[runner] = version(runner)
    return found


def worker(
    backend: str, runner: str, steps: int, threads: int, models=MODELS, steps_per_execution=1
) -> None:
    """Serve timing requests on stdin: a model name in, ``{"ms": ms per step}`` out."""
    if backend == "torch":
        import torch

        torch.set_num_threads(threads)
    elif backend == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    try:
        if runner == "native":
            make = NATIVE[backend]
        else:
            if runner == "keras":
                import keras
            else:
                import kcore as keras

                if not hasattr(keras.Model, "fit"):
                    _emit({"error": "not available: kcore.Model has no fit yet"})
                    return

            def make(model, steps):
                return keras_like(keras, model, steps, steps_per_execution)

        versions = _versions(backend, runner)
    except Exception as e:  # a runner that cannot start is a cell in the table, not a crash
        _emit({"error": f"{type(e).__name__}: {e}"})
        return
    runs, setup = {}, {}
    for model in models:
        start = time.perf_counter()
        try:
            runs[model] = make(model, steps)
            loss = runs[model]()  # warm-up: builds, traces and compiles
        except Exception as e:
            runs.pop(model, None)
            first_line = (str(e).splitlines() or [""])[0][:300]
            setup[model] = {"error": f"{type(e).__name__}: {first_line}"}
            continue
        setup[model] = {"warmup_s": round(time.perf_counter() - start, 2), "loss": float(loss)}
        if hasattr(runs[model], "jit_compile"):
            setup[model]["jit_compile"] = runs[model].jit_compile
    _emit({"versions": versions, "models": setup})
    for line in sys.stdin:
        model = line.strip()
        start = time.perf_counter()
        loss = runs[model]()
        elapsed = time.perf_counter() - start
        _emit({"ms": elapsed * 1e3 / steps, "loss": float(loss)})


# --------------------------------------------------------------------------- driver


class Worker:
    """One (backend, runner) process, spoken to one line at a time."""

    def __init__(self, backend, runner, steps, threads, models=MODELS, steps_per_execution=1):
        self.backend, self.runner = backend, runner
        cores = list(range(threads))
        env = {
            **os.environ,
            "KCORE_BACKEND": backend,
            "KERAS_BACKEND": backend,
            "JAX_PLATFORMS": "cpu",
            "CUDA_VISIBLE_DEVICES": "",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "OMP_NUM_THREADS": str(threads),
            "MKL_NUM_THREADS": str(threads),
            "TF_NUM_INTRAOP_THREADS": str(threads),
            "TF_NUM_INTEROP_THREADS": str(threads),
        }
        self.stderr = tempfile.TemporaryFile(mode="w+")
        argv = [sys.executable, os.path.abspath(__file__), "--worker", backend, runner]
        argv += ["--steps", str(steps), "--threads", str(threads), "--models", *models]
        argv += ["--steps-per-execution", str(steps_per_execution)]
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
            text=True,
            # the same cores for every runner; frameworks size their pools from the affinity
            preexec_fn=(lambda: os.sched_setaffinity(0, cores))
            if hasattr(os, "sched_setaffinity")
            else None,
        )

    def read(self) -> dict:
        for line in self.proc.stdout:
            if line.startswith(PROTOCOL):
                return json.loads(line[len(PROTOCOL) :])
        self.stderr.seek(0)
        tail = "\n".join(self.stderr.read().splitlines()[-15:])
        return {"error": f"worker exited with {self.proc.wait()}:\n{tail}"}

    def time(self, model: str) -> dict:
        """One timed epoch of ``model``: ``{"ms": ms per step, "loss": its last loss}``."""
        time.sleep(SETTLE_S)
        self.proc.stdin.write(model + "\n")
        self.proc.stdin.flush()
        answer = self.read()
        if "error" in answer:
            raise RuntimeError(f"{self.backend}/{self.runner}/{model}: {answer['error']}")
        return answer

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.stderr.close()


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _ratio(a, b):
    return round(a / b, 3) if a is not None and b is not None else None


def bench_backend(backend, runners, models, steps, rounds, threads, log, steps_per_execution=1):
    """Start the runners' workers for ``backend`` and time them over interleaved rounds."""
    workers = {r: Worker(backend, r, steps, threads, models, steps_per_execution) for r in runners}
    info, ready = {}, {}
    for runner, w in workers.items():
        info[runner] = w.read()
        if "error" in info[runner]:
            log(f"  {backend}/{runner}: {info[runner]['error']}")
            w.close()
            continue
        ready[runner] = w
        for model, status in info[runner]["models"].items():
            if "error" in status:
                log(f"  {backend}/{runner}/{model}: {status['error']}")
    samples = {m: {r: [] for r in runners} for m in models}
    losses = {m: {} for m in models}
    for round_index in range(rounds):
        for model_index, model in enumerate(models):
            order = [r for r in runners if r in ready and "error" not in info[r]["models"][model]]
            shift = (round_index + model_index) % max(len(order), 1)
            for runner in order[shift:] + order[:shift]:
                answer = ready[runner].time(model)
                samples[model][runner].append(answer["ms"])
                losses[model][runner] = answer["loss"]
        log(f"  {backend}: round {round_index + 1}/{rounds} done")
    for w in ready.values():
        w.close()
    results = {}
    for model in models:
        row = {}
        for runner in runners:
            times = samples[model][runner]
            row[runner] = round(statistics.median(times), 3) if times else None
        row["kcore/native"] = _ratio(row.get("kcore"), row.get("native"))
        row["kcore/keras"] = _ratio(row.get("kcore"), row.get("keras"))
        row["keras/native"] = _ratio(row.get("keras"), row.get("native"))
        # the best round too: on a shared machine it is the figure least moved by other work
        row["best"] = {r: min(ts) for r, ts in samples[model].items() if ts}
        row["samples"] = {r: [round(t, 3) for t in ts] for r, ts in samples[model].items()}
        row["last_loss"] = losses[model]
        results[model] = row
    return results, info


def markdown(report) -> str:
    """The results as the Markdown table the README shows."""

    def cell(value, fmt="{:.2f}"):
        return fmt.format(value) if value is not None else "n/a"

    spe = report.get("steps_per_execution", 1)
    grouped = f", steps_per_execution {spe}" if spe != 1 else ""
    lines = [
        f"fit step, ms per step (median of {report['rounds']} interleaved rounds of "
        f"{report['steps']} steps, batch {BATCH}{grouped}), {report['date']}, {report['cpu']}, "
        f"{report['cores']} cores, {report['threads']} threads, load average "
        f"{report['load_average_before'][0]} before, {report['load_average_after'][0]} after",
        "",
        "| backend | model | native | Keras 3 | kcore | kcore/native | kcore/Keras 3 | Keras 3/native |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for backend, rows in report["results"].items():
        for model, r in rows.items():
            lines.append(
                f"| {backend} | {model} | {cell(r.get('native'))} | {cell(r.get('keras'))} | "
                f"{cell(r.get('kcore'))} | {cell(r['kcore/native'])} | {cell(r['kcore/keras'])} | "
                f"{cell(r['keras/native'])} |"
            )
    missing = [
        f"{backend}/{runner}: {i['error']}"
        for backend, infos in report["runners"].items()
        for runner, i in infos.items()
        if "error" in i
    ]
    if missing:
        lines += ["", *(f"- {m}" for m in missing)]
    return "\n".join(lines)


def check(report) -> bool:
    """Print each runner's losses from the same weights and data; True if they agree.

    The check runs epochs of one step, so every runner sees the whole 64-sample data set
    as one batch whatever its shuffle: the first epoch's loss is the loss of the initial
    weights (the forward pass), the second's the loss after one Adam step (gradients and
    optimizer). Equal losses show that the native models are the Keras models.
    """
    ok = True
    print("| backend | model | step | native | Keras 3 | kcore | agree |")
    print("|---|---|---|---|---|---|---|")
    for backend, infos in report["runners"].items():
        for model in report["models"]:
            first = {r: i.get("models", {}).get(model, {}).get("loss") for r, i in infos.items()}
            second = report["results"][backend][model]["last_loss"]
            # torch.optim.Adam adds epsilon after the bias correction, Keras before: after a
            # step, small gradients move a little differently
            steps = (("initial", first, 1e-5), ("after 1", second, 1e-3))
            for label, losses, tolerance in steps:
                found = [v for v in losses.values() if v is not None]
                agree = len(found) > 1 and max(found) - min(found) <= tolerance * abs(found[0])
                ok &= agree
                cells = [
                    f"{losses[r]:.6f}" if losses.get(r) is not None else "n/a" for r in RUNNERS
                ]
                print(
                    f"| {backend} | {model} | {label} | {' | '.join(cells)} | "
                    f"{'yes' if agree else 'NO'} |"
                )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 5 steps, 1 round")
    parser.add_argument("--check", action="store_true", help="compare first-step losses only")
    parser.add_argument("--steps", type=int, default=None, help="steps per timed epoch (50)")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (5)")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--runners", nargs="+", default=list(RUNNERS), choices=RUNNERS)
    parser.add_argument(
        "--steps-per-execution",
        type=int,
        default=1,
        help="compile(steps_per_execution=) for the kcore and keras runners (1)",
    )
    parser.add_argument("--json", default=None, help="write the results here")
    parser.add_argument("--worker", nargs=2, metavar=("BACKEND", "RUNNER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    steps = 1 if args.check else args.steps or (5 if args.quick else 50)
    rounds = 1 if args.check else args.rounds or (1 if args.quick else 5)
    if args.worker:
        worker(
            *args.worker,
            steps=steps,
            threads=args.threads,
            models=args.models,
            steps_per_execution=args.steps_per_execution,
        )
        return
    backends, models, runners = (
        list(dict.fromkeys(a)) for a in (args.backends, args.models, args.runners)
    )

    def log(message):
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": platform.platform(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "threads": args.threads,
        "python": platform.python_version(),
        "steps": steps,
        "rounds": rounds,
        "batch": BATCH,
        "steps_per_execution": args.steps_per_execution,
        "models": models,
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
        "results": {},
        "runners": {},
    }
    if report["load_average_before"][0] > 0.5:
        log(f"warning: load average {report['load_average_before'][0]}: timings will be noisy")
    for backend in backends:
        log(f"{backend}: starting {', '.join(runners)}")
        results, info = bench_backend(
            backend, runners, models, steps, rounds, args.threads, log, args.steps_per_execution
        )
        report["results"][backend] = results
        report["runners"][backend] = info
    report["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    report["wall_s"] = round(time.perf_counter() - started, 1)
    if args.check:
        sys.exit(0 if check(report) else 1)
    print(markdown(report))
    if args.json:
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
