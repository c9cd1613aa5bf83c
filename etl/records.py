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
    """What an entity is; the first four are actors (the ``actors`` facet)."""

    PERSON = "person"
    ORGANIZATION = "organization"
    ARMED_GROUP = "armed_group"
    MEDIA = "media"
    PLACE = "place"
    OTHER = "other"


ACTOR_TYPES = frozenset({EntityType.PERSON, EntityType.ORGANIZATION, EntityType.ARMED_GROUP, EntityType.MEDIA})


class PlaceFeature(StrEnum):
    """What kind of place a gazetteer entry or a resolved location is."""

    CONTINENT = "continent"
    COUNTRY = "country"
    STATE = "state"  # a first-level division outside Libya (a US state, a Nigerian state)
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


@dataclass(frozen=True)
class Language:
    """Detected language with the detector's probability."""

    code: str  # ISO 639-1, or "und" when undetermined
    confidence: float


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in the text (character offsets into ``title + "\\n\\n" + body``)."""

    text: str
    start: int
    end: int


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
    """The text NER and place detection read: title, blank line, body. Mention offsets point into it."""
    return f"{article.title}\n\n{article.body}" if article.title else article.body
