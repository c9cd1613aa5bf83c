"""Where results are kept: the Elasticsearch client and its faults, the index lifecycle, the ledger, bulk loading,
the files under ``NEWSFACET_DATA_DIR`` (quarantine, archive, summaries) and the rebuild from the archive."""
