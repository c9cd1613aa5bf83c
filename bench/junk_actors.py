"""Junk actors on pages that are not news: product names as people, technical terms as organisations.

Why: users run newsfacet over whatever pages they saved; on product pages, documentation, forums and tech blogs,
spaCy's small model reads "Java", "Linux", "Gmail" as people and "API", "CPU", "HTML" as organisations, and those
fill the actor facets. This bench runs the pipeline's own path (``etl.extract`` read + decode, ``etl.clean``,
``etl.language``, ``etl.entities`` recognise + link, as ``etl.enrich`` chains them) over WCXB's development pages
(``../shared/data/extraction/wcxb-dev``, read at run time, never copied) and prints:

- pages read, cleaned (the rest rejected by ``clean``, counted by reason);
- distinct person and organisation values, and (page, value) pairs of each type;
- judged junk: among the actor values of a hand-labelled file (``bench/data/junk_actors_<half>.tsv``: type, value,
  verdict ``junk`` or ``ok``), the distinct values labelled junk still emitted and their (page, value) pairs, the
  ones labelled ok still emitted, and how many of the run's top-N values per type carry no label (so junk that a
  change brings in is seen, not hidden);
- with ``--top N``: the top-N values per type by pages, with their labels (to write the label file: on the tune
  half while developing; on the held-out half once, at the end).

Verdict criterion (checkable value by value): ``junk`` when the value is not an actor of its facet's type at all:
a person value that is not a person's name (a product, software, programming language, web service, common word,
place, heading fragment); an organisation value that is not an organisation (a technical term or acronym, a
product, file format, protocol, common word, place). A company written by its own name ("Google", "Microsoft") is
an organisation (ok); as a person it is junk. A real person's or organisation's name of the right type is ``ok``.

Halves: WCXB pages are split by a fixed hash of the file name (SHA-256 of ``NNNN.html.gz``, the first byte's low
bit: ``tune`` or ``held-out``); pages are taken in file-name order, the first ``--n`` of the half, all page kinds
unless ``--kinds`` says otherwise. Errors are read on the tune half only.

NER is the slow part and does not change with the rules after it: ``--cache FILE`` keeps the cleaned articles and
their spans (a pickle under /tmp, say) so a second run only relinks.

Run: ``python -m bench.junk_actors [--half tune|held-out] [--n 300] [--top 100] [--cache FILE]``.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import time
from collections import Counter
from pathlib import Path

from bench.extraction_data import set_dir, wcxb_kind
from etl.clean import clean
from etl.entities import link, recognise
from etl.errors import RejectedInput
from etl.extract import decode, read_file
from etl.knowledge.loader import load_knowledge
from etl.language import detect_article_language
from etl.records import CleanArticle, Language, NerSpan
from etl.settings import Settings

HALVES = ("tune", "held-out")
LABELS = Path(__file__).resolve().parent / "data"
PERSON, ORGANISATION = "person", "organization"


def half_of(file_name: str) -> str:
    """The fixed split by file name (module doc)."""
    return HALVES[hashlib.sha256(file_name.encode("utf-8")).digest()[0] & 1]


def pages(half: str, n: int, kinds: set[str] | None) -> list[tuple[Path, str]]:
    """(html path, WCXB kind) of the first ``n`` pages of the half, in file-name order."""
    import json

    base = set_dir("wcxb-dev")
    out = []
    for html in sorted((base / "html").glob("*.html.gz")):
        if half_of(html.name) != half:
            continue
        truth = base / "ground-truth" / (html.name.removesuffix(".html.gz") + ".json")
        kind = wcxb_kind(json.loads(truth.read_text(encoding="utf-8"))) if truth.exists() else "unknown"
        if kinds is None or kind in kinds:
            out.append((html, kind))
        if len(out) == n:
            break
    return out


Prepared = list[tuple[str, CleanArticle, Language, tuple[NerSpan, ...]]]


def prepare(chosen: list[tuple[Path, str]], settings: Settings) -> tuple[Prepared, Counter[str]]:
    """Cleaned articles with their language and NER spans, and the rejections by reason."""
    rejected: Counter[str] = Counter()
    kept: list[tuple[str, CleanArticle]] = []
    for path, _ in chosen:
        try:
            raw = read_file(path, settings.max_file_bytes, source_name=path.name)
            kept.append((path.name, clean(decode(raw, settings.max_file_bytes))))
        except RejectedInput as exc:
            rejected[exc.reason.value] += 1
    languages = [detect_article_language(article) for _, article in kept]
    spans = recognise([(a, lang) for (_, a), lang in zip(kept, languages, strict=True)], settings.spacy_models)
    return [
        (name, article, lang, found) for (name, article), lang, found in zip(kept, languages, spans, strict=True)
    ], rejected


def read_labels(half: str) -> dict[tuple[str, str], str]:
    path = LABELS / f"junk_actors_{half}.tsv"
    labels: dict[tuple[str, str], str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                kind, value, verdict = line.split("\t")[:3]
                labels[(kind, value)] = verdict
    return labels


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=HALVES, default="tune")
    parser.add_argument("--n", type=int, default=300, help="pages of the half (default 300)")
    parser.add_argument("--kinds", default="", help="comma-separated WCXB kinds (default: all)")
    parser.add_argument("--top", type=int, default=0, help="print the top-N values per type with their labels")
    parser.add_argument("--cache", default="", help="pickle of cleaned articles + NER spans, reused if present")
    args = parser.parse_args()
    settings = Settings.from_env()
    kinds = {k.strip() for k in args.kinds.split(",") if k.strip()} or None
    chosen = pages(args.half, args.n, kinds)
    cache = Path(args.cache) if args.cache else None
    key = (args.half, args.n, args.kinds)
    prepared: Prepared | None = None
    if cache and cache.exists():
        stored_key, prepared, rejected = pickle.loads(cache.read_bytes())
        if stored_key != key:
            prepared = None
    if prepared is None:
        prepared, rejected = prepare(chosen, settings)
        if cache:
            cache.write_bytes(pickle.dumps((key, prepared, rejected)))
    knowledge = load_knowledge(settings)
    for _, article, _, spans in prepared:  # a first pass warms the knowledge base's lookup cache; the second is timed
        link(article, spans, knowledge.kb, knowledge.gazetteer)
    started = time.process_time()
    results = [link(article, spans, knowledge.kb, knowledge.gazetteer) for _, article, _, spans in prepared]
    link_ms = 1000 * (time.process_time() - started) / max(1, len(prepared))
    pairs: dict[str, Counter[str]] = {PERSON: Counter(), ORGANISATION: Counter()}
    for result in results:
        for value, kind in {(e.name, e.type.value) for e in result.entities}:
            if kind in pairs:
                pairs[kind][value] += 1
    labels = read_labels(args.half)
    print(
        f"junk actors, WCXB dev {args.half} half: {len(chosen)} pages ({args.kinds or 'all kinds'}), "
        f"{len(prepared)} cleaned, rejected {dict(sorted(rejected.items()))}; "
        f"linking {link_ms:.2f} ms CPU/page (NER spans reused)"
    )
    for kind, label in ((PERSON, "persons"), (ORGANISATION, "organisations")):
        counts = pairs[kind]
        junk = {v: n for v, n in counts.items() if labels.get((kind, v)) == "junk"}
        ok = {v: n for v, n in counts.items() if labels.get((kind, v)) == "ok"}
        labelled_junk = sum(1 for (k, _), verdict in labels.items() if k == kind and verdict == "junk")
        labelled_ok = sum(1 for (k, _), verdict in labels.items() if k == kind and verdict == "ok")
        top = [v for v, _ in counts.most_common(args.top or 100)]
        unlabelled = sum(1 for v in top if (kind, v) not in labels)
        top_junk = sum(1 for v in top if labels.get((kind, v)) == "junk")
        print(
            f"  {label:13}: distinct {len(counts):5}, (page, value) pairs {sum(counts.values()):5}; "
            f"labelled junk still emitted {len(junk):3} of {labelled_junk} ({sum(junk.values())} pairs), "
            f"labelled ok still emitted {len(ok):3} of {labelled_ok} ({sum(ok.values())} pairs); "
            f"top-{len(top)}: junk {top_junk}, unlabelled {unlabelled}"
        )
    if args.top:
        for kind in (PERSON, ORGANISATION):
            print(f"\ntop {args.top} {kind} values (pages, label):")
            for value, n in pairs[kind].most_common(args.top):
                print(f"{kind}\t{value}\t{labels.get((kind, value), '?')}\t{n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
