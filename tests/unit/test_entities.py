"""The entities stage on the seed article (spaCy NER + the actors KB), a French text, and a language without a model.

The seed article is built into a ``CleanArticle`` here (not by ``etl.clean``) so these tests pin the entities stage
alone: title first line, caption and credit kept apart, boilerplate gone, as ``../shared/seed/expected.md`` says.
"""

from __future__ import annotations

from collections import Counter

import pytest

from etl.entities import EntityResult, extract_entities
from etl.knowledge.actors import KnowledgeBase
from etl.records import CleanArticle, Entity, Language, analysis_text
from etl.settings import Settings
from tests.paths import SEED_ARTICLE

SEED = SEED_ARTICLE
CAPTION = "Libya strongman General Khalifa Haftar."
CREDIT = "REUTERS/Philippe Wojazer"
HEADINGS = ("Motivated by migration crisis", "Italy's dual diplomacy", "Limited outcome")
MODELS = Settings().spacy_models

# expected.md: canonical name -> (type family, spellings the article uses)
PEOPLE = {
    "Khalifa Haftar": ["Haftar", "Khalifa Haftar", "General Haftar"],
    "Fayez al-Sarraj": ["al-Sarraj", "Fayez al-Sarraj"],
    "Khaled al-Mechri": ["Khaled al-Mechri"],
    "Aguila Saleh": ["Aguila Salah"],
    "Matteo Salvini": ["Matteo Salvini"],
    "Enzo Moavero Milanesi": ["Enzo Moavero Milanesi"],
    "Ghassan Salamé": ["Ghassan Salame"],
    "Muammar Gaddafi": ["[Muammar] Kadhafi"],
    "Umberto Profazio": ["Umberto Profazio", "Profazio"],
    "Mitchell Belfer": ["Mitchell Belfer", "Belfer"],
}
ORGANISATIONS = {
    "Libyan National Army": ["Libyan National Army", "LNA"],
    "Government of National Accord": ["Government of National Accord", "GNA"],
    "United Nations": ["UN"],
    "International Institute for Strategic Studies": [
        "International Institute for Strategic Studies",
        "IISS",
        "International Institute of Security Studies",
    ],
    "Euro Gulf Information Centre": ["Euro Gulf Information Centre"],
    "RFI": ["RFI"],
    "Misrata militias": ["Misrata militia"],
}


def seed_article(*, credit_in_body: bool = False) -> CleanArticle:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    boilerplate = ("Daily newsletter", "Keep up to date")
    paragraphs = [
        line.strip()
        for line in lines[1:]
        if line.strip() and not line.startswith(CAPTION) and not line.startswith(boilerplate)
    ]
    if credit_in_body:  # a cleaner that let the caption and credit through must not make the photographer an actor
        paragraphs.insert(0, f"{CAPTION} {CREDIT}")
    return CleanArticle(
        doc_id="seed",
        source_file=SEED.name,
        content_sha256="0" * 64,
        title=lines[0],
        body="\n\n".join(paragraphs),
        paragraphs=tuple(p for p in paragraphs if p not in HEADINGS),
        headings=HEADINGS,
        captions=(CAPTION,),
        credits=(CREDIT,),
        source="RFI",
    )


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.fixture(scope="module")
def seed_result(kb: KnowledgeBase) -> EntityResult:
    return extract_entities([(seed_article(), Language("en", 0.99))], MODELS, kb)[0]


def by_name(result: EntityResult) -> dict[str, Entity]:
    return {e.name: e for e in result.entities}


@pytest.mark.parametrize(("name", "spellings"), list(PEOPLE.items()))
def test_seed_people(seed_result: EntityResult, name: str, spellings: list[str]) -> None:
    entity = by_name(seed_result).get(name)
    assert entity is not None, f"{name} missing from {sorted(by_name(seed_result))}"
    assert entity.type == "person"
    assert entity.kb_id
    assert set(spellings) <= {m.text for m in entity.mentions}


@pytest.mark.parametrize(("name", "spellings"), list(ORGANISATIONS.items()))
def test_seed_organisations(seed_result: EntityResult, name: str, spellings: list[str]) -> None:
    entity = by_name(seed_result).get(name)
    assert entity is not None, f"{name} missing from {sorted(by_name(seed_result))}"
    assert entity.type in {"organization", "armed_group", "media"}
    assert set(spellings) <= {m.text for m in entity.mentions}


def test_seed_types(seed_result: EntityResult) -> None:
    entities = by_name(seed_result)
    assert entities["Misrata militias"].type == "armed_group"
    assert entities["RFI"].type == "media"
    assert entities["United Nations"].wikidata == "Q1065"


def test_mention_offsets_point_into_analysis_text(seed_result: EntityResult) -> None:
    text = analysis_text(seed_article())
    for entity in seed_result.entities:
        for m in entity.mentions:
            assert text[m.start : m.end] == m.text
    for m in seed_result.place_mentions:
        assert text[m.start : m.end] == m.text


def test_no_places_nationalities_or_photographer_as_actors(seed_result: EntityResult, kb: KnowledgeBase) -> None:
    names = set(by_name(seed_result))
    assert not names & {"Libya", "Tripoli", "Misrata", "Palermo", "Italy", "Italian", "Libyan", "Qatar", "Fezzan"}
    assert not any("Wojazer" in n for n in names)
    article = seed_article(credit_in_body=True)
    result = extract_entities([(article, Language("en", 0.99))], MODELS, kb)[0]
    assert not any("Wojazer" in m.text for e in result.entities for m in e.mentions)
    haftar = by_name(result)["Khalifa Haftar"]
    assert "General Khalifa Haftar" in {m.text for m in haftar.mentions}  # the caption's spelling, title kept


def test_place_mentions_for_regions(seed_result: EntityResult) -> None:
    places = {m.text for m in seed_result.place_mentions}
    expected = {"Palermo", "Tripoli", "Benghazi", "Tobruk", "Sirte", "Misrata", "Rome", "Paris", "Fezzan"}
    expected |= {"Libya", "Italy", "France", "Qatar", "Chad", "Sudan"}
    assert expected <= places
    assert "Profazio" not in places  # spaCy calls him a GPE once; he is a person
    text = analysis_text(seed_article())
    militia = text.index("Misrata militia")
    assert any(m.start == militia and m.text == "Misrata" for m in seed_result.place_mentions)


def test_seed_quotes(seed_result: EntityResult) -> None:
    speakers = Counter(q.speaker for q in seed_result.quotes)
    assert speakers == {"Umberto Profazio": 4, "Mitchell Belfer": 6}
    assert all(q.speaker_kb_id for q in seed_result.quotes)
    belfer = [q.text for q in seed_result.quotes if q.speaker == "Mitchell Belfer"]
    migration = [t for t in belfer if "halt migration" in t]
    assert len(migration) == 1  # "It ticks all the boxes," continues Belfer, "You'll be able ..." is one quote
    assert migration[0].startswith("It ticks all the boxes")
    assert "the area that's been contested by the various parties" in migration[0]
    assert any("containing the migrant flow" in t for t in belfer)
    assert any(t.startswith("They're willing to empower al-Sarraj") for t in belfer)  # "he told RFI"
    profazio = [q.text for q in seed_result.quotes if q.speaker == "Umberto Profazio"]
    assert any("exacerbating the conflict" in t and t.startswith("France and Italy") for t in profazio)


FRENCH = (
    "Le maréchal Khalifa Hafter a rejeté mardi l'offre du Gouvernement d'union nationale (GNA) installé à Tripoli. "
    "Selon un diplomate européen, Hafter se présente comme l'héritier de l'ordre imposé par Kadhafi. "
    "« C'est une agression contre la capitale et contre les Libyens », a affirmé Fayez al-Sarraj."
)


def article(text: str, doc_id: str) -> CleanArticle:
    return CleanArticle(
        doc_id=doc_id, source_file=doc_id, content_sha256=doc_id, title="", body=text, paragraphs=(text,)
    )


def test_french_text_links_with_french_model(kb: KnowledgeBase) -> None:
    result = extract_entities([(article(FRENCH, "fr"), Language("fr", 0.99))], MODELS, kb)[0]
    entities = by_name(result)
    assert {"Hafter", "Le maréchal Khalifa Hafter"} <= {m.text for m in entities["Khalifa Haftar"].mentions}
    assert {"GNA", "Gouvernement d'union nationale"} <= {
        m.text for m in entities["Government of National Accord"].mentions
    }
    assert "Kadhafi" in {m.text for m in entities["Muammar Gaddafi"].mentions}
    assert "Tripoli" in {m.text for m in result.place_mentions}
    assert [(q.speaker, q.text) for q in result.quotes] == [
        ("Fayez al-Sarraj", "C'est une agression contre la capitale et contre les Libyens")
    ]


def test_language_without_model_uses_the_kb_only(kb: KnowledgeBase) -> None:
    german = (
        "Der libysche General Khalifa Haftar boykottierte die Konferenz in Palermo. Die Regierung der Nationalen "
        "Einheit (GNA) von Fayez al-Sarraj wird von der UN unterstützt; Haftar kontrolliert den Osten mit der LNA."
    )
    results = extract_entities(
        [(article(german, "de"), Language("de", 0.99)), (article("", "empty"), Language("und", 0.0))], MODELS, kb
    )
    names = set(by_name(results[0]))
    assert {"Khalifa Haftar", "Government of National Accord", "Fayez al-Sarraj", "United Nations"} <= names
    assert "Libyan National Army" in names
    assert results[0].place_mentions == ()
    assert results[1] == EntityResult(entities=(), quotes=(), place_mentions=())


def test_unknown_people_keep_their_name_and_surnames_refer_back(kb: KnowledgeBase) -> None:
    text = (
        "Local mayor Abdelrahman Zwawi welcomed the talks. Zwawi said the city would cooperate. "
        "The International Federation of Widget Makers (IFWM) sent observers; IFWM staff stayed a week. "
        '"We will not leave," Zwawi told reporters.'
    )
    result = extract_entities([(article(text, "u"), Language("en", 0.99))], MODELS, kb)[0]
    entities = by_name(result)
    zwawi = entities["Abdelrahman Zwawi"]
    assert zwawi.type == "person" and zwawi.kb_id is None
    assert [m.text for m in zwawi.mentions].count("Zwawi") == 2
    assert [(q.speaker, q.text) for q in result.quotes] == [("Abdelrahman Zwawi", "We will not leave.")]
    ifwm = [e for e in result.entities if "IFWM" in {m.text for m in e.mentions}]
    assert len(ifwm) == 1 and ifwm[0].type == "organization" and len(ifwm[0].mentions) >= 2


def test_batches_keep_input_order(kb: KnowledgeBase) -> None:
    items = [(seed_article(), Language("en", 0.99)), (article(FRENCH, "fr"), Language("fr", 0.99))] * 3
    results = extract_entities(items, MODELS, kb, batch_size=2)
    assert len(results) == 6
    assert all("Umberto Profazio" in by_name(r) for r in results[0::2])
    assert all("Umberto Profazio" not in by_name(r) for r in results[1::2])
