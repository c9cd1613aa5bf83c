"""Helpers the benchmarks share: figures printed beside their goals, the load average, throwaway aliases.

Why: every bench prints the same "figure | goal | met" lines (``run_all`` collects them), records the machine's
load (timings on a busy machine are noisy and must say so), and indexes into an alias of its own on the real node
that it deletes by concrete index names afterwards (the node refuses wildcard deletes).
"""

from __future__ import annotations

import math
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from etl.settings import Settings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_WORKDIR = Path(os.environ.get("NEWSFACET_BENCH_DIR", "/tmp/newsfacet-bench"))
BENCH_PREFIX = "nf-bench-"


@dataclass(frozen=True)
class Figure:
    """One measured figure and, when the issue sets one, its goal (``met`` is None when there is no goal)."""

    name: str
    value: float
    unit: str
    goal: str = ""
    met: bool | None = None

    def line(self) -> str:
        verdict = "" if self.met is None else ("met" if self.met else "NOT MET")
        value = f"{self.value:,.2f}" if abs(self.value) < 100 else f"{self.value:,.0f}"
        return f"  {self.name:<44} {value:>12} {self.unit:<10} {self.goal:<18} {verdict}"


def print_figures(title: str, figures: list[Figure]) -> None:
    print(f"\n== {title} ==")
    for figure in figures:
        print(figure.line())


def load_average() -> str:
    """The 1/5/15-minute load average and core count: the context every timing here needs."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def bench_settings(data_dir: Path) -> Settings:
    """Settings from the environment with an alias of the bench's own (``nf-bench-<random>``)."""
    alias = f"{BENCH_PREFIX}{uuid.uuid4().hex[:8]}"
    return Settings.from_env({**os.environ, "NEWSFACET_INDEX": alias, "NEWSFACET_DATA_DIR": str(data_dir)})


def drop_alias(client: Elasticsearch, alias: str) -> list[str]:
    """Delete the indices behind ``alias``, its ledger and the ledger's stat cache (``etl.store.ledger``) and
    relink's checks (``etl.run.relink``), by concrete name; returns what was deleted."""
    names: list[str] = []
    if client.indices.exists_alias(name=alias):
        names.extend(client.indices.get_alias(name=alias).body)
    for extra in (alias + "-ledger", alias + "-ledger-stat", alias + "-knowledge-checks"):
        if client.indices.exists(index=extra):
            names.append(extra)
    if names:
        client.indices.delete(index=",".join(sorted(set(names))))
    return names


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]
