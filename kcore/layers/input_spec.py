"""``InputSpec``: what a layer accepts (rank, dimensions, dtype), checked on each call.

Example::

    >>> spec = InputSpec(min_ndim=2, axes={-1: 3})
    >>> assert_input_compatibility(spec, kcore.ops.ones((2, 4)), "dense")
    Traceback (most recent call last):
    ...
    ValueError: Input 0 of layer 'dense' is incompatible with the layer: expected axis -1 of input shape to have value 3, but received input with shape (2, 4)
"""

from __future__ import annotations

from typing import Any


class InputSpec:
    """The rank, shape, axes and dtype a layer's input must have.

    Args:
        dtype: the expected dtype, or None.
        shape: the expected shape (``None`` entries match any size).
        ndim, max_ndim, min_ndim: the expected rank, or its bounds.
        axes: ``{axis: size}`` for dimensions that must have a given size.
        allow_last_axis_squeeze: accept inputs whose rank differs by a trailing 1.
        name: the input's name (for dict inputs).
        optional: whether the input may be ``None``.
    """

    def __init__(
        self,
        dtype: Any = None,
        shape: Any = None,
        ndim: int | None = None,
        max_ndim: int | None = None,
        min_ndim: int | None = None,
        axes: dict[int, int] | None = None,
        allow_last_axis_squeeze: bool = False,
        name: str | None = None,
        optional: bool = False,
    ) -> None:
        from kcore.dtypes import standardize_dtype

        self.dtype = None if dtype is None else standardize_dtype(dtype)
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            self.axes = {int(k): v for k, v in (axes or {}).items()}
        except (TypeError, ValueError):
            raise TypeError(
                f"InputSpec: axes must map int axes to sizes, received {axes!r}"
            ) from None
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            rank = self.ndim if self.ndim is not None else self.max_ndim
            if max(self.axes) >= rank:
                raise ValueError(
                    f"InputSpec: axis {max(self.axes)} is out of range for rank {rank}"
                )

    def __repr__(self) -> str:
        parts = [
            f"{k}={v}"
            for k, v in (
                ("dtype", self.dtype),
                ("shape", self.shape),
                ("ndim", self.ndim),
                ("max_ndim", self.max_ndim),
                ("min_ndim", self.min_ndim),
                ("axes", self.axes or None),
            )
            if v is not None
        ]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self) -> dict[str, Any]:
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
            "optional": self.optional,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputSpec:
        return cls(**config)


def _shape(x: Any) -> tuple[Any, ...] | None:
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    try:
        return tuple(None if d is None else int(d) for d in shape)
    except TypeError:
        return tuple(shape.as_list())


def _fits(spec: InputSpec, x: Any) -> bool:
    """Whether one tensor plainly satisfies ``spec`` (False: let the full check decide)."""
    shape = getattr(x, "shape", None)
    if shape is None or spec.dtype is not None or spec.shape is not None:
        return False
    try:
        rank = len(shape)
        if spec.ndim is not None and rank != spec.ndim:
            return False
        if spec.min_ndim is not None and rank < spec.min_ndim:
            return False
        if spec.max_ndim is not None and rank > spec.max_ndim:
            return False
        for axis, value in spec.axes.items():
            if value is None:
                continue
            if not -rank <= axis < rank or shape[axis] != value:
                return False
    except TypeError:  # unknown rank
        return False
    return True


def assert_input_compatibility(input_spec: Any, inputs: Any, layer_name: str) -> None:
    """Raise ``ValueError`` naming the layer, the expected and the received shape when
    ``inputs`` do not match ``input_spec`` (one spec or a list, one per input)."""
    if input_spec.__class__ is InputSpec and _fits(input_spec, inputs):
        return  # the common case, checked without building any list
    specs = input_spec if isinstance(input_spec, list | tuple) else [input_spec]
    if isinstance(inputs, dict):
        names = [s.name for s in specs if s is not None]
        if names and all(n in inputs for n in names):
            flat = [inputs[n] for n in names]
        else:
            flat = list(inputs.values())
    elif isinstance(inputs, list | tuple):
        flat = list(inputs)
    else:
        flat = [inputs]
    if len(specs) > 1 and len(flat) != len(specs):
        raise ValueError(
            f"Layer '{layer_name}' expects {len(specs)} inputs, but it received "
            f"{len(flat)} input tensors"
        )
    for index, (spec, x) in enumerate(zip(specs, flat)):
        if spec is None:
            continue
        if x is None:
            if spec.optional:
                continue
            raise ValueError(f"Input {index} of layer '{layer_name}' is None but not optional")
        shape = _shape(x)
        if shape is None:
            continue
        where = f"Input {index} of layer '{layer_name}' is incompatible with the layer"
        rank = len(shape)
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and rank != spec.ndim:
            raise ValueError(
                f"{where}: expected ndim={spec.ndim}, found ndim={rank}. "
                f"Full shape received: {shape}"
            )
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(
                f"{where}: expected max_ndim={spec.max_ndim}, found ndim={rank}. "
                f"Full shape received: {shape}"
            )
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(
                f"{where}: expected min_ndim={spec.min_ndim}, found ndim={rank}. "
                f"Full shape received: {shape}"
            )
        if spec.dtype is not None:
            from kcore.dtypes import standardize_dtype

            dtype = standardize_dtype(x.dtype)
            if dtype != spec.dtype:
                raise ValueError(
                    f"{where}: expected dtype={spec.dtype}, found dtype={dtype}. "
                    f"Full shape received: {shape}"
                )
        for axis, value in spec.axes.items():
            if value is None:
                continue
            if not -rank <= axis < rank or shape[axis] not in (value, None):
                raise ValueError(
                    f"{where}: expected axis {axis} of input shape to have value {value}, "
                    f"but received input with shape {shape}"
                )
        if spec.shape is not None and rank == len(spec.shape):
            for expected, got in zip(spec.shape, shape):
                if expected is not None and got is not None and expected != got:
                    raise ValueError(f"{where}: expected shape={spec.shape}, found shape={shape}")
