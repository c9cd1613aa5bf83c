"""Extraction quality and speed: our ``etl.clean`` beside plain ``trafilatura.extract``, in one run.

Why: the clean stage combines trafilatura with our own filters and metadata; this harness proves (and the quality
gate in ``tests/quality`` pins) that the combination is at least as good as the library alone, on public data that
is read from ``../shared`` at run time and never copied into the project.

Sets and metrics
- Scrapinghub article-extraction benchmark (``data/extraction/scrapinghub``): per page, the extracted text and the
  gold ``articleBody`` are split into words (``\\w+``), cut into 4-word shingles (multisets), and precision / recall
  of the extracted shingles against the gold ones are computed; F1 per page; P, R and F1 averaged over pages.
  Empty output (extractor returned nothing, or our clean rejected the page) counts as P = R = F1 = 0 for that page,
  so a rejection is never free. Texts of fewer than 4 words form a single shorter shingle.
- trafilatura's dev evaluation set (``data/extraction/trafilatura-dev``): as in trafilatura's own evaluation, every
  ``with`` snippet found in the output is a TP (else FN), every ``without`` snippet found is an FP (else TN); empty
  output makes all ``with`` snippets FN and all ``without`` TN. P, R, F1 over all snippets of all pages.
- Speed: milliseconds per page of each extractor (decoding excluded, measured inside the worker around the
  extraction call), and milliseconds per article of ``clean`` on the seed text articles. Our time is also split into
  stages: parse (script cut + lxml), metadata (meta tags, htmldate when needed, captions, anchors), prune, extract
  (trafilatura, plus its fallback comparison when fast mode found little text) and line filter (``etl.clean``'s
  labelling, the rest of the total). The machine may be shared: compare the two extractors of one run, and read the
  load average printed with the timings.

Both extractors receive the same decoded ``str`` (decoding is the extract stage's job, not the cleaner's).
``OURS`` is scored on ``CleanArticle.body`` (headings + paragraphs, what full-text search reads); trafilatura on its
default text output. Run: ``python -m bench.extraction_eval [--limit N] [--processes P]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # runnable as a script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

from etl.errors import RejectedInput  # noqa: E402 - after the sys.path fix above
from etl.htmlclean import Page, read_page  # noqa: E402
from etl.records import DecodedDocument, InputKind  # noqa: E402

OURS = "ours"
TRAFILATURA = "trafilatura"
EXTRACTORS = (OURS, TRAFILATURA)
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
_SHINGLE = 4


def shared_dir() -> Path:
    """The shared material: ``$NEWSFACET_SHARED_DIR`` or ``../shared`` beside the repository."""
    override = os.environ.get("NEWSFACET_SHARED_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[1].parent / "shared"


def scrapinghub_dir() -> Path:
    return shared_dir() / "data" / "extraction" / "scrapinghub"


def trafilatura_dev_dir() -> Path:
    return shared_dir() / "data" / "extraction" / "trafilatura-dev"


# --- metrics -------------------------------------------------------------------------------------------------


def shingles(text: str, n: int = _SHINGLE) -> Counter[tuple[str, ...]]:
    """Multiset of word n-grams, as in the Scrapinghub benchmark."""
    tokens = _TOKEN_RE.findall(text or "")
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


def shingle_prf(predicted: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall, F1 of predicted shingles against gold; empty prediction scores 0 (see module doc)."""
    pred, true = shingles(predicted), shingles(gold)
    if not true:
        return (1.0, 1.0, 1.0) if not pred else (0.0, 1.0, 0.0)
    if not pred:
        return 0.0, 0.0, 0.0
    tp = sum((pred & true).values())
    precision = tp / sum(pred.values())
    recall = tp / sum(true.values())
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1


def snippet_counts(result: str, with_: Sequence[str], without: Sequence[str]) -> tuple[int, int, int, int]:
    """TP, FN, FP, TN of one page, exactly as trafilatura's ``evaluate_result``."""
    if not result:
        return 0, len(with_), 0, len(without)
    tp = sum(1 for s in with_ if s in result)
    fp = sum(1 for s in without if s in result)
    return tp, len(with_) - tp, fp, len(without) - fp


def prf(tp: int, fn: int, fp: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# --- extractors ----------------------------------------------------------------------------------------------


def read_html(path: Path) -> str:
    """Decode a (gzipped) saved page the way trafilatura would; both extractors then get the same str."""
    from trafilatura.utils import decode_file

    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return decode_file(raw)


_LAST_PAGE: list[Page] = []  # the Page read by our last extraction (stage timings), set by _recording_read_page


def _recording_read_page(html: str) -> Page:
    _LAST_PAGE.clear()
    page = read_page(html)
    _LAST_PAGE.append(page)
    return page


def extract_ours(html: str, name: str = "page.html") -> str:
    import etl.clean
    from etl.clean import clean

    etl.clean.read_page = _recording_read_page  # type: ignore[attr-defined]  # bench only: keeps the stages
    doc = DecodedDocument(
        doc_id=name, source_file=name, content_sha256="", kind=InputKind.HTML, text=html, encoding="utf-8"
    )
    try:
        return clean(doc).body
    except RejectedInput:
        return ""


def extract_trafilatura(html: str, name: str = "page.html") -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


_EXTRACT: dict[str, Callable[[str, str], str]] = {OURS: extract_ours, TRAFILATURA: extract_trafilatura}


# --- per-page workers (top level so multiprocessing can pickle them) -------------------------------------------


STAGES = ("parse", "metadata", "prune", "extract", "line filter")


@dataclass(frozen=True)
class PageResult:
    extractor: str
    page: str
    seconds: float
    scores: tuple[float, ...]  # (p, r, f1) for Scrapinghub, (tp, fn, fp, tn) for trafilatura-dev
    stages: tuple[tuple[str, float], ...] = ()  # ours only: (stage, ms), see STAGES
    fallback: bool = False  # ours only: the extraction ran again with trafilatura's fallback comparison
    cpu_seconds: float = 0.0  # the process's CPU time for the call: less sensitive than wall time to a busy machine


def _timed(extractor: str, html: str, name: str) -> tuple[str, dict[str, Any]]:
    """The extracted text and the PageResult timing fields (wall and CPU seconds, our stages)."""
    _LAST_PAGE.clear()
    start, cpu = time.perf_counter(), time.process_time()
    text = _EXTRACT[extractor](html, name)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    page = _LAST_PAGE[0] if extractor == OURS and _LAST_PAGE else None
    if page is None:
        return text, {"seconds": seconds, "cpu_seconds": cpu}
    stage_ms = dict(page.stage_ms)
    stage_ms["line filter"] = max(0.0, seconds * 1000 - sum(stage_ms.values()))
    return text, {"seconds": seconds, "cpu_seconds": cpu, "stages": tuple(stage_ms.items()), "fallback": page.fallback}


def _scrapinghub_page(job: tuple[str, str, str]) -> list[PageResult]:
    page_id, path, gold = job
    html = read_html(Path(path))
    out = []
    for extractor in EXTRACTORS:
        text, timing = _timed(extractor, html, page_id)
        out.append(PageResult(extractor, page_id, scores=shingle_prf(text, gold), **timing))
    return out


def _dev_page(job: tuple[str, str, list[str], list[str]]) -> list[PageResult]:
    url, path, with_, without = job
    html = read_html(Path(path))
    out = []
    for extractor in EXTRACTORS:
        text, timing = _timed(extractor, html, url)
        counts = tuple(float(c) for c in snippet_counts(text, with_, without))
        out.append(PageResult(extractor, url, scores=counts, **timing))
    return out


def warm_up() -> None:
    """Import and compile everything once, so the first page's timing is not the libraries' start-up."""
    page = "<html><head><title>t</title></head><body><article>" + "<p>Warm up sentence here.</p>" * 30
    for extractor in EXTRACTORS:
        _EXTRACT[extractor](page + "</article></body></html>", "warm-up")


def _run(worker: Callable[[object], list[PageResult]], jobs: Sequence[object], processes: int) -> list[PageResult]:
    if processes <= 1:
        warm_up()
        return [r for job in jobs for r in worker(job)]
    with Pool(processes, initializer=warm_up) as pool:
        return [r for rs in pool.imap_unordered(worker, jobs, chunksize=2) for r in rs]


# --- the two sets --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetScore:
    extractor: str
    pages: int
    precision: float
    recall: float
    f1: float
    ms_mean: float
    ms_median: float
    cpu_ms_mean: float = 0.0
    cpu_ms_median: float = 0.0
    stage_ms: tuple[tuple[str, float, float], ...] = ()  # ours only: (stage, mean, median) over the pages read
    fallbacks: int = 0  # ours only: pages whose extraction ran again with trafilatura's fallback comparison


def scrapinghub_jobs(limit: int | None = None) -> list[tuple[str, str, str]]:
    base = scrapinghub_dir()
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    jobs = [(k, str(base / "html" / f"{k}.html.gz"), v.get("articleBody") or "") for k, v in sorted(truth.items())]
    return jobs[:limit] if limit else jobs


def trafilatura_dev_jobs(limit: int | None = None) -> list[tuple[str, str, list[str], list[str]]]:
    base = trafilatura_dev_dir()
    data = json.loads((base / "evaldata-dev.json").read_text(encoding="utf-8"))
    jobs = []
    for url, item in sorted(data.items()):
        path = base / "html" / f"{item['file']}.gz"
        if not path.exists():
            path = base / "html" / item["file"]
        jobs.append((url, str(path), list(item.get("with", [])), list(item.get("without", []))))
    return jobs[:limit] if limit else jobs


def _timing(results: Iterable[PageResult]) -> tuple[float, float]:
    ms = [r.seconds * 1000 for r in results]
    return (statistics.fmean(ms), statistics.median(ms)) if ms else (0.0, 0.0)


def _stages(results: Sequence[PageResult]) -> dict[str, object]:
    """Per-stage mean and median ms over the pages that reached extraction, and the fallback count."""
    per_stage: dict[str, list[float]] = {}
    for r in results:
        for name, ms in r.stages:
            per_stage.setdefault(name, []).append(ms)
    stage_ms = tuple(
        (name, statistics.fmean(per_stage[name]), statistics.median(per_stage[name]))
        for name in STAGES
        if per_stage.get(name)
    )
    cpu = [r.cpu_seconds * 1000 for r in results] or [0.0]
    return {
        "cpu_ms_mean": statistics.fmean(cpu),
        "cpu_ms_median": statistics.median(cpu),
        "stage_ms": stage_ms,
        "fallbacks": sum(r.fallback for r in results),
    }


def eval_scrapinghub(limit: int | None = None, processes: int = 2) -> dict[str, SetScore]:
    """Shingle P/R/F1 averaged over Scrapinghub pages, per extractor."""
    results = _run(_scrapinghub_page, scrapinghub_jobs(limit), processes)  # type: ignore[arg-type]
    scores = {}
    for extractor in EXTRACTORS:
        mine = [r for r in results if r.extractor == extractor]
        p, r, f = (statistics.fmean(x.scores[i] for x in mine) for i in range(3))
        scores[extractor] = SetScore(extractor, len(mine), p, r, f, *_timing(mine), **_stages(mine))  # type: ignore[arg-type]
    return scores


def eval_trafilatura_dev(limit: int | None = None, processes: int = 2) -> dict[str, SetScore]:
    """Snippet P/R/F1 over all snippets of trafilatura's dev set, per extractor."""
    results = _run(_dev_page, trafilatura_dev_jobs(limit), processes)  # type: ignore[arg-type]
    scores = {}
    for extractor in EXTRACTORS:
        mine = [r for r in results if r.extractor == extractor]
        tp, fn, fp = (int(sum(x.scores[i] for x in mine)) for i in range(3))
        scores[extractor] = SetScore(extractor, len(mine), *prf(tp, fn, fp), *_timing(mine), **_stages(mine))  # type: ignore[arg-type]
    return scores


def seed_text_ms(repeat: int = 20) -> dict[str, float]:
    """Milliseconds per article of ``clean`` on each plain-text seed (best of ``repeat``)."""
    from etl.clean import clean

    out = {}
    for path in sorted((REPO_ROOT / "seeds").glob("*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")  # timing only: decoding is not measured
        doc = DecodedDocument(path.name, path.name, "", InputKind.TEXT, text, "utf-8")
        try:
            best = min(_time_once(clean, doc) for _ in range(repeat))
        except RejectedInput:
            continue  # a seed meant to be rejected has no article to time
        out[path.name] = best * 1000
    return out


def _time_once(fn: Callable[[DecodedDocument], object], doc: DecodedDocument) -> float:
    start = time.perf_counter()
    fn(doc)
    return time.perf_counter() - start


def _print_table(title: str, scores: dict[str, SetScore]) -> None:
    print(f"\n{title}")
    print(
        f"{'extractor':<12} {'pages':>5} {'precision':>9} {'recall':>7} {'F1':>7} {'ms/page':>8} {'median':>7}"
        f" {'cpu ms':>7} {'median':>7}"
    )
    for s in scores.values():
        print(
            f"{s.extractor:<12} {s.pages:>5} {s.precision:>9.4f} {s.recall:>7.4f} {s.f1:>7.4f}"
            f" {s.ms_mean:>8.1f} {s.ms_median:>7.1f} {s.cpu_ms_mean:>7.1f} {s.cpu_ms_median:>7.1f}"
        )
    for s in scores.values():
        if s.stage_ms:
            stages = ", ".join(f"{name} {mean:.1f}/{median:.1f}" for name, mean, median in s.stage_ms)
            print(f"  {s.extractor} stages, ms mean/median: {stages}; fallback reruns: {s.fallbacks}/{s.pages}")
    print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages of each set")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="worker processes")
    args = parser.parse_args(argv)
    if not shared_dir().is_dir():
        print(f"shared dir not found: {shared_dir()} (set NEWSFACET_SHARED_DIR)", file=sys.stderr)
        return 2
    _print_table("Scrapinghub (4-word shingle P/R/F1, mean over pages)", eval_scrapinghub(args.limit, args.processes))
    _print_table("trafilatura-dev (snippet P/R/F1 over all snippets)", eval_trafilatura_dev(args.limit, args.processes))
    print("\nSeed text articles (clean, best of 20)")
    for name, ms in seed_text_ms().items():
        print(f"  {name:<55} {ms:6.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
