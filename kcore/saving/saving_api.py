"""``kcore.saving.save_model``/``load_model``/``save_weights``/``load_weights``: Keras 3's
public saving functions (``Model.save``, ``Model.save_weights`` and
``Model.load_weights`` call them).

Example::

    >>> kcore.saving.save_model(model, "model.keras")
    >>> restored = kcore.saving.load_model("model.keras")
    >>> kcore.saving.save_weights(model, "model.weights.h5")
    >>> kcore.saving.load_weights(restored, "model.weights.h5")
"""

from __future__ import annotations

import os
import sys
from typing import Any

from kcore.saving import saving_lib


def _confirm_overwrite(filepath: str) -> bool:
    """Ask on an interactive terminal whether to replace ``filepath`` (Keras asks too);
    without a terminal the answer is no."""
    if not sys.stdin or not sys.stdin.isatty():
        return False
    while True:
        answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n] ").strip()
        if answer.lower() in ("y", "n"):
            return answer.lower() == "y"


def save_model(model: Any, filepath: Any, overwrite: bool = True, zipped: Any = None, **kwargs):
    """Save ``model`` (config, weights, compile state, optimizer variables) as a
    ``.keras`` archive that Keras 3 also reads.

    Args:
        model: the model.
        filepath: a path ending in ``.keras`` (or, with ``zipped=False``, a directory).
        overwrite: whether to replace an existing file; if False, ask on an interactive
            terminal and otherwise leave it as it is.
        zipped: write a zip archive (the default) or a directory.

    Example::

        >>> kcore.saving.save_model(model, "model.keras")
    """
    include_optimizer = kwargs.pop("include_optimizer", True)
    save_format = kwargs.pop("save_format", None)
    if kwargs:
        raise ValueError(
            f"save_model: unsupported arguments {sorted(kwargs)}; it takes model, filepath, "
            "overwrite and zipped"
        )
    if save_format not in (None, False, "keras"):
        raise ValueError(
            f"save_model: save_format={save_format!r} is not supported: kcore writes the "
            ".keras format; pass a filepath ending in .keras"
        )
    if not include_optimizer:
        raise ValueError(
            "save_model: include_optimizer=False belongs to the legacy .h5 format; the "
            ".keras format always holds the optimizer (use save_weights for weights only)"
        )
    filepath_str = os.fspath(filepath) if isinstance(filepath, str | os.PathLike) else filepath
    if str(filepath_str).endswith((".h5", ".hdf5")) and not str(filepath_str).endswith(
        ".weights.h5"
    ):
        raise ValueError(
            f"save_model: the legacy HDF5 model format ({filepath_str}) is not supported; "
            "save as .keras (or use save_weights for a .weights.h5 file)"
        )
    if zipped is None:
        zipped = True
    if os.path.exists(filepath_str) and not overwrite and not _confirm_overwrite(filepath_str):
        return
    saving_lib.save_model(model, filepath_str, zipped=zipped)


def load_model(filepath: Any, custom_objects: Any = None, compile: bool = True, safe_mode=True):
    """Load a model saved with :func:`save_model` (by kcore or by Keras 3).

    Args:
        filepath: the ``.keras`` file (or a directory saved with ``zipped=False``).
        custom_objects: a dict of name -> class or function for objects that are not
            registered with :func:`kcore.saving.register_keras_serializable`.
        compile: whether to compile the model again from its saved compile state.
        safe_mode: refuse anything that would run code from the file (a ``Lambda``
            layer's bytecode). Turn off only for files you trust.

    Example::

        >>> model = kcore.saving.load_model("model.keras")
    """
    filepath_str = os.fspath(filepath) if isinstance(filepath, str | os.PathLike) else filepath
    if isinstance(filepath_str, str) and filepath_str.endswith((".h5", ".hdf5")):
        raise ValueError(
            f"load_model: the legacy HDF5 model format ({filepath_str}) is not supported; "
            "kcore reads .keras files (load weights files with load_weights)"
        )
    return saving_lib.load_model(
        filepath_str, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
    )


def save_weights(model: Any, filepath: Any, overwrite: bool = True, max_shard_size=None, **kwargs):
    """Save the model's weights (and optimizer variables) as a ``.weights.h5`` file,
    or, with ``max_shard_size`` (in GB), as a ``.weights.json`` index with shards.

    Example::

        >>> kcore.saving.save_weights(model, "model.weights.h5")
    """
    objects_to_skip = kwargs.pop("objects_to_skip", None)
    if kwargs:
        raise ValueError(f"save_weights: unsupported arguments {sorted(kwargs)}")
    filepath_str = os.fspath(filepath)
    if os.path.exists(filepath_str) and not overwrite and not _confirm_overwrite(filepath_str):
        return
    saving_lib.save_weights_only(
        model, filepath_str, max_shard_size=max_shard_size, objects_to_skip=objects_to_skip
    )


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False, **kwargs):
    """Load weights from a ``.weights.h5``, ``.weights.json`` or ``.keras`` file into
    ``model``. Nothing is assigned unless every weight fits; with ``skip_mismatch``
    the layers that do not fit are skipped, with a warning.

    Example::

        >>> kcore.saving.load_weights(model, "model.weights.h5")
    """
    objects_to_skip = kwargs.pop("objects_to_skip", None)
    by_name = kwargs.pop("by_name", None)
    if kwargs:
        raise ValueError(f"load_weights: unsupported arguments {sorted(kwargs)}")
    if by_name:
        raise ValueError(
            "load_weights: by_name only applies to legacy .h5 files, which kcore does not read"
        )
    filepath_str = os.fspath(filepath)
    if objects_to_skip is not None and filepath_str.endswith(".keras"):
        raise ValueError("load_weights: objects_to_skip only applies to .weights.h5 files")
    saving_lib.load_weights_only(
        model, filepath_str, skip_mismatch=skip_mismatch, objects_to_skip=objects_to_skip
    )
