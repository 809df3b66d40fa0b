"""Audio layers: MelSpectrogram and STFTSpectrogram vs NumPy references, configs
and bad arguments, on the selected backend."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import ops
from kcore.layers import audio
from kcore.testing.layers import run_layer_test

L = kcore.layers


def npy(x):
    return np.asarray(ops.convert_to_numpy(x))


def _hann(n):
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)  # periodic


def _numpy_mel(
    x,
    fft_length,
    stride,
    num_mel_bins,
    sampling_rate,
    min_freq,
    max_freq,
    power_to_db=True,
    top_db=80.0,
    mag_exp=2.0,
    min_power=1e-10,
    ref_power=1.0,
):
    """MelSpectrogram by hand: centered (reflect-padded) frames, hann window, rfft."""
    pad = fft_length // 2
    padded = np.pad(x, [(0, 0), (pad, pad)], mode="reflect")
    frames = 1 + (padded.shape[-1] - fft_length) // stride
    idx = np.arange(fft_length)[None] + stride * np.arange(frames)[:, None]
    spec = np.abs(np.fft.rfft(padded[:, idx] * _hann(fft_length), axis=-1)) ** mag_exp
    mel = spec @ audio.linear_to_mel_weight_matrix(
        num_mel_bins, fft_length // 2 + 1, sampling_rate, min_freq, max_freq
    )
    if power_to_db:
        mel = 10 * np.log10(np.maximum(mel, min_power)) - 10 * np.log10(max(ref_power, min_power))
        mel = np.maximum(mel, mel.max() - top_db)
    return np.swapaxes(mel, -1, -2)


def test_mel_weight_matrix():
    m = audio.linear_to_mel_weight_matrix(4, 9, 8000, 100.0, 4000.0)
    assert m.shape == (9, 4) and m.dtype == np.float32
    assert np.all(m[0] == 0) and np.all(m >= 0) and np.all(m <= 1)
    # each filter is a triangle: rises then falls
    for column in m.T:
        peak = int(np.argmax(column))
        assert np.all(np.diff(column[: peak + 1]) >= -1e-7)
        assert np.all(np.diff(column[peak:]) <= 1e-7)


@pytest.mark.parametrize("power_to_db", [True, False])
def test_mel_spectrogram_vs_numpy(power_to_db):
    x = np.random.default_rng(0).standard_normal((2, 300)).astype("float32")
    layer = L.MelSpectrogram(
        fft_length=64,
        sequence_stride=32,
        num_mel_bins=8,
        sampling_rate=8000,
        power_to_db=power_to_db,
    )
    out = npy(layer(x))
    assert out.shape == (2, 8, 10) and out.dtype == np.float32
    expected = _numpy_mel(x.astype("float64"), 64, 32, 8, 8000, 20.0, 4000, power_to_db=power_to_db)
    np.testing.assert_allclose(out, expected, rtol=2e-4, atol=2e-3)


def test_mel_spectrogram_layer_test_and_config():
    run_layer_test(
        L.MelSpectrogram,
        {"fft_length": 32, "sequence_stride": 16, "num_mel_bins": 4, "sampling_rate": 8000},
        input_shape=(2, 64),
        expected_output_shape=(2, 4, 5),
        run_training_check=False,
        expected_num_trainable_weights=0,
        tolerance=1e-4,
    )
    layer = L.MelSpectrogram()
    config = layer.get_config()
    assert config["sequence_length"] == 2048 and config["max_freq"] == 8000
    assert L.MelSpectrogram.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="fft_length"):
        L.MelSpectrogram(fft_length=16, sequence_length=32)
    with pytest.raises(ValueError, match="window"):
        L.MelSpectrogram(window="kaiser")
    with pytest.raises(ValueError, match="num_mel_bins"):
        L.MelSpectrogram(num_mel_bins=0)


def _numpy_stft(x, frame_length, step, fft_length, mode):
    """Valid frames of each channel, symmetric hann window, density scaling."""
    window = np.hanning(frame_length)  # symmetric
    window = window / np.sqrt(np.sum(window**2))
    frames = 1 + (x.shape[1] - frame_length) // step
    idx = np.arange(frame_length)[None] + step * np.arange(frames)[:, None]
    segments = x[:, idx, :] * window[None, None, :, None]  # (b, frames, len, ch)
    spec = np.fft.rfft(segments, n=fft_length, axis=2)  # (b, frames, freq, ch)
    spec = np.transpose(spec, (0, 1, 3, 2)).reshape(x.shape[0], frames, -1)
    magnitude = np.sqrt(np.maximum(np.abs(spec) ** 2, 1e-7))  # Keras floors the power
    if mode == "magnitude":
        return magnitude
    if mode == "log":
        return np.log(magnitude)
    return spec.real


@pytest.mark.parametrize("mode", ["log", "magnitude", "real"])
def test_stft_spectrogram_vs_numpy(mode):
    x = np.random.default_rng(1).standard_normal((2, 40, 2)).astype("float32")
    layer = L.STFTSpectrogram(mode=mode, frame_length=16, frame_step=8)
    out = npy(layer(x))
    expected = _numpy_stft(x.astype("float64"), 16, 8, 16, mode)
    assert out.shape == expected.shape == (2, 4, 18)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


def test_stft_spectrogram_layouts():
    x = np.random.default_rng(2).standard_normal((2, 40, 3)).astype("float32")
    last = npy(L.STFTSpectrogram(mode="stft", frame_length=16, frame_step=8)(x))
    first = npy(
        L.STFTSpectrogram(mode="stft", frame_length=16, frame_step=8, data_format="channels_first")(
            x.transpose(0, 2, 1)
        )
    )
    np.testing.assert_allclose(first, last.transpose(0, 2, 1), atol=1e-5)
    expanded = npy(
        L.STFTSpectrogram(mode="psd", frame_length=16, frame_step=8, expand_dims=True)(x)
    )
    assert expanded.shape == (2, 4, 9, 3)
    same = L.STFTSpectrogram(frame_length=15, padding="same")
    assert npy(same(x)).shape == same.compute_output_shape((2, 40, 3)) == (2, 6, 27)


def test_stft_spectrogram_layer_test_and_config():
    run_layer_test(
        L.STFTSpectrogram,
        {"frame_length": 8, "frame_step": 4},
        input_shape=(2, 24, 1),
        expected_output_shape=(2, 5, 5),
        expected_num_trainable_weights=2,
        run_training_check=kcore.backend.current().capabilities.trainable,
        tolerance=1e-4,
    )
    real = L.STFTSpectrogram(mode="real", frame_length=8)
    real.build((None, 24, 1))
    assert [w.path.split("/")[-1] for w in real.trainable_weights] == ["real_kernel"]
    config = L.STFTSpectrogram().get_config()
    for key in (
        "mode",
        "frame_length",
        "frame_step",
        "fft_length",
        "window",
        "periodic",
        "scaling",
        "padding",
        "data_format",
        "expand_dims",
    ):
        assert key in config
    assert L.STFTSpectrogram.from_config(config).get_config()["window"] == "hann"
    for kwargs, word in [
        ({"mode": "bad"}, "mode"),
        ({"frame_length": 16, "frame_step": 32}, "frame_step"),
        ({"frame_length": 16, "fft_length": 8}, "fft_length"),
        ({"scaling": "bad"}, "scaling"),
        ({"padding": "causal"}, "padding"),
        ({"window": "no-such-window"}, "window"),
    ]:
        with pytest.raises(ValueError, match=word):
            L.STFTSpectrogram(**kwargs)
    with pytest.raises(TypeError, match="float"):
        L.STFTSpectrogram(frame_length=8)(np.zeros((1, 16, 1), "int32"))


def test_public_names():
    for name in audio.__all__:
        assert getattr(kcore.layers, name) is getattr(audio, name)
        assert "Example::" in getattr(audio, name).__doc__
