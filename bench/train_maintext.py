"""Train the main-text model (``etl.maintext``) on the tuning part of the public sets; write ``etl/maintext_model.py``.

Why a script in ``bench/``: training reads the evaluation pages from ``../shared`` (never copied into the project);
only the learned weights, a few thousand numbers, go into the package. Run it again after changing a feature:

    python bench/train_maintext.py [--cv] [--processes 2]

Data: the ``tune`` part (split by domain, ``bench/extraction_data.py``) of WCXB-dev (1,497 pages of 7 kinds) and
Scrapinghub (gold main text: a block is main content when at least half of its word trigrams are in the gold, or,
for blocks of one or two words, when the gold holds them), and of trafilatura-dev (snippets only: a block holding a
``with`` snippet is content, a block that is mostly a ``without`` snippet is not, the rest is left out). The
``held-out`` part is never read here.

Weights: each block counts by its words, each page equally (the sets score pages, and words within them). Blocks of
tiny weight (single-word menu items) are sampled in proportion to their weight and re-weighted, which keeps the
estimate unbiased and the training a few minutes long.

Model: stage 1 is a logistic regression (Newton's method, L2); stage 2 the mean of ``ENSEMBLE`` networks with one
hidden layer of ``HIDDEN`` ReLU units (Adam, seeds 0, 1, ...) over the stage-1 features plus
``etl.maintext.context_features``. The hyper-parameters below (``HIDDEN``, ``EPOCHS``, ``ENSEMBLE``, ``SELECT_BETA``,
``SELECT_FLOOR``) were chosen by 5-fold cross-validation by domain inside the tuning part (``--cv`` prints it).
Everything is deterministic: the same pages give the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import numpy.typing as npt

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # runnable as a script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

from bench import extraction_data as data  # noqa: E402 - after the sys.path fix above
from etl import maintext  # noqa: E402
from etl.errors import RejectedInput  # noqa: E402
from etl.htmlclean import prepare  # noqa: E402

Array = npt.NDArray[np.float64]
OUTPUT = REPO_ROOT / "etl" / "maintext_model.py"
HIDDEN = 32
EPOCHS = 10
ENSEMBLE = 4  # stage-2 networks averaged: better calibrated than one (cross-validated F1 +0.8 to +1.6 points)
STAGE1_L2 = 1.0
STAGE2_L2 = 1e-4
LEARNING_RATE = 3e-3
BATCH = 2048
SELECT_BETA = 0.65
SELECT_FLOOR = 0.2
SEED = 0
READER_EVERY = 5  # one tuning page in this many also gives a reader-view page (reader_view)
_TOKEN_RE = re.compile(r"\w+")


@dataclass
class PageData:
    """One tuning page ready for training: features, labels (NaN: unlabelled), word counts, block structure."""

    key: tuple[str, str]
    domain: str
    features: Array
    words: Array
    labels: Array
    seg: maintext.Segmented | None


def _labels_from_gold(texts: Sequence[str], gold: str) -> Array:
    tokens = _TOKEN_RE.findall(gold.lower())
    grams = {n: {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)} for n in (1, 2, 3)}
    out = np.zeros(len(texts))
    for i, text in enumerate(texts):
        words = _TOKEN_RE.findall(text.lower())
        if len(words) >= 3:
            trigrams = [tuple(words[j : j + 3]) for j in range(len(words) - 2)]
            out[i] = sum(t in grams[3] for t in trigrams) / len(trigrams) >= 0.5
        elif words:
            out[i] = tuple(words) in grams[len(words)]
    return out


def _labels_from_snippets(texts: Sequence[str], with_: Sequence[str], without: Sequence[str]) -> Array:
    out = np.full(len(texts), np.nan)
    for i, text in enumerate(texts):
        if any(s in text for s in with_):
            out[i] = 1.0
        elif any(s in text and len(s) >= 0.5 * len(text) for s in without):
            out[i] = 0.0
    return out


def page_data(page: data.EvalPage) -> PageData | None:
    try:
        prepared = prepare(data.read_html(page.path))
    except RejectedInput:
        return None
    seg = prepared.seg
    features, words = maintext.block_features(seg, prepared.signals)
    if page.set == data.TRAFILATURA_DEV:
        labels = _labels_from_snippets(seg.texts, page.with_, page.without)
    else:
        labels = _labels_from_gold(seg.texts, page.gold)
    return PageData((page.set, page.id), page.domain, features, words, labels, seg)


def reader_view(page: data.EvalPage) -> PageData | None:
    """The page's gold text alone in bare markup, every block content: a saved "reader view" or a minimal page.

    Real pages always come with chrome, so without these the model would never see a page that is all article (a
    user's simplified save, an e-mail, a test page) and would doubt its blocks. Built from the tuning part's gold
    only; the wrapping (bare body, ``<article>``, ``<div>``, with or without ``<h1>``) varies with a hash of the id.
    """
    paragraphs = [" ".join(line.split()) for line in page.gold.split("\n") if line.strip()]
    if not paragraphs:
        return None
    variant = int(hashlib.sha256(page.id.encode()).hexdigest(), 16)
    title = html.escape(str(page.meta.get("title") or paragraphs[0][:60]))
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if variant & 1:
        body = f"<h1>{title}</h1>{body}"
    wrapper = ("{}", "<article>{}</article>", "<div class='content'>{}</div>", "<main><div>{}</div></main>")[
        (variant >> 1) % 4
    ]
    markup = f"<html><head><title>{title}</title></head><body>{wrapper.format(body)}</body></html>"
    try:
        prepared = prepare(markup)
    except RejectedInput:
        return None
    features, words = maintext.block_features(prepared.seg, prepared.signals)
    labels = np.ones(len(words))
    return PageData(("reader", page.id), page.domain, features, words, labels, prepared.seg)


def load_pages(processes: int) -> list[PageData]:
    pages = [p for name in data.SETS for p in data.load_set(name) if p.part == data.TUNE]
    with Pool(processes) as pool:
        found = pool.map(page_data, pages, chunksize=8)
    readers = [p for p in pages if p.gold and int(hashlib.sha256(p.id.encode()).hexdigest(), 16) % READER_EVERY == 0]
    found += [reader_view(p) for p in readers]
    return [p for p in found if p is not None and len(p.words) and np.any(~np.isnan(p.labels))]


# --- fitting ---------------------------------------------------------------------------------------------------


@dataclass
class Stage1:
    mean: Array
    scale: Array
    coef: Array
    bias: float

    def predict(self, x: Array) -> Array:
        return maintext.sigmoid(((x - self.mean) / self.scale) @ self.coef + self.bias)


@dataclass
class Stage2:
    mean: Array
    scale: Array
    w1: Array
    b1: Array
    w2: Array
    b2: float

    def predict(self, x: Array) -> Array:
        hidden = np.maximum(((x - self.mean) / self.scale) @ self.w1 + self.b1, 0.0)
        return maintext.sigmoid(hidden @ self.w2 + self.b2)


def _standardise(x: Array) -> tuple[Array, Array]:
    return x.mean(0), x.std(0) + 1e-6


def fit_stage1(x: Array, y: Array, w: Array) -> Stage1:
    """Weighted L2 logistic regression by Newton's method."""
    mean, scale = _standardise(x)
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    penalty = STAGE1_L2 * np.r_[np.ones(z.shape[1] - 1), 0.0]
    for _ in range(12):
        p = maintext.sigmoid(z @ beta)
        gradient = z.T @ (w * (p - y)) + penalty * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    return Stage1(mean, scale, beta[:-1], float(beta[-1]))


def fit_stage2(x: Array, y: Array, w: Array, seed: int = SEED) -> Stage2:
    """One hidden layer of ReLU units, weighted cross-entropy, Adam; deterministic (fixed seed and order)."""
    rng = np.random.default_rng(seed)
    mean, scale = _standardise(x)
    z = ((x - mean) / scale).astype(np.float32)
    target, weight = y.astype(np.float32), (w / w.mean()).astype(np.float32)
    d = z.shape[1]
    params = [
        (rng.standard_normal((d, HIDDEN)) * np.sqrt(2 / d)).astype(np.float32),
        np.zeros(HIDDEN, np.float32),
        (rng.standard_normal(HIDDEN) * np.sqrt(1 / HIDDEN)).astype(np.float32),
        np.zeros(1, np.float32),
    ]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    step = 0
    for _ in range(EPOCHS):
        order = rng.permutation(len(z))
        for start in range(0, len(z), BATCH):
            batch = order[start : start + BATCH]
            xb, yb, wb = z[batch], target[batch], weight[batch]
            pre = xb @ params[0] + params[1]
            hidden = np.maximum(pre, 0)
            p = 1 / (1 + np.exp(-(hidden @ params[2] + params[3][0])))
            g = wb * (p - yb) / len(batch)
            g_hidden = np.outer(g, params[2]) * (pre > 0)
            grads = [
                xb.T @ g_hidden + STAGE2_L2 * params[0],
                g_hidden.sum(0),
                hidden.T @ g + STAGE2_L2 * params[2],
                np.array([g.sum()], np.float32),
            ]
            step += 1
            for i, grad in enumerate(grads):
                moments[i] = 0.9 * moments[i] + 0.1 * grad
                squares[i] = 0.999 * squares[i] + 0.001 * grad * grad
                m_hat = moments[i] / (1 - 0.9**step)
                v_hat = squares[i] / (1 - 0.999**step)
                params[i] -= LEARNING_RATE * m_hat / (np.sqrt(v_hat) + 1e-8)
    w1, b1, w2, b2 = (p.astype(np.float64) for p in params)
    return Stage2(mean, scale, w1, b1, w2, float(b2[0]))


def _training_rows(pages: Sequence[PageData]) -> tuple[Array, Array, Array, npt.NDArray[np.bool_]]:
    """Stacked features, labels (0/1), weights, and the deterministic sample of rows to train on."""
    x = np.vstack([p.features for p in pages])
    labels = np.concatenate([p.labels for p in pages])
    weights = []
    for p in pages:
        w = p.words.copy()
        w[np.isnan(p.labels)] = 0.0
        weights.append(w / max(w.sum(), 1e-9))
    w_all = np.concatenate(weights)
    rng = np.random.default_rng(SEED)
    typical = np.median(w_all[w_all > 0])
    keep_probability = np.minimum(1.0, w_all / typical)
    sample = (rng.random(len(w_all)) < keep_probability) & (w_all > 0)
    w_all = np.where(sample, w_all / np.maximum(keep_probability, 1e-12), 0.0)
    return x, np.nan_to_num(labels), w_all, sample


Model = tuple[Stage1, list[Stage2]]


def fit(pages: Sequence[PageData]) -> Model:
    """Stage 1, then ``ENSEMBLE`` stage-2 networks that differ only by their seed (their mean is the probability)."""
    x, y, w, sample = _training_rows(pages)
    first = fit_stage1(x[sample], y[sample], w[sample])
    second_x = np.vstack(
        [
            np.hstack([p.features, maintext.context_features(p.seg, p.words, first.predict(p.features))])
            for p in pages
            if p.seg is not None
        ]
    )
    return first, [fit_stage2(second_x[sample], y[sample], w[sample], seed) for seed in range(ENSEMBLE)]


def predict(page: PageData, model: Model) -> Array:
    first, seconds = model
    assert page.seg is not None
    p1 = first.predict(page.features)
    x = np.hstack([page.features, maintext.context_features(page.seg, page.words, p1)])
    return np.mean([second.predict(x) for second in seconds], axis=0)


# --- cross-validation inside the tuning part -------------------------------------------------------------------


def cross_validate(pages: Sequence[PageData], folds: int = 5) -> None:
    """Out-of-fold predictions by domain, scored like the sets (WCXB word F1, Scrapinghub shingle F1, snippets)."""
    import extraction_eval as ev

    by_key = {(p.set, p.id): p for name in data.SETS for p in data.load_set(name) if p.part == data.TUNE}

    def fold_of(domain: str) -> int:
        return hashlib.md5(domain.encode()).digest()[0] % folds

    predictions: dict[tuple[str, str], Array] = {}
    for fold in range(folds):
        model = fit([p for p in pages if fold_of(p.domain) != fold])
        for p in pages:
            if fold_of(p.domain) == fold and p.key[0] != "reader":
                predictions[p.key] = predict(p, model)
    for beta in (0.6, 0.65, 0.8):
        for floor in (0.2,):
            texts = {}
            for p in pages:
                if p.key[0] == "reader":
                    continue
                assert p.seg is not None
                keep = maintext.select(predictions[p.key], p.words, beta, floor)
                texts[p.key] = "\n".join(t for t, k in zip(p.seg.texts, keep, strict=True) if k)
            print(f"beta {beta} floor {floor}: {ev.score_texts(texts, by_key)}")


# --- output --------------------------------------------------------------------------------------------------------


def _literal(values: Array) -> str:
    return "[" + ", ".join(f"{v:.5g}" for v in np.asarray(values).ravel()) + "]"


def write_model(model: Model, pages: Sequence[PageData]) -> None:
    first, seconds = model
    counts = {name: sum(1 for p in pages if p.key[0] == name) for name in data.SETS}
    blocks = sum(len(p.words) for p in pages)
    width = len(maintext.FEATURES) + len(maintext.CONTEXT_FEATURES)
    wcxb, scrapinghub, trafilatura_dev = (counts[n] for n in (data.WCXB, data.SCRAPINGHUB, data.TRAFILATURA_DEV))
    text = f'''"""Weights of the main-text model (``etl.maintext``), made by ``bench/train_maintext.py``: do not edit.

Trained {dt.date.today().isoformat()} on the tuning part (split by domain) of WCXB-dev ({wcxb} pages;
CC-BY-4.0, Murrough Foley, WCXB), Scrapinghub ({scrapinghub} pages; MIT) and trafilatura-dev
({trafilatura_dev} pages, snippets; Apache-2.0), plus reader views of some of their gold texts: {blocks:,} blocks.
Only these numbers come from the pages; the pages stay in ``../shared``. Stage 1: logistic regression over
``FEATURES``; stage 2: the mean of {len(seconds)} networks of {HIDDEN} ReLU units over ``FEATURES + CONTEXT_FEATURES``.
"""

# ruff: noqa: E501

from __future__ import annotations

import numpy as np

from etl.maintext import CONTEXT_FEATURES, FEATURES

SELECT_BETA = {SELECT_BETA}
SELECT_FLOOR = {SELECT_FLOOR}
FEATURE_COUNT = {len(maintext.FEATURES)}
CONTEXT_COUNT = {len(maintext.CONTEXT_FEATURES)}
assert (len(FEATURES), len(CONTEXT_FEATURES)) == (FEATURE_COUNT, CONTEXT_COUNT), "features changed: retrain"

STAGE1_MEAN = np.array({_literal(first.mean)})
STAGE1_SCALE = np.array({_literal(first.scale)})
STAGE1_COEF = np.array({_literal(first.coef)})
STAGE1_BIAS = {first.bias:.6g}

STAGE2_MEAN = np.array({_literal(seconds[0].mean)})
STAGE2_SCALE = np.array({_literal(seconds[0].scale)})
STAGE2_W1 = np.array({_literal(np.stack([s.w1 for s in seconds]))}).reshape({len(seconds)}, {width}, {HIDDEN})
STAGE2_B1 = np.array({_literal(np.stack([s.b1 for s in seconds]))}).reshape({len(seconds)}, {HIDDEN})
STAGE2_W2 = np.array({_literal(np.stack([s.w2 for s in seconds]))}).reshape({len(seconds)}, {HIDDEN})
STAGE2_B2 = np.array({_literal(np.array([s.b2 for s in seconds]))})
'''
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes) from {len(pages)} pages, {blocks:,} blocks")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--cv", action="store_true", help="print 5-fold cross-validation by domain, then train")
    args = parser.parse_args(argv)
    pages = load_pages(args.processes)
    print(f"{len(pages)} tuning pages")
    if args.cv:
        cross_validate(pages)
    write_model(fit(pages), pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
