"""The articles index's lifecycle: the shipped mapping, versioned indices behind the alias, in-place upgrades.

The alias (``articles``) points at the current versioned index (``articles-v2-20261127t180000``); ``reindex``
builds a new one and swaps the alias atomically. ``ensure_index`` is safe at every run: it creates the first
versioned index, or brings an existing one up to the shipped mapping when the change only adds fields.
The mapping is package data (``etl/mappings`` in an installed wheel, ``mappings/`` in a source checkout).
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.errors import ConfigurationError, MappingConflict
from etl.store.client import es_faults
from etl.store.ledger import ensure_ledger

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)
MAPPING_FILE = "articles.json"
SOURCE_MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
"""``mappings/`` of a source checkout; a wheel carries the same files as the package ``etl.mappings``."""


def mapping_text(name: str = MAPPING_FILE) -> str:
    """A shipped mapping file's text, from the installed package or the source checkout."""
    try:
        return resources.files("etl.mappings").joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return (SOURCE_MAPPINGS / name).read_text(encoding="utf-8")


def load_mapping(text: str | None = None) -> dict[str, Any]:
    """The index body (settings + mappings) as shipped."""
    body: dict[str, Any] = json.loads(text if text is not None else mapping_text())
    body.pop("_comment", None)
    return body


def mapping_version(body: dict[str, Any] | None = None) -> int:
    """The version number recorded in the mapping's ``_meta``; bump it when the mapping changes."""
    meta = (body or load_mapping())["mappings"]["_meta"]
    return int(meta["mapping_version"])


def _analysis_fallbacks(client: Elasticsearch, body: dict[str, Any]) -> list[str]:
    """Names the mapping needs that this cluster lacks (the Maven test node without the analysis plugin)."""
    from elasticsearch import BadRequestError

    missing: list[str] = []
    meta = body["mappings"]["_meta"]
    for name in meta.get("analyzers_required", []):
        try:
            client.indices.analyze(analyzer=name, text="newsfacet")
        except BadRequestError:
            missing.append(name)
    for name in meta.get("filters_required", []):
        try:
            client.indices.analyze(tokenizer="standard", filter=[name], text="newsfacet")
        except BadRequestError:
            missing.append(name)
    return missing


def _replace_analysis(node: Any, missing: set[str]) -> Any:
    """Swap missing analyzers for ``standard`` and drop missing filters, everywhere in the body."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("analyzer", "search_analyzer") and isinstance(value, str) and value in missing:
                out[key] = "standard"
            elif key == "filter" and isinstance(value, list):
                out[key] = [f for f in value if f not in missing]
            else:
                out[key] = _replace_analysis(value, missing)
        return out
    if isinstance(node, list):
        return [_replace_analysis(item, missing) for item in node]
    return node


def _mapping_for(client: Elasticsearch) -> tuple[dict[str, Any], list[str]]:
    """The shipped mapping as this cluster can take it: analysis it lacks replaced by ``standard`` and recorded in
    ``_meta.analysis_fallback``; also returns what was replaced."""
    body = load_mapping()
    missing = _analysis_fallbacks(client, body)
    if missing:
        body = _replace_analysis(copy.deepcopy(body), set(missing))
        body["mappings"]["_meta"]["analysis_fallback"] = missing
    return body, missing


def new_index_name(alias: str, body: dict[str, Any] | None = None, now: datetime | None = None) -> str:
    """``<alias>-v<mapping version>-<UTC timestamp>``: sortable, and says which mapping made it."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dt%H%M%S%f")
    return f"{alias}-v{mapping_version(body)}-{stamp}"


def create_index(
    client: Elasticsearch, name: str, *, allow_fallback: bool = True, replicas: int | None = None
) -> list[str]:
    """Create a versioned index from the shipped mapping; returns the analysis names replaced by ``standard``.

    A cluster missing language analyzers gets an explicit fallback, recorded in the index's ``_meta`` and
    logged as a warning: never silently.
    """
    body, missing = _mapping_for(client)
    if missing:
        if not allow_fallback:
            raise ConfigurationError(f"cluster lacks analysis components the mapping needs: {missing}")
        log.warning("cluster lacks %s: falling back to the standard analyzer (recorded in _meta)", missing)
    if replicas is not None:
        body["settings"]["number_of_replicas"] = replicas
    client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
    return missing


def ensure_index(client: Elasticsearch, alias: str, replicas: int = 0) -> str:
    """The index behind ``alias``, creating the first versioned index if there is none (safe at every run)."""
    with es_faults(f"preparing '{alias}'"):
        if client.indices.exists_alias(name=alias):
            indices = client.indices.get_alias(name=alias)
            name = str(sorted(indices.body)[-1])
            upgrade_mapping(client, name)
            return name
        if client.indices.exists(index=alias):
            raise ConfigurationError(f"'{alias}' is a concrete index, not an alias; rename or delete it")
        name = new_index_name(alias)
        create_index(client, name, replicas=replicas)
        client.indices.update_aliases(actions=[{"add": {"index": name, "alias": alias, "is_write_index": True}}])
        ensure_ledger(client, alias, replicas)
        return name


def upgrade_mapping(client: Elasticsearch, name: str) -> None:
    """Bring an index made by an older mapping up to the shipped one when the change only adds fields (new
    documents would otherwise be refused by the strict mapping); anything else needs ``newsfacet reindex``.

    Documents indexed before the upgrade lack the new fields until a reindex rebuilds them from the archive.
    """
    from elasticsearch import BadRequestError

    meta = client.indices.get_mapping(index=name)[name]["mappings"].get("_meta", {})
    have, want = int(meta.get("mapping_version", 0)), mapping_version()
    if have == want:
        return
    if have > want:
        raise MappingConflict(
            f"index {name} has mapping v{have}, newer than this pipeline's v{want}: upgrade "
            "newsfacet, or point NEWSFACET_INDEX elsewhere"
        )
    body, _ = _mapping_for(client)
    try:
        client.indices.put_mapping(
            index=name, properties=body["mappings"]["properties"], meta=body["mappings"]["_meta"]
        )
    except BadRequestError as exc:
        raise MappingConflict(
            f"index {name} (mapping v{have}) cannot take mapping v{want} in place: "
            f"{exc.message}; run `newsfacet reindex` to rebuild it"
        ) from exc
    log.warning(
        "index %s upgraded in place from mapping v%d to v%d; documents indexed before keep the old "
        "fields until `newsfacet reindex`",
        name,
        have,
        want,
    )


def index_uuid(client: Elasticsearch, name: str) -> str:
    """The index's uuid: a deleted and recreated index of the same name gets a new one."""
    settings = client.indices.get_settings(index=name, name="index.uuid")
    return str(settings[name]["settings"]["index"]["uuid"])


def refresh(client: Elasticsearch, alias: str) -> None:
    """Make what was just written searchable (tests, the demo, and the data-quality check need it)."""
    client.indices.refresh(index=alias)
