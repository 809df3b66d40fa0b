"""Global settings: which backend runs, float type, epsilon, image data format.

The backend is chosen once per process, in this order:

1. the ``KCORE_BACKEND`` environment variable;
2. ``"backend"`` in the user config file ``$KCORE_HOME/kcore.json``
   (``KCORE_HOME`` defaults to ``~/.kcore``);
3. the first installed of ``jax``, ``torch``, ``tensorflow``;
4. the built-in ``numpy`` backend (inference only).

The config file may also set ``floatx``, ``epsilon`` and ``image_data_format``, as
Keras's ``keras.json`` does. Example ``~/.kcore/kcore.json``::

    {"backend": "torch", "floatx": "float32"}

Example::

    >>> import kcore
    >>> kcore.config.backend()        # doctest: +SKIP
    'jax'
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs

from kcore.errors import ConfigError

ENV_BACKEND = "KCORE_BACKEND"
ENV_HOME = "KCORE_HOME"
CONFIG_FILENAME = "kcore.json"
AUTO_ORDER = ("jax", "torch", "tensorflow")
FALLBACK_BACKEND = "numpy"

_FLOATX = ("bfloat16", "float16", "float32", "float64")
_DATA_FORMATS = ("channels_last", "channels_first")
_KNOWN_KEYS = {"backend", "floatx", "epsilon", "image_data_format"}


@attrs.frozen
class Settings:
    """The settings in force, as the ``kcore_configure`` hook receives them."""

    backend: str
    backend_source: str
    floatx: str
    epsilon: float
    image_data_format: str
    config_file: str | None


def kcore_home() -> Path:
    """The folder that holds ``kcore.json``: ``$KCORE_HOME``, default ``~/.kcore``."""
    home = os.environ.get(ENV_HOME)
    return Path(home).expanduser() if home else Path.home() / ".kcore"


def config_file_path() -> Path:
    """Where the user config file is read from (it need not exist)."""
    return kcore_home() / CONFIG_FILENAME


def read_config_file(path: Path | None = None) -> dict[str, Any]:
    """Read and validate the user config file; ``{}`` when there is none.

    Raises :class:`~kcore.errors.ConfigError` naming the file and the problem.
    """
    path = config_file_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"config file {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}); fix it or delete it"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"config file {path} must hold a JSON object such as "
            f'{{"backend": "jax"}}, got {type(data).__name__}; fix it or delete it'
        )
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"config file {path} has unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed keys: {', '.join(sorted(_KNOWN_KEYS))}"
        )
    if "backend" in data and not (isinstance(data["backend"], str) and data["backend"]):
        raise ConfigError(f"config file {path}: 'backend' must be a backend name string")
    where = f"config file {path}"
    if "floatx" in data:
        _check_floatx(data["floatx"], where)
    if "epsilon" in data:
        _check_epsilon(data["epsilon"], where)
    if "image_data_format" in data:
        _check_data_format(data["image_data_format"], where)
    return data


def _check_floatx(value: Any, where: str) -> str:
    if value not in _FLOATX:
        raise ConfigError(f"{where}: floatx must be one of {', '.join(_FLOATX)}, got {value!r}")
    return value


def _check_epsilon(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{where}: epsilon must be a positive number, got {value!r}")
    return float(value)


def _check_data_format(value: Any, where: str) -> str:
    if value not in _DATA_FORMATS:
        raise ConfigError(
            f"{where}: image_data_format must be one of {', '.join(_DATA_FORMATS)}, got {value!r}"
        )
    return value


class _State:
    """Process-wide settings, filled lazily from the config file."""

    def __init__(self) -> None:
        self.backend: str | None = None
        self.backend_source: str | None = None
        self.file_data: dict[str, Any] | None = None
        self.overrides: dict[str, Any] = {}

    def file(self) -> dict[str, Any]:
        if self.file_data is None:
            self.file_data = read_config_file()
        return self.file_data

    def value(self, key: str, default: Any) -> Any:
        if key in self.overrides:
            return self.overrides[key]
        return self.file().get(key, default)


_state = _State()


def _select_backend() -> tuple[str, str]:
    from kcore import registry

    env = os.environ.get(ENV_BACKEND, "").strip()
    if env:
        return _usable(env, ENV_BACKEND), ENV_BACKEND
    data = _state.file()
    if "backend" in data:
        path = str(config_file_path())
        return _usable(data["backend"], path), path
    available = set(registry.available_backends())
    for name in AUTO_ORDER:
        if name in available:
            return name, "auto"
    return FALLBACK_BACKEND, "auto"


def _usable(name: str, source: str) -> str:
    """The canonical name of an explicitly requested backend, if it can be loaded."""
    from kcore import registry
    from kcore.errors import BackendUnavailableError

    canonical = registry.canonical_backend_name(name, source=source)
    record = registry.find_backend_record(canonical)
    if record is not None and not record.ok:
        raise BackendUnavailableError(
            f"{source}={name!r}: backend '{canonical}' ({record.distribution}) is broken: "
            f"{record.error}"
        )
    return canonical


def backend() -> str:
    """The canonical name of the selected backend (``"tensorflow"``, never ``"tf"``).

    Resolves the selection on first call without importing any framework. Raises
    :class:`~kcore.errors.BackendNotFoundError` or :class:`~kcore.errors.ConfigError`
    with the fix when ``KCORE_BACKEND`` or the config file names something unusable.

    Example::

        >>> kcore.config.backend()   # doctest: +SKIP
        'jax'
    """
    if _state.backend is None:
        _state.backend, _state.backend_source = _select_backend()
    return _state.backend


def backend_source() -> str:
    """Where the selection came from: ``KCORE_BACKEND``, a config file path, ``auto``
    or ``set_backend``."""
    backend()
    return _state.backend_source or "auto"


def set_backend(backend: str) -> None:
    """Select ``backend`` (a name) for this process, overriding ``KCORE_BACKEND`` and the file.

    If ``kcore.ops`` is already bound it is rebound to the new backend; functions
    imported from it earlier (``from kcore.ops import add``) keep the old backend, and
    tensors and variables made before belong to the old framework, as in Keras.

    Example::

        >>> kcore.config.set_backend("numpy")
    """
    import sys

    from kcore import registry

    canonical = registry.canonical_backend_name(backend)
    _state.backend, _state.backend_source = canonical, "set_backend"
    ops_module = sys.modules.get("kcore.ops")
    if ops_module is not None and getattr(ops_module, "_bound_backend", None) is not None:
        ops_module._bind()


def floatx() -> str:
    """The default float dtype, ``"float32"`` unless configured.

    Example::

        >>> kcore.config.floatx()
        'float32'
    """
    return _state.value("floatx", "float32")


def set_floatx(value: str) -> None:
    """Set the default float dtype (``"float16"``, ``"bfloat16"``, ``"float32"``, ``"float64"``).

    Example::

        >>> kcore.config.set_floatx("float64")
    """
    _state.overrides["floatx"] = _check_floatx(value, "set_floatx")
    _forget_promotions()


def epsilon() -> float:
    """The fuzz factor used in numeric expressions, ``1e-7`` unless configured.

    Example::

        >>> kcore.config.epsilon()
        1e-07
    """
    return float(_state.value("epsilon", 1e-7))


def set_epsilon(value: float) -> None:
    """Set the fuzz factor returned by :func:`epsilon`.

    Example::

        >>> kcore.config.set_epsilon(1e-5)
    """
    _state.overrides["epsilon"] = _check_epsilon(value, "set_epsilon")


def image_data_format() -> str:
    """``"channels_last"`` (default) or ``"channels_first"``.

    Example::

        >>> kcore.config.image_data_format()
        'channels_last'
    """
    return _state.value("image_data_format", "channels_last")


def set_image_data_format(data_format: str) -> None:
    """Set the default image data format.

    Example::

        >>> kcore.config.set_image_data_format("channels_first")
    """
    _state.overrides["image_data_format"] = _check_data_format(data_format, "set_image_data_format")


def settings() -> Settings:
    """The resolved :class:`Settings`."""
    path = config_file_path()
    return Settings(
        backend=backend(),
        backend_source=backend_source(),
        floatx=floatx(),
        epsilon=epsilon(),
        image_data_format=image_data_format(),
        config_file=str(path) if path.is_file() else None,
    )


# -- Keras's other global switches (all kept in _state.overrides, so _reset() clears them)


def dtype_policy() -> Any:
    """The global :class:`kcore.dtype_policies.DTypePolicy`; by default the policy named
    by :func:`floatx` at the first call.

    Example::

        >>> kcore.config.dtype_policy()
        <DTypePolicy "float32">
    """
    policy = _state.overrides.get("dtype_policy")
    if policy is None:
        from kcore.dtype_policies import DTypePolicy

        policy = _state.overrides["dtype_policy"] = DTypePolicy(floatx())
    return policy


def set_dtype_policy(policy: Any) -> None:
    """Set the global dtype policy: a name (``"mixed_float16"``, ``"bfloat16"``...) or a
    :class:`kcore.dtype_policies.DTypePolicy`. Layers made afterwards use it.

    Example::

        >>> kcore.config.set_dtype_policy("mixed_float16")
        >>> kcore.config.dtype_policy().compute_dtype
        'float16'
    """
    from kcore.dtype_policies import DTypePolicy

    if isinstance(policy, str):
        policy = DTypePolicy(policy)
    elif not isinstance(policy, DTypePolicy):
        raise ValueError(
            "Invalid `policy` argument. Expected the string name of a policy (such as "
            f"'mixed_float16') or a `DTypePolicy` instance. Received: policy={policy!r} "
            f"(of type {type(policy)})"
        )
    _state.overrides["dtype_policy"] = policy


def enable_interactive_logging() -> None:
    """Progress bars and logs go to stdout (the default).

    Example::

        >>> kcore.config.enable_interactive_logging()
    """
    _state.overrides["interactive_logging"] = True


def disable_interactive_logging() -> None:
    """Logs go through Python's ``logging`` instead of interactive stdout output.

    Example::

        >>> kcore.config.disable_interactive_logging()
    """
    _state.overrides["interactive_logging"] = False


def is_interactive_logging_enabled() -> bool:
    """Whether interactive logging is on (default ``True``).

    Example::

        >>> kcore.config.is_interactive_logging_enabled()
        True
    """
    return _state.overrides.get("interactive_logging", True)


def enable_traceback_filtering() -> None:
    """Hide kcore's internal frames from tracebacks (the default).

    Example::

        >>> kcore.config.enable_traceback_filtering()
    """
    _state.overrides["traceback_filtering"] = True


def disable_traceback_filtering() -> None:
    """Show full tracebacks, kcore's internal frames included.

    Example::

        >>> kcore.config.disable_traceback_filtering()
    """
    _state.overrides["traceback_filtering"] = False


def is_traceback_filtering_enabled() -> bool:
    """Whether traceback filtering is on (default ``True``).

    Example::

        >>> kcore.config.is_traceback_filtering_enabled()
        True
    """
    return _state.overrides.get("traceback_filtering", True)


def enable_unsafe_deserialization() -> None:
    """Allow loading configs that run code (``Lambda`` layers' bytecode): turns
    ``safe_mode`` off for the rest of the process. Only for files you trust.

    Example::

        >>> kcore.config.enable_unsafe_deserialization()
    """
    _state.overrides["safe_mode"] = False


def _in_safe_mode() -> bool | None:
    """``False`` after :func:`enable_unsafe_deserialization`, else ``None`` (the caller's
    ``safe_mode`` argument decides)."""
    return _state.overrides.get("safe_mode")


def enable_flash_attention() -> None:
    """Let attention layers use flash attention where the backend and inputs allow it.

    Example::

        >>> kcore.config.enable_flash_attention()
    """
    _state.overrides["flash_attention"] = None


def disable_flash_attention() -> None:
    """Never use flash attention.

    Example::

        >>> kcore.config.disable_flash_attention()
    """
    _state.overrides["flash_attention"] = False


def is_flash_attention_enabled() -> bool | None:
    """``False`` after :func:`disable_flash_attention`, else ``None`` (automatic), as
    in Keras 3.

    Example::

        >>> kcore.config.is_flash_attention_enabled() is None
        True
    """
    return _state.overrides.get("flash_attention")


def is_nnx_enabled() -> bool:
    """Whether Flax NNX integration is on: always ``False`` in kcore.

    Example::

        >>> kcore.config.is_nnx_enabled()
        False
    """
    return False


def _env_limit(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from None


def max_epochs() -> int | None:
    """The cap on epochs in any ``fit`` (``None``: no cap), set by :func:`set_max_epochs`
    or the ``KCORE_MAX_EPOCHS`` environment variable.

    Example::

        >>> kcore.config.max_epochs() is None
        True
    """
    if "max_epochs" in _state.overrides:
        return _state.overrides["max_epochs"]
    return _env_limit("KCORE_MAX_EPOCHS")


def set_max_epochs(max_epochs: int | None) -> None:
    """Cap the number of epochs of every ``fit`` (``None`` removes the cap).

    Example::

        >>> kcore.config.set_max_epochs(1)
    """
    _state.overrides["max_epochs"] = max_epochs


def max_steps_per_epoch() -> int | None:
    """The cap on steps per epoch in ``fit``/``evaluate``/``predict`` (``None``: no cap),
    set by :func:`set_max_steps_per_epoch` or ``KCORE_MAX_STEPS_PER_EPOCH``.

    Example::

        >>> kcore.config.max_steps_per_epoch() is None
        True
    """
    if "max_steps_per_epoch" in _state.overrides:
        return _state.overrides["max_steps_per_epoch"]
    return _env_limit("KCORE_MAX_STEPS_PER_EPOCH")


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Cap the steps of every epoch (``None`` removes the cap).

    Example::

        >>> kcore.config.set_max_steps_per_epoch(10)
    """
    _state.overrides["max_steps_per_epoch"] = max_steps_per_epoch


def _forget_promotions() -> None:
    # Weak float results depend on floatx.
    import sys

    dtypes = sys.modules.get("kcore.dtypes")
    if dtypes is not None:
        dtypes._FAST.clear()


def _reset() -> None:
    """Forget the selection and the file's contents (tests use this)."""
    global _state
    _state = _State()
    _forget_promotions()
