"""Fused recurrent loops for JAX: ``LSTM`` and ``GRU`` as one tight ``lax.scan`` over
the sequence, the way JAX users write them.

The core's generic loop runs any cell through ``ops.scan``; it carries the previous
output next to the states (for masked steps) and runs the first step outside the scan
(to learn the output's shape), which costs XLA ~15% of an LSTM training step on CPU.
These kernels carry only the states and call the cell's own activations, so they
cover every LSTM and GRU option but a mask. Each is a ``jax.jit`` function (the
activations and options static), so an eager call compiles once per shape and
configuration, and a call under a trace is inlined into the caller's program.

Example::

    >>> from kcore_jax.rnn import KERNELS
    >>> sorted(KERNELS)
    ['gru', 'lstm']
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax


def _weights(cell: Any, dtype: Any) -> tuple[Any, Any, Any]:
    """The cell's kernel, recurrent kernel and bias (or ``None``) as arrays of ``dtype``."""

    def read(variable: Any) -> Any:
        return None if variable is None else jnp.asarray(variable.value, dtype)

    return read(cell.kernel), read(cell.recurrent_kernel), read(cell.bias)


def _scan(step, sequences, states, go_backwards, return_sequences):
    xs = jnp.swapaxes(sequences, 0, 1)
    if go_backwards:  # outputs come in the order they were computed, as in Keras
        xs = jnp.flip(xs, 0)

    def body(carry, x_t):
        new = step(carry, x_t)
        return new, (new[0] if return_sequences else None)

    states, ys = lax.scan(body, states, xs)
    outputs = jnp.swapaxes(ys, 0, 1) if return_sequences else None
    return states[0], outputs, list(states)


_STATIC = ("act", "gate", "go_backwards", "return_sequences")


@functools.partial(jax.jit, static_argnames=_STATIC)
def _lstm(sequences, states, kernel, recurrent, bias, *, act, gate, go_backwards, return_sequences):
    def step(carry, x_t):
        h, c = carry
        z = x_t @ kernel + h @ recurrent
        if bias is not None:
            z = z + bias
        i, f, g, o = jnp.split(z, 4, axis=-1)
        c = gate(f) * c + gate(i) * act(g)
        return gate(o) * act(c), c

    return _scan(step, sequences, states, go_backwards, return_sequences)


@functools.partial(jax.jit, static_argnames=(*_STATIC, "reset_after"))
def _gru(
    sequences, states, kernel, recurrent, bias, *, act, gate, go_backwards, return_sequences,
    reset_after,
):  # fmt: skip
    units = recurrent.shape[0]
    input_bias = recurrent_bias = None
    if bias is not None:
        input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, None)

    def step(carry, x_t):
        (h,) = carry
        x = x_t @ kernel
        if input_bias is not None:
            x = x + input_bias
        x_z, x_r, x_h = jnp.split(x, 3, axis=-1)
        if reset_after:
            inner = h @ recurrent
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
            r_z, r_r, r_h = jnp.split(inner, 3, axis=-1)
            z, r = gate(x_z + r_z), gate(x_r + r_r)
            candidate = act(x_h + r * r_h)
        else:
            r_z, r_r = jnp.split(h @ recurrent[:, : 2 * units], 2, axis=-1)
            z, r = gate(x_z + r_z), gate(x_r + r_r)
            candidate = act(x_h + (r * h) @ recurrent[:, 2 * units :])
        return (z * h + (1 - z) * candidate,)

    return _scan(step, sequences, states, go_backwards, return_sequences)


def _call(function, cell, sequences, initial_state, mask, **static):
    act, gate = cell.activation, cell.recurrent_activation
    if mask is not None:
        return None
    try:  # jit's static arguments must hash; a custom activation may not
        hash((act, gate))
    except TypeError:
        return None
    dtype = sequences.dtype
    states = tuple(jnp.asarray(s, dtype) for s in initial_state)
    return function(sequences, states, *_weights(cell, dtype), act=act, gate=gate, **static)


def lstm(cell, sequences, initial_state, *, mask, go_backwards, return_sequences):
    """``LSTM``'s loop as one ``lax.scan``, or ``None`` where it does not apply."""
    return _call(
        _lstm, cell, sequences, initial_state, mask,
        go_backwards=go_backwards, return_sequences=return_sequences,
    )  # fmt: skip


def gru(cell, sequences, initial_state, *, mask, go_backwards, return_sequences):
    """``GRU``'s loop (either ``reset_after``) as one ``lax.scan``, or ``None`` where it
    does not apply."""
    return _call(
        _gru, cell, sequences, initial_state, mask,
        go_backwards=go_backwards, return_sequences=return_sequences, reset_after=cell.reset_after,
    )  # fmt: skip


#: What ``make_backend`` hands the core as ``layer_kernels``.
KERNELS = {"lstm": lstm, "gru": gru}
