"""Benchmarks and quality evaluations, each printing its figures beside its goal: run them from the project root as
modules (``python -m bench.run_all``, ``python -m bench.pipeline_bench``...), so they import ``etl`` and each other
without path tricks."""
