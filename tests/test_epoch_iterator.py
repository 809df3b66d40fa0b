"""EpochIterator: every input type through one epoch (batch counts, partial batch,
content), steps_per_execution grouping, steps_per_epoch, running out of data, reset.

The tf.data and DataLoader cases need tensorflow / torch (importorskip), on any backend;
the pandas case needs pandas."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from kcore import config
from kcore.trainers.epoch_iterator import EpochIterator
from kcore.utils.py_dataset import PyDataset

X = np.arange(20, dtype="float32").reshape(10, 2)
Y = np.arange(10)


class Pairs(PyDataset):
    """(X, Y) in batches of 4, recording its epoch hooks."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = []

    def __len__(self):
        return 3

    def __getitem__(self, index):
        return X[index * 4 : index * 4 + 4], Y[index * 4 : index * 4 + 4]

    def on_epoch_begin(self):
        self.calls.append("begin")

    def on_epoch_end(self):
        self.calls.append("end")


def pair_generator():
    for start in range(0, 10, 4):
        yield X[start : start + 4], Y[start : start + 4]


def tf_dataset():
    tf = pytest.importorskip("tensorflow")
    return tf.data.Dataset.from_tensor_slices((X, Y)).batch(4)


def torch_loader():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, TensorDataset

    return DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(Y)), batch_size=4)


def pandas_frame():
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(X, columns=["a", "b"]), pd.Series(Y)


SOURCES = {
    "numpy": lambda: dict(x=X, y=Y, batch_size=4),
    "lists": lambda: dict(x=X.tolist(), y=Y.tolist(), batch_size=4),
    "dict": lambda: dict(x={"features": X}, y=Y, batch_size=4),
    "pandas": lambda: dict(zip(("x", "y"), pandas_frame()), batch_size=4),
    "generator": lambda: dict(x=pair_generator()),
    "pydataset": lambda: dict(x=Pairs()),
    "pydataset-threads": lambda: dict(x=Pairs(workers=2)),
    "tf.data": lambda: dict(x=tf_dataset()),
    "torch DataLoader": lambda: dict(x=torch_loader()),
}


def as_numpy(leaf):
    return np.asarray(leaf).reshape(len(leaf), -1)


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_input_type_gives_the_same_epoch(source):
    it = EpochIterator(**SOURCES[source]())
    known = source != "generator"
    assert it.num_batches == (3 if known else None)
    steps = list(it.enumerate_epoch())
    assert [(first, last, len(b)) for first, last, b in steps] == [(0, 0, 1), (1, 1, 1), (2, 2, 1)]
    batches = [b[0] for _, _, b in steps]
    xs = [b[0]["features"] if source == "dict" else b[0] for b in batches]
    assert [len(x) for x in xs] == [4, 4, 2]  # the partial batch comes last
    np.testing.assert_array_equal(np.concatenate([as_numpy(x) for x in xs]), X)
    np.testing.assert_array_equal(np.concatenate([as_numpy(b[1]) for b in batches]).ravel(), Y)
    assert it.num_batches == 3  # a generator's count is known after one epoch


def test_steps_per_execution_groups_batches_and_the_last_group_may_be_short():
    it = EpochIterator(X, Y, batch_size=1, steps_per_execution=4)
    groups = [(first, last, len(b)) for first, last, b in it.enumerate_epoch()]
    assert groups == [(0, 3, 4), (4, 7, 4), (8, 9, 2)]
    first_group = next(iter(it.enumerate_epoch()))[2]
    assert [int(batch[1][0]) for batch in first_group] == [0, 1, 2, 3]


def test_steps_per_epoch_continues_across_epochs_then_runs_out():
    it = EpochIterator(X, Y, batch_size=1, steps_per_epoch=4)
    assert it.num_batches == 4

    def epoch():
        return [int(b[0][1][0]) for _, _, b in it.enumerate_epoch()]

    assert epoch() == [0, 1, 2, 3]
    assert epoch() == [4, 5, 6, 7]
    assert not it.ran_out_of_data
    with pytest.warns(UserWarning, match="Your input ran out of data; interrupting training"):
        assert epoch() == [8, 9]
    assert it.ran_out_of_data
    it.reset()
    assert not it.ran_out_of_data and epoch() == [0, 1, 2, 3]


def test_steps_per_epoch_dividing_the_data_starts_over_without_warning():
    it = EpochIterator(X, Y, batch_size=2, steps_per_epoch=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            assert [int(b[0][1][0]) for _, _, b in it.enumerate_epoch()] == [0, 2, 4, 6, 8]


def test_steps_per_epoch_stops_early_on_a_finite_source():
    it = EpochIterator(X, Y, batch_size=2, steps_per_epoch=2, steps_per_execution=3)
    assert [(f, last, len(b)) for f, last, b in it.enumerate_epoch()] == [(0, 1, 2)]


def test_infinite_generator_needs_steps_per_epoch_and_continues():
    def count():
        i = 0
        while True:
            yield (np.full((1,), i),)
            i += 1

    it = EpochIterator(count(), steps_per_epoch=3, steps_per_execution=2)
    first = [[int(b[0][0]) for b in batches] for _, _, batches in it.enumerate_epoch()]
    second = [[int(b[0][0]) for b in batches] for _, _, batches in it.enumerate_epoch()]
    assert (first, second) == ([[0, 1], [2]], [[3, 4], [5]])
    assert not it.ran_out_of_data


def test_a_finite_generator_runs_one_epoch_then_reports_running_out():
    it = EpochIterator(pair_generator(), steps_per_execution=2)
    assert [(f, last) for f, last, _ in it.enumerate_epoch()] == [(0, 1), (2, 2)]
    assert it.num_batches == 3 and not it.ran_out_of_data
    with pytest.warns(UserWarning, match="ran out of data"):
        assert list(it.enumerate_epoch()) == []
    assert it.ran_out_of_data


def test_a_generator_shorter_than_steps_per_epoch_runs_out():
    with pytest.warns(UserWarning, match="ran out of data"):
        it = EpochIterator(pair_generator(), steps_per_epoch=5)
        assert len(list(it.enumerate_epoch())) == 3
    assert it.ran_out_of_data


def test_epoch_hooks_are_called_once_per_epoch():
    dataset = Pairs()
    it = EpochIterator(dataset)
    for _ in range(2):
        assert len(list(it.enumerate_epoch())) == 3
    assert dataset.calls == ["begin", "end", "begin", "end"]


def test_shuffle_reaches_the_adapter():
    np.random.seed(3)
    it = EpochIterator(np.arange(32), batch_size=32, shuffle=True)
    (_, _, (batch,)) = next(iter(it.enumerate_epoch()))
    assert batch.tolist() != list(range(32)) and sorted(batch.tolist()) == list(range(32))


def test_class_weight_reaches_the_adapter():
    it = EpochIterator(X, Y % 2, batch_size=10, class_weight={1: 2.0})
    (_, _, (batch,)) = next(iter(it.enumerate_epoch()))
    assert batch[2].tolist() == [1.0, 2.0] * 5


def test_max_steps_per_epoch_caps_the_epoch():
    config.set_max_steps_per_epoch(2)
    try:
        with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 2"):
            it = EpochIterator(X, Y, batch_size=1)
        assert it.num_batches == 2 and len(list(it.enumerate_epoch())) == 2
    finally:
        config.set_max_steps_per_epoch(None)


def test_invalid_step_counts_are_refused():
    with pytest.raises(ValueError, match="Expected `steps_per_execution` to be a positive"):
        EpochIterator(X, steps_per_execution=0)
    with pytest.raises(ValueError, match="Expected `steps_per_epoch` to be a positive integer"):
        EpochIterator(X, steps_per_epoch=1.5)
