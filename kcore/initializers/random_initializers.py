"""Random initializers: RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling
(and the Glorot, He and LeCun presets), Orthogonal."""

from __future__ import annotations

import math
import random as _python_random
from typing import Any

from kcore import ops
from kcore import random as krandom
from kcore.initializers.initializer import Initializer

#: The standard deviation of a unit normal truncated to [-2, 2].
_TRUNCATED_STDDEV = 0.87962566103423978


class RandomInitializer(Initializer):
    """Base of the random initializers: holds ``seed``.

    An int seed, or ``None`` (a random int picked once, at construction), gives the
    same values on every call; a :class:`kcore.random.SeedGenerator` gives new values
    on every call. A config dict (a serialized ``SeedGenerator``) is loaded.

    Example::

        >>> init = RandomNormal(seed=kcore.random.SeedGenerator(1))
    """

    def __init__(self, seed: Any = None) -> None:
        self._init_seed = seed
        if seed is None:
            seed = _python_random.randint(1, 10**9)
        elif isinstance(seed, dict):
            from kcore.saving.serialization import deserialize_keras_object

            seed = deserialize_keras_object(seed)
        elif isinstance(seed, bool) or not isinstance(seed, int | krandom.SeedGenerator):
            raise ValueError(
                "`seed` argument should be an instance of `kcore.random.SeedGenerator()` "
                f"or an integer. Received: seed={seed!r}"
            )
        self.seed = seed

    def get_config(self) -> dict[str, Any]:
        from kcore.saving.serialization import serialize_keras_object

        return {"seed": serialize_keras_object(self._init_seed)}


class RandomNormal(RandomInitializer):
    """Samples from a normal distribution.

    Args:
        mean: the mean.
        stddev: the standard deviation.
        seed: an int, ``None`` or a :class:`kcore.random.SeedGenerator` (see
            :class:`RandomInitializer`).

    Example::

        >>> values = RandomNormal(mean=0.0, stddev=1.0, seed=1)((2, 2))   # doctest: +SKIP
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return krandom.normal(
            shape, mean=self.mean, stddev=self.stddev, seed=self.seed, dtype=dtype
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Samples from a normal distribution, redrawing values more than two standard
    deviations from the mean.

    Args:
        mean: the mean.
        stddev: the standard deviation before truncation.
        seed: an int, ``None`` or a :class:`kcore.random.SeedGenerator`.

    Example::

        >>> values = TruncatedNormal(stddev=1.0, seed=1)((2, 2))   # doctest: +SKIP
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return krandom.truncated_normal(
            shape, mean=self.mean, stddev=self.stddev, seed=self.seed, dtype=dtype
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Samples from the uniform distribution on ``[minval, maxval)``.

    Args:
        minval: the lower bound (included).
        maxval: the upper bound (excluded).
        seed: an int, ``None`` or a :class:`kcore.random.SeedGenerator`.

    Example::

        >>> values = RandomUniform(minval=-1.0, maxval=1.0, seed=1)((2, 2))   # doctest: +SKIP
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None) -> None:
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return krandom.uniform(
            shape, minval=self.minval, maxval=self.maxval, seed=self.seed, dtype=dtype
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape: Any, input_axes: Any = None, output_axes: Any = None) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape``.

    With ``input_axes`` and ``output_axes``, the products of those dimensions.
    Otherwise: a vector's length for both; a matrix's rows and columns; for a
    convolution kernel ``(*spatial, in, out)``, ``in`` and ``out`` times the
    receptive field size.

    Example::

        >>> compute_fans((3, 3, 8, 16))
        (72, 144)
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return int(math.prod(shape[a] for a in input_axes)), int(
            math.prod(shape[a] for a in output_axes)
        )
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal")


class VarianceScaling(RandomInitializer):
    """Samples scaled to the weight's shape: variance ``scale / n``, ``n`` being the
    fan-in, the fan-out or their mean (``mode``).

    ``"truncated_normal"`` draws a normal truncated at two standard deviations whose
    standard deviation after truncation is ``sqrt(scale / n)``; ``"untruncated_normal"``
    a normal of that standard deviation; ``"uniform"`` the uniform distribution on
    ``[-limit, limit]``, ``limit = sqrt(3 * scale / n)``.

    Args:
        scale: a positive scaling factor.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"`` (``"normal"`` means this),
            ``"untruncated_normal"`` or ``"uniform"``.
        seed: an int, ``None`` or a :class:`kcore.random.SeedGenerator`.
        input_axes: the axes whose sizes multiply into the fan-in (with
            ``output_axes``; default: from the shape, see :func:`compute_fans`).
        output_axes: the axes whose sizes multiply into the fan-out.

    Example::

        >>> init = VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform")
        >>> values = init((64, 32))   # doctest: +SKIP
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: Any = None,
        input_axes: Any = None,
        output_axes: Any = None,
    ) -> None:
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in _MODES:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of {_MODES}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}. "
                f"Please use one of {_DISTRIBUTIONS}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, n[self.mode])
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / _TRUNCATED_STDDEV
            return krandom.truncated_normal(shape, 0.0, stddev, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return krandom.normal(shape, 0.0, math.sqrt(variance), dtype=dtype, seed=self.seed)
        limit = math.sqrt(3.0 * variance)
        return krandom.uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _Preset(VarianceScaling):
    """A :class:`VarianceScaling` with a fixed scale, mode and distribution."""

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_in", "truncated_normal"

    def __init__(self, seed: Any = None, input_axes: Any = None, output_axes: Any = None):
        super().__init__(
            scale=self._SCALE,
            mode=self._MODE,
            distribution=self._DISTRIBUTION,
            seed=seed,
            input_axes=input_axes,
            output_axes=output_axes,
        )

    def get_config(self) -> dict[str, Any]:
        from kcore.saving.serialization import serialize_keras_object

        return {
            "seed": serialize_keras_object(self._init_seed),
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class GlorotUniform(_Preset):
    """The Glorot (Xavier) uniform initializer: uniform on ``[-limit, limit]``,
    ``limit = sqrt(6 / (fan_in + fan_out))``.

    Args:
        seed: an int, ``None`` or a :class:`kcore.random.SeedGenerator`.
        input_axes: see :class:`VarianceScaling`.
        output_axes: see :class:`VarianceScaling`.

    Example::

        >>> values = GlorotUniform(seed=0)((3, 4))   # doctest: +SKIP
    """

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_avg", "uniform"


class GlorotNormal(_Preset):
    """The Glorot (Xavier) normal initializer: truncated normal of standard deviation
    ``sqrt(2 / (fan_in + fan_out))``.

    Args:
        seed: an int, ``None`` or a :class:`kcore.random.SeedGenerator`.
        input_axes: see :class:`VarianceScaling`.
        output_axes: see :class:`VarianceScaling`.

    Example::

        >>> values = GlorotNormal(seed=0)((3, 4))   # doctest: +SKIP
    """

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_avg", "truncated_normal"


class LecunNormal(_Preset):
    """The LeCun normal initializer: truncated normal of standard deviation
    ``sqrt(1 / fan_in)``.

    Args:
        seed: an int, ``None`` or a :class:`kcore.random.SeedGenerator`.
        input_axes: see :class:`VarianceScaling`.
        output_axes: see :class:`VarianceScaling`.

    Example::

        >>> values = LecunNormal(seed=0)((3, 4))   # doctest: +SKIP
    """

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_in", "truncated_normal"


class LecunUniform(_Preset):
    """The LeCun uniform initializer: uniform on ``[-limit, limit]``,
    ``limit = sqrt(3 / fan_in)``.

    Args:
        seed: an int, ``None`` or a :class:`kcore.random.SeedGenerator`.
        input_axes: see :class:`VarianceScaling`.
        output_axes: see :class:`VarianceScaling`.

    Example::

        >>> values = LecunUniform(seed=0)((3, 4))   # doctest: +SKIP
    """

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_in", "uniform"


class HeNormal(_Preset):
    """The He normal initializer: truncated normal of standard deviation
    ``sqrt(2 / fan_in)``.

    Args:
        seed: an int, ``None`` or a :class:`kcore.random.SeedGenerator`.
        input_axes: see :class:`VarianceScaling`.
        output_axes: see :class:`VarianceScaling`.

    Example::

        >>> values = HeNormal(seed=0)((3, 4))   # doctest: +SKIP
    """

    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "truncated_normal"


class HeUniform(_Preset):
    """The He uniform initializer: uniform on ``[-limit, limit]``,
    ``limit = sqrt(6 / fan_in)``.

    Args:
        seed: an int, ``None`` or a :class:`kcore.random.SeedGenerator`.
        input_axes: see :class:`VarianceScaling`.
        output_axes: see :class:`VarianceScaling`.

    Example::

        >>> values = HeUniform(seed=0)((3, 4))   # doctest: +SKIP
    """

    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "uniform"


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix times ``gain`` (for a shape of rank > 2, the
    leading dimensions are flattened into rows): the QR decomposition of a normal
    sample, with the signs fixed so the result is uniformly distributed.

    Args:
        gain: the multiplier.
        seed: an int, ``None`` or a :class:`kcore.random.SeedGenerator`.

    Example::

        >>> q = Orthogonal(seed=0)((4, 4))   # doctest: +SKIP
    """

    def __init__(self, gain: float = 1.0, seed: Any = None) -> None:
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = krandom.normal((max(rows, cols), min(rows, cols)), seed=self.seed, dtype=dtype)
        q, r = ops.qr(flat)
        q = q * ops.sign(ops.diag(r))
        if rows < cols:
            q = ops.transpose(q)
        return self.gain * ops.reshape(q, shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "gain": self.gain}
