"""The ``.keras`` archive and ``.weights.h5`` files, in the layout Keras 3 writes.

A ``.keras`` file is a zip holding ``metadata.json`` (versions, date), ``config.json``
(the model's :func:`~kcore.saving.serialize_keras_object` config, with its build and
compile configs) and ``model.weights.h5`` (every variable, at the paths
:mod:`kcore.saving.object_state` gives), plus ``assets/`` when a layer saves files
(a lookup layer's vocabulary). Weights are NumPy arrays in the file, so a model saved
on one backend loads on any other.

Example::

    >>> save_model(model, "model.keras")
    >>> restored = load_model("model.keras")
"""

from __future__ import annotations

import datetime
import io
import json
import os
import tempfile
import warnings
import zipfile
from typing import Any

from kcore.saving import archive as _archive
from kcore.saving.h5_store import WeightsReader, WeightsWriter, h5py_module
from kcore.saving.object_state import load_state, save_state

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
ASSETS_DIRNAME = "assets"
#: The Keras version whose format kcore writes (readers such as KerasFileEditor show it).
KERAS_FORMAT_VERSION = "3.15.1"


def _config_json(model: Any) -> tuple[str, str]:
    from kcore import _version
    from kcore.saving.serialization import serialize_keras_object

    config = json.dumps(serialize_keras_object(model))
    metadata = json.dumps(
        {
            "keras_version": KERAS_FORMAT_VERSION,
            "kcore_version": _version.__version__,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        }
    )
    return config, metadata


def _warn_unbuilt(model: Any) -> None:
    if not getattr(model, "built", True):
        warnings.warn(
            f"Saving model '{getattr(model, 'name', '')}', which is not built yet: it has "
            "no weights to save. Call it on data (or build it) first.",
            stacklevel=4,
        )


def save_model(model: Any, filepath: Any, zipped: bool = True) -> None:
    """Write ``model`` to ``filepath``: a ``.keras`` zip, or with ``zipped=False`` a
    directory holding the same files. The file appears only when complete."""
    h5py_module()
    filepath = os.fspath(filepath)
    if zipped and not filepath.endswith(".keras"):
        raise ValueError(f"save_model: expected a filepath ending in .keras, received {filepath!r}")
    if not zipped and filepath.endswith(".keras"):
        raise ValueError(
            f"save_model: with zipped=False the filepath is a directory and must not end "
            f"in .keras, received {filepath!r}"
        )
    _warn_unbuilt(model)
    config, metadata = _config_json(model)
    writer = WeightsWriter()
    with tempfile.TemporaryDirectory(prefix="kcore-assets-") as assets:
        save_state(model, writer, assets_dir=assets)
        if zipped:
            with _archive.atomic_path(filepath) as temporary:
                with zipfile.ZipFile(temporary, "w") as zf:
                    zf.writestr(METADATA_FILENAME, metadata)
                    zf.writestr(CONFIG_FILENAME, config)
                    weights = io.BytesIO()
                    writer.write_h5(weights)
                    zf.writestr(WEIGHTS_FILENAME, weights.getvalue())
                    for path, name in _files_under(assets, ASSETS_DIRNAME):
                        zf.write(path, name)
            return
        with _archive.atomic_directory(filepath) as directory:
            with open(os.path.join(directory, METADATA_FILENAME), "w", encoding="utf-8") as f:
                f.write(metadata)
            with open(os.path.join(directory, CONFIG_FILENAME), "w", encoding="utf-8") as f:
                f.write(config)
            writer.write_h5(os.path.join(directory, WEIGHTS_FILENAME))
            files = list(_files_under(assets, ASSETS_DIRNAME))
            for path, name in files:
                destination = os.path.join(directory, *name.split("/"))
                os.makedirs(os.path.dirname(destination), exist_ok=True)
                with open(path, "rb") as src, open(destination, "wb") as dst:
                    dst.write(src.read())


def _files_under(root: str, prefix: str) -> list[tuple[str, str]]:
    out = []
    for directory, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, root).replace(os.sep, "/")
            out.append((path, f"{prefix}/{relative}"))
    return out


def _parse_json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"{where} is not valid JSON: {error}") from None


def _model_from_config(
    config: Any, custom_objects: Any, compile: bool, safe_mode: bool, where: str
) -> Any:
    from kcore.saving.serialization import deserialize_keras_object

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"{where} does not describe a model: expected an object with a class_name, "
            f"received {str(config)[:200]}"
        )
    if not compile:
        config = {**config, "compile_config": None}
    try:
        return deserialize_keras_object(config, custom_objects=custom_objects, safe_mode=safe_mode)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ValueError(f"{where}: could not rebuild the model: {error}") from error


def load_model(
    filepath: Any, custom_objects: Any = None, compile: bool = True, safe_mode: bool = True
) -> Any:
    """The model saved at ``filepath`` (a ``.keras`` archive, or a directory written
    with ``zipped=False``), with its weights and, when ``compile``, its compile state
    and optimizer variables. Changes nothing on disk."""
    h5py_module()
    filepath = os.fspath(filepath) if isinstance(filepath, str | os.PathLike) else filepath
    if isinstance(filepath, str) and os.path.isdir(filepath):
        return _load_model_from_directory(filepath, custom_objects, compile, safe_mode)
    if isinstance(filepath, str):
        if not filepath.endswith(".keras"):
            raise ValueError(
                f"load_model: expected a .keras file (or a directory saved with "
                f"zipped=False), received {filepath!r}"
            )
        if not os.path.exists(filepath):
            raise FileNotFoundError(f"load_model: no file at {filepath}")
    with _archive.open_archive(filepath) as zf:
        where = f"{filepath}: {CONFIG_FILENAME}"
        config = _parse_json(_archive.read_member(zf, CONFIG_FILENAME), where)
        if METADATA_FILENAME in zf.namelist():
            _parse_json(_archive.read_member(zf, METADATA_FILENAME), f"{filepath}: metadata.json")
        weights = _archive.read_member(zf, WEIGHTS_FILENAME, limit=_archive.MAX_MEMBER_BYTES)
        model = _model_from_config(config, custom_objects, compile, safe_mode, where)
        with tempfile.TemporaryDirectory(prefix="kcore-assets-") as assets:
            has_assets = _archive.extract_tree(zf, ASSETS_DIRNAME, assets)
            with WeightsReader.open(io.BytesIO(weights)) as reader:
                load_state(
                    model,
                    reader,
                    assets_dir=assets if has_assets or _wants_assets(model) else None,
                    source=f"{filepath}: {WEIGHTS_FILENAME}",
                )
    return model


def _wants_assets(model: Any) -> bool:
    from kcore.saving.object_state import walk

    return any(callable(getattr(obj, "load_assets", None)) for _, obj in walk(model))


def _load_model_from_directory(
    dirpath: str, custom_objects: Any, compile: bool, safe_mode: bool
) -> Any:
    config_path = os.path.join(dirpath, CONFIG_FILENAME)
    weights_path = os.path.join(dirpath, WEIGHTS_FILENAME)
    for path in (config_path, weights_path):
        if not os.path.isfile(path):
            raise ValueError(
                f"load_model: {dirpath} has no {os.path.basename(path)}; a saved model "
                "directory holds config.json, metadata.json and model.weights.h5"
            )
    with open(config_path, "rb") as handle:
        config = _parse_json(handle.read(_archive.MAX_JSON_BYTES + 1), config_path)
    model = _model_from_config(config, custom_objects, compile, safe_mode, config_path)
    assets = os.path.join(dirpath, ASSETS_DIRNAME)
    with WeightsReader.open(weights_path) as reader:
        load_state(
            model,
            reader,
            assets_dir=assets if os.path.isdir(assets) or _wants_assets(model) else None,
            source=weights_path,
        )
    return model


def save_weights_only(
    model: Any, filepath: Any, max_shard_size: Any = None, objects_to_skip: Any = None
) -> None:
    """Write the model's weights (and optimizer variables) to ``filepath``: a
    ``.weights.h5`` file, or with ``max_shard_size`` (GB) a ``.weights.json`` index
    and its shards ``<name>_00000.weights.h5``..."""
    h5py_module()
    filepath = os.fspath(filepath)
    if not getattr(model, "built", True):
        raise ValueError(
            f"save_weights: model '{getattr(model, 'name', '')}' is not built, so it has "
            "no weights yet; call it on data or call build(input_shape) first"
        )
    if max_shard_size is None and not filepath.endswith(".weights.h5"):
        raise ValueError(
            f"save_weights: the filename must end in .weights.h5, received {filepath!r}"
        )
    if max_shard_size is not None and not filepath.endswith(("weights.h5", "weights.json")):
        raise ValueError(
            "save_weights: with max_shard_size the filename must end in .weights.json, "
            f"received {filepath!r}"
        )
    writer = WeightsWriter()
    save_state(model, writer, skip=objects_to_skip or ())
    if max_shard_size is None:
        with _archive.atomic_path(filepath) as temporary:
            writer.write_h5(temporary)
        return
    if not filepath.endswith(".json"):
        filepath = filepath[: -len(".h5")] + ".json"
        warnings.warn(
            f"save_weights: sharded weights are indexed by a .json file; writing {filepath}",
            stacklevel=3,
        )
    _write_sharded(writer, filepath, max_shard_size)


def _write_sharded(writer: WeightsWriter, filepath: str, max_shard_size: Any) -> None:
    directory = os.path.dirname(os.path.abspath(filepath))
    base = os.path.basename(filepath)[: -len(".json")].replace(".weights", "")
    staging = tempfile.mkdtemp(dir=directory, prefix=f".{base}.shards.")
    try:
        index = writer.write_sharded(staging, base, max_shard_size)
        names = index.pop("_files")
        for name in names:
            os.replace(os.path.join(staging, name), os.path.join(directory, name))
        with _archive.atomic_path(filepath) as temporary:
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(index, handle, indent=4)
    finally:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)


def load_weights_only(
    model: Any, filepath: Any, skip_mismatch: bool = False, objects_to_skip: Any = None
) -> None:
    """Load weights saved by :func:`save_weights_only` or inside a ``.keras`` archive
    into ``model``; nothing is assigned unless everything fits (``skip_mismatch``
    skips the layers that do not, with a warning)."""
    h5py_module()
    filepath = os.fspath(filepath)
    if not getattr(model, "built", True):
        raise ValueError(
            f"load_weights: model '{getattr(model, 'name', '')}' is not built, so it has "
            "no weights to load into; call it on data or call build(input_shape) first"
        )
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"load_weights: no file at {filepath}")
    skip = objects_to_skip or ()
    if filepath.endswith(".keras"):
        with _archive.open_archive(filepath) as zf:
            data = _archive.read_member(zf, WEIGHTS_FILENAME, limit=_archive.MAX_MEMBER_BYTES)
        source = f"{filepath}: {WEIGHTS_FILENAME}"
        with WeightsReader.open(io.BytesIO(data)) as reader:
            load_state(model, reader, skip_mismatch=skip_mismatch, skip=skip, source=source)
        return
    if not filepath.endswith((".weights.h5", ".weights.json")):
        raise ValueError(
            "load_weights: expected a .weights.h5, .weights.json or .keras file, "
            f"received {filepath!r}"
        )
    with WeightsReader.open(filepath) as reader:
        load_state(model, reader, skip_mismatch=skip_mismatch, skip=skip, source=filepath)
