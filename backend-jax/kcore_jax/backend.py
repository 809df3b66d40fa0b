"""Builds the JAX Backend object (imports JAX)."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from kcore import _tree
from kcore.backend import Backend, BackendDescriptor
from kcore.keras_tensor import KerasTensor
from kcore.ops.contract import collect_ops
from kcore.shape_inference import compute_output_spec_by_probing
from kcore.variables import Variable
from kcore_jax import (
    __version__,
    control,
    image,
    image_transform,
    linalg,
    math,
    math_signal,
    nn_activations,
    nn_conv,
    nn_normalization,
    nn_sequence,
    numpy_binary,
    numpy_creation,
    numpy_reductions,
    numpy_shapes,
    numpy_unary,
    random,
)
from kcore_jax import ops as jax_ops
from kcore_jax.rnn import KERNELS as LAYER_KERNELS


class JaxVariable(Variable):
    """A variable holding a ``jax.Array``; assignment replaces the array, which is
    what ``jax.jit`` and the stateless API expect."""

    def _convert(self, value: Any, dtype: str | None) -> jax.Array:
        if isinstance(value, Variable):
            value = value.value
        return jax_ops.convert_to_tensor(value, dtype=dtype)

    def _to_numpy(self, value: jax.Array) -> np.ndarray:
        return np.array(value)

    def _creation_scope(self) -> Any:
        return jax.ensure_compile_time_eval()


def _eval_shape(fn, args, kwargs):
    # Only the placeholders are traced; other arguments (axis=..., flags) stay static.
    structs = [x for x in _tree.flatten((args, kwargs)) if isinstance(x, jax.ShapeDtypeStruct)]

    def with_arrays(arrays):
        it = iter(arrays)
        a, k = _tree.map_structure(
            lambda x: next(it) if isinstance(x, jax.ShapeDtypeStruct) else x, (args, kwargs)
        )
        return fn(*a, **k)

    return jax.eval_shape(with_arrays, structs)


def compute_output_spec(fn, *args, **kwargs):
    return compute_output_spec_by_probing(
        fn,
        args,
        kwargs,
        make_placeholder=lambda shape, dtype: jax.ShapeDtypeStruct(shape, dtype),
        run=_eval_shape,
        output_spec=lambda out: KerasTensor(out.shape, out.dtype),
    )


def _dtypes(descriptor: BackendDescriptor) -> frozenset[str]:
    names = set(descriptor.info.dtypes)
    if not jax.config.jax_enable_x64:  # without x64, 64-bit values are stored as 32-bit
        names -= {"int64", "uint64", "float64", "complex128"}
    return frozenset(names)


def gradient(fn, *args):
    """Gradients of the scalar ``fn(*args)`` with respect to every argument."""
    return tuple(jax.grad(fn, argnums=tuple(range(len(args))))(*args))


def make_backend(descriptor: BackendDescriptor) -> Backend:
    """The Backend object (called by the descriptor when this backend is selected)."""
    return descriptor.assemble(
        version=__version__,
        framework_version=jax.__version__,
        devices=tuple(f"{d.platform}:{d.id}" for d in jax.devices()),
        ops=collect_ops(
            jax_ops,
            numpy_unary,
            numpy_binary,
            numpy_reductions,
            numpy_shapes,
            numpy_creation,
            control,
            random,
            image,
            image_transform,
            linalg,
            math,
            math_signal,
            nn_activations,
            nn_conv,
            nn_normalization,
            nn_sequence,
        ),
        Variable=JaxVariable,
        takes_variables=False,
        compute_output_spec=compute_output_spec,
        gradient=gradient,
        dtypes=_dtypes(descriptor),
        layer_kernels=LAYER_KERNELS,
    )
