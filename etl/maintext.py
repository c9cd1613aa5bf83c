"""Which text blocks of a page are its main content: a small learned model, then a per-page choice.

Why a model of our own rather than trafilatura's main-text extraction: trafilatura's rules favour one reading of a page
(precise or recall-first, chosen up front for every page), cost 10-30 ms a page, and on pages nobody tuned them on they
lose content (teasers and story lists of an article, forum posts, product and listing text). Here every block gets a
probability of belonging to the main content, from features any page has: its length, links and punctuation, the
class names and tags around it (``nav``, ``footer``, a "related" box, ``<main>``, a repeated card...), its
neighbours, and what the page declares itself to be (schema.org type, ``og:type``). Two stages:

1. a logistic regression over the block's own features;
2. the mean of a few one-hidden-layer networks (same data, different seeds: the mean is better calibrated than any
   one) over the same features plus the stage-1 probabilities of the neighbours and the container that gathers most
   of the likely content (the subtree maximising the sum of ``words * (p - tau)``), so a lone likely block outside
   the article (a teaser) is told from one inside it.

Then a per-page choice instead of one fixed threshold: blocks are taken in order of probability as long as the
expected F-score (precision weighted by ``SELECT_BETA``) still rises. A page whose blocks are all clear-cut keeps
just those; a page where much is uncertain (a forum thread, a product page) keeps more. This is the principled form
of "choose per page between the precise and the recall-favouring extraction".

The weights are data, learned by ``bench/train_maintext.py`` on the tuning half of the public evaluation sets (split
by domain, so the other half measures pages from sites the model never saw) and written to ``etl/maintext_model.py``.
Every feature is computed with numpy over the whole page at once; the cost is linear in the number of blocks and
elements.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from etl.blocks import CLASS_GROUPS, CONTEXT_TAGS, HIDDEN, ROLE_CHROME, ROLE_MAIN, Segmented, block_tag

Array = npt.NDArray[np.float64]

# What a page declares itself to be (schema.org types in its JSON-LD), grouped.
PAGE_TYPES = (
    (
        "article",
        (
            "Article",
            "NewsArticle",
            "BlogPosting",
            "Report",
            "ReportageNewsArticle",
            "TechArticle",
            "ScholarlyArticle",
            "AnalysisNewsArticle",
            "OpinionNewsArticle",
            "LiveBlogPosting",
        ),
    ),
    ("product", ("Product", "ProductGroup", "Offer", "AggregateOffer", "IndividualProduct")),
    ("forum", ("DiscussionForumPosting", "QAPage", "Question", "Answer", "Comment", "SocialMediaPosting")),
    ("list", ("ItemList", "CollectionPage", "SearchResultsPage", "OfferCatalog")),
    ("faq", ("FAQPage",)),
    ("howto", ("HowTo", "Recipe")),
)
_TYPE_BIT = {name: i for i, (group, names) in enumerate(PAGE_TYPES) for name in names}
_TAG_CLASS = {
    "p": "p",
    "li": "li",
    "h1": "h1",
    "h2": "h23",
    "h3": "h23",
    "h4": "h456",
    "h5": "h456",
    "h6": "h456",
    "td": "td",
    "th": "td",
    "tr": "td",
    "table": "td",
    "caption": "td",
    "dd": "dd",
    "dt": "dd",
    "dl": "dd",
    "pre": "pre",
    "blockquote": "blockquote",
    "figcaption": "fig",
    "figure": "fig",
}
TAG_CLASSES = ("p", "li", "h1", "h23", "h456", "td", "dd", "pre", "blockquote", "fig", "div")
_GROUP_LEVELS = 5  # ancestors whose totals (words, links, blocks) describe a block's surroundings
_REPEAT_LEVELS = 4  # the element and its ancestors: how many siblings share its tag and class (cards, posts)
_CURRENCY_RE = re.compile(r"[$€£¥₹]")
_INITIAL_RE = re.compile(r"(?<!\S)\w")  # the first character of each word
_NO_DIGITS = str.maketrans("", "", "0123456789")
_FINAL = frozenset('.!?:;"”')
_BIT = {name: i for i, (name, _) in enumerate(CLASS_GROUPS)}

FEATURES: tuple[str, ...] = (
    "log_words",
    "link_density",
    "mostly_link",
    "very_short",
    "ends_like_sentence",
    "punctuation",
    "capitalised",
    "digits",
    "currency",
    "repeated_text",
    *(f"tag_{t}" for t in TAG_CLASSES),
    *(f"near_{name}" for name, _ in CLASS_GROUPS),
    *(f"any_{name}" for name, _ in CLASS_GROUPS),
    *(f"in_{tag}" for tag in CONTEXT_TAGS),
    "role_main",
    "role_chrome",
    "hidden",
    "position",
    "words_before",
    "before_h1",
    "no_h1",
    *(
        f"up{level}_{x}"
        for level in range(1, _GROUP_LEVELS + 1)
        for x in ("log_words", "links", "log_blocks", "log_avg_words", "share")
    ),
    *(f"repeat{level}" for level in range(_REPEAT_LEVELS)),
    *(f"next{d}_{x}" for d in (-2, -1, 1, 2) for x in ("log_words", "links", "exists")),
    *(f"page_{group}" for group, _ in PAGE_TYPES),
    "og_article",
    "og_product",
    "og_website",
    "comment_in_forum",
    "product_in_product",
    "card_in_list",
)
CONTEXT_FEATURES: tuple[str, ...] = (
    "logit",
    *(f"logit{d:+d}" for d in (-1, 1, -2, 2, -3, 3)),
    "window5",
    "window15",
    "page_mean",
    *(f"{x}{tau}" for tau in (50, 70, 90) for x in ("inside", "inside_share")),
)


@dataclass
class PageSignals:
    """What the page says about itself outside its visible text: schema.org types, ``og:type``."""

    ld_types: set[str] = field(default_factory=set)
    og_type: str = ""


@dataclass
class Scored:
    """The blocks' word counts, features and main-content probabilities."""

    words: Array
    features: Array
    probability: Array


def block_features(seg: Segmented, signals: PageSignals) -> tuple[Array, Array]:
    """Stage-1 features of every block (rows in ``FEATURES`` order) and the blocks' word counts."""
    n = len(seg.texts)
    if n == 0:
        return np.zeros((0, len(FEATURES))), np.zeros(0)
    texts = seg.texts
    elements = np.asarray(seg.elements, dtype=np.int64)
    words = np.fromiter((max(1, len(t.split())) for t in texts), dtype=np.float64, count=n)
    chars = np.fromiter((len(t) for t in texts), dtype=np.float64, count=n)
    links = np.asarray(seg.link_chars, dtype=np.float64) / chars
    cols: list[Array] = [np.log1p(words), links, (links > 0.8).astype(float), (words <= 3).astype(float)]
    cols.extend(_text_columns(texts, words))
    tag_class = [_TAG_CLASS.get(block_tag(seg, e), "div") for e in seg.elements]
    cols.extend(np.fromiter((c == t for c in tag_class), dtype=np.float64, count=n) for t in TAG_CLASSES)
    near = np.asarray(seg.near_bits, dtype=np.int64)[elements]
    anywhere = np.asarray(seg.class_bits, dtype=np.int64)[elements]
    tag_bits = np.asarray(seg.tag_bits, dtype=np.int64)[elements]
    flags = np.asarray(seg.flags, dtype=np.int64)[elements]
    cols.extend(_bits(near, len(CLASS_GROUPS)))
    cols.extend(_bits(anywhere, len(CLASS_GROUPS)))
    cols.extend(_bits(tag_bits, len(CONTEXT_TAGS)))
    cols.extend(((flags & bit) > 0).astype(float) for bit in (ROLE_MAIN, ROLE_CHROME, HIDDEN))
    cols.extend(_position_columns(seg, tag_bits, words))
    ancestors = _ancestors(seg, elements, max(_GROUP_LEVELS, _REPEAT_LEVELS))
    cols.extend(_group_columns(ancestors, words, links))
    cols.extend(_repeat_columns(seg, ancestors))
    cols.extend(_neighbour_columns(words, links))
    page = _page_columns(signals)
    cols.extend(np.full(n, value) for value in page)
    forum, product, listing = page[2], page[1], page[3]
    cols.append((((near >> _BIT["comment"]) & 1) * forum).astype(np.float64))
    cols.append((((near >> _BIT["product"]) & 1) * product).astype(np.float64))
    cols.append((((anywhere >> _BIT["card"]) & 1) * listing).astype(np.float64))
    return np.column_stack(cols).astype(np.float64), words


def _text_columns(texts: Sequence[str], words: Array) -> list[Array]:
    """What the text itself looks like. (The line rules of ``etl.boilerplate`` run after the model, on the kept
    blocks only: as features they cost a third of the model's time for little gain.)"""
    counts = Counter(texts)
    chars = np.fromiter(map(len, texts), dtype=np.float64, count=len(texts))
    initials = [_INITIAL_RE.findall(t) for t in texts]
    return [
        np.fromiter((t[-1] in _FINAL for t in texts), dtype=np.float64, count=len(texts)),
        np.minimum(1.0, np.fromiter((t.count(".") + t.count(",") for t in texts), dtype=np.float64) / words),
        np.fromiter((sum(map(str.isupper, i)) / len(i) if i else 0.0 for i in initials), dtype=np.float64),
        1.0 - np.fromiter((len(t.translate(_NO_DIGITS)) for t in texts), dtype=np.float64) / chars,
        np.fromiter((_CURRENCY_RE.search(t) is not None for t in texts), dtype=np.float64, count=len(texts)),
        np.fromiter((counts[t] > 1 for t in texts), dtype=np.float64, count=len(texts)),
    ]


def _bits(values: npt.NDArray[np.int64], count: int) -> list[Array]:
    return [((values >> i) & 1).astype(float) for i in range(count)]


def _position_columns(seg: Segmented, tag_bits: npt.NDArray[np.int64], words: Array) -> list[Array]:
    n = len(words)
    h1_bit = 1 << CONTEXT_TAGS.index("h1")
    in_h1 = np.flatnonzero(tag_bits & h1_bit)
    index = np.arange(n, dtype=np.float64)
    before = np.cumsum(words) - words
    first_h1 = in_h1[0] if len(in_h1) else -1
    return [
        index / max(1, n - 1),
        before / words.sum(),
        (index < first_h1).astype(float),
        np.full(n, float(first_h1 < 0)),
    ]


def _ancestors(seg: Segmented, elements: npt.NDArray[np.int64], levels: int) -> npt.NDArray[np.int64]:
    """Column k: the k-th ancestor of each block's element (column 0 the element itself); -1 past the root."""
    parents = np.asarray([*seg.parents, -1], dtype=np.int64)  # parents[-1] = -1: the root's ancestors stay -1
    out = np.empty((len(elements), levels + 1), dtype=np.int64)
    out[:, 0] = elements
    for level in range(levels):
        out[:, level + 1] = parents[out[:, level]]
    return out


def _group_columns(ancestors: npt.NDArray[np.int64], words: Array, links: Array) -> list[Array]:
    """For the block's parent, grandparent...: words, link share, blocks, words per block, share of the page."""
    total = words.sum()
    cols: list[Array] = []
    for level in range(1, _GROUP_LEVELS + 1):
        keys = ancestors[:, level] + 1  # -1 (past the root) -> 0
        size = int(keys.max()) + 1
        group_words = np.bincount(keys, weights=words, minlength=size)[keys]
        group_links = np.bincount(keys, weights=words * links, minlength=size)[keys]
        group_blocks = np.bincount(keys, minlength=size)[keys].astype(float)
        cols += [
            np.log1p(group_words),
            group_links / np.maximum(group_words, 1.0),
            np.log1p(group_blocks),
            np.log1p(group_words / group_blocks),
            group_words / total,
        ]
    return cols


def _repeat_columns(seg: Segmented, ancestors: npt.NDArray[np.int64]) -> list[Array]:
    """How many siblings share the tag and class of the block's element and of its ancestors (log)."""
    signature = list(zip(seg.parents, seg.tags, seg.attrs, strict=True))
    counts = Counter(signature)
    repeats = np.asarray([*(counts[s] for s in signature), 0], dtype=np.float64)  # index -1 -> 0
    return [np.log1p(repeats[ancestors[:, level]]) for level in range(_REPEAT_LEVELS)]


def _neighbour_columns(words: Array, links: Array) -> list[Array]:
    cols: list[Array] = []
    for shift in (-2, -1, 1, 2):
        cols += [
            _shifted(np.log1p(words), shift, 0.0),
            _shifted(links, shift, 0.0),
            _shifted(np.ones_like(words), shift, 0.0),
        ]
    return cols


def _shifted(values: Array, shift: int, fill: float) -> Array:
    """``out[i] = values[i + shift]``, ``fill`` past either end."""
    out = np.full_like(values, fill)
    if shift < 0:
        out[-shift:] = values[:shift]
    elif shift > 0:
        out[:-shift] = values[shift:]
    else:
        out[:] = values
    return out


def _page_columns(signals: PageSignals) -> list[float]:
    found = [0.0] * len(PAGE_TYPES)
    for name in signals.ld_types:
        if (bit := _TYPE_BIT.get(name)) is not None:
            found[bit] = 1.0
    og = signals.og_type.lower()
    return [*found, float("article" in og), float("product" in og), float(og == "website")]


def context_features(seg: Segmented, words: Array, first: Array) -> Array:
    """Stage-2 additions: stage-1 probabilities around each block, and whether it sits in the likely container."""
    n = len(first)
    logit = np.log(np.clip(first, 1e-4, 1 - 1e-4) / np.clip(1 - first, 1e-4, 1))
    cols: list[Array] = [logit]
    for shift in (-1, 1, -2, 2, -3, 3):
        cols.append(_shifted(logit, shift, -3.0))
    weighted = words * first
    for half in (5, 15):
        cols.append(_window(weighted, half) / np.maximum(_window(words, half), 1.0))
    cols.append(np.full(n, weighted.sum() / words.sum()))
    elements = np.asarray(seg.elements, dtype=np.int64)
    for tau in (0.5, 0.7, 0.9):
        inside = _inside_best_container(seg, elements, words * (first - tau))
        cols += [inside, np.full(n, (words * inside).sum() / words.sum())]
    return np.column_stack(cols)


def _window(values: Array, half: int) -> Array:
    """Sum of ``values[i - half : i + half + 1]`` for every i (clipped at the ends)."""
    cumulative = np.concatenate(([0.0], np.cumsum(values)))
    index = np.arange(len(values))
    return cumulative[np.minimum(index + half + 1, len(values))] - cumulative[np.maximum(index - half, 0)]


def _inside_best_container(seg: Segmented, elements: npt.NDArray[np.int64], gain: Array) -> Array:
    """1.0 for blocks inside the element whose subtree has the largest total ``gain``, else 0.0.

    Elements are numbered in pre-order, so a subtree is an index range and its total is a prefix-sum difference.
    """
    own = np.bincount(elements, weights=gain, minlength=len(seg.tags))
    prefix = np.concatenate(([0.0], np.cumsum(own)))
    ends = np.asarray(seg.ends, dtype=np.int64)
    totals = prefix[ends] - prefix[:-1]
    best = int(np.argmax(totals))
    inside: Array = ((elements >= best) & (elements < ends[best])).astype(np.float64)
    return inside


@dataclass(frozen=True)
class _Weights:
    """The generated weights (``etl/maintext_model.py``) in the shapes scoring uses."""

    mean1: Array
    scale1: Array
    coef1: Array
    bias1: float
    mean2: Array
    scale2: Array
    w1: Array  # (features, members * hidden): every member's first layer side by side
    b1: Array  # (members * hidden,)
    w2: Array  # (members, hidden)
    b2: Array  # (members,)
    beta: float
    floor: float


@functools.cache
def _weights() -> _Weights:
    from etl import maintext_model as m  # generated data, loaded on first use

    members, width, hidden = m.STAGE2_W1.shape
    return _Weights(
        m.STAGE1_MEAN,
        m.STAGE1_SCALE,
        m.STAGE1_COEF,
        float(m.STAGE1_BIAS),
        m.STAGE2_MEAN,
        m.STAGE2_SCALE,
        m.STAGE2_W1.transpose(1, 0, 2).reshape(width, members * hidden),
        m.STAGE2_B1.reshape(members * hidden),
        m.STAGE2_W2,
        m.STAGE2_B2,
        float(m.SELECT_BETA),
        float(m.SELECT_FLOOR),
    )


def score(seg: Segmented, signals: PageSignals) -> Scored:
    """Every block's probability of belonging to the main content (the mean of the stage-2 networks)."""
    w = _weights()
    features, words = block_features(seg, signals)
    if not len(words):
        return Scored(words, features, np.zeros(0))
    first = sigmoid(((features - w.mean1) / w.scale1) @ w.coef1 + w.bias1)
    second = (np.hstack([features, context_features(seg, words, first)]) - w.mean2) / w.scale2
    hidden = np.maximum(_by_row_chunks(second, w.w1) + w.b1, 0.0).reshape(len(words), *w.w2.shape)
    outputs = np.einsum("nmh,mh->nm", hidden, w.w2) + w.b2
    return Scored(words, features, sigmoid(outputs).mean(axis=1))


def _by_row_chunks(a: Array, w: Array) -> Array:
    """``a @ w`` in chunks of rows small enough for OpenBLAS to keep each product on one thread.

    Why: for a few hundred blocks times a hundred units, OpenBLAS's matrix product starts threads, which costs several
    times the arithmetic (2.0 ms instead of 0.3 on a shared 2-core machine); below 65,536 x 4 multiply-adds per
    call it stays on the calling thread.
    """
    rows = max(1, _SINGLE_THREAD_PRODUCT // max(1, w.shape[0] * w.shape[1]))
    if len(a) <= rows:
        return a @ w
    return np.vstack([a[i : i + rows] @ w for i in range(0, len(a), rows)])


_SINGLE_THREAD_PRODUCT = 200_000


def sigmoid(z: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def select(probability: Array, words: Array, beta: float, floor: float) -> npt.NDArray[np.bool_]:
    """The blocks to keep: the most likely ones, as many as maximise the expected F-beta of the page.

    With p_i the probability and w_i the words of block i, keeping the k most likely blocks has expected precision
    ``sum_k w p / sum_k w`` and expected recall ``sum_k w p / sum_all w p``; their F-beta is computed for every k at
    once (cumulative sums over the blocks sorted by probability), and the best k wins. ``floor``: never keep a block
    below this probability.
    """
    keep = np.zeros(len(probability), dtype=bool)
    if not len(probability):
        return keep
    order = np.argsort(-probability, kind="stable")
    gain = np.cumsum(words[order] * probability[order])
    size = np.cumsum(words[order])
    b2 = beta * beta
    expected = (1 + b2) * gain / (size + b2 * gain[-1])
    keep[order[: int(np.argmax(expected)) + 1]] = True
    return keep & (probability > floor)


def main_blocks(seg: Segmented, signals: PageSignals) -> list[int]:
    """Indices (in page order) of the blocks that make the main content; a long block repeated is kept once."""
    scored = score(seg, signals)
    w = _weights()
    keep = select(scored.probability, scored.words, w.beta, w.floor)
    seen: set[str] = set()
    out = []
    for i in np.flatnonzero(keep).tolist():
        text = seg.texts[i]
        if scored.words[i] >= _DEDUPE_MIN_WORDS:
            if text in seen:
                continue  # the same paragraph twice (a <noscript> copy, a sticky teaser): once is enough
            seen.add(text)
        out.append(i)
    return out


_DEDUPE_MIN_WORDS = 5
