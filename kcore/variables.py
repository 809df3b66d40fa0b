"""``kcore.Variable``: a named, mutable tensor stored in the backend's own type.

Each backend subclasses :class:`Variable` and sets how values are stored
(``_convert``, ``_to_numpy``, ``_initialize``, ``_direct_assign``): a ``jax.Array``
replaced on assignment, a ``torch.nn.Parameter`` updated in place, a
``tf.Variable``.

Reads and writes go through two scopes the Layer system uses: inside a
:class:`StatelessScope` a variable reads the value the scope maps it to and an
assignment is recorded in the scope instead of changing the variable (what
``Layer.stateless_call`` and ``jax.jit`` need); inside a layer call under a mixed
dtype policy, a float variable reads as the layer's compute dtype (autocast).

Example::

    >>> v = kcore.backend.get_backend("numpy").Variable([1.0, 2.0], name="w")
    >>> v.assign_add([1.0, 1.0]).tolist()
    [2.0, 3.0]
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from kcore.dtypes import standardize_dtype

_FLOATS = frozenset({"float16", "bfloat16", "float32", "float64"})
_AGGREGATIONS = ("none", "mean", "sum", "only_first_replica")
_SYNCHRONIZATIONS = ("auto", "none", "on_read", "on_write")


class _State(threading.local):
    """Per-thread scopes consulted by every variable read and write."""

    stateless: StatelessScope | None = None
    #: The compute dtype float variables read as inside a layer call, or None.
    autocast: str | None = None


_state = _State()


class StatelessScope:
    """Within the block, variables read the values given here and assignments are
    recorded here instead of changing the variables.

    Args:
        state_mapping: pairs ``(variable, value)``: what each variable reads.

    Example::

        >>> v = kcore.Variable(1.0)
        >>> with kcore.StatelessScope([(v, 5.0)]) as scope:
        ...     _ = v.assign_add(1.0)
        ...     float(v.value)
        6.0
        >>> float(scope.get_current_value(v)), float(v.numpy())
        (6.0, 1.0)
    """

    def __init__(
        self,
        state_mapping: Any = None,
        collect_losses: bool = False,
        initialize_variables: bool = True,
    ) -> None:
        self._values: dict[int, Any] = {}
        self._variables: dict[int, Variable] = {}
        self._updated: dict[int, Variable] = {}
        self.collect_losses = collect_losses
        self.losses: list[Any] = []
        for variable, value in state_mapping or ():
            if not isinstance(variable, Variable):
                raise ValueError(
                    "StatelessScope: state_mapping must hold (Variable, value) pairs, "
                    f"received a {type(variable).__name__} as a key"
                )
            if not (hasattr(value, "shape") and hasattr(value, "dtype")):
                value = variable._convert(value, variable.dtype)  # lists, numbers
            self._values[id(variable)] = value
            self._variables[id(variable)] = variable
        self._previous: StatelessScope | None = None

    def __enter__(self) -> StatelessScope:
        self._previous = _state.stateless
        _state.stateless = self
        return self

    def __exit__(self, *exc: Any) -> None:
        _state.stateless = self._previous

    def add_update(self, update: tuple[Variable, Any]) -> None:
        """Record ``variable.assign(value)`` for a ``(variable, value)`` pair."""
        variable, value = update
        self._values[id(variable)] = value
        self._variables[id(variable)] = variable
        self._updated[id(variable)] = variable

    def get_current_value(self, variable: Variable) -> Any:
        """The value ``variable`` reads in this scope (``None`` if the scope has none)."""
        return self._values.get(id(variable))

    def updated_variables(self) -> list[Variable]:
        """The variables assigned within the scope, in order of first assignment."""
        return list(self._updated.values())


def in_stateless_scope() -> bool:
    return _state.stateless is not None


class Variable:
    """A backend-native variable.

    Args:
        initializer: an array-like value, or a callable ``(shape, dtype) -> value``
            (then ``shape`` is required).
        shape: the shape, checked against the initial value when both are given.
        dtype: a dtype name; default: the value's own, floats becoming ``floatx()``.
        trainable: whether optimizers update it.
        autocast: whether a float variable reads as the compute dtype inside a layer
            call under a mixed dtype policy.
        aggregation: how a distributed strategy combines replicas' updates
            (``"none"``, ``"mean"``, ``"sum"``, ``"only_first_replica"``).
        synchronization: ``"auto"``, ``"none"``, ``"on_read"`` or ``"on_write"``.
        name: a name for display and saving; ``path`` adds the owning layers' names.
    """

    #: Set by ``Layer.add_weight``: applied by optimizers after each update, and
    #: counted in ``Layer.losses``.
    constraint: Any = None
    regularizer: Any = None

    def __init__(
        self,
        initializer: Any,
        shape: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        autocast: bool = True,
        aggregation: str = "none",
        synchronization: str = "auto",
        name: str | None = None,
    ) -> None:
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Variable name must be a string without '/', got {name!r}")
        if aggregation not in _AGGREGATIONS:
            raise ValueError(
                f"Variable: expected aggregation to be one of {_AGGREGATIONS}, "
                f"received aggregation={aggregation!r}"
            )
        if synchronization not in _SYNCHRONIZATIONS:
            raise ValueError(
                f"Variable: expected synchronization to be one of {_SYNCHRONIZATIONS}, "
                f"received synchronization={synchronization!r}"
            )
        self.name = name or "variable"
        self.path = self.name
        self.aggregation = aggregation
        self.synchronization = synchronization
        self.trainable = bool(trainable)
        self.autocast = bool(autocast)
        # Made with real data even when first met while a function is traced (a layer
        # built inside jax.eval_shape or tf.function).
        with self._creation_scope():
            if callable(initializer) and not hasattr(initializer, "shape"):
                if shape is None:
                    raise ValueError(
                        f"Variable '{self.name}': a callable initializer needs a shape"
                    )
                value = initializer(tuple(shape), standardize_dtype(dtype))
            else:
                value = initializer
            value = self._convert(value, None if dtype is None else standardize_dtype(dtype))
            if shape is not None and tuple(shape) != tuple(value.shape):
                raise ValueError(
                    f"Variable '{self.name}': expected shape {tuple(shape)}, "
                    f"received an initial value of shape {tuple(value.shape)}"
                )
            self._initialize(value)

    # -- what a backend subclass provides ------------------------------------
    def _creation_scope(self) -> Any:
        """A context in which the initial value is computed eagerly."""
        import contextlib

        return contextlib.nullcontext()

    def _convert(self, value: Any, dtype: str | None) -> Any:
        """Turn ``value`` into the backend's tensor type (floats default to floatx)."""
        raise NotImplementedError(f"{type(self).__name__} must define _convert")

    def _to_numpy(self, value: Any) -> np.ndarray:
        return np.asarray(value)

    def _initialize(self, value: Any) -> None:
        self._value = value

    def _direct_assign(self, value: Any) -> None:
        self._value = value

    # -- the public API ------------------------------------------------------
    @property
    def value(self) -> Any:
        """The current value, as the backend's tensor type (within a
        :class:`StatelessScope`, the scope's value; within a layer call under a mixed
        dtype policy, a float variable's value cast to the compute dtype)."""
        scope = _state.stateless
        value = self._value if scope is None else scope._values.get(id(self), self._value)
        compute_dtype = _state.autocast
        if compute_dtype is not None and self.autocast:
            stored = self._dtype_name()
            if stored != compute_dtype and stored in _FLOATS:
                from kcore import ops

                return ops.cast(value, compute_dtype)
        return value

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self._value.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def dtype(self) -> str:
        """The dtype name (inside a layer call under a mixed policy, a float variable
        reports the compute dtype it reads as)."""
        stored = self._dtype_name()
        compute_dtype = _state.autocast
        if compute_dtype is not None and self.autocast and stored in _FLOATS:
            return compute_dtype
        return stored

    def _dtype_name(self) -> str:
        return standardize_dtype(self._value.dtype)

    def numpy(self) -> np.ndarray:
        """A NumPy copy of the value."""
        scope = _state.stateless
        if scope is not None and id(self) in scope._values:
            from kcore import ops

            return np.asarray(ops.convert_to_numpy(scope._values[id(self)]))
        return self._to_numpy(self._value)

    def assign(self, value: Any) -> Any:
        """Replace the value; shape must match. Returns the new value."""
        scope = _state.stateless
        if scope is not None:
            return self._record(scope, value)
        return self._assign(value)

    def assign_add(self, value: Any) -> Any:
        """Add ``value`` to the variable. Returns the new value."""
        scope = _state.stateless
        if scope is not None:
            return self._record(scope, self.value + self._operand(value))
        return self._assign_add(value)

    def assign_sub(self, value: Any) -> Any:
        """Subtract ``value`` from the variable. Returns the new value."""
        scope = _state.stateless
        if scope is not None:
            return self._record(scope, self.value - self._operand(value))
        return self._assign_sub(value)

    def _record(self, scope: StatelessScope, value: Any) -> Any:
        if isinstance(value, Variable):
            value = value.value
        if hasattr(value, "shape") and hasattr(value, "dtype"):  # maybe traced: no copy
            from kcore import ops

            stored = self._dtype_name()
            new = value if standardize_dtype(value.dtype) == stored else ops.cast(value, stored)
        else:
            new = self._convert(value, self._dtype_name())
        if tuple(new.shape) != self.shape:
            raise ValueError(
                f"Variable '{self.name}': cannot assign a value of shape "
                f"{tuple(new.shape)} to a variable of shape {self.shape}"
            )
        scope.add_update((self, new))
        return new

    # -- how assignment is done outside a StatelessScope (backends may override) --
    def _assign(self, value: Any) -> Any:
        new = self._convert(value, self._dtype_name())
        if tuple(new.shape) != self.shape:
            raise ValueError(
                f"Variable '{self.name}': cannot assign a value of shape "
                f"{tuple(new.shape)} to a variable of shape {self.shape}"
            )
        self._direct_assign(new)
        return self._value

    def _assign_add(self, value: Any) -> Any:
        return self._assign(self._value + self._convert(value, self._dtype_name()))

    def _assign_sub(self, value: Any) -> Any:
        return self._assign(self._value - self._convert(value, self._dtype_name()))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if _state.autocast is not None or _state.stateless is not None:
            from kcore import ops

            array = np.asarray(ops.convert_to_numpy(self.value))
        else:
            array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __repr__(self) -> str:
        try:
            value = repr(self.numpy())
        except Exception:  # a traced value (inside jax.jit or a stateless call)
            value = "<traced>"
        return (
            f"<Variable path={self.path}, shape={self.shape}, dtype={self._dtype_name()}, "
            f"value={value}>"
        )

    def __len__(self) -> int:
        return self.shape[0]

    def __bool__(self) -> bool:
        return bool(self.numpy())

    def __float__(self) -> float:
        return float(self.numpy())

    def __int__(self) -> int:
        return int(self.numpy())

    def _operand(self, other: Any) -> Any:
        if isinstance(other, Variable):
            return other.value
        if isinstance(other, list | tuple):  # frameworks don't broadcast Python lists
            return self._convert(other, None)
        return other

    def __getitem__(self, index: Any) -> Any:
        return self.value[index]

    def __neg__(self) -> Any:
        return -self.value

    def __pos__(self) -> Any:
        return self.value

    def __abs__(self) -> Any:
        return abs(self.value)

    def __invert__(self) -> Any:
        return ~self.value


def _binary(name: str, reflected: bool) -> Any:
    def method(self: Variable, other: Any) -> Any:
        # The operators of the backend's tensor type: a plain tensor results, as in Keras.
        if reflected:
            return getattr(self._operand(other), f"__{name}__")(self.value)
        return getattr(self.value, f"__{name}__")(self._operand(other))

    method.__name__ = f"__r{name}__" if reflected else f"__{name}__"
    return method


def _reflected(name: str) -> Any:
    def method(self: Variable, other: Any) -> Any:
        import operator

        return getattr(operator, name)(self._operand(other), self.value)

    method.__name__ = f"__r{name}__"
    return method


for _name in (
    "add",
    "sub",
    "mul",
    "truediv",
    "floordiv",
    "mod",
    "pow",
    "matmul",
    "and",
    "or",
    "xor",
):
    setattr(Variable, f"__{_name}__", _binary(_name, False))
    setattr(Variable, f"__r{_name}__", _reflected(_name))
for _name in ("lt", "le", "gt", "ge", "eq", "ne"):
    setattr(Variable, f"__{_name}__", _binary(_name, False))
Variable.__hash__ = object.__hash__  # __eq__ compares values; identity keeps dict keys
