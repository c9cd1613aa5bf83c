"""The inbox reads local folders and fsspec URLs alike (``memory://`` stands in for an object store)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import fsspec
import pytest

from etl.errors import RejectedInput, RejectReason
from etl.extract import read_file
from etl.inbox import content_sha256, is_url, list_files, read_bytes, same_file, source_key
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


# --- issue 11: one name per file, links out of the inbox, folders that cannot be walked ---------------------------


def test_every_spelling_of_a_path_is_one_recorded_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """#7: ``inbox/base``, ``./inbox/base`` and the absolute path were three files to the ledger."""
    inbox = tmp_path / "inbox"
    (inbox / "base").mkdir(parents=True)
    story = inbox / "base" / "story.txt"
    story.write_text("x")
    monkeypatch.chdir(tmp_path)
    spellings = ["inbox/base/story.txt", "./inbox/base/story.txt", str(story), "inbox//base/../base/story.txt"]
    assert {source_key(s, str(inbox)) for s in spellings} == {"base/story.txt"}
    assert {source_key(s, "./inbox/") for s in spellings} == {"base/story.txt"}
    outside = tmp_path / "elsewhere.txt"
    assert source_key(str(outside), str(inbox)) == str(outside)  # outside the inbox: its absolute path
    assert same_file("base/story.txt", str(story), str(inbox))


def test_overlapping_arguments_list_each_file_once(tmp_path: Path) -> None:
    """#19: ``run inbox/x inbox/x/sub`` counted the files of sub twice."""
    (tmp_path / "x" / "sub").mkdir(parents=True)
    (tmp_path / "x" / "a.txt").write_text("a")
    (tmp_path / "x" / "sub" / "b.txt").write_text("b")
    listed = list_files([str(tmp_path / "x"), str(tmp_path / "x" / "sub"), str(tmp_path / "x" / "sub" / "b.txt")])
    assert [Path(p).relative_to(tmp_path).as_posix() for p in listed] == ["x/a.txt", "x/sub/b.txt"]


def test_links_out_of_the_inbox_are_refused_and_never_read(tmp_path: Path) -> None:
    """#11: a link in the inbox made a private file searchable (and /etc/shadow was read, as root)."""
    inbox, private = tmp_path / "inbox", tmp_path / "private"
    inbox.mkdir()
    private.mkdir()
    (private / "secret.txt").write_text("Private notes on Sabha " * 20)
    (inbox / "story.txt").write_bytes(SEED_ARTICLE.read_bytes())
    (inbox / "innocent.txt").symlink_to(private / "secret.txt")
    (inbox / "same-story.txt").symlink_to(inbox / "story.txt")  # a link inside the inbox is fine
    roots = [str(inbox)]
    with pytest.raises(RejectedInput) as refused:
        read_file(inbox / "innocent.txt", 1_000_000, roots=roots)
    assert refused.value.reason is RejectReason.OUTSIDE_INBOX and str(private / "secret.txt") in refused.value.detail
    assert read_file(inbox / "same-story.txt", 1_000_000, roots=roots).data == SEED_ARTICLE.read_bytes()
    followed = read_file(inbox / "innocent.txt", 1_000_000, roots=roots, follow_links=True)  # the setting allows it
    assert followed.data.startswith(b"Private notes")


def test_linked_and_unlistable_folders_are_listed_to_be_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """#12: such folders were skipped silently (not counted, no note). Each is now an entry the batch rejects."""
    inbox = tmp_path / "inbox"
    (inbox / "locked").mkdir(parents=True)
    (inbox / "locked" / "hidden-story.txt").write_text("x")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "far.txt").write_text("x")
    (inbox / "linked").symlink_to(tmp_path / "elsewhere")
    (inbox / "ok.txt").write_text("x")
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        # Root (as CI runs) reads any folder: a denied listing is simulated here, the handling is the real code.
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    listed = {Path(p).relative_to(inbox).as_posix() for p in list_files([str(inbox)])}
    assert listed == {"ok.txt", "linked", "locked"}
    with pytest.raises(RejectedInput) as linked:
        read_file(inbox / "linked", 1_000_000, roots=[str(inbox)], follow_links=True)
    assert linked.value.reason is RejectReason.LINKED_FOLDER
    monkeypatch.setattr(os, "listdir", lambda path: scandir(path))
    with pytest.raises(RejectedInput) as locked:
        read_file(inbox / "locked", 1_000_000, roots=[str(inbox)])
    assert locked.value.reason is RejectReason.UNREADABLE and "cannot be listed" in locked.value.detail
    walked = {Path(p).relative_to(inbox).as_posix() for p in list_files([str(inbox)], follow_links=True)}
    assert "linked/far.txt" in walked  # NEWSFACET_FOLLOW_LINKS walks it
