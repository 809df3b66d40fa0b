"""``split_dataset`` and the file-indexing helpers behind ``*_dataset_from_directory``.

Example::

    >>> left, right = kcore.utils.split_dataset(np.arange(10.0), left_size=0.8)
"""

from __future__ import annotations

import os
import random
from typing import Any

import numpy as np

from kcore.utils.io_utils import print_msg

# ------------------------------------------------------------------ what comes back


def tensorflow_available() -> bool:
    """Whether TensorFlow can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("tensorflow") is not None


def resolve_format(format: str, where: str) -> str:  # noqa: A002 - Keras's argument name
    """``"tf"`` or ``"pydataset"``: what a dataset utility called with ``format`` returns.

    ``"tf"`` (Keras's default) gives a ``tf.data.Dataset`` when TensorFlow is
    installed and a :class:`~kcore.utils.sample_dataset.SampleDataset` otherwise;
    ``"pydataset"`` always gives a
    :class:`~kcore.utils.sample_dataset.SampleDataset`.

    Example::

        >>> resolve_format("pydataset", "timeseries_dataset_from_array")
        'pydataset'
    """
    if format == "tf":
        return "tf" if tensorflow_available() else "pydataset"
    if format == "pydataset":
        return "pydataset"
    if format == "grain":
        raise ValueError(
            f"{where}: kcore does not build grain datasets; pass format='pydataset' for a "
            "kcore.utils.PyDataset or format='tf' for a tf.data.Dataset"
        )
    raise ValueError(f"{where}: format must be 'tf' or 'pydataset', received format={format!r}")


def finish(dataset: Any, format: str) -> Any:  # noqa: A002
    """``dataset`` as the resolved ``format`` asks (see :func:`resolve_format`)."""
    if format == "tf":
        from kcore.utils.sample_dataset import to_tf_dataset

        return to_tf_dataset(dataset)
    return dataset


# ----------------------------------------------------------------------- split_dataset


def _module_root(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


def _is_tf_dataset(obj: Any) -> bool:
    return _module_root(obj) == "tensorflow" and hasattr(obj, "take") and hasattr(obj, "skip")


def _is_torch_dataset(obj: Any) -> bool:
    if _module_root(obj) == "torch" or "torch.utils.data" in str(type(obj).__mro__):
        return hasattr(obj, "__getitem__")
    return False


def _split_sizes(left_size: Any, right_size: Any, total: int) -> tuple[int, int]:
    if left_size is None and right_size is None:
        raise ValueError(
            "split_dataset needs left_size or right_size (an int count or a float "
            "fraction), received both None"
        )
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is None:
            continue
        if isinstance(size, bool) or not isinstance(size, int | float):
            raise TypeError(
                f"split_dataset: {name} must be an int, a float or None, received "
                f"{type(size).__name__}"
            )
        if isinstance(size, int) and not 0 < size < total:
            raise ValueError(
                f"split_dataset: {name} as an int must be in (0, {total}) for a dataset of "
                f"{total} samples, received {size}"
            )
        if isinstance(size, float) and not 0 < size < 1:
            raise ValueError(
                f"split_dataset: {name} as a float must be a fraction in (0, 1), received {size}"
            )
    if isinstance(left_size, float) and isinstance(right_size, float):
        if left_size + right_size > 1:
            raise ValueError(
                f"split_dataset: left_size + right_size must be at most 1, received "
                f"{left_size} + {right_size}"
            )
    left = round(left_size * total) if isinstance(left_size, float) else left_size
    right = round(right_size * total) if isinstance(right_size, float) else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(
            f"split_dataset: left_size + right_size is {left + right} samples, more than the "
            f"dataset's {total}"
        )
    if left == 0 or right == 0:
        raise ValueError(
            f"split_dataset: a split would be empty ({left} left, {right} right samples of "
            f"{total}); choose other sizes"
        )
    return int(left), int(right)


def _as_arrays(dataset: Any) -> tuple[Any, int]:
    """(structure of NumPy arrays, number of samples) for array-like input."""
    if isinstance(dataset, dict):
        arrays = {k: np.asarray(v) for k, v in dataset.items()}
        flat = list(arrays.values())
    elif isinstance(dataset, tuple) or (
        isinstance(dataset, list) and dataset and all(hasattr(v, "shape") for v in dataset)
    ):
        arrays = tuple(np.asarray(v) for v in dataset)
        flat = list(arrays)
    else:
        arrays = np.asarray(dataset)
        flat = [arrays]
    lengths = {len(a) if a.ndim else 0 for a in flat}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(
            "split_dataset expects arrays with the same, non-zero number of samples "
            f"(first axis), received lengths {sorted(lengths)}"
        )
    return arrays, lengths.pop()


def _take(arrays: Any, indices: np.ndarray) -> Any:
    if isinstance(arrays, tuple):
        return tuple(a[indices] for a in arrays)
    if isinstance(arrays, dict):
        return {k: a[indices] for k, a in arrays.items()}
    return arrays[indices]


def _array_sample_dataset(arrays: Any, num_samples: int) -> Any:
    from kcore.utils.sample_dataset import SampleDataset

    def get_sample(index: int) -> Any:
        if isinstance(arrays, tuple):
            return tuple(a[index] for a in arrays)
        if isinstance(arrays, dict):
            return {k: a[index] for k, a in arrays.items()}
        return arrays[index]

    return SampleDataset(get_sample, num_samples)


def _split_tf(dataset: Any, left_size: Any, right_size: Any, shuffle: bool, seed: Any) -> Any:
    import tensorflow as tf

    total = int(dataset.cardinality())
    if total < 0:  # unknown or infinite: count it (an infinite one never ends, as in Keras)
        total = sum(1 for _ in dataset)
    left, right = _split_sizes(left_size, right_size, total)
    if shuffle:
        seed = random.randint(0, 10**6) if seed is None else seed
        dataset = dataset.shuffle(total, seed=seed, reshuffle_each_iteration=False)
    left_ds = dataset.take(left)
    right_ds = dataset.skip(total - right)
    return left_ds.apply(tf.data.experimental.assert_cardinality(left)), right_ds.apply(
        tf.data.experimental.assert_cardinality(right)
    )


def split_dataset(
    dataset, left_size=None, right_size=None, shuffle=False, seed=None, preferred_backend=None
):
    """Split a dataset into a left part and a right part (train / test).

    The left part holds the first ``left_size`` samples and the right part the last
    ``right_size`` samples (after a seeded shuffle when ``shuffle=True``).

    What comes back follows the input, as in Keras: a ``tf.data.Dataset`` gives two
    ``tf.data.Dataset`` objects, a ``torch.utils.data.Dataset`` two
    ``torch.utils.data.Subset`` objects. Arrays (a NumPy array, a tuple or list of
    arrays, a dict of arrays) give two ``tf.data.Dataset`` objects only with
    ``preferred_backend="tensorflow"``; otherwise (kcore's departure: it runs without
    TensorFlow) two unbatched :class:`kcore.utils.sample_dataset.SampleDataset`
    (``PyDataset``) objects, whose item ``i`` is sample ``i``; call ``.batch(n)`` to
    serve batches to ``Model.fit``.

    Args:
        dataset: a ``tf.data.Dataset``, a ``torch.utils.data.Dataset``, or arrays
            with the same number of samples.
        left_size: an int (a number of samples) or a float in ``(0, 1)`` (a fraction);
            ``None``: the complement of ``right_size``.
        right_size: the same for the right part.
        shuffle: shuffle the samples before splitting.
        seed: the shuffling seed.
        preferred_backend: ``"tensorflow"`` or ``"torch"`` to ask for that kind of
            result; ``None``: decided by the input, as above.

    Example::

        >>> x, y = np.arange(10.0), np.arange(10) % 2
        >>> train, test = split_dataset((x, y), left_size=0.8, shuffle=True, seed=1)
        >>> len(train), len(test)
        (8, 2)
        >>> xb, yb = train.batch(4)[0]
    """
    if _is_tf_dataset(dataset):
        return _split_tf(dataset, left_size, right_size, shuffle, seed)
    if _is_torch_dataset(dataset):
        from torch.utils.data import Subset

        total = len(dataset)
        left, right = _split_sizes(left_size, right_size, total)
        order = _order(total, shuffle, seed)
        return Subset(dataset, order[:left].tolist()), Subset(
            dataset, order[total - right :].tolist()
        )
    arrays, total = _as_arrays(dataset)
    left, right = _split_sizes(left_size, right_size, total)
    order = _order(total, shuffle, seed)
    left_arrays, right_arrays = _take(arrays, order[:left]), _take(arrays, order[total - right :])
    if preferred_backend in ("tensorflow", "tf"):
        import tensorflow as tf

        return (
            tf.data.Dataset.from_tensor_slices(left_arrays),
            tf.data.Dataset.from_tensor_slices(right_arrays),
        )
    if preferred_backend == "torch":
        import torch
        from torch.utils.data import TensorDataset

        def as_torch(part: Any) -> Any:
            parts = part if isinstance(part, tuple) else (part,)
            return TensorDataset(*(torch.as_tensor(p) for p in parts))

        return as_torch(left_arrays), as_torch(right_arrays)
    return _array_sample_dataset(left_arrays, left), _array_sample_dataset(right_arrays, right)


def _order(total: int, shuffle: bool, seed: Any) -> np.ndarray:
    order = np.arange(total)
    if shuffle:
        np.random.RandomState(seed).shuffle(order)
    return order


# ------------------------------------------------------------ files from a directory tree


def _walk_files(folder: str, formats: tuple[str, ...], follow_links: bool) -> list[str]:
    found = []
    for root, dirs, files in os.walk(folder, followlinks=follow_links):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(formats):
                found.append(os.path.join(root, name))
    return found


def index_directory(
    directory,
    labels,
    formats,
    class_names=None,
    shuffle=True,
    seed=None,
    follow_links=False,
    verbose=True,
):
    """The files of a directory tree and their labels, as the ``*_from_directory``
    utilities read them.

    With ``labels="inferred"`` each subfolder of ``directory`` is a class (sorted by
    name, or in ``class_names``'s order) and files directly in ``directory`` are
    ignored; otherwise every file under ``directory`` is taken, in sorted path
    order, with ``labels`` (a list, one label a file) or no labels (``None``).

    Returns:
        ``(file_paths, labels, class_names)``: labels an int array (``None`` when
        ``labels`` is ``None``), class_names a list or ``None``.

    Example::

        >>> found = index_directory("photos", "inferred", (".png",))  # doctest: +SKIP
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"expected a directory of files, received {directory!r} (not a directory)")
    formats = tuple(f.lower() for f in formats)
    if labels == "inferred":
        subdirs = sorted(
            name for name in os.listdir(directory) if os.path.isdir(os.path.join(directory, name))
        )
        if class_names is not None:
            if sorted(class_names) != subdirs:
                raise ValueError(
                    f"class_names {list(class_names)} must name exactly the subfolders of "
                    f"{directory}, which are {subdirs}"
                )
            subdirs = list(class_names)
        class_names = subdirs
        file_paths, label_list = [], []
        for index, subdir in enumerate(subdirs):
            found = _walk_files(os.path.join(directory, subdir), formats, follow_links)
            file_paths.extend(found)
            label_list.extend([index] * len(found))
        label_array = np.asarray(label_list, dtype="int32")
    else:
        if class_names is not None:
            raise ValueError(
                "class_names applies only with labels='inferred', received "
                f"labels={labels if labels is None else 'a list'} and class_names={class_names}"
            )
        file_paths = _walk_files(directory, formats, follow_links)
        if labels is None:
            label_array = None
        else:
            label_array = np.asarray(labels)
            if len(label_array) != len(file_paths):
                raise ValueError(
                    f"labels has {len(label_array)} entries but {directory} holds "
                    f"{len(file_paths)} matching files ({', '.join(formats)}); pass one label "
                    "a file, in sorted path order"
                )
    if verbose:
        if labels == "inferred":
            print_msg(f"Found {len(file_paths)} files belonging to {len(class_names)} classes.")
        else:
            print_msg(f"Found {len(file_paths)} files.")
    if shuffle:
        seed = np.random.randint(1_000_000) if seed is None else seed
        order = np.random.RandomState(seed).permutation(len(file_paths))
        file_paths = [file_paths[i] for i in order]
        if label_array is not None:
            label_array = label_array[order]
    return file_paths, label_array, class_names


def check_validation_split(validation_split, subset, shuffle, seed):
    """Refuse inconsistent ``validation_split`` / ``subset`` / ``seed`` arguments.

    Example::

        >>> check_validation_split(0.2, "training", shuffle=False, seed=None)
    """
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(
            f"validation_split must be a fraction in (0, 1), received {validation_split}"
        )
    if (validation_split is None) != (subset is None):
        raise ValueError(
            "validation_split and subset go together: pass both or neither, received "
            f"validation_split={validation_split}, subset={subset!r}"
        )
    if subset not in (None, "training", "validation", "both"):
        raise ValueError(
            f"subset must be 'training', 'validation' or 'both', received subset={subset!r}"
        )
    if validation_split is not None and shuffle and seed is None:
        raise ValueError(
            "with validation_split and shuffle=True, pass a seed so that the training and "
            "validation subsets do not overlap"
        )


def take_subset(samples, labels, validation_split, subset, verbose=True):
    """The training (first) or validation (last) part of ``samples`` and ``labels``.

    Example::

        >>> take_subset(list("abcde"), None, 0.4, "validation", verbose=False)
        (['d', 'e'], None)
    """
    if not validation_split:
        return samples, labels
    num_val = int(validation_split * len(samples))
    if subset == "training":
        if verbose:
            print_msg(f"Using {len(samples) - num_val} files for training.")
        chosen = slice(0, len(samples) - num_val)
    elif subset == "validation":
        if verbose:
            print_msg(f"Using {num_val} files for validation.")
        chosen = slice(len(samples) - num_val, len(samples))
    else:
        raise ValueError(f"subset must be 'training' or 'validation', received {subset!r}")
    return samples[chosen], None if labels is None else labels[chosen]


def encode_labels(labels, label_mode, num_classes):
    """Labels as the ``label_mode`` asks: ``"int"`` (int32), ``"categorical"``
    (float32 one-hot) or ``"binary"`` (float32 of shape ``(n, 1)``).

    Example::

        >>> encode_labels(np.array([0, 1]), "binary", 2).tolist()
        [[0.0], [1.0]]
    """
    labels = np.asarray(labels)
    if label_mode == "int":
        return labels.astype("int32")
    if label_mode == "binary":
        return labels.astype("float32").reshape(-1, 1)
    if label_mode == "categorical":
        out = np.zeros((len(labels), num_classes), dtype="float32")
        out[np.arange(len(labels)), labels.astype("int64")] = 1
        return out
    raise ValueError(
        f"label_mode must be 'int', 'categorical', 'binary' or None, received {label_mode!r}"
    )


def check_labels(labels, label_mode, class_names, where):
    """Refuse a ``labels`` / ``label_mode`` / ``class_names`` combination that Keras
    refuses.

    Example::

        >>> check_labels("inferred", "int", None, "image_dataset_from_directory")
    """
    if labels not in ("inferred", None) and not isinstance(labels, list | tuple | np.ndarray):
        raise ValueError(
            f"{where}: labels must be 'inferred', None, or a list of labels (one per file "
            f"in sorted path order), received {labels!r}"
        )
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(
            f"{where}: label_mode must be 'int', 'categorical', 'binary' or None, received "
            f"{label_mode!r}"
        )
    if labels is None and label_mode is not None:
        label_mode = None  # no labels: nothing to encode (Keras does the same)
    return label_mode


def labelled_dataset(paths, labels, label_mode, num_classes, load, batch_size, shuffle, seed):
    """A :class:`~kcore.utils.sample_dataset.SampleDataset` of ``load(path)`` samples,
    paired with their encoded labels unless ``label_mode`` is ``None``.

    Example::

        >>> ds = labelled_dataset(["a.txt"], np.array([0]), "int", 1,
        ...                       lambda p: p, 1, False, None)
        >>> ds[0]
        (array(['a.txt'], dtype='<U5'), array([0], dtype=int32))
    """
    from kcore.utils.sample_dataset import SampleDataset

    encoded = None if label_mode is None else encode_labels(labels, label_mode, num_classes)

    def get_sample(index: int) -> Any:
        sample = load(paths[index])
        return sample if encoded is None else (sample, encoded[index])

    dataset = SampleDataset(
        get_sample, len(paths), batch_size=batch_size, shuffle=shuffle, seed=seed
    )
    dataset.file_paths = list(paths)
    return dataset
