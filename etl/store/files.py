"""What a run keeps on disk under ``NEWSFACET_DATA_DIR``: quarantine notes, the archive, run summaries.

Every write is temp-then-rename (``write_atomic``): a reader never sees half a file and a crash never leaves one.

- ``quarantine/<reason>/<file>.json``: one note per rejected input, saying why (a person reads these).
- ``archive/<id[:2]>/<id>.json``: every indexed document, so ``reindex`` rebuilds the index without raw input.
- ``runs/<run id>.json``: each run's summary.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from etl.errors import RejectReason
from etl.settings import Settings


def safe_name(source_file: str) -> str:
    """A file name for notes about ``source_file``: readable, and unique by a hash of the full path."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(source_file).name)[:80] or "file"
    return f"{base}.{hashlib.sha256(source_file.encode('utf-8', 'surrogateescape')).hexdigest()[:10]}"


def write_atomic(path: Path, text: str) -> None:
    """Temp-then-rename: a reader never sees half a file, a crash never leaves one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:  # a full disk, an interrupt: no half-written temporary file stays behind
        tmp.unlink(missing_ok=True)
        raise


def quarantine(settings: Settings, run_id: str, source_file: str, reason: RejectReason, detail: str,
               content_sha256: str | None) -> dict[str, str]:
    """Record a rejected input where a user can read it: one JSON note per file under ``quarantine/``."""
    note = {
        "source_file": source_file,
        "reason": reason.value,
        "detail": detail,
        "content_sha256": content_sha256 or "",
        "run_id": run_id,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_atomic(settings.quarantine_dir / reason.value / f"{safe_name(source_file)}.json",
                 json.dumps(note, ensure_ascii=False, indent=2))
    return note


def archive(settings: Settings, document: dict[str, Any]) -> None:
    """Keep the enriched document so ``reindex_articles`` can rebuild the index without the raw input."""
    doc_id = document["doc_id"]
    write_atomic(settings.archive_dir / doc_id[:2] / f"{doc_id}.json", json.dumps(document, ensure_ascii=False))


def iter_archive(settings: Settings) -> Iterator[dict[str, Any]]:
    """Every archived document (the latest version of each id)."""
    if not settings.archive_dir.exists():
        return
    for path in sorted(settings.archive_dir.glob("*/*.json")):
        yield json.loads(path.read_text(encoding="utf-8"))


def write_summary(settings: Settings, run_id: str, summary: dict[str, Any]) -> Path:
    """A run's summary as JSON under ``runs/``."""
    path = settings.runs_dir / f"{run_id}.json"
    write_atomic(path, json.dumps(summary, ensure_ascii=False, indent=2))
    return path


def read_json(path: Path) -> Any:
    """A JSON file, or None when it is missing or unreadable (caches and snapshots: losing one costs only time)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
