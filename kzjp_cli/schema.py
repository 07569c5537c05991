"""The Whoosh schema of a kzjp index.

Imported only by code that already needs Whoosh. ``DateField`` is pickled into
the index's table of contents, so its import path is part of the index format.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from whoosh import fields, query
from whoosh.codec import whoosh3
from whoosh.util.times import datetime_to_long

from kzjp_cli.analysis import analyzer

ONE_MICROSECOND = dt.timedelta(microseconds=1)
MISSING_DATE = 2**64 - 1
"""What Whoosh stores in the date column for an article without a date."""


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    """Whoosh's per-document reader, caching "no such column" too.

    Upstream caches a length column's reader only when the column exists, so
    for fields without one (the spell_* fields) every posting written at commit
    asks the filesystem again (325,000 stat() calls for 1,000 articles; the
    build got ~7% faster without them). Same result, one lookup per field.
    """
    if fieldname not in self._readers:
        self._readers[fieldname] = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
    return self._readers[fieldname]


whoosh3.W3PerDocReader._cached_reader = _cached_reader


class DateField(fields.DATETIME):
    """DATETIME whose ``>``/``<`` ranges exclude the whole given period.

    Whoosh's own field treats ``date:>2025-12-01`` as ``>=`` and lets a bad date
    in a range raise a bare Exception; here both behave.
    """

    def _bound(self, text: str, *, lower: bool, exclusive: bool) -> int:
        try:
            at = self._parse_datestring(text)
        except Exception as exc:  # Whoosh raises bare Exception/ValueError here
            raise ValueError(f"{text!r} is not a date") from exc
        if lower:
            edge = at.ceil() + ONE_MICROSECOND if exclusive else at.floor()
        else:
            edge = at.floor() - ONE_MICROSECOND if exclusive else at.ceil()
        return datetime_to_long(edge)

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> Any:
        try:
            at = self._parse_datestring(qstring)
        except Exception:  # Whoosh raises bare Exception/ValueError here
            return query.error_query(f"{qstring!r} is not a date")
        low, high = datetime_to_long(at.floor()), datetime_to_long(at.ceil())
        return query.NumericRange(fieldname, low, high, boost=boost)

    def parse_range(
        self, fieldname: str, start: Any, end: Any, startexcl: bool, endexcl: bool, boost: float = 1.0
    ) -> Any:
        if start is None and end is None:
            return query.Every(fieldname, boost=boost)
        try:
            low = None if start is None else self._bound(start, lower=True, exclusive=startexcl)
            high = None if end is None else self._bound(end, lower=False, exclusive=endexcl)
        except ValueError as exc:
            return query.error_query(str(exc))
        return query.NumericRange(fieldname, low, high, boost=boost)


def make_schema() -> fields.Schema:
    """Stemmed title (boosted) and body for BM25F, spelling words, dates, metadata."""
    stem = analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(stored=True, analyzer=stem, field_boost=2.0, spelling=True),
        body=fields.TEXT(stored=True, analyzer=stem, spelling=True),
        date=DateField(stored=True, sortable=True),
        source=fields.TEXT(stored=True),
        lang=fields.ID(stored=True),
        url=fields.STORED(),
        path=fields.STORED(),
        hash=fields.ID(stored=True),
    )
