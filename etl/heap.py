"""Keeping what a worker loads once (knowledge base, gazetteer, spaCy models) out of Python's cyclic collector.

Why: a worker holds over half a million such objects for its whole life (300,000 of them the knowledge), and
every full collection walked them all: 300-350 ms each, one or two per 400 bench articles, 0.9-1.7 ms of CPU per
article (as much as the quotes and ``to_document`` stages together), against 0.07-0.17 ms once they are frozen.
Frozen objects are still freed by reference counting when the last reference goes (a reloaded knowledge base
replaces the old one); only a reference cycle among them would outlive its use: the knowledge holds none (dropped,
all of it is freed), and a model stays loaded for the process's life.
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Move every object alive now into the collector's permanent generation, after a young collection has
    dropped the loader's own garbage; call it when something loaded once per process has just been loaded."""
    gc.collect(1)
    gc.freeze()
