"""Saved HTML page -> the article's blocks and the page's metadata.

Why this split of work: trafilatura finds the main text better than anything we would write (measured in
``bench/extraction_eval.py``), and its metadata (title, author, site name, date via htmldate) is good; the page's own
declarations (canonical link, ``lang``, ``og:site_name``, ``article:published_time``, ``<figcaption>``) are read
directly because they are exact. The blocks go back to ``etl.clean`` for the shared line filter.
The work per page is bounded: scripts and styles are cut before parsing and oversized markup is rejected.

Speed (measured in ``bench/extraction_eval.py``, which prints the stages): the page is parsed once and the lxml tree
is handed to trafilatura, without its metadata step (its author search alone cost about as much as the extraction).
Metadata comes from one pass over the ``<meta>`` tags (with trafilatura's cheap ``examine_meta`` and title rules),
htmldate (markup only, no text search) when the tags declare no date, and an author lookup in plain XPath when they
name no author. Before extraction the tree loses what trafilatura's cleaning deletes anyway (``<head>``, navigation,
footers, embeds...), so its regex XPath passes over the raw tree, the slowest part of its work, walk a smaller tree.
Its fallback comparison with readability/jusText runs only when the fast extraction comes back short
(``FALLBACK_BELOW_CHARS``).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from htmldate import find_date
from lxml import etree  # type: ignore[import-untyped]  # no stubs installed (pyproject lists no override)
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import examine_meta, extract_title
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
# trafilatura's comparison of its own result with readability/jusText costs about as much as the extraction itself,
# and it only changes the result when trafilatura's own text is short or missing. So the extraction runs in fast mode,
# and runs again with the comparison when fast mode found fewer than FALLBACK_BELOW_CHARS characters. Measured (F1
# Scrapinghub / trafilatura-dev, reruns of 668 pages): never 0.943 / 0.921 (trafilatura alone: 0.943 / 0.924);
# below 500: 0.965 / 0.927, 43; below 1000: 0.962 / 0.929, 93; below 2000: 0.962 / 0.929, 205; always: 0.962 / 0.931.
FAST = True
FALLBACK_BELOW_CHARS = 500
# Elements trafilatura's tree cleaning deletes whatever their content (its MANUALLY_CLEANED list), removed before
# extraction. Kept out, because trafilatura looks inside them first: <figure> (a table in a figure is content),
# <form> (kept when it wraps most of the page's text) and <math> (its formulas are salvaged).
PRUNE_TAGS = (
    "head", "nav", "footer", "aside", "menu", "iframe", "embed", "object", "applet", "audio", "video", "canvas",
    "picture", "map", "area", "noscript", "noindex", "link", "button", "input", "select", "option", "optgroup",
    "textarea", "label", "fieldset", "legend", "datalist", "dialog", "frame", "frameset", "fencedframe", "blink",
    "marquee", "menuitem", "output", "param", "progress", "rp", "rt", "rtc", "source", "track", "time", "use",
    "script", "style", "svg",
)  # fmt: skip
# Inline tags trafilatura's cleaning unwraps (its MANUALLY_STRIPPED list): unwrapped first, the text stays.
STRIP_TAGS = (
    "abbr", "acronym", "address", "bdi", "bdo", "big", "cite", "data", "dfn", "font", "hgroup", "img", "ins", "mark",
    "meta", "nobr", "ruby", "small", "tbody", "template", "tfoot", "thead", "wbr",
)  # fmt: skip
# htmldate's extensive search (text patterns, then dateparser over all its locales) when the markup declares no
# date: off. Measured on the 668 evaluation pages: 314 lack a date in their meta tags, htmldate's markup search dates
# 237 of them, the extensive one 76 more, many of those a bare year ("2016-01-01") of non-news pages; it costs 1.6 ms
# more on such a page once warm, but dateparser compiles its locales' regexes on first use (seconds per process), which
# raised our mean from 13 to 19 ms a page in one pass over the sets. The clean stage still reads datelines in the text.
EXTENSIVE_DATE_SEARCH = False
_AUTHOR_XPATH = etree.XPath(
    "//*[self::a or self::address or self::div or self::p or self::span or self::strong or self::h3 or self::h4]["
    "@rel='author' or @id='author' or @class='byline' or @class='byl' or contains(@itemprop, 'author')"
    " or contains(@class, 'author') or contains(@class, 'Author') or contains(@class, 'byline')"
    " or contains(@id, 'author') or contains(@class, 'journalist')]|//author"
)  # plain XPath (no EXSLT regex, which calls back into Python for every element)
_MAX_BYLINE_CHARS = 120
_DATE_KEYS = (
    "article:published_time", "datepublished", "date", "dc.date", "dc.date.issued", "dcterms.created",
    "pubdate", "publishdate", "og:published_time", "sailthru.date", "parsely-pub-date",
)  # fmt: skip
_MAX_CAPTIONS = 50
Tree = Any  # an lxml element; lxml ships no type stubs, so mypy sees Any either way
_MAX_ANCHORS = 5000
_MIN_ANCHOR_CHARS = 5  # shorter link text cannot be 3 words ("a b c"), nor 6 CJK characters
_CUT_TAGS = ("script", "style", "svg", "noscript", "template")
_CUT_RE = re.compile(rf"<({'|'.join(_CUT_TAGS)})\b", re.IGNORECASE)
_CLOSE_RE = {tag: re.compile(f"</{tag}", re.IGNORECASE) for tag in _CUT_TAGS}
_ERROR_TITLE_RE = re.compile(
    r"\b(?:404|page not found|not found|page introuvable|page non trouvée|página no encontrada|no encontrada"
    r"|seite nicht gefunden|nicht gefunden|الصفحة غير موجودة|error 404|access denied)\b",
    re.IGNORECASE,
)
_CREDIT_CLASS_RE = re.compile(r"credit|copyright|source|photographer|author|byline", re.IGNORECASE)
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
    # Milliseconds per stage (parse, metadata, prune, extract), and whether the extraction ran again with
    # trafilatura's fallback comparison: for the benchmark's breakdown.
    stage_ms: dict[str, float] = field(default_factory=dict)
    fallback: bool = False

    def lap(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.stage_ms[name] = self.stage_ms.get(name, 0.0) + (now - since) * 1000
        return now


def _norm(text: str | None) -> str:
    return " ".join(text.split()) if text else ""  # str.split() splits on the same whitespace as \s+


def cut_scripts(html: str) -> str:
    """Drop script/style/svg blocks with a linear scan (never a backtracking regex over megabytes).

    The closing tag is found case-insensitively in the original string (not in ``html.lower()``, whose offsets can
    differ from the original's when lower-casing changes a character's length, as Turkish "İ" does).
    """
    out: list[str] = []
    pos = 0
    while True:
        m = _CUT_RE.search(html, pos)
        if not m:
            out.append(html[pos:])
            break
        out.append(html[pos : m.start()])
        end = _CLOSE_RE[m.group(1).lower()].search(html, m.end())
        if end is None:
            break  # unclosed: the rest is script
        close = html.find(">", end.end())
        pos = len(html) if close < 0 else close + 1
    return "".join(out)


def _meta_tags(tree: Tree) -> dict[str, str]:
    """One pass over the <meta> tags: lower-cased property / name / itemprop -> the first non-empty content."""
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = el.get(attr)
            if key:
                key = key.strip().lower()
                if key not in out and (value := _norm(content)):
                    out[key] = value
    return out


def _meta(tags: dict[str, str], *keys: str) -> str | None:
    return next((tags[key] for key in keys if key in tags), None)


def _iso(value: str | None) -> str | None:
    """Keep a declared timestamp if it is ISO 8601 (what the index maps), else None."""
    if not value:
        return None
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


def _language(tree: Tree, tags: dict[str, str]) -> str | None:
    lang = tree.get("lang") or tree.get("xml:lang") or _meta(tags, "og:locale", "language", "content-language")
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


def _prune(tree: Tree) -> None:
    """Delete what trafilatura's cleaning would delete anyway (PRUNE_TAGS), keeping tails; lxml does it in C."""
    etree.strip_elements(tree, *PRUNE_TAGS, with_tail=False)
    etree.strip_tags(tree, *STRIP_TAGS)
    for figure in list(tree.iter("figure")):
        if figure.find(".//table") is None and figure.getparent() is not None:
            figure.drop_tree()


def _anchors(tree: Tree) -> set[str]:
    """Link texts of three words or more (a section front's story lines are mostly these)."""
    out: set[str] = set()
    for a in tree.iter("a"):
        raw = a.text_content()
        if len(raw) < _MIN_ANCHOR_CHARS:
            continue
        text = _norm(raw)
        if words(text) >= 3:
            out.add(text)
            if len(out) >= _MAX_ANCHORS:
                break
    return out


def _byline(tree: Tree) -> str | None:
    """The author named by the page's markup (rel/itemprop/class "author", "byline"): the innermost such element.

    A cheaper stand-in for trafilatura's ``extract_author`` (its regex XPaths cost ~5 ms a page): on the evaluation
    pages without an author meta tag it agrees on 237 of 299, and finds a name on as many pages.
    """
    found = _AUTHOR_XPATH(tree)
    marked = set(found) if len(found) > 1 else set()
    for el in found:
        if marked and any(d in marked for d in el.iterdescendants()):
            continue  # a container of a more precise author element
        text = _norm(" ".join(el.itertext()))
        if 2 < len(text) < _MAX_BYLINE_CHARS:
            return normalize_authors(None, text) or None
    return None


def _hostname(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def read_page(html: str) -> Page:
    """Parse once, read the page's declarations, let trafilatura find the main text; reject pages with none."""
    stage = time.perf_counter()
    page = Page()
    markup = cut_scripts(html)
    if len(markup) > MAX_MARKUP_CHARS:
        raise RejectedInput(
            RejectReason.TOO_LARGE, f"HTML markup of {len(markup):,} chars exceeds the {MAX_MARKUP_CHARS:,} cap"
        )
    tree = load_html(markup) if markup.strip() else None
    if tree is None or not any(text.strip() for text in tree.itertext()):
        raise RejectedInput(RejectReason.NO_ARTICLE, "no readable text in the HTML (empty or script-only page)")
    stage = page.lap("parse", stage)

    tags = _meta_tags(tree)
    page.language = _language(tree, tags)
    canonical = next((el.get("href") for el in tree.iter("link") if el.get("rel") == "canonical"), None)
    page.url = _norm(canonical) or _meta(tags, "og:url") or None
    head_title = _norm(tree.findtext(".//title"))
    h1 = next(tree.iter("h1"), None)
    if _ERROR_TITLE_RE.search(head_title) or (h1 is not None and _ERROR_TITLE_RE.search(_norm(h1.text_content())[:80])):
        raise RejectedInput(RejectReason.NO_ARTICLE, f"error page: {head_title[:80]!r}")
    declared = examine_meta(tree)  # trafilatura's reading of the tags: title, author, site name
    page.title = _norm(declared.title) or _norm(extract_title(tree)) or _meta(tags, "og:title") or head_title or None
    page.byline = _norm(declared.author) if declared.author and " " in declared.author.strip() else None
    page.source = _meta(tags, "og:site_name", "application-name") or _norm(declared.sitename) or None
    page.published_at = _iso(_meta(tags, *_DATE_KEYS))
    if page.published_at is None:
        page.published_at = find_date(tree, extensive_search=EXTENSIVE_DATE_SEARCH, original_date=True, url=page.url)
    page.source = page.source or _hostname(page.url)
    _figures(tree, page)
    stage = page.lap("metadata", stage)

    _prune(tree)
    stage = page.lap("prune", stage)
    # After the prune: no sidebar or footer author boxes to mistake for the byline, and fewer links to read (the
    # anchors only serve to recognise story lines that are link titles, and no story line comes from a pruned part).
    if page.byline is None:
        page.byline = _byline(tree)
    page.anchors = _anchors(tree)
    stage = page.lap("metadata", stage)
    blocks = _extract(tree, page.url, fast=FAST)
    if FAST and (blocks is None or sum(len(text) for _, text in blocks) < FALLBACK_BELOW_CHARS):
        blocks = _extract(tree, page.url, fast=False) or blocks  # bare_extraction works on a copy of the tree
        page.fallback = True
    if blocks is None:
        raise RejectedInput(RejectReason.NO_ARTICLE, "no main text found in the HTML")
    page.blocks = blocks
    page.lap("extract", stage)
    return page


def _extract(tree: Tree, url: str | None, fast: bool) -> list[tuple[str, str]] | None:
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=INCLUDE_COMMENTS,
        favor_precision=FAVOR_PRECISION,
        fast=fast,
        output_format="xml",  # bare_extraction then skips rendering text we do not read (we walk the body)
    )
    if doc is None or not isinstance(doc, trafilatura.settings.Document) or doc.body is None:
        return None
    return _blocks(doc.body)
