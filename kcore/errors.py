"""Exceptions raised by kcore's core.

Every message says what was expected, what came, and what to do; the CLI prints
``str(error)`` as its one line on stderr.
"""

from __future__ import annotations


class KcoreError(Exception):
    """Base class of the errors kcore raises on purpose."""


class ConfigError(KcoreError, ValueError):
    """The user config file (``kcore.json``) or an environment variable is invalid."""


class BackendNotFoundError(KcoreError, LookupError):
    """A backend was asked for by a name that no installed distribution provides."""


class BackendUnavailableError(KcoreError, ImportError):
    """A backend is known but cannot be used: its framework or its plugin is broken or missing."""


class PluginAPIVersionError(KcoreError):
    """A plugin declares a plugin API version this kcore does not implement."""


class OpNotImplementedError(KcoreError, NotImplementedError):
    """An op has neither a native implementation on the backend nor a composite."""


class PluginConflictError(KcoreError):
    """Two plugins claim the same name (a quantization mode, an export format)."""


class OpError(KcoreError, ValueError):
    """An op was called with arguments it cannot take. The message names the op, what
    it expected and what it received; the same type on every backend. The framework's
    own exception is kept as ``original``."""

    original: BaseException | None = None
