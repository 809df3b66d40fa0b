"""The op contract: one declaration per op, from which everything else is derived.

An op is declared once, in ``kcore/ops/<namespace>.py``, as a stub whose signature and
docstring are the public ones::

    @op("nn", composite=True)
    def relu(x):
        '''Rectified linear unit: ``max(x, 0)`` element-wise. ...'''
        return ops.maximum(x, 0)

With ``composite=True`` the stub's body is the fallback, written in ``kcore.ops``
primitives, that runs on a backend without a native version; a primitive's body is
``...``. Binding (:func:`bind`) turns each declaration into the public function for one
backend, once: a generated function with the declared signature that calls the
backend's plain function (or the composite) directly, with no lookup per call.

A backend implements ops as plain functions named after the ops, and hands them over
as a table built with :func:`collect_ops`.
"""

from __future__ import annotations

import contextvars
import inspect
import sys
import types
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import attrs

from kcore.errors import OpNotImplementedError


@attrs.frozen
class OpSpec:
    """The declaration of one op."""

    name: str
    namespace: str
    signature: inspect.Signature
    doc: str
    composite: Callable[..., Any] | None = None
    #: Parameters that take tensors (the conformance kit feeds arrays there).
    tensors: tuple[str, ...] = ()
    #: Conformance cases: a factory ``(spec, rng, dtypes) -> list[Case]``
    #: (see :mod:`kcore.ops.cases`).
    cases: Callable[..., Any] | None = None
    #: Whether the op is differentiable in its float tensor arguments.
    grad: bool = True
    #: ``(arguments by name) -> str | None``: the expectation a failed call broke,
    #: consulted only after the backend raised, to word the error.
    expect: Callable[[dict[str, Any]], str | None] | None = None
    #: ``(same arguments as the op) -> KerasTensor(s)``: the op's own shape and dtype
    #: rule for symbolic arguments, used instead of the backend's abstract evaluation
    #: (for ops whose result shape the backend cannot trace, or that take callables).
    shape_rule: Callable[..., Any] | None = None
    #: The result's shape depends on the values (``unique``, ``nonzero``): symbolic
    #: results have ``None`` there.
    data_dependent: bool = False

    @property
    def is_primitive(self) -> bool:
        return self.composite is None


#: Every declared op, by name, in declaration order.
SPECS: dict[str, OpSpec] = {}
#: Namespaces whose public module is not ``kcore.ops.<namespace>``.
_HOMES = {"random": "kcore.random"}


def op(
    namespace: str,
    *,
    composite: bool = False,
    tensors: tuple[str, ...] | None = None,
    cases: Callable[..., Any] | None = None,
    grad: bool = True,
    expect: Callable[[dict[str, Any]], str | None] | None = None,
    shape_rule: Callable[..., Any] | None = None,
    data_dependent: bool = False,
) -> Callable[[Callable], Callable]:
    """Declare the op named after the decorated stub (see the module docstring).

    ``tensors`` names the tensor parameters (default: the required positional ones);
    ``cases`` generates its conformance cases; ``grad`` says whether it is
    differentiable; ``expect`` words the error for bad arguments; ``shape_rule``
    answers for KerasTensor arguments instead of the backend's abstract evaluation;
    ``data_dependent`` marks ops whose result shape depends on the values.

    Returns a placeholder with the stub's signature that binds ``kcore.ops`` to the
    selected backend on first call and then forwards to the bound function.
    """

    def declare(stub: Callable[..., Any]) -> Callable[..., Any]:
        name = stub.__name__
        if name in SPECS:
            raise ValueError(f"op '{name}' is declared twice")
        signature = inspect.signature(stub)
        if tensors is None:
            names = tuple(
                p.name
                for p in signature.parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            )
        else:
            names = tuple(tensors)
        spec = OpSpec(
            name=name,
            namespace=namespace,
            signature=signature,
            doc=inspect.getdoc(stub) or "",
            composite=stub if composite else None,
            tensors=names,
            cases=cases,
            grad=grad,
            expect=expect,
            shape_rule=shape_rule,
            data_dependent=data_dependent,
        )
        SPECS[name] = spec
        placeholder = make_function(spec, _Deferred(name), module=f"kcore.ops.{namespace}")
        # Category modules (``nn_conv``) declare ops of a namespace module (``kcore.ops.nn``)
        # that imports them: put the placeholder there too, so ``kcore.ops.nn.conv``
        # exists before the first binding (which replaces it with the bound function).
        home = sys.modules.get(_HOMES.get(namespace, f"kcore.ops.{namespace}"))
        if home is not None and not hasattr(home, name):
            setattr(home, name, placeholder)
        return placeholder

    return declare


class _Deferred:
    """Calls the bound public function; binds ``kcore.ops`` first if needed."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from kcore import ops

        return ops._lookup(self.name)(*args, **kwargs)


def make_function(
    spec: OpSpec,
    impl: Callable[..., Any],
    module: str = "kcore.ops",
    backend: Any = None,
) -> Callable:
    """Generate ``def name(<declared signature>): return _impl(...)``.

    Generated rather than ``*args, **kwargs`` forwarding so the public function has
    the declared signature (for ``help``, ``inspect`` and IDEs) and costs a single
    plain call on top of the backend's function. The ``try`` costs nothing until the
    backend raises; then :func:`_failed` answers symbolically for KerasTensor
    arguments, or raises an :class:`~kcore.errors.OpError` that names the op.
    """
    namespace: dict[str, Any] = {
        "_impl": impl,
        "_failed": _failed,
        "_spec": spec,
        "_backend": backend,
    }
    params: list[str] = []
    call: list[str] = []
    saw_star = False
    positional_only = False
    for i, p in enumerate(spec.signature.parameters.values()):
        if p.kind is p.POSITIONAL_ONLY:
            positional_only = True
        elif positional_only:
            params.append("/")
            positional_only = False
        if p.kind is p.VAR_POSITIONAL:
            params.append(f"*{p.name}")
            call.append(f"*{p.name}")
            saw_star = True
            continue
        if p.kind is p.VAR_KEYWORD:
            params.append(f"**{p.name}")
            call.append(f"**{p.name}")
            continue
        if p.kind is p.KEYWORD_ONLY and not saw_star:
            params.append("*")
            saw_star = True
        text = p.name
        if p.default is not p.empty:
            namespace[f"_d{i}"] = p.default
            text += f"=_d{i}"
        params.append(text)
        call.append(f"{p.name}={p.name}" if p.kind is p.KEYWORD_ONLY else p.name)
    if positional_only:
        params.append("/")
    arguments = ", ".join(call)
    # A framework that refuses foreign objects gets Variables' values (one isinstance
    # per tensor parameter; the failure path would cost a raised exception per call).
    reads = ""
    if backend is not None and not getattr(backend, "takes_variables", True):
        from kcore.variables import Variable

        namespace["_Variable"] = Variable
        plain = {
            p.name
            for p in spec.signature.parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        }
        reads = "".join(
            f"    if isinstance({name}, _Variable):\n        {name} = {name}.value\n"
            for name in spec.tensors
            if name in plain
        )
    source = (
        f"def {spec.name}({', '.join(params)}):\n"
        f"{reads}"
        f"    try:\n"
        f"        return _impl({arguments})\n"
        f"    except Exception as _error:\n"
        f"        return _failed(_spec, _backend, _impl, _error, {_locals_of(spec)})\n"
    )
    exec(compile(source, f"<kcore.ops.{spec.name}>", "exec"), namespace)  # noqa: S102
    function = namespace[spec.name]
    function.__doc__ = spec.doc
    function.__module__ = module
    function.__qualname__ = spec.name
    return function


def _locals_of(spec: OpSpec) -> str:
    names = [p.name for p in spec.signature.parameters.values()]
    return "{" + ", ".join(f"{n!r}: {n}" for n in names) + "}"


def _split(spec: OpSpec, values: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Rebuild the call's positional and keyword arguments from its parameters."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in spec.signature.parameters.values():
        value = values[p.name]
        if p.kind is p.VAR_POSITIONAL:
            args.extend(value)
        elif p.kind is p.VAR_KEYWORD:
            kwargs.update(value)
        elif p.kind is p.KEYWORD_ONLY:
            kwargs[p.name] = value
        else:
            args.append(value)
    return tuple(args), kwargs


def _failed(
    spec: OpSpec, backend: Any, impl: Callable[..., Any], error: Exception, values: dict
) -> Any:
    from kcore.errors import KcoreError, OpError
    from kcore.keras_tensor import any_symbolic

    args, kwargs = _split(spec, values)
    if backend is None:
        from kcore import backend as backend_module

        backend = backend_module.current()
    if any_symbolic(args, kwargs):
        try:
            if spec.shape_rule is not None:
                token = _RULE_BACKEND.set(backend)
                try:
                    result = spec.shape_rule(*args, **kwargs)
                finally:
                    _RULE_BACKEND.reset(token)
            else:
                result = backend.compute_output_spec(impl, *args, **kwargs)
        except Exception as symbolic_error:  # worded like an eager failure, below
            error = symbolic_error
        else:
            if symbolic_recorder is not None:
                symbolic_recorder(spec, args, kwargs, result)
            return result
    elif not isinstance(error, KcoreError):
        # Python lists and tuples where tensors go (``abs([1, -2])``): convert them and
        # try once more. Only failed calls get here, so tensors pay nothing for it.
        converted = _lists_converted(spec, values, backend)
        if converted is not None:
            args, kwargs = _split(spec, converted)
            try:
                return impl(*args, **kwargs)
            except Exception as retry_error:
                error = retry_error
    if isinstance(error, KcoreError):
        raise error
    received = _describe(spec, values, backend)
    expectation = None
    if spec.expect is not None:
        try:
            expectation = spec.expect(values)
        except Exception:  # a broken rule must not hide the real error
            expectation = None
    reason = f"expected {expectation}" if expectation else _one_line(error)
    problem = OpError(f"{spec.name}: {reason}; received {received}")
    problem.original = error
    raise problem from None


#: Set by the functional API (``kcore.layers``): ``(spec, args, kwargs, outputs)`` is
#: called after an op answered for KerasTensor arguments, to record it as a graph node.
symbolic_recorder: Callable[..., None] | None = None

#: The backend whose op a shape rule is answering for (see :func:`rule_backend`).
_RULE_BACKEND: contextvars.ContextVar[Any] = contextvars.ContextVar("kcore_rule_backend")


def rule_backend() -> Any:
    """Inside a shape rule: the backend the op is bound to (which need not be the
    selected one, e.g. in :func:`namespace_for`), for rules that fall back to its
    abstract evaluation. Elsewhere: the selected backend."""
    backend = _RULE_BACKEND.get(None)
    if backend is None:
        from kcore import backend as backend_module

        backend = backend_module.current()
    return backend


def _lists_converted(spec: OpSpec, values: dict[str, Any], backend: Any) -> dict | None:
    """``values`` with Python number lists converted to tensors and ``kcore.Variable``
    arguments read (frameworks such as JAX refuse foreign objects); ``None`` when
    there was nothing to change."""
    from kcore.variables import Variable

    convert = backend.ops.get("convert_to_tensor")
    changed = dict(values)
    any_converted = False
    for name, value in values.items():
        if isinstance(value, Variable):
            changed[name] = value.value
            any_converted = True
        elif isinstance(value, list | tuple) and any(isinstance(v, Variable) for v in value):
            changed[name] = type(value)(v.value if isinstance(v, Variable) else v for v in value)
            any_converted = True
        elif (
            convert is not None
            and name in spec.tensors
            and isinstance(value, list | tuple)
            and value
            and _numbers_only(value)
        ):
            changed[name] = convert(value)
            any_converted = True
    return changed if any_converted else None


def _numbers_only(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_numbers_only(v) for v in value)
    return isinstance(value, bool | int | float | complex)


def _describe(spec: OpSpec, values: dict[str, Any], backend: Any) -> str:
    from kcore.dtypes import standardize_dtype

    dtype_of = backend.ops.get("dtype") or (lambda v: standardize_dtype(v.dtype))

    def tensor(value: Any) -> str | None:
        shape = getattr(value, "shape", None)
        if shape is None or isinstance(value, str | bytes):
            return None
        try:
            dtype = dtype_of(value)
        except Exception:
            dtype = str(getattr(value, "dtype", "unknown"))
        shape = tuple(None if d is None else int(d) for d in shape)
        return f"shape {shape} and dtype {dtype}"

    parts = []
    for name, value in values.items():
        described = tensor(value)
        if described is not None:
            parts.append(f"{name} of {described}")
        elif (
            isinstance(value, tuple | list)
            and value
            and None not in (items := [tensor(v) for v in value])
        ):  # a (real, imag) pair, a list of tensors
            parts.append(f"{name} of tensors with " + "; ".join(items))
        elif name in spec.tensors or value is not spec.signature.parameters[name].default:
            text = repr(value)
            parts.append(f"{name}={text if len(text) <= 60 else text[:57] + '...'}")
    return ", ".join(parts) or "no arguments"


def _one_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _missing(spec: OpSpec, backend_name: str, distribution: str) -> Callable[..., Any]:
    def raise_missing(*args: Any, **kwargs: Any) -> Any:
        raise OpNotImplementedError(
            f"op '{spec.name}' is not implemented by backend '{backend_name}' and has no "
            f"composite; add '{spec.name}' to the op table of {distribution}"
        )

    return raise_missing


def resolve(spec: OpSpec, table: Mapping[str, Callable]) -> tuple[str, Callable | None]:
    """``("native", fn)``, ``("composite", fn)`` or ``("missing", None)``."""
    impl = table.get(spec.name)
    if impl is not None:
        return "native", impl
    if spec.composite is not None:
        return "composite", spec.composite
    return "missing", None


def bind(backend: Any, namespace: Any = None) -> dict[str, Callable[..., Any]]:
    """The public function of every declared op for ``backend``, by name.

    Composites call their primitives through the name ``ops``; ``namespace`` is what
    that name means for them (default: the module ``kcore.ops``). Pass another object
    to build a self-contained set of ops for a backend that is not the selected one.
    """
    functions: dict[str, Callable[..., Any]] = {}
    for spec in SPECS.values():
        kind, impl = resolve(spec, backend.ops)
        if kind == "missing":
            impl = _missing(spec, backend.name, backend.distribution)
        elif kind == "composite" and namespace is not None:
            impl = _with_ops(impl, namespace)
        functions[spec.name] = make_function(spec, impl, backend=backend)
    return functions


def _with_ops(function: Callable[..., Any], namespace: Any) -> Callable[..., Any]:
    """A copy of ``function`` whose global name ``ops`` is ``namespace``."""
    clone = types.FunctionType(
        function.__code__,
        {**function.__globals__, "ops": namespace},
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    clone.__kwdefaults__ = function.__kwdefaults__
    return clone


def namespace_for(backend: Any) -> types.SimpleNamespace:
    """Every op bound to ``backend``, composites included, independent of the selected
    backend. The conformance suites use it to run the NumPy reference beside another.

    Example::

        >>> ref = namespace_for(kcore.backend.get_backend("numpy"))
        >>> ref.relu(ref.convert_to_tensor([-1.0, 2.0])).tolist()
        [0.0, 2.0]
        >>> ref.image.rgb_to_grayscale is ref.rgb_to_grayscale   # also by namespace
        True
    """
    namespace = types.SimpleNamespace()
    functions = bind(backend, namespace)
    namespace.__dict__.update(functions)
    # Also by Keras namespace, as composites call them: ``ops.image.resize``.
    for name, function in functions.items():
        group = SPECS[name].namespace
        if group not in functions:
            namespace.__dict__.setdefault(group, types.SimpleNamespace())
            setattr(getattr(namespace, group), name, function)
    namespace.backend = backend
    return namespace


def coverage(backend: Any) -> dict[str, str]:
    """Op name to ``"native"``, ``"composite"`` or ``"missing"`` on ``backend``."""
    return {spec.name: resolve(spec, backend.ops)[0] for spec in SPECS.values()}


def collect_ops(*modules: ModuleType) -> dict[str, Callable[..., Any]]:
    """A backend's op table: the functions in ``modules`` named after declared ops.

    Later modules override earlier ones. Example (in a backend)::

        from kcore_toy import numpy_ops, nn_ops
        ops = collect_ops(numpy_ops, nn_ops)
    """
    from kcore import ops  # noqa: F401 - make sure every declaration is loaded

    table: dict[str, Callable[..., Any]] = {}
    for module in modules:
        for name in SPECS:
            fn = getattr(module, name, None)
            if callable(fn):
                table[name] = fn
    return table
