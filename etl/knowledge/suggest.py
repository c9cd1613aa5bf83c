"""What to curate next: the people and organisations the articles name most often that no knowledge-base entry
covers, with their document counts, two example sentences each, and the merges they probably call for.

Why: NER finds names the knowledge base does not know (a new commander, a new armed group); each is a facet value
of its own, spelt as written, until an analyst adds an entry. The index already holds them (``entities`` with no
``kb_id``), so the list is one nested aggregation, cheap at any corpus size; every ingest summary carries the top 20.

Likely merges: a surname alone beside a full name ("Belfer" and "Mitchell Belfer"), two spellings of one name
("Dbeibah" / "Dbeiba", "al-Mishri" / "Mishri"), and a name close to an existing entry's alias (add it there rather
than as a new actor).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from etl.knowledge.actors import KnowledgeBase, normalise, strip_article_prefix

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from etl.knowledge.gazetteer import Gazetteer

TYPES = ("person", "organization")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»']?\s+|\n+")


@dataclass(frozen=True)
class Suggestion:
    """A name no entry covers: its type as NER saw it, how many documents name it, examples, likely merges."""

    name: str
    type: str
    documents: int
    examples: tuple[str, ...] = ()
    merges: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["examples"], data["merges"] = list(self.examples), list(self.merges)
        return data


def uncovered(
    client: Elasticsearch, alias: str, limit: int = 20, min_docs: int = 1, kb: KnowledgeBase | None = None
) -> list[Suggestion]:
    """The ``limit`` person and organisation names in the most documents with no knowledge-base entry (at least
    ``min_docs`` documents each), most frequent first. ``kb``: also drop names it covers now (documents not yet
    relinked still show them unlinked)."""
    unlinked = {
        "bool": {
            "filter": [{"terms": {"entities.type": list(TYPES)}}],
            "must_not": [{"exists": {"field": "entities.kb_id"}}],
        }
    }
    wanted = limit * 2 + 10  # some are dropped below (covered now): ask for more than shown
    response = client.search(
        index=alias,
        size=0,
        aggs={
            "entities": {
                "nested": {"path": "entities"},
                "aggs": {
                    "unlinked": {
                        "filter": unlinked,
                        "aggs": {
                            "names": {
                                "terms": {"field": "entities.name", "size": wanted, "order": {"docs": "desc"}},
                                "aggs": {
                                    "docs": {"reverse_nested": {}},
                                    "type": {"terms": {"field": "entities.type", "size": 1}},
                                },
                            }
                        },
                    }
                },
            }
        },
    )
    buckets = response["aggregations"]["entities"]["unlinked"]["names"]["buckets"]
    out: list[Suggestion] = []
    for bucket in buckets:
        documents = int(bucket["docs"]["doc_count"])
        if documents < min_docs:
            break
        name = str(bucket["key"])
        if kb is not None and kb.lookup(name) is not None:
            continue
        kinds = bucket["type"]["buckets"]
        out.append(Suggestion(name=name, type=str(kinds[0]["key"]) if kinds else "person", documents=documents))
        if len(out) >= limit:
            break
    return out


def suggest(
    client: Elasticsearch,
    alias: str,
    kb: KnowledgeBase,
    limit: int = 30,
    min_docs: int = 2,
    examples: int = 2,
    gazetteer: Gazetteer | None = None,
) -> list[Suggestion]:
    """``uncovered`` with ``examples`` example sentences each and the likely merges (``newsfacet kb suggest``); with
    a ``gazetteer``, a name that is a known place says so (NER took a place for a person or an organisation: no
    entry to add)."""
    found = uncovered(client, alias, limit=limit, min_docs=min_docs, kb=kb)
    merges = likely_merges([s.name for s in found], kb)
    for s in found:
        place = next(iter(gazetteer.candidates(s.name)), None) if gazetteer is not None else None
        if place is not None:
            merges.setdefault(s.name, []).append(f"a place: {place.name} ({place.feature}, {place.country})")
    return [
        Suggestion(
            name=s.name,
            type=s.type,
            documents=s.documents,
            examples=tuple(example_sentences(client, alias, s.name, examples)),
            merges=tuple(merges.get(s.name, ())),
        )
        for s in found
    ]


def example_sentences(client: Elasticsearch, alias: str, name: str, count: int = 2) -> list[str]:
    """Up to ``count`` sentences (from different articles) in which the name is written."""
    response = client.search(
        index=alias,
        size=count * 3,
        source_includes=["title", "body"],
        query={
            "nested": {
                "path": "entities",
                "query": {"term": {"entities.name": name}},
                "inner_hits": {"size": 1, "_source": ["entities.mentions"]},
            }
        },
    )
    out: list[str] = []
    for hit in response["hits"]["hits"]:
        inner = hit.get("inner_hits", {}).get("entities", {}).get("hits", {}).get("hits", [])
        spellings = [m for h in inner for m in h["_source"].get("mentions", [])] or [name]
        text = f"{hit['_source'].get('title') or ''}\n{hit['_source'].get('body') or ''}"
        sentence = next((s.strip() for s in _SENTENCE_END.split(text) if any(m in s for m in spellings)), None)
        if sentence and sentence not in out:
            out.append(sentence if len(sentence) <= 300 else sentence[:297] + "...")
        if len(out) >= count:
            break
    return out


_ARTICLE_WORDS = frozenset({"al", "el", "ad", "as", "ash", "az"})


def _form(name: str) -> str:
    """A name's comparison form: folded, without Arabic articles ("al-Kikli" and "Kikli" compare equal)."""
    words = normalise(name).split()
    kept = [w for i, w in enumerate(words) if not (w in _ARTICLE_WORDS and i + 1 < len(words))]
    return " ".join(strip_article_prefix(w) for w in kept)


def within_one_or_two(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one edit (two for names of 9 letters or more)."""
    limit = 2 if min(len(a), len(b)) >= 9 else 1
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def likely_merges(names: Sequence[str], kb: KnowledgeBase) -> dict[str, list[str]]:
    """For each name, what it probably is the same as: another suggested name (a surname alone beside the full
    name, a spelling variant) or an existing entry (``entry <id>: <name>``, whose aliases it could join)."""
    forms = {name: _form(name) for name in names}
    out: dict[str, list[str]] = {}
    for name in names:
        form = forms[name]
        words = form.split()
        for other in names:
            if other == name:
                continue
            other_form = forms[other]
            other_words = other_form.split()
            if len(words) == 1 and len(other_words) > 1 and other_words[-1] == form:
                out.setdefault(name, []).append(f"surname of {other}")
            elif len(form) >= 5 and form != other_form and within_one_or_two(form, other_form):
                out.setdefault(name, []).append(f"spelling of {other}")
            elif form == other_form:
                out.setdefault(name, []).append(f"same as {other}")
    entries = _entry_forms(kb)
    for name in names:
        form = forms[name]
        if len(form) < 5:
            continue
        for entry_form, actor_id, actor_name in entries.get(form[0], ()):
            last = entry_form.split()[-1]
            if (len(form.split()) == 1 and form == last and " " in entry_form) or (
                abs(len(entry_form) - len(form)) <= 2 and within_one_or_two(form, entry_form)
            ):
                hint = f"entry {actor_id}: {actor_name}"
                if hint not in out.get(name, []):
                    out.setdefault(name, []).append(hint)
    return out


def _entry_forms(kb: KnowledgeBase) -> dict[str, list[tuple[str, str, str]]]:
    """Every alias form of the knowledge base, bucketed by first letter (and a full name's surname by its own)."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for actor in kb.actors:
        for alias in (actor.name, *actor.aliases):
            form = _form(alias)
            if not form:
                continue
            out.setdefault(form[0], []).append((form, actor.id, actor.name))
            last = form.split()[-1]
            if last != form and last:
                out.setdefault(last[0], []).append((form, actor.id, actor.name))
    return out
