"""Signal ops (``extract_sequences``, the FFTs, ``stft``, ``istft``) beyond what the
conformance suite can say, on every installed backend: ``istft(stft(x))`` gives ``x``
back, windows given as tensors and lists, composites against native versions,
gradients through ``(real, imag)`` pair arguments (which the kit does not
differentiate), half floats, and bad arguments as the same ``OpError`` everywhere.
"""

from __future__ import annotations

import numpy as np
import pytest
from ops_helpers import BACKENDS, n, namespace, namespace_without, t

from kcore.errors import OpError

RNG = np.random.default_rng(20261121)


def _signal(shape, dtype="float32"):
    return RNG.standard_normal(shape).astype(dtype)


def _close(ns, got, expected, rtol=1e-5, atol=1e-5):
    got = got if isinstance(got, tuple) else (got,)
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(n(ns, g), np.asarray(e), rtol=rtol, atol=atol)


# -- istft(stft(x)) ----------------------------------------------------------------------

ROUND_TRIPS = [
    # (sequence_length, sequence_stride, fft_length, window, center)
    (8, 4, 8, "hann", True),
    (6, 2, 8, "hann", True),
    (5, 3, 7, "hann", True),
    (8, 2, 8, "hamming", False),
    (6, 3, 8, "hamming", True),
]


@pytest.mark.parametrize(("sl", "ss", "fl", "window", "center"), ROUND_TRIPS)
def test_istft_inverts_stft(ns, sl, ss, fl, window, center):
    x = _signal((2, 3, 24))
    spectrum = ns.stft(t(ns, x), sl, ss, fl, window=window, center=center)
    y = n(ns, ns.istft(spectrum, sl, ss, fl, window=window, center=center))
    kept = y.shape[-1]
    assert kept <= 24 and kept >= 24 - fl
    np.testing.assert_allclose(y, x[..., :kept], rtol=1e-4, atol=1e-5)


def test_istft_length_and_tensor_window(ns):
    x = _signal((2, 20))
    window = RNG.uniform(0.5, 1.5, 6).astype("float32")
    spectrum = ns.stft(t(ns, x), 6, 2, 8, window=t(ns, window))
    y = ns.istft(spectrum, 6, 2, 8, length=20, window=t(ns, window))
    np.testing.assert_allclose(n(ns, y), x, rtol=1e-4, atol=1e-5)
    short = ns.istft(spectrum, 6, 2, 8, length=5, window=window.tolist())
    np.testing.assert_allclose(n(ns, short), x[:, :5], rtol=1e-4, atol=1e-5)


def test_istft_without_window_scales_as_keras(ns):
    # Keras 3 overlap-adds unwindowed frames scaled by fft_length / sequence_stride
    # over the frames covering each sample: fft_length / sequence_stride times x.
    x = _signal((2, 16))
    spectrum = ns.stft(t(ns, x), 8, 4, 8, window=None)
    y = ns.istft(spectrum, 8, 4, 8, window=None)
    np.testing.assert_allclose(n(ns, y), 2.0 * x, rtol=1e-4, atol=1e-5)


def test_istft_with_gaps_between_frames(ns):
    # A stride longer than the frames leaves samples no frame covers: they come back 0.
    x = _signal((2, 22))
    spectrum = ns.stft(t(ns, x), 4, 6, 4, window="hamming", center=False)
    y = n(ns, ns.istft(spectrum, 4, 6, 4, window="hamming", center=False))
    covered = (np.arange(22) % 6) < 4
    np.testing.assert_allclose(y[:, covered], x[:, covered], rtol=1e-4, atol=1e-5)
    assert not y[:, ~covered].any()


@pytest.mark.skipif("tensorflow" not in BACKENDS, reason="tensorflow is not installed")
def test_tf_graphs_with_unknown_lengths():
    import tensorflow as tf

    ns = namespace("tensorflow")
    spec = tf.TensorSpec((None, None), tf.float32)
    x = _signal((2, 24))

    @tf.function(input_signature=[spec])
    def round_trip(a):
        return ns.istft(ns.stft(a, 8, 4, 8), 8, 4, 8)

    @tf.function(input_signature=[spec])
    def transforms(a):
        return ns.irfft(ns.rfft(a)), ns.extract_sequences(a, 3, 2)

    np.testing.assert_allclose(round_trip(x).numpy(), x, rtol=1e-4, atol=1e-5)
    back, frames = transforms(x)
    np.testing.assert_allclose(back.numpy(), x, rtol=1e-4, atol=1e-5)
    assert frames.shape == (2, 11, 3)


# -- against NumPy's own definitions ---------------------------------------------------


def test_ffts_match_numpy(ns):
    real, imag = _signal((2, 3, 4)), _signal((2, 3, 4))
    z = real.astype("float64") + 1j * imag
    pair = (t(ns, real), t(ns, imag))
    for op, expected in [
        (ns.fft, np.fft.fft(z)),
        (ns.fft2, np.fft.fft2(z)),
        (ns.ifft2, np.fft.ifft2(z)),
    ]:
        _close(ns, op(pair), (expected.real, expected.imag))
    expected = np.fft.rfft(real.astype("float64"), n=6)
    _close(ns, ns.rfft(t(ns, real), 6), (expected.real, expected.imag))
    _close(ns, ns.irfft(pair, 5), np.fft.irfft(z, n=5))


def test_stft_matches_plain_numpy_framing(ns):
    x = _signal((2, 19))
    got = ns.stft(t(ns, x), 6, 3, 8, window="hann", center=True)
    padded = np.pad(x.astype("float64"), [(0, 0), (4, 4)], mode="reflect")
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(6) / 6)
    window = np.pad(hann, (1, 1))
    frames = np.stack([padded[:, i : i + 8] for i in range(0, padded.shape[-1] - 7, 3)], -2)
    expected = np.fft.rfft(frames * window, axis=-1)
    _close(ns, got, (expected.real, expected.imag))


def test_extract_sequences_matches_slices(ns):
    x = np.arange(24, dtype="int32").reshape(2, 12)
    got = n(ns, ns.extract_sequences(t(ns, x, "int32"), 4, 3))
    expected = np.stack([x[:, i : i + 4] for i in (0, 3, 6)], axis=-2)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, expected)


# -- composites against native versions -----------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_composites_match_native_versions(backend):
    native = namespace(backend)
    composite = namespace_without(backend, ["extract_sequences", "stft", "istft"])
    x = _signal((2, 2, 15))
    window = RNG.uniform(0.5, 1.5, 5).astype("float32")
    for kwargs in [
        {},
        {"window": "hamming", "center": False},
        {"window": None},
        {"window": window},
        {"window": "hann", "center": False, "sequence_stride": 7},
    ]:
        kwargs = {"sequence_stride": 2, **kwargs}
        a = native.stft(t(native, x), 5, fft_length=6, **kwargs)
        b = composite.stft(t(composite, x), 5, fft_length=6, **kwargs)
        _close(native, a, tuple(n(composite, p) for p in b))
        c = native.istft(a, 5, fft_length=6, **kwargs)
        d = composite.istft(b, 5, fft_length=6, **kwargs)
        _close(native, c, n(composite, d))
    e = native.extract_sequences(t(native, x), 4, 3)
    f = composite.extract_sequences(t(composite, x), 4, 3)
    _close(native, e, n(composite, f), rtol=0, atol=0)


# -- dtypes ----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_floats_come_back_in_their_dtype(ns, dtype):
    if dtype not in ns.backend.capabilities.dtypes:
        pytest.skip(f"{ns.backend.name} has no {dtype}")
    x = t(ns, _signal((2, 8)), dtype)
    pair = (x, x)
    results = [
        *ns.fft(pair),
        *ns.fft2(pair),
        *ns.ifft2(pair),
        *ns.rfft(x),
        ns.irfft(pair),
        ns.extract_sequences(x, 3, 2),
        *ns.stft(x, 4, 2, 4),
    ]
    assert {ns.dtype(r) for r in results} == {dtype}
    y = ns.istft(ns.stft(x, 4, 2, 4), 4, 2, 4)
    assert ns.dtype(y) == dtype


def test_integer_signals_become_floatx(ns):
    x = t(ns, [[1, 2, 3, 4, 5, 6]], "int32")
    assert {ns.dtype(p) for p in ns.rfft(x)} == {"float32"}
    assert {ns.dtype(p) for p in ns.stft(x, 4, 2, 4)} == {"float32"}
    assert ns.dtype(ns.extract_sequences(x, 2, 2)) == "int32"


# -- gradients through (real, imag) pairs --------------------------------------------


def _numeric_gradient(reference, f, arrays, eps=1e-6):
    grads = []
    for i, array in enumerate(arrays):
        g = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            plus = [a.copy() for a in arrays]
            minus = [a.copy() for a in arrays]
            plus[i][index] += eps
            minus[i][index] -= eps
            g[index] = (f(reference, plus) - f(reference, minus)) / (2 * eps)
        grads.append(g)
    return grads


PAIR_OPS = {
    "fft": ((2, 3), lambda ns, p: ns.fft(p)),
    "fft2": ((2, 3), lambda ns, p: ns.fft2(p)),
    "ifft2": ((3, 2), lambda ns, p: ns.ifft2(p)),
    "irfft": ((2, 4), lambda ns, p: (ns.irfft(p, 6),)),
    "istft": ((4, 5), lambda ns, p: (ns.istft(p, 6, 2, 8),)),
}


@pytest.mark.parametrize("op", sorted(PAIR_OPS))
def test_gradients_through_pairs(tns, op):
    shape, call = PAIR_OPS[op]
    real, imag = _signal(shape), _signal(shape)
    reference = namespace("numpy")
    weights = [RNG.uniform(0.5, 1.5, np.shape(o)) for o in call(reference, (real, imag))]

    def total(ns, parts):
        outs = call(ns, tuple(parts))
        if ns is reference:
            return float(sum(np.sum(np.asarray(o, "float64") * w) for o, w in zip(outs, weights)))
        terms = [ns.sum(ns.multiply(o, t(ns, w))) for o, w in zip(outs, weights)]
        return terms[0] if len(terms) == 1 else ns.add(terms[0], terms[1])

    expected = _numeric_gradient(reference, total, [real.astype("float64"), imag.astype("float64")])
    got = tns.backend.gradient(lambda r, i: total(tns, (r, i)), t(tns, real), t(tns, imag))
    for g, e in zip(got, expected):
        np.testing.assert_allclose(n(tns, g), e, rtol=2e-3, atol=2e-3)


# -- bad arguments ---------------------------------------------------------------------


def _x(ns, shape=(2, 10)):
    return t(ns, np.zeros(shape, "float32"))


BAD = {
    "sequence longer than signal": (
        "extract_sequences",
        lambda ns: ns.extract_sequences(_x(ns), 11, 1),
        "expected sequence_length at most the length of the signal (x's last dimension, "
        "10), got sequence_length=11",
    ),
    "stride zero": (
        "extract_sequences",
        lambda ns: ns.extract_sequences(_x(ns), 2, 0),
        "expected sequence_stride to be a positive int, got 0",
    ),
    "stft frames longer than signal": (
        "stft",
        lambda ns: ns.stft(_x(ns), 12, 4, 12, center=False),
        "expected frames of fft_length=12 samples to fit in the signal",
    ),
    "stft fft_length below sequence_length": (
        "stft",
        lambda ns: ns.stft(_x(ns), 8, 4, 6),
        "expected fft_length at least sequence_length, got fft_length=6 and sequence_length=8",
    ),
    "istft fft_length below sequence_length": (
        "istft",
        lambda ns: ns.istft((_x(ns, (3, 4)), _x(ns, (3, 4))), 8, 4, 6),
        "expected fft_length at least sequence_length, got fft_length=6 and sequence_length=8",
    ),
    "stft unknown window": (
        "stft",
        lambda ns: ns.stft(_x(ns), 4, 2, 4, window="blackman"),
        "expected window to be 'hann', 'hamming', a tensor or None, got 'blackman'",
    ),
    "stft window of wrong length": (
        "stft",
        lambda ns: ns.stft(_x(ns), 4, 2, 4, window=t(ns, np.ones(3))),
        "expected window of shape (4,) (sequence_length), got shape (3,)",
    ),
    "stft center on a short signal": (
        "stft",
        lambda ns: ns.stft(_x(ns, (2, 3)), 6, 2, 6),
        "expected a signal longer than fft_length // 2 = 3 samples",
    ),
    **{
        f"{op} pair of two shapes": (
            op,
            lambda ns, op=op: getattr(ns, op)((_x(ns, (3, 4)), _x(ns, (3, 5)))),
            "expected x as a (real, imag) pair of tensors of one shape, got shapes (3, 4) "
            "and (3, 5)",
        )
        for op in ("fft", "fft2", "ifft2", "irfft")
    },
    "istft pair of two shapes": (
        "istft",
        lambda ns: ns.istft((_x(ns, (3, 5)), _x(ns, (3, 4))), 4, 2, 4),
        "expected x as a (real, imag) pair of tensors of one shape, got shapes (3, 5) and (3, 4)",
    ),
    "fft of one tensor": (
        "fft",
        lambda ns: ns.fft(_x(ns)),
        "expected x as a (real, imag) pair of tensors",
    ),
    "fft2 of rank 1": (
        "fft2",
        lambda ns: ns.fft2((_x(ns, (4,)), _x(ns, (4,)))),
        "expected x of rank 2 or more, got shape (4,)",
    ),
    "rfft of a scalar": (
        "rfft",
        lambda ns: ns.rfft(_x(ns, ())),
        "expected x of rank 1 or more, got shape ()",
    ),
    "istft of rank 1": (
        "istft",
        lambda ns: ns.istft((_x(ns, (5,)), _x(ns, (5,))), 4, 2, 8),
        "expected x of rank 2 or more, got shape (5,)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_arguments_are_the_same_op_error_everywhere(case):
    op, call, expected = BAD[case]
    messages = []
    for backend in BACKENDS:
        ns = namespace(backend)
        with pytest.raises(OpError) as info:
            call(ns)
        message = str(info.value)
        assert message.startswith(f"{op}: {expected}"), (backend, message)
        # The received part shows pair arguments through their repr, which names the
        # backend's tensor type; what was expected reads the same everywhere.
        messages.append(message.split("; received")[0])
    assert len(set(messages)) == 1, messages
