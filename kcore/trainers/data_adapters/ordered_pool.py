"""Reading ``dataset[index]`` for a stream of indices on a pool of threads or processes,
in order, with a bounded number of batches computed ahead.

The main thread submits up to ``max_queue_size`` indices, then for each batch it hands
on submits the next index, so the workers stay busy while the model trains. A worker's
exception is raised in the main thread; a dead worker process raises
``BrokenProcessPool`` instead of hanging. Closing the generator shuts the pool down.

Worker processes start with Python's default start method. Under ``fork`` they inherit
the dataset; under ``spawn``/``forkserver`` it is pickled to each of them once.

Example::

    >>> list(ordered_map([10, 20, 30], [2, 0], workers=2))
    [30, 10]
"""

from __future__ import annotations

import collections
import concurrent.futures
import itertools
import multiprocessing
import operator
from collections.abc import Iterable, Iterator
from typing import Any

# The dataset a worker process reads, set once by the pool initializer.
_worker_dataset: Any = None


def _set_worker_dataset(dataset: Any) -> None:
    global _worker_dataset
    _worker_dataset = dataset


def _worker_getitem(index: int) -> Any:
    return _worker_dataset[index]


def ordered_map(
    dataset: Any,
    indices: Iterable[int],
    workers: int,
    use_multiprocessing: bool = False,
    max_queue_size: int = 10,
) -> Iterator[Any]:
    """Yield ``dataset[i]`` for each ``i`` of ``indices``, in order, computed on
    ``workers`` threads (or processes when ``use_multiprocessing``), with at most
    ``max(max_queue_size, workers)`` batches in flight.

    Example::

        >>> list(ordered_map({0: "a", 1: "b"}, range(2), workers=2))
        ['a', 'b']
    """
    workers = max(int(workers), 1)
    ahead = max(int(max_queue_size or 0), workers)
    if use_multiprocessing:
        executor: concurrent.futures.Executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(),
            initializer=_set_worker_dataset,
            initargs=(dataset,),
        )

        def submit(index: int) -> concurrent.futures.Future:
            return executor.submit(_worker_getitem, index)

    else:
        executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="kcore-pydataset"
        )

        def submit(index: int) -> concurrent.futures.Future:
            return executor.submit(operator.getitem, dataset, index)

    indices = iter(indices)
    pending: collections.deque = collections.deque()
    try:
        pending.extend(submit(i) for i in itertools.islice(indices, ahead))
        while pending:
            batch = pending.popleft().result()
            pending.extend(submit(i) for i in itertools.islice(indices, 1))
            yield batch
    finally:
        for future in pending:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
