"""Schedule-free AdamW (Defazio et al., 2024; Keras 3's ``ScheduleFreeAdamW``).

Example::

    >>> opt = kcore.optimizers.ScheduleFreeAdamW(learning_rate=0.0025, warmup_steps=100)
"""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore.optimizers.base_optimizer import Optimizer


def _value_of(variable: Any) -> Any:
    def initializer(shape: Any, dtype: Any = None) -> Any:
        return ops.cast(ops.copy(variable.value), dtype or variable.dtype)

    return initializer


class ScheduleFreeAdamW(Optimizer):
    """AdamW without a learning-rate schedule: the ``momentum`` slot holds the base
    sequence ``z`` (starting at the variable), and the variable is the interpolation
    ``y`` between ``z`` and the running average ``x`` of past iterates.

    Args:
        learning_rate: a float, a schedule or a callable (default 0.0025).
        beta_1: the interpolation between ``z`` and ``x``.
        beta_2: decay of the second moment.
        epsilon: added to the denominator for stability.
        warmup_steps: linear learning-rate warmup length.
        (the other arguments: see :class:`~kcore.optimizers.Optimizer`.)

    Example::

        >>> opt = ScheduleFreeAdamW(learning_rate=0.1)
        >>> w = kcore.Variable([1.0])
        >>> opt.apply([ops.convert_to_tensor([1.0])], [w])
        >>> float(w.numpy()[0]) < 1.0
        True
    """

    def __init__(
        self,
        learning_rate: Any = 0.0025,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        warmup_steps: int = 0,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def build(self, var_list: list) -> None:
        """Create the ``momentum`` slots (set to the variables) and ``velocity`` slots."""
        if self.built:
            return
        super().build(var_list)
        self._momentums: list = []
        self._velocities: list = []
        for var in var_list:
            if self._overwrite_variable_with_gradient(var):
                self._momentums.append(None)
                self._velocities.append(None)
                continue
            # The start value is the variable's, read where the slot is created (eagerly,
            # also when building inside tf.function), so no traced op re-assigns it.
            self._momentums.append(
                self.add_variable_from_reference(var, "momentum", initializer=_value_of(var))
            )
            self._velocities.append(self.add_variable_from_reference(var, "velocity"))

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(self.iterations + 1, dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        epsilon = ops.cast(self.epsilon, dtype)
        if self.warmup_steps > 0:
            lr = lr * ops.minimum(step / ops.cast(self.warmup_steps, dtype), 1.0)
        index = self._get_variable_index(variable)
        momentum, velocity = self._momentums[index], self._velocities[index]
        # x (the average) recovered from y and z before z moves (on backends that
        # update in place, an earlier read of z would move with it).
        x_old = (variable.value - (1 - beta_1) * momentum.value) / beta_1
        bias_correction_2 = 1 - ops.power(beta_2, step)
        self.assign_add(velocity, (ops.square(gradient) - velocity.value) * (1 - beta_2))
        denom = ops.sqrt(velocity.value / bias_correction_2) + epsilon
        self.assign_sub(momentum, (lr * gradient) / denom)
        weight = 1.0 / step
        x_new = (1 - weight) * x_old + weight * momentum.value
        self.assign(variable, (1 - beta_1) * momentum.value + beta_1 * x_new)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "warmup_steps": self.warmup_steps,
            }
        )
        return config
