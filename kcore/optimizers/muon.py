"""Muon, momentum orthogonalized by Newton-Schulz, with AdamW for the rest (Keras 3's
``Muon``).

Example::

    >>> opt = kcore.optimizers.Muon(learning_rate=0.02, exclude_layers=["head"])
"""

from __future__ import annotations

import re
from typing import Any

from kcore import ops
from kcore.optimizers.base_optimizer import Optimizer


class Muon(Optimizer):
    """Muon for 2-D weight matrices: the (Nesterov) momentum is orthogonalized by
    ``ns_steps`` quintic Newton-Schulz iterations and scaled by
    ``rms_rate * sqrt(max(rows, cols))``; every other variable (rank other than 2,
    embeddings when ``exclude_embeddings``, paths matching ``exclude_layers``) is
    updated by AdamW with ``learning_rate * adam_lr_ratio`` and ``adam_weight_decay``.

    Args:
        learning_rate: a float, a schedule or a callable (default 0.001).
        adam_beta_1, adam_beta_2, adam_weight_decay, epsilon: the AdamW part's.
        weight_decay: the Muon part's decoupled weight decay.
        exclude_layers: regular expressions of variable paths given to AdamW.
        exclude_embeddings: give variables whose path contains "embedding" to AdamW.
        muon_a, muon_b, muon_c: the Newton-Schulz polynomial's coefficients.
        adam_lr_ratio: the AdamW part's learning rate relative to ``learning_rate``.
        momentum: the Muon momentum.
        ns_steps: Newton-Schulz iterations.
        nesterov: use Nesterov momentum.
        rms_rate: the update's RMS scale (``None``: no scaling).
        (the other arguments: see :class:`~kcore.optimizers.Optimizer`.)

    Example::

        >>> opt = Muon(learning_rate=0.1)
        >>> w = kcore.Variable([[1.0, 0.0], [0.0, 1.0]], name="kernel")
        >>> opt.apply([ops.ones((2, 2))], [w])
        >>> bool((w.numpy() < [[1.0, 0.0], [0.0, 1.0]]).all())
        True
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        adam_beta_1: float = 0.9,
        adam_beta_2: float = 0.999,
        adam_weight_decay: float = 0.004,
        epsilon: float = 1e-7,
        weight_decay: float | None = 0.004,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        exclude_layers: list | None = None,
        exclude_embeddings: bool = True,
        muon_a: float = 3.4445,
        muon_b: float = -4.7750,
        muon_c: float = 2.0315,
        adam_lr_ratio: float = 1,
        momentum: float = 0.95,
        ns_steps: int = 5,
        nesterov: bool = True,
        rms_rate: float | None = 0.2,
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
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable: Any) -> bool:
        if len(variable.shape) != 2:
            return True
        path = getattr(variable, "path", variable.name)
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(keyword, path) for keyword in self.exclude_layers)

    def build(self, var_list: list) -> None:
        """Create a ``momentum`` slot per variable and a ``velocity`` slot for the
        AdamW ones (interleaved, in Keras's saved order)."""
        if self.built:
            return
        super().build(var_list)
        self.momentums: list = [None] * len(var_list)
        self.adam_velocities: list = [None] * len(var_list)
        for var in var_list:
            if self._overwrite_variable_with_gradient(var):
                continue
            index = self._get_variable_index(var)
            self.momentums[index] = self.add_variable_from_reference(var, "momentum")
            if self._should_use_adamw(var):
                self.adam_velocities[index] = self.add_variable_from_reference(var, "velocity")

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        index = self._get_variable_index(variable)
        m, v = self.momentums[index], self.adam_velocities[index]
        if v is not None:
            self._adamw_update_step(gradient, variable, learning_rate * self.adam_lr_ratio, m, v)
        else:
            self._muon_update_step(gradient, variable, learning_rate, m)

    def _muon_update_step(self, gradient: Any, variable: Any, lr: Any, m: Any) -> None:
        self.assign_add(m, gradient + m.value * (self.momentum - 1))
        g = gradient + self.momentum * m.value if self.nesterov else m.value
        update = self.zeropower_via_newtonschulz5(g, self.ns_steps)
        self.assign_sub(variable, self.lr_adjust(lr * update))

    def _adamw_update_step(
        self, gradient: Any, variable: Any, learning_rate: Any, m: Any, v: Any
    ) -> None:
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(self.iterations + 1, dtype)
        beta_1_power = ops.power(ops.cast(self.adam_beta_1, dtype), step)
        beta_2_power = ops.power(ops.cast(self.adam_beta_2, dtype), step)
        alpha = lr * ops.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        self.assign_add(m, (gradient - m.value) * (1 - self.adam_beta_1))
        self.assign_add(v, (ops.square(gradient) - v.value) * (1 - self.adam_beta_2))
        self.assign_sub(variable, (m.value * alpha) / (ops.sqrt(v.value) + self.epsilon))

    def transpose_last_axis(self, x: Any) -> Any:
        """``x`` with its last two axes swapped."""
        rank = len(ops.shape(x))
        order = list(range(rank))
        order[-2], order[-1] = rank - 1, rank - 2
        return ops.transpose(x, order)

    def lr_adjust(self, x: Any) -> Any:
        """Scale the orthogonalized update to an RMS of ``rms_rate`` (Moonlight's rule)."""
        if self.rms_rate is None:
            return x
        return x * ops.sqrt(ops.maximum(x.shape[0], x.shape[1])) * self.rms_rate

    def zeropower_via_newtonschulz5(self, x: Any, steps: int) -> Any:
        """An approximately orthogonal matrix with ``x``'s singular vectors, by ``steps``
        quintic Newton-Schulz iterations (wide orientation, spectral norm at most 1)."""
        shape = ops.shape(x)
        if len(shape) < 2:
            raise ValueError(
                "Expected gradient or momentum to have at least 2 dimensions. Received: "
                f"shape={shape}"
            )
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = shape[-2] > shape[-1]
        if tall:
            x = self.transpose_last_axis(x)
        x = x / (ops.norm(x, axis=(-2, -1), keepdims=True) + 1e-7)
        for _ in range(steps):
            gram = ops.matmul(x, self.transpose_last_axis(x))
            poly = b * gram + c * ops.matmul(gram, gram)
            x = a * x + ops.matmul(poly, x)
        return self.transpose_last_axis(x) if tall else x

    def _apply_weight_decay(self, variables: list) -> None:
        for variable in variables:
            if not self._use_weight_decay(variable):
                continue
            if self._should_use_adamw(variable):
                rate = self.adam_weight_decay
            else:
                rate = self.weight_decay
            if rate is None:
                continue
            wd = ops.cast(rate, variable.dtype)
            lr = ops.cast(self.learning_rate, variable.dtype)
            variable.assign(variable.value - variable.value * wd * lr)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "adam_beta_1": self.adam_beta_1,
                "adam_beta_2": self.adam_beta_2,
                "epsilon": self.epsilon,
                "exclude_layers": self.exclude_layers,
                "muon_a": self.muon_a,
                "muon_b": self.muon_b,
                "muon_c": self.muon_c,
                "adam_lr_ratio": self.adam_lr_ratio,
                "momentum": self.momentum,
                "ns_steps": self.ns_steps,
                "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings,
                "adam_weight_decay": self.adam_weight_decay,
                "rms_rate": self.rms_rate,
            }
        )
        return config
