"""kcore: Keras 3's API on a tiny pluggable core.

``import kcore`` imports no framework. The selected backend (see
:mod:`kcore.config`) is loaded the first time something needs it, such as the first
``kcore.ops`` lookup.

Example::

    >>> import kcore
    >>> kcore.config.backend()     # doctest: +SKIP
    'jax'
    >>> kcore.ops.convert_to_numpy(kcore.ops.add([1, 2], 1)).tolist()   # doctest: +SKIP
    [2, 3]
"""

from __future__ import annotations

import importlib
from typing import Any

from kcore import config, errors
from kcore._version import __version__

__all__ = [
    "__version__",
    "config",
    "errors",
    "ops",
    "random",
    "backend",
    "registry",
    "hookspecs",
    "Variable",
    "KerasTensor",
]

_LAZY_MODULES = {"ops", "random", "backend", "registry", "hookspecs", "dtypes"}


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f"kcore.{name}")
    if name == "KerasTensor":
        from kcore.keras_tensor import KerasTensor

        return KerasTensor
    if name == "Variable":
        from kcore.backend import current

        return current().Variable
    raise AttributeError(f"module 'kcore' has no attribute {name!r}")
