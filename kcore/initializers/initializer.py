""":class:`Initializer`: the base class of every initializer."""

from __future__ import annotations

from typing import Any


class Initializer:
    """Base class of initializers: ``initializer(shape, dtype=None)`` returns a tensor
    of the selected backend holding the initial value of a variable.

    A subclass implements ``__call__`` and, if its constructor takes arguments,
    ``get_config`` returning them (``from_config`` calls the constructor with them).

    Example::

        >>> class Halves(Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return kcore.ops.full(shape, 0.5, dtype=dtype)
        >>> Halves()((2, 2))   # doctest: +SKIP
    """

    _keras_module = "keras"  # where Keras 3 exports it (its configs say so)

    def __init__(self) -> None:
        pass

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} must implement __call__(shape, dtype=None)"
        )

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments of this initializer (JSON-ready)."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        """The initializer :meth:`get_config` describes."""
        return cls(**config)

    def clone(self) -> Initializer:
        """A new initializer with the same configuration (a ``SeedGenerator`` seed is
        re-created from its config, so the clone starts the same sequence afresh)."""
        return type(self).from_config(self.get_config())
