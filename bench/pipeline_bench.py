"""End-to-end pipeline throughput on P processes beside the spaCy NER-only ceiling, per-stage costs and worker memory.

Why (issues 4 and 6): NER is the floor of enrichment cost, so the pipeline is judged against spaCy with only its
``ner`` component on the same texts, same processes, same run: goal >= 0.90x that ceiling. Also: bulk indexing
<= 5% of wall time, peak RSS <= 0.7 GiB per worker.

What runs: the synthetic corpus (``bench/corpus.py``) in R rounds (slices); each round is split round-robin over P
pipeline worker processes and then over P ceiling processes, so a machine whose speed drifts (it is shared) gives
both sides the same conditions. Each pipeline worker runs the
path of ``etl.run.batch.process_batch`` stage by stage so each can be timed: extract (read + decode), clean, language,
entities, regions (as ``etl.enrich.enrich`` chains them, in chunks of ``ENRICH_CHUNK``), ``to_document``, and the
bulk load of each chunk on a background thread (``etl.store.bulk.BackgroundBulk``, as a batch loads) into a
throwaway alias on the real node: the ``bulk_index`` stage is the time spent handing chunks over and waiting for the
last. Left out: the duplicate ``mget``, the
archive files, supersede and the ledger (small, and not the issue's question). Before timing, each worker runs a
warm-up set through both this staged path and ``etl.enrich.enrich`` and checks they give the same documents; then an
untimed round of ``WARM_DOCS`` articles runs on both sides, and its documents are written again into a scratch
index until the node has indexed ``--node-warm-up`` documents (a just-started node's JIT warm-up is paid once per
start, like model loading, and is not the pipeline's cost).
Then P processes run spaCy ``nlp.pipe`` (batch 32, as the entities stage) with only ``ner`` loaded
(``exclude`` = every other component) on the very texts the pipeline analysed, in the same languages, with the
pipeline's malloc setting (``etl.entities.keep_freed_memory``; ``--plain-malloc-ceiling``: glibc's defaults) and,
as the pipeline, its loaded models frozen out of the cyclic collector's view (``etl.heap.freeze_long_lived``).
Rates exclude process start and model loading (reported separately) on both sides; in each round the workers of one
side start together at a barrier and wall time runs from it to the last worker's end; totals sum the rounds.
Elasticsearch's own CPU while the pipeline indexes is read from ``_nodes/stats`` and reported beside.

Usage: ``python -m bench.pipeline_bench [--n 1000] [--processes 2] [--rounds 4]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue as queue_mod
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import DEFAULT_WORKDIR, Figure, bench_settings, drop_alias, load_average, print_figures
from bench.corpus import CorpusSpec, write_corpus
from etl.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

STAGES = ("extract", "clean", "language", "entities", "regions", "to_document", "bulk_index")
ENTITY_PARTS = ("_link", "attributed_quotes")  # looked up in etl.entities, timed inside its stage; the rest is spaCy
RATIO_GOAL = 0.90
BULK_SHARE_GOAL = 0.05
RSS_GOAL_MIB = 0.7 * 1024
NER_BATCH = 32  # etl.entities.extract_entities default
WARM_DOCS = 64  # an untimed first round of this many articles (the first 6 also check the staged path)


@dataclass
class WorkerResult:
    """What one worker measured; times from ``time.monotonic`` (one clock for all processes)."""

    worker: int
    docs: int = 0
    words: int = 0
    rejected: int = 0
    failed: int = 0
    load_s: float = 0.0
    start: float = 0.0
    end: float = 0.0
    cpu_s: float = 0.0  # process CPU time between start and end
    peak_rss_mib: float = 0.0
    stage_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    stage_cpu_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    entity_parts_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(ENTITY_PARTS, 0.0))
    languages: dict[str, int] = field(default_factory=dict)
    busy_s: float = 0.0  # summed over rounds: end - start of each
    texts: list[tuple[str, str]] = field(default_factory=list)  # (language, analysed text): the ceiling's input
    error: str = ""


class _Timer:
    """Wall and CPU seconds per stage: CPU time does not grow when other jobs take the cores, wall time does."""

    def __init__(self) -> None:
        self.wall = dict.fromkeys(STAGES, 0.0)
        self.cpu = dict.fromkeys(STAGES, 0.0)
        self._wall0 = self._cpu0 = 0.0

    def start(self) -> None:
        self._wall0, self._cpu0 = time.perf_counter(), time.process_time()

    def stop(self, stage: str) -> None:
        self.wall[stage] += time.perf_counter() - self._wall0
        self.cpu[stage] += time.process_time() - self._cpu0


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# -- the pipeline worker ---------------------------------------------------------------------------------------------


class _Staged:
    """The stages of ``process_batch`` / ``enrich``, called one by one so each can be timed."""

    def __init__(self, settings: Settings) -> None:
        from etl.enrich import knowledge_versions, warm_up
        from etl.knowledge.loader import load_knowledge

        self.settings = settings
        warm_up(settings)  # as ``etl.run.flow.process`` before its first batch
        knowledge = load_knowledge(settings)
        self.kb = knowledge.kb
        self.gazetteer = knowledge.gazetteer
        self.kb_version, self.gazetteer_version = knowledge_versions(settings)

    def run(self, paths: list[str], timer: _Timer) -> tuple[list[dict[str, Any]], list[Any], int]:
        """Documents, their (article, language) pairs and the rejected count, for one chunk of files."""
        from etl.clean import clean
        from etl.document import to_document
        from etl.enrich import assemble, locate_all
        from etl.entities import extract_entities
        from etl.errors import RejectedInput
        from etl.extract import decode, read_file
        from etl.language import detect_article_language

        articles = []
        rejected = 0
        for path in paths:
            timer.start()
            try:
                decoded = decode(
                    read_file(Path(path), self.settings.max_file_bytes, source_name=path), self.settings.max_file_bytes
                )
            except RejectedInput:
                rejected += 1
                continue
            finally:
                timer.stop("extract")
            timer.start()
            try:
                articles.append(clean(decoded))
            except RejectedInput:
                rejected += 1
            finally:
                timer.stop("clean")
        timer.start()
        languages = [detect_article_language(a) for a in articles]
        timer.stop("language")
        timer.start()
        results = extract_entities(list(zip(articles, languages, strict=True)), self.settings.spacy_models, self.kb)
        timer.stop("entities")
        timer.start()
        locations = locate_all(articles, results, [language.code for language in languages], self.gazetteer)
        enriched = assemble(articles, languages, results, locations)  # as etl.enrich.derive_all
        timer.stop("regions")
        timer.start()
        stamp = "2026-01-01T00:00:00+00:00"
        documents = [
            to_document(
                e,
                kb_version=self.kb_version,
                gazetteer_version=self.gazetteer_version,
                ingested_at=stamp,
                kb=self.kb,  # as etl.run.batch passes the knowledge it enriched with (no load lookup per article)
                gazetteer=self.gazetteer,
            )
            for e in enriched
        ]
        timer.stop("to_document")
        return documents, list(zip(articles, languages, strict=True)), rejected

    def check_against_enrich(self, paths: list[str]) -> None:
        """The staged path must give what ``enrich`` gives, or the timings describe another pipeline."""
        from etl.document import to_document
        from etl.enrich import enrich

        documents, pairs, _ = self.run(paths, _Timer())
        reference = [
            to_document(
                e,
                kb_version=self.kb_version,
                gazetteer_version=self.gazetteer_version,
                ingested_at="2026-01-01T00:00:00+00:00",
                kb=self.kb,
                gazetteer=self.gazetteer,
            )
            for e in enrich([a for a, _ in pairs], self.settings)
        ]
        if documents != reference:
            raise AssertionError("staged pipeline differs from etl.enrich.enrich: fix pipeline_bench._Staged")


def _time_entity_parts(into: dict[str, float]) -> None:
    """Wrap the linker and the quote finder (``etl.quotes``) where ``etl.entities`` looks them up at call time, to
    split the entities stage."""
    import etl.entities as entities

    def timed(name: str) -> None:
        inner = getattr(entities, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                into[name] += time.perf_counter() - t0

        setattr(entities, name, wrapper)

    for part in ENTITY_PARTS:
        timed(part)


def pipeline_worker(
    worker: int, warm: list[str], settings: Settings, commands: Any, barrier: Any, results: Any
) -> None:
    """One worker process: load, warm up (and check), then one timed share per round until told to stop."""
    from etl.store.client import connect

    try:
        t0 = time.perf_counter()
        staged = _Staged(settings)
        client = connect(settings)
        load_s = time.perf_counter() - t0
        staged.check_against_enrich(warm[:6])
        results.put(("ready", worker, load_s))
    except Exception as exc:  # reported by the parent, not lost in a child's stderr
        results.put(("error", worker, f"{type(exc).__name__}: {exc}"))
        return
    parts = dict.fromkeys(ENTITY_PARTS, 0.0)
    _time_entity_parts(parts)
    while (paths := commands.get()) is not None:
        out = WorkerResult(worker=worker)
        try:
            parts.update(dict.fromkeys(ENTITY_PARTS, 0.0))
            barrier.wait()
            _pipeline_round(staged, client, settings, paths, out)
            out.entity_parts_s = dict(parts)
        except Exception as exc:
            out.error = f"{type(exc).__name__}: {exc}"
            barrier.abort()
        results.put(("round", worker, out))


def _pipeline_round(staged: _Staged, client: Any, settings: Settings, paths: list[str], out: WorkerResult) -> None:
    """One timed share, as ``etl.run.batch.process_batch`` runs a batch: enrich in ``ENRICH_CHUNK``s, each chunk's
    documents handed to the background loader (``BackgroundBulk``) while the next is enriched, then wait for it."""
    from etl.records import analysis_text
    from etl.run.batch import ENRICH_CHUNK
    from etl.store.bulk import BackgroundBulk

    timer = _Timer()
    out.start, cpu0 = time.monotonic(), time.process_time()
    with BackgroundBulk(client, settings.index_alias, max_retries=settings.max_retries) as loader:
        for start in range(0, len(paths), ENRICH_CHUNK):
            documents, pairs, rejected = staged.run(paths[start : start + ENRICH_CHUNK], timer)
            out.rejected += rejected
            for doc, (article, language) in zip(documents, pairs, strict=True):
                out.docs += 1
                out.words += doc["word_count"]
                out.languages[language.code] = out.languages.get(language.code, 0) + 1
                out.texts.append((language.code, analysis_text(article)))
            timer.start()
            loader.submit(documents)
            timer.stop("bulk_index")
        timer.start()
        out.failed += len(loader.finish().failed)
        timer.stop("bulk_index")
    out.end, out.cpu_s = time.monotonic(), time.process_time() - cpu0
    out.stage_s, out.stage_cpu_s = timer.wall, timer.cpu
    out.peak_rss_mib = _peak_rss_mib()


# -- the ceiling worker ----------------------------------------------------------------------------------------------


def ner_only(model: str) -> Any:
    """spaCy with only ``ner``: every other pipeline component of the package excluded (ner has its own tok2vec)."""
    import spacy
    from spacy.util import get_model_meta, get_package_path

    package = get_package_path(model)
    meta_path = next(package.glob("*/meta.json"), package / "meta.json")
    components = get_model_meta(meta_path.parent).get("components") or get_model_meta(meta_path.parent)["pipeline"]
    return spacy.load(model, exclude=[c for c in components if c != "ner"])


def ner_worker(
    worker: int, models: dict[str, str], plain_malloc: bool, commands: Any, barrier: Any, results: Any
) -> None:
    """One ceiling process: per round, ``nlp.pipe`` over the texts its pipeline twin analysed in that round. Its
    malloc keeps freed memory as the pipeline's does (``etl.entities.keep_freed_memory``, set by ``load_model``)
    and its loaded models leave the cyclic collector's view as the pipeline's do (``etl.heap.freeze_long_lived``),
    so the ceiling stays the best the pipeline could do; ``plain_malloc``: glibc's defaults, spaCy as it comes."""
    try:
        t0 = time.perf_counter()
        if not plain_malloc:
            from etl.entities import keep_freed_memory

            keep_freed_memory()
        nlps = {code: ner_only(model) for code, model in models.items()}
        for nlp in nlps.values():
            nlp("Warm-up sentence in Tripoli.")
        from etl.heap import freeze_long_lived

        freeze_long_lived()
        results.put(("ready", worker, time.perf_counter() - t0))
    except Exception as exc:
        results.put(("error", worker, f"{type(exc).__name__}: {exc}"))
        return
    while (texts := commands.get()) is not None:
        out = WorkerResult(worker=worker)
        try:
            by_language: dict[str, list[str]] = {}
            for code, text in texts:
                by_language.setdefault(code, []).append(text)
            for code, group in by_language.items():
                if code in nlps:
                    nlps[code].max_length = max(nlps[code].max_length, max(len(t) for t in group) + 1)
            barrier.wait()
            out.start, cpu0 = time.monotonic(), time.process_time()
            for code, group in by_language.items():
                if code not in nlps:
                    continue
                for doc in nlps[code].pipe(group, batch_size=NER_BATCH):
                    out.docs += 1
                    out.words += len(doc.ents)  # entity count: forces the spans to be read, as the linker does
            out.end, out.cpu_s = time.monotonic(), time.process_time() - cpu0
            out.peak_rss_mib = _peak_rss_mib()
        except Exception as exc:
            out.error = f"{type(exc).__name__}: {exc}"
            barrier.abort()
        results.put(("round", worker, out))


# -- the parent ------------------------------------------------------------------------------------------------------


class _Pool:
    """P worker processes of one kind, loaded once, run round by round; each round starts at a shared barrier."""

    def __init__(self, ctx: Any, target: Any, per_worker_args: list[tuple[Any, ...]]) -> None:
        self.size = len(per_worker_args)
        self.barrier = ctx.Barrier(self.size)
        self.results = ctx.Queue()
        self.commands = [ctx.Queue() for _ in per_worker_args]
        self.procs = [
            ctx.Process(target=target, args=(*args, q, self.barrier, self.results))
            for args, q in zip(per_worker_args, self.commands, strict=True)
        ]
        for proc in self.procs:
            proc.start()
        self.load_s = [float(x) for x in self._collect("ready")]

    def _collect(self, kind: str) -> list[Any]:
        got: dict[int, Any] = {}
        errors: list[str] = []
        while len(got) + len(errors) < self.size:
            try:
                tag, worker, payload = self.results.get(timeout=5)
            except queue_mod.Empty:
                if not any(p.is_alive() for p in self.procs):
                    raise RuntimeError("a worker died without reporting (out of memory?)") from None
                continue
            if tag == "error" or getattr(payload, "error", ""):
                errors.append(f"worker {worker}: {payload if tag == 'error' else payload.error}")
            elif tag != kind:
                errors.append(f"worker {worker}: answered {tag!r} when {kind!r} was due")
            else:
                got[worker] = payload
        if errors:
            self.stop()
            raise RuntimeError("; ".join(errors))
        return [got[i] for i in sorted(got)]

    def run_round(self, shares: list[Any]) -> list[WorkerResult]:
        for q, share in zip(self.commands, shares, strict=True):
            q.put(share)
        return self._collect("round")

    def stop(self) -> None:
        for q in self.commands:
            q.put(None)
        for proc in self.procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()


def _wall(results: list[WorkerResult]) -> float:
    return max(r.end for r in results) - min(r.start for r in results)


def _es_cpu_ms(client: Any) -> float:
    """CPU milliseconds all nodes of the cluster have used (``_nodes/stats/process``): the indexing cost the
    pipeline's wall time also pays when the node shares the machine."""
    stats = client.nodes.stats(metric="process")
    return float(sum(n["process"]["cpu"]["total_in_millis"] for n in stats["nodes"].values()))


def _warm_node(client: Any, alias: str, target_docs: int) -> str:
    """Write the warm-up round's documents (read back from ``alias``) again and again into a scratch index with the
    shipped mapping until ``target_docs`` are written, untimed; returns a line saying what it cost.

    Why: a node that has just started runs its indexing code interpreted until the JIT has compiled it; its CPU
    per document fell from about 7.5 to 2.8 ms over the first few thousand documents here. That is paid once per
    node start, as model loading is once per worker (both excluded from the rates): without this, the first run
    after ``newsfacet es start`` timed the node's warm-up as the pipeline's cost."""
    from elasticsearch import helpers

    from etl.store.indices import create_index

    client.indices.refresh(index=alias)
    sources = [
        hit["_source"] for hit in client.search(index=alias, size=WARM_DOCS, query={"match_all": {}})["hits"]["hits"]
    ]
    if target_docs <= 0 or not sources:
        return "node warm-up: none"
    scratch = f"{alias}-node-warm-up"
    create_index(client, scratch)
    quarter = max(len(sources), target_docs // 4)
    per_quarter: list[float] = []  # ES CPU ms per document in each quarter
    written = 0
    t0 = time.perf_counter()
    try:
        while written < target_docs:
            time.sleep(1.05)  # the node refreshes its process CPU figure once a second
            cpu0, start = _es_cpu_ms(client), written
            while written - start < quarter:
                actions = (
                    {"_index": scratch, "_id": str(written + i), "_source": doc} for i, doc in enumerate(sources)
                )
                helpers.bulk(client, actions, chunk_size=WARM_DOCS)
                written += len(sources)
            time.sleep(1.05)
            per_quarter.append((_es_cpu_ms(client) - cpu0) / (written - start))
    finally:
        client.indices.delete(index=scratch)
    return (
        f"node warm-up (untimed): {written} documents written in {time.perf_counter() - t0:.1f}s; Elasticsearch CPU "
        f"per document by quarter: {', '.join(f'{ms:.1f}' for ms in per_quarter)} ms"
    )


def run(
    n: int = 1000,
    processes: int = 2,
    workdir: Path = DEFAULT_WORKDIR,
    seed: int = 7,
    rounds: int = 4,
    plain_malloc: bool = False,
    node_warm_up: int = 2000,
) -> list[Figure]:
    """Run both measurements, round by round, and print the report; returns the figures beside their goals.

    Why rounds: a shared machine's speed drifts over minutes, and a pipeline phase timed before a ceiling phase
    would carry that drift into the ratio. Each round times the pipeline on one slice of the corpus, then the
    ceiling on the very texts of that slice, so both sides see the same conditions; totals sum the rounds.
    """
    from etl.store.client import connect
    from etl.store.indices import ensure_index, refresh

    corpus_dir = workdir / f"corpus-{n}-s{seed}"
    t0 = time.perf_counter()
    paths = [str(p) for p in write_corpus(corpus_dir, CorpusSpec(n=n, seed=seed))]
    corpus_s = time.perf_counter() - t0
    warm = [str(p) for p in write_corpus(workdir / f"warmup-s{seed}", CorpusSpec(n=WARM_DOCS, seed=seed + 1000))]
    settings = bench_settings(workdir / "var")
    client = connect(settings)
    rounds = max(1, min(rounds, len(paths) // max(processes, 1)))
    print(
        f"pipeline_bench: {n} files ({corpus_dir}, ready in {corpus_s:.1f}s), {processes} processes, "
        f"{rounds} rounds, alias {settings.index_alias}; ceiling malloc: "
        f"{'glibc defaults' if plain_malloc else 'as the pipeline (keep_freed_memory)'}; start: {load_average()}"
    )
    ctx = multiprocessing.get_context("spawn")
    pools: list[_Pool] = []
    try:
        ensure_index(client, settings.index_alias)
        pipe_pool = _Pool(ctx, pipeline_worker, [(i, warm, settings) for i in range(processes)])
        pools.append(pipe_pool)
        ner_pool = _Pool(ctx, ner_worker, [(i, dict(settings.spacy_models), plain_malloc) for i in range(processes)])
        pools.append(ner_pool)
        # An untimed round first: both sides' first batches pay one-off costs (allocator growth, lazy tables).
        warm_round = pipe_pool.run_round([warm[i::processes] for i in range(processes)])
        ner_pool.run_round([w.texts for w in warm_round])
        warm_docs = sum(w.docs for w in warm_round)
        print(f"  {_warm_node(client, settings.index_alias, node_warm_up)}", flush=True)
        pipe_rounds: list[list[WorkerResult]] = []
        ner_rounds: list[list[WorkerResult]] = []
        es_cpu_ms = 0.0
        for r in range(rounds):
            chunk = paths[r * len(paths) // rounds : (r + 1) * len(paths) // rounds]
            es_before = _es_cpu_ms(client)
            pipe = pipe_pool.run_round([chunk[i::processes] for i in range(processes)])
            es_cpu_ms += _es_cpu_ms(client) - es_before
            ceiling = ner_pool.run_round([w.texts for w in pipe])
            for w in pipe:
                w.texts = []
            pipe_rounds.append(pipe)
            ner_rounds.append(ceiling)
            pipe_rate = sum(w.docs for w in pipe) / _wall(pipe)
            ner_rate = sum(w.docs for w in ceiling) / _wall(ceiling)
            print(
                f"  round {r + 1}/{rounds}: {sum(w.docs for w in pipe)} docs; pipeline {pipe_rate:.1f} docs/s, "
                f"ceiling {ner_rate:.1f} docs/s (ratio {pipe_rate / ner_rate:.2f}x); {load_average()}",
                flush=True,
            )
        refresh(client, settings.index_alias)
        indexed = int(client.count(index=settings.index_alias)["count"]) - warm_docs
        load = (pipe_pool.load_s, ner_pool.load_s)
    finally:
        for pool in pools:
            pool.stop()
        drop_alias(client, settings.index_alias)
    return _report(pipe_rounds, ner_rounds, indexed, load, es_cpu_ms)


def _merge(rounds: list[list[WorkerResult]]) -> list[WorkerResult]:
    """One result per worker, summed over the rounds (start/end kept per round in ``wall_s``)."""
    merged: dict[int, WorkerResult] = {}
    for results in rounds:
        for r in results:
            m = merged.setdefault(r.worker, WorkerResult(worker=r.worker))
            m.docs += r.docs
            m.words += r.words
            m.rejected += r.rejected
            m.failed += r.failed
            m.cpu_s += r.cpu_s
            m.busy_s += r.end - r.start
            m.peak_rss_mib = max(m.peak_rss_mib, r.peak_rss_mib)
            for key in r.stage_s:
                m.stage_s[key] += r.stage_s[key]
                m.stage_cpu_s[key] += r.stage_cpu_s[key]
            for key in r.entity_parts_s:
                m.entity_parts_s[key] += r.entity_parts_s[key]
            for code, count in r.languages.items():
                m.languages[code] = m.languages.get(code, 0) + count
    return [merged[k] for k in sorted(merged)]


def _report(
    pipe_rounds: list[list[WorkerResult]],
    ner_rounds: list[list[WorkerResult]],
    indexed: int,
    load: tuple[list[float], list[float]],
    es_cpu_ms: float,
) -> list[Figure]:
    pipe, ceiling = _merge(pipe_rounds), _merge(ner_rounds)
    docs = sum(r.docs for r in pipe)
    words = sum(r.words for r in pipe)
    wall = sum(_wall(r) for r in pipe_rounds)
    ner_wall = sum(_wall(r) for r in ner_rounds)
    busy = sum(r.busy_s for r in pipe)
    languages: dict[str, int] = {}
    for r in pipe:
        for code, count in r.languages.items():
            languages[code] = languages.get(code, 0) + count
    print(
        f"  documents: {docs} indexed ({indexed} in the alias), {sum(r.rejected for r in pipe)} rejected, "
        f"{sum(r.failed for r in pipe)} refused by Elasticsearch; {words / max(docs, 1):.0f} words each; "
        f"languages {dict(sorted(languages.items()))}"
    )
    print(
        f"  load per worker (excluded from rates): pipeline {', '.join(f'{s:.1f}s' for s in load[0])}; "
        f"ner-only {', '.join(f'{s:.1f}s' for s in load[1])}"
    )
    rate, ner_rate = docs / wall, sum(r.docs for r in ceiling) / ner_wall
    cpu, ner_cpu = sum(r.cpu_s for r in pipe), sum(r.cpu_s for r in ceiling)
    print(
        f"  {'stage':<20} {'wall ms/article':>15} {'share of wall':>13} {'CPU ms/article':>14} {'share of CPU':>12}"
        f"   (summed over workers)"
    )

    def row(name: str, wall_s: float, cpu_s: float | None) -> None:
        cpu_part = f"{cpu_s / docs * 1000:>14.2f} {cpu_s / cpu:>12.1%}" if cpu_s is not None else ""
        print(f"  {name:<20} {wall_s / docs * 1000:>15.2f} {wall_s / busy:>13.1%} {cpu_part}")

    for stage in STAGES:
        seconds = sum(r.stage_s[stage] for r in pipe)
        row(stage, seconds, sum(r.stage_cpu_s[stage] for r in pipe))
        if stage == "entities":
            parts = {
                "link (KB, rules)": sum(r.entity_parts_s["_link"] for r in pipe),
                "quotes": sum(r.entity_parts_s["attributed_quotes"] for r in pipe),
            }
            for name, part in {"  spaCy ner": seconds - sum(parts.values()), **parts}.items():
                row(f"  {name.strip()}", part, None)
    row(
        "(other)",
        busy - sum(sum(r.stage_s.values()) for r in pipe),
        cpu - sum(sum(r.stage_cpu_s.values()) for r in pipe),
    )
    print(
        f"  CPU per article: pipeline {cpu / docs * 1000:.1f} ms, NER-only {ner_cpu / docs * 1000:.1f} ms "
        f"(ratio {ner_cpu / cpu:.2f}x: what the wall ratio would be if both ran on otherwise idle cores); "
        f"Elasticsearch, while the pipeline indexed: {es_cpu_ms / docs:.1f} ms"
    )
    per_round = sorted(
        (sum(w.docs for w in p) / _wall(p)) / (sum(w.docs for w in c) / _wall(c))
        for p, c in zip(pipe_rounds, ner_rounds, strict=True)
    )
    print(f"  ratio per round: {', '.join(f'{x:.2f}x' for x in per_round)} (sorted)")
    bulk_share = sum(r.stage_s["bulk_index"] for r in pipe) / busy
    peak = max(r.peak_rss_mib for r in pipe)
    figures = [
        Figure("pipeline docs/s", rate, "docs/s"),
        Figure("pipeline words/s", words / wall, "words/s"),
        Figure("NER-only ceiling docs/s", ner_rate, "docs/s"),
        Figure("NER-only ceiling words/s", words / ner_wall, "words/s"),
        Figure(
            "pipeline / NER-only ceiling", rate / ner_rate, "x", f">= {RATIO_GOAL:.2f}x", rate / ner_rate >= RATIO_GOAL
        ),
        Figure("  median of the rounds", per_round[len(per_round) // 2], "x"),
        Figure(
            "  same ratio in CPU time (load-robust)",
            ner_cpu / cpu,
            "x",
            f">= {RATIO_GOAL:.2f}x",
            ner_cpu / cpu >= RATIO_GOAL,
        ),
        Figure("Elasticsearch CPU per article (same machine)", es_cpu_ms / docs, "ms"),
        Figure(
            "bulk indexing share of wall time",
            bulk_share * 100,
            "%",
            f"<= {BULK_SHARE_GOAL:.0%}",
            bulk_share <= BULK_SHARE_GOAL,
        ),
        Figure("peak RSS per pipeline worker (max)", peak, "MiB", f"<= {RSS_GOAL_MIB:.0f} MiB", peak <= RSS_GOAL_MIB),
        Figure("peak RSS per NER-only worker (max)", max(r.peak_rss_mib for r in ceiling), "MiB"),
    ]
    print(f"  peak RSS per pipeline worker: {', '.join(f'{r.peak_rss_mib:.0f} MiB' for r in pipe)}")
    print_figures(
        f"pipeline_bench ({docs} docs, {len(pipe)} processes, {len(pipe_rounds)} rounds, {load_average()})", figures
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=1000, help="articles in the corpus")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=4, help="pipeline/ceiling alternations (drift control)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="corpus and scratch files")
    parser.add_argument(
        "--plain-malloc-ceiling",
        action="store_true",
        help="the ceiling with glibc's malloc defaults (spaCy as it comes), not the pipeline's setting",
    )
    parser.add_argument(
        "--node-warm-up",
        type=int,
        default=2000,
        help="documents written to a scratch index before timing, so a just-started node's JIT is warm (0: none)",
    )
    args = parser.parse_args()
    run(
        args.n,
        args.processes,
        args.workdir,
        args.seed,
        args.rounds,
        plain_malloc=args.plain_malloc_ceiling,
        node_warm_up=args.node_warm_up,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
