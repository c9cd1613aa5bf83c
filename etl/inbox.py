"""Where raw files come from: a local folder, or any fsspec URL (``s3://``, ``gs://``, ``memory://``, ...).

Airflow's ``ObjectStoragePath`` is built on the same fsspec filesystems, so an inbox URL that Airflow can read,
newsfacet can read too — without ``etl`` importing Airflow. Local paths keep the plain ``os`` calls (and their
symlink-loop and permission checks in ``etl.extract``).
"""

from __future__ import annotations

import hashlib
import os
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


def content_sha256(location: str, limit: int) -> str | None:
    """Content hash, streamed; None when unreadable or past ``limit`` (the file will be rejected on reading)."""
    digest = hashlib.sha256()
    total = 0
    try:
        if is_url(location):
            fs, path = _filesystem(location)
            handle = fs.open(path, "rb")
        else:
            handle = open(location, "rb")  # noqa: SIM115 - closed below, for both kinds of handle
        try:
            while chunk := handle.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    return None
                digest.update(chunk)
        finally:
            handle.close()
    except (OSError, ValueError):
        return None
    return digest.hexdigest()
