"""``Optimizer``: the base class of every optimizer (Keras 3's ``keras.optimizers.Optimizer``).

An optimizer owns variables (the step counter ``iterations``, the learning rate and
per-variable slots such as Adam's moments) and updates the variables it was built
with from their gradients. The same code runs in three ways:

- eagerly, updating the variables in place (torch after ``loss.backward()``);
- inside ``jax.jit`` through :meth:`Optimizer.stateless_apply`, which takes and
  returns values and changes no variable;
- inside ``tf.function``, assigning the framework's variables.

Nothing here branches in Python on a tensor's value unless that value is known now:
gradient accumulation, periodic EMA overwrites and loss scaling pick their branch
with ``ops.cond`` over pure functions when the predicate is traced.

Where the backend offers a fused update for an optimizer
(``kcore.backend.current().optimizer_kernels[optimizer._kernel_name]``), an eager
:meth:`apply` hands every variable to it at once instead of looping over
:meth:`update_step`.

Example::

    >>> opt = kcore.optimizers.SGD(learning_rate=0.1)
    >>> w = kcore.Variable([1.0, 2.0])
    >>> opt.apply([kcore.ops.convert_to_tensor([1.0, 1.0])], [w])
    >>> w.numpy().round(4).tolist()
    [0.9, 1.9]
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from kcore import backend as _backend_module
from kcore import ops
from kcore.optimizers.schedules.learning_rate_schedule import LearningRateSchedule
from kcore.variables import StatelessScope, Variable, in_stateless_scope

_BACKEND = _backend_module.current()
#: The step counter's dtype: int64 where the backend has it (Keras on TensorFlow),
#: else int32 (JAX without x64).
COUNTER_DTYPE = "int64" if "int64" in _BACKEND.capabilities.dtypes else "int32"
_name_counts: dict[str, int] = {}


def _unique_name(cls_name: str) -> str:
    base = re.sub(r"([a-z])([A-Z])", r"\1_\2", re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", cls_name))
    base = base.lower()
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def _known_bool(pred: Any) -> bool | None:
    """``pred``'s truth value when it is known now (eager), ``None`` when traced."""
    if isinstance(pred, bool):
        return pred
    try:
        return bool(pred)
    except TypeError:  # a jax tracer or a tf graph tensor: decided when the graph runs
        return None


class Optimizer:
    """The base class of optimizers.

    A subclass creates its slots in :meth:`build` (calling ``super().build`` first)
    with :meth:`add_variable_from_reference` or :meth:`add_optimizer_variables`,
    updates one variable in :meth:`update_step`, and adds its arguments to
    :meth:`get_config`.

    Args:
        learning_rate: a float, a :class:`~kcore.optimizers.schedules.LearningRateSchedule`,
            or a callable taking no argument and returning the rate.
        weight_decay: if set, each step first shrinks every variable by
            ``learning_rate * weight_decay`` times itself (decoupled weight decay).
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this global L2 norm.
        use_ema: keep an exponential moving average of the variables.
        ema_momentum: the EMA's momentum.
        ema_overwrite_frequency: every this many steps, overwrite the variables with
            their average (``None``: only :meth:`finalize_variable_values` does).
        loss_scale_factor: multiply the loss by this (:meth:`scale_loss`) and divide the
            gradients by it.
        gradient_accumulation_steps: update only every this many steps, with the mean
            of the accumulated gradients.
        name: the optimizer's name (default: the class name in snake case).

    Example::

        >>> class PlainSGD(Optimizer):
        ...     def update_step(self, gradient, variable, learning_rate):
        ...         lr = ops.cast(learning_rate, variable.dtype)
        ...         self.assign_sub(variable, ops.cast(gradient, variable.dtype) * lr)
        >>> opt = PlainSGD(learning_rate=0.5)
    """

    #: The key of a backend's fused update in ``Backend.optimizer_kernels``; set by the
    #: classes that have one, used only while their own ``update_step`` is in force.
    _kernel_name: str | None = None

    def __init__(
        self,
        learning_rate: Any,
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
        self._tracked_ids: set[int] = set()
        self._variables: list[Variable] = []
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored.", stacklevel=2
            )
        if kwargs:
            raise ValueError(
                f"{type(self).__name__}: argument(s) not recognized: {kwargs}. "
                "Pass only the optimizer's documented arguments."
            )
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. Received: "
                f"gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError(
                    f"`ema_momentum` must be in the range [0, 1]. Received: "
                    f"ema_momentum={ema_momentum}"
                )
            if ema_overwrite_frequency and (
                not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
            ):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                    f"ema_overwrite_frequency={ema_overwrite_frequency}"
                )
        clips = sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm))
        if clips > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.name = name or _unique_name(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._trainable_variables: list[Variable] = []
        self._trainable_variables_indices: dict[int, int] = {}
        self._kernel: Any = None
        self._iterations = self._make_variable(0, "iteration", COUNTER_DTYPE)
        self._learning_rate = self._make_learning_rate(learning_rate)

    # ------------------------------------------------------------------ variables
    def _make_variable(self, initializer: Any, name: str, dtype: Any, shape: Any = None) -> Any:
        variable = _BACKEND.Variable(
            initializer,
            shape=shape,
            dtype=dtype,
            trainable=False,
            aggregation="none",
            name=name,
        )
        variable.path = f"{self.name}/{name}"
        self._track_variable(variable)
        return variable

    def _make_learning_rate(self, learning_rate: Any) -> Any:
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            return learning_rate
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, int | float):
            raise ValueError(
                "Argument `learning_rate` should be float, or an instance of "
                "LearningRateSchedule, or a callable (that takes in the current iteration "
                f"value and returns the corresponding learning rate value). Received "
                f"instead: learning_rate={learning_rate!r}"
            )
        from kcore import config

        return self._make_variable(float(learning_rate), "learning_rate", config.floatx())

    def _track_variable(self, variable: Variable) -> None:
        if id(variable) not in self._tracked_ids:
            self._tracked_ids.add(id(variable))
            self._variables.append(variable)

    def _untrack_variable(self, variable: Variable) -> None:
        self._tracked_ids.discard(id(variable))
        self._variables = [v for v in self._variables if v is not variable]

    def __setattr__(self, name: str, value: Any) -> None:
        # Variables a subclass stores as attributes are the optimizer's (as in Keras).
        if isinstance(value, Variable) and "_tracked_ids" in self.__dict__:
            self._track_variable(value)
        object.__setattr__(self, name, value)

    @property
    def variables(self) -> list[Variable]:
        """Every variable of the optimizer, in the order Keras saves them: the step
        counter, the learning rate (when a float), then the slots."""
        return self._variables[:]

    @property
    def iterations(self) -> Any:
        """The number of updates applied (with gradient accumulation, of real updates:
        the step counter divided by ``gradient_accumulation_steps``)."""
        if self.gradient_accumulation_steps:
            return ops.floor_divide(self._iterations, self.gradient_accumulation_steps)
        return self._iterations

    def _var_key(self, variable: Any) -> int:
        return id(variable)

    def _get_variable_index(self, variable: Any) -> int:
        return self._trainable_variables_indices[id(variable)]

    def _overwrite_variable_with_gradient(self, variable: Any) -> bool:
        return getattr(variable, "overwrite_with_gradient", False)

    def add_variable(
        self,
        shape: Any,
        initializer: Any = "zeros",
        dtype: Any = None,
        aggregation: str = "none",
        layout: Any = None,
        name: str | None = None,
    ) -> Variable:
        """Create a variable owned by the optimizer (never trainable).

        Example::

            >>> counter = opt.add_variable((), initializer="zeros", dtype="int32",
            ...                            name="counter")
        """
        from kcore import config, initializers

        initializer = initializers.get(initializer)
        variable = _BACKEND.Variable(
            initializer,
            shape=tuple(shape),
            dtype=dtype or config.floatx(),
            trainable=False,
            aggregation=aggregation,
            name=name or "variable",
        )
        variable.path = f"{self.name}/{variable.name}"
        self._track_variable(variable)
        return variable

    def add_variable_from_reference(
        self, reference_variable: Any, name: str | None = None, initializer: Any = "zeros"
    ) -> Variable:
        """A slot shaped and typed like ``reference_variable``, named
        ``"{reference path with '_' for '/'}_{name}"`` (``dense_kernel_momentum``).

        Example::

            >>> m = opt.add_variable_from_reference(w, name="momentum")
        """
        name = name or "var"
        reference = getattr(reference_variable, "path", None) or str(reference_variable.name)
        reference = reference.replace("/", "_").replace(":", "_")
        return self.add_variable(
            shape=reference_variable.shape,
            initializer=initializer,
            dtype=reference_variable.dtype,
            name=f"{reference}_{name}",
        )

    def add_optimizer_variables(
        self, trainable_variables: list, name: Any, initializer: Any = "zeros"
    ) -> Any:
        """One slot per trainable variable for each name in ``name`` (a string or a
        list of strings), created variable by variable (Keras's saved order). A variable
        with ``overwrite_with_gradient`` gets ``None``. Returns a list, or a tuple of
        lists for a list of names.

        Example::

            >>> momentums, velocities = opt.add_optimizer_variables(
            ...     variables, ["momentum", "velocity"])
        """
        names = [name] if isinstance(name, str) else list(name)
        if isinstance(initializer, list | tuple):
            initializers = list(initializer)
        else:
            initializers = [initializer] * len(names)
        if len(names) != len(initializers):
            raise ValueError(
                "The number of provided names must match the number of provided "
                f"initializers. Received name='{name}', initializer='{initializer}'"
            )
        slots: tuple[list, ...] = tuple([] for _ in names)
        for variable in trainable_variables:
            skip = self._overwrite_variable_with_gradient(variable)
            for i, (slot_name, init) in enumerate(zip(names, initializers)):
                slots[i].append(
                    None if skip else self.add_variable_from_reference(variable, slot_name, init)
                )
        return slots[0] if isinstance(name, str) else slots

    def build(self, variables: list) -> None:
        """Create the optimizer's variables for ``variables`` (the trainable variables
        it will update). Subclasses call ``super().build(variables)`` first."""
        variables = list(variables)
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                variables, "average"
            )
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = [
                self.add_variable_from_reference(v, name="gradient_accumulator") for v in variables
            ]
        self._trainable_variables_indices = {id(v): i for i, v in enumerate(variables)}
        self._trainable_variables = variables[:]
        self._kernel = self._find_kernel()
        self.built = True

    def _find_kernel(self) -> Any:
        """The backend's fused update for this optimizer, if its own update_step (not a
        subclass's override) is the one in force and its options are supported."""
        name = self._kernel_name
        kernels = _BACKEND.optimizer_kernels
        if name is None or name not in kernels:
            return None
        owner = next(c for c in type(self).__mro__ if "_kernel_name" in c.__dict__)
        if type(self).update_step is not owner.update_step:
            return None
        if type(self)._backend_update_step is not owner._backend_update_step:
            return None
        return kernels[name] if self._kernel_supported() else None

    def _kernel_supported(self) -> bool:
        """Whether the fused kernel covers this optimizer's options (override to say no)."""
        return True

    def _check_variables_are_known(self, variables: list) -> None:
        indices = self._trainable_variables_indices
        for v in variables:
            if id(v) not in indices:
                raise ValueError(
                    f"Unknown variable: {v}. This optimizer can only be called for the "
                    "variables it was originally built with. When working with a new set "
                    "of variables, you should recreate a new optimizer instance."
                )

    # --------------------------------------------------------------- assignments
    def assign(self, variable: Any, value: Any) -> None:
        """``variable.assign(value)`` (the hook backends may specialise)."""
        variable.assign(value)

    def assign_add(self, variable: Any, value: Any) -> None:
        """``variable.assign_add(value)``."""
        variable.assign_add(value)

    def assign_sub(self, variable: Any, value: Any) -> None:
        """``variable.assign_sub(value)``."""
        variable.assign_sub(value)

    # ----------------------------------------------------------------- updating
    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """Update one ``variable`` from its ``gradient``; every optimizer defines it."""
        raise NotImplementedError(
            f"{type(self).__name__} must define update_step(gradient, variable, learning_rate)"
        )

    def apply_gradients(self, grads_and_vars: Any) -> Any:
        """:meth:`apply` for ``(gradient, variable)`` pairs; returns ``iterations``.

        Example::

            >>> opt.apply_gradients(zip(grads, model.trainable_variables))
        """
        grads, trainable_variables = zip(*grads_and_vars)
        self.apply(grads, trainable_variables)
        return self._iterations

    def apply(self, grads: Any, trainable_variables: Any = None) -> None:
        """Update ``trainable_variables`` (default: those the optimizer was built with)
        from ``grads``, one gradient per variable (``None``: no update for it). The
        first call builds the optimizer.

        Example::

            >>> loss.backward()                                    # torch
            >>> opt.apply([v.value.grad for v in model.trainable_weights],
            ...           model.trainable_weights)
        """
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
            if len(grads) != len(self._trainable_variables_indices):
                raise ValueError(
                    "When passing `grads` as a list of gradient tensors, the gradients "
                    "must match `optimizer.variables` one-to-one. Received a list of "
                    f"{len(grads)} gradients, but the optimizer is tracking "
                    f"{len(self._trainable_variables)} trainable variables."
                )
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
                self.built = True
            self._check_variables_are_known(trainable_variables)
        grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
        grads, trainable_variables = self._overwrite_variables_directly_with_gradients(
            grads, trainable_variables
        )
        if grads:
            scale = self.loss_scale_factor
            if scale is not None:
                grads = [g / scale for g in grads]
            self._backend_apply_gradients(grads, trainable_variables)
            for variable in trainable_variables:
                if variable.constraint is not None:
                    variable.assign(variable.constraint(variable.value))
        self._iterations.assign_add(1)

    def _branch(self, pred: Any, true_fn: Any, false_fn: Any) -> None:
        """Run ``true_fn`` or ``false_fn`` (both update variables and return nothing).

        Eagerly, the branch taken simply runs. When ``pred`` is traced (``jax.jit``,
        ``tf.function``), each branch runs as a pure function under its own
        :class:`StatelessScope` inside ``ops.cond``, returning the new values of all
        the optimizer's and trainable variables, which are then assigned.
        """
        known = _known_bool(pred)
        if known is not None:
            (true_fn if known else false_fn)()
            return
        state = self._trainable_variables + self.variables

        def pure(fn: Any) -> Any:
            def run() -> list:
                with StatelessScope([(v, v.value) for v in state]) as scope:
                    fn()
                return [scope.get_current_value(v) for v in state]

            return run

        values = ops.cond(pred, pure(true_fn), pure(false_fn))
        for variable, value in zip(state, values):
            variable.assign(value)

    def _backend_apply_gradients(self, grads: list, trainable_variables: list) -> None:
        """Clip, decay, update (or accumulate), then keep the EMA."""
        steps = self.gradient_accumulation_steps
        if steps:
            is_update_step = ops.equal(ops.mod(self._iterations + 1, steps), 0)
            accumulators = [
                self._accumulated_gradients[self._get_variable_index(v)]
                for v in trainable_variables
            ]

            def update() -> None:
                mean = [(g + a.value) / steps for g, a in zip(grads, accumulators)]
                self._update(mean, trainable_variables)
                for a in accumulators:
                    a.assign(ops.zeros(a.shape, dtype=a.dtype))

            def accumulate() -> None:
                for g, a in zip(grads, accumulators):
                    a.assign(a.value + ops.cast(g, a.dtype))

            self._branch(is_update_step, update, accumulate)
        else:
            self._update(grads, trainable_variables)
        if self.use_ema:
            self._update_model_variables_moving_average(self._trainable_variables)
            if self.ema_overwrite_frequency:
                overwrite = ops.equal(ops.mod(self.iterations + 1, self.ema_overwrite_frequency), 0)
                self._branch(
                    overwrite,
                    lambda: self._overwrite_model_variables_with_average_value(
                        self._trainable_variables
                    ),
                    lambda: None,
                )

    def _update(self, grads: list, trainable_variables: list) -> None:
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(trainable_variables)
        self._backend_update_step(grads, trainable_variables, self.learning_rate)

    def _backend_update_step(self, grads: list, trainable_variables: list, learning_rate: Any):
        """Every variable's update: the backend's fused kernel when it has one and the
        update runs eagerly, else :meth:`update_step` variable by variable."""
        kernel = self._kernel
        if kernel is not None and not in_stateless_scope():
            kernel(self, grads, trainable_variables, learning_rate)
            return
        for grad, variable in zip(grads, trainable_variables):
            self.update_step(grad, variable, learning_rate)

    def stateless_apply(
        self, optimizer_variables: list, grads: list, trainable_variables: list
    ) -> tuple[list, list]:
        """:meth:`apply` on values, changing no variable: returns
        ``(new_trainable_variables, new_optimizer_variables)``, the values in the
        order of the built trainable variables and of :attr:`variables`. What
        ``jax.jit`` needs.

        Example::

            >>> trainable, opt_vars = opt.stateless_apply(opt_vars, grads, trainable)
        """
        if not self.built:
            raise ValueError(
                f"To call `stateless_apply`, {type(self).__name__} must be built (i.e. its "
                "variables must have been created). You can build it via "
                "`optimizer.build(trainable_variables)`."
            )
        own = self.variables
        if len(optimizer_variables) != len(own):
            raise ValueError(
                "Argument `optimizer_variables` must be a list of tensors corresponding "
                f"1:1 to {type(self).__name__}().variables. Received list with length "
                f"{len(optimizer_variables)}, but expected {len(own)} variables."
            )
        if len(trainable_variables) != len(self._trainable_variables):
            raise ValueError(
                "Argument `trainable_variables` must be a list of tensors corresponding "
                "1:1 to the trainable variables list that the optimizer was built with. "
                f"Received len(trainable_variables) == {len(trainable_variables)} whereas "
                f"the optimizer was built with {len(self._trainable_variables)} variables."
            )
        mapping = list(zip(self._trainable_variables, trainable_variables))
        mapping += list(zip(own, optimizer_variables))
        with StatelessScope(mapping) as scope:
            self.apply(grads)
        return (
            [scope.get_current_value(v) for v in self._trainable_variables],
            [scope.get_current_value(v) for v in own],
        )

    def scale_loss(self, loss: Any) -> Any:
        """``loss`` times ``loss_scale_factor`` (unchanged when it is ``None``).

        Example::

            >>> SGD(loss_scale_factor=4.0).scale_loss(2.0)
            8.0
        """
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    # ------------------------------------------------------------ learning rate
    @property
    def learning_rate(self) -> Any:
        """The current learning rate: the variable holding a float rate, or the
        schedule's value at the current step. Settable (to a float, a schedule or a
        callable); a schedule given at construction cannot be replaced by a float."""
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate: Any) -> None:
        previous = self._learning_rate if isinstance(self._learning_rate, Variable) else None
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            if isinstance(self._learning_rate, LearningRateSchedule):
                raise TypeError(
                    "This optimizer was created with a `LearningRateSchedule` object as its "
                    "`learning_rate` constructor argument, hence its learning rate is not "
                    "settable. If you need the learning rate to be settable, you should "
                    "instantiate the optimizer with a float `learning_rate` argument."
                )
            if isinstance(self._learning_rate, Variable):
                self._learning_rate.assign(learning_rate)
            else:
                self._learning_rate = self._make_learning_rate(float(learning_rate))
        if previous is not None and not isinstance(self._learning_rate, Variable):
            self._untrack_variable(previous)

    def _get_current_learning_rate(self) -> Any:
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return lr(self._iterations)
        if isinstance(lr, Variable):
            return lr
        if callable(lr):
            return lr()
        return lr

    # ------------------------------------------------------- clipping, decay, EMA
    def _filter_empty_gradients(self, grads: list, variables: list) -> tuple[list, list]:
        if all(g is not None for g in grads):
            return grads, list(variables)
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        missing = [getattr(v, "path", v.name) for g, v in zip(grads, variables) if g is None]
        warnings.warn(
            f"Gradients do not exist for variables {missing} when minimizing the loss. If "
            "using `model.compile()`, did you forget to provide a `loss` argument?",
            stacklevel=3,
        )
        return [g for g, _ in kept], [v for _, v in kept]

    def _overwrite_variables_directly_with_gradients(
        self, grads: list, variables: list
    ) -> tuple[list, list]:
        """Variables marked ``overwrite_with_gradient`` (float8 scales) take their
        gradient as their new value; the rest go on to the update."""
        if not any(self._overwrite_variable_with_gradient(v) for v in variables):
            return grads, variables
        kept_grads, kept_vars = [], []
        for g, v in zip(grads, variables):
            if not self._overwrite_variable_with_gradient(v):
                kept_grads.append(g)
                kept_vars.append(v)
            elif self.gradient_accumulation_steps:
                # The largest gradient seen over the accumulation window.
                steps = self.gradient_accumulation_steps
                is_update = ops.equal(ops.mod(self._iterations + 1, steps), 0)
                acc = self._accumulated_gradients[self._get_variable_index(v)]
                largest = ops.maximum(g, acc.value)
                v.assign(ops.where(is_update, largest, v.value))
                acc.assign(ops.where(is_update, ops.zeros_like(largest), largest))
            else:
                v.assign(g)
        return kept_grads, kept_vars

    def _clip_gradients(self, grads: list) -> list:
        if self.clipnorm and self.clipnorm > 0:
            return [self._clip_by_norm(g) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            v = self.clipvalue
            return [ops.clip(g, -v, v) for g in grads]
        return grads

    def _clip_by_norm(self, values: Any) -> Any:
        l2sum = ops.sum(ops.square(values), keepdims=True)
        positive = l2sum > 0
        # The double where keeps a zero gradient's norm (and its gradient) finite.
        l2norm = ops.where(positive, ops.sqrt(ops.where(positive, l2sum, 1.0)), l2sum)
        return values * self.clipnorm / ops.maximum(l2norm, self.clipnorm)

    def exclude_from_weight_decay(self, var_list: Any = None, var_names: Any = None) -> None:
        """Exempt variables from weight decay, before the optimizer is built: those in
        ``var_list``, and those whose name contains any string of ``var_names``.

        Example::

            >>> opt = AdamW(weight_decay=0.01)
            >>> opt.exclude_from_weight_decay(var_names=["bias", "gamma"])
        """
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before the optimizer "
                "is built."
            )
        self._exclude_from_weight_decay = {id(v) for v in var_list or ()}
        self._exclude_from_weight_decay_pattern = (
            re.compile("|".join(set(var_names))) if var_names else None
        )
        self._exclude_from_weight_decay_cache: dict[int, bool] = {}

    def _use_weight_decay(self, variable: Any) -> bool:
        cache = self.__dict__.setdefault("_exclude_from_weight_decay_cache", {})
        key = id(variable)
        if key not in cache:
            excluded = key in getattr(self, "_exclude_from_weight_decay", ())
            pattern = getattr(self, "_exclude_from_weight_decay_pattern", None)
            if not excluded and pattern is not None:
                excluded = pattern.search(variable.name) is not None
            cache[key] = not excluded
        return cache[key]

    def _apply_weight_decay(self, variables: list) -> None:
        if self.weight_decay is None:
            return
        decayed = [v for v in variables if self._use_weight_decay(v)]
        kernel = _BACKEND.optimizer_kernels.get("weight_decay")
        if kernel is not None and not in_stateless_scope():
            kernel(self, decayed, self.learning_rate, self.weight_decay)
            return
        for variable in decayed:
            lr = ops.cast(self.learning_rate, variable.dtype)
            wd = ops.cast(self.weight_decay, variable.dtype)
            variable.assign(variable.value - variable.value * wd * lr)

    def _update_model_variables_moving_average(self, trainable_variables: list) -> None:
        first = ops.equal(self.iterations, 0)
        for variable, average in zip(trainable_variables, self._model_variables_moving_average):
            if average is None:
                continue
            momentum = ops.where(first, 0.0, self.ema_momentum)
            momentum = ops.cast(momentum, variable.dtype)
            average.assign(momentum * average.value + (1 - momentum) * variable.value)

    def _overwrite_model_variables_with_average_value(self, trainable_variables: list) -> None:
        averages = self._model_variables_moving_average
        if len(trainable_variables) != len(averages):
            raise ValueError(
                f"The length of model variables ({len(trainable_variables)}) to override "
                "does not match the length of model variables stored in the optimizer "
                f"({len(averages)}). Please check if the optimizer was called on your model."
            )
        for variable, average in zip(trainable_variables, averages):
            if average is not None:
                variable.assign(average.value)

    def finalize_variable_values(self, var_list: list) -> None:
        """End of training: with ``use_ema``, set ``var_list`` to their moving averages.

        Example::

            >>> opt.finalize_variable_values(model.trainable_variables)
        """
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(var_list)

    # -------------------------------------------------------------------- saving
    def set_weights(self, weights: list) -> None:
        """Assign NumPy arrays to :attr:`variables`, in order."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been "
                "built. Please call `optimizer.build(trainable_variables)` to create the "
                "optimizer weights before calling `set_weights()`."
            )
        for variable, weight in zip(self.variables, weights):
            if tuple(variable.shape) != tuple(getattr(weight, "shape", ())):
                raise ValueError(
                    f"Optimizer variable {variable.path} has shape {variable.shape} not "
                    f"compatible with provided weight shape {weight.shape}."
                )
            variable.assign(weight)

    def save_own_variables(self, store: Any) -> None:
        """Write every variable to ``store`` under ``"0"``, ``"1"``... (Keras's layout
        in ``model.weights.h5``: the step counter first, then the learning rate, then
        the slots).

        Example::

            >>> store = {}
            >>> opt.save_own_variables(store)
        """
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store: Any) -> None:
        """Read what :meth:`save_own_variables` (or Keras 3) wrote. A store holding a
        different number of variables is skipped with a warning, as in Keras.

        Example::

            >>> opt.load_own_variables(store)
        """
        variables = self.variables
        if len(store.keys()) != len(variables):
            message = (
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{len(variables)} variables whereas the saved optimizer has "
                f"{len(store.keys())} variables. "
            )
            if not variables or not self.built:
                message += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(message, stacklevel=2)
            return
        for i, variable in enumerate(variables):
            variable.assign(store[str(i)])

    # -------------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """The arguments that rebuild this optimizer (without its state).

        Example::

            >>> SGD(learning_rate=0.5).get_config()["learning_rate"]
            0.5
        """
        from kcore.saving.serialization import serialize_keras_object

        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            learning_rate = serialize_keras_object(lr)
        elif isinstance(lr, Variable):
            learning_rate = float(lr.numpy())
        elif ops.is_tensor(lr):
            learning_rate = float(ops.convert_to_numpy(lr))
        elif callable(lr):
            learning_rate = serialize_keras_object(lr)
        else:
            learning_rate = 0.5
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Optimizer:
        """The optimizer a :meth:`get_config` dict describes (a schedule config given as
        ``learning_rate`` is rebuilt)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            from kcore.optimizers.schedules import learning_rate_schedule
            from kcore.saving.serialization import deserialize_keras_object

            config["learning_rate"] = deserialize_keras_object(
                config["learning_rate"],
                custom_objects=custom_objects,
                module_objects=learning_rate_schedule.ALL_OBJECTS_DICT,
            )
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} built={self.built}>"


def global_norm(value_list: list) -> Any:
    """The L2 norm of all the tensors in ``value_list`` together (``None`` skipped).

    Example::

        >>> float(global_norm([ops.ones((4,)), ops.ones((5,))]))
        3.0
    """
    squares = [ops.sum(ops.square(v)) for v in value_list if v is not None]
    return ops.sqrt(ops.sum(ops.stack(squares)))


def clip_by_global_norm(value_list: list, clip_norm: float) -> list:
    """Scale ``value_list`` so that their :func:`global_norm` is at most ``clip_norm``;
    a non-finite norm makes every value NaN (as Keras does).

    Example::

        >>> [float(x) for x in clip_by_global_norm([ops.array([3.0, 4.0])], 1.0)[0]]
        [0.6, 0.8]
    """
    norm = global_norm(value_list)
    scale = clip_norm * ops.minimum(1.0 / norm, 1.0 / clip_norm)
    scale = scale + (norm - norm)  # NaN for an inf/NaN norm
    return [v * scale if v is not None else v for v in value_list]
