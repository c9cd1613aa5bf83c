"""The three public extraction sets, read from ``../shared`` at run time, and their split into tuning / held-out parts.

Why a split: a cleaner tuned on a set scores better on it than on pages it never saw. Every page is assigned by its
web domain (so pages of one site all fall on the same side) to one of two parts with a fixed hash:

- ``tune``: the pages the project may look at and fit to (``bench/train_maintext.py`` trains on them only; rules and
  thresholds are chosen on them);
- ``held-out``: never looked at page by page; ``bench/extraction_eval.py`` reports their figures beside the tuned
  part's, and the quality gate's floors are set from them.

The hash is SHA-256 of the lower-cased host name without ``www.``; its first byte's low bit picks the part. It does
not depend on the set, the page or its content, so it cannot be steered. Pages stay with their publishers: nothing
here is copied into the project.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

TUNE, HELD_OUT = "tune", "held-out"
PARTS = (TUNE, HELD_OUT)
SCRAPINGHUB, TRAFILATURA_DEV, WCXB = "scrapinghub", "trafilatura-dev", "wcxb-dev"
SETS = (SCRAPINGHUB, TRAFILATURA_DEV, WCXB)
KINDS = ("article", "forum", "product", "collection", "listing", "documentation", "service")  # WCXB's order


@dataclass(frozen=True)
class EvalPage:
    """One page of a set: where its HTML is, which part it belongs to, and its gold."""

    set: str
    id: str
    path: str
    domain: str
    part: str
    gold: str = ""  # main text (Scrapinghub articleBody, WCXB main_content)
    with_: tuple[str, ...] = ()  # trafilatura-dev: snippets that must be kept
    without: tuple[str, ...] = ()  # ... and snippets that must be gone
    kind: str = "article"  # WCXB page kind
    meta: dict[str, str | None] = field(default_factory=dict)  # WCXB gold title / author / publish_date


def shared_dir() -> Path:
    """The shared material: ``$NEWSFACET_SHARED_DIR`` or ``../shared`` beside the repository."""
    override = os.environ.get("NEWSFACET_SHARED_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[1].parent / "shared"


def set_dir(name: str) -> Path:
    return shared_dir() / "data" / "extraction" / name


def domain_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def part_of(domain: str) -> str:
    """The fixed split by domain (module doc)."""
    return HELD_OUT if hashlib.sha256(domain.encode("utf-8")).digest()[0] & 1 else TUNE


def scrapinghub_pages() -> list[EvalPage]:
    base = set_dir(SCRAPINGHUB)
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    out = []
    for key, item in sorted(truth.items()):
        domain = domain_of(item.get("url") or "") or key
        path = str(base / "html" / f"{key}.html.gz")
        out.append(EvalPage(SCRAPINGHUB, key, path, domain, part_of(domain), gold=item.get("articleBody") or ""))
    return out


def trafilatura_dev_pages() -> list[EvalPage]:
    base = set_dir(TRAFILATURA_DEV)
    data = json.loads((base / "evaldata-dev.json").read_text(encoding="utf-8"))
    out = []
    for url, item in sorted(data.items()):
        path = base / "html" / f"{item['file']}.gz"
        if not path.exists():
            path = base / "html" / item["file"]
        domain = domain_of(url) or url
        with_, without = tuple(item.get("with", [])), tuple(item.get("without", []))
        out.append(EvalPage(TRAFILATURA_DEV, url, str(path), domain, part_of(domain), with_=with_, without=without))
    return out


def wcxb_kind(data: dict[str, object]) -> str:
    """The page kind exactly as WCXB's ``evaluate.py`` reads it (``get_page_type``: "category" is "collection")."""
    internal = data.get("_internal") or {}
    found = internal.get("page_type", {}) if isinstance(internal, dict) else {}
    if isinstance(found, dict):
        kind = found.get("primary", "article")
    elif isinstance(found, str):
        kind = found
    else:
        kind = "article"
    return "collection" if kind == "category" else str(kind)


def wcxb_pages() -> list[EvalPage]:
    """WCXB dev pages as its scorer loads them (ground truth files whose ``ground_truth`` is an object)."""
    base = set_dir(WCXB)
    out = []
    for file in sorted((base / "ground-truth").glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        gold = data.get("ground_truth", {})
        if not isinstance(gold, dict):
            continue
        domain = domain_of(str(data.get("url") or "")) or file.stem
        meta = {key: gold.get(key) for key in ("title", "author", "publish_date")}
        path = str(base / "html" / f"{file.stem}.html.gz")
        out.append(
            EvalPage(
                WCXB,
                file.stem,
                path,
                domain,
                part_of(domain),
                gold=gold.get("main_content", "") or "",
                with_=tuple(gold.get("with") or ()),
                without=tuple(gold.get("without") or ()),
                kind=wcxb_kind(data),
                meta=meta,
            )
        )
    return out


def load_set(name: str) -> list[EvalPage]:
    return {SCRAPINGHUB: scrapinghub_pages, TRAFILATURA_DEV: trafilatura_dev_pages, WCXB: wcxb_pages}[name]()


def read_html(path: str | Path) -> str:
    """Decode a (gzipped) saved page the way trafilatura would; every extractor then gets the same str."""
    from trafilatura.utils import decode_file

    raw = Path(path).read_bytes()
    if str(path).endswith(".gz"):
        raw = gzip.decompress(raw)
    return str(decode_file(raw))
