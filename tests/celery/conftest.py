"""Throw-away PostgreSQL and Redis from Debian's packages, on loopback, for the scale-out (CeleryExecutor) tests.

Each fixture starts its server in its own process group on a free port under a fresh temporary directory and
stops it (the whole group) afterwards, whatever the test did. Nothing is installed here: a machine without the
servers fails the test with the line that brings them (``make test`` installs them when run as root).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.airflow_stack import free_port, stop_group, tail

APT_HINT = "make sysdeps-test (as root), or: apt-get install -y postgresql redis-server"
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    database: str

    def url(self, driver: str = "postgresql+psycopg2") -> str:
        return f"{driver}://{self.user}@{self.host}:{self.port}/{self.database}"


@dataclass(frozen=True)
class Redis:
    host: str
    port: int

    def url(self, db: int = 0) -> str:
        return f"redis://{self.host}:{self.port}/{db}"


def _postgres_bin() -> Path:
    """The newest server install of Debian's layout (/usr/lib/postgresql/N/bin), else initdb on PATH."""
    versions = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/postgres") if p.parent.parent.name.isdigit()]
    if versions:
        return max(versions, key=lambda b: int(b.parent.name))
    initdb = shutil.which("initdb")
    if initdb and (Path(initdb).resolve().parent / "postgres").exists():
        return Path(initdb).resolve().parent
    pytest.fail(f"PostgreSQL server not installed (no /usr/lib/postgresql/*/bin/postgres, no initdb): {APT_HINT}")


def _server_user() -> tuple[int, int]:
    """PostgreSQL refuses to run as root: as root use Debian's `postgres` account, otherwise the current user."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail(f"running as root but there is no 'postgres' user to run the server as: {APT_HINT}")
    return account.pw_uid, account.pw_gid


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    """A fresh cluster (trust auth, loopback only, fsync off) with an empty database ``airflow`` of user ``airflow``."""
    try:
        import psycopg2
    except ImportError:
        pytest.fail("psycopg2 not installed: psycopg2-binary is pinned in pyproject.toml (`make setup`)")

    bin_dir = _postgres_bin()
    uid, gid = _server_user()
    root = Path(tempfile.mkdtemp(prefix="nf-celery-pg-"))  # not under pytest's 0700 root-owned tmp: postgres reads it
    os.chown(root, uid, gid)
    data, log = root / "data", root / "postgres.log"
    as_server = {"user": uid, "group": gid, "extra_groups": [], "cwd": root} if os.geteuid() == 0 else {"cwd": root}
    proc: subprocess.Popen[bytes] | None = None
    try:
        init = subprocess.run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "airflow",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"},
            **as_server,
        )
        assert init.returncode == 0, f"initdb failed:\n{init.stdout[-2000:]}\n{init.stderr[-2000:]}"
        port = free_port(5440)
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [
                    str(bin_dir / "postgres"),
                    "-D",
                    str(data),
                    "-p",
                    str(port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={root}",
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=200",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"},
                **as_server,
            )
        deadline, last = time.monotonic() + START_TIMEOUT, None
        while True:
            if proc.poll() is not None:
                pytest.fail(f"postgres exited with {proc.returncode}:\n{tail(log)}")
            try:
                conn = psycopg2.connect(
                    host="127.0.0.1", port=port, user="airflow", dbname="postgres", connect_timeout=3
                )
                break
            except psycopg2.OperationalError as exc:
                last = exc
            if time.monotonic() > deadline:
                pytest.fail(f"postgres not accepting connections after {START_TIMEOUT:.0f}s ({last}):\n{tail(log)}")
            time.sleep(0.3)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("CREATE DATABASE airflow")
        conn.close()
        yield Postgres(host="127.0.0.1", port=port, user="airflow", database="airflow")
    finally:
        if proc is not None:
            stop_group(proc, signal.SIGINT)  # SIGINT: "fast" shutdown, clients cut off
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def redis() -> Iterator[Redis]:
    """A memory-only Redis (no RDB, no AOF) on loopback, the Celery broker."""
    server = shutil.which("redis-server", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin", "/usr/sbin"]))
    if not server:
        pytest.fail(f"redis-server not installed: {APT_HINT}")
    root = Path(tempfile.mkdtemp(prefix="nf-celery-redis-"))
    log = root / "redis.log"
    port = free_port(6390)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                server,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(root),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=root,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"redis-server exited with {proc.returncode}:\n{tail(log)}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(64).startswith(b"+PONG"):
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"redis-server not answering PING after {START_TIMEOUT:.0f}s:\n{tail(log)}")
            time.sleep(0.2)
        yield Redis(host="127.0.0.1", port=port)
    finally:
        stop_group(proc)
        shutil.rmtree(root, ignore_errors=True)
