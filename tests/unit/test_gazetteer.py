"""Gazetteer: lookups, aliases, scan, and a deterministic build of the committed files."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

from etl.knowledge.gazetteer import KB_DIR, Gazetteer
from tests.paths import PROJECT_ROOT as ROOT
from tests.paths import SHARED


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def test_load_is_cached_and_versioned(gaz: Gazetteer) -> None:
    start = time.perf_counter()
    again = Gazetteer.load()
    assert again is gaz
    assert time.perf_counter() - start < 0.05
    assert len(gaz.version) == 16
    assert len(gaz.places) > 30000


@pytest.mark.parametrize(
    ("alias", "region"),
    [
        ("Fazzan", "Fezzan"),
        ("Fizzan", "Fezzan"),
        ("فزان", "Fezzan"),
        ("Barqa", "Cyrenaica"),
        ("Tripolitania", "Tripolitania"),
    ],
)
def test_canonical_region(gaz: Gazetteer, alias: str, region: str) -> None:
    assert gaz.canonical_region(alias) == region


@pytest.mark.parametrize(
    ("alias", "country"),
    [("Libye", "Libya"), ("ليبيا", "Libya"), ("Libya's", "Libya"), ("U.S.", "United States")],
)
def test_canonical_country(gaz: Gazetteer, alias: str, country: str) -> None:
    assert gaz.canonical_country(alias) == country


@pytest.mark.parametrize(
    ("alias", "place"),
    [
        ("Tarabulus", "Tripoli"),
        ("Misurata", "Misrata"),
        ("al-Kufrah", "Kufra"),
        ("BENGHAZI", "Benghazi"),
        ("Sebha", "Sabha"),
    ],
)
def test_canonical_place(gaz: Gazetteer, alias: str, place: str) -> None:
    assert gaz.canonical_place(alias) == place


def test_libyan_places_roll_up(gaz: Gazetteer) -> None:
    expected = {
        "Sirte": ("LY-SR", "Tripolitania"),
        "Sabha": ("LY-SB", "Fezzan"),
        "Benghazi": ("LY-BA", "Cyrenaica"),
        "Tobruk": ("LY-BU", "Cyrenaica"),
        "Misrata": ("LY-MI", "Tripolitania"),
        "Tripoli": ("LY-TB", "Tripolitania"),
    }
    for name, (code, region) in expected.items():
        town = next(p for p in gaz.candidates(name) if p.country_code == "LY" and p.feature == "city")
        assert (town.district_code, town.region) == (code, region), name
        assert town.lat is not None and town.lon is not None


def test_regions_table(gaz: Gazetteer) -> None:
    fezzan = gaz.region("Fezzan")
    assert fezzan is not None
    assert "LY-SB" in fezzan.member_districts and "LY-JU" in fezzan.contested_districts
    sirte = gaz.region("Tripolitania")
    assert sirte is not None and "LY-SR" in sirte.contested_districts


def test_scan_word_boundaries_and_case(gaz: Gazetteer) -> None:
    text = "Tripolitanian us Paris-based Libya's Romeo US"
    hits = {text[s:e]: c[0].name for s, e, c in gaz.scan(text)}
    assert hits.get("Paris") == "Paris"
    assert hits.get("Libya") == "Libya"
    assert hits.get("US") == "United States"
    assert "us" not in hits and "Rome" not in hits and "Tripoli" not in hits


def test_demonyms_are_context(gaz: Gazetteer) -> None:
    assert gaz.demonym_country("Libyan") == "LY"
    assert gaz.demonym_country("Lebanese") == "LB"


@pytest.mark.skipif(
    importlib.util.find_spec("pycountry") is None
    or importlib.util.find_spec("countryinfo") is None
    or not (SHARED / "data" / "gazetteer").is_dir(),
    reason="needs pycountry and countryinfo (build-time dependencies) and ../shared",
)
def test_build_is_deterministic(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_gazetteer", ROOT / "scripts" / "build_gazetteer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    assert module.main(["--out", str(tmp_path), "--shared", str(SHARED)]) == 0
    for name in ("places.tsv.gz", "regions.csv"):
        assert (tmp_path / name).read_bytes() == (KB_DIR / name).read_bytes(), name
        assert (KB_DIR / name).stat().st_size < 2 * 1024 * 1024


def test_continents_states_and_country_centres(gaz: Gazetteer) -> None:
    europe = gaz.candidates("Europe")[0]
    assert europe.feature == "continent" and europe.geonameid == 6255148
    assert gaz.candidates("EU")[0].name == "Europe"
    california = next(p for p in gaz.candidates("Calif.") if p.feature == "state")
    assert (california.name, california.country_code, california.district_code) == ("California", "US", "CA")
    assert california.lat is not None and 35 < california.lat < 39 and -122 < (california.lon or 0) < -118
    assert any(p.feature == "state" and p.name == "North Carolina" for p in gaz.candidates("North Carolina"))
    us = gaz.country("US")
    assert us is not None and us.lat is not None and us.lon is not None
    assert 37 < us.lat < 41 and -100 < us.lon < -96  # a centre of the country, not Washington
    assert any(p.name == "Saint Petersburg" for p in gaz.candidates("St. Petersburg"))
    assert any(p.capital for p in gaz.candidates("Tripoli") if p.country_code == "LY")


def _division(gaz: Gazetteer, name: str) -> tuple[str, str, str]:
    place = next(p for p in gaz.candidates(name) if p.feature == "state")
    return place.place_id, place.name, place.country_code


def test_divisions_are_found_by_their_short_and_english_names(gaz: Gazetteer) -> None:
    """ISO 3166-2 writes many divisions in their local official form only ("Yunnan Sheng", "Xizang Zizhiqu",
    "Adygeya, Respublika"): the build drops the local type words and adds the English names news uses."""
    assert _division(gaz, "Yunnan") == ("iso:CN-YN", "Yunnan Sheng", "CN")
    assert _division(gaz, "Yunnan province") == ("iso:CN-YN", "Yunnan Sheng", "CN")
    assert _division(gaz, "Heilongjiang") == ("iso:CN-HL", "Heilongjiang Sheng", "CN")
    assert _division(gaz, "Tibet") == ("iso:CN-XZ", "Tibet", "CN")
    assert _division(gaz, "Xizang") == ("iso:CN-XZ", "Tibet", "CN")  # the ISO form stays a name of it
    assert _division(gaz, "Crimea") == ("iso:UA-43", "Crimea", "UA")
    assert _division(gaz, "Dagestan") == ("iso:RU-DA", "Dagestan", "RU")  # "Dagestan, Respublika" in ISO
    assert _division(gaz, "Labuan") == ("iso:MY-15", "Wilayah Persekutuan Labuan", "MY")
    assert _division(gaz, "Bavaria") == ("iso:DE-BY", "Bavaria", "DE")  # ISO's English catalogue
    assert _division(gaz, "West Bank")[1:] == ("West Bank", "PS")
    assert _division(gaz, "Gaza Strip")[1:] == ("Gaza Strip", "PS")
    kashmir = gaz.candidates("Kashmir")
    assert kashmir and kashmir[0].feature == "place" and not kashmir[0].country_code  # disputed: no country
    # a short form never shadows something bigger, and the big city keeps its name ahead of its namesake division
    assert gaz.candidates("Almaty")[0].feature == "city" and gaz.candidates("Kuala Lumpur")[0].feature == "city"
    assert all(p.feature != "state" for p in gaz.candidates("Dubai")[:1])


@pytest.mark.skipif(importlib.util.find_spec("pycountry") is None, reason="needs pycountry (build-time dependency)")
def test_division_type_words_are_read_from_the_names_of_each_kind() -> None:
    spec = importlib.util.spec_from_file_location("build_gazetteer_words", ROOT / "scripts" / "build_gazetteer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass is resolved through sys.modules
    spec.loader.exec_module(module)
    import pycountry

    subdivisions = list(pycountry.subdivisions)
    words = module.division_type_words(subdivisions)
    assert words[("CN", "Province", True)] == ("suffix", ("Sheng",))
    assert words[("RU", "Republic", True)] == ("suffix", ("Respublika",))
    assert words[("MY", "Federal territory", True)] == ("prefix", ("Wilayah", "Persekutuan"))
    by_code = {s.code: s for s in subdivisions}
    assert module.short_form("Yunnan Sheng", by_code["CN-YN"], words) == "Yunnan"
    assert module.short_form("Adygeya, Respublika", by_code["RU-AD"], words) == "Adygeya"
    assert module.short_form("Saint George", by_code["AG-03"], words) is None  # parishes are no kept kind
    assert not module.short_form_ok("West", set()) and not module.short_form_ok("Komi", {"komi"})
