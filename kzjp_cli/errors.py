"""The exceptions kzjp raises for anything a user can cause, and the exit codes of every command.

The command line turns these into output in one place (``cli.KzjpGroup``):
a ``KzjpError`` becomes one ``Error: …`` line (with its hint) and exit code
2, and so does an ``OSError`` (the machine's doing: a full disk, a
permission); any other exception is a bug in kzjp, shown as one ``Error:
internal error …`` line and exit code 70 (its traceback with ``--debug`` or
``KZJP_DEBUG=1``). Ctrl-C exits 130; a closed pipe ends output quietly, 0.
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """Every exit code kzjp uses, the grep and ripgrep convention with sysexits' 70 for a bug."""

    OK = 0
    NOTHING_FOUND = 1
    """A search, list or chart found nothing."""
    USAGE = 2
    """A usage or input error, or nothing could be done (every source of an ``add`` failed)."""
    PARTIAL = 3
    """Some of the work failed: a source of ``add``, or a file ``index --strict`` had to skip."""
    BUG = 70
    """An internal error (EX_SOFTWARE in sysexits.h): never 1, which means "nothing found"."""
    INTERRUPTED = 130
    """Ctrl-C (128 + SIGINT)."""


class KzjpError(Exception):
    """A problem the user can fix; its message is shown as is, then its hint."""

    hint: str | None = None

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class CorpusError(KzjpError):
    """The corpus folder is missing, unreadable or holds no articles."""


class ArticleError(KzjpError):
    """An article file or text could not be read or parsed."""


class UnknownIdError(KzjpError):
    """An article id or prefix matches no article, or several."""


class QueryError(KzjpError):
    """A search query cannot be run."""


class SummaryError(KzjpError):
    """A text cannot be summarised (empty, no sentences, unknown method)."""


class IndexBusyError(KzjpError):
    """Another kzjp process is writing the index."""


class IndexStateError(KzjpError):
    """The index folder is not a usable kzjp index."""


class EngineError(KzjpError):
    """The installed search engine is not the version kzjp is written for."""


class ConfigError(KzjpError):
    """The follow file (subscriptions, saved searches) or kzjp's state cannot be read, written or used."""


class FetchError(KzjpError):
    """A web page or feed could not be fetched (bad address, network, HTTP status, limits)."""

    status: int | None = None
    """The HTTP status the server answered with, when it answered with an error."""
    retry_after: float | None = None
    """Seconds the server asked to be left alone for (``Retry-After``), when it said."""


class OutputError(KzjpError):
    """A result could not be written where the user asked (``-o FILE``)."""
