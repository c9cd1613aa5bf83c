"""The bad-input corpus through the real pipeline: every file ends indexed or rejected for the expected reason.

Why end to end: each stage handles its own bad input in unit tests, but only a full run shows that nothing falls
between stages (a FIFO hanging the plan, a file name crashing the archive write) and that the counts, quarantine
notes and ledger agree with each other across a rerun.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import etl.run.batch
from etl.errors import RejectReason
from etl.inbox import source_name
from etl.run.flow import run
from etl.run.report import RunReport
from etl.settings import Settings
from tests.badinput.corpus import EITHER, INDEXED, Entry, big_html, build_corpus, hooked_read_file

pytestmark = pytest.mark.integration


def _outcomes(report: RunReport, es: Any, alias: str) -> dict[str, str]:
    """Each file's outcome, by recorded name: from the report's rejections and the index's documents."""
    outcomes: dict[str, str] = {}
    for rejection in report.rejections:
        assert rejection["source_file"] not in outcomes, f"two outcomes for {rejection['source_file']!r}"
        outcomes[rejection["source_file"]] = f"rejected:{rejection['reason']}"
    es.indices.refresh(index=alias)
    for hit in es.search(index=alias, size=1000, source_includes=["source_file"])["hits"]["hits"]:
        name = hit["_source"]["source_file"]
        assert name not in outcomes, f"{name!r} both indexed and rejected ({outcomes[name]})"
        outcomes[name] = INDEXED
    return outcomes


def _matches(expected: str, got: str) -> bool:
    return got == expected or (expected == EITHER and (got == INDEXED or got.startswith("rejected:")))


def test_corpus_every_file_ends_as_expected_and_rerun_changes_nothing(
    settings: Settings, es: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    entries = build_corpus(inbox)
    assert len({e.kind for e in entries}) >= 30, sorted(e.kind for e in entries)
    by_name: dict[str, Entry] = {source_name(str(e.path(inbox))): e for e in entries}
    monkeypatch.setattr(etl.run.batch, "read_file", hooked_read_file(entries, inbox, etl.run.batch.read_file))

    started = time.monotonic()
    first = run([inbox], settings, client=es)
    elapsed = time.monotonic() - started

    # Every file has exactly one outcome, the expected one, with a typed reason.
    outcomes = _outcomes(first, es, settings.index_alias)
    assert set(outcomes) == set(by_name), {
        "unexpected": set(outcomes) - set(by_name),
        "missing": set(by_name) - set(outcomes),
    }
    wrong = {
        entry.kind: (entry.expected, outcomes[name])
        for name, entry in by_name.items()
        if not _matches(entry.expected, outcomes[name])
    }
    assert not wrong, wrong
    reasons = {r.value for r in RejectReason}
    assert all(o == INDEXED or o.removeprefix("rejected:") in reasons for o in outcomes.values())

    # Counts add up exactly.
    indexed = [n for n, o in outcomes.items() if o == INDEXED]
    assert first.read == len(entries)
    assert first.read == first.indexed + first.unchanged + first.rejected_total, first.summary()
    assert first.unchanged == 0 and first.indexed == len(indexed)
    assert first.rejected == Counter(o.removeprefix("rejected:") for o in outcomes.values() if o != INDEXED)
    assert elapsed < 300, f"corpus run took {elapsed:.1f}s: something hangs"  # a hang guard, not a speed target

    # A quarantine note, with the same reason, for every rejection.
    notes = {}
    for path in settings.quarantine_dir.rglob("*.json"):
        note = json.loads(path.read_text(encoding="utf-8"))
        assert path.parent.name == note["reason"]
        notes[note["source_file"]] = f"rejected:{note['reason']}"
    assert notes == {n: o for n, o in outcomes.items() if o != INDEXED}

    # What was indexed is the right text (decoding, edits under the reader), once per file.
    docs = {
        h["_source"]["source_file"]: h["_source"]
        for h in es.search(index=settings.index_alias, size=1000, source_includes=["source_file", "title", "body"])[
            "hits"
        ]["hits"]
    }
    for name, entry in by_name.items():
        for needle in entry.must_contain:
            assert needle in docs[name]["title"] + "\n" + docs[name]["body"], (entry.kind, needle)
    assert es.count(index=settings.index_alias)["count"] == len(indexed) == len(docs)

    # Rerun: nothing new indexed, no duplicates; only files the plan cannot hash are looked at again.
    second = run([inbox], settings, client=es)
    again = {n for n, e in by_name.items() if e.retried}
    assert second.indexed == 0, second.summary()
    assert second.read == len(entries) == second.unchanged + second.rejected_total
    assert {r["source_file"] for r in second.rejections} == again
    assert all(outcomes[r["source_file"]] == f"rejected:{r['reason']}" for r in second.rejections)
    es.indices.refresh(index=settings.index_alias)
    assert es.count(index=settings.index_alias)["count"] == len(indexed)
    per_file = es.search(
        index=settings.index_alias,
        size=0,
        aggs={"files": {"terms": {"field": "source_file", "size": 1000, "min_doc_count": 2}}},
    )
    assert per_file["aggregations"]["files"]["buckets"] == []


def test_50mb_html_under_a_raised_limit_is_rejected_in_bounded_time(
    settings: Settings, es: Any, tmp_path: Path
) -> None:
    """With NEWSFACET_MAX_FILE_BYTES at 60 MB the page is read and decoded, then refused before any parsing."""
    raised = Settings.from_env(
        {
            **os.environ,
            "NEWSFACET_INDEX": settings.index_alias,
            "NEWSFACET_DATA_DIR": str(settings.data_dir),
            "NEWSFACET_MAX_FILE_BYTES": str(60 * 1024 * 1024),
        }
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "huge.html").write_bytes(big_html())
    started = time.monotonic()
    report = run([inbox], raised, client=es)
    elapsed = time.monotonic() - started
    assert report.read == 1 and report.rejected == {"too_large": 1}, report.summary()
    assert "markup" in report.rejections[0]["detail"]
    # A hang guard, not a speed target (speed lives in bench/): bounded work means minutes at worst.
    assert elapsed < 180, f"a 50 MB page took {elapsed:.1f}s"
