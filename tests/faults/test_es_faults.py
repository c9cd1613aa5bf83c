"""Elasticsearch misbehaving under the pipeline: 429s and slow answers, a node killed mid-load, a refused document.

Why real faults and not mocks: the guarantees (no duplicates, no gaps, retry is safe) live in the interplay of the
client's retries, the bulk helper's backoff, stable ids and the ledger; only a real node (and a real SIGKILL)
exercises all of them. The 429 proxy sits in front of the shared node; the kill test uses its own node on port
9221 with its own data directory, stopped and removed in teardown.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import elasticsearch.helpers
import pytest

import etl.run.batch
import etl.store.indices
from devtools import esnode
from etl.errors import IncompleteRun, TransientError
from etl.extract import stable_id
from etl.run.batch import process_batch
from etl.run.flow import run
from etl.run.planning import list_inbox
from etl.run.report import RunReport
from etl.settings import Settings
from tests.badinput.corpus import SEED_CP1252, SEED_EN, SEED_FR, article_variant

pytestmark = pytest.mark.integration

FAULT_NODE_PORT = 9221
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "host",
    "accept-encoding",
    "proxy-connection",
    "te",
    "upgrade",
}


# --------------------------------------------------------------------------- helpers


def _write_articles(folder: Path, count: int, sentences: int = 4) -> dict[str, str]:
    """``count`` small distinct articles (three seeds, two languages); returns file -> expected document id."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = (SEED_EN, SEED_FR, SEED_CP1252)
    expected: dict[str, str] = {}
    for number in range(count):
        text = article_variant(1000 + number, seeds[number % len(seeds)], sentences=sentences)
        path = folder / f"article-{number:04d}.txt"
        path.write_text(text, encoding="utf-8")
        expected[str(path)] = stable_id(text)
    assert len(set(expected.values())) == count, "variants must be distinct articles"
    return expected


def _settings_for(base: Settings, url: str, **env: str) -> Settings:
    return Settings.from_env(
        {
            **os.environ,
            "ELASTICSEARCH_URL": url,
            "NEWSFACET_INDEX": base.index_alias,
            "NEWSFACET_DATA_DIR": str(base.data_dir),
            **env,
        }
    )


def _ids_in(es: Any, alias: str) -> list[str]:
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=10_000, source=False, query={"match_all": {}})["hits"]["hits"]
    return [h["_id"] for h in hits]


# --------------------------------------------------------------------------- (a) 429s and slow answers


class FaultProxy:
    """Forwards to Elasticsearch, but answers 429 to the first bulk requests, 429s one bulk item, delays others.

    The counters say what was actually served, so the test can prove the faults happened.
    """

    def __init__(
        self,
        upstream: str,
        *,
        reject_bulks: int = 3,
        item_429_on_bulks: tuple[int, ...] = (4, 5),
        stall_bulk: int = 7,
        stall_seconds: float = 0.0,
        delay_every: int = 5,
        delay: float = 0.3,
    ) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 9200
        self.reject_bulks, self.item_429_on_bulks = reject_bulks, item_429_on_bulks
        self.stall_bulk, self.stall_seconds = stall_bulk, stall_seconds
        self.delay_every, self.delay = delay_every, delay
        self.lock = threading.Lock()
        self.requests = self.bulks = self.served_429 = self.items_429 = self.delayed = self.stalled = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                proxy.handle(self)

            do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the client gave up on a stalled answer: a broken pipe here is the point

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else None
        is_bulk = request.command in ("POST", "PUT") and urlsplit(request.path).path.endswith("/_bulk")
        with self.lock:
            self.requests += 1
            number = self.requests
            bulk_number = 0
            if is_bulk:
                self.bulks += 1
                bulk_number = self.bulks
            if is_bulk and bulk_number <= self.reject_bulks:
                self.served_429 += 1
                reject = True
            else:
                reject = False
        if reject:
            error = {
                "error": {"type": "es_rejected_execution_exception", "reason": "proxy: write queue full"},
                "status": 429,
            }
            self._reply(request, 429, [("Content-Type", "application/json")], json.dumps(error).encode())
            return
        upstream = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        upstream.request(request.command, request.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        upstream.close()
        out_headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
        if request.command == "HEAD":
            out_headers.append(("Content-Length", response.getheader("Content-Length") or "0"))
        if bulk_number in self.item_429_on_bulks and response.status == 200:
            data = self._item_429(data)
        if bulk_number == self.stall_bulk and self.stall_seconds:
            with self.lock:
                self.stalled += 1
            time.sleep(self.stall_seconds)  # longer than the client's timeout: it retries the (applied) bulk
        elif number % self.delay_every == 0:
            with self.lock:
                self.delayed += 1
            time.sleep(self.delay)
        self._reply(request, response.status, out_headers, data)

    def _item_429(self, data: bytes) -> bytes:
        """Mark the first item of a bulk answer as refused (what a full write queue does to single items)."""
        answer = json.loads(data)
        first = answer["items"][0]
        op = next(iter(first))
        first[op].update(status=429, error={"type": "es_rejected_execution_exception", "reason": "proxy"})
        first[op].pop("result", None)
        answer["errors"] = True
        with self.lock:
            self.items_429 += 1
        return json.dumps(answer).encode()

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
        request.send_response(status)
        for key, value in headers:
            request.send_header(key, value)
        if request.command != "HEAD":
            request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(data)


def test_429s_and_slow_answers_still_index_everything_once(settings: Settings, es: Any, tmp_path: Path) -> None:
    expected = _write_articles(tmp_path / "inbox", 20)
    with FaultProxy(
        settings.elasticsearch_url, reject_bulks=3, item_429_on_bulks=(4, 5), stall_bulk=7, stall_seconds=4.0
    ) as proxy:
        slow = _settings_for(settings, proxy.url, NEWSFACET_BATCH_SIZE="5", NEWSFACET_ES_TIMEOUT="3")
        from etl.store.client import connect

        report = run([tmp_path / "inbox"], slow, client=connect(slow))
    served = {k: v for k, v in vars(proxy).items() if isinstance(v, int)}
    assert proxy.served_429 == 3 and proxy.items_429 == 2 and proxy.stalled == 1 and proxy.delayed >= 1, served
    assert report.indexed == 20 and report.rejected_total == 0, report.summary()
    ids = _ids_in(es, settings.index_alias)
    assert sorted(ids) == sorted(expected.values())  # every article, each once
    es.indices.refresh(index=settings.index_alias + "-ledger")  # run() refreshes the articles, not the ledger
    assert es.count(index=settings.index_alias + "-ledger")["count"] == 20


# --------------------------------------------------------------------------- (b) the node killed mid-load


def _kill(cfg: esnode.NodeConfig) -> None:
    """SIGKILL our node (pid file checked against /proc, as esnode does) and wait until the port refuses."""
    pid = int(cfg.pid_file.read_text().strip())
    assert b"org.elasticsearch" in Path(f"/proc/{pid}/cmdline").read_bytes(), "pid file does not name our node"
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", cfg.http_port)) != 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"node on {cfg.url} still answers after SIGKILL")


@pytest.fixture(scope="module")
def fault_node() -> Iterator[esnode.NodeConfig]:
    """A node of our own on 9221 (own cluster name, so own data dir and pid file); stopped and wiped afterwards."""
    cfg = esnode.NodeConfig(http_port=FAULT_NODE_PORT, cluster_name=f"nf-faults-{FAULT_NODE_PORT}")
    if not esnode.status(cfg).running:
        shutil.rmtree(cfg.data_dir, ignore_errors=True)
    esnode.start(cfg)
    yield cfg
    esnode.stop(cfg)
    shutil.rmtree(cfg.data_dir, ignore_errors=True)


def test_node_killed_three_times_mid_batch_retry_leaves_no_gaps_no_duplicates(
    fault_node: esnode.NodeConfig, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = fault_node
    expected = _write_articles(tmp_path / "inbox", 300)
    files = list_inbox([tmp_path / "inbox"])
    node = _settings_for(
        settings,
        cfg.url,
        NEWSFACET_ES_TIMEOUT="10",
        NEWSFACET_ES_RETRIES="1",
        NEWSFACET_INDEX=f"nf-fault-{uuid.uuid4().hex[:8]}",
    )
    alias, ledger = node.index_alias, node.index_alias + "-ledger"

    def attempt(number: int) -> Any:
        """What Airflow does on a retry: a fresh process (client) runs the same batch under the same run id."""
        from etl.store.client import connect

        return process_batch(files, node, "airflow-run-1", connect(node))

    def count(index: str) -> int:
        from etl.store.client import connect

        client = connect(node)
        client.indices.refresh(index=index)
        return int(client.count(index=index)["count"])

    # 1. Killed right after the index was created: the batch's first read fails.
    original_ensure = etl.run.batch.ensure_index

    def ensure_then_kill(client: Any, name: str, replicas: int = 0) -> str:
        result = original_ensure(client, name, replicas)
        _kill(cfg)
        return result

    with monkeypatch.context() as m:
        m.setattr(etl.run.batch, "ensure_index", ensure_then_kill)
        with pytest.raises(TransientError):
            attempt(1)
    esnode.start(cfg)
    assert count(alias) == 0

    # 2. Killed mid-load: five bulk requests of 32 acknowledged (the batch loads each enriched chunk of 64 on a
    # thread, two requests each), the sixth hits a dead node and no later chunk is sent.
    original_bulk = elasticsearch.helpers.streaming_bulk
    acknowledged = 0

    def bulk_then_kill(client: Any, actions: Any, **kwargs: Any) -> Iterator[Any]:
        nonlocal acknowledged
        kwargs["chunk_size"] = 32
        for item in original_bulk(client, actions, **kwargs):
            yield item
            acknowledged += 1
            if acknowledged == 160:
                _kill(cfg)

    with monkeypatch.context() as m:
        m.setattr(elasticsearch.helpers, "streaming_bulk", bulk_then_kill)
        with pytest.raises(TransientError):
            attempt(2)
    esnode.start(cfg)
    assert count(alias) == 160  # acknowledged writes survived SIGKILL (translog), the rest never arrived
    assert count(ledger) == 0

    # 3. Killed just before the ledger write: every document is in, the ledger knows nothing.
    original_ledger: Callable[..., str] = etl.run.batch.ensure_ledger

    def kill_then_record(client: Any, alias: str, replicas: int = 0) -> str:
        _kill(cfg)
        return original_ledger(client, alias, replicas)

    with monkeypatch.context() as m:
        m.setattr(etl.run.batch, "ensure_ledger", kill_then_record)
        with pytest.raises(TransientError):
            attempt(3)
    esnode.start(cfg)
    assert count(alias) == 300 and count(ledger) == 0

    # 4. The retry that succeeds: exactly the expected ids, each once, and a ledger entry per file.
    report = attempt(4)
    assert report.indexed == 300 and report.rejected_total == 0, report.summary()
    from etl.store.client import connect

    client = connect(node)
    ids = _ids_in(client, alias)
    assert len(ids) == 300 and set(ids) == set(expected.values())
    assert count(ledger) == 300
    names = list(client.indices.get(index=f"{alias}*", expand_wildcards="all"))
    client.indices.delete(index=",".join(names))


# --------------------------------------------------------------------------- (c) one document refused


def test_mapping_conflict_rejects_that_document_not_the_batch(
    settings: Settings, es: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _write_articles(tmp_path / "inbox", 4)
    bad_file = sorted(expected)[1]
    original = etl.run.batch.to_document

    def to_document(enriched: Any, **kwargs: Any) -> dict[str, Any]:
        doc = original(enriched, **kwargs)
        if doc["source_file"] == bad_file:
            doc["language_confidence"] = "very sure"  # a float field: Elasticsearch refuses this one document
        return doc

    monkeypatch.setattr(etl.run.batch, "to_document", to_document)
    with pytest.raises(IncompleteRun) as lost:  # an article lost to the index fails the run, after the others
        run([tmp_path / "inbox"], settings, client=es)
    report = lost.value.report
    assert isinstance(report, RunReport) and bad_file in str(lost.value)
    assert report.indexed == 3 and dict(report.rejected) == {"index_rejected": 1}, report.summary()
    assert report.rejections[0]["source_file"] == bad_file
    assert "language_confidence" in report.rejections[0]["detail"]
    notes = [json.loads(p.read_text(encoding="utf-8")) for p in (settings.quarantine_dir / "index_rejected").glob("*")]
    assert [n["source_file"] for n in notes] == [bad_file]
    assert sorted(_ids_in(es, settings.index_alias)) == sorted(v for k, v in expected.items() if k != bad_file)
