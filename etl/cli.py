"""The ``newsfacet`` command: the same stage functions the DAGs call, without Airflow.

    newsfacet clean FILE [--json]         the cleaned article (title, headings, body, captions, credits, removed)
    newsfacet enrich FILE --json          the document exactly as it would be indexed (no Elasticsearch needed)
    newsfacet run [PATH ...]              one pipeline pass into Elasticsearch, with progress and a summary
    newsfacet search [TEXT] [filters]     hits plus facet counts (--facet); --actor / --region accept any alias
    newsfacet reindex [--rollback]        rebuild from the archive behind the alias, or roll back
    newsfacet es start|stop|status        a local Elasticsearch node for machines without Docker
    newsfacet kb check                    validate the knowledge base files
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from etl.errors import NewsfacetError, RejectedInput
from etl.search import FACETS
from etl.settings import Settings


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _load_clean(path: Path, settings: Settings) -> Any:
    from etl.clean import clean
    from etl.extract import decode, read_file

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
    from etl.enrich import enrich, knowledge_versions
    from etl.index import to_document

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
    from etl.pipeline import run

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
    from etl.index import connect
    from etl.search import DEFAULT_FACETS, SearchQuery, format_result, resolve_filters, search

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
    from etl import esnode

    options: dict[str, Any] = {"version": settings.es_node_version, "http_port": settings.es_node_port,
                               "heap": settings.es_node_heap}
    if settings.es_node_home:
        options["home_root"] = settings.es_node_home
    config = esnode.NodeConfig(**options)
    if args.action == "start":
        status = esnode.start(config)
    elif args.action == "stop":
        esnode.stop(config)
        status = esnode.status(config)
    else:
        status = esnode.status(config)
    if status.running:
        print(f"Elasticsearch {status.version} at {status.url}: {status.health}, pid {status.pid or '?'}"
              f"{'' if status.managed else ' (not started by newsfacet)'}")
        print(f"  analysis: {', '.join(status.analysis) or 'none'}"
              f"{'; missing ' + ', '.join(status.missing_analysis) if status.missing_analysis else ''}")
    else:
        print(f"no Elasticsearch at {status.url}")
    return 0 if (args.action == "stop") or status.running else 1


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from etl.reindex import main_cli

    return main_cli(settings, rollback_only=args.rollback)


def cmd_kb(args: argparse.Namespace, settings: Settings) -> int:
    from etl.kb import KnowledgeBase, check

    problems = check(None)
    kb = KnowledgeBase.load()
    print(f"knowledge base {kb.version}: {len(kb.actors)} actors, "
          f"{sum(len(a.aliases) for a in kb.actors)} aliases")
    for problem in problems:
        print(f"  problem: {problem}")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsfacet", description="Raw news articles -> a faceted search index.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("clean", help="print the cleaned article")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_clean)

    p = sub.add_parser("enrich", help="print the document as it would be indexed")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="the full document as JSON")
    p.set_defaults(func=cmd_enrich)

    p = sub.add_parser("run", help="one pipeline pass over files or folders (default: the inbox)")
    p.add_argument("paths", nargs="*")
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

    p = sub.add_parser("es", help="a local Elasticsearch node (Maven Central distribution)")
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
    except NewsfacetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
