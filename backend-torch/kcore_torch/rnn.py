"""Fused recurrent loops for PyTorch: ``LSTM`` and ``GRU`` through ``torch.lstm`` and
``torch.gru`` (the functions behind ``torch.nn.LSTM``/``GRU``: one call for the whole
sequence, with oneDNN's kernels on CPU and cuDNN's on CUDA) instead of a Python loop of
small ops per step.

The core's ``LSTM`` and ``GRU`` layers look these up in ``Backend.layer_kernels``; a
kernel returns ``None`` for what it does not cover (a mask, activations other than
tanh and sigmoid, GRU's ``reset_after=False``), and the layer runs its generic loop.
Keras's weights map onto torch's without copying values: torch wants ``(4 * units,
input_dim)`` matrices (the transposes), the same LSTM gate order (input, forget,
candidate, output), and GRU gates as reset, update, candidate where Keras has update,
reset, candidate. Keras's LSTM has one bias, torch two: the second is zeros.

Example::

    >>> from kcore_torch.rnn import KERNELS
    >>> sorted(KERNELS)
    ['gru', 'lstm']
"""

from __future__ import annotations

from typing import Any

import torch

from kcore import activations

_FLOATS = (torch.float32, torch.float64, torch.bfloat16, torch.float16)


def _covered(cell: Any, sequences: torch.Tensor, mask: Any) -> bool:
    return (
        mask is None
        and cell.activation is activations.tanh
        and cell.recurrent_activation is activations.sigmoid
        and sequences.dtype in _FLOATS
        and not torch.compiler.is_compiling()  # dynamo traces the generic loop instead
    )


def _weight(variable: Any, dtype: torch.dtype) -> torch.Tensor:
    value = variable.value
    return value if value.dtype == dtype else value.to(dtype)


def _gru_order(w: torch.Tensor, units: int) -> torch.Tensor:
    """Keras's gate blocks ``z, r, h`` on the last axis, reordered to torch's ``r, z, n``."""
    return torch.cat([w[..., units : 2 * units], w[..., :units], w[..., 2 * units :]], dim=-1)


def _run(function, sequences, states, params, go_backwards, return_sequences):
    if go_backwards:  # outputs come in the order they were computed, as in Keras
        sequences = torch.flip(sequences, (1,))
    hx = [s.to(sequences.dtype).unsqueeze(0) for s in states]
    result = function(
        sequences,
        hx[0] if len(hx) == 1 else hx,
        params,
        len(params) == 4,  # has_biases
        1,  # num_layers
        0.0,  # dropout between layers
        False,  # train: only the between-layers dropout reads it
        False,  # bidirectional
        True,  # batch_first
    )
    outputs, new_states = result[0], [s.squeeze(0) for s in result[1:]]
    return new_states[0], (outputs if return_sequences else None), new_states


def lstm(cell, sequences, initial_state, *, mask, go_backwards, return_sequences):
    """``LSTM``'s loop as one ``torch.lstm`` call, or ``None`` where it does not apply."""
    if not _covered(cell, sequences, mask):
        return None
    dtype = sequences.dtype
    params = [_weight(cell.kernel, dtype).t(), _weight(cell.recurrent_kernel, dtype).t()]
    if cell.bias is not None:
        bias = _weight(cell.bias, dtype)
        params += [bias, torch.zeros_like(bias, requires_grad=False)]
    return _run(torch.lstm, sequences, initial_state, params, go_backwards, return_sequences)


def gru(cell, sequences, initial_state, *, mask, go_backwards, return_sequences):
    """``GRU``'s loop as one ``torch.gru`` call (``reset_after=True``, torch's variant), or
    ``None`` where it does not apply."""
    if not cell.reset_after or not _covered(cell, sequences, mask):
        return None
    dtype, units = sequences.dtype, cell.units
    params = [
        _gru_order(_weight(cell.kernel, dtype), units).t(),
        _gru_order(_weight(cell.recurrent_kernel, dtype), units).t(),
    ]
    if cell.bias is not None:
        bias = _gru_order(_weight(cell.bias, dtype), units)
        params += [bias[0], bias[1]]
    return _run(torch.gru, sequences, initial_state, params, go_backwards, return_sequences)


#: What ``make_backend`` hands the core as ``layer_kernels``.
KERNELS = {"lstm": lstm, "gru": gru}
