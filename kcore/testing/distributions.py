"""Build throwaway distributions on disk, for testing plugin discovery for real.

:func:`make_distribution` writes the package's modules and a real ``.dist-info``
folder (``METADATA``, ``entry_points.txt``, ``RECORD``) into a folder; putting that
folder on ``sys.path`` or ``PYTHONPATH`` makes ``importlib.metadata`` find the
distribution and its entry points exactly as it finds a pip-installed one.

Example::

    make_distribution(
        tmp_path, "kcore-toy", "0.0.1",
        modules={"kcore_toy/__init__.py": "", "kcore_toy/descriptor.py": SOURCE},
        entry_points={"kcore.backends": {"toy": "kcore_toy.descriptor"}},
    )
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from pathlib import Path


def make_distribution(
    root: Path,
    name: str,
    version: str,
    modules: Mapping[str, str],
    entry_points: Mapping[str, Mapping[str, str]],
    requires: tuple[str, ...] = ("kcore",),
) -> Path:
    """Write distribution ``name`` into ``root`` and return its dist-info folder."""
    root = Path(root)
    written = []
    for relative, source in modules.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        written.append(relative)
    folder = re.sub(r"[-_.]+", "_", name)
    dist_info = root / f"{folder}-{version}.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        *(f"Requires-Dist: {r}" for r in requires),
    ]
    (dist_info / "METADATA").write_text("\n".join(metadata) + "\n", encoding="utf-8")
    lines = []
    for group, entries in entry_points.items():
        lines.append(f"[{group}]")
        lines.extend(f"{key} = {value}" for key, value in entries.items())
        lines.append("")
    (dist_info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")
    (dist_info / "INSTALLER").write_text("kcore.testing\n", encoding="utf-8")
    record = [f"{p},," for p in written]
    record += [f"{dist_info.name}/{f},," for f in ("METADATA", "entry_points.txt", "INSTALLER")]
    record.append(f"{dist_info.name}/RECORD,,")
    (dist_info / "RECORD").write_text("\n".join(record) + "\n", encoding="utf-8")
    return dist_info
