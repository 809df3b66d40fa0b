"""The op reference, derived from the declarations: ``python -m kcore.ops.reference``.

Prints Markdown with one entry per declared op, grouped by namespace: the Keras 3
signature, whether a composite fallback exists, and the first paragraph of the
docstring. ``docs/ops.md`` is this output; a test keeps it current.

Example::

    python -m kcore.ops.reference > docs/ops.md
"""

from __future__ import annotations

from kcore.ops import contract

_TITLES = {
    "numpy": "NumPy-style ops (`kcore.ops`, `kcore.ops.numpy`)",
    "core": "Core ops (`kcore.ops`)",
    "nn": "Neural-network ops (`kcore.ops`, `kcore.ops.nn`)",
    "math": "Math and signal ops (`kcore.ops`, `kcore.ops.math`)",
    "linalg": "Linear algebra (`kcore.ops`, `kcore.ops.linalg`)",
    "image": "Image ops (`kcore.ops.image`)",
    "random": "Random sampling (`kcore.random`)",
}


def _summary(doc: str) -> str:
    paragraph = doc.strip().split("\n\n")[0]
    return " ".join(line.strip() for line in paragraph.splitlines())


def markdown() -> str:
    """The reference as Markdown text."""
    from kcore import ops  # noqa: F401 - load every declaration

    lines = [
        "# Op reference",
        "",
        "Generated from the op declarations by `python -m kcore.ops.reference`; do not edit.",
        "Every op has Keras 3's signature. *composite* means the core has a fallback",
        "written in other ops, so a backend may leave it out; `kcore ops matrix` shows",
        "which ops each installed backend implements natively.",
        "",
    ]
    namespaces: dict[str, list[contract.OpSpec]] = {}
    for spec in contract.SPECS.values():
        namespaces.setdefault(spec.namespace, []).append(spec)
    for namespace in sorted(
        namespaces, key=lambda n: list(_TITLES).index(n) if n in _TITLES else 99
    ):
        specs = sorted(namespaces[namespace], key=lambda s: s.name)
        lines += [f"## {_TITLES.get(namespace, namespace)}", "", f"{len(specs)} ops.", ""]
        for spec in specs:
            kind = " *(composite)*" if spec.composite is not None else ""
            lines.append(f"- `{spec.name}{spec.signature}`{kind}: {_summary(spec.doc)}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")
