"""The article and its fields: ``Article`` is the one list of an article's fields.

Its dataclass fields, in order, each carry a ``FieldSpec`` that the index
schema, the manifest and every output format follow. When a field is added,
this is the one place that changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple


class FieldSpec(NamedTuple):
    """How one article field is indexed, stored, listed and shown: the one field list.

    ``kind`` says how the search engine indexes it: ``key`` (an exact, unique
    id), ``text`` (analysed words in the article's language, searched by
    default), ``label`` (analysed, searched only by name), ``tag`` (one exact
    token), ``date``, ``stored`` (kept, not searchable) or ``manifest`` (not in
    the search engine at all). ``record`` puts it in every output format,
    ``manifest`` in the index manifest (the metadata read without the index),
    and ``always`` shows it in text output even when empty.
    """

    kind: str
    record: bool = True
    manifest: bool = True
    always: bool = False
    role: str | None = None
    """The colour role of its value in text output."""
    boost: float = 1.0


def _spec(kind: str, **options: Any) -> dict[str, FieldSpec]:
    return {"kzjp": FieldSpec(kind, **options)}


@dataclass(kw_only=True)
class Article:
    """One parsed article: metadata and plain-text body. Its fields, in order, are the field list."""

    id: str = field(metadata=_spec("key", always=True, role="id"))
    title: str = field(metadata=_spec("text", always=True, role="title", boost=2.0))
    date: dt.date | None = field(default=None, metadata=_spec("date", always=True, role="date"))
    source: str | None = field(default=None, metadata=_spec("label"))
    url: str | None = field(default=None, metadata=_spec("stored"))
    lang: str | None = field(default=None, metadata=_spec("tag"))
    words: int = field(default=0, metadata=_spec("stored", always=True))
    fetched: str | None = field(default=None, metadata=_spec("stored"))
    """When ``kzjp add`` fetched it from the web (UTC, ISO 8601)."""
    path: str = field(default="", metadata=_spec("stored", always=True, manifest=False))
    body: str = field(default="", metadata=_spec("text", record=False, manifest=False))
    hash: str = field(default="", metadata=_spec("tag", record=False))
    text_key: str = field(default="", metadata=_spec("manifest", record=False))
    """Its text's digest, for duplicate checks (``dedup``)."""
    minhash: str = field(default="", metadata=_spec("manifest", record=False))
    """Its text's MinHash signature, for near-duplicate checks (``dedup``)."""
    warnings: list[str] = field(default_factory=list, repr=False, compare=False)

    def to_record(self, *, body: bool = False) -> dict[str, object]:
        """The article as a plain dict for JSON/CSV output (with ``body``, its text last)."""
        record = {name: _plain(getattr(self, name)) for name, spec in FIELDS.items() if spec.record}
        if body:
            record["body"] = self.body
        return record

    def metadata(self) -> dict[str, object]:
        """The fields an index manifest keeps, JSON-ready (not the body; the manifest is keyed by path)."""
        return {name: _plain(getattr(self, name)) for name, spec in FIELDS.items() if spec.manifest}

    @classmethod
    def from_metadata(cls, values: dict[str, Any], **more: Any) -> Article:
        """An article from ``metadata()`` output (and ``more`` fields, such as its path)."""
        known = {name: values[name] for name in FIELDS if name in values}
        if known.get("date"):
            known["date"] = dt.date.fromisoformat(known["date"])
        return cls(**known, **more)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


FIELDS: dict[str, FieldSpec] = {f.name: f.metadata["kzjp"] for f in fields(Article) if "kzjp" in f.metadata}
"""Every article field with its spec, in output order: the list the schema, manifest and outputs follow."""


# --- dates -----------------------------------------------------------------

_DATE_FORMS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y")


def parse_date(text: str) -> dt.date:
    """Parse a calendar date (ISO 8601 and a few common news forms); ValueError if not one."""
    text = text.strip().strip("\"'")
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    for form in _DATE_FORMS:
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


_RELATIVE = {"d": 1, "w": 7}


def parse_day(text: str, *, end: bool = False, today: dt.date | None = None) -> dt.date:
    """A day as people type it on a command line: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (their first day, or
    their last with ``end``), ``today``, ``yesterday``, or so long ago: ``7d``, ``2w``, ``3m``, ``1y``.

    ValueError if it is none of these.
    """
    text = str(text).strip().lower()
    today = today or dt.date.today()
    if text in ("today", "now"):
        return today
    if text == "yesterday":
        return today - dt.timedelta(days=1)
    if len(text) >= 2 and text[:-1].isdigit() and text[-1] in "dwmy" and len(text) <= 6:
        count, unit = int(text[:-1]), text[-1]
        if unit in _RELATIVE:
            return today - dt.timedelta(days=count * _RELATIVE[unit])
        months = count * (12 if unit == "y" else 1)
        year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
        if year < 1:
            raise ValueError(f"{text!r} is before the year 1")
        last = _last_day(year, month + 1)
        return dt.date(year, month + 1, min(today.day, last))
    if len(text) == 4 and text.isdigit():
        return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        year, month = int(text[:4]), int(text[5:])
        return dt.date(year, month, _last_day(year, month) if end else 1)
    return parse_date(text)


def _last_day(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day
