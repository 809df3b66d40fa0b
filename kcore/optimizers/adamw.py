"""AdamW, Adam with decoupled weight decay (Keras 3's ``AdamW``).

Example::

    >>> opt = kcore.optimizers.AdamW(learning_rate=1e-3, weight_decay=0.01)
"""

from __future__ import annotations

from typing import Any

from kcore.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay: each step first shrinks a variable by
    ``learning_rate * weight_decay`` times itself (see
    :meth:`~kcore.optimizers.Optimizer.exclude_from_weight_decay`).

    Args:
        learning_rate: a float, a schedule or a callable (default 0.001).
        weight_decay: the decay rate (required, default 0.004).
        beta_1, beta_2, epsilon, amsgrad: as in :class:`~kcore.optimizers.Adam`.
        (the other arguments: see :class:`~kcore.optimizers.Optimizer`.)

    Example::

        >>> opt = AdamW(learning_rate=0.1, weight_decay=0.5)
        >>> w = kcore.Variable([1.0])
        >>> opt.apply([ops.convert_to_tensor([0.0])], [w])
        >>> round(float(w.numpy()[0]), 4)
        0.95
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
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
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
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
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
