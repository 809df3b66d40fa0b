"""``MultiOptimizer`` and ``OptimizerMap``: different optimizers for different
variables (Keras 3's ``keras.optimizers.MultiOptimizer`` / ``OptimizerMap``).

Example::

    >>> from kcore import optimizers
    >>> opt = optimizers.MultiOptimizer(
    ...     optimizers.OptimizerMap(optimizers.SGD(), {"encoder/.*": optimizers.Adam()}))
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

from kcore.optimizers.base_optimizer import Optimizer
from kcore.optimizers.loss_scale_optimizer import LossScaleOptimizer


class OptimizerMap(MutableMapping):
    """Variable paths (exact, else regular expressions matched in full) to optimizers,
    with a default for the rest. Called with a variable, returns its optimizer.

    Args:
        default_optimizer: the optimizer of unmatched variables.
        optimizer_map: an optional dict of path or pattern to optimizer.

    Example::

        >>> m = OptimizerMap(SGD())
        >>> m["encoder/.*"] = Adam()
        >>> type(m["encoder/dense/kernel"]).__name__, type(m["head/kernel"]).__name__
        ('Adam', 'SGD')
    """

    _keras_module = "keras.optimizers"

    def __init__(self, default_optimizer: Optimizer, optimizer_map: dict | None = None) -> None:
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(
                f"default_optimizer must be a Keras Optimizer instance. Received: "
                f"{default_optimizer}"
            )
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map}")
        self._default_optimizer = default_optimizer
        self._optimizer_map: dict[str, Optimizer] = dict(optimizer_map or {})

    @property
    def default_optimizer(self) -> Optimizer:
        """The optimizer of variables no key matches."""
        return self._default_optimizer

    def __getitem__(self, key: str) -> Optimizer:
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [p for p in self._optimizer_map if re.fullmatch(p, key)]
        if len(matches) > 1:
            raise ValueError(
                f"Multiple optimizers assigned to variable {key}: patterns {matches} all match"
            )
        if matches:
            return self._optimizer_map[matches[0]]
        return self._default_optimizer

    def __setitem__(self, key: str, optimizer: Optimizer) -> None:
        if key in self._optimizer_map:
            raise ValueError(
                f"'{key}' already exists in the OptimizerMap with value "
                f"{self._optimizer_map[key]}. Please make sure to not use duplicated keys."
            )
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer must be a Keras Optimizer instance. Received: {optimizer}")
        if isinstance(optimizer, LossScaleOptimizer):
            raise ValueError("optimizer cannot be LossScaleOptimizer.")
        if isinstance(optimizer, MultiOptimizer):
            raise ValueError("optimizer cannot be MultiOptimizer.")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key: str) -> None:
        del self._optimizer_map[key]

    def __len__(self) -> int:
        return len(self._optimizer_map)

    def __iter__(self) -> Any:
        return iter(self._optimizer_map)

    def __call__(self, variable: Any) -> Optimizer:
        return self[variable.path]

    def get_config(self) -> dict[str, Any]:
        from kcore.saving.serialization import serialize_keras_object

        return {
            "default_optimizer": serialize_keras_object(self._default_optimizer),
            "optimizer_map": serialize_keras_object(self._optimizer_map),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> OptimizerMap:
        from kcore.optimizers import deserialize

        default = deserialize(config["default_optimizer"], custom_objects=custom_objects)
        mapping = {
            k: deserialize(v, custom_objects=custom_objects)
            for k, v in (config.get("optimizer_map") or {}).items()
        }
        return cls(default, mapping)


class MultiOptimizer(Optimizer):
    """Delegates each variable to the optimizer an :class:`OptimizerMap` (or any
    callable ``variable -> optimizer``) picks for it. Its :attr:`variables` are its
    step counter and unused learning rate, then each inner optimizer's.

    Args:
        optimizer_map: an :class:`OptimizerMap` or a callable.
        loss_scale_factor: set on every inner optimizer.
        name: the optimizer's name.

    Example::

        >>> opt = MultiOptimizer(lambda v: sgd if "bias" in v.path else adam)
    """

    def __init__(
        self, optimizer_map: Any, loss_scale_factor: float | None = None, name: str | None = None
    ) -> None:
        self._inner_optimizers: list[Optimizer] = []
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        candidates = list(optimizer_map.values()) if hasattr(optimizer_map, "values") else []
        default = getattr(optimizer_map, "default_optimizer", None)
        if default is not None:
            candidates.append(default)
        for opt in candidates:
            if not any(opt is o for o in self._inner_optimizers):
                opt.loss_scale_factor = loss_scale_factor
                self._inner_optimizers.append(opt)

    def _index_of(self, opt: Optimizer) -> int:
        return next(i for i, o in enumerate(self._inner_optimizers) if o is opt)

    def build(self, var_list: list) -> None:
        """Assign each variable to its optimizer and build those that got any."""
        if self.built:
            return
        var_list = list(var_list)
        self._var_to_optimizer_idx: dict[int, int] = {}
        groups: list[list] = [[] for _ in self._inner_optimizers]
        for var in var_list:
            opt = self._optimizer_map(var)
            if not isinstance(opt, Optimizer):
                raise ValueError(f"Optimizer for variable {var.path} is not an Optimizer instance.")
            if isinstance(opt, LossScaleOptimizer):
                raise ValueError("LossScaleOptimizer cannot be used inside an MultiOptimizer.")
            if isinstance(opt, MultiOptimizer):
                raise ValueError("MultiOptimizer cannot be used inside an MultiOptimizer.")
            if not any(opt is o for o in self._inner_optimizers):
                opt.loss_scale_factor = self.loss_scale_factor
                self._inner_optimizers.append(opt)
                groups.append([])
            index = self._index_of(opt)
            self._var_to_optimizer_idx[id(var)] = index
            groups[index].append(var)
        for opt, variables in zip(self._inner_optimizers, groups):
            if variables:
                opt.build(variables)
        super().build(var_list)

    @property
    def optimizers(self) -> list[Optimizer]:
        """The inner optimizers."""
        return self._inner_optimizers

    @property
    def variables(self) -> list:
        result = self._variables[:]
        for opt in self._inner_optimizers:
            result.extend(opt.variables)
        return result

    @property
    def learning_rate(self) -> Any:
        raise AttributeError(
            "Learning rate cannot be accessed on a MultiOptimizer. Access the learning rate "
            "on the individual sub-optimizers instead."
        )

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        raise AttributeError(
            "Learning rate cannot be set on a MultiOptimizer. Set the learning rate on the "
            "individual sub-optimizers instead."
        )

    @property
    def loss_scale_factor(self) -> float | None:
        return self.__dict__.get("_loss_scale_factor")

    @loss_scale_factor.setter
    def loss_scale_factor(self, value: float | None) -> None:
        self.__dict__["_loss_scale_factor"] = value
        for opt in self.__dict__.get("_inner_optimizers", ()):
            opt.loss_scale_factor = value

    def apply(self, grads: Any, trainable_variables: Any = None) -> None:
        """Split ``grads`` by optimizer and apply each group."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already "
                    "be built on a list of variables. Call "
                    "`optimizer.build(trainable_variables)` first."
                )
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        if len(grads) != len(self._trainable_variables_indices):
            raise ValueError(
                "Gradients must match trainable variables one-to-one. Received "
                f"{len(grads)} gradients and {len(self._trainable_variables_indices)} variables."
            )
        groups: list[list] = [[] for _ in self._inner_optimizers]
        for grad, var in zip(grads, trainable_variables):
            groups[self._var_to_optimizer_idx[id(var)]].append((grad, var))
        for opt, pairs in zip(self._inner_optimizers, groups):
            if pairs:
                opt.apply([g for g, _ in pairs], [v for _, v in pairs])
        self._iterations.assign_add(1)

    def finalize_variable_values(self, var_list: list) -> None:
        groups: list[list] = [[] for _ in self._inner_optimizers]
        for var in var_list:
            groups[self._var_to_optimizer_idx[id(var)]].append(var)
        for opt, variables in zip(self._inner_optimizers, groups):
            if variables:
                opt.finalize_variable_values(variables)

    def get_config(self) -> dict[str, Any]:
        from kcore.saving.serialization import serialize_keras_object

        return {
            "optimizer_map": serialize_keras_object(self._optimizer_map),
            "loss_scale_factor": self.loss_scale_factor,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> MultiOptimizer:
        from kcore.optimizers import deserialize

        config = dict(config)
        config["optimizer_map"] = deserialize(
            config["optimizer_map"], custom_objects=custom_objects
        )
        return cls(**config)
