"""Language stage: langdetect, made deterministic, with its probability.

langdetect is randomised; seeding its factory once makes the same text always get the same answer, which the
tests and re-runs rely on.
"""

from __future__ import annotations

import threading

from etl.records import CleanArticle, Language

UNDETERMINED = Language(code="und", confidence=0.0)
_SAMPLE_CHARS = 1500  # a few paragraphs give a stable answer; langdetect's cost grows with the sample
_lock = threading.Lock()
_seeded = False


def _ensure_seeded() -> None:
    global _seeded
    with _lock:
        if not _seeded:
            from langdetect import DetectorFactory

            DetectorFactory.seed = 0
            _seeded = True


def detect_language(text: str, hint: str | None = None) -> Language:
    """The most probable language of ``text``; ``und`` when too little text; page metadata breaks ties."""
    from langdetect import detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    _ensure_seeded()
    sample = text[:_SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < 20:
        return UNDETERMINED
    try:
        ranked = detect_langs(sample)
    except LangDetectException:
        return UNDETERMINED
    best = ranked[0]
    code = str(best.lang).split("-")[0]
    if hint and best.prob < 0.6:
        short_hint = hint.lower().replace("_", "-").split("-")[0]
        for candidate in ranked:
            if str(candidate.lang).split("-")[0] == short_hint:
                return Language(code=short_hint, confidence=round(float(candidate.prob), 4))
    return Language(code=code, confidence=round(float(best.prob), 4))


def detect_article_language(article: CleanArticle) -> Language:
    """Language of a cleaned article (title and body; boilerplate is already gone)."""
    return detect_language(f"{article.title}\n{article.body}", article.language_hint)
