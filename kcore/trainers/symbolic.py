"""Before the first step: check the first batch against the model's inputs, build the
model, and build the compiled loss, metrics and optimizer, so that every variable
exists before a step function is traced or compiled."""

from __future__ import annotations

from typing import Any

import numpy as np

from kcore import _tree, tree
from kcore import backend as _backend_module
from kcore.keras_tensor import KerasTensor
from kcore.trainers.data_adapters.data_adapter_utils import unpack_x_y_sample_weight


def _dtype_of(value: Any) -> str:
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return np.asarray(value).dtype.name
    name = getattr(dtype, "name", None) or str(dtype)
    return str(name).replace("torch.", "").replace("<dtype: '", "").replace("'>", "")


def _shape_of(value: Any) -> tuple[Any, ...]:
    shape = getattr(value, "shape", None)
    if shape is None:
        shape = np.shape(value)
    return tuple(None if d is None else int(d) for d in shape)


def _kind(dtype: str) -> str:
    if dtype.startswith(("float", "bfloat")):
        return "float"
    if dtype.startswith(("int", "uint")):
        return "int"
    if dtype == "bool":
        return "bool"
    if dtype.startswith("complex"):
        return "complex"
    return "other"


def _input_names(model: Any, count: int) -> list[str]:
    from kcore.trainers.compile_utils import tensor_names

    names = tensor_names(model.inputs)
    if len(names) == count and all(names):
        return names
    return [f"input_{i}" for i in range(count)]


def check_inputs(model: Any, x: Any, method: str) -> None:
    """Raise a ValueError naming the input, the expected and the received spec when a
    batch cannot feed the model's declared inputs (functional and Sequential models
    with an ``Input``)."""
    inputs = getattr(model, "inputs", None)
    if not inputs or x is None:
        return
    expected = tree.flatten(inputs)
    names = _input_names(model, len(expected))
    if isinstance(x, dict):
        missing = [name for name in names if name not in x]
        if missing and len(x) == len(expected) and len(expected) > 1:
            received = _tree.flatten(x)
        elif missing:
            raise ValueError(
                f"{method}: model '{model.name}' expects inputs {names}; the data's dict "
                f"has keys {sorted(x)} (missing {missing})"
            )
        else:
            received = [x[name] for name in names]
    else:
        received = _tree.flatten(x)
    if len(received) != len(expected):
        raise ValueError(
            f"{method}: model '{model.name}' has {len(expected)} input(s) {names}; the data "
            f"has {len(received)} array(s)"
        )
    for name, spec, value in zip(names, expected, received):
        shape, dtype = _shape_of(value), _dtype_of(value)
        want_shape, want_dtype = tuple(spec.shape), str(spec.dtype)
        fits = len(shape) == len(want_shape) and all(
            w is None or s is None or w == s for w, s in zip(want_shape, shape)
        )
        want_kind, kind = _kind(want_dtype), _kind(dtype)
        dtype_fits = (
            kind == want_kind
            or (want_kind == "float" and kind in ("int", "bool"))
            or (want_kind == "int" and kind == "bool")
        )
        if not fits or not dtype_fits:
            problem = "shape" if not fits else "dtype"
            raise ValueError(
                f"{method}: input '{name}' of model '{model.name}' expects shape "
                f"{want_shape} and dtype {want_dtype}; the data has shape {shape} and "
                f"dtype {dtype} (wrong {problem})"
            )


def _spec(value: Any) -> KerasTensor:
    shape = _shape_of(value)
    dtype = _dtype_of(value)
    if _kind(dtype) == "float" and dtype == "float64":
        dtype = "float32"
    return KerasTensor((None, *shape[1:]) if shape else (), dtype)


def build_for_batch(model: Any, batch: Any, method: str) -> None:
    """Check ``batch`` against the model, then build the model, the compiled loss and
    metrics and the optimizer from it."""
    if not isinstance(batch, tuple):
        batch = (batch,)
    x, y, _ = unpack_x_y_sample_weight(batch)
    check_inputs(model, x, method)
    steps = model._steps()
    if not model.built:
        # An unbuilt (subclassed or deferred Sequential) model builds on the real batch.
        native = steps.convert((x,))[0]
        try:
            model(native, training=False)
        except Exception as error:
            raise ValueError(
                f"{method}: model '{model.name}' could not be called on the data (x of "
                f"shape {_tree.map_structure(_shape_of, x)}): {error}"
            ) from error
    if method.startswith("predict") or y is None and not model.compiled:
        return
    compile_loss, compile_metrics = model._compile_loss, model._compile_metrics
    needs_outputs = (compile_loss is not None and not compile_loss.built) or (
        compile_metrics is not None and not compile_metrics.built
    )
    if needs_outputs and y is not None:
        y_pred = model.compute_output_spec(_tree.map_structure(_spec, x))
        if compile_loss is not None and not compile_loss.built:
            compile_loss.build(y, y_pred)
        if compile_metrics is not None and not compile_metrics.built:
            compile_metrics.build(y, y_pred)
    optimizer = model.optimizer
    if (
        optimizer is not None
        and method in ("fit", "train_on_batch")
        and not getattr(optimizer, "built", True)
        and _backend_module.current().capabilities.trainable
    ):
        optimizer.build(model.trainable_variables)
