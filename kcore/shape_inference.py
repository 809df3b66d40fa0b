"""Abstract evaluation helper shared by backends that evaluate on concrete shapes.

Frameworks whose abstract evaluation needs concrete dimensions (``jax.eval_shape``,
torch meta tensors, NumPy on zeros) run ``fn`` twice, each ``None`` dimension replaced
by a different size; output dimensions that differ between the two runs are unknown
(``None``) in the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kcore import _tree
from kcore.keras_tensor import KerasTensor

_PROBE_SIZES = (83, 89)  # unlikely to appear as a real dimension


def compute_output_spec_by_probing(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    make_placeholder: Callable[[tuple[int, ...], str], Any],
    run: Callable[..., Any],
    output_spec: Callable[[Any], KerasTensor],
) -> Any:
    """Return ``fn``'s output as KerasTensors for symbolic ``args``/``kwargs``.

    ``make_placeholder(shape, dtype)`` builds the backend's stand-in for a tensor;
    ``run(fn, args, kwargs)`` evaluates abstractly; ``output_spec(out)`` turns an
    output leaf into a KerasTensor with its concrete shape.
    """

    def spec_of(out: Any) -> Any:
        # Non-tensor outputs (None, Python numbers) pass through unchanged.
        return output_spec(out) if hasattr(out, "shape") and hasattr(out, "dtype") else out

    leaves = _tree.flatten((args, kwargs))
    has_unknown = any(
        isinstance(x, KerasTensor) and any(d is None for d in x.shape) for x in leaves
    )
    sizes = _PROBE_SIZES if has_unknown else _PROBE_SIZES[:1]
    results = []
    for size in sizes:

        def fill(x: Any, size: int = size) -> Any:
            if isinstance(x, KerasTensor):
                shape = tuple(size if d is None else d for d in x.shape)
                return make_placeholder(shape, x.dtype)
            return x

        a, k = _tree.map_structure(fill, (args, kwargs))
        results.append(_tree.map_structure(spec_of, run(fn, a, k)))
    if len(results) == 1:
        return results[0]
    second = iter(_tree.flatten(results[1]))

    def merge(spec: Any) -> Any:
        other = next(second)
        if not isinstance(spec, KerasTensor) or not isinstance(other, KerasTensor):
            return spec
        if len(spec.shape) != len(other.shape):
            return KerasTensor((None,) * len(spec.shape), spec.dtype)
        shape = tuple(a if a == b else None for a, b in zip(spec.shape, other.shape))
        return KerasTensor(shape, spec.dtype)

    return _tree.map_structure(merge, results[0])
