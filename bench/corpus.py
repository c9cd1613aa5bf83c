"""Synthetic news corpus for the benchmarks: N varied, realistic articles recombined from text we may ship.

Why: throughput and latency figures need thousands of distinct articles of realistic length and vocabulary, and the only
text we may ship is ours (``seeds/``: the RFI seed and our demo articles). Each article samples paragraphs across those
sources, shuffles sentences, swaps people for knowledge-base actors (``etl/knowledge/data/actors.jsonl``) and towns for
gazetteer places (``etl.knowledge.gazetteer``), and adds sentences with unique numbers and dates, so no two files are
alike (no cache, no duplicate rejection helps a benchmark). About 780 words in English; a share is French (shorter: our
French seed has ~200 words of story), a share HTML with site chrome, a share cp1252-encoded text.

Files are written streaming, 1000 per sub-folder, with a hidden manifest (``.corpus.json``, skipped by the inbox
listing) so a second call with the same parameters reuses the folder.

Usage: ``python -m bench.corpus DIR --n 10000 [--seed 7]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import re
import string
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from etl.knowledge.gazetteer import Gazetteer

ROOT = Path(__file__).resolve().parent.parent

SEEDS = ROOT / "seeds"
ACTORS = ROOT / "etl" / "knowledge" / "data" / "actors.jsonl"
CORPUS_VERSION = 2
MANIFEST = ".corpus.json"
PER_FOLDER = 1000

# Seed spellings -> slot. Every surface form of one slot gets the same replacement in an article, surnames too.
PERSON_SLOTS: dict[str, tuple[str, ...]] = {
    "P0": ("Khalifa Haftar", "Khalifa Hifter", "Haftar", "Hifter"),
    "P1": ("Fayez al-Sarraj", "al-Sarraj"),
    "P2": ("Khaled al-Mechri",),
    "P3": ("Aguila Salah",),
    "P4": ("Ghassan Salame",),
    "P5": ("Matteo Salvini", "Salvini"),
    "P6": ("Enzo Moavero Milanesi",),
    "A0": ("Umberto Profazio", "Profazio"),
    "A1": ("Mitchell Belfer", "Belfer"),
}
LIBYAN_TOWNS = ("Tripoli", "Benghazi", "Misrata", "Sirte", "Tobruk", "Sabha", "Ubari", "Murzuq")
FOREIGN_CITIES = ("Palermo", "Rome", "Paris")
KEEP_NAME = 0.35  # share of slots left as written: real coverage is skewed towards a few actors and towns

EN_TEMPLATES = (
    "On {date}, officials in {town} said {n:,} people had been displaced since {month}.",
    "The port of {town} handled {n:,} tonnes of flour and {m} containers in {month} {year}, traders said.",
    "{person} met {m} delegates in {town} on {date}, according to a statement released at {hh:02d}:{mm:02d}.",
    "Oil output stood at {n:,} barrels per day on {date}, up {m} percent on the previous week.",
    "At least {m} people were wounded near {town} on {weekday}, a hospital official said, and {k} were missing.",
    "Fuel prices in {town} rose to {p:.2f} dinars a litre by {date}, {k} times the official rate.",
    "The {org} said it had registered {n:,} migrants in {town} between {month} and {date}.",
    "A convoy of {m} trucks reached {town} on {date} after {k} days on the road from {town2}.",
)
FR_TEMPLATES = (
    "Le {date}, les autorités de {town} ont recensé {n:,} déplacés depuis {month}.",
    "Selon {org}, {n:,} migrants ont été enregistrés à {town} entre {month} et le {date}.",
    "{person} a reçu {m} délégués à {town} le {date}, selon un communiqué publié à {hh:02d}h{mm:02d}.",
    "La production de pétrole atteignait {n:,} barils par jour le {date}, en hausse de {m} %.",
    "Au moins {m} personnes ont été blessées près de {town} {weekday}, a indiqué un responsable hospitalier.",
    "Un convoi de {m} camions est arrivé à {town} le {date}, après {k} jours de route depuis {town2}.",
)
EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
FR_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
EN_TITLES = (
    "{person} under pressure as talks on {country}'s future stall",
    "Clashes near {town} raise fears for {region}'s oil fields",
    "{town} port reopens as {org} pledges support",
    "{person} courts {town} leaders ahead of {city} conference",
    "Migrants stranded in {town} as {org} warns of funding gap",
    "Fighting around {town} tests fragile truce brokered in {city}",
)
FR_TITLES = (
    "Libye : à {town}, {person} cherche des appuis",
    "Libye : tensions autour de {town} avant la conférence de {city}",
    "Libye : {org} s'inquiète de la situation à {town}",
)
ORGS = (
    "United Nations",
    "International Organization for Migration",
    "African Union",
    "European Union",
    "National Oil Corporation",
    "UNHCR",
    "Red Crescent",
    "Central Bank of Libya",
)
FR_ORGS = (
    "les Nations unies",
    "l'Organisation internationale pour les migrations",
    "l'Union africaine",
    "l'Union européenne",
    "le Croissant-Rouge",
)
HTML_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title} | Newsfacet Demo Wire</title>
<meta property="og:site_name" content="Newsfacet Demo Wire">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{iso}T{hh:02d}:{mm:02d}:00+00:00">
<link rel="canonical" href="https://demo.newsfacet.example/libya/{slug}">
<script>window.dataLayer = window.dataLayer || [];</script>
</head>
<body>
<div class="cookie-banner"><p>We use cookies to improve your experience on our site.</p><button>Accept</button></div>
<header><a class="logo" href="/">Newsfacet Demo Wire</a><nav><ul><li><a href="/world">World</a></li>
<li><a href="/africa">Africa</a></li><li><a href="/business">Business</a></li></ul></nav></header>
<main><article class="story">
<h1>{title}</h1>
<p class="byline">By Newsfacet Demo Desk</p>
<time datetime="{iso}">{human}</time>
<div class="share-buttons"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a></div>
<figure><img src="/img/{slug}.jpg" alt=""><figcaption>{caption} <span class="credit">Newsfacet Demo Wire/Staff</span>\
</figcaption></figure>
{paragraphs}
<div class="newsletter-box"><h3>Sign up for our daily newsletter</h3><p>Get the briefing every morning.</p></div>
</article>
<aside class="related"><h3>Related stories</h3><ul>
<li><a href="/libya/a">Tripoli ceasefire talks stall for a third week</a></li>
<li><a href="/libya/b">Libyan oil output climbs to a five-year high</a></li></ul></aside>
</main>
<footer><p>Follow us on Twitter and Facebook.</p><p>© {year} Newsfacet Demo Wire. All rights reserved.</p></footer>
</body>
</html>
"""
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z«\"“])")
_HTML_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class CorpusSpec:
    """What a corpus folder holds; equal specs mean the folder can be reused as is."""

    n: int
    seed: int = 7
    french_share: float = 0.10
    html_share: float = 0.15
    cp1252_share: float = 0.05
    words: int = 780
    version: int = CORPUS_VERSION


_Piece = str | tuple[str, bool, str]  # literal text, or (slot, is surname, seed spelling) to fill per article
_Paragraph = tuple[tuple[_Piece, ...], ...]  # sentences, each pre-cut at the names to substitute


@dataclass(frozen=True)
class _Sources:
    """Paragraph pools and substitution vocabularies, read once."""

    en: tuple[_Paragraph, ...]
    fr: tuple[_Paragraph, ...]
    persons: tuple[tuple[str, str], ...]  # (full name, surname)
    towns: tuple[str, ...]
    cities: tuple[str, ...]


def _story_paragraphs(path: Path) -> list[str]:
    """Story paragraphs of one seed, through our own extract + clean stages (captions, chrome and credits left out)."""
    from etl.clean import clean
    from etl.extract import decode, read_file

    article = clean(decode(read_file(path, 1 << 20)))
    return [p for p in article.paragraphs if len(p.split()) >= 12]


def _actors() -> list[tuple[str, str]]:
    people: list[tuple[str, str]] = []
    for line in ACTORS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            actor = json.loads(line)
            if actor["type"] == "person":
                name = actor["name"]
                people.append((name, name.split()[-1]))
    return people


_loaded: list[_Sources] = []


def load_sources() -> _Sources:
    """Seeds, KB people and gazetteer places, once per process (forked writers share it); ~1 s, the gazetteer."""
    if not _loaded:
        _loaded.append(_read_sources())
    return _loaded[0]


def _read_sources() -> _Sources:
    en: list[str] = []
    for name in (
        "rfi-2018-11-13-haftar-boycotts-palermo.txt",
        "newsfacet-demo-benghazi-port-cp1252.txt",
        "newsfacet-demo-sabha-fezzan.html",
    ):
        en.extend(_story_paragraphs(SEEDS / name))
    fr = _story_paragraphs(SEEDS / "newsfacet-demo-tripoli-fr.txt")
    gazetteer = Gazetteer.load()
    # One-word names only: a two-word town spaCy labels PERSON ("Al Marj", "Az Zawiyah") crashes the entities stage
    # (KeyError in etl.entities._add_missed_occurrences; reported), which would stop every benchmark batch.
    ascii_name = re.compile(r"^[A-Z][a-z]+$")
    libyan = sorted(
        (
            p
            for p in gazetteer.places
            if p.country_code == "LY" and p.feature == "city" and ascii_name.match(p.asciiname)
        ),
        key=lambda p: -p.population,
    )
    foreign = sorted(
        (
            p
            for p in gazetteer.places
            if p.country_code not in ("LY", "")
            and p.feature == "city"
            and p.population > 1_000_000
            and ascii_name.match(p.asciiname)
        ),
        key=lambda p: -p.population,
    )
    slot_of: dict[str, tuple[str, bool]] = {}
    for slot, forms in PERSON_SLOTS.items():
        full = forms[0]
        for form in forms:
            slot_of[form] = (slot, form != full and " " not in form)  # "Haftar", "al-Sarraj": a surname
    for town in LIBYAN_TOWNS:
        slot_of[town] = (f"T:{town}", False)
    for city in FOREIGN_CITIES:
        slot_of[city] = (f"C:{city}", False)
    surfaces = sorted(slot_of, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(s) for s in surfaces) + r")(?![\w-])")

    def cut(paragraph: str) -> _Paragraph:
        """Sentences cut at substitutable names once, so an article only joins pieces (100k in seconds)."""
        sentences = []
        for sentence in _SENTENCE.split(paragraph):
            pieces: list[_Piece] = []
            at = 0
            for m in pattern.finditer(sentence):
                pieces += [sentence[at : m.start()], (*slot_of[m.group(0)], m.group(0))]
                at = m.end()
            pieces.append(sentence[at:])
            sentences.append(tuple(pieces))
        return tuple(sentences)

    return _Sources(
        en=tuple(cut(p) for p in en),
        fr=tuple(cut(p) for p in fr),
        persons=tuple(_actors()),
        towns=tuple(dict.fromkeys(p.asciiname for p in libyan[:60])),
        cities=tuple(dict.fromkeys(p.asciiname for p in foreign[:150])),
    )


_FIELDS = {t: {f for _, f, _, _ in string.Formatter().parse(t) if f} for t in EN_TEMPLATES + FR_TEMPLATES}


class _Article:
    """One article's choices: its replacements, date and numbers."""

    def __init__(self, serial: int, rng: random.Random, src: _Sources, french: bool) -> None:
        self.serial = serial
        self.rng = rng
        self.src = src
        self.french = french
        self.day = date(2016, 1, 1) + timedelta(days=rng.randrange(3650))
        people = rng.sample(src.persons, len(PERSON_SLOTS))
        self.people = {slot: (None if rng.random() < KEEP_NAME else people[i]) for i, slot in enumerate(PERSON_SLOTS)}
        self.towns = {t: (t if rng.random() < KEEP_NAME else rng.choice(src.towns)) for t in LIBYAN_TOWNS}
        self.cities = {c: (c if rng.random() < KEEP_NAME else rng.choice(src.cities)) for c in FOREIGN_CITIES}

    def render(self, paragraph: _Paragraph) -> str:
        """The paragraph with this article's names, its sentences shuffled half the time."""
        sentences = list(paragraph)
        if len(sentences) > 2 and self.rng.random() < 0.5:
            self.rng.shuffle(sentences)
        return " ".join("".join(p if isinstance(p, str) else self._replace(*p) for p in s) for s in sentences)

    def _replace(self, slot: str, surname: bool, surface: str) -> str:
        if slot.startswith("T:"):
            return self.towns[slot[2:]]
        if slot.startswith("C:"):
            return self.cities[slot[2:]]
        person = self.people[slot]
        if person is None:  # kept as written in the seed
            return surface
        return person[1] if surname else person[0]

    def _date(self, offset: int) -> str:
        d = self.day - timedelta(days=offset)
        if self.french:
            return f"{d.day} {FR_MONTHS[d.month - 1]} {d.year}"
        return f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}"

    def fill(self, template: str, first: bool = False) -> str:
        rng = self.rng
        person = self.people["P0"] or ("Khalifa Haftar", "Haftar")
        fields = _FIELDS[template]
        make: dict[str, Callable[[], object]] = {
            "date": lambda: self._date(rng.randrange(1, 60)),
            "month": lambda: (FR_MONTHS if self.french else EN_MONTHS)[rng.randrange(12)],
            "year": lambda: self.day.year,
            "weekday": lambda: (FR_DAYS if self.french else EN_DAYS)[rng.randrange(7)],
            "town": lambda: rng.choice(self.src.towns),
            "town2": lambda: rng.choice(self.src.towns),
            "person": lambda: person[0],
            "org": lambda: rng.choice(FR_ORGS if self.french else ORGS),
            # the first sentence carries the serial: no two articles can be the same text
            "n": lambda: 10_000 + self.serial if first else rng.randrange(1_000, 900_000),
            "m": lambda: rng.randrange(2, 400),
            "k": lambda: rng.randrange(2, 30),
            "p": lambda: rng.uniform(0.15, 9.0),
            "hh": lambda: rng.randrange(24),
            "mm": lambda: rng.randrange(60),
        }
        text = template.format(**{name: make[name]() for name in fields})
        return text.replace(",", "\u202f") if self.french and "{n:,}" in template else text

    def compose(self, words: int) -> tuple[str, list[str]]:
        """Title and paragraphs: sampled story paragraphs with generated sentences mixed in."""
        rng = self.rng
        pool = list(self.src.fr if self.french else self.src.en)
        templates = FR_TEMPLATES if self.french else EN_TEMPLATES
        target = words if not self.french else min(words, 460)
        rng.shuffle(pool)
        paragraphs: list[str] = [self.fill(rng.choice(templates), first=True)]
        count = len(paragraphs[0].split())
        for paragraph in pool:
            if count >= target - 40:
                break
            text = self.render(paragraph)
            if rng.random() < 0.3:
                text += " " + self.fill(rng.choice(templates))
            paragraphs.append(text)
            count += len(text.split())
        while count < target - 40:
            extra = " ".join(self.fill(rng.choice(templates)) for _ in range(3))
            paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), extra)
            count += len(extra.split())
        title = rng.choice(FR_TITLES if self.french else EN_TITLES).format(
            person=(self.people["P0"] or ("Khalifa Haftar", ""))[0],
            town=rng.choice(self.src.towns),
            city=self.cities["Palermo"],
            org=rng.choice(FR_ORGS if self.french else ORGS),
            country="Libya",
            region=rng.choice(("Fezzan", "Cyrenaica", "Tripolitania")),
        )
        return title, paragraphs

    def as_text(self, title: str, paragraphs: list[str]) -> str:
        if self.french:
            dateline = f"Publié le {self.day:%d/%m/%Y} - {self.rng.randrange(24):02d}:{self.rng.randrange(60):02d}"
            head = [title, dateline, "Par la rédaction de Newsfacet Demo Wire"]
            tail = ["Abonnez-vous à notre newsletter", "© Newsfacet Demo Wire. Tous droits réservés."]
        else:
            head = [title, "By Newsfacet Demo Wire staff"]
            tail = ["Follow us on Twitter and Facebook", "© Newsfacet Demo Wire – all rights reserved"]
        return "\n\n".join([*head, *paragraphs, *tail]) + "\n"

    def as_html(self, title: str, paragraphs: list[str]) -> str:
        esc = _escape
        return HTML_PAGE.format(
            lang="fr" if self.french else "en",
            title=esc(title),
            iso=self.day.isoformat(),
            human=f"{self.day.day} {EN_MONTHS[self.day.month - 1]} {self.day.year}",
            year=self.day.year,
            hh=self.rng.randrange(24),
            mm=self.rng.randrange(60),
            slug=f"story-{self.serial}",
            caption=esc(f"A street in {self.rng.choice(self.src.towns)}."),
            paragraphs="\n".join(f"<p>{esc(p)}</p>" for p in paragraphs),
        )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def iter_articles(
    spec: CorpusSpec, src: _Sources | None = None, start: int = 0, stop: int | None = None
) -> Iterator[tuple[str, bytes]]:
    """(relative path, file bytes) for articles ``start..stop``, in order; each depends only on spec and serial."""
    src = src or load_sources()
    for serial in range(start, spec.n if stop is None else stop):
        rng = random.Random(spec.seed * 1_000_003 + serial)
        french = rng.random() < spec.french_share
        article = _Article(serial, rng, src, french)
        title, paragraphs = article.compose(spec.words)
        stem = f"{serial // PER_FOLDER:04d}/nfbench-{article.day.isoformat()}-{serial:07d}"
        if rng.random() < spec.html_share:
            yield f"{stem}.html", article.as_html(title, paragraphs).encode("utf-8")
            continue
        text = article.as_text(title, paragraphs)
        if rng.random() < spec.cp1252_share:
            try:
                yield f"{stem}.txt", text.encode("cp1252")
                continue
            except UnicodeEncodeError:
                pass  # a name cp1252 cannot spell (Kubiš): stays UTF-8
        yield f"{stem}.txt", text.encode("utf-8")


def _write_range(job: tuple[Path, CorpusSpec, int, int]) -> list[str]:
    """Write articles start..stop (one worker's share), streaming: one article in memory at a time."""
    target, spec, start, stop = job
    paths: list[str] = []
    made: set[Path] = set()
    for rel, data in iter_articles(spec, start=start, stop=stop):
        path = target / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)
        paths.append(str(path))
    return paths


def write_corpus(target: Path, spec: CorpusSpec, processes: int = 2) -> list[Path]:
    """Write (or reuse) the corpus under ``target``; returns the file paths in serial order."""
    manifest = target / MANIFEST
    if manifest.is_file() and json.loads(manifest.read_text(encoding="utf-8")) == asdict(spec):
        return sorted(p for p in target.glob("*/nfbench-*") if p.is_file())
    if manifest.exists():
        manifest.unlink()
    for old in target.glob("*/nfbench-*"):  # another spec wrote here: only our own files go
        old.unlink()
    load_sources()  # before the fork: workers inherit it
    step = -(-spec.n // PER_FOLDER) // max(1, processes) * PER_FOLDER or PER_FOLDER  # whole folders per worker
    jobs = [(target, spec, start, min(spec.n, start + step)) for start in range(0, spec.n, step)]
    if processes > 1 and len(jobs) > 1:
        with multiprocessing.get_context("fork").Pool(min(processes, len(jobs))) as pool:
            chunks = pool.map(_write_range, jobs)
    else:
        chunks = [_write_range(job) for job in jobs]
    manifest.write_text(json.dumps(asdict(spec)), encoding="utf-8")
    return [Path(p) for chunk in chunks for p in chunk]


def main() -> int:
    parser = argparse.ArgumentParser(description="write a synthetic news corpus for the benchmarks")
    parser.add_argument("target", type=Path)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    t0 = time.perf_counter()
    paths = write_corpus(args.target, CorpusSpec(n=args.n, seed=args.seed), args.processes)
    seconds = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in paths)
    rate = len(paths) / seconds
    print(f"{len(paths)} files, {size / 1e6:.1f} MB in {args.target} ({seconds:.1f}s, {rate:.0f} files/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
