"""A run's report: counts by outcome and reason, and the rejections a person needs to see.

Batches return counts only (small enough for Airflow's XCom at any size); the list of rejected files is read back
from the ledger by run id when the run finishes (``etl.run.flow.finish``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunReport:
    """Counts by outcome and reason. Every file read ends in exactly one of indexed / unchanged / rejected."""

    run_id: str
    read: int = 0
    indexed: int = 0
    unchanged: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    entities: int = 0
    with_region: int = 0
    analysis_fallback: list[str] = field(default_factory=list)
    rejections: list[dict[str, str]] = field(default_factory=list)
    """``source_file``, ``reason``, ``detail`` of each rejected file (filled from the ledger when a run finishes)."""
    stale: int = 0
    """Documents an older pipeline version made, when the run was planned (``newsfacet run --stale`` redoes them)."""
    stale_redone: int = 0
    """Files re-processed this run because their document was stale."""
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    """The top person and organisation names no knowledge-base entry covers (``newsfacet kb suggest``)."""

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def merge(self, other: RunReport) -> None:
        """Fold a batch's counts into the run's."""
        self.read += other.read
        self.indexed += other.indexed
        self.unchanged += other.unchanged
        self.rejected.update(other.rejected)
        self.entities += other.entities
        self.with_region += other.with_region
        self.rejections.extend(other.rejections)
        for name in other.analysis_fallback:
            if name not in self.analysis_fallback:
                self.analysis_fallback.append(name)

    def counts(self) -> dict[str, Any]:
        """The counts alone, as plain JSON (what a batch hands on through XCom)."""
        return {
            "run_id": self.run_id,
            "read": self.read,
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "rejected": dict(sorted(self.rejected.items())),
            "rejected_total": self.rejected_total,
            "entities": self.entities,
            "with_region": self.with_region,
            "analysis_fallback": self.analysis_fallback,
            "stale": self.stale,
            "stale_redone": self.stale_redone,
        }

    def to_dict(self) -> dict[str, Any]:
        """Counts, rejections and the curation suggestions (``var/runs/<run id>.json``)."""
        return {**self.counts(), "rejections": self.rejections, "suggestions": self.suggestions}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunReport:
        return cls(
            run_id=data["run_id"],
            read=data["read"],
            indexed=data["indexed"],
            unchanged=data["unchanged"],
            rejected=Counter(data["rejected"]),
            entities=data.get("entities", 0),
            with_region=data.get("with_region", 0),
            analysis_fallback=list(data.get("analysis_fallback", [])),
            rejections=list(data.get("rejections", [])),
            stale=data.get("stale", 0),
            stale_redone=data.get("stale_redone", 0),
            suggestions=list(data.get("suggestions", [])),
        )

    def summary(self, with_stale: bool = True) -> str:
        """The line a person waiting on a run reads (``with_stale``: the run's count of stale documents; a batch
        has none of its own)."""
        reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(self.rejected.items()))
        share = f"{self.with_region / self.indexed:.0%}" if self.indexed else "n/a"
        text = (
            f"read {self.read} · indexed {self.indexed} · unchanged {self.unchanged} · "
            f"rejected {self.rejected_total}{f' ({reasons})' if reasons else ''} · "
            f"entities {self.entities} · with a region {share}"
        )
        if with_stale:
            text += f" · stale {self.stale}{f' (re-done {self.stale_redone})' if self.stale_redone else ''}"
        if self.analysis_fallback:
            text += f" · WARNING analyzers replaced by standard: {', '.join(self.analysis_fallback)}"
        return text
