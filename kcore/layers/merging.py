"""Merging layers: one output from a list of inputs.

``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``,
``Concatenate`` and ``Dot`` share :class:`Merge`, which checks the list and its shapes
(the non-batch axes broadcast, right-aligned, as in NumPy; an input of lower rank gets
axes of size 1 inserted after the batch axis) and combines the inputs' masks. Each has
its functional form (``add(inputs, **kwargs)``...) that builds the layer and calls it.

Example::

    >>> a, b = kcore.Input(shape=(16,)), kcore.Input(shape=(16,))
    >>> kcore.layers.Add()([a, b]).shape
    (None, 16)
    >>> kcore.layers.concatenate([a, b]).shape
    (None, 32)
"""

from __future__ import annotations

import math
from typing import Any

from kcore import ops
from kcore.dtypes import is_float_dtype, result_type
from kcore.keras_tensor import KerasTensor
from kcore.layers.layer import Layer

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Dot",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]


class _ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type: a ``TypeError`` as in Keras, and a ``ValueError``
    like every other bad constructor argument of kcore."""


def _is_shape_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(
        s is None or isinstance(s, list | tuple) for s in value
    )


class Merge(Layer):
    """The base of the merging layers: a list of inputs in, one tensor out.

    Subclasses define ``_merge_function(inputs, masks)``; ``inputs`` then all have the
    same rank. The output mask is the logical OR of the inputs' masks (``None`` when an
    input has none).

    Example::

        >>> class SumOfSquares(Merge):
        ...     def _merge_function(self, inputs, masks):
        ...         squares = [kcore.ops.square(x) for x in inputs]
        ...         return kcore.ops.sum(kcore.ops.stack(squares), axis=0)
        >>> y = SumOfSquares()([numpy.ones((1, 2)), numpy.full((1, 2), 2.0)])
        >>> kcore.ops.convert_to_numpy(y).tolist()
        [[5.0, 5.0]]
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    # ------------------------------------------------------------------ checks
    def _describe(self) -> str:
        return f"Layer '{self.name}' ({type(self).__name__})"

    def _check_list(self, input_shape: Any, what: str = "input_shape") -> None:
        if not _is_shape_list(input_shape) or not input_shape:
            raise ValueError(
                f"{self._describe()}: a merge layer should be called on a list of at least "
                f"1 input. Received: {what}={input_shape}"
            )

    def _broadcast(self, shape1: Any, shape2: Any, input_shape: Any) -> Any:
        """The broadcast of two non-batch shapes (``None``: unknown rank)."""
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            shape1, shape2 = shape2, shape1
        if not shape2:
            return tuple(shape1)
        out = list(shape1[: len(shape1) - len(shape2)])
        for i, j in zip(shape1[len(shape1) - len(shape2) :], shape2):
            if i is None or j is None:
                out.append(None)
            elif i == 1:
                out.append(j)
            elif j == 1 or i == j:
                out.append(i)
            else:
                raise ValueError(
                    f"{self._describe()}: inputs have incompatible shapes. Received shapes "
                    f"{tuple(shape1)} and {tuple(shape2)} (non-batch axes of the input "
                    f"shapes {list(input_shape)})"
                )
        return tuple(out)

    def _elementwise_shape(self, input_shape: Any) -> tuple[Any, ...] | None:
        out = None if input_shape[0] is None else tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            out = self._broadcast(out, None if shape is None else tuple(shape[1:]), input_shape)
        return out

    def _check_batch(self, input_shape: Any) -> set[Any]:
        sizes = {s[0] for s in input_shape if s} - {None}
        if len(sizes) > 1:
            raise ValueError(
                f"{self._describe()}: cannot merge tensors with different batch sizes. "
                f"Received tensors with shapes {list(input_shape)}"
            )
        return sizes

    # ------------------------------------------------------------------- layer
    def build(self, input_shape: Any) -> None:
        self._check_list(input_shape)
        self._check_batch(input_shape)
        self._elementwise_shape(input_shape)
        ranks = {len(s) for s in input_shape if s is not None}
        self._reshape_required = None in input_shape or len(ranks) != 1

    def call(self, inputs: Any, mask: Any = None) -> Any:
        if not isinstance(inputs, list | tuple):
            raise ValueError(
                f"{self._describe()}: a merge layer should be called on a list of inputs. "
                f"Received: inputs={inputs!r} (not a list of tensors)"
            )
        inputs = list(inputs)
        masks = list(mask) if isinstance(mask, list | tuple) else [None] * len(inputs)
        if self._reshape_required:
            rank = max(len(x.shape) for x in inputs)
            for i, x in enumerate(inputs):
                for _ in range(rank - len(x.shape)):
                    x = ops.expand_dims(x, 1)
                inputs[i] = x
        return self._merge_function(inputs, masks)

    def _merge_function(self, inputs: list[Any], masks: list[Any]) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} subclasses Merge without defining "
            "_merge_function(inputs, masks)"
        )

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        self._check_list(input_shape)
        out = self._elementwise_shape(input_shape)
        sizes = self._check_batch(input_shape)
        batch = next(iter(sizes)) if len(sizes) == 1 else None
        return (batch, *(out or ()))

    def _output_dtype(self, dtypes: list[str]) -> str:
        if self.autocast:
            dtypes = [self.compute_dtype if is_float_dtype(d) else d for d in dtypes]
        return result_type(*dtypes)

    def compute_output_spec(self, inputs: Any, **kwargs: Any) -> KerasTensor:
        shapes = [tuple(x.shape) for x in inputs]
        return KerasTensor(
            self.compute_output_shape(shapes), self._output_dtype([x.dtype for x in inputs])
        )

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return None
        self._check_masks(inputs, mask)
        if any(m is None for m in mask):
            return None
        out = mask[0]
        for m in mask[1:]:
            out = ops.logical_or(out, m)
        return out

    def _check_masks(self, inputs: Any, mask: Any) -> None:
        if not isinstance(mask, list | tuple):
            raise ValueError(f"{self._describe()}: `mask` should be a list. Received: mask={mask}")
        if not isinstance(inputs, list | tuple):
            raise ValueError(
                f"{self._describe()}: `inputs` should be a list. Received: inputs={inputs}"
            )
        if len(mask) != len(inputs):
            raise ValueError(
                f"{self._describe()}: the lists `inputs` and `mask` should have the same "
                f"length. Received {len(inputs)} inputs and {len(mask)} masks"
            )


def _expanded_mask(mask: Any, x: Any) -> Any:
    """A ``(batch, steps)`` mask broadcast over the feature axis of ``x``."""
    return ops.broadcast_to(ops.expand_dims(mask, -1), ops.shape(x))


def _masked_reduce(op: Any, inputs: list[Any], masks: list[Any]) -> Any:
    """``op`` folded over ``inputs`` where masked-out entries of one input take the
    other operand's value, so they never decide the result."""
    output = output_mask = None
    for x, mask in zip(inputs, masks):
        if mask is not None:
            mask = _expanded_mask(mask, x)
        if output is None:
            output, output_mask = x, mask
            continue
        if mask is not None:
            x = ops.where(mask, x, output)
        if output_mask is not None:
            output = ops.where(output_mask, output, x)
        output_mask = (
            ops.logical_or(output_mask, mask)
            if mask is not None and output_mask is not None
            else None
        )
        output = op(output, x)
    return output


class Add(Merge):
    """Adds a list of inputs (same shape, or broadcastable non-batch axes).

    Example::

        >>> x1, x2 = numpy.ones((2, 3)), numpy.full((2, 3), 2.0)
        >>> kcore.ops.convert_to_numpy(kcore.layers.Add()([x1, x2])).tolist()
        [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]]
    """

    def _merge_function(self, inputs: list[Any], masks: list[Any]) -> Any:
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return output


class Subtract(Merge):
    """Subtracts the second of exactly two inputs from the first.

    Example::

        >>> x1, x2 = numpy.full((2, 3), 5.0), numpy.ones((2, 3))
        >>> kcore.ops.convert_to_numpy(kcore.layers.Subtract()([x1, x2])).tolist()
        [[4.0, 4.0, 4.0], [4.0, 4.0, 4.0]]
    """

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                f"{self._describe()}: a `Subtract` layer should be called on exactly 2 "
                f"inputs. Received {len(input_shape)} inputs: input_shape={list(input_shape)}"
            )

    def _merge_function(self, inputs: list[Any], masks: list[Any]) -> Any:
        if len(inputs) != 2:
            raise ValueError(
                f"{self._describe()}: a `Subtract` layer should be called on exactly 2 "
                f"inputs. Received {len(inputs)} inputs of shapes "
                f"{[tuple(x.shape) for x in inputs]}"
            )
        return ops.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    """Multiplies a list of inputs elementwise.

    With masks on every input, masked-out entries count as 1 in the product and the
    output is 0 where every input is masked out.

    Example::

        >>> x1, x2 = numpy.full((1, 3), 2.0), numpy.full((1, 3), 3.0)
        >>> kcore.ops.convert_to_numpy(kcore.layers.Multiply()([x1, x2])).tolist()
        [[6.0, 6.0, 6.0]]
    """

    def _merge_function(self, inputs: list[Any], masks: list[Any]) -> Any:
        all_masked = all(m is not None for m in masks)
        output = output_mask = None
        for x, mask in zip(inputs, masks):
            if mask is not None:
                mask = _expanded_mask(mask, x)
                x = ops.where(mask, x, ops.ones_like(x))
                if all_masked:
                    output_mask = mask if output_mask is None else ops.logical_or(output_mask, mask)
            output = x if output is None else ops.multiply(output, x)
        if all_masked:
            output = ops.where(output_mask, output, ops.zeros_like(output))
        return output


class Average(Merge):
    """The elementwise mean of a list of inputs.

    Example::

        >>> x1, x2 = numpy.ones((1, 2)), numpy.full((1, 2), 3.0)
        >>> kcore.ops.convert_to_numpy(kcore.layers.Average()([x1, x2])).tolist()
        [[2.0, 2.0]]
    """

    def _merge_function(self, inputs: list[Any], masks: list[Any]) -> Any:
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return ops.divide(output, len(inputs))

    def _output_dtype(self, dtypes: list[str]) -> str:
        return result_type(super()._output_dtype(dtypes), float)


class Maximum(Merge):
    """The elementwise maximum of a list of inputs.

    With masks, masked-out entries of an input never win over the other inputs.

    Example::

        >>> x1, x2 = numpy.array([[1.0, 5.0]]), numpy.array([[3.0, 2.0]])
        >>> kcore.ops.convert_to_numpy(kcore.layers.Maximum()([x1, x2])).tolist()
        [[3.0, 5.0]]
    """

    def _merge_function(self, inputs: list[Any], masks: list[Any]) -> Any:
        return _masked_reduce(ops.maximum, inputs, masks)


class Minimum(Merge):
    """The elementwise minimum of a list of inputs.

    With masks, masked-out entries of an input never win over the other inputs.

    Example::

        >>> x1, x2 = numpy.array([[1.0, 5.0]]), numpy.array([[3.0, 2.0]])
        >>> kcore.ops.convert_to_numpy(kcore.layers.Minimum()([x1, x2])).tolist()
        [[1.0, 2.0]]
    """

    def _merge_function(self, inputs: list[Any], masks: list[Any]) -> Any:
        return _masked_reduce(ops.minimum, inputs, masks)


class Concatenate(Merge):
    """Concatenates a list of inputs along ``axis``; the other axes must match.

    Args:
        axis: the concatenation axis (default: the last).

    Example::

        >>> x1, x2 = numpy.zeros((2, 2, 3)), numpy.ones((2, 2, 4))
        >>> kcore.layers.Concatenate(axis=-1)([x1, x2]).shape[-1]
        7
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise _ArgumentTypeError(f"Concatenate: `axis` must be an int. Received: axis={axis!r}")
        self.axis = axis

    def _check_concat(self, input_shape: Any) -> None:
        if not _is_shape_list(input_shape) or not input_shape:
            raise ValueError(
                f"{self._describe()}: a `Concatenate` layer should be called on a list of "
                f"at least 1 input. Received: input_shape={input_shape}"
            )
        shapes = [tuple(s) for s in input_shape if s is not None]
        if not shapes:
            return
        error = ValueError(
            f"{self._describe()}: a `Concatenate` layer requires inputs with matching "
            "shapes except for the concatenation axis. Received: "
            f"input_shape={list(input_shape)}"
        )
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes):
            raise error
        if not -rank <= self.axis < rank:
            raise ValueError(
                f"{self._describe()}: `axis`={self.axis} is out of range for inputs of rank "
                f"{rank}. Received: input_shape={list(input_shape)}"
            )
        axis = self.axis % rank
        for i in range(rank):
            if i == axis:
                continue
            if len({s[i] for s in shapes} - {None}) > 1:
                raise error

    def build(self, input_shape: Any) -> None:
        self._check_concat(input_shape)

    def call(self, inputs: Any, mask: Any = None) -> Any:
        if not isinstance(inputs, list | tuple):
            raise ValueError(
                f"{self._describe()}: a `Concatenate` layer should be called on a list of "
                f"inputs. Received: inputs={inputs!r} (not a list of tensors)"
            )
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        self._check_concat(input_shape)
        output = list(input_shape[0])
        for shape in input_shape[1:]:
            if output[self.axis] is None or shape[self.axis] is None:
                output[self.axis] = None
                break
            output[self.axis] += shape[self.axis]
        return tuple(output)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return None
        self._check_masks(inputs, mask)
        if all(m is None for m in mask):
            return None
        full = []
        for x, m in zip(inputs, mask):
            if m is None:
                full.append(ops.ones_like(x, dtype="bool"))
            elif len(m.shape) < len(x.shape):
                full.append(ops.logical_or(ops.expand_dims(m, -1), ops.zeros_like(x, dtype="bool")))
            else:
                full.append(m)
        return ops.any(ops.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


def _reshape(x: Any, dims: tuple[Any, ...]) -> Any:
    """``x`` reshaped to ``dims``, where one unknown entry (``None``: an unknown batch
    size while tracing, say) is inferred."""
    if dims.count(None) > 1:
        raise ValueError(
            f"Dot: cannot reshape an input of shape {tuple(x.shape)} to {dims}: more than "
            "one dimension is unknown"
        )
    return ops.reshape(x, tuple(-1 if d is None else d for d in dims))


def _size(dims: tuple[Any, ...]) -> Any:
    return None if None in dims else math.prod(dims)


def _batch_dot(x: Any, y: Any, axes: tuple[int, int]) -> Any:
    """The dot product of each pair of samples of ``x`` and ``y`` over ``axes``
    (non-negative, never 0): the result keeps x's other axes, then y's."""
    x_rank, y_rank = len(x.shape), len(y.shape)
    x_axis, y_axis = axes
    # x: (batch, ..., reduced), y: (batch, reduced, ...): one batched matmul.
    x = ops.moveaxis(x, x_axis, -1)
    y = ops.moveaxis(y, y_axis, 1)
    x_shape, y_shape = ops.shape(x), ops.shape(y)
    x_mid, y_rest = tuple(x_shape[1:-1]), tuple(y_shape[2:])
    if x_rank != 3:
        x = _reshape(x, (x_shape[0], _size(x_mid), x_shape[-1]))
    if y_rank != 3:
        y = _reshape(y, (y_shape[0], y_shape[1], _size(y_rest)))
    out = ops.matmul(x, y)
    if x_rank == 3 and y_rank == 3:
        return out
    out_shape = (x_shape[0], *x_mid, *y_rest)
    if len(out_shape) == 1:
        out_shape = (x_shape[0], 1)
    return _reshape(out, out_shape)


class Dot(Merge):
    """The dot product of the samples of two inputs along ``axes``.

    For inputs ``(batch, n)`` and ``(batch, n)`` and ``axes=1`` the output is
    ``(batch, 1)``; in general it keeps the first input's other axes, then the
    second's (the batch axis once).

    Args:
        axes: an int or a tuple of 2 ints: the axis of each input to reduce (the batch
            axis, 0, cannot be one).
        normalize: L2-normalize both inputs along ``axes`` first, so the result is the
            cosine similarity.

    Example::

        >>> x1 = numpy.arange(10.0).reshape((1, 5, 2))
        >>> x2 = numpy.arange(10.0, 20.0).reshape((1, 2, 5))
        >>> tuple(kcore.layers.Dot(axes=(1, 2))([x1, x2]).shape)
        (1, 2, 2)
    """

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(axes, int) or isinstance(axes, bool):
            if not isinstance(axes, list | tuple):
                raise _ArgumentTypeError(
                    "Dot: invalid type for argument `axes`: it should be a list or an int. "
                    f"Received: axes={axes!r}"
                )
            if len(axes) != 2:
                raise ValueError(
                    "Dot: invalid format for argument `axes`: it should contain two "
                    f"elements. Received: axes={axes!r}"
                )
            if not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
                raise ValueError(
                    "Dot: invalid format for argument `axes`: list elements should be "
                    f"integers. Received: axes={axes!r}"
                )
        self.axes = axes
        self.normalize = normalize

    def _resolved_axes(self, rank1: int, rank2: int) -> tuple[int, int]:
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else tuple(self.axes)
        return (axes[0] % rank1, axes[1] % rank2)

    def _check_pair(self, input_shape: Any, what: str = "input_shape") -> None:
        if not _is_shape_list(input_shape) or len(input_shape) != 2:
            raise ValueError(
                f"{self._describe()}: a `Dot` layer should be called on a list of 2 inputs. "
                f"Received: {what}={input_shape}"
            )

    def build(self, input_shape: Any) -> None:
        self._check_pair(input_shape)
        shape1, shape2 = input_shape
        if shape1 is None or shape2 is None:
            return
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(
                f"{self._describe()}: a `Dot` layer needs inputs of rank >= 2 (a batch "
                f"axis and a reduced axis). Received shapes {tuple(shape1)} and "
                f"{tuple(shape2)}"
            )
        a1, a2 = self._resolved_axes(len(shape1), len(shape2))
        if a1 == 0 or a2 == 0:
            raise ValueError(
                f"{self._describe()}: cannot take the dot product over the batch axis 0. "
                f"Received: axes={self.axes}, input shapes {tuple(shape1)} and {tuple(shape2)}"
            )
        if shape1[a1] is not None and shape2[a2] is not None and shape1[a1] != shape2[a2]:
            raise ValueError(
                f"{self._describe()}: incompatible input shapes: axis values {shape1[a1]} "
                f"(at axis {a1}) != {shape2[a2]} (at axis {a2}). Full input shapes: "
                f"{tuple(shape1)}, {tuple(shape2)}"
            )
        self._check_batch(input_shape)

    def call(self, inputs: Any, mask: Any = None) -> Any:
        if not isinstance(inputs, list | tuple) or len(inputs) != 2:
            raise ValueError(
                f"{self._describe()}: a `Dot` layer should be called on exactly 2 inputs. "
                f"Received: inputs={inputs!r}"
            )
        x1, x2 = inputs
        a1, a2 = self._resolved_axes(len(x1.shape), len(x2.shape))
        if self.normalize:
            x1 = ops.nn.normalize(x1, axis=a1)
            x2 = ops.nn.normalize(x2, axis=a2)
        return _batch_dot(x1, x2, (a1, a2))

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        self._check_pair(input_shape)
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        a1, a2 = self._resolved_axes(len(shape1), len(shape2))
        shape1.pop(a1)
        shape2.pop(a2)
        shape2.pop(0)
        output = shape1 + shape2
        if len(output) == 1:
            output.append(1)
        return tuple(output)

    def _output_dtype(self, dtypes: list[str]) -> str:
        dtype = super()._output_dtype(dtypes)
        return result_type(dtype, float) if self.normalize else dtype

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


# ----------------------------------------------------------------- functional forms
def add(inputs: Any, **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``: the sum of a list of inputs.

    Example::

        >>> a, b = kcore.Input(shape=(16,)), kcore.Input(shape=(16,))
        >>> kcore.layers.add([a, b]).shape
        (None, 16)
    """
    return Add(**kwargs)(inputs)


def subtract(inputs: Any, **kwargs: Any) -> Any:
    """``Subtract(**kwargs)(inputs)``: ``inputs[0] - inputs[1]``.

    Example::

        >>> a, b = kcore.Input(shape=(16,)), kcore.Input(shape=(16,))
        >>> kcore.layers.subtract([a, b]).shape
        (None, 16)
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Any, **kwargs: Any) -> Any:
    """``Multiply(**kwargs)(inputs)``: the elementwise product of a list of inputs.

    Example::

        >>> a, b = kcore.Input(shape=(16,)), kcore.Input(shape=(16,))
        >>> kcore.layers.multiply([a, b]).shape
        (None, 16)
    """
    return Multiply(**kwargs)(inputs)


def average(inputs: Any, **kwargs: Any) -> Any:
    """``Average(**kwargs)(inputs)``: the elementwise mean of a list of inputs.

    Example::

        >>> a, b = kcore.Input(shape=(16,)), kcore.Input(shape=(16,))
        >>> kcore.layers.average([a, b]).shape
        (None, 16)
    """
    return Average(**kwargs)(inputs)


def maximum(inputs: Any, **kwargs: Any) -> Any:
    """``Maximum(**kwargs)(inputs)``: the elementwise maximum of a list of inputs.

    Example::

        >>> a, b = kcore.Input(shape=(16,)), kcore.Input(shape=(16,))
        >>> kcore.layers.maximum([a, b]).shape
        (None, 16)
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Any, **kwargs: Any) -> Any:
    """``Minimum(**kwargs)(inputs)``: the elementwise minimum of a list of inputs.

    Example::

        >>> a, b = kcore.Input(shape=(16,)), kcore.Input(shape=(16,))
        >>> kcore.layers.minimum([a, b]).shape
        (None, 16)
    """
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: Any, axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis=axis, **kwargs)(inputs)``.

    Example::

        >>> a, b = kcore.Input(shape=(4, 2)), kcore.Input(shape=(4, 3))
        >>> kcore.layers.concatenate([a, b]).shape
        (None, 4, 5)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: Any, axes: Any = -1, **kwargs: Any) -> Any:
    """``Dot(axes=axes, **kwargs)(inputs)``: the per-sample dot product of two inputs.

    Example::

        >>> a, b = kcore.Input(shape=(16,)), kcore.Input(shape=(16,))
        >>> kcore.layers.dot([a, b], axes=1).shape
        (None, 1)
    """
    return Dot(axes=axes, **kwargs)(inputs)
