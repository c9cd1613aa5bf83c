"""Bulk loading: documents into the articles index, small entries into the ledger indices.

Only a refusal about one document's content (a 400: a value the mapping cannot take) is that document's fate, to be
recorded as its rejection. Every other refusal (a cluster or index block, overload, a server error, missing
privileges) is about the cluster, not the file: it fails the whole batch (``TransientError`` so it is retried, or
``AccessDenied``), before anything is recorded in the ledger, so no file is ever marked handled by a fault that was
not its own.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from etl.errors import AccessDenied, NewsfacetError, TransientError
from etl.store.client import DENIED_STATUSES, RETRY_STATUSES, es_faults

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

DOCUMENT_FAULT_STATUS = 400
"""The one item status that is about the document itself (mapper / document parsing, an immense term)."""


@dataclass
class BulkOutcome:
    """What one bulk load did: ids written, and the documents Elasticsearch refused because of their content."""

    indexed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def item_fault(doc_id: str, status: int | None, error: dict[str, Any] | str | None) -> NewsfacetError | None:
    """The batch-level error a refused bulk item amounts to, or None when the refusal is the document's own."""
    if status == DOCUMENT_FAULT_STATUS:
        return None
    kind = error.get("type", "error") if isinstance(error, dict) else str(error)
    reason = error.get("reason", "") if isinstance(error, dict) else ""
    message = f"Elasticsearch refused document {doc_id} with {status} {kind}: {reason}"[:500]
    if status in DENIED_STATUSES and kind == "security_exception":
        return AccessDenied(message)
    if status in RETRY_STATUSES:
        return TransientError(message)
    return TransientError(f"{message} (a fault of the cluster, not of this file: the batch is retried)")


def bulk_upsert(
    client: Elasticsearch, alias: str, documents: Sequence[dict[str, Any]], chunk_size: int = 500, max_retries: int = 5
) -> BulkOutcome:
    """Index (replace by ``_id``) every document through one ``streaming_bulk`` call.

    429s are retried per chunk with exponential backoff by the helper; what still fails for a reason other than
    the document's content raises (see the module docstring); the retried batch rewrites the same ids.
    """
    from elasticsearch.helpers import streaming_bulk

    def actions() -> Iterator[dict[str, Any]]:
        for doc in documents:
            yield {"_op_type": "index", "_index": alias, "_id": doc["doc_id"], "_source": doc}

    outcome = BulkOutcome()
    with es_faults("bulk loading"):
        for ok, item in streaming_bulk(
            client,
            actions(),
            chunk_size=chunk_size,
            max_retries=max_retries,
            initial_backoff=1,
            max_backoff=30,
            raise_on_error=False,
            raise_on_exception=True,
        ):
            info = item.get("index", {})
            doc_id = str(info.get("_id"))
            if ok:
                outcome.indexed.append(doc_id)
                continue
            error = info.get("error", {})
            fault = item_fault(doc_id, info.get("status"), error)
            if fault is not None:
                raise fault
            outcome.failed[doc_id] = f"{error.get('type', 'error')}: {error.get('reason', '')}"[:500]
    return outcome


class BackgroundBulk:
    """Bulk-loads chunks of documents on a thread while the caller enriches the next chunk.

    Why: a batch that loads all its documents at its end waits, with a core idle, while Elasticsearch indexes them;
    loaded chunk by chunk beside the enrichment, the node indexes while spaCy works and the batch waits only for its
    last chunk. Each chunk is one ``bulk_upsert`` (429s retried with backoff there). One chunk is in flight and at most
    ``depth`` wait (``submit`` blocks beyond: memory stays bounded when the node is slower than the enrichment).

    A fault while loading (``TransientError``, ``AccessDenied``: never one document's own refusal, which is counted
    in the outcome) stops the loading of later chunks and is raised to the caller by its next ``submit`` or by
    ``finish``, before the caller records anything, as a load at the end did. Leaving the ``with`` block on an
    error stops the thread without loading what still waits.
    """

    def __init__(self, client: Elasticsearch, alias: str, max_retries: int = 5, depth: int = 2) -> None:
        self._client, self._alias, self._max_retries = client, alias, max_retries
        self._chunks: queue.Queue[list[dict[str, Any]] | None] = queue.Queue(maxsize=depth)
        self._outcome = BulkOutcome()
        self._fault: BaseException | None = None
        self._stopping = False
        self._thread = threading.Thread(target=self._load, name=f"bulk-{alias}", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._fault is not None or self._stopping:
                continue  # drain: the batch fails (or stops) anyway; a later chunk must not land after a fault
            try:
                outcome = bulk_upsert(self._client, self._alias, chunk, max_retries=self._max_retries)
            except BaseException as exc:  # handed to the caller's thread, which raises it
                self._fault = exc
                continue
            self._outcome.indexed.extend(outcome.indexed)
            self._outcome.failed.update(outcome.failed)

    def _raise_fault(self) -> None:
        if self._fault is not None:
            raise self._fault

    def submit(self, documents: Sequence[dict[str, Any]]) -> None:
        """Queue a chunk for loading; raises the fault of an earlier chunk, if one failed."""
        self._raise_fault()
        if documents:
            self._chunks.put(list(documents))

    def finish(self) -> BulkOutcome:
        """Wait for every queued chunk; the documents written and those refused for their content."""
        self._chunks.put(None)
        self._thread.join()
        self._raise_fault()
        return self._outcome

    def __enter__(self) -> BackgroundBulk:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._thread.is_alive():  # left on an error before ``finish``: stop without loading what waits
            self._stopping = True
            self._chunks.put(None)
            self._thread.join()


def bulk_upsert_raw(client: Elasticsearch, index: str, items: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Index (id, source) pairs; any failure raises (used for the ledger, where a gap would hide work).

    ``raise_on_error=False``: with the helper's default (True) a document answered 429 raised ``BulkIndexError`` at
    once instead of being retried with backoff. Entries still refused after the retries raise: the batch-level
    error of the first refusal, or ``BulkIndexError`` when an entry's content was refused.
    """
    from elasticsearch.helpers import BulkIndexError, bulk

    if not items:
        return
    with es_faults(f"writing '{index}'"):
        _, errors = bulk(
            client,
            ({"_op_type": "index", "_index": index, "_id": i, "_source": s} for i, s in items),
            max_retries=5,
            initial_backoff=1,
            max_backoff=30,
            raise_on_error=False,
        )
    if isinstance(errors, list) and errors:
        first = next(iter(errors[0].values()))
        fault = item_fault(str(first.get("_id")), first.get("status"), first.get("error"))
        if fault is not None:
            raise fault
        raise BulkIndexError(
            f"{len(errors)} of {len(items)} entries not written to '{index}', e.g. {errors[0]}"[:1000], errors
        )
