"""Re-deriving a document makes exactly what the ingest makes: ``knowledge_fields`` (what a relink keeps of a
re-derived article, without making the whole document) against ``to_document``, byte for byte; the names kept
once per knowledge base and gazetteer against folding every name again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from etl.clean import clean
from etl.document import actor_names, knowledge_fields, place_names, to_document
from etl.enrich import derive
from etl.entities import recognise
from etl.extract import decode, read_file
from etl.knowledge.actors import KnowledgeBase
from etl.knowledge.gazetteer import Gazetteer
from etl.knowledge.loader import Knowledge, load_knowledge
from etl.language import detect_article_language
from etl.records import ACTOR_TYPES, EnrichedArticle, NerSpan
from etl.run.rederive import KNOWLEDGE_FIELDS
from etl.settings import Settings
from tests.paths import PROJECT_ROOT, SEEDS


@pytest.fixture(scope="module")
def enriched() -> list[tuple[EnrichedArticle, tuple[NerSpan, ...]]]:
    """The seed articles and the knowledge fixtures, through NER and the shipped knowledge."""
    settings = Settings()
    paths = [*SEEDS.iterdir(), *(PROJECT_ROOT / "tests" / "fixtures" / "knowledge").glob("*.txt")]
    articles = []
    for path in sorted(paths):
        try:
            articles.append(clean(decode(read_file(path, settings.max_file_bytes), settings.max_file_bytes)))
        except Exception:  # the empty seed: not an article
            continue
    languages = [detect_article_language(a) for a in articles]
    spans = recognise(list(zip(articles, languages, strict=True)), settings.spacy_models)
    knowledge = Knowledge(KnowledgeBase.load(), Gazetteer.load())
    return [(derive(a, lang, s, knowledge), s) for a, lang, s in zip(articles, languages, spans, strict=True)]


def _plain_actor_names(entities: list[dict[str, Any]], kb: KnowledgeBase) -> list[str]:
    """Every name in order, folded one by one, first spelling kept (what ``actor_names`` promises)."""
    names: list[str] = []
    for entity in entities:
        if entity.get("type") in ACTOR_TYPES:
            known = kb.get(entity["kb_id"]) if entity.get("kb_id") else None
            names += [entity["name"], *(known.aliases if known else ()), *entity.get("mentions", ())]
    return _first_spellings(names)


def _plain_place_names(locations: list[dict[str, Any]], gazetteer: Gazetteer) -> list[str]:
    names: list[str] = []
    for loc in locations:
        names += [loc["name"], *loc.get("mentions", ())]
        for place in gazetteer.candidates(loc["name"]):
            wanted = (
                place.geonameid == loc["geonameid"]
                if loc.get("geonameid")
                else (place.name, place.feature) == (loc["name"], loc.get("feature"))
            )
            if wanted:
                names += place.names
                break
        if loc.get("district"):
            names += [n for p in gazetteer.candidates(loc["district"])[:1] if p.feature == "district" for n in p.names]
        if loc.get("region") and (region := gazetteer.region(loc["region"])):
            names += [region.name, *region.aliases]
        if loc.get("country_code") and (country := gazetteer.country(loc["country_code"])):
            names += list(country.names)
    return _first_spellings(names)


def _first_spellings(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        if name and name.strip():
            seen.setdefault(name.casefold(), name)
    return list(seen.values())


def test_knowledge_fields_are_to_documents_own_byte_for_byte(
    enriched: list[tuple[EnrichedArticle, tuple[NerSpan, ...]]],
) -> None:
    kb, gazetteer = KnowledgeBase.load(), Gazetteer.load()
    assert len(enriched) >= 5
    for article, _ in enriched:
        made = to_document(article, kb_version="k", gazetteer_version="g", ingested_at="x", kb=kb, gazetteer=gazetteer)
        fields = {**knowledge_fields(article, kb, gazetteer), "kb_version": "k", "gazetteer_version": "g"}
        assert set(fields) == set(KNOWLEDGE_FIELDS)
        expected = json.dumps({k: made[k] for k in KNOWLEDGE_FIELDS}, ensure_ascii=False)
        assert json.dumps({k: fields[k] for k in KNOWLEDGE_FIELDS}, ensure_ascii=False) == expected


def test_names_folded_once_are_the_names_folded_every_time(
    enriched: list[tuple[EnrichedArticle, tuple[NerSpan, ...]]],
) -> None:
    kb, gazetteer = KnowledgeBase.load(), Gazetteer.load()
    documents = [to_document(a, ingested_at="x", kb=kb, gazetteer=gazetteer) for a, _ in enriched]
    assert sum(len(d["place_names"]) for d in documents) > 100
    for _ in range(2):  # the second round from the names kept by the first
        for document in documents:
            assert place_names(document["locations"], gazetteer) == _plain_place_names(document["locations"], gazetteer)
            assert actor_names(document["entities"], kb) == _plain_actor_names(document["entities"], kb)


def test_names_are_kept_per_gazetteer(tmp_path: Path) -> None:
    """A gazetteer loaded with a user's place file answers its own names, not those another one kept."""
    location = {"name": "Tripoli", "feature": "city", "country": "Libya", "country_code": "LY", "mentions": ["Tripoli"]}
    shipped = Gazetteer.load()
    tripoli = next(p for p in shipped.candidates("Tripoli") if p.country_code == "LY")
    location["geonameid"] = tripoli.geonameid
    before = place_names([location], shipped)
    (tmp_path / "places_mine.csv").write_text(
        "name,aliases,feature,district,region,country,lat,lon,source\n"
        f"Tripoli,Trablus al-Gharb Zzq,city,{tripoli.district},{tripoli.region},Libya,{tripoli.lat},{tripoli.lon},"
        "test\n",
        encoding="utf-8",
    )
    mine = load_knowledge(Settings(kb_dir=tmp_path), refresh=True).gazetteer
    assert mine is not shipped
    ours = place_names([location], mine)
    assert ours == _plain_place_names([location], mine)
    assert "Trablus al-Gharb Zzq" in ours and "Trablus al-Gharb Zzq" not in before
    assert place_names([location], shipped) == before
