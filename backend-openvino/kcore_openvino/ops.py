"""The OpenVINO backend's ops: every op is computed by the OpenVINO runtime.

An op is one builder, a function that adds OpenVINO nodes to a graph, used in two modes:

* **eager** (the arguments are ``openvino.Tensor``, or Python values, NumPy arrays and
  kcore Variables, which are converted first): the builder runs over Parameters of the
  inputs' exact shapes and element types, the small model is compiled for ``CPU`` and
  cached under (op name, static attributes, input shapes and element types), and the
  cached infer request computes a new ``openvino.Tensor``;
* **graph** (any argument is an ``openvino.Output``, a node of a graph being built, as in
  :func:`kcore_openvino.backend.compute_output_spec`): the builder only adds its nodes
  and the op returns their ``openvino.Output``; OpenVINO's shape inference gives its
  shape and element type.

Models compile with ``INFERENCE_PRECISION_HINT`` ``"f32"``: CPUs with bfloat16 units
otherwise compute float32 models in bfloat16. The environment variable
``KCORE_OPENVINO_PRECISION`` (``f32``, ``bf16`` or ``f16``) overrides it; it is read
once, when the first model is compiled.

Dtypes follow Keras 3: a Python scalar takes the other operand's dtype unless it is of a
higher kind (``int32 tensor + 1.5`` is ``float32``); mixing int and float tensors gives
the float dtype; true division and ``exp``/``softmax`` of ints give ``floatx()``; ``sum``
widens bool and 8/16-bit ints to 32 bits. The CPU plugin computes 64-bit ints in 32
bits and float64 in float32: such tensors are stored exactly, but ops on them lose range
and precision.

Example::

    >>> from kcore_openvino import ops
    >>> ops.convert_to_numpy(ops.add(ops.convert_to_tensor([1.0, 2.0]), 1)).tolist()
    [2.0, 3.0]
"""

from __future__ import annotations

import collections
import importlib
import importlib.util
import operator
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import openvino as ov

from kcore import config
from kcore.dtypes import python_scalar_dtype, result_type, standardize_dtype
from kcore.variables import Variable

#: The environment variable that overrides the CPU inference precision.
PRECISION_ENV = "KCORE_OPENVINO_PRECISION"
#: The device every op model is compiled for.
DEVICE = "CPU"
#: How many compiled op models are kept (least recently used ones are dropped).
CACHE_SIZE = 512

_PRECISIONS = {
    "f32": "f32",
    "float32": "f32",
    "bf16": "bf16",
    "bfloat16": "bf16",
    "f16": "f16",
    "float16": "f16",
}

_NEEDED_NODES = (
    "parameter",
    "constant",
    "convert",
    "result",
    "add",
    "subtract",
    "multiply",
    "divide",
    "maximum",
    "exp",
    "reduce_max",
    "reduce_sum",
    "matmul",
    "relu",
    "softmax",
)


def _newest_opset() -> Any:
    # The newest opset module can be a stub while its opset is being developed
    # (openvino 2026.4's opset17 holds only its two new ops), so take the newest one
    # that has every node used here.
    for version in range(64, 0, -1):
        name = f"openvino.opset{version}"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        if all(hasattr(module, node) for node in _NEEDED_NODES):
            return module
    raise ImportError(
        f"openvino {ov.__version__} has no opset module with the nodes kcore-openvino "
        f"uses ({', '.join(_NEEDED_NODES)}); install openvino>=2025.0"
    )


opset = _newest_opset()

_OV_TYPES: dict[str, ov.Type] = {
    "bool": ov.Type.boolean,
    "uint8": ov.Type.u8,
    "uint16": ov.Type.u16,
    "uint32": ov.Type.u32,
    "uint64": ov.Type.u64,
    "int8": ov.Type.i8,
    "int16": ov.Type.i16,
    "int32": ov.Type.i32,
    "int64": ov.Type.i64,
    "bfloat16": ov.Type.bf16,
    "float16": ov.Type.f16,
    "float32": ov.Type.f32,
    "float64": ov.Type.f64,
}
_DTYPES: dict[ov.Type, str] = {t: name for name, t in _OV_TYPES.items()}
_FLOATS = frozenset({"bfloat16", "float16", "float32", "float64"})
_SUM_DTYPES = {
    "bool": "int32",
    "int8": "int32",
    "int16": "int32",
    "uint8": "uint32",
    "uint16": "uint32",
}


# -- dtypes ------------------------------------------------------------------------
def ov_type(dtype: Any) -> ov.Type:
    """The OpenVINO element type of a kcore dtype (name, NumPy or framework dtype).

    Example::

        >>> ov_type("float32")
        <Type: 'float32'>
    """
    name = standardize_dtype(dtype)
    element_type = _OV_TYPES.get(name)
    if element_type is None:
        raise ValueError(
            f"the openvino backend has no {name} tensors; supported dtypes: "
            f"{', '.join(sorted(_OV_TYPES))}"
        )
    return element_type


def dtype_name(element_type: ov.Type) -> str:
    """The kcore dtype name of an OpenVINO element type (``ov.Type.f32`` -> ``"float32"``)."""
    name = _DTYPES.get(element_type)
    if name is None:
        raise ValueError(
            f"OpenVINO element type {element_type.get_type_name()} has no kcore dtype; "
            f"supported dtypes: {', '.join(sorted(_OV_TYPES))}"
        )
    return name


def _dtype_of(x: Any) -> tuple[str, bool]:
    """``(dtype name, weak)``: weak for Python scalars, which yield to typed operands."""
    if isinstance(x, ov.Tensor):
        return dtype_name(x.element_type), False
    if isinstance(x, ov.Output):
        return dtype_name(x.get_element_type()), False
    if isinstance(x, Variable):
        return x.dtype, False
    if isinstance(x, np.ndarray | np.generic):
        return _supported(standardize_dtype(x.dtype)), False
    if isinstance(x, bool | int | float | complex):
        return _supported(python_scalar_dtype(x)), True
    inferred = python_scalar_dtype(x)
    if inferred is not None:
        return _supported(inferred), False
    dtype = getattr(x, "dtype", None)
    return _supported(standardize_dtype(dtype if dtype is not None else np.asarray(x).dtype)), False


def _supported(dtype: str) -> str:
    ov_type(dtype)  # raises, naming the supported dtypes
    return dtype


def _result_dtype(*args: Any) -> str:
    # kcore's one promotion table; Python scalars enter as their (weak) type.
    entries = []
    for x in args:
        dtype, weak = _dtype_of(x)
        entries.append(type(x) if weak else dtype)
    return _supported(result_type(*entries))


def _float_dtype(dtype: str) -> str:
    return dtype if dtype in _FLOATS else config.floatx()


# -- conversion --------------------------------------------------------------------
def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    if sparse:
        raise ValueError(
            "convert_to_tensor: the openvino backend has no sparse tensors (sparse=True)"
        )
    if ragged:
        raise ValueError(
            "convert_to_tensor: the openvino backend has no ragged tensors (ragged=True)"
        )
    if isinstance(x, Variable):
        x = x.value
    target = None if dtype is None else standardize_dtype(dtype)
    if isinstance(x, ov.Tensor | ov.Output):
        return x if target is None else _cast(x, target)
    if target is None:
        if isinstance(x, np.ndarray | np.generic):
            array = np.asarray(x)
        else:
            inferred = python_scalar_dtype(x)
            array = np.asarray(x) if inferred is None else None
            target = inferred
        if array is not None:
            _check_dtype("convert_to_tensor", array.dtype)
            return ov.Tensor(array)
    if target == "bfloat16":
        # NumPy has no bfloat16: OpenVINO's Convert rounds float32 data to it.
        return _cast(ov.Tensor(np.asarray(x, dtype=np.float32)), "bfloat16")
    _check_dtype("convert_to_tensor", target)
    # ov.Tensor copies the array, so later changes to ``x`` never reach the tensor.
    return ov.Tensor(np.asarray(x, dtype=target))


def _check_dtype(op: str, dtype: Any) -> None:
    try:
        ov_type(dtype)
    except ValueError as exc:
        raise ValueError(f"{op}: {exc}") from None


def convert_to_numpy(x):
    if isinstance(x, ov.Output):
        raise ValueError(
            "convert_to_numpy: received a symbolic openvino.Output (a placeholder inside "
            "compute_output_spec), which has no value; call it on concrete tensors"
        )
    if isinstance(x, Variable):
        x = x.value
    if not isinstance(x, ov.Tensor):
        x = convert_to_tensor(x)
    if x.element_type == ov.Type.bf16:
        # NumPy has no bfloat16 (Tensor.data shows its bits as float16); widening to
        # float32 is exact.
        x = _cast(x, "float32")
    return np.array(x.data)


def dtype(x):
    """The kcore dtype name of an ``openvino.Tensor`` (which has no ``.dtype``)."""
    if isinstance(x, ov.Tensor):
        return dtype_name(x.element_type)
    return standardize_dtype(x.dtype)


def shape(x):
    return tuple(None if d is None else int(d) for d in x.shape)


def is_tensor(x):
    # A graph-mode Output is the symbolic stand-in for a tensor, as a tracer is in JAX.
    return isinstance(x, ov.Tensor | ov.Output)


def _cast(x: ov.Tensor | ov.Output, dtype: str) -> Any:
    element_type = ov_type(dtype)
    current = x.get_element_type() if isinstance(x, ov.Output) else x.element_type
    if current == element_type:
        return x
    return _apply("cast", _build_cast, (x,), (element_type,))


# -- the compiled-model cache ------------------------------------------------------
class CacheInfo(NamedTuple):
    """Statistics of the compiled-model cache, as ``functools.lru_cache`` reports them."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


class _CompiledOp:
    """One compiled op model and the infer request that runs it."""

    __slots__ = ("model", "_request", "_outputs", "_single", "_lock")

    def __init__(self, model: ov.CompiledModel, single: bool) -> None:
        self.model = model
        self._request = model.create_infer_request()
        self._outputs = tuple((o.get_element_type(), o.get_shape()) for o in model.outputs)
        self._single = single
        # An infer request runs one inference at a time.
        self._lock = threading.Lock()

    def __call__(self, tensors: Sequence[ov.Tensor]) -> Any:
        # Results are copied out of the request, whose outputs its next inference
        # overwrites. Handing the request our own output tensors instead is no cheaper,
        # and wrong where the plugin forwards an input unchanged (a Result fed by a
        # Parameter leaves a user-set output tensor unwritten). The request holds on to
        # the last inputs until its next call, a memory cost bounded by CACHE_SIZE.
        outputs = [ov.Tensor(element_type, shape) for element_type, shape in self._outputs]
        request = self._request
        with self._lock:
            for i, tensor in enumerate(tensors):
                request.set_input_tensor(i, tensor)
            request.infer()
            for i, tensor in enumerate(outputs):
                request.get_output_tensor(i).copy_to(tensor)
        return outputs[0] if self._single else tuple(outputs)


_cache: collections.OrderedDict[tuple, _CompiledOp] = collections.OrderedDict()
_cache_lock = threading.Lock()
_stats = {"hits": 0, "misses": 0}
_core: ov.Core | None = None
_compile_config: dict[str, str] | None = None


def core() -> ov.Core:
    """The process's ``openvino.Core`` (created on first use)."""
    global _core
    if _core is None:
        _core = ov.Core()
    return _core


def compile_config() -> dict[str, str]:
    """The config op models are compiled with: ``{"INFERENCE_PRECISION_HINT": ...}``,
    ``"f32"`` unless ``KCORE_OPENVINO_PRECISION`` says otherwise (read once)."""
    global _compile_config
    if _compile_config is None:
        raw = os.environ.get(PRECISION_ENV, "").strip()
        precision = _PRECISIONS.get(raw.lower(), None) if raw else "f32"
        if precision is None:
            raise ValueError(
                f"{PRECISION_ENV}={raw!r} is not an inference precision; expected one of "
                f"f32, bf16, f16 (or float32, bfloat16, float16), or unset for f32"
            )
        _compile_config = {"INFERENCE_PRECISION_HINT": precision}
    return _compile_config


def cache_info() -> CacheInfo:
    """Hits, misses and size of the compiled-model cache.

    Example::

        >>> before = cache_info().misses
        >>> x = convert_to_tensor([1.0, 2.0]); _ = exp(x); _ = exp(x)
        >>> cache_info().misses - before   # compiled once, run twice
        1
    """
    return CacheInfo(_stats["hits"], _stats["misses"], CACHE_SIZE, len(_cache))


def clear_cache() -> None:
    """Drop every compiled op model (they are compiled again when next needed)."""
    with _cache_lock:
        _cache.clear()
        _stats["hits"] = _stats["misses"] = 0


def compiled_models() -> dict[tuple, ov.CompiledModel]:
    """The cached ``openvino.CompiledModel`` objects, by cache key
    ``(op name, static attributes, (shape, element type) of each input...)``."""
    with _cache_lock:
        return {key: entry.model for key, entry in _cache.items()}


# -- running builders --------------------------------------------------------------
_Builder = Callable[..., Any]


def _apply(name: str, build: _Builder, inputs: tuple, attrs: tuple = ()) -> Any:
    """``build(inputs, *attrs)`` as nodes (graph mode) or computed by OpenVINO.

    ``inputs`` are all ``openvino.Output`` or all ``openvino.Tensor`` (see
    :func:`_operands`); ``attrs`` are hashable static attributes, part of the cache key.
    """
    if inputs and isinstance(inputs[0], ov.Output):
        return _build(name, build, inputs, attrs)
    key = (name, attrs, *((t.data.shape, t.element_type) for t in inputs))
    entry = _cache.get(key)
    if entry is None:
        entry = _compile(name, build, inputs, attrs)
        with _cache_lock:
            _stats["misses"] += 1
            _cache[key] = entry
            if len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    else:
        with _cache_lock:
            _stats["hits"] += 1
            if key in _cache:
                _cache.move_to_end(key)
    return entry(inputs)


def _build(name: str, build: _Builder, inputs: tuple, attrs: tuple) -> Any:
    try:
        return build(inputs, *attrs)
    except RuntimeError as exc:  # OpenVINO's node validation failed
        raise ValueError(
            f"{name}: OpenVINO rejected inputs of shapes {_describe_shapes(inputs)} and "
            f"dtypes {_describe_dtypes(inputs)}: {_reason(exc)}"
        ) from None


def _compile(name: str, build: _Builder, tensors: tuple, attrs: tuple) -> _CompiledOp:
    parameters = [opset.parameter(t.get_shape(), t.element_type) for t in tensors]
    outputs = _build(name, build, tuple(p.output(0) for p in parameters), attrs)
    single = isinstance(outputs, ov.Output)
    results = [opset.result(o) for o in ((outputs,) if single else outputs)]
    model = ov.Model(results, parameters, f"kcore_{name}")
    try:
        compiled = core().compile_model(model, DEVICE, compile_config())
    except RuntimeError as exc:
        raise RuntimeError(
            f"{name}: OpenVINO could not compile the op for {DEVICE} with inputs of shapes "
            f"{_describe_shapes(tensors)} and dtypes {_describe_dtypes(tensors)}: "
            f"{_reason(exc)}"
        ) from exc
    return _CompiledOp(compiled, single)


def _reason(exc: BaseException) -> str:
    # OpenVINO messages start with source locations; the last line says what is wrong.
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


def _describe_shapes(inputs: tuple) -> str:
    shapes = [
        str(x.get_partial_shape()) if isinstance(x, ov.Output) else str(x.data.shape)
        for x in inputs
    ]
    return ", ".join(shapes)


def _describe_dtypes(inputs: tuple) -> str:
    return ", ".join(_dtype_of(x)[0] for x in inputs)


def _operands(values: Sequence[Any], dtypes: Sequence[str | None]) -> tuple:
    """Bring ``values`` to one mode: all Outputs if any is an Output (others become
    Constants), else all Tensors. ``dtypes[i]`` converts a non-tensor ``values[i]``."""
    graph = any(isinstance(v, ov.Output) for v in values)
    prepared = []
    for value, dtype in zip(values, dtypes):
        if isinstance(value, Variable):
            value = value.value
        if not isinstance(value, ov.Tensor | ov.Output):
            value = convert_to_tensor(value, dtype=dtype)
        if graph and isinstance(value, ov.Tensor):
            value = ov.op.Constant(value).output(0)
        prepared.append(value)
    return tuple(prepared)


def _operand(x: Any) -> Any:
    if isinstance(x, ov.Tensor | ov.Output):
        return x
    return convert_to_tensor(x)


def _shape_rank(x: Any) -> int:
    if isinstance(x, ov.Tensor):
        return len(x.data.shape)
    rank = x.get_partial_shape().rank
    if rank.is_dynamic:
        raise ValueError("the openvino backend needs inputs of known rank")
    return rank.get_length()


def _normalize_axes(op: str, axis: Any, rank: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(rank))
    axes = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    normalized = []
    for a in axes:
        a = operator.index(a)
        if not -rank <= a < rank:
            raise ValueError(
                f"{op}: axis {a} is out of range for a tensor of rank {rank}; "
                f"expected an axis in [{-rank}, {rank})"
            )
        normalized.append(a % rank)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: axis {axis!r} repeats an axis")
    return tuple(sorted(normalized))


def _axes_constant(axes: tuple[int, ...]) -> ov.Output:
    return opset.constant(np.array(axes, dtype=np.int64)).output(0)


def _to(x: ov.Output, element_type: ov.Type) -> ov.Output:
    if x.get_element_type() == element_type:
        return x
    return opset.convert(x, element_type).output(0)


# -- builders: (inputs, *attrs) -> Output ------------------------------------------
def _build_cast(inputs: tuple, element_type: ov.Type) -> ov.Output:
    return _to(inputs[0], element_type)


def _build_elementwise(inputs: tuple, node: Callable, element_type: ov.Type) -> ov.Output:
    a, b = (_to(x, element_type) for x in inputs)
    if element_type == ov.Type.boolean:
        # OpenVINO's arithmetic rejects booleans; on 0/1 bytes add, multiply and
        # maximum are or, and, or, and nonzero converts back to True.
        a, b = _to(a, ov.Type.u8), _to(b, ov.Type.u8)
        return _to(node(a, b).output(0), ov.Type.boolean)
    return node(a, b).output(0)


def _build_unary(inputs: tuple, node: Callable, element_type: ov.Type) -> ov.Output:
    return node(_to(inputs[0], element_type)).output(0)


def _build_relu(inputs: tuple) -> ov.Output:
    x = inputs[0]
    if x.get_element_type() == ov.Type.boolean:
        return x  # max(b, False) is b; Relu rejects booleans
    return opset.relu(x).output(0)


def _build_max(inputs: tuple, axes: tuple[int, ...], keepdims: bool) -> ov.Output:
    x = inputs[0]
    element_type = x.get_element_type()
    if element_type == ov.Type.boolean:
        x = _to(x, ov.Type.u8)  # ReduceMax and Maximum reject booleans
    if axes:
        x = opset.reduce_max(x, _axes_constant(axes), keepdims).output(0)
    if len(inputs) > 1:
        x = opset.maximum(x, _to(inputs[1], x.get_element_type())).output(0)
    return _to(x, element_type)


def _build_sum(inputs: tuple, axes: tuple[int, ...], keepdims: bool, element_type: ov.Type):
    x = _to(inputs[0], element_type)
    if not axes:
        return x  # the CPU plugin rejects a reduction over no axes
    return opset.reduce_sum(x, _axes_constant(axes), keepdims).output(0)


def _build_matmul(inputs: tuple, element_type: ov.Type) -> ov.Output:
    a, b = (_to(x, element_type) for x in inputs)
    return opset.matmul(a, b, False, False).output(0)


def _build_softmax(inputs: tuple, axes: tuple[int, ...], element_type: ov.Type) -> ov.Output:
    x = _to(inputs[0], element_type)
    if not axes:  # a scalar: softmax over nothing is 1
        return opset.exp(opset.subtract(x, x)).output(0)
    if len(axes) == 1:
        return opset.softmax(x, axes[0]).output(0)
    # Softmax takes one axis; over several, compose it stably from reductions.
    constant = _axes_constant(axes)
    shifted = opset.subtract(x, opset.reduce_max(x, constant, True))
    e = opset.exp(shifted)
    return opset.divide(e, opset.reduce_sum(e, constant, True)).output(0)


# -- the ops -----------------------------------------------------------------------
# Dtypes here are standard names already checked by _dtype_of, hence _OV_TYPES[dtype].
def _binary(name: str, node: Callable, x1: Any, x2: Any, dtype: str | None = None) -> Any:
    dtype = dtype or _result_dtype(x1, x2)
    inputs = _operands((x1, x2), (dtype, dtype))
    return _apply(name, _build_elementwise, inputs, (node, _OV_TYPES[dtype]))


def add(x1, x2):
    return _binary("add", opset.add, x1, x2)


def subtract(x1, x2):
    dtype = _result_dtype(x1, x2)
    if dtype == "bool":
        raise TypeError(
            "subtract: booleans cannot be subtracted (as in NumPy); use a logical op, "
            "or convert to an int dtype first"
        )
    return _binary("subtract", opset.subtract, x1, x2, dtype)


def multiply(x1, x2):
    return _binary("multiply", opset.multiply, x1, x2)


def divide(x1, x2):
    # True division: ints and bools divide as floatx(), like Keras.
    return _binary("divide", opset.divide, x1, x2, _float_dtype(_result_dtype(x1, x2)))


def maximum(x1, x2):
    return _binary("maximum", opset.maximum, x1, x2)


def exp(x):
    x = _operand(x)
    dtype = _float_dtype(_dtype_of(x)[0])
    return _apply("exp", _build_unary, (x,), (opset.exp, _OV_TYPES[dtype]))


def max(x, axis=None, keepdims=False, initial=None):
    x = _operand(x)
    dtype = _dtype_of(x)[0]
    axes = _normalize_axes("max", axis, _shape_rank(x))
    if initial is None:
        if isinstance(x, ov.Tensor):
            shape = x.data.shape
            if any(shape[a] == 0 for a in axes):
                raise ValueError(
                    f"max: cannot reduce a zero-size axis of a tensor of shape {shape} "
                    f"without an identity; pass initial="
                )
        inputs: tuple = (x,)
    else:
        inputs = _operands((x, initial), (dtype, dtype))
    return _apply("max", _build_max, inputs, (axes, bool(keepdims)))


def sum(x, axis=None, keepdims=False):
    x = _operand(x)
    dtype = _dtype_of(x)[0]
    dtype = _SUM_DTYPES.get(dtype, dtype)
    axes = _normalize_axes("sum", axis, _shape_rank(x))
    return _apply("sum", _build_sum, (x,), (axes, bool(keepdims), _OV_TYPES[dtype]))


def matmul(x1, x2):
    dtype = _result_dtype(x1, x2)
    inputs = _operands((x1, x2), (dtype, dtype))
    for x in inputs:
        if _shape_rank(x) == 0:
            raise ValueError(
                f"matmul: expected inputs of rank 1 or more, received shapes "
                f"{_describe_shapes(inputs)}"
            )
    return _apply("matmul", _build_matmul, inputs, (_OV_TYPES[dtype],))


def relu(x):
    return _apply("relu", _build_relu, (_operand(x),))


def softmax(x, axis=-1):
    x = _operand(x)
    dtype = _float_dtype(_dtype_of(x)[0])
    axes = _normalize_axes("softmax", axis, _shape_rank(x))
    return _apply("softmax", _build_softmax, (x,), (axes, _OV_TYPES[dtype]))
