"""What `make` needs from a fresh machine: a Python the project declares, and the system packages of a target.

This machine has everything installed, so the "missing" paths are exercised for real on an empty PATH and an empty
root directory (the checks look things up there exactly as they do on a machine without the packages), and as a
user who is not root (``is_root=False``: the same decision a non-root shell gets).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from devtools import sysdeps
from tests.paths import PROJECT_ROOT

FIND_PYTHON = PROJECT_ROOT / "devtools" / "find-python.sh"


def _executable(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_a_machine_without_the_packages_is_told_the_one_command(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    found = sysdeps.plan("test", path=str(empty), root=tmp_path, is_root=False, has_apt=True)
    assert found.packages == ["maven", "chromium", "redis-server", "postgresql", "git", "curl"]
    assert found.action == "ask"
    assert found.command == (
        "sudo apt-get update && sudo apt-get install -y maven chromium redis-server postgresql git curl"
    )
    message = found.message()
    assert "\n" not in message and message.endswith(found.command)
    assert "chromium (the browser test of the Airflow UI)" in message  # each package says what it is for


def test_as_root_the_packages_are_installed(tmp_path: Path) -> None:
    found = sysdeps.plan("test", path=str(tmp_path), root=tmp_path, is_root=True, has_apt=True)
    assert found.action == "install"
    assert found.command.startswith("apt-get update && apt-get install -y maven chromium")
    elsewhere = sysdeps.plan("es", path=str(tmp_path), root=tmp_path, is_root=True, has_apt=False)
    assert (elsewhere.action, elsewhere.command) == ("ask", "install maven with your package manager")


def test_installed_packages_are_found_where_the_tests_look(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    for command in ("mvn", "chromium", "git", "curl"):
        _executable(bin_dir / command)
    _executable(tmp_path / "usr" / "sbin" / "redis-server")  # not on PATH: the Celery test also looks there
    _executable(tmp_path / "usr" / "lib" / "postgresql" / "15" / "bin" / "postgres")
    found = sysdeps.plan("test", path=str(bin_dir), root=tmp_path, is_root=False, has_apt=True)
    assert (found.missing, found.action, found.message()) == ((), "none", "system packages: all present")


def test_the_script_changes_nothing_in_a_dry_run() -> None:
    env = {**os.environ, "PATH": "/nonexistent", "NEWSFACET_SYSDEPS_DRY_RUN": "1"}
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "devtools" / "sysdeps.py"), "test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "(dry run)" in done.stderr and "chromium" in done.stderr


def test_find_python_names_the_interpreter_it_uses() -> None:
    done = subprocess.run(
        ["bash", str(FIND_PYTHON)],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    chosen = done.stdout.strip()
    assert Path(chosen).is_file()
    version = ".".join(map(str, sys.version_info[:3]))
    assert f"make: using Python {version} ({chosen}) for .venv (requires-python >=3.11,<3.13)" in done.stderr


def test_find_python_says_what_to_do_when_nothing_fits(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(FIND_PYTHON)],
        env={**os.environ, "PYTHON": "/bin/false"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert "no Python >=3.11,<3.13 found" in done.stderr and "make PYTHON=" in done.stderr


def test_the_declared_python_range_is_the_one_make_checks() -> None:
    import tomllib

    declared = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert declared == ">=3.11,<3.13"
    assert (3, 11) <= sys.version_info[:2] < (3, 13)
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "Python 3.11 or 3.12" in readme and "3.11.2" in readme
