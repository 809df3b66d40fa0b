"""Adafactor, Adam with factored second moments (Keras 3's ``Adafactor``).

Example::

    >>> opt = kcore.optimizers.Adafactor(learning_rate=1e-3)
"""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore.optimizers.base_optimizer import Optimizer


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018): for a variable of rank >= 2 the second
    moment is kept as a row factor ``r`` and a column factor ``c`` over the last two
    axes; updates are clipped by RMS and scaled by the variable's own RMS.

    Args:
        learning_rate: a float, a schedule or a callable (default 0.001).
        beta_2_decay: the second-moment decay exponent.
        epsilon_1: added to the squared gradient.
        epsilon_2: the floor of the variable's RMS.
        clip_threshold: the update's RMS bound.
        relative_step: cap the rate at ``1 / sqrt(step)`` (with a float rate).
        (the other arguments: see :class:`~kcore.optimizers.Optimizer`.)

    Example::

        >>> opt = Adafactor(learning_rate=0.1)
        >>> w = kcore.Variable([[1.0, 2.0], [3.0, 4.0]])
        >>> opt.apply([ops.ones((2, 2))], [w])
        >>> bool((w.numpy() < [[1.0, 2.0], [3.0, 4.0]]).all())
        True
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_2_decay: float = -0.8,
        epsilon_1: float = 1e-30,
        epsilon_2: float = 1e-3,
        clip_threshold: float = 1.0,
        relative_step: bool = True,
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
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, var_list: list) -> None:
        """Create the row and column factors (scalar placeholders below rank 2, as Keras
        saves them) and the ``velocity`` slots."""
        if self.built:
            return
        super().build(var_list)
        self._r: list = []
        self._c: list = []
        self._v: list = []
        for var in var_list:
            skip = self._overwrite_variable_with_gradient(var)
            if len(var.shape) < 2:
                for factors in (self._r, self._c):
                    placeholder = self._make_variable(0, var.name, "int32")
                    placeholder.path = var.name
                    factors.append(placeholder)
            elif skip:
                self._r.append(None)
                self._c.append(None)
            else:
                shape = tuple(var.shape)
                self._r.append(self.add_variable(shape[:-1], dtype=var.dtype, name=var.name))
                self._c.append(
                    self.add_variable(shape[:-2] + shape[-1:], dtype=var.dtype, name=var.name)
                )
            self._v.append(None if skip else self.add_variable_from_reference(var, "velocity"))

    def _rms(self, x: Any) -> Any:
        return ops.sqrt(ops.mean(ops.square(x)))

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        epsilon_2 = ops.cast(self.epsilon_2, dtype)
        one = ops.cast(1.0, dtype)
        step = ops.cast(self.iterations + 1, dtype)
        if not callable(self._learning_rate) and self.relative_step:
            lr = ops.minimum(lr, 1 / ops.sqrt(step))
        index = self._get_variable_index(variable)
        r, c, v = self._r[index], self._c[index], self._v[index]
        rho_t = ops.minimum(lr, 1 / ops.sqrt(step))
        alpha_t = ops.maximum(epsilon_2, self._rms(variable.value)) * rho_t
        grad_square = ops.square(gradient) + self.epsilon_1
        beta_2_t = 1 - ops.power(step, self.beta_2_decay)
        if len(variable.shape) >= 2:
            self.assign(r, beta_2_t * r.value + (1 - beta_2_t) * ops.mean(grad_square, axis=-1))
            self.assign(c, beta_2_t * c.value + (1 - beta_2_t) * ops.mean(grad_square, axis=-2))
            row = r.value / ops.mean(r.value, axis=-1, keepdims=True)
            self.assign(v, ops.expand_dims(row, -1) * ops.expand_dims(c.value, -2))
        else:
            self.assign(v, beta_2_t * v.value + (1 - beta_2_t) * grad_square)
        u_t = gradient / ops.sqrt(v.value)
        u_t_hat = u_t / ops.maximum(one, self._rms(u_t) / self.clip_threshold)
        self.assign_sub(variable, alpha_t * u_t_hat)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step,
            }
        )
        return config
