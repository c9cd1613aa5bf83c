"""Language stage: langdetect, made deterministic, with its probability.

langdetect is randomised; a seeded factory makes the same text always get the same answer, which the tests and
re-runs rely on. Its cost is a per-character n-gram pass plus ``n_trial`` random walks over 55 language profiles, so
both are sized for news text: the first ``SAMPLE_CHARS`` characters and ``TRIALS`` walks. On the 662 cleaned pages
of the shared extraction sets (seven languages) that answers as the library's defaults (10,000 characters, 7 walks)
do on all but two pages (one in Papiamento, which langdetect does not know; one Portuguese page the defaults called
English), at 40 % of the cost (``bench/pipeline_bench.py`` times it).
"""

from __future__ import annotations

import random
import re
import threading
from itertools import islice
from typing import Any

from etl.records import CleanArticle, Language

UNDETERMINED = Language(code="und", confidence=0.0)
SAMPLE_CHARS = 600
TRIALS = 3
MIN_LETTERS = 20
"""Fewer letters than this in the sample: no language is claimed."""
HINT_WINS_BELOW = 0.9
"""When the walks disagree (with ``TRIALS`` walks a split vote is 0.67), the language the page declares wins if it
is among the candidates: a German course page whose first lines are English-looking markup
("[box_colored class=... title=...]") was read as English and its German nouns as English names."""
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


_fast_detector_class: Any = None
WORD_GRAMS_CACHED = 200_000
"""Words whose n-grams are kept (a few MB); news reuses most words, so most are read off this memo."""


def _detector(factory: Any) -> Any:
    """A langdetect detector that computes what ``factory.create()``'s does, faster (see ``_fast_detector``)."""
    global _fast_detector_class
    if _fast_detector_class is None:
        _fast_detector_class = _fast_detector()
    return _fast_detector_class(factory)


def _fast_detector() -> Any:
    """langdetect's ``Detector`` with its two hot loops rewritten, same arithmetic in the same order, so the same
    text gets the same languages and probabilities (``tests/unit/test_fast_paths.py`` compares both):

    - n-gram extraction: the per-character normalisation memoised (it depends on the character alone) and done
      by ``str.translate``; then word by word, the n-grams ``NGram.add_char`` would give read off the word with
      slices (its buffer restarts at each space, so a word's n-grams are its own plus the two ending in the space
      after it; "capitalword" is a capital after a capital);
    - probability updates: one numpy multiply over the 55 languages instead of a Python loop (element-wise IEEE
      products, identical), the normalising sum still Python's left-to-right ``sum`` (CPython 3.11).
    """
    import numpy as np
    from langdetect.detector import Detector
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException
    from langdetect.utils.ngram import NGram

    normalized: dict[str, str] = {}
    _SPACE_RUN = re.compile(" {2,}")
    _LATIN = re.compile("[A-z]")  # langdetect's "A" <= ch <= "z", brackets, caret, underscore and backquote included
    _NOT_LATIN_BYTES = bytes(b for b in range(256) if not 0x41 <= b <= 0x7A)
    _NOT_FROM_U0300_LEADS = bytes(b for b in range(256) if not 0xCC <= b <= 0xF4)
    word_grams: dict[tuple[str, bool], tuple[str, ...]] = {}  # a word's n-grams: one profile set per process
    arrays: dict[str, Any] = {}

    def _word_ngrams(word: str, followed: bool, probs: Any) -> tuple[str, ...]:
        """The profile n-grams ``NGram.add_char`` gives for one (normalised) word, in its order."""
        found: list[str] = []
        append = found.append
        padded = " " + word
        previous_upper = False
        for i, ch in enumerate(word):
            upper = ch.isupper()
            if not (upper and previous_upper):  # NGram's "capitalword": skipped
                if ch in probs:
                    append(ch)
                if (two := padded[i : i + 2]) in probs:
                    append(two)
                if i and (three := padded[i - 1 : i + 2]) in probs:
                    append(three)
            previous_upper = upper
        if followed:
            if (two := word[-1] + " ") in probs:
                append(two)
            if (three := padded[-2:] + " ") in probs:
                append(three)
        return tuple(found)

    generators = threading.local()

    class FastDetector(Detector):  # type: ignore[misc]  # langdetect is untyped
        text: str  # set by langdetect's constructor; typed here for the overrides below
        langprob: list[float] | None

        def __init__(self, factory: Any) -> None:
            """langdetect's constructor with the thread's one generator instead of a new ``random.Random()`` (seeded
            from the system, a twentieth of a detection): ``_detect_block`` seeds it before any draw."""
            self.word_lang_prob_map = factory.word_lang_prob_map
            self.langlist = factory.langlist
            self.seed = factory.seed
            if not hasattr(generators, "random"):
                generators.random = random.Random()
            self.random = generators.random
            self.text = ""
            self.langprob = None
            self.alpha = self.ALPHA_DEFAULT
            self.n_trial = 7
            self.max_text_length = 10000
            self.prior_map = None
            self.verbose = False

        def _extract_ngrams(self) -> list[str]:
            probs = self.word_lang_prob_map
            text = self.text
            for raw in set(text).difference(normalized):
                normalized[raw] = NGram.normalize(raw)
            norm = text.translate({ord(raw): normalized[raw] for raw in set(text)})
            result: list[str] = []
            extend = result.extend
            last_word_end = len(norm)
            at = 0
            for word in norm.split(" "):
                if word:
                    followed = at + len(word) < last_word_end  # the space after the word ends its last n-grams
                    grams = word_grams.get((word, followed))
                    if grams is None:
                        if len(word_grams) >= WORD_GRAMS_CACHED:
                            word_grams.clear()
                        grams = word_grams[(word, followed)] = _word_ngrams(word, followed, probs)
                    extend(grams)
                at += len(word) + 1
            return result

        def _init_probability(self) -> Any:
            return np.array(super()._init_probability(), dtype=np.float64)

        def _update_lang_prob(self, prob: Any, word: str | None, alpha: float) -> bool:
            if word is None or word not in self.word_lang_prob_map:
                return False
            row = arrays.get(word)
            if row is None:
                row = arrays[word] = np.array(self.word_lang_prob_map[word], dtype=np.float64)
            prob *= alpha / self.BASE_FREQ + row
            return True

        def _normalize_prob(self, prob: Any) -> float:
            prob /= sum(prob.tolist())
            return max(0.0, float(prob.max()))

        def append(self, text: str) -> None:
            """langdetect's ``append`` (its URL, mail and Vietnamese rewrites, the length cut, runs of spaces made one)
            without its character-by-character loop."""
            text = NGram.normalize_vi(self.MAIL_RE.sub(" ", self.URL_RE.sub(" ", text)))
            self.text += _SPACE_RUN.sub(" ", text[: self.max_text_length])

        def cleaning_text(self) -> None:
            """langdetect's ``cleaning_text`` by byte counts instead of a loop over characters. Its test for the
            Latin Extended Additional block compares a block number with a name and never holds: every character
            from U+0300 on counts as non-Latin, as here.

            In UTF-8 a character "A" to "z" is one byte 41-7A, and one from U+0300 on opens with a byte CC-F4 (the
            other bytes of a character are 80-BF): ``bytes.translate`` deleting the others counts them in C."""
            raw = self.text.encode("utf-8", "surrogatepass")
            latin_count = len(raw.translate(None, _NOT_LATIN_BYTES))  # len(_LATIN.findall(self.text))
            if latin_count * 2 < len(raw.translate(None, _NOT_FROM_U0300_LEADS)):  # len(_FROM_U0300.findall(...))
                self.text = _LATIN.sub("", self.text)

        def _detect_block(self) -> None:
            """langdetect's random walks with the method calls of its inner loop inlined: the same draws from the
            same seeded generator, the same products and sums in the same order."""
            self.cleaning_text()
            ngrams = self._extract_ngrams()
            if not ngrams:
                raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
            probs = self.word_lang_prob_map
            langprob = [0.0] * len(self.langlist)
            generator = self.random
            generator.seed(self.seed)
            # ``generator.choice(ngrams)`` is ``ngrams[generator._randbelow(len(ngrams))]``, which draws ``bits`` random
            # bits until they fall below the count: done here, without the two calls per draw.
            getrandbits = generator.getrandbits
            count = len(ngrams)
            bits = count.bit_length()
            for _ in range(self.n_trial):
                prob = self._init_probability()
                alpha = self.alpha + generator.gauss(0.0, 1.0) * self.ALPHA_WIDTH
                weight = alpha / self.BASE_FREQ
                i = 0
                while True:
                    drawn = getrandbits(bits)
                    while drawn >= count:
                        drawn = getrandbits(bits)
                    word = ngrams[drawn]
                    row = arrays.get(word)
                    if row is None:
                        row = arrays[word] = np.array(probs[word], dtype=np.float64)
                    prob *= weight + row
                    if i % 5 == 0:
                        values = prob.tolist()
                        total = sum(values)
                        prob /= total
                        # ``prob.max()`` after the division, read off the list: dividing by a positive total keeps
                        # the order, so the largest quotient is the largest value divided (the same rounding).
                        if max(0.0, max(values) / total) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                            break
                    i += 1
                # langdetect's ``langprob[j] += prob[j] / n_trial`` with Python floats (the same IEEE operations)
                langprob = [acc + p / self.n_trial for acc, p in zip(langprob, prob.tolist(), strict=True)]
            self.langprob = langprob

    return FastDetector


def detect_language(text: str, hint: str | None = None) -> Language:
    """The most probable language of ``text``; ``und`` when too little text; page metadata breaks ties."""
    from langdetect.lang_detect_exception import LangDetectException

    sample = text[:SAMPLE_CHARS]
    if next(islice((ch for ch in sample if ch.isalpha()), MIN_LETTERS - 1, None), None) is None:  # < 20 letters
        return UNDETERMINED
    detector = _detector(detector_factory())
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
    if hint and best.prob < HINT_WINS_BELOW:
        short_hint = hint.lower().replace("_", "-").split("-")[0]
        for candidate in ranked:
            if str(candidate.lang).split("-")[0] == short_hint:
                return Language(code=short_hint, confidence=round(float(candidate.prob), 4))
    return Language(code=code, confidence=round(float(best.prob), 4))


def detect_article_language(article: CleanArticle) -> Language:
    """Language of a cleaned article (title and body; boilerplate is already gone)."""
    return detect_language(f"{article.title}\n{article.body}", article.language_hint)
