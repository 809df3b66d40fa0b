"""Dtype names shared by every backend.

kcore names dtypes by Keras 3's strings (``"float32"``, ``"int64"``, ``"bool"``...).
:func:`standardize_dtype` turns a framework's dtype object into that string by its
name, so this module imports no framework.

Example::

    >>> standardize_dtype("float")
    'float32'
"""

from __future__ import annotations

import functools
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


#: standardize_dtype's answers for dtype objects and exact names (never for the
#: floatx-dependent ``None``/``"float"``/``float``).
_STANDARD: dict[Any, str] = {}


def standardize_dtype(dtype: Any) -> str:
    """Return the standard name of ``dtype`` (a string, NumPy or framework dtype).

    ``None`` and ``"float"`` mean :func:`kcore.config.floatx`. Raises ``ValueError``
    naming the value for anything else.
    """
    try:
        return _STANDARD[dtype]
    except (KeyError, TypeError):  # not seen yet, or unhashable
        pass
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
        try:
            _STANDARD[dtype] = name
        except TypeError:
            pass
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


# --------------------------------------------------------------------------- promotion
#
# One promotion table for every backend: Keras 3's, which follows JAX's type lattice.
# Python scalars are *weak* types ("int", "float", "complex"): they take the other
# operand's dtype when it has the same or a wider kind (float32 + 1.0 stays float32).
# An edge a -> b means "a promotes to b"; the result of several dtypes is their least
# upper bound in this lattice.
_LATTICE = {
    "bool": ("int",),
    "int": ("uint8", "int8"),
    "uint8": ("uint16", "int16"),
    "uint16": ("uint32", "int32"),
    "uint32": ("uint64", "int64"),
    "uint64": ("float",),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": ("float",),
    "float": ("float16", "bfloat16", "complex"),
    "float16": ("float32",),
    "bfloat16": ("float32",),
    "float32": ("float64", "complex64"),
    "float64": ("complex128",),
    "complex": ("complex64",),
    "complex64": ("complex128",),
    "complex128": (),
}
_WEAK = {int: "int", float: "float", complex: "complex"}


def _upper_bounds(node: str) -> frozenset[str]:
    seen = {node}
    stack = [node]
    while stack:
        for parent in _LATTICE[stack.pop()]:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return frozenset(seen)


_UPPER = {node: _upper_bounds(node) for node in _LATTICE}


def _lattice_node(dtype: Any) -> str:
    if dtype is bool:
        return "bool"
    if dtype in _WEAK:
        return _WEAK[dtype]
    return standardize_dtype(dtype)


def dtype_of(x: Any) -> Any:
    """The promotion-table entry for an op argument: the standard dtype name of a
    tensor or array, or the Python type (``int``, ``float``, ``bool``, ``complex``) of
    a Python scalar, which promotes weakly. Lists are converted as Keras converts them.
    """
    t = type(x)
    if t in _PYTHON_TYPES:
        return t
    dtype = getattr(x, "dtype", None)
    if dtype is not None:
        return standardize_dtype(dtype)
    kind = python_scalar_dtype(x)
    if kind is not None:
        return kind
    return standardize_dtype(np.asarray(x).dtype)


_PYTHON_TYPES = frozenset({bool, int, float, complex})


def result_type(*dtypes: Any) -> str:
    """The dtype of an op's result on mixed inputs, the same on every backend.

    Arguments are dtype names or framework dtypes (strong), or the Python types
    ``int``, ``float``, ``complex`` and ``bool`` standing for Python scalars (weak: they
    adopt the other operand's dtype when its kind is the same or wider). A weak result
    becomes ``int32``, ``floatx()`` or ``complex64``. With no arguments: ``floatx()``.

    Example::

        >>> result_type("int32", "float16")
        'float16'
        >>> result_type("float16", float)
        'float16'
        >>> result_type("uint8", "int8")
        'int16'
        >>> result_type("int64", "uint64")   # no integer holds both
        'float32'
    """
    try:
        return _FAST[dtypes]
    except (KeyError, TypeError):  # new combination, or an unhashable dtype object
        pass
    from kcore import config

    if not dtypes:
        return config.floatx()
    result = _cached_result(tuple(_lattice_node(d) for d in dtypes), config.floatx())
    try:
        _FAST[dtypes] = result
    except TypeError:
        pass
    return result


#: result_type's answers by its exact arguments; config.set_floatx clears it.
_FAST: dict[tuple[Any, ...], str] = {}


@functools.lru_cache(maxsize=4096)
def _cached_result(nodes: tuple[str, ...], floatx: str) -> str:
    common = frozenset.intersection(*(_UPPER[n] for n in nodes))
    # The least upper bound: the bound every other common bound lies above.
    lub = next(n for n in common if common <= _UPPER[n])
    if lub in _WEAK.values():
        wide = floatx == "float64"
        lub = {
            "int": "int64" if wide else "int32",
            "float": floatx,
            "complex": "complex128" if wide else "complex64",
        }[lub]
    # Keras 3 keeps JAX's default (x64 off) for these two: no uint64 or complex128
    # result ever comes out of promotion.
    return _NARROWED.get(lub, lub)


_NARROWED = {"uint64": "uint32", "complex128": "complex64"}


# --------------------------------------------------------------------------- predicates


def is_float_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` (a name, NumPy or framework dtype) is a floating-point dtype.

    Example::

        >>> is_float_dtype("bfloat16"), is_float_dtype("int8")
        (True, False)
    """
    name = standardize_dtype(dtype)
    return name.startswith("float") or name.startswith("bfloat")


def is_int_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a signed or unsigned integer dtype (``bool`` is not).

    Example::

        >>> is_int_dtype("uint8"), is_int_dtype("bool")
        (True, False)
    """
    name = standardize_dtype(dtype)
    return name.startswith("int") or name.startswith("uint")


# --------------------------------------------------------------------------- saturation

_BFLOAT16_MAX = 3.3895313892515355e38


def _limits(name: str) -> tuple[Any, Any]:
    if name == "bool":
        return 0, 1
    if name == "bfloat16":
        return -_BFLOAT16_MAX, _BFLOAT16_MAX
    if name.startswith("complex"):
        name = "float32" if name == "complex64" else "float64"
    if is_int_dtype(name):
        info = np.iinfo(name)
        return int(info.min), int(info.max)
    info = np.finfo(name)
    return float(info.min), float(info.max)


def _toward_zero(value: Any, dtype: str) -> Any:
    """The ``dtype`` value nearest ``value`` that is no farther from zero."""
    if dtype == "bool" or is_int_dtype(dtype):
        return int(value)
    if dtype == "bfloat16":  # float32 with the low 16 bits cut off: truncation
        nearest = np.asarray(_toward_zero(value, "float32"), "float32")
        bits = nearest.view("uint32") & np.uint32(0xFFFF0000)
        candidate = np.asarray(bits, "uint32").view("float32")
        return float(candidate)
    work = "float64" if dtype.startswith("complex") else dtype
    candidate = np.asarray(value, work)
    if abs(float(candidate)) > abs(value):
        candidate = np.nextafter(candidate, np.asarray(0, work))
    return float(candidate)


@functools.lru_cache(maxsize=256)
def saturation_bounds(source: str, target: str) -> tuple[Any, Any]:
    """``(low, high)``: what ``saturate_cast`` clips a ``source`` tensor to before
    casting it to ``target``, as Python numbers the source dtype holds exactly (the
    target's range, narrowed where the source cannot hold its ends: float32 cannot hold
    ``2**31 - 1``). ``None`` where no clipping is needed.

    Example::

        >>> saturation_bounds("float32", "uint8")
        (0.0, 255.0)
        >>> saturation_bounds("float32", "int32")
        (-2147483648.0, 2147483520.0)
        >>> saturation_bounds("int8", "float32")
        (None, None)
    """
    source, target = standardize_dtype(source), standardize_dtype(target)
    if target == "bool" or source == "bool":
        return None, None
    s_low, s_high = _limits(source)
    t_low, t_high = _limits(target)
    low = _toward_zero(t_low, source) if t_low > s_low else None
    high = _toward_zero(t_high, source) if t_high < s_high else None
    return low, high
