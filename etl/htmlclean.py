"""Saved HTML page -> the main content's blocks and the page's metadata.

Why this split of work: the page is parsed once; its declarations (``etl.metadata``) are read first, then the tree
is cut into text blocks (``etl.blocks``) and a learned model picks the blocks of the main content
(``etl.maintext``). The blocks go back to ``etl.clean`` for the line filter shared with plain text, so HTML and
pasted text lose the same promos and keep the same captions, credits, bylines and datelines.

The work per page is bounded: scripts and styles are cut before parsing (with a linear scan), oversized markup is
rejected before it is parsed, and the text analysed is capped (``MAX_TEXT_CHARS``, as for plain text; a page cut
there says so in ``Page.truncated``). Timings per stage are kept for ``bench/extraction_eval.py``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from trafilatura.utils import load_html

from etl.blocks import CLASS_GROUPS, HEADING_TAGS, Segmented, block_tag, may_hold_hover_cards, segment
from etl.errors import RejectedInput, RejectReason
from etl.maintext import PageSignals, main_blocks
from etl.metadata import fallback_date, norm, read_metadata

# Markup left after cutting scripts/styles beyond this is not a news article (a 50 MB page is rejected in
# milliseconds, never parsed).
MAX_MARKUP_CHARS = 3_000_000
# The text read from one page, as for plain text (etl.clean.MAX_TEXT_CHARS): beyond it the page is cut, and says so.
MAX_TEXT_CHARS = 400_000
# A page with no main text in its markup is indexed from its description when that has at least this many words
# (a summary, not a slogan such as "Smarter Shopping, Better Living!"), kept to this many characters.
DESCRIPTION_MIN_WORDS = 20
MAX_DESCRIPTION_CHARS = 5_000
MAX_LD_JSON = 20  # JSON-LD scripts kept per page
_CUT_TAGS = ("script", "style", "svg", "template")  # <noscript> stays: some sites serve their text only there
_CUT_RE = re.compile(rf"<({'|'.join(_CUT_TAGS)})\b", re.IGNORECASE)
_CLOSE_RE = {tag: re.compile(f"</{tag}", re.IGNORECASE) for tag in _CUT_TAGS}
_ERROR_TITLE_RE = re.compile(
    r"\b(?:404|page not found|not found|page introuvable|page non trouvée|página no encontrada|no encontrada"
    r"|seite nicht gefunden|nicht gefunden|الصفحة غير موجودة|error 404|access denied)\b",
    re.IGNORECASE,
)
_META_BIT = 1 << [name for name, _ in CLASS_GROUPS].index("meta")
_MAX_META_BLOCKS = 30
_LINK_LINE_SHARE = 0.9  # a block whose text is at least this much link text is a link title
_LINK_LINE_MIN_WORDS = 3
_TEASER_END = re.compile(r"(?:\.\.\.|…)[\s\]\)»”\"']*$")
TEASER_MAX_WORDS = 80
"""A teaser is a headline and a story's first lines, cut: a longer block ending in "..." is someone's text."""
TEASER_LINK_SHARE = 0.15
"""Its headline is a link: this much of the block, at least, is link text ("See at amazon.com" inside a review's
paragraph is less)."""


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
    anchors: set[str] = field(default_factory=set)  # kept blocks that are link titles (a section front's lines)
    teasers: set[str] = field(default_factory=set)  # kept blocks shaped as another story's teaser (``_is_teaser``)
    truncated: bool = False  # the page's text went past MAX_TEXT_CHARS and was cut there
    description: str = ""  # the page's own summary (og:description, description, twitter:description)
    from_description: bool = False  # no main text in the markup: the description is the body
    # CPU milliseconds per stage (parse, metadata, segment, model): for the benchmark's breakdown.
    stage_ms: dict[str, float] = field(default_factory=dict)

    def lap(self, name: str, since: float) -> float:
        """Add the CPU time since ``since`` (``time.process_time``) to stage ``name``; return the time now."""
        now = time.process_time()
        self.stage_ms[name] = self.stage_ms.get(name, 0.0) + (now - since) * 1000
        return now


def cut_scripts(html: str, ld_json: list[str] | None = None) -> str:
    """Drop script/style/svg/template blocks with a linear scan (never a backtracking regex over megabytes).

    The closing tag is found case-insensitively in the original string (not in ``html.lower()``, whose offsets can
    differ from the original's when lower-casing changes a character's length, as Turkish "İ" does). The bodies of
    JSON-LD scripts (``type="application/ld+json"``) go to ``ld_json`` when given (at most ``MAX_LD_JSON``).
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
        if ld_json is not None and len(ld_json) < MAX_LD_JSON:
            opening_end = html.find(">", m.end(), end.start())
            if opening_end > 0 and "ld+json" in html[m.end() : opening_end].lower():
                ld_json.append(html[opening_end + 1 : end.start()])
        close = html.find(">", end.end())
        pos = len(html) if close < 0 else close + 1
    return "".join(out)


@dataclass
class Prepared:
    """A page read up to the model: its metadata so far, its segmented text, its declared kind."""

    page: Page
    seg: Segmented
    signals: PageSignals


def read_page(html: str) -> Page:
    """Parse once, read the page's declarations, keep the blocks of its main content; reject pages with none."""
    prepared = prepare(html)
    page, seg = prepared.page, prepared.seg
    stage = time.process_time()
    keep = main_blocks(seg, prepared.signals)
    page.blocks, page.anchors, page.teasers = _page_blocks(seg, keep)
    page.lap("model", stage)
    if not page.blocks:
        # A page saved without its text (a forum or app that renders it by script) still says what it is about:
        # index that, marked, rather than lose the page; a description too short to be a summary is no article.
        if len(page.description.split()) < DESCRIPTION_MIN_WORDS:
            raise RejectedInput(RejectReason.NO_ARTICLE, "no main text found in the HTML, and no description")
        page.blocks, page.from_description = [("p", page.description)], True
    return page


def prepare(html: str) -> Prepared:
    """Everything before the model (also what ``bench/train_maintext.py`` trains on): parse, metadata, blocks."""
    stage = time.process_time()
    page = Page()
    ld_json: list[str] = []
    markup = cut_scripts(html, ld_json)
    if len(markup) > MAX_MARKUP_CHARS:
        raise RejectedInput(
            RejectReason.TOO_LARGE, f"HTML markup of {len(markup):,} chars exceeds the {MAX_MARKUP_CHARS:,} cap"
        )
    tree = load_html(markup) if markup.strip() else None
    if tree is not None:
        _merge_extra_roots(tree)
    if tree is None or not any(text.strip() for text in tree.itertext()):
        raise RejectedInput(RejectReason.NO_ARTICLE, "no readable text in the HTML (empty or script-only page)")
    stage = page.lap("parse", stage)

    head_title = norm(tree.findtext(".//title"))
    h1 = next(tree.iter("h1"), None)
    if _ERROR_TITLE_RE.search(head_title) or (h1 is not None and _ERROR_TITLE_RE.search(norm(h1.text_content())[:80])):
        raise RejectedInput(RejectReason.NO_ARTICLE, f"error page: {head_title[:80]!r}")
    meta = read_metadata(tree, ld_json)
    page.title, page.byline, page.published_at = meta.title, meta.byline, meta.published_at
    page.source, page.url, page.language = meta.source, meta.url, meta.language
    page.captions, page.credits = meta.captions, meta.credits
    page.description = next(
        (meta.tags[key] for key in ("og:description", "description", "twitter:description") if meta.tags.get(key)), ""
    )[:MAX_DESCRIPTION_CHARS]
    stage = page.lap("metadata", stage)

    seg = segment(tree, MAX_TEXT_CHARS, hover_cards=may_hold_hover_cards(markup))
    page.truncated = seg.truncated
    if page.published_at is None:
        page.published_at = fallback_date(page.url, meta.tags, _metadata_blocks(seg))
    page.lap("segment", stage)
    return Prepared(page, seg, PageSignals(meta.ld_types, meta.og_type))


def _merge_extra_roots(root: Any) -> None:
    """A page saved twice into one file, or a document written after ``</html>``, parses as a second ``<html>``
    beside the first; every stage walks the first only, so its head and body join the first's (in order)."""
    extra = [node for node in root.itersiblings() if isinstance(node.tag, str)]
    if not extra:
        return
    head, body = root.find("head"), root.find("body")
    for other in extra:
        for part in list(other):
            if part.tag == "head" and head is not None:
                head.extend(list(part))
            elif part.tag == "body" and body is not None:
                body.extend(list(part))
            else:
                (body if body is not None else root).append(part)  # the emptied second root stays, empty


def _page_blocks(seg: Segmented, keep: list[int]) -> tuple[list[tuple[str, str]], set[str], set[str]]:
    """The kept blocks as ("h" | "p", text), cells of one table row joined with " | "; the link-title lines; and
    the teaser-shaped blocks."""
    blocks: list[tuple[str, str]] = []
    anchors: set[str] = set()
    teasers: set[str] = set()
    last_row = -1
    for i in keep:
        text, element = seg.texts[i], seg.elements[i]
        tag = block_tag(seg, element)
        row = _row_of(seg, element) if tag in ("td", "th") else -1
        if row >= 0 and row == last_row and blocks:
            blocks[-1] = (blocks[-1][0], f"{blocks[-1][1]} | {text}")
        else:
            blocks.append(("h" if tag in HEADING_TAGS else "p", text))
        last_row = row
        if seg.link_chars[i] >= _LINK_LINE_SHARE * len(text) and len(text.split()) >= _LINK_LINE_MIN_WORDS:
            anchors.add(text)
        if row < 0 and _is_teaser(text, seg.link_chars[i]):
            teasers.add(text)
    return blocks, anchors, teasers


def _is_teaser(text: str, link_chars: int) -> bool:
    """Whether a block is shaped as a teaser of another story: a linked headline, then the story's first lines cut
    with an ellipsis ("Indian-origin man pleads guilty to fraud scheme in US NEW YORK: An Indian-origin man has
    pleaded guilty..."). One such block may be a quote trailing off; ``etl.clean`` removes them only in a run."""
    return (
        link_chars >= TEASER_LINK_SHARE * len(text)
        and _TEASER_END.search(text) is not None
        and len(text.split()) <= TEASER_MAX_WORDS
    )


def _metadata_blocks(seg: Segmented) -> Iterator[str]:
    """Texts of the first blocks the markup marks as metadata (a "date", "meta", "byline"... class)."""
    found = 0
    for text, element in zip(seg.texts, seg.elements, strict=True):
        if seg.near_bits[element] & _META_BIT:
            yield text
            found += 1
            if found >= _MAX_META_BLOCKS:
                return


def _row_of(seg: Segmented, element: int) -> int:
    """The <tr> element at or above ``element`` (-1 when none)."""
    while element >= 0 and seg.tags[element] != "tr":
        element = seg.parents[element]
    return element
