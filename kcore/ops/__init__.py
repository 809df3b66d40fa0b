"""``kcore.ops``: the op functions of the selected backend.

Importing this package is light. The first time an op is looked up (``kcore.ops.add``
or ``from kcore.ops import add``), the selected backend is loaded and every declared
op is bound once into this module; after that an op call is a plain call of the
backend's function. :func:`kcore.config.set_backend` rebinds.

Example::

    >>> import kcore
    >>> y = kcore.ops.softmax(kcore.ops.convert_to_tensor([[1.0, 2.0]]))
    >>> kcore.ops.convert_to_numpy(kcore.ops.sum(y)).round(4)
    1.0
"""

from __future__ import annotations

import importlib
from typing import Any

from kcore.ops import contract
from kcore.ops import core as core  # noqa: F401 - declarations
from kcore.ops import image as image  # noqa: F401
from kcore.ops import linalg as linalg  # noqa: F401
from kcore.ops import math as math  # noqa: F401
from kcore.ops import nn as nn  # noqa: F401
from kcore.ops import numpy as numpy  # noqa: F401

_bound_backend = None
_NAMESPACES = {"core": core, "linalg": linalg, "math": math, "nn": nn, "numpy": numpy}
#: Namespaces whose ops are not also ``kcore.ops.<name>`` (Keras keeps them apart).
_SEPARATE = {"random": "kcore.random", "image": "kcore.ops.image"}


def _bind() -> None:
    """Bind every declared op to the selected backend (again, after set_backend)."""
    global _bound_backend
    from kcore import backend as backend_module

    backend = backend_module.current()
    functions = contract.bind(backend)
    module_globals = globals()
    for name, function in functions.items():
        namespace = contract.SPECS[name].namespace
        if namespace in _SEPARATE:
            setattr(importlib.import_module(_SEPARATE[namespace]), name, function)
            continue
        module_globals[name] = function
        setattr(_NAMESPACES[namespace], name, function)
    _bound_backend = backend


def _lookup(name: str) -> Any:
    """The bound public function of op ``name``, binding first if needed."""
    spec = contract.SPECS[name]
    if _bound_backend is None:
        _bind()
    if spec.namespace in _SEPARATE:
        return getattr(importlib.import_module(_SEPARATE[spec.namespace]), name)
    return globals()[name]


def __getattr__(name: str) -> Any:
    if name in contract.SPECS and contract.SPECS[name].namespace not in _SEPARATE:
        _bind()
        return globals()[name]
    raise AttributeError(f"module 'kcore.ops' has no attribute {name!r}")


def __dir__() -> list[str]:
    public = {n for n, s in contract.SPECS.items() if s.namespace not in _SEPARATE}
    return sorted(set(globals()) | public)


# kcore.random declares its ops with the contract too; load them so binding sees them.
from kcore import random as _random  # noqa: E402, F401
