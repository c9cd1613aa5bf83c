"""The entities stage: who is in an article (canonical actors with their mentions), who is quoted, and which place
names spaCy saw (handed on to the regions stage).

Why both NER and the knowledge base: spaCy's small models find names the KB does not know (a new analyst) but miss
acronyms ("IISS") and mislabel surnames ("Profazio" as a place, "Palermo" as a person). The KB scan catches known
aliases in any language, NER supplies the rest, and a few article-level rules (surname back-reference, "Full Name
(ACR)", places named elsewhere in the article, photo credits) settle the disagreements.

Only spaCy's ``ner`` component is loaded (plus ``tok2vec`` when ``ner`` listens to it), once per model per process.
Mention offsets point into ``analysis_text(article)``.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import ahocorasick  # untyped (no stubs): pyproject sets ignore_missing_imports for it

from etl.errors import ConfigurationError
from etl.knowledge.actors import Actor, KnowledgeBase, clean_mention, strip_titles
from etl.records import CleanArticle, Entity, EntityType, Language, Mention, NerSpan, Quote, analysis_text


@dataclass(frozen=True)
class EntityResult:
    """Everything the entities stage found in one article."""

    entities: tuple[Entity, ...]  # people, organisations, armed groups, media (NOT places)
    quotes: tuple[Quote, ...]
    place_mentions: tuple[Mention, ...]  # GPE/LOC/FAC spans spaCy found, for the regions stage


# -- spaCy models ------------------------------------------------------------------------------------------------------

_NOT_NER = (
    "tagger", "parser", "attribute_ruler", "lemmatizer", "trainable_lemmatizer", "morphologizer", "senter",
    "sentencizer", "textcat", "textcat_multilabel", "entity_linker", "entity_ruler", "spancat", "span_finder",
)  # fmt: skip
_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def load_model(name: str) -> Any:
    """A spaCy pipeline reduced to NER, loaded once per process (spaCy is untyped, hence ``Any``)."""
    with _models_lock:
        nlp = _models.get(name)
        if nlp is not None:
            return nlp
        import spacy  # heavy: imported on first use only

        try:
            nlp = spacy.load(name, exclude=list(_NOT_NER))
        except OSError as exc:
            raise ConfigurationError(f"spaCy model {name!r} is not installed: {exc}") from exc
        if "ner" not in nlp.pipe_names:
            raise ConfigurationError(f"spaCy model {name!r} has no 'ner' component")
        for shared in ("tok2vec", "transformer"):  # keep an embedding layer only if ner listens to it
            if shared in nlp.pipe_names and "ner" not in getattr(nlp.get_pipe(shared), "listening_components", []):
                nlp.remove_pipe(shared)
        _models[name] = nlp
        return nlp


# -- spans -------------------------------------------------------------------------------------------------------------

_LABELS = {"PERSON": "PERSON", "PER": "PERSON", "ORG": "ORG", "NORP": "NORP", "MISC": "MISC",
           "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE"}  # fmt: skip
_TITLE_BEFORE = re.compile(
    r"(?:(?<![\w.])(?:Field Marshal|Marshal|General|Gen\.|President|Prime Minister|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|"
    r"Colonel|Col\.|Sheikh|[Ll]e maréchal|[Ll]e général|[Ll]e président|Maréchal|Général|M\.)\s+)+$"
)
# Unqualified ministry names say nothing about who ("Interior", "Foreign Affairs", "Interior Ministry").
_GENERIC_ORG = re.compile(
    r"^(?:(?:the\s+)?(?:interior|foreign|defen[cs]e|finance|justice|health|oil|economy|foreign affairs|home office)"
    r"(?:\s+(?:affairs|ministry|minister|office))?|(?:the\s+)?ministry(?:\s+of\s+\w+(?:\s+affairs)?)?|government|"
    r"parliament|army|police|affairs)$",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-Þ\u0600-\u06FF]")


@dataclass
class _Found:
    """A mention resolved to an entity key (``seq``: its order of discovery)."""

    start: int
    end: int
    key: str
    seq: int = 0


@dataclass
class _Doc:
    """Per-article working state of the linker.

    ``_at`` indexes the found mentions by every character position they cover, so "which mentions overlap this
    span" costs the span's length, not the number of mentions found so far: linking stays linear in text size (a
    scan over every mention for every span was quadratic: 33 s and 2.5 GB on a 700,000-character page).
    """

    text: str
    kb: KnowledgeBase
    blocked: list[tuple[int, int]]
    credit_names: set[str]
    found: list[_Found] = field(default_factory=list)
    places: list[Mention] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # entity key -> display name
    types: dict[str, str] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    _at: dict[int, list[_Found]] = field(default_factory=dict)

    def add(self, start: int, end: int, key: str, name: str, kind: str, actor: Actor | None = None) -> None:
        found = _Found(start, end, key, len(self.found))
        self.found.append(found)
        self._index(found, start, end)
        self.types.setdefault(key, kind)
        if actor is not None:
            self.actors[key] = actor
            self.names[key] = actor.name
        elif len(name) > len(self.names.get(key, "")):
            self.names[key] = name

    def add_actor(self, start: int, end: int, actor: Actor) -> None:
        self.add(start, end, f"kb:{actor.id}", actor.name, actor.type, actor)

    def _index(self, found: _Found, start: int, end: int) -> None:
        for position in range(start, end):
            self._at.setdefault(position, []).append(found)

    def covered(self, start: int, end: int) -> bool:
        return any(position in self._at for position in range(start, end))

    def covering(self, start: int, end: int) -> list[_Found]:
        """The mentions overlapping [start, end), in the order they were found."""
        hits = {f.seq: f for position in range(start, end) for f in self._at.get(position, ())}
        return [hits[seq] for seq in sorted(hits)]

    def widen(self, covering: list[_Found], start: int, end: int, actor: Actor | None) -> bool:
        """Stretch one KB hit over a longer NER span naming the same actor; True if done."""
        if actor is None or len(covering) != 1 or self.actors.get(covering[0].key) is not actor:
            return False
        f = covering[0]
        old_start, old_end = f.start, f.end
        f.start, f.end = min(f.start, start), max(f.end, end)
        self._index(f, f.start, old_start)
        self._index(f, old_end, f.end)
        return True

    def is_blocked(self, start: int, end: int) -> bool:
        return any(b0 <= start and end <= b1 for b0, b1 in self.blocked)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Tighten a span: no leading article, no possessive, keep a bracketed first name ("[Muammar] Kadhafi")."""
    span = text[start:end]
    m = re.match(r"(?:the|The|le|la|les|l['’])\s*", span)
    if m and end - start - m.end() > 2:
        start += m.end()
    m2 = re.search(r"(?:['’]s|['’])$", text[start:end])
    if m2:
        end = start + m2.start()
    if "]" in text[start:end] and "[" not in text[start:end] and start > 0 and text[start - 1] == "[":
        start -= 1
    while end > start and text[end - 1] in " ,.;:":
        end -= 1
    return start, end


def _with_title(text: str, start: int) -> int:
    """Extend a person mention over the title written before it ("General Khalifa Haftar")."""
    m = _TITLE_BEFORE.search(text, max(0, start - 40), start)
    return m.start() if m and m.end() == start else start


def _surname(name: str) -> str | None:
    words = strip_titles(clean_mention(name)).split(" ")
    return words[-1] if len(words) >= 2 and len(words[-1]) > 2 else None


def _acronym_matches(acronym: str, name: str) -> bool:
    """``LNA`` fits "Libyan National Army": its letters appear in order among the name's word initials."""
    initials = "".join(w[0] for w in re.findall(r"[^\W\d_]+", name)).lower()
    it = iter(initials)
    return all(ch in it for ch in acronym.lower())


def _link(text: str, spans: Sequence[tuple[int, int, str]], kb: KnowledgeBase, article: CleanArticle) -> _Doc:
    """Resolve NER spans and KB hits to entities; collect place mentions.

    In order: knowledge-base aliases found in the text; NER spans that the KB links or that lie inside a KB hit;
    then the rest (surnames of full names seen, acronyms defined in the text, places, new people and organisations);
    finally the surnames and acronyms NER missed elsewhere.
    """
    doc = _Doc(text=text, kb=kb, **_credit_filter(text, article.credits))
    for start, end, actor in kb.scan(text):
        if not doc.is_blocked(start, end):
            doc.add_actor(_with_title(text, start) if actor.type == "person" else start, end, actor)
    place_keys = {clean_mention(text[s:e]) for s, e, label in spans if label == "PLACE"}
    pending = _link_known(doc, spans)
    surnames = _surname_owners(doc, pending)
    acronyms = _acronym_map(doc, pending)
    for start, end, label in pending:
        _link_pending(doc, start, end, label, surnames, acronyms, place_keys)
    _add_missed_occurrences(doc, surnames, acronyms)
    return doc


def _credit_filter(text: str, credits: Sequence[str]) -> dict[str, Any]:
    """Where photo credits stand in the text, and the names in them: a photographer is not an actor of the story."""
    blocked = [(m.start(), m.end()) for c in credits if c.strip() for m in re.finditer(re.escape(c), text)]
    credit_names = {
        clean_mention(part)
        for c in credits
        for part in re.split(r"[/|,;©]|\b(?:photo|credit|crédit)s?\b:?", c, flags=re.IGNORECASE)
        if part.strip()
    }
    credit_names |= {w for n in credit_names for w in n.split(" ") if len(w) > 2}
    return {"blocked": blocked, "credit_names": credit_names}


def _link_known(doc: _Doc, spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Settle the NER spans the knowledge base decides: a longer span over a KB hit widens it ("[Muammar] Kadhafi"),
    a place inside a KB hit is kept as a place ("Misrata" in "Misrata militia"), a span the KB links becomes that
    actor. Returns the spans left for the article-level rules."""
    text, kb = doc.text, doc.kb
    pending: list[tuple[int, int, str]] = []
    for raw_start, raw_end, label in spans:
        start, end = _trim(text, raw_start, raw_end)
        if end <= start or doc.is_blocked(start, end):
            continue
        mention = text[start:end]
        covering = doc.covering(start, end)
        if covering:
            if doc.widen(covering, start, end, kb.lookup(mention)):
                continue
            inside = all(f.start <= start and end <= f.end and (f.start, f.end) != (start, end) for f in covering)
            if inside and (label == "PLACE" or kb.is_place_name(mention)):
                doc.places.append(Mention(mention, start, end))
            continue
        linked = kb.lookup(mention) if label != "PLACE" or not kb.is_place_name(mention) else None
        if linked is not None and (label != "NORP" or linked.type != "person"):
            doc.add_actor(_with_title(text, start) if linked.type == "person" else start, end, linked)
        else:
            pending.append((start, end, label))
    return pending


def _surname_owners(doc: _Doc, pending: Sequence[tuple[int, int, str]]) -> dict[str, set[str]]:
    """Surname -> the people (entity keys) whose full name ends with it: new people NER found, and people found."""
    text = doc.text
    surnames: dict[str, set[str]] = {}
    for start, end, label in pending:
        if label == "PERSON" and _surname(text[start:end]) and not _is_credit(doc, text[start:end]):
            name = text[start:end]
            key = f"person:{strip_titles(clean_mention(name))}"
            surnames.setdefault(_surname(name) or "", set()).add(key)
    for f in doc.found:
        if doc.types[f.key] == "person":
            for name in (doc.names[f.key], text[f.start : f.end]):
                if (s := _surname(name)) is not None:
                    surnames.setdefault(s, set()).add(f.key)
    return surnames


def _link_pending(doc: _Doc, start: int, end: int, label: str, surnames: Mapping[str, set[str]],
                  acronyms: Mapping[str, str], place_keys: set[str]) -> None:
    """One span the knowledge base did not settle: a surname or acronym of someone found, a place, a new person or
    organisation, or nothing (nationalities, generic ministries, photographers, numbers)."""
    text, kb = doc.text, doc.kb
    mention = text[start:end]
    key = strip_titles(clean_mention(mention))
    if not key or not _NAME_TOKEN.match(mention.lstrip("[")):
        return
    owners = surnames.get(key, set()) if " " not in key else set()
    if len(owners) == 1:
        owner = next(iter(owners))
        name = doc.names.get(owner, mention)
        doc.add(_with_title(text, start), end, owner, name, "person", doc.actors.get(owner))
    elif mention in acronyms:
        owner = acronyms[mention]
        doc.add(start, end, owner, doc.names.get(owner, mention), doc.types.get(owner, "organization"))
    elif label in ("NORP", "MISC"):
        return  # nationalities and the like: neither actors nor places
    elif label == "PLACE" or kb.is_place_name(mention) or key in place_keys:
        doc.places.append(Mention(mention, start, end))
    elif label == "PERSON":
        if _is_credit(doc, mention) or any(ch.isdigit() for ch in mention):
            return
        name = _strip_title_text(mention)
        doc.add(_with_title(text, start), end, f"person:{strip_titles(clean_mention(name))}", name, "person")
    elif label == "ORG" and not _GENERIC_ORG.match(clean_mention(mention)) and not _is_credit(doc, mention):
        doc.add(start, end, f"organization:{key}", mention, "organization")


def _is_credit(doc: _Doc, mention: str) -> bool:
    return strip_titles(clean_mention(mention)) in doc.credit_names


def _strip_title_text(name: str) -> str:
    words = name.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in {
        "general",
        "gen",
        "mr",
        "mrs",
        "ms",
        "dr",
        "president",
        "colonel",
        "col",
        "marshal",
        "sheikh",
        "m",
    }:
        words = words[1:]
    return " ".join(words)


def _acronym_map(doc: _Doc, pending: Sequence[tuple[int, int, str]]) -> dict[str, str]:
    """Acronyms defined in the text as "Full Name (ACR)", mapped to the full name's entity key."""
    text = doc.text
    acronyms: dict[str, str] = {}
    found_by_end: dict[int, list[_Found]] = {}
    for f in doc.found:
        found_by_end.setdefault(f.end, []).append(f)
    orgs_by_end: dict[int, list[tuple[int, int]]] = {}
    for start, end, label in pending:
        if label == "ORG":
            orgs_by_end.setdefault(end, []).append((start, end))
    for m in re.finditer(r"\(\s*([A-Z][A-Za-z]{1,9})\s*\)", text):
        acronym, before = m.group(1), m.start()
        while before > 0 and text[before - 1] == " ":
            before -= 1
        owner = next((f.key for f in found_by_end.get(before, ()) if _acronym_matches(acronym, doc.names[f.key])),
                     None)
        if owner is None:
            for start, end in orgs_by_end.get(before, ()):
                if _acronym_matches(acronym, text[start:end]):
                    owner = f"organization:{strip_titles(clean_mention(text[start:end]))}"
                    doc.add(start, end, owner, text[start:end], "organization")
                    found_by_end.setdefault(end, []).append(doc.found[-1])
                    break
        if owner is not None:
            acronyms[acronym] = owner
    return acronyms


def _add_missed_occurrences(doc: _Doc, surnames: Mapping[str, set[str]], acronyms: Mapping[str, str]) -> None:
    """Surnames and defined acronyms NER missed elsewhere in the text (case-sensitive, whole words)."""
    wanted: dict[str, str] = dict(acronyms)
    for surname, owners in surnames.items():
        if len(owners) == 1:
            owner = next(iter(owners))
            if owner not in doc.names:  # the full name was dropped after its surname was noted (e.g. "log entry 0101")
                continue
            display = next((w for w in doc.names[owner].split() if clean_mention(w) == surname), None)
            if display and not doc.kb.is_place_name(display):
                wanted.setdefault(display, owner)
    wanted = {word: owner for word, owner in wanted.items() if owner in doc.names}
    occurrences = word_occurrences(doc.text, list(wanted))
    for word, owner in wanted.items():
        for found_start, found_end in occurrences.get(word, ()):
            if not doc.covered(found_start, found_end) and not doc.is_blocked(found_start, found_end):
                kind = doc.types[owner]
                start = _with_title(doc.text, found_start) if kind == "person" else found_start
                doc.add(start, found_end, owner, doc.names[owner], kind, doc.actors.get(owner))


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_-"


def word_occurrences(text: str, words: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
    """Where each word stands alone in ``text`` (no letter, digit, "_" or "-" touching it), left to right and not
    overlapping itself: every word found in one Aho-Corasick pass over the text (linear in its length, whatever
    the number of words)."""
    words = [w for w in dict.fromkeys(words) if w]
    if not words:
        return {}
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    out: dict[str, list[tuple[int, int]]] = {}
    last_end: dict[str, int] = {}
    for last, word in automaton.iter(text):  # ordered by end; one word's matches are thus ordered by start too
        end = last + 1
        start = end - len(word)
        if start < last_end.get(word, 0):
            continue
        if (start == 0 or not _is_name_char(text[start - 1])) and (end == len(text) or not _is_name_char(text[end])):
            out.setdefault(word, []).append((start, end))
            last_end[word] = end
    return out


def _entities(doc: _Doc) -> tuple[Entity, ...]:
    by_key: dict[str, list[_Found]] = {}
    for f in sorted(doc.found, key=lambda f: (f.start, f.end)):
        by_key.setdefault(f.key, []).append(f)
    out: list[Entity] = []
    for key, founds in by_key.items():
        actor = doc.actors.get(key)
        seen: set[tuple[int, int]] = set()
        mentions = []
        for f in founds:
            if (f.start, f.end) not in seen:
                seen.add((f.start, f.end))
                mentions.append(Mention(doc.text[f.start : f.end], f.start, f.end))
        out.append(
            Entity(
                name=doc.names[key],
                type=EntityType(doc.types[key]),
                kb_id=actor.id if actor else None,
                wikidata=actor.wikidata if actor else None,
                mentions=tuple(mentions),
            )
        )
    return tuple(out)


# -- quotes ------------------------------------------------------------------------------------------------------------

_VERBS = (
    r"says|said|say|explains|explained|comments|commented|continues|continued|adds|added|notes|noted|argues|argued|"
    r"warns|warned|insists|insisted|stresses|stressed|states|stated|reckons|recalls|recalled|concludes|concluded|"
    r"asserts|asserted|believes|points out|pointed out|"
    r"explique|a expliqué|déclare|a déclaré|affirme|a affirmé|ajoute|a ajouté|estime|a estimé|souligne|a souligné|"
    r"poursuit|dit|a dit|indique|a indiqué|précise|a précisé|assure|a assuré|commente|note|confie|raconte|insiste"
)
_SUBJECT_VERBS = _VERBS + r"|told|tells|tell|a confié|a raconté"
_INVERTED = re.compile(rf"\b(?:{_VERBS}|according to|selon|d'après)\s+", re.IGNORECASE)
_SUBJECT = re.compile(rf"(?:\s*,[^,\"“”«»]{{1,90}},)?\s+(?:has\s+|had\s+|also\s+|then\s+)?(?:{_SUBJECT_VERBS})\b")
_PRONOUN = re.compile(
    rf"\b(?:he|she|He|She|il|elle|Il|Elle)\s+(?:has\s+|had\s+|also\s+)?(?:{_SUBJECT_VERBS})\b"
    rf"|\b(?:{_VERBS})\s+(?:he|she)\b|\b\w+-t-(?:il|elle)\b|\b(?:dit|ajoute|poursuit|explique|estime)-(?:il|elle)\b"
)
_REPORTING = re.compile(
    rf"\s+(?:{_SUBJECT_VERBS}|doubts|doubted|thinks|thought|fears|feared|hopes|hoped|suggests|suggested|predicts|"
    r"expects|expected|doute|pense|craint|espère)\b"
)
_SKIP_BEFORE_NAME = re.compile(r"(?:(?:the|le|la|l')\s+)?(?:[A-Z][a-z]+\s+){0,3}?")
_QUOTE_CHARS = '"“”«»„'
_QUOTE_MARK = re.compile("[" + re.escape(_QUOTE_CHARS) + "]")


def _quoted_segments(paragraph: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks: straight or curly, mixed pairs allowed (« opens, » closes)."""
    segments: list[tuple[int, int]] = []
    open_at: int | None = None
    for mark in _QUOTE_MARK.finditer(paragraph):  # only the marks, not every character, go through Python
        i, ch = mark.start(), mark.group()
        if ch == "«" or (open_at is None and ch != "»"):
            open_at = i + 1
        elif open_at is not None:
            segments.append((open_at, i))
            open_at = None
    return segments


def _quotes(doc: _Doc) -> tuple[Quote, ...]:
    """Quotes with speakers: each quoted segment takes the nearest attribution in the text around it (up to the
    neighbouring segments); consecutive segments of one speaker are one quote ("A," continues Belfer, "B.");
    pronoun speakers point back to the last named speaker, also one named in indirect speech ("Belfer doubts")."""
    text = doc.text
    speakers = [f for f in doc.found if doc.types[f.key] in ("person", "organization", "armed_group")]
    by_start = {f.start: f for f in speakers}
    paragraphs = text.split("\n")
    near_paragraph = _by_paragraph(speakers, paragraphs)
    quotes: list[Quote] = []
    last_speaker: str | None = None
    offset = 0
    for number, paragraph in enumerate(paragraphs):
        base = offset
        offset += len(paragraph) + 1
        segments = _quoted_segments(paragraph)
        nearby = near_paragraph.get(number, [])
        if not segments:
            named = [f for f in nearby if _REPORTING.match(text, f.end)]
            if named and doc.types[named[-1].key] == "person":  # "But Belfer doubts whether ..." sets up "he says"
                last_speaker = named[-1].key
            continue
        masked = list(paragraph)
        for s, e in segments:
            masked[s:e] = " " * (e - s)
        frame = "".join(masked)
        candidates = _attributions(frame, base, by_start, nearby, segments)
        groups: list[tuple[str | None, list[str]]] = []
        for i, (s, e) in enumerate(segments):
            lo = segments[i - 1][1] if i else 0
            hi = segments[i + 1][0] if i + 1 < len(segments) else len(paragraph)
            near = [c for c in candidates if lo <= c[0] <= hi]
            speaker: str | None = None
            if near:

                def rank(c: tuple[int, str | None], s: int = s, e: int = e) -> tuple[int, bool, bool]:
                    distance = c[0] - e if c[0] >= e else s - c[0]
                    return distance, c[1] is None, doc.types.get(c[1] or "", "") != "person"

                speaker = min(near, key=rank)[1] or last_speaker
                if speaker is not None:
                    last_speaker = speaker
            segment = paragraph[s:e].strip()
            if groups and groups[-1][0] == speaker:
                groups[-1][1].append(segment)
            else:
                groups.append((speaker, [segment]))
        for speaker, parts in groups:
            quote_text = _tidy(" ".join(parts))
            if speaker is None and len(quote_text.split()) < 6:
                continue  # scare quotes and titles, not speech
            actor = doc.actors.get(speaker) if speaker else None
            quotes.append(
                Quote(
                    speaker=doc.names[speaker] if speaker else None,
                    text=quote_text,
                    speaker_kb_id=actor.id if actor else None,
                )
            )
    return tuple(quotes)


def _by_paragraph(speakers: Sequence[_Found], paragraphs: Sequence[str]) -> dict[int, list[_Found]]:
    """Paragraph number -> the speakers whose mention ends in it or on its edges (its start, or just past its line
    break), in order: each paragraph then looks only at its own speakers (linear, not paragraphs x speakers)."""
    starts = list(accumulate((len(p) + 1 for p in paragraphs[:-1]), initial=0))
    out: dict[int, list[_Found]] = {}
    for f in speakers:
        number = bisect_right(starts, f.end) - 1
        if number > 0 and f.end == starts[number]:
            out.setdefault(number - 1, []).append(f)  # also just past the previous paragraph's line break
        out.setdefault(number, []).append(f)
    return out


def _attributions(
    frame: str,
    base: int,
    by_start: Mapping[int, _Found],
    speakers: Sequence[_Found],
    segments: Sequence[tuple[int, int]],
) -> list[tuple[int, str | None]]:
    """Attribution points in a paragraph's unquoted text: (position, speaker key, or None for a pronoun)."""
    candidates: list[tuple[int, str | None]] = []
    for m in _INVERTED.finditer(frame):  # "explains Umberto Profazio", "comments Belfer"
        rest = _SKIP_BEFORE_NAME.match(frame, m.end())
        for pos in (m.end(), rest.end() if rest else m.end()):
            f = by_start.get(base + pos)
            if f is not None:
                candidates.append((m.start(), f.key))
                break
    for f in speakers:  # "Profazio told RFI", "Belfer, an analyst, said"
        end = f.end - base
        if 0 <= end <= len(frame) and not any(s <= end <= e for s, e in segments) and _SUBJECT.match(frame, end):
            candidates.append((end, f.key))
    candidates.extend((m.start(), None) for m in _PRONOUN.finditer(frame))  # "he told RFI", "a-t-il ajouté"
    return candidates


def _tidy(quote: str) -> str:
    quote = re.sub(r"\s+", " ", quote).strip()
    return re.sub(r",$", ".", quote)


# -- entry point -------------------------------------------------------------------------------------------------------


def _ner_spans(docs: Iterable[Any]) -> Iterable[tuple[NerSpan, ...]]:
    for sdoc in docs:
        yield tuple(NerSpan(e.start_char, e.end_char, _LABELS[e.label_]) for e in sdoc.ents if e.label_ in _LABELS)


def recognise(items: Sequence[tuple[CleanArticle, Language]], models: Mapping[str, str],
              batch_size: int = 32) -> list[tuple[NerSpan, ...]]:
    """spaCy's named-entity spans for each (article, language), in input order (offsets into ``analysis_text``).

    Articles are grouped by language and run through ``nlp.pipe``; a language with no model in ``models`` gets
    none. This is the one step that needs spaCy: ``link`` redoes everything after it from the spans alone.
    """
    texts = [analysis_text(article) for article, _ in items]
    found: list[list[NerSpan]] = [[] for _ in items]
    by_language: dict[str, list[int]] = {}
    for i, (_, language) in enumerate(items):
        if language.code in models:
            by_language.setdefault(language.code, []).append(i)
    for code, indices in by_language.items():
        nlp = load_model(models[code])
        pieces = [(i, offset, piece) for i in indices for offset, piece in ner_pieces(texts[i])]
        for group in _batches_of_chars(pieces, batch_size):
            docs = nlp.pipe((piece for _, _, piece in group), batch_size=len(group))
            for (i, offset, _), piece_spans in zip(group, _ner_spans(docs), strict=True):
                found[i].extend(NerSpan(s.start + offset, s.end + offset, s.label) for s in piece_spans)
    return [tuple(spans) for spans in found]


NER_BATCH_CHARS = 60_000
"""Characters spaCy holds in one minibatch: about a dozen news articles, or three pieces of a long one."""


def _batches_of_chars(pieces: list[tuple[int, int, str]], most: int) -> Iterator[list[tuple[int, int, str]]]:
    """Consecutive groups of at most ``most`` pieces and ``NER_BATCH_CHARS`` characters (at least one piece each)."""
    group: list[tuple[int, int, str]] = []
    size = 0
    for piece in pieces:
        if group and (len(group) >= most or size + len(piece[2]) > NER_BATCH_CHARS):
            yield group
            group, size = [], 0
        group.append(piece)
        size += len(piece[2])
    if group:
        yield group


NER_PIECE_CHARS = 20_000
"""Longest text spaCy sees at once. Its memory grows with the text it holds (about 2.5 MB per 1,000 characters for
the small models), so a 400,000-character article held whole took a worker past 1.5 GB; cut at paragraph breaks,
no name is split and a worker's memory stays bounded whatever the article's length."""


def ner_pieces(text: str, limit: int = NER_PIECE_CHARS) -> list[tuple[int, str]]:
    """``text`` cut into (offset, piece) of at most ``limit`` characters, at a paragraph break, else a line break,
    else a sentence end, else a space (else anywhere): pieces put back together are the text."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = next((at + len(mark) for mark in ("\n\n", "\n", ". ", " ") if (at := window.rfind(mark)) > limit // 2),
                   limit)
        pieces.append((start, window[:cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def link(article: CleanArticle, spans: Sequence[NerSpan], kb: KnowledgeBase) -> EntityResult:
    """Canonical actors, quotes and place mentions of one article from its NER spans and the knowledge base."""
    text = analysis_text(article)
    doc = _link(text, [(span.start, span.end, span.label) for span in spans], kb, article)
    places = tuple(sorted({(p.start, p.end): p for p in doc.places}.values(), key=lambda p: p.start))
    return EntityResult(entities=_entities(doc), quotes=_quotes(doc), place_mentions=places)


def extract_entities(items: Sequence[tuple[CleanArticle, Language]], models: Mapping[str, str], kb: KnowledgeBase,
                     batch_size: int = 32) -> list[EntityResult]:
    """Entities, quotes and place mentions for each (article, language), in input order: ``recognise`` then
    ``link``. A language with no model gets knowledge-base matches only (no NER, no place mentions)."""
    spans = recognise(items, models, batch_size)
    return [link(article, article_spans, kb) for (article, _), article_spans in zip(items, spans, strict=True)]
