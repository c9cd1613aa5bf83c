"""What a saved page says about itself: title, author, publication date, site, address, language, figure captions.

Why its own module: metadata comes from declarations (``<meta>`` tags, schema.org JSON-LD, ``<time datetime>``,
``<figcaption>``), not from the main text, and each field has its own order of trust, measured against the gold
metadata of the WCXB development pages (tuning half; ``bench/extraction_eval.py`` prints ours beside
trafilatura's and htmldate's on both halves):

- title: the first ``<h1>`` when the declared title (``og:title``, JSON-LD ``headline``, ``<title>``) contains it
  (the page confirms its own headline); else the declared title without its site-name part ("Story | Site").
- author: ``<meta name=author>``-like tags, then the JSON-LD author of the page's main entity, then the element the
  markup names as the byline (``rel=author``, ``itemprop=author``, an ``author`` / ``byline`` class).
- date: the publication-time tags, then JSON-LD ``datePublished``, then the first ``<time datetime>``; failing
  those (``fallback_date``, once the page is cut into blocks): a date in the address, any other date tag that is not
  a modification date, then a date written in a block the markup marks as metadata (a "date", "meta", "byline"
  class). Dates are normalised to strict ISO 8601 (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS[+HH:MM]``); anything that
  cannot be is dropped, never guessed. (htmldate's markup search found 11 more dates on 110 such tuning pages, but
  also a date on 71 of 315 pages that have none, and cost twice as much.)

Every read is bounded: at most ``MAX_LD_CHARS`` of JSON-LD per script, ``_MAX_CAPTIONS`` captions, one pass over the
``<meta>`` tags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from trafilatura.json_metadata import normalize_authors

from etl.boilerplate import credit_of, parse_date, split_trailing_credit

Tree = Any  # an lxml element (lxml ships no type stubs)

MAX_LD_CHARS = 200_000  # a JSON-LD script longer than this is not read (a page's whole state dumped as JSON)
_DATE_KEYS = (
    "article:published_time",
    "datepublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "pubdate",
    "publishdate",
    "og:published_time",
    "sailthru.date",
    "parsely-pub-date",
    "article:published",
    "publish-date",
    "published_time",
    "release_date",
)
_AUTHOR_KEYS = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl")
_MAIN_ENTITY_TYPES = frozenset(
    (
        "Article",
        "NewsArticle",
        "BlogPosting",
        "Report",
        "TechArticle",
        "ScholarlyArticle",
        "LiveBlogPosting",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "WebPage",
        "DiscussionForumPosting",
        "Question",
        "QAPage",
        "HowTo",
        "Recipe",
        "Review",
    )
)
_TITLE_SEPARATOR_RE = re.compile(r"\s+[|\-–—:·•»]\s+|\s+::\s+")
# Elements that may name the author (what the markup calls an author or byline), outside navigation and footers.
# Read in one Python pass over the candidate tags: the same selection as the XPath
#   //*[self::a or self::address or ...][@rel='author' or contains(@class, 'author') or ...]
#      [not(ancestor::nav or ancestor::footer or ancestor::aside or ancestor::header[not(ancestor::article)])]
# at a third of its cost (libxml2 evaluates the predicates on every element of the page).
_AUTHOR_TAGS = ("a", "address", "div", "p", "span", "strong", "h3", "h4")
_AUTHOR_CLASS_WORDS = ("author", "Author", "byline", "journalist")
_OUTSIDE_STORY_TAGS = frozenset(("nav", "footer", "aside"))
_MAX_BYLINE_CHARS = 120
_MAX_AUTHOR_ELEMENTS = 20
_MAX_CAPTIONS = 50
_MAX_FIELD_CHARS = 1000  # a declared title or site name longer than this is not one
_CREDIT_CLASS_RE = re.compile(r"credit|copyright|source|photographer|author|byline", re.IGNORECASE)
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?")
_URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?:[/_-]|$)")
_MAX_DATE_TEXT = 200


@dataclass
class Metadata:
    """The page's declarations, read before its text."""

    title: str | None = None
    byline: str | None = None
    published_at: str | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None
    captions: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    og_type: str = ""
    ld_types: set[str] = field(default_factory=set)  # schema.org @type values in the JSON-LD
    tags: dict[str, str] = field(default_factory=dict)  # the <meta> tags read (for fallback_date)


def norm(text: str | None) -> str:
    """Whitespace collapsed; '' for None."""
    return " ".join(text.split()) if text else ""


def read_metadata(tree: Tree, ld_json: list[str]) -> Metadata:
    """Read the declarations of a parsed page (``ld_json``: the bodies of its JSON-LD scripts, cut before parsing).

    Reads the tree without changing it, except ``<figcaption>`` credits, which leave the caption.
    """
    tags = meta_tags(tree)
    nodes = _ld_nodes(ld_json)
    out = Metadata(og_type=tags.get("og:type", ""), ld_types=_ld_types(nodes), tags=tags)
    out.language = _language(tree, tags)
    canonical = next((el.get("href") for el in tree.iter("link") if el.get("rel") == "canonical"), None)
    out.url = norm(canonical) or tags.get("og:url") or None
    out.title = _title(tree, tags, nodes)
    out.source = _bounded(tags.get("og:site_name") or tags.get("application-name")) or _hostname(out.url)
    out.byline = _byline(tree, tags, nodes)
    out.published_at = _published(tree, tags, nodes, out.url)
    _figures(tree, out)
    return out


def meta_tags(tree: Tree) -> dict[str, str]:
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
                if key not in out and (value := norm(content)):
                    out[key] = value
    return out


def _ld_nodes(ld_json: list[str]) -> list[dict[str, Any]]:
    """Every JSON object of the page's JSON-LD (``@graph`` members and nested objects too), in document order."""
    out: list[dict[str, Any]] = []
    for text in ld_json:
        if len(text) > MAX_LD_CHARS:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue  # broken JSON-LD is common; the page's other declarations still count
        _walk_ld(data, out, depth=0)
    return out


def _walk_ld(data: object, out: list[dict[str, Any]], depth: int) -> None:
    if depth > 8 or len(out) > 500:
        return
    if isinstance(data, dict):
        out.append(data)
        for value in data.values():
            if isinstance(value, (dict, list)):
                _walk_ld(value, out, depth + 1)
    elif isinstance(data, list):
        for item in data[:200]:
            _walk_ld(item, out, depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return set()


def _ld_types(nodes: list[dict[str, Any]]) -> set[str]:
    out: set[str] = set()
    for node in nodes:
        out |= _types(node)
    return out


def _language(tree: Tree, tags: dict[str, str]) -> str | None:
    lang = tree.get("lang") or tree.get("xml:lang") or tags.get("og:locale") or tags.get("language")
    lang = lang or tags.get("content-language")
    if not lang:
        return None
    primary = re.split(r"[-_]", lang.strip())[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _bounded(text: str | None) -> str | None:
    text = norm(text)
    return text if text and len(text) <= _MAX_FIELD_CHARS else None


def _title(tree: Tree, tags: dict[str, str], nodes: list[dict[str, Any]]) -> str | None:
    """The <h1> the declared title confirms, else the declared title less its site-name part (module doc)."""
    headline = next((h for n in nodes if isinstance(h := n.get("headline"), str) and h.strip()), "")
    declared = [norm(t) for t in (tags.get("og:title"), headline, tree.findtext(".//title")) if t and t.strip()]
    haystack = " ".join(declared).casefold()
    site_names = {norm(tags.get("og:site_name")).casefold()}
    for title in declared:  # the shorter parts of "Story | Site" are site names, not headlines
        parts = _TITLE_SEPARATOR_RE.split(title)
        if len(parts) > 1:
            longest = max(parts, key=len)
            site_names.update(p.casefold() for p in parts if p is not longest)
    h1s = [norm(h.text_content()) for _, h in zip(range(5), tree.iter("h1"), strict=False)]
    for h1 in h1s:
        if h1 and h1.casefold() in haystack and h1.casefold() not in site_names:
            return _bounded(h1)
    if declared:
        parts = _TITLE_SEPARATOR_RE.split(declared[0])
        return _bounded(max(parts, key=len) if len(parts) > 1 else declared[0])
    return _bounded(next((h for h in h1s if h), None))


def _byline(tree: Tree, tags: dict[str, str], nodes: list[dict[str, Any]]) -> str | None:
    for key in _AUTHOR_KEYS:
        value = tags.get(key, "")
        if value and not value.startswith(("http://", "https://")) and len(value) < _MAX_BYLINE_CHARS:
            return re.sub(r"^by\s+", "", value, flags=re.IGNORECASE) or None
    for node in nodes:
        if _types(node) & _MAIN_ENTITY_TYPES and (names := _ld_names(node.get("author"))):
            return ", ".join(names[:3])
    return _markup_byline(tree)


def _ld_names(author: object) -> list[str]:
    out = []
    for item in author if isinstance(author, list) else [author]:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and (name := norm(name)) and len(name) < _MAX_BYLINE_CHARS:
            out.append(name)
    return out


def _markup_byline(tree: Tree) -> str | None:
    """The author named by the page's markup: the innermost byline-like element outside navigation and footers."""
    found = _author_elements(tree)  # bounded: each is compared with its descendants below
    marked = set(found) if len(found) > 1 else set()
    for el in found:
        if marked and any(d in marked for d in el.iterdescendants()):
            continue  # a container of a more precise author element
        text = norm(" ".join(el.itertext()))
        if 2 < len(text) < _MAX_BYLINE_CHARS:
            return normalize_authors(None, text) or None
    return None


def _author_elements(tree: Tree) -> list[Any]:
    """The first ``_MAX_AUTHOR_ELEMENTS`` elements the markup marks as the author's, in document order."""
    found: list[Any] = []
    for el in tree.iter(*_AUTHOR_TAGS):
        css = el.get("class") or ""
        marked = (
            el.get("rel") == "author"
            or css == "byl"
            or any(word in css for word in _AUTHOR_CLASS_WORDS)
            or "author" in (el.get("itemprop") or "")
            or "author" in (el.get("id") or "")
        )
        if marked and not _outside_story(el):
            found.append(el)
            if len(found) == _MAX_AUTHOR_ELEMENTS:
                break
    return found


def _outside_story(el: Any) -> bool:
    """Inside navigation, a footer, an aside, or a header that is not an article's."""
    for i, ancestor in enumerate(ancestors := list(el.iterancestors())):
        if ancestor.tag in _OUTSIDE_STORY_TAGS:
            return True
        if ancestor.tag == "header" and not any(a.tag == "article" for a in ancestors[i + 1 :]):
            return True
    return False


def _published(tree: Tree, tags: dict[str, str], nodes: list[dict[str, Any]], url: str | None) -> str | None:
    for key in _DATE_KEYS:
        if (value := iso_date(tags.get(key))) is not None:
            return value
    for node in nodes:
        if (value := iso_date(node.get("datePublished"))) is not None:
            return value
    for el in tree.iter("time"):
        if (value := iso_date(el.get("datetime"))) is not None:
            return value
    return None


def fallback_date(url: str | None, tags: dict[str, str], meta_blocks: Iterable[str]) -> str | None:
    """A date for a page whose declarations name none (module doc): address, other date tags, metadata blocks."""
    if url and (m := _URL_DATE_RE.search(url)):
        found = iso_date(f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}")
        if found:
            return found
    for key, value in tags.items():
        dated = ("date" in key or "time" in key) and not any(word in key for word in ("modif", "updat", "expir"))
        if dated and (found := iso_date(value)) is not None:
            return found
    for text in meta_blocks:
        if (found := parse_date(text[:_MAX_DATE_TEXT])) is not None:
            return found
    return None


def iso_date(value: object) -> str | None:
    """A declared date as strict ISO 8601 (``2019-02-14`` or ``2019-02-14T10:30:00+01:00``), else None.

    Accepts what pages write (``2019-02-14 10:30:00``, ``...Z``, ``+0100``); refuses impossible dates and years
    outside 1900-2100.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _ISO_DATE_RE.match(text):
        return None
    if len(text) == 7:  # YYYY-MM: the month is all the page says
        text += "-01"
    text = text.replace("Z", "+00:00").replace(" ", "T", 1)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not 1900 <= parsed.year <= 2100:
        return None
    if len(text) == 10:
        return parsed.date().isoformat()
    return parsed.isoformat(timespec="seconds")


def _hostname(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _figures(tree: Tree, out: Metadata) -> None:
    """Captions and credits from <figcaption>: credit-classed children, or a credit ending the caption."""
    for figcaption in tree.iter("figcaption"):
        if len(out.captions) >= _MAX_CAPTIONS:
            break
        credited = [el for el in figcaption.iterdescendants() if _CREDIT_CLASS_RE.search(str(el.get("class", "")))]
        credit_parts = [norm(el.text_content()) for el in credited]
        for el in credited:
            if el.getparent() is not None:
                el.drop_tree()
        text = norm(figcaption.text_content())
        split = split_trailing_credit(text)
        if split:
            text, credit = split
            credit_parts.append(credit)
        elif credit_of(text):
            credit_parts.append(text)
            text = ""
        if text and text not in out.captions:
            out.captions.append(text)
        for credit in filter(None, credit_parts):
            if credit not in out.credits:
                out.credits.append(credit)
