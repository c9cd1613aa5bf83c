"""Nothing a user gives is lost (issue 11), on the real node: each case here lost articles before its fix."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from etl.errors import IncompleteRun, TransientError
from etl.run.flow import run
from etl.settings import Settings
from etl.store.ledger import LEDGER_SUFFIX
from tests.paths import SEED_ARTICLE, SEEDS

pytestmark = pytest.mark.integration


def _story(number: int, extra: str = "") -> str:
    return (
        f"Clashes near Sabha, report {number}\n\nFighters of the Libyan National Army and Tebu groups traded fire "
        f"near Sabha in the Fezzan on day {number}, residents said. {extra}\n\nThe UN envoy called for calm and "
        f"urged both sides to respect the ceasefire agreed in Geneva, number {number}.\n"
    )


def _count(es: Any, alias: str) -> int:
    es.indices.refresh(index=alias)
    return int(es.count(index=alias)["count"])


def _docs(es: Any, alias: str) -> dict[str, dict[str, Any]]:
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=100, query={"match_all": {}})["hits"]["hits"]
    return {h["_source"]["source_file"]: h["_source"] for h in hits}


def test_one_file_that_crashed_decoding_no_longer_costs_the_run(settings: Settings, es: Any, tmp_path: Path) -> None:
    """#1: ``charset="undefined"`` plus a non-UTF-8 byte raised out of extract: rc 1, nothing indexed, every rerun."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "undefined.html").write_bytes(
        b'<html><head><meta charset="undefined"><title>Sabha</title></head><body><article><h1>Sabha</h1><p>'
        + _story(1).replace("\n\n", "</p><p>").encode()
        + b" caf\xe9</p></article></body></html>"
    )
    (inbox / "story.txt").write_text(_story(2), encoding="utf-8")
    report = run([inbox], settings, client=es)
    assert report.indexed == 2 and report.rejected_total == 0, report.summary()


def test_every_spelling_of_the_inbox_is_one_inbox(
    settings: Settings, es: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """#7: the same inbox as ``inbox/base``, ``./inbox/base`` or absolute marked every file a duplicate, and an edited
    file run under another spelling left both versions searchable."""
    base = tmp_path / "inbox" / "base"
    base.mkdir(parents=True)
    for number in range(3):
        (base / f"story-{number}.txt").write_text(_story(number), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    first = run(["inbox/base"], settings, client=es)
    assert first.indexed == 3
    for spelling in ("./inbox/base", str(base), "inbox/../inbox/base/"):
        again = run([spelling], settings, client=es)
        assert again.unchanged == 3 and again.rejected_total == 0, (spelling, again.summary())
    (base / "story-0.txt").write_text(_story(0, "Edited: the road to Ubari was closed."), encoding="utf-8")
    edited = run([str(base)], settings, client=es)
    assert edited.indexed == 1 and edited.unchanged == 2
    documents = _docs(es, settings.index_alias)
    assert len(documents) == 3 and "Ubari" in documents[str(base / "story-0.txt")]["body"]


def test_reverting_an_edit_brings_the_old_version_back(settings: Settings, es: Any, tmp_path: Path) -> None:
    """#8: v1 -> v2 -> v1 said ``unchanged`` and the index kept v2."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    story = inbox / "story.txt"
    versions = [_story(1, "Version one."), _story(1, "Version two: the airport reopened.")]
    for text, word in ((versions[0], "one"), (versions[1], "two"), (versions[0], "one")):
        story.write_text(text, encoding="utf-8")
        report = run([inbox], settings, client=es)
        assert report.indexed == 1, report.summary()
        documents = _docs(es, settings.index_alias)
        assert list(documents) == [str(story)] and f"Version {word}" in documents[str(story)]["body"]


def test_overlapping_arguments_and_empty_files_count_once_each(settings: Settings, es: Any, tmp_path: Path) -> None:
    """#19: ``run inbox/x inbox/x/sub`` counted a file twice and noted it as a duplicate of itself; a second empty
    file was reported as ``duplicate``, not ``empty``."""
    sub = tmp_path / "x" / "sub"
    sub.mkdir(parents=True)
    (tmp_path / "x" / "a.txt").write_text(_story(1), encoding="utf-8")
    (sub / "b.txt").write_text(_story(2), encoding="utf-8")
    (sub / "empty-1.txt").write_bytes(b"")
    (sub / "empty-2.txt").write_bytes(b"  \n")
    report = run([tmp_path / "x", sub], settings, client=es)
    assert report.read == 4 and report.indexed == 2 and dict(report.rejected) == {"empty": 2}, report.summary()


def test_a_write_block_is_the_batch_fault_and_a_rerun_indexes_everything(
    settings: Settings, es: Any, tmp_path: Path
) -> None:
    """#5: with a write block every document was ``index_rejected``, the ledger recorded them, and after the block
    was lifted reruns said ``unchanged``: the articles were never indexed."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for number in range(3):
        (inbox / f"story-{number}.txt").write_text(_story(number), encoding="utf-8")
    run([SEED_ARTICLE], settings, client=es)  # the index exists
    index = next(iter(es.indices.get_alias(name=settings.index_alias)))
    es.indices.put_settings(index=index, settings={"index.blocks.write": True})
    blocked = dataclasses.replace(settings, max_retries=0)
    try:
        with pytest.raises(TransientError, match="cluster_block_exception"):
            run([inbox], blocked, client=es)
    finally:
        es.indices.put_settings(index=index, settings={"index.blocks.write": None})
    ledger = settings.index_alias + LEDGER_SUFFIX
    es.indices.refresh(index=ledger)
    assert es.count(index=ledger, query={"prefix": {"source_file": str(inbox)}})["count"] == 0
    assert not (settings.quarantine_dir / "index_rejected").exists()
    after = run([inbox], settings, client=es)
    assert after.indexed == 3 and after.unchanged == 0, after.summary()


def test_dates_elasticsearch_refused_no_longer_cost_articles(settings: Settings, es: Any, tmp_path: Path) -> None:
    """#4: ``2019-11-19 02:24:00`` from a page's date tag, or ``2019-02-30`` in a file name, lost the article."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "2019-02-30-sabha.txt").write_text(_story(1), encoding="utf-8")
    body = _story(2).replace("\n\n", "</p><p>")
    (inbox / "page.html").write_text(
        f'<html><head><title>Clashes</title><meta property="article:published_time" content="2019-11-19 02:24:00">'
        f'<meta property="og:site_name" content="{"Wire " * 9000}"></head><body><article><h1>Clashes near Sabha</h1>'
        f"<p>{body}</p></article></body></html>",
        encoding="utf-8",
    )
    report = run([inbox], settings, client=es)
    assert report.indexed == 2 and report.rejected_total == 0, report.summary()
    documents = _docs(es, settings.index_alias)
    assert documents[str(inbox / "page.html")]["published_at"].startswith("2019-11-19")
    assert len(documents[str(inbox / "page.html")]["source"] or "") <= 300


def test_a_run_that_lost_an_article_fails(
    settings: Settings, es: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contract: an article lost to the index ends the run non-zero, listing it; the others are indexed."""
    import etl.run.batch

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for number in range(3):
        (inbox / f"story-{number}.txt").write_text(_story(number), encoding="utf-8")
    original = etl.run.batch.to_document

    def refused(enriched: Any, **kwargs: Any) -> dict[str, Any]:
        document = original(enriched, **kwargs)
        if document["source_file"].endswith("story-1.txt"):
            document["word_count"] = "many"  # an integer field: Elasticsearch refuses this one document
        return document

    monkeypatch.setattr(etl.run.batch, "to_document", refused)
    with pytest.raises(IncompleteRun, match=r"story-1\.txt") as failed:
        run([inbox], settings, client=es)
    assert failed.value.report is not None and failed.value.report.indexed == 2  # type: ignore[attr-defined]
    assert _count(es, settings.index_alias) == 2


def _cli(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "NEWSFACET_INDEX": settings.index_alias,
        "NEWSFACET_DATA_DIR": str(settings.data_dir),
        "ELASTICSEARCH_URL": settings.elasticsearch_url,
        "NEWSFACET_INBOX": str(SEEDS),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], capture_output=True, text=True, env=environ, check=False
    )


def test_credentials_in_the_url_are_never_printed(settings: Settings, es: Any, tmp_path: Path) -> None:
    """#17: a password inside ELASTICSEARCH_URL was printed in the run header."""
    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    url = settings.elasticsearch_url.replace("://", "://reader:s3cr3t-pw@")
    done = _cli(settings, "run", str(inbox), ELASTICSEARCH_URL=url)
    assert "s3cr3t-pw" not in done.stdout + done.stderr
    assert "reader:***@" in done.stdout


def test_names_and_titles_cannot_forge_output_lines(settings: Settings, es: Any, tmp_path: Path) -> None:
    """#18: file names and titles were printed raw: a newline or an escape sequence forged output lines."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "evil\nsummary: read 1000 · indexed 1000\x1b[2K.txt").write_bytes(b"")
    done = _cli(settings, "run", str(inbox))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert sum(line.startswith("summary:") for line in lines) == 1
    assert "\x1b" not in done.stdout and "evil\\nsummary: read 1000" in done.stdout


def test_output_cut_short_by_a_pipe_is_not_an_error(settings: Settings, es: Any) -> None:
    """#15: ``newsfacet ... | head`` ended in a BrokenPipeError traceback."""
    done = subprocess.run(
        f"{sys.executable} -m etl clean {SEED_ARTICLE} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.startswith("title:") and "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
