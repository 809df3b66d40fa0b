"""``LossScaleOptimizer``: dynamic loss scaling around another optimizer (Keras 3's
``keras.optimizers.LossScaleOptimizer``), for mixed-precision training.

Example::

    >>> opt = kcore.optimizers.LossScaleOptimizer(kcore.optimizers.Adam())
"""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore.optimizers.base_optimizer import COUNTER_DTYPE, Optimizer

_BASE_DEFAULTS = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


class LossScaleOptimizer(Optimizer):
    """Scales the loss by a dynamic factor (:meth:`scale_loss`) and divides the
    gradients by it before the inner optimizer's update. A step whose gradients are
    not all finite is skipped and halves the scale; ``dynamic_growth_steps`` finite
    steps in a row double it. The choice is made with ``ops.cond``, so it also runs
    inside ``jax.jit`` (:meth:`stateless_apply`) and ``tf.function``.

    Args:
        inner_optimizer: the optimizer doing the updates.
        initial_scale: the starting loss scale.
        dynamic_growth_steps: finite steps before the scale doubles.
        name: the optimizer's name.

    Example::

        >>> opt = LossScaleOptimizer(kcore.optimizers.SGD(0.1), initial_scale=4.0)
        >>> w = kcore.Variable([1.0])
        >>> opt.apply([ops.convert_to_tensor([4.0])], [w])   # unscaled: 1.0
        >>> round(float(w.numpy()[0]), 4)
        0.9
    """

    def __init__(
        self,
        inner_optimizer: Optimizer,
        initial_scale: float = 2.0**15,
        dynamic_growth_steps: int = 2000,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                "`loss_scale_factor` directly on the `inner_optimizer`."
            )
        # Older configs carry the base arguments at their defaults; anything else is an error.
        for arg, default in _BASE_DEFAULTS.items():
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError(
                    f"LossScaleOptimizer does not support `{arg}`. Instead, set `{arg}` on "
                    "the `inner_optimizer`."
                )
        if kwargs:
            raise ValueError(
                f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`."
            )
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                "LossScaleOptimizer expected an Optimizer as inner_optimizer, received "
                f"{type(inner_optimizer).__name__}"
            )
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        # The inner optimizer must not unscale the gradients a second time.
        self.inner_optimizer.loss_scale_factor = None

    def build(self, var_list: list) -> None:
        """Create ``step_counter`` and ``dynamic_scale``, and build the inner optimizer."""
        from kcore import initializers

        self.step_counter = self.add_variable(
            (), initializer="zeros", dtype=COUNTER_DTYPE, name="step_counter"
        )
        self.dynamic_scale = self.add_variable(
            (),
            initializer=initializers.Constant(self.initial_scale),
            dtype="float32",
            name="dynamic_scale",
        )
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self) -> list:
        """This optimizer's variables, then the inner optimizer's."""
        return self._variables + self.inner_optimizer.variables

    def check_finite(self, grads: list) -> Any:
        """A boolean scalar: whether every gradient is finite."""
        finite = [ops.all(ops.isfinite(g)) for g in grads if g is not None]
        return ops.all(ops.stack(finite))

    def apply(self, grads: Any, trainable_variables: Any = None) -> None:
        """Unscale and apply ``grads`` with the inner optimizer when all are finite,
        else skip the step; then adjust the scale."""
        grads = list(grads)
        if trainable_variables is not None:
            trainable_variables = list(trainable_variables)
        if not self.built:
            if trainable_variables is None:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already "
                    "be built on a list of variables. Call "
                    "`optimizer.build(trainable_variables)` first."
                )
            self.build(trainable_variables)
        variables = trainable_variables or self._trainable_variables

        def finite() -> None:
            scale = self.dynamic_scale.value
            unscaled = [
                g if g is None or self._overwrite_variable_with_gradient(v) else g / scale
                for g, v in zip(grads, variables)
            ]
            self.inner_optimizer.apply(unscaled, trainable_variables=trainable_variables)
            self._branch(
                ops.equal(self.step_counter.value, self.dynamic_growth_steps - 1),
                self._grow,
                lambda: self.step_counter.assign_add(1),
            )

        def not_finite() -> None:
            self.step_counter.assign(0)
            self.dynamic_scale.assign(self.dynamic_scale.value * 0.5)

        self._branch(self.check_finite(grads), finite, not_finite)

    def _grow(self) -> None:
        self.step_counter.assign(0)
        self.dynamic_scale.assign(self.dynamic_scale.value * 2.0)

    @property
    def learning_rate(self) -> Any:
        """The inner optimizer's learning rate (settable)."""
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate: Any) -> None:
        self.inner_optimizer.learning_rate = learning_rate

    @property
    def iterations(self) -> Any:
        """The inner optimizer's step count."""
        return self.inner_optimizer.iterations

    def scale_loss(self, loss: Any) -> Any:
        """``loss`` times the current scale (``initial_scale`` before building)."""
        scale = self.dynamic_scale.value if self.built else self.initial_scale
        return ops.multiply(loss, scale)

    def finalize_variable_values(self, var_list: list) -> None:
        """The inner optimizer's :meth:`~Optimizer.finalize_variable_values`."""
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self) -> dict[str, Any]:
        from kcore.saving.serialization import serialize_keras_object

        return {
            "name": self.name,
            "inner_optimizer": serialize_keras_object(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Any:
        from kcore.optimizers import deserialize

        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects=custom_objects)
        return cls(inner, **config)
