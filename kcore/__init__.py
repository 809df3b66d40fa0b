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
    "initializers",
    "regularizers",
    "constraints",
    "activations",
    "tree",
    "dtype_policies",
    "saving",
    "losses",
    "metrics",
    "optimizers",
    "callbacks",
    "datasets",
]

_LAZY_MODULES = {"ops", "random", "backend", "registry", "hookspecs", "dtypes"}
_LAZY_MODULES |= {"initializers", "regularizers", "constraints", "activations", "tree"}
_LAZY_MODULES |= {"dtype_policies", "saving", "losses", "metrics", "optimizers", "callbacks"}
_LAZY_MODULES |= {"datasets"}


#: Top-level names served from the module that defines them (Keras's ``keras.Layer``...).
_LAZY_ATTRIBUTES = {
    "layers": "kcore.layers",
    "models": "kcore.models",
    "utils": "kcore.utils",
    "Layer": "kcore.layers:Layer",
    "InputSpec": "kcore.layers:InputSpec",
    "Input": "kcore.layers:Input",
    "Model": "kcore.models:Model",
    "Sequential": "kcore.models:Sequential",
    "StatelessScope": "kcore.variables:StatelessScope",
    "DTypePolicy": "kcore.dtype_policies:DTypePolicy",
    "FloatDTypePolicy": "kcore.dtype_policies:FloatDTypePolicy",
    "Initializer": "kcore.initializers:Initializer",
    "Regularizer": "kcore.regularizers:Regularizer",
    "Loss": "kcore.losses:Loss",
    "Metric": "kcore.metrics:Metric",
    "Optimizer": "kcore.optimizers:Optimizer",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f"kcore.{name}")
    if name in _LAZY_ATTRIBUTES:
        module, _, attribute = _LAZY_ATTRIBUTES[name].partition(":")
        loaded = importlib.import_module(module)
        return getattr(loaded, attribute) if attribute else loaded
    if name == "KerasTensor":
        from kcore.keras_tensor import KerasTensor

        return KerasTensor
    if name == "Variable":
        from kcore.backend import current

        return current().Variable
    raise AttributeError(f"module 'kcore' has no attribute {name!r}")
