"""The kzjp command line: click only. Each command validates, makes one library call, prints."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib.util
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kzjp_cli import __version__, index, locations, output
from kzjp_cli.articles import FIELDS, parse_day
from kzjp_cli.errors import Exit, KzjpError, OutputError


def _lazy(name: str) -> Any:
    """A command module, imported when one of its names is first used: defining the commands (and so
    ``kzjp --help``) loads none of them."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.loader is not None
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


if TYPE_CHECKING:
    from kzjp_cli import brief, languages, listing, search, stories, summarize, targets, timeline
else:
    brief, languages, listing, search, stories, summarize, targets, timeline = (
        _lazy(f"kzjp_cli.{name}")
        for name in ("brief", "languages", "listing", "search", "stories", "summarize", "targets", "timeline")
    )
F = TypeVar("F", bound=Callable[..., Any])

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class UserError(click.ClickException):
    """A one-line ``Error: …`` with exit code 2."""

    exit_code = Exit.USAGE

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {output.safe(self.format_message())}", err=True)


class KzjpGroup(click.Group):
    """Translates library errors, usage errors, bugs, Ctrl-C and closed pipes, in one place."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:  # before the command: kzjp --bogus, kzjp -q search x
            raise UserError(self._before_command(exc, args)) from None

    def _before_command(self, exc: click.UsageError, args: list[str]) -> str:
        name = getattr(exc, "option_name", None)
        named = [a for a in args if a in self.commands] or sorted(self.commands)
        owners = [c for c in named if name and any(name in p.opts + p.secondary_opts for p in self.commands[c].params)]
        if isinstance(exc, click.NoSuchOption) and owners:
            return f"{name} goes after the command (kzjp {owners[0]} {name} …); see 'kzjp {owners[0]} --help'"
        return f"{exc.format_message().rstrip('.')}; see 'kzjp --help'"

    def invoke(self, ctx: click.Context) -> Any:
        _lossless_streams()
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
            return result
        except KzjpError as exc:
            message = str(exc) + (f"; {exc.hint}" if exc.hint else "")
            raise UserError(message) from None
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "kzjp"
            hint = f"see '{command} --help'"
            name = exc.ctx.command.name if exc.ctx else None
            if isinstance(exc, click.NoSuchOption) and name in ("search", "timeline"):
                hint = f"to leave a word out, quote the query (kzjp {name} 'Tokyo -Naruhito'); or {hint}"
            raise UserError(f"{exc.format_message().rstrip('.')}; {hint}") from None
        except BrokenPipeError:
            _silence_stdout()
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("\r\x1b[KInterrupted." if sys.stderr.isatty() else "Interrupted.", err=True)
            ctx.exit(Exit.INTERRUPTED)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except OSError as exc:  # the machine's doing (disk full, permissions), not kzjp's
            if _debugging(ctx):
                raise
            where = f": {exc.filename}" if exc.filename else ""
            raise UserError(f"{exc.strerror or exc}{where}") from None
        except Exception as exc:  # a bug: say so in one line, with its own exit status
            if _debugging(ctx):
                raise
            click.echo(
                f"Error: internal error ({type(exc).__name__}: {output.safe(str(exc))[:200]}); this is a bug in "
                "kzjp: please report it with the command you ran (--debug or KZJP_DEBUG=1 shows the traceback)",
                err=True,
            )
            ctx.exit(Exit.BUG)


def _lossless_streams() -> None:
    """Output a terminal or pipe cannot encode (PYTHONIOENCODING=ascii, a C locale) is escaped, not a crash."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding not in ("utf8", "utf16", "utf32") and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")


def _debugging(ctx: click.Context) -> bool:
    return bool(ctx.find_root().params.get("debug")) or os.environ.get("KZJP_DEBUG", "") not in ("", "0")


def _silence_stdout() -> None:
    """After the reader of a pipe has gone, send the rest of our output nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # not a real file descriptor (e.g. under CliRunner)
    finally:
        os.close(devnull)


class DateType(click.ParamType):
    """A day: YYYY-MM-DD, YYYY-MM or YYYY (``end`` picks the last day of a month or year), today, yesterday, or
    so long ago (7d, 2w, 3m, 1y)."""

    name = "DATE"

    def __init__(self, end: bool = False) -> None:
        self.end = end

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return parse_day(str(value), end=self.end)
        except (ValueError, OverflowError):
            self.fail(
                f"{str(value).strip()!r} is not a date (use YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, or 7d, "
                "2w, 3m for so long ago)",
                param,
                ctx,
            )


MAX_WAIT = 3600.0
"""The longest --timeout, --max-time or --delay: an hour (a larger one is a mistake, and overflows timers)."""


class LazyChoice(click.Choice):
    """A choice of a command module's values, read when an option is parsed or its help shown."""

    def __init__(self, values: Callable[[], Iterable[str]]) -> None:
        self._values = values
        self.case_sensitive = True

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        return tuple(self._values())


class Deferred:
    """A command module's default, read when an option is parsed or its help shown (click calls a callable
    default; help shows ``str()`` of one that is not a function)."""

    def __init__(self, value: Callable[[], Any]) -> None:
        self._value = value

    def __call__(self) -> Any:
        return self._value()

    def __str__(self) -> str:
        return str(self._value())


class Number(click.FloatRange):
    """A float in a range, and a real number: ``nan`` and ``inf`` pass every comparison, so they are refused."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


class LanguageType(click.ParamType):
    """A language: an ISO 639-1 code or a name (ru, rus, Russian, Русский…), normalised to the code."""

    name = "LANG"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        code = languages.normalize(str(value))
        if not code:
            self.fail("give a language code such as en, ru, kk or ja", param, ctx)
        return code


def lang_option(func: F) -> F:
    """--lang, repeatable: keep only articles in these languages."""
    return click.option(
        "--lang",
        "langs",
        type=LanguageType(),
        multiple=True,
        help="Only articles in this language (en, ru, kk, ja, or any ISO 639-1 code); repeat for several.",
    )(func)


def period_options(*, dates: bool = True) -> Callable[[F], F]:
    """--added-since and --added-until (and with ``dates``, --since and --until), handed to the command as one
    ``period`` (``listing.Period``)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            period = listing.Period(
                kwargs.pop("since", None),
                kwargs.pop("until", None),
                kwargs.pop("added_since"),
                kwargs.pop("added_until"),
            )
            return func(*args, period=period, **kwargs)

        options = [
            click.option(
                "--added-since",
                type=DateType(),
                metavar="DATE",
                help="Only articles added to the corpus on or after DATE (today, yesterday, 7d, 2w, YYYY-MM-DD…).",
            ),
            click.option(
                "--added-until", type=DateType(end=True), metavar="DATE", help="Only articles added on or before DATE."
            ),
        ]
        if dates:
            options[:0] = [
                click.option(
                    "--since", type=DateType(), help="Only articles dated on or after DATE (YYYY[-MM[-DD]], 7d…)."
                ),
                click.option("--until", type=DateType(end=True), help="Only articles dated on or before DATE."),
            ]
        for option in reversed(options):
            command = option(command)
        return command  # type: ignore[return-value]

    return decorate


def _field_list(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    return tuple(name.strip() for name in value.split(",") if name.strip()) if value else ()


def fields_option(func: F) -> F:
    """--fields: which record fields machine formats show, in that order."""
    return click.option(
        "--fields",
        "fields",
        metavar="A,B,…",
        callback=_field_list,
        help="Only these fields, in this order, in json, jsonl, csv and tsv output (e.g. id,date,title).",
    )(func)


def _check_fields(ctx: click.Context, fields: Sequence[str], fmt: str, known: Sequence[str]) -> None:
    """Refuse ``--fields`` with text output and names no record has."""
    if not fields:
        return
    if fmt == "text":
        raise click.UsageError("--fields goes with -f json, jsonl, csv or tsv", ctx)
    unknown = [name for name in fields if name not in known]
    if unknown:
        raise click.UsageError(f"no field {unknown[0]!r}; the fields are {', '.join(known)}", ctx)


def aliases_option(func: F) -> F:
    """--no-aliases: names find only the spellings typed."""
    return click.option(
        "--no-aliases",
        "no_aliases",
        is_flag=True,
        help="Do not also search a name's spellings in other scripts (Tokayev: Токаев, Тоқаев, トカエフ…).",
    )(func)


def _names(corpus_index: index.CorpusIndex, no_aliases: bool) -> Any:
    """The alias table for a query: kzjp's names and the corpus's aliases.toml, or None."""
    if no_aliases:
        return None
    from kzjp_cli import aliases

    return aliases.load(corpus_index.corpus)


def _report_aliases(added: dict[str, list[str]], quiet: bool) -> None:
    if added and not quiet:
        said = "; ".join(f"{name} as {', '.join(others)}" for name, others in added.items())
        click.echo(f"kzjp: also searched {output.safe(said)}", err=True)


def _query_text(query: tuple[str, ...]) -> str:
    """QUERY's words joined; ``-`` reads them from stdin (before the index is opened: a terminal is refused
    at once)."""
    return _stdin_text("the query") if query == ("-",) else " ".join(query)


def _aliased(corpus_index: index.CorpusIndex, text: str, no_aliases: bool, quiet: bool) -> str:
    """The query with each name's other spellings added (said on stderr), unless --no-aliases."""
    if text:
        text, spelled = search.with_aliases(corpus_index, text, _names(corpus_index, no_aliases))
        _report_aliases(spelled, quiet)
    return text


class CliReporter(index.Reporter):
    """Notices and progress on stderr (progress only on a TTY); -q keeps only warnings."""

    def __init__(self, quiet: bool = False, progress_min: int = 200) -> None:
        self.quiet = quiet
        self.progress_min = progress_min
        self.said: set[str] = set()

    def notice(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"kzjp: {output.safe(message)}", err=True)

    def warning(self, message: str) -> None:
        self.said.add(message)
        click.echo(f"Warning: {output.safe(message)}", err=True)

    def clear_line(self) -> None:
        """Erase a progress bar's line on the terminal, so that a line printed now is not run into it."""
        if not self.quiet and sys.stderr.isatty():
            click.echo("\r\x1b[K", nl=False, err=True)

    def progress(self, items: list[Any], label: str) -> Iterable[Any]:
        stderr = sys.stderr
        if self.quiet or len(items) < self.progress_min or not stderr.isatty():
            yield from items
            return
        with click.progressbar(items, label=label, file=stderr) as bar:
            yield from bar


# --- shared options --------------------------------------------------------------


def corpus_options(func: F) -> F:
    """--corpus, --index and -q, shared by every command that reads the corpus."""
    options = [
        click.option(
            "--corpus",
            type=click.Path(file_okay=False, path_type=Path),
            envvar="KZJP_CORPUS",
            help=(
                "Folder of articles, searched recursively [env: KZJP_CORPUS; "
                "default: your corpus once kzjp add has made it, else the bundled one]."
            ),
        ),
        click.option(
            "--index",
            "index_dir",
            type=click.Path(file_okay=False, path_type=Path),
            envvar="KZJP_INDEX",
            help="Index folder [env: KZJP_INDEX; default: index/ in a checkout, else the user cache].",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No notices or progress on stderr (warnings still shown)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


no_refresh_option = click.option(
    "--no-refresh",
    is_flag=True,
    envvar="KZJP_NO_REFRESH",
    expose_value=False,
    callback=lambda ctx, param, value: ctx.meta.__setitem__("kzjp.no_refresh", value),
    help=(
        "Answer from the index as it is, without checking the corpus for changes first (faster on a large "
        "corpus; run 'kzjp index' after changing it) [env: KZJP_NO_REFRESH]."
    ),
)
"""For the commands that read the index: skip the check of every article file that each command makes first."""


def format_option(*choices: str) -> Callable[[F], F]:
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(choices),
        default="text",
        show_default=True,
        help="Output format.",
    )


def limit_option(default: int | Deferred | None, help: str) -> Callable[[F], F]:
    return click.option(
        "-n", "--limit", type=click.IntRange(min=1), default=default, show_default=default is not None, help=help
    )


def _open_index(corpus: Path | None, index_dir: Path | None, quiet: bool) -> index.CorpusIndex:
    """The index, brought up to date with the corpus first unless the command's ``--no-refresh`` says not to."""
    corpus_dir, index_path = locations.folders(corpus, index_dir)
    check = not click.get_current_context().meta.get("kzjp.no_refresh", False)
    return index.open_index(corpus_dir, index_path, reporter=CliReporter(quiet), check=check)


def _style(ctx: click.Context) -> output.Style:
    root = ctx.find_root()
    return output.Style(enabled=output.colour_wanted(root.params.get("color") or "auto"))


# --- commands ----------------------------------------------------------------------


@click.group(cls=KzjpGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="kzjp", message="%(prog)s %(version)s")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    help="Colour text output: auto means only on a terminal and never with NO_COLOR.",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error [env: KZJP_DEBUG=1].")
def cli(color: str, debug: bool) -> None:
    """Search and summarise a folder of news articles on Kazakhstan–Japan relations.

    kzjp keeps a full-text index of the articles (built and refreshed by itself)
    and answers from the shell in text for people or JSON/CSV/TSV/ids for scripts.

    \b
    Examples:
      kzjp search Tokayev Takaichi
      kzjp search '"Middle Corridor"' -f json | jq '.[].title'
      kzjp list
      kzjp show 000
      kzjp summarize 003 --query visa
      kzjp add https://astanatimes.com/2025/12/some-story/

    Exit status: 0 success, 1 nothing found, 2 usage or input error, 70 an
    internal error (a bug in kzjp).
    """


@cli.command("index")
@corpus_options
@click.option("--rebuild", is_flag=True, help="Build the index again from scratch.")
@click.option("--strict", is_flag=True, help="Exit with status 3 if any file had to be skipped.")
@click.option(
    "--prune",
    is_flag=True,
    help="Remove the indexes in your cache whose corpus folder no longer exists, and nothing else.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    help="Worker processes for a full build  [default: every core, up to 4, from 500 articles on].",
)
@click.option(
    "--vectors",
    is_flag=True,
    help="Also compute the vectors of the articles that have none, for --semantic and similar (resumable).",
)
@click.pass_context
def index_command(
    ctx: click.Context,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
    rebuild: bool,
    strict: bool,
    prune: bool,
    jobs: int | None,
    vectors: bool,
) -> None:
    """Build or update the search index.

    Only added, changed and removed articles are touched; the counts go to
    stderr. Other commands do this by themselves when the index is stale, so
    you rarely need it. A rebuild is written beside the old index and swapped
    in when complete, so an interrupted build loses nothing.

    \b
    Examples:
      kzjp index
      kzjp index --rebuild --jobs 2
      kzjp index --corpus ~/articles --index /tmp/articles-index
      kzjp index --strict || echo "some articles were skipped"
      kzjp index --vectors
      kzjp index --prune

    Exit status: 0 done (skipped files are warned about), 2 error, 3 files
    were skipped and --strict was given.
    """
    if prune:
        removed = index.prune(locations.cache_home() / "kzjp")
        for folder, size in removed:
            click.echo(f"{folder}\t{size}")
        if not quiet:
            total = sum(size for _, size in removed) / (1024 * 1024)
            click.echo(
                f"kzjp: removed {len(removed)} index folder(s) of corpora that are gone ({total:.1f} MB)", err=True
            )
        return
    corpus_dir, index_path = locations.folders(corpus, index_dir)
    reporter = CliReporter(quiet)
    report = index.update(corpus_dir, index_path, rebuild=rebuild, jobs=jobs, reporter=reporter)
    if strict and (report.skipped or report.unlisted):
        for rel, reason in sorted(report.reasons.items()):  # those not read this time were not told again
            message = f"skipped {corpus_dir / rel}: {reason}"
            if message not in reporter.said:
                reporter.warning(message)
        click.echo(f"Error: {report.skipped + len(report.unlisted)} file(s) skipped", err=True)
        ctx.exit(Exit.PARTIAL)
    if not quiet:
        _say_updated(report)
    if vectors:
        started = time.perf_counter()
        corpus_index = index.open_index(corpus_dir, index_path, reporter=reporter, check=False)
        made = corpus_index.compute_vectors(progress=reporter.progress, warn=reporter.warning)
        kept = len(corpus_index.vectors()[0])
        reporter.notice(
            f"computed {made} article vector(s) in {time.perf_counter() - started:.1f} s; {kept} of "
            f"{report.total} articles have one"
        )


def _say_updated(report: index.UpdateReport) -> None:
    """One line on stderr: what ``kzjp index`` did."""
    counts = f"{report.added} added, {report.changed} changed, {report.removed} removed, {report.skipped} skipped"
    if report.rebuilt:
        message = f"built the index of {report.total} articles ({report.skipped} skipped)"
    elif report.touched:
        message = f"updated the index: {counts}; {report.total} articles"
    else:
        message = f"the index is up to date: {report.total} articles ({report.skipped} skipped)"
    click.echo(f"kzjp: {message} in {report.seconds:.2f} s -> {report.index}", err=True)


def _fetch_options(func: F) -> F:
    """--timeout, --max-time and --delay: how long kzjp waits for a site, and between one site's pages."""
    options = [
        click.option(
            "--timeout",
            type=Number(0, MAX_WAIT, min_open=True),
            default=10.0,
            show_default=True,
            help="Seconds to wait.",
        ),
        click.option(
            "--max-time",
            type=Number(0, MAX_WAIT, min_open=True),
            default=30.0,
            show_default=True,
            help="Seconds a whole page may take.",
        ),
        click.option(
            "--delay",
            type=Number(0, MAX_WAIT),
            default=1.0,
            show_default=True,
            help="Seconds between requests to one site (or its robots.txt Crawl-delay, up to 30).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@cli.command("add")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option(
    "--feed", "feeds", multiple=True, metavar="URL|FILE", help="An RSS or Atom feed: add every story it lists."
)
@click.option(
    "--jsonl",
    "exports",
    multiple=True,
    metavar="FILE",
    help='One JSON object a line with "text", "html" or "url", and "title", "date", "lang", "source" (- for stdin).',
)
@click.option("--title", help="Use this title (instead of the page's or the feed's).")
@click.option("--date", type=DateType(), help="Use this date (YYYY-MM-DD).")
@click.option("--source", "source_name", metavar="NAME", help="Use this source name (Kazinform, TASS…).")
@click.option(
    "--lang", "lang", type=LanguageType(), help="Use this language (en, ru, kk, ja…) instead of detecting it."
)
@click.option("--skip-near-duplicates", is_flag=True, help="Do not save a near copy of an article already there.")
@click.option("--dry-run", is_flag=True, help="Fetch and check everything, write nothing.")
@_fetch_options
@format_option("text", "ids", "json", "jsonl")
@corpus_options
@click.pass_context
def add_command(
    ctx: click.Context,
    sources: tuple[str, ...],
    feeds: tuple[str, ...],
    exports: tuple[str, ...],
    title: str | None,
    date: dt.date | None,
    source_name: str | None,
    lang: str | None,
    skip_near_duplicates: bool,
    dry_run: bool,
    timeout: float,
    max_time: float,
    delay: float,
    fmt: str,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
) -> None:
    """Add articles to the corpus: web pages, feeds, saved pages, text files, exports.

    SOURCE is a web address, a saved .html page, a .txt/.md article, or - for
    stdin (a page, or web addresses one a line). Each story is saved as one
    Markdown file, HOST/DATE_TITLE_HASH.md, in --corpus, else in your own corpus
    (made on first use at $XDG_DATA_HOME/kzjp/corpus, with the bundled
    articles, and used by every command from then on). The story is the page's
    text without menus, ads and comments; title, date and language come from
    the page (a feed's or your options win). The same address or text already
    in the corpus is not saved again; a near copy is saved with a warning. Only
    what you name is fetched, each page within --timeout and --max-time and
    10 MB; a feed's stories follow the sites' robots.txt.

    \b
    Examples:
      kzjp add https://astanatimes.com/2025/12/some-story/
      kzjp add --feed https://www.inform.kz/rss/eng.xml
      kzjp add saved-page.html notes.md --source Kyodo
      kzjp add --jsonl scraped.jsonl -f jsonl
      cat urls.txt | kzjp add -
      kzjp add --dry-run https://tass.com/world/1234567

    Exit status: 0 every source added or already there, 2 none could be added
    (or a usage error), 3 some could not (each failure has an Error: line).
    """
    from kzjp_cli import adding

    if not (sources or feeds or exports):
        raise click.UsageError("give a web address, a file, - for stdin, --feed or --jsonl", ctx)
    if (sources.count("-") + exports.count("-")) > 1:
        raise click.UsageError("stdin can be read only once", ctx)
    folder = adding.target_corpus(corpus)
    reporter = CliReporter(quiet, progress_min=2)
    adder = adding.Adder(
        corpus=folder,
        known=adding.known_in(folder, lambda: _open_index(folder, index_dir, quiet)),
        overrides=adding.Overrides(title=title, date=date, source=source_name, lang=lang),
        skip_near=skip_near_duplicates,
        dry_run=dry_run,
        limits=adding.Limits(timeout=timeout, deadline=max_time),
        delay=delay,
        progress=reporter.progress,
        notice=reporter.notice,
    )
    style = _style(ctx)
    done: list[adding.Outcome] = []
    for outcome in adder.add(sources, feeds, exports, stdin=_stdin_bytes):
        done.append(outcome)
        reporter.clear_line()
        for level, message in outcome.notes():
            if level == "error":
                click.echo(f"Error: {output.safe(message)}", err=True)
            else:
                reporter.warning(message)
        if fmt == "json" or (fmt == "ids" and outcome.id is None):
            continue
        record = outcome.to_record()
        output.emit([record], fmt, lambda style, o=outcome: output.outcome_text(o, style, dry_run), style)
        sys.stdout.flush()
    if fmt == "json":
        output.emit([o.to_record() for o in done], "json", lambda style: iter(()), style)
    if not quiet:
        reporter.notice(adding.tally(done, folder, dry_run))
    saved = [o.article.id for o in done if o.saved and o.article is not None]
    if saved:
        corpus_index = _open_index(folder, index_dir, quiet)
        corpus_index.confirm()  # refreshed now: the next search answers at once
        corpus_index.vectors_for(saved, warn=reporter.warning)
    failed = sum(not o.ok for o in done)
    if failed:
        ctx.exit(Exit.USAGE if failed == len(done) else Exit.PARTIAL)


def _no_terminal(what: str) -> None:
    """Refuse to wait for typed input that was meant to come down a pipe."""
    if sys.stdin.isatty():
        raise click.UsageError(f"- reads {what} from standard input, which is a terminal here; pipe it in")


def _stdin_text(what: str) -> str:
    """Standard input as text (bytes that are not UTF-8 replaced, never passed on as surrogates), within
    the size limit of an article file."""
    _no_terminal(what)
    return _read_stdin().decode("utf-8", "replace")


def _stdin_bytes() -> bytes:
    """Standard input as bytes: the library decodes it as it decodes a page (charset, detection)."""
    _no_terminal("a page or web addresses")
    return _read_stdin()


def _read_stdin() -> bytes:
    from kzjp_cli.articles import MAX_BYTES

    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        data = buffer.read(MAX_BYTES + 1)
    else:
        data = sys.stdin.read(MAX_BYTES + 1).encode("utf-8", "surrogateescape")
    if len(data) > MAX_BYTES:
        raise UserError(f"standard input is larger than the {MAX_BYTES // (1024 * 1024)} MB an article may have")
    return data


@cli.command("search")
@click.argument("query", nargs=-1, required=True)
@corpus_options
@no_refresh_option
@limit_option(10, "Show at most N hits.")
@period_options()
@click.option(
    "--sort", type=LazyChoice(lambda: search.SORTS), default="relevance", show_default=True, help="Order of hits."
)
@lang_option
@aliases_option
@click.option(
    "--semantic",
    is_flag=True,
    help="Rank by meaning and words together, across languages (needs the vectors of 'kzjp index --vectors').",
)
@click.option(
    "--each", is_flag=True, help="Show every matching article, not one a story (copies and translations too)."
)
@click.option("--count", is_flag=True, help="Print only the number of matching stories (articles, with --each).")
@click.option(
    "--offset", type=click.IntRange(min=0), default=0, metavar="N", help="Skip the first N hits (the next page)."
)
@click.option("--all", "every", is_flag=True, help="Show every hit, not just the first --limit.")
@fields_option
@click.option(
    "--summary",
    type=click.IntRange(min=1),
    metavar="N",
    help="Add a query-focused summary of N sentences to each hit.",
)
@format_option(*output.ALL_FORMATS)
@click.pass_context
def search_command(
    ctx: click.Context,
    query: tuple[str, ...],
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
    limit: int,
    period: listing.Period,
    sort: str,
    langs: tuple[str, ...],
    no_aliases: bool,
    semantic: bool,
    each: bool,
    count: bool,
    offset: int,
    every: bool,
    fields: tuple[str, ...],
    summary: int | None,
    fmt: str,
) -> None:
    """Search the articles for QUERY.

    Words are ANDed and stemmed (transported finds transportation); the title
    counts more than the body. Query language: OR, NOT or -word, (groups), "exact
    phrases", title:word, wildcards (Toka*), fuzzy words (Tokaev~) and dates
    (date:2025-12, date:>2025-12-01, date:[2025-01 to 2025-06]). A QUERY of -
    reads the query from stdin. Exits 1 when nothing matches.

    A story told by several articles (reprints, other sources, other
    languages: see 'kzjp stories') is shown once, by its best-ranked article,
    with an "also:" line naming the others; --offset, --limit and --count
    then count stories. --each shows and counts every article.

    \b
    Examples:
      kzjp search Tokayev Takaichi
      kzjp search '"Port of Aktau" OR "Middle Corridor"'
      kzjp search Tokyo --since 2025-12 --sort date
      kzjp search uranium --added-since yesterday
      kzjp search --semantic "state visit to Japan"   # the Russian, Kazakh, Japanese stories too
      kzjp search judo -f jsonl | jq -r .title
      kzjp search visa -f ids | xargs kzjp show
      echo 'Tokyo Declaration' | kzjp search -
      kzjp search visa --summary 2
      kzjp search визита --lang ru
      kzjp search Tokayev --no-aliases
      kzjp search 'Tokyo -Naruhito'
      kzjp search Tokyo --offset 10                  # hits 11-20
      kzjp search uranium --each                     # every copy of each story
      kzjp search Tokyo --all -f csv --fields id,date,title > tokyo.csv
    """
    if every and ctx.get_parameter_source("limit") == click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("--all shows every hit; leave out --limit", ctx)
    _check_fields(ctx, fields, fmt, [*search.Hit.fields(), "summary", "aliases"])
    text = _stdin_text("the query (echo Tokyo | kzjp search -)") if query == ("-",) else " ".join(query)
    if semantic:
        search.require_meaning()  # before the index is opened: say it at once
    corpus_index = _open_index(corpus, index_dir, quiet)
    options = search.SearchOptions(
        limit=None if every else limit,
        offset=offset,
        since=period.since,
        until=period.until,
        added_since=period.added_since,
        added_until=period.added_until,
        langs=langs,
        sort=sort,
        count_only=count,
        with_total=not count,
    )
    names = _names(corpus_index, no_aliases)
    shown = {"summary": summary, "names": names, "each": each, "snippets_too": _shows_snippets(fmt, fields)}
    if semantic:
        reporter = CliReporter(quiet)
        result = search.semantic(corpus_index, text, options, warn=reporter.warning, **shown)
        if result.unvectored and not quiet:
            click.echo(
                f"kzjp: {result.unvectored:,} of the articles searched have no vector yet and were found by their "
                "words only; 'kzjp index --vectors' computes them",
                err=True,
            )
    else:
        reporter = CliReporter(quiet)
        result = search.search(corpus_index, text, options, warn=reporter.warning, **shown)
    _report_aliases(result.aliases, quiet)
    if result.suggestion:
        click.echo(f"No matches. Did you mean: {output.safe(result.suggestion)}", err=True)
    folded = result.stories is not None and result.total is not None and result.stories < result.total
    if count:
        click.echo(result.total if result.stories is None else result.stories)
        if folded and not quiet:
            click.echo(
                f"kzjp: {output.plural(result.stories, 'story', 'stories')} ({output.plural(result.total, 'article')}; "
                "--each counts articles)",
                err=True,
            )
        if not result.total:
            ctx.exit(Exit.NOTHING_FOUND)
        return
    if not quiet:
        shown = len(result.hits)
        if folded and offset == 0 and shown >= (result.stories or 0):
            click.echo(
                f"kzjp: {output.plural(shown, 'story', 'stories')} ({output.plural(result.total, 'article')})", err=True
            )
        elif folded:
            _report_page(result.stories, offset, shown, "stories", f" ({output.plural(result.total, 'article')})")
        else:
            _report_page(result.total, offset, shown)
    _emit_hits(ctx, result.hits, fmt, fields)


def _shows_snippets(fmt: str, fields: Sequence[str]) -> bool:
    """Whether the output shows snippets: not ``-f ids``, nor ``--fields`` without ``snippet``."""
    return fmt != "ids" and (not fields or "snippet" in fields)


def _report_page(total: int | None, offset: int, shown: int, unit: str = "hits", extra: str = "") -> None:
    """Say on stderr how many hits (or stories) there are in all, when the ones shown are not all of them."""
    if not total or (offset == 0 and shown >= total):
        return
    if not shown:
        click.echo(
            f"kzjp: {total:,} {'match(es)' if unit == 'hits' else unit} in all{extra}; "
            f"--offset {offset:,} is past them",
            err=True,
        )
    elif offset + shown < total:
        left = total - offset - shown
        click.echo(
            f"kzjp: {unit} {offset + 1:,}–{offset + shown:,} of {total:,}{extra}; --offset {offset + shown:,} "
            f"shows the next {min(left, shown):,}, --all every one",
            err=True,
        )
    else:
        click.echo(f"kzjp: {unit} {offset + 1:,}–{offset + shown:,} of {total:,}{extra}", err=True)


BRIEF_FORMATS = ("text", "markdown", "html", "json")
BRIEF_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".json": "json"}


@cli.command("brief")
@click.argument("query", nargs=-1)
@click.option("--since", type=DateType(), help="First day of the period (default: 6 days before --until).")
@click.option("--until", type=DateType(end=True), help="Last day of the period (default: today).")
@click.option(
    "--by-date", is_flag=True, help="Take the period by the articles' own dates, not by when they were added."
)
@limit_option(Deferred(lambda: brief.STORIES), "Show the N top stories.")
@click.option(
    "--sentences",
    type=click.IntRange(min=1, max=10),
    default=Deferred(lambda: brief.SENTENCES),
    show_default=True,
    metavar="N",
    help="Sentences in each story's summary.",
)
@lang_option
@aliases_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(BRIEF_FORMATS),
    default=None,
    help="Output format [default: text, or what -o FILE's name ends with].",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write the brief to FILE (replaced whole, once written) instead of stdout.",
)
@corpus_options
@no_refresh_option
@click.pass_context
def brief_command(
    ctx: click.Context,
    query: tuple[str, ...],
    since: dt.date | None,
    until: dt.date | None,
    by_date: bool,
    limit: int,
    sentences: int,
    langs: tuple[str, ...],
    no_aliases: bool,
    fmt: str | None,
    out: Path | None,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
) -> None:
    """Brief a period: what came in, the top stories summed up, what rose.

    The period is the last 7 days, today included, of articles by when they
    were added (--by-date: by their own dates). The brief gives its numbers
    against the period just before (articles, stories, sources, languages),
    articles a day, the top stories (most copies, sources and languages, the
    most recent and, with QUERY, the best matches first), each summed up in a
    few sentences of its own articles with the article each comes from, the
    topics that rose, and the names most mentioned, in any spelling. With
    QUERY, only the articles that match it. Exits 1 when the period has no
    article (the brief says so).

    \b
    Examples:
      kzjp brief
      kzjp brief --since 30d -n 10
      kzjp brief uranium --lang ru
      kzjp brief --since 2025-12 --until 2025-12 --by-date -f markdown
      kzjp brief -o brief.html                  # one page: open it, print it, mail it
      kzjp brief -f json | jq '.stories[].title'
    """
    if fmt is None:
        fmt = BRIEF_SUFFIXES.get(out.suffix.lower(), "text") if out else "text"
    if out is not None and not out.parent.is_dir():
        raise OutputError(f"cannot write {out}: there is no folder {out.parent}")
    try:
        period = brief.window(since, until, "dated" if by_date else "added")
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param_hint="--since") from None
    text = _query_text(query)
    corpus_index = _open_index(corpus, index_dir, quiet)
    text = _aliased(corpus_index, text, no_aliases, quiet)
    made = brief.make_brief(
        corpus_index,
        period,
        text or None,
        langs=langs,
        stories=limit,
        sentences=sentences,
        names=_names(corpus_index, no_aliases=False),  # the names section counts every spelling
        warn=CliReporter(quiet).warning,
    )
    if fmt == "json":
        rendered = output.json_text(made.to_record()) + "\n"
    elif fmt == "html":
        rendered = output.brief_html(made, f"kzjp {__version__} · {corpus_index.corpus}")
    elif fmt == "markdown":
        rendered = "".join(line + "\n" for line in output.brief_markdown(made))
    else:
        style = _style(ctx) if out is None else output.Style(enabled=False)
        rendered = "".join(line + "\n" for line in output.brief_text(made, style))
    if out is None:
        click.echo(rendered, nl=False)
    else:
        _write_file(out, rendered)
        if not quiet:
            click.echo(f"kzjp: wrote the brief to {out} ({len(rendered.encode('utf-8')):,} bytes)", err=True)
    if made.empty:
        ctx.exit(Exit.NOTHING_FOUND)


def _write_file(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` whole, or say in one line why it cannot be written."""
    from kzjp_cli.index.folder import replacing

    try:
        with replacing(path) as handle:
            handle.write(text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


@cli.command("list")
@corpus_options
@no_refresh_option
@click.option(
    "--sort",
    type=LazyChoice(lambda: listing.SORTS),
    default="id",
    show_default=True,
    help="Order (date: newest first; added: last added first).",
)
@limit_option(None, "Show at most N articles.")
@lang_option
@period_options()
@fields_option
@format_option(*output.ALL_FORMATS)
@click.pass_context
def list_command(
    ctx: click.Context,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
    sort: str,
    limit: int | None,
    langs: tuple[str, ...],
    period: listing.Period,
    fields: tuple[str, ...],
    fmt: str,
) -> None:
    """List the articles: id, date, word count and title.

    \b
    Examples:
      kzjp list
      kzjp list --sort date -n 5
      kzjp list --added-since today
      kzjp list --since 2025-12 --until 2025-12
      kzjp list --lang kk --lang ru
      kzjp list -f csv > articles.csv
      kzjp list -f ids | xargs -n1 kzjp summarize
      kzjp list -f tsv --fields id,date,source
    """
    header = [name for name, spec in FIELDS.items() if spec.record]
    _check_fields(ctx, fields, fmt, header)
    corpus_index = _open_index(corpus, index_dir, quiet)
    articles = listing.list_articles(corpus_index, sort=sort, langs=langs, limit=limit, period=period)
    records = output.select([a.to_record() for a in articles], fields)
    output.emit(records, fmt, partial(output.articles_text, articles), _style(ctx), fields=fields or header)
    if not articles:
        ctx.exit(Exit.NOTHING_FOUND)


@cli.command("stats")
@format_option("text", "json")
@corpus_options
@no_refresh_option
@click.pass_context
def stats_command(ctx: click.Context, fmt: str, corpus: Path | None, index_dir: Path | None, quiet: bool) -> None:
    """Show what the corpus holds: articles, words, languages, years, sources, index size and age.

    \b
    Examples:
      kzjp stats
      kzjp stats -f json | jq .languages
    """
    from kzjp_cli import stats

    found = stats.corpus_stats(_open_index(corpus, index_dir, quiet))
    output.emit(
        [found.to_record()], fmt, lambda style: output.stats_text(found, style), _style(ctx), single_object=True
    )


@cli.command("show")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@corpus_options
@no_refresh_option
@fields_option
@format_option(*output.ALL_FORMATS)
@click.pass_context
def show_command(
    ctx: click.Context,
    ids: tuple[str, ...],
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
    fields: tuple[str, ...],
    fmt: str,
) -> None:
    """Show articles in full: metadata, then the text.

    ID is an article id or a unique prefix of one (000 for 000_26794fffe5e8f9f3).
    With -f json, one ID gives one object and several give an array.

    \b
    Examples:
      kzjp show 000
      kzjp show 003 -f json | jq -r .body
      kzjp search judo -f ids | xargs kzjp show
      kzjp show 000 003 -f csv --fields id,title,body
    """
    header = [*(name for name, spec in FIELDS.items() if spec.record), "body"]
    _check_fields(ctx, fields, fmt, header)
    articles = listing.show_articles(_open_index(corpus, index_dir, quiet), ids)
    records = output.select([a.to_record(body=True) for a in articles], fields)
    text = partial(output.article_text, articles)
    output.emit(records, fmt, text, _style(ctx), single_object=True, fields=fields or header)


@cli.command("summarize")
@click.argument("target_list", nargs=-1, metavar="[TARGET]...")
@click.option(
    "--ids-from",
    type=click.File("rb"),
    help="Read article ids from FILE (- for stdin), one a line; kzjp search -f ids or -f jsonl output works.",
)
@click.option(
    "-m",
    "--method",
    type=LazyChoice(lambda: summarize.METHODS),
    default=Deferred(lambda: summarize.DEFAULT_METHOD),
    show_default=True,
    help="sumy's extractive method.",
)
@click.option(
    "-n", "--sentences", "count", type=click.IntRange(min=1), help="Sentences to keep per summary.  [default: 3]"
)
@click.option(
    "--ratio",
    type=Number(0, 1, min_open=True),
    help="Keep this fraction of the sentences instead (0 < R <= 1, at least one).",
)
@click.option("--query", help="Prefer sentences that match these words (stemmed, as search matches them).")
@click.option("--combine", is_flag=True, help="One summary across all targets, each sentence labelled with its id.")
@format_option(*output.ALL_FORMATS)
@corpus_options
@no_refresh_option
@click.pass_context
def summarize_command(
    ctx: click.Context,
    target_list: tuple[str, ...],
    ids_from: Any,
    method: str,
    count: int | None,
    ratio: float | None,
    query: str | None,
    combine: bool,
    fmt: str,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
) -> None:
    """Summarise articles by picking their most important sentences.

    TARGET is an article id (or unique prefix), a .txt/.md/.html file, or - for
    text on stdin. Sentences come out verbatim, in the article's order. Works
    offline: no NLTK data or downloads are needed.

    \b
    Examples:
      kzjp summarize 000
      kzjp summarize 003 -m textrank -n 5
      kzjp summarize 003 --query visa -n 1
      kzjp summarize saved-page.html
      kzjp summarize --combine 000 003 --ratio 0.2
      kzjp search tourism -f ids | kzjp summarize --ids-from -
      kzjp list -f ids | xargs kzjp summarize -f jsonl
      curl -s https://example.org/story.html | kzjp summarize -
      kzjp summarize 000 003 -f csv > sentences.csv  # a row a sentence
    """
    if count is not None and ratio is not None:
        raise click.UsageError("use either --sentences or --ratio, not both", ctx)
    ids_on_stdin = ids_from is not None and getattr(ids_from, "name", "<stdin>") == "<stdin>"
    if ids_on_stdin:
        _no_terminal("the article ids (kzjp search visa -f ids | kzjp summarize --ids-from -)")
    wanted = list(target_list) + (targets.ids_from_lines(ids_from) if ids_from else [])
    if not wanted:
        raise click.UsageError("give an article id, a file, - for stdin, or --ids-from FILE", ctx)
    if "-" in target_list and ids_on_stdin:
        raise click.UsageError("stdin cannot be both a TARGET (-) and --ids-from -", ctx)
    articles = targets.load(
        wanted, lambda: _stdin_text("the text to summarise"), lambda: _open_index(corpus, index_dir, quiet)
    )
    options = {"method": method, "count": count, "ratio": ratio, "query": query}
    if combine:
        summaries = [summarize.summarize_combined(articles, **options)]
    else:
        summaries = [summarize.summarize(article, **options) for article in articles]
    if fmt in ("csv", "tsv", "ids"):  # a row a sentence, which flat formats can hold
        rows = [row for s in summaries for row in s.rows()]
        if fmt == "ids":  # each article whose sentences were chosen, once
            rows = list({row["id"]: row for row in rows}.values())
        output.write_records(rows, fmt, sys.stdout, summarize.Summary.row_fields())
        return
    records = [s.to_record() for s in summaries]
    output.emit(records, fmt, lambda style: output.summaries_text(summaries, style), _style(ctx), single_object=True)


def _emit_hits(ctx: click.Context, hits: list[search.Hit], fmt: str, fields: Sequence[str] = ()) -> None:
    """Print hits in any search format (no hits: ``[]`` in JSON, the header in CSV/TSV), only ``fields`` if
    given; exit 1 when none."""
    records = output.select([hit.to_record() for hit in hits], fields)
    header = fields or search.Hit.fields()
    output.emit(records, fmt, lambda style: output.hits_text(hits, style), _style(ctx), fields=header)
    if not hits:
        ctx.exit(Exit.NOTHING_FOUND)


@cli.command("topics")
@click.argument("topic", required=False)
@click.option("--article", "article_id", metavar="ID", help="The topics of one article (id or unique prefix).")
@limit_option(20, "Show at most N topics (or articles, with TOPIC).")
@lang_option
@period_options()
@aliases_option
@format_option(*output.ALL_FORMATS)
@corpus_options
@no_refresh_option
@click.pass_context
def topics_command(
    ctx: click.Context,
    topic: str | None,
    article_id: str | None,
    limit: int,
    langs: tuple[str, ...],
    period: listing.Period,
    no_aliases: bool,
    fmt: str,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
) -> None:
    """List what the corpus is about: key phrases ranked by importance.

    Each topic is a phrase of 1 to 4 words with its score, the number of
    articles that discuss it and their ids. Names stay whole ("Port of Aktau").
    With TOPIC, list that topic's articles, best first, as search does. With
    --since, --until, --added-since or --added-until, the topics of that
    period's articles. Each list is cached in the index folder until the
    index changes.

    \b
    Examples:
      kzjp topics
      kzjp topics -n 5 -f json | jq -r '.[].topic'
      kzjp topics --article 003
      kzjp topics "Middle Corridor"
      kzjp topics --added-since 7d
      kzjp topics -f ids | head
    """
    if topic is not None and article_id is not None:
        raise click.UsageError("give either TOPIC or --article, not both", ctx)
    if article_id is not None and period:
        raise click.UsageError("--article gives one article's topics: leave out the dates", ctx)
    if topic is not None and not topic.replace('"', " ").strip():
        raise click.UsageError("TOPIC is empty", ctx)
    corpus_index = _open_index(corpus, index_dir, quiet)
    from kzjp_cli import topics  # 10 ms of regexes and word lists that other commands never need

    ids = listing.ids_in(corpus_index, period)
    if topic is not None:
        names = _names(corpus_index, no_aliases)
        result = topics.articles_on(corpus_index, topic, limit=limit, langs=langs, names=names, ids=ids)
        _report_aliases(result.aliases, quiet)
        _emit_hits(ctx, result.hits, fmt)
        return

    if article_id:
        found = topics.article_topics(corpus_index, corpus_index.full_id(article_id), limit)
    else:
        found = topics.corpus_topics(corpus_index, langs=langs, exact=limit, ids=ids)[:limit]
    records = [{"id": t.phrase, **t.to_record()} if fmt == "ids" else t.to_record() for t in found]
    output.emit(records, fmt, lambda style: output.topics_text(found, style), _style(ctx))
    if not found:
        if not quiet:
            click.echo("kzjp: no topics found" + (f" in {article_id}" if article_id else ""), err=True)
        ctx.exit(Exit.NOTHING_FOUND)


@cli.command("similar")
@click.argument("article_id", metavar="ID", required=False)
@click.option("--text", "passage", metavar="TEXT", help="Articles like TEXT (a passage you paste) instead of like ID.")
@limit_option(10, "Show at most N articles.")
@lang_option
@fields_option
@format_option(*output.ALL_FORMATS)
@corpus_options
@no_refresh_option
@click.pass_context
def similar_command(
    ctx: click.Context,
    article_id: str | None,
    passage: str | None,
    limit: int,
    langs: tuple[str, ...],
    fields: tuple[str, ...],
    fmt: str,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
) -> None:
    """List the articles most like article ID (or --text), best first.

    Where the articles have vectors ('kzjp index --vectors'), by meaning, in
    every language: the same story in Russian, Kazakh or Japanese (--lang ru
    for the Russian ones). Else the article's ten most distinctive words
    (Whoosh's Bo2 model) become a weighted query over every other article in
    its language. Exits 1 when nothing is similar.

    \b
    Examples:
      kzjp similar 000
      kzjp similar 003 -n 3 -f json
      kzjp similar 000 --lang ru
      kzjp similar --text "Kazakhstan will supply uranium to Japanese plants"
      kzjp similar 000 -f ids | xargs kzjp summarize -n 1
      kzjp similar 000 -f tsv --fields id,score,title
    """
    if (article_id is None) == (passage is None):
        raise click.UsageError("give either ID or --text", ctx)
    if passage is not None:
        search.require_meaning()
    _check_fields(ctx, fields, fmt, search.Hit.fields())
    corpus_index = _open_index(corpus, index_dir, quiet)
    warn = CliReporter(quiet).warning
    if passage is not None:
        hits = search.similar_to_text(corpus_index, passage, limit=limit, langs=langs, warn=warn)
    else:
        wanted = corpus_index.full_id(article_id or "")
        hits = search.similar(corpus_index, wanted, limit=limit, langs=langs, warn=warn)
    _emit_hits(ctx, hits, fmt, fields)


@cli.command("timeline")
@click.argument("query", nargs=-1)
@click.option(
    "--by", type=click.Choice(timeline.PERIODS), default="month", show_default=True, help="Length of each period."
)
@click.option(
    "--stories", "count_stories", is_flag=True, help="Count stories (each once, on its first day), not articles."
)
@period_options()
@lang_option
@aliases_option
@format_option("text", "json", "jsonl", "csv", "tsv")
@corpus_options
@no_refresh_option
@click.pass_context
def timeline_command(
    ctx: click.Context,
    query: tuple[str, ...],
    by: str,
    count_stories: bool,
    period: listing.Period,
    langs: tuple[str, ...],
    no_aliases: bool,
    fmt: str,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
) -> None:
    """Chart how many articles (or articles matching QUERY) appeared per period.

    Periods with no articles are shown as zero; undated articles are counted
    apart (in json/csv, a row whose period is null/empty). QUERY uses the
    search syntax; - reads it from stdin. With --stories, each story (its
    copies and translations together: see 'kzjp stories') counts once, in the
    period of its first article. Exits 1 when no article matches.

    \b
    Examples:
      kzjp timeline
      kzjp timeline tourism --by year
      kzjp timeline '"Middle Corridor"' -f csv
      kzjp timeline --since 2025-01 --by week -f json
      kzjp timeline --added-since 2w --by day
      kzjp timeline uranium --stories --by week
    """
    text = _query_text(query)
    corpus_index = _open_index(corpus, index_dir, quiet)
    text = _aliased(corpus_index, text, no_aliases, quiet)
    added = listing.ids_in(corpus_index, listing.Period(added_since=period.added_since, added_until=period.added_until))
    told = stories.stories_of(corpus_index, langs, CliReporter(quiet).warning) if count_stories else None
    buckets = timeline.timeline(
        corpus_index, text or None, by=by, since=period.since, until=period.until, langs=langs, ids=added, stories=told
    )
    dated = [b.start for b in buckets if b.start is not None]
    if dated and not timeline.fills_gaps(dated[0], dated[-1], by) and not quiet:
        click.echo(
            f"kzjp: the dates run from {dated[0]} to {dated[-1]}: only the {by}s with articles are listed",
            err=True,
        )
    records = [b.to_record() for b in buckets]
    header = ["period", "count", "start"]
    output.emit(records, fmt, lambda style: output.timeline_text(buckets, style), _style(ctx), fields=header)
    if not any(b.count for b in buckets):
        ctx.exit(Exit.NOTHING_FOUND)


@cli.command("stories")
@click.argument("query", nargs=-1)
@click.option(
    "--sort",
    type=LazyChoice(lambda: stories.SORTS),
    default="size",
    show_default=True,
    help="Order (size: most copies first; date: newest first).",
)
@click.option("--singles", is_flag=True, help="List the stories told by one article too (default: two or more).")
@limit_option(None, "Show at most N stories.")
@lang_option
@period_options()
@aliases_option
@format_option(*output.ALL_FORMATS)
@corpus_options
@no_refresh_option
@click.pass_context
def stories_command(
    ctx: click.Context,
    query: tuple[str, ...],
    sort: str,
    singles: bool,
    limit: int | None,
    langs: tuple[str, ...],
    period: listing.Period,
    no_aliases: bool,
    fmt: str,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
) -> None:
    """List the stories: articles that tell the same news, across sources and languages.

    Near copies (reprints, lightly edited wire stories) and, where vectors were
    computed ('kzjp index --vectors'), the same story in other languages, at
    most a few days apart, make one story. With QUERY, the stories with an
    article matching it; with --lang, stories with an article in that
    language, titled in it. Exits 1 when there is none.

    \b
    Examples:
      kzjp stories --since 7d
      kzjp stories uranium --lang ru
      kzjp stories --added-since yesterday --sort date
      kzjp stories -f json | jq '.[] | select(.size > 2) | .title'
    """
    text = _query_text(query)
    corpus_index = _open_index(corpus, index_dir, quiet)
    text = _aliased(corpus_index, text, no_aliases, quiet)
    found = stories.find_stories(
        corpus_index, text or None, period=period, langs=langs, sort=sort, warn=CliReporter(quiet).warning
    )
    if not singles:
        found = [s for s in found if s.size > 1]
    found = found[:limit] if limit else found
    records = [s.to_record() for s in found]
    output.emit(records, fmt, partial(output.stories_text, found), _style(ctx), fields=stories.RECORD)
    if not found:
        ctx.exit(Exit.NOTHING_FOUND)


# --- following the beat ------------------------------------------------------------------


@cli.group("feed", context_settings=CONTEXT)
def feed_group() -> None:
    """Subscribe to feeds, list, remove, import and export them (OPML).

    Subscriptions live in $XDG_CONFIG_HOME/kzjp/follow.toml (KZJP_FOLLOW names
    another file), with your saved searches; 'kzjp update' fetches them.

    \b
    Examples:
      kzjp feed add https://www.inform.kz/rss/eng.xml --source Kazinform
      kzjp feed list
      kzjp feed import freshrss.opml
      kzjp feed export > kzjp.opml
      kzjp feed remove Kazinform
    """


@feed_group.command("add")
@click.argument("url")
@click.option("--name", help="Call it NAME (default: the feed's title).")
@click.option("--source", "source_name", metavar="NAME", help="The source name its stories get (Kazinform, TASS…).")
@click.option("--lang", "lang", type=LanguageType(), help="Its stories' language, instead of detecting it.")
@_fetch_options
def feed_add_command(
    url: str, name: str | None, source_name: str | None, lang: str | None, timeout: float, max_time: float, delay: float
) -> None:
    """Subscribe to the RSS or Atom feed at URL (fetched once to check that it is one).

    \b
    Examples:
      kzjp feed add https://www.inform.kz/rss/eng.xml
      kzjp feed add https://tass.com/rss/v2.xml --name TASS --source TASS --lang en
    """
    from kzjp_cli import adding, following

    limits = adding.Limits(timeout=timeout, deadline=max_time)
    made, listed = following.subscribe(url, name=name, source=source_name, lang=lang, limits=limits)
    click.echo(f"subscribed  {output.safe(made.name)}  {output.safe(made.url)}")
    click.echo(f"kzjp: it lists {listed} stories now; 'kzjp update' adds them", err=True)


@feed_group.command("list")
@fields_option
@format_option(*output.ALL_FORMATS)
@click.pass_context
def feed_list_command(ctx: click.Context, fields: tuple[str, ...], fmt: str) -> None:
    """List your subscriptions: name, stories added, when last checked and last new, failures.

    \b
    Examples:
      kzjp feed list
      kzjp feed list -f json | jq '.[] | select(.failures > 0)'
    """
    from kzjp_cli import following

    header = following.FeedRow.fields()
    _check_fields(ctx, fields, fmt, header)
    rows = following.feed_rows(CliReporter().warning)
    records = output.select([{"id": r.name, **r.to_record()} if fmt == "ids" else r.to_record() for r in rows], fields)
    output.emit(records, fmt, lambda style: output.feeds_text(rows, style), _style(ctx), fields=fields or header)
    if not rows:
        ctx.exit(Exit.NOTHING_FOUND)


@feed_group.command("remove")
@click.argument("wanted", metavar="NAME|URL")
def feed_remove_command(wanted: str) -> None:
    """Unsubscribe from a feed (the stories it brought stay in your corpus).

    \b
    Examples:
      kzjp feed remove Kazinform
    """
    from kzjp_cli import following

    gone = following.unsubscribe(wanted)
    click.echo(f"unsubscribed  {output.safe(gone.name)}  {output.safe(gone.url)}")


@feed_group.command("import")
@click.argument("path", metavar="FILE")
def feed_import_command(path: str) -> None:
    """Subscribe to every feed of an OPML file (what feed readers export; - for stdin).

    \b
    Examples:
      kzjp feed import freshrss.opml
      kzjp feed export | ssh laptop kzjp feed import -
    """
    from kzjp_cli import following

    data = _stdin_bytes() if path == "-" else None
    made, skipped = following.import_opml(None if path == "-" else Path(path), data)
    for feed in made:
        click.echo(f"subscribed  {output.safe(feed.name)}  {output.safe(feed.url)}")
    for url, reason in skipped:
        click.echo(f"kzjp: left out {output.safe(url)}: {reason}", err=True)
    if not made and not skipped:
        raise KzjpError("the file lists no feeds")


@feed_group.command("export")
def feed_export_command() -> None:
    """Print your subscriptions as OPML 2.0, for a feed reader or another kzjp.

    \b
    Examples:
      kzjp feed export > kzjp.opml
    """
    from kzjp_cli import following

    click.echo(following.export_opml(), nl=False)


@cli.group("watch", context_settings=CONTEXT)
def watch_group() -> None:
    """Save searches, list and remove them; 'kzjp new' shows what they newly match.

    \b
    Examples:
      kzjp watch add uranium 'uranium OR уран OR ウラン'
      kzjp watch add visits Tokayev Takaichi --lang en
      kzjp watch list
      kzjp watch remove visits
    """


@watch_group.command("add")
@click.argument("name")
@click.argument("query", nargs=-1, required=True)
@lang_option
@click.option("--since", metavar="DATE", help="Only articles dated from DATE (YYYY[-MM[-DD]], or 7d: read each time).")
@aliases_option
@corpus_options
def watch_add_command(
    name: str,
    query: tuple[str, ...],
    langs: tuple[str, ...],
    since: str | None,
    no_aliases: bool,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
) -> None:
    """Save QUERY as the search NAME: 'kzjp new' then shows what it matches among the articles added from now on.

    The query is run once, to check it.

    \b
    Examples:
      kzjp watch add uranium 'uranium OR уран OR ウラン'
      kzjp watch add corridor '"Middle Corridor"' --since 30d
    """
    from kzjp_cli import following

    corpus_index = _open_index(corpus, index_dir, quiet)
    watch, total = following.save_watch(
        corpus_index, name, " ".join(query), langs=langs, since=since, names=_names(corpus_index, no_aliases)
    )
    click.echo(f"saved  {output.safe(watch.name)}  {output.safe(watch.query)}")
    if not quiet:
        click.echo(f"kzjp: it matches {total} article(s) now; 'kzjp new' shows those added from now on", err=True)


@watch_group.command("list")
@aliases_option
@fields_option
@format_option(*output.ALL_FORMATS)
@corpus_options
@no_refresh_option
@click.pass_context
def watch_list_command(
    ctx: click.Context,
    no_aliases: bool,
    fields: tuple[str, ...],
    fmt: str,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
) -> None:
    """List your saved searches: how many articles each matches, and how many of them are new.

    \b
    Examples:
      kzjp watch list
      kzjp watch list -f tsv --fields name,new
    """
    from kzjp_cli import following

    header = following.WatchRow.fields()
    _check_fields(ctx, fields, fmt, header)
    corpus_index = _open_index(corpus, index_dir, quiet)
    rows = following.watch_rows(corpus_index, names=_names(corpus_index, no_aliases))
    records = output.select([{"id": r.name, **r.to_record()} if fmt == "ids" else r.to_record() for r in rows], fields)
    output.emit(records, fmt, lambda style: output.watches_text(rows, style), _style(ctx), fields=fields or header)
    if not rows:
        ctx.exit(Exit.NOTHING_FOUND)


@watch_group.command("remove")
@click.argument("name")
def watch_remove_command(name: str) -> None:
    """Forget the saved search NAME.

    \b
    Examples:
      kzjp watch remove uranium
    """
    from kzjp_cli import following

    gone = following.forget_watch(name)
    click.echo(f"removed  {output.safe(gone.name)}  {output.safe(gone.query)}")


@cli.command("new")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--peek", is_flag=True, help="Show what is new without marking it read.")
@aliases_option
@fields_option
@format_option(*output.ALL_FORMATS, "atom")
@corpus_options
@no_refresh_option
@click.pass_context
def new_command(
    ctx: click.Context,
    names: tuple[str, ...],
    peek: bool,
    no_aliases: bool,
    fields: tuple[str, ...],
    fmt: str,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
) -> None:
    """Show what your saved searches match among the articles added since you last looked.

    Each saved search (or each NAME) with its new matches, last added first;
    they are then marked read (--peek leaves them unread). -f atom prints an
    Atom feed of them, for a feed reader or a notifier. Exits 1 when nothing
    is new.

    \b
    Examples:
      kzjp new
      kzjp new uranium --peek
      kzjp new -f jsonl | jq -r .title
      kzjp new -f atom > ~/public/kzjp-new.xml
    """
    from kzjp_cli import following

    header = ["watch", "added", *search.Hit.fields()]
    if fmt != "atom":
        _check_fields(ctx, fields, fmt, header)
    if not following.follows().watches:
        raise KzjpError("no saved searches yet", hint="save one with 'kzjp watch add NAME QUERY'")
    corpus_index = _open_index(corpus, index_dir, quiet)
    news = following.new_matches(corpus_index, names, peek=peek, names=_names(corpus_index, no_aliases))
    if fmt == "atom":
        title = "kzjp: new in " + ", ".join(item.watch.name for item in news)
        output.atom(news, title, sys.stdout)
    else:
        records = [
            {"watch": item.watch.name, "added": item.added[hit.article.id].isoformat(), **hit.to_record()}
            for item in news
            for hit in item.hits
        ]
        style = _style(ctx)
        output.emit(
            output.select(records, fields), fmt, lambda s: output.news_text(news, s), style, fields=fields or header
        )
    if not any(item.hits for item in news):
        if not quiet and fmt != "atom":
            click.echo("kzjp: nothing new", err=True)
        ctx.exit(Exit.NOTHING_FOUND)


@cli.command("update")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--dry-run", is_flag=True, help="Fetch and check everything, write nothing.")
@_fetch_options
@format_option("text", "json", "jsonl")
@corpus_options
@click.pass_context
def update_command(
    ctx: click.Context,
    names: tuple[str, ...],
    dry_run: bool,
    timeout: float,
    max_time: float,
    delay: float,
    fmt: str,
    corpus: Path | None,
    index_dir: Path | None,
    quiet: bool,
) -> None:
    """Fetch your subscribed feeds (or those NAMEd) and add their new stories.

    A story is fetched once: never again once added or found in the corpus.
    Feeds are asked only for what changed (ETag, Last-Modified); sites are
    fetched at once, each with its delay and robots.txt. Ends with a line for
    each feed that had news or failed and each saved search with new matches.
    Safe from cron: -q is silent when nothing happened, and a second update
    while one runs does nothing. See docs/following.md for cron and systemd.

    \b
    Examples:
      kzjp update
      kzjp update Kazinform --dry-run
      kzjp update -q && kzjp new -f atom > ~/public/kzjp-new.xml

    Exit status: 0 every feed was read, 3 some could not be (each has an
    Error: line), 2 a usage error.
    """
    from kzjp_cli import adding, following
    from kzjp_cli.adding.updater import UpdateBusy

    folder = adding.target_corpus(corpus)
    reporter = CliReporter(quiet, progress_min=2)
    known = adding.known_in(folder, lambda: _open_index(folder, index_dir, quiet))
    limits = adding.Limits(timeout=timeout, deadline=max_time)

    def adder_for(subscription: Any) -> adding.Adder:
        return adding.Adder(
            corpus=folder,
            known=known,
            overrides=adding.Overrides(source=subscription.source, lang=subscription.lang),
            dry_run=dry_run,
            limits=limits,
            delay=delay,
            notice=reporter.notice,
        )

    def refreshed() -> index.CorpusIndex:
        corpus_index = _open_index(folder, index_dir, quiet)
        corpus_index.confirm()  # refreshed now: the next command answers at once
        return corpus_index

    try:
        report = following.update(
            names,
            adder_for,
            refreshed,
            limits=limits,
            delay=delay,
            dry_run=dry_run,
            progress=reporter.progress,
            warn=reporter.warning,
            names=lambda corpus_index: _names(corpus_index, False),
        )
    except UpdateBusy as exc:
        reporter.notice(str(exc))
        return
    reporter.clear_line()
    if fmt != "text":
        records = [result.to_record() for result in report.feeds]
        output.emit(records, fmt, lambda style: iter(()), _style(ctx))
    for result in report.feeds:
        name = output.safe(result.subscription.name)
        if result.error:
            click.echo(f"Error: {name}: {output.safe(result.error)}", err=True)
            continue
        if not quiet:
            for outcome in result.outcomes:
                if outcome.error:
                    reporter.warning(f"{result.subscription.name}: {outcome.input}: {outcome.error}")
        said = [f"{result.added} new" if result.added else "", f"{result.failed} failed" if result.failed else ""]
        if any(said) and fmt == "text":
            verb = " (dry run: nothing written)" if dry_run and result.added else ""
            click.echo(f"{name}: {', '.join(part for part in said if part)}{verb}")
    for watch, count in report.watches:
        if count and fmt == "text":
            click.echo(f"{output.safe(watch)}: {count} new match(es) (kzjp new {output.safe(watch)})")
    quiet_run = not any(r.added or r.failed or r.error for r in report.feeds)
    if quiet_run and not quiet:
        waiting = sum(bool(r.waiting) for r in report.feeds)
        unchanged = sum(r.not_modified for r in report.feeds)
        reporter.notice(
            f"{len(report.feeds)} feed(s) checked: nothing new"
            + (f" ({unchanged} unchanged since the last update)" if unchanged else "")
            + (f"; {waiting} asked to be left alone for now" if waiting else "")
        )
    if report.failed:
        ctx.exit(Exit.PARTIAL)


def main() -> None:
    """Console entry point."""
    # numpy's OpenBLAS starts a spinning thread a core on import: 0.09 s of CPU a command, for matrices that
    # are small (a query against the vectors); a user's own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    cli(prog_name="kzjp")
