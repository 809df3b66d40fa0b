"""Builds the TensorFlow Backend object (imports TensorFlow)."""

from __future__ import annotations

from typing import Any

import numpy as np

from kcore import _tree
from kcore.backend import Backend, BackendDescriptor
from kcore.dtypes import standardize_dtype
from kcore.keras_tensor import KerasTensor
from kcore.ops.contract import collect_ops
from kcore.variables import Variable
from kcore_tf import (
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
from kcore_tf import ops as tf_ops
from kcore_tf.optimizers import KERNELS as OPTIMIZER_KERNELS

# One import of TensorFlow, in kcore_tf.ops, which quiets its C++ logging first.
tf = tf_ops.tf


class TFVariable(Variable):
    """A variable stored in a ``tf.Variable``, updated with ``tf.Variable.assign``.

    ``value`` is the ``tf.Variable`` itself, as in Keras 3: ``tf.GradientTape``
    watches it (so ``tape.gradient(loss, v.value)`` works wherever it was read),
    and ``tf.function`` captures it by reference, so a compiled function sees later
    assignments instead of a constant baked in at trace time. The variable also
    converts to a tensor wherever TensorFlow expects one (``tf.add(v, 1)``), reading
    the ``tf.Variable`` so the read is recorded on the tape.

    Example::

        >>> v = kcore.backend.get_backend("tensorflow").Variable([1.0, 2.0], name="w")
        >>> with tf.GradientTape() as tape:
        ...     loss = tf.reduce_sum(v.value * v.value)
        >>> tape.gradient(loss, v.value).numpy().tolist()
        [2.0, 4.0]
    """

    def _convert(self, value: Any, dtype: str | None) -> Any:
        return tf_ops.convert_to_tensor(value, dtype=dtype)

    #: ``tf.GradientTape`` takes the variable as a source (``tape.gradient(loss,
    #: layer.trainable_variables)``) through its resource handle.
    _should_act_as_resource_variable = True

    @property
    def handle(self) -> Any:
        return self._value.handle

    def _creation_scope(self) -> Any:
        return tf.init_scope()

    def _initialize(self, value: Any) -> None:
        self._value = tf.Variable(value, trainable=self.trainable, name=self.name)

    def _direct_assign(self, value: Any) -> None:
        self._value.assign(value)

    def _to_numpy(self, value: Any) -> np.ndarray:
        return value.numpy()  # np.array(tf.Variable) warns about __array__'s copy keyword

    def __tf_tensor__(self, dtype: Any = None, name: str | None = None) -> Any:
        """Let TensorFlow ops take this variable where they take a tensor."""
        # Delegating keeps tf.Variable's rules: a read on the tape, and an error (not
        # a silent cast) when another dtype is asked for.
        return tf.convert_to_tensor(self.value, dtype=dtype, name=name)


def _leaf_spec(x: Any) -> Any:
    if not tf.is_tensor(x):
        return x  # a Python value the function returned as is
    if x.shape.rank is None:
        raise ValueError(
            f"compute_output_spec: the function returned a tensor of unknown rank "
            f"({x!r}); a KerasTensor needs a known number of dimensions"
        )
    return KerasTensor(tuple(x.shape.as_list()), standardize_dtype(x.dtype))


def compute_output_spec(fn, *args, **kwargs):
    """The KerasTensor structure ``fn`` returns for symbolic ``args``/``kwargs``.

    Traces ``fn`` once with ``tf.function`` on ``tf.TensorSpec`` placeholders, so
    unknown (``None``) dimensions stay unknown without probing sizes; arguments that
    are not KerasTensors are passed through unchanged (static). Nothing is executed.

    Example::

        >>> b = kcore.backend.get_backend("tensorflow")
        >>> b.compute_output_spec(b.ops["sum"], KerasTensor((None, 5, 3)), axis=1)
        <KerasTensor shape=(None, 3), dtype=float32>
    """
    leaves = _tree.flatten((args, kwargs))
    specs = [tf.TensorSpec(x.shape, x.dtype) for x in leaves if isinstance(x, KerasTensor)]

    def with_tensors(*tensors):
        it = iter(tensors)
        a, k = _tree.map_structure(
            lambda x: next(it) if isinstance(x, KerasTensor) else x, (args, kwargs)
        )
        return fn(*a, **k)

    # autograph off: this is shape inference, not compilation; fn runs as written.
    traced = tf.function(with_tensors, autograph=False).get_concrete_function(*specs)
    return _tree.map_structure(_leaf_spec, traced.structured_outputs)


def _devices() -> tuple[str, ...]:
    # "/device:CPU:0" -> "cpu:0"
    return tuple(
        f"{d.device_type.lower()}:{d.name.rsplit(':', 1)[-1]}"
        for d in tf.config.list_logical_devices()
    )


def gradient(fn, *args):
    """Gradients of the scalar ``fn(*args)`` with respect to every argument."""
    with tf.GradientTape() as tape:
        for a in args:
            tape.watch(a)
        out = fn(*args)
    zero = tf.UnconnectedGradients.ZERO
    grads = tape.gradient(out, list(args), unconnected_gradients=zero)
    # Gathers differentiate to IndexedSlices; callers get dense tensors like elsewhere.
    return tuple(tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in grads)


def _skip_autograph_for_kcore() -> None:
    """Let ``tf.function`` call kcore's own code as is: the generated op functions have
    no source for AutoGraph to read (it would warn on each), and kcore's layers use
    only ops, no tensor-dependent Python control flow. User code is still converted."""
    try:
        from tensorflow.python.autograph.core import config as autograph_config
    except ImportError:  # pragma: no cover - a TensorFlow without this module
        return
    rules = autograph_config.CONVERSION_RULES
    if not any(getattr(rule, "_prefix", None) == "kcore" for rule in rules):
        autograph_config.CONVERSION_RULES = (autograph_config.DoNotConvert("kcore"), *rules)


def make_backend(descriptor: BackendDescriptor) -> Backend:
    """The Backend object (called by the descriptor when this backend is selected)."""
    _skip_autograph_for_kcore()
    return descriptor.assemble(
        version=__version__,
        framework_version=tf.__version__,
        devices=_devices(),
        ops=collect_ops(
            tf_ops,
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
        Variable=TFVariable,
        compute_output_spec=compute_output_spec,
        gradient=gradient,
        optimizer_kernels=OPTIMIZER_KERNELS,
    )
