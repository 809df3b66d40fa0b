"""Which objects of a model hold state, at which paths of a weights file, and saving
and loading that state.

The paths are the ones Keras 3 writes, so files move both ways: a walk from the model
through its attributes, sorted by name with private ones (``_x``) last, into layers
and optimizers and through lists, tuples and dicts (whose items are named after their
class: ``dense``, ``dense_1``; nested containers ``container``, ``container_1``). A
Sequential or functional model's ``layers`` come first. Each object is visited once,
at the first path that reaches it. Attributes every layer has (``name``, the weight
lists, kcore's and Keras's own bookkeeping) are not walked.

Loading checks before it assigns: every layer using the default
:meth:`~kcore.layers.Layer.load_own_variables` has its values checked (count, shape,
dtype) first, objects with their own loaders run before those, and a failure in one
of them restores the variables they had; so a file that does not fit leaves the model
as it was.

Example::

    >>> [path for path, _ in walk(kcore.Sequential([kcore.Input((3,)), Dense(2)]))]
    ['', 'layers/dense']
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from typing import Any


def _layers() -> Any:
    # Imported on use: kcore.saving loads with the serialization API, before any
    # backend is needed.
    from kcore.layers import layer

    return layer


#: Layer attributes Keras 3.15.1 has on every layer (so its walk skips them) that could
#: hold layers or containers, beyond those of a kcore layer.
_KERAS_LAYER_ATTRIBUTES = frozenset(
    {
        "_layers",
        "_metrics",
        "_tracker",
        "_tracked",
        "_trainable_variables",
        "_non_trainable_variables",
        "_outbound_nodes",
        "_input_spec",
        "_supports_masking",
        "_called",
        "_path",
        "_parent_path",
        "_lock",
        "_build_shapes_dict",
        "_loss_ids",
        "_losses_override",
        "_remat_mode",
        "_call_signature",
    }
)
#: kcore's own model bookkeeping: the layer stack of a Sequential (with its
#: InputLayer, which Keras's walk does not reach) and a functional model's graph.
_KCORE_MODEL_ATTRIBUTES = frozenset(
    {"_stack", "_graph", "_graph_layers", "_graph_inputs", "_graph_outputs"}
)
#: Modules whose class properties are not walked (the base classes' own properties).
_BASE_MODULES = ("kcore.layers.layer", "kcore.models.", "kcore.trainers.", "torch", "builtins")
_skipped: frozenset[str] | None = None


def _skip_names() -> frozenset[str]:
    global _skipped
    if _skipped is None:
        reference = _layers().Layer(name="_kcore_saving_reference")
        names = set(dir(reference)) | set(reference._kcore_attrs)
        _skipped = frozenset(names | _KERAS_LAYER_ATTRIBUTES | _KCORE_MODEL_ATTRIBUTES)
    return _skipped


def is_saveable(obj: Any) -> bool:
    """Whether ``obj`` is walked: a layer, or an object that saves its own variables
    (an optimizer)."""
    if isinstance(obj, _layers().Layer):
        return True
    if isinstance(obj, type):
        return False
    return callable(getattr(obj, "save_own_variables", None)) and callable(
        getattr(obj, "load_own_variables", None)
    )


def _name_key(name: str) -> str:
    # Private attributes last, as Keras sorts them.
    return f"~{name}" if name.startswith("_") else name


def _is_graph_model(obj: Any) -> bool:
    from kcore.models import Sequential

    return isinstance(obj, Sequential) or obj.__dict__.get("_graph") is not None


def _layer_children(layer: Any) -> Iterator[tuple[str, Any]]:
    from kcore.models import Model

    skip = _skip_names()
    names = {n for n in layer._kcore_attrs if n not in layer._kcore_untracked}
    for cls in type(layer).__mro__:
        if cls.__module__.startswith(_BASE_MODULES):
            continue
        names.update(k for k, v in vars(cls).items() if isinstance(v, property))
    if isinstance(layer, Model):
        names.update(("layers", "optimizer"))
        if _is_graph_model(layer):
            yield "layers", layer.layers
    for name in sorted(names - skip, key=_name_key):
        if name.startswith("__"):
            continue
        try:
            value = getattr(layer, name)
        except Exception:  # a property that cannot be read now is not state
            continue
        yield name, value


def _object_children(obj: Any) -> Iterator[tuple[str, Any]]:
    for name in sorted(getattr(obj, "__dict__", {}), key=_name_key):
        if not name.startswith("__"):
            yield name, obj.__dict__[name]


def walk(root: Any, skip: Any = ()) -> list[tuple[str, Any]]:
    """``(path, object)`` for every object holding state under ``root`` (itself at
    ``""``), in Keras 3's order; objects in ``skip`` (and what only they reach) are
    left out."""
    Layer = _layers().Layer
    snake_case = _layers().snake_case
    visited = {id(o) for o in skip}
    found: list[tuple[str, Any]] = []

    def join(path: str, name: str) -> str:
        return f"{path}/{name}" if path else name

    def visit(obj: Any, path: str) -> None:
        if id(obj) in visited:
            return
        visited.add(id(obj))
        found.append((path, obj))
        children = _layer_children(obj) if isinstance(obj, Layer) else _object_children(obj)
        for name, child in children:
            if is_saveable(child):
                visit(child, join(path, name))
            elif isinstance(child, list | tuple | dict):
                visit_container(child, join(path, name), set())

    def visit_container(container: Any, path: str, seen: set[int]) -> None:
        if id(container) in seen:
            return
        seen.add(id(container))
        used: dict[str, int] = {}
        items = container.values() if isinstance(container, dict) else container
        for item in list(items):
            if is_saveable(item):
                visit(item, join(path, _unique(snake_case(type(item).__name__), used)))
            elif isinstance(item, list | tuple | dict):
                visit_container(item, join(path, _unique("container", used)), seen)

    visit(root, "")
    return found


def _unique(name: str, used: dict[str, int]) -> str:
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _metadata(obj: Any) -> dict[str, Any] | None:
    name = getattr(obj, "name", None)
    return {"name": name} if isinstance(name, str) else None


def save_state(root: Any, writer: Any, assets_dir: str | None = None, skip: Any = ()) -> None:
    """Write the state of every object under ``root`` to ``writer`` (a
    :class:`~kcore.saving.h5_store.WeightsWriter`) and, when ``assets_dir`` is given,
    each object's assets to ``assets_dir/<path>``."""
    for path, obj in walk(root, skip):
        save = getattr(obj, "save_own_variables", None)
        if callable(save) and writer is not None:
            save(writer.make(path, _metadata(obj)))
        save_assets = getattr(obj, "save_assets", None)
        if callable(save_assets) and assets_dir is not None:
            directory = os.path.join(assets_dir, *path.split("/")) if path else assets_dir
            os.makedirs(directory, exist_ok=True)
            save_assets(directory)


def _describe(path: str, obj: Any) -> str:
    name = getattr(obj, "name", None)
    label = f"{type(obj).__name__} '{name}'" if isinstance(name, str) else type(obj).__name__
    return f"{label} at '{path or '/'}'"


def _own_state(obj: Any) -> list[Any]:
    if isinstance(obj, _layers().Layer):
        return list(obj._own_variables)
    variables = getattr(obj, "variables", None)
    return list(variables) if isinstance(variables, list | tuple) else []


class _Snapshot:
    """The values of some variables, to put back when a load fails half-way."""

    def __init__(self) -> None:
        self._saved: list[tuple[Any, Any]] = []
        self._seen: set[int] = set()

    def add(self, obj: Any) -> None:
        for variable in _own_state(obj):
            if id(variable) not in self._seen and hasattr(variable, "numpy"):
                self._seen.add(id(variable))
                self._saved.append((variable, variable.numpy()))

    def restore(self) -> None:
        for variable, value in self._saved:
            try:
                variable.assign(value)
            except Exception:  # best effort: the error being raised says what failed
                pass


def load_state(
    root: Any,
    reader: Any,
    assets_dir: str | None = None,
    skip_mismatch: bool = False,
    skip: Any = (),
    source: str = "the weights file",
) -> None:
    """Load the state of every object under ``root`` from ``reader`` (a
    :class:`~kcore.saving.h5_store.WeightsReader`), and assets from ``assets_dir``.

    Raises ``ValueError`` naming every object that does not fit (leaving the model
    unchanged), or, with ``skip_mismatch``, warns and leaves those objects as they are.
    """
    Layer = _layers().Layer
    entries = walk(root, skip)
    checked: list[tuple[str, Any, Any]] = []
    custom: list[tuple[str, Any, Any]] = []
    problems: list[str] = []
    for path, obj in entries:
        load = getattr(obj, "load_own_variables", None)
        has_assets = assets_dir is not None and callable(getattr(obj, "load_assets", None))
        if not callable(load) and not has_assets:
            continue
        store = reader.get(path) if reader is not None else {}
        if isinstance(obj, Layer) and type(obj).load_own_variables is Layer.load_own_variables:
            try:
                values = _layers()._checked_own_values(obj, obj._own_weights(), store)
            except ValueError as error:
                problems.append(f"{error} (at '{path or '/'}')")
                continue
            if has_assets:
                custom.append((path, obj, store))
            else:
                checked.append((path, obj, values))
        else:
            custom.append((path, obj, store))
    if problems and not skip_mismatch:
        raise ValueError(_failure(source, problems))
    snapshot = _Snapshot()
    try:
        for path, obj, store in custom:
            snapshot.add(obj)
            try:
                load = getattr(obj, "load_own_variables", None)
                if callable(load) and reader is not None:
                    load(store)
                if assets_dir is not None and callable(getattr(obj, "load_assets", None)):
                    obj.load_assets(_assets_path(assets_dir, path))
            except Exception as error:
                if not skip_mismatch:
                    raise ValueError(
                        _failure(source, [f"{_describe(path, obj)}: {error}"])
                    ) from error
                problems.append(f"{_describe(path, obj)}: {error}")
    except BaseException:
        snapshot.restore()
        raise
    for _, obj, values in checked:
        for variable, value in zip(obj._own_weights(), values):
            variable.assign(value)
    if problems:
        warnings.warn(
            _failure(source, problems) + " They were skipped (skip_mismatch=True).",
            stacklevel=3,
        )


def _assets_path(assets_dir: str, path: str) -> str:
    directory = os.path.join(assets_dir, *path.split("/")) if path else assets_dir
    if not os.path.isdir(directory):
        # No assets were saved for this object: it gets an empty directory, and says
        # itself whether it needed something there.
        directory = os.path.join(assets_dir, ".kcore-empty")
        os.makedirs(directory, exist_ok=True)
    return directory


def _failure(source: str, problems: list[str]) -> str:
    count = len(problems)
    head = f"{source}: {count} object{'s' if count != 1 else ''} could not be loaded"
    return head + ":\n  " + "\n  ".join(problems)
