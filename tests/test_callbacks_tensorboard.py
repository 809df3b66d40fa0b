"""kcore.callbacks.TensorBoard writes event files that the tensorboard package reads back:
scalars per epoch and per batch, histograms, images, learning rate, the model config and
embeddings."""

from __future__ import annotations

import importlib.util
import os
import sys
import types
import warnings

import numpy as np
import pytest
from conftest import StandInOptimizer, needs_variables

import kcore
from kcore import callbacks as cbks

pytest.importorskip("tensorboardX")
if "tensorflow" not in sys.modules:
    # Reading events needs no TensorFlow: tensorboard's stub does it, without the ~10 s
    # TensorFlow import (tensorboard takes the stub when this module exists).
    sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))
event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def make_model():
    model = kcore.Sequential(
        [
            kcore.layers.Input((4,), dtype="int32"),
            # Deterministic, non-random initializers (openvino has no random ops).
            kcore.layers.Embedding(5, 2, embeddings_initializer="identity", name="embed"),
            kcore.layers.Flatten(),
            kcore.layers.Dense(3, kernel_initializer="identity", name="head"),
        ]
    )
    model.optimizer = StandInOptimizer(0.125, 6)
    model.stop_training = False
    return model


def read(directory):
    accumulator = event_accumulator.EventAccumulator(
        str(directory), size_guidance={"scalars": 0, "histograms": 0, "images": 0, "tensors": 0}
    )
    accumulator.Reload()
    return accumulator


def scalars(accumulator, tag):
    return [(event.step, round(event.value, 6)) for event in accumulator.Scalars(tag)]


def train(callback, model, epochs=2, batches=3, validate=True):
    callbacks = cbks.CallbackList([callback], model=model, epochs=epochs, steps=batches)
    callbacks.on_train_begin()
    for epoch in range(epochs):
        callbacks.on_epoch_begin(epoch)
        for batch in range(batches):
            callbacks.on_train_batch_begin(batch)
            callbacks.on_train_batch_end(batch, {"loss": 1.0 / (1 + batch + epoch * batches)})
        logs = {"loss": 0.5 / (epoch + 1), "accuracy": 0.25 * (epoch + 1)}
        if validate:
            callbacks.on_test_begin()
            callbacks.on_test_batch_begin(0)
            callbacks.on_test_batch_end(0, {"loss": 2.0})
            callbacks.on_test_end({"loss": 2.0 + epoch})
            logs.update(val_loss=2.0 + epoch, val_accuracy=0.1)
        callbacks.on_epoch_end(epoch, logs)
    callbacks.on_train_end()


@needs_variables
def test_epoch_scalars_learning_rate_and_validation(tmp_path):
    model = make_model()
    train(cbks.TensorBoard(log_dir=tmp_path, write_graph=False), model)
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train_events = read(tmp_path / "train")
    assert sorted(train_events.Tags()["scalars"]) == [
        "epoch_accuracy",
        "epoch_learning_rate",
        "epoch_loss",
    ]
    assert scalars(train_events, "epoch_loss") == [(0, 0.5), (1, 0.25)]
    assert scalars(train_events, "epoch_accuracy") == [(0, 0.25), (1, 0.5)]
    assert scalars(train_events, "epoch_learning_rate") == [(0, 0.125), (1, 0.125)]
    val_events = read(tmp_path / "validation")
    assert scalars(val_events, "epoch_loss") == [(0, 2.0), (1, 3.0)]
    assert scalars(val_events, "epoch_accuracy") == [(0, 0.1), (1, 0.1)]
    # After each evaluation, at the optimizer's iteration count.
    assert scalars(val_events, "evaluation_loss_vs_iterations") == [(6, 2.0), (6, 3.0)]


@needs_variables
def test_batch_scalars_every_update_freq(tmp_path):
    train(cbks.TensorBoard(log_dir=tmp_path, update_freq=2, write_graph=False), make_model())
    events = read(tmp_path / "train")
    # Global batches 1..6 (3 per epoch): written at 2, 4, 6.
    assert scalars(events, "batch_loss") == [(2, 0.5), (4, 0.25), (6, round(1 / 6, 6))]
    tensorboard = cbks.TensorBoard(log_dir=tmp_path / "b", update_freq="batch", write_graph=False)
    train(tensorboard, make_model(), epochs=1, validate=False)
    assert [s for s, _ in scalars(read(tmp_path / "b" / "train"), "batch_loss")] == [1, 2, 3]


@needs_variables
def test_histograms_images_and_steps_per_second(tmp_path):
    model = make_model()
    tensorboard = cbks.TensorBoard(
        log_dir=tmp_path,
        histogram_freq=1,
        write_images=importlib.util.find_spec("PIL") is not None,
        write_steps_per_second=True,
        write_graph=False,
    )
    train(tensorboard, model, validate=False)
    events = read(tmp_path / "train")
    paths = [w.path.replace(":", "_") for w in model.weights]
    assert sorted(events.Tags()["histograms"]) == sorted(f"{p}/histogram" for p in paths)
    kernel = model.get_layer("head").kernel
    histogram = events.Histograms(f"{kernel.path}/histogram")
    assert [h.step for h in histogram] == [0, 1]
    assert histogram[0].histogram_value.num == kernel.numpy().size
    assert histogram[0].histogram_value.min == pytest.approx(float(np.min(kernel.numpy())))
    assert "epoch_steps_per_second" in events.Tags()["scalars"]
    if tensorboard.write_images:
        image = events.Images(f"{kernel.path}/image")[0]
        # The 8x3 kernel is drawn wider than tall.
        assert (image.height, image.width) == (3, 8)


@needs_variables
def test_model_config_for_the_graph_view(tmp_path):
    model = make_model()
    train(cbks.TensorBoard(log_dir=tmp_path), model, epochs=1, validate=False)
    events = read(tmp_path / "train")
    assert "keras" in events.Tags()["tensors"]
    config = events.Tensors("keras")[0].tensor_proto.string_val[0].decode()
    assert '"class_name": "Sequential"' in config
    assert events.SummaryMetadata("keras").plugin_data.plugin_name == "graph_keras_model"


@needs_variables
def test_embeddings_for_the_projector(tmp_path):
    labels = tmp_path / "labels.tsv"
    labels.write_text("\n".join(f"word{i}" for i in range(5)))
    model = make_model()
    tensorboard = cbks.TensorBoard(
        log_dir=tmp_path / "logs", embeddings_freq=1, embeddings_metadata={"embed": str(labels)}
    )
    train(tensorboard, model, epochs=1, validate=False)
    config = (tmp_path / "logs" / "train" / "projector_config.pbtxt").read_text()
    assert 'tensor_name: "embed:00000"' in config
    tensors = (tmp_path / "logs" / "train" / "00000" / "embed" / "tensors.tsv").read_text()
    expected = model.get_layer("embed").embeddings.numpy()
    np.testing.assert_allclose(
        [[float(v) for v in line.split("\t")] for line in tensors.splitlines()], expected, rtol=1e-5
    )
    metadata = (tmp_path / "logs" / "train" / "00000" / "embed" / "metadata.tsv").read_text()
    assert metadata.split() == [f"word{i}" for i in range(5)]
    with pytest.raises(ValueError, match="Unrecognized `Embedding` layer names"):
        cbks.TensorBoard(
            log_dir=tmp_path, embeddings_freq=1, embeddings_metadata={"x": "f"}
        ).set_model(model)


def test_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="update_freq must be 'epoch', 'batch'"):
        cbks.TensorBoard(log_dir=tmp_path, update_freq="hourly")
    with pytest.raises(ValueError, match="profile_batch must be a non-negative integer"):
        cbks.TensorBoard(log_dir=tmp_path, profile_batch=(5, 2))
    with pytest.warns(UserWarning, match="does not profile"):
        cbks.TensorBoard(log_dir=tmp_path, profile_batch="2,4")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cbks.TensorBoard(log_dir=tmp_path, profile_batch=0)
    # Nothing is written until something is logged.
    assert os.listdir(tmp_path) == []


def test_missing_tensorboardx_names_the_package(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "tensorboardX" else real_find_spec(name, *a),
    )
    with pytest.raises(ImportError, match="pip install tensorboardX"):
        cbks.TensorBoard()


@pytest.mark.skipif(
    kcore.backend.current().name == "torch", reason="torch is this backend's framework"
)
def test_writer_does_not_import_torch(run_python):
    result = run_python(
        "import sys, kcore\n"
        "from kcore.callbacks.tensorboard import _summary_writer_class\n"
        "_summary_writer_class()\n"
        "print('torch' in sys.modules, 'tensorboardX' in sys.modules)\n",
        KCORE_BACKEND="numpy",
    )
    assert result.stdout.split() == ["False", "True"], result.stderr
