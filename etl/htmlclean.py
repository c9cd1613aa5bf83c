"""Saved HTML page -> the article's blocks and the page's metadata.

Why this split of work: trafilatura finds the main text better than anything we would write (measured in
``bench/extraction_eval.py``), and its metadata (title, author, site name, date via htmldate) is good; the page's own
declarations (canonical link, ``lang``, ``og:site_name``, ``article:published_time``, ``<figcaption>``) are read
directly because they are exact. The blocks go back to ``etl.clean`` for the shared line filter.
The work per page is bounded: scripts and styles are cut before parsing and oversized markup is rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import trafilatura
from trafilatura.utils import load_html

from etl.boilerplate import credit_of, split_trailing_credit, words
from etl.errors import RejectedInput, RejectReason

# Markup left after cutting scripts/styles beyond this is not a news article (a 50 MB page is rejected in
# milliseconds, never parsed).
MAX_MARKUP_CHARS = 3_000_000
# Chosen by measurement (bench/extraction_eval.py): comments off and precision mode score best on both sets once
# our line filter runs after them (balanced mode: higher recall on trafilatura-dev, lower F1 on Scrapinghub).
INCLUDE_COMMENTS = False
FAVOR_PRECISION = True
_MAX_CAPTIONS = 50
Tree = Any  # an lxml element; lxml ships no type stubs, so mypy sees Any either way
_MAX_ANCHORS = 5000
_CUT_RE = re.compile(r"<(script|style|svg|noscript|template)\b", re.IGNORECASE)
_ERROR_TITLE_RE = re.compile(
    r"\b(?:404|page not found|not found|page introuvable|page non trouvée|página no encontrada|no encontrada"
    r"|seite nicht gefunden|nicht gefunden|الصفحة غير موجودة|error 404|access denied)\b",
    re.IGNORECASE,
)
_CREDIT_CLASS_RE = re.compile(r"credit|copyright|source|photographer|author|byline", re.IGNORECASE)
_WS_RE = re.compile(r"\s+")
_LEAF_TAGS = ("p", "head", "item", "code")


@dataclass
class Page:
    """What the HTML yields before the shared line filter: ordered blocks ("h" heading, "p" text) and metadata."""

    title: str | None = None
    blocks: list[tuple[str, str]] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    byline: str | None = None
    published_at: str | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None
    anchors: set[str] = field(default_factory=set)


def _norm(text: str | None) -> str:
    return _WS_RE.sub(" ", text or "").strip()


def cut_scripts(html: str) -> str:
    """Drop script/style/svg blocks with a linear scan (never a backtracking regex over megabytes)."""
    out: list[str] = []
    pos = 0
    lower = None
    while True:
        m = _CUT_RE.search(html, pos)
        if not m:
            out.append(html[pos:])
            break
        out.append(html[pos : m.start()])
        if lower is None:
            lower = html.lower()
        end = lower.find(f"</{m.group(1).lower()}", m.end())
        if end < 0:
            break  # unclosed: the rest is script
        close = html.find(">", end)
        pos = len(html) if close < 0 else close + 1
    return "".join(out)


def _meta(tree: Tree, *keys: str) -> str | None:
    for key in keys:
        for attr in ("property", "name", "itemprop"):
            values = tree.xpath(f'//meta[@{attr}="{key}"]/@content')
            if values and _norm(str(values[0])):
                return _norm(str(values[0]))
    return None


def _iso(value: str | None) -> str | None:
    """Keep a declared timestamp if it is ISO 8601 (what the index maps), else None."""
    if not value:
        return None
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


def _language(tree: Tree) -> str | None:
    lang = tree.get("lang") or tree.get("xml:lang") or _meta(tree, "og:locale", "language", "content-language")
    if not lang:
        return None
    primary = re.split(r"[-_]", lang.strip())[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _figures(tree: Tree, page: Page) -> None:
    """Captions and credits from <figcaption>: credit-classed children, or a credit ending the caption."""
    for figcaption in tree.iter("figcaption"):
        if len(page.captions) >= _MAX_CAPTIONS:
            break
        credited = [el for el in figcaption.iterdescendants() if _CREDIT_CLASS_RE.search(str(el.get("class", "")))]
        credit_parts = [_norm(el.text_content()) for el in credited]
        for el in credited:
            if el.getparent() is not None:
                el.drop_tree()
        text = _norm(figcaption.text_content())
        split = split_trailing_credit(text)
        if split:
            text, credit = split
            credit_parts.append(credit)
        elif credit_of(text):
            credit_parts.append(text)
            text = ""
        if text and text not in page.captions:
            page.captions.append(text)
        for credit in filter(None, credit_parts):
            if credit not in page.credits:
                page.credits.append(credit)


def _blocks(body: Tree) -> list[tuple[str, str]]:
    """trafilatura's body as ("h" | "p", text) in document order; <lb/> splits a block into lines."""
    out: list[tuple[str, str]] = []
    _walk(body, out)
    return out


def _walk(parent: Tree, out: list[tuple[str, str]]) -> None:
    for el in parent:
        if not isinstance(el.tag, str):
            continue
        if el.tag == "row":
            text = " | ".join(filter(None, (_norm("".join(cell.itertext())) for cell in el)))
        elif el.tag in _LEAF_TAGS or (el.tag == "quote" and next(el.iter(*_LEAF_TAGS), None) is None):
            for lb in el.iter("lb"):
                lb.tail = "\n" + (lb.tail or "")
            text = "".join(el.itertext())
        else:
            _walk(el, out)
            continue
        kind = "h" if el.tag == "head" else "p"
        out.extend((kind, line) for line in map(_norm, text.split("\n")) if line)


def read_page(html: str) -> Page:
    """Parse once, read the page's declarations, let trafilatura find the main text; reject pages with none."""
    markup = cut_scripts(html)
    if len(markup) > MAX_MARKUP_CHARS:
        raise RejectedInput(
            RejectReason.TOO_LARGE, f"HTML markup of {len(markup):,} chars exceeds the {MAX_MARKUP_CHARS:,} cap"
        )
    tree = load_html(markup) if markup.strip() else None
    if tree is None or not _norm(tree.text_content()):
        raise RejectedInput(RejectReason.NO_ARTICLE, "no readable text in the HTML (empty or script-only page)")

    page = Page(language=_language(tree))
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    page.url = _norm(str(canonical[0])) if canonical else _meta(tree, "og:url")
    page.source = _meta(tree, "og:site_name", "application-name")
    page.published_at = _iso(_meta(tree, "article:published_time", "datePublished", "date", "dc.date"))
    head_title = _norm(tree.findtext(".//title"))
    h1 = tree.xpath("//h1")
    if _ERROR_TITLE_RE.search(head_title) or (h1 and _ERROR_TITLE_RE.search(_norm(h1[0].text_content())[:80])):
        raise RejectedInput(RejectReason.NO_ARTICLE, f"error page: {head_title[:80]!r}")
    _figures(tree, page)
    for a in tree.iter("a"):
        text = _norm(a.text_content())
        if words(text) >= 3:
            page.anchors.add(text)
            if len(page.anchors) >= _MAX_ANCHORS:
                break

    doc = trafilatura.bare_extraction(
        tree, url=page.url, with_metadata=True, include_comments=INCLUDE_COMMENTS, favor_precision=FAVOR_PRECISION
    )
    if doc is None or not isinstance(doc, trafilatura.settings.Document) or doc.body is None:
        raise RejectedInput(RejectReason.NO_ARTICLE, "no main text found in the HTML")
    page.title = _norm(doc.title) or _meta(tree, "og:title") or head_title or None
    page.byline = _norm(doc.author) or None
    page.source = page.source or _norm(doc.sitename) or _norm(doc.hostname) or None
    page.published_at = page.published_at or _norm(doc.date) or None
    page.url = page.url or _norm(doc.url) or None
    page.blocks = _blocks(doc.body)
    return page
