"""``kcore.callbacks.TensorBoard``: write TensorBoard event files during training.

The files are written with ``tensorboardX``'s ``SummaryWriter`` (a maintained writer
of TensorBoard's format that needs no deep-learning framework), so they are the same
on every backend and readable by the ``tensorboard`` package.

Example::

    >>> tensorboard = kcore.callbacks.TensorBoard(log_dir="./logs", histogram_freq=1)
    >>> model.fit(x, y, epochs=2, callbacks=[tensorboard])   # doctest: +SKIP
    $ tensorboard --logdir ./logs
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import warnings
from typing import Any

import numpy as np

from kcore.callbacks._learning_rate import as_float, learning_rate_logs
from kcore.callbacks.callback import Callback

__all__ = ["TensorBoard"]

_INSTALL = (
    "The TensorBoard callback writes its event files with `tensorboardX`, which is not "
    "installed. Install it with `pip install tensorboardX` (and `pip install tensorboard` "
    "to view the logs)."
)


def _summary_writer_class() -> Any:
    """tensorboardX's ``SummaryWriter``, imported without dragging in PyTorch.

    tensorboardX tries ``import torch`` when it is imported; under another backend
    that would load a second framework for nothing, so the attempt is made to fail.
    """
    loaded = sys.modules.get("tensorboardX")
    if loaded is None:
        block_torch = "torch" not in sys.modules
        if block_torch:
            sys.modules["torch"] = None  # type: ignore[assignment]
        try:
            import tensorboardX as loaded
        except ImportError:
            raise ImportError(_INSTALL) from None
        finally:
            if block_torch and sys.modules.get("torch", False) is None:
                del sys.modules["torch"]
    return loaded.SummaryWriter


def _parse_profile_batch(profile_batch: Any) -> tuple[int, int]:
    message = (
        "profile_batch must be a non-negative integer or 2-tuple of positive integers. "
        "A pair of positive integers signifies a range of batches to profile. Found: "
        f"{profile_batch!r}"
    )
    if isinstance(profile_batch, str):
        try:
            profile_batch = [int(part) for part in profile_batch.split(",")]
        except ValueError:
            raise ValueError(message) from None
        if len(profile_batch) == 1:
            profile_batch = profile_batch[0]
    if isinstance(profile_batch, int) and not isinstance(profile_batch, bool):
        start = stop = profile_batch
    elif isinstance(profile_batch, (tuple, list)) and len(profile_batch) == 2:
        start, stop = profile_batch
    else:
        raise ValueError(message)
    if start < 0 or stop < start:
        raise ValueError(message)
    return start, stop


def _weight_image(value: np.ndarray) -> np.ndarray | None:
    """A weight as a batch of grey images (NHWC, values in [0, 1]), or None."""
    image = np.squeeze(value).astype("float32")
    if image.ndim == 1:  # a bias: one column
        image = image.reshape(1, image.shape[0], 1, 1)
    elif image.ndim == 2:  # a dense kernel, drawn wider than tall
        if image.shape[0] > image.shape[1]:
            image = image.T
        image = image.reshape(1, image.shape[0], image.shape[1], 1)
    elif image.ndim == 3:  # a 1-D convolution kernel: one image per output channel
        from kcore.config import image_data_format

        if image_data_format() == "channels_last":
            image = np.transpose(image, (2, 0, 1))
        image = image.reshape(*image.shape, 1)
    else:
        return None
    low, high = float(image.min()), float(image.max())
    return (image - low) / (high - low) if high > low else np.zeros_like(image)


class TensorBoard(Callback):
    """Enable visualizations for TensorBoard.

    Writes, under ``log_dir/train`` and ``log_dir/validation``:

    * ``epoch_<metric>`` scalars after every epoch (validation metrics under
      ``validation`` without their ``val_`` prefix), ``epoch_learning_rate`` and,
      with ``write_steps_per_second``, ``epoch_steps_per_second``;
    * ``batch_<metric>`` scalars every ``update_freq`` training batches;
    * ``evaluation_<metric>_vs_iterations`` after each evaluation, at the
      optimizer's iteration count;
    * ``<weight path>/histogram`` histograms of every weight every
      ``histogram_freq`` epochs, and ``<weight path>/image`` images of them with
      ``write_images`` (rescaled to [0, 1]; needs Pillow);
    * the model's config (TensorBoard's Keras conceptual graph) with ``write_graph``;
    * every ``Embedding`` layer's matrix for TensorBoard's projector every
      ``embeddings_freq`` epochs.

    Profiling is left to each framework's own profiler: a non-zero
    ``profile_batch`` is validated and then ignored, with a warning.

    Args:
        log_dir: directory of the event files.
        histogram_freq: epochs between weight histograms; 0 disables them.
        write_graph: write the model's config for TensorBoard's graph view.
        write_images: also write weights as images (with ``histogram_freq``).
        write_steps_per_second: log training steps per second.
        update_freq: ``"epoch"``, ``"batch"`` (every batch) or an integer: batches
            between two batch-level writes.
        profile_batch: accepted for compatibility; profiling is not done.
        embeddings_freq: epochs between embedding snapshots; 0 disables them.
        embeddings_metadata: a metadata file (one label per row, or a tab-separated
            table with a header) for every embedding, or a dict mapping Embedding
            layer names to such files.

    Example::

        >>> tensorboard = kcore.callbacks.TensorBoard(log_dir="logs", update_freq=10)
    """

    def __init__(
        self,
        log_dir: str | os.PathLike = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: str | int = "epoch",
        profile_batch: Any = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: str | dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        if importlib.util.find_spec("tensorboardX") is None:
            raise ImportError(_INSTALL)
        if update_freq not in ("epoch", "batch") and (
            not isinstance(update_freq, int) or isinstance(update_freq, bool) or update_freq < 1
        ):
            raise ValueError(
                "TensorBoard's update_freq must be 'epoch', 'batch' or a positive number "
                f"of batches. Received: update_freq={update_freq!r}"
            )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._start_batch, self._stop_batch = _parse_profile_batch(profile_batch)
        if self._stop_batch:
            warnings.warn(
                "kcore's TensorBoard callback does not profile: profile_batch="
                f"{profile_batch!r} is ignored. Use your framework's profiler "
                "(jax.profiler, torch.profiler, tf.profiler) around fit() instead.",
                stacklevel=2,
            )
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers: dict[str, Any] = {}
        self._global_train_batch = 0
        self._epoch_start_time = 0.0
        self._epoch_batches = 0
        self._batch_start_time = 0.0

    # Writers, made on first use so an unused callback leaves no files.

    def _writer(self, which: str) -> Any:
        writer = self._writers.get(which)
        if writer is None:
            directory = self._train_dir if which == "train" else self._val_dir
            writer = _summary_writer_class()(logdir=directory)
            self._writers[which] = writer
        return writer

    @property
    def _train_writer(self) -> Any:
        return self._writer("train")

    @property
    def _val_writer(self) -> Any:
        return self._writer("val")

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def set_model(self, model: Any) -> None:
        """Receive the model; write its config with ``write_graph``, check the
        ``embeddings_metadata`` names."""
        self._close_writers()
        super().set_model(model)
        if self.write_graph:
            self._write_model_config()
        if self.embeddings_freq:
            self._embedding_layers()

    def _write_model_config(self) -> None:
        # TensorBoard's graph view draws a Keras model from its JSON config, stored
        # as a string tensor under the "graph_keras_model" plugin.
        model = self._model
        if type(model).__name__ not in ("Functional", "Sequential"):
            return
        try:
            config = model.to_json()
        except Exception as error:  # a config that cannot be serialized is not fatal
            warnings.warn(f"Model failed to serialize as JSON. Ignoring... {error}", stacklevel=3)
            return
        from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
        from tensorboardX.proto.tensor_pb2 import TensorProto
        from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto

        metadata = SummaryMetadata(
            plugin_data=SummaryMetadata.PluginData(plugin_name="graph_keras_model", content=b"1")
        )
        tensor = TensorProto(
            dtype=7,  # DT_STRING
            string_val=[config.encode("utf-8")],
            tensor_shape=TensorShapeProto(),
        )
        summary = Summary(value=[Summary.Value(tag="keras", metadata=metadata, tensor=tensor)])
        writer = self._train_writer
        writer._get_file_writer().add_summary(summary, 0)
        writer.flush()

    def _embedding_layers(self) -> list[tuple[Any, str | None]]:
        from kcore.layers import Embedding

        layers = [layer for layer in self._model.layers if isinstance(layer, Embedding)]
        metadata = self.embeddings_metadata
        if isinstance(metadata, dict):
            unknown = set(metadata) - {layer.name for layer in layers}
            if unknown:
                raise ValueError(
                    "Unrecognized `Embedding` layer names passed to "
                    f"`kcore.callbacks.TensorBoard` `embeddings_metadata` argument: "
                    f"{sorted(unknown)}. The model's Embedding layers are "
                    f"{[layer.name for layer in layers]}."
                )
            return [(layer, metadata.get(layer.name)) for layer in layers]
        return [(layer, metadata) for layer in layers]

    # Training.

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._global_train_batch = 0

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._close_writers()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch_start_time = time.time()
        self._epoch_batches = 0

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch_batches += 1
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        step = self._global_train_batch
        writer = self._train_writer
        if self.write_steps_per_second:
            elapsed = time.time() - self._batch_start_time
            if elapsed > 0:
                writer.add_scalar("batch_steps_per_second", 1.0 / elapsed, step)
        for name, value in (logs or {}).items():
            if np.ndim(value) == 0:
                writer.add_scalar(f"batch_{name}", as_float(value), step)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)
        for writer in self._writers.values():
            writer.flush()

    def _log_epoch_metrics(self, epoch: int, logs: dict[str, Any] | None) -> None:
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        train_logs.update(learning_rate_logs(getattr(self._model, "optimizer", None)))
        if self.write_steps_per_second:
            elapsed = time.time() - self._epoch_start_time
            train_logs["steps_per_second"] = self._epoch_batches / elapsed if elapsed else 0.0
        for writer, values in ((self._train_writer, train_logs), (self._val_writer, val_logs)):
            if not values:
                continue
            for name, value in values.items():
                if np.ndim(value) == 0:
                    writer.add_scalar(f"epoch_{name}", as_float(value), epoch)

    def _log_weights(self, epoch: int) -> None:
        writer = self._train_writer
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                value = np.asarray(weight.numpy())
                writer.add_histogram(f"{name}/histogram", value, epoch)
                if self.write_images:
                    image = _weight_image(value)
                    if image is not None:
                        self._add_images(writer, f"{name}/image", image, epoch)

    def _add_images(self, writer: Any, tag: str, image: np.ndarray, epoch: int) -> None:
        if importlib.util.find_spec("PIL") is None:
            raise ImportError(
                "TensorBoard(write_images=True) encodes images with Pillow, which is not "
                "installed. Install it with `pip install pillow`, or pass "
                "write_images=False."
            )
        writer.add_images(tag, image, epoch, dataformats="NHWC")

    def _log_embeddings(self, epoch: int) -> None:
        writer = self._train_writer
        for layer, metadata_path in self._embedding_layers():
            from kcore import ops

            matrix = np.asarray(ops.convert_to_numpy(layer.embeddings))
            metadata, header = _read_metadata(metadata_path, matrix.shape[0])
            writer.add_embedding(
                matrix,
                metadata=metadata,
                global_step=epoch,
                tag=layer.name,
                metadata_header=header,
            )

    # Evaluation.

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        optimizer = getattr(self._model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        if iterations is None or not logs:
            return
        step = int(as_float(iterations))
        writer = self._val_writer
        for name, value in logs.items():
            if np.ndim(value) == 0:
                writer.add_scalar(f"evaluation_{name}_vs_iterations", as_float(value), step)
        writer.flush()


def _read_metadata(path: str | None, rows: int) -> tuple[list[Any] | None, list[str] | None]:
    """Labels for the projector: one per row, or a header and tab-separated rows."""
    if path is None:
        return None, None
    with open(path, encoding="utf-8") as file:
        lines = file.read().splitlines()
    if len(lines) == rows:
        return lines, None
    if len(lines) == rows + 1 and "\t" in lines[0]:
        return [line.split("\t") for line in lines[1:]], lines[0].split("\t")
    raise ValueError(
        f"TensorBoard embeddings_metadata file {path!r} has {len(lines)} lines; expected "
        f"one label per embedding row ({rows} lines), or a tab-separated header and "
        f"{rows} rows."
    )
