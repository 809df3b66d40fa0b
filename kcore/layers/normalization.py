"""Normalization layers: batch, layer, group, RMS, unit and spectral normalization.

Each layer computes in at least float32 (a float16 input is widened, then the result
is cast back to the layer's compute dtype), so mixed precision stays stable.

Example::

    >>> layer = kcore.layers.LayerNormalization()
    >>> tuple(layer(kcore.ops.ones((2, 3))).shape)
    (2, 3)
"""

from __future__ import annotations

from typing import Any

from kcore import constraints, initializers, ops, regularizers
from kcore.config import epsilon
from kcore.dtypes import result_type, standardize_dtype
from kcore.layers.core import Wrapper
from kcore.layers.input_spec import InputSpec
from kcore.layers.layer import Layer

__all__ = [
    "BatchNormalization",
    "LayerNormalization",
    "GroupNormalization",
    "RMSNormalization",
    "UnitNormalization",
    "SpectralNormalization",
]


# ------------------------------------------------------------------------ helpers
def _check_axis_int(layer: str, axis: Any) -> int:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"{layer}: expected an int for argument `axis`, received axis={axis!r}")
    return axis


def _check_axes(layer: str, axis: Any) -> Any:
    """``axis`` as an int or a list of ints (Keras accepts both)."""
    if isinstance(axis, list | tuple):
        if not axis or any(isinstance(a, bool) or not isinstance(a, int) for a in axis):
            raise ValueError(
                f"{layer}: expected an int or a list/tuple of ints for argument `axis`, "
                f"received axis={axis!r}"
            )
        return list(axis)
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(
            f"{layer}: expected an int or a list/tuple of ints for argument `axis`, "
            f"received axis={axis!r}"
        )
    return axis


def _check_epsilon(layer: str, epsilon: Any) -> float:
    if isinstance(epsilon, bool) or not isinstance(epsilon, int | float) or epsilon < 0:
        raise ValueError(
            f"{layer}: expected a non-negative number for argument `epsilon`, "
            f"received epsilon={epsilon!r}"
        )
    return epsilon


def _check_axes_in_range(layer: Layer, axis: Any, input_shape: Any) -> None:
    rank = len(input_shape)
    for a in axis if isinstance(axis, list | tuple) else [axis]:
        if not -rank <= a < rank:
            raise ValueError(
                f"Layer '{layer.name}' ({type(layer).__name__}): axis {a} is out of bounds "
                f"for input shape {tuple(input_shape)}. Received: axis={axis}"
            )


def _check_defined(layer: Layer, axes: list[int], input_shape: Any) -> None:
    for a in axes:
        if input_shape[a] is None:
            raise ValueError(
                f"Layer '{layer.name}' ({type(layer).__name__}): axis {a} of the input must "
                f"have a defined size, received an input of shape {tuple(input_shape)}"
            )


def _widen(x: Any) -> Any:
    """``x`` as at least float32 (normalization statistics need the precision)."""
    dtype = standardize_dtype(x.dtype)
    wide = result_type(dtype, "float32")
    return x if wide == dtype else ops.cast(x, wide)


def _weight_args(layer: Any, prefix: str) -> dict[str, Any]:
    return {
        "initializer": getattr(layer, f"{prefix}_initializer"),
        "regularizer": getattr(layer, f"{prefix}_regularizer"),
        "constraint": getattr(layer, f"{prefix}_constraint"),
    }


class _SameShape:
    """``compute_output_shape`` of the normalization layers: the input shape, once
    ``axis`` is checked against its rank."""

    def compute_output_shape(self, input_shape):
        _check_axes_in_range(self, self.axis, input_shape)
        return tuple(input_shape)


class _AffineConfig(_SameShape):
    """The gamma/beta arguments shared by batch, layer and group normalization
    (all three support masks and have ``gamma``/``beta`` set to ``None`` until built)."""

    def _set_affine(
        self,
        center: bool,
        scale: bool,
        beta_initializer: Any,
        gamma_initializer: Any,
        beta_regularizer: Any,
        gamma_regularizer: Any,
        beta_constraint: Any,
        gamma_constraint: Any,
    ) -> None:
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = None
        self.beta = None

    def _add_affine_weight(self, name: str, shape: tuple) -> Any:
        """The trainable ``gamma`` or ``beta`` (kept in float32 under mixed precision)."""
        return self.add_weight(
            shape=shape, name=name, trainable=True, autocast=False, **_weight_args(self, name)
        )

    def _affine_config(self) -> dict[str, Any]:
        return {
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }


# ---------------------------------------------------------------- BatchNormalization
class BatchNormalization(_AffineConfig, Layer):
    """Normalizes its inputs with the batch's statistics while training and with
    moving averages of them at inference.

    While training (``training=True`` and the layer trainable), the output is
    ``gamma * (x - mean(x)) / sqrt(var(x) + epsilon) + beta`` over every axis but
    ``axis``, and the moving statistics are updated as
    ``moving = moving * momentum + batch * (1 - momentum)``. At inference, and when
    the layer is frozen (``trainable=False``), ``moving_mean`` and
    ``moving_variance`` are used instead and nothing is updated.

    Args:
        axis: the features axis (usually the channels axis).
        momentum: momentum of the moving averages.
        epsilon: small float added to the variance.
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned ``gamma``.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: initializers of the weights.
        beta_regularizer, gamma_regularizer: optional regularizers.
        beta_constraint, gamma_constraint: optional constraints.
        renorm: whether to use batch renormalization (adds ``moving_stddev``,
            ``renorm_mean`` and ``renorm_stddev``).
        renorm_clipping: a dict with optional keys ``"rmax"``, ``"rmin"``,
            ``"dmax"`` clipping the renorm corrections.
        renorm_momentum: momentum of the renorm moving averages.
        synchronized: whether the batch statistics are reduced across replicas.

    Call arguments: ``inputs``, ``training``, ``mask`` (one rank below the inputs;
    masked steps are left out of the batch statistics).

    Example::

        >>> bn = kcore.layers.BatchNormalization()
        >>> y = bn(kcore.ops.ones((4, 3)), training=True)
        >>> [w.name for w in bn.weights]
        ['gamma', 'beta', 'moving_mean', 'moving_variance']
    """

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        renorm=False,
        renorm_clipping=None,
        renorm_momentum=0.99,
        synchronized=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        name = "BatchNormalization"
        self.axis = _check_axis_int(name, axis)
        if isinstance(momentum, bool) or not isinstance(momentum, int | float):
            raise ValueError(
                f"{name}: expected a number for argument `momentum`, received momentum={momentum!r}"
            )
        self.momentum = float(momentum)
        self.epsilon = float(_check_epsilon(name, epsilon))
        self._set_affine(
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
        )
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.synchronized = synchronized
        self.renorm = renorm
        if renorm:
            renorm_clipping = dict(renorm_clipping or {})
            unknown = set(renorm_clipping) - {"rmax", "rmin", "dmax"}
            if unknown:
                raise ValueError(
                    f"{name}: received invalid keys for argument `renorm_clipping`: "
                    f"{sorted(unknown)}. Supported keys: ['rmax', 'rmin', 'dmax']"
                )
            rmax, rmin = renorm_clipping.get("rmax"), renorm_clipping.get("rmin")
            dmax = renorm_clipping.get("dmax")
            if rmax is not None and rmin is not None and rmax < rmin:
                raise ValueError(
                    f"{name}: `renorm_clipping` needs rmax >= rmin, received "
                    f"rmax={rmax}, rmin={rmin}"
                )
            if dmax is not None and dmax < 0:
                raise ValueError(
                    f"{name}: `renorm_clipping` needs a non-negative dmax, received dmax={dmax}"
                )
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.moving_mean = None
        self.moving_variance = None
        self._reduction_axes: tuple[int, ...] | None = None

    def build(self, input_shape):
        _check_axes_in_range(self, self.axis, input_shape)
        _check_defined(self, [self.axis], input_shape)
        shape = (input_shape[self.axis],)
        if self.scale:
            self.gamma = self._add_affine_weight("gamma", shape)
        if self.center:
            self.beta = self._add_affine_weight("beta", shape)
        self.moving_mean = self._add_statistic("moving_mean", shape, self.moving_mean_initializer)
        self.moving_variance = self._add_statistic(
            "moving_variance", shape, self.moving_variance_initializer
        )
        if self.renorm:
            variance_init = self.moving_variance_initializer

            def stddev_initializer(shape, dtype=None):
                return ops.sqrt(variance_init(shape, dtype=dtype))

            self.moving_stddev = self._add_statistic("moving_stddev", shape, stddev_initializer)
            self.renorm_mean = self._add_statistic(
                "renorm_mean", shape, self.moving_mean_initializer
            )
            self.renorm_stddev = self._add_statistic("renorm_stddev", shape, stddev_initializer)
        rank = len(input_shape)
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: input_shape[self.axis]})
        axis = self.axis % rank
        self._reduction_axes = tuple(i for i in range(rank) if i != axis)
        self.built = True

    def _add_statistic(self, name, shape, initializer):
        """A non-trainable float32 statistic (moving mean, renorm stddev...)."""
        return self.add_weight(
            shape=shape, name=name, initializer=initializer, trainable=False, autocast=False
        )

    def call(self, inputs, training=None, mask=None):
        if mask is not None and len(mask.shape) != len(inputs.shape) - 1:
            raise ValueError(
                f"Layer '{self.name}' (BatchNormalization): the mask must have one "
                f"dimension less than the inputs, received mask.shape={tuple(mask.shape)} "
                f"and inputs.shape={tuple(inputs.shape)}"
            )
        x = _widen(inputs)
        dtype = standardize_dtype(x.dtype)
        gamma = None if self.gamma is None else ops.cast(self.gamma.value, dtype)
        beta = None if self.beta is None else ops.cast(self.beta.value, dtype)
        if training and self.trainable:
            mean, variance = self._moments(x, mask)
            if self.renorm:
                gamma, beta = self._renorm(mean, variance, gamma, beta, dtype)
            else:
                m = self.momentum
                frozen_mean = ops.stop_gradient(mean)
                frozen_variance = ops.stop_gradient(variance)
                self.moving_mean.assign(
                    ops.cast(self.moving_mean.value, dtype) * m + frozen_mean * (1.0 - m)
                )
                self.moving_variance.assign(
                    ops.cast(self.moving_variance.value, dtype) * m + frozen_variance * (1.0 - m)
                )
        else:
            mean = ops.cast(self.moving_mean.value, dtype)
            variance = ops.cast(self.moving_variance.value, dtype)
        outputs = ops.batch_normalization(
            x, mean, variance, axis=self.axis, offset=beta, scale=gamma, epsilon=self.epsilon
        )
        return ops.cast(outputs, self.compute_dtype)

    def _moments(self, x, mask):
        if mask is None:
            return ops.moments(x, axes=self._reduction_axes, synchronized=self.synchronized)
        keep = ops.broadcast_to(ops.expand_dims(ops.cast(mask, "bool"), -1), ops.shape(x))
        weights = ops.cast(keep, x.dtype)
        count = ops.sum(weights, self._reduction_axes, keepdims=True) + epsilon()
        mean = ops.sum(ops.where(keep, x, 0.0), self._reduction_axes, keepdims=True) / count
        squared = ops.square(ops.where(keep, x - mean, 0.0))
        variance = ops.sum(squared, self._reduction_axes, keepdims=True) / count
        return ops.reshape(mean, (-1,)), ops.reshape(variance, (-1,))

    def _renorm(self, mean, variance, gamma, beta, dtype):
        """Batch renormalization: corrections ``r``, ``d`` applied through gamma and
        beta, and the renorm and moving statistics updated."""
        eps = self.epsilon
        stddev = ops.sqrt(variance + eps)
        renorm_mean = ops.cast(self.renorm_mean.value, dtype)
        renorm_stddev = ops.cast(self.renorm_stddev.value, dtype)
        bounded = ops.maximum(renorm_stddev, eps**0.5)
        r = stddev / bounded
        d = (mean - renorm_mean) / bounded
        clip = self.renorm_clipping or {}
        if clip.get("rmin") is not None:
            r = ops.maximum(r, clip["rmin"])
        if clip.get("rmax") is not None:
            r = ops.minimum(r, clip["rmax"])
        if clip.get("dmax") is not None:
            d = ops.clip(d, -clip["dmax"], clip["dmax"])
        r, d = ops.stop_gradient(r), ops.stop_gradient(d)
        if gamma is not None:
            new_gamma, new_beta = r * gamma, d * gamma
        else:
            new_gamma, new_beta = r, d
        if beta is not None:
            new_beta = new_beta + beta
        mean = ops.stop_gradient(mean)
        stddev = ops.stop_gradient(stddev)
        rm = self.renorm_momentum
        self.renorm_mean.assign(renorm_mean * rm + mean * (1.0 - rm))
        self.renorm_stddev.assign(renorm_stddev * rm + stddev * (1.0 - rm))
        m = self.momentum
        self.moving_mean.assign(ops.cast(self.moving_mean.value, dtype) * m + mean * (1.0 - m))
        moving_stddev = ops.cast(self.moving_stddev.value, dtype) * m + stddev * (1.0 - m)
        self.moving_stddev.assign(moving_stddev)
        self.moving_variance.assign(ops.relu(moving_stddev * moving_stddev - eps))
        return new_gamma, new_beta

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }


# ---------------------------------------------------------------- LayerNormalization
class LayerNormalization(_AffineConfig, Layer):
    """Normalizes each example over ``axis``: ``gamma * (x - mean) / sqrt(var +
    epsilon) + beta``, with statistics computed per example (not over the batch).

    Args:
        axis: the axis or axes to normalize over (the features, usually ``-1``).
        epsilon: small float added to the variance.
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned ``gamma``.
        beta_initializer, gamma_initializer: initializers of the weights.
        beta_regularizer, gamma_regularizer: optional regularizers.
        beta_constraint, gamma_constraint: optional constraints.
        rms_scaling (keyword, deprecated in Keras): scale by the inverse standard
            deviation without centering; prefer :class:`RMSNormalization`.

    Example::

        >>> ln = kcore.layers.LayerNormalization()
        >>> y = ln(kcore.ops.convert_to_tensor([[1.0, 2.0, 3.0]]))
        >>> [round(float(v), 3) for v in kcore.ops.convert_to_numpy(y)[0]]
        [-1.224, 0.0, 1.224]
    """

    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        rms_scaling = kwargs.pop("rms_scaling", False)
        super().__init__(**kwargs)
        name = "LayerNormalization"
        self.axis = _check_axes(name, axis)
        self.epsilon = _check_epsilon(name, epsilon)
        self.rms_scaling = rms_scaling
        self._set_affine(
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
        )
        self.autocast = False

    def build(self, input_shape):
        _check_axes_in_range(self, self.axis, input_shape)
        if isinstance(self.axis, list):
            self.axis = sorted(self.axis)
            shape = tuple(input_shape[a] for a in self.axis)
        else:
            shape = (input_shape[self.axis],)
            self.axis = [self.axis]
        _check_defined(self, self.axis, input_shape)
        if self.scale or self.rms_scaling:
            self.gamma = self._add_affine_weight("gamma", shape)
        if self.center and not self.rms_scaling:
            self.beta = self._add_affine_weight("beta", shape)
        self.built = True

    def call(self, inputs):
        x = _widen(inputs)
        dtype = standardize_dtype(x.dtype)
        gamma = None if self.gamma is None else ops.cast(self.gamma.value, dtype)
        beta = None if self.beta is None else ops.cast(self.beta.value, dtype)
        outputs = ops.layer_normalization(
            x, gamma, beta, self.axis, self.epsilon, rms_scaling=self.rms_scaling
        )
        return ops.cast(outputs, self.compute_dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            **self._affine_config(),
        }


# ---------------------------------------------------------------- GroupNormalization
class GroupNormalization(_AffineConfig, Layer):
    """Splits the channels (``axis``) into ``groups`` and normalizes each group of
    each example over its channels and the other non-batch axes.

    ``groups=-1`` gives instance normalization (one group per channel);
    ``groups=1`` normalizes over all channels (layer normalization over every
    non-batch axis).

    Args:
        groups: the number of groups, dividing the channel count, or ``-1``.
        axis: the channels axis.
        epsilon: small float added to the variance.
        center, scale: whether to add ``beta`` / multiply by ``gamma``.
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
        beta_constraint, gamma_constraint: as in :class:`LayerNormalization`.

    Example::

        >>> gn = kcore.layers.GroupNormalization(groups=2)
        >>> tuple(gn(kcore.ops.ones((2, 5, 4))).shape)
        (2, 5, 4)
    """

    def __init__(
        self,
        groups=32,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        if (
            isinstance(groups, bool)
            or not isinstance(groups, int)
            or (groups <= 0 and groups != -1)
        ):
            raise ValueError(
                "GroupNormalization: received an invalid value for argument `groups`, "
                "expected a positive integer (or -1 for instance normalization). "
                f"Received: groups={groups!r}"
            )
        super().__init__(**kwargs)
        name = "GroupNormalization"
        self.groups = groups
        self.axis = _check_axis_int(name, axis)
        self.epsilon = _check_epsilon(name, epsilon)
        self._set_affine(
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
        )
        self.autocast = False

    def build(self, input_shape):
        _check_axes_in_range(self, self.axis, input_shape)
        dim = input_shape[self.axis]
        _check_defined(self, [self.axis], input_shape)
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(
                f"Layer '{self.name}' (GroupNormalization): the number of groups "
                f"({self.groups}) cannot be more than the number of channels ({dim})"
            )
        if dim % self.groups != 0:
            raise ValueError(
                f"Layer '{self.name}' (GroupNormalization): the number of channels ({dim}) "
                f"must be a multiple of the number of groups ({self.groups})"
            )
        rank = len(input_shape)
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: dim})
        if self.scale:
            self.gamma = self._add_affine_weight("gamma", (dim,))
        if self.center:
            self.beta = self._add_affine_weight("beta", (dim,))
        axis = self.axis % rank
        # The grouped tensor has the channel axis split in (groups, channels/groups).
        self._grouped_axis = axis
        self._group_axes = [i for i in range(1, rank + 1) if i != axis]
        broadcast = [1] * (rank + 1)
        broadcast[axis] = self.groups
        broadcast[axis + 1] = dim // self.groups
        self._broadcast_shape = tuple(broadcast)
        self.built = True

    def call(self, inputs):
        shape = ops.shape(inputs)
        axis = self._grouped_axis
        grouped_shape = [
            -1 if i == 0 else (d if isinstance(d, int) else shape[i])
            for i, d in enumerate(inputs.shape)
        ]
        grouped_shape[axis] = self.groups
        grouped_shape.insert(axis + 1, int(inputs.shape[axis]) // self.groups)
        x = _widen(ops.reshape(inputs, grouped_shape))
        dtype = standardize_dtype(x.dtype)
        mean, variance = ops.moments(x, axes=self._group_axes, keepdims=True)
        inv = ops.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * ops.reshape(ops.cast(self.gamma.value, dtype), self._broadcast_shape)
        shift = -mean * inv
        if self.beta is not None:
            shift = shift + ops.reshape(ops.cast(self.beta.value, dtype), self._broadcast_shape)
        outputs = ops.reshape(x * inv + shift, shape)
        return ops.cast(outputs, self.compute_dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            **self._affine_config(),
        }


# ---------------------------------------------------------------- RMSNormalization
class RMSNormalization(_SameShape, Layer):
    """Root-mean-square normalization: ``x / sqrt(mean(x**2, axis) + epsilon) *
    scale``, with a learned ``scale`` (initialized to ones).

    Args:
        axis: the axis or axes to normalize over.
        epsilon: small float added to the mean square.

    Example::

        >>> rms = kcore.layers.RMSNormalization()
        >>> y = rms(kcore.ops.convert_to_tensor([[3.0, 4.0]]))
        >>> [round(float(v), 3) for v in kcore.ops.convert_to_numpy(y)[0]]
        [0.849, 1.131]
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        name = "RMSNormalization"
        self.axis = _check_axes(name, axis)
        self.epsilon = _check_epsilon(name, epsilon)

    def build(self, input_shape):
        _check_axes_in_range(self, self.axis, input_shape)
        if isinstance(self.axis, list):
            self.axis = sorted(self.axis)
            shape = tuple(input_shape[a] for a in self.axis)
        else:
            shape = (input_shape[self.axis],)
            self.axis = [self.axis]
        _check_defined(self, self.axis, input_shape)
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        self.built = True

    def call(self, x):
        return ops.rms_normalization(
            x, scale=self.scale.value, axis=self.axis, epsilon=self.epsilon
        )

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}


# ---------------------------------------------------------------- UnitNormalization
class UnitNormalization(_SameShape, Layer):
    """Scales each example to unit L2 norm over ``axis`` (no weights).

    Args:
        axis: the axis or axes over which the norm is taken.

    Example::

        >>> un = kcore.layers.UnitNormalization()
        >>> y = un(kcore.ops.convert_to_tensor([[3.0, 4.0]]))
        >>> [round(float(v), 3) for v in kcore.ops.convert_to_numpy(y)[0]]
        [0.6, 0.8]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _check_axes("UnitNormalization", axis)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        _check_axes_in_range(self, self.axis, inputs.shape)
        return ops.normalize(inputs, axis=self.axis, order=2, epsilon=1e-12)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


# ------------------------------------------------------------- SpectralNormalization
class SpectralNormalization(Wrapper):
    """Wraps a layer with a ``kernel`` (or ``embeddings``) and, while training,
    divides that kernel by its largest singular value, estimated by power
    iteration with a persistent vector ``vector_u`` (a non-trainable weight).

    Args:
        layer: the layer to wrap; it must have a ``kernel`` or ``embeddings``
            weight once built.
        power_iterations: the number of power iterations per training call.

    Example::

        >>> sn = kcore.layers.SpectralNormalization(kcore.layers.Dense(4))
        >>> y = sn(kcore.ops.ones((2, 3)), training=True)
        >>> tuple(y.shape)
        (2, 4)
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "SpectralNormalization: argument `layer` must be a kcore.layers.Layer "
                f"instance, received layer={layer!r}"
            )
        if (
            isinstance(power_iterations, bool)
            or not isinstance(power_iterations, int)
            or (power_iterations <= 0)
        ):
            raise ValueError(
                "SpectralNormalization: `power_iterations` should be an integer greater "
                f"than zero, received power_iterations={power_iterations!r}"
            )
        super().__init__(layer, **kwargs)
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        if hasattr(self.layer, "kernel"):
            kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            kernel = self.layer.embeddings
        else:
            raise ValueError(
                f"Layer '{self.name}' (SpectralNormalization): the wrapped "
                f"{type(self.layer).__name__} has no attribute 'kernel' nor 'embeddings'"
            )
        self.kernel = kernel
        self.kernel_shape = tuple(kernel.shape)
        self.vector_u = self.add_weight(
            shape=(1, self.kernel_shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
            name="vector_u",
            dtype=kernel.dtype,
        )
        self.built = True

    def call(self, inputs, training=False):
        if training:
            vector_u, kernel = self.normalized_weights()
            old_kernel = self.kernel.value
            all_zero = ops.all(ops.equal(old_kernel, 0))
            self.vector_u.assign(ops.where(all_zero, self.vector_u.value, vector_u))
            self.kernel.assign(ops.where(all_zero, old_kernel, kernel))
        outputs = self.layer(inputs)
        return ops.cast(outputs, inputs.dtype)

    def normalized_weights(self):
        """``(vector_u, kernel / sigma)``: the power-iterated singular vector and the
        spectrally normalized kernel (nothing is assigned)."""
        weights = ops.reshape(self.kernel.value, (-1, self.kernel_shape[-1]))
        vector_u = self.vector_u.value
        vector_v = None
        for _ in range(self.power_iterations):
            vector_v = _l2_normalize(ops.matmul(vector_u, ops.transpose(weights)))
            vector_u = _l2_normalize(ops.matmul(vector_v, weights))
        vector_u = ops.stop_gradient(vector_u)
        vector_v = ops.stop_gradient(vector_v)
        sigma = ops.matmul(ops.matmul(vector_v, weights), ops.transpose(vector_u))
        kernel = ops.reshape(self.kernel.value / sigma, self.kernel_shape)
        return (
            ops.cast(vector_u, self.vector_u.dtype),
            ops.cast(kernel, self.kernel.dtype),
        )

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}


def _l2_normalize(x):
    """``x`` divided by its L2 norm over every axis (at least ``epsilon()``)."""
    return x / ops.maximum(ops.sqrt(ops.sum(ops.square(x))), epsilon())
