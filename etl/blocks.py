"""A parsed HTML page -> its text blocks, each with the elements around it.

Why: the main-text model (``etl.maintext``) decides block by block what belongs to the page's main content, and
what decides is mostly where a block sits (inside ``<nav>``, a ``footer`` class, a list of link cards...) and what it
looks like (length, links, punctuation). This module does the one walk over the tree that collects both, so every
later step works on flat lists.

A block is a run of text between two block-level boundaries (``<p>``, ``<li>``, ``<h2>``, ``<td>``, ``<br>``...);
inline elements (``<a>``, ``<span>``, ``<b>``...) stay inside their block. Elements are numbered in document
(pre-)order, so the subtree of element ``e`` is the index range ``[e, end[e])``: subtree sums are two lookups in a
prefix sum, and "is this block inside that container" is a range test.

Linear in the size of the page: one ``iterwalk`` over the elements, one pass over the text. The analysed text is
capped (``max_chars``); a page cut there says so (``Segmented.truncated``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ahocorasick  # untyped (no stubs): pyproject sets ignore_missing_imports for it
from lxml import etree  # type: ignore[import-untyped]  # no stubs installed

Tree = Any  # an lxml element (lxml ships no type stubs)

# Elements whose start or end closes the current block.
BLOCK_TAGS = frozenset(
    (
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    )
)
# Never text a reader sees as part of the page (the script/style/svg/template blocks are cut before parsing).
PRUNE_TAGS = ("head", "script", "style", "svg", "template", "input", "link", "meta", "source", "track")
# Widgets and embeds, whose text is not the page's either; but malformed markup can leave the rest of the page
# inside one (a <button> whose inner <div> is never closed swallows everything after it), so one holding more than
# WIDGET_MAX_CHARS of text is unwrapped (its text kept) instead of removed.
WIDGET_TAGS = (
    "iframe",
    "embed",
    "object",
    "canvas",
    "video",
    "audio",
    "map",
    "picture",
    "select",
    "option",
    "button",
    "textarea",
    "datalist",
)
WIDGET_MAX_CHARS = 500
# Inline tags with nothing to say about their text's place in the page: unwrapped before the walk (their text stays
# where it is), which leaves a fifth fewer elements to visit. <a> stays: link text is a feature.
UNWRAP_TAGS = (
    "span",
    "img",
    "strong",
    "b",
    "i",
    "em",
    "u",
    "s",
    "small",
    "big",
    "font",
    "abbr",
    "acronym",
    "mark",
    "sup",
    "sub",
    "cite",
    "time",
    "wbr",
    "nobr",
    "ins",
    "del",
    "q",
    "dfn",
    "bdi",
    "bdo",
    "data",
    "kbd",
    "samp",
    "var",
    "tt",
)
HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))

# Element flags (bits of ``Segmented.flags``).
HIDDEN = 1  # hidden / aria-hidden / display:none
ROLE_MAIN = 2  # role=main|article, itemprop=articleBody|text|description...
ROLE_CHROME = 4  # role=navigation|banner|contentinfo|complementary|menu|dialog|search
_CHROME_ROLES = frozenset(
    ("navigation", "banner", "contentinfo", "complementary", "menu", "menubar", "dialog", "search")
)
_FLAG_ATTRIBUTES = frozenset(("hidden", "aria-hidden", "style", "role", "itemprop"))
_MAIN_ITEMPROPS = frozenset(("articlebody", "text", "description", "reviewbody", "mainentity", "mainentityofpage"))

# What a class or id says about an element, in words common to site templates everywhere (not any one site's):
# one bit per group. A word matches anywhere in the lower-cased class and id ("post-header" sets FORUM and HEAD);
# "|" marks a word boundary it must stand at ("|ad|" is "ad" alone, not the "ad" of "header").
CLASS_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nav", ("nav", "menu", "breadcrumb", "toolbar", "pagination", "pager", "skip", "dropdown")),
    ("side", ("side", "widget", "rail")),
    ("foot", ("foot", "copyright", "legal")),
    ("head", ("header", "masthead", "topbar", "top-bar", "logo", "brand")),
    ("share", ("share", "social", "sharing", "follow")),
    ("related", ("related", "recommend", "popular", "trending", "teaser", "promo", "suggest", "recirc", "more-")),
    ("ad", ("|ad|", "|ads|", "advert", "sponsor", "banner", "|dfp")),
    (
        "modal",
        (
            "cookie",
            "consent",
            "modal",
            "popup",
            "overlay",
            "newsletter",
            "subscribe",
            "signup",
            "sign-up",
            "login",
            "paywall",
            "gdpr",
            "dialog",
        ),
    ),
    ("comment", ("comment", "reply", "respond", "disqus", "discussion")),
    ("meta", ("meta", "byline", "author", "date", "time|", "tag|", "tags|", "categor", "caption", "credit")),
    ("hidden", ("hidden", "sr-only", "visually-hidden", "screen-reader", "offscreen", "d-none")),
    ("content", ("article", "content", "main", "entry", "story", "body", "text", "prose", "rich", "blog")),
    ("product", ("product", "description", "detail", "spec", "price", "review", "item")),
    ("forum", ("thread", "message", "forum", "topic", "question", "answer", "post")),
    ("card", ("card", "tile", "grid", "list", "teaser", "collection", "result|", "results|")),
)


def _class_automaton() -> Any:
    """One Aho-Corasick automaton for every class word: word -> [(bit, needs a boundary before, after)]."""
    entries: dict[str, list[tuple[int, bool, bool]]] = {}
    for i, (_, group) in enumerate(CLASS_GROUPS):
        for word in group:
            entries.setdefault(word.strip("|"), []).append((1 << i, word.startswith("|"), word.endswith("|")))
    automaton = ahocorasick.Automaton()
    for word, found in entries.items():
        automaton.add_word(word, (len(word), tuple(found)))
    automaton.make_automaton()
    return automaton


_CLASS_AUTOMATON = _class_automaton()
_CLASS_CACHE: dict[str, int] = {}  # class strings repeat within a page and across a site's pages
_CLASS_CACHE_SIZE = 100_000
# Tags whose presence among a block's ancestors is a feature (bits of ``Segmented.tag_bits``).
CONTEXT_TAGS = (
    "main",
    "article",
    "header",
    "nav",
    "footer",
    "aside",
    "form",
    "ul",
    "ol",
    "table",
    "a",
    "h1",
    "h2",
    "h3",
    "section",
    "li",
    "blockquote",
    "figure",
    "dl",
    "noscript",
)
_TAG_BIT = {tag: 1 << i for i, tag in enumerate(CONTEXT_TAGS)}
_NEAR_LEVELS = 4  # "near" class bits: the element and its three closest ancestors


@dataclass
class Segmented:
    """The page as flat lists: elements (pre-order) and the text blocks between block boundaries."""

    tags: list[str] = field(default_factory=list)
    attrs: list[str] = field(default_factory=list)  # class and id, lower-cased ("" when none)
    parents: list[int] = field(default_factory=list)  # -1 for the walk's root
    ends: list[int] = field(default_factory=list)  # subtree of element e = elements [e, ends[e])
    flags: list[int] = field(default_factory=list)  # HIDDEN | ROLE_MAIN | ROLE_CHROME, the element's or an ancestor's
    class_bits: list[int] = field(default_factory=list)  # CLASS_GROUPS of the element or any ancestor
    near_bits: list[int] = field(default_factory=list)  # CLASS_GROUPS of the element or its 3 closest ancestors
    tag_bits: list[int] = field(default_factory=list)  # CONTEXT_TAGS among the element and its ancestors
    texts: list[str] = field(default_factory=list)  # one whitespace-normalised line per block
    link_chars: list[int] = field(default_factory=list)  # characters of the block inside <a>
    elements: list[int] = field(default_factory=list)  # the innermost element open when the block ended
    truncated: bool = False  # the text was cut at ``max_chars``


def _own_flags(el: Tree, keys: list[str]) -> int:
    """HIDDEN / ROLE_MAIN / ROLE_CHROME from the element's own attributes (``keys``: their names)."""
    flags = 0
    if "hidden" in keys or ("aria-hidden" in keys and el.get("aria-hidden") == "true"):
        flags |= HIDDEN
    elif "style" in keys:
        style = el.get("style")
        if "none" in style and "display:none" in style.replace(" ", "").lower():
            flags |= HIDDEN
    if "role" in keys:
        role = el.get("role").lower()
        if role in ("main", "article"):
            flags |= ROLE_MAIN
        elif role in _CHROME_ROLES:
            flags |= ROLE_CHROME
    if "itemprop" in keys and el.get("itemprop").lower() in _MAIN_ITEMPROPS:
        flags |= ROLE_MAIN
    return flags


def _class_bits(attrs: str) -> int:
    """CLASS_GROUPS bits of a lower-cased class/id string (one Aho-Corasick pass, cached)."""
    bits = _CLASS_CACHE.get(attrs)
    if bits is not None:
        return bits
    bits = 0
    for end, (length, found) in _CLASS_AUTOMATON.iter(attrs):
        start = end - length + 1
        for bit, before, after in found:
            if (before and start > 0 and _is_word_char(attrs[start - 1])) or (
                after and end + 1 < len(attrs) and _is_word_char(attrs[end + 1])
            ):
                continue
            bits |= bit
    if len(_CLASS_CACHE) >= _CLASS_CACHE_SIZE:
        _CLASS_CACHE.clear()
    _CLASS_CACHE[attrs] = bits
    return bits


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


_HOVER_WORDS = ("tooltip", "popover", "hovercard", "hover-card", "rollover")
_HOVER_CARDS = etree.XPath(
    "//p//*[not(self::a) and * and @class and not(contains(@class, 'trigger')) and not(contains(@class, 'has-')) and ("
    + " or ".join(f"contains(@class, '{word}')" for word in _HOVER_WORDS)
    + ")]"
)
"""Tooltips, popovers and hover cards: text a page shows only while the pointer rests on a name ("Kristi Noem" then
a card with "Kristi Lynn Noem" and her latest stories), glued by the markup to the sentence around it. A card holds
elements (a picture, links); the name that shows it is a link or a bare word, and a "has-tooltip" or "...-trigger"
element is the sentence's own word: those stay. Only inside a paragraph, where the card's text would join the
sentence's, and only a card of ``HOVER_CARD_MAX_CHARS`` or fewer."""
HOVER_CARD_MAX_CHARS = 600


def may_hold_hover_cards(markup: str) -> bool:
    """Whether the page's markup names a tooltip, popover or hover card anywhere: a substring test far cheaper than
    the tree search it spares most pages."""
    return any(word in markup for word in _HOVER_WORDS)


def _drop_hover_cards(tree: Tree) -> None:
    """Remove tooltips, popovers and hover cards with their content; the text after each stays. One that holds
    another is the name's wrapper (the name, then its card), not a card: only the innermost go."""
    found = _HOVER_CARDS(tree)
    if not found:
        return
    matched = set(found)
    for el in found:
        if any(d in matched for d in el.iterdescendants()) or len(el.text_content()) > HOVER_CARD_MAX_CHARS:
            continue
        if el.getparent() is not None:
            el.drop_tree()  # lxml.html: the element and its content go, its tail joins the text before it


def _drop_widgets(tree: Tree) -> None:
    """Remove WIDGET_TAGS elements with their content, except one holding much text: that one is unwrapped.

    Widgets inside an unwrapped one are unwrapped too, unmeasured: each character is measured at most once per
    widget that is not inside a kept one, so a chain of nested swallowing widgets stays linear.
    """
    kept: set[Tree] = set()
    for el in tree.iter(*WIDGET_TAGS):
        if (kept and any(a in kept for a in el.iterancestors())) or len(el.text_content()) > WIDGET_MAX_CHARS:
            kept.add(el)
    for el in kept:
        el.tag = "widget-kept"
    etree.strip_elements(tree, *WIDGET_TAGS, with_tail=False)
    if kept:
        etree.strip_tags(tree, "widget-kept")


def segment(tree: Tree, max_chars: int, *, hover_cards: bool = True) -> Segmented:
    """Walk the tree once (after pruning what is never text): its elements and its text blocks, in order.

    The walk stops once ``max_chars`` characters of text are read (``truncated`` then says so). One flat loop with
    local names: this is the hot path of HTML cleaning (about 1,000 elements on a typical page). ``hover_cards``:
    whether the markup may hold tooltips or hover cards (``may_hold_hover_cards``); the search for them is skipped
    when it cannot.
    """
    etree.strip_elements(tree, *PRUNE_TAGS, with_tail=False)
    if hover_cards:
        _drop_hover_cards(tree)
    _drop_widgets(tree)
    etree.strip_tags(tree, *UNWRAP_TAGS)
    root = tree.find("body")
    if root is None:
        root = tree
    out = Segmented()
    tags, attrs_of, parents, ends = out.tags, out.attrs, out.parents, out.ends
    flags_of, class_of, near_of, tagbits_of = out.flags, out.class_bits, out.near_bits, out.tag_bits
    texts, link_chars, elements = out.texts, out.link_chars, out.elements
    stack: list[int] = []  # open elements
    # Per open element: its flags, class bits and tag bits with its ancestors' (so a child ORs in its own only).
    inherited: list[tuple[int, int, int]] = [(0, 0, 0)]
    own_stack: list[int] = [0, 0, 0]  # class bits of the open elements themselves, padded for the "near" window
    pieces: list[str] = []
    link_depth = links = chars = 0

    def flush() -> None:
        nonlocal links, chars
        if pieces:
            text = " ".join("".join(pieces).split())
            pieces.clear()
            if text:
                texts.append(text)
                link_chars.append(min(links, len(text)))
                elements.append(stack[-1] if stack else 0)
                chars += len(text)
        links = 0

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if not isinstance(tag, str):  # comment or processing instruction: only its tail is text
            if event == "end" and el.tail:
                pieces.append(el.tail)
                if link_depth:
                    links += len(el.tail.strip())
            continue
        if event == "start":
            if tag in BLOCK_TAGS:
                if pieces:
                    flush()
                if chars >= max_chars:
                    out.truncated = True
                    break
            own = flags = 0
            attrs = ""
            keys = el.keys()
            if keys:
                if not _FLAG_ATTRIBUTES.isdisjoint(keys):
                    flags = _own_flags(el, keys)
                if "class" in keys or "id" in keys:
                    attrs = f"{el.get('class') or ''} {el.get('id') or ''}".strip().lower()
                    own = _class_bits(attrs) if attrs else 0
            index = len(tags)
            tags.append(tag)
            attrs_of.append(attrs)
            ends.append(0)
            parents.append(stack[-1] if stack else -1)
            up_flags, up_class, up_tags = inherited[-1]
            frame = (up_flags | flags, up_class | own, up_tags | _TAG_BIT.get(tag, 0))
            flags_of.append(frame[0])
            class_of.append(frame[1])
            tagbits_of.append(frame[2])
            near_of.append(own | own_stack[-1] | own_stack[-2] | own_stack[-3])
            stack.append(index)
            inherited.append(frame)
            own_stack.append(own)
            if tag == "a":
                link_depth += 1
            text = el.text
        else:
            if tag in BLOCK_TAGS and pieces:
                flush()
            ends[stack.pop()] = len(tags)
            inherited.pop()
            own_stack.pop()
            if tag == "a":
                link_depth -= 1
            if el is root:
                break
            text = el.tail
        if text:
            pieces.append(text)
            if link_depth:
                links += len(text.strip())
    flush()
    if chars >= max_chars:
        out.truncated = True
    for index in stack:  # elements left open where the walk stopped
        ends[index] = len(tags)
    return out


def block_tag(seg: Segmented, element: int) -> str:
    """The nearest block-level tag at or above ``element`` ("body" when none)."""
    tags, parents = seg.tags, seg.parents
    while element >= 0:
        if tags[element] in BLOCK_TAGS and tags[element] != "br":
            return tags[element]
        element = parents[element]
    return "body"
