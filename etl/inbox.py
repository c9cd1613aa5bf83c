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


def list_files(locations: Sequence[str], follow_links: bool = False) -> list[str]:
    """Every entry under the given files or folders, each once, sorted per location; hidden names are skipped.

    Entries that are not readable files are listed too, so the run gives each its answer instead of skipping it
    silently: a folder that cannot be listed, and a linked folder (not walked unless ``follow_links``; a walked one
    is entered once, whatever links lead to it). A file reached through two arguments that overlap
    (``run inbox/x inbox/x/sub``) is listed once, under the first.
    """
    found: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = path if is_url(path) else canonical_path(path)
        if key not in seen:
            seen.add(key)
            found.append(path)

    for location in locations:
        if is_url(location):
            fs, root = _filesystem(location)
            if fs.isfile(root):
                add(location)
                continue
            names = sorted(fs.find(root))
            for name in names:
                if not any(part.startswith(".") for part in name[len(root) :].split("/") if part):
                    add(_with_protocol(fs, name))
        elif os.path.isdir(location):
            for path in _walk(location, follow_links):
                add(path)
        else:
            add(location)
    return found


def _walk(top: str, follow_links: bool) -> list[str]:
    """Files under ``top``, plus the folders that could not be listed and the linked folders not entered."""
    out: list[str] = []
    unlistable: list[str] = []
    entered = {os.path.realpath(top)}
    for root, dirs, files in os.walk(top, followlinks=follow_links, onerror=lambda e: unlistable.append(e.filename)):
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            path = os.path.join(root, name)
            if os.path.islink(path):
                real = os.path.realpath(path)
                if not follow_links or real in entered or not os.path.isdir(real):
                    out.append(path)  # answered by the batch: a linked folder, not walked
                    continue
                entered.add(real)
            kept.append(name)
        dirs[:] = kept
        out.extend(os.path.join(root, f) for f in sorted(files) if not f.startswith("."))
    return out + sorted(str(u) for u in unlistable if u != top)


def canonical_path(path: str) -> str:
    """The one spelling of a local path: absolute, ``.``/``..`` resolved, its folders' links resolved; the file's own
    name kept (a link file is itself, not its target)."""
    absolute = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))


def source_key(path: str, inbox: str) -> str:
    """The name a file is recorded under (index, ledger, quarantine): its path relative to the inbox when it lies in
    it, else its canonical absolute path. ``inbox/base``, ``./inbox/base`` and ``/abs/inbox/base`` are then one file,
    for the CLI and the DAG alike."""
    if is_url(path):
        root = inbox.rstrip("/") + "/"
        return source_name(path[len(root) :] if is_url(inbox) and path.startswith(root) else path)
    canonical = canonical_path(path)
    if not is_url(inbox):
        root = os.path.realpath(inbox)
        if canonical.startswith(root.rstrip(os.sep) + os.sep):
            return source_name(os.path.relpath(canonical, root))
    return source_name(canonical)


def same_file(key: str, other: str, inbox: str) -> bool:
    """Whether two recorded names are one file: the same key, or the same canonical path (a document indexed under
    an older spelling of its path is not a duplicate of itself)."""
    if key == other:
        return True
    if is_url(key) or is_url(other) or is_url(inbox):
        return False
    root = os.path.realpath(inbox)
    return canonical_path(os.path.join(root, key)) == canonical_path(os.path.join(root, other))


def outside_roots(path: str, roots: Sequence[str]) -> str | None:
    """Where ``path`` really leads when that is outside every root (a link out of the inbox), else None."""
    if is_url(path) or not roots:
        return None
    real = os.path.realpath(path)
    for root in roots:
        if is_url(root):
            continue
        top = os.path.realpath(root)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return None
    return real


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


def stat_key(path: str, name: str | None = None) -> str | None:
    """Name + size + modification time: unchanged on disk means unchanged content, without reading it. ``name`` is
    the file's recorded name (``source_key``); the path itself when not given."""
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
    return hashlib.sha256(f"{source_name(name or path)}\0{size}\0{modified}".encode()).hexdigest()
