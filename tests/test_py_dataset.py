"""kcore.utils.PyDataset and its adapter: sequential reading, a real thread pool
(workers=2), a real process pool (use_multiprocessing=True, fork and spawn), shuffling,
infinite datasets, errors raised in workers, class weights.

The datasets are module-level classes so that worker processes can unpickle them."""

from __future__ import annotations

import multiprocessing
import os
import threading

import numpy as np
import pytest

from kcore.trainers.data_adapters import PyDatasetAdapter, get_data_adapter, ordered_pool
from kcore.trainers.epoch_iterator import EpochIterator
from kcore.utils.py_dataset import PyDataset, Sequence


class Indexed(PyDataset):
    """Batch i is (x filled with i, [pid, thread id]); `size` batches."""

    def __init__(self, size=6, **kwargs):
        super().__init__(**kwargs)
        self.size = size

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        origin = np.array([os.getpid(), threading.get_ident()], dtype="int64")
        return np.full((2, 1), index, dtype="float32"), origin


class MeetsItsTwin(Indexed):
    """The first two batches wait for each other: only two workers running at once get
    past the barrier, so this proves the pool runs batches concurrently."""

    barrier = threading.Barrier(2, timeout=10)

    def __getitem__(self, index):
        if index < 2:
            self.barrier.wait()
        return super().__getitem__(index)


class FailsAtThree(Indexed):
    def __getitem__(self, index):
        if index == 3:
            raise RuntimeError("batch 3 is corrupt")
        return super().__getitem__(index)


class Endless(PyDataset):
    @property
    def num_batches(self):
        return None

    def __getitem__(self, index):
        return (np.full((1,), index),)


class NoSuper(PyDataset):
    def __init__(self):  # forgets super().__init__()
        pass

    def __len__(self):
        return 1

    def __getitem__(self, index):
        return (np.zeros(1),)


def epoch(dataset, **kwargs):
    """[(batch index, pid, thread id)] for one epoch through EpochIterator."""
    it = EpochIterator(dataset, **kwargs)
    return [
        (int(x[0, 0]), int(origin[0]), int(origin[1]))
        for _, _, batches in it.enumerate_epoch()
        for x, origin in batches
    ]


def pool_threads():
    return [t for t in threading.enumerate() if t.name.startswith("kcore-pydataset")]


def test_sequential_reading_in_the_main_thread():
    dataset = Indexed()
    assert (dataset.workers, dataset.use_multiprocessing, dataset.max_queue_size) == (1, False, 10)
    assert dataset.num_batches == 6
    read = epoch(dataset)
    assert [i for i, _, _ in read] == list(range(6))
    assert {(pid, tid) for _, pid, tid in read} == {(os.getpid(), threading.get_ident())}
    assert [int(x[0, 0]) for x, _ in dataset] == list(range(6))  # plain iteration
    assert Sequence is PyDataset


def test_thread_pool_reads_in_order_on_concurrent_worker_threads():
    read = epoch(MeetsItsTwin(workers=2, max_queue_size=3))
    assert [i for i, _, _ in read] == list(range(6))
    threads = {tid for _, _, tid in read}
    assert threading.get_ident() not in threads and len(threads) == 2
    assert {pid for _, pid, _ in read} == {os.getpid()}
    assert pool_threads() == []  # the pool is shut down at the end of the epoch


def test_process_pool_reads_in_order_in_worker_processes():
    read = epoch(Indexed(size=8, workers=2, use_multiprocessing=True), shuffle=False)
    assert [i for i, _, _ in read] == list(range(8))
    pids = {pid for _, pid, _ in read}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_process_pool_with_spawn_pickles_the_dataset(monkeypatch):
    spawn = multiprocessing.get_context("spawn")
    monkeypatch.setattr(ordered_pool.multiprocessing, "get_context", lambda: spawn)
    read = epoch(Indexed(size=4, workers=1, use_multiprocessing=True))  # one process: cheaper
    assert [i for i, _, _ in read] == [0, 1, 2, 3]
    assert os.getpid() not in {pid for _, pid, _ in read}


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_an_error_in_a_worker_reaches_the_main_thread(processes):
    dataset = FailsAtThree(workers=2, use_multiprocessing=processes)
    it = EpochIterator(dataset)
    seen = []
    with pytest.raises(RuntimeError, match="batch 3 is corrupt"):
        for _, _, batches in it.enumerate_epoch():
            seen.append(int(batches[0][0][0, 0]))
    assert seen == [0, 1, 2]
    assert pool_threads() == []


def test_shuffle_visits_every_batch_in_a_new_order_each_epoch():
    np.random.seed(7)
    it = EpochIterator(Indexed(size=12, workers=2), shuffle=True)
    orders = [[int(b[0][0][0, 0]) for _, _, b in it.enumerate_epoch()] for _ in range(2)]
    for order in orders:
        assert sorted(order) == list(range(12)) and order != list(range(12))
    assert orders[0] != orders[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_an_infinite_dataset_resumes_where_the_last_epoch_stopped(workers):
    it = EpochIterator(Endless(workers=workers), steps_per_epoch=3)
    assert it.num_batches == 3
    read = [[int(b[0][0][0]) for _, _, b in it.enumerate_epoch()] for _ in range(2)]
    assert read == [[0, 1, 2], [3, 4, 5]]
    it.close()
    assert pool_threads() == []


def test_shuffle_is_ignored_with_a_warning_for_an_infinite_dataset():
    with pytest.warns(UserWarning, match="infinite PyDataset"):
        get_data_adapter(Endless(), shuffle=True)


def test_batches_are_standardized_and_class_weights_added():
    class Shapes(Indexed):
        def __getitem__(self, index):
            return [
                np.zeros((2, 1)),  # a list is read as a tuple
                np.array([0, 1]),
            ]

    adapter = get_data_adapter(Shapes(size=1), class_weight={1: 4.0})
    assert isinstance(adapter, PyDatasetAdapter)
    ((x, y, weights),) = list(adapter.get_iterator())
    assert weights.tolist() == [1.0, 4.0]

    class Bare(Indexed):
        def __getitem__(self, index):
            return np.ones((2, 3))

    ((x,),) = list(get_data_adapter(Bare(size=1)).get_iterator())
    assert x.shape == (2, 3)

    class Dicts(Indexed):
        def __getitem__(self, index):
            return {"a": np.ones(2)}

    assert list(get_data_adapter(Dicts(size=1)).get_iterator())[0]["a"].tolist() == [1.0, 1.0]

    class Wrong(Indexed):
        def __getitem__(self, index):
            return "text"

    with pytest.raises(ValueError, match=r"Expected PyDataset.__getitem__\(\) to return a tuple"):
        list(get_data_adapter(Wrong(size=1)).get_iterator())


def test_y_and_sample_weight_are_refused():
    with pytest.raises(ValueError, match="When `x` is a PyDataset, `y` should not be passed"):
        get_data_adapter(Indexed(), y=np.zeros(2))


def test_forgetting_super_init_warns_and_uses_defaults():
    with pytest.warns(UserWarning, match=r"should call `super\(\).__init__\(\*\*kwargs\)`"):
        assert NoSuper().workers == 1
    with pytest.warns(UserWarning, match="should call `super"):
        adapter = get_data_adapter(NoSuper())
    ((x,),) = list(adapter.get_iterator())
    assert x.tolist() == [0.0]


def test_missing_methods_get_clear_errors():
    class Empty(PyDataset):
        pass

    with pytest.raises(TypeError, match="must implement `__getitem__"):
        Empty()[0]
    with pytest.raises(TypeError, match="must define its size: implement `__len__"):
        _ = Empty().num_batches
