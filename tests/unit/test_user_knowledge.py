"""Your own knowledge (``NEWSFACET_KB_DIR``): actor and place files that extend and override the shipped ones,
versions that cover them, and ``kb check`` problems with file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.errors import ConfigurationError
from etl.knowledge import actors, gazetteer
from etl.knowledge.actors import KnowledgeBase, check, overrides
from etl.knowledge.gazetteer import Gazetteer
from etl.knowledge.loader import check_knowledge, current_versions, load_knowledge
from etl.knowledge.user_places import check_places
from etl.settings import Settings


def _write_actors(folder: Path, *rows: dict[str, object], name: str = "actors_mine.jsonl") -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


HEAD = "name,aliases,feature,district,region,country,lat,lon,source\n"


def test_settings_read_the_folder() -> None:
    assert Settings.from_env({"NEWSFACET_KB_DIR": "/srv/kb"}).kb_dir == Path("/srv/kb")
    assert Settings.from_env({"NEWSFACET_KB_DIR": " "}).kb_dir is None
    assert Settings.from_env({}).kb_dir is None


def test_an_empty_folder_changes_no_version(tmp_path: Path) -> None:
    settings = Settings(kb_dir=tmp_path)
    assert current_versions(settings) == current_versions(Settings())
    assert load_knowledge(settings).versions == load_knowledge(Settings()).versions


def test_your_actors_extend_and_override_the_shipped_ones(tmp_path: Path) -> None:
    shipped = KnowledgeBase.load()
    haftar = shipped.lookup("Haftar")
    assert haftar is not None and shipped.lookup("Gheniwa") is None
    _write_actors(
        tmp_path,
        {
            "id": "analyst:ghnewa",
            "name": "Abdul Ghani al-Kikli",
            "type": "person",
            "aliases": ["Gheniwa"],
            "source": "news",
        },
        {
            "id": haftar.id,
            "name": "Khalifa Belqasim Haftar",
            "type": "person",
            "aliases": ["Hifter"],
            "source": "my notes",
        },  # the same id: replaces the shipped entry, aliases and all
        {
            "id": "analyst:serraj-office",
            "name": "Serraj press office",
            "type": "organization",
            "aliases": ["Serraj"],
            "source": "my notes",
        },  # takes an alias from a shipped entry
    )
    kb = KnowledgeBase.load(user_dir=tmp_path)
    assert kb.canonical_actor("Gheniwa") == "Abdul Ghani al-Kikli"
    assert kb.canonical_actor("Hifter") == "Khalifa Belqasim Haftar"
    assert kb.canonical_actor("Haftar") is None  # an alias of the replaced entry, not of yours
    assert shipped.canonical_actor("Serraj") == "Fayez al-Sarraj"
    assert kb.canonical_actor("Serraj") == "Serraj press office"
    assert kb.version != shipped.version
    assert [hit[2].id for hit in kb.scan("Gheniwa met Hifter.")] == ["analyst:ghnewa", haftar.id]
    assert check(user_dir=tmp_path) == []
    notes = "\n".join(overrides(user_dir=tmp_path))
    assert f"replaces the shipped actor {haftar.id!r}" in notes
    assert "alias 'serraj' now names 'analyst:serraj-office', not the shipped 'fayez-al-sarraj'" in notes


def test_the_version_covers_your_files_and_a_refresh_sees_an_edit(tmp_path: Path) -> None:
    row = {"id": "analyst:x", "name": "Xavier Testperson", "type": "person", "aliases": [], "source": "t"}
    _write_actors(tmp_path, row)
    first = KnowledgeBase.load(user_dir=tmp_path)
    assert KnowledgeBase.load(user_dir=tmp_path) is first  # cached
    assert actors.file_version(user_dir=tmp_path) == first.version
    _write_actors(tmp_path, {**row, "aliases": ["X. Testperson"]})
    assert actors.file_version(user_dir=tmp_path) != first.version
    assert KnowledgeBase.load(user_dir=tmp_path) is first  # a loaded process keeps its knowledge...
    fresh = KnowledgeBase.load(user_dir=tmp_path, refresh=True)  # ...until it asks for the current one
    assert fresh.version == actors.file_version(user_dir=tmp_path) and fresh.canonical_actor("X. Testperson")


def test_check_says_file_and_line(tmp_path: Path) -> None:
    good = {"id": "analyst:a", "name": "Ann Alpha", "type": "person", "aliases": ["A. Alpha"], "source": "t"}
    path = tmp_path / "actors_mine.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                "# a comment line",
                json.dumps({"id": "analyst:b", "name": "Bob Beta", "type": "militia", "aliases": [], "source": "t"}),
                json.dumps(
                    {"id": "analyst:c", "name": "Cy Gamma", "type": "person", "aliases": ["A. Alpha"], "source": "t"}
                ),
                "{broken",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    problems = check(user_dir=tmp_path)
    assert f"{path}:3: bad type 'militia'" in "\n".join(problems)
    assert f"{path}:4: alias 'a. alpha' of 'analyst:c' already claimed by 'analyst:a' ({path}:1)" in problems
    assert any(p.startswith(f"{path}:5: invalid JSON") for p in problems)
    with pytest.raises(ConfigurationError, match=rf"{path}:3: 'militia' is not a valid"):
        KnowledgeBase.load(user_dir=tmp_path)
    assert check_knowledge(Settings(kb_dir=tmp_path))[0] == problems
    assert check_knowledge(Settings(kb_dir=tmp_path / "missing"))[0] == [
        f"NEWSFACET_KB_DIR {tmp_path / 'missing'}: not a directory"
    ]


def test_your_places_add_and_update(tmp_path: Path) -> None:
    (tmp_path / "places_mine.csv").write_text(
        HEAD
        + "\n".join(
            [
                "Tekbali camp,Takbali|Tekbali,place,Tripoli,,LY,32.85,13.19,Reuters 2025-05-12",  # new, in a district
                "Sabha,Sebha City,city,,,Libya,,,my spelling",  # update: one more alias, the rest kept
                "Hun,,city,,Tripolitania,LY,,,analyst decision",  # update: the region of one town
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    shipped = Gazetteer.load()
    gaz = Gazetteer.load(user_dir=tmp_path)
    assert gaz.version != shipped.version and gazetteer.file_version(user_dir=tmp_path) == gaz.version
    [camp] = gaz.candidates("Takbali")
    assert (camp.name, camp.feature, camp.country, camp.district, camp.region) == (
        "Tekbali camp",
        "place",
        "Libya",
        "Tripoli",
        "Tripolitania",
    )
    assert (camp.lat, camp.lon) == (32.85, 13.19)
    sabha = next(p for p in gaz.candidates("Sebha City") if p.feature == "city")
    before = next(p for p in shipped.candidates("Sabha") if p.feature == "city")
    assert sabha.place_id == before.place_id and (sabha.lat, sabha.population) == (before.lat, before.population)
    [hun] = [p for p in gaz.candidates("Hun") if p.feature == "city" and p.country_code == "LY"]
    assert hun.region == "Tripolitania"
    assert check_places(tmp_path) == []


def test_a_district_moved_to_another_region_takes_its_towns(tmp_path: Path) -> None:
    (tmp_path / "places_mine.csv").write_text(
        HEAD + "Jufra,Al Jufrah,district,,Tripolitania,LY,,,analyst\n", encoding="utf-8"
    )
    shipped, gaz = Gazetteer.load(), Gazetteer.load(user_dir=tmp_path)
    towns = [p.place_id for p in shipped.places if p.district_code == "LY-JU" and p.feature == "city"]
    assert towns and {p.region for p in shipped.places if p.place_id in towns} == {"Fezzan"}
    assert {p.region for p in gaz.places if p.place_id in towns} == {"Tripolitania"}


def test_place_problems_say_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "places_mine.csv"
    path.write_text(
        HEAD
        + "\n".join(
            [
                "Good Town,,city,,,LY,31,14,t",
                "Bad Feature,,town,,,LY,,,t",
                "Far Away,,city,,,LY,95,14,t",
                "Nowhere,,city,,,Atlantis,,,t",
                "Lost,,city,Nosuchdistrict,,LY,,,t",
                ",,city,,,LY,,,",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    problems = check_places(tmp_path)
    assert f"{path}:3: bad feature 'town' (expected one of" in problems[0]
    assert f"{path}:4: lat '95' is out of range" in problems
    assert f"{path}:7: missing name" in problems and f"{path}:7: missing source" in problems
    assert any(p.startswith(f"{path}:5: unknown country 'Atlantis'") for p in problems)
    assert f"{path}:6: unknown district 'Nosuchdistrict' in Libya" in problems
    (tmp_path / "places_cols.csv").write_text("name,latitude\nX,1\n", encoding="utf-8")
    assert any(
        "places_cols.csv:1: missing column(s) feature, country, source; unknown column(s) latitude" in p
        for p in check_places(tmp_path)
    )
    with pytest.raises(ConfigurationError, match=r"places_cols\.csv:1"):
        Gazetteer.load(user_dir=tmp_path)
