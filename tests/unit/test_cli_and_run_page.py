"""What a person reads: the CLI's help and progress, search's answers about unknown names and its order, the run
summary on the Airflow run page, the trigger form's parameters, and how `make airflow` sizes and explains itself."""

from __future__ import annotations

import dataclasses
import io
import json
import time
from pathlib import Path

import pytest

from etl.cli import RunProgress, build_parser
from etl.run.flow import NOTE_LIMIT, run_note
from etl.run.report import RunReport
from etl.search import SearchQuery, build_body, resolve_filters, unknown_filters
from etl.settings import Settings

# ---------------------------------------------------------------- help


def _help(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(list(argv))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_run_help_describes_paths_the_inbox_and_the_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _help("run", "--help", capsys=capsys)
    assert code == 0
    for needed in (
        "PATH",
        "default: the inbox, NEWSFACET_INBOX",
        f"NEWSFACET_INBOX (default {Settings().inbox})",
        "ELASTICSEARCH_URL (default http://localhost:9200)",
        "NEWSFACET_INDEX (default 'articles')",
        "quarantine",
    ):
        assert needed in out, f"`newsfacet run --help` does not say {needed!r}"


def test_clean_help_describes_its_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _help("clean", "--help", capsys=capsys)
    assert code == 0 and "file" in out and "text or HTML" in out and "--json" in out


def test_an_unknown_argument_shows_the_subcommands_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _help("run", "--bogus", capsys=capsys)
    assert code == 2 and out == ""
    assert err.startswith("usage: newsfacet run ") and "unrecognized arguments: --bogus" in err
    code, _, err = _help("search", "Haftar", "--regoin", "Fezzan", capsys=capsys)
    assert code == 2 and err.startswith("usage: newsfacet search ")


# ---------------------------------------------------------------- run progress

# The lines etl.run.flow.run and etl.run.batch report, in order, for 8 files in batches of 4.
RUN_LINES = [
    "inbox: 10 files, 8 to process, 2 unchanged",
    "  enriched 3/4",
    "batch 1/2: read 4 · indexed 3",
    "  enriched 4/4",
    "batch 2/2: read 4 · indexed 4",
]


def test_progress_is_plain_lines_outside_a_terminal() -> None:
    out = io.StringIO()
    with RunProgress(batch_size=4, stream=out) as progress:
        for line in RUN_LINES:
            progress(line)
    assert out.getvalue().splitlines() == RUN_LINES


def test_progress_is_a_bar_with_rate_and_time_left_on_a_terminal() -> None:
    out = io.StringIO()
    with RunProgress(batch_size=4, stream=out, force_terminal=True) as progress:
        for line in RUN_LINES:
            progress(line)
            time.sleep(0.05)  # the rate needs time to pass between updates
        progress("a line the bar does not know [with brackets]")
    screen = out.getvalue()
    assert "8/8" in screen and "files/s" in screen and "left" in screen and "elapsed" in screen
    assert "inbox: 10 files, 8 to process, 2 unchanged" in screen  # the plan stays above the bar
    assert "a line the bar does not know [with brackets]" in screen  # printed as it is, never swallowed


# ---------------------------------------------------------------- search


def test_unknown_regions_and_countries_are_named_with_near_names() -> None:
    query = resolve_filters(SearchQuery(regions=("Atlantis", "fazan", "Fazzan"), countries=("Lybia", "Libye")))
    problems = {(p.kind, p.value): p for p in unknown_filters(query)}
    assert set(problems) == {("region", "Atlantis"), ("region", "fazan"), ("country", "Lybia")}
    atlantis = problems[("region", "Atlantis")]
    assert atlantis.closed and atlantis.suggestions == ("Cyrenaica", "Fezzan", "Tripolitania")  # none near: all
    assert atlantis.message() == (
        "unknown region 'Atlantis': no article can match it; did you mean Cyrenaica, Fezzan, Tripolitania?"
    )
    assert problems[("region", "fazan")].suggestions == ("Fezzan",)
    assert problems[("country", "Lybia")].suggestions[0] == "Libya"


def test_an_actor_outside_the_knowledge_base_is_searched_as_typed() -> None:
    query = resolve_filters(SearchQuery(actors=("Hiftar", "Hifter")))
    [problem] = unknown_filters(query)
    assert (problem.value, problem.closed, problem.suggestions[0]) == ("Hiftar", False, "Khalifa Haftar")
    assert "searched as typed" in problem.message()


def test_without_text_the_newest_come_first() -> None:
    filtered = build_body(SearchQuery(regions=("Fezzan",)))
    assert filtered["sort"] == [
        {"published_at": {"order": "desc", "missing": "_last"}},
        {"ingested_at": {"order": "desc"}},
    ]
    assert "sort" not in build_body(SearchQuery(text="Haftar", regions=("Fezzan",))), "text: best match first"


# ---------------------------------------------------------------- the run's note


def _report(rejections: int) -> RunReport:
    report = RunReport(run_id="manual__2026-01-01", read=4 + rejections, indexed=4, entities=30, with_region=3)
    for n in range(rejections):
        reason = "empty" if n % 2 else "duplicate"
        report.rejected[reason] += 1
        report.rejections.append(
            {
                "source_file": f"/inbox/folder/article-{n:03d}-with-a-rather-long-name.html",
                "reason": reason,
                "detail": "same bytes as /inbox/folder/another-file.html",
            }
        )
    return report


def test_the_note_gives_counts_reasons_and_quarantine_notes(tmp_path: Path) -> None:
    settings = Settings(inbox="/inbox", index_alias="news", data_dir=tmp_path)
    note = run_note(settings, _report(2), tmp_path / "runs" / "x.json")
    first = note.splitlines()[0]
    assert first.startswith("**read 6 · indexed 4 · unchanged 0 · rejected 2** (duplicate 1, empty 1)")
    assert "inbox `/inbox` → alias `news`" in note and f"`{tmp_path / 'runs' / 'x.json'}`" in note
    assert f"notes under `{tmp_path / 'quarantine'}/`" in note
    assert "- `duplicate/article-000-with-a-rather-long-name.html." in note
    assert "- `empty/article-001-with-a-rather-long-name.html." in note


def test_a_long_list_of_rejections_fits_the_note(tmp_path: Path) -> None:
    settings = Settings(inbox="/inbox", index_alias="news", data_dir=tmp_path)
    note = run_note(settings, _report(40), tmp_path / "runs" / "x.json")
    assert len(note) <= NOTE_LIMIT
    shown = [line for line in note.splitlines() if line.startswith("- `")]
    assert 1 <= len(shown) < 40
    assert f"- … {40 - len(shown)} more" in note and note.endswith("/runs/x.json`"), "the rest: the summary file"


def test_the_listener_keeps_what_a_person_wrote_and_replaces_its_own_summary() -> None:
    from dags.run_notes import MARKER, compose_note
    from dags.run_notes import NOTE_LIMIT as COLUMN

    summary = "**read 3 · indexed 1 · unchanged 0 · rejected 2** (duplicate 1, empty 1)\nmore"
    first = compose_note("checking the March folder", summary, [])
    assert first is not None and first.startswith(f"{MARKER} read 3 · indexed 1")
    assert first.endswith("---\nchecking the March folder")
    again = compose_note(first, summary.replace("read 3", "read 4"), ["verify"])  # cleared and re-run
    assert again is not None and again.count(MARKER) == 1 and "read 3" not in again
    assert again.startswith(f"{MARKER} run failed** at verify") and again.endswith("checking the March folder")
    assert compose_note(None, None, []) is None
    huge = compose_note("x" * 900, "y" * 900, [])
    assert huge is not None and len(huge) <= COLUMN and "x" not in huge  # the summary wins the room


# ---------------------------------------------------------------- the trigger form


def test_the_dag_offers_inbox_alias_and_batch_size_with_descriptions() -> None:
    from dags.ingest_articles import SETTINGS, ingest_articles_dag, run_settings

    params = ingest_articles_dag.params
    assert set(params) == {"inbox", "alias", "batch_size", "stale"}
    defaults = {name: params[name] for name in params}
    assert defaults == {
        "inbox": SETTINGS.inbox,
        "alias": SETTINGS.index_alias,
        "batch_size": SETTINGS.batch_size,
        "stale": False,
    }
    for name in params:
        schema = params.get_param(name).schema
        assert schema.get("title") and params.get_param(name).description
    assert "NEWSFACET_INBOX" in (ingest_articles_dag.doc_md or "")
    chosen = run_settings({"inbox": "/data/march", "alias": "news-march", "batch_size": 50})
    assert (chosen.inbox, chosen.index_alias, chosen.batch_size) == ("/data/march", "news-march", 50)
    assert (
        dataclasses.replace(
            chosen, inbox=SETTINGS.inbox, index_alias=SETTINGS.index_alias, batch_size=SETTINGS.batch_size
        )
        == Settings.from_env()
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("inbox", "seeds"), ("inbox", ""), ("alias", "Articles"), ("alias", "a b"), ("alias", "-x"), ("batch_size", 0)],
)
def test_the_form_refuses_values_no_run_could_use(name: str, value: object) -> None:
    from airflow.sdk.exceptions import ParamValidationError

    from dags.ingest_articles import ingest_articles_dag

    param = ingest_articles_dag.params.get_param(name)
    with pytest.raises(ParamValidationError):
        param.resolve(value)
    assert param.resolve() == ingest_articles_dag.params[name], "the default itself is valid"


# ---------------------------------------------------------------- make airflow


def test_make_airflow_is_sized_for_a_small_machine_and_puts_airflow_on_path(tmp_path: Path) -> None:
    from devtools.airflow_stack import local_env

    env = local_env(tmp_path, 8080, tmp_path / "venv" / "bin", environ={"PATH": "/usr/bin:/bin"})
    assert env["PATH"].split(":")[0] == str(tmp_path / "venv" / "bin")
    assert 1 <= int(env["AIRFLOW__CORE__PARALLELISM"]) <= 4
    assert env["AIRFLOW__API__WORKERS"] == "1" and env["AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES"] == "1"
    mine = local_env(tmp_path, 8080, tmp_path, environ={"AIRFLOW__CORE__PARALLELISM": "8", "PATH": ""})
    assert mine["AIRFLOW__CORE__PARALLELISM"] == "8", "what the environment sets wins"


def test_make_airflow_says_how_to_log_in(tmp_path: Path) -> None:
    from devtools.airflow_stack import local_env, login_lines

    env = local_env(tmp_path, 8080, tmp_path, environ={"PATH": ""})
    (tmp_path / "simple_auth_manager_passwords.json.generated").write_text(json.dumps({"admin": "s3cret"}))
    lines = login_lines(env, "http://localhost:8080")
    assert lines[0] == "Airflow is up: http://localhost:8080"
    assert "log in as 'admin', password 's3cret'" in lines[1]
    assert str(tmp_path / "simple_auth_manager_passwords.json.generated") in lines[2]
