"""The PyTorch backend's ops: plain functions over ``torch.Tensor``.

Every op also takes Python scalars, (nested) lists, NumPy arrays and kcore Variables.
A Python scalar beside a tensor stays a Python scalar, so torch's promotion treats it
as weakly typed, as Keras 3 does: ``add(float16_tensor, 1.0)`` stays ``float16``.

New tensors are created on :data:`DEFAULT_DEVICE`, chosen once when the backend
loads: ``$KCORE_TORCH_DEVICE`` if set (``"cpu"``, ``"cuda:1"``), else torch's default
device if it was set to something other than the CPU, else the current CUDA device
when there is one, else the CPU. A value combined with an existing tensor is created
on that tensor's device instead, so ops on tensors placed elsewhere keep working.

Example::

    >>> x = convert_to_tensor([[1.0, -2.0]])
    >>> convert_to_numpy(relu(add(x, 1))).tolist()
    [[2.0, 0.0]]
"""

from __future__ import annotations

import contextlib
import functools
import operator
import os
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from kcore import config
from kcore.backend import STANDARD_DTYPES
from kcore.dtypes import python_scalar_dtype, standardize_dtype
from kcore.variables import Variable

#: Standard dtype name to torch dtype, for every standard dtype this torch defines.
TORCH_DTYPES: dict[str, torch.dtype] = {
    name: getattr(torch, name)
    for name in sorted(STANDARD_DTYPES)
    if isinstance(getattr(torch, name, None), torch.dtype)
}
#: torch dtype to standard dtype name.
STANDARD_NAMES: dict[torch.dtype, str] = {dtype: name for name, dtype in TORCH_DTYPES.items()}

# Exact types, not isinstance: NumPy scalars (np.float64 subclasses float) carry a
# dtype of their own and must keep it.
_PYTHON_SCALARS = frozenset({bool, int, float, complex})
META = torch.device("meta")


def _choose_default_device() -> torch.device:
    requested = os.environ.get("KCORE_TORCH_DEVICE")
    if requested:
        try:
            return torch.device(requested)
        except RuntimeError as exc:
            raise ValueError(
                f"KCORE_TORCH_DEVICE={requested!r} is not a torch device ({exc}); "
                "use e.g. 'cpu', 'cuda' or 'cuda:1'"
            ) from None
    get_default = getattr(torch, "get_default_device", None)  # torch >= 2.3
    default = get_default() if get_default else torch.empty(0).device
    if default.type == "cpu" and torch.cuda.is_available():
        return torch.device("cuda", torch.cuda.current_device())
    return default


#: Where new tensors and variables are created (see the module docstring).
DEFAULT_DEVICE: torch.device = _choose_default_device()


class _SymbolicState(threading.local):
    active = False


# Per thread, so one thread's shape inference never sends another's tensors to meta.
symbolic_state = _SymbolicState()


@contextlib.contextmanager
def symbolic_scope(active: bool = True) -> Iterator[None]:
    """Inside, new tensors go to the ``meta`` device and variables read as meta
    stand-ins: what :func:`kcore_torch.backend.compute_output_spec` runs ``fn`` in.
    ``symbolic_scope(False)`` suspends it (a variable created there holds real data).
    """
    previous = symbolic_state.active
    symbolic_state.active = active
    try:
        yield
    finally:
        symbolic_state.active = previous


def creation_device() -> torch.device:
    """The device a new tensor goes to now: meta in a symbolic scope, else the default."""
    return META if symbolic_state.active else DEFAULT_DEVICE


def to_torch_dtype(dtype: Any) -> torch.dtype:
    """The torch dtype for a dtype name, NumPy dtype or torch dtype.

    Example::

        >>> to_torch_dtype("float32")
        torch.float32
    """
    if isinstance(dtype, torch.dtype):
        return dtype
    name = standardize_dtype(dtype)
    try:
        return TORCH_DTYPES[name]
    except KeyError:
        raise ValueError(
            f"torch {torch.__version__} has no dtype {name!r}; the torch backend stores "
            f"{', '.join(TORCH_DTYPES)}"
        ) from None


# -- conversion ---------------------------------------------------------------


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    if sparse:
        raise ValueError(
            "convert_to_tensor: sparse=True is not supported by the torch backend yet; "
            "pass a dense value or sparse=None"
        )
    if ragged:
        raise ValueError(
            "convert_to_tensor: the torch backend has no ragged tensors (ragged=True); "
            "pad the value to a dense shape"
        )
    return to_tensor(x, None if dtype is None else to_torch_dtype(dtype))


def to_tensor(x: Any, dtype: torch.dtype | None = None, device: Any = None) -> torch.Tensor:
    """:func:`convert_to_tensor` for callers that already hold a torch dtype: ``x`` as a
    tensor; a new one goes to ``device`` (default: :func:`creation_device`), an
    existing tensor stays where it is."""
    if isinstance(x, torch.Tensor):
        return x if dtype is None or x.dtype == dtype else x.to(dtype)
    if isinstance(x, Variable):
        return to_tensor(x.value, dtype, device)
    if device is None:
        device = creation_device()
    if type(x) in _PYTHON_SCALARS or isinstance(x, list | tuple):
        kind = python_scalar_dtype(x)
        if kind is None:  # a sequence holding tensors, arrays or variables
            stacked = _stack(x, device)
            return stacked if dtype is None else stacked.to(dtype)
        return torch.tensor(x, dtype=dtype or TORCH_DTYPES[kind], device=device)
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)  # NumPy scalars, other frameworks' arrays, array-likes
    return _from_numpy(x, dtype, device)


def _from_numpy(array: np.ndarray, dtype: torch.dtype | None, device: Any) -> torch.Tensor:
    if (
        not array.flags.writeable
        or not array.dtype.isnative
        or any(stride < 0 for stride in array.strides)
    ):
        # from_numpy shares memory, so it refuses (or warns about) these; copy them.
        array = np.array(array, dtype=array.dtype.newbyteorder("="), order="C")
    if array.dtype.name == "bfloat16":  # ml_dtypes (what JAX hands NumPy): same bits
        tensor = torch.from_numpy(np.ascontiguousarray(array).view(np.int16))
        tensor = tensor.view(torch.bfloat16)
    else:
        tensor = torch.from_numpy(array)
    if dtype is None and tensor.device == device:
        return tensor
    return tensor.to(device=device, dtype=dtype)


def _stack(items: Any, device: Any) -> torch.Tensor:
    tensors = [to_tensor(item, None, device) for item in items]
    # Keep the data where the caller's tensors already are.
    target = next(
        (t.device for t, item in zip(tensors, items) if isinstance(item, torch.Tensor | Variable)),
        tensors[0].device,
    )
    dtype = functools.reduce(torch.promote_types, (t.dtype for t in tensors))
    return torch.stack([t.to(device=target, dtype=dtype) for t in tensors])


def convert_to_numpy(x):
    if isinstance(x, np.ndarray):
        return np.array(x)
    x = _tensor(x)
    if x.dtype == torch.bfloat16:
        x = x.float()  # NumPy has no bfloat16; float32 holds every bfloat16 exactly
    array = x.numpy(force=True)  # detaches, resolves conj/neg views, copies to the host
    # On the CPU that array still shares the tensor's memory (a variable's, maybe).
    return array.copy() if x.device.type == "cpu" else array


def is_tensor(x):
    return isinstance(x, torch.Tensor)


def _tensor(x: Any) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else to_tensor(x)


def _operands(x1: Any, x2: Any) -> tuple[Any, Any]:
    """Both operands as tensors, except that a Python scalar stays a scalar (weakly
    typed) beside a tensor; a new tensor goes to the other operand's device."""
    if isinstance(x1, torch.Tensor):  # the hot path: at most one check more
        if isinstance(x2, torch.Tensor) or type(x2) in _PYTHON_SCALARS:
            return x1, x2
        return x1, to_tensor(x2, None, x1.device)
    if isinstance(x1, Variable):
        return _operands(x1.value, x2)
    if isinstance(x2, Variable):
        x2 = x2.value
    if not isinstance(x2, torch.Tensor):
        if type(x2) in _PYTHON_SCALARS:  # then x1 carries the dtype
            return to_tensor(x1), x2
        x2 = to_tensor(x2)
    if type(x1) in _PYTHON_SCALARS:
        return x1, x2
    return to_tensor(x1, None, x2.device), x2


def _weak_scalar_tensor(value: Any, like: torch.Tensor) -> torch.Tensor:
    # A 0-d tensor takes part in torch's promotion like a scalar does (float16
    # stays float16 beside a 0-d float32), for functions that refuse Python scalars.
    # Cached because `maximum(x, 0)` is hot and creating a tensor costs more than the
    # op; these tensors are private operands, never handed out, so sharing is safe.
    key = (value, type(value), like.device)
    tensor = _SCALAR_TENSORS.get(key)
    if tensor is None:
        dtype = TORCH_DTYPES[python_scalar_dtype(value)]
        tensor = torch.tensor(value, dtype=dtype, device=like.device)
        if len(_SCALAR_TENSORS) < 256 and not torch.compiler.is_compiling():
            _SCALAR_TENSORS[key] = tensor
    return tensor


_SCALAR_TENSORS: dict[tuple[Any, type, torch.device], torch.Tensor] = {}


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, list | tuple):
        return tuple(operator.index(a) for a in axis)
    return (operator.index(axis),)


# -- numpy ops ----------------------------------------------------------------


def add(x1, x2):
    x1, x2 = _operands(x1, x2)
    return x1 + x2


def subtract(x1, x2):
    x1, x2 = _operands(x1, x2)
    return x1 - x2


def multiply(x1, x2):
    x1, x2 = _operands(x1, x2)
    return x1 * x2


def divide(x1, x2):
    x1, x2 = _operands(x1, x2)
    return x1 / x2  # true division: integers give floats


def maximum(x1, x2):
    x1, x2 = _operands(x1, x2)
    if not isinstance(x1, torch.Tensor):
        x1 = _weak_scalar_tensor(x1, x2)
    elif not isinstance(x2, torch.Tensor):
        x2 = _weak_scalar_tensor(x2, x1)
    return torch.maximum(x1, x2)


def exp(x):
    return torch.exp(_tensor(x))


def max(x, axis=None, keepdims=False, initial=None):
    x = _tensor(x)
    axes = _axes(axis, x.ndim)
    if not axes:  # axis=() reduces nothing in NumPy (torch would reduce everything)
        out = x.clone()
    elif initial is not None and any(x.shape[a] == 0 for a in axes):
        # torch refuses an empty reduction; NumPy gives `initial` there.
        reduced = {a % x.ndim for a in axes}
        shape = [
            1 if i in reduced else n for i, n in enumerate(x.shape) if keepdims or i not in reduced
        ]
        return torch.full(shape, initial, dtype=x.dtype, device=x.device)
    elif axis is None and not keepdims:
        out = torch.amax(x)
    else:
        out = torch.amax(x, dim=axes, keepdim=keepdims)
    if initial is not None:
        out = torch.maximum(out, torch.tensor(initial, dtype=out.dtype, device=out.device))
    return out


# torch sums every integer type into int64; Keras 3 (following JAX) widens only the
# narrow types, to int32, and keeps int32 as int32.
# Keras 3 widens small integer sums to 32 bits, keeping unsigned unsigned.
_SUM_WIDENED = {
    torch.bool: torch.int32,
    torch.int8: torch.int32,
    torch.int16: torch.int32,
    torch.uint8: torch.uint32,
}


def sum(x, axis=None, keepdims=False):
    x = _tensor(x)
    dtype = _SUM_WIDENED.get(x.dtype, x.dtype)
    axes = _axes(axis, x.ndim)
    if not axes:  # axis=() reduces nothing in NumPy (torch would reduce everything)
        return x.to(dtype=dtype, copy=True)
    # torch has no uint32 arithmetic: sum in int64 and store the result as uint32.
    accumulate = torch.int64 if dtype == torch.uint32 else dtype
    if axis is None and not keepdims:
        out = torch.sum(x, dtype=accumulate)
    else:
        out = torch.sum(x, dim=axes, keepdim=keepdims, dtype=accumulate)
    return out if accumulate == dtype else out.to(dtype)


def matmul(x1, x2):
    x1, x2 = _operands(x1, x2)
    x1, x2 = _tensor(x1), _tensor(x2)
    dtype = x1.dtype
    if x2.dtype != dtype:  # torch.matmul refuses mixed dtypes; promote as NumPy does
        dtype = torch.promote_types(dtype, x2.dtype)
        x1, x2 = x1.to(dtype), x2.to(dtype)
    if dtype == torch.bool:  # no bool kernel anywhere; a positive count of ones is True
        return torch.matmul(x1.to(torch.float32), x2.to(torch.float32)) > 0
    if dtype == torch.int8:  # Keras 3 accumulates int8 products in int32
        x1, x2, dtype = x1.to(torch.int32), x2.to(torch.int32), torch.int32
    if not (dtype.is_floating_point or dtype.is_complex) and x1.device.type not in ("cpu", "meta"):
        # CUDA has no integer matmul; float64 is exact below 2**53, and going back
        # through int64 wraps overflow the way integer arithmetic would.
        out = torch.matmul(x1.to(torch.float64), x2.to(torch.float64))
        return out.to(torch.int64).to(dtype)
    return torch.matmul(x1, x2)


# -- nn ops -------------------------------------------------------------------


def relu(x):
    return torch.relu(_tensor(x))


def softmax(x, axis=-1):
    x = _tensor(x)
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(TORCH_DTYPES[config.floatx()])
    if isinstance(axis, int):
        return torch.softmax(x, dim=axis)
    axes = _axes(axis, x.ndim)
    if len(axes) == 1:
        return torch.softmax(x, dim=axes[0])
    if not axes:  # normalising each value over itself
        return torch.ones_like(x)
    # Softmax is shift-invariant, so the shift needs no gradient.
    shifted = x - torch.amax(x, dim=axes, keepdim=True).detach()
    e = torch.exp(shifted)
    return e / torch.sum(e, dim=axes, keepdim=True)
