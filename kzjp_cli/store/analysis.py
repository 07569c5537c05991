"""Text analysis: how text becomes index terms, the same at index time and query time.

Each language's analysis is one object, a chain, looked up by its code with
``chain()``. Whoosh sees every chain through ``schema.ChainTokenizer`` (kept
in the schema, so the query parser uses it); the bulk segment writer and
snippets call the chain directly (tested against Whoosh's own writer). The field list
(``articles.FIELDS``) names each text field's chain, and ``CHAINS`` is made from the
language objects (``languages``), so a language added there gets its chain and fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cached_property, lru_cache

from kzjp_cli.languages import ALL, Language, has_japanese

STOP_MARK = "·"
"""Starts the index term of an English stop word or one-letter word: "the" is indexed as "·the", so that
"being" (stem "be") never matches the stop word "be". Tokens never hold this character."""


class EnglishChain:
    """Lower-cased words (Whoosh's tokenizer), each indexed as its Porter stem and, where that differs, as
    written too, at the same position (Elasticsearch's keyword_repeat): a query word looks for both, so an
    article holding the form typed ranks above one holding only other forms of the word.

    Stop words and one-letter words are indexed too, under marked terms
    (``STOP_MARK``), so a phrase matches the words as written ("this year but
    is"); a query word that is one of them is not searched for on its own. A
    dotted word (amazon.com, kazinform.kz) is also indexed as its parts at its
    position, so ``amazon`` finds it. ``mode`` is what Whoosh asks for:
    "index", "phrase" (one term a word) or "query" (a single word, or any
    other use such as more-like-this: stop words left out, no parts).
    """

    code = "en"

    def tokens(self, text: str, *, phrase: bool = False, query: bool = False) -> list[Token]:
        """Every word's position, offsets and terms, as the index (or a phrase, or a query) uses them."""
        expression, terms_of, _table = self._fast
        found: list[Token] = []
        for position, match in enumerate(expression.finditer(text)):
            word = match.group().lower()
            terms = terms_of(word)
            if query and not phrase and terms[0].startswith(STOP_MARK):
                continue
            if phrase:
                terms = terms[:1]
            elif query:
                terms = terms[:2] if len(terms) > 1 and terms[1] == word else terms[:1]
            found.append((position, match.start(), match.end(), terms))
        return found

    def terms(self, text: str) -> list[str]:
        """The terms of ``text`` a query looks for (stems, stop words left out), in order."""
        return [terms[0] for *_, terms in self.tokens(text, query=True)]

    @cached_property
    def _fast(self) -> tuple[re.Pattern[str], Callable[[str], tuple[str, ...]], dict[str, tuple[str, ...]]]:
        from kzjp_cli.store import engine

        engine.load()
        from whoosh.analysis.tokenizers import default_pattern

        # The same pattern with its groups made non-capturing, so findall() yields whole matches.
        expression = re.compile(default_pattern.pattern.replace("(", "(?:"), default_pattern.flags)
        assert expression.groups == 0
        stem, stops = self.stem, _english_stops()
        table: dict[str, tuple[str, ...]] = {}  # word -> its terms, the word's own first

        def terms_of(word: str) -> tuple[str, ...]:
            found = table.get(word)
            if found is not None:
                return found
            if len(word) < 2 or word in stops:
                found = (STOP_MARK + word,)
            else:
                parts = [stem(part) for part in _dotted_parts(word) if part not in stops]
                found = tuple(dict.fromkeys([stem(word), word, *parts]))
            table[word] = found
            return found

        return expression, terms_of, table

    def token_pattern(self) -> str:
        """The tokenizer's regular expression, its groups made non-capturing."""
        return self._fast[0].pattern

    def term_of(self, word: str) -> str | None:
        """The query term of one lower-cased word, or None for a word not searched on its own (a stop word)."""
        term = self._fast[1](word)[0]
        return None if term.startswith(STOP_MARK) else term

    def terms_of(self, word: str) -> tuple[str, ...]:
        """Every index term of one lower-cased word (a stop word's is marked)."""
        return self._fast[1](word)

    def index_terms(self, text: str) -> tuple[dict[str, list[int]], list[str]]:
        """Each term of ``text`` with its positions, and the unstemmed words that are not stop words (for
        spelling). Exactly what Whoosh's analyzer yields at index time (tested against it)."""
        expression, terms_of, table = self._fast
        return _indexed(_lowered_words(expression, text), table, terms_of, spell_stops=False)

    def index_words(self, text: str) -> Sequence[Word]:
        """The words of ``text`` as the bulk writer keys them, in order (``word_terms`` gives each one's terms)."""
        return _lowered_words(self._fast[0], text)

    def word_terms(self, word: Word) -> tuple[tuple[str, ...], str | None]:
        """One word's index terms and its spelling word (None for a stop word), as ``index_terms`` gives them."""
        terms = self._fast[1](word)  # type: ignore[arg-type]  # English keys are always words
        return terms, None if terms[0].startswith(STOP_MARK) else word  # type: ignore[return-value]

    @staticmethod
    @lru_cache(maxsize=200_000)
    def stem(word: str) -> str:
        """The Porter stem of one lower-cased word (stop words not dropped)."""
        from kzjp_cli.store import engine

        engine.load()
        from whoosh.lang.porter import stem

        return stem(word)


Token = tuple[int, int, int, tuple[str, ...]]
"""One word of a text as a chain indexes it: position, start and end character, its terms."""
Word = str | tuple[str, ...]
"""A position of a text as the bulk writer keys it: a lower-cased word whose terms its chain derives, or the
terms themselves where they depend on more than the word (a Japanese word's parts)."""

_WORD = re.compile(r"\w+(?:\.?\w+)*")  # Whoosh's default tokenizer pattern


class WordChain:
    """A language written with spaces: Unicode words, lower-cased, each indexed as written and, if the
    language has a stemmer, also as its stem at the same position (a query matches either).

    Stems alone over-stem: Russian визит stems to виз but визита to визит, so a
    query for визит finds визита through the word as written. Text with kana or
    kanji goes through the Japanese chain instead.
    """

    def __init__(self, code: str, stemmer: Callable[[str], str] | None = None) -> None:
        self.code = code
        self._stemmer = stemmer
        self._table: dict[str, tuple[str, ...]] = {}  # word -> its index terms, for index_terms

    def stem(self, word: str) -> str:
        return self._stemmer(word) if self._stemmer else word

    def tokens(self, text: str, *, phrase: bool = False, query: bool = False) -> list[Token]:
        """Every word's position, offsets and terms (for a phrase query, only the word as written; a dotted
        word's parts only in the index; English stop words not searched for on their own)."""
        if has_japanese(text):
            return JAPANESE.tokens(text, phrase=phrase, query=query)
        found: list[Token] = []
        for position, match in enumerate(_WORD.finditer(text)):
            word = match.group().lower()
            if query and word in _english_stops():
                continue
            stemmed = self.stem(word)
            terms = (stemmed,) if phrase else (word,) if stemmed == word else (word, stemmed)
            if not (phrase or query):
                terms = tuple(dict.fromkeys([*terms, *_dotted_parts(word)]))
            found.append((position, match.start(), match.end(), terms))
        return found

    def terms(self, text: str) -> list[str]:
        """The index terms of ``text``, in order."""
        return [term for *_, terms in self.tokens(text) for term in terms]

    def index_terms(self, text: str) -> tuple[dict[str, list[int]], list[str]]:
        """Each term of ``text`` with its positions, and the words as written (for spelling): what
        ``tokens`` gives, without the offsets and the per-word objects a build does not need (a word's terms
        are looked up once a process; tested against ``tokens``)."""
        if has_japanese(text):
            return JAPANESE.index_terms(text)
        if len(self._table) > TABLE_WORDS:
            self._table.clear()
        return _indexed(_lowered_words(_WORD, text), self._table, self._terms_of)

    def index_words(self, text: str) -> Sequence[Word]:
        """The words of ``text`` as the bulk writer keys them, in order (``word_terms`` gives each one's terms)."""
        if has_japanese(text):
            return JAPANESE.index_words(text)
        return _lowered_words(_WORD, text)

    def word_terms(self, word: Word) -> tuple[tuple[str, ...], str | None]:
        """One word's index terms and its spelling word, as ``index_terms`` gives them."""
        if isinstance(word, tuple):
            return word, word[0]
        return self._word_terms(word), word

    def _word_terms(self, word: str) -> tuple[str, ...]:
        """A word's index terms: as written, its stem, a dotted word's parts."""
        return tuple(dict.fromkeys([word, self.stem(word), *_dotted_parts(word)]))

    def _terms_of(self, word: str) -> tuple[str, ...]:
        terms = self._table[word] = self._word_terms(word)
        return terms


TABLE_WORDS = 500_000
"""Words whose terms a chain keeps at hand while indexing (a corpus of 100,000 articles has fewer in a language)."""


class JapaneseChain:
    """Japanese with SudachiPy: each word by its normalised form (and the parts of a compound at its position),
    particles, auxiliary verbs and punctuation left out. Text with no kana or kanji never loads Sudachi."""

    code = "ja"

    def tokens(self, text: str, *, phrase: bool = False, query: bool = False) -> list[Token]:
        if not has_japanese(text):
            return OTHER.tokens(text, phrase=phrase, query=query)
        from kzjp_cli.languages import japanese

        found: list[Token] = []
        for word in japanese.words(text):
            if word.pos in japanese.FUNCTION:
                continue
            terms = dict.fromkeys([word.normalized.lower(), word.surface.lower(), *(p.lower() for p in word.parts)])
            found.append((len(found), word.start, word.end, (word.normalized.lower(),) if phrase else tuple(terms)))
        return found

    def terms(self, text: str) -> list[str]:
        return [term for *_, terms in self.tokens(text) for term in terms]

    def index_terms(self, text: str) -> tuple[dict[str, list[int]], list[str]]:
        return _positions(self.tokens(text))

    def index_words(self, text: str) -> Sequence[Word]:
        """Each indexed word of ``text`` keyed by its terms (the normalised form first), in order."""
        if not has_japanese(text):
            return OTHER.index_words(text)
        return [terms for *_, terms in self.tokens(text)]

    def word_terms(self, word: Word) -> tuple[tuple[str, ...], str | None]:
        return (word, word[0]) if isinstance(word, tuple) else OTHER.word_terms(word)

    def stem(self, word: str) -> str:
        return word


def _indexed(
    words: list[str],
    table: dict[str, tuple[str, ...]],
    terms_of: Callable[[str], tuple[str, ...]],
    *,
    spell_stops: bool = True,
) -> tuple[dict[str, list[int]], list[str]]:
    """Each term of ``words`` (lower-cased, in order) with its positions, and the words kept for spelling
    (without ``spell_stops``, not the stop words): a word's terms from ``table``, else from ``terms_of``, which
    adds them to it. The build's inner loop, a word at a time."""
    positions: dict[str, list[int]] = {}
    kept: list[str] = []
    for position, word in enumerate(words):
        terms = table.get(word) or terms_of(word)
        if spell_stops or not terms[0].startswith(STOP_MARK):
            kept.append(word)
        for term in terms:
            found = positions.get(term)
            if found is None:
                positions[term] = [position]
            else:
                found.append(position)
    return positions, kept


def _lowered_words(expression: re.Pattern[str], text: str) -> list[str]:
    r"""The matches of ``expression`` in ``text``, each lower-cased as it stands alone.

    Text whose word characters are all ASCII is split without the expression
    (``_ascii_words``). Other text's matches are lowered together, joined by
    NUL: a character neither cased nor case-ignorable, so context-dependent
    rules (Greek final sigma) see each match's ends as a string's ends, and
    one that ``\w`` never matches.
    """
    if text.isascii() or not _has_wide_words(text):
        return _ascii_words(expression, text)
    matches = expression.findall(text)
    return "\0".join(matches).lower().split("\0") if matches else []


_WIDE_CHARACTER = re.compile(r"[^\x00-\x7f]")
_WIDE_WORD_CHARACTER = re.compile(r"[^\W\x00-\x7f]")


def _has_wide_words(text: str) -> bool:
    """Has ``text`` a word character outside ASCII? Without one (English with curly quotes, dashes, no-break
    spaces) its words are all ASCII. Its first wide character answers for most texts (Cyrillic, kana);
    otherwise its wide characters, listed (twice as fast as searching the text for a wide word character)."""
    first = _WIDE_CHARACTER.search(text)
    if first is None:
        return False
    if _WIDE_WORD_CHARACTER.match(first.group()):
        return True
    return bool(_WIDE_WORD_CHARACTER.search("".join(_WIDE_CHARACTER.findall(text, first.end()))))


def _ascii_words(expression: re.Pattern[str], text: str) -> list[str]:
    r"""``expression.findall(text.lower())`` for a word pattern (``W+(?:\.?W+)*``) and text whose word
    characters are ASCII, four times faster.

    Other characters (each a separator) become ``?``. Every character that is
    not a word character or a dot becomes a space; then every dot not between
    two word characters does: runs of dots, and dots beside a space (no two
    dots are adjacent once pairs are gone). What remains splits on spaces.
    """
    ascii_text = text.encode("ascii", "replace").lower()
    spaced = " " + ascii_text.translate(_ascii_table(expression)).decode("ascii") + " "
    if "." in spaced:
        spaced = spaced.replace("..", "  ").replace(". ", "  ").replace(" .", "  ")
    return spaced.split()


@lru_cache(maxsize=8)
def _ascii_table(expression: re.Pattern[str]) -> bytes:
    """A ``bytes.translate`` table keeping ``expression``'s word characters and the dot, the rest made spaces."""
    return bytes(c if c == ord(".") or expression.fullmatch(chr(c)) else ord(" ") for c in range(256))


def _positions(tokens: list[Token]) -> tuple[dict[str, list[int]], list[str]]:
    positions: dict[str, list[int]] = {}
    kept: list[str] = []
    for position, _start, _end, terms in tokens:
        kept.append(terms[0])
        for term in terms:
            positions.setdefault(term, []).append(position)
    return positions, kept


def _dotted_parts(word: str) -> list[str]:
    """The parts of a dotted word (amazon.com: amazon, com) that are indexed beside it: not one letter (u.s.),
    not numbers (4.3)."""
    if "." not in word:
        return []
    return [part for part in word.split(".") if len(part) > 1 and not part.isdigit()]


@lru_cache(maxsize=1)
def _english_stops() -> frozenset[str]:
    from whoosh.analysis.filters import STOP_WORDS

    return frozenset(STOP_WORDS)


ENGLISH = EnglishChain()
OTHER = WordChain("other")
JAPANESE = JapaneseChain()
Chain = EnglishChain | WordChain | JapaneseChain


def _chain_of(lang: Language) -> Chain:
    if lang.analysis == "english":
        return ENGLISH
    if lang.analysis == "japanese":
        return JAPANESE
    return OTHER if lang.chain == OTHER.code else WordChain(lang.chain, lang.stem)


CHAINS: dict[str, Chain] = {lang.chain: _chain_of(lang) for lang in ALL}
"""Every analysis chain, by the code ``languages.Language.chain`` names, made from the language objects."""


def chain(code: str | None = None) -> Chain:
    """The analysis chain for a chain code; English for None, the ``other`` chain for an unknown code."""
    return CHAINS.get(code or ENGLISH.code, OTHER)
