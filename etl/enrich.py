"""Enrichment: language, entities and places for a batch of clean articles.

Chains the ``language``, ``entities`` and ``regions`` stages. Batches go through spaCy together (``nlp.pipe``),
and the knowledge (the shipped knowledge base and gazetteer, with yours from ``NEWSFACET_KB_DIR``) is loaded once per
process. Everything after NER is ``derive``, from the NER spans alone: ``relink`` calls it too.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence

from etl.entities import EntityResult, link_all, load_model, recognise
from etl.knowledge.gazetteer import Gazetteer
from etl.knowledge.loader import Knowledge, load_knowledge
from etl.language import detect_article_language, detector_factory
from etl.records import CleanArticle, EnrichedArticle, EntityType, Language, Location, NerSpan, analysis_text
from etl.regions import resolve_locations
from etl.settings import Settings

NOT_PLACES = (EntityType.PERSON, EntityType.ORGANIZATION, EntityType.MEDIA)
"""Names of people and organisations are not places; armed groups named after a town ("Misrata militia") keep
implying that town, so the regions stage still sees them."""


def knowledge_versions(settings: Settings) -> tuple[str, str]:
    """(knowledge-base version, gazetteer version): recorded in each document's provenance."""
    return load_knowledge(settings).versions


def warm_up(settings: Settings) -> None:
    """Load once, before the first article, what enrichment loads lazily: the spaCy model of every configured
    language, the knowledge base, the gazetteer and langdetect's profiles.

    Why: an Airflow task runs in a fresh process, so it pays this loading every time; done up front, a task can
    report it apart from its work (and a missing model fails the batch before any file is read). What is loaded
    then lives as long as the process, so it is moved out of the cyclic collector's sight (``gc.freeze``): each
    full collection walked its 450,000 objects again, 0.7 ms of every article's 10 ms of Python work. Refcounting
    still frees them if a reload replaces them.
    """
    for model in settings.spacy_models.values():
        load_model(model)
    load_knowledge(settings)
    detector_factory()
    gc.collect()
    gc.freeze()


def derive(
    article: CleanArticle, language: Language, spans: Sequence[NerSpan], knowledge: Knowledge
) -> EnrichedArticle:
    """Everything after NER, from its spans and the knowledge: canonical actors, quotes, resolved places.

    The ingest and ``relink`` both call this (or ``derive_all``), so a relinked document is exactly what a fresh
    ingest with the same knowledge would make (without spaCy: the spans come from the archive).
    """
    return derive_all([article], [language], [spans], knowledge)[0]


def derive_all(
    articles: Sequence[CleanArticle],
    languages: Sequence[Language],
    spans: Sequence[Sequence[NerSpan]],
    knowledge: Knowledge,
) -> list[EnrichedArticle]:
    """``derive`` for each article, in input order: the entities stage over the batch, then the regions stage, each
    knowledge scan run over the whole batch before the rules (``link_all``, ``locate_all``: cache-warm scans)."""
    results = link_all(list(zip(articles, spans, strict=True)), knowledge.kb, knowledge.gazetteer)
    locations = locate_all(articles, results, [language.code for language in languages], knowledge.gazetteer)
    return assemble(articles, languages, results, locations)


def assemble(
    articles: Sequence[CleanArticle],
    languages: Sequence[Language],
    results: Sequence[EntityResult],
    locations: Sequence[tuple[Location, ...]],
) -> list[EnrichedArticle]:
    """The enriched articles from what the stages made of each (one definition for ``derive_all`` and the bench's
    staged path)."""
    return [
        EnrichedArticle(
            article=article,
            language=language,
            entities=result.entities,
            quotes=result.quotes,
            locations=found,
        )
        for article, language, result, found in zip(articles, languages, results, locations, strict=True)
    ]


def enrich_with_spans(
    articles: Sequence[CleanArticle], settings: Settings
) -> list[tuple[EnrichedArticle, tuple[NerSpan, ...]]]:
    """``enrich``, each article with the NER spans it was made from (the archive keeps them for ``relink``)."""
    knowledge = load_knowledge(settings)
    languages = [detect_article_language(article) for article in articles]
    spans = recognise(list(zip(articles, languages, strict=True)), settings.spacy_models)
    return list(zip(derive_all(articles, languages, spans, knowledge), spans, strict=True))


def enrich(articles: Sequence[CleanArticle], settings: Settings) -> list[EnrichedArticle]:
    """Language, canonical actors, quotes and resolved places for each article, in input order."""
    return [enriched for enriched, _ in enrich_with_spans(articles, settings)]


def actor_spans(result: EntityResult) -> list[tuple[int, int]]:
    """Where people, organisations and media are named: their words are not place mentions."""
    return [(m.start, m.end) for entity in result.entities if entity.type in NOT_PLACES for m in entity.mentions]


def locate(
    article: CleanArticle, result: EntityResult, gazetteer: Gazetteer, language: str = ""
) -> tuple[Location, ...]:
    """The regions stage for one article, from its entities result (one definition for enrich and the benches)."""
    return locate_all([article], [result], [language], gazetteer)[0]


def locate_all(
    articles: Sequence[CleanArticle], results: Sequence[EntityResult], languages: Sequence[str], gazetteer: Gazetteer
) -> list[tuple[Location, ...]]:
    """``locate`` for each article, in input order, the gazetteer scanned over every article first.

    Why: its name automaton (110,000 keys) does not stay in the processor's caches while the rules run; scanned one
    article at a time between them, a scan took 0.70 ms, back to back 0.29 ms (bench articles)."""
    texts = [analysis_text(article) for article in articles]
    scans = [gazetteer.scan(text) for text in texts]
    return [
        resolve_locations(
            text, result.place_mentions, gazetteer, exclude_spans=actor_spans(result), language=language, scan=scan
        )
        for text, result, language, scan in zip(texts, results, languages, scans, strict=True)
    ]
