"""Helpers shared by the op suites (``test_ops_*.py``, ``test_random.py``): the backends
under test, their op namespaces, tensors in and NumPy arrays out.

The ``ns`` and ``tns`` fixtures built on them are in ``conftest.py``. pytest puts this
folder on ``sys.path`` (its default ``prepend`` import mode), so a suite imports these
by module name::

    from ops_helpers import BACKENDS, n, t
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import numpy as np
import pytest

import kcore
from kcore import registry
from kcore.errors import OpError
from kcore.ops import contract

#: Backends that implement every op (openvino may miss some).
COMPLETE = ("numpy", "jax", "torch", "tensorflow")
#: The backends these suites run on: those of ``COMPLETE`` installed here.
BACKENDS = [name for name in COMPLETE if name in registry.available_backends()]
#: The backends that compute gradients (NumPy has none).
TRAINABLE = [name for name in BACKENDS if name != "numpy"]
#: Ops that need automatic differentiation: the only ones the NumPy backend may lack.
NEEDS_AUTODIFF = frozenset({"jvp"})


def missing_ops(name: str) -> list[str]:
    """The ops backend ``name`` lacks (neither native nor composite) that it should have:
    none on a complete backend, except that NumPy, without autodiff, lacks ``jvp``."""
    coverage = contract.coverage(kcore.backend.get_backend(name))
    allowed = NEEDS_AUTODIFF if name == "numpy" else frozenset()
    return [op for op, kind in coverage.items() if kind == "missing" and op not in allowed]


@functools.cache
def namespace(name: str) -> Any:
    """The op namespace of backend ``name``, resolved once, e.g. ``namespace("jax").sum``."""
    return contract.namespace_for(kcore.backend.get_backend(name))


def namespace_without(name: str, ops: Iterable[str]) -> Any:
    """The op namespace of backend ``name`` with its native versions of ``ops`` taken
    away, so that their composites (the fallbacks a backend lacking them runs) run.

    Example: ``namespace_without("numpy", ["outer"]).outer`` is the composite ``outer``.
    """
    return _namespace_without(name, frozenset(ops))


@functools.cache
def _namespace_without(name: str, ops: frozenset[str]) -> Any:
    backend = kcore.backend.get_backend(name)
    table = {k: v for k, v in backend.ops.items() if k not in ops}
    return contract.namespace_for(attrs.evolve(backend, ops=table))


def composites_of(module: str) -> list[str]:
    """The ops whose composite is written in ``module``, e.g. ``"kcore.ops.numpy_binary"``."""
    return sorted(
        name
        for name, spec in contract.SPECS.items()
        if spec.composite is not None and spec.composite.__module__ == module
    )


def t(ns: Any, value: Any, dtype: str = "float32") -> Any:
    """``value`` as a tensor of ``ns``'s backend, e.g. ``t(ns, [1, 2], "int8")``."""
    if dtype == "bfloat16":  # NumPy knows bfloat16 only once ml_dtypes is imported
        return ns.cast(ns.convert_to_tensor(np.asarray(value, dtype="float32")), dtype)
    return ns.convert_to_tensor(np.asarray(value, dtype=dtype))


def n(ns: Any, x: Any) -> np.ndarray:
    """The tensor ``x`` of ``ns``'s backend as a NumPy array."""
    return np.asarray(ns.convert_to_numpy(x))


def op_error_message(call: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The message of the :class:`OpError` that ``call(*args, **kwargs)`` must raise.

    Example: ``assert op_error_message(ns.sum, x, axis=3).startswith("sum: ")``.
    """
    with pytest.raises(OpError) as info:
        call(*args, **kwargs)
    return str(info.value)
