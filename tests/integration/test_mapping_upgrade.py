"""An index made by an older mapping, on the real node: an additive change is applied in place at the next run;
a conflicting or newer one stops the run with what to do, instead of refusing every document one by one."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from etl.document import STEMMED_BODY_FIELDS
from etl.errors import ConfigurationError
from etl.run.flow import run
from etl.settings import Settings
from etl.store.indices import ensure_index, load_mapping, mapping_version, refresh
from tests.paths import SEED_ARTICLE

pytestmark = pytest.mark.integration


def _version_one() -> dict[str, Any]:
    """Mapping v1 as shipped before per-language body fields: five stemmed sub-fields on every body."""
    body = copy.deepcopy(load_mapping())
    properties = body["mappings"]["properties"]
    for field_name in STEMMED_BODY_FIELDS.values():
        del properties[field_name]
    properties["body"]["fields"] = {
        name: {"type": "text", "analyzer": name} for name in ("english", "french", "german", "spanish", "arabic")
    }
    body["mappings"]["_meta"]["mapping_version"] = 1
    return body


def _aliased_index(es: Any, alias: str, body: dict[str, Any], version: int) -> str:
    name = f"{alias}-v{version}-20250101t000000000000"
    es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
    es.indices.update_aliases(actions=[{"add": {"index": name, "alias": alias, "is_write_index": True}}])
    return name


def test_an_additive_mapping_change_is_applied_in_place(settings: Settings, es: Any, tmp_path: Path) -> None:
    name = _aliased_index(es, settings.index_alias, _version_one(), 1)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / SEED_ARTICLE.name).write_bytes(SEED_ARTICLE.read_bytes())

    report = run([inbox], settings, client=es)

    assert report.indexed == 1 and not report.rejections, report.summary()
    mapping = es.indices.get_mapping(index=name)[name]["mappings"]
    assert mapping["_meta"]["mapping_version"] == mapping_version() == 3
    assert mapping["properties"]["body_en"]["analyzer"] == "english"
    refresh(es, settings.index_alias)
    # The English stemmer makes "boycotting" find "boycotts" in body_en; the folded body alone would not.
    stemmed = es.search(index=settings.index_alias, query={"match": {"body_en": "boycotting"}})
    folded = es.search(index=settings.index_alias, query={"match": {"body": "boycotting"}})
    assert stemmed["hits"]["total"]["value"] == 1
    assert folded["hits"]["total"]["value"] == 0


def test_a_conflicting_mapping_asks_for_a_reindex(settings: Settings, es: Any) -> None:
    body = _version_one()
    body["mappings"]["properties"]["body_en"] = {"type": "keyword"}  # a field the new mapping declares as text
    _aliased_index(es, settings.index_alias, body, 1)
    with pytest.raises(ConfigurationError, match="newsfacet reindex"):
        ensure_index(es, settings.index_alias)


def test_an_index_from_a_newer_pipeline_is_left_alone(settings: Settings, es: Any) -> None:
    body = copy.deepcopy(load_mapping())
    body["mappings"]["_meta"]["mapping_version"] = 99
    name = _aliased_index(es, settings.index_alias, body, 99)
    with pytest.raises(ConfigurationError, match="newer"):
        ensure_index(es, settings.index_alias)
    assert es.indices.get_mapping(index=name)[name]["mappings"]["_meta"]["mapping_version"] == 99
