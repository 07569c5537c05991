"""The query language: parsing, the date ranges every hit must meet, sorting by date, suggestions.

Queries are Whoosh's language over the text fields (OR, NOT, groups, "phrases",
field:word, wildcards, fuzzy~ words, and dates through ``schema.DateField``).
Called by the store only; messages come out as ``QueryError``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from kzjp_cli.errors import QueryError
from kzjp_cli.languages import ALL
from kzjp_cli.store.analysis import chain
from kzjp_cli.store.results import OPERATORS
from kzjp_cli.store.schema import MISSING_DATE, TEXT_FIELDS, chain_fields, day_bounds

WORD_FIELDS = frozenset(name for lang in ALL if lang.analysis == "words" for name in chain_fields(lang.chain))
"""The fields of the languages written in words (Russian, Kazakh, other), whose words correct a non-Latin word."""
_FOREIGN_WORD = re.compile(r"[^\W\d_a-z]+")
"""A word of letters outside the Latin alphabet (Cyrillic, Greek…): corrected from its own language's words."""

_FIELD_PREFIX = re.compile(r"(?<![\w:])([A-Za-z_]\w*):(?=[^\s:/])")
"""``name:`` before a word, as the parser reads a field name (not ``https://``, not ``10:30``)."""
_QUOTED = re.compile(r'"[^"]*"')
SEARCHABLE = ("title", "body", "source", "lang", "date", "id")
"""The field names a user may put in a query (the per-language fields are kzjp's own business)."""

MAX_CLAUSES = 1024
"""The most words a query may have (Lucene's maxClauseCount): 1,000 took 1.8 s to parse and rank on the
bundled corpus, 5,000 took 12 s."""
MAX_FUZZY = 2
"""The largest edit distance of a fuzzy word (``Tokyo~2``), as Lucene and Elasticsearch cap it: ~9 on a long
word took 29 s and 1.1 GB."""
MAX_WORD_CHARS = 256
"""Longer words are refused: parsing one took 0.8 s at 10,000 characters and 93 s at 100,000."""
SUGGEST_MAX_CHARS = 40
"""Longer words get no spelling suggestion (none is a misspelled news word)."""
SUGGEST_PREFIX = 1
"""Letters a suggestion shares with the misspelled word at its start, as in Elasticsearch's term suggester
(``prefix_length``, 1 by default): Whoosh's default of 0 measures the distance to every word of the index."""

Bounds = list[tuple[int | None, int | None]]
"""Ranges of date-column values (None: open), all of which a hit's date must fall in."""


TYPED_FORM_BOOST = 0.8
OTHER_FORMS_BOOST = 0.2
"""How a word typed weighs its form as typed and its stem or lemma (every other form): 0.8 and 0.2 of a
word with one term, so that no word outweighs another in a query of several. Chosen on half of NTREX's
Kazakh, Russian and English word forms and the generated known-item queries (``bench/quality.py``): 1 and 1
put the typed form's article first for 0.77 of Kazakh words and lowered known-item-by-title MRR@10 from
0.908 to 0.885; 0.8 and 0.2 give 0.947 and 0.915."""


def parser(schema: Any, fields: Sequence[str] = TEXT_FIELDS) -> Any:
    """Whoosh's parser over text fields (each through its own language's chain), with fuzzy terms and date
    comparisons (>, <, >=)."""
    from whoosh.qparser import FuzzyTermPlugin, GtLtPlugin, MultifieldParser

    made = MultifieldParser(list(fields), schema)
    made.add_plugin(FuzzyTermPlugin())
    made.add_plugin(GtLtPlugin())
    return made


def _out_of_bounds(q: Any) -> list[str]:
    """What kzjp refuses in a parsed query: a fuzzy distance over ``MAX_FUZZY``, an empty word in a field
    (``id:""``), a date that is not one (``date:"a b"``)."""
    from whoosh.query import Every, FuzzyTerm, NullQuery, NumericRange

    found = []
    for node in [q, *q.leaves()] if not q.is_leaf() else [q]:
        if isinstance(node, FuzzyTerm) and node.maxdist > MAX_FUZZY:
            found.append(f"a fuzzy word may differ by at most {MAX_FUZZY} letters (~{node.maxdist} asks for more)")
        elif getattr(node, "fieldname", None) == "date" and not isinstance(node, (NumericRange, Every)):
            if node is not NullQuery:
                found.append(f"{getattr(node, 'text', None) or ' '.join(getattr(node, 'words', ()))!r} is not a date")
        elif isinstance(getattr(node, "text", None), str) and not node.text:
            found.append(f'{node.fieldname}:"" asks for nothing')
    return found


def _errors(q: Any) -> list[str]:
    """Error messages Whoosh left on query nodes (e.g. an unparseable date)."""
    found = []
    for node in [q, *q.leaves()] if not q.is_leaf() else [q]:
        message = getattr(node, "error", None)
        if message:
            found.append(str(message))
    return found


def is_nothing(q: Any) -> bool:
    """Whether a parsed query has nothing left to search for (stop words, lone operators)."""
    from whoosh.query import NullQuery

    return q is NullQuery or isinstance(q, type(NullQuery))


_TRAILING_MARK = re.compile(r"(?<=\w)\?+(?=[\s\"')]|$)")
_MINUS = re.compile(r"(?:(?<=[\s(])|^)-(?=[\w\"(])")
_PLUS = re.compile(r"(?:(?<=[\s(])|^)\+(?=[\w\"(])")


_HYPHENATED = re.compile(r"(?<![\w:*?~\-])((?:[A-Za-z_]\w*:)?)([^\W_]+(?:-[^\W_]+)+)(?![\w*?~:\-])")
"""A word of parts joined by hyphens (so-called, anti-virus, Kassym-Jomart), not a field's value or a date."""


def as_typed(text: str) -> str:
    """The query as people type it into search boxes, in Whoosh's syntax: a ``?`` ending a word is a
    question mark (a pasted headline), not a wildcard; ``-word`` is ``NOT word``; ``+word`` is ``word``
    (every word is required anyway); a hyphenated word is the phrase of its parts or the word written
    joined (``so-called``: ``("so called" OR socalled)``), as FTS5 reads it, not any of its parts anywhere."""
    text = _TRAILING_MARK.sub("", text)
    text = _MINUS.sub("NOT ", text)
    text = _PLUS.sub("", text)
    pieces = re.split(r'("[^"]*")', text)  # phrases in quotes are phrases already
    for n in range(0, len(pieces), 2):
        pieces[n] = _HYPHENATED.sub(_phrase_or_joined, pieces[n])
        pieces[n] = _UNSPACED.sub(r'"\1"', pieces[n])
    return "".join(pieces)


_JAPANESE_RUN = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f々〆ー"
_UNSPACED = re.compile(rf"(?<![\w:*?~\"])([{_JAPANESE_RUN}]{{2,}})(?![\w*?~\"])")
"""A run of Japanese typed without spaces: the phrase of its words, not its words anywhere in an article."""


def _phrase_or_joined(match: re.Match[str]) -> str:
    field, word = match.group(1), match.group(2)
    if word[0].isdigit():  # 2025-12, date:2025-12, 1-0: numbers and dates, left as typed
        return field + word
    return field + '("' + word.replace("-", " ") + '" OR ' + word.replace("-", "") + ")"


def parse(schema: Any, text: str, fields: Sequence[str] = TEXT_FIELDS) -> Any:
    """Parse ``text`` over ``fields``; QueryError if it is malformed or nothing searchable remains."""
    if not text.strip():
        raise QueryError("the query is empty")
    longest = max(text.split(), key=len)
    if len(longest) > MAX_WORD_CHARS:
        raise QueryError(
            f"a word of {len(longest):,} characters is too long to search for (at most {MAX_WORD_CHARS})",
            hint="Whoosh's query parser takes time that grows with the square of a word's length",
        )
    for name in _FIELD_PREFIX.findall(_QUOTED.sub(" ", text)):
        if name not in SEARCHABLE and name.lower() not in ("http", "https"):
            raise QueryError(
                f"{name!r} is not a field you can search",
                hint=f"the fields are {', '.join(SEARCHABLE)}; to search for {name}: as text, put it in quotes",
            )
    words = sum(1 for piece in text.split() if piece not in OPERATORS)
    if words > MAX_CLAUSES:
        raise QueryError(
            f"a query of {words:,} words is over the limit of {MAX_CLAUSES:,}",
            hint="Lucene's limit too; search for fewer words, or split the query",
        )
    text = as_typed(text)
    try:
        q = parser(schema, fields).parse(text)
    except Exception as exc:  # Whoosh's parser raises bare Exception/ValueError on odd input
        raise QueryError(f"cannot parse query {quote(text)}: {exc}") from None
    errors = _errors(q) + _out_of_bounds(q)
    if errors:
        raise QueryError(
            f"bad query {quote(text)}: {errors[0]}",
            hint="dates look like date:2025-12-20, date:2025-12, date:>2025-12-01 or date:[2025-01 to 2025-06]"
            if "date" in errors[0]
            else None,
        )
    if is_nothing(q):
        raise QueryError(
            f"nothing to search for in {quote(text)}",
            hint="very common words (the, of, and…) and lone operators are not searchable",
        )
    return q.accept(lambda node: _typed_form_first(schema, node))


def _typed_form_first(schema: Any, node: Any) -> Any:
    """Weigh the form typed above its stem in the OR a word becomes (``talks``: talks OR talk), so that an
    article holding that form ranks above one holding only other forms of the word (``TYPED_FORM_BOOST``). A
    form typed is a term whose own analysis gives several terms, all of them beside it in the OR, in its
    field."""
    from whoosh.query import Or, Term

    if not isinstance(node, Or):
        return node
    by_field: dict[str, set[str]] = {}
    for term in node.subqueries:
        if type(term) is Term and isinstance(term.text, str):
            by_field.setdefault(term.fieldname, set()).add(term.text)
    typed: set[tuple[str, str]] = set()
    others: set[tuple[str, str]] = set()
    for term in node.subqueries:
        texts = by_field.get(term.fieldname, set()) if type(term) is Term else set()
        if len(texts) < 2:
            continue
        code = getattr(schema[term.fieldname].analyzer[0], "code", None) if term.fieldname in schema else None
        tokens = chain(code).tokens(term.text, query=True) if code else []
        if len(tokens) == 1 and len(tokens[0][3]) > 1 and term.text in tokens[0][3] and set(tokens[0][3]) <= texts:
            typed.add((term.fieldname, term.text))
            others.update((term.fieldname, t) for t in tokens[0][3] if t != term.text)
    for term in node.subqueries:
        if type(term) is Term:
            key = (term.fieldname, term.text)
            if key in typed:
                term.boost *= TYPED_FORM_BOOST
            elif key in others:
                term.boost *= OTHER_FORMS_BOOST
    return node


def pull_dates(q: Any) -> tuple[Any, Bounds]:
    """Take the date ranges every hit must meet out of a query, to apply them from the date column.

    Whoosh matches a date range as a union of many indexed terms, which took
    as long as the rest of a query (50 ms at 10,000 articles); the date column
    answers in about a millisecond. Ranks are unchanged: a range adds the same
    constant to every hit's score.
    """
    from whoosh.query import And, Every, NumericRange

    def is_date(node: Any) -> bool:
        return isinstance(node, NumericRange) and node.fieldname == "date"

    parts = [q] if is_date(q) else list(q.subqueries) if type(q) is And else []
    dates = [node for node in parts if is_date(node)]
    if not dates:
        return q, []
    rest = [node for node in parts if not is_date(node)]
    bounds = [
        (
            None if node.start is None else node.start + node.startexcl,
            None if node.end is None else node.end - node.endexcl,
        )
        for node in dates
    ]
    return (rest[0] if len(rest) == 1 else And(rest) if rest else Every()), bounds


def period(since: dt.date | None, until: dt.date | None) -> Bounds:
    """``--since``/``--until`` as bounds on the date column's values."""
    return [] if since is None and until is None else [day_bounds(since, until)]


def within(bounds: Bounds) -> tuple[int, int]:
    """The one range of date-column values meeting every bound; undated articles never do."""
    low = max((b[0] for b in bounds if b[0] is not None), default=0)
    high = min((b[1] for b in bounds if b[1] is not None), default=MISSING_DATE - 1)
    return low, high


def newest_first() -> Any:
    """A sort key on the date column that ranks undated articles below every date.

    Whoosh stores a missing date as the largest unsigned 64-bit value, which
    would sort undated articles first when newest-first is asked for.
    """
    from whoosh.sorting import FieldFacet, TranslateFacet

    return TranslateFacet(lambda value: -1 if value is None or value >= MISSING_DATE else value, FieldFacet("date"))


def suggest(searcher: Any, q: Any, text: str, fields: Sequence[str] = ()) -> str | None:
    """A corrected query built from the index's words, if a close one exists, in the query's own script.

    English words are corrected from the index's spelling words; words in
    other alphabets from the words of the fields (among ``fields``) of the
    languages written in words (Russian, Kazakh, other). Like Elasticsearch's
    AUTO fuzziness, two edits are allowed only when every query word is longer
    than five letters; otherwise one.
    """
    if any(len(word) > SUGGEST_MAX_CHARS for word in text.split()):
        return None  # edit distance is quadratic in a word's length: 20,000 characters took 13 s
    foreign = _suggest_words(searcher, text, [f for f in fields if f in WORD_FIELDS])
    if foreign:
        return foreign
    words = [t for _, t in q.iter_all_terms() if isinstance(t, str)]
    maxdist = 2 if words and min(len(w) for w in words) > 5 else 1
    try:
        corrected = searcher.correct_query(
            q, text, correctors=_nearest_first(searcher, q), maxdist=maxdist, prefix=SUGGEST_PREFIX
        )
    except (AttributeError, NotImplementedError, TypeError):
        # Whoosh bugs: range queries over text fields have no tokens, and terms
        # of unknown fields ("EA:00") have no character positions to format
        return None
    if corrected.query == q or corrected.string.strip() == text.strip():
        return None
    return corrected.string


class _NearestFirst:
    """Whoosh's correctors of some fields as one that offers the words at the least edit distance any of them
    has, the commonest first: Whoosh's own rank every word within the largest distance by frequency alone, so
    a common word two edits away beat the word one edit away (``asress`` -> ``across``, not ``assess``).
    ``correct_query`` asks a corrector only for ``suggest``."""

    def __init__(self, correctors: list[Any]) -> None:
        self.correctors = correctors

    def suggest(self, text: str, limit: int = 5, maxdist: int = 2, prefix: int = 0) -> list[str]:
        for distance in range(1, maxdist + 1):
            for corrector in self.correctors:
                if found := corrector.suggest(text, limit=limit, maxdist=distance, prefix=prefix):
                    return list(found)
        return []


def _nearest_first(searcher: Any, q: Any) -> dict[str, _NearestFirst]:
    """A nearest-first corrector for each of the query's fields, for ``correct_query``."""
    from whoosh.spelling import ReaderCorrector

    reader, schema = searcher.reader(), searcher.schema
    names = {token.fieldname for token in q.all_tokens() if token.fieldname in schema}
    return {name: _NearestFirst([ReaderCorrector(reader, name, schema[name])]) for name in sorted(names)}


def _suggest_words(searcher: Any, text: str, fields: Sequence[str]) -> str | None:
    """The query with each non-Latin word that no field holds replaced by the closest word one does."""
    if not fields:
        return None
    from whoosh.spelling import ReaderCorrector

    reader = searcher.reader()
    nearest = _NearestFirst([ReaderCorrector(reader, name, reader.schema[name]) for name in fields])
    pieces = text.split()
    changed = False
    for number, piece in enumerate(pieces):
        word = piece.lower()
        if not _FOREIGN_WORD.fullmatch(word) or any((name, word) in reader for name in fields):
            continue
        found = nearest.suggest(word, limit=1, maxdist=2 if len(word) > 5 else 1, prefix=SUGGEST_PREFIX)
        best = found[0] if found else None
        if best and best != word:
            pieces[number], changed = best, True
    return " ".join(pieces) if changed else None


def quote(text: str, limit: int = 60) -> str:
    """A query as shown in messages: in quotes, on one line, cut when long."""
    text = " ".join(text.split())
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"
