"""Builds the PyTorch Backend object (imports torch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from kcore import _tree
from kcore.backend import Backend, BackendDescriptor
from kcore.dtypes import standardize_dtype
from kcore.keras_tensor import KerasTensor
from kcore.ops.contract import collect_ops
from kcore.shape_inference import compute_output_spec_by_probing
from kcore.variables import Variable, in_stateless_scope
from kcore_torch import (
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
from kcore_torch import ops as torch_ops
from kcore_torch.layer import TorchLayer
from kcore_torch.optimizers import KERNELS as OPTIMIZER_KERNELS
from kcore_torch.rnn import KERNELS as LAYER_KERNELS

_symbolic = torch_ops.symbolic_state


def _broadcasts_to(source: tuple[int, ...], target: tuple[int, ...]) -> bool:
    # torch.broadcast_shapes costs ~12 us; variable updates are a hot path.
    return len(source) <= len(target) and all(
        s in (1, t) for s, t in zip(reversed(source), reversed(target))
    )


def _differentiable(tensor: torch.Tensor) -> bool:
    return tensor.is_floating_point() or tensor.is_complex()


class TorchVariable(Variable):
    """A variable stored as a ``torch.nn.Parameter`` on :data:`kcore_torch.ops.DEFAULT_DEVICE`.

    Assignment copies into the same Parameter in place, without recording gradients,
    so references held elsewhere (a ``torch.optim`` optimizer, a captured graph) stay
    valid. The Parameter requires grad when the variable is trainable and its dtype
    is floating or complex (torch tracks gradients for no other). Plain torch
    functions accept the variable too: ``torch.matmul(x, v)``.

    Example::

        >>> v = TorchVariable([1.0, 2.0], name="w")
        >>> p = v.value
        >>> _ = v.assign([3.0, 4.0])
        >>> v.value is p
        True
    """

    def __init__(
        self,
        initializer: Any,
        shape: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        # A variable created while compute_output_spec traces still holds real data.
        with torch_ops.symbolic_scope(False):
            super().__init__(
                initializer, shape=shape, dtype=dtype, trainable=trainable, name=name, **kwargs
            )

    # -- storage -------------------------------------------------------------
    def _convert(self, value: Any, dtype: str | None) -> torch.Tensor:
        return torch_ops.convert_to_tensor(value, dtype=dtype)

    def _to_numpy(self, value: torch.Tensor) -> np.ndarray:
        return torch_ops.convert_to_numpy(value)

    def _initialize(self, value: torch.Tensor) -> None:
        # A copy, so the variable never aliases the caller's tensor or NumPy array.
        value = value.detach().to(torch_ops.DEFAULT_DEVICE, copy=True)
        self._parameter = torch.nn.Parameter(
            value, requires_grad=self._trainable and _differentiable(value)
        )

    @property
    def _value(self) -> torch.Tensor:
        if _symbolic.active:  # tracing on meta tensors: a stand-in of the same spec
            p = self._parameter
            return torch.empty(p.shape, dtype=p.dtype, device=torch_ops.META)
        return self._parameter

    def _direct_assign(self, value: torch.Tensor) -> None:
        if _symbolic.active:  # shape inference traces updates; it never applies them
            return
        with torch.no_grad():
            self._parameter.copy_(value)

    def _update_in_place(self, value: Any, update: Callable, verb: str) -> torch.Tensor:
        parameter = self._parameter
        value = torch_ops.to_tensor(value, parameter.dtype)
        shape, received = tuple(parameter.shape), tuple(value.shape)
        if received != shape and not _broadcasts_to(received, shape):
            raise ValueError(
                f"Variable '{self.name}': cannot {verb} a value of shape {received} "
                f"to a variable of shape {shape}"
            )
        if not _symbolic.active:
            with torch.no_grad():
                update(parameter, value)
        return self._value

    # -- public API ----------------------------------------------------------
    @property
    def trainable(self) -> bool:
        """Whether optimizers update it; setting it also sets ``requires_grad``."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        parameter = self.__dict__.get("_parameter")
        if parameter is not None and _differentiable(parameter):
            parameter.requires_grad_(self._trainable)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self._parameter.shape)

    def _dtype_name(self) -> str:
        return torch_ops.STANDARD_NAMES[self._parameter.dtype]

    def numpy(self) -> np.ndarray:
        """A NumPy copy of the value (also inside shape inference)."""
        if in_stateless_scope():
            return super().numpy()
        return torch_ops.convert_to_numpy(self._parameter)

    def _assign(self, value: Any) -> torch.Tensor:
        """Copy ``value`` (same shape) into the Parameter in place; returns the value."""
        # Overridden only for speed (optimizers call it every step): the torch dtype is
        # at hand, so the dtype name need not be parsed again.
        parameter = self._parameter
        value = torch_ops.to_tensor(value, parameter.dtype)
        if value.shape != parameter.shape:
            raise ValueError(
                f"Variable '{self.name}': cannot assign a value of shape "
                f"{tuple(value.shape)} to a variable of shape {tuple(parameter.shape)}"
            )
        self._direct_assign(value)
        return self._value

    def _assign_add(self, value: Any) -> torch.Tensor:
        """Add ``value`` (broadcast to the variable's shape) in place."""
        return self._update_in_place(value, torch.Tensor.add_, "add")

    def _assign_sub(self, value: Any) -> torch.Tensor:
        """Subtract ``value`` (broadcast to the variable's shape) in place."""
        return self._update_in_place(value, torch.Tensor.sub_, "subtract")

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        def unwrap(x: Any) -> Any:
            return x.value if isinstance(x, Variable) else x

        args, kwargs = _tree.map_structure(unwrap, (tuple(args), dict(kwargs or {})))
        return func(*args, **kwargs)


def _placeholder(shape: tuple[int, ...], dtype: str) -> torch.Tensor:
    return torch.empty(shape, dtype=torch_ops.to_torch_dtype(dtype), device=torch_ops.META)


def _run_on_meta(fn, args, kwargs):
    with torch_ops.symbolic_scope():
        return fn(*args, **kwargs)


def _output_spec(out: Any) -> Any:
    if isinstance(out, torch.Tensor):
        return KerasTensor(tuple(out.shape), standardize_dtype(out.dtype))
    return out


def compute_output_spec(fn, *args, **kwargs):
    """The KerasTensors ``fn`` would return for symbolic ``args``, found by running it
    on meta tensors (shapes and dtypes only, no data, no computation)."""
    return compute_output_spec_by_probing(
        fn,
        args,
        kwargs,
        make_placeholder=_placeholder,
        run=_run_on_meta,
        output_spec=_output_spec,
    )


def _devices() -> tuple[str, ...]:
    return ("cpu:0", *(f"cuda:{i}" for i in range(torch.cuda.device_count())))


def _dtypes() -> frozenset[str]:
    # What this torch stores *and* computes with: torch 2.3+ has uint16/32/64 as
    # storage-only dtypes (addition raises NotImplementedError, as of torch 2.13).
    usable = set()
    for name, dtype in torch_ops.TORCH_DTYPES.items():
        try:
            probe = torch.zeros(2, dtype=dtype)
            probe + probe
        except (RuntimeError, NotImplementedError, TypeError):
            continue
        usable.add(name)
    return frozenset(usable)


def gradient(fn, *args):
    """Gradients of the scalar ``fn(*args)`` with respect to every argument."""
    leaves = [a.detach().clone().requires_grad_(True) for a in args]
    grads = torch.autograd.grad(fn(*leaves), leaves, allow_unused=True)
    return tuple(torch.zeros_like(x) if g is None else g for g, x in zip(grads, leaves))


def make_backend(descriptor: BackendDescriptor) -> Backend:
    """The Backend object (called by the descriptor when this backend is selected)."""
    return descriptor.assemble(
        version=__version__,
        framework_version=str(torch.__version__),
        devices=_devices(),
        ops=collect_ops(
            torch_ops,
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
        Variable=TorchVariable,
        compute_output_spec=compute_output_spec,
        gradient=gradient,
        layer_mixin=TorchLayer,
        dtypes=_dtypes(),
        optimizer_kernels=OPTIMIZER_KERNELS,
        layer_kernels=LAYER_KERNELS,
    )
