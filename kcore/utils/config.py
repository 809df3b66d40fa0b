"""``Config``: a dict of named settings with attribute access, freezing and JSON export.

Example::

    >>> config = kcore.utils.Config(learning_rate=0.1)
    >>> config.seed = 123
    >>> config["learning_rate"], config.seed
    (0.1, 123)
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Iterator
from typing import Any

#: Attribute names that belong to the object itself, never to the stored settings.
_OWN = frozenset({"_config", "_frozen"})


class Config:
    """A dict-like container for named values (Keras's ``keras.utils.Config``).

    Values are read and written as attributes or items; :meth:`freeze` makes every
    later change an error, and :meth:`to_json` serializes the whole config.

    Example::

        >>> config = Config(optimizer="adam")
        >>> config.epochs = 3
        >>> config.freeze()
        >>> config.epochs = 4
        Traceback (most recent call last):
        ValueError: Cannot change 'epochs': the config is frozen ...
    """

    def __init__(self, **kwargs: Any) -> None:
        object.__setattr__(self, "_config", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self) -> bool:
        """Whether the config refuses changes."""
        return self._frozen

    def freeze(self) -> None:
        """Refuse every later change (set, update, pop, delete)."""
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self) -> None:
        """Allow changes again."""
        object.__setattr__(self, "_frozen", False)

    def _check_mutable(self, what: str) -> None:
        if self._frozen:
            raise ValueError(
                f"Cannot change {what}: the config is frozen (call config.unfreeze() first)"
            )

    def as_dict(self) -> dict[str, Any]:
        """A shallow copy of the settings as a plain dict."""
        return copy.copy(self._config)

    def to_json(self) -> str:
        """The settings as a JSON string."""
        return json.dumps(self._config)

    def keys(self) -> Any:
        return self._config.keys()

    def values(self) -> Any:
        return self._config.values()

    def items(self) -> Any:
        return self._config.items()

    def get(self, keyname: str, value: Any = None) -> Any:
        return self._config.get(keyname, value)

    def pop(self, *args: Any) -> Any:
        self._check_mutable(repr(args[0]) if args else "the config")
        return self._config.pop(*args)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._check_mutable("the config")
        self._config.update(*args, **kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _OWN or hasattr(type(self), name):
            raise AttributeError(f"Config: {name!r} is a method or property, not a setting")
        self._check_mutable(repr(name))
        self._config[name] = value

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: a stored setting, or an error.
        config = self.__dict__.get("_config", {})
        if name in config:
            return config[name]
        message = f"Unknown attribute: {name!r}."
        close = difflib.get_close_matches(name, list(config), n=1, cutoff=0.7)
        if close:
            message += f" Did you mean {close[0]!r}?"
        raise AttributeError(message)

    def __setitem__(self, key: str, item: Any) -> None:
        self._check_mutable(repr(key))
        self._config[key] = item

    def __getitem__(self, key: str) -> Any:
        return self._config[key]

    def __delitem__(self, key: str) -> None:
        self._check_mutable(repr(key))
        del self._config[key]

    def __contains__(self, item: object) -> bool:
        return item in self._config

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._config))

    def __len__(self) -> int:
        return len(self._config)

    def __repr__(self) -> str:
        return f"<Config {self._config}>"
