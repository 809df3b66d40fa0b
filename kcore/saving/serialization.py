"""Keras 3's object serialization: configs that name a class and hold its arguments.

An object with ``get_config()`` serializes to the dict Keras 3 writes::

    {"module": "keras.layers", "class_name": "Dense",
     "config": {...}, "registered_name": None}

``module`` uses Keras's public module names, so a config written by kcore reads in
Keras 3 and the other way round. Objects registered with
:func:`register_keras_serializable` carry ``registered_name`` ``"package>Name"`` and
are found again by that name, as are those given through ``custom_objects`` or a
:func:`custom_object_scope`.

Example::

    >>> from kcore import layers
    >>> config = serialize_keras_object(layers.Dense(3))
    >>> deserialize_keras_object(config).units
    3
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import threading
from collections.abc import Callable, Iterator
from typing import Any

#: kcore package -> the Keras module name written in configs (longest prefix wins).
_PUBLIC_MODULES = {
    "kcore.layers": "keras.layers",
    "kcore.models": "keras.models",
    "kcore.initializers": "keras.initializers",
    "kcore.regularizers": "keras.regularizers",
    "kcore.constraints": "keras.constraints",
    "kcore.activations": "keras.activations",
    "kcore.dtype_policies": "keras.dtype_policies",
    "kcore.random": "keras.random",
    "kcore.losses": "keras.losses",
    "kcore.metrics": "keras.metrics",
    "kcore.optimizers": "keras.optimizers",
}
#: Keras module name -> the kcore module whose attributes are looked up on loading.
_KCORE_MODULES = {v: k for k, v in _PUBLIC_MODULES.items()}
_KCORE_MODULES["keras"] = "kcore"  # classes Keras exports at the top (keras.DTypePolicy...)
_KCORE_MODULES["keras.src.random.seed_generator"] = "kcore.random"
_KCORE_MODULES["keras.src.models.functional"] = "kcore.models"
_KCORE_MODULES["keras.src.models.sequential"] = "kcore.models"

#: kcore class -> (module, registered_name) exactly as Keras 3 writes its counterpart.
_WRITTEN_AS = {"kcore.models.functional.Functional": ("keras.src.models.functional", "Functional")}

_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}
_scope = threading.local()


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator registering a class or function under ``"package>name"`` so configs that
    name it load without ``custom_objects``.

    Example::

        >>> @register_keras_serializable(package="my_package")
        ... class MyLayer(kcore.layers.Layer):
        ...     pass
        >>> get_registered_name(MyLayer)
        'my_package>MyLayer'
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"package must be a string without '>', got {package!r}")

    def decorator(obj: Any) -> Any:
        registered = f"{package}>{name or obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"cannot register {obj.__name__}: a class must define get_config() "
                "to be serializable"
            )
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


def get_registered_name(obj: Any) -> str:
    """The name ``obj`` is registered under, or its own ``__name__``."""
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_custom_objects() -> dict[str, Any]:
    """The global registry (name -> object); editing it registers objects."""
    return _GLOBAL_CUSTOM_OBJECTS


@contextlib.contextmanager
def custom_object_scope(custom_objects: dict[str, Any] | None) -> Iterator[None]:
    """Within the block, ``custom_objects`` are found by name when deserializing."""
    stack = _scope.__dict__.setdefault("stack", [])
    stack.append(dict(custom_objects or {}))
    try:
        yield
    finally:
        stack.pop()


#: Keras's name for the same scope.
CustomObjectScope = custom_object_scope


def _scoped_objects() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for objects in getattr(_scope, "stack", []):
        merged.update(objects)
    return merged


def get_registered_object(
    name: str, custom_objects: dict[str, Any] | None = None, module_objects: Any = None
) -> Any:
    """The object named ``name``: from ``custom_objects``, an active scope, the global
    registry, then ``module_objects`` (a dict or module); ``None`` when none has it."""
    for table in (custom_objects or {}, _scoped_objects(), _GLOBAL_CUSTOM_OBJECTS):
        if name in table:
            return table[name]
    if isinstance(module_objects, dict):
        return module_objects.get(name)
    if module_objects is not None:
        return getattr(module_objects, name, None)
    return None


def _public_module(cls: type) -> str:
    # A class may name its Keras module itself (Keras writes "keras" for keras.DTypePolicy).
    own = cls.__dict__.get("_keras_module")
    if own:
        return own
    module = cls.__module__
    best = max((p for p in _PUBLIC_MODULES if module.startswith(p)), key=len, default=None)
    return _PUBLIC_MODULES[best] if best else module


def serialize_keras_object(obj: Any) -> Any:
    """A JSON-ready description of ``obj`` (see the module docstring)."""
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if isinstance(obj, list | tuple):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if hasattr(obj, "dtype") and hasattr(obj, "shape") and not hasattr(obj, "get_config"):
        import numpy as np

        array = np.asarray(obj)
        if array.ndim == 0:
            return array.item()
        return {
            "class_name": "__numpy__",
            "config": {"value": array.tolist(), "dtype": str(array.dtype)},
        }
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        registered = _GLOBAL_CUSTOM_NAMES.get(obj)
        return {
            "module": _public_module_of_function(obj),
            "class_name": "function",
            "config": obj.__name__,
            "registered_name": registered or obj.__name__,
        }
    if inspect.isclass(obj):
        return {"class_name": "__typespec__", "config": get_registered_name(obj)}
    if not hasattr(obj, "get_config"):
        raise TypeError(
            f"cannot serialize {obj!r}: it has no get_config(); give its class a "
            "get_config() method"
        )
    cls = type(obj)
    registered = _GLOBAL_CUSTOM_NAMES.get(cls)
    module = None if registered else _public_module(cls)
    written_as = _WRITTEN_AS.get(f"{cls.__module__}.{cls.__qualname__}")
    if written_as is not None and not registered:
        # Keras 3 writes these classes under internal module names and reads them only so.
        module, registered = written_as
    # Keras 3 writes registered_name None for its own (public) classes.
    builtin = (
        module in _KCORE_MODULES
        and getattr(_import(_KCORE_MODULES[module]), cls.__name__, None) is cls
    )
    config = {
        "module": module,
        "class_name": cls.__name__,
        "config": serialize_keras_object(obj.get_config()),
        "registered_name": registered or (None if builtin else cls.__name__),
    }
    build_config = getattr(obj, "get_build_config", None)
    if callable(build_config):
        built = build_config()
        if built is not None:
            config["build_config"] = _keras_build_config(built)
    compile_config = getattr(obj, "get_compile_config", None)
    if callable(compile_config):
        compiled = compile_config()
        if compiled is not None:
            # Keras 3 writes it next to build_config; load_model(compile=True) compiles
            # the model again from it.
            config["compile_config"] = serialize_keras_object(compiled)
    return config


def _keras_build_config(built: Any) -> Any:
    """A layer's build config as Keras 3 writes it: the shapes of the arguments that
    were given (``None`` ones dropped), as ``{"input_shape": shape}`` when one is left
    and ``{"shapes_dict": {...}}`` otherwise."""
    if not isinstance(built, dict) or "input_shape" in built or "shapes_dict" in built:
        return built
    if not built or not all(isinstance(k, str) and k.endswith("_shape") for k in built):
        return built
    shapes = {k: v for k, v in built.items() if v is not None}
    if len(shapes) == 1:
        return {"input_shape": next(iter(shapes.values()))}
    return {"shapes_dict": shapes}


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _public_module_of_function(fn: Any) -> str:
    module = getattr(fn, "__module__", "") or ""
    best = max((p for p in _PUBLIC_MODULES if module.startswith(p)), key=len, default=None)
    return _PUBLIC_MODULES[best] if best else module


def deserialize_keras_object(
    config: Any,
    custom_objects: dict[str, Any] | None = None,
    safe_mode: bool = True,
    **kwargs: Any,
) -> Any:
    """The object a :func:`serialize_keras_object` config describes.

    ``config`` may also be a plain name (``"relu"``, ``"glorot_uniform"``), looked up in
    ``custom_objects``, the registry and ``module_objects``. Raises ``ValueError`` naming
    the class when nothing provides it.
    """
    # Keras's signature: module_objects (a dict or module to look names up in) comes as
    # a keyword.
    module_objects = kwargs.pop("module_objects", None)
    if config is None or isinstance(config, bool | int | float):
        return config
    if isinstance(config, list | tuple):
        return [
            deserialize_keras_object(c, custom_objects, safe_mode, module_objects=module_objects)
            for c in config
        ]
    if isinstance(config, str):
        found = get_registered_object(config, custom_objects, module_objects)
        if found is None:
            if module_objects is None and _plain_strings():
                return config
            raise ValueError(f"unknown object {config!r}: register it or pass it in custom_objects")
        return found
    if not isinstance(config, dict):
        raise TypeError(f"cannot deserialize {config!r} of type {type(config).__name__}")
    if "class_name" not in config:
        return {
            k: deserialize_keras_object(v, custom_objects, safe_mode) if _is_config(v) else v
            for k, v in config.items()
        }
    class_name = config["class_name"]
    inner = config.get("config")
    if class_name == "__numpy__":
        import numpy as np

        return np.asarray(inner["value"], dtype=inner["dtype"])
    if class_name == "__typespec__":
        return _find(inner, None, None, custom_objects, module_objects)
    if class_name == "function":
        name = config.get("registered_name") or inner
        return _find(name, config.get("module"), inner, custom_objects, module_objects)
    if class_name == "__lambda__":
        # Python bytecode: running it would execute code from the file.
        if _effective_safe_mode(safe_mode):
            raise ValueError(_UNSAFE_LAMBDA)
        from kcore.layers.core import _load_function

        if isinstance(inner, dict) and "value" in inner:  # Keras: (code, defaults, closure)
            code, defaults, closure = (list(inner["value"]) + [None, None])[:3]
            inner = {"code": code, "defaults": defaults, "closure": closure}
        return _load_function(inner)
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__slice__":
        return slice(
            *(
                deserialize_keras_object(inner[key], custom_objects, safe_mode)
                for key in ("start", "stop", "step")
            )
        )
    if class_name == "__tensor__":
        from kcore import ops

        return ops.convert_to_tensor(inner["value"], dtype=inner["dtype"])
    name = config.get("registered_name") or class_name
    cls = _find(name, config.get("module"), class_name, custom_objects, module_objects)
    if not hasattr(cls, "from_config"):
        raise TypeError(f"{class_name} has no from_config(); it cannot be deserialized")
    # An enclosing scope's safe_mode wins over the argument (nested from_config calls
    # pass none), as in Keras.
    with custom_object_scope(custom_objects), SafeModeScope(_effective_safe_mode(safe_mode)):
        obj = cls.from_config(inner if inner is not None else {})
        build_config = config.get("build_config")
        if build_config and hasattr(obj, "build_from_config") and not getattr(obj, "built", False):
            if isinstance(build_config, dict) and set(build_config) == {"shapes_dict"}:
                build_config = build_config["shapes_dict"]
            obj.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config:
            _compile_from_config(obj, compile_config)
    return obj


def _compile_from_config(obj: Any, compile_config: dict[str, Any]) -> None:
    compile_from_config = getattr(obj, "compile_from_config", None)
    if compile_from_config is None:
        import warnings

        warnings.warn(
            f"{type(obj).__name__} '{getattr(obj, 'name', '')}' was saved compiled, but "
            "it has no compile_from_config(): it is loaded uncompiled; call compile() "
            "on it before training",
            stacklevel=3,
        )
        return
    # A compile config holds names ("mse", "adam", "mae") that compile() resolves
    # itself: within it, as in Keras, a name nothing registers stays a string.
    _scope.plain_strings = getattr(_scope, "plain_strings", 0) + 1
    try:
        compile_from_config(compile_config)
    finally:
        _scope.plain_strings -= 1


def _plain_strings() -> bool:
    return getattr(_scope, "plain_strings", 0) > 0


_UNSAFE_LAMBDA = (
    "deserialize_keras_object: the config holds a Python lambda as bytecode; loading it "
    "would run code from the file, which is refused in safe mode. If you trust its "
    "source, pass safe_mode=False to the loading function or call "
    "kcore.config.enable_unsafe_deserialization() first."
)
_safe_mode_state = threading.local()


class SafeModeScope:
    """Within the block, nested ``from_config`` calls see ``safe_mode`` (read with
    :func:`in_safe_mode`): a ``Lambda`` refuses bytecode unless it is ``False``.

    Example::

        >>> with SafeModeScope(False):
        ...     layer = kcore.layers.Lambda.from_config(trusted_config)
    """

    def __init__(self, safe_mode: bool | None = True) -> None:
        self.safe_mode = safe_mode

    def __enter__(self) -> SafeModeScope:
        self._previous = getattr(_safe_mode_state, "value", None)
        if self.safe_mode is not None:
            _safe_mode_state.value = bool(self.safe_mode)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _safe_mode_state.value = self._previous


def in_safe_mode() -> bool | None:
    """The ``safe_mode`` of the innermost :class:`SafeModeScope`, ``False`` after
    :func:`kcore.config.enable_unsafe_deserialization`, else ``None``.

    Example::

        >>> with SafeModeScope(True):
        ...     in_safe_mode()
        True
    """
    from kcore import config as kconfig

    if kconfig._in_safe_mode() is False:
        return False
    return getattr(_safe_mode_state, "value", None)


def _effective_safe_mode(safe_mode: Any) -> bool:
    scoped = in_safe_mode()
    if scoped is not None:
        return scoped
    return safe_mode is not False


def _kcore_module_of_internal(module: str) -> str | None:
    """The kcore namespace for a Keras-internal module name, such as
    ``keras.src.backend.torch.optimizers.torch_adam`` (Keras on torch writes its Adam so)
    -> ``kcore.optimizers``: the first public namespace named in its path."""
    if not module.startswith("keras.src."):
        return None
    for part in module.split(".")[2:]:
        candidate = _KCORE_MODULES.get(f"keras.{part}")
        if candidate is not None:
            return candidate
    return None


def _is_config(value: Any) -> bool:
    return isinstance(value, dict) and "class_name" in value


def _find(
    name: str,
    module: str | None,
    short_name: str | None,
    custom_objects: dict[str, Any] | None,
    module_objects: Any,
) -> Any:
    found = get_registered_object(name, custom_objects, module_objects)
    if found is None and short_name and short_name != name:
        found = get_registered_object(short_name, custom_objects, module_objects)
    if found is None and module:
        kcore_module = _KCORE_MODULES.get(module) or _kcore_module_of_internal(module)
        if kcore_module is not None:
            found = getattr(importlib.import_module(kcore_module), short_name or name, None)
    if found is None:
        raise ValueError(
            f"could not find class or function {name!r}"
            + (f" (module {module!r})" if module else "")
            + ": register it with kcore.saving.register_keras_serializable() or pass it "
            "in custom_objects"
        )
    return found
