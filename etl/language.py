"""Language stage: langdetect, made deterministic, with its probability.

langdetect is randomised; a seeded factory makes the same text always get the same answer, which the tests and
re-runs rely on. Its cost is a per-character n-gram pass plus ``n_trial`` random walks over 55 language profiles, so
both are sized for news text: the first ``SAMPLE_CHARS`` characters and ``TRIALS`` walks. On the 662 cleaned pages
of the shared extraction sets (seven languages) that answers as the library's defaults (10,000 characters, 7 walks)
do on all but two pages (one in Papiamento, which langdetect does not know; one Portuguese page the defaults called
English), at 40 % of the cost (``bench/pipeline_bench.py`` times it).
"""

from __future__ import annotations

import threading
from typing import Any

from etl.records import CleanArticle, Language

UNDETERMINED = Language(code="und", confidence=0.0)
SAMPLE_CHARS = 600
TRIALS = 3
_lock = threading.Lock()
_factory: Any = None  # langdetect is untyped


def detector_factory() -> Any:
    """One seeded profile set per process (loading the 55 profiles takes about half a second)."""
    global _factory
    with _lock:
        if _factory is None:
            from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

            factory = DetectorFactory()
            factory.load_profile(PROFILES_DIRECTORY)
            factory.seed = 0
            _factory = factory
        return _factory


def detect_language(text: str, hint: str | None = None) -> Language:
    """The most probable language of ``text``; ``und`` when too little text; page metadata breaks ties."""
    from langdetect.lang_detect_exception import LangDetectException

    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < 20:
        return UNDETERMINED
    detector = detector_factory().create()
    detector.n_trial = TRIALS
    detector.append(sample)
    try:
        ranked = detector.get_probabilities()
    except LangDetectException:
        return UNDETERMINED
    if not ranked:
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
