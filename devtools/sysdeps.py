"""The system programs a make target needs beyond Python, and getting them: ``make demo`` and ``make test`` call
this first, so a fresh machine needs nothing typed but those two commands.

    python devtools/sysdeps.py es      # the local Elasticsearch node: Maven builds its analysis plugin
    python devtools/sysdeps.py test    # + Chromium (browser test), redis-server and PostgreSQL (Celery test), git, curl

As root with apt-get (CI, a container, a fresh VM) the missing Debian packages are installed; otherwise it prints
one line naming the command to run and exits 1. ``--dry-run`` (or ``NEWSFACET_SYSDEPS_DRY_RUN=1``) says what it
would do and changes nothing. Each check looks where the code that needs the program looks (the Celery test
finds PostgreSQL under ``/usr/lib/postgresql``, redis-server also in ``/usr/sbin``).

Stdlib only, and runnable as a plain script: it runs before the virtualenv exists. The JDK the node needs is
checked by ``newsfacet es start`` itself (Debian 12 has no JDK 21 package to install).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Need:
    """A Debian package, why a target needs it, and how to tell it is there: any of ``commands`` on PATH (or in
    ``also_in``, directories under the root), or any path matching one of ``globs`` under the root."""

    package: str
    why: str
    commands: tuple[str, ...] = ()
    also_in: tuple[str, ...] = ()
    globs: tuple[str, ...] = ()

    def present(self, path: str, root: Path) -> bool:
        dirs = [*path.split(os.pathsep), *(str(root / d.lstrip("/")) for d in self.also_in)]
        search = os.pathsep.join(d for d in dirs if d)
        if any(shutil.which(command, path=search) for command in self.commands):
            return True
        return any(any(root.glob(pattern.lstrip("/"))) for pattern in self.globs)


ES_NEEDS = (Need("maven", "builds the local Elasticsearch node's analysis plugin", commands=("mvn",)),)
TEST_NEEDS = (
    *ES_NEEDS,
    Need("chromium", "the browser test of the Airflow UI", commands=("chromium", "chromium-browser", "google-chrome")),
    Need(
        "redis-server",
        "the Celery executor test (broker)",
        commands=("redis-server",),
        also_in=("/usr/bin", "/usr/sbin"),
    ),
    Need(
        "postgresql",
        "the Celery executor test (Airflow's database)",
        commands=("initdb",),
        globs=("/usr/lib/postgresql/*/bin/postgres",),
    ),
    Need("git", "the tests that check what the repository tracks", commands=("git",)),
    Need("curl", "the tests of deploy/kibana-import.sh", commands=("curl",)),
)
TARGETS: dict[str, tuple[Need, ...]] = {"es": ES_NEEDS, "test": TEST_NEEDS}


@dataclass(frozen=True)
class Plan:
    """What to do about the missing packages: nothing, install them (root with apt-get), or ask the user."""

    missing: tuple[Need, ...]
    action: str  # "none" | "install" | "ask"
    command: str  # the command that installs them ("" when nothing is missing)

    @property
    def packages(self) -> list[str]:
        return [need.package for need in self.missing]

    def message(self) -> str:
        """The one line a person reads."""
        if not self.missing:
            return "system packages: all present"
        names = ", ".join(f"{n.package} ({n.why})" for n in self.missing)
        if self.action == "install":
            return f"== installing {names}: {self.command}"
        return f"missing system packages: {names}. Run: {self.command}"


def plan(
    target: str,
    *,
    path: str | None = None,
    root: Path = Path("/"),
    is_root: bool | None = None,
    has_apt: bool | None = None,
) -> Plan:
    """The missing packages of ``target`` and what to do; ``path``, ``root``, ``is_root`` and ``has_apt`` default to
    this machine's (the tests give their own, to see the missing path on a machine that has everything)."""
    path = os.environ.get("PATH", "") if path is None else path
    is_root = (os.geteuid() == 0) if is_root is None else is_root
    has_apt = bool(shutil.which("apt-get", path=f"{path}{os.pathsep}/usr/bin")) if has_apt is None else has_apt
    missing = tuple(need for need in TARGETS[target] if not need.present(path, root))
    if not missing:
        return Plan(missing, "none", "")
    packages = " ".join(need.package for need in missing)
    if has_apt:
        install = f"apt-get install -y {packages}"
        if is_root:
            return Plan(missing, "install", f"apt-get update && {install}")
        return Plan(missing, "ask", f"sudo apt-get update && sudo {install}")
    return Plan(missing, "ask", f"install {packages} with your package manager")


def install(found: Plan) -> int:
    """Run apt-get for the plan's packages (root only); apt's own output only when it fails."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *found.packages]):
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(
                f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}",
                file=sys.stderr,
            )
            return done.returncode
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="devtools/sysdeps.py",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", choices=sorted(TARGETS), help="what the packages are for")
    parser.add_argument("--dry-run", action="store_true", help="say what would be done, change nothing")
    args = parser.parse_args(argv)
    dry_run = args.dry_run or os.environ.get("NEWSFACET_SYSDEPS_DRY_RUN", "") not in ("", "0")
    found = plan(args.target)
    if found.action == "none":
        return 0
    if found.action == "ask" or dry_run:
        print(found.message() + (" (dry run)" if dry_run else ""), file=sys.stderr)
        return 0 if dry_run else 1
    print(found.message(), flush=True)
    if rc := install(found):
        return rc
    still = plan(args.target)
    if still.missing:
        print(f"still missing after apt-get: {', '.join(still.packages)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
