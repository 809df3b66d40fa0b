"""RMSprop, plain, centered and with momentum (Keras 3's ``RMSprop``).

Example::

    >>> opt = kcore.optimizers.RMSprop(learning_rate=1e-3, centered=True)
"""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore.optimizers.base_optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop: ``v = rho * v + (1 - rho) * g^2`` and the step
    ``lr * g / sqrt(v + epsilon)`` (centered: ``v - mean(g)^2``); with ``momentum``
    the step feeds a momentum slot that is subtracted instead.

    Args:
        learning_rate: a float, a schedule or a callable (default 0.001).
        rho: decay of the squared-gradient average.
        momentum: momentum of the step (0: none).
        epsilon: added to the denominator for stability.
        centered: normalise by the gradient's estimated variance.
        (the other arguments: see :class:`~kcore.optimizers.Optimizer`.)

    Slots: ``velocity`` (``_velocities``), ``momentum`` (``_momentums``, with
    momentum), ``average_gradient`` (``_average_gradients``, when centered).

    Example::

        >>> opt = RMSprop(learning_rate=0.1, rho=0.0, epsilon=0.0)
        >>> w = kcore.Variable([1.0])
        >>> opt.apply([ops.convert_to_tensor([3.0])], [w])
        >>> round(float(w.numpy()[0]), 4)
        0.9
    """

    _kernel_name = "rmsprop"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
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
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list: list) -> None:
        """Create the velocity (and momentum and average-gradient) slots."""
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums: list = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients: list = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient")

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        index = self._get_variable_index(variable)
        velocity = self._velocities[index]
        rho = self.rho
        self.assign(velocity, rho * velocity.value + (1 - rho) * ops.square(gradient))
        if self.centered:
            average = self._average_gradients[index]
            self.assign(average, rho * average.value + (1 - rho) * gradient)
            denominator = velocity.value - ops.square(average.value) + self.epsilon
        else:
            denominator = velocity.value + self.epsilon
        increment = (lr * gradient) / ops.sqrt(denominator)
        if self.momentum > 0:
            momentum = self._momentums[index]
            self.assign(momentum, self.momentum * momentum.value + increment)
            self.assign_sub(variable, momentum.value)
        else:
            self.assign_sub(variable, increment)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "rho": self.rho,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "centered": self.centered,
            }
        )
        return config
