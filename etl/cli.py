"""The ``newsfacet`` command: the same stage functions the DAGs call, without Airflow.

    newsfacet clean FILE [--json]         the cleaned article (title, headings, body, captions, credits, removed)
    newsfacet enrich FILE [--json]        the document exactly as it would be indexed (no Elasticsearch needed)
    newsfacet run [PATH ...] [--stale]    one pipeline pass into Elasticsearch, with progress and a summary
    newsfacet search [TEXT] [filters]     hits plus facet counts (--facet); --actor / --region accept any alias
    newsfacet reindex [--rollback]        rebuild from the archive behind the alias, or roll back
    newsfacet relink [--dry-run]          bring the indexed documents to the current knowledge, without NER
    newsfacet es start|stop|status        a local Elasticsearch node for machines without Docker (development)
    newsfacet kb check                    validate the knowledge files (shipped, and yours in NEWSFACET_KB_DIR)
    newsfacet kb suggest [--min-docs N]   names the articles use that no knowledge-base entry covers

Exit codes: 0 done; 1 a check failed (``kb check`` found problems, ``es status`` found no node); 2 an error (the
message says what to fix); 3 the input file was rejected (``clean`` / ``enrich``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from etl.clean import clean
from etl.display import printable
from etl.document import to_document
from etl.enrich import enrich
from etl.errors import IncompleteRun, NewsfacetError, ReindexCheckError, RejectedInput
from etl.extract import decode, read_file
from etl.knowledge.loader import check_knowledge, load_knowledge
from etl.records import CleanArticle
from etl.run.flow import run
from etl.run.report import RunReport
from etl.search import (
    DEFAULT_FACETS,
    FACETS,
    SearchQuery,
    format_result,
    resolve_filters,
    search,
    unknown_filters,
)
from etl.settings import Settings
from etl.store.client import classify, connect
from etl.store.reindex import reindex, rollback

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _load_clean(path: Path, settings: Settings) -> CleanArticle:
    return clean(decode(read_file(path, settings.max_file_bytes), settings.max_file_bytes))


def cmd_clean(args: argparse.Namespace, settings: Settings) -> int:
    article = _load_clean(Path(args.file), settings)
    if args.json:
        _print_json(dataclasses.asdict(article))
        return 0
    show = printable
    print(f"title:    {show(article.title)}")
    print(f"source:   {show(article.source or '-')}    published: {show(article.published_at or '-')}")
    print(f"headings: {show(' | '.join(article.headings) or '-')}")
    print(f"captions: {show(' | '.join(article.captions) or '-')}")
    print(f"credits:  {show(' | '.join(article.credits) or '-')}")
    print(f"removed:  {len(article.removed)} boilerplate line(s)")
    for line in article.removed:
        print(f"          - {show(line)}")
    print()
    print("\n".join(show(line) for line in article.body.split("\n")))
    return 0


def cmd_enrich(args: argparse.Namespace, settings: Settings) -> int:
    article = _load_clean(Path(args.file), settings)
    knowledge = load_knowledge(settings)
    kb_version, gazetteer_version = knowledge.versions
    document = to_document(
        enrich([article], settings)[0],
        kb_version=kb_version,
        gazetteer_version=gazetteer_version,
        kb=knowledge.kb,
        gazetteer=knowledge.gazetteer,
    )
    if args.json:
        _print_json(document)
    else:
        for key in (
            "title",
            "language",
            "source",
            "actors",
            "persons",
            "organizations",
            "places",
            "regions",
            "countries",
        ):
            print(f"{key:>14}: {printable(document[key])}")
        print(f"{'quotes':>14}: {len(document['quotes'])}")
    return 0


class RunProgress:
    """What ``newsfacet run`` shows while it works: on a terminal, a bar over the files to process with their rate
    and the time left; elsewhere (a log, a pipe, CI) the run's own progress lines, one per line.

    The run reports through text lines (``etl.run.flow.run``'s ``progress``): the bar reads the three it knows
    (the plan's ``inbox: ... N to process``, a batch's ``enriched a/b`` and ``batch i/n: ...``) and prints any
    other above itself, so a reworded line costs precision, never a message.
    """

    PLANNED = re.compile(r"^inbox: .*?(\d+) to process")
    ENRICHED = re.compile(r"^\s*enriched (\d+)/(\d+)")
    BATCH_DONE = re.compile(r"^batch (\d+)/(\d+): ")

    def __init__(self, batch_size: int, stream: IO[str] | None = None, force_terminal: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.terminal = self.stream.isatty() if force_terminal is None else force_terminal
        self.batch_size = max(1, batch_size)
        self.total = 0
        self.batch = 1
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> RunProgress:
        if self.terminal:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TextColumn("elapsed"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=Console(file=self.stream, force_terminal=True),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("planning", total=None, rate="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, message: str) -> None:
        if self._bar is None or self._task is None:
            print(message, file=self.stream, flush=True)
            return
        if m := self.PLANNED.match(message):
            self.total = int(m.group(1))
            self._bar.console.print(message, markup=False, highlight=False)
            self._bar.update(self._task, description="indexing", total=self.total, completed=0)
        elif m := self.ENRICHED.match(message):
            done, articles = int(m.group(1)), int(m.group(2))
            before = (self.batch - 1) * self.batch_size
            in_batch = min(self.batch_size, self.total - before) if self.total else articles
            self._advance(before + round(done * in_batch / max(articles, 1)))
        elif m := self.BATCH_DONE.match(message):
            self._advance(min(self.total, int(m.group(1)) * self.batch_size))
            self.batch = int(m.group(1)) + 1
            if int(m.group(2)) > 1:
                self._bar.console.print(message, markup=False, highlight=False)
        else:
            self._bar.console.print(message, markup=False, highlight=False)

    def _advance(self, completed: int) -> None:
        assert self._bar is not None and self._task is not None
        self._bar.update(self._task, completed=completed)
        speed = self._bar.tasks[self._task].speed
        self._bar.update(self._task, rate=f"{speed:.1f} files/s" if speed else "")


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    paths = list(args.paths) or [settings.inbox]
    print(
        f"newsfacet run: {printable(', '.join(map(str, paths)))} -> {settings.display_url} alias "
        f"'{settings.index_alias}'",
        flush=True,
    )
    try:
        with RunProgress(settings.batch_size) as progress:
            report = run(paths, settings, progress=lambda message: progress(printable(message)), stale=args.stale)
    except IncompleteRun as exc:
        if isinstance(exc.report, RunReport):
            _print_summary(exc.report, settings)
        raise
    _print_summary(report, settings)
    if report.stale > report.stale_redone:
        why = "their raw input is gone or outside these paths" if args.stale else "run with --stale"
        print(f"  {report.stale - report.stale_redone} document(s) made by an older pipeline remain ({why})")
    if report.suggestions:
        top = ", ".join(f"{printable(s['name'])} ({s['documents']})" for s in report.suggestions[:5])
        print(f"  most frequent names no knowledge-base entry covers: {top} (newsfacet kb suggest)")
    return 0


def _print_summary(report: RunReport, settings: Settings) -> None:
    print(f"summary: {report.summary()}")
    for rejection in report.rejections:
        print(
            f"  rejected {rejection['reason']:<16} {printable(rejection['source_file'])}: "
            f"{printable(rejection['detail'])}"
        )
    if report.rejections:
        print(f"  (notes in {settings.quarantine_dir})")


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    knowledge = load_knowledge(settings, refresh=True)
    query = resolve_filters(
        SearchQuery(
            text=" ".join(args.text) or None,
            regions=tuple(args.region),
            actors=tuple(args.actor),
            countries=tuple(args.country),
            places=tuple(args.place),
            languages=tuple(args.lang),
            sources=tuple(args.source),
            date_from=args.date_from,
            date_to=args.date_to,
            size=args.size,
            facets=tuple(args.facet) or DEFAULT_FACETS,
        ),
        knowledge.kb,
        knowledge.gazetteer,
    )
    unknown = unknown_filters(query, knowledge.kb, knowledge.gazetteer)
    for problem in unknown:
        print(problem.message(), file=sys.stderr)
    result = search(connect(settings), settings.index_alias, query)
    if args.json:
        _print_json(
            {
                "query": dataclasses.asdict(query),
                **result.to_dict(),
                "unknown": [dataclasses.asdict(u) for u in unknown],
            }
        )
    else:
        print(format_result(result))
    return 0


def _local_port(url: str) -> int | None:
    """The port of ``url`` when it names this machine over plain HTTP (a node ``newsfacet es`` can manage)."""
    parts = urlsplit(url)
    if parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1"):
        return parts.port or 9200
    return None


def _cluster_status(settings: Settings) -> int:
    """``es status`` for a cluster ``newsfacet es`` does not manage: what ELASTICSEARCH_URL answers, with the
    configured credentials."""
    client = connect(dataclasses.replace(settings, max_retries=0, request_timeout=10.0))  # an answer, not a wait
    try:
        info = client.info()
        health = client.cluster.health()
    except Exception as exc:
        fault = classify(exc, f"asking {settings.elasticsearch_url} for its status")
        print(f"no usable Elasticsearch at {settings.elasticsearch_url}: {fault or exc}")
        return 1
    finally:
        client.close()
    print(
        f"Elasticsearch {info['version']['number']} at {settings.elasticsearch_url} (ELASTICSEARCH_URL): "
        f"{health['status']}, cluster '{health['cluster_name']}', {health['number_of_nodes']} node(s)"
    )
    return 0


def cmd_es(args: argparse.Namespace, settings: Settings) -> int:
    import devtools  # development tooling, outside the product package: only `newsfacet es` needs it
    from devtools.settings import node_config

    config = node_config()
    port = _local_port(settings.elasticsearch_url)
    if args.action == "status":
        if port is None:
            return _cluster_status(settings)
        config = dataclasses.replace(config, http_port=port)  # the node ELASTICSEARCH_URL names
    elif port is not None and port != config.http_port:
        print(
            f"note: ELASTICSEARCH_URL is {settings.elasticsearch_url}; `newsfacet es {args.action}` manages the "
            f"node on port {config.http_port} (NEWSFACET_ES_PORT)",
            file=sys.stderr,
        )
    if args.action == "start":
        status = devtools.start(config)
    elif args.action == "stop":
        devtools.stop(config)
        status = devtools.status(config)
    else:
        status = devtools.status(config)
    if status.running:
        print(
            f"Elasticsearch {status.version} at {status.url}: {status.health}, pid {status.pid or '?'}"
            f"{'' if status.managed else ' (not started by newsfacet)'}"
        )
        print(
            f"  analysis: {', '.join(status.analysis) or 'none'}"
            f"{'; missing ' + ', '.join(status.missing_analysis) if status.missing_analysis else ''}"
        )
    else:
        print(f"no Elasticsearch at {status.url}")
    return 0 if (args.action == "stop") or status.running else 1


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    if args.rollback:
        done = rollback(settings)
        print(
            f"rolled back alias '{settings.index_alias}': {done.from_index} -> {done.to_index} "
            f"({done.reapplied} document(s) written since the swap re-applied, {done.removed} removed)"
        )
        return 0
    print(
        f"newsfacet reindex: {settings.archive_dir} -> {settings.display_url} alias '{settings.index_alias}'",
        flush=True,
    )
    result = reindex(settings)
    print(f"reindexed: {result.summary()}")
    if result.build.analysis_fallback:
        print(f"  WARNING analyzers replaced by standard: {', '.join(result.build.analysis_fallback)}")
    return 0


def cmd_kb(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "suggest":
        return _kb_suggest(args, settings)
    problems, notes = check_knowledge(settings)
    mine = f"your knowledge: {settings.kb_dir or '(none: set NEWSFACET_KB_DIR)'}"
    if problems:
        print(f"knowledge files with problems ({mine})")
        for problem in problems:
            print(f"  problem: {printable(problem)}")
        return 1
    knowledge = load_knowledge(settings, refresh=True)
    kb, gazetteer = knowledge.kb, knowledge.gazetteer
    print(f"knowledge base {kb.version}: {len(kb.actors)} actors, {sum(len(a.aliases) for a in kb.actors)} aliases")
    print(f"gazetteer {gazetteer.version}: {len(gazetteer.places)} places, {gazetteer.name_count} names")
    print(mine)
    for note in notes:
        print(f"  override: {printable(note)}")
    return 0


def _kb_suggest(args: argparse.Namespace, settings: Settings) -> int:
    from etl.knowledge.suggest import suggest

    knowledge = load_knowledge(settings, refresh=True)
    found = suggest(
        connect(settings),
        settings.index_alias,
        knowledge.kb,
        limit=args.limit,
        min_docs=args.min_docs,
        gazetteer=knowledge.gazetteer,
    )
    if args.json:
        _print_json([s.to_dict() for s in found])
        return 0
    if not found:
        print(f"no person or organisation in {args.min_docs}+ documents lacks a knowledge-base entry")
    for s in found:
        print(f"{printable(s.name)}  [{s.type}, {s.documents} document(s)]")
        for example in s.examples:
            print(f"    “{printable(example)}”")
        for merge in s.merges:
            print(f"    likely: {printable(merge)}")
    return 0


def cmd_relink(args: argparse.Namespace, settings: Settings) -> int:
    from etl.run.relink import relink

    print(
        f"newsfacet relink{' --dry-run' if args.dry_run else ''}: alias '{settings.index_alias}' at "
        f"{settings.display_url}, knowledge {settings.kb_dir or '(shipped only)'}",
        flush=True,
    )
    report = relink(
        settings,
        dry_run=args.dry_run,
        full=args.full,
        workers=args.workers,
        progress=lambda msg: print(msg, flush=True),
    )
    if args.json:
        _print_json(report.to_dict())
        return 0
    print(report.summary())
    lines = report.diff_lines()
    if lines:
        print("documents gaining (+) or losing (-) each actor and region:")
        for line in lines:
            print(printable(line))
    return 1 if report.remaining or report.refused else 0


class _SubcommandParser(argparse.ArgumentParser):
    """A subcommand's parser: an unknown argument is reported with this subcommand's usage (``newsfacet run
    --bogus`` shows how to call ``run``), not the top level's."""

    def parse_known_args(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        namespace: argparse.Namespace | None = None,
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


_DEFAULTS = Settings()  # the built-in defaults, for help texts (the environment may override each)
_ES_ENV = (
    f"ELASTICSEARCH_URL (default {_DEFAULTS.elasticsearch_url}) is the cluster (credentials:\n"
    "ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD; ELASTICSEARCH_CA_CERTS);\n"
    f"NEWSFACET_INDEX (default '{_DEFAULTS.index_alias}') is the alias searched and written."
)


def _sub(sub: Any, name: str, summary: str, description: str, epilog: str | None = None) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=summary, description=description, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsfacet",
        description="Raw news articles -> a faceted search index.",
        epilog="Run `newsfacet COMMAND --help` for a command's arguments.\n"
        "Exit codes: 0 done, 1 a check failed, 2 an error, 3 input rejected.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_SubcommandParser)

    p = _sub(
        sub,
        "clean",
        "print the cleaned article",
        "Read one article (a .txt of pasted text or a saved .html page) and print it cleaned: title, source,\n"
        "date, headings, captions, credits, the boilerplate lines removed, then the body. No Elasticsearch.",
        epilog="Exit code 3 when the file is rejected (empty, binary, too large, no article...).",
    )
    p.add_argument("file", help="the article file: text or HTML, any common encoding, gzip too")
    p.add_argument("--json", action="store_true", help="every field as JSON (body included)")
    p.set_defaults(func=cmd_clean)

    p = _sub(
        sub,
        "enrich",
        "print the document as it would be indexed",
        "Clean and enrich one article (language, actors, places, regions, quotes) and print the facets;\n"
        "--json prints the document exactly as it would be indexed. No Elasticsearch.",
    )
    p.add_argument("file", help="the article file: text or HTML (gzip too)")
    p.add_argument("--json", action="store_true", help="the full document as JSON")
    p.set_defaults(func=cmd_enrich)

    p = _sub(
        sub,
        "run",
        "one pipeline pass over files or folders (default: the inbox)",
        "Index every new or changed article under PATH: files and folders (searched recursively) are\n"
        "read, cleaned, enriched and bulk-loaded; files already indexed with the same content are skipped as\n"
        "unchanged; a rejected file gets a note under NEWSFACET_DATA_DIR/quarantine/<reason>/ saying why.\n"
        "Prints progress (a bar with rate and time left on a terminal) and a summary by outcome and reason.",
        epilog=f"Environment:\n{_ES_ENV}\nNEWSFACET_INBOX (default {_DEFAULTS.inbox}) is the folder or "
        f"object-store URL read without PATH;\nNEWSFACET_DATA_DIR (default {_DEFAULTS.data_dir}) keeps "
        f"quarantine notes, the archive and run summaries;\nNEWSFACET_BATCH_SIZE (default "
        f"{_DEFAULTS.batch_size}) files per batch.",
    )
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders to index (default: the inbox, NEWSFACET_INBOX)"
    )
    p.add_argument(
        "--stale", action="store_true", help="also re-process files whose document an older pipeline version made"
    )
    p.set_defaults(func=cmd_run)

    p = _sub(
        sub,
        "search",
        "search with facet counts; --actor and --region accept aliases",
        "Full-text search plus filters on the facets, with facet counts. Filters accept any alias or spelling\n"
        "(--actor Hifter finds Khalifa Haftar, --region Fazzan finds Fezzan); a name that is not known says so\n"
        "and suggests near ones. Without TEXT the hits come newest first; with TEXT, best match first.",
        epilog=f"Environment:\n{_ES_ENV}",
    )
    p.add_argument("text", nargs="*", metavar="TEXT", help="full-text query (all words must match)")
    p.add_argument("--region", action="append", default=[], help="region (any alias), repeatable")
    p.add_argument("--actor", action="append", default=[], help="actor (any alias), repeatable")
    p.add_argument("--country", action="append", default=[], help="country (any alias), repeatable")
    p.add_argument("--place", action="append", default=[], help="place (any alias), repeatable")
    p.add_argument("--lang", action="append", default=[], help="language code, repeatable")
    p.add_argument("--source", action="append", default=[], help="source outlet, repeatable")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="published on or after (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="published on or before (YYYY-MM-DD)")
    p.add_argument("--size", type=int, default=10, help="hits to show (default 10)")
    p.add_argument(
        "--facet",
        action="append",
        default=[],
        choices=sorted(FACETS),
        help="facet to count, repeatable (default: regions, countries, actors, language)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_search)

    p = _sub(
        sub,
        "es",
        "a local Elasticsearch node (Maven Central distribution; development)",
        "start / stop a local Elasticsearch node for machines without Docker (downloaded once from Maven\n"
        "Central, port NEWSFACET_ES_PORT, default 9200); status reports on the cluster ELASTICSEARCH_URL names.",
    )
    p.add_argument("action", choices=["start", "stop", "status"])
    p.set_defaults(func=cmd_es)

    p = _sub(
        sub,
        "reindex",
        "rebuild the index from the archive, check it, swap the alias atomically",
        "Build a new versioned index from the archive of indexed documents (NEWSFACET_DATA_DIR/archive),\n"
        "check it, and move the alias NEWSFACET_INDEX to it in one step; --rollback moves it back.",
        epilog=f"Environment:\n{_ES_ENV}",
    )
    p.add_argument("--rollback", action="store_true", help="point the alias back at the previous index instead")
    p.set_defaults(func=cmd_reindex)

    p = _sub(
        sub,
        "relink",
        "bring indexed documents to the current knowledge (no NER re-run)",
        "Re-derive, from their archived NER spans, the documents whose knowledge versions differ from the\n"
        "current knowledge (the shipped one and yours in NEWSFACET_KB_DIR): only those the change can touch;\n"
        "write the changed ones by id; print how many documents gained or lost each actor and region.",
        epilog=f"Environment:\n{_ES_ENV}\nNEWSFACET_KB_DIR: your knowledge; NEWSFACET_RELINK_WORKERS (default "
        f"{_DEFAULTS.relink_workers}) worker processes.",
    )
    p.add_argument("--dry-run", action="store_true", help="print what would change per actor and region; write nothing")
    p.add_argument(
        "--full",
        action="store_true",
        help="re-derive every stale document, not only those the knowledge change can touch",
    )
    p.add_argument("--workers", type=int, default=None, help="processes (default NEWSFACET_RELINK_WORKERS)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_relink)

    p = _sub(
        sub,
        "kb",
        "knowledge-base tools: check the files, suggest what to add",
        "check: validate the knowledge files (the shipped ones, and yours in NEWSFACET_KB_DIR: actors*.jsonl,\n"
        "places*.csv), each problem as file:line.\n"
        "suggest: the people and organisations the articles name most that no entry covers, with document\n"
        "counts, example sentences and likely merges.",
    )
    p.add_argument("action", choices=["check", "suggest"])
    p.add_argument("--min-docs", type=int, default=2, help="suggest: names in at least this many documents")
    p.add_argument("--limit", type=int, default=30, help="suggest: how many names")
    p.add_argument("--json", action="store_true", help="suggest: machine-readable output")
    p.set_defaults(func=cmd_kb)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure a person can act on is one line on stderr and an exit code, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args, Settings.from_env()))
    except BrokenPipeError:  # `newsfacet search | head`: the reader left; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except RejectedInput as exc:
        return _fail(f"rejected: {exc}", 3)
    except ReindexCheckError as exc:
        return _fail(f"refused: {exc}")
    except NewsfacetError as exc:
        return _fail(f"error: {exc}")
    except OSError as exc:  # a full disk, a read-only data folder, a permission
        where = f": {exc.filename}" if exc.filename else ""
        return _fail(f"error: {exc.strerror or exc}{printable(where)} (NEWSFACET_DATA_DIR is {settings_data_dir()})")
    except Exception as exc:
        fault = classify(exc, f"running `newsfacet {args.command}`")
        if fault is not None:
            return _fail(f"error: {fault}")
        if _is_missing_index(exc):
            return _fail(
                f"error: there is no index '{Settings.from_env().index_alias}' yet: `newsfacet run` creates "
                "it (or set NEWSFACET_INDEX to the alias you meant)"
            )
        raise


def _fail(message: str, code: int = 2) -> int:
    print(printable(message), file=sys.stderr)
    return code


def _is_missing_index(exc: Exception) -> bool:
    from elasticsearch import NotFoundError

    return isinstance(exc, NotFoundError) and "index_not_found" in str(exc.error)


def settings_data_dir() -> str:
    """The data folder the settings name, for a message (settings may themselves be what is wrong)."""
    try:
        return str(Settings.from_env().data_dir)
    except NewsfacetError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
