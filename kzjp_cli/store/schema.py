"""The Whoosh schema of a kzjp index, made from the article field list, and the two conversions.

``DateField`` is pickled into the index's table of contents, so its import
path (``kzjp_cli.store.schema.DateField``) is part of the index format: moving
it means bumping ``index.SCHEMA_VERSION``. Importing this module changes
nothing in Whoosh (``engine.load()`` does that, when a store opens).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from whoosh import fields, query
from whoosh.util.times import datetime_to_long, long_to_datetime

from kzjp_cli.articles import FIELDS, Article
from kzjp_cli.store.analysis import EnglishChain, chain

ONE_MICROSECOND = dt.timedelta(microseconds=1)
MISSING_DATE = 2**64 - 1
"""What Whoosh stores in the date column for an article without a date."""
TEXT_FIELDS = tuple(name for name, spec in FIELDS.items() if spec.kind == "text")
"""The fields a query searches when it names none."""


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


def _field(name: str) -> Any:
    spec = FIELDS[name]
    if spec.kind == "key":
        return fields.ID(stored=True, unique=True)
    if spec.kind == "text":
        return fields.TEXT(stored=True, analyzer=chain(spec.chain).analyzer, field_boost=spec.boost, spelling=True)
    if spec.kind == "label":
        return fields.TEXT(stored=True)
    if spec.kind == "tag":
        return fields.ID(stored=True)
    if spec.kind == "date":
        return DateField(stored=True, sortable=True)
    if spec.kind == "stored":
        return fields.STORED()
    raise ValueError(f"field {name!r} has an unknown kind {spec.kind!r}")


def make_schema() -> fields.Schema:
    """Every article field as the field list says: stemmed text for BM25F, spelling words, dates, metadata."""
    return fields.Schema(**{name: _field(name) for name in FIELDS})


def text_chains() -> dict[str, EnglishChain]:
    """Each text field's analysis chain, as the field list names it: what the bulk writer runs instead of Whoosh's."""
    return {name: chain(spec.chain) for name, spec in FIELDS.items() if spec.kind == "text"}


def to_document(article: Article) -> dict[str, Any]:
    """The fields Whoosh indexes and stores for an article (empty ones left out)."""
    document: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(article, name)
        if value is None or value == "":
            continue
        document[name] = dt.datetime.combine(value, dt.time()) if isinstance(value, dt.date) else value
    return document


def to_article(stored: dict[str, Any]) -> Article:
    """An article back from its stored fields."""
    values = {name: stored[name] for name in FIELDS if name in stored}
    if isinstance(values.get("date"), dt.datetime):
        values["date"] = values["date"].date()
    return Article(**values)


def date_of(value: int | None) -> dt.date | None:
    """The date a value of the date column stands for (None for an undated article)."""
    return None if value is None or value >= MISSING_DATE else long_to_datetime(value).date()


def day_bounds(since: dt.date | None, until: dt.date | None) -> tuple[int | None, int | None]:
    """Whole days from ``since`` to ``until`` as bounds on the date column's values (None: open)."""
    low = datetime_to_long(dt.datetime.combine(since, dt.time.min)) if since else None
    high = datetime_to_long(dt.datetime.combine(until, dt.time.max)) if until else None
    return low, high
