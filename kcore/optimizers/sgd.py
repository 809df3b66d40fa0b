"""Stochastic gradient descent, with momentum and Nesterov momentum (Keras 3's ``SGD``).

Example::

    >>> opt = kcore.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
"""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore.optimizers.base_optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent: ``w -= learning_rate * g``; with ``momentum``,
    ``m = momentum * m - learning_rate * g`` and ``w += m`` (Nesterov:
    ``w += momentum * m - learning_rate * g``).

    Args:
        learning_rate: a float, a schedule or a callable (default 0.01).
        momentum: a float in [0, 1].
        nesterov: use Nesterov momentum.
        (the other arguments: see :class:`~kcore.optimizers.Optimizer`.)

    Example::

        >>> opt = SGD(learning_rate=0.1)
        >>> w = kcore.Variable([1.0])
        >>> opt.apply([ops.convert_to_tensor([2.0])], [w])
        >>> round(float(w.numpy()[0]), 6)
        0.8
    """

    _kernel_name = "sgd"

    def __init__(
        self,
        learning_rate: Any = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
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
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError(
                f"`momentum` must be a float between [0, 1]. Received: momentum={momentum!r}"
            )
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables: list) -> None:
        """Create the momentum slots (none without momentum)."""
        if self.built:
            return
        super().build(variables)
        self.momentums: list = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        if self.momentum == 0:
            self.assign_sub(variable, gradient * lr)
            return
        m = self.momentums[self._get_variable_index(variable)]
        momentum = ops.cast(self.momentum, variable.dtype)
        self.assign(m, m.value * momentum - gradient * lr)
        if self.nesterov:
            self.assign_add(variable, m.value * momentum - gradient * lr)
        else:
            self.assign_add(variable, m.value)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
