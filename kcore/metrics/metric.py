"""``kcore.metrics.Metric``: the base of every metric (Keras 3's ``keras.metrics.Metric``).

A metric keeps its running state in non-trainable variables made with
:meth:`Metric.add_variable`. ``update_state`` folds a batch into that state, ``result``
reads the value, ``reset_state`` starts over. The stateless API runs the same code on
values instead of variables (inside a :class:`~kcore.StatelessScope`), which is what a
function compiled by ``jax.jit`` needs.

Example::

    >>> class Count(Metric):
    ...     def __init__(self, name="count", dtype=None):
    ...         super().__init__(name=name, dtype=dtype)
    ...         self.n = self.add_variable(shape=(), initializer="zeros", name="n")
    ...     def update_state(self, values):
    ...         self.n.assign_add(kcore.ops.cast(kcore.ops.size(values), self.dtype))
    ...     def result(self):
    ...         return self.n.value
    >>> m = Count()
    >>> float(m([1, 2, 3]))
    3.0
"""

from __future__ import annotations

from typing import Any

from kcore import backend as _backend_module
from kcore import ops
from kcore.variables import StatelessScope, Variable


def _unique_name(cls: type) -> str:
    # Shares the per-process name counters with layers, as Keras's auto_name does.
    from kcore.layers.layer import snake_case, unique_name

    return unique_name(snake_case(cls.__name__))


class Metric:
    """Encapsulates metric logic and state.

    Args:
        dtype: the dtype of the metric's computations and result (default:
            ``kcore.config.floatx()``); a ``DTypePolicy`` gives its compute dtype.
        name: the metric's name (default: the snake-case class name, made unique).

    A subclass makes its state in ``__init__`` with :meth:`add_variable`, changes it in
    ``update_state`` (``self.v.assign(...)``, without Python branching on tensor values
    so the update traces under ``jax.jit`` and ``tf.function``) and computes
    ``result()`` from it.

    Example::

        >>> m = kcore.metrics.Mean()
        >>> m.update_state([1.0, 3.0])
        >>> float(m.result())
        2.0
    """

    def __init__(self, dtype: Any = None, name: str | None = None) -> None:
        from kcore import config, dtype_policies

        object.__setattr__(self, "_variables", [])
        object.__setattr__(self, "_metrics", [])
        self.name = name or _unique_name(type(self))
        self._dtype_policy = dtype_policies.get(dtype or config.floatx())
        self._dtype = self._dtype_policy.compute_dtype

    # -- attribute tracking ---------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if "_variables" in self.__dict__:
            items = value if isinstance(value, list | tuple) else (value,)
            for item in items:
                if isinstance(item, Variable):
                    if not any(v is item for v in self._variables):
                        self._variables.append(item)
                elif isinstance(item, Metric) and item is not self:
                    if not any(m is item for m in self._metrics):
                        self._metrics.append(item)
        object.__setattr__(self, name, value)

    def _check_super_called(self) -> None:
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: expected super().__init__() to be called in "
                "__init__() before the metric is used or makes variables; add "
                "super().__init__(name=name, dtype=dtype) at the top of __init__()"
            )

    # -- state ------------------------------------------------------------------
    def add_variable(
        self,
        shape: Any,
        initializer: Any,
        dtype: Any = None,
        aggregation: str = "sum",
        name: str | None = None,
    ) -> Variable:
        """Make a non-trainable state variable owned by this metric.

        Args:
            shape: the variable's shape.
            initializer: an initializer or its name (``"zeros"``).
            dtype: the variable's dtype (default: ``kcore.config.floatx()``).
            aggregation: how distributed replicas combine it (``"sum"``...).
            name: the variable's name; its ``path`` is ``"<metric name>/<name>"``.

        Example::

            >>> self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        """
        from kcore import config, initializers

        self._check_super_called()
        variable = _backend_module.current().Variable(
            initializers.get(initializer),
            shape=() if shape is None else tuple(shape),
            dtype=dtype or config.floatx(),
            trainable=False,
            aggregation=aggregation,
            synchronization="on_read",
            name=name or "variable",
        )
        variable.path = f"{self.name.replace('/', '>')}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_weight(
        self, shape: Any = (), initializer: Any = None, dtype: Any = None, name: str | None = None
    ) -> Variable:
        """Same as :meth:`add_variable` (Keras keeps both names); ``initializer``
        defaults to ``"zeros"``.

        Example::

            >>> self.total = self.add_weight(name="total")
        """
        return self.add_variable(
            shape=shape, initializer=initializer or "zeros", dtype=dtype, name=name
        )

    @property
    def variables(self) -> list[Variable]:
        """The metric's state variables, then those of metrics held in its attributes."""
        found = list(self._variables)
        for metric in self._metrics:
            for variable in metric.variables:
                if not any(v is variable for v in found):
                    found.append(variable)
        return found

    @property
    def dtype(self) -> str:
        """The dtype the metric computes in."""
        return self._dtype

    # -- the stateful API -----------------------------------------------------------
    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Fold a batch into the state (subclasses implement it)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement update_state(); it accumulates "
            "statistics into the variables made with add_variable()"
        )

    def result(self) -> Any:
        """The metric's value: a scalar tensor or a dict of them (subclasses implement
        it)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement result(); it computes the value "
            "from the metric's variables"
        )

    def reset_state(self) -> None:
        """Set every state variable back to zeros (called between epochs).

        Example::

            >>> m.reset_state()
        """
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``update_state(*args, **kwargs)`` then ``result()``."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    # -- the stateless API ------------------------------------------------------------
    def _mapping(self, metric_variables: Any, method: str) -> list[tuple[Variable, Any]]:
        own = self.variables
        if len(metric_variables) != len(own):
            raise ValueError(
                f"{type(self).__name__}.{method}: expected metric_variables to hold "
                f"{len(own)} values, one per variable of metric.variables (in that "
                f"order); received {len(metric_variables)}"
            )
        return list(zip(own, metric_variables))

    def stateless_update_state(self, metric_variables: Any, *args: Any, **kwargs: Any) -> list:
        """``update_state`` on values: returns the new values of ``metric_variables``
        (one per :attr:`variables`), changing no variable.

        Example::

            >>> values = [v.value for v in m.variables]
            >>> values = m.stateless_update_state(values, y_true, y_pred)
            >>> m.stateless_result(values)
        """
        mapping = self._mapping(metric_variables, "stateless_update_state")
        with StatelessScope(mapping) as scope:
            self.update_state(*args, **kwargs)
        # self.variables again: a metric built on its first update (F1Score, R2Score...)
        # has made its variables within the scope, and returns their values too.
        return self._values_in(scope)

    def stateless_result(self, metric_variables: Any) -> Any:
        """``result()`` computed from the values ``metric_variables``.

        Example::

            >>> m.stateless_result([v.value for v in m.variables])
        """
        mapping = self._mapping(metric_variables, "stateless_result")
        with StatelessScope(mapping):
            return self.result()

    def stateless_reset_state(self) -> list:
        """The values :meth:`reset_state` would give the variables, changing none.

        Example::

            >>> values = m.stateless_reset_state()
        """
        with StatelessScope() as scope:
            self.reset_state()
        return self._values_in(scope)

    def _values_in(self, scope: StatelessScope) -> list:
        """Each variable's value in ``scope`` (its own value where the scope has none)."""
        values = []
        for variable in self.variables:
            value = scope.get_current_value(variable)
            values.append(variable.value if value is None else value)
        return values

    # -- serialization --------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments: ``name`` and ``dtype`` here; subclasses add theirs.

        Example::

            >>> kcore.metrics.Mean(name="m").get_config()
            {'name': 'm', 'dtype': 'float32'}
        """
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """The metric :meth:`get_config` describes.

        Example::

            >>> kcore.metrics.Mean.from_config({"name": "m", "dtype": "float32"}).name
            'm'
        """
        return cls(**config)

    def _obj_type(self) -> str:
        return "Metric"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__
