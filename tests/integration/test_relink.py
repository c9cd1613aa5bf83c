"""Your own knowledge reaches articles indexed before it, on the real node, without NER: ``newsfacet relink``.

An analyst adds an actor with an alias (or moves a district to another region) in ``NEWSFACET_KB_DIR``; relink
finds the documents made with the older knowledge, re-derives those the change can touch from their archived NER
spans, and the article is found by the new alias. Also: dry run, idempotence, resuming after a crash, version
conflicts with a concurrent writer, a batch that wrote with knowledge that changed meanwhile, reindex keeping what
relink did, ``run --stale``, and ``kb suggest``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from etl.cli import main
from etl.knowledge.loader import current_versions
from etl.run.flow import run
from etl.settings import PIPELINE_VERSION, Settings
from tests.paths import PROJECT_ROOT, SEEDS

pytestmark = pytest.mark.integration

ARTICLES = PROJECT_ROOT / "tests" / "fixtures" / "knowledge"
KIKLI = "tripoli-2025-05-13-ssa-leader-killed.txt"
JUFRA = "jufra-2020-05-26-russian-jets.txt"
ANALYST_ACTOR = {
    "id": "analyst:abdulghani-al-kikli",
    "name": "Abdul Ghani al-Kikli (SSA commander)",
    "type": "person",
    "aliases": ["Abdulghani al-Kikli", "Ghnewa", "Gheniwa", "Kikli"],
    "country": "LY",
    "source": "Reuters, 12 May 2025: head of the Stability Support Apparatus, known as Ghnewa",
}
"""The analyst's own entry, with a display name of their own: whatever the shipped knowledge base says about Kikli,
the article indexed before this entry cannot hold that name, so only a relink can put it there."""
JUFRA_TO_TRIPOLITANIA = (
    "name,aliases,feature,district,region,country,lat,lon,source\n"
    "Jufra,Al Jufrah,district,,Tripolitania,LY,,,analyst decision: Jufra counted with the "
    "west (its membership is contested: regions.csv)\n"
)


@pytest.fixture
def mine(settings: Settings, tmp_path: Path) -> Settings:
    """Settings with an (empty) folder of your own knowledge."""
    folder = tmp_path / "my-knowledge"
    folder.mkdir()
    return dataclasses.replace(settings, kb_dir=folder, relink_workers=1)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    shutil.copytree(SEEDS, folder)
    for name in (KIKLI, JUFRA):
        shutil.copy(ARTICLES / name, folder / name)
    return folder


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings, *argv: str
) -> tuple[int, str]:
    """``newsfacet ARGV`` in this process, with the environment the settings stand for."""
    monkeypatch.setenv("NEWSFACET_INDEX", settings.index_alias)
    monkeypatch.setenv("NEWSFACET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("NEWSFACET_KB_DIR", str(settings.kb_dir or ""))
    monkeypatch.setenv("NEWSFACET_RELINK_WORKERS", str(settings.relink_workers))
    capsys.readouterr()
    code = main(list(argv))
    return code, capsys.readouterr().out


def _doc(es: Any, settings: Settings, source_name: str) -> dict[str, Any]:
    es.indices.refresh(index=settings.index_alias)
    hits = es.search(
        index=settings.index_alias, query={"wildcard": {"source_file": f"*{source_name}"}}, seq_no_primary_term=True
    )["hits"]["hits"]
    assert len(hits) == 1, hits
    return {**hits[0]["_source"], "_seq_no": hits[0]["_seq_no"]}


def _add_actor(settings: Settings) -> None:
    assert settings.kb_dir is not None
    (settings.kb_dir / "actors_mine.jsonl").write_text(json.dumps(ANALYST_ACTOR) + "\n", encoding="utf-8")


def test_new_alias_finds_an_article_indexed_before_the_change(
    mine: Settings, inbox: Path, es: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = run([inbox], mine, client=es)
    assert report.indexed >= 5
    before = _doc(es, mine, KIKLI)
    assert ANALYST_ACTOR["name"] not in before["actors"]

    _add_actor(mine)
    code, out = _cli(monkeypatch, capsys, mine, "search", "--actor", "Gheniwa")
    assert code == 0 and out.startswith("0 article(s)"), out  # the alias is known, the article not yet relinked
    mine = dataclasses.replace(mine, relink_workers=2)  # the worker processes, as a user runs it
    code, out = _cli(monkeypatch, capsys, mine, "relink")
    print(out)
    assert code == 0, out
    assert "re-derived" in out and f"actor  {ANALYST_ACTOR['name']}: +1 -0" in out

    code, out = _cli(monkeypatch, capsys, mine, "search", "--actor", "Gheniwa")
    assert code == 0 and out.startswith("1 article(s)"), out
    assert "Clashes in Tripoli after armed group leader killed" in out
    after = _doc(es, mine, KIKLI)
    assert ANALYST_ACTOR["name"] in after["actors"] and "Ghnewa" not in after["actors"]
    entity = next(e for e in after["entities"] if e["name"] == ANALYST_ACTOR["name"])
    assert entity["kb_id"] == ANALYST_ACTOR["id"] and entity["count"] >= 2
    assert (after["kb_version"], after["gazetteer_version"]) == current_versions(mine)
    assert after["ingested_at"] == before["ingested_at"] and after["body"] == before["body"]

    # Every other document was checked (not rewritten); a second relink finds nothing left: idempotent.
    code, out = _cli(monkeypatch, capsys, mine, "relink")
    assert code == 0 and out.splitlines()[-1].startswith("0 stale document(s)"), out


def test_dry_run_prints_region_moves_and_writes_nothing(
    mine: Settings, inbox: Path, es: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run([inbox], mine, client=es)
    before = _doc(es, mine, JUFRA)
    assert "Fezzan" in before["regions"]
    assert mine.kb_dir is not None
    (mine.kb_dir / "places_mine.csv").write_text(JUFRA_TO_TRIPOLITANIA, encoding="utf-8")
    code, out = _cli(monkeypatch, capsys, mine, "kb", "check")
    assert code == 0, out

    code, out = _cli(monkeypatch, capsys, mine, "relink", "--dry-run")
    print(out)
    served = es.count(index=mine.index_alias)["count"]
    assert code == 0 and f"dry run: {served} stale document(s)" in out
    assert "region Fezzan: +0 -1" in out
    assert _doc(es, mine, JUFRA) == before  # nothing written, not even a version

    _, out = _cli(monkeypatch, capsys, mine, "relink", "--json")
    done = json.loads(out[out.index("{") :])
    assert done["regions_lost"] == {"Fezzan": 1} and done["changed"] >= 1 and done["remaining"] == 0
    after = _doc(es, mine, JUFRA)
    assert "Fezzan" not in after["regions"] and "Tripolitania" in after["regions"]
    assert {loc["name"]: loc["region"] for loc in after["locations"]}["Jufra"] == "Tripolitania"


def test_a_bad_knowledge_file_is_reported_with_file_and_line(
    mine: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert mine.kb_dir is not None
    (mine.kb_dir / "actors_mine.jsonl").write_text(
        json.dumps(ANALYST_ACTOR) + "\n" + '{"id": "x", "name": "X", "type": "warlord"}\n', encoding="utf-8"
    )
    code, out = _cli(monkeypatch, capsys, mine, "kb", "check")
    assert code == 1
    assert f"problem: {mine.kb_dir / 'actors_mine.jsonl'}:2: missing aliases, source" in out
    assert f"{mine.kb_dir / 'actors_mine.jsonl'}:2: bad type 'warlord'" in out


def test_relink_resumes_after_a_crash(mine: Settings, inbox: Path, es: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.run.relink as relink_module

    run([inbox], mine, client=es)
    _add_actor(mine)
    monkeypatch.setattr(relink_module, "CHUNK", 2)
    real_write = relink_module._write
    calls = {"n": 0}

    def crash_on_second_chunk(client: Any, writes: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed mid-relink")
        return real_write(client, writes)

    monkeypatch.setattr(relink_module, "_write", crash_on_second_chunk)
    with pytest.raises(RuntimeError, match="killed"):
        relink_module.relink(mine, client=es)
    monkeypatch.setattr(relink_module, "_write", real_write)
    es.indices.refresh(index=mine.index_alias)
    left = relink_module.stale_count(mine, es)
    total = es.count(index=mine.index_alias)["count"]
    assert 0 < left < total  # the first chunk was written, the rest was not

    resumed = relink_module.relink(mine, client=es)
    assert resumed.stale == left and resumed.remaining == 0
    assert relink_module.stale_count(mine, es) == 0
    assert ANALYST_ACTOR["name"] in _doc(es, mine, KIKLI)["actors"]


def test_a_concurrent_write_is_never_overwritten(
    mine: Settings, inbox: Path, es: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document rewritten between relink's read and its write (an ingest re-making it) is not overwritten by the
    stale read: the write conflicts, and the next pass reads the document again."""
    import etl.run.relink as relink_module

    run([inbox], mine, client=es)
    _add_actor(mine)
    target = _doc(es, mine, KIKLI)
    real_pages = relink_module._stale_pages
    rewrote = {"done": False}

    def pages_then_concurrent_write(client: Any, alias: str, index: str, versions: Any, ids: Any) -> Any:
        for page in real_pages(client, alias, index, versions, ids):
            if not rewrote["done"]:  # the "ingest" rewrites the document after relink read it
                rewrote["done"] = True
                es.update(
                    index=mine.index_alias,
                    id=target["doc_id"],
                    doc={"title": target["title"] + " (updated)"},
                    refresh=True,
                )
            yield page

    monkeypatch.setattr(relink_module, "_stale_pages", pages_then_concurrent_write)
    report = relink_module.relink(mine, client=es)
    assert report.conflicts == 1 and report.passes >= 2 and report.remaining == 0
    after = _doc(es, mine, KIKLI)
    assert after["title"].endswith("(updated)")  # the concurrent write survived
    assert ANALYST_ACTOR["name"] in after["actors"]  # and the document still got the new knowledge


def test_a_batch_made_with_knowledge_that_changed_meanwhile_relinks_itself(
    mine: Settings, tmp_path: Path, es: Any
) -> None:
    """The ingest loaded its knowledge, the analyst saved a new actor, the batch wrote its documents: they end
    with the newest knowledge (a relink that searched before the write could not see them)."""
    from etl.knowledge.loader import load_knowledge

    load_knowledge(mine)  # this process holds the knowledge as it was before the edit
    inbox = tmp_path / "late"
    inbox.mkdir()
    shutil.copy(ARTICLES / KIKLI, inbox / KIKLI)
    _add_actor(mine)
    run([inbox], mine, client=es)
    doc = _doc(es, mine, KIKLI)
    assert ANALYST_ACTOR["name"] in doc["actors"]
    assert (doc["kb_version"], doc["gazetteer_version"]) == current_versions(mine)


def test_reindex_keeps_what_relink_did(mine: Settings, inbox: Path, es: Any) -> None:
    from etl.run.relink import relink
    from etl.store.reindex import reindex

    run([inbox], mine, client=es)
    _add_actor(mine)
    assert relink(mine, client=es).changed >= 1
    rebuilt = reindex(mine, es)  # the archive holds the documents as ingested: the rebuild relinks them again
    assert rebuilt.build.relinked >= 1
    assert ANALYST_ACTOR["name"] in _doc(es, mine, KIKLI)["actors"]


def test_run_stale_redoes_documents_of_an_older_pipeline(settings: Settings, es: Any) -> None:
    first = run([SEEDS], settings, client=es)
    assert first.stale == 0
    es.indices.refresh(index=settings.index_alias)
    hits = es.search(index=settings.index_alias, size=100, source_includes=["ingested_at"])["hits"]["hits"]
    old = hits[0]
    es.update(index=settings.index_alias, id=old["_id"], doc={"pipeline_version": "0.0.9"}, refresh=True)

    plain = run([SEEDS], settings, client=es)
    assert plain.stale == 1 and plain.stale_redone == 0 and plain.indexed == 0
    assert "stale 1" in plain.summary()

    redone = run([SEEDS], settings, client=es, stale=True)
    assert redone.stale == 1 and redone.stale_redone == 1 and redone.indexed == 1
    doc = es.get(index=settings.index_alias, id=old["_id"])["_source"]
    assert doc["pipeline_version"] == PIPELINE_VERSION and doc["ingested_at"] >= old["_source"]["ingested_at"]
    assert run([SEEDS], settings, client=es).stale == 0
    summary = json.loads((settings.runs_dir / f"{redone.run_id}.json").read_text())
    assert summary["stale"] == 1 and summary["stale_redone"] == 1


def test_kb_suggest_lists_uncovered_names_with_examples(
    mine: Settings, inbox: Path, es: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from etl.knowledge.loader import load_knowledge

    report = run([inbox], mine, client=es)
    assert 0 < len(report.suggestions) <= 20
    summary = json.loads((mine.runs_dir / f"{report.run_id}.json").read_text())
    assert summary["suggestions"] == report.suggestions

    code, out = _cli(monkeypatch, capsys, mine, "kb", "suggest", "--min-docs", "1", "--json")
    assert code == 0
    found = json.loads(out)
    kb = load_knowledge(mine, refresh=True).kb
    assert found and all(kb.lookup(s["name"]) is None and s["documents"] >= 1 for s in found)
    assert [s["name"] for s in found[:5]] == [s["name"] for s in report.suggestions[:5]]
    top = found[0]
    assert top["type"] in ("person", "organization") and top["examples"]
    assert all(any(part in e for part in top["name"].split()) for e in top["examples"])

    assert mine.kb_dir is not None  # an entry for the top name: it is covered now, even before a relink
    entry = {"id": "analyst:suggested", "name": top["name"], "type": top["type"], "aliases": [], "source": "test"}
    (mine.kb_dir / "actors_mine.jsonl").write_text(json.dumps(entry) + "\n", encoding="utf-8")
    _, out = _cli(monkeypatch, capsys, mine, "kb", "suggest", "--min-docs", "1", "--json")
    assert top["name"] not in {s["name"] for s in json.loads(out)}


def test_relink_before_any_ingest_has_nothing_to_do(mine: Settings, es: Any) -> None:
    """A new deployment: the knowledge watch fires before anything was indexed."""
    from etl.run.relink import relink

    report = relink(mine, client=es)
    assert (report.stale, report.passes, report.remaining) == (0, 0, 0)
    assert not es.indices.exists(index=mine.index_alias)
