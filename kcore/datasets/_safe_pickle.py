"""Reading the pickled parts of Keras's dataset files without running their code.

The IMDB and Reuters ``.npz`` files hold ragged sequences as NumPy object arrays, and
the CIFAR batches are pickled dicts of arrays; both need a pickle reader. This one
rebuilds NumPy arrays, dicts, lists and scalars and refuses every other global, so a
tampered file cannot execute anything.

Example::

    >>> arrays = load_npz("imdb.npz")   # doctest: +SKIP
"""

from __future__ import annotations

import io
import pickle
import zipfile
from typing import Any

import numpy as np

_ALLOWED = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }
)


class RestrictedUnpickler(pickle.Unpickler):
    """A pickle reader that builds only NumPy arrays and plain Python data."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"refusing to load {module}.{name} from a dataset file: only NumPy arrays are "
            "expected, so the file is corrupted or was tampered with; delete it from the "
            "cache and download it again"
        )


def load_pickle(handle: Any, encoding: str = "ASCII") -> Any:
    """Unpickle from an open binary file, allowing NumPy arrays only."""
    return RestrictedUnpickler(handle, encoding=encoding).load()


def _read_member(raw: bytes) -> np.ndarray:
    stream = io.BytesIO(raw)
    try:
        return np.lib.format.read_array(stream, allow_pickle=False)
    except ValueError:  # an object array: its payload is a pickle
        stream.seek(0)
        major, _ = np.lib.format.read_magic(stream)
        if major == 1:
            np.lib.format.read_array_header_1_0(stream)
        elif major in (2, 3):
            np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"unsupported .npy format version {major}") from None
        return load_pickle(stream)


def load_npz(path: str) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file, object arrays included, without unsafe unpickling.

    Example::

        >>> load_npz("reuters.npz")["x"].dtype   # doctest: +SKIP
        dtype('O')
    """
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                arrays[member[: -len(".npy")]] = _read_member(archive.read(member))
    return arrays
