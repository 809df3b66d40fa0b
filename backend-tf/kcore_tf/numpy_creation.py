"""Tensor creation, windows and products: this backend's implementations.

TensorFlow's contraction kernels (MatMul, BatchMatMul, hence tensordot and einsum)
exist for int32, int64 and floats only: narrower integers are multiplied in int32 and
brought back to Keras 3's result dtype (wrapping as their own arithmetic would), and
booleans are counted in int32 (a positive count is True).
"""

from __future__ import annotations

import math

from kcore import config
from kcore.dtypes import result_type, standardize_dtype
from kcore.ops.numpy_creation import Vectorized, _arange_dtype, _cross_components
from kcore.ops.numpy_creation import _space_dtype as _space_dtype_name
from kcore_tf.ops import convert_to_tensor, tf

_NARROW = {tf.int8, tf.int16, tf.uint8, tf.uint16, tf.uint32}


def _dtype(dtype):
    return tf.as_dtype(config.floatx() if dtype is None else standardize_dtype(dtype))


def _shape(shape):
    return (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)


def _moveaxis(x, source, destination):
    rank = x.shape.rank
    source, destination = source % rank, destination % rank
    if source == destination:
        return x
    perm = list(range(rank))
    perm.pop(source)
    perm.insert(destination, source)
    return tf.transpose(x, perm)


# -- creation --------------------------------------------------------------------


def arange(start, stop=None, step=None, dtype=None):
    dtype = tf.as_dtype(standardize_dtype(_arange_dtype(start, stop, step, dtype)))
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    exact = not (dtype.is_floating or any(isinstance(v, float) for v in (start, stop, step)))
    compute = tf.int64 if exact else tf.float64
    return tf.cast(tf.range(start, stop, step, dtype=compute), dtype)


def _band(N, M, k, dtype, keep):
    M = N if M is None else M
    rows = tf.range(N)[:, None]
    cols = tf.range(M)[None, :]
    return tf.cast(keep(cols - rows, k), _dtype(dtype))


def eye(N, M=None, k=0, dtype=None):
    return _band(N, M, k, dtype, tf.equal)


def tri(N, M=None, k=0, dtype=None):
    return _band(N, M, k, dtype, tf.less_equal)


def _filled(shape, fill_value, dtype):
    value = convert_to_tensor(fill_value)
    return tf.broadcast_to(tf.cast(value, dtype), shape)  # tf.cast truncates toward zero


def full(shape, fill_value, dtype=None):
    return _filled(_shape(shape), fill_value, _dtype(dtype))


def full_like(x, fill_value, dtype=None):
    x = convert_to_tensor(x)
    dtype = x.dtype if dtype is None else _dtype(dtype)
    return _filled(tf.shape(x), fill_value, dtype)


def ones(shape, dtype=None):
    return tf.ones(_shape(shape), dtype=_dtype(dtype))


def zeros(shape, dtype=None):
    return tf.zeros(_shape(shape), dtype=_dtype(dtype))


def ones_like(x, dtype=None):
    x = convert_to_tensor(x)
    return tf.ones_like(x, dtype=x.dtype if dtype is None else _dtype(dtype))


def zeros_like(x, dtype=None):
    x = convert_to_tensor(x)
    return tf.zeros_like(x, dtype=x.dtype if dtype is None else _dtype(dtype))


def _space_dtype(start, stop, dtype):
    return tf.as_dtype(_space_dtype_name(start, stop, dtype))


def _as64(value):
    return tf.cast(convert_to_tensor(value), tf.float64)


def _samples(start, stop, num, endpoint, axis):
    """float64 samples along a new leading axis (moved to ``axis``), and the step."""
    start, stop = _as64(start), _as64(stop)
    shape = tf.broadcast_static_shape(start.shape, stop.shape)
    start, stop = tf.broadcast_to(start, shape), tf.broadcast_to(stop, shape)
    divisions = (num - 1) if endpoint else num
    index = tf.reshape(tf.range(num, dtype=tf.float64), (num,) + (1,) * shape.rank)
    if divisions > 0:
        step = (stop - start) / divisions
        values = start + index * step
    else:
        step = tf.fill(tf.shape(start), tf.constant(math.nan, tf.float64))
        values = start + index * 0.0
    if endpoint and num > 1:
        values = tf.concat([values[:-1], stop[None]], 0)
    return _moveaxis(values, 0, axis), step


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    out_dtype = _space_dtype(start, stop, dtype)
    values, step = _samples(start, stop, num, endpoint, axis)
    if not (out_dtype.is_floating or out_dtype.is_complex):
        values = tf.floor(values)
    values = tf.cast(values, out_dtype)
    if retstep:
        step_dtype = out_dtype if out_dtype.is_floating else tf.as_dtype(config.floatx())
        return values, tf.cast(step, step_dtype)
    return values


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    out_dtype = _space_dtype(start, stop, dtype)
    values, _ = _samples(start, stop, num, endpoint, axis)
    return tf.cast(tf.pow(_as64(base), values), out_dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    out_dtype = _space_dtype(start, stop, dtype)
    start, stop = _as64(start), _as64(stop)
    shape = tf.broadcast_static_shape(start.shape, stop.shape)
    start, stop = tf.broadcast_to(start, shape), tf.broadcast_to(stop, shape)
    if bool(tf.reduce_any(start == 0)) or bool(tf.reduce_any(stop == 0)):
        raise ValueError("geomspace: a geometric sequence cannot include zero")
    sign = tf.where(start < 0, tf.constant(-1.0, tf.float64), tf.constant(1.0, tf.float64))
    log10 = math.log(10.0)
    logs, _ = _samples(
        tf.math.log(start * sign) / log10, tf.math.log(stop * sign) / log10, num, endpoint, 0
    )
    values = sign * tf.pow(tf.constant(10.0, tf.float64), logs)
    if num > 1 and endpoint:  # the ends exactly, as NumPy gives them
        values = tf.concat([start[None], values[1:-1], stop[None]], 0)
    elif num >= 1:
        values = tf.concat([start[None], values[1:]], 0)
    return tf.cast(_moveaxis(values, 0, axis), out_dtype)


def _triangle(x, k, lower):
    x = convert_to_tensor(x)
    rows, cols = tf.shape(x)[-2], tf.shape(x)[-1]
    offset = tf.range(cols)[None, :] - tf.range(rows)[:, None]
    mask = offset <= k if lower else offset >= k
    return tf.where(mask, x, tf.zeros_like(x))


def tril(x, k=0):
    return _triangle(x, k, True)


def triu(x, k=0):
    return _triangle(x, k, False)


def diag(x, k=0):
    x = convert_to_tensor(x)
    if x.shape.rank == 1:
        return tf.linalg.diag(x, k=k)
    if x.shape.rank != 2:
        raise ValueError(f"diag: expected a tensor of rank 1 or 2, got shape {x.shape}")
    rows, cols = x.shape
    if (k >= 0 and k >= cols) or (k < 0 and -k >= rows):
        return tf.zeros((0,), x.dtype)
    return tf.linalg.diag_part(x, k=k)


def diagflat(x, k=0):
    return diag(tf.reshape(convert_to_tensor(x), (-1,)), k)


def vander(x, N=None, increasing=False):
    x = convert_to_tensor(x)
    N = x.shape[0] if N is None else N
    columns = []
    power = tf.ones_like(x)
    for _ in range(N):
        columns.append(power)
        power = power * x
    out = tf.stack(columns, axis=1) if columns else tf.zeros((x.shape[0], 0), x.dtype)
    return out if increasing else tf.reverse(out, [1])


# -- products ----------------------------------------------------------------------


def _promoted(*values):
    tensors = [convert_to_tensor(v) for v in values]
    dtype = tf.as_dtype(result_type(*(t.dtype.name for t in tensors)))
    return [t if t.dtype is dtype else tf.cast(t, dtype) for t in tensors], dtype


def _contracted(fn, tensors, dtype, result=None):
    result = dtype if result is None else result
    if dtype is tf.bool:
        return tf.not_equal(fn(*(tf.cast(t, tf.int32) for t in tensors)), 0)
    if dtype in _NARROW:
        out = fn(*(tf.cast(t, tf.int32) for t in tensors))
        return tf.cast(out, result)
    return fn(*tensors)


def _dot(a, b):
    if a.shape.rank == 0 or b.shape.rank == 0:
        return a * b
    if b.shape.rank == 1:
        return tf.tensordot(a, b, [[a.shape.rank - 1], [0]])
    return tf.tensordot(a, b, [[a.shape.rank - 1], [b.shape.rank - 2]])


def dot(x1, x2):
    tensors, dtype = _promoted(x1, x2)
    return _contracted(_dot, tensors, dtype)


def _inner(a, b):
    if a.shape.rank == 0 or b.shape.rank == 0:
        return a * b
    return tf.tensordot(a, b, [[a.shape.rank - 1], [b.shape.rank - 1]])


def inner(x1, x2):
    tensors, dtype = _promoted(x1, x2)
    return _contracted(_inner, tensors, dtype)


def outer(x1, x2):
    (a, b), dtype = _promoted(x1, x2)
    a, b = tf.reshape(a, (-1, 1)), tf.reshape(b, (1, -1))
    if dtype is tf.bool:
        return tf.logical_and(a, b)
    return a * b


def vdot(x1, x2):
    (a, b), dtype = _promoted(x1, x2)
    a, b = tf.reshape(a, (-1,)), tf.reshape(b, (-1,))
    if dtype.is_complex:
        a = tf.math.conj(a)
    return _contracted(lambda p, q: tf.tensordot(p, q, 1), [a, b], dtype)


def _tensordot_axes(axes, rank1, rank2):
    if isinstance(axes, int):
        if not 0 <= axes <= min(rank1, rank2):
            raise ValueError(f"tensordot: axes={axes} is out of range for ranks {rank1}, {rank2}")
        return axes
    first, second = axes
    first = [first] if isinstance(first, int) else list(first)
    second = [second] if isinstance(second, int) else list(second)
    return [[int(a) % rank1 for a in first], [int(b) % rank2 for b in second]]


def tensordot(x1, x2, axes=2):
    (a, b), dtype = _promoted(x1, x2)
    dims = _tensordot_axes(axes, a.shape.rank, b.shape.rank)
    return _contracted(lambda p, q: tf.tensordot(p, q, dims), [a, b], dtype)


def einsum(subscripts, *operands, **kwargs):
    tensors, dtype = _promoted(*operands)
    result = dtype
    if all(convert_to_tensor(o).dtype is tf.int8 for o in operands):
        result = tf.int32  # Keras 3 accumulates int8 products in int32
    return _contracted(lambda *ts: tf.einsum(subscripts, *ts), tensors, dtype, result)


def kron(x1, x2):
    (a, b), dtype = _promoted(x1, x2)
    rank = max(a.shape.rank, b.shape.rank)
    sa = (1,) * (rank - a.shape.rank) + tuple(a.shape)
    sb = (1,) * (rank - b.shape.rank) + tuple(b.shape)
    a = tf.reshape(a, [d for n in sa for d in (n, 1)])
    b = tf.reshape(b, [d for n in sb for d in (1, n)])
    product = tf.logical_and(a, b) if dtype is tf.bool else a * b
    return tf.reshape(product, [m * n for m, n in zip(sa, sb)])


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    (a, b), dtype = _promoted(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _moveaxis(a, axisa, -1), _moveaxis(b, axisb, -1)
    components = _cross_components(a, b, tf.zeros_like)
    if len(components) == 1:
        return components[0]
    x, y, z = components
    shape = tf.broadcast_static_shape(tf.broadcast_static_shape(x.shape, y.shape), z.shape)
    components = [tf.broadcast_to(c, shape) for c in (x, y, z)]
    return _moveaxis(tf.stack(components, -1), -1, axisc)


def _float_dtype(*values):
    return tf.as_dtype(result_type(*(convert_to_tensor(v).dtype.name for v in values), float))


def _compute(dtype):
    # Some kernels lack half precision on the CPU: work in float32.
    return tf.float32 if dtype in (tf.float16, tf.bfloat16) else dtype


def correlate(x1, x2, mode="valid"):
    dtype = _float_dtype(x1, x2)
    a = tf.cast(convert_to_tensor(x1), _compute(dtype))
    b = tf.cast(convert_to_tensor(x2), _compute(dtype))
    if a.shape.rank != 1 or b.shape.rank != 1:
        raise ValueError(f"correlate: expected 1-D tensors, got shapes {a.shape} and {b.shape}")
    n, m = a.shape[0], b.shape[0]
    padded = tf.pad(a, [[m - 1, m - 1]])
    full = tf.reshape(
        tf.nn.conv1d(tf.reshape(padded, (1, -1, 1)), tf.reshape(b, (m, 1, 1)), 1, "VALID"), (-1,)
    )
    short, long = min(n, m), max(n, m)
    if mode == "full":
        out = full
    elif mode == "valid":
        out = full[short - 1 : long]
    elif mode == "same":
        start = (short - 1) // 2
        out = full[start : start + long]
    else:
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full', got {mode!r}")
    return tf.cast(out, dtype)


def corrcoef(x):
    dtype = _float_dtype(x)
    x = tf.cast(convert_to_tensor(x), _compute(dtype))
    single = x.shape.rank == 1
    if single:
        x = x[None]
    centered = x - tf.reduce_mean(x, axis=1, keepdims=True)
    cov = tf.matmul(centered, centered, adjoint_b=True)
    d = tf.sqrt(tf.linalg.diag_part(cov))
    out = tf.clip_by_value(cov / d[:, None] / d[None, :], -1.0, 1.0)
    return tf.cast(out[0, 0] if single else out, dtype)


def slogdet(x):
    dtype = _float_dtype(x)
    sign, logdet = tf.linalg.slogdet(tf.cast(convert_to_tensor(x), _compute(dtype)))
    return tf.cast(sign, dtype), tf.cast(logdet, dtype)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    dtype = _float_dtype(y) if x is None else _float_dtype(y, x)
    y = _moveaxis(tf.cast(convert_to_tensor(y), dtype), axis, -1)
    if x is None:
        d = tf.constant(dx, dtype)
    else:
        x = tf.cast(convert_to_tensor(x), dtype)
        x = x if x.shape.rank == 1 else _moveaxis(x, axis, -1)
        d = x[..., 1:] - x[..., :-1]
    return tf.reduce_sum(d * (y[..., 1:] + y[..., :-1]) / 2, axis=-1)


def _stack(values, axis=0):
    return tf.stack(values, axis)


def vectorize(pyfunc, *, excluded=None, signature=None):
    return Vectorized(
        pyfunc, excluded, signature, (convert_to_tensor, tf.broadcast_to, tf.reshape, _stack)
    )
