"""The core layers: ``Dense``, ``EinsumDense``, ``Embedding``, ``ReversibleEmbedding``,
``Identity``, ``Lambda``, ``Masking`` and the ``Wrapper`` base class.

Names, arguments, defaults and configs are Keras 3's. ``Dense.call`` is the hot path
of most models: it runs ``matmul``, ``add`` and the activation and nothing else.

Example::

    >>> layer = kcore.layers.Dense(4, activation="relu")
    >>> tuple(layer(kcore.ops.ones((2, 3))).shape)
    (2, 4)
"""

from __future__ import annotations

import base64
import builtins
import inspect
import marshal
import re
import sys
import types
import warnings
from typing import Any

from kcore import activations, constraints, initializers, ops, regularizers
from kcore.keras_tensor import KerasTensor
from kcore.layers.input_spec import InputSpec
from kcore.layers.layer import Layer

__all__ = [
    "Dense",
    "EinsumDense",
    "Embedding",
    "Identity",
    "Lambda",
    "Masking",
    "ReversibleEmbedding",
    "Wrapper",
]

_linear = activations.linear


# ------------------------------------------------------------------ argument checks
def _checked_get(getter: Any, value: Any, owner: str, argument: str) -> Any:
    """``getter(value)`` with its ``ValueError``/``TypeError`` re-raised as a
    ``ValueError`` naming the layer, the argument and the value received."""
    try:
        return getter(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{owner}: invalid `{argument}` argument, received {argument}={value!r} ({error})"
        ) from None


def _get_activation(value: Any, owner: str, argument: str = "activation") -> Any:
    return _checked_get(activations.get, value, owner, argument)


def _get_initializer(value: Any, owner: str, argument: str) -> Any:
    return _checked_get(initializers.get, value, owner, argument)


def _get_regularizer(value: Any, owner: str, argument: str) -> Any:
    return _checked_get(regularizers.get, value, owner, argument)


def _get_constraint(value: Any, owner: str, argument: str) -> Any:
    return _checked_get(constraints.get, value, owner, argument)


def _positive_int(value: Any, owner: str, argument: str, allow_none: bool = False) -> Any:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"{owner}: `{argument}` must be a positive integer, received "
            f"{argument}={value!r} (of type {type(value).__name__})"
        )
    return value


def _check_quantization_config(value: Any, owner: str) -> None:
    if value is not None:
        raise ValueError(
            f"{owner}: quantization is not supported yet; `quantization_config` must be "
            f"None, received quantization_config={value!r}"
        )


def _set_mask(x: Any, mask: Any) -> None:
    try:
        x._keras_mask = mask
    except (AttributeError, TypeError):  # jax arrays take no attributes
        pass


def _lora_merged(base: Any, lora_a: Any, lora_b: Any, alpha: Any, rank: int, dtype: str) -> Any:
    """``base + (alpha / rank) * (lora_a @ lora_b)`` in ``dtype``."""
    delta = ops.multiply(ops.matmul(lora_a, lora_b), alpha / rank)
    return ops.cast(ops.add(base, ops.cast(delta, base.dtype)), dtype)


class _LoraMixin:
    """``enable_lora`` for the layers with one big matrix (kernel or embeddings)."""

    #: (the attribute holding the base variable, the constraint attribute, the prefix
    #: of the LoRA weights' names)
    _lora_names = ("_kernel", "kernel_constraint", "lora_kernel")

    def _lora_shapes(self, rank: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        shape = tuple(getattr(self, self._lora_names[0]).shape)
        return (*shape[:-1], rank), (rank, shape[-1])

    def enable_lora(
        self,
        rank: int,
        lora_alpha: Any = None,
        a_initializer: Any = "he_uniform",
        b_initializer: Any = "zeros",
    ) -> None:
        """Freeze the layer's matrix ``W`` and train a low-rank update instead: the
        layer then uses ``W + (lora_alpha / rank) * A @ B`` with trainable ``A`` (made
        with ``a_initializer``) and ``B`` (``b_initializer``, zeros by default, so the
        output is unchanged at first). ``lora_alpha`` defaults to ``rank``.

        Example::

            >>> layer = kcore.layers.Dense(8)
            >>> layer.build((None, 16))
            >>> layer.enable_lora(2)
            >>> [w.name for w in layer.trainable_weights]
            ['bias', 'lora_kernel_a', 'lora_kernel_b']
        """
        owner = type(self).__name__
        base_name, constraint_name, prefix = self._lora_names
        if getattr(self, constraint_name, None) is not None:
            raise ValueError(
                f"{owner}: LoRA is incompatible with `{constraint_name}`; remove the "
                f"`{constraint_name}` argument to enable LoRA on layer '{self.name}'"
            )
        if not self.built:
            raise ValueError(
                f"{owner}: cannot enable LoRA on layer '{self.name}' before it is built; "
                "call it on data or call build(input_shape) first"
            )
        if self.lora_enabled:
            raise ValueError(
                f"{owner}: LoRA is already enabled on layer '{self.name}'; this can only "
                "be done once per layer"
            )
        rank = _positive_int(rank, owner, "rank")
        a_shape, b_shape = self._lora_shapes(rank)
        regularizer = getattr(self, constraint_name.replace("constraint", "regularizer"))
        # float32 whatever the policy: low-rank updates under- or overflow in float16.
        lora_a = self.add_weight(
            name=f"{prefix}_a",
            shape=a_shape,
            initializer=_get_initializer(a_initializer, owner, "a_initializer"),
            dtype="float32",
            regularizer=regularizer,
        )
        lora_b = self.add_weight(
            name=f"{prefix}_b",
            shape=b_shape,
            initializer=_get_initializer(b_initializer, owner, "b_initializer"),
            dtype="float32",
            regularizer=regularizer,
        )
        setattr(self, f"{prefix}_a", lora_a)
        setattr(self, f"{prefix}_b", lora_b)
        getattr(self, base_name).trainable = False
        self.lora_rank = rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else rank
        self.lora_enabled = True

    def _lora_weight(self) -> Any:
        """The base variable (``kernel``/``embeddings``), or with LoRA enabled the
        merged tensor; an AttributeError before ``build``."""
        base_name = self._lora_names[0]
        if self.lora_enabled:
            return self._merged(getattr(self, base_name))
        base = self.__dict__.get(base_name)
        if base is None:
            raise AttributeError(
                f"Layer '{self.name}' ({type(self).__name__}) is not built yet: it has "
                f"no {base_name[1:]}"
            )
        return base

    def _finish_build(self) -> None:
        """Mark the layer built, then enable LoRA when ``lora_rank`` was given."""
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank, lora_alpha=self.lora_alpha)

    def _lora_config(self) -> dict[str, Any]:
        """``lora_rank``/``lora_alpha`` for ``get_config`` (only when set, as in Keras)."""
        if self.lora_rank:
            return {"lora_rank": self.lora_rank, "lora_alpha": self.lora_alpha}
        return {}

    def _merged(self, base: Any) -> Any:
        prefix = self._lora_names[2]
        return _lora_merged(
            base,
            getattr(self, f"{prefix}_a"),
            getattr(self, f"{prefix}_b"),
            self.lora_alpha,
            self.lora_rank,
            self.compute_dtype,
        )


#: ``kernel`` of the layers with LoRA on a kernel (Dense, EinsumDense, the convolutions).
_lora_kernel = property(
    _LoraMixin._lora_weight,
    doc="The kernel variable (with LoRA enabled: the merged kernel tensor).",
)


# ------------------------------------------------------------------------ Dense
class Dense(_LoraMixin, Layer):
    """The densely connected layer: ``activation(inputs @ kernel + bias)``.

    The kernel has shape ``(input_dim, units)`` and contracts the last axis of the
    inputs, whatever their rank: ``(batch, d0, input_dim)`` gives ``(batch, d0, units)``.

    Args:
        units: the output size, a positive int.
        activation: an activation name or function (``None``: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer: regularizers of the weights.
        activity_regularizer: a regularizer of the outputs.
        kernel_constraint, bias_constraint: constraints applied after updates.
        lora_rank: when set, :meth:`enable_lora` with this rank once built.
        lora_alpha: LoRA's scale numerator (default: ``lora_rank``).
        quantization_config: must be ``None`` (quantization comes later).
        **kwargs: the base layer's arguments (``name``, ``dtype``, ``trainable``...).

    Example::

        >>> layer = kcore.layers.Dense(2, kernel_initializer="ones")
        >>> kcore.ops.convert_to_numpy(layer(kcore.ops.ones((1, 3))))
        array([[3., 3.]], dtype=float32)
    """

    def __init__(
        self,
        units,
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
        quantization_config=None,
        **kwargs,
    ):
        owner = type(self).__name__
        _positive_int(units, owner, "units")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = units
        self.activation = _get_activation(activation, owner)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _get_initializer(kernel_initializer, owner, "kernel_initializer")
        self.bias_initializer = _get_initializer(bias_initializer, owner, "bias_initializer")
        self.kernel_regularizer = _get_regularizer(kernel_regularizer, owner, "kernel_regularizer")
        self.bias_regularizer = _get_regularizer(bias_regularizer, owner, "bias_regularizer")
        self.kernel_constraint = _get_constraint(kernel_constraint, owner, "kernel_constraint")
        self.bias_constraint = _get_constraint(bias_constraint, owner, "bias_constraint")
        self.lora_rank = _positive_int(lora_rank, owner, "lora_rank", allow_none=True)
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.lora_enabled = False
        _check_quantization_config(quantization_config, owner)
        self.quantization_config = quantization_config
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Layer '{self.name}' (Dense) needs the last dimension of its inputs to "
                f"be defined, received input_shape={tuple(input_shape)}"
            )
        self._kernel = self.add_weight(
            name="kernel",
            shape=(input_dim, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self._finish_build()

    kernel = _lora_kernel

    def call(self, inputs, training=None):
        x = ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = ops.add(x, self.bias)
        if self.activation is not _linear:
            x = self.activation(x)
        return x

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape)[:-1], self.units)

    def get_config(self):
        config = {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }
        config.update(self._lora_config())
        return config


# ------------------------------------------------------------------- EinsumDense
_EINSUM_FORMS = (
    # (pattern, ellipsis side)
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)"), None),
    (re.compile(r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)"), "left"),
    (re.compile(r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\."), "right"),
)


def _parse_equation(equation: Any) -> tuple[str, str, str, str | None]:
    if isinstance(equation, str):
        for pattern, side in _EINSUM_FORMS:
            match = pattern.fullmatch(equation.replace(" ", ""))
            if match:
                return (*match.groups(), side)
    raise ValueError(
        f"EinsumDense: invalid `equation` argument, received equation={equation!r}; "
        "expected the form 'X,Y->Z', '...X,Y->...Z' or 'X...,Y->Z...' (X: the inputs' "
        "axes, Y: the kernel's, Z: the outputs', one letter each)"
    )


def _einsum_shapes(
    equation: str, bias_axes: Any, input_shape: tuple, partial_output_shape: tuple
) -> tuple[list, list | None, list, list[int], list[int], dict[int, int]]:
    """Kernel shape, bias shape, full output shape, the kernel's input and output axes,
    and ``{input axis: size}`` for the input axes the kernel contracts."""
    in_spec, w_spec, out_spec, side = _parse_equation(equation)
    input_shape = list(input_shape)
    elided = len(input_shape) - len(in_spec)
    if elided < 0 or (side is None and elided != 0):
        raise ValueError(
            f"EinsumDense: equation {equation!r} expects inputs of rank "
            f"{len(in_spec)}{'+' if side else ''}, received input_shape={tuple(input_shape)}"
        )
    partial = list(partial_output_shape)
    # The outputs' first axis is the inputs' first (the batch) and the elided axes are
    # the inputs' too; `output_shape` gives the others.
    if side == "left":
        if elided == 0:
            raise ValueError(
                f"EinsumDense: equation {equation!r} elides the inputs' leading axes, "
                f"which needs inputs of rank above {len(in_spec)}; received "
                f"input_shape={tuple(input_shape)}"
            )
        output_shape = input_shape[:elided] + partial
        named = len(partial)
        offset = elided
    else:
        output_shape = [input_shape[0], *partial]
        named = len(output_shape)
        if elided:
            output_shape += input_shape[len(input_shape) - elided :]
        offset = 0
    if named != len(out_spec):
        expected = len(out_spec) - (0 if side == "left" else 1)
        raise ValueError(
            f"EinsumDense: `output_shape` {tuple(partial_output_shape)} does not fit "
            f"equation {equation!r}: expected {expected} output dimensions (the batch "
            "and elided dimensions excluded)"
        )
    offset_in = offset_out = offset
    in_pos = {c: i + offset_in for i, c in enumerate(in_spec)}
    out_pos = {c: i + offset_out for i, c in enumerate(out_spec)}
    for c, i in in_pos.items():
        if c in out_pos:
            j = out_pos[c]
            if output_shape[j] is None:
                output_shape[j] = input_shape[i]
            elif input_shape[i] is not None and output_shape[j] != input_shape[i]:
                raise ValueError(
                    f"EinsumDense: input and output shapes differ at shared dimension "
                    f"'{c}' of equation {equation!r}: the input has {input_shape[i]}, "
                    f"output_shape asks for {output_shape[j]}"
                )
    for c in out_spec:
        if c not in in_spec and c not in w_spec:
            raise ValueError(
                f"EinsumDense: output dimension '{c}' of equation {equation!r} is in "
                "neither the input nor the kernel"
            )
    kernel_shape, input_axes, output_axes = [], [], []
    contracted: dict[int, int] = {}
    for k, c in enumerate(w_spec):
        if c in out_pos:
            kernel_shape.append(output_shape[out_pos[c]])
            output_axes.append(k)
        elif c in in_pos:
            size = input_shape[in_pos[c]]
            kernel_shape.append(size)
            input_axes.append(k)
            if size is not None:
                axis = in_pos[c] - len(input_shape) if side == "left" else in_pos[c]
                contracted[axis] = size
        else:
            raise ValueError(
                f"EinsumDense: kernel dimension '{c}' of equation {equation!r} is in "
                "neither the input nor the output"
            )
    if bias_axes is None:
        bias_shape = None
    else:
        first = min(out_spec.index(c) for c in bias_axes)
        bias_shape = [output_shape[out_pos[c]] if c in bias_axes else 1 for c in out_spec[first:]]
        if side == "right":
            bias_shape += [1] * elided
    return kernel_shape, bias_shape, output_shape, input_axes, output_axes, contracted


class EinsumDense(_LoraMixin, Layer):
    """A dense layer written as an einsum: ``activation(einsum(equation, inputs,
    kernel) + bias)``, the kernel's shape read from the equation.

    Args:
        equation: ``"X,Y->Z"`` (inputs, kernel, outputs), or with an ellipsis on the
            inputs' and outputs' left (``"...X,Y->...Z"``) or right side.
        output_shape: the outputs' shape without the batch dimension (and without
            the elided ones); an int for one dimension; ``None`` entries are taken
            from the inputs.
        activation: an activation name or function (``None``: linear).
        bias_axes: the output letters the bias spans (``None``: no bias).
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer: regularizers of the weights.
        kernel_constraint, bias_constraint: constraints applied after updates.
        lora_rank, lora_alpha: LoRA, as for :class:`Dense`.
        gptq_unpacked_column_size: kept in the config (GPTQ comes with quantization).
        quantization_config: must be ``None`` (quantization comes later).
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.EinsumDense("abc,cd->abd", output_shape=(None, 64),
        ...                                  bias_axes="d")
        >>> tuple(layer(kcore.ops.ones((2, 32, 128))).shape)
        (2, 32, 64)
    """

    def __init__(
        self,
        equation,
        output_shape,
        activation=None,
        bias_axes=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        lora_alpha=None,
        gptq_unpacked_column_size=None,
        quantization_config=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        owner = type(self).__name__
        _, _, out_spec, _ = _parse_equation(equation)
        self.equation = equation
        if isinstance(output_shape, int) and not isinstance(output_shape, bool):
            self.partial_output_shape = (output_shape,)
        else:
            try:
                self.partial_output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(
                    f"{owner}: `output_shape` must be an int or a sequence of ints and "
                    f"None, received output_shape={output_shape!r}"
                ) from None
        for dim in self.partial_output_shape:
            if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int) or dim <= 0):
                raise ValueError(
                    f"{owner}: `output_shape` entries must be positive ints or None, "
                    f"received output_shape={output_shape!r}"
                )
        if bias_axes is not None:
            if not isinstance(bias_axes, str) or any(c not in out_spec for c in bias_axes):
                raise ValueError(
                    f"{owner}: `bias_axes` must be letters of the output spec "
                    f"'{out_spec}', received bias_axes={bias_axes!r}"
                )
        self.bias_axes = bias_axes
        self.activation = _get_activation(activation, owner)
        self.kernel_initializer = _get_initializer(kernel_initializer, owner, "kernel_initializer")
        self.bias_initializer = _get_initializer(bias_initializer, owner, "bias_initializer")
        self.kernel_regularizer = _get_regularizer(kernel_regularizer, owner, "kernel_regularizer")
        self.bias_regularizer = _get_regularizer(bias_regularizer, owner, "bias_regularizer")
        self.kernel_constraint = _get_constraint(kernel_constraint, owner, "kernel_constraint")
        self.bias_constraint = _get_constraint(bias_constraint, owner, "bias_constraint")
        self.lora_rank = _positive_int(lora_rank, owner, "lora_rank", allow_none=True)
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.lora_enabled = False
        self.gptq_unpacked_column_size = gptq_unpacked_column_size
        _check_quantization_config(quantization_config, owner)
        self.quantization_config = quantization_config

    def build(self, input_shape):
        kernel_shape, bias_shape, _, input_axes, output_axes, contracted = _einsum_shapes(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape
        )
        initializer = self.kernel_initializer
        if isinstance(initializer, initializers.VarianceScaling) and (
            initializer.input_axes is None or initializer.output_axes is None
        ):
            # The fans of an einsum kernel come from the axes the equation names.
            config = {
                **initializer.get_config(),
                "seed": initializer.seed,
                "input_axes": input_axes,
                "output_axes": output_axes,
            }
            initializer = type(initializer).from_config(config)
        self._kernel = self.add_weight(
            name="kernel",
            shape=tuple(kernel_shape),
            initializer=initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if bias_shape is not None:
            self.bias = self.add_weight(
                name="bias",
                shape=tuple(bias_shape),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=len(input_shape), axes=contracted)
        self._finish_build()

    kernel = _lora_kernel

    def call(self, inputs, training=None):
        x = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = ops.add(x, self.bias)
        if self.activation is not _linear:
            x = self.activation(x)
        return x

    def compute_output_shape(self, input_shape):
        shapes = _einsum_shapes(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape
        )
        return tuple(shapes[2])

    def get_config(self):
        config = {
            **super().get_config(),
            "output_shape": list(self.partial_output_shape),
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }
        config.update(self._lora_config())
        if self.gptq_unpacked_column_size:
            config["gptq_unpacked_column_size"] = self.gptq_unpacked_column_size
        return config


# --------------------------------------------------------------------- Embedding
_INT_INDICES = frozenset({"int32", "int64"})


class Embedding(_LoraMixin, Layer):
    """Turns integer indices into dense vectors: row ``i`` of an ``(input_dim,
    output_dim)`` matrix for each index ``i``.

    Args:
        input_dim: the vocabulary size (indices are in ``[0, input_dim)``).
        output_dim: the vectors' size.
        embeddings_initializer, embeddings_regularizer, embeddings_constraint: for
            the embeddings matrix.
        mask_zero: whether index 0 is padding: the layer then outputs a mask
            (``inputs != 0``) for the layers after it.
        weights: an initial ``(input_dim, output_dim)`` matrix (the layer is then
            built at once).
        lora_rank, lora_alpha: LoRA, as for :class:`Dense`.
        quantization_config: must be ``None`` (quantization comes later).
        **kwargs: the base layer's arguments (``input_length`` is accepted and
            ignored, with a warning, as in Keras 3).

    Example::

        >>> layer = kcore.layers.Embedding(10, 4)
        >>> tuple(layer(kcore.ops.convert_to_tensor([[1, 2, 3]])).shape)
        (1, 3, 4)
    """

    _lora_names = ("_embeddings", "embeddings_constraint", "lora_embeddings")

    def __init__(
        self,
        input_dim,
        output_dim,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        weights=None,
        lora_rank=None,
        lora_alpha=None,
        quantization_config=None,
        **kwargs,
    ):
        owner = type(self).__name__
        _positive_int(input_dim, owner, "input_dim")
        _positive_int(output_dim, owner, "output_dim")
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.", stacklevel=2)
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = _get_initializer(
            embeddings_initializer, owner, "embeddings_initializer"
        )
        self.embeddings_regularizer = _get_regularizer(
            embeddings_regularizer, owner, "embeddings_regularizer"
        )
        self.embeddings_constraint = _get_constraint(
            embeddings_constraint, owner, "embeddings_constraint"
        )
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        # Indices stay integers: no cast to the compute dtype.
        self.autocast = False
        self.lora_rank = _positive_int(lora_rank, owner, "lora_rank", allow_none=True)
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.lora_enabled = False
        _check_quantization_config(quantization_config, owner)
        self.quantization_config = quantization_config
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape=None):
        if self.built:
            return
        self._embeddings = self.add_weight(
            name="embeddings",
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )
        self._finish_build()

    @property
    def embeddings(self):
        """The embeddings variable (with LoRA enabled: the merged matrix)."""
        return self._lora_weight()

    def call(self, inputs):
        if _index_dtype(inputs) not in _INT_INDICES:
            inputs = ops.cast(inputs, "int32")
        outputs = ops.take(self.embeddings, inputs, axis=0)
        if self.compute_dtype != self.variable_dtype:
            outputs = ops.cast(outputs, self.compute_dtype)
        return outputs

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape), self.output_dim)

    def compute_output_spec(self, inputs):
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self):
        config = {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        }
        config.update(self._lora_config())
        return config


def _index_dtype(x: Any) -> str:
    dtype = x.dtype
    name = _dtype_cache.get(dtype)
    if name is None:
        from kcore.dtypes import standardize_dtype

        name = standardize_dtype(dtype)
        try:
            _dtype_cache[dtype] = name
        except TypeError:
            pass
    return name


_dtype_cache: dict[Any, str] = {}


class ReversibleEmbedding(Embedding):
    """An :class:`Embedding` that can also map vectors back to vocabulary logits:
    ``layer(ids)`` embeds, ``layer(hidden, reverse=True)`` returns ``hidden @
    embeddings.T`` (or a separate ``reverse_embeddings`` matrix when
    ``tie_weights=False``), as language models do at their output.

    Args:
        input_dim, output_dim: as for :class:`Embedding`.
        tie_weights: whether the reverse projection uses the transposed embeddings
            (else its own ``(output_dim, input_dim)`` weight).
        embeddings_initializer, embeddings_regularizer, embeddings_constraint,
        mask_zero: as for :class:`Embedding`.
        reverse_dtype: the dtype the reverse projection computes in (``None``: the
            compute dtype).
        logit_soft_cap: when set, the logits become ``tanh(logits / cap) * cap``.
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.ReversibleEmbedding(10, 4)
        >>> hidden = layer(kcore.ops.convert_to_tensor([[1, 2]]))
        >>> tuple(layer(hidden, reverse=True).shape)
        (1, 2, 10)
    """

    def __init__(
        self,
        input_dim,
        output_dim,
        tie_weights=True,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        reverse_dtype=None,
        logit_soft_cap=None,
        **kwargs,
    ):
        super().__init__(
            input_dim,
            output_dim,
            embeddings_initializer=embeddings_initializer,
            embeddings_regularizer=embeddings_regularizer,
            embeddings_constraint=embeddings_constraint,
            mask_zero=mask_zero,
            **kwargs,
        )
        if logit_soft_cap is not None and (
            isinstance(logit_soft_cap, bool)
            or not isinstance(logit_soft_cap, int | float)
            or logit_soft_cap <= 0
        ):
            raise ValueError(
                "ReversibleEmbedding: `logit_soft_cap` must be a positive number or None, "
                f"received logit_soft_cap={logit_soft_cap!r}"
            )
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        if self.built:
            return
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                name="reverse_embeddings",
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer,
            )

    def call(self, inputs, reverse=False):
        if not reverse:
            outputs = super().call(inputs)
            if self.mask_zero:
                _set_mask(outputs, ops.not_equal(inputs, 0))
            return outputs
        if self.tie_weights:
            kernel = ops.transpose(self.embeddings)
        else:
            kernel = self.reverse_embeddings
        if self.reverse_dtype is not None:
            inputs = ops.cast(inputs, self.reverse_dtype)
            kernel = ops.cast(kernel, self.reverse_dtype)
        elif self.compute_dtype != self.variable_dtype:
            # autocast is off for the indices: cast both sides to the compute dtype.
            inputs = ops.cast(inputs, self.compute_dtype)
            kernel = ops.cast(kernel, self.compute_dtype)
        logits = ops.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = ops.multiply(ops.tanh(ops.divide(logits, cap)), cap)
        return logits

    def compute_mask(self, inputs, mask=None):
        # The mask is set in call (it depends on `reverse`).
        return None

    def compute_output_shape(self, input_shape, reverse=False):
        shape = list(input_shape)
        if reverse:
            shape[-1] = self.input_dim
        else:
            shape.append(self.output_dim)
        return tuple(shape)

    def compute_output_spec(self, inputs, reverse=False):
        shape = self.compute_output_shape(inputs.shape, reverse=reverse)
        dtype = self.reverse_dtype if reverse and self.reverse_dtype else self.compute_dtype
        return KerasTensor(shape, dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "tie_weights": self.tie_weights,
            "reverse_dtype": self.reverse_dtype,
            "logit_soft_cap": self.logit_soft_cap,
        }


# ---------------------------------------------------------------------- Identity
class Identity(Layer):
    """Returns its inputs unchanged (a placeholder, e.g. for an optional block).

    Example::

        >>> x = kcore.ops.ones((2, 3))
        >>> kcore.layers.Identity()(x) is x
        True
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, inputs):
        from kcore import tree

        return tree.map_structure(lambda x: KerasTensor(x.shape, x.dtype), inputs)


# ------------------------------------------------------------------------ Lambda
_LAMBDA_UNSAFE_MESSAGE = (
    "Lambda.from_config: the config holds a Python lambda as bytecode; loading it would "
    "run code from the file, which is refused in safe mode. If you trust its source, "
    "pass safe_mode=False to the loading function or call "
    "kcore.config.enable_unsafe_deserialization() first."
)


def _dump_function(fn: Any) -> dict[str, Any]:
    """Keras's ``__lambda__`` config of a Python lambda: its marshalled bytecode."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = None
    if fn.__closure__:
        closure = tuple(cell.cell_contents for cell in fn.__closure__)
    return {
        "class_name": "__lambda__",
        "config": {"code": code, "defaults": fn.__defaults__, "closure": closure},
    }


def _load_function(config: dict[str, Any]) -> Any:
    """A function from a ``__lambda__`` config (only ever called outside safe mode)."""
    import kcore

    try:
        raw = base64.decodebytes(config["code"].encode("ascii"))
        code = marshal.loads(raw)  # reached only outside safe mode
        if not isinstance(code, types.CodeType):
            raise TypeError("not a code object")
    except Exception as error:
        raise ValueError(
            "Lambda.from_config: could not load the lambda's bytecode; bytecode only "
            f"loads in the Python version that wrote it (this is Python "
            f"{sys.version_info.major}.{sys.version_info.minor}): {error}"
        ) from None
    defaults = config.get("defaults")
    closure = config.get("closure")
    cells = None
    if closure is not None:
        cells = tuple(types.CellType(value) for value in closure)
    namespace = {"__builtins__": builtins, "kcore": kcore, "keras": kcore, "ops": kcore.ops}
    return types.FunctionType(
        code, namespace, code.co_name, tuple(defaults) if defaults else None, cells
    )


def _is_python_lambda(fn: Any) -> bool:
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


def _is_lambda_config(value: Any) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__lambda__"


def _effective_safe_mode(safe_mode: Any) -> bool:
    if safe_mode is None:
        from kcore import config as kconfig
        from kcore.saving import serialization

        scoped = getattr(serialization, "in_safe_mode", None)
        safe_mode = scoped() if scoped is not None else None
        if safe_mode is None:
            safe_mode = kconfig._in_safe_mode()
    return safe_mode is not False


class Lambda(Layer):
    """Wraps a function of tensors as a layer (for quick, stateless computations).

    ``function(inputs, **arguments)`` is called on each call, with ``mask=`` and
    ``training=`` when it takes them. A named function serializes by name (register
    it with :func:`kcore.saving.register_keras_serializable` to load it back); a
    Python ``lambda`` serializes as bytecode, as in Keras, which loading refuses in
    safe mode (the default).

    Args:
        function: the function to wrap.
        output_shape: the output shape without the batch dimension (a tuple), or a
            function of the input shape; by default inferred by running ``function``
            on symbolic inputs.
        mask: a fixed output mask, or a function ``mask(inputs, previous_mask)``.
        arguments: extra keyword arguments for ``function``.
        **kwargs: the base layer's arguments.

    Example::

        >>> layer = kcore.layers.Lambda(lambda x: x * 2)
        >>> kcore.ops.convert_to_numpy(layer(kcore.ops.ones((1, 2))))
        array([[2., 2.]], dtype=float32)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda: `function` must be callable, received function={function!r}")
        if arguments is not None and not isinstance(arguments, dict):
            raise ValueError(
                f"Lambda: `arguments` must be a dict or None, received arguments={arguments!r}"
            )
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        if output_shape is not None and not callable(output_shape):
            output_shape = _tuple_shapes(output_shape)
        self._output_shape = output_shape
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):
            parameters = {}
        self._fn_expects_mask_arg = "mask" in parameters
        self._fn_expects_training_arg = "training" in parameters
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is None:
            from kcore import backend
            from kcore.variables import StatelessScope

            with StatelessScope():
                return backend.current().compute_output_spec(self.call, *args, **kwargs)
        return super().compute_output_spec(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            from kcore import tree

            specs = _map_shapes(lambda s: KerasTensor(s, self.compute_dtype), input_shape)
            try:
                outputs = self.compute_output_spec(specs)
            except Exception as error:
                raise ValueError(
                    f"Lambda layer '{self.name}': could not infer the output shape by "
                    f"running the function on symbolic inputs ({error}); pass "
                    "`output_shape`"
                ) from None
            return tree.map_structure(lambda t: tuple(t.shape), outputs)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = _first_dim(input_shape)
        return _map_shapes(lambda s: (batch, *s), self._output_shape)

    def get_config(self):
        from kcore.saving.serialization import serialize_keras_object

        config = {"function": _function_config(self.function)}
        if self._output_shape is not None:
            if callable(self._output_shape):
                config["output_shape"] = _function_config(self._output_shape)
            else:
                config["output_shape"] = _listify(self._output_shape)
        if self.mask is not None:
            if callable(self.mask):
                config["mask"] = _function_config(self.mask)
            else:
                config["mask"] = serialize_keras_object(self.mask)
        config["arguments"] = serialize_keras_object(self.arguments)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        from kcore.saving.serialization import deserialize_keras_object

        config = dict(config)
        safe = _effective_safe_mode(safe_mode)
        for key in ("function", "output_shape", "mask"):
            if key not in config:
                continue
            value = config[key]
            if _is_lambda_config(value):
                if safe:
                    raise ValueError(_LAMBDA_UNSAFE_MESSAGE)
                config[key] = _load_function(value["config"])
            elif isinstance(value, dict) and "class_name" in value:
                config[key] = deserialize_keras_object(value, custom_objects=custom_objects)
            elif key == "function" and isinstance(value, str):
                config[key] = deserialize_keras_object(value, custom_objects=custom_objects)
        if "arguments" in config:
            config["arguments"] = deserialize_keras_object(
                config["arguments"], custom_objects=custom_objects
            )
        return super().from_config(config)


def _function_config(fn: Any) -> Any:
    from kcore.saving.serialization import serialize_keras_object

    if _is_python_lambda(fn):
        return _dump_function(fn)
    return serialize_keras_object(fn)


def _is_shape(value: Any) -> bool:
    return isinstance(value, tuple | list) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value
    )


def _map_shapes(fn: Any, shapes: Any) -> Any:
    if _is_shape(shapes):
        return fn(tuple(shapes))
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    if isinstance(shapes, list | tuple):
        return [_map_shapes(fn, v) for v in shapes]
    return shapes


def _tuple_shapes(value: Any) -> Any:
    if isinstance(value, int):
        return (value,)
    return _map_shapes(lambda s: s, value)


def _listify(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_listify(v) for v in value]
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    return value


def _first_dim(shapes: Any) -> Any:
    if _is_shape(shapes):
        return shapes[0] if len(shapes) else None
    if isinstance(shapes, dict):
        shapes = list(shapes.values())
    for value in shapes:
        return _first_dim(value)
    return None


# ----------------------------------------------------------------------- Masking
class Masking(Layer):
    """Masks the time steps whose features all equal ``mask_value``: those steps are
    zeroed in the outputs and the outputs carry a mask (``False`` there) that the
    layers after it (RNNs, attention...) honour.

    Args:
        mask_value: the value marking padding.
        **kwargs: the base layer's arguments.

    Example::

        >>> x = kcore.ops.convert_to_tensor([[[1.0], [0.0], [2.0]]])
        >>> mask = kcore.layers.Masking().compute_mask(x)
        >>> kcore.ops.convert_to_numpy(mask)
        array([[ True, False,  True]])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, dict) and mask_value.get("config") is not None:
            from kcore.saving.serialization import deserialize_keras_object

            mask_value = deserialize_keras_object(mask_value)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        # The mask itself is attached by Layer.__call__ (from compute_mask).
        return ops.where(keep, inputs, ops.zeros_like(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}


# ----------------------------------------------------------------------- Wrapper
class Wrapper(Layer):
    """The base of layers that wrap another layer (``TimeDistributed``,
    ``Bidirectional``...): holds it as ``self.layer``, builds it in ``build``, and
    serializes it inside its own config. By itself it calls the wrapped layer.

    Args:
        layer: the layer to wrap.
        **kwargs: the base layer's arguments.

    Example::

        >>> class Doubled(kcore.layers.Wrapper):
        ...     def call(self, inputs):
        ...         return self.layer(inputs) * 2
        >>> wrapped = Doubled(kcore.layers.Dense(3))
        >>> tuple(wrapped(kcore.ops.ones((2, 4))).shape)
        (2, 3)
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"{type(self).__name__}: `layer` must be a kcore layer, received "
                f"layer={layer!r} (of type {type(layer).__name__})"
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            # Through the layer's own machinery: its variable paths and build config.
            self.layer._build_with_shapes({"input_shape": input_shape})
        self.built = True

    def call(self, *args, **kwargs):
        return self.layer(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        from kcore.saving.serialization import serialize_keras_object

        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from kcore.saving.serialization import deserialize_keras_object

        config = dict(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects)
        return super().from_config({"layer": layer, **config})
