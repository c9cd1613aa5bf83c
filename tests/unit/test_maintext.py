"""HTML blocks (etl.blocks) and the main-text model (etl.maintext): structure, features, the per-page choice."""

from __future__ import annotations

import numpy as np
import pytest
from trafilatura.utils import load_html

from etl import maintext
from etl.blocks import HIDDEN, ROLE_CHROME, ROLE_MAIN, segment
from etl.htmlclean import prepare, read_page

STORY = (
    "The delegations met for six hours in the port city and agreed to meet again next month. Officials said the "
    "talks had covered security, the central bank and the timetable for elections."
)


def _segment(body: str, max_chars: int = 400_000) -> maintext.Segmented:
    return segment(load_html(f"<html><head><title>t</title></head><body>{body}</body></html>"), max_chars)


def test_blocks_split_at_block_tags_and_line_breaks_not_inline_tags() -> None:
    seg = _segment("<div>One <b>bold</b> <a href='/x'>link text</a> line<br>second line<p>para</p>tail</div>")
    assert seg.texts == ["One bold link text line", "second line", "para", "tail"]
    assert seg.link_chars[0] == len("link text")
    assert seg.link_chars[1:] == [0, 0, 0]


def test_elements_are_numbered_in_preorder_with_subtree_ranges() -> None:
    seg = _segment("<div id='a'><p>x</p><ul><li>y</li><li>z</li></ul></div><p>w</p>")
    assert seg.tags == ["body", "div", "p", "ul", "li", "li", "p"]
    assert seg.parents == [-1, 0, 1, 1, 3, 3, 0]
    assert seg.ends == [7, 6, 3, 6, 5, 6, 7]
    for e, end in enumerate(seg.ends):  # a subtree is exactly the elements whose ancestor chain reaches e
        inside = [i for i in range(len(seg.tags)) if _descends(seg.parents, i, e)]
        assert inside == list(range(e, end))


def _descends(parents: list[int], i: int, ancestor: int) -> bool:
    while i >= 0:
        if i == ancestor:
            return True
        i = parents[i]
    return False


def test_context_bits_are_inherited() -> None:
    seg = _segment(
        "<div class='site-menu'><ul><li>Home</li></ul></div><main role='main'><div class='article-body'>"
        "<p>Story</p><p hidden>Gone</p></div></main>"
    )
    home, story, hidden = (seg.elements[seg.texts.index(t)] for t in ("Home", "Story", "Gone"))
    nav_bit = 1 << [name for name, _ in maintext.CLASS_GROUPS].index("nav")
    content_bit = 1 << [name for name, _ in maintext.CLASS_GROUPS].index("content")
    assert seg.class_bits[home] & nav_bit and not seg.class_bits[story] & nav_bit
    assert seg.class_bits[story] & content_bit
    assert seg.flags[story] & ROLE_MAIN and not seg.flags[story] & HIDDEN
    assert seg.flags[hidden] & HIDDEN
    assert not seg.flags[home] & ROLE_CHROME  # a menu class is a class bit, not a role


def test_widgets_go_unless_malformed_markup_left_the_page_inside_one() -> None:
    seg = _segment(f"<button>Menu</button><select><option>One</option></select><p>{STORY}</p>")
    assert seg.texts == [STORY]
    # a <button> whose inner <div> is never closed: the parser leaves the rest of the page inside the button
    story = f"<p>{STORY}</p>" * 4  # more text than a widget ever holds (WIDGET_MAX_CHARS)
    seg = _segment(f"<button class='menu'><div>Menu</button><article>{story}</article>")
    assert seg.texts.count(STORY) == 4


def test_segment_stops_at_the_text_cap_and_says_so() -> None:
    seg = _segment("".join(f"<p>{STORY}</p>" for _ in range(100)), max_chars=2_000)
    assert seg.truncated
    assert 2_000 <= sum(len(t) for t in seg.texts) < 2_000 + len(STORY) + 1
    assert all(end >= e for e, end in enumerate(seg.ends))


def test_features_have_the_declared_columns_and_no_nan() -> None:
    prepared = prepare(f"<html><body><h1>Title</h1><p>{STORY}</p><ul><li><a href='/'>Home</a></li></ul></body></html>")
    features, words = maintext.block_features(prepared.seg, prepared.signals)
    assert features.shape == (3, len(maintext.FEATURES))
    assert np.isfinite(features).all()
    context = maintext.context_features(prepared.seg, words, np.full(len(words), 0.5))
    assert context.shape == (3, len(maintext.CONTEXT_FEATURES))
    assert np.isfinite(context).all()


def test_inside_best_container_matches_brute_force() -> None:
    seg = _segment("<div><p>a</p><div><p>b</p><p>c</p></div></div><aside><p>d</p><p>e</p></aside>")
    elements = np.asarray(seg.elements)
    rng = np.random.default_rng(1)
    for _ in range(20):
        gain = rng.normal(size=len(elements))
        inside = maintext._inside_best_container(seg, elements, gain)
        totals = [
            sum(g for g, el in zip(gain, elements, strict=True) if e <= el < seg.ends[e]) for e in range(len(seg.tags))
        ]
        best = int(np.argmax(totals))
        assert list(inside) == [float(best <= el < seg.ends[best]) for el in elements]


def test_select_maximises_expected_f_score() -> None:
    p = np.array([0.95, 0.9, 0.2, 0.6, 0.05])
    w = np.array([50.0, 40.0, 30.0, 10.0, 100.0])
    keep = maintext.select(p, w, beta=1.0, floor=0.0)
    best = max(
        (frozenset(np.argsort(-p)[:k]) for k in range(1, 6)),
        key=lambda s: 2 * sum(w[i] * p[i] for i in s) / (sum(w[i] for i in s) + (w * p).sum()),
    )
    assert set(np.flatnonzero(keep)) == best
    assert not maintext.select(np.array([0.1, 0.2]), np.array([5.0, 5.0]), beta=1.0, floor=0.3).any()
    assert not maintext.select(np.zeros(0), np.zeros(0), beta=1.0, floor=0.3).any()


def test_a_page_that_is_all_article_keeps_all_of_it() -> None:
    paragraphs = [f"{STORY} Paragraph {i}." for i in range(4)]
    for body in (
        "".join(f"<p>{p}</p>" for p in paragraphs),
        f"<div><p>{paragraphs[0]}<p>{paragraphs[1]}<div>",  # unclosed tags
        "<article><h1>Talks resume</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article>",
    ):
        page = read_page(f"<html><head><title>Talks resume</title></head><body>{body}</body></html>")
        texts = [text for _, text in page.blocks]
        for p in paragraphs[:2]:
            assert p in texts


@pytest.mark.parametrize("wrapper", ["<noscript>{}</noscript>", "<div>{}</div>"])
def test_server_rendered_noscript_text_is_read(wrapper: str) -> None:
    # forums (Discourse) serve their posts to readers without JavaScript inside <noscript>
    posts = "".join(f"<div class='post'><p>{STORY} Reply {i}.</p></div>" for i in range(3))
    page = read_page(
        "<html><head><title>Thread</title></head><body><div id='app'></div>"
        + wrapper.format(f"<div role='main'><h1>Thread</h1>{posts}</div>")
        + "</body></html>"
    )
    assert f"{STORY} Reply 1." in [text for _, text in page.blocks]
