"""What a corpus is about: ranked key phrases (topics), statistically and offline.

Three kinds of evidence are combined into one ranked list:

* capitalised sequences from the text ("Port of Aktau", "Sanae Takaichi"), with
  titles such as *President* split off and sentence-initial words kept only
  when they are capitalised elsewhere too;
* runs of content words between stop words and punctuation, whose multi-word
  phrases must pass NLTK's likelihood-ratio collocation test;
* corpus term statistics from the index (document frequencies), for inverse
  document frequency.

Phrases are keyed by their stems, so plurals and case variants are one topic;
a phrase found mostly inside a longer one ("Aktau" in "Port of Aktau") or a
surname inside a full name is folded into it. The result is deterministic.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kzjp_cli import aliases
from kzjp_cli.articles import Article
from kzjp_cli.errors import QueryError
from kzjp_cli.index import CorpusIndex
from kzjp_cli.languages import language, stop_words
from kzjp_cli.languages.english import ENGLISH
from kzjp_cli.store.analysis import chain

if TYPE_CHECKING:
    from kzjp_cli.aliases import AliasTable
    from kzjp_cli.search import SearchResult

MAX_WORDS = 4
CANDIDATES = 5000
"""Only the best-scored candidates are folded and kept: far more than anyone lists."""
SAMPLE_DOCS = 1500
"""Corpus statistics come from at most this many articles, evenly spaced; rankings settle long before."""
CACHED_TOPICS = 1000
DIVERSE_POOL = 200
"""How many of the best topics ``diversify`` re-ranks for coverage."""
OVERLAP_WEIGHT = 0.7
"""How much a topic's score falls for sharing all its articles with a topic ranked above it."""
CACHE_FILE = "topics.json"
CACHE_VERSION = 14
"""Bump when the extraction changes; the cache also records kzjp's version."""


@dataclass(frozen=True)
class Weights:
    """Every constant a topic's score is made of (``_score``, ``_japanese_scores``), named.

    A phrase's score is ``attention × coverage × shape × centrality``:
    attention is how often it is said (``1 + log`` of its occurrences, a
    sentence crowded with names sharing its attention); coverage is
    ``(1 + coverage_log × log docs) × sqrt(log(1 + total / docs))``, wide but not
    everywhere; shape is how topic-like its form is (the fields below); centrality
    lifts a phrase of words the corpus uses often.
    """

    named: float = 0.5
    """The share of a phrase's occurrences that must be capitalised as a name for it to count as one."""
    single_name: float = 1.5
    """Shape of a one-word name ("Tokayev")."""
    single_modifier: float = 0.3
    """Shape of a one-word adjective, adverb or verb form ("strategic")."""
    single_word: float = 0.6
    """Shape of any other one word ("uranium")."""
    name: float = 2.0
    """Shape of a name of several words ("Port of Aktau")."""
    phrase: float = 1.5
    """Shape of a phrase of several common words that pass the collocation test ("rare earth")."""
    per_word: float = 0.25
    """Added to a several-word shape for each word past the first."""
    adjective_name: float = 0.3
    """Multiplies the shape of a name mostly used as an adjective before varied nouns ("Japanese companies")."""
    coverage_log: float = 0.5
    """How much coverage grows with the log of the number of articles."""
    centrality: float = 0.5
    """How much a several-word phrase gains for being made of words the corpus uses often."""
    collocation: float = 10.83
    """The likelihood-ratio each adjacent pair of a common phrase must reach (p < 0.001)."""
    japanese_name: float = 2.0
    """Shape of a Japanese proper noun or compound holding one."""
    japanese_long: float = 1.5
    """Shape of a Japanese noun compound of four or more characters."""
    japanese_short: float = 0.8
    """Shape of a shorter Japanese noun compound."""
    japanese_long_chars: int = 4
    """The characters from which a Japanese compound counts as long."""


WEIGHTS = Weights()

_TOKEN = re.compile(r"[A-Za-z\u00C0-\u024F][\w\u00C0-\u024F]*(?:[-'’][A-Za-z\u00C0-\u024F][\w\u00C0-\u024F]*)*|\S")
_CYRILLIC_TOKEN = re.compile(
    r"[A-Za-z\u00C0-\u024F\u0400-\u04FF][\w\u00C0-\u024F\u0400-\u04FF]*(?:[-'’][\w\u0400-\u04FF]+)*|\S"
)
"""Words as topics see them: in Latin letters, and for a Cyrillic language in Cyrillic ones too."""
_SEGMENT_END = set('.!?…:;"“”«»()')
_POSSESSIVE = re.compile(r"[’']s$")
_NO_POSSESSIVE = re.compile(r"(?!x)x")


@dataclass(frozen=True)
class TopicRules:
    """What phrase extraction needs to know of a language: its words, names, titles and stop words."""

    stem: Callable[[str], str]
    stop: frozenset[str]
    titles: frozenset[str]
    connectors: frozenset[str]
    """Words that may join two capitalised parts of one name ("Port of Aktau")."""
    conjunction: str
    modifier: re.Pattern[str]
    """Endings of adjectives and adverbs: such a word alone is rarely a topic."""
    token: re.Pattern[str] = _TOKEN
    possessive: re.Pattern[str] = _POSSESSIVE
    closes_name: Callable[[str], bool] = lambda word: False
    """Whether a word ends the name it is part of (a Kazakh case ending does)."""
    dictionary_form: Callable[[list[str]], list[str]] | None = None
    """A phrase as a dictionary lists it (the nominative), where the language inflects it."""
    not_topical: Callable[[str], bool] = lambda word: False
    """Whether a lower-case word keeps a phrase from being a topic (a verb form, a pronoun)."""


@lru_cache(maxsize=8)
def rules(lang: str | None = None) -> TopicRules:
    """The extraction rules for a language, from its language object's topic word lists (English's for any
    language without its own)."""
    spec = language(lang)
    if spec.topics is None:
        spec = ENGLISH
    words = spec.topics
    assert words is not None
    return TopicRules(
        chain(spec.chain).stem if spec is not ENGLISH else _stem,
        stop_words(spec.code) | words.generic,
        words.titles,
        words.connectors,
        words.conjunction,
        re.compile(words.modifier),
        _CYRILLIC_TOKEN if spec.script == "cyrillic" else _TOKEN,
        _POSSESSIVE if words.possessive else _NO_POSSESSIVE,
        words.closes_name or (lambda word: False),
        words.dictionary_form,
        words.not_topical or (lambda word: False),
    )


@dataclass
class Topic:
    """A key phrase of the corpus or of one article.

    A corpus topic's ``ids`` are ``exact`` once looked up in the whole index
    (``corpus_topics`` does that for the topics it is asked to show); before,
    they are the articles of the sample it was found in, each standing for
    ``scale`` articles of the corpus.
    """

    phrase: str
    score: float
    ids: list[str] = field(default_factory=list)
    exact: bool = True
    scale: float = 1.0
    chain: str = ""  # the language chain whose articles it was ranked among
    variants: list[str] = field(default_factory=list)
    """Other names of the same thing folded into it ("Lib Dems" of "Liberal Democrats", "EU" of "European
    Union"); its articles are those holding the phrase or one of them."""

    @property
    def articles(self) -> int:
        return len(self.ids)

    @property
    def shown(self) -> str:
        """The phrase with its variants: Liberal Democrats (Lib Dems)."""
        return f"{self.phrase} ({', '.join(self.variants)})" if self.variants else self.phrase

    def to_record(self) -> dict[str, object]:
        return {
            "topic": self.phrase,
            "score": round(self.score, 3),
            "articles": self.articles,
            "ids": self.ids,
            "variants": self.variants,
        }


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return chain().stem(word)


def _segments(text: str, rules: TopicRules) -> list[list[tuple[str, bool]]]:
    """Words (possessive 's removed) split at sentence ends and quotes; "|" marks other punctuation.

    The flag marks a sentence's first word.
    """
    segments: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    start = True
    for match in rules.token.finditer(text):
        token = match.group()
        if len(token) == 1 and not token.isalnum():
            if token in _SEGMENT_END:
                segments.append(current)
                current = []
                start = start or token in ".!?…"
            else:
                current.append(("|", False))
            continue
        word = rules.possessive.sub("", token)
        current.append((word, start))
        if word != token:  # a possessive ends a noun phrase: "Kazakhstan’s | international engagement"
            current.append(("|", False))
        start = False
    segments.append(current)
    return [seg for seg in segments if seg]


@dataclass
class _Stats:
    """Counts gathered from the texts."""

    tf: Counter[tuple[str, ...]] = field(default_factory=Counter)
    docs: dict[tuple[str, ...], set[str]] = field(default_factory=lambda: defaultdict(set))
    forms: dict[tuple[str, ...], Counter[tuple[str, ...]]] = field(default_factory=lambda: defaultdict(Counter))
    named: Counter[tuple[str, ...]] = field(default_factory=Counter)
    unigrams: Counter[str] = field(default_factory=Counter)
    inside: Counter[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=Counter)
    modifies: Counter[tuple[str, ...]] = field(default_factory=Counter)  # a name used as an adjective
    followers: dict[tuple[str, ...], set[str]] = field(default_factory=lambda: defaultdict(set))
    attention: Counter[tuple[str, ...]] = field(default_factory=Counter)  # occurrences, shared within crowded sentences
    words: int = 0
    rules: TopicRules = field(default_factory=lambda: rules())
    shown: dict[tuple[str, ...], str] = field(default_factory=dict)  # _display's answers


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


class _Extractor:
    def __init__(self, texts: list[tuple[str, str]], rules: TopicRules) -> None:
        self.texts = texts
        self.rules = rules
        self.stop = rules.stop
        self.upper_mid: Counter[str] = Counter()  # capitalised, not at a sentence start
        self.lower: Counter[str] = Counter()
        self.word_tf: Counter[str] = Counter()  # content-word stems

    def survey(self) -> None:
        """First pass: how each word is capitalised away from sentence starts."""
        for _, text in self.texts:
            for word, start in (token for segment in _segments(text, self.rules) for token in segment):
                if word == "|":
                    continue
                if word.lower() not in self.stop:
                    self.word_tf[self.rules.stem(word.lower())] += 1
                if start:
                    continue
                if _capitalised(word):
                    self.upper_mid[word.lower()] += 1
                else:
                    self.lower[word.lower()] += 1

    def segments(self, text: str) -> list[list[tuple[str, bool]]]:
        """The text's segments, without Title Case ones (headlines, quoted titles).

        A headline capitalises common words, ones the corpus also writes in lower
        case ("Restoring Strategic Trust"); a sentence dense with names does not.
        """
        kept = []
        for segment in _segments(text, self.rules):
            words = [w for w, _ in segment if w != "|"]
            capitals = [w for w in words if _capitalised(w)]
            common = [w for w in capitals if self.lower[w.lower()] or w.lower() in self.stop]
            if len(words) >= 4 and len(capitals) >= 0.6 * len(words) and len(common) >= max(2, 0.4 * len(capitals)):
                continue
            kept.append(segment)
        return kept

    def is_name_word(self, word: str, start: bool, following: str = "") -> bool:
        """Capitalised and not a common word; at a sentence start, only with evidence it is a name."""
        lowered = word.lower()
        if not _capitalised(word) or lowered in self.stop:
            return False
        if start:
            if self.upper_mid[lowered] > self.lower[lowered]:
                return True
            # "Kazakhstan Railways ordered…": unseen mid-sentence, but never lower case and followed by a name
            return not self.lower[lowered] and _capitalised(following) and following.lower() not in self.stop
        return True

    def names(self, tokens: list[tuple[str, bool]]) -> Iterable[tuple[list[str], str]]:
        """Capitalised sequences, split at titles, joined by connectors, with the word after each."""
        titles, connectors, conjunction = self.rules.titles, self.rules.connectors, self.rules.conjunction
        current: list[str] = []
        after_title = False  # the name follows a title, so it is a person's: no "of" joins it
        i = 0
        while i <= len(tokens):
            word, start = tokens[i] if i < len(tokens) else ("|", False)
            following = tokens[i + 1][0] if i + 1 < len(tokens) else "|"
            lowered = word.lower()
            if word != "|" and self.is_name_word(word, start, following) and lowered not in titles:
                if not current:
                    after_title = i > 0 and tokens[i - 1][0].lower() in titles
                current.append(word)
                if self.rules.closes_name(lowered):  # Kazakh: Тоқаев | Жапонияға
                    yield current, following
                    current = []
            elif (
                current
                and (lowered in connectors or (lowered == conjunction and connectors & set(current)))
                and i + 1 < len(tokens)
                and self.is_name_word(*tokens[i + 1], tokens[i + 2][0] if i + 2 < len(tokens) else "|")
                and not (lowered == "of" and after_title)
            ):
                current.append(lowered)
            else:
                while current and current[-1] in (*connectors, conjunction):
                    current.pop()
                if current:
                    yield current, word
                current = []
            i += 1

    def runs(self, tokens: list[tuple[str, bool]]) -> Iterable[list[tuple[str, bool]]]:
        """Maximal runs of content words between stop words and punctuation (with name flags)."""
        current: list[tuple[str, bool]] = []
        padded = [*tokens, ("|", False)]
        for i, (word, start) in enumerate(padded):
            lowered = word.lower()
            if word == "|" or lowered in self.stop or len(lowered) < 3 or lowered.isdigit():
                if current:
                    yield current
                current = []
            else:
                following = padded[i + 1][0] if i + 1 < len(padded) else "|"
                current.append((word, self.is_name_word(word, start, following)))

    def collect(self) -> _Stats:
        stats = _Stats(rules=self.rules)
        stem_of = self.rules.stem
        for doc_id, text in self.texts:
            seen: set[tuple[str, ...]] = set()
            for tokens in self.segments(text):
                names = [(n, after) for n, after in self.names(tokens) if len(n) <= MAX_WORDS]
                # A sentence listing many names says little about each: they share its attention.
                crowd = len({tuple(n) for n, _ in names})
                share = 1 / math.sqrt(crowd - 2) if crowd > 3 else 1.0
                for name, after in names:
                    whole = _count(stats, name, doc_id, seen, named=True)
                    stats.attention[whole] += share
                    if _modified_by(after, self.rules):
                        stats.modifies[whole] += 1
                        stats.followers[whole].add(after.lower())
                    for part in _name_parts(name, self.rules):
                        stats.inside[(tuple(stem_of(w.lower()) for w in part), whole)] += 1
                for run in self.runs(tokens):
                    stats.words += len(run)
                    stems = [stem_of(word.lower()) for word, _ in run]
                    for stem in stems:
                        stats.unigrams[stem] += 1
                    for size in range(1, min(MAX_WORDS, len(run)) + 1):
                        for i in range(len(run) - size + 1):
                            gram = run[i : i + size]
                            if any(named for _, named in gram):  # names were counted above
                                continue
                            key = tuple(stems[i : i + size])
                            if size > 2 and not stats.tf[key[:2]] > 1:
                                continue  # a longer phrase needs a repeated start (Apriori)
                            _count(stats, [w for w, _ in gram], doc_id, seen, named=False, key=key)
                            stats.attention[key] += 1
        return stats


def _count(
    stats: _Stats,
    words: list[str],
    doc_id: str,
    seen: set[tuple[str, ...]],
    *,
    named: bool,
    key: tuple[str, ...] | None = None,
) -> tuple[str, ...]:
    """Count one occurrence of a phrase, keyed by its stems, and its surface form."""
    key = key or tuple(stats.rules.stem(w.lower()) for w in words)
    stats.tf[key] += 1
    if named:
        stats.named[key] += 1
    stats.forms[key][tuple(words)] += 1
    if key not in seen:
        seen.add(key)
        stats.docs[key].add(doc_id)
    return key


def _modified_by(after: str, rules: TopicRules) -> bool:
    """Whether the word after a name is a noun the name describes ("Japanese companies").

    A title counts ("Kazakh President"); a verb ("Tokayev visited") does not.
    """
    lowered = after.lower()
    if lowered in rules.titles:
        return True
    return after != "|" and not after[0].isupper() and lowered not in rules.stop and not lowered.endswith(("ed", "ing"))


def _name_parts(name: list[str], rules: TopicRules) -> Iterable[list[str]]:
    """The proper sub-phrases of a name that could stand alone (no connector at an edge)."""
    for size in range(1, len(name)):
        for i in range(len(name) - size + 1):
            part = name[i : i + size]
            joins = (*rules.connectors, rules.conjunction)
            if part[0] not in joins and part[-1] not in joins:
                yield part


def _phrase_shaped(key: tuple[str, ...], stats: _Stats) -> bool:
    """A lower-case phrase that neither starts with a verb or adverb form nor ends in a modifier."""
    words = _display(key, stats).lower().split()
    return not words[0].endswith(("ed", "ing", "ly")) and not stats.rules.modifier.search(words[-1])


def _collocation_ok(key: tuple[str, ...], stats: _Stats, threshold: float = WEIGHTS.collocation) -> bool:
    """NLTK's likelihood-ratio test on each adjacent pair of a lower-case phrase."""
    from nltk.metrics.association import BigramAssocMeasures

    total = max(stats.words, 1)
    for a, b in itertools.pairwise(key):
        together = stats.tf[(a, b)]
        if together < 2:
            return False
        score = BigramAssocMeasures.likelihood_ratio(together, (stats.unigrams[a], stats.unigrams[b]), total)
        if score < threshold:
            return False
    return True


def _score(
    stats: _Stats, total_docs: int, df: dict[tuple[str, ...], int], word_tf: Counter[str], weights: Weights = WEIGHTS
) -> dict[tuple[str, ...], float]:
    """Each candidate phrase's score (see ``Weights``); phrases that are no topic are left out."""
    top = math.log(max(max(word_tf.values(), default=2), 2))
    w = weights
    scores: dict[tuple[str, ...], float] = {}
    for key, tf in stats.tf.items():
        named_share = stats.named[key] / tf
        named = named_share >= w.named
        if tf < 2 and not named:
            continue  # a common phrase said once is no topic
        n = len(key)
        if n == 1:
            form = _display(key, stats)
            if tf < 2 or len(form) < 3:
                continue
            modifier = stats.rules.modifier.search(form.lower())
            shape = w.single_name if named else w.single_modifier if modifier else w.single_word
        elif named:
            shape = w.name + w.per_word * (n - 1)
        elif _phrase_shaped(key, stats) and _collocation_ok(key, stats, w.collocation):
            shape = w.phrase + w.per_word * (n - 1)
        else:
            continue
        if named and stats.modifies[key] >= 0.5 * stats.named[key] and len(stats.followers[key]) > 1:
            shape *= w.adjective_name  # mostly an adjective before varied nouns: "Japanese companies", "… tourists"
        docs = max(df.get(key, 0), len(stats.docs[key]), 1)
        # A phrase made of words the corpus uses often is central to it.
        centrality = 1 + w.centrality * sum(math.log(max(word_tf[x], 1)) for x in key) / n / top if n > 1 else 1.0
        attention = stats.attention[key]
        weight = 1 + math.log(attention) if attention >= 1 else attention
        scores[key] = weight * _coverage(docs, total_docs, w) * shape * centrality
    return scores


def _coverage(docs: int, total_docs: int, weights: Weights = WEIGHTS) -> float:
    """Corpus topics are discussed widely (coverage) but not everywhere (a gentle idf)."""
    return (1 + weights.coverage_log * math.log(docs)) * math.sqrt(math.log(1 + total_docs / docs))


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    n = len(short)
    return any(long[i : i + n] == short for i in range(len(long) - n + 1))


def _fold(scores: dict[tuple[str, ...], float], stats: _Stats) -> dict[tuple[str, ...], float]:
    """Make a phrase and its own sub-phrase one topic.

    A sub-phrase found mostly inside a longer phrase is a fragment of it ("Aktau"
    of "Port of Aktau"), and a surname is part of a full name ("Tokayev" of
    "Kassym-Jomart Tokayev"): the longer phrase stays and takes its articles. A
    lower-case phrase seen in under half the occurrences of a part is a chance
    chain of phrases ("smart city data centre"): it goes. Otherwise both stay:
    "Tokyo" and "Tokyo Declaration" are different topics, and so are a name and
    a common word ("United Nations University", "universities").
    """

    def named(key: tuple[str, ...]) -> bool:
        return stats.named[key] >= 0.5 * stats.tf[key]

    by_stem: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for key in scores:
        for stem in set(key):
            by_stem[stem].append(key)
    dropped: set[tuple[str, ...]] = set()
    for long in sorted(scores, key=lambda k: (-len(k), k)):
        if len(long) == 1 or long in dropped:
            continue
        shorter = {k for stem in set(long) for k in by_stem[stem] if len(k) < len(long) and _contains(long, k)}
        for short in sorted(shorter):
            if short in dropped or named(short) != named(long):
                continue
            together = stats.inside[(short, long)] or stats.tf[long]
            person = (
                named(long) and len(long) <= 3 and not set(long) & {*stats.rules.connectors, stats.rules.conjunction}
            )
            surname = person and len(short) == 1 and long[-1] == short[0]
            if together > 0.5 * stats.tf[short] or surname:
                dropped.add(short)
                stats.docs[long] |= stats.docs[short]
            elif not named(long) and stats.tf[long] <= 0.5 * stats.tf[short]:
                dropped.add(long)
                break
    for key in scores:
        if named(key) and len(key) > 2 and key not in dropped and _chain(key, scores, stats):
            dropped.add(key)
    return {k: v for k, v in scores.items() if k not in dropped}


def _chain(key: tuple[str, ...], scores: dict[tuple[str, ...], float], stats: _Stats) -> bool:
    """Two names side by side ("Sanae Takaichi Kassym-Jomart Tokayev"), rarer than each name."""
    for cut in range(1, len(key)):
        left, right = key[:cut], key[cut:]
        if left[-1] in stats.rules.connectors or right[0] in stats.rules.connectors:
            continue
        if all(part in scores and stats.tf[key] <= 0.5 * stats.tf[part] for part in (left, right)):
            return True
    return False


def _display(key: tuple[str, ...], stats: _Stats) -> str:
    """The phrase as written most often; lower case for a common phrase seen capitalised at a sentence start.

    In a language that inflects names (``TopicRules.dictionary_form``), the
    most frequent form seen in the nominative, else the most frequent form put
    in the nominative."""
    shown = stats.shown.get(key)
    if shown is not None:
        return shown
    forms = {" ".join(words): count for words, count in stats.forms[key].items()}
    best = max(forms.items(), key=lambda item: (item[1], sum(ch.isupper() for ch in item[0]), item[0]))[0]
    if not stats.named[key] and best[:1].isupper():
        lower = sorted(f for f in forms if f == f.lower())
        best = lower[0] if lower else best
    to_base = stats.rules.dictionary_form
    if to_base is not None:
        ranked = sorted(forms, key=lambda f: (-forms[f], f != best, f))
        base = next((f for f in ranked if to_base(f.split()) == f.split()), None)
        if base is not None:
            best = base if base.lower() != base or best.lower() == best else base[:1].upper() + base[1:]
        else:
            best = " ".join(to_base(best.split()))
    stats.shown[key] = best
    return best


def _topical(key: tuple[str, ...], stats: _Stats) -> bool:
    """Whether a phrase can be a topic: none of its lower-case words is a verb form or a pronoun, it neither
    starts nor ends with a stop word once shown, and in an inflecting language it is no lone adjective."""
    written = max(stats.forms[key].items(), key=lambda item: (item[1], item[0]))[0]
    shown = _display(key, stats).split()  # a dictionary form may end in a stop word (барды: бар)
    if any(word.islower() and stats.rules.not_topical(word) for word in (*written, *shown)):
        return False
    if len(shown) == 1 and shown[0].islower() and stats.rules.dictionary_form and stats.rules.modifier.search(shown[0]):
        return False  # an adjective alone (конечный), where endings tell adjectives reliably
    return bool(shown) and shown[0].lower() not in stats.rules.stop and shown[-1].lower() not in stats.rules.stop


def extract(
    texts: list[tuple[str, str]],
    *,
    total_docs: int | None = None,
    df: dict[tuple[str, ...], int] | None = None,
    limit: int | None = None,
    lang: str | None = None,
    weights: Weights = WEIGHTS,
) -> list[Topic]:
    """Rank the key phrases of ``texts`` ((id, text) pairs, in language ``lang``), best first, scored with
    ``weights``."""
    if not language(lang).spaced:
        return _extract_japanese(texts, total_docs=total_docs, limit=limit, lang=lang, weights=weights)
    extractor = _Extractor(texts, rules(lang))
    extractor.survey()
    stats = extractor.collect()
    scores = _score(stats, total_docs or len(texts), df or {}, extractor.word_tf, weights)
    best = [k for k in sorted(scores, key=lambda k: (-scores[k], k))[:CANDIDATES] if _topical(k, stats)]
    scores = _fold({k: scores[k] for k in best}, stats)
    variants = _variants(scores, stats)
    ordered = sorted(scores, key=lambda k: (-scores[k], _display(k, stats)))
    topics = []
    for k in ordered:
        shown = _display(k, stats)
        others = dict.fromkeys(form for form in (_display(v, stats) for v in variants[k]) if form != shown)
        topics.append(Topic(shown, scores[k], sorted(stats.docs[k]), variants=list(others)))
    return topics[:limit] if limit else topics


def _abbreviates(short: str, long: str, connectors: frozenset[str]) -> bool:
    """Whether ``short`` is a short form of ``long``: each word cut ("Lib Dems" of "Liberal Democrats", a plural
    -s allowed) or the initials of its words ("EU" of "European Union", "UAE" of "United Arab Emirates")."""
    shorts, longs = short.split(), long.split()
    if len(shorts) == 1 and short.isupper() and 2 <= len(short) < len(longs) + 1:
        initials = "".join(word[0] for word in longs if word.lower() not in connectors)
        return len(longs) >= 2 and initials.upper() == short
    if len(shorts) != len(longs) or len(shorts) < 2 or short == long:
        return False
    for cut, whole in zip(shorts, longs, strict=True):
        cut, whole = cut.lower(), whole.lower()
        stem = cut[:-1] if cut.endswith("s") and not whole.startswith(cut) else cut
        cut_off = whole[len(stem) :]
        if len(stem) < 2 or not whole.startswith(stem) or (cut_off and (len(cut_off) < 3 or not cut_off.isalpha())):
            return False  # a cut word drops letters, not an ending or a hyphenated part (Asia: Asian, Asia-Japan)
    return True


def _variants(scores: dict[tuple[str, ...], float], stats: _Stats) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Fold each short form of a name into the name, where the two stand in the same articles (in at least a
    fifth of the short form's): the name keeps the better score and takes the short form's articles."""
    folded: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    named = sorted((k for k in scores if stats.named[k] >= 0.5 * stats.tf[k]), key=lambda k: (-scores[k], k))
    shown = {k: _display(k, stats) for k in named}
    connectors = stats.rules.connectors
    for short in named:
        for long in named:
            if long == short or long not in scores or short not in scores:
                continue
            if shown[short] != shown[long] and not _abbreviates(shown[short], shown[long], connectors):
                continue
            shared = len(stats.docs[short] & stats.docs[long])
            if shared and shared >= 0.2 * len(stats.docs[short]):
                scores[long] = max(scores[long], scores.pop(short))
                stats.docs[long] |= stats.docs[short]
                folded[long] += [short, *folded.pop(short, [])]
                break
    return folded


_JAPANESE_NOUN = "名詞"
_JAPANESE_AFFIXES = {"接頭辞": "prefix", "接尾辞": "suffix"}


_JAPANESE_TITLES = frozenset(
    """大統領 副大統領 首相 外相 外務大臣 大臣 長官 議長 総裁 委員長 知事 市長 大使 社長 会長 氏 国王 主席 総理
    総理大臣 首脳 代表 事務総長 選手 監督 議員""".split()
)
_NAME_JOINS = frozenset("・＝=")


def _japanese_phrases(text: str) -> Iterable[tuple[str, bool]]:
    """Noun compounds, whole with their prefixes and suffixes (カザフスタン人留学生, アクタウ港), names joined by
    ・ (ドナルド・トランプ) and the proper nouns inside them, flagged as names; a title after a name (大統領,
    首相) is split off it."""
    from kzjp_cli.languages import japanese

    def joined(word: japanese.Word, last: japanese.Word) -> bool:
        gap = text[last.end : word.start]
        if not gap:
            return True  # nothing (no 。「＋) between them
        return gap in _NAME_JOINS and _katakana(last, word)  # a foreign name: 日本・中国 is a list

    def phrase(words: list[japanese.Word]) -> str:
        return "".join(text[w.start : w.end] if n == 0 else text[words[n - 1].end : w.end] for n, w in enumerate(words))

    run: list[japanese.Word] = []
    for word in [*japanese.words(text), None]:
        noun = word is not None and word.pos == _JAPANESE_NOUN and word.kind != "数詞"
        affix = word is not None and _JAPANESE_AFFIXES.get(word.pos)
        near = not run or (word is not None and joined(word, run[-1]))
        if near and (noun or (affix == "suffix" and run) or affix == "prefix"):
            run.append(word)  # type: ignore[arg-type]
            continue
        while run and run[-1].pos != _JAPANESE_NOUN and _JAPANESE_AFFIXES.get(run[-1].pos) != "suffix":
            run.pop()
        while run and run[0].pos != _JAPANESE_NOUN and _JAPANESE_AFFIXES.get(run[0].pos) != "prefix":
            run.pop(0)
        proper = [w for w in run if w.kind == "固有名詞"]
        if proper and len(run) > 1 and run[-1].surface in _JAPANESE_TITLES:
            run = run[:-1]  # 岸田文雄首相: 岸田文雄
        if run:
            yield phrase(run), bool(proper)
            if len(run) > 1:  # the names inside, but not a first name before ・ (ドナルド of ドナルド・トランプ)
                given = {id(w) for w, after in itertools.pairwise(run) if text[w.end : after.start] in _NAME_JOINS}
                yield from ((w.surface, True) for w in proper if id(w) not in given)
        run = [word] if word is not None and not near and (noun or affix == "prefix") else []


def _katakana(*words: object) -> bool:
    return all(re.fullmatch(r"[\u30a0-\u30ffー]+", w.surface) for w in words)  # type: ignore[attr-defined]


def _extract_japanese(
    pairs: list[tuple[str, str]],
    *,
    total_docs: int | None,
    limit: int | None,
    lang: str | None = "ja",
    weights: Weights = WEIGHTS,
) -> list[Topic]:
    """Japanese topics from Sudachi's parts of speech: noun compounds and proper nouns, never particles or kana."""
    stop = stop_words(lang)
    tf: Counter[str] = Counter()
    named: Counter[str] = Counter()
    docs: dict[str, set[str]] = defaultdict(set)
    for doc_id, text in pairs:
        for phrase, proper in _japanese_phrases(text):
            if len(phrase) < 2 or phrase in stop or re.fullmatch(r"[\u3040-\u309f]+|[\d０-９]+", phrase):
                continue
            tf[phrase] += 1
            named[phrase] += proper
            docs[phrase].add(doc_id)
    total = total_docs or len(pairs)
    scores = {}
    for phrase, count in tf.items():
        proper = named[phrase] >= weights.named * count
        if count < 2 and not proper:
            continue
        long = len(phrase) >= weights.japanese_long_chars
        shape = weights.japanese_name if proper else weights.japanese_long if long else weights.japanese_short
        scores[phrase] = (1 + math.log(count)) * _coverage(len(docs[phrase]), total, weights) * shape
    ordered = sorted(scores, key=lambda k: (-scores[k], k))
    topics = [Topic(k, scores[k], sorted(docs[k])) for k in ordered]
    return topics[:limit] if limit else topics


# --- over an index -----------------------------------------------------------------


def texts(articles: Iterable[Article]) -> list[tuple[str, str]]:
    """(id, text) pairs to extract topics from, sorted: the title leads the body unless it was cut from it."""
    found = []
    for article in articles:
        title, body = article.title, article.body
        derived = title.endswith("…") or " ".join(body.split()).startswith(title)
        found.append((article.id, body if derived else f"{title}.\n{body}"))
    return sorted(found)


def _cache_version() -> str:
    from kzjp_cli import __version__

    return f"{CACHE_VERSION}/{__version__}"


def corpus_topics(
    index: CorpusIndex, *, langs: Sequence[str] = (), exact: int | None = None, ids: Collection[str] | None = None
) -> list[Topic]:
    """The corpus's topics (of its articles in ``langs``, if given), best first, cached in the index until it changes.

    Each language's articles are ranked with that language's rules, and the
    lists merged by score. More than ``SAMPLE_DOCS`` articles of a language are
    ranked from an evenly spaced sample of them. The first ``exact`` topics (all
    for None) then have their articles found in the whole index with a phrase
    query, so their counts and ids are exact; the rest keep the sample's until
    a later call asks for them. Looking up a thousand phrases in 50,000
    articles took longer than ranking them.
    """
    cache = index.cache_path(_cache_name(langs, ids))
    topics = _cached(cache, index)
    members: dict[str, list[str]] | None = None
    changed = topics is None
    if topics is None:
        members = _members(index, langs, ids)
        topics = []
        for code, ids in sorted(members.items()):
            topics += _ranked(index, ids, code)
        topics = _one_name(sorted(topics, key=lambda t: (-t.score, t.phrase)), aliases.load(index.corpus))
        topics = diversify(topics[:CACHED_TOPICS])
    wanted = [t for t in (topics if exact is None else topics[:exact]) if not t.exact]
    if wanted:
        _make_exact(index, wanted, members if members is not None else _members(index, langs, ids))
        changed = True
    if changed:
        _save(cache, index, topics)
    return topics


def _one_name(topics: list[Topic], names: aliases.AliasTable) -> list[Topic]:
    """Fold the spellings of one name in the alias table into its best-ranked topic of the same language
    (米国 into アメリカ, Britain into UK): one topic, the others shown as its variants."""
    first: dict[tuple[str, tuple[str, ...]], Topic] = {}
    kept = []
    for topic in topics:
        group = names.find(topic.phrase)
        lead = first.setdefault((topic.chain, group), topic) if group else topic
        if lead is topic:
            kept.append(topic)
            continue
        lead.variants = list(dict.fromkeys([*lead.variants, topic.phrase, *topic.variants]))
        lead.ids = sorted(set(lead.ids) | set(topic.ids))
    return kept


def _cached(cache: Path, index: CorpusIndex) -> list[Topic] | None:
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("version") == _cache_version() and data.get("fingerprint") == index.fingerprint:
            return [
                Topic(
                    t["topic"],
                    t["score"],
                    t["ids"],
                    exact=t["exact"],
                    scale=t["scale"],
                    chain=t["chain"],
                    variants=t["variants"],
                )
                for t in data["topics"]
            ]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _save(cache: Path, index: CorpusIndex, topics: list[Topic]) -> None:
    records = [{**t.to_record(), "exact": t.exact, "scale": t.scale, "chain": t.chain} for t in topics]
    payload = {"version": _cache_version(), "fingerprint": index.fingerprint, "topics": records}
    tmp = cache.with_name(f".{cache.name}.tmp")
    try:
        tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cache)
    except OSError:
        pass  # a read-only index still answers, just without the cache


def _cache_name(langs: Sequence[str], ids: Collection[str] | None) -> str:
    """The cache file of the topics of ``langs`` and ``ids`` (a period's articles, by a digest of their ids)."""
    if not langs and ids is None:
        return CACHE_FILE
    name = "topics-" + "-".join(sorted(langs))
    if ids is not None:
        name += "-" + hashlib.blake2b("\n".join(sorted(ids)).encode("utf-8"), digest_size=8).hexdigest()
    return name + ".json"


def _members(index: CorpusIndex, langs: Sequence[str], ids: Collection[str] | None = None) -> dict[str, list[str]]:
    """Each language chain's article ids (of ``langs`` and ``ids`` only, if given), sorted, from the manifest's
    metadata: no article text is read."""
    members: dict[str, list[str]] = defaultdict(list)
    for article in index.articles():
        if (not langs or article.lang in langs) and (ids is None or article.id in ids):
            members[language(article.lang).chain].append(article.id)
    return members


def _make_exact(index: CorpusIndex, topics: list[Topic], members: dict[str, list[str]]) -> None:
    """Each topic's articles: exactly those among its chain's ``members`` that a phrase search for it, or for
    one of its variants, finds (what ``kzjp search '"TOPIC"' --count`` counts). A surname folded into a full
    name ("Blair" of "Tony Blair") helps rank it but adds no article: "Ireland" is not "Northern Ireland",
    nor Prince Harry "Harry Potter"."""
    kept = {code: set(ids) for code, ids in members.items()}
    every = set().union(*kept.values())
    within = None if len(every) == len(index.manifest.files) else every
    phrases = [(topic, phrase) for topic in topics for phrase in (topic.phrase, *topic.variants)]
    for topic in topics:
        topic.ids, topic.exact, topic.scale = [], True, 1.0
    for (topic, _), found in zip(phrases, index.ids_for_phrases((p for _, p in phrases), within), strict=True):
        chain_ids = kept.get(topic.chain, set())
        topic.ids = sorted({i for i in found if i in chain_ids} | set(topic.ids))


def diversify(topics: list[Topic], *, pool: int = DIVERSE_POOL, overlap: float = OVERLAP_WEIGHT) -> list[Topic]:
    """Re-rank the head of a ranked list so that it covers the corpus (maximal marginal relevance).

    Topics are picked one at a time by their score, lowered by how much their
    articles overlap those of a topic already picked (Jaccard similarity of
    the article lists): a second name from the same stories, or "Lib Dems"
    after "Liberal Democrats", gives way to a subject the list has not
    reached yet. The score shown becomes that lowered score, so it still
    falls down the list. Only the best ``pool`` topics take part.
    """
    head, tail = topics[:pool], topics[pool:]
    position: dict[str, int] = {}
    bits = []
    for topic in head:
        mask = 0
        for article_id in topic.ids:
            mask |= 1 << position.setdefault(article_id, len(position))
        bits.append(mask)
    sizes = [mask.bit_count() for mask in bits]
    nearest = [0.0] * len(head)  # each topic's largest overlap with a picked one
    left = list(range(len(head)))
    picked: list[Topic] = []

    def lowered(i: int) -> float:
        return head[i].score * (1 - overlap * nearest[i])

    while left:
        best = max(left, key=lambda i: (lowered(i), -i))
        left.remove(best)
        picked.append(dataclasses.replace(head[best], score=lowered(best)))
        for i in left:
            shared = (bits[i] & bits[best]).bit_count()
            union = sizes[i] + sizes[best] - shared
            if union:
                nearest[i] = max(nearest[i], shared / union)
    floor = picked[-1].score if picked else 0.0
    return picked + [dataclasses.replace(t, score=min(t.score, floor)) for t in tail]


def _ranked(index: CorpusIndex, ids: list[str], lang: str) -> list[Topic]:
    """The topics of one language's articles (``ids``, sorted), from a sample of them if there are many.

    Only the sampled articles are read; each topic's ids are those of the
    sample that the extractor counted, until ``_make_exact`` looks it up.
    """
    sample = ids
    if len(ids) > SAMPLE_DOCS:
        step = len(ids) / SAMPLE_DOCS
        sample = [ids[int(i * step)] for i in range(SAMPLE_DOCS)]
    topics = extract(texts(index.documents(sample)), limit=CACHED_TOPICS, lang=lang)
    for topic in topics:
        topic.exact, topic.scale, topic.chain = False, len(ids) / len(sample), lang
    return topics


def article_topics(index: CorpusIndex, article_id: str, limit: int | None = None) -> list[Topic]:
    """The topics of one article, weighted against the whole corpus's document frequencies."""
    article = index.article(article_id)
    stem = rules(article.lang).stem
    # document frequencies: a count from the sample stands for its share of the corpus
    corpus = {tuple(t.phrase.lower().split()): round(t.articles * t.scale) for t in corpus_topics(index, exact=0)}
    df = {tuple(stem(w) for w in phrase): n for phrase, n in corpus.items()}
    return extract(texts([article]), total_docs=len(index.ids()), df=df, limit=limit, lang=article.lang)


def articles_on(
    index: CorpusIndex,
    topic: str,
    *,
    limit: int | None = 20,
    langs: Sequence[str] = (),
    names: AliasTable | None = None,
    ids: Collection[str] | None = None,
) -> SearchResult:
    """A topic's articles (among ``ids``, if given), best first: what a search for the topic as a phrase finds
    (QueryError if it is empty once quotes are taken out)."""
    from kzjp_cli.search import SearchOptions, search

    phrase = " ".join(topic.replace('"', " ").split())
    if not phrase:
        raise QueryError("the topic is empty")
    options = SearchOptions(limit=limit, langs=tuple(langs), ids=None if ids is None else frozenset(ids))
    return search(index, f'"{phrase}"', options, names=names, each=True)
