"""The exceptions kzjp raises for anything a user can cause.

The CLI turns every ``KzjpError`` into one ``Error: …`` line and exit code 2;
anything else is a bug and is allowed to show its traceback.
"""

from __future__ import annotations


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


class FetchError(KzjpError):
    """A web page or feed could not be fetched (bad address, network, HTTP status, limits)."""

    status: int | None = None
    """The HTTP status the server answered with, when it answered with an error."""
