"""Learning-rate schedules: a learning rate that is a function of the optimizer step
(Keras 3's ``keras.optimizers.schedules``).

A schedule is called with the step (a tensor or an int) and returns the learning rate
as a tensor; every computation is written in :mod:`kcore.ops` without branching on the
step's value in Python, so a schedule runs inside ``jax.jit`` and ``tf.function``.

Example::

    >>> from kcore.optimizers import schedules
    >>> decay = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> round(float(decay(10)), 6)
    0.05
"""

from __future__ import annotations

import math
from typing import Any

from kcore import ops

_KERAS_MODULE = "keras.optimizers.schedules"


def _check_steps(name: str, value: Any) -> None:
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class LearningRateSchedule:
    """The base class of learning-rate schedules.

    A subclass defines ``__call__(step)`` (returning the learning rate for that
    step) and ``get_config()``; ``from_config`` calls the constructor with the config.

    Example::

        >>> class Halving(LearningRateSchedule):
        ...     def __init__(self, initial):
        ...         self.initial = initial
        ...     def __call__(self, step):
        ...         return self.initial * ops.power(0.5, ops.cast(step, "float32"))
        ...     def get_config(self):
        ...         return {"initial": self.initial}
        >>> float(Halving(1.0)(2))
        0.25
    """

    _keras_module = _KERAS_MODULE

    def __call__(self, step: Any) -> Any:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """The schedule a :meth:`get_config` dict describes."""
        return cls(**config)


def _float_tensor(value: Any) -> Any:
    """``value`` as a float tensor (Python numbers become floatx, as Keras does)."""
    tensor = ops.convert_to_tensor(value)
    if "float" not in ops.dtype(tensor):
        from kcore import config

        tensor = ops.cast(tensor, config.floatx())
    return tensor


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; with
    ``staircase=True`` the exponent is floored (the rate drops in steps).

    Example::

        >>> s = ExponentialDecay(1.0, decay_steps=2, decay_rate=0.5, staircase=True)
        >>> [float(s(i)) for i in (0, 1, 2, 3)]
        [1.0, 1.0, 0.5, 0.5]
    """

    _keras_module = _KERAS_MODULE

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step: Any) -> Any:
        initial = _float_tensor(self.initial_learning_rate)
        dtype = ops.dtype(initial)
        p = ops.cast(step, dtype) / ops.cast(self.decay_steps, dtype)
        if self.staircase:
            p = ops.floor(p)
        return ops.multiply(initial, ops.power(ops.cast(self.decay_rate, dtype), p))

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to and including step ``boundaries[0]``, ``values[1]`` up to
    ``boundaries[1]``, ..., ``values[-1]`` after the last boundary.

    Example::

        >>> s = PiecewiseConstantDecay([2, 4], [1.0, 0.5, 0.1])
        >>> [round(float(s(i)), 3) for i in (0, 2, 3, 5)]
        [1.0, 1.0, 0.5, 0.1]
    """

    _keras_module = _KERAS_MODULE

    def __init__(self, boundaries: list, values: list, name: str = "PiecewiseConstant") -> None:
        super().__init__()
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> Any:
        step = ops.convert_to_tensor(step)
        step_dtype = ops.dtype(step)
        bounds = [ops.cast(b, step_dtype) for b in self.boundaries]
        values = [ops.convert_to_tensor(v) for v in self.values]
        dtype = ops.dtype(values[0])
        # A sum of indicator * value over the ranges: no Python branch on the step.
        result = ops.cast(step <= bounds[0], dtype) * values[0]
        result = result + ops.cast(step > bounds[-1], dtype) * values[-1]
        for low, high, value in zip(bounds[:-1], bounds[1:], values[1:-1]):
            inside = ops.logical_and(step > low, step <= high)
            result = result + ops.cast(inside, dtype) * value
        return result

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Decays from ``initial_learning_rate`` to ``end_learning_rate`` over
    ``decay_steps`` along ``(1 - step / decay_steps) ** power``; with ``cycle=True``
    it restarts with a longer period instead of staying at the end value.

    Example::

        >>> s = PolynomialDecay(1.0, decay_steps=4, end_learning_rate=0.0)
        >>> [float(s(i)) for i in (0, 2, 4, 8)]
        [1.0, 0.5, 0.0, 0.0]
    """

    _keras_module = _KERAS_MODULE

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step: Any) -> Any:
        initial = _float_tensor(self.initial_learning_rate)
        dtype = ops.dtype(initial)
        end = ops.cast(self.end_learning_rate, dtype)
        step = ops.cast(step, dtype)
        decay_steps = ops.cast(self.decay_steps, dtype)
        if self.cycle:
            periods = ops.where(ops.equal(step, 0), 1.0, ops.ceil(step / self.decay_steps))
            decay_steps = decay_steps * ops.cast(periods, dtype)
        else:
            step = ops.minimum(step, decay_steps)
        fraction = step / decay_steps
        return (initial - end) * ops.power(1 - fraction, ops.cast(self.power, dtype)) + end

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (the ratio
    floored with ``staircase=True``).

    Example::

        >>> s = InverseTimeDecay(1.0, decay_steps=1, decay_rate=1.0)
        >>> [float(s(i)) for i in (0, 1, 3)]
        [1.0, 0.5, 0.25]
    """

    _keras_module = _KERAS_MODULE

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step: Any) -> Any:
        initial = _float_tensor(self.initial_learning_rate)
        dtype = ops.dtype(initial)
        p = ops.cast(step, dtype) / ops.cast(self.decay_steps, dtype)
        if self.staircase:
            p = ops.floor(p)
        return initial / (ops.cast(1, dtype) + ops.cast(self.decay_rate, dtype) * p)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class CosineDecay(LearningRateSchedule):
    """Cosine decay from ``initial_learning_rate`` (or, after a linear warmup of
    ``warmup_steps`` to ``warmup_target``, from ``warmup_target``) down to
    ``alpha`` times that rate over ``decay_steps``.

    Example::

        >>> s = CosineDecay(1.0, decay_steps=4)
        >>> [round(float(s(i)), 4) for i in (0, 2, 4)]
        [1.0, 0.5, 0.0]
        >>> w = CosineDecay(0.0, decay_steps=4, warmup_target=1.0, warmup_steps=2)
        >>> [round(float(w(i)), 4) for i in (1, 2, 4)]
        [0.5, 1.0, 0.5]
    """

    _keras_module = _KERAS_MODULE

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_steps("decay_steps", decay_steps)

    def _decayed(self, step: Any, decay_steps: Any, start: Any, dtype: str) -> Any:
        pi = ops.cast(math.pi, dtype)
        cosine = 0.5 * (1.0 + ops.cos(pi * (step / decay_steps)))
        return start * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step: Any) -> Any:
        initial = _float_tensor(self.initial_learning_rate)
        dtype = ops.dtype(initial)
        decay_steps = ops.cast(self.decay_steps, dtype)
        step = ops.cast(step, dtype)
        if self.warmup_target is None:
            return self._decayed(ops.minimum(step, decay_steps), decay_steps, initial, dtype)
        target = ops.cast(self.warmup_target, dtype)
        warmup_steps = ops.cast(self.warmup_steps, dtype)
        step = ops.minimum(step, decay_steps + warmup_steps)
        # Both pieces are cheap; a select keeps the schedule free of control flow.
        # (A zero warmup never selects the warmup piece, whose 0/0 is then harmless.)
        safe_warmup = ops.maximum(warmup_steps, ops.cast(1, dtype))
        warming = (target - initial) * (step / safe_warmup) + initial
        decaying = self._decayed(step - warmup_steps, decay_steps, target, dtype)
        return ops.where(step < warmup_steps, warming, decaying)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): the first period lasts
    ``first_decay_steps``, each next one ``t_mul`` times longer and starting from
    ``m_mul`` times the previous initial rate.

    Example::

        >>> s = CosineDecayRestarts(1.0, first_decay_steps=2, t_mul=1.0)
        >>> [round(float(s(i)), 4) for i in (0, 1, 2)]
        [1.0, 0.5, 1.0]
    """

    _keras_module = _KERAS_MODULE

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: int,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_steps("first_decay_steps", first_decay_steps)

    def __call__(self, step: Any) -> Any:
        initial = _float_tensor(self.initial_learning_rate)
        dtype = ops.dtype(initial)
        alpha = ops.cast(self.alpha, dtype)
        m_mul = ops.cast(self._m_mul, dtype)
        fraction = ops.cast(step, dtype) / ops.cast(self.first_decay_steps, dtype)
        if self._t_mul == 1.0:  # a constructor argument, not a tensor: equal periods
            restart = ops.floor(fraction)
            fraction = fraction - restart
        else:
            t_mul = ops.cast(self._t_mul, dtype)
            restart = ops.floor(ops.log(1.0 - fraction * (1.0 - t_mul)) / ops.log(t_mul))
            done = (1.0 - ops.power(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - done) / ops.power(t_mul, restart)
        cosine = 0.5 * ops.power(m_mul, restart) * (1.0 + ops.cos(math.pi * fraction))
        return initial * ((1 - alpha) * cosine + alpha)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


#: Every schedule by the names configs and :func:`deserialize` use.
ALL_OBJECTS_DICT: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        LearningRateSchedule,
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict[str, Any]:
    """The Keras 3 config of a schedule.

    Example::

        >>> serialize(ExponentialDecay(0.1, 10, 0.9))["class_name"]
        'ExponentialDecay'
    """
    from kcore.saving.serialization import serialize_keras_object

    return serialize_keras_object(learning_rate_schedule)


def deserialize(config: Any, custom_objects: dict | None = None) -> LearningRateSchedule:
    """The schedule a :func:`serialize` config describes.

    Example::

        >>> deserialize(serialize(ExponentialDecay(0.1, 10, 0.9))).decay_steps
        10
    """
    from kcore.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(
        config, module_objects=ALL_OBJECTS_DICT, custom_objects=custom_objects
    )
