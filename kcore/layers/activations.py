"""The activation layers: ``Activation``, ``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``
and ``Softmax`` (Keras 3's names, arguments and configs).

Example::

    >>> layer = kcore.layers.ReLU(max_value=6.0)
    >>> kcore.ops.convert_to_numpy(layer(kcore.ops.convert_to_tensor([-1.0, 3.0, 9.0])))
    array([0., 3., 6.], dtype=float32)
"""

from __future__ import annotations

import warnings
from typing import Any

from kcore import activations, constraints, initializers, ops, regularizers
from kcore.dtypes import standardize_dtype
from kcore.layers.core import (
    _get_activation,
    _get_constraint,
    _get_initializer,
    _get_regularizer,
)
from kcore.layers.input_spec import InputSpec
from kcore.layers.layer import Layer

__all__ = ["ELU", "PReLU", "Activation", "LeakyReLU", "ReLU", "Softmax"]


def _number(value: Any, owner: str, argument: str, allow_none: bool = False) -> Any:
    """``value`` when it is a non-negative real number (or ``None`` if allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        allowed = "a non-negative number" + (" or None" if allow_none else "")
        raise ValueError(f"{owner}: `{argument}` must be {allowed}, received {argument}={value!r}")
    return value


class Activation(Layer):
    """Applies an activation function to its inputs.

    Args:
        activation: an activation name (``"relu"``, ``"gelu"``...) or function.
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.Activation("relu")
        >>> kcore.ops.convert_to_numpy(layer(kcore.ops.convert_to_tensor([-1.0, 2.0])))
        array([0., 2.], dtype=float32)
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = _get_activation(activation, "Activation")
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class ReLU(Layer):
    """The rectified linear unit with Keras's options: ``x`` for ``threshold <= x <
    max_value``, ``max_value`` above it, ``negative_slope * (x - threshold)`` below
    the threshold.

    Args:
        max_value: the largest output (``None``: no cap); non-negative.
        negative_slope: the slope below the threshold; non-negative.
        threshold: the threshold; non-negative.
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.ReLU(negative_slope=0.5)
        >>> kcore.ops.convert_to_numpy(layer(kcore.ops.convert_to_tensor([-2.0, 1.0])))
        array([-1.,  1.], dtype=float32)
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _number(max_value, "ReLU", "max_value", allow_none=True)
        self.negative_slope = _number(negative_slope, "ReLU", "negative_slope")
        self.threshold = _number(threshold, "ReLU", "threshold")
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.relu(
            inputs,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class LeakyReLU(Layer):
    """The leaky rectified linear unit: ``x`` for ``x >= 0``, ``negative_slope * x``
    below.

    Args:
        negative_slope: the slope for negative inputs; non-negative (the legacy
            name ``alpha`` is accepted, with a warning, as in Keras 3).
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.LeakyReLU(negative_slope=0.1)
        >>> kcore.ops.convert_to_numpy(layer(kcore.ops.convert_to_tensor([-10.0, 1.0])))
        array([-1.,  1.], dtype=float32)
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn(
                "Argument `alpha` is deprecated. Use `negative_slope` instead.", stacklevel=2
            )
        super().__init__(**kwargs)
        self.negative_slope = _number(negative_slope, "LeakyReLU", "negative_slope")
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(Layer):
    """The parametric ReLU: ``x`` for ``x >= 0``, ``alpha * x`` below, with a learned
    ``alpha`` per input element (the batch axis excluded).

    Args:
        alpha_initializer: the initializer of ``alpha`` (default zeros: a ReLU).
        alpha_regularizer, alpha_constraint: for ``alpha``.
        shared_axes: the axes along which ``alpha`` is shared (size 1), e.g.
            ``[1, 2]`` for one ``alpha`` per channel of ``(batch, h, w, c)`` images.
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.PReLU(alpha_initializer=kcore.initializers.Constant(0.5))
        >>> kcore.ops.convert_to_numpy(layer(kcore.ops.convert_to_tensor([[-2.0, 3.0]])))
        array([[-1.,  3.]], dtype=float32)
    """

    def __init__(
        self,
        alpha_initializer="Zeros",
        alpha_regularizer=None,
        alpha_constraint=None,
        shared_axes=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = _get_initializer(alpha_initializer, "PReLU", "alpha_initializer")
        self.alpha_regularizer = _get_regularizer(alpha_regularizer, "PReLU", "alpha_regularizer")
        self.alpha_constraint = _get_constraint(alpha_constraint, "PReLU", "alpha_constraint")
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = list(shared_axes) if isinstance(shared_axes, list | tuple) else [shared_axes]
            for axis in axes:
                if isinstance(axis, bool) or not isinstance(axis, int) or axis == 0:
                    raise ValueError(
                        "PReLU: `shared_axes` must be non-zero int axes (axis 0 is the "
                        f"batch), received shared_axes={shared_axes!r}"
                    )
            self.shared_axes = axes

    def build(self, input_shape):
        rank = len(input_shape)
        shared = set()
        for axis in self.shared_axes or ():
            absolute = axis + rank if axis < 0 else axis
            if not 0 < absolute < rank:
                raise ValueError(
                    f"Layer '{self.name}' (PReLU): shared axis {axis} is out of range for "
                    f"inputs of shape {tuple(input_shape)}"
                )
            shared.add(absolute)
        param_shape = [1 if i in shared else input_shape[i] for i in range(1, rank)]
        if any(d is None for d in param_shape):
            raise ValueError(
                f"Layer '{self.name}' (PReLU) needs every non-batch, non-shared dimension "
                f"of its inputs defined, received input_shape={tuple(input_shape)}"
            )
        self.alpha = self.add_weight(
            shape=param_shape,
            name="alpha",
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        axes = {i: input_shape[i] for i in range(1, rank) if i not in shared}
        self.input_spec = InputSpec(ndim=rank, axes=axes)
        self.built = True

    def call(self, inputs):
        positive = ops.relu(inputs)
        negative = ops.multiply(ops.negative(self.alpha), ops.relu(ops.negative(inputs)))
        return ops.add(positive, negative)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }


class ELU(Layer):
    """The exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)``
    below.

    Args:
        alpha: the scale of the negative part.
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.ELU(alpha=1.0)
        >>> kcore.ops.convert_to_numpy(layer(kcore.ops.convert_to_tensor([0.0, 2.0])))
        array([0., 2.], dtype=float32)
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, int | float):
            raise ValueError(f"ELU: `alpha` must be a number, received alpha={alpha!r}")
        self.alpha = alpha
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


def _large_negative(dtype: Any) -> float:
    # The logit a masked position gets: -1e9 overflows float16.
    return -3e4 if standardize_dtype(dtype) == "float16" else -1e9


class Softmax(Layer):
    """The softmax over ``axis`` (an int, or several axes at once).

    Called with ``mask`` (``True``: keep; broadcastable to the inputs), masked
    positions get a very negative logit before the softmax and a 0 output after it.

    Args:
        axis: the axis, or a list or tuple of axes, to normalize over.
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.Softmax()
        >>> x = kcore.ops.convert_to_tensor([[1.0, 1.0, 5.0]])
        >>> mask = kcore.ops.convert_to_tensor([[True, True, False]])
        >>> kcore.ops.convert_to_numpy(layer(x, mask=mask))
        array([[0.5, 0.5, 0. ]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, list | tuple):
            if not axis or any(isinstance(a, bool) or not isinstance(a, int) for a in axis):
                raise ValueError(
                    f"Softmax: `axis` must be an int or a non-empty list of ints, received "
                    f"axis={axis!r}"
                )
        elif isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(
                f"Softmax: `axis` must be an int or a list of ints, received axis={axis!r}"
            )
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs, mask=None):
        if mask is not None:
            mask_shape = tuple(mask.shape)
            input_shape = tuple(inputs.shape)
            fits = len(mask_shape) <= len(input_shape) and all(
                m is None or i is None or m in (1, i)
                for m, i in zip(reversed(mask_shape), reversed(input_shape))
            )
            if not fits:
                raise ValueError(
                    f"Layer '{self.name}' (Softmax): the mask must broadcast to the "
                    f"inputs, received inputs.shape={input_shape}, mask.shape={mask_shape}"
                )
            if standardize_dtype(mask.dtype) != "bool":
                mask = ops.greater(mask, 0.5)
            inputs = ops.where(mask, inputs, ops.full_like(inputs, _large_negative(inputs.dtype)))
        axis = self.axis
        if isinstance(axis, list | tuple):
            if len(axis) > 1:
                outputs = ops.exp(
                    ops.subtract(inputs, ops.logsumexp(inputs, axis=tuple(axis), keepdims=True))
                )
            else:
                outputs = activations.softmax(inputs, axis=axis[0])
        else:
            outputs = activations.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = ops.where(mask, outputs, ops.zeros_like(outputs))
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
