"""Extractive summaries with sumy, fully offline, in the article's language.

sumy's own ``Tokenizer`` needs NLTK's downloadable punkt data, so kzjp builds
sumy's document model itself: sentences from ``languages.sentences`` (untrained
Punkt plus abbreviation lists; Japanese by its own marks), words from NLTK's
``NLTKWordTokenizer`` (no data needed) or, for Japanese, Sudachi; stop words
from sumy's package data (English, Japanese) or the language objects (Russian,
Kazakh: ``languages.stop_words``); stemmers: Snowball (English, Russian), ``kazakh.stem``, none for
Japanese. Chosen sentences come out verbatim, once each, in the article's own order.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kzjp_cli.articles import Article
from kzjp_cli.errors import SummaryError
from kzjp_cli.languages import language, sentences, stop_words
from kzjp_cli.store.analysis import chain

METHODS = {
    "lexrank": ("sumy.summarizers.lex_rank", "LexRankSummarizer"),
    "textrank": ("sumy.summarizers.text_rank", "TextRankSummarizer"),
    "lsa": ("sumy.summarizers.lsa", "LsaSummarizer"),
    "luhn": ("sumy.summarizers.luhn", "LuhnSummarizer"),
    "edmundson": ("sumy.summarizers.edmundson", "EdmundsonSummarizer"),
    "kl": ("sumy.summarizers.kl", "KLSummarizer"),
    "sumbasic": ("sumy.summarizers.sum_basic", "SumBasicSummarizer"),
    "reduction": ("sumy.summarizers.reduction", "ReductionSummarizer"),
}
DEFAULT_METHOD = "reduction"
QUADRATIC = frozenset({"lexrank", "textrank", "kl", "reduction"})
"""Methods whose work grows with the square of the number of sentences."""
MAX_CANDIDATES = 300
"""Above this many sentences, a quadratic method chooses among the 300 most central (``central``)."""
NEAR_DUPLICATE = 0.7
"""Jaccard similarity of stemmed words above which two sentences count as one."""

# Edmundson's cue method needs words that mark unimportant sentences.
_STIGMA = ("hardly", "impossible", "perhaps", "allegedly", "reportedly", "rumoured", "unclear", "unconfirmed")
_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['-])*$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_OPERATORS = re.compile(r"\bNOT\s+\S+|\b(?:AND|OR|NOT)\b|\b\w+:(?=\S)")


@dataclass
class Unit:
    """One sentence of a source, as the summariser sees it."""

    id: str
    position: int
    """The sentence's number in its article, from 0."""
    text: str
    paragraph: int
    terms: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Summary:
    """The chosen sentences of one source, or of several with ``--combine``."""

    id: str
    title: str
    method: str
    sentences: list[Unit]
    combined_ids: list[str] | None = None

    def to_record(self) -> dict[str, object]:
        if self.combined_ids is None:
            chosen = [{"index": u.position, "text": u.text} for u in self.sentences]
        else:
            chosen = [{"id": u.id, "index": u.position, "text": u.text} for u in self.sentences]
        record: dict[str, object] = {"id": self.id, "title": self.title, "method": self.method, "sentences": chosen}
        if self.combined_ids is not None:
            record["ids"] = self.combined_ids
        return record

    @staticmethod
    def row_fields() -> list[str]:
        """The columns of ``rows``."""
        return ["summary", "id", "index", "text", "method", "title"]

    def rows(self) -> list[dict[str, object]]:
        """One flat record a sentence, for CSV and TSV: the summary's id, the sentence's article and position,
        its text, the method and the summary's title."""
        return [
            {
                "summary": self.id,
                "id": u.id,
                "index": u.position,
                "text": u.text,
                "method": self.method,
                "title": self.title,
            }
            for u in self.sentences
        ]


class OfflineTokenizer:
    """The two methods sumy calls on a tokenizer, for one language, with no NLTK data needed."""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = lang
        self.language = language(lang).sumy or language(lang).name.lower()

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(sentences.split_paragraph(paragraph, self.lang))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        if not language(self.lang).spaced:
            from kzjp_cli.languages import japanese

            return tuple(w.surface for w in japanese.words(sentence) if w.pos not in japanese.FUNCTION)
        words = _word_tokenizer().tokenize(sentence.translate(_APOSTROPHES))
        return tuple(w for w in words if _WORD.match(w))


@lru_cache(maxsize=1)
def _word_tokenizer() -> Any:
    from nltk.tokenize.destructive import NLTKWordTokenizer

    return NLTKWordTokenizer()


def _stemmer(lang: str | None) -> Callable[[str], str]:
    """sumy's stemmer for a language (Snowball where sumy has one), Kazakh's own, or none."""
    from sumy.nlp.stemmers import Stemmer

    spec = language(lang)
    if spec.sumy and spec.spaced:
        return Stemmer(spec.sumy)
    stem = chain(spec.chain).stem
    return lambda word: stem(word.lower())


def _sorted_lsa() -> Any:
    """sumy's LSA with its words numbered in sorted order: sumy numbers them by iterating a frozenset, so the
    matrix, and the sentences chosen, followed Python's string hashing (22 of 300 summaries differed between
    two runs)."""
    from sumy.summarizers.lsa import LsaSummarizer

    class SortedLsaSummarizer(LsaSummarizer):  # type: ignore[misc]
        def _create_dictionary(self, document: Any) -> dict[str, int]:
            words = map(self.normalize_word, document.words)
            unique = sorted({self.stem_word(w) for w in words if w not in self._stop_words})
            return {w: i for i, w in enumerate(unique)}

    return SortedLsaSummarizer


def _summarizer(method: str, bonus: Sequence[str], lang: str | None) -> Any:
    import importlib

    if method not in METHODS:
        raise SummaryError(f"unknown method {method!r} (choose from {', '.join(METHODS)})")
    module, name = METHODS[method]
    made = _sorted_lsa() if method == "lsa" else getattr(importlib.import_module(module), name)
    summarizer = made(_stemmer(lang))
    summarizer.stop_words = stop_words(lang)
    if method == "edmundson":
        summarizer.bonus_words = bonus or ("kazakhstan", "japan")
        summarizer.stigma_words = _STIGMA
        summarizer.null_words = stop_words(lang)
    return summarizer


def query_terms(query: str | None, lang: str | None = None) -> frozenset[str]:
    """The stems a query asks for, as the index matches them (operators and NOT words dropped)."""
    if not query:
        return frozenset()
    return frozenset(chain(language(lang).chain).terms(_OPERATORS.sub(" ", query)))


def units_of(article: Article) -> list[Unit]:
    """The sentences of an article's body as summariser units; SummaryError if there are none."""
    if not article.body.strip():
        raise SummaryError(f"{article.id}: there is no text to summarise")
    terms = chain(language(article.lang).chain).terms
    units = [
        Unit(article.id, s.position, s.text, s.paragraph, frozenset(terms(s.text)))
        for s in sentences.split(article.body, article.lang)
    ]
    if not units:
        raise SummaryError(f"{article.id}: no sentences found")
    return units


def dedupe(units: list[Unit], near: bool = False) -> list[Unit]:
    """Drop repeated sentences (and with ``near``, near-duplicates), keeping the first of each."""
    frequency = Counter(t for u in units for t in u.terms)
    kept: list[Unit] = []
    seen: set[str] = set()
    by_term: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        key = " ".join(unit.text.lower().split())
        if key in seen:
            continue
        rare = sorted(unit.terms, key=lambda t: (frequency[t], t))[:3]
        if near and any(_jaccard(unit.terms, o.terms) >= NEAR_DUPLICATE for t in rare for o in by_term[t]):
            continue
        seen.add(key)
        kept.append(unit)
        for t in rare:
            by_term[t].append(unit)
    return kept


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def central(units: list[Unit], keep: int) -> list[Unit]:
    """The ``keep`` units whose words are most common across all of them (centrality in linear time), in
    their order."""
    frequency = Counter(t for u in units for t in u.terms)
    rated = sorted(units, key=lambda u: -sum(frequency[t] for t in u.terms) / max(len(u.terms), 1) ** 0.5)
    kept = {id(u) for u in rated[:keep]}
    return [u for u in units if id(u) in kept]


def _run(method: str, units: list[Unit], count: int, title: str, bonus: Sequence[str], lang: str | None) -> list[Unit]:
    """Let sumy pick ``count`` of ``units``; topped up in order if it returns fewer."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence

    if len(units) <= count:
        return list(units)
    if method in QUADRATIC and len(units) > MAX_CANDIDATES:
        # LexRank over the 1,380 sentences of 50 articles took 17 s: narrow the field in linear time first
        units = central(units, max(MAX_CANDIDATES, count))
        if len(units) <= count:
            return units
    tokenizer = OfflineTokenizer(lang)
    by_object: dict[int, Unit] = {}
    paragraphs: list[Any] = []
    group: list[Any] = [SumySentence(title, tokenizer, is_heading=True)] if title else []
    previous = None
    for unit in units:
        if previous is not None and (unit.id, unit.paragraph) != previous and group:
            paragraphs.append(Paragraph(group))
            group = []
        sentence = SumySentence(unit.text, tokenizer)
        by_object[id(sentence)] = unit
        group.append(sentence)
        previous = (unit.id, unit.paragraph)
    paragraphs.append(Paragraph(group))
    import numpy

    # LSA warns when a text has fewer distinct words than sentences; it still works. LexRank divides by zero
    # when no two sentences share a word (its scores are then all equal; the article's order decides).
    with warnings.catch_warnings(), numpy.errstate(divide="ignore", invalid="ignore"):
        warnings.filterwarnings("ignore", message="Number of words .* is lower than number of sentences")
        picked = _summarizer(method, bonus, lang)(ObjectDocumentModel(paragraphs), count)
    chosen = [by_object[id(s)] for s in picked]
    for unit in units:  # some methods return fewer sentences than asked for
        if len(chosen) >= count:
            break
        if unit not in chosen:
            chosen.append(unit)
    return chosen


def select(
    units: list[Unit], method: str, count: int, title: str = "", query: str | None = None, lang: str | None = None
) -> list[Unit]:
    """Choose ``count`` sentences (of a text in ``lang``); with a query, sentences matching more of its terms first."""
    wanted = query_terms(query, lang)
    bonus = sorted(wanted) or chain(language(lang).chain).terms(title)[:8]
    order = {id(u): i for i, u in enumerate(units)}
    if wanted:
        matches = Counter({id(u): len(u.terms & wanted) for u in units})
        pool: list[Unit] = []
        for level in sorted({m for m in matches.values() if m}, reverse=True):
            pool.extend(u for u in units if matches[id(u)] == level)
            if len(pool) >= count:
                break
        if pool:
            chosen = _run(method, pool, count, title, bonus, lang)
            rest = [u for u in units if u not in chosen]
            if len(chosen) < count:
                chosen += _run(method, rest, count - len(chosen), title, bonus, lang)
            return sorted(chosen, key=lambda u: order[id(u)])
    chosen = _run(method, units, count, title, bonus, lang)
    return sorted(chosen, key=lambda u: order[id(u)])


def sentence_count(total: int, count: int | None, ratio: float | None) -> int:
    """How many sentences to keep: ``count``, or ``ratio`` of ``total`` (at least one)."""
    if ratio is not None:
        return max(1, round(ratio * total))
    return count if count is not None else 3


def summarize(
    article: Article,
    *,
    method: str = DEFAULT_METHOD,
    count: int | None = None,
    ratio: float | None = None,
    query: str | None = None,
) -> Summary:
    """Summarise one article."""
    units = dedupe(units_of(article))
    chosen = select(units, method, sentence_count(len(units), count, ratio), article.title, query, article.lang)
    return Summary(id=article.id, title=article.title, method=method, sentences=chosen)


def summarize_combined(
    articles: list[Article],
    *,
    method: str = DEFAULT_METHOD,
    count: int | None = None,
    ratio: float | None = None,
    query: str | None = None,
) -> Summary:
    """One summary across several articles, near-duplicates kept once, each sentence labelled."""
    units = dedupe([u for article in articles for u in units_of(article)], near=True)
    ids = list(dict.fromkeys(a.id for a in articles))
    langs = Counter(a.lang for a in articles)
    lang = max(langs, key=lambda code: (langs[code], code or "")) if langs else None  # the most common one
    chosen = select(units, method, sentence_count(len(units), count, ratio), "", query, lang)
    title = f"Combined summary of {len(ids)} article{'s' if len(ids) != 1 else ''}"
    return Summary(id="combined", title=title, method=method, sentences=chosen, combined_ids=ids)
