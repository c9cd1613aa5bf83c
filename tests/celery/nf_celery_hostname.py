"""``[core] hostname_callable`` for the scale-out test: each Celery worker reports its own name.

Both workers run on one machine, so the default (the FQDN) would be the same for every task instance. The test
starts each worker with ``NEWSFACET_CELERY_WORKER`` set to its Celery hostname and this directory on
``PYTHONPATH``; the task processes it forks inherit both, so a task instance's ``hostname`` names its worker.
"""

from __future__ import annotations

import os
import socket


def hostname() -> str:
    return os.environ.get("NEWSFACET_CELERY_WORKER") or socket.getfqdn()
