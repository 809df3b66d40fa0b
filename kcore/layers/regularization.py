"""The regularization layers: ``Dropout``, ``SpatialDropout1D/2D/3D``,
``GaussianNoise``, ``GaussianDropout``, ``AlphaDropout`` and
``ActivityRegularization`` (Keras 3's names, arguments and configs).

The random layers act only in training (``training=True``, which ``fit`` passes) and
return their inputs unchanged otherwise. Their randomness comes from a
:class:`kcore.random.SeedGenerator` whose state is a non-trainable variable, so a
given ``seed`` reproduces the same draws and ``stateless_call`` and ``jax.jit`` work.

Example::

    >>> layer = kcore.layers.Dropout(0.5, seed=1)
    >>> x = kcore.ops.ones((2, 4))
    >>> layer(x) is x            # inference: unchanged
    True
    >>> y = layer(x, training=True)   # entries 0 or 2
"""

from __future__ import annotations

import math
from typing import Any

from kcore import ops, random, regularizers
from kcore.config import image_data_format
from kcore.layers.input_spec import InputSpec
from kcore.layers.layer import Layer

__all__ = [
    "ActivityRegularization",
    "AlphaDropout",
    "Dropout",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
]


def _rate(value: Any, owner: str, argument: str = "rate", allow_one: bool = True) -> Any:
    """``value`` when it is a number in ``[0, 1]`` (``[0, 1)`` unless ``allow_one``)."""
    ok = not isinstance(value, bool) and isinstance(value, int | float)
    if ok:
        ok = 0 <= value <= 1 if allow_one else 0 <= value < 1
    if not ok:
        interval = "[0, 1]" if allow_one else "[0, 1)"
        raise ValueError(
            f"{owner}: `{argument}` must be a float in {interval}, received {argument}={value!r}"
        )
    return value


def _noise_shape(value: Any, owner: str) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        valid = False
    else:
        try:
            value = tuple(value)
            valid = True
        except TypeError:
            valid = False
    if valid:
        valid = all(
            d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in value
        )
    if not valid:
        raise ValueError(
            f"{owner}: `noise_shape` must be a tuple of positive ints and None, received "
            f"noise_shape={value!r}"
        )
    return value


def _data_format(value: Any, owner: str) -> str:
    value = image_data_format() if value is None else value
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{owner}: `data_format` must be 'channels_last' or 'channels_first', "
            f"received data_format={value!r}"
        )
    return value


def _init_random(layer: Layer, amount: float, seed: Any) -> None:
    """The end of the noise layers' ``__init__``: keep ``seed``, make a seed generator
    only when there is noise to draw (``amount > 0``), support masks, and mark the
    layer built (it has no weights)."""
    layer.seed = seed
    if amount > 0:
        layer.seed_generator = random.SeedGenerator(seed)
    layer.supports_masking = True
    layer.built = True


class Dropout(Layer):
    """Sets inputs to 0 with probability ``rate`` during training and scales the
    others by ``1 / (1 - rate)``, so the expected sum is unchanged. Inference
    returns the inputs unchanged.

    Args:
        rate: the fraction of inputs to drop, in ``[0, 1]``.
        noise_shape: the shape of the keep/drop mask, broadcast to the inputs
            (``None`` entries take the inputs' size): ``(batch, 1, features)``
            drops the same features at every time step.
        seed: an int for reproducible draws.
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.Dropout(0.5, seed=0)
        >>> y = layer(kcore.ops.ones((4, 8)), training=True)   # entries 0 or 2
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _rate(rate, type(self).__name__)
        self.noise_shape = _noise_shape(noise_shape, type(self).__name__)
        _init_random(self, rate, seed)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return random.dropout(
                inputs, self.rate, noise_shape=self.noise_shape, seed=self.seed_generator
            )
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": self.noise_shape,
        }


class _SpatialDropout(Dropout):
    """Dropout of whole feature maps: one keep/drop decision per sample and channel."""

    _RANK = 3

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = "channels_last"
        self.input_spec = InputSpec(ndim=self._RANK)

    def _noise(self) -> tuple[Any, ...]:
        spatial = (1,) * (self._RANK - 2)
        if self.data_format == "channels_first":
            return (None, None, *spatial)
        return (None, *spatial, None)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return random.dropout(
                inputs, self.rate, noise_shape=self._noise(), seed=self.seed_generator
            )
        return inputs

    def get_config(self):
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole 1D feature maps: for inputs ``(batch, steps, channels)``, each
    channel of each sample is kept or dropped at every step together. Use it after
    convolutions, where neighbouring steps are correlated.

    Args:
        rate: the fraction of channels to drop, in ``[0, 1]``.
        seed: an int for reproducible draws.
        name, dtype: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.SpatialDropout1D(0.5, seed=0)
        >>> y = layer(kcore.ops.ones((2, 5, 4)), training=True)
    """

    _RANK = 3

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole 2D feature maps: each channel of each sample is kept or
    dropped over all its pixels together.

    Args:
        rate: the fraction of channels to drop, in ``[0, 1]``.
        data_format: ``"channels_last"`` (inputs ``(batch, rows, cols, channels)``)
            or ``"channels_first"``; default :func:`kcore.config.image_data_format`.
        seed: an int for reproducible draws.
        name, dtype: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.SpatialDropout2D(0.5, seed=0)
        >>> y = layer(kcore.ops.ones((2, 3, 3, 4)), training=True)
    """

    _RANK = 4

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = _data_format(data_format, type(self).__name__)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout3D(_SpatialDropout):
    """Dropout of whole 3D feature maps: each channel of each sample is kept or
    dropped over all its voxels together.

    Args:
        rate: the fraction of channels to drop, in ``[0, 1]``.
        data_format: ``"channels_last"`` (inputs ``(batch, d1, d2, d3, channels)``)
            or ``"channels_first"``; default :func:`kcore.config.image_data_format`.
        seed: an int for reproducible draws.
        name, dtype: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.SpatialDropout3D(0.5, seed=0)
        >>> y = layer(kcore.ops.ones((1, 2, 2, 2, 3)), training=True)
    """

    _RANK = 5

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = _data_format(data_format, type(self).__name__)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class GaussianNoise(Layer):
    """Adds zero-centred Gaussian noise of standard deviation ``stddev`` during
    training (a regularizer, or data augmentation for real-valued inputs).

    Args:
        stddev: the noise's standard deviation, in ``[0, 1]`` (as in Keras).
        seed: an int for reproducible draws.
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.GaussianNoise(0.1, seed=0)
        >>> y = layer(kcore.ops.zeros((2, 3)), training=True)   # small values
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = _rate(stddev, "GaussianNoise", "stddev")
        _init_random(self, stddev, seed)

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            noise = random.normal(
                ops.shape(inputs),
                mean=0.0,
                stddev=self.stddev,
                dtype=self.compute_dtype,
                seed=self.seed_generator,
            )
            return ops.add(inputs, noise)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """Multiplies the inputs by Gaussian noise of mean 1 and standard deviation
    ``sqrt(rate / (1 - rate))`` during training.

    Args:
        rate: the drop probability it mimics, in ``[0, 1)``.
        seed: an int for reproducible draws.
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.GaussianDropout(0.2, seed=0)
        >>> y = layer(kcore.ops.ones((2, 3)), training=True)
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        # rate 1 would mean an infinite standard deviation.
        self.rate = _rate(rate, "GaussianDropout", allow_one=False)
        _init_random(self, rate, seed)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            noise = random.normal(
                ops.shape(inputs),
                mean=1.0,
                stddev=math.sqrt(self.rate / (1.0 - self.rate)),
                dtype=self.compute_dtype,
                seed=self.seed_generator,
            )
            return ops.multiply(inputs, noise)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


#: SELU's constants (the negative saturation value is ``-alpha * scale``).
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Dropout for self-normalizing networks (SELU): dropped inputs are set to SELU's
    negative saturation value, then all are scaled and shifted so the mean and
    variance of the inputs are kept. Acts only in training.

    Args:
        rate: the fraction of inputs to drop, in ``[0, 1)``.
        noise_shape: the shape of the keep/drop mask (``None`` entries take the
            inputs' size), as for :class:`Dropout`.
        seed: an int for reproducible draws.
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.AlphaDropout(0.1, seed=0)
        >>> y = layer(kcore.ops.ones((2, 3)), training=True)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        # rate 1 leaves no variance to restore.
        self.rate = _rate(rate, "AlphaDropout", allow_one=False)
        self.noise_shape = _noise_shape(noise_shape, "AlphaDropout")
        _init_random(self, rate, seed)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            shape = tuple(ops.shape(inputs))
            if self.noise_shape is not None:
                shape = tuple(
                    size if dim is None else dim for dim, size in zip(self.noise_shape, shape)
                )
            kept = ops.greater_equal(random.uniform(shape, seed=self.seed_generator), self.rate)
            kept = ops.cast(kept, inputs.dtype)
            alpha_p = -_SELU_ALPHA * _SELU_SCALE
            a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
            b = -a * alpha_p * self.rate
            x = ops.add(ops.multiply(inputs, kept), ops.multiply(ops.subtract(1.0, kept), alpha_p))
            return ops.add(ops.multiply(x, a), b)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": self.noise_shape,
        }


class ActivityRegularization(Layer):
    """Returns its inputs unchanged and adds ``l1 * sum(|x|) + l2 * sum(x**2)`` of
    them to the layer's ``losses``.

    Args:
        l1: the L1 factor (non-negative).
        l2: the L2 factor (non-negative).
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.ActivityRegularization(l1=0.1)
        >>> _ = layer(kcore.ops.ones((2, 3)))
        >>> round(float(kcore.ops.convert_to_numpy(layer.losses[0])), 4)
        0.6
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        for argument, value in (("l1", l1), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(
                    f"ActivityRegularization: `{argument}` must be a non-negative number, "
                    f"received {argument}={value!r}"
                )
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
