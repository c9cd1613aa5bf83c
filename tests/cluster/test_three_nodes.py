"""A three-node cluster loses a node mid-ingestion: nothing acknowledged is lost and searches keep answering.

Why a real cluster: the guarantee lives in Elasticsearch's replication (a replica promoted when its primary's node
dies), the client's failover between hosts, and the pipeline's idempotent ids and ledger; no mock has all three.
Three nodes from the same local distribution on loopback (http 9240-9242, transport 9340-9342), each with its own
data, logs and config dirs; every node is stopped and its data removed in teardown, whatever happened.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from devtools import esnode
from etl.run.flow import run
from etl.settings import Settings
from etl.store.indices import ensure_index
from etl.store.ledger import ensure_ledger, run_entries
from tests.paths import SEED_ARTICLE, SEEDS

pytestmark = pytest.mark.integration

CLUSTER = "nf-three-nodes"
NODE_NAMES = ("nf3-a", "nf3-b", "nf3-c")
HTTP_PORTS = (9240, 9241, 9242)
TRANSPORT_PORTS = (9340, 9341, 9342)
HEAP = "384m"
FAST_START = ("-XX:TieredStopAtLevel=1",)  # C1 only: JVM start-up is most of this module's time on 2 cores
ARTICLES = 240
BATCH_SIZE = 40  # six batches: the kill lands in the second, four more run on two nodes
KILL_AT_BULK = 4  # bulk calls cycle articles / ledger / stat cache per batch: the fourth is batch 2's articles


# --------------------------------------------------------------------------- the cluster


def _configs() -> list[esnode.NodeConfig]:
    seeds = tuple(f"127.0.0.1:{port}" for port in TRANSPORT_PORTS)
    return [
        esnode.NodeConfig(
            http_port=http,
            transport_port=transport,
            cluster_name=CLUSTER,
            node_name=name,
            heap=HEAP,
            seed_hosts=seeds,
            initial_master_nodes=NODE_NAMES,
            java_opts=FAST_START,
            start_timeout=150.0,
        )
        for name, http, transport in zip(NODE_NAMES, HTTP_PORTS, TRANSPORT_PORTS, strict=True)
    ]


def _stop_all(configs: list[esnode.NodeConfig]) -> None:
    """Stop every node we started (a killed one is already gone), drop their data and config; never raises."""
    for cfg in configs:
        try:
            esnode.stop(cfg)
        except Exception as exc:  # keep stopping the others
            print(f"[cluster] stopping {cfg.effective_node_name} failed: {exc}")
    for cfg in configs:
        shutil.rmtree(cfg.data_dir, ignore_errors=True)
        shutil.rmtree(cfg.config_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster() -> Iterator[list[esnode.NodeConfig]]:
    """Three fresh master-eligible data nodes, started together (a 3-node cluster elects with 2 of 3)."""
    configs = _configs()
    _stop_all(configs)  # leftovers of an interrupted earlier run (ours only: esnode checks its pid files)
    for cfg in configs:
        if esnode.status(cfg).running:
            pytest.fail(f"port {cfg.http_port} is in use by a node esnode did not start")
    try:
        esnode.ensure_installed(configs[0])  # once, before the threads: they then only launch
        errors: list[BaseException] = []

        def start(cfg: esnode.NodeConfig) -> None:
            try:
                esnode.start(cfg)
            except BaseException as exc:
                errors.append(exc)

        started = time.monotonic()
        threads = [threading.Thread(target=start, args=(cfg,)) for cfg in configs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        print(f"[cluster] three nodes up in {time.monotonic() - started:.1f}s")
        yield configs
    finally:
        stopping = time.monotonic()
        _stop_all(configs)
        print(f"[cluster] stopped in {time.monotonic() - stopping:.1f}s")


def _client(configs: list[esnode.NodeConfig]) -> Elasticsearch:
    """A client on all three hosts: a dead node's requests are retried on another (as in production)."""
    return Elasticsearch(
        [cfg.url for cfg in configs],
        request_timeout=30,
        max_retries=5,
        retry_on_timeout=True,
        retry_on_status=(429, 502, 503, 504),
    )


# --------------------------------------------------------------------------- the inbox


def _sentences(text: str) -> list[str]:
    """Sentences of the seed's story paragraphs: short lines (titles, captions, credits, links) are left out."""
    paragraphs = [line.strip() for line in text.splitlines() if len(line.split()) >= 15]
    return [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p) if len(s.split()) >= 6]


def _write_inbox(folder: Path, count: int) -> None:
    """``count`` small distinct articles in English and French: seed sentences shuffled, plus a numbered one."""
    folder.mkdir(parents=True)
    seeds = [
        (
            _sentences(SEED_ARTICLE.read_text(encoding="utf-8")),
            "Libya dispatch {n}: Haftar and the Palermo talks",
            "This is dispatch number {n:05d} filed for the newsfacet cluster test by the Tripoli desk.",
        ),
        (
            _sentences((SEEDS / "newsfacet-demo-tripoli-fr.txt").read_text(encoding="utf-8")),
            "Libye, dépêche {n} : Tripoli cherche des appuis",
            "Ceci est la dépêche numéro {n:05d} rédigée pour le test de grappe de newsfacet à Tripoli.",
        ),
    ]
    for number in range(count):
        pool, title, unique = seeds[number % len(seeds)]
        rng = random.Random(number)
        picked = rng.sample(pool, min(len(pool), rng.randint(4, 7)))
        half = len(picked) // 2
        paragraphs = [" ".join(picked[:half]), " ".join([*picked[half:], unique.format(n=number)])]
        (folder / f"dispatch-{number:04d}.txt").write_text(
            title.format(n=number) + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
        )


# --------------------------------------------------------------------------- searching throughout


@dataclass
class SearchLoad:
    """Searches the alias in a loop from another thread; counts answers, errors and partial answers."""

    client: Elasticsearch
    alias: str
    ok: int = 0
    failed: list[str] = field(default_factory=list)
    partial: int = 0
    ok_after_kill: int = 0
    killed: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)

    def loop(self) -> None:
        while not self.done.is_set():
            try:
                response = self.client.search(
                    index=self.alias, size=3, query={"match": {"body": "Tripoli"}}, track_total_hits=True
                )
            except Exception as exc:  # what a user would see: the client gave up after its retries
                self.failed.append(f"{type(exc).__name__}: {exc}"[:300])
            else:
                self.ok += 1
                self.ok_after_kill += self.killed.is_set()
                self.partial += response["_shards"].get("failed", 0) > 0
            time.sleep(0.05)


def _primary_node(client: Elasticsearch, index: str) -> str:
    rows = client.cat.shards(index=index, format="json", h="prirep,state,node")
    return next(str(r["node"]) for r in rows if r["prirep"] == "p" and r["state"] in ("STARTED", "RELOCATING"))


def _put_primary_on(client: Elasticsearch, index: str, node: str) -> None:
    """Make ``node`` hold the index's (single) primary: cancelling the primary promotes a replica there."""
    rows = client.cat.shards(index=index, format="json", h="prirep,node")
    primary = next(str(r["node"]) for r in rows if r["prirep"] == "p")
    if primary == node:
        return
    if any(r["prirep"] == "r" and r["node"] == node for r in rows):
        command = {"cancel": {"index": index, "shard": 0, "node": primary, "allow_primary": True}}
    else:
        command = {"move": {"index": index, "shard": 0, "from_node": primary, "to_node": node}}
    print(f"[cluster] reroute: {command}")
    client.cluster.reroute(commands=[command])
    client.cluster.health(
        wait_for_status="green", wait_for_no_relocating_shards=True, wait_for_no_initializing_shards=True, timeout="60s"
    )  # rebalancing may follow: all shards
    assert _primary_node(client, index) == node


def test_node_killed_mid_ingestion_loses_nothing_acknowledged_and_search_keeps_answering(
    cluster: list[esnode.NodeConfig], tmp_path: Path
) -> None:
    alias = f"nf-cluster-{uuid.uuid4().hex[:8]}"
    settings = Settings.from_env(
        {
            **os.environ,
            "ELASTICSEARCH_URL": cluster[0].url,
            "NEWSFACET_INDEX": alias,
            "NEWSFACET_DATA_DIR": str(tmp_path / "var"),
            "NEWSFACET_BATCH_SIZE": str(BATCH_SIZE),
            "NEWSFACET_REPLICAS": "1",
        }
    )
    inbox = tmp_path / "inbox"
    _write_inbox(inbox, ARTICLES)
    admin = _client(cluster)

    # One node needs no replicas; a cluster that must survive a node needs 1 (NEWSFACET_REPLICAS), on the ledger
    # too, or a lost ledger shard would block the run.
    index = ensure_index(admin, alias, replicas=1)
    ledger = ensure_ledger(admin, alias, replicas=1)
    assert admin.indices.get_settings(index=f"{index},{ledger}", name="index.number_of_replicas").body == {
        name: {"settings": {"index": {"number_of_replicas": "1"}}} for name in (index, ledger)
    }
    admin.cluster.health(index=f"{index},{ledger}", wait_for_status="green", timeout="60s")

    # The worst node to lose: the elected master holding the articles' only primary (election and promotion at once).
    victim_name = str(admin.cat.master(format="json")[0]["node"])
    _put_primary_on(admin, index, victim_name)
    victim = next(cfg for cfg in cluster if cfg.effective_node_name == victim_name)
    print(
        f"[cluster] killing {victim_name}: master and articles primary; ledger primary on "
        f"{_primary_node(admin, ledger)}"
    )

    load = SearchLoad(_client(cluster), alias)
    bulks = {"calls": 0, "killed_at": 0.0}

    class KillingClient(Elasticsearch):
        """Kills the victim just before the chosen bulk goes out: the cluster has not noticed yet."""

        def bulk(self, *args: Any, **kwargs: Any) -> Any:
            bulks["calls"] += 1
            if bulks["calls"] == KILL_AT_BULK:
                esnode.kill(victim)
                bulks["killed_at"] = time.monotonic()
                load.killed.set()
            return super().bulk(*args, **kwargs)

    pipeline_client = KillingClient(
        [cfg.url for cfg in cluster],
        request_timeout=30,
        max_retries=5,
        retry_on_timeout=True,
        retry_on_status=(429, 502, 503, 504),
    )
    searcher = threading.Thread(target=load.loop, daemon=True)
    searcher.start()
    started = time.monotonic()
    try:
        report = run([inbox], settings, client=pipeline_client)
        time.sleep(1.0)  # a few more searches on the degraded cluster after the run
    finally:
        load.done.set()
        searcher.join(timeout=60)
    print(
        f"[cluster] run {time.monotonic() - started:.1f}s: {report.summary()}; searches ok {load.ok} "
        f"(after the kill {load.ok_after_kill}), failed {len(load.failed)}, partial {load.partial}"
    )

    assert bulks["killed_at"], f"the kill never happened ({bulks['calls']} bulk calls)"
    assert report.indexed == ARTICLES, report.summary()
    assert report.rejected_total == 0, report.rejections[:3]

    health = admin.cluster.health(wait_for_status="yellow", wait_for_nodes="2", timeout="60s")
    assert health["number_of_nodes"] == 2 and health["status"] in ("yellow", "green"), health
    admin.indices.refresh(index=alias)
    ids = [e["doc_id"] for e in run_entries(admin, alias, report.run_id) if e["outcome"] == "indexed"]
    found = {d["_id"] for d in admin.mget(index=alias, ids=ids, source=False)["docs"] if d.get("found")}
    assert not set(ids) - found, f"{len(set(ids) - found)} acknowledged ids lost, e.g. {sorted(set(ids) - found)[:3]}"
    assert admin.count(index=alias)["count"] == len(set(ids)) == ARTICLES

    assert not load.failed, f"{len(load.failed)} of {load.ok + len(load.failed)} searches failed: {load.failed[:3]}"
    assert load.ok_after_kill >= 5, f"only {load.ok_after_kill} searches answered after the kill"
    assert load.partial == 0, f"{load.partial} searches answered with failed shards"

    # The ledger writes acknowledged before and after the kill survived too: a rerun finds nothing new.
    again = run([inbox], settings, client=admin)
    assert again.unchanged == ARTICLES and again.indexed == 0, again.summary()
    admin.close()
    load.client.close()
    pipeline_client.close()
