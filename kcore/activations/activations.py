"""The activation functions, written with :mod:`kcore.ops`."""

from __future__ import annotations

from typing import Any

from kcore import ops


def relu(
    x: Any, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
) -> Any:
    """The rectified linear unit, with Keras's options: ``x`` above ``threshold``
    (capped at ``max_value``), ``negative_slope * (x - threshold)`` below it.

    Args:
        x: the input tensor.
        negative_slope: the slope below the threshold.
        max_value: the largest output (``None``: no cap).
        threshold: the value below which the output is 0 (or sloped).

    Example::

        >>> relu(kcore.ops.convert_to_tensor([-10.0, -5.0, 0.0, 5.0, 10.0]), max_value=5.0)
        ... # [0, 0, 0, 5, 5]
    """
    x = ops.convert_to_tensor(x)
    if negative_slope == 0.0 and threshold == 0.0:
        if max_value is None:
            return ops.relu(x)
        if max_value == 6:
            return ops.relu6(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return ops.leaky_relu(x, negative_slope=negative_slope)
    if negative_slope != 0.0:
        below = ops.relu(ops.subtract(threshold, x) if threshold != 0 else ops.negative(x))
    if threshold != 0:
        y = ops.where(ops.greater(x, ops.cast(threshold, x.dtype)), x, 0)
    else:
        y = ops.relu(x)
    if max_value is not None:
        y = ops.clip(y, ops.cast(0.0, y.dtype), ops.cast(max_value, y.dtype))
    if negative_slope != 0.0:
        y = ops.subtract(y, ops.multiply(negative_slope, below))
    return y


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Any:
    """``x`` for ``x >= 0``, ``negative_slope * x`` otherwise.

    Example::

        >>> leaky_relu(kcore.ops.convert_to_tensor([-1.0, 2.0]))   # [-0.2, 2]
    """
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x: Any) -> Any:
    """``min(max(x, 0), 6)``.

    Example::

        >>> relu6(kcore.ops.convert_to_tensor([-1.0, 7.0]))   # [0, 6]
    """
    return ops.relu6(x)


def softmax(x: Any, axis: int = -1) -> Any:
    """``exp(x) / sum(exp(x))`` along ``axis``.

    Example::

        >>> softmax(kcore.ops.convert_to_tensor([[1.0, 1.0]]))   # [[0.5, 0.5]]
    """
    output = ops.softmax(x, axis=axis)
    _keep_logits(output, x)
    return output


def elu(x: Any, alpha: float = 1.0) -> Any:
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Example::

        >>> elu(kcore.ops.convert_to_tensor([-1.0, 1.0]))
    """
    return ops.elu(x, alpha=alpha)


def selu(x: Any) -> Any:
    """The scaled exponential linear unit (``scale * elu(x, alpha)`` with
    ``alpha ≈ 1.6733``, ``scale ≈ 1.0507``).

    Example::

        >>> selu(kcore.ops.convert_to_tensor([-1.0, 1.0]))
    """
    return ops.selu(x)


def softplus(x: Any) -> Any:
    """``log(exp(x) + 1)``.

    Example::

        >>> softplus(kcore.ops.convert_to_tensor([0.0]))   # [log 2]
    """
    return ops.softplus(x)


def softsign(x: Any) -> Any:
    """``x / (abs(x) + 1)``.

    Example::

        >>> softsign(kcore.ops.convert_to_tensor([1.0]))   # [0.5]
    """
    return ops.softsign(x)


def soft_shrink(x: Any, threshold: float = 0.5) -> Any:
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``,
    0 between.

    Example::

        >>> soft_shrink(kcore.ops.convert_to_tensor([-1.0, 0.2, 1.0]))   # [-0.5, 0, 0.5]
    """
    return ops.soft_shrink(x, threshold=threshold)


def sparse_plus(x: Any) -> Any:
    """0 for ``x <= -1``, ``(x + 1)**2 / 4`` for ``-1 < x < 1``, ``x`` for ``x >= 1``.

    Example::

        >>> sparse_plus(kcore.ops.convert_to_tensor([0.0]))   # [0.25]
    """
    return ops.sparse_plus(x)


def silu(x: Any) -> Any:
    """``x * sigmoid(x)`` (also called ``swish``).

    Example::

        >>> silu(kcore.ops.convert_to_tensor([0.0, 1.0]))
    """
    return ops.silu(x)


swish = silu


def squareplus(x: Any, b: float = 4) -> Any:
    """``(x + sqrt(x**2 + b)) / 2``.

    Example::

        >>> squareplus(kcore.ops.convert_to_tensor([0.0]))   # [1]
    """
    return ops.squareplus(x, b=b)


def gelu(x: Any, approximate: bool = False) -> Any:
    """The Gaussian error linear unit ``x * P(X <= x)``, ``X ~ N(0, 1)`` (its tanh
    approximation with ``approximate=True``).

    Example::

        >>> gelu(kcore.ops.convert_to_tensor([1.0]))
    """
    return ops.gelu(x, approximate=approximate)


def celu(x: Any, alpha: float = 1.0) -> Any:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Example::

        >>> celu(kcore.ops.convert_to_tensor([-1.0, 1.0]))
    """
    return ops.celu(x, alpha=alpha)


def glu(x: Any, axis: int = -1) -> Any:
    """The gated linear unit: ``a * sigmoid(b)``, ``a`` and ``b`` the two halves of
    ``x`` along ``axis``.

    Example::

        >>> glu(kcore.ops.convert_to_tensor([[1.0, 0.0]]))   # [[0.5]]
    """
    return ops.glu(x, axis=axis)


def tanh(x: Any) -> Any:
    """The hyperbolic tangent.

    Example::

        >>> tanh(kcore.ops.convert_to_tensor([0.0]))   # [0]
    """
    return ops.tanh(x)


def tanh_shrink(x: Any) -> Any:
    """``x - tanh(x)``.

    Example::

        >>> tanh_shrink(kcore.ops.convert_to_tensor([0.0]))   # [0]
    """
    return ops.tanh_shrink(x)


def hard_tanh(x: Any) -> Any:
    """``x`` clipped to ``[-1, 1]``.

    Example::

        >>> hard_tanh(kcore.ops.convert_to_tensor([-2.0, 0.5]))   # [-1, 0.5]
    """
    return ops.hard_tanh(x)


def hard_shrink(x: Any, threshold: float = 0.5) -> Any:
    """``x`` where ``abs(x) > threshold``, 0 elsewhere.

    Example::

        >>> hard_shrink(kcore.ops.convert_to_tensor([-1.0, 0.2]))   # [-1, 0]
    """
    return ops.hard_shrink(x, threshold=threshold)


def threshold(x: Any, threshold: float, default_value: float) -> Any:
    """``x`` where ``x > threshold``, ``default_value`` elsewhere.

    Example::

        >>> threshold(kcore.ops.convert_to_tensor([0.0, 2.0]), 1.0, -1.0)   # [-1, 2]
    """
    return ops.threshold(x, threshold, default_value)


def sigmoid(x: Any) -> Any:
    """``1 / (1 + exp(-x))``.

    Example::

        >>> sigmoid(kcore.ops.convert_to_tensor([0.0]))   # [0.5]
    """
    output = ops.sigmoid(x)
    _keep_logits(output, x)
    return output


def exponential(x: Any) -> Any:
    """``exp(x)``.

    Example::

        >>> exponential(kcore.ops.convert_to_tensor([0.0]))   # [1]
    """
    return ops.exp(x)


def hard_sigmoid(x: Any) -> Any:
    """The piecewise-linear sigmoid ``clip(x / 6 + 0.5, 0, 1)``.

    Example::

        >>> hard_sigmoid(kcore.ops.convert_to_tensor([0.0]))   # [0.5]
    """
    return ops.hard_sigmoid(x)


def log_sigmoid(x: Any) -> Any:
    """``log(sigmoid(x))``, computed stably.

    Example::

        >>> log_sigmoid(kcore.ops.convert_to_tensor([0.0]))   # [-log 2]
    """
    return ops.log_sigmoid(x)


def sparse_sigmoid(x: Any) -> Any:
    """0 for ``x <= -1``, ``(x + 1) / 2`` between, 1 for ``x >= 1``.

    Example::

        >>> sparse_sigmoid(kcore.ops.convert_to_tensor([0.0]))   # [0.5]
    """
    return ops.sparse_sigmoid(x)


def hard_silu(x: Any) -> Any:
    """``x * hard_sigmoid(x)`` (also called ``hard_swish``).

    Example::

        >>> hard_silu(kcore.ops.convert_to_tensor([3.0]))   # [3]
    """
    return ops.hard_silu(ops.convert_to_tensor(x))


hard_swish = hard_silu


def linear(x: Any) -> Any:
    """The identity: returns ``x`` unchanged.

    Example::

        >>> linear(3.0)
        3.0
    """
    return x


def mish(x: Any) -> Any:
    """``x * tanh(softplus(x))``.

    Example::

        >>> mish(kcore.ops.convert_to_tensor([1.0]))
    """
    x = ops.convert_to_tensor(x)
    return ops.multiply(x, ops.tanh(ops.softplus(x)))


def log_softmax(x: Any, axis: int = -1) -> Any:
    """``log(softmax(x))`` along ``axis``, computed stably.

    Example::

        >>> log_softmax(kcore.ops.convert_to_tensor([[0.0, 0.0]]))   # [[-log 2, -log 2]]
    """
    return ops.log_softmax(x, axis=axis)


def sparsemax(x: Any, axis: int = -1) -> Any:
    """The Euclidean projection of ``x`` onto the probability simplex along ``axis``
    (a softmax with exact zeros).

    Example::

        >>> sparsemax(kcore.ops.convert_to_tensor([[2.0, 0.0]]))   # [[1, 0]]
    """
    return ops.sparsemax(ops.convert_to_tensor(x), axis)


def _keep_logits(output: Any, logits: Any) -> None:
    # Losses read it back to compute cross-entropies from the logits (as Keras does).
    try:
        output._keras_logits = logits
    except (AttributeError, TypeError):
        pass
