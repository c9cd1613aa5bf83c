"""The clean stage: a decoded document -> the article alone, its parts labelled, the boilerplate kept aside.

Public entry point: ``clean(doc)``. Plain text (articles copied from a site) is labelled line by line; HTML goes
through ``etl.htmlclean`` (our main-text model picks the page's main content, the page's own metadata) and then
through the same line labelling, so both kinds lose the same promos and keep the same captions, credits, bylines and
datelines.

Principle: never drop a line of the story. A line leaves the body only when a rule names it (``etl.boilerplate``),
and then it is kept in ``removed`` (or in captions / credits / byline / published_at) for inspection. A text file is
an article unless proven otherwise: a text with no line breaks gets its sentence and paragraph breaks back
(``etl.sentences``), and a short story (a wire brief) is kept, marked by its ``word_count``. Rejections say why:
``no_article`` (no story at all), ``too_short`` (fewer than ``MIN_STORY_WORDS`` words of story, or than
``MIN_BRIEF_WORDS`` under an agency's dateline: "AMSTERDAM 1996-08-24", "TRIPOLI, Feb 14 (Reuters) -"),
``not_an_article`` (the page's main content is a list of links: a section front, a listing).

Every step is linear in the text: the text analysed is capped at ``MAX_TEXT_CHARS`` for plain text and HTML alike,
and the document says when it was cut (``CleanArticle.truncated``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from itertools import groupby

from etl.boilerplate import (
    MAX_STRONG_WORDS,
    byline_of,
    credit_of,
    dateline_of,
    detect_source,
    is_boilerplate,
    looks_like_heading,
    reporter_credit_of,
    split_trailing_credit,
    words,
)
from etl.errors import RejectedInput, RejectReason
from etl.htmlclean import MAX_TEXT_CHARS as MAX_HTML_TEXT_CHARS
from etl.htmlclean import read_page
from etl.records import CleanArticle, DecodedDocument, InputKind
from etl.sentences import count_words, has_cjk, paragraphs, split_sentences

# A story of fewer words is not an article (a two-line note); 15-39 words is a wire brief, and is kept.
MIN_STORY_WORDS = 15
# Under an agency's dateline, a story this long is a wire brief (a result, one sentence), kept.
MIN_BRIEF_WORDS = 3
# Text beyond this is cut (a paste of a whole site is not one article); keeps the work per document bounded. HTML
# pages are cut at the same length of text (etl.htmlclean).
MAX_TEXT_CHARS = MAX_HTML_TEXT_CHARS
# A line longer than this many words is several paragraphs run together (a text pasted without line breaks).
RUN_ON_WORDS = 150
# A first line longer than this, or ending like a sentence, is the story's first paragraph, not its title.
TITLE_MAX_WORDS = 30
_CAPTION_WORDS = 20  # at most, for a line above a credit to be its caption
_LINK_SHARE_NOT_ARTICLE = 0.8  # of the story words in link titles: a list of links (measured on the tuning part)
_FILE_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_LITERAL_BREAKS_RE = re.compile(r"(?:\\r)?\\n")  # "\n" written out, as JSON strings carry line breaks


class Label(StrEnum):
    """What a block of the page is, once classified (the values are the short tags HTML blocks arrive with)."""

    STORY = "p"
    HEADING = "h"
    CAPTION = "cap"
    CREDIT = "cred"
    REMOVED = "rm"
    META = "meta"  # byline or dateline
    UNSURE = "?"  # not yet decided (plain-text lines before the heading pass)


@dataclass
class Labelled:
    """Blocks with their labels, plus what the labelling pulled out of them."""

    labels: list[Label]
    texts: list[str]
    captions: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    byline: str | None = None
    published_at: str | None = None

    def having(self, *labels: Label) -> list[str]:
        return [t for lab, t in zip(self.labels, self.texts, strict=True) if lab in labels]


@dataclass
class Draft:
    """Everything an article is made of, before the checks that it is one."""

    title: str
    labelled: Labelled
    removed: list[str]
    source: str | None = None
    published_at: str | None = None
    url: str | None = None
    language: str | None = None
    byline: str | None = None
    truncated: bool = False
    from_description: bool = False  # HTML: the page held no main text; its description is the body
    link_share: float = 0.0  # HTML: the share of story words that are link titles


def clean(doc: DecodedDocument) -> CleanArticle:
    """Clean one decoded document; raise ``RejectedInput`` (NO_ARTICLE, NOT_AN_ARTICLE, TOO_SHORT, TOO_LARGE)."""
    try:
        draft = _html_draft(doc) if doc.kind is InputKind.HTML else _text_draft(doc)
        return _article(doc, draft)
    except RejectedInput as err:
        err.source_file = err.source_file or doc.source_file
        raise


# --- plain text --------------------------------------------------------------------------------------------------


def _text_draft(doc: DecodedDocument) -> Draft:
    text = doc.text.lstrip("\ufeff")
    truncated = len(text) > MAX_TEXT_CHARS
    lines = _text_lines(text[:MAX_TEXT_CHARS])
    if not lines:
        raise RejectedInput(RejectReason.NO_ARTICLE, "the text is blank")
    # The paste may start with chrome ("Skip to content", a cookie notice) before the title.
    lead_removed = []
    while len(lines) > 1 and (is_boilerplate(lines[0]) or credit_of(lines[0])):
        lead_removed.append(lines.pop(0))
    title = lines.pop(0) if _looks_like_title(lines) else ""
    labelled = _label([(Label.UNSURE, line) for line in lines], captions=(), text_mode=True)
    removed = lead_removed + labelled.having(Label.REMOVED)
    return Draft(
        title=title,
        labelled=labelled,
        removed=removed,
        source=detect_source(removed + labelled.credits, labelled.having(Label.STORY)),
        published_at=labelled.published_at or _date_from_name(doc.source_file),
        truncated=truncated,
    )


def _text_lines(text: str) -> list[str]:
    """Non-blank lines, whitespace collapsed; a run-on line (a text pasted without breaks) cut into paragraphs."""
    if "\n" not in text and "\r" not in text and _LITERAL_BREAKS_RE.search(text):
        text = _LITERAL_BREAKS_RE.sub("\n", text)  # an API's JSON string pasted as it was
    lines = []
    for raw in text.splitlines():
        line = _norm_space(raw)
        if not line:
            continue
        if _could_run_on(line) and count_words(line) > RUN_ON_WORDS:
            lines.extend(_split_run_on(line))
        else:
            lines.append(line)
    return lines


def _could_run_on(line: str) -> bool:
    """Whether a line may hold more than ``RUN_ON_WORDS`` words: without CJK characters (each a word) it holds
    no more words than spaces plus one, which is cheap to count (most lines are a paragraph of 40-100 words)."""
    return line.count(" ") >= RUN_ON_WORDS or has_cjk(line)


def _split_run_on(line: str) -> list[str]:
    """Paragraphs of whole sentences from a line that holds several (a text pasted without its breaks)."""
    return paragraphs(split_sentences(line))


def _looks_like_title(lines: Sequence[str]) -> bool:
    """The first line is a title when more text follows and it reads like a headline, not a sentence of the story."""
    if len(lines) < 2:
        return False
    first = lines[0]
    return 0 < count_words(first) <= TITLE_MAX_WORDS and not first.endswith((".", ",", ";", ":", "…"))


# --- HTML --------------------------------------------------------------------------------------------------------


def _html_draft(doc: DecodedDocument) -> Draft:
    page = read_page(doc.text)
    labelled = _label([(Label(kind), text) for kind, text in page.blocks], captions=page.captions, text_mode=False)
    if page.title:
        _drop_title_heading(labelled, page.title)
    if page.teasers:
        _drop_teaser_runs(labelled, page.teasers)
    story = labelled.having(Label.STORY)
    story_words = sum(words(t) for t in story)
    link_words = sum(words(t) for t in story if t in page.anchors)
    labelled.captions = _unique(page.captions + labelled.captions)
    labelled.credits = _unique(page.credits + labelled.credits)
    removed = labelled.having(Label.REMOVED)
    return Draft(
        title=page.title or next(iter(labelled.having(Label.HEADING)), ""),
        labelled=labelled,
        removed=removed,
        source=page.source or detect_source(removed, story),
        published_at=page.published_at or labelled.published_at,
        url=page.url,
        language=page.language,
        byline=page.byline,
        truncated=page.truncated,
        from_description=page.from_description,
        link_share=link_words / story_words if story_words else 0.0,
    )


def _drop_title_heading(labelled: Labelled, title: str) -> None:
    """A first heading that repeats the title leaves the body (the title has its own field)."""
    for i, (lab, text) in enumerate(zip(labelled.labels, labelled.texts, strict=True)):
        if lab in (Label.STORY, Label.HEADING):
            if lab is Label.HEADING and _overlaps(text, title):
                labelled.labels[i] = Label.META
            return


TEASER_RUN = 2
STORY_LEFT_WORDS = 80


def _drop_teaser_runs(labelled: Labelled, teasers: set[str]) -> None:
    """Story blocks shaped as teasers (``etl.htmlclean``: a linked headline, the first lines cut with "...") that
    come two or more in a row are a list of other stories, not the article: removed, when the page keeps a story of
    its own beside them (a page of teasers only is a section front, and they are its text)."""
    labels, texts = labelled.labels, labelled.texts
    content = [i for i, lab in enumerate(labels) if lab in (Label.STORY, Label.HEADING)]
    dropped: set[int] = set()
    for is_teaser, run in groupby(content, key=lambda i: labels[i] is Label.STORY and texts[i] in teasers):
        if is_teaser and len(blocks := list(run)) >= TEASER_RUN:
            dropped.update(blocks)
    if not dropped:
        return
    left = sum(
        words(t)
        for i, (lab, t) in enumerate(zip(labels, texts, strict=True))
        if lab is Label.STORY and i not in dropped
    )
    if left >= STORY_LEFT_WORDS:
        for i in dropped:
            labels[i] = Label.REMOVED


# --- labelling (shared) ------------------------------------------------------------------------------------------


_SHORTCODE = re.compile(r"\[(?:[a-z][\w-]*(?:\s+[\w-]+=[^\]\n]*)+|/[a-z][\w-]*)\]", re.IGNORECASE)
"""A blog engine's tag left unrendered in the page ("[box_colored class=... title=...]", "[/box_colored]",
"[convertkit form=1630175]", BBCode's "[/url]"): an opening tag has an attribute ("name=value"), a closing one a
slash. Editorial brackets ("[sic]", "[they]") have neither and stay."""
_SPACES = re.compile(r"[ \t]{2,}")


def _without_shortcodes(blocks: Sequence[tuple[Label, str]]) -> list[tuple[Label, str]]:
    """Blocks with unrendered tags taken out; a block that was nothing but tags is removed, as chrome is."""
    out = []
    for kind, text in blocks:
        if "[" in text and (bare := _SPACES.sub(" ", _SHORTCODE.sub(" ", text)).strip()) != text:
            out.append((kind, bare) if bare else (Label.REMOVED, text))
        else:
            out.append((kind, text))
    return out


def _label(blocks: Sequence[tuple[Label, str]], captions: Iterable[str], text_mode: bool) -> Labelled:
    """Classify each block: story, heading, caption, credit, metadata (byline/date) or removed boilerplate."""
    blocks = _without_shortcodes(blocks)
    out = Labelled(labels=[kind for kind, _ in blocks], texts=[text for _, text in blocks])
    known = {_key(c) for c in captions}
    for i in range(len(out.texts)):
        _label_one(out, i, known, text_mode)
    seen_captions = set(out.captions)
    for i, text in enumerate(out.texts):  # duplicated caption lines collapse into the one caption
        if out.labels[i] in (Label.UNSURE, Label.STORY, Label.CAPTION) and _key(text) in known:
            out.labels[i] = Label.CAPTION
            if text not in seen_captions:
                seen_captions.add(text)
                out.captions.append(text)
    _headings(out, text_mode)
    return out


def _label_one(out: Labelled, i: int, known: set[str], text_mode: bool) -> None:
    """The rules for one block, in order: boilerplate, credit (and the caption above it), caption, byline, date."""
    text = out.texts[i]
    if out.labels[i] is Label.HEADING:
        if is_boilerplate(text):
            out.labels[i] = Label.REMOVED
        return
    if words(text) > MAX_STRONG_WORDS:
        return  # story text for every rule below: none names a line this long
    if (reporters := reporter_credit_of(text)) is not None:
        out.labels[i] = Label.CREDIT  # who wrote the story, not who is in it: no caption above it either
        out.credits.append(reporters)
        return
    credit = credit_of(text)
    if is_boilerplate(text) and not credit:
        out.labels[i] = Label.REMOVED
    elif credit:
        out.labels[i] = Label.CREDIT
        out.credits.append(credit)
        prev = i - 1
        if text_mode and prev >= 0 and out.labels[prev] is Label.UNSURE and words(out.texts[prev]) <= _CAPTION_WORDS:
            out.labels[prev] = Label.CAPTION  # a short line right above a bare credit is its caption
            known.add(_key(out.texts[prev]))
    elif (split := split_trailing_credit(text)) and (text_mode or _key(split[0]) in known):
        out.labels[i] = Label.CAPTION
        known.add(_key(split[0]))
        out.credits.append(split[1])
        out.texts[i] = split[0]
    elif (name := byline_of(text)) is not None:
        out.labels[i] = Label.META
        out.byline = out.byline or name
    elif (date := dateline_of(text)) is not None:
        out.labels[i] = Label.META
        out.published_at = out.published_at or date


def _headings(out: Labelled, text_mode: bool) -> None:
    """Text: a short unpunctuated line between story lines is a heading. HTML: trailing headings are chrome."""
    content = [i for i, lab in enumerate(out.labels) if lab in (Label.UNSURE, Label.STORY, Label.HEADING)]
    for pos, i in enumerate(content):
        if out.labels[i] is not Label.UNSURE:
            continue
        nxt = content[pos + 1] if pos + 1 < len(content) else None
        is_heading = (
            text_mode
            and pos > 0
            and nxt is not None
            and looks_like_heading(out.texts[i])
            and not looks_like_heading(out.texts[nxt])
        )
        out.labels[i] = Label.HEADING if is_heading else Label.STORY
    if not text_mode:
        for i in reversed(content):
            if out.labels[i] is not Label.HEADING:
                break
            out.labels[i] = Label.REMOVED


# --- the article ---------------------------------------------------------------------------------------------------


def _article(doc: DecodedDocument, draft: Draft) -> CleanArticle:
    """The article, once the draft passes the checks that it is one (``_check``)."""
    labelled = draft.labelled
    pairs = [
        (lab, t) for lab, t in zip(labelled.labels, labelled.texts, strict=True) if lab in (Label.STORY, Label.HEADING)
    ]
    paragraphs_ = tuple(t for lab, t in pairs if lab is Label.STORY)
    _check(paragraphs_, draft)
    body = "\n\n".join(t for _, t in pairs)
    return CleanArticle(
        doc_id=doc.doc_id,
        source_file=doc.source_file,
        content_sha256=doc.content_sha256,
        title=draft.title,
        body=body,
        paragraphs=paragraphs_,
        headings=tuple(t for lab, t in pairs if lab is Label.HEADING),
        captions=tuple(_unique(labelled.captions)),
        credits=tuple(_unique(labelled.credits)),
        byline=draft.byline or labelled.byline,
        published_at=draft.published_at,
        source=draft.source,
        url=draft.url,
        language_hint=draft.language,
        removed=tuple(draft.removed),
        word_count=count_words(body),
        truncated=draft.truncated,
        from_description=draft.from_description,
    )


_AGENCY_DATELINE = re.compile(
    r"[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,3}(?:, [A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,2})?"
    r"(?:,? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2})?"
    r" (?:\d{4}-\d\d-\d\d\b|\((?:Reuters|AFP|AP|Xinhua|ANSA|dpa|UPI|Bloomberg)\))"
)
"""An agency's dateline opening a story line ("AMSTERDAM 1996-08-24", "TRIPOLI, Feb 14 (Reuters) -")."""


def _filed_by_agency(draft: Draft) -> bool:
    """Whether one of the first lines is an agency's dateline: a brief filed by a wire, however short ("Ajax 2
    Feyenoord 0" under "AMSTERDAM 1996-08-24"), not a note ("Meeting moved to Thursday")."""
    return any(_AGENCY_DATELINE.match(text.strip()) for text in draft.labelled.texts[:4])


def _check(story: Sequence[str], draft: Draft) -> None:
    """Reject a draft that is no article: no story, a list of links, or too few words (module doc)."""
    if not story:
        raise RejectedInput(
            RejectReason.NO_ARTICLE, f"no story text left ({len(draft.removed)} boilerplate lines removed)"
        )
    if draft.link_share > _LINK_SHARE_NOT_ARTICLE:
        raise RejectedInput(
            RejectReason.NOT_AN_ARTICLE,
            f"not an article: {draft.link_share:.0%} of the main text is link titles (a section front or listing)",
        )
    story_words = sum(words(p) for p in story)
    if story_words < MIN_STORY_WORDS and not (story_words >= MIN_BRIEF_WORDS and _filed_by_agency(draft)):
        if sum(words(r) for r in draft.removed) >= story_words:
            raise RejectedInput(RejectReason.NO_ARTICLE, f"mostly boilerplate ({story_words} words of story left)")
        raise RejectedInput(RejectReason.TOO_SHORT, f"{story_words} words of story, fewer than {MIN_STORY_WORDS}")


def _date_from_name(name: str) -> str | None:
    """A YYYY-MM-DD in the file name (our inbox convention, e.g. rfi-2018-11-13-...) when the text has no date."""
    m = _FILE_DATE_RE.search(name.rsplit("/", 1)[-1])
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None  # 2019-02-30 is no date


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
