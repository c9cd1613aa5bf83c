"""Documents made from a set of inputs, written as JSON lines, and a comparison of two such snapshots.

Why: a refactor must not change what the pipeline makes. ``snapshot`` runs every input file through the stages the
pipeline chains (read, decode, clean, enrich, document) with no Elasticsearch, and writes one line per file: the
document (minus its ingest time) or the typed rejection. ``compare`` diffs two snapshots field by field.

    python scripts/document_snapshot.py snapshot OUT.jsonl [--processes 2]    # seeds + ../shared/data/extraction
    python scripts/document_snapshot.py compare BEFORE.jsonl AFTER.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from multiprocessing import Pool
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
VOLATILE = ("ingested_at",)


def inputs(shared: Path) -> list[Path]:
    """The seeds, then every page of the shared extraction sets, in a stable order."""
    files = sorted(p for p in (REPO_ROOT / "seeds").iterdir() if p.is_file())
    for folder in ("scrapinghub/html", "trafilatura-dev/html", "wcxb-dev/html"):
        files.extend(sorted(p for p in (shared / "data" / "extraction" / folder).iterdir() if p.is_file()))
    return files


def _document(path: str) -> dict[str, Any]:
    """One input's fate: its document, or its rejection."""
    from etl.settings import Settings

    settings = Settings.from_env()
    name = _display_name(Path(path))
    try:
        document = make_document(Path(path), settings)
    except Exception as exc:  # a rejection or a crash: both are part of the snapshot
        reason = getattr(exc, "reason", None)
        return {"file": name, "rejected": str(reason) if reason else f"{type(exc).__name__}: {exc}"}
    for key in VOLATILE:
        document.pop(key, None)
    if document.get("timestamp_source") == "ingested":  # no published date: the time axis is the ingest time
        document.pop("timestamp", None)
    document["source_file"] = name  # the same whichever checkout or folder the inputs were read from
    return {"file": name, "document": document}


def _display_name(path: Path) -> str:
    """``seeds/<name>`` or ``shared/data/...``: comparable across checkouts."""
    parts = path.resolve().parts
    for anchor in ("shared", "seeds"):
        if anchor in parts:
            return "/".join(parts[len(parts) - parts[::-1].index(anchor) - 1 :])
    return path.name


def make_document(path: Path, settings: Any) -> dict[str, Any]:
    """read -> decode -> clean -> enrich -> document, as the pipeline chains them for one file."""
    from etl.clean import clean
    from etl.document import to_document
    from etl.enrich import enrich, knowledge_versions
    from etl.extract import decode, read_file

    article = clean(decode(read_file(path, settings.max_file_bytes), settings.max_file_bytes))
    kb_version, gazetteer_version = knowledge_versions(settings)
    return to_document(enrich([article], settings)[0], kb_version=kb_version, gazetteer_version=gazetteer_version)


def snapshot(out: Path, shared: Path, processes: int) -> None:
    files = [str(p) for p in inputs(shared)]
    with Pool(processes) as pool, out.open("w", encoding="utf-8") as handle:
        for done, line in enumerate(pool.imap(_document, files, chunksize=8), start=1):
            handle.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
            if done % 200 == 0:
                print(f"  {done}/{len(files)}", flush=True)
    print(f"{len(files)} inputs -> {out}")


def _read(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def _comparable(name: str) -> str:
    """A recorded name from ``seeds/`` or ``shared/`` on (older snapshots kept the checkout's folder in front)."""
    for anchor in ("seeds/", "shared/"):
        if anchor in name:
            return name[name.index(anchor) :]
    return name


def compare(before: Path, after: Path, ignore: set[str]) -> int:
    old = {_comparable(r["file"]): r for r in _read(before)}
    new = {_comparable(r["file"]): r for r in _read(after)}
    differing = 0
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a is None or b is None:
            print(f"{name}: only in {'after' if a is None else 'before'}")
            differing += 1
            continue
        for record in (a, b):
            record.pop("file", None)  # the key it was matched by
            for key in ignore:
                (record.get("document") or {}).pop(key, None)
        if a != b:
            differing += 1
            if "document" in a and "document" in b:
                keys = sorted(
                    k for k in set(a["document"]) | set(b["document"]) if a["document"].get(k) != b["document"].get(k)
                )
                print(f"{name}: fields differ: {', '.join(keys)}")
            else:
                print(f"{name}: {a.get('rejected', 'indexed')} -> {b.get('rejected', 'indexed')}")
    print(f"{len(old)} before, {len(new)} after, {differing} differ")
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("snapshot")
    p.add_argument("out", type=Path)
    p.add_argument("--processes", type=int, default=2)
    p.add_argument(
        "--shared", type=Path, default=Path(os.environ.get("NEWSFACET_SHARED_DIR", REPO_ROOT.parent / "shared"))
    )
    p = sub.add_parser("compare")
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    p.add_argument("--ignore", action="append", default=[], help="document fields to leave out (e.g. kb_version)")
    args = parser.parse_args()
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    if args.command == "snapshot":
        snapshot(args.out, args.shared, args.processes)
        return 0
    return compare(args.before, args.after, set(args.ignore))


if __name__ == "__main__":
    raise SystemExit(main())
