"""The worker side of ``relink``: re-derive documents from their archive records, with no Elasticsearch.

Each worker process (or the calling process, for one worker) loads the current knowledge once; for each stale
document it reads the archive record, asks ``etl.knowledge.changes`` whether the change of knowledge can touch it,
and if so redoes linking, quotes, places and the region roll-up (``etl.enrich.derive``, as the ingest does) and
compares the result with the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from etl.records import CleanArticle, EnrichedArticle, Language, NerSpan
from etl.settings import Settings

if TYPE_CHECKING:
    from etl.knowledge.changes import Changes
    from etl.knowledge.loader import Knowledge

KNOWLEDGE_FIELDS = (
    "actors",
    "actors_folded",
    "persons",
    "organizations",
    "armed_groups",
    "places",
    "districts",
    "regions",
    "countries",
    "locations",
    "entities",
    "quotes",
    "actor_names",
    "place_names",
    "kb_version",
    "gazetteer_version",
)
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
    """Outcomes for a chunk of stale documents, in order (runs in a worker process, or in-process).

    The documents that need it are re-derived together (``derive_all``: each knowledge scan over the chunk first,
    while its automaton is warm), then compared one by one."""
    from etl.enrich import derive_all
    from etl.records import analysis_text
    from etl.store.files import read_record

    settings: Settings = _state["settings"]
    knowledge: Knowledge = _state["knowledge"]
    versions = knowledge.versions
    out: list[Outcome | None] = []
    todo: list[tuple[int, Stale, dict[str, Any], CleanArticle, Language, tuple[NerSpan, ...]]] = []
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
        article, language = archived_article(doc)
        if analysis_text(article) != record.analysis_text:  # the spans' offsets would not fit: re-make it
            out.append(Outcome(item.doc_id, "no_spans", versions))
            continue
        todo.append((len(out), item, doc, article, language, tuple(record.ner_spans or ())))
        out.append(None)  # decided below, once the chunk is re-derived
    enriched_all = derive_all(
        [article for _, _, _, article, _, _ in todo],
        [language for _, _, _, _, language, _ in todo],
        [spans for *_, spans in todo],
        knowledge,
    )
    for (slot, item, doc, _, _, _), enriched in zip(todo, enriched_all, strict=True):
        out[slot] = _compared(item, doc, enriched, knowledge, versions)
    return [outcome for outcome in out if outcome is not None]


def _compared(
    item: Stale, doc: dict[str, Any], enriched: EnrichedArticle, knowledge: Knowledge, versions: tuple[str, str]
) -> Outcome:
    """One re-derived document's outcome: its knowledge fields, and whether they differ from the served ones."""
    from etl.document import knowledge_fields

    made = knowledge_fields(enriched, knowledge.kb, knowledge.gazetteer)  # what to_document makes of them
    made["kb_version"], made["gazetteer_version"] = versions
    fields = {k: made[k] for k in KNOWLEDGE_FIELDS}  # plain JSON values (enums are strings): compare as they are
    if (doc.get("kb_version"), doc.get("gazetteer_version")) != item.made_with:
        return Outcome(item.doc_id, "rederived", versions, fields)  # relinked since: compare with the index
    if same(doc, fields):  # the served document is the archived one (same versions): compared here
        return Outcome(item.doc_id, "same", versions)
    return Outcome(
        item.doc_id,
        "rederived",
        versions,
        fields,
        {"actors": doc.get("actors") or [], "regions": doc.get("regions") or []},
    )


def archived_article(doc: dict[str, Any]) -> tuple[CleanArticle, Language]:
    """The article and language an archived document was made from: what re-deriving its knowledge fields reads."""
    article = CleanArticle(
        doc_id=str(doc["doc_id"]),
        source_file=str(doc.get("source_file") or ""),
        content_sha256=str(doc.get("content_sha256") or ""),
        title=doc.get("title") or "",
        body=doc.get("body") or "",
        paragraphs=(),
        headings=tuple(doc.get("headings") or ()),
        captions=tuple(doc.get("captions") or ()),
        credits=tuple(doc.get("credits") or ()),
        byline=doc.get("byline"),
        published_at=doc.get("published_at"),
        source=doc.get("source"),
        url=doc.get("url"),
    )
    return article, Language(str(doc.get("language") or "und"), float(doc.get("language_confidence") or 0.0))


def same(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether two documents hold the same knowledge fields (their versions aside)."""
    return all(before.get(k) == after[k] for k in KNOWLEDGE_FIELDS if k not in VERSION_FIELDS)


def rederive_in_worker(job: tuple[list[Stale], bool]) -> list[Outcome]:
    """``rederive`` with its arguments in one picklable tuple (what a process pool sends)."""
    return rederive(*job)


def noop() -> None:
    """A task that only proves a worker has started (and so loaded the knowledge)."""
    return None
