"""Extract stage: every kind of bad bytes gets a typed rejection; good text gets a stable id."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from etl.errors import RejectedInput, RejectReason
from etl.extract import decode, read_file, stable_id
from etl.records import InputKind
from tests.paths import SEED_ARTICLE

LIMIT = 1_000_000


def _decode_bytes(tmp_path: Path, data: bytes, name: str = "input.txt") -> object:
    path = tmp_path / name
    path.write_bytes(data)
    return decode(read_file(path, LIMIT), LIMIT)


def _reason(tmp_path: Path, data: bytes, name: str = "input.txt") -> RejectReason:
    with pytest.raises(RejectedInput) as caught:
        _decode_bytes(tmp_path, data, name)
    return caught.value.reason


def test_seed_is_utf8_text_with_stable_id() -> None:
    doc = decode(read_file(SEED_ARTICLE, LIMIT))
    assert doc.kind is InputKind.TEXT
    assert doc.encoding == "utf-8"
    assert doc.text.startswith("Libya strongman boycotts Italy peace summit")
    assert doc.doc_id == stable_id(doc.text) and len(doc.doc_id) == 32


def test_same_article_in_another_encoding_keeps_its_id(tmp_path: Path) -> None:
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    utf8 = _decode_bytes(tmp_path, text.encode("utf-8"), "a.txt")
    utf16 = _decode_bytes(tmp_path, text.replace("\n", "\r\n").encode("utf-16"), "b.txt")
    assert utf8.doc_id == utf16.doc_id  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", RejectReason.EMPTY),
        (b"   \n\t \n", RejectReason.EMPTY),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", RejectReason.BINARY),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", RejectReason.BINARY),
        (b"\x7fELF\x02\x01\x01" + bytes(range(256)), RejectReason.BINARY),
        (bytes(range(256)) * 40, RejectReason.BINARY),
        (gzip.compress(b"hello world " * 100)[:30], RejectReason.BINARY),
        (b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', RejectReason.UNSUPPORTED_TYPE),
    ],
    ids=["empty", "whitespace", "pdf", "png", "elf", "random-binary", "truncated-gzip", "rss"],
)
def test_bad_bytes_are_rejected_with_a_reason(tmp_path: Path, data: bytes, reason: RejectReason) -> None:
    assert _reason(tmp_path, data) is reason


def test_too_large_is_rejected_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"a" * (LIMIT + 1))
    with pytest.raises(RejectedInput) as caught:
        read_file(path, LIMIT)
    assert caught.value.reason is RejectReason.TOO_LARGE


def test_gzip_bomb_is_bounded(tmp_path: Path) -> None:
    assert _reason(tmp_path, gzip.compress(b"a" * (LIMIT * 3))) is RejectReason.TOO_LARGE


def test_symlink_loop_and_unreadable(tmp_path: Path) -> None:
    loop = tmp_path / "loop.txt"
    os.symlink(loop, loop)
    with pytest.raises(RejectedInput) as caught:
        read_file(loop, LIMIT)
    assert caught.value.reason is RejectReason.UNREADABLE
    with pytest.raises(RejectedInput) as caught:
        read_file(tmp_path, LIMIT)
    assert caught.value.reason is RejectReason.UNREADABLE


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", False),
        ("utf-8-sig", True),
        ("utf-16", True),
        ("utf-16-le", False),
        ("utf-16-be", False),
        ("cp1252", False),
        ("latin-1", False),
    ],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, bom: bool) -> None:
    text = ("Le maréchal Haftar a boycotté la conférence de Palerme, déclare l'analyste à l'AFP. " * 5).strip()
    doc = _decode_bytes(tmp_path, text.encode(encoding))
    assert "maréchal Haftar a boycotté" in doc.text  # type: ignore[attr-defined]
    assert not doc.text.startswith("\ufeff")  # type: ignore[attr-defined]


def test_gzip_text_is_read(tmp_path: Path) -> None:
    doc = _decode_bytes(tmp_path, gzip.compress(SEED_ARTICLE.read_bytes()), "a.txt.gz")
    assert doc.text.startswith("Libya strongman")  # type: ignore[attr-defined]


def test_html_is_sniffed(tmp_path: Path) -> None:
    doc = _decode_bytes(tmp_path, b"<html><head><title>x</title></head><body><p>Hello</p></body></html>")
    assert doc.kind is InputKind.HTML  # type: ignore[attr-defined]


def test_html_declared_charset_wins_over_guessing(tmp_path: Path) -> None:
    html = '<html><head><meta charset="windows-1252"><title>Kadhafi</title></head><body><p>Salamé à Tripoli</p>'
    doc = _decode_bytes(tmp_path, html.encode("cp1252"), "a.html")
    assert "Salamé à Tripoli" in doc.text  # type: ignore[attr-defined]


def test_nul_bytes_in_text_are_binary(tmp_path: Path) -> None:
    assert _reason(tmp_path, b"some text\x00\x00\x00 more\x00 text\x00" * 50) is RejectReason.BINARY


def test_a_declared_charset_python_refuses_falls_back_to_detection(tmp_path: Path) -> None:
    """Issue 11 #1: ``charset="undefined"`` names a codec that raises ``UnicodeError`` on any byte; it crashed the
    whole run. A declaration that cannot decode the page is ignored, as an unknown name is."""
    page = (
        b'<html><head><meta charset="undefined"><title>Sabha</title></head><body><p>Le caf\xe9 de Sabha '
        b"est ferm\xe9 depuis lundi.</p><p>Deux.</p></body></html>"
    )
    doc = _decode_bytes(tmp_path, page, "undefined.html")
    assert "Sabha" in doc.text and doc.kind is InputKind.HTML  # type: ignore[attr-defined]
    for name in ("x-no-such-codec", "utf-7\x00", "rot13", "base64"):
        odd = page.replace(b"undefined", name.encode())
        assert "Sabha" in _decode_bytes(tmp_path, odd, "odd.html").text  # type: ignore[attr-defined]


def test_an_xml_declaration_names_the_encoding(tmp_path: Path) -> None:
    page = '<?xml version="1.0" encoding="iso-8859-1"?><html><body><p>Déjà à Tobrouk.</p></body></html>'
    doc = _decode_bytes(tmp_path, page.encode("latin-1"), "decl.xhtml")
    assert "Déjà à Tobrouk" in doc.text and doc.encoding == "iso8859-1"  # type: ignore[attr-defined]


def test_invisible_format_characters_do_not_split_names(tmp_path: Path) -> None:
    """#13: a zero-width space, soft hyphen, ZWJ or ZWNJ inside a name made a facet value that looks like "Khalifa
    Haftar" and is not; inside "Tripoli" the place was lost."""
    text = (
        "Khalifa Haf\u200btar met envoys in Tri\u00adpoli.\n\nThe LNA of Khalifa\u00a0Haf\u200dtar and "
        "Khal\u200cifa Haftar\u2060 said so. \u2067RTL\u2069 \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645\n"
    )
    doc = _decode_bytes(tmp_path, text.encode("utf-8"))
    assert "Khalifa Haftar met envoys in Tripoli." in doc.text  # type: ignore[attr-defined]
    assert "Khalifa\u00a0Haftar and Khalifa Haftar said so. RTL" in doc.text  # type: ignore[attr-defined]
    assert "\u0645\u06cc\u200c\u062e" in doc.text  # type: ignore[attr-defined]  # Persian keeps its non-joiner
    only_joiners = _decode_bytes(tmp_path, "Khalifa Haf\u200dtar and Khal\u200cifa met in Tripoli.".encode())
    assert "Khalifa Haftar and Khalifa met" in only_joiners.text  # type: ignore[attr-defined]  # no other Cf char


def test_every_member_of_a_multi_member_gzip_is_read(tmp_path: Path) -> None:
    """#14: ``cat a.gz b.gz`` was cut to its first member."""
    first = "Libya strongman boycotts Italy peace summit\n\nFirst part of the story.\n"
    second = "Second part: talks in Palermo ended without Haftar.\n"
    data = gzip.compress(first.encode()) + gzip.compress(second.encode())
    doc = _decode_bytes(tmp_path, data, "joined.txt.gz")
    assert doc.text == first + second  # type: ignore[attr-defined]
    assert _reason(tmp_path, data + b"garbage", "trailing.txt.gz") is RejectReason.BINARY
    cut_member = gzip.compress(" ".join(str(i) for i in range(2000)).encode())[:40]
    assert _reason(tmp_path, data + cut_member, "cut.txt.gz") is RejectReason.BINARY
