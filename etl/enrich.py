"""Enrichment: language, entities and places for a batch of clean articles.

Chains the ``language``, ``entities`` and ``regions`` stages. Batches go through spaCy together (``nlp.pipe``),
and the knowledge base and gazetteer are loaded once per process.
"""

from __future__ import annotations

from collections.abc import Sequence

from etl.entities import EntityResult, extract_entities, load_model
from etl.knowledge.actors import KnowledgeBase
from etl.knowledge.gazetteer import Gazetteer
from etl.language import detect_article_language, detector_factory
from etl.records import CleanArticle, EnrichedArticle, EntityType, Location, analysis_text
from etl.regions import resolve_locations
from etl.settings import Settings

NOT_PLACES = (EntityType.PERSON, EntityType.ORGANIZATION, EntityType.MEDIA)
"""Names of people and organisations are not places; armed groups named after a town ("Misrata militia") keep
implying that town, so the regions stage still sees them."""


def knowledge_versions() -> tuple[str, str]:
    """(knowledge-base version, gazetteer version): recorded in each document's provenance."""
    return KnowledgeBase.load().version, Gazetteer.load().version


def warm_up(settings: Settings) -> None:
    """Load once, before the first article, what enrichment loads lazily: the spaCy model of every configured
    language, the knowledge base, the gazetteer and langdetect's profiles.

    Why: an Airflow task runs in a fresh process, so it pays this loading every time; done up front, a task can
    report it apart from its work (and a missing model fails the batch before any file is read).
    """
    for model in settings.spacy_models.values():
        load_model(model)
    KnowledgeBase.load()
    Gazetteer.load()
    detector_factory()


def enrich(articles: Sequence[CleanArticle], settings: Settings) -> list[EnrichedArticle]:
    """Language, canonical actors, quotes and resolved places for each article, in input order."""
    kb = KnowledgeBase.load()
    gazetteer = Gazetteer.load()
    languages = [detect_article_language(article) for article in articles]
    results = extract_entities(list(zip(articles, languages, strict=True)), settings.spacy_models, kb)
    return [
        EnrichedArticle(article=article, language=language, entities=result.entities, quotes=result.quotes,
                        locations=locate(article, result, gazetteer))
        for article, language, result in zip(articles, languages, results, strict=True)
    ]


def actor_spans(result: EntityResult) -> list[tuple[int, int]]:
    """Where people, organisations and media are named: their words are not place mentions."""
    return [(m.start, m.end) for entity in result.entities if entity.type in NOT_PLACES for m in entity.mentions]


def locate(article: CleanArticle, result: EntityResult, gazetteer: Gazetteer) -> tuple[Location, ...]:
    """The regions stage for one article, from its entities result (one definition for enrich and the benches)."""
    return resolve_locations(analysis_text(article), result.place_mentions, gazetteer,
                             exclude_spans=actor_spans(result))
