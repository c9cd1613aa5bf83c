"""Every error newsfacet raises, and whether retrying can help.

    NewsfacetError
    ├── RejectedInput          terminal: the input itself is bad; the article is quarantined, never retried
    │     carries a ``RejectReason`` (empty, binary, undecodable, too_large, no_article, not_an_article, ...)
    ├── TransientError         retry can help: Elasticsearch down, slow or refusing (429); Airflow retries the task
    └── ConfigurationError     terminal for the run: a setting, mapping or knowledge-base file is wrong

A rejection is a result, not a crash: the runner records it with its reason and moves on.
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


class ConfigurationError(NewsfacetError):
    """A setting, mapping or data file is wrong; fix it before running again."""
