"""Where raw files come from: a local folder, or any fsspec URL (``s3://``, ``gs://``, ``memory://``, ...).

Airflow's ``ObjectStoragePath`` is built on the same fsspec filesystems, so an inbox URL that Airflow can read,
newsfacet can read too — without ``etl`` importing Airflow. Local paths keep the plain ``os`` calls (and their
symlink-loop and permission checks in ``etl.extract``).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from typing import Any

from etl.errors import RejectedInput, RejectReason


def is_url(location: str) -> bool:
    """True for ``scheme://...`` locations (object stores, ``file://``), False for plain paths."""
    scheme, sep, _ = location.partition("://")
    return bool(sep) and scheme.isidentifier()


def _filesystem(url: str) -> tuple[Any, str]:
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(url)
    return fs, str(path)


def _with_protocol(fs: Any, path: str) -> str:
    return str(fs.unstrip_protocol(path))


def list_files(locations: Sequence[str]) -> list[str]:
    """Every file under the given files or folders, sorted; hidden names are skipped."""
    found: list[str] = []
    for location in locations:
        if is_url(location):
            fs, root = _filesystem(location)
            if fs.isfile(root):
                found.append(location)
                continue
            names = sorted(fs.find(root))
            found.extend(_with_protocol(fs, n) for n in names
                         if not any(part.startswith(".") for part in n[len(root):].split("/") if part))
        elif os.path.isdir(location):
            for root, dirs, files in os.walk(location, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(os.path.join(root, f) for f in sorted(files) if not f.startswith("."))
        else:
            found.append(location)
    return found


def read_bytes(url: str, max_bytes: int) -> bytes:
    """The bytes of an object-store file, refusing more than ``max_bytes`` before reading them."""
    try:
        fs, path = _filesystem(url)
        size = fs.size(path)
        if size is not None and size > max_bytes:
            raise RejectedInput(RejectReason.TOO_LARGE, f"{size} bytes exceeds the limit of {max_bytes}", url)
        with fs.open(path, "rb") as handle:
            data: bytes = handle.read(max_bytes + 1)
    except RejectedInput:
        raise
    except (OSError, ValueError) as exc:
        raise RejectedInput(RejectReason.UNREADABLE, f"{type(exc).__name__}: {exc}", url) from exc
    if len(data) > max_bytes:
        raise RejectedInput(RejectReason.TOO_LARGE, f"more than {max_bytes} bytes", url)
    return data


def source_name(path: str) -> str:
    """The file's name as recorded (index, ledger, quarantine): valid Unicode even when the name's bytes are not.

    A name with non-UTF-8 bytes arrives from ``os.walk`` with lone surrogates, which no UTF-8 writer accepts (the
    archive write crashed the batch); such bytes are spelt ``\\xNN``. Valid names are unchanged.
    """
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def content_sha256(location: str, limit: int) -> str | None:
    """Content hash, streamed; None when unreadable, not a regular file, or past ``limit`` (the file will be
    rejected when read)."""
    if is_url(location):
        return _url_sha256(location, limit)
    digest = hashlib.sha256()
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever (the plan hung).
        fd = os.open(location, os.O_RDONLY | os.O_NONBLOCK)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        with os.fdopen(fd, "rb") as handle:
            total = 0
            while chunk := handle.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    return None
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _url_sha256(url: str, limit: int) -> str | None:
    digest = hashlib.sha256()
    total = 0
    try:
        fs, path = _filesystem(url)
        with fs.open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    return None
                digest.update(chunk)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def stat_key(path: str) -> str | None:
    """Name + size + modification time: unchanged on disk means unchanged content, without reading it."""
    try:
        if is_url(path):
            fs, inner = _filesystem(path)
            info = fs.info(inner)
            stamp = info.get("mtime") or info.get("LastModified") or info.get("ETag") or info.get("created")
            if stamp is None:
                return None
            size, modified = info.get("size"), str(stamp)
        else:
            status = os.stat(path, follow_symlinks=False)
            if not stat.S_ISREG(status.st_mode):
                return None
            size, modified = status.st_size, str(status.st_mtime_ns)
    except (OSError, ValueError):
        return None
    return hashlib.sha256(f"{source_name(path)}\0{size}\0{modified}".encode()).hexdigest()
