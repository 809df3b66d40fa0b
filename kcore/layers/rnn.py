"""Recurrent layers: ``RNN`` over any cell, ``SimpleRNN``, ``LSTM``, ``GRU``, the
``Bidirectional`` and ``TimeDistributed`` wrappers, and the convolutional LSTMs.

The time loop (:func:`kcore.layers._rnn_cells.time_loop`) is written once on
``kcore.ops.scan``; the cells live in ``_rnn_cells``, the convolutional LSTMs in
``_conv_lstm``.

Example::

    >>> lstm = kcore.layers.LSTM(8, return_sequences=True)
    >>> tuple(lstm(kcore.ops.ones((2, 5, 4))).shape)
    (2, 5, 8)
"""

from __future__ import annotations

from typing import Any

from kcore import _tree, ops
from kcore.layers._rnn_cells import (
    DropoutRNNCellMixin,
    GRUCell,
    LSTMCell,
    SimpleRNNCell,
    StackedRNNCells,
    build_sublayer,
    is_nested,
    time_loop,
)
from kcore.layers.core import Wrapper
from kcore.layers.input_spec import InputSpec
from kcore.layers.layer import _BACKEND, Layer

__all__ = [
    "RNN",
    "SimpleRNNCell",
    "SimpleRNN",
    "LSTMCell",
    "LSTM",
    "GRUCell",
    "GRU",
    "StackedRNNCells",
    "Bidirectional",
    "TimeDistributed",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
]


def _serialize(obj: Any) -> Any:
    from kcore.saving.serialization import serialize_keras_object

    return serialize_keras_object(obj)


def _deserialize(config: Any, custom_objects: Any = None) -> Any:
    from kcore.saving.serialization import deserialize_keras_object

    if isinstance(config, dict):
        return deserialize_keras_object(config, custom_objects=custom_objects)
    return config


# --------------------------------------------------------------------------- RNN
class RNN(Layer):
    """Runs a cell over the time axis of ``(batch, time, ...)`` inputs.

    Args:
        cell: a cell (a layer with ``state_size`` and ``call(inputs, states)``
            returning ``(output, new_states)``), or a list of cells (stacked).
        return_sequences: return every step's output (``(batch, time, units)``)
            rather than the last one.
        return_state: also return the final states (after the output).
        go_backwards: run from the last step to the first; the returned sequence is
            in the order the steps ran (reversed).
        stateful: the final states of a batch are the initial states of the next
            (the batch size must be static); :meth:`reset_state` zeroes them.
        unroll: run the loop as Python (faster for short sequences, more memory).
        zero_output_for_mask: the output of masked steps is zeros rather than the
            previous output.

    Call arguments: ``sequences``, ``initial_state`` (a list of tensors, one per
    state), ``mask`` (``(batch, time)`` booleans: masked steps carry the states),
    ``training``.

    Example::

        >>> rnn = kcore.layers.RNN(kcore.layers.SimpleRNNCell(3), return_state=True)
        >>> output, state = rnn(kcore.ops.ones((2, 5, 4)))
    """

    def __init__(
        self,
        cell,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        if isinstance(cell, list | tuple):
            cell = StackedRNNCells(cell)
        if not callable(getattr(cell, "call", None)):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell}")
        if not hasattr(cell, "state_size"):
            raise ValueError(
                "The RNN cell should have a `state_size` attribute (single integer or list "
                f"of integers, one integer per RNN state). Received: cell={cell}"
            )
        super().__init__(**kwargs)
        state_size = cell.state_size
        if isinstance(state_size, bool) or not isinstance(state_size, int | list | tuple):
            raise ValueError(
                "state_size must be an integer, or a list/tuple of integers (one for each "
                f"state tensor); received {state_size!r}"
            )
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.supports_masking = True
        self.input_spec = None
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)
        # Stateful layers keep their states in variables that are not weights.
        self._kcore_untracked.add("states")
        self.states = None
        self._expected_batch_size = None

    # ------------------------------------------------------------------ shapes
    def _output_size(self) -> int:
        size = getattr(self.cell, "output_size", None)
        return self.state_size[0] if size is None else size

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch = sequences_shape[0]
        states = []
        for size in self.state_size:
            if isinstance(size, int):
                states.append((batch, size))
            else:
                states.append([(batch, s) for s in size])
        size = self._output_size()
        if not isinstance(size, int):
            raise ValueError(f"output_size must be an integer, received {size!r}")
        if self.return_sequences:
            output = (batch, sequences_shape[1], size)
        else:
            output = (batch, size)
        if self.return_state:
            return (output, *states)
        return output

    def compute_mask(self, inputs, mask):
        mask = _tree.flatten(mask)[0] if mask is not None else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in self.state_size]
        return output_mask

    # ------------------------------------------------------------------- build
    def build(self, sequences_shape, initial_state_shape=None):
        sequences_shape = tuple(sequences_shape)
        if len(sequences_shape) < 3:
            raise ValueError(
                f"Layer '{self.name}' expects inputs of shape (batch, time, features...), "
                f"received an input of shape {sequences_shape}"
            )
        build_sublayer(self.cell, (sequences_shape[0], *sequences_shape[2:]))
        if self.stateful:
            if self.states is not None:
                self.reset_state()
            else:
                if sequences_shape[0] is None:
                    raise ValueError(
                        "When using `stateful=True` in a RNN, the batch size must be static. "
                        f"Found dynamic batch size: sequence.shape={sequences_shape}"
                    )
                self._create_state_variables(sequences_shape[0])
        self.built = True

    def _create_state_variables(self, batch_size: int) -> None:
        from kcore import backend

        make = backend.current().Variable
        self.states = _tree.map_structure(
            lambda value: make(value, trainable=False, dtype=self.variable_dtype, name="rnn_state"),
            self.get_initial_state(batch_size),
        )
        self._expected_batch_size = batch_size

    def get_initial_state(self, batch_size):
        """The cell's initial states for ``batch_size`` (zeros by default), as a list."""
        make = getattr(self.cell, "get_initial_state", None)
        if make is None:
            return [
                ops.zeros((batch_size, d), dtype=self.cell.compute_dtype) for d in self.state_size
            ]
        state = make(batch_size=batch_size)
        return list(state) if is_nested(state) else [state]

    def _zero_state(self, sequences):
        batch = sequences.shape[0]
        if batch is not None:
            return self.get_initial_state(batch)
        # An unknown batch size (a traced graph): the states for one sequence,
        # broadcast against zeros as long as the batch.
        first = sequences[:, 0]
        while len(first.shape) > 1:
            first = first[:, 0]
        zeros = ops.zeros_like(first)
        return _tree.map_structure(
            lambda s: s + ops.cast(ops.reshape(zeros, (-1,) + (1,) * (len(s.shape) - 1)), s.dtype),
            self.get_initial_state(1),
        )

    def reset_states(self):
        """Same as :meth:`reset_state`."""
        self.reset_state()

    def reset_state(self):
        """Zero the states of a stateful layer."""
        if self.states is not None:
            for v in _tree.flatten(self.states):
                v.assign(ops.zeros(v.shape, dtype=v.dtype))

    # -------------------------------------------------------------------- call
    def _prepare_dropout(self, cell: Any, step_input: Any, states: Any) -> None:
        if isinstance(cell, DropoutRNNCellMixin):
            cell.get_dropout_mask(step_input)
            first = _tree.flatten(states)[0]
            cell.get_recurrent_dropout_mask(first)
        elif isinstance(cell, StackedRNNCells):
            for sub, sub_states in zip(cell.cells, states):
                self._prepare_dropout(sub, step_input, sub_states)
                # The next cell reads this one's output, shaped as its first state.
                step_input = _tree.flatten(sub_states)[0]

    def _reset_dropout(self, cell: Any) -> None:
        if isinstance(cell, DropoutRNNCellMixin):
            cell.reset_dropout_mask()
            cell.reset_recurrent_dropout_mask()
        elif isinstance(cell, StackedRNNCells):
            for sub in cell.cells:
                self._reset_dropout(sub)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """The time loop: ``(last_output, outputs, states)``."""
        cell = self.cell
        kwargs = {}
        if isinstance(cell, Layer) and cell._call_info.training:
            kwargs["training"] = training
        single = not is_nested(initial_state)

        def step(inputs, states):
            output, new_states = cell(inputs, states[0] if single else states, **kwargs)
            if not is_nested(new_states):
                new_states = [new_states]
            return output, new_states

        return time_loop(
            step,
            sequences,
            [initial_state] if single else initial_state,
            mask=mask,
            go_backwards=self.go_backwards,
            unroll=self.unroll,
            zero_output_for_mask=self.zero_output_for_mask,
            return_all_outputs=self.return_sequences,
        )

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if self.unroll and sequences.shape[1] is None:
            raise ValueError(
                f"Layer '{self.name}': cannot unroll a RNN if the time dimension is "
                "undefined; give the inputs a static number of time steps"
            )
        if initial_state is None:
            if self.stateful:
                # A copy: the variables are assigned in place after the loop, and
                # autograd (torch) must still see the values the loop started from.
                initial_state = _tree.map_structure(lambda v: ops.copy(v.value), self.states)
            else:
                initial_state = self._zero_state(sequences)
        elif self.stateful:
            batch = sequences.shape[0]
            expected = self._expected_batch_size
            if expected is not None and batch is not None and batch != expected:
                raise ValueError(
                    "If an RNN is stateful, the batch size of the input sequences must be "
                    f"the same as the batch size of the initial state. Expected batch size: "
                    f"{expected}, received batch size: {batch}"
                )
        if self.stateful and self._expected_batch_size is not None:
            batch = sequences.shape[0]
            if batch is not None and batch != self._expected_batch_size:
                raise ValueError(
                    f"Layer '{self.name}' is stateful with batch size "
                    f"{self._expected_batch_size}, received inputs of batch size {batch}"
                )
        if not is_nested(initial_state):
            initial_state = [initial_state]
        dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)
        initial_state = _tree.map_structure(
            lambda x: ops.cast(ops.convert_to_tensor(x), dtype), list(initial_state)
        )
        if training:
            self._prepare_dropout(self.cell, sequences[:, 0], initial_state)
        try:
            last_output, outputs, states = self.inner_loop(
                sequences, initial_state, mask, training=training
            )
        finally:
            self._reset_dropout(self.cell)
        compute = self.compute_dtype
        states = _tree.map_structure(lambda x: ops.cast(x, compute), states)
        if self.stateful:
            # The next batch starts from these values; gradients stop at the batch edge.
            for variable, value in zip(_tree.flatten(self.states), _tree.flatten(states)):
                variable.assign(ops.stop_gradient(value))
        output = outputs if self.return_sequences else last_output
        output = ops.cast(output, compute)
        if self.return_state:
            return (output, *states)
        return output

    def get_config(self):
        config = {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }
        config["cell"] = _serialize(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = _deserialize(config.pop("cell"), custom_objects)
        return super().from_config({**config, "cell": cell})


def _cell_property(name: str) -> property:
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's ``{name}``.")


_RNN_KEYS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll")


class _CellLayer(RNN):
    """A layer made of one built-in cell: its config is the cell's arguments plus the
    loop's, without a ``cell`` entry (as in Keras)."""

    _cell_keys: tuple[str, ...] = ()
    #: The key of the backend's fused loop in ``Backend.layer_kernels`` (``None``: none).
    _kernel_name: str | None = None

    def _rnn_init(self, cell, kwargs, activity_regularizer, use_cudnn="auto", **loop):
        super().__init__(cell, activity_regularizer=activity_regularizer, **loop, **kwargs)
        self.input_spec = InputSpec(ndim=3)
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                f"{type(self).__name__}: invalid value received for argument `use_cudnn`, "
                f"expected one of {{'auto', True, False}}, received use_cudnn={use_cudnn!r}"
            )
        self.use_cudnn = use_cudnn

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """The backend's fused loop where it has one for this layer and case (Keras's
        cuDNN path: ``use_cudnn`` ``"auto"`` or ``True``), else the generic loop."""
        if self.use_cudnn is not False:
            fused = self._fused_loop(sequences, initial_state, mask, training)
            if fused is not None:
                return fused
            if self.use_cudnn is True:
                raise ValueError(
                    f"Layer '{self.name}': use_cudnn=True was given, but the "
                    f"{_BACKEND.name} backend has no fused {type(self).__name__} loop for "
                    "this configuration (a mask, recurrent dropout in training, or "
                    "activations or options it does not cover). Pass use_cudnn='auto' to "
                    "fall back to the generic loop."
                )
        return super().inner_loop(sequences, initial_state, mask, training=training)

    def _fused_loop(self, sequences, initial_state, mask, training):
        kernel = _BACKEND.layer_kernels.get(self._kernel_name) if self._kernel_name else None
        cell = self.cell
        if kernel is None or cell._dropping(training, cell.recurrent_dropout):
            return None
        if is_nested(mask):
            mask = mask[0]
        if cell._dropping(training, cell.dropout):
            if cell._dropout_mask_count is not None:  # one mask per gate: the cell's loop
                return None
            # One mask for the whole sequence, as the cell applies at every step.
            sequences = sequences * ops.expand_dims(cell.get_dropout_mask(sequences[:, 0]), 1)
        return kernel(
            cell,
            sequences,
            list(initial_state),
            mask=mask,
            go_backwards=self.go_backwards,
            return_sequences=self.return_sequences,
        )

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config.update({k: v for k, v in cell_config.items() if k in self._cell_keys})
        config["activity_regularizer"] = _serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return Layer.from_config.__func__(cls, config)


def _cell_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"dtype": kwargs.get("dtype"), "trainable": kwargs.get("trainable", True)}


class SimpleRNN(_CellLayer):
    """A fully-connected RNN: ``h_t = activation(x_t @ kernel + h_{t-1} @
    recurrent_kernel + bias)``; the output is ``h``.

    Args: those of :class:`SimpleRNNCell` (``units``, ``activation``, ...) and of
    :class:`RNN` (``return_sequences``, ``return_state``, ``go_backwards``,
    ``stateful``, ``unroll``), plus ``activity_regularizer``.

    Example::

        >>> layer = kcore.layers.SimpleRNN(4)
        >>> tuple(layer(kcore.ops.ones((2, 3, 5))).shape)
        (2, 4)
    """

    _cell_keys = (
        "units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
        "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
        "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
        "recurrent_dropout",
    )  # fmt: skip

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
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        seed=None,
        **kwargs,
    ):
        cell = SimpleRNNCell(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            name="simple_rnn_cell",
            **_cell_kwargs(kwargs),
        )
        self._rnn_init(
            cell,
            kwargs,
            activity_regularizer,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
        )


class LSTM(_CellLayer):
    """Long Short-Term Memory (Hochreiter & Schmidhuber, 1997) over ``(batch, time,
    features)`` inputs. The states are ``[h, c]``; the weights are those of
    :class:`LSTMCell` (gates ``i, f, c, o``), so Keras LSTM weights load unchanged.

    Args: those of :class:`LSTMCell` and of :class:`RNN`, plus
    ``activity_regularizer`` and ``use_cudnn`` (``"auto"``, ``True`` or ``False``;
    the backend's fused loop where it has one: ``"auto"`` uses it when it covers the
    case, ``True`` requires it, ``False`` always runs the cell step by step; the torch
    and jax backends have one). ``implementation`` (1 or 2) is accepted as a keyword.

    Example::

        >>> layer = kcore.layers.LSTM(4, return_state=True)
        >>> output, h, c = layer(kcore.ops.ones((2, 3, 5)))
    """

    _kernel_name = "lstm"
    _cell_keys = (
        "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
        "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
        "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
        "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
    )  # fmt: skip

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
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        use_cudnn="auto",
        **kwargs,
    ):
        cell = LSTMCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            unit_forget_bias=unit_forget_bias,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            implementation=kwargs.pop("implementation", 2),
            name="lstm_cell",
            **_cell_kwargs(kwargs),
        )
        self._rnn_init(
            cell,
            kwargs,
            activity_regularizer,
            use_cudnn,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
        )


class GRU(_CellLayer):
    """Gated Recurrent Unit (Cho et al., 2014) over ``(batch, time, features)``
    inputs, with :class:`GRUCell`'s weights (gates ``z, r, h``; ``reset_after``
    selects the variant).

    Args: those of :class:`GRUCell` and of :class:`RNN`, plus
    ``activity_regularizer`` and ``use_cudnn`` (``"auto"``, ``True`` or ``False``;
    as :class:`LSTM`'s).

    Example::

        >>> layer = kcore.layers.GRU(4, return_sequences=True)
        >>> tuple(layer(kcore.ops.ones((2, 3, 5))).shape)
        (2, 3, 4)
    """

    _kernel_name = "gru"
    _cell_keys = (
        "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
        "recurrent_initializer", "bias_initializer", "kernel_regularizer",
        "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
        "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout",
        "reset_after", "seed",
    )  # fmt: skip

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
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        reset_after=True,
        use_cudnn="auto",
        **kwargs,
    ):
        cell = GRUCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            reset_after=reset_after,
            seed=seed,
            implementation=kwargs.pop("implementation", 2),
            name="gru_cell",
            **_cell_kwargs(kwargs),
        )
        self._rnn_init(
            cell,
            kwargs,
            activity_regularizer,
            use_cudnn,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
        )


for _cls in (SimpleRNN, LSTM, GRU):
    for _name in _cls._cell_keys:
        if _name not in ("dropout", "recurrent_dropout"):
            setattr(_cls, _name, _cell_property(_name))
    _cls.dropout = _cell_property("dropout")
    _cls.recurrent_dropout = _cell_property("recurrent_dropout")
del _cls, _name


# ------------------------------------------------------------------- wrappers
def _check_wrapped(owner: str, layer: Any, argument: str = "layer") -> None:
    if not isinstance(layer, Layer):
        raise ValueError(
            f"{owner}: argument `{argument}` must be a kcore layer instance, received "
            f"{argument}={layer!r}"
        )


_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(Wrapper):
    """Runs a recurrent layer forwards and a copy of it backwards over the inputs and
    merges their outputs.

    Args:
        layer: an ``RNN`` instance (``LSTM``, ``GRU``...); a copy named
            ``forward_<name>`` runs forwards.
        merge_mode: how the two outputs combine: ``"concat"`` (default), ``"sum"``,
            ``"mul"``, ``"ave"``, or ``None`` (a list of the two).
        weights: initial weights (accepted for compatibility; use ``set_weights``).
        backward_layer: the backward layer (default: a copy of ``layer`` with
            ``go_backwards`` flipped, named ``backward_<name>``).

    The backward sequence output is flipped back into time order before merging. With
    ``return_state`` the forward states come before the backward ones.

    Example::

        >>> layer = kcore.layers.Bidirectional(kcore.layers.LSTM(4, return_sequences=True))
        >>> tuple(layer(kcore.ops.ones((2, 3, 5))).shape)
        (2, 3, 8)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        _check_wrapped("Bidirectional", layer)
        if backward_layer is not None:
            _check_wrapped("Bidirectional", backward_layer, "backward_layer")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode!r}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        super().__init__(layer, **kwargs)
        # As in Keras, the wrapped layer is only a template for the two directions: it is
        # neither a sublayer nor saved (a loaded model would otherwise build it too).
        self._kcore_untracked.add("layer")
        config = _serialize(layer)
        config["config"]["name"] = "forward_" + _strip(layer.name, "forward_")
        self.forward_layer = _deserialize(config)
        if backward_layer is None:
            config = _serialize(layer)
            config["config"]["go_backwards"] = not config["config"].get("go_backwards", False)
            config["config"]["name"] = "backward_" + _strip(layer.name, "backward_")
            backward_layer = _deserialize(config)
        self.backward_layer = backward_layer
        if hasattr(layer, "use_cudnn"):
            self.forward_layer.use_cudnn = layer.use_cudnn
            self.backward_layer.use_cudnn = layer.use_cudnn
        self._verify()
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        if weights:
            half = len(weights) // 2
            self._initial_weights = (weights[:half], weights[half:])
        else:
            self._initial_weights = None
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _verify(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` "
                f"value. Received: forward_layer.go_backwards {forward.go_backwards}, "
                f"backward_layer.go_backwards={backward.go_backwards}"
            )
        for name in ("stateful", "return_sequences", "return_state"):
            a, b = getattr(forward, name), getattr(backward, name)
            if a != b:
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value "
                    f'for attribute "{name}", got "{a}" for forward layer and "{b}" for '
                    "backward layer"
                )

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output = self.forward_layer.compute_output_shape(sequences_shape)
        states = []
        if self.return_state:
            output, states = output[0], list(output[1:])
        output = tuple(output)
        if self.merge_mode == "concat":
            output = (*output[:-1], None if output[-1] is None else output[-1] * 2)
            outputs = [output]
        elif self.merge_mode is None:
            outputs = [output, output]
        else:
            outputs = [output]
        if self.return_state:
            return (*outputs, *states, *states)
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def build(self, sequences_shape, initial_state_shape=None):
        scope_owner = self
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                _build_rnn(scope_owner, sub, tuple(sequences_shape))
        if self._initial_weights is not None:
            self.forward_layer.set_weights(self._initial_weights[0])
            self.backward_layer.set_weights(self._initial_weights[1])
            self._initial_weights = None
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {}
        if self.forward_layer._call_info.training:
            kwargs["training"] = training
        if self.forward_layer._call_info.mask:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states: list[Any] = []
        if self.return_state:
            states = [*y[1:], *y_rev[1:]]
            y, y_rev = y[0], y_rev[0]
        y = ops.cast(y, self.compute_dtype)
        y_rev = ops.cast(y_rev, self.compute_dtype)
        if self.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)
        mode = self.merge_mode
        if mode == "concat":
            outputs = [ops.concatenate([y, y_rev], axis=-1)]
        elif mode == "sum":
            outputs = [y + y_rev]
        elif mode == "ave":
            outputs = [(y + y_rev) / 2]
        elif mode == "mul":
            outputs = [y * y_rev]
        else:
            outputs = [y, y_rev]
        if self.return_state:
            return (*outputs, *states)
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def compute_mask(self, inputs, mask):
        if isinstance(mask, list | tuple):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if self.merge_mode is None else mask
        else:
            output_mask = [None, None] if self.merge_mode is None else None
        if self.return_state and self.states is not None:
            nones = [None] * len(self.states)
            if isinstance(output_mask, list):
                return output_mask + nones
            return [output_mask, *nones]
        return output_mask

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(list(self.forward_layer.states) + list(self.backward_layer.states))
        return None

    def reset_states(self):
        """Same as :meth:`reset_state`."""
        self.reset_state()

    def reset_state(self):
        """Zero the states of both directions (stateful layers only)."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def get_config(self):
        config = {**Layer.get_config(self), "merge_mode": self.merge_mode}
        config["layer"] = _serialize(self.forward_layer)
        config["backward_layer"] = _serialize(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = _deserialize(config["layer"], custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = _deserialize(backward, custom_objects)
        return Layer.from_config.__func__(cls, config)


def _strip(name: str, prefix: str) -> str:
    return name[len(prefix) :] if name.startswith(prefix) else name


def _build_rnn(owner: Layer, layer: Layer, shape: tuple[Any, ...]) -> None:
    """Build a wrapped layer under its own name scope (weights ``owner/layer/...``)."""
    from kcore.layers.layer import _context

    scope = _context.scope
    _context.scope = (*scope, layer.name)
    try:
        layer.build(shape)
    finally:
        _context.scope = scope
    layer.built = True
    layer._build_shapes = {"sequences_shape": shape}
    layer._post_build()


class TimeDistributed(Wrapper):
    """Applies a layer to every time step (axis 1) of its inputs, with the same
    weights: ``(batch, time, ...)`` in, ``(batch, time, ...)`` out.

    Args:
        layer: the layer to apply.

    Example::

        >>> layer = kcore.layers.TimeDistributed(kcore.layers.Dense(4))
        >>> tuple(layer(kcore.ops.ones((2, 3, 5))).shape)
        (2, 3, 4)
    """

    def __init__(self, layer, **kwargs):
        _check_wrapped("TimeDistributed", layer)
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_shape(self, input_shape):
        if not isinstance(input_shape, list | tuple) or len(input_shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                f"dimensions, received: {input_shape}"
            )
        return (input_shape[0], *input_shape[2:])

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_shape(tuple(input_shape)))
        return (child[0], input_shape[1], *child[1:])

    def build(self, input_shape):
        child = self._child_shape(tuple(input_shape))
        if not self.layer.built:
            build_sublayer(self.layer, child)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if mask is not None:
            mask_shape, input_shape = tuple(mask.shape), tuple(inputs.shape)
            if len(mask_shape) < 2:
                raise ValueError(
                    "The `mask` passed to the `TimeDistributed` layer must be at least 2D "
                    f"(e.g., `(batch_size, timesteps)`), but it has {len(mask_shape)} "
                    f"dimension(s) with shape {mask_shape}."
                )
            for axis in (0, 1):
                a, b = input_shape[axis], mask_shape[axis]
                if a is not None and b is not None and a != b:
                    raise ValueError(
                        f"The `mask` passed to the `TimeDistributed` layer has a shape "
                        f"{mask_shape} that is incompatible with the input shape "
                        f"{input_shape}: the first two dimensions must match."
                    )
        info = self.layer._call_info
        inner = self.layer

        def one_step(x, m):
            kwargs = {}
            if info.mask and m is not None:
                kwargs["mask"] = m
            if info.training:
                kwargs["training"] = training
            return inner.call(x, **kwargs)

        steps = inputs.shape[1]
        if steps is not None:
            outputs = [
                one_step(inputs[:, t], None if mask is None else mask[:, t]) for t in range(steps)
            ]
            return ops.stack(outputs, axis=1)
        time_major = ops.moveaxis(inputs, 1, 0)
        if mask is None:
            outputs = ops.vectorized_map(lambda x: one_step(x, None), time_major)
        else:
            masks = ops.moveaxis(mask, 1, 0)
            outputs = ops.vectorized_map(lambda xm: one_step(xm[0], xm[1]), (time_major, masks))
        return ops.moveaxis(outputs, 0, 1)

    def get_config(self):
        return {**Layer.get_config(self), "layer": _serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = _deserialize(config["layer"], custom_objects)
        return Layer.from_config.__func__(cls, config)


from kcore.layers._conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D  # noqa: E402
