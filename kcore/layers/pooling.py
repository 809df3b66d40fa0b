"""Pooling layers: max and average pooling (1D-3D), the global poolings and the
adaptive poolings, with Keras 3's arguments, defaults and configs.

Example::

    >>> x = kcore.ops.ones((2, 8, 8, 3))
    >>> tuple(kcore.layers.MaxPooling2D()(x).shape)
    (2, 4, 4, 3)
    >>> tuple(kcore.layers.GlobalAveragePooling2D()(x).shape)
    (2, 3)
"""

from __future__ import annotations

import operator
from typing import Any

from kcore import ops
from kcore.layers.convolutional import (
    _assemble_shape,
    _channel_axis,
    _check_rank,
    _forwarded,
    _spatial_dims,
    _standardize_data_format,
    _standardize_padding,
    _standardize_tuple,
)
from kcore.layers.input_spec import InputSpec
from kcore.layers.layer import Layer

__all__ = [
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "AdaptiveAveragePooling1D",
    "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D",
    "AdaptiveMaxPooling3D",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPool3D",
    "AvgPool1D",
    "AvgPool2D",
    "AvgPool3D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPool3D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalAvgPool3D",
]


def _pool_length(size: Any, window: int, stride: int, padding: str) -> Any:
    if size is None:
        return None
    if padding == "valid":
        return (size - window) // stride + 1
    return (size - 1) // stride + 1


# ------------------------------------------------------------------ windowed
class BasePooling(Layer):
    """Max or average pooling over windows of ``pool_size`` (the base of
    ``MaxPooling1D/2D/3D`` and ``AveragePooling1D/2D/3D``).

    Args:
        pool_size: the window: an int or one int per spatial axis.
        strides: the window's step (``None``: ``pool_size``).
        pool_dimensions: the number of spatial axes (1, 2 or 3).
        pool_mode: ``"max"`` or ``"average"``.
        padding: ``"valid"`` or ``"same"`` (case-insensitive); with ``"same"`` the
            output is ``ceil(size / stride)`` long and average pooling averages only
            the cells inside the input.
        data_format: ``"channels_last"`` or ``"channels_first"`` (``None``: the
            configured image data format).

    The layer has no weights and is built when made.

    Example::

        >>> layer = kcore.layers.AveragePooling1D(2, strides=1, padding="same")
        >>> tuple(layer(kcore.ops.ones((1, 5, 3))).shape)
        (1, 5, 3)
    """

    def __init__(
        self,
        pool_size,
        strides,
        pool_dimensions,
        pool_mode="max",
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        owner = type(self).__name__
        if pool_mode not in ("max", "average"):
            raise ValueError(
                f"{owner}: `pool_mode` must be 'max' or 'average'. Received pool_mode={pool_mode!r}"
            )
        self.pool_size = _standardize_tuple(pool_size, pool_dimensions, "pool_size", owner)
        self.strides = (
            self.pool_size
            if strides is None
            else _standardize_tuple(strides, pool_dimensions, "strides", owner)
        )
        self.pool_dimensions = pool_dimensions
        self.pool_mode = pool_mode
        self.padding = _standardize_padding(padding, owner)
        self.data_format = _standardize_data_format(data_format, owner)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self._pool = ops.max_pool if pool_mode == "max" else ops.average_pool
        self.built = True

    def call(self, inputs):
        return self._pool(
            inputs,
            pool_size=self.pool_size,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
        )

    def compute_output_shape(self, input_shape):
        shape = _check_rank(self, input_shape, self.pool_dimensions + 2)
        spatial = tuple(
            _pool_length(size, w, s, self.padding)
            for size, w, s in zip(
                _spatial_dims(shape, self.data_format), self.pool_size, self.strides
            )
        )
        if any(size is not None and size <= 0 for size in spatial):
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}): the computed output size "
                f"would be zero or negative ({spatial}) for input_shape={shape}, "
                f"pool_size={self.pool_size}, strides={self.strides}, "
                f"padding={self.padding!r}"
            )
        channels = shape[_channel_axis(self.data_format)]
        return _assemble_shape(shape[0], spatial, channels, self.data_format)

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }


class MaxPooling1D(BasePooling):
    """Max pooling over the steps of ``(batch, steps, features)`` inputs
    (``channels_last``) or ``(batch, features, steps)``.

    Args:
        pool_size: the window length (default 2).
        strides: the window's step (``None``: ``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        name: the layer's name.

    Example::

        >>> x = kcore.ops.reshape(kcore.ops.arange(5.0), (1, 5, 1))
        >>> kcore.ops.convert_to_numpy(kcore.layers.MaxPooling1D(2, 1)(x)).ravel().tolist()
        [1.0, 2.0, 3.0, 4.0]
    """

    def __init__(
        self, pool_size=2, strides=None, padding="valid", data_format=None, name=None, **kwargs
    ):
        super().__init__(pool_dimensions=1, pool_mode="max", **_forwarded(locals()))


class MaxPooling2D(BasePooling):
    """Max pooling over the height and width of ``(batch, height, width, channels)``
    inputs (``channels_last``) or ``(batch, channels, height, width)``.

    Args:
        pool_size: the window: an int or 2 ints (default ``(2, 2)``).
        strides: the window's step (``None``: ``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        name: the layer's name.

    Example::

        >>> tuple(kcore.layers.MaxPooling2D()(kcore.ops.ones((1, 4, 6, 3))).shape)
        (1, 2, 3, 3)
    """

    def __init__(
        self,
        pool_size=(2, 2),
        strides=None,
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        super().__init__(pool_dimensions=2, pool_mode="max", **_forwarded(locals()))


class MaxPooling3D(BasePooling):
    """Max pooling over the three spatial axes of ``(batch, d1, d2, d3, channels)``
    inputs (``channels_last``) or ``(batch, channels, d1, d2, d3)``.

    Args:
        pool_size: the window: an int or 3 ints (default ``(2, 2, 2)``).
        strides: the window's step (``None``: ``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        name: the layer's name.

    Example::

        >>> tuple(kcore.layers.MaxPooling3D()(kcore.ops.ones((1, 4, 4, 4, 2))).shape)
        (1, 2, 2, 2, 2)
    """

    def __init__(
        self,
        pool_size=(2, 2, 2),
        strides=None,
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        super().__init__(pool_dimensions=3, pool_mode="max", **_forwarded(locals()))


class AveragePooling1D(BasePooling):
    """Average pooling over the steps of ``(batch, steps, features)`` inputs
    (``channels_last``) or ``(batch, features, steps)``.

    Args:
        pool_size: the window length.
        strides: the window's step (``None``: ``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        name: the layer's name.

    Example::

        >>> x = kcore.ops.reshape(kcore.ops.arange(4.0), (1, 4, 1))
        >>> kcore.ops.convert_to_numpy(kcore.layers.AveragePooling1D(2)(x)).ravel().tolist()
        [0.5, 2.5]
    """

    def __init__(
        self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs
    ):
        super().__init__(pool_dimensions=1, pool_mode="average", **_forwarded(locals()))


class AveragePooling2D(BasePooling):
    """Average pooling over the height and width of ``(batch, height, width,
    channels)`` inputs (``channels_last``) or ``(batch, channels, height, width)``.

    Args:
        pool_size: the window: an int or 2 ints.
        strides: the window's step (``None``: ``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        name: the layer's name.

    Example::

        >>> tuple(kcore.layers.AveragePooling2D(2)(kcore.ops.ones((1, 4, 6, 3))).shape)
        (1, 2, 3, 3)
    """

    def __init__(
        self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs
    ):
        super().__init__(pool_dimensions=2, pool_mode="average", **_forwarded(locals()))


class AveragePooling3D(BasePooling):
    """Average pooling over the three spatial axes of ``(batch, d1, d2, d3,
    channels)`` inputs (``channels_last``) or ``(batch, channels, d1, d2, d3)``.

    Args:
        pool_size: the window: an int or 3 ints.
        strides: the window's step (``None``: ``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        name: the layer's name.

    Example::

        >>> tuple(kcore.layers.AveragePooling3D(2)(kcore.ops.ones((1, 4, 4, 4, 2))).shape)
        (1, 2, 2, 2, 2)
    """

    def __init__(
        self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs
    ):
        super().__init__(pool_dimensions=3, pool_mode="average", **_forwarded(locals()))


# -------------------------------------------------------------------- global
class BaseGlobalPooling(Layer):
    """The max or mean over every spatial axis (the base of the global poolings).

    Args:
        pool_dimensions: the number of spatial axes (1, 2 or 3).
        data_format: ``"channels_last"`` or ``"channels_first"`` (``None``: the
            configured image data format).
        keepdims: keep the spatial axes with length 1 (default: drop them, giving
            ``(batch, channels)``).

    The layer has no weights and is built when made.

    Example::

        >>> layer = kcore.layers.GlobalMaxPooling2D(keepdims=True)
        >>> tuple(layer(kcore.ops.ones((2, 4, 5, 3))).shape)
        (2, 1, 1, 3)
    """

    def __init__(self, pool_dimensions, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _standardize_data_format(data_format, type(self).__name__)
        self.keepdims = keepdims
        self.pool_dimensions = pool_dimensions
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        first = 1 if self.data_format == "channels_last" else 2
        self._axes = tuple(range(first, first + pool_dimensions))
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = _check_rank(self, input_shape, self.pool_dimensions + 2)
        channels = shape[_channel_axis(self.data_format)]
        if not self.keepdims:
            return (shape[0], channels)
        return _assemble_shape(shape[0], (1,) * self.pool_dimensions, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class _GlobalMax(BaseGlobalPooling):
    def call(self, inputs):
        return ops.max(inputs, axis=self._axes, keepdims=self.keepdims)


class _GlobalAverage(BaseGlobalPooling):
    def call(self, inputs):
        return ops.mean(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalMaxPooling1D(_GlobalMax):
    """The maximum over the steps of ``(batch, steps, features)`` inputs
    (``channels_last``) or ``(batch, features, steps)``.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"``.
        keepdims: keep the steps axis with length 1.

    Example::

        >>> x = kcore.ops.reshape(kcore.ops.arange(6.0), (1, 3, 2))
        >>> kcore.ops.convert_to_numpy(kcore.layers.GlobalMaxPooling1D()(x)).tolist()
        [[4.0, 5.0]]
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalMaxPooling2D(_GlobalMax):
    """The maximum over height and width of ``(batch, height, width, channels)``
    inputs (``channels_last``) or ``(batch, channels, height, width)``.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"``.
        keepdims: keep the spatial axes with length 1.

    Example::

        >>> tuple(kcore.layers.GlobalMaxPooling2D()(kcore.ops.ones((2, 4, 5, 3))).shape)
        (2, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalMaxPooling3D(_GlobalMax):
    """The maximum over the spatial axes of ``(batch, d1, d2, d3, channels)`` inputs
    (``channels_last``) or ``(batch, channels, d1, d2, d3)``.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"``.
        keepdims: keep the spatial axes with length 1.

    Example::

        >>> tuple(kcore.layers.GlobalMaxPooling3D()(kcore.ops.ones((2, 3, 3, 3, 4))).shape)
        (2, 4)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalAveragePooling1D(_GlobalAverage):
    """The mean over the steps of ``(batch, steps, features)`` inputs
    (``channels_last``) or ``(batch, features, steps)``.

    It supports masking: with a ``mask`` of shape ``(batch, steps)`` the mean is
    taken over the unmasked steps only; the output carries no mask.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"``.
        keepdims: keep the steps axis with length 1.

    Example::

        >>> x = kcore.ops.reshape(kcore.ops.arange(6.0), (1, 3, 2))
        >>> mask = kcore.ops.convert_to_tensor([[True, True, False]])
        >>> kcore.ops.convert_to_numpy(kcore.layers.GlobalAveragePooling1D()(x, mask=mask)).tolist()
        [[1.0, 2.0]]
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True
        self._mask_axis = 2 if self.data_format == "channels_last" else 1

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=self._axes, keepdims=self.keepdims)
        keep = ops.cast(ops.expand_dims(mask, self._mask_axis), "bool")
        # where, not multiply: masked-out steps may hold inf or nan.
        total = ops.sum(ops.where(keep, inputs, 0), axis=self._axes, keepdims=self.keepdims)
        weights = ops.cast(keep, inputs.dtype)
        count = ops.sum(weights, axis=self._axes, keepdims=self.keepdims)
        return ops.divide(total, count)

    def compute_mask(self, inputs, previous_mask):
        return None


class GlobalAveragePooling2D(_GlobalAverage):
    """The mean over height and width of ``(batch, height, width, channels)`` inputs
    (``channels_last``) or ``(batch, channels, height, width)``.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"``.
        keepdims: keep the spatial axes with length 1.

    Example::

        >>> tuple(kcore.layers.GlobalAveragePooling2D()(kcore.ops.ones((2, 4, 5, 3))).shape)
        (2, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalAveragePooling3D(_GlobalAverage):
    """The mean over the spatial axes of ``(batch, d1, d2, d3, channels)`` inputs
    (``channels_last``) or ``(batch, channels, d1, d2, d3)``.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"``.
        keepdims: keep the spatial axes with length 1.

    Example::

        >>> tuple(kcore.layers.GlobalAveragePooling3D()(kcore.ops.ones((2, 3, 3, 3, 4))).shape)
        (2, 4)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format=data_format, keepdims=keepdims, **kwargs)


# ------------------------------------------------------------------ adaptive
class BaseAdaptivePooling(Layer):
    """Pooling to a fixed spatial ``output_size`` whatever the input's size (the
    base of the adaptive poolings): output cell ``i`` of an axis of ``size`` cells
    pools input cells ``floor(i * size / out)`` to ``ceil((i + 1) * size / out)``,
    as PyTorch's adaptive pooling does.

    Args:
        output_size: an int or one int per spatial axis.
        pool_dimensions: the number of spatial axes (1, 2 or 3).
        data_format: ``"channels_last"`` or ``"channels_first"`` (``None``: the
            configured image data format).

    Example::

        >>> layer = kcore.layers.AdaptiveAveragePooling2D((2, 3))
        >>> tuple(layer(kcore.ops.ones((1, 7, 9, 4))).shape)
        (1, 2, 3, 4)
    """

    def __init__(self, output_size, pool_dimensions, data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        if isinstance(output_size, bool):
            output_size = None  # rejected below
        try:
            operator.index(output_size)
            is_int = True
        except TypeError:
            is_int = False
        if not is_int and not isinstance(output_size, list | tuple):
            raise ValueError(
                f"{owner}: `output_size` must be an int or a tuple of {pool_dimensions} ints. "
                f"Received output_size={output_size!r}"
            )
        self.output_size = _standardize_tuple(output_size, pool_dimensions, "output_size", owner)
        self.pool_dimensions = pool_dimensions
        self.data_format = _standardize_data_format(data_format, owner)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)

    def compute_output_shape(self, input_shape):
        shape = _check_rank(self, input_shape, self.pool_dimensions + 2)
        channels = shape[_channel_axis(self.data_format)]
        return _assemble_shape(shape[0], self.output_size, channels, self.data_format)

    def get_config(self):
        return {
            **super().get_config(),
            "output_size": self.output_size,
            "data_format": self.data_format,
        }


class _AdaptiveAverage(BaseAdaptivePooling):
    def call(self, inputs):
        return ops.adaptive_average_pool(inputs, self.output_size, data_format=self.data_format)


class _AdaptiveMax(BaseAdaptivePooling):
    def call(self, inputs):
        return ops.adaptive_max_pool(inputs, self.output_size, data_format=self.data_format)


class AdaptiveAveragePooling1D(_AdaptiveAverage):
    """Average pooling of ``(batch, length, channels)`` inputs (``channels_last``) or
    ``(batch, channels, length)`` to ``output_size`` steps.

    Args:
        output_size: the output length (an int or a 1-tuple).
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> x = kcore.ops.reshape(kcore.ops.arange(4.0), (1, 4, 1))
        >>> kcore.ops.convert_to_numpy(kcore.layers.AdaptiveAveragePooling1D(2)(x)).ravel().tolist()
        [0.5, 2.5]
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, 1, data_format=data_format, **kwargs)


class AdaptiveAveragePooling2D(_AdaptiveAverage):
    """Average pooling of ``(batch, height, width, channels)`` inputs
    (``channels_last``) or ``(batch, channels, height, width)`` to ``output_size``.

    Args:
        output_size: an int or ``(height, width)``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> tuple(kcore.layers.AdaptiveAveragePooling2D(2)(kcore.ops.ones((1, 5, 7, 3))).shape)
        (1, 2, 2, 3)
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, 2, data_format=data_format, **kwargs)


class AdaptiveAveragePooling3D(_AdaptiveAverage):
    """Average pooling of ``(batch, d1, d2, d3, channels)`` inputs
    (``channels_last``) or ``(batch, channels, d1, d2, d3)`` to ``output_size``.

    Args:
        output_size: an int or ``(d1, d2, d3)``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.AdaptiveAveragePooling3D(2)
        >>> tuple(layer(kcore.ops.ones((1, 5, 4, 3, 2))).shape)
        (1, 2, 2, 2, 2)
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, 3, data_format=data_format, **kwargs)


class AdaptiveMaxPooling1D(_AdaptiveMax):
    """Max pooling of ``(batch, length, channels)`` inputs (``channels_last``) or
    ``(batch, channels, length)`` to ``output_size`` steps.

    Args:
        output_size: the output length (an int or a 1-tuple).
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> x = kcore.ops.reshape(kcore.ops.arange(4.0), (1, 4, 1))
        >>> kcore.ops.convert_to_numpy(kcore.layers.AdaptiveMaxPooling1D(2)(x)).ravel().tolist()
        [1.0, 3.0]
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, 1, data_format=data_format, **kwargs)


class AdaptiveMaxPooling2D(_AdaptiveMax):
    """Max pooling of ``(batch, height, width, channels)`` inputs
    (``channels_last``) or ``(batch, channels, height, width)`` to ``output_size``.

    Args:
        output_size: an int or ``(height, width)``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> tuple(kcore.layers.AdaptiveMaxPooling2D((2, 3))(kcore.ops.ones((1, 5, 7, 3))).shape)
        (1, 2, 3, 3)
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, 2, data_format=data_format, **kwargs)


class AdaptiveMaxPooling3D(_AdaptiveMax):
    """Max pooling of ``(batch, d1, d2, d3, channels)`` inputs (``channels_last``)
    or ``(batch, channels, d1, d2, d3)`` to ``output_size``.

    Args:
        output_size: an int or ``(d1, d2, d3)``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> tuple(kcore.layers.AdaptiveMaxPooling3D(2)(kcore.ops.ones((1, 5, 4, 3, 2))).shape)
        (1, 2, 2, 2, 2)
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, 3, data_format=data_format, **kwargs)


# Keras 3's aliases: the same classes under their short names.
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D
