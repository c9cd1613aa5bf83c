"""Build ``etl/knowledge/data/actors_phoenix.jsonl`` and ``places_phoenix.txt`` from the Phoenix/PETRARCH2
dictionaries.

Why: the Phoenix CAMEO dictionaries (MIT, Open Event Data Alliance, 2014) hold hundreds of name variants for Libyan
officials and international organisations that we would otherwise type by hand. We keep only what a Libya analyst
needs: actors coded LBY (or listed in the Libya section of the country file) and international organisations
(IGO codes), plus the country/city/demonym names of every country header, which tell the entities stage that
"Misrata" or "Italian" alone is not an actor.

TABARI format, as read here:
  ``NAME_ [CODE]  # comment``    an entry (underscores are spaces; codes may sit on the same line)
  ``+ALIAS_``                     another spelling of the entry above
  ``<tab>[CODE yymmdd-yymmdd]``   a role code of the entry above, with optional dates (``>date``, ``<date``)
  blank line                      ends a block; in the country file a block starts with the country header
Curated entries (``etl/knowledge/data/actors.jsonl``) win: a Phoenix entry whose name is a curated alias is dropped,
and any alias claimed by a curated actor or by two Phoenix entries is removed.

Usage: ``python scripts/build_actor_kb.py [--gazetteer DIR] [--out DIR]`` (defaults: ../shared/data/gazetteer,
etl/knowledge/data).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.knowledge.actors import clean_mention as normalise  # noqa: E402  (needs the path set above; same keys as the KB)

LICENCE = "MIT, 2014"
ORG_WORDS = frozenset(
    """
    organization organisation organizations union council commission committee agency bank fund league court
    tribunal nations association assembly programme program office mission institute institution federation
    conference forum group community secretariat parliament authority board centre center alliance treaty
    corporation movement front army brigade brigades force forces party foundation network coalition monitor
    monitors bodies development body administration panel
    """.split()  # noqa: SIM905  (a word list reads better as prose than as quoted items)
)
LOWER_WORDS = frozenset(
    """
    al el of the for and on in to de du des la le bin ibn abu abd at as ad az ash
    """.split()  # noqa: SIM905  (a word list reads better as prose than as quoted items)
)
MAX_ALIASES = 25


class PhoenixActor(TypedDict):
    """One line of actors_phoenix.jsonl."""

    id: str
    name: str
    type: str
    aliases: list[str]
    country: str | None
    source: str
    roles: list[str]


@dataclass
class Entry:
    """One TABARI entry: a name, its alternative spellings and role codes."""

    name: str
    file: str
    block_header: str | None
    aliases: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def _tabari_name(raw: str) -> str:
    """``MUAMMAR_AL_QADDAFI_`` -> ``MUAMMAR AL QADDAFI``."""
    return re.sub(r"\s+", " ", raw.replace("_", " ")).strip()


def _codes(text: str) -> list[str]:
    return [c.strip() for c in re.findall(r"\[([^\]]*)\]", text) if c.strip() and c.strip() != "---"]


def parse_tabari(path: Path) -> Iterator[Entry]:
    """Entries of a TABARI .actors file, each knowing the header (first entry) of its block."""
    header: str | None = None
    current: Entry | None = None
    block_start = True
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.rstrip()
        content = line.split("#", 1)[0]
        if not line.strip():
            block_start = True
            continue
        if line.lstrip().startswith("#") or not content.strip():
            continue
        if content[0].isspace():  # role codes of the current entry
            if current is not None:
                current.codes.extend(_codes(content))
            continue
        if content.startswith("+"):
            if current is not None:
                for alias in content.split("+"):
                    alias = _tabari_name(alias.split("[", 1)[0])
                    if alias:
                        current.aliases.append(alias)
                current.codes.extend(_codes(content))
            continue
        if current is not None:
            yield current
        name = _tabari_name(content.split("[", 1)[0].split("\t", 1)[0])
        if block_start:
            header = name
            block_start = False
        current = Entry(name=name, file=path.name, block_header=header, codes=_codes(content))
    if current is not None:
        yield current


def pretty(name: str) -> str:
    """Upper-case TABARI name to display case: ``MUAMMAR AL QADDAFI`` -> ``Muammar al Qaddafi``; acronyms kept."""
    words = name.split(" ")
    if len(words) == 1 and (len(name) <= 6 or "." in name):
        return name
    out: list[str] = []
    for i, word in enumerate(words):
        low = word.lower()
        if re.fullmatch(r"\(?[A-Z.]{2,6}\)?", word) and not re.search(r"[AEIOU]", word.strip("().")):
            out.append(word)  # acronym without vowels, e.g. (NTC)
        elif word.startswith("("):
            out.append(word)
        elif i > 0 and low in LOWER_WORDS:
            out.append(low)
        else:
            out.append("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")))
    return " ".join(out)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalise(name)).strip("-")


def _is_org(name: str) -> bool:
    words = set(normalise(name).replace("(", " ").replace(")", " ").split())
    return bool(words & ORG_WORDS) or (len(name.split()) == 1 and len(name) <= 6)


def classify(entry: Entry) -> tuple[str, str | None] | None:
    """(type, ISO country) when the entry belongs in a Libya knowledge base, else None."""
    codes = entry.codes
    libyan = any("LBY" in c.split(" ", 1)[0] for c in codes) or entry.block_header == "LIBYA"
    igo = any(c.startswith("IGO") for c in codes)
    if entry.file.startswith("Phoenix.Countries") and entry.name == entry.block_header:
        return None  # a country header: a place, not an actor
    if libyan:
        if any(re.search(r"REB|INS|IMG", c.split(" ", 1)[0]) for c in codes):
            return "armed_group", "LY"
        if any(c.split(" ", 1)[0].endswith("MED") for c in codes) and _is_org(entry.name):
            return "media", "LY"
        if entry.file.startswith("Phoenix.Countries") or not _is_org(entry.name):
            return "person", "LY"
        return "organization", "LY"
    if igo and _is_org(entry.name):
        return "organization", None
    return None


COUNTRY_CODE = re.compile(r"[A-Z]{3}")
DEMONYM = re.compile(r"[A-Z]{3,}(?:AN|ANS|ESE|ISH|I|IS|IC|OT|OTS|CH|EN)")


def is_country_header(entry: Entry) -> bool:
    """A country's own entry (``LIBYA_ [LBY]``): a bare three-letter country code on its line. Every other block of
    the country file also starts after a blank line (``FEDERAL_BUREAU_OF_INVESTIGATION_`` then ``[USACOP]``), and
    taking those for headers made "FBI", "U.S. Army" or "Fatah" place names, never actors."""
    return any(COUNTRY_CODE.fullmatch(code) for code in entry.codes)


def is_place_variant(name: str) -> bool:
    """A country header's variant that names a place or a nationality. Phoenix lists the country's cities and some
    of its actors there too ("FATAH" under Palestine): keep the variants the gazetteer knows and demonym shapes."""
    from etl.knowledge.gazetteer import Gazetteer

    return bool(Gazetteer.load().candidates(name)) or bool(DEMONYM.fullmatch(name.replace(" ", "")))


def build(gazetteer: Path, curated: Path) -> tuple[list[PhoenixActor], list[str]]:
    """Phoenix actors (as JSON-ready dicts) and non-actor place names."""
    claimed: set[str] = set()
    if curated.is_file():
        for line in curated.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                obj = json.loads(line)
                claimed.update(normalise(a) for a in [obj["name"], *obj.get("aliases", [])])
    entries: dict[str, PhoenixActor] = {}
    places: set[str] = set()
    for path in sorted(gazetteer.glob("Phoenix.*.actors.txt")):
        for entry in parse_tabari(path):
            if path.name.startswith("Phoenix.Countries") and entry.name == entry.block_header:
                if is_country_header(entry):
                    places.update(n.title() for n in [entry.name, *entry.aliases] if is_place_variant(n))
                continue
            kind = classify(entry)
            if kind is None:
                continue
            key = normalise(entry.name)
            if key in claimed:
                continue  # curated wins
            name = pretty(entry.name)
            roles = sorted({c for c in entry.codes})
            if key in entries:  # the same name listed twice (the International file repeats blocks)
                existing = entries[key]
                existing["aliases"] = list(dict.fromkeys([*existing["aliases"], *map(pretty, entry.aliases)]))
                existing["roles"] = sorted({*existing["roles"], *roles})
                continue
            entries[key] = {
                "id": f"phoenix:{_slug(entry.name)}",
                "name": name,
                "type": kind[0],
                "aliases": list(dict.fromkeys(pretty(a) for a in entry.aliases)),
                "country": kind[1],
                "source": f"{entry.file} ({LICENCE})",
                "roles": roles,
            }
    # An alias may belong to one actor only: drop those the curated file or another Phoenix entry claims.
    owners: dict[str, set[str]] = {}
    for key, obj in entries.items():
        for alias in [obj["name"], *obj["aliases"]]:
            owners.setdefault(normalise(str(alias)), set()).add(key)
    actors: list[PhoenixActor] = []
    for key, obj in sorted(entries.items()):
        aliases = [
            a
            for a in obj["aliases"]
            if normalise(a) != key and normalise(a) not in claimed and owners[normalise(a)] == {key}
        ]
        if owners[key] != {key}:
            continue  # its very name is another entry's alias: ambiguous, leave it out
        obj["aliases"] = aliases[:MAX_ALIASES]
        actors.append(obj)
    for csv_path in (gazetteer / "ly_districts_regions.csv", gazetteer / "ly_places_supplement.csv"):
        if csv_path.is_file():
            places.update(_csv_place_names(csv_path))
    places = {p for p in places if normalise(p) not in claimed}
    return actors, sorted(places, key=lambda p: (normalise(p), p))  # ties by spelling: the same bytes every build


TITLE_WORDS = frozenset(
    """
    president vice prime minister secretary sir sheikh shaikh king queen prince princess emir amir sultan general
    colonel major captain lieutenant marshal admiral doctor mister imam ayatollah chief deputy ambassador governor
    mayor senator judge justice lord lady dame saint chairman speaker
    """.split()  # noqa: SIM905  (a word list reads better as prose than as quoted items)
)
DATED_ROLE = re.compile(r"\d{6}")
GIVEN_NAME_MIN_PEOPLE = 2


def given_names(gazetteer: Path) -> list[str]:
    """First names: the first word of the people Phoenix's country dictionary lists with dated offices (a role code
    with a date is a person's term: "JOSE_DIRCEU_ [BRAGOV 030101-050731]"), shared by two people at least.

    Why: NER often reads "Justin Langer" as an organisation, or runs a title into the name after it ("Civil House
    José Dirceu"); a known first name says where a person's name starts. Words that end people's names at least
    half as often as they open them (surnames) are left out; so are words that are titles, particles,
    organisation words, words of Phoenix's generic agents, places or nationalities are left out, as are initials and
    two-letter names."""
    from etl.knowledge.gazetteer import Gazetteer

    gaz = Gazetteer.load()
    people: dict[str, int] = {}
    surnames: dict[str, int] = {}
    for entry in parse_tabari(gazetteer / "Phoenix.Countries.actors.txt"):
        if not any(DATED_ROLE.search(code) for code in entry.codes):
            continue
        names = [name.split(" ") for name in [entry.name, *entry.aliases] if " " in name]
        for first in {words[0] for words in names}:
            people[first] = people.get(first, 0) + 1
        for last in {words[-1] for words in names}:
            surnames[last] = surnames.get(last, 0) + 1
    agent_words = {
        word.lower()
        for entry in parse_tabari(gazetteer / "Phoenix.agents.txt")
        for name in [entry.name, *entry.aliases]
        for word in name.split()
    }  # the generic agents ("FOREIGN_MINISTER", "POLICE"): their words are roles, not names
    excluded = LOWER_WORDS | ORG_WORDS | TITLE_WORDS | agent_words
    return sorted(
        word.lower()
        for word, count in people.items()
        if count >= GIVEN_NAME_MIN_PEOPLE
        and count >= 2 * surnames.get(word, 0)  # "Johnson", "Gibson", "Moon": surnames as often as not
        and word.isalpha()
        and len(word) >= 3
        and word.lower() not in excluded
        and not gaz.candidates(word.title())
        and gaz.demonym_country(word) is None
    )


def _csv_place_names(path: Path) -> set[str]:
    """Place names and aliases from the shared Libya gazetteer CSVs (districts, supplement)."""
    import csv

    names: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for column in ("name", "name_en_common", "name_iso"):
                if row.get(column):
                    names.add(row[column])
            names.update(a for a in (row.get("aliases") or "").split("|") if a)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--gazetteer", type=Path, default=ROOT.parent / "shared" / "data" / "gazetteer")
    parser.add_argument("--out", type=Path, default=ROOT / "etl" / "knowledge" / "data")
    args = parser.parse_args(argv)
    actors, places = build(args.gazetteer, args.out / "actors.jsonl")
    with (args.out / "actors_phoenix.jsonl").open("w", encoding="utf-8") as fh:
        for obj in actors:
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    with (args.out / "places_phoenix.txt").open("w", encoding="utf-8") as fh:
        fh.write("# Names that alone denote a country, city, region or nationality: never an actor on their own.\n")
        fh.write(f"# Generated by scripts/build_actor_kb.py from Phoenix.Countries.actors.txt headers ({LICENCE})\n")
        fh.write("# and ../shared/data/gazetteer/ly_districts_regions.csv, ly_places_supplement.csv. Do not edit.\n")
        for place in places:
            fh.write(place + "\n")
    firsts = given_names(args.gazetteer)
    with (args.out / "given_names.txt").open("w", encoding="utf-8") as fh:
        fh.write("# First names of people holding dated offices in Phoenix.Countries.actors.txt, two people at least\n")
        fh.write(f"# ({LICENCE}). Generated by scripts/build_actor_kb.py (given_names). Do not edit.\n")
        for name in firsts:
            fh.write(name + "\n")
    kinds: dict[str, int] = {}
    for obj in actors:
        kinds[str(obj["type"])] = kinds.get(str(obj["type"]), 0) + 1
    alias_count = sum(len(o["aliases"]) for o in actors)
    print(
        f"{len(actors)} Phoenix actors {kinds}, {alias_count} aliases; {len(places)} place names; "
        f"{len(firsts)} first names"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
