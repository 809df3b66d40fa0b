"""Gradients of an op's conformance case: analytic on a backend, numeric on the reference.

Both the conformance suite (one backend against finite differences) and the
cross-backend suite (jax, torch and tensorflow against each other) use these, so the
two compare the same quantity: the gradient of ``sum(op(*case) * weights)`` with respect
to each array argument of the case, for fixed random ``weights`` of the output's shape.

Example::

    >>> weights = output_weights(reference, spec, case)
    >>> grads = analytic(backend, namespace_for(backend), spec, case, weights)
"""

from __future__ import annotations

from typing import Any

import numpy as np


def array_positions(case: Any) -> list[int]:
    """Indices of the case's positional arguments that are arrays (differentiated)."""
    return [i for i, a in enumerate(case.args) if isinstance(a, np.ndarray)]


def _call(namespace: Any, spec: Any, case: Any, arrays: list[Any]) -> Any:
    args = list(case.args)
    for position, array in zip(array_positions(case), arrays):
        args[position] = array
    return getattr(namespace, spec.name)(*args, **case.kwargs)


def output_weights(reference: Any, spec: Any, case: Any) -> np.ndarray:
    """Fixed weights in [0.5, 1.5) of the output's shape and dtype."""
    sample = np.asarray(_call(reference, spec, case, [case.args[p] for p in array_positions(case)]))
    return np.random.default_rng(0).uniform(0.5, 1.5, sample.shape).astype(sample.dtype)


def numeric(reference: Any, spec: Any, case: Any, weights: np.ndarray, eps: float = 1e-6):
    """Central finite differences on the NumPy reference, in float64."""
    arrays = [case.args[p].astype(np.float64) for p in array_positions(case)]
    w = weights.astype(np.float64)

    def f(xs):
        return float(np.sum(np.asarray(_call(reference, spec, case, xs)) * w))

    grads = []
    for i, x in enumerate(arrays):
        g = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            plus = [a.copy() for a in arrays]
            minus = [a.copy() for a in arrays]
            plus[i][index] += eps
            minus[i][index] -= eps
            g[index] = (f(plus) - f(minus)) / (2 * eps)
        grads.append(g)
    return grads


def analytic(backend: Any, ops: Any, spec: Any, case: Any, weights: np.ndarray):
    """The backend's gradients (NumPy float64 arrays), with ``ops`` bound to it."""
    w = ops.convert_to_tensor(weights)
    tensors = [ops.convert_to_tensor(case.args[p]) for p in array_positions(case)]
    grads = backend.gradient(
        lambda *xs: ops.sum(ops.multiply(_call(ops, spec, case, list(xs)), w)), *tensors
    )
    return [np.asarray(ops.convert_to_numpy(g), dtype=np.float64) for g in grads]
