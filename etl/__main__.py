"""``python -m etl`` is the ``newsfacet`` command."""

from etl.cli import main

raise SystemExit(main())
