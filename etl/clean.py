"""The clean stage: a decoded document -> the article alone, its parts labelled, the boilerplate kept aside.

Public entry point: ``clean(doc)``. Plain text (articles copied from a site) is labelled line by line; HTML goes
through ``etl.htmlclean`` (trafilatura for the main text, the page's own metadata) and then through the same line
labelling, so both kinds lose the same promos and keep the same captions, credits, bylines and datelines.
Principle: never drop a line of the story. A line leaves the body only when a rule names it (``etl.boilerplate``),
and then it is kept in ``removed`` (or in captions / credits / byline / published_at) for inspection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from etl.boilerplate import (
    byline_of,
    credit_of,
    dateline_of,
    detect_source,
    is_boilerplate,
    looks_like_heading,
    split_trailing_credit,
    words,
)
from etl.errors import RejectedInput, RejectReason
from etl.htmlclean import read_page
from etl.records import CleanArticle, DecodedDocument, InputKind

MIN_STORY_WORDS = 40
# Plain text beyond this is cut (a paste of a whole site is not one article); keeps the work per document bounded.
MAX_TEXT_CHARS = 400_000
_CAPTION_MAX_WORDS = 20
_LINK_SHARE_NO_ARTICLE = 0.6
_FILE_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")

# Labels of a block once classified.
_STORY, _HEADING, _CAPTION, _CREDIT, _REMOVED, _META, _UNSURE = "p", "h", "cap", "cred", "rm", "meta", "?"


@dataclass
class _Labelled:
    """Blocks with their labels, plus what the labelling pulled out of them."""

    labels: list[str]
    texts: list[str]
    captions: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    byline: str | None = None
    published_at: str | None = None


def clean(doc: DecodedDocument) -> CleanArticle:
    """Clean one decoded document; raise ``RejectedInput`` (NO_ARTICLE, TOO_SHORT, TOO_LARGE) when no article."""
    try:
        if doc.kind is InputKind.HTML:
            return _clean_html(doc)
        return _clean_text(doc)
    except RejectedInput as err:
        err.source_file = err.source_file or doc.source_file
        raise


def _clean_text(doc: DecodedDocument) -> CleanArticle:
    text = doc.text[:MAX_TEXT_CHARS].lstrip("\ufeff")
    lines = [_norm_space(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise RejectedInput(RejectReason.NO_ARTICLE, "the text is blank")
    # Title = first line, unless the paste starts with chrome ("Skip to content", a cookie notice).
    lead_removed = []
    while len(lines) > 1 and (is_boilerplate(lines[0]) or credit_of(lines[0])):
        lead_removed.append(lines.pop(0))
    title, rest = lines[0], lines[1:]
    labelled = _label([(_UNSURE, line) for line in rest], captions=(), text_mode=True)
    removed = lead_removed + [t for lab, t in zip(labelled.labels, labelled.texts, strict=True) if lab == _REMOVED]
    story = [t for lab, t in zip(labelled.labels, labelled.texts, strict=True) if lab == _STORY]
    source = detect_source(removed + labelled.credits, story)
    published = labelled.published_at or _date_from_name(doc.source_file)
    return _article(doc, title, labelled, removed, source=source, published_at=published, url=None, language=None)


def _clean_html(doc: DecodedDocument) -> CleanArticle:
    page = read_page(doc.text)
    labelled = _label(page.blocks, captions=page.captions, text_mode=False)
    # Drop a first heading that repeats the title (the title has its own field).
    if page.title:
        for i, (lab, text) in enumerate(zip(labelled.labels, labelled.texts, strict=True)):
            if lab in (_STORY, _HEADING):
                if lab == _HEADING and _overlaps(text, page.title):
                    labelled.labels[i] = _META
                break
    story = [t for lab, t in zip(labelled.labels, labelled.texts, strict=True) if lab == _STORY]
    story_words = sum(words(t) for t in story)
    link_words = sum(words(t) for t in story if t in page.anchors)
    if story_words and link_words / story_words > _LINK_SHARE_NO_ARTICLE:
        raise RejectedInput(RejectReason.NO_ARTICLE, "section front: the main text is mostly link titles")
    removed = [t for lab, t in zip(labelled.labels, labelled.texts, strict=True) if lab == _REMOVED]
    labelled.captions = _unique(page.captions + labelled.captions)
    labelled.credits = _unique(page.credits + labelled.credits)
    title = page.title or next(
        (t for lab, t in zip(labelled.labels, labelled.texts, strict=True) if lab == _HEADING), ""
    )
    return _article(
        doc,
        title,
        labelled,
        removed,
        source=page.source or detect_source(removed, story),
        published_at=page.published_at or labelled.published_at,
        url=page.url,
        language=page.language,
        byline=page.byline,
    )


def _label(blocks: Sequence[tuple[str, str]], captions: Iterable[str], text_mode: bool) -> _Labelled:
    """Classify each block: story, heading, caption, credit, metadata (byline/date) or removed boilerplate."""
    out = _Labelled(labels=[kind for kind, _ in blocks], texts=[text for _, text in blocks])
    known = {_key(c) for c in captions}
    for i, text in enumerate(out.texts):
        if out.labels[i] == _HEADING:
            if is_boilerplate(text):
                out.labels[i] = _REMOVED
            continue
        split = split_trailing_credit(text)
        credit = credit_of(text)
        if is_boilerplate(text) and not credit:
            out.labels[i] = _REMOVED
        elif credit:
            out.labels[i] = _CREDIT
            out.credits.append(credit)
            prev = i - 1
            if text_mode and prev >= 0 and out.labels[prev] == _UNSURE and words(out.texts[prev]) <= _CAPTION_MAX_WORDS:
                out.labels[prev] = _CAPTION  # a short line right above a bare credit is its caption
                known.add(_key(out.texts[prev]))
        elif split and (text_mode or _key(split[0]) in known):
            out.labels[i] = _CAPTION
            known.add(_key(split[0]))
            out.credits.append(split[1])
            out.texts[i] = split[0]
        elif (name := byline_of(text)) is not None:
            out.labels[i] = _META
            out.byline = out.byline or name
        elif (date := dateline_of(text)) is not None:
            out.labels[i] = _META
            out.published_at = out.published_at or date
    for i, text in enumerate(out.texts):  # duplicated caption lines collapse into the one caption
        if out.labels[i] in (_UNSURE, _STORY, _CAPTION) and _key(text) in known:
            out.labels[i] = _CAPTION
            if text not in out.captions:
                out.captions.append(text)
    _headings(out, text_mode)
    return out


def _headings(out: _Labelled, text_mode: bool) -> None:
    """Text: a short unpunctuated line between story lines is a heading. HTML: trailing headings are chrome."""
    content = [i for i, lab in enumerate(out.labels) if lab in (_UNSURE, _STORY, _HEADING)]
    for pos, i in enumerate(content):
        if out.labels[i] != _UNSURE:
            continue
        nxt = content[pos + 1] if pos + 1 < len(content) else None
        is_heading = (
            text_mode
            and pos > 0
            and nxt is not None
            and looks_like_heading(out.texts[i])
            and not looks_like_heading(out.texts[nxt])
        )
        out.labels[i] = _HEADING if is_heading else _STORY
    if not text_mode:
        for i in reversed(content):
            if out.labels[i] != _HEADING:
                break
            out.labels[i] = _REMOVED


def _article(
    doc: DecodedDocument,
    title: str,
    labelled: _Labelled,
    removed: list[str],
    *,
    source: str | None,
    published_at: str | None,
    url: str | None,
    language: str | None,
    byline: str | None = None,
) -> CleanArticle:
    pairs = [(lab, t) for lab, t in zip(labelled.labels, labelled.texts, strict=True) if lab in (_STORY, _HEADING)]
    paragraphs = tuple(t for lab, t in pairs if lab == _STORY)
    if not paragraphs:
        raise RejectedInput(RejectReason.NO_ARTICLE, f"no story text left ({len(removed)} boilerplate lines removed)")
    story_words = sum(words(p) for p in paragraphs)
    if story_words < MIN_STORY_WORDS and sum(words(r) for r in removed) >= story_words:
        raise RejectedInput(RejectReason.NO_ARTICLE, f"mostly boilerplate ({story_words} words of story left)")
    if story_words < MIN_STORY_WORDS:
        raise RejectedInput(RejectReason.TOO_SHORT, f"{story_words} words of story, fewer than {MIN_STORY_WORDS}")
    return CleanArticle(
        doc_id=doc.doc_id,
        source_file=doc.source_file,
        content_sha256=doc.content_sha256,
        title=title,
        body="\n\n".join(t for _, t in pairs),
        paragraphs=paragraphs,
        headings=tuple(t for lab, t in pairs if lab == _HEADING),
        captions=tuple(_unique(labelled.captions)),
        credits=tuple(_unique(labelled.credits)),
        byline=byline or labelled.byline,
        published_at=published_at,
        source=source,
        url=url,
        language_hint=language,
        removed=tuple(removed),
    )


def _date_from_name(name: str) -> str | None:
    """A YYYY-MM-DD in the file name (our inbox convention, e.g. rfi-2018-11-13-...) when the text has no date."""
    m = _FILE_DATE_RE.search(name.rsplit("/", 1)[-1])
    if not m or not (1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31):
        return None
    return m.group(0)


def _norm_space(line: str) -> str:
    return " ".join(line.split())  # str.split() splits on the same whitespace as \s+, and faster


def _key(text: str) -> str:
    return _norm_space(text).casefold().rstrip(".")


def _overlaps(heading: str, title: str) -> bool:
    """A leading heading that is the title, or the title minus/plus a site name ("Title | Site")."""
    a, b = _key(heading), _key(title)
    return bool(a and b) and (a == b or (len(a) > 15 and a in b) or (len(b) > 15 and b in a))


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)
