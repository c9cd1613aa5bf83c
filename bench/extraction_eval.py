"""Extraction quality and speed: our ``etl.clean`` beside plain ``trafilatura.extract``, in one run, on three sets.

Why: the clean stage finds a page's main text with a model of our own (``etl.maintext``) and our own line filter;
this harness proves (and the quality gate in ``tests/quality`` pins) that the result is at least as good as the
library's defaults, on public data read from ``../shared`` at run time and never copied into the project, and on
pages from sites the project never tuned on.

Sets and metrics (each printed for the ``tune`` part, the ``held-out`` part and all pages; the split is by domain,
``bench/extraction_data.py``)
- Scrapinghub article-extraction benchmark (181 pages): per page, extracted text and gold ``articleBody`` are split
  into words (``\\w+``), cut into 4-word shingles (multisets), and precision / recall of the extracted shingles
  against the gold ones are computed; F1 per page; P, R and F1 averaged over pages. Texts of fewer than 4 words form
  a single shorter shingle.
- trafilatura's dev evaluation set (487 pages): as in trafilatura's own evaluation, every ``with`` snippet found in
  the output is a TP (else FN), every ``without`` snippet found is an FP (else TN); P, R, F1 over all snippets.
- WCXB dev split (1,497 pages, 7 kinds): the benchmark's own ``evaluate.py`` (imported from the shared folder, not
  re-implemented): word-level P/R/F1 per page (lower-cased ``\\w+`` tokens, bag of words), averaged over pages;
  per page kind as its ``get_page_type`` reads it.
  Empty output (the extractor returned nothing, or our clean rejected the page) scores as each set's scorer says
  (zero, except where the gold itself is empty), so a rejection is never free.
- Outcomes, WCXB per kind: how many pages gave text, and how many ours rejected and why (``not_an_article`` says so
  to the user; the others are losses), beside trafilatura's empty outputs.
- Metadata, WCXB: title exact-match rate (whitespace collapsed), author (casefolded; on pages with a gold author,
  plus how often we name none where the gold has none) and publish-date accuracy (same day) for ours, trafilatura's
  metadata (``extract_metadata``) and htmldate (``find_date`` defaults).
- Speed: CPU milliseconds per page of each extractor (decoding excluded; measured inside the worker around the call;
  metadata comparisons not timed), and our stages: parse, metadata, segment, model, line filter (the rest of
  ``clean``). The machine may be shared: compare the two extractors of one run, and read the load average printed.

Both extractors receive the same decoded ``str`` (decoding is the extract stage's job, not the cleaner's).
``OURS`` is scored on ``CleanArticle.body`` (headings + paragraphs, what full-text search reads); trafilatura on its
default text output. Run: ``python bench/extraction_eval.py [--limit N] [--processes P] [--sets a,b] [--no-metadata]``
(or ``python -m bench.extraction_eval``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from multiprocessing import Pool
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # runnable as a script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

from bench import extraction_data as data  # noqa: E402 - after the sys.path fix above
from bench.extraction_data import HELD_OUT, KINDS, SCRAPINGHUB, SETS, TRAFILATURA_DEV, TUNE, WCXB  # noqa: E402
from etl.errors import RejectedInput  # noqa: E402
from etl.records import CleanArticle, DecodedDocument, InputKind  # noqa: E402

OURS = "ours"
TRAFILATURA = "trafilatura"
EXTRACTORS = (OURS, TRAFILATURA)
ALL = "all"
CONTENT = "content"  # outcome of a page that gave text
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
_SHINGLE = 4
STAGES = ("parse", "metadata", "segment", "model", "line filter")


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


def prf(tp: float, fn: float, fp: float) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@cache
def wcxb_scorer() -> ModuleType:
    """WCXB's own ``evaluate.py``, imported from the shared folder (its ``word_f1`` is the set's metric)."""
    path = data.set_dir(WCXB) / "evaluate.py"
    spec = importlib.util.spec_from_file_location("wcxb_evaluate", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the WCXB scorer at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_scores(page: data.EvalPage, text: str) -> tuple[float, ...]:
    """(p, r, f1) for Scrapinghub and WCXB; (tp, fn, fp, tn) for trafilatura-dev."""
    if page.set == TRAFILATURA_DEV:
        return tuple(float(c) for c in snippet_counts(text, page.with_, page.without))
    if page.set == WCXB:
        return tuple(wcxb_scorer().word_f1(text, page.gold))
    return shingle_prf(text, page.gold)


def aggregate(set_name: str, scores: Sequence[tuple[float, ...]]) -> tuple[float, float, float]:
    """P, R, F1 of a group of pages the way the set's own scorer aggregates."""
    if not scores:
        return 0.0, 0.0, 0.0
    if set_name == TRAFILATURA_DEV:
        tp, fn, fp = (sum(s[i] for s in scores) for i in range(3))
        return prf(tp, fn, fp)
    p, r, f = (statistics.fmean(s[i] for s in scores) for i in range(3))
    return p, r, f


# --- extractors ----------------------------------------------------------------------------------------------


read_html = data.read_html


def clean_html(html: str, name: str = "page.html") -> CleanArticle:
    from etl.clean import clean

    doc = DecodedDocument(
        doc_id=name, source_file=name, content_sha256="", kind=InputKind.HTML, text=html, encoding="utf-8"
    )
    return clean(doc)


def extract_trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


@dataclass(frozen=True)
class PageResult:
    extractor: str
    set: str
    page: str
    part: str
    kind: str
    scores: tuple[float, ...]
    cpu_seconds: float
    outcome: str = CONTENT  # CONTENT, or the reason ours rejected the page, or "empty" (trafilatura)
    stages: tuple[tuple[str, float], ...] = ()  # ours: (stage, ms)
    meta: tuple[tuple[str, str | None], ...] = ()  # WCXB: title / author / date found


def _ours(page: data.EvalPage, html: str) -> PageResult:
    from etl import clean as clean_module

    captured: list[Any] = []
    read_page = clean_module.read_page

    def recording(markup: str) -> Any:
        found = read_page(markup)
        captured.append(found)
        return found

    clean_module.read_page = recording  # type: ignore[assignment]  # bench only: keeps the stage timings
    start = time.process_time()
    try:
        article: CleanArticle | None = clean_html(html, page.id)
        outcome = CONTENT
    except RejectedInput as err:
        article, outcome = None, err.reason.value
    cpu = time.process_time() - start
    clean_module.read_page = read_page  # type: ignore[assignment]
    stages: dict[str, float] = dict(captured[0].stage_ms) if captured else {}
    if captured:
        stages["line filter"] = max(0.0, cpu * 1000 - sum(stages.values()))
    text = article.body if article else ""
    meta: tuple[tuple[str, str | None], ...] = ()
    if page.set == WCXB:
        meta = (
            ("title", article.title if article else None),
            ("author", article.byline if article else None),
            ("date", article.published_at if article else None),
        )
    return PageResult(
        OURS,
        page.set,
        page.id,
        page.part,
        page.kind,
        page_scores(page, text),
        cpu,
        outcome,
        tuple(stages.items()),
        meta,
    )


def _trafilatura(page: data.EvalPage, html: str, with_metadata: bool) -> PageResult:
    start = time.process_time()
    text = extract_trafilatura(html)
    cpu = time.process_time() - start
    meta: tuple[tuple[str, str | None], ...] = ()
    if page.set == WCXB and with_metadata:
        meta = _trafilatura_metadata(html)
    outcome = CONTENT if text else "empty"
    return PageResult(
        TRAFILATURA, page.set, page.id, page.part, page.kind, page_scores(page, text), cpu, outcome, meta=meta
    )


def _trafilatura_metadata(html: str) -> tuple[tuple[str, str | None], ...]:
    """trafilatura's metadata (title, author, date via its htmldate settings) and htmldate's own default date."""
    from htmldate import find_date
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    tree = load_html(html)
    found = extract_metadata(tree) if tree is not None else None
    try:
        htmldate = find_date(html)
    except Exception:  # htmldate raises on some malformed pages: count as no date
        htmldate = None
    return (
        ("title", found.title if found else None),
        ("author", found.author if found else None),
        ("date", found.date if found else None),
        ("htmldate", htmldate),
    )


_WITH_METADATA = [True]  # set in each worker by the pool initializer


def _page_job(page: data.EvalPage) -> list[PageResult]:
    html = read_html(page.path)
    return [_ours(page, html), _trafilatura(page, html, _WITH_METADATA[0])]


def warm_up(with_metadata: bool = True) -> None:
    """Import and compile everything once, so the first page's timing is not the libraries' start-up."""
    _WITH_METADATA[0] = with_metadata
    body = "<p>Warm up sentence number one, long enough to be kept as the story of this page.</p>" * 30
    html = f"<html><head><title>t</title></head><body><article>{body}</article></body></html>"
    for _ in range(2):
        with contextlib.suppress(RejectedInput):
            clean_html(html)
        extract_trafilatura(html)
    wcxb_scorer()


def run_pages(pages: Sequence[data.EvalPage], processes: int, with_metadata: bool = True) -> list[PageResult]:
    if processes <= 1:
        warm_up(with_metadata)
        return [r for page in pages for r in _page_job(page)]
    with Pool(processes, initializer=warm_up, initargs=(with_metadata,)) as pool:
        return [r for rs in pool.imap_unordered(_page_job, pages, chunksize=4) for r in rs]


# --- summaries -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    pages: int
    precision: float
    recall: float
    f1: float


@dataclass
class SetReport:
    """Every figure of one set: by extractor, part (tune / held-out / all) and, for WCXB, kind."""

    name: str
    results: list[PageResult]
    scores: dict[tuple[str, str, str], Score] = field(default_factory=dict)  # (extractor, part, kind or "all")

    def score(self, extractor: str, part: str = ALL, kind: str = ALL) -> Score:
        key = (extractor, part, kind)
        if key not in self.scores:
            mine = [
                r for r in self.results if r.extractor == extractor and part in (ALL, r.part) and kind in (ALL, r.kind)
            ]
            self.scores[key] = Score(len(mine), *aggregate(self.name, [r.scores for r in mine]))
        return self.scores[key]


def evaluate_set(name: str, processes: int = 2, limit: int | None = None, with_metadata: bool = True) -> SetReport:
    pages = data.load_set(name)
    if limit:
        pages = pages[:limit]
    return SetReport(name, run_pages(pages, processes, with_metadata))


def score_texts(texts: Mapping[tuple[str, str], str], pages: Mapping[tuple[str, str], data.EvalPage]) -> str:
    """One line of F1 per set for texts given by (set, page id): for quick checks (``train_maintext.py --cv``)."""
    parts = []
    for name in SETS:
        keys = [k for k in texts if k[0] == name]
        if keys:
            p, r, f = aggregate(name, [page_scores(pages[k], texts[k]) for k in keys])
            parts.append(f"{name} P {p:.3f} R {r:.3f} F1 {f:.3f}")
            if name == WCXB:
                articles = [k for k in keys if pages[k].kind == "article"]
                f_art = aggregate(name, [page_scores(pages[k], texts[k]) for k in articles])[2]
                parts.append(f"articles F1 {f_art:.3f}")
    return "; ".join(parts)


def _row(label: str, scores: Iterable[Score]) -> str:
    cells = "  ".join(f"{s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}" for s in scores)
    return f"  {label:<28} {cells}"


def print_scores(report: SetReport) -> None:
    groups = [(part, ALL) for part in (TUNE, HELD_OUT, ALL)]
    if report.name == WCXB:
        groups += [(part, kind) for kind in KINDS for part in (TUNE, HELD_OUT, ALL)]
    head = "  ".join(f"{e + ' P':>13} {'R':>6} {'F1':>6}" for e in EXTRACTORS)
    print(f"  {'part / kind':<28}{head}")
    for part, kind in groups:
        n = report.score(OURS, part, kind).pages
        label = f"{kind if kind != ALL else 'all kinds'} / {part} ({n})" if report.name == WCXB else f"{part} ({n})"
        print(_row(label, (report.score(e, part, kind) for e in EXTRACTORS)))


def print_outcomes(report: SetReport) -> None:
    """Per kind: what ours did with each page (text, or a rejection by reason) beside trafilatura's empty pages."""
    print("\n  outcomes per kind (ours: text / rejected by reason; trafilatura: empty output)")
    for kind in (*KINDS, ALL):
        mine = Counter(r.outcome for r in report.results if r.extractor == OURS and kind in (ALL, r.kind))
        empty = sum(
            1 for r in report.results if r.extractor == TRAFILATURA and r.outcome != CONTENT and kind in (ALL, r.kind)
        )
        rejected = ", ".join(f"{reason} {n}" for reason, n in sorted(mine.items()) if reason != CONTENT) or "none"
        print(
            f"  {kind:<14} pages {sum(mine.values()):>4}  text {mine[CONTENT]:>4}  rejected: {rejected:<40}"
            f"  trafilatura empty: {empty}"
        )


def _fold(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def metadata_figures(report: SetReport, pages: Mapping[str, data.EvalPage], part: str) -> dict[str, dict[str, float]]:
    """Per extractor ('ours', 'trafilatura', 'htmldate'): title / author / date agreement with WCXB's gold."""
    found: dict[str, dict[str, dict[str, str | None]]] = {OURS: {}, TRAFILATURA: {}, "htmldate": {}}
    for r in report.results:
        if part not in (ALL, r.part) or not r.meta:
            continue
        values = dict(r.meta)
        if r.extractor == OURS:
            found[OURS][r.page] = values
        else:
            found[TRAFILATURA][r.page] = values
            found["htmldate"][r.page] = {"date": values.get("htmldate")}
    return {who: _agreement(by_page, pages, dates_only=who == "htmldate") for who, by_page in found.items() if by_page}


def _agreement(
    by_page: Mapping[str, Mapping[str, str | None]], pages: Mapping[str, data.EvalPage], dates_only: bool
) -> dict[str, float]:
    def gold(page: str, key: str) -> str | None:
        value = pages[page].meta.get(key)
        return str(value) if value else None

    def share(key: str, test: Callable[[str | None, str], bool]) -> float:
        judged = [(by_page[p].get(key if key != "publish_date" else "date"), gold(p, key)) for p in by_page]
        judged_with_gold = [(mine, truth) for mine, truth in judged if truth]
        return sum(1 for mine, truth in judged_with_gold if test(mine, truth)) / max(1, len(judged_with_gold))

    fig = {"date": share("publish_date", lambda mine, truth: (mine or "")[:10] == truth)}
    if not dates_only:
        fig["title"] = share("title", lambda mine, truth: _norm(mine) == _norm(truth))
        fig["title_ci"] = share("title", lambda mine, truth: _fold(mine) == _fold(truth))
        fig["author"] = share("author", lambda mine, truth: _fold(mine) == _fold(truth))
        anonymous = [p for p in by_page if not gold(p, "author")]
        fig["no_author"] = sum(1 for p in anonymous if not by_page[p].get("author")) / max(1, len(anonymous))
    return fig


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def print_metadata(report: SetReport) -> None:
    pages = {p.id: p for p in data.load_set(WCXB)}
    print(
        "\n  metadata against WCXB gold: title exact (casefolded), author exact on pages with an author (none named"
        " where the gold has none), publish date same day"
    )
    for part in (TUNE, HELD_OUT, ALL):
        figures = metadata_figures(report, pages, part)
        for who, fig in figures.items():
            cells = []
            if "title" in fig:
                cells.append(f"title {fig['title']:.3f} ({fig['title_ci']:.3f})")
                cells.append(f"author {fig['author']:.3f} (none {fig['no_author']:.3f})")
            cells.append(f"date {fig['date']:.3f}")
            print(f"  {part:<9} {who:<12} " + "  ".join(cells))


def print_speed(report: SetReport) -> None:
    for extractor in EXTRACTORS:
        cpu = [r.cpu_seconds * 1000 for r in report.results if r.extractor == extractor] or [0.0]
        print(
            f"  cpu ms/page {extractor:<12} median {statistics.median(cpu):6.1f}  mean {statistics.fmean(cpu):6.1f}"
            f"  p90 {_percentile(cpu, 0.9):6.1f}"
        )
    per_stage: dict[str, list[float]] = {}
    for r in report.results:
        for name, ms in r.stages:
            per_stage.setdefault(name, []).append(ms)
    stages = ", ".join(
        f"{name} {statistics.fmean(per_stage[name]):.1f}/{statistics.median(per_stage[name]):.1f}"
        for name in STAGES
        if per_stage.get(name)
    )
    print(f"  ours stages (CPU ms mean/median over pages that reached them): {stages}")
    print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


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


# --- the interface bench/run_all.py uses -----------------------------------------------------------------------


@dataclass(frozen=True)
class SetScore:
    """All-page figures of one extractor on one set (P/R/F1, CPU ms per page)."""

    extractor: str
    pages: int
    precision: float
    recall: float
    f1: float
    ms_mean: float
    ms_median: float


def shared_dir() -> Path:
    return data.shared_dir()


def set_scores(name: str, limit: int | None = None, processes: int = 2) -> dict[str, SetScore]:
    report = evaluate_set(name, processes, limit, with_metadata=False)
    out = {}
    for extractor in EXTRACTORS:
        score = report.score(extractor)
        cpu = [r.cpu_seconds * 1000 for r in report.results if r.extractor == extractor] or [0.0]
        out[extractor] = SetScore(
            extractor,
            score.pages,
            score.precision,
            score.recall,
            score.f1,
            statistics.fmean(cpu),
            statistics.median(cpu),
        )
    return out


def eval_scrapinghub(limit: int | None = None, processes: int = 2) -> dict[str, SetScore]:
    return set_scores(SCRAPINGHUB, limit, processes)


def eval_trafilatura_dev(limit: int | None = None, processes: int = 2) -> dict[str, SetScore]:
    return set_scores(TRAFILATURA_DEV, limit, processes)


def eval_wcxb(limit: int | None = None, processes: int = 2) -> dict[str, SetScore]:
    return set_scores(WCXB, limit, processes)


def _print_table(title: str, scores: Mapping[str, SetScore]) -> None:
    print(f"\n{title}")
    print(f"{'extractor':<12} {'pages':>5} {'precision':>9} {'recall':>7} {'F1':>7} {'cpu ms':>7} {'median':>7}")
    for s in scores.values():
        print(
            f"{s.extractor:<12} {s.pages:>5} {s.precision:>9.4f} {s.recall:>7.4f} {s.f1:>7.4f}"
            f" {s.ms_mean:>7.1f} {s.ms_median:>7.1f}"
        )


TITLES = {
    SCRAPINGHUB: "Scrapinghub (4-word shingle P/R/F1, mean over pages)",
    TRAFILATURA_DEV: "trafilatura-dev (snippet P/R/F1 over all snippets)",
    WCXB: "WCXB dev (its evaluate.py: word P/R/F1, mean over pages)",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages of each set")
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    parser.add_argument("--no-metadata", action="store_true", help="skip the WCXB metadata comparison")
    args = parser.parse_args(argv)
    if not data.shared_dir().is_dir():
        print(f"shared dir not found: {data.shared_dir()} (set NEWSFACET_SHARED_DIR)", file=sys.stderr)
        return 2
    print(f"split by domain: {TUNE} / {HELD_OUT} (bench/extraction_data.py); processes {args.processes}")
    everything: list[PageResult] = []
    for name in args.sets.split(","):
        report = evaluate_set(name, args.processes, args.limit, with_metadata=not args.no_metadata)
        everything += report.results
        print(f"\n{TITLES[name]}")
        print_scores(report)
        if name == WCXB:
            print_outcomes(report)
            if not args.no_metadata:
                print_metadata(report)
        print_speed(report)
    print(f"\nEvery HTML page of the sets run ({len(everything) // len(EXTRACTORS)} pages)")
    print_speed(SetReport("all sets", everything))
    print("\nSeed text articles (clean, best of 20)")
    for name, ms in seed_text_ms().items():
        print(f"  {name:<55} {ms:6.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
