"""``get_file``: download a file into kcore's cache once, verify it, optionally extract it.

The cache is ``$KCORE_HOME`` (default ``~/.kcore``), in the ``cache_subdir`` folder
(``datasets`` by default): ``~/.kcore/datasets/mnist.npz``. A machine without network
access can still use a file: copy it to the path the error message names.

Example::

    >>> path = kcore.utils.get_file(
    ...     origin="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
    ...     file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    ... )   # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
from typing import Any

from kcore.utils.io_utils import print_msg

_CHUNK = 1 << 16


class DownloadError(OSError):
    """A file could not be fetched (no network, unreachable host, HTTP error)."""


def _resolve_hasher(algorithm: str, file_hash: str | None = None) -> Any:
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "md5":
        return hashlib.md5()  # noqa: S324 - Keras's legacy checksums are md5
    if algorithm == "auto":
        if file_hash is not None and len(file_hash) == 64:
            return hashlib.sha256()
        return hashlib.md5()  # noqa: S324
    raise ValueError(f"hash_algorithm must be 'auto', 'sha256' or 'md5', received {algorithm!r}")


def hash_file(fpath, algorithm="sha256", chunk_size=65535):
    """The hex digest of a file (``"sha256"``, ``"md5"`` or ``"auto"``, which is sha256).

    Example::

        >>> hash_file("/etc/hostname")   # doctest: +SKIP
        'e3b0c442...'
    """
    hasher = _resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """Whether the file's sha256 or md5 digest equals ``file_hash``.

    ``"auto"`` picks sha256 for a 64-character hash and md5 otherwise.

    Example::

        >>> validate_file("data.npz", "731c5ac6...")   # doctest: +SKIP
        True
    """
    hasher = _resolve_hasher(algorithm, file_hash)
    return hash_file(fpath, hasher, chunk_size) == str(file_hash).lower()


def _inside(root: str, target: str) -> bool:
    root = os.path.realpath(root)
    return os.path.commonpath([root, os.path.realpath(target)]) == root


def _safe_tar_members(archive: tarfile.TarFile, path: str) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        if member.issym() or member.islnk():
            link_target = os.path.join(path, os.path.dirname(member.name), member.linkname)
            if not _inside(path, link_target):
                warnings.warn(
                    f"Skipping {member.name!r}: its link leaves the archive", stacklevel=3
                )
                continue
        if not _inside(path, os.path.join(path, member.name)):
            warnings.warn(f"Skipping {member.name!r}: its path leaves the archive", stacklevel=3)
            continue
        members.append(member)
    return members


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extract a ``.tar``, ``.tar.gz``, ``.tar.bz2`` or ``.zip`` archive into ``path``.

    Members whose path or link would leave ``path`` are skipped. Returns ``True``
    when the file was an archive of an accepted format and was extracted.

    Args:
        archive_format: ``"auto"`` (tar, then zip), ``"tar"``, ``"zip"``, a list of
            these, or ``None`` (extract nothing).

    Example::

        >>> extract_archive("photos.tgz", "photos")   # doctest: +SKIP
        True
    """
    if not archive_format:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else archive_format
    formats = [formats] if isinstance(formats, str) else list(formats)
    file_path, path = os.fspath(file_path), os.fspath(path)
    for kind in formats:
        if kind == "tar":
            if not tarfile.is_tarfile(file_path):
                continue
            opener = tarfile.open
        elif kind == "zip":
            if not zipfile.is_zipfile(file_path):
                continue
            opener = zipfile.ZipFile
        else:
            raise ValueError(
                f"archive_format must be 'auto', 'tar', 'zip' or None, received {kind!r}"
            )
        try:
            with opener(file_path) as archive:
                if kind == "tar":
                    members = _safe_tar_members(archive, path)
                    # The "data" filter (Python >= 3.11.4) also refuses devices and
                    # absolute modes; older Pythons rely on the member check above.
                    extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                    archive.extractall(path, members=members, **extra)
                else:
                    names = [n for n in archive.namelist() if _inside(path, os.path.join(path, n))]
                    archive.extractall(path, members=names)
        except (tarfile.TarError, zipfile.BadZipFile, OSError, KeyboardInterrupt):
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.exists(path):
                os.remove(path)
            raise
        return True
    return False


def cache_root(cache_dir: str | os.PathLike | None = None) -> str:
    """The cache folder: ``cache_dir``, else ``$KCORE_HOME``, else ``~/.kcore``
    (``/tmp/.kcore`` when that is not writable).

    Example::

        >>> cache_root()   # doctest: +SKIP
        '/home/me/.kcore'
    """
    if cache_dir is None:
        from kcore.config import kcore_home

        cache_dir = kcore_home()
    root = os.path.expanduser(os.fspath(cache_dir))
    try:
        os.makedirs(root, exist_ok=True)
    except OSError:
        pass
    if not os.access(root, os.W_OK):
        root = os.path.join(tempfile.gettempdir(), ".kcore")
    return root


class _ProgressReporter:
    """Shows a download's progress with kcore's Progbar, when it is available."""

    def __init__(self, total: int | None) -> None:
        try:
            from kcore.utils.progbar import Progbar
        except ImportError:  # the progress bar is optional here
            self.bar = None
        else:
            self.bar = Progbar(total)
        self.total = total

    def update(self, current: int) -> None:
        if self.bar is not None:
            self.bar.update(min(current, self.total) if self.total else current)


def _download(origin: str, target: str) -> None:
    """Stream ``origin`` into ``target`` through a temporary file, renamed at the end."""
    folder = os.path.dirname(target)
    handle, partial = tempfile.mkstemp(prefix=".download-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            with urllib.request.urlopen(origin, timeout=60) as response:  # noqa: S310
                length = response.headers.get("Content-Length")
                progress = _ProgressReporter(int(length) if length else None)
                done = 0
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    progress.update(done)
        os.replace(partial, target)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def _offline_message(origin: str, target: str, reason: object) -> str:
    return (
        f"Could not download {origin} ({reason}). If this machine is offline or cannot "
        f"reach that host, download the file on another machine and place it at {target} "
        "(kcore's cache; set KCORE_HOME to move the cache), then run again."
    )


def get_file(
    fname=None,
    origin=None,
    untar=False,
    md5_hash=None,
    file_hash=None,
    cache_subdir="datasets",
    hash_algorithm="auto",
    extract=False,
    archive_format="auto",
    cache_dir=None,
    force_download=False,
):
    """Download ``origin`` into the cache unless it is already there, and return its path.

    A file already in the cache is not downloaded again (unless ``force_download``)
    as long as it matches ``file_hash``; a cached file that does not match is
    downloaded again, and a fresh download that does not match is deleted and
    reported. Without network access the error names the URL and the path where
    a copy of the file can be placed by hand.

    Args:
        fname: the file's name in the cache; default the last part of ``origin``'s
            path. With ``extract=True`` a name without a dot names the extraction
            folder (the archive is kept as ``{fname}_archive``).
        origin: the URL (``https://``, ``http://`` or ``file://``).
        untar: deprecated, use ``extract``: extract a tar archive.
        md5_hash: deprecated, use ``file_hash``: the file's md5 digest.
        file_hash: the file's expected sha256 (64 hex digits) or md5 digest.
        cache_subdir: the folder under the cache root; an absolute path is used as is.
        hash_algorithm: ``"auto"``, ``"sha256"`` or ``"md5"``.
        extract: extract the archive and return the extraction folder.
        archive_format: ``"auto"``, ``"tar"``, ``"zip"`` or ``None``.
        cache_dir: the cache root; default ``$KCORE_HOME`` or ``~/.kcore``.
        force_download: download again even when the file is cached.

    Returns:
        The path of the file, or of the extraction folder with ``extract=True``.

    Example::

        >>> path = get_file(
        ...     origin="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        ... )   # doctest: +SKIP
        >>> path   # doctest: +SKIP
        '/home/me/.kcore/datasets/mnist.npz'
    """
    if origin is None:
        raise ValueError("get_file needs origin, the URL of the file to download")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if file_hash is not None:
        _resolve_hasher(hash_algorithm, file_hash)  # refuses an unknown algorithm early
    datadir = os.path.join(cache_root(cache_dir), os.fspath(cache_subdir))
    os.makedirs(datadir, exist_ok=True)

    given_name = os.fspath(fname) if fname is not None else None
    if not given_name:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"get_file cannot take a file name from origin {origin!r}; pass fname")
    else:
        fname = given_name
        if os.sep in fname or (os.altsep and os.altsep in fname):
            raise ValueError(
                f"get_file: fname must be a file name, received the path {fname!r}; "
                "choose the folder with cache_dir and cache_subdir"
            )

    extracting = bool(extract or untar)
    if extracting:
        if given_name and "." in fname:
            target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, f"{fname[: fname.find('.')]}_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            target = os.path.join(datadir, f"{fname}_archive")
    else:
        target = os.path.join(datadir, fname)

    download = force_download or not os.path.exists(target)
    if not download and file_hash is not None:
        if not validate_file(target, file_hash, algorithm=hash_algorithm):
            print_msg(
                f"The cached file {target} does not match the expected {hash_algorithm} "
                f"hash {file_hash} (incomplete or outdated); downloading it again."
            )
            download = True

    if download:
        print_msg(f"Downloading data from {origin}")
        try:
            _download(origin, target)
        except urllib.error.HTTPError as exc:
            raise DownloadError(
                f"Could not download {origin}: HTTP error {exc.code} ({exc.reason}). "
                f"Check the URL, or place a copy of the file at {target}."
            ) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DownloadError(_offline_message(origin, target, reason)) from None
        if file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
            actual = hash_file(target, _resolve_hasher(hash_algorithm, file_hash))
            os.remove(target)
            raise ValueError(
                f"The file downloaded from {origin} is incomplete or corrupted: its "
                f"{hash_algorithm} hash is {actual}, expected {file_hash}. The file was "
                "deleted; try again, or check the URL and the expected hash."
            )

    if not extracting:
        return target
    if download or not os.path.exists(extraction_dir):
        if not extract_archive(target, extraction_dir, "tar" if untar else archive_format):
            warnings.warn(
                f"get_file: {target} is not a {archive_format} archive; nothing was extracted",
                stacklevel=2,
            )
    return extraction_dir
