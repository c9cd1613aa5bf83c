"""Language detection is deterministic; settings come from the environment only."""

from __future__ import annotations

from etl.language import detect_language
from etl.settings import Settings
from tests.paths import SEED_ARTICLE


def test_seed_is_english_and_deterministic() -> None:
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    answers = {detect_language(text) for _ in range(5)}
    assert len(answers) == 1
    (answer,) = answers
    assert answer.code == "en" and answer.confidence > 0.9


def test_french_arabic_and_too_short() -> None:
    assert detect_language("Le maréchal Haftar a boycotté la conférence de Palerme sur la Libye, lundi.").code == "fr"
    assert detect_language("قاطع المشير خليفة حفتر مؤتمر باليرمو حول ليبيا يوم الاثنين").code == "ar"
    assert detect_language("OK 12").code == "und"


def test_settings_from_environment() -> None:
    settings = Settings.from_env(
        {
            "ELASTICSEARCH_URL": "http://es:9200",
            "NEWSFACET_INDEX": "news",
            "NEWSFACET_INBOX": "/data/inbox",
            "NEWSFACET_SPACY_MODEL_EN": "en_core_web_trf",
            "NEWSFACET_SPACY_MODEL_AR": "ar_model",
            "NEWSFACET_SCHEDULE": "none",
            "NEWSFACET_BATCH_SIZE": "5000",
        }
    )
    assert settings.elasticsearch_url == "http://es:9200"
    assert settings.index_alias == "news"
    assert settings.inbox == "/data/inbox"
    assert settings.spacy_models["en"] == "en_core_web_trf"
    assert settings.spacy_models["fr"] == "fr_core_news_sm"
    assert settings.spacy_models["ar"] == "ar_model"
    assert settings.schedule is None
    assert settings.batch_size == 5000
    assert settings.quarantine_dir.parent == settings.data_dir


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.elasticsearch_url == "http://localhost:9200"
    assert settings.index_alias == "articles"
    assert settings.schedule is None  # manual unless NEWSFACET_SCHEDULE sets one (the compose stack does)


def test_the_declared_language_wins_when_the_walks_disagree() -> None:
    """A German course page opened with English-looking markup: two of three walks said English, and its German
    nouns became English "names". When the walks disagree, the page's declared language wins if it is a candidate;
    a clear answer stands against the declaration (templates declare "en" on every page)."""
    text = (
        "Lehrberufe KFT\n\nKFT - Kraftfahrzeugtechnik\n\nHier finden Sie unsere Lehrberufe zum Lehrgang "
        "Kraftfahrzeugtechnik (KFT)\n\nJahrgangsunterricht\n\nGrundmodul\n\n"
        "[box_colored class=“tablebox“ background=“#0c55a7″ title=“LF 13″]Vernetzte Systeme[/box_colored]\n\n"
        "[box_colored class=“tablebox“ background=“#3D78BA“ title=“LF 14″]§57a[/box_colored]\n\n"
        "[box_colored class=“tablebox“ background=“#3D78BA“ title=“LF 10″]Fahrwerksysteme[/box_colored]"
    )
    assert detect_language(text, "de").code == "de"
    assert (
        detect_language("Le maréchal Haftar a boycotté la conférence de Palerme sur la Libye, lundi.", "en").code
        == "fr"
    )
