"""How the DAGs' tasks end on a fault no retry can fix.

The DAGs retry every failed task with backoff (a node down, a timeout, a 429 that outlived the client's own
retries). A wrong setting, a mapping that needs a reindex, or credentials refused or short of a privilege would
only fail again, minutes later, several times: those end the task at once, with the cause in its log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_retry_for_permanent_faults() -> Iterator[None]:
    """Re-raise faults ``etl.store.client.is_permanent`` names as ``AirflowFailException`` (no retry); others
    unchanged."""
    try:
        yield
    except Exception as exc:
        from etl.store.client import is_permanent

        if is_permanent(exc):
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(
                f"{type(exc).__name__}: {exc} (not retried: fix the cause, then clear the task)"
            ) from exc
        raise
