"""Weight stores in the HDF5 layout Keras 3 writes (``model.weights.h5``,
``*.weights.h5`` and sharded ``*.weights.json``).

Every object that saves state has a group at its path (``layers/dense``,
``optimizer``; the model itself at the root) holding a ``vars`` group whose datasets
are named ``"0"``, ``"1"``... and whose ``name`` attribute is the object's name.
:class:`WeightsWriter` gathers the values in memory and writes them out at once (so a
failing save never leaves half a file); :class:`WeightsReader` reads them back,
refusing what would reach outside the file or allocate far more than it stores:
external and soft links, external and virtual datasets, shape bombs.

Example::

    >>> writer = WeightsWriter()
    >>> writer.make("layers/dense", {"name": "dense"})["0"] = np.ones((3, 2), "float32")
    >>> writer.write_h5("model.weights.h5")
    >>> with WeightsReader.open("model.weights.h5") as reader:
    ...     reader.get("layers/dense")["0"].shape
    (3, 2)
"""

from __future__ import annotations

import io
import json
import math
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

#: A dataset declaring more than this many bytes must store at least 1/_MAX_EXPANSION
#: of them: what stores almost nothing yet declares gigabytes is a shape bomb.
_BOMB_FLOOR_BYTES = 1 << 30
_MAX_EXPANSION = 1000
#: No weight is larger than this (256 GiB): a bigger declared shape is malformed.
_MAX_DATASET_BYTES = 1 << 38
_MAX_RANK = 64


def h5py_module() -> Any:
    """h5py, imported on first use, or an ImportError saying how to get it."""
    try:
        import h5py
    except ImportError:
        raise ImportError(
            "kcore.saving needs the h5py package to read and write .keras and "
            ".weights.h5 files: pip install h5py"
        ) from None
    return h5py


def _to_numpy(value: Any) -> np.ndarray:
    numpy = getattr(value, "numpy", None)
    if callable(numpy) and not isinstance(value, np.ndarray):
        value = numpy()
    return np.asarray(value)


class _Entry(dict):
    """One object's values (name -> NumPy array), in the order they were set."""

    def __init__(self, metadata: dict[str, Any] | None) -> None:
        super().__init__()
        self.metadata = dict(metadata or {})
        #: Keras creates a group at once for objects with a name, else on first write.
        self.created = bool(metadata)

    def __setitem__(self, key: str, value: Any) -> None:
        self.created = True
        super().__setitem__(str(key), _to_numpy(value))


class WeightsWriter:
    """Collects each object's values by path, then writes them in Keras's layout.

    Example::

        >>> writer = WeightsWriter()
        >>> writer.make("", {"name": "model"})   # the root object: group "vars"
        >>> writer.write_h5(io.BytesIO())
    """

    def __init__(self) -> None:
        self.entries: dict[str, _Entry] = {}

    def make(self, path: str, metadata: dict[str, Any] | None = None) -> _Entry:
        """The store (a dict) for the object at ``path``."""
        entry = _Entry(metadata)
        self.entries[path] = entry
        return entry

    def _groups(self) -> Iterator[tuple[str, _Entry]]:
        for path, entry in self.entries.items():
            if entry.created:
                yield (f"{path}/vars" if path else "vars"), entry

    @staticmethod
    def _write_group(h5file: Any, group_path: str, entry: _Entry, keys: list[str]) -> None:
        group = h5file.require_group(group_path)
        for key, value in entry.metadata.items():
            group.attrs[key] = value
        for key in keys:
            _write_dataset(group, key, entry[key])

    def write_h5(self, target: Any) -> None:
        """Write every object to one HDF5 file (a path or a binary file object)."""
        h5py = h5py_module()
        with h5py.File(target, "w") as h5file:
            for group_path, entry in self._groups():
                self._write_group(h5file, group_path, entry, list(entry))

    def write_sharded(self, directory: str, base_name: str, max_shard_size: float) -> dict:
        """Write shards ``<base_name>_00000.weights.h5``... of at most ``max_shard_size``
        GB each into ``directory``; returns the ``.weights.json`` index Keras writes."""
        h5py = h5py_module()
        limit = float(max_shard_size) * 1024**3
        shards: list[list[tuple[str, _Entry, list[str]]]] = [[]]
        weight_map: dict[str, Any] = {}
        size = total = 0
        for group_path, entry in self._groups():
            keys_here: list[str] = []
            shards[-1].append((group_path, entry, keys_here))
            for key, value in entry.items():
                nbytes = value.nbytes
                if nbytes > limit:
                    raise ValueError(
                        f"save_weights: weight {group_path}/{key} takes {nbytes} bytes, "
                        f"more than max_shard_size={max_shard_size} GB; raise max_shard_size"
                    )
                if size + nbytes > limit and size > 0:
                    keys_here = []
                    shards.append([(group_path, entry, keys_here)])
                    size = 0
                keys_here.append(key)
                size += nbytes
                total += nbytes
                name = _shard_name(base_name, len(shards) - 1)
                files = weight_map.setdefault(f"/{group_path}", [])
                if name not in files:
                    files.append(name)
        names = []
        for index, groups in enumerate(shards):
            name = _shard_name(base_name, index)
            names.append(name)
            with h5py.File(os.path.join(directory, name), "w") as h5file:
                for group_path, entry, keys in groups:
                    self._write_group(h5file, group_path, entry, keys)
        weight_map = {k: v[0] if len(v) == 1 else v for k, v in weight_map.items()}
        return {"metadata": {"total_size": total}, "weight_map": weight_map, "_files": names}


def _shard_name(base_name: str, index: int) -> str:
    return f"{base_name}_{index:05}.weights.h5"


def _write_dataset(group: Any, key: str, value: np.ndarray) -> None:
    if value.dtype.name == "bfloat16":
        # HDF5 has no bfloat16: Keras stores opaque 2-byte values and marks them.
        dataset = group.create_dataset(key, data=value)
        dataset.attrs["dtype"] = "bfloat16"
    else:
        group[key] = value


# ---------------------------------------------------------------------------- reading
class _Values:
    """The values of one object, read on access (a read-only mapping)."""

    def __init__(self, groups: list[Any], where: str) -> None:
        self._groups = groups
        self._where = where

    def keys(self) -> list[str]:
        keys: list[str] = []
        for group in self._groups:
            keys.extend(k for k in group.keys() if k not in keys)
        return keys

    def __len__(self) -> int:
        return len(self.keys())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        return any(key in group for group in self._groups)

    def __getitem__(self, key: str) -> np.ndarray:
        for group in self._groups:
            if key in group:
                return read_dataset(group, key, f"{self._where}/{key}")
        raise KeyError(f"{self._where} has no weight {key!r}; it has {self.keys()}")

    def items(self) -> Iterator[tuple[str, np.ndarray]]:
        for key in self.keys():
            yield key, self[key]


def _child(parent: Any, name: str, where: str) -> Any:
    h5py = h5py_module()
    if name not in parent:
        return None
    link = parent.get(name, getlink=True)
    if isinstance(link, h5py.ExternalLink | h5py.SoftLink):
        raise ValueError(
            f"refused: {where} is an HDF5 {type(link).__name__}, which would read data "
            "from outside the file; a weights file holds only groups and datasets"
        )
    return parent[name]


def safe_group(root: Any, path: str) -> Any:
    """The group at ``path`` under ``root`` (None when absent), refusing links."""
    h5py = h5py_module()
    current = root
    walked = ""
    for part in path.split("/"):
        if not part:
            continue
        walked = f"{walked}/{part}"
        current = _child(current, part, walked)
        if current is None:
            return None
        if not isinstance(current, h5py.Group):
            raise ValueError(f"malformed weights file: {walked} should be a group, it is a dataset")
    return current


def read_dataset(group: Any, key: str, where: str) -> np.ndarray:
    """The array of dataset ``key`` of ``group``, after the safety checks."""
    h5py = h5py_module()
    dataset = _child(group, key, where)
    if not isinstance(dataset, h5py.Dataset):
        raise ValueError(f"malformed weights file: {where} should be a dataset, it is a group")
    if dataset.external:
        raise ValueError(f"refused: dataset {where} stores its data in external files")
    if dataset.is_virtual:
        raise ValueError(f"refused: dataset {where} is virtual (it maps other files)")
    shape = dataset.shape or ()
    if len(shape) > _MAX_RANK:
        raise ValueError(f"malformed weights file: dataset {where} has rank {len(shape)}")
    declared = math.prod(shape) * dataset.dtype.itemsize
    stored = dataset.id.get_storage_size()
    if declared > _MAX_DATASET_BYTES or (
        declared > _BOMB_FLOOR_BYTES and declared > _MAX_EXPANSION * stored
    ):
        raise ValueError(
            f"refused: dataset {where} declares {declared} bytes but stores {stored}; "
            "an oversized or shape-bomb dataset is not loaded"
        )
    bfloat16 = _plain(dataset.attrs.get("dtype")) == "bfloat16"
    if bfloat16 and dataset.dtype.itemsize == 2 and dataset.dtype.kind in "Vui":
        try:
            import ml_dtypes
        except ImportError:
            raise ImportError(
                f"dataset {where} holds bfloat16 values: reading them needs the "
                "ml_dtypes package (pip install ml_dtypes)"
            ) from None
        return np.asarray(dataset[()]).view(ml_dtypes.bfloat16)
    if dataset.dtype.kind in "OV" or dataset.dtype.fields is not None:
        raise ValueError(
            f"malformed weights file: dataset {where} has dtype {dataset.dtype}, not a "
            "numeric array"
        )
    return np.asarray(dataset[()])


class WeightsReader:
    """Reads object values by path from one HDF5 file or a sharded set.

    Example::

        >>> with WeightsReader.open("model.weights.h5") as reader:
        ...     dict(reader.get("layers/dense").items())
    """

    def __init__(self, files: list[Any], weight_map: dict[str, Any] | None = None) -> None:
        self._files = files
        self._by_name = {os.path.basename(getattr(f, "filename", "") or ""): f for f in files}
        self._weight_map = weight_map

    @classmethod
    def open(cls, source: Any) -> WeightsReader:
        """Open a ``.weights.h5`` path, a binary file object, or a ``.weights.json``
        index of shards (which must sit next to it)."""
        h5py = h5py_module()
        if isinstance(source, str | os.PathLike) and str(source).endswith(".json"):
            return cls._open_sharded(str(source))
        try:
            h5file = h5py.File(source, "r")
        except OSError as error:
            raise ValueError(
                f"could not read the weights file {_describe(source)}: it is not a valid "
                f"HDF5 file (truncated or damaged?): {error}"
            ) from None
        return cls([h5file])

    @classmethod
    def _open_sharded(cls, index_path: str) -> WeightsReader:
        h5py = h5py_module()
        try:
            with open(index_path, encoding="utf-8") as handle:
                index = json.load(handle)
            weight_map = index["weight_map"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"could not read the shard index {index_path}: {error}; expected the "
                "JSON file save_weights(..., max_shard_size=...) writes"
            ) from None
        directory = os.path.dirname(os.path.abspath(index_path))
        names: list[str] = []
        for value in weight_map.values():
            for name in value if isinstance(value, list) else [value]:
                if (
                    not isinstance(name, str)
                    or os.path.basename(name) != name
                    or name
                    in (
                        "",
                        ".",
                        "..",
                    )
                ):
                    raise ValueError(
                        f"refused: the shard index {index_path} names {name!r}; shards "
                        "must be plain file names in the index's directory"
                    )
                if name not in names:
                    names.append(name)
        files = []
        try:
            for name in names:
                files.append(h5py.File(os.path.join(directory, name), "r"))
        except OSError as error:
            for f in files:
                f.close()
            raise ValueError(f"could not open a weight shard of {index_path}: {error}") from None
        return cls(files, weight_map)

    def close(self) -> None:
        for h5file in self._files:
            h5file.close()

    def __enter__(self) -> WeightsReader:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def _candidates(self, group_path: str) -> list[Any]:
        if self._weight_map is None:
            return self._files
        names = self._weight_map.get(f"/{group_path}")
        if names is None:
            return self._files
        names = names if isinstance(names, list) else [names]
        return [self._by_name[n] for n in names if n in self._by_name]

    def get(self, path: str) -> _Values:
        """The values of the object at ``path`` (an empty mapping when absent)."""
        group_path = f"{path}/vars" if path else "vars"
        groups = []
        for h5file in self._candidates(group_path):
            group = safe_group(h5file, group_path)
            if group is not None:
                groups.append(group)
        return _Values(groups, group_path)

    def has_path(self, path: str) -> bool:
        return any(safe_group(f, path) is not None for f in self._files)

    def tree(self) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """Every value as a nested dict (``{"layers": {"dense": {"0": array}}}``, the
        ``vars`` level folded in, empty objects left out) and each object's metadata
        by path."""
        h5py = h5py_module()
        result: dict[str, Any] = {}
        metadata: dict[str, dict[str, Any]] = {}

        def visit(group: Any, node: dict[str, Any], path: str) -> None:
            attrs = {k: _plain(v) for k, v in group.attrs.items()}
            if attrs:
                metadata[path.rstrip("/")] = attrs
            for key in group.keys():
                where = f"{path}/{key}" if path else key
                child = _child(group, key, where)
                if isinstance(child, h5py.Group):
                    if key == "vars":
                        visit(child, node, path)
                        continue
                    sub: dict[str, Any] = {}
                    visit(child, sub, where)
                    if sub:
                        existing = node.setdefault(key, {})
                        existing.update(sub)
                else:
                    node[key] = read_dataset(group, key, where)

        for h5file in self._files:
            visit(h5file, result, "")
        return result, metadata


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _describe(source: Any) -> str:
    if isinstance(source, io.IOBase):
        return "(in the archive)"
    return str(source)
