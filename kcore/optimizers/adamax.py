"""Adamax, Adam with the infinity norm (Keras 3's ``Adamax``).

Example::

    >>> opt = kcore.optimizers.Adamax(learning_rate=2e-3)
"""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore.optimizers.base_optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax: ``m`` as in Adam, ``u = max(beta_2 * u, |g|)``, and the step
    ``lr * m / ((1 - beta_1^t) * (u + epsilon))``.

    Args:
        learning_rate: a float, a schedule or a callable (default 0.001).
        beta_1: decay of the first moment.
        beta_2: decay of the infinity norm.
        epsilon: added to the denominator for stability.
        (the other arguments: see :class:`~kcore.optimizers.Optimizer`.)

    Example::

        >>> opt = Adamax(learning_rate=0.1)
        >>> w = kcore.Variable([1.0])
        >>> opt.apply([ops.convert_to_tensor([0.5])], [w])
        >>> round(float(w.numpy()[0]), 4)
        0.9
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
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

    def build(self, var_list: list) -> None:
        """Create the ``momentum`` and ``norm`` slots."""
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(self.iterations + 1, dtype)
        beta_1_power = ops.power(ops.cast(self.beta_1, dtype), step)
        index = self._get_variable_index(variable)
        m, u = self._m[index], self._u[index]
        self.assign_add(m, (gradient - m.value) * (1 - self.beta_1))
        self.assign(u, ops.maximum(self.beta_2 * u.value, ops.abs(gradient)))
        self.assign_sub(variable, (lr * m.value) / ((1 - beta_1_power) * (u.value + self.epsilon)))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
