"""The inbox reads local folders and fsspec URLs alike (``memory://`` stands in for an object store)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import fsspec
import pytest

from etl.errors import RejectedInput, RejectReason
from etl.inbox import content_sha256, is_url, list_files, read_bytes
from tests.paths import SEED_ARTICLE


@pytest.fixture
def bucket() -> str:
    fs = fsspec.filesystem("memory")
    root = "/newsfacet-test-inbox"
    if fs.exists(root):
        fs.rm(root, recursive=True)
    fs.pipe(f"{root}/2018/rfi.txt", SEED_ARTICLE.read_bytes())
    fs.pipe(f"{root}/2018/empty.txt", b"")
    fs.pipe(f"{root}/.hidden/skip.txt", b"x")
    return f"memory://{root}"


def test_is_url() -> None:
    assert is_url("s3://bucket/inbox") and is_url("memory:///x") and is_url("file:///tmp/x")
    assert not is_url("/data/inbox") and not is_url("seeds/a.txt") and not is_url("C:/x")


def test_lists_object_store_files_sorted_without_hidden(bucket: str) -> None:
    files = list_files([bucket])
    assert [f.rsplit("/", 1)[-1] for f in files] == ["empty.txt", "rfi.txt"]
    assert all(f.startswith("memory://") for f in files)


def test_reads_and_hashes_objects(bucket: str) -> None:
    url = f"{bucket}/2018/rfi.txt"
    assert read_bytes(url, 1_000_000) == SEED_ARTICLE.read_bytes()
    assert content_sha256(url, 1_000_000) == hashlib.sha256(SEED_ARTICLE.read_bytes()).hexdigest()
    with pytest.raises(RejectedInput) as caught:
        read_bytes(url, 100)
    assert caught.value.reason is RejectReason.TOO_LARGE
    with pytest.raises(RejectedInput) as caught:
        read_bytes(f"{bucket}/missing.txt", 100)
    assert caught.value.reason is RejectReason.UNREADABLE


def test_local_folder(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    assert list_files([str(tmp_path)]) == [str(tmp_path / "a.txt")]
    assert content_sha256(str(tmp_path / "a.txt"), 10) == hashlib.sha256(b"x").hexdigest()
    assert content_sha256(str(tmp_path / "missing"), 10) is None
