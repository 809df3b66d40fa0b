"""kcore.utils data builders: timeseries windows, split_dataset and the
*_dataset_from_directory functions on real small PNG, text and WAV files."""

from __future__ import annotations

import struct
import wave

import numpy as np
import pytest

import kcore
from kcore import utils
from kcore.utils import dataset_utils
from kcore.utils.py_dataset import PyDataset

BACKEND = kcore.backend.current().name
ON_TF = pytest.mark.skipif(
    BACKEND != "tensorflow",
    reason="the tf.data conversion does not depend on the backend: checked on the tensorflow "
    "run only (importing TensorFlow on the others would cost seconds)",
)


@pytest.fixture
def no_tensorflow(monkeypatch):
    """Make the format='tf' default behave as on a machine without TensorFlow."""
    monkeypatch.setattr(dataset_utils, "tensorflow_available", lambda: False)


# ---------------------------------------------------------------------- timeseries
def test_timeseries_windows_and_targets():
    data = np.arange(20)
    ds = utils.timeseries_dataset_from_array(
        data[:-3],
        data[3:],
        sequence_length=3,
        sequence_stride=2,
        sampling_rate=2,
        batch_size=4,
        format="pydataset",
    )
    assert isinstance(ds, PyDataset)
    # windows start at 0, 2, 4, ... while start + 2 * 2 < 17: starts 0..12 -> 7 windows
    assert ds.num_samples == 7 and len(ds) == 2
    windows, targets = ds[0]
    assert windows.tolist() == [[0, 2, 4], [2, 4, 6], [4, 6, 8], [6, 8, 10]]
    assert targets.tolist() == [3, 5, 7, 9]
    windows, targets = ds[1]
    assert windows.tolist()[-1] == [12, 14, 16] and targets.tolist() == [11, 13, 15]


def test_timeseries_start_end_unbatched_and_shuffle():
    data = np.arange(10.0).reshape(10, 1)
    ds = utils.timeseries_dataset_from_array(
        data,
        None,
        sequence_length=4,
        start_index=2,
        end_index=8,
        batch_size=None,
        format="pydataset",
    )
    assert len(ds) == 3 and ds[0].shape == (4, 1)
    assert [w[:, 0].tolist() for w in ds] == [[2, 3, 4, 5], [3, 4, 5, 6], [4, 5, 6, 7]]
    shuffled = utils.timeseries_dataset_from_array(
        np.arange(50),
        None,
        sequence_length=2,
        batch_size=50,
        shuffle=True,
        seed=3,
        format="pydataset",
    )
    starts = shuffled[0][:, 0]
    assert sorted(starts.tolist()) == list(range(49)) and starts.tolist() != list(range(49))
    again = utils.timeseries_dataset_from_array(
        np.arange(50),
        None,
        sequence_length=2,
        batch_size=50,
        shuffle=True,
        seed=3,
        format="pydataset",
    )
    np.testing.assert_array_equal(again[0], shuffled[0])


def test_timeseries_errors():
    with pytest.raises(ValueError, match="sequence_length must be a positive int"):
        utils.timeseries_dataset_from_array(np.arange(5), None, 0, format="pydataset")
    with pytest.raises(ValueError, match="start_index must be in"):
        utils.timeseries_dataset_from_array(
            np.arange(5), None, 2, start_index=7, format="pydataset"
        )
    with pytest.raises(ValueError, match="no window"):
        utils.timeseries_dataset_from_array(np.arange(5), None, 9, format="pydataset")
    with pytest.raises(ValueError, match="format must be 'tf' or 'pydataset'"):
        utils.timeseries_dataset_from_array(np.arange(5), None, 2, format="torch")


def test_timeseries_default_format_without_tensorflow(no_tensorflow):
    ds = utils.timeseries_dataset_from_array(np.arange(6), None, sequence_length=2, batch_size=2)
    assert isinstance(ds, PyDataset) and ds[2].tolist() == [[4, 5]]


@ON_TF
def test_timeseries_tf_format():
    import tensorflow as tf

    ds = utils.timeseries_dataset_from_array(
        np.arange(6), np.arange(6) * 10, sequence_length=2, batch_size=2
    )
    assert isinstance(ds, tf.data.Dataset) and int(ds.cardinality()) == 3
    batches = [(x.numpy().tolist(), y.numpy().tolist()) for x, y in ds]
    assert batches[0] == ([[0, 1], [1, 2]], [0, 10]) and batches[-1] == ([[4, 5]], [40])


# -------------------------------------------------------------------- split_dataset
def test_split_dataset_arrays():
    x = np.arange(10.0).reshape(10, 1)
    y = np.arange(10)
    left, right = utils.split_dataset((x, y), left_size=0.8)
    assert (len(left), len(right)) == (8, 2)
    assert isinstance(left, PyDataset)
    assert right[0][0].tolist() == [8.0] and int(right[1][1]) == 9
    xb, yb = left.batch(3)[2]
    assert xb[:, 0].tolist() == [6.0, 7.0] and yb.tolist() == [6, 7]
    left, right = utils.split_dataset(np.arange(10), right_size=3, shuffle=True, seed=4)
    values = sorted([int(v) for v in left] + [int(v) for v in right])
    assert (len(left), len(right)) == (7, 3) and values == list(range(10))
    again, _ = utils.split_dataset(np.arange(10), right_size=3, shuffle=True, seed=4)
    assert [int(v) for v in again] == [int(v) for v in left]
    left, right = utils.split_dataset({"a": np.arange(4), "b": np.arange(4) * 2}, left_size=1)
    assert right[2] == {"a": 3, "b": 6}


def test_split_dataset_sizes_errors():
    with pytest.raises(ValueError, match="needs left_size or right_size"):
        utils.split_dataset(np.arange(4))
    with pytest.raises(ValueError, match=r"must be in \(0, 4\)"):
        utils.split_dataset(np.arange(4), left_size=4)
    with pytest.raises(ValueError, match="at most 1"):
        utils.split_dataset(np.arange(4), left_size=0.7, right_size=0.5)
    with pytest.raises(ValueError, match="same, non-zero number of samples"):
        utils.split_dataset((np.arange(4), np.arange(5)), left_size=2)


@ON_TF
def test_split_dataset_tf():
    import tensorflow as tf

    left, right = utils.split_dataset(tf.data.Dataset.range(10), left_size=0.7)
    assert [int(v) for v in right] == [7, 8, 9] and int(left.cardinality()) == 7
    left, right = utils.split_dataset(np.arange(6), left_size=4, preferred_backend="tensorflow")
    assert isinstance(left, tf.data.Dataset) and [int(v) for v in right] == [4, 5]


@pytest.mark.skipif(BACKEND != "torch", reason="torch datasets: checked on the torch run")
def test_split_dataset_torch():
    import torch
    from torch.utils.data import Subset, TensorDataset

    left, right = utils.split_dataset(TensorDataset(torch.arange(5)), right_size=2)
    assert isinstance(left, Subset) and [int(right[i][0]) for i in range(2)] == [3, 4]


# ---------------------------------------------------------- datasets from folders
@pytest.fixture
def image_dir(tmp_path):
    pytest.importorskip("PIL")
    from PIL import Image

    root = tmp_path / "images"
    for label, value in (("cats", 40), ("dogs", 200)):
        (root / label).mkdir(parents=True)
        for i in range(3):
            pixels = np.full((6, 8, 3), value + i, "uint8")
            Image.fromarray(pixels).save(root / label / f"{i}.png")
    (root / "dogs" / "notes.md").write_text("not an image")
    return root


def test_image_dataset_from_directory(image_dir, capsys):
    ds = utils.image_dataset_from_directory(
        image_dir, image_size=(6, 8), batch_size=4, shuffle=False, format="pydataset"
    )
    assert "Found 6 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["cats", "dogs"] and len(ds) == 2
    images, labels = ds[0]
    assert images.shape == (4, 6, 8, 3) and images.dtype == np.float32
    assert labels.dtype == np.int32 and labels.tolist() == [0, 0, 0, 1]
    assert images[0, 0, 0].tolist() == [40.0, 40.0, 40.0] and images[3, 0, 0, 0] == 200.0
    assert ds.file_paths[0].endswith("0.png")


def test_image_dataset_options(image_dir):
    ds = utils.image_dataset_from_directory(
        image_dir,
        label_mode="categorical",
        color_mode="grayscale",
        image_size=(3, 4),
        batch_size=None,
        shuffle=False,
        format="pydataset",
        verbose=False,
    )
    image, label = ds[5]
    assert image.shape == (3, 4, 1) and label.tolist() == [0.0, 1.0]
    binary = utils.image_dataset_from_directory(
        image_dir,
        label_mode="binary",
        image_size=(6, 8),
        batch_size=6,
        shuffle=False,
        format="pydataset",
        verbose=False,
        data_format="channels_first",
    )
    images, labels = binary[0]
    assert images.shape == (6, 3, 6, 8) and labels.shape == (6, 1) and labels.sum() == 3
    only_images = utils.image_dataset_from_directory(
        image_dir, labels=None, image_size=(2, 2), batch_size=6, format="pydataset", verbose=False
    )
    assert only_images[0].shape == (6, 2, 2, 3)


def test_image_dataset_validation_subsets_partition_the_files(image_dir):
    train, val = utils.image_dataset_from_directory(
        image_dir,
        image_size=(6, 8),
        batch_size=2,
        validation_split=0.34,
        subset="both",
        seed=7,
        format="pydataset",
        verbose=False,
    )
    assert (train.num_samples, val.num_samples) == (4, 2)
    assert sorted(train.file_paths + val.file_paths) == sorted(
        str(p) for p in image_dir.glob("*/*.png")
    )
    with pytest.raises(ValueError, match="pass a seed"):
        utils.image_dataset_from_directory(
            image_dir, validation_split=0.2, subset="training", format="pydataset"
        )
    (image_dir / "birds").mkdir()
    with pytest.raises(ValueError, match=r"exactly 2 classes, found \['birds', 'cats', 'dogs'\]"):
        utils.image_dataset_from_directory(
            image_dir, label_mode="binary", format="pydataset", verbose=False
        )
    with pytest.raises(ValueError, match="must name exactly the subfolders"):
        utils.image_dataset_from_directory(image_dir, class_names=["cats"], format="pydataset")


def test_image_dataset_class_names_order_and_explicit_labels(image_dir):
    ds = utils.image_dataset_from_directory(
        image_dir,
        class_names=["dogs", "cats"],
        image_size=(6, 8),
        batch_size=6,
        shuffle=False,
        format="pydataset",
        verbose=False,
    )
    assert ds[0][1].tolist() == [0, 0, 0, 1, 1, 1] and ds[0][0][0, 0, 0, 0] == 200.0
    with pytest.raises(ValueError, match="labels has 2 entries but"):
        utils.image_dataset_from_directory(
            image_dir, labels=[0, 1], format="pydataset", verbose=False
        )


@pytest.fixture
def text_dir(tmp_path):
    root = tmp_path / "texts"
    for label, words in (("neg", ["bad", "dull"]), ("pos", ["great", "fine film"])):
        (root / label).mkdir(parents=True)
        for i, word in enumerate(words):
            (root / label / f"{i}.txt").write_text(word, encoding="utf-8")
    return root


def test_text_dataset_from_directory(text_dir):
    ds = utils.text_dataset_from_directory(
        text_dir, batch_size=3, shuffle=False, format="pydataset", verbose=False
    )
    texts, labels = ds[0]
    assert texts.tolist() == ["bad", "dull", "great"] and labels.tolist() == [0, 0, 1]
    assert ds[1][0].tolist() == ["fine film"]
    short = utils.text_dataset_from_directory(
        text_dir,
        max_length=3,
        batch_size=4,
        shuffle=True,
        seed=1,
        format="pydataset",
        verbose=False,
        label_mode="categorical",
    )
    texts, labels = short[0]
    assert sorted(texts.tolist()) == ["bad", "dul", "fin", "gre"] and labels.shape == (4, 2)


@ON_TF
def test_text_dataset_tf_format(text_dir):
    import tensorflow as tf

    ds = utils.text_dataset_from_directory(text_dir, batch_size=4, shuffle=False, verbose=False)
    assert isinstance(ds, tf.data.Dataset) and ds.class_names == ["neg", "pos"]
    texts, labels = next(iter(ds))
    assert texts.dtype == tf.string and texts.numpy().tolist()[0] == b"bad"
    assert labels.numpy().tolist() == [0, 0, 1, 1]


def _write_wav(path, samples, rate=8000):
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(struct.pack(f"<{len(samples)}h", *samples))


@pytest.fixture
def wav_dir(tmp_path):
    root = tmp_path / "audio"
    (root / "no").mkdir(parents=True)
    (root / "yes").mkdir(parents=True)
    _write_wav(root / "no" / "a.wav", [0, 16384, -16384])
    _write_wav(root / "yes" / "b.wav", [8192] * 5)
    return root


def test_audio_dataset_from_directory(wav_dir, no_tensorflow):
    ds = utils.audio_dataset_from_directory(wav_dir, batch_size=2, shuffle=False, verbose=False)
    assert isinstance(ds, PyDataset) and ds.class_names == ["no", "yes"]
    audio, labels = ds[0]
    assert audio.shape == (2, 5, 1) and audio.dtype == np.float32 and labels.tolist() == [0, 1]
    np.testing.assert_allclose(audio[0, :, 0], [0, 0.5, -0.5, 0, 0])
    np.testing.assert_allclose(audio[1, :, 0], [0.25] * 5)
    fixed = utils.audio_dataset_from_directory(
        wav_dir, batch_size=2, shuffle=False, verbose=False, output_sequence_length=4
    )
    assert fixed[0][0].shape == (2, 4, 1)
    ragged = utils.audio_dataset_from_directory(
        wav_dir, batch_size=2, shuffle=False, verbose=False, ragged=True
    )
    assert [a.shape for a in ragged[0][0]] == [(3, 1), (5, 1)]
    resampled = utils.audio_dataset_from_directory(
        wav_dir, batch_size=None, shuffle=False, verbose=False, sampling_rate=16000
    )
    assert resampled[1][0].shape == (10, 1)
    with pytest.raises(ValueError, match="ragged=True or output_sequence_length"):
        utils.audio_dataset_from_directory(wav_dir, ragged=True, output_sequence_length=3)
