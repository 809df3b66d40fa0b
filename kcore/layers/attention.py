"""Attention layers: dot-product (Luong) and additive (Bahdanau) attention,
multi-head attention and grouped-query attention.

Masks follow Keras: ``True`` (or 1) marks a position that may be attended to. The
multi-head layers run through ``kcore.ops.dot_product_attention`` (the backend's
fused kernel) unless attention scores are returned, dropout is active or the
inputs have more than one attention axis; then the scores are computed with
``einsum`` and a masked softmax.

Example::

    >>> mha = kcore.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> x = kcore.ops.ones((1, 3, 8))
    >>> tuple(mha(x, x).shape)
    (1, 3, 8)
"""

from __future__ import annotations

import math
import string
from typing import Any

from kcore import constraints, initializers, ops, regularizers
from kcore import random as _random
from kcore.config import is_flash_attention_enabled
from kcore.dtypes import standardize_dtype
from kcore.keras_tensor import KerasTensor
from kcore.layers.core import EinsumDense
from kcore.layers.layer import Layer

__all__ = [
    "Attention",
    "AdditiveAttention",
    "MultiHeadAttention",
    "GroupedQueryAttention",
    "GroupQueryAttention",
]


# ----------------------------------------------------------------------- helpers
def _large_negative(dtype: str) -> float:
    return -3e4 if standardize_dtype(dtype) == "float16" else -1e9


def _masked_softmax(scores: Any, mask: Any, axes: tuple[int, ...] = (-1,)) -> Any:
    """Softmax over ``axes`` where ``mask`` is True; masked entries (and rows with
    nothing to attend to) get probability 0."""
    if mask is not None:
        mask = ops.cast(mask, "bool")
        scores = ops.where(mask, scores, _large_negative(scores.dtype))
    if len(axes) == 1:
        probs = ops.softmax(scores, axis=axes[0])
    else:
        probs = ops.exp(scores - ops.logsumexp(scores, axis=axes, keepdims=True))
    if mask is not None:
        probs = ops.where(mask, probs, ops.zeros_like(probs))
    return probs


def _causal_mask(q_len: Any, v_len: Any) -> Any:
    """``(1, q_len, v_len)``: True on and below the diagonal."""
    rows = ops.reshape(ops.arange(q_len, dtype="int32"), (1, -1, 1))
    cols = ops.reshape(ops.arange(v_len, dtype="int32"), (1, 1, -1))
    return ops.greater_equal(rows, cols)


def _band_mask(q_len: Any, v_len: Any, width: int) -> Any:
    """``(1, q_len, v_len)``: True where ``|row - col| < width``."""
    rows = ops.reshape(ops.arange(q_len, dtype="int32"), (1, -1, 1))
    cols = ops.reshape(ops.arange(v_len, dtype="int32"), (1, 1, -1))
    return ops.less(ops.abs(rows - cols), width)


def _keras_mask(x: Any) -> Any:
    return getattr(x, "_keras_mask", None)


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


# ------------------------------------------------------------------ Attention
class Attention(Layer):
    """Dot-product attention (Luong style).

    ``scores = query @ key^T`` (``score_mode="dot"``) or
    ``sum(tanh(query + key))`` (``score_mode="concat"``), optionally scaled by a
    learned scalar (``use_scale``); the softmax of the scores weights ``value``.

    Args:
        use_scale: whether to learn a scalar that scales the scores.
        score_mode: ``"dot"`` or ``"concat"``.
        dropout: dropout rate on the attention weights (training only).
        seed: seed of the dropout.

    Call arguments:
        inputs: ``[query, value]`` or ``[query, value, key]``; query
            ``(batch, Tq, dim)``, value and key ``(batch, Tv, dim)`` (key defaults
            to value).
        mask: ``[query_mask, value_mask]`` (``(batch, Tq)``, ``(batch, Tv)``).
        training: whether dropout is applied.
        return_attention_scores: also return the ``(batch, Tq, Tv)`` weights.
        use_causal_mask: forbid attending to later positions.

    Example::

        >>> att = kcore.layers.Attention()
        >>> q, v = kcore.ops.ones((2, 3, 4)), kcore.ops.ones((2, 5, 4))
        >>> tuple(att([q, v]).shape)
        (2, 3, 4)
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                f"{name}: invalid value for argument `score_mode`, expected one of "
                f"{{'dot', 'concat'}}, received score_mode={score_mode!r}"
            )
        if (
            isinstance(dropout, bool)
            or not isinstance(dropout, int | float)
            or not (0 <= dropout <= 1)
        ):
            raise ValueError(
                f"{name}: argument `dropout` must be a float in [0, 1], "
                f"received dropout={dropout!r}"
            )
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if dropout > 0:
            self.seed_generator = _random.SeedGenerator(seed=seed)
        self.scale = None
        self.concat_score_weight = None

    def _validate_inputs(self, inputs: Any, mask: Any = None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, list | tuple):
            raise ValueError(
                f"Layer '{self.name}' ({name}) must be called on a list of inputs, namely "
                f"[query, value] or [query, value, key]. Received: inputs={inputs!r}"
            )
        if not 2 <= len(inputs) <= 3:
            raise ValueError(
                f"Layer '{self.name}' ({name}) accepts an inputs list of length 2 or 3, "
                f"namely [query, value] or [query, value, key]. Received length: {len(inputs)}"
            )
        if mask is not None:
            if not isinstance(mask, list | tuple):
                raise ValueError(
                    f"Layer '{self.name}' ({name}): mask must be a list, namely "
                    f"[query_mask, value_mask]. Received: mask={mask!r}"
                )
            if not 2 <= len(mask) <= 3:
                raise ValueError(
                    f"Layer '{self.name}' ({name}) accepts a mask list of length 2 or 3, "
                    f"received length {len(mask)}"
                )

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(
                name="scale", shape=(), initializer="ones", dtype=self.dtype, trainable=True
            )
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight",
                shape=(),
                initializer="ones",
                dtype=self.dtype,
                trainable=True,
            )
        self.built = True

    def _calculate_scores(self, query, key):
        """``(batch, Tq, Tv)`` scores of ``query`` against ``key``."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
            if self.scale is not None:
                scores = scores * self.scale.value
            return scores
        pairs = ops.expand_dims(query, -2) + ops.expand_dims(key, -3)
        if self.scale is not None:
            pairs = self.scale.value * pairs
        return self.concat_score_weight.value * ops.sum(ops.tanh(pairs), axis=-1)

    def call(
        self,
        inputs,
        mask=None,
        training=False,
        return_attention_scores=False,
        use_causal_mask=False,
    ):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        keep = None
        if v_mask is not None:
            keep = ops.expand_dims(ops.cast(v_mask, "bool"), -2)
        if use_causal_mask:
            shape = ops.shape(scores)
            causal = _causal_mask(shape[-2], shape[-1])
            keep = causal if keep is None else ops.logical_and(keep, causal)
        if keep is not None:
            scores = ops.where(keep, scores, scores + _large_negative(scores.dtype))
        weights = ops.softmax(scores, axis=-1)
        applied = weights
        if training and self.dropout > 0:
            applied = _random.dropout(weights, self.dropout, seed=self.seed_generator)
        outputs = ops.matmul(applied, value)
        if q_mask is not None:
            keep_q = ops.expand_dims(ops.cast(q_mask, "bool"), -1)
            outputs = ops.where(keep_q, outputs, ops.zeros_like(outputs))
        if return_attention_scores:
            return outputs, weights
        return outputs

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return ops.convert_to_tensor(mask[0])

    def compute_output_shape(self, input_shape):
        self._validate_inputs(input_shape)
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def compute_output_spec(
        self,
        inputs,
        mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        output = KerasTensor(
            self.compute_output_shape([query.shape, value.shape, key.shape]), self.compute_dtype
        )
        if return_attention_scores:
            scores = KerasTensor((*tuple(query.shape)[:-1], key.shape[-2]), self.compute_dtype)
            return output, scores
        return output

    def get_config(self):
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
            "seed": self.seed,
        }


class AdditiveAttention(Attention):
    """Additive attention (Bahdanau style): ``scores = sum(scale * tanh(query +
    key), axis=-1)`` with a learned per-feature ``scale`` (``use_scale``).

    Args:
        use_scale: whether to learn the ``(dim,)`` scale of the scores.
        dropout: dropout rate on the attention weights (training only).

    Call arguments: as :class:`Attention`.

    Example::

        >>> att = kcore.layers.AdditiveAttention()
        >>> q, v = kcore.ops.ones((2, 3, 4)), kcore.ops.ones((2, 5, 4))
        >>> tuple(att([q, v]).shape)
        (2, 3, 4)
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        dim = input_shape[0][-1]
        if self.use_scale:
            self.scale = self.add_weight(
                name="scale",
                shape=(dim,),
                initializer="glorot_uniform",
                dtype=self.dtype,
                trainable=True,
            )
        self.built = True

    def _calculate_scores(self, query, key):
        pairs = ops.tanh(ops.expand_dims(query, -2) + ops.expand_dims(key, -3))
        if self.use_scale:
            pairs = self.scale.value * pairs
        return ops.sum(pairs, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config


# ---------------------------------------------------------------- projections
def _build_sublayer(layer: Layer, input_shape: Any) -> None:
    """Build ``layer`` for ``input_shape`` now, as a call would (variable paths,
    build config, backend tracking)."""
    layer._build_with_shapes({"input_shape": tuple(input_shape)})


def _projection_equation(free_dims: int, bound_dims: int, output_dims: int):
    """Equation, bias axes and output rank of an einsum projection that keeps
    ``free_dims`` axes, contracts ``bound_dims`` and adds ``output_dims``."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims : free_dims + bound_dims]
    out = letters[free_dims + bound_dims : free_dims + bound_dims + output_dims]
    equation = f"{free}{bound},{bound}{out}->{free}{out}"
    return equation, out, free_dims + output_dims


def _attention_equations(rank: int, attn_axes: tuple[int, ...]):
    """Einsum equations of the scores (``key, query -> scores``) and of the
    weighted sum (``scores, value -> output``) for projected tensors of ``rank``
    (``(batch..., <attention axes>, heads, channels)``), and the scores' rank."""
    letters = string.ascii_lowercase
    query = letters[:rank]
    key = list(query)
    extra = iter(letters[rank:])
    for axis in attn_axes:
        key[axis] = next(extra)
    key = "".join(key)
    batch = [query[i] for i in range(rank - 1) if i not in attn_axes and i != rank - 2]
    heads = query[rank - 2]
    q_attn = "".join(query[i] for i in attn_axes)
    k_attn = "".join(key[i] for i in attn_axes)
    scores = "".join(batch) + heads + q_attn + k_attn
    dot = f"{key},{query}->{scores}"
    combine = f"{scores},{key}->{query}"
    return dot, combine, len(scores)


def _check_positive_int(layer: str, name: str, value: Any, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        expected = "a positive integer or None" if allow_none else "a positive integer"
        raise ValueError(
            f"{layer}: received an invalid value for argument `{name}`, expected "
            f"{expected}. Received: {name}={value!r}"
        )


def _check_rate(layer: str, dropout: Any) -> None:
    if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not (0 <= dropout <= 1):
        raise ValueError(
            f"{layer}: argument `dropout` must be a float in [0, 1], received dropout={dropout!r}"
        )


class _MultiHeadBase(Layer):
    """What multi-head and grouped-query attention share: the sublayer arguments,
    the attention mask from the Keras masks, and the masked-softmax attention."""

    def _set_common(
        self,
        dropout,
        use_bias,
        sliding_window,
        flash_attention,
        kernel_initializer,
        bias_initializer,
        kernel_regularizer,
        bias_regularizer,
        activity_regularizer,
        kernel_constraint,
        bias_constraint,
        use_gate,
        seed,
    ):
        name = type(self).__name__
        _check_rate(name, dropout)
        _check_positive_int(name, "sliding_window", sliding_window, allow_none=True)
        self.supports_masking = True
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        self._sliding_window = sliding_window
        self._flash_attention = flash_attention or is_flash_attention_enabled()
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        if self._flash_attention and dropout > 0.0:
            raise ValueError(
                f"{name}: dropout is not supported when flash attention is enabled; "
                f"set dropout=0.0 to use flash attention (received dropout={dropout})"
            )
        if dropout > 0:
            self.seed_generator = _random.SeedGenerator(seed=seed)

    def _sublayer_kwargs(self) -> dict[str, Any]:
        # Fresh initializer objects: one shared stateless initializer would give
        # every projection the same values.
        kernel_init = type(self._kernel_initializer).from_config(
            self._kernel_initializer.get_config()
        )
        bias_init = type(self._bias_initializer).from_config(self._bias_initializer.get_config())
        return {
            "kernel_initializer": kernel_init,
            "bias_initializer": bias_init,
            "kernel_regularizer": self._kernel_regularizer,
            "bias_regularizer": self._bias_regularizer,
            "activity_regularizer": self._activity_regularizer,
            "kernel_constraint": self._kernel_constraint,
            "bias_constraint": self._bias_constraint,
            "dtype": self.dtype_policy,
        }

    def _projection(self, equation, output_shape, bias_axes, name, activation=None):
        kwargs = self._sublayer_kwargs()
        if activation is not None:
            kwargs["activation"] = activation
        return EinsumDense(
            equation,
            output_shape=tuple(output_shape),
            bias_axes=bias_axes if self._use_bias else None,
            name=name,
            **kwargs,
        )

    def _common_config(self) -> dict[str, Any]:
        return {
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        }

    def _attention_mask(
        self, query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
    ):
        """The ``(B, T, S)`` boolean mask combining the Keras masks of the inputs,
        ``attention_mask``, the causal mask and the sliding window (None: none)."""
        mask = None
        if query_mask is not None:
            mask = ops.expand_dims(ops.cast(query_mask, "bool"), -1)
        for other in (value_mask, key_mask):
            if other is not None:
                other = ops.expand_dims(ops.cast(other, "bool"), -2)
                mask = other if mask is None else ops.logical_and(mask, other)
        q_len, v_len = ops.shape(query)[1], ops.shape(value)[1]
        if use_causal_mask:
            causal = _causal_mask(q_len, v_len)
            mask = causal if mask is None else ops.logical_and(mask, causal)
        if self._sliding_window is not None:
            band = _band_mask(q_len, v_len, self._sliding_window)
            mask = band if mask is None else ops.logical_and(mask, band)
        if attention_mask is not None:
            attention_mask = ops.cast(attention_mask, "bool")
            mask = attention_mask if mask is None else ops.logical_and(attention_mask, mask)
        return mask

    def _attend(
        self,
        query,
        key,
        value,
        mask,
        causal_only,
        training,
        return_scores,
        dot_equation,
        combine_equation,
        attn_axes,
        scale,
    ):
        """Attention of the projected ``query``, ``key``, ``value``: the output and
        the scores (None on the fused path)."""
        if self._flash_attention and return_scores:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}): returning attention scores "
                "is not supported when flash attention is enabled; disable flash attention "
                "to access the scores"
            )
        fused = not (self._dropout > 0.0 or return_scores or len(query.shape) != 4)
        if fused:
            if mask is not None:
                while len(mask.shape) < 4:
                    mask = ops.expand_dims(mask, -3)
            outputs = ops.dot_product_attention(
                query,
                key,
                value,
                mask=mask,
                scale=scale,
                is_causal=bool(causal_only),
                flash_attention=self._flash_attention,
            )
            return outputs, None
        if causal_only:
            mask = _causal_mask(ops.shape(query)[1], ops.shape(key)[1])
        query = query * ops.cast(scale, query.dtype)
        scores = ops.einsum(dot_equation, key, query)
        n_axes = len(attn_axes)
        if mask is not None:
            axis = -2 * n_axes - 1
            while len(mask.shape) < len(scores.shape):
                mask = ops.expand_dims(mask, axis)
        rank = len(scores.shape)
        scores = _masked_softmax(scores, mask, tuple(range(rank - n_axes, rank)))
        applied = scores
        if training and self._dropout > 0:
            applied = _random.dropout(scores, self._dropout, seed=self.seed_generator)
        return ops.einsum(combine_equation, applied, value), scores

    def _masks(self, query, value, key, query_mask, value_mask, key_mask):
        if query_mask is None:
            query_mask = _keras_mask(query)
        if value_mask is None:
            value_mask = _keras_mask(value)
        if key_mask is None and key is not value:
            key_mask = _keras_mask(key)
        return query_mask, value_mask, key_mask

    def _project_key_value(self, key, value):
        return self._key_dense(key), self._value_dense(value)

    # The subclasses define _attention_layout() (the dot and combine equations, the
    # attention axes and the scale passed to _attend) and _scores_shape(q_shape,
    # v_shape) (the shape of the attention scores).
    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        if key is None:
            key = value
        query_mask, value_mask, key_mask = self._masks(
            query, value, key, query_mask, value_mask, key_mask
        )
        causal_only = (
            use_causal_mask
            and query_mask is None
            and value_mask is None
            and key_mask is None
            and attention_mask is None
            and self._sliding_window is None
        )
        mask = None
        if not causal_only:
            mask = self._attention_mask(
                query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
            )
        gate = self._gate_dense(query) if self._use_gate else None
        q = self._query_dense(query)
        k, v = self._project_key_value(key, value)
        outputs, scores = self._attend(
            q,
            k,
            v,
            mask,
            causal_only,
            training,
            return_attention_scores,
            *self._attention_layout(),
        )
        if gate is not None:
            outputs = outputs * gate
        outputs = self._output_dense(outputs)
        if return_attention_scores:
            return outputs, scores
        return outputs

    def compute_mask(self, inputs, previous_mask):
        # The output is masked like the query.
        return previous_mask

    def compute_output_spec(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        q_shape, v_shape = tuple(query.shape), tuple(value.shape)
        k_shape = None if key is None else tuple(key.shape)
        output = KerasTensor(
            self.compute_output_shape(q_shape, v_shape, k_shape), self.compute_dtype
        )
        if not return_attention_scores:
            return output
        return output, KerasTensor(self._scores_shape(q_shape, v_shape), self.compute_dtype)


# --------------------------------------------------------------- MultiHeadAttention
class MultiHeadAttention(_MultiHeadBase):
    """Multi-head attention (Vaswani et al., 2017).

    ``query``, ``key`` and ``value`` are projected to ``num_heads`` heads of size
    ``key_dim`` (``value_dim`` for values) by einsum projections named ``query``,
    ``key`` and ``value``; each head attends with scaled dot products
    (``1/sqrt(key_dim)``), and the heads are projected back by
    ``attention_output`` to the query's last dimension (or ``output_shape``).

    Args:
        num_heads: the number of heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default ``key_dim``).
        dropout: dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        output_shape: the output's trailing shape (int or tuple; default the
            query's last dimension).
        attention_axes: the axes attention runs over (default: every axis but the
            batch, heads and features).
        sliding_window: if set, each query position sees only keys within
            ``sliding_window - 1`` positions of itself.
        flash_attention: use flash attention (``None``: the backend decides, or
            :func:`kcore.config.enable_flash_attention`).
        kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint,
        bias_constraint: for the projections.
        use_gate: add a sigmoid gate, a projection of the query, multiplying the
            attention output before the output projection.
        seed: seed of the dropout.

    Call arguments: ``query`` ``(B, T, dim)``, ``value`` ``(B, S, dim)``, ``key``
    (default ``value``), ``query_mask``/``value_mask``/``key_mask`` (default the
    inputs' Keras masks), ``attention_mask`` ``(B, T, S)`` (True: may attend),
    ``return_attention_scores``, ``training``, ``use_causal_mask``.

    Example::

        >>> mha = kcore.layers.MultiHeadAttention(num_heads=2, key_dim=3)
        >>> q, v = kcore.ops.ones((2, 4, 6)), kcore.ops.ones((2, 5, 6))
        >>> out, scores = mha(q, v, return_attention_scores=True)
        >>> tuple(out.shape), tuple(scores.shape)
        ((2, 4, 6), (2, 2, 4, 5))
    """

    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        dropout=0.0,
        use_bias=True,
        output_shape=None,
        attention_axes=None,
        sliding_window=None,
        flash_attention=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        use_gate=False,
        seed=None,
        **kwargs,
    ):
        name = "MultiHeadAttention"
        _check_positive_int(name, "num_heads", num_heads)
        _check_positive_int(name, "key_dim", key_dim)
        _check_positive_int(name, "value_dim", value_dim, allow_none=True)
        super().__init__(**kwargs)
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(
                    f"{name}: invalid `output_shape`: {output_shape!r}; it should be a "
                    "tuple, a list or an int"
                ) from None
        self._output_shape = output_shape
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, list | tuple):
            raise ValueError(
                f"{name}: `attention_axes` must be an int, a list or a tuple, received "
                f"attention_axes={attention_axes!r}"
            )
        self._attention_axes = attention_axes
        self._set_common(
            dropout,
            use_bias,
            sliding_window,
            flash_attention,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            kernel_constraint,
            bias_constraint,
            use_gate,
            seed,
        )
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))

    @property
    def num_heads(self):
        return self._num_heads

    @property
    def key_dim(self):
        return self._key_dim

    @property
    def value_dim(self):
        return self._value_dim

    @property
    def dropout(self):
        return self._dropout

    @property
    def use_bias(self):
        return self._use_bias

    @property
    def attention_axes(self):
        return self._attention_axes

    @property
    def query_dense(self):
        return self._query_dense

    @property
    def key_dense(self):
        return self._key_dense

    @property
    def value_dense(self):
        return self._value_dense

    @property
    def output_dense(self):
        return self._output_dense

    def _check_shapes(self, query_shape, value_shape, key_shape):
        if tuple(value_shape)[1:-1] != tuple(key_shape)[1:-1]:
            raise ValueError(
                f"Layer '{self.name}' (MultiHeadAttention): all dimensions of `value` and "
                f"`key`, except the last one, must be equal. Received: "
                f"value_shape={tuple(value_shape)} and key_shape={tuple(key_shape)}"
            )
        for what, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) < 3:
                raise ValueError(
                    f"Layer '{self.name}' (MultiHeadAttention): expected `{what}` of rank "
                    f">= 3 (batch, positions..., features), received shape {tuple(shape)}"
                )

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        query_shape, value_shape, key_shape = (
            tuple(query_shape),
            tuple(value_shape),
            tuple(key_shape),
        )
        self._check_shapes(query_shape, value_shape, key_shape)
        heads = self._num_heads

        def project(rank, size, name, activation=None):
            equation, bias_axes, out_rank = _projection_equation(rank - 1, 1, 2)
            shape = [None] * (out_rank - 3) + [heads, size]
            return self._projection(equation, shape, bias_axes, name, activation)

        self._query_dense = project(len(query_shape), self._key_dim, "query")
        _build_sublayer(self._query_dense, query_shape)
        self._key_dense = project(len(key_shape), self._key_dim, "key")
        _build_sublayer(self._key_dense, key_shape)
        if self._use_gate:
            self._gate_dense = project(len(query_shape), self._value_dim, "gate", "sigmoid")
            _build_sublayer(self._gate_dense, query_shape)
        self._value_dense = project(len(value_shape), self._value_dim, "value")
        _build_sublayer(self._value_dense, value_shape)

        rank = len(query_shape) + 1
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(
                a if a >= 0 else (rank - 1) + a for a in self._attention_axes
            )
        bad = [a for a in self._attention_axes if not 1 <= a <= rank - 3]
        if bad or len(set(self._attention_axes)) != len(self._attention_axes):
            raise ValueError(
                f"Layer '{self.name}' (MultiHeadAttention): `attention_axes` must be "
                f"distinct axes between 1 and {rank - 3} (not the batch or feature axis) "
                f"for a query of shape {query_shape}, received "
                f"attention_axes={self._attention_axes}"
            )
        self._dot_product_equation, self._combine_equation, _ = _attention_equations(
            rank, self._attention_axes
        )
        output_shape = self._output_shape or (query_shape[-1],)
        equation, bias_axes, out_rank = _projection_equation(
            len(query_shape) - 1, 2, len(output_shape)
        )
        self._output_dense = self._projection(
            equation,
            [None] * (out_rank - 1 - len(output_shape)) + list(output_shape),
            bias_axes,
            "attention_output",
        )
        _build_sublayer(self._output_dense, (*query_shape[:-1], heads, self._value_dim))
        self.built = True

    def _attention_layout(self):
        return (
            self._dot_product_equation,
            self._combine_equation,
            self._attention_axes,
            self._inverse_sqrt_key_dim,
        )

    def _scores_shape(self, q_shape, v_shape):
        rank = len(q_shape) + 1
        axes = self._attention_axes
        if axes is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(a if a >= 0 else (rank - 1) + a for a in axes)
        batch = [q_shape[i] for i in range(len(q_shape) - 1) if i not in axes]
        return (
            *batch,
            self._num_heads,
            *(q_shape[a] for a in axes),
            *(v_shape[a] for a in axes),
        )

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                f"Layer '{self.name}' (MultiHeadAttention): all dimensions of `value` and "
                f"`key`, except the last one, must be equal. Received: "
                f"value_shape={value_shape} and key_shape={key_shape}"
            )
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        common = self._common_config()
        return {
            **config,
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            **common,
        }


# ------------------------------------------------------------ GroupedQueryAttention
class GroupedQueryAttention(_MultiHeadBase):
    """Grouped-query attention (Ainslie et al., 2023): ``num_query_heads`` query
    heads share ``num_key_value_heads`` key/value heads (each key/value head
    serves ``num_query_heads // num_key_value_heads`` query heads). With as many
    key/value heads as query heads it is multi-head attention; with one it is
    multi-query attention.

    Args:
        head_dim: size of each head.
        num_query_heads: the number of query heads.
        num_key_value_heads: the number of key and value heads; it must divide
            ``num_query_heads``.
        dropout, use_bias, sliding_window, flash_attention, kernel_initializer,
        bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint, use_gate, seed:
            as in :class:`MultiHeadAttention`.

    Call arguments: as :class:`MultiHeadAttention`; ``query`` ``(B, T, dim)``,
    ``value`` and ``key`` ``(B, S, dim)``.

    Example::

        >>> gqa = kcore.layers.GroupedQueryAttention(
        ...     head_dim=4, num_query_heads=4, num_key_value_heads=2)
        >>> x = kcore.ops.ones((2, 3, 8))
        >>> tuple(gqa(x, x).shape)
        (2, 3, 8)
    """

    def __init__(
        self,
        head_dim,
        num_query_heads,
        num_key_value_heads,
        dropout=0.0,
        use_bias=True,
        sliding_window=None,
        flash_attention=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        use_gate=False,
        seed=None,
        **kwargs,
    ):
        name = "GroupedQueryAttention"
        _check_positive_int(name, "head_dim", head_dim)
        _check_positive_int(name, "num_query_heads", num_query_heads)
        _check_positive_int(name, "num_key_value_heads", num_key_value_heads)
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError(
                f"{name}: `num_query_heads` must be divisible by `num_key_value_heads`, "
                f"received num_query_heads={num_query_heads}, "
                f"num_key_value_heads={num_key_value_heads}"
            )
        super().__init__(**kwargs)
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self._set_common(
            dropout,
            use_bias,
            sliding_window,
            flash_attention,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            kernel_constraint,
            bias_constraint,
            use_gate,
            seed,
        )
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(head_dim))

    @property
    def dropout(self):
        return self._dropout

    @property
    def use_bias(self):
        return self._use_bias

    @property
    def use_gate(self):
        return self._use_gate

    @property
    def sliding_window(self):
        return self._sliding_window

    def _check_shapes(self, query_shape, value_shape, key_shape):
        name = f"Layer '{self.name}' (GroupedQueryAttention)"
        for what, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3:
                raise ValueError(
                    f"{name}: expected `{what}` of rank 3 (batch, positions, features), "
                    f"received shape {tuple(shape)}"
                )
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                f"{name}: the last dimension of `query_shape` and `value_shape` must be "
                f"equal, but are {query_shape[-1]}, {value_shape[-1]}. Received: "
                f"query_shape={tuple(query_shape)}, value_shape={tuple(value_shape)}"
            )
        if tuple(value_shape)[1:-1] != tuple(key_shape)[1:-1]:
            raise ValueError(
                f"{name}: all dimensions of `value` and `key`, except the last one, must "
                f"be equal. Received: value_shape={tuple(value_shape)} and "
                f"key_shape={tuple(key_shape)}"
            )

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        query_shape, value_shape, key_shape = (
            tuple(query_shape),
            tuple(value_shape),
            tuple(key_shape),
        )
        self._check_shapes(query_shape, value_shape, key_shape)
        self.feature_dim = query_shape[-1]
        hq, hkv, dim = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self._query_dense = self._projection("bqm,muh->bquh", (None, hq, dim), "uh", "query")
        _build_sublayer(self._query_dense, query_shape)
        self._key_dense = self._projection("bkm,mvh->bkvh", (None, hkv, dim), "vh", "key")
        _build_sublayer(self._key_dense, key_shape)
        if self._use_gate:
            self._gate_dense = self._projection(
                "bqm,muh->bquh", (None, hq, dim), "uh", "gate", "sigmoid"
            )
            _build_sublayer(self._gate_dense, query_shape)
        self._value_dense = self._projection("bkm,mvh->bkvh", (None, hkv, dim), "vh", "value")
        _build_sublayer(self._value_dense, value_shape)
        self._output_dense = self._projection(
            "bquh,uhm->bqm", (None, self.feature_dim), "m", "attention_output"
        )
        _build_sublayer(self._output_dense, (None, None, hq, dim))
        self.built = True

    def _project_key_value(self, key, value):
        # Each key/value head serves num_repeats query heads.
        k, v = super()._project_key_value(key, value)
        return ops.repeat(k, self.num_repeats, axis=2), ops.repeat(v, self.num_repeats, axis=2)

    def _attention_layout(self):
        return "bkuh,bquh->buqk", "buqk,bkuh->bquh", (1,), self._inverse_sqrt_head_dim

    def _scores_shape(self, q_shape, v_shape):
        return (q_shape[0], self.num_query_heads, q_shape[1], v_shape[1])

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        return query_shape

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {
            **config,
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "sliding_window": self._sliding_window,
            "dropout": self._dropout,
            **self._common_config(),
        }


#: Keras 3 exports the class under both names.
GroupQueryAttention = GroupedQueryAttention
