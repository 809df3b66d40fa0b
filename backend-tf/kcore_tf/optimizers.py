"""Fused optimizer updates for TensorFlow: TensorFlow's own training kernels
(``ResourceApplyAdam``, ``ResourceApplyKerasMomentum``, ``ResourceApplyGradientDescent``),
one op per variable that reads and writes each slot once, instead of the ~20 separate
element-wise ops and assignments of the optimizer's ``update_step`` (TensorFlow's graph
executor fuses none of them; on the benchmark's MLP that is 1.5 ms of a 3.8 ms step).

The core's optimizers look these up by their ``_kernel_name`` in
``Backend.optimizer_kernels`` (see ``kcore_torch.optimizers`` for the contract); they
run eagerly and inside a ``tf.function``. They compute Keras's formulas (TensorFlow's
Keras 2 optimizers were written on them): Adam's ``m += (g - m) * (1 - beta_1)``, ``v +=
(g**2 - v) * (1 - beta_2)``, ``var -= alpha * m / (sqrt(v) + epsilon)``; SGD's ``m =
momentum * m - lr * g``, ``var += m`` (Nesterov: ``var += momentum * m - lr * g``). SGD's
numbers are ``update_step``'s to the last bit. Adam's kernel computes ``1 - beta`` in
float32 (``1 - 0.999`` is 1.0000467e-3 there), so its slots can differ from
``update_step``'s by ~5e-5 relative: the tolerance the kernel publishes (its
``tolerance`` attribute, ``(rtol, atol)``), as Keras 2 on TensorFlow did. A sparse
gradient (``tf.IndexedSlices``) goes through the optimizer's own ``update_step``.

Example::

    >>> from kcore_tf.optimizers import KERNELS
    >>> sorted(KERNELS)
    ['adam', 'sgd']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf


def _dense(grad: Any, variable: Any) -> Any:
    """``grad`` as a dense tensor of the variable's dtype, or ``None`` when it is sparse."""
    if isinstance(grad, tf.IndexedSlices):
        return None
    dtype = tf.as_dtype(variable.dtype)
    grad = tf.convert_to_tensor(grad)
    return grad if grad.dtype == dtype else tf.cast(grad, dtype)


def adam(optimizer: Any, grads: Sequence[Any], variables: Sequence[Any], learning_rate: Any):
    iterations = optimizer.iterations
    step = tf.cast(tf.convert_to_tensor(getattr(iterations, "value", iterations)) + 1, tf.float32)
    by_dtype: dict[Any, tuple] = {}
    for grad, variable in zip(grads, variables):
        dense = _dense(grad, variable)
        if dense is None:
            optimizer.update_step(grad, variable, learning_rate)
            continue
        dtype = dense.dtype
        constants = by_dtype.get(dtype)
        if constants is None:  # the same for every variable of this dtype
            local_step = tf.cast(step, dtype)
            beta_1 = tf.cast(optimizer.beta_1, dtype)
            beta_2 = tf.cast(optimizer.beta_2, dtype)
            constants = by_dtype[dtype] = {
                "beta1_power": tf.pow(beta_1, local_step),
                "beta2_power": tf.pow(beta_2, local_step),
                "lr": tf.cast(getattr(learning_rate, "value", learning_rate), dtype),
                "beta1": beta_1,
                "beta2": beta_2,
                "epsilon": tf.cast(optimizer.epsilon, dtype),
            }
        index = optimizer._get_variable_index(variable)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.handle,
            m=optimizer._momentums[index].handle,
            v=optimizer._velocities[index].handle,
            grad=dense,
            **constants,
        )


#: How far Adam's kernel may be from ``update_step`` (see the module's docstring).
adam.tolerance = (1e-4, 1e-5)


def sgd(optimizer: Any, grads: Sequence[Any], variables: Sequence[Any], learning_rate: Any):
    learning_rate = getattr(learning_rate, "value", learning_rate)
    for grad, variable in zip(grads, variables):
        dense = _dense(grad, variable)
        if dense is None:
            optimizer.update_step(grad, variable, learning_rate)
            continue
        lr = tf.cast(learning_rate, dense.dtype)
        if optimizer.momentum == 0:
            tf.raw_ops.ResourceApplyGradientDescent(var=variable.handle, alpha=lr, delta=dense)
            continue
        tf.raw_ops.ResourceApplyKerasMomentum(
            var=variable.handle,
            accum=optimizer.momentums[optimizer._get_variable_index(variable)].handle,
            lr=lr,
            grad=dense,
            momentum=tf.cast(optimizer.momentum, dense.dtype),
            use_nesterov=optimizer.nesterov,
        )


#: What ``make_backend`` hands the core as ``optimizer_kernels``.
KERNELS = {"adam": adam, "sgd": sgd}
