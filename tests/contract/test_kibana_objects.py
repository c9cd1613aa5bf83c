"""Contract: the Kibana saved objects in deploy/kibana/newsfacet.ndjson fit the index mapping and each other.

Every field a data view, saved search, control, map layer or Lens column names must exist in
mappings/articles.json with a type that works there (keyword for options lists, geo_point for the map,
date for the histogram and the time field); every reference must point at an object of the file.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from etl.settings import Settings
from etl.store.indices import load_mapping
from tests.paths import PROJECT_ROOT

NDJSON = PROJECT_ROOT / "deploy" / "kibana" / "newsfacet.ndjson"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
SORTABLE = {"date", "keyword", "long", "integer", "float", "double"}
CONTROL_FIELDS = {"regions", "actors", "countries", "language"}
SEARCH_COLUMNS = ["title", "source", "regions", "actors", "language"]


def _objects() -> list[dict[str, Any]]:
    lines = [line for line in NDJSON.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def _by_type(kind: str) -> list[dict[str, Any]]:
    return [o for o in _objects() if o["type"] == kind]


def _one(kind: str) -> dict[str, Any]:
    found = _by_type(kind)
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def _fields(properties: dict[str, Any] | None = None, prefix: str = "") -> dict[str, str]:
    """Every mapped field path (multi-fields included) and its type; ``nested`` paths keep their own type."""
    if properties is None:
        properties = load_mapping()["mappings"]["properties"]
    out: dict[str, str] = {}
    for name, spec in properties.items():
        out[prefix + name] = spec.get("type", "object")
        for sub, sub_spec in (spec.get("fields") or {}).items():
            out[f"{prefix}{name}.{sub}"] = sub_spec["type"]
        if "properties" in spec:
            out.update(_fields(spec["properties"], prefix + name + "."))
    return out


def _field_type(field: str) -> str:
    fields = _fields()
    assert field in fields, f"{field} is not in mappings/articles.json"
    return fields[field]


def _ref_names(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in obj["references"]}


def _dashboard_controls() -> dict[str, dict[str, Any]]:
    controls: dict[str, dict[str, Any]] = json.loads(_one("dashboard")["attributes"]["controlGroupInput"]["panelsJSON"])
    return controls


def _map_layers() -> list[dict[str, Any]]:
    layers: list[dict[str, Any]] = json.loads(_one("map")["attributes"]["layerListJSON"])
    return layers


def _lens_layers() -> dict[str, dict[str, Any]]:
    layers: dict[str, dict[str, Any]] = _one("lens")["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
    return layers


def _version(text: str) -> tuple[int, ...]:
    assert re.fullmatch(r"\d+\.\d+\.\d+", text), f"not a version: {text}"
    return tuple(int(p) for p in text.split("."))


def _stack_version() -> tuple[int, ...]:
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("STACK_VERSION="):
            return _version(line.split("=", 1)[1].strip())
    raise AssertionError("STACK_VERSION missing from .env.example")


# ---------------------------------------------------------------- the file


def test_ndjson_holds_the_expected_objects_with_stable_ids() -> None:
    objects = _objects()
    ids = [(o["type"], o["id"]) for o in objects]
    assert len(ids) == len(set(ids)), "duplicate saved object"
    assert {o["type"] for o in objects} == {"index-pattern", "search", "lens", "map", "dashboard"}
    for obj in objects:
        assert re.fullmatch(r"newsfacet-[a-z0-9-]+", obj["id"]), f"unstable or foreign id {obj['id']}"
        assert obj["attributes"]["title"]
    assert _one("index-pattern")["id"] == "newsfacet-articles"


def test_migration_versions_are_ones_kibana_can_import() -> None:
    stack = _stack_version()
    for obj in _objects():
        core = _version(obj["coreMigrationVersion"])
        assert core <= stack, f"{obj['id']}: coreMigrationVersion {core} is newer than Kibana {stack}"
        kind = _version(obj["typeMigrationVersion"])
        # Legacy migrations are numbered by Kibana version; model versions by 10.<n>.0.
        assert kind <= stack or kind[0] == 10, f"{obj['id']}: typeMigrationVersion {kind} unknown to {stack}"
        assert "migrationVersion" not in obj, "use typeMigrationVersion (8.8+), not the legacy migrationVersion"


def test_every_reference_points_at_an_object_of_the_file() -> None:
    known = {(o["type"], o["id"]) for o in _objects()}
    for obj in _objects():
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in known, f"{obj['id']}: dangling reference {ref}"
        names = [r["name"] for r in obj["references"]]
        assert len(names) == len(set(names)), f"{obj['id']}: duplicate reference names"


# ---------------------------------------------------------------- data view


def test_data_view_is_the_alias_with_its_time_field() -> None:
    view = _one("index-pattern")["attributes"]
    assert view["title"] == Settings().index_alias == "articles"
    assert _field_type(view["timeFieldName"]) == "date"
    assert view["timeFieldName"] == "published_at"
    for attr in ("fieldAttrs", "fieldFormatMap", "runtimeFieldMap"):
        for field in json.loads(view.get(attr, "{}")):
            _field_type(field)
    assert json.loads(view.get("runtimeFieldMap", "{}")) == {}, "runtime fields would hide mapping drift"


# ---------------------------------------------------------------- saved search


def test_saved_search_columns_and_sort() -> None:
    search = _one("search")
    attrs = search["attributes"]
    assert attrs["columns"] == SEARCH_COLUMNS
    for column in attrs["columns"]:
        _field_type(column)
    for field, direction in attrs["sort"]:
        assert _field_type(field) in SORTABLE, f"cannot sort on {field}"
        assert direction in ("asc", "desc")
    source = json.loads(attrs["kibanaSavedObjectMeta"]["searchSourceJSON"])
    ref = _ref_names(search)[source["indexRefName"]]
    assert (ref["type"], ref["id"]) == ("index-pattern", "newsfacet-articles")


# ---------------------------------------------------------------- dashboard


def test_dashboard_panels_resolve_to_the_visualisations() -> None:
    dashboard = _one("dashboard")
    refs = _ref_names(dashboard)
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    targets = set()
    for panel in panels:
        ref = refs[f"{panel['panelIndex']}:{panel['panelRefName']}"]
        assert ref["type"] == panel["type"]
        targets.add((ref["type"], ref["id"]))
    assert targets == {("lens", _one("lens")["id"]), ("map", _one("map")["id"]),
                       ("search", _one("search")["id"])}


def test_dashboard_grid_fits_and_does_not_overlap() -> None:
    cells: set[tuple[int, int]] = set()
    for panel in json.loads(_one("dashboard")["attributes"]["panelsJSON"]):
        grid = panel["gridData"]
        assert grid["i"] == panel["panelIndex"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 48, f"{panel['panelIndex']} is wider than the grid"
        xs, ys = range(grid["x"], grid["x"] + grid["w"]), range(grid["y"], grid["y"] + grid["h"])
        mine = {(x, y) for x in xs for y in ys}
        assert not cells & mine, f"{panel['panelIndex']} overlaps another panel"
        cells |= mine


def test_options_list_controls_on_keyword_facets() -> None:
    dashboard = _one("dashboard")
    refs = _ref_names(dashboard)
    controls = _dashboard_controls()
    assert {c["explicitInput"]["fieldName"] for c in controls.values()} == CONTROL_FIELDS
    assert sorted(c["order"] for c in controls.values()) == list(range(len(controls)))
    for control_id, control in controls.items():
        assert control["type"] == "optionsListControl"
        assert control["explicitInput"]["id"] == control_id
        field = control["explicitInput"]["fieldName"]
        assert _field_type(field) == "keyword", f"options list on {field}: not a keyword"
        ref = refs[f"controlGroup_{control_id}:optionsListDataView"]
        assert (ref["type"], ref["id"]) == ("index-pattern", "newsfacet-articles")
    group = dashboard["attributes"]["controlGroupInput"]
    assert json.loads(group["ignoreParentSettingsJSON"])["ignoreTimerange"] is False


def test_dashboard_time_range_covers_the_seed_articles() -> None:
    attrs = _one("dashboard")["attributes"]
    assert attrs["timeRestore"] is True and attrs["timeTo"] == "now"
    m = re.fullmatch(r"now-(\d+)y", attrs["timeFrom"])
    assert m, f"unexpected timeFrom {attrs['timeFrom']}"
    dates = [date.fromisoformat(d) for p in (PROJECT_ROOT / "seeds").iterdir()
             for d in re.findall(r"(\d{4}-\d{2}-\d{2})", p.name)]
    assert dates, "no dated seed file"
    assert date.today().year - int(m.group(1)) < min(dates).year, "the seeds fall outside the dashboard's range"


# ---------------------------------------------------------------- map and histogram


def test_map_plots_the_geo_point() -> None:
    map_obj = _one("map")
    refs = _ref_names(map_obj)
    es_layers = [layer for layer in _map_layers() if layer["sourceDescriptor"]["type"].startswith("ES_")]
    assert es_layers, "the map has no Elasticsearch layer"
    for index, layer in enumerate(_map_layers()):
        source = layer["sourceDescriptor"]
        if not source["type"].startswith("ES_"):
            continue
        assert source["geoField"] == "locations.point"
        assert _field_type(source["geoField"]) == "geo_point"
        assert "nested" not in {_field_type(source["geoField"].rsplit(".", 1)[0])}, "maps cannot read nested points"
        for field in source.get("tooltipProperties", []):
            _field_type(field)
        if source.get("sortField"):
            assert _field_type(source["sortField"]) in SORTABLE
        ref_name = source["indexPatternRefName"]
        assert ref_name == f"layer_{index}_source_index_pattern"
        assert (refs[ref_name]["type"], refs[ref_name]["id"]) == ("index-pattern", "newsfacet-articles")
        assert "indexPatternId" not in source, "use a reference, not an inline data view id"


def test_lens_histogram_on_published_at() -> None:
    lens = _one("lens")
    refs = _ref_names(lens)
    assert lens["attributes"]["visualizationType"] == "lnsXY"
    histograms = []
    for layer_id, layer in _lens_layers().items():
        ref = refs[f"indexpattern-datasource-layer-{layer_id}"]
        assert (ref["type"], ref["id"]) == ("index-pattern", "newsfacet-articles")
        assert set(layer["columnOrder"]) == set(layer["columns"])
        for column in layer["columns"].values():
            if column["sourceField"] != "___records___":
                _field_type(column["sourceField"])
            if column["operationType"] == "date_histogram":
                histograms.append(column["sourceField"])
                assert _field_type(column["sourceField"]) == "date"
    assert histograms == ["published_at"]
    visual_layers = lens["attributes"]["state"]["visualization"]["layers"]
    assert {v["layerId"] for v in visual_layers} == set(_lens_layers())
    for v in visual_layers:
        columns = _lens_layers()[v["layerId"]]["columns"]
        assert columns[v["xAccessor"]]["operationType"] == "date_histogram"
        assert all(a in columns for a in v["accessors"])


@pytest.mark.parametrize("field", sorted(CONTROL_FIELDS) + SEARCH_COLUMNS + ["published_at", "locations.point"])
def test_dashboard_fields_are_mapped(field: str) -> None:
    assert field in _fields()


def test_ndjson_is_one_object_per_line() -> None:
    text = NDJSON.read_text(encoding="utf-8")
    assert text.endswith("\n") and "\r" not in text
    for number, line in enumerate(text.splitlines(), 1):
        assert line.strip(), f"blank line {number}: Kibana's _import rejects it"
        json.loads(line)
