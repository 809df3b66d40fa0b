"""``timeseries_dataset_from_array``: sliding windows over a time series, in batches.

Example::

    >>> ds = kcore.utils.timeseries_dataset_from_array(
    ...     np.arange(10), None, sequence_length=3, batch_size=8, format="pydataset")
    >>> ds[0][:2].tolist()
    [[0, 1, 2], [1, 2, 3]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kcore.utils import dataset_utils


def _positive(value: Any, name: str, below: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(
            f"timeseries_dataset_from_array: {name} must be a positive int, received {value!r}"
        )
    if below is not None and value >= below:
        raise ValueError(
            f"timeseries_dataset_from_array: {name} must be lower than the data's length "
            f"{below}, received {name}={value}"
        )
    return int(value)


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length,
    sequence_stride=1,
    sampling_rate=1,
    batch_size=128,
    shuffle=False,
    seed=None,
    start_index=None,
    end_index=None,
    format="tf",  # noqa: A002 - Keras's argument name
):
    """Windows of ``sequence_length`` time steps over ``data``, with their targets.

    Window ``i`` starts at time step ``start_index + i * sequence_stride`` and holds
    the steps ``start, start + sampling_rate, ...`` (``sequence_length`` of them); its
    target is ``targets[start]``. Only windows that fit before ``end_index`` are made,
    and no more windows than there are targets.

    kcore's departure: with ``format="tf"`` (the default) the result is a
    ``tf.data.Dataset`` when TensorFlow is installed, as in Keras, and otherwise a
    :class:`kcore.utils.sample_dataset.SampleDataset` (a ``kcore.utils.PyDataset``);
    ``format="pydataset"`` always gives the latter. ``format="grain"`` is refused.

    Args:
        data: an array (or array-like) whose first axis is time.
        targets: an array of targets aligned with ``data``'s steps, or ``None``.
        sequence_length: the number of steps in a window.
        sequence_stride: the steps between consecutive windows' starts.
        sampling_rate: the step between two time steps inside a window.
        batch_size: windows per batch; ``None`` gives single windows.
        shuffle: serve the windows in a random order (drawn again every epoch).
        seed: the shuffling seed.
        start_index: the first time step used (default 0).
        end_index: the time step after the last one used (default ``len(data)``).
        format: ``"tf"`` or ``"pydataset"``.

    Example::

        >>> x = np.arange(100)
        >>> ds = timeseries_dataset_from_array(x[:-10], x[10:], sequence_length=10,
        ...                                    batch_size=4, format="pydataset")
        >>> windows, targets = ds[0]
        >>> windows[0].tolist(), int(targets[0])
        ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 10)
    """
    where = "timeseries_dataset_from_array"
    resolved = dataset_utils.resolve_format(format, where)
    data = data if isinstance(data, np.ndarray) else np.asarray(data)
    if targets is not None:
        targets = targets if isinstance(targets, np.ndarray) else np.asarray(targets)
    length = len(data)
    sequence_length = _positive(sequence_length, "sequence_length")
    sampling_rate = _positive(sampling_rate, "sampling_rate", below=length)
    sequence_stride = _positive(sequence_stride, "sequence_stride", below=length)
    start = 0 if start_index is None else int(start_index)
    if not 0 <= start < length:
        raise ValueError(
            f"{where}: start_index must be in [0, {length}) for data of length {length}, "
            f"received {start_index}"
        )
    end = length if end_index is None else int(end_index)
    if end_index is not None and not start < end <= length:
        raise ValueError(
            f"{where}: end_index must be in ({start}, {length}] (after start_index, within "
            f"the data), received {end_index}"
        )
    if batch_size is not None and (isinstance(batch_size, bool) or batch_size < 1):
        raise ValueError(
            f"{where}: batch_size must be a positive int or None, received {batch_size!r}"
        )
    num_seqs = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets) - start)
    starts = np.arange(0, max(num_seqs, 0), sequence_stride) + start
    if len(starts) == 0:
        raise ValueError(
            f"{where}: no window of sequence_length={sequence_length} and "
            f"sampling_rate={sampling_rate} fits in the {end - start} steps from {start} to {end}"
        )
    offsets = np.arange(sequence_length) * sampling_rate

    def get_sample(index: int) -> Any:
        begin = starts[index]
        window = data[begin + offsets]
        return window if targets is None else (window, targets[begin])

    from kcore.utils.sample_dataset import SampleDataset

    dataset = SampleDataset(
        get_sample, len(starts), batch_size=batch_size, shuffle=shuffle, seed=seed
    )
    return dataset_utils.finish(dataset, resolved)
