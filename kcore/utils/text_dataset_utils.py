"""``text_dataset_from_directory``: a labelled text dataset from a folder of ``.txt`` files.

Example::

    >>> train = kcore.utils.text_dataset_from_directory("reviews", batch_size=8)  # doctest: +SKIP
    >>> texts, labels = next(iter(train))                                        # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kcore.utils import dataset_utils


def text_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    max_length=None,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    format="tf",  # noqa: A002 - Keras's argument name
    verbose=True,
):
    """A dataset of ``(texts, labels)`` batches from ``.txt`` files in a folder tree.

    With ``labels="inferred"`` each subfolder is a class. Each file is read as
    UTF-8 text (truncated to ``max_length`` characters when given); a batch of texts
    is a NumPy string array (a ``tf.string`` tensor in a ``tf.data.Dataset``).
    Labels follow ``label_mode``: ``"int"``, ``"categorical"``, ``"binary"`` or ``None``.

    kcore's departure: with ``format="tf"`` (the default) the result is a
    ``tf.data.Dataset`` when TensorFlow is installed, as in Keras, and otherwise a
    :class:`kcore.utils.sample_dataset.SampleDataset` (a ``kcore.utils.PyDataset``);
    ``format="pydataset"`` always gives the latter. ``format="grain"`` is refused.

    Args:
        directory: the root folder.
        labels: ``"inferred"``, ``None``, or one label per file in sorted path order.
        label_mode: ``"int"``, ``"categorical"``, ``"binary"`` or ``None``.
        class_names: the subfolder names, in the order of their class indices.
        batch_size: texts per batch; ``None`` gives single texts.
        max_length: keep at most this many characters of each text.
        shuffle: shuffle the files (and again every epoch).
        seed: the shuffling seed.
        validation_split: the fraction of files kept for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"``.
        follow_links: follow symbolic links to folders.
        format: ``"tf"`` or ``"pydataset"``.
        verbose: print how many files and classes were found.

    Example::

        >>> ds = text_dataset_from_directory("reviews", batch_size=2, format="pydataset",
        ...                                  shuffle=False)   # doctest: +SKIP
        >>> ds[0][0]                                          # doctest: +SKIP
        array(['great film', 'dull'], dtype='<U10')
    """
    where = "text_dataset_from_directory"
    resolved = dataset_utils.resolve_format(format, where)
    label_mode = dataset_utils.check_labels(labels, label_mode, class_names, where)
    if max_length is not None and (isinstance(max_length, bool) or int(max_length) < 1):
        raise ValueError(f"{where}: max_length must be a positive int, received {max_length!r}")
    dataset_utils.check_validation_split(validation_split, subset, shuffle, seed)
    seed = np.random.randint(1_000_000) if seed is None and shuffle else seed
    paths, label_array, class_names = dataset_utils.index_directory(
        directory,
        labels,
        (".txt",),
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

    def load(path: str) -> np.str_:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        return np.str_(text if max_length is None else text[: int(max_length)])

    def build(subset_name: str | None) -> Any:
        chosen_paths, chosen_labels = dataset_utils.take_subset(
            paths, label_array, validation_split, subset_name, verbose
        )
        if not chosen_paths:
            raise ValueError(f"{where}: no .txt files found in {directory!r}")
        dataset = dataset_utils.labelled_dataset(
            chosen_paths, chosen_labels, label_mode, num_classes, load, batch_size, shuffle, seed
        )
        dataset.class_names = class_names
        return dataset_utils.finish(dataset, resolved)

    if subset == "both":
        return [build("training"), build("validation")]
    return build(subset)
