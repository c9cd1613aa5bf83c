"""The knowledge a run uses: the shipped knowledge base and gazetteer with your own files (``NEWSFACET_KB_DIR``)
on top, and the two versions every document records.

Why one loader: the ingest, ``relink``, ``reindex``, search and ``kb check`` must all read the same knowledge, or a
document would say it was made by a version it was not.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl.knowledge import actors, gazetteer, user_places
from etl.knowledge.actors import KnowledgeBase
from etl.knowledge.gazetteer import Gazetteer
from etl.settings import Settings


@dataclass(frozen=True)
class Knowledge:
    """The knowledge base and the gazetteer, loaded together."""

    kb: KnowledgeBase
    gazetteer: Gazetteer

    @property
    def versions(self) -> tuple[str, str]:
        """(knowledge-base version, gazetteer version), as documents record them."""
        return self.kb.version, self.gazetteer.version


def load_knowledge(settings: Settings, *, refresh: bool = False) -> Knowledge:
    """The knowledge for these settings, loaded once per process; ``refresh``: reload what changed on disk."""
    return Knowledge(
        KnowledgeBase.load(user_dir=settings.kb_dir, refresh=refresh),
        Gazetteer.load(user_dir=settings.kb_dir, refresh=refresh),
    )


def current_versions(settings: Settings) -> tuple[str, str]:
    """The versions the knowledge files have now (hashing them, nothing parsed): cheap enough to ask at the end
    of every batch whether the knowledge it used is still the current one."""
    return actors.file_version(user_dir=settings.kb_dir), gazetteer.file_version(user_dir=settings.kb_dir)


def check_knowledge(settings: Settings) -> tuple[list[str], list[str]]:
    """(problems, notes) of the knowledge files: the shipped ones and yours, each as ``file:line: what``."""
    if settings.kb_dir is not None and not settings.kb_dir.is_dir():
        return [f"NEWSFACET_KB_DIR {settings.kb_dir}: not a directory"], []
    problems = actors.check(user_dir=settings.kb_dir) + user_places.check_places(settings.kb_dir)
    return problems, actors.overrides(user_dir=settings.kb_dir)
