"""Files on disk, safely: atomic writes, and reading ``.keras`` zip archives without
trusting them.

A save writes a temporary file in the target's directory and renames it into place
(``os.replace``), so an interrupted save leaves the previous file whole. An archive is
read only after its member list is checked: a member named outside the archive root
(an absolute path, ``..``, a drive or a backslash) or one larger than the limits (or
decompressing to far more than it stores) is refused before anything is read.

Example::

    >>> with atomic_path("model.keras") as temporary:
    ...     write_the_archive(temporary)       # model.keras appears only at the end
    >>> with open_archive("model.keras") as archive:
    ...     config = read_member(archive, "config.json")
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any

#: Largest JSON member read (configs are kilobytes; this is generous).
MAX_JSON_BYTES = 1 << 28
#: Largest member of any kind (the weights of a very large model fit).
MAX_MEMBER_BYTES = 1 << 38
#: A member over this size must not decompress to more than _MAX_EXPANSION times what
#: it stores (Keras writes members uncompressed; deflate stays well under 1:1100).
BOMB_FLOOR_BYTES = 1 << 28
_MAX_EXPANSION = 100


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _file_mode() -> int:
    # mkstemp makes owner-only files; a saved model gets the usual permissions.
    return 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_path(filepath: str) -> Iterator[str]:
    """A temporary path next to ``filepath``; when the block ends without error it is
    flushed to disk and renamed to ``filepath`` (replacing it in one step), else it
    is removed and ``filepath`` is untouched."""
    filepath = os.fspath(filepath)
    directory = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"cannot save to {filepath}: the directory {directory} does not exist; create it first"
        )
    handle, temporary = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(filepath)}.", suffix=".tmp"
    )
    os.close(handle)
    try:
        yield temporary
        with open(temporary, "rb+") as flushed:
            os.fsync(flushed.fileno())
        os.chmod(temporary, _file_mode())
        os.replace(temporary, filepath)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def atomic_directory(dirpath: str) -> Iterator[str]:
    """Like :func:`atomic_path` for a directory: filled aside, then swapped in."""
    dirpath = os.fspath(dirpath).rstrip("/\\") or dirpath
    parent = os.path.dirname(os.path.abspath(dirpath))
    os.makedirs(parent, exist_ok=True)
    temporary = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(dirpath)}.")
    try:
        yield temporary
        os.chmod(temporary, 0o777 & ~_umask())
        if os.path.isdir(dirpath):
            old = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(dirpath)}.old.")
            os.rmdir(old)
            os.replace(dirpath, old)
            os.replace(temporary, dirpath)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temporary, dirpath)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    parts = name.split("/")
    if (
        name.startswith("/")
        or "\\" in name
        or ".." in parts
        or (len(name) > 1 and name[1] == ":")
        or "\x00" in name
    ):
        return f"member {name!r} is named outside the archive root"
    if info.file_size > MAX_MEMBER_BYTES:
        return f"member {name!r} is {info.file_size} bytes, over the {MAX_MEMBER_BYTES} limit"
    if info.file_size > BOMB_FLOOR_BYTES and info.file_size > _MAX_EXPANSION * max(
        info.compress_size, 1
    ):
        return (
            f"member {name!r} declares {info.file_size} bytes but stores "
            f"{info.compress_size} (a decompression bomb?)"
        )
    return None


@contextlib.contextmanager
def open_archive(filepath: Any) -> Iterator[zipfile.ZipFile]:
    """The checked archive at ``filepath`` (a path or binary file object); raises
    ``ValueError`` for a damaged or hostile one."""
    try:
        archive = zipfile.ZipFile(filepath, "r")
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(
            f"{filepath} is not a readable .keras archive (truncated or damaged zip?): {error}"
        ) from None
    try:
        for info in archive.infolist():
            problem = _member_problem(info)
            if problem:
                raise ValueError(f"refused: {filepath}: {problem}")
        yield archive
    finally:
        archive.close()


def read_member(archive: zipfile.ZipFile, name: str, limit: int | None = None) -> bytes:
    """The bytes of member ``name`` (ValueError when missing, over ``limit`` bytes,
    default :data:`MAX_JSON_BYTES`, or corrupt)."""
    limit = MAX_JSON_BYTES if limit is None else limit
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ValueError(
            f"{archive.filename}: the archive has no {name} (members: {archive.namelist()}); "
            "a .keras file holds config.json, metadata.json and model.weights.h5"
        ) from None
    if info.file_size > limit:
        raise ValueError(
            f"refused: {archive.filename}: {name} is {info.file_size} bytes, over the "
            f"{limit}-byte limit"
        )
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise ValueError(
            f"{archive.filename}: could not read {name} (truncated or damaged archive?): {error}"
        ) from None
    if len(data) > limit:
        raise ValueError(f"refused: {archive.filename}: {name} is larger than it declares")
    return data


def extract_tree(archive: zipfile.ZipFile, prefix: str, target: str) -> bool:
    """Write the members under ``prefix/`` as plain files below ``target``; True when
    there were any. Names were checked by :func:`open_archive`; each path is checked
    again to resolve inside ``target``."""
    root = os.path.realpath(target)
    found = False
    for info in archive.infolist():
        if not info.filename.startswith(prefix + "/") or info.is_dir():
            continue
        relative = info.filename[len(prefix) + 1 :]
        destination = os.path.realpath(os.path.join(root, *relative.split("/")))
        if os.path.commonpath([root, destination]) != root:
            raise ValueError(f"refused: archive member {info.filename!r} leaves the assets root")
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        with open(destination, "wb") as out:
            out.write(read_member(archive, info.filename, limit=MAX_MEMBER_BYTES))
        found = True
    return found
