"""A pipeline run: planning which files are new work, the batch transaction, the report, the one run path."""
