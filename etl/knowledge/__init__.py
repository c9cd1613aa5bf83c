"""What the pipeline knows: canonical actors and their aliases (``actors``), places rolled up to districts, regions
and countries (``gazetteer``), the shared folding of names (``folding``) and the whole-word scanner both use
(``wordscan``). The data files are in ``data/`` (package data)."""
