"""Recognising array-like inputs and turning them into NumPy arrays, without importing
a framework: a jax, torch or TensorFlow tensor and a pandas object are recognised by the
module their class comes from.

Example::

    >>> to_numpy([1.0, 2.0]).dtype
    dtype('float64')
    >>> standardize_arrays(([1.0, 2.0], None))[0].dtype     # floats become floatx
    dtype('float32')
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from kcore import config, tree

_NUMBER_TYPES = (numbers.Number, np.generic)


def _class_root_modules(x: Any) -> set[str]:
    return {str(c.__module__).split(".")[0] for c in type(x).__mro__}


def is_pandas_frame(x: Any) -> bool:
    """Whether ``x`` is a pandas ``DataFrame`` (pandas is never imported here).

    Example::

        >>> is_pandas_frame(np.zeros(2))
        False
    """
    return any(
        c.__name__ == "DataFrame" and str(c.__module__).startswith("pandas")
        for c in type(x).__mro__
    )


def is_pandas_series(x: Any) -> bool:
    """Whether ``x`` is a pandas ``Series``.

    Example::

        >>> is_pandas_series([1, 2])
        False
    """
    return any(
        c.__name__ == "Series" and str(c.__module__).startswith("pandas") for c in type(x).__mro__
    )


def is_number_list(x: Any) -> bool:
    """Whether ``x`` is a non-empty list or tuple of numbers, or of such lists (a
    rectangular or ragged nest of Python numbers), which kcore treats as one array.

    Example::

        >>> is_number_list([1, 2.5]), is_number_list([[1, 2], [3, 4]]), is_number_list([])
        (True, True, False)
    """
    if type(x) not in (list, tuple) or not x:
        return False
    return all(
        (isinstance(e, _NUMBER_TYPES) and not isinstance(e, np.ndarray)) or is_number_list(e)
        for e in x
    )


def is_array_like(x: Any) -> bool:
    """Whether ``x`` is one array: a NumPy array, a pandas DataFrame or Series, a
    framework tensor (jax, torch, TensorFlow, ``kcore.Variable``: anything with a
    ``shape`` and ``__array__``, or a native tensor of the selected backend) or a list
    of numbers.

    Example::

        >>> is_array_like(np.zeros(3)), is_array_like([1, 2]), is_array_like("text")
        (True, True, False)
    """
    if isinstance(x, np.ndarray):
        return True
    if is_number_list(x):
        return True
    if is_pandas_frame(x) or is_pandas_series(x):
        return True
    if not hasattr(x, "shape"):
        return False
    return hasattr(x, "__array__") or _is_backend_tensor(x)


def _is_backend_tensor(x: Any) -> bool:
    # A tensor NumPy cannot read directly (an OpenVINO tensor): ask the selected backend.
    from kcore import backend

    return bool(backend.current().is_tensor(x))


def to_numpy(x: Any) -> np.ndarray:
    """``x`` as a NumPy array: a torch tensor is detached and moved to the CPU, a
    pandas Series becomes a column ``(n, 1)`` (as in Keras), anything else goes through
    ``numpy.asarray`` (which shares memory where the framework allows it).

    Example::

        >>> to_numpy([[1, 2], [3, 4]]).shape
        (2, 2)
    """
    if isinstance(x, np.ndarray):
        return x
    if is_pandas_series(x):
        return np.expand_dims(x.to_numpy(), axis=-1)
    if is_pandas_frame(x):
        return x.to_numpy()
    if "torch" in _class_root_modules(x):
        x = x.detach().cpu()
        if str(x.dtype) == "torch.bfloat16":  # NumPy has no bfloat16: go through float32
            x = x.float()
        return x.numpy()
    if not hasattr(x, "__array__") and hasattr(x, "shape") and _is_backend_tensor(x):
        from kcore import backend

        return np.asarray(backend.current().convert_to_numpy(x))
    return np.asarray(x)


def standardize_array(x: Any) -> np.ndarray:
    """``x`` as a NumPy array, floating-point arrays cast to ``kcore.config.floatx()``
    (Keras does the same before batching, so a float64 array trains as float32).

    Example::

        >>> standardize_array(np.zeros(2, "float64")).dtype
        dtype('float32')
    """
    array = to_numpy(x)
    floatx = config.floatx()
    if array.dtype.kind == "f" and array.dtype.name != floatx:
        array = array.astype(floatx)
    return array


def numbers_to_arrays(structure: Any) -> Any:
    """``structure`` with every list of numbers (see :func:`is_number_list`) made a
    NumPy array; other lists, tuples and dicts are walked, other leaves kept.

    Example::

        >>> numbers_to_arrays(([1, 2], [np.zeros(1)]))
        (array([1, 2]), [array([0.])])
    """
    if is_number_list(structure):
        return np.asarray(structure)
    if type(structure) in (list, tuple):
        return type(structure)(numbers_to_arrays(s) for s in structure)
    if type(structure) is dict:
        return {k: numbers_to_arrays(v) for k, v in structure.items()}
    return structure


def can_convert_arrays(structure: Any) -> bool:
    """Whether every leaf of ``structure`` is array-like or ``None`` (lists of numbers
    count as one leaf).

    Example::

        >>> can_convert_arrays((np.zeros(3), [1, 2, 3], None)), can_convert_arrays((iter([]),))
        (True, False)
    """
    leaves = tree.flatten(numbers_to_arrays(structure))
    return all(leaf is None or is_array_like(leaf) for leaf in leaves)


def standardize_arrays(structure: Any) -> Any:
    """``structure`` with every leaf a NumPy array (see :func:`standardize_array`);
    ``None`` leaves stay ``None``, lists of numbers become arrays.

    Example::

        >>> standardize_arrays({"a": [1, 2]})["a"].tolist()
        [1, 2]
    """
    return tree.map_structure(
        lambda a: None if a is None else standardize_array(a), numbers_to_arrays(structure)
    )


def check_data_cardinality(data: tuple) -> int:
    """The common number of samples of the arrays in ``data``, a tuple ``(x,)``,
    ``(x, y)`` or ``(x, y, sample_weight)`` of NumPy array structures; a clear error
    naming every size when they disagree, or when a leaf has no batch dimension.

    Example::

        >>> check_data_cardinality((np.zeros((4, 2)), np.zeros(4)))
        4
    """
    names = ("x", "y", "sample_weight")
    sizes: dict[str, list[int]] = {}
    for name, part in zip(names, data):
        for leaf in tree.flatten(part):
            if leaf is None:
                continue
            if leaf.ndim == 0:
                raise ValueError(
                    f"Expected every array in `{name}` to have a batch dimension (rank >= 1); "
                    f"received a scalar {leaf!r}. Pass one value per sample, e.g. "
                    "`np.array([...])` with one entry per sample."
                )
            sizes.setdefault(name, []).append(int(leaf.shape[0]))
    distinct = {s for part in sizes.values() for s in part}
    if len(distinct) > 1:
        detail = "; ".join(f"'{n}' sizes: {', '.join(map(str, s))}" for n, s in sizes.items())
        raise ValueError(
            "Data cardinality is ambiguous: expected all arrays to contain the same number "
            f"of samples (first dimension), received {detail}. Make sure x, y and "
            "sample_weight all have one entry per sample."
        )
    if not distinct:
        raise ValueError(
            "Expected at least one array in `x`, received only `None`. Pass the input data as `x`."
        )
    return distinct.pop()
