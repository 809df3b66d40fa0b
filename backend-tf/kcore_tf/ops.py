"""The TensorFlow backend's ops: plain functions over ``tf.Tensor``.

TensorFlow's kernels refuse mixed dtypes (``float32 + int32`` is an error, and a
Python ``1`` becomes an ``int32`` tensor), so the binary ops first bring both operands
to one dtype with Keras 3's rules: a Python scalar takes the other operand's dtype
when it fits that dtype's kind, and an integer meeting a float becomes that float.
Then they call the kernels through ``tf.raw_ops``, skipping the conversion and
dispatch layers of ``tf.math`` that would repeat that work. Each op's documentation
is its declaration in :mod:`kcore.ops`.

Example::

    >>> import kcore
    >>> b = kcore.backend.get_backend("tensorflow")
    >>> b.ops["add"](b.convert_to_tensor([1.0, 2.0]), 1).dtype.name
    'float32'
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import tempfile

import numpy as np

from kcore import config
from kcore.dtypes import python_scalar_dtype, result_type, standardize_dtype
from kcore.variables import Variable

# TensorFlow reads this once, while its shared libraries load.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# An absl log line: severity and date ("I0000"), time (whose seconds count may be
# the Unix time before absl is initialised), thread id, "file.cc:line] ".
_ABSL_LINE = re.compile(rb"^([IWEF])\d{4} \d+:\d+:\d+\.\d+ +\d+ [^ \]]+:\d+\] ")
_ABSL_PREAMBLE = b"WARNING: All log messages before absl::InitializeLog() is called"
_SEVERITY = {b"I": 0, b"W": 1, b"E": 2, b"F": 3}


@contextlib.contextmanager
def _absl_stderr_filtered():
    """Apply TF_CPP_MIN_LOG_LEVEL to the absl lines written to stderr in the block.

    Since TF 2.18 the messages logged while TensorFlow's shared libraries load go
    through absl before absl is initialised, which ignores TF_CPP_MIN_LOG_LEVEL (an
    absl bug, abseil/abseil-cpp#1718). So file descriptor 2 is sent to a temporary file
    for the block, and everything written there is replayed except the absl lines below
    the level asked for; Python warnings and errors come through unchanged.
    """
    try:
        level = int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
        saved = os.dup(2)
    except (ValueError, OSError):  # a level TF ignores too, or no usable stderr
        yield
        return
    with tempfile.TemporaryFile() as captured:
        sys.stderr.flush()
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [
                line
                for line in captured.read().splitlines(keepends=True)
                if not _is_quiet(line, level)
            ]
            if kept:
                os.write(2, b"".join(kept))


def _is_quiet(line: bytes, level: int) -> bool:
    if level >= 1 and line.startswith(_ABSL_PREAMBLE):
        return True
    match = _ABSL_LINE.match(line)
    return match is not None and _SEVERITY[match.group(1)] < level


@contextlib.contextmanager
def _hidden_modules(*names: str):
    """Make ``import name`` fail in the block for the modules not imported yet.

    ``import tensorflow`` imports ``tf.lite``, whose ``util`` module runs
    ``from jax import jit`` (for TFLiteConverter.experimental_from_jax) and carries on
    without it on ImportError; importing JAX there would load a second framework on
    every TensorFlow start. A ``None`` in ``sys.modules`` is Python's way to make an
    import fail without touching the installed package.
    """
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def _import_tensorflow():
    with _absl_stderr_filtered(), _hidden_modules("jax"):
        import tensorflow

    return tensorflow


tf = _import_tensorflow()

_Tensor = tf.Tensor
# TF interns its DType objects, and DType.__eq__ costs ~0.5 us (it converts its
# argument first), so the hot paths compare dtypes with ``is``.
_BOOL = tf.bool
# Exact types: NumPy scalars (np.float64 subclasses float) carry a dtype of their own.
_PYTHON_SCALARS = frozenset({bool, int, float, complex})


def _tf_dtype(dtype) -> tf.DType:
    return tf.as_dtype(standardize_dtype(dtype))


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """A ``tf.Tensor`` from a tensor, kcore or TF variable, array or Python value.

    Python floats become floatx and ints int32 (Keras 3's rule); arrays keep their
    dtype; a variable is read (so GradientTape records it); ``dtype`` casts.
    """
    if sparse:
        raise ValueError(
            "convert_to_tensor: sparse=True is not supported by the tensorflow backend yet; "
            "pass sparse=None or False to get a dense tensor"
        )
    if ragged:
        raise ValueError(
            "convert_to_tensor: ragged=True is not supported by the tensorflow backend yet; "
            "pass ragged=None or False to get a dense tensor"
        )
    if isinstance(x, Variable):
        x = x.value
    if isinstance(x, _Tensor):
        if dtype is None:
            return x
        target = _tf_dtype(dtype)
        return x if x.dtype is target else tf.cast(x, target)
    if isinstance(x, tf.Variable):
        # Reading the variable (rather than copying its value) keeps it on the tape.
        x = tf.convert_to_tensor(x)
        return x if dtype is None else convert_to_tensor(x, dtype)
    if isinstance(x, np.ndarray | np.generic):
        x = tf.convert_to_tensor(x)  # keeps the array's dtype
        return x if dtype is None else convert_to_tensor(x, dtype)
    if dtype is None:
        inferred = python_scalar_dtype(x)
        if inferred is None:
            return tf.convert_to_tensor(x)
        target = tf.as_dtype(inferred)
    else:
        target = _tf_dtype(dtype)
    try:
        return tf.convert_to_tensor(x, dtype=target)
    except (TypeError, ValueError):
        # TF converts a Python value only when no element changes (1.5 to int32 is
        # refused); converting it as is and then casting does what NumPy does.
        if type(x) in _PYTHON_SCALARS or isinstance(x, list | tuple):
            x = np.asarray(x)
        return tf.cast(tf.convert_to_tensor(x), target)


def convert_to_numpy(x):
    """A NumPy copy of a tensor or variable (eager only)."""
    if isinstance(x, Variable | tf.Variable):
        return x.numpy()  # np.array(tf.Variable) warns about __array__'s copy keyword
    if isinstance(x, tf.Tensor):
        # .numpy() rather than np.array(): the latter fails on 0-d bfloat16 tensors.
        return np.array(x.numpy())
    return np.array(x)


def is_tensor(x):
    """True for TF tensors, including ``tf.Variable`` (as ``tf.is_tensor`` says)."""
    return tf.is_tensor(x)


def shape(x):
    """The sizes as ints; inside a ``tf.function`` traced with a ``None`` dimension,
    that dimension as a scalar int32 tensor (``tf.shape(x)[i]``), as in Keras 3, so
    ``ops.reshape(x, (ops.shape(x)[0], -1))`` works for any batch size."""
    dims = tuple(None if d is None else int(d) for d in x.shape)
    if None in dims and tf.is_tensor(x):  # only a symbolic graph tensor gets here
        dynamic = tf.shape(x)
        return tuple(dynamic[i] if d is None else d for i, d in enumerate(dims))
    return dims


# -- dtype agreement for binary ops --------------------------------------------


def _promote(a, b) -> tf.DType:
    """The dtype two operands combine into: kcore's promotion table, where a Python
    type (``int``, ``float``...) stands for a weakly typed Python scalar."""
    return tf.as_dtype(result_type(getattr(a, "name", a), getattr(b, "name", b)))


def _operands(x1, x2):
    """``x1`` and ``x2`` agreeing on one dtype: ``x1`` a tensor, ``x2`` a tensor or
    a Python scalar that fits ``x1``'s dtype.

    A Python scalar is left as it is in second place: the raw op converts it to the
    first input's dtype itself (eagerly and while tracing), which costs less than a
    ``tf.constant``. In first place it must be a tensor, since TF takes the dtype
    from the first input.
    """
    if isinstance(x1, _Tensor) and isinstance(x2, _Tensor) and x1.dtype is x2.dtype:
        return x1, x2
    scalar1, scalar2 = type(x1) in _PYTHON_SCALARS, type(x2) in _PYTHON_SCALARS
    if scalar2 and not scalar1:
        x1 = convert_to_tensor(x1)
        dtype = _promote(x1.dtype, type(x2))
        return _cast(x1, dtype), _scalar(x2, dtype)
    if scalar1 and not scalar2:
        x2 = convert_to_tensor(x2)
        dtype = _promote(type(x1), x2.dtype)
        return tf.constant(_scalar(x1, dtype), dtype=dtype), _cast(x2, dtype)
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    dtype = _promote(x1.dtype, x2.dtype)
    return _cast(x1, dtype), _cast(x2, dtype)


def _scalar(scalar, dtype: tf.DType):
    if type(scalar) is bool and not dtype.is_bool:
        return int(scalar)  # TF will not turn True into a number
    return scalar


def _cast(x, dtype: tf.DType):
    return x if x.dtype is dtype else tf.cast(x, dtype)


def _as_float(x):
    """``x`` as a tensor, integers and booleans cast to floatx (for exp, softmax...)."""
    x = convert_to_tensor(x)
    if x.dtype.is_floating or x.dtype.is_complex:
        return x
    return tf.cast(x, config.floatx())


# -- reduction axes --------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _axes_tensor(axes: tuple[int, ...]):
    # Made once, eagerly (init_scope also inside tf.function, so no graph tensor is
    # cached): a Python list costs a reduction ~40 us of conversion on every call.
    with tf.init_scope():
        return tf.constant(axes, dtype=tf.int32)


def _axes(x, axis):
    """``axis`` (None, an int or a sequence) as what a raw reduction takes."""
    if isinstance(axis, int):
        return axis
    if axis is None:
        rank = x.shape.rank
        if rank is None:  # unknown rank, only while tracing: compute all axes
            return tf.range(tf.rank(x))
        return _axes_tensor(tuple(range(rank)))
    return _axes_tensor(tuple(int(a) for a in axis))


# -- ops -------------------------------------------------------------------------
# The arithmetic ops call tf.raw_ops (the kernels themselves) once the operands agree:
# tf.math.add and friends repeat that conversion and add dispatch layers, which costs
# about as much again as the kernel call in eager mode.

_AddV2 = tf.raw_ops.AddV2
_Sub = tf.raw_ops.Sub
_Mul = tf.raw_ops.Mul
_RealDiv = tf.raw_ops.RealDiv
_Maximum = tf.raw_ops.Maximum
_Exp = tf.raw_ops.Exp
_Sum = tf.raw_ops.Sum
_Max = tf.raw_ops.Max
_Any = tf.raw_ops.Any
_MatMul = tf.raw_ops.MatMul
_BatchMatMulV2 = tf.raw_ops.BatchMatMulV2


def add(x1, x2):
    x1, x2 = _operands(x1, x2)
    if x1.dtype is _BOOL:  # no bool kernel; NumPy adds booleans as "or"
        return tf.math.logical_or(x1, x2)
    return _AddV2(x=x1, y=x2)


def subtract(x1, x2):
    x1, x2 = _operands(x1, x2)
    return _Sub(x=x1, y=x2)


def multiply(x1, x2):
    x1, x2 = _operands(x1, x2)
    if x1.dtype is _BOOL:  # no bool kernel; NumPy multiplies booleans as "and"
        return tf.math.logical_and(x1, x2)
    return _Mul(x=x1, y=x2)


def divide(x1, x2):
    x1, x2 = _operands(x1, x2)
    if not (x1.dtype.is_floating or x1.dtype.is_complex):
        # Keras 3 divides integers in floatx; tf.math.truediv would give float64.
        floatx = config.floatx()
        x1, x2 = tf.cast(x1, floatx), tf.cast(x2, floatx)
    return _RealDiv(x=x1, y=x2)


def maximum(x1, x2):
    x1, x2 = _operands(x1, x2)
    if x1.dtype is _BOOL:  # no bool kernel
        return tf.math.logical_or(x1, x2)
    return _Maximum(x=x1, y=x2)


def exp(x):
    return _Exp(x=_as_float(x))


def max(x, axis=None, keepdims=False, initial=None):
    x = convert_to_tensor(x)
    reduce = _Any if x.dtype is _BOOL else _Max  # no bool kernel for Max
    result = reduce(input=x, axis=_axes(x, axis), keep_dims=keepdims)
    if initial is not None:
        # NumPy counts ``initial`` as one more element of every reduced slice.
        result = maximum(result, initial)
    return result


# Keras 3 sums small integers and booleans in a wider type, as NumPy does.
_SUM_WIDENING = {
    tf.bool: tf.int32,
    tf.int8: tf.int32,
    tf.int16: tf.int32,
    tf.uint8: tf.uint32,
    tf.uint16: tf.uint32,
}


def sum(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    wider = _SUM_WIDENING.get(x.dtype)
    if wider is not None:
        x = tf.cast(x, wider)
    return _Sum(input=x, axis=_axes(x, axis), keep_dims=keepdims)


# MatMul has no kernels for these; Keras 3 multiplies them in int32.
_NotEqual = tf.raw_ops.NotEqual
_MATMUL_WIDENING = {tf.bool, tf.int8, tf.int16, tf.uint8, tf.uint16}


def matmul(x1, x2):
    x1, x2 = _operands(convert_to_tensor(x1), convert_to_tensor(x2))
    dtype = x1.dtype
    if dtype in _MATMUL_WIDENING:
        # TF has no kernel for these: compute in int32, then come back to Keras's
        # result dtype (int8 products stay int32; the others wrap as their own
        # integer arithmetic would; bool is "any product is true").
        out = matmul(tf.cast(x1, tf.int32), tf.cast(x2, tf.int32))
        if dtype is tf.bool:
            return _NotEqual(x=out, y=tf.constant(0, tf.int32))
        return out if dtype is tf.int8 else tf.cast(out, dtype)
    rank1, rank2 = x1.shape.rank, x2.shape.rank
    if rank1 == 2 and rank2 == 2:
        return _MatMul(a=x1, b=x2)
    # The matmul kernels need rank >= 2; NumPy treats a vector as a row (first
    # operand) or a column (second) and drops that dimension from the result.
    if rank1 == 1:
        x1 = tf.expand_dims(x1, 0)
    if rank2 == 1:
        x2 = tf.expand_dims(x2, -1)
    result = _BatchMatMulV2(x=x1, y=x2)  # broadcasts the batch dimensions
    added = [axis for axis, vector in ((-2, rank1 == 1), (-1, rank2 == 1)) if vector]
    return tf.squeeze(result, added) if added else result


def relu(x):
    return tf.nn.relu(convert_to_tensor(x))


def softmax(x, axis=-1):
    x = _as_float(x)
    if isinstance(axis, int):
        return tf.nn.softmax(x, axis=axis)
    # tf.nn.softmax takes one axis; over several (or all, axis=None) compute it stably.
    axes = _axes(x, axis)
    e = _Exp(x=_Sub(x=x, y=_Max(input=x, axis=axes, keep_dims=True)))
    return _RealDiv(x=e, y=_Sum(input=e, axis=axes, keep_dims=True))
