"""Builds the NumPy backend's Backend object."""

from __future__ import annotations

from typing import Any

import numpy as np

from kcore._version import __version__
from kcore.backend import Backend, BackendDescriptor
from kcore.backends.numpy import (
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
from kcore.backends.numpy import ops as numpy_ops
from kcore.keras_tensor import KerasTensor
from kcore.ops.contract import collect_ops
from kcore.shape_inference import compute_output_spec_by_probing
from kcore.variables import Variable


class NumpyVariable(Variable):
    """A variable stored as a ``numpy.ndarray``."""

    def _convert(self, value: Any, dtype: str | None) -> np.ndarray:
        if isinstance(value, Variable):
            value = value.numpy()
        return np.array(numpy_ops.convert_to_tensor(value, dtype=dtype))

    def _direct_assign(self, value: np.ndarray) -> None:
        self._value = value


def _run_quietly(fn, args, kwargs):
    # Placeholders are zeros: 0/0 and log(0) are expected here, not worth a warning.
    with np.errstate(all="ignore"):
        return fn(*args, **kwargs)


def compute_output_spec(fn, *args, **kwargs):
    return compute_output_spec_by_probing(
        fn,
        args,
        kwargs,
        make_placeholder=lambda shape, dtype: np.zeros(shape, dtype=dtype),
        run=_run_quietly,
        output_spec=lambda out: KerasTensor(np.shape(out), np.asarray(out).dtype),
    )


def make_backend(descriptor: BackendDescriptor) -> Backend:
    return descriptor.assemble(
        version=__version__,
        framework_version=np.__version__,
        devices=("cpu:0",),
        ops=collect_ops(
            numpy_ops,
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
        Variable=NumpyVariable,
        compute_output_spec=compute_output_spec,
    )
