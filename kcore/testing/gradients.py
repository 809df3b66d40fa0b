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
    """Indices of the case's positional arguments that are float arrays (differentiated;
    integer arrays such as labels or segment ids are held fixed)."""
    return [i for i, a in enumerate(case.args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"]


def op_function(namespace: Any, spec: Any) -> Any:
    """``namespace.<op>``, or ``namespace.<keras namespace>.<op>`` for the ops Keras keeps
    only in their own namespace (``kcore.ops.image.resize``)."""
    function = getattr(namespace, spec.name, None)
    return (
        function if function is not None else getattr(getattr(namespace, spec.namespace), spec.name)
    )


def _call(namespace: Any, spec: Any, case: Any, arrays: list[Any]) -> Any:
    args = list(case.args)
    for position, array in zip(array_positions(case), arrays):
        args[position] = array
    return op_function(namespace, spec)(*args, **case.kwargs)


def _outputs(value: Any) -> list[Any]:
    """The op's result as a list of tensors (ops like ``qr`` or ``top_k`` return several)."""
    return list(value) if isinstance(value, tuple | list) else [value]


def output_weights(reference: Any, spec: Any, case: Any) -> list[np.ndarray]:
    """Fixed weights in [0.5, 1.5), one array per output of the op, of its shape and
    dtype; integer and boolean outputs (``top_k``'s indices) get weight zero."""
    samples = _outputs(_call(reference, spec, case, [case.args[p] for p in array_positions(case)]))
    rng = np.random.default_rng(0)
    weights = []
    for sample in map(np.asarray, samples):
        w = rng.uniform(0.5, 1.5, sample.shape)
        weights.append(
            (w if sample.dtype.kind == "f" else np.zeros(sample.shape)).astype(
                sample.dtype if sample.dtype.kind == "f" else np.float32
            )
        )
    return weights


def _weighted_sum(ops: Any, outputs: Any, weights: list[Any]) -> Any:
    total = None
    for out, w in zip(_outputs(outputs), weights, strict=True):
        if not np.any(np.asarray(ops.convert_to_numpy(w))):
            continue
        term = ops.sum(ops.multiply(out, w))
        total = term if total is None else ops.add(total, term)
    return total


def numeric(reference: Any, spec: Any, case: Any, weights: list, eps: float = 1e-6):
    """Central finite differences on the NumPy reference, in float64."""
    arrays = [case.args[p].astype(np.float64) for p in array_positions(case)]
    ws = [w.astype(np.float64) for w in weights]

    def f(xs):
        outputs = _outputs(_call(reference, spec, case, xs))
        return float(sum(np.sum(np.asarray(o, dtype=np.float64) * w) for o, w in zip(outputs, ws)))

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


def analytic(backend: Any, ops: Any, spec: Any, case: Any, weights: list):
    """The backend's gradients (NumPy float64 arrays), with ``ops`` bound to it."""
    ws = [ops.convert_to_tensor(w) for w in weights]
    tensors = [ops.convert_to_tensor(case.args[p]) for p in array_positions(case)]
    grads = backend.gradient(
        lambda *xs: _weighted_sum(ops, _call(ops, spec, case, list(xs)), ws), *tensors
    )
    return [np.asarray(ops.convert_to_numpy(g), dtype=np.float64) for g in grads]
