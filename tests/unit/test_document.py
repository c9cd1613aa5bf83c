"""The document builder never lets a value cost its article: dates made strict or dropped with a note, keyword
values bounded, word counts right for every script, short articles kept and marked (issue 11 #3, #4, #20)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from etl.document import KEYWORD_MAX, length_of, strict_date, to_document
from etl.records import CleanArticle, EnrichedArticle, Language
from etl.sentences import count_words


def _article(**fields: object) -> EnrichedArticle:
    base = CleanArticle(
        doc_id="d1",
        source_file="inbox/a.txt",
        content_sha256="0" * 64,
        title="Brief",
        body="Fighting resumed south of Tripoli on Monday.",
        paragraphs=("x",),
    )
    return EnrichedArticle(article=replace(base, **fields), language=Language("en", 0.99))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2019-11-19 02:24:00", "2019-11-19T02:24:00"),
        ("2021-05-05 08:07:52+0200", "2021-05-05T08:07:52+02:00"),
        ("20190214", "2019-02-14"),
        ("2019-W07-4", "2019-02-14"),
        ("14.02.2019", "2019-02-14"),
        ("2018-11-13", "2018-11-13"),
        ("2018-11-13T10:00:00Z", "2018-11-13T10:00:00+00:00"),
    ],
)
def test_dates_pages_carry_become_strict_iso(value: str, iso: str) -> None:
    notes: list[str] = []
    assert strict_date(value, notes) == iso and notes == []


@pytest.mark.parametrize("value", ["2019-02-30", "2019-13-45", "yesterday", "0001-01-01", "2019-W60-1"])
def test_impossible_dates_are_dropped_with_a_note_not_the_article(value: str) -> None:
    document = to_document(_article(published_at=value))
    assert document["published_at"] is None
    assert len(document["notes"]) == 1 and document["notes"][0].startswith("published_at")


def test_keyword_values_are_bounded_and_the_cut_is_noted() -> None:
    """A 40 KB og:site_name made ``source`` (keyword) fail the whole document."""
    document = to_document(_article(source="Site " * 8000, byline="By " + "x" * 5000, url="https://a.b/" + "p" * 9000))
    assert len(document["source"]) == KEYWORD_MAX and len(document["byline"]) == KEYWORD_MAX
    assert len(document["url"]) == 2048
    assert {note.split()[0] for note in document["notes"]} == {"source", "byline", "url"}


def test_word_count_in_chinese_and_japanese() -> None:
    """#20: three paragraphs of Chinese counted as 3 words."""
    chinese = "利比亚国民军周一在的黎波里南部恢复战斗。\n\n联合国特使呼吁停火。\n\n谈判将在巴勒莫举行。"
    assert count_words(chinese) == len("".join(chinese.split()).replace("。", "")) + 0
    assert count_words("ハフタル司令官は火曜日、トリポリ")
    assert count_words("Fighting resumed south of Tripoli") == 5
    assert count_words("LNA 利比亚国民军") == 1 + 6


def test_short_articles_are_kept_and_marked() -> None:
    assert [length_of(n) for n in (15, 99, 100, 299, 300, 999, 1000)] == [
        "brief",
        "brief",
        "short",
        "short",
        "medium",
        "medium",
        "long",
    ]
    document = to_document(_article())
    assert document["length"] == "brief" and document["word_count"] == 7
