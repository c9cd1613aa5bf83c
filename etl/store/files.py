"""What a run keeps on disk under ``NEWSFACET_DATA_DIR``: quarantine notes, the archive, run summaries.

Every write is temp-then-rename (``write_atomic``): a reader never sees half a file and a crash never leaves one.

- ``quarantine/<reason>/<file>.json``: one note per rejected input, saying why (a person reads these).
- ``archive/aliases/<alias>/<id[:2]>/<id>.json``: every document indexed behind that alias, with the analysed text
  and the NER spans it was made from (an ``ArchiveRecord``), so ``reindex`` rebuilds the index without raw input and
  ``relink`` redoes linking, quotes and places without spaCy. One archive per alias: rebuilding alias B never
  imports alias A's documents. (Before, one archive per data directory held bare documents under
  ``archive/<id[:2]>/``: ``adopt_legacy_archive`` copies an alias's own documents out of it once.)
- ``runs/<run id>.json``: each run's summary.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from etl.errors import RejectReason
from etl.records import NerSpan
from etl.settings import Settings

ARCHIVE_FORMAT = 2
"""1: the bare document (the old per-data-directory archive); 2: the document, analysed text and NER spans."""
_LEGACY_SHARD = re.compile(r"^[0-9a-f]{2}$")


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


def quarantine(
    settings: Settings, run_id: str, source_file: str, reason: RejectReason, detail: str, content_sha256: str | None
) -> dict[str, str]:
    """Record a rejected input where a user can read it: one JSON note per file under ``quarantine/``."""
    note = {
        "source_file": source_file,
        "reason": reason.value,
        "detail": detail,
        "content_sha256": content_sha256 or "",
        "run_id": run_id,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_atomic(
        settings.quarantine_dir / reason.value / f"{safe_name(source_file)}.json",
        json.dumps(note, ensure_ascii=False, indent=2),
    )
    return note


@dataclass(frozen=True)
class ArchiveRecord:
    """One archived document and what it was made from.

    ``spans`` are the NER spans as stored (``[start, end, label]``; ``ner_spans`` makes them records, only when a
    relink needs them: most documents it reads it never re-derives). ``analysis_text`` and ``spans`` are None in a
    record from before spans were kept (format 1): such a document can be reloaded by ``reindex`` but not relinked;
    ``newsfacet run --stale`` re-makes it.
    """

    document: dict[str, Any]
    analysis_text: str | None = None
    spans: list[list[Any]] | None = None

    @property
    def doc_id(self) -> str:
        return str(self.document["doc_id"])

    @property
    def ner_spans(self) -> tuple[NerSpan, ...] | None:
        return None if self.spans is None else tuple(NerSpan(s, e, label) for s, e, label in self.spans)

    def to_json(self) -> str:
        record: dict[str, Any] = {"format": ARCHIVE_FORMAT if self.spans is not None else 1, "document": self.document}
        if self.spans is not None:
            record["analysis_text"] = self.analysis_text
            record["ner_spans"] = self.spans
        return json.dumps(record, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ArchiveRecord:
        data = json.loads(text)
        if "format" not in data:  # a bare document (format 1, the old archive)
            return cls(document=data)
        return cls(document=data["document"], analysis_text=data.get("analysis_text"), spans=data.get("ner_spans"))


def alias_archive_dir(settings: Settings, alias: str | None = None) -> Path:
    """The archive of one alias (default: the settings' own)."""
    name = alias or settings.index_alias
    return settings.archive_dir / "aliases" / re.sub(r"[^A-Za-z0-9._+-]", "_", name)


def _record_path(settings: Settings, doc_id: str) -> Path:
    return alias_archive_dir(settings) / doc_id[:2] / f"{doc_id}.json"


def archive(
    settings: Settings,
    document: dict[str, Any],
    ner_spans: Sequence[NerSpan] | None = None,
    analysis_text: str | None = None,
) -> None:
    """Keep the enriched document, with the analysed text and NER spans it was made from, in the alias's archive:
    ``reindex`` rebuilds the index from it and ``relink`` re-derives it without spaCy."""
    spans = [[s.start, s.end, s.label] for s in ner_spans] if ner_spans is not None else None
    record = ArchiveRecord(document=document, analysis_text=analysis_text, spans=spans)
    write_atomic(_record_path(settings, str(document["doc_id"])), record.to_json())


def read_record(settings: Settings, doc_id: str) -> ArchiveRecord | None:
    """The archived record of one document of the alias, or None when there is none."""
    try:
        return ArchiveRecord.from_json(_record_path(settings, doc_id).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def iter_records(settings: Settings) -> Iterator[ArchiveRecord]:
    """Every record of the alias's archive (one per document id: the latest written)."""
    root = alias_archive_dir(settings)
    if not root.exists():
        return
    for path in sorted(root.glob("*/*.json")):
        yield ArchiveRecord.from_json(path.read_text(encoding="utf-8"))


def iter_archive(settings: Settings) -> Iterator[dict[str, Any]]:
    """Every archived document of the alias (the latest version of each id)."""
    for record in iter_records(settings):
        yield record.document


def archived_ids(settings: Settings) -> set[str]:
    """Ids the alias's archive holds (from file names: nothing is read)."""
    root = alias_archive_dir(settings)
    return {p.stem for p in root.glob("*/*.json")} if root.exists() else set()


def adopt_legacy_archive(settings: Settings, served: Callable[[Sequence[str]], Iterable[str]]) -> int:
    """Copy, once, the alias's own documents out of the old per-data-directory archive (``archive/<id[:2]>/``).

    ``served(ids)`` answers which of the ids the alias serves (an Elasticsearch lookup): only those are the
    alias's, so another alias's documents stay out. Returns how many were copied. The old files are left for the
    other aliases; a marker file makes this a no-op afterwards.
    """
    root = alias_archive_dir(settings)
    marker = root / ".legacy-adopted"
    if marker.exists() or not settings.archive_dir.is_dir():
        return 0
    shards = [d for d in settings.archive_dir.iterdir() if d.is_dir() and _LEGACY_SHARD.match(d.name)]
    legacy = {p.stem: p for shard in shards for p in shard.glob("*.json")}
    copied = 0
    ids = sorted(legacy)
    for start in range(0, len(ids), 1000):
        for doc_id in served(ids[start : start + 1000]):
            target = _record_path(settings, doc_id)
            if not target.exists():
                document = json.loads(legacy[doc_id].read_text(encoding="utf-8"))
                write_atomic(target, ArchiveRecord(document=document).to_json())
                copied += 1
    write_atomic(marker, json.dumps({"copied": copied, "at": datetime.now(UTC).isoformat(timespec="seconds")}))
    return copied


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
