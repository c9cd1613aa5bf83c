"""The actors knowledge base: alias lookup, scanning, the shipped files' integrity, and check() catching mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.knowledge.actors import KnowledgeBase, check, normalise
from tests.paths import KNOWLEDGE_DATA

KB_DIR = KNOWLEDGE_DATA


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.mark.parametrize(
    ("mention", "canonical"),
    [
        ("Hifter", "Khalifa Haftar"),
        ("Haftar", "Khalifa Haftar"),
        ("HAFTAR", "Khalifa Haftar"),
        ("General Khalifa Haftar", "Khalifa Haftar"),
        ("Field Marshal Haftar's", "Khalifa Haftar"),
        ("حفتر", "Khalifa Haftar"),
        ("Kadhafi", "Muammar Gaddafi"),
        ("Qaddafi", "Muammar Gaddafi"),
        ("Gadhafi", "Muammar Gaddafi"),
        ("Khadafi", "Muammar Gaddafi"),
        ("[Muammar] Kadhafi", "Muammar Gaddafi"),
        ("القذافي", "Muammar Gaddafi"),
        ("Serraj", "Fayez al-Sarraj"),
        ("al-Sarraj", "Fayez al-Sarraj"),
        ("el Sarraj", "Fayez al-Sarraj"),
        ("Sarraj", "Fayez al-Sarraj"),
        ("al-Mishri", "Khaled al-Mechri"),
        ("Mishri", "Khaled al-Mechri"),
        ("Aguila Salah", "Aguila Saleh"),
        ("Ghassan Salame", "Ghassan Salamé"),
        ("LNA", "Libyan National Army"),
        ("GNA", "Government of National Accord"),
        ("HoR", "House of Representatives"),
        ("UNSMIL", "United Nations Support Mission in Libya"),
        ("the International Institute of Security Studies", "International Institute for Strategic Studies"),
        ("IISS", "International Institute for Strategic Studies"),
        ("Misratan militias", "Misrata militias"),
        ("UN’s", "United Nations"),
    ],
)
def test_alias_lookup(kb: KnowledgeBase, mention: str, canonical: str) -> None:
    assert kb.canonical_actor(mention) == canonical


def test_places_and_nationalities_are_not_actors(kb: KnowledgeBase) -> None:
    for word in ("Libya", "Tripoli", "Misrata", "Italian", "Libyan"):
        assert kb.lookup(word) is None, word
        assert kb.is_place_name(word), word


def test_actor_record(kb: KnowledgeBase) -> None:
    un = kb.lookup("U.N.")
    assert un is not None
    assert (un.id, un.type, un.wikidata) == ("united-nations", "organization", "Q1065")
    assert un.source


def test_scan_finds_acronyms_ner_misses_and_respects_case(kb: KnowledgeBase) -> None:
    text = "An analyst at the IISS said the LNA and the UN-backed GNA met; un-related, an lna typo."
    hits = [(text[s:e], a.name) for s, e, a in kb.scan(text)]
    assert ("IISS", "International Institute for Strategic Studies") in hits
    assert ("LNA", "Libyan National Army") in hits
    assert ("UN", "United Nations") in hits
    assert ("GNA", "Government of National Accord") in hits
    assert len(hits) == 4  # "un-related" and "lna" are not the UN and the LNA


def test_scan_is_leftmost_longest_with_offsets(kb: KnowledgeBase) -> None:
    text = "Fighters of the Misrata militia met Fayez al-Sarraj."
    hits = kb.scan(text)
    assert [(text[s:e], a.id) for s, e, a in hits] == [
        ("Misrata militia", "misrata-militias"),
        ("Fayez al-Sarraj", "fayez-al-sarraj"),
    ]


def test_shipped_kb_has_no_problems_and_is_small() -> None:
    assert check(KB_DIR) == []
    for path in KB_DIR.glob("actors*.jsonl"):
        assert path.stat().st_size < 1_000_000, path
    assert (KB_DIR / "places_phoenix.txt").stat().st_size < 1_000_000


def test_shipped_kb_size_and_sources(kb: KnowledgeBase) -> None:
    curated = [a for a in kb.actors if not a.id.startswith("phoenix:")]
    phoenix = [a for a in kb.actors if a.id.startswith("phoenix:")]
    assert len(curated) >= 60
    assert len(phoenix) >= 100
    assert all(a.source for a in kb.actors)
    assert all("MIT" in a.source and "Phoenix." in a.source for a in phoenix)
    assert {a.type for a in kb.actors} == {"person", "organization", "armed_group", "media", "community"}


def test_version_is_a_content_hash(tmp_path: Path) -> None:
    line = {"id": "x", "name": "Xavier Test", "type": "person", "aliases": [], "source": "test"}
    (tmp_path / "actors.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    first = KnowledgeBase._load_uncached(tmp_path).version
    line["aliases"] = ["X. Test"]
    (tmp_path / "actors.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert KnowledgeBase._load_uncached(tmp_path).version != first
    assert KnowledgeBase.load() is KnowledgeBase.load()  # cached per process


def test_curated_wins_over_generated(tmp_path: Path) -> None:
    rows = {
        "actors.jsonl": [{"id": "a", "name": "Alpha Group", "type": "armed_group", "aliases": ["AG"], "source": "s"}],
        "actors_other.jsonl": [
            {"id": "b", "name": "Another Gang", "type": "armed_group", "aliases": ["AG"], "source": "s"}
        ],
    }
    for name, objs in rows.items():
        (tmp_path / name).write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    kb = KnowledgeBase._load_uncached(tmp_path)
    assert kb.canonical_actor("AG") == "Alpha Group"
    assert kb.canonical_actor("Another Gang") == "Another Gang"


def test_check_finds_planted_problems(tmp_path: Path) -> None:
    good = {"id": "p1", "name": "Pat One", "type": "person", "aliases": ["P. One"], "source": "test"}
    lines = [
        json.dumps(good),
        json.dumps({**good, "name": "Pat Two", "aliases": []}),  # duplicate id
        json.dumps({"id": "p3", "name": "Pat Three", "type": "wizard", "aliases": [], "source": "test"}),  # bad type
        json.dumps({"id": "p4", "name": "Pat Four", "type": "person", "aliases": ["P. One"], "source": "t"}),  # alias
        json.dumps({"id": "p5", "name": "Pat Five", "type": "person", "aliases": []}),  # no source
        json.dumps({"id": "p6", "type": "person", "aliases": [], "source": "t"}),  # no name
        json.dumps({"id": "p7", "name": "Pat Seven", "type": "person", "aliases": [], "source": "t", "wikidata": "7"}),
        "{not json",
    ]
    (tmp_path / "actors.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = "\n".join(check(tmp_path))
    assert "duplicate id 'p1'" in problems
    assert "bad type 'wizard'" in problems
    assert "alias 'p. one' of 'p4' already claimed by 'p1'" in problems
    assert "missing source" in problems
    assert "missing name" in problems
    assert "bad wikidata id '7'" in problems
    assert "invalid JSON" in problems


def test_normalise() -> None:
    assert normalise("  Ghassan  SALAMÉ ") == "ghassan salame"
    assert normalise("al‑Sarraj’s") == "al sarraj's"


def test_given_names_hold_first_names_not_titles_places_or_role_words() -> None:
    """The first names (from the people Phoenix lists with dated offices) that tell where a person's name starts."""
    from etl.knowledge.actors import given_names

    names = given_names()
    assert {"jose", "justin", "mohamed", "john"} <= names  # "Vladimir" is a town too: left out
    assert not {"president", "sir", "foreign", "al", "indiana", "georgia", "libyan"} & names


def test_local_aliases_count_only_where_the_country_is_named(tmp_path: Path) -> None:
    """A name other countries' institutions share ("the House of Representatives") is the actor's only in a story
    that names its country, by name, nationality or a big town; elsewhere it is no actor of the knowledge base, and
    a lookup (search, NER spans) never gives it. Its other aliases count everywhere."""
    from etl.entities import _country_named_in
    from etl.knowledge.gazetteer import Gazetteer

    hor = {
        "id": "hor",
        "name": "House of Representatives",
        "type": "organization",
        "aliases": ["HoR"],
        "local_aliases": ["House of Representatives", "Chambre des représentants"],
        "country": "LY",
        "source": "test",
    }
    (tmp_path / "actors.jsonl").write_text(json.dumps(hor) + "\n", encoding="utf-8")
    kb, gaz = KnowledgeBase._load_uncached(tmp_path), Gazetteer.load()

    def found(text: str) -> list[str]:
        return [text[s:e] for s, e, _ in kb.scan(text, _country_named_in(text, gaz))]

    assert found("The House of Representatives met in Tobruk on Monday.") == ["House of Representatives"]
    assert found("Libyan lawmakers of the House of Representatives met.") == ["House of Representatives"]
    assert found("La Chambre des représentants s'est réunie en Libye.") == ["Chambre des représentants"]
    assert found("The House of Representatives met in Washington on Monday.") == []
    assert kb.scan("The House of Representatives met in Tobruk.") == []  # no country check asked: none counts
    assert found("The HoR met in Washington.") == ["HoR"]
    assert kb.lookup("House of Representatives") is None and kb.lookup("HoR") is not None


def test_check_finds_local_alias_problems(tmp_path: Path) -> None:
    lines = [
        {"id": "a", "name": "Alpha Council", "type": "organization", "aliases": ["Council"], "source": "t"},
        {"id": "b", "name": "Beta", "type": "organization", "aliases": [], "local_aliases": ["Council"], "source": "t"},
        {
            "id": "c",
            "name": "Gamma",
            "type": "organization",
            "aliases": [],
            "local_aliases": ["Gamma Council"],
            "country": "LY",
            "source": "t",
        },
        {
            "id": "d",
            "name": "Delta",
            "type": "organization",
            "aliases": [],
            "local_aliases": ["Council"],
            "country": "LY",
            "source": "t",
        },
        {
            "id": "e",
            "name": "Epsilon",
            "type": "organization",
            "aliases": [],
            "local_aliases": "Council",
            "country": "LY",
            "source": "t",
        },
    ]
    (tmp_path / "actors.jsonl").write_text("".join(json.dumps(o) + "\n" for o in lines), encoding="utf-8")
    problems = "\n".join(check(tmp_path))
    assert "local_aliases need the actor's country" in problems  # b
    assert "local alias 'council' of 'd' is an alias of 'a'" in problems
    assert "local_aliases must be a list of strings" in problems  # e
    assert "'c'" not in problems
