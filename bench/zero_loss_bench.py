"""Zero loss on real pages: every page of ``../shared/data/extraction`` through ``newsfacet run``, as a user would.

What runs: the Scrapinghub pages (181), the trafilatura evaluation half we have (487) and WCXB's development split
(1,497 pages of 7 kinds) are copied into a temporary inbox (the pages stay outside the project), then the real
command ``newsfacet run INBOX`` indexes them into a throw-away alias on the node at ``ELASTICSEARCH_URL``. The bench
reads the run's summary and ledger and checks the contract:

- no crash (the command exits 0, or non-zero only because it reports articles lost to the index);
- no ``index_rejected`` and no ``processing_error``: nothing lost to the index;
- every article page whose gold main text has 100 words or more is indexed (Scrapinghub's ``articleBody``, WCXB's
  ``main_content``; the trafilatura set has snippets, not bodies, so it is counted, not checked); a WCXB page of
  another kind (forum, product, listing...) with such a text is indexed or answered ``not_an_article`` (the user is
  told, with a note, that the page holds no story), never emptied under another reason; a ``duplicate`` (the same
  page as another file, indexed under that one) is answered;
- every page ends exactly one way: indexed or rejected with a reason.

Usage: ``python -m bench.zero_loss_bench [--limit N] [--keep]``. Prints a table by set and reason.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from bench.common import Figure, drop_alias, load_average, print_figures
from bench.extraction_data import wcxb_kind
from etl.settings import Settings
from etl.store.client import connect
from etl.store.ledger import LEDGER_SUFFIX
from tests.paths import SHARED

EXTRACTION = SHARED / "data" / "extraction"
SETS = {"scrapinghub": "scrapinghub/html", "trafilatura-dev": "trafilatura-dev/html", "wcxb-dev": "wcxb-dev/html"}
MIN_GOLD_WORDS = 100


def gold_words() -> tuple[dict[str, int], dict[str, str]]:
    """Words of the gold main text of each page that has one, and the kind of each WCXB page, by
    ``<set>/<file name>`` (Scrapinghub's pages are all articles)."""
    words: dict[str, int] = {}
    kinds: dict[str, str] = {}
    scrapinghub = json.loads((EXTRACTION / "scrapinghub" / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id, gold in scrapinghub.items():
        words[f"scrapinghub/{page_id}.html.gz"] = len(re.findall(r"\w+", gold.get("articleBody") or ""))
        kinds[f"scrapinghub/{page_id}.html.gz"] = "article"
    for path in sorted((EXTRACTION / "wcxb-dev" / "ground-truth").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        words[f"wcxb-dev/{path.stem}.html.gz"] = len(re.findall(r"\w+", data["ground_truth"].get("main_content") or ""))
        kinds[f"wcxb-dev/{path.stem}.html.gz"] = wcxb_kind(data)
    return words, kinds


def build_inbox(inbox: Path, limit: int | None) -> dict[str, str]:
    """Copy each set's pages into ``inbox/<set>/`` (copies: links out of an inbox are refused, rightly)."""
    kinds: dict[str, str] = {}
    for name, folder in SETS.items():
        target = inbox / name
        target.mkdir(parents=True)
        for path in sorted((EXTRACTION / folder).iterdir())[:limit]:
            shutil.copyfile(path, target / path.name)
            kinds[f"{name}/{path.name}"] = name
    return kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="pages per set (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the alias and the inbox afterwards")
    args = parser.parse_args()
    alias = f"nf-bench-zero-loss-{uuid.uuid4().hex[:6]}"
    work = Path(tempfile.mkdtemp(prefix="newsfacet-zero-loss-"))
    inbox = work / "inbox"
    sets = build_inbox(inbox, args.limit)
    env = {
        **os.environ,
        "NEWSFACET_INDEX": alias,
        "NEWSFACET_DATA_DIR": str(work / "var"),
        "NEWSFACET_INBOX": str(inbox),
    }
    settings = Settings.from_env(env)
    print(
        f"zero-loss bench: {len(sets)} pages -> alias {alias} on {settings.display_url}; {load_average()}", flush=True
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "etl", "run", str(inbox)], capture_output=True, text=True, env=env, check=False
    )
    seconds = time.monotonic() - started
    summary_line = next((line for line in done.stdout.splitlines() if line.startswith("summary:")), "")
    print(summary_line or done.stdout[-2000:])
    crashed = "Traceback" in done.stderr or (done.returncode != 0 and "lost to the index" not in done.stderr)
    client = connect(settings)
    try:
        fates = _fates(client, alias)
    finally:
        if not args.keep:
            drop_alias(client, alias)  # the indices behind it, its ledger and stat cache
            client.close()
            shutil.rmtree(work, ignore_errors=True)
    gold, page_kinds = gold_words()
    table: dict[str, Counter[str]] = {name: Counter() for name in SETS}
    by_kind: dict[str, Counter[str]] = {}
    missed: list[str] = []
    for page, set_name in sets.items():
        fate = fates.get(page, "no fate (lost)")
        table[set_name][fate] += 1
        kind = page_kinds.get(page, "")
        if set_name == "wcxb-dev":
            by_kind.setdefault(f"wcxb {kind}", Counter())[fate] += 1
        # A duplicate's content is in the index under the first file holding it (WCXB has two pairs of identical
        # pages with different gold); a non-article page told not_an_article has its answer.
        answered = fate in ("indexed", "duplicate") or (fate == "not_an_article" and kind not in ("article", ""))
        if not answered and gold.get(page, 0) >= MIN_GOLD_WORDS:
            missed.append(f"{page} ({kind}, {gold[page]} gold words): {fate}")
    _print_table(table)
    _print_table(by_kind)
    if missed:
        print(f"\npages with >= {MIN_GOLD_WORDS} gold words lost ({len(missed)}):")
        for line in missed[:40]:
            print(f"  {line}")
    unanswered = sum(counts["no fate (lost)"] for counts in table.values())
    lost = sum(counts["index_rejected"] + counts["processing_error"] for counts in table.values())
    stderr = done.stderr.strip()
    print(f"\nrun: {seconds:.0f} s, exit {done.returncode}{'; stderr: ' + stderr[-600:] if stderr else ''}")
    print_figures(
        "zero loss",
        [
            Figure("pages", len(sets), "", "", None),
            Figure("crashes", float(crashed), "", "0", not crashed),
            Figure("pages without an answer", unanswered, "", "0", unanswered == 0),
            Figure("articles lost to the index", lost, "", "0", lost == 0),
            Figure(
                f"pages with >= {MIN_GOLD_WORDS} gold words lost (not indexed, not told not_an_article)",
                len(missed),
                "",
                "0",
                not missed,
            ),
        ],
    )
    return 0 if not (crashed or unanswered or lost or missed) else 1


def _fates(client: object, alias: str) -> dict[str, str]:
    """What the ledger says each page became: ``indexed`` or its rejection reason, by ``<set>/<file name>``."""
    from elasticsearch import Elasticsearch

    assert isinstance(client, Elasticsearch)
    ledger = alias + LEDGER_SUFFIX
    client.indices.refresh(index=ledger)
    fates: dict[str, str] = {}
    after = None
    while True:
        response = client.search(
            index=ledger,
            size=5000,
            sort=[{"source_file": "asc"}, {"content_sha256": "asc"}],
            search_after=after,
            source_includes=["source_file", "outcome", "reason"],
        )
        hits = response["hits"]["hits"]
        for hit in hits:
            source = hit["_source"]
            page = "/".join(Path(source["source_file"]).parts[-2:])
            fates[page] = "indexed" if source["outcome"] == "indexed" else source["reason"]
        if len(hits) < 5000:
            return fates
        after = hits[-1]["sort"]


def _print_table(table: dict[str, Counter[str]]) -> None:
    reasons = sorted({reason for counts in table.values() for reason in counts} - {"indexed"})
    header = f"{'set':<16} {'pages':>6} {'indexed':>8} " + " ".join(f"{r:>15}" for r in reasons)
    print("\n" + header)
    for name, counts in table.items():
        total = sum(counts.values())
        print(f"{name:<16} {total:>6} {counts['indexed']:>8} " + " ".join(f"{counts[r]:>15}" for r in reasons))


if __name__ == "__main__":
    raise SystemExit(main())
