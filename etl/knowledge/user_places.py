"""Your own places (``NEWSFACET_KB_DIR/places*.csv``) over the shipped gazetteer: reading, checking, applying.

A CSV file with a header line: ``name, aliases, feature, district, region, country, lat, lon, source`` (and
``population`` if you like). A row naming a shipped place of the same feature and country (by its name or by one of
the row's aliases) updates it: the fields it fills replace the place's own, its names are added to the place's; a
district moved to another region takes its towns along. Any other row adds a place. Later rows win.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from etl.knowledge.gazetteer import Gazetteer, Place, Region, normalize_name, user_place_files
from etl.records import PlaceFeature

USER_PLACE_COLUMNS = ("name", "aliases", "feature", "district", "region", "country", "lat", "lon", "source")
"""Columns of your place files (a header line names them; ``population`` may be added). ``aliases`` are separated
by ``|``; ``country`` is an ISO 3166-1 alpha-2 code or a country's name; ``district`` and ``region`` name a shipped
district and analyst region (a district alone brings its region)."""
REQUIRED_PLACE_COLUMNS = ("name", "feature", "country", "source")


@dataclass(frozen=True)
class UserPlace:
    """One row of your place files, checked for form (``where``: ``file:line``, for messages)."""

    where: str
    name: str
    aliases: tuple[str, ...]
    feature: PlaceFeature
    country: str
    district: str | None
    region: str | None
    lat: float | None
    lon: float | None
    population: int | None
    source: str


def read_user_places(path: Path, data: bytes | None = None) -> tuple[list[UserPlace], list[str]]:
    """The rows of one place file and every problem of form in it, as ``file:line: what``."""
    rows: list[UserPlace] = []
    problems: list[str] = []
    try:
        text = (path.read_bytes() if data is None else data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [f"{path}:1: not UTF-8 text: {exc}"]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_PLACE_COLUMNS if c not in header]
    unknown = [c for c in header if c not in (*USER_PLACE_COLUMNS, "population", "note")]
    if missing or unknown:
        what = "; ".join(
            filter(
                None,
                (
                    f"missing column(s) {', '.join(missing)}" if missing else "",
                    f"unknown column(s) {', '.join(unknown)}" if unknown else "",
                ),
            )
        )
        return [], [f"{path}:1: {what} (columns: {', '.join(USER_PLACE_COLUMNS)}[, population])"]
    for raw_row in reader:
        where = f"{path}:{reader.line_num}"
        row = {(k or "").strip(): (v or "").strip() for k, v in raw_row.items() if isinstance(v, str)}
        if not any(row.values()) or row.get("name", "").startswith("#"):
            continue
        place, trouble = _user_place(where, row)
        problems.extend(f"{where}: {t}" for t in trouble)
        if place is not None and not trouble:
            rows.append(place)
    return rows, problems


def _user_place(where: str, row: dict[str, str]) -> tuple[UserPlace | None, list[str]]:
    trouble = [f"missing {c}" for c in REQUIRED_PLACE_COLUMNS if not row.get(c)]
    feature = row.get("feature", "").lower()
    if feature and feature not in {f.value for f in PlaceFeature}:
        trouble.append(f"bad feature {feature!r} (expected one of {sorted(f.value for f in PlaceFeature)})")
    coords: list[float | None] = []
    for column, bound in (("lat", 90.0), ("lon", 180.0)):
        value = row.get(column, "")
        try:
            number = float(value) if value else None
        except ValueError:
            trouble.append(f"{column} {value!r} is not a number")
            number = None
        if number is not None and not (math.isfinite(number) and -bound <= number <= bound):
            trouble.append(f"{column} {value!r} is out of range")
        coords.append(number)
    if (coords[0] is None) != (coords[1] is None) and not trouble:
        trouble.append("give both lat and lon, or neither")
    population: int | None = None
    if row.get("population"):
        try:
            population = int(row["population"])
            if population < 0:
                raise ValueError
        except ValueError:
            trouble.append(f"population {row['population']!r} is not a whole number >= 0")
    if trouble:
        return None, trouble
    aliases = tuple(dict.fromkeys(a.strip() for a in row.get("aliases", "").split("|") if a.strip()))
    return UserPlace(
        where=where,
        name=row["name"],
        aliases=aliases,
        feature=PlaceFeature(feature),
        country=row["country"],
        district=row.get("district") or None,
        region=row.get("region") or None,
        lat=coords[0],
        lon=coords[1],
        population=population,
        source=row["source"],
    ), []


def apply_user_places(
    places: Sequence[Place], regions: Sequence[Region], rows: Sequence[UserPlace]
) -> tuple[list[Place], list[str]]:
    """The shipped places with your rows applied, in order (a later row wins), and the problems met.

    A row updates every shipped place of its feature and country whose name is the row's name or one of its
    aliases (fields the row leaves empty keep their value; its names are added to the place's); any other row
    adds a place. A district moved to another region takes its towns with it.
    """
    out = list(places)
    problems: list[str] = []
    countries: dict[str, Place] = {}
    country_names: dict[str, str] = {}
    for place in places:
        if place.feature == PlaceFeature.COUNTRY:
            countries[place.country_code] = place
            for name in place.names:
                country_names.setdefault(normalize_name(name), place.country_code)
    region_names = {normalize_name(n): r.name for r in regions for n in (r.name, *r.aliases)}
    by_name: dict[tuple[str, str, str], list[int]] = {}  # (feature, country, name key) -> places: one pass, not one
    districts: dict[tuple[str, str], int] = {}  # per row (a file of thousands of rows stays linear)

    def remember(i: int) -> None:
        p = out[i]
        for name in {normalize_name(p.name), normalize_name(p.asciiname)}:
            bucket = by_name.setdefault((p.feature.value, p.country_code, name), [])
            if i not in bucket:
                bucket.append(i)
        if p.feature == PlaceFeature.DISTRICT:
            for name in p.names:
                districts.setdefault((p.country_code, normalize_name(name)), i)

    for i in range(len(out)):
        remember(i)
    moved_districts: dict[tuple[str, str], str] = {}
    for row in rows:
        code = (
            row.country.upper() if row.country.upper() in countries else country_names.get(normalize_name(row.country))
        )
        if code is None:
            problems.append(
                f"{row.where}: unknown country {row.country!r} (an ISO 3166-1 code such as LY, or a country's name)"
            )
            continue
        region = region_names.get(normalize_name(row.region), row.region) if row.region else None
        district_code: str | None = None
        district = row.district
        if row.district:
            found = districts.get((code, normalize_name(row.district)))
            if found is not None:
                district_code, district = out[found].district_code, out[found].district
                region = region or out[found].region
            elif code == "LY":
                problems.append(f"{row.where}: unknown district {row.district!r} in Libya")
                continue
        if row.feature == PlaceFeature.DISTRICT:
            district = district or row.name
        targets = sorted(
            {i for n in (row.name, *row.aliases) for i in by_name.get((row.feature.value, code, normalize_name(n)), ())}
        )
        for i in targets:
            old = out[i]
            names = tuple(
                dict.fromkeys(n for n in (*old.alternatenames, old.name, *row.aliases) if n and n != row.name)
            )
            out[i] = dataclasses.replace(
                old,
                name=row.name,
                alternatenames=names,
                lat=row.lat if row.lat is not None else old.lat,
                lon=row.lon if row.lon is not None else old.lon,
                population=row.population if row.population is not None else old.population,
                district_code=district_code or old.district_code,
                district=district or old.district,
                region=region or old.region,
            )
            remember(i)
            if old.feature == PlaceFeature.DISTRICT and old.district_code and region and region != old.region:
                moved_districts[(code, old.district_code)] = region
        if not targets:
            out.append(
                Place(
                    place_id=f"user:{code}:{row.feature.value}:{normalize_name(row.name)}",
                    name=row.name,
                    asciiname=row.name,
                    alternatenames=row.aliases,
                    lat=row.lat,
                    lon=row.lon,
                    population=row.population or 0,
                    feature=row.feature,
                    country_code=code,
                    country=countries[code].name,
                    district_code=district_code,
                    district=district,
                    region=region,
                )
            )
            remember(len(out) - 1)
    if moved_districts:
        out = [
            dataclasses.replace(p, region=moved_districts[(p.country_code, p.district_code or "")])
            if (p.country_code, p.district_code or "") in moved_districts and p.feature != PlaceFeature.REGION
            else p
            for p in out
        ]
    return out, problems


def check_places(user_dir: Path | None, directory: Path | None = None) -> list[str]:
    """Every problem in your place files (``NEWSFACET_KB_DIR/places*.csv``) as ``file:line: what``: columns,
    features, numbers, and countries or Libyan districts the gazetteer does not know."""
    if user_dir is None:
        return []
    if not user_dir.is_dir():
        return [f"NEWSFACET_KB_DIR {user_dir}: not a directory"]
    problems: list[str] = []
    rows: list[UserPlace] = []
    for path in user_place_files(user_dir):
        parsed, trouble = read_user_places(path)
        rows.extend(parsed)
        problems.extend(trouble)
    if rows:
        shipped = Gazetteer.load(directory)
        problems.extend(apply_user_places(shipped.places, list(shipped.regions.values()), rows)[1])
    return problems
