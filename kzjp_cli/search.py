"""Search by words, by words and meaning together (``semantic``), and similar articles: ranked hits with
snippets and, if asked, summaries."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kzjp_cli.articles import FIELDS, Article
from kzjp_cli.errors import QueryError
from kzjp_cli.languages import detect, language, script
from kzjp_cli.store import Found, Match, SearchOptions, snippets
from kzjp_cli.store.results import SORTS
from kzjp_cli.stories import Stories, linked_stories, single_story_id

if TYPE_CHECKING:
    from kzjp_cli.aliases import AliasTable
    from kzjp_cli.index import CorpusIndex

__all__ = [
    "SORTS",
    "Hit",
    "SearchOptions",
    "SearchResult",
    "search",
    "semantic",
    "similar",
    "similar_to_text",
    "with_aliases",
]


@dataclass
class Hit:
    """One search result: the article (its fields as ``list`` and ``show`` give them) and why it matched."""

    rank: int
    article: Article
    score: float
    snippet: str
    marks: list[tuple[int, int]] = field(default_factory=list, repr=False)
    """Character spans of ``snippet`` that matched the query, for highlighting."""
    summary: list[str] | None = None
    """A query-focused summary, when asked for."""
    aliases: dict[str, list[str]] = field(default_factory=dict)
    """The other spellings the query's names were searched as (the same for every hit of a query)."""
    story: str | None = None
    """The id of the article's story (``kzjp stories``)."""
    also: list[Article] = field(default_factory=list)
    """The story's other articles, earliest first (from the manifest: no body)."""

    @staticmethod
    def fields() -> list[str]:
        """The keys of every hit's record (its header in CSV and TSV, with no hits too)."""
        return ["rank", *(name for name, spec in FIELDS.items() if spec.record), "score", "snippet", "story", "also"]

    def to_record(self) -> dict[str, object]:
        """Rank, the article's record, score, snippet, story and the ids of its other articles (and the
        summary and aliases, when there are any)."""
        record: dict[str, object] = {"rank": self.rank, **self.article.to_record()}
        record.update(
            score=round(self.score, 4), snippet=self.snippet, story=self.story, also=[a.id for a in self.also]
        )
        if self.summary is not None:
            record["summary"] = self.summary
        if self.aliases:
            record["aliases"] = self.aliases
        return record


@dataclass
class SearchResult:
    """The hits shown, how many matched in all, and a spelling suggestion."""

    hits: list[Hit]
    total: int | None = None
    """How many articles match: given only with ``count_only`` or ``with_total`` (for the few queries Whoosh
    ranks itself, counting costs a second query)."""
    stories: int | None = None
    """How many stories match, when hits are one a story and a total was asked for."""
    suggestion: str | None = None
    aliases: dict[str, list[str]] = field(default_factory=dict)
    """Each name in the query and the other spellings it was searched as."""
    unvectored: int = 0
    """With ``semantic``: how many of the articles searched have no vector (found by their words only)."""


def with_aliases(index: CorpusIndex, text: str, names: AliasTable | None) -> tuple[str, dict[str, list[str]]]:
    """The query with its names' other spellings in the index's other scripts OR-ed in, and what was added."""
    if names is None:
        return text, {}
    from kzjp_cli import aliases

    return aliases.expand(text, names, index.scripts_in_use())


def search(
    index: CorpusIndex,
    text: str,
    options: SearchOptions | None = None,
    *,
    summary: int | None = None,
    names: AliasTable | None = None,
    each: bool = False,
    warn: Callable[[str], None] | None = None,
    snippets_too: bool = True,
) -> SearchResult:
    """Run a query against the index and return ranked hits with snippets (unless not ``snippets_too``), one a
    story.

    ``options`` say which hits (see ``SearchOptions``); a story's best-ranked
    article stands for it and names the others (``each`` lists every
    article, and ``offset`` and ``limit`` then count articles, not stories);
    with ``names`` (an alias table), a name in the query also finds its other
    spellings; with ``summary``, each hit gets a query-focused summary of
    that many sentences.
    """
    options = options or SearchOptions()

    def answer() -> SearchResult:
        expanded, added = with_aliases(index, text, names)
        told = linked_stories(index, options.langs, warn)
        if each:
            found, stories = index.matches(expanded, options), None
        elif options.count_only:
            found = index.matches(expanded, options)
            stories = _stories_matching(index, expanded, options, told, found.total or 0)
        else:
            found, stories = _one_a_story(index, expanded, options, told)
        hits = _hits(found, summary=summary, query=expanded, first=options.offset + 1, snippets_too=snippets_too)
        _with_stories(hits, told, added)
        return SearchResult(hits=hits, total=found.total, stories=stories, suggestion=found.suggestion, aliases=added)

    return index.consistent(answer)


def _one_a_story(index: CorpusIndex, text: str, options: SearchOptions, told: Stories) -> tuple[Found, int | None]:
    """The page of matches with each story's best-ranked article only, and how many stories match (when a
    total is asked for). Fetches more matches than the page until the page is full or none are left."""
    want = None if options.limit is None else options.offset + options.limit
    fetch = None if want is None else max(2 * want, want + 20)
    while True:
        found = index.matches(text, dataclasses.replace(options, limit=fetch, offset=0))
        best = set(_first_of_each([m.article.id for m in found.matches], told))
        kept = [m for m in found.matches if m.article.id in best]
        if fetch is None or want is None or len(found.matches) < fetch or len(kept) >= want:
            break
        fetch *= 4
    complete = fetch is None or len(found.matches) < fetch
    page = kept[options.offset : want]
    stories = None
    if options.with_total:
        stories = len(kept) if complete else _stories_matching(index, text, options, told, found.total or 0)
    return Found(page, total=found.total, suggestion=found.suggestion), stories


def _first_of_each(ids: list[str], told: Stories) -> list[str]:
    """``ids`` with only the first of each story's articles, in order."""
    seen: set[str] = set()
    first = []
    for article_id in ids:
        story = told.key(article_id)
        if story not in seen:
            seen.add(story)
            first.append(article_id)
    return first


def _stories_matching(index: CorpusIndex, text: str, options: SearchOptions, told: Stories, articles: int) -> int:
    """How many stories the ``articles`` that match hold: only the articles of stories of two or more are
    read (by id), to take their copies off."""
    shared = frozenset(a for s in told.by_id.values() if s.size > 1 for a in s.articles)
    if not shared or not articles:
        return articles
    within = shared if options.ids is None else shared & options.ids
    matched = index.matching_ids(text, dataclasses.replace(options, ids=within, count_only=False))
    return articles - len(matched) + len({told.of[i] for i in matched})


def _with_stories(hits: list[Hit], told: Stories, added: dict[str, list[str]]) -> None:
    """Give each hit its story, the story's other articles and the query's aliases."""
    for hit in hits:
        hit.aliases = added
        story = told.story(hit.article.id)
        if story is None:  # a story of one
            hit.story = single_story_id(hit.article.id)
            continue
        hit.story = story.id
        hit.also = [told.articles[i] for i in story.articles if i != hit.article.id]


FUSION_K = 60
"""Reciprocal rank fusion's constant (Cormack et al. 2009): a hit's score is the sum of 1/(K + rank) over the
word ranking and the meaning ranking."""
DEPTH = 100
"""How far down each ranking ``semantic`` fuses (more when a later page is asked for)."""
WORDS_WEIGHT = 1.0
"""The word ranking's weight in the fusion (the meaning ranking's is 1)."""


def semantic(
    index: CorpusIndex,
    text: str,
    options: SearchOptions | None = None,
    *,
    summary: int | None = None,
    names: AliasTable | None = None,
    each: bool = False,
    warn: Callable[[str], None] | None = None,
    snippets_too: bool = True,
) -> SearchResult:
    """Rank articles by their words and their meaning together, across languages: the word ranking (names in
    every script, as ``search``) and the ranking by the cosine of the query's vector with each article's,
    fused by reciprocal rank; one hit a story unless ``each``. Articles without a vector are found by their
    words alone (``unvectored`` says how many). ModelMissing where the model is not installed."""
    from kzjp_cli.index import embedding

    embedding.require()
    options = options or SearchOptions()
    depth = None if options.limit is None else max(DEPTH, options.offset + options.limit)

    def answer() -> SearchResult:
        expanded, added = with_aliases(index, text, names)
        lexical_options = dataclasses.replace(
            options, limit=depth, offset=0, count_only=False, with_total=False, sort="relevance", suggest=False
        )
        try:
            by_words = index.matches(expanded, lexical_options).matches
        except QueryError:  # nothing searchable by words ("what is the state of…"): meaning alone
            by_words = []
        if not added:  # words cross a script only as names (the alias table); else it is a number or a stray word
            own = script(text)
            by_words = [m for m in by_words if language(m.article.lang).script == own]
        allowed = allowed_ids(index, options)
        space = Space.of(index, warn)
        ranked = space.nearest(embedding.query(text), detect(text), allowed=allowed)
        by_meaning = [article_id for article_id, _ in ranked[:depth]]
        keep = [i for i in space.ids if allowed is None or i in allowed]
        fused: dict[str, float] = {}
        for weight, ranking in ((WORDS_WEIGHT, [m.article.id for m in by_words]), (1.0, by_meaning)):
            for rank, article_id in enumerate(ranking, start=1):
                fused[article_id] = fused.get(article_id, 0.0) + weight / (FUSION_K + rank)
        order = sorted(fused, key=lambda article_id: (-fused[article_id], article_id))
        if options.sort == "date":
            dates = {a.id: a.date for a in index.articles() if a.id in fused}
            order.sort(key=lambda i: (dates.get(i) is not None, dates.get(i) or dt.date.min), reverse=True)
        searched = len(allowed) if allowed is not None else len(index.text_keys())
        unvectored = max(0, searched - len(keep))
        total, stories = len(order), None
        told = linked_stories(index, options.langs, warn)
        if not each:
            order = _first_of_each(order, told)
            stories = len(order)
        if options.count_only:
            return SearchResult(hits=[], total=total, stories=stories, aliases=added, unvectored=unvectored)
        page = (
            order[options.offset :] if options.limit is None else order[options.offset : options.offset + options.limit]
        )
        found = {m.article.id: m for m in by_words}
        others = {a.id: a for a in index.documents([i for i in page if i not in found])}
        matches = [
            Match(found[i].article, fused[i], found[i].terms) if i in found else Match(others[i], fused[i])
            for i in page
            if i in found or i in others
        ]
        hits = _hits(
            Found(matches), summary=summary, query=expanded, first=options.offset + 1, snippets_too=snippets_too
        )
        _with_stories(hits, told, added)
        return SearchResult(hits=hits, total=total, stories=stories, aliases=added, unvectored=unvectored)

    return index.consistent(answer)


def require_meaning() -> None:
    """ModelMissing, in one line with what to do, where searching by meaning cannot work on this machine."""
    from kzjp_cli.index import embedding

    embedding.require()


def allowed_ids(index: CorpusIndex, options: SearchOptions) -> frozenset[str] | None:
    """The articles ``options`` let through by language, date, id and when added (None: every one)."""
    if not (options.langs or options.since or options.until or options.ids is not None):
        found = None
    else:
        found = frozenset(
            a.id
            for a in index.articles()
            if (not options.langs or a.lang in options.langs)
            and (not options.since or (a.date is not None and a.date >= options.since))
            and (not options.until or (a.date is not None and a.date <= options.until))
            and (options.ids is None or a.id in options.ids)
        )
    if options.added_since or options.added_until:
        added = index.added_between(options.added_since, options.added_until)
        found = added if found is None else found & added
    return found


def similar(
    index: CorpusIndex,
    article_id: str,
    *,
    limit: int = 10,
    langs: Sequence[str] = (),
    warn: Callable[[str], None] | None = None,
) -> list[Hit]:
    """The articles most like one article, best first: by meaning, in any language (or ``langs``), where it
    has a vector; else by its key words, in its own language."""
    space = Space.of(index, warn)
    if article_id in space.row:
        allowed = allowed_ids(index, SearchOptions(langs=tuple(langs))) if langs else None
        vector = space.raw[space.row[article_id]]
        ranked = space.nearest(vector, space.lang.get(article_id), allowed=allowed, leave_out=article_id)
        hits = _scored_hits(index, ranked[:limit])
    else:
        allowed = allowed_ids(index, SearchOptions(langs=tuple(langs))) if langs else None
        found = index.similar_to(article_id, limit=limit if allowed is None else max(limit, DEPTH))
        if allowed is not None:
            found.matches = [m for m in found.matches if m.article.id in allowed][:limit]
        hits = _hits(found)
    _with_stories(hits, linked_stories(index, langs, warn), {})
    return hits


def similar_to_text(
    index: CorpusIndex,
    text: str,
    *,
    limit: int = 10,
    langs: Sequence[str] = (),
    warn: Callable[[str], None] | None = None,
) -> list[Hit]:
    """The articles most like a passage the user gives, by meaning, in any language (or ``langs``)."""
    from kzjp_cli.index import embedding

    embedding.require()
    vector = embedding.passages([embedding.article_text("", text)])[0]
    allowed = allowed_ids(index, SearchOptions(langs=tuple(langs))) if langs else None
    hits = _scored_hits(index, Space.of(index, warn).nearest(vector, detect(text), allowed=allowed)[:limit])
    _with_stories(hits, linked_stories(index, langs, warn), {})
    return hits


@dataclass
class Space:
    """The articles' vectors with each language's mean taken out, so that meaning, not language, decides.

    The model puts texts of one language near each other: an English query
    ranked an English article on another story above the Japanese version of
    its own. Subtracting each language's mean vector from its articles' (and
    the query's language mean from the query's) takes that part out: on three
    stories in four languages, every version of the asked story then came
    before any other story (``tests/test_semantic.py``). Among the articles of
    one language there is no such bias, and the raw vectors rank better there
    (held-out parallel news, Japanese to Russian: 0.952 against 0.903).
    """

    ids: list[str]
    raw: Any
    centered: Any
    means: dict[str | None, Any]
    lang: dict[str, str | None]
    row: dict[str, int]

    @classmethod
    def of(cls, index: CorpusIndex, warn: Callable[[str], None] | None = None) -> Space:
        """The space of this index's vectors; made once an open index (a script's later queries reuse it)."""
        import numpy as np

        key = ("space", index.fingerprint, index.vectors_state())
        made = index.memo.get(key)
        if made is not None:
            return made  # type: ignore[no-any-return]
        ids, raw = index.vectors(warn)
        lang = index.languages()
        codes = np.array([lang.get(i) or "" for i in ids], dtype=object)
        means: dict[str | None, Any] = {}
        centered = raw.copy()
        for code in dict.fromkeys(codes.tolist()):
            rows = codes == code
            means[code or None] = mean = raw[rows].mean(axis=0)
            centered[rows] -= mean
        if ids:
            centered /= np.maximum(np.linalg.norm(centered, axis=1, keepdims=True), 1e-6)
        made = index.memo[key] = cls(ids, raw, centered, means, lang, {i: n for n, i in enumerate(ids)})
        return made

    def nearest(
        self, vector: Any, lang: str | None, *, allowed: frozenset[str] | None = None, leave_out: str | None = None
    ) -> list[tuple[str, float]]:
        """The articles (of ``allowed``, all for None) nearest a vector of a text in ``lang``, nearest first."""
        import numpy as np

        keep = [n for n, i in enumerate(self.ids) if i != leave_out and (allowed is None or i in allowed)]
        if not keep:
            return []
        if len({self.lang.get(self.ids[n]) for n in keep}) == 1:  # one language: nothing to even out
            scores = self.raw[keep] @ (vector / max(float(np.linalg.norm(vector)), 1e-6))
        else:
            mean = self.means.get(lang)
            if mean is None:
                mean = np.mean(np.stack(list(self.means.values())), axis=0)
            query = vector - mean
            query /= max(float(np.linalg.norm(query)), 1e-6)
            scores = self.centered[keep] @ query
        order = np.argsort(-scores, kind="stable")
        return [(self.ids[keep[n]], float(scores[n])) for n in order]


def _scored_hits(index: CorpusIndex, ranked: list[tuple[str, float]]) -> list[Hit]:
    articles = {a.id: a for a in index.documents([article_id for article_id, _ in ranked])}
    return _hits(Found([Match(articles[i], score) for i, score in ranked if i in articles]))


def _hits(
    found: Found, *, summary: int | None = None, query: str | None = None, first: int = 1, snippets_too: bool = True
) -> list[Hit]:
    """Hits with snippets (matched words marked; left empty without ``snippets_too``: no work nobody sees) and,
    if asked, query-focused summaries; ranked from ``first``."""
    hits = []
    for rank, match in enumerate(found.matches, start=first):
        article = match.article
        snippet, marks = snippets.snippet(article.body, match.terms, lang=article.lang) if snippets_too else ("", [])
        chosen = None
        if summary:
            chosen = _beyond_snippet(article, snippet, summary, query)
        hits.append(Hit(rank=rank, article=article, score=match.score, snippet=snippet, marks=marks, summary=chosen))
    return hits


def _beyond_snippet(article: Article, snippet: str, count: int, query: str | None) -> list[str]:
    """A query-focused summary of ``count`` sentences that the snippet does not already show."""
    from kzjp_cli import summarize

    shown = [" ".join(part.split()) for part in snippet.replace("…", "\n").splitlines() if part.strip()]

    def said(sentence: str) -> bool:
        flat = " ".join(sentence.split())
        return any(flat in part or (len(part) > 40 and part in flat) for part in shown)

    units = summarize.summarize(article, count=count + len(shown) + 1, query=query).sentences
    return [unit.text for unit in units if not said(unit.text)][:count]
