"""Dtype names shared by every backend.

kcore names dtypes by Keras 3's strings (``"float32"``, ``"int64"``, ``"bool"``...).
:func:`standardize_dtype` turns a framework's dtype object into that string by its
name, so this module imports no framework.

Example::

    >>> standardize_dtype("float")
    'float32'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kcore.backend import STANDARD_DTYPES

_ALIASES = {
    "float": None,  # floatx
    "int": "int64",
    "double": "float64",
    "half": "float16",
    "complex": "complex128",
    "bool_": "bool",
    "boolean": "bool",
    "bf16": "bfloat16",
}


def standardize_dtype(dtype: Any) -> str:
    """Return the standard name of ``dtype`` (a string, NumPy or framework dtype).

    ``None`` and ``"float"`` mean :func:`kcore.config.floatx`. Raises ``ValueError``
    naming the value for anything else.
    """
    from kcore import config

    if dtype is None:
        return config.floatx()
    if dtype is float:
        return config.floatx()
    if dtype is int:
        return "int64"
    if dtype is bool:
        return "bool"
    if isinstance(dtype, str):
        name = dtype
    elif hasattr(dtype, "name") and isinstance(dtype.name, str):
        name = dtype.name  # numpy, jax, tensorflow dtypes
    elif isinstance(dtype, type) and issubclass(dtype, np.generic):
        name = np.dtype(dtype).name
    else:
        name = str(dtype)
    name = name.rsplit(".", 1)[-1].lower()  # "torch.float32" -> "float32"
    if name in _ALIASES:
        alias = _ALIASES[name]
        return config.floatx() if alias is None else alias
    if name in STANDARD_DTYPES:
        return name
    raise ValueError(
        f"unknown dtype {dtype!r}; expected one of {', '.join(sorted(STANDARD_DTYPES))}"
    )


def python_scalar_dtype(x: Any) -> str | None:
    """The dtype Keras 3 gives a Python value that carries no dtype of its own.

    Floats become ``floatx()``, ints ``int32``, bools ``bool``; nested lists take the
    widest kind among their leaves. Returns ``None`` for arrays and tensors.
    """
    from kcore import config

    kind = _python_kind(x)
    if kind is None:
        return None
    return {"bool": "bool", "int": "int32", "float": config.floatx(), "complex": "complex64"}[kind]


_KIND_ORDER = {"bool": 0, "int": 1, "float": 2, "complex": 3}


def _python_kind(x: Any) -> str | None:
    if isinstance(x, np.generic):  # np.float64 subclasses float but carries a dtype
        return None
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int"
    if isinstance(x, float):
        return "float"
    if isinstance(x, complex):
        return "complex"
    if isinstance(x, list | tuple):
        kinds = [_python_kind(v) for v in x]
        if not kinds or any(k is None for k in kinds):
            return None if kinds else "float"
        return max(kinds, key=_KIND_ORDER.__getitem__)
    return None
