"""Throughput of the entities stage against bare spaCy NER, single process, on the seed article varied N times.

Why: NER dominates enrichment time; this shows what the KB scan, linking and quote attribution add on top of
``nlp.pipe`` with only the ``ner`` component, and the memory a worker needs.

Usage: ``python -m bench.entities_bench [N] [--batch-size B]`` (defaults: 200 documents, batch 32).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.entities import extract_entities, load_model  # noqa: E402  (path set above)
from etl.knowledge.actors import KnowledgeBase  # noqa: E402
from etl.records import CleanArticle, Language, analysis_text  # noqa: E402
from etl.settings import Settings  # noqa: E402

SEED = ROOT / "seeds" / "rfi-2018-11-13-haftar-boycotts-palermo.txt"
SWAPS = [("Haftar", "Hifter"), ("Profazio", "Profazio"), ("Palermo", "Rome"), ("Belfer", "Belfer"), ("LNA", "LNA")]


def articles(n: int) -> list[CleanArticle]:
    """The seed, varied so no two documents are identical (spellings, paragraph order, a numbered sentence)."""
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    title, paragraphs = lines[0], lines[1:]
    out = []
    for i in range(n):
        paras = paragraphs[i % 5 :] + paragraphs[: i % 5]
        body = "\n\n".join(paras) + f"\n\nThis is variant {i} of the story, filed by desk {i % 7}."
        if i % 2:
            body = body.replace("Haftar", "Hifter")
        out.append(
            CleanArticle(
                doc_id=str(i),
                source_file=f"{i}.txt",
                content_sha256=str(i),
                title=title,
                body=body,
                paragraphs=tuple(paras),
                credits=("REUTERS/Philippe Wojazer",),
            )
        )
    return out


def rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description="entities stage vs spaCy ner-only throughput")
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    models = Settings().spacy_models
    docs = articles(args.n)
    items = [(a, Language("en", 0.99)) for a in docs]
    chars = sum(len(analysis_text(a)) for a in docs)

    t0 = time.perf_counter()
    kb = KnowledgeBase.load()
    nlp = load_model(models["en"])
    load_s = time.perf_counter() - t0
    print(
        f"load: KB {len(kb)} actors / {kb.alias_count} aliases + model {models['en']} {nlp.pipe_names}: {load_s:.2f}s"
    )
    print(
        f"{args.n} documents, {chars / args.n:.0f} chars each, batch {args.batch_size};"
        f" RSS after load {rss_mb():.0f} MB"
    )

    nlp(analysis_text(docs[0]))  # warm-up
    t0 = time.perf_counter()
    for _ in nlp.pipe((analysis_text(a) for a in docs), batch_size=args.batch_size):
        pass
    ner_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    results = extract_entities(items, models, kb, batch_size=args.batch_size)
    full_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    for a in docs:
        kb.scan(analysis_text(a))
    scan_s = time.perf_counter() - t0

    print(f"spaCy ner only (nlp.pipe) : {args.n / ner_s:7.1f} docs/s  ({ner_s:.2f}s)")
    print(
        f"extract_entities          : {args.n / full_s:7.1f} docs/s  ({full_s:.2f}s; linking+quotes add "
        f"{(full_s - ner_s) / args.n * 1000:.1f} ms/doc)"
    )
    print(f"KB scan alone             : {args.n / scan_s:7.1f} docs/s")
    print(
        f"entities/doc {sum(len(r.entities) for r in results) / args.n:.1f}, "
        f"quotes/doc {sum(len(r.quotes) for r in results) / args.n:.1f}; peak RSS {rss_mb():.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
