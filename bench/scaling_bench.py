"""Work per character as articles grow: every stage should be linear in text size, so the time per 1,000 characters
stays flat from a short story to the largest file a user may drop, and a worker's memory stays bounded.

What runs: for each size, a fresh process reads one synthetic article from disk and runs it through the stages the
pipeline chains (extract, clean, language, entities, regions, document), with the configured spaCy models. The
article is the project's seeds (our own text) repeated with numbered variations until it reaches the size, as plain
text and as an HTML page. Each process reports its own wall time for the stages (model loading excluded) and its
peak RSS. Before the issue-11 fixes a 2.85 MB page took 357 s and 8.9 GB, its first 700,000 characters 33 s.

Usage: ``python -m bench.scaling_bench [--sizes 25000,100000,400000,2850000]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Figure, load_average, print_figures
from tests.paths import SEEDS

GOAL_RSS_GIB = 0.7


def synthetic_text(size: int) -> str:
    """The seeds' plain-text stories, repeated with a numbered sentence per copy, cut to ``size`` characters."""
    stories = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(SEEDS.glob("*.txt"))]
    parts: list[str] = []
    total, copy = 0, 0
    while total < size:
        story = stories[copy % len(stories)]
        part = f"{story}\n\nDispatch {copy}: the convoy reached checkpoint {copy * 7} near Sabha.\n\n"
        parts.append(part)
        total += len(part)
        copy += 1
    return "".join(parts)[:size]


def synthetic_html(size: int) -> str:
    paragraphs = [p for p in synthetic_text(size).split("\n") if p.strip()]
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs[1:])
    return (
        f"<!doctype html><html><head><title>{paragraphs[0]}</title></head><body><article><h1>{paragraphs[0]}"
        f"</h1>\n{body}</article></body></html>"
    )


_WORKER = """
import json, resource, sys, time
from pathlib import Path
from etl.clean import clean
from etl.document import to_document
from etl.enrich import enrich, warm_up
from etl.extract import decode, read_file
from etl.settings import Settings
settings = Settings.from_env()
warm_up(settings)
start = time.perf_counter()
article = clean(decode(read_file(Path(sys.argv[1]), settings.max_file_bytes), settings.max_file_bytes))
document = to_document(enrich([article], settings)[0])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "analysed": len(article.body), "notes": document["notes"],
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(path: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _WORKER, str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{path.name}: {done.stderr[-1500:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="25000,100000,400000,2850000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"scaling bench, load average {load_average()}")
    print(f"{'input':>22} {'chars in':>10} {'analysed':>9} {'seconds':>8} {'ms/1k chars':>11} {'peak RSS':>9}")
    figures: list[Figure] = []
    worst_rss = 0.0
    per_kchar: dict[str, list[float]] = {"text": [], "html": []}  # in order of size
    with tempfile.TemporaryDirectory() as work:
        for size in sizes:
            for kind, text in (("text", synthetic_text(size)), ("html", synthetic_html(size))):
                path = Path(work) / f"article-{size}.{'txt' if kind == 'text' else 'html'}"
                path.write_text(text, encoding="utf-8")
                result = measure(path)
                analysed = max(1.0, result["analysed"])
                rate = 1000 * result["seconds"] / analysed * 1000
                per_kchar[kind].append(rate)
                worst_rss = max(worst_rss, result["rss_mib"])
                print(
                    f"{kind + ' ' + format(len(text), ',') + ' chars':>22} {len(text):>10,} {int(analysed):>9,} "
                    f"{result['seconds']:>8.2f} {rate:>11.2f} {result['rss_mib']:>6.0f} MiB"
                    f"{'  notes: ' + '; '.join(result['notes']) if result['notes'] else ''}"
                )  # type: ignore[arg-type]
    for kind, rates in per_kchar.items():  # a super-linear stage makes the largest input cost more per character
        figures.append(
            Figure(
                f"{kind}: time per 1k analysed chars, largest / smallest input",
                rates[-1] / rates[0],
                "x",
                "<= about 1 (linear)",
                None,
            )
        )
    figures.append(
        Figure(
            "peak RSS of a worker, any size",
            worst_rss / 1024,
            "GiB",
            f"<= {GOAL_RSS_GIB} GiB",
            worst_rss / 1024 <= GOAL_RSS_GIB,
        )
    )
    print_figures("scaling", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
