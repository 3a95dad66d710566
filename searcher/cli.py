"""The ``searcher`` command: a thin click layer over :class:`searcher.engine.Engine`."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from .errors import SearcherError

F = TypeVar("F", bound=Callable[..., Any])

index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index folder (default: $SEARCHER_INDEX, else ./index).",
)


def user_errors(func: F) -> F:
    """Turn a SearcherError into one line on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SearcherError as error:
            click.echo(f"searcher: {error}", err=True)
            sys.exit(1)
        except KeyboardInterrupt as interrupt:
            # An IndexInterrupted carries its run's report (the indexer is not imported here:
            # a search starts faster without it).
            report = getattr(interrupt, "report", None)
            said = report.interrupted() if report else "interrupted; the index is unchanged"
            click.echo(f"searcher: {said}", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def _engine(index_dir: Path | None) -> Any:
    from .engine import Engine

    return Engine(index_dir)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="searcher")
def main() -> None:
    """Full-text search for Chinese local government news."""


jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker processes for cleaning and indexing (default: every core).",
)


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--rebuild", is_flag=True, help="Build a fresh index and swap it in.")
@click.option("--prune", is_flag=True, help="Remove the articles of files that no longer exist.")
@jobs_option
@click.option("--no-wait", is_flag=True, help="Fail instead of waiting for another writer.")
@click.option("--quiet", "-q", is_flag=True, help="No progress or summary (problems still shown).")
@click.option("--strict", is_flag=True, help="Exit 1 when any input could not be read.")
@click.option(
    "--userdict",
    "userdicts",
    multiple=True,
    type=click.Path(path_type=Path),
    help="User dictionary: one word a line (optionally 'word count'); kept in the index.",
)
@click.option(
    "--synonyms",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Synonym groups: equivalent words on one line; kept in the index for its searches.",
)
@user_errors
def index_command(
    paths: tuple[Path, ...],
    index_dir: Path | None,
    rebuild: bool,
    prune: bool,
    jobs: int | None,
    no_wait: bool,
    quiet: bool,
    strict: bool,
    userdicts: tuple[Path, ...],
    synonyms: tuple[Path, ...],
) -> None:
    """Index dumps: files or folders (default: the bundled seeds)."""
    engine = _engine(index_dir)
    with ProgressBar(quiet) as bar:
        report = _run_index(
            engine, list(paths) or None, bar, rebuild=rebuild, prune=prune, jobs=jobs,
            wait=not no_wait, userdicts=userdicts, synonyms=synonyms,
        )  # fmt: skip
    _print_report(engine, report, quiet)
    if strict and report.failures:
        sys.exit(1)


@main.command("watch")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@index_option
@click.option(
    "--interval", type=click.FloatRange(0.1, None), default=10.0, show_default=True,
    help="Seconds between looks at the folder.",
)  # fmt: skip
@click.option("--prune", is_flag=True, help="Remove the articles of files that disappear.")
@jobs_option
@click.option("--quiet", "-q", is_flag=True, help="No progress or summaries.")
@user_errors
def watch_command(
    folder: Path, index_dir: Path | None, interval: float, prune: bool, jobs: int | None,
    quiet: bool,
) -> None:  # fmt: skip
    """Index new and changed dumps in FOLDER as they land (Ctrl-C stops)."""
    from .indexer import IndexInterrupted
    from .watch import watch

    engine = _engine(index_dir)
    if not quiet:
        click.echo(f"searcher: watching {folder} every {interval:g} s (Ctrl-C stops)", err=True)

    def index(files: list[Path]) -> Any:
        with ProgressBar(quiet) as bar:
            return _run_index(engine, files, bar, prune=prune, jobs=jobs, wait=True)

    def report(result: Any) -> None:
        _print_report(engine, result, quiet)

    try:
        watch(folder, interval, index, report)
    except IndexInterrupted:
        raise
    except KeyboardInterrupt:
        click.echo("searcher: stopped watching", err=True)
        sys.exit(130)


def _run_index(engine: Any, paths: list[Path] | None, bar: ProgressBar, **options: Any) -> Any:
    def waiting() -> None:
        click.echo(f"searcher: waiting for another indexer on {engine.index_dir} …", err=True)

    return engine.index(paths, on_wait=waiting, on_progress=bar.update, **options)


def _print_report(engine: Any, report: Any, quiet: bool) -> None:
    for problem in report.problems:
        click.echo(problem, err=True)
    if not quiet:
        for note in report.notes:
            click.echo(f"note: {note}", err=True)
        click.echo(f"indexed into {engine.index_dir}: {report.summary()}")


class ProgressBar:
    """A tqdm bar over an index run (files, articles, MB/s, ETA) on a terminal's stderr.

    Hidden when stderr is not a terminal or with ``--quiet``; one bar, re-used for each
    stage (reading, cleaning, writing).
    """

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self._bar: Any = None
        self._stage = ""

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            self._stage = ""

    def update(self, progress: Any) -> None:
        if not self.enabled:
            return
        postfix = f"{progress.files}/{progress.files_total} files, {progress.articles} articles"
        if progress.stage != self._stage:
            from tqdm import tqdm

            # No monitor thread: the indexer forks worker processes.
            tqdm.monitor_interval = 0
            if self._bar is not None:
                self._bar.close()
            self._stage = progress.stage
            self._bar = tqdm(
                desc=progress.stage, total=progress.total or None, unit=progress.unit or "it",
                unit_scale=True, unit_divisor=1024 if progress.unit == "B" else 1000,
                file=sys.stderr, dynamic_ncols=True, leave=False,
                bar_format=None if progress.total else "{desc} … {elapsed}",
                postfix=postfix,
            )  # fmt: skip
        bar = self._bar
        bar.set_postfix_str(postfix, refresh=False)
        bar.update(progress.done - bar.n)


@main.command("search")
@click.argument("query")
@index_option
@click.option("--limit", "-n", type=click.IntRange(1, 10_000), default=10, show_default=True)
@click.option("--page", "-p", type=click.IntRange(1, None), default=1, show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@click.option("--since", help="Only articles dated on or after (YYYY-MM-DD).")
@click.option("--until", help="Only articles dated on or before (YYYY-MM-DD).")
@click.option("--region", help="Only articles of this region (any level: 周口市, 川汇区).")
@click.option("--source", help="Only articles from this source (site or newspaper).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--explain", is_flag=True, help="Show what each hit's score is made of (each word's BM25 "
    "part, exact strings, tiers, proximity and title bonuses).",
)  # fmt: skip
@user_errors
def search_command(
    query: str,
    index_dir: Path | None,
    limit: int,
    page: int,
    sort: str,
    since: str | None,
    until: str | None,
    region: str | None,
    source: str | None,
    as_json: bool,
    explain: bool,
) -> None:
    """Search the index. Words are all required; "…" is an exact phrase."""
    engine = _engine(index_dir)
    result = engine.search(
        query, page=page, limit=limit, sort=sort, since=since, until=until,
        region=region, source=source, explain=explain,
    )  # fmt: skip
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    first = (page - 1) * limit + 1
    if not result.hits:
        click.echo(f"no results for {query} (total {result.total})")
        return
    click.echo(
        f"{result.total} articles match {query}; showing {first}–{first + len(result.hits) - 1}"
    )
    for number, hit in enumerate(result.hits, start=first):
        click.echo()
        click.echo(click.style(f"{number}. {hit.title}", bold=True) + f"  [{hit.id}]")
        meta = " · ".join(x for x in (hit.date, hit.source, hit.region) if x)
        if meta:
            click.echo(f"   {meta}")
        click.echo(f"   {hit.path}")
        marked = "".join(
            click.style(text, fg="red", bold=True) if on else text for text, on in hit.snippet.parts
        )
        click.echo(f"   {marked}")
        if hit.duplicates:
            click.echo(f"   (+{len(hit.duplicates)} similar copies)")
        if hit.explanation is not None:
            for line in hit.explanation.lines():
                click.echo(f"   {line}")


@main.command("show")
@click.argument("article_id")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@user_errors
def show_command(article_id: str, index_dir: Path | None, as_json: bool) -> None:
    """Show one article in full."""
    article = _engine(index_dir).article(article_id)
    if as_json:
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False))
        return
    click.echo(click.style(article.title, bold=True))
    for label, value in (
        ("id", article.id),
        ("date", article.date),
        ("region", article.region),
        ("source", article.source),
        ("reporter", article.reporter),
        ("path", article.path),
        ("url", article.url),
    ):
        if value:
            click.echo(f"{label}: {value}")
    click.echo()
    for paragraph in article.paragraphs:
        click.echo(paragraph)
        click.echo()
    for dup in article.duplicates:
        click.echo(f"copy: {dup['id']}  {dup.get('date') or ''}  {dup['path']}")


@main.command("export")
@index_option
@click.option("--all-copies", is_flag=True, help="Every copy of a duplicate cluster.")
@user_errors
def export_command(index_dir: Path | None, all_copies: bool) -> None:
    """Print every indexed article as JSON Lines."""
    for article in _engine(index_dir).export(all_copies=all_copies):
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False))


@main.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@user_errors
def stats_command(index_dir: Path | None, as_json: bool) -> None:
    """Articles, files, index size and last update."""
    stats = _engine(index_dir).stats()
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False))
        return
    click.echo(f"index:       {stats['index']}")
    click.echo(f"articles:    {stats['articles']} ({stats['copies']} with duplicate copies)")
    click.echo(f"files:       {stats['files']}")
    click.echo(f"size:        {int(stats['size_bytes']) / 1e6:.1f} MB")  # type: ignore[call-overload]
    click.echo(f"last update: {stats['last_update']}")


@main.command("clean")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Judge lines repeated across a site's pages (site chrome) with this index's "
    "counts, as indexing FILE does (default: FILE's own pages alone).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array, a page an object.")
@user_errors
def clean_command(file: Path, index_dir: Path | None, as_json: bool) -> None:
    """Show how the cleaner reads FILE: every line kept or dropped, with why."""
    from .ingest import clean_page, default_region_finder, read_file

    # The path as the index records it: the articles get the ids ``export`` shows.
    path = Path(os.path.abspath(file))
    read = read_file(path)
    for error in read.errors:
        click.echo(str(error), err=True)
    if index_dir is not None:
        stats = _engine(index_dir).site_stats_for(read)
    else:
        from .clean import SiteStats

        stats = SiteStats()
        for page in read.pages:
            stats.add(page)
    find_region = default_region_finder()
    out = []
    for page in read.pages:
        cleaned = clean_page(page, stats, find_region)
        lines = [
            {"keep": line.keep, "reason": line.reason or None, "text": line.text,
             "cut": line.cut}
            for line in cleaned.lines
        ]  # fmt: skip
        articles = [
            {
                "title": a.title, "date": a.date, "region": a.region, "source": a.source,
                "reporter": a.reporter, "length": len(a.text), "id": a.id, "text": a.text,
            }
            for a in cleaned.articles
        ]  # fmt: skip
        out.append(
            {"path": page.path, "site": page.site, "site_pages": stats.pages.get(page.site, 0),
             "lines": lines, "articles": articles}
        )  # fmt: skip
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    against = (
        f"index {index_dir}"
        if index_dir is not None
        else "this file alone; with --index DIR, as that index counts them"
    )
    for page in out:
        click.echo(click.style(f"== {page['path']}", bold=True))
        counted = page["site_pages"]
        click.echo(
            f"-- site {page['site']}: {counted} page{'' if counted == 1 else 's'} counted for "
            f"repeated lines ({against})"
        )
        for line in page["lines"]:
            verdict = "KEEP" if line["keep"] else f"DROP {line['reason']}"
            click.echo(f"{verdict:<18} {line['text']}")
            for fragment in line["cut"]:
                click.echo(f"{'  cut injected':<18} {fragment}")
        click.echo(click.style(f"-- {len(page['articles'])} articles", bold=True))
        for a in page["articles"]:
            click.echo(
                f"* {a['title']} | date {a['date']} | region {a['region']} | source {a['source']}"
                f" | reporter {a['reporter']} | {a['length']} chars"
            )


@main.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Threads per process.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes serving the port, each with --threads threads (default: one per core; "
    "one Python process uses one core).",
)
@user_errors
def serve_command(
    index_dir: Path | None, host: str, port: int, threads: int, workers: int | None
) -> None:
    """Serve the web UI (waitress); builds the index of the seeds first if there is none."""
    from web import create_app
    from web.serve import serve

    from .indexer import default_jobs

    workers = workers or default_jobs()

    engine = _engine(index_dir)
    if not engine.exists():
        click.echo(f"no index in {engine.index_dir}: indexing the bundled seeds …", err=True)
        report = engine.index()
        click.echo(report.summary(), err=True)
    engine.warm()
    app = create_app(engine)
    click.echo(f"searcher: serving {engine.index_dir} on http://{host}:{port}/", err=True)
    try:
        serve(app, host=host, port=port, threads=threads, workers=workers)
    except OSError as error:
        raise SearcherError(f"cannot serve on {host}:{port}: {error.strerror or error}") from None


def run() -> None:
    """The ``searcher`` program: :func:`main`, then no Ctrl-C while Python exits.

    Python puts the default SIGINT action back while it shuts down, so a Ctrl-C landing
    after a command has finished (an index run committed and reported) would kill the
    process and turn its success into a failure; once the command is done, it is ignored.
    """
    try:
        main()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    run()
