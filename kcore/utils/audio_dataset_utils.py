"""``audio_dataset_from_directory``: a labelled audio dataset from a folder of ``.wav`` files.

Example::

    >>> train = kcore.utils.audio_dataset_from_directory(
    ...     "speech_commands", output_sequence_length=16000)   # doctest: +SKIP
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

from kcore.utils import dataset_utils

_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE


def read_wav(path: str) -> tuple[np.ndarray, int]:
    """A WAV file as ``(float32 samples of shape (frames, channels), sample rate)``.

    Integer PCM (8, 16, 24, 32 bit) is scaled to ``[-1, 1)``, as ``tf.audio.decode_wav``
    does; 32- and 64-bit float WAV is read as is.

    Example::

        >>> audio, rate = read_wav("yes.wav")   # doctest: +SKIP
        >>> audio.shape, rate                   # doctest: +SKIP
        ((16000, 1), 16000)
    """
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{path} is not a WAV file (no RIFF/WAVE header)")
    position, fmt, samples = 12, None, None
    while position + 8 <= len(data):
        chunk_id, size = (
            data[position : position + 4],
            struct.unpack("<I", data[position + 4 : position + 8])[0],
        )
        body = data[position + 8 : position + 8 + size]
        if chunk_id == b"fmt ":
            tag, channels, rate = struct.unpack("<HHI", body[:8])
            bits = struct.unpack("<H", body[14:16])[0]
            if tag == _EXTENSIBLE and len(body) >= 26:
                tag = struct.unpack("<H", body[24:26])[0]
            fmt = (tag, channels, rate, bits)
        elif chunk_id == b"data":
            samples = body
        position += 8 + size + (size & 1)
    if fmt is None or samples is None:
        raise ValueError(f"{path}: a WAV file needs a 'fmt ' and a 'data' chunk")
    tag, channels, rate, bits = fmt
    if tag == _PCM and bits == 8:
        audio = (np.frombuffer(samples, dtype="uint8").astype("float32") - 128.0) / 128.0
    elif tag == _PCM and bits in (16, 32):
        raw = np.frombuffer(
            samples[: len(samples) // (bits // 8) * (bits // 8)], dtype=f"<i{bits // 8}"
        )
        audio = raw.astype("float32") / float(2 ** (bits - 1))
    elif tag == _PCM and bits == 24:
        raw = np.frombuffer(samples[: len(samples) // 3 * 3], dtype="uint8").reshape(-1, 3)
        values = (
            raw[:, 0].astype("int32")
            | (raw[:, 1].astype("int32") << 8)
            | (raw[:, 2].astype("int32") << 16)
        )
        values = np.where(values >= 1 << 23, values - (1 << 24), values)
        audio = values.astype("float32") / float(1 << 23)
    elif tag == _FLOAT and bits in (32, 64):
        audio = np.frombuffer(samples, dtype=f"<f{bits // 8}").astype("float32")
    else:
        raise ValueError(
            f"{path}: unsupported WAV encoding (format tag {tag}, {bits} bits); expected "
            "integer PCM (8/16/24/32 bit) or float (32/64 bit)"
        )
    frames = len(audio) // channels
    return audio[: frames * channels].reshape(frames, channels), rate


def resample(audio: np.ndarray, rate: int, target_rate: int) -> np.ndarray:
    """``audio`` (frames, channels) resampled from ``rate`` to ``target_rate`` by linear
    interpolation.

    Example::

        >>> resample(np.zeros((100, 1), "float32"), 100, 50).shape
        (50, 1)
    """
    if rate == target_rate or len(audio) == 0:
        return audio
    frames = max(1, int(round(len(audio) * target_rate / rate)))
    old_times = np.arange(len(audio)) / rate
    new_times = np.arange(frames) / target_rate
    columns = [np.interp(new_times, old_times, audio[:, c]) for c in range(audio.shape[1])]
    return np.stack(columns, axis=1).astype("float32")


def _fit_length(audio: np.ndarray, length: int) -> np.ndarray:
    if len(audio) >= length:
        return audio[:length]
    padding = np.zeros((length - len(audio),) + audio.shape[1:], dtype=audio.dtype)
    return np.concatenate([audio, padding])


def _collate(ragged: bool) -> Any:
    from kcore.utils.sample_dataset import stack_samples

    def collate(samples: list[Any]) -> Any:
        labelled = isinstance(samples[0], tuple)
        audio = [s[0] if labelled else s for s in samples]
        if ragged:
            batch = list(audio)
        else:
            longest = max(len(a) for a in audio)
            batch = np.stack([_fit_length(a, longest) for a in audio])
        if not labelled:
            return batch
        return batch, stack_samples([s[1] for s in samples])

    return collate


def audio_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    sampling_rate=None,
    output_sequence_length=None,
    ragged=False,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    verbose=True,
):
    """A dataset of ``(audio, labels)`` batches from ``.wav`` files in a folder tree.

    Each file becomes a float32 array of shape ``(frames, channels)`` with values in
    ``[-1, 1]``. A batch is padded with zeros to its longest clip, or every clip is
    cut or padded to ``output_sequence_length``; with ``ragged=True`` clips keep their
    lengths (a list of arrays, or a ``tf.RaggedTensor`` in a ``tf.data.Dataset``).

    kcore's departure: the result is a ``tf.data.Dataset`` when TensorFlow is
    installed (as in Keras), and otherwise a
    :class:`kcore.utils.sample_dataset.SampleDataset` (a ``kcore.utils.PyDataset``).
    ``sampling_rate`` resamples by linear interpolation (Keras needs
    tensorflow-io for it).

    Args:
        directory: the root folder.
        labels: ``"inferred"``, ``None``, or one label per file in sorted path order.
        label_mode: ``"int"``, ``"categorical"``, ``"binary"`` or ``None``.
        class_names: the subfolder names, in the order of their class indices.
        batch_size: clips per batch; ``None`` gives single clips.
        sampling_rate: resample every clip to this rate (Hz); ``None`` keeps each
            file's own rate.
        output_sequence_length: cut or zero-pad every clip to this many frames.
        ragged: keep the clips' own lengths.
        shuffle: shuffle the files (and again every epoch).
        seed: the shuffling seed.
        validation_split: the fraction of files kept for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"``.
        follow_links: follow symbolic links to folders.
        verbose: print how many files and classes were found.

    Example::

        >>> ds = audio_dataset_from_directory("commands", batch_size=4,
        ...                                   output_sequence_length=8000)  # doctest: +SKIP
        >>> ds[0][0].shape                                                  # doctest: +SKIP
        (4, 8000, 1)
    """
    where = "audio_dataset_from_directory"
    resolved = dataset_utils.resolve_format("tf", where)
    label_mode = dataset_utils.check_labels(labels, label_mode, class_names, where)
    if ragged and output_sequence_length is not None:
        raise ValueError(f"{where}: pass ragged=True or output_sequence_length, not both")
    if sampling_rate is not None and (isinstance(sampling_rate, bool) or int(sampling_rate) < 1):
        raise ValueError(
            f"{where}: sampling_rate must be a positive int, received {sampling_rate!r}"
        )
    if output_sequence_length is not None and int(output_sequence_length) < 1:
        raise ValueError(
            f"{where}: output_sequence_length must be a positive int, received "
            f"{output_sequence_length!r}"
        )
    dataset_utils.check_validation_split(validation_split, subset, shuffle, seed)
    seed = np.random.randint(1_000_000) if seed is None and shuffle else seed
    paths, label_array, class_names = dataset_utils.index_directory(
        directory,
        labels,
        (".wav",),
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=follow_links,
        verbose=verbose,
    )
    if label_mode == "binary" and len(class_names or ()) != 2:
        raise ValueError(
            f"{where}: label_mode='binary' needs exactly 2 classes, found {class_names}"
        )
    num_classes = (
        len(class_names)
        if class_names
        else (int(np.max(label_array)) + 1 if label_array is not None and len(label_array) else 0)
    )

    def load(path: str) -> np.ndarray:
        audio, rate = read_wav(path)
        if sampling_rate is not None:
            audio = resample(audio, rate, int(sampling_rate))
        if output_sequence_length is not None:
            audio = _fit_length(audio, int(output_sequence_length))
        return audio

    def build(subset_name: str | None) -> Any:
        chosen_paths, chosen_labels = dataset_utils.take_subset(
            paths, label_array, validation_split, subset_name, verbose
        )
        if not chosen_paths:
            raise ValueError(f"{where}: no .wav files found in {directory!r}")
        dataset = dataset_utils.labelled_dataset(
            chosen_paths, chosen_labels, label_mode, num_classes, load, batch_size, shuffle, seed
        )
        dataset._collate = _collate(ragged)
        dataset.variable_length = output_sequence_length is None
        dataset.class_names = class_names
        return dataset_utils.finish(dataset, resolved)

    if subset == "both":
        return [build("training"), build("validation")]
    return build(subset)
