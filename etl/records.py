"""Typed records passed between pipeline stages.

Each stage is a plain function from one record to the next:
``RawArticle -> DecodedDocument -> CleanArticle -> EnrichedArticle -> dict`` (the indexed document).
Records are frozen so a stage can never mutate its input behind the next stage's back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class InputKind(StrEnum):
    """What the extract stage sniffed the bytes to be."""

    TEXT = "text"
    HTML = "html"


class EntityType(StrEnum):
    """What an entity is; the first five are actors (the ``actors`` facet)."""

    PERSON = "person"
    ORGANIZATION = "organization"
    ARMED_GROUP = "armed_group"
    MEDIA = "media"
    COMMUNITY = "community"  # a people or tribe analysts filter by (Tebu, Tuareg, Awlad Suleiman)
    PLACE = "place"
    OTHER = "other"


ACTOR_TYPES = frozenset(
    {EntityType.PERSON, EntityType.ORGANIZATION, EntityType.ARMED_GROUP, EntityType.MEDIA, EntityType.COMMUNITY}
)


class Part(StrEnum):
    """Which part of the article a mention stands in (``analysis_text`` is title, body, then captions)."""

    TITLE = "title"
    BODY = "body"
    CAPTION = "caption"


class PlaceFeature(StrEnum):
    """What kind of place a gazetteer entry or a resolved location is."""

    CONTINENT = "continent"
    COUNTRY = "country"
    STATE = "state"  # a division outside Libya: a US state, a Nigerian state, a county, a French department
    REGION = "region"  # an analyst region (Tripolitania, Cyrenaica, Fezzan)
    DISTRICT = "district"  # a Libyan district (sha'biyah)
    CITY = "city"  # a populated place
    PLACE = "place"  # anything else


@dataclass(frozen=True)
class RawArticle:
    """A file as read from the inbox: bytes plus where they came from."""

    source_file: str
    data: bytes
    content_sha256: str


@dataclass(frozen=True)
class DecodedDocument:
    """Bytes turned into text: encoding detected, kind sniffed, stable id assigned."""

    doc_id: str
    source_file: str
    content_sha256: str
    kind: InputKind
    text: str
    encoding: str


@dataclass(frozen=True)
class CleanArticle:
    """The article alone, its parts labelled, boilerplate removed (kept aside in ``removed``)."""

    doc_id: str
    source_file: str
    content_sha256: str
    title: str
    body: str
    paragraphs: tuple[str, ...]
    headings: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    credits: tuple[str, ...] = ()
    byline: str | None = None
    published_at: str | None = None  # ISO 8601 date or datetime
    source: str | None = None  # site / outlet name, e.g. "RFI"
    url: str | None = None
    language_hint: str | None = None  # from the page's metadata, if any
    removed: tuple[str, ...] = ()  # boilerplate lines taken out, for inspection
    word_count: int = 0  # words of the body, CJK characters counted one by one (etl.sentences.count_words)
    truncated: bool = False  # the input's text was longer than the clean stage reads (MAX_TEXT_CHARS) and was cut
    from_description: bool = False  # an HTML page saved without its main text: its own description stands in


@dataclass(frozen=True)
class Language:
    """Detected language with the detector's probability."""

    code: str  # ISO 639-1, or "und" when undetermined
    confidence: float


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in the text (character offsets into ``analysis_text``) and the part it stands in."""

    text: str
    start: int
    end: int
    part: Part = Part.BODY


@dataclass(frozen=True)
class NerSpan:
    """A span spaCy's NER labelled (offsets into ``analysis_text``): kept so linking can be redone without spaCy."""

    start: int
    end: int
    label: str  # "PERSON" | "ORG" | "NORP" | "MISC" | "PLACE" (spaCy's GPE, LOC and FAC)


@dataclass(frozen=True)
class Entity:
    """A canonical entity with every mention of it in the article."""

    name: str  # canonical name (knowledge-base name when linked, else as written)
    type: EntityType
    kb_id: str | None = None  # knowledge-base id when linked
    wikidata: str | None = None
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True)
class Quote:
    """A quotation attributed to a speaker (canonical name when known)."""

    speaker: str | None
    text: str
    speaker_kb_id: str | None = None


@dataclass(frozen=True)
class Location:
    """A resolved place with its roll-up to district, region and country."""

    name: str  # canonical place name
    lat: float | None
    lon: float | None
    country: str | None
    country_code: str | None
    district: str | None = None
    region: str | None = None  # historical / analyst region, e.g. "Fezzan"
    feature: PlaceFeature = PlaceFeature.PLACE
    geonameid: int | None = None
    mentions: tuple[str, ...] = ()  # the spellings seen in the article


@dataclass(frozen=True)
class EnrichedArticle:
    """A clean article plus language, entities, quotes and places: everything the index needs."""

    article: CleanArticle
    language: Language
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    locations: tuple[Location, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def analysis_text(article: CleanArticle) -> str:
    """The text NER and place detection read: title, blank line, body, then each photo caption after a blank line
    (a place or person named only in a caption is still the article's). Mention offsets point into it; offsets into
    the title and body do not depend on the captions."""
    head = f"{article.title}\n\n{article.body}" if article.title else article.body
    captions = [c.strip() for c in article.captions if c.strip()]
    return "\n\n".join([head, *captions]) if captions else head


def part_bounds(article: CleanArticle) -> tuple[int, int]:
    """Where the title ends and where the captions start in ``analysis_text``: a mention before the first offset is
    in the title, from the second on in a caption, else in the body."""
    title_end = len(article.title) if article.title else 0
    body_end = title_end + (2 if article.title else 0) + len(article.body)
    return title_end, body_end


def part_at(bounds: tuple[int, int], start: int) -> Part:
    """The part of the article a mention starting at ``start`` stands in (see ``part_bounds``)."""
    title_end, body_end = bounds
    if start < title_end:
        return Part.TITLE
    return Part.CAPTION if start > body_end else Part.BODY
