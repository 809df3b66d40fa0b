"""Convolutional LSTMs: ``ConvLSTM1D``, ``ConvLSTM2D``, ``ConvLSTM3D``.

An LSTM whose input and recurrent transformations are convolutions: inputs are
``(batch, time, *spatial, channels)`` (``channels_last``) and the states are feature
maps. Weights follow Keras: ``kernel`` is ``kernel_size + (channels, 4 * filters)``,
``recurrent_kernel`` ``kernel_size + (filters, 4 * filters)``, gates ``i, f, c, o``.

Example::

    >>> layer = kcore.layers.ConvLSTM2D(4, 3, padding="same")
    >>> tuple(layer(kcore.ops.ones((2, 3, 8, 8, 1))).shape)
    (2, 8, 8, 4)
"""

from __future__ import annotations

from typing import Any

from kcore import activations, config, constraints, initializers, ops, regularizers
from kcore import random as _random
from kcore.layers._rnn_cells import DropoutRNNCellMixin, _serialize_common, check_rate
from kcore.layers.input_spec import InputSpec
from kcore.layers.layer import Layer, unique_name

__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]


def _tuple(owner: str, value: Any, rank: int, name: str, allow_zero: bool = False) -> tuple:
    values = (value,) * rank if isinstance(value, int) and not isinstance(value, bool) else value
    try:
        values = tuple(values)
    except TypeError:
        values = None
    low = 0 if allow_zero else 1
    if (
        values is None
        or len(values) != rank
        or any(isinstance(v, bool) or not isinstance(v, int) or v < low for v in values)
    ):
        raise ValueError(
            f"{owner}: argument `{name}` must be an int or a tuple of {rank} "
            f"{'non-negative' if allow_zero else 'positive'} ints, received {name}={value!r}"
        )
    return values


def _data_format(owner: str, value: Any) -> str:
    value = config.image_data_format() if value is None else str(value).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{owner}: argument `data_format` must be 'channels_last' or 'channels_first', "
            f"received data_format={value!r}"
        )
    return value


def _conv_length(size, kernel, stride, padding, dilation):
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    span = dilation * (kernel - 1) + 1
    return max(0, (size - span) // stride + 1)


class ConvLSTMCell(DropoutRNNCellMixin, Layer):
    """One step of a convolutional LSTM of rank ``rank`` (1, 2 or 3); the arguments
    are those of :class:`ConvLSTM2D`.

    Example::

        >>> cell = ConvLSTMCell(2, filters=4, kernel_size=3, padding="same")
    """

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
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
        super().__init__(**kwargs)
        owner = type(self).__name__
        if rank not in (1, 2, 3):
            raise ValueError(f"{owner}: rank {rank!r} convolutions are not supported (1, 2 or 3)")
        self.rank = rank
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                f"{owner}: argument `filters` must be a positive integer, received "
                f"filters={filters!r}"
            )
        self.filters = filters
        self.kernel_size = _tuple(owner, kernel_size, rank, "kernel_size")
        self.strides = _tuple(owner, strides, rank, "strides", allow_zero=True)
        padding = str(padding).lower() if isinstance(padding, str) else padding
        if padding not in ("valid", "same"):
            raise ValueError(
                f"{owner}: argument `padding` must be 'valid' or 'same', received "
                f"padding={padding!r}"
            )
        self.padding = padding
        self.data_format = _data_format(owner, data_format)
        self.dilation_rate = _tuple(owner, dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "Specifying `strides > 1` is not compatible with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
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
        self._dropout_mask_count = 4
        self.input_spec = InputSpec(ndim=rank + 2)
        # The states are feature maps; RNN only checks that state_size exists.
        self.state_size = -1

    def build(self, inputs_shape, states_shape=None):
        inputs_shape = tuple(inputs_shape)
        if self.data_format == "channels_first":
            channels, spatial = inputs_shape[1], inputs_shape[2:]
        else:
            channels, spatial = inputs_shape[-1], inputs_shape[1:-1]
        if None in spatial:
            raise ValueError(
                "ConvLSTM layers only support static input shapes for the spatial "
                f"dimension. Received invalid input shape: input_shape={inputs_shape}"
            )
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs should be defined. Found None. "
                f"Full input shape received: input_shape={inputs_shape}"
            )
        self.spatial_dims = tuple(spatial)
        self.input_dim = channels
        filters = self.filters
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels, 4 * filters),
            initializer=self.kernel_initializer,
            name="kernel",
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(*self.kernel_size, filters, 4 * filters),
            initializer=self.recurrent_initializer,
            name="recurrent_kernel",
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                base = self.bias_initializer

                def initializer(shape, dtype=None):
                    return ops.concatenate(
                        [
                            base((filters,), dtype=dtype),
                            ops.ones((filters,), dtype=dtype),
                            base((2 * filters,), dtype=dtype),
                        ]
                    )

            self.bias = self.add_weight(
                shape=(4 * filters,),
                name="bias",
                initializer=initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def compute_output_shape(self, inputs_shape, states_shape=None):
        inputs_shape = tuple(inputs_shape)
        first = self.data_format == "channels_first"
        spatial = inputs_shape[2:] if first else inputs_shape[1:-1]
        lengths = tuple(
            _conv_length(n, k, s, self.padding, d)
            for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)
        )
        if first:
            shape = (inputs_shape[0], self.filters, *lengths)
        else:
            shape = (inputs_shape[0], *lengths, self.filters)
        return shape, [shape, shape]

    def get_initial_state(self, batch_size=None):
        """Zero ``[h, c]`` feature maps for ``batch_size`` sequences."""
        if self.data_format == "channels_last":
            shape = (batch_size, *self.spatial_dims, self.input_dim)
        else:
            shape = (batch_size, self.input_dim, *self.spatial_dims)
        state_shape = self.compute_output_shape(shape)[0]
        return [ops.zeros(state_shape, dtype=self.compute_dtype) for _ in range(2)]

    def _gate_parts(self, weight: Any, channel_axis: bool = False) -> list[Any]:
        """The four gates' slices of ``weight``'s last axis (of the channel axis of a
        feature map with ``channel_axis``)."""
        f = self.filters
        if channel_axis and self.data_format == "channels_first":
            return [weight[:, k * f : (k + 1) * f] for k in range(4)]
        return [weight[..., k * f : (k + 1) * f] for k in range(4)]

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        xs = [inputs] * 4
        if bool(training) and 0.0 < self.dropout < 1.0:
            xs = [inputs * m for m in self.get_dropout_mask(inputs)]
        hs = [h_prev] * 4
        if bool(training) and 0.0 < self.recurrent_dropout < 1.0:
            hs = [h_prev * m for m in self.get_recurrent_dropout_mask(h_prev)]
        if self.data_format == "channels_last":
            bias_shape = (1,) * (self.rank + 1) + (-1,)
        else:
            bias_shape = (1, -1) + (1,) * self.rank

        def input_conv(x, w):
            return ops.conv(
                x,
                w,
                strides=self.strides,
                padding=self.padding,
                data_format=self.data_format,
                dilation_rate=self.dilation_rate,
            )

        def recurrent_conv(h, u):
            return ops.conv(h, u, strides=1, padding="same", data_format=self.data_format)

        # Without dropout the four gates share one convolution each way (the kernels
        # hold them side by side); with it, each gate convolves its own masked copy.
        if xs[0] is xs[1]:
            x_all = input_conv(inputs, self.kernel)
            x_parts = self._gate_parts(x_all, channel_axis=True)
        else:
            x_parts = [input_conv(x, w) for x, w in zip(xs, self._gate_parts(self.kernel))]
        if hs[0] is hs[1]:
            h_parts = self._gate_parts(recurrent_conv(h_prev, self.recurrent_kernel), True)
        else:
            h_parts = [
                recurrent_conv(h, u) for h, u in zip(hs, self._gate_parts(self.recurrent_kernel))
            ]
        biases = [None] * 4 if self.bias is None else self._gate_parts(self.bias)
        z = []
        for x_part, h_part, b in zip(x_parts, h_parts, biases):
            pre = x_part + h_part
            z.append(pre if b is None else pre + ops.reshape(b, bias_shape))
        gate, act = self.recurrent_activation, self.activation
        i, f, o = gate(z[0]), gate(z[1]), gate(z[3])
        c = f * c_prev + i * act(z[2])
        h = o * act(c)
        return h, [h, c]

    def get_config(self):
        return {
            **super().get_config(),
            "rank": self.rank,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "unit_forget_bias": self.unit_forget_bias,
            **_serialize_common(self),
            "seed": self.seed,
        }


# RNN is imported late: kcore.layers.rnn imports this module at its end.
from kcore.layers.rnn import RNN, _cell_property  # noqa: E402

_CONV_KEYS = (
    "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
    "activation", "recurrent_activation", "use_bias", "kernel_initializer",
    "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
    "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
)  # fmt: skip


class _ConvLSTM(RNN):
    """The convolutional LSTM of rank ``rank`` (see :class:`ConvLSTM2D`)."""

    rank = 2

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
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
        **kwargs,
    ):
        cell = ConvLSTMCell(
            rank=self.rank,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            name="conv_lstm_cell",
            dtype=kwargs.get("dtype"),
        )
        if kwargs.get("name") is None:  # Keras' default name: conv_lstm2d, not conv_lstm2_d
            kwargs["name"] = unique_name(f"conv_lstm{self.rank}d")
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = InputSpec(ndim=self.rank + 3)

    def get_initial_state(self, batch_size):
        return self.cell.get_initial_state(batch_size=batch_size)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        sequences_shape = tuple(sequences_shape)
        batch, steps = sequences_shape[0], sequences_shape[1]
        state = tuple(self.cell.compute_output_shape((batch, *sequences_shape[2:]))[0][1:])
        if self.return_sequences:
            output = (batch, steps, *state)
        else:
            output = (batch, *state)
        if self.return_state:
            return (output, (batch, *state), (batch, *state))
        return output

    def compute_mask(self, inputs, mask):
        if mask is not None and isinstance(mask, list | tuple):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask, None, None]
        return output_mask

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        config.update({k: cell_config[k] for k in _CONV_KEYS})
        from kcore.saving.serialization import serialize_keras_object

        config["activity_regularizer"] = serialize_keras_object(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return Layer.from_config.__func__(cls, config)


for _name in _CONV_KEYS:
    setattr(_ConvLSTM, _name, _cell_property(_name))
del _name


_DOC = """{rank}D convolutional LSTM over inputs of shape ``(batch, time, {dims},
    channels)`` (``data_format="channels_last"``) or ``(batch, time, channels,
    {dims})``: an LSTM whose input and recurrent transformations are convolutions.

    Args:
        filters: positive int, the number of output feature maps.
        kernel_size: int or tuple of {rank} ints.
        strides: int or tuple of {rank} ints (the input convolution's).
        padding: ``"valid"`` or ``"same"`` (the recurrent convolution is always
            ``"same"``).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format).
        dilation_rate: int or tuple of {rank} ints (not with strides above 1).
        activation, recurrent_activation, use_bias, kernel_initializer,
            recurrent_initializer, bias_initializer, unit_forget_bias, the
            regularizers and constraints, dropout, recurrent_dropout, seed: as in
            :class:`LSTM`.
        return_sequences, return_state, go_backwards, stateful: as in :class:`RNN`.

    Example::

        >>> layer = kcore.layers.ConvLSTM{rank}D(4, 3, padding="same", return_sequences=True)
        >>> tuple(layer(kcore.ops.ones({example_in})).shape)
        {example_out}
    """


class ConvLSTM1D(_ConvLSTM):
    __doc__ = _DOC.format(
        rank=1, dims="steps", example_in="(2, 3, 8, 1)", example_out="(2, 3, 8, 4)"
    )
    rank = 1


class ConvLSTM2D(_ConvLSTM):
    __doc__ = _DOC.format(
        rank=2, dims="rows, cols", example_in="(2, 3, 8, 8, 1)", example_out="(2, 3, 8, 8, 4)"
    )
    rank = 2


class ConvLSTM3D(_ConvLSTM):
    __doc__ = _DOC.format(
        rank=3,
        dims="depth, rows, cols",
        example_in="(2, 3, 4, 4, 4, 1)",
        example_out="(2, 3, 4, 4, 4, 4)",
    )
    rank = 3
