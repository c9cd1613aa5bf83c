"""Line-level boilerplate rules shared by the text and HTML cleaners.

Why a line filter: copy-pasted articles (and even the best main-text extractor's output) keep site chrome as whole
lines: newsletter and app promos, share prompts, "Read more" teasers, cookie, paywall and copyright notices, photo
credits. These are recognisable line by line, in any of our languages, without the page around them. The rules are
data (regexes per language); the one principle is "when unsure, keep": only short lines are ever dropped, and a
line is dropped only when a rule names it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

import ahocorasick  # untyped (no stubs): pyproject sets ignore_missing_imports for it

# A line longer than this is story text, whatever words it contains (a paragraph about a newsletter stays).
MAX_WEAK_WORDS = 14
MAX_STRONG_WORDS = 60

# Unambiguous chrome: dropped up to MAX_STRONG_WORDS words.
_STRONG = [
    # English
    r"\bsign(?:ing)? ?up\b.{0,60}\b(?:newsletter|e-?mail|inbox|alerts?)",
    r"\b(?:daily|weekly|our|free) newsletter",
    r"^newsletter\b",
    r"\bdownload(?:ing)?\b.{0,60}\bapps?",
    r"\b(?:get|install) (?:the|our) .{0,40}\bapp\b",
    r"\b(?:app store|google play)\b",
    r"\bwe use cookies\b|\bthis (?:web)?site uses cookies\b|\bcookie (?:policy|settings|preferences)\b",
    r"\ball rights reserved\b",
    r"\b(?:already a subscriber|to (?:view|read|continue reading) the full (?:story|article)|subscribe (?:now|today)"
    r"|subscribers? only)\b",
    r"\bwe want to hear what you think\b",
    r"\b(?:follow|like) us on\b",
    r"^(?:read|see) (?:more|also|next)\b",
    r"^(?:related|recommended|trending|most (?:read|popular|viewed))(?: (?:articles?|stories|content|news|posts?))?\b",
    r"^(?:you (?:may|might) also (?:like|be interested)|more (?:from|on|about) (?:this|the|our))\b",
    r"^(?:also read|don't miss|click here|more stories)\b",
    r"\bmay receive (?:a )?(?:compensation|commission)\b",
    r"^(?:advertisement|sponsored|anzeige|publicité|publicidad|werbung)\b",
    # French
    r"\babonnez[- ]vous\b|\binscrivez[- ]vous\b.{0,40}\b(?:newsletter|lettre)",
    r"\blettre d'information\b|\bnewsletter\b.{0,40}\b(?:recevez|gratuite|quotidienne)",
    r"\bt[ée]l[ée]charge[zr]?\b.{0,40}\bappli(?:cation)?",
    r"\bsuivez[- ]nous\b|\bretrouvez[- ]nous sur\b",
    r"^(?:à )?lire (?:aussi|également|la suite)\b|^voir aussi\b|^sur le même sujet\b|^articles? similaires?\b",
    r"\btous droits réservés\b|\bmentions légales\b|\bpolitique de confidentialité\b",
    r"\ben poursuivant votre navigation\b|\bnous utilisons des cookies\b|\bréservé aux abonnés\b|\bdéjà abonné",
    # Spanish
    r"\bsuscr[íi]b[ae]te\b|\bsuscr[íi]base\b|\bbolet[íi]n\b.{0,40}\b(?:recibe|correo|gratis|diario)",
    r"\bdescarga\b.{0,40}\b(?:app|aplicaci[óo]n)",
    r"\bs[íi]guenos\b|\bcomparte (?:esta|en)\b",
    r"^(?:lee|lea|leer|ver) (?:tambi[ée]n|m[áa]s)\b|^(?:te|le) puede interesar\b|^puedes ver\b"
    r"|^noticias relacionadas\b|^tambi[ée]n te puede interesar\b|^m[áa]s noticias\b",
    r"\btodos los derechos reservados\b|\baviso legal\b|\bpol[íi]tica de (?:privacidad|cookies)\b"
    r"|\butilizamos cookies\b",
    # German
    r"\bnewsletter\b.{0,40}\b(?:anmelden|abonnieren|bestellen|erhalten)\b|\bzum newsletter\b",
    r"\b(?:jetzt|hier) (?:abonnieren|anmelden|registrieren)\b",
    r"\b(?:lade|laden sie)\b.{0,40}\bapp\b|\bapp herunterladen\b|\bunsere app\b",
    r"\bfolgen sie uns\b|\bfolge uns\b",
    r"^(?:lesen sie (?:auch|hier|mehr)|auch interessant|mehr zum thema|weitere (?:artikel|beiträge|informationen zum)"
    r"|zum weiterlesen|weiterlesen|schon gelesen|auch lesen|das könnte sie auch interessieren|top-themen"
    r"|vorschau auf den nächsten artikel|beiträge aus dem forum)\b",
    r"\balle rechte vorbehalten\b|\bnutzungsbedingungen\b|^impressum\b|^datenschutz\b",
    r"\bsie sind (?:aktuell|derzeit) nicht eingeloggt\b|\bwir verwenden cookies\b",
    # Arabic
    r"اشترك|النشرة (?:الإخبارية|البريدية)|(?:حم[ّ]?ل|تحميل|نز[ّ]?ل) (?:تطبيق|التطبيق)",
    r"تابعونا|تابعنا|^(?:اقرأ|إقرأ) (?:أيضا|أيضاً)|(?:مواضيع|أخبار|مقالات) ذات صلة|جميع الحقوق محفوظة",
    r"ملفات تعريف الارتباط|سياسة الخصوصية",
    # Italian, Portuguese, Polish (seen in the evaluation data)
    r"^leggi anche\b|^leia (?:também|mais)\b|^czytaj (?:też|także|więcej)\b",
]

# Ambiguous words: only a short line made of them is chrome.
_WEAK = [
    r"\bnewsletter\b|\bsubscri(?:be|ption)\b|\bsign (?:in|up)\b|\blog ?in\b|\bregister\b",
    r"^(?:share|tweet|e-?mail|print|copy link|comments?|partager|compartir|teilen|drucken|شارك|مشاركة)\b",
    r"\b(?:facebook|twitter|whatsapp|linkedin|telegram|instagram|pinterest|youtube)\b",
    r"\bcookies?\b|\bprivacy policy\b|\bterms of (?:use|service)\b|\bcontact us\b|\bimprint\b",
    r"^(?:tags?|topics?|themen|temas|sujets?|mots-clés)\b:?",
    r"^auch auf\b",  # "Auch auf Facebook" is chrome; "Auch auf dem Camp haben wir..." opens a story
    r"^(?:copyright|©|\(c\))",
    r"^(?:accept|reject|agree|decline|manage|akzeptieren|ablehnen|accepter|refuser|aceptar|rechazar)\b",
]


def _split_alternatives(pattern: str) -> list[str]:
    """Top-level ``|`` branches of a pattern, so line-start rules and anywhere rules can be compiled apart."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            cur, i = cur + pattern[i : i + 2], i + 2
            continue
        if c == "[":
            j = pattern.index("]", i + 1)
            cur, i = cur + pattern[i : j + 1], j + 1
            continue
        depth += (c == "(") - (c == ")")
        if c == "|" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    return [*out, cur]


def _compile(patterns: list[str], at_start: bool) -> re.Pattern[str]:
    branches = [b for p in patterns for b in _split_alternatives(p) if b.startswith("^") == at_start]
    return re.compile("|".join(f"(?:{b})" for b in branches))


# One big alternation scanned at every position is slow (~200 us a line); so rules anchored at the line start are
# matched there only, and the others run only when a substring trigger says one of them could match: only the rules
# that name a trigger found in the line (plus any naming none), found in one Aho-Corasick pass.
# Every rule below that is not anchored with ^ must contain one of these triggers (lower case).
_TRIGGERS = (
    "sign",
    "newsletter",
    "download",
    "app",
    "google play",
    "cookie",
    "rights reserved",
    "subscri",
    "full story",
    "full article",
    "hear what you think",
    " us on",
    "compensation",
    "commission",
    "abonn",
    "inscrivez",
    "lettre d'information",
    "charge",
    "suivez",
    "retrouvez",
    "droits réservés",
    "mentions légales",
    "confidentialité",
    "poursuivant",
    "suscr",
    "bolet",
    "descarga",
    "guenos",
    "comparte",
    "derechos reservados",
    "aviso legal",
    "tica de",
    "anmelden",
    "registrieren",
    "folge",
    "rechte vorbehalten",
    "nutzungsbedingungen",
    "eingeloggt",
    "اشترك",
    "النشرة",
    "تطبيق",
    "تابع",
    "ذات صلة",
    "الحقوق",
    "الارتباط",
    "الخصوصية",
    "log in",
    "login",
    "register",
    "facebook",
    "twitter",
    "whatsapp",
    "linkedin",
    "telegram",
    "instagram",
    "pinterest",
    "youtube",
    "privacy",
    "terms of",
    "contact us",
    "imprint",
)
_STRONG_START, _WEAK_START = _compile(_STRONG, True), _compile(_WEAK, True)


def _automaton(words: Iterable[str]) -> Any:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


_TRIGGER_AUTOMATON = _automaton(_TRIGGERS)


def _required_literals(branch: str) -> list[str]:
    """Stretches of plain text every match of ``branch`` (a pattern with no top-level ``|``) must contain: the text
    outside groups, classes and escapes, less any character a quantifier makes optional."""
    pieces, plain, i = [], "", 0
    while i < len(branch):
        c = branch[i]
        if c.isalnum() or c in " '-:,":
            plain += c
            i += 1
            continue
        if c in "?*":
            plain = plain[:-1]  # the character before is optional (after a group or class: nothing to drop)
        pieces.append(plain)
        plain = ""
        if c == "\\":
            i += 2
        elif c == "[":
            i = branch.index("]", i + 2) + 1
        elif c == "{":
            plain, pieces[-1] = "", pieces[-1][:-1]  # {0,n}: the character before may be absent
            i = branch.index("}", i) + 1
        elif c == "(":
            i = _group_end(branch, i) + 1
        else:  # . + ^ $ and anything else: a boundary between literals
            i += 1
    return [*pieces, plain]


def _group_end(pattern: str, start: int) -> int:
    """Index of the parenthesis closing the group opened at ``start``."""
    depth, i = 0, start
    while True:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = pattern.index("]", i + 2) + 1
            continue
        depth += (c == "(") - (c == ")")
        if depth == 0:
            return i
        i += 1


def _unanchored_rules(patterns: list[str]) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """Each trigger's unanchored rules (those that cannot match without it), and the rules no single trigger keys
    (run whenever any trigger is in the line, as all of them once were)."""
    by_trigger: dict[str, list[str]] = {t: [] for t in _TRIGGERS}
    unkeyed: list[str] = []
    for branch in (b for p in patterns for b in _split_alternatives(p) if not b.startswith("^")):
        literals = _required_literals(branch)
        named = [t for t in _TRIGGERS if any(t in literal for literal in literals)]
        for trigger in named:
            by_trigger[trigger].append(branch)
        if not named:
            unkeyed.append(branch)
    return {t: tuple(b) for t, b in by_trigger.items()}, tuple(unkeyed)


_STRONG_BY_TRIGGER, _STRONG_UNKEYED = _unanchored_rules(_STRONG)
_WEAK_BY_TRIGGER, _WEAK_UNKEYED = _unanchored_rules(_WEAK)


_LEADING_LETTERS = re.compile(r"[^\W\d_]+")


def literal_first(branch: str) -> str:
    """``branch`` (a rule with no top-level ``|``) written to open with its first letters when it opens with a word
    boundary: ``\\bword rest`` -> ``word(?<=\\bword) rest``, the boundary checked behind the word; a leading group of
    alternatives is rewritten alternative by alternative. The same matches at the same places.

    Why: a pattern opening with ``\\b`` is tried at every position of the line; one whose every alternative opens
    with a letter is searched for those letters only (the engine skips ahead). Story lines holding a trigger
    ("appointed" holds "app") ran the rules over their whole length: 0.15 ms per article, half of it gone. A branch
    that does not open so is returned as it is."""
    if not branch.startswith(r"\b"):
        return branch
    rest = branch[2:]
    if (word := _LEADING_LETTERS.match(rest)) is not None:
        letters, after = word.group(), rest[word.end() :]
        if after[:1] in ("?", "*", "+", "{"):  # the last letter is quantified: it stays with the rest
            letters, after = letters[:-1], letters[-1] + after
        return f"{letters}(?<=\\b{letters}){after}" if letters else branch
    if rest.startswith("(?:"):
        end = _group_end(rest, 0)
        if rest[end + 1 : end + 2] in ("?", "*", "+", "{"):
            return branch
        alternatives = [literal_first(r"\b" + alt) for alt in _split_alternatives(rest[3:end])]
        if all(not alt.startswith(r"\b") for alt in alternatives):
            return "(?:" + "|".join(alternatives) + ")" + rest[end + 1 :]
    return branch


@functools.lru_cache(maxsize=1024)
def _rules_for(triggers: frozenset[str], strong: bool) -> re.Pattern[str] | None:
    """The unanchored rules a line with these triggers could match, as one pattern (None: none can); the strong
    ones each opening with its letters where it can (``literal_first``). Not the weak ones: their words are short
    and common ("log in", "register"), tried wherever their first letter stands they took a tenth longer."""
    by_trigger, unkeyed = (_STRONG_BY_TRIGGER, _STRONG_UNKEYED) if strong else (_WEAK_BY_TRIGGER, _WEAK_UNKEYED)
    branches = dict.fromkeys([*unkeyed, *(b for t in sorted(triggers) for b in by_trigger[t])])
    written = [literal_first(b) if strong else b for b in branches]
    return re.compile("|".join(f"(?:{b})" for b in written)) if written else None


def _matches_unanchored(probe: str, triggers: frozenset[str], strong: bool) -> bool:
    if not triggers:
        return False
    rules = _rules_for(triggers, strong)
    return rules is not None and rules.search(probe) is not None


_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_GLUE_RE = re.compile(r"[A-ZÀ-Þ](?<=[a-zà-ÿ]{2}[A-ZÀ-Þ])(?=[a-zà-ÿ])")
"""A capital right after two lower-case letters and before one: "newsletterReceive". The capital first (matched,
then put back by ``unglue``): a pattern opening with a look-behind is tried at every position, one opening with a
character class is scanned for, and capitals are few."""

# Photo credits: agencies and the prefixes sites put before a photographer's name.
AGENCIES = (
    r"REUTERS|Reuters|AFP|AP(?: Photo)?|EPA(?:-EFE)?|EFE|ANSA|dpa|DPA|Getty Images|Getty|picture[- ]alliance"
    r"|Anadolu(?: Agency)?|Xinhua|PAP|SIPA|Sipa|Keystone|KEYSTONE|imago|IMAGO|Shutterstock|AA|MAXPPP|Hans Lucas"
)
_CREDIT_PREFIX = (
    r"(?:photo|photos|foto|fotos|image|images|picture|bild|bildquelle|titelbild|crédits?(?: photo)?|credits?"
    r"|illustration|image illustrative|source photo|quelle|صورة|الصورة)"
)
_CREDIT_BODY = (
    rf"(?:©\s*\S.*|\(c\)\s*\S.*|(?:{AGENCIES})(?:\s*/\s*[^/]{{2,60}}){{0,2}}|{_CREDIT_PREFIX}\s*[:/]\s*\S.{{0,80}}"
    rf"|[A-Za-z]{{2,12}}/(?:{AGENCIES}))"
)
_CREDIT_RE = re.compile(rf"^{_CREDIT_BODY}$", re.IGNORECASE)
_TRAILING_CREDIT_RE = re.compile(rf"^(?P<caption>.{{3,}}?[.!?)»”\"])\s+(?P<credit>{_CREDIT_BODY})$")
_AGENCY_AT_END_RE = re.compile(rf"(?:{AGENCIES})$")
_AGENCY_TAIL = 24  # characters: no agency name is longer (tests/unit/test_fast_paths.py checks)
"""Every form of ``_CREDIT_BODY`` holds "©", "(c)", "/" or ":", or is an agency name alone at the end of the line:
``split_trailing_credit`` looks for these first, in C, and tries its lazy pattern (an attempt at every closing
punctuation mark of the line) only on the few lines that have one."""
_COPYRIGHT_NOTICE_RE = re.compile(
    r"rights reserved|droits réservés|derechos reservados|rechte vorbehalten|^©\s*\d{4}\b", re.I
)

_BYLINE_RE = re.compile(
    r"^(?:by|written by|par|por|von|bei|di|بقلم|كتب)\s*:?\s+(?P<name>[^\W\d_][\w.'’ -]{1,80}?)"
    r"(?:\s*[,|–-]\s*(?:\w+\s*){0,4})?$",
    re.IGNORECASE,
)
_DESK_RE = re.compile(
    r"(?:la rédaction|notre (?:correspondant|envoyé)|nuestr[oa] (?:corresponsal|redacción)|unser)\b", re.I
)
_DATELINE_RE = re.compile(
    r"^(?:published|updated|modified|posted|first published|publié|mis à jour|modifié|publicado|actualizado"
    r"|veröffentlicht|aktualisiert|stand|erstellt|نشر|تاريخ النشر|آخر تحديث)\b"
    r"\s*(?:on|le|el|am)?\s*:?\s*(?P<rest>.{4,80})$",
    re.IGNORECASE,
)
_MONTHS = {
    **dict.fromkeys(["january", "janvier", "enero", "januar", "jan"], 1),
    **dict.fromkeys(["february", "février", "fevrier", "febrero", "februar", "feb", "fév"], 2),
    **dict.fromkeys(["march", "mars", "marzo", "märz", "mar"], 3),
    **dict.fromkeys(["april", "avril", "abril", "apr", "avr"], 4),
    **dict.fromkeys(["may", "mai", "mayo"], 5),
    **dict.fromkeys(["june", "juin", "junio", "juni", "jun"], 6),
    **dict.fromkeys(["july", "juillet", "julio", "juli", "jul", "juil"], 7),
    **dict.fromkeys(["august", "août", "aout", "agosto", "aug"], 8),
    **dict.fromkeys(["september", "septembre", "septiembre", "setiembre", "sept", "sep"], 9),
    **dict.fromkeys(["october", "octobre", "octubre", "oktober", "oct", "okt"], 10),
    **dict.fromkeys(["november", "novembre", "noviembre", "nov"], 11),
    **dict.fromkeys(["december", "décembre", "decembre", "diciembre", "dezember", "dec", "déc", "dez"], 12),
}
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_NUM_DATE_RE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_DMY_RE = re.compile(
    rf"\b(\d{{1,2}})(?:er|st|nd|rd|th)?\.?\s+(?:de\s+)?({_MONTH_ALT})\.?\s+(?:de\s+)?(\d{{4}})\b", re.I
)
_MDY_RE = re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DATE_ONLY_RE = re.compile(
    rf"^(?:\w+,?\s+)?(?:\d{{1,2}}(?:er)?\.?\s+(?:de\s+)?(?:{_MONTH_ALT})\.?\s+(?:de\s+)?\d{{4}}|(?:{_MONTH_ALT})\.?\s+"
    rf"\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})(?:\s*(?:[-–,|à]|at|um)?\s*"
    rf"\d{{1,2}}[:h.]\d{{2}}(?:\s*(?:[ap]\.?m\.?|gmt|utc|cet|h))?)?\.?$",
    re.IGNORECASE,
)
# Outlets named by promos or credits ("downloading the RFI app"); data, not code: extend freely.
KNOWN_OUTLETS = (
    "RFI",
    "France 24",
    "Al Jazeera",
    "BBC",
    "Reuters",
    "AFP",
    "Associated Press",
    "Le Monde",
    "Libya Herald",
    "Libya Observer",
    "Libya Review",
    "Deutsche Welle",
    "DW",
    "The Guardian",
    "El País",
    "Asharq Al-Awsat",
    "Al Arabiya",
    "Anadolu Agency",
    "Euronews",
    "Jeune Afrique",
    "Middle East Eye",
    "Newsfacet Demo Wire",
)
_OUTLET_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(o) for o in KNOWN_OUTLETS) + r")(?![\w-])")
_PROMO_OUTLET_RE = re.compile(
    r"(?:the|l'application|l’application|la app de|die|app (?:de|von)|تطبيق)\s+(?P<name>[A-Z0-9][\w&.’'-]*"
    r"(?:\s+[A-Z0-9][\w&.’'-]*){0,3})\s*(?:app\b|application\b|newsletter\b|$)"
)
_FINAL_PUNCT = tuple(".!?:;,…\"”»'’)]؟،")


@functools.lru_cache(maxsize=8192)  # the labelling asks for the same line's count several times over
def words(line: str) -> int:
    """Word count; CJK scripts have no spaces, so about two of their characters count as one word."""
    n = len(line.split())
    cjk = len(_CJK_RE.findall(line)) if not line.isascii() else 0
    return n + cjk // 2


def unglue(line: str) -> str:
    """Split copy-paste artefacts like "newsletterReceive" (only for matching: story text is never rewritten)."""
    return _GLUE_RE.sub(_space_before, line)  # a function, not r" \g<0>": a template is parsed again per call


def _space_before(match: re.Match[str]) -> str:
    return " " + match.group()


def is_boilerplate(line: str) -> bool:
    """True when a rule names this line as site chrome; long lines are story text whatever they contain."""
    n = words(line)
    if n == 0 or n > MAX_STRONG_WORDS:
        return False
    probe = unglue(line).lower()
    triggers = frozenset(trigger for _, trigger in _TRIGGER_AUTOMATON.iter(probe))
    if _STRONG_START.match(probe) or _matches_unanchored(probe, triggers, strong=True):
        return True
    if n > MAX_WEAK_WORDS or _is_sentence(line):
        return False
    return _WEAK_START.match(probe) is not None or _matches_unanchored(probe, triggers, strong=False)


def _is_sentence(line: str) -> bool:
    """A short line that reads like a sentence of the story ("Shares fell 3% on Monday.") is kept."""
    return words(line) >= 7 and line.rstrip().endswith((".", "!", "?")) and not line.lstrip().startswith(("©", "("))


def is_copyright_notice(line: str) -> bool:
    return _COPYRIGHT_NOTICE_RE.search(line) is not None


_REPORTER_CREDIT_RE = re.compile(
    r"^\(?(?:[Aa]dditional |[Ff]urther )?(?:[Rr]eporting|[Ww]riting|[Ee]diting) by "
    r"[A-Z]"
    r"|\bcontributed (?:reporting|to (?:this|the|our) (?:report|story|article))(?: (?:from|in) [^.!?]{1,60})?[.)]*$"
)
REPORTER_CREDIT_MAX_WORDS = 60
_SENTENCE_BREAK = re.compile(r"[.!?][\"”’»)]?\s+[A-Z]")


def reporter_credit_of(line: str) -> str | None:
    """The line when it credits the reporters and editors of the story, as agencies end it ("Reporting by Jane Doe;
    Editing by John Roe", "Associated Press writers Ann Lee and Bo Kim contributed to this report."): who wrote the
    story, not who is in it. Kept as a credit, out of the body and out of the actors."""
    text = line.strip()
    if not text or words(text) > REPORTER_CREDIT_MAX_WORDS:
        return None
    m = _REPORTER_CREDIT_RE.search(text)
    if m is None or _SENTENCE_BREAK.search(text, 0, m.start()):
        return None  # a credit is a line of its own: one glued to the story's last sentence leaves it in the body
    return text


def credit_of(line: str) -> str | None:
    """The line itself when it is only a photo credit ("REUTERS/Philippe Wojazer", "© AFP/Mahmud Turkia")."""
    text = line.strip()
    if words(text) > 12 or is_copyright_notice(text):
        return None
    return text if _CREDIT_RE.match(text) else None


def split_trailing_credit(line: str) -> tuple[str, str] | None:
    """(caption, credit) when a caption line ends with its credit: "Haftar. REUTERS/Philippe Wojazer"."""
    text = line.strip()
    if words(text) > 60:
        return None
    if not (
        "/" in text
        or ":" in text
        or "©" in text
        or "(c)" in text
        or _AGENCY_AT_END_RE.search(text, max(0, len(text) - _AGENCY_TAIL))
    ):
        return None
    m = _TRAILING_CREDIT_RE.match(text)
    if not m or words(m.group("credit")) > 12:
        return None
    return m.group("caption").strip(), m.group("credit").strip()


_NAME_AND_TITLE_RE = re.compile(
    r"^(?![Bb][Yy] )(?P<name>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){1,3}), (?:[A-Za-z][\w.&]*\s){0,3}"
    r"(?:[Ww]riter|[Cc]orrespondent|[Rr]eporter|[Cc]olumnist|[Ee]ditor|[Cc]ontributor)$"
)
"""A byline without "By": the name, then the job ("Greg Beacham, AP Sports Writer", "Ann Lee, Staff Reporter")."""


def byline_of(line: str) -> str | None:
    """The author's name from a byline ("By Jane Doe", "Par Jean Dupont", "بقلم ...", "Jane Doe, Staff Writer"),
    else None."""
    text = line.strip()
    if words(text) > 10 or text.endswith((".", "!", "?")):
        return None
    if (titled := _NAME_AND_TITLE_RE.match(text)) is not None:
        return titled.group("name")
    m = _BYLINE_RE.match(text)
    if not m:
        return None
    name = m.group("name").strip()
    first = name.split()[0]
    if first[:1].isupper() or not first[:1].isascii() or _DESK_RE.match(name):
        return name
    return None


def parse_date(text: str) -> str | None:
    """ISO date (YYYY-MM-DD) from the first date written in the text (day-first when numeric), else None."""
    candidates: list[tuple[int, int, int, int]] = []  # (position, year, month, day)
    for m in _ISO_DATE_RE.finditer(text):
        candidates.append((m.start(), int(m[1]), int(m[2]), int(m[3])))
    for m in _NUM_DATE_RE.finditer(text):
        candidates.append((m.start(), int(m[3]), int(m[2]), int(m[1])))
    for m in _DMY_RE.finditer(text):
        candidates.append((m.start(), int(m[3]), _MONTHS[m[2].lower()], int(m[1])))
    for m in _MDY_RE.finditer(text):
        candidates.append((m.start(), int(m[3]), _MONTHS[m[1].lower()], int(m[2])))
    for _, year, month, day in sorted(candidates):
        if 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def dateline_of(line: str) -> str | None:
    """ISO date from a dateline ("Published on: 13/11/2018 - 15:42", "13 novembre 2018"), else None."""
    text = line.strip()
    if words(text) > 14:
        return None
    m = _DATELINE_RE.match(text)
    if m:
        return parse_date(m.group("rest"))
    return parse_date(text) if _DATE_ONLY_RE.match(text) else None


def looks_like_heading(line: str) -> bool:
    """Short, capitalised, no final punctuation: a section heading when it sits between paragraphs."""
    text = line.strip()
    if not text or words(text) > 12 or len(text) > 100 or text.endswith(_FINAL_PUNCT):
        return False
    first = text[0]
    return first.isupper() or first.isdigit() or (not first.isascii() and first.isalpha() and not first.islower())


def detect_source(promo_lines: Iterable[str], story_lines: Iterable[str] = ()) -> str | None:
    """Outlet named by the site's own chrome (promos, notices), else by a "told RFI"-style mention in the story."""
    promos = [unglue(line) for line in promo_lines]
    for line in promos:
        m = _OUTLET_RE.search(line)
        if m:
            return m.group(1)
    for line in promos:
        m = _PROMO_OUTLET_RE.search(line)
        if m:
            return m.group("name")
    told = re.compile(r"\b(?:told|to|à|a|al|gegenüber)\s+(" + _OUTLET_RE.pattern + ")")
    for line in story_lines:
        m = told.search(line)
        if m:
            return m.group(1)
    return None
