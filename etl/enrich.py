"""Enrichment: language, entities and places for a batch of clean articles.

Chains the ``language``, ``entities`` and ``regions`` stages. Batches go through spaCy together (``nlp.pipe``),
and the knowledge base and gazetteer are loaded once per process.
"""

from __future__ import annotations

from collections.abc import Sequence

from etl.records import CleanArticle, EnrichedArticle, analysis_text
from etl.settings import Settings


def knowledge_versions() -> tuple[str, str]:
    """(knowledge-base version, gazetteer version): recorded in each document's provenance."""
    from etl.gazetteer import Gazetteer
    from etl.kb import KnowledgeBase

    return KnowledgeBase.load().version, Gazetteer.load().version


def warm_up(settings: Settings) -> None:
    """Load once, before the first article, what enrichment loads lazily: the spaCy model of every configured
    language, the knowledge base, the gazetteer and langdetect's profiles.

    Why: an Airflow task runs in a fresh process, so it pays this loading every time; done up front, a task can
    report it apart from its work (and a missing model fails the batch before any file is read).
    """
    from etl.entities import _load_model
    from etl.gazetteer import Gazetteer
    from etl.kb import KnowledgeBase
    from etl.language import _detector_factory

    for model in settings.spacy_models.values():
        _load_model(model)
    KnowledgeBase.load()
    Gazetteer.load()
    _detector_factory()


def enrich(articles: Sequence[CleanArticle], settings: Settings) -> list[EnrichedArticle]:
    """Language, canonical actors, quotes and resolved places for each article, in input order."""
    from etl.entities import extract_entities
    from etl.gazetteer import Gazetteer
    from etl.kb import KnowledgeBase
    from etl.language import detect_article_language
    from etl.regions import resolve_locations

    kb = KnowledgeBase.load()
    gazetteer = Gazetteer.load()
    languages = [detect_article_language(article) for article in articles]
    results = extract_entities(list(zip(articles, languages, strict=True)), settings.spacy_models, kb)
    enriched: list[EnrichedArticle] = []
    for article, language, result in zip(articles, languages, results, strict=True):
        # Names of people and organisations are not places ("Tripoli Protection Force" aside, which the
        # regions stage still sees): armed groups named after a town keep implying that town.
        actor_spans = [
            (mention.start, mention.end)
            for entity in result.entities
            if entity.type in ("person", "organization", "media")
            for mention in entity.mentions
        ]
        locations = resolve_locations(
            analysis_text(article), result.place_mentions, gazetteer, exclude_spans=actor_spans
        )
        enriched.append(
            EnrichedArticle(
                article=article,
                language=language,
                entities=result.entities,
                quotes=result.quotes,
                locations=locations,
            )
        )
    return enriched
