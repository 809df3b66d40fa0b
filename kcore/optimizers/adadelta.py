"""Adadelta: adaptive rates from running averages of updates (Keras 3's ``Adadelta``).

Example::

    >>> opt = kcore.optimizers.Adadelta(learning_rate=1.0, rho=0.95)
"""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore.optimizers.base_optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta: ``E[g^2]`` and ``E[dx^2]`` decayed by ``rho``; the step is
    ``lr * sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g``.

    Args:
        learning_rate: a float, a schedule or a callable (default 0.001).
        rho: the decay rate.
        epsilon: added inside the square roots.
        (the other arguments: see :class:`~kcore.optimizers.Optimizer`.)

    Example::

        >>> opt = Adadelta(learning_rate=1.0)
        >>> w = kcore.Variable([1.0])
        >>> opt.apply([ops.convert_to_tensor([1.0])], [w])
        >>> float(w.numpy()[0]) < 1.0
        True
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.95,
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
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list: list) -> None:
        """Create the ``accumulated_grad`` and ``accumulated_delta_var`` slots."""
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"]
        )

    def update_step(self, grad: Any, variable: Any, learning_rate: Any) -> None:
        lr = ops.cast(learning_rate, variable.dtype)
        grad = ops.cast(grad, variable.dtype)
        rho = self.rho
        index = self._get_variable_index(variable)
        acc_grad = self._accumulated_grads[index]
        acc_delta = self._accumulated_delta_vars[index]

        def rms(x: Any) -> Any:
            return ops.sqrt(x + self.epsilon)

        self.assign(acc_grad, rho * acc_grad.value + (1 - rho) * ops.square(grad))
        delta = -(rms(acc_delta.value) * grad) / rms(acc_grad.value)
        self.assign(acc_delta, rho * acc_delta.value + (1 - rho) * ops.square(delta))
        self.assign_add(variable, lr * delta)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
