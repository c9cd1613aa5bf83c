"""A bad-input corpus for the pipeline: every way an inbox file can be wrong, next to good articles.

Why a generator and not checked-in files: half of the kinds cannot live in git (50 MB files, FIFOs, sockets,
symlink loops, unreadable modes, names with newlines or non-UTF-8 bytes), and the rest are cheaper to read as code
that says what each file is and what the pipeline must do with it.

``build_corpus(folder)`` writes the files and returns one ``Entry`` per inbox file with its expected outcome:
``indexed``, ``rejected:<RejectReason value>`` or, where two outcomes are both right, ``indexed-or-rejected``.
Kinds the platform cannot create (no FIFOs, no /proc, a file system refusing a name) are left out, not faked.
Run ``python -m tests.badinput.corpus DIR`` to write a corpus by hand; its manifest goes to ``DIR/.corpus.json``
(hidden, so the pipeline never reads it).
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import random
import re
import socket
import sys
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from etl.boilerplate import is_boilerplate
from etl.errors import RejectReason
from etl.records import RawArticle
from tests.paths import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"
SEED_EN = SEEDS / "rfi-2018-11-13-haftar-boycotts-palermo.txt"
SEED_FR = SEEDS / "newsfacet-demo-tripoli-fr.txt"
SEED_HTML = SEEDS / "newsfacet-demo-sabha-fezzan.html"
SEED_CP1252 = SEEDS / "newsfacet-demo-benghazi-port-cp1252.txt"
BIG_BYTES = 50 * 1024 * 1024
INDEXED = "indexed"
EITHER = "indexed-or-rejected"
MANIFEST = ".corpus.json"

# Hooks the test installs around ``etl.extract.read_file`` (see ``hooked_read_file``).
HOOK_EDIT_BEFORE_READ = "edit-before-read"
HOOK_GROW_WHILE_READ = "grow-while-read"
EDIT_MARKER = "A late correction was appended to this dispatch after the inbox was scanned."


def rejected(reason: RejectReason) -> str:
    """The expectation string for a typed rejection."""
    return f"rejected:{reason.value}"


@dataclass(frozen=True)
class Entry:
    """One inbox file, what it is, and what the pipeline must make of it."""

    name: str  # path relative to the corpus folder (may hold spaces, unicode, a newline, non-UTF-8 bytes)
    kind: str
    expected: str  # "indexed" | "rejected:<reason>" | "indexed-or-rejected"
    why: str = ""  # why this outcome (and, for "indexed-or-rejected", why both are right)
    must_contain: tuple[str, ...] = ()  # text the indexed title + body must hold (the decoding, not just the outcome)
    hook: str | None = None
    # The plan cannot hash it (unreadable, or over the size limit on disk), so every run tries it again.
    retried: bool = False

    def path(self, folder: Path) -> Path:
        return folder / os.fsdecode(os.fsencode(self.name))


# --------------------------------------------------------------------------- distinct articles from the seeds


_SENTENCE_RE = re.compile(r"(?<=[.!?\"”])\s+(?=[A-Z“\"«])")


def _sentences(text: str) -> list[str]:
    paragraphs = [p.strip() for p in text.split("\n\n") if len(p.split()) >= 12 and "\n" not in p.strip()]
    sentences = [s.strip() for p in paragraphs for s in _SENTENCE_RE.split(p) if len(s.split()) >= 6]
    return [s for s in sentences if not is_boilerplate(s) and not s.lower().startswith("lire aussi")]


def article_variant(number: int, seed: Path = SEED_EN, sentences: int = 6) -> str:
    """A distinct plain-text article (own title, own id): seed sentences shuffled, plus a numbered sentence.

    Enrichment sees realistic text (the seed's names and places) while every variant has its own stable id.
    """
    text = seed.read_text(encoding="cp1252" if seed == SEED_CP1252 else "utf-8")
    title = text.strip().splitlines()[0].strip()
    pool = _sentences(text)
    rng = random.Random(f"{seed.name}:{number}")
    picked = rng.sample(pool, min(sentences, len(pool)))
    unique = f"This dispatch is number {number:05d} in the series."
    body = [" ".join(picked[: len(picked) // 2]), " ".join([*picked[len(picked) // 2 :], unique])]
    return f"{title} (dispatch {number})\n\n" + "\n\n".join(p for p in body if p) + "\n"


def _accented_word(text: str) -> str:
    return next(word for word in text.split() if not word.isascii())


def _html_page(title: str, paragraphs: list[str], charset: str = "utf-8", lang: str = "en") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="{charset}"><title>{title}</title></head>\n'
        f"<body><article><h1>{title}</h1>\n{body}\n</article></body></html>\n"
    )


def _variant_html(number: int, seed: Path = SEED_EN, charset: str = "utf-8", lang: str = "en") -> str:
    lines = [line for line in article_variant(number, seed).split("\n") if line.strip()]
    return _html_page(lines[0], lines[1:], charset=charset, lang=lang)


# --------------------------------------------------------------------------- the corpus


class _Writer:
    """Writes entries, skipping (and remembering) those the platform cannot create."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries: list[Entry] = []
        self.skipped: list[tuple[str, str]] = []

    def bytes(self, entry: Entry, data: bytes) -> None:
        self.make(entry, lambda p: p.write_bytes(data))

    def text(self, entry: Entry, text: str, encoding: str = "utf-8") -> None:
        self.make(entry, lambda p: p.write_bytes(text.encode(encoding)))

    def make(self, entry: Entry, create: Callable[[Path], object]) -> None:
        path = entry.path(self.folder)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            create(path)
        except (OSError, UnicodeError, ValueError) as exc:  # e.g. a file system refusing the name
            self.skipped.append((entry.kind, f"{type(exc).__name__}: {exc}"))
            return
        self.entries.append(entry)


def _big_text() -> bytes:
    block = (article_variant(9001) + "\n").encode("utf-8")
    return (block * (BIG_BYTES // len(block) + 1))[:BIG_BYTES]


def big_html() -> bytes:
    """A 50 MB page: a real article head, then megabytes of repeated paragraphs (an archive page gone wrong)."""
    head = _variant_html(9002).split("</article>")[0].encode("utf-8")
    para = ('<div class="item"><p>' + article_variant(9003).replace("\n", " ") + "</p></div>\n").encode("utf-8")
    tail = b"</article></body></html>\n"
    body = para * ((BIG_BYTES - len(head) - len(tail)) // len(para) + 1)
    return (head + body)[: BIG_BYTES - len(tail)] + tail


def _socket_file(path: Path) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(path))  # the socket file stays after close: a directory entry no open() can read


def build_corpus(folder: Path, *, big: bool = True) -> list[Entry]:
    """Write the corpus into ``folder`` (created) and return its entries; ``big=False`` leaves out the 50 MB files."""
    folder.mkdir(parents=True, exist_ok=True)
    w = _Writer(folder)
    root = os.geteuid() == 0

    # Good articles: the seeds and distinct variants, under ordinary names.
    w.bytes(
        Entry("01-good/rfi-2018-11-13-haftar-boycotts-palermo.txt", "good plain-text article (seed)", INDEXED),
        SEED_EN.read_bytes(),
    )
    w.bytes(
        Entry("01-good/sabha-fezzan.html", "good HTML article (seed)", INDEXED, must_contain=("Sabha",)),
        SEED_HTML.read_bytes(),
    )
    w.bytes(
        Entry("01-good/tripoli-fr.txt", "good French article (seed)", INDEXED, must_contain=("Misrata",)),
        SEED_FR.read_bytes(),
    )
    w.bytes(
        Entry(
            "01-good/benghazi-port-cp1252.txt",
            "cp1252 text (curly quotes, en dash)",
            INDEXED,
            "charset detection picks cp1252; the quotes must survive",
            must_contain=("“The quays are cleared",),
        ),
        SEED_CP1252.read_bytes(),
    )
    w.text(Entry("01-good/dispatch-0001.txt", "good article variant", INDEXED), article_variant(1))
    w.text(Entry("01-good/dispatch-0002.html", "good HTML article variant", INDEXED), _variant_html(2))

    # Duplicates.
    w.bytes(
        Entry("02-dup/rfi copy (1).txt", "duplicate: same bytes, another name", rejected(RejectReason.DUPLICATE)),
        SEED_EN.read_bytes(),
    )
    crlf = codecs.BOM_UTF8 + SEED_EN.read_bytes().replace(b"\n", b"\r\n")
    w.bytes(
        Entry(
            "02-dup/rfi-resaved-windows.txt",
            "duplicate: same article re-saved with BOM + CRLF",
            rejected(RejectReason.DUPLICATE),
            "the stable id ignores BOM and line endings",
        ),
        crlf,
    )
    w.make(
        Entry(
            "02-dup/link-to-dispatch-0001.txt",
            "symlink to a good article in the inbox",
            rejected(RejectReason.DUPLICATE),
            "read through the link: the same bytes as dispatch-0001",
        ),
        lambda p: p.symlink_to(Path("..") / "01-good" / "dispatch-0001.txt"),
    )

    # Empty and not text.
    w.bytes(Entry("empty.txt", "empty file", rejected(RejectReason.EMPTY)), b"")
    w.bytes(Entry("whitespace.txt", "whitespace only", rejected(RejectReason.EMPTY)), b" \n\t\r\n   \n\f\n")
    w.bytes(Entry("noise.bin", "random binary", rejected(RejectReason.BINARY)), random.Random(7).randbytes(8192))
    w.bytes(
        Entry("report.pdf", "a PDF", rejected(RejectReason.BINARY)),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + random.Random(8).randbytes(4096) + b"\n%%EOF\n",
    )
    w.bytes(
        Entry("photo.png", "a PNG image", rejected(RejectReason.BINARY)),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(9).randbytes(2048),
    )
    w.bytes(
        Entry("story.docx", "a ZIP (Office document)", rejected(RejectReason.BINARY)),
        b"PK\x03\x04" + random.Random(10).randbytes(2048),
    )
    w.bytes(
        Entry(
            "nul-padded.txt",
            "article followed by NUL padding (preallocated download)",
            rejected(RejectReason.BINARY),
            "4 KB of NULs is not text, whatever comes before",
        ),
        article_variant(3).encode() + bytes(4096),
    )
    stray = article_variant(4).encode().replace(b". ", b".\x00 ", 2)
    w.bytes(
        Entry(
            "stray-nuls.txt",
            "article with two stray NUL bytes",
            INDEXED,
            "a couple of NULs are dropped by normalisation",
        ),
        stray,
    )

    # Compression.
    packed = gzip.compress(article_variant(5).encode(), mtime=0)
    w.bytes(Entry("dispatch-0005.txt.gz", "gzip-compressed article", INDEXED), packed)
    w.bytes(
        Entry("truncated.txt.gz", "truncated gzip", rejected(RejectReason.BINARY)),
        gzip.compress(article_variant(6).encode() * 4, mtime=0)[:300],
    )
    bomb = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    w.bytes(
        Entry(
            "bomb.txt.gz",
            "gzip bomb (30 MB of spaces in 30 KB)",
            rejected(RejectReason.TOO_LARGE),
            "decompression stops at max_file_bytes",
        ),
        bomb.compress(b" " * (30 << 20)) + bomb.flush(),
    )

    # Encodings.
    w.text(Entry("utf16-bom.txt", "UTF-16 with BOM", INDEXED), "\ufeff" + article_variant(7), "utf-16-le")
    w.text(Entry("utf16le-nobom.txt", "UTF-16 LE without BOM", INDEXED), article_variant(8), "utf-16-le")
    w.text(Entry("utf16be-nobom.txt", "UTF-16 BE without BOM", INDEXED), article_variant(9), "utf-16-be")
    w.text(Entry("utf8-bom.txt", "UTF-8 with BOM", INDEXED), "\ufeff" + article_variant(10))
    w.bytes(
        Entry(
            "bom-lies.txt",
            "UTF-8 BOM followed by Latin-1 bytes",
            rejected(RejectReason.UNDECODABLE),
            "a BOM is a declaration; bytes that break it are refused, not guessed at",
        ),
        codecs.BOM_UTF8 + article_variant(11, SEED_FR).encode("latin-1"),
    )
    mislabelled = _variant_html(12, SEED_FR, charset="utf-8", lang="fr")
    w.text(
        Entry(
            "latin1-labelled-utf8.html",
            "Latin-1 bytes, <meta charset=utf-8>",
            INDEXED,
            "the declared charset fails, detection finds Latin-1",
            must_contain=(_accented_word(mislabelled.split("<p>", 1)[1]),),
        ),
        mislabelled,
        "latin-1",
    )
    fr = article_variant(13, SEED_FR).split("\n\n")
    utf8_part, cp1252_part = "\n\n".join(fr[:2]) + "\n\n", "\n\n".join(fr[2:])
    w.bytes(
        Entry(
            "mixed-encodings.txt",
            "UTF-8 first half, cp1252 second half",
            INDEXED,
            "each part decoded as what it is (UTF-8 with stray cp1252 bytes)",
            must_contain=(_accented_word(utf8_part), _accented_word(cp1252_part)),
        ),
        utf8_part.encode("utf-8") + cp1252_part.encode("cp1252"),
    )

    # Size.
    if big:
        w.bytes(
            Entry(
                "huge.txt", "50 MB text", rejected(RejectReason.TOO_LARGE), "over max_file_bytes (20 MB)", retried=True
            ),
            _big_text(),
        )
        w.bytes(
            Entry(
                "huge.html", "50 MB HTML page", rejected(RejectReason.TOO_LARGE), "over max_file_bytes", retried=True
            ),
            big_html(),
        )

    # HTML that is no article.
    nested = "<div>" * 100_000 + "<p>" + article_variant(14).replace("\n", " ") + "</p>" + "</div>" * 100_000
    w.text(
        Entry(
            "nested.html",
            "100k nested divs around an article",
            EITHER,
            "HTML parsers cap nesting depth (libxml2: 256 without HUGE); whether the text below the cap "
            "survives is the parser's choice: extracting it or rejecting the page are both correct, "
            "crashing or hanging is not",
        ),
        "<!DOCTYPE html><html><head><title>Nested</title></head><body>" + nested + "</body></html>",
    )
    w.text(
        Entry("script-only.html", "script-only page (client-side rendered)", rejected(RejectReason.NO_ARTICLE)),
        "<!DOCTYPE html><html><head><title>Loading</title><script>var a = 1;</script></head><body>"
        "<div id='root'></div><script src='/app.js'></script><script>render(document.getElementById('root'),"
        " window.__STATE__);</script><noscript>Enable JavaScript.</noscript></body></html>",
    )
    w.text(
        Entry("cookie-wall.html", "cookie wall instead of the article", rejected(RejectReason.NO_ARTICLE)),
        "<!DOCTYPE html><html><head><title>Before you continue</title></head><body><div class='consent'>"
        "<h2>We value your privacy</h2><p>We use cookies and similar technologies to personalise content and "
        "ads, to provide social media features and to analyse our traffic.</p><p>By clicking Accept all you "
        "consent to our cookie policy.</p><button>Accept all</button> <button>Reject all</button> "
        "<a href='/cookie-settings'>Cookie settings</a> <a href='/privacy'>Privacy policy</a></div>"
        "</body></html>",
    )
    w.text(
        Entry("404.html", "404 error page", rejected(RejectReason.NO_ARTICLE)),
        "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Page not found</h1>"
        "<p>Sorry, the page you are looking for does not exist or has been moved. It may have been removed, "
        "had its name changed, or is temporarily unavailable. Please check the address you typed, go back to "
        "the previous page or visit our home page to find the latest news from Libya and the region.</p>"
        "<a href='/'>Home</a></body></html>",
    )
    links = "\n".join(
        f"<li><a href='/libya/story-{i}'>{t}</a></li>"
        for i, t in enumerate(s.rstrip(".") for s in _sentences(SEED_EN.read_text(encoding="utf-8"))[:25])
    )
    w.text(
        Entry("section-front.html", "section front: a list of headlines", rejected(RejectReason.NOT_AN_ARTICLE)),
        f"<!DOCTYPE html><html><head><title>Libya news</title></head><body><main><h1>Libya</h1><ul>{links}"
        "</ul></main></body></html>",
    )
    w.text(
        Entry("feed.xml", "RSS feed", rejected(RejectReason.UNSUPPORTED_TYPE)),
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Libya</title>'
        + "".join(
            f"<item><title>Story {i}</title><link>https://example.org/{i}</link>"
            f"<description>{article_variant(20 + i)}</description></item>"
            for i in range(3)
        )
        + "</channel></rss>\n",
    )
    w.text(
        Entry("atom.xml", "Atom feed", rejected(RejectReason.UNSUPPORTED_TYPE)),
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Libya</title><entry><title>One</title>'
        f"<content>{article_variant(24)}</content></entry></feed>\n",
    )
    w.text(
        Entry("too-short.txt", "a two-line note", rejected(RejectReason.TOO_SHORT)),
        "Meeting moved\n\nThe Tripoli briefing moves to Thursday at ten.\n",
    )

    # Files that cannot be read.
    w.make(
        Entry("loop-a.txt", "symlink loop (a -> b -> a)", rejected(RejectReason.UNREADABLE), retried=True),
        lambda p: p.symlink_to("loop-b.txt"),
    )
    w.make(
        Entry("loop-b.txt", "symlink loop (b -> a -> b)", rejected(RejectReason.UNREADABLE), retried=True),
        lambda p: p.symlink_to("loop-a.txt"),
    )
    w.make(
        Entry("dangling.txt", "dangling symlink", rejected(RejectReason.UNREADABLE), retried=True),
        lambda p: p.symlink_to("gone/nowhere.txt"),
    )
    w.make(
        Entry(
            "named-pipe.txt",
            "FIFO (a reader would block forever)",
            rejected(RejectReason.UNREADABLE),
            "unreadable even as root: not a regular file, and opening it must not block the run",
            retried=True,
        ),
        lambda p: os.mkfifo(p),
    )
    w.make(
        Entry(
            "socket.txt",
            "UNIX socket file",
            rejected(RejectReason.UNREADABLE),
            "open() fails with ENXIO even as root",
            retried=True,
        ),
        _socket_file,
    )

    def _link_to_private(p: Path) -> None:
        private = p.parent.parent / f"{p.parent.name}-private.txt"
        private.write_text(article_variant(27), encoding="utf-8")
        p.symlink_to(private)

    if Path("/proc/self/mem").exists():
        w.make(
            Entry(
                "proc-mem.txt",
                "symlink to /proc/self/mem, outside the inbox",
                rejected(RejectReason.OUTSIDE_INBOX),
                "refused before any read (issue 11 #11)",
                retried=True,
            ),
            lambda p: p.symlink_to("/proc/self/mem"),
        )
    w.make(
        Entry(
            "private-link.txt",
            "symlink to a readable article outside the inbox",
            rejected(RejectReason.OUTSIDE_INBOX),
            "a link must not make a private file searchable",
            retried=True,
        ),
        _link_to_private,
    )

    def chmod_000(p: Path) -> None:
        p.write_text(article_variant(15), encoding="utf-8")
        p.chmod(0)

    w.make(
        Entry(
            "mode-000.txt",
            "chmod 000 article",
            INDEXED if root else rejected(RejectReason.UNREADABLE),
            "root (CI) reads it anyway, so the honest expectation depends on the user; the FIFO, socket "
            "and /proc entries are the ones unreadable for root too",
            retried=not root,
        ),
        chmod_000,
    )

    # Files changing under the reader (the test installs ``hooked_read_file``).
    w.text(
        Entry(
            "edited-after-scan.txt",
            "edited between the inbox scan and the read",
            INDEXED,
            "the version read is indexed; its hash goes to the ledger",
            must_contain=(EDIT_MARKER,),
            hook=HOOK_EDIT_BEFORE_READ,
        ),
        article_variant(16),
    )
    w.text(
        Entry(
            "growing.txt",
            "grows past max_file_bytes while being read",
            rejected(RejectReason.TOO_LARGE),
            "size checked, then more bytes arrive than the limit",
            hook=HOOK_GROW_WHILE_READ,
            retried=True,
        ),
        article_variant(17),
    )

    # Odd names.
    w.text(
        Entry("odd names/café — Tripoli ✓ (final) [v2].txt", "spaces, unicode, brackets in the name", INDEXED),
        article_variant(18),
    )
    w.text(Entry("odd names/line\nbreak.txt", "newline in the name", INDEXED), article_variant(19))
    w.text(
        Entry(
            os.fsdecode(b"odd names/latin1-\xe9t\xe9.txt"),
            "non-UTF-8 bytes in the name",
            INDEXED,
            "the name is not text in any encoding the index takes; the file is still an article",
        ),
        article_variant(25),
    )
    w.text(Entry("odd names/-rf --version.txt", "name that looks like command options", INDEXED), article_variant(26))

    manifest = {"entries": [asdict(e) for e in w.entries], "skipped": w.skipped}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=True, indent=1), encoding="utf-8")
    return w.entries


# --------------------------------------------------------------------------- files that change while read


def hooked_read_file(
    entries: list[Entry], folder: Path, original: Callable[..., RawArticle]
) -> Callable[..., RawArticle]:
    """Wrap ``etl.extract.read_file`` so hooked entries change on disk at the worst moment, once each."""
    hooks = {str(e.path(folder)): e.hook for e in entries if e.hook}
    fired: set[str] = set()

    def read_file(path: Path, max_bytes: int, source_name: str | None = None, **options: Any) -> RawArticle:
        key = str(path)
        hook = hooks.get(key)
        if hook is None or key in fired:
            return original(path, max_bytes, source_name, **options)
        fired.add(key)
        if hook == HOOK_EDIT_BEFORE_READ:  # after the plan hashed it, before the batch reads it
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(f"\n{EDIT_MARKER}\n")
            return original(path, max_bytes, source_name, **options)
        growing = _GrowingPath(path)
        growing.grow_to = max_bytes + 1
        return original(growing, max_bytes, source_name, **options)

    return read_file


class _GrowingPath(type(Path())):  # type: ignore[misc]
    """A path whose file grows past any limit between the size check and the read (a download still running)."""

    grow_to = 0

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        missing = self.grow_to - os.stat(self).st_size
        with open(str(self), "ab") as handle:
            handle.write(b"." * max(missing, 0))
        return super().open(*args, **kwargs)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "badinput-corpus")
    made = build_corpus(target, big="--small" not in sys.argv)
    for made_entry in made:
        print(f"{made_entry.expected:28} {made_entry.kind:60} {made_entry.name!r}")
    print(f"{len(made)} files in {target} (manifest: {target / MANIFEST})")
