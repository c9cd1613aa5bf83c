"""The batch's background loader (``etl.store.bulk.BackgroundBulk``) against the real node: chunks load while the
caller goes on, a document refused for its content is that document's fate only, a cluster fault is the caller's."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from etl.errors import TransientError
from etl.settings import Settings
from etl.store.bulk import BackgroundBulk
from etl.store.indices import ensure_index


def _doc(doc_id: str, **fields: Any) -> dict[str, Any]:
    return {"doc_id": doc_id, "title": f"Clashes near Sabha ({doc_id})", **fields}


def test_chunks_load_and_a_refused_document_is_only_its_own_fate(settings: Settings, es: Any) -> None:
    alias = settings.index_alias
    ensure_index(es, alias)
    with BackgroundBulk(es, alias, max_retries=0) as loader:
        loader.submit([_doc("a"), _doc("bad", word_count="many words")])  # the mapping takes an integer there
        loader.submit([])
        loader.submit([_doc("b"), _doc("c")])
        outcome = loader.finish()
    assert sorted(outcome.indexed) == ["a", "b", "c"]
    assert list(outcome.failed) == ["bad"] and "parsing" in outcome.failed["bad"], outcome.failed
    es.indices.refresh(index=alias)
    assert es.count(index=alias)["count"] == 3


def test_a_cluster_fault_is_raised_to_the_caller_not_counted_as_documents(settings: Settings, es: Any) -> None:
    alias = settings.index_alias
    index = ensure_index(es, alias)
    es.indices.put_settings(index=index, settings={"index.blocks.write": True})
    try:
        loader = BackgroundBulk(es, alias, max_retries=0)
        with loader, pytest.raises(TransientError, match="cluster_block_exception"):
            loader.submit([_doc("a"), _doc("b")])
            loader.submit([_doc("c")])
            loader.finish()
        with pytest.raises(TransientError, match="cluster_block_exception"):
            loader.submit([_doc("d")])  # the fault stays the loader's answer: nothing more is taken
    finally:
        es.indices.put_settings(index=index, settings={"index.blocks.write": None})
    es.indices.refresh(index=alias)
    assert es.count(index=alias)["count"] == 0


def test_leaving_on_the_callers_error_stops_the_loader(settings: Settings, es: Any) -> None:
    """An enrichment error leaves the ``with`` block: the thread ends (no loader left behind in a worker process)."""
    alias = settings.index_alias
    ensure_index(es, alias)
    with pytest.raises(RuntimeError, match="enrichment broke"), BackgroundBulk(es, alias) as loader:
        loader.submit([_doc("a")])
        loader.submit([_doc("b")])
        raise RuntimeError("enrichment broke")
    assert not [t for t in threading.enumerate() if t.name == f"bulk-{alias}"]
