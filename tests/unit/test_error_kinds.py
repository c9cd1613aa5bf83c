"""Issue 15's error kinds, one test each, on sentences written for the project from public facts (no gathered news).

Each test names the kind it pins; the rule it exercises is general (see ``etl/entities.py`` and ``etl/regions.py``),
the sentence is only one instance of the kind. The last tests tell one story in English and in French and require
the same actors, places, regions and countries from both.
"""

from __future__ import annotations

import pytest

from etl import entities as entities_module
from etl.enrich import locate
from etl.entities import extract_entities
from etl.knowledge.actors import KnowledgeBase
from etl.knowledge.gazetteer import Gazetteer
from etl.records import CleanArticle, EnrichedArticle, Language, Part
from etl.settings import Settings

MODELS = Settings().spacy_models


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def nth_span(text: str, word: str, label: str, nth: int = 0) -> tuple[int, int, str]:
    """The (start, end, label) NER span of the ``nth`` occurrence (from 0) of ``word`` in ``text``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(word, at + 1)
    return (at, at + len(word), label)


def enrich(
    kb: KnowledgeBase, title: str, body: str, lang: str = "en", captions: tuple[str, ...] = ()
) -> EnrichedArticle:
    article = CleanArticle(
        doc_id="k",
        source_file="k",
        content_sha256="k",
        title=title,
        body=body,
        paragraphs=tuple(body.split("\n\n")),
        captions=captions,
    )
    result = extract_entities([(article, Language(lang, 0.99))], MODELS, kb)[0]
    return EnrichedArticle(
        article=article,
        language=Language(lang, 0.99),
        entities=result.entities,
        quotes=result.quotes,
        locations=locate(article, result, Gazetteer.load()),
    )


def told_both_ways(
    kb: KnowledgeBase, english: tuple[str, str], french: tuple[str, str]
) -> tuple[EnrichedArticle, EnrichedArticle]:
    """One story (title, body) told in English and in French, each enriched in its language."""
    return enrich(kb, *english), enrich(kb, *french, "fr")


def actors(e: EnrichedArticle) -> dict[str, str]:
    return {x.name: x.type for x in e.entities}


def persons(e: EnrichedArticle) -> set[str]:
    """The names of the people among ``actors(e)``."""
    return {name for name, kind in actors(e).items() if kind == "person"}


def places(e: EnrichedArticle) -> set[str]:
    return {loc.name for loc in e.locations if loc.feature not in ("country", "region")}


def countries(e: EnrichedArticle) -> set[str]:
    return {loc.name for loc in e.locations if loc.feature == "country"}


def regions(e: EnrichedArticle) -> set[str]:
    return {loc.name for loc in e.locations if loc.feature == "region"}


# 1. common words and name parts placed abroad ---------------------------------------------------------------------


def test_kind1_generic_words_are_never_places_alone(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Flights resume in Tripoli",
        "Flights resumed at Mitiga Airport in Tripoli on Monday. Water ran down the Wadi Derna, and farmers "
        "in Wadi Rabi, south of Tripoli, counted losses.",
    )
    assert {"Tripoli", "Derna"} <= places(e)
    assert "Airport" not in places(e) and "El Oued" not in places(e)
    assert countries(e) == {"Libya"}


def test_kind1_name_parts_and_buildings_need_the_article_context(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Rebels cross the border",
        "The Front for Change and Concord in Chad crossed from southern Libya into Chad in April 2021. "
        "Delegates later met in the Ouagadougou conference hall in Sirte.",
    )
    assert "Concord" not in places(e) and "Ouagadougou" not in places(e)
    assert countries(e) == {"Chad", "Libya"}
    assert actors(e)["Front for Change and Concord in Chad"] == "armed_group"


def test_kind1_planets_and_moons_are_no_places_on_earth(kb: KnowledgeBase) -> None:
    """NER calls planets and moons places: Jupiter is no town in Florida, the moon Europa is not Europe, in every
    mention of a story that calls it a moon once, unless the town is written with its state (an AP abbreviation
    included)."""
    space = enrich(
        kb, "", "The probe will fly past Jupiter in 2031 and study its moon Europa, then Saturn's moon Titan."
    )
    assert not space.locations, [loc.name for loc in space.locations]
    again = enrich(
        kb,
        "The First Map of Saturn's Moon Titan",
        "Scientists unveiled the first geological map of Saturn's moon Titan on Monday. Given the chemistry, one of "
        'them asked, "Could it or something like it live in Titan deep in the crust of the moon?"',
    )
    assert "Titan" not in places(again), places(again)  # the moon, wherever the story names it again
    town = enrich(kb, "", "Police in Jupiter, Fla., closed the beach on Sunday.")
    assert "Jupiter" in places(town) and "Florida" in places(town)


def test_kind1_an_acronym_is_no_town_by_one_of_its_other_names(kb: KnowledgeBase) -> None:
    """An acronym on a shopping page ("AEA ribbon microphones") made Tripoli (ancient name Aea) a place and
    Tripolitania a facet: capitals in running text are an acronym, a place only by its own name or as a nation
    written short. A town written in capitals in a headline, and "UAE" or "ROME" in running text, stay places."""
    shop = enrich(kb, "Microphones", "Our pick: AEA ribbon microphones, made in Pasadena and sold across Europe.")
    assert "Tripoli" not in places(shop) and not regions(shop)
    headline = enrich(kb, "SIRT", "Fighting resumed near the coastal city on Monday, witnesses said.")
    assert "Sirte" in places(headline)
    short = enrich(kb, "", "Officials from the UAE met in ROME on Tuesday to discuss the talks.")
    assert "United Arab Emirates" in countries(short) and "Rome" in places(short)


def test_kind1_a_dateline_state_decides_the_town(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "School board meets",
        "ALEXANDRIA, La. - The parish school board met in Alexandria on Tuesday to vote on the budget.",
    )
    alexandria = next(loc for loc in e.locations if loc.name == "Alexandria")
    assert alexandria.country_code == "US"
    assert "Egypt" not in countries(e)


# 2. French -----------------------------------------------------------------------------------------------------------


def test_kind2_french_exonyms_and_an_all_caps_headline(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "COMBATS EN LIBYE",
        "Des combats ont éclaté à Koufra, à Zaouia et à Syrte, tandis que la Russie renforçait sa présence "
        "à Ras Lanouf.",
        "fr",
    )
    assert {"Kufra", "Zawiya", "Sirte", "Ras Lanuf"} <= places(e)
    assert {"Libya", "Russia"} <= countries(e)
    assert "LIBYE" not in actors(e)


def test_kind2_conflict_regions_by_their_french_and_english_names(kb: KnowledgeBase) -> None:
    """Regions Libya reporting names beside Libya's own (fighters from Darfur, routes through the Sinai), told in
    French and in English: each gives its country in both."""
    fr = enrich(
        kb,
        "Des mercenaires venus du Darfour",
        "Des combattants venus du Darfour et du Kordofan ont été vus à Koufra. Les armes passaient par le Sinaï, "
        "selon un rapport qui cite aussi la Cisjordanie, la bande de Gaza, la Crimée et le Donbass.",
        "fr",
    )
    en = enrich(
        kb,
        "Mercenaries from Darfur",
        "Fighters from Darfur and Kordofan were seen in Kufra. Weapons went through the Sinai, according to a "
        "report that also names the West Bank, the Gaza Strip, Crimea and the Donbas.",
    )
    expected = {"Libya", "Sudan", "Egypt", "Palestinian Territory", "Ukraine"}
    assert expected <= countries(fr), countries(fr)
    assert expected <= countries(en), countries(en)
    assert places(fr) == places(en)


# 3. demonyms as state actors ---------------------------------------------------------------------------------------


def test_kind3_a_nationality_with_an_office_names_the_state(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Leaders discuss Libya",
        "Turkish President Recep Tayyip Erdogan, Russian President Vladimir Putin, French President "
        "Emmanuel Macron and Italian Premier Giuseppe Conte discussed the war in Libya. A Sudanese fighter "
        "was seen near Sabha.",
    )
    assert {"Turkey", "Russia", "France", "Italy", "Libya"} <= countries(e)
    assert "Sudan" not in countries(e)  # a nationality alone stays context


def test_kind3_a_nationality_with_the_states_agents_names_the_state(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Troops gather on the border",
        "A build-up of Egyptian, Syrian and Iraqi forces was reported on Monday. The Algerian government said "
        "nothing, and pro-Tunisian militias and Chadian fighters crossed into Libya near Kufra.",
    )
    assert {"Egypt", "Syria", "Iraq", "Algeria", "Libya"} <= countries(e)
    assert not {"Tunisia", "Chad"} & countries(e)  # a group backing a state, or fighters, are not the state


def test_kind3_french_a_nationality_with_the_states_agents_names_the_state(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Des troupes à la frontière",
        "Les forces égyptiennes, les troupes turques et le gouvernement algérien ont réagi lundi, tandis que des "
        "combattants tchadiens entraient en Libye près de Koufra.",
        "fr",
    )
    assert {"Egypt", "Turkey", "Algeria", "Libya"} <= countries(e)
    assert "Chad" not in countries(e)


def test_kind3_french_ministries_named_by_nationality_are_the_english_storys_ministries(kb: KnowledgeBase) -> None:
    """French ministries ("le ministère italien de l'Intérieur", "le ministère de la Défense libyen") are those
    the English telling names ("Italy's interior ministry", "the Libyan defence ministry"), in either word order."""
    fr = enrich(
        kb,
        "Migrants",
        "Le ministère italien de l'Intérieur n'a pas commenté. Le ministère de la Défense libyen a démenti, et le "
        "ministère des Affaires étrangères turc a convoqué un diplomate. Le ministère de l'Intérieur a publié un "
        "communiqué.",
        "fr",
    )
    en = enrich(
        kb,
        "Migrants",
        "Italy's interior ministry did not comment. The Libyan defence ministry denied it, and the Turkish foreign "
        "ministry summoned a diplomat. The interior ministry issued a statement.",
    )
    ministries = {"Italian Interior Ministry", "Libyan Defence Ministry", "Turkish Foreign Ministry"}
    assert set(actors(fr)) == ministries and ministries <= set(actors(en))


# 4. headline fragments and page furniture ------------------------------------------------------------------------


def test_kind4_headline_fragments_and_furniture_are_not_actors(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Tunisia Shuts Largest Border Point as UN Urges Parties to Respect Arms Embargo",
        "Tunisia closed the Ras Ajdir crossing with Libya on Sunday. The UN said all parties must respect the "
        "arms embargo.\n\nNiger\n\nMigrants crossing from Niger reached Sabha at 7.00 A.M. on Dimanche, AI "
        "said.",
    )
    names = set(actors(e))
    assert names == {"United Nations"}
    assert not any("\n" in m.text for x in e.entities for m in x.mentions)
    assert {"Ras Ajdir", "Sabha"} <= places(e)


# 5. places as actors -------------------------------------------------------------------------------------------------


def test_kind5_places_are_never_actors(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Clashes in the south of Libya",
        "Sebha and Ubari saw fighting, and Koufra was calm, officials in Tripoli said. Ministers met later "
        "in Salerno, Italy.",
    )
    assert not set(actors(e)) & {"Sebha", "Ubari", "Koufra", "Salerno", "Sabha", "Kufra"}
    assert {"Sabha", "Ubari", "Kufra", "Salerno"} <= places(e)


def test_kind5_a_division_named_in_english_is_a_place_not_an_actor(kb: KnowledgeBase) -> None:
    """NER calls "Crimea" an organisation here; the gazetteer knows it (ISO 3166-2 UA-43, by its English name) and a
    place's own name wins over that label. Chechnya and Tibet likewise, each in its country."""
    e = enrich(kb, "", "Russia annexed Crimea in 2014. Fighting later spread from Chechnya; monks in Tibet protested.")
    assert not set(actors(e)) & {"Crimea", "Chechnya", "Tibet"}
    assert {"Crimea", "Chechnya", "Tibet"} <= places(e)
    assert {"Russia", "Ukraine", "China"} <= countries(e)


def test_kind5_a_village_written_with_its_county_is_a_place(kb: KnowledgeBase) -> None:
    """ "Silverstone, Northamptonshire": NER calls the village an organisation (or runs both into one place span);
    a name, a comma and a county the gazetteer knows is the way news places a village, not a list of two. The
    counties are the ones ISO 3166-2 no longer names (curated in ``scripts/build_gazetteer.py``)."""
    e = enrich(
        kb,
        "",
        "The 2019 championship calendar: Brands Hatch, Kent, in April; Oulton Park, Cheshire, in June; Croft, "
        "Yorkshire, in July; Knockhill, Fife, in August; and Silverstone, Northamptonshire, in September.",
    )
    assert {"Silverstone", "Croft", "Yorkshire", "Northamptonshire", "Cheshire"} <= places(e)
    assert "Silverstone" not in actors(e)
    counties = {loc.name: loc.country_code for loc in e.locations if loc.feature == "state"}
    assert counties["Cheshire"] == counties["Northamptonshire"] == counties["Yorkshire"] == "GB"


def test_kind5_a_town_one_goes_to_is_a_place_whatever_ners_label(kb: KnowledgeBase) -> None:
    """NER calls Skegness an organisation and Harrogate a person here; written after a verb of going they are the
    towns the gazetteer knows by those names. A company one "went to" stays one when the name is only another name
    of a town ("Google" is one of Topeka's)."""
    e = enrich(kb, "", "The touring exhibition comes to Harrogate in May. Fans travelled to Skegness by coach.")
    assert {"Harrogate", "Skegness"} <= places(e)
    assert not set(actors(e)) & {"Harrogate", "Skegness"}
    firms = enrich(kb, "", "He went to Google in 2010 and later moved to Apple.")
    assert actors(firms) == {"Google": "organization", "Apple": "organization"}
    assert not firms.locations


# 6. armed groups and communities ---------------------------------------------------------------------------------


def test_kind6_armed_groups_and_communities(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Armed groups realign",
        "Dawn of Libya fighters and Brigade 166 left Misrata. Al-Bunyan al-Marsus (BM) forces entered Sirte; "
        "BM commanders said the city was secure. The Awlad Suleiman and Tebu and Tuareg forces clashed in "
        "Sabha. The Ouled Slimane's elders called for a truce.",
    )
    found = actors(e)
    assert found["Libya Dawn"] == "armed_group"
    assert found["166 Brigade"] == "armed_group"
    assert found["al-Bunyan al-Marsus"] == "armed_group"
    assert "BM" in {m.text for x in e.entities if x.name == "al-Bunyan al-Marsus" for m in x.mentions}
    assert {found["Awlad Suleiman"], found["Tebu"], found["Tuareg"]} == {"community"}
    assert not any(name.endswith(" s") for name in found)


def test_kind6_numbered_units_without_the_kb(kb: KnowledgeBase) -> None:
    e = enrich(kb, "Units move", "The 77th Brigade and Battalion 12 moved east, and la brigade 301 followed.")
    assert {"77 Brigade", "12 Battalion", "301 Brigade"} <= {n for n, t in actors(e).items() if t == "armed_group"}


def test_kind6_the_unity_government_named_descriptively(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Budget",
        "The National Unity Government in Tripoli approved the budget; the Dbeibah government "
        "said salaries would be paid.",
    )
    gnu = next(x for x in e.entities if x.name == "Government of National Unity")
    assert len(gnu.mentions) == 2


def test_kind4_a_sentences_first_preposition_is_no_part_of_the_name_after_it(kb: KnowledgeBase) -> None:
    """NER reads "Off Zuwara" as a person; the town is the name, the preposition opens the sentence. Names that
    open with such a word stay whole ("Near East")."""
    e = enrich(
        kb,
        "Boat intercepted",
        "Off Zuwara, the coast guard intercepted a boat carrying 90 people on Sunday. Near East diplomats "
        "met in Tripoli.",
    )
    assert "Zuwara" in places(e)
    assert not [name for name in actors(e) if name.startswith("Off ") or "Zuwara" in name]
    blog = enrich(kb, "Reading list", "Towards Data Science published three essays on forecasting last week.")
    assert "Data Science" not in actors(blog)  # before no place, the preposition is the name's own word


# 7. split or truncated people --------------------------------------------------------------------------------------


def test_kind7_people_after_a_title_are_taken_whole(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "A visit",
        "Minister Abdelkarim Ben Youssef Trabelsi met envoys in Tunis. Later, SG Ahmed Salem Ould Bah "
        "addressed the assembly.",
    )
    names = persons(e)
    assert {"Abdelkarim Ben Youssef Trabelsi", "Ahmed Salem Ould Bah"} <= names
    assert "SG" not in actors(e)


def test_kind7_and_the_kb_joins_the_chadian_leaders(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Chad after Deby",
        "Chadian President Mahamat Idriss Deby Itno met envoys in N'Djamena. FACT SG Mahamat Mahdi Ali said "
        "his fighters would return.",
    )
    people = persons(e)
    assert people == {"Mahamat Idriss Déby", "Mahamat Mahdi Ali"}
    assert "Chad" in countries(e)


# 8. one person, two facet values ---------------------------------------------------------------------------------


def test_kind8_a_surname_joins_the_full_name_and_the_kb_name(kb: KnowledgeBase) -> None:
    seen = enrich(kb, "A mayor speaks", "Mayor Abdelrahman Zwawi opened the port. Zwawi said trade would grow.")
    zwawi = [x for x in seen.entities if "Zwawi" in x.name]
    assert len(zwawi) == 1 and zwawi[0].name == "Abdelrahman Zwawi" and len(zwawi[0].mentions) == 2
    alone = enrich(kb, "Sanctions", "Trump said the United States would not send troops to Libya.")
    assert "Donald Trump" in actors(alone)


# 9. oil terminals and contested places ---------------------------------------------------------------------------


def test_kind9_oil_terminals_and_their_contested_region(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Oil exports from Libya",
        "Tankers loaded at Es Sider and Ras Lanuf; the Sidra terminal had been "
        "closed since the clashes in Libya's oil crescent.",
    )
    assert {"Es Sider", "Ras Lanuf"} <= places(e)
    assert {"Tripolitania", "Cyrenaica"} <= regions(e)  # by district, and by common usage (GAZETTEER.md)
    terminal = next(loc for loc in e.locations if loc.name == "Es Sider")
    assert set(terminal.mentions) == {"Es Sider", "Sidra"}


# 10. captions ------------------------------------------------------------------------------------------------------


def test_kind10_captions_are_enriched_and_mentions_say_where_they_stand(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Talks resume",
        "Delegations met on Monday to discuss the ceasefire.",
        captions=("Fathi Bashagha arrives in Ghadames.",),
    )
    bashagha = next(x for x in e.entities if x.name == "Fathi Bashagha")
    assert {m.part for m in bashagha.mentions} == {Part.CAPTION}
    assert "Ghadames" in places(e)
    title = enrich(kb, "Haftar visits Benghazi", "The visit lasted a day. Haftar left in the evening.")
    haftar = next(x for x in title.entities if x.name == "Khalifa Haftar")
    assert {m.part for m in haftar.mentions} == {Part.TITLE, Part.BODY}


# 11. post-2014 Libya actors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mention", "name"),
    [
        ("Dbeibah", "Abdul Hamid Dbeibah"),
        ("GNU", "Government of National Unity"),
        ("Bashagha", "Fathi Bashagha"),
        ("al-Menfi", "Mohamed al-Menfi"),
        ("HoR", "House of Representatives"),
        ("HCS", "High Council of State"),
        ("444 Brigade", "444 Brigade"),
        ("Rada", "Rada Special Deterrence Force"),
        ("Nawasi", "Nawasi Brigade"),
        ("SSA", "Stability Support Apparatus"),
        ("Wagner", "Wagner Group"),
        ("Africa Corps", "Africa Corps"),
        ("Turkish forces", "Turkish Armed Forces"),
        ("Tebu forces", "Tebu"),
        ("Tuareg forces", "Tuareg"),
    ],
)
def test_kind11_post_2014_actors_have_a_source(kb: KnowledgeBase, mention: str, name: str) -> None:
    actor = kb.lookup(mention)
    assert actor is not None and actor.name == name
    assert actor.source


# French as good as English: one story, two languages ------------------------------------------------------------

STORY_EN = (
    "Haftar's forces withdraw from Sirte",
    "Forces loyal to Khalifa Haftar withdrew from Sirte on Tuesday after talks in Tripoli with the Government of "
    "National Unity. Abdul Hamid Dbeibah said the 5+5 talks would resume in Ghadames. Turkish President Recep Tayyip "
    "Erdogan called Mohamed al-Menfi. The Wagner Group kept fighters at the Jufra air base, and Tebu forces held "
    "Ubari and Murzuq in the Fezzan. Oil exports from Es Sider and Ras Lanuf resumed, the National Oil Corporation "
    "said. The United Nations and Egypt welcomed the move.",
)
STORY_FR = (
    "Les forces de Haftar se retirent de Syrte",
    "Les forces fidèles à Khalifa Haftar se sont retirées de Syrte mardi après des pourparlers à Tripoli avec le "
    "Gouvernement d'unité nationale. Abdul Hamid Dbeibah a déclaré que les discussions du 5+5 reprendraient à "
    "Ghadamès. Le président turc Recep Tayyip Erdogan a appelé Mohamed al-Menfi. Le groupe Wagner a gardé des "
    "combattants sur la base aérienne de Jufra, et les forces toubou tenaient Oubari et Mourzouk, dans le Fezzan. "
    "Les exportations de pétrole d'Es Sider et de Ras Lanouf ont repris, selon la National Oil Corporation. "
    "L'Organisation des Nations unies et l'Égypte ont salué ce retrait.",
)


def _same_story(
    kb: KnowledgeBase,
    stories: tuple[tuple[str, str], tuple[str, str]],
    expected_actors: set[str],
    expected_places: set[str],
    expected_regions: set[str],
) -> tuple[EnrichedArticle, EnrichedArticle]:
    """The English and French tellings of one story: the expected actors, places and regions from both, and the
    same places and regions."""
    en, fr = enrich(kb, *stories[0], "en"), enrich(kb, *stories[1], "fr")
    assert expected_actors <= set(actors(en)), set(actors(en))
    assert expected_actors <= set(actors(fr)), set(actors(fr))
    assert expected_places <= places(en) and places(en) == places(fr)
    assert expected_regions <= regions(en) and regions(en) == regions(fr)
    return en, fr


def test_french_story_gives_what_the_english_story_gives(kb: KnowledgeBase) -> None:
    expected_actors = {
        "Khalifa Haftar",
        "Government of National Unity",
        "Abdul Hamid Dbeibah",
        "Recep Tayyip Erdoğan",
        "Mohamed al-Menfi",
        "Wagner Group",
        "Tebu",
        "National Oil Corporation",
        "United Nations",
    }
    expected_places = {"Sirte", "Tripoli", "Ghadames", "Ubari", "Murzuq", "Es Sider", "Ras Lanuf"}
    en, fr = _same_story(
        kb, (STORY_EN, STORY_FR), expected_actors, expected_places, {"Tripolitania", "Fezzan", "Cyrenaica"}
    )
    assert set(actors(en)) == set(actors(fr))
    assert {"Libya", "Turkey", "Egypt"} <= countries(en) and countries(en) == countries(fr)


STORY2_EN = (
    "Clashes in Tajoura",
    "Clashes between the Rada forces and the 444 Brigade shook Tajoura and Janzour, the Libyan Presidential Council "
    "said. In Cyrenaica, the east was calm; in Tripolitania, Nalut and Hun were calm too, and Russia's Africa Corps "
    "stayed at the al-Jufra base.",
)
STORY2_FR = (
    "Affrontements à Tajoura",
    "Des affrontements entre la Force Rada et la Brigade 444 ont secoué Tajoura et Janzour, a indiqué le Conseil "
    "présidentiel libyen. En Cyrénaïque, l'est était calme ; en Tripolitaine, Nalout et Houn l'étaient aussi, et "
    "l'Africa Corps russe restait sur la base d'al-Joufra.",
)


def test_second_french_story_spellings_of_places_regions_and_armed_groups(kb: KnowledgeBase) -> None:
    """French spellings (Nalout, Houn, Joufra, Cyrénaïque, Tripolitaine) and French names of actors (Force Rada,
    Conseil présidentiel libyen) give what the English story gives."""
    _same_story(
        kb,
        (STORY2_EN, STORY2_FR),
        {"Rada Special Deterrence Force", "444 Brigade", "Presidential Council of Libya", "Africa Corps"},
        {"Tajoura", "Janzour", "Nalut", "Hun"},
        {"Cyrenaica", "Tripolitania", "Fezzan"},
    )


STORY3_EN = (
    "Central bank standoff",
    "The Libyan Presidential Council moved in August 2024 to replace Sadiq al-Kabir as governor of the Central Bank of "
    "Libya. Mohamed Takala, head of the High Council of State, and the eastern prime minister Osama Hamad opposed "
    "the move, and oil fields in the Fezzan and in Cyrenaica were shut. In Derna, the Libyan Red Crescent and the "
    "Tariq Ben Ziyad Brigade were still clearing the ruins of the 2023 floods.",
)
STORY3_FR = (
    "Bras de fer à la banque centrale",
    "Le Conseil présidentiel libyen a tenté en août 2024 de remplacer Seddik al-Kabir à la tête de la Banque "
    "centrale de Libye. Mohammed Takala, chef du Haut Conseil d'État, et le Premier ministre de l'Est Oussama Hamad "
    "se sont opposés à cette décision, et des champs pétroliers du Fezzan et de Cyrénaïque ont été fermés. À Derna, "
    "le Croissant-Rouge libyen et la brigade Tariq Ben Ziyad déblayaient encore les ruines des inondations de 2023.",
)


def test_third_french_story_post_2014_actors_and_the_red_crescent(kb: KnowledgeBase) -> None:
    """Kind 11 (post-2014 actors): the central bank's governor, the High Council of State's head, the eastern
    prime minister, the Tariq Ben Ziyad Brigade and the Libyan Red Crescent ("le Croissant-Rouge libyen"), each
    under one canonical name in both languages."""
    _same_story(
        kb,
        (STORY3_EN, STORY3_FR),
        {
            "Presidential Council of Libya",
            "Sadiq al-Kabir",
            "Central Bank of Libya",
            "Mohamed Takala",
            "High Council of State",
            "Osama Hamad",
            "Libyan Red Crescent",
            "Tariq Ben Ziyad Brigade",
        },
        {"Derna"},
        {"Cyrenaica", "Fezzan"},
    )


STORY4_EN = (
    "Rebels hold Benghazi as NATO strikes continue",
    "BENGHAZI, Libya - Fighters loyal to the National Transitional Council held Benghazi on Sunday as NATO aircraft "
    "struck tanks of Muammar Gaddafi's forces near Ajdabiya and Brega. The council's chairman, Mustafa Abdul Jalil, "
    "said the siege of Misrata had to end. Mahmoud Jibril met French President Nicolas Sarkozy in Paris.\n\n"
    "Saif al-Islam Gaddafi said in Tripoli that the government would never surrender; his brother Khamis Gaddafi "
    "led the Khamis Brigade. The former interior minister Abdel Fattah Younes, who defected in February as did the "
    "foreign minister Moussa Koussa, commands the rebel army. Fighters from Zintan and Nalut pushed towards Gharyan. "
    "The International Criminal Court has issued a warrant for Gaddafi, his son and his intelligence chief "
    "Abdullah Senussi.",
)
STORY4_FR = (
    "Les rebelles tiennent Benghazi, l'OTAN poursuit ses frappes",
    "BENGHAZI (Libye) - Les combattants fidèles au Conseil national de transition tenaient dimanche Benghazi tandis "
    "que des avions de l'OTAN frappaient des chars des forces de Mouammar Kadhafi près d'Ajdabiya et de Brega. Le "
    "président du conseil, Moustafa Abdeljalil, a déclaré que le siège de Misrata devait cesser. Mahmoud Jibril a "
    "rencontré le président français Nicolas Sarkozy à Paris.\n\n"
    "Seif al-Islam Kadhafi a affirmé à Tripoli que le gouvernement ne se rendrait jamais ; son frère Khamis "
    "Kadhafi commandait la brigade Khamis. L'ancien ministre de l'Intérieur Abdel Fattah Younès, qui a fait "
    "défection en février comme le ministre des Affaires étrangères Moussa Koussa, commande l'armée rebelle. Des "
    "combattants de Zintan et de Nalout avançaient vers Gharyan. La Cour pénale internationale a émis un mandat "
    "d'arrêt contre Kadhafi, son fils et son chef des renseignements Abdallah Senoussi.",
)


def test_fourth_french_story_the_2011_war_under_one_name_per_actor(kb: KnowledgeBase) -> None:
    """The 2011 war's actors, spelt the English and the French way ("Abdel Fattah Younès", "Abdallah Senoussi",
    "Khamis Kadhafi"), each under one canonical name: a facet value per person, whatever the outlet's language."""
    en, fr = _same_story(
        kb,
        (STORY4_EN, STORY4_FR),
        {
            "National Transitional Council",
            "Muammar Gaddafi",
            "Mustafa Abdul Jalil",
            "Saif al-Islam Gaddafi",
            "Khamis Gaddafi",
            "Khamis Brigade",
            "Abdul Fatah Younis",
            "Moussa Koussa",
            "Abdullah Senussi",
            "NATO",
            "International Criminal Court",
        },
        {"Benghazi", "Ajdabiya", "Brega", "Misrata", "Tripoli", "Zintan", "Nalut", "Gharyan", "Paris"},
        {"Cyrenaica", "Tripolitania"},
    )
    assert set(actors(en)) == set(actors(fr))


STORY5_EN = (
    "Sanctions on militia leaders",
    "The UN Security Council imposed sanctions in June 2018 on Abd al-Rahman al-Milad, known as Bija, who headed "
    "the coast guard unit in Zawiya, and on Ahmed al-Dabbashi, a militia leader in Sabratha. The same month, Ibrahim "
    "Jadhran, a former commander of the Petroleum Facilities Guard, attacked the oil terminals of Es Sider and Ras "
    "Lanuf.\n\nThe International Criminal Court sought the arrest of Mahmoud al-Werfalli, a commander of the "
    "Saiqa special forces in Benghazi. In Tripoli, Salah Badi's al-Samoud Brigade fought the Tripoli "
    "Revolutionaries Brigade. Emad Trabelsi, a commander from Zintan, later became interior minister, and "
    "Abdulrazek al-Nadoori remained chief of staff of the Libyan National Army.",
)
STORY5_FR = (
    "Sanctions contre des chefs de milice",
    "Le Conseil de sécurité de l'ONU a sanctionné en juin 2018 Abdel Rahman al-Milad, dit Bija, chef de l'unité des "
    "garde-côtes de Zaouïa, et Ahmed al-Dabbashi, chef de milice à Sabratha. Le même mois, Ibrahim Jadhrane, "
    "ancien commandant des Gardes des installations pétrolières, a attaqué les terminaux pétroliers d'Es Sider et "
    "de Ras Lanouf.\n\nLa Cour pénale internationale a demandé l'arrestation de Mahmoud al-Werfalli, un commandant "
    "des forces spéciales Saiqa à Benghazi. À Tripoli, la brigade al-Samoud de Salah Badi a combattu la Brigade des "
    "révolutionnaires de Tripoli. Emad Trabelsi, un commandant de Zintan, est ensuite devenu ministre de "
    "l'Intérieur, et Abderrazak Nadhouri est resté chef d'état-major de l'Armée nationale libyenne.",
)


def test_fifth_french_story_armed_group_leaders_after_2014(kb: KnowledgeBase) -> None:
    """Kind 6 and 11: leaders of armed groups after 2014 and their groups, in both languages; "Saiqa" is the
    Libyan special forces in a story about Libya (the Palestinian as-Sa'iqa shares the name), never a person."""
    en, fr = _same_story(
        kb,
        (STORY5_EN, STORY5_FR),
        {
            "Abd al-Rahman al-Milad",
            "Ahmed al-Dabbashi",
            "Ibrahim Jadhran",
            "Petroleum Facilities Guard",
            "Mahmoud al-Werfalli",
            "Saiqa",
            "Salah Badi",
            "al-Samoud Brigade",
            "Tripoli Revolutionaries' Brigade",
            "Emad Trabelsi",
            "Abdulrazek al-Nadoori",
            "Libyan National Army",
        },
        {"Zawiya", "Sabratha", "Es Sider", "Ras Lanuf", "Benghazi", "Tripoli", "Zintan"},
        {"Cyrenaica", "Tripolitania"},
    )
    assert actors(en) == actors(fr) and actors(en)["Saiqa"] == "armed_group"
    assert {x.kb_id for x in en.entities} == {x.kb_id for x in fr.entities}


STORY6_EN = (
    "Clashes in the south",
    "Clashes between Tebu and Tuareg fighters broke out in Ubari and Murzuq in 2019, after the Libyan National Army "
    "took Sabha. The Chadian rebel group FACT, based in the Jufra region, and Sudanese fighters of the Justice and "
    "Equality Movement were also present, according to UN experts. The Awlad Suleiman tribe backed the LNA.",
)
STORY6_FR = (
    "Affrontements dans le Sud",
    "Des affrontements entre combattants toubous et touaregs ont éclaté à Oubari et à Mourzouq en 2019, après la "
    "prise de Sebha par l'Armée nationale libyenne. Le groupe rebelle tchadien FACT, basé dans la région "
    "d'al-Joufra, et des combattants soudanais du Mouvement pour la justice et l'égalité étaient également présents, "
    "selon des experts de l'ONU. La tribu des Awlad Souleimane a soutenu l'ANL.",
)


def test_sixth_french_story_the_souths_communities_and_foreign_fighters(kb: KnowledgeBase) -> None:
    """Kind 6: communities analysts filter by, written as French adjectives in lower case ("combattants toubous et
    touaregs") and in French spellings ("Awlad Souleimane", "Mourzouq"), and Sudan's Justice and Equality Movement
    by its French name: what the English telling gives."""
    en, fr = _same_story(
        kb,
        (STORY6_EN, STORY6_FR),
        {
            "Tebu",
            "Tuareg",
            "Awlad Suleiman",
            "Libyan National Army",
            "Front for Change and Concord in Chad",
            "Justice and Equality Movement",
        },
        {"Ubari", "Murzuq", "Sabha", "Jufra"},
        {"Fezzan"},
    )
    assert actors(en) == actors(fr)
    sudan = enrich(kb, "Darfur", "In Sudan, the RSF attacked El Fasher; the JEM said its fighters withdrew.")
    assert {"Rapid Support Forces", "Justice and Equality Movement"} <= set(actors(sudan))
    press = enrich(kb, "Press freedom", "RSF said 54 journalists were killed last year, and the FSR setting was new.")
    assert "Rapid Support Forces" not in actors(press)  # Reporters Without Borders; a graphics card's feature


def test_migration_story_places_across_the_sea_and_rescue_charities(kb: KnowledgeBase) -> None:
    """Migration coverage: the island boats head for (Lampedusa, Italy: a town under the gazetteer's 15,000 cut),
    the rescue charity and the ministries, in English and in French."""
    en = enrich(
        kb,
        "Boat intercepted",
        "Off Zuwara, the Libyan coast guard intercepted a boat carrying 90 people, while the Ocean Viking, run by SOS "
        "Mediterranee, rescued others and sailed to Lampedusa. Italy's interior ministry did not comment.",
    )
    fr = enrich(
        kb,
        "Un bateau intercepté",
        "Au large de Zouara, les garde-côtes libyens ont intercepté un bateau transportant 90 personnes, tandis que "
        "l'Ocean Viking, affrété par SOS Méditerranée, en a secouru d'autres et a fait route vers Lampedusa. Le "
        "ministère italien de l'Intérieur n'a pas commenté.",
        "fr",
    )
    for story in (en, fr):
        assert {"Zuwara", "Lampedusa"} <= places(story), places(story)
        assert {"SOS Méditerranée", "Italian Interior Ministry", "Libyan Coast Guard"} <= set(actors(story))
        assert "Lampedusa" not in actors(story)
    assert {loc.country for loc in fr.locations if loc.name == "Lampedusa"} == {"Italy"}


STORY7_EN = (
    "Rival governments after the airport battle",
    "Fighters of the Libya Dawn coalition, led by Misrata brigades, seized Tripoli's airport from Zintani militias "
    "in August 2014. The General National Congress named Omar al-Hassi prime minister, while the House of "
    "Representatives moved to Tobruk and backed Abdullah al-Thani's government in Bayda.\n\nIn Benghazi, Khalifa "
    "Haftar's Operation Dignity fought Ansar al-Sharia and the Benghazi Revolutionaries Shura Council. The Grand "
    "Mufti Sadiq al-Ghariani backed Libya Dawn.",
)
STORY7_FR = (
    "Deux gouvernements rivaux après la bataille de l'aéroport",
    "Les combattants de la coalition Fajr Libya, emmenés par les brigades de Misrata, ont pris en août 2014 "
    "l'aéroport de Tripoli aux milices de Zintan. Le Congrès général national a nommé Omar al-Hassi Premier "
    "ministre, tandis que la Chambre des représentants s'installait à Tobrouk et soutenait le gouvernement "
    "d'Abdallah al-Thinni à Beïda.\n\nÀ Benghazi, l'opération Dignité de Khalifa Haftar combattait Ansar al-Charia "
    "et le Conseil de la choura des révolutionnaires de Benghazi. Le grand mufti Sadek al-Ghariani soutenait Fajr "
    "Libya.",
)


def test_seventh_french_story_the_2014_split_under_one_name_per_actor(kb: KnowledgeBase) -> None:
    """Kind 6: the 2014 split's armed groups by their French names ("Ansar al-Charia", read as a person before;
    "le Conseil de la choura des révolutionnaires de Benghazi", cut short; "les brigades de Misrata"), and "Zintani
    militias" is the Zintan brigades, no town called "Zintani"."""
    en, fr = told_both_ways(kb, STORY7_EN, STORY7_FR)
    assert actors(en) == actors(fr), set(actors(en)) ^ set(actors(fr))
    assert {
        "Libya Dawn",
        "Misrata militias",
        "Zintan brigades",
        "Ansar al-Sharia (Libya)",
        "Shura Council of Benghazi Revolutionaries",
        "Sadiq al-Ghariani",
        "Omar al-Hassi",
    } <= set(actors(en))
    assert {"Tripoli", "Tobruk", "Bayda", "Benghazi", "Misrata"} <= places(en) <= places(fr)
    assert "Zintani" not in places(en)


STORY8_EN = (
    "Libya: Haftar's forces retreat south of Tripoli",
    "Forces loyal to Fayez al-Sarraj's Government of National Accord (GNA) on Monday retook the town of Gharyan, the "
    "main rear base of Field Marshal Khalifa Haftar's Libyan National Army (LNA), about a hundred kilometres south of "
    "Tripoli. The offensive launched on April 4 against the capital has killed more than a thousand people, "
    "according to the World Health Organization (WHO). In Benghazi, LNA spokesman Ahmed al-Mismari accused Turkey of "
    "delivering drones to Misrata militias. The UN envoy called for a ceasefire before the Security Council in New "
    "York.",
)
STORY8_FR = (
    "Libye : les forces du maréchal Haftar reculent au sud de Tripoli",
    "Les forces loyales au Gouvernement d'union nationale (GNA) de Fayez al-Sarraj ont repris lundi la ville de "
    "Gharyan, principale base arrière de l'Armée nationale libyenne (ANL) du maréchal Khalifa Haftar, à une centaine "
    "de kilomètres au sud de Tripoli. L'offensive lancée le 4 avril contre la capitale a fait plus d'un millier de "
    "morts, selon l'Organisation mondiale de la santé (OMS). À Benghazi, le porte-parole de l'ANL, Ahmed al-Mismari, "
    "a accusé la Turquie de livrer des drones aux milices de Misrata. L'émissaire de l'ONU a appelé à un "
    "cessez-le-feu devant le Conseil de sécurité à New York.",
)


def test_eighth_french_story_international_bodies_under_their_english_names(kb: KnowledgeBase) -> None:
    """The 2019 offensive on Tripoli: international bodies a French story names in French ("l'Organisation mondiale
    de la santé", "le Conseil de sécurité") are the English story's, one facet value each."""
    en, fr = told_both_ways(kb, STORY8_EN, STORY8_FR)
    assert actors(en) == actors(fr), set(actors(en)) ^ set(actors(fr))
    assert {"World Health Organization", "United Nations Security Council", "Ahmed al-Mismari"} <= set(actors(en))
    assert places(en) == places(fr) and {"Gharyan", "Tripoli", "Benghazi", "Misrata"} <= places(en)
    assert countries(en) == countries(fr) and regions(en) == regions(fr)


STORY9_EN = (
    "Oil ports reopen after blockade",
    "The National Oil Corporation (NOC) lifted force majeure at the ports of Es Sider and Ras Lanuf on Saturday, its "
    "chairman Mustafa Sanalla said in Tripoli. Guards loyal to Ibrahim Jadhran, the former head of the Petroleum "
    "Facilities Guard, had blocked the terminals for months. Output at the Sharara field in the Murzuq basin also "
    "resumed.\n\nIn Benghazi, the eastern government of Osama Hammad welcomed the deal.",
)
STORY9_FR = (
    "Réouverture des ports pétroliers après le blocus",
    "La Compagnie nationale de pétrole (NOC) a levé samedi la force majeure sur les ports d'al-Sidra et de Ras "
    "Lanouf, a annoncé son président Mustafa Sanalla à Tripoli. Des gardes fidèles à Ibrahim Jadhran, ancien chef "
    "des Gardes des installations pétrolières, bloquaient les terminaux depuis des mois. La production du champ "
    "d'al-Charara, dans le bassin de Mourzouk, a aussi repris.\n\nÀ Benghazi, le gouvernement de l'Est d'Oussama "
    "Hammad a salué l'accord.",
)


def test_ninth_french_story_an_organisation_in_another_wording_before_its_known_acronym(kb: KnowledgeBase) -> None:
    """The oil crescent: "la Compagnie nationale de pétrole (NOC)" is the National Oil Corporation, though the
    knowledge base lists another French wording: a name written before an acronym in brackets that the knowledge
    base knows is that organisation. The French press's spellings of eastern leaders ("Oussama Hammad") are
    aliases."""
    en, fr = told_both_ways(kb, STORY9_EN, STORY9_FR)
    assert actors(en) == actors(fr), set(actors(en)) ^ set(actors(fr))
    assert {"National Oil Corporation", "Osama Hamad", "Petroleum Facilities Guard"} <= set(actors(en))
    assert places(en) == places(fr) and {"Es Sider", "Ras Lanuf", "Tripoli", "Benghazi"} <= places(en)
    assert regions(en) == regions(fr)
    wire = enrich(kb, "", "WASHINGTON (AP) — A federal judge in Wyoming halted the rule on Wednesday.")
    agency = [e for e in wire.entities if e.name == "Associated Press"]
    assert agency and all(m.text == "AP" for m in agency[0].mentions)  # a dateline's town is no agency's name


STORY10_EN = (
    "Libya's elections postponed",
    "Libya's High National Elections Commission (HNEC) said on Wednesday that the presidential vote planned for "
    "December 24 could not go ahead. The House of Representatives in Tobruk later named Fathi Bashagha, a former "
    "interior minister from Misrata, to head a new government, a move rejected by the High Council of State led by "
    "Khaled al-Mishri and by the Presidential Council of Mohamed al-Menfi.",
)
STORY10_FR = (
    "Report des élections en Libye",
    "La Haute Commission électorale nationale (HNEC) a annoncé mercredi que le scrutin présidentiel prévu le 24 "
    "décembre ne pourrait pas avoir lieu. La Chambre des représentants, à Tobrouk, a ensuite désigné Fathi Bachagha, "
    "ancien ministre de l'Intérieur originaire de Misrata, pour former un nouveau gouvernement, une décision rejetée "
    "par le Haut Conseil d'État présidé par Khaled al-Mechri et par le Conseil présidentiel de Mohamed el-Menfi.",
)


def test_tenth_french_story_the_2021_vote_and_its_institutions(kb: KnowledgeBase) -> None:
    """Kind 11: the elections commission (HNEC) is a post-2014 institution of the knowledge base; French names it
    "la Haute Commission électorale nationale" (NER keeps "Commission électorale nationale"), one facet value with
    the English story's, as the rival institutions and their heads are."""
    en, fr = told_both_ways(kb, STORY10_EN, STORY10_FR)
    assert actors(en) == actors(fr), set(actors(en)) ^ set(actors(fr))
    assert {
        "High National Elections Commission",
        "House of Representatives",
        "High Council of State",
        "Presidential Council of Libya",
        "Fathi Bashagha",
        "Mohamed al-Menfi",
    } <= set(actors(en))
    assert places(en) == places(fr) and {"Tobruk", "Misrata"} <= places(en)


STORY11_EN = (
    "Clashes in the south",
    "Tebu leaders accused the Libyan National Army of backing Arab tribes such as the Awlad Suleiman. Further north, "
    "in Sabha, the Qadhadhfa and the Awlad Suleiman have clashed repeatedly since 2014.",
)
STORY11_FR = (
    "Affrontements dans le Sud",
    "Des chefs toubous ont accusé l'Armée nationale libyenne de soutenir des tribus arabes comme les Awlad "
    "Souleiman. Plus au nord, à Sebha, les Kadhadhfa et les Awlad Souleiman s'affrontent régulièrement depuis 2014.",
)


def test_eleventh_french_story_the_souths_tribes_by_their_french_spellings(kb: KnowledgeBase) -> None:
    """Kind 6: communities analysts filter by, written as the French press writes them ("Awlad Souleiman",
    "Kadhadhfa"), are the English story's communities, not a person."""
    en, fr = told_both_ways(kb, STORY11_EN, STORY11_FR)
    assert actors(en) == actors(fr), set(actors(en)) ^ set(actors(fr))
    assert actors(fr).get("Awlad Suleiman") == "community" and actors(fr).get("Qadhadhfa") == "community"
    assert places(en) == places(fr) == {"Sabha"}


STORY12_EN = (
    "Deadly clashes in Tripoli",
    "Clashes broke out in Tripoli on Monday night between the 444 Brigade and the Special Deterrence Force, known as "
    "Rada, after the arrest of the brigade's commander Mahmoud Hamza at Mitiga airport. The Stability Support "
    "Apparatus, led by Abdelghani al-Kikli, known as Ghneiwa, stayed out of the fighting. Rada, headed by Abdul Rauf "
    "Kara, controls the Souq al-Juma district.",
)
STORY12_FR = (
    "Affrontements meurtriers à Tripoli",
    "Des affrontements ont éclaté lundi soir à Tripoli entre la Brigade 444 et la Force de dissuasion spéciale, dite "
    "Rada, après l'arrestation du commandant de la brigade, Mahmoud Hamza, à l'aéroport de Mitiga. L'Appareil de "
    "soutien à la stabilité, dirigé par Abdelghani al-Kikli, dit Ghneiwa, est resté à l'écart des combats. Rada, "
    "dirigée par Abdel Raouf Kara, contrôle le quartier de Souk al-Joumaa.",
)


def test_twelfth_french_story_tripolis_armed_groups_their_leaders_and_districts(kb: KnowledgeBase) -> None:
    """Kinds 6 and 11: Tripoli's armed groups after 2020, their commanders by every spelling and nickname the press
    uses ("Abdul Rauf Kara", "Abdel Raouf Kara"; "Ghneiwa" is al-Kikli, no organisation), and the district they hold
    by its French spelling ("Souk al-Joumaa")."""
    en, fr = told_both_ways(kb, STORY12_EN, STORY12_FR)
    assert actors(en) == actors(fr), set(actors(en)) ^ set(actors(fr))
    assert {
        "444 Brigade",
        "Rada Special Deterrence Force",
        "Stability Support Apparatus",
        "Abdul Ghani al-Kikli",
        "Abdel Raouf Kara",
        "Mahmoud Hamza",
    } <= set(actors(en))
    assert "Ghneiwa" not in actors(en)
    assert places(en) == places(fr) and {"Tripoli", "Souq al Juma", "Mitiga"} <= places(en)


STORY13_EN = (
    "Ceasefire talks in Geneva",
    "The 5+5 Joint Military Commission signed a permanent ceasefire in Geneva in October 2020. The deal followed "
    "talks in Moscow, Cairo and Beirut, and a conference in Berlin attended by Vladimir Putin and Emmanuel Macron. "
    "The front line had settled between Sirte and al-Jufra since June.",
)
STORY13_FR = (
    "Pourparlers de cessez-le-feu à Genève",
    "La Commission militaire conjointe 5+5 a signé un cessez-le-feu permanent à Genève en octobre 2020. L'accord "
    "faisait suite à des pourparlers à Moscou, au Caire et à Beyrouth, et à une conférence à Berlin en présence de "
    "Vladimir Poutine et d'Emmanuel Macron. La ligne de front s'était stabilisée entre Syrte et al-Joufra depuis juin.",
)


def test_thirteenth_french_story_world_cities_by_their_french_names(kb: KnowledgeBase) -> None:
    """Kind 2 beyond Libya: the French press names the cities of Libya's diplomacy in French ("Genève", "Moscou",
    "au Caire", "Beyrouth"): the same places as the English story, the city of Geneva and not its canton; the 5+5
    Joint Military Commission is one actor in both languages."""
    en, fr = told_both_ways(kb, STORY13_EN, STORY13_FR)
    assert {"Geneva", "Moscow", "Cairo", "Beirut", "Berlin", "Sirte"} <= places(en)
    assert places(en) == places(fr), places(en) ^ places(fr)
    assert countries(en) == countries(fr)
    assert actors(en) == actors(fr), set(actors(en)) ^ set(actors(fr))
    assert "5+5 Joint Military Commission" in actors(en)


STORY14_EN = (
    "Migrants rescued off Libya",
    "The Libyan coast guard intercepted a boat near Sabratha and returned its passengers to a detention centre in "
    "Tripoli, according to the International Organization for Migration. Frontex said crossings from eastern Libya "
    "to Crete and Lampedusa had doubled. Italian Prime Minister Giorgia Meloni met Khalifa Haftar in Rome to discuss "
    "departures from Tobruk.",
)
STORY14_FR = (
    "Des migrants secourus au large de la Libye",
    "Les garde-côtes libyens ont intercepté une embarcation près de Sabratha et ramené ses passagers dans un centre "
    "de détention à Tripoli, selon l'Organisation internationale pour les migrations. Frontex a indiqué que les "
    "traversées depuis l'est de la Libye vers la Crète et Lampedusa avaient doublé. La présidente du Conseil "
    "italien Giorgia Meloni a reçu Khalifa Haftar à Rome pour évoquer les départs depuis Tobrouk.",
)


def test_fourteenth_french_story_places_listed_as_one_name_and_a_generic_council(kb: KnowledgeBase) -> None:
    """Migration at sea: NER reads "Crete and Lampedusa" as one organisation (two places, each the gazetteer's);
    "la présidente du Conseil italien" gives no actor "Conseil" (a generic noun, as "the government"). Both
    stories give the same actors and places."""
    en, fr = told_both_ways(kb, STORY14_EN, STORY14_FR)
    assert "Crete and Lampedusa" not in actors(en) and "Conseil" not in actors(fr)
    assert actors(en) == actors(fr), set(actors(en)) ^ set(actors(fr))
    assert {"Lampedusa", "Sabratha", "Tripoli", "Rome", "Tobruk"} <= places(en)
    assert places(en) | regions(en) == places(fr) | regions(fr)
    whole = enrich(kb, "", "Exports from Trinidad and Tobago rose, while Marks and Spencer cut prices.")
    assert "Trinidad and Tobago" in countries(whole)


STORY15_EN = (
    "Foreign oil firms return to the south",
    "The Spanish company Repsol resumed production at the Sharara field, the National Oil Corporation said. Energy "
    "giant Gazprom and the French firm Total also sent staff back, while fighters of the Russian Wagner group left "
    "Sirte.",
)
STORY15_FR = (
    "Les pétroliers étrangers reviennent dans le sud",
    "L'espagnol Repsol a repris la production sur le champ d'El Sharara, a indiqué la Compagnie nationale de pétrole. "
    "Le géant russe Gazprom et le français Total ont aussi renvoyé du personnel, tandis que les combattants du groupe "
    "russe Wagner quittaient Syrte.",
)


def test_fifteenth_french_story_firms_named_by_their_kind_and_a_field_after_an_elision(kb: KnowledgeBase) -> None:
    """Firms a story names by their kind and nationality ("the Spanish company Repsol", NER finds nothing; "l'espagnol
    Repsol", NER says a person) are organisations in both languages; "d'El Sharara" (NER keeps only "El") is the
    Sharara field."""
    en, fr = told_both_ways(kb, STORY15_EN, STORY15_FR)
    firms = {"Repsol", "Gazprom", "Total"}
    assert firms <= {n for n, t in actors(en).items() if t == "organization"}, actors(en)
    assert firms <= {n for n, t in actors(fr).items() if t == "organization"}, actors(fr)
    assert places(en) == places(fr) and {"Sharara field", "Sirte"} <= places(en)
    assert regions(en) == regions(fr) == {"Fezzan", "Tripolitania"}
    gulf_en = enrich(kb, "", "Coastguards have patrolled the Gulf of Sirte since March.")
    gulf_fr = enrich(kb, "", "Les garde-côtes patrouillent dans le golfe de Syrte depuis mars.", "fr")
    assert places(gulf_en) == places(gulf_fr) == {"Gulf of Sirte"}  # NER's span opens with the lower-case "golfe"


def test_an_institution_written_in_lower_case_is_found_in_a_story_about_its_country(kb: KnowledgeBase) -> None:
    """French typography writes "le gouvernement d'unité nationale": Libya's GNU in a story about Libya, not the
    Palestinian unity government."""
    libya = enrich(
        kb, "Libye", "Le chef du gouvernement d'unité nationale, Abdelhamid Dbeibah, a appelé au calme.", "fr"
    )
    assert "Government of National Unity" in actors(libya)
    other = enrich(kb, "Palestine", "Le gouvernement d'unité nationale palestinien a démissionné à Ramallah.", "fr")
    assert "Government of National Unity" not in actors(other)
    named = enrich(kb, "Libye", "Le gouvernement de Dbeibah a annoncé un accord. Abdelhamid Dbeibah l'a salué.", "fr")
    assert {"Government of National Unity", "Abdul Hamid Dbeibah"} <= set(actors(named))  # as "the Dbeibah government"


def test_names_other_countries_share_are_libyan_only_in_a_story_about_libya(kb: KnowledgeBase) -> None:
    """Kind 6 and 11 (Libyan institutions named descriptively): "the House of Representatives", "the Presidential
    Council", "the Red Crescent" and "the Government of National Unity" are Libya's in a story about Libya (here
    named by its towns only), in English and in French; in a story about the United States or South Africa they
    are no actor of the knowledge base (no Libyan ``kb_id``)."""
    libyan = {
        "House of Representatives",
        "Presidential Council of Libya",
        "Libyan Red Crescent",
        "Government of National Unity",
    }
    en = enrich(
        kb,
        "Budget vote",
        "In Tobruk, the House of Representatives voted on the budget. The Presidential Council in Tripoli rejected "
        "the vote, the Red Crescent said roads to Derna were open, and the Government of National Unity said it "
        "would not recognise the result.",
    )
    fr = enrich(
        kb,
        "Vote du budget",
        "À Tobrouk, la Chambre des représentants a voté le budget. Le Conseil présidentiel à Tripoli a rejeté le "
        "vote, le Croissant-Rouge a indiqué que les routes vers Derna étaient ouvertes, et le gouvernement d'unité "
        "nationale a dit qu'il ne reconnaîtrait pas le résultat.",
        "fr",
    )
    for story in (en, fr):
        assert libyan <= {x.name for x in story.entities if x.kb_id}, actors(story)
    elsewhere = enrich(
        kb,
        "Budget vote",
        "In Washington, the House of Representatives voted on the budget, and the Red Crescent said aid reached "
        "Gaza. In Pretoria, the Government of National Unity agreed on its own budget. In Damascus, the "
        "Palestinian faction al-Saiqa met the Syrian government.",
    )
    assert not {x.kb_id for x in elsewhere.entities if x.kb_id} & {
        "house-of-representatives-libya",
        "libyan-red-crescent",
        "government-of-national-unity",
        "saiqa-special-forces",
    }


# General news (Wikinews-like): rules that also serve non-Libya stories --------------------------------------------


def test_fixture_sides_are_clubs_not_places(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Cup draw",
        "The draw for the last sixteen was made on Friday:\n\nBarcelona v. Chelsea\n"
        "Werder Bremen v. Lyon\n\nThe first legs are played in February.",
    )
    clubs = {n for n, t in actors(e).items() if t == "organization"}
    assert {"Barcelona", "Chelsea", "Werder Bremen", "Lyon"} <= clubs
    assert not places(e) & {"Barcelona", "Lyon"}


def test_fixture_lines_name_clubs_ner_did_not_find(kb: KnowledgeBase) -> None:
    """A list of fixtures, one a line: each side is a club, also one NER found nothing in ("NAC"); a single case in
    a court ("Roe v. Wade") is no fixture list."""
    e = enrich(
        kb, "", "Fixtures for Saturday:\n\nNAC v. Vitesse\nPorto vs Benfica\nSporting v. Braga\n\nKick-off is at 8 pm."
    )
    clubs = {n for n, t in actors(e).items() if t == "organization"}
    assert {"NAC", "Vitesse", "Porto", "Benfica", "Sporting", "Braga"} <= clubs, actors(e)
    assert not places(e) & {"Porto", "Braga"}


def test_an_acronym_in_another_language_after_an_organisation(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "Coalition talks",
        "The Brazilian Communist Party (PCdoB) joined the coalition. PCdoB leaders met on Monday.",
    )
    party = next(x for x in e.entities if "PCdoB" in {m.text for m in x.mentions})
    assert party.type == "organization" and len(party.mentions) >= 2


def test_a_country_opening_an_organisations_name_is_the_articles(kb: KnowledgeBase) -> None:
    e = enrich(kb, "Travel warnings", "The U.S. State Department issued travel warnings on Tuesday.")
    assert "United States" in countries(e)
    bank = enrich(kb, "Rates", "The Bank of Japan kept its rates unchanged on Tuesday.")
    assert "Japan" in countries(bank)  # a country closing a body's name is whose body it is (twelfth pass)
    assert set(actors(bank)) == {"Bank of Japan"}  # the name stays one actor


def test_a_states_organs_named_by_nationality_in_both_languages(kb: KnowledgeBase) -> None:
    en = enrich(kb, "Migrants", "The Libyan coast guard intercepted a boat, and the Italian government protested.")
    fr = enrich(
        kb,
        "Migrants",
        "Les garde-côtes libyens ont intercepté un bateau, et le gouvernement italien a "
        "protesté. La marine libyenne a confirmé.",
        "fr",
    )
    assert {"Libyan Coast Guard", "Italian Government"} <= set(actors(en))
    assert {"Libyan Coast Guard", "Italian Government", "Libyan Navy"} <= set(actors(fr))


# General news, second pass (kinds read on the tune part of bench/entities_eval.py) --------------------------------


def test_an_organisation_is_not_a_town_by_one_of_the_towns_other_names(kb: KnowledgeBase) -> None:
    # "Google" is among Topeka's alternate names in GeoNames (a 2010 stunt): only a place's own name, or a
    # country's, region's or district's, outweighs NER's organisation label.
    e = enrich(kb, "", "Engineers at Google said on Tuesday that the company will open an office in Nairobi.")
    assert actors(e).get("Google") == "organization"
    assert "Topeka" not in places(e) and countries(e) == {"Kenya"}


def test_a_first_level_division_of_several_words_is_no_person(kb: KnowledgeBase) -> None:
    # NER reads "Tamil Nadu" as a person here; a state's name of one word stays a person's ("Georgia", "Victoria").
    e = enrich(kb, "", "Tamil Nadu asked the court for more water from the river on Monday.")
    assert "Tamil Nadu" not in actors(e)
    assert "India" in countries(e)


def test_a_name_beside_what_it_names_in_lower_case_is_an_organisation(kb: KnowledgeBase) -> None:
    # NER reads "Frelimo" as a person; "party" after it says what it is.
    e = enrich(
        kb,
        "",
        "Mozambique's ruling Frelimo party won the October vote, and its candidate Daniel Chapo became president.",
    )
    assert actors(e).get("Frelimo") == "organization"
    assert actors(e).get("Daniel Chapo") == "person"
    club = enrich(kb, "", "Santos only needs a win against the other team Vasco da Gama to take the title.")
    assert actors(club).get("Vasco da Gama") == "organization"  # the noun before the name says it too


def test_a_politicians_party_in_brackets_is_an_organisation(kb: KnowledgeBase) -> None:
    e = enrich(
        kb,
        "",
        "The protesters asked to meet the mayor Ana Paula Souza (PSDB). She was away, and the PSDB "
        "said on Friday that she would meet them next week.",
    )
    party = next(x for x in e.entities if x.name == "PSDB")
    assert party.type == "organization" and len(party.mentions) == 2
    runners = enrich(kb, "", "The race was won by the marathon runner Joshua Kiprono (KEN) in two hours.")
    assert actors(runners).get("KEN") != "organization"  # no office before the name: a country code, not a party


def test_names_listed_with_organisations_are_organisations(kb: KnowledgeBase) -> None:
    # NER labels "Halliburton" a place; the gazetteer does not know it, its list is of companies.
    e = enrich(kb, "", "The deal was signed by Halliburton, Chevron and Shell.")
    assert {"Halliburton", "Chevron", "Shell"} <= {n for n, t in actors(e).items() if t == "organization"}
    towns = enrich(kb, "", "Flights resumed to Benghazi, Misrata and Sabha on Monday.")
    assert {"Benghazi", "Misrata", "Sabha"} <= places(towns)


def test_one_name_after_a_title_is_a_person_whatever_ners_label(kb: KnowledgeBase) -> None:
    # NER reads "MacAuliffe" as an organisation; after "General" it is the general.
    e = enrich(kb, "", "General MacAuliffe's reply to the demand for surrender was a single word.")
    assert actors(e).get("MacAuliffe") == "person"
    motors = enrich(kb, "", "General Motors said on Tuesday that it would close two plants.")
    assert actors(motors).get("General Motors") == "organization"


def test_a_name_ner_reads_mostly_as_a_person_is_one_throughout(kb: KnowledgeBase) -> None:
    # NER reads "Noma" twice as a person and once as a place (NoMa, a Washington neighbourhood): the article's
    # majority decides, so she is no place anywhere, and the United States is not the story's.
    e = enrich(
        kb,
        "",
        "“I cry every night,” said Noma. She moved to Cape Town in May. “Nobody listened to me,” said "
        "Noma. The police opened a case in June. “I want justice for my child,” said Noma. Noma works "
        "as a cleaner.",
    )
    assert actors(e).get("Noma") == "person"
    assert "NoMa" not in places(e) and countries(e) == {"South Africa"}


def test_a_party_named_by_its_members_in_the_plural_is_an_organisation(kb: KnowledgeBase) -> None:
    """Plural party names (NER calls them NORP): the party, not a nationality; the adjective stays nothing."""
    body = (
        "In the European Parliament the Greens and the Socialists voted against the plan, while Social Democrats "
        "abstained. In Washington, Republicans blocked the bill and a Democrat senator called it a mistake."
    )
    found = actors(enrich(kb, "Votes in two parliaments", body))
    assert {"Greens", "Socialists", "Social Democrats", "Republicans"} <= {
        n for n, t in found.items() if t == "organization"
    }
    assert "Democrat" not in found


def test_a_us_party_tag_names_the_party_and_the_state(kb: KnowledgeBase) -> None:
    """ "Sen. Jane Roe (R-AZ)": the letter is the party, the postal code the state; a tag whose state is no state
    ("(R-ZZ)") gives nothing."""
    body = (
        "Sen. Jane Roe (R-AZ) and Rep. John Doe (D-Calif.) wrote to the Air Force on Tuesday. "
        "A third letter, signed (R-ZZ), was not sent."
    )
    e = enrich(kb, "Letter on tanker contract", body)
    orgs = {n for n, t in actors(e).items() if t == "organization"}
    assert {"Republican Party", "Democratic Party"} <= orgs
    assert {"Arizona", "California"} <= {loc.name for loc in e.locations}


def test_a_venue_ner_calls_an_organisation_is_where_it_happened(kb: KnowledgeBase) -> None:
    """NER calls hospitals and hotels organisations; the news means the place (kept under its name)."""
    body = (
        "Two guards were wounded at the Ghadames Conference Centre and taken to Al Wahda Hospital, officials said. "
        "Delegates had stayed at the Corinthia Hotel in Tripoli, Libya."
    )
    e = enrich(kb, "Guards wounded at conference venue", body)
    assert {"Al Wahda Hospital", "Corinthia Hotel"} <= places(e)
    assert not {"Al Wahda Hospital", "Corinthia Hotel"} & set(actors(e))


def test_a_place_ner_calls_a_person_by_its_head_or_its_preposition(kb: KnowledgeBase) -> None:
    """NER calls some hospitals, streets and small towns people: a venue's or a street's head, or "in"/"into"
    before the name, says place; a possessive after it ("in Obama's speech") keeps the person."""
    body = (
        "The clinic referred her to Karl Bremer Hospital. Police closed Dubonet Drive on Monday. "
        "The bus service will open in Castlegar next year, and in Obama's speech the town was not named. "
        "The inquiry into the Bidens went on."
    )
    e = enrich(kb, "Services expand", body)
    assert {"Karl Bremer Hospital", "Dubonet Drive", "Castlegar"} <= places(e)
    assert not {"Karl Bremer Hospital", "Dubonet Drive", "Castlegar"} & set(actors(e))
    assert "Bidens" not in places(e)
    assert actors(e).get("Barack Obama") == "person"  # the knowledge base knows him


def test_events_are_not_organisations_and_bases_are_places(kb: KnowledgeBase) -> None:
    """A military operation, a named storm or a gathering NER calls an organisation is what happened, not who; an
    air base is where. An operation the knowledge base knows names its actor ("Operation Dignity": the LNA)."""
    body = (
        "Delegates at the Republican National Convention discussed Operation Condor. Jets took off from "
        "Vandenberg Air Force Base in California. In Benghazi, Operation Dignity forces advanced on Monday."
    )
    e = enrich(kb, "Week in review", body)
    found = actors(e)
    assert not {"Republican National Convention", "Operation Condor", "Vandenberg Air Force Base"} & set(found)
    assert "Vandenberg Air Force Base" in places(e)
    assert found.get("Libyan National Army") == "armed_group"
    storm = enrich(kb, "Floods", "Saddam Haftar toured Derna after Storm Daniel broke two dams, officials said.")
    assert "Storm Daniel" not in actors(storm) and "Derna" in places(storm)


def test_a_longer_organisation_name_around_a_known_one_is_another_organisation(kb: KnowledgeBase) -> None:
    """ "the National Security Council" is not the UN's Security Council; a word saying whose or where ("Haftar's
    LNA", "the Tripoli-based GNA") keeps the known one."""
    body = (
        "A former National Security Council official testified on Tuesday. The Security Council met in New York. "
        "Haftar's LNA said the Tripoli-based GNA had broken the truce."
    )
    found = actors(enrich(kb, "Testimony and truce", body))
    assert found.get("National Security Council") == "organization"
    assert found.get("United Nations Security Council") == "organization"
    assert {"Libyan National Army", "Government of National Accord"} <= set(found)


def test_names_listed_with_places_are_places(kb: KnowledgeBase) -> None:
    """NER reads "Almelo" as a person and "Colchester" as an organisation; listed with towns, the gazetteer's towns
    are towns. A surname the article gives someone stays that person's."""
    body = (
        "The night train from Amsterdam to Berlin calls at Hilversum and Almelo before crossing the border. "
        "Flooding closed roads around Colchester and Braintree on Sunday."
    )
    e = enrich(kb, "Travel news", body)
    assert {"Almelo", "Colchester", "Braintree"} <= places(e)
    assert not {"Almelo", "Colchester"} & set(actors(e))
    body = "The court split the river's water among Tamil Nadu, Karnataka, Kerala and Puducherry."
    states = enrich(kb, "Water", body)
    assert {"Karnātaka", "Kerala", "Puducherry"} <= places(states)  # NER: two places among two "people"
    assert not actors(states)
    runner = enrich(kb, "", "The winner was Andy Murray. Murray, Scotland's best player, thanked the crowd.")
    assert actors(runner).get("Andy Murray") == "person"


def test_a_dateline_in_capitals_is_a_place(kb: KnowledgeBase) -> None:
    """NER finds nothing in a capitalised dateline, or cuts it in two ("ST", "PAUL")."""
    delhi = enrich(kb, "Court asks for a reply", "NEW DELHI: The high court on Monday asked the ministry to reply.")
    assert "New Delhi" in places(delhi) and "India" in countries(delhi)
    paul = enrich(kb, "Budget passes", "ST. PAUL – Lawmakers in Minnesota passed the state budget on Friday.")
    assert "Saint Paul" in places(paul) or "St. Paul" in places(paul)
    assert "BREAKING" not in places(enrich(kb, "", "BREAKING: Lawmakers passed the budget on Friday."))


def test_a_places_possessive_ends_the_name_before_it(kb: KnowledgeBase) -> None:
    """NER reads "Accra’s Independence Avenue" as one organisation: Accra, and its avenue."""
    e = enrich(kb, "Road closed", "Police closed Accra’s Independence Avenue to traffic.")
    assert "Accra" in places(e)
    assert not actors(e)


def test_an_office_inside_a_title_run_is_not_part_of_the_name(kb: KnowledgeBase) -> None:
    """After "Deputy", "Defense Secretary Wolfowitz" is an office and its holder: the person is "Wolfowitz", never
    "Defense Secretary Wolfowitz"."""
    e = enrich(kb, "Tanker deal", "The deal was cancelled. Deputy Defense Secretary Wolfowitz published a letter.")
    assert actors(e) == {"Wolfowitz": "person"}


def test_an_office_run_into_its_holders_name_is_cut_before_the_name(kb: KnowledgeBase) -> None:
    """NER reads "the Air Force for Acquisition Marvin Sambur" as one organisation: the office, then its holder,
    whom NER finds as a person elsewhere in the article. A product named after its maker stays whole."""
    body = (
        "Assistant Secretary of the Air Force for Acquisition Marvin Sambur said no. Marvin Sambur resigned in "
        "January after the review."
    )
    found = actors(enrich(kb, "Tanker deal", body))
    assert found.get("Marvin Sambur") == "person"
    assert not [name for name in found if name.endswith("Sambur") and name.startswith("Air Force")]
    product = actors(enrich(kb, "Cloud", "Google said on Monday that Google Kubernetes Engine now runs faster."))
    assert "Kubernetes Engine" not in product


def test_a_role_beside_a_name_makes_it_a_person(kb: KnowledgeBase) -> None:
    """NER reads "Kgalema Motlanthe" as an organisation or misses it; a role in apposition says he is a person. A
    capitalised role opening NER's span is left out of the name ("Striker Zlatan Ibrahimovic"). Organisations
    described as such stay organisations."""
    body = (
        "Kgalema Motlanthe, the deputy president, said the plan was sound. Chevron, the oil company, reported "
        "results. Hamas, the militant group whose leader spoke on Monday, refused."
    )
    for title in ("", "Statements"):  # NER calls him an organisation without the title, and misses him with it
        found = actors(enrich(kb, title, body))
        assert found.get("Kgalema Motlanthe") == "person"
        assert found.get("Chevron") == "organization" and found.get("Hamas") == "organization"
    striker = actors(enrich(kb, "", "Striker Zlatan Ibrahimovic scored twice."))
    assert striker == {"Zlatan Ibrahimovic": "person"}


def test_a_name_after_a_direction_is_a_place(kb: KnowledgeBase) -> None:
    """NER reads "Hauran" as a person; "in southern Hauran" says it is a place, kept as written (the gazetteer lacks
    it). A nationality after a direction stays a nationality."""
    e = enrich(kb, "Shelling", "Government forces shelled villages in southern Hauran on Sunday.")
    assert "Hauran" not in actors(e)
    assert "Hauran" in places(e)
    forces = enrich(kb, "", "Eastern forces advanced while western Libyan units held Tripoli.")
    assert "Libyan" not in places(forces)


def test_a_name_never_ends_with_an_opening_bracket(kb: KnowledgeBase) -> None:
    """NER takes "The Sustainable Housing Authority of Ireland (" before its acronym: the bracket is no part of the
    name, which then defines the acronym."""
    body = "The Sustainable Housing Authority of Ireland (SHAI) pays for the scheme. SHAI said more homes qualify."
    e = enrich(kb, "Housing grants", body)
    authority = next(x for x in e.entities if x.name == "Sustainable Housing Authority of Ireland")
    assert [m.text for m in authority.mentions] == ["Sustainable Housing Authority of Ireland", "SHAI", "SHAI"]


def test_institution_words_are_never_towns_abroad(kb: KnowledgeBase) -> None:
    """Police (Poland), Time (Norway), Bank (India), Media (Morocco) are towns somewhere; in news they are words."""
    body = (
        "Chicago Police arrested two men on Friday. Time will tell whether the Media and the Bank will agree, "
        "a spokesman in Chicago said."
    )
    e = enrich(kb, "Arrests", body)
    assert countries(e) == {"United States"}
    assert not {"Police", "Time", "Bānk", "Mehdya"} & places(e)


def test_seasons_are_never_towns(kb: KnowledgeBase) -> None:
    """Spring is a town in Texas; a season opening a sentence is the season, even in a Texan story."""
    body = (
        "Caterers in Houston and Dallas plan seasonal menus for Texas clients. Spring menus might feature fresh "
        "asparagus and peas, while summer brings tomatoes."
    )
    e = enrich(kb, "Menus", body)
    assert {"Houston", "Dallas"} <= places(e)
    assert "Spring" not in places(e)


def test_a_given_name_alone_is_the_person_named_in_full(kb: KnowledgeBase) -> None:
    """NER reads "Tyler" alone as a place (a town in Texas); the article names Tyler Grant in full, more often: the
    majority of the article's readings of the name is the person's."""
    body = (
        "The brothers Tyler Grant and Jesse Grant were sentenced in 2002, with Jesse getting 30 years and Tyler "
        "being given 21 years. Tyler Grant was released in 2015."
    )
    e = enrich(kb, "Sentences", body)
    assert "Tyler" not in places(e)
    assert actors(e).get("Tyler Grant") == "person"


def test_a_one_word_person_the_article_writes_as_a_plain_word_is_that_word(kb: KnowledgeBase) -> None:
    """spaCy's small model reads capitalised words opening menus and headings as names ("Learn", "Download"): a
    one-word person the article also writes in lower case is that word. A surname of a full name in the article
    ("Hill" after "Fiona Hill", though "hill" is a word too) stays a person."""
    from etl.entities import _common_word_people

    text = (
        "Learn more. You can learn Python here. Download the app and download files. "
        "Fiona Hill spoke on the hill. Hill said so."
    )

    spans = [nth_span(text, w, "PERSON") for w in ("Learn", "Download", "Fiona Hill")]
    spans.append(nth_span(text, "Hill", "PERSON", 1))
    kept = {text[s:e] for s, e, _ in _common_word_people(text, spans, kb)}
    assert kept == {"Fiona Hill", "Hill"}


def test_a_one_word_organisation_that_only_opens_lines_and_is_a_plain_word_too_is_that_word(
    kb: KnowledgeBase,
) -> None:
    """Pages that are not news open headings and menu items with capitalised common words, and spaCy's small model
    reads some as organisations ("Digital" of "Digital transformation", seen on 11 of 300 held-out WCXB pages). When
    every mention opens a line that is not a sentence (a heading, a menu item) and the text also writes the word in
    lower case, it is that word. Named in running text, it stays an organisation ("backed Labour" beside "the
    labour market"), as does one opening a paragraph ("Shell said on Monday..." beside "shell companies": wire copy
    puts a sentence on each line) and a word of a longer organisation's name in the article. A sentence that opens
    with a phrase the text also writes in lower case ("Cloud computing is..." beside "cloud computing") opens it
    with a common word too."""
    from etl.entities import _common_word_people

    text = (
        "Digital transformation\n"
        "- Digital Security\n"
        "Firms spend on digital tools.\n"
        "Labour\n"
        "Voters backed Labour on the labour market.\n"
        "Pioneer\n"
        "Pioneer Natural Resources said pioneer spirit matters.\n"
        "Shell said on Monday it would close its shell companies.\n"
        "Cloud spending grew. Cloud computing is a trend, and so is cloud computing for banks.\n"
    )

    spans = [nth_span(text, w, "ORG", nth) for w, nth in (("Digital", 0), ("Digital", 1), ("Labour", 0), ("Labour", 1))]
    spans.append(nth_span(text, "Pioneer", "ORG"))
    spans.append(nth_span(text, "Pioneer Natural Resources", "ORG"))
    spans.append(nth_span(text, "Shell", "ORG"))
    spans.append(nth_span(text, "Cloud", "ORG", 1))
    kept = [text[s:e] for s, e, _ in _common_word_people(text, spans, kb)]
    assert kept == ["Labour", "Labour", "Pioneer", "Pioneer Natural Resources", "Shell"]


def test_a_name_ner_calls_an_organisation_more_often_than_a_place_is_an_organisation(kb: KnowledgeBase) -> None:
    """NER reads "WeWork" as an organisation four times and once as a place ("took control of WeWork"): the
    article's majority says which, and the place reading no longer drags the company's name into places (where the
    gazetteer, not knowing it, dropped it). A place after "in" stays a place."""
    body = (
        "WeWork said on Friday that it would cut 2,400 jobs. More than a third of WeWork's employees will leave. "
        "SoftBank took control of WeWork in October. The New York attorney general is investigating WeWork, two "
        "people said. WeWork declined to comment."
    )
    e = enrich(kb, "", body)
    wework = next(x for x in e.entities if x.name == "WeWork")
    assert wework.type.value == "organization" and len(wework.mentions) == 5
    assert "WeWork" not in places(e) and "New York City" in places(e)


def test_a_countrys_possessive_names_its_state_organ(kb: KnowledgeBase) -> None:
    """ "Italy's foreign ministry", "Russia's Defence Ministry": the country's organ, named as its nationality names
    it ("the Russian Defence Ministry"); the country stays a place of the article."""
    body = (
        "Russia's Defence Ministry said on Monday that its jets had struck targets near Idlib. Italy's foreign "
        "ministry has taken a different approach to Libya."
    )
    e = enrich(kb, "", body)
    assert {"Russian Defence Ministry", "Italian Foreign Ministry"} <= set(actors(e))
    assert {"Russia", "Italy"} <= countries(e)


def test_a_ministry_named_with_capitals_is_an_organisation(kb: KnowledgeBase) -> None:
    """Plain spaCy keeps "the Interior Ministry" and "the Ministry of Commerce" as organisations, and they act in the
    story ("said in a statement"); a portfolio alone or a ministry in lower case says nothing about who."""
    body = (
        "The Interior Ministry said in a statement that 40 people were arrested. The ministry gave no names. "
        "The Ministry of Commerce said the tariffs would hurt exporters, and the interior minister resigned."
    )
    found = actors(enrich(kb, "", body))
    assert found == {"Interior Ministry": "organization", "Ministry of Commerce": "organization"}


def test_an_organisation_named_by_its_head_word_is_found_whole(kb: KnowledgeBase) -> None:
    """NER misses "the Seoul Central District Court" and "the Delhi High Court": a capitalised name ending with an
    organisation's head word (Court, Ministry, Council, Bank, University...) or opening "<Head> of <Name>" is an
    organisation. Not a list ("SBI and ICICI Bank" are two), an office ("Member of Parliament", "Commissioner of
    Police"), a place NER names ("the West Bank") or a thing named after "of" ("a 'Denial of Service' attack")."""
    body = (
        "The former president was not in the Seoul Central District Court to hear the verdict. In India, the "
        "Delhi High Court today sought a response. The Commissioner of Police, Mr. Olafimihan Adeoye, spoke. "
        "Settlers live in the West Bank. Member of Parliament Jan de Vries said the 'Denial of Service' attack "
        "failed."
    )
    e = enrich(kb, "", body)
    found = actors(e)
    assert found.get("Seoul Central District Court") == "organization"
    assert found.get("Delhi High Court") == "organization"
    assert not {name for name in found if "Police" in name or "Parliament" in name or "Service" in name}
    assert "West Bank" not in found and "India" in countries(e)
    banks = actors(enrich(kb, "", "The order favoured banks and named SBI and ICICI Bank as its beneficiaries."))
    assert "SBI and ICICI Bank" not in banks


def test_an_organisation_span_opening_with_lower_case_words_starts_at_its_name(kb: KnowledgeBase) -> None:
    """NER takes "The state Department of Public Safety" whole; the name starts at its first capital (the span was
    dropped for opening in lower case)."""
    body = (
        "The former president was not in court to hear the verdict. The state Department of Public Safety said "
        "troopers were sent."
    )
    assert actors(enrich(kb, "", body)).get("Department of Public Safety") == "organization"


def test_a_towns_name_the_article_calls_an_organisation_throughout_is_the_organisation(kb: KnowledgeBase) -> None:
    """Toyota (Aichi) and Paramount (California) are towns; NER calls them organisations each time ("Toyota says",
    "according to Toyota"): the article's majority wins over the town's name. A name the article also writes as a
    place ("the Rukban camp", "leaving Rukban") stays the place, however often NER calls it an organisation."""
    toyota = enrich(
        kb,
        "",
        "Toyota is rolling out a plug-in version of its best-selling car. The RAV4 Prime can travel 39 miles on "
        "electricity alone, according to Toyota. Toyota says the battery sits under the floor.",
    )
    assert actors(toyota) == {"Toyota": "organization"} and not places(toyota)
    paramount = enrich(kb, "", "Paramount is still deciding on a director. Paramount declined to comment.")
    assert actors(paramount) == {"Paramount": "organization"}
    camp = enrich(
        kb,
        "",
        "Aid has not reached the Rukban camp since February. Families leaving Rukban say food is scarce, and Rukban "
        "residents fear arrest. The Rukban camp lies near the Jordanian border.",
    )
    assert "Rukban" in places(camp) and not actors(camp)


def test_figures_after_a_name_are_no_part_of_it(kb: KnowledgeBase) -> None:
    """In results and box scores NER runs a name over the score or statistic after it ("Nicolas Jarry 6-4",
    "Mekhi Robinson 1 goal", "A. Sanger 2"): such spans were dropped (a name holds no digit) or read as towns
    (Sanger, California). The name ends before the figures."""
    tennis = actors(enrich(kb, "", "Argentina won the tie, with Guido Pella beating Nicolas Jarry 6-4, 6-3 on Monday."))
    assert tennis.get("Nicolas Jarry") == "person"
    box = enrich(
        kb,
        "",
        "Rockledge (1-0-2): Noah Jackson 1 goal, 1 assist. Sheldon Bryan 1 goal, 1 assist. Mekhi Robinson 1 goal, "
        "1 assist. A. Sanger 2 saves.",
    )
    found = actors(box)
    assert found.get("Sheldon Bryan") == "person" and found.get("Mekhi Robinson") == "person"
    assert "Sanger" not in places(box)


def test_a_name_opening_with_a_particle_is_kept(kb: KnowledgeBase) -> None:
    """ "von Moltke", "von Weizsäcker": NER's person starts with a lower-case particle, and was dropped for it."""
    body = "Locksley and von Moltke used a fluorescent tag. The talk was led by von Weizsäcker at a clinic in Berlin."
    found = actors(enrich(kb, "", body))
    assert found.get("von Moltke") == "person" and found.get("von Weizsäcker") == "person"


def test_a_person_after_a_role_or_a_shared_surname_stays_a_person(kb: KnowledgeBase) -> None:
    """ "his wife Kali" was read as Cali, Colombia (an alternate name): a lower-case role before a name says it is a
    person. "Murray" alone, after Andy Murray and Jamie Murray, was the town (no one owner): a surname several people
    of the article share points back to the one named last before it."""
    wife = enrich(kb, "", "To cut costs, he and his wife Kali explained on an episode of the show how they did it.")
    assert actors(wife) == {"Kali": "person"} and not countries(wife)
    body = (
        "Andy Murray and Jamie Murray won in London. Fans cheered for Murray on the final day. Judy Murray watched "
        "from the stands as Murray served."
    )
    e = enrich(kb, "", body)
    assert "Murray" not in places(e)
    mentions = {x.name: [m.text for m in x.mentions] for x in e.entities}
    assert mentions["Jamie Murray"] == ["Jamie Murray", "Murray"]
    assert mentions["Judy Murray"] == ["Judy Murray", "Murray"]


def test_names_opening_with_a_capital_beyond_latin_1_are_kept(kb: KnowledgeBase) -> None:
    """ "Łukasz Kowalski", "Šime Vrsaljko", "Željko Obradović" were dropped: a name had to open with a capital of
    Latin-1 (A-Z, À-Þ), so Polish, Croatian, Czech, Baltic or Turkish initials did not count."""
    body = (
        "Polish Prime Minister Donald Tusk met Łukasz Kowalski, the mayor of Łódź, on Monday. Croatian striker Šime "
        "Vrsaljko and coach Željko Obradović also attended. Kowalski said the talks in Łódź went well."
    )
    e = enrich(kb, "", body)
    found = actors(e)
    assert {"Łukasz Kowalski", "Šime Vrsaljko", "Željko Obradović"} <= set(found)
    kowalski = next(x for x in e.entities if x.name == "Łukasz Kowalski")
    assert [m.text for m in kowalski.mentions] == ["Łukasz Kowalski", "Kowalski"]
    assert "Łódź" in places(e)


def test_a_person_label_on_an_acronym_or_a_clubs_name_is_an_organisation(kb: KnowledgeBase) -> None:
    """NER calls "NRC Handelsblad" (a newspaper), "Atlético Paranaense" and "Manchester United" (clubs) people: an
    acronym of three capitals beside other words, or a word of clubs' names, makes an organisation. A Roman numeral
    ("Sam Watts III") does not."""
    body = (
        "Consequently, NRC Handelsblad reports, the minister withdrew his proposal. Santos beat its only adversary "
        "in the championship, Atlético Paranaense. Jose Mourinho was sacked by Manchester United in December 2018. "
        "Sam Watts III scored."
    )
    found = actors(enrich(kb, "", body))
    assert found.get("NRC Handelsblad") == "organization"
    assert found.get("Atlético Paranaense") == "organization"
    assert found.get("Manchester United") == "organization"
    assert found.get("Jose Mourinho") == "person" and found.get("Sam Watts III") == "person"


def test_a_person_label_on_a_name_with_an_organisations_head_word_is_an_organisation(kb: KnowledgeBase) -> None:
    """NER calls companies, colleges and chambers people when they open with a person's or a town's name: a head
    word no person's name holds, ending the name or before "of", makes an organisation. A surname that is also a
    head word elsewhere ("Court") keeps its person."""
    from etl.entities import _organisation_words

    assert _organisation_words("James Bailey Company") and _organisation_words("Fort Lewis College")
    assert _organisation_words("Abuja Chamber of Commerce and Industry")
    assert _organisation_words("Marian Goodman Gallery") and _organisation_words("Ava Labs")
    assert not _organisation_words("Austin L. Church")
    assert not _organisation_words("Carl Court") and not _organisation_words("Margaret Court")
    assert not _organisation_words("Ngozi Okonjo-Iweala")
    body = (
        "Officials of the Lagos Chamber of Commerce and Industry met the envoy on Monday. On Tuesday the delegation "
        "visited Abuja, and a memorandum was signed with the Abuja Chamber of Commerce and Industry. Margaret Court "
        "won the title in 1970."
    )
    found = actors(enrich(kb, "", body))
    assert found.get("Abuja Chamber of Commerce and Industry") == "organization"
    assert found.get("Margaret Court") == "person"


def test_kind6_an_armed_group_named_in_arabic_is_no_person(kb: KnowledgeBase) -> None:
    """NER reads "Jaish al-Islam" or "Liwa al-Tawhid" as a given name and a family name: the word for an army, a
    brigade, a front or supporters before "al-" names an armed group. A person named "Ansar" stays a person."""
    body = (
        "Fighters of Jaish al-Islam withdrew from the town on Sunday. Liwa al-Tawhid fighters left the city a day "
        "later, and Saraya al-Difa said it had attacked the oil ports. Ansar Burney, a lawyer, criticised the deal."
    )
    found = actors(enrich(kb, "", body))
    assert found.get("Jaish al-Islam") == "armed_group"
    assert found.get("Liwa al-Tawhid") == "armed_group"
    assert found.get("Saraya al-Difa") == "armed_group"
    assert found.get("Ansar Burney") == "person"


def test_kind8_a_family_name_written_first_joins_the_full_name(kb: KnowledgeBase) -> None:
    """Chinese and Korean names put the family name first: "Xi" and "Liu" after "Xi Jinping" and "Liu He" are the
    same people, one facet value each. A country NER labels as such stays a place after a person's name that opens
    with it ("Jordan Henderson ... Jordan")."""
    body = (
        "Chinese President Xi Jinping met South Korean President Moon Jae-in in Beijing on Monday. Xi said trade "
        "would grow. Vice Premier Liu He joined the talks, and Liu later told reporters the deal was close. Moon "
        "thanked his host. Jordan Henderson flew to Amman, where Jordan's football federation hosted the team."
    )
    enriched = enrich(kb, "", body)
    found = actors(enriched)
    assert found.get("Xi Jinping") == "person" and "Xi" not in found
    assert found.get("Liu He") == "person" and "Liu" not in found
    assert found.get("Moon Jae-in") == "person" and "Moon" not in found
    assert "Jordan" in countries(enriched)


def test_an_organisation_span_ends_before_the_clause_after_it(kb: KnowledgeBase) -> None:
    """NER runs "the American Music Awards" into "after Swift spoke": an English clause word ("after", "that",
    "said") is never inside an organisation's name. Lower-case nouns and adjectives of French names stay."""
    found = actors(enrich(kb, "", "She was honoured at the American Music Awards after Swift spoke on Sunday."))
    assert "American Music Awards" in found and not any("after" in name for name in found)
    from etl.entities import _clause_cut

    text = "Le Rassemblement national a gagné."
    assert _clause_cut(text, 3, 25, "ORG") == (3, 25, "ORG")


def test_a_one_word_person_with_a_things_reading_is_a_product(kb: KnowledgeBase) -> None:
    """spaCy's small model reads product names as people on pages that are not news ("Kestrel", "Orla" below are
    made-up products): a one-word "person" the article also calls an organisation, or that qualifies the lower-case
    head of a thing ("the Orla app"), is no one. A surname of someone named in full stays a person."""
    from etl.entities import _terms_not_actors

    text = (
        "Install Kestrel before you start. Kestrel reads the config. The team at Kestrel ships monthly. "
        "Open the Orla app and sign in; Orla syncs your notes. Maria Orsini wrote the guide. Orsini said so."
    )

    spans = [
        nth_span(text, "Kestrel", "PERSON"),
        nth_span(text, "Kestrel", "PERSON", 1),
        nth_span(text, "Kestrel", "ORG", 2),
        nth_span(text, "Orla", "PERSON"),
        nth_span(text, "Orla", "PERSON", 1),
        nth_span(text, "Maria Orsini", "PERSON"),
        nth_span(text, "Orsini", "PERSON", 1),
    ]
    kept = [(text[s:e], label) for s, e, label in _terms_not_actors(text, spans, kb)]
    assert kept == [("Kestrel", "ORG"), ("Maria Orsini", "PERSON"), ("Orsini", "PERSON")]


def test_an_acronym_used_as_a_common_noun_is_a_term_not_an_organisation(kb: KnowledgeBase) -> None:
    """Technical acronyms NER reads as organisations ("API", "CPU", "HTML"): an acronym the knowledge base does not
    know is a term when the article pluralises it, versions it, counts it ("a CPU,") or spells it out in lower
    case ("search engine optimization (SEO)"), and acronyms listed with a term are terms. Real organisations stay:
    "an FBI agent" (a modifier), a capitalised expansion, and the knowledge base's "NATO"."""
    from etl.entities import _terms_not_actors

    text = (
        "Each service exposes an API. Two APIs share a CPU, and HTML5 pages load fast. We teach HTML, CSS and SQL. "
        "Search engine optimization (SEO) matters. An FBI agent met the Libyan National Army (LNA) and NATO."
    )

    def span(word: str) -> tuple[int, int, str]:
        at = text.index(word)
        return (at, at + len(word), "ORG")

    spans = [span(w) for w in ("API", "CPU", "HTML,", "CSS", "SQL", "SEO)", "FBI", "LNA", "NATO")]
    spans = [(s, e - 1, lab) if text[e - 1] in ",)" else (s, e, lab) for s, e, lab in spans]
    kept = {text[s:e] for s, e, _ in _terms_not_actors(text, spans, kb)}
    assert kept == {"FBI", "LNA", "NATO"}


def test_non_news_terms_leave_real_news_actors(kb: KnowledgeBase) -> None:
    """The same rules through the whole stage on a news sentence: people and acronym organisations of the news stay."""
    e = enrich(
        kb,
        "Agency warns of outage",
        "The FBI said on Monday that an FBI agent had warned Microsoft. NATO and the UN said the outage hit "
        "hospitals. Satya Nadella, Microsoft's chief executive, said Nadella's team was working on it.",
    )
    found = actors(e)
    assert found.get("Satya Nadella") == "person"
    assert "FBI" in found and "Microsoft" in found


def test_people_ner_reads_as_organisations_are_people(kb: KnowledgeBase) -> None:
    """NER calls some people organisations: the whole name, or the name after a title it ran into ("Civil House
    José Dirceu"). A known first name says where the person's name starts; head words and company or venue words
    keep an organisation whole. The spans are given as NER gave them, so the rule is tested whatever the model."""
    from etl.entities import link
    from etl.records import NerSpan

    body = (
        "Justin Langer scored a century on Friday. The chief minister of Civil House José Dirceu joined the "
        "delegation. The Nelson Mandela Foundation and Grace Bible Church raised funds."
    )
    article = CleanArticle(doc_id="p", source_file="p", content_sha256="p", title="", body=body, paragraphs=(body,))
    ner = [
        NerSpan(body.index(name), body.index(name) + len(name), "ORG")
        for name in ("Justin Langer", "Civil House José Dirceu", "Nelson Mandela Foundation", "Grace Bible Church")
    ]
    found = {e.name: e.type for e in link(article, ner, kb, Gazetteer.load()).entities}
    assert found.get("Justin Langer") == "person"
    assert found.get("José Dirceu") == "person"
    assert "Civil House José Dirceu" not in found
    assert found.get("Nelson Mandela Foundation") == "organization"
    assert found.get("Grace Bible Church") == "organization"


def test_a_name_read_across_a_slash_is_its_sides_or_a_credit(kb: KnowledgeBase) -> None:
    """Page furniture (kind 4) written with a slash: NER reads "Comcast/Xfinity" as one organisation and a photo
    credit ("Christopher Lee/Getty Images", two photographers joined by a slash) as a person. An organisation's span
    gives its sides; a person's span and a credit give no actor, and a name-with-head rule does not run back across a
    slash ("Elias Funez/The Union" is no organisation "Union"); a side the article writes in lower case is a common
    word ("coffee"), and the span gives nothing; a credited photographer is no actor elsewhere in the article
    either. The spans are given as NER gave them."""
    from etl.entities import link
    from etl.records import NerSpan

    body = (
        "Customers of Comcast/Xfinity reported outages on Monday. The striker trained on Thursday (Image: "
        "Christopher Lee/Getty Images) and crews held the line (Photo: Elias Funez/The Union). A second photo "
        "(Brittany Peterson/Carolyn Kaster) showed the ridge, a third (Tada Images / Shutterstock) the valley. "
        "Volunteers served coffee from the Coffee/Tea stand. (Courtesy Katy Anderson/Houston Parks Board) "
        "Katy Anderson took the last photo."
    )
    article = CleanArticle(doc_id="s", source_file="s", content_sha256="s", title="", body=body, paragraphs=(body,))
    given = {
        "Comcast/Xfinity": "ORG",
        "Christopher Lee/Getty Images": "PERSON",
        "Brittany Peterson/Carolyn Kaster": "PERSON",
        "Tada Images / Shutterstock": "ORG",
        "Coffee/Tea": "ORG",
        "Courtesy Katy Anderson/Houston Parks Board": "ORG",
    }
    ner = [NerSpan(body.index(name), body.index(name) + len(name), label) for name, label in given.items()]
    again = body.rindex("Katy Anderson")
    ner.append(NerSpan(again, again + len("Katy Anderson"), "PERSON"))  # the photographer, credited before
    found = {e.name: e.type.value for e in link(article, ner, kb, Gazetteer.load()).entities}
    assert found == {"Comcast": "organization", "Xfinity": "organization"}


def test_a_place_named_after_another_is_not_that_place() -> None:
    """Kind 1 (names resolved to the wrong place): a town or county the gazetteer lacks, named after a place it knows
    ("Nevada City", "Washington County"), is kept under its own name, never resolved to the state its first word
    names; "the Wadi Derna" still gives Derna (a head word before the name, not after it), and "Gaza City" Gaza (a
    town's name and "City" is the town). A saint's title makes another name too: "St. Martin’s" (a publisher) holds
    no town "Martin"."""
    from etl.records import Mention
    from etl.regions import resolve_mentions

    text = (
        "Crews protected Nevada City overnight. Deputies in Washington County closed two roads. Water ran down "
        "the Wadi Derna. Aid reached Gaza City."
    )
    names = ("Nevada City", "Washington County", "Wadi Derna", "Gaza City")
    mentions = [Mention(name, text.index(name), text.index(name) + len(name)) for name in names]
    resolved = {m.text: m.place for m in resolve_mentions(text, mentions, Gazetteer.load())}
    assert resolved["Nevada City"] is not None and resolved["Nevada City"].name == "Nevada City"
    assert resolved["Nevada City"].lat is None  # no point: nothing says where it is
    assert resolved["Washington County"] is not None and resolved["Washington County"].name == "Washington County"
    assert "Nevada" not in resolved and "Washington" not in resolved
    assert resolved["Derna"] is not None and resolved["Derna"].country_code == "LY"
    saint = "The novel was bought by St. Martin’s."
    at = saint.index("St.")
    found = resolve_mentions(saint, [Mention("St. Martin’s", at, at + 12)], Gazetteer.load())
    assert all(m.place is None or m.place.country_code != "SK" for m in found)  # no "Martin", Slovakia
    gaza = next(m.place for m in resolve_mentions(text, mentions, Gazetteer.load()) if m.text.startswith("Gaza"))
    assert gaza is not None and gaza.lat is not None  # a town's name and "City" is that town


def test_a_name_glued_after_a_word_that_is_no_place_is_a_compound_not_a_town() -> None:
    """Kind 1 (common words and name parts placed abroad): "Croissant-Rouge" holds no town "Rouge" nor
    "Rolls-Royce" a "Royce"; "the Libya-Tunisia border" names two countries, and "Al-Bayda" is Bayda."""
    from etl.regions import resolve_mentions

    text = (
        "Le Croissant-Rouge a aidé les habitants. A Rolls-Royce engine failed. The Libya-Tunisia border reopened, "
        "and Al-Bayda was calm."
    )
    found = {m.text: m.place.name for m in resolve_mentions(text, [], Gazetteer.load()) if m.place is not None}
    assert found == {"Libya": "Libya", "Tunisia": "Tunisia", "Al-Bayda": "Bayda"}


def test_an_organisation_span_ends_before_the_holders_office(kb: KnowledgeBase) -> None:
    """Kind 4 (furniture and fragments as actors): NER runs an organisation into the office after it ("former House
    of Representatives Speaker", "the Federal Reserve Chairman"): the organisation ends before the office, which
    stays whole when it is the span's name ("Home Secretary", "Office of the President")."""
    from etl.entities import link
    from etl.records import NerSpan

    body = (
        "Tributes came from former House of Representatives Speaker Dimeji Bankole and the Federal Reserve "
        "Chairman. The Home Secretary and the Office of the President issued statements."
    )
    article = CleanArticle(doc_id="o", source_file="o", content_sha256="o", title="", body=body, paragraphs=(body,))
    spans = (
        "House of Representatives Speaker",
        "Federal Reserve Chairman",
        "Home Secretary",
        "Office of the President",
    )
    ner = [NerSpan(body.index(name), body.index(name) + len(name), "ORG") for name in spans]
    found = {e.name for e in link(article, ner, kb, Gazetteer.load()).entities}
    assert {"House of Representatives", "Federal Reserve", "Home Secretary", "Office of the President"} <= found
    assert not {"House of Representatives Speaker", "Federal Reserve Chairman"} & found


def test_libyan_bases_mountains_and_ancient_names_resolve(kb: KnowledgeBase) -> None:
    """Kind 9 (places of the Libyan conflict the GeoNames extracts lack or name otherwise): the Al-Watiya air base,
    Benina airport, the Nafusa Mountains and the Jebel Akhdar (their districts), Cyrene (Shahhat), Brak al-Shati and
    Ben Walid, each under its region."""
    e = enrich(
        kb,
        "Front lines",
        "Government forces took the al-Watiya air base in May, while flights resumed at Benina airport outside "
        "Benghazi. Fighting spread to the Nafusa Mountains; in the Jebel Akhdar, near Cyrene, the east was calm. "
        "Clashes were reported in Brak al-Shati and in Ben Walid, Libya.",
    )
    assert {"Al-Watiya", "Benina", "Shahhat", "Brak", "Bani Walid"} <= places(e), places(e)
    assert {"Jabal al Gharbi", "Jabal al Akhdar"} <= {loc.name for loc in e.locations if loc.feature == "district"}
    assert {"Tripolitania", "Cyrenaica", "Fezzan"} <= regions(e)
    abroad = enrich(kb, "Plant", "Green Mountain Coffee opened a plant in the Western Mountains of Vermont.")
    assert "Libya" not in countries(abroad)  # the mountains' English glosses name other places too


def test_libyan_districts_fields_and_crossings_resolve(kb: KnowledgeBase) -> None:
    """Kind 9, continued: Tripoli's Souq al Juma and Bab al-Azizia, Nofaliya (Sirte district), the Sarir field,
    Tmassah (Murzuq) and news spellings of GeoNames localities (Kikla, Qubba, Zuwetina, Emsaed) resolve to their
    districts and regions; Dehiba, across the border from Wazin, is Tunisia's."""
    e = enrich(
        kb,
        "Map",
        "Souq al Juma lies east of central Tripoli, and Bab al-Azizia stood in its southern suburbs. Nofaliya is "
        "west of Bin Jawad. The Sarir field is operated by AGOCO; Tmassah is an oasis in the Fezzan. Kikla lies in "
        "the Nafusa Mountains, Qubba between Bayda and Derna, Zuwetina south of Ajdabiya, and Emsaed on the "
        "Egyptian border of Libya.",
    )
    districts = {loc.name: loc.district for loc in e.locations}
    expected = {
        "Souq al Juma": "Tripoli",
        "Bab al-Azizia": "Tripoli",
        "Nofaliya": "Sirte",
        "Sarir field": "Al Wahat",
        "Tmassah": "Murzuq",
        "Kiklah": "Jabal al Gharbi",
        "Al Qubbah": "Derna",
    }
    assert {name: districts.get(name) for name in expected} == expected, districts
    assert {"Tripolitania", "Cyrenaica", "Fezzan"} <= regions(e)
    crossing = enrich(kb, "Border", "Travellers crossed from Wazzin in Libya to Dehiba in Tunisia.")
    assert {"Wazin", "Dehiba"} <= places(crossing), places(crossing)
    dehiba = next(loc for loc in crossing.locations if loc.name == "Dehiba")
    assert dehiba.country_code == "TN"


def test_tripoli_suburb_and_gulf_town_resolve_with_district_and_region(kb: KnowledgeBase) -> None:
    """Kind 9, continued: Tripoli's suburbs Ain Zara (also spelt Aïn Zara in French) and Gargaresh, El Agheila
    (al-Uqaylah) on the Gulf of Sidra and the Fezzan's Sharara and El Feel oil fields, curated with a sourced point,
    resolve to their districts and regions."""
    e = enrich(
        kb,
        "Clashes",
        "Clashes broke out in Abu Salim and Ain Zara on Monday, and gunfire was heard in Gargaresh. Further east, "
        "forces moved from Al-Uqaylah towards Brega. In the south of Libya, output at the El Sharara oilfield and "
        "the El Feel field stopped.",
    )
    by_name = {loc.name: (loc.district, loc.region) for loc in e.locations}
    assert by_name.get("Ain Zara") == ("Tripoli", "Tripolitania"), by_name
    assert by_name.get("Gargaresh") == ("Tripoli", "Tripolitania"), by_name
    assert by_name.get("El Agheila") == ("Al Wahat", "Cyrenaica"), by_name
    assert by_name.get("Sharara field") == ("Wadi al Hayaa", "Fezzan"), by_name
    assert by_name.get("El Feel field") == ("Murzuq", "Fezzan"), by_name
    french = enrich(kb, "Combats", "Des combats ont éclaté à Aïn Zara, au sud de Tripoli, en Libye.")
    assert "Ain Zara" in places(french), places(french)


def test_a_colour_alone_is_no_town(kb: KnowledgeBase) -> None:
    """Kind 1 (common words placed abroad): "Green Roads", "Vintage Green", "DC's Green Lantern" held the town
    Green, Ohio; a colour alone is never resolved to a place (longer names stay: "Orange County")."""
    e = enrich(
        kb,
        "Shop",
        "Green Roads sells oils in Vintage Green and Orange Sun. DC's Green Lantern returns. Fires burned in "
        "Orange County, California.",
    )
    assert not {"Green", "Orange"} & places(e), places(e)
    assert "Orange County" in places(e) or "California" in places(e)


# Newswire (agency briefs: datelines with a date, result lines, nationalities before names) -----------------------


def test_newswire_result_lines_name_clubs_not_towns_or_people(kb: KnowledgeBase) -> None:
    """A results brief lists clubs with their scores; NER reads them as towns ("Derby", "Leeds") or people
    ("Chelsea") or misses them ("Arsenal"): each side of a result line is an organisation, and no town."""
    e = enrich(
        kb,
        "SOCCER - LEAGUE RESULTS",
        "LONDON 1996-08-24\n\nResults of league matches on Saturday:\n\nArsenal 2 West Ham 0\nDerby 3 Leeds 3\n"
        "Southampton 0 Chelsea 0\nSheffield Wednesday 2 Aston Villa 1\n",
    )
    clubs = {"Arsenal", "West Ham", "Derby", "Leeds", "Southampton", "Chelsea", "Sheffield Wednesday", "Aston Villa"}
    assert clubs <= {name for name, kind in actors(e).items() if kind == "organization"}, actors(e)
    assert places(e) == {"London"}


def test_newswire_dateline_with_a_date_and_a_nationality_before_a_name(kb: KnowledgeBase) -> None:
    """The dateline "FRANKFURT 1996-08-22" opens an agency brief: its town, in capitals, before the date.
    "Spaniard Carlos Moya" and "Australian Mark Taylor": the nationality is no part of the person's name."""
    e = enrich(
        kb,
        "MARKETS - BUNDESBANK LEAVES RATES UNCHANGED",
        "FRANKFURT 1996-08-22\n\nThe Bundesbank left its key rates unchanged on Thursday. Spaniard Carlos Moya and "
        "Australian Mark Taylor watched the market from London.",
    )
    assert {"Carlos Moya", "Mark Taylor", "Bundesbank"} <= set(actors(e))
    assert not [name for name in actors(e) if name.startswith(("Spaniard", "Australian"))]
    assert "Frankfurt am Main" in places(e) and "Germany" in countries(e)


def test_newswire_a_surname_in_a_capitals_headline_and_a_common_word_as_the_dateline_town(kb: KnowledgeBase) -> None:
    """The headline "LARA HITS CENTURY" over a story about Brian Lara is the batsman, not Lara (a Venezuelan
    state); "SPLIT, Croatia" opens a brief filed from Split, a word that alone is no place."""
    cricket = enrich(
        kb,
        "CRICKET - LARA HITS CENTURY",
        "ADELAIDE, Australia 1997-01-28\n\nBrian Lara struck a century as the West Indies beat Australia. Lara made "
        "132.",
    )
    assert "Lara" not in places(cricket) and "Adelaide" in places(cricket)
    tennis = enrich(
        kb,
        "TENNIS - MURRAY THROUGH",
        "SPLIT, Croatia 2005-07-20\n\nAndy Murray reached the semi-finals on Wednesday. The match was split over two "
        "days.",
    )
    assert "Split" in places(tennis) and "Croatia" in countries(tennis)


def test_newswire_league_tables_and_tennis_results(kb: KnowledgeBase) -> None:
    """A league table's lines are teams ("Hamburg 3 1 1 1 4 4 4" is the club, not the city); a line of tennis results
    holds players, not a headline's capitals, though most of its long words are capitalised."""
    table = enrich(
        kb,
        "SOCCER - STANDINGS",
        "BONN 1996-08-25\n\nStandings after Sunday's matches:\n\nBayern Munich 3 2 1 0 7 2 7\n"
        "VfB Stuttgart 3 2 1 0 6 3 7\nHamburg 3 1 1 1 4 4 4\n",
    )
    assert {"Bayern Munich", "VfB Stuttgart", "Hamburg"} <= set(actors(table)) and places(table) == {"Bonn"}
    tennis = enrich(
        kb,
        "TENNIS - RESULTS",
        "NEW YORK 1996-08-29\n\nResults of second round matches on Thursday:\n\n"
        "Todd Woodbridge (Australia) beat Javier Sanchez (Spain) 6-1 5-7 6-3\n"
        "Goran Ivanisevic (Croatia) beat Jiri Novak (Czech Republic) 6-3 1-6 6-3 6-4\n",
    )
    players = {"Todd Woodbridge", "Javier Sanchez", "Goran Ivanisevic", "Jiri Novak"}
    assert players <= persons(tennis), actors(tennis)


def test_newswire_a_sports_desks_label_and_a_newsrooms_signature_are_neither_places_nor_actors(
    kb: KnowledgeBase,
) -> None:
    """The label "RUGBY UNION - ..." is what the desk files under, not Rugby (Warwickshire); "-- Washington
    Newsroom" and a telephone number sign the brief: Washington may be a place, "Newsroom" is no organisation."""
    rugby = enrich(
        kb,
        "RUGBY UNION - GUSCOTT NAMED IN ENGLAND SQUAD",
        "LONDON 1996-12-05\n\nJeremy Guscott was named in the England squad on Thursday, coach Jack Rowell said.",
    )
    assert "Rugby" not in places(rugby) and "London" in places(rugby)
    politics = enrich(
        kb,
        "DOLE PICKS KEMP",
        "WASHINGTON 1996-08-10\n\nBob Dole named Jack Kemp as his running mate on Saturday.\n\n-- Washington "
        "Newsroom 202-898-8300",
    )
    assert "Newsroom" not in actors(politics) and {"Bob Dole", "Jack Kemp"} <= set(actors(politics))


def test_newswire_a_squad_lists_clubs_in_brackets_are_organisations(kb: KnowledgeBase) -> None:
    """A squad list ("Tim Stimpson (Newcastle), Jon Sleightholme (Bath)"): in a list of players, the bracketed
    names are their clubs, no towns; a bracketed country stays the player's nationality, a place."""
    squad = enrich(
        kb,
        "RUGBY UNION - ENGLAND SQUAD",
        "LONDON 1996-12-05\n\nEngland named their squad on Thursday.\n\nSquad: Tim Stimpson (Newcastle), Jon "
        "Sleightholme (Bath), Phil de Glanville (Bath), Lawrence Dallaglio (Wasps).",
    )
    assert {"Newcastle", "Bath", "Wasps"} <= {name for name, kind in actors(squad).items() if kind == "organization"}
    assert not {"Newcastle upon Tyne", "Bath"} & places(squad)
    results = enrich(
        kb,
        "TENNIS - RESULTS",
        "NEW YORK 1996-08-29\n\nResults on Thursday:\n\nTodd Woodbridge (Australia) beat Javier Sanchez (Spain) "
        "6-1 5-7 6-3\nGoran Ivanisevic (Croatia) beat Andrei Olhovskiy (Russia) 6-4 6-3 6-4\n",
    )
    assert {"Australia", "Spain", "Croatia", "Russia"} <= countries(results)


def test_newswire_a_surname_alone_is_the_person_not_a_small_town(kb: KnowledgeBase) -> None:
    """Wire copy names players by surname alone ("Murray took three catches"): a one-word name NER calls a person
    and that is only a small town (Murray, Kentucky) is the person; a big city or the detailed country's town NER
    calls a person stays a place, and so does a small town written with its state."""
    cricket = enrich(
        kb,
        "CRICKET - TOURISTS WIN IN PERTH",
        "PERTH, Australia 1997-02-02\n\nThe tourists beat the hosts by five wickets on Sunday. Murray took three "
        "catches.",
    )
    assert "Murray" not in places(cricket) and "United States" not in countries(cricket)
    assert actors(cricket).get("Murray") == "person"
    libya = enrich(kb, "Clashes in the south", "Fighting resumed on Monday. Sabha was quiet by the evening.")
    assert "Sabha" in places(libya)
    review = enrich(kb, "Reviews", "Great value for the money. James. Murray, UT. Thu Feb 26 2026")
    assert "Murray" in places(review)  # written with its state: the town


def test_newswire_ranks_before_names_and_lists_of_players_with_brackets(kb: KnowledgeBase) -> None:
    """Seedings and leaderboards put a rank or a score before each name ("1 - Pete Sampras (U.S.)", "67 Greg
    Norman"): the figure is no part of the name, and in such a list every first name and surname before a bracket
    is a player, though NER misses some and calls others organisations. A list of clubs with their countries stays
    clubs."""
    seeds = enrich(
        kb,
        "TENNIS - U.S. OPEN SEEDS",
        "NEW YORK 1996-08-25\n\nSeeds for the U.S. Open men's singles:\n\n1 - Pete Sampras (U.S.)\n2 - Michael Chang "
        "(U.S.)\n3 - Thomas Muster (Austria)\n4 - Goran Ivanisevic (Croatia)\n\nLeading golf scores:\n\n66 Tiger "
        "Woods, Paul Stankowski\n67 Greg Norman (Australia), Nick Price (Zimbabwe)\n68 Ernie Els (South Africa)\n",
    )
    players = {"Pete Sampras", "Michael Chang", "Thomas Muster", "Goran Ivanisevic", "Greg Norman", "Ernie Els"}
    assert players <= persons(seeds), actors(seeds)
    assert {"Austria", "Croatia", "Australia", "South Africa"} <= countries(seeds)
    clubs = enrich(
        kb,
        "SOCCER - CHAMPIONS LEAGUE DRAW",
        "GENEVA 1996-08-30\n\nThe draw paired these clubs:\n\nReal Madrid (Spain), Manchester United (England), "
        "Bayern Munich (Germany), Paris Saint-Germain (France).",
    )
    assert not persons(clubs), actors(clubs)


def test_newswire_results_with_a_verb_between_bracketed_players(kb: KnowledgeBase) -> None:
    """Tennis results put the verb and the scores after the brackets ("Boris Becker (Germany) beat Jan Siemerink
    (Netherlands) 6-4 7-5"): each player is a person, also one NER reads as a place ("Jan Siemerink", "Magnus" of
    "Magnus Gustafsson") or misses; a surname alone later joins its full name."""
    results = enrich(
        kb,
        "TENNIS - SWISS OPEN RESULTS",
        "GSTAAD 1996-07-12\n\nQuarter-finals of the Swiss Open on Friday (prefix number denotes seeding):\n\n1 - Boris "
        "Becker (Germany) beat Jan Siemerink (Netherlands) 6-4 7-5; Magnus Gustafsson (Sweden) beat 4 - Richard "
        "Krajicek (Netherlands) 6-3 6-2; Alex Corretja (Spain) beat Marc Rosset (Switzerland) 7-6 6-4.\n\n"
        "Becker meets Gustafsson in the semi-finals.",
    )
    players = {
        "Boris Becker",
        "Jan Siemerink",
        "Magnus Gustafsson",
        "Richard Krajicek",
        "Alex Corretja",
        "Marc Rosset",
    }
    assert persons(results) == players, actors(results)
    assert {"Germany", "The Netherlands", "Sweden", "Spain", "Switzerland"} <= countries(results)
    assert not places(results) & {"Jan Siemerink", "Magnus"}


def test_newswire_scorecards_initials_and_venues(kb: KnowledgeBase) -> None:
    """A scorecard writes players as an initial and a surname with their figures ("H. Morris 69"), which NER calls
    organisations; its venues open lines ("Tunbridge Wells: ...") and are towns NER calls people
    ("Chester-le-Street")."""
    e = enrich(
        kb,
        "CRICKET - ENGLISH COUNTY CHAMPIONSHIP SCORES",
        "LONDON 1996-08-30\n\nClose of play scores on Friday:\n\nChester-le-Street: Glamorgan 259 and 207 (A. Dale "
        "69, H. Morris 69; D. Blenkiron 4-43), Durham 114 (S. Watkin 4-28) and 81-3.\n\nTunbridge Wells: "
        "Nottinghamshire 214 (P. Johnson 84; M. McCague 4-55), Kent 108-3.",
    )
    people = persons(e)
    assert {"H. Morris", "S. Watkin", "P. Johnson"} <= people, actors(e)
    assert not {"Chester-le-Street", "Tunbridge Wells"} & set(actors(e))
    assert {"Chester-le-Street", "Royal Tunbridge Wells"} <= places(e)


def test_newswire_batting_scorecard_lines_name_players_only(kb: KnowledgeBase) -> None:
    """A batting scorecard: each line's batsman, fielder and bowler are players, with their initials, though the
    lines look like headlines (capitalised words, no full stop) and NER drops or cuts some; the extras line names
    nobody."""
    e = enrich(
        kb,
        "CRICKET - SCOREBOARD",
        "LEEDS 1996-07-05\n\nScoreboard on the first day of the second test at Headingley on Thursday:\n\nEngland "
        "first innings\nN. Knight c Moin Khan b Wasim Akram 31\nD. Cork lbw b Aamir Sohail 17\nR. Irani c Ijaz "
        "Ahmed b Ata-ur-Rehman 44\nI. Salisbury not out 9\nExtras (b-2 lb-5 nb-3) 10\n",
    )
    people = persons(e)
    assert {"N. Knight", "D. Cork", "R. Irani", "I. Salisbury", "Moin Khan", "Wasim Akram", "Ijaz Ahmed"} <= people
    assert "Extras" not in actors(e)


def test_newswire_the_sides_of_a_score_are_clubs_also_where_ner_found_no_name(kb: KnowledgeBase) -> None:
    """ "Fulham beat Burnley 2-0": NER finds one side or neither; both are clubs, not the towns, and a national
    side stays its country ("Italy beat England 1-0")."""
    e = enrich(
        kb,
        "SOCCER - LEAGUE ROUND-UP",
        "LONDON 1996-08-21\n\nFulham beat Burnley 2-0 in the second division on Wednesday. Bristol City beat "
        "Preston 3-1 on Saturday. Italy beat England 1-0 in a friendly.",
    )
    clubs = {name for name, kind in actors(e).items() if kind == "organization"}
    assert {"Fulham", "Burnley", "Bristol City", "Preston"} <= clubs, actors(e)
    assert not places(e) & {"Burnley", "Preston", "Bristol"}
    assert "Italy" in countries(e)


def test_newswire_leaderboard_lines_are_players_though_they_look_like_headlines(kb: KnowledgeBase) -> None:
    """A leaderboard's longer lines ("66 Bernhard Langer (Germany), Sam Torrance, Vijay Singh (Fiji)") are
    capitalised words without a full stop, as headlines are: they are names, each a player, also those NER misses
    or whose first name no list here knows."""
    e = enrich(
        kb,
        "GOLF - DUTCH OPEN SECOND ROUND SCORES",
        "HILVERSUM 1996-08-23\n\nLeading second round scores in the Dutch Open on Friday (Britain unless "
        "stated):\n\n132 Nick Faldo\n134 Mark McNulty (Zimbabwe), Lee Westwood\n135 Ernie Els (South Africa), "
        "Jose Maria Olazabal (Spain), Costantino Rocca (Italy)\n136 Darren Clarke, Padraig Harrington (Ireland), "
        "Robert Karlsson (Sweden)\n",
    )
    people = persons(e)
    players = {
        "Nick Faldo",
        "Mark McNulty",
        "Lee Westwood",
        "Ernie Els",
        "Jose Maria Olazabal",
        "Costantino Rocca",
        "Darren Clarke",
        "Padraig Harrington",
        "Robert Karlsson",
    }
    assert players <= people, actors(e)
    assert {"Zimbabwe", "South Africa", "Spain", "Italy", "Ireland", "Sweden"} <= countries(e)


def test_newswire_results_with_countries_in_brackets_whatever_the_first_names(kb: KnowledgeBase) -> None:
    """Athletics results ("1. Wilson Kipketer (Denmark) 1:42.51"): the first names here are no politician's, but
    every bracket holds a country, which says a list of athletes as well; the one NER misses is a person too."""
    e = enrich(
        kb,
        "ATHLETICS - BRUSSELS RESULTS",
        "BRUSSELS 1996-08-23\n\nLeading results at the Brussels meeting on Friday:\n\nMen's 800 metres\n1. Wilson "
        "Kipketer (Denmark) 1:42.51\n2. Norberto Tellez (Cuba) 1:43.79\n3. Sammy Langat (Kenya) 1:44.12\n\n"
        "Women's 400 metres\n1. Marie-Jose Perec (France) 49.72\n2. Falilat Ogunkoya (Nigeria) 49.90\n",
    )
    athletes = {"Wilson Kipketer", "Norberto Tellez", "Sammy Langat", "Falilat Ogunkoya"}
    assert athletes <= persons(e), actors(e)
    assert {"Denmark", "Cuba", "Kenya", "France", "Nigeria"} <= countries(e)


def test_a_name_opening_with_the_letters_of_an_article_keeps_them(kb: KnowledgeBase) -> None:
    """ "The" is cut from a name only as a word: "Theo Waigel" and "Theodore Roosevelt" had lost "The" and then
    themselves ("o Waigel" is no name); "the Bundesbank" still loses its article."""
    e = enrich(
        kb,
        "Budget on track",
        "BONN 1996-08-22\n\nFinance Minister Theo Waigel said on Thursday the budget was on track, and quoted "
        "Theodore Roosevelt. The Bundesbank meets next week.\n\n-- Bonn Newsroom +49 228 26097",
    )
    assert {"Theo Waigel", "Theodore Roosevelt", "Bundesbank"} <= set(actors(e)), actors(e)
    assert not [name for name in actors(e) if "Newsroom" in name]  # the bureau's signature, no organisation


def test_newswire_the_sides_of_a_reported_match_are_clubs(kb: KnowledgeBase) -> None:
    """A match reported with its score ("Leeds held Newcastle to a 1-1 draw", "Manchester United beat Everton 2-0")
    and a club before a manager's role ("Newcastle manager Kevin Keegan"): the sides are clubs, and so are their
    other mentions ("equalised for Leeds"), not towns. National sides stay countries, and tennis players people."""
    match = enrich(
        kb,
        "SOCCER - LEEDS HOLD NEWCASTLE",
        "LONDON 1996-08-25\n\nLeeds held Newcastle to a 1-1 draw at Elland Road on Saturday. Alan Shearer put "
        "Newcastle ahead but Ian Rush equalised for Leeds.\n\nNewcastle manager Kevin Keegan said his side had been "
        "unlucky. Manchester United beat Everton 2-0 at Old Trafford.",
    )
    clubs = {"Leeds", "Newcastle", "Manchester United", "Everton"}
    assert clubs <= {name for name, kind in actors(match).items() if kind == "organization"}, actors(match)
    assert "Leeds" not in places(match)
    other = enrich(
        kb,
        "SPORT ROUND-UP",
        "ROME 1996-08-28\n\nItaly beat England 2-1 in Rome on Wednesday. Pete Sampras beat Jimmy Connors 6-4 6-3.",
    )
    assert "Italy" in countries(other) and "England" in places(other) and "England" not in actors(other)
    assert actors(other).get("Pete Sampras") == "person"
    for result, football in (
        ("beat Everton 2-0 at", True),
        ("beat Opelka 6-4, 6-3", False),
        ("beat Monfils 7-5", False),
    ):
        score = entities_module._SCORE.search(result)
        assert score is not None and entities_module._football_score(result, score) is football, result


def test_a_company_and_its_legal_form_are_one_organisation(kb: KnowledgeBase) -> None:
    """ "Siemens AG" and then "Siemens": one organisation, one facet value, named without the legal form ("Apple
    Inc.", "Merck & Co." likewise); the mentions keep what is written."""
    e = enrich(
        kb,
        "Siemens shares rise",
        "FRANKFURT 1996-08-29\n\nShares in Siemens AG rose on Thursday after Siemens reported strong orders. Apple "
        "Inc. and Merck & Co. also gained.",
    )
    orgs = {name for name, kind in actors(e).items() if kind == "organization"}
    assert {"Siemens", "Apple", "Merck"} <= orgs and not {"Siemens AG", "Apple Inc.", "Merck & Co."} & orgs, orgs


def test_technical_terms_are_no_organisations(kb: KnowledgeBase) -> None:
    """On a page that is not news, NER reads terms as organisations ("The API returns JSON", "CPU usage",
    "JavaScript on the page"): no actor; an organisation's acronym beside them stays ("the IMF said")."""
    e = enrich(
        kb,
        "How to speed up your site",
        "The API returns JSON. When CPU usage climbs above 90 percent, JavaScript on the page slows down. Cache the "
        "HTML. GDP grew 2 percent, the IMF said.",
    )
    assert not {"API", "CPU", "JavaScript", "HTML", "GDP", "JSON"} & set(actors(e)), actors(e)
    assert "IMF" in actors(e) or "International Monetary Fund" in actors(e)


def test_page_text_that_is_no_name(kb: KnowledgeBase) -> None:
    """What the scorecard and surname rules must leave alone on pages that are not news: a brand ("Thermolite®"),
    text the page itself garbled (decoded twice: "Thereâ€™s" gives nothing, "Clementâ€™s" the name before it), a
    list's numbering or a sentence's end before a word ("A I. Guys", "on X. The courses": no initial and surname),
    and a company named like a desk ("The Trade Desk")."""
    e = enrich(
        kb,
        "Sleeping bags",
        "Insulated (e.g., Thermolite®): Adds enough warmth to greatly extend the range of a liner.\n\n"
        "There\u00e2\u0080\u0099s another wrinkle. Courses on X. The courses provide free badges. A I. Guys with "
        "hosts Lee Dickson and Rich Swier. The Trade Desk reported strong sales. We spoke to Jonathan "
        "Clement\u00e2\u0080\u0099s team.",
    )
    people = persons(e)
    assert {"Lee Dickson", "Rich Swier"} <= people and not {"Thermolite®", "X. The", "I. Guys"} & people, people
    assert not [name for name in actors(e) if "\u00e2\u0080" in name or name == "There"], actors(e)
    assert "Jonathan Clement" in people  # the name before the garbled apostrophe
    assert "Trade Desk" in actors(e)


def test_a_name_ends_at_a_colon_and_a_title_run_at_a_question_or_exclamation_mark(kb: KnowledgeBase) -> None:
    """A name holds no colon, question mark or exclamation mark: NER ran a charge list's name into its charge
    ("Christopher D. Battin: Dealing"), and the run of capitals after a title went on into the next sentence
    ("President Medvedev? The Bush-era", "Prince Andrew! How"). A colon inside a time or a reference cuts nothing."""
    e = enrich(
        kb,
        "Six arrested",
        "Police arrested six people Monday, said Lt. Matt Harris.\n\nChristopher D. Battin: Dealing in cocaine "
        "or a narcotic drug.\n\nHe called Russia’s President Medvedev? The Bush-era whistleblower said so. How "
        "noble of Prince Andrew! How chivalrous!",
    )
    people = persons(e)
    assert {"Christopher D. Battin", "Medvedev", "Prince Andrew"} <= people, people
    assert not [name for name in actors(e) if ":" in name or "?" in name or "!" in name], actors(e)
    text = "Meet at 10:30 Main Street: the market"
    assert entities_module._before_colon(text, 8, 25) == 25  # "10:30 Main Street": no label's colon
    assert entities_module._before_colon(text, 14, 30) == 25
    french = "Khalifa Haftar : « Non »"
    assert entities_module._before_colon(french, 0, len(french)) == 14


def test_a_caption_credit_after_a_name_is_no_part_of_it(kb: KnowledgeBase) -> None:
    """Local papers credit a picture a family or a reader sent with "Submitted photo", "Contributed photo" after the
    name in the caption: NER ran the name into the credit ("Christopher Battin Submitted", "Jonathan P. Blair
    Submitted Photo"), a second person beside the real one. The name keeps two words: "Ann Staff" is no credit."""
    body = (
        "Police arrested six people Monday, said Lt. Matt Harris. Christopher Battin, 31, of Columbus, was held in "
        "jail. Jonathan P. Blair, 45, was released. Ann Staff photographed the scene."
    )
    e = enrich(
        kb,
        "Six arrested",
        body,
        captions=(
            "Christopher Battin Submitted photo",
            "Jonathan P. Blair Submitted Photo",
            "Victor N. Burton Contributed photo",
        ),
    )
    people = persons(e)
    assert {"Christopher Battin", "Jonathan P. Blair", "Victor N. Burton"} <= people, people
    assert not [n for n in people if n.endswith(("Submitted", "Photo", "Contributed"))], people
    text = "Ann Staff photo"
    assert entities_module._before_photo_credit(text, 0, 9, "PERSON") == (0, 9, "PERSON")
    assert entities_module._before_photo_credit("Jane Doe Staff photo", 0, 14, "PERSON") == (0, 8, "PERSON")
    assert entities_module._before_photo_credit("Jane Doe Staff photo", 0, 14, "ORG") == (0, 14, "ORG")


def test_titles_alone_are_nobody(kb: KnowledgeBase) -> None:
    """NER read the British "Lt Col" (no full stops) before a name as a person of its own; two words or more that
    are each a title or an office name nobody. One such word may be a surname said alone ("Major said")."""
    e = enrich(
        kb,
        "Hearing",
        "Lawmakers grilled Lt Col Alexander Vindman, a Ukraine specialist. John Major met the Queen. Major said "
        "the talks went well.",
    )
    people = persons(e)
    assert {"Alexander Vindman", "John Major"} <= people and "Lt Col" not in people, people
    assert entities_module._titles_alone("Prime Minister") and not entities_module._titles_alone("Major")


def test_lists_and_ranks_that_are_no_players(kb: KnowledgeBase) -> None:
    """The list and rank rules read NER's spans: an ingredient list or a list of topics with their acronyms, even
    where NER calls half of them people, is no list of players (no first names, no countries in brackets); a figure
    before words that are no first name ("3 Doors Down") is left to the rules for figures."""

    def listed(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        doc = entities_module._Doc(text=text, kb=kb, gazetteer=Gazetteer.load(), blocked=[], credit_names=set())
        return entities_module._bracketed_list_people(doc, spans)

    text = (
        "Ingredients: Citrus Paradisi (Grapefruit) Seed Oil, Crambe Abyssinica (Abyssinian) Seed Oil, Ricinus "
        "Communis (Castor) Seed Oil.\n\nComputer Vision (CV)\n\nNatural Language Processing (NLP)\n\nMachine "
        "Learning (ML)\n"
    )
    names = ["Citrus Paradisi", "Crambe Abyssinica", "Computer Vision", "Natural Language Processing"]
    spans = sorted((text.index(n), text.index(n) + len(n), "PERSON") for n in names)
    assert listed(text, spans) == spans
    oils = "Rosa Canina (Rosehip) Seed Oil, Rosa Damascena (Rose) Flower Oil, Maria Luisa (Lemon) Leaf Oil."
    spans = sorted((oils.index(n), oils.index(n) + len(n), "PERSON") for n in ("Rosa Canina", "Maria Luisa"))
    assert listed(oils, spans) == spans  # the item goes on after its bracket
    squad = "Squad: Tim Stimpson (Newcastle), Jon Sleightholme (Bath), Phil Hopley (Wasps), Lawrence Dallaglio (Wasps)."
    people = [n for n in ("Tim Stimpson", "Phil Hopley") if n in squad]
    spans = sorted((squad.index(n), squad.index(n) + len(n), "PERSON") for n in people)
    assert {squad[s:e] for s, e, label in listed(squad, spans) if label == "PERSON"} == {
        "Tim Stimpson",
        "Jon Sleightholme",
        "Phil Hopley",
        "Lawrence Dallaglio",
    }
    assert entities_module._without_figures("67 Greg Norman", 0, 14, "PERSON")[0] == 3
    assert entities_module._without_figures("3 Doors Down", 0, 12, "PERSON")[0] == 0
    assert entities_module._initial_and_surname("H. Morris") and not entities_module._initial_and_surname("I. Guys")
    garbled = "Paris \u00e2\u0080\u0093 where"  # a dash decoded twice after a place NER ran into it
    assert entities_module._before_mojibake(garbled, 0, 9, "PLACE") == (0, 6)
    assert entities_module._before_mojibake(garbled, 0, 9, "ORG") == (0, 0)


def test_newswire_a_line_of_results_is_no_headline(kb: KnowledgeBase) -> None:
    """Athletics results run on one line with ranks and times ("1. Donovan Bailey (Canada) 9.94 seconds 2. ..."):
    most long words are capitalised, as in a headline, but a line with figures all along is results, and its
    people are found."""
    e = enrich(
        kb,
        "ATHLETICS - ZURICH RESULTS",
        "ZURICH 1996-08-14\n\nLeading results at the Zurich grand prix on Wednesday:\n\nMen's 100 metres: 1. Donovan "
        "Bailey (Canada) 9.94 seconds 2. Frankie Fredericks (Namibia) 9.97 3. Ato Boldon (Trinidad) 10.00\n",
    )
    assert {"Donovan Bailey", "Frankie Fredericks", "Ato Boldon"} <= set(actors(e)), actors(e)
    assert {"Canada", "Namibia"} <= countries(e)


def test_short_and_former_country_names(kb: KnowledgeBase) -> None:
    """News and results name countries by short or former names: "Bosnia", "Holland", "Trinidad", "Yugoslavia",
    "Zaire" are the countries (the last two on their successors' points), not towns of those names or nothing."""
    e = enrich(
        kb,
        "Talks on the region",
        "Envoys from Bosnia, Yugoslavia and Zaire met in Holland on Monday, officials from Trinidad said.",
    )
    assert {"Bosnia and Herzegovina", "Serbia", "Democratic Republic of the Congo", "The Netherlands"} <= countries(e)
    assert "Trinidad and Tobago" in countries(e), countries(e)


def test_units_named_by_ordinal_and_arm(kb: KnowledgeBase) -> None:
    """Armies name units by an ordinal and an arm ("the 2nd Armored Division", "the 6th Fleet"): NER drops them (a
    name does not start with a figure) or keeps the words after the figure. Each is one armed group, named as
    written, so two units of one number stay two."""
    e = enrich(
        kb,
        "Convoy reaches the border",
        "Troops of the 2nd Armored Division and the 2nd Cavalry Regiment reached the border on Friday, while the 6th "
        "Fleet held its position offshore. Officers of the 82nd Airborne said the 9th Engineer Battalion would "
        "follow.",
    )
    groups = {n for n, t in actors(e).items() if t == "armed_group"}
    assert {
        "2nd Armored Division",
        "2nd Cavalry Regiment",
        "6th Fleet",
        "82nd Airborne",
        "9th Engineer Battalion",
    } <= groups, groups


def test_a_state_abbreviation_after_its_town_in_running_text(kb: KnowledgeBase) -> None:
    """AP style writes "Springfield, Mass." and "Eugene, Ore." inside sentences too, not only in datelines: the
    abbreviation after a town the gazetteer places in that state is the state. Alone, the same words are no place
    ("Ore." in a list of minerals, "La." opening a French article's name)."""
    e = enrich(
        kb,
        "Plant closes",
        "The company said its plant in Springfield, Mass., would close in May, and that workers in Eugene, Ore., "
        "would be offered jobs.",
    )
    assert {"Massachusetts", "Oregon"} <= places(e), places(e)
    e = enrich(kb, "Samples", "The samples held copper, iron and more. Ore. Rocks. La. Vie en rose was sung.")
    assert not {"Oregon", "Louisiana"} & places(e), places(e)


def test_a_street_or_bridge_named_after_a_town_is_the_way_not_the_town(kb: KnowledgeBase) -> None:
    """Streets and bridges carry towns' names far from those towns ("Cairo Street" in Amman, "London Road" in any
    English town): a way NER found that the gazetteer lacks is that way, not the town its first word names."""
    e = enrich(
        kb,
        "Protest",
        "Protesters gathered on Cairo Street in Amman on Friday, then marched to Jerusalem Bridge.",
    )
    assert "Cairo" not in places(e) and "Jerusalem" not in places(e), places(e)
    assert {"Cairo Street", "Amman"} <= places(e), places(e)
    assert "Egypt" not in countries(e), countries(e)
    e = enrich(kb, "Shoes", "Our pick for the Best Road-to-Trail Shoe is light and cheap.")
    assert not {p for p in places(e) if p.endswith("Road")}, places(e)  # a word going on after a hyphen


def test_office_words_after_a_title_are_no_person(kb: KnowledgeBase) -> None:
    """After "Deputy", a run of capitalised words is read as the holder's name; when every word is an office's
    ("Assistant Secretary", "Vice Chairman"), the run is the rest of the office and names nobody. A name after the
    office stays a person."""
    e = enrich(
        kb,
        "Budget memo",
        "The memo was signed by Deputy Assistant Secretary of the Treasury for Tax Policy on Friday, and Deputy Vice "
        "Chairman of the board Ruth Okafor approved it.",
    )
    people = persons(e)
    assert not {"Assistant Secretary", "Vice Chairman"} & people, people


def test_an_office_holder_after_the_organisation_of_the_office(kb: KnowledgeBase) -> None:
    """After "<Office> of the <Organisation>", NER runs the organisation into the holder's name ("the Bank of Canada
    David Dodge" as one organisation). After an office and "of", the span's last two plain name words are the
    holder when an organisation's name stays before them."""
    e = enrich(
        kb,
        "Rates held",
        "The loan was approved by Governor of the Bank of Canada David Dodge last week. Director of the National "
        "Hurricane Center Max Mayfield warned residents.",
    )
    found = actors(e)
    assert found.get("David Dodge") == "person" and found.get("Max Mayfield") == "person", found
    assert found.get("Bank of Canada") == "organization", found
    assert not any(name.endswith(("Dodge", "Mayfield")) and kind != "person" for name, kind in found.items())


def test_a_nationality_before_a_persons_name_is_no_organisation(kb: KnowledgeBase) -> None:
    """The small model reads "the <Nationality> <Name>" as an organisation ("the Hungarian Kovács"): after
    the nationality, plain name words opening with a known first name, or whose surname the article names in full
    elsewhere, are the person, and the nationality alone is no organisation. A nationality before an organisation's
    words stays whole ("the Russian Orthodox Church")."""
    e = enrich(
        kb,
        "Panel",
        "Two candidates were replaced: the Hungarian Kovács and the Slovak Ján Figel. László Kovács said he was "
        "surprised. The Russian Orthodox Church sent a letter.",
    )
    found = actors(e)
    assert found.get("László Kovács") == "person", found
    assert not {n for n in found if n.startswith(("Hungarian", "the Hungarian"))}, found
    assert found.get("Russian Orthodox Church") == "organization", found


def test_a_camp_or_a_fort_is_the_base_not_the_town_in_its_name(kb: KnowledgeBase) -> None:
    """Bases are named after people and towns far away ("Camp Pendleton" is in California, not Pendleton, Oregon):
    a camp or a fort NER found that the gazetteer lacks is the base, kept under its name."""
    e = enrich(kb, "Alert", "Soldiers at Fort Hood and Camp Pendleton were put on alert on Sunday.")
    assert {"Fort Hood", "Camp Pendleton"} <= places(e), places(e)
    assert "Pendleton" not in places(e), places(e)
    from etl.regions import _named_way

    heading = "Camp Stoves\n\nThe best camp stoves for a weekend on the trail."
    assert _named_way("Camp Stoves", heading) is None  # a heading of things the page writes in lower case
    assert _named_way("Camp Pendleton", "Marines at Camp Pendleton trained.") is not None


def test_two_capitals_that_speak_are_an_organisation(kb: KnowledgeBase) -> None:
    """Two capitals the knowledge base does not know are left out ("AI", "SG"), but a company that speaks by its
    initials ("VW says", "HP said") is one, as plain spaCy keeps it; roles and things in two capitals ("the PM
    said", "HR confirmed") are not."""
    e = enrich(
        kb,
        "",
        "HP said on Tuesday that sales of printers fell. The PM said the figures were worrying, and HR confirmed "
        "the job cuts.",
    )
    found = actors(e)
    assert found.get("HP") == "organization", found
    assert "PM" not in found and "HR" not in found, found


def test_a_division_before_its_office_is_a_place_and_a_state_is_not_its_citys_other_name(kb: KnowledgeBase) -> None:
    """A state or county written in full before one of its offices is a place of the story ("the Kano State
    Governor", "Franklin County Executive ..."), though NER reads the capitals as one name; a body named so ("the
    Kano State Police Command") stays an organisation with no place of its own, as newswire annotates it. A state's
    own name is the state, even where GeoNames lists it among a smaller city's other names ("Oklahoma" for Oklahoma
    City); a city of a million people keeps the name it is known by ("New York")."""
    e = enrich(
        kb,
        "Floods",
        "The Kano State Commissioner for Water Resources said on Monday that 300 homes were lost in Nigeria. "
        "Floods also reached Ohio, where Franklin County Executive Mary Hart asked for help.",
    )
    assert {"Kano", "Franklin County"} <= places(e), places(e)
    body = e.article.body
    from etl.regions import division_office_after

    at = body.index("Kano State")
    assert division_office_after(body, at, at + len("Kano State"))
    police = "The Kano State Police Command said on Monday that two men were held."
    assert not division_office_after(police, 4, 4 + len("Kano State"))
    assert not division_office_after("Kano Commissioner", 0, 4)  # the division's word shows it is one
    e = enrich(kb, "Storms", "Storms hit Oklahoma and New York on Monday, the weather service said.")
    assert {"Oklahoma", "New York City"} <= places(e), places(e)
    assert "Oklahoma City" not in places(e), places(e)


def test_a_name_the_gazetteer_lacks_written_mostly_as_no_place_is_none(kb: KnowledgeBase) -> None:
    """NER reads a tool, a product or a topic as a place after "in" ("written in Python"); where the gazetteer
    lacks the name and the page writes it more often with no place read than with one, it is no place. A village
    the gazetteer lacks stays a place when NER reads it as one where it is named."""
    e = enrich(
        kb,
        "Learn to code",
        "Most of our tools are written in Python. Python is easy to learn, and Python scripts run anywhere. We "
        "teach Python every week.",
    )
    assert "Python" not in places(e), places(e)
    e = enrich(
        kb,
        "Attack in Benue",
        "A mother of three was displaced from her home in Torkula village after gunmen attacked it, officials in "
        "Benue State, Nigeria, said on Monday.",
    )
    assert "Torkula" in places(e), places(e)


def test_official_country_names_as_agencies_write_them(kb: KnowledgeBase) -> None:
    """Agencies write official names without ISO's article or inversion ("the Democratic Republic of Congo", "the
    Republic of Korea"): each is its country, and "Republic" alone (a town in Missouri) is no place of the story."""
    e = enrich(
        kb,
        "Cobalt",
        "Cobalt from the Democratic Republic of Congo and chips from the Republic of Korea reached the Republic of "
        "Ireland on Monday.",
    )
    assert {"Democratic Republic of the Congo", "South Korea", "Ireland"} <= countries(e), countries(e)
    assert "Republic" not in places(e), places(e)


def test_capitals_inside_a_line_are_an_acronym_unless_a_large_town_or_a_dateline(kb: KnowledgeBase) -> None:
    """Two to four capitals inside a line are an acronym ("SIM card", "sales in MENA and APAC"), not a small town
    of those letters (Sim, Russia; Mena, Ethiopia; Apac, Uganda), whose country would join the facets; a large
    town stays ("talks in ROME"), and so does a small one written as a dateline ("AMES, Iowa (AP) -"). A saint's
    title inside a place NER found is no town of its own ("San Ysidro": not San, Mali)."""
    e = enrich(
        kb,
        "Phone deals",
        "The phone ships without a SIM card. Sales grew in MENA and APAC, the company said, and talks in ROME went on.",
    )
    assert not {"Russia", "Ethiopia", "Uganda"} & countries(e), countries(e)
    assert "Rome" in places(e), places(e)
    e = enrich(kb, "Storm", "AMES, Iowa (AP) - A storm closed roads on Monday, officials said.")
    assert "Ames" in places(e), places(e)
    e = enrich(kb, "Border", "Flu shots were given at the San Ysidro, California, border crossing on Monday.")
    assert "Mali" not in countries(e) and "San" not in places(e), (places(e), countries(e))


def test_a_us_towns_postal_state_code_is_the_state(kb: KnowledgeBase) -> None:
    """Addresses and listings write a US state by its postal code after the town ("Tucson, AZ", "Paris, TX"): the
    state is a place of the story when the gazetteer has a town of that name in it. Two capitals after a name are
    no state otherwise ("John Smith, MD, said"), nor a Canadian province's code ("London, ON")."""
    e = enrich(
        kb,
        "Offices",
        "The firm has offices in Tucson, AZ and Paris, TX, and a warehouse in Seattle, WA. John Smith, MD, said the "
        "clinic would stay open.",
    )
    assert {"Arizona", "Texas", "Washington"} <= {loc.name for loc in e.locations if loc.feature == "state"}, places(e)
    assert "Maryland" not in places(e), places(e)
    from etl.regions import _town_postal_states

    assert not _town_postal_states("He moved to London, ON last year.", Gazetteer.load())


def test_a_name_the_gazetteer_lacks_is_the_same_place_at_each_mention(kb: KnowledgeBase) -> None:
    """Once an article places a name the gazetteer lacks ("in eastern Ghouta"), its other mentions NER read are
    that place too ("the last patch of eastern Ghouta still held by rebels"), not unresolved: one story, one sense."""
    from etl.enrich import actor_spans
    from etl.records import analysis_text
    from etl.regions import resolve_mentions

    body = (
        "The Syrian army said it had retaken most villages in eastern Ghouta. Fighting went on around the last "
        "patch of eastern Ghouta still held by rebels, and eastern Ghouta had no power."
    )
    article = CleanArticle(
        doc_id="k", source_file="k", content_sha256="k", title="Siege", body=body, paragraphs=(body,)
    )
    result = extract_entities([(article, Language("en", 0.99))], MODELS, kb)[0]
    resolved = resolve_mentions(
        analysis_text(article), result.place_mentions, Gazetteer.load(), exclude_spans=actor_spans(result)
    )
    ghouta = [m.place.name if m.place else None for m in resolved if m.text == "Ghouta"]
    assert ghouta == ["Ghouta"] * 3, ghouta


def test_libyan_places_carry_the_news_spelling_not_a_transliteration(kb: KnowledgeBase) -> None:
    """A Libyan town's facet value is the name news writes ("Qatrun", "Jaghbub"), never a scholarly transliteration
    ("Al Qaţrūn"); spellings news uses for a district or a town ("Wadi Shati", "Tazerbo") find them."""
    assert all(p.name.isascii() for p in Gazetteer.load().places if p.country_code == "LY")
    e = enrich(
        kb,
        "Southern Libya",
        "Smugglers crossed from Niger to Qatrun on Monday, and a convoy reached Tazerbo and Jaghbub. Elders in Wadi "
        "Shati said the road to Brak stayed open.",
    )
    assert {"Qatrun", "Tazirbu", "Jaghbub", "Wadi al Shatii"} <= places(e), places(e)


def test_a_small_town_abroad_never_written_as_a_place_needs_its_country(kb: KnowledgeBase) -> None:
    """NER reads surnames, brands and products as places ("Siri shortcuts"), and the gazetteer has a small town
    abroad for many of them (Sīrē, Ethiopia). A one-word town of under 100,000 people that the article never
    writes as a place (after "in", "at", a verb of going, as a dateline) stands only where the article points to
    its country; a town written as a place keeps its reading ("a return trip to Saipan", "comes to Clacton")."""
    e = enrich(
        kb,
        "Apple event",
        "Apple said on Tuesday that Siri shortcuts now work with more apps, and Tim Cook told developers in San "
        "Francisco that Siri would soon speak more languages.",
    )
    assert "Ethiopia" not in countries(e), countries(e)
    e = enrich(kb, "Tour", "The band plays a return trip to Saipan next month, and the tour then heads back to Guam.")
    assert "Saipan" in places(e), places(e)
    e = enrich(kb, "Show", "A tribute show comes to Clacton this weekend, the organisers in Essex said.")
    assert "Clacton-on-Sea" in places(e), places(e)
    e = enrich(kb, "Graves", "Tarhuna's mass graves were opened on Monday.")  # Libya's towns: the coverage itself
    assert "Tarhuna" in places(e), places(e)
    e = enrich(kb, "Mercenaires", "Des combattants venus du Darfour ont été vus à Koufra.", "fr")
    assert "Kufra" in places(e), places(e)


def test_a_towns_own_name_of_several_words_is_no_person(kb: KnowledgeBase) -> None:
    """NER reads a town's name of several words as a person's ("the Daily Herald of Sioux Falls, Gov. Ann Lee"): a
    town of 100,000 people or more, written exactly so, is the place. A name with a particle, as people are named,
    is not taken for a town ("Vasco da Gama" is also a town in Goa)."""
    e = enrich(kb, "Bill", "According to the Daily Herald of Sioux Falls, Gov. Ann Lee signed the bill on Monday.")
    assert "Sioux Falls" in places(e) and "Sioux Falls" not in actors(e), (places(e), actors(e))
    assert "Ann Lee" in persons(e), persons(e)
    e = enrich(kb, "Explorers", "Historians said Vasco da Gama reached India in 1498 after sailing round Africa.")
    assert "Vasco da Gama" in persons(e), (persons(e), places(e))


def test_capitals_made_of_a_persons_full_name_are_that_person(kb: KnowledgeBase) -> None:
    """News writes some people by the initials of their full name ("AMLO" for Andrés Manuel López Obrador, "MBS"
    for Mohammed bin Salman): spaCy reads the capitals as an organisation or misses them, and the person facet lost
    most of that person's mentions (sixteen in one tune GeoWebNews article) to a junk organisation. Capitals that
    are the initials of exactly one person of three words or more in the article are that person; other acronyms
    stay what they were."""
    e = enrich(
        kb,
        "Mexico votes",
        "Mexico's president-elect Andres Manuel Lopez Obrador met business leaders on Monday. AMLO, as he is known, "
        "promised to keep the budget balanced. Critics of AMLO in the PRI said the plan was vague.",
    )
    people = {x.name: len(x.mentions) for x in e.entities if x.type == "person"}
    assert people.get("Andres Manuel Lopez Obrador") == 3, people
    assert "AMLO" not in actors(e), actors(e)
    e = enrich(kb, "Visit", "Saudi Crown Prince Mohammed bin Salman arrived in Paris. MBS met Emmanuel Macron there.")
    assert "Mohammed bin Salman" in persons(e) and "MBS" not in actors(e), actors(e)


def test_a_brand_ner_reads_as_often_a_place_as_an_organisation_is_the_organisation() -> None:
    """NER reads "Dropbox" three times a place and three times an organisation (tune GeoWebNews): a tie stays a
    place ("at Coggeshall" an organisation, "between Coggeshall and Marks Tey" a place), which put the company in
    the places and took it out of the organisations. A tied name that also opens longer organisation names, as a
    brand its products ("Dropbox Business"), and that the gazetteer does not know as a place, is the organisation."""
    from etl.entities import _majority_keys

    text = (
        "Dropbox first talked about Smart Sync. Files in their Dropbox show up in Finder. Dropbox said Dropbox "
        "Business users get it. Buses ran between Coggeshall and Marks Tey; the meeting at Coggeshall was short. "
        "Tripoli said Tripoli Business Forum would meet in Tripoli."
    )
    spans = [
        nth_span(text, "Dropbox", "PLACE", 0),
        nth_span(text, "Dropbox", "ORG", 1),
        nth_span(text, "Dropbox", "PLACE", 2),
        nth_span(text, "Dropbox", "ORG", 3),
        nth_span(text, "Dropbox Business", "ORG"),
        nth_span(text, "Coggeshall", "PLACE", 0),
        nth_span(text, "Coggeshall", "ORG", 1),
        nth_span(text, "Tripoli", "ORG", 0),
        nth_span(text, "Tripoli Business Forum", "ORG"),
        nth_span(text, "Tripoli", "PLACE", 2),
    ]
    place_keys, _, org_keys, _ = _majority_keys(text, spans, Gazetteer.load())
    assert "dropbox" in org_keys and "dropbox" not in place_keys
    assert "coggeshall" in place_keys and "coggeshall" not in org_keys  # no products: the tie stays a place
    assert "tripoli" in place_keys and "tripoli" not in org_keys  # a place the gazetteer knows
