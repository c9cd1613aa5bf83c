"""Extract stage: bytes from the inbox -> decoded text with a stable id, or a typed rejection.

Decides three things before any parsing: is this text at all (not binary, not empty), which encoding it is in
(BOM, UTF-8, declared charset, UTF-8 with stray cp1252 bytes, then statistical detection), and whether it is HTML or
plain text. beautifulsoup4's ``EncodingDetector`` reads the byte-order mark and the declared charset (``<meta
charset>``, ``http-equiv``, an XML declaration); the order of the guesses, the binary sniffing and the mixed-encoding
repair are ours: bs4's own statistical fallback (``UnicodeDammit``) took a French cp1252 page for Baltic cp775.
Work per file is bounded by ``max_bytes``: nothing here reads a file whole before checking its size.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
import zlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from etl.errors import RejectedInput, RejectReason
from etl.inbox import is_url, outside_roots, read_bytes
from etl.records import DecodedDocument, InputKind, RawArticle

# Magic numbers of formats users drop into an inbox by mistake.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive (or Office document)"),
    (b"\x7fELF", "ELF executable"),
    (b"RIFF", "RIFF media file"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
)
_DECLARATION_WINDOW = 65536  # a charset declared further into the page than this is not looked for
_HTML_SNIFF = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(p|div|article|span|a|br|meta|title)[\s/>]", re.IGNORECASE
)
_FEED_SNIFF = re.compile(r"^\s*(<\?xml[^>]*>\s*)?<(rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_GZIP_MAGIC = b"\x1f\x8b"


def read_file(
    location: Path | str,
    max_bytes: int,
    source_name: str | None = None,
    roots: Sequence[str] = (),
    follow_links: bool = False,
) -> RawArticle:
    """Read one inbox entry (a path or an object-store URL), refusing what cannot be an article before decoding it.

    With ``roots`` (the inbox, or the paths a run was given), a link leading outside them is refused unless
    ``follow_links``: a link in the inbox must not make a private file (``/etc/shadow``) searchable.
    """
    name = source_name or str(location)
    if isinstance(location, str) and is_url(location):
        data = read_bytes(location, max_bytes)
        return RawArticle(source_file=name, data=data, content_sha256=hashlib.sha256(data).hexdigest())
    path = location if isinstance(location, Path) else Path(location)
    try:
        if path.is_symlink() and not path.exists():
            raise RejectedInput(RejectReason.UNREADABLE, "broken or looping symbolic link", name)
        target = None if follow_links else outside_roots(str(path), roots)
        if target is not None:
            raise RejectedInput(
                RejectReason.OUTSIDE_INBOX,
                f"a link to {target}, outside the inbox: not followed (NEWSFACET_FOLLOW_LINKS=true follows links)",
                name,
            )
        if path.is_dir():
            raise RejectedInput(*_why_a_folder(path), name)
        if not path.is_file():
            raise RejectedInput(RejectReason.UNREADABLE, "not a regular file", name)
        size = path.stat().st_size
        if size > max_bytes:
            raise RejectedInput(RejectReason.TOO_LARGE, f"{size} bytes exceeds the limit of {max_bytes}", name)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except RejectedInput:
        raise
    except OSError as exc:
        raise RejectedInput(RejectReason.UNREADABLE, f"{type(exc).__name__}: {exc.strerror or exc}", name) from exc
    if len(data) > max_bytes:  # the file grew while we read it
        raise RejectedInput(RejectReason.TOO_LARGE, f"more than {max_bytes} bytes", name)
    return RawArticle(source_file=name, data=data, content_sha256=hashlib.sha256(data).hexdigest())


def _why_a_folder(path: Path) -> tuple[RejectReason, str]:
    """A folder listed as an entry: a linked folder not walked, or one that cannot be listed."""
    if path.is_symlink():
        return (
            RejectReason.LINKED_FOLDER,
            f"a link to the folder {os.path.realpath(path)}: not walked (its files are "
            "read where they are when they lie in the inbox; NEWSFACET_FOLLOW_LINKS=true walks linked folders)",
        )
    try:
        os.listdir(path)
    except OSError as exc:
        return RejectReason.UNREADABLE, f"a folder that cannot be listed: {exc.strerror or exc}"
    return RejectReason.UNREADABLE, "a folder that could not be listed while the inbox was walked"


def decode(raw: RawArticle, max_bytes: int = 20 * 1024 * 1024) -> DecodedDocument:
    """Turn bytes into text and sniff the kind; reject empty, binary and undecodable input."""
    data = raw.data
    if data[:2] == _GZIP_MAGIC:
        data = _gunzip(raw, max_bytes)
    if not data.strip():
        raise RejectedInput(RejectReason.EMPTY, "the file is empty or holds only white space", raw.source_file)
    text, encoding = _to_text(data, raw.source_file)
    text = _normalise(text)
    if not text.strip():
        raise RejectedInput(RejectReason.EMPTY, "no visible characters after decoding", raw.source_file)
    if _FEED_SNIFF.match(text[:2000]):
        raise RejectedInput(RejectReason.UNSUPPORTED_TYPE, "an RSS/Atom feed, not an article", raw.source_file)
    kind = InputKind.HTML if _looks_like_html(text) else InputKind.TEXT
    return DecodedDocument(
        doc_id=stable_id(text),
        source_file=raw.source_file,
        content_sha256=raw.content_sha256,
        kind=kind,
        text=text,
        encoding=encoding,
    )


def stable_id(text: str) -> str:
    """Id from the normalised text: the same article re-saved (CRLF, BOM, other encoding) keeps its id."""
    canonical = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def _gunzip(raw: RawArticle, max_bytes: int) -> bytes:
    """Decompress a gzip file, every member of it (``cat a.gz b.gz`` is one valid gzip file), without letting a zip
    bomb past the size limit."""
    parts: list[bytes] = []
    size = 0
    data = raw.data
    while data:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out = decompressor.decompress(data, max_bytes + 1 - size)
        except zlib.error as exc:
            raise RejectedInput(RejectReason.BINARY, f"corrupt gzip data: {exc}", raw.source_file) from exc
        size += len(out)
        if size > max_bytes or decompressor.unconsumed_tail:
            raise RejectedInput(RejectReason.TOO_LARGE, f"decompresses to more than {max_bytes} bytes", raw.source_file)
        if not decompressor.eof:
            raise RejectedInput(RejectReason.BINARY, "truncated gzip data", raw.source_file)
        parts.append(out)
        data = decompressor.unused_data
        if data and not data.startswith(_GZIP_MAGIC):
            if not data.strip(b"\x00"):  # zero padding after the last member (tape-style writers) is allowed
                break
            raise RejectedInput(RejectReason.BINARY, "trailing bytes after the gzip data", raw.source_file)
    return b"".join(parts)


def _to_text(data: bytes, source_file: str) -> tuple[str, str]:
    from bs4.dammit import EncodingDetector

    unmarked, bom_encoding = EncodingDetector.strip_byte_order_mark(data)
    if bom_encoding:
        try:
            return unmarked.decode(bom_encoding), bom_encoding
        except UnicodeDecodeError as exc:
            raise RejectedInput(RejectReason.UNDECODABLE, f"invalid {bom_encoding} after its BOM", source_file) from exc
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise RejectedInput(RejectReason.BINARY, f"looks like a {what}", source_file)
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    head = data[:65536]
    if head.count(b"\x00") > max(2, len(head) // 1000):
        raise RejectedInput(RejectReason.BINARY, "holds NUL bytes: not text", source_file)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = EncodingDetector.find_declared_encoding(
        data[:_DECLARATION_WINDOW], is_html=True, search_entire_document=True
    )
    if declared:
        try:  # a name Python does not know, or knows as a codec that refuses all text ("undefined"), is ignored
            return data.decode(declared), codecs.lookup(declared).name
        except (LookupError, UnicodeError, ValueError):
            pass
    mixed = _utf8_with_cp1252(data)
    if mixed is not None:
        return mixed, "utf-8+cp1252"
    return _detect(data, source_file)


_STRAY_BYTES = re.compile("[\udc80-\udcff]+")


def _utf8_with_cp1252(data: bytes) -> str | None:
    """UTF-8 text with stray cp1252 bytes (two sources pasted into one file): decode each part as what it is.

    Statistical detection picks one code page for the whole file and garbles the UTF-8 half (a French paste came
    out as Baltic cp1257). Only taken when genuine multi-byte UTF-8 Latin letters or punctuation are present, which
    a single-byte file practically never contains by accident.
    """
    text = data.decode("utf-8", errors="surrogateescape")
    genuine = [ch for ch in text if ord(ch) > 0x7F and not "\udc80" <= ch <= "\udcff"]
    if len(genuine) < 3 or not all("\u00a0" <= ch <= "\u017f" or "\u2010" <= ch <= "\u20ac" for ch in genuine):
        return None
    return _STRAY_BYTES.sub(lambda m: m.group().encode("utf-8", "surrogateescape").decode("cp1252", "replace"), text)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: every other byte of ASCII-range text is NUL."""
    sample = data[:4000]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, letters, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) > 0.7 * len(zeros) and letters.count(0) < 0.1 * len(letters):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                return None
    return None


def _detect(data: bytes, source_file: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise RejectedInput(RejectReason.UNDECODABLE, "no text encoding fits these bytes", source_file)
    encoding = best.encoding
    text = data.decode(encoding, errors="replace")
    if _control_share(text) > 0.02 or text.count("\ufffd") > max(10, len(text) // 100):
        raise RejectedInput(RejectReason.UNDECODABLE, f"decodes as {encoding} only into noise", source_file)
    return text, encoding


def _control_share(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    return controls / len(sample)


def _normalise(text: str) -> str:
    """NFC, Unix newlines, no NULs, no invisible format characters: later stages never see encoding artefacts.

    Format characters (Unicode category Cf: zero-width space, soft hyphen, word joiner, bidi marks, a BOM inside the
    text) are invisible but split words: "Khalifa\u200bHaftar" would be a facet value that looks like "Khalifa
    Haftar" and is not, and "Tri\u00adpoli" is no place. They go; the zero-width joiner and non-joiner stay only
    between two letters of a script that needs them (Arabic, Persian, Indic), never inside Latin words.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not text.isascii():
        if _holds_invisible(text):  # a look for one first: most texts hold none
            text = text.translate(_invisible_table())
        if "\u200c" in text or "\u200d" in text:
            text = _JOINER_OUTSIDE_SCRIPT.sub("", text)
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1)
def _invisible_table() -> dict[int, None]:
    """Every format character but the two joiners, mapped to nothing (built once). Format characters live in the
    first two planes and in plane 14 (tags) only, so only those are scanned."""
    planes = (*range(0x20000), *range(0xE0000, 0xE1000))
    return {cp: None for cp in planes if unicodedata.category(chr(cp)) == "Cf" and cp not in (0x200C, 0x200D)}


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _holds_invisible(text: str) -> bool:
    """Whether ``text`` holds a character of ``_invisible_table`` (all beyond ASCII): its few distinct non-ASCII
    characters are looked up, which costs a fraction of translating the whole text through a 130,000-entry table
    (0.3 ms of a 5,000-character article) and a third of a character-class scan."""
    return not _invisible_table().keys().isdisjoint(map(ord, set(_NON_ASCII.findall(text))))


_NOT_LATIN_LETTER = r"[^\W\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff]"
_JOINER_OUTSIDE_SCRIPT = re.compile(rf"(?<!{_NOT_LATIN_LETTER})[\u200c\u200d]|[\u200c\u200d](?!{_NOT_LATIN_LETTER})")


def _looks_like_html(text: str) -> bool:
    head = text[:5000]
    if re.match(r"\s*<(!doctype|html|\?xml)", head, re.IGNORECASE):
        return True
    return len(_HTML_SNIFF.findall(head)) >= 3
