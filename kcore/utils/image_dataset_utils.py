"""``image_dataset_from_directory``: a labelled image dataset from a folder tree.

Example::

    >>> train = kcore.utils.image_dataset_from_directory(
    ...     "flowers", image_size=(64, 64), batch_size=16)   # doctest: +SKIP
    >>> train.class_names                                    # doctest: +SKIP
    ['daisy', 'roses']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kcore.utils import dataset_utils
from kcore.utils.image_utils import _pil_image

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}
_PIL_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
#: Keras's (tf.image) interpolation names and the Pillow filter closest to each.
_RESAMPLE = {
    "bilinear": "BILINEAR",
    "nearest": "NEAREST",
    "bicubic": "BICUBIC",
    "area": "BOX",
    "lanczos3": "LANCZOS",
    "lanczos5": "LANCZOS",
}


def _size_pair(image_size: Any) -> tuple[int, int]:
    try:
        height, width = (int(v) for v in image_size)
    except (TypeError, ValueError):
        raise ValueError(
            f"image_size must be a (height, width) pair of ints, received {image_size!r}"
        ) from None
    if height < 1 or width < 1:
        raise ValueError(f"image_size must be positive, received {image_size!r}")
    return height, width


def _fit_aspect(img: Any, height: int, width: int, crop: bool, pad: bool) -> Any:
    """Center-crop (or zero-pad) ``img`` to the target's aspect ratio."""
    w, h = img.size
    if crop:
        crop_w = min(w, round(h * width / height))
        crop_h = min(h, round(w * height / width))
        left, top = (w - crop_w) // 2, (h - crop_h) // 2
        return img.crop((left, top, left + crop_w, top + crop_h))
    if pad:
        pad_w = max(w, round(h * width / height))
        pad_h = max(h, round(w * height / width))
        Image = _pil_image("image_dataset_from_directory")  # noqa: N806
        canvas = Image.new(img.mode, (pad_w, pad_h))
        canvas.paste(img, ((pad_w - w) // 2, (pad_h - h) // 2))
        return canvas
    return img


def load_image(
    path: str,
    image_size: tuple[int, int],
    color_mode: str,
    interpolation: str,
    data_format: str,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
) -> np.ndarray:
    """One image file as a float32 array of shape ``image_size + (channels,)``
    (channels first for ``"channels_first"``).

    Example::

        >>> load_image("cat.png", (32, 32), "rgb", "bilinear", "channels_last")  # doctest: +SKIP
        (32, 32, 3)
    """
    Image = _pil_image("image_dataset_from_directory")  # noqa: N806
    with Image.open(path) as opened:
        opened.seek(0)  # the first frame of an animated GIF, as tf.image does
        img = opened.convert(_PIL_MODES[color_mode])
    height, width = image_size
    img = _fit_aspect(img, height, width, crop_to_aspect_ratio, pad_to_aspect_ratio)
    if img.size != (width, height):
        img = img.resize(
            (width, height), resample=getattr(Image.Resampling, _RESAMPLE[interpolation])
        )
    array = np.asarray(img, dtype="float32")
    if array.ndim == 2:
        array = array[:, :, np.newaxis]
    return array.transpose(2, 0, 1) if data_format == "channels_first" else array


def image_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    color_mode="rgb",
    batch_size=32,
    image_size=(256, 256),
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    interpolation="bilinear",
    follow_links=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    data_format=None,
    format="tf",  # noqa: A002 - Keras's argument name
    verbose=True,
):
    """A dataset of ``(images, labels)`` batches from image files in a folder tree.

    With ``labels="inferred"`` each subfolder is a class::

        main_directory/
            class_a/  a_image_1.jpg  a_image_2.jpg
            class_b/  b_image_1.jpg  b_image_2.jpg

    Images (``.bmp .gif .jpeg .jpg .png``, read with Pillow) are converted to
    ``color_mode`` and resized to ``image_size``: float32 batches of shape
    ``(batch_size, height, width, channels)``. Labels follow ``label_mode``: ``"int"``
    (int32), ``"categorical"`` (float32 one-hot), ``"binary"`` (float32, shape
    ``(batch, 1)``, exactly two classes) or ``None`` (images only).

    kcore's departure: with ``format="tf"`` (the default) the result is a
    ``tf.data.Dataset`` when TensorFlow is installed, as in Keras, and otherwise a
    :class:`kcore.utils.sample_dataset.SampleDataset` (a ``kcore.utils.PyDataset``
    that ``Model.fit`` takes); ``format="pydataset"`` always gives the latter.
    Either has ``class_names`` and ``file_paths``. ``format="grain"`` is refused.

    Args:
        directory: the root folder.
        labels: ``"inferred"``, ``None``, or a list with one label per file in
            sorted path order.
        label_mode: see above.
        class_names: the subfolder names, in the order of their class indices.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        batch_size: images per batch; ``None`` gives single images.
        image_size: ``(height, width)``.
        shuffle: shuffle the files (and again every epoch).
        seed: the shuffling seed (required with ``validation_split`` and shuffling).
        validation_split: the fraction of files kept for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (a pair of datasets).
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"``, ``"area"``,
            ``"lanczos3"`` or ``"lanczos5"`` (done by Pillow).
        follow_links: follow symbolic links to folders.
        crop_to_aspect_ratio: center-crop to ``image_size``'s aspect ratio first.
        pad_to_aspect_ratio: zero-pad to ``image_size``'s aspect ratio first.
        data_format: ``"channels_last"`` or ``"channels_first"``; default
            ``kcore.config.image_data_format()``.
        format: ``"tf"`` or ``"pydataset"`` (see above).
        verbose: print how many files and classes were found.

    Example::

        >>> train, val = image_dataset_from_directory(
        ...     "flowers", image_size=(64, 64), validation_split=0.2, subset="both",
        ...     seed=1, format="pydataset")   # doctest: +SKIP
        >>> images, labels = train[0]         # doctest: +SKIP
    """
    where = "image_dataset_from_directory"
    _pil_image(where)
    resolved = dataset_utils.resolve_format(format, where)
    label_mode = dataset_utils.check_labels(labels, label_mode, class_names, where)
    if color_mode not in _CHANNELS:
        raise ValueError(
            f"{where}: color_mode must be 'grayscale', 'rgb' or 'rgba', received {color_mode!r}"
        )
    if interpolation not in _RESAMPLE:
        raise ValueError(
            f"{where}: interpolation must be one of {', '.join(_RESAMPLE)} (Pillow has no "
            f"'gaussian' or 'mitchellcubic'), received {interpolation!r}"
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{where}: pass crop_to_aspect_ratio or pad_to_aspect_ratio, not both")
    image_size = _size_pair(image_size)
    from kcore import config

    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{where}: data_format must be 'channels_last' or 'channels_first', received "
            f"{data_format!r}"
        )
    dataset_utils.check_validation_split(validation_split, subset, shuffle, seed)
    seed = np.random.randint(1_000_000) if seed is None and shuffle else seed
    paths, label_array, class_names = dataset_utils.index_directory(
        directory,
        labels,
        ALLOWLIST_FORMATS,
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
        return load_image(
            path,
            image_size,
            color_mode,
            interpolation,
            data_format,
            crop_to_aspect_ratio,
            pad_to_aspect_ratio,
        )

    def build(subset_name: str | None) -> Any:
        chosen_paths, chosen_labels = dataset_utils.take_subset(
            paths, label_array, validation_split, subset_name, verbose
        )
        if not chosen_paths:
            raise ValueError(
                f"{where}: no images found in {directory!r} (allowed formats: "
                f"{', '.join(ALLOWLIST_FORMATS)})"
                + (f" for subset {subset_name!r}" if subset_name else "")
            )
        dataset = dataset_utils.labelled_dataset(
            chosen_paths, chosen_labels, label_mode, num_classes, load, batch_size, shuffle, seed
        )
        dataset.class_names = class_names
        return dataset_utils.finish(dataset, resolved)

    if subset == "both":
        return [build("training"), build("validation")]
    return build(subset)
