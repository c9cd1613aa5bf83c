"""The ``newsfacet`` command: the same stage functions the DAGs call, without Airflow.

    newsfacet clean FILE [--json]         the cleaned article (title, headings, body, captions, credits, removed)
    newsfacet enrich FILE [--json]        the document exactly as it would be indexed (no Elasticsearch needed)
    newsfacet run [PATH ...]              one pipeline pass into Elasticsearch, with progress and a summary
    newsfacet search [TEXT] [filters]     hits plus facet counts (--facet); --actor / --region accept any alias
    newsfacet reindex [--rollback]        rebuild from the archive behind the alias, or roll back
    newsfacet es start|stop|status        a local Elasticsearch node for machines without Docker (development)
    newsfacet kb check                    validate the knowledge base files

Exit codes: 0 done; 1 a check failed (``kb check`` found problems, ``es status`` found no node); 2 an error (the
message says what to fix); 3 the input file was rejected (``clean`` / ``enrich``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from etl.clean import clean
from etl.document import to_document
from etl.enrich import enrich, knowledge_versions
from etl.errors import NewsfacetError, ReindexCheckError, RejectedInput
from etl.extract import decode, read_file
from etl.knowledge.actors import KnowledgeBase, check
from etl.records import CleanArticle
from etl.run.flow import run
from etl.search import DEFAULT_FACETS, FACETS, SearchQuery, format_result, resolve_filters, search
from etl.settings import Settings
from etl.store.client import classify, connect
from etl.store.reindex import reindex, rollback


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _load_clean(path: Path, settings: Settings) -> CleanArticle:
    return clean(decode(read_file(path, settings.max_file_bytes), settings.max_file_bytes))


def cmd_clean(args: argparse.Namespace, settings: Settings) -> int:
    article = _load_clean(Path(args.file), settings)
    if args.json:
        _print_json(dataclasses.asdict(article))
        return 0
    print(f"title:    {article.title}")
    print(f"source:   {article.source or '-'}    published: {article.published_at or '-'}")
    print(f"headings: {' | '.join(article.headings) or '-'}")
    print(f"captions: {' | '.join(article.captions) or '-'}")
    print(f"credits:  {' | '.join(article.credits) or '-'}")
    print(f"removed:  {len(article.removed)} boilerplate line(s)")
    for line in article.removed:
        print(f"          - {line}")
    print()
    print(article.body)
    return 0


def cmd_enrich(args: argparse.Namespace, settings: Settings) -> int:
    article = _load_clean(Path(args.file), settings)
    kb_version, gazetteer_version = knowledge_versions()
    document = to_document(enrich([article], settings)[0], kb_version=kb_version,
                           gazetteer_version=gazetteer_version)
    if args.json:
        _print_json(document)
    else:
        for key in ("title", "language", "source", "actors", "persons", "organizations", "places", "regions",
                    "countries"):
            print(f"{key:>14}: {document[key]}")
        print(f"{'quotes':>14}: {len(document['quotes'])}")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    paths = list(args.paths) or [settings.inbox]
    print(f"newsfacet run: {', '.join(map(str, paths))} -> {settings.elasticsearch_url} alias '{settings.index_alias}'",
          flush=True)
    report = run(paths, settings, progress=lambda msg: print(msg, flush=True))
    print(f"summary: {report.summary()}")
    for rejection in report.rejections:
        print(f"  rejected {rejection['reason']:<16} {rejection['source_file']}: {rejection['detail']}")
    if report.rejections:
        print(f"  (notes in {settings.quarantine_dir})")
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    query = resolve_filters(SearchQuery(
        text=" ".join(args.text) or None,
        regions=tuple(args.region), actors=tuple(args.actor), countries=tuple(args.country),
        places=tuple(args.place), languages=tuple(args.lang), sources=tuple(args.source),
        date_from=args.date_from, date_to=args.date_to, size=args.size,
        facets=tuple(args.facet) or DEFAULT_FACETS,
    ))
    result = search(connect(settings), settings.index_alias, query)
    if args.json:
        _print_json({"query": dataclasses.asdict(query), **result.to_dict()})
    else:
        print(format_result(result))
    return 0


def cmd_es(args: argparse.Namespace, settings: Settings) -> int:
    import devtools  # development tooling, outside the product package: only `newsfacet es` needs it
    from devtools.settings import node_config

    config = node_config()
    if args.action == "start":
        status = devtools.start(config)
    elif args.action == "stop":
        devtools.stop(config)
        status = devtools.status(config)
    else:
        status = devtools.status(config)
    if status.running:
        print(f"Elasticsearch {status.version} at {status.url}: {status.health}, pid {status.pid or '?'}"
              f"{'' if status.managed else ' (not started by newsfacet)'}")
        print(f"  analysis: {', '.join(status.analysis) or 'none'}"
              f"{'; missing ' + ', '.join(status.missing_analysis) if status.missing_analysis else ''}")
    else:
        print(f"no Elasticsearch at {status.url}")
    return 0 if (args.action == "stop") or status.running else 1


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    if args.rollback:
        old, new = rollback(settings)
        print(f"rolled back alias '{settings.index_alias}': {old} -> {new}")
        return 0
    print(f"newsfacet reindex: {settings.archive_dir} -> {settings.elasticsearch_url} alias '{settings.index_alias}'",
          flush=True)
    result = reindex(settings)
    print(f"reindexed: {result.summary()}")
    if result.build.analysis_fallback:
        print(f"  WARNING analyzers replaced by standard: {', '.join(result.build.analysis_fallback)}")
    return 0


def cmd_kb(args: argparse.Namespace, settings: Settings) -> int:
    problems = check(None)
    kb = KnowledgeBase.load()
    print(f"knowledge base {kb.version}: {len(kb.actors)} actors, "
          f"{sum(len(a.aliases) for a in kb.actors)} aliases")
    for problem in problems:
        print(f"  problem: {problem}")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsfacet", description="Raw news articles -> a faceted search index.",
                                     epilog="Exit codes: 0 done, 1 a check failed, 2 an error, 3 input rejected.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("clean", help="print the cleaned article")
    p.add_argument("file", help="a text or HTML file (gzip too)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_clean)

    p = sub.add_parser("enrich", help="print the document as it would be indexed")
    p.add_argument("file", help="a text or HTML file (gzip too)")
    p.add_argument("--json", action="store_true", help="the full document as JSON")
    p.set_defaults(func=cmd_enrich)

    p = sub.add_parser("run", help="one pipeline pass over files or folders (default: the inbox)")
    p.add_argument("paths", nargs="*", help="files or folders (default: NEWSFACET_INBOX)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("search", help="search with facet counts; --actor and --region accept aliases")
    p.add_argument("text", nargs="*", help="full-text query")
    p.add_argument("--region", action="append", default=[], help="region (any alias), repeatable")
    p.add_argument("--actor", action="append", default=[], help="actor (any alias), repeatable")
    p.add_argument("--country", action="append", default=[], help="country (any alias), repeatable")
    p.add_argument("--place", action="append", default=[], help="place (any alias), repeatable")
    p.add_argument("--lang", action="append", default=[], help="language code, repeatable")
    p.add_argument("--source", action="append", default=[], help="source outlet, repeatable")
    p.add_argument("--from", dest="date_from", help="published on or after (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", help="published on or before (YYYY-MM-DD)")
    p.add_argument("--size", type=int, default=10, help="hits to show")
    p.add_argument("--facet", action="append", default=[], choices=sorted(FACETS),
                   help="facet to count, repeatable (default: regions, countries, actors, language)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("es", help="a local Elasticsearch node (Maven Central distribution; development)")
    p.add_argument("action", choices=["start", "stop", "status"])
    p.set_defaults(func=cmd_es)

    p = sub.add_parser("reindex", help="rebuild the index from the archive, check it, swap the alias atomically")
    p.add_argument("--rollback", action="store_true", help="point the alias back at the previous index instead")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("kb", help="knowledge-base tools")
    p.add_argument("action", choices=["check"])
    p.set_defaults(func=cmd_kb)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        return int(args.func(args, settings))
    except RejectedInput as exc:
        print(f"rejected: {exc}", file=sys.stderr)
        return 3
    except ReindexCheckError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except NewsfacetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        fault = classify(exc, f"running `newsfacet {args.command}`")
        if fault is None:
            raise
        print(f"error: {fault}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
