"""Gradients of every differentiable op agree across the installed trainable backends.

The conformance suite checks each backend against finite differences; this suite puts
jax, torch and tensorflow side by side on the same float32 cases, so a difference
between frameworks shows up even where both stay within the finite-difference
tolerance. It runs where two or more trainable backends are installed (tox env
``cross``); elsewhere it is skipped.
"""

from __future__ import annotations

import os
import zlib

import numpy as np
import pytest

import kcore
from kcore import registry
from kcore.ops import contract
from kcore.testing import gradients, known_gaps, tolerances

TRAINABLE = [
    name
    for name in registry.available_backends()
    if name != "numpy" and registry.find_backend_record(name).info.trainable
]

needs_two = pytest.mark.skipif(
    len(TRAINABLE) < 2, reason=f"needs two trainable backends, found {TRAINABLE}"
)


def _cases():
    if len(TRAINABLE) < 2:
        return []
    backends = [kcore.backend.get_backend(name) for name in TRAINABLE]
    supported = frozenset.intersection(*(frozenset(b.capabilities.dtypes) for b in backends))
    params = []
    for spec in contract.SPECS.values():
        if spec.cases is None or not spec.grad:
            continue
        rng = np.random.default_rng(zlib.crc32(spec.name.encode()))
        for case in spec.cases(spec, rng, supported & {"float32", "int32", "bool"}):
            if not case.grad:
                continue
            arrays = [case.args[p] for p in gradients.array_positions(case)]
            if any(a.dtype != np.float32 for a in arrays):
                continue
            gaps = [
                known_gaps.reason_for(name, f"test_gradient[{spec.name}-{case.id}]")
                for name in TRAINABLE
            ]
            if any(gaps):  # a backend known to be wrong here has nothing to agree on
                continue
            params.append(pytest.param(spec, case, id=f"{spec.name}-{case.id}"))
    return params


@pytest.fixture(scope="module")
def namespaces():
    return {
        name: (backend, contract.namespace_for(backend))
        for name in TRAINABLE
        for backend in [kcore.backend.get_backend(name)]
    }


@needs_two
@pytest.mark.parametrize(("spec", "case"), _cases())
def test_gradients_agree(spec, case, namespaces):
    reference = contract.namespace_for(kcore.backend.get_backend("numpy"))
    weights = gradients.output_weights(reference, spec, case)
    results = {
        name: gradients.analytic(backend, ops, spec, case, weights)
        for name, (backend, ops) in namespaces.items()
    }
    rtol, atol = tolerances.gradient(spec.name, "float32")
    first, *others = TRAINABLE
    for name in others:
        for g, e in zip(results[name], results[first]):
            np.testing.assert_allclose(g, e, rtol=rtol, atol=atol, err_msg=f"{name} vs {first}")


def test_all_trainable_backends_present_where_expected():
    """In the ``cross`` env (KCORE_EXPECT_TRAINABLE set), every named backend is here."""
    expected = os.environ.get("KCORE_EXPECT_TRAINABLE")
    if expected is None:
        pytest.skip("KCORE_EXPECT_TRAINABLE not set")
    assert sorted(TRAINABLE) == sorted(expected.split())
