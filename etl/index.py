"""Index stage: enriched articles -> documents -> a versioned Elasticsearch index behind an alias.

Safe to re-run by design: every document's ``_id`` is the article's stable id and bulk ``index`` operations replace
it, so a rerun after a crash overwrites instead of duplicating. The alias (``articles``) points at the current
versioned index (``articles-v2-20261127t180000``); ``reindex`` builds a new one and swaps the alias atomically.
Transport faults (node down, timeouts, 429 after the client's own backoff) raise ``TransientError`` so Airflow
retries the task; a document Elasticsearch refuses (mapping conflict) is reported on its own, not the batch.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.errors import ConfigurationError, TransientError
from etl.records import EnrichedArticle
from etl.settings import PIPELINE_VERSION, PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)
MAPPING_PATH = PROJECT_ROOT / "mappings" / "articles.json"
LEDGER_SUFFIX = "-ledger"
ACTOR_TYPES = ("person", "organization", "armed_group", "media")
STEMMED_BODY_FIELDS = {"en": "body_en", "fr": "body_fr", "de": "body_de", "es": "body_es", "ar": "body_ar"}
"""Language code -> the field holding the body again under that language's stemming analyzer (mapping v2)."""


def load_mapping(path: Path = MAPPING_PATH) -> dict[str, Any]:
    """The index body (settings + mappings) as shipped in ``mappings/``."""
    body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    body.pop("_comment", None)
    return body


def mapping_version(body: dict[str, Any] | None = None) -> int:
    """The version number recorded in the mapping's ``_meta``; bump it when the mapping changes."""
    meta = (body or load_mapping())["mappings"]["_meta"]
    return int(meta["mapping_version"])


def connect(settings: Settings) -> Elasticsearch:
    """A client that retries 429 / 5xx / timeouts with backoff, configured only from settings."""
    from elasticsearch import Elasticsearch

    auth: dict[str, Any] = {}
    if settings.elasticsearch_api_key:
        auth["api_key"] = settings.elasticsearch_api_key
    elif settings.elasticsearch_username:
        auth["basic_auth"] = (settings.elasticsearch_username, settings.elasticsearch_password or "")
    if settings.elasticsearch_ca_certs:
        auth["ca_certs"] = settings.elasticsearch_ca_certs
    return Elasticsearch(
        settings.elasticsearch_url,
        request_timeout=settings.request_timeout,
        max_retries=settings.max_retries,
        retry_on_timeout=True,
        retry_on_status=(429, 502, 503, 504),
        **auth,
    )


def is_transient(exc: BaseException) -> bool:
    """True for faults where trying again later can help: no connection, timeouts, 429 and 5xx answers."""
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    if isinstance(exc, TransportError):  # connection refused / reset, timeouts, TLS handshakes
        return True
    return isinstance(exc, ApiError) and exc.meta.status in (429, 500, 502, 503, 504)


def is_permanent(exc: BaseException) -> bool:
    """True for faults no retry can fix: a setting or mapping to correct, credentials refused (401) or short of a
    privilege (403). Airflow fails such a task at once instead of retrying it for minutes."""
    from elasticsearch import ApiError

    if isinstance(exc, ConfigurationError):
        return True
    return isinstance(exc, ApiError) and exc.meta.status in (401, 403)


@contextmanager
def transient_faults(doing: str) -> Iterator[None]:
    """Turn a node down, slow or refusing (429 / 5xx) into ``TransientError``, which Airflow retries; the rest
    (bad requests, configuration) goes through unchanged."""
    try:
        yield
    except TransientError:
        raise
    except Exception as exc:
        if is_transient(exc):
            raise TransientError(f"Elasticsearch unavailable while {doing}: {exc}") from exc
        raise


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


def create_index(client: Elasticsearch, name: str, *, allow_fallback: bool = True, replicas: int | None = None
                 ) -> list[str]:
    """Create a versioned index from ``mappings/``; returns the analysis names replaced by ``standard``.

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
    with transient_faults(f"preparing '{alias}'"):
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
        raise ConfigurationError(f"index {name} has mapping v{have}, newer than this pipeline's v{want}: upgrade "
                                 "newsfacet, or point NEWSFACET_INDEX elsewhere")  # fmt: skip
    body, _ = _mapping_for(client)
    try:
        client.indices.put_mapping(index=name, properties=body["mappings"]["properties"],
                                   meta=body["mappings"]["_meta"])  # fmt: skip
    except BadRequestError as exc:
        raise ConfigurationError(f"index {name} (mapping v{have}) cannot take mapping v{want} in place: "
                                 f"{exc.message}; run `newsfacet reindex` to rebuild it") from exc  # fmt: skip
    log.warning("index %s upgraded in place from mapping v%d to v%d; documents indexed before keep the old "
                "fields until `newsfacet reindex`", name, have, want)  # fmt: skip


def index_uuid(client: Elasticsearch, name: str) -> str:
    """The index's uuid: a deleted and recreated index of the same name gets a new one."""
    settings = client.indices.get_settings(index=name, name="index.uuid")
    return str(settings[name]["settings"]["index"]["uuid"])


def ensure_ledger(client: Elasticsearch, alias: str, replicas: int = 0) -> str:
    """The ledger index: one entry per input content hash, so reruns skip what was already handled."""
    name = alias + LEDGER_SUFFIX
    if not client.indices.exists(index=name):
        from elasticsearch import BadRequestError

        try:
            client.indices.create(
                index=name,
                settings={"number_of_shards": 1, "number_of_replicas": replicas},
                mappings={
                    "dynamic": "strict",
                    "properties": {
                        "content_sha256": {"type": "keyword"},
                        "source_file": {"type": "keyword"},
                        "outcome": {"type": "keyword"},
                        "reason": {"type": "keyword"},
                        "detail": {"type": "text"},
                        "doc_id": {"type": "keyword"},
                        "run_id": {"type": "keyword"},
                        "at": {"type": "date"},
                    },
                },
            )
        except BadRequestError as exc:  # created meanwhile by a concurrent task
            if "resource_already_exists" not in str(exc):
                raise
    return name


def ensure_stat_cache(client: Elasticsearch, alias: str, replicas: int = 0) -> str:
    """File size + mtime -> ledger entry: lets a rerun skip hashing files that did not change on disk."""
    name = alias + LEDGER_SUFFIX + "-stat"
    if not client.indices.exists(index=name):
        from elasticsearch import BadRequestError

        try:
            client.indices.create(
                index=name,
                settings={"number_of_shards": 1, "number_of_replicas": replicas},
                mappings={"dynamic": "strict", "properties": {"ledger_id": {"type": "keyword"}}},
            )
        except BadRequestError as exc:  # created meanwhile by a concurrent task
            if "resource_already_exists" not in str(exc):
                raise
    return name


def to_document(enriched: EnrichedArticle, *, kb_version: str = "", gazetteer_version: str = "",
                ingested_at: str | None = None) -> dict[str, Any]:
    """The indexed document: canonical facet values, full text, nested entities and quotes, provenance."""
    article = enriched.article
    by_type: dict[str, list[str]] = {}
    for entity in enriched.entities:
        by_type.setdefault(entity.type, [])
        if entity.name not in by_type[entity.type]:
            by_type[entity.type].append(entity.name)
    actors = [e.name for e in enriched.entities if e.type in ACTOR_TYPES]
    locations = [loc for loc in enriched.locations]
    # continents are context, not a place users facet on; countries and regions have facets of their own
    places = _unique(loc.name for loc in locations if loc.feature not in ("country", "region", "continent"))
    stemmed = STEMMED_BODY_FIELDS.get(enriched.language.code)  # no stemmer for this language: folded body only
    return {
        "doc_id": article.doc_id,
        "title": article.title,
        "body": article.body,
        **({stemmed: article.body} if stemmed else {}),
        "headings": list(article.headings),
        "captions": list(article.captions),
        "credits": list(article.credits),
        "byline": article.byline,
        "source": article.source,
        "url": article.url,
        "published_at": article.published_at,
        "language": enriched.language.code,
        "language_confidence": enriched.language.confidence,
        "word_count": len(article.body.split()),
        "actors": _unique(actors),
        "actors_folded": _unique(actors),
        "persons": by_type.get("person", []),
        "organizations": _unique(by_type.get("organization", []) + by_type.get("media", [])),
        "armed_groups": by_type.get("armed_group", []),
        "places": places,
        "districts": _unique(loc.district for loc in locations if loc.district),
        "regions": _unique(loc.region for loc in locations if loc.region),
        "countries": _unique(loc.country for loc in locations if loc.country),
        "locations": [
            {
                "name": loc.name,
                "feature": loc.feature,
                "country": loc.country,
                "country_code": loc.country_code,
                "district": loc.district,
                "region": loc.region,
                "geonameid": loc.geonameid,
                "mentions": list(loc.mentions),
                **({"point": {"lat": loc.lat, "lon": loc.lon}} if loc.lat is not None and loc.lon is not None else {}),
            }
            for loc in locations
        ],
        "entities": [
            {
                "name": e.name,
                "type": e.type,
                "kb_id": e.kb_id,
                "wikidata": e.wikidata,
                "mentions": _unique(m.text for m in e.mentions),
                "count": len(e.mentions),
            }
            for e in enriched.entities
        ],
        "quotes": [{"speaker": q.speaker, "speaker_kb_id": q.speaker_kb_id, "text": q.text} for q in enriched.quotes],
        "source_file": article.source_file,
        "content_sha256": article.content_sha256,
        "pipeline_version": PIPELINE_VERSION,
        "kb_version": kb_version,
        "gazetteer_version": gazetteer_version,
        "ingested_at": ingested_at or datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _unique(values: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


@dataclass
class BulkOutcome:
    """What one bulk load did: ids written, and the documents Elasticsearch refused with its reason."""

    indexed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def bulk_upsert(client: Elasticsearch, alias: str, documents: Sequence[dict[str, Any]],
                chunk_size: int = 500, max_retries: int = 5) -> BulkOutcome:
    """Index (replace by ``_id``) every document through one ``streaming_bulk`` call.

    429s are retried per chunk with exponential backoff by the helper; a transport fault raises
    ``TransientError`` (the batch is then retried whole, which is safe: same ids).
    """
    from elasticsearch.helpers import streaming_bulk

    def actions() -> Iterator[dict[str, Any]]:
        for doc in documents:
            yield {"_op_type": "index", "_index": alias, "_id": doc["doc_id"], "_source": doc}

    outcome = BulkOutcome()
    with transient_faults("bulk loading"):
        for ok, item in streaming_bulk(client, actions(), chunk_size=chunk_size, max_retries=max_retries,
                                       initial_backoff=1, max_backoff=30, raise_on_error=False,
                                       raise_on_exception=True):
            info = item.get("index", {})
            doc_id = str(info.get("_id"))
            if ok:
                outcome.indexed.append(doc_id)
            elif info.get("status") in (429, 502, 503, 504):
                raise TransientError(f"Elasticsearch kept refusing document {doc_id}: {info.get('status')}")
            else:
                error = info.get("error", {})
                outcome.failed[doc_id] = f"{error.get('type', 'error')}: {error.get('reason', '')}"[:500]
    return outcome


def refresh(client: Elasticsearch, alias: str) -> None:
    """Make what was just written searchable (tests, the demo, and the data-quality check need it)."""
    client.indices.refresh(index=alias)


def bulk_upsert_raw(client: Elasticsearch, index: str, items: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Index (id, source) pairs; any failure raises (used for the ledger, where a gap would hide work).

    ``raise_on_error=False``: with the helper's default (True) a document answered 429 raised ``BulkIndexError`` at
    once instead of being retried with backoff. Documents still refused after the retries raise: ``TransientError``
    when they were all overload answers, ``BulkIndexError`` otherwise.
    """
    from elasticsearch.helpers import BulkIndexError, bulk

    if not items:
        return
    with transient_faults(f"writing '{index}'"):
        _, errors = bulk(client, ({"_op_type": "index", "_index": index, "_id": i, "_source": s} for i, s in items),
                         max_retries=5, initial_backoff=1, max_backoff=30, raise_on_error=False)
    if isinstance(errors, list) and errors:
        message = f"{len(errors)} of {len(items)} entries not written to '{index}', e.g. {errors[0]}"[:1000]
        if all(next(iter(e.values())).get("status") in (429, 502, 503, 504) for e in errors):
            raise TransientError(message)
        raise BulkIndexError(message, errors)
