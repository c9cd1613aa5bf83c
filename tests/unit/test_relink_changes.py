"""A relink re-derives only the documents a knowledge change can touch; the others are only re-stamped. That is
safe only if every document it leaves alone would have been re-derived into exactly what it holds: checked here
against full re-derivation, document by document, on edits of every kind (new actors and aliases drawn from the
texts, aliases taken away, actors renamed, places added or given another spelling, a district moved to another
region, a country moved), some chosen at random."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from etl.clean import clean
from etl.document import to_document
from etl.enrich import derive
from etl.entities import recognise
from etl.extract import decode, read_file
from etl.knowledge.actors import KnowledgeBase
from etl.knowledge.changes import _RUN, Changes, _foldings, changes_between, document_words, ensure_snapshots
from etl.knowledge.gazetteer import Gazetteer
from etl.knowledge.loader import Knowledge
from etl.language import detect_article_language
from etl.records import CleanArticle, Language, NerSpan, analysis_text
from etl.run.relink import KNOWLEDGE_FIELDS
from etl.settings import Settings
from tests.paths import PROJECT_ROOT, SEEDS

HEAD = "name,aliases,feature,district,region,country,lat,lon,source\n"
FIELDS = [f for f in KNOWLEDGE_FIELDS if f not in ("kb_version", "gazetteer_version")]


@dataclass(frozen=True)
class Doc:
    article: CleanArticle
    language: Language
    spans: tuple[NerSpan, ...]

    @property
    def text(self) -> str:
        return analysis_text(self.article)


@pytest.fixture(scope="module")
def docs() -> list[Doc]:
    settings = Settings()
    paths = [*SEEDS.iterdir(), *(PROJECT_ROOT / "tests" / "fixtures" / "knowledge").glob("*.txt")]
    articles = []
    for path in sorted(paths):
        try:
            articles.append(clean(decode(read_file(path, settings.max_file_bytes), settings.max_file_bytes)))
        except Exception:  # the empty seed: not an article
            continue
    body = (
        "Residents of Sabha said the power station in Ubari had stopped working on Sunday, and fuel queues "
        "stretched across the town as families waited for news."
    )  # towns, but neither country nor region named
    articles.append(
        CleanArticle(
            doc_id="towns-only",
            source_file="towns-only.txt",
            content_sha256="-",
            title="Power cut in Sabha",
            body=body,
            paragraphs=(body,),
        )
    )
    languages = [detect_article_language(a) for a in articles]
    spans = recognise(list(zip(articles, languages, strict=True)), settings.spacy_models)
    return [Doc(a, lang, s) for a, lang, s in zip(articles, languages, spans, strict=True)]


@pytest.fixture(scope="module")
def shipped() -> Knowledge:
    return Knowledge(KnowledgeBase.load(), Gazetteer.load())


def _derived(doc: Doc, knowledge: Knowledge) -> dict[str, Any]:
    made = to_document(
        derive(doc.article, doc.language, doc.spans, knowledge),
        ingested_at="x",
        kb=knowledge.kb,
        gazetteer=knowledge.gazetteer,
    )
    return json.loads(json.dumps({k: made[k] for k in FIELDS}))


def _variant(folder: Path, shipped: Knowledge, actors: list[dict[str, Any]], places: list[str]) -> Knowledge:
    folder.mkdir()
    if actors:
        (folder / "actors_edit.jsonl").write_text("".join(json.dumps(a) + "\n" for a in actors), encoding="utf-8")
    if places:
        (folder / "places_edit.csv").write_text(HEAD + "\n".join(places) + "\n", encoding="utf-8")
    return Knowledge(
        KnowledgeBase.load(user_dir=folder) if actors else shipped.kb,
        Gazetteer.load(user_dir=folder) if places else shipped.gazetteer,
    )


def _names(docs: list[Doc]) -> list[str]:
    """Capitalised word sequences of the texts: what an analyst would add as an alias or a place."""
    found = {m.group(0) for d in docs for m in re.finditer(r"\b[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,2}", d.text)}
    return sorted(found)


def _edits(docs: list[Doc], shipped: Knowledge) -> Iterator[tuple[str, list[dict[str, Any]], list[str]]]:
    """(what, actor rows, place rows): fixed edits of every kind, then random ones."""
    haftar = shipped.kb.lookup("Haftar")
    lna = shipped.kb.lookup("LNA")
    assert haftar is not None and lna is not None
    yield (
        "new actor with aliases in one text",
        [
            {
                "id": "t:kikli",
                "name": "Abdul Ghani al-Kikli",
                "type": "person",
                "aliases": ["Abdulghani al-Kikli", "Ghnewa"],
                "source": "t",
            }
        ],
        [],
    )
    yield (
        "alias taken away",
        [
            {
                "id": haftar.id,
                "name": haftar.name,
                "type": "person",
                "aliases": [a for a in haftar.aliases if a != "Haftar"],
                "source": "t",
            }
        ],
        [],
    )
    yield (
        "alias added, not written anywhere",
        [
            {
                "id": haftar.id,
                "name": haftar.name,
                "type": "person",
                "aliases": [*haftar.aliases, "Khalifa Belqasim Haftar"],
                "source": "t",
            }
        ],
        [],
    )  # every Haftar article's actor_names
    yield "country alias", [], ["Libya,Libiya,country,,,LY,,,t"]  # place_names of every Libyan article
    yield "district alias", [], ["Wadi al Hayaa,Wadi Ubari,district,,,LY,,,t"]  # place_names of Ubari's articles
    yield (
        "actor renamed",
        [
            {
                "id": lna.id,
                "name": "LNA (Haftar's forces)",
                "type": str(lna.type),
                "aliases": list(lna.aliases),
                "source": "t",
            }
        ],
        [],
    )
    yield (
        "acronym alias",
        [
            {
                "id": "t:ssa",
                "name": "Stability Support Apparatus",
                "type": "armed_group",
                "aliases": ["SSA"],
                "source": "t",
            }
        ],
        [],
    )
    yield (
        "a place name as an actor",
        [{"id": "t:misrata", "name": "Misrata brigades", "type": "armed_group", "aliases": ["Misrata"], "source": "t"}],
        [],
    )
    yield "new place", [], ["Abu Salim,,place,Tripoli,,LY,32.84,13.2,t"]
    yield "district moved", [], ["Jufra,Al Jufrah,district,,Tripolitania,LY,,,t"]
    yield "country moved", [], ["Libya,,country,,,LY,25,17,t"]
    yield "region moved", [], ["Fezzan,,region,,,LY,26,14,t"]
    yield "new spelling of a town", [], ["Sabha,Sebhaa|Palermo,city,,,LY,,,t"]
    rng = random.Random(14)
    names = _names(docs)
    for i in range(12):
        picked = rng.sample(names, 2)
        yield (
            f"random actor {i}: {picked}",
            [{"id": f"t:random-{i}", "name": picked[0], "type": "organization", "aliases": picked[1:], "source": "t"}],
            [],
        )
    for i in range(2):
        picked = rng.choice(names)
        yield f"random place {i}: {picked}", [], [f"{picked},,city,,,LY,29,17,t"]


def test_documents_a_change_cannot_touch_rederive_to_what_they_hold(
    docs: list[Doc], shipped: Knowledge, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    ensure_snapshots(settings, shipped)
    before = [_derived(d, shipped) for d in docs]
    touched_total = changed_total = skipped_total = 0
    for number, (what, actors, places) in enumerate(_edits(docs, shipped)):
        knowledge = _variant(tmp_path / f"edit-{number}", shipped, actors, places)
        changes = changes_between(settings, shipped.versions, knowledge)
        assert not changes.everything, what
        for doc, old in zip(docs, before, strict=True):
            new = _derived(doc, knowledge)
            touched = changes.touches(doc.text, old["countries"], old["regions"], old["districts"])
            if not touched:
                assert new == old, f"{what}: {doc.article.source_file} changed but was judged untouched"
                skipped_total += 1
            touched_total += touched
            changed_total += new != old
    print(f"\n{touched_total} (document, edit) pairs re-derived, {changed_total} changed, {skipped_total} skipped")
    assert changed_total >= 9 and skipped_total >= 50  # the edits changed documents, and most were left alone


def test_no_snapshot_of_the_old_version_means_everything(tmp_path: Path, shipped: Knowledge) -> None:
    changes = changes_between(Settings(data_dir=tmp_path), ("old-kb", shipped.gazetteer.version), shipped)
    assert changes.everything and changes.touches("", (), ())
    assert changes_between(Settings(data_dir=tmp_path), shipped.versions, shipped).nothing


def test_document_words_cover_every_folding() -> None:
    words = document_words("Straße in Sebḥā; [Muammar]Kadhafi — الحفتر said Al-Jufra’s")
    assert {
        "strasse",
        "straße",
        "sebha",
        "muammarkadhafi",
        "muammar",
        "kadhafi",
        "الحفتر",
        "حفتر",
        "al",
        "jufra",
        "s",
    } <= words
    changes = Changes(keys=(("abu", "salim"),))
    assert changes.touches("Residents of Abu Salim said", (), ())
    assert changes.touches("Residents of ABU-SALIM’s east said", (), ())
    assert changes.touches("Residents of Abu\nSalim said", (), ())
    assert not changes.touches("Residents of Abu Dhabi said", (), ())
    assert not changes.touches("Salim met Abu Bakr", (), ())  # both words, not one after the other
    assert Changes(keys=(("حفتر",),)).touches("قال الحفتر", (), ())
    assert Changes(countries=frozenset({"Libya"})).touches("no words", ("Libya",), ())


def test_document_words_fast_path_is_the_plain_folding(docs: list[Doc]) -> None:
    from etl.knowledge.changes import _by_folding_the_text

    texts = [d.text for d in docs] + [
        "Straße in Sebḥā; [Muammar]Kadhafi — الحفتر said Al-Jufra’s",
        "ال حفتر",
        "Foo™ bar",
        "سَبها والحفتر",
        "Saʼid ﬁnal Ⅻ ²",
        "e\u0301 cafe\u0301",
    ]
    for text in texts:
        assert document_words(text) == _by_folding_the_text(text), text[:60]
    assert "سبها" in document_words("سَبها")  # a vowel mark between letters: the plain way, whole words


def test_a_key_written_in_the_text_is_found_and_only_such(docs: list[Doc]) -> None:
    """Keys made of words that follow each other in a text are found in it; a key the phrase search finds always has
    all its words in ``document_words`` (the looser test used for huge change sets)."""
    texts = [d.text for d in docs] + [
        "Straße in Sebḥā; [Muammar]Kadhafi — الحفتر said Al-Jufra’s",
        "ال حفتر",
        "سَبها والحفتر",
        "Saʼid ﬁnal Foo™",
    ]
    rng = random.Random(7)
    for text in texts:
        runs = _RUN.findall(rng.choice(_foldings(text)))
        start = rng.randrange(len(runs))
        written = tuple(runs[start : start + rng.randint(1, 3)])
        assert Changes(keys=(written,)).touches(text, (), ()), (written, text[:60])
        vocabulary = sorted(document_words(text))
        for _ in range(20):
            key = tuple(rng.sample(vocabulary, min(len(vocabulary), rng.randint(1, 3))))
            if Changes(keys=(key,)).touches(text, (), ()):
                assert set(key) <= document_words(text)
