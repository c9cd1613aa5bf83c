"""Page metadata (etl.metadata): title, author, date, site, types; and the JSON-LD the script cut keeps."""

from __future__ import annotations

import json

import pytest
from trafilatura.utils import load_html

from etl.htmlclean import cut_scripts
from etl.metadata import Metadata, iso_date, read_metadata


def _read(html: str) -> Metadata:
    ld: list[str] = []
    tree = load_html(cut_scripts(html, ld))
    return read_metadata(tree, ld)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-02-14", "2019-02-14"),
        ("2019-11-19 02:24:00", "2019-11-19T02:24:00"),
        ("2021-05-05 08:07:52+0200", "2021-05-05T08:07:52+02:00"),
        ("2020-01-13T08:45:00Z", "2020-01-13T08:45:00+00:00"),
        ("2019-02", "2019-02-01"),
        ("2019-02-30", None),  # impossible day
        ("20190214", None),  # not ISO: dropped, never guessed
        ("1850-01-01", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_iso_date_is_strict(value: str | None, expected: str | None) -> None:
    assert iso_date(value) == expected


def test_title_is_the_h1_the_declared_title_confirms() -> None:
    page = (
        "<html><head><title>Clashes near Sabha | Demo Wire</title>"
        "<meta property='og:title' content='Clashes near Sabha | Demo Wire'></head>"
        "<body><h1>Clashes near Sabha</h1><p>Text.</p></body></html>"
    )
    assert _read(page).title == "Clashes near Sabha"


def test_title_without_a_confirmed_h1_loses_its_site_name() -> None:
    page = (
        "<html><head><title>Talks resume in Geneva - Demo Wire</title></head>"
        "<body><h1>Demo Wire</h1><p>Text.</p></body></html>"
    )
    assert _read(page).title == "Talks resume in Geneva"


def test_json_ld_author_date_and_types() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Demo Wire"},
            {
                "@type": "NewsArticle",
                "headline": "Talks resume",
                "datePublished": "2019-02-14 10:30:00",
                "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "John Roe"}],
            },
        ],
    }
    page = (
        f"<html><head><script type='application/ld+json'>{json.dumps(ld)}</script>"
        "<meta property='og:type' content='article'></head><body><h1>Talks resume</h1><p>Text.</p></body></html>"
    )
    meta = _read(page)
    assert meta.byline == "Jane Doe, John Roe"
    assert meta.published_at == "2019-02-14T10:30:00"
    assert {"NewsArticle", "WebSite", "Person"} <= meta.ld_types
    assert meta.og_type == "article"
    assert meta.title == "Talks resume"


def test_meta_tags_come_before_json_ld_and_broken_json_ld_is_skipped() -> None:
    page = (
        "<html><head><script type='application/ld+json'>{not json</script>"
        "<meta name='author' content='By Jane Doe'><meta property='article:published_time' content='2018-11-13'>"
        "<meta property='og:site_name' content='RFI'></head><body><p>Text.</p></body></html>"
    )
    meta = _read(page)
    assert (meta.byline, meta.published_at, meta.source) == ("Jane Doe", "2018-11-13", "RFI")


def test_time_element_dates_a_page_without_tags() -> None:
    page = "<html><body><article><time datetime='2019-03-21T09:00:00+01:00'>21 March</time><p>x</p></article></body>"
    assert _read(page).published_at == "2019-03-21T09:00:00+01:00"


def test_a_40kb_site_name_is_no_site_name() -> None:
    page = f"<html><head><meta property='og:site_name' content='{'x' * 40_000}'></head><body><p>x</p></body></html>"
    assert _read(page).source is None


def test_cut_scripts_keeps_json_ld_bodies_only() -> None:
    ld: list[str] = []
    html = (
        '<script>var a = 1;</script><SCRIPT type="application/ld+json">{"@type": "Article"}</SCRIPT>'
        "<noscript><p>kept</p></noscript><p>after</p>"
    )
    assert cut_scripts(html, ld) == "<noscript><p>kept</p></noscript><p>after</p>"
    assert ld == ['{"@type": "Article"}']


def test_author_elements_are_those_the_plain_xpath_selects() -> None:
    """The one-pass reading of author elements selects exactly what the XPath it replaced selected."""
    from lxml import etree

    from etl.metadata import _author_elements

    reference = etree.XPath(
        "//*[self::a or self::address or self::div or self::p or self::span or self::strong or self::h3 or self::h4]"
        "[@rel='author' or @class='byline' or @class='byl' or contains(@itemprop, 'author')"
        " or contains(@class, 'author') or contains(@class, 'Author') or contains(@class, 'byline')"
        " or contains(@id, 'author') or contains(@class, 'journalist')]"
        "[not(ancestor::nav or ancestor::footer or ancestor::aside or ancestor::header[not(ancestor::article)])]"
    )
    page = load_html(
        "<html><body><header><span class='author'>Site header</span></header>"
        "<nav><a rel='author'>Menu author</a></nav>"
        "<article><header><p class='byline'>By Amal Idris</p></header>"
        "<div class='post-Author'><strong itemprop='author'>Amal Idris</strong></div>"
        "<span id='author-box'>x</span><p class='byl'>By A. I.</p><h3 class='journalist'>Staff</h3>"
        "<section class='author'>not a candidate tag</section></article>"
        "<aside><div class='author'>Related author</div></aside><footer><p class='byline'>Footer</p></footer>"
        "</body></html>"
    )
    assert _author_elements(page) == reference(page)
    assert [el.text_content() for el in _author_elements(page)][:2] == ["By Amal Idris", "Amal Idris"]


def test_a_page_saved_twice_into_one_file_is_read_whole() -> None:
    """A second ``<html>`` after the first (two saves in one file) used to be invisible to every stage."""
    from etl.htmlclean import read_page

    story = " ".join(["The council met in the port city on Monday and agreed to reopen the coast road."] * 6)
    page = read_page(
        "<html><head><title>Shell</title></head><body><nav>Home | News</nav></body></html>"
        f"<html><head><meta name='author' content='Amal Idris'></head><body><article><p>{story}</p>"
        f"<p>{story}</p></article></body></html>"
    )
    assert any(story in text for _, text in page.blocks)
