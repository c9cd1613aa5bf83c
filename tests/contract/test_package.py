"""A plain ``pip install`` works from any folder: the wheel carries every package, the mapping and the knowledge,
and the seed article becomes the same document through the installed package as through the source tree."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.paths import PROJECT_ROOT, SEED_ARTICLE

PACKAGES = ("etl", "dags", "devtools")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
        check=False,
        cwd=out,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (found,) = out.glob("newsfacet-*.whl")
    return found


def test_the_wheel_carries_every_package_the_mapping_and_the_knowledge(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in PACKAGES:
        for module in (PROJECT_ROOT / package).rglob("*.py"):
            relative = module.relative_to(PROJECT_ROOT).as_posix()
            assert relative in names, f"{relative} is not in the wheel: list its package in pyproject.toml"
    assert "etl/mappings/articles.json" in names
    for data in (PROJECT_ROOT / "etl" / "knowledge" / "data").iterdir():
        assert f"etl/knowledge/data/{data.name}" in names


def _enrich_json(python_path: list[str], cwd: Path) -> tuple[str, dict[str, object]]:
    code = (
        "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); import etl; print(etl.__file__); "
        "from etl.store.indices import mapping_version; assert mapping_version() >= 1; "
        "from etl.cli import main; raise SystemExit(main(['enrich', sys.argv[2], '--json']))"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", code, json.dumps(python_path), str(SEED_ARTICLE)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    where, _, document = done.stdout.partition("\n")
    parsed: dict[str, object] = json.loads(document)
    parsed.pop("ingested_at")
    return where, parsed


def test_the_installed_package_makes_the_same_document_from_any_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where, from_wheel = _enrich_json([str(target)], elsewhere)
    assert Path(where).is_relative_to(target), f"imported {where}, not the installed wheel"
    _, from_source = _enrich_json([str(PROJECT_ROOT)], PROJECT_ROOT)
    assert from_wheel == from_source
