"""Discovery of plugins through entry points, on one pluggy PluginManager.

Two entry-point groups are read, once, the first time the registry is consulted:

* ``kcore.backends``: the entry name is the backend's name, the value a light
  descriptor module (imports no framework) with ``kcore_backend_info`` and
  ``kcore_load_backend`` hook implementations;
* ``kcore.plugins``: quantizers, exporters, data adapters and CLI extensions.

The built-in NumPy backend is registered directly, so it is there even when kcore
runs from a source tree. A plugin that raises while loading, or that declares a
plugin API version this kcore does not implement, is recorded as *broken* with a
one-line error (``kcore backends list`` shows it) and never registered; it never
makes ``import kcore`` or the other plugins fail.

Example::

    >>> from kcore import registry
    >>> [r.name for r in registry.backend_records() if r.ok]   # doctest: +SKIP
    ['jax', 'numpy', 'torch']
"""

from __future__ import annotations

import importlib.util
import threading
from importlib import metadata
from typing import Any

import attrs
import pluggy

from kcore import hookspecs
from kcore._version import __version__
from kcore.backend import Backend, BackendInfo
from kcore.errors import (
    BackendNotFoundError,
    BackendUnavailableError,
    PluginAPIVersionError,
    PluginConflictError,
)

BACKENDS_GROUP = "kcore.backends"
PLUGINS_GROUP = "kcore.plugins"

#: Backends the project publishes: what to install when one is asked for but missing.
KNOWN_BACKENDS = {
    "jax": "pip install 'kcore[jax]'",
    "torch": "pip install 'kcore[torch]'",
    "tensorflow": "pip install 'kcore[tf]'",
    "openvino": "pip install 'kcore[openvino]'",
}
#: Names accepted for a backend besides its canonical name.
BUILTIN_ALIASES = {"tf": "tensorflow", "pytorch": "torch"}


@attrs.define
class PluginRecord:
    """One discovered plugin: where it came from and whether it loaded."""

    name: str
    group: str
    value: str
    distribution: str | None = None
    version: str | None = None
    status: str = "ok"
    error: str | None = None
    plugin: Any = None
    info: BackendInfo | None = None
    builtin: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def mark_broken(self, error: str) -> None:
        self.status = "broken"
        self.error = error

    def to_dict(self) -> dict[str, Any]:
        data = {
            "name": self.name,
            "group": self.group,
            "value": self.value,
            "distribution": self.distribution,
            "version": self.version,
            "status": self.status,
            "error": self.error,
            "builtin": self.builtin,
        }
        if self.info is not None:
            data["framework"] = self.info.framework
            data["aliases"] = list(self.info.aliases)
            data["trainable"] = self.info.trainable
            data["dtypes"] = sorted(self.info.dtypes)
        return data


def one_line(exc: BaseException) -> str:
    """``"TypeName: first line of the message"``, for tables and stderr."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def parse_api_version(text: Any) -> tuple[int, int]:
    parts = str(text).split(".")
    if len(parts) > 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"plugin API version must look like '1.0', got {text!r}")
    return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0


def check_api_version(declared: Any, who: str, distribution: str | None) -> None:
    """Raise :class:`PluginAPIVersionError` unless ``declared`` is compatible.

    Compatible means the same major version and a minor version no greater than
    :data:`kcore.hookspecs.PLUGIN_API_VERSION`.
    """
    core = hookspecs.PLUGIN_API_VERSION
    fix = f"install a release of {distribution or who} built for kcore plugin API {core}"
    if declared is None:
        raise PluginAPIVersionError(
            f"{who} declares no KCORE_PLUGIN_API; kcore {__version__} implements plugin "
            f"API {core}: {fix}"
        )
    try:
        major, minor = parse_api_version(declared)
    except ValueError as exc:
        raise PluginAPIVersionError(f"{who}: {exc}; kcore implements {core}") from None
    core_major, core_minor = parse_api_version(core)
    if major != core_major or minor > core_minor:
        raise PluginAPIVersionError(
            f"{who} implements plugin API {declared}, but kcore {__version__} implements "
            f"plugin API {core}: {fix}"
        )


class Registry:
    """The plugin manager and what discovery found."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.records: list[PluginRecord] = []

    # -- discovery ---------------------------------------------------------
    def discover(self) -> None:
        from kcore.backends.numpy import descriptor as numpy_descriptor

        builtin = PluginRecord(
            name="numpy",
            group=BACKENDS_GROUP,
            value="kcore.backends.numpy:descriptor",
            distribution="kcore",
            version=__version__,
            builtin=True,
        )
        self._register(builtin, numpy_descriptor)
        for group in (BACKENDS_GROUP, PLUGINS_GROUP):
            for ep in sorted(metadata.entry_points(group=group), key=lambda e: e.name):
                dist = getattr(ep, "dist", None)
                record = PluginRecord(
                    name=ep.name,
                    group=group,
                    value=ep.value,
                    distribution=dist.metadata["Name"] if dist is not None else None,
                    version=dist.version if dist is not None else None,
                )
                if group == BACKENDS_GROUP and ep.name == "numpy":
                    record.mark_broken("the name 'numpy' is reserved for kcore's built-in backend")
                    self.records.append(record)
                    continue
                try:
                    plugin = ep.load()
                except BaseException as exc:  # a plugin must never break discovery
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    record.mark_broken(one_line(exc))
                    self.records.append(record)
                    continue
                self._register(record, plugin)

    def _register(self, record: PluginRecord, plugin: Any) -> None:
        self.records.append(record)
        who = f"plugin '{record.name}' ({record.value})"
        try:
            check_api_version(getattr(plugin, "KCORE_PLUGIN_API", None), who, record.distribution)
            if record.group == BACKENDS_GROUP:
                for hook in ("kcore_backend_info", "kcore_load_backend"):
                    if not callable(getattr(plugin, hook, None)):
                        raise TypeError(f"{who} is in {BACKENDS_GROUP} but defines no {hook}")
            if self._taken(record):
                raise ValueError(f"another distribution already registered '{record.name}'")
            self.pm.register(plugin, name=f"{record.group}:{record.name}")
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            record.mark_broken(one_line(exc))
            return
        record.plugin = plugin
        if record.group == BACKENDS_GROUP:
            self._read_backend_info(record)

    def _taken(self, record: PluginRecord) -> bool:
        return any(
            r is not record
            and r.ok
            and r.plugin is not None
            and r.group == record.group
            and r.name == record.name
            for r in self.records
        )

    def _read_backend_info(self, record: PluginRecord) -> None:
        try:
            info = record.plugin.kcore_backend_info()
            if not isinstance(info, BackendInfo):
                raise TypeError(
                    f"kcore_backend_info must return kcore.backend.BackendInfo, "
                    f"got {type(info).__name__}"
                )
            if info.name != record.name:
                raise ValueError(
                    f"entry point '{record.name}' describes a backend named '{info.name}'"
                )
        except Exception as exc:
            record.mark_broken(one_line(exc))
            self.pm.unregister(record.plugin)
            record.plugin = None
            return
        record.info = info
        if info.framework and importlib.util.find_spec(info.framework) is None:
            fix = info.install or KNOWN_BACKENDS.get(info.name) or f"pip install {info.framework}"
            record.mark_broken(f"framework '{info.framework}' is not installed: {fix}")


_registry: Registry | None = None
_lock = threading.RLock()


def get_registry() -> Registry:
    """The process-wide registry, discovered on first call."""
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                registry = Registry()
                registry.discover()
                _registry = registry
    return _registry


def reset() -> None:
    """Forget discovery and loaded backends (for tests that install plugins)."""
    global _registry
    from kcore import backend

    with _lock:
        _registry = None
        backend._loaded.clear()


def plugin_manager() -> pluggy.PluginManager:
    return get_registry().pm


def backend_records() -> list[PluginRecord]:
    return [r for r in get_registry().records if r.group == BACKENDS_GROUP]


def plugin_records() -> list[PluginRecord]:
    return [r for r in get_registry().records if r.group == PLUGINS_GROUP]


def available_backends() -> list[str]:
    """Names of the backends that are installed and not broken."""
    return sorted(r.name for r in backend_records() if r.ok)


def find_backend_record(name: str) -> PluginRecord | None:
    for record in backend_records():
        if record.name == name:
            return record
    return None


def canonical_backend_name(name: str, source: str | None = None) -> str:
    """Resolve aliases (``tf`` -> ``tensorflow``); raise if nothing provides ``name``.

    ``source`` says where the name came from (``"KCORE_BACKEND"``, a file path) so the
    error can point there.
    """
    if not isinstance(name, str) or not name.strip():
        raise BackendNotFoundError(f"a backend name must be a non-empty string, got {name!r}")
    wanted = name.strip().lower()
    wanted = BUILTIN_ALIASES.get(wanted, wanted)
    records = backend_records()
    for record in records:
        if record.name == wanted:
            return wanted
    for record in records:
        if record.info is not None and wanted in record.info.aliases:
            return record.name
    where = f"{source}={name!r}" if source else f"backend {name!r}"
    installed = ", ".join(sorted(r.name for r in records if r.ok))
    if wanted in KNOWN_BACKENDS:
        raise BackendNotFoundError(
            f"{where}: the {wanted} backend is not installed; install it with "
            f"{KNOWN_BACKENDS[wanted]} (installed: {installed})"
        )
    raise BackendNotFoundError(
        f"{where} names no installed backend; choose one of: {installed} "
        f"(or install the distribution that provides {name!r})"
    )


def load_backend(name: str) -> Backend:
    """Build the Backend object for the canonical ``name`` through its plugin."""
    record = find_backend_record(name)
    if record is None:  # pragma: no cover - canonical_backend_name raised already
        raise BackendNotFoundError(f"no backend named {name!r}")
    if not record.ok:
        raise BackendUnavailableError(f"backend '{name}' is broken: {record.error}")
    try:
        backend = record.plugin.kcore_load_backend(name=name)
    except Exception as exc:
        fix = (record.info.install if record.info else None) or KNOWN_BACKENDS.get(name)
        # Only an import failure is fixed by reinstalling; a configuration error is not.
        hint = f"; reinstall with {fix}" if fix and isinstance(exc, ImportError) else ""
        raise BackendUnavailableError(
            f"backend '{name}' ({record.distribution}) failed to load: {one_line(exc)}{hint}"
        ) from exc
    if not isinstance(backend, Backend):
        raise BackendUnavailableError(
            f"backend '{name}': kcore_load_backend returned {type(backend).__name__}, "
            "expected kcore.backend.Backend"
        )
    check_api_version(backend.plugin_api_version, f"backend '{name}'", record.distribution)
    return backend


# --------------------------------------------------------------------------- hand-overs


def _named(hook_name: str) -> dict[str, Any]:
    """Objects handed over by every plugin through ``hook_name``, by their ``name``."""
    pm = plugin_manager()
    hook = getattr(pm.hook, hook_name)
    found: dict[str, Any] = {}
    owners: dict[str, str] = {}
    for impl in hook.get_hookimpls():  # registration order
        for item in impl.function() or ():
            name = getattr(item, "name", None)
            if not isinstance(name, str) or not name:
                raise PluginConflictError(
                    f"plugin '{impl.plugin_name}' returned from {hook_name} an object "
                    f"without a string 'name': {item!r}"
                )
            if name in found:
                raise PluginConflictError(
                    f"'{name}' is provided by both plugin '{owners[name]}' and plugin "
                    f"'{impl.plugin_name}' ({hook_name}); uninstall one of them"
                )
            found[name] = item
            owners[name] = impl.plugin_name
    return found


def quantization_modes() -> dict[str, Any]:
    """Every installed plugin's quantization modes, by name (``kcore_quantization_modes``)."""
    return _named("kcore_quantization_modes")


def export_formats() -> dict[str, Any]:
    """Every installed plugin's export formats, by name (``kcore_export_formats``)."""
    return _named("kcore_export_formats")


def data_adapters() -> list[type]:
    """Every installed plugin's data adapter classes (``kcore_data_adapters``), in
    registration order; the trainer tries them before its built-in adapters."""
    hook = plugin_manager().hook.kcore_data_adapters
    return [cls for impl in hook.get_hookimpls() for cls in impl.function() or ()]


def trainer_for(backend: Backend, model: Any) -> Any | None:
    """The compiled step functions for ``model`` on ``backend`` (``kcore_trainer``),
    or ``None`` when no installed plugin trains on that backend."""
    return plugin_manager().hook.kcore_trainer(backend=backend, model=model)
