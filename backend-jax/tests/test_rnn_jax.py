"""The jax backend's fused recurrent loops (``kcore_jax.rnn``): they are the backend's
layer kernels, run under ``jax.jit`` (eager calls compile once per shape and
configuration), and leave masks to the generic loop."""

from __future__ import annotations

import jax
import numpy as np

import kcore
from kcore import layers
from kcore_jax import rnn

X = np.random.default_rng(0).normal(size=(4, 9, 5)).astype("float32")


def test_kernels_are_the_backends_layer_kernels():
    assert dict(kcore.backend.current().layer_kernels) == rnn.KERNELS


def test_eager_calls_compile_once_per_configuration():
    layer = layers.GRU(3, return_sequences=True)
    layer(X)
    compiled = rnn._gru._cache_size()
    for _ in range(3):
        layer(X)
    layers.GRU(3, return_sequences=True)(X)  # a new layer, the same configuration
    assert rnn._gru._cache_size() == compiled


def test_inside_a_trace_the_layer_runs_the_kernel():
    layer = layers.LSTM(3)
    layer.build(X.shape)
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    jaxpr = jax.make_jaxpr(lambda t, x: layer.stateless_call(t, non_trainable, x)[0])(trainable, X)
    text = str(jaxpr)
    assert "name=_lstm" in text and text.count("scan[") == 1


def test_a_mask_falls_back_to_the_generic_loop():
    layer = layers.LSTM(3)
    layer.build(X.shape)
    state = [jax.numpy.zeros((4, 3))] * 2
    mask = np.ones((4, 9), bool)
    assert (
        rnn.lstm(layer.cell, X, state, mask=mask, go_backwards=False, return_sequences=False)
        is None
    )
    mask[0, 5:] = False
    out = layer(X, mask=mask)
    np.testing.assert_allclose(np.asarray(out[0]), np.asarray(layer(X[:1, :5]))[0], atol=1e-6)
