"""Stories, not copies: the articles that tell the same story, across sources and languages.

Two articles tell the same story when their dates lie at most ``WINDOW_DAYS``
apart (a story is news of some days, not the same subject a year later; an
undated article may join any) and either

* their texts are near copies (a reprint, a lightly edited syndicated story):
  the MinHash signatures kept in the index estimate a Jaccard similarity of
  their character shingles of at least ``NEAR``; or
* they are in different languages and each is the other's nearest article in
  its language by meaning (the vectors of ``kzjp index --vectors``, each
  language's mean taken out) with a cosine of at least ``MEANING``.

A story is a connected group of such pairs. Its id is a digest of its
earliest member's id, so it stays the same as copies arrive. Thresholds were
chosen by ``bench/stories.py`` on planted data (see ``docs/design.md``).
Grouping reads only the manifest and the vectors, never the corpus, and is
cached in the index generation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kzjp_cli.articles import Article
from kzjp_cli.listing import Period, ids_in
from kzjp_cli.store import SearchOptions

if TYPE_CHECKING:
    from kzjp_cli.index import CorpusIndex

NEAR = 0.3
"""Estimated shingle Jaccard similarity at which two texts are copies of one story (reprints with edits)."""
MEANING = 0.35
"""Cosine (each language's mean taken out) at which mutual nearest articles of two languages are one story."""
WINDOW_DAYS = 3
BAND = 2
"""MinHash bins a band: pairs sharing a band are compared (32 bands of 2 find pairs at 0.3 nearly always)."""
CROWDED = 200
"""A band value shared by more articles than this is boilerplate, not a story: it proposes no pairs."""
CACHE_VERSION = 2


@dataclass
class Story:
    """Articles telling one story: its stable id, a title from its lead article, members earliest first."""

    id: str
    title: str
    lead: str
    articles: list[str]
    sources: list[str]
    languages: list[str]
    first: dt.date | None = None
    last: dt.date | None = None

    @property
    def size(self) -> int:
        return len(self.articles)

    def to_record(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "size": self.size,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "languages": self.languages,
            "sources": self.sources,
            "lead": self.lead,
            "articles": self.articles,
        }


@dataclass
class Stories:
    """Every article's story, the stories by id, and the articles they were grouped from (metadata, no body)."""

    of: dict[str, str] = field(default_factory=dict)
    by_id: dict[str, Story] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)

    def story(self, article_id: str) -> Story | None:
        found = self.of.get(article_id)
        return self.by_id.get(found) if found else None

    def key(self, article_id: str) -> str:
        """What tells an article's story apart: its story's id (the article's own id if it has none)."""
        return self.of.get(article_id, article_id)


def _close(a: dt.date | None, b: dt.date | None) -> bool:
    return a is None or b is None or abs((a - b).days) <= WINDOW_DAYS


def near_pairs(articles: Sequence[Article]) -> set[tuple[int, int]]:
    """Pairs (by position) of articles whose texts are near copies and whose dates are close."""
    import numpy as np

    from kzjp_cli.articles.dedup import EMPTY, HASHES, _decode, _scores

    rows = [n for n, a in enumerate(articles) if a.minhash]
    if len(rows) < 2:
        return set()
    matrix = np.stack([_decode(articles[n].minhash) for n in rows])
    filled = matrix != EMPTY
    candidates: set[tuple[int, int]] = set()
    for start in range(0, HASHES, BAND):
        usable = np.flatnonzero(filled[:, start : start + BAND].all(axis=1))
        if len(usable) < 2:
            continue
        band = np.ascontiguousarray(matrix[usable, start : start + BAND])
        keys = band.view(np.dtype((np.void, band.dtype.itemsize * BAND))).ravel()
        _, bucket_of, sizes = np.unique(keys, return_inverse=True, return_counts=True)
        shared = np.flatnonzero((sizes > 1) & (sizes <= CROWDED))
        if not len(shared):
            continue
        order = np.argsort(bucket_of, kind="stable")
        bounds = np.searchsorted(bucket_of[order], np.stack([shared, shared + 1]))
        for low, high in bounds.T:
            members = usable[order[low:high]].tolist()
            candidates.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
    found = set()
    by_first: dict[int, list[int]] = defaultdict(list)
    for a, b in candidates:
        by_first[a].append(b)
    for a, others in by_first.items():
        scores = _scores(matrix[others], matrix[a])
        for b, score in zip(others, scores, strict=True):
            first, second = articles[rows[a]], articles[rows[b]]
            if score >= NEAR and _close(first.date, second.date):
                found.add((rows[a], rows[b]))
    return found


def meaning_pairs(articles: Sequence[Article], ids: list[str], matrix: Any) -> set[tuple[int, int]]:
    """Pairs (by position) of articles in different languages, each the other's nearest in its language by
    meaning at ``MEANING`` or above, dates close."""
    import numpy as np

    position = {a.id: n for n, a in enumerate(articles)}
    rows = [(position[i], r) for r, i in enumerate(ids) if i in position]
    by_lang: dict[str | None, list[tuple[int, int]]] = defaultdict(list)
    for article_at, row in rows:
        by_lang[articles[article_at].lang].append((article_at, row))
    if len(by_lang) < 2:
        return set()
    centred: dict[str | None, tuple[list[int], Any, list[int | None]]] = {}
    for lang, members in by_lang.items():
        block = matrix[[row for _, row in members]].astype(np.float32)
        block = block - block.mean(axis=0)
        block /= np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-6)
        days = [articles[a].date.toordinal() if articles[a].date else None for a, _ in members]
        centred[lang] = ([a for a, _ in members], block, days)
    found = set()
    langs = sorted(centred, key=str)
    for i, one in enumerate(langs):
        for other in langs[i + 1 :]:
            ids_a, block_a, days_a = centred[one]
            ids_b, block_b, days_b = centred[other]
            best_b, score, best_a = _mutual_nearest(block_a, block_b, days_a, days_b)
            for a, b in enumerate(best_b.tolist()):
                if best_a[b] == a and score[a] >= MEANING:
                    found.add(tuple(sorted((ids_a[a], ids_b[b]))))
    return found  # type: ignore[return-value]


PAIR_BLOCK = 1 << 22
"""Similarities ``_mutual_nearest`` holds at once: its memory stays near 50 MB whatever the corpus."""


def _mutual_nearest(block_a: Any, block_b: Any, days_a: list[int | None], days_b: list[int | None]) -> Any:
    """For each row of ``block_a`` its nearest row of ``block_b`` (dates more than ``WINDOW_DAYS`` apart scored
    -1) and that similarity, and for each row of ``block_b`` its nearest of ``block_a``; a few rows of
    similarities at a time, never the whole matrix (100,000 articles made it gigabytes)."""
    import numpy as np

    rows = max(1, PAIR_BLOCK // max(len(block_b), 1))
    best_b = np.zeros(len(block_a), dtype=np.int64)
    score = np.zeros(len(block_a), dtype=np.float32)
    column_best = np.full(len(block_b), -np.inf, dtype=np.float32)
    best_a = np.zeros(len(block_b), dtype=np.int64)
    for start in range(0, len(block_a), rows):
        sims = block_a[start : start + rows] @ block_b.T
        sims[_far(days_a[start : start + rows], days_b)] = -1.0
        nearest = sims.argmax(axis=1)
        best_b[start : start + rows] = nearest
        score[start : start + rows] = sims[np.arange(len(sims)), nearest]
        where = sims.argmax(axis=0)
        top = sims[where, np.arange(sims.shape[1])]
        better = top > column_best  # a tie keeps the earlier row, as one argmax over every row would
        column_best[better] = top[better]
        best_a[better] = where[better] + start
    return best_b, score, best_a


def _far(days_a: list[int | None], days_b: list[int | None]) -> Any:
    """Which pairs of the two lists' dates lie more than ``WINDOW_DAYS`` apart (undated: never)."""
    import numpy as np

    a = np.array([d if d is not None else 0 for d in days_a], dtype=np.int64)
    b = np.array([d if d is not None else 0 for d in days_b], dtype=np.int64)
    far = np.abs(a[:, None] - b[None, :]) > WINDOW_DAYS
    far[[n for n, d in enumerate(days_a) if d is None], :] = False
    far[:, [n for n, d in enumerate(days_b) if d is None]] = False
    return far


def group(articles: Sequence[Article], pairs: Iterable[tuple[int, int]], prefer: Sequence[str] = ()) -> Stories:
    """The stories that ``pairs`` of articles (by position) join; each article alone is a story of one."""
    parent = list(range(len(articles)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[Article]] = defaultdict(list)
    for n, article in enumerate(articles):
        members[root(n)].append(article)
    stories = Stories(articles={a.id: a for a in articles})
    for group_of in members.values():
        story = story_of(group_of, prefer)
        stories.by_id[story.id] = story
        for article in group_of:
            stories.of[article.id] = story.id
    return stories


def story_of(members: Sequence[Article], prefer: Sequence[str] = ()) -> Story:
    """The story ``members`` tell: its id from the earliest, its title from the lead (in the first language of
    ``prefer`` that it has, else the earliest), its sources, languages and first and last days."""
    ordered = sorted(members, key=lambda a: (a.date is None, a.date or dt.date.min, a.id))
    rank = {code: n for n, code in enumerate(prefer)}
    lead = min(ordered, key=lambda a: (rank.get(a.lang or "", len(rank)), a.date is None, a.date or dt.date.min, a.id))
    dates = [a.date for a in ordered if a.date]
    return Story(
        id=single_story_id(ordered[0].id),
        title=lead.title,
        lead=lead.id,
        articles=[a.id for a in ordered],
        sources=sorted({a.source for a in ordered if a.source}),
        languages=sorted({a.lang for a in ordered if a.lang}),
        first=min(dates) if dates else None,
        last=max(dates) if dates else None,
    )


def stories_of(index: CorpusIndex, prefer: Sequence[str] = (), warn: Callable[[str], None] | None = None) -> Stories:
    """Every article's story in this index, with the articles' metadata (``Stories.articles``: callers need not
    read the manifest again); the pairs found are cached in the generation (``_pairs``), so a second call
    only regroups, and a later call on the same open index (a script's, a benchmark's) reuses the stories it
    made."""
    key = _key(index)
    told = index.memo.get(("stories", key, tuple(prefer)))
    if told is not None:  # another search of the same process, on the same generation
        return told
    articles = index.articles()
    pairs, _ = _pairs(index, key, warn, articles)
    told = index.memo[("stories", key, tuple(prefer))] = _grouped(articles, pairs, prefer)
    return told


def linked_stories(
    index: CorpusIndex, prefer: Sequence[str] = (), warn: Callable[[str], None] | None = None
) -> Stories:
    """The stories of two or more articles only, with their members' metadata: what a search needs to show
    one hit a story and name its copies. Read from the generation's cache of pairs, which holds the members'
    metadata too, so a search of 50,000 articles reads neither the manifest nor every article (that took
    1.2 s a search); an article in no such story has ``story()`` None and is its own story
    (``single_story_id``)."""
    key = _key(index)
    told = index.memo.get(("stories", key, tuple(prefer))) or index.memo.get(("linked", key, tuple(prefer)))
    if told is not None:
        return told
    pairs, members = _pairs(index, key, warn)
    told = index.memo[("linked", key, tuple(prefer))] = _grouped([members[i] for i in sorted(members)], pairs, prefer)
    return told


def _grouped(articles: list[Article], pairs: list[tuple[str, str]], prefer: Sequence[str]) -> Stories:
    """``group`` of ``articles`` by the ``pairs`` of their ids (pairs naming an article not there left out)."""
    position = {a.id: n for n, a in enumerate(articles)}
    return group(articles, [(position[a], position[b]) for a, b in pairs if a in position and b in position], prefer)


def single_story_id(article_id: str) -> str:
    """The id of the story an article alone tells (as ``story_of`` gives it for a group of one)."""
    return "s" + hashlib.blake2b(article_id.encode("utf-8"), digest_size=5).hexdigest()


def _key(index: CorpusIndex) -> str:
    state = [CACHE_VERSION, index.fingerprint, NEAR, MEANING, WINDOW_DAYS, index.vectors_state()]
    return hashlib.blake2b(json.dumps(state).encode("utf-8"), digest_size=8).hexdigest()


def _pairs(
    index: CorpusIndex, key: str, warn: Callable[[str], None] | None, articles: list[Article] | None = None
) -> tuple[list[tuple[str, str]], dict[str, Article]]:
    """The pairs of article ids that tell one story, and the metadata of every article in a pair: from the
    generation's cache, or found from ``articles`` (every article's metadata, read if not given) and cached."""
    cache = index.cache_path(f"stories-{key}.json")
    with suppress(OSError, ValueError, TypeError, KeyError, AttributeError):
        saved = json.loads(cache.read_text(encoding="utf-8"))
        members = {i: Article.from_metadata(meta) for i, meta in saved["members"].items()}
        return [(str(a), str(b)) for a, b in saved["pairs"]], members
    articles = articles if articles is not None else index.articles()
    ids, matrix = _vectors(index, warn)
    found = near_pairs(articles) | meaning_pairs(articles, ids, matrix)
    pairs = sorted((articles[a].id, articles[b].id) for a, b in found)
    paired = {n for pair in found for n in pair}
    members = {articles[n].id: articles[n] for n in sorted(paired)}
    saved = {"pairs": pairs, "members": {i: {**a.metadata(), "path": a.path} for i, a in members.items()}}
    with suppress(OSError):
        cache.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    return pairs, members


def _vectors(index: CorpusIndex, warn: Callable[[str], None] | None) -> tuple[list[str], Any]:
    """The articles' vectors where any were computed (none when the model is absent)."""
    from kzjp_cli.index import embedding

    if not embedding.available():
        return [], None
    return index.vectors(warn)


SORTS = ("size", "date")
RECORD = ("id", "title", "size", "first", "last", "languages", "sources", "lead", "articles")


def list_stories(
    index: CorpusIndex,
    *,
    within: frozenset[str] | None = None,
    langs: Sequence[str] = (),
    prefer: Sequence[str] = (),
    sort: str = "size",
    limit: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> list[Story]:
    """The stories with a member among ``within`` (all for None) and one in ``langs`` (any for none): largest
    first (then newest), or newest first."""
    stories = stories_of(index, prefer, warn)
    chosen = [
        s
        for s in stories.by_id.values()
        if (within is None or any(a in within for a in s.articles))
        and (not langs or any(stories.articles[a].lang in langs for a in s.articles))
    ]
    newest = lambda s: (s.last is not None, s.last or dt.date.min)  # noqa: E731
    if sort == "size":
        chosen.sort(key=lambda s: (s.size, len(s.languages), *newest(s), s.id), reverse=True)
    else:
        chosen.sort(key=lambda s: (*newest(s), s.size, s.id), reverse=True)
    return chosen[:limit] if limit else chosen


def find_stories(
    index: CorpusIndex,
    query: str | None = None,
    *,
    period: Period | None = None,
    langs: Sequence[str] = (),
    sort: str = "size",
    limit: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> list[Story]:
    """The stories with an article in ``period`` matching ``query`` (in any language; every article for None)
    and an article in ``langs`` (any for none), titled in the first of ``langs`` (see ``list_stories``)."""
    within = ids_in(index, period or Period())
    if query:
        within = frozenset(index.matching_ids(query, SearchOptions(limit=None, ids=within, suggest=False)))
    return list_stories(index, within=within, langs=langs, prefer=langs, sort=sort, limit=limit, warn=warn)
