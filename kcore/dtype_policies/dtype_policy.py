""":class:`DTypePolicy`: the dtypes a layer computes in and stores its variables in."""

from __future__ import annotations

from typing import Any

from kcore.dtypes import standardize_dtype

_FLOATS = frozenset(("float16", "bfloat16", "float32", "float64"))
_MIXED = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}


class DTypePolicy:
    """A dtype policy: a layer computes in ``compute_dtype`` and keeps its variables in
    ``variable_dtype``.

    ``name`` is a dtype name (``"float32"``, ``"bfloat16"``...: both dtypes equal) or
    ``"mixed_float16"`` / ``"mixed_bfloat16"`` (16-bit compute, ``float32``
    variables). ``None`` takes the global policy's name
    (:func:`kcore.config.dtype_policy`).

    Args:
        name: the policy's name.

    Example::

        >>> policy = DTypePolicy("mixed_float16")
        >>> policy.compute_dtype, policy.variable_dtype
        ('float16', 'float32')
    """

    _keras_module = "keras"  # where Keras 3 exports it (its configs say so)

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            from kcore.config import dtype_policy

            name = dtype_policy().name
        self._name = name
        self._compute_dtype, self._variable_dtype = self._parse_name(name)
        self._quantization_mode = None

    def _parse_name(self, name: Any) -> tuple[str, str]:
        if not isinstance(name, str):
            raise TypeError(
                "'name' must be a string, such as 'mixed_float16'. "
                f"Received: name={name!r} (of type {type(name)})"
            )
        if name in _MIXED:
            return _MIXED[name]
        try:
            dtype = standardize_dtype(name)
        except (ValueError, TypeError):
            raise ValueError(
                f"Cannot convert {name!r} to a mixed precision DTypePolicy. Valid policies "
                "include 'mixed_float16', 'mixed_bfloat16', and the name of any float dtype "
                "such as 'float32'."
            ) from None
        return dtype, dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype of the layer's variables."""
        return self._variable_dtype

    @property
    def compute_dtype(self) -> str:
        """The dtype the layer computes in (its inputs are cast to it)."""
        return self._compute_dtype

    @property
    def name(self) -> str:
        """The policy's name."""
        return self._name

    @property
    def quantization_mode(self) -> str | None:
        """``None``: this policy is not quantized."""
        return self._quantization_mode

    def convert_input(self, x: Any, autocast: bool, dtype: Any) -> Any:
        """``x`` as a tensor, cast to ``dtype`` when ``autocast`` is true and ``x`` is a
        floating-point tensor of another dtype. Objects that are neither tensors nor
        arrays are returned unchanged.

        Example::

            >>> x = DTypePolicy("float16").convert_input([1.0, 2.0], True, "float16")
        """
        from kcore import ops
        from kcore.keras_tensor import KerasTensor

        dtype = standardize_dtype(dtype)
        if not (isinstance(x, KerasTensor) or ops.is_tensor(x)):
            if not hasattr(x, "__array__"):  # Python numbers, lists...: left alone
                return x
            x = ops.convert_to_tensor(x)
        if autocast and self._should_cast(x, dtype):
            x = ops.cast(x, dtype)
        return x

    @staticmethod
    def _should_cast(x: Any, dtype: str) -> bool:
        from kcore import ops

        # ops.dtype: every backend's tensors (OpenVINO's have no .dtype attribute).
        x_dtype = x.dtype if hasattr(x, "dtype") else ops.dtype(x)
        x_dtype = standardize_dtype(x_dtype)
        return x_dtype in _FLOATS and x_dtype != dtype

    def get_config(self) -> dict[str, Any]:
        """``{"name": name}``."""
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DTypePolicy:
        """The policy :meth:`get_config` describes."""
        return cls(**config)

    def __repr__(self) -> str:
        class_name = type(self).__name__
        if class_name == "FloatDTypePolicy":
            class_name = "DTypePolicy"
        return f'<{class_name} "{self._name}">'

    def __eq__(self, other: object) -> bool:
        plain = (DTypePolicy, FloatDTypePolicy)
        if type(self) in plain:
            if type(other) not in plain:
                return False
        elif type(other) is not type(self):
            return False
        return self._name == other._name

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._name))


class FloatDTypePolicy(DTypePolicy):
    """The same as :class:`DTypePolicy` (Keras keeps this name for old configs).

    Example::

        >>> FloatDTypePolicy("bfloat16") == DTypePolicy("bfloat16")
        True
    """

    _keras_module = "keras"
