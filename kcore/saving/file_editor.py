"""``KerasFileEditor``: inspect and edit the weights of a ``.keras`` or ``.weights.h5``
file (rename, delete or add objects and weights, compare with a model, save).

Example::

    >>> editor = KerasFileEditor("model.keras")
    >>> editor.summary()
    >>> editor.rename_object("dense_2", "dense_3")
    >>> editor.save("edited.weights.h5")
"""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np

from kcore.saving import archive as _archive
from kcore.saving import saving_lib
from kcore.saving.h5_store import WeightsReader, WeightsWriter


class KerasFileEditor:
    """Inspect and edit a Keras weights file (``.keras`` or ``.weights.h5``).

    The weights are read into :attr:`weights_dict`, a nested dict mirroring the
    file's object paths (``{"layers": {"dense": {"0": kernel, "1": bias}}}``); edits
    change that dict, and :meth:`save` writes it as a ``.weights.h5`` file. The file
    opened is never changed.

    Args:
        filepath: the ``.keras`` or ``.weights.h5`` file to open.

    Example::

        >>> editor = KerasFileEditor("model.weights.h5")
        >>> editor.delete_object("layers/dense_2")
        >>> editor.add_object("layers/einsum_dense", weights={"0": kernel, "1": bias})
        >>> editor.resave_weights("edited.weights.h5")
    """

    def __init__(self, filepath):
        self.filepath = os.fspath(filepath)
        self.metadata = None
        self.config = None
        self.model = None
        if self.filepath.endswith(".keras"):
            with _archive.open_archive(self.filepath) as zf:
                self.config = saving_lib._parse_json(
                    _archive.read_member(zf, saving_lib.CONFIG_FILENAME),
                    f"{self.filepath}: config.json",
                )
                if saving_lib.METADATA_FILENAME in zf.namelist():
                    self.metadata = saving_lib._parse_json(
                        _archive.read_member(zf, saving_lib.METADATA_FILENAME),
                        f"{self.filepath}: metadata.json",
                    )
                data = _archive.read_member(
                    zf, saving_lib.WEIGHTS_FILENAME, limit=_archive.MAX_MEMBER_BYTES
                )
            source: Any = io.BytesIO(data)
        elif self.filepath.endswith(".weights.h5"):
            source = self.filepath
        else:
            raise ValueError(
                "KerasFileEditor: expected a .keras or .weights.h5 file, received "
                f"filepath={self.filepath!r}"
            )
        with WeightsReader.open(source) as reader:
            self.weights_dict, self.object_metadata = reader.tree()
        print(f"Keras model file '{self.filepath}'")
        if self.metadata:
            print(
                f"Saved with Keras {self.metadata.get('keras_version')} - date: "
                f"{self.metadata.get('date_saved')}"
            )

    # ------------------------------------------------------------------ inspect
    def summary(self):
        """Print the weights' structure: objects, then each weight's shape and dtype.

        Example::

            >>> editor.summary()
            Weights structure
              > layers
              │   > dense ('dense')
            ...
        """
        print("Weights structure")
        for line in self._lines(self.weights_dict, "  ", ""):
            print(line)

    def _lines(self, tree: dict, prefix: str, path: str) -> list[str]:
        lines = []
        items = list(tree.items())
        for index, (key, value) in enumerate(items):
            last = index == len(items) - 1
            connector = "└─ " if last else "├─ "
            inner = f"{path}/{key}" if path else key
            if isinstance(value, dict):
                label = f"{prefix}{connector}{key}"
                name = self.object_metadata.get(inner, {}).get("name")
                if name:
                    label += f" ('{name}')"
                lines.append(label)
                lines.extend(self._lines(value, prefix + ("    " if last else "│   "), inner))
            else:
                lines.append(f"{prefix}{connector}{key}: shape={value.shape}, dtype={value.dtype}")
        return lines

    def compare(self, reference_model):
        """Compare the file with ``reference_model``: print every object or weight
        one has and the other lacks and every shape that differs.

        Returns:
            ``{"status": "success" or "error", "error_count": int, "match_count": int}``.

        Example::

            >>> editor.compare(model)["status"]
            'success'
        """
        print("Running comparison")
        reference = _model_tree(reference_model)
        errors: list[str] = []
        matches = 0

        def visit(file_node: dict, model_node: dict, path: str) -> None:
            nonlocal matches
            for key, value in model_node.items():
                inner = f"{path}/{key}"
                if key not in file_node:
                    kind = "Object" if isinstance(value, dict) else "Weight"
                    errors.append(
                        f"...{kind} {inner} present in reference model, missing from file"
                    )
                elif isinstance(value, dict) != isinstance(file_node[key], dict):
                    errors.append(f"...{inner} is an object in one and a weight in the other")
                elif isinstance(value, dict):
                    visit(file_node[key], value, inner)
                elif tuple(value.shape) != tuple(file_node[key].shape):
                    errors.append(
                        f"...Weight shape mismatch for {inner}\n    In reference model: "
                        f"shape={tuple(value.shape)}\n    In saved file: "
                        f"shape={tuple(file_node[key].shape)}"
                    )
                else:
                    matches += 1
            for key, value in file_node.items():
                if key not in model_node:
                    kind = "Object" if isinstance(value, dict) else "Weight"
                    errors.append(
                        f"...{kind} {path}/{key} present in saved file, missing from "
                        "reference model"
                    )

        visit(self.weights_dict, reference, "")
        for line in errors:
            print(line)
        print("─────────────────────")
        if errors:
            plural = "s" if len(errors) != 1 else ""
            print(
                f"Found {len(errors)} error{plural}: saved file is not compatible with the "
                "reference model"
            )
        else:
            plural = "s" if matches != 1 else ""
            print("Comparison successful: saved file is compatible with the reference model")
            print(f"    Found {matches} matching weight{plural}")
        return {
            "status": "error" if errors else "success",
            "error_count": len(errors),
            "match_count": matches,
        }

    # --------------------------------------------------------------------- edit
    def _find(self, object_name: str) -> list[tuple[dict, str]]:
        """``(parent dict, key)`` of the object named or addressed by ``object_name``."""
        if "/" in object_name:
            parts = object_name.strip("/").split("/")
            node = self.weights_dict
            for part in parts[:-1]:
                if not isinstance(node.get(part), dict):
                    raise ValueError(f"Path '{object_name}' not found in the file")
                node = node[part]
            if parts[-1] not in node:
                raise ValueError(f"Path '{object_name}' not found in the file")
            return [(node, parts[-1])]
        found: list[tuple[dict, str]] = []

        def visit(node: dict) -> None:
            for key, value in node.items():
                if isinstance(value, dict):
                    if key == object_name:
                        found.append((node, key))
                    visit(value)

        visit(self.weights_dict)
        if not found:
            raise ValueError(
                f"Object '{object_name}' does not appear in the file; summary() lists the objects"
            )
        if len(found) > 1:
            raise ValueError(
                f"Name '{object_name}' occurs {len(found)} times in the file; pass its "
                "full path (e.g. 'layers/dense')"
            )
        return found

    def rename_object(self, object_name, new_name):
        """Rename an object (a layer): ``object_name`` is its name or path, ``new_name``
        a plain name.

        Example::

            >>> editor.rename_object("dense_2", "dense_3")
        """
        if not new_name or "/" in new_name:
            raise ValueError(
                f"rename_object: new_name must be a plain name without '/', received {new_name!r}"
            )
        for parent, key in self._find(object_name):
            parent[new_name] = parent.pop(key)

    def delete_object(self, object_name):
        """Remove an object (its name or path) and its weights.

        Example::

            >>> editor.delete_object("layers/dense_2")
        """
        for parent, key in self._find(object_name):
            del parent[key]

    def add_object(self, object_path, weights):
        """Add an object at ``object_path`` with ``weights`` (``{"0": array, ...}``).

        Example::

            >>> editor.add_object("layers/dense_3", {"0": np.zeros((4, 2))})
        """
        weights = _checked_weights(weights)
        parts = object_path.strip("/").split("/")
        node = self.weights_dict
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                raise ValueError(f"Path '{'/'.join(parts[:-1])}' not found in the file")
            node = node[part]
        node[parts[-1]] = weights

    def delete_weight(self, object_name, weight_name):
        """Remove one weight (``"0"``, ...) of an object.

        Example::

            >>> editor.delete_weight("dense_2", "1")
        """
        for parent, key in self._find(object_name):
            if weight_name not in parent[key]:
                raise ValueError(
                    f"Weight {weight_name!r} not found in object {object_name!r}; its "
                    f"weights are {list(parent[key])}"
                )
            del parent[key][weight_name]

    def add_weights(self, object_name, weights):
        """Add weights (``{"2": array}``) to an existing object.

        Example::

            >>> editor.add_weights("dense_2", {"2": np.zeros((2,))})
        """
        weights = _checked_weights(weights)
        for parent, key in self._find(object_name):
            parent[key].update(weights)

    # --------------------------------------------------------------------- save
    def save(self, filepath):
        """Write the (edited) weights to a new ``.weights.h5`` file.

        Example::

            >>> editor.save("edited.weights.h5")
        """
        filepath = os.fspath(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError(
                f"KerasFileEditor.save: expected a .weights.h5 filepath, received {filepath!r}"
            )
        writer = WeightsWriter()

        def visit(node: dict, path: str) -> None:
            values = {k: v for k, v in node.items() if not isinstance(v, dict)}
            if values or path in self.object_metadata or not path:
                entry = writer.make(path, self.object_metadata.get(path))
                for key, value in values.items():
                    entry[key] = value
            for key, value in node.items():
                if isinstance(value, dict):
                    visit(value, f"{path}/{key}" if path else key)

        visit(self.weights_dict, "")
        with _archive.atomic_path(filepath) as temporary:
            writer.write_h5(temporary)

    def resave_weights(self, filepath):
        """Same as :meth:`save`.

        Example::

            >>> editor.resave_weights("edited.weights.h5")
        """
        self.save(filepath)


def _checked_weights(weights: Any) -> dict[str, np.ndarray]:
    if not isinstance(weights, dict):
        raise ValueError(
            "weights must be a dict of weight name ('0', '1', ...) -> array, received "
            f"{type(weights).__name__}"
        )
    return {str(k): np.asarray(v) for k, v in weights.items()}


def _model_tree(model: Any) -> dict[str, Any]:
    """The nested dict of arrays saving ``model`` would write (empty objects left out)."""
    from kcore.saving.object_state import save_state

    writer = WeightsWriter()
    save_state(model, writer)
    tree: dict[str, Any] = {}
    for path, entry in writer.entries.items():
        if not entry:
            continue
        node = tree
        for part in [p for p in path.split("/") if p]:
            node = node.setdefault(part, {})
        node.update(entry)
    return tree
