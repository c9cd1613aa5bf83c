"""Words, sentences and paragraphs of plain text in any script (etl.sentences)."""

from __future__ import annotations

from etl.sentences import count_words, paragraphs, split_sentences


def test_count_words_latin_scripts() -> None:
    assert count_words("Libya strongman boycotts Italy peace summit") == 6
    assert count_words("  Haftar -- a « strongman » ,  2018  ") == 4  # lone punctuation is no word
    assert count_words("") == 0


def test_count_words_chinese_and_japanese_count_characters() -> None:
    # issue 11 #20: split() saw one "word" per paragraph (3 for three paragraphs)
    chinese = "利比亚强人哈夫塔尔抵制了巴勒莫会议。\n\n联合国特使表示遗憾。\n\n会谈将继续。"
    assert count_words(chinese) == len([c for c in chinese if c.strip() and c not in "。"])
    japanese = "リビアの指導者は会議を欠席した。"  # kana and kanji alike, one word each
    assert count_words(japanese) == 15
    assert count_words("東京2020年 Olympics") == 5  # 東 京 年 + "2020" + "Olympics"


def test_count_words_korean_counts_spaced_units() -> None:
    assert count_words("리비아 지도자가 회의를 거부했다") == 4


def test_split_sentences_keeps_abbreviations_and_initials() -> None:
    text = (
        "Mr. Haftar met Gen. Smith in the U.S. capital on Monday. J. Doe of the U.N. said talks went well! "
        "Did they? 2019 was a turning point. « Nothing is decided », he said."
    )
    assert split_sentences(text) == [
        "Mr. Haftar met Gen. Smith in the U.S. capital on Monday.",
        "J. Doe of the U.N. said talks went well!",
        "Did they?",
        "2019 was a turning point.",
        "« Nothing is decided », he said.",
    ]


def test_split_sentences_cjk_full_stops() -> None:
    assert split_sentences("会谈将继续。联合国特使表示遗憾。") == ["会谈将继续。", "联合国特使表示遗憾。"]


def test_split_sentences_without_end_returns_the_text() -> None:
    assert split_sentences("  a headline   with no end ") == ["a headline with no end"]


def test_paragraphs_group_whole_sentences() -> None:
    sentences = [f"Sentence number {i} has exactly seven words." for i in range(20)]
    grouped = paragraphs(sentences, target_words=20)
    assert all(p.endswith(".") for p in grouped)
    assert " ".join(grouped) == " ".join(sentences)
    assert [count_words(p) for p in grouped] == [21] * 6 + [14]
