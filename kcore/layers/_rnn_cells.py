"""The recurrent cells (one time step each) and the time loop the RNN layers share.

A cell is a layer with ``state_size`` (an int, or a list of ints, one per state),
optionally ``output_size``, and ``call(inputs, states, training=False)`` returning
``(output, new_states)``. :func:`time_loop` runs a step function over the time axis
with ``kcore.ops.scan`` (a Python loop when ``unroll=True`` or the sequence is short),
so every backend runs it and differentiates through it. The weight layouts are Keras 3's: LSTM gates in the
order ``i, f, c, o``, GRU gates ``z, r, h``.

Example::

    >>> cell = kcore.layers.LSTMCell(3)
    >>> rnn = kcore.layers.RNN(cell, return_sequences=True)
    >>> tuple(rnn(kcore.ops.ones((2, 5, 4))).shape)
    (2, 5, 3)
"""

from __future__ import annotations

from typing import Any

from kcore import _tree, activations, constraints, initializers, ops, regularizers
from kcore import random as _random
from kcore.layers.layer import Layer, _context

__all__ = ["GRUCell", "LSTMCell", "SimpleRNNCell", "StackedRNNCells"]


# ---------------------------------------------------------------------- helpers
def is_nested(x: Any) -> bool:
    return isinstance(x, list | tuple | dict)


def rebuild(structure: Any, leaves: Any) -> Any:
    """``structure`` with its leaves replaced, in order, by ``leaves``."""
    it = iter(leaves)
    return _tree.map_structure(lambda _: next(it), structure)


def check_units(owner: str, units: Any, name: str = "units") -> int:
    if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
        raise ValueError(
            f"{owner}: received an invalid value for argument `{name}`, expected a "
            f"positive integer, got {units!r}"
        )
    return units


def check_rate(owner: str, value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{owner}: argument `{name}` must be a float in [0, 1], got {value!r}")
    # Keras clips the rates into [0, 1] rather than refusing them.
    return min(1.0, max(0.0, float(value)))


def build_sublayer(layer: Any, input_shape: Any) -> None:
    """Build ``layer`` (a sublayer) for ``input_shape`` under its own name scope, so
    its weights get paths like ``lstm/lstm_cell/kernel``."""
    if not isinstance(layer, Layer) or layer.built:
        return
    scope = _context.scope
    _context.scope = (*scope, layer.name)
    try:
        layer.build(input_shape)
    finally:
        _context.scope = scope
    layer.built = True
    layer._build_shapes = {"input_shape": input_shape}
    layer._post_build()


def output_size_of(cell: Any) -> Any:
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    state_size = cell.state_size
    return state_size[0] if isinstance(state_size, list | tuple) else state_size


def _expand_to(mask_t: Any, x: Any) -> Any:
    """The ``(batch,)`` boolean ``mask_t`` reshaped to broadcast against ``x``."""
    rank = len(x.shape)
    return mask_t if rank <= 1 else ops.reshape(mask_t, (-1,) + (1,) * (rank - 1))


#: Sequences of at most this many (static) steps run as a Python loop even without
#: ``unroll``: same values, and no compiled-loop setup (on JAX an eager ``lax.scan``
#: compiles on every call, ~100x the cost of a few steps); longer ones use ``ops.scan``.
PYTHON_LOOP_MAX_STEPS = 8


def time_loop(
    step: Any,
    inputs: Any,
    initial_states: Any,
    mask: Any = None,
    go_backwards: bool = False,
    unroll: bool = False,
    zero_output_for_mask: bool = False,
    return_all_outputs: bool = True,
) -> tuple[Any, Any, Any]:
    """Run ``output, states = step(x_t, states)`` over axis 1 of ``inputs``.

    ``mask`` (``(batch, time)``, booleans) marks the steps to run: at a masked step the
    states are carried over and the output is the previous output (zeros with
    ``zero_output_for_mask``). ``go_backwards`` runs from the last step to the first;
    the outputs then come in the order they were computed, as in Keras. Returns
    ``(last_output, outputs, final_states)``; ``outputs`` (``(batch, time, ...)``) is
    ``None`` unless ``return_all_outputs``.

    Example::

        >>> last, outputs, (h,) = time_loop(
        ...     lambda x, s: (x + s[0], [x + s[0]]), kcore.ops.ones((2, 5, 3)),
        ...     [kcore.ops.zeros((2, 3))])
        >>> kcore.ops.convert_to_numpy(last)[0]      # a running sum
        array([5., 5., 5.], dtype=float32)
    """
    xs = ops.moveaxis(inputs, 1, 0)
    masks = None
    if mask is not None:
        masks = ops.moveaxis(ops.cast(mask, "bool"), 1, 0)
        if len(masks.shape) > 2:  # (time, batch, 1): one flag per step and sample
            masks = ops.reshape(masks, tuple(masks.shape[:2]))
    if go_backwards:
        xs = ops.flip(xs, axis=0)
        if masks is not None:
            masks = ops.flip(masks, axis=0)

    def masked_step(x_t, m_t, states, previous_output):
        output, new_states = step(x_t, states)
        new_states = rebuild(states, _tree.flatten(new_states))
        if m_t is None:
            return output, new_states
        keep = _expand_to(m_t, output)
        fallback = ops.zeros_like(output) if previous_output is None else previous_output
        if zero_output_for_mask:
            fallback = ops.zeros_like(output)
        output = ops.where(keep, output, fallback)
        new_states = rebuild(
            states,
            [
                ops.where(_expand_to(m_t, new), new, old)
                for new, old in zip(_tree.flatten(new_states), _tree.flatten(states))
            ],
        )
        return output, new_states

    # The first step runs on its own: it gives the output's shape and dtype, which
    # the loop carries (the previous output of masked steps).
    first_mask = None if masks is None else masks[0]
    output, states = masked_step(xs[0], first_mask, initial_states, None)
    steps = xs.shape[0]
    if steps is not None and steps == 1:
        outputs = ops.expand_dims(output, 1) if return_all_outputs else None
        return output, outputs, states
    rest = xs[1:]
    rest_masks = None if masks is None else masks[1:]

    def body(carry, x):
        states, previous = carry
        x_t, m_t = x
        new_output, new_states = masked_step(x_t, m_t, states, previous)
        return (new_states, new_output), (new_output if return_all_outputs else None)

    if unroll and steps is None:
        raise ValueError("Cannot unroll a RNN if the time dimension is undefined.")
    if unroll or (steps is not None and steps <= PYTHON_LOOP_MAX_STEPS):
        carry, collected = (states, output), []
        for t in range(steps - 1):
            carry, y = body(carry, (rest[t], None if rest_masks is None else rest_masks[t]))
            collected.append(y)
        ys = ops.stack(collected, axis=0) if return_all_outputs else None
    else:
        carry, ys = ops.scan(body, (states, output), (rest, rest_masks))
    states, last_output = carry
    outputs = None
    if return_all_outputs:
        outputs = ops.concatenate([ops.expand_dims(output, 0), ys], axis=0)
        outputs = ops.moveaxis(outputs, 0, 1)
    return last_output, outputs, states


# ----------------------------------------------------------------------- dropout
class DropoutRNNCellMixin:
    """Dropout masks for a cell: made once per sequence (every step of it reuses
    them) and dropped after the sequence. ``_dropout_mask_count`` (``None``: one
    mask; ``n``: one per gate) says how many masks a call needs."""

    _dropout_mask_count: int | None = None

    def _make_masks(self, like: Any, rate: float) -> Any:
        ones = ops.ones_like(like)
        count = self._dropout_mask_count
        if count is None:
            return _random.dropout(ones, rate=rate, seed=self.seed_generator)
        return [_random.dropout(ones, rate=rate, seed=self.seed_generator) for _ in range(count)]

    def get_dropout_mask(self, step_input: Any) -> Any:
        """The input dropout mask(s) of the current sequence (made on first use)."""
        masks = self._masks
        if masks.get("input") is None and self.dropout > 0:
            masks["input"] = self._make_masks(step_input, self.dropout)
        return masks.get("input")

    def get_recurrent_dropout_mask(self, step_input: Any) -> Any:
        """The recurrent-state dropout mask(s) of the current sequence."""
        masks = self._masks
        if masks.get("recurrent") is None and self.recurrent_dropout > 0:
            masks["recurrent"] = self._make_masks(step_input, self.recurrent_dropout)
        return masks.get("recurrent")

    def reset_dropout_mask(self) -> None:
        self._masks["input"] = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._masks["recurrent"] = None


def _serialize_common(cell: Any) -> dict[str, Any]:
    return {
        "kernel_initializer": initializers.serialize(cell.kernel_initializer),
        "recurrent_initializer": initializers.serialize(cell.recurrent_initializer),
        "bias_initializer": initializers.serialize(cell.bias_initializer),
        "kernel_regularizer": regularizers.serialize(cell.kernel_regularizer),
        "recurrent_regularizer": regularizers.serialize(cell.recurrent_regularizer),
        "bias_regularizer": regularizers.serialize(cell.bias_regularizer),
        "kernel_constraint": constraints.serialize(cell.kernel_constraint),
        "recurrent_constraint": constraints.serialize(cell.recurrent_constraint),
        "bias_constraint": constraints.serialize(cell.bias_constraint),
        "dropout": cell.dropout,
        "recurrent_dropout": cell.recurrent_dropout,
    }


class _GatedCell(DropoutRNNCellMixin, Layer):
    """What the dense cells share: argument checks, weights' initializers,
    regularizers and constraints, dropout, and the initial state."""

    def _setup(
        self,
        units,
        activation,
        use_bias,
        kernel_initializer,
        recurrent_initializer,
        bias_initializer,
        kernel_regularizer,
        recurrent_regularizer,
        bias_regularizer,
        kernel_constraint,
        recurrent_constraint,
        bias_constraint,
        dropout,
        recurrent_dropout,
        seed,
    ) -> None:
        owner = type(self).__name__
        self.units = check_units(owner, units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = check_rate(owner, dropout, "dropout")
        self.recurrent_dropout = check_rate(owner, recurrent_dropout, "recurrent_dropout")
        self.seed = seed
        self.seed_generator = _random.SeedGenerator(seed)
        self._masks = {"input": None, "recurrent": None}

    def _add_kernels(self, input_dim: int, width: int) -> None:
        self.kernel = self.add_weight(
            shape=(input_dim, width),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )

    def _add_bias(self, shape: tuple[int, ...], initializer: Any) -> None:
        self.bias = self.add_weight(
            shape=shape,
            name="bias",
            initializer=initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint,
        )

    def _dropping(self, training: Any, rate: float) -> bool:
        return bool(training) and 0.0 < rate < 1.0

    def get_initial_state(self, batch_size: Any = None) -> list[Any]:
        """Zero states, one ``(batch_size, size)`` tensor per entry of ``state_size``."""
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [ops.zeros((batch_size, d), dtype=self.compute_dtype) for d in sizes]


def _split(x: Any, parts: int, units: int) -> list[Any]:
    return [x[..., k * units : (k + 1) * units] for k in range(parts)]


# ---------------------------------------------------------------------- SimpleRNN
class SimpleRNNCell(_GatedCell):
    """The cell of :class:`SimpleRNN`: ``h = activation(x @ kernel + h_prev @
    recurrent_kernel + bias)``.

    Args:
        units: positive int, the size of the output and of the state.
        activation: the activation (default ``"tanh"``).
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers of
            the input kernel, the recurrent kernel and the bias.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: fraction of the inputs dropped in training (0 to 1).
        recurrent_dropout: fraction of the recurrent state dropped in training.
        seed: the random seed of the dropout.

    Example::

        >>> cell = kcore.layers.SimpleRNNCell(3)
        >>> output, state = cell(kcore.ops.ones((2, 4)), [kcore.ops.zeros((2, 3))])
        >>> tuple(output.shape)
        (2, 3)
    """

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._setup(
            units, activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
            kernel_constraint, recurrent_constraint, bias_constraint, dropout,
            recurrent_dropout, seed,
        )  # fmt: skip
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], self.units)
        self.bias = None
        if self.use_bias:
            self._add_bias((self.units,), self.bias_initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        previous = states[0] if is_nested(states) else states
        if self._dropping(training, self.dropout):
            inputs = inputs * self.get_dropout_mask(inputs)
        h = ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            h = h + self.bias
        if self._dropping(training, self.recurrent_dropout):
            previous = previous * self.get_recurrent_dropout_mask(previous)
        output = self.activation(h + ops.matmul(previous, self.recurrent_kernel))
        return output, ([output] if is_nested(states) else output)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **_serialize_common(self),
            "seed": self.seed,
        }


# --------------------------------------------------------------------------- LSTM
class LSTMCell(_GatedCell):
    """The cell of :class:`LSTM`. Its weights hold the four gates side by side, in the
    order input, forget, candidate, output (Keras' layout): ``kernel`` is
    ``(input_dim, 4 * units)``, ``recurrent_kernel`` ``(units, 4 * units)``, ``bias``
    ``(4 * units,)``. The states are ``[h, c]``.

    Args:
        units: positive int, the size of the output and of each state.
        activation: the activation of the candidate and of the output
            (default ``"tanh"``).
        recurrent_activation: the gates' activation (default ``"sigmoid"``).
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
        unit_forget_bias: start the forget gate's bias at 1 (and the rest of the bias
            from ``bias_initializer``).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: fraction of the inputs dropped in training.
        recurrent_dropout: fraction of the recurrent state dropped in training.
        seed: the random seed of the dropout.

    Example::

        >>> cell = kcore.layers.LSTMCell(3)
        >>> h, (h, c) = cell(kcore.ops.ones((2, 4)), [kcore.ops.zeros((2, 3))] * 2)
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        self._setup(
            units, activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
            kernel_constraint, recurrent_constraint, bias_constraint, dropout,
            recurrent_dropout, seed,
        )  # fmt: skip
        if implementation not in (1, 2):
            raise ValueError(
                f"LSTMCell: argument `implementation` must be 1 or 2, got {implementation!r}"
            )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        # Recurrent dropout needs one mask per gate: the per-gate computation.
        self.implementation = 1 if self.recurrent_dropout else implementation
        if self.implementation == 1:
            self._dropout_mask_count = 4
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape):
        units = self.units
        self._add_kernels(input_shape[-1], 4 * units)
        self.bias = None
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                base = self.bias_initializer

                def initializer(shape, dtype=None):
                    return ops.concatenate(
                        [
                            base((units,), dtype=dtype),
                            ops.ones((units,), dtype=dtype),
                            base((2 * units,), dtype=dtype),
                        ]
                    )

            self._add_bias((4 * units,), initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        units = self.units
        act, gate = self.activation, self.recurrent_activation
        if self.implementation == 1:
            xs = [inputs] * 4
            if self._dropping(training, self.dropout):
                xs = [inputs * m for m in self.get_dropout_mask(inputs)]
            hs = [h_prev] * 4
            if self._dropping(training, self.recurrent_dropout):
                hs = [h_prev * m for m in self.get_recurrent_dropout_mask(h_prev)]
            kernels = _split(self.kernel, 4, units)
            recurrent = _split(self.recurrent_kernel, 4, units)
            biases = _split(self.bias, 4, units) if self.bias is not None else [None] * 4
            z = []
            for x_k, h_k, w, u, b in zip(xs, hs, kernels, recurrent, biases):
                pre = ops.matmul(x_k, w) + ops.matmul(h_k, u)
                z.append(pre if b is None else pre + b)
        else:
            if self._dropping(training, self.dropout):
                inputs = inputs * self.get_dropout_mask(inputs)
            pre = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel)
            if self.bias is not None:
                pre = pre + self.bias
            z = _split(pre, 4, units)
        i, f, o = gate(z[0]), gate(z[1]), gate(z[3])
        c = f * c_prev + i * act(z[2])
        h = o * act(c)
        return h, [h, c]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "unit_forget_bias": self.unit_forget_bias,
            **_serialize_common(self),
            "seed": self.seed,
        }


# ---------------------------------------------------------------------------- GRU
class GRUCell(_GatedCell):
    """The cell of :class:`GRU`, gates in the order update, reset, candidate
    (``kernel`` ``(input_dim, 3 * units)``). With ``reset_after=True`` (the default,
    cuDNN's variant) the reset gate multiplies the recurrent candidate after its
    matmul and the bias is ``(2, 3 * units)`` (input bias, recurrent bias); with
    ``False`` it multiplies the state before it and the bias is ``(3 * units,)``.

    Args:
        units: positive int, the size of the output and of the state.
        activation: the candidate's activation (default ``"tanh"``).
        recurrent_activation: the gates' activation (default ``"sigmoid"``).
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: fraction of the inputs dropped in training.
        recurrent_dropout: fraction of the recurrent state dropped in training.
        reset_after: where the reset gate applies (see above).
        seed: the random seed of the dropout.

    Example::

        >>> cell = kcore.layers.GRUCell(3)
        >>> h, state = cell(kcore.ops.ones((2, 4)), kcore.ops.zeros((2, 3)))
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        reset_after=True,
        seed=None,
        **kwargs,
    ):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        self._setup(
            units, activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
            kernel_constraint, recurrent_constraint, bias_constraint, dropout,
            recurrent_dropout, seed,
        )  # fmt: skip
        if implementation not in (1, 2):
            raise ValueError(
                f"GRUCell: argument `implementation` must be 1 or 2, got {implementation!r}"
            )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)
        self.implementation = 1 if self.recurrent_dropout else implementation
        if self.implementation == 1:
            self._dropout_mask_count = 3
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], 3 * self.units)
        self.bias = None
        if self.use_bias:
            shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
            self._add_bias(shape, self.bias_initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        h_prev = states[0] if is_nested(states) else states
        units = self.units
        input_bias = recurrent_bias = None
        if self.bias is not None:
            if self.reset_after:
                input_bias, recurrent_bias = self.bias[0], self.bias[1]
            else:
                input_bias = self.bias
        xs = [inputs] * 3
        hs = [h_prev] * 3
        if self._dropping(training, self.dropout):
            mask = self.get_dropout_mask(inputs)
            xs = [inputs * m for m in mask] if self.implementation == 1 else [inputs * mask] * 3
        if self.implementation == 1 and self._dropping(training, self.recurrent_dropout):
            hs = [h_prev * m for m in self.get_recurrent_dropout_mask(h_prev)]
        if xs[0] is xs[1]:
            x_all = ops.matmul(xs[0], self.kernel)
            if input_bias is not None:
                x_all = x_all + input_bias
            x_z, x_r, x_h = _split(x_all, 3, units)
        else:
            kernels = _split(self.kernel, 3, units)
            x_z, x_r, x_h = (ops.matmul(x, w) for x, w in zip(xs, kernels))
            if input_bias is not None:
                b = _split(input_bias, 3, units)
                x_z, x_r, x_h = x_z + b[0], x_r + b[1], x_h + b[2]
        u = self.recurrent_kernel
        if self.reset_after:
            if hs[0] is hs[2]:
                inner = ops.matmul(hs[0], u)
                if recurrent_bias is not None:
                    inner = inner + recurrent_bias
                r_z, r_r, r_h = _split(inner, 3, units)
            else:
                us = _split(u, 3, units)
                r_z, r_r, r_h = (ops.matmul(h, w) for h, w in zip(hs, us))
                if recurrent_bias is not None:
                    b = _split(recurrent_bias, 3, units)
                    r_z, r_r, r_h = r_z + b[0], r_r + b[1], r_h + b[2]
            z = self.recurrent_activation(x_z + r_z)
            r = self.recurrent_activation(x_r + r_r)
            candidate = self.activation(x_h + r * r_h)
        else:
            if hs[0] is hs[1]:
                r_z, r_r = _split(ops.matmul(hs[0], u[:, : 2 * units]), 2, units)
            else:
                r_z = ops.matmul(hs[0], u[:, :units])
                r_r = ops.matmul(hs[1], u[:, units : 2 * units])
            z = self.recurrent_activation(x_z + r_z)
            r = self.recurrent_activation(x_r + r_r)
            candidate = self.activation(x_h + ops.matmul(r * hs[2], u[:, 2 * units :]))
        h = z * h_prev + (1 - z) * candidate
        return h, ([h] if is_nested(states) else h)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            **_serialize_common(self),
            "reset_after": self.reset_after,
            "seed": self.seed,
        }


# ------------------------------------------------------------------------ stacked
class StackedRNNCells(Layer):
    """Several cells run one after the other at each time step, as one cell: cell
    ``k`` reads cell ``k - 1``'s output. Its states are the cells' states, one entry
    per cell.

    Args:
        cells: a list of cells.

    Example::

        >>> cells = [kcore.layers.LSTMCell(4), kcore.layers.GRUCell(3)]
        >>> rnn = kcore.layers.RNN(kcore.layers.StackedRNNCells(cells))
        >>> tuple(rnn(kcore.ops.ones((2, 5, 6))).shape)
        (2, 3)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(cells, list | tuple) or not cells:
            raise ValueError(
                f"StackedRNNCells: argument `cells` must be a non-empty list of cells, "
                f"received cells={cells!r}"
            )
        for cell in cells:
            if not callable(getattr(cell, "call", None)) or not hasattr(cell, "state_size"):
                raise ValueError(
                    "StackedRNNCells: every cell needs a `call` method and a `state_size` "
                    f"attribute; received {cell!r}"
                )
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        return output_size_of(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        """The cells' initial states, one entry per cell."""
        states = []
        for cell in self.cells:
            make = getattr(cell, "get_initial_state", None)
            if make is not None:
                states.append(make(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                states.append(ops.zeros((batch_size, cell.state_size), dtype=self.compute_dtype))
            else:
                states.append(
                    [ops.zeros((batch_size, d), dtype=self.compute_dtype) for d in cell.state_size]
                )
        return states

    def build(self, input_shape):
        for cell in self.cells:
            build_sublayer(cell, input_shape)
            input_shape = (input_shape[0], output_size_of(cell))
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = is_nested(cell_states)
            cell_states = list(cell_states) if was_list else [cell_states]
            kwargs = {}
            if isinstance(cell, Layer) and cell._call_info.training:
                kwargs["training"] = training
            inputs, cell_states = cell(inputs, cell_states, **kwargs)
            if not is_nested(cell_states):
                cell_states = [cell_states]
            if len(cell_states) == 1 and not was_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        return inputs, new_states

    def get_config(self):
        from kcore.saving.serialization import serialize_keras_object

        return {**super().get_config(), "cells": [serialize_keras_object(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from kcore.saving.serialization import deserialize_keras_object

        config = dict(config)
        cells = [
            deserialize_keras_object(c, custom_objects=custom_objects) for c in config.pop("cells")
        ]
        return super().from_config({**config, "cells": cells})
