"""Every error newsfacet raises, and whether retrying can help (``retryable``).

    NewsfacetError                 base; ``retryable`` says whether trying again later can help
    ├── RejectedInput              one input is bad: counted, quarantined with its ``RejectReason``, never retried
    ├── TransientError             retryable: Elasticsearch down, slow or refusing (429 / 5xx); Airflow retries the task
    └── PermanentError             no retry can fix it: the task fails at once and says what to fix
        ├── ConfigurationError     a setting, a knowledge-base file or a missing spaCy model
        │   └── MappingConflict    the index's mapping cannot take this pipeline's: run ``newsfacet reindex``
        ├── AccessDenied           credentials refused (401) or short of a privilege (403)
        ├── ReindexCheckError      a rebuilt index failed its checks; the alias was not touched
        ├── IncompleteRun          articles lost to the index in a run (missing, refused, or failed by a bug)
        ├── InvalidQuery           a search that cannot be run as typed (a bad date, a size out of range)
        └── LocalNodeError         the development Elasticsearch node (``newsfacet es``) cannot be set up

Which Elasticsearch answers are transient and which permanent is decided in one place, ``etl.store.client``.
A rejection is a result, not a crash: the run records it with its reason and moves on.
"""

from __future__ import annotations

from enum import StrEnum


class RejectReason(StrEnum):
    """Why an input file did not become an indexed article."""

    EMPTY = "empty"
    BINARY = "binary"
    UNDECODABLE = "undecodable"
    TOO_LARGE = "too_large"
    UNREADABLE = "unreadable"
    NO_ARTICLE = "no_article"  # no story at all (blank, script-only, error page, only boilerplate)
    NOT_AN_ARTICLE = "not_an_article"  # a page whose main content is not a story (a section front, a listing)
    TOO_SHORT = "too_short"
    DUPLICATE = "duplicate"
    UNSUPPORTED_TYPE = "unsupported_type"
    OUTSIDE_INBOX = "outside_inbox"  # a link leading out of the inbox: not followed (NEWSFACET_FOLLOW_LINKS)
    LINKED_FOLDER = "linked_folder"  # a link to a folder: not walked, so no file is read twice or out of the inbox
    INDEX_REJECTED = "index_rejected"  # Elasticsearch refused this one document (e.g. mapping conflict)
    PROCESSING_ERROR = "processing_error"  # a stage failed on this one article (a bug, reported with the error)


class NewsfacetError(Exception):
    """Base of all newsfacet errors."""

    retryable: bool = False


class RejectedInput(NewsfacetError):
    """The input cannot become an article; retrying will not help."""

    def __init__(self, reason: RejectReason, detail: str, source_file: str | None = None) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
        self.source_file = source_file


class TransientError(NewsfacetError):
    """A fault outside the input (service down, overloaded, timed out); retrying can help."""

    retryable = True


class PermanentError(NewsfacetError):
    """A fault no retry can fix; the run stops and the message says what to change."""


class ConfigurationError(PermanentError):
    """A setting, mapping or data file is wrong; fix it before running again."""


class MappingConflict(ConfigurationError):
    """The index was made by a mapping this pipeline cannot extend in place; ``newsfacet reindex`` rebuilds it."""


class AccessDenied(PermanentError):
    """Elasticsearch refused the credentials (401) or they lack a privilege (403)."""


class ReindexCheckError(PermanentError):
    """The rebuilt index failed a check; the alias was not touched and the candidate was deleted."""


class IncompleteRun(PermanentError):
    """Articles were lost to the index in a run: documents missing from it, or refused by it, or failed by a stage.
    Carries what was lost, and the run's report (``report``, set by ``etl.run.flow.run``) for the summary."""

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing
        self.report: object = None


class InvalidQuery(PermanentError):
    """A search cannot be run as the user typed it; the message says what to change."""


class LocalNodeError(PermanentError):
    """The local development node cannot be installed, started or stopped."""
