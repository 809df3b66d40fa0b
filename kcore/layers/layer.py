"""``kcore.layers.Layer``: the base of every layer and model.

A layer owns variables (made in ``build`` with :meth:`Layer.add_weight`), runs ``call``
on tensors of the selected backend, and, called on :class:`~kcore.KerasTensor` inputs,
records a node of the functional graph instead. It is written once against
``kcore.ops``; what a backend adds (torch: a ``torch.nn.Module``) comes from the
backend's ``layer_mixin``, which ``Layer`` derives from.

Example::

    >>> class Scale(kcore.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
    ...     def call(self, x):
    ...         return x * self.w
    >>> layer = Scale()
    >>> kcore.ops.convert_to_numpy(layer(kcore.ops.ones((2, 3)))).shape
    (2, 3)
    >>> [w.path for w in layer.weights]
    ['scale/variable']
"""

from __future__ import annotations

import inspect
import math
import re
import threading
from typing import Any

from kcore import _tree
from kcore import backend as _backend_module
from kcore import ops as _ops_module
from kcore.dtypes import standardize_dtype
from kcore.keras_tensor import KerasTensor
from kcore.layers.input_spec import assert_input_compatibility
from kcore.random import SeedGenerator
from kcore.variables import StatelessScope, Variable, _state

_FLOATS = frozenset({"float16", "bfloat16", "float32", "float64"})


# ----------------------------------------------------------------------------- names
_name_counts: dict[str, int] = {}


def unique_name(prefix: str) -> str:
    """``prefix``, then ``prefix_1``, ``prefix_2``... (counted per process)."""
    count = _name_counts.get(prefix, 0)
    _name_counts[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


# ----------------------------------------------------------------------- call context
class _CallContext(threading.local):
    #: The ``training`` value of the outermost layer call in progress (None: none).
    training: Any = None
    #: Depth of nested layer calls (0: no call in progress).
    depth: int = 0
    #: Name scope of layers being built, for variable paths.
    scope: tuple[str, ...] = ()


_context = _CallContext()


# --------------------------------------------------------------------- class summary
class _CallInfo:
    """What ``call``'s signature says, read once per class (not per call)."""

    __slots__ = (
        "training",
        "mask",
        "training_default",
        "names",
        "build_args",
        "computes_mask",
        "masks_of",
    )

    def __init__(self, cls: type) -> None:
        params = list(inspect.signature(cls.call).parameters.values())[1:]
        names = [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        by_name = {p.name: p for p in params}
        self.names = names
        self.training = "training" in by_name
        self.mask = "mask" in by_name
        default = by_name["training"].default if self.training else None
        self.training_default = None if default is inspect.Parameter.empty else default
        build = list(inspect.signature(cls.build).parameters.values())[1:]
        self.build_args = [p.name for p in build]
        self.computes_mask = cls.compute_mask is not Layer.compute_mask
        #: (argument, its mask parameter) pairs such as ("query", "query_mask"): the
        #: mask of a tensor passed as ``query`` fills ``query_mask`` (as in Keras).
        self.masks_of = tuple(
            (name[: -len("_mask")], name)
            for name in names
            if name.endswith("_mask") and name[: -len("_mask")] in names
        )


_call_infos: dict[type, _CallInfo] = {}


def _call_info(cls: type) -> _CallInfo:
    info = _call_infos.get(cls)
    if info is None:
        info = _call_infos[cls] = _CallInfo(cls)
    return info


#: Layers belong to the selected backend, loaded once here; its layer_mixin (torch:
#: torch.nn.Module) is a base of Layer.
_BACKEND = _backend_module.current()
_BASE = _BACKEND.layer_mixin or object
#: ids of layers holding losses from their last call: a call clears its layers' only
#: when there are any, so the common case walks nothing.
_layers_with_losses: set[int] = set()
_cast = _ops_module.cast


_ALLOWED_KWARGS = frozenset({"input_shape", "batch_input_shape", "batch_size", "input_dim"})


def _is_tensor_like(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, str | bytes)


def _shape_of(x: Any) -> Any:
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    try:
        return tuple(None if d is None else int(d) for d in shape)
    except TypeError:  # TF's unknown dimensions
        return tuple(shape.as_list())


class Layer(_BASE):  # type: ignore[misc, valid-type]
    """The base class of layers: state (variables) plus computation (``call``).

    Args:
        activity_regularizer: a regularizer applied to the layer's outputs; its value
            is added to ``losses``.
        trainable: whether the layer's variables are trained.
        dtype: the dtype policy: ``"float32"``, ``"mixed_float16"``,
            ``"mixed_bfloat16"``, a :class:`kcore.dtype_policies.DTypePolicy`, or
            ``None`` for the global one (:func:`kcore.config.dtype_policy`).
        autocast: whether float inputs and variables are cast to the compute dtype.
        name: the layer's name (default: the class name in snake case, made unique).

    Subclasses override ``build(input_shape)`` to make variables, ``call(inputs,
    ...)`` for the computation, and ``get_config()`` when ``__init__`` takes
    arguments that are not plain Python values.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_kcore_marks_built", False):
            # As in Keras, a layer is built once its build() returns, also when build()
            # is called directly.
            def marked_build(self: Layer, *args: Any, **kw: Any) -> Any:
                result = build(self, *args, **kw)
                self.built = True
                return result

            marked_build.__name__ = build.__name__
            marked_build.__qualname__ = build.__qualname__
            marked_build.__doc__ = build.__doc__
            marked_build.__wrapped__ = build  # type: ignore[attr-defined]
            marked_build._kcore_marks_built = True  # type: ignore[attr-defined]
            cls.build = marked_build  # type: ignore[method-assign]

    def __new__(cls, *args: Any, **kwargs: Any) -> Layer:
        obj = super().__new__(cls)
        object.__setattr__(obj, "_kcore_attrs", {})
        object.__setattr__(obj, "_kcore_untracked", set())
        pre_init = getattr(obj, "_kcore_pre_init", None)
        if pre_init is not None:
            pre_init()
        # Arguments that are plain values make the default get_config (as in Keras).
        try:
            signature = inspect.signature(cls.__init__)
            bound = signature.bind(None, *args, **kwargs)
            arguments: dict[str, Any] = {}
            for key, value in list(bound.arguments.items())[1:]:
                if signature.parameters[key].kind is inspect.Parameter.VAR_KEYWORD:
                    arguments.update(value)
                elif signature.parameters[key].kind is not inspect.Parameter.VAR_POSITIONAL:
                    arguments[key] = value
            for key in _BASE_ARGS:
                arguments.pop(key, None)
            _tree.map_structure(_check_plain, arguments)
            object.__setattr__(obj, "_auto_config", arguments)
        except (TypeError, ValueError):
            object.__setattr__(obj, "_auto_config", None)
        return obj

    def __init__(
        self,
        *,
        activity_regularizer: Any = None,
        trainable: bool = True,
        dtype: Any = None,
        autocast: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        from kcore import dtype_policies, regularizers

        unknown = set(kwargs) - _ALLOWED_KWARGS
        if unknown:
            raise TypeError(
                f"{type(self).__name__}: unrecognized keyword arguments {sorted(unknown)}"
            )
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(
                f"{type(self).__name__}: name must be a string without '/', received {name!r}"
            )
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self._dtype_policy = dtype_policies.get(dtype)
        self._autocast = bool(autocast)
        self._update_casts()
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.built = False
        self.input_spec: Any = None
        self.supports_masking = getattr(self, "supports_masking", False)
        self._own_variables: list[Variable] = []
        self._losses: list[Any] = []
        self._inbound_nodes: list[Any] = []
        self._build_shapes: dict[str, Any] | None = None
        self._call_info = _call_info(type(self))
        self._convert_inputs = True
        batch_shape = kwargs.get("batch_input_shape")
        if batch_shape is None and "input_shape" in kwargs:
            batch_shape = (kwargs.get("batch_size"), *tuple(kwargs["input_shape"]))
        if batch_shape is None and "input_dim" in kwargs:
            batch_shape = (kwargs.get("batch_size"), kwargs["input_dim"])
        self._input_shape_arg = None if batch_shape is None else tuple(batch_shape)

    # ------------------------------------------------------------------ tracking
    def __setattr__(self, name: str, value: Any) -> None:
        attrs = self.__dict__.get("_kcore_attrs")
        if attrs is None:
            raise RuntimeError(
                f"{type(self).__name__}: set attributes after calling super().__init__()"
            )
        if not name.startswith("__"):
            attrs[name] = None
            if isinstance(value, Variable):
                self._track_variable(value)
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        self._kcore_attrs.pop(name, None)
        super().__delattr__(name)

    def _track_variable(self, variable: Variable) -> None:
        own = self.__dict__.get("_own_variables")
        if own is None or any(v is variable for v in own):
            return
        own.append(variable)
        if not hasattr(variable, "_kcore_trainable_weight"):
            # Freezing and unfreezing the layer only toggles weights made trainable.
            variable._kcore_trainable_weight = variable.trainable
        track = getattr(self, "_kcore_track_variable", None)
        if track is not None:
            track(variable)

    def _tracked_values(self) -> list[Any]:
        values = []
        for name in list(self._kcore_attrs):
            if name in self._kcore_untracked:
                continue
            try:
                values.append(getattr(self, name))
            except AttributeError:
                continue
        return values

    def _sublayers(self) -> list[Layer]:
        """The layers held in attributes (directly or in lists, tuples and dicts), in
        order of assignment, each once."""
        found: list[Layer] = []
        seen = {id(self)}

        def visit(value: Any) -> None:
            if isinstance(value, Layer):
                if id(value) not in seen:
                    seen.add(id(value))
                    found.append(value)
            elif isinstance(value, list | tuple):
                for item in value:
                    visit(item)
            elif isinstance(value, dict):
                for item in value.values():
                    visit(item)

        for value in self._tracked_values():
            if not isinstance(value, Variable):
                visit(value)
        return found

    def _named_sublayers(self) -> list[tuple[str, Layer]]:
        """``(attribute path, layer)`` for :meth:`_sublayers`: ``"dense"``,
        ``"blocks_0"`` for a list item, ``"heads_query"`` for a dict value."""
        named: list[tuple[str, Layer]] = []
        seen = {id(self)}

        def visit(path: str, value: Any) -> None:
            if isinstance(value, Layer):
                if id(value) not in seen:
                    seen.add(id(value))
                    named.append((path, value))
            elif isinstance(value, list | tuple):
                for index, item in enumerate(value):
                    visit(f"{path}_{index}", item)
            elif isinstance(value, dict):
                for key, item in value.items():
                    visit(f"{path}_{key}", item)

        for name in list(self._kcore_attrs):
            if name in self._kcore_untracked:
                continue
            value = getattr(self, name, None)
            if not isinstance(value, Variable):
                visit(name.lstrip("_") or name, value)
        return named

    def _flatten_layers(self, include_self: bool = True, recursive: bool = True) -> list[Layer]:
        layers: list[Layer] = [self] if include_self else []
        seen = {id(self)}
        stack = list(reversed(self._sublayers()))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            layers.append(layer)
            if recursive:
                stack.extend(reversed(layer._sublayers()))
        return layers

    def _seed_generators(self) -> list[SeedGenerator]:
        found: list[SeedGenerator] = []
        for value in self._tracked_values():
            for item in _tree.flatten(value) if isinstance(value, list | tuple | dict) else [value]:
                if isinstance(item, SeedGenerator) and all(item is not g for g in found):
                    found.append(item)
        return found

    # ------------------------------------------------------------------- weights
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        self._trainable = value
        for variable in self._own_variables:
            if getattr(variable, "_kcore_trainable_weight", True):
                variable.trainable = value
        for layer in self._sublayers():
            layer.trainable = value

    def _own_weights(self) -> list[Variable]:
        """Own weights as Keras orders them: those made trainable, then the others."""
        own = [v for v in self._own_variables if not getattr(v, "_kcore_seed_state", False)]
        made_trainable = [v for v in own if getattr(v, "_kcore_trainable_weight", v.trainable)]
        return made_trainable + [v for v in own if all(v is not w for w in made_trainable)]

    @property
    def weights(self) -> list[Variable]:
        """The weights of this layer, then of each sublayer in order (seed states
        excluded), as Keras 3 orders them."""
        out = list(self._own_weights())
        for layer in self._sublayers():
            out.extend(layer.weights)
        return _unique(out)

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self._trainable:
            return []
        return [v for v in self.weights if v.trainable]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if not self._trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    @property
    def variables(self) -> list[Variable]:
        """Every variable: the weights and the random-seed states."""
        out = list(self._own_weights())
        out.extend(g.state for g in self._seed_generators())
        for layer in self._sublayers():
            out.extend(layer.variables)
        return _unique(out)

    @property
    def trainable_variables(self) -> list[Variable]:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list[Variable]:
        if not self._trainable:
            return self.variables
        return [v for v in self.variables if not v.trainable]

    def _seed_states(self) -> list[Variable]:
        states = [g.state for g in self._seed_generators()]
        for layer in self._sublayers():
            states.extend(layer._seed_states())
        return states

    def add_weight(
        self,
        shape: Any = None,
        initializer: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer: Any = None,
        constraint: Any = None,
        aggregation: str = "none",
        overwrite_with_gradient: bool = False,
        name: str | None = None,
    ) -> Variable:
        """Make a variable owned by this layer.

        ``initializer`` defaults to ``"glorot_uniform"`` for floats and ``"zeros"``
        otherwise; ``dtype`` to the policy's variable dtype.
        """
        from kcore import constraints, initializers, regularizers

        shape = () if shape is None else tuple(shape)
        for dim in shape:
            if dim is None or isinstance(dim, bool) or not isinstance(dim, int) or dim < 0:
                raise ValueError(
                    f"Layer '{self.name}': add_weight expected a shape of non-negative "
                    f"ints, received shape={shape} for weight {name!r}"
                )
        dtype = standardize_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype in _FLOATS else "zeros"
        initializer = initializers.get(initializer)
        variable = _BACKEND.Variable(
            initializer,
            shape=shape,
            dtype=dtype,
            trainable=trainable,
            autocast=autocast,
            aggregation=aggregation,
            name=name or "variable",
        )
        scope = _context.scope
        owner = scope if scope and scope[-1] == self.name else (*scope, self.name)
        variable.path = "/".join((*owner, variable.name))
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        variable.overwrite_with_gradient = overwrite_with_gradient
        self._track_variable(variable)
        return variable

    def add_variable(
        self,
        shape: Any,
        initializer: Any,
        dtype: Any = None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer: Any = None,
        constraint: Any = None,
        name: str | None = None,
    ) -> Variable:
        """Same as :meth:`add_weight` (Keras keeps both names)."""
        return self.add_weight(
            shape=shape,
            initializer=initializer,
            dtype=dtype,
            trainable=trainable,
            autocast=autocast,
            regularizer=regularizer,
            constraint=constraint,
            name=name,
        )

    def get_weights(self) -> list[Any]:
        """The weights' values as NumPy arrays."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Assign NumPy arrays to the weights, in the order of :attr:`weights`."""
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(
                f"Layer '{self.name}': set_weights expected {len(mine)} arrays, "
                f"received {len(weights)}"
            )
        for variable, value in zip(mine, weights):
            shape = tuple(getattr(value, "shape", ()))
            if shape != variable.shape:
                raise ValueError(
                    f"Layer '{self.name}': weight {variable.path} expects shape "
                    f"{variable.shape}, received an array of shape {shape}"
                )
            variable.assign(value)

    def save_own_variables(self, store: Any) -> None:
        """Write this layer's own weights (not its sublayers') to ``store``, a dict-like,
        as ``"0"``, ``"1"``... in the order Keras 3 uses: trainable first. Override it
        (with :meth:`load_own_variables`) to save other state.

        Example::

            >>> store = {}
            >>> dense = kcore.layers.Dense(2); dense.build((None, 3))
            >>> dense.save_own_variables(store); sorted(store)
            ['0', '1']
        """
        for index, variable in enumerate(self._own_weights()):
            store[str(index)] = variable.numpy()

    def load_own_variables(self, store: Any) -> None:
        """Assign the weights :meth:`save_own_variables` wrote. Every value is checked
        (count, shape, dtype) before any is assigned, so a mismatch leaves the layer as
        it was and raises a ``ValueError`` naming the layer and the weight.

        Example::

            >>> other = kcore.layers.Dense(2); other.build((None, 3))
            >>> other.load_own_variables(store)
        """
        variables = self._own_weights()
        values = _checked_own_values(self, variables, store)
        for variable, value in zip(variables, values):
            variable.assign(value)

    def count_params(self) -> int:
        """The number of scalars in the weights."""
        if not self.built:
            raise ValueError(
                f"Layer '{self.name}' is not built yet: call it on data or call "
                "build(input_shape) before count_params()"
            )
        return sum(math.prod(v.shape) for v in self.weights)

    # ------------------------------------------------------------------- dtypes
    @property
    def dtype_policy(self) -> Any:
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value: Any) -> None:
        from kcore import dtype_policies

        self._dtype_policy = dtype_policies.get(value)
        self._update_casts()

    @property
    def dtype(self) -> str:
        """The variable dtype (as in Keras)."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    @property
    def input_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    @property
    def quantization_mode(self) -> None:
        return None

    @property
    def path(self) -> str:
        return self.name

    # -------------------------------------------------------------------- build
    def build(self, input_shape: Any) -> None:
        """Make the layer's variables for inputs of ``input_shape`` (override it)."""
        self.built = True

    def _maybe_build(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if self.built:
            return
        info = self._call_info
        shapes: dict[str, Any] = {}
        if len(info.build_args) > 1 and all(a.endswith("_shape") for a in info.build_args):
            by_name = dict(zip(info.names, args))
            by_name.update(kwargs)
            for arg in info.build_args:
                value = by_name.get(arg[: -len("_shape")])
                shapes[arg] = None if value is None else _tree.map_structure(_shape_of, value)
        else:
            first = args[0] if args else next(iter(kwargs.values()), None)
            shapes[info.build_args[0] if info.build_args else "input_shape"] = (
                _tree.map_structure(_shape_of, first) if first is not None else None
            )
        if self.input_spec is not None and args:
            assert_input_compatibility(self.input_spec, args[0], self.name)
        _context.scope = (*_context.scope, self.name)
        try:
            if type(self).build is Layer.build:
                self.built = True
            elif len(shapes) == 1:
                self.build(next(iter(shapes.values())))
            else:
                self.build(**shapes)
        finally:
            _context.scope = _context.scope[:-1]
        self.built = True
        self._build_shapes = shapes
        self._post_build()

    def _post_build(self) -> None:
        track = getattr(self, "_kcore_track_layers", None)
        if track is not None:
            track(self._named_sublayers())

    def get_build_config(self) -> dict[str, Any] | None:
        """The input shapes the layer was built for (saved with its config)."""
        if not self._build_shapes:
            return None
        shapes = {k: _listify(v) for k, v in self._build_shapes.items()}
        return {"input_shape": next(iter(shapes.values()))} if len(shapes) == 1 else shapes

    def build_from_config(self, config: dict[str, Any]) -> None:
        """Build from :meth:`get_build_config`'s result."""
        if not config:
            return
        if "input_shape" in config and len(config) == 1:
            self._build_with_shapes({"input_shape": config["input_shape"]})
        else:
            self._build_with_shapes(config)

    def _build_with_shapes(self, shapes: dict[str, Any]) -> None:
        shapes = {k: _tupleize(v) for k, v in shapes.items()}
        _context.scope = (*_context.scope, self.name)
        try:
            if len(shapes) == 1:
                self.build(next(iter(shapes.values())))
            else:
                self.build(**shapes)
        finally:
            _context.scope = _context.scope[:-1]
        self.built = True
        self._build_shapes = shapes
        self._post_build()

    # --------------------------------------------------------------------- call
    def call(self, *args: Any, **kwargs: Any) -> Any:
        """The computation (override it)."""
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not define call(): subclasses of Layer "
            "override call(self, inputs, ...)"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # The eager path is a hot path (every layer, every step): flags are read from
        # attributes set once, and nothing here walks the layer tree unless a loss
        # was added.
        info = self._call_info
        first = args[0] if args else (next(iter(kwargs.values())) if kwargs else None)
        if first.__class__ is KerasTensor or _has_symbolic(first, args, kwargs):
            return self._symbolic_call(args, kwargs)
        if self._convert_inputs and args:
            converted = self._convert_one(first) if _BACKEND.is_tensor(first) else None
            if converted is None:
                args = self._converted(args)
            elif converted is not first:
                args = (converted, *args[1:])
        if not self.built:
            self._maybe_build(args, kwargs)
        elif self.input_spec is not None and args:
            assert_input_compatibility(self.input_spec, args[0], self.name)
        # training: the argument, else the enclosing call's, else call's default.
        context = _context
        outer_training = context.training
        if info.training:
            training = kwargs.get("training")
            if training is None:
                training = outer_training if outer_training is not None else info.training_default
                if training is not None:
                    kwargs["training"] = training
        else:
            training = kwargs.pop("training", None) if "training" in kwargs else None
            if training is None:
                training = outer_training
        if info.mask and args and kwargs.get("mask") is None:
            mask = _mask_of(args[0])
            if mask is not None:
                kwargs["mask"] = mask
        if info.masks_of:
            _fill_argument_masks(info, args, kwargs, _mask_of)
        depth = context.depth
        if depth == 0 and _layers_with_losses:
            self._clear_losses()
        state = _state
        previous_autocast = state.autocast
        context.depth = depth + 1
        context.training = training
        state.autocast = self._variable_autocast
        try:
            outputs = self.call(*args, **kwargs)
        finally:
            context.depth = depth
            context.training = outer_training
            state.autocast = previous_autocast
        if self.activity_regularizer is not None:
            for output in _tree.flatten(outputs):
                self.add_loss(self.activity_regularizer(output))
        if self.supports_masking or info.computes_mask:
            previous = kwargs.get("mask", _mask_of(args[0]) if args else None)
            _attach_mask(outputs, self.compute_mask(args[0] if args else None, previous))
        return outputs

    @property
    def autocast(self) -> bool:
        """Whether float inputs (and float variables, under a mixed policy) are cast
        to the compute dtype in ``call``."""
        return self._autocast

    @autocast.setter
    def autocast(self, value: bool) -> None:
        self._autocast = bool(value)
        self._update_casts()

    def _update_casts(self) -> None:
        # Read on every call, so worked out once per policy change.
        policy = self._dtype_policy
        compute = policy.compute_dtype
        self._input_cast = compute if self._autocast else None
        self._variable_autocast = (
            compute if self._autocast and compute != policy.variable_dtype else None
        )

    def _converted(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        """Args with NumPy arrays and Python numbers made tensors, and float tensors
        cast to the compute dtype (only the first argument's structure is touched)."""
        first = args[0]
        if isinstance(first, list | tuple | dict):
            converted = _tree.map_structure(self._convert_one, first)
        else:
            converted = self._convert_one(first)
        if converted is first:
            return args
        return (converted, *args[1:])

    def _convert_one(self, x: Any) -> Any:
        backend = _BACKEND
        if backend.is_tensor(x):
            compute = self._input_cast
            if compute is not None:
                name = _dtype_name(x)
                if name != compute and name in _FLOATS:
                    return _cast(x, compute)
            return x
        if x is None or isinstance(x, str | bytes):
            return x
        if isinstance(x, Variable):
            return self._convert_one(x.value)
        if _is_tensor_like(x) or isinstance(x, int | float | list):
            dtype = getattr(x, "dtype", None)
            name = standardize_dtype(dtype) if dtype is not None else None
            if name in _FLOATS and self.autocast:
                name = self.compute_dtype
            return backend.convert_to_tensor(x, dtype=name if name in _FLOATS else None)
        return x

    def _symbolic_call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        from kcore.layers.node import Node

        if self.input_spec is not None and args:
            assert_input_compatibility(self.input_spec, args[0], self.name)
        if not self.built:
            self._maybe_build(args, kwargs)
        info = self._call_info
        call_kwargs = dict(kwargs)
        if info.mask and call_kwargs.get("mask") is None and args:
            mask = _mask_of(args[0])
            if mask is not None:
                call_kwargs["mask"] = mask
        outer = _context.training
        if info.training and call_kwargs.get("training") is None and outer is not None:
            call_kwargs["training"] = outer
        previous_autocast = _state.autocast
        compute_dtype = self._dtype_policy.compute_dtype
        _state.autocast = (
            compute_dtype if self.autocast and compute_dtype != self.variable_dtype else None
        )
        depth = _context.depth
        _context.depth = depth + 1
        try:
            outputs = self.compute_output_spec(*args, **call_kwargs)
        finally:
            _context.depth = depth
            _state.autocast = previous_autocast
        if self.supports_masking or type(self).compute_mask is not Layer.compute_mask:
            previous = call_kwargs.get("mask", _mask_of(args[0]) if args else None)
            mask = self.compute_mask(args[0] if args else None, previous)
        else:
            mask = None
        outputs = _tree.map_structure(_fresh_keras_tensor, outputs)
        Node(self, args, kwargs, outputs)
        if mask is not None:
            _attach_mask(outputs, mask)
        return outputs

    def symbolic_call(self, *args: Any, **kwargs: Any) -> Any:
        """Call on KerasTensors: record a node and return the symbolic outputs."""
        return self._symbolic_call(args, kwargs)

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """The KerasTensors ``call`` returns for symbolic inputs: from
        ``compute_output_shape`` when the class defines it, else by abstract
        evaluation of ``call`` on the backend (variables keep their values)."""
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            shapes = _tree.map_structure(
                lambda x: _shape_of(x) if isinstance(x, KerasTensor) else x, args
            )
            shape_kwargs = {
                k: _tree.map_structure(_shape_of, v)
                for k, v in kwargs.items()
                if k not in ("training", "mask") and _is_tensor_structure(v)
            }
            try:
                result = self.compute_output_shape(*shapes, **shape_kwargs)
            except TypeError:
                result = self.compute_output_shape(*shapes)
            return _shapes_to_specs(result, self.compute_dtype)
        with StatelessScope():
            return _BACKEND.compute_output_spec(self.call, *args, **kwargs)

    def compute_output_shape(self, *args: Any, **kwargs: Any) -> Any:
        """The output shape for ``input_shape`` (default: from abstract evaluation)."""
        specs = [_shapes_to_specs(arg, self.compute_dtype) for arg in args]
        out = self.compute_output_spec(*specs, **kwargs)
        return _tree.map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else t, out)

    def compute_mask(self, inputs: Any, previous_mask: Any) -> Any:
        """The mask of the outputs: the input's when the layer supports masking."""
        return previous_mask if self.supports_masking else None

    # ------------------------------------------------------------------- losses
    def add_loss(self, loss: Any) -> None:
        """Add a loss tensor (e.g. a penalty) to :attr:`losses`."""
        scope = _state.stateless
        if scope is not None and scope.collect_losses:
            scope.losses.append(loss)
        else:
            self._losses.append(loss)
            _layers_with_losses.add(id(self))

    @property
    def losses(self) -> list[Any]:
        """Losses added during the last call, of this layer and its sublayers, plus the
        weight regularization penalties."""
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._losses)
            for variable in layer._own_weights():
                if variable.regularizer is not None and variable.trainable:
                    out.append(variable.regularizer(variable.value))
        return out

    def _clear_losses(self) -> None:
        for layer in self._flatten_layers():
            if layer._losses:
                layer._losses.clear()
                _layers_with_losses.discard(id(layer))

    @property
    def metrics(self) -> list[Any]:
        """The ``kcore.metrics.Metric`` objects held in this layer's attributes."""
        from kcore.metrics import Metric

        found = []
        for value in self._tracked_values():
            for item in value if isinstance(value, list | tuple) else [value]:
                if isinstance(item, Metric):
                    found.append(item)
        return found

    @property
    def metrics_variables(self) -> list[Variable]:
        return [v for metric in self.metrics for v in metric.variables]

    # ----------------------------------------------------------------- stateless
    def stateless_call(
        self,
        trainable_variables: list[Any],
        non_trainable_variables: list[Any],
        *args: Any,
        return_losses: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Call with the given variable values, changing no variable.

        Returns ``(outputs, non_trainable_variables)`` with the new values of the
        non-trainable variables (moving statistics, seeds), and ``losses`` third when
        ``return_losses``: what ``jax.jit`` and ``jax.grad`` need.

        Example::

            >>> outputs, non_trainable = layer.stateless_call(
            ...     [v.value for v in layer.trainable_variables],
            ...     [v.value for v in layer.non_trainable_variables], x)
        """
        if not self.built:
            raise ValueError(
                f"Layer '{self.name}': stateless_call needs a built layer; call it once "
                "or call build(input_shape) first"
            )
        trainable = self.trainable_variables
        non_trainable = self.non_trainable_variables
        for given, own, kind in (
            (trainable_variables, trainable, "trainable"),
            (non_trainable_variables, non_trainable, "non_trainable"),
        ):
            if len(given) != len(own):
                raise ValueError(
                    f"Layer '{self.name}': stateless_call expected {len(own)} "
                    f"{kind}_variables, received {len(given)}"
                )
        mapping = list(zip(trainable, trainable_variables)) + list(
            zip(non_trainable, non_trainable_variables)
        )
        with StatelessScope(mapping, collect_losses=return_losses) as scope:
            outputs = self(*args, **kwargs)
            losses = list(scope.losses) if return_losses else None
            if return_losses:
                for layer in self._flatten_layers():
                    losses.extend(layer._losses)
                    for variable in layer._own_weights():
                        if variable.regularizer is not None and variable.trainable:
                            losses.append(variable.regularizer(variable.value))
        new_values = [scope.get_current_value(v) for v in non_trainable]
        if return_losses:
            return outputs, new_values, losses
        return outputs, new_values

    # ------------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """The arguments that rebuild this layer with :meth:`from_config`."""
        from kcore.saving.serialization import serialize_keras_object

        config: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": serialize_keras_object(self._dtype_policy),
        }
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = serialize_keras_object(self.activity_regularizer)
        if type(self).get_config is Layer.get_config:
            auto = self._auto_config
            extra = (
                {}
                if auto is None
                else {k: v for k, v in auto.items() if k not in config and k not in _BASE_ARGS}
            )
            if auto is None and _has_own_init_args(type(self)):
                raise NotImplementedError(
                    f"Layer {type(self).__name__} has arguments in __init__ that are not "
                    "plain Python values; override get_config() to return them"
                )
            config.update(extra)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """A new layer from :meth:`get_config`'s result."""
        from kcore import dtype_policies

        config = dict(config)
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = dtype_policies.deserialize(config["dtype"])
        try:
            return cls(**config)
        except TypeError as error:
            raise TypeError(
                f"{cls.__name__}.from_config could not rebuild the layer from {config}: "
                f"{error}. Override from_config or get_config."
            ) from None

    # -------------------------------------------------------------- functional
    @property
    def input(self) -> Any:
        return self._node_attribute("input_tensors")

    @property
    def output(self) -> Any:
        return self._node_attribute("output_tensors")

    def _node_attribute(self, name: str) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called on a KerasTensor")
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"Layer '{self.name}' has been called {len(self._inbound_nodes)} times; "
                f"its {name.split('_')[0]} is ambiguous"
            )
        value = getattr(self._inbound_nodes[0], name)
        return value[0] if len(value) == 1 else value

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_BASE_ARGS = frozenset({"name", "trainable", "dtype", "autocast", "activity_regularizer"})


def _has_own_init_args(cls: type) -> bool:
    params = inspect.signature(cls.__init__).parameters
    return any(
        p not in _BASE_ARGS
        and p != "self"
        and params[p].kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
        for p in params
    )


def _check_plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError("not a plain value")


def _dtype_kind(name: str) -> str:
    if name == "bool":
        return "bool"
    if name in _FLOATS or name.startswith("float"):
        return "float"
    if name.startswith(("int", "uint")):
        return "int"
    return name


def _checked_own_values(layer: Layer, variables: list[Variable], store: Any) -> list[Any]:
    """The values ``store`` holds for ``variables`` ("0", "1"...), after checking that
    there are as many as variables, with the variables' shapes and dtype kinds (a float
    weight takes any float, an int weight any int); raises ``ValueError`` otherwise."""
    keys = sorted(store.keys(), key=lambda k: (len(k), k))
    where = f"Layer '{layer.name}' ({type(layer).__name__})"
    if len(keys) != len(variables):
        names = [v.name for v in variables]
        hint = (
            " The layer is not built: build it (call it on data) before loading weights."
            if not variables and not layer.built
            else ""
        )
        raise ValueError(
            f"{where} expected {len(variables)} weights {names}, but the file holds "
            f"{len(keys)} ({keys}) for it.{hint}"
        )
    values = []
    for index, variable in enumerate(variables):
        key = str(index)
        if key not in store:
            raise ValueError(
                f"{where}: weight {key} ({variable.name}) is missing from the file, "
                f"which holds {keys}"
            )
        value = store[key]
        shape = tuple(int(d) for d in getattr(value, "shape", ()))
        if shape != tuple(variable.shape):
            raise ValueError(
                f"{where}: weight {key} ({variable.name}) expects shape "
                f"{tuple(variable.shape)}, the file holds shape {shape}"
            )
        dtype = str(getattr(value, "dtype", type(value).__name__))
        try:
            dtype = standardize_dtype(dtype)
        except (TypeError, ValueError):
            pass
        expected = standardize_dtype(variable.dtype)
        if _dtype_kind(dtype) != _dtype_kind(expected):
            raise ValueError(
                f"{where}: weight {key} ({variable.name}) has dtype {expected}, the file "
                f"holds dtype {dtype}, which cannot be assigned to it"
            )
        values.append(value)
    return values


def _unique(variables: list[Variable]) -> list[Variable]:
    seen: set[int] = set()
    out = []
    for v in variables:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _has_symbolic(first: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    if isinstance(first, KerasTensor):
        return True
    if isinstance(first, list | tuple | dict):
        if any(isinstance(x, KerasTensor) for x in _tree.flatten(first)):
            return True
    for value in (*args[1:], *kwargs.values()):
        if isinstance(value, KerasTensor):
            return True
    return False


def _mask_of(x: Any) -> Any:
    if isinstance(x, list | tuple):
        masks = [getattr(t, "_keras_mask", None) for t in x]
        return None if all(m is None for m in masks) else masks
    return getattr(x, "_keras_mask", None)


def _fill_argument_masks(
    info: _CallInfo, args: tuple[Any, ...], kwargs: dict[str, Any], mask_of: Any
) -> None:
    """Fill ``<name>_mask`` arguments left unset from the masks of the tensors passed
    as ``<name>`` (``mask_of(tensor)`` gives a tensor's mask or None)."""
    positions = {name: i for i, name in enumerate(info.names)}
    for name, mask_name in info.masks_of:
        if kwargs.get(mask_name) is not None:
            continue
        index = positions[mask_name]
        if index < len(args) and args[index] is not None:
            continue
        value = kwargs.get(name)
        if value is None and positions[name] < len(args):
            value = args[positions[name]]
        if value is None:
            continue
        mask = mask_of(value)
        if mask is not None:
            kwargs[mask_name] = mask


def _attach_mask(outputs: Any, mask: Any) -> None:
    if mask is None:
        return
    if isinstance(outputs, list | tuple) and isinstance(mask, list | tuple):
        for output, m in zip(outputs, mask):
            _attach_mask(output, m)
        return
    try:
        outputs._keras_mask = mask
    except (AttributeError, TypeError):  # jax arrays take no attributes
        pass


def _fresh_keras_tensor(x: Any) -> Any:
    if isinstance(x, KerasTensor):
        return KerasTensor(x.shape, x.dtype)
    return x


_dtype_names: dict[Any, str] = {}


def _dtype_name(x: Any) -> str:
    dtype = x.dtype
    try:
        return _dtype_names[dtype]
    except (KeyError, TypeError):
        name = standardize_dtype(dtype)
        try:
            _dtype_names[dtype] = name
        except TypeError:
            pass
        return name


def _is_shape(value: Any) -> bool:
    return isinstance(value, tuple | list) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value
    )


def _is_tensor_structure(value: Any) -> bool:
    return any(isinstance(x, KerasTensor) for x in _tree.flatten(value))


def _shapes_to_specs(result: Any, dtype: str) -> Any:
    if _is_shape(result):
        return KerasTensor(tuple(result), dtype)
    if isinstance(result, dict):
        return {k: _shapes_to_specs(v, dtype) for k, v in result.items()}
    if isinstance(result, list | tuple):
        return type(result)(_shapes_to_specs(v, dtype) for v in result)
    return result


def _listify(shape: Any) -> Any:
    if isinstance(shape, tuple | list):
        return [_listify(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _listify(v) for k, v in shape.items()}
    return shape


def _tupleize(shape: Any) -> Any:
    if isinstance(shape, list | tuple):
        if _is_shape(shape):
            return tuple(shape)
        return [_tupleize(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _tupleize(v) for k, v in shape.items()}
    return shape
