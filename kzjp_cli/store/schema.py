"""The Whoosh schema of a kzjp index, made from the article field list, and the two conversions.

Each text field of the field list (title, body) becomes one Whoosh field per
analysis chain: ``title``/``body`` for English (its chain unchanged), and
``title_ru``, ``body_kk``, ``body_ja``, ``body_other``… for the others. An
article writes only its own language's fields; a query searches them all, each
through its own chain.

``DateField``, ``SpelledText`` and ``ChainTokenizer`` are pickled into the index's table of
contents, so their import paths are part of the index format: moving them
means bumping ``index.SCHEMA_VERSION``. Importing this module changes nothing
in Whoosh (``engine.load()`` does that, when a store opens).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from whoosh import fields, query
from whoosh.analysis import CompositeAnalyzer, Token, Tokenizer
from whoosh.util.times import datetime_to_long, long_to_datetime

from kzjp_cli.articles import FIELDS, Article
from kzjp_cli.languages import ALL, language
from kzjp_cli.store.analysis import CHAINS, ENGLISH, Chain, chain

ONE_MICROSECOND = dt.timedelta(microseconds=1)
MISSING_DATE = 2**64 - 1
"""What Whoosh stores in the date column for an article without a date."""
_TEXT = tuple(name for name, spec in FIELDS.items() if spec.kind == "text")


def field_name(name: str, chain_code: str) -> str:
    """The Whoosh field holding text field ``name`` for one analysis chain (English keeps the plain name)."""
    return name if chain_code == ENGLISH.code else f"{name}_{chain_code}"


def chain_fields(code: str) -> tuple[str, ...]:
    """The text fields of one analysis chain (``title_ru``, ``body_ru``)."""
    return tuple(field_name(name, code) for name in _TEXT)


TEXT_FIELDS = tuple(field_name(name, code) for code in CHAINS for name in _TEXT)
"""Every text field of every chain: what a query searches when it names no field."""
MULTITOKEN = {lang.chain: lang.compound_query for lang in ALL}
"""How a query word that a chain makes several terms of is matched (``Language.compound_query``)."""


class ChainTokenizer(Tokenizer):
    """Whoosh's view of a kzjp analysis chain, pickled into the index by the chain's code alone.

    Whoosh's phrase parser asks for character offsets (``chars=True`` in query
    mode) and term parsing does not, so a phrase gets one term a word (the word
    as written) while a single word gets all of its terms (word and stem).
    Wildcards ask for no tokenizing and get the text as typed.
    """

    def __init__(self, code: str) -> None:
        self.code = code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChainTokenizer) and other.code == self.code

    __hash__ = None  # type: ignore[assignment]

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Any:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        phrase = mode == "query" and chars
        if not tokenize:  # a wildcard, a range bound: the text as it is, lower-cased, never stemmed
            found: list[tuple[int, int, int, tuple[str, ...]]] = [(0, 0, len(value), (value.lower(),))]
        else:
            found = chain(self.code).tokens(value, phrase=phrase, query=not phrase and mode != "index")
        for position, start, end, terms in found:
            for term in terms:
                token.text, token.boost, token.stopped = term, 1.0, False
                if keeporiginal:
                    token.original = term
                if positions:
                    token.pos = start_pos + position
                if chars:
                    token.startchar, token.endchar = start_char + start, start_char + end
                yield token


class SpelledText(fields.TEXT):
    """A text field that keeps its chain's unstemmed words (stop words left out) for spelling suggestions."""

    def separate_spelling(self) -> bool:
        return bool(self.spelling)

    def spellable_words(self, value: str) -> Any:
        return iter(sorted(set(chain(self.analyzer[0].code).index_terms(value)[1])))


class DateField(fields.DATETIME):
    """DATETIME whose ``>``/``<`` ranges exclude the whole given period.

    Whoosh's own field treats ``date:>2025-12-01`` as ``>=`` and lets a bad date
    in a range raise a bare Exception; here both behave.
    """

    def _when(self, text: str) -> Any:
        """Whoosh's reading of a date, refusing a run of digits that is no year, year-month or date (99999)."""
        digits = text.strip()
        if digits.isdigit() and len(digits) not in (4, 6, 8):
            raise ValueError(f"{text!r} is not a date")
        return self._parse_datestring(text)

    def _bound(self, text: str, *, lower: bool, exclusive: bool) -> int:
        try:
            at = self._when(text)
        except Exception as exc:  # Whoosh raises bare Exception/ValueError here
            raise ValueError(f"{text!r} is not a date") from exc
        if lower:
            edge = at.ceil() + ONE_MICROSECOND if exclusive else at.floor()
        else:
            edge = at.floor() - ONE_MICROSECOND if exclusive else at.ceil()
        return datetime_to_long(edge)

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> Any:
        try:
            at = self._when(qstring)
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


def _text_field(name: str, code: str) -> Any:
    spec = FIELDS[name]
    analyzer = CompositeAnalyzer(ChainTokenizer(code))
    kind = SpelledText if code == ENGLISH.code else fields.TEXT
    return kind(
        stored=True,
        analyzer=analyzer,
        field_boost=spec.boost,
        multitoken_query=MULTITOKEN.get(code, "or"),
        spelling=code == ENGLISH.code,
    )


def _field(name: str) -> Any:
    spec = FIELDS[name]
    if spec.kind == "key":
        return fields.ID(stored=True, unique=True)
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
    """Every article field as the field list says: text per chain for BM25F, spelling words, dates, metadata."""
    made = {name: _field(name) for name, spec in FIELDS.items() if spec.kind not in ("text", "manifest")}
    made.update({field_name(name, code): _text_field(name, code) for code in CHAINS for name in _TEXT})
    return fields.Schema(**made)


def text_chains() -> dict[str, Chain]:
    """Each text field's analysis chain: what the bulk writer runs instead of Whoosh's analyzers."""
    return {field_name(name, code): chain(code) for code in CHAINS for name in _TEXT}


def to_document(article: Article) -> dict[str, Any]:
    """The fields Whoosh indexes and stores for an article (empty ones left out; text in its language's fields)."""
    code = language(article.lang).chain
    document: dict[str, Any] = {}
    for name, spec in FIELDS.items():
        value = getattr(article, name)
        if value is None or value == "" or spec.kind == "manifest":
            continue
        if spec.kind == "text":
            name = field_name(name, code)
        document[name] = dt.datetime.combine(value, dt.time()) if isinstance(value, dt.date) else value
    return document


def to_article(stored: dict[str, Any]) -> Article:
    """An article back from its stored fields."""
    values = {name: stored[name] for name in FIELDS if name in stored}
    for name in _TEXT:
        if name not in values:
            values[name] = next((stored[f] for code in CHAINS if (f := field_name(name, code)) in stored), "")
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
