"""Reshaping layers: they move, drop, repeat or pad values and own no weights.

``Flatten``, ``Reshape``, ``Permute``, ``RepeatVector``, ``Cropping1D/2D/3D``,
``ZeroPadding1D/2D/3D`` and ``UpSampling1D/2D/3D``, with Keras 3's arguments, defaults
and config keys. Each states its ``compute_output_shape`` (``None`` for unknown
dimensions), so the functional API never traces ``call``; the output dtype is the
input's (float inputs cast to the layer's compute dtype).

Example::

    >>> x = kcore.Input(shape=(10, 64))
    >>> kcore.layers.Flatten()(x).shape
    (None, 640)
    >>> kcore.layers.ZeroPadding1D(2)(x).shape
    (None, 14, 64)
"""

from __future__ import annotations

import math
from typing import Any

from kcore import config, ops
from kcore.dtypes import is_float_dtype
from kcore.keras_tensor import KerasTensor
from kcore.layers.input_spec import InputSpec
from kcore.layers.layer import Layer

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "Flatten",
    "Permute",
    "RepeatVector",
    "Reshape",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]

_DATA_FORMATS = ("channels_last", "channels_first")
#: What ``kcore.ops.image.resize`` interpolates with (``UpSampling2D(interpolation=)``).
_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area")
_ORDINALS = ("1st", "2nd", "3rd")


class _ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type: a ``TypeError`` as in Keras, and a ``ValueError``
    like every other bad constructor argument of kcore."""


# ------------------------------------------------------------------------- arguments
def _data_format(value: Any, layer: str) -> str:
    if value is None:
        return config.image_data_format()
    fmt = value.lower() if isinstance(value, str) else value
    if fmt not in _DATA_FORMATS:
        raise ValueError(
            f"{layer}: the `data_format` argument must be one of "
            f"{{'channels_first', 'channels_last'}}. Received: data_format={value!r}"
        )
    return fmt


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_tuple(value: Any, n: int, name: str, layer: str, allow_zero: bool) -> tuple[int, ...]:
    """``value`` (an int or ``n`` ints) as a tuple of ``n`` ints, each > 0 (or >= 0)."""
    message = f"{layer}: the `{name}` argument must be an int or a tuple of {n} integers"
    if _is_int(value):
        values: tuple[Any, ...] = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(f"{message}. Received {name}={value!r}") from None
        if len(values) != n or not all(_is_int(v) or _is_numpy_int(v) for v in values):
            raise ValueError(f"{message}. Received {name}={value!r}")
        values = tuple(int(v) for v in values)
    bad = [v for v in values if (v < 0 if allow_zero else v <= 0)]
    if bad:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"{message}, each {bound}. Received {name}={value!r}, including values "
            f"{bad} that do not satisfy `value {bound}`"
        )
    return values


def _is_numpy_int(value: Any) -> bool:
    return (
        type(value).__module__ == "numpy" and hasattr(value, "dtype") and value.dtype.kind in "iu"
    )


def _pairs(value: Any, n: int, name: str, layer: str) -> tuple[tuple[int, int], ...]:
    """``value`` for ``n`` spatial axes: an int, ``n`` ints (symmetric) or ``n`` pairs,
    as ``n`` ``(before, after)`` pairs of non-negative ints."""
    if _is_int(value):
        if value < 0:
            raise ValueError(f"{layer}: `{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value),) * n
    if not hasattr(value, "__len__") or isinstance(value, str):
        raise ValueError(
            f"{layer}: `{name}` should be an int, a tuple of {n} ints or a tuple of {n} "
            f"tuples of 2 ints. Received: {name}={value!r}."
        )
    if len(value) != n:
        raise ValueError(f"{layer}: `{name}` should have {n} elements. Received: {name}={value!r}.")
    return tuple(
        _int_tuple(entry, 2, f"{_ORDINALS[i]} entry of {name}", layer, allow_zero=True)
        for i, entry in enumerate(value)
    )


def _reshape(x: Any, dims: tuple[Any, ...], layer: Layer) -> Any:
    """``x`` reshaped to ``dims``, where one unknown entry (``None``: an unknown batch
    size while tracing, say) is inferred."""
    if dims.count(None) > 1:
        raise ValueError(
            f"Layer '{layer.name}' ({type(layer).__name__}): cannot reshape an input of "
            f"shape {tuple(x.shape)} to {dims}: more than one output dimension is unknown"
        )
    return ops.reshape(x, tuple(-1 if d is None else d for d in dims))


def _spatial_axes(data_format: str, n: int) -> tuple[int, ...]:
    start = 2 if data_format == "channels_first" else 1
    return tuple(range(start, start + n))


# ------------------------------------------------------------------------------ base
class _ReshapingLayer(Layer):
    """A weightless layer whose output dtype is its input's and whose output shape
    comes from ``compute_output_shape``."""

    def compute_output_spec(self, inputs: Any, **kwargs: Any) -> KerasTensor:
        dtype = inputs.dtype
        if self.autocast and is_float_dtype(dtype):
            dtype = self.compute_dtype
        return KerasTensor(self.compute_output_shape(tuple(inputs.shape)), dtype)


# --------------------------------------------------------------------------- Flatten
class Flatten(_ReshapingLayer):
    """Flattens the input to ``(batch, features)``; the batch size is kept.

    Inputs shaped ``(batch,)`` become ``(batch, 1)``.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"`` (the channels axis is
            moved last before flattening, so both orderings give the same features).
            ``None`` means :func:`kcore.config.image_data_format`.

    Example::

        >>> x = kcore.Input(shape=(10, 64))
        >>> kcore.layers.Flatten()(x).shape
        (None, 640)
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, "Flatten")
        self.input_spec = InputSpec(min_ndim=1)
        self._channels_first = self.data_format == "channels_first"

    def call(self, inputs: Any) -> Any:
        shape = ops.shape(inputs)
        rank = len(shape)
        if self._channels_first and rank > 2:
            inputs = ops.transpose(inputs, (0, *range(2, rank), 1))
        rest = shape[1:]
        features = None if None in rest else math.prod(rest)
        return _reshape(inputs, (shape[0], features), self)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        rest = tuple(input_shape[1:])
        if None in rest:
            return (input_shape[0], None)
        return (input_shape[0], math.prod(rest))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


# --------------------------------------------------------------------------- Reshape
def _resolve_target(layer: str, known: tuple[Any, ...], target: tuple[int, ...]) -> tuple[Any, ...]:
    """``target`` with its ``-1`` resolved against the non-batch input shape ``known``
    (``None`` where it cannot be); a ``ValueError`` when the sizes cannot match."""
    if None in known:
        return tuple(None if d == -1 else d for d in target)
    size = math.prod(known)
    if -1 not in target:
        if size != math.prod(target):
            raise ValueError(
                f"{layer}: the total size of the tensor must be unchanged. Received: "
                f"input_shape={known}, target_shape={target}"
            )
        return target
    rest = math.prod(d for d in target if d != -1)
    if rest == 0 or size % rest:
        raise ValueError(
            f"{layer}: the total size of the tensor must be unchanged, however, the input "
            f"size cannot be divided by the specified dimensions in target_shape. "
            f"Received: input_shape={known}, target_shape={target}"
        )
    return tuple(size // rest if d == -1 else d for d in target)


class Reshape(_ReshapingLayer):
    """Reshapes each sample to ``target_shape`` (the batch size is kept).

    Args:
        target_shape: the shape of one sample, without the batch axis; one entry may
            be ``-1``, inferred from the input's size.

    Example::

        >>> x = kcore.Input(shape=(12,))
        >>> kcore.layers.Reshape((3, 4))(x).shape
        (None, 3, 4)
        >>> kcore.layers.Reshape((-1, 2, 2))(x).shape
        (None, 3, 2, 2)
    """

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        try:
            target = tuple(target_shape)
        except TypeError:
            raise ValueError(
                f"Reshape: `target_shape` must be a tuple of ints. "
                f"Received: target_shape={target_shape!r}"
            ) from None
        if not all(_is_int(d) or _is_numpy_int(d) for d in target):
            raise ValueError(
                f"Reshape: `target_shape` must be a tuple of ints. "
                f"Received: target_shape={target_shape!r}"
            )
        target = tuple(int(d) for d in target)
        if any(d < -1 for d in target):
            raise ValueError(
                "Reshape: each dimension in `target_shape` must be a non-negative integer, "
                f"or `-1` for a single unknown dimension. Received: target_shape={target}."
            )
        if target.count(-1) > 1:
            raise ValueError(
                "Reshape: there must be at most one unknown dimension (-1) in "
                f"`target_shape`. Received: target_shape={target}."
            )
        self.target_shape = target
        self.built = True

    def call(self, inputs: Any) -> Any:
        shape = ops.shape(inputs)
        rest = tuple(d if _is_int(d) else None for d in shape[1:])
        target = _resolve_target(f"Layer '{self.name}' (Reshape)", rest, self.target_shape)
        return _reshape(inputs, (shape[0], *target), self)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        rest = tuple(input_shape[1:])
        return (
            input_shape[0],
            *_resolve_target(f"Layer '{self.name}' (Reshape)", rest, self.target_shape),
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}


# --------------------------------------------------------------------------- Permute
class Permute(_ReshapingLayer):
    """Permutes the non-batch axes of the input.

    Args:
        dims: the permutation of the axes ``1 ... rank - 1`` (numbered from 1, the
            batch axis excluded): ``(2, 1)`` swaps the two axes of a 3D input.

    Example::

        >>> x = kcore.Input(shape=(10, 64))
        >>> kcore.layers.Permute((2, 1))(x).shape
        (None, 64, 10)
    """

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        try:
            dims = tuple(dims)
            valid = sorted(dims) == list(range(1, len(dims) + 1))
        except TypeError:
            valid = False
        if not valid:
            raise ValueError(
                "Permute: invalid permutation argument `dims`. The set of indices in `dims` "
                f"must be consecutive and start from 1. Received dims={dims!r}"
            )
        self.dims = tuple(int(d) for d in dims)
        self._axes = (0, *self.dims)
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs: Any) -> Any:
        return ops.transpose(inputs, self._axes)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return tuple(input_shape[axis] for axis in self._axes)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": self.dims}


# ---------------------------------------------------------------------- RepeatVector
class RepeatVector(_ReshapingLayer):
    """Repeats a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``.

    Args:
        n: the number of repetitions, a positive int.

    Example::

        >>> x = kcore.Input(shape=(32,))
        >>> kcore.layers.RepeatVector(3)(x).shape
        (None, 3, 32)
    """

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not _is_int(n):
            raise _ArgumentTypeError(
                f"RepeatVector: expected an integer value for `n`, got {type(n)} (n={n!r})."
            )
        if n <= 0:
            raise ValueError(
                f"RepeatVector: argument `n` should be a positive integer. Received: n={n}"
            )
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs: Any) -> Any:
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}


# -------------------------------------------------------------------------- Cropping
class _Cropping(_ReshapingLayer):
    """Shared by ``Cropping1D/2D/3D``: drop ``cropping[i]`` entries at both ends of
    each spatial axis."""

    _rank = 0

    def _setup(self, pairs: tuple[tuple[int, int], ...]) -> None:
        self._axes = _spatial_axes(getattr(self, "data_format", "channels_last"), self._rank)
        self._pairs = pairs
        index: list[slice] = [slice(None)] * (self._rank + 2)
        for axis, (before, after) in zip(self._axes, pairs):
            index[axis] = slice(before, -after if after else None)
        self._index = tuple(index)
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def _check(self, shape: tuple[Any, ...], what: str) -> None:
        for axis, pair in zip(self._axes, self._pairs):
            if shape[axis] is not None and sum(pair) >= shape[axis]:
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}): values in `cropping` "
                    "must be smaller than the corresponding spatial dimension of the "
                    f"input. Received: {what}={shape}, cropping={self.cropping}"
                )

    def call(self, inputs: Any) -> Any:
        self._check(tuple(_static(d) for d in inputs.shape), "inputs.shape")
        return inputs[self._index]

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        shape = list(input_shape)
        self._check(tuple(shape), "input_shape")
        for axis, pair in zip(self._axes, self._pairs):
            if shape[axis] is not None:
                shape[axis] -= sum(pair)
        return tuple(shape)


def _static(dim: Any) -> Any:
    try:
        return None if dim is None else int(dim)
    except TypeError:
        return None


class Cropping1D(_Cropping):
    """Crops a ``(batch, steps, features)`` input along the steps axis.

    Args:
        cropping: an int (the same at both ends) or a tuple ``(left, right)``: how
            many steps to drop at the start and the end.

    Example::

        >>> x = numpy.arange(12).reshape((2, 3, 2))
        >>> kcore.ops.convert_to_numpy(kcore.layers.Cropping1D(1)(x)).tolist()
        [[[2, 3]], [[8, 9]]]
    """

    _rank = 1

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cropping = _int_tuple(cropping, 2, "cropping", "Cropping1D", allow_zero=True)
        self._setup((self.cropping,))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(_Cropping):
    """Crops the height and width of an image batch.

    Args:
        cropping: an int (the same everywhere), a tuple of 2 ints
            ``(symmetric_height_crop, symmetric_width_crop)``, or 2 tuples of 2 ints
            ``((top, bottom), (left, right))``.
        data_format: ``"channels_last"`` (``(batch, height, width, channels)``) or
            ``"channels_first"``; ``None`` means :func:`kcore.config.image_data_format`.

    Example::

        >>> x = kcore.Input(shape=(28, 28, 3))
        >>> kcore.layers.Cropping2D(((2, 2), (4, 4)))(x).shape
        (None, 24, 20, 3)
    """

    _rank = 2

    def __init__(
        self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, "Cropping2D")
        self.cropping = _pairs(cropping, 2, "cropping", "Cropping2D")
        self._setup(self.cropping)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


class Cropping3D(_Cropping):
    """Crops the three spatial axes of a volume batch.

    Args:
        cropping: an int (the same everywhere), a tuple of 3 ints (symmetric per
            axis), or 3 tuples of 2 ints ``((left1, right1), (left2, right2),
            (left3, right3))``.
        data_format: ``"channels_last"`` (``(batch, dim1, dim2, dim3, channels)``) or
            ``"channels_first"``; ``None`` means :func:`kcore.config.image_data_format`.

    Example::

        >>> x = kcore.Input(shape=(28, 28, 10, 3))
        >>> kcore.layers.Cropping3D(((1, 1), (2, 2), (2, 3)))(x).shape
        (None, 26, 24, 5, 3)
    """

    _rank = 3

    def __init__(
        self,
        cropping: Any = ((1, 1), (1, 1), (1, 1)),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, "Cropping3D")
        self.cropping = _pairs(cropping, 3, "cropping", "Cropping3D")
        self._setup(self.cropping)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


# ----------------------------------------------------------------------- ZeroPadding
class _ZeroPadding(_ReshapingLayer):
    """Shared by ``ZeroPadding1D/2D/3D``: zeros before and after each spatial axis."""

    _rank = 0

    def _setup(self, pairs: tuple[tuple[int, int], ...]) -> None:
        self._axes = _spatial_axes(getattr(self, "data_format", "channels_last"), self._rank)
        widths = [(0, 0)] * (self._rank + 2)
        for axis, pair in zip(self._axes, pairs):
            widths[axis] = pair
        self._widths = tuple(widths)
        self._pairs = pairs
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def call(self, inputs: Any) -> Any:
        return ops.pad(inputs, self._widths)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        shape = list(input_shape)
        for axis, pair in zip(self._axes, self._pairs):
            if shape[axis] is not None:
                shape[axis] += sum(pair)
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Adds zeros at the start and the end of the steps axis of a 3D input.

    Args:
        padding: an int (the same at both ends) or a tuple ``(left, right)``.
        data_format: ``"channels_last"`` (``(batch, steps, features)``) or
            ``"channels_first"`` (``(batch, features, steps)``); ``None`` means
            :func:`kcore.config.image_data_format`.

    Example::

        >>> x = numpy.arange(6).reshape((1, 2, 3))
        >>> kcore.ops.convert_to_numpy(kcore.layers.ZeroPadding1D(1)(x)).tolist()
        [[[0, 0, 0], [0, 1, 2], [3, 4, 5], [0, 0, 0]]]
    """

    _rank = 1

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, "ZeroPadding1D")
        self.padding = _int_tuple(padding, 2, "padding", "ZeroPadding1D", allow_zero=True)
        self._setup((self.padding,))


class ZeroPadding2D(_ZeroPadding):
    """Adds rows and columns of zeros around an image batch.

    Args:
        padding: an int (the same everywhere), a tuple of 2 ints
            ``(symmetric_height_pad, symmetric_width_pad)``, or 2 tuples of 2 ints
            ``((top, bottom), (left, right))``.
        data_format: ``"channels_last"`` (``(batch, height, width, channels)``) or
            ``"channels_first"``; ``None`` means :func:`kcore.config.image_data_format`.

    Example::

        >>> x = kcore.Input(shape=(8, 8, 3))
        >>> kcore.layers.ZeroPadding2D(((1, 0), (2, 2)))(x).shape
        (None, 9, 12, 3)
    """

    _rank = 2

    def __init__(
        self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, "ZeroPadding2D")
        self.padding = _pairs(padding, 2, "padding", "ZeroPadding2D")
        self._setup(self.padding)


class ZeroPadding3D(_ZeroPadding):
    """Adds zeros around the three spatial axes of a volume batch.

    Args:
        padding: an int (the same everywhere), a tuple of 3 ints (symmetric per
            axis), or 3 tuples of 2 ints ``((left1, right1), (left2, right2),
            (left3, right3))``.
        data_format: ``"channels_last"`` (``(batch, dim1, dim2, dim3, channels)``) or
            ``"channels_first"``; ``None`` means :func:`kcore.config.image_data_format`.

    Example::

        >>> x = kcore.Input(shape=(4, 4, 4, 2))
        >>> kcore.layers.ZeroPadding3D(1)(x).shape
        (None, 6, 6, 6, 2)
    """

    _rank = 3

    def __init__(
        self,
        padding: Any = ((1, 1), (1, 1), (1, 1)),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, "ZeroPadding3D")
        self.padding = _pairs(padding, 3, "padding", "ZeroPadding3D")
        self._setup(self.padding)


# ------------------------------------------------------------------------ UpSampling
class _UpSampling(_ReshapingLayer):
    """Shared by ``UpSampling1D/2D/3D``: each spatial entry repeated ``size[i]`` times."""

    _rank = 0

    def _setup(self, sizes: tuple[int, ...]) -> None:
        self._axes = _spatial_axes(getattr(self, "data_format", "channels_last"), self._rank)
        self._sizes = sizes
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def call(self, inputs: Any) -> Any:
        for axis, size in zip(self._axes, self._sizes):
            if size != 1:
                inputs = ops.repeat(inputs, size, axis=axis)
        return inputs

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        shape = list(input_shape)
        for axis, size in zip(self._axes, self._sizes):
            if shape[axis] is not None:
                shape[axis] *= size
        return tuple(shape)


class UpSampling1D(_UpSampling):
    """Repeats each step of a ``(batch, steps, features)`` input ``size`` times.

    Args:
        size: the upsampling factor, a positive int.

    Example::

        >>> x = numpy.arange(6).reshape((1, 2, 3))
        >>> kcore.ops.convert_to_numpy(kcore.layers.UpSampling1D(2)(x)).tolist()
        [[[0, 1, 2], [0, 1, 2], [3, 4, 5], [3, 4, 5]]]
    """

    _rank = 1

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not _is_int(size):
            raise _ArgumentTypeError(
                f"UpSampling1D: expected an integer value for `size`, got {type(size)} "
                f"(size={size!r})."
            )
        if size <= 0:
            raise ValueError(
                f"UpSampling1D: argument `size` should be a positive integer. Received: size={size}"
            )
        self.size = size
        self._setup((size,))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size}


class UpSampling2D(_UpSampling):
    """Upsamples the height and width of an image batch by ``size``.

    Args:
        size: an int or a tuple ``(height_factor, width_factor)`` of positive ints.
        data_format: ``"channels_last"`` (``(batch, height, width, channels)``) or
            ``"channels_first"``; ``None`` means :func:`kcore.config.image_data_format`.
        interpolation: ``"nearest"`` (each pixel repeated), or one of ``"bilinear"``,
            ``"bicubic"``, ``"lanczos3"``, ``"lanczos5"``, ``"area"`` (resized with
            :func:`kcore.ops.image.resize`).

    Example::

        >>> x = numpy.arange(4).reshape((1, 2, 2, 1))
        >>> y = kcore.layers.UpSampling2D(2)(x)
        >>> kcore.ops.convert_to_numpy(y)[0, :, :, 0].tolist()
        [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]]
    """

    _rank = 2

    def __init__(
        self,
        size: Any = (2, 2),
        data_format: str | None = None,
        interpolation: str = "nearest",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, "UpSampling2D")
        self.size = _int_tuple(size, 2, "size", "UpSampling2D", allow_zero=False)
        name = interpolation.lower() if isinstance(interpolation, str) else interpolation
        if name not in _INTERPOLATIONS:
            raise ValueError(
                f"UpSampling2D: `interpolation` must be one of {', '.join(_INTERPOLATIONS)}. "
                f"Received: interpolation={interpolation!r}"
            )
        self.interpolation = name
        self._setup(self.size)

    def call(self, inputs: Any) -> Any:
        if self.interpolation == "nearest":
            return super().call(inputs)
        shape = ops.shape(inputs)
        height, width = shape[self._axes[0]], shape[self._axes[1]]
        if height is None or width is None:
            raise ValueError(
                f"Layer '{self.name}' (UpSampling2D): interpolation={self.interpolation!r} "
                f"needs a known height and width; received an input of shape {shape}"
            )
        size = (height * self.size[0], width * self.size[1])
        return ops.image.resize(
            inputs, size, interpolation=self.interpolation, data_format=self.data_format
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
            "interpolation": self.interpolation,
        }


class UpSampling3D(_UpSampling):
    """Repeats each entry of the three spatial axes of a volume batch.

    Args:
        size: an int or a tuple of 3 positive ints, the factor per spatial axis.
        data_format: ``"channels_last"`` (``(batch, dim1, dim2, dim3, channels)``) or
            ``"channels_first"``; ``None`` means :func:`kcore.config.image_data_format`.

    Example::

        >>> x = kcore.Input(shape=(2, 3, 4, 5))
        >>> kcore.layers.UpSampling3D((2, 2, 1))(x).shape
        (None, 4, 6, 4, 5)
    """

    _rank = 3

    def __init__(
        self, size: Any = (2, 2, 2), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, "UpSampling3D")
        self.size = _int_tuple(size, 3, "size", "UpSampling3D", allow_zero=False)
        self._setup(self.size)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
