"""Long articles: spaCy sees bounded pieces, cut where no name can be, and the spans land where they were (issue 11
#6: a 2.85 MB page took 357 s and 8.9 GB; whole texts held by spaCy cost about 2.5 MB per 1,000 characters)."""

from __future__ import annotations

from etl.entities import NER_PIECE_CHARS, ner_pieces, recognise
from etl.records import CleanArticle, Language, analysis_text
from etl.settings import Settings
from tests.paths import SEED_ARTICLE


def test_pieces_put_back_together_are_the_text_and_end_at_breaks() -> None:
    paragraph = SEED_ARTICLE.read_text(encoding="utf-8").replace("\n\n", "\n")
    text = "\n\n".join([paragraph] * 12)
    pieces = ner_pieces(text, limit=5000)
    assert "".join(piece for _, piece in pieces) == text
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in pieces)
    assert all(len(piece) <= 5000 for _, piece in pieces)
    assert all(piece.endswith("\n") for _, piece in pieces[:-1])  # cut at line breaks, never inside a name
    assert ner_pieces("short text") == [(0, "short text")]


def test_spans_of_a_long_article_are_those_of_its_pieces() -> None:
    """Recognising a long article piece by piece finds each piece's names at their offsets in the whole text."""
    story = SEED_ARTICLE.read_text(encoding="utf-8")
    title, body = story.split("\n", 1)
    copies = NER_PIECE_CHARS // len(body) + 2  # long enough to be cut into pieces
    article = CleanArticle(
        doc_id="long",
        source_file="long.txt",
        content_sha256="0",
        title=title,
        body="\n\n".join([body.strip()] * copies),
        paragraphs=(),
    )
    english = Language("en", 1.0)
    (spans,) = recognise([(article, english)], Settings().spacy_models)
    text = analysis_text(article)
    assert len(ner_pieces(text)) >= 2
    haftar = [s for s in spans if text[s.start : s.end] == "Haftar"]
    assert len(haftar) >= copies  # every copy's mentions, each at its own offset
    assert len({s.start for s in haftar}) == len(haftar)
