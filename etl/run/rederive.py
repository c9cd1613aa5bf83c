"""The worker side of ``relink``: re-derive documents from their archive records, with no Elasticsearch.

Each worker process (or the calling process, for one worker) loads the current knowledge once; for each stale
document it reads the archive record, asks ``etl.knowledge.changes`` whether the change of knowledge can touch it,
and if so redoes linking, quotes, places and the region roll-up (``etl.enrich.derive``, as the ingest does) and
compares the result with the document: the archived one when the index serves it as archived, else the note the
last relink that wrote it left (``etl.store.files.read_relinked``), else the coordinator reads the served fields.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from etl.settings import Settings

if TYPE_CHECKING:
    from etl.knowledge.changes import Changes
    from etl.knowledge.loader import Knowledge

KNOWLEDGE_FIELDS = ("actors", "actors_folded", "persons", "organizations", "armed_groups", "places", "districts",
                    "regions", "countries", "locations", "entities", "quotes", "actor_names", "place_names",
                    "kb_version", "gazetteer_version")
"""The fields of a document made from the knowledge (``etl.document.to_document``): what a relink rewrites."""
VERSION_FIELDS = ("kb_version", "gazetteer_version")


@dataclass(frozen=True)
class Stale:
    """A stale document as the search found it."""

    doc_id: str
    index: str
    seq_no: int
    primary_term: int
    versions: tuple[str, str]  # the knowledge the document is known to hold for (its own, or a check's)
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    districts: tuple[str, ...] = ()
    made_with: tuple[str, str] = ("", "")  # the versions the served document itself records


@dataclass(frozen=True)
class Outcome:
    """A worker's answer for one document: ``fields`` when re-derived, the versions it was made with."""

    doc_id: str
    status: str  # "rederived" | "same" (re-derived, nothing changed) | "untouched" | "no_record" | "no_spans"
    versions: tuple[str, str]
    fields: dict[str, Any] | None = None  # re-derived knowledge fields, when they differ or are not known to match
    before: dict[str, Any] | None = None  # the served actors and regions when the worker could compare (for the tally)


_state: dict[str, Any] = {}


def init_worker(settings: Settings) -> None:
    """Load the current knowledge once per worker process."""
    from etl.knowledge.loader import load_knowledge

    _state["settings"] = settings
    _state["knowledge"] = load_knowledge(settings, refresh=True)
    _state["changes"] = {}


def _changes(versions: tuple[str, str], full: bool) -> Changes:
    from etl.knowledge.changes import Changes, changes_between

    if full:
        return Changes(everything=True)
    cache: dict[tuple[str, str], Changes] = _state["changes"]
    if versions not in cache:
        knowledge: Knowledge = _state["knowledge"]
        cache[versions] = changes_between(_state["settings"], versions, knowledge)
    return cache[versions]


def rederive(items: Sequence[Stale], full: bool) -> list[Outcome]:
    """Outcomes for a chunk of stale documents, in order (runs in a worker process, or in-process)."""
    from etl.document import knowledge_fields
    from etl.enrich import derive
    from etl.records import CleanArticle, Language, analysis_text
    from etl.store.files import read_record, read_relinked

    settings: Settings = _state["settings"]
    knowledge: Knowledge = _state["knowledge"]
    versions = knowledge.versions
    out: list[Outcome] = []
    for item in items:
        changes = _changes(item.versions, full)
        record = read_record(settings, item.doc_id)
        if record is None:
            out.append(Outcome(item.doc_id, "no_record", versions))
            continue
        if record.spans is None or record.analysis_text is None:
            out.append(Outcome(item.doc_id, "no_spans", versions))
            continue
        if not changes.touches(record.analysis_text, item.countries, item.regions, item.districts):
            out.append(Outcome(item.doc_id, "untouched", versions))
            continue
        doc = record.document
        article = CleanArticle(
            doc_id=str(doc["doc_id"]), source_file=str(doc.get("source_file") or ""),
            content_sha256=str(doc.get("content_sha256") or ""), title=doc.get("title") or "",
            body=doc.get("body") or "", paragraphs=(), headings=tuple(doc.get("headings") or ()),
            captions=tuple(doc.get("captions") or ()), credits=tuple(doc.get("credits") or ()),
            byline=doc.get("byline"), published_at=doc.get("published_at"), source=doc.get("source"),
            url=doc.get("url"))
        if analysis_text(article) != record.analysis_text:  # the spans' offsets would not fit: re-make it
            out.append(Outcome(item.doc_id, "no_spans", versions))
            continue
        language = Language(str(doc.get("language") or "und"), float(doc.get("language_confidence") or 0.0))
        enriched = derive(article, language, record.ner_spans or (), knowledge)
        made = knowledge_fields(enriched, knowledge.kb, knowledge.gazetteer)  # what to_document makes of them
        made["kb_version"], made["gazetteer_version"] = versions
        fields = {k: made[k] for k in KNOWLEDGE_FIELDS}  # plain JSON values (enums are strings): compare as they are
        if (doc.get("kb_version"), doc.get("gazetteer_version")) == item.made_with:
            served: dict[str, Any] = doc  # the served document is the archived one (same versions)
            differs = not same(doc, fields)
        elif (note := read_relinked(settings, item.doc_id)) is not None and describes(note, item):
            served = note  # relinked since, and the note says what that relink wrote
            differs = note.get("digest") != knowledge_digest(fields)
        else:  # relinked since, and no note about this version of it: the coordinator compares with the index
            out.append(Outcome(item.doc_id, "rederived", versions, fields))
            continue
        if differs:
            out.append(Outcome(item.doc_id, "rederived", versions, fields,
                               {"actors": served.get("actors") or [], "regions": served.get("regions") or []}))
        else:
            out.append(Outcome(item.doc_id, "same", versions))
    return out


def same(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether two documents hold the same knowledge fields (their versions aside)."""
    return all(before.get(k) == after[k] for k in KNOWLEDGE_FIELDS if k not in VERSION_FIELDS)


def knowledge_digest(fields: dict[str, Any]) -> str:
    """A digest of a document's knowledge fields, versions aside: equal digests, equal fields (what ``same``
    compares), without keeping or reading back the fields themselves (the place names alone are about 17 KB)."""
    values = [fields.get(k) for k in KNOWLEDGE_FIELDS if k not in VERSION_FIELDS]
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def relinked_note(fields: dict[str, Any], written: dict[str, Any]) -> dict[str, Any]:
    """What ``etl.store.files.write_relinked`` keeps about a document a relink wrote: the version of the served
    document the write made (``written``: the bulk answer's ``_index``, ``_seq_no``, ``_primary_term``), the
    knowledge versions, the digest of its knowledge fields and its actors and regions (the tally's ``before``)."""
    return {"index": written["_index"], "seq_no": written["_seq_no"], "primary_term": written["_primary_term"],
            "kb_version": fields["kb_version"], "gazetteer_version": fields["gazetteer_version"],
            "digest": knowledge_digest(fields), "actors": fields["actors"], "regions": fields["regions"]}


def describes(note: dict[str, Any], item: Stale) -> bool:
    """Whether a relinked note is about the very version of the document the search found."""
    return (note.get("index"), note.get("seq_no"), note.get("primary_term"), note.get("kb_version"),
            note.get("gazetteer_version")) == (item.index, item.seq_no, item.primary_term, *item.made_with)


def rederive_in_worker(job: tuple[list[Stale], bool]) -> list[Outcome]:
    """``rederive`` with its arguments in one picklable tuple (what a process pool sends)."""
    return rederive(*job)


def noop() -> None:
    """A task that only proves a worker has started (and so loaded the knowledge)."""
    return None
