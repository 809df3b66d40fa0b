"""Data adapters: arrays (NumPy, lists, pandas, tensors, nested), tf.data, torch
DataLoader, generators, plugin adapters; and the batch helpers of data_adapter_utils.

tf.data and DataLoader inputs need tensorflow / torch installed (importorskip), on any
selected backend; pandas inputs need pandas."""

from __future__ import annotations

import numpy as np
import pytest

from kcore import ops, registry
from kcore.trainers.data_adapters import (
    ArrayDataAdapter,
    DataAdapter,
    GeneratorDataAdapter,
    get_data_adapter,
)
from kcore.trainers.data_adapters import data_adapter_utils as du


def batches_of(adapter):
    return list(adapter.get_iterator())


# --------------------------------------------------------------------------- arrays


def test_numpy_arrays_batch_counts_partial_batch_and_values():
    x = np.arange(20, dtype="float64").reshape(10, 2)
    y = np.arange(10)
    adapter = get_data_adapter(x, y, batch_size=4)
    assert isinstance(adapter, ArrayDataAdapter)
    assert (adapter.num_batches, adapter.batch_size) == (3, 4)
    assert (adapter.has_partial_batch, adapter.partial_batch_size) == (True, 2)
    batches = batches_of(adapter)
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert batches[0][0].dtype == np.float32  # floats become floatx, as in Keras
    assert batches[0][1].dtype == y.dtype  # integers stay as they are
    assert batches[2][0].tolist() == [[16.0, 17.0], [18.0, 19.0]]
    assert batches[2][1].tolist() == [8, 9]


def test_exact_batches_have_no_partial_batch_and_default_batch_size_is_32():
    adapter = get_data_adapter(np.zeros((64, 1)))
    assert (adapter.batch_size, adapter.num_batches) == (32, 2)
    assert (adapter.has_partial_batch, adapter.partial_batch_size) == (False, None)


def test_x_alone_is_yielded_bare_and_a_list_x_alone_as_a_one_tuple():
    (batch,) = batches_of(get_data_adapter(np.ones((3, 2)), batch_size=3))
    assert isinstance(batch, np.ndarray) and batch.shape == (3, 2)
    (batch,) = batches_of(get_data_adapter([np.ones((3, 2)), np.zeros((3, 1))], batch_size=3))
    assert isinstance(batch, tuple) and len(batch) == 1
    assert [a.shape for a in batch[0]] == [(3, 2), (3, 1)]


def test_nested_structures_keep_their_structure():
    x = {"image": np.zeros((5, 2, 2)), "meta": [np.ones((5, 1)), np.arange(5)]}
    y = (np.arange(5), np.arange(5) * 10)
    batches = batches_of(get_data_adapter(x, y, batch_size=2))
    assert len(batches) == 3
    bx, by = batches[1]
    assert set(bx) == {"image", "meta"} and isinstance(bx["meta"], list)
    assert bx["image"].shape == (2, 2, 2)
    assert bx["meta"][1].tolist() == [2, 3]
    assert isinstance(by, tuple) and by[1].tolist() == [20, 30]


def test_lists_of_numbers_are_arrays():
    batches = batches_of(
        get_data_adapter([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [0, 1, 0], batch_size=2)
    )
    assert batches[0][0].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert batches[1][1].tolist() == [0]


def test_backend_tensors_become_numpy():
    x = ops.convert_to_tensor(np.arange(6, dtype="float32").reshape(3, 2))
    y = ops.convert_to_tensor(np.array([1, 0, 1], dtype="int32"))
    batches = batches_of(get_data_adapter(x, y, batch_size=2))
    assert all(isinstance(leaf, np.ndarray) for batch in batches for leaf in batch)
    assert batches[1][0].tolist() == [[4.0, 5.0]]
    assert batches[0][1].tolist() == [1, 0]


def test_torch_tensors_become_numpy_on_any_backend():
    torch = pytest.importorskip("torch")
    x = torch.arange(6, dtype=torch.float64, requires_grad=True).reshape(3, 2)
    (batch,) = batches_of(get_data_adapter(x, torch.tensor([1, 2, 3]), batch_size=3))
    assert batch[0].dtype == np.float32 and batch[0][2].tolist() == [4.0, 5.0]
    assert batch[1].tolist() == [1, 2, 3]


def test_pandas_dataframe_and_series():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]})
    series = pd.Series([0, 1, 1])
    batches = batches_of(get_data_adapter(frame, series, batch_size=2))
    assert batches[0][0].tolist() == [[1.0, 4.0], [2.0, 5.0]]
    assert batches[0][0].dtype == np.float32
    assert batches[1][1].tolist() == [[1]]  # a Series is a column, as in Keras


def test_shuffle_changes_the_order_each_epoch_but_not_the_content():
    np.random.seed(0)
    x = np.arange(40)
    adapter = get_data_adapter(x, x * 2, batch_size=8, shuffle=True)
    epochs = [np.concatenate([b[0] for b in batches_of(adapter)]) for _ in range(2)]
    for order in epochs:
        assert order.tolist() != x.tolist()
        assert sorted(order.tolist()) == x.tolist()
    assert epochs[0].tolist() != epochs[1].tolist()
    for bx, by in batches_of(adapter):  # x and y stay paired
        assert (by == bx * 2).all()


def test_shuffle_batch_shuffles_whole_batches_and_inside_them():
    np.random.seed(1)
    x = np.arange(22)
    batches = [b[0] for b in batches_of(get_data_adapter(x, x, batch_size=4, shuffle="batch"))]
    chunks = [sorted(b.tolist()) for b in batches]
    assert chunks[-1] == [20, 21]  # the partial batch stays last
    assert sorted(chunks[:-1]) == [list(range(i, i + 4)) for i in range(0, 20, 4)]
    assert chunks[:-1] != sorted(chunks[:-1]) or any(
        b.tolist() != sorted(b.tolist()) for b in batches
    )


def test_invalid_shuffle_value_is_refused():
    with pytest.raises(ValueError, match=r'Expected `shuffle` to be True, False or "batch"'):
        get_data_adapter(np.zeros(4), shuffle="yes")


def test_class_weight_becomes_sample_weights():
    y = np.array([0, 1, 2, 1])
    (batch,) = batches_of(get_data_adapter(np.zeros((4, 1)), y, class_weight={1: 3.0, 2: 0.5}))
    assert len(batch) == 3
    assert batch[2].tolist() == [1.0, 3.0, 0.5, 3.0]
    assert batch[2].dtype == np.float32


def test_class_weight_reads_one_hot_and_column_labels():
    one_hot = np.eye(3)[[2, 0, 1]]
    assert du.class_weight_to_sample_weights(one_hot, {0: 4.0, 2: 2.0}).tolist() == [
        2.0,
        4.0,
        1.0,
    ]
    column = np.array([[1.0], [0.0]])
    assert du.class_weight_to_sample_weights(column, {1: 9.0}).tolist() == [9.0, 1.0]


def test_class_weight_errors():
    x = np.zeros((4, 1))
    with pytest.raises(ValueError, match="only supported for models with a single output"):
        get_data_adapter(x, [np.zeros(4), np.zeros(4)], class_weight={0: 1.0})
    with pytest.raises(ValueError, match="cannot use `class_weight` and `sample_weight`"):
        get_data_adapter(x, np.zeros(4), sample_weight=np.ones(4), class_weight={0: 1.0})
    with pytest.raises(ValueError, match="`class_weight` needs targets"):
        get_data_adapter(x, class_weight={0: 1.0})


def test_sample_weight_is_batched_and_replicated_for_multiple_outputs():
    y = {"a": np.zeros(4), "b": np.ones(4)}
    (batch,) = batches_of(get_data_adapter(np.zeros((4, 1)), y, sample_weight=np.arange(4.0)))
    assert set(batch[2]) == {"a", "b"}
    assert batch[2]["b"].tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="one `sample_weight` array per output"):
        get_data_adapter(np.zeros((4, 1)), y, sample_weight=[np.ones(4), np.ones(4)])
    with pytest.raises(ValueError, match=r"one weight per sample, shape \(num_samples,\)"):
        get_data_adapter(np.zeros((4, 1)), y, sample_weight=np.ones((4, 3)))


def test_mismatched_lengths_name_the_sizes():
    with pytest.raises(ValueError, match="'x' sizes: 5, 5; 'y' sizes: 4") as info:
        get_data_adapter([np.zeros((5, 1)), np.zeros((5, 2))], np.zeros(4))
    assert "same number of samples" in str(info.value)


def test_scalar_and_empty_inputs_are_refused():
    with pytest.raises(ValueError, match="batch dimension"):
        get_data_adapter(np.float32(1.0))
    with pytest.raises(ValueError, match="Expected at least one array in `x`"):
        get_data_adapter(None)


def test_batch_size_from_steps_and_invalid_batch_size():
    adapter = get_data_adapter(np.zeros(10), steps_per_epoch=3)
    assert (adapter.batch_size, adapter.num_batches) == (4, 3)
    with pytest.raises(ValueError, match="Expected `batch_size` to be a positive integer"):
        get_data_adapter(np.zeros(10), batch_size=-2)
    with pytest.raises(ValueError, match="Expected `batch_size` to be a positive integer"):
        get_data_adapter(np.zeros(10), batch_size=2.5)


def test_non_array_targets_with_array_inputs_are_refused():
    with pytest.raises(ValueError, match="Expected `y` to hold arrays .* type generator"):
        get_data_adapter(np.zeros(3), (i for i in range(3)))


def test_unknown_input_type_lists_what_is_accepted():
    with pytest.raises(ValueError, match="Unrecognized data type") as info:
        get_data_adapter("not data")
    message = str(info.value)
    for accepted in ("NumPy arrays", "pandas", "tf.data.Dataset", "PyDataset", "DataLoader"):
        assert accepted in message


# --------------------------------------------------------------------------- generators


def test_generator_adapter_passes_batches_through():
    def gen():
        for i in range(3):
            yield np.full((2, 1), i), np.zeros(2)

    adapter = get_data_adapter(gen())
    assert isinstance(adapter, GeneratorDataAdapter)
    assert adapter.num_batches is None and adapter.batch_size is None
    assert [int(b[0][0, 0]) for b in batches_of(adapter)] == [0, 1, 2]
    assert batches_of(adapter) == []  # a generator runs once


def test_iterators_are_accepted_and_class_weight_applies():
    data = iter([(np.zeros((2, 1)), np.array([0, 1]))])
    (batch,) = batches_of(get_data_adapter(data, class_weight={1: 2.0}))
    assert batch[2].tolist() == [1.0, 2.0]


def test_generator_errors():
    with pytest.raises(ValueError, match="yield at least one batch"):
        get_data_adapter(iter([]))
    with pytest.raises(ValueError, match=r"yield tuples `\(inputs,\)`"):
        get_data_adapter(iter([np.zeros(3)]))
    with pytest.raises(ValueError, match="`y` should not be passed"):
        get_data_adapter(iter([(np.zeros(3),)]), y=np.zeros(3))
    with pytest.raises(ValueError, match="`sample_weight` should not be passed"):
        get_data_adapter(iter([(np.zeros(3),)]), sample_weight=np.zeros(3))


def test_shuffle_is_ignored_with_a_warning_for_generators():
    with pytest.warns(UserWarning, match="`shuffle=True` was passed, but will be ignored"):
        get_data_adapter(iter([(np.zeros(3),)]), shuffle=True)


def test_closing_an_epoch_does_not_close_the_users_generator():
    def gen():
        yield from ((np.full(1, i),) for i in range(4))

    source = gen()
    adapter = get_data_adapter(source)
    first = adapter.get_iterator()
    assert int(next(first)[0][0]) == 0
    first.close()
    assert [int(b[0][0]) for b in batches_of(adapter)] == [1, 2, 3]


# --------------------------------------------------------------------------- tf.data


def test_tf_dataset_batches_stay_tf_tensors():
    tf = pytest.importorskip("tensorflow")
    ds = tf.data.Dataset.from_tensor_slices((np.arange(10.0), np.arange(10))).batch(4)
    adapter = get_data_adapter(ds)
    assert (adapter.num_batches, adapter.batch_size) == (3, None)  # shape[0] is unknown
    batches = batches_of(adapter)
    assert len(batches) == 3 and tf.is_tensor(batches[0][0])
    assert np.asarray(batches[2][1]).tolist() == [8, 9]
    assert get_data_adapter(ds.repeat()).num_batches is None  # infinite
    unknown = tf.data.Dataset.range(9).filter(lambda i: i > 2).batch(4)
    assert get_data_adapter(unknown).num_batches is None  # cardinality unknown


def test_tf_dataset_class_weight_and_refused_arguments():
    tf = pytest.importorskip("tensorflow")
    ds = tf.data.Dataset.from_tensor_slices((np.zeros((3, 1)), np.array([0, 1, 1]))).batch(3)
    (batch,) = batches_of(get_data_adapter(ds, class_weight={1: 5.0}))
    assert batch[2].tolist() == [1.0, 5.0, 5.0]
    with pytest.raises(ValueError, match="When `x` is a tf.data.Dataset, `y` should not"):
        get_data_adapter(ds, y=np.zeros(3))


# --------------------------------------------------------------------------- torch DataLoader


def test_torch_dataloader_batches_stay_torch_tensors():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, TensorDataset

    dataset = TensorDataset(torch.arange(10.0).reshape(5, 2), torch.arange(5))
    adapter = get_data_adapter(DataLoader(dataset, batch_size=2))
    assert (adapter.num_batches, adapter.batch_size) == (3, 2)
    assert (adapter.has_partial_batch, adapter.partial_batch_size) == (True, 1)
    batches = batches_of(adapter)
    assert isinstance(batches[0], tuple) and isinstance(batches[0][0], torch.Tensor)
    assert batches[2][1].tolist() == [4]
    dropped = get_data_adapter(DataLoader(dataset, batch_size=2, drop_last=True))
    assert (dropped.num_batches, dropped.has_partial_batch) == (2, False)


def test_torch_dataloader_class_weight():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, TensorDataset

    loader = DataLoader(TensorDataset(torch.zeros(3, 1), torch.tensor([2, 0, 2])), batch_size=3)
    (batch,) = batches_of(get_data_adapter(loader, class_weight={2: 0.25}))
    assert batch[2].tolist() == [0.25, 1.0, 0.25]


# --------------------------------------------------------------------------- plugins


class CountdownAdapter(DataAdapter):
    """A plugin adapter claiming ints: x=n yields n batches counting down."""

    @classmethod
    def can_handle(cls, x, y=None):
        return isinstance(x, int) and not isinstance(x, bool)

    def __init__(self, x, y=None, **kwargs):
        self.n = x
        self.kwargs = kwargs

    def get_iterator(self):
        return iter([(np.full((1,), i),) for i in range(self.n, 0, -1)])

    @property
    def num_batches(self):
        return self.n


class GreedyKerasStyleAdapter:
    """A Keras-interface plugin adapter (get_numpy_iterator) that claims every input."""

    @classmethod
    def can_handle(cls, x, y=None):
        return True

    def __init__(self, x, **kwargs):
        self.x = x

    def get_numpy_iterator(self):
        yield ("from plugin",)

    num_batches = 1


def test_plugin_adapters_are_asked_first(monkeypatch):
    monkeypatch.setattr(registry, "data_adapters", lambda: [CountdownAdapter])
    adapter = get_data_adapter(3, batch_size=7)
    assert isinstance(adapter, CountdownAdapter) and adapter.kwargs["batch_size"] == 7
    assert [int(b[0][0]) for b in batches_of(adapter)] == [3, 2, 1]
    assert isinstance(get_data_adapter(np.zeros(2)), ArrayDataAdapter)  # not claimed
    with pytest.raises(ValueError, match=r"installed adapter plugin \(CountdownAdapter\)"):
        get_data_adapter("text")

    monkeypatch.setattr(registry, "data_adapters", lambda: [GreedyKerasStyleAdapter])
    adapter = get_data_adapter(np.zeros(2))  # before the built-in array adapter
    assert batches_of(adapter) == [("from plugin",)] and adapter.num_batches == 1


def test_a_data_adapter_instance_is_used_as_it_is():
    adapter = CountdownAdapter(2)
    assert get_data_adapter(adapter) is adapter


# --------------------------------------------------------------------------- utils


def test_unpack_and_pack_x_y_sample_weight():
    x, y, w = np.zeros(2), np.ones(2), np.full(2, 3.0)
    assert du.unpack_x_y_sample_weight(x) == (x, None, None)
    assert du.unpack_x_y_sample_weight((x,)) == (x, None, None)
    assert du.unpack_x_y_sample_weight([x, y]) == (x, y, None)
    assert du.unpack_x_y_sample_weight((x, y, w)) == (x, y, w)
    with pytest.raises(ValueError, match="received a tuple of 4 elements"):
        du.unpack_x_y_sample_weight((x, y, w, w))
    assert du.pack_x_y_sample_weight(x) is x
    assert du.pack_x_y_sample_weight([x, y]) == ([x, y],)
    assert du.pack_x_y_sample_weight(x, y) == (x, y)
    assert du.pack_x_y_sample_weight(x, y, w) == (x, y, w)


def test_train_validation_split_takes_the_last_fraction_in_order():
    x = {"a": np.arange(10), "b": [float(i) for i in range(10)]}
    (train_x, train_y, train_w), (val_x, val_y, val_w) = du.train_validation_split(
        (x, np.arange(10) * 2, None), validation_split=0.25
    )
    assert train_x["a"].tolist() == list(range(7)) and val_x["a"].tolist() == [7, 8, 9]
    assert val_x["b"].tolist() == [7.0, 8.0, 9.0]
    assert val_y.tolist() == [14, 16, 18] and train_w is None and val_w is None


def test_train_validation_split_keeps_tensor_types():
    x = ops.convert_to_tensor(np.arange(8.0))
    train, val = du.train_validation_split((x,), validation_split=0.5)
    # Sliced as they are; a tensor that cannot be sliced (OpenVINO's) becomes NumPy.
    assert type(train[0]) is (type(x) if hasattr(x, "__getitem__") else np.ndarray)
    assert np.asarray(ops.convert_to_numpy(val[0])).tolist() == [4.0, 5.0, 6.0, 7.0]


def test_train_validation_split_errors():
    with pytest.raises(ValueError, match="only supported for arrays and tensors .* generator"):
        du.train_validation_split(((i for i in range(3)), None), 0.2)
    with pytest.raises(ValueError, match="Training data contains 2 samples"):
        du.train_validation_split((np.zeros(2),), 0.6)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        du.train_validation_split((np.zeros(2),), 1.5)


def test_pandas_train_validation_split():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": range(5)}, index=[10, 11, 12, 13, 14])
    train, val = du.train_validation_split((frame,), 0.4)
    assert train[0]["a"].tolist() == [0, 1, 2] and val[0]["a"].tolist() == [3, 4]


def test_class_weight_must_be_a_dict():
    with pytest.raises(ValueError, match="Expected `class_weight` to be a dict"):
        du.class_weight_to_sample_weights(np.zeros(2), [1.0, 2.0])


def test_reading_arrays_imports_no_framework(run_python):
    result = run_python(
        "import sys, numpy as np\n"
        "from kcore.trainers.epoch_iterator import EpochIterator\n"
        "it = EpochIterator(np.zeros((5, 2)), np.zeros(5), batch_size=2, shuffle=True)\n"
        "print(sum(len(b) for _, _, b in it.enumerate_epoch()))\n"
        "print(sorted({'jax', 'torch', 'tensorflow'} & set(sys.modules)))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["3", "[]"]
