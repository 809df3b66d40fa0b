"""Signal-processing ops: FFTs, STFT and framing (``keras.ops.math``).

Complex values travel as Keras 3 passes them: a ``(real, imag)`` pair of real tensors
of one shape, in and out. Result dtypes follow Keras 3: the dtype of the input (the
promoted dtype of the pair); integer and boolean inputs give ``floatx()``; float16
and bfloat16 are transformed in float32 and given back in their own dtype (Keras 3
refuses them on most backends).

``stft`` and ``istft`` follow Keras 3's JAX and NumPy backends (SciPy's definitions):
frames of ``fft_length`` samples every ``sequence_stride``, the window (periodic
``"hann"`` or ``"hamming"`` of ``sequence_length``, or a tensor of that length) zero
padded on both sides to ``fft_length``, no window at all for ``window=None``;
``center=True`` reflects ``fft_length // 2`` samples at both ends first. ``istft``
overlap-adds the windowed inverse transforms and divides by the overlap-added squared
window wherever that exceeds 1e-10 (so ``istft(stft(x))`` gives ``x`` back); with
``window=None`` it overlap-adds the frames, scaled by ``fft_length / sequence_stride``
over the number of frames covering each sample, as Keras does.

The private checkers below word bad arguments; the backends call them where their
framework would not raise, and the ``expect=`` rules give the same words.
"""

from __future__ import annotations

import numpy as np

from kcore import config, ops
from kcore.ops.cases import Case
from kcore.ops.contract import op

# --------------------------------------------------------------------------- checks
# Each returns the broken expectation as text, or None; they take static shapes (a
# ``None`` dimension is unknown and passes).

#: Window names ``stft`` and ``istft`` accept (as Keras 3).
WINDOWS = ("hann", "hamming")


def _shape_of(value):
    shape = getattr(value, "shape", None)
    if shape is None:
        try:
            return np.shape(value)
        except ValueError:
            return None
    try:
        return tuple(None if d is None else int(d) for d in shape)
    except TypeError:  # unknown rank while tracing
        return None


def _pair_problem(x, min_rank=1):
    """``x`` is a ``(real, imag)`` pair of tensors of one shape and rank ``min_rank``+."""
    if not isinstance(x, tuple | list) or len(x) != 2:
        return "x as a (real, imag) pair of tensors"
    a, b = _shape_of(x[0]), _shape_of(x[1])
    if a is None or b is None:
        return None
    if len(a) != len(b) or any(p is not None and q is not None and p != q for p, q in zip(a, b)):
        return f"x as a (real, imag) pair of tensors of one shape, got shapes {a} and {b}"
    if len(a) < min_rank:
        return f"x of rank {min_rank} or more, got shape {a}"
    return None


def _rank_problem(x, min_rank):
    shape = _shape_of(x)
    if shape is not None and len(shape) < min_rank:
        return f"x of rank {min_rank} or more, got shape {shape}"
    return None


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        return f"{name} to be a positive int, got {value!r}"
    return None


def _sequences_problem(x, sequence_length, sequence_stride):
    problem = (
        _rank_problem(x, 1)
        or _positive_int("sequence_length", sequence_length)
        or _positive_int("sequence_stride", sequence_stride)
    )
    if problem:
        return problem
    shape = _shape_of(x)
    if shape and shape[-1] is not None and sequence_length > shape[-1]:
        return (
            f"sequence_length at most the length of the signal (x's last dimension, "
            f"{shape[-1]}), got sequence_length={sequence_length}"
        )
    return None


def _fft_length_problem(fft_length):
    if fft_length is None:
        return None
    return _positive_int("fft_length", fft_length)


def _window_problem(window, sequence_length):
    if window is None:
        return None
    if isinstance(window, str):
        if window not in WINDOWS:
            return f"window to be 'hann', 'hamming', a tensor or None, got {window!r}"
        return None
    shape = _shape_of(window)
    if shape is not None and (len(shape) != 1 or shape[0] not in (None, sequence_length)):
        return f"window of shape ({sequence_length},) (sequence_length), got shape {shape}"
    return None


def _frames_problem(sequence_length, sequence_stride, fft_length, window):
    problem = (
        _positive_int("sequence_length", sequence_length)
        or _positive_int("sequence_stride", sequence_stride)
        or _positive_int("fft_length", fft_length)
    )
    if problem:
        return problem
    if fft_length < sequence_length:
        return (
            f"fft_length at least sequence_length, got fft_length={fft_length} and "
            f"sequence_length={sequence_length}"
        )
    return _window_problem(window, sequence_length)


def _stft_problem(x, sequence_length, sequence_stride, fft_length, window, center):
    problem = _rank_problem(x, 1) or _frames_problem(
        sequence_length, sequence_stride, fft_length, window
    )
    if problem:
        return problem
    shape = _shape_of(x)
    length = shape[-1] if shape else None
    if length is None:
        return None
    if center and fft_length // 2 >= length:
        return (
            f"a signal longer than fft_length // 2 = {fft_length // 2} samples to reflect "
            f"at both ends (center=True), got x's last dimension {length}"
        )
    if not center and fft_length > length:
        return (
            f"frames of fft_length={fft_length} samples to fit in the signal (x's last "
            f"dimension, {length}); pad it or pass center=True"
        )
    return None


def _istft_problem(x, sequence_length, sequence_stride, fft_length, window):
    return _pair_problem(x, 2) or _frames_problem(
        sequence_length, sequence_stride, fft_length, window
    )


def _check(problem):
    """Raise ``ValueError(problem)`` when a checker found one (called by backends)."""
    if problem:
        raise ValueError(problem)


def _rule(checker, *names):
    """An ``expect=`` rule: ``checker`` of the named arguments."""

    def rule(values):
        return checker(*(values[name] for name in names))

    return rule


# --------------------------------------------------------------------------- helpers


def _work_dtype(dtype):
    """The dtype a transform computes in for an input of ``dtype``, and the dtype it
    returns: float32/float64 both, half floats float32 and themselves, the rest floatx."""
    if dtype in ("float32", "float64"):
        return dtype, dtype
    if dtype in ("float16", "bfloat16"):
        return "float32", dtype
    return config.floatx(), config.floatx()


def _pair_dtype(dtype1, dtype2):
    """The dtype of a ``(real, imag)`` pair of these dtypes (before :func:`_work_dtype`)."""
    from kcore.dtypes import result_type

    return dtype1 if dtype1 == dtype2 else result_type(dtype1, dtype2)


def window_array(window, sequence_length, fft_length):
    """The named window as a float64 NumPy array, zero padded on both sides from
    ``sequence_length`` to ``fft_length`` samples (periodic, as SciPy's ``get_window``)."""
    n = np.arange(sequence_length)
    if sequence_length == 1:
        values = np.ones(1)
    elif window == "hann":
        values = 0.5 - 0.5 * np.cos(2.0 * np.pi * n / sequence_length)
    else:
        values = 0.54 - 0.46 * np.cos(2.0 * np.pi * n / sequence_length)
    left = (fft_length - sequence_length) // 2
    return np.pad(values, (left, fft_length - sequence_length - left))


def window_padding(sequence_length, fft_length):
    """``(left, right)`` zeros that centre a window of ``sequence_length`` in ``fft_length``."""
    left = (fft_length - sequence_length) // 2
    return left, fft_length - sequence_length - left


def istft_slice(sequence_stride, fft_length, length, center):
    """``(start, end)`` of the samples ``istft`` keeps of its overlap-added frames
    (``end`` negative or None counts from the end, so no frame count is needed)."""
    start = fft_length // 2 if center else 0
    if length is not None:
        return start, start + length
    return start, (-start or None)


def _window_tensor(ops, window, sequence_length, fft_length, dtype):
    """The padded window as a tensor of ``dtype``, or None (for composites)."""
    if window is None:
        return None
    if isinstance(window, str):
        return ops.convert_to_tensor(window_array(window, sequence_length, fft_length), dtype)
    win = ops.cast(ops.convert_to_tensor(window), dtype)
    left, right = window_padding(sequence_length, fft_length)
    return ops.pad(win, [(left, right)]) if left or right else win


def _overlap_add(ops, frames, sequence_stride):
    """Sum frames ``(..., F, L)`` placed every ``sequence_stride`` samples: ``(..., T)``
    with ``T = L + sequence_stride * (F - 1)`` (for composites)."""
    *batch, count, length = frames.shape
    steps = -(-length // sequence_stride)
    padding = [(0, 0)] * (len(batch) + 1)
    frames = ops.pad(frames, padding + [(0, steps * sequence_stride - length)])
    total = None
    for s in range(steps):
        chunk = frames[..., s * sequence_stride : (s + 1) * sequence_stride]
        shifted = ops.pad(chunk, [(0, 0)] * len(batch) + [(s, steps - 1 - s), (0, 0)])
        total = shifted if total is None else ops.add(total, shifted)
    merged = (count + steps - 1) * sequence_stride if count is not None else -1
    out = ops.reshape(total, (*(-1 if d is None else d for d in batch), merged))
    extra = steps * sequence_stride - length  # the zeros padded after the last frame
    return out[..., : -extra or None]


# --------------------------------------------------------------------------- cases

_F32 = "float32"


def _real(rng, shape, dtype=_F32):
    return rng.uniform(-2.0, 2.0, shape).astype(dtype)


def _pair(rng, shape, dtype=_F32):
    return (_real(rng, shape, dtype), _real(rng, shape, dtype))


def _cases(*rows):
    """Cases from ``(id, build(rng) -> (args, kwargs), grad)`` rows; a case whose
    arrays the backend lacks a dtype for is left out."""

    def make(spec, rng, supported):
        out = []
        for label, build, grad in rows:
            args, kwargs = build(rng)
            leaves = [*args, *kwargs.values()]
            arrays = [a for v in leaves for a in (v if isinstance(v, tuple) else (v,))]
            dtypes = {a.dtype.name for a in arrays if isinstance(a, np.ndarray)}
            if dtypes <= supported:
                out.append(Case(label, tuple(args), kwargs, grad))
        return out

    return make


def _pair_cases(shapes_2d=False):
    first = (2, 3, 4) if shapes_2d else (2, 5)
    second = (3, 5) if shapes_2d else (3, 4)
    return _cases(
        ("f32", lambda r: ((_pair(r, first),), {}), False),
        ("f64", lambda r: ((_pair(r, second, "float64"),), {}), False),
        ("f32-small", lambda r: ((_pair(r, (4, 4) if shapes_2d else (6,)),), {}), False),
        ("int32", lambda r: (((r.integers(-3, 4, second).astype("int32"),) * 2,), {}), False),
    )


def _fft2_op():
    """The ``@op`` of ``fft2`` and ``ifft2``: a ``(real, imag)`` pair of rank 2 or more."""
    return op(
        "math",
        tensors=("x",),
        expect=lambda values: _pair_problem(values["x"], 2),
        cases=_pair_cases(shapes_2d=True),
    )


# --------------------------------------------------------------------------- framing


@op(
    "math",
    composite=True,
    expect=_rule(_sequences_problem, "x", "sequence_length", "sequence_stride"),
    cases=_cases(
        ("f32-2x7-l3-s2", lambda r: ((_real(r, (2, 7)), 3, 2), {}), True),
        ("f32-7-l2-s3", lambda r: ((_real(r, (7,)), 2, 3), {}), True),
        ("f64-2x2x6-l2-s2", lambda r: ((_real(r, (2, 2, 6), "float64"), 2, 2), {}), True),
        (
            "int32-2x5-l5-s1",
            lambda r: ((r.integers(-5, 5, (2, 5)).astype("int32"), 5, 1), {}),
            False,
        ),
    ),
)
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` samples taken every ``sequence_stride`` samples along
    the last axis: ``(..., T)`` becomes ``(..., (T - sequence_length) // sequence_stride
    + 1, sequence_length)``; the dtype is kept.

    Example::

        >>> kcore.ops.extract_sequences([1, 2, 3, 4, 5], 3, 2)   # tensor [[1, 2, 3], [3, 4, 5]]
    """
    x = ops.convert_to_tensor(x)
    _check(_sequences_problem(x, sequence_length, sequence_stride))
    count = (x.shape[-1] - sequence_length) // sequence_stride + 1
    index = np.arange(count)[:, None] * sequence_stride + np.arange(sequence_length)
    return ops.take(x, ops.convert_to_tensor(index.astype("int32")), axis=-1)


# --------------------------------------------------------------------------- FFTs


@op("math", tensors=("x",), expect=_rule(_pair_problem, "x"), cases=_pair_cases())
def fft(x):
    """The discrete Fourier transform along the last axis of a complex tensor given as a
    ``(real, imag)`` pair of real tensors; returns the result as such a pair.

    Example::

        >>> real, imag = kcore.ops.fft(([1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]))
        >>> real   # tensor [1.0, 1.0, 1.0, 1.0]; imag is zeros
    """
    ...


@_fft2_op()
def fft2(x):
    """The two-dimensional discrete Fourier transform over the last two axes of a
    complex tensor given as a ``(real, imag)`` pair; returns a ``(real, imag)`` pair.

    Example::

        >>> real, imag = kcore.ops.fft2(([[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]))
        >>> real   # tensor [[1.0, 1.0], [1.0, 1.0]]
    """
    ...


@_fft2_op()
def ifft2(x):
    """The inverse two-dimensional discrete Fourier transform over the last two axes of
    a complex tensor given as a ``(real, imag)`` pair (scaled by ``1 / n``, so
    ``ifft2(fft2(x))`` is ``x``); returns a ``(real, imag)`` pair.

    Example::

        >>> real, imag = kcore.ops.ifft2(([[4.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]))
        >>> real   # tensor [[1.0, 1.0], [1.0, 1.0]]
    """
    ...


def _rfft_problem(x, fft_length):
    return _rank_problem(x, 1) or _fft_length_problem(fft_length)


@op(
    "math",
    expect=_rule(_rfft_problem, "x", "fft_length"),
    cases=_cases(
        ("f32-2x6", lambda r: ((_real(r, (2, 6)),), {}), True),
        ("f32-2x5-n8", lambda r: ((_real(r, (2, 5)), 8), {}), True),
        ("f32-2x7-n4", lambda r: ((_real(r, (2, 7)),), {"fft_length": 4}), True),
        ("f64-5", lambda r: ((_real(r, (5,), "float64"),), {}), True),
        ("int32-2x4", lambda r: ((r.integers(-3, 4, (2, 4)).astype("int32"),), {}), False),
    ),
)
def rfft(x, fft_length=None):
    """The discrete Fourier transform of a real signal along its last axis, keeping the
    ``fft_length // 2 + 1`` non-negative frequencies; the signal is cut or zero padded
    to ``fft_length`` samples first (default: its length). Returns ``(real, imag)``.

    Example::

        >>> real, imag = kcore.ops.rfft([1.0, 1.0, 1.0, 1.0])
        >>> real   # tensor [4.0, 0.0, 0.0]; imag is zeros
    """
    ...


def _irfft_problem(x, fft_length):
    return _pair_problem(x) or _fft_length_problem(fft_length)


@op(
    "math",
    tensors=("x",),
    expect=_rule(_irfft_problem, "x", "fft_length"),
    cases=_cases(
        ("f32-2x4", lambda r: ((_pair(r, (2, 4)),), {}), False),
        ("f32-2x4-n5", lambda r: ((_pair(r, (2, 4)), 5), {}), False),
        ("f32-3-n8", lambda r: ((_pair(r, (3,)),), {"fft_length": 8}), False),
        ("f64-2x5", lambda r: ((_pair(r, (2, 5), "float64"),), {}), False),
    ),
)
def irfft(x, fft_length=None):
    """The inverse of :func:`rfft`: a real signal of ``fft_length`` samples (default
    ``2 * (n - 1)`` for ``n`` frequencies) from the non-negative frequencies of its
    transform, given as a ``(real, imag)`` pair along the last axis.

    Example::

        >>> kcore.ops.irfft(([4.0, 0.0, 0.0], [0.0, 0.0, 0.0]))   # tensor [1.0, 1.0, 1.0, 1.0]
    """
    ...


# --------------------------------------------------------------------------- STFT


def _stft_case(label, shape, frames, dtype=_F32, grad=True, **kwargs):
    def build(rng):
        x = (
            _real(rng, shape, dtype)
            if dtype != "int32"
            else rng.integers(-3, 4, shape).astype(dtype)
        )
        if isinstance(kwargs.get("window"), list):
            kwargs["window"] = np.asarray(kwargs["window"], dtype)
        return (x, *frames), dict(kwargs)

    return (label, build, grad)


@op(
    "math",
    composite=True,
    expect=_rule(
        _stft_problem, "x", "sequence_length", "sequence_stride", "fft_length", "window", "center"
    ),
    cases=_cases(
        _stft_case("f32-2x16-hann", (2, 16), (8, 4, 8)),
        _stft_case("f32-10-hamming-l6-n8", (10,), (6, 2, 8), window="hamming", center=False),
        _stft_case("f32-2x12-none-l5-s3-n7", (2, 12), (5, 3, 7), window=None),
        _stft_case("f32-2x9-tensor", (2, 9), (3, 2, 4), window=[0.5, 1.0, 0.25], center=False),
        _stft_case("f64-2x2x10", (2, 2, 10), (4, 3, 6), "float64", grad=False),
        _stft_case("int32-2x8", (2, 8), (4, 2, 4), "int32", grad=False),
    ),
)
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform along the last axis: the :func:`rfft` of frames of
    ``fft_length`` samples every ``sequence_stride`` samples, each multiplied by
    ``window`` (``"hann"``, ``"hamming"``, a tensor of ``sequence_length`` values, or
    None for no window) centred in the frame; ``center`` reflects ``fft_length // 2``
    samples at both ends first. Returns ``(real, imag)`` of shape ``(..., frames,
    fft_length // 2 + 1)``.

    Example::

        >>> real, imag = kcore.ops.stft(kcore.ops.ones((16,)), 8, 4, 8)
        >>> real.shape   # (5, 5)
    """
    x = ops.convert_to_tensor(x)
    _check(_stft_problem(x, sequence_length, sequence_stride, fft_length, window, center))
    work, out = _work_dtype(ops.dtype(x))
    x = ops.cast(x, work)
    if center:
        half = fft_length // 2
        x = ops.pad(x, [(0, 0)] * (len(x.shape) - 1) + [(half, half)], mode="reflect")
    frames = ops.extract_sequences(x, fft_length, sequence_stride)
    win = _window_tensor(ops, window, sequence_length, fft_length, work)
    if win is not None:
        frames = ops.multiply(frames, win)
    real, imag = ops.rfft(frames, fft_length)
    return ops.cast(real, out), ops.cast(imag, out)


def _istft_case(label, shape, frames, dtype=_F32, **kwargs):
    # No tensor window here: the conformance kit would take it for the batched
    # argument (the pair is not one array); tests/test_ops_signal.py covers it.
    def build(rng):
        return (_pair(rng, shape, dtype), *frames), dict(kwargs)

    return (label, build, False)


@op(
    "math",
    composite=True,
    tensors=("x",),
    expect=_rule(_istft_problem, "x", "sequence_length", "sequence_stride", "fft_length", "window"),
    cases=_cases(
        _istft_case("f32-2x5x5-hann", (2, 5, 5), (8, 4, 8)),
        _istft_case("f32-6x5-hamming-l6-n8", (6, 5), (6, 2, 8), window="hamming", center=False),
        _istft_case("f32-4x5-length", (4, 5), (6, 2, 8), length=7),
        _istft_case("f32-2x4x4-none-l5-n7", (2, 4, 4), (5, 3, 7), window=None),
        _istft_case("f64-2x4x4", (2, 4, 4), (6, 3, 6), "float64"),
    ),
)
def istft(
    x,
    sequence_length,
    sequence_stride,
    fft_length,
    length=None,
    window="hann",
    center=True,
):
    """Inverse short-time Fourier transform: the signal whose :func:`stft` (same
    arguments) is ``x``, a ``(real, imag)`` pair of shape ``(..., frames, bins)``. The
    windowed inverse transforms of the frames are overlap-added and divided by the
    overlap-added squared window; ``center`` drops the ``fft_length // 2`` reflected
    samples at both ends, and ``length`` keeps that many samples.

    Example::

        >>> x = kcore.ops.convert_to_tensor(np.random.rand(16).astype("float32"))
        >>> y = kcore.ops.istft(kcore.ops.stft(x, 8, 4, 8), 8, 4, 8)   # y equals x
    """
    _check(_istft_problem(x, sequence_length, sequence_stride, fft_length, window))
    real, imag = (ops.convert_to_tensor(part) for part in x)
    work, out = _work_dtype(_pair_dtype(ops.dtype(real), ops.dtype(imag)))
    frames = ops.irfft((ops.cast(real, work), ops.cast(imag, work)), fft_length)
    # The squared window of every frame: (frames, fft_length), from the first batch
    # entry's shape so an unknown number of frames needs no shape.
    squares = ops.ones_like(frames[(0,) * (len(frames.shape) - 2)])
    win = _window_tensor(ops, window, sequence_length, fft_length, work)
    if win is not None:
        frames = ops.multiply(frames, win)
        squares = ops.multiply(squares, ops.multiply(win, win))
    signal = _overlap_add(ops, frames, sequence_stride)
    envelope = _overlap_add(ops, squares, sequence_stride)
    envelope = ops.where(ops.greater(envelope, 1e-10), envelope, ops.ones_like(envelope))
    signal = ops.divide(signal, envelope)
    if win is None:
        signal = ops.multiply(signal, fft_length / sequence_stride)
    start, end = istft_slice(sequence_stride, fft_length, length, center)
    return ops.cast(signal[..., start:end], out)
