"""The archive: one per alias, each record the document with the analysed text and NER spans it was made from;
the old per-data-directory archive of bare documents is adopted once, each alias taking only its own."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from etl.records import NerSpan
from etl.settings import Settings
from etl.store.files import (
    ArchiveRecord,
    adopt_legacy_archive,
    alias_archive_dir,
    archive,
    archived_ids,
    iter_archive,
    read_record,
)


def _doc(doc_id: str) -> dict[str, object]:
    return {"doc_id": doc_id, "title": "T", "body": "Haftar met Sarraj.", "source_file": f"{doc_id}.txt"}


def test_a_record_keeps_text_and_spans(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, index_alias="a")
    spans = (NerSpan(3, 9, "PERSON"), NerSpan(14, 20, "PERSON"))
    archive(settings, _doc("ab12"), spans, "T\n\nHaftar met Sarraj.")
    record = read_record(settings, "ab12")
    assert record == ArchiveRecord(_doc("ab12"), "T\n\nHaftar met Sarraj.", [[3, 9, "PERSON"], [14, 20, "PERSON"]])
    assert record.ner_spans == spans
    assert json.loads((alias_archive_dir(settings) / "ab" / "ab12.json").read_text())["format"] == 2
    assert list(iter_archive(settings)) == [_doc("ab12")]
    assert read_record(settings, "cd34") is None
    assert not list(tmp_path.rglob("*.tmp"))


def test_archives_are_per_alias(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path, index_alias="articles")
    second = dataclasses.replace(first, index_alias="articles-b")
    archive(first, _doc("aa01"))
    archive(second, _doc("bb02"))
    assert archived_ids(first) == {"aa01"} and archived_ids(second) == {"bb02"}
    assert [d["doc_id"] for d in iter_archive(second)] == ["bb02"]


def test_the_old_archive_is_adopted_once_each_alias_taking_its_own(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, index_alias="articles")
    for doc_id in ("aa01", "aa02", "bb03"):  # the old layout: archive/<id[:2]>/<id>.json, bare documents
        path = settings.archive_dir / doc_id[:2] / f"{doc_id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_doc(doc_id)))
    asked: list[list[str]] = []

    def served(ids: list[str]) -> list[str]:
        asked.append(list(ids))
        return [i for i in ids if i.startswith("aa")]  # what this alias serves

    assert adopt_legacy_archive(settings, served) == 2
    assert archived_ids(settings) == {"aa01", "aa02"}
    old = read_record(settings, "aa01")
    assert old is not None and old.document == _doc("aa01") and old.ner_spans is None  # no spans: not relinkable
    assert adopt_legacy_archive(settings, served) == 0 and len(asked) == 1  # once
    other = dataclasses.replace(settings, index_alias="other")
    assert adopt_legacy_archive(other, lambda ids: [i for i in ids if i == "bb03"]) == 1
    assert archived_ids(other) == {"bb03"}
