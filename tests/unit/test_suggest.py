"""``kb suggest``'s likely merges: a surname alone beside a full name, spelling variants, a name close to an
existing entry."""

from __future__ import annotations

import json
from pathlib import Path

from etl.knowledge.actors import KnowledgeBase
from etl.knowledge.suggest import likely_merges, within_one_or_two


def test_edit_distance_bound() -> None:
    assert within_one_or_two("dbeibah", "dbeiba")
    assert not within_one_or_two("dbeibah", "dbeibxx")
    assert within_one_or_two("abdulghani kikli", "abdelghani kikly")  # long names allow two
    assert not within_one_or_two("salim", "salem abu")


def test_likely_merges(tmp_path: Path) -> None:
    entry = {
        "id": "abdul-hamid-dbeibah",
        "name": "Abdul Hamid Dbeibah",
        "type": "person",
        "aliases": ["Dbeibah"],
        "source": "en.wikipedia: Abdul Hamid Dbeibeh",
    }
    (tmp_path / "actors.jsonl").write_text(json.dumps(entry) + "\n", encoding="utf-8")
    kb = KnowledgeBase._load_uncached(tmp_path)
    names = ["Hanna Tetteh", "Tetteh", "Abdulghani al-Kikli", "Abdelghani Kikli", "Ghnewa", "Dbeibeh"]
    merges = likely_merges(names, kb)
    assert merges["Tetteh"] == ["surname of Hanna Tetteh"]
    assert "spelling of Abdelghani Kikli" in merges["Abdulghani al-Kikli"]
    assert "Ghnewa" not in merges
    assert merges["Dbeibeh"] == ["entry abdul-hamid-dbeibah: Abdul Hamid Dbeibah"]
