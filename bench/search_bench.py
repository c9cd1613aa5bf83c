"""Faceted search latency on a 100k-document index: p50/p95/p99 at 1 and 8 concurrent clients.

Why (issue 4): the search page sends one request per interaction (full text + region and actor filters + facet
counts); the goal is p95 < 50 ms with one client on an index of realistic size.

Documents: a few hundred synthetic articles (``bench/corpus.py``) go through the real pipeline stages (extract, clean,
``etl.enrich.enrich``, ``etl.document.to_document``; cached in the work dir), then each of the N documents is one of
them with new ids, another date and outlet, actors swapped for other knowledge-base actors and towns for other gazetteer
towns (in the facet fields, the nested entities and locations, the title and the body), paragraphs shuffled. They are
streamed into a throwaway alias with ``etl.store.bulk.bulk_upsert`` and deleted afterwards. Queries:
``etl.search.build_body`` (bool query, highlight, one terms aggregation for each of the four default facets: regions,
countries, actors, language) with varied text (1-2 words from the corpus vocabulary), region and actor filters drawn
from the loaded values: 60% text + region + actor, 20% text + region, 20% region + actor. Latency is measured in the
client (request to parsed answer); Elasticsearch's ``took`` is printed beside it, with p50/p95 per query shape. 50
warm-up queries are not counted. Last, 100 more queries are sent again with one part of the request removed (highlight,
aggregations, exact total) or added (all six facets) to show where the time goes.

Usage: ``python -m bench.search_bench [--docs 100000] [--queries 500]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import DEFAULT_WORKDIR, Figure, bench_settings, drop_alias, load_average, percentile, print_figures
from bench.corpus import CORPUS_VERSION, CorpusSpec, write_corpus
from etl.search import FACETS
from etl.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

P95_GOAL_MS = 50.0
WARMUP = 50
SOURCES = ("Newsfacet Demo Wire", "RFI", "Libya Herald", "Al-Wasat", "Reuters", "AFP", "Libya Observer")
_STOP = frozenset(
    re.split(
        r"\s+",
        "that this with from have were which their there they been said also will about "
        "after would into than more when them other some such only over most very what while "
        "being could where these those between dans pour avec sont leur plus",
    )
)


# -- real enriched documents --------------------------------------------------------------------------------------


def _enrich_files(job: tuple[list[str], Settings]) -> list[dict[str, Any]]:
    """The pipeline path (extract, clean, enrich, to_document) for a list of files, in a worker process."""
    from etl.clean import clean
    from etl.document import to_document
    from etl.enrich import enrich, knowledge_versions
    from etl.extract import decode, read_file
    from etl.run.batch import ENRICH_CHUNK

    paths, settings = job
    kb_version, gazetteer_version = knowledge_versions(settings)
    articles = [clean(decode(read_file(Path(p), settings.max_file_bytes, source_name=p))) for p in paths]
    documents: list[dict[str, Any]] = []
    for start in range(0, len(articles), ENRICH_CHUNK):
        for enriched in enrich(articles[start : start + ENRICH_CHUNK], settings):
            documents.append(to_document(enriched, kb_version=kb_version, gazetteer_version=gazetteer_version))
    return documents


def seed_documents(
    n: int, workdir: Path, settings: Settings, seed: int = 7, processes: int = 2
) -> list[dict[str, Any]]:
    """n real enriched documents, cached as JSON lines (enrichment of a few hundred takes about a minute)."""
    from etl.enrich import knowledge_versions
    from etl.store.indices import mapping_version

    kb_version, gazetteer_version = knowledge_versions(settings)
    cache = workdir / (
        f"search-seed-{n}-s{seed}-c{CORPUS_VERSION}-{kb_version[:8]}-{gazetteer_version[:8]}-m{mapping_version()}.jsonl"
    )  # documents are shaped by the mapping version
    if cache.is_file():
        return [json.loads(line) for line in cache.read_text(encoding="utf-8").splitlines()]
    paths = [str(p) for p in write_corpus(workdir / f"corpus-{n}-s{seed}", CorpusSpec(n=n, seed=seed))]
    t0 = time.perf_counter()
    jobs = [(paths[i::processes], settings) for i in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        documents = [d for chunk in pool.map(_enrich_files, jobs) for d in chunk]
    print(f"  enriched {len(documents)} seed documents in {time.perf_counter() - t0:.0f}s ({processes} processes)")
    cache.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in documents), encoding="utf-8")
    return documents


# -- variation to N documents ---------------------------------------------------------------------------------------


class Variator:
    """Turns one real document into another plausible one: same shape, other ids, dates, outlets, actors, towns."""

    def __init__(self, seeds: list[dict[str, Any]]) -> None:
        from etl.knowledge.gazetteer import Gazetteer

        self.seeds = seeds
        self.actors: dict[str, list[tuple[str, str, str | None]]] = {}  # type -> (name, kb id, wikidata)
        for line in (ROOT / "etl" / "knowledge" / "data" / "actors.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                actor = json.loads(line)
                entry = (actor["name"], actor["id"], actor.get("wikidata"))
                self.actors.setdefault(actor["type"], []).append(entry)
        gazetteer = Gazetteer.load()
        libyan = [p for p in gazetteer.places if p.country_code == "LY" and p.feature == "city"]
        self.towns = sorted(libyan, key=lambda p: -p.population)[:80]

    def make(self, i: int) -> dict[str, Any]:
        rng = random.Random(i)
        base = self.seeds[i % len(self.seeds)]
        swapped: dict[str, tuple[str, str, str | None]] = {}
        for entity in base["entities"]:
            pool = self.actors.get(entity["type"])
            if pool and rng.random() < 0.6:
                swapped[entity["name"]] = rng.choice(pool)
        names = {old: new[0] for old, new in swapped.items()}
        towns: dict[str, Any] = {}
        for loc in base["locations"]:
            if loc["feature"] == "city" and loc["country_code"] == "LY" and rng.random() < 0.6:
                towns[loc["name"]] = rng.choice([t for t in self.towns if t.region == loc["region"]] or self.towns)

        def swap(text: str) -> str:
            for old, new in names.items():
                text = text.replace(old, new)
            for old, place in towns.items():
                text = text.replace(old, place.name)
            return text

        def actor(name: str) -> str:
            return names.get(name, name)

        paragraphs = base["body"].split("\n\n")
        rng.shuffle(paragraphs)
        # A story is about one region, sometimes two or three: keep that many (the corpus mixes sources and so
        # names towns everywhere, which would make every region filter match every document).
        present = _unique(loc["region"] for loc in base["locations"] if loc["region"])
        keep = set(rng.sample(present, min(len(present), rng.choice((1, 1, 1, 2, 2, 3)))))
        locations = []
        for loc in base["locations"]:
            if loc["region"] and loc["region"] not in keep:
                continue
            place = towns.get(loc["name"])
            if place is None:
                locations.append(loc)
                continue
            new = {
                **loc,
                "name": place.name,
                "district": place.district,
                "region": place.region,
                "geonameid": place.geonameid,
                "mentions": [place.name],
            }
            if place.lat is not None and place.lon is not None:
                new["point"] = {"lat": place.lat, "lon": place.lon}
            locations.append(new)
        day = date(2012, 1, 1) + timedelta(days=rng.randrange(5000))
        doc_id = hashlib.sha256(f"search-bench-{i}".encode()).hexdigest()[:32]
        return {
            **base,
            "doc_id": doc_id,
            "title": swap(base["title"]),
            "body": swap("\n\n".join(paragraphs)),
            "source": rng.choice(SOURCES),
            "url": f"https://demo.newsfacet.example/{doc_id}",
            "published_at": day.isoformat(),
            "actors": _unique(actor(a) for a in base["actors"]),
            "actors_folded": _unique(actor(a) for a in base["actors_folded"]),
            "persons": _unique(actor(a) for a in base["persons"]),
            "organizations": _unique(actor(a) for a in base["organizations"]),
            "armed_groups": _unique(actor(a) for a in base["armed_groups"]),
            "places": _unique(x["name"] for x in locations if x["feature"] not in ("country", "region")),
            "districts": _unique(x["district"] for x in locations if x["district"]),
            "regions": _unique(x["region"] for x in locations if x["region"]),
            "locations": locations,
            "entities": [_swap_entity(e, swapped.get(e["name"])) for e in base["entities"]],
            "quotes": [{**q, "speaker": actor(q["speaker"]) if q["speaker"] else None} for q in base["quotes"]],
            "source_file": f"synthetic/{i:07d}.txt",
            "content_sha256": hashlib.sha256(f"content-{i}".encode()).hexdigest(),
        }


def _swap_entity(entity: dict[str, Any], new: tuple[str, str, str | None] | None) -> dict[str, Any]:
    if new is None:
        return entity
    return {**entity, "name": new[0], "kb_id": new[1], "wikidata": new[2], "mentions": [new[0]]}


def _unique(values: Iterator[str] | Any) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


# -- load and query ------------------------------------------------------------------------------------------------


def load(client: Any, alias: str, variator: Variator, n: int) -> tuple[float, Counter[str], Counter[str]]:
    """Stream n varied documents into the alias; returns seconds and the actor / region values loaded."""
    from etl.store.bulk import bulk_upsert
    from etl.store.indices import refresh

    actors: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    t0 = time.perf_counter()
    batch: list[dict[str, Any]] = []
    failed = 0
    for i in range(n):
        doc = variator.make(i)
        actors.update(doc["actors"])
        regions.update(doc["regions"])
        batch.append(doc)
        if len(batch) == 2000 or i == n - 1:
            failed += len(bulk_upsert(client, alias, batch).failed)
            batch = []
        if (i + 1) % 20_000 == 0:
            print(f"    loaded {i + 1}/{n} ({time.perf_counter() - t0:.0f}s)")
    refresh(client, alias)
    if failed:
        raise RuntimeError(f"Elasticsearch refused {failed} documents")
    return time.perf_counter() - t0, actors, regions


SHAPES = ("text+region+actor", "text+region", "region+actor")


def make_queries(
    count: int, seeds: list[dict[str, Any]], actors: Counter[str], regions: Counter[str], seed: int = 11
) -> list[tuple[str, dict[str, Any]]]:
    """(shape, request body from ``build_body``): varied words and filter values, three shapes (see module doc)."""
    from etl.search import SearchQuery, build_body

    words = Counter(
        w for d in seeds for w in re.findall(r"[a-zà-ÿ]{4,}", (d["title"] + " " + d["body"]).lower()) if w not in _STOP
    )
    vocabulary = [w for w, _ in words.most_common(300)]
    actor_values = [a for a, _ in actors.most_common(80)]
    region_values = list(regions)
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        shape = rng.random()
        text = " ".join(rng.sample(vocabulary, rng.choice((1, 1, 2))))
        region = (rng.choice(region_values),)
        actor = (rng.choice(actor_values),)
        if shape < 0.6:
            bodies.append((SHAPES[0], build_body(SearchQuery(text=text, regions=region, actors=actor))))
        elif shape < 0.8:
            bodies.append((SHAPES[1], build_body(SearchQuery(text=text, regions=region))))
        else:
            bodies.append((SHAPES[2], build_body(SearchQuery(regions=region, actors=actor))))
    return bodies


def _timed_search(client: Any, alias: str, body: dict[str, Any]) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    response = client.search(index=alias, **body)
    elapsed = (time.perf_counter() - t0) * 1000
    return elapsed, int(response["took"]), int(response["hits"]["total"]["value"])


def measure(client: Any, alias: str, queries: list[tuple[str, dict[str, Any]]], clients: int) -> dict[str, Any]:
    """Latencies (ms) of every query sent by ``clients`` concurrent threads; throughput; p95 per query shape."""
    bodies = [body for _, body in queries]
    t0 = time.perf_counter()
    if clients == 1:
        rows = [_timed_search(client, alias, b) for b in bodies]
    else:
        with ThreadPoolExecutor(clients) as pool:
            rows = list(pool.map(lambda b: _timed_search(client, alias, b), bodies))
    wall = time.perf_counter() - t0
    latency = sorted(r[0] for r in rows)
    took = sorted(float(r[1]) for r in rows)
    hits = sorted(r[2] for r in rows)
    by_shape = {shape: sorted(r[0] for (s, _), r in zip(queries, rows, strict=True) if s == shape) for shape in SHAPES}
    return {
        "clients": clients,
        "queries": len(rows),
        "qps": len(rows) / wall,
        **{f"p{q}": percentile(latency, q) for q in (50, 95, 99)},
        **{f"took_p{q}": percentile(took, q) for q in (50, 95, 99)},
        "zero_hits": sum(1 for h in hits if h == 0) / len(hits),
        "median_hits": hits[len(hits) // 2],
        "shapes": {shape: (len(v), percentile(v, 50), percentile(v, 95)) for shape, v in by_shape.items() if v},
    }


ABLATIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "as built": lambda b: b,
    "all six facets": lambda b: {**b, "aggs": {n: {"terms": {"field": f, "size": 20}} for n, f in FACETS.items()}},
    "without highlight": lambda b: {k: v for k, v in b.items() if k != "highlight"},
    "without aggregations": lambda b: {k: v for k, v in b.items() if k != "aggs"},
    "without exact total": lambda b: {**b, "track_total_hits": 10_000},
    "hits only (no hl/aggs)": lambda b: {k: v for k, v in b.items() if k not in ("highlight", "aggs")},
}


def explain(client: Any, alias: str, queries: list[tuple[str, dict[str, Any]]]) -> None:
    """Where the time goes: the same queries with one part of the request removed at a time (1 client, took ms)."""
    print("  what the time is spent on (same queries, one part removed; Elasticsearch took, ms):")
    took: dict[str, list[float]] = {name: [] for name in ABLATIONS}
    for _, body in queries:  # variants interleaved per query, so a change of machine load hits them all alike
        for name, change in ABLATIONS.items():
            took[name].append(float(_timed_search(client, alias, change(body))[1]))
    for name, values in took.items():
        values.sort()
        print(f"    {name:<24} p50 {percentile(values, 50):>6.1f}  p95 {percentile(values, 95):>6.1f}")


def run(
    docs: int = 100_000, queries: int = 500, seed_docs: int = 300, workdir: Path = DEFAULT_WORKDIR, keep: bool = False
) -> list[Figure]:
    """Build the index, measure at 1 and 8 clients, delete the index; returns the figures."""
    from etl.store.client import connect
    from etl.store.indices import ensure_index

    settings = bench_settings(workdir / "var")
    print(f"search_bench: {docs} documents, {queries} queries per run, alias {settings.index_alias}; {load_average()}")
    seeds = seed_documents(seed_docs, workdir, settings)
    client = connect(settings).options(request_timeout=120)
    results = []
    try:
        index = ensure_index(client, settings.index_alias)
        load_s, actors, regions = load(client, settings.index_alias, Variator(seeds), docs)
        stats = client.indices.stats(index=index, metric="store,segments")["indices"][index]["primaries"]
        print(
            f"  loaded {docs} documents in {load_s:.0f}s ({docs / load_s:.0f} docs/s); index "
            f"{stats['store']['size_in_bytes'] / 1e6:.0f} MB, {stats['segments']['count']} segments; "
            f"{len(actors)} actors, regions {dict(regions.most_common())}; {load_average()}"
        )
        bodies = make_queries(queries * 9 + WARMUP + 100, seeds, actors, regions)
        measure(client, settings.index_alias, bodies[:WARMUP], 1)
        first = WARMUP + queries
        for clients, batch in ((1, bodies[WARMUP:first]), (8, bodies[first : first + 8 * queries])):
            row = measure(client, settings.index_alias, batch, clients)
            results.append(row)
            print(
                f"  {clients} client(s): {row['queries']} queries, {row['qps']:.0f} q/s; latency ms p50 "
                f"{row['p50']:.1f} p95 {row['p95']:.1f} p99 {row['p99']:.1f} (took p50 {row['took_p50']:.0f} "
                f"p95 {row['took_p95']:.0f} p99 {row['took_p99']:.0f}); zero-hit queries {row['zero_hits']:.0%}, "
                f"median hits {row['median_hits']}; {load_average()}"
            )
            for shape, (count, p50, p95) in row["shapes"].items():
                print(f"    {shape:<20} {count:>5} queries: p50 {p50:6.1f} ms, p95 {p95:6.1f} ms")
        explain(client, settings.index_alias, bodies[first + 8 * queries :])
        print(f"  {load_average()}")
    finally:
        if not keep:
            drop_alias(client, settings.index_alias)
    one, eight = results
    figures = [
        Figure("search p50, 1 client", one["p50"], "ms"),
        Figure("search p95, 1 client", one["p95"], "ms", f"< {P95_GOAL_MS:.0f} ms", one["p95"] < P95_GOAL_MS),
        Figure("search p99, 1 client", one["p99"], "ms"),
        Figure("search p50, 8 clients", eight["p50"], "ms"),
        Figure("search p95, 8 clients", eight["p95"], "ms"),
        Figure("search p99, 8 clients", eight["p99"], "ms"),
        Figure("search throughput, 8 clients", eight["qps"], "queries/s"),
    ]
    print_figures(f"search_bench ({docs} docs, {load_average()})", figures)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=100_000, help="documents in the index")
    parser.add_argument("--queries", type=int, default=500, help="measured queries at 1 client (x8 at 8 clients)")
    parser.add_argument("--seed-docs", type=int, default=300, help="real enriched articles the documents vary")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--keep", action="store_true", help="leave the index for inspection (delete it yourself)")
    args = parser.parse_args()
    run(args.docs, args.queries, args.seed_docs, args.workdir, args.keep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
