"""Where the tests find the project and the shared evaluation data: derived once, here."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT_ROOT / "seeds"
SEED_ARTICLE = SEEDS / "rfi-2018-11-13-haftar-boycotts-palermo.txt"
DAGS = PROJECT_ROOT / "dags"
KNOWLEDGE_DATA = PROJECT_ROOT / "etl" / "knowledge" / "data"
SHARED = Path(os.environ.get("NEWSFACET_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
"""``../shared`` beside the checkout (evaluation data, read at run time, never copied), unless overridden."""
