"""Convolution layers: ``Conv1D/2D/3D``, their transposes, ``DepthwiseConv1D/2D`` and
``SeparableConv1D/2D``, with Keras 3's arguments, defaults, weights and configs.

Every class is one of four bases (:class:`BaseConv`, :class:`BaseConvTranspose`,
:class:`BaseDepthwiseConv`, :class:`BaseSeparableConv`) set to a spatial rank; the
options are validated and normalised once, in ``__init__``, so ``call`` runs the
convolution op, the bias and the activation and nothing else.

Example::

    >>> layer = kcore.layers.Conv2D(4, 3, padding="same", activation="relu")
    >>> tuple(layer(kcore.ops.ones((2, 8, 8, 3))).shape)
    (2, 8, 8, 4)
    >>> [tuple(w.shape) for w in layer.weights]
    [(3, 3, 3, 4), (4,)]
"""

from __future__ import annotations

import operator
from typing import Any

from kcore import activations, config, constraints, initializers, ops, regularizers
from kcore.layers.core import _lora_kernel, _LoraMixin
from kcore.layers.input_spec import InputSpec
from kcore.layers.layer import Layer

__all__ = [
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "Convolution1D",
    "Convolution2D",
    "Convolution3D",
    "Convolution1DTranspose",
    "Convolution2DTranspose",
    "Convolution3DTranspose",
    "SeparableConvolution1D",
    "SeparableConvolution2D",
]


# -------------------------------------------------------------- argument checks
# Shared with ``kcore.layers.pooling``.


def _standardize_tuple(
    value: Any, n: int, name: str, owner: str, allow_zero: bool = False
) -> tuple[int, ...]:
    """``value`` (an int or ``n`` ints) as a tuple of ``n`` ints, each ``> 0`` (``>= 0``
    with ``allow_zero``); otherwise a ValueError naming ``owner`` and ``name``."""
    expected = f"an int or a tuple of {n} int{'s' if n > 1 else ''}"
    if isinstance(value, bool):
        items: Any = None
    elif isinstance(value, list | tuple):
        items = tuple(value)
    else:
        try:
            items = (operator.index(value),) * n
        except TypeError:
            items = None
    try:
        if items is None or len(items) != n or any(isinstance(v, bool) for v in items):
            raise TypeError
        items = tuple(operator.index(v) for v in items)
    except TypeError:
        raise ValueError(
            f"{owner}: the `{name}` argument must be {expected}. Received {name}={value!r}"
        ) from None
    bad = [v for v in items if (v < 0 if allow_zero else v <= 0)]
    if bad:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"{owner}: the `{name}` argument must be {expected}, each {bound}. "
            f"Received {name}={value!r}"
        )
    return items


def _standardize_padding(value: Any, owner: str, allow_causal: bool = False) -> str:
    """``value`` lower-cased, checked to be ``"valid"``, ``"same"`` (or ``"causal"``)."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(
            f"{owner}: the `padding` argument must be one of {allowed}. Received padding={value!r}"
        )
    return padding


def _standardize_data_format(value: Any, owner: str) -> str:
    """``value`` (``None``: the configured image data format) as ``"channels_last"``
    or ``"channels_first"``."""
    if value is None:
        return config.image_data_format()
    data_format = value.lower() if isinstance(value, str) else value
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{owner}: the `data_format` argument must be 'channels_last' or "
            f"'channels_first'. Received data_format={value!r}"
        )
    return data_format


def _positive_int(value: Any, name: str, owner: str) -> int:
    """``value`` as an int ``> 0``, else a ValueError naming ``name``."""
    try:
        if isinstance(value, bool):
            raise TypeError
        number = operator.index(value)
    except TypeError:
        number = None
    if number is None or number <= 0:
        raise ValueError(
            f"{owner}: invalid value for argument `{name}`. Expected a strictly positive "
            f"integer. Received {name}={value!r}"
        )
    return number


def _lookup(module: Any, value: Any, name: str, owner: str) -> Any:
    """``module.get(value)`` (an activation, initializer, regularizer or constraint)
    with an error naming the argument."""
    try:
        return module.get(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{owner}: could not interpret the `{name}` argument: {error}. "
            f"Received {name}={value!r}"
        ) from None


def _forwarded(arguments: dict[str, Any]) -> dict[str, Any]:
    """A public class's constructor arguments (its ``locals()``), ``**kwargs``
    included, as keywords for its base class: Conv1D/2D/3D... keep Keras's exact
    signatures without restating every argument in the ``super().__init__`` call."""
    arguments = dict(arguments)
    del arguments["self"]
    arguments.pop("__class__", None)
    return {**arguments.pop("kwargs"), **arguments}


def _channel_axis(data_format: str) -> int:
    return -1 if data_format == "channels_last" else 1


def _spatial_dims(input_shape: Any, data_format: str) -> tuple[Any, ...]:
    shape = tuple(input_shape)
    return shape[1:-1] if data_format == "channels_last" else shape[2:]


def _assemble_shape(batch: Any, spatial: Any, channels: Any, data_format: str) -> tuple:
    if data_format == "channels_last":
        return (batch, *spatial, channels)
    return (batch, channels, *spatial)


def _check_rank(layer: Layer, input_shape: Any, ndim: int) -> tuple[Any, ...]:
    """``input_shape`` as a tuple, after checking it has rank ``ndim``."""
    shape = tuple(input_shape)
    if len(shape) != ndim:
        raise ValueError(
            f"Layer '{layer.name}' ({type(layer).__name__}) expects inputs of rank {ndim}, "
            f"received input_shape={shape}"
        )
    return shape


def _conv_length(size: Any, kernel: int, stride: int, padding: str, dilation: int) -> Any:
    if size is None:
        return None
    if padding == "valid":
        return (size - dilation * (kernel - 1) - 1) // stride + 1
    return (size - 1) // stride + 1  # "same" and "causal"


def _conv_transpose_length(
    size: Any, kernel: int, stride: int, padding: str, output_padding: Any, dilation: int
) -> Any:
    if size is None:
        return None
    reach = dilation * (kernel - 1) + 1
    if padding == "valid":
        extra = max(reach, stride) - reach if output_padding is None else output_padding
        return (size - 1) * stride + reach + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + reach % 2 + output_padding


# ------------------------------------------------------------------ the bases
class _Convolution(Layer):
    """What every convolution shares: the spatial options, bias and activation."""

    rank = 0
    _allow_causal = False

    def _init_options(
        self,
        rank: int,
        kernel_size: Any,
        strides: Any,
        padding: Any,
        data_format: Any,
        dilation_rate: Any,
        activation: Any,
        use_bias: Any,
        bias_initializer: Any,
        bias_regularizer: Any,
        bias_constraint: Any,
    ) -> None:
        owner = type(self).__name__
        self.rank = rank
        self.kernel_size = _standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = _standardize_tuple(strides, rank, "strides", owner)
        self.dilation_rate = _standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.padding = _standardize_padding(padding, owner, allow_causal=self._allow_causal)
        self.data_format = _standardize_data_format(data_format, owner)
        self.activation = _lookup(activations, activation, "activation", owner)
        self.use_bias = bool(use_bias)
        self.bias_initializer = _lookup(initializers, bias_initializer, "bias_initializer", owner)
        self.bias_regularizer = _lookup(regularizers, bias_regularizer, "bias_regularizer", owner)
        self.bias_constraint = _lookup(constraints, bias_constraint, "bias_constraint", owner)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.bias = None
        self._bias_shape: tuple[int, ...] | None = None

    def _check_strides_dilation(self) -> None:
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{type(self).__name__}: `strides` > 1 is not supported together with "
                f"`dilation_rate` > 1. Received strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}"
            )

    def _input_channels(self, input_shape: Any) -> int:
        shape = _check_rank(self, input_shape, self.rank + 2)
        channels = shape[_channel_axis(self.data_format)]
        if channels is None:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}): the channel dimension of the "
                f"inputs must be known (data_format={self.data_format!r}), received "
                f"input_shape={shape}"
            )
        self.input_spec = InputSpec(
            ndim=self.rank + 2, axes={_channel_axis(self.data_format): channels}
        )
        return channels

    def _add_bias(self, size: int) -> None:
        if not self.use_bias:
            self.bias = None
            return
        self.bias = self.add_weight(
            name="bias",
            shape=(size,),
            initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint,
            trainable=True,
            dtype=self.dtype,
        )
        # channels_last broadcasts the (size,) bias as it is.
        self._bias_shape = (
            None if self.data_format == "channels_last" else ((1, size) + (1,) * self.rank)
        )

    def _finish(self, outputs: Any) -> Any:
        if self.use_bias:
            bias = (
                self.bias if self._bias_shape is None else ops.reshape(self.bias, self._bias_shape)
            )
            outputs = ops.add(outputs, bias)
        if self.activation is not activations.linear:
            outputs = self.activation(outputs)
        return outputs

    def _spatial_config(self) -> dict[str, Any]:
        return {
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
        }

    def _output_spatial(self, input_shape: Any) -> tuple[Any, ...]:
        shape = _check_rank(self, input_shape, self.rank + 2)
        spatial = tuple(
            _conv_length(size, k, s, self.padding, d)
            for size, k, s, d in zip(
                _spatial_dims(shape, self.data_format),
                self.kernel_size,
                self.strides,
                self.dilation_rate,
            )
        )
        if any(size is not None and size <= 0 for size in spatial):
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}): the computed output size "
                f"would be zero or negative ({spatial}) for input_shape={shape}, "
                f"kernel_size={self.kernel_size}, strides={self.strides}, "
                f"dilation_rate={self.dilation_rate}, padding={self.padding!r}"
            )
        return spatial


class BaseConv(_LoraMixin, _Convolution):
    """The N-D convolution layer (the base of ``Conv1D``, ``Conv2D``, ``Conv3D``).

    Args:
        rank: the number of spatial dimensions (1, 2 or 3).
        filters: the number of output channels.
        kernel_size: the window's size: an int or ``rank`` ints.
        strides: the step of the window: an int or ``rank`` ints.
        padding: ``"valid"`` (no padding), ``"same"`` (output size
            ``ceil(input / stride)``) or, for 1D, ``"causal"`` (left padding only, so
            ``output[t]`` depends on ``input[:t + 1]``); case-insensitive.
        data_format: ``"channels_last"`` or ``"channels_first"`` (``None``: the
            configured image data format).
        dilation_rate: the spacing of the kernel's cells; ``> 1`` with ``strides > 1``
            is an error.
        groups: split the input channels into this many groups convolved separately;
            ``filters`` and the input channels must be multiples of it.
        activation: applied to the output (``None``: none).
        use_bias: whether a bias is added.
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer, activity_regularizer: regularizers.
        kernel_constraint, bias_constraint: constraints of the weights.
        lora_rank: when set, :meth:`enable_lora` with this rank once built (passed
            through ``**kwargs`` by the public classes, as in Keras 3).
        lora_alpha: LoRA's scale numerator (default: ``lora_rank``).

    Weights: ``kernel`` of shape ``(*kernel_size, in_channels // groups, filters)``
    and ``bias`` of shape ``(filters,)``.

    Example::

        >>> layer = kcore.layers.Conv1D(2, 3, padding="causal")
        >>> tuple(layer(kcore.ops.ones((1, 5, 4))).shape)
        (1, 5, 2)
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
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        lora_alpha=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = type(self).__name__
        self._allow_causal = rank == 1
        self._init_options(
            rank,
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            bias_initializer,
            bias_regularizer,
            bias_constraint,
        )
        self.filters = _positive_int(filters, "filters", owner)
        self.groups = _positive_int(groups, "groups", owner)
        if self.filters % self.groups:
            raise ValueError(
                f"{owner}: `filters` must be a multiple of `groups`. Received "
                f"filters={self.filters}, groups={self.groups}"
            )
        self._check_strides_dilation()
        self.kernel_initializer = _lookup(
            initializers, kernel_initializer, "kernel_initializer", owner
        )
        self.kernel_regularizer = _lookup(
            regularizers, kernel_regularizer, "kernel_regularizer", owner
        )
        self.kernel_constraint = _lookup(constraints, kernel_constraint, "kernel_constraint", owner)
        self.lora_rank = None if lora_rank is None else _positive_int(lora_rank, "lora_rank", owner)
        self.lora_alpha = lora_alpha if lora_alpha is not None else self.lora_rank
        self.lora_enabled = False
        self._kernel = None
        if self.padding == "causal":
            pad = ((0, 0), (self.dilation_rate[0] * (self.kernel_size[0] - 1), 0))
            self._causal_pads = (
                (*pad, (0, 0))
                if self.data_format == "channels_last"
                else (
                    (0, 0),
                    (0, 0),
                    pad[1],
                )
            )
            self._op_padding = "valid"
        else:
            self._causal_pads = None
            self._op_padding = self.padding

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}): the number of input channels "
                f"({channels}) must be a multiple of groups={self.groups}; received "
                f"input_shape={tuple(input_shape)}"
            )
        self.compute_output_shape(input_shape)
        self._kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels // self.groups, self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            trainable=True,
            dtype=self.dtype,
        )
        self._add_bias(self.filters)
        self._finish_build()

    kernel = _lora_kernel

    def convolution_op(self, inputs, kernel):
        """The convolution of ``inputs`` by ``kernel`` (without bias or activation)."""
        if self._causal_pads is not None:
            inputs = ops.pad(inputs, self._causal_pads)
        return ops.conv(
            inputs,
            kernel,
            strides=self.strides,
            padding=self._op_padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )

    def call(self, inputs):
        return self._finish(self.convolution_op(inputs, self.kernel))

    def compute_output_shape(self, input_shape):
        spatial = self._output_spatial(input_shape)
        return _assemble_shape(input_shape[0], spatial, self.filters, self.data_format)

    def get_config(self):
        config = {
            **super().get_config(),
            "filters": self.filters,
            **self._spatial_config(),
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
        config.update(self._lora_config())
        return config


class BaseConvTranspose(_Convolution):
    """The N-D transposed convolution layer (the base of ``Conv1DTranspose``,
    ``Conv2DTranspose``, ``Conv3DTranspose``): the gradient of a convolution with
    respect to its input, used to upsample.

    Args:
        rank: the number of spatial dimensions (1, 2 or 3).
        filters: the number of output channels.
        kernel_size, strides, dilation_rate: ints or ``rank`` ints, as for
            :class:`BaseConv`.
        padding: ``"valid"`` or ``"same"`` (case-insensitive).
        output_padding: ``None`` or an int or ``rank`` ints, each smaller than the
            stride: extra cells added on one side of the output. With ``None`` an
            output axis is ``size * stride`` long for ``"same"`` and
            ``(size - 1) * stride + max(reach, stride)`` for ``"valid"``, where
            ``reach = dilation * (kernel - 1) + 1``; with an ``output_padding`` ``p``
            it is ``(size - 1) * stride + reach + p`` (``"valid"``) or
            ``(size - 1) * stride + reach % 2 + p`` (``"same"``).
        data_format, activation, use_bias, initializers, regularizers, constraints:
            as for :class:`BaseConv`.

    Weights: ``kernel`` of shape ``(*kernel_size, filters, in_channels)`` and
    ``bias`` of shape ``(filters,)``.

    Example::

        >>> layer = kcore.layers.Conv2DTranspose(3, 3, strides=2, padding="same")
        >>> tuple(layer(kcore.ops.ones((1, 4, 4, 2))).shape)
        (1, 8, 8, 3)
    """

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = type(self).__name__
        self._init_options(
            rank,
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            bias_initializer,
            bias_regularizer,
            bias_constraint,
        )
        self.filters = _positive_int(filters, "filters", owner)
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = _standardize_tuple(
                output_padding, rank, "output_padding", owner, allow_zero=True
            )
            for axis, (pad, stride) in enumerate(zip(self.output_padding, self.strides)):
                if pad >= stride:
                    raise ValueError(
                        f"{owner}: each value of `output_padding` must be smaller than the "
                        f"matching `strides` value; at axis {axis} output_padding is {pad} "
                        f"and strides is {stride}. Received output_padding="
                        f"{self.output_padding}, strides={self.strides}"
                    )
        self._check_strides_dilation()
        self.kernel_initializer = _lookup(
            initializers, kernel_initializer, "kernel_initializer", owner
        )
        self.kernel_regularizer = _lookup(
            regularizers, kernel_regularizer, "kernel_regularizer", owner
        )
        self.kernel_constraint = _lookup(constraints, kernel_constraint, "kernel_constraint", owner)
        self.kernel = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, self.filters, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            trainable=True,
            dtype=self.dtype,
        )
        self._add_bias(self.filters)
        self.built = True

    def call(self, inputs):
        outputs = ops.conv_transpose(
            inputs,
            self.kernel,
            strides=self.strides,
            padding=self.padding,
            output_padding=self.output_padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )
        return self._finish(outputs)

    def compute_output_shape(self, input_shape):
        shape = _check_rank(self, input_shape, self.rank + 2)
        pads = self.output_padding or (None,) * self.rank
        spatial = tuple(
            _conv_transpose_length(size, k, s, self.padding, p, d)
            for size, k, s, p, d in zip(
                _spatial_dims(shape, self.data_format),
                self.kernel_size,
                self.strides,
                pads,
                self.dilation_rate,
            )
        )
        return _assemble_shape(shape[0], spatial, self.filters, self.data_format)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class BaseDepthwiseConv(_Convolution):
    """The N-D depthwise convolution layer (the base of ``DepthwiseConv1D`` and
    ``DepthwiseConv2D``): each input channel is convolved with its own
    ``depth_multiplier`` filters, giving ``in_channels * depth_multiplier`` channels.

    Args:
        rank: the number of spatial dimensions (1 or 2).
        depth_multiplier: the number of output channels per input channel.
        kernel_size, strides, padding, data_format, dilation_rate, activation,
            use_bias: as for :class:`BaseConv` (no ``"causal"`` padding).
        depthwise_initializer, depthwise_regularizer, depthwise_constraint: of the
            kernel; ``bias_*`` of the bias.

    Weights: ``kernel`` of shape ``(*kernel_size, in_channels, depth_multiplier)``
    and ``bias`` of shape ``(in_channels * depth_multiplier,)``.

    Example::

        >>> layer = kcore.layers.DepthwiseConv2D(3, depth_multiplier=2)
        >>> tuple(layer(kcore.ops.ones((1, 5, 5, 3))).shape)
        (1, 3, 3, 6)
    """

    def __init__(
        self,
        rank,
        depth_multiplier,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = type(self).__name__
        self._init_options(
            rank,
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            bias_initializer,
            bias_regularizer,
            bias_constraint,
        )
        self.depth_multiplier = _positive_int(depth_multiplier, "depth_multiplier", owner)
        self.depthwise_initializer = _lookup(
            initializers, depthwise_initializer, "depthwise_initializer", owner
        )
        self.depthwise_regularizer = _lookup(
            regularizers, depthwise_regularizer, "depthwise_regularizer", owner
        )
        self.depthwise_constraint = _lookup(
            constraints, depthwise_constraint, "depthwise_constraint", owner
        )
        self.kernel = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
            trainable=True,
            dtype=self.dtype,
        )
        self._add_bias(channels * self.depth_multiplier)
        self.built = True

    def call(self, inputs):
        outputs = ops.depthwise_conv(
            inputs,
            self.kernel,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )
        return self._finish(outputs)

    def compute_output_shape(self, input_shape):
        spatial = self._output_spatial(input_shape)
        channels = input_shape[_channel_axis(self.data_format)]
        out_channels = None if channels is None else channels * self.depth_multiplier
        return _assemble_shape(input_shape[0], spatial, out_channels, self.data_format)

    def get_config(self):
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            **self._spatial_config(),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class BaseSeparableConv(_Convolution):
    """The N-D separable convolution layer (the base of ``SeparableConv1D`` and
    ``SeparableConv2D``): a depthwise convolution followed by a pointwise (1x1)
    convolution to ``filters`` channels.

    Args:
        rank: the number of spatial dimensions (1 or 2).
        depth_multiplier: the depthwise step's output channels per input channel.
        filters: the number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate, activation,
            use_bias: as for :class:`BaseConv` (no ``"causal"`` padding).
        depthwise_*, pointwise_*, bias_*: initializers, regularizers and constraints
            of the three weights.

    Weights: ``depthwise_kernel`` of shape ``(*kernel_size, in_channels,
    depth_multiplier)``, ``pointwise_kernel`` of shape ``(1, ..., 1, in_channels *
    depth_multiplier, filters)`` and ``bias`` of shape ``(filters,)``.

    Example::

        >>> layer = kcore.layers.SeparableConv2D(4, 3, padding="same")
        >>> tuple(layer(kcore.ops.ones((1, 5, 5, 3))).shape)
        (1, 5, 5, 4)
    """

    def __init__(
        self,
        rank,
        depth_multiplier,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = type(self).__name__
        self._init_options(
            rank,
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            bias_initializer,
            bias_regularizer,
            bias_constraint,
        )
        self.depth_multiplier = _positive_int(depth_multiplier, "depth_multiplier", owner)
        self.filters = _positive_int(filters, "filters", owner)
        for module, name, value in (
            (initializers, "depthwise_initializer", depthwise_initializer),
            (initializers, "pointwise_initializer", pointwise_initializer),
            (regularizers, "depthwise_regularizer", depthwise_regularizer),
            (regularizers, "pointwise_regularizer", pointwise_regularizer),
            (constraints, "depthwise_constraint", depthwise_constraint),
            (constraints, "pointwise_constraint", pointwise_constraint),
        ):
            setattr(self, name, _lookup(module, value, name, owner))
        self.depthwise_kernel = None
        self.pointwise_kernel = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel",
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
            trainable=True,
            dtype=self.dtype,
        )
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=((1,) * self.rank + (channels * self.depth_multiplier, self.filters)),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
            trainable=True,
            dtype=self.dtype,
        )
        self._add_bias(self.filters)
        self.built = True

    def call(self, inputs):
        outputs = ops.separable_conv(
            inputs,
            self.depthwise_kernel,
            self.pointwise_kernel,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )
        return self._finish(outputs)

    def compute_output_shape(self, input_shape):
        spatial = self._output_spatial(input_shape)
        return _assemble_shape(input_shape[0], spatial, self.filters, self.data_format)

    def get_config(self):
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            **self._spatial_config(),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


# -------------------------------------------------------------- the public classes
class Conv1D(BaseConv):
    """1D convolution (temporal convolution) over inputs ``(batch, steps,
    channels)`` (``channels_last``) or ``(batch, channels, steps)``.

    Arguments are those of :class:`BaseConv` with ``rank=1``; ``padding`` may also
    be ``"causal"``.

    Example::

        >>> x = kcore.ops.ones((4, 10, 128))
        >>> tuple(kcore.layers.Conv1D(32, 3, activation="relu")(x).shape)
        (4, 8, 32)
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(1, **_forwarded(locals()))


class Conv2D(BaseConv):
    """2D convolution (spatial convolution over images) over inputs ``(batch,
    height, width, channels)`` (``channels_last``) or ``(batch, channels, height,
    width)``.

    Arguments are those of :class:`BaseConv` with ``rank=2``.

    Example::

        >>> x = kcore.ops.ones((4, 10, 10, 128))
        >>> tuple(kcore.layers.Conv2D(32, 3, activation="relu")(x).shape)
        (4, 8, 8, 32)
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(2, **_forwarded(locals()))


class Conv3D(BaseConv):
    """3D convolution (spatial convolution over volumes) over inputs ``(batch, d1,
    d2, d3, channels)`` (``channels_last``) or ``(batch, channels, d1, d2, d3)``.

    Arguments are those of :class:`BaseConv` with ``rank=3``.

    Example::

        >>> x = kcore.ops.ones((2, 6, 6, 6, 3))
        >>> tuple(kcore.layers.Conv3D(8, 3)(x).shape)
        (2, 4, 4, 4, 8)
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1, 1),
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(3, **_forwarded(locals()))


class Conv1DTranspose(BaseConvTranspose):
    """1D transposed convolution over inputs ``(batch, steps, channels)``
    (``channels_last``) or ``(batch, channels, steps)``.

    Arguments are those of :class:`BaseConvTranspose` with ``rank=1``.

    Example::

        >>> x = kcore.ops.ones((4, 10, 8))
        >>> tuple(kcore.layers.Conv1DTranspose(16, 3, strides=2)(x).shape)
        (4, 21, 16)
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(1, **_forwarded(locals()))


class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution over inputs ``(batch, height, width, channels)``
    (``channels_last``) or ``(batch, channels, height, width)``.

    Arguments are those of :class:`BaseConvTranspose` with ``rank=2``.

    Example::

        >>> x = kcore.ops.ones((4, 10, 8, 128))
        >>> tuple(kcore.layers.Conv2DTranspose(32, 2, strides=2)(x).shape)
        (4, 20, 16, 32)
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=(1, 1),
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(2, **_forwarded(locals()))


class Conv3DTranspose(BaseConvTranspose):
    """3D transposed convolution over inputs ``(batch, d1, d2, d3, channels)``
    (``channels_last``) or ``(batch, channels, d1, d2, d3)``.

    Arguments are those of :class:`BaseConvTranspose` with ``rank=3`` (as in Keras 3,
    ``data_format`` comes before ``output_padding`` here).

    Example::

        >>> x = kcore.ops.ones((2, 3, 3, 3, 4))
        >>> tuple(kcore.layers.Conv3DTranspose(2, 2, strides=2)(x).shape)
        (2, 6, 6, 6, 2)
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1, 1),
        padding="valid",
        data_format=None,
        output_padding=None,
        dilation_rate=(1, 1, 1),
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(3, **_forwarded(locals()))


class DepthwiseConv1D(BaseDepthwiseConv):
    """1D depthwise convolution over inputs ``(batch, steps, channels)``
    (``channels_last``) or ``(batch, channels, steps)``.

    Arguments are those of :class:`BaseDepthwiseConv` with ``rank=1``.

    Example::

        >>> x = kcore.ops.ones((4, 10, 12))
        >>> tuple(kcore.layers.DepthwiseConv1D(3, depth_multiplier=2)(x).shape)
        (4, 8, 24)
    """

    def __init__(
        self,
        kernel_size,
        strides=1,
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(1, **_forwarded(locals()))


class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution over inputs ``(batch, height, width, channels)``
    (``channels_last``) or ``(batch, channels, height, width)``.

    Arguments are those of :class:`BaseDepthwiseConv` with ``rank=2``.

    Example::

        >>> x = kcore.ops.ones((4, 10, 10, 12))
        >>> tuple(kcore.layers.DepthwiseConv2D(3, depth_multiplier=2)(x).shape)
        (4, 8, 8, 24)
    """

    def __init__(
        self,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=(1, 1),
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(2, **_forwarded(locals()))


class SeparableConv1D(BaseSeparableConv):
    """1D separable convolution over inputs ``(batch, steps, channels)``
    (``channels_last``) or ``(batch, channels, steps)``.

    Arguments are those of :class:`BaseSeparableConv` with ``rank=1``.

    Example::

        >>> x = kcore.ops.ones((4, 10, 12))
        >>> tuple(kcore.layers.SeparableConv1D(4, 3, depth_multiplier=2)(x).shape)
        (4, 8, 4)
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(1, **_forwarded(locals()))


class SeparableConv2D(BaseSeparableConv):
    """2D separable convolution over inputs ``(batch, height, width, channels)``
    (``channels_last``) or ``(batch, channels, height, width)``.

    Arguments are those of :class:`BaseSeparableConv` with ``rank=2``.

    Example::

        >>> x = kcore.ops.ones((4, 10, 10, 12))
        >>> tuple(kcore.layers.SeparableConv2D(4, 3, depth_multiplier=2)(x).shape)
        (4, 8, 8, 4)
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(2, **_forwarded(locals()))


# Keras 3's aliases: the same classes under their long names.
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
