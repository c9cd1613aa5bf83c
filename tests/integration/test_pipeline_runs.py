"""Runs over the real node: reruns are idempotent, bad input is quarantined with reasons, counts add up."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from etl.run.batch import process_batch
from etl.run.flow import run
from etl.settings import Settings
from tests.paths import SEED_ARTICLE, SEEDS

pytestmark = pytest.mark.integration


def _bad_inbox(root: Path) -> Path:
    inbox = root / "inbox"
    inbox.mkdir()
    (inbox / "story.txt").write_bytes(SEED_ARTICLE.read_bytes())
    (inbox / "story copy.txt").write_bytes(SEED_ARTICLE.read_bytes())  # duplicate, another name
    (inbox / "story-crlf.txt").write_bytes(SEED_ARTICLE.read_bytes().replace(b"\n", b"\r\n"))  # same article
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (inbox / "noise.bin").write_bytes(bytes(range(256)) * 20)
    (inbox / "nav-only.html").write_text(
        "<html><body><nav><a href='/a'>Home</a> <a href='/b'>World</a></nav><footer>© 2024</footer></body></html>"
    )
    return inbox


def test_every_file_ends_indexed_or_rejected_and_rerun_is_unchanged(
    settings: Settings, es: Any, tmp_path: Path
) -> None:
    inbox = _bad_inbox(tmp_path)
    first = run([inbox], settings, client=es)
    assert first.read == 7
    assert first.indexed == 1
    assert first.rejected == {"duplicate": 2, "empty": 1, "binary": 2, "no_article": 1}, first.summary()
    assert first.indexed + first.unchanged + first.rejected_total == first.read
    notes = list(settings.quarantine_dir.rglob("*.json"))
    assert len(notes) == first.rejected_total
    assert {json.loads(n.read_text())["reason"] for n in notes} >= {"duplicate", "empty", "binary"}
    assert es.count(index=settings.index_alias)["count"] == 1

    second = run([inbox], settings, client=es)
    assert second.read == 7 and second.unchanged == 7 and second.indexed == 0
    assert es.count(index=settings.index_alias)["count"] == 1


def test_batch_rerun_after_crash_leaves_no_duplicates(settings: Settings, es: Any, tmp_path: Path) -> None:
    """A batch whose ledger write never happened (crash) is simply processed again: same ids, same count."""
    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    files = sorted(str(p) for p in inbox.iterdir() if p.is_file())
    first = process_batch(files, settings, "crash-1", es)
    es.indices.delete(index=settings.index_alias + "-ledger")  # the ledger lost: as if the task died before it
    second = process_batch(files, settings, "crash-2", es)
    es.indices.refresh(index=settings.index_alias)
    assert first.indexed == second.indexed >= 1
    assert es.count(index=settings.index_alias)["count"] == first.indexed


def test_seeds_folder_indexes_and_rejects_as_documented(settings: Settings, es: Any) -> None:
    report = run([SEEDS], settings, client=es)
    assert report.indexed >= 3, report.summary()
    assert report.indexed + report.unchanged + report.rejected_total == report.read
    languages = {
        b["key"]
        for b in es.search(index=settings.index_alias, size=0, aggs={"l": {"terms": {"field": "language"}}})[
            "aggregations"
        ]["l"]["buckets"]
    }
    assert {"en", "fr"} <= languages


def test_changed_file_is_reindexed(settings: Settings, es: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    story = inbox / "story.txt"
    story.write_bytes(SEED_ARTICLE.read_bytes())
    assert run([inbox], settings, client=es).indexed == 1
    story.write_text(
        SEED_ARTICLE.read_text(encoding="utf-8") + "\n\nAn update paragraph about Sabha and the LNA.\n",
        encoding="utf-8",
    )
    again = run([inbox], settings, client=es)
    assert again.indexed == 1 and again.unchanged == 0
    hits = es.search(index=settings.index_alias, query={"match_all": {}})["hits"]["hits"]
    assert len(hits) == 1 and "update paragraph" in hits[0]["_source"]["body"]


def test_object_store_inbox(settings: Settings, es: Any) -> None:
    """An fsspec URL inbox (``memory://`` here, ``s3://`` in production) runs like a folder, reruns unchanged."""
    import fsspec

    fs = fsspec.filesystem("memory")
    root = f"/inbox-{settings.index_alias}"
    for path in sorted(SEEDS.iterdir()):
        fs.pipe(f"{root}/{path.name}", path.read_bytes())
    url = f"memory://{root}"
    first = run([url], settings, client=es)
    assert first.indexed >= 3 and first.indexed + first.rejected_total == first.read == len(list(SEEDS.iterdir()))
    hits = es.search(index=settings.index_alias, size=20, source_includes=["source_file"])["hits"]["hits"]
    assert all(h["_source"]["source_file"].startswith("memory://") for h in hits)
    second = run([url], settings, client=es)
    assert second.indexed == 0 and second.unchanged == first.read
    fs.rm(root, recursive=True)


def test_unchanged_inbox_is_planned_without_reading_files(
    settings: Settings, es: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second plan over an unchanged inbox stats files instead of hashing them; a touched file is re-hashed."""
    import os

    import etl.run.planning
    from etl.run.planning import plan

    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    first = run([inbox], settings, client=es)
    assert first.indexed >= 3
    hashed: list[str] = []
    real_hash = etl.run.planning.content_sha256

    def counting_hash(path: str, limit: int) -> str | None:
        hashed.append(path)
        return real_hash(path, limit)

    monkeypatch.setattr(etl.run.planning, "content_sha256", counting_hash)
    again = plan([inbox], settings, es)
    assert again.todo == [] and len(again.unchanged) == first.read
    assert hashed == []  # nothing read: size and mtime matched the stat cache

    story = inbox / SEED_ARTICLE.name
    os.utime(story, ns=(story.stat().st_atime_ns, story.stat().st_mtime_ns + 10**9))  # touched, same bytes
    touched = plan([inbox], settings, es)
    assert touched.todo == [] and hashed == [str(story)]
    hashed.clear()
    assert plan([inbox], settings, es).todo == [] and hashed == []  # the new stat was remembered


def test_a_plan_snapshot_answers_without_elasticsearch_until_the_ledger_changes(
    settings: Settings, es: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files the last plan saw handled, unchanged on disk, cost no lookups; a recreated ledger voids the snapshot."""
    from etl.run.planning import plan
    from etl.store.ledger import ensure_ledger

    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    first = run([inbox], settings, client=es)
    assert plan([inbox], settings, es).todo == []  # learns every file through the ledger, writes the snapshot
    snapshot_file = next((settings.data_dir / "plan").iterdir())
    snapshot = json.loads(snapshot_file.read_text(encoding="utf-8"))
    assert len(snapshot["entries"]) == first.read

    lookups: list[str] = []
    real_mget = es.mget
    monkeypatch.setattr(es, "mget", lambda **kw: lookups.append(kw["index"]) or real_mget(**kw))
    again = plan([inbox], settings, es)
    assert again.todo == [] and len(again.unchanged) == first.read
    assert lookups == []  # answered from the snapshot alone

    (inbox / "new-story.txt").write_text("Fresh fighting near Sirte.\n\n" + "Word " * 80, encoding="utf-8")
    with_new = plan([inbox], settings, es)
    assert with_new.todo == [str(inbox / "new-story.txt")] and lookups  # only the new file was looked up

    es.indices.delete(index=ensure_ledger(es, settings.index_alias))  # the ledger is gone: nothing is known
    ensure_ledger(es, settings.index_alias)
    assert len(plan([inbox], settings, es).todo) == first.read + 1


def test_an_unavailable_stat_cache_costs_reading_files_not_the_run(settings: Settings, es: Any, tmp_path: Path) -> None:
    """The stat cache only saves work: closed (as a lost shard would leave it), runs and plans go on without it."""
    from etl.run.planning import plan
    from etl.store.ledger import ensure_stat_cache

    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    es.indices.close(index=ensure_stat_cache(es, settings.index_alias))
    first = run([inbox], settings, client=es)
    assert first.indexed >= 3 and first.read == first.indexed + first.rejected_total, first.summary()
    again = plan([inbox], settings, es)  # no stat cache to read: every file is hashed and found in the ledger
    assert again.todo == [] and len(again.unchanged) == first.read
