"""The ``newsfacet`` command without services: help for every command, exit codes, messages a person can act on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from etl.cli import build_parser, main
from tests.paths import SEED_ARTICLE

COMMANDS = ("clean", "enrich", "run", "search", "reindex", "relink", "es", "kb")


def _newsfacet(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real entry point, as a user starts it (``python -m etl`` is what the console script runs)."""
    return subprocess.run([sys.executable, "-m", "etl", *args], capture_output=True, text=True, env=env, check=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_exits_0(command: str) -> None:
    done = _newsfacet(command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: newsfacet {command}")


def test_top_level_help_lists_every_command() -> None:
    done = _newsfacet("--help")
    assert done.returncode == 0
    for command in COMMANDS:
        assert command in done.stdout
    assert {c for c in build_parser()._subparsers._group_actions[0].choices} == set(COMMANDS)  # type: ignore[union-attr]


def test_unknown_command_and_missing_argument_exit_2_with_usage() -> None:
    unknown = _newsfacet("frobnicate")
    assert unknown.returncode == 2 and "invalid choice: 'frobnicate'" in unknown.stderr
    missing = _newsfacet("clean")
    assert missing.returncode == 2 and "usage: newsfacet clean" in missing.stderr
    assert "the following arguments are required: file" in missing.stderr


def test_clean_prints_the_labelled_article(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(SEED_ARTICLE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("title:    Libya strongman boycotts Italy peace summit")
    assert "credits:  REUTERS/Philippe Wojazer" in out and "removed:  2 boilerplate line(s)" in out


def test_clean_json_is_the_clean_record(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(SEED_ARTICLE), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["title"] == "Libya strongman boycotts Italy peace summit"
    assert record["headings"] == ["Motivated by migration crisis", "Italy's dual diplomacy", "Limited outcome"]


def test_enrich_json_is_the_document_as_indexed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["enrich", str(SEED_ARTICLE), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {"Khalifa Haftar", "Libyan National Army"} <= set(document["actors"])
    assert {"Tripolitania", "Cyrenaica", "Fezzan"} <= set(document["regions"])
    assert document["language"] == "en" and document["source"] == "RFI"


def test_a_rejected_file_exits_3_with_its_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["clean", str(empty)]) == 3
    assert capsys.readouterr().err.strip() == "rejected: empty: the file is empty or holds only white space"
    image = tmp_path / "photo.txt"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert main(["enrich", str(image)]) == 3
    assert "rejected: binary: looks like a PNG image" in capsys.readouterr().err


def test_a_missing_file_is_an_unreadable_rejection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(tmp_path / "nowhere.txt")]) == 3
    assert "rejected: unreadable" in capsys.readouterr().err


def test_kb_check_passes_on_the_shipped_knowledge(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("knowledge base ") and "actors" in out and "problem" not in out
