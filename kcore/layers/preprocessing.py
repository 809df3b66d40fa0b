"""Preprocessing layers: normalization, rescaling, resizing, discretization, category
encoding, hashing, lookups, text vectorization and pipelines (Keras 3's).

Numeric layers run on ``kcore.ops`` (any backend, symbolic calls included); the
string layers (:class:`StringLookup`, :class:`TextVectorization`, :class:`Hashing`
and :class:`HashedCrossing` on strings) do their string work in NumPy and return
tensors of the selected backend.

Example::

    >>> layer = kcore.layers.Rescaling(scale=1 / 255)
    >>> kcore.ops.convert_to_numpy(layer(np.array([[0.0, 255.0]])))
    array([[0., 1.]], dtype=float32)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kcore import config as _config
from kcore import ops
from kcore.keras_tensor import KerasTensor
from kcore.layers._hashing import (
    HashedCrossing,
    Hashing,
    _to_numpy,
    _update_batches,
    encode_categorical,
    stored_dtype,
)
from kcore.layers._lookup import IntegerLookup, StringLookup
from kcore.layers._text import TextVectorization
from kcore.layers.layer import Layer

__all__ = [
    "CategoryEncoding",
    "CenterCrop",
    "Discretization",
    "HashedCrossing",
    "Hashing",
    "IntegerLookup",
    "Normalization",
    "Pipeline",
    "Rescaling",
    "Resizing",
    "StringLookup",
    "TextVectorization",
]


def _data_format(value: Any, cls: str) -> str:
    value = _config.image_data_format() if value is None else value
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{cls}: data_format must be 'channels_last' or 'channels_first', "
            f"received data_format={value!r}"
        )
    return value


def _sized_image_shape(
    input_shape: Any, height: int, width: int, data_format: str, cls: str
) -> tuple:
    """The shape of rank-3/4 images ``input_shape`` resized to ``(height, width)``."""
    shape = list(input_shape)
    if len(shape) not in (3, 4):
        raise ValueError(f"{cls}: expected inputs of rank 3 or 4, received shape {tuple(shape)}")
    h_axis, w_axis = (-3, -2) if data_format == "channels_last" else (-2, -1)
    shape[h_axis] = height
    shape[w_axis] = width
    return tuple(shape)


def _positive_int(value: Any, name: str, cls: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{cls}: {name} must be a positive int, received {name}={value!r}")
    return int(value)


# ------------------------------------------------------------------ Normalization
class Normalization(Layer):
    """Shift and scale inputs to mean 0 and variance 1: ``(x - mean) /
    sqrt(variance)`` (or the inverse with ``invert=True``).

    ``mean`` and ``variance`` are given, or learned by :meth:`adapt` (they are then
    the non-trainable weights ``mean``, ``variance`` and ``count``).

    Args:
        axis: the axis or axes kept (one mean per index along them); ``None``:
            one scalar mean and variance.
        mean: the mean (broadcast over the kept axes).
        variance: the variance.
        invert: undo the normalization instead.

    Example::

        >>> layer = kcore.layers.Normalization()
        >>> layer.adapt(np.array([[0.0, 7.0], [2.0, 9.0]]))
        >>> kcore.ops.convert_to_numpy(layer(np.array([[1.0, 8.0]])))
        array([[0., 0.]], dtype=float32)
    """

    def __init__(
        self,
        axis: Any = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        if not all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
            raise ValueError(f"Normalization: axis must be ints, received axis={axis!r}")
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._build_input_shape = None
        if (mean is None) != (variance is None):
            raise ValueError(
                "Normalization: set both mean and variance or neither, received "
                f"mean={mean} and variance={variance}"
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    "Normalization: mean and variance must have the same shape, received "
                    f"mean shape {np.shape(mean)} and variance shape {np.shape(variance)}"
                )
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(
                    "Normalization: the rank of mean must be at most the number of axes "
                    f"({len(self.axis)}), received mean shape {np.shape(mean)} for "
                    f"axis={self.axis}"
                )

    def build(self, input_shape: Any) -> None:
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f"Normalization: axis values must be in [-{ndim}, {ndim}) for inputs of "
                f"rank {ndim}, received axis={self.axis}"
            )
        self._build_input_shape = input_shape
        keep = tuple(sorted(a % ndim for a in self.axis))
        for d in keep:
            if input_shape[d] is None:
                raise ValueError(
                    f"Normalization: the kept axes must have known sizes, received "
                    f"axis={self.axis} and input shape {input_shape}"
                )
        self._keep_axis = keep
        self._reduce_axis = tuple(d for d in range(ndim) if d not in keep)
        self._broadcast_shape = tuple(input_shape[d] if d in keep else 1 for d in range(ndim))
        self._mean_and_var_shape = tuple(input_shape[d] for d in keep)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean",
                shape=self._mean_and_var_shape,
                initializer="zeros",
                trainable=False,
            )
            self.adapt_variance = self.add_weight(
                name="variance",
                shape=self._mean_and_var_shape,
                initializer="ones",
                trainable=False,
            )
            self.count = self.add_weight(
                name="count",
                shape=(),
                dtype=stored_dtype("int64"),
                initializer="zeros",
                trainable=False,
            )
        else:
            mean = np.asarray(self.input_mean, dtype="float64")
            variance = np.asarray(self.input_variance, dtype="float64")
            if mean.ndim:
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[keep[-i]] = mean.shape[-i]
                mean = mean.reshape(expanded)
                variance = variance.reshape(expanded)
            self._const_mean = np.broadcast_to(mean, self._broadcast_shape)
            self._const_variance = np.broadcast_to(variance, self._broadcast_shape)
        self.built = True

    @property
    def mean(self) -> Any:
        if not self.built or self._build_input_shape is None:
            return None
        if self.input_mean is not None:
            return ops.convert_to_tensor(self._const_mean, dtype=self.compute_dtype)
        return ops.cast(ops.reshape(self.adapt_mean, self._broadcast_shape), self.compute_dtype)

    @property
    def variance(self) -> Any:
        if not self.built or self._build_input_shape is None:
            return None
        if self.input_mean is not None:
            return ops.convert_to_tensor(self._const_variance, dtype=self.compute_dtype)
        return ops.cast(ops.reshape(self.adapt_variance, self._broadcast_shape), self.compute_dtype)

    def adapt(self, data: Any) -> None:
        """Compute the mean and variance of ``data``: a NumPy array, a tensor, or an
        iterable of batches (merged exactly, batch by batch).

        Example::

            >>> layer = kcore.layers.Normalization(axis=None)
            >>> layer.adapt([np.array([1.0, 2.0]), np.array([3.0])])
        """
        if isinstance(data, np.ndarray) or (hasattr(data, "shape") and hasattr(data, "dtype")):
            batches = None
            shape = tuple(data.shape)
        elif hasattr(data, "__iter__"):
            batches = iter(data)
            first = next(batches, None)
            if first is None:
                raise ValueError(
                    "Normalization.adapt received an empty iterable; expected at least one batch"
                )
            if isinstance(first, tuple):
                first = first[0]
            if not hasattr(first, "shape"):
                first = np.asarray(first)
            shape = tuple(first.shape)
            batches_list = [first]
        else:
            raise TypeError(
                "Normalization.adapt expects a NumPy array, a tensor or an iterable of "
                f"batches, received {type(data).__name__}"
            )
        if not self.built or self._build_input_shape is None:
            self.build(shape)
        else:
            for d in self._keep_axis:
                if shape[d] != self._build_input_shape[d]:
                    raise ValueError(
                        f"Normalization: the layer was built for input shape "
                        f"{self._build_input_shape}, adapt received data of shape {shape}"
                    )
        if self.input_mean is not None:
            raise ValueError("Normalization: cannot adapt a layer given mean and variance")
        if batches is None:
            array = np.asarray(_to_numpy(data), dtype="float64")
            total_mean = array.mean(axis=self._reduce_axis)
            total_var = array.var(axis=self._reduce_axis)
            total_count = math.prod(array.shape[d] for d in self._reduce_axis)
        else:
            total_mean = np.zeros(self._mean_and_var_shape)
            total_var = np.zeros(self._mean_and_var_shape)
            total_count = 0
            import itertools

            for batch in itertools.chain(batches_list, batches):
                if isinstance(batch, tuple):
                    batch = batch[0]
                array = np.asarray(_to_numpy(batch), dtype="float64")
                for d in self._keep_axis:
                    if array.shape[d] != self._build_input_shape[d]:
                        raise ValueError(
                            "Normalization.adapt: a batch of shape "
                            f"{array.shape} does not match {self._build_input_shape}"
                        )
                count = math.prod(array.shape[d] for d in self._reduce_axis)
                if count == 0:
                    continue
                mean = array.mean(axis=self._reduce_axis)
                var = array.var(axis=self._reduce_axis)
                new_count = total_count + count
                w = count / new_count
                new_mean = total_mean * (1 - w) + mean * w
                total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - w) + (
                    var + (mean - new_mean) ** 2
                ) * w
                total_mean = new_mean
                total_count = new_count
        self.adapt_mean.assign(np.asarray(total_mean, dtype=self.adapt_mean.dtype))
        self.adapt_variance.assign(np.asarray(total_var, dtype=self.adapt_variance.dtype))
        self.count.assign(np.asarray(total_count, dtype=self.count.dtype))

    def finalize_state(self) -> None:
        """Nothing to do: the statistics are read from the weights at each call."""

    def call(self, inputs: Any) -> Any:
        if self._build_input_shape is None:
            raise ValueError(
                "Normalization: build(input_shape) or adapt() the layer before calling it"
            )
        inputs = ops.cast(inputs, self.compute_dtype)
        mean = self.mean
        std = ops.maximum(ops.sqrt(self.variance), _config.epsilon())
        if self.invert:
            return mean + inputs * std
        return (inputs - mean) / std

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": np.array(self.input_mean).tolist(),
            "variance": np.array(self.input_variance).tolist(),
        }

    def get_build_config(self) -> dict[str, Any] | None:
        if self._build_input_shape:
            return {"input_shape": list(self._build_input_shape)}
        return None

    def build_from_config(self, config: dict[str, Any]) -> None:
        if config:
            self.build(tuple(config["input_shape"]))


# --------------------------------------------------------------------- Rescaling
class Rescaling(Layer):
    """Multiply by ``scale`` and add ``offset``: ``x * scale + offset`` (in the compute
    dtype; a per-channel ``scale`` broadcasts over the last axis).

    Args:
        scale: a float (or per-channel list/array).
        offset: a float (or per-channel list/array).

    Example::

        >>> layer = kcore.layers.Rescaling(scale=1 / 127.5, offset=-1)
        >>> kcore.ops.convert_to_numpy(layer(np.array([0.0, 255.0])))
        array([-1.,  1.], dtype=float32)
    """

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs: Any) -> Any:
        dtype = self.compute_dtype
        scale = np.asarray(self.scale, dtype=dtype)
        if scale.ndim and _config.image_data_format() == "channels_first":
            scale = scale.reshape(scale.shape + (1,) * (3 - scale.ndim))
        scale = ops.convert_to_tensor(scale)
        offset = ops.convert_to_tensor(np.asarray(self.offset, dtype=dtype))
        return ops.cast(inputs, dtype) * scale + offset

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return np.asarray(v).tolist() if isinstance(v, np.ndarray) or hasattr(v, "shape") else v

        return {**super().get_config(), "scale": plain(self.scale), "offset": plain(self.offset)}


# ----------------------------------------------------------------------- Resizing
_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


class Resizing(Layer):
    """Resize images to ``(height, width)`` with :func:`kcore.ops.image.resize`.

    Args:
        height: the output height.
        width: the output width.
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"``, ``"lanczos3"``,
            ``"lanczos5"`` or ``"area"``.
        crop_to_aspect_ratio: crop the center to the target aspect ratio first.
        pad_to_aspect_ratio: pad to the target aspect ratio first.
        fill_mode: how padding is filled (``"constant"``).
        fill_value: the padding value.
        antialias: antialias when downsampling.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format).

    Example::

        >>> layer = kcore.layers.Resizing(4, 6)
        >>> tuple(layer(np.zeros((2, 8, 8, 3))).shape)
        (2, 4, 6, 3)
    """

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: str = "bilinear",
        crop_to_aspect_ratio: bool = False,
        pad_to_aspect_ratio: bool = False,
        fill_mode: str = "constant",
        fill_value: float = 0.0,
        antialias: bool = False,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.height = _positive_int(height, "height", "Resizing")
        self.width = _positive_int(width, "width", "Resizing")
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(
                f"Resizing: interpolation must be one of {_INTERPOLATIONS}, received "
                f"interpolation={interpolation!r}"
            )
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                "Resizing: only one of crop_to_aspect_ratio and pad_to_aspect_ratio may be True"
            )
        if fill_mode != "constant":
            raise ValueError(
                f"Resizing: fill_mode must be 'constant', received fill_mode={fill_mode!r}"
            )
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = antialias
        self.data_format = _data_format(data_format, "Resizing")

    def call(self, inputs: Any) -> Any:
        return ops.image.resize(
            ops.cast(inputs, self.compute_dtype),
            size=(self.height, self.width),
            interpolation=self.interpolation,
            antialias=self.antialias,
            crop_to_aspect_ratio=self.crop_to_aspect_ratio,
            pad_to_aspect_ratio=self.pad_to_aspect_ratio,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        return _sized_image_shape(
            input_shape, self.height, self.width, self.data_format, "Resizing"
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "data_format": self.data_format,
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "antialias": self.antialias,
        }


class CenterCrop(Layer):
    """Crop the central ``(height, width)`` region of images (images smaller than
    the target are resized, keeping the aspect ratio by cropping, as in Keras).

    Args:
        height: the output height.
        width: the output width.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example::

        >>> layer = kcore.layers.CenterCrop(2, 2)
        >>> tuple(layer(np.zeros((1, 4, 4, 3))).shape)
        (1, 2, 2, 3)
    """

    def __init__(
        self, height: int, width: int, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.height = _positive_int(height, "height", "CenterCrop")
        self.width = _positive_int(width, "width", "CenterCrop")
        self.data_format = _data_format(data_format, "CenterCrop")

    def call(self, inputs: Any) -> Any:
        inputs = ops.cast(inputs, self.compute_dtype)
        shape = tuple(inputs.shape)
        if len(shape) not in (3, 4):
            raise ValueError(f"CenterCrop: expected inputs of rank 3 or 4, received shape {shape}")
        last = self.data_format == "channels_last"
        h, w = (shape[-3], shape[-2]) if last else (shape[-2], shape[-1])
        dh, dw = h - self.height, w - self.width
        if dh >= 0 and dw >= 0:
            top, left = dh // 2, dw // 2
            rows = slice(top, top + self.height)
            cols = slice(left, left + self.width)
            if last:
                return inputs[..., rows, cols, :]
            return inputs[..., rows, cols]
        return ops.image.resize(
            inputs,
            size=(self.height, self.width),
            crop_to_aspect_ratio=True,
            data_format=self.data_format,
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        return _sized_image_shape(
            input_shape, self.height, self.width, self.data_format, "CenterCrop"
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "data_format": self.data_format,
            "height": self.height,
            "width": self.width,
        }


# ----------------------------------------------------------------- Discretization
def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """A weighted summary ``[values; weights]`` of sorted ``values`` with about
    ``1 / epsilon`` points (Keras's quantile sketch)."""
    values = np.sort(values.reshape(-1))
    step = max(values.size * epsilon, 1)
    points = values[int(step - 1) :: int(step)]
    return np.stack([points, np.full_like(points, step)])


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = np.cumsum(summary[1])
    fractions = cumulative / cumulative[-1]
    points = np.interp(targets, fractions, summary[0])
    weights = np.interp(targets, fractions, cumulative)
    weights = np.diff(weights, prepend=0.0)
    return np.stack([points, weights]).astype("float32")


def _merge(a: np.ndarray, b: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate([a, b], axis=1)
    merged = merged[:, np.argsort(merged[0], kind="quicksort")]
    return _compress(merged, epsilon)


class Discretization(Layer):
    """Bucket numeric inputs into bins: ``bin_boundaries`` given, or ``num_bins``
    learned by :meth:`adapt` (approximate quantiles, as in Keras).

    Args:
        bin_boundaries: sorted boundaries; value ``x`` goes to bin ``i`` when
            ``boundaries[i-1] <= x < boundaries[i]``.
        num_bins: the number of bins to learn with :meth:`adapt`.
        epsilon: the error tolerance of the quantile sketch.
        output_mode: ``"int"`` (int32 bin indices), ``"one_hot"``, ``"multi_hot"`` or
            ``"count"``.
        sparse: unsupported (must be False).

    Example::

        >>> layer = kcore.layers.Discretization(bin_boundaries=[0.0, 1.0])
        >>> kcore.ops.convert_to_numpy(layer(np.array([[-1.0, 0.5, 2.0]])))
        array([[0, 1, 2]], dtype=int32)
    """

    def __init__(
        self,
        bin_boundaries: Any = None,
        num_bins: int | None = None,
        epsilon: float = 0.01,
        output_mode: str = "int",
        sparse: bool = False,
        dtype: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if sparse:
            raise ValueError(
                f"Discretization: sparse outputs are not supported, received sparse={sparse}"
            )
        modes = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in modes:
            raise ValueError(
                f"Discretization: output_mode must be one of {modes}, received "
                f"output_mode={output_mode!r}"
            )
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"Discretization: num_bins must be >= 0, received num_bins={num_bins}")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                "Discretization: set only one of num_bins and bin_boundaries, received "
                f"num_bins={num_bins} and bin_boundaries={bin_boundaries}"
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError("Discretization: set either num_bins or bin_boundaries")
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None if self.bin_boundaries else np.zeros((2, 0), dtype="float32")
        self.built = True

    @property
    def output_dtype(self) -> str:
        return "int32" if self.output_mode == "int" else self.compute_dtype

    def reset_state(self) -> None:
        if self.num_bins is not None:
            self.summary = np.zeros((2, 0), dtype="float32")

    def update_state(self, data: Any) -> None:
        values = np.asarray(_to_numpy(data)).astype("float32")
        self.summary = _merge(_summarize(values, self.epsilon), self.summary, self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is not None:
            self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn ``num_bins - 1`` boundaries from the quantiles of ``data`` (an array,
        a tensor or an iterable of batches).

        Example::

            >>> layer = kcore.layers.Discretization(num_bins=2)
            >>> layer.adapt(np.arange(10.0))
        """
        if self.num_bins is None:
            raise ValueError(
                "Discretization: cannot adapt a layer built with bin_boundaries; use "
                "num_bins instead"
            )
        self.reset_state()
        if isinstance(data, np.ndarray | list | tuple) or hasattr(data, "shape"):
            if isinstance(data, list | tuple) and data and hasattr(data[0], "shape"):
                _update_batches(self, data, steps)
            else:
                self.update_state(data)
        else:
            _update_batches(self, data, steps)
        self.finalize_state()

    def call(self, inputs: Any) -> Any:
        if self.bin_boundaries is None:
            raise ValueError(
                "Discretization: pass bin_boundaries or call adapt() before calling the layer"
            )
        boundaries = ops.convert_to_tensor(
            np.asarray(self.bin_boundaries, dtype="float32"), dtype="float32"
        )
        indices = ops.digitize(ops.cast(inputs, "float32"), boundaries)
        return encode_categorical(
            indices, self.output_mode, len(self.bin_boundaries) + 1, self.output_dtype
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        if self.output_mode == "one_hot":
            if len(shape) > 1 and shape[-1] == 1:
                return (*shape[:-1], depth)
            return (*shape, depth)
        return (*shape[:-1], depth)

    def compute_output_spec(self, inputs: Any) -> Any:
        return KerasTensor(self.compute_output_shape(inputs.shape), self.output_dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Discretization:
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            from kcore import dtype_policies

            config["dtype"] = dtype_policies.deserialize(config["dtype"])
        boundaries = config.get("bin_boundaries")
        if boundaries is not None and config.get("num_bins") is not None:
            config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = list(boundaries)
            return layer
        return cls(**config)


# --------------------------------------------------------------- CategoryEncoding
class CategoryEncoding(Layer):
    """Encode integer categories in ``[0, num_tokens)``: ``"one_hot"`` (one vector
    per value), ``"multi_hot"`` or ``"count"`` (one vector per sample: the last axis
    is reduced; a rank-1 input is one sample).

    Args:
        num_tokens: the number of categories.
        output_mode: ``"one_hot"``, ``"multi_hot"`` or ``"count"``.
        sparse: unsupported (must be False).

    Call arguments:
        inputs: integer categories.
        count_weights: with ``"count"``, a weight per input value.

    Example::

        >>> layer = kcore.layers.CategoryEncoding(num_tokens=4, output_mode="multi_hot")
        >>> kcore.ops.convert_to_numpy(layer(np.array([[0, 1], [0, 0], [1, 2], [3, 1]])))
        array([[1., 1., 0., 0.],
               [1., 0., 0., 0.],
               [0., 1., 1., 0.],
               [0., 1., 0., 1.]], dtype=float32)
    """

    def __init__(
        self,
        num_tokens: int | None = None,
        output_mode: str = "multi_hot",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        modes = ("count", "one_hot", "multi_hot")
        if output_mode not in modes:
            raise ValueError(
                f"CategoryEncoding: output_mode must be one of {modes}, received "
                f"output_mode={output_mode!r}"
            )
        if num_tokens is None:
            raise ValueError("CategoryEncoding: num_tokens must be set, received num_tokens=None")
        if isinstance(num_tokens, bool) or not isinstance(num_tokens, int) or num_tokens < 1:
            raise ValueError(
                f"CategoryEncoding: num_tokens must be >= 1, received num_tokens={num_tokens!r}"
            )
        if sparse:
            raise ValueError(
                f"CategoryEncoding: sparse outputs are not supported, received sparse={sparse}"
            )
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse
        self._convert_inputs = False
        self.built = True

    def call(self, inputs: Any, count_weights: Any = None) -> Any:
        if not hasattr(inputs, "shape") or isinstance(inputs, np.ndarray):
            inputs = ops.convert_to_tensor(np.asarray(inputs))
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(
                    "CategoryEncoding: count_weights is only used with output_mode='count', "
                    f"received output_mode={self.output_mode!r}"
                )
            count_weights = ops.convert_to_tensor(count_weights)
        return encode_categorical(
            inputs,
            self.output_mode,
            self.num_tokens,
            self.compute_dtype,
            count_weights=count_weights,
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = tuple(input_shape)
        if not shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot":
            if len(shape) > 1 and shape[-1] == 1:
                return (*shape[:-1], self.num_tokens)
            return (*shape, self.num_tokens)
        return (*shape[:-1], self.num_tokens)

    def compute_output_spec(self, inputs: Any, count_weights: Any = None) -> Any:
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
        }


# ------------------------------------------------------------------------ Pipeline
class Pipeline(Layer):
    """Apply preprocessing layers in sequence (each layer's output feeds the next;
    ``training`` and masks are passed to layers that take them).

    Args:
        layers: the layers, in order.

    Example::

        >>> pipeline = kcore.layers.Pipeline(
        ...     [kcore.layers.Rescaling(2.0), kcore.layers.Rescaling(1.0, offset=1.0)])
        >>> kcore.ops.convert_to_numpy(pipeline(np.array([1.0])))
        array([3.], dtype=float32)
    """

    def __init__(self, layers: Any, name: str | None = None) -> None:
        super().__init__(name=name)
        if not isinstance(layers, list | tuple) or not all(
            isinstance(layer, Layer) or callable(layer) for layer in layers
        ):
            raise ValueError(
                f"Pipeline: layers must be a list of layers, received layers={layers!r}"
            )
        self._pipeline_layers = list(layers)
        self._convert_inputs = False

    @property
    def layers(self) -> list[Any]:
        return self._pipeline_layers

    def call(self, inputs: Any, training: bool = True, mask: Any = None) -> Any:
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs: dict[str, Any] = {}
            info = getattr(layer, "_call_info", None)
            if info is not None:
                if info.mask and mask is not None:
                    kwargs["mask"] = mask
                if info.training and training is not None:
                    kwargs["training"] = training
            outputs = layer(inputs, **kwargs)
            inputs = outputs
            mask = getattr(outputs, "_keras_mask", None)
        return outputs

    def get_config(self) -> dict[str, Any]:
        from kcore.saving.serialization import serialize_keras_object

        return {
            "layers": [serialize_keras_object(layer) for layer in self._pipeline_layers],
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Pipeline:
        from kcore.saving.serialization import deserialize_keras_object

        layers = config.get("layers")
        if not isinstance(layers, list | tuple):
            raise ValueError(
                "Pipeline: the config must map 'layers' to a list of serialized layers, "
                f"received layers={layers!r}"
            )
        config = dict(config)
        config["layers"] = [deserialize_keras_object(x) for x in layers]
        return cls(**config)
