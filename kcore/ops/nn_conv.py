"""Convolution, pooling and patch ops of ``keras.ops.nn``.

Layouts are Keras 3's: ``inputs`` is ``(batch, *spatial, channels)`` for
``data_format="channels_last"`` and ``(batch, channels, *spatial)`` for
``"channels_first"`` (``None`` means :func:`kcore.config.image_data_format`); a
convolution kernel is ``(*spatial, in_channels / groups, out_channels)``, a transposed
one ``(*spatial, out_channels, in_channels)``, a depthwise one
``(*spatial, in_channels, multiplier)``. ``"same"`` padding puts the odd cell after
(as TensorFlow and XLA do), and ``average_pool`` with ``"same"`` padding averages only
the cells inside the input.

The private helpers below (``conv_geometry``, ``same_pads``, ``transpose_geometry``,
``pool_geometry``, ``adaptive_bounds``, ``average_counts``) are shared with the backends:
they validate the options once per distinct call (cached), so every backend refuses a
zero stride, an unknown padding or data format the same way.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

import numpy as np

from kcore import config, ops
from kcore.ops.cases import Case, array
from kcore.ops.contract import op

# -- option checks shared with the backends ---------------------------------------------

_PADDINGS = ("valid", "same")
_FORMATS = ("channels_last", "channels_first")


def _int_tuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    """``value`` (an int or ``n`` ints) as ``n`` positive ints, else ValueError."""
    items = tuple(value) if isinstance(value, list | tuple) else (value,) * n
    if len(items) != n:
        raise ValueError(f"{name} must be an int or {n} ints, got {value!r}")
    try:
        out = tuple(operator.index(v) for v in items)
    except TypeError:
        raise ValueError(f"{name} must be an int or {n} ints, got {value!r}") from None
    if any(v <= 0 for v in out):
        raise ValueError(f"{name} must be positive, got {value!r}")
    return out


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if hasattr(value, "tolist"):  # NumPy ints
        return _hashable(value.tolist())
    return value


def channels_last(data_format: Any) -> bool:
    """``True`` for ``"channels_last"``, ``False`` for ``"channels_first"``; ``None``
    means the configured image data format. Anything else is a ValueError."""
    if data_format is None:
        data_format = config.image_data_format()
    if data_format == "channels_last":
        return True
    if data_format == "channels_first":
        return False
    raise ValueError(
        f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}"
    )


def _padding(padding: Any) -> str:
    lowered = padding.lower() if isinstance(padding, str) else padding
    if lowered not in _PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return lowered


@functools.lru_cache(maxsize=1024)
def _conv_geometry(rank, strides, padding, data_format, dilation_rate):
    n = rank - 2
    if n < 1:
        raise ValueError(f"inputs must have rank 3 or more (batch, spatial, channels), got {rank}")
    return (
        n,
        _int_tuple(strides, n, "strides"),
        _padding(padding),
        channels_last(data_format),
        _int_tuple(dilation_rate, n, "dilation_rate"),
    )


def conv_geometry(rank, strides, padding, data_format, dilation_rate=1):
    """``(n_spatial, strides, padding, channels_last, dilation)`` for a convolution of
    a rank-``rank`` input: validated, normalised, cached per distinct arguments."""
    if data_format is None:
        data_format = config.image_data_format()
    try:
        return _conv_geometry(rank, strides, padding, data_format, dilation_rate)
    except TypeError:  # lists, unhashable: normalise and look up again
        return _conv_geometry(
            rank, _hashable(strides), padding, data_format, _hashable(dilation_rate)
        )


@functools.lru_cache(maxsize=1024)
def _pool_geometry(rank, pool_size, strides, padding, data_format):
    n = rank - 2
    if n < 1:
        raise ValueError(f"inputs must have rank 3 or more (batch, spatial, channels), got {rank}")
    window = _int_tuple(pool_size, n, "pool_size")
    steps = window if strides is None else _int_tuple(strides, n, "strides")
    return n, window, steps, _padding(padding), channels_last(data_format)


def pool_geometry(rank, pool_size, strides, padding, data_format):
    """``(n_spatial, window, strides, padding, channels_last)`` for a pooling of a
    rank-``rank`` input (``strides=None`` means the window), validated and cached."""
    if data_format is None:
        data_format = config.image_data_format()
    try:
        return _pool_geometry(rank, pool_size, strides, padding, data_format)
    except TypeError:
        return _pool_geometry(rank, _hashable(pool_size), _hashable(strides), padding, data_format)


def same_pads(size: int, window: int, stride: int) -> tuple[int, int]:
    """``(before, after)`` padding of ``"same"``: output ``ceil(size / stride)``, the
    odd cell after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def transpose_geometry(size, kernel, stride, dilation, padding, output_padding):
    """``(left, length, full)`` of a transposed convolution along one axis: the
    result is ``full_result[left:left + length]`` (zeros past its end), where
    ``full_result`` (``full`` long) spreads every input cell over the whole kernel."""
    k_eff = dilation * (kernel - 1) + 1
    full = (size - 1) * stride + k_eff
    if padding == "valid":
        if output_padding is None:
            return 0, size * stride + max(k_eff - stride, 0), full
        return 0, full + output_padding, full
    # "same": of the result's padding, the larger half goes before, never more than
    # the kernel's reach (Keras 3's split on every backend).
    if output_padding is None:
        total, length = stride + k_eff - 2, size * stride
    else:
        total = k_eff + k_eff % 2 - 2 + output_padding
        length = (size - 1) * stride + k_eff % 2 + output_padding
    return max(k_eff - 1 - (total + 1) // 2, 0), length, full


def output_paddings(output_padding: Any, n: int) -> tuple[Any, ...]:
    """``output_padding`` (None, an int or ``n`` ints) as ``n`` values (None or ints
    >= 0)."""
    if output_padding is None:
        return (None,) * n
    items = (
        tuple(output_padding) if isinstance(output_padding, list | tuple) else (output_padding,) * n
    )
    if len(items) != n or any(operator.index(v) < 0 for v in items):
        raise ValueError(f"output_padding must be None, an int or {n} ints >= 0")
    return tuple(operator.index(v) for v in items)


def adaptive_bounds(size: int, out: int) -> list[tuple[int, int]]:
    """The ``[start, end)`` of each of ``out`` adaptive-pooling windows over ``size``
    cells: ``floor(i * size / out)`` to ``ceil((i + 1) * size / out)``."""
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


@functools.lru_cache(maxsize=256)
def average_counts(sizes, window, strides):
    """How many input cells each ``"same"``-padded window covers: a float64 array of
    the output's spatial shape (average pooling divides by it)."""
    counts = np.ones((), np.float64)
    for size, w, s in zip(sizes, window, strides):
        before, _ = same_pads(size, w, s)
        starts = np.arange(-(-size // s)) * s - before
        per_axis = np.minimum(starts + w, size) - np.maximum(starts, 0)
        counts = np.multiply.outer(counts, per_axis.astype(np.float64))
    return counts


# -- how errors are worded --------------------------------------------------------------


def _shape(value: Any) -> tuple | None:
    shape = getattr(value, "shape", None)
    return None if shape is None else tuple(shape)


def _option_problem(values: dict[str, Any], rank: int | None) -> str | None:
    data_format = values.get("data_format")
    if data_format is not None and data_format not in _FORMATS:
        return f"data_format 'channels_last' or 'channels_first', got {data_format!r}"
    padding = values.get("padding")
    if "padding" in values and (not isinstance(padding, str) or padding.lower() not in _PADDINGS):
        return f"padding 'valid' or 'same', got {padding!r}"
    n = None if rank is None else rank - 2
    for name in ("strides", "pool_size", "dilation_rate"):
        if name not in values or values[name] is None:
            continue
        value = values[name]
        items = value if isinstance(value, list | tuple) else (value,)
        if any(isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0 for v in items):
            return f"{name} of positive integers, got {value!r}"
        if n is not None and n > 0 and isinstance(value, list | tuple) and len(value) != n:
            return f"{name} as an int or {n} ints for {n} spatial dimensions, got {value!r}"
    return None


def _channel_axis(values: dict[str, Any]) -> int:
    data_format = values.get("data_format") or config.image_data_format()
    return -1 if data_format == "channels_last" else 1


def _conv_rule(kernel: str, kind: str):
    """The ``expect=`` rule of the convolutions: options first, then the kernel's rank
    and its input channels against the input's."""

    def rule(values: dict[str, Any]) -> str | None:
        x, k = _shape(values.get("inputs")), _shape(values.get(kernel))
        problem = _option_problem(values, None if x is None else len(x))
        if problem or x is None or k is None:
            return problem
        if len(x) < 3:
            return f"inputs of rank 3, 4 or 5 (batch, spatial..., channels), got rank {len(x)}"
        if len(k) != len(x):
            return f"a {kernel} of rank {len(x)} for inputs of rank {len(x)}, got rank {len(k)}"
        channels = x[_channel_axis(values)]
        if channels is None:
            return None
        if kind == "conv":
            if k[-2] and channels % k[-2] == 0 and k[-1] % (channels // k[-2]) == 0:
                return None
            return (
                f"input channels ({channels}) divisible by the kernel's input channels "
                f"(kernel.shape[-2] = {k[-2]}) into groups that divide its output channels "
                f"({k[-1]})"
            )
        axis = -1 if kind == "transpose" else -2
        if k[axis] != channels:
            return (
                f"input channels ({channels}) equal to the {kernel}'s input channels "
                f"({kernel}.shape[{axis}] = {k[axis]})"
            )
        return None

    return rule


def _pool_rule(values: dict[str, Any]) -> str | None:
    x = _shape(values.get("inputs"))
    problem = _option_problem(values, None if x is None else len(x))
    if problem or x is None:
        return problem
    if len(x) < 3:
        return f"inputs of rank 3, 4 or 5 (batch, spatial..., channels), got rank {len(x)}"
    return None


def _separable_rule(values: dict[str, Any]) -> str | None:
    problem = _conv_rule("depthwise_kernel", "depthwise")(values)
    if problem:
        return problem
    d, p = _shape(values.get("depthwise_kernel")), _shape(values.get("pointwise_kernel"))
    if d is not None and p is not None and (len(p) != len(d) or p[-2] != d[-2] * d[-1]):
        return (
            f"a pointwise_kernel of shape (1, ..., {d[-2] * d[-1]}, filters) for a "
            f"depthwise_kernel of shape {d}"
        )
    return None


def _patch_rule(values: dict[str, Any]) -> str | None:
    x = _shape(values.get("x"))
    if "output_size" in values:  # fold
        if x is not None and len(x) != 3:
            return f"a 3-D tensor x (batch, channels * kh * kw, blocks), got rank {len(x)}"
    elif x is not None and len(x) != 4:
        return f"a 4-D tensor x (batch, channels, height, width), got rank {len(x)}"
    for name in ("kernel_size", "dilation", "stride"):
        value = values.get(name)
        items = value if isinstance(value, list | tuple) else (value,)
        if any(not isinstance(v, int | np.integer) or v <= 0 for v in items):
            return f"{name} of positive integers, got {value!r}"
    return None


def _space_rule(to_depth: bool):
    def rule(values: dict[str, Any]) -> str | None:
        x, block = _shape(values.get("x")), values.get("block_size")
        data_format = values.get("data_format")
        if data_format not in _FORMATS:
            return f"data_format 'channels_last' or 'channels_first', got {data_format!r}"
        if not isinstance(block, int | np.integer) or block < 1:
            return f"block_size of a positive integer, got {block!r}"
        if x is None:
            return None
        if len(x) != 4:
            return f"a 4-D tensor x, got rank {len(x)}"
        last = data_format == "channels_last"
        spatial, channels = (x[1:3], x[3]) if last else (x[2:], x[1])
        if to_depth and any(d is not None and d % block for d in spatial):
            return f"height and width that are multiples of block_size ({block})"
        if not to_depth and channels is not None and channels % (block * block):
            return f"channels that are a multiple of block_size**2 ({block * block})"
        return None

    return rule


# -- conformance cases ------------------------------------------------------------------


def _case(label, shapes, kwargs=None, grad=False, dtype="float32", low=-2.0, high=2.0):
    def build(rng):
        args = tuple(array(rng, s, dtype, low, high) if isinstance(s, tuple) else s for s in shapes)
        return Case(f"{label}-{dtype}", args, dict(kwargs or {}), grad and dtype != "float16")

    return build


def _cases(*builders):
    def make(spec, rng, supported):
        out = []
        for build in builders:
            case = build(rng)
            dtypes = {a.dtype.name for a in case.args if isinstance(a, np.ndarray)}
            if dtypes <= supported:
                out.append(case)
        return out

    return make


# -- convolutions -----------------------------------------------------------------------


@op(
    "nn",
    tensors=("inputs", "kernel"),
    expect=_conv_rule("kernel", "conv"),
    cases=_cases(
        _case("1d-same-s2", ((2, 6, 3), (3, 3, 2)), {"strides": 2, "padding": "same"}, True),
        _case(
            "2d-cf-same-d2",
            ((1, 2, 4, 4), (2, 2, 2, 3)),
            {"padding": "same", "data_format": "channels_first", "dilation_rate": 2},
            True,
        ),
        _case("2d-groups", ((1, 5, 5, 4), (3, 3, 2, 6)), {"strides": (2, 1)}),
        _case(
            "2d-s2-d2-same",
            ((1, 7, 6, 2), (3, 2, 2, 3)),
            {"strides": 2, "dilation_rate": 2, "padding": "same"},
        ),
        _case(
            "3d-same", ((1, 4, 3, 5, 2), (2, 2, 3, 2, 3)), {"strides": (2, 1, 2), "padding": "same"}
        ),
        _case("3d-f64", ((1, 3, 3, 3, 2), (2, 2, 2, 2, 2)), {}, dtype="float64"),
        _case("2d-f16", ((1, 5, 5, 2), (3, 3, 2, 2)), {"padding": "same"}, dtype="float16"),
    ),
)
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (1D, 2D or 3D): each output cell is the sum over a window of
    ``inputs`` weighted by ``kernel`` of shape ``(*window, in_channels / groups,
    filters)``; a kernel with fewer input channels than ``inputs`` makes a grouped
    convolution. ``strides`` and ``dilation_rate`` are an int or one per spatial axis,
    ``padding`` is ``"valid"`` or ``"same"``.

    Example::

        >>> x = kcore.ops.ones((1, 5, 1))
        >>> kcore.ops.conv(x, kcore.ops.ones((3, 1, 1)), padding="same")[0, :, 0]
        tensor [2.0, 3.0, 3.0, 3.0, 2.0]
    """
    ...


@op(
    "nn",
    tensors=("inputs", "kernel"),
    expect=_conv_rule("kernel", "transpose"),
    cases=_cases(
        _case("1d-valid-s2", ((1, 4, 2), (3, 2, 2)), {"strides": 2}, True),
        _case(
            "2d-cf-same-op1",
            ((1, 2, 3, 3), (3, 3, 2, 2)),
            {"strides": 2, "padding": "same", "output_padding": 1, "data_format": "channels_first"},
            True,
        ),
        _case("1d-same-d2", ((2, 5, 3), (3, 2, 3)), {"padding": "same", "dilation_rate": 2}),
        _case(
            "1d-op-past-stride", ((1, 5, 2), (4, 3, 2)), {"padding": "same", "output_padding": 2}
        ),
        _case("2d-same-s3", ((1, 3, 4, 2), (4, 3, 2, 2)), {"strides": (3, 2), "padding": "same"}),
        _case("3d-valid", ((1, 2, 3, 2, 2), (2, 2, 2, 3, 2)), {"strides": (1, 2, 1)}),
        _case(
            "2d-f64",
            ((1, 3, 3, 2), (2, 2, 2, 2)),
            {"strides": 2, "output_padding": 0, "padding": "same"},
            dtype="float64",
        ),
    ),
)
def conv_transpose(
    inputs,
    kernel,
    strides=1,
    padding="valid",
    output_padding=None,
    data_format=None,
    dilation_rate=1,
):
    """Transposed N-D convolution (the gradient of :func:`conv` with respect to its
    input), with ``kernel`` of shape ``(*window, filters, in_channels)``. With
    ``output_padding=None`` the output length is ``size * stride`` for ``"same"`` and
    ``size * stride + max(window - stride, 0)`` for ``"valid"``; an ``output_padding``
    adds that many cells at the end of ``(size - 1) * stride + window - 2 * pad``.

    Example::

        >>> x = kcore.ops.ones((1, 2, 1))
        >>> kcore.ops.conv_transpose(x, kcore.ops.ones((2, 1, 1)), strides=2)[0, :, 0]
        tensor [1.0, 1.0, 1.0, 1.0]
    """
    ...


@op(
    "nn",
    composite=True,
    tensors=("inputs", "kernel"),
    expect=_conv_rule("kernel", "depthwise"),
    cases=_cases(
        _case("1d-s2-same", ((1, 5, 2), (3, 2, 2)), {"strides": 2, "padding": "same"}, True),
        _case("2d-s21-same", ((1, 5, 4, 3), (3, 2, 3, 2)), {"strides": (2, 1), "padding": "same"}),
        _case(
            "2d-cf-d2",
            ((1, 2, 5, 5), (2, 2, 2, 1)),
            {"dilation_rate": 2, "data_format": "channels_first"},
        ),
        _case("3d", ((1, 3, 3, 3, 2), (2, 2, 2, 2, 2)), {}),
    ),
)
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise N-D convolution: each input channel is convolved with its own
    ``kernel[..., c, :]`` of shape ``(*window, in_channels, multiplier)``, giving
    ``in_channels * multiplier`` channels (channel ``c * multiplier + m``).

    Example::

        >>> x = kcore.ops.ones((1, 4, 2))
        >>> kcore.ops.depthwise_conv(x, kcore.ops.ones((2, 2, 3))).shape
        (1, 3, 6)
    """
    # Checked here so that errors name depthwise_conv, not the conv it calls.
    last = conv_geometry(len(inputs.shape), strides, padding, data_format, dilation_rate)[3]
    shape = tuple(kernel.shape)
    channels = inputs.shape[-1 if last else 1]
    if channels is not None and shape[-2] != channels:
        raise ValueError(f"the kernel has {shape[-2]} input channels, the inputs {channels}")
    grouped = ops.reshape(kernel, (*shape[:-2], 1, shape[-2] * shape[-1]))
    return ops.conv(inputs, grouped, strides, padding, data_format, dilation_rate)


@op(
    "nn",
    composite=True,
    tensors=("inputs", "depthwise_kernel", "pointwise_kernel"),
    expect=_separable_rule,
    cases=_cases(
        _case("1d-same", ((2, 5, 2), (3, 2, 2), (1, 4, 2)), {"padding": "same"}, True),
        _case(
            "2d-cf-s2",
            ((2, 2, 5, 5), (3, 3, 2, 2), (1, 1, 4, 3)),
            {"strides": 2, "data_format": "channels_first"},
        ),
        _case("3d-d2", ((3, 4, 4, 4, 2), (2, 2, 2, 2, 1), (1, 1, 1, 2, 2)), {"dilation_rate": 2}),
    ),
)
def separable_conv(
    inputs,
    depthwise_kernel,
    pointwise_kernel,
    strides=1,
    padding="valid",
    data_format=None,
    dilation_rate=1,
):
    """Separable N-D convolution: :func:`depthwise_conv` with ``depthwise_kernel``,
    then a 1x1 :func:`conv` with ``pointwise_kernel`` of shape
    ``(1, ..., 1, in_channels * multiplier, filters)``.

    Example::

        >>> x = kcore.ops.ones((1, 4, 2))
        >>> dk, pk = kcore.ops.ones((2, 2, 1)), kcore.ops.ones((1, 2, 5))
        >>> kcore.ops.separable_conv(x, dk, pk).shape
        (1, 3, 5)
    """
    # Checked here so that errors name separable_conv, not the ops it calls.
    last = conv_geometry(len(inputs.shape), strides, padding, data_format, dilation_rate)[3]
    d, p = tuple(depthwise_kernel.shape), tuple(pointwise_kernel.shape)
    if d[-2] != inputs.shape[-1 if last else 1] or p[-2] != d[-2] * d[-1]:
        raise ValueError(f"kernels of shapes {d} and {p} do not fit inputs {inputs.shape}")
    depthwise = ops.depthwise_conv(
        inputs, depthwise_kernel, strides, padding, data_format, dilation_rate
    )
    return ops.conv(depthwise, pointwise_kernel, 1, "valid", data_format, 1)


# -- pooling ----------------------------------------------------------------------------

_POOL_CASES = (
    _case("1d-same-s2", ((2, 5, 3),), {"pool_size": 3, "strides": 2, "padding": "same"}, True),
    _case("2d-same-asym", ((1, 4, 5, 2),), {"pool_size": 2, "strides": 1, "padding": "same"}, True),
    _case(
        "2d-cf-valid",
        ((1, 2, 5, 4),),
        {"pool_size": (2, 3), "strides": (1, 2), "data_format": "channels_first"},
    ),
    _case("3d-same", ((1, 4, 3, 5, 2),), {"pool_size": (2, 2, 3), "padding": "same"}),
    _case("2d-f64", ((1, 4, 4, 1),), {"pool_size": 2}, dtype="float64"),
    _case(
        "2d-f16-same",
        ((1, 5, 5, 2),),
        {"pool_size": 3, "strides": 2, "padding": "same"},
        dtype="float16",
    ),
)


@op(
    "nn",
    tensors=("inputs",),
    expect=_pool_rule,
    cases=_cases(
        *_POOL_CASES,
        _case(
            "2d-int32",
            ((1, 4, 4, 2),),
            {"pool_size": 2, "padding": "same", "strides": 3},
            dtype="int32",
            low=-50,
            high=50,
        ),
    ),
)
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling over windows of ``pool_size`` (an int or one per spatial axis),
    moved by ``strides`` (default: ``pool_size``); ``"same"`` padding never lets a
    padded cell win. Integer inputs keep their dtype.

    Example::

        >>> x = kcore.ops.convert_to_tensor([[[1.0], [3.0], [2.0], [0.0]]])
        >>> kcore.ops.max_pool(x, 2)[0, :, 0]
        tensor [3.0, 2.0]
    """
    ...


@op(
    "nn",
    tensors=("inputs",),
    expect=_pool_rule,
    cases=_cases(
        *_POOL_CASES,
        _case("1d-int32", ((1, 5, 2),), {"pool_size": 2, "padding": "same"}, dtype="int32"),
    ),
)
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling over windows of ``pool_size`` moved by ``strides`` (default:
    ``pool_size``). With ``"same"`` padding a window at the border averages only the
    cells inside the input. Integer inputs give floatx.

    Example::

        >>> x = kcore.ops.convert_to_tensor([[[1.0], [3.0], [2.0]]])
        >>> kcore.ops.average_pool(x, 2, padding="same")[0, :, 0]
        tensor [2.0, 2.0]
    """
    ...


def _adaptive(ops, inputs, output_size, data_format, reduce):
    # ``ops`` is the composite's own namespace (a backend's, in the conformance kit).
    last = channels_last(data_format)
    n = len(ops.shape(inputs)) - 2
    sizes = _int_tuple(_hashable(output_size), n, "output_size")
    out = inputs
    for i, target in enumerate(sizes):
        axis = i + 1 if last else i + 2
        length = ops.shape(out)[axis]
        pieces = []
        for start, end in adaptive_bounds(length, target):
            window = ops.take(out, ops.arange(start, end, dtype="int32"), axis=axis)
            pieces.append(reduce(window, axis=axis, keepdims=True))
        out = ops.concatenate(pieces, axis=axis) if len(pieces) > 1 else pieces[0]
    return out


_ADAPTIVE_CASES = (
    _case("1d-7to3", ((2, 7, 2),), {"output_size": 3}, True),
    _case("2d-cf", ((1, 2, 5, 4),), {"output_size": (2, 3), "data_format": "channels_first"}, True),
    _case("2d-up", ((1, 3, 2, 2),), {"output_size": (4, 2)}),
    _case("3d", ((1, 4, 3, 5, 2),), {"output_size": (2, 2, 3)}),
)


@op("nn", composite=True, tensors=("inputs",), expect=_pool_rule, cases=_cases(*_ADAPTIVE_CASES))
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed spatial ``output_size`` (an int or one per spatial
    axis): output cell ``i`` averages input cells ``floor(i * size / out)`` to
    ``ceil((i + 1) * size / out)``, as PyTorch's adaptive pooling does. Integer inputs
    give floatx.

    Example::

        >>> x = kcore.ops.convert_to_tensor([[[1.0], [2.0], [3.0], [4.0]]])
        >>> kcore.ops.adaptive_average_pool(x, 2)[0, :, 0]
        tensor [1.5, 3.5]
    """
    x = ops.convert_to_tensor(inputs)
    if ops.dtype(x) not in ("float16", "bfloat16", "float32", "float64"):
        x = ops.cast(x, config.floatx())
    return _adaptive(ops, x, output_size, data_format, ops.mean)


@op(
    "nn",
    composite=True,
    tensors=("inputs",),
    expect=_pool_rule,
    cases=_cases(
        *_ADAPTIVE_CASES,
        _case("2d-int32", ((1, 5, 4, 2),), {"output_size": 3}, dtype="int32", low=-50, high=50),
    ),
)
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed spatial ``output_size`` (an int or one per spatial axis),
    with the windows of :func:`adaptive_average_pool`.

    Example::

        >>> x = kcore.ops.convert_to_tensor([[[1.0], [2.0], [3.0], [4.0]]])
        >>> kcore.ops.adaptive_max_pool(x, 2)[0, :, 0]
        tensor [2.0, 4.0]
    """
    return _adaptive(ops, ops.convert_to_tensor(inputs), output_size, data_format, ops.max)


# -- patches ----------------------------------------------------------------------------


def _pair(value: Any, name: str, minimum: int = 1) -> tuple[int, int]:
    items = tuple(value) if isinstance(value, list | tuple) else (value, value)
    out = tuple(operator.index(v) for v in items)
    if len(out) != 2 or any(v < minimum for v in out):
        raise ValueError(f"{name} must be an int or 2 ints >= {minimum}, got {value!r}")
    return out


def _patch_kernel(channels: int, kh: int, kw: int) -> np.ndarray:
    """One-hot kernel ``(kh, kw, 1, channels * kh * kw)`` whose grouped convolution
    copies each window cell to its own channel (``c * kh * kw + i * kw + j``)."""
    kernel = np.zeros((kh, kw, 1, channels, kh * kw), np.float32)
    for i in range(kh):
        for j in range(kw):
            kernel[i, j, 0, :, i * kw + j] = 1.0
    return kernel.reshape(kh, kw, 1, channels * kh * kw)


@op(
    "nn",
    composite=True,
    tensors=("x",),
    expect=_patch_rule,
    cases=_cases(
        _case(
            "k2-p1-s21", ((1, 2, 4, 3),), {"kernel_size": 2, "padding": 1, "stride": (2, 1)}, True
        ),
        _case("k23-d2", ((2, 1, 5, 6),), {"kernel_size": (2, 3), "dilation": 2}),
    ),
)
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of a 4-D ``(batch, channels, height, width)`` tensor, as
    columns ``(batch, channels * kh * kw, blocks)`` (PyTorch's ``unfold``/``im2col``;
    ``padding`` zero-pads both sides).

    Example::

        >>> kcore.ops.unfold(kcore.ops.ones((1, 2, 3, 3)), 2).shape
        (1, 8, 4)
    """
    if len(x.shape) != 4:
        raise ValueError(f"x must be 4-D (batch, channels, height, width), got {x.shape}")
    kh, kw = _pair(kernel_size, "kernel_size")
    dilation, stride = _pair(dilation, "dilation"), _pair(stride, "stride")
    ph, pw = _pair(padding, "padding", 0)
    x = ops.convert_to_tensor(x)
    channels = x.shape[1]
    if ph or pw:
        x = ops.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dtype = ops.dtype(x)
    kernel = ops.convert_to_tensor(_patch_kernel(channels, kh, kw), dtype=dtype)
    patches = ops.conv(x, kernel, stride, "valid", "channels_first", dilation)
    return ops.reshape(patches, (-1, channels * kh * kw, patches.shape[2] * patches.shape[3]))


@op(
    "nn",
    composite=True,
    tensors=("x",),
    expect=_patch_rule,
    cases=_cases(
        _case(
            "k2-p1-s21",
            ((1, 4, 12),),
            {"output_size": (4, 3), "kernel_size": 2, "padding": 1, "stride": (2, 1)},
            True,
        ),
        _case(
            "k23-d2", ((2, 6, 6),), {"output_size": (5, 6), "kernel_size": (2, 3), "dilation": 2}
        ),
    ),
)
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of :func:`unfold` (PyTorch's ``fold``/``col2im``): columns
    ``(batch, channels * kh * kw, blocks)`` summed back into ``(batch, channels,
    *output_size)``, overlapping cells added.

    Example::

        >>> cols = kcore.ops.unfold(kcore.ops.ones((1, 1, 3, 3)), 2)
        >>> kcore.ops.fold(cols, (3, 3), 2)[0, 0, 1]
        tensor [2.0, 4.0, 2.0]
    """
    if len(x.shape) != 3:
        raise ValueError(f"x must be 3-D (batch, channels * kh * kw, blocks), got {x.shape}")
    height, width = _pair(output_size, "output_size")
    kh, kw = _pair(kernel_size, "kernel_size")
    (dh, dw), (sh, sw) = _pair(dilation, "dilation"), _pair(stride, "stride")
    ph, pw = _pair(padding, "padding", 0)
    x = ops.convert_to_tensor(x)
    rows = (height + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    cols = (width + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if x.shape[1] % (kh * kw) or x.shape[2] != rows * cols:
        raise ValueError(
            f"x of shape {x.shape} does not hold {kh}x{kw} blocks of a {rows}x{cols} grid"
        )
    channels = x.shape[1] // (kh * kw)
    grid = ops.reshape(x, (-1, channels * kh * kw, rows, cols))
    kernel = np.zeros((kh, kw, channels, channels, kh * kw), np.float32)
    for i in range(kh):
        for j in range(kw):
            kernel[i, j, :, :, i * kw + j] = np.eye(channels, dtype=np.float32)
    kernel = kernel.reshape(kh, kw, channels, channels * kh * kw)
    kernel = ops.convert_to_tensor(kernel, dtype=ops.dtype(x))
    # The transposed convolution spreads each column over its window; output_padding
    # extends it to the padded size, of which the padding is then cut off.
    full_h = (rows - 1) * sh + dh * (kh - 1) + 1
    full_w = (cols - 1) * sw + dw * (kw - 1) + 1
    extra = (height + 2 * ph - full_h, width + 2 * pw - full_w)
    spread = ops.conv_transpose(grid, kernel, (sh, sw), "valid", extra, "channels_first", (dh, dw))
    return spread[:, :, ph : ph + height, pw : pw + width]


# -- space and depth --------------------------------------------------------------------


def _space_op(to_depth, cl_shape, cf_shape, int_shape):
    """The declaration of :func:`depth_to_space` / :func:`space_to_depth`: their check
    and the same three cases of x's given shapes (channels_last with gradients,
    channels_first, int32 with ``block_size=3``)."""
    return op(
        "nn",
        composite=True,
        tensors=("x",),
        expect=_space_rule(to_depth=to_depth),
        cases=_cases(
            _case("cl", (cl_shape,), {"block_size": 2}, True),
            _case("cf", (cf_shape,), {"block_size": 2, "data_format": "channels_first"}),
            _case("cl-int32", (int_shape,), {"block_size": 3}, dtype="int32"),
        ),
    )


@_space_op(False, (1, 2, 3, 8), (2, 8, 2, 1), (1, 1, 2, 9))
def depth_to_space(x, block_size, data_format="channels_last"):
    """Move channel blocks into ``block_size x block_size`` spatial tiles of a 4-D
    tensor: channels_last reads channel ``(i * block + j) * C + c`` (TensorFlow's
    order), channels_first channel ``c * block * block + i * block + j`` (PyTorch's
    ``pixel_shuffle``).

    Example::

        >>> kcore.ops.depth_to_space(kcore.ops.ones((1, 2, 2, 8)), 2).shape
        (1, 4, 4, 2)
    """
    _check_space(x, block_size, data_format, to_depth=False)
    b = block_size
    if data_format == "channels_last":
        n, h, w, c = x.shape
        y = ops.reshape(x, (-1, h, w, b, b, c // (b * b)))
        y = ops.transpose(y, (0, 1, 3, 2, 4, 5))
        return ops.reshape(y, (-1, h * b, w * b, c // (b * b)))
    n, c, h, w = x.shape
    y = ops.reshape(x, (-1, c // (b * b), b, b, h, w))
    y = ops.transpose(y, (0, 1, 4, 2, 5, 3))
    return ops.reshape(y, (-1, c // (b * b), h * b, w * b))


@_space_op(True, (1, 4, 6, 2), (2, 2, 4, 2), (1, 3, 3, 2))
def space_to_depth(x, block_size, data_format="channels_last"):
    """The inverse of :func:`depth_to_space`: ``block_size x block_size`` spatial
    tiles of a 4-D tensor become channels, in the same orders.

    Example::

        >>> kcore.ops.space_to_depth(kcore.ops.ones((1, 4, 4, 2)), 2).shape
        (1, 2, 2, 8)
    """
    _check_space(x, block_size, data_format, to_depth=True)
    b = block_size
    if data_format == "channels_last":
        n, h, w, c = x.shape
        y = ops.reshape(x, (-1, h // b, b, w // b, b, c))
        y = ops.transpose(y, (0, 1, 3, 2, 4, 5))
        return ops.reshape(y, (-1, h // b, w // b, b * b * c))
    n, c, h, w = x.shape
    y = ops.reshape(x, (-1, c, h // b, b, w // b, b))
    y = ops.transpose(y, (0, 1, 3, 5, 2, 4))
    return ops.reshape(y, (-1, c * b * b, h // b, w // b))


def _check_space(x, block_size, data_format, to_depth):
    if data_format not in _FORMATS:
        raise ValueError(
            f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}"
        )
    if len(x.shape) != 4:
        raise ValueError(f"x must be 4-D, got shape {x.shape}")
    if isinstance(block_size, bool) or operator.index(block_size) < 1:
        raise ValueError(f"block_size must be a positive int, got {block_size!r}")
    last = data_format == "channels_last"
    spatial = x.shape[1:3] if last else x.shape[2:]
    channels = x.shape[-1 if last else 1]
    if to_depth and any(d is not None and d % block_size for d in spatial):
        raise ValueError(f"height and width {spatial} must be multiples of {block_size}")
    if not to_depth and channels is not None and channels % (block_size * block_size):
        raise ValueError(f"channels ({channels}) must be a multiple of {block_size}**2")
