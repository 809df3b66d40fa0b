"""Conformance of the selected backend's ops, derived from the op contract.

For every declared op with cases (:mod:`kcore.ops.cases`), on the backend selected
with ``--kcore-backend``:

* forward: the public op on the backend's tensors equals the NumPy reference backend
  within the tolerance table (:mod:`kcore.testing.tolerances`), with the same shape
  and dtype;
* symbolic: the op on KerasTensors infers the eager result's shape and dtype, and
  keeps every known dimension when the leading ones are unknown (``None``);
* gradient (trainable backends, differentiable ops, float cases): the gradient of a
  fixed random weighting of the output equals central finite differences taken on
  the reference in float64.

Known gaps are strict xfails listed in :mod:`kcore.testing.known_gaps`.
"""

from __future__ import annotations

import contextlib
import zlib

import numpy as np
import pytest

import kcore
from kcore import _tree
from kcore.backend import STANDARD_DTYPES
from kcore.dtypes import standardize_dtype
from kcore.errors import OpNotImplementedError
from kcore.keras_tensor import KerasTensor
from kcore.ops import contract
from kcore.testing import gradients, known_gaps, tolerances


def _reference():
    return contract.namespace_for(kcore.backend.get_backend("numpy"))


def _collect():
    backend = kcore.backend.current()
    reference = kcore.backend.get_backend("numpy")
    supported = frozenset(backend.capabilities.dtypes) & frozenset(reference.capabilities.dtypes)
    found = []
    for spec in contract.SPECS.values():
        if spec.cases is None:
            continue
        rng = np.random.default_rng(zlib.crc32(spec.name.encode()))
        found.extend((spec, case) for case in spec.cases(spec, rng, supported))
    return backend, found


BACKEND, FOUND = _collect()
#: Ops with neither a native version nor a composite here: they must raise
#: OpNotImplementedError naming the op, which the suite checks as a strict xfail.
MISSING = {name for name, kind in contract.coverage(BACKEND).items() if kind == "missing"}


def _params(test: str, differentiated: bool = False):
    """The (spec, case) parameters of one test, with its known gaps as strict xfails."""
    params = []
    for spec, case in FOUND:
        if differentiated and not (spec.grad and case.grad and gradients.array_positions(case)):
            continue
        test_id = f"{spec.name}-{case.id}"
        reason = known_gaps.reason_for(BACKEND.name, f"{test}[{test_id}]")
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        if spec.name in MISSING:
            marks = [
                pytest.mark.xfail(
                    reason=f"'{spec.name}' is missing on {BACKEND.name} (kcore ops matrix)",
                    raises=OpNotImplementedError,
                    strict=True,
                )
            ]
        params.append(pytest.param(spec, case, id=test_id, marks=marks))
    return params


def _public(spec):
    """The public op; a composite that needs a primitive this backend lacks raises
    OpNotImplementedError naming that primitive, reported as an expected failure."""
    function = gradients.op_function(kcore.ops, spec)

    def call(*args, **kwargs):
        with _missing_primitive():
            return function(*args, **kwargs)

    return call


@contextlib.contextmanager
def _missing_primitive():
    try:
        yield
    except OpNotImplementedError as error:
        pytest.xfail(str(error))


def _to_backend(value):
    if isinstance(value, np.ndarray):
        return kcore.ops.convert_to_tensor(value)
    return value


def _dtype_of_result(x):
    if isinstance(x, np.ndarray | KerasTensor):
        return standardize_dtype(x.dtype)
    return kcore.ops.dtype(x)


def _main_dtype(case):
    arrays = [a for a in (*case.args, *case.kwargs.values()) if isinstance(a, np.ndarray)]
    return arrays[0].dtype.name if arrays else "float32"


@pytest.mark.parametrize(("spec", "case"), _params("test_forward"))
def test_forward(spec, case):
    expected = getattr(_reference(), spec.name)(*case.args, **case.kwargs)
    args, kwargs = _tree.map_structure(_to_backend, (case.args, case.kwargs))
    got = _public(spec)(*args, **kwargs)
    got_leaves, expected_leaves = _tree.flatten(got), _tree.flatten(expected)
    assert len(got_leaves) == len(expected_leaves)
    for g, e in zip(got_leaves, expected_leaves):
        assert BACKEND.is_tensor(g), f"{spec.name} returned {type(g).__name__}"
        g_np = kcore.ops.convert_to_numpy(g)
        e_np = np.asarray(e)
        assert _dtype_of_result(g) == _dtype_of_result(e), "result dtype"
        assert g_np.shape == e_np.shape, "result shape"
        rtol, atol = tolerances.forward(spec.name, e_np.dtype.name)
        if rtol == atol == 0:
            np.testing.assert_array_equal(g_np, e_np)
        else:
            np.testing.assert_allclose(g_np, e_np, rtol=rtol, atol=atol, equal_nan=True)


def _bfloat16_params():
    """Every case whose arrays are all float32, rerun in bfloat16 (which NumPy lacks).

    The backend gets the inputs as bfloat16 tensors; the reference computes in float32
    on the same (bfloat16-exact) values, and its float32 results are expected back as
    bfloat16. Cases that name a dtype are left out: their result dtype is fixed.
    """
    if "bfloat16" not in BACKEND.capabilities.dtypes:
        return []
    found = []
    for param in _params("test_bfloat16"):
        spec, case = param.values
        leaves = _tree.flatten((case.args, case.kwargs))
        arrays = [a for a in leaves if isinstance(a, np.ndarray)]
        if not arrays or any(a.dtype != np.float32 for a in arrays):
            continue
        if any(isinstance(v, str) and v in STANDARD_DTYPES for v in leaves):
            continue
        found.append(param)
    return found


def _to_bfloat16(value):
    """A float32 array rounded to the nearest bfloat16 (still float32), ties to even."""
    if not isinstance(value, np.ndarray):
        return value
    bits = value.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    # 0-d arithmetic gives NumPy scalars: back to an array before the view.
    return np.asarray(rounded, dtype=np.uint32).view(np.float32)


@pytest.mark.parametrize(("spec", "case"), _bfloat16_params())
def test_bfloat16(spec, case):
    inputs = _tree.map_structure(_to_bfloat16, (case.args, case.kwargs))
    expected = getattr(_reference(), spec.name)(*inputs[0], **inputs[1])

    def to_backend(value):
        if isinstance(value, np.ndarray):
            return kcore.ops.convert_to_tensor(value, dtype="bfloat16")
        return value

    args, kwargs = _tree.map_structure(to_backend, inputs)
    got = _public(spec)(*args, **kwargs)
    for g, e in zip(_tree.flatten(got), _tree.flatten(expected), strict=True):
        e_np = np.asarray(e)
        e_dtype = "bfloat16" if e_np.dtype == np.float32 else e_np.dtype.name
        assert kcore.ops.dtype(g) == e_dtype, "result dtype"
        g_np = kcore.ops.convert_to_numpy(g)
        assert g_np.shape == e_np.shape, "result shape"
        if e_dtype != "bfloat16":
            if e_np.dtype.kind in "biu":
                np.testing.assert_array_equal(g_np, e_np)
            continue
        # bfloat16 keeps 8 significant bits, and the backend rounds every intermediate:
        # the error of a sum grows with its terms, so the absolute slack scales with
        # the largest expected magnitude.
        rtol, atol = tolerances.forward(spec.name, "bfloat16")
        scale = max(1.0, float(np.max(np.abs(e_np), initial=0.0)))
        np.testing.assert_allclose(
            g_np.astype(np.float32), e_np, rtol=rtol, atol=atol * scale, equal_nan=True
        )


def _symbolic_inputs(case, unknown_leading):
    """KerasTensors for the case's arrays. With ``unknown_leading``, when the first
    array has the largest rank, its leading dimension becomes ``None``, and so does
    that of every array of that rank with the same leading size (a batch axis)."""
    arrays = [a for a in (*case.args, *case.kwargs.values()) if isinstance(a, np.ndarray)]
    top = max((a.ndim for a in arrays), default=0)
    first_is_top = bool(arrays) and arrays[0].ndim == top > 0
    batch = arrays[0].shape[0] if first_is_top else None

    def symbolic(value):
        if isinstance(value, np.ndarray):
            shape = value.shape
            if unknown_leading and batch is not None and value.ndim == top and shape[0] == batch:
                shape = (None, *shape[1:])
            return KerasTensor(shape, value.dtype.name)
        return value

    return _tree.map_structure(symbolic, (case.args, case.kwargs))


def _has_arrays(case) -> bool:
    return any(isinstance(a, np.ndarray) for a in _tree.flatten((case.args, case.kwargs)))


@pytest.mark.parametrize(
    ("spec", "case"),
    # A call without tensor arguments (zeros((2, 3)), arange(5)) has nothing symbolic.
    [p for p in _params("test_symbolic") if _has_arrays(p.values[1])],
)
def test_symbolic(spec, case):
    args, kwargs = _tree.map_structure(_to_backend, (case.args, case.kwargs))
    eager = _tree.flatten(_public(spec)(*args, **kwargs))
    for unknown in (False, True):
        sym_args, sym_kwargs = _symbolic_inputs(case, unknown)
        out = _tree.flatten(_public(spec)(*sym_args, **sym_kwargs))
        assert len(out) == len(eager)
        for s, e in zip(out, eager):
            assert isinstance(s, KerasTensor), f"{spec.name} returned {type(s).__name__}"
            assert s.dtype == _dtype_of_result(e)
            e_shape = tuple(kcore.ops.convert_to_numpy(e).shape)
            if spec.data_dependent:  # value-dependent sizes are None symbolically
                assert len(s.shape) == len(e_shape)
                assert all(d is None or d == k for d, k in zip(s.shape, e_shape)), s.shape
            elif not unknown:
                assert s.shape == e_shape
            else:
                assert len(s.shape) == len(e_shape)
                assert all(d is None or d == k for d, k in zip(s.shape, e_shape)), s.shape


if BACKEND.gradient is not None:  # inference-only backends have no gradients

    @pytest.mark.parametrize(("spec", "case"), _params("test_gradient", differentiated=True))
    def test_gradient(spec, case):
        reference = _reference()
        weights = gradients.output_weights(reference, spec, case)
        expected = gradients.numeric(reference, spec, case, weights)
        with _missing_primitive():
            got = gradients.analytic(BACKEND, kcore.ops, spec, case, weights)
        dtype = case.args[gradients.array_positions(case)[0]].dtype.name
        rtol, atol = tolerances.gradient(spec.name, dtype)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)

    @pytest.mark.parametrize("has_aux", [False, True])
    def test_jvp(has_aux):
        """``jvp`` (which takes a function, so it has no cases) against the directional
        derivative by central differences on the reference, in float64."""
        rng = np.random.default_rng(7)
        x, y, dx, dy = (rng.uniform(-2, 2, (2, 3)).astype("float32") for _ in range(4))

        def fun(ops):
            def f(a, b):
                out = ops.multiply(ops.sin(a), ops.exp(ops.multiply(b, 0.5)))
                return (out, ops.sum(a)) if has_aux else out

            return f

        reference = _reference()
        f_ref = fun(reference)

        def at(step):
            a, b = (v.astype("float64") + step * d for v, d in ((x, dx), (y, dy)))
            out = f_ref(a, b)
            return np.asarray(out[0] if has_aux else out)

        eps = 1e-6
        expected = (at(eps) - at(-eps)) / (2 * eps)
        primals = tuple(kcore.ops.convert_to_tensor(v) for v in (x, y))
        tangents = tuple(kcore.ops.convert_to_tensor(v) for v in (dx, dy))
        with _missing_primitive():
            result = kcore.ops.jvp(fun(kcore.ops), primals, tangents, has_aux=has_aux)
        assert len(result) == (3 if has_aux else 2)
        np.testing.assert_allclose(kcore.ops.convert_to_numpy(result[0]), at(0.0), rtol=1e-5)
        rtol, atol = tolerances.gradient("jvp", "float32")
        np.testing.assert_allclose(
            kcore.ops.convert_to_numpy(result[1]), expected, rtol=rtol, atol=atol
        )
        if has_aux:
            np.testing.assert_allclose(kcore.ops.convert_to_numpy(result[2]), x.sum(), rtol=1e-5)


#: Ops that take functions, checked by their own tests above instead of cases.
CHECKED_APART = {"jvp"}


def test_every_primitive_op_has_conformance_cases():
    """Ops without cases are listed here so the gap is visible, not silent."""
    without = sorted(
        s.name
        for s in contract.SPECS.values()
        if s.cases is None and s.namespace not in ("core", "random") and s.name not in CHECKED_APART
    )
    assert without == []
