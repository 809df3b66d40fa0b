"""The Backend object and the light BackendInfo a descriptor hands over.

A backend distribution's descriptor returns a :class:`BackendInfo` (no framework
imported); when the backend is selected, its ``kcore_load_backend`` hook returns a
:class:`Backend`: the op table, the Variable class, conversions and abstract
evaluation. The core binds ``kcore.ops`` from that object once.

Example::

    >>> import kcore
    >>> b = kcore.backend.get_backend("numpy")
    >>> b.ops["add"](b.convert_to_tensor([1, 2]), 1).tolist()
    [2, 3]
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from kcore.hookspecs import hookimpl

#: dtypes every backend understands by name (Keras 3's list).
STANDARD_DTYPES = frozenset(
    {
        "bool",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "int8",
        "int16",
        "int32",
        "int64",
        "bfloat16",
        "float16",
        "float32",
        "float64",
        "complex64",
        "complex128",
    }
)


def _frozen_set(value: Any) -> frozenset[str]:
    return frozenset(value)


@attrs.frozen
class BackendInfo:
    """What a backend descriptor says about itself without importing its framework.

    ``framework`` is the top-level module the backend needs (``"jax"``); the registry
    checks that it can be found (``importlib.util.find_spec``) without importing it.
    ``install`` is the command that fixes a missing framework or distribution.
    """

    name: str
    distribution: str
    framework: str | None = None
    aliases: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    install: str | None = None
    trainable: bool = True
    dtypes: frozenset[str] = attrs.field(default=STANDARD_DTYPES, converter=_frozen_set)
    description: str = ""


@attrs.frozen
class Capabilities:
    """What a loaded backend can do.

    ``trainable`` is False for inference-only backends (numpy, openvino): they have
    no gradients and no trainer. ``devices`` lists the framework's devices as
    ``"cpu:0"``-style strings. ``dtypes`` is the set of standard dtype names it stores
    and computes with.
    """

    trainable: bool
    devices: tuple[str, ...] = attrs.field(converter=tuple)
    dtypes: frozenset[str] = attrs.field(default=STANDARD_DTYPES, converter=_frozen_set)


def _readonly(table: Mapping[str, Callable]) -> Mapping[str, Callable]:
    return MappingProxyType(dict(table))


@attrs.frozen
class Backend:
    """A loaded backend: everything the core needs, handed over once.

    Attributes:
        name: canonical name (``"jax"``, ``"torch"``, ``"tensorflow"``, ``"openvino"``,
            ``"numpy"``, or a third party's).
        version: version of the distribution that provides it (``kcore-jax``'s).
        distribution: that distribution's name.
        plugin_api_version: the :data:`kcore.hookspecs.PLUGIN_API_VERSION` it implements.
        framework: the framework module's name, and ``framework_version`` its version.
        capabilities: :class:`Capabilities`.
        ops: the op table, op name to a plain function taking and returning the
            backend's native tensors. Ops left out fall back to the core's composites.
        Variable: the backend's variable class (a :class:`kcore.variables.Variable`).
        convert_to_tensor: ``(x, dtype=None, sparse=None, ragged=None) -> tensor``.
        convert_to_numpy: ``(x) -> numpy.ndarray``.
        compute_output_spec: ``(fn, *args, **kwargs) -> KerasTensor structure``:
            the shape and dtype ``fn`` would return for the symbolic ``args``, found by
            the backend's abstract evaluation, without computing anything.
        is_tensor: ``(x) -> bool``, True for the backend's native tensors.
        gradient: ``(fn, *tensors) -> tuple of tensors``, the gradient of the scalar
            ``fn(*tensors)`` with respect to each argument (zeros where it does not
            depend on one); ``None`` on inference-only backends.
        layer_mixin: a class ``kcore.layers.Layer`` also derives from on this backend
            (torch: ``torch.nn.Module``, so a layer has ``parameters()`` and
            ``state_dict()``), or ``None``. It may define ``_kcore_pre_init(self)``
            (called before ``__init__``), ``_kcore_track_variable(self, variable)`` and
            ``_kcore_track_layers(self, named_layers)`` (called after the layer is built).
        takes_variables: whether the framework's functions accept a
            ``kcore.Variable`` where they take an array (``False`` for JAX).
        optimizer_kernels: fused update steps the backend offers for optimizers, by
            the optimizer's ``_kernel_name`` (``"adam"``, ``"sgd"``...): a function
            ``(optimizer, grads, variables, learning_rate) -> None`` that updates every
            variable in place, replacing the per-variable ``update_step`` loop where
            eager Python overhead matters (torch's ``_foreach`` ops). The key
            ``"weight_decay"`` takes ``(optimizer, variables, learning_rate,
            weight_decay) -> None`` and applies decoupled weight decay in place.
            A kernel whose numbers may differ from ``update_step``'s by more than
            float rounding publishes how far as a ``tolerance`` attribute, ``(rtol,
            atol)``.
        layer_kernels: fused computations the backend offers for layers, by name (the
            hot kernels a framework ships, as Keras's ``backend.lstm``): ``"lstm"`` and
            ``"gru"`` take ``(cell, sequences, initial_state, *, mask, go_backwards,
            return_sequences)`` (``cell`` a built ``LSTMCell`` or ``GRUCell``, its
            input dropout already applied to ``sequences``; ``initial_state`` the list of
            states) and return ``(last_output, outputs, states)`` as the generic time
            loop does, or ``None`` for a case they do not cover (the layer then runs
            the generic loop).
    """

    name: str
    version: str
    distribution: str
    plugin_api_version: str
    framework: str | None
    framework_version: str | None
    capabilities: Capabilities
    ops: Mapping[str, Callable] = attrs.field(converter=_readonly)
    Variable: type
    convert_to_tensor: Callable[..., Any]
    convert_to_numpy: Callable[[Any], Any]
    compute_output_spec: Callable[..., Any]
    is_tensor: Callable[[Any], bool]
    gradient: Callable[..., tuple[Any, ...]] | None = None
    layer_mixin: type | None = None
    #: False when the framework refuses foreign objects where it takes arrays (JAX):
    #: the public ops then read ``kcore.Variable`` arguments' values before calling.
    takes_variables: bool = True
    optimizer_kernels: Mapping[str, Callable] = attrs.field(default={}, converter=_readonly)
    layer_kernels: Mapping[str, Callable] = attrs.field(default={}, converter=_readonly)

    def describe(self) -> dict[str, Any]:
        """A JSON-ready summary (used by ``kcore backends show``)."""
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "plugin_api_version": self.plugin_api_version,
            "framework": self.framework,
            "framework_version": self.framework_version,
            "trainable": self.capabilities.trainable,
            "devices": list(self.capabilities.devices),
            "dtypes": sorted(self.capabilities.dtypes),
            "native_ops": len(self.ops),
        }


class BackendDescriptor:
    """The light object a backend's entry point names: a pluggy plugin that describes
    the backend and builds it on demand.

    ``factory`` is ``"module:function"``; the function receives this descriptor and
    returns the Backend (usually through :meth:`assemble`). Only calling it imports the
    framework. ``plugin_api`` is the contract version the distribution was written
    for: a literal in the distribution, never this kcore's own version.

    Example (``kcore_toy/descriptor.py``, entry point ``toy = kcore_toy.descriptor:descriptor``)::

        descriptor = BackendDescriptor(
            BackendInfo(name="toy", distribution="kcore-toy", framework="toyframework"),
            factory="kcore_toy.backend:make_backend",
            plugin_api="1.0",
        )
    """

    def __init__(
        self, info: BackendInfo, factory: str, plugin_api: str, trainer: str | None = None
    ) -> None:
        for value in (factory, trainer):
            if value is not None and ":" not in value:
                raise ValueError(f"factory and trainer must be 'module:function', got {value!r}")
        self.info = info
        self.factory = factory
        self.trainer = trainer
        self.KCORE_PLUGIN_API = plugin_api

    def __repr__(self) -> str:
        return f"<BackendDescriptor {self.info.name} ({self.info.distribution})>"

    @hookimpl
    def kcore_backend_info(self) -> BackendInfo:
        return self.info

    @hookimpl
    def kcore_load_backend(self, name: str) -> Backend | None:
        if name != self.info.name:
            return None
        module, _, function = self.factory.partition(":")
        return getattr(importlib.import_module(module), function)(self)

    @hookimpl
    def kcore_trainer(self, backend: Backend, model: Any) -> Any:
        if self.trainer is None or backend.name != self.info.name:
            return None
        module, _, function = self.trainer.partition(":")
        return getattr(importlib.import_module(module), function)(backend, model)

    def assemble(
        self,
        *,
        version: str,
        framework_version: str | None,
        devices: tuple[str, ...],
        ops: Mapping[str, Callable],
        Variable: type,  # noqa: N803 - the field's name
        compute_output_spec: Callable[..., Any],
        dtypes: frozenset[str] | None = None,
        gradient: Callable[..., tuple[Any, ...]] | None = None,
        layer_mixin: type | None = None,
        takes_variables: bool = True,
        optimizer_kernels: Mapping[str, Callable] | None = None,
        layer_kernels: Mapping[str, Callable] | None = None,
    ) -> Backend:
        """A :class:`Backend` with the fields this descriptor already knows filled in.

        ``convert_to_tensor``, ``convert_to_numpy`` and ``is_tensor`` are taken from
        the op table; ``dtypes`` defaults to the descriptor's.
        """
        info = self.info
        return Backend(
            name=info.name,
            version=version,
            distribution=info.distribution,
            plugin_api_version=self.KCORE_PLUGIN_API,
            framework=info.framework,
            framework_version=framework_version,
            capabilities=Capabilities(
                trainable=info.trainable,
                devices=devices,
                dtypes=info.dtypes if dtypes is None else dtypes,
            ),
            ops=ops,
            Variable=Variable,
            convert_to_tensor=ops["convert_to_tensor"],
            convert_to_numpy=ops["convert_to_numpy"],
            compute_output_spec=compute_output_spec,
            is_tensor=ops["is_tensor"],
            gradient=gradient,
            layer_mixin=layer_mixin,
            takes_variables=takes_variables,
            optimizer_kernels=optimizer_kernels or {},
            layer_kernels=layer_kernels or {},
        )


_loaded: dict[str, Backend] = {}
_lock = threading.Lock()


def get_backend(name: str | None = None) -> Backend:
    """Return the Backend object for ``name`` (default: the selected backend).

    Loads it on first use (this imports its framework) and caches it. Raises
    :class:`~kcore.errors.BackendNotFoundError` for a name nothing provides and
    :class:`~kcore.errors.BackendUnavailableError` when the provider is broken or its
    framework is missing; both messages say how to fix it.

    Example::

        >>> kcore.backend.get_backend("numpy").name
        'numpy'
    """
    from kcore import config, registry

    if name is None:
        name = config.backend()
    canonical = registry.canonical_backend_name(name)
    backend = _loaded.get(canonical)
    if backend is not None:
        return backend
    with _lock:
        backend = _loaded.get(canonical)
        if backend is None:
            backend = registry.load_backend(canonical)
            _loaded[canonical] = backend
            if canonical == config.backend():
                # Once per process, right after the selected backend is loaded.
                registry.plugin_manager().hook.kcore_configure(settings=config.settings())
    return backend


def current() -> Backend:
    """The selected backend's Backend object (see :func:`kcore.config.backend`)."""
    return get_backend(None)


#: Keras 3's dtype helpers, ``keras.backend.standardize_dtype`` and friends, served from
#: :mod:`kcore.dtypes` (which imports this module, hence the lazy lookup).
_DTYPE_HELPERS = frozenset({"standardize_dtype", "result_type", "is_float_dtype", "is_int_dtype"})


def __getattr__(name: str) -> Any:
    if name in _DTYPE_HELPERS:
        from kcore import dtypes

        return getattr(dtypes, name)
    raise AttributeError(f"module 'kcore.backend' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _DTYPE_HELPERS)
