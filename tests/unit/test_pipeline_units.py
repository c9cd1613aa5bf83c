"""Pipeline bookkeeping without services: inbox listing, batching, ledger keys, reports that add up."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from etl.errors import RejectReason
from etl.records import CleanArticle, EnrichedArticle, Language
from etl.run import batch as batch_module
from etl.run.planning import batches, list_inbox
from etl.run.report import RunReport
from etl.settings import Settings
from etl.store.files import quarantine
from etl.store.ledger import ledger_key


def test_list_inbox_walks_folders_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("b/2.txt", "a.txt", ".hidden.txt", ".git/config", "b/1.html"):
        (tmp_path / name).write_text("x")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in list_inbox([tmp_path])]
    assert found == ["a.txt", "b/1.html", "b/2.txt"]


def test_batches_keep_order_and_size() -> None:
    items = [str(i) for i in range(7)]
    assert batches(items, 3) == [["0", "1", "2"], ["3", "4", "5"], ["6"]]
    assert batches([], 3) == []


def test_ledger_key_changes_with_content_or_name() -> None:
    assert ledger_key("a.txt", "00") == ledger_key("a.txt", "00")
    assert ledger_key("a.txt", "00") != ledger_key("a.txt", "01")
    assert ledger_key("a.txt", "00") != ledger_key("b.txt", "00")


def test_reports_merge_and_round_trip() -> None:
    one = RunReport(run_id="r", read=3, indexed=2, entities=10, with_region=2)
    one.rejected["empty"] += 1
    two = RunReport(run_id="r", read=2, unchanged=1, analysis_fallback=["english"])
    two.rejected["binary"] += 1
    one.merge(two)
    assert (one.read, one.indexed, one.unchanged, one.rejected_total) == (5, 2, 1, 2)
    assert one.read == one.indexed + one.unchanged + one.rejected_total
    again = RunReport.from_dict(json.loads(json.dumps(one.to_dict())))
    assert again.to_dict() == one.to_dict()
    text = one.summary()
    assert "read 5" in text and "binary 1" in text and "with a region 100%" in text and "english" in text


def test_quarantine_note_is_readable_json(tmp_path: Path) -> None:
    settings = Settings.from_env({"NEWSFACET_DATA_DIR": str(tmp_path)})
    note = quarantine(settings, "run-1", "/inbox/odd name ü\n.txt", RejectReason.BINARY, "looks like a PNG", None)
    files = list((tmp_path / "quarantine" / "binary").glob("*.json"))
    assert len(files) == 1 and "\n" not in files[0].name
    assert json.loads(files[0].read_text(encoding="utf-8")) == note
    assert not list(tmp_path.rglob("*.tmp"))


def test_one_broken_article_is_rejected_not_the_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def article(name: str) -> CleanArticle:
        return CleanArticle(
            doc_id=name, source_file=name, content_sha256=name, title=name, body=name, paragraphs=(name,)
        )

    def enrich(chunk: Sequence[CleanArticle], settings: Settings) -> list[tuple[EnrichedArticle, tuple[()]]]:
        """A stage with a bug that one article's text triggers."""
        if any(a.doc_id == "bad" for a in chunk):
            raise KeyError("person:log entry")
        return [(EnrichedArticle(article=a, language=Language("en", 1.0)), ()) for a in chunk]

    monkeypatch.setattr(batch_module, "enrich_with_spans", enrich)
    settings = Settings.from_env({"NEWSFACET_DATA_DIR": str(tmp_path)})
    batch = batch_module._Batch(settings=settings, run_id="r", report=RunReport(run_id="r"))
    survivors = batch_module._enrich_isolated([article("a"), article("bad"), article("c")], batch)
    assert [e.article.doc_id for e, _ in survivors] == ["a", "c"]
    assert batch.report.rejections == [
        {"source_file": "bad", "reason": "processing_error", "detail": "KeyError in enrichment: 'person:log entry'"}
    ]
    assert [e["outcome"] for e in batch.ledger] == ["rejected"]
    assert list((tmp_path / "quarantine" / "processing_error").glob("*.json"))
