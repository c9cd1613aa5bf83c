"""Contract: the Kibana saved objects in deploy/kibana/newsfacet.ndjson fit the index mapping and each other.

Every field a data view, saved search, control, map layer or Lens column names must exist in
mappings/articles.json with a type that works there (keyword for options lists, geo_point for the map,
date for the histogram and the time field); every reference must point at an object of the file. The time
field is one every document has (an undated article falls back to its ingest time), the controls find any part
of a name ("contains"), the names and aliases are indexed for KQL, and deploy/kibana-import.sh imports the
objects for the alias NEWSFACET_INDEX names, and fails loudly when Kibana is not there.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from etl.document import complete_document
from etl.settings import Settings
from etl.store.indices import load_mapping
from tests.paths import PROJECT_ROOT

NDJSON = PROJECT_ROOT / "deploy" / "kibana" / "newsfacet.ndjson"
IMPORT_SCRIPT = PROJECT_ROOT / "deploy" / "kibana-import.sh"
README = PROJECT_ROOT / "README.md"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
TIME_FIELD = "timestamp"
ALIAS_FIELDS = ("actor_names", "place_names")
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
    assert view["timeFieldName"] == TIME_FIELD
    assert _field_type(view["timeFieldName"]) == "date"
    for attr in ("fieldAttrs", "fieldFormatMap", "runtimeFieldMap"):
        for field in json.loads(view.get(attr, "{}")):
            _field_type(field)
    assert json.loads(view.get("runtimeFieldMap", "{}")) == {}, "runtime fields would hide mapping drift"


def test_every_document_has_the_time_field_undated_ones_their_ingest_time() -> None:
    """Discover and the dashboard show only documents with a value in the data view's time field."""
    dated = complete_document({"published_at": "2018-11-13", "ingested_at": "2026-01-02T03:04:05+00:00"})
    undated = complete_document({"published_at": None, "ingested_at": "2026-01-02T03:04:05+00:00"})
    assert (dated[TIME_FIELD], dated["timestamp_source"]) == ("2018-11-13", "published")
    assert (undated[TIME_FIELD], undated["timestamp_source"]) == ("2026-01-02T03:04:05+00:00", "ingested")
    assert (
        load_mapping()["mappings"]["properties"][TIME_FIELD]["format"]
        == load_mapping()["mappings"]["properties"]["published_at"]["format"]
    ), "both date forms must parse"


@pytest.mark.parametrize("field", ALIAS_FIELDS)
def test_names_and_aliases_are_full_text_for_kql(field: str) -> None:
    spec = load_mapping()["mappings"]["properties"][field]
    assert spec["type"] == "text" and spec["analyzer"] == "folded", "KQL `field : Hifter` needs folded full text"
    assert f"{field} : " in README.read_text(encoding="utf-8"), f"the README shows no KQL query on {field}"


def test_alias_fields_hold_the_knowledge_bases_spellings() -> None:
    document = complete_document(
        {
            "published_at": None,
            "ingested_at": "2026-01-02T03:04:05+00:00",
            "entities": [
                {"name": "Khalifa Haftar", "type": "person", "kb_id": "khalifa-haftar", "mentions": ["Haftar"]}
            ],
            "locations": [
                {
                    "name": "Fezzan",
                    "feature": "region",
                    "region": "Fezzan",
                    "country_code": "LY",
                    "geonameid": None,
                    "mentions": ["Fezzan"],
                }
            ],
        }
    )
    assert {"Khalifa Haftar", "Hifter", "حفتر"} <= set(document["actor_names"])
    assert {"Fezzan", "Fazzan", "Libya", "Libye"} <= set(document["place_names"])


# ---------------------------------------------------------------- kibana-import.sh


def _render(index: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NEWSFACET_INDEX"}
    if index is not None:
        env["NEWSFACET_INDEX"] = index
    return subprocess.run(
        ["bash", str(IMPORT_SCRIPT), "--print-objects"], env=env, capture_output=True, text=True, timeout=30
    )


def test_import_uses_the_file_unchanged_for_the_default_alias() -> None:
    rendered = _render(None)
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout == NDJSON.read_text(encoding="utf-8")


def test_data_view_title_follows_newsfacet_index() -> None:
    rendered = _render("news-2026")
    assert rendered.returncode == 0, rendered.stderr
    objects = [json.loads(line) for line in rendered.stdout.splitlines()]
    [view] = [o for o in objects if o["type"] == "index-pattern"]
    assert view["attributes"]["title"] == "news-2026"
    others = [o for o in objects if o["type"] != "index-pattern"]
    assert others == [o for o in _objects() if o["type"] != "index-pattern"], "only the data view's title changes"
    refused = _render("News/2026")
    assert refused.returncode != 0 and "not an alias name" in refused.stderr


class _Refusing(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def refusing_kibana() -> Iterator[str]:
    """A server answering 401 to everything, as Kibana does to a wrong `elastic` password."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _import(url: str, wait: int) -> tuple[subprocess.CompletedProcess[str], float]:
    assert shutil.which("curl"), "curl is needed (make sysdeps-test installs it)"
    env = {**os.environ, "KIBANA_URL": url, "KIBANA_WAIT_SECONDS": str(wait), "ELASTIC_PASSWORD": "not-the-password"}
    started = time.monotonic()
    done = subprocess.run(["bash", str(IMPORT_SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    return done, time.monotonic() - started


def test_import_fails_loudly_when_kibana_never_comes_up() -> None:
    from devtools.airflow_stack import free_port

    done, _ = _import(f"http://127.0.0.1:{free_port(18600)}", wait=2)
    assert done.returncode == 1
    assert "did not become available within 2s" in done.stderr and "nothing was imported" in done.stderr


def test_import_stops_at_once_on_a_refused_password(refusing_kibana: str) -> None:
    done, seconds = _import(refusing_kibana, wait=120)
    assert done.returncode == 1
    assert "HTTP 401" in done.stderr and "docs/docker-compose.md" in done.stderr
    assert seconds < 60, "a refused password is not waited on"


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
    assert attrs["sort"][0] == [TIME_FIELD, "desc"], "newest first, undated articles by their ingest time"
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
    assert targets == {("lens", _one("lens")["id"]), ("map", _one("map")["id"]), ("search", _one("search")["id"])}


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
        # Kibana's options list: "prefix" (starts with), "wildcard" (contains), "exact". Typing "Haftar" must
        # offer "Khalifa Haftar".
        assert control["explicitInput"]["searchTechnique"] == "wildcard", f"{control_id} does not search 'contains'"
    group = dashboard["attributes"]["controlGroupInput"]
    assert json.loads(group["ignoreParentSettingsJSON"])["ignoreTimerange"] is False


def test_dashboard_time_range_covers_the_seed_articles() -> None:
    attrs = _one("dashboard")["attributes"]
    assert attrs["timeRestore"] is True and attrs["timeTo"] == "now"
    m = re.fullmatch(r"now-(\d+)y", attrs["timeFrom"])
    assert m, f"unexpected timeFrom {attrs['timeFrom']}"
    dates = [
        date.fromisoformat(d)
        for p in (PROJECT_ROOT / "seeds").iterdir()
        for d in re.findall(r"(\d{4}-\d{2}-\d{2})", p.name)
    ]
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


def test_lens_histogram_on_the_time_field() -> None:
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
    assert histograms == [TIME_FIELD]
    visual_layers = lens["attributes"]["state"]["visualization"]["layers"]
    assert {v["layerId"] for v in visual_layers} == set(_lens_layers())
    for v in visual_layers:
        columns = _lens_layers()[v["layerId"]]["columns"]
        assert columns[v["xAccessor"]]["operationType"] == "date_histogram"
        assert all(a in columns for a in v["accessors"])


@pytest.mark.parametrize(
    "field", sorted(CONTROL_FIELDS) + SEARCH_COLUMNS + ["published_at", TIME_FIELD, "locations.point", *ALIAS_FIELDS]
)
def test_dashboard_fields_are_mapped(field: str) -> None:
    assert field in _fields()


def test_ndjson_is_one_object_per_line() -> None:
    text = NDJSON.read_text(encoding="utf-8")
    assert text.endswith("\n") and "\r" not in text
    for number, line in enumerate(text.splitlines(), 1):
        assert line.strip(), f"blank line {number}: Kibana's _import rejects it"
        json.loads(line)
