"""The Elasticsearch client, and the one policy that says which of its faults a retry can fix.

Statuses in ``RETRY_STATUSES`` (overload, gateway and server errors) and transport faults (connection refused or
reset, timeouts) are transient: the client retries them with backoff, and what outlives those retries becomes
``TransientError`` so Airflow retries the task. 401 and 403 are permanent (``AccessDenied``): credentials to fix,
not minutes to wait. Any other refusal is about the request itself and surfaces as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from etl.errors import AccessDenied, NewsfacetError, PermanentError, TransientError
from etl.settings import Settings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Answers where the same request can succeed later: the client, bulk items and the tasks all retry these."""
DENIED_STATUSES = frozenset({401, 403})
"""Credentials refused or short of a privilege: no retry helps."""


def connect(settings: Settings) -> Elasticsearch:
    """A client that retries ``RETRY_STATUSES`` and timeouts with backoff, configured only from settings."""
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
        retry_on_status=tuple(sorted(RETRY_STATUSES)),
        serializer=json_serializer(),
        **auth,
    )


def json_serializer() -> Any:
    """The client's JSON: orjson (a 24 KB document in 0.02 ms instead of the standard library's 0.2 ms, the same
    bytes), and the standard library for what orjson refuses, so no document is lost to the choice: a lone surrogate
    (a file name kept from undecodable bytes) goes out as the standard library always sent it."""
    from elasticsearch.serializer import JsonSerializer, OrjsonSerializer

    class FastJsonSerializer(OrjsonSerializer):
        def json_dumps(self, data: Any) -> bytes:
            try:
                return super().json_dumps(data)
            except TypeError:  # orjson.JSONEncodeError: a lone surrogate, an integer past 64 bits...
                return JsonSerializer.json_dumps(self, data)

    return FastJsonSerializer()


def classify(exc: BaseException, doing: str) -> NewsfacetError | None:
    """The newsfacet error an Elasticsearch fault amounts to (``TransientError`` / ``AccessDenied``), or None when
    it is about the request itself (a bad query, a refused document) and is left to the caller."""
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    if isinstance(exc, NewsfacetError):
        return exc
    if isinstance(exc, TransportError):  # connection refused / reset, timeouts, TLS handshakes
        return TransientError(f"Elasticsearch unavailable while {doing}: {exc}")
    if isinstance(exc, ApiError):
        status = exc.meta.status
        if status in RETRY_STATUSES:
            return TransientError(f"Elasticsearch unavailable while {doing}: {exc}")
        if status in DENIED_STATUSES:
            return AccessDenied(
                f"Elasticsearch refused access ({status}) while {doing}: check ELASTICSEARCH_API_KEY "
                f"or ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD and the user's role"
            )
    return None


def is_permanent(exc: BaseException) -> bool:
    """True when no retry can fix ``exc``: Airflow then fails the task at once."""
    fault = classify(exc, "running a task")
    return isinstance(fault, PermanentError)


@contextmanager
def es_faults(doing: str) -> Iterator[None]:
    """Raise Elasticsearch faults as the newsfacet errors ``classify`` names; others pass through unchanged."""
    try:
        yield
    except NewsfacetError:
        raise
    except Exception as exc:
        fault = classify(exc, doing)
        if fault is not None:
            raise fault from exc
        raise
